public import LoupeModel

/// Where an event's mount namespace places it.
public enum MntnsResolution: Sendable, Hashable {
    /// The node itself.
    case host
    /// A registered container (kubernetes or docker, by its identity).
    case container(ContainerInfo)
    /// Nobody registered this namespace.
    case unknown

    /// The context, when known.
    public var context: EventSourceContext? {
        switch self {
        case .host: .host
        case .container(let info): info.context
        case .unknown: nil
        }
    }
}

/// A registered container as events see it: its record, its context and the names rules read
/// (`event.containerId`, ...), worked out once at registration rather than for every event.
///
/// A class, so that resolving an event's namespace hands out one reference instead of copying the
/// container's strings. The engine keeps per-container answers that never change during a replay
/// (its bound rules, whether it has a profile) on it; one engine drives one registry.
public final class RegisteredContainer: @unchecked Sendable {
    public let info: ContainerInfo
    public let context: EventSourceContext
    let identity: EventIdentity
    /// The engine's rule plan for this container, when bindings make it container-specific.
    var plan: RulePlan?
    /// Whether a learned profile exists for it, once asked.
    var hasProfile: Bool?

    init(_ info: ContainerInfo) {
        self.info = info
        context = info.context
        identity = EventIdentity(
            containerId: info.id, containerName: info.kubernetes?.containerName ?? info.name,
            podName: info.kubernetes?.podName ?? "", namespace: info.kubernetes?.namespace ?? "")
    }
}

/// The container names of an event as rules read them.
final class EventIdentity: Sendable {
    let containerId: String
    let containerName: String
    let podName: String
    let namespace: String

    init(containerId: String, containerName: String, podName: String, namespace: String) {
        self.containerId = containerId
        self.containerName = containerName
        self.podName = podName
        self.namespace = namespace
    }

    /// The node itself: upstream reports the host as container `host`.
    static let host = EventIdentity(containerId: "host", containerName: "", podName: "", namespace: "")
}

/// Maps mount namespaces to contexts, as the seed's registry: the host namespace from the capture
/// header, containers as their start (or snapshot) records register them.
///
/// A container is Kubernetes when its identity names both pod and namespace, docker otherwise.
/// The first registration of a namespace wins until it is unregistered; namespace 0 and the host's
/// own namespace are never registered as containers.
public struct MntnsRegistry: Sendable {
    public let hostMntns: UInt64
    private var live: [UInt64: RegisteredContainer] = [:]
    /// Every container ever registered, by id (profile and `k8s.` helpers look containers up by id
    /// or name even after they stopped).
    private var known: [String: ContainerInfo] = [:]
    /// Namespaces that were registered at some point: a lookahead attribution only applies before.
    private var everRegistered: Set<UInt64> = []

    public init(hostMntns: UInt64) { self.hostMntns = hostMntns }

    /// Registers a container; returns false when refused (namespace 0, the host's, or taken).
    @discardableResult
    public mutating func register(_ container: ContainerInfo) -> Bool {
        var info = container
        if let k = info.kubernetes, k.namespace.isEmpty || k.podName.isEmpty { info.kubernetes = nil }
        guard info.mntns != 0, info.mntns != hostMntns, live[info.mntns] == nil else { return false }
        live[info.mntns] = RegisteredContainer(info)
        everRegistered.insert(info.mntns)
        if known[info.id] == nil { known[info.id] = info }
        return true
    }

    /// Unregisters a namespace; a stop naming another container than the registered one is ignored.
    public mutating func unregister(mntns: UInt64, id: String) {
        guard let entry = live[mntns], id.isEmpty || entry.info.id == id else { return }
        live[mntns] = nil
    }

    /// The context of a namespace now.
    public func resolve(_ mntns: UInt64) -> MntnsResolution {
        if mntns != 0 && mntns == hostMntns { return .host }
        if let entry = live[mntns] { return .container(entry.info) }
        return .unknown
    }

    /// The container registered for a namespace now, if any (the host's namespace has none).
    public func registered(_ mntns: UInt64) -> RegisteredContainer? { live[mntns] }

    /// Whether the namespace was registered at any earlier point of the capture.
    public func wasRegistered(_ mntns: UInt64) -> Bool { everRegistered.contains(mntns) }

    /// A container seen in the capture, by id.
    public func container(id: String) -> ContainerInfo? { known[id] }

    /// A running Kubernetes container by namespace, pod and container name.
    public func kubernetesContainer(namespace: String, pod: String, container: String) -> ContainerInfo? {
        // Few containers run at once; a scan keeps the registry simple and its answer independent
        // of dictionary order (at most one live container has a given name triple).
        live.values.first { entry in
            guard let k = entry.info.kubernetes else { return false }
            return k.namespace == namespace && k.podName == pod && k.containerName == container
        }?.info
    }

    /// The registered containers now, sorted by namespace.
    public var liveContainers: [ContainerInfo] { live.keys.sorted().map { live[$0]!.info } }
}

/// The first registration of every mount namespace in a capture, gathered before replay so that an
/// event which raced ahead of its container's start record can still be attributed.
public struct RegistrationLookahead: Sendable {
    private var first: [UInt64: ContainerInfo] = [:]

    public init() {}

    /// Notes a lifecycle record; other records are ignored.
    public mutating func note(_ record: Record) {
        switch record {
        case .containerStarted(let s), .containerSnapshot(let s):
            let mntns = s.container.mntns
            if mntns != 0 && first[mntns] == nil { first[mntns] = s.container }
        default: break
        }
    }

    /// The container that the capture registers for `mntns` first, if any.
    public func container(for mntns: UInt64) -> ContainerInfo? { first[mntns] }

    public var isEmpty: Bool { first.isEmpty }
}
