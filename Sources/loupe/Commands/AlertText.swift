import LoupeEngine
import LoupeModel

/// How `replay` writes alerts to standard output or `--output`.
enum AlertFormat: Sendable {
    /// One JSON object per line (docs/engine.md, "Alerts"): the stable, machine-readable form.
    case jsonl
    /// A few lines of text per alert for a person at a terminal.
    case pretty

    init(option text: String) throws {
        switch text {
        case "jsonl": self = .jsonl
        case "pretty": self = .pretty
        default: throw UsageError("--format expects jsonl or pretty, got '\(text)'")
        }
    }
}

/// `--format pretty`: an alert as a block of labelled lines ending in a blank line.
///
/// ```
/// 2026-12-05T00:00:00.000172286Z  severity 5  R0010 Unexpected Sensitive File Access
///   context   kubernetes  namespace kube-system  pod api-2-7f9c  container api 27f1e5e547e1
///   workload  wlid://cluster-demo/namespace-kube-system/pod-api-2-7f9c
///   node      demo-node
///   event     open
///   message   Unexpected sensitive file access: /etc/shadow by api-server
///   process   4007 containerd-shim
///               4010 api-server /app/api-server
///   mitre     TA0009 T1005
/// ```
///
/// The process lineage is root first, each child indented under its parent; the last line is
/// the process that raised the alert. Everything is derived from the alert alone, so the text is
/// as deterministic as the JSON. Text taken from the capture (names, paths, command lines,
/// messages) can hold anything a process chose: control characters, and the Unicode marks
/// that reorder text on screen, are written as `\xNN` / `\u{NNNN}` so they cannot drive the
/// terminal or disguise a line.
enum PrettyAlert {
    static func text(_ alert: Alert) -> String {
        var out = WallClock.rfc3339(nanoseconds: alert.wallTime)
        out += "  severity \(alert.severity)  \(safe(alert.ruleID)) \(safe(alert.alertName))\n"
        line(&out, "context", context(alert))
        if let image = alert.container?.image, !image.isEmpty { line(&out, "image", safe(image)) }
        if alert.context != .host { line(&out, "workload", safe(alert.workloadIdentifier)) }
        var node = safe(alert.nodeName)
        if alert.hostname != alert.nodeName && !alert.hostname.isEmpty { node += " (host \(safe(alert.hostname)))" }
        line(&out, "node", node)
        line(&out, "event", alert.eventType.name)
        line(&out, "message", safe(alert.message))
        // The command line, when it says more than the executable's path on the process line.
        if let process = alert.lineage.first, !process.args.isEmpty, process.cmdline != process.path.string {
            line(&out, "command", safe(process.cmdline))
        }
        for (depth, process) in alert.lineage.reversed().enumerated() {
            var entry = "\(process.pid) \(process.comm.isEmpty ? "?" : safe(process.comm.string))"
            if !process.path.isEmpty { entry += " " + safe(process.path.string) }
            if depth == 0 {
                line(&out, "process", entry)
            } else {
                out += String(repeating: " ", count: 12 + 2 * depth) + entry + "\n"
            }
        }
        let mitre = [alert.mitreTactic, alert.mitreTechnique].filter { !$0.isEmpty }.map(safe)
        if !mitre.isEmpty { line(&out, "mitre", mitre.joined(separator: " ")) }
        if alert.lateAttribution {
            line(&out, "note", "late attribution: the event came before its container's start record")
        }
        if !alert.isTriggerAlert { line(&out, "note", "not a trigger alert") }
        out += "\n"
        return out
    }

    /// `  label     value`: labels padded to one column.
    private static func line(_ out: inout String, _ label: String, _ value: String) {
        out += "  " + label.padding(10) + value + "\n"
    }

    private static func context(_ alert: Alert) -> String {
        var text = alert.context.name
        guard let container = alert.container else { return text }
        if alert.context == .kubernetes, let pod = container.kubernetes {
            text += "  namespace \(safe(pod.namespace))  pod \(safe(pod.podName))"
            let name = pod.containerName.isEmpty ? container.name : pod.containerName
            text += "  container \(safe(name))"
        } else {
            text += "  container \(safe(container.name))"
        }
        return text + " " + safe(String(container.id.prefix(12)))
    }

    /// `text` with control characters and bidirectional formatting marks escaped.
    static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16)
            if scalar.value < 0x100 {
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            } else {
                out += "\\u{" + hex + "}"
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        // Bidirectional marks, embeddings, overrides and isolates ("Trojan Source").
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
