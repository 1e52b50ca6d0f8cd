import LoupeModel
import Testing

@testable import LoupeEngine

/// The built-in default rule set: it matches its canonical YAML, compiles through the engine as
/// replay builds it, carries upstream's metadata, and passes its rule-level test cases.
@Suite struct DefaultRulesTests {
    /// The repository root, from this file's path.
    static let root: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    /// Facts §5: id, event types, severity, profile dependency.
    static let upstream: [(String, [String], Int64, ProfileDependency)] = [
        ("R0001", ["exec"], 1, .required), ("R0002", ["open"], 1, .required),
        ("R0003", ["syscall"], 1, .required), ("R0004", ["capabilities"], 1, .required),
        ("R0005", ["dns"], 1, .required), ("R0006", ["open"], 5, .required),
        ("R0007", ["exec", "network"], 5, .required), ("R0008", ["open"], 5, .required),
        ("R0009", ["bpf"], 5, .optional), ("R0010", ["open"], 5, .optional),
        ("R0011", ["network"], 5, .required), ("R0040", ["exec"], 3, .required),
        ("R1000", ["exec"], 8, .notRequired), ("R1001", ["exec"], 8, .optional),
        ("R1002", ["kmod"], 10, .notRequired), ("R1003", ["ssh"], 5, .optional),
        ("R1004", ["exec"], 5, .optional), ("R1005", ["exec"], 8, .notRequired),
        ("R1006", ["unshare"], 5, .optional), ("R1007", ["randomx"], 10, .notRequired),
        ("R1008", ["dns"], 10, .notRequired), ("R1009", ["network"], 3, .optional),
        ("R1010", ["symlink"], 5, .optional), ("R1011", ["exec", "open"], 5, .optional),
        ("R1012", ["hardlink"], 5, .optional), ("R1015", ["ptrace"], 5, .notRequired),
        ("R1030", ["iouring"], 5, .required),
    ]

    @Test func embeddedTextIsTheCanonicalFile() throws {
        let file = try InputFiles.readText("\(Self.root)/rules/default-rules.yaml")
        #expect(file.hasSuffix("\n"))
        #expect(
            DefaultRules.yaml == String(file.dropLast()),
            "Sources/LoupeEngine/DefaultRules/DefaultRules.swift is stale: run scripts/gen-default-rules.sh")
    }

    @Test func compilesThroughTheReplayEngine() throws {
        let rules = try DefaultRules.load()
        let host = HostInfo(hostname: "n", hostMntns: 100, clock: ClockAnchor(bootTime: 0, wallTime: 0))
        let engine = try Engine(EngineInputs(rules: rules, host: host))
        #expect(engine.ruleIDs == Self.upstream.map(\.0))
    }

    @Test func carriesUpstreamMetadata() throws {
        let rules = try DefaultRules.load()
        #expect(rules.count == Self.upstream.count)
        for ((id, types, severity, dependency), rule) in zip(Self.upstream, rules) {
            #expect(rule.id == id)
            #expect(rule.eventTypes.map(\.name) == types, "\(id)")
            #expect(rule.severity == severity, "\(id)")
            #expect(rule.profileDependency == dependency, "\(id)")
            #expect(rule.enabled == !["R0002", "R0011"].contains(id), "\(id)")
            #expect(rule.mitreTactic.hasPrefix("TA"), "\(id)")
            #expect(rule.mitreTechnique.hasPrefix("T"), "\(id)")
            #expect(!rule.description.isEmpty, "\(id)")
            #expect(!rule.contextTags.isEmpty, "\(id) has no context: tags")
            if dependency == .required {
                #expect(rule.contextTags == ["kubernetes"], "\(id) needs a profile: pods only")
            }
        }
        #expect(rules.first { $0.id == "R1000" }?.name == "Process executed from /dev/shm")
        #expect(rules.first { $0.id == "R0001" }?.name == "Unexpected process launched")
    }

    @Test func everyRuleHasPassingPositiveAndNegativeCases() throws {
        let rules = try DefaultRules.load()
        let cases = try RuleTests.load(path: "\(Self.root)/rules/default-rules.tests.yaml")
        let results = try RuleTests.run(cases, rules: rules)
        for result in results where !result.passed && result.counts {
            Issue.record(
                "\(result.testCase.ruleID) \(result.testCase.name) (\(result.testCase.location)): \(result.detail)")
        }
        for rule in rules {
            let mine = cases.filter { $0.ruleID == rule.id }
            #expect(mine.contains { $0.expectation == .alert }, "\(rule.id) has no positive case")
            #expect(mine.contains { $0.expectation == .none }, "\(rule.id) has no negative case")
        }
    }

    @Test func replayAlertsWithTheDefaultRules() throws {
        let engine = try World.engine(DefaultRules.yaml)
        let shm = engine.apply(World.exec("/dev/shm/.x", mntns: 100))
        #expect(shm.map(\.ruleID) == ["R1000"])
        #expect(shm.first?.message == "Execution from /dev/shm: /dev/shm/.x")
        let link = engine.apply(
            World.event(.symlink(LinkEvent(oldPath: "/etc/shadow", newPath: "/tmp/.s")), mntns: 300))
        #expect(link.map(\.ruleID) == ["R1010"])
        let dns = engine.apply(World.event(.dns(DNSEvent(name: "pool.minexmr.com.")), mntns: 200))
        #expect(dns.map(\.ruleID) == ["R1008"])
        let preload = engine.apply(World.exec("/usr/bin/id", pid: 5000, mntns: 100, env: ["LD_PRELOAD=/tmp/h.so"]))
        #expect(preload.map(\.ruleID) == ["R1011"])
        // Profile-required rules stay silent without a profile.
        #expect(engine.apply(World.exec("/usr/bin/kubectl", pid: 5001, mntns: 200)).isEmpty)
        #expect(engine.stats.evalErrorsByRule.isEmpty)
    }

    @Test func caseFileErrorsNamePositions() {
        let unknown = "kind: RuleTests\ncases:\n- rule: R1000\n  event: {type: exec, path: /x}\n  expect: alert\n"
        #expect(throws: InputError.self) { try RuleTests.parse(text: unknown, file: "t.yaml") }
        do {
            _ = try RuleTests.parse(text: unknown, file: "t.yaml")
        } catch {
            #expect(error.description.hasPrefix("t.yaml:4:23: error: unknown key \"path\" in cases[0].event"))
        }
        let expect = "kind: RuleTests\ncases:\n- rule: R1000\n  event: {type: exec}\n  expect: maybe\n"
        do {
            _ = try RuleTests.parse(text: expect, file: "t.yaml")
            Issue.record("accepted expect: maybe")
        } catch {
            #expect(
                error.description == "t.yaml:5:11: error: expected alert or none for cases[0].expect, found \"maybe\"")
        }
        let profileOnHost =
            "kind: RuleTests\ncases:\n- rule: R1000\n  context: host\n  profile: {execs: [/x]}\n  event: {type: exec}\n  expect: none\n"
        #expect(throws: InputError.self) { try RuleTests.parse(text: profileOnHost) }
    }

    @Test func failingCasesAreReported() throws {
        let text = """
            kind: RuleTests
            cases:
            - rule: R1000
              event: {type: exec, exepath: /usr/bin/ls}
              expect: alert
            - rule: R1000
              event: {type: exec, exepath: /dev/shm/x}
              expect: alert
              message: wrong
            - rule: R9999
              event: {type: exec}
              expect: none
            """
        let results = try RuleTests.run(try RuleTests.parse(text: text), rules: try DefaultRules.load())
        #expect(results.map(\.passed) == [false, false, false])
        #expect(results[0].detail == "expected an alert, got none (the expression was false)")
        #expect(results[1].detail == "expected message \"wrong\", got \"Execution from /dev/shm: /dev/shm/x\"")
        #expect(results[2].detail == "no rule with id R9999 in the rule set")
    }
}
