import Foundation
import LoupeModel
import Testing

@testable import LoupeEngine

@Suite struct CoreSelectionTests {
    static let any = "event.exepath == '/tmp/x'"

    @Test func contextTags() throws {
        let engine = try World.engine(
            World.rules([
                ("H", "exec", Self.any, "tags: ['context:host']\n    profileDependency: 2"),
                ("C", "exec", Self.any, "tags: ['context:container']\n    profileDependency: 2"),
                ("S", "exec", Self.any, "tags: ['context:standalone']\n    profileDependency: 2"),
                ("K", "exec", Self.any, "tags: ['context:kubernetes']\n    profileDependency: 2"),
            ]))
        #expect(engine.apply(World.exec("/tmp/x", mntns: 100)).map(\.ruleID) == ["H"])
        #expect(engine.apply(World.exec("/tmp/x", mntns: 200)).map(\.ruleID) == ["C", "K"])
        #expect(engine.apply(World.exec("/tmp/x", mntns: 300)).map(\.ruleID) == ["C", "S"])
    }

    @Test func profileRequiredRules() throws {
        let engine = try World.engine(World.rules([("P", "exec", Self.any, "profileDependency: 0")]))
        #expect(engine.apply(World.exec("/tmp/x", mntns: 100)).isEmpty)
        #expect(engine.apply(World.exec("/tmp/x", mntns: 200)).isEmpty)
        #expect(engine.stats.suppressions[.profileMissing] == 2)
        let withProfile = try World.engine(
            World.rules([("P", "exec", Self.any, "profileDependency: 0")]), profiles: CoreHelperTests.profile)
        #expect(withProfile.apply(World.exec("/tmp/x", mntns: 200)).count == 1)
        #expect(withProfile.apply(World.exec("/tmp/x", mntns: 300)).isEmpty)
    }

    @Test func switchesAndIgnoreLists() throws {
        var config = LoupeConfig()
        config.hostMonitoring.ignoreProcesses = [try GlobPattern("x*")]
        let off = try World.engine(World.rules([("T", "exec", Self.any, "")]), config: config)
        #expect(off.apply(World.exec("/tmp/x", mntns: 300)).isEmpty)
        #expect(off.stats.suppressions[.contextDisabled] == 1)
        config.enableHostMonitoring = true
        config.enableDockerMonitoring = true
        config.dockerMonitoring.ignoreImages = [try GlobPattern("redis:*")]
        let ignoring = try World.engine(World.rules([("T", "exec", Self.any, "")]), config: config)
        #expect(ignoring.apply(World.exec("/tmp/x", mntns: 100)).isEmpty)
        #expect(ignoring.apply(World.exec("/tmp/x", mntns: 300)).isEmpty)
        #expect(ignoring.stats.suppressions[.ignored] == 2)
        #expect(ignoring.apply(World.exec("/tmp/x", mntns: 200)).count == 1)
    }

    @Test func bindingsSelectRulesForPods() throws {
        let bindings = """
            apiVersion: kubescape.io/v1
            kind: RuntimeRuleAlertBinding
            metadata:
              name: b
            spec:
              namespaceSelector:
                matchLabels:
                  kubernetes.io/metadata.name: shop
              podSelector:
                matchLabels:
                  app: web
              rules:
              - ruleID: A
              - ruleName: Rule O
                parameters:
                  ignorePrefixes: [/etc]
            """
        let rules = World.rules([
            ("A", "exec", Self.any, ""), ("B", "exec", Self.any, ""), ("O", "open", "true", ""),
        ])
        let engine = try World.engine(rules, bindings: bindings)
        #expect(engine.apply(World.exec("/tmp/x", mntns: 200)).map(\.ruleID) == ["A"])
        #expect(engine.apply(World.exec("/tmp/x", mntns: 300)).map(\.ruleID) == ["A", "B"])
        #expect(engine.apply(World.event(.open(OpenEvent(path: "/etc/passwd")), mntns: 200)).isEmpty)
        #expect(engine.stats.suppressions[.policy] == 1)
        #expect(engine.apply(World.event(.open(OpenEvent(path: "/etcetera")), mntns: 200)).count == 1)
        let unbound = try World.engine(rules, bindings: bindings.replacingOccurrences(of: "app: web", with: "app: db"))
        #expect(unbound.apply(World.exec("/tmp/x", mntns: 200)).isEmpty)
        #expect(unbound.stats.suppressions[.noRulesForPod] == 2)
    }

    @Test func prefilterKeys() {
        #expect(Prefilter.isUnder("/etc/passwd", "/etc"))
        #expect(Prefilter.isUnder("/etc", "/etc"))
        #expect(!Prefilter.isUnder("/etcx", "/etc"))
        #expect(Prefilter.isUnder("/etcx", "/etc/") == false)
        let p = Prefilter(
            InputMap([
                ("ports", .list([.int(3333)])), ("direction", .string("outbound")),
                ("excludeProcesses", .list([.map(InputMap([("name", .string("curl"))]))])),
            ]))
        let h = World.header(comm: "sh")
        #expect(p.admits(Event(header: h, payload: .network(NetworkEvent(dstPort: 3333))), parentPath: ""))
        #expect(!p.admits(Event(header: h, payload: .network(NetworkEvent(dstPort: 80))), parentPath: ""))
        #expect(
            !p.admits(
                Event(header: h, payload: .network(NetworkEvent(direction: .incoming, dstPort: 3333))), parentPath: ""))
        let curl = World.header(comm: "curl")
        #expect(!p.admits(Event(header: curl, payload: .network(NetworkEvent(dstPort: 3333))), parentPath: ""))
    }

    @Test func nonBoolIsEvalError() throws {
        let engine = try World.engine(World.rules([("E", "exec", "event.comm", "")]))
        #expect(engine.apply(World.exec("/tmp/x")).isEmpty)
        #expect(engine.stats.suppressions[.evalError] == 1)
        #expect(engine.stats.firstEvalError["E"]?.contains("expected bool") == true)
    }

    @Test func sameTypeExpressionsAreANDed() throws {
        var text = World.rules([("A", "exec", "event.comm == 'x'", "")])
        text += "      - eventType: exec\n        expression: \"event.pid == 1u\"\n"
        let engine = try World.engine(text)
        #expect(engine.apply(World.exec("/tmp/x")).isEmpty)
        #expect(engine.apply(World.exec("/tmp/x", pid: 1, ppid: 0)).count == 1)
    }
}

@Suite struct CoreCooldownTests {
    /// Feeds (key, time) pairs and returns which passed.
    static func run(_ s: CooldownSettings, _ hits: [(String, Int64)]) -> ([Bool], Int) {
        var c = Cooldown(settings: s)
        let passed = hits.map { c.admit(key: $0.0, time: $0.1) }
        return (passed, c.count)
    }

    @Test func eventTimeSlidingWindow() {
        var s = CooldownSettings()
        s.durationNanoseconds = 100
        // The repeat at 50 renews the window to 150, the one at 140 to 240, ...
        let (passed, _) = Self.run(s, [("k", 0), ("k", 50), ("k", 140), ("k", 239), ("k", 400), ("other", 400)])
        #expect(passed == [true, false, false, false, true, true])
    }

    @Test func afterCountAndLRU() {
        var s = CooldownSettings()
        s.afterCount = 2
        s.maxSize = 2
        // b is evicted by c (a was used more recently); b then passes again and evicts a.
        let (passed, count) = Self.run(
            s, [("a", 0), ("a", 1), ("a", 2), ("b", 3), ("a", 4), ("c", 5), ("b", 6), ("a", 7)])
        #expect(passed == [true, true, false, true, false, true, true, true])
        #expect(count == 2)
    }

    @Test func engineCooldownUsesEventTime() throws {
        let engine = try World.engine(World.rules([("T", "exec", "true", "")]))
        #expect(engine.apply(World.exec("/tmp/x", time: 2_000_000_000)).count == 1)
        #expect(engine.apply(World.exec("/tmp/x", time: 3_000_000_000)).isEmpty)
        #expect(engine.apply(World.exec("/tmp/x", time: 3_000_000_000 + 3_600_000_000_000)).count == 1)
        #expect(engine.stats.suppressions[.cooldown] == 1)
    }
}

@Suite struct CoreAlertTests {
    @Test(arguments: [(UInt64(100), "host"), (200, "kubernetes"), (300, "docker")])
    func goldenAlert(_ mntns: UInt64, _ name: String) throws {
        let engine = try World.engine(World.rules([("R1000", "exec", "event.exepath.startsWith('/dev/shm/')", "")]))
        _ = engine.apply(
            .processSnapshot(
                ProcessSnapshot(pid: 1, comm: "systemd", exepath: "/sbin/init", args: ["/sbin/init"], startTime: 500)))
        let alerts = engine.apply(World.exec("/dev/shm/.x", args: ["/dev/shm/.x", "-q"], mntns: mntns))
        let line = try #require(alerts.first).json()
        let path = "\(fixtures)/alerts/\(name).json"
        // LOUPE_UPDATE_GOLDEN=1 rewrites the golden files (review the diff).
        if getenv("LOUPE_UPDATE_GOLDEN") != nil {
            try (line + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(line + "\n" == expected)
    }

    @Test func workloadNames() {
        #expect(Workload.of(podName: "web-7d4b9c8f6d-x2k4p") == ("Deployment", "web"))
        #expect(Workload.of(podName: "db-0") == ("StatefulSet", "db"))
        #expect(Workload.of(podName: "agent-x2k4p") == ("DaemonSet", "agent"))
        #expect(Workload.of(podName: "debug") == ("Pod", "debug"))
        #expect(
            Workload.wlid(cluster: "lab", namespace: "shop", kind: "Deployment", name: "web")
                == "wlid://cluster-lab/namespace-shop/deployment-web")
    }
}

@Suite struct CoreReplayTests {
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
                expression: "parse.get_exec_path(event.args, event.comm, event.exepath).startsWith('/dev/shm/')"
          - id: R1002
            name: Kernel module load
            severity: 10
            profileDependency: 2
            expressions:
              message: "'kmod ' + event.module"
              uniqueId: "event.module"
              ruleExpression:
              - eventType: kmod
                expression: "true"
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
                expression: "event.dstPort == 3333 && !net.is_private_ip(event.dstAddr)"
          - id: R1010
            name: Symlink over sensitive file
            severity: 5
            profileDependency: 1
            expressions:
              message: "'symlink ' + event.oldPath"
              uniqueId: "event.oldPath"
              ruleExpression:
              - eventType: symlink
                expression: "event.oldPath == '/etc/shadow'"
        """

    /// Replays a synthetic capture (snapshot first, then the stream) and returns the JSON lines.
    static func replay(seed: UInt64, events: Int) throws -> (String, EngineStats) {
        var workload = SyntheticWorkload(seed: seed, events: events)
        var records = workload.initialSnapshot
        while let r = workload.next() { records.append(r) }
        var lookahead = RegistrationLookahead()
        for r in records { lookahead.note(r) }
        let engine = try Engine(
            EngineInputs(
                rules: try RulesLoader.parse(text: rules), config: World.allContexts, host: workload.host,
                lookahead: lookahead))
        var out = ""
        for r in records {
            for a in engine.apply(r) { out += a.json() + "\n" }
        }
        return (out, engine.stats)
    }

    @Test func firesInAllThreeContexts() throws {
        let (_, stats) = try Self.replay(seed: 7, events: 20_000)
        #expect(stats.alertsByContext["host", default: 0] > 0)
        #expect(stats.alertsByContext["kubernetes", default: 0] > 0)
        #expect(stats.alertsByContext["docker", default: 0] > 0)
        for id in ["R1000", "R1002", "R1008", "R1009", "R1010"] {
            #expect(stats.alertsByRule[id, default: 0] > 0, "\(id)")
        }
        #expect(stats.evalErrorsByRule.isEmpty)
        #expect(stats.suppressions[.cooldown, default: 0] > 0)
    }

    @Test func deterministic() throws {
        let (first, _) = try Self.replay(seed: 11, events: 10_000)
        let (second, _) = try Self.replay(seed: 11, events: 10_000)
        #expect(!first.isEmpty)
        #expect(first == second)
    }
}
