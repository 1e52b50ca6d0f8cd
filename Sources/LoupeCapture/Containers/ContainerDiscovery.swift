public import LoupeModel

/// Finds containers that are already running, from the OCI runtimes' state directories.
public struct ContainerDiscovery: Sendable {
    /// runc's default root, containerd's runc roots (one level of namespaces below), Docker's
    /// runc root, and crun's root.
    public static let defaultStateRoots = [
        "/run/runc", "/run/containerd/runc", "/run/docker/runtime-runc", "/run/crun",
    ]

    public var stateRoots: [String]
    public var metadata: ContainerMetadataReader

    public init(
        stateRoots: [String] = ContainerDiscovery.defaultStateRoots,
        metadata: ContainerMetadataReader = ContainerMetadataReader()
    ) {
        self.stateRoots = stateRoots
        self.metadata = metadata
    }

    /// A container's entry in a runtime state directory.
    public struct StateEntry: Equatable, Sendable {
        public var id: String
        public var initPid: UInt32
        public var bundle: String
        /// The runtime root the entry was found under.
        public var runtimeRoot: String
    }

    /// Every running container found, in a stable order (by root, then id); sandboxes and
    /// containers whose init process is gone are left out.
    public func scan() -> [ContainerInfo] {
        var seen = Set<String>()
        var found: [ContainerInfo] = []
        for entry in stateEntries() where !seen.contains(entry.id) {
            seen.insert(entry.id)
            if case .container(let info) = metadata.read(
                id: entry.id, bundle: entry.bundle, initPid: entry.initPid, runtimeRoot: entry.runtimeRoot)
            {
                found.append(info)
            }
        }
        return found
    }

    /// State entries under every root: `root/ID/state.json` (runc), `root/NS/ID/state.json`
    /// (containerd's namespaces), `root/ID/status` (crun).
    public func stateEntries() -> [StateEntry] {
        var entries: [StateEntry] = []
        for root in stateRoots {
            for name in ProcFS.list(root).sorted() {
                let path = root + "/" + name
                if let entry = Self.stateEntry(directory: path, runtimeRoot: root) {
                    entries.append(entry)
                } else if ProcFS.isDirectory(path) {
                    for inner in ProcFS.list(path).sorted() {
                        if let entry = Self.stateEntry(directory: path + "/" + inner, runtimeRoot: path) {
                            entries.append(entry)
                        }
                    }
                }
            }
        }
        return entries
    }

    /// Reads one container state directory.
    public static func stateEntry(directory: String, runtimeRoot: String) -> StateEntry? {
        for file in ["state.json", "status"] {
            guard let bytes = ProcFS.read(directory + "/" + file), let state = JSONValue.parse(bytes) else { continue }
            return parseState(state, fallbackID: String(directory.split(separator: "/").last ?? ""), root: runtimeRoot)
        }
        return nil
    }

    /// runc's state.json has `id`, `init_process_pid` and the bundle as a `bundle=` label of
    /// `config`; crun's status has `pid` and `bundle`.
    static func parseState(_ state: JSONValue, fallbackID: String, root: String) -> StateEntry? {
        let pid = state["init_process_pid"]?.number ?? state["pid"]?.number ?? 0
        guard pid > 0, pid < Double(UInt32.max) else { return nil }
        var bundle = state["bundle"]?.string ?? ""
        if bundle.isEmpty, case .array(let labels)? = state["config"]?["labels"] {
            for case .string(let label) in labels where label.hasPrefix("bundle=") {
                bundle = String(label.dropFirst("bundle=".count))
            }
        }
        return StateEntry(
            id: state["id"]?.string ?? fallbackID, initPid: UInt32(pid), bundle: bundle, runtimeRoot: root)
    }
}
