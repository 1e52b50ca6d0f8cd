import Foundation
import Testing

@testable import LoupeExport

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct FileExporterTests {
    @Test func jsonLinesFileIsPrivateAndAppends() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/alerts.jsonl"
        let first = try Exporters.make(.file(path: path))
        first.send([sampleAlert(0, tag: "f"), sampleAlert(1, tag: "f")])
        #expect(first.close(timeout: .seconds(1)).sent == 2)
        let second = try Exporters.make(.file(path: path))
        second.send([sampleAlert(2, tag: "f")])
        let stats = second.close(timeout: .seconds(1))
        #expect(stats.sent == 1 && stats.failed == 0 && stats.dropped == 0)

        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        for (i, line) in lines.enumerated() {
            #expect(line == Substring(String(decoding: sampleAlert(i, tag: "f").json, as: UTF8.self)))
        }
        // Sends after close are dropped, not written.
        second.send([sampleAlert(3, tag: "f")])
        #expect(second.statistics.dropped == 1)
    }

    @Test func csvFileGetsOneHeader() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/alerts.csv"
        for i in 0..<2 {
            let e = try Exporters.make(.csv(path: path))
            e.send([sampleAlert(i, tag: "c")])
            e.close(timeout: .seconds(1))
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected =
            AlertEncoding.csvHeader + AlertEncoding.csv([sampleAlert(0, tag: "c"), sampleAlert(1, tag: "c")])
        #expect(Array(text.utf8) == expected)
    }

    @Test func concurrentSendersNeverInterleaveLines() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/alerts.jsonl"
        let exporter = try Exporters.make(.file(path: path))
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for i in 0..<50 {
                exporter.send([
                    sampleAlert(worker * 1000 + i, tag: "mt"), sampleAlert(worker * 1000 + i + 500, tag: "mt"),
                ])
            }
        }
        #expect(exporter.close(timeout: .seconds(1)).sent == 800)
        var expected = Set<String>()
        for w in 0..<8 {
            for i in 0..<50 {
                for n in [w * 1000 + i, w * 1000 + i + 500] {
                    expected.insert(String(decoding: sampleAlert(n, tag: "mt").json, as: UTF8.self))
                }
            }
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 800 && Set(lines) == expected)
    }

    @Test func unwritableFileIsAnError() {
        #expect(throws: TransportError.self) { try Exporters.make(.file(path: "/nonexistent-dir/x.jsonl")) }
    }
}
