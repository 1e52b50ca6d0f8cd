public import LoupeModel
import LoupeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Where a capture's record stream goes (the segment writer, in `loupe capture`).
///
/// All calls come from the one thread running `CaptureSession.run`.
public protocol CaptureSink: AnyObject {
    func write(_ record: Record) throws
    /// Called at least every second: write out a block that has waited long enough.
    func tick() throws
    /// Called once at the end of a capture that did not fail.
    func finish() throws
    /// Bytes written to files so far.
    var bytesWritten: UInt64 { get }
    /// Segment files begun so far.
    var segmentsWritten: UInt64 { get }
}

/// What a capture records and how.
public struct CaptureConfiguration: Sendable {
    public var tracer = TracerOptions()
    /// Runtime binaries to watch with fanotify (those that exist); empty disables the watcher.
    public var runtimePaths: [String] = RuntimeCommandLine.knownRuntimePaths
    /// Runtime state directories scanned for containers at start.
    public var stateRoots: [String] = ContainerDiscovery.defaultStateRoots
    public var metadata = ContainerMetadataReader()
    /// Only events of this context are written (lifecycle and snapshot records always are).
    /// For `host` the kernel also records only the host mount namespace (include mode, unless
    /// `tracer` already excludes namespaces); containers are filtered in user space only, as
    /// they are known only once they run.
    public var onlyContext: EventSourceContext?
    /// Containers (Docker name, Kubernetes container or pod name, id or id prefix of 12 or more
    /// characters) whose mount namespace is put in the kernel's exclude set while they run, from
    /// discovery at start or from the runtime watcher. Needs the tracer's mode to be `exclude`
    /// or `all` (then made `exclude`); ignored in include mode. Their lifecycle is still recorded.
    public var excludedContainers: [String] = []
    /// Stop after this many ns; nil runs until `requestStop()`.
    public var duration: UInt64?
    /// How long records wait to be put in timestamp order (ns). The ring buffer is shared by
    /// all CPUs and the runtime watcher reports a container some time after it began, so
    /// arrival order is not quite time order.
    public var reorderWindow: UInt64 = 300_000_000
    /// Records that may wait between the readers and the writer before readers block.
    public var queueCapacity = 1 << 18
    /// How often a clock anchor record is written (ns).
    public var clockSyncInterval: UInt64 = 60_000_000_000
    /// Key-value description of the capture for the segment header.
    public var captureOptions: [Label] = []

    public init() {}

    /// The default runtime paths plus `RUNTIME_PATH` (colon-separated) and `extra`.
    public static func runtimePaths(extra: [String], environment: (String) -> String? = { environmentValue($0) })
        -> [String]
    {
        var paths = RuntimeCommandLine.knownRuntimePaths
        if let fromEnvironment = environment("RUNTIME_PATH") {
            paths += fromEnvironment.split(separator: ":").map(String.init)
        }
        paths += extra
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }
}

/// Counters of a running capture, published once a second.
public struct CaptureStatistics: Sendable {
    public var startedAt: UInt64 = 0
    public var elapsed: UInt64 = 0
    public var records: UInt64 = 0
    public var eventsByType: [EventType: UInt64] = [:]
    /// Kernel losses by reason name (`ringbuf`, `truncated`, `inflight`, `read`), plus
    /// `lifecycle` for containers that could not be resolved.
    public var dropsByReason: [String: UInt64] = [:]
    /// Events filtered out by `onlyContext`.
    public var filteredEvents: UInt64 = 0
    public var malformedRecords: UInt64 = 0
    public var bytesWritten: UInt64 = 0
    public var segments: UInt64 = 0
    public var containersByContext: [EventSourceContext: Int] = [:]
    public var containersStarted: UInt64 = 0
    public var containersStopped: UInt64 = 0
    /// Events per second over the last interval.
    public var eventsPerSecond: Double = 0
    public var queueStalls: UInt64 = 0

    public var events: UInt64 { eventsByType.values.reduce(0, +) }
    /// Records lost (ring buffer and in-flight table), not counting truncations.
    public var lostRecords: UInt64 { (dropsByReason["ringbuf"] ?? 0) + (dropsByReason["inflight"] ?? 0) }
}

/// A live capture: the eBPF tracers, the runtime watcher, the start snapshot, and the loop
/// that merges them into one time-ordered record stream.
///
/// ```
///  ring buffer ── poll thread (decode) ──┐
///  fanotify ── watcher threads ──────────┼─▶ bounded queue ─▶ run(): reorder ─▶ sink
///  (drops, liveness: run() itself) ──────┘
/// ```
public final class CaptureSession: @unchecked Sendable {
    public let configuration: CaptureConfiguration
    public let host: HostInfo
    /// Process and container snapshot records of the start, for the writer's first segment.
    public let initialSnapshot: [Record]
    /// Containers found running at start.
    public let discoveredContainers: [ContainerInfo]
    /// Runtime binaries watched; empty when the watcher could not start (see `watcherProblem`).
    public var watchedRuntimePaths: [String] { watcher?.watchedPaths ?? [] }
    public private(set) var watcherProblem: String?
    public var programCount: Int { tracer.programCount }

    private let tracer: KernelTracer
    private var watcher: RuntimeWatcher?
    private let queue: BoundedQueue<Record>
    private let control = ConditionLock()
    private var stopRequested = false
    private var pollThread: PosixThread?
    private let pollState: PollState
    private var published = CaptureStatistics()
    /// `excludedContainers` at work; nil when there are none or the kernel includes.
    private var exclusion: ContainerExclusion?
    /// The kernel's mount-namespace filter as applied (after `onlyContext` and exclusions).
    public let mountNamespaceMode: MountNamespaceFilter

    /// Starts the tracers, then the runtime watcher, then reads /proc and the runtime state
    /// directories: anything that starts meanwhile is seen by both, nothing falls between.
    public init(configuration: CaptureConfiguration) throws {
        try TracerError.preflight()
        self.configuration = configuration
        let queue = BoundedQueue<Record>(capacity: configuration.queueCapacity)
        self.queue = queue
        let pollState = PollState(queue: queue)
        self.pollState = pollState
        var tracerOptions = configuration.tracer
        if configuration.onlyContext == .host, tracerOptions.mountNamespaceMode != .exclude,
            let hostMntns = HostInspector.hostMountNamespace()
        {
            tracerOptions.mountNamespaceMode = .include
            if !tracerOptions.mountNamespaces.contains(hostMntns) { tracerOptions.mountNamespaces.append(hostMntns) }
        }
        if !configuration.excludedContainers.isEmpty, tracerOptions.mountNamespaceMode == .all {
            tracerOptions.mountNamespaceMode = .exclude
        }
        mountNamespaceMode = tracerOptions.mountNamespaceMode
        let tracer = try KernelTracer(options: tracerOptions) { bytes in pollState.deliver(bytes) }
        self.tracer = tracer
        host = HostInspector.hostInfo(captureOptions: configuration.captureOptions)
        if !configuration.excludedContainers.isEmpty, tracerOptions.mountNamespaceMode == .exclude {
            exclusion = ContainerExclusion(patterns: configuration.excludedContainers, hostMntns: host.hostMntns)
        }

        if !configuration.runtimePaths.isEmpty {
            do {
                watcher = try RuntimeWatcher(
                    candidates: configuration.runtimePaths, metadata: configuration.metadata,
                    stateRoots: configuration.stateRoots,
                    report: { started in queue.put(.containerStarted(started)) },
                    failure: { message in
                        queue.put(
                            .drop(
                                DropRecord(
                                    timestamp: Clocks.boottime(), source: .lifecycle, count: 1, detail: message)))
                    })
            } catch {
                watcherProblem = error.description
            }
        }

        let now = Clocks.boottime()
        let processes = ProcessScanner.snapshot(timestamp: now)
        let containers = ContainerDiscovery(stateRoots: configuration.stateRoots, metadata: configuration.metadata)
            .scan()
        watcher?.markKnown(containers.map(\.id))
        discoveredContainers = containers
        for container in containers {
            if let change = exclusion?.started(container), change.excluded { tracer.addFilteredNamespace(change.mntns) }
        }
        for process in processes { pollState.decoder.rememberExecutable(pid: process.pid, exepath: process.exepath) }
        initialSnapshot =
            processes.map { Record.processSnapshot($0) }
            + containers.map { Record.containerSnapshot(ContainerStarted(timestamp: now, container: $0)) }
    }

    /// Asks `run` to finish (from any thread, e.g. a signal-handling thread).
    public func requestStop() {
        control.locked { stopRequested = true }
    }

    /// Blocks SIGINT and SIGTERM in the calling thread; call before any thread starts so all
    /// inherit the mask and `stopOnSignals` alone receives them.
    public static func blockStopSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }

    /// Turns SIGINT and SIGTERM (blocked by `blockStopSignals`) into `requestStop()`.
    public func stopOnSignals() {
        PosixThread(name: "loupe-signals") { [self] in
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGINT)
            sigaddset(&signals, SIGTERM)
            while true {
                var received: Int32 = 0
                if sigwait(&signals, &received) == 0 { requestStop() }
            }
        }?.detach()
    }

    private var isStopRequested: Bool { control.locked { stopRequested } }

    /// The counters as of the last second.
    public var statistics: CaptureStatistics { control.locked { published } }

    /// Runs until the configured duration passes or `requestStop()` is called, writing every
    /// record to `sink`; then drains what is in flight and finishes the sink.
    ///
    /// - Parameter onTick: called about once a second with fresh counters (status line).
    /// - Throws: the sink's error (disk full...): readers are stopped first; what the sink had
    ///   written stays.
    public func run<Sink: CaptureSink>(sink: Sink, onTick: (CaptureStatistics) -> Void = { _ in }) throws {
        let tracer = self.tracer
        let pollState = self.pollState
        pollThread = PosixThread(name: "loupe-ringbuf") {
            while !pollState.isStopping {
                tracer.poll(milliseconds: 50)
                pollState.flush()
            }
            // Whatever the kernel queued before the stop.
            tracer.poll(milliseconds: 0)
            pollState.flush()
        }
        var loop = MergeLoop(
            configuration: configuration, host: host, containers: discoveredContainers, exclusion: exclusion,
            onExclusionChange: { mntns, excluded in
                if excluded { tracer.addFilteredNamespace(mntns) } else { tracer.removeFilteredNamespace(mntns) }
            })
        let start = Clocks.boottime()
        loop.statistics.startedAt = start
        var lastTick = Clocks.monotonic()
        var lastClockSync = lastTick
        var lastDrops = tracer.dropCounters()
        var eventsAtLastTick: UInt64 = 0
        var failure: (any Error)?

        func tick(final: Bool) throws {
            let now = Clocks.boottime()
            let drops = tracer.dropCounters()
            for record in drops.dropRecords(since: lastDrops, timestamp: now) { loop.insert(.drop(record)) }
            lastDrops = drops
            for reason in DropCounters.Reason.allCases {
                loop.statistics.dropsByReason[reason.name] = drops.total(reason)
            }
            for stopped in loop.checkLiveness(now: now) { loop.insert(.containerStopped(stopped)) }
            let monotonic = Clocks.monotonic()
            if monotonic &- lastClockSync >= configuration.clockSyncInterval {
                lastClockSync = monotonic
                let anchor = Clocks.anchor()
                loop.insert(.clockSync(ClockAnchor(bootTime: anchor.bootTime, wallTime: anchor.wallTime)))
            }
            try loop.release(upTo: final ? .max : now &- configuration.reorderWindow, into: sink)
            try sink.tick()
            var statistics = loop.statistics
            statistics.elapsed = now &- start
            statistics.bytesWritten = sink.bytesWritten
            statistics.segments = sink.segmentsWritten
            statistics.malformedRecords = pollState.malformed
            statistics.queueStalls = queue.stalls
            let interval = Double(monotonic &- lastTick) / 1e9
            statistics.eventsPerSecond = interval > 0 ? Double(statistics.events &- eventsAtLastTick) / interval : 0
            eventsAtLastTick = statistics.events
            lastTick = monotonic
            control.locked { published = statistics }
            onTick(statistics)
        }

        do {
            while true {
                for record in queue.takeAll(timeout: 100_000_000) { loop.insert(record) }
                loop.releaseExitedExclusions()
                let now = Clocks.boottime()
                try loop.release(upTo: now &- configuration.reorderWindow, into: sink)
                if Clocks.monotonic() &- lastTick >= 1_000_000_000 { try tick(final: false) }
                if isStopRequested { break }
                if let duration = configuration.duration, now &- start >= duration { break }
            }
        } catch {
            failure = error
        }

        // Stop the readers, then drain what they delivered.
        pollState.stop()
        pollThread?.join()
        pollThread = nil
        watcher?.stop()
        queue.close()
        if let failure { throw failure }
        for record in queue.takeAll(timeout: 0) { loop.insert(record) }
        try tick(final: true)
        try sink.finish()
        control.locked {
            published.bytesWritten = sink.bytesWritten
            published.segments = sink.segmentsWritten
        }
    }
}

/// The ring-buffer side: decoding on the poll thread, batching into the queue.
private final class PollState: @unchecked Sendable {
    var decoder = KernelRecordDecoder()
    private var batch: [Record] = []
    private let queue: BoundedQueue<Record>
    private let monitor = ConditionLock()
    private var stopping = false

    init(queue: BoundedQueue<Record>) {
        self.queue = queue
        batch.reserveCapacity(4096)
    }

    var malformed: UInt64 { monitor.locked { decoder.malformedRecords + decoder.unknownRecords } }

    /// Poll thread only.
    func deliver(_ bytes: UnsafeRawBufferPointer) {
        guard let record = monitor.locked({ decoder.decode(bytes) }) else { return }
        batch.append(record)
        if batch.count >= 4096 { flush() }
    }

    /// Poll thread only.
    func flush() {
        guard !batch.isEmpty else { return }
        queue.put(batch)
        batch.removeAll(keepingCapacity: true)
    }

    var isStopping: Bool { monitor.locked { stopping } }
    func stop() { monitor.locked { stopping = true } }
}

/// The single-threaded heart of `run`: ordering, container bookkeeping, filtering, counting.
struct MergeLoop {
    let configuration: CaptureConfiguration
    var registry: ContainerRegistry
    var statistics = CaptureStatistics()
    /// Records not yet written, in timestamp order from `head` on (arrival order among equal
    /// timestamps); entries before `head` are written and wait to be compacted away.
    private var pending: [(timestamp: UInt64, record: Record)] = []
    private var head = 0
    private var released: UInt64 = 0
    private var missing = Set<String>()
    /// `--exclude-container`: kernel exclusions follow the containers' lifecycle.
    private var exclusion: ContainerExclusion?
    /// `--include-mntns` / `--exclude-mntns` as given.
    private let staticNamespaces: Set<UInt64>
    private let onExclusionChange: (_ mntns: UInt64, _ excluded: Bool) -> Void

    init(
        configuration: CaptureConfiguration, host: HostInfo, containers: [ContainerInfo],
        exclusion: ContainerExclusion? = nil, onExclusionChange: @escaping (UInt64, Bool) -> Void = { _, _ in }
    ) {
        self.configuration = configuration
        self.staticNamespaces = Set(configuration.tracer.mountNamespaces)
        self.exclusion = exclusion
        self.onExclusionChange = onExclusionChange
        registry = ContainerRegistry(hostMntns: host.hostMntns)
        for container in containers { registry.add(container) }
        statistics.containersByContext = registry.countsByContext
    }

    /// Queues a record for ordering. Lifecycle records that arrive after their moment has been
    /// written are stamped with the last written time: the stream stays ordered and the
    /// registration still precedes everything that follows it.
    mutating func insert(_ record: Record) {
        // An excluded container leaves the kernel's stream as soon as it is known, not once
        // its start record has waited out the reorder window.
        if case .containerStarted(let started) = record, let change = exclusion?.started(started.container) {
            onExclusionChange(change.mntns, change.excluded)
        }
        var record = record
        var timestamp = record.timestamp
        if timestamp < released {
            switch record {
            case .containerStarted(var started):
                started.timestamp = released
                record = .containerStarted(started)
                timestamp = released
            case .containerStopped(var stopped):
                stopped.timestamp = released
                record = .containerStopped(stopped)
                timestamp = released
            case .drop(var drop):
                drop.timestamp = released
                record = .drop(drop)
                timestamp = released
            default: break
            }
        }
        // Arrival is nearly in time order (the CPUs share one ring), so an insertion step from
        // the back is short; a whole sort per batch moved every record again and again.
        pending.append((timestamp, record))
        var index = pending.count - 1
        while index > head, pending[index - 1].timestamp > timestamp {
            pending.swapAt(index - 1, index)
            index -= 1
        }
    }

    /// Writes every queued record stamped at or before `watermark`, in time order.
    mutating func release<Sink: CaptureSink>(upTo watermark: UInt64, into sink: Sink) throws {
        while head < pending.count, pending[head].timestamp <= watermark {
            let entry = pending[head]
            head += 1
            try emit(entry.record, into: sink)
            released = max(released, entry.timestamp)
        }
        // Compact once the written prefix is at least half: amortized, each record moves once.
        if head == pending.count {
            pending.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4096, head * 2 >= pending.count {
            pending.removeFirst(head)
            head = 0
        }
    }

    private mutating func emit<Sink: CaptureSink>(_ record: Record, into sink: Sink) throws {
        switch record {
        case .event(let event):
            // The kernel applies the namespace lists too, but the list is filled only after the
            // programs attach: records from that first moment are filtered here.
            let listed = staticNamespaces.contains(event.header.mntns)
            let unwanted =
                (configuration.tracer.mountNamespaceMode == .exclude && listed)
                || (configuration.tracer.mountNamespaceMode == .include && !listed)
            if unwanted
                || (configuration.onlyContext.map { registry.context(mntns: event.header.mntns) != $0 } ?? false)
            {
                statistics.filteredEvents += 1
                try stopIfInit(event, into: sink)
                return
            }
            try sink.write(record)
            statistics.records += 1
            statistics.eventsByType[event.type, default: 0] += 1
            try stopIfInit(event, into: sink)
        case .containerStarted(let started):
            guard registry.add(started.container) else { return }
            try sink.write(record)
            statistics.records += 1
            statistics.containersStarted += 1
            statistics.containersByContext = registry.countsByContext
        case .containerStopped(let stopped):
            guard registry.remove(id: stopped.id) != nil else { return }
            containerGone(id: stopped.id)
            try sink.write(record)
            statistics.records += 1
            statistics.containersStopped += 1
            statistics.containersByContext = registry.countsByContext
        case .drop(let drop):
            try sink.write(record)
            statistics.records += 1
            if drop.source == .lifecycle { statistics.dropsByReason["lifecycle", default: 0] += drop.count }
        default:
            try sink.write(record)
            statistics.records += 1
        }
    }

    /// The exit of a container's init process ends the container.
    private mutating func stopIfInit<Sink: CaptureSink>(_ event: Event, into sink: Sink) throws {
        guard case .exit(let exit) = event.payload, let container = registry.container(initPid: event.header.pid),
            container.mntns == event.header.mntns || event.header.mntns == 0
        else { return }
        registry.remove(id: container.id)
        containerGone(id: container.id)
        try sink.write(
            .containerStopped(
                ContainerStopped(
                    timestamp: event.header.timestamp, id: container.id, mntns: container.mntns,
                    exitStatus: exit.status)))
        statistics.records += 1
        statistics.containersStopped += 1
        statistics.containersByContext = registry.countsByContext
    }

    /// Excluded containers whose init process is gone leave the kernel's set at once (their
    /// exit is not traced, and the namespace's inode number may soon be reused); their stop
    /// record still comes from `checkLiveness`. Called every pass of the run loop.
    mutating func releaseExitedExclusions() {
        guard let exclusion, !exclusion.isEmpty else { return }
        for mntns in self.exclusion!.released(alive: { ProcFS.processExists($0) }) { onExclusionChange(mntns, false) }
    }

    /// A stopped container's mount namespace leaves the kernel's exclude set (the inode number
    /// may be reused by a later namespace).
    private mutating func containerGone(id: String) {
        if let mntns = exclusion?.stopped(id: id) { onExclusionChange(mntns, false) }
    }

    /// Containers whose init process is gone without an exit event (exit not traced, or
    /// lost): declared stopped on the second check that finds them gone, so an exit event
    /// still on its way wins.
    mutating func checkLiveness(now: UInt64) -> [ContainerStopped] {
        var stopped: [ContainerStopped] = []
        for info in registry.byID.values.sorted(by: { $0.id < $1.id }) where info.initPid != 0 {
            guard !ProcFS.processExists(info.initPid) else {
                missing.remove(info.id)
                continue
            }
            if missing.remove(info.id) != nil {
                stopped.append(ContainerStopped(timestamp: now, id: info.id, mntns: info.mntns))
            } else {
                missing.insert(info.id)
            }
        }
        return stopped
    }
}
