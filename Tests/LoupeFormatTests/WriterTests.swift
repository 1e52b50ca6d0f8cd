import LoupeModel
import TestSupport
import Testing

@testable import LoupeFormat

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct WriterTests {
    @Test func filesArePrivate() throws {
        let directory = TemporaryDirectory("perm")
        let capture = directory.appending("nested/capture")
        try writeCapture(sequentialEvents(3), to: capture)
        var info = stat()
        #expect(stat(capture, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        for file in try segmentFiles(capture) {
            #expect(stat(file, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o600)
        }
    }

    @Test func existingDirectoryOpenToOthersIsRefused() throws {
        let directory = TemporaryDirectory("open")
        let capture = directory.appending("shared")
        #expect(mkdir(capture, 0o755) == 0)
        chmod(capture, 0o755)
        #expect(throws: SystemError.self) { try writeCapture(sequentialEvents(1), to: capture) }
    }

    @Test func rotationBySizeMakesSelfContainedSegments() throws {
        let directory = TemporaryDirectory("rotate")
        var options = CaptureWriterOptions()
        options.blockSize = 4096
        options.segmentMaxBytes = 8192
        let snapshot: [Record] = [.processSnapshot(ProcessSnapshot(timestamp: 1, pid: 1, comm: "init"))]
        let records = sequentialEvents(4000)
        let writer = try writeCapture(records, to: directory.path, options: options, snapshot: snapshot)
        let files = try segmentFiles(directory.path)
        #expect(files.count > 3)
        #expect(UInt64(files.count) == writer.statistics.segmentsOpened)
        // Every segment carries a snapshot with PID 1 and the worker processes seen so far.
        for file in files {
            var snapshotPids: Set<UInt32> = []
            try CaptureReader(path: file).forEach { record, origin in
                if origin.isSnapshot, case .processSnapshot(let process) = record { snapshotPids.insert(process.pid) }
            }
            #expect(snapshotPids.contains(1), "\(file) has no snapshot of PID 1")
            let reader = try SegmentReader(path: file)
            #expect(reader.hasIndex)
        }
        // Read as a directory, the data records come back once each, in order.
        #expect(try readAll(directory.path).0 == records)
        // Sequence numbers follow the file names.
        let sequences = try files.map { try SegmentReader(path: $0).header.sequence }
        #expect(sequences == Array(1...UInt64(files.count)))
    }

    @Test func retentionKeepsTheNewestSegments() throws {
        let directory = TemporaryDirectory("retain")
        var options = CaptureWriterOptions()
        options.blockSize = 4096
        options.segmentMaxBytes = 8192
        options.retainSegments = 3
        let records = sequentialEvents(6000)
        let writer = try writeCapture(records, to: directory.path, options: options)
        let files = try segmentFiles(directory.path)
        #expect(files.count == 3)
        #expect(writer.statistics.segmentsDeleted == writer.statistics.segmentsOpened - 3)
        #expect(files.last!.hasSuffix(SegmentName.fileName(sequence: writer.statistics.segmentsOpened)))
        // What is left still reads, and ends with the last record written.
        let (read, report) = try readAll(directory.path)
        #expect(report.damage.isEmpty)
        #expect(read.last == records.last)
        #expect(Array(records.suffix(read.count)) == read)
    }

    @Test func retentionByBytes() throws {
        let directory = TemporaryDirectory("retain-bytes")
        var options = CaptureWriterOptions()
        options.blockSize = 4096
        options.segmentMaxBytes = 8192
        options.retainBytes = 40_000
        try writeCapture(sequentialEvents(8000), to: directory.path, options: options)
        let total = try segmentFiles(directory.path).map { FileSystem.fileSize($0)! }.reduce(0, +)
        // The newest segment may be the one that passes the limit; older ones never remain beyond it.
        let files = try segmentFiles(directory.path)
        let withoutNewest = files.dropLast().map { FileSystem.fileSize($0)! }.reduce(0, +)
        #expect(withoutNewest <= 40_000)
        #expect(total > 0)
    }

    @Test func blockIsOnDiskWithinTheFlushInterval() throws {
        let directory = TemporaryDirectory("flush")
        let clock = ManualClock()
        let writer = try CaptureWriter(
            directory: directory.path, host: testHost, monotonicClock: { clock.now }, wallClock: { 0 })
        let events = sequentialEvents(2)
        try writer.append(events[0])
        clock.advance(seconds: 0.5)
        try writer.flushIfDue()
        #expect(try readAll(directory.path).0.isEmpty)
        clock.advance(seconds: 0.6)
        try writer.flushIfDue()
        // Without close(): a reader of the live segment sees the record, with no index yet.
        let (read, report) = try readAll(directory.path)
        #expect(read == [events[0]])
        #expect(report.damage.isEmpty)
        #expect(try !SegmentReader(path: writer.currentSegmentPath).hasIndex)
        try writer.append(events[1])
        try writer.close()
        #expect(try readAll(directory.path).0 == events)
    }

    @Test func rotationByAge() throws {
        let directory = TemporaryDirectory("age")
        let clock = ManualClock()
        var options = CaptureWriterOptions()
        options.segmentMaxAge = 60_000_000_000
        let writer = try CaptureWriter(
            directory: directory.path, host: testHost, options: options, monotonicClock: { clock.now },
            wallClock: { 0 })
        let events = sequentialEvents(30)
        for (index, event) in events.enumerated() {
            try writer.append(event)
            clock.advance(seconds: 10)
            if index % 3 == 0 { try writer.flushIfDue() }
        }
        try writer.close()
        #expect(try segmentFiles(directory.path).count >= 4)
        #expect(try readAll(directory.path).0 == events)
    }

    @Test func writingContinuesNumberingInAnExistingCapture() throws {
        let directory = TemporaryDirectory("continue")
        try writeCapture(sequentialEvents(5), to: directory.path)
        try writeCapture(sequentialEvents(5, start: 9_000_000_000), to: directory.path)
        let files = try segmentFiles(directory.path)
        #expect(files.map { String($0.split(separator: "/").last!) } == ["seg-00000001.loupe", "seg-00000002.loupe"])
    }

    @Test func syntheticCapturesAreByteIdentical() throws {
        func synth(_ directory: String) throws {
            var workload = SyntheticWorkload(seed: 42, events: 5000)
            let clock = workload.host.clock
            let writer = try CaptureWriter(
                directory: directory, host: workload.host, snapshot: workload.initialSnapshot, monotonicClock: { 0 },
                wallClock: { clock.wallTime })
            while let record = workload.next() { try writer.append(record) }
            try writer.close()
        }
        let first = TemporaryDirectory("synth-a")
        let second = TemporaryDirectory("synth-b")
        try synth(first.path)
        try synth(second.path)
        let a = try segmentFiles(first.path).map(readFile)
        let b = try segmentFiles(second.path).map(readFile)
        #expect(a == b)
        #expect(!a.isEmpty)
        var other = SyntheticWorkload(seed: 43, events: 100)
        var same = SyntheticWorkload(seed: 42, events: 100)
        var differs = false
        while let x = other.next(), let y = same.next() { differs = differs || x != y }
        #expect(differs)
    }
}
