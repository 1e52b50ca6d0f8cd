import LoupeEngine
import LoupeExport
import LoupeModel

extension ExportedAlert {
    /// The engine's alert as exporters take it: its JSON object plus the fields that
    /// Alertmanager labels, syslog structured data and CSV columns need.
    init(_ alert: Alert, json: [UInt8]) {
        let process = alert.lineage.first
        let parent = alert.lineage.dropFirst().first
        let kubernetes = alert.container?.kubernetes
        self.init(
            json: json, wallTime: alert.wallTime, ruleID: alert.ruleID, alertName: alert.alertName,
            severity: alert.severity, message: alert.message, uniqueID: alert.uniqueID, context: alert.context,
            containerID: alert.containerID,
            containerName: kubernetes?.containerName ?? alert.container?.name ?? "",
            namespace: kubernetes?.namespace ?? "", podName: kubernetes?.podName ?? "", hostname: alert.hostname,
            nodeName: alert.nodeName, pid: alert.infectedPID, ppid: process?.ppid ?? 0,
            comm: process?.comm.string ?? "", pcomm: parent?.comm.string ?? "", uid: process?.uid ?? 0,
            gid: process?.gid ?? 0)
    }
}

/// Where `replay` and live `capture` send alerts: JSON lines to standard output or `--output`
/// (the deterministic stream), plus the exporters of `--exporter` options or, without them, of
/// the config file's `exporters:` section.
final class AlertOutput {
    private let lines: AlertLines?
    private let exporters: ExporterGroup?
    private var pending: [ExportedAlert] = []
    private var json = JSONWriter()

    /// - Parameters:
    ///   - specs: `--exporter` values; when any is given, the config's exporters are ignored.
    ///   - linesPath: `--output`: JSON lines go there instead of standard output.
    ///   - format: how those lines are written (`replay --format`); exporters keep their own.
    init(
        specs: [String], settings: ExporterSettings?, linesPath: String?, discard: Bool, format: AlertFormat = .jsonl
    ) throws {
        var configurations: [ExporterConfiguration] = []
        var writeLines: Bool
        if !specs.isEmpty {
            writeLines = false
            for spec in specs {
                if let configuration = try Self.parse(spec) {
                    configurations.append(configuration)
                } else {
                    writeLines = true
                }
            }
        } else if let settings {
            writeLines = settings.writesStdout
            if let path = settings.file { configurations.append(.file(path: path)) }
            if let path = settings.csv { configurations.append(.csv(path: path)) }
            if let url = settings.httpURL { configurations.append(.http(url: url)) }
            if let url = settings.alertmanagerURL { configurations.append(.alertmanager(url: url)) }
            if let syslog = settings.syslog {
                configurations.append(.syslog(address: syslog.address, protocol: syslog.protocol.rawValue))
            }
        } else {
            writeLines = true
        }
        // --output always gets the JSON lines: it names where they go.
        if linesPath != nil { writeLines = true }
        lines =
            writeLines || discard
            ? try AlertLines(path: discard ? nil : linesPath, discard: discard, format: format) : nil
        if configurations.isEmpty || discard {
            exporters = nil
        } else {
            do {
                exporters = ExporterGroup(try configurations.map { try Exporters.make($0) })
            } catch {
                throw CommandFailure("exporter: \(error)", exitCode: ExitCode.usage)
            }
        }
    }

    /// Alerts written or handed to exporters so far.
    private(set) var count = 0

    func append(_ alert: Alert) {
        count += 1
        lines?.append(alert)
        guard exporters != nil else { return }
        json.reset()
        alert.write(into: &json)
        pending.append(ExportedAlert(alert, json: json.bytes))
    }

    /// Hands buffered alerts on when enough have gathered.
    func flushIfFull() {
        lines?.flushIfFull()
        if pending.count >= 256 { sendPending() }
    }

    func flush() {
        lines?.flush()
        sendPending()
    }

    private func sendPending() {
        guard let exporters, !pending.isEmpty else { return }
        exporters.send(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Flushes everything and closes the exporters, waiting at most `timeout` for network
    /// exporters to drain; returns a summary line per exporter problem, empty when all went out.
    func close(timeout: Duration = .seconds(10)) -> [String] {
        flush()
        guard let exporters else { return [] }
        let statistics = exporters.close(timeout: timeout)
        var problems: [String] = []
        if statistics.failed > 0 || statistics.dropped > 0 {
            problems.append(
                "exporters: \(statistics.sent) sent, \(statistics.failed) failed, \(statistics.dropped) dropped"
                    + (statistics.lastError.map { " (last error: \($0))" } ?? ""))
        }
        return problems
    }

    /// `--exporter` values: `stdout` (nil: the JSON lines), `file=PATH`, `csv=PATH`,
    /// `http=URL`, `alertmanager=URL`, `syslog=udp://HOST:PORT`, `tcp://HOST:PORT` or
    /// `unix:///PATH`.
    static func parse(_ spec: String) throws -> ExporterConfiguration? {
        if spec == "stdout" { return nil }
        guard let equals = spec.firstIndex(of: "=") else {
            throw UsageError(
                "--exporter expects stdout or KIND=TARGET (file, csv, http, alertmanager, syslog), got '\(spec)'")
        }
        let kind = String(spec[..<equals])
        let target = String(spec[spec.index(after: equals)...])
        guard !target.isEmpty else { throw UsageError("--exporter \(kind)= needs a target") }
        switch kind {
        case "file": return .file(path: target)
        case "csv": return .csv(path: target)
        case "http": return .http(url: target)
        case "alertmanager": return .alertmanager(url: target)
        case "syslog":
            for scheme in ["udp", "tcp", "unix"] where target.hasPrefix(scheme + "://") {
                return .syslog(address: String(target.dropFirst(scheme.count + 3)), protocol: scheme)
            }
            throw UsageError(
                "--exporter syslog= expects udp://HOST:PORT, tcp://HOST:PORT or unix:///PATH, got '\(target)'")
        default:
            throw UsageError("--exporter: unknown kind '\(kind)' (file, csv, http, alertmanager, syslog, stdout)")
        }
    }
}
