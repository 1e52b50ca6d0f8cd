import Foundation
import Testing

/// `loupe corpus verify` over the repository's regression corpus (corpus/): real captures of
/// attack scenarios and their expected alerts (docs/corpus.md).
@Suite struct CorpusTests {
    /// corpus/ of this checkout.
    static let corpus: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url = url.deletingLastPathComponent() }
        return url.appendingPathComponent("corpus").path
    }()

    static func scenarios() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: corpus).filter {
            FileManager.default.fileExists(atPath: corpus + "/" + $0 + "/expected.jsonl")
        }.sorted()
    }

    @Test func everyScenarioMatchesItsExpectedAlerts() throws {
        let scenarios = try Self.scenarios()
        #expect(scenarios.count >= 10, "\(scenarios)")
        let result = try Loupe.run(["corpus", "verify", Self.corpus])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        for name in scenarios { #expect(result.stdout.contains("ok \(name): "), "\(name)") }
        #expect(result.stdout.hasSuffix("\(scenarios.count) scenarios, all match\n"))
    }

    /// A pod recorded with a volume: the capture carries its mount point, inspect shows it and
    /// R1004 (exec from a mount) fires on it.
    @Test func volumeMountPointsAreRecordedAndShown() throws {
        let capture = Self.corpus + "/exec-mount-pod/capture"
        let text = try Loupe.run(["inspect", capture])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("pod corpus/exec-mount-pod"))
        #expect(text.stdout.contains("mounts /mnt/tools"), "\(text.stdout)")
        let expected = try String(contentsOfFile: Self.corpus + "/exec-mount-pod/expected.jsonl", encoding: .utf8)
        #expect(expected.contains(#""RuleID":"R1004""#))
    }

    @Test func benignScenariosExpectNoAlertsAndAttacksExpectSome() throws {
        for name in try Self.scenarios() {
            let expected = try String(contentsOfFile: Self.corpus + "/" + name + "/expected.jsonl", encoding: .utf8)
            if name.hasPrefix("benign-") {
                #expect(expected.isEmpty, "\(name) must raise no alert")
            }
            #expect(FileManager.default.fileExists(atPath: Self.corpus + "/" + name + "/README.md"), "\(name)")
        }
    }

    @Test func aChangedExpectationIsReportedByRuleAndUpdateRestoresIt() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Self.corpus + "/kmod-host", toPath: directory + "/kmod-host")
        let expectedPath = directory + "/kmod-host/expected.jsonl"
        let original = try String(contentsOfFile: expectedPath, encoding: .utf8)
        var lines = original.split(separator: "\n").map(String.init)
        try #require(lines.count >= 2 && lines[0].contains("\"RuleID\":\"R1002\""))
        // The first alert now names a rule that does not exist; the second is gone.
        lines[0] = lines[0].replacingOccurrences(of: "\"RuleID\":\"R1002\"", with: "\"RuleID\":\"R9999\"")
        lines.remove(at: 1)
        try (lines.joined(separator: "\n") + "\n").write(toFile: expectedPath, atomically: true, encoding: .utf8)

        let failed = try Loupe.run(["corpus", "verify", directory])
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stdout.contains("FAIL kmod-host: 1 disappeared, 2 appeared, 0 changed"), "\(failed.stdout)")
        #expect(failed.stdout.contains("- disappeared: R9999 [host]"), "\(failed.stdout)")
        #expect(failed.stdout.contains("+ appeared:    R1002 [host] corpus-attack/"), "\(failed.stdout)")
        #expect(failed.stdout.contains("1 scenarios, 1 differ: kmod-host"))

        // A changed field of an otherwise identical alert is shown as a change.
        lines = original.split(separator: "\n").map(String.init)
        lines[0] = lines[0].replacingOccurrences(of: "\"severity\":10", with: "\"severity\":3")
        try (lines.joined(separator: "\n") + "\n").write(toFile: expectedPath, atomically: true, encoding: .utf8)
        let changed = try Loupe.run(["corpus", "verify", directory])
        #expect(changed.status == 1)
        #expect(changed.stdout.contains("~ changed:     R1002 [host]"), "\(changed.stdout)")
        #expect(changed.stdout.contains("BaseRuntimeMetadata.severity: 3 -> 10"), "\(changed.stdout)")

        let update = try Loupe.run(["corpus", "verify", directory, "--update"])
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stdout.contains("updated kmod-host: 2 alerts"))
        #expect(try String(contentsOfFile: expectedPath, encoding: .utf8) == original)
        #expect(try Loupe.run(["corpus", "verify", directory]).status == 0)
    }

    @Test func missingCorpusIsNoInput() throws {
        let result = try Loupe.run(["corpus", "verify", "/nonexistent/corpus"])
        #expect(result.status == 66)
        #expect(result.stderr.contains("/nonexistent/corpus"))
    }

    /// Scenarios judged against learned profiles (corpus/<scenario>/profiles/).
    static func profileScenarios() throws -> [String] {
        try scenarios().filter { FileManager.default.fileExists(atPath: corpus + "/" + $0 + "/profiles") }
    }

    /// The value of `key: value` in a profile file (the writer puts one per line).
    static func field(_ key: String, in text: String) -> String? {
        text.split(separator: "\n").lazy.compactMap { line -> String? in
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix(key + ": ") else { return nil }
            return String(trimmed.dropFirst(key.count + 2))
        }.first
    }

    @Test func profilesAreWhatTheLearningRunGives() throws {
        let scenarios = try Self.profileScenarios()
        #expect(scenarios.count >= 6, "\(scenarios)")
        let output = temporaryDirectory() + ".yaml"
        defer { try? FileManager.default.removeItem(atPath: output) }
        for name in scenarios {
            let directory = Self.corpus + "/" + name
            #expect(FileManager.default.fileExists(atPath: directory + "/learn"), "\(name) keeps its learning run")
            for file in try FileManager.default.contentsOfDirectory(atPath: directory + "/profiles") {
                let text = try String(contentsOfFile: directory + "/profiles/" + file, encoding: .utf8)
                let id = try #require(Self.field("loupe.dev/learned-from", in: text), "\(name)/\(file)")
                let kind = try #require(Self.field("kubescape.io/workload-kind", in: text))
                let workload = try #require(Self.field("kubescape.io/workload-name", in: text))
                let result = try Loupe.run([
                    "profile", "learn", directory + "/learn", "--container", id, "--workload", "\(kind)/\(workload)",
                    "-o", output,
                ])
                #expect(result.status == 0, "\(name): \(result.stderr)")
                #expect(try String(contentsOfFile: output, encoding: .utf8) == text, "\(name)/\(file) is stale")
            }
        }
    }

    @Test func profilesAreUsedAndANoisyLearningRunFails() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scenario = directory + "/synth-pod"
        try FileManager.default.createDirectory(atPath: scenario + "/profiles", withIntermediateDirectories: true)
        #expect(try Loupe.run(["synth", "-o", scenario + "/learn", "--events", "20000", "--seed", "3"]).status == 0)
        #expect(try Loupe.run(["synth", "-o", scenario + "/capture", "--events", "20000", "--seed", "3"]).status == 0)
        // Learned from the first 100 ms only: the rest of the same run is news to it.
        let learned = try Loupe.run([
            "profile", "learn", scenario + "/learn", "--pod", "redis-1-7f9c", "--until", "+100ms", "-o",
            scenario + "/profiles/redis.yaml",
        ])
        #expect(learned.status == 0, "\(learned.stderr)")
        let noisy = try Loupe.run(["corpus", "verify", directory, "--update"])
        #expect(noisy.status == 1, "\(noisy.stdout)")
        #expect(noisy.stdout.contains("FAIL synth-pod: its learning run raised "), "\(noisy.stdout)")
        #expect(noisy.stdout.contains("  + appeared:    R0001 [kubernetes] "), "\(noisy.stdout)")
        #expect(!FileManager.default.fileExists(atPath: scenario + "/expected.jsonl"))

        // Without the learning run, the scenario is replayed with its profiles: they matter.
        try FileManager.default.removeItem(atPath: scenario + "/learn")
        let update = try Loupe.run(["corpus", "verify", directory, "--update"])
        #expect(update.status == 0, "\(update.stdout)")
        let expected = try String(contentsOfFile: scenario + "/expected.jsonl", encoding: .utf8)
        #expect(expected.contains("\"RuleID\":\"R0001\""))
        #expect(try Loupe.run(["corpus", "verify", directory]).status == 0)
        try FileManager.default.removeItem(atPath: scenario + "/profiles")
        let without = try Loupe.run(["corpus", "verify", directory])
        #expect(without.status == 1)
        #expect(without.stdout.contains("  - disappeared: R0001 [kubernetes] "), "\(without.stdout)")
    }
}
