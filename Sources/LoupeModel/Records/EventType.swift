/// The event types rules name in `ruleExpression[].eventType` (kubescape's names).
public enum EventType: UInt8, CaseIterable, Hashable, Sendable, Comparable {
    case exec = 1
    case exit = 2
    case fork = 3
    case open = 4
    case network = 5
    case dns = 6
    case http = 7
    case ssh = 8
    case syscall = 9
    case capabilities = 10
    case symlink = 11
    case hardlink = 12
    case ptrace = 13
    case kmod = 14
    case unshare = 15
    case iouring = 16
    case randomx = 17
    case bpf = 18
    case procfs = 19

    /// The name rules and bindings use.
    public var name: String {
        switch self {
        case .exec: "exec"
        case .exit: "exit"
        case .fork: "fork"
        case .open: "open"
        case .network: "network"
        case .dns: "dns"
        case .http: "http"
        case .ssh: "ssh"
        case .syscall: "syscall"
        case .capabilities: "capabilities"
        case .symlink: "symlink"
        case .hardlink: "hardlink"
        case .ptrace: "ptrace"
        case .kmod: "kmod"
        case .unshare: "unshare"
        case .iouring: "iouring"
        case .randomx: "randomx"
        case .bpf: "bpf"
        case .procfs: "procfs"
        }
    }

    /// The event type with this rule-facing name, if any.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    public static func < (lhs: EventType, rhs: EventType) -> Bool { lhs.rawValue < rhs.rawValue }
}
