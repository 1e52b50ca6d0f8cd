import Foundation
import LoupeModel
import Testing

@testable import LoupeExport

/// Exporters against the real servers: Debian's prometheus-alertmanager and rsyslog, started and
/// stopped by each test through scripts/exporters/*.sh. A missing binary fails the test.
@Suite struct RealServerTests {
    @Test func alertmanagerReceivesAndListsTheAlerts() throws {
        let dir = try makeTemporaryDirectory()
        let port = try freePort()
        let server = try ScriptServer(script: "start-alertmanager.sh", arguments: [String(port), dir], directory: dir)
        defer { server.stop() }

        let tag = uniqueTag("am")
        let alerts = [
            sampleAlert(0, tag: tag), sampleAlert(1, tag: tag, context: .host),
            sampleAlert(2, tag: tag, context: .docker),
        ]
        let exporter = try Exporters.alertmanager(url: "http://127.0.0.1:\(port)/", options: quickOptions())
        exporter.send(alerts)
        let stats = exporter.close(timeout: .seconds(15))
        #expect(stats.sent == 3 && stats.failed == 0 && stats.dropped == 0, "\(stats)")

        // Query back, filtering by our labels.
        let filter = "unique_id=~\"\(tag)-.*\"".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let endpoint = try HTTPEndpoint(url: "http://127.0.0.1:\(port)/api/v2/alerts?filter=\(filter)")
        let found = try eventually { () -> [[String: Any]]? in
            let response = try HTTPClient().request("GET", endpoint)
            #expect(response.status == 200)
            let list = try jsonObject(response.body) as? [[String: Any]] ?? []
            return list.count == 3 ? list : nil
        }
        let list = try #require(found, "alertmanager did not list the 3 alerts")
        let byID = Dictionary(
            uniqueKeysWithValues: list.compactMap { a -> (String, [String: Any])? in
                guard let labels = a["labels"] as? [String: String], let id = labels["unique_id"] else { return nil }
                return (id, a)
            })
        for alert in alerts {
            let received = try #require(byID[alert.uniqueID])
            let labels = try #require(received["labels"] as? [String: String])
            let expected = Dictionary(
                uniqueKeysWithValues: AlertEncoding.alertmanagerLabels(alert).filter { !$0.1.isEmpty })
            #expect(labels == expected)
            let annotations = try #require(received["annotations"] as? [String: String])
            #expect(annotations["title"] == alert.alertName && annotations["message"] == alert.message)
            // Alertmanager keeps milliseconds.
            let startsAt = try #require(received["startsAt"] as? String)
            #expect(startsAt == String(alert.timestamp.prefix(23)) + "Z")
        }
    }

    @Test func rsyslogWritesWhatEachTransportSent() throws {
        let dir = try makeTemporaryDirectory()
        let udpPort = try freePort(udp: true)
        let tcpPort = try freePort()
        let server = try ScriptServer(
            script: "start-rsyslog.sh", arguments: [String(udpPort), String(tcpPort), dir], directory: dir)
        defer { server.stop() }

        let tag = uniqueTag("sl")
        let transports: [(String, SyslogTransport)] = [
            ("udp", .udp(host: "127.0.0.1", port: udpPort)),
            ("tcp", .tcp(host: "127.0.0.1", port: tcpPort)),
            ("unix", .unix(path: "\(dir)/log")),
        ]
        var expected: [String: (String, ExportedAlert)] = [:]
        for (index, (name, transport)) in transports.enumerated() {
            let exporter = Exporters.syslog(transport, options: quickOptions())
            var batch: [ExportedAlert] = []
            for j in 0..<3 {
                var a = sampleAlert(index * 10 + j, tag: "\(tag)\(name)")
                a.severity = [1, 5, 10][j]
                batch.append(a)
                expected[a.uniqueID] = (name, a)
            }
            exporter.send(batch)
            let stats = exporter.close(timeout: .seconds(10))
            #expect(stats.sent == 3 && stats.failed == 0, "\(name): \(stats)")
        }

        // PROTOCOL-VERSION|HOSTNAME|APP-NAME|MSGID|PRI|STRUCTURED-DATA|MSG, per start-rsyslog.sh.
        let lines = try #require(
            eventually { () -> [Substring]? in
                let text = (try? String(contentsOfFile: "\(dir)/messages", encoding: .utf8)) ?? ""
                let mine = text.split(separator: "\n").filter { $0.contains(tag) }
                return mine.count >= expected.count ? mine : nil
            }, "rsyslog did not write all \(expected.count) messages")
        #expect(lines.count == expected.count)
        for line in lines {
            let fields = line.split(separator: "|", maxSplits: 6, omittingEmptySubsequences: false)
            try #require(fields.count == 7, "unexpected line: \(line)")
            let sd = fields[5]
            let id = try #require(sd.firstMatch(of: /uniqueID="([^"]+)"/)?.1)
            let (name, alert) = try #require(expected[String(id)], "unknown alert in \(line)")
            #expect(fields[0] == "1", "\(name)")
            #expect(fields[2] == "loupe" && fields[3] == "R0001", "\(name)")
            #expect(fields[4] == "\(8 + AlertEncoding.syslogSeverity(alert.severity))", "\(name)")
            #expect(sd.hasPrefix("[loupe@32473 ruleName=\"Unexpected process launched\""), "\(name)")
            #expect(sd.contains("namespace=\"shop\"") && sd.contains("pid=\"\(alert.pid)\""), "\(name)")
            #expect(fields[6].trimmingCharacters(in: .whitespaces) == String(decoding: alert.json, as: UTF8.self))
            if name != "unix" { #expect(fields[1] == "node-a", "\(name)") }
            expected[String(id)] = nil
        }
        #expect(expected.isEmpty, "missing: \(expected.keys.sorted())")
    }

    @Test func tcpSyslogSurvivesAServerRestart() throws {
        let dir = try makeTemporaryDirectory()
        let udpPort = try freePort(udp: true)
        let tcpPort = try freePort()
        var server = try ScriptServer(
            script: "start-rsyslog.sh", arguments: [String(udpPort), String(tcpPort), dir], directory: dir)
        let tag = uniqueTag("re")
        let exporter = Exporters.syslog(.tcp(host: "127.0.0.1", port: tcpPort), options: quickOptions(attempts: 8))
        exporter.send([sampleAlert(0, tag: tag)])
        #expect(exporter.flush(timeout: .seconds(5)))
        #expect(waitForLine(containing: "\(tag)-0", in: "\(dir)/messages"), "the first message did not arrive")
        server.stop()
        #expect(!isRunning(server.pid))
        // Same ports, new server: the exporter's connection is now dead and must be replaced.
        let dir2 = try makeTemporaryDirectory()
        server = try ScriptServer(
            script: "start-rsyslog.sh", arguments: [String(udpPort), String(tcpPort), dir2], directory: dir2)
        defer { server.stop() }
        exporter.send([sampleAlert(1, tag: tag)])
        let stats = exporter.close(timeout: .seconds(10))
        #expect(stats.sent == 2 && stats.failed == 0, "\(stats)")
        #expect(
            waitForLine(containing: "\(tag)-1", in: "\(dir2)/messages"), "the message after the restart did not arrive")
    }

    private func waitForLine(containing text: String, in path: String) -> Bool {
        eventually { () -> Bool? in
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").contains(text) ? true : nil
        } ?? false
    }
}
