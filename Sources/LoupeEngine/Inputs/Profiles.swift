/// One side (egress or ingress) of a container's network neighborhood, as lookup sets.
public struct NetworkSide: Sendable, Hashable {
    /// IP addresses seen.
    public var addresses: Set<String> = []
    /// DNS names, stored both with and without the trailing dot.
    public var domains: Set<String> = []
    /// `address|port|PROTOCOL` triples.
    public var addressPortProtocols: Set<String> = []

    public init() {}

    static func key(address: String, port: Int64, protocol proto: String) -> String {
        "\(address)|\(port)|\(proto.uppercased())"
    }

    public func containsAddress(_ address: String) -> Bool { addresses.contains(address) }
    public func containsDomain(_ domain: String) -> Bool { domains.contains(domain) }
    public func contains(address: String, port: Int64, protocol proto: String) -> Bool {
        addressPortProtocols.contains(Self.key(address: address, port: port, protocol: proto))
    }
}

/// What one container of a workload was seen doing while its profile was learned.
public struct ContainerProfile: Sendable, Hashable {
    public var name: String
    /// Executed paths.
    public var execPaths: Set<String> = []
    /// Argument vectors seen per executed path.
    public var execArgs: [String: Set<[String]>] = [:]
    /// Open flags seen per opened path (exact paths).
    public var opens: [String: Set<String>] = [:]
    /// Opened paths holding dynamic segments (`⋯` one segment, `*` any number), with their flags.
    public var dynamicOpens: [DynamicPath] = []
    public var syscalls: Set<String> = []
    public var capabilities: Set<String> = []
    /// HTTP methods seen per endpoint (`:80/api/v1`).
    public var endpoints: [String: Set<String>] = [:]
    public var egress = NetworkSide()
    public var ingress = NetworkSide()

    public init(name: String) { self.name = name }

    public func wasExecuted(_ path: String) -> Bool { execPaths.contains(path) }

    public func wasExecuted(_ path: String, args: [String]) -> Bool { execArgs[path]?.contains(args) ?? false }

    public func wasPathOpened(_ path: String) -> Bool {
        opens[path] != nil || dynamicOpens.contains { $0.matches(path) }
    }

    /// True when `path` was opened with every one of `flags`.
    public func wasPathOpened(_ path: String, flags: [String]) -> Bool {
        if let seen = opens[path], flags.allSatisfy(seen.contains) { return true }
        return dynamicOpens.contains { $0.matches(path) && flags.allSatisfy($0.flags.contains) }
    }

    public func wasPathOpened(withSuffix suffix: String) -> Bool { opens.keys.contains { $0.hasSuffix(suffix) } }
    public func wasPathOpened(withPrefix prefix: String) -> Bool { opens.keys.contains { $0.hasPrefix(prefix) } }

    /// Merges another observation of the same container (several profiles for one workload).
    mutating func merge(_ other: ContainerProfile) {
        execPaths.formUnion(other.execPaths)
        execArgs.merge(other.execArgs) { $0.union($1) }
        opens.merge(other.opens) { $0.union($1) }
        dynamicOpens += other.dynamicOpens
        syscalls.formUnion(other.syscalls)
        capabilities.formUnion(other.capabilities)
        endpoints.merge(other.endpoints) { $0.union($1) }
        egress.addresses.formUnion(other.egress.addresses)
        egress.domains.formUnion(other.egress.domains)
        egress.addressPortProtocols.formUnion(other.egress.addressPortProtocols)
        ingress.addresses.formUnion(other.ingress.addresses)
        ingress.domains.formUnion(other.ingress.domains)
        ingress.addressPortProtocols.formUnion(other.ingress.addressPortProtocols)
    }
}

/// A profiled path with dynamic segments: `⋯` stands for one segment, `*` for any number.
public struct DynamicPath: Sendable, Hashable {
    public var pattern: String
    public var flags: Set<String>
    let segments: [Substring]

    init(pattern: String, flags: Set<String>) {
        self.pattern = pattern
        self.flags = flags
        self.segments = pattern.split(separator: "/", omittingEmptySubsequences: false)
    }

    static func isDynamic(_ path: String) -> Bool {
        path.split(separator: "/").contains { $0 == "⋯" || $0 == "*" }
    }

    public func matches(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return Self.match(segments[...], parts[...])
    }

    private static func match(_ p: ArraySlice<Substring>, _ s: ArraySlice<Substring>) -> Bool {
        guard let head = p.first else { return s.isEmpty }
        if head == "*" {
            // Any number of segments, none included; patterns are short, so recursion is cheap.
            var rest = s
            while true {
                if match(p.dropFirst(), rest) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        }
        guard let first = s.first, head == "⋯" || head == first else { return false }
        return match(p.dropFirst(), s.dropFirst())
    }
}

/// The profiles of one workload, merged from its ApplicationProfile and NetworkNeighborhood.
public struct WorkloadProfile: Sendable, Hashable {
    public var namespace: String
    /// `deployment`, `replicaset`, ... lowercased; empty when unknown.
    public var kind: String
    public var name: String
    /// `kubescape.io/status` (`ready`, `completed`, `learning`, ...), if annotated.
    public var status: String?
    /// `kubescape.io/completion` (`complete`, `partial`), if annotated.
    public var completion: String?
    public var containers: [String: ContainerProfile] = [:]
    /// Where each contributing document starts.
    public var sources: [SourceLocation] = []
}

/// Learned profiles, found for a container by namespace, workload name and container name.
///
/// A profile names its workload with the `kubescape.io/workload-namespace` and
/// `kubescape.io/workload-name` labels (falling back to `metadata.namespace` and `metadata.name`
/// less a `deployment-`-style kind prefix). Pods are matched to workloads by name: the pod name
/// itself, then the name with its last `-suffix` removed, then the last two (a Deployment's
/// `name-<replicaset hash>-<pod hash>`), first found wins.
public struct ProfileStore: Sendable {
    struct Key: Hashable, Sendable {
        var namespace: String
        var name: String
    }

    public private(set) var workloads: [WorkloadProfile] = []
    private var index: [Key: Int] = [:]

    public init() {}

    /// The profile of `container` in workload `workloadName` of `namespace`.
    public func profile(namespace: String, workloadName: String, container: String) -> ContainerProfile? {
        workload(namespace: namespace, name: workloadName)?.containers[container]
    }

    /// The workload called `name` in `namespace`.
    public func workload(namespace: String, name: String) -> WorkloadProfile? {
        index[Key(namespace: namespace, name: name)].map { workloads[$0] }
    }

    /// The workload a pod belongs to, by the name rule described on the type.
    public func workload(namespace: String, podName: String) -> WorkloadProfile? {
        // Replays without profiles ask for every Kubernetes event: answer without string work.
        if workloads.isEmpty { return nil }
        var candidate = Substring(podName)
        for _ in 0..<3 {
            if let w = workload(namespace: namespace, name: String(candidate)) { return w }
            guard let dash = candidate.lastIndex(of: "-") else { return nil }
            candidate = candidate[..<dash]
        }
        return nil
    }

    /// The profile of a pod's container, by the pod-name rule.
    public func profile(namespace: String, podName: String, container: String) -> ContainerProfile? {
        workload(namespace: namespace, podName: podName)?.containers[container]
    }

    mutating func add(_ w: WorkloadProfile) {
        let key = Key(namespace: w.namespace, name: w.name)
        guard let i = index[key] else {
            index[key] = workloads.count
            workloads.append(w)
            return
        }
        var existing = workloads[i]
        for (name, c) in w.containers {
            existing.containers[name, default: ContainerProfile(name: name)].merge(c)
        }
        existing.sources += w.sources
        if existing.kind.isEmpty { existing.kind = w.kind }
        existing.status = existing.status ?? w.status
        existing.completion = existing.completion ?? w.completion
        workloads[i] = existing
    }
}

/// Loads ApplicationProfile and NetworkNeighborhood documents (also inside `kind: List`).
public enum ProfilesLoader {
    public static let kinds = ["ApplicationProfile", "NetworkNeighborhood", "List"]
    static let kindPrefixes = [
        "deployment", "replicaset", "statefulset", "daemonset", "job", "cronjob", "pod", "replicationcontroller",
    ]

    /// Profiles from a file or a directory.
    public static func load(path: String, limits: YAMLLimits = .default) throws(InputError) -> ProfileStore {
        try store(from: InputFiles.documents(path, limits: limits))
    }

    /// Profiles from in-memory text.
    public static func parse(text: String, file: String = "<input>") throws(InputError) -> ProfileStore {
        try store(from: YAMLReader.documents(text: text, file: file).filter { !$0.isEmptyDocument })
    }

    static func store(from documents: [YAMLNode]) throws(InputError) -> ProfileStore {
        var store = ProfileStore()
        for document in documents { try add(document, path: "", to: &store) }
        return store
    }

    static func add(_ document: YAMLNode, path: String, to store: inout ProfileStore) throws(InputError) {
        let r = try MappingReader(document, path: path)
        let kindNode = try r.required("kind")
        let kind = try kindNode.string(r.childPath("kind"))
        guard kinds.contains(kind) else {
            throw InputError(
                at: kindNode.location,
                "expected kind \"ApplicationProfile\", \"NetworkNeighborhood\" or \"List\", found \"\(kind)\"")
        }
        if kind == "List" {
            for (i, item) in try r.sequence("items").enumerated() {
                try add(item, path: r.childPath("items[\(i)]"), to: &store)
            }
            return
        }
        guard let metadata = try r.mapping("metadata") else {
            throw InputError(
                at: document.location, "missing required key \"metadata\" in \(path.isEmpty ? "the document" : path)")
        }
        let labels = try metadata.stringMap("labels")
        let annotations = try metadata.stringMap("annotations")
        let metadataNamespace = try metadata.optionalString("namespace")
        guard let namespace = labels["kubescape.io/workload-namespace"] ?? metadataNamespace else {
            throw InputError(at: metadata.node.location, "missing required key \"namespace\" in \(metadata.path)")
        }
        var workloadKind = labels["kubescape.io/workload-kind"]?.lowercased() ?? ""
        var name = labels["kubescape.io/workload-name"] ?? ""
        if name.isEmpty {
            name = try metadata.string("name")
            if let prefix = kindPrefixes.first(where: { name.hasPrefix($0 + "-") }) {
                workloadKind = workloadKind.isEmpty ? prefix : workloadKind
                name = String(name.dropFirst(prefix.count + 1))
            }
        }
        var w = WorkloadProfile(
            namespace: namespace, kind: workloadKind, name: name, status: annotations["kubescape.io/status"],
            completion: annotations["kubescape.io/completion"], sources: [document.location])
        guard let spec = try r.mapping("spec") else {
            throw InputError(
                at: document.location, "missing required key \"spec\" in \(path.isEmpty ? "the document" : path)")
        }
        for group in ["containers", "initContainers", "ephemeralContainers"] {
            for (i, item) in try spec.sequence(group).enumerated() {
                let c = try MappingReader(item, path: spec.childPath("\(group)[\(i)]"))
                let profile =
                    kind == "ApplicationProfile" ? try applicationContainer(c) : try networkContainer(c)
                w.containers[profile.name, default: ContainerProfile(name: profile.name)].merge(profile)
            }
        }
        store.add(w)
    }

    static func applicationContainer(_ c: MappingReader) throws(InputError) -> ContainerProfile {
        var p = ContainerProfile(name: try c.string("name"))
        for (i, item) in try c.sequence("execs").enumerated() {
            let e = try MappingReader(item, path: c.childPath("execs[\(i)]"))
            let path = try e.string("path")
            p.execPaths.insert(path)
            p.execArgs[path, default: []].insert(try e.stringList("args"))
        }
        for (i, item) in try c.sequence("opens").enumerated() {
            let o = try MappingReader(item, path: c.childPath("opens[\(i)]"))
            let path = try o.string("path")
            let flags = Set(try o.stringList("flags"))
            if DynamicPath.isDynamic(path) {
                p.dynamicOpens.append(DynamicPath(pattern: path, flags: flags))
            } else {
                p.opens[path, default: []].formUnion(flags)
            }
        }
        p.syscalls = Set(try c.stringList("syscalls"))
        p.capabilities = Set(try c.stringList("capabilities"))
        for (i, item) in try c.sequence("endpoints").enumerated() {
            let e = try MappingReader(item, path: c.childPath("endpoints[\(i)]"))
            p.endpoints[try e.string("endpoint"), default: []].formUnion(try e.stringList("methods"))
        }
        return p
    }

    static func networkContainer(_ c: MappingReader) throws(InputError) -> ContainerProfile {
        var p = ContainerProfile(name: try c.string("name"))
        p.egress = try side(c, "egress")
        p.ingress = try side(c, "ingress")
        return p
    }

    static func side(_ c: MappingReader, _ key: String) throws(InputError) -> NetworkSide {
        var side = NetworkSide()
        for (i, item) in try c.sequence(key).enumerated() {
            let n = try MappingReader(item, path: c.childPath("\(key)[\(i)]"))
            var names = try n.stringList("dnsNames")
            if let dns = try n.optionalString("dns"), !dns.isEmpty { names.append(dns) }
            for name in names {
                side.domains.insert(name)
                side.domains.insert(name.hasSuffix(".") ? String(name.dropLast()) : name + ".")
            }
            let address = try n.string("ipAddress", default: "")
            if !address.isEmpty { side.addresses.insert(address) }
            for (j, portNode) in try n.sequence("ports").enumerated() {
                let port = try MappingReader(portNode, path: n.childPath("ports[\(j)]"))
                let number = try port.int("port", default: 0)
                let proto = try port.string("protocol", default: "TCP")
                if !address.isEmpty {
                    side.addressPortProtocols.insert(NetworkSide.key(address: address, port: number, protocol: proto))
                }
            }
        }
        return side
    }
}
