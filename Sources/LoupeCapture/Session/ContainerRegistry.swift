public import LoupeModel

/// The containers a capture knows to be running, by id, mount namespace and init pid.
///
/// First registration of a mount namespace wins (as in the engine's registry); mntns 0 is
/// never registered.
public struct ContainerRegistry: Sendable {
    public private(set) var byID: [String: ContainerInfo] = [:]
    private var byMntns: [UInt64: String] = [:]
    private var byInitPid: [UInt32: String] = [:]
    public let hostMntns: UInt64

    public init(hostMntns: UInt64) { self.hostMntns = hostMntns }

    /// Registers a container; false when its id is already known.
    @discardableResult
    public mutating func add(_ info: ContainerInfo) -> Bool {
        guard byID[info.id] == nil else { return false }
        byID[info.id] = info
        if info.mntns != 0, info.mntns != hostMntns, byMntns[info.mntns] == nil { byMntns[info.mntns] = info.id }
        if info.initPid != 0 { byInitPid[info.initPid] = info.id }
        return true
    }

    /// Forgets a container; returns what was known of it.
    @discardableResult
    public mutating func remove(id: String) -> ContainerInfo? {
        guard let info = byID.removeValue(forKey: id) else { return nil }
        if byMntns[info.mntns] == id { byMntns[info.mntns] = nil }
        if byInitPid[info.initPid] == id { byInitPid[info.initPid] = nil }
        return info
    }

    /// The container whose init process is `pid`.
    public func container(initPid pid: UInt32) -> ContainerInfo? {
        byInitPid[pid].flatMap { byID[$0] }
    }

    /// The container that owns a mount namespace.
    public func container(mntns: UInt64) -> ContainerInfo? {
        byMntns[mntns].flatMap { byID[$0] }
    }

    /// kubernetes or docker for a container's namespace, host for everything else.
    public func context(mntns: UInt64) -> EventSourceContext {
        container(mntns: mntns)?.context ?? .host
    }

    /// Running containers per context.
    public var countsByContext: [EventSourceContext: Int] {
        var counts: [EventSourceContext: Int] = [:]
        for info in byID.values { counts[info.context, default: 0] += 1 }
        return counts
    }
}
