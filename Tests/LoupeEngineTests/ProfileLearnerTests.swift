import LoupeModel
import Testing

@testable import LoupeEngine

/// `ProfileLearner` and `ProfileWriter`: what a container did becomes a profile that
/// `ProfilesLoader` reads back as the same answers, and that silences the profile rules for the
/// run it was learned from (and only for it).
@Suite struct ProfileLearnerTests {
    static let hostMntns: UInt64 = 100
    static let pod = ContainerInfo(
        id: "c0ffee01", name: "app", runtime: .runc, image: "docker.io/library/busybox:local",
        imageDigest: "sha256:aa", initPid: 20, mntns: 200,
        kubernetes: KubernetesIdentity(
            namespace: "shop", podName: "web-5d8f7c9b6d-q4x2n", podUID: "uid-1", containerName: "app"))
    static let docker = ContainerInfo(id: "d0cker02", name: "redis", runtime: .docker, initPid: 30, mntns: 300)
    static let host = HostInfo(
        hostname: "node-a", nodeName: "node-a", hostMntns: hostMntns,
        clock: ClockAnchor(bootTime: 1_000_000_000, wallTime: 1_796_428_800_000_000_000))

    /// Strings a profile must carry through unchanged: YAML keywords, numbers, indicators,
    /// quotes, escapes, control characters, line separators and non-ASCII text.
    static let awkward = [
        "", "true", "True", "FALSE", "yes", "No", "on", "off", "y", "null", "Null", "~", "123", "-1", "0.5", "1e3",
        "0x1f", "0o17", ".inf", "-.Inf", ".nan", "10.96.0.1", "1.2.", "::1", "fe80::1%eth0", "a: b", "a:b", "#x",
        "x #y",
        "- x", "-", "?", "[a]", "{a: 1}", "*a", "&a", "!a", "!!str", "|", ">", "'q'", "\"dq\"", "back\\slash",
        "new\nline", "\ttab", "cr\r", "nul\u{0}", "bell\u{7}", "\u{1B}[31mred", "del\u{7F}", "\u{85}next",
        "line\u{2028}sep", "\u{FEFF}bom", "é", "⋯", "日本", "😀", "trailing ", " leading", "%x", "@x", "`x", "x,y",
        "/etc/shadow", "sh -c 'a; b'", "O_RDONLY", "---", "...",
    ]

    static func value(ofScalar text: String) throws -> YAMLScalarValue? {
        let documents = try YAMLReader.documents(text: "v: " + ProfileWriter.scalar(text) + "\n- x\n", file: "t")
        return documents.first?["v"]?.scalar?.value
    }

    @Test(arguments: awkward)
    func scalarsReadBackAsTheSameString(text: String) throws {
        let document = "v: \(ProfileWriter.scalar(text))\nl:\n- \(ProfileWriter.scalar(text))\n"
        let node = try #require(try YAMLReader.documents(text: document, file: "t").first)
        #expect(node["v"]?.scalar?.value == .string(text), "\(ProfileWriter.scalar(text))")
        #expect(node["l"]?.items?.first?.scalar?.value == .string(text))
    }

    @Test func plainOnlyWhenNothingElseCanBeRead() {
        #expect(ProfileWriter.scalar("/bin/busybox") == "/bin/busybox")
        #expect(ProfileWriter.scalar("O_RDONLY") == "O_RDONLY")
        #expect(ProfileWriter.scalar("10.96.0.1") == "10.96.0.1")
        #expect(ProfileWriter.scalar("yes") == "\"yes\"")
        #expect(ProfileWriter.scalar("443") == "\"443\"")
        #expect(ProfileWriter.scalar("a\u{7}") == "\"a\\x07\"")
    }

    @Test func randomStringsReadBackAsTheSameString() throws {
        var random = SeededRandom(seed: 7)
        let pool: [Unicode.Scalar] = [
            "a", "Z", "0", "9", " ", ":", "#", "-", "'", "\"", "\\", "\n", "\t", "\r", "\u{0}", "\u{1F}", "\u{7F}",
            "\u{85}", "\u{A0}", "é", "⋯", "\u{2028}", "\u{FEFF}", "😀", "/", ".", "[", "{", "&", "*", "!", "%", "@",
        ]
        for _ in 0..<500 {
            var text = ""
            for _ in 0..<random.below(12) { text.unicodeScalars.append(pool[random.below(pool.count)]) }
            let document = "v: \(ProfileWriter.scalar(text))\n"
            let node = try #require(try YAMLReader.documents(text: document, file: "t").first)
            #expect(node["v"]?.scalar?.value == .string(text), "\(ProfileWriter.scalar(text))")
        }
    }

    @Test(arguments: [
        ("web-5d8f7c9b6d-q4x2n", "Deployment", "web"),
        ("my-api-7c5ddbdf54-x2k4p", "Deployment", "my-api"),
        ("environ-pod", "Pod", "environ-pod"),
        ("db-0", "Pod", "db-0"),
        ("web-5d8f7c9b6d-qaaaa", "Pod", "web-5d8f7c9b6d-qaaaa"),
    ])
    func workloadFromPodName(pod: String, kind: String, name: String) {
        let w = LearnedWorkload.guess(namespace: "ns", podName: pod)
        #expect(w.kind == kind && w.name == name)
        #expect(w.isFound(byPod: pod))
    }

    @Test func workloadMustBeFindableByPodName() {
        let w = LearnedWorkload(namespace: "ns", kind: "Deployment", name: "frontend")
        #expect(!w.isFound(byPod: "web-5d8f7c9b6d-q4x2n"))
        #expect(LearnedWorkload(namespace: "ns", kind: "StatefulSet", name: "db").isFound(byPod: "db-0"))
    }

    // MARK: - A run, learned and replayed

    static func event(
        _ payload: EventPayload, mntns: UInt64 = 200, pid: UInt32 = 42, comm: String = "app",
        exe: String = "/bin/busybox", time: UInt64 = 3_000_000_000
    ) -> Record {
        .event(
            Event(
                header: EventHeader(
                    timestamp: time, pid: pid, tid: pid, ppid: 20, mntns: mntns, comm: ByteString(comm),
                    pcomm: "sh", exepath: ByteString(exe)),
                payload: payload))
    }

    static func exec(_ exe: String, _ args: [String], comm: String = "app", mntns: UInt64 = 200) -> Record {
        event(.exec(ExecEvent(args: args.map { ByteString($0) }, cwd: "/")), mntns: mntns, comm: comm, exe: exe)
    }

    static func open(_ path: String, _ flags: UInt32 = 0, mntns: UInt64 = 200) -> Record {
        event(.open(OpenEvent(path: ByteString(path), flags: flags, retval: 3)), mntns: mntns)
    }

    static func connect(_ address: String, _ port: UInt16) -> Record {
        event(
            .network(
                NetworkEvent(
                    operation: .connect, proto: .tcp, direction: .outgoing, srcAddr: IPAddress("10.0.0.5")!,
                    srcPort: 40000, dstAddr: IPAddress(address)!, dstPort: port)))
    }

    static func lookup(_ name: String, answers: [String] = []) -> Record {
        event(
            .dns(
                DNSEvent(
                    name: ByteString(name), isResponse: !answers.isEmpty, answers: answers.map { IPAddress($0)! },
                    dstAddr: IPAddress("127.0.0.1")!)))
    }

    /// The normal run: an event of the pod's namespace before its start record, then a bit of
    /// everything, plus events of the host and of a docker container that must not be learned.
    static let normalRun: [Record] = [
        open("/early", mntns: 200),
        .containerStarted(ContainerStarted(timestamp: 2_000_000_000, container: pod)),
        .containerStarted(ContainerStarted(timestamp: 2_000_000_000, container: docker)),
        exec("/bin/busybox", ["sh", "-c", "cat /etc/hostname; echo \"done: yes\""], comm: "sh"),
        exec("", ["./relative", "x"], comm: "relative"),
        exec("", [], comm: "nameonly"),
        open("/etc/hostname"),
        open("/tmp/out", 0o1101),  // O_WRONLY | O_CREAT | O_TRUNC
        open("/tmp/out"),
        event(.syscall(SyscallEvent(number: 0, name: "read"))),
        event(.capabilities(CapabilitiesEvent(capability: 13, syscallName: "socket", allowed: true))),
        event(.unshare(UnshareEvent(flags: 0x20000))),
        event(.iouring(IOUringEvent(opcode: 0xffff_ffff))),
        event(.bpf(BPFEvent(command: 5, attrSize: 72))),
        connect("10.96.0.1", 443),
        event(
            .network(
                NetworkEvent(
                    operation: .accept, proto: .tcp, direction: .incoming, srcAddr: IPAddress("10.0.0.5")!,
                    srcPort: 8080, dstAddr: IPAddress("10.0.0.9")!, dstPort: 51000))),
        event(
            .network(
                NetworkEvent(
                    operation: .listen, proto: .tcp, direction: .unknown, srcAddr: IPAddress("0.0.0.0")!,
                    srcPort: 8080, dstAddr: IPAddress("0.0.0.0")!))),
        lookup("api.example."),
        lookup("api.example.", answers: ["10.96.0.1"]),
        lookup("cdn.example.", answers: ["203.0.113.7"]),
        exec("/usr/bin/curl", ["curl", "http://evil.example/x"], mntns: 100),
        open("/etc/shadow", mntns: 300),
    ]

    static func learn(_ records: [Record], lookahead: Bool = true) -> LearnedContainer {
        var ahead = RegistrationLookahead()
        for r in records { ahead.note(r) }
        var learner = ProfileLearner(containers: [pod], hostMntns: hostMntns, lookahead: lookahead ? ahead : nil)
        for r in records { learner.observe(r) }
        return learner.containers["app"]!
    }

    @Test func learnsWhatTheContainerDidAndNothingElse() {
        let c = Self.learn(Self.normalRun)
        #expect(
            c.execs == [
                "/bin/busybox": [["sh", "-c", "cat /etc/hostname; echo \"done: yes\""]],
                "./relative": [["./relative", "x"]],
                "nameonly": [[]],
            ])
        #expect(
            c.opens == [
                "/early": ["O_RDONLY"], "/etc/hostname": ["O_RDONLY"],
                "/tmp/out": ["O_WRONLY", "O_CREAT", "O_TRUNC", "O_RDONLY"],
            ])
        #expect(c.syscalls == ["read", "socket", "unshare", "io_uring_setup", "bpf"])
        #expect(c.capabilities == ["NET_RAW"])
        #expect(c.egress == ["10.96.0.1": [LearnedPort(proto: "TCP", port: 443)]])
        #expect(c.ingress == ["10.0.0.9": [LearnedPort(proto: "TCP", port: 8080)]])
        #expect(c.domains == ["api.example.": ["10.96.0.1"], "cdn.example.": ["203.0.113.7"]])
        #expect(Self.learn(Self.normalRun, lookahead: false).opens["/early"] == nil)
    }

    @Test func writtenProfileReadsBackAsTheLearnedOne() throws {
        var c = Self.learn(Self.normalRun)
        // Arguments no YAML reader may misread.
        c.execs["/bin/busybox", default: []].insert(Self.awkward)
        let workload = LearnedWorkload.guess(namespace: "shop", podName: Self.pod.kubernetes!.podName)
        let text = ProfileWriter.yaml(
            workload: workload, containers: [c],
            annotations: ["kubescape.io/status": "completed", "kubescape.io/completion": "complete"])
        let store = try ProfilesLoader.parse(text: text, file: "learned.yaml")
        let w = try #require(store.workload(namespace: "shop", podName: "web-5d8f7c9b6d-z7k9p"))
        #expect(w.kind == "deployment" && w.name == "web" && w.status == "completed" && w.completion == "complete")
        let p = try #require(w.containers["app"])
        #expect(p.execPaths == Set(c.execs.keys))
        #expect(p.execArgs == c.execs)
        #expect(p.opens == c.opens)
        #expect(p.dynamicOpens.isEmpty)
        #expect(p.syscalls == c.syscalls)
        #expect(p.capabilities == c.capabilities)
        #expect(p.egress.addresses == ["10.96.0.1"])
        #expect(p.egress.domains == ["api.example.", "api.example", "cdn.example.", "cdn.example"])
        #expect(p.egress.contains(address: "10.96.0.1", port: 443, protocol: "TCP"))
        #expect(p.ingress.addresses == ["10.0.0.9"])
        #expect(p.ingress.contains(address: "10.0.0.9", port: 8080, protocol: "TCP"))
        // Byte-stable: the same observations give the same text.
        #expect(
            ProfileWriter.yaml(
                workload: workload, containers: [c],
                annotations: ["kubescape.io/status": "completed", "kubescape.io/completion": "complete"]) == text)
    }

    @Test func emptyProfileIsValid() throws {
        let text = ProfileWriter.yaml(
            workload: LearnedWorkload(namespace: "ns", kind: "Pod", name: "x"),
            containers: [LearnedContainer(name: "c")])
        let p = try #require(
            try ProfilesLoader.parse(text: text).profile(namespace: "ns", podName: "x", container: "c"))
        #expect(p.execPaths.isEmpty && p.opens.isEmpty && p.syscalls.isEmpty && p.egress.addresses.isEmpty)
    }

    /// The attack run: the same pod again (a new container id), doing what the profile lacks.
    static let attackRun: [Record] = [
        .containerStarted(
            ContainerStarted(
                timestamp: 2_000_000_000,
                container: ContainerInfo(
                    id: "c0ffee02", name: "app", runtime: .runc, initPid: 21, mntns: 200,
                    kubernetes: KubernetesIdentity(
                        namespace: "shop", podName: "web-5d8f7c9b6d-z7k9p", containerName: "app")))),
        exec("/bin/busybox", ["sh", "-c", "cat /etc/hostname; echo \"done: yes\""], comm: "sh"),
        exec("/usr/local/bin/kubectl", ["kubectl", "get", "pods"], comm: "kubectl"),
        open("/proc/1/environ"),
        open("/var/run/secrets/kubernetes.io/serviceaccount/token"),
        event(.syscall(SyscallEvent(number: 250, name: "keyctl"))),
        event(.capabilities(CapabilitiesEvent(capability: 21, syscallName: "mount", allowed: false))),
        lookup("c2.evil.example."),
        connect("10.96.0.1", 6443),
    ]

    static func alerts(_ records: [Record], profile: String) throws -> [String] {
        var ahead = RegistrationLookahead()
        for r in records { ahead.note(r) }
        var config = LoupeConfig()
        config.enableHostMonitoring = true
        config.enableDockerMonitoring = true
        let engine = try Engine(
            EngineInputs(
                rules: try DefaultRules.load(), profiles: try ProfilesLoader.parse(text: profile), config: config,
                host: host, lookahead: ahead))
        return records.flatMap { engine.apply($0) }.map(\.ruleID)
    }

    @Test func aRunIsSilentAgainstItsOwnProfileAndAnotherIsNot() throws {
        let c = Self.learn(Self.normalRun)
        let profile = ProfileWriter.yaml(
            workload: LearnedWorkload.guess(namespace: "shop", podName: Self.pod.kubernetes!.podName), containers: [c])
        // The normal run's only alert comes from the docker container, which no profile covers.
        #expect(try Self.alerts(Self.normalRun, profile: profile) == ["R0010"])
        let attack = try Self.alerts(Self.attackRun, profile: profile)
        // kubectl is both a new program (R0001) and an API client (R0007); the API server itself is
        // in the learned egress, so the connection to it is no news.
        #expect(attack.sorted() == ["R0001", "R0003", "R0004", "R0005", "R0006", "R0007", "R0008"])
    }
}
