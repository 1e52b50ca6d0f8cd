import Foundation
import LoupeModel
import Testing

@testable import LoupeExport

#if canImport(Glibc)
    import Glibc
#endif

/// A sample alert whose fields all differ, tagged so a test can find its own alerts on a shared
/// server.
func sampleAlert(
    _ index: Int, tag: String, context: EventSourceContext = .kubernetes, message: String? = nil
) -> ExportedAlert {
    let text = message ?? "Unexpected process launched: curl \(index)"
    var w = JSONWriter()
    w.beginObject()
    w.field("AlertPlatform", context.name)
    w.key("BaseRuntimeMetadata")
    w.beginObject()
    w.field("alertName", "Unexpected process launched")
    w.field("severity", 5)
    w.field("timestamp", WallClock.rfc3339(nanoseconds: 1_780_000_000_123_456_789 + Int64(index)))
    w.field("uniqueID", "\(tag)-\(index)")
    w.endObject()
    w.field("RuleID", "R0001")
    w.field("message", text)
    w.endObject()
    return ExportedAlert(
        json: w.bytes, wallTime: 1_780_000_000_123_456_789 + Int64(index), ruleID: "R0001",
        alertName: "Unexpected process launched", severity: 5, message: text, uniqueID: "\(tag)-\(index)",
        context: context, containerID: "c0ffee\(index)", containerName: "web", namespace: "shop",
        podName: "web-7d9f8b6c5d-x2k4p", hostname: "node-a", nodeName: "node-a", pid: UInt32(1000 + index),
        ppid: 1, comm: "curl", pcomm: "sh", uid: 1000, gid: 1000)
}

/// A short unique tag per test run.
func uniqueTag(_ prefix: String) -> String {
    "\(prefix)\(getpid())x\(UInt32.random(in: 0...UInt32.max))"
}

/// A TCP or UDP port on 127.0.0.1 nothing uses right now, chosen below the kernel's ephemeral
/// range (32768 and up by default): a port the kernel can hand out could be taken by another
/// test's outgoing connection while a server restarts on it.
func freePort(udp: Bool = false) throws -> UInt16 {
    for _ in 0..<200 {
        let port = UInt16.random(in: 20_000..<32_000)
        if canBind(port: port, udp: udp) && canBind(port: port, udp: !udp) { return port }
    }
    throw ServerError("no free port found in 20000..<32000")
}

private func canBind(port: UInt16, udp: Bool) -> Bool {
    let fd = socket(AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = port.bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

/// Whether `pid` is a live process; a zombie counts as ended (PID 1 here reaps late).
func isRunning(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
}

func makeTemporaryDirectory() throws -> String {
    var template = Array("/tmp/loupe-export-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    try #require(made != nil, "mkdtemp failed")
    return String(cString: made!)
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A server process started by one of scripts/exporters/*.sh, killed by pid when the test ends.
final class ScriptServer {
    let pid: Int32
    let directory: String

    /// Runs the script (which starts the server and waits until it is ready) and records the pid.
    init(script: String, arguments: [String], directory: String) throws {
        self.directory = directory
        // Output goes to files, not pipes: the server the script leaves running could inherit a
        // pipe's write end and keep it from ever reaching end-of-file.
        let outPath = "\(directory).start.out"
        let errPath = "\(directory).start.err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let status = try spawnAndWait(
            ["/bin/bash", "\(repositoryRoot)/scripts/exporters/\(script)"] + arguments, stdout: outPath,
            stderr: errPath)
        let output = FileManager.default.contents(atPath: outPath) ?? Data()
        let errors = FileManager.default.contents(atPath: errPath) ?? Data()
        let stderrText = String(decoding: errors, as: UTF8.self)
        guard status == 0,
            let pid = Int32(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw ServerError(
                "\(script) failed (exit \(status)); the server binary must be installed "
                    + "(scripts/install-deps.sh): \(stderrText)")
        }
        self.pid = pid
    }

    /// Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its directory.
    func stop() {
        kill(pid, SIGTERM)
        for _ in 0..<50 {
            if !isRunning(pid) { break }
            usleep(100_000)
        }
        if isRunning(pid) { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs `argv` with stdout and stderr sent to files and waits for it; returns the exit status.
/// posix_spawn rather than Foundation's Process: the child gets default signal handling and an
/// empty signal mask (servers it leaves behind must die on SIGTERM), and waiting is a plain
/// waitpid that does not depend on a run loop.
func spawnAndWait(_ argv: [String], stdout: String, stderr: String) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var defaults = sigset_t()
    sigfillset(&defaults)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var cArgs = argv.map { strdup($0) } + [nil]
    defer { for p in cArgs { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, &attributes, &cArgs, environ)
    guard rc == 0 else { throw ServerError("posix_spawn \(argv[0]) failed: errno \(rc)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    // WIFEXITED / WEXITSTATUS by hand: Glibc's macros are not imported.
    return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}

struct ServerError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Polls `body` every 50 ms until it returns a value or `seconds` pass.
func eventually<T>(seconds: Double = 10, _ body: () throws -> T?) rethrows -> T? {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if let v = try body() { return v }
        usleep(50_000)
    }
    return try body()
}

func jsonObject(_ bytes: [UInt8]) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(bytes))
}

/// A small HTTP server on 127.0.0.1 for the tests: it records each request and answers with what
/// `respond` says, one connection at a time.
final class TestHTTPServer: @unchecked Sendable {
    enum Answer {
        case status(Int)
        /// Read the request, then never answer (hold the connection until the server stops).
        case silence
    }

    struct Request {
        var method: String
        var path: String
        var body: [UInt8]
    }

    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var _requests: [Request] = []
    private var stopped = false
    private var held: [Int32] = []
    private let respond: @Sendable (Int) -> Answer

    /// `respond` receives the request's index (0 for the first).
    init(respond: @escaping @Sendable (Int) -> Answer) throws {
        self.respond = respond
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        try #require(listener >= 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(listener, p, length) == 0 && listen(listener, 16) == 0 ? getsockname(listener, p, &length) : -1
            }
        }
        try #require(rc == 0)
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var requests: [Request] { lock.withLock { _requests } }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() {
        lock.withLock {
            stopped = true
            for fd in held { close(fd) }
            held.removeAll()
        }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func serve() {
        while true {
            var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, 100)
            if lock.withLock({ stopped }) { break }
            guard ready > 0 else { continue }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { continue }
            guard let request = readRequest(fd) else {
                close(fd)
                continue
            }
            let index = lock.withLock {
                _requests.append(request)
                return _requests.count - 1
            }
            switch respond(index) {
            case .status(let code):
                let body = "{}"
                let text =
                    "HTTP/1.1 \(code) X\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                    + "Connection: close\r\n\r\n\(body)"
                _ = Array(text.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(fd)
            case .silence:
                lock.withLock { held.append(fd) }
            }
        }
        close(listener)
    }

    private func readRequest(_ fd: Int32) -> Request? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            data += buffer[..<n]
            guard let end = findHeaderEnd(data) else { continue }
            let head = String(decoding: data[..<end], as: UTF8.self)
            let lines = head.components(separatedBy: "\r\n")
            let first = lines[0].split(separator: " ")
            let length =
                lines.dropFirst().compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                    return Int(parts[1].trimmingCharacters(in: .whitespaces))
                }.first ?? 0
            if data.count - (end + 4) >= length {
                return Request(
                    method: String(first[0]), path: String(first[1]),
                    body: Array(data[(end + 4)..<(end + 4 + length)]))
            }
        }
    }

    private func findHeaderEnd(_ d: [UInt8]) -> Int? {
        guard d.count >= 4 else { return nil }
        for i in 0...(d.count - 4) where d[i] == 13 && d[i + 1] == 10 && d[i + 2] == 13 && d[i + 3] == 10 {
            return i
        }
        return nil
    }
}

/// Fast retries for tests.
func quickOptions(
    capacity: Int = 1000, attempts: Int = 4, attemptTimeout: Duration = .seconds(2), total: Duration = .seconds(10)
) -> NetworkExportOptions {
    NetworkExportOptions(
        queue: QueueSettings(
            capacity: capacity, attemptTimeout: attemptTimeout,
            retry: RetryPolicy(
                maxAttempts: attempts, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(200),
                maxTotal: total)))
}
