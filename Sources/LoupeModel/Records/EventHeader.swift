/// What every kernel event carries: when, where (cpu, mount namespace, cgroup) and who.
public struct EventHeader: Hashable, Sendable {
    /// CLOCK_BOOTTIME in nanoseconds; the capture header anchors it to wall-clock time.
    public var timestamp: UInt64
    public var cpu: UInt32
    /// Process id (the kernel's tgid).
    public var pid: UInt32
    /// Thread id (the kernel's pid).
    public var tid: UInt32
    /// Process id of the real parent.
    public var ppid: UInt32
    public var uid: UInt32
    public var gid: UInt32
    /// Mount namespace inode number: the key to the event's context (kubernetes, host, docker).
    public var mntns: UInt64
    public var cgroupID: UInt64
    public var comm: ByteString
    public var pcomm: ByteString
    /// Executable path where the tracer knows it, else empty.
    public var exepath: ByteString

    public init(
        timestamp: UInt64 = 0, cpu: UInt32 = 0, pid: UInt32 = 0, tid: UInt32 = 0, ppid: UInt32 = 0,
        uid: UInt32 = 0, gid: UInt32 = 0, mntns: UInt64 = 0, cgroupID: UInt64 = 0,
        comm: ByteString = .empty, pcomm: ByteString = .empty, exepath: ByteString = .empty
    ) {
        self.timestamp = timestamp
        self.cpu = cpu
        self.pid = pid
        self.tid = tid
        self.ppid = ppid
        self.uid = uid
        self.gid = gid
        self.mntns = mntns
        self.cgroupID = cgroupID
        self.comm = comm
        self.pcomm = pcomm
        self.exepath = exepath
    }
}

/// A kernel event: the common header and what is specific to its type.
public struct Event: Hashable, Sendable {
    public var header: EventHeader
    public var payload: EventPayload

    public init(header: EventHeader, payload: EventPayload) {
        self.header = header
        self.payload = payload
    }

    public var type: EventType { payload.type }
}
