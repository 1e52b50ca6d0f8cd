/// One configured destination; mirrors the `exporters:` section of `loupe.yaml`.
public enum ExporterConfiguration: Sendable, Hashable {
    case stdout
    /// JSON lines appended to a file created 0600.
    case file(path: String)
    case csv(path: String)
    /// kubescape's `RuntimeAlerts` list, POSTed to this URL.
    case http(url: String)
    /// Alertmanager base URL; `/api/v2/alerts` is appended.
    case alertmanager(url: String)
    /// `protocol` is `udp`, `tcp` or `unix`.
    case syslog(address: String, protocol: String)
}

/// Options shared by the network exporters.
public struct NetworkExportOptions: Sendable, Hashable {
    public var queue: QueueSettings
    /// Alerts per HTTP request (RuntimeAlerts and Alertmanager).
    public var httpBatchSize: Int
    /// Syslog facility number; default 1 (user).
    public var syslogFacility: Int
    /// HOSTNAME in syslog messages; empty means the alert's own hostname.
    public var syslogHostname: String
    /// Whether syslog MSG is the alert JSON (default) or only the message text.
    public var syslogJSONBody: Bool

    public init(
        queue: QueueSettings = QueueSettings(), httpBatchSize: Int = 100, syslogFacility: Int = 1,
        syslogHostname: String = "", syslogJSONBody: Bool = true
    ) {
        self.queue = queue
        self.httpBatchSize = httpBatchSize
        self.syslogFacility = syslogFacility
        self.syslogHostname = syslogHostname
        self.syslogJSONBody = syslogJSONBody
    }
}

/// Constructors for every exporter.
public enum Exporters {
    /// Builds the exporter for one configured destination.
    public static func make(
        _ configuration: ExporterConfiguration, options: NetworkExportOptions = NetworkExportOptions()
    ) throws(TransportError) -> any AlertExporter {
        switch configuration {
        case .stdout: return StreamExporter.standardOutput()
        case .file(let path): return try StreamExporter.file(path: path)
        case .csv(let path): return try StreamExporter.file(path: path, format: .csv)
        case .http(let url): return try runtimeAlerts(url: url, options: options)
        case .alertmanager(let url): return try alertmanager(url: url, options: options)
        case .syslog(let address, let proto):
            return syslog(try SyslogTransport(protocol: proto, address: address), options: options)
        }
    }

    /// kubescape's HTTP exporter: batches POSTed as a `RuntimeAlerts` list.
    public static func runtimeAlerts(url: String, options: NetworkExportOptions = NetworkExportOptions())
        throws(TransportError) -> QueuedExporter
    {
        let endpoint = try HTTPEndpoint(url: url)
        return QueuedExporter(
            name: "http \(endpoint)",
            delivery: HTTPDelivery(
                endpoint: endpoint, maxBatch: options.httpBatchSize, encode: AlertEncoding.runtimeAlertList),
            settings: options.queue)
    }

    /// Alertmanager v2: batches POSTed to `<url>/api/v2/alerts`.
    public static func alertmanager(url: String, options: NetworkExportOptions = NetworkExportOptions())
        throws(TransportError) -> QueuedExporter
    {
        var endpoint = try HTTPEndpoint(url: url)
        let base = endpoint.path.hasSuffix("/") ? String(endpoint.path.dropLast()) : endpoint.path
        endpoint.path = base + "/api/v2/alerts"
        return QueuedExporter(
            name: "alertmanager \(endpoint)",
            delivery: HTTPDelivery(
                endpoint: endpoint, maxBatch: options.httpBatchSize, encode: AlertEncoding.alertmanager),
            settings: options.queue)
    }

    /// RFC 5424 syslog.
    public static func syslog(_ transport: SyslogTransport, options: NetworkExportOptions = NetworkExportOptions())
        -> QueuedExporter
    {
        QueuedExporter(
            name: "syslog \(transport)",
            delivery: SyslogDelivery(
                transport: transport, facility: options.syslogFacility, hostname: options.syslogHostname,
                jsonBody: options.syslogJSONBody),
            settings: options.queue)
    }
}

/// Fans every batch out to several exporters; statistics are summed.
public final class ExporterGroup: AlertExporter {
    public let members: [any AlertExporter]

    public init(_ members: [any AlertExporter]) { self.members = members }

    public var name: String { members.map(\.name).joined(separator: ", ") }

    public func send(_ alerts: [ExportedAlert]) {
        for m in members { m.send(alerts) }
    }

    /// Flushes members one after another within the one overall timeout.
    @discardableResult public func flush(timeout: Duration) -> Bool {
        let deadline = monotonicNow() + timeout.nanoseconds
        var all = true
        for m in members {
            all = m.flush(timeout: .nanoseconds(max(0, deadline - monotonicNow()))) && all
        }
        return all
    }

    /// Closes members within the one overall timeout (each first gets a flush in that time).
    @discardableResult public func close(timeout: Duration) -> ExportStatistics {
        _ = flush(timeout: timeout)
        return members.reduce(ExportStatistics()) { $0 + $1.close(timeout: .zero) }
    }

    public var statistics: ExportStatistics { members.reduce(ExportStatistics()) { $0 + $1.statistics } }
}
