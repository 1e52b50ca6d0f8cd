import LoupeEngine
import LoupeFormat
import LoupeModel

/// `loupe bench rules`: what each rule costs, and replay throughput, on a capture.
enum BenchRulesCommand: Command {
    static let name = "rules"
    static let summary = "Per-rule evaluation cost and replay throughput on a capture"
    static let help = """
        Usage: loupe bench rules CAPTURE [--rules PATH] [--bindings PATH] [--profiles PATH]
                                 [--config FILE] [--runs N] [--json]

        Measures on one core, after one warm-up replay:
          decode   read + decompress + decode the capture, no engine
          replay   read + decode + engine + alerts encoded as JSON lines (discarded), the work of
                   `loupe replay` without writing; N runs, best and median records/s
          rules    one more replay with per-rule timing: for every evaluation of a rule (after
                   context and binding selection: profile check, prefilter, expressions, and for
                   a match message, uniqueId, cooldown and the alert), the ns it took. Reported
                   per rule: evaluations, min, p50, p99, mean and share of all rule time. Each
                   figure includes one clock read (the timer overhead is reported), and the timed
                   replay is slower than the untimed ones by about two clock reads per evaluation

        Options:
          --rules PATH       Rules (kind: Rules) file or directory; default: the built-in rules
          --bindings PATH    RuntimeRuleAlertBinding file or directory
          --profiles PATH    ApplicationProfile / NetworkNeighborhood file or directory
          --config FILE      loupe.yaml (context switches, ignore lists, cooldown)
          --runs N           Measured replay runs (default 3)
          --json             Print one JSON object
          -h, --help         Show this help
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let capture = try arguments.positional("CAPTURE argument")
        let rules = try arguments.option("rules")
        let bindings = try arguments.option("bindings")
        let profiles = try arguments.option("profiles")
        let config = try arguments.option("config")
        let runs = try ValueParser.integer(try arguments.option("runs") ?? "3", option: "--runs", range: 1...1000)
        let asJSON = arguments.flag("json")
        try arguments.finish()

        let reader = try withCaptureErrors { try CaptureReader(path: capture) }
        let header = try withCaptureErrors { try reader.firstHeader() }
        var lookahead = RegistrationLookahead()
        _ = try withCaptureErrors {
            try reader.forEach(ReadOptions(kinds: [.containerStarted, .containerSnapshot])) { record, _ in
                lookahead.note(record)
            }
        }
        func engine() throws -> Engine {
            try EngineFactory.make(
                rules: rules, bindings: bindings, profiles: profiles, config: config, host: header.host,
                lookahead: lookahead)
        }

        // Decode only.
        var decodeTimes: [Double] = []
        var records = 0
        for run in 0...runs {
            let start = monotonicNanoseconds()
            var count = 0
            _ = try withCaptureErrors { try reader.forEach(ReadOptions()) { _, _ in count += 1 } }
            if run > 0 { decodeTimes.append(Double(monotonicNanoseconds() - start) / 1e9) }
            records = count
        }

        // Replay, untimed, then once with the per-rule collector.
        var replayTimes: [Double] = []
        var alerts = 0
        for run in 0...runs {
            let engine = try engine()
            let start = monotonicNanoseconds()
            alerts = try replay(reader, engine)
            if run > 0 { replayTimes.append(Double(monotonicNanoseconds() - start) / 1e9) }
        }
        let timed = try engine()
        let collector = RuleTimer(rules: timed.ruleIDs.count)
        timed.timing = collector
        let timedStart = monotonicNanoseconds()
        _ = try replay(reader, timed)
        let timedSeconds = Double(monotonicNanoseconds() - timedStart) / 1e9

        let result = RulesBenchResult(
            capture: capture, records: records, alerts: alerts, runs: runs,
            decodeRate: Double(records) / (decodeTimes.min() ?? 1),
            decodeMedian: Double(records) / median(decodeTimes),
            replayRate: Double(records) / (replayTimes.min() ?? 1),
            replayMedian: Double(records) / median(replayTimes),
            timedRate: Double(records) / timedSeconds, timerOverhead: RuleTimer.overhead(),
            rules: collector.summaries(ids: timed.ruleIDs))
        var output = StandardOutput()
        output.write(asJSON ? result.json() + "\n" : result.text())
        output.flush()
        return ExitCode.success
    }

    /// One replay as `loupe replay` does it, alerts encoded and dropped; the alert count.
    private static func replay(_ reader: CaptureReader, _ engine: Engine) throws -> Int {
        var json = JSONWriter()
        var count = 0
        var bytes = 0
        _ = try withCaptureErrors {
            try reader.forEach(ReadOptions()) { record, _ in
                for alert in engine.apply(record) {
                    json.reset()
                    alert.write(into: &json)
                    bytes &+= json.bytes.count + 1
                    count += 1
                }
            }
        }
        return bytes >= 0 ? count : 0
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 1 }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

/// Collects every evaluation time, per rule.
final class RuleTimer: RuleTimingCollector {
    private var samples: [[UInt32]]

    init(rules: Int) { samples = Array(repeating: [], count: rules) }

    func now() -> UInt64 { monotonicNanoseconds() }

    func record(rule: Int, nanoseconds: UInt64) {
        samples[rule].append(UInt32(clamping: nanoseconds))
    }

    /// The median cost of one clock read, measured back to back.
    static func overhead() -> UInt64 {
        var deltas: [UInt64] = []
        deltas.reserveCapacity(100_000)
        for _ in 0..<100_000 {
            let a = monotonicNanoseconds()
            deltas.append(monotonicNanoseconds() &- a)
        }
        deltas.sort()
        return deltas[deltas.count / 2]
    }

    struct Summary {
        var id: String
        var evaluations: Int
        var min: UInt64
        var p50: UInt64
        var p99: UInt64
        var mean: Double
        var total: UInt64
        var share: Double
    }

    /// Rules that were evaluated at least once, costliest first (ties by id).
    func summaries(ids: [String]) -> [Summary] {
        var out: [Summary] = []
        var all: UInt64 = 0
        for (index, values) in samples.enumerated() where !values.isEmpty {
            let sorted = values.sorted()
            let total = sorted.reduce(UInt64(0)) { $0 + UInt64($1) }
            all += total
            out.append(
                Summary(
                    id: ids[index], evaluations: sorted.count, min: UInt64(sorted[0]),
                    p50: UInt64(sorted[sorted.count / 2]), p99: UInt64(sorted[(sorted.count * 99) / 100]),
                    mean: Double(total) / Double(sorted.count), total: total, share: 0))
        }
        for index in out.indices { out[index].share = all > 0 ? Double(out[index].total) / Double(all) : 0 }
        return out.sorted { $0.total != $1.total ? $0.total > $1.total : $0.id < $1.id }
    }
}

private struct RulesBenchResult {
    var capture: String
    var records: Int
    var alerts: Int
    var runs: Int
    var decodeRate: Double
    var decodeMedian: Double
    var replayRate: Double
    var replayMedian: Double
    var timedRate: Double
    var timerOverhead: UInt64
    var rules: [RuleTimer.Summary]

    func text() -> String {
        func rate(_ value: Double) -> String { format(value / 1e6, digits: 2) + " M records/s" }
        var out = """
            capture           \(capture): \(records) records, \(alerts) alerts, \(runs) runs after 1 warm-up
            decode            best \(rate(decodeRate)), median \(rate(decodeMedian))
            replay            best \(rate(replayRate)), median \(rate(replayMedian))
            timed replay      \(rate(timedRate)) (clock read \(timerOverhead) ns, included in each figure below)

            """
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }
        out += "rule          evaluations     min     p50     p99      mean   share\n"
        for r in rules {
            out +=
                r.id.padded(12) + pad(String(r.evaluations), 13) + pad(String(r.min), 8) + pad(String(r.p50), 8)
                + pad(String(r.p99), 8) + pad(format(r.mean, digits: 1), 10)
                + pad(format(r.share * 100, digits: 1) + "%", 8) + "\n"
        }
        out += "(ns per evaluation)\n"
        return out
    }

    func json() -> String {
        var json = JSONWriter()
        json.beginObject()
        json.field("capture", capture)
        json.field("records", records)
        json.field("alerts", alerts)
        json.field("runs", runs)
        json.key("decodeRecordsPerSecond")
        json.beginObject()
        json.field("best", UInt64(decodeRate))
        json.field("median", UInt64(decodeMedian))
        json.endObject()
        json.key("replayRecordsPerSecond")
        json.beginObject()
        json.field("best", UInt64(replayRate))
        json.field("median", UInt64(replayMedian))
        json.endObject()
        json.field("timedReplayRecordsPerSecond", UInt64(timedRate))
        json.field("clockReadNanoseconds", timerOverhead)
        json.key("rules")
        json.beginArray()
        for r in rules {
            json.beginObject()
            json.field("id", r.id)
            json.field("evaluations", r.evaluations)
            json.field("minNs", r.min)
            json.field("p50Ns", r.p50)
            json.field("p99Ns", r.p99)
            json.key("meanNs")
            json.value((r.mean * 10).rounded() / 10)
            json.key("share")
            json.value((r.share * 10000).rounded() / 10000)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.string
    }
}

extension String {
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
