import LoupeModel
import Testing

@testable import LoupeEngine

@Suite struct CoreRegistryTests {
    @Test func contextTable() {
        var r = MntnsRegistry(hostMntns: 100)
        do { let ok = r.register(World.pod); #expect(ok) }
        do { let ok = r.register(World.docker); #expect(ok) }
        var noPod = World.pod
        noPod.id = "x"
        noPod.mntns = 400
        noPod.kubernetes = KubernetesIdentity(namespace: "shop", podName: "")
        do { let ok = r.register(noPod); #expect(ok) }
        #expect(r.resolve(100) == .host)
        #expect(r.resolve(200).context == .kubernetes)
        #expect(r.resolve(300).context == .docker)
        #expect(r.resolve(400).context == .docker)
        #expect(r.resolve(999) == .unknown)
        #expect(r.resolve(0) == .unknown)
    }

    @Test func firstRegistrationWinsAndZeroIsInvalid() {
        var r = MntnsRegistry(hostMntns: 100)
        var zero = World.docker
        zero.mntns = 0
        do { let ok = r.register(zero); #expect(!ok) }
        var onHost = World.docker
        onHost.mntns = 100
        do { let ok = r.register(onHost); #expect(!ok) }
        do { let ok = r.register(World.pod); #expect(ok) }
        var other = World.docker
        other.mntns = 200
        do { let ok = r.register(other); #expect(!ok) }
        #expect(r.resolve(200) == .container(World.pod))
        r.unregister(mntns: 200, id: "someone-else")
        #expect(r.resolve(200).context == .kubernetes)
        r.unregister(mntns: 200, id: World.pod.id)
        #expect(r.resolve(200) == .unknown)
        #expect(r.wasRegistered(200))
        #expect(r.container(id: World.pod.id) != nil)
    }

    @Test func lateAttributionAndUnknownNamespace() throws {
        var ahead = RegistrationLookahead()
        var late = World.docker
        late.mntns = 500
        late.id = "late01"
        late.name = "late"
        ahead.note(.containerStarted(ContainerStarted(timestamp: 3_000_000_000, container: late)))
        let engine = try World.engine(
            World.rules([("T1", "exec", "event.exepath == '/tmp/x'", "")]), lookahead: ahead)
        let early = engine.apply(World.exec("/tmp/x", mntns: 500))
        #expect(early.count == 1)
        #expect(early.first?.lateAttribution == true)
        #expect(early.first?.containerID == "late01")
        #expect(early.first?.json().contains("\"lateAttribution\":true") == true)
        #expect(engine.apply(World.exec("/tmp/x", mntns: 777)).isEmpty)
        #expect(engine.stats.suppressions[.unknownMntns] == 1)
        #expect(engine.stats.unknownMntns[777] == 1)
        // Once registered and stopped, the namespace is no longer attributed ahead.
        _ = engine.apply(.containerStarted(ContainerStarted(timestamp: 3_000_000_000, container: late)))
        _ = engine.apply(.containerStopped(ContainerStopped(timestamp: 3_100_000_000, id: "late01", mntns: 500)))
        #expect(engine.apply(World.exec("/tmp/x", args: ["other"], mntns: 500, time: 4_000_000_000)).isEmpty)
        #expect(engine.stats.suppressions[.unknownMntns] == 2)
    }
}

@Suite struct CoreProcessTreeTests {
    @Test func ancestryIncludesPreCaptureProcesses() throws {
        var tree = ProcessTree()
        tree.apply(snapshot: ProcessSnapshot(pid: 1, ppid: 0, comm: "systemd", exepath: "/sbin/init", startTime: 5))
        tree.apply(
            snapshot: ProcessSnapshot(
                pid: 700, ppid: 1, comm: "sshd", exepath: "/usr/sbin/sshd", args: ["sshd", "-D"], startTime: 10))
        tree.observe(
            Event(
                header: World.header(pid: 700, ppid: 1, comm: "sshd"),
                payload: .fork(ForkEvent(childPid: 701, childTid: 701))))
        tree.observe(
            Event(
                header: World.header(pid: 701, ppid: 700, comm: "bash", exe: "/bin/bash"),
                payload: .exec(ExecEvent(args: ["bash", "-i"], cwd: "/root"))))
        let chain = tree.lineage(of: 701)
        #expect(chain.map(\.pid) == [701, 700, 1])
        #expect(chain[0].cmdline == "bash -i")
        #expect(chain[0].path == "/bin/bash")
        #expect(chain[1].cmdline == "sshd -D")
        tree.observe(Event(header: World.header(pid: 701, ppid: 700), payload: .exit(ExitEvent())))
        tree.remove(pid: 701)
        #expect(tree[701] == nil)
    }

    @Test func unknownProcessLearnedFromHeader() {
        var tree = ProcessTree()
        tree.observe(Event(header: World.header(pid: 9, ppid: 8, comm: "x"), payload: .open(OpenEvent(path: "/a"))))
        #expect(tree.lineage(of: 9).map(\.pid) == [9, 8])
        #expect(tree[8]?.comm == "init")
    }

    @Test func alertCarriesTree() throws {
        let engine = try World.engine(World.rules([("T1", "exec", "event.exepath == '/tmp/x'", "")]))
        _ = engine.apply(.processSnapshot(ProcessSnapshot(pid: 1, comm: "systemd", exepath: "/sbin/init")))
        let alerts = engine.apply(World.exec("/tmp/x", pid: 50, ppid: 1))
        #expect(alerts.first?.lineage.map(\.pid) == [50, 1])
        #expect(alerts.first?.json().contains("\"childrenMap\":{\"x/50\":{\"pid\":50") == true)
    }
}

@Suite struct CoreHelperTests {
    static let profile = """
        apiVersion: spdx.softwarecomposition.kubescape.io/v1beta1
        kind: ApplicationProfile
        metadata:
          name: deployment-web
          namespace: shop
        spec:
          containers:
          - name: web
            execs:
            - path: /usr/sbin/nginx
              args: [/usr/sbin/nginx]
            opens:
            - path: /etc/nginx/nginx.conf
              flags: [O_RDONLY]
            syscalls: [read, write]
            capabilities: [NET_BIND_SERVICE]
        """

    @Test(arguments: [
        "parse.get_exec_path(['/bin/a'], 'c') == '/bin/a'",
        "parse.get_exec_path([''], 'c') == 'c'",
        "parse.get_exec_path(event.args, event.comm, '/x') == '/x'",
        "parse.get_exec_path(event.args, event.comm, '') == '/tmp/x'",
        "net.is_private_ip('10.1.2.3') && !net.is_private_ip('8.8.8.8') && net.is_private_ip('224.0.0.1')",
        "k8s.is_api_server_address('10.96.0.1') && !k8s.is_api_server_address('10.96.0.2')",
        "k8s.get_container_by_name('shop', 'web-7d4b9c8f6d-x2k4p', 'web')",
        "!k8s.get_container_by_name('shop', 'web-7d4b9c8f6d-x2k4p', 'db')",
        "size(k8s.get_container_mount_paths('shop', 'web-7d4b9c8f6d-x2k4p', 'web')) == 0",
        "process.get_ld_hook_var(event.pid) == 'LD_PRELOAD=/tmp/evil.so'",
        "process.get_process_env(int(event.pid))['LD_AUDIT'] == '/tmp/a.so'",
        "process.get_ld_hook_var(1u) == ''",
        "cp.was_executed('c0ffee01', '/usr/sbin/nginx') && !cp.was_executed('c0ffee01', '/tmp/x')",
        "ap.was_executed_with_args('c0ffee01', '/usr/sbin/nginx', ['/usr/sbin/nginx'])",
        "ap.was_path_opened('c0ffee01', '/etc/nginx/nginx.conf')",
        "cp.was_path_opened_with_flags('c0ffee01', '/etc/nginx/nginx.conf', ['O_RDONLY'])",
        "cp.was_path_opened_with_prefix('c0ffee01', '/etc/nginx') && cp.was_path_opened_with_suffix('c0ffee01', '.conf')",
        "ap.was_syscall_used('c0ffee01', 'read') && ap.was_capability_used('c0ffee01', 'NET_BIND_SERVICE')",
        "!nn.is_domain_in_egress('c0ffee01', 'evil.example.') && !nn.was_address_in_egress('c0ffee01', '1.2.3.4')",
        "!cp.was_address_port_protocol_in_egress('c0ffee01', '1.2.3.4', 443, 'TCP')",
        "!cp.was_executed('no-such-container', '/usr/sbin/nginx')",
    ])
    func helperAnswers(_ expression: String) throws {
        let engine = try World.engine(
            World.rules([("T1", "exec", expression, "")]), profiles: Self.profile)
        let alerts = engine.apply(
            World.exec("/tmp/x", mntns: 200, env: ["LD_PRELOAD=/tmp/evil.so", "LD_AUDIT=/tmp/a.so"]))
        #expect(engine.stats.evalErrorsByRule.isEmpty, "\(engine.stats.firstEvalError)")
        #expect(alerts.count == 1)
    }

    @Test func unknownHelperIsRefusedWithPosition() {
        let text = World.rules([("T1", "exec", "nope.helper(event.comm)", "")])
        let message = inputError { _ = try World.engine(text) }
        #expect(message.hasPrefix("rules.yaml:"))
        #expect(message.contains("rule T1"))
    }

    @Test func eventFields() throws {
        let checks: [(Record, String)] = [
            (
                World.event(.open(OpenEvent(path: "/etc/shadow", flags: 0o2000002))),
                "event.path == '/etc/shadow' && event.flags == ['O_RDWR', 'O_CLOEXEC'] && event.flagsRaw == 524290"
            ),
            (
                World.event(.dns(DNSEvent(name: "pool.minexmr.com.", dstAddr: IPAddress(v4: 10, 0, 0, 10)))),
                "event.name == 'pool.minexmr.com.' && event.dstAddr == '10.0.0.10' && event.pktType == 'OUTGOING'"
            ),
            (
                World.event(.network(NetworkEvent(dstAddr: IPAddress(v4: 45, 76, 3, 3), dstPort: 3333))),
                "event.dstPort == 3333 && event.dstIp == '45.76.3.3' && event.proto == 'TCP' && event.direction == 'outbound'"
            ),
            (
                World.event(.kmod(KmodEvent(module: "rk", syscallName: "init_module"))),
                "event.module == 'rk' && event.syscallName == 'init_module'"
            ),
            (
                World.event(.capabilities(CapabilitiesEvent(capability: 21, syscallName: "mount"))),
                "event.capName == 'SYS_ADMIN'"
            ),
            (World.event(.bpf(BPFEvent(command: 5, attrSize: 144))), "event.cmd == 5u && event.attrSize == 144u"),
            (World.event(.iouring(IOUringEvent(opcode: 9))), "event.opcode == 9"),
            (
                World.event(.symlink(LinkEvent(oldPath: "/etc/shadow", newPath: "/tmp/s"))),
                "event.oldPath == '/etc/shadow' && event.newPath == '/tmp/s'"
            ),
            (
                World.exec("/bin/ls", mntns: 200),
                "!has(event.tty) && event.containerId == 'c0ffee01' && event.podName == 'web-7d4b9c8f6d-x2k4p' && event.namespace == 'shop' && event.containerName == 'web' && event.pid == 4242u && eventType == 'exec'"
            ),
            (World.exec("/bin/ls"), "event.containerId == 'host' && event.upperlayer == false"),
        ]
        for (record, expression) in checks {
            guard case .event(let e) = record else { continue }
            let engine = try World.engine(World.rules([("T1", e.type.name, expression, "")]))
            #expect(engine.apply(record).count == 1, "\(expression)")
            #expect(engine.stats.evalErrorsByRule.isEmpty, "\(engine.stats.firstEvalError)")
        }
    }
}
