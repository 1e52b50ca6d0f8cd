public import LoupeModel

/// What the engine knows about one process: enough for kubescape's `Process` in alerts and for
/// the `process.` helpers.
public struct ProcessInfo: Sendable, Hashable {
    public var pid: UInt32
    public var ppid: UInt32
    public var comm: ByteString
    public var path: ByteString
    public var args: [ByteString]
    public var cwd: ByteString
    public var uid: UInt32
    public var gid: UInt32
    /// CLOCK_BOOTTIME ns; 0 when unknown.
    public var startTime: UInt64
    public var upperLayer: Bool
    /// `NAME=value` loader variables the exec (or snapshot) recorded.
    public var loaderEnvironment: [ByteString]

    public init(
        pid: UInt32, ppid: UInt32 = 0, comm: ByteString = .empty, path: ByteString = .empty,
        args: [ByteString] = [], cwd: ByteString = .empty, uid: UInt32 = 0, gid: UInt32 = 0,
        startTime: UInt64 = 0, upperLayer: Bool = false, loaderEnvironment: [ByteString] = []
    ) {
        self.pid = pid
        self.ppid = ppid
        self.comm = comm
        self.path = path
        self.args = args
        self.cwd = cwd
        self.uid = uid
        self.gid = gid
        self.startTime = startTime
        self.upperLayer = upperLayer
        self.loaderEnvironment = loaderEnvironment
    }

    /// The command line: arguments joined by spaces (the path when there are none).
    public var cmdline: String {
        args.isEmpty ? path.string : args.map(\.string).joined(separator: " ")
    }
}

/// Processes by pid, rebuilt from snapshots and fork/exec/exit events in capture order.
///
/// Processes that started before the capture come from the segment's process snapshot; any event
/// from a pid not yet known adds what its header says (pid, parent, comm, ids), so ancestry is
/// never empty. Exited processes are removed (after the exit event itself was evaluated).
public struct ProcessTree: Sendable {
    private var processes = PidMap(placeholder: ProcessInfo(pid: 0))

    /// How many ancestors an alert carries at most (guards against pid-reuse cycles).
    public static let maxDepth = 64

    public init() {}

    public subscript(pid: UInt32) -> ProcessInfo? { processes[pid] }

    /// Adds a process found running when the segment started.
    public mutating func apply(snapshot s: ProcessSnapshot) {
        processes[s.pid] = ProcessInfo(
            pid: s.pid, ppid: s.ppid, comm: s.comm, path: s.exepath, args: s.args, cwd: s.cwd, uid: s.uid,
            gid: s.gid, startTime: s.startTime, upperLayer: s.upperLayer, loaderEnvironment: s.loaderEnvironment)
    }

    /// Learns from an event before rules see it: forks add children, execs replace the image,
    /// and any event of a process's main thread carries its current name.
    public mutating func observe(_ event: Event) {
        let h = event.header
        // A slot lets the entry be read and changed in place, without copying it out.
        if let slot = processes.slot(of: h.pid) {
            // A process can rename itself without an exec (prctl PR_SET_NAME): busybox, re-executed
            // through /proc/self/exe, execs as `exe` and then takes its applet's name. The kernel
            // reports the new name on the next events. Only the main thread's name is the
            // process's; other threads name themselves freely (`C2 CompilerThre`).
            if h.tid == h.pid && !h.comm.isEmpty && processes[slot: slot].comm != h.comm {
                processes[slot: slot].comm = h.comm
            }
        } else {
            processes[h.pid] = ProcessInfo(
                pid: h.pid, ppid: h.ppid, comm: h.comm, path: h.exepath, uid: h.uid, gid: h.gid)
        }
        if h.ppid != 0 && !h.pcomm.isEmpty && processes.slot(of: h.ppid) == nil {
            processes[h.ppid] = ProcessInfo(pid: h.ppid, comm: h.pcomm)
        }
        switch event.payload {
        case .fork(let f):
            // Threads share their process's entry.
            guard f.childPid != 0, f.childPid != h.pid, f.childTid == 0 || f.childTid == f.childPid else { return }
            var child = processes[h.pid]!
            child.pid = f.childPid
            child.ppid = h.pid
            child.startTime = h.timestamp
            processes[f.childPid] = child
        case .exec(let e):
            guard e.retval == 0, let slot = processes.slot(of: h.pid) else { return }
            Self.applyExec(e, h, to: &processes[slot: slot])
        default:
            break
        }
    }

    /// A successful exec replaces the process image: name, executable, arguments, ids, loader
    /// environment; the start time stays that of the fork when known.
    private static func applyExec(_ e: ExecEvent, _ h: EventHeader, to p: inout ProcessInfo) {
        p.ppid = h.ppid
        p.comm = h.comm
        if !h.exepath.isEmpty { p.path = h.exepath }
        p.args = e.args
        p.cwd = e.cwd
        p.uid = h.uid
        p.gid = h.gid
        p.upperLayer = e.upperLayer
        p.loaderEnvironment = e.loaderEnvironment
        if p.startTime == 0 { p.startTime = h.timestamp }
    }

    /// Forgets a process once its exit was evaluated.
    public mutating func remove(pid: UInt32) { processes[pid] = nil }

    /// The process and its known ancestors, nearest first.
    public func lineage(of pid: UInt32) -> [ProcessInfo] {
        var out: [ProcessInfo] = []
        var seen: Set<UInt32> = []
        var current = pid
        while out.count < Self.maxDepth, let p = processes[current], seen.insert(current).inserted {
            out.append(p)
            if p.ppid == 0 || p.ppid == current { break }
            current = p.ppid
        }
        return out
    }
}
