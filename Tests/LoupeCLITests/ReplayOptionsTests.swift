import Foundation
import Testing

/// `loupe replay` range, filter and progress options, on a synthetic capture.
@Suite struct ReplayOptionsTests {
    /// A synth capture (20000 records over about 0.42 s) with the example rules and config.
    final class Fixture {
        let dir = temporaryDirectory()
        var capture: String { "\(dir)/cap" }
        var inputs: [String] {
            ["--rules", "\(Self.examples)/rules.yaml", "--config", "\(Self.examples)/loupe.yaml"]
        }
        static let examples: String = {
            var path = #filePath
            for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
            return path + "/examples"
        }()

        init() throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let synth = try Loupe.run(["synth", "-o", capture, "--events", "20000"])
            #expect(synth.status == 0, "\(synth.stderr)")
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        func replay(_ extra: [String]) throws -> Loupe.Result {
            let result = try Loupe.run(["replay", capture] + inputs + extra)
            #expect(result.status == 0, "\(result.stderr)")
            return result
        }
    }

    static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    static func object(_ line: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    static func platform(_ line: String) throws -> String { try object(line)["AlertPlatform"] as? String ?? "" }

    static func kubernetes(_ line: String, _ key: String) throws -> String {
        (try object(line)["RuntimeK8sDetails"] as? [String: Any])?[key] as? String ?? ""
    }

    /// Alert time as RFC 3339 with nanoseconds: sortable as text.
    static func time(_ line: String) throws -> String {
        (try object(line)["BaseRuntimeMetadata"] as? [String: Any])?["timestamp"] as? String ?? ""
    }

    /// The boot time of the capture's first data record.
    static func firstBootTime(_ fixture: Fixture) throws -> UInt64 {
        let cat = try Loupe.run(["cat", fixture.capture, "--snapshots", "none"])
        let first = try #require(lines(cat.stdout).first)
        return try #require(try object(first)["timestamp"] as? UInt64)
    }

    @Test func sinceAndUntilSelectTheWindowAndKeepEarlierState() throws {
        let fixture = try Fixture()
        let all = Self.lines(try fixture.replay([]).stdout)
        #expect(all.count > 20)

        // A window covering the whole capture changes nothing.
        let start = try Self.firstBootTime(fixture)
        #expect(Self.lines(try fixture.replay(["--since", String(start), "--until", "+1h"]).stdout) == all)

        // A window in the middle: its alerts fall in it, and alerts the full replay raised in
        // it come out byte for byte the same (container attribution and process ancestry
        // built from the records before --since).
        let window = try fixture.replay(["--since", "+100ms", "--until", "+300ms"])
        let inside = Self.lines(window.stdout)
        #expect(!inside.isEmpty)
        let low = "2026-12-05T00:00:00.1"
        let high = "2026-12-05T00:00:00.3"
        for line in inside {
            let time = try Self.time(line)
            #expect(time >= low && time < high, "\(time)")
        }
        let fullInWindow = try all.filter {
            let t = try Self.time($0); return t >= low && t < high
        }
        let common = Set(fullInWindow).intersection(inside)
        #expect(common.count >= fullInWindow.count * 3 / 4, "\(common.count) of \(fullInWindow.count)")
        #expect(try inside.contains { try Self.platform($0) == "kubernetes" })
        #expect(window.stderr.contains("records: "))
        #expect(!window.stderr.contains("records: 20015"))

        // Wall-clock times and boot nanoseconds select the same window.
        let rfc = try fixture.replay(["--since", "2026-12-05T00:00:00.1Z", "--until", "2026-12-05T00:00:00.3Z"])
        #expect(Self.lines(rfc.stdout) == inside)
    }

    @Test func untilBeforeSinceIsAUsageError() throws {
        let fixture = try Fixture()
        let result = try Loupe.run(
            ["replay", fixture.capture] + fixture.inputs + ["--since", "+2s", "--until", "+1s"])
        #expect(result.status == 64)
        let bad = try Loupe.run(["replay", fixture.capture] + fixture.inputs + ["--since", "yesterday"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--since expects"))
    }

    @Test func contextFilterKeepsOnlyThoseContexts() throws {
        let fixture = try Fixture()
        let all = Self.lines(try fixture.replay([]).stdout)
        for wanted in [["host"], ["docker"], ["kubernetes"], ["host", "docker"]] {
            let arguments = wanted.flatMap { ["--context", $0] }
            let result = try fixture.replay(arguments)
            let lines = Self.lines(result.stdout)
            #expect(!lines.isEmpty, "\(wanted)")
            #expect(try lines == all.filter { wanted.contains(try Self.platform($0)) }, "\(wanted)")
            #expect(result.stderr.contains("alerts written after filters: \(lines.count)"))
        }
        let comma = try fixture.replay(["--context", "host,docker"])
        #expect(comma.stdout == (try fixture.replay(["--context", "host", "--context", "docker"])).stdout)
        let bad = try Loupe.run(["replay", fixture.capture] + fixture.inputs + ["--context", "vm"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--context expects"))
    }

    @Test func namespaceAndPodFilters() throws {
        let fixture = try Fixture()
        let all = Self.lines(try fixture.replay([]).stdout)
        let pods = try all.filter { try Self.platform($0) == "kubernetes" }
        let namespace = try #require(try pods.first.map { try Self.kubernetes($0, "namespace") })
        let byNamespace = Self.lines(try fixture.replay(["--namespace", namespace]).stdout)
        #expect(!byNamespace.isEmpty)
        #expect(try byNamespace == pods.filter { try Self.kubernetes($0, "namespace") == namespace })

        let pod = try Self.kubernetes(pods[0], "podName")
        let byPod = Self.lines(try fixture.replay(["--pod", pod]).stdout)
        #expect(!byPod.isEmpty)
        #expect(try byPod == pods.filter { try Self.kubernetes($0, "podName") == pod })
        let both = Self.lines(try fixture.replay(["--namespace", namespace, "--pod", pod, "--context", "host"]).stdout)
        #expect(both.isEmpty)
        #expect(Self.lines(try fixture.replay(["--namespace", "no-such-namespace"]).stdout).isEmpty)
    }

    @Test func progressLineGoesToStandardErrorOnlyWhenAsked() throws {
        let fixture = try Fixture()
        let plain = try fixture.replay([])
        #expect(!plain.stderr.contains("records/s"))
        let shown = try fixture.replay(["--progress", "always"])
        #expect(shown.stdout == plain.stdout)
        #expect(shown.stderr.contains("replay: 20015 records"), "\(shown.stderr)")
        #expect(shown.stderr.contains("M records/s, at +"))
        let bad = try Loupe.run(["replay", fixture.capture] + fixture.inputs + ["--progress", "sometimes"])
        #expect(bad.status == 64)
    }

    @Test func noLookaheadOnlyDropsLateAttributions() throws {
        let fixture = try Fixture()
        let all = Self.lines(try fixture.replay([]).stdout)
        let live = Self.lines(try fixture.replay(["--no-lookahead"]).stdout)
        #expect(live == all.filter { !$0.contains("\"lateAttribution\":true") })
    }

    @Test func benchRulesReportsEveryEvaluatedRule() throws {
        let fixture = try Fixture()
        let result = try Loupe.run(["bench", "rules", fixture.capture] + fixture.inputs + ["--runs", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try Self.object(result.stdout)
        #expect(object["records"] as? Int == 20015)
        let rules = try #require(object["rules"] as? [[String: Any]])
        #expect(Set(rules.compactMap { $0["id"] as? String }) == ["R1000", "R1002", "R1008", "R1010"])
        for rule in rules {
            #expect((rule["evaluations"] as? Int ?? 0) > 0)
            #expect((rule["p50Ns"] as? Int ?? 0) >= (rule["minNs"] as? Int ?? 0))
        }
        let table = try Loupe.run(["bench", "rules", fixture.capture] + fixture.inputs + ["--runs", "1"])
        #expect(table.stdout.contains("rule          evaluations"))
    }
}
