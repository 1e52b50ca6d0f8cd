/// A deterministic stream of realistic records for tests and benchmarks.
///
/// It plays a node running host services, Kubernetes pod containers and plain Docker
/// containers: shells that fork and exec short commands (exec-heavy), servers that open files
/// (open-heavy), outgoing connections preceded by DNS lookups, incoming requests, the occasional
/// security-relevant syscall, and containers starting and stopping. The same seed and count
/// give the same records on every machine.
public struct SyntheticWorkload {
    public let host: HostInfo
    /// What runs when the capture starts: containers, then processes.
    public private(set) var initialSnapshot: [Record] = []

    private var random: SeededRandom
    private var remaining: Int
    private var emitted = 0
    private var clock: UInt64
    private var nextPid: UInt32 = 4000
    private var nextMntns: UInt64 = 4_026_532_200
    private var containerCounter = 0
    private var workloads: [Workload] = []
    private var pending: [Record] = []
    private var pendingIndex = 0
    private let lifecycleEvery: Int

    /// A group of processes sharing a mount namespace: the host or one container.
    private struct Workload {
        var mntns: UInt64
        var container: ContainerInfo?
        var processes: [Process]
        /// Index in `processes` of the shell that runs commands.
        var shell: Int
        /// Index in `processes` of the long-running server.
        var server: Int
        var stoppable: Bool
    }

    private struct Process {
        var pid: UInt32
        var ppid: UInt32
        var comm: ByteString
        var pcomm: ByteString
        var exepath: ByteString
        var uid: UInt32
    }

    public init(seed: UInt64, events: Int) {
        random = SeededRandom(seed: seed)
        remaining = events
        clock = 7_200_000_000_000 + UInt64(seed % 1000) * 1_000_000
        lifecycleEvery = max(events / 25, 200)
        let hostMntns: UInt64 = 4_026_531_841
        host = HostInfo(
            hostname: "synth-node-1", nodeName: "synth-node-1", kernelRelease: "6.18.0-synth",
            bootID: "5e1f0c2a-0000-4000-8000-\(String(seed % 1_000_000_000_000, radix: 16))",
            hostMntns: hostMntns,
            clock: ClockAnchor(bootTime: clock, wallTime: 1_796_428_800_000_000_000),
            captureOptions: [Label("source", "synth"), Label("seed", String(seed))])
        workloads.append(makeHost(mntns: hostMntns))
        for index in 0..<3 {
            let workload = makeContainer(kubernetes: index != 2, stoppable: false)
            workloads.append(workload)
        }
        for workload in workloads {
            if let container = workload.container {
                initialSnapshot.append(.containerSnapshot(ContainerStarted(timestamp: clock, container: container)))
            }
        }
        for workload in workloads {
            for process in workload.processes {
                initialSnapshot.append(
                    .processSnapshot(
                        ProcessSnapshot(
                            timestamp: clock, pid: process.pid, ppid: process.ppid, uid: process.uid, gid: process.uid,
                            mntns: workload.mntns, comm: process.comm, exepath: process.exepath,
                            args: [process.exepath], cwd: "/", startTime: clock - 3_600_000_000_000)))
            }
        }
    }

    /// The next record, or nil once the requested number has been produced.
    public mutating func next() -> Record? {
        guard emitted < remaining else { return nil }
        if pendingIndex >= pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingIndex = 0
            generateBurst()
        }
        let record = pending[pendingIndex]
        pendingIndex += 1
        emitted += 1
        return record
    }

    // MARK: Building workloads

    private mutating func makeHost(mntns: UInt64) -> Workload {
        let services: [(UInt32, UInt32, ByteString, ByteString)] = [
            (1, 0, "systemd", "/usr/lib/systemd/systemd"),
            (712, 1, "sshd", "/usr/sbin/sshd"),
            (803, 1, "containerd", "/usr/bin/containerd"),
            (845, 1, "dockerd", "/usr/bin/dockerd"),
            (901, 1, "kubelet", "/usr/bin/kubelet"),
            (2201, 712, "bash", "/usr/bin/bash"),
        ]
        let processes = services.map { pid, ppid, comm, path in
            Process(pid: pid, ppid: ppid, comm: comm, pcomm: ppid == 712 ? "sshd" : "systemd", exepath: path, uid: 0)
        }
        return Workload(mntns: mntns, container: nil, processes: processes, shell: 5, server: 2, stoppable: false)
    }

    private mutating func makeContainer(kubernetes: Bool, stoppable: Bool) -> Workload {
        containerCounter += 1
        let mntns = nextMntns
        nextMntns += UInt64(1 + random.below(7))
        let (name, image, server, serverPath) = random.pick(Self.images)
        let id = hexIdentifier()
        let shimPid = allocatePid()
        let initPid = allocatePid()
        var identity: KubernetesIdentity?
        if kubernetes {
            let namespace = random.pick(["default", "payments", "web", "kube-system"])
            identity = KubernetesIdentity(
                namespace: namespace, podName: "\(name)-\(containerCounter)-7f9c", podUID: uuid(), containerName: name,
                sandboxID: hexIdentifier(), labels: [Label("app", name), Label("tier", "backend")])
        }
        let container = ContainerInfo(
            id: id, name: kubernetes ? name : "\(name)-\(containerCounter)",
            runtime: kubernetes ? .containerd : .docker,
            image: image, imageDigest: "sha256:" + hexIdentifier(), initPid: initPid, mntns: mntns,
            netns: mntns + 100_000, cgroupPath: "/sys/fs/cgroup/system.slice/\(id).scope",
            bundle: "/run/containerd/io.containerd.runtime.v2.task/k8s.io/\(id)", kubernetes: identity)
        let serverProcess = Process(
            pid: initPid, ppid: shimPid, comm: server, pcomm: "containerd-shim", exepath: serverPath, uid: 0)
        let shell = Process(pid: allocatePid(), ppid: initPid, comm: "sh", pcomm: server, exepath: "/bin/sh", uid: 0)
        return Workload(
            mntns: mntns, container: container, processes: [serverProcess, shell], shell: 1, server: 0,
            stoppable: stoppable)
    }

    private static let images: [(String, String, ByteString, ByteString)] = [
        ("nginx", "docker.io/library/nginx:1.27", "nginx", "/usr/sbin/nginx"),
        ("redis", "docker.io/library/redis:7.2", "redis-server", "/usr/local/bin/redis-server"),
        ("postgres", "docker.io/library/postgres:16", "postgres", "/usr/lib/postgresql/16/bin/postgres"),
        ("api", "registry.example/payments/api:3.4.1", "api-server", "/app/api-server"),
    ]

    private mutating func allocatePid() -> UInt32 {
        nextPid += UInt32(1 + random.below(3))
        return nextPid
    }

    private mutating func hexIdentifier() -> String {
        (0..<4).map { _ in
            let digits = String(random.next(), radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }

    private mutating func uuid() -> String {
        let hex = hexIdentifier()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    // MARK: Bursts

    private mutating func tick() -> UInt64 {
        clock += UInt64(1_000 + random.below(40_000))
        return clock
    }

    private mutating func header(_ process: Process, in workload: Workload) -> EventHeader {
        EventHeader(
            timestamp: tick(), cpu: UInt32(random.below(2)), pid: process.pid, tid: process.pid, ppid: process.ppid,
            uid: process.uid, gid: process.uid, mntns: workload.mntns,
            cgroupID: workload.container == nil ? 1 : workload.mntns - 4_026_531_000, comm: process.comm,
            pcomm: process.pcomm, exepath: process.exepath)
    }

    private mutating func emit(_ process: Process, in workload: Workload, _ payload: EventPayload) {
        pending.append(.event(Event(header: header(process, in: workload), payload: payload)))
    }

    private mutating func pickWorkload() -> Int {
        // Host 40%, containers share the rest.
        if workloads.count == 1 || random.chance(2, in: 5) { return 0 }
        return 1 + random.below(workloads.count - 1)
    }

    private mutating func generateBurst() {
        if emitted > 0 && emitted % lifecycleEvery == 0 {
            lifecycle()
            if !pending.isEmpty { return }
        }
        if random.chance(1, in: 40_000) {
            pending.append(
                .drop(
                    DropRecord(
                        timestamp: tick(), source: .ringBuffer, eventType: .open, count: UInt64(1 + random.below(500)),
                        cpu: UInt32(random.below(2)), detail: "ring buffer full")))
            return
        }
        if random.chance(1, in: 100_000) {
            pending.append(.clockSync(ClockAnchor(bootTime: clock, wallTime: host.clock.wallTime(ofBootTime: clock))))
            return
        }
        let w = pickWorkload()
        let workload = workloads[w]
        let process = random.pick(workload.processes)
        let roll = random.below(1000)
        switch roll {
        case 0..<380: openBurst(workload, workload.processes[workload.server])
        case 380..<530: execBurst(w)
        case 530..<610: connectBurst(workload, process)
        case 610..<650: acceptBurst(workload)
        case 650..<700: dnsBurst(workload, process)
        case 700..<740:
            let capability = random.pick([
                (UInt32(10), ByteString("bind")), (21, "mount"), (1, "openat"), (12, "setsockopt"),
            ])
            emit(
                process, in: workload,
                .capabilities(CapabilitiesEvent(capability: capability.0, syscallName: capability.1)))
        case 740..<780:
            let call = random.pick([
                (UInt32(0), ByteString("read")), (1, "write"), (56, "clone"), (59, "execve"), (165, "mount"),
            ])
            emit(process, in: workload, .syscall(SyscallEvent(number: call.0, name: call.1)))
        case 780..<810: httpBurst(workload)
        case 810..<985:
            let fd = Int32(3 + random.below(60))
            emit(
                process, in: workload,
                .open(OpenEvent(path: random.pick(Self.libraryPaths), flags: 0o2000000, retval: fd)))
        default: rareEvent(workload, process)
        }
    }

    private mutating func openBurst(_ workload: Workload, _ process: Process) {
        let count = 1 + random.below(4)
        for _ in 0..<count {
            let path = random.pick(Self.dataPaths)
            let flags: UInt32 = random.chance(1, in: 5) ? 0o1101 : 0
            emit(
                process, in: workload,
                .open(
                    OpenEvent(
                        path: path, flags: flags, mode: flags == 0 ? 0 : 0o644, retval: Int32(3 + random.below(200)))))
        }
    }

    private mutating func execBurst(_ index: Int) {
        let workload = workloads[index]
        let shell = workload.processes[workload.shell]
        let (command, args) = random.pick(Self.commands)
        let childPid = allocatePid()
        emit(shell, in: workload, .fork(ForkEvent(childPid: childPid, childTid: childPid)))
        var child = Process(
            pid: childPid, ppid: shell.pid, comm: shell.comm, pcomm: shell.pcomm, exepath: shell.exepath, uid: shell.uid
        )
        child.comm = ByteString(command.bytes.split(separator: UInt8(ascii: "/")).last ?? [])
        child.pcomm = shell.comm
        child.exepath = command
        let tty: TerminalDevice? = workload.container == nil ? TerminalDevice(major: 136, minor: 0) : nil
        emit(
            child, in: workload,
            .exec(ExecEvent(args: [command] + args, cwd: random.pick(["/", "/root", "/app", "/tmp"]), tty: tty)))
        // A third of the commands start a helper of their own: deeper process trees.
        if random.chance(1, in: 3) {
            let grandchild = allocatePid()
            emit(child, in: workload, .fork(ForkEvent(childPid: grandchild, childTid: grandchild)))
            let helper = Process(
                pid: grandchild, ppid: childPid, comm: "cat", pcomm: child.comm, exepath: "/usr/bin/cat", uid: child.uid
            )
            emit(helper, in: workload, .exec(ExecEvent(args: ["/usr/bin/cat", random.pick(Self.dataPaths)], cwd: "/")))
            emit(helper, in: workload, .open(OpenEvent(path: random.pick(Self.dataPaths), retval: 3)))
            emit(helper, in: workload, .exit(ExitEvent(status: 0)))
        }
        for _ in 0..<random.below(3) {
            emit(
                child, in: workload, .open(OpenEvent(path: random.pick(Self.libraryPaths), flags: 0o2000000, retval: 3))
            )
        }
        emit(child, in: workload, .exit(ExitEvent(status: random.chance(1, in: 10) ? 256 : 0)))
    }

    private mutating func connectBurst(_ workload: Workload, _ process: Process) {
        let (address, port) = random.pick(Self.remoteEndpoints)
        emit(
            process, in: workload,
            .network(
                NetworkEvent(
                    operation: .connect, proto: .tcp, direction: .outgoing, srcAddr: IPAddress(v4: 10, 0, 0, 12),
                    srcPort: UInt16(32768 + random.below(28000)), dstAddr: address, dstPort: port)))
    }

    private mutating func acceptBurst(_ workload: Workload) {
        let server = workload.processes[workload.server]
        emit(
            server, in: workload,
            .network(
                NetworkEvent(
                    operation: .accept, proto: .tcp, direction: .incoming,
                    srcAddr: IPAddress(v4: 10, 0, UInt8(random.below(4)), UInt8(2 + random.below(250))),
                    srcPort: UInt16(32768 + random.below(28000)), dstAddr: IPAddress(v4: 10, 0, 0, 12), dstPort: 8080)))
    }

    private mutating func dnsBurst(_ workload: Workload, _ process: Process) {
        let name = random.pick(Self.domains)
        let id = UInt16(random.below(65536))
        let port = UInt16(32768 + random.below(28000))
        let resolver = IPAddress(v4: 10, 96, 0, 10)
        let local = IPAddress(v4: 10, 0, 0, 12)
        emit(
            process, in: workload,
            .dns(
                DNSEvent(name: name, queryType: 1, transactionID: id, srcAddr: local, srcPort: port, dstAddr: resolver))
        )
        let answer = IPAddress(v4: 93, 184, UInt8(random.below(256)), UInt8(random.below(256)))
        emit(
            process, in: workload,
            .dns(
                DNSEvent(
                    name: name, queryType: 1, transactionID: id, isResponse: true, answers: [answer], srcAddr: resolver,
                    srcPort: 53, dstAddr: local, dstPort: port)))
    }

    private mutating func httpBurst(_ workload: Workload) {
        let server = workload.processes[workload.server]
        let path: ByteString = random.pick(["/", "/healthz", "/api/v1/orders", "/static/app.js", "/login"])
        emit(
            server, in: workload,
            .http(
                HTTPEvent(
                    direction: .incoming, method: random.pick(["GET", "GET", "POST"] as [ByteString]), url: path,
                    host: "shop.example",
                    headers: [
                        HTTPHeader(name: "User-Agent", value: "curl/8.5.0"), HTTPHeader(name: "Accept", value: "*/*"),
                    ],
                    srcAddr: IPAddress(v4: 10, 0, 1, 7), srcPort: 41000, dstAddr: IPAddress(v4: 10, 0, 0, 12),
                    dstPort: 8080)))
    }

    private mutating func rareEvent(_ workload: Workload, _ process: Process) {
        switch random.below(10) {
        case 0: emit(process, in: workload, .symlink(LinkEvent(oldPath: "/etc/shadow", newPath: "/tmp/.s")))
        case 1: emit(process, in: workload, .hardlink(LinkEvent(oldPath: "/var/log/app.log", newPath: "/tmp/app.log")))
        case 2: emit(process, in: workload, .ptrace(PtraceEvent(request: 16, targetPid: process.ppid, retval: -1)))
        case 3:
            emit(
                process, in: workload,
                .kmod(KmodEvent(module: "/tmp/rootkit.ko", syscallName: "finit_module", retval: -38)))
        case 4: emit(process, in: workload, .unshare(UnshareEvent(flags: 0x0002_0000)))
        case 5: emit(process, in: workload, .iouring(IOUringEvent(opcode: UInt32(random.below(40)), flags: 0)))
        case 6: emit(process, in: workload, .bpf(BPFEvent(command: 5, attrSize: 144, retval: -1)))
        case 7:
            emit(
                process, in: workload,
                .ssh(
                    SSHEvent(
                        direction: .outgoing, srcAddr: IPAddress(v4: 10, 0, 0, 12), srcPort: 51000,
                        dstAddr: IPAddress(v4: 203, 0, 113, 9), dstPort: 2222)))
        case 8 where random.chance(1, in: 20): emit(process, in: workload, .randomx)
        default: emit(process, in: workload, .procfs(ProcfsEvent(args: [process.exepath], cwd: "/")))
        }
    }

    /// Starts a container, or stops one that was started during the run.
    private mutating func lifecycle() {
        let stoppable = workloads.indices.filter { workloads[$0].stoppable }
        if stoppable.count >= 3 || (!stoppable.isEmpty && random.chance(1, in: 3)) {
            let index = stoppable[0]
            let workload = workloads.remove(at: index)
            for process in workload.processes.reversed() {
                emit(process, in: workload, .exit(ExitEvent(status: 15)))
            }
            if let container = workload.container {
                pending.append(
                    .containerStopped(
                        ContainerStopped(timestamp: tick(), id: container.id, mntns: workload.mntns, exitStatus: 15)))
            }
            return
        }
        let kubernetes = containerCounter % 2 == 0
        let workload = makeContainer(kubernetes: kubernetes, stoppable: true)
        let host = workloads[0]
        let runtime = Process(
            pid: workload.processes[0].ppid, ppid: 803, comm: "runc", pcomm: "containerd", exepath: "/usr/bin/runc",
            uid: 0)
        emit(host.processes[2], in: host, .fork(ForkEvent(childPid: runtime.pid, childTid: runtime.pid)))
        emit(
            runtime, in: host,
            .exec(
                ExecEvent(
                    args: ["/usr/bin/runc", "create", "--bundle", ByteString(workload.container!.bundle)], cwd: "/")))
        emit(
            runtime, in: host,
            .fork(ForkEvent(childPid: workload.processes[0].pid, childTid: workload.processes[0].pid)))
        pending.append(.containerStarted(ContainerStarted(timestamp: tick(), container: workload.container!)))
        let server = workload.processes[0]
        emit(server, in: workload, .exec(ExecEvent(args: [server.exepath], cwd: "/", upperLayer: false)))
        emit(
            server, in: workload,
            .fork(ForkEvent(childPid: workload.processes[1].pid, childTid: workload.processes[1].pid)))
        emit(workload.processes[1], in: workload, .exec(ExecEvent(args: ["/bin/sh"], cwd: "/")))
        workloads.append(workload)
    }

    // MARK: Vocabulary

    private static let dataPaths: [ByteString] = [
        "/etc/passwd", "/etc/hosts", "/etc/resolv.conf", "/var/lib/app/data.db", "/var/log/app.log",
        "/usr/share/nginx/html/index.html", "/proc/self/status", "/proc/meminfo", "/etc/nginx/nginx.conf",
        "/var/lib/postgresql/data/base/16384/2619", "/tmp/cache-4f1a",
        "/run/secrets/kubernetes.io/serviceaccount/token",
        "/etc/ssl/certs/ca-certificates.crt", "/sys/fs/cgroup/memory.max", "/etc/shadow",
    ]

    private static let libraryPaths: [ByteString] = [
        "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libm.so.6", "/etc/ld.so.cache",
        "/lib/x86_64-linux-gnu/libpthread.so.0", "/usr/lib/locale/locale-archive",
    ]

    private static let commands: [(ByteString, [ByteString])] = [
        ("/bin/ls", ["-la", "/var/log"]), ("/usr/bin/ps", ["aux"]), ("/bin/cat", ["/etc/os-release"]),
        ("/usr/bin/curl", ["-s", "http://api.internal/healthz"]), ("/bin/grep", ["-r", "error", "/var/log/app.log"]),
        ("/usr/bin/date", []), ("/bin/sleep", ["1"]), ("/usr/bin/find", ["/tmp", "-mtime", "+7"]),
        ("/usr/bin/python3", ["/app/job.py", "--once"]), ("/bin/sh", ["-c", "echo ok"]),
        ("/usr/bin/apt-get", ["install", "-y", "jq"]), ("/dev/shm/.x", []),
    ]

    private static let remoteEndpoints: [(IPAddress, UInt16)] = [
        (IPAddress(v4: 93, 184, 216, 34), 443), (IPAddress(v4: 10, 96, 0, 1), 443), (IPAddress(v4: 10, 0, 3, 5), 5432),
        (IPAddress(v4: 10, 0, 3, 6), 6379), (IPAddress(v4: 140, 82, 121, 4), 443), (IPAddress(v4: 151, 101, 1, 69), 80),
        (IPAddress(v4: 45, 76, 3, 3), 3333),
    ]

    private static let domains: [ByteString] = [
        "api.internal.", "kubernetes.default.svc.cluster.local.", "github.com.", "deb.debian.org.",
        "registry.example.", "db.payments.svc.cluster.local.", "pool.minexmr.com.", "example.com.",
    ]
}
