internal import LoupeModel

/// The byte formats alerts take on the way out. Each is a pure function of its input, so the same
/// alerts always encode to the same bytes.
public enum AlertEncoding {
    // MARK: JSON lines

    /// One JSON object per line.
    public static func jsonLines(_ alerts: [ExportedAlert]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(alerts.reduce(0) { $0 + $1.json.count + 1 })
        for a in alerts {
            out += a.json
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    // MARK: CSV

    /// The CSV columns, in order; the header row uses these names.
    public static let csvColumns = [
        "timestamp", "ruleID", "alertName", "severity", "context", "namespace", "podName", "containerName",
        "containerID", "hostname", "nodeName", "pid", "ppid", "comm", "pcomm", "uid", "gid", "uniqueID", "message",
    ]

    /// The header row, CRLF-terminated.
    public static var csvHeader: [UInt8] { csvRow(csvColumns) }

    /// One CSV row per alert (RFC 4180: CRLF line ends, fields quoted when they hold a comma,
    /// quote, CR or LF, quotes doubled).
    public static func csv(_ alerts: [ExportedAlert]) -> [UInt8] {
        var out: [UInt8] = []
        for a in alerts {
            out += csvRow([
                a.timestamp, a.ruleID, a.alertName, String(a.severity), a.context.name, a.namespace, a.podName,
                a.containerName, a.containerID, a.hostname, a.nodeName, String(a.pid), String(a.ppid), a.comm,
                a.pcomm, String(a.uid), String(a.gid), a.uniqueID, a.message,
            ])
        }
        return out
    }

    static func csvRow(_ fields: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for (i, field) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            let bytes = Array(field.utf8)
            if bytes.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) {
                out.append(0x22)
                for b in bytes {
                    if b == 0x22 { out.append(0x22) }
                    out.append(b)
                }
                out.append(0x22)
            } else {
                out += bytes
            }
        }
        out += [0x0D, 0x0A]
        return out
    }

    // MARK: kubescape RuntimeAlerts

    /// `{"kind":"RuntimeAlerts","apiVersion":"kubescape.io/v1","spec":{"alerts":[...]}}`.
    public static func runtimeAlertList(_ alerts: [ExportedAlert]) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("kind", "RuntimeAlerts")
        w.field("apiVersion", "kubescape.io/v1")
        w.key("spec")
        w.beginObject()
        w.key("alerts")
        w.beginArray()
        for a in alerts { w.raw(a.json) }
        w.endArray()
        w.endObject()
        w.endObject()
        return w.bytes
    }

    // MARK: Alertmanager

    /// The body of Alertmanager v2's `POST /api/v2/alerts`: an array of alerts with kubescape's
    /// labels and annotations, `startsAt` the event time, no `endsAt` (Alertmanager then resolves
    /// them after its `resolve_timeout`), and an empty `generatorURL`.
    public static func alertmanager(_ alerts: [ExportedAlert]) -> [UInt8] {
        var w = JSONWriter()
        w.beginArray()
        for a in alerts {
            w.beginObject()
            w.key("labels")
            w.beginObject()
            for (k, v) in alertmanagerLabels(a) { w.field(k, v) }
            w.endObject()
            w.key("annotations")
            w.beginObject()
            for (k, v) in alertmanagerAnnotations(a) { w.field(k, v) }
            w.endObject()
            w.field("startsAt", a.timestamp)
            w.field("generatorURL", "")
            w.endObject()
        }
        w.endArray()
        return w.bytes
    }

    /// Labels as kubescape sets them. Alertmanager drops labels with empty values, and
    /// `unique_id` keeps two alerts of one rule and process from merging into one.
    public static func alertmanagerLabels(_ a: ExportedAlert) -> [(String, String)] {
        [
            ("alertname", "KubescapeRuleViolated"),
            ("rule_name", a.alertName),
            ("rule_id", a.ruleID),
            ("container_id", a.containerID),
            ("container_name", a.containerName),
            ("namespace", a.namespace),
            ("pod_name", a.podName),
            ("host", a.hostname),
            ("node_name", a.nodeName),
            ("severity", a.severityName),
            ("pid", String(a.pid)),
            ("ppid", String(a.ppid)),
            ("comm", a.comm),
            ("pcomm", a.pcomm),
            ("uid", String(a.uid)),
            ("gid", String(a.gid)),
            ("context", a.context.name),
            ("unique_id", a.uniqueID),
        ]
    }

    static func alertmanagerAnnotations(_ a: ExportedAlert) -> [(String, String)] {
        let place =
            switch a.context {
            case .kubernetes: "pod \(a.namespace)/\(a.podName) container \(a.containerName)"
            case .docker: "docker container \(a.containerName) on \(a.hostname)"
            case .host: "host \(a.hostname)"
            }
        return [
            ("title", a.alertName),
            ("summary", "Rule \(a.ruleID) '\(a.alertName)' fired in \(place)"),
            ("message", a.message),
            ("description", "\(a.message) (process \(a.comm) pid \(a.pid), parent \(a.pcomm) pid \(a.ppid))"),
        ]
    }

    // MARK: Syslog

    /// RFC 5424 severity for an alert severity: critical 2, high 3 (error), medium 4 (warning),
    /// low 5 (notice), none 6 (informational).
    public static func syslogSeverity(_ severity: Int64) -> Int {
        switch severity {
        case ..<1: 6
        case 1..<5: 5
        case 5..<8: 4
        case 8..<10: 3
        default: 2
        }
    }

    /// One RFC 5424 message:
    ///
    ///     <PRI>1 TIMESTAMP HOSTNAME loupe - RULEID [loupe@32473 key="value" ...] MSG
    ///
    /// TIMESTAMP is the event time in microseconds (RFC 5424 allows at most six fractional
    /// digits); MSG is the alert JSON, or the message when `jsonBody` is false.
    public static func syslog(_ a: ExportedAlert, facility: Int, hostname: String, jsonBody: Bool) -> [UInt8] {
        let pri = facility * 8 + syslogSeverity(a.severity)
        var out = Array("<\(pri)>1 \(syslogTimestamp(a.wallTime)) ".utf8)
        out += Array(headerField(hostname.isEmpty ? a.hostname : hostname, max: 255).utf8)
        out += Array(" loupe - ".utf8)
        out += Array(headerField(a.ruleID, max: 32).utf8)
        out += Array(" [loupe@32473".utf8)
        let params: [(String, String)] = [
            ("ruleName", a.alertName), ("severity", String(a.severity)), ("context", a.context.name),
            ("namespace", a.namespace), ("podName", a.podName), ("containerName", a.containerName),
            ("containerID", a.containerID), ("nodeName", a.nodeName), ("pid", String(a.pid)), ("comm", a.comm),
            ("uniqueID", a.uniqueID),
        ]
        for (k, v) in params where !v.isEmpty {
            out += Array(" \(k)=\"".utf8)
            for b in v.utf8 {
                if b == 0x22 || b == 0x5C || b == 0x5D { out.append(0x5C) }
                out.append(b)
            }
            out.append(0x22)
        }
        out += Array("] ".utf8)
        out += jsonBody ? a.json : Array(a.message.utf8)
        return out
    }

    /// Printable US-ASCII only, no spaces, at most `max` characters; `-` when empty.
    static func headerField(_ s: String, max: Int) -> String {
        let cleaned = String(String.UnicodeScalarView(s.unicodeScalars.filter { $0.value > 32 && $0.value < 127 }))
        return cleaned.isEmpty ? "-" : String(cleaned.prefix(max))
    }

    static func syslogTimestamp(_ wallNanoseconds: Int64) -> String {
        // rfc3339 gives nine fractional digits; RFC 5424 allows six.
        let full = WallClock.rfc3339(nanoseconds: wallNanoseconds)
        guard let dot = full.firstIndex(of: "."), full.hasSuffix("Z") else { return full }
        let fraction = full[full.index(after: dot)...].dropLast()
        return String(full[..<dot]) + "." + fraction.prefix(6) + "Z"
    }
}
