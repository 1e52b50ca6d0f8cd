import LoupeEngine
import LoupeFormat
import LoupeModel

#if canImport(Glibc)
    import Glibc
#endif

/// `loupe replay`: runs the rule engine over a capture and writes alerts as JSON lines.
enum ReplayCommand: Command {
    static let name = "replay"
    static let summary = "Run rules over a capture and print the alerts"
    static let help = """
        Usage: loupe replay CAPTURE [--rules PATH] [--bindings PATH] [--profiles PATH] [--config FILE]
                            [--since T] [--until T] [--context C]... [--namespace NS]... [--pod NAME]...
                            [--no-lookahead] [--output FILE] [--exporter SPEC]... [--summary]
                            [--progress auto|always|never]

        Rebuilds the mount-namespace registry and process tree from the capture, evaluates the rules
        for every event in capture order and writes one JSON alert per line. The same inputs always
        give byte-identical output. A summary (records, events by context, alerts by rule and
        context, suppressions by reason, evaluation errors) goes to standard error.

        Arguments:
          CAPTURE            A capture directory or a single segment file

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
                             capture's start (+90s, +1h), or CLOCK_BOOTTIME nanoseconds
          --context C        Only output alerts of context C: kubernetes, host or docker
                             (repeatable, or comma-separated)
          --namespace NS     Only output alerts of pods in Kubernetes namespace NS (repeatable)
          --pod NAME         Only output alerts of pod NAME (repeatable)
                             Filters select what is written, not what is evaluated: cooldown and
                             the summary are those of the unfiltered replay
          --no-lookahead     Do not attribute events that raced ahead of their container's start
                             record (late attribution): evaluate exactly as a live engine does.
                             Automatic for captures recorded with live rules, so that replaying
                             them reproduces the live alerts byte for byte
          --output FILE      Write alerts to FILE (created 0600) instead of standard output
          --exporter SPEC    Send alerts to SPEC instead of the config file's `exporters:`
                             (repeatable): stdout, file=PATH, csv=PATH, http=URL (kubescape
                             RuntimeAlerts list), alertmanager=URL, syslog=udp://HOST:PORT,
                             syslog=tcp://HOST:PORT, syslog=unix:///PATH
          --summary          Print only the summary, no alerts
          --progress WHEN    A progress line on standard error (records, rate, position in the
                             capture, ETA): auto (default: when standard error is a terminal),
                             always, never
          -h, --help         Show this help

        Exit codes: 0 done, 64 usage, 65 invalid input or damaged capture, 66 capture not found.
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let capture = try arguments.positional("CAPTURE argument")
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
            pods: try arguments.optionValues("pod"))
        let exporterSpecs = try arguments.optionValues("exporter")
        for spec in exporterSpecs { _ = try AlertOutput.parse(spec) }
        var noLookahead = arguments.flag("no-lookahead")
        let progressMode = try arguments.option("progress") ?? "auto"
        try arguments.finish()
        let showProgress: Bool
        switch progressMode {
        case "auto": showProgress = isatty(2) == 1
        case "always": showProgress = true
        case "never": showProgress = false
        default: throw UsageError("--progress expects auto, always or never, got '\(progressMode)'")
        }

        let reader = try withCaptureErrors { try CaptureReader(path: capture) }
        let header = try withCaptureErrors { try reader.firstHeader() }
        let clock = header.host.clock
        let since = try sinceText.map {
            try ValueParser.time($0, option: "--since", clock: clock, start: clock.bootTime)
        }
        let until = try untilText.map {
            try ValueParser.time($0, option: "--until", clock: clock, start: clock.bootTime)
        }
        if let since, let until, until < since { throw UsageError("--until is before --since") }
        // A live engine cannot look ahead; replaying a capture recorded with live rules must
        // reproduce what it raised.
        if header.host.captureOptions.contains(where: { $0.key == "live_rules" }) { noLookahead = true }
        var lookahead: RegistrationLookahead?
        if !noLookahead {
            var ahead = RegistrationLookahead()
            _ = try withCaptureErrors {
                try reader.forEach(ReadOptions(kinds: [.containerStarted, .containerSnapshot])) { record, _ in
                    ahead.note(record)
                }
            }
            lookahead = ahead
        }
        let engine = try EngineFactory.make(
            rules: rulesPath, bindings: bindingsPath, profiles: profilesPath, config: configPath, host: header.host,
            lookahead: lookahead)

        let output = try AlertOutput(
            specs: exporterSpecs, settings: try EngineFactory.config(configPath)?.exporters, linesPath: outputPath,
            discard: summaryOnly)
        var progress = showProgress ? ReplayProgress(reader: reader, since: since, until: until) : nil
        let report = try withCaptureErrors {
            try reader.forEach(ReadOptions(until: until)) { record, _ in
                if let since, record.timestamp < since {
                    engine.observe(record)
                } else {
                    for alert in engine.apply(record) where filter.admits(alert) { output.append(alert) }
                    output.flushIfFull()
                }
                progress?.step(record.timestamp)
            }
        }
        progress?.finish()
        let exportProblems = output.close()
        var summary = ReplaySummary.text(engine.stats)
        if !filter.isEmpty { summary += "alerts written after filters: \(output.count)\n" }
        for problem in exportProblems { summary += problem + "\n" }
        writeAll(Array(summary.utf8), to: 2)
        let status = reportProblems(report)
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
        do {
            return try inputs(
                rules: rules, bindings: bindings, profiles: profiles, config: config, host: host, lookahead: lookahead)
        } catch {
            throw CommandFailure(error.description, exitCode: ExitCode.dataError)
        }
    }

    private static func inputs(
        rules: String?, bindings: String?, profiles: String?, config: String?, host: HostInfo,
        lookahead: RegistrationLookahead?
    ) throws(InputError) -> Engine {
        let specs: [RuleSpec]
        if let rules { specs = try RulesLoader.load(path: rules) } else { specs = try DefaultRules.load() }
        var inputs = EngineInputs(rules: specs, host: host, lookahead: lookahead)
        if let bindings { inputs.bindings = try BindingsLoader.load(path: bindings) }
        if let profiles { inputs.profiles = try ProfilesLoader.load(path: profiles) }
        if let config { inputs.config = try LoupeConfig.load(path: config) }
        return try Engine(inputs)
    }
}

/// Which alerts `replay` writes: by context, Kubernetes namespace and pod name. Empty sets
/// select everything.
struct AlertFilter {
    var contexts: Set<EventSourceContext> = []
    var namespaces: Set<String> = []
    var pods: Set<String> = []

    init(contexts: [String], namespaces: [String], pods: [String]) throws {
        for name in contexts.flatMap({ $0.split(separator: ",").map(String.init) }) {
            guard let context = EventSourceContext(name: name) else {
                throw UsageError("--context expects kubernetes, host or docker, got '\(name)'")
            }
            self.contexts.insert(context)
        }
        self.namespaces = Set(namespaces)
        self.pods = Set(pods)
    }

    var isEmpty: Bool { contexts.isEmpty && namespaces.isEmpty && pods.isEmpty }

    func admits(_ alert: Alert) -> Bool {
        if !contexts.isEmpty && !contexts.contains(alert.context) { return false }
        let kubernetes = alert.context == .kubernetes ? alert.container?.kubernetes : nil
        if !namespaces.isEmpty && !namespaces.contains(kubernetes?.namespace ?? "") { return false }
        if !pods.isEmpty && !pods.contains(kubernetes?.podName ?? "") { return false }
        return true
    }
}

/// Alerts as JSON lines, buffered: the one encoding `replay` and `capture --rules` share, so
/// a live capture's alerts and its replay's compare byte for byte.
final class AlertLines {
    private let descriptor: Int32
    private let discard: Bool
    private var buffer: [UInt8] = []
    private var json = JSONWriter()
    /// Alerts appended so far.
    private(set) var count = 0

    /// Standard output when `path` is nil, else `path` created 0600 (truncated).
    init(path: String?, discard: Bool = false) throws {
        self.discard = discard
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
        json.reset()
        alert.write(into: &json)
        buffer.append(contentsOf: json.bytes)
        buffer.append(UInt8(ascii: "\n"))
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

/// The replay progress line: records, rate, position in the capture's time span, ETA.
struct ReplayProgress {
    private let first: UInt64
    private let last: UInt64
    private let started = monotonicNanoseconds()
    private var lastPrint: UInt64 = 0
    private var records = 0
    private var position: UInt64 = 0

    /// The time span comes from the segments' block indexes (no decoding), one segment at a time.
    init(reader: CaptureReader, since: UInt64?, until: UInt64?) {
        var low = UInt64.max
        var high: UInt64 = 0
        for path in reader.segmentPaths {
            guard let segment = try? SegmentReader(path: path) else { continue }
            for block in segment.blocks where !block.isSnapshot {
                low = min(low, block.minTime)
                high = max(high, block.maxTime)
            }
        }
        first = since.map { max($0, low == .max ? 0 : low) } ?? (low == .max ? 0 : low)
        last = until.map { min($0, high) } ?? high
    }

    mutating func step(_ timestamp: UInt64) {
        records += 1
        position = max(position, timestamp)
        guard records & 0xFFFF == 0 else { return }
        let now = monotonicNanoseconds()
        guard now &- lastPrint >= 250_000_000 else { return }
        lastPrint = now
        writeAll(Array(("\r\u{1b}[K" + line(now: now)).utf8), to: 2)
    }

    func finish() {
        writeAll(Array(("\r\u{1b}[K" + line(now: monotonicNanoseconds()) + "\n").utf8), to: 2)
    }

    private func line(now: UInt64) -> String {
        let elapsed = Double(now &- started) / 1e9
        let rate = elapsed > 0 ? Double(records) / elapsed : 0
        var text = "replay: \(records) records, \(format(rate / 1e6, digits: 2)) M records/s"
        guard last > first else { return text }
        let done = position <= first ? 0 : Double(min(position, last) - first) / Double(last - first)
        text += ", at +\(Self.clockText(position > first ? position - first : 0)) of +\(Self.clockText(last - first))"
        text += " (\(Int(done * 100))%)"
        if done > 0 && done < 1 { text += ", ETA \(Int((elapsed / done - elapsed).rounded()))s" }
        return text
    }

    private static func clockText(_ nanoseconds: UInt64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        if seconds < 60 { return format(Double(nanoseconds) / 1e9, digits: 1) + "s" }
        let h = seconds / 3600
        let m = seconds / 60 % 60
        let s = seconds % 60
        return (h > 0 ? "\(h)h" : "") + (h > 0 || m > 0 ? "\(m)m" : "") + "\(s)s"
    }
}

/// The replay summary, sorted so it is as deterministic as the alerts.
enum ReplaySummary {
    static func text(_ s: EngineStats) -> String {
        var out = "records: \(s.records)\nevents: \(s.events)\n"
        func section(_ title: String, _ entries: [(String, Int)]) {
            guard !entries.isEmpty else { return }
            out += "\(title):\n"
            for (k, v) in entries.sorted(by: { $0.0 < $1.0 }) { out += "  \(k): \(v)\n" }
        }
        section("events by context", Array(s.eventsByContext))
        out += "alerts: \(s.alerts)\n"
        section("alerts by rule", Array(s.alertsByRule))
        section("alerts by context", Array(s.alertsByContext))
        section("suppressed by reason", s.suppressions.map { ($0.key.rawValue, $0.value) })
        section(
            "suppressed by rule and reason",
            s.suppressionsByRule.flatMap { rule, reasons in reasons.map { ("\(rule) \($0.key.rawValue)", $0.value) } })
        section("eval errors by rule", Array(s.evalErrorsByRule))
        for (rule, message) in s.firstEvalError.sorted(by: { $0.key < $1.key }) {
            out += "  \(rule) first error: \(message)\n"
        }
        if s.lateAttributions > 0 { out += "late attributions: \(s.lateAttributions)\n" }
        section("unattributed mount namespaces", s.unknownMntns.map { (String($0.key), $0.value) })
        if s.drops > 0 { out += "events the capture dropped: \(s.drops)\n" }
        return out
    }
}
