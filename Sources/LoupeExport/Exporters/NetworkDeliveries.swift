#if canImport(Glibc)
    import Glibc
#endif

/// POSTs each batch, encoded by `encode`, and expects a 2xx answer.
final class HTTPDelivery: Delivery {
    let endpoint: HTTPEndpoint
    let maxBatch: Int
    private let encode: @Sendable ([ExportedAlert]) -> [UInt8]

    init(endpoint: HTTPEndpoint, maxBatch: Int, encode: @escaping @Sendable ([ExportedAlert]) -> [UInt8]) {
        self.endpoint = endpoint
        self.maxBatch = max(1, maxBatch)
        self.encode = encode
    }

    func deliver(_ batch: ArraySlice<ExportedAlert>, deadline: Int64) throws(TransportError) {
        let left = max(0, deadline - monotonicNow())
        let client = HTTPClient(timeout: .nanoseconds(left))
        let response = try client.request("POST", endpoint, body: encode(Array(batch)))
        guard (200..<300).contains(response.status) else {
            throw .httpStatus(response.status, body: String(decoding: response.body.prefix(512), as: UTF8.self))
        }
    }

    func reset() {}
}

/// Where syslog messages go.
public enum SyslogTransport: Sendable, Hashable, CustomStringConvertible {
    /// One message per datagram.
    case udp(host: String, port: UInt16)
    /// RFC 6587 octet counting: `LEN SP MESSAGE`.
    case tcp(host: String, port: UInt16)
    /// A local socket such as `/dev/log`: datagrams, or newline-terminated messages when the
    /// socket is a stream socket.
    case unix(path: String)

    /// Parses the config form: `host:port` for udp and tcp (IPv6 as `[addr]:port`), a path for unix.
    public init(protocol proto: String, address: String) throws(TransportError) {
        if proto == "unix" {
            self = .unix(path: address)
            return
        }
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]),
            port > 0
        else { throw .unsupported("expected host:port for syslog over \(proto), found \"\(address)\"") }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        switch proto {
        case "udp": self = .udp(host: host, port: port)
        case "tcp": self = .tcp(host: host, port: port)
        default: throw .unsupported("expected udp, tcp or unix for the syslog protocol, found \"\(proto)\"")
        }
    }

    public var description: String {
        switch self {
        case .udp(let h, let p): "udp \(h):\(p)"
        case .tcp(let h, let p): "tcp \(h):\(p)"
        case .unix(let path): "unix \(path)"
        }
    }
}

/// Sends RFC 5424 messages, one alert per attempt (so a retry never repeats a message that got
/// through), keeping the connection between messages.
final class SyslogDelivery: Delivery {
    let transport: SyslogTransport
    let facility: Int
    let hostname: String
    let jsonBody: Bool
    let maxBatch = 1
    private var socket: Socket?
    private var unixStream = false

    init(transport: SyslogTransport, facility: Int, hostname: String, jsonBody: Bool) {
        self.transport = transport
        self.facility = facility
        self.hostname = hostname
        self.jsonBody = jsonBody
    }

    func deliver(_ batch: ArraySlice<ExportedAlert>, deadline: Int64) throws(TransportError) {
        for alert in batch {
            let message = AlertEncoding.syslog(alert, facility: facility, hostname: hostname, jsonBody: jsonBody)
            let s = try connected(deadline: deadline)
            switch transport {
            case .udp: try s.sendAll(message, deadline: deadline)
            case .tcp: try s.sendAll(Array("\(message.count) ".utf8) + message, deadline: deadline)
            case .unix: try s.sendAll(unixStream ? message + [0x0A] : message, deadline: deadline)
            }
        }
    }

    private func connected(deadline: Int64) throws(TransportError) -> Socket {
        if let socket {
            // A stream the server closed would swallow the next write; reconnect first.
            if case .udp = transport { return socket }
            if case .unix = transport, !unixStream { return socket }
            if !socket.peerClosed { return socket }
        }
        let s: Socket
        switch transport {
        case .udp(let host, let port): s = try Socket.connect(host: host, port: port, stream: false, deadline: deadline)
        case .tcp(let host, let port): s = try Socket.connect(host: host, port: port, stream: true, deadline: deadline)
        case .unix(let path):
            do {
                s = try Socket.connect(unixPath: path, stream: false, deadline: deadline)
                unixStream = false
            } catch .system(_, EPROTOTYPE) {
                s = try Socket.connect(unixPath: path, stream: true, deadline: deadline)
                unixStream = true
            }
        }
        socket = s
        return s
    }

    func reset() { socket = nil }
}
