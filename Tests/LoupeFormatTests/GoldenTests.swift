import LoupeFormat
import LoupeModel
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The bytes of one fixed segment are committed: any change to them is a format change and
/// must be deliberate (bump the version, update docs/format.md, regenerate with
/// `LOUPE_UPDATE_GOLDEN=1 swift test --filter GoldenTests`).
@Suite struct GoldenTests {
    static let goldenPath: String = {
        let file = #filePath
        return String(file[..<file.lastIndex(of: "/")!]) + "/Golden/segment-v1.loupe"
    }()

    static func goldenRecords() -> [Record] {
        var generator = RandomRecords(seed: 2026)
        return generator.oneOfEachKind()
    }

    static func writeGolden(to directory: String) throws -> [UInt8] {
        var options = CaptureWriterOptions()
        options.blockSize = 1024
        let snapshot: [Record] = [
            .processSnapshot(
                ProcessSnapshot(timestamp: 10, pid: 1, comm: "systemd", exepath: "/usr/lib/systemd/systemd"))
        ]
        try writeCapture(goldenRecords(), to: directory, options: options, snapshot: snapshot)
        return readFile(directory + "/seg-00000001.loupe")
    }

    @Test func segmentBytesMatchTheGoldenFile() throws {
        let directory = TemporaryDirectory("golden")
        let bytes = try Self.writeGolden(to: directory.path)
        if getenv("LOUPE_UPDATE_GOLDEN") != nil {
            writeFile(Self.goldenPath, bytes)
        }
        let golden = readFile(Self.goldenPath)
        try #require(!golden.isEmpty, "missing \(Self.goldenPath)")
        #expect(bytes == golden, "the segment encoding changed; see GoldenTests")
    }

    @Test func goldenFileDecodesToItsRecords() throws {
        let (records, report) = try readAll(Self.goldenPath)
        #expect(report.damage.isEmpty)
        #expect(records == Self.goldenRecords())
        let header = try CaptureReader(path: Self.goldenPath).firstHeader()
        #expect(header.host == testHost)
        #expect(header.major == 1 && header.minor == 1)
    }
}
