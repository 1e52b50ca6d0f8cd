/// A process that was running when a segment started (from /proc, or the writer's own state).
public struct ProcessSnapshot: Hashable, Sendable {
    /// The boot-time instant the snapshot describes.
    public var timestamp: UInt64
    public var pid: UInt32
    public var ppid: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var mntns: UInt64
    public var comm: ByteString
    public var exepath: ByteString
    public var args: [ByteString]
    public var cwd: ByteString
    /// CLOCK_BOOTTIME ns when the process started.
    public var startTime: UInt64
    public var upperLayer: Bool
    public var loaderEnvironment: [ByteString]

    public init(
        timestamp: UInt64 = 0, pid: UInt32, ppid: UInt32 = 0, uid: UInt32 = 0, gid: UInt32 = 0, mntns: UInt64 = 0,
        comm: ByteString = .empty, exepath: ByteString = .empty, args: [ByteString] = [], cwd: ByteString = .empty,
        startTime: UInt64 = 0, upperLayer: Bool = false, loaderEnvironment: [ByteString] = []
    ) {
        self.timestamp = timestamp
        self.pid = pid
        self.ppid = ppid
        self.uid = uid
        self.gid = gid
        self.mntns = mntns
        self.comm = comm
        self.exepath = exepath
        self.args = args
        self.cwd = cwd
        self.startTime = startTime
        self.upperLayer = upperLayer
        self.loaderEnvironment = loaderEnvironment
    }
}

/// A pairing of the boot clock with the wall clock, so boot-time stamps can be shown as dates.
public struct ClockAnchor: Hashable, Sendable {
    /// CLOCK_BOOTTIME ns.
    public var bootTime: UInt64
    /// CLOCK_REALTIME ns since the Unix epoch at the same instant.
    public var wallTime: Int64
    public init(bootTime: UInt64, wallTime: Int64) {
        self.bootTime = bootTime
        self.wallTime = wallTime
    }

    /// The wall-clock time (ns since the epoch) of a boot-time stamp.
    public func wallTime(ofBootTime boot: UInt64) -> Int64 {
        wallTime &+ (Int64(bitPattern: boot) &- Int64(bitPattern: bootTime))
    }

    /// The boot time of a wall-clock instant (ns since the epoch), clamped at zero.
    public func bootTime(ofWallTime wall: Int64) -> UInt64 {
        let boot = Int64(bitPattern: bootTime) &+ (wall &- wallTime)
        return boot < 0 ? 0 : UInt64(boot)
    }
}

/// The node a capture was taken on.
public struct HostInfo: Hashable, Sendable {
    public var hostname: String
    /// The Kubernetes node name, when the node is one (else usually the hostname).
    public var nodeName: String
    /// `uname -r`.
    public var kernelRelease: String
    /// /proc/sys/kernel/random/boot_id: boot-time stamps are comparable only within one boot.
    public var bootID: String
    /// The mount namespace of PID 1: events from it are host events.
    public var hostMntns: UInt64
    public var clock: ClockAnchor
    /// How the capture was taken (event types, filters), as key-value pairs.
    public var captureOptions: [Label]

    public init(
        hostname: String, nodeName: String = "", kernelRelease: String = "", bootID: String = "",
        hostMntns: UInt64, clock: ClockAnchor, captureOptions: [Label] = []
    ) {
        self.hostname = hostname
        self.nodeName = nodeName
        self.kernelRelease = kernelRelease
        self.bootID = bootID
        self.hostMntns = hostMntns
        self.clock = clock
        self.captureOptions = captureOptions
    }
}

/// Where a loss happened.
public enum DropSource: UInt8, Hashable, Sendable, CaseIterable {
    case unknown = 0
    /// The kernel could not reserve ring-buffer space.
    case ringBuffer = 1
    /// A string or argument list was cut to fit.
    case truncation = 2
    /// A container start or stop could not be resolved.
    case lifecycle = 3
    /// User space fell behind and discarded records.
    case userQueue = 4

    public var name: String {
        switch self {
        case .unknown: "unknown"
        case .ringBuffer: "ring_buffer"
        case .truncation: "truncation"
        case .lifecycle: "lifecycle"
        case .userQueue: "user_queue"
        }
    }
}

/// Something the capture could not record, and how much of it.
public struct DropRecord: Hashable, Sendable {
    public var timestamp: UInt64
    public var source: DropSource
    /// The event type that was lost, if one.
    public var eventType: EventType?
    public var count: UInt64
    /// CPU, when the loss is per CPU.
    public var cpu: UInt32?
    /// Free text: what exactly was lost.
    public var detail: String

    public init(
        timestamp: UInt64, source: DropSource, eventType: EventType? = nil, count: UInt64, cpu: UInt32? = nil,
        detail: String = ""
    ) {
        self.timestamp = timestamp
        self.source = source
        self.eventType = eventType
        self.count = count
        self.cpu = cpu
        self.detail = detail
    }
}
