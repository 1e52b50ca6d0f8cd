public import LoupeModel

/// Builds `ContainerInfo` from what the runtime left on disk: the OCI bundle's `config.json`
/// (Kubernetes identity in CRI annotations), Docker's `config.v2.json` (name and image), and
/// the init process's namespaces and cgroup.
public struct ContainerMetadataReader: Sendable {
    /// Where Docker keeps per-container configuration.
    public var dockerRoot: String
    /// The proc mount.
    public var procRoot: String

    public init(dockerRoot: String = "/var/lib/docker", procRoot: String = "/proc") {
        self.dockerRoot = dockerRoot
        self.procRoot = procRoot
    }

    /// What became of a container's metadata.
    public enum Outcome: Equatable, Sendable {
        case container(ContainerInfo)
        /// A Kubernetes sandbox (pause) container: not registered.
        case sandbox
        /// The init process is gone or has no mount namespace.
        case gone
    }

    /// Everything known about container `id` whose bundle is `bundle` and init process `initPid`.
    ///
    /// - Parameter runtimeRoot: the runtime's state root (`--root`), which tells Docker from
    ///   containerd when annotations do not.
    public func read(id: String, bundle: String, initPid: UInt32, runtimeRoot: String = "") -> Outcome {
        guard initPid > 0, let mntns = ProcFS.inode("\(procRoot)/\(initPid)/ns/mnt") else { return .gone }
        var info = ContainerInfo(id: id, initPid: initPid, mntns: mntns, bundle: bundle)
        info.netns = ProcFS.inode("\(procRoot)/\(initPid)/ns/net") ?? 0
        info.cgroupPath = Self.cgroupPath(ProcFS.read("\(procRoot)/\(initPid)/cgroup") ?? [])
        let config = bundle.isEmpty ? nil : ProcFS.read(bundle + "/config.json").flatMap(JSONValue.parse)
        let annotations = config.map(Self.annotations) ?? [:]
        if Self.isSandbox(annotations) { return .sandbox }
        info.mounts = config.map(Self.volumeMounts) ?? []
        info.kubernetes = Self.kubernetesIdentity(annotations)
        info.runtime = Self.runtime(annotations: annotations, runtimeRoot: runtimeRoot, bundle: bundle)
        if let kubernetes = info.kubernetes {
            info.name = kubernetes.containerName
            info.image =
                annotations["io.kubernetes.cri.image-name"] ?? annotations["io.kubernetes.cri-o.ImageName"] ?? ""
        }
        if info.runtime == .docker || info.kubernetes == nil, let docker = dockerConfig(id: id) {
            info.runtime = .docker
            if info.name.isEmpty { info.name = docker.name }
            if info.image.isEmpty { info.image = docker.image }
            if info.imageDigest.isEmpty { info.imageDigest = docker.imageID }
        }
        if info.name.isEmpty { info.name = annotations["io.kubernetes.container.name"] ?? "" }
        return .container(info)
    }

    /// The `annotations` object of an OCI `config.json`.
    static func annotations(_ config: JSONValue) -> [String: String] {
        config["annotations"]?.object?.compactMapValues(\.string) ?? [:]
    }

    /// Files every runtime bind-mounts into each container for its own purposes: not volumes.
    static let runtimeFiles: Set<String> = [
        "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/dev/shm", "/dev/termination-log",
        "/run/.containerenv",
    ]

    /// Where volumes and host directories are mounted: the destinations of the bind mounts of an
    /// OCI `config.json` (type `bind`, or a `bind`/`rbind` option), in config order, without the
    /// runtime's own files. Kubernetes' `volumeMounts` (service-account token, config maps,
    /// host paths, empty dirs) and Docker's `-v`/`--mount` all arrive as such bind mounts.
    static func volumeMounts(_ config: JSONValue) -> [String] {
        var out: [String] = []
        for mount in config["mounts"]?.array ?? [] {
            guard let destination = mount["destination"]?.string, !destination.isEmpty else { continue }
            let options = mount["options"]?.array?.compactMap(\.string) ?? []
            let isBind = mount["type"]?.string == "bind" || options.contains("bind") || options.contains("rbind")
            guard isBind, !runtimeFiles.contains(destination), !out.contains(destination) else { continue }
            out.append(destination)
        }
        return out
    }

    /// Kubernetes pause containers carry `container-type: sandbox`.
    static func isSandbox(_ annotations: [String: String]) -> Bool {
        annotations["io.kubernetes.cri.container-type"] == "sandbox"
            || annotations["io.kubernetes.cri-o.ContainerType"] == "sandbox"
    }

    /// The pod identity from containerd's CRI annotations, cri-o's, or dockershim-style
    /// labels; nil when none names a pod.
    public static func kubernetesIdentity(_ annotations: [String: String]) -> KubernetesIdentity? {
        func first(_ keys: String...) -> String {
            for key in keys { if let value = annotations[key], !value.isEmpty { return value } }
            return ""
        }
        let pod = first("io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name")
        let namespace = first("io.kubernetes.cri.sandbox-namespace", "io.kubernetes.pod.namespace")
        guard !pod.isEmpty, !namespace.isEmpty else { return nil }
        var labels: [Label] = []
        // cri-o carries the pod's labels as one JSON object.
        if let text = annotations["io.kubernetes.cri-o.Labels"], let object = JSONValue.parse(Array(text.utf8))?.object
        {
            labels = object.compactMap { key, value in value.string.map { Label(key, $0) } }
                .filter { !$0.key.hasPrefix("io.kubernetes.") }
        }
        return KubernetesIdentity(
            namespace: namespace, podName: pod, podUID: first("io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid"),
            containerName: first("io.kubernetes.cri.container-name", "io.kubernetes.container.name"),
            sandboxID: first("io.kubernetes.cri.sandbox-id", "io.kubernetes.cri-o.SandboxID"), labels: labels)
    }

    static func runtime(annotations: [String: String], runtimeRoot: String, bundle: String) -> ContainerRuntime {
        switch annotations["io.container.manager"] {
        case "cri-o": return .crio
        case "libpod": return .podman
        default: break
        }
        if annotations.keys.contains(where: { $0.hasPrefix("io.kubernetes.cri-o.") }) { return .crio }
        if annotations.keys.contains(where: { $0.hasPrefix("io.kubernetes.cri.") }) { return .containerd }
        if runtimeRoot.hasSuffix("/moby") || bundle.contains("/moby/") { return .docker }
        if runtimeRoot.contains("/containerd/") || bundle.contains("io.containerd.runtime") { return .containerd }
        return .runc
    }

    /// Name (without Docker's leading `/`), image reference and image id from config.v2.json.
    func dockerConfig(id: String) -> (name: String, image: String, imageID: String)? {
        guard !id.isEmpty, !id.contains("/"),
            let bytes = ProcFS.read("\(dockerRoot)/containers/\(id)/config.v2.json"),
            let config = JSONValue.parse(bytes)
        else { return nil }
        var name = config["Name"]?.string ?? ""
        if name.hasPrefix("/") { name.removeFirst() }
        return (name, config["Config"]?["Image"]?.string ?? "", config["Image"]?.string ?? "")
    }

    /// The cgroup v2 path (`0::/path`) of /proc/PID/cgroup, else the first line's path.
    static func cgroupPath(_ bytes: [UInt8]) -> String {
        let lines = bytes.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
        if let unified = lines.first(where: { $0.hasPrefix("0::") }) { return String(unified.dropFirst(3)) }
        guard let line = lines.first, let colon = line.lastIndex(of: ":") else { return "" }
        return String(line[line.index(after: colon)...])
    }
}
