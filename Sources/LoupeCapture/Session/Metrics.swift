import LoupeModel
import LoupeSystem

#if canImport(Glibc)
    import Glibc
#endif

extension CaptureStatistics {
    /// The counters in the Prometheus text exposition format (version 0.0.4), `loupe_*` names.
    public var prometheusText: String {
        var text = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { text += name + sample.labels + " " + sample.value + "\n" }
        }
        family(
            "loupe_events_total", "counter", "Kernel events written to the capture, by event type.",
            eventsByType.keys.sorted().map { ("{event_type=\"\($0.name)\"}", String(eventsByType[$0]!)) })
        family(
            "loupe_drops_total", "counter",
            "Events lost (ringbuf, inflight), damaged (truncated, read) or containers unresolved (lifecycle).",
            dropsByReason.keys.sorted().map { ("{reason=\"\($0)\"}", String(dropsByReason[$0]!)) })
        family(
            "loupe_records_total", "counter", "Records written (events, lifecycle, drops, clock).", [("", "\(records)")]
        )
        family(
            "loupe_filtered_events_total", "counter", "Events left out by --only-context.", [("", "\(filteredEvents)")])
        family(
            "loupe_malformed_records_total", "counter", "Ring-buffer records that could not be decoded.",
            [("", "\(malformedRecords)")])
        family("loupe_bytes_written_total", "counter", "Bytes written to segment files.", [("", "\(bytesWritten)")])
        family("loupe_segments_total", "counter", "Segment files begun.", [("", "\(segments)")])
        family(
            "loupe_containers", "gauge", "Containers running, by context.",
            EventSourceContext.allCases.filter { $0 != .host }.map {
                ("{context=\"\($0.name)\"}", String(containersByContext[$0] ?? 0))
            })
        family(
            "loupe_container_starts_total", "counter", "Containers seen starting.", [("", "\(containersStarted)")])
        family(
            "loupe_container_stops_total", "counter", "Containers seen stopping.", [("", "\(containersStopped)")])
        family(
            "loupe_queue_stalls_total", "counter", "Times a reader waited for the writer (queue full).",
            [("", "\(queueStalls)")])
        family(
            "loupe_events_per_second", "gauge", "Events per second over the last second.", [("", "\(eventsPerSecond)")])
        family(
            "loupe_uptime_seconds", "gauge", "Seconds since the capture started.", [("", "\(Double(elapsed) / 1e9)")])
        return text
    }

    /// One status line: rate, totals, losses, bytes, containers by context.
    public var statusLine: String {
        let containers = EventSourceContext.allCases.filter { $0 != .host }
            .map { "\($0.name) \(containersByContext[$0] ?? 0)" }.joined(separator: ", ")
        return "\(Int(eventsPerSecond)) events/s, \(events) events, \(lostRecords) lost, "
            + "\(dropsByReason["truncated"] ?? 0) truncated, \(formatSize(bytesWritten)) in \(segments) segment(s), "
            + "containers: \(containers)"
    }
}

/// Bytes with a binary unit (`12.3 MiB`).
func formatSize(_ bytes: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    if unit == 0 { return "\(bytes) B" }
    return String(Int(value * 10) / 10) + "." + String(Int(value * 10) % 10) + " " + units[unit]
}

/// A minimal HTTP/1.0 server answering every request with the metrics text.
public final class MetricsServer: @unchecked Sendable {
    private let listener: Int32
    private let stopPipe: (read: Int32, write: Int32)
    private var thread: PosixThread?
    /// The port actually bound (useful with port 0).
    public let port: UInt16

    public struct AddressError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Listens on `address` (`HOST:PORT`, `:PORT` for all interfaces; IPv4) and serves
    /// `body()` to every request.
    public init(address: String, body: @escaping @Sendable () -> String) throws(AddressError) {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw AddressError(description: "--metrics-addr must be HOST:PORT or :PORT, not '\(address)'")
        }
        var host = String(address[..<colon])
        if host.isEmpty || host == "*" { host = "0.0.0.0" }
        if host == "localhost" { host = "127.0.0.1" }
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &socketAddress.sin_addr) == 1 else {
            throw AddressError(description: "--metrics-addr: '\(host)' is not an IPv4 address")
        }
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw AddressError(description: "socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            let message = String(cString: strerror(errno))
            close(listener)
            throw AddressError(description: "cannot listen on \(address): \(message)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
        var ends: [Int32] = [0, 0]
        _ = pipe(&ends)
        self.listener = listener
        self.stopPipe = (ends[0], ends[1])
        thread = PosixThread(name: "loupe-metrics") { [self] in serve(body) }
    }

    private func serve(_ body: @Sendable () -> String) {
        var polls = [
            pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            guard poll(&polls, 2, -1) >= 0 else {
                if errno == EINTR { continue }
                return
            }
            if polls[1].revents != 0 { return }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            // Read (and ignore) the request, with a short timeout so a silent client cannot
            // hold the thread.
            var timeout = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var request = [UInt8](repeating: 0, count: 4096)
            _ = request.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            let content = Array(body().utf8)
            let head =
                "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(content.count)\r\n"
                + "Connection: close\r\n\r\n"
            let response = Array(head.utf8) + content
            var offset = 0
            while offset < response.count {
                let sent = response.withUnsafeBytes {
                    send(client, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
                }
                if sent <= 0 { break }
                offset += sent
            }
            close(client)
        }
    }

    /// Stops serving and closes the socket.
    public func stop() {
        var byte: UInt8 = 1
        _ = write(stopPipe.write, &byte, 1)
        thread?.join()
        thread = nil
    }

    deinit {
        close(listener)
        close(stopPipe.read)
        close(stopPipe.write)
    }
}
