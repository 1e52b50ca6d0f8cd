import LoupeCapture
import LoupeEngine
import LoupeFormat
import LoupeModel

#if canImport(Glibc)
    import Glibc
#endif

/// `loupe capture`: record a live node into a capture directory.
enum CaptureCommand: Command {
    static let name = "capture"
    static let summary = "Record this node's kernel events and container lifecycle into a capture"
    static let help = """
        Usage: loupe capture -o DIR [options]

        Loads Loupe's eBPF tracers, snapshots the running processes and containers, watches the
        OCI runtimes for containers starting, and writes one time-ordered record stream into
        zstd-compressed segment files under DIR. Runs until --duration passes or until SIGINT or
        SIGTERM, then writes out the last block and the segment index. A capture killed outright
        keeps everything up to its last whole block.

        Needs root (or CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) and a kernel with BTF.

        Options:
          -o, --output DIR        Capture directory (created 0700; an existing capture is
                                  continued with the next segment number)
          --duration D            Stop after D (e.g. 30s, 5m, 1h30m); default: until a signal
          --events LIST           Comma-separated event types to trace (exec, exit, fork, open,
                                  network, dns, ptrace, kmod, unshare, symlink, hardlink, bpf,
                                  iouring, capabilities, randomx, syscall), or 'default' (all but
                                  syscall) or 'all'; default: default
          --exclude-path P        Do not record opens whose path, as given, starts with P
                                  (first 64 bytes compared, in the kernel); repeatable
          --only-context C        Write only events of context C (kubernetes, docker or host);
                                  container lifecycle and snapshots are always written. For
                                  host the kernel also records only the host mount namespace
                                  (include mode; the user-space filter stays as a second
                                  line). For docker and kubernetes the filter is in user space
                                  only: a container is known only once it has started, so a
                                  kernel filter would lose its first events
          --include-mntns ID      Record only events of mount namespace ID (the inode number,
                                  N or mnt:[N] as `readlink /proc/PID/ns/mnt` shows), in the
                                  kernel; repeatable
          --exclude-mntns ID      Do not record events of mount namespace ID, in the kernel;
                                  repeatable. Not together with --include-mntns, nor with
                                  --only-context host
          --exclude-container C   Do not record events of container C (Docker name,
                                  Kubernetes container or pod name, id or an id prefix of 12+
                                  characters), in the kernel: its mount namespace is excluded
                                  from when it is found (at start, or when it starts) until it
                                  stops; its lifecycle records and snapshot are still written.
                                  Repeatable; not together with --include-mntns
          --api-server ADDR       An address of the cluster's Kubernetes API server, recorded
                                  in the capture for k8s.is_api_server_address (R0007) besides
                                  10.96.0.1; repeatable. Default: $KUBERNETES_SERVICE_HOST
                                  when set, as it is for a node agent running in a pod
          --runtime-path P        Also watch the OCI runtime binary P (besides the known paths
                                  and $RUNTIME_PATH, colon-separated); repeatable
          --metrics-addr ADDR     Serve Prometheus metrics (loupe_*) on HOST:PORT or :PORT
          --config FILE           Read options from FILE: one 'name: value' (or 'name = value')
                                  per line, names as the long options without '--', '#'
                                  comments; repeatable options may repeat. The command line
                                  wins over the file.
          --block-size SIZE       Uncompressed bytes per block (default 256K)
          --level L               zstd level, 1-19 (default 3)
          --segment-size SIZE     Start a new segment after SIZE bytes (default 64M)
          --segment-age A         Start a new segment after A (e.g. 10m); default: never
          --retain-size SIZE      Delete the oldest segments beyond SIZE bytes in all
          --retain-segments N     Delete the oldest segments beyond N segments
          -q, --quiet             No status line
          -h, --help              Show this help

        Live rules (the engine `loupe replay` runs, fed the records in the order the writer
        gets them, opening snapshot first):
          --alerts                Evaluate the built-in rule set live (`loupe rules list`)
          --rules PATH            Evaluate these rules (kind: Rules file or directory) live
          --bindings PATH         RuntimeRuleAlertBinding file or directory
          --profiles PATH         ApplicationProfile / NetworkNeighborhood file or directory
          --rules-config FILE     loupe.yaml for the engine (context switches, ignore lists,
                                  cooldown, node and cluster names)
          --alerts-output FILE    Write alerts as JSON lines to FILE (created 0600); default:
                                  standard output. Alerts are written as they are raised
          --exporter SPEC         Also send alerts to SPEC (as `loupe replay --exporter`)
        `loupe replay DIR` with the same rule inputs reproduces these alerts byte for byte (a
        capture started in a fresh directory, with all its segments kept; replay sees from the
        capture header that live rules ran and does not look ahead).

        On a terminal, a status line shows events/s, events, lost and truncated records, bytes
        written and running containers by context.

        Exit status: 0 done; 1 tracers could not load (privileges, BTF); 64 usage; 73 the
        output cannot be created; 74 write error (disk full: what was written is kept).
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        var file = ArgumentCursor([])
        if let path = try arguments.option("config") {
            file = ArgumentCursor(try configArguments(path))
        }
        func option(_ name: String, short: Character? = nil) throws -> String? {
            try arguments.option(name, short: short) ?? file.option(name)
        }
        func values(_ name: String) throws -> [String] {
            try file.optionValues(name) + arguments.optionValues(name)
        }

        guard let output = try option("output", short: "o") else { throw UsageError("missing -o DIR") }
        var configuration = CaptureConfiguration()
        if let text = try option("duration") {
            configuration.duration = try ValueParser.duration(text, option: "--duration")
            guard configuration.duration! > 0 else { throw UsageError("--duration must be more than 0") }
        }
        if let text = try option("events") { configuration.tracer.eventTypes = try eventTypes(text) }
        configuration.tracer.excludedOpenPrefixes = try values("exclude-path")
        if let text = try option("only-context") {
            guard let context = EventSourceContext(name: text) else {
                throw UsageError("--only-context expects kubernetes, docker or host, got '\(text)'")
            }
            configuration.onlyContext = context
        }
        let included = try values("include-mntns")
        let excluded = try values("exclude-mntns")
        let excludedContainers = try values("exclude-container")
        let selection: MountNamespaceSelection
        do throws(MountNamespaceSelection.Problem) {
            selection = try MountNamespaceSelection.parse(
                include: included, exclude: excluded, excludedContainers: excludedContainers,
                onlyHost: configuration.onlyContext == .host)
        } catch {
            throw UsageError(error.description)
        }
        configuration.tracer.mountNamespaceMode = selection.mode
        configuration.tracer.mountNamespaces = selection.namespaces
        configuration.excludedContainers = selection.excludedContainers
        configuration.runtimePaths = CaptureConfiguration.runtimePaths(extra: try values("runtime-path"))
        var apiServers = try values("api-server")
        if apiServers.isEmpty, let fromEnvironment = getenv("KUBERNETES_SERVICE_HOST") {
            apiServers = [String(cString: fromEnvironment)].filter { !$0.isEmpty }
        }
        // Recorded as the engine prints addresses, so that replay compares like with like.
        apiServers = try apiServers.map { address in
            guard let parsed = IPAddress(address) else {
                throw UsageError("--api-server expects an IPv4 or IPv6 address, got '\(address)'")
            }
            return parsed.description
        }
        let metricsAddress = try option("metrics-addr")
        let quiet = arguments.flag("quiet", short: "q")
        let rulesPath = try option("rules")
        let live = LiveRulesOptions(
            enabled: arguments.flag("alerts") || rulesPath != nil,
            rules: rulesPath, bindings: try option("bindings"), profiles: try option("profiles"),
            config: try option("rules-config"), alertsOutput: try option("alerts-output"),
            exporters: try values("exporter"))
        if !live.enabled
            && (live.bindings != nil || live.profiles != nil || live.config != nil || !live.exporters.isEmpty)
        {
            throw UsageError("--bindings, --profiles, --rules-config and --exporter need --alerts or --rules")
        }
        for spec in live.exporters { _ = try AlertOutput.parse(spec) }
        let fileWriterOptions = try WriterOptionsParser.parse(&file, timed: true)
        var writerOptions = try WriterOptionsParser.parse(&arguments, timed: true)
        writerOptions = merge(writerOptions, over: fileWriterOptions)
        try arguments.finish()
        try file.finish()

        configuration.captureOptions = [
            Label("events", configuration.tracer.eventTypes.sorted().map(\.name).joined(separator: ",")),
            Label("only_context", configuration.onlyContext?.name ?? "all"),
            Label("exclude_paths", configuration.tracer.excludedOpenPrefixes.joined(separator: ":")),
        ]
        if selection.mode != .all {
            configuration.captureOptions.append(Label("mntns_mode", selection.mode.rawValue))
            configuration.captureOptions.append(
                Label("mntns", selection.namespaces.map { String($0) }.joined(separator: ",")))
        }
        if !selection.excludedContainers.isEmpty {
            configuration.captureOptions.append(
                Label("exclude_containers", selection.excludedContainers.joined(separator: ",")))
        }
        for address in apiServers { configuration.captureOptions.append(Label("KUBERNETES_SERVICE_HOST", address)) }
        if live.enabled { configuration.captureOptions.append(Label("live_rules", live.rules ?? "builtin")) }
        try checkWritable(output)
        // Rule inputs are checked before the tracers load: a bad rule fails fast.
        if live.enabled {
            _ = try EngineFactory.make(
                rules: live.rules, bindings: live.bindings, profiles: live.profiles, config: live.config,
                host: HostInfo(hostname: "", hostMntns: 0, clock: ClockAnchor(bootTime: 0, wallTime: 0)), lookahead: nil
            )
        }

        // Signals must be blocked before the first thread starts, so that every thread
        // inherits the mask and only the signal thread receives them.
        CaptureSession.blockStopSignals()
        let session: CaptureSession
        do {
            session = try CaptureSession(configuration: configuration)
        } catch let error as TracerError {
            throw CommandFailure(error.description, exitCode: ExitCode.failure)
        }
        session.stopOnSignals()
        if let problem = session.watcherProblem {
            printError("warning: runtime watcher not running (\(problem)); containers starting now will not be named")
        }

        // With live rules, the writer is given the canonical form of the start snapshot (the
        // very records it writes as the first segment's snapshot), so the engine can be fed
        // exactly those.
        let opening = live.enabled ? LiveRulesSink.opening(session.initialSnapshot) : session.initialSnapshot
        let writerSink: WriterSink
        do {
            writerSink = WriterSink(
                try CaptureWriter(directory: output, host: session.host, options: writerOptions, snapshot: opening))
        } catch let error as SystemError {
            throw CommandFailure("cannot create the capture in \(output): \(error)", exitCode: ExitCode.cantCreate)
        } catch {
            throw commandFailure(error)
        }
        let sink: any CaptureSink
        if live.enabled {
            // The engine starts from the header the replay will read, taken from the segment
            // just begun.
            let header = try withCaptureErrors { try SegmentReader(path: writerSink.writer.currentSegmentPath).header }
            let engine = try EngineFactory.make(
                rules: live.rules, bindings: live.bindings, profiles: live.profiles, config: live.config,
                host: header.host,
                lookahead: nil)
            // JSON lines always go to --alerts-output or standard output; --exporter adds more.
            let alerts = try AlertOutput(
                specs: live.exporters.isEmpty ? [] : ["stdout"] + live.exporters,
                settings: nil, linesPath: live.alertsOutput, discard: false)
            sink = LiveRulesSink(writerSink, engine: engine, alerts: alerts, opening: opening)
            printError(
                "evaluating \(engine.ruleIDs.count) rules live; alerts to \(live.alertsOutput ?? "standard output")")
        } else {
            sink = writerSink
        }
        var server: MetricsServer?
        if let metricsAddress {
            do {
                server = try MetricsServer(address: metricsAddress) { [session] in session.statistics.prometheusText }
            } catch {
                throw CommandFailure(error.description, exitCode: ExitCode.usage)
            }
        }
        defer { server?.stop() }

        let showStatus = !quiet && isatty(2) == 1
        printError(
            "capturing to \(output): \(session.programCount) programs, \(session.initialSnapshot.count) snapshot records, "
                + "\(session.discoveredContainers.count) running containers, watching "
                + (session.watchedRuntimePaths.isEmpty
                    ? "no runtime" : session.watchedRuntimePaths.joined(separator: " ")))
        do {
            try session.run(sink: sink) { statistics in
                if showStatus { writeAll(Array(("\r\u{1b}[K" + statistics.statusLine).utf8), to: 2) }
            }
        } catch let error as SystemError where error.isNoSpace {
            if showStatus { writeAll(Array("\n".utf8), to: 2) }
            throw CommandFailure(
                "disk full while writing \(output) (\(error)); the capture keeps everything up to its last whole block",
                exitCode: ExitCode.ioError)
        } catch {
            if showStatus { writeAll(Array("\n".utf8), to: 2) }
            throw commandFailure(error)
        }
        if showStatus { writeAll(Array("\n".utf8), to: 2) }
        let statistics = session.statistics
        printError(
            "wrote \(statistics.records) records (\(statistics.events) events, \(statistics.lostRecords) lost), "
                + "\(formatBytes(sink.bytesWritten)) in \(sink.segmentsWritten) segment(s) to \(output)")
        if let live = sink as? LiveRulesSink {
            printError("raised \(live.alertCount) alerts live (\(live.engine.stats.events) events evaluated)")
        }
        return ExitCode.success
    }

    /// Event types from `exec,open,...`, `default` or `all`.
    static func eventTypes(_ text: String) throws -> Set<EventType> {
        let traced = KernelEventType.allCases.map(\.eventType)
        var types = Set<EventType>()
        for word in text.split(separator: ",").map({ String($0).lowercased() }) {
            switch word {
            case "all": types.formUnion(traced)
            case "default": types.formUnion(traced.filter { $0 != .syscall })
            default:
                guard let type = EventType(name: word) else {
                    throw UsageError("--events: unknown event type '\(word)'")
                }
                guard traced.contains(type) else {
                    throw UsageError("--events: '\(word)' cannot be traced on this kernel (see docs/capture.md)")
                }
                types.insert(type)
            }
        }
        guard !types.isEmpty else { throw UsageError("--events: no event type given") }
        return types
    }

    /// `name: value` lines of a config file as `--name value` arguments.
    static func configArguments(_ path: String) throws -> [String] {
        guard let file = fopen(path, "r") else {
            throw CommandFailure(
                "cannot read --config \(path): \(String(cString: strerror(errno)))", exitCode: ExitCode.noInput)
        }
        defer { fclose(file) }
        var arguments: [String] = []
        var lineNumber = 0
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            lineNumber += 1
            var text = String(cString: line!)
            if let hash = text.firstIndex(of: "#") { text = String(text[..<hash]) }
            text = text.trimmedWhitespace
            guard !text.isEmpty else { continue }
            guard let separator = text.firstIndex(where: { $0 == ":" || $0 == "=" }) else {
                throw UsageError("\(path):\(lineNumber): expected 'name: value'")
            }
            let name = String(text[..<separator]).trimmedWhitespace
            var value = String(text[text.index(after: separator)...]).trimmedWhitespace
            if value.count >= 2, value.first == "\"", value.last == "\"" {
                value = String(value.dropFirst().dropLast())
            }
            guard name != "config" else {
                throw UsageError("\(path):\(lineNumber): '\(name)' cannot be set in a config file")
            }
            arguments += ["--\(name)", value]
        }
        return arguments
    }

    /// Writer options: the command line's where they differ from the defaults, else the file's.
    static func merge(_ command: CaptureWriterOptions, over file: CaptureWriterOptions) -> CaptureWriterOptions {
        let defaults = CaptureWriterOptions()
        var merged = command
        if command.blockSize == defaults.blockSize { merged.blockSize = file.blockSize }
        if command.compressionLevel == defaults.compressionLevel { merged.compressionLevel = file.compressionLevel }
        if command.segmentMaxBytes == defaults.segmentMaxBytes { merged.segmentMaxBytes = file.segmentMaxBytes }
        if command.segmentMaxAge == defaults.segmentMaxAge { merged.segmentMaxAge = file.segmentMaxAge }
        if command.retainBytes == nil { merged.retainBytes = file.retainBytes }
        if command.retainSegments == nil { merged.retainSegments = file.retainSegments }
        return merged
    }

    /// Fails early (before the tracers load) when the output cannot be created or written:
    /// the directory itself, or else its parent, must exist and be writable.
    static func checkWritable(_ output: String) throws {
        var path = output
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        if !FileSystem.exists(path) {
            if let slash = path.lastIndex(of: "/") {
                path = slash == path.startIndex ? "/" : String(path[..<slash])
            } else {
                path = "."
            }
        }
        guard FileSystem.isDirectory(path) else {
            let why = FileSystem.exists(path) ? "is not a directory" : "does not exist"
            throw CommandFailure("cannot create \(output): \(path) \(why)", exitCode: ExitCode.cantCreate)
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw CommandFailure(
                "cannot write to \(output): \(path): \(String(cString: strerror(errno)))", exitCode: ExitCode.cantCreate
            )
        }
    }
}

/// The segment writer as the session's record sink.
final class WriterSink: CaptureSink {
    let writer: CaptureWriter
    init(_ writer: CaptureWriter) { self.writer = writer }
    func write(_ record: Record) throws { try writer.append(record) }
    func tick() throws { try writer.flushIfDue() }
    func finish() throws { try writer.close() }
    var bytesWritten: UInt64 { writer.statistics.fileBytes }
    var segmentsWritten: UInt64 { writer.statistics.segmentsOpened }
}

/// Live rule options of `loupe capture`.
struct LiveRulesOptions {
    var enabled: Bool
    /// Nil: the built-in rule set.
    var rules: String?
    var bindings: String?
    var profiles: String?
    var config: String?
    var alertsOutput: String?
    var exporters: [String]
}

/// The writer sink with the rule engine beside it: every record goes to the writer and then,
/// in the same order, to the engine, so replaying the capture meets the same records in the
/// same order. The opening snapshot (written by the writer when it begins the first segment)
/// is applied at construction.
final class LiveRulesSink: CaptureSink {
    let inner: WriterSink
    let engine: Engine
    private let alerts: AlertOutput

    init(_ inner: WriterSink, engine: Engine, alerts: AlertOutput, opening: [Record]) {
        self.inner = inner
        self.engine = engine
        self.alerts = alerts
        for record in opening { emit(engine.apply(record)) }
    }

    /// The start snapshot as the writer writes it: containers by id, then processes by pid,
    /// all stamped with the latest snapshot time (`CaptureState.snapshot`); idempotent.
    static func opening(_ snapshot: [Record]) -> [Record] {
        var state = CaptureState()
        var latest: UInt64 = 0
        for record in snapshot {
            state.apply(record)
            latest = max(latest, record.timestamp)
        }
        return state.snapshot(at: latest)
    }

    var alertCount: Int { alerts.count }

    private func emit(_ raised: [Alert]) {
        guard !raised.isEmpty else { return }
        for alert in raised { alerts.append(alert) }
        alerts.flush()
    }

    func write(_ record: Record) throws {
        try inner.write(record)
        emit(engine.apply(record))
    }

    func tick() throws { try inner.tick() }
    func finish() throws {
        try inner.finish()
        for problem in alerts.close() { printError("warning: \(problem)") }
    }
    var bytesWritten: UInt64 { inner.bytesWritten }
    var segmentsWritten: UInt64 { inner.segmentsWritten }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CRs and LFs.
    fileprivate var trimmedWhitespace: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        var text = Substring(self)
        while let first = text.first, blank(first) { text.removeFirst() }
        while let last = text.last, blank(last) { text.removeLast() }
        return String(text)
    }
}
