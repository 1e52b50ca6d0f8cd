/// A destination for alerts. `send` never blocks for long: file exporters write directly, network
/// exporters enqueue into a bounded queue that a worker thread drains.
public protocol AlertExporter: AnyObject, Sendable {
    /// A short name for reports, e.g. `alertmanager http://127.0.0.1:9093`.
    var name: String { get }
    /// Hands a batch over; alerts that cannot be queued are dropped and counted.
    func send(_ alerts: [ExportedAlert])
    /// Waits at most `timeout` for everything handed over so far to be delivered or given up;
    /// returns whether that happened in time.
    @discardableResult func flush(timeout: Duration) -> Bool
    /// Flushes for at most `timeout`, then stops; what is still queued is dropped and counted.
    /// Later sends are dropped. Returns the final statistics.
    @discardableResult func close(timeout: Duration) -> ExportStatistics
    var statistics: ExportStatistics { get }
}

/// What an exporter did with the alerts it was given. Every alert handed to `send` ends up in
/// exactly one of `sent`, `failed` or `dropped`, or is still pending.
public struct ExportStatistics: Sendable, Hashable {
    /// Alerts delivered (the server accepted them, or the bytes were written).
    public var sent: UInt64 = 0
    /// Alerts given up after the last attempt failed, or refused outright (HTTP 4xx).
    public var failed: UInt64 = 0
    /// Retry attempts made (a batch retried twice counts 2).
    public var retried: UInt64 = 0
    /// Alerts never attempted: the queue was full, or the exporter closed before reaching them.
    public var dropped: UInt64 = 0
    /// The last delivery error, for reports.
    public var lastError: String?

    public init() {}

    /// Sums two exporters' counts (the last error of `other` wins when it has one).
    public static func + (a: Self, b: Self) -> Self {
        var s = a
        s.sent += b.sent
        s.failed += b.failed
        s.retried += b.retried
        s.dropped += b.dropped
        s.lastError = b.lastError ?? a.lastError
        return s
    }
}

extension ExportStatistics {
    /// The counts in Prometheus text format, named as Loupe's other metrics (`loupe_` prefix):
    /// `loupe_export_alerts_total{exporter,outcome}` with outcome `sent`, `failed` or `dropped`,
    /// and `loupe_export_retries_total{exporter}`.
    public func prometheusLines(exporter: String) -> String {
        let name = exporter.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
        return """
            loupe_export_alerts_total{exporter="\(name)",outcome="sent"} \(sent)
            loupe_export_alerts_total{exporter="\(name)",outcome="failed"} \(failed)
            loupe_export_alerts_total{exporter="\(name)",outcome="dropped"} \(dropped)
            loupe_export_retries_total{exporter="\(name)"} \(retried)

            """
    }
}

/// Bounds on retrying one batch: exponential backoff from `initialBackoff`, doubling up to
/// `maxBackoff`, at most `maxAttempts` attempts and never past `maxTotal` since the first one.
public struct RetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    public var maxTotal: Duration

    public init(
        maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(200), maxBackoff: Duration = .seconds(5),
        maxTotal: Duration = .seconds(30)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxTotal = maxTotal
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1).
    public func backoff(after attempt: Int) -> Duration {
        var d = initialBackoff
        for _ in 1..<max(1, attempt) {
            d = d * 2
            if d >= maxBackoff { return maxBackoff }
        }
        return min(d, maxBackoff)
    }
}
