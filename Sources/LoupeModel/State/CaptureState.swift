/// The running processes and containers implied by a record stream.
///
/// The segment writer feeds it every record so that each new segment can begin with a snapshot
/// of what was alive, which keeps segments self-contained: any one of them replays on its own.
public struct CaptureState: Sendable {
    public private(set) var processes: [UInt32: ProcessSnapshot] = [:]
    public private(set) var containers: [String: ContainerStarted] = [:]

    public init() {}

    /// Updates the state with one record.
    public mutating func apply(_ record: Record) {
        switch record {
        case .event(let event):
            apply(event)
        case .processSnapshot(let process):
            processes[process.pid] = process
        case .containerStarted(let started), .containerSnapshot(let started):
            containers[started.container.id] = started
        case .containerStopped(let stopped):
            containers[stopped.id] = nil
        case .clockSync, .drop:
            break
        }
    }

    private mutating func apply(_ event: Event) {
        let header = event.header
        switch event.payload {
        case .fork(let fork):
            // A new thread in the same process changes nothing we keep.
            guard fork.childPid == fork.childTid, fork.childPid != header.pid else { return }
            var child = processes[header.pid] ?? process(from: header)
            child.pid = fork.childPid
            child.ppid = header.pid
            child.startTime = header.timestamp
            processes[fork.childPid] = child
        case .exec(let exec):
            guard exec.retval == 0 else { return }
            var process = processes[header.pid] ?? process(from: header)
            process.ppid = header.ppid
            process.uid = header.uid
            process.gid = header.gid
            process.mntns = header.mntns
            process.comm = header.comm
            process.exepath = header.exepath.isEmpty ? (exec.args.first ?? .empty) : header.exepath
            process.args = exec.args
            process.cwd = exec.cwd
            process.upperLayer = exec.upperLayer
            process.loaderEnvironment = exec.loaderEnvironment
            processes[header.pid] = process
        case .exit:
            processes[header.pid] = nil
        default:
            break
        }
    }

    private func process(from header: EventHeader) -> ProcessSnapshot {
        ProcessSnapshot(
            pid: header.pid, ppid: header.ppid, uid: header.uid, gid: header.gid, mntns: header.mntns,
            comm: header.comm, exepath: header.exepath, startTime: header.timestamp)
    }

    /// The state as snapshot records stamped `timestamp`: containers by id, then processes by pid.
    public func snapshot(at timestamp: UInt64) -> [Record] {
        var records: [Record] = []
        records.reserveCapacity(containers.count + processes.count)
        for id in containers.keys.sorted() {
            var started = containers[id]!
            started.timestamp = timestamp
            records.append(.containerSnapshot(started))
        }
        for pid in processes.keys.sorted() {
            var process = processes[pid]!
            process.timestamp = timestamp
            records.append(.processSnapshot(process))
        }
        return records
    }
}
