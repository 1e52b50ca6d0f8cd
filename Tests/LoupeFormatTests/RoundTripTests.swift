import LoupeFormat
import LoupeModel
import TestSupport
import Testing

@Suite struct RoundTripTests {
    @Test(arguments: 1...40)
    func everyKindRoundTrips(seed: Int) throws {
        var generator = RandomRecords(seed: UInt64(seed))
        let records = (0..<8).flatMap { _ in generator.oneOfEachKind() }
        let directory = TemporaryDirectory("roundtrip")
        var options = CaptureWriterOptions()
        options.blockSize = 4096
        try writeCapture(records, to: directory.path, options: options)
        let (read, report) = try readAll(directory.path)
        #expect(report.damage.isEmpty)
        #expect(report.unknownKinds.isEmpty)
        #expect(read.count == records.count)
        for (index, (original, decoded)) in zip(records, read).enumerated() where original != decoded {
            Issue.record("record \(index) (\(original.kind.name)) differs:\n\(original)\n\(decoded)")
        }
    }

    @Test func snapshotOpensFirstSegmentAndIsDeliveredFirst() throws {
        var generator = RandomRecords(seed: 99)
        let snapshot: [Record] = [
            .containerSnapshot(ContainerStarted(timestamp: 5, container: generator.container())),
            .processSnapshot(ProcessSnapshot(timestamp: 5, pid: 1, comm: "init", exepath: "/sbin/init")),
        ]
        let directory = TemporaryDirectory("snapshot")
        try writeCapture(sequentialEvents(10), to: directory.path, snapshot: snapshot)
        var origins: [(Record, Bool)] = []
        try CaptureReader(path: directory.path).forEach { record, origin in origins.append((record, origin.isSnapshot))
        }
        #expect(origins.count == 12)
        #expect(origins.prefix(2).allSatisfy { $0.1 })
        #expect(origins.dropFirst(2).allSatisfy { !$0.1 })
        #expect(origins[1].0.kind == .processSnapshot)
    }

    @Test func unknownFieldsInKnownRecordsAreSkipped() throws {
        // A newer writer may add fields; this reader must decode what it knows and skip the rest.
        let original = sequentialEvents(1)[0]
        var body = FieldWriterProbe.body(of: original)
        body += FieldWriterProbe.extraField(number: 99, payload: Array("from the future".utf8))
        let segment = FieldWriterProbe.segment(records: [(original.kind.rawValue, body)])
        let directory = TemporaryDirectory("unknown-field")
        writeFile(directory.appending("seg-00000001.loupe"), segment)
        let (read, report) = try readAll(directory.path)
        #expect(report.damage.isEmpty)
        #expect(read == [original])
    }

    @Test func unknownRecordKindsAreSkippedAndCounted() throws {
        let events = sequentialEvents(3)
        let unknown: (UInt32, [UInt8]) = (200, FieldWriterProbe.extraField(number: 1, payload: [1, 2, 3]))
        let segment = FieldWriterProbe.segment(records: [
            (events[0].kind.rawValue, FieldWriterProbe.body(of: events[0])), unknown,
            (events[1].kind.rawValue, FieldWriterProbe.body(of: events[1])), unknown, unknown,
            (events[2].kind.rawValue, FieldWriterProbe.body(of: events[2])),
        ])
        let directory = TemporaryDirectory("unknown-kind")
        writeFile(directory.appending("seg-00000001.loupe"), segment)
        let (read, report) = try readAll(directory.path)
        #expect(read == events)
        #expect(report.unknownKinds == [200: 3])
        #expect(report.damage.isEmpty)
    }

    @Test func newerMajorVersionIsRefusedWithAClearMessage() throws {
        let directory = TemporaryDirectory("version")
        try writeCapture(sequentialEvents(5), to: directory.path)
        let path = try segmentFiles(directory.path)[0]
        var bytes = readFile(path)
        bytes[8] = 2  // major version, little-endian
        bytes[10] = 0  // minor version
        FieldWriterProbe.refreshHeaderChecksum(&bytes)
        writeFile(path, bytes)
        do {
            _ = try readAll(directory.path)
            Issue.record("a segment of format 2.0 was read")
        } catch let error as CaptureError {
            guard case .newerVersion(_, let major, _) = error else {
                Issue.record("wrong error: \(error)")
                return
            }
            #expect(major == 2)
            #expect(error.description.contains("format 2.0"))
            #expect(error.description.contains("seg-00000001.loupe"))
        }
    }

    @Test func newerMinorVersionIsRead() throws {
        let directory = TemporaryDirectory("minor")
        let records = sequentialEvents(5)
        try writeCapture(records, to: directory.path)
        let path = try segmentFiles(directory.path)[0]
        var bytes = readFile(path)
        bytes[10] = 7  // minor version
        FieldWriterProbe.refreshHeaderChecksum(&bytes)
        writeFile(path, bytes)
        #expect(try readAll(directory.path).0 == records)
    }

    @Test func timeRangeSelectsRecordsAndSkipsBlocks() throws {
        let records = sequentialEvents(2000)
        let directory = TemporaryDirectory("seek")
        var options = CaptureWriterOptions()
        options.blockSize = 4096
        try writeCapture(records, to: directory.path, options: options)
        let since = records[700].timestamp
        let until = records[1299].timestamp
        let (read, _) = try readAll(directory.path, options: ReadOptions(since: since, until: until, snapshots: .none))
        #expect(read == Array(records[700..<1300]))
        let kinds = try readAll(directory.path, options: ReadOptions(kinds: [.drop], snapshots: .none)).0
        #expect(kinds.isEmpty)
    }
}
