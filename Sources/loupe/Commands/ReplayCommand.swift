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
        Usage: loupe replay CAPTURE --rules PATH [--bindings PATH] [--profiles PATH] [--config FILE]
                            [--output FILE] [--summary]

        Rebuilds the mount-namespace registry and process tree from the capture, evaluates the rules
        for every event in capture order and writes one JSON alert per line. The same inputs always
        give byte-identical output. A summary (records, events by context, alerts by rule and
        context, suppressions by reason, evaluation errors) goes to standard error.

        Arguments:
          CAPTURE            A capture directory or a single segment file

        Options:
          --rules PATH       Rules (kind: Rules) file or directory. Required for now: Loupe has no
                             built-in default rule set yet
          --bindings PATH    RuntimeRuleAlertBinding file or directory; without it, Kubernetes pods
                             get every rule, like the host and docker containers
          --profiles PATH    ApplicationProfile / NetworkNeighborhood file or directory
          --config FILE      loupe.yaml: context switches (host and docker monitoring are off
                             unless it enables them), ignore lists, cooldown, node and cluster names
          --output FILE      Write alerts to FILE (created 0600) instead of standard output
          --summary          Print only the summary, no alerts
          -h, --help         Show this help

        Exit codes: 0 done, 64 usage, 65 invalid input or damaged capture, 66 capture not found.
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let capture = try arguments.positional("CAPTURE argument")
        guard let rulesPath = try arguments.option("rules") else {
            throw UsageError("--rules is required (there is no default rule set yet)")
        }
        let bindingsPath = try arguments.option("bindings")
        let profilesPath = try arguments.option("profiles")
        let configPath = try arguments.option("config")
        let outputPath = try arguments.option("output")
        let summaryOnly = arguments.flag("summary")
        try arguments.finish()

        let engine: Engine
        let reader: CaptureReader
        do {
            reader = try withCaptureErrors { try CaptureReader(path: capture) }
            let header = try withCaptureErrors { try reader.firstHeader() }
            var lookahead = RegistrationLookahead()
            _ = try withCaptureErrors {
                try reader.forEach(ReadOptions(kinds: [.containerStarted, .containerSnapshot])) { record, _ in
                    lookahead.note(record)
                }
            }
            let inputs = EngineInputs(
                rules: try RulesLoader.load(path: rulesPath),
                bindings: try bindingsPath.map { p throws(InputError) in try BindingsLoader.load(path: p) },
                profiles: try profilesPath.map { p throws(InputError) in try ProfilesLoader.load(path: p) }
                    ?? ProfileStore(),
                config: try configPath.map { p throws(InputError) in try LoupeConfig.load(path: p) } ?? LoupeConfig(),
                host: header.host, lookahead: lookahead)
            engine = try Engine(inputs)
        } catch let error as InputError {
            throw CommandFailure(error.description, exitCode: ExitCode.dataError)
        }

        var descriptor: Int32 = 1
        if let outputPath, !summaryOnly {
            descriptor = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw CommandFailure(
                    "cannot create \(outputPath): \(String(cString: strerror(errno)))", exitCode: ExitCode.cantCreate)
            }
        }
        defer { if descriptor != 1 { close(descriptor) } }

        var buffer: [UInt8] = []
        var json = JSONWriter()
        let report = try withCaptureErrors {
            try reader.forEach(ReadOptions()) { record, _ in
                let alerts = engine.apply(record)
                guard !summaryOnly else { return }
                for alert in alerts {
                    json.reset()
                    alert.write(into: &json)
                    buffer.append(contentsOf: json.bytes)
                    buffer.append(UInt8(ascii: "\n"))
                }
                if buffer.count >= 1 << 16 {
                    writeAll(buffer, to: descriptor)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
        }
        writeAll(buffer, to: descriptor)
        writeAll(Array(ReplaySummary.text(engine.stats).utf8), to: 2)
        return reportProblems(report)
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
