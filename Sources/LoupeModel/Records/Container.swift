/// The container runtime (or engine) that owns a container.
public enum ContainerRuntime: UInt8, Hashable, Sendable, CaseIterable {
    case unknown = 0
    case docker = 1
    case containerd = 2
    case crio = 3
    case podman = 4
    case runc = 5

    public var name: String {
        switch self {
        case .unknown: "unknown"
        case .docker: "docker"
        case .containerd: "containerd"
        case .crio: "cri-o"
        case .podman: "podman"
        case .runc: "runc"
        }
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}

/// A label or annotation.
public struct Label: Hashable, Sendable, Comparable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
    public static func < (lhs: Label, rhs: Label) -> Bool {
        (lhs.key, lhs.value) < (rhs.key, rhs.value)
    }
}

/// Who a Kubernetes pod container is, as its runtime annotations tell.
public struct KubernetesIdentity: Hashable, Sendable {
    public var namespace: String
    public var podName: String
    public var podUID: String
    public var containerName: String
    public var sandboxID: String
    /// Pod labels where known, sorted by key.
    public var labels: [Label]

    public init(
        namespace: String, podName: String, podUID: String = "", containerName: String = "",
        sandboxID: String = "", labels: [Label] = []
    ) {
        self.namespace = namespace
        self.podName = podName
        self.podUID = podUID
        self.containerName = containerName
        self.sandboxID = sandboxID
        self.labels = labels.sorted()
    }
}

/// Everything known about a container when it started (or was found running).
public struct ContainerInfo: Hashable, Sendable {
    public var id: String
    public var name: String
    public var runtime: ContainerRuntime
    public var image: String
    public var imageDigest: String
    public var initPid: UInt32
    public var mntns: UInt64
    public var netns: UInt64
    public var cgroupPath: String
    /// The OCI bundle directory, where config.json lives.
    public var bundle: String
    /// Set for pod containers; nil for containers no orchestrator owns.
    public var kubernetes: KubernetesIdentity?
    /// Where volumes and host directories are mounted in the container (the destinations of its
    /// OCI bind mounts, in config order; the runtime's own per-container files left out).
    public var mounts: [String]

    public init(
        id: String, name: String = "", runtime: ContainerRuntime = .unknown, image: String = "",
        imageDigest: String = "", initPid: UInt32 = 0, mntns: UInt64 = 0, netns: UInt64 = 0,
        cgroupPath: String = "", bundle: String = "", kubernetes: KubernetesIdentity? = nil, mounts: [String] = []
    ) {
        self.id = id
        self.name = name
        self.runtime = runtime
        self.image = image
        self.imageDigest = imageDigest
        self.initPid = initPid
        self.mntns = mntns
        self.netns = netns
        self.cgroupPath = cgroupPath
        self.bundle = bundle
        self.kubernetes = kubernetes
        self.mounts = mounts
    }

    /// The context this container's events belong to, by its identity alone (the host is
    /// decided by mount namespace, see `EventSourceContext`).
    public var context: EventSourceContext { kubernetes == nil ? .docker : .kubernetes }
}

/// A container started (or was discovered) at `timestamp`.
public struct ContainerStarted: Hashable, Sendable {
    public var timestamp: UInt64
    public var container: ContainerInfo
    public init(timestamp: UInt64, container: ContainerInfo) {
        self.timestamp = timestamp
        self.container = container
    }
}

/// A container stopped at `timestamp`.
public struct ContainerStopped: Hashable, Sendable {
    public var timestamp: UInt64
    public var id: String
    public var mntns: UInt64
    /// The init process's wait status, when known.
    public var exitStatus: Int32?
    public init(timestamp: UInt64, id: String, mntns: UInt64, exitStatus: Int32? = nil) {
        self.timestamp = timestamp
        self.id = id
        self.mntns = mntns
        self.exitStatus = exitStatus
    }
}
