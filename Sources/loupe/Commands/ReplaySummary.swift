import LoupeEngine
import LoupeFormat

/// The counters of a replay summary, as sortable text-keyed tables so that several nodes' can be
/// added up.
struct ReplayCounts {
    var records = 0
    var recordsByKind: [String: Int] = [:]
    var events = 0
    var eventsByContext: [String: Int] = [:]
    var alerts = 0
    var alertsByRule: [String: Int] = [:]
    var alertsByContext: [String: Int] = [:]
    var suppressionsByReason: [String: Int] = [:]
    /// Keyed `RULE reason`.
    var suppressionsByRule: [String: Int] = [:]
    var evalErrorsByRule: [String: Int] = [:]
    var firstEvalError: [String: String] = [:]
    var lateAttributions = 0
    /// Mount namespace ids are a node's own: only a single node's summary lists them.
    var unattributedMntns: [String: Int] = [:]
    var drops: UInt64 = 0
    /// Alerts that passed the output filters, when there are filters.
    var written: Int?

    init() {}

    init(_ s: EngineStats, written: Int?) {
        records = s.records
        recordsByKind = s.recordsByKind
        events = s.events
        eventsByContext = s.eventsByContext
        alerts = s.alerts
        alertsByRule = s.alertsByRule
        alertsByContext = s.alertsByContext
        for (reason, count) in s.suppressions { suppressionsByReason[reason.rawValue] = count }
        for (rule, reasons) in s.suppressionsByRule {
            for (reason, count) in reasons { suppressionsByRule["\(rule) \(reason.rawValue)"] = count }
        }
        evalErrorsByRule = s.evalErrorsByRule
        firstEvalError = s.firstEvalError
        lateAttributions = s.lateAttributions
        for (mntns, count) in s.unknownMntns { unattributedMntns[String(mntns)] = count }
        drops = s.drops
        self.written = written
    }

    /// Adds another node's counters; a rule's first evaluation error stays the earlier node's.
    mutating func add(_ other: ReplayCounts) {
        func sum(_ mine: inout [String: Int], _ theirs: [String: Int]) {
            for (key, count) in theirs { mine[key, default: 0] += count }
        }
        records += other.records
        sum(&recordsByKind, other.recordsByKind)
        events += other.events
        sum(&eventsByContext, other.eventsByContext)
        alerts += other.alerts
        sum(&alertsByRule, other.alertsByRule)
        sum(&alertsByContext, other.alertsByContext)
        sum(&suppressionsByReason, other.suppressionsByReason)
        sum(&suppressionsByRule, other.suppressionsByRule)
        sum(&evalErrorsByRule, other.evalErrorsByRule)
        firstEvalError.merge(other.firstEvalError) { mine, _ in mine }
        lateAttributions += other.lateAttributions
        drops += other.drops
        if let theirs = other.written { written = (written ?? 0) + theirs }
    }
}

/// The replay summary, sorted so it is as deterministic as the alerts.
enum ReplaySummary {
    static func text(_ s: ReplayCounts) -> String {
        var out = "records: \(s.records)\n"
        func section(_ title: String, _ entries: [String: Int]) {
            guard !entries.isEmpty else { return }
            out += "\(title):\n"
            for (k, v) in entries.sorted(by: { $0.key < $1.key }) { out += "  \(k): \(v)\n" }
        }
        section("records by kind", s.recordsByKind)
        out += "events: \(s.events)\n"
        section("events by context", s.eventsByContext)
        out += "alerts: \(s.alerts)\n"
        section("alerts by rule", s.alertsByRule)
        section("alerts by context", s.alertsByContext)
        section("suppressed by reason", s.suppressionsByReason)
        section("suppressed by rule and reason", s.suppressionsByRule)
        section("eval errors by rule", s.evalErrorsByRule)
        for (rule, message) in s.firstEvalError.sorted(by: { $0.key < $1.key }) {
            out += "  \(rule) first error: \(message)\n"
        }
        if s.lateAttributions > 0 { out += "late attributions: \(s.lateAttributions)\n" }
        section("unattributed mount namespaces", s.unattributedMntns)
        if s.drops > 0 { out += "events the capture dropped: \(s.drops)\n" }
        if let written = s.written { out += "alerts written after filters: \(written)\n" }
        return out
    }

    /// Several nodes: each node's summary under a heading naming its capture and host, indented,
    /// then the totals.
    static func text(nodes: [(path: String, hostname: String, counts: ReplayCounts)]) -> String {
        var out = ""
        var total = ReplayCounts()
        for (index, node) in nodes.enumerated() {
            out += "node \(index + 1) of \(nodes.count): \(node.path) (host \(node.hostname))\n"
            out += indented(text(node.counts))
            total.add(node.counts)
        }
        out += "all \(nodes.count) nodes:\n" + indented(text(total))
        return out
    }

    private static func indented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "  " + $0 + "\n" }.joined()
    }
}
