/// The part of an event that depends on its type.
public enum EventPayload: Hashable, Sendable {
    case exec(ExecEvent)
    case exit(ExitEvent)
    case fork(ForkEvent)
    case open(OpenEvent)
    case network(NetworkEvent)
    case dns(DNSEvent)
    /// Boxed: HTTP events are large and rare; keeping them inline would make every event as big.
    indirect case http(HTTPEvent)
    case ssh(SSHEvent)
    case syscall(SyscallEvent)
    case capabilities(CapabilitiesEvent)
    case symlink(LinkEvent)
    case hardlink(LinkEvent)
    case ptrace(PtraceEvent)
    case kmod(KmodEvent)
    case unshare(UnshareEvent)
    case iouring(IOUringEvent)
    case randomx
    case bpf(BPFEvent)
    case procfs(ProcfsEvent)

    public var type: EventType {
        switch self {
        case .exec: .exec
        case .exit: .exit
        case .fork: .fork
        case .open: .open
        case .network: .network
        case .dns: .dns
        case .http: .http
        case .ssh: .ssh
        case .syscall: .syscall
        case .capabilities: .capabilities
        case .symlink: .symlink
        case .hardlink: .hardlink
        case .ptrace: .ptrace
        case .kmod: .kmod
        case .unshare: .unshare
        case .iouring: .iouring
        case .randomx: .randomx
        case .bpf: .bpf
        case .procfs: .procfs
        }
    }
}

/// A terminal device (major, minor) a process ran on.
public struct TerminalDevice: Hashable, Sendable {
    public var major: UInt32
    public var minor: UInt32
    public init(major: UInt32, minor: UInt32) {
        self.major = major
        self.minor = minor
    }
}

/// A successful or attempted execve/execveat.
public struct ExecEvent: Hashable, Sendable {
    public var args: [ByteString]
    public var cwd: ByteString
    /// The executable lives in the container's writable overlay layer.
    public var upperLayer: Bool
    /// The parent's executable lives in the writable overlay layer.
    public var parentUpperLayer: Bool
    public var tty: TerminalDevice?
    /// The dynamic-loader variables of the new environment (`LD_PRELOAD=...`, `LD_AUDIT=...`),
    /// recorded so replay can answer `process.get_ld_hook_var` without /proc.
    public var loaderEnvironment: [ByteString]
    public var retval: Int32

    public init(
        args: [ByteString] = [], cwd: ByteString = .empty, upperLayer: Bool = false,
        parentUpperLayer: Bool = false, tty: TerminalDevice? = nil, loaderEnvironment: [ByteString] = [],
        retval: Int32 = 0
    ) {
        self.args = args
        self.cwd = cwd
        self.upperLayer = upperLayer
        self.parentUpperLayer = parentUpperLayer
        self.tty = tty
        self.loaderEnvironment = loaderEnvironment
        self.retval = retval
    }
}

/// A process (thread group) ended.
public struct ExitEvent: Hashable, Sendable {
    /// The wait status: exit code in bits 8-15, terminating signal in bits 0-6.
    public var status: Int32
    public init(status: Int32 = 0) { self.status = status }
    public var exitCode: Int32 { (status >> 8) & 0xff }
    public var signal: Int32 { status & 0x7f }
}

/// A new process or thread; the header names the parent.
public struct ForkEvent: Hashable, Sendable {
    public var childPid: UInt32
    public var childTid: UInt32
    public init(childPid: UInt32 = 0, childTid: UInt32 = 0) {
        self.childPid = childPid
        self.childTid = childTid
    }
}

/// open/openat/openat2.
public struct OpenEvent: Hashable, Sendable {
    public var path: ByteString
    /// `O_*` flags as passed to the kernel.
    public var flags: UInt32
    public var mode: UInt32
    /// The file descriptor, or a negative errno.
    public var retval: Int32
    public init(path: ByteString = .empty, flags: UInt32 = 0, mode: UInt32 = 0, retval: Int32 = 0) {
        self.path = path
        self.flags = flags
        self.mode = mode
        self.retval = retval
    }
}

/// Which side started a connection.
public enum Direction: UInt8, Hashable, Sendable {
    case unknown = 0
    case outgoing = 1
    case incoming = 2

    public var name: String {
        switch self {
        case .unknown: "unknown"
        case .outgoing: "outbound"
        case .incoming: "inbound"
        }
    }
}

/// Transport protocol of a network event.
public enum TransportProtocol: UInt8, Hashable, Sendable {
    case other = 0
    case tcp = 6
    case udp = 17

    public var name: String {
        switch self {
        case .other: "OTHER"
        case .tcp: "TCP"
        case .udp: "UDP"
        }
    }
}

/// What a network event observed.
public enum NetworkOperation: UInt8, Hashable, Sendable {
    case connect = 1
    case accept = 2
    case listen = 3
    case send = 4

    public var name: String {
        switch self {
        case .connect: "connect"
        case .accept: "accept"
        case .listen: "listen"
        case .send: "send"
        }
    }
}

/// A socket connection, acceptance, listen or datagram send.
public struct NetworkEvent: Hashable, Sendable {
    public var operation: NetworkOperation
    public var proto: TransportProtocol
    public var direction: Direction
    public var srcAddr: IPAddress
    public var srcPort: UInt16
    public var dstAddr: IPAddress
    public var dstPort: UInt16
    public var retval: Int32

    public init(
        operation: NetworkOperation = .connect, proto: TransportProtocol = .tcp, direction: Direction = .outgoing,
        srcAddr: IPAddress = .none, srcPort: UInt16 = 0, dstAddr: IPAddress = .none, dstPort: UInt16 = 0,
        retval: Int32 = 0
    ) {
        self.operation = operation
        self.proto = proto
        self.direction = direction
        self.srcAddr = srcAddr
        self.srcPort = srcPort
        self.dstAddr = dstAddr
        self.dstPort = dstPort
        self.retval = retval
    }
}

/// A DNS query or response seen on the wire.
public struct DNSEvent: Hashable, Sendable {
    /// Queried name with its trailing dot (`evil.example.`).
    public var name: ByteString
    public var queryType: UInt16
    public var transactionID: UInt16
    public var isResponse: Bool
    public var rcode: UInt8
    public var answers: [IPAddress]
    public var srcAddr: IPAddress
    public var srcPort: UInt16
    public var dstAddr: IPAddress
    public var dstPort: UInt16

    public init(
        name: ByteString = .empty, queryType: UInt16 = 1, transactionID: UInt16 = 0, isResponse: Bool = false,
        rcode: UInt8 = 0, answers: [IPAddress] = [], srcAddr: IPAddress = .none, srcPort: UInt16 = 0,
        dstAddr: IPAddress = .none, dstPort: UInt16 = 53
    ) {
        self.name = name
        self.queryType = queryType
        self.transactionID = transactionID
        self.isResponse = isResponse
        self.rcode = rcode
        self.answers = answers
        self.srcAddr = srcAddr
        self.srcPort = srcPort
        self.dstAddr = dstAddr
        self.dstPort = dstPort
    }
}

/// One HTTP header line.
public struct HTTPHeader: Hashable, Sendable {
    public var name: ByteString
    public var value: ByteString
    public init(name: ByteString, value: ByteString) {
        self.name = name
        self.value = value
    }
}

/// An HTTP request or response seen in socket payloads.
public struct HTTPEvent: Hashable, Sendable {
    public var direction: Direction
    public var method: ByteString
    public var url: ByteString
    public var host: ByteString
    public var statusCode: UInt16
    public var headers: [HTTPHeader]
    /// The first bytes of the body, as far as the tracer copied them.
    public var body: ByteString
    public var srcAddr: IPAddress
    public var srcPort: UInt16
    public var dstAddr: IPAddress
    public var dstPort: UInt16

    public init(
        direction: Direction = .incoming, method: ByteString = .empty, url: ByteString = .empty,
        host: ByteString = .empty, statusCode: UInt16 = 0, headers: [HTTPHeader] = [], body: ByteString = .empty,
        srcAddr: IPAddress = .none, srcPort: UInt16 = 0, dstAddr: IPAddress = .none, dstPort: UInt16 = 0
    ) {
        self.direction = direction
        self.method = method
        self.url = url
        self.host = host
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
        self.srcAddr = srcAddr
        self.srcPort = srcPort
        self.dstAddr = dstAddr
        self.dstPort = dstPort
    }
}

/// An SSH session start (protocol banner seen on a connection).
public struct SSHEvent: Hashable, Sendable {
    public var direction: Direction
    public var srcAddr: IPAddress
    public var srcPort: UInt16
    public var dstAddr: IPAddress
    public var dstPort: UInt16

    public init(
        direction: Direction = .outgoing, srcAddr: IPAddress = .none, srcPort: UInt16 = 0,
        dstAddr: IPAddress = .none, dstPort: UInt16 = 0
    ) {
        self.direction = direction
        self.srcAddr = srcAddr
        self.srcPort = srcPort
        self.dstAddr = dstAddr
        self.dstPort = dstPort
    }
}

/// A system call seen for the first time in a mount namespace (or sampled).
public struct SyscallEvent: Hashable, Sendable {
    public var number: UInt32
    public var name: ByteString
    public init(number: UInt32 = 0, name: ByteString = .empty) {
        self.number = number
        self.name = name
    }
}

/// A capability check.
public struct CapabilitiesEvent: Hashable, Sendable {
    /// `CAP_*` number.
    public var capability: UInt32
    /// The system call during which the check happened.
    public var syscallName: ByteString
    /// Whether the check was granted.
    public var allowed: Bool

    public init(capability: UInt32 = 0, syscallName: ByteString = .empty, allowed: Bool = true) {
        self.capability = capability
        self.syscallName = syscallName
        self.allowed = allowed
    }
}

/// symlink/symlinkat or link/linkat.
public struct LinkEvent: Hashable, Sendable {
    public var oldPath: ByteString
    public var newPath: ByteString
    public var retval: Int32
    public init(oldPath: ByteString = .empty, newPath: ByteString = .empty, retval: Int32 = 0) {
        self.oldPath = oldPath
        self.newPath = newPath
        self.retval = retval
    }
}

/// ptrace(2).
public struct PtraceEvent: Hashable, Sendable {
    public var request: Int64
    public var targetPid: UInt32
    public var retval: Int32
    public init(request: Int64 = 0, targetPid: UInt32 = 0, retval: Int32 = 0) {
        self.request = request
        self.targetPid = targetPid
        self.retval = retval
    }
}

/// A kernel module load attempt.
public struct KmodEvent: Hashable, Sendable {
    /// Module name, or the path of the file given to finit_module.
    public var module: ByteString
    /// `init_module` or `finit_module`.
    public var syscallName: ByteString
    public var retval: Int32
    public init(module: ByteString = .empty, syscallName: ByteString = .empty, retval: Int32 = 0) {
        self.module = module
        self.syscallName = syscallName
        self.retval = retval
    }
}

/// unshare(2).
public struct UnshareEvent: Hashable, Sendable {
    /// `CLONE_*` flags.
    public var flags: UInt64
    public var retval: Int32
    public init(flags: UInt64 = 0, retval: Int32 = 0) {
        self.flags = flags
        self.retval = retval
    }
}

/// An io_uring setup or submitted operation.
public struct IOUringEvent: Hashable, Sendable {
    public var opcode: UInt32
    public var flags: UInt32
    public init(opcode: UInt32 = 0, flags: UInt32 = 0) {
        self.opcode = opcode
        self.flags = flags
    }
}

/// bpf(2).
public struct BPFEvent: Hashable, Sendable {
    public var command: UInt32
    public var attrSize: UInt32
    public var retval: Int32
    public init(command: UInt32 = 0, attrSize: UInt32 = 0, retval: Int32 = 0) {
        self.command = command
        self.attrSize = attrSize
        self.retval = retval
    }
}

/// A process observed by scanning /proc rather than by a tracer.
public struct ProcfsEvent: Hashable, Sendable {
    public var args: [ByteString]
    public var cwd: ByteString
    public init(args: [ByteString] = [], cwd: ByteString = .empty) {
        self.args = args
        self.cwd = cwd
    }
}
