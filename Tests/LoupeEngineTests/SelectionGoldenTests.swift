import Foundation
import LoupeModel
import Testing

@testable import LoupeEngine

/// Every way the engine can decide about a candidate rule, in one hand-built capture, replayed
/// under two configurations; the alerts and the summary counters are compared with golden files.
///
/// What the capture exercises: the three contexts, a rule's `context:` tags, bindings by id, name
/// and tags (with parameters that turn on a prefilter), a pod no binding selects, a
/// profile-required rule with and without a profile, the ignore lists of host and docker, a
/// disabled rule, an evaluation error, cooldown, late attribution and an unknown namespace.
/// `LOUPE_UPDATE_GOLDEN=1` rewrites the golden files (review the diff).
@Suite struct SelectionGoldenTests {
    static let rules = """
        apiVersion: kubescape.io/v1
        kind: Rules
        metadata:
          name: selection
        spec:
          rules:
          - id: S-ANY
            name: Exec from tmp
            severity: 5
            profileDependency: 2
            tags: [exec]
            expressions:
              message: "'tmp exec ' + event.exepath"
              uniqueId: "event.exepath"
              ruleExpression:
              - eventType: exec
                expression: "event.exepath.startsWith('/tmp/')"
          - id: S-HOST
            name: Host only
            severity: 3
            profileDependency: 2
            tags: [exec, context:host]
            expressions:
              message: "'host ' + event.exepath"
              uniqueId: "event.exepath"
              ruleExpression:
              - eventType: exec
                expression: "event.exepath.startsWith('/tmp/')"
          - id: S-CONT
            name: Containers only
            severity: 4
            profileDependency: 2
            tags: [exec, context:container]
            expressions:
              message: "'container ' + event.exepath + ' in ' + event.containerName"
              uniqueId: "event.exepath"
              ruleExpression:
              - eventType: exec
                expression: "event.exepath.startsWith('/tmp/')"
          - id: S-PROF
            name: Needs profile
            severity: 6
            profileDependency: 0
            tags: [exec]
            expressions:
              message: "'not in profile ' + event.exepath"
              uniqueId: "event.exepath"
              ruleExpression:
              - eventType: exec
                expression: "!ap.was_executed(event.containerId, event.exepath)"
          - id: S-OPEN
            name: Etc open
            severity: 2
            profileDependency: 2
            tags: [files]
            state:
              ignorePrefixes: [/etc/ssl]
            expressions:
              message: "'open ' + event.path"
              uniqueId: "event.path"
              ruleExpression:
              - eventType: open
                expression: "event.path.startsWith('/etc/')"
          - id: S-ERR
            name: Broken
            severity: 1
            profileDependency: 2
            expressions:
              message: "'never'"
              uniqueId: "event.comm"
              ruleExpression:
              - eventType: exec
                expression: "int(event.comm) == 1"
          - id: S-OFF
            name: Disabled
            enabled: false
            severity: 9
            profileDependency: 2
            expressions:
              message: "'off'"
              uniqueId: "event.comm"
              ruleExpression:
              - eventType: exec
                expression: "true"
        """

    static let bindings = """
        apiVersion: kubescape.io/v1
        kind: RuntimeRuleAlertBinding
        metadata:
          name: shop-web
        spec:
          namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: shop
          podSelector:
            matchLabels:
              app: web
          rules:
          - ruleID: S-ANY
            severity: 8
          - ruleName: Needs profile
          - ruleTags: [files]
            parameters:
              ignorePrefixes: [/etc/ssl, /etc/pki]
          - ruleID: S-ERR
          - ruleID: S-OFF
        """

    static let profiles = """
        apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
        kind: ApplicationProfile
        metadata:
          name: replicaset-web-7d4b9c8f6d
          namespace: shop
          labels:
            kubescape.io/workload-kind: Deployment
            kubescape.io/workload-name: web
            kubescape.io/workload-namespace: shop
        spec:
          containers:
          - name: web
            execs:
            - path: /bin/ls
              args: [ls]
        """

    static let otherPod = ContainerInfo(
        id: "a9e00003", name: "api", runtime: .containerd, image: "api:2", initPid: 40, mntns: 400,
        kubernetes: KubernetesIdentity(
            namespace: "other", podName: "api-5f6d7c8b9-abcde", podUID: "uid-2", containerName: "api",
            labels: [Label("app", "api")]))
    static let noisy = ContainerInfo(
        id: "n0153e04", name: "noisy-batch", runtime: .docker, image: "busybox:local", initPid: 60, mntns: 600)
    static let late = ContainerInfo(
        id: "1a7e0005", name: "late-web", runtime: .docker, image: "httpd:2", initPid: 50, mntns: 500)

    /// The capture after the engine's two registered containers (World.pod in 200, World.docker
    /// in 300): one line of the golden summary explains what each record is for.
    static func records() -> [Record] {
        var t: UInt64 = 2_000_000_000
        func next() -> UInt64 {
            t += 1_000_000
            return t
        }
        func open(_ path: String, mntns: UInt64, pid: UInt32) -> Record {
            .event(
                Event(
                    header: World.header(pid: pid, mntns: mntns, time: next(), comm: "cat", exe: "/bin/cat"),
                    payload: .open(OpenEvent(path: ByteString(path), flags: 0))))
        }
        func exec(_ exe: String, mntns: UInt64, pid: UInt32, comm: String? = nil) -> Record {
            var record = World.exec(exe, pid: pid, ppid: 1, mntns: mntns, time: next())
            if let comm, case .event(var e) = record {
                e.header.comm = ByteString(comm)
                record = .event(e)
            }
            return record
        }
        return [
            .containerSnapshot(ContainerStarted(timestamp: 1_000_000_000, container: otherPod)),
            .containerSnapshot(ContainerStarted(timestamp: 1_000_000_000, container: noisy)),
            // Host: S-ANY and S-HOST; S-CONT is not for the host; S-PROF needs a pod with a profile.
            exec("/tmp/a", mntns: 100, pid: 1000),
            // The same again: both rules in cooldown.
            exec("/tmp/a", mntns: 100, pid: 1001),
            // A host process on the ignore list.
            exec("/tmp/a2", mntns: 100, pid: 1002, comm: "ignored-job"),
            // The bound pod: S-ANY (severity from the binding), S-PROF (not in the profile), S-ERR.
            exec("/tmp/b", mntns: 200, pid: 2000),
            // In the profile: S-PROF stays quiet.
            exec("/bin/ls", mntns: 200, pid: 2001),
            // Under the binding's ignorePrefixes (prefilter), then an alerting open.
            open("/etc/pki/tls.pem", mntns: 200, pid: 2002),
            open("/etc/passwd", mntns: 200, pid: 2003),
            // A pod no binding selects.
            exec("/tmp/c", mntns: 400, pid: 4000),
            // Docker: S-ANY and S-CONT; the rule's own ignorePrefixes applies (no binding).
            exec("/tmp/d", mntns: 300, pid: 3000),
            open("/etc/ssl/certs.pem", mntns: 300, pid: 3001),
            open("/etc/hosts", mntns: 300, pid: 3002),
            // A docker container on the ignore list.
            exec("/tmp/e", mntns: 600, pid: 6000),
            // Before its container's start record: attributed late.
            exec("/tmp/f", mntns: 500, pid: 5000),
            .containerStarted(ContainerStarted(timestamp: next(), container: late)),
            exec("/tmp/g", mntns: 500, pid: 5001),
            // Nobody's namespace.
            exec("/tmp/h", mntns: 999, pid: 9000),
        ]
    }

    static func replay(config: LoupeConfig) throws -> String {
        var lookahead = RegistrationLookahead()
        for r in records() { lookahead.note(r) }
        let engine = try World.engine(
            rules, config: config, bindings: bindings, profiles: profiles, lookahead: lookahead)
        var out = ""
        for r in records() {
            for a in engine.apply(r) { out += a.json() + "\n" }
        }
        let s = engine.stats
        out += "events by context: \(s.eventsByContext.sorted { $0.key < $1.key })\n"
        out += "alerts by rule: \(s.alertsByRule.sorted { $0.key < $1.key })\n"
        for (rule, reasons) in s.suppressionsByRule.sorted(by: { $0.key < $1.key }) {
            let text = reasons.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value)" }
            out += "suppressed \(rule): \(text.joined(separator: " "))\n"
        }
        out +=
            "eval errors: \(s.evalErrorsByRule.sorted { $0.key < $1.key }) \(s.firstEvalError.sorted { $0.key < $1.key })\n"
        out += "late attributions: \(s.lateAttributions), unknown mntns: \(s.unknownMntns.sorted { $0.key < $1.key })\n"
        return out
    }

    static func check(_ actual: String, golden name: String) throws {
        let path = "\(fixtures)/selection/\(name)"
        if ProcessInfo.processInfo.environment["LOUPE_UPDATE_GOLDEN"] != nil {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(actual == expected, "differs from \(path); LOUPE_UPDATE_GOLDEN=1 rewrites it")
    }

    @Test func allContexts() throws {
        var config = World.allContexts
        config.hostMonitoring.ignoreProcesses = [try GlobPattern("ignored-*")]
        config.dockerMonitoring.ignoreContainers = [try GlobPattern("noisy*")]
        try Self.check(try Self.replay(config: config), golden: "all-contexts.txt")
    }

    /// Host and docker monitoring off, as by default: only the pod's alerts remain.
    @Test func defaultSwitches() throws {
        var config = LoupeConfig()
        config.clusterName = "lab"
        try Self.check(try Self.replay(config: config), golden: "default-switches.txt")
    }
}
