import Foundation
import Testing

@testable import LoupeExport

#if canImport(Glibc)
    import Glibc
#endif

/// Cases the real servers do not cover: a unix stream socket (rsyslog's imuxsock is datagram
/// only), fan-out, and building exporters from configuration.
@Suite struct LocalSocketTests {
    @Test func unixStreamSocketGetsNewlineTerminatedMessages() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/stream.sock"
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8) + [0])
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0 && listen(listener, 4) == 0)

        let tag = uniqueTag("us")
        let alerts = [sampleAlert(0, tag: tag), sampleAlert(1, tag: tag)]
        let exporter = try Exporters.make(.syslog(address: path, protocol: "unix"), options: quickOptions())
        exporter.send(alerts)

        var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        try #require(poll(&p, 1, 5000) == 1, "the exporter did not connect")
        let connection = accept(listener, nil, nil)
        try #require(connection >= 0)
        defer { close(connection) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while received.filter({ $0 == 0x0A }).count < 2 {
            var q = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            try #require(poll(&q, 1, 5000) == 1, "timed out reading the messages")
            let n = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            try #require(n > 0)
            received += buffer[..<n]
        }
        let expected: [UInt8] = alerts.flatMap { a -> [UInt8] in
            AlertEncoding.syslog(a, facility: 1, hostname: "", jsonBody: true) + [0x0A]
        }
        #expect(received == expected)
        #expect(exporter.close(timeout: .seconds(5)).sent == 2)
    }

    @Test func groupFansOutAndSumsStatistics() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try TestHTTPServer { _ in .status(200) }
        defer { server.stop() }
        let group = ExporterGroup([
            try Exporters.make(.file(path: "\(dir)/a.jsonl")),
            try Exporters.make(.csv(path: "\(dir)/a.csv")),
            try Exporters.make(.http(url: server.url), options: quickOptions()),
        ])
        group.send([sampleAlert(0, tag: "g"), sampleAlert(1, tag: "g")])
        let stats = group.close(timeout: .seconds(5))
        #expect(stats.sent == 6 && stats.failed == 0 && stats.dropped == 0)
        #expect(server.requests.count == 1)
        #expect(group.name.contains("csv \(dir)/a.csv"))
        let jsonl = try String(contentsOfFile: "\(dir)/a.jsonl", encoding: .utf8)
        #expect(jsonl.split(separator: "\n").count == 2)
    }

    @Test(arguments: [
        ExporterConfiguration.http(url: "https://example:443/"),
        .alertmanager(url: "localhost:9093"),
        .syslog(address: "nohost", protocol: "tcp"),
        .syslog(address: "127.0.0.1:514", protocol: "sctp"),
        .csv(path: "/nonexistent-dir/a.csv"),
    ])
    func badConfigurationsAreRefused(configuration: ExporterConfiguration) {
        #expect(throws: TransportError.self) { try Exporters.make(configuration) }
    }

    @Test func oversizedDatagramFailsWithoutRetrying() throws {
        let port = try freePort(udp: true)
        let exporter = Exporters.syslog(.udp(host: "127.0.0.1", port: port), options: quickOptions())
        exporter.send([sampleAlert(0, tag: "big", message: String(repeating: "x", count: 70_000))])
        let stats = exporter.close(timeout: .seconds(5))
        #expect(stats.failed == 1 && stats.retried == 0)
        #expect(stats.lastError?.contains("errno \(EMSGSIZE)") == true)
    }
}
