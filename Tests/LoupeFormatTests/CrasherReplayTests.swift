import LoupeFormat
import TestSupport
import Testing

/// Inputs that once crashed the reader under the fuzzer (fuzz/reader/run.sh); each must now be
/// read or refused without trapping.
@Suite struct CrasherReplayTests {
    static let crashers: [String] = {
        let file = #filePath
        let root = String(file[..<file.firstRange(of: "/Tests/")!.lowerBound])
        let directory = root + "/fuzz/reader/crashers"
        return ((try? FileSystem.contents(of: directory)) ?? []).map { directory + "/" + $0 }
    }()

    @Test func crashersDirectoryIsPresent() {
        #expect(!Self.crashers.isEmpty)
    }

    @Test(arguments: crashers)
    func crasherIsHandled(path: String) throws {
        let directory = TemporaryDirectory("crasher")
        let segment = directory.appending("seg-00000001.loupe")
        writeFile(segment, readFile(path))
        // The property is that this returns at all (no trap); reading twice must also give
        // the same outcome, since nothing about a read depends on anything but the bytes.
        func outcome() -> String {
            do {
                var count = 0
                let report = try CaptureReader(path: directory.path).forEach(ReadOptions(snapshots: .all)) { _, _ in
                    count += 1
                }
                return "\(count) records, damage \(report.damage), skipped \(report.skippedSegments)"
            } catch {
                return "refused: \(error)"
            }
        }
        #expect(outcome() == outcome())
    }
}
