import Foundation
import Testing

@testable import LoupeExport

/// The kubescape HTTP exporter and the queue's delivery semantics, against a listener in the test.
@Suite struct HTTPExporterTests {
    @Test func runtimeAlertsArePostedInBatches() throws {
        let server = try TestHTTPServer { _ in .status(200) }
        defer { server.stop() }
        var options = quickOptions()
        options.httpBatchSize = 100
        let exporter = try Exporters.runtimeAlerts(url: server.url + "/alerts", options: options)
        let alerts = (0..<250).map { sampleAlert($0, tag: "batch") }
        exporter.send(alerts)
        let stats = exporter.close(timeout: .seconds(10))
        #expect(stats.sent == 250 && stats.failed == 0 && stats.dropped == 0 && stats.retried == 0)

        let requests = server.requests
        #expect(requests.count == 3)
        var seen: [String] = []
        for r in requests {
            #expect(r.method == "POST" && r.path == "/alerts")
            let object = try #require(try jsonObject(r.body) as? [String: Any])
            #expect(object["kind"] as? String == "RuntimeAlerts")
            #expect(object["apiVersion"] as? String == "kubescape.io/v1")
            let list = try #require((object["spec"] as? [String: Any])?["alerts"] as? [[String: Any]])
            #expect(list.count <= 100)
            for a in list {
                seen.append(try #require((a["BaseRuntimeMetadata"] as? [String: Any])?["uniqueID"] as? String))
            }
        }
        #expect(seen == alerts.map(\.uniqueID))
    }

    @Test func serverErrorsAreRetriedWithBackoff() throws {
        let server = try TestHTTPServer { $0 < 2 ? .status(503) : .status(200) }
        defer { server.stop() }
        let exporter = try Exporters.runtimeAlerts(url: server.url, options: quickOptions())
        exporter.send([sampleAlert(0, tag: "retry")])
        let stats = exporter.close(timeout: .seconds(10))
        #expect(stats.sent == 1 && stats.failed == 0 && stats.retried == 2)
        #expect(server.requests.count == 3)
    }

    @Test func persistentErrorsFailAfterTheLastAttempt() throws {
        let server = try TestHTTPServer { _ in .status(500) }
        defer { server.stop() }
        let exporter = try Exporters.runtimeAlerts(url: server.url, options: quickOptions(attempts: 3))
        exporter.send([sampleAlert(0, tag: "fail"), sampleAlert(1, tag: "fail")])
        let stats = exporter.close(timeout: .seconds(10))
        #expect(stats.sent == 0 && stats.failed == 2 && stats.retried == 2)
        #expect(stats.lastError?.contains("HTTP 500") == true)
        #expect(server.requests.count == 3)
    }

    @Test func clientErrorsAreNotRetried() throws {
        let server = try TestHTTPServer { _ in .status(400) }
        defer { server.stop() }
        let exporter = try Exporters.runtimeAlerts(url: server.url, options: quickOptions())
        exporter.send([sampleAlert(0, tag: "bad")])
        let stats = exporter.close(timeout: .seconds(10))
        #expect(stats.failed == 1 && stats.retried == 0)
        #expect(server.requests.count == 1)
    }

    @Test func refusedConnectionsFailAndAreCounted() throws {
        let port = try freePort()
        let exporter = try Exporters.runtimeAlerts(url: "http://127.0.0.1:\(port)", options: quickOptions(attempts: 2))
        exporter.send([sampleAlert(0, tag: "refused")])
        let stats = exporter.close(timeout: .seconds(10))
        #expect(stats.failed == 1 && stats.retried == 1)
        #expect(stats.lastError?.contains("connect") == true)
    }

    @Test func aSilentServerTimesOutWithoutBlockingTheCaller() throws {
        let server = try TestHTTPServer { _ in .silence }
        defer { server.stop() }
        let exporter = try Exporters.runtimeAlerts(
            url: server.url,
            options: quickOptions(attempts: 2, attemptTimeout: .milliseconds(300), total: .seconds(5)))
        let clock = ContinuousClock()
        let sendTime = clock.measure { exporter.send([sampleAlert(0, tag: "silent")]) }
        #expect(sendTime < .milliseconds(50))
        #expect(exporter.flush(timeout: .seconds(5)))
        let stats = exporter.statistics
        #expect(stats.failed == 1 && stats.retried == 1 && stats.sent == 0)
        #expect(stats.lastError?.contains("timed out") == true)
        exporter.close(timeout: .seconds(1))
    }

    @Test func closeIsBoundedAndCountsWhatIsLeftAsDropped() throws {
        let server = try TestHTTPServer { _ in .silence }
        defer { server.stop() }
        var options = quickOptions(attempts: 1, attemptTimeout: .seconds(30), total: .seconds(60))
        options.httpBatchSize = 1
        let exporter = try Exporters.runtimeAlerts(url: server.url, options: options)
        exporter.send((0..<5).map { sampleAlert($0, tag: "close") })
        let clock = ContinuousClock()
        var stats = ExportStatistics()
        let closeTime = clock.measure { stats = exporter.close(timeout: .milliseconds(300)) }
        #expect(closeTime < .seconds(2))
        // One alert is in flight (held by the silent server); the other four never left the queue.
        #expect(stats.dropped == 4 && stats.sent == 0)
        exporter.send([sampleAlert(9, tag: "close")])
        #expect(exporter.statistics.dropped == 5)
    }

    @Test func aFullQueueDropsAndCounts() throws {
        let server = try TestHTTPServer { _ in .silence }
        defer { server.stop() }
        var options = quickOptions(capacity: 10, attempts: 1, attemptTimeout: .seconds(30))
        options.httpBatchSize = 1
        let exporter = try Exporters.runtimeAlerts(url: server.url, options: options)
        exporter.send([sampleAlert(0, tag: "full")])
        // Wait until the worker holds the first alert, so the queue is empty again.
        _ = eventually { server.requests.count == 1 ? true : nil }
        let clock = ContinuousClock()
        let sendTime = clock.measure { exporter.send((1...25).map { sampleAlert($0, tag: "full") }) }
        #expect(sendTime < .milliseconds(50))
        #expect(exporter.statistics.dropped == 15)
        let stats = exporter.close(timeout: .milliseconds(200))
        #expect(stats.dropped == 25)
    }
}
