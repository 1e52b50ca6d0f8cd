public import LoupeModel

/// Seeded random records of every kind, for property-style tests: each field gets a random
/// value, including zero, empty, long and non-UTF-8 ones, so encoders meet their edge cases.
public struct RandomRecords {
    public var random: SeededRandom

    public init(seed: UInt64) { random = SeededRandom(seed: seed) }

    /// One record of every kind, in kind order.
    public mutating func oneOfEachKind() -> [Record] {
        EventType.allCases.map { .event(event($0)) } + [
            .containerStarted(ContainerStarted(timestamp: timestamp(), container: container())),
            .containerStopped(
                ContainerStopped(
                    timestamp: timestamp(), id: text(), mntns: u64(), exitStatus: random.chance(1, in: 2) ? i32() : nil)
            ),
            .processSnapshot(processSnapshot()),
            .containerSnapshot(ContainerStarted(timestamp: timestamp(), container: container())),
            .clockSync(ClockAnchor(bootTime: u64(), wallTime: Int64(bitPattern: u64()))),
            .drop(
                DropRecord(
                    timestamp: timestamp(), source: random.pick(DropSource.allCases),
                    eventType: random.chance(1, in: 2) ? random.pick(EventType.allCases) : nil, count: u64(),
                    cpu: random.chance(1, in: 2) ? u32() : nil, detail: text())),
        ]
    }

    /// A random record of a random kind.
    public mutating func record() -> Record {
        random.pick(oneOfEachKind())
    }

    public mutating func event(_ type: EventType) -> Event {
        let header = EventHeader(
            timestamp: timestamp(), cpu: u32(), pid: u32(), tid: u32(), ppid: u32(), uid: u32(), gid: u32(),
            mntns: u64(), cgroupID: u64(), comm: bytes(), pcomm: bytes(), exepath: bytes())
        let payload: EventPayload
        switch type {
        case .exec:
            payload = .exec(
                ExecEvent(
                    args: list { $0.bytes() }, cwd: bytes(), upperLayer: bool(), parentUpperLayer: bool(),
                    tty: bool() ? TerminalDevice(major: u32(), minor: u32()) : nil,
                    loaderEnvironment: list { $0.bytes() },
                    retval: i32()))
        case .exit: payload = .exit(ExitEvent(status: i32()))
        case .fork: payload = .fork(ForkEvent(childPid: u32(), childTid: u32()))
        case .open: payload = .open(OpenEvent(path: bytes(), flags: u32(), mode: u32(), retval: i32()))
        case .network:
            payload = .network(
                NetworkEvent(
                    operation: random.pick([.connect, .accept, .listen, .send]),
                    proto: random.pick([.tcp, .udp, .other]),
                    direction: random.pick([.outgoing, .incoming, .unknown]), srcAddr: address(), srcPort: u16(),
                    dstAddr: address(), dstPort: u16(), retval: i32()))
        case .dns:
            payload = .dns(
                DNSEvent(
                    name: bytes(), queryType: u16(), transactionID: u16(), isResponse: bool(),
                    rcode: UInt8(random.below(256)),
                    answers: list { $0.address(allowNone: false) }, srcAddr: address(), srcPort: u16(),
                    dstAddr: address(),
                    dstPort: u16()))
        case .http:
            payload = .http(
                HTTPEvent(
                    direction: random.pick([.outgoing, .incoming, .unknown]), method: bytes(), url: bytes(),
                    host: bytes(),
                    statusCode: u16(), headers: list { HTTPHeader(name: $0.bytes(), value: $0.bytes()) }, body: bytes(),
                    srcAddr: address(), srcPort: u16(), dstAddr: address(), dstPort: u16()))
        case .ssh:
            payload = .ssh(
                SSHEvent(
                    direction: random.pick([.outgoing, .incoming, .unknown]), srcAddr: address(), srcPort: u16(),
                    dstAddr: address(), dstPort: u16()))
        case .syscall: payload = .syscall(SyscallEvent(number: u32(), name: bytes()))
        case .capabilities:
            payload = .capabilities(CapabilitiesEvent(capability: u32(), syscallName: bytes(), allowed: bool()))
        case .symlink: payload = .symlink(LinkEvent(oldPath: bytes(), newPath: bytes(), retval: i32()))
        case .hardlink: payload = .hardlink(LinkEvent(oldPath: bytes(), newPath: bytes(), retval: i32()))
        case .ptrace: payload = .ptrace(PtraceEvent(request: Int64(bitPattern: u64()), targetPid: u32(), retval: i32()))
        case .kmod: payload = .kmod(KmodEvent(module: bytes(), syscallName: bytes(), retval: i32()))
        case .unshare: payload = .unshare(UnshareEvent(flags: u64(), retval: i32()))
        case .iouring: payload = .iouring(IOUringEvent(opcode: u32(), flags: u32()))
        case .randomx: payload = .randomx
        case .bpf: payload = .bpf(BPFEvent(command: u32(), attrSize: u32(), retval: i32()))
        case .procfs: payload = .procfs(ProcfsEvent(args: list { $0.bytes() }, cwd: bytes()))
        }
        return Event(header: header, payload: payload)
    }

    public mutating func container() -> ContainerInfo {
        ContainerInfo(
            id: text(), name: text(), runtime: random.pick(ContainerRuntime.allCases), image: text(),
            imageDigest: text(),
            initPid: u32(), mntns: u64(), netns: u64(), cgroupPath: text(), bundle: text(),
            kubernetes: bool()
                ? KubernetesIdentity(
                    namespace: text(), podName: text(), podUID: text(), containerName: text(), sandboxID: text(),
                    labels: list { Label($0.text(), $0.text()) }) : nil,
            mounts: list { $0.text() })
    }

    public mutating func processSnapshot() -> ProcessSnapshot {
        ProcessSnapshot(
            timestamp: timestamp(), pid: u32(), ppid: u32(), uid: u32(), gid: u32(), mntns: u64(), comm: bytes(),
            exepath: bytes(), args: list { $0.bytes() }, cwd: bytes(), startTime: u64(), upperLayer: bool(),
            loaderEnvironment: list { $0.bytes() })
    }

    // MARK: Values

    /// Mostly small, sometimes zero, sometimes the extremes.
    public mutating func u64() -> UInt64 {
        switch random.below(6) {
        case 0: 0
        case 1: UInt64.max
        case 2: UInt64(random.below(128))
        default: random.next() >> UInt64(random.below(64))
        }
    }

    public mutating func u32() -> UInt32 { UInt32(truncatingIfNeeded: u64()) }
    public mutating func u16() -> UInt16 { UInt16(truncatingIfNeeded: u64()) }
    public mutating func i32() -> Int32 { Int32(truncatingIfNeeded: Int64(bitPattern: u64())) }
    public mutating func bool() -> Bool { random.chance(1, in: 2) }
    public mutating func timestamp() -> UInt64 { u64() >> 2 }

    /// Bytes that are often empty, sometimes long, and sometimes not valid UTF-8.
    public mutating func bytes() -> ByteString {
        let length: Int
        switch random.below(5) {
        case 0: length = 0
        case 1: length = 200 + random.below(400)
        default: length = random.below(32)
        }
        return ByteString((0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) })
    }

    public mutating func text() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-_/.:é✓")
        return String((0..<random.below(24)).map { _ in random.pick(alphabet) })
    }

    public mutating func address(allowNone: Bool = true) -> IPAddress {
        switch random.below(allowNone ? 3 : 2) {
        case 0: IPAddress(bytes: (0..<4).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        case 1: IPAddress(bytes: (0..<16).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        default: .none
        }
    }

    public mutating func list<T>(_ element: (inout RandomRecords) -> T) -> [T] {
        (0..<random.below(5)).map { _ in element(&self) }
    }
}
