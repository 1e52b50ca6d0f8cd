public import LoupeModel

/// The workload a learned profile is for: what pods find it by (see `ProfileStore`).
public struct LearnedWorkload: Sendable, Hashable {
    public var namespace: String
    /// Kubernetes kind as written in the profile's labels (`Deployment`, `StatefulSet`, `Pod`).
    public var kind: String
    public var name: String

    public init(namespace: String, kind: String, name: String) {
        self.namespace = namespace
        self.kind = kind
        self.name = name
    }

    /// The kinds `--workload KIND/NAME` accepts, as written in labels.
    public static let kinds = ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"]

    /// The workload a pod most likely belongs to, from its name alone: a Deployment's pods are
    /// `NAME-<template hash>-<5 characters>`, both made of Kubernetes' name-safe alphabet; any
    /// other pod is taken as a bare Pod (there is no telling a StatefulSet's `db-0` from a pod
    /// someone called that).
    public static func guess(namespace: String, podName: String) -> LearnedWorkload {
        let parts = podName.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count >= 3, let hash = parts.dropLast().last, let suffix = parts.last,
            (6...10).contains(hash.count), suffix.count == 5, isSafe(hash), isSafe(suffix)
        {
            return LearnedWorkload(
                namespace: namespace, kind: "Deployment", name: parts.dropLast(2).joined(separator: "-"))
        }
        return LearnedWorkload(namespace: namespace, kind: "Pod", name: podName)
    }

    /// Kubernetes' `rand.SafeEncodeString` alphabet: no vowels, no look-alikes.
    private static func isSafe(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".utf8.contains($0) }
    }

    /// Whether pods named `podName` find this workload: the pod name, less one, or less two
    /// `-suffix`es, is the workload's name (`ProfileStore.workload(namespace:podName:)`).
    public func isFound(byPod podName: String) -> Bool {
        var candidate = Substring(podName)
        for _ in 0..<3 {
            if candidate == name { return true }
            guard let dash = candidate.lastIndex(of: "-") else { return false }
            candidate = candidate[..<dash]
        }
        return false
    }

    /// The profile's `metadata.name`: kind and name, lowercased kind first (`deployment-web`).
    public var resourceName: String { kind.lowercased() + "-" + name }
}

/// One transport port of a network peer (`TCP-443`).
public struct LearnedPort: Sendable, Hashable, Comparable {
    public var proto: String
    public var port: UInt16

    public init(proto: String, port: UInt16) {
        self.proto = proto
        self.port = port
    }

    public static func < (a: Self, b: Self) -> Bool { (a.proto, a.port) < (b.proto, b.port) }
}

/// What one container (by name; restarts merged) was seen doing, in the terms rules ask about.
public struct LearnedContainer: Sendable {
    public var name: String
    /// Image and digest of the first instance seen.
    public var image = ""
    public var imageDigest = ""
    /// Argument vectors per executed path (the path `parse.get_exec_path(args, comm, exepath)`
    /// gives, which is what R0001 and R0040 look up).
    public var execs: [String: Set<[String]>] = [:]
    /// Flag names (`O_RDONLY`, ...) per opened path, as given to open.
    public var opens: [String: Set<String>] = [:]
    public var syscalls: Set<String> = []
    /// Capability names as events carry them (`NET_RAW`).
    public var capabilities: Set<String> = []
    /// Outgoing peers (every network event rules see as `OUTGOING`) and their ports.
    public var egress: [String: Set<LearnedPort>] = [:]
    /// Incoming peers and the local ports they reached.
    public var ingress: [String: Set<LearnedPort>] = [:]
    /// Every DNS name looked up (with its trailing dot) and the addresses answered for it.
    public var domains: [String: Set<String>] = [:]
    /// Events attributed to this container.
    public var events = 0

    public init(name: String) { self.name = name }
}

/// Learns the profile of selected containers from a capture: fed every record in capture order,
/// it attributes events to containers exactly as the engine does (mount-namespace registry, late
/// attribution through the lookahead) and collects what the selected ones did.
///
/// What it records mirrors what the default rules ask a profile, so that a run replayed against
/// the profile learned from it raises no profile alert:
/// - execs: the path R0001 looks up and the full argument vector (R0040);
/// - opens: the path as given and its flag names (R0002, R0006, R0008, R0010);
/// - syscalls: `syscall` events, the call a `capabilities` or `kmod` event names, and the calls
///   `unshare`, `bpf`, `ptrace` and `iouring` events prove (`io_uring_setup`), which R1006,
///   R0009 and R1030 look up by name;
/// - capabilities: every checked capability, granted or not (R0004 does not ask);
/// - egress and ingress: peers of connections by direction (R0007, R0011, R1009), DNS names
///   with their answers (R0005); a listen has no peer and adds nothing.
/// Failed calls count: the rules judge attempts too. Paths are kept exact (no `⋯` collapsing).
public struct ProfileLearner: Sendable {
    private var registry: MntnsRegistry
    private let lookahead: RegistrationLookahead?
    /// Selected container ids and the container name each is learned under.
    private let selected: [String: String]
    public private(set) var containers: [String: LearnedContainer] = [:]

    /// - Parameters:
    ///   - containers: the container instances to learn; instances with the same Kubernetes
    ///     container name (a restarted container) are merged.
    ///   - lookahead: the capture's first registrations, as replay uses them; nil for captures
    ///     recorded with live rules (replayed without late attribution).
    public init(containers: [ContainerInfo], hostMntns: UInt64, lookahead: RegistrationLookahead?) {
        registry = MntnsRegistry(hostMntns: hostMntns)
        self.lookahead = lookahead
        var selected: [String: String] = [:]
        for c in containers {
            let name = c.kubernetes?.containerName ?? c.name
            selected[c.id] = name
            if self.containers[name] == nil {
                var learned = LearnedContainer(name: name)
                learned.image = c.image
                learned.imageDigest = c.imageDigest
                self.containers[name] = learned
            }
        }
        self.selected = selected
    }

    /// Applies one record in capture order.
    ///
    /// - Parameter learning: false to apply the record's state only (container registrations),
    ///   as for records before the window a profile is learned from.
    public mutating func observe(_ record: Record, learning: Bool = true) {
        switch record {
        case .containerStarted(let s), .containerSnapshot(let s):
            registry.register(s.container)
        case .containerStopped(let s):
            registry.unregister(mntns: s.mntns, id: s.id)
        case .event(let event):
            guard learning, let id = containerID(of: event.header.mntns), let name = selected[id] else { return }
            containers[name]?.note(event)
        default:
            break
        }
    }

    /// The container an event's namespace belongs to, as `Engine` resolves it.
    private func containerID(of mntns: UInt64) -> String? {
        switch registry.resolve(mntns) {
        case .container(let c): return c.id
        case .host: return nil
        case .unknown:
            guard !registry.wasRegistered(mntns), let ahead = lookahead?.container(for: mntns),
                ahead.mntns != registry.hostMntns
            else { return nil }
            return ahead.id
        }
    }
}

extension LearnedContainer {
    mutating func note(_ event: Event) {
        events += 1
        let h = event.header
        switch event.payload {
        case .exec(let e):
            let args = e.args.map(\.string)
            let path: String
            if !h.exepath.isEmpty {
                path = h.exepath.string
            } else if let first = args.first, !first.isEmpty {
                path = first
            } else {
                path = h.comm.string
            }
            execs[path, default: []].insert(args)
        case .open(let o):
            opens[o.path.string, default: []].formUnion(OpenFlags.names(o.flags))
        case .syscall(let s):
            syscalls.insert(s.name.string)
        case .capabilities(let c):
            capabilities.insert(Capabilities.name(c.capability))
            if !c.syscallName.isEmpty { syscalls.insert(c.syscallName.string) }
        case .kmod(let k):
            if !k.syscallName.isEmpty { syscalls.insert(k.syscallName.string) }
        case .unshare:
            syscalls.insert("unshare")
        case .bpf:
            syscalls.insert("bpf")
        case .ptrace:
            syscalls.insert("ptrace")
        case .iouring:
            // Any io_uring operation means a ring was set up in the container.
            syscalls.insert("io_uring_setup")
        case .network(let n) where n.operation != .listen:
            // A listen names no peer (its destination is 0.0.0.0).
            notePeer(
                source: n.srcAddr, sourcePort: n.srcPort, destination: n.dstAddr, destinationPort: n.dstPort,
                proto: n.proto.name, incoming: n.direction == .incoming)
        case .ssh(let s):
            notePeer(
                source: s.srcAddr, sourcePort: s.srcPort, destination: s.dstAddr, destinationPort: s.dstPort,
                proto: "TCP", incoming: s.direction == .incoming)
        case .dns(let d):
            let name = d.name.string
            if !name.isEmpty {
                domains[name, default: []].formUnion(d.answers.map(\.description).filter { !$0.isEmpty })
            }
        default:
            break
        }
    }

    /// A connection as rules see it: `OUTGOING` unless incoming. An accepted connection's
    /// destination is the remote peer and its source port the local one (the tracer reports the
    /// socket's own view), so ingress lists the peer with the port it reached.
    private mutating func notePeer(
        source: IPAddress, sourcePort: UInt16, destination: IPAddress, destinationPort: UInt16, proto: String,
        incoming: Bool
    ) {
        let peer = destination.description
        guard !peer.isEmpty else { return }
        if incoming {
            ingress[peer, default: []].insert(LearnedPort(proto: proto, port: sourcePort))
        } else {
            egress[peer, default: []].insert(LearnedPort(proto: proto, port: destinationPort))
        }
    }
}
