/// Host-context ignore lists.
public struct HostMonitoringConfig: Sendable, Hashable {
    /// Matched against the process name (comm) and executable path.
    public var ignoreProcesses: [GlobPattern] = []
    /// Matched against the paths an event names.
    public var ignorePaths: [GlobPattern] = []
    public init() {}
}

/// Docker-context ignore lists.
public struct DockerMonitoringConfig: Sendable, Hashable {
    /// Matched against container names.
    public var ignoreContainers: [GlobPattern] = []
    /// Matched against image names (`name:tag`).
    public var ignoreImages: [GlobPattern] = []
    public init() {}
}

/// Alert deduplication, as kubescape's rule cooldown; time is event time.
public struct CooldownSettings: Sendable, Hashable {
    /// Window length in nanoseconds; default one hour.
    public var durationNanoseconds: Int64 = 3_600_000_000_000
    /// Alerts for one key that pass before repeats are suppressed; default 1.
    public var afterCount: Int64 = 1
    /// Keys kept (least recently used evicted); default 10000.
    public var maxSize: Int64 = 10_000
    public var disabled = false
    public init() {}
}

/// Where alerts go. With nothing configured, JSON lines go to stdout.
public struct ExporterSettings: Sendable, Hashable {
    /// Syslog transport.
    public enum SyslogProtocol: String, Sendable, Hashable, CaseIterable {
        case udp, tcp, unix
    }

    /// An RFC 5424 syslog destination: `host:port` for udp/tcp, a socket path for unix.
    public struct Syslog: Sendable, Hashable {
        public var address: String
        public var `protocol`: SyslogProtocol

        public init(address: String, protocol proto: SyslogProtocol) {
            self.address = address
            self.protocol = proto
        }
    }

    /// JSON lines on stdout; nil means "only if no other exporter is configured".
    public var stdout: Bool?
    /// JSON lines appended to this file.
    public var file: String?
    /// kubescape `RuntimeAlerts` HTTP POST endpoint.
    public var httpURL: String?
    /// Alertmanager base URL (`/api/v2/alerts` is appended).
    public var alertmanagerURL: String?
    public var syslog: Syslog?
    /// CSV file.
    public var csv: String?

    public init() {}

    /// Whether stdout receives alerts once defaults apply.
    public var writesStdout: Bool {
        stdout ?? (file == nil && httpURL == nil && alertmanagerURL == nil && syslog == nil && csv == nil)
    }
}

/// `loupe.yaml`: Loupe's own settings. Unknown keys are refused, so a typo cannot pass silently.
public struct LoupeConfig: Sendable, Hashable {
    /// Kubernetes-context detection; default true.
    public var enableRuntimeDetection = true
    /// Host-context detection; default false (the seed makes the new contexts opt-in).
    public var enableHostMonitoring = false
    /// Docker-context detection; default false.
    public var enableDockerMonitoring = false
    public var hostMonitoring = HostMonitoringConfig()
    public var dockerMonitoring = DockerMonitoringConfig()
    public var cooldown = CooldownSettings()
    public var exporters = ExporterSettings()
    public var nodeName: String?
    public var clusterName: String?

    public init() {}

    static let cooldownKeys: Set<String> = [
        "ruleCooldownDuration", "ruleCooldownAfterCount", "ruleCooldownMaxSize", "ruleCooldownDisabled",
    ]
    static let topKeys: Set<String> = cooldownKeys.union([
        "enableRuntimeDetection", "enableHostMonitoring", "enableDockerMonitoring", "hostMonitoring",
        "dockerMonitoring", "ruleCooldown", "exporters", "nodeName", "clusterName",
    ])

    /// Reads `loupe.yaml` at `path`.
    public static func load(path: String) throws(InputError) -> LoupeConfig {
        try parse(text: InputFiles.readText(path), file: path)
    }

    /// Reads config text; an empty document gives the defaults. One document only.
    public static func parse(text: String, file: String = "<input>") throws(InputError) -> LoupeConfig {
        let documents = try YAMLReader.documents(text: text, file: file).filter { !$0.isEmptyDocument }
        guard let document = documents.first else { return LoupeConfig() }
        if documents.count > 1 {
            throw InputError(
                at: documents[1].location, "expected one document in the config file, found \(documents.count)")
        }
        let r = try MappingReader(document, path: "")
        try r.refuseUnknownKeys(topKeys)
        var c = LoupeConfig()
        c.enableRuntimeDetection = try r.bool("enableRuntimeDetection", default: c.enableRuntimeDetection)
        c.enableHostMonitoring = try r.bool("enableHostMonitoring", default: c.enableHostMonitoring)
        c.enableDockerMonitoring = try r.bool("enableDockerMonitoring", default: c.enableDockerMonitoring)
        if let h = try r.mapping("hostMonitoring") {
            try h.refuseUnknownKeys(["ignoreProcesses", "ignorePaths"])
            c.hostMonitoring.ignoreProcesses = try globs(h, "ignoreProcesses")
            c.hostMonitoring.ignorePaths = try globs(h, "ignorePaths")
        }
        if let d = try r.mapping("dockerMonitoring") {
            try d.refuseUnknownKeys(["ignoreContainers", "ignoreImages"])
            c.dockerMonitoring.ignoreContainers = try globs(d, "ignoreContainers")
            c.dockerMonitoring.ignoreImages = try globs(d, "ignoreImages")
        }
        // Cooldown keys are accepted at the top level (as upstream's flat config) or grouped
        // under `ruleCooldown`.
        try readCooldown(r, into: &c.cooldown)
        if let group = try r.mapping("ruleCooldown") {
            try group.refuseUnknownKeys(cooldownKeys)
            try readCooldown(group, into: &c.cooldown)
        }
        if let e = try r.mapping("exporters") { c.exporters = try readExporters(e) }
        c.nodeName = try r.optionalString("nodeName")
        c.clusterName = try r.optionalString("clusterName")
        return c
    }

    static func globs(_ r: MappingReader, _ key: String) throws(InputError) -> [GlobPattern] {
        var out: [GlobPattern] = []
        for (i, item) in try r.sequence(key).enumerated() {
            let text = try item.string(r.childPath("\(key)[\(i)]"))
            do {
                out.append(try GlobPattern(text))
            } catch {
                throw InputError(at: item.location, error.description)
            }
        }
        return out
    }

    static func readCooldown(_ r: MappingReader, into s: inout CooldownSettings) throws(InputError) {
        if let node = r.optional("ruleCooldownDuration") {
            s.durationNanoseconds = try parseDuration(node, path: r.childPath("ruleCooldownDuration"))
        }
        s.afterCount = try nonNegative(r, "ruleCooldownAfterCount", s.afterCount)
        s.maxSize = try nonNegative(r, "ruleCooldownMaxSize", s.maxSize)
        s.disabled = try r.bool("ruleCooldownDisabled", default: s.disabled)
    }

    static func nonNegative(_ r: MappingReader, _ key: String, _ value: Int64) throws(InputError) -> Int64 {
        guard let node = r.optional(key) else { return value }
        let v = try node.int(r.childPath(key))
        if v < 0 { throw node.mismatch("a non-negative integer", r.childPath(key)) }
        return v
    }

    /// A Go-style duration (`1h`, `30m`, `1h30m`, `500ms`, `1.5h`) or an integer number of seconds.
    static func parseDuration(_ node: YAMLNode, path: String) throws(InputError) -> Int64 {
        let expected = "a duration such as 1h, 30m, 90s or 500ms"
        if case .scalar(let s) = node.content, case .int(let seconds) = s.value, seconds >= 0 {
            let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            if !overflow { return ns }
        }
        guard case .scalar(let s) = node.content, case .string(let text) = s.value,
            let ns = goDuration(text)
        else { throw node.mismatch(expected, path) }
        return ns
    }

    static func goDuration(_ text: String) -> Int64? {
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 6e10), ("h", 3.6e12),
        ]
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        if rest == "0" { return 0 }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix(while: { $0.isNumber || $0 == "." })
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix(while: { !$0.isNumber && $0 != "." })
            // Longest unit first so `ms` is not read as `m` followed by garbage.
            guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        guard total < 9.2e18 else { return nil }
        return Int64(total)
    }

    static func readExporters(_ e: MappingReader) throws(InputError) -> ExporterSettings {
        try e.refuseUnknownKeys(["stdout", "file", "http", "alertmanager", "syslog", "csv"])
        var x = ExporterSettings()
        if let node = e.optional("stdout") { x.stdout = try node.bool(e.childPath("stdout")) }
        x.file = try pathOrMapping(e, "file", key: "path")
        x.csv = try pathOrMapping(e, "csv", key: "path")
        x.httpURL = try pathOrMapping(e, "http", key: "url")
        x.alertmanagerURL = try pathOrMapping(e, "alertmanager", key: "url")
        for (key, url) in [("http", x.httpURL), ("alertmanager", x.alertmanagerURL)] {
            guard let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) else { continue }
            let node = e.optional(key).map { $0["url"] ?? $0 } ?? e.node
            throw InputError(
                at: node.location, "expected an http:// or https:// URL for exporters.\(key), found \"\(url)\"")
        }
        if let s = try e.mapping("syslog") {
            try s.refuseUnknownKeys(["address", "protocol"])
            let protoNode = s.optional("protocol")
            let protoName = try protoNode?.string(s.childPath("protocol")) ?? "udp"
            guard let proto = ExporterSettings.SyslogProtocol(rawValue: protoName) else {
                throw InputError(
                    at: protoNode?.location ?? s.node.location,
                    "expected udp, tcp or unix for \(s.childPath("protocol")), found \"\(protoName)\"")
            }
            let addressNode = try s.required("address")
            let address = try addressNode.string(s.childPath("address"))
            if proto != .unix {
                let port = address.split(separator: ":").last.flatMap { Int($0) }
                if !address.contains(":") || port == nil || !(1...65535).contains(port!) {
                    throw InputError(
                        at: addressNode.location,
                        "expected host:port for \(s.childPath("address")), found \"\(address)\"")
                }
            }
            x.syslog = .init(address: address, protocol: proto)
        }
        return x
    }

    /// A string, or a mapping holding the string under `key`.
    static func pathOrMapping(_ e: MappingReader, _ name: String, key: String) throws(InputError) -> String? {
        guard let node = e.optional(name) else { return nil }
        if node.pairs != nil {
            let m = try MappingReader(node, path: e.childPath(name))
            try m.refuseUnknownKeys([key])
            return try m.string(key)
        }
        return try node.string(e.childPath(name))
    }
}
