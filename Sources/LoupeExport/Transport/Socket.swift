#if canImport(Glibc)
    import Glibc
#endif

/// Why a delivery attempt failed.
public enum TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A system call failed: which one, and errno.
    case system(call: String, errno: Int32)
    /// The host name did not resolve.
    case resolve(host: String, reason: String)
    /// A deadline passed while doing `what`.
    case timedOut(String)
    /// The server answered with a non-2xx HTTP status.
    case httpStatus(Int, body: String)
    /// The peer sent something we cannot read, or closed early.
    case protocolViolation(String)
    /// The configuration names something this module cannot do (e.g. https).
    case unsupported(String)

    public var description: String {
        switch self {
        case .system(let call, let code): "\(call): \(String(cString: strerror(code))) (errno \(code))"
        case .resolve(let host, let reason): "cannot resolve \(host): \(reason)"
        case .timedOut(let what): "timed out \(what)"
        case .httpStatus(let status, let body): "HTTP \(status)\(body.isEmpty ? "" : ": \(body.prefix(200))")"
        case .protocolViolation(let what): what
        case .unsupported(let what): what
        }
    }

    /// Whether trying again may help: server errors, throttling, timeouts and network errors
    /// yes; client errors (a 4xx other than 408 and 429) and configuration errors no.
    var isRetryable: Bool {
        switch self {
        case .httpStatus(let s, _): s >= 500 || s == 408 || s == 429
        case .unsupported: false
        // A message too large for one datagram stays too large.
        case .system(_, let code): code != EMSGSIZE
        default: true
        }
    }
}

/// A socket file descriptor in non-blocking mode, closed when the object goes; every operation
/// takes a monotonic deadline, so nothing here can block past it.
final class Socket {
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Connects over TCP (`stream`) or UDP to `host:port`, trying each resolved address.
    static func connect(host: String, port: UInt16, stream: Bool, deadline: Int64) throws(TransportError) -> Socket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(stream ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw .resolve(host: host, reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(list) }
        var lastError = TransportError.resolve(host: host, reason: "no addresses")
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let e = entry {
            entry = e.pointee.ai_next
            do {
                return try open(
                    family: e.pointee.ai_family, type: e.pointee.ai_socktype, address: e.pointee.ai_addr,
                    length: e.pointee.ai_addrlen, deadline: deadline)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// Connects to a unix socket at `path` (datagram or stream).
    static func connect(unixPath path: String, stream: Bool, deadline: Int64) throws(TransportError) -> Socket {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw .unsupported("unix socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + 1)
        return try withUnsafePointer(to: &address) { p throws(TransportError) in
            try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa throws(TransportError) in
                try open(
                    family: AF_UNIX, type: Int32(stream ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), address: sa,
                    length: length, deadline: deadline)
            }
        }
    }

    private static func open(
        family: Int32, type: Int32, address: UnsafePointer<sockaddr>, length: socklen_t, deadline: Int64
    ) throws(TransportError) -> Socket {
        let fd = socket(family, type | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(call: "socket", errno: errno) }
        let s = Socket(fd: fd)
        if Glibc.connect(fd, address, length) != 0 {
            let code = errno
            guard code == EINPROGRESS || code == EINTR else { throw .system(call: "connect", errno: code) }
            try s.wait(for: Int16(POLLOUT), deadline: deadline, what: "connecting")
            var soError: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &size)
            if soError != 0 { throw .system(call: "connect", errno: soError) }
        }
        return s
    }

    /// Polls for `events` until the deadline, retrying after signals.
    func wait(for events: Int16, deadline: Int64, what: String) throws(TransportError) {
        while true {
            let left = deadline - monotonicNow()
            guard left > 0 else { throw .timedOut(what) }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let ms = Int32(clamping: (left + 999_999) / 1_000_000)
            let rc = poll(&p, 1, ms)
            if rc > 0 { return }
            if rc < 0 && errno != EINTR { throw .system(call: "poll", errno: errno) }
        }
    }

    /// Writes all of `bytes` (one `send` per datagram on datagram sockets).
    func sendAll(_ bytes: [UInt8], deadline: Int64) throws(TransportError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n >= 0 {
                offset += n
                continue
            }
            let code = errno
            if code == EINTR { continue }
            guard code == EAGAIN || code == EWOULDBLOCK else { throw .system(call: "send", errno: code) }
            try wait(for: Int16(POLLOUT), deadline: deadline, what: "sending")
        }
    }

    /// Reads what is available, waiting until the deadline; an empty result means end of stream.
    func receive(max: Int = 65536, deadline: Int64) throws(TransportError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n >= 0 { return Array(buffer[..<n]) }
            let code = errno
            if code == EINTR { continue }
            guard code == EAGAIN || code == EWOULDBLOCK else { throw .system(call: "recv", errno: code) }
            try wait(for: Int16(POLLIN), deadline: deadline, what: "waiting for the response")
        }
    }

    /// Whether the peer has closed or reset a stream connection we only write to.
    var peerClosed: Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) <= 0
    }
}
