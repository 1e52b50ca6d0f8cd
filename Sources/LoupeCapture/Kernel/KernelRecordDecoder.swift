internal import CLoupeBPF
public import LoupeModel

/// Turns ring-buffer records of `bpf/loupe_events.h` into `Record`s.
///
/// Every record starts with the 88-byte common header:
///
/// ```
///  0     4    6     8        16          24   28   32   36    40   44   48     52    56       72       88
///  +-----+----+-----+--------+-----------+----+----+----+-----+----+----+------+-----+--------+--------+
///  | len |type|flags| ts_ns  | cgroup_id |cpu |pid |tid |ppid |uid |gid |mntns | pad | comm   | pcomm  |
///  +-----+----+-----+--------+-----------+----+----+----+-----+----+----+------+-----+--------+--------+
/// ```
///
/// then the type's fixed part, then string bytes referenced by `{off, len}` pairs relative to
/// the record start. The decoder copies each record once; every string of the decoded record
/// is a view into that copy. Bad input (short, lying lengths, strings out of bounds, unknown
/// types) never traps: such records are counted and skipped, bad strings come out empty.
///
/// The decoder also remembers each process's executable (from exec records, forks and the
/// start snapshot) to fill `EventHeader.exepath` of every event, which the kernel sends only
/// with exec.
public struct KernelRecordDecoder: Sendable {
    /// Records shorter than their type's fixed part, or whose length field exceeds the bytes.
    public private(set) var malformedRecords: UInt64 = 0
    /// Records of a type this decoder does not know (skipped).
    public private(set) var unknownRecords: UInt64 = 0
    /// Strings whose `{off, len}` pointed outside the record (decoded as empty).
    public private(set) var badStrings: UInt64 = 0
    /// Whether to fill `EventHeader.exepath` from the remembered executables.
    public var tracksExecutables: Bool

    private var executables: [UInt32: ByteString] = [:]

    public init(tracksExecutables: Bool = true) {
        self.tracksExecutables = tracksExecutables
    }

    /// Remembers `exepath` for `pid` (from the /proc snapshot at start).
    public mutating func rememberExecutable(pid: UInt32, exepath: ByteString) {
        guard tracksExecutables, !exepath.isEmpty else { return }
        executables[pid] = exepath
    }

    /// Decodes one record; nil when it is malformed or of an unknown type.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) -> Record? {
        let headerSize = MemoryLayout<loupe_hdr>.size
        guard bytes.count >= headerSize else {
            malformedRecords += 1
            return nil
        }
        let header = bytes.loadUnaligned(as: loupe_hdr.self)
        let length = Int(header.len)
        guard length >= headerSize, length <= bytes.count else {
            malformedRecords += 1
            return nil
        }
        guard let kernelType = KernelEventType(rawValue: header.type) else {
            unknownRecords += 1
            return nil
        }
        guard length >= kernelType.fixedSize else {
            malformedRecords += 1
            return nil
        }
        let storage = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[0..<length]))
        var reader = RecordView(storage: storage)
        var eventHeader = EventHeader(
            timestamp: header.ts_ns, cpu: header.cpu, pid: header.pid, tid: header.tid, ppid: header.ppid,
            uid: header.uid, gid: header.gid, mntns: UInt64(header.mntns), cgroupID: header.cgroup_id,
            comm: reader.fixedText(at: RecordView.commOffset, count: Int(LOUPE_COMM_LEN)),
            pcomm: reader.fixedText(at: RecordView.pcommOffset, count: Int(LOUPE_COMM_LEN)))
        let payload = decodePayload(kernelType, &reader, header: &eventHeader)
        badStrings += reader.badStrings
        if tracksExecutables, eventHeader.exepath.isEmpty, let known = executables[header.pid] {
            eventHeader.exepath = known
        }
        return .event(Event(header: eventHeader, payload: payload))
    }

    /// Decodes a record held in an array (tests, replays of raw dumps).
    public mutating func decode(_ bytes: [UInt8]) -> Record? {
        bytes.withUnsafeBytes { decode($0) }
    }

    private mutating func decodePayload(
        _ type: KernelEventType, _ reader: inout RecordView, header: inout EventHeader
    ) -> EventPayload {
        switch type {
        case .exec:
            let e = reader.load(loupe_exec.self)
            let exepath = reader.string(e.exepath)
            header.exepath = exepath.isEmpty ? reader.string(e.filename) : exepath
            if tracksExecutables, e.retval == 0, !header.exepath.isEmpty {
                // A private copy: the record's buffer (up to 8 KiB of argv) must not stay alive.
                executables[header.pid] = ByteString(Array(header.exepath.bytes))
            }
            return .exec(
                ExecEvent(
                    args: reader.list(e.args), cwd: reader.string(e.cwd), upperLayer: e.upper_layer != 0,
                    parentUpperLayer: e.pupper_layer != 0,
                    tty: e.has_tty != 0 ? TerminalDevice(major: e.tty_major, minor: e.tty_minor) : nil,
                    loaderEnvironment: reader.list(e.env), retval: e.retval))
        case .exit:
            let e = reader.load(loupe_exit.self)
            if tracksExecutables { executables[header.pid] = nil }
            return .exit(ExitEvent(status: Int32(bitPattern: e.status)))
        case .fork:
            let e = reader.load(loupe_fork.self)
            let isThread = UInt32(reader.flags) & UInt32(LOUPE_HF_THREAD) != 0
            if tracksExecutables, !isThread, let parent = executables[header.pid] {
                executables[e.child_pid] = parent
            }
            return .fork(ForkEvent(childPid: e.child_pid, childTid: e.child_tid))
        case .open:
            let e = reader.load(loupe_open.self)
            return .open(OpenEvent(path: reader.string(e.path), flags: e.flags, mode: e.mode, retval: e.retval))
        case .network:
            let e = reader.load(loupe_network.self)
            let size = e.family == 10 ? 16 : (e.family == 2 ? 4 : 0)
            let operation: NetworkOperation =
                switch e.kind {
                case UInt8(LOUPE_NET_ACCEPT.rawValue): .accept
                case UInt8(LOUPE_NET_LISTEN.rawValue): .listen
                default: .connect
                }
            return .network(
                NetworkEvent(
                    operation: operation, proto: TransportProtocol(rawValue: e.proto) ?? .other,
                    direction: Direction(rawValue: e.direction) ?? .unknown,
                    srcAddr: reader.address(at: RecordView.networkSourceOffset, count: size), srcPort: e.sport,
                    dstAddr: reader.address(at: RecordView.networkDestinationOffset, count: size), dstPort: e.dport,
                    retval: e.retval))
        case .dns:
            let e = reader.load(loupe_dns.self)
            let size = e.family == 10 ? 16 : (e.family == 2 ? 4 : 0)
            let message = DNSMessage.parse(reader.string(e.payload).bytes)
            return .dns(
                DNSEvent(
                    name: ByteString(message?.name ?? []), queryType: message?.queryType ?? 0,
                    transactionID: message?.id ?? 0, isResponse: message?.isResponse ?? (e.direction == 2),
                    rcode: message?.rcode ?? 0, answers: message?.answers ?? [],
                    srcAddr: reader.address(at: RecordView.dnsSourceOffset, count: size), srcPort: e.sport,
                    dstAddr: reader.address(at: RecordView.dnsDestinationOffset, count: size), dstPort: e.dport))
        case .ptrace:
            let e = reader.load(loupe_ptrace.self)
            return .ptrace(PtraceEvent(request: e.request, targetPid: e.target_pid, retval: e.retval))
        case .kmod:
            let e = reader.load(loupe_kmod.self)
            let finit = e.call == UInt32(LOUPE_KMOD_FINIT_MODULE.rawValue)
            return .kmod(
                KmodEvent(
                    module: reader.string(e.path), syscallName: ByteString(finit ? "finit_module" : "init_module"),
                    retval: e.retval))
        case .unshare:
            let e = reader.load(loupe_unshare.self)
            return .unshare(UnshareEvent(flags: e.flags, retval: e.retval))
        case .symlink, .hardlink:
            let e = reader.load(loupe_link.self)
            let link = LinkEvent(oldPath: reader.string(e.oldpath), newPath: reader.string(e.newpath), retval: e.retval)
            return type == .symlink ? .symlink(link) : .hardlink(link)
        case .bpf:
            let e = reader.load(loupe_bpf_syscall.self)
            return .bpf(BPFEvent(command: e.cmd, attrSize: e.attr_size, retval: e.retval))
        case .iouring:
            let e = reader.load(loupe_iouring.self)
            if e.kind == UInt32(LOUPE_IOURING_SETUP.rawValue) {
                return .iouring(IOUringEvent(opcode: IOUringEvent.setupOpcode, flags: e.flags))
            }
            return .iouring(IOUringEvent(opcode: e.opcode, flags: e.flags))
        case .capabilities:
            let e = reader.load(loupe_capability.self)
            return .capabilities(
                CapabilitiesEvent(
                    capability: e.cap, syscallName: ByteString(syscallName(e.syscall_nr)), allowed: e.retval == 0))
        case .randomx:
            return .randomx
        case .syscall:
            let e = reader.load(loupe_syscall.self)
            return .syscall(
                SyscallEvent(number: UInt32(bitPattern: e.syscall_nr), name: ByteString(syscallName(e.syscall_nr))))
        }
    }
}

extension IOUringEvent {
    /// The opcode Loupe records for an io_uring ring being set up (`io_uring_setup`), which has
    /// no operation: above every real `IORING_OP_*`, so opcode rules never match it.
    public static let setupOpcode: UInt32 = 0xffff_ffff
}

/// The kernel's event type numbers (`enum loupe_event_type`), which differ from `EventType`'s.
public enum KernelEventType: UInt16, CaseIterable, Sendable {
    case exec = 1, exit, fork, open, network, dns, ptrace, kmod, unshare, symlink, hardlink, bpf, iouring
    case capabilities, randomx, syscall

    /// The record model's type.
    public var eventType: EventType {
        switch self {
        case .exec: .exec
        case .exit: .exit
        case .fork: .fork
        case .open: .open
        case .network: .network
        case .dns: .dns
        case .ptrace: .ptrace
        case .kmod: .kmod
        case .unshare: .unshare
        case .symlink: .symlink
        case .hardlink: .hardlink
        case .bpf: .bpf
        case .iouring: .iouring
        case .capabilities: .capabilities
        case .randomx: .randomx
        case .syscall: .syscall
        }
    }

    /// The kernel type of a model type, for the types the tracers produce.
    public init?(_ type: EventType) {
        guard let match = Self.allCases.first(where: { $0.eventType == type }) else { return nil }
        self = match
    }

    /// The bit of this type in the tracer's `enabled` mask.
    public var maskBit: UInt64 { 1 << UInt64(rawValue) }

    /// Bytes of the header and fixed part: shorter records are malformed.
    var fixedSize: Int {
        switch self {
        case .exec: MemoryLayout<loupe_exec>.size
        case .exit: MemoryLayout<loupe_exit>.size
        case .fork: MemoryLayout<loupe_fork>.size
        case .open: MemoryLayout<loupe_open>.size
        case .network: MemoryLayout<loupe_network>.size
        case .dns: MemoryLayout<loupe_dns>.size
        case .ptrace: MemoryLayout<loupe_ptrace>.size
        case .kmod: MemoryLayout<loupe_kmod>.size
        case .unshare: MemoryLayout<loupe_unshare>.size
        case .symlink, .hardlink: MemoryLayout<loupe_link>.size
        case .bpf: MemoryLayout<loupe_bpf_syscall>.size
        case .iouring: MemoryLayout<loupe_iouring>.size
        case .capabilities: MemoryLayout<loupe_capability>.size
        case .randomx: MemoryLayout<loupe_randomx>.size
        case .syscall: MemoryLayout<loupe_syscall>.size
        }
    }

    /// The default set of the tracers (`LOUPE_EV_ALL_DEFAULT`): all but `syscall`.
    public static var defaultMask: UInt64 {
        allCases.filter { $0 != .syscall }.reduce(0) { $0 | $1.maskBit }
    }
}

/// Bounds-checked access to one copied record.
struct RecordView {
    let storage: [UInt8]
    var badStrings: UInt64 = 0

    static let commOffset = MemoryLayout<loupe_hdr>.offset(of: \loupe_hdr.comm)!
    static let pcommOffset = MemoryLayout<loupe_hdr>.offset(of: \loupe_hdr.pcomm)!
    static let networkSourceOffset = MemoryLayout<loupe_network>.offset(of: \loupe_network.saddr)!
    static let networkDestinationOffset = MemoryLayout<loupe_network>.offset(of: \loupe_network.daddr)!
    static let dnsSourceOffset = MemoryLayout<loupe_dns>.offset(of: \loupe_dns.saddr)!
    static let dnsDestinationOffset = MemoryLayout<loupe_dns>.offset(of: \loupe_dns.daddr)!

    init(storage: [UInt8]) { self.storage = storage }

    var flags: UInt16 { storage.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 6, as: UInt16.self) } }

    /// The record as its C struct; the caller checked the length against `fixedSize`.
    func load<T>(_ type: T.Type) -> T {
        storage.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
    }

    /// A NUL-padded fixed-size text field (comm), up to its first NUL.
    func fixedText(at offset: Int, count: Int) -> ByteString {
        var end = offset
        while end < offset + count, end < storage.count, storage[end] != 0 { end += 1 }
        return ByteString(storage: storage, range: offset..<end)
    }

    /// The bytes a `{off, len}` reference names, or empty when it points outside the record.
    mutating func string(_ reference: loupe_str) -> ByteString {
        guard let range = range(reference) else { return .empty }
        return ByteString(storage: storage, range: range)
    }

    /// A NUL-separated list (each element followed by a NUL; a cut-off last element counts).
    mutating func list(_ reference: loupe_str) -> [ByteString] {
        guard let range = range(reference) else { return [] }
        var elements: [ByteString] = []
        var start = range.lowerBound
        for index in range where storage[index] == 0 {
            elements.append(ByteString(storage: storage, range: start..<index))
            start = index + 1
        }
        if start < range.upperBound { elements.append(ByteString(storage: storage, range: start..<range.upperBound)) }
        return elements
    }

    /// An address of `count` (4 or 16) network-order bytes at `offset`; `.none` otherwise.
    func address(at offset: Int, count: Int) -> IPAddress {
        guard count == 4 || count == 16, offset + count <= storage.count else { return .none }
        return IPAddress(bytes: storage[offset..<offset + count])
    }

    private mutating func range(_ reference: loupe_str) -> Range<Int>? {
        let length = Int(reference.len)
        guard length > 0 else { return nil }
        let start = Int(reference.off)
        guard start >= MemoryLayout<loupe_hdr>.size, start + length <= storage.count else {
            badStrings += 1
            return nil
        }
        return start..<start + length
    }
}
