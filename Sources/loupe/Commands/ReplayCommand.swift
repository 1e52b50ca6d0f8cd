import LoupeEngine
import LoupeFormat
import LoupeModel
import LoupeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `loupe replay`: runs the rule engine over one capture, or several nodes' captures at once,
/// and writes alerts as JSON lines (or text).
enum ReplayCommand: Command {
    static let name = "replay"
    static let summary = "Run rules over a capture and print the alerts"
    static let help = """
        Usage: loupe replay CAPTURE... [--rules PATH] [--bindings PATH] [--profiles PATH] [--config FILE]
                            [--since T] [--until T] [--context C]... [--namespace NS]... [--pod NAME]...
                            [--container NAME|ID]... [--no-lookahead] [--format jsonl|pretty]
                            [--output FILE] [--exporter SPEC]... [--summary] [--threads N]
                            [--progress auto|always|never]

        Rebuilds the mount-namespace registry and process tree from the capture, evaluates the rules
        for every event in capture order and writes one JSON alert per line. The same inputs always
        give byte-identical output, whatever the number of threads. A summary (records by kind,
        events by context, alerts by rule and context, suppressions by reason, evaluation
        errors) goes to standard error.

        Several captures are several nodes: each is replayed by its own engine, in parallel, and
        their alerts are merged by event time (ties: the capture given first), each node's own
        alerts staying in capture order. The summary is given per node and in total.

        Arguments:
          CAPTURE            A capture directory or a single segment file (one or more)

        Options:
          --rules PATH       Rules (kind: Rules) file or directory; default: the built-in rule set
                             (`loupe rules list`)
          --bindings PATH    RuntimeRuleAlertBinding file or directory; without it, Kubernetes pods
                             get every rule, like the host and docker containers
          --profiles PATH    ApplicationProfile / NetworkNeighborhood file or directory
          --config FILE      loupe.yaml: context switches (host and docker monitoring are off
                             unless it enables them), ignore lists, cooldown, node and cluster names
          --since T          Evaluate rules only for records at or after T. Records before T are
                             still read, from the capture's start, and build the namespace
                             registry and process tree (no rules, no cooldown, not counted)
          --until T          Stop after the records at T
                             T is an RFC 3339 time (2026-12-04T15:00:00Z), +DURATION after the
                             capture's start (+90s, +1h), or CLOCK_BOOTTIME nanoseconds; with
                             several captures, each maps T through its own clock and start
          --context C        Only output alerts of context C: kubernetes, host or docker
                             (repeatable, or comma-separated)
          --namespace NS     Only output alerts of pods in Kubernetes namespace NS (repeatable)
          --pod NAME         Only output alerts of pod NAME (repeatable)
          --container NAME|ID
                             Only output alerts of the container (Kubernetes or docker) with this
                             name (runtime or pod-spec name), this id, or an id that starts with
                             these 12 or more characters (repeatable)
                             Filters select what is written, not what is evaluated: cooldown and
                             the summary are those of the unfiltered replay
          --no-lookahead     Do not attribute events that raced ahead of their container's start
                             record (late attribution): evaluate exactly as a live engine does.
                             Automatic for captures recorded with live rules, so that replaying
                             them reproduces the live alerts byte for byte
          --format F         How alerts are written to standard output or --output: jsonl (one
                             JSON object per line, the default) or pretty (a block of text per
                             alert: time, severity, rule, context and container, message,
                             process lineage, MITRE ids). Exporters keep their own formats
          --output FILE      Write alerts to FILE (created 0600) instead of standard output
          --exporter SPEC    Send alerts to SPEC instead of the config file's `exporters:`
                             (repeatable): stdout, file=PATH, csv=PATH, http=URL (kubescape
                             RuntimeAlerts list), alertmanager=URL, syslog=udp://HOST:PORT,
                             syslog=tcp://HOST:PORT, syslog=unix:///PATH
          --summary          Print only the summary, no alerts
          --threads N        Threads that replay (default: the number of CPUs): one engine
                             thread per capture at most, the others decompress and decode blocks
                             ahead of the engines. The output is the same for every N
          --progress WHEN    A progress line on standard error (records, rate, position in the
                             capture, ETA): auto (default: when standard error is a terminal),
                             always, never
          -h, --help         Show this help

        Exit codes: 0 done, 1 an exporter failed, 64 usage, 65 invalid input or damaged capture
        (any of the captures), 66 capture not found.
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let rulesPath = try arguments.option("rules")
        let bindingsPath = try arguments.option("bindings")
        let profilesPath = try arguments.option("profiles")
        let configPath = try arguments.option("config")
        let outputPath = try arguments.option("output")
        let summaryOnly = arguments.flag("summary")
        let sinceText = try arguments.option("since")
        let untilText = try arguments.option("until")
        let filter = try AlertFilter(
            contexts: try arguments.optionValues("context"), namespaces: try arguments.optionValues("namespace"),
            pods: try arguments.optionValues("pod"), containers: try arguments.optionValues("container"))
        let exporterSpecs = try arguments.optionValues("exporter")
        for spec in exporterSpecs { _ = try AlertOutput.parse(spec) }
        let noLookahead = arguments.flag("no-lookahead")
        let progressMode = try arguments.option("progress") ?? "auto"
        let format = try AlertFormat(option: try arguments.option("format") ?? "jsonl")
        let threads = try arguments.option("threads").map {
            try ValueParser.integer($0, option: "--threads", range: 1...256)
        }
        // Options first: their values are not captures.
        let captures = arguments.remainingPositionals()
        try arguments.finish()
        guard !captures.isEmpty else { throw UsageError("missing CAPTURE argument") }
        if let twice = captures.enumerated().first(where: { captures[..<$0.offset].contains($0.element) }) {
            throw UsageError("capture '\(twice.element)' is given twice")
        }
        let showProgress: Bool
        switch progressMode {
        case "auto": showProgress = isatty(2) == 1
        case "always": showProgress = true
        case "never": showProgress = false
        default: throw UsageError("--progress expects auto, always or never, got '\(progressMode)'")
        }

        // Every capture is opened before any is replayed: a missing one stops everything at once.
        let opened = try captures.map { try OpenedCapture($0, since: sinceText, until: untilText) }
        let config = try EngineFactory.config(configPath)
        let inputs = try EngineFactory.inputs(
            rules: rulesPath, bindings: bindingsPath, profiles: profilesPath, config: config,
            host: opened[0].header.host)
        // Compile once here so that a rule that does not compile stops the replay before any output.
        _ = try EngineFactory.engine(inputs)
        if opened.count > 1, let nodeName = config?.nodeName {
            printError("note: --config sets nodeName '\(nodeName)': every node's alerts carry it")
        }

        // Up to one engine thread per capture; the other threads decode ahead, shared out in order.
        let total = threads ?? onlineProcessorCount()
        let workers = min(total, opened.count)
        let spare = total - workers
        let nodes = opened.enumerated().map { index, capture in
            ReplayNode(
                index: index, path: capture.path, capture: capture.reader, header: capture.header,
                since: capture.since, until: capture.until,
                decoders: spare / opened.count + (index < spare % opened.count ? 1 : 0))
        }
        let output = try AlertOutput(
            specs: exporterSpecs, settings: config?.exporters, linesPath: outputPath, discard: summaryOnly,
            format: format)
        let scheduler = ReplayScheduler(
            nodes: nodes,
            settings: ReplaySettings(
                inputs: inputs, filter: filter, lookahead: !noLookahead, measureSpan: showProgress))
        let threadsRunning = try scheduler.start(threads: workers)
        var progress = showProgress ? ReplayProgress() : nil
        while let alerts = scheduler.nextAlerts(deadline: progress.map { _ in monotonicNanoseconds() + 250_000_000 }) {
            for alert in alerts { output.append(alert) }
            output.flushIfFull()
            progress?.update(scheduler.progress())
        }
        for thread in threadsRunning { thread.join() }
        progress?.finish(scheduler.progress())
        let exportProblems = output.close()

        // A node that failed before its engine was built counted nothing.
        let counts = nodes.map { node in
            node.engine.map { ReplayCounts($0.stats, written: filter.isEmpty ? nil : node.written) } ?? ReplayCounts()
        }
        var summary =
            nodes.count == 1
            ? ReplaySummary.text(counts[0])
            : ReplaySummary.text(
                nodes: nodes.indices.map { (nodes[$0].path, nodes[$0].header.host.hostname, counts[$0]) })
        for problem in exportProblems { summary += problem + "\n" }
        writeAll(Array(summary.utf8), to: 2)
        var status = ExitCode.success
        for node in nodes {
            let report = node.report
            let quiet = report.damage.isEmpty && report.skippedSegments.isEmpty && report.unknownKinds.isEmpty
            if nodes.count > 1 && !quiet { printError("capture \(node.path):") }
            if reportProblems(report) != ExitCode.success { status = ExitCode.dataError }
        }
        if let failure = nodes.lazy.compactMap(\.failure).first { throw failure }
        return status == ExitCode.success && !exportProblems.isEmpty ? ExitCode.failure : status
    }
}

/// Builds an engine from input paths; invalid input is a data error (exit 65).
enum EngineFactory {
    /// The config file, when one is given; invalid input is a data error.
    static func config(_ path: String?) throws -> LoupeConfig? {
        guard let path else { return nil }
        do {
            return try LoupeConfig.load(path: path)
        } catch {
            throw CommandFailure(error.description, exitCode: ExitCode.dataError)
        }
    }

    /// - Parameter rules: a rules path, or nil for the built-in default rule set.
    static func make(
        rules: String?, bindings: String?, profiles: String?, config: String?, host: HostInfo,
        lookahead: RegistrationLookahead?
    ) throws -> Engine {
        var inputs = try inputs(
            rules: rules, bindings: bindings, profiles: profiles, config: try Self.config(config), host: host)
        inputs.lookahead = lookahead
        return try engine(inputs)
    }

    /// Loads rules (nil: the built-in set), bindings and profiles, beside a loaded config.
    static func inputs(
        rules: String?, bindings: String?, profiles: String?, config: LoupeConfig?, host: HostInfo
    ) throws -> EngineInputs {
        do {
            return try load(rules: rules, bindings: bindings, profiles: profiles, config: config, host: host)
        } catch {
            throw CommandFailure(error.description, exitCode: ExitCode.dataError)
        }
    }

    /// Compiles the rules of `inputs`.
    static func engine(_ inputs: EngineInputs) throws -> Engine {
        do {
            return try Engine(inputs)
        } catch {
            throw CommandFailure(error.description, exitCode: ExitCode.dataError)
        }
    }

    private static func load(
        rules: String?, bindings: String?, profiles: String?, config: LoupeConfig?, host: HostInfo
    ) throws(InputError) -> EngineInputs {
        let specs: [RuleSpec]
        if let rules { specs = try RulesLoader.load(path: rules) } else { specs = try DefaultRules.load() }
        var inputs = EngineInputs(rules: specs, host: host)
        if let bindings { inputs.bindings = try BindingsLoader.load(path: bindings) }
        if let profiles { inputs.profiles = try ProfilesLoader.load(path: profiles) }
        if let config { inputs.config = config }
        return inputs
    }
}

/// Which alerts `replay` writes: by context, Kubernetes namespace, pod name and container.
/// Empty sets select everything; filters of different kinds must all match.
struct AlertFilter: Sendable {
    var contexts: Set<EventSourceContext> = []
    var namespaces: Set<String> = []
    var pods: Set<String> = []
    /// Names and ids (or id prefixes of at least `minimumIDPrefix` characters).
    var containers: [String] = []

    /// A prefix this long picks one container among many (`docker ps` shows 12 characters);
    /// shorter values must equal a whole name or id.
    static let minimumIDPrefix = 12

    init(contexts: [String], namespaces: [String], pods: [String], containers: [String] = []) throws {
        for name in contexts.flatMap({ $0.split(separator: ",").map(String.init) }) {
            guard let context = EventSourceContext(name: name) else {
                throw UsageError("--context expects kubernetes, host or docker, got '\(name)'")
            }
            self.contexts.insert(context)
        }
        self.namespaces = Set(namespaces)
        self.pods = Set(pods)
        for container in containers where container.isEmpty {
            throw UsageError("--container expects a container name or id, got ''")
        }
        self.containers = containers
    }

    var isEmpty: Bool { contexts.isEmpty && namespaces.isEmpty && pods.isEmpty && containers.isEmpty }

    func admits(_ alert: Alert) -> Bool {
        if !contexts.isEmpty && !contexts.contains(alert.context) { return false }
        let kubernetes = alert.context == .kubernetes ? alert.container?.kubernetes : nil
        if !namespaces.isEmpty && !namespaces.contains(kubernetes?.namespace ?? "") { return false }
        if !pods.isEmpty && !pods.contains(kubernetes?.podName ?? "") { return false }
        if !containers.isEmpty && !containers.contains(where: { matches($0, alert) }) { return false }
        return true
    }

    /// `value` names the alert's container: its runtime name, its pod-spec name, its id, or the
    /// start of its id. Host alerts have no container.
    private func matches(_ value: String, _ alert: Alert) -> Bool {
        guard alert.context != .host, let container = alert.container else { return false }
        if value == container.name || value == container.kubernetes?.containerName { return true }
        if value == container.id { return true }
        return value.count >= Self.minimumIDPrefix && container.id.hasPrefix(value)
    }
}

/// Alerts as JSON lines, buffered: the one encoding `replay` and `capture --rules` share, so
/// a live capture's alerts and its replay's compare byte for byte. `replay --format pretty`
/// writes text instead (`PrettyAlert`).
final class AlertLines {
    private let descriptor: Int32
    private let discard: Bool
    private let format: AlertFormat
    private var buffer: [UInt8] = []
    private var json = JSONWriter()
    /// Alerts appended so far.
    private(set) var count = 0

    /// Standard output when `path` is nil, else `path` created 0600 (truncated).
    init(path: String?, discard: Bool = false, format: AlertFormat = .jsonl) throws {
        self.discard = discard
        self.format = format
        guard let path, !discard else {
            descriptor = 1
            return
        }
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CommandFailure(
                "cannot create \(path): \(String(cString: strerror(errno)))", exitCode: ExitCode.cantCreate)
        }
    }

    deinit {
        flush()
        if descriptor != 1 { close(descriptor) }
    }

    func append(_ alert: Alert) {
        count += 1
        guard !discard else { return }
        switch format {
        case .jsonl:
            json.reset()
            alert.write(into: &json)
            buffer.append(contentsOf: json.bytes)
            buffer.append(UInt8(ascii: "\n"))
        case .pretty:
            buffer.append(contentsOf: PrettyAlert.text(alert).utf8)
        }
    }

    func flushIfFull() {
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        writeAll(buffer, to: descriptor)
        buffer.removeAll(keepingCapacity: true)
    }
}
