import LoupeFormat
import LoupeModel
import LoupeSystem
import TestSupport
import Testing

@testable import LoupeCapture

#if canImport(Glibc)
    import Glibc
#endif

/// What the end-to-end tests need from the machine, and whether it is there.
enum EndToEnd {
    /// The repository (scripts/e2e); LOUPE_SOURCE_ROOT overrides.
    static let root: String = {
        if let root = environmentValue("LOUPE_SOURCE_ROOT") { return root }
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    /// Root with BTF: the precondition of any live capture. Without it the suite is skipped
    /// (and says why); with LOUPE_E2E_REQUIRED=1 (CI) it fails instead.
    static var kernelReady: Bool {
        (geteuid() == 0 && access("/sys/kernel/btf/vmlinux", R_OK) == 0) || required
    }
    static var required: Bool { environmentValue("LOUPE_E2E_REQUIRED") == "1" }

    /// The `loupe` executable: LOUPE_BINARY, else the one built next to this test bundle (or
    /// in the usual build folders).
    static func loupeBinary() -> String? {
        var candidates: [String] = environmentValue("LOUPE_BINARY").map { [$0] } ?? []
        if let exe = ProcFS.readLink("/proc/self/exe") {
            let path = String(decoding: exe, as: UTF8.self)
            var directory = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
            // The test binary may sit inside an .xctest bundle directory.
            if directory.hasSuffix(".xctest") || directory.contains(".xctest/") {
                directory = String(directory[..<directory.firstRange(of: ".xctest")!.lowerBound])
                directory = String(directory[..<(directory.lastIndex(of: "/") ?? directory.endIndex)])
            }
            candidates.append(directory + "/loupe")
        }
        candidates += [root + "/.build/debug/loupe", root + "/.build-cap/debug/loupe"]
        return candidates.first { access($0, X_OK) == 0 }
    }

    /// Builds the static action helper; its path.
    static func actionHelper() throws -> String {
        let result = Processes.run([root + "/scripts/e2e/build-actions.sh"])
        guard result.succeeded, let path = result.output.split(separator: "\n").last.map(String.init) else {
            throw Problem("cannot build the action helper (needs cc and libc6-dev):\n\(result.output)")
        }
        return path
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// A UDP DNS responder on 127.0.0.1:53 answering every A query with 10.9.8.7.
final class TinyResolver: @unchecked Sendable {
    private let socketDescriptor: Int32
    private let monitor = ConditionLock()
    private var stopping = false
    private var thread: PosixThread?

    init() throws {
        socketDescriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(53).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var one: Int32 = 1
        setsockopt(socketDescriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(4))
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let message = String(cString: strerror(errno))
            close(socketDescriptor)
            throw EndToEnd.Problem("cannot bind 127.0.0.1:53 for the test resolver: \(message)")
        }
        thread = PosixThread(name: "test-resolver") { [self] in serve() }
    }

    private func serve() {
        var buffer = [UInt8](repeating: 0, count: 512)
        while !monitor.locked({ stopping }) {
            var from = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(socketDescriptor, raw.baseAddress, raw.count, 0, $0, &length)
                    }
                }
            }
            guard count >= 12 else { continue }
            var answer = Array(buffer[0..<count])
            answer[2] = 0x81
            answer[3] = 0x80
            answer[7] = 1
            answer += [0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 9, 8, 7]
            _ = answer.withUnsafeBytes { raw in
                withUnsafePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(socketDescriptor, raw.baseAddress, raw.count, 0, $0, length)
                    }
                }
            }
        }
    }

    func stop() {
        monitor.locked { stopping = true }
        thread?.join()
        close(socketDescriptor)
    }
}

/// Everything read back from a capture directory.
struct CaptureContents {
    var host: HostInfo
    var records: [Record] = []
    var report = ReadReport()

    init(path: String) throws {
        let reader = try CaptureReader(path: path)
        host = try reader.firstHeader().host
        var records: [Record] = []
        report = try reader.forEach { record, _ in records.append(record) }
        self.records = records
    }

    var events: [(index: Int, event: Event)] {
        records.enumerated().compactMap { index, record in
            if case .event(let event) = record { return (index, event) }
            return nil
        }
    }

    /// Containers from snapshots and start records, with the index of their record.
    var containers: [(index: Int, info: ContainerInfo, snapshot: Bool)] {
        records.enumerated().compactMap { index, record in
            switch record {
            case .containerStarted(let started): (index, started.container, false)
            case .containerSnapshot(let started): (index, started.container, true)
            default: nil
            }
        }
    }

    var stopped: [ContainerStopped] {
        records.compactMap { if case .containerStopped(let stopped) = $0 { stopped } else { nil } }
    }
}

@Suite(
    .serialized,
    .enabled(
        if: EndToEnd.kernelReady,
        "end-to-end capture tests need root and a kernel with BTF (set LOUPE_E2E_REQUIRED=1 to fail instead of skip)"))
struct EndToEndTests {
    static let dockerName = "loupe-e2e-pre"
    static let newDockerName = "loupe-e2e-new"
    static let podID = "loupe-e2e-prepod"
    static let newPodID = "loupe-e2e-newpod"

    func docker(_ arguments: String...) -> Processes.Result { Processes.run(["docker"] + arguments) }

    func cleanUp() {
        _ = docker("rm", "-f", Self.dockerName, Self.newDockerName)
        for id in [Self.podID, Self.newPodID] {
            _ = Processes.run([EndToEnd.root + "/scripts/e2e/runc-pod.sh", "--delete", id])
        }
    }

    @Test func actionsInEveryContextAreCapturedAndAttributed() throws {
        let loupe = try #require(EndToEnd.loupeBinary(), "build the loupe product first (swift build)")
        let helper = try EndToEnd.actionHelper()
        let setup = Processes.run([EndToEnd.root + "/scripts/e2e/setup-docker.sh"])
        guard setup.succeeded else {
            Issue.record("Docker cannot run here, so the docker and pod parts cannot be tested:\n\(setup.output)")
            return
        }
        cleanUp()
        defer { cleanUp() }
        let bind = helper + ":/loupe-actions:ro"
        let podScript = EndToEnd.root + "/scripts/e2e/runc-pod.sh"

        // Containers that run before the capture starts: found by discovery.
        let pre = docker(
            "run", "-d", "--network", "none", "--security-opt", "seccomp=unconfined", "--name", Self.dockerName, "-v",
            bind, "busybox:local", "/loupe-actions", "--sleep", "300")
        try #require(pre.succeeded, "docker run: \(pre.output)")
        let prePod = Processes.run([
            podScript, "-d", "--bind", helper + ":/loupe-actions", Self.podID, "web-pre", "e2e", "app", "--",
            "/loupe-actions", "--sleep", "300",
        ])
        try #require(prePod.succeeded, "runc-pod.sh: \(prePod.output)")

        let resolver = try TinyResolver()
        defer { resolver.stop() }
        let directory = TemporaryDirectory("e2e")
        let capturePath = directory.appending("capture")
        let log = open(directory.appending("capture.log"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(log) }
        let capture = try #require(
            Processes.spawn(
                [loupe, "capture", "-o", capturePath, "--duration", "180s", "-q", "--metrics-addr", "127.0.0.1:19187"],
                stdout: log))
        var captureExited = false
        defer { if !captureExited { kill(capture, SIGKILL); Processes.wait(capture) } }
        try waitForSegment(capturePath, pid: capture, log: directory.appending("capture.log"))

        // Host, the two running containers, and two containers started now.
        let host = Processes.run([helper, "e2e-host"])
        #expect(host.output.contains("done e2e-host"), "\(host.output)")
        let preExec = docker("exec", Self.dockerName, "/loupe-actions", "e2e-predocker")
        #expect(preExec.output.contains("done e2e-predocker"), "\(preExec.output)")
        let podExec = Processes.run(["runc", "exec", Self.podID, "/loupe-actions", "e2e-prepod"])
        #expect(podExec.output.contains("done e2e-prepod"), "\(podExec.output)")
        let newDocker = docker(
            "run", "--rm", "--network", "none", "--security-opt", "seccomp=unconfined", "--name", Self.newDockerName,
            "-v", bind, "busybox:local", "/loupe-actions", "e2e-newdocker")
        #expect(newDocker.output.contains("done e2e-newdocker"), "\(newDocker.output)")
        let newPod = Processes.run([
            podScript, "--bind", helper + ":/loupe-actions", Self.newPodID, "web-new", "e2e", "app", "--",
            "/loupe-actions", "e2e-newpod",
        ])
        #expect(newPod.output.contains("done e2e-newpod"), "\(newPod.output)")
        // Stop the containers that were running before.
        _ = docker("rm", "-f", Self.dockerName)
        _ = Processes.run([podScript, "--delete", Self.podID])
        usleep(2_500_000)

        let metrics = httpGet(port: 19187)
        #expect(metrics.contains("loupe_events_total{event_type=\"exec\"}"), "metrics: \(metrics.prefix(300))")
        #expect(metrics.contains("loupe_containers{context=\"kubernetes\"}"))

        kill(capture, SIGINT)
        let status = Processes.wait(capture, seconds: 30)
        captureExited = status != nil
        #expect(
            status == 0,
            "capture exit status \(String(describing: status)): \(String(decoding: readFile(directory.appending("capture.log")), as: UTF8.self))"
        )

        let contents = try CaptureContents(path: capturePath)
        #expect(contents.report.damage.isEmpty, "\(contents.report.damage)")
        #expect(contents.host.hostMntns != 0)
        let containers = contents.containers

        // Host.
        check(contents, tag: "e2e-host", mntns: contents.host.hostMntns, expectAnswer: true)

        // Docker, running before the capture: a snapshot record.
        if let info = containers.first(where: { $0.info.name == Self.dockerName }) {
            #expect(info.snapshot && info.info.context == .docker && info.info.image == "busybox:local")
            check(contents, tag: "e2e-predocker", mntns: info.info.mntns, expectAnswer: false)
            #expect(contents.stopped.contains { $0.id == info.info.id }, "stop of \(Self.dockerName)")
        } else {
            Issue.record("no container record for \(Self.dockerName): \(containers.map(\.info.name))")
        }
        // Pod, running before the capture.
        if let info = containers.first(where: { $0.info.id == Self.podID }) {
            #expect(info.snapshot && info.info.context == .kubernetes)
            #expect(
                info.info.kubernetes
                    == KubernetesIdentity(
                        namespace: "e2e", podName: "web-pre", podUID: "uid-web-pre", containerName: "app",
                        sandboxID: "sandbox-\(Self.podID)"))
            check(contents, tag: "e2e-prepod", mntns: info.info.mntns, expectAnswer: false)
            #expect(contents.stopped.contains { $0.id == Self.podID }, "stop of \(Self.podID)")
        } else {
            Issue.record("no container record for \(Self.podID): \(containers.map(\.info.id))")
        }
        // Docker and pod started during the capture: start records, before their events.
        for (name, tag, context) in [
            (Self.newDockerName, "e2e-newdocker", EventSourceContext.docker),
            (Self.newPodID, "e2e-newpod", .kubernetes),
        ] {
            guard let info = containers.first(where: { $0.info.name == name || $0.info.id == name }) else {
                Issue.record("no container_started for \(name): \(containers.map(\.info.name))")
                continue
            }
            #expect(!info.snapshot && info.info.context == context)
            if context == .kubernetes { #expect(info.info.kubernetes?.podName == "web-new") }
            let helperPid = check(contents, tag: tag, mntns: info.info.mntns, expectAnswer: false)
            // The container's init process is the helper itself.
            #expect(
                helperPid == info.info.initPid,
                "\(name): init pid \(info.info.initPid), helper \(String(describing: helperPid))")
            if let first = contents.events.first(where: { $0.event.header.pid == helperPid }) {
                #expect(info.index < first.index, "\(name): container_started after its first event")
            }
            #expect(contents.stopped.contains { $0.id == info.info.id }, "stop of \(name)")
        }
    }

    /// Checks every action of one helper run; returns the helper's pid.
    @discardableResult
    func check(_ contents: CaptureContents, tag: String, mntns: UInt64, expectAnswer: Bool) -> UInt32? {
        let events = contents.events.map(\.event)
        func isHelperExec(_ event: Event) -> Bool {
            guard case .exec(let exec) = event.payload, exec.retval == 0, exec.args.count >= 2 else { return false }
            return exec.args[0].string.hasSuffix("loupe-actions") && exec.args[1].string == tag
        }
        guard let exec = events.first(where: isHelperExec) else {
            Issue.record("\(tag): no exec of the helper in the capture")
            return nil
        }
        let pid = exec.header.pid
        #expect(exec.header.mntns == mntns, "\(tag): exec mntns \(exec.header.mntns), want \(mntns)")
        #expect(exec.header.exepath.string.hasSuffix("loupe-actions"), "\(tag): exepath \(exec.header.exepath)")
        let mine = events.filter { $0.header.pid == pid }
        #expect(mine.allSatisfy { $0.header.mntns == mntns }, "\(tag): an event outside mntns \(mntns)")
        func has(_ what: String, _ predicate: (Event) -> Bool) {
            let found = mine.contains(where: predicate)
            #expect(found, "\(tag): no \(what) event from pid \(pid)")
        }
        // Ancestry: the exec'd child names the helper as its parent.
        #expect(
            events.contains {
                guard case .exec(let child) = $0.payload else { return false }
                return child.args.contains("--child") && child.args.last?.string == tag && $0.header.ppid == pid
                    && $0.header.mntns == mntns
            }, "\(tag): no child exec with ppid \(pid)")
        has("open /etc/shadow") { if case .open(let open) = $0.payload { open.path == "/etc/shadow" } else { false } }
        has("connect") {
            if case .network(let net) = $0.payload {
                net.operation == .connect && net.proto == .tcp && net.dstAddr == IPAddress("127.0.0.1")!
                    && net.retval == 0
            } else {
                false
            }
        }
        has("accept") { if case .network(let net) = $0.payload { net.operation == .accept } else { false } }
        has("dns query") {
            if case .dns(let dns) = $0.payload {
                !dns.isResponse && dns.name.string == "\(tag).loupe-e2e.example."
            } else {
                false
            }
        }
        if expectAnswer {
            has("dns answer") {
                if case .dns(let dns) = $0.payload {
                    dns.isResponse && dns.answers == [IPAddress("10.9.8.7")!]
                } else {
                    false
                }
            }
        }
        has("unshare") { if case .unshare(let u) = $0.payload { u.flags == 0x0400_0000 } else { false } }
        has("symlink over /etc/shadow") {
            if case .symlink(let link) = $0.payload { link.oldPath == "/etc/shadow" } else { false }
        }
        has("hardlink of /etc/shadow") {
            if case .hardlink(let link) = $0.payload { link.oldPath == "/etc/shadow" } else { false }
        }
        has("ptrace attach") { if case .ptrace(let p) = $0.payload { p.request == 16 } else { false } }
        has("finit_module") {
            if case .kmod(let k) = $0.payload { k.syscallName == "finit_module" } else { false }
        }
        has("io_uring setup") {
            if case .iouring(let io) = $0.payload { io.opcode == IOUringEvent.setupOpcode } else { false }
        }
        has("bpf prog load") { if case .bpf(let b) = $0.payload { b.command == 5 } else { false } }
        return pid
    }

    /// Waits until the capture has opened its first segment (tracers attached, snapshot taken).
    func waitForSegment(_ path: String, pid: pid_t, log: String) throws {
        for _ in 0..<300 {
            if access(path + "/seg-00000001.loupe", F_OK) == 0 {
                usleep(300_000)
                return
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                throw EndToEnd.Problem("capture exited early:\n\(String(decoding: readFile(log), as: UTF8.self))")
            }
            usleep(100_000)
        }
        throw EndToEnd.Problem("capture did not start within 30 s")
    }

    /// The body of `GET /metrics` on 127.0.0.1:port, or "" on failure.
    func httpGet(port: UInt16) -> String {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return "" }
        let request = Array("GET /metrics HTTP/1.0\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += chunk[0..<count]
        }
        return String(decoding: response, as: UTF8.self)
    }

    @Test func killedCaptureReadsBackToItsLastWholeBlock() throws {
        let loupe = try #require(EndToEnd.loupeBinary(), "build the loupe product first (swift build)")
        let helper = try EndToEnd.actionHelper()
        let directory = TemporaryDirectory("e2e-kill")
        let capturePath = directory.appending("capture")
        let log = open(directory.appending("capture.log"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(log) }
        let capture = try #require(Processes.spawn([loupe, "capture", "-o", capturePath, "-q"], stdout: log))
        try waitForSegment(capturePath, pid: capture, log: directory.appending("capture.log"))
        _ = Processes.run([helper, "e2e-kill-early"])
        // Blocks are written out after a second; give the early actions time to land in one.
        usleep(2_500_000)
        _ = Processes.run([helper, "e2e-kill-late"])
        kill(capture, SIGKILL)
        #expect(Processes.wait(capture) == 128 + SIGKILL)

        let contents = try CaptureContents(path: capturePath)
        #expect(!contents.records.isEmpty)
        #expect(
            contents.events.contains {
                if case .exec(let exec) = $0.event.payload { exec.args.last == "e2e-kill-early" } else { false }
            }, "the actions before the last flush must survive a kill -9")
        // The segment has no index: the reader found its blocks by scanning, and any cut tail
        // is reported as damage, not thrown.
        for damage in contents.report.damage { print("damage after kill -9 (expected): \(damage)") }
    }
}
