#if canImport(Glibc)
    import Glibc
#endif

/// Writes alerts synchronously to stdout or a file, as JSON lines or CSV. Local writes do not
/// need a queue: a batch is one `write` loop, and a failed write counts the batch as failed.
public final class StreamExporter: AlertExporter {
    public enum Format: Sendable, Hashable {
        case jsonLines
        case csv
    }

    public let name: String
    private let format: Format
    private let state: Condition
    /// The descriptor; -1 once closed. Guarded by `state`.
    nonisolated(unsafe) private var fd: Int32
    private let ownsDescriptor: Bool
    nonisolated(unsafe) private var stats = ExportStatistics()

    /// JSON lines (or CSV) on standard output; the descriptor stays open after `close`.
    public static func standardOutput(format: Format = .jsonLines) -> StreamExporter {
        StreamExporter(name: "stdout", format: format, fd: 1, owns: false)
    }

    /// Appends to `path`, creating it with mode 0600 (alerts can carry secrets from command lines).
    /// A CSV file gets the header row when it is empty.
    public static func file(path: String, format: Format = .jsonLines) throws(TransportError) -> StreamExporter {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system(call: "open \(path)", errno: errno) }
        let exporter = StreamExporter(
            name: "\(format == .csv ? "csv" : "file") \(path)", format: format, fd: fd, owns: true)
        if format == .csv {
            var st = stat()
            if fstat(fd, &st) == 0 && st.st_size == 0 {
                try exporter.writeAll(AlertEncoding.csvHeader)
            }
        }
        return exporter
    }

    private init(name: String, format: Format, fd: Int32, owns: Bool) {
        self.name = name
        self.format = format
        self.fd = fd
        self.ownsDescriptor = owns
        self.state = Condition()
    }

    deinit {
        if ownsDescriptor && fd >= 0 { Glibc.close(fd) }
    }

    public func send(_ alerts: [ExportedAlert]) {
        guard !alerts.isEmpty else { return }
        let bytes = format == .csv ? AlertEncoding.csv(alerts) : AlertEncoding.jsonLines(alerts)
        state.withLock {
            guard fd >= 0 else {
                stats.dropped += UInt64(alerts.count)
                return
            }
            do {
                try writeAll(bytes)
                stats.sent += UInt64(alerts.count)
            } catch {
                stats.failed += UInt64(alerts.count)
                stats.lastError = "\(error)"
            }
        }
    }

    /// Writes every byte, retrying after signals and short writes; blocks only as long as the
    /// file or pipe does. Called with the lock held (or before the object is shared).
    private func writeAll(_ bytes: [UInt8]) throws(TransportError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 {
                offset += n
            } else if n < 0 && errno != EINTR {
                throw .system(call: "write", errno: errno)
            }
        }
    }

    @discardableResult public func flush(timeout: Duration) -> Bool { true }

    @discardableResult public func close(timeout: Duration) -> ExportStatistics {
        state.withLock {
            if ownsDescriptor && fd >= 0 { Glibc.close(fd) }
            fd = -1
            return stats
        }
    }

    public var statistics: ExportStatistics { state.withLock { stats } }
}
