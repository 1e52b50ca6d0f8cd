import Foundation
import Testing

@Suite struct ReplayCommandTests {
    static let rules = """
        apiVersion: kubescape.io/v1
        kind: Rules
        metadata:
          name: tiny
        spec:
          rules:
          - id: R1000
            name: Process executed from /dev/shm
            severity: 8
            profileDependency: 2
            expressions:
              message: "'exec from /dev/shm: ' + event.exepath"
              uniqueId: "event.exepath"
              ruleExpression:
              - eventType: exec
                expression: "event.exepath.startsWith('/dev/shm/')"
          - id: R1008
            name: Crypto mining domain
            severity: 10
            profileDependency: 2
            expressions:
              message: "'dns ' + event.name"
              uniqueId: "event.name"
              ruleExpression:
              - eventType: dns
                expression: "event.name == 'pool.minexmr.com.'"
          - id: R1009
            name: Crypto mining port
            severity: 3
            profileDependency: 1
            expressions:
              message: "'port ' + string(event.dstPort)"
              uniqueId: "event.dstAddr"
              ruleExpression:
              - eventType: network
                expression: "event.dstPort == 3333"
        """

    @Test func replayIsDeterministicAndCoversEveryContext() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let synth = try Loupe.run(["synth", "-o", "\(dir)/cap", "--events", "20000"])
        #expect(synth.status == 0, "\(synth.stderr)")
        try Self.rules.write(toFile: "\(dir)/rules.yaml", atomically: true, encoding: .utf8)
        try "enableHostMonitoring: true\nenableDockerMonitoring: true\nclusterName: lab\n".write(
            toFile: "\(dir)/loupe.yaml", atomically: true, encoding: .utf8)
        let arguments = ["replay", "\(dir)/cap", "--rules", "\(dir)/rules.yaml", "--config", "\(dir)/loupe.yaml"]
        let first = try Loupe.run(arguments)
        let second = try Loupe.run(arguments + ["--output", "\(dir)/alerts.jsonl"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(second.status == 0, "\(second.stderr)")
        let written = try String(contentsOfFile: "\(dir)/alerts.jsonl", encoding: .utf8)
        #expect(!first.stdout.isEmpty)
        #expect(first.stdout == written)
        for platform in ["kubernetes", "host", "docker"] {
            #expect(first.stdout.contains("{\"AlertPlatform\":\"\(platform)\""), "\(platform)")
        }
        #expect(first.stderr.contains("alerts by rule:"))
    }

    @Test func defaultRulesAndExporters() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Loupe.run(["synth", "-o", "\(dir)/cap", "--events", "20000", "--seed", "3"]).status == 0)
        try "enableHostMonitoring: true\nenableDockerMonitoring: true\n".write(
            toFile: "\(dir)/loupe.yaml", atomically: true, encoding: .utf8)

        // Without --rules, the built-in rule set runs.
        let builtin = try Loupe.run(["replay", "\(dir)/cap", "--config", "\(dir)/loupe.yaml"])
        #expect(builtin.status == 0, "\(builtin.stderr)")
        let lines = builtin.stdout.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(builtin.stdout.contains("\"RuleID\":\"R1000\""))

        // --exporter replaces the JSON lines on standard output; a CSV row per alert.
        let csv = try Loupe.run([
            "replay", "\(dir)/cap", "--config", "\(dir)/loupe.yaml", "--exporter", "csv=\(dir)/a.csv",
        ])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout.isEmpty)
        // RFC 4180 rows end in CRLF, one Character in Swift.
        let rows = try String(contentsOfFile: "\(dir)/a.csv", encoding: .utf8).split(whereSeparator: \.isNewline)
        #expect(rows.count == lines.count + 1, "a header and one row per alert")

        // stdout plus a JSON-lines file: the same lines in both.
        let both = try Loupe.run([
            "replay", "\(dir)/cap", "--config", "\(dir)/loupe.yaml", "--exporter", "stdout", "--exporter",
            "file=\(dir)/a.jsonl",
        ])
        #expect(both.stdout == builtin.stdout)
        #expect(try String(contentsOfFile: "\(dir)/a.jsonl", encoding: .utf8) == builtin.stdout)

        let bad = try Loupe.run(["replay", "\(dir)/cap", "--exporter", "kafka=x"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("unknown kind 'kafka'"))
    }
}
