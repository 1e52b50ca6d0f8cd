import Foundation
import LoupeModel
import Testing

@testable import LoupeExport

@Suite struct EncodingTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""),
        ("cr\rhere", "\"cr\rhere\""),
        ("", ""),
    ])
    func csvQuotesPerRFC4180(field: String, expected: String) {
        let row = AlertEncoding.csvRow([field, "x"])
        #expect(String(decoding: row, as: UTF8.self) == expected + ",x\r\n")
    }

    @Test func csvRowHasEveryColumnInOrder() throws {
        let a = sampleAlert(3, tag: "csv", message: "opened \"/etc/shadow\", then left")
        let text = String(decoding: AlertEncoding.csvHeader + AlertEncoding.csv([a]), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.count == 3 && lines[2].isEmpty)
        #expect(
            lines[0]
                == "timestamp,ruleID,alertName,severity,context,namespace,podName,containerName,containerID,"
                + "hostname,nodeName,pid,ppid,comm,pcomm,uid,gid,uniqueID,message")
        #expect(
            lines[1]
                == "2026-05-28T20:26:40.123456792Z,R0001,Unexpected process launched,5,kubernetes,shop,"
                + "web-7d9f8b6c5d-x2k4p,web,c0ffee3,node-a,node-a,1003,1,curl,sh,1000,1000,csv-3,"
                + "\"opened \"\"/etc/shadow\"\", then left\"")
    }

    @Test func runtimeAlertListWrapsTheAlertObjectsVerbatim() throws {
        let alerts = [sampleAlert(0, tag: "rt"), sampleAlert(1, tag: "rt")]
        let body = AlertEncoding.runtimeAlertList(alerts)
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.hasPrefix(#"{"kind":"RuntimeAlerts","apiVersion":"kubescape.io/v1","spec":{"alerts":[{"#))
        #expect(text.contains(String(decoding: alerts[1].json, as: UTF8.self)))
        let object = try #require(try jsonObject(body) as? [String: Any])
        let spec = try #require(object["spec"] as? [String: Any])
        #expect((spec["alerts"] as? [Any])?.count == 2)
    }

    @Test func alertmanagerPayloadCarriesKubescapeLabels() throws {
        let a = sampleAlert(7, tag: "am")
        let list = try #require(try jsonObject(AlertEncoding.alertmanager([a])) as? [[String: Any]])
        let labels = try #require(list.first?["labels"] as? [String: String])
        #expect(labels["alertname"] == "KubescapeRuleViolated")
        #expect(labels["rule_name"] == "Unexpected process launched")
        #expect(labels["rule_id"] == "R0001")
        #expect(labels["container_id"] == "c0ffee7")
        #expect(labels["container_name"] == "web")
        #expect(labels["namespace"] == "shop")
        #expect(labels["pod_name"] == "web-7d9f8b6c5d-x2k4p")
        #expect(labels["host"] == "node-a")
        #expect(labels["node_name"] == "node-a")
        #expect(labels["severity"] == "medium")
        #expect(labels["pid"] == "1007" && labels["ppid"] == "1")
        #expect(labels["comm"] == "curl" && labels["pcomm"] == "sh")
        #expect(labels["uid"] == "1000" && labels["gid"] == "1000")
        let annotations = try #require(list.first?["annotations"] as? [String: String])
        #expect(Set(annotations.keys) == ["title", "summary", "message", "description"])
        #expect(annotations["message"] == a.message)
        #expect(list.first?["startsAt"] as? String == "2026-05-28T20:26:40.123456796Z")
        #expect(list.first?["generatorURL"] as? String == "")
    }

    @Test func syslogMessageFollowsRFC5424() {
        var a = sampleAlert(1, tag: "sys")
        a.severity = 10
        a.comm = "we\"ird]\\"
        let text = String(decoding: AlertEncoding.syslog(a, facility: 1, hostname: "", jsonBody: true), as: UTF8.self)
        // facility user (1) * 8 + critical (2)
        #expect(text.hasPrefix("<10>1 2026-05-28T20:26:40.123456Z node-a loupe - R0001 [loupe@32473 "))
        #expect(text.contains(#" comm="we\"ird\]\\""#))
        #expect(text.hasSuffix("] " + String(decoding: a.json, as: UTF8.self)))
        let plain = AlertEncoding.syslog(a, facility: 16, hostname: "my host", jsonBody: false)
        #expect(String(decoding: plain, as: UTF8.self).hasPrefix("<130>1 2026-05-28T20:26:40.123456Z myhost loupe"))
        #expect(String(decoding: plain, as: UTF8.self).hasSuffix("] " + a.message))
    }

    @Test(arguments: [(0, 6), (1, 5), (4, 5), (5, 4), (7, 4), (8, 3), (9, 3), (10, 2), (15, 2)])
    func syslogSeverityFromAlertSeverity(severity: Int64, expected: Int) {
        #expect(AlertEncoding.syslogSeverity(severity) == expected)
    }

    @Test func endpointParsing() throws {
        let e = try HTTPEndpoint(url: "http://127.0.0.1:9093/base/")
        #expect(e.host == "127.0.0.1" && e.port == 9093 && e.path == "/base/")
        let v6 = try HTTPEndpoint(url: "http://[::1]:8080")
        #expect(v6.host == "::1" && v6.port == 8080 && v6.path == "/")
        #expect(try HTTPEndpoint(url: "http://example").port == 80)
        #expect(throws: TransportError.self) { try HTTPEndpoint(url: "https://example") }
        #expect(throws: TransportError.self) { try HTTPEndpoint(url: "http://h:0/") }
        #expect(throws: TransportError.self) { try HTTPEndpoint(url: "ftp://h/") }
    }

    @Test func syslogTransportParsing() throws {
        #expect(try SyslogTransport(protocol: "udp", address: "127.0.0.1:514") == .udp(host: "127.0.0.1", port: 514))
        #expect(try SyslogTransport(protocol: "tcp", address: "[::1]:601") == .tcp(host: "::1", port: 601))
        #expect(try SyslogTransport(protocol: "unix", address: "/dev/log") == .unix(path: "/dev/log"))
        #expect(throws: TransportError.self) { try SyslogTransport(protocol: "udp", address: "nohost") }
        #expect(throws: TransportError.self) { try SyslogTransport(protocol: "sctp", address: "h:1") }
    }

    static let responses: [(String, Int, String)] = [
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, "hello"),
        ("HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 503, "abcde"),
        ("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close", 200, "until close"),
        ("HTTP/1.1 204 No Content\r\n\r\n", 204, ""),
    ]

    @Test(arguments: responses)
    func responseParserWholeAndDripFed(raw: String, status: Int, body: String) throws {
        var whole = HTTPResponseParser()
        let bytes = Array(raw.utf8)
        let once = try whole.feed(bytes, atEnd: false) ?? whole.feed([], atEnd: true)
        #expect(once == HTTPResponse(status: status, body: Array(body.utf8)))
        var drip = HTTPResponseParser()
        var result: HTTPResponse?
        for b in bytes where result == nil { result = try drip.feed([b], atEnd: false) }
        if result == nil { result = try drip.feed([], atEnd: true) }
        #expect(result == once)
    }

    @Test func responseParserRejectsGarbage() {
        var p = HTTPResponseParser()
        #expect(throws: TransportError.self) { try p.feed(Array("SSH-2.0-OpenSSH\r\n\r\n".utf8), atEnd: false) }
        var q = HTTPResponseParser()
        #expect(throws: TransportError.self) { try q.feed(Array("HTTP/1.1 200 OK\r\nContent-Le".utf8), atEnd: true) }
    }

    @Test func retryBackoffDoublesUpToTheCap() {
        let p = RetryPolicy(initialBackoff: .milliseconds(100), maxBackoff: .milliseconds(500))
        #expect((1...5).map { p.backoff(after: $0) } == [100, 200, 400, 500, 500].map { Duration.milliseconds($0) })
    }
}

@Test func statisticsAsPrometheusLines() {
    var s = ExportStatistics()
    s.sent = 3
    s.failed = 1
    s.retried = 2
    s.dropped = 4
    #expect(
        s.prometheusLines(exporter: #"http "x""#)
            == """
            loupe_export_alerts_total{exporter="http \\"x\\"",outcome="sent"} 3
            loupe_export_alerts_total{exporter="http \\"x\\"",outcome="failed"} 1
            loupe_export_alerts_total{exporter="http \\"x\\"",outcome="dropped"} 4
            loupe_export_retries_total{exporter="http \\"x\\""} 2

            """)
    #expect((s + s).sent == 6)
}
