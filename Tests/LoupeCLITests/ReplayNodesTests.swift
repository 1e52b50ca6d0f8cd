import Foundation
import Testing

/// `loupe replay` with threads, several captures (nodes), `--container` and `--format pretty`:
/// the determinism contract (same bytes for any thread count, segmentation, run) and the
/// merge order, on synthetic captures.
@Suite struct ReplayNodesTests {
    /// A directory of synthetic captures, removed at the end.
    final class Captures {
        let dir = temporaryDirectory()
        static let config: String = {
            var path = #filePath
            for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
            return path + "/examples/loupe.yaml"
        }()

        init() throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        /// A capture of `events` records from `seed`, written with extra writer options.
        func synth(_ name: String, events: Int = 20000, seed: Int = 1, _ options: [String] = []) throws -> String {
            let path = "\(dir)/\(name)"
            let result = try Loupe.run(
                ["synth", "-o", path, "--events", String(events), "--seed", String(seed)] + options)
            #expect(result.status == 0, "\(result.stderr)")
            return path
        }

        /// Replays with the built-in rules and every context on; expects `status`.
        func replay(_ captures: [String], _ extra: [String] = [], status: Int32 = 0) throws -> Loupe.Result {
            let result = try Loupe.run(
                ["replay"] + captures + ["--config", Self.config, "--progress", "never"] + extra)
            #expect(result.status == status, "\(result.stderr)")
            return result
        }
    }

    static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    static func object(_ line: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    static func base(_ line: String) throws -> [String: Any] {
        try #require(try object(line)["BaseRuntimeMetadata"] as? [String: Any])
    }

    /// RFC 3339 with nanoseconds and a fixed width in these captures: sortable as text.
    static func time(_ line: String) throws -> String { try base(line)["timestamp"] as? String ?? "" }

    // MARK: Determinism

    @Test func sameBytesForEveryThreadCountAndRun() throws {
        let captures = try Captures()
        let capture = try captures.synth("cap")
        let one = try captures.replay([capture], ["--threads", "1"])
        #expect(Self.lines(one.stdout).count > 50)
        for threads in ["2", "4", "7"] {
            let many = try captures.replay([capture], ["--threads", threads])
            #expect(many.stdout == one.stdout, "--threads \(threads)")
            #expect(many.stderr == one.stderr, "--threads \(threads): the summary too")
        }
        // Two runs, default threads.
        let first = try captures.replay([capture])
        let second = try captures.replay([capture])
        #expect(first.stdout == one.stdout)
        #expect(second.stdout == first.stdout)
        // Text output follows the same order.
        let pretty1 = try captures.replay([capture], ["--threads", "1", "--format", "pretty"])
        let pretty4 = try captures.replay([capture], ["--threads", "4", "--format", "pretty"])
        #expect(!pretty1.stdout.isEmpty)
        #expect(pretty4.stdout == pretty1.stdout)
    }

    @Test func splitCaptureGivesTheSameAlertsAsOneSegment() throws {
        let captures = try Captures()
        let whole = try captures.synth("whole", seed: 4)
        let split = try captures.synth("split", seed: 4, ["--segment-size", "64K", "--block-size", "8K"])
        let segments = try FileManager.default.contentsOfDirectory(atPath: split).filter { $0.hasSuffix(".loupe") }
        #expect(segments.count >= 5, "the split capture must really be split: \(segments)")
        let reference = try captures.replay([whole], ["--threads", "1"])
        #expect(!reference.stdout.isEmpty)
        for threads in ["1", "3"] {
            let result = try captures.replay([split], ["--threads", threads])
            #expect(result.stdout == reference.stdout, "split, --threads \(threads)")
        }
        // A window too: the state before --since comes from the earlier segments either way.
        let window = ["--since", "+100ms", "--until", "+300ms"]
        let wholeWindow = try captures.replay([whole], window + ["--threads", "1"])
        #expect(!wholeWindow.stdout.isEmpty)
        #expect(try captures.replay([split], window + ["--threads", "4"]).stdout == wholeWindow.stdout)
    }

    @Test func damageIsReportedTheSameWithThreads() throws {
        let captures = try Captures()
        let capture = try captures.synth("cap", ["--segment-size", "64K", "--block-size", "8K"])
        // A corrupt block in one segment, another segment cut short, a third not a segment at all.
        let second = "\(capture)/seg-00000002.loupe"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: second))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: second))
        let third = "\(capture)/seg-00000003.loupe"
        let cut = try Data(contentsOf: URL(fileURLWithPath: third))
        try cut.prefix(cut.count * 2 / 3).write(to: URL(fileURLWithPath: third))
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: "\(capture)/seg-00000004.loupe"))

        let one = try captures.replay([capture], ["--threads", "1"], status: 65)
        #expect(!one.stdout.isEmpty, "everything readable is still replayed")
        #expect(one.stderr.contains("warning: damage: \(second)"))
        #expect(one.stderr.contains("warning: damage: \(third)"))
        #expect(one.stderr.contains("warning: segment skipped: \(capture)/seg-00000004.loupe"))
        let four = try captures.replay([capture], ["--threads", "4"], status: 65)
        #expect(four.stdout == one.stdout)
        #expect(four.stderr == one.stderr)
    }

    // MARK: Several nodes

    @Test func nodesAreMergedByTimeAndKeepTheirOwnOrder() throws {
        let captures = try Captures()
        let a = try captures.synth("a", seed: 2)
        let b = try captures.synth("b", seed: 3, ["--segment-size", "64K"])
        let c = try captures.synth("c", events: 10000, seed: 5)
        let alone = try [a, b, c].map { Self.lines(try captures.replay([$0]).stdout) }
        for lines in alone { #expect(!lines.isEmpty) }

        // The expected stream: repeatedly the earliest head, ties to the earlier argument.
        var heads = [0, 0, 0]
        var expected: [String] = []
        while true {
            var best: Int?
            for node in 0..<3 where heads[node] < alone[node].count {
                if let current = best {
                    if try Self.time(alone[node][heads[node]]) < Self.time(alone[current][heads[current]]) {
                        best = node
                    }
                } else {
                    best = node
                }
            }
            guard let best else { break }
            expected.append(alone[best][heads[best]])
            heads[best] += 1
        }
        let merged = try captures.replay([a, b, c], ["--threads", "1"])
        #expect(Self.lines(merged.stdout) == expected)
        // Interleaved, not concatenated: these captures overlap in time.
        #expect(Self.lines(merged.stdout).prefix(alone[0].count) != alone[0][...])
        for threads in ["2", "3", "8"] {
            let result = try captures.replay([a, b, c], ["--threads", threads])
            #expect(result.stdout == merged.stdout, "--threads \(threads)")
            #expect(result.stderr == merged.stderr, "--threads \(threads)")
        }

        // The summary: each node under its path, then totals.
        #expect(merged.stderr.contains("node 1 of 3: \(a) (host synth-node-1)\n  records: 20015\n"))
        #expect(merged.stderr.contains("node 3 of 3: \(c) (host synth-node-1)\n  records: 10015\n"))
        #expect(merged.stderr.contains("all 3 nodes:\n  records: 50045\n"))
        let total = alone.reduce(0) { $0 + $1.count }
        #expect(merged.stderr.contains("all 3 nodes:\n  records: 50045\n  records by kind:\n"))
        // The totals' records by kind add up to the records.
        let totals = try #require(merged.stderr.components(separatedBy: "all 3 nodes:\n").last)
        let byKind = totals.components(separatedBy: "  records by kind:\n")[1].components(separatedBy: "  events: ")[0]
        let kinds = byKind.split(separator: "\n").compactMap { Int($0.split(separator: ": ").last ?? "") }
        #expect(kinds.reduce(0, +) == 50045)
        #expect(byKind.contains("    exec: ") && byKind.contains("    container_snapshot: "))
        #expect(merged.stderr.contains("\n  alerts: \(total)\n"), "totals add up")
    }

    @Test func tiesGoToTheCaptureGivenFirst() throws {
        // Two copies of one capture: every alert ties with its copy.
        let captures = try Captures()
        let a = try captures.synth("a", seed: 6)
        try FileManager.default.copyItem(atPath: a, toPath: "\(captures.dir)/copy")
        let alone = Self.lines(try captures.replay([a]).stdout)
        #expect(!alone.isEmpty)
        let both = Self.lines(try captures.replay([a, "\(captures.dir)/copy"], ["--threads", "2"]).stdout)
        #expect(both == alone.flatMap { [$0, $0] })
    }

    @Test func filtersFormatAndProgressApplyToTheMergedStream() throws {
        let captures = try Captures()
        let a = try captures.synth("a", seed: 2)
        let b = try captures.synth("b", seed: 3)
        let all = Self.lines(try captures.replay([a, b]).stdout)
        let host = Self.lines(try captures.replay([a, b], ["--context", "host"]).stdout)
        #expect(!host.isEmpty)
        #expect(try host == all.filter { try Self.object($0)["AlertPlatform"] as? String == "host" })

        let shown = try captures.replay([a, b], ["--progress", "always"])
        #expect(shown.stderr.contains("replay: 40030 records"), "\(shown.stderr)")
        #expect(shown.stderr.contains("2 of 2 nodes done, 100%"))
        #expect(Self.lines(shown.stdout) == all)
    }

    @Test func damageOrAMissingCaptureAmongSeveral() throws {
        let captures = try Captures()
        let good = try captures.synth("good", seed: 2)
        let bad = try captures.synth("bad", seed: 3, ["--block-size", "8K"])
        let segment = "\(bad)/seg-00000001.loupe"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: segment))

        let alone = try captures.replay([good]).stdout
        let result = try captures.replay([good, bad], status: 65)
        #expect(result.stderr.contains("capture \(bad):\nwarning: damage: \(segment)"))
        #expect(!result.stderr.contains("capture \(good):"))
        // The good node's alerts are all there, in their order.
        let lines = Set(Self.lines(result.stdout))
        #expect(Self.lines(alone).allSatisfy(lines.contains))

        let missing = try captures.replay([good, "\(captures.dir)/nothing"], status: 66)
        #expect(missing.stdout.isEmpty, "nothing is replayed when a capture is missing")
        #expect(missing.stderr.contains("\(captures.dir)/nothing"))
    }

    // MARK: --container

    @Test func containerFilterMatchesNameIdAndLongIdPrefix() throws {
        let captures = try Captures()
        let capture = try captures.synth("cap", seed: 1)
        let all = Self.lines(try captures.replay([capture]).stdout)
        let docker = try all.filter { try Self.object($0)["AlertPlatform"] as? String == "docker" }
        let first = try #require(docker.first)
        let details = try #require(try Self.object(first)["DockerDetails"] as? [String: Any])
        let name = try #require(details["containerName"] as? String)
        let id = try #require(details["containerId"] as? String)
        let expected = try all.filter {
            ((try Self.object($0)["RuntimeProcessDetails"] as? [String: Any])?["containerID"] as? String) == id
        }
        #expect(!expected.isEmpty)
        for value in [name, id, String(id.prefix(12))] {
            let result = try captures.replay([capture], ["--container", value])
            #expect(Self.lines(result.stdout) == expected, "--container \(value)")
            #expect(result.stderr.contains("alerts written after filters: \(expected.count)\n"))
        }
        // Shorter prefixes are not ids.
        #expect(try captures.replay([capture], ["--container", String(id.prefix(11))]).stdout.isEmpty)

        // A pod container by its pod-spec name: every pod's container of that name.
        let pods = try all.filter { try Self.object($0)["AlertPlatform"] as? String == "kubernetes" }
        let pod = try #require(pods.first)
        let podContainer = try #require(
            (try Self.object(pod)["RuntimeK8sDetails"] as? [String: Any])?["containerName"] as? String)
        let byPodName = Self.lines(try captures.replay([capture], ["--container", podContainer]).stdout)
        #expect(!byPodName.isEmpty)
        for line in byPodName {
            let k8s = try Self.object(line)["RuntimeK8sDetails"] as? [String: Any]
            let dockerName = (try Self.object(line)["DockerDetails"] as? [String: Any])?["containerName"] as? String
            #expect(k8s?["containerName"] as? String == podContainer || dockerName == podContainer)
        }

        // Repeatable (either container), and ANDed with other kinds of filter.
        let either = Self.lines(
            try captures.replay([capture], ["--container", name, "--container", podContainer]).stdout)
        #expect(Set(either) == Set(expected + byPodName))
        #expect(try captures.replay([capture], ["--container", id, "--context", "host"]).stdout.isEmpty)
    }

    // MARK: --format pretty

    @Test func prettyTextHasOneBlockPerAlert() throws {
        let captures = try Captures()
        let capture = try captures.synth("cap", seed: 1)
        let json = Self.lines(try captures.replay([capture]).stdout)
        let pretty = try captures.replay([capture], ["--format", "pretty"])
        let blocks = pretty.stdout.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(blocks.count == json.count)
        #expect(pretty.stdout.hasSuffix("\n\n"))
        for (line, block) in zip(json, blocks) {
            let object = try Self.object(line)
            let base = try Self.base(line)
            let rows = block.split(separator: "\n").map(String.init)
            let severity = base["severity"] as? Int ?? -1
            #expect(
                rows[0]
                    == "\(base["timestamp"] as? String ?? "")  severity \(severity)  \(object["RuleID"] as? String ?? "") \(base["alertName"] as? String ?? "")"
            )
            #expect(rows[1].hasPrefix("  context   \(object["AlertPlatform"] as? String ?? "")"))
            #expect(rows.contains("  message   \(object["message"] as? String ?? "")"))
            // The lineage: root first, indented deeper each level, the alert's process last.
            let process = try #require(rows.firstIndex { $0.hasPrefix("  process   ") })
            var last = process
            while last + 1 < rows.count && rows[last + 1].hasPrefix("              ") { last += 1 }
            let pid = base["infectedPID"] as? Int ?? -1
            #expect(rows[last].dropFirst(12).trimmingCharacters(in: .whitespaces).hasPrefix("\(pid) "), "\(block)")
            if last > process {
                let indent = rows[last].prefix { $0 == " " }.count
                #expect(indent == 12 + 2 * (last - process))
            }
            let mitre = [base["mitreTactic"] as? String, base["mitreTechnique"] as? String].compactMap { $0 }
            if !mitre.isEmpty { #expect(rows.contains("  mitre     " + mitre.joined(separator: " "))) }
        }

        // --output gets the same text; exporters keep JSON.
        let path = "\(captures.dir)/alerts.txt"
        #expect(try captures.replay([capture], ["--format", "pretty", "--output", path]).stdout.isEmpty)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == pretty.stdout)
        let jsonFile = "\(captures.dir)/alerts.jsonl"
        let exported = try captures.replay(
            [capture], ["--format", "pretty", "--exporter", "stdout", "--exporter", "file=\(jsonFile)"])
        #expect(exported.stdout == pretty.stdout)
        #expect(Self.lines(try String(contentsOfFile: jsonFile, encoding: .utf8)) == json)
    }

    @Test func prettyTextEscapesControlCharacters() throws {
        let captures = try Captures()
        let capture = try captures.synth("cap", seed: 1)
        let rules = """
            apiVersion: kubescape.io/v1
            kind: Rules
            metadata:
              name: escapes
            spec:
              rules:
              - id: X0001
                name: "Shell \\e[31mred"
                severity: 4
                profileDependency: 2
                expressions:
                  message: "'bell\\\\x07 rlo\\\\u202e ' + event.exepath"
                  uniqueId: "event.exepath"
                  ruleExpression:
                  - eventType: exec
                    expression: "event.exepath.startsWith('/dev/shm/')"
            """
        try rules.write(toFile: "\(captures.dir)/rules.yaml", atomically: true, encoding: .utf8)
        let arguments = ["--rules", "\(captures.dir)/rules.yaml"]
        let json = try captures.replay([capture], arguments)
        #expect(json.stdout.contains("bell\\u0007 rlo\u{202E} /dev/shm/"), "\(json.stdout.prefix(600))")
        let pretty = try captures.replay([capture], arguments + ["--format", "pretty"])
        #expect(pretty.stdout.contains("  message   bell\\x07 rlo\\u{202e} /dev/shm/"))
        #expect(pretty.stdout.contains("X0001 Shell \\x1b[31mred\n"))
        #expect(!pretty.stdout.unicodeScalars.contains { $0.value == 0x07 || $0.value == 0x1B || $0.value == 0x202E })
    }

    // MARK: Usage errors

    @Test(arguments: [
        (["--threads", "0"], "--threads expects an integer in 1...256, got '0'"),
        (["--threads", "many"], "--threads expects an integer in 1...256, got 'many'"),
        (["--format", "xml"], "--format expects jsonl or pretty, got 'xml'"),
        (["--container", ""], "--container expects a container name or id"),
        (["--threads"], "missing value for '--threads'"),
    ])
    func badValuesExit64(extra: [String], message: String) throws {
        let captures = try Captures()
        let capture = try captures.synth("cap", events: 100)
        let result = try captures.replay([capture], extra, status: 64)
        #expect(result.stderr.hasPrefix("Error: \(message)"), "\(result.stderr)")
        #expect(result.stderr.hasSuffix("See 'loupe replay --help'.\n"))
        #expect(result.stdout.isEmpty)
    }

    @Test func aCaptureGivenTwiceIsAUsageError() throws {
        let captures = try Captures()
        let capture = try captures.synth("cap", events: 100)
        let result = try captures.replay([capture, capture], status: 64)
        #expect(result.stderr.hasPrefix("Error: capture '\(capture)' is given twice"))
    }

    @Test func optionsMayComeBeforeTheCaptures() throws {
        let captures = try Captures()
        let capture = try captures.synth("cap", events: 5000)
        let after = try captures.replay([capture], ["--threads", "2"])
        let before = try Loupe.run(
            ["replay", "--threads", "2", "--config", Captures.config, "--progress", "never", capture])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout == after.stdout)
    }

    @Test func helpDescribesTheNewOptions() throws {
        let help = try Loupe.run(["replay", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.hasPrefix("Usage: loupe replay CAPTURE... "))
        for option in ["--threads N", "--format F", "--container NAME|ID"] {
            #expect(help.stdout.contains("  \(option)"), "\(option)")
        }
    }
}
