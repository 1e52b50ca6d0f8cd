import LoupeModel

@testable import LoupeEngine

/// A small world for engine tests: host mntns 100, a pod container in 200, a docker one in 300.
enum World {
    static let host = HostInfo(
        hostname: "node-a", nodeName: "node-a", hostMntns: 100,
        clock: ClockAnchor(bootTime: 1_000_000_000, wallTime: 1_796_428_800_000_000_000))

    static let pod = ContainerInfo(
        id: "c0ffee01", name: "web", runtime: .containerd, image: "nginx:1.27", imageDigest: "sha256:aa", initPid: 20,
        mntns: 200,
        kubernetes: KubernetesIdentity(
            namespace: "shop", podName: "web-7d4b9c8f6d-x2k4p", podUID: "uid-1", containerName: "web",
            labels: [Label("app", "web")]))

    static let docker = ContainerInfo(
        id: "d0cker02", name: "redis", runtime: .docker, image: "redis:7", initPid: 30, mntns: 300)

    static var allContexts: LoupeConfig {
        var c = LoupeConfig()
        c.enableHostMonitoring = true
        c.enableDockerMonitoring = true
        c.clusterName = "lab"
        return c
    }

    /// A `kind: Rules` document with one rule per entry.
    static func rules(_ items: [(id: String, type: String, expression: String, extra: String)]) -> String {
        var text = "apiVersion: kubescape.io/v1\nkind: Rules\nmetadata:\n  name: t\nspec:\n  rules:\n"
        for r in items {
            text += """
                  - id: \(r.id)
                    name: Rule \(r.id)
                    severity: 5
                    \(r.extra.isEmpty ? "profileDependency: 2" : r.extra)
                    expressions:
                      message: "'\(r.id) ' + event.comm"
                      uniqueId: "event.comm"
                      ruleExpression:
                      - eventType: \(r.type)
                        expression: \(quoted(r.expression))

                """
        }
        return text
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func engine(
        _ rulesText: String, config: LoupeConfig = allContexts, bindings: String? = nil, profiles: String? = nil,
        lookahead: RegistrationLookahead? = nil
    ) throws -> Engine {
        let engine = try Engine(
            EngineInputs(
                rules: try RulesLoader.parse(text: rulesText, file: "rules.yaml"),
                bindings: try bindings.map { try BindingsLoader.parse(text: $0) },
                profiles: try profiles.map { try ProfilesLoader.parse(text: $0) } ?? ProfileStore(),
                config: config, host: host, lookahead: lookahead))
        _ = engine.apply(.containerSnapshot(ContainerStarted(timestamp: 1_000_000_000, container: pod)))
        _ = engine.apply(.containerSnapshot(ContainerStarted(timestamp: 1_000_000_000, container: docker)))
        return engine
    }

    static func header(
        pid: UInt32 = 4242, ppid: UInt32 = 1, mntns: UInt64 = 100, time: UInt64 = 2_000_000_000, comm: String = "sh",
        exe: String = "/bin/sh"
    ) -> EventHeader {
        EventHeader(
            timestamp: time, pid: pid, tid: pid, ppid: ppid, mntns: mntns, comm: ByteString(comm), pcomm: "init",
            exepath: ByteString(exe))
    }

    static func exec(
        _ exe: String, args: [String]? = nil, pid: UInt32 = 4242, ppid: UInt32 = 1, mntns: UInt64 = 100,
        time: UInt64 = 2_000_000_000, env: [String] = []
    ) -> Record {
        let comm = String(exe.split(separator: "/").last ?? "")
        return .event(
            Event(
                header: header(pid: pid, ppid: ppid, mntns: mntns, time: time, comm: comm, exe: exe),
                payload: .exec(
                    ExecEvent(
                        args: (args ?? [exe]).map { ByteString($0) }, cwd: "/root",
                        loaderEnvironment: env.map { ByteString($0) }))))
    }

    static func event(_ payload: EventPayload, mntns: UInt64 = 100, time: UInt64 = 2_000_000_000, pid: UInt32 = 4242)
        -> Record
    {
        .event(Event(header: header(pid: pid, mntns: mntns, time: time), payload: payload))
    }
}
