import LoupeEngine
import LoupeFormat
import LoupeModel
import LoupeSystem

/// What every node of one `loupe replay` shares: the loaded rule inputs, the output filter and
/// the replay options.
struct ReplaySettings: Sendable {
    /// Rules, bindings, profiles and config; each node sets its own host and lookahead.
    var inputs: EngineInputs
    var filter: AlertFilter
    var lookahead: Bool
    var measureSpan: Bool
}

/// One capture argument of `loupe replay` (one node): its reader and header, and, once set up on
/// a worker thread, its engine and record stream.
///
/// A node is driven by one thread at a time: `ReplayScheduler` hands it to a worker for a slice
/// and takes it back under its lock, which orders every access. Engines are single-threaded;
/// they are never used by two threads at once.
final class ReplayNode: @unchecked Sendable {
    /// Position among the capture arguments: breaks ties in the merged output.
    let index: Int
    let path: String
    let capture: CaptureReader
    let header: SegmentHeader
    let since: UInt64?
    let until: UInt64?
    /// Decoder threads of its own, beside the worker that runs its engine.
    let decoders: Int

    private(set) var engine: Engine?
    private var stream: CaptureStream?
    /// The block being replayed when the last slice ended, and where.
    private var pending: [Record] = []
    private var pendingIndex = 0
    /// What reading found besides the records; complete once the node is finished.
    private(set) var report = ReadReport()
    /// Why the node stopped early, when it did.
    private(set) var failure: (any Error)?
    /// Alerts that passed the filter.
    private(set) var written = 0
    /// The capture's time span for the progress line (when asked for): first and last block times.
    private(set) var span: (first: UInt64, last: UInt64) = (0, 0)
    /// The latest record time seen, and records read, for the progress line.
    private(set) var position: UInt64 = 0
    private(set) var records = 0

    init(
        index: Int, path: String, capture: CaptureReader, header: SegmentHeader, since: UInt64?, until: UInt64?,
        decoders: Int
    ) {
        self.index = index
        self.path = path
        self.capture = capture
        self.header = header
        self.since = since
        self.until = until
        self.decoders = decoders
    }

    /// Replays up to `budget` records, appending the alerts the filter admits; true once the
    /// node is finished (at the end of its capture, or failed).
    func run(budget: Int, settings: ReplaySettings, engineLock: ConditionLock, into alerts: inout [Alert]) -> Bool {
        // The block being replayed and the counters live in locals for the loop: properties of
        // a class cost a run-time exclusivity check on every access.
        var block = pending
        pending = []
        var next = pendingIndex
        var records = 0
        var position = self.position
        var written = 0
        defer {
            pending = block
            pendingIndex = next
            self.records += records
            self.position = position
            self.written += written
        }
        do {
            if engine == nil { try setUp(settings, engineLock: engineLock) }
            guard let engine, let stream else { return true }
            let since = since
            let filter = settings.filter
            while records < budget {
                if next == block.count {
                    guard let records = try stream.nextBlock() else {
                        finish()
                        return true
                    }
                    block = records
                    next = 0
                }
                let record = block[next]
                next += 1
                records += 1
                let timestamp = record.timestamp
                position = max(position, timestamp)
                if let since, timestamp < since {
                    engine.observe(record)
                    continue
                }
                for alert in engine.apply(record) where filter.admits(alert) {
                    alerts.append(alert)
                    written += 1
                }
            }
            return false
        } catch {
            failure = commandFailure(error)
            finish()
            return true
        }
    }

    private func finish() {
        if let stream {
            stream.close()
            report = stream.report
        }
        stream = nil
    }

    /// Scans lifecycle records for late attribution, builds the engine and opens the stream.
    private func setUp(_ settings: ReplaySettings, engineLock: ConditionLock) throws {
        if settings.measureSpan { span = Self.timeSpan(capture, since: since, until: until) }
        var inputs = settings.inputs
        inputs.host = header.host
        // A live engine cannot look ahead; replaying a capture recorded with live rules must
        // reproduce what it raised.
        let live = header.host.captureOptions.contains { $0.key == "live_rules" }
        if settings.lookahead && !live {
            var ahead = RegistrationLookahead()
            // The scan's reader has nothing else to do: every thread of the node decodes. Its
            // damage report is not used (the replay below reads everything), so it skims.
            let scan = try CaptureStream(
                capture, options: ReadOptions(kinds: [.containerStarted, .containerSnapshot]),
                decoders: decoders == 0 ? 0 : decoders + 1, skim: true)
            while let record = try scan.next() { ahead.note(record) }
            inputs.lookahead = ahead
        }
        // Planning folds constants through an evaluation scratch area LoupeCEL shares process-wide,
        // so engines are built one at a time (milliseconds each); once built they share nothing unlocked.
        let engine: Engine
        do {
            engine = try engineLock.locked { try Engine(inputs) }
        } catch let error as InputError {
            throw CommandFailure(error.description, exitCode: ExitCode.dataError)
        }
        stream = try CaptureStream(capture, options: ReadOptions(until: until), decoders: decoders)
        self.engine = engine
    }

    /// The capture's time span from the segments' block indexes (no decoding), one segment at a
    /// time, narrowed to `since`...`until`.
    private static func timeSpan(_ capture: CaptureReader, since: UInt64?, until: UInt64?) -> (UInt64, UInt64) {
        var low = UInt64.max
        var high: UInt64 = 0
        for path in capture.segmentPaths {
            guard let segment = try? SegmentReader(path: path) else { continue }
            for block in segment.blocks where !block.isSnapshot {
                low = min(low, block.minTime)
                high = max(high, block.maxTime)
            }
        }
        let first = since.map { max($0, low == .max ? 0 : low) } ?? (low == .max ? 0 : low)
        let last = until.map { min($0, high) } ?? high
        return (first, last)
    }
}

/// Where a node's replay stands, for the progress line.
struct NodeProgress: Sendable {
    var records = 0
    /// The latest record time read.
    var position: UInt64 = 0
    /// The span it replays (boot time), when measured.
    var first: UInt64 = 0
    var last: UInt64 = 0
    var finished = false
}

/// Runs the nodes of a replay on worker threads, a slice of records at a time, and merges their
/// alerts into one stream whose order depends only on the captures.
///
/// **Order.** The merged stream repeatedly takes, among the nodes' next alerts, the one with the
/// earliest event wall time; ties go to the node given first on the command line. A node's own
/// alerts keep their order (capture order), so one capture comes out exactly as replayed alone.
///
/// **Bounded.** Each node's alerts wait in a queue of at most about `highWater`; a node whose
/// queue is full is not run until the merge has taken from it. The merge can always go on: it
/// waits only for nodes whose queue is empty, and those are the ones workers run first. So
/// memory stays bounded however the captures compare in size and however many threads there
/// are, and one thread can replay any number of nodes.
final class ReplayScheduler: @unchecked Sendable {
    private let monitor = ConditionLock()
    private let engineLock = ConditionLock()
    let nodes: [ReplayNode]
    private let settings: ReplaySettings
    private let highWater = 4096
    private let sliceRecords = 1 << 14

    // All below guarded by `monitor`.
    private var queues: [[Alert]]
    private var heads: [Int]
    private var running: [Bool]
    private var finished: [Bool]
    /// Per node, as of its last slice.
    private var status: [NodeProgress]

    init(nodes: [ReplayNode], settings: ReplaySettings) {
        self.nodes = nodes
        self.settings = settings
        queues = Array(repeating: [], count: nodes.count)
        heads = Array(repeating: 0, count: nodes.count)
        running = Array(repeating: false, count: nodes.count)
        finished = Array(repeating: false, count: nodes.count)
        status = Array(repeating: NodeProgress(), count: nodes.count)
    }

    /// Starts `count` worker threads; at least one must start.
    func start(threads count: Int) throws -> [PosixThread] {
        var workers: [PosixThread] = []
        for index in 0..<count {
            if let worker = PosixThread(name: "loupe-replay-\(index)", { [self] in work() }) {
                workers.append(worker)
            }
        }
        guard !workers.isEmpty else {
            throw CommandFailure("cannot start a replay thread", exitCode: ExitCode.failure)
        }
        return workers
    }

    /// A worker's loop: run a slice of the most wanted node, hand over its alerts, repeat.
    private func work() {
        while let node = monitor.locked({ pick() }) {
            var alerts: [Alert] = []
            let done = node.run(budget: sliceRecords, settings: settings, engineLock: engineLock, into: &alerts)
            monitor.locked {
                queues[node.index].append(contentsOf: alerts)
                running[node.index] = false
                finished[node.index] = done
                status[node.index] = NodeProgress(
                    records: node.records, position: node.position, first: node.span.first, last: node.span.last,
                    finished: done)
                monitor.broadcast()
            }
        }
    }

    /// The node to run next, monitor held: one the merge is waiting for (empty queue) first,
    /// then the one with the shortest queue; nil when every node is finished.
    private func pick() -> ReplayNode? {
        while true {
            var best: Int?
            var unfinished = false
            for index in nodes.indices where !finished[index] {
                unfinished = true
                let queued = queues[index].count - heads[index]
                guard !running[index], queued < highWater else { continue }
                if best == nil || queued < queues[best!].count - heads[best!] { best = index }
            }
            if let best {
                running[best] = true
                return nodes[best]
            }
            if !unfinished { return nil }
            monitor.wait()
        }
    }

    /// The next alerts of the merged stream, waiting for nodes as needed; an empty array when
    /// `deadline` (monotonic ns) passes first, nil once every node is finished and merged.
    func nextAlerts(deadline: UInt64?) -> [Alert]? {
        monitor.locked {
            var merged: [Alert] = []
            while merged.count < 512 {
                var earliest: Int?
                var blocked = false
                for index in nodes.indices {
                    if heads[index] == queues[index].count {
                        if !finished[index] {
                            blocked = true
                            break
                        }
                        continue
                    }
                    if let best = earliest {
                        if queues[index][heads[index]].wallTime < queues[best][heads[best]].wallTime {
                            earliest = index
                        }
                    } else {
                        earliest = index
                    }
                }
                if blocked {
                    // A node that may still raise an earlier alert has none queued: wait for it.
                    if !merged.isEmpty { break }
                    if let deadline {
                        if monotonicNanoseconds() >= deadline { break }
                        monitor.wait(until: deadline)
                    } else {
                        monitor.wait()
                    }
                    continue
                }
                guard let best = earliest else {
                    return merged.isEmpty ? nil : merged
                }
                merged.append(queues[best][heads[best]])
                heads[best] += 1
                // Drop what was taken now and then, so a queue that never runs dry stays small.
                if heads[best] == queues[best].count || heads[best] >= highWater {
                    queues[best].removeFirst(heads[best])
                    heads[best] = 0
                }
            }
            // Queues shrank: nodes held back at the high-water mark may run again.
            monitor.broadcast()
            return merged
        }
    }

    /// Where each node stands, as of its last slice.
    func progress() -> [NodeProgress] {
        monitor.locked { status }
    }
}
