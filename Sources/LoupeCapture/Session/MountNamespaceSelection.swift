import LoupeModel

/// The kernel mount-namespace filter a capture asks for: `--include-mntns`, `--exclude-mntns`
/// and `--exclude-container`, checked together.
public struct MountNamespaceSelection: Equatable, Sendable {
    public var mode: MountNamespaceFilter = .all
    /// Mount namespace inode numbers put in the kernel's filter map at start.
    public var namespaces: [UInt64] = []
    /// Containers (name or id) whose mount namespace is excluded while they run.
    public var excludedContainers: [String] = []

    public init(mode: MountNamespaceFilter = .all, namespaces: [UInt64] = [], excludedContainers: [String] = []) {
        self.mode = mode
        self.namespaces = namespaces
        self.excludedContainers = excludedContainers
    }

    /// Why the options cannot be used together.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// The selection from the options' values. `onlyHost` (`--only-context host`) uses the
    /// kernel's include mode, so it cannot be combined with excluded namespaces.
    public static func parse(
        include: [String], exclude: [String], excludedContainers: [String], onlyHost: Bool = false
    ) throws(Problem) -> MountNamespaceSelection {
        if !include.isEmpty, !exclude.isEmpty {
            throw Problem("--include-mntns and --exclude-mntns cannot be used together (one kernel mode)")
        }
        if !include.isEmpty, !excludedContainers.isEmpty {
            throw Problem("--exclude-container needs the kernel's exclude mode; it cannot be used with --include-mntns")
        }
        if onlyHost, !exclude.isEmpty {
            throw Problem(
                "--only-context host includes only the host mount namespace in the kernel; it cannot be used with --exclude-mntns"
            )
        }
        var selection = MountNamespaceSelection()
        for (option, texts) in [("--include-mntns", include), ("--exclude-mntns", exclude)] {
            for text in texts {
                guard let mntns = namespace(text) else {
                    throw Problem(
                        "\(option) expects a mount namespace inode number (N or mnt:[N], as `readlink /proc/PID/ns/mnt` shows), got '\(text)'"
                    )
                }
                if !selection.namespaces.contains(mntns) { selection.namespaces.append(mntns) }
            }
        }
        for container in excludedContainers {
            let trimmed = container.hasPrefix("/") ? String(container.dropFirst()) : container
            guard !trimmed.isEmpty else { throw Problem("--exclude-container expects a container name or id") }
            if !selection.excludedContainers.contains(trimmed) { selection.excludedContainers.append(trimmed) }
        }
        if !include.isEmpty {
            selection.mode = .include
        } else if !exclude.isEmpty || !selection.excludedContainers.isEmpty {
            selection.mode = .exclude
        }
        return selection
    }

    /// A mount namespace inode number from `N` or `mnt:[N]`; nil unless 1...UInt32.max.
    public static func namespace(_ text: String) -> UInt64? {
        var digits = Substring(text)
        if digits.hasPrefix("mnt:["), digits.hasSuffix("]") { digits = digits.dropFirst(5).dropLast() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt64(digits),
            value > 0, value <= UInt64(UInt32.max)
        else { return nil }
        return value
    }
}

/// The running containers `--exclude-container` names, and the mount namespaces they hold in
/// the kernel's exclude set (counted, should two share one).
///
/// The kernel does not report an excluded container's exit, and a freed namespace's inode
/// number is soon reused (the next container often gets the same one): so a namespace leaves
/// the set as soon as the container's init process is gone (`released`), or when a container
/// that is not excluded turns up in it.
struct ContainerExclusion {
    let patterns: [String]
    let hostMntns: UInt64
    private var excluded: [String: (mntns: UInt64, initPid: UInt32)] = [:]
    private var references: [UInt64: Int] = [:]

    init(patterns: [String], hostMntns: UInt64) {
        self.patterns = patterns
        self.hostMntns = hostMntns
    }

    var isEmpty: Bool { excluded.isEmpty }

    /// Docker name, Kubernetes container or pod name, full id, or an id prefix of at least 12
    /// characters.
    func matches(_ info: ContainerInfo) -> Bool {
        patterns.contains { pattern in
            pattern == info.id || (pattern.count >= 12 && info.id.hasPrefix(pattern))
                || (!info.name.isEmpty && (pattern == info.name || "/" + pattern == info.name))
                || (info.kubernetes.map { pattern == $0.containerName || pattern == $0.podName } ?? false)
        }
    }

    /// A container is running: the kernel change it calls for, if any (its namespace newly
    /// excluded, or, for a container not excluded, a reused namespace released).
    mutating func started(_ info: ContainerInfo) -> (mntns: UInt64, excluded: Bool)? {
        guard excluded[info.id] == nil, info.mntns != 0, info.mntns != hostMntns else { return nil }
        guard matches(info) else {
            guard references[info.mntns] != nil else { return nil }
            for (id, entry) in excluded where entry.mntns == info.mntns { excluded[id] = nil }
            references[info.mntns] = nil
            return (info.mntns, false)
        }
        excluded[info.id] = (info.mntns, info.initPid)
        references[info.mntns, default: 0] += 1
        return references[info.mntns] == 1 ? (info.mntns, true) : nil
    }

    /// A container stopped: the mount namespace to remove from the kernel's set, if no other
    /// excluded container holds it.
    mutating func stopped(id: String) -> UInt64? {
        guard let entry = excluded.removeValue(forKey: id) else { return nil }
        let left = (references[entry.mntns] ?? 1) - 1
        references[entry.mntns] = left > 0 ? left : nil
        return left > 0 ? nil : entry.mntns
    }

    /// Excluded containers whose init process is gone: their namespaces to remove.
    mutating func released(alive: (UInt32) -> Bool) -> [UInt64] {
        let gone = excluded.filter { $0.value.initPid != 0 && !alive($0.value.initPid) }.keys.sorted()
        return gone.compactMap { stopped(id: $0) }
    }
}
