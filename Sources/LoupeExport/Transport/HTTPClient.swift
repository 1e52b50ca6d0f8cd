/// An `http://` URL split into what a request needs.
public struct HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    /// The path and query, starting with `/`.
    public var path: String

    /// Parses `http://host[:port][/path]`; IPv6 hosts go in brackets. `https` is refused: this
    /// client speaks plain HTTP only.
    public init(url: String) throws(TransportError) {
        guard url.hasPrefix("http://") else {
            if url.hasPrefix("https://") { throw .unsupported("https is not supported (use http://): \(url)") }
            throw .unsupported("expected an http:// URL, found \"\(url)\"")
        }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        path = slash == rest.endIndex ? "/" : String(rest[slash...])
        var hostPart = Substring(authority)
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .unsupported("bad IPv6 host in \(url)") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw .unsupported("no host in \(url)") }
        host = String(hostPart)
        if let portPart {
            guard let p = UInt16(portPart), p > 0 else { throw .unsupported("bad port in \(url)") }
            port = p
        } else {
            port = 80
        }
    }

    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "http://\(h):\(port)\(path)"
    }

    /// The same server with another path.
    public func with(path: String) -> HTTPEndpoint {
        var e = self
        e.path = path
        return e
    }
}

/// An HTTP response: status and body (headers are not kept; nothing here needs them).
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var body: [UInt8]
}

/// A one-request-per-connection HTTP/1.1 client over POSIX sockets, bounded by a timeout for the
/// whole exchange (connect, send, and read).
public struct HTTPClient: Sendable {
    public var timeout: Duration

    public init(timeout: Duration = .seconds(5)) { self.timeout = timeout }

    /// Sends one request and reads the whole response.
    public func request(
        _ method: String, _ endpoint: HTTPEndpoint, body: [UInt8] = [], contentType: String = "application/json"
    ) throws(TransportError) -> HTTPResponse {
        let deadline = monotonicNow() + timeout.nanoseconds
        let socket = try Socket.connect(host: endpoint.host, port: endpoint.port, stream: true, deadline: deadline)
        var head = "\(method) \(endpoint.path) HTTP/1.1\r\n"
        let hostHeader = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
        head += "Host: \(hostHeader):\(endpoint.port)\r\nUser-Agent: loupe\r\nConnection: close\r\n"
        if method != "GET" || !body.isEmpty {
            head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        try socket.sendAll(Array(head.utf8) + body, deadline: deadline)
        var parser = HTTPResponseParser()
        while true {
            let chunk = try socket.receive(deadline: deadline)
            if let response = try parser.feed(chunk, atEnd: chunk.isEmpty) { return response }
            if chunk.isEmpty { throw .protocolViolation("connection closed before the response ended") }
        }
    }
}

/// Incremental parser for one HTTP/1.1 response: status line, headers, then a body framed by
/// Content-Length, chunked encoding, or the end of the connection.
struct HTTPResponseParser {
    private var buffer: [UInt8] = []
    private var status: Int?
    private var bodyStart = 0
    private var contentLength: Int?
    private var chunked = false

    /// Adds bytes; returns the response once it is complete.
    mutating func feed(_ bytes: [UInt8], atEnd: Bool) throws(TransportError) -> HTTPResponse? {
        buffer += bytes
        if status == nil {
            guard let end = headerEnd() else {
                if atEnd { throw .protocolViolation("connection closed inside the response header") }
                return nil
            }
            try parseHead(String(decoding: buffer[..<end], as: UTF8.self))
            bodyStart = end + 4
        }
        let body = buffer[bodyStart...]
        if chunked {
            if let decoded = try Self.dechunk(body) { return HTTPResponse(status: status!, body: decoded) }
            if atEnd { throw .protocolViolation("connection closed inside a chunked body") }
            return nil
        }
        if let contentLength {
            if body.count >= contentLength {
                return HTTPResponse(status: status!, body: Array(body.prefix(contentLength)))
            }
            if atEnd { throw .protocolViolation("connection closed before Content-Length bytes") }
            return nil
        }
        return atEnd ? HTTPResponse(status: status!, body: Array(body)) : nil
    }

    private func headerEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4)
        where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    private mutating func parseHead(_ head: String) throws(TransportError) {
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let code = Int(statusParts[1]) else {
            throw .protocolViolation("bad HTTP status line: \(lines[0].prefix(100))")
        }
        status = code
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces
            if name == "content-length" { contentLength = Int(value) }
            if name == "transfer-encoding" && value.lowercased().contains("chunked") { chunked = true }
        }
        // Responses that never carry a body.
        if code == 204 || code == 304 || (100..<200).contains(code) { contentLength = 0 }
    }

    /// Decodes a complete chunked body, or returns nil when more bytes are needed.
    private static func dechunk(_ data: ArraySlice<UInt8>) throws(TransportError) -> [UInt8]? {
        var out: [UInt8] = []
        var i = data.startIndex
        while true {
            guard let lineEnd = findCRLF(data, from: i) else { return nil }
            let sizeText = String(decoding: data[i..<lineEnd], as: UTF8.self)
            let hex = sizeText.split(separator: ";").first.map(String.init)?.trimmingSpaces ?? ""
            guard let size = Int(hex, radix: 16), size >= 0 else {
                throw .protocolViolation("bad chunk size \"\(sizeText.prefix(20))\"")
            }
            let start = lineEnd + 2
            if size == 0 { return out }  // Trailers, if any, are not needed.
            guard data.endIndex >= start + size + 2 else { return nil }
            out += data[start..<(start + size)]
            i = start + size + 2
        }
    }

    private static func findCRLF(_ data: ArraySlice<UInt8>, from: Int) -> Int? {
        var i = from
        while i + 1 < data.endIndex {
            if data[i] == 13 && data[i + 1] == 10 { return i }
            i += 1
        }
        return nil
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
