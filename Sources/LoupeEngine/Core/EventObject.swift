public import LoupeCEL
public import LoupeModel

/// The fields of `event` rules can read (kubescape's names), in schema index order.
public enum EventField: Int, CaseIterable, Sendable {
    case comm, pcomm, pid, ppid, uid, gid, exepath, mntns
    case containerId, containerName, podName, namespace
    case args, cwd, upperlayer, pupperlayer, tty, ttyMajor, ttyMinor, hasTty
    case path, flags, flagsRaw
    case oldPath, newPath
    case name, addresses
    case srcAddr, dstAddr, dstIp, srcPort, dstPort, proto, pktType, direction
    case syscallName, capName, module, opcode, cmd, attrSize
    case request

    var type: CELType {
        switch self {
        case .pid, .ppid, .uid, .gid, .mntns, .ttyMajor, .ttyMinor, .cmd, .attrSize: .uint
        case .flagsRaw, .srcPort, .dstPort, .opcode, .tty: .int
        case .upperlayer, .pupperlayer, .hasTty: .bool
        case .args, .flags, .addresses: .list(.string)
        case .request: .map(.string, .dyn)
        default: .string
        }
    }

    /// The schema every rule expression is planned against.
    public static let schema = CELObjectSchema(
        name: "loupe.Event",
        fields: allCases.map { CELObjectSchema.Field(name: "\($0)", type: $0.type, index: $0.rawValue) })
}

/// The event being evaluated, as the CEL host object `event`.
///
/// The engine owns one instance and refills it for every event, so evaluation allocates no object;
/// fields are converted only when an expression reads them.
public final class EventObject: CELHostObject, @unchecked Sendable {
    /// The event being evaluated; set with `load`.
    public private(set) var event = Event(header: EventHeader(), payload: .randomx)
    private(set) var identity = EventIdentity.host
    public var containerId: String { identity.containerId }

    /// Field values converted for the current event, valid where the slot's generation matches:
    /// rules read the same fields over and over (`event.path` in every open rule), and turning
    /// kernel bytes into a CEL string costs far more than a lookup. Raw buffers, allocated once:
    /// arrays in a class would pay an exclusivity check on every read.
    private var generation: UInt64 = 1
    private let cachedValues: UnsafeMutablePointer<CELValue?>
    private let cachedGeneration: UnsafeMutablePointer<UInt64>
    private static let fieldCount = EventField.allCases.count

    public init() {
        cachedValues = .allocate(capacity: Self.fieldCount)
        cachedValues.initialize(repeating: nil, count: Self.fieldCount)
        cachedGeneration = .allocate(capacity: Self.fieldCount)
        cachedGeneration.initialize(repeating: 0, count: Self.fieldCount)
        super.init(schema: EventField.schema)
    }

    deinit {
        cachedValues.deinitialize(count: Self.fieldCount)
        cachedValues.deallocate()
        cachedGeneration.deallocate()
    }

    /// Starts a new event: converted fields of the last one become stale.
    func load(_ event: Event, identity: EventIdentity) {
        self.event = event
        self.identity = identity
        generation &+= 1
    }

    public override func field(at index: Int) -> CELValue? {
        guard index >= 0, index < Self.fieldCount, let f = EventField(rawValue: index) else { return nil }
        if cachedGeneration[index] == generation { return cachedValues[index] }
        let value = value(of: f)
        cachedValues[index] = value
        cachedGeneration[index] = generation
        return value
    }

    /// The value of a field for the current event, or nil when its type has no such field.
    public func value(of field: EventField) -> CELValue? {
        let h = event.header
        switch field {
        case .comm: return .string(h.comm.string)
        case .pcomm: return .string(h.pcomm.string)
        case .pid: return .uint(UInt64(h.pid))
        case .ppid: return .uint(UInt64(h.ppid))
        case .uid: return .uint(UInt64(h.uid))
        case .gid: return .uint(UInt64(h.gid))
        case .exepath: return .string(h.exepath.string)
        case .mntns: return .uint(h.mntns)
        case .containerId: return .string(identity.containerId)
        case .containerName: return .string(identity.containerName)
        case .podName: return .string(identity.podName)
        case .namespace: return .string(identity.namespace)
        default: return payloadValue(field)
        }
    }

    private func payloadValue(_ field: EventField) -> CELValue? {
        switch (event.payload, field) {
        case (.exec(let e), .args): return strings(e.args)
        case (.exec(let e), .cwd): return .string(e.cwd.string)
        case (.exec(let e), .upperlayer): return .bool(e.upperLayer)
        case (.exec(let e), .pupperlayer): return .bool(e.parentUpperLayer)
        case (.exec(let e), .tty): return e.tty.map { .int(Int64(Self.encodeDevice($0))) }
        case (.exec(let e), .ttyMajor): return e.tty.map { .uint(UInt64($0.major)) }
        case (.exec(let e), .ttyMinor): return e.tty.map { .uint(UInt64($0.minor)) }
        case (.exec(let e), .hasTty): return e.tty.map { _ in .bool(true) }
        case (.procfs(let p), .args): return strings(p.args)
        case (.procfs(let p), .cwd): return .string(p.cwd.string)
        case (.open(let o), .path): return .string(o.path.string)
        case (.open(let o), .flags): return .list(OpenFlags.names(o.flags).map { .string($0) })
        case (.open(let o), .flagsRaw): return .int(Int64(o.flags))
        case (.symlink(let l), .oldPath), (.hardlink(let l), .oldPath): return .string(l.oldPath.string)
        case (.symlink(let l), .newPath), (.hardlink(let l), .newPath): return .string(l.newPath.string)
        case (.dns(let d), _): return dnsValue(d, field)
        case (.network(let n), _):
            return endpointValue(
                field, src: n.srcAddr, srcPort: n.srcPort, dst: n.dstAddr, dstPort: n.dstPort, proto: n.proto.name,
                direction: n.direction)
        case (.ssh(let s), _):
            return endpointValue(
                field, src: s.srcAddr, srcPort: s.srcPort, dst: s.dstAddr, dstPort: s.dstPort, proto: "TCP",
                direction: s.direction)
        case (.http(let r), .request): return .map(Self.request(r))
        case (.http(let r), _):
            return endpointValue(
                field, src: r.srcAddr, srcPort: r.srcPort, dst: r.dstAddr, dstPort: r.dstPort, proto: "TCP",
                direction: r.direction)
        case (.syscall(let s), .syscallName): return .string(s.name.string)
        case (.capabilities(let c), .capName): return .string(Capabilities.name(c.capability))
        case (.capabilities(let c), .syscallName): return .string(c.syscallName.string)
        case (.kmod(let k), .module): return .string(k.module.string)
        case (.kmod(let k), .syscallName): return .string(k.syscallName.string)
        case (.iouring(let i), .opcode): return .int(Int64(i.opcode))
        case (.bpf(let b), .cmd): return .uint(UInt64(b.command))
        case (.bpf(let b), .attrSize): return .uint(UInt64(b.attrSize))
        default: return nil
        }
    }

    private func dnsValue(_ d: DNSEvent, _ field: EventField) -> CELValue? {
        switch field {
        case .name: return .string(d.name.string)
        case .addresses: return .list(d.answers.map { .string($0.description) })
        case .pktType: return .string(d.isResponse ? "HOST" : "OUTGOING")
        default:
            return endpointValue(
                field, src: d.srcAddr, srcPort: d.srcPort, dst: d.dstAddr, dstPort: d.dstPort, proto: "UDP",
                direction: d.isResponse ? .incoming : .outgoing)
        }
    }

    private func endpointValue(
        _ field: EventField, src: IPAddress, srcPort: UInt16, dst: IPAddress, dstPort: UInt16, proto: String,
        direction: Direction
    ) -> CELValue? {
        switch field {
        case .srcAddr: return .string(src.description)
        case .dstAddr, .dstIp: return .string(dst.description)
        case .srcPort: return .int(Int64(srcPort))
        case .dstPort: return .int(Int64(dstPort))
        case .proto: return .string(proto)
        case .pktType: return .string(direction == .incoming ? "HOST" : "OUTGOING")
        case .direction: return .string(direction.name)
        default: return nil
        }
    }

    private func strings(_ list: [ByteString]) -> CELValue { .list(list.map { .string($0.string) }) }

    /// The kernel's `new_encode_dev` of a terminal device, as upstream reports `tty`.
    static func encodeDevice(_ d: TerminalDevice) -> UInt32 {
        (d.minor & 0xff) | (d.major << 8) | ((d.minor & ~0xff) << 12)
    }

    static func request(_ r: HTTPEvent) -> CELMap {
        var headers = CELMap()
        for h in r.headers { headers.set(.string(h.name.string), .string(h.value.string)) }
        let url = r.url.string
        let path =
            url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        var m = CELMap()
        m.set(.string("headers"), .map(headers))
        m.set(.string("host"), .string(r.host.string))
        m.set(.string("method"), .string(r.method.string))
        m.set(.string("url"), .string(url))
        m.set(.string("path"), .string(path))
        m.set(.string("body"), .string(r.body.string))
        return m
    }
}

/// `O_*` open flag names, as upstream lists them in `event.flags`.
public enum OpenFlags {
    static let table: [(UInt32, String)] = [
        (0o100, "O_CREAT"), (0o200, "O_EXCL"), (0o400, "O_NOCTTY"), (0o1000, "O_TRUNC"), (0o2000, "O_APPEND"),
        (0o4000, "O_NONBLOCK"), (0o10000, "O_DSYNC"), (0o20000, "O_ASYNC"), (0o40000, "O_DIRECT"),
        (0o100000, "O_LARGEFILE"), (0o200000, "O_DIRECTORY"), (0o400000, "O_NOFOLLOW"), (0o1000000, "O_NOATIME"),
        (0o2000000, "O_CLOEXEC"), (0o4000000, "O_SYNC"), (0o10000000, "O_PATH"), (0o20000000, "O_TMPFILE"),
    ]

    /// The access mode first (`O_RDONLY`, `O_WRONLY`, `O_RDWR`), then set flags by value.
    public static func names(_ flags: UInt32) -> [String] {
        var out: [String]
        switch flags & 3 {
        case 1: out = ["O_WRONLY"]
        case 2: out = ["O_RDWR"]
        default: out = ["O_RDONLY"]
        }
        for (bit, name) in table where flags & bit != 0 { out.append(name) }
        return out
    }
}

/// Linux capability names without the `CAP_` prefix, as inspektor-gadget reports `capName`.
public enum Capabilities {
    static let names = [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
        "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
        "CHECKPOINT_RESTORE",
    ]

    public static func name(_ number: UInt32) -> String {
        Int(number) < names.count ? names[Int(number)] : "CAP_\(number)"
    }
}
