import LoupeFormat
import LoupeSystem

/// The replay progress line on standard error: records, rate, position in the captures' time
/// spans, ETA. One capture shows where it is in its span; several show how many are done and
/// the share of all their spans covered.
struct ReplayProgress {
    private let started = monotonicNanoseconds()
    private var lastPrint: UInt64 = 0

    /// Prints the line if the last one is at least a quarter second old.
    mutating func update(_ nodes: [NodeProgress]) {
        let now = monotonicNanoseconds()
        guard now &- lastPrint >= 250_000_000 else { return }
        lastPrint = now
        writeAll(Array(("\r\u{1b}[K" + line(nodes, now: now)).utf8), to: 2)
    }

    /// The last line, ended.
    func finish(_ nodes: [NodeProgress]) {
        writeAll(Array(("\r\u{1b}[K" + line(nodes, now: monotonicNanoseconds()) + "\n").utf8), to: 2)
    }

    private func line(_ nodes: [NodeProgress], now: UInt64) -> String {
        let records = nodes.reduce(0) { $0 + $1.records }
        let elapsed = Double(now &- started) / 1e9
        let rate = elapsed > 0 ? Double(records) / elapsed : 0
        var text = "replay: \(records) records, \(format(rate / 1e6, digits: 2)) M records/s"
        var covered: UInt64 = 0
        var total: UInt64 = 0
        for node in nodes where node.last > node.first {
            total += node.last - node.first
            covered += node.position <= node.first ? 0 : min(node.position, node.last) - node.first
        }
        guard total > 0 else { return text }
        let done = Double(covered) / Double(total)
        if nodes.count == 1 {
            let node = nodes[0]
            text += ", at +\(Self.clockText(node.position > node.first ? node.position - node.first : 0))"
            text += " of +\(Self.clockText(total)) (\(Int(done * 100))%)"
        } else {
            text += ", \(nodes.filter(\.finished).count) of \(nodes.count) nodes done, \(Int(done * 100))%"
        }
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
