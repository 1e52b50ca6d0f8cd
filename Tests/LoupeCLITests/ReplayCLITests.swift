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

    @Test func rulesAreRequired() throws {
        let result = try Loupe.run(["replay", "/nonexistent"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--rules is required"))
    }
}
