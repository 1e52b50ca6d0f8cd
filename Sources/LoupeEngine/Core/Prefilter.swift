import LoupeModel

/// The parameter keys upstream checks before CEL (facts §4), read from a rule's `state` merged
/// with its binding's `parameters`. A rejected event never reaches the rule's expressions.
struct Prefilter: Sendable {
    var includePrefixes: [String] = []
    var ignorePrefixes: [String] = []
    var ports: [Int64] = []
    var excludeProcesses: [(name: String?, path: String?)] = []
    var excludeParentProcesses: [(name: String?, path: String?)] = []
    var direction: String?
    var methods: [String] = []

    var isEmpty: Bool {
        includePrefixes.isEmpty && ignorePrefixes.isEmpty && ports.isEmpty && excludeProcesses.isEmpty
            && excludeParentProcesses.isEmpty && direction == nil && methods.isEmpty
    }

    init(_ parameters: InputMap) {
        includePrefixes = parameters["includePrefixes"]?.stringListValue ?? []
        ignorePrefixes = parameters["ignorePrefixes"]?.stringListValue ?? []
        if case .list(let items)? = parameters["ports"] {
            ports = items.compactMap { if case .int(let i) = $0 { i } else { nil } }
        }
        excludeProcesses = Self.processes(parameters["excludeProcesses"])
        excludeParentProcesses = Self.processes(parameters["excludeParentProcesses"])
        direction = parameters["direction"]?.stringValue?.lowercased()
        methods = (parameters["methods"]?.stringListValue ?? []).map { $0.uppercased() }
    }

    private static func processes(_ value: InputValue?) -> [(name: String?, path: String?)] {
        guard case .list(let items)? = value else { return [] }
        return items.compactMap { item in
            guard case .map(let m) = item else { return nil }
            return (m["name"]?.stringValue, m["path"]?.stringValue)
        }
    }

    /// Whether `path` lies under `prefix`, segment-aware: `/etc` covers `/etc` and `/etc/x`, not `/etcx`.
    static func isUnder(_ path: String, _ prefix: String) -> Bool {
        guard path.hasPrefix(prefix) else { return false }
        if prefix.hasSuffix("/") || path.utf8.count == prefix.utf8.count { return true }
        return path.utf8.dropFirst(prefix.utf8.count).first == UInt8(ascii: "/")
    }

    /// Whether the event passes; `parentPath` is the parent's executable as the process tree
    /// knows it, looked up only when `excludeParentProcesses` needs it.
    func admits(_ event: Event, parentPath: @autoclosure () -> String) -> Bool {
        // Each key's inputs are converted only when the key is set: a rule has few of them, and
        // this runs for every candidate event.
        let h = event.header
        if !includePrefixes.isEmpty || !ignorePrefixes.isEmpty {
            let paths = EventPaths.of(event)
            if !includePrefixes.isEmpty, !paths.isEmpty,
                !paths.contains(where: { p in includePrefixes.contains { Self.isUnder(p, $0) } })
            {
                return false
            }
            if paths.contains(where: { p in ignorePrefixes.contains { Self.isUnder(p, $0) } }) { return false }
        }
        if !excludeProcesses.isEmpty {
            let comm = h.comm.string
            let exe = h.exepath.string
            for p in excludeProcesses where Self.matches(p, comm: comm, path: exe) { return false }
        }
        if !excludeParentProcesses.isEmpty {
            let pcomm = h.pcomm.string
            let parent = parentPath()
            for p in excludeParentProcesses where Self.matches(p, comm: pcomm, path: parent) { return false }
        }
        switch event.payload {
        case .network(let n):
            if !ports.isEmpty && !ports.contains(Int64(n.dstPort)) { return false }
            if let direction, direction != n.direction.name { return false }
        case .ssh(let s):
            if !ports.isEmpty && !ports.contains(Int64(s.dstPort)) { return false }
            if let direction, direction != s.direction.name { return false }
        case .http(let r):
            if let direction, direction != r.direction.name { return false }
            if !methods.isEmpty && !methods.contains(r.method.string.uppercased()) { return false }
        default:
            break
        }
        return true
    }

    private static func matches(_ p: (name: String?, path: String?), comm: String, path: String) -> Bool {
        if p.name == nil && p.path == nil { return false }
        return (p.name.map { $0 == comm } ?? true) && (p.path.map { $0 == path } ?? true)
    }
}

/// The file paths an event names (for prefix filters and the host's `ignorePaths`).
enum EventPaths {
    static func of(_ event: Event) -> [String] {
        switch event.payload {
        case .open(let o): return [o.path.string]
        case .exec:
            let exe = event.header.exepath.string
            return exe.isEmpty ? [] : [exe]
        case .symlink(let l), .hardlink(let l): return [l.oldPath.string, l.newPath.string]
        case .kmod(let k): return k.module.string.hasPrefix("/") ? [k.module.string] : []
        default: return []
        }
    }
}
