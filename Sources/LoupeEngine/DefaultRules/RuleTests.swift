public import LoupeModel

/// One rule-level test case of a `kind: RuleTests` file: an event goes in, an alert of the named
/// rule is expected or not. See docs/rules.md for the format.
public struct RuleTestCase: Sendable {
    public enum Expectation: String, Sendable {
        case alert
        case none
    }

    /// A name for reports; defaults to `expect EXPECTATION (CONTEXT EVENTTYPE)`.
    public var name: String
    public var ruleID: String
    public var context: EventSourceContext
    public var event: Event
    /// The learned profile of the test pod container, when the case gives one.
    public var profile: ContainerProfile?
    /// Where volumes are mounted in the test pod container (`k8s.get_container_mount_paths`).
    public var mounts: [String] = []
    public var expectation: Expectation
    /// When set, the alert's message must be exactly this.
    public var message: String?
    /// Why the case cannot pass yet (a known limitation); its outcome is reported, not counted.
    public var pending: String?
    public var location: SourceLocation
}

/// What running a case gave.
public struct RuleTestResult: Sendable {
    public var testCase: RuleTestCase
    /// Whether the expectation held; see `counts` for pending cases.
    public var passed: Bool
    /// A failure counts unless the case is pending.
    public var counts: Bool { testCase.pending == nil }
    /// The messages of the rule's alerts for the event (empty when it did not alert).
    public var messages: [String]
    /// Why the case failed, or why the rule stayed silent (a suppression or an evaluation error).
    public var detail: String
}

/// Loads and runs rule test cases without a capture: each case gets a tiny engine over a synthetic
/// node (host mount namespace 100, a Kubernetes pod container, a plain Docker container) that
/// sees the case's one event, so the rule runs through exactly the path replay uses.
public enum RuleTests {
    public static let kind = "RuleTests"

    /// The synthetic node every case runs on.
    public enum World {
        public static let host = HostInfo(
            hostname: "test-node", nodeName: "test-node", hostMntns: 100,
            clock: ClockAnchor(bootTime: 1_000_000_000, wallTime: 1_796_428_800_000_000_000))
        public static let pod = ContainerInfo(
            id: "k8s0c0ffee", name: "app", runtime: .containerd, image: "registry.example/app:1.0", initPid: 20,
            mntns: 200,
            kubernetes: KubernetesIdentity(
                namespace: "default", podName: "app-6d4cf56db6-x2k4p", podUID: "uid-1", containerName: "app",
                labels: [Label("app", "app")]))
        public static let docker = ContainerInfo(
            id: "d0cker0001", name: "web", runtime: .docker, image: "nginx:1.27", initPid: 30, mntns: 300)
        /// The workload the pod's profile is filed under.
        static let workload = "app"
    }

    // MARK: Loading

    /// Cases from a file or a directory (its `*.yaml`, `*.yml`, `*.json`, by name).
    public static func load(path: String) throws(InputError) -> [RuleTestCase] {
        try cases(from: InputFiles.documents(path))
    }

    /// Cases from in-memory text; `file` names it in errors.
    public static func parse(text: String, file: String = "<input>") throws(InputError) -> [RuleTestCase] {
        try cases(from: YAMLReader.documents(text: text, file: file).filter { !$0.isEmptyDocument })
    }

    static func cases(from documents: [YAMLNode]) throws(InputError) -> [RuleTestCase] {
        var out: [RuleTestCase] = []
        for document in documents {
            let r = try MappingReader(document, path: "")
            try r.refuseUnknownKeys(["apiVersion", "kind", "metadata", "cases"])
            let kindNode = try r.required("kind")
            let kindName = try kindNode.string("kind")
            guard kindName == kind else {
                throw InputError(at: kindNode.location, "expected kind \"\(kind)\", found \"\(kindName)\"")
            }
            for (i, item) in try r.sequence("cases").enumerated() {
                out.append(try parseCase(item, path: "cases[\(i)]"))
            }
        }
        return out
    }

    static func parseCase(_ node: YAMLNode, path: String) throws(InputError) -> RuleTestCase {
        let c = try MappingReader(node, path: path)
        try c.refuseUnknownKeys([
            "name", "rule", "context", "event", "profile", "mounts", "expect", "message", "pending",
        ])
        let rule = try c.string("rule")
        var context = EventSourceContext.kubernetes
        if let contextNode = c.optional("context") {
            let text = try contextNode.string(c.childPath("context"))
            switch text {
            case "kubernetes": context = .kubernetes
            case "host": context = .host
            case "docker", "standalone": context = .docker
            default:
                throw InputError(
                    at: contextNode.location,
                    "expected kubernetes, host or docker for \(c.childPath("context")), found \"\(text)\"")
            }
        }
        let expectNode = try c.required("expect")
        let expectText = try expectNode.string(c.childPath("expect"))
        guard let expectation = RuleTestCase.Expectation(rawValue: expectText) else {
            throw InputError(
                at: expectNode.location, "expected alert or none for \(c.childPath("expect")), found \"\(expectText)\"")
        }
        guard let eventReader = try c.mapping("event") else {
            throw InputError(at: node.location, "missing required key \"event\" in \(path)")
        }
        let event = try EventBuilder.event(eventReader)
        var profile: ContainerProfile?
        if let p = try c.mapping("profile") {
            guard context == .kubernetes else {
                throw InputError(
                    at: p.node.location,
                    "\(p.path) is only meaningful in the kubernetes context (host and docker have no profiles)")
            }
            profile = try parseProfile(p)
        }
        let mounts = try c.stringList("mounts")
        if !mounts.isEmpty, context != .kubernetes, let m = c.optional("mounts") {
            throw InputError(
                at: m.location, "\(c.childPath("mounts")) is only meaningful in the kubernetes context (the test pod)")
        }
        return RuleTestCase(
            name: try c.string(
                "name", default: "expect \(expectation.rawValue) (\(context.name) \(event.type.name))"),
            ruleID: rule, context: context, event: event, profile: profile, mounts: mounts, expectation: expectation,
            message: try c.optionalString("message"), pending: try c.optionalString("pending"),
            location: node.location)
    }

    /// A container profile written as in an ApplicationProfile / NetworkNeighborhood container:
    /// `execs` (paths, or `{path, args}`), `opens` (paths, or `{path, flags}`), `syscalls`,
    /// `capabilities`, `endpoints`, `egress`, `ingress`.
    static func parseProfile(_ p: MappingReader) throws(InputError) -> ContainerProfile {
        try p.refuseUnknownKeys(["execs", "opens", "syscalls", "capabilities", "endpoints", "egress", "ingress"])
        var profile = ContainerProfile(name: World.pod.kubernetes!.containerName)
        for (i, item) in try p.sequence("execs").enumerated() {
            let itemPath = p.childPath("execs[\(i)]")
            if item.pairs == nil {
                let path = try item.string(itemPath)
                profile.execPaths.insert(path)
                profile.execArgs[path, default: []].insert([path])
                continue
            }
            let e = try MappingReader(item, path: itemPath)
            let path = try e.string("path")
            profile.execPaths.insert(path)
            profile.execArgs[path, default: []].insert(try e.stringList("args"))
        }
        for (i, item) in try p.sequence("opens").enumerated() {
            let itemPath = p.childPath("opens[\(i)]")
            var path: String
            var flags: Set<String> = []
            if item.pairs == nil {
                path = try item.string(itemPath)
            } else {
                let o = try MappingReader(item, path: itemPath)
                path = try o.string("path")
                flags = Set(try o.stringList("flags"))
            }
            if DynamicPath.isDynamic(path) {
                profile.dynamicOpens.append(DynamicPath(pattern: path, flags: flags))
            } else {
                profile.opens[path, default: []].formUnion(flags)
            }
        }
        profile.syscalls = Set(try p.stringList("syscalls"))
        profile.capabilities = Set(try p.stringList("capabilities"))
        for endpoint in try p.stringList("endpoints") { profile.endpoints[endpoint, default: []].insert("GET") }
        profile.egress = try ProfilesLoader.side(p, "egress")
        profile.ingress = try ProfilesLoader.side(p, "ingress")
        return profile
    }

    // MARK: Running

    /// Runs every case against `rules`. The rules are first compiled together (as replay does),
    /// then each case runs its own rule alone, enabled even when the rule set disables it, on a
    /// fresh engine (so cooldown never hides an alert) with every context switched on.
    ///
    /// - Throws: `InputError` when a rule does not compile.
    public static func run(_ cases: [RuleTestCase], rules: [RuleSpec]) throws(InputError) -> [RuleTestResult] {
        _ = try Engine(EngineInputs(rules: rules, config: config, host: World.host))
        var byID: [String: RuleSpec] = [:]
        for rule in rules { byID[rule.id] = rule }
        var results: [RuleTestResult] = []
        for testCase in cases {
            guard var rule = byID[testCase.ruleID] else {
                results.append(
                    RuleTestResult(
                        testCase: testCase, passed: false, messages: [],
                        detail: "no rule with id \(testCase.ruleID) in the rule set"))
                continue
            }
            rule.enabled = true
            results.append(try run(testCase, rule: rule))
        }
        return results
    }

    static var config: LoupeConfig {
        var c = LoupeConfig()
        c.enableRuntimeDetection = true
        c.enableHostMonitoring = true
        c.enableDockerMonitoring = true
        c.cooldown.disabled = true
        return c
    }

    static func run(_ testCase: RuleTestCase, rule: RuleSpec) throws(InputError) -> RuleTestResult {
        var profiles = ProfileStore()
        if let profile = testCase.profile {
            let k = World.pod.kubernetes!
            var w = WorkloadProfile(namespace: k.namespace, kind: "deployment", name: World.workload)
            w.containers[k.containerName] = profile
            profiles.add(w)
        }
        let engine = try Engine(EngineInputs(rules: [rule], profiles: profiles, config: config, host: World.host))
        var pod = World.pod
        pod.mounts = testCase.mounts
        for container in [pod, World.docker] {
            _ = engine.apply(.containerSnapshot(ContainerStarted(timestamp: 1_000_000_000, container: container)))
        }
        var event = testCase.event
        switch testCase.context {
        case .host: event.header.mntns = World.host.hostMntns
        case .kubernetes: event.header.mntns = World.pod.mntns
        case .docker: event.header.mntns = World.docker.mntns
        }
        let alerts = engine.apply(.event(event)).filter { $0.ruleID == rule.id }
        let messages = alerts.map(\.message)
        let stats = engine.stats
        var why = ""
        if let error = stats.firstEvalError[rule.id] {
            why = "evaluation error: \(error)"
        } else if let reasons = stats.suppressionsByRule[rule.id], !reasons.isEmpty {
            why = "suppressed: " + reasons.keys.sorted().map(\.rawValue).joined(separator: ", ")
        } else if !rule.eventTypes.contains(event.type) {
            why = "the rule has no expression for \(event.type.name) events"
        } else if !messages.isEmpty {
            why = "alerted: " + messages.joined(separator: " | ")
        } else {
            why = "the expression was false"
        }
        var passed: Bool
        var detail = why
        switch testCase.expectation {
        case .alert:
            passed = !alerts.isEmpty
            if !passed { detail = "expected an alert, got none (\(why))" }
            if passed, let expected = testCase.message, !messages.contains(expected) {
                passed = false
                detail = "expected message \"\(expected)\", got \"\(messages.joined(separator: "\" | \""))\""
            }
        case .none:
            passed = alerts.isEmpty
            if !passed { detail = "expected no alert, got: \(messages.joined(separator: " | "))" }
        }
        if stats.firstEvalError[rule.id] != nil && passed {
            passed = false
            detail = "expected \(testCase.expectation.rawValue) without errors, got \(why)"
        }
        return RuleTestResult(testCase: testCase, passed: passed, messages: messages, detail: detail)
    }
}

/// Builds an `Event` from a test case's `event:` mapping, with kubescape's field names.
enum EventBuilder {
    static let headerKeys: Set<String> = ["type", "comm", "pcomm", "pid", "ppid", "uid", "gid", "exepath"]
    static let payloadKeys: [EventType: Set<String>] = [
        .exec: ["args", "cwd", "upperlayer", "pupperlayer", "env", "ttyMajor", "ttyMinor"],
        .open: ["path", "flags", "flagsRaw"],
        .network: ["srcAddr", "srcPort", "dstAddr", "dstPort", "proto", "direction"],
        .dns: ["name", "addresses", "srcAddr", "srcPort", "dstAddr", "dstPort", "response"],
        .ssh: ["srcAddr", "srcPort", "dstAddr", "dstPort", "direction"],
        .http: ["method", "url", "host", "srcAddr", "srcPort", "dstAddr", "dstPort", "direction"],
        .syscall: ["syscallName"],
        .capabilities: ["capName", "syscallName"],
        .symlink: ["oldPath", "newPath"],
        .hardlink: ["oldPath", "newPath"],
        .kmod: ["module", "syscallName"],
        .iouring: ["opcode"],
        .bpf: ["cmd", "attrSize"],
        .procfs: ["args", "cwd"],
    ]

    static func event(_ r: MappingReader) throws(InputError) -> Event {
        let typeNode = try r.required("type")
        let typeName = try typeNode.string(r.childPath("type"))
        guard let type = EventType(name: typeName) else {
            let known = EventType.allCases.map(\.name).joined(separator: ", ")
            throw InputError(
                at: typeNode.location,
                "expected an event type (\(known)) for \(r.childPath("type")), found \"\(typeName)\"")
        }
        try r.refuseUnknownKeys(headerKeys.union(payloadKeys[type] ?? []))
        let exepath = try r.string("exepath", default: "")
        let defaultComm = exepath.isEmpty ? "sh" : String(exepath.split(separator: "/").last ?? "sh")
        let pid = try uint32(r, "pid", default: 4242)
        let header = EventHeader(
            timestamp: 2_000_000_000, pid: pid, tid: pid, ppid: try uint32(r, "ppid", default: 1),
            uid: try uint32(r, "uid", default: 0), gid: try uint32(r, "gid", default: 0),
            comm: ByteString(try r.string("comm", default: defaultComm)),
            pcomm: ByteString(try r.string("pcomm", default: "sh")), exepath: ByteString(exepath))
        return Event(header: header, payload: try payload(type, r, exepath: exepath))
    }

    static func payload(_ type: EventType, _ r: MappingReader, exepath: String) throws(InputError) -> EventPayload {
        func bytes(_ key: String, _ fallback: String = "") throws(InputError) -> ByteString {
            ByteString(try r.string(key, default: fallback))
        }
        func list(_ key: String) throws(InputError) -> [ByteString] { try r.stringList(key).map { ByteString($0) } }
        func port(_ key: String, _ fallback: Int64 = 0) throws(InputError) -> UInt16 {
            let value = try r.int(key, default: fallback)
            guard let p = UInt16(exactly: value) else {
                throw InputError(
                    at: r.optional(key)?.location ?? r.node.location,
                    "expected a port 0-65535 for \(r.childPath(key)), found \(value)")
            }
            return p
        }
        func direction(_ fallback: Direction) throws(InputError) -> Direction {
            guard let node = r.optional("direction") else { return fallback }
            switch try node.string(r.childPath("direction")) {
            case "outbound": return .outgoing
            case "inbound": return .incoming
            case let other:
                throw InputError(
                    at: node.location,
                    "expected outbound or inbound for \(r.childPath("direction")), found \"\(other)\"")
            }
        }
        switch type {
        case .exec:
            let args = r.optional("args") == nil ? (exepath.isEmpty ? [] : [ByteString(exepath)]) : try list("args")
            var tty: TerminalDevice?
            if r.optional("ttyMajor") != nil || r.optional("ttyMinor") != nil {
                tty = TerminalDevice(
                    major: try uint32(r, "ttyMajor", default: 136), minor: try uint32(r, "ttyMinor", default: 0))
            }
            return .exec(
                ExecEvent(
                    args: args, cwd: try bytes("cwd", "/"), upperLayer: try r.bool("upperlayer", default: false),
                    parentUpperLayer: try r.bool("pupperlayer", default: false), tty: tty,
                    loaderEnvironment: try list("env")))
        case .open:
            var flags = UInt32(truncatingIfNeeded: try r.int("flagsRaw", default: 0))
            if let node = r.optional("flags") {
                flags = 0
                for (i, name) in try node.stringList(r.childPath("flags")).enumerated() {
                    guard let bit = openFlag(name) else {
                        throw InputError(
                            at: node.items?[i].location ?? node.location,
                            "unknown open flag \"\(name)\" in \(r.childPath("flags")) (O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, ...)"
                        )
                    }
                    flags |= bit
                }
            }
            return .open(OpenEvent(path: try bytes("path"), flags: flags, retval: 3))
        case .network:
            let protoName = try r.string("proto", default: "TCP")
            let proto: TransportProtocol = protoName == "UDP" ? .udp : protoName == "TCP" ? .tcp : .other
            return .network(
                NetworkEvent(
                    operation: .connect, proto: proto, direction: try direction(.outgoing),
                    srcAddr: try address(r, "srcAddr", default: "10.0.0.5"), srcPort: try port("srcPort", 40000),
                    dstAddr: try address(r, "dstAddr", default: "10.0.0.9"), dstPort: try port("dstPort", 443)))
        case .dns:
            var answers: [IPAddress] = []
            for (i, text) in try r.stringList("addresses").enumerated() {
                guard let a = IPAddress(text) else {
                    throw InputError(
                        at: r.optional("addresses")?.items?[i].location ?? r.node.location,
                        "expected an IP address in \(r.childPath("addresses")), found \"\(text)\"")
                }
                answers.append(a)
            }
            return .dns(
                DNSEvent(
                    name: try bytes("name"), isResponse: try r.bool("response", default: false), answers: answers,
                    srcAddr: try address(r, "srcAddr", default: "10.0.0.5"), srcPort: try port("srcPort", 40000),
                    dstAddr: try address(r, "dstAddr", default: "10.96.0.10"), dstPort: try port("dstPort", 53)))
        case .ssh:
            return .ssh(
                SSHEvent(
                    direction: try direction(.outgoing), srcAddr: try address(r, "srcAddr", default: "10.0.0.5"),
                    srcPort: try port("srcPort", 40000), dstAddr: try address(r, "dstAddr", default: "10.0.0.9"),
                    dstPort: try port("dstPort", 22)))
        case .http:
            return .http(
                HTTPEvent(
                    direction: try direction(.incoming), method: try bytes("method", "GET"), url: try bytes("url", "/"),
                    host: try bytes("host"), srcAddr: try address(r, "srcAddr", default: "10.0.0.9"),
                    srcPort: try port("srcPort", 40000), dstAddr: try address(r, "dstAddr", default: "10.0.0.5"),
                    dstPort: try port("dstPort", 80)))
        case .syscall:
            return .syscall(SyscallEvent(name: try bytes("syscallName")))
        case .capabilities:
            let name = try r.string("capName", default: "SYS_ADMIN")
            guard let number = Capabilities.names.firstIndex(of: name) else {
                throw InputError(
                    at: r.optional("capName")?.location ?? r.node.location,
                    "unknown capability \"\(name)\" for \(r.childPath("capName")) (write SYS_ADMIN, not CAP_SYS_ADMIN)")
            }
            return .capabilities(
                CapabilitiesEvent(capability: UInt32(number), syscallName: try bytes("syscallName", "setns")))
        case .symlink:
            return .symlink(LinkEvent(oldPath: try bytes("oldPath"), newPath: try bytes("newPath")))
        case .hardlink:
            return .hardlink(LinkEvent(oldPath: try bytes("oldPath"), newPath: try bytes("newPath")))
        case .kmod:
            return .kmod(KmodEvent(module: try bytes("module"), syscallName: try bytes("syscallName", "finit_module")))
        case .iouring:
            return .iouring(IOUringEvent(opcode: try uint32(r, "opcode", default: 0)))
        case .bpf:
            return .bpf(
                BPFEvent(command: try uint32(r, "cmd", default: 5), attrSize: try uint32(r, "attrSize", default: 144)))
        case .procfs:
            return .procfs(ProcfsEvent(args: try list("args"), cwd: try bytes("cwd", "/")))
        case .exit: return .exit(ExitEvent())
        case .fork: return .fork(ForkEvent())
        case .ptrace: return .ptrace(PtraceEvent(request: 16))
        case .unshare: return .unshare(UnshareEvent(flags: 0x1000_0000))
        case .randomx: return .randomx
        }
    }

    static func openFlag(_ name: String) -> UInt32? {
        switch name {
        case "O_RDONLY": return 0
        case "O_WRONLY": return 1
        case "O_RDWR": return 2
        default: return OpenFlags.table.first { $0.1 == name }?.0
        }
    }

    static func uint32(_ r: MappingReader, _ key: String, default value: UInt32) throws(InputError) -> UInt32 {
        guard let node = r.optional(key) else { return value }
        let number = try node.int(r.childPath(key))
        guard let v = UInt32(exactly: number) else {
            throw InputError(
                at: node.location, "expected an unsigned 32-bit integer for \(r.childPath(key)), found \(number)")
        }
        return v
    }

    static func address(_ r: MappingReader, _ key: String, default text: String) throws(InputError) -> IPAddress {
        let value = try r.string(key, default: text)
        guard let a = IPAddress(value) else {
            throw InputError(
                at: r.optional(key)?.location ?? r.node.location,
                "expected an IP address for \(r.childPath(key)), found \"\(value)\"")
        }
        return a
    }
}
