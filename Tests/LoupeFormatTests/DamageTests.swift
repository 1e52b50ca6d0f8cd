import LoupeModel
import TestSupport
import Testing

@testable import LoupeFormat

@Suite struct DamageTests {
    /// A small segment with several blocks and its records.
    private func smallSegment() throws -> (bytes: [UInt8], records: [Record], blocks: [BlockInfo]) {
        var generator = RandomRecords(seed: 7)
        let records = (0..<2).flatMap { _ in generator.oneOfEachKind() }
        let directory = TemporaryDirectory("small")
        var options = CaptureWriterOptions()
        options.blockSize = 1024
        try writeCapture(records, to: directory.path, options: options)
        let path = try segmentFiles(directory.path)[0]
        let blocks = try SegmentReader(path: path).blocks
        return (readFile(path), records, blocks)
    }

    @Test func segmentCutAtEveryByteReadsAPrefix() throws {
        let (bytes, records, blocks) = try smallSegment()
        #expect(blocks.count >= 3, "the test needs a segment of several blocks")
        let directory = TemporaryDirectory("cut")
        let path = directory.appending("seg-00000001.loupe")
        let headerEnd = Int(blocks[0].offset)
        for length in 0..<bytes.count {
            writeFile(path, Array(bytes[0..<length]))
            let read: [Record]
            let report: ReadReport
            do {
                (read, report) = try readAll(path)
            } catch let error as CaptureError {
                // Only a cut inside the segment header makes the segment unreadable.
                #expect(length < headerEnd, "cut at \(length): \(error)")
                continue
            }
            if !report.skippedSegments.isEmpty {
                // Only a cut inside the segment header makes the segment unreadable.
                #expect(length < headerEnd, "cut at \(length): \(report.skippedSegments)")
                #expect(read.isEmpty)
                continue
            }
            #expect(length >= headerEnd)
            #expect(Array(records.prefix(read.count)) == read, "cut at \(length): not a prefix")
            // Every block that ends before the cut comes back whole.
            let whole = blocks.filter { $0.endOffset <= UInt64(length) }.reduce(0) { $0 + Int($1.recordCount) }
            #expect(read.count == whole, "cut at \(length): \(read.count) records, \(whole) expected")
            let atBoundary = blocks.contains { $0.endOffset == UInt64(length) } || length == headerEnd
            if !atBoundary {
                #expect(!report.damage.isEmpty, "cut at \(length) inside a block went unreported")
                #expect(report.damage.allSatisfy { $0.kind == .truncated || $0.kind == .badIndex })
            }
        }
    }

    @Test func flippedPayloadBitIsCaughtAndOnlyThatBlockIsLost() throws {
        let (bytes, records, blocks) = try smallSegment()
        let directory = TemporaryDirectory("flip")
        let path = directory.appending("seg-00000001.loupe")
        var recordStart = 0
        for (blockIndex, block) in blocks.enumerated() {
            defer { recordStart += Int(block.recordCount) }
            let payloadStart = Int(block.offset) + SegmentLayout.blockHeaderSize
            for probe in stride(from: payloadStart, to: payloadStart + Int(block.compressedSize), by: 97) {
                var damaged = bytes
                damaged[probe] ^= 0x10
                writeFile(path, damaged)
                let (read, report) = try readAll(path)
                #expect(report.damage.count == 1, "flip at \(probe)")
                #expect(report.damage.first?.kind == .corruptBlock)
                #expect(report.damage.first?.offset == block.offset)
                var expected = records
                expected.removeSubrange(recordStart..<recordStart + Int(block.recordCount))
                #expect(read == expected, "flip at \(probe) in block \(blockIndex)")
            }
        }
    }

    @Test func flippedHeaderBitIsCaughtAndReadingResumesAtTheNextBlock() throws {
        let (bytes, records, blocks) = try smallSegment()
        let directory = TemporaryDirectory("flip-header")
        let path = directory.appending("seg-00000001.loupe")
        let victim = blocks[1]
        for probe in Int(victim.offset)..<Int(victim.offset) + SegmentLayout.blockHeaderSize {
            var damaged = bytes
            damaged[probe] ^= 0x01
            writeFile(path, damaged)
            let (read, report) = try readAll(path)
            let lostStart = Int(blocks[0].recordCount)
            var expected = records
            expected.removeSubrange(lostStart..<lostStart + Int(victim.recordCount))
            #expect(read == expected, "flip at header byte \(probe - Int(victim.offset))")
            #expect(report.damage.contains { $0.kind == .unrecognizedBytes && $0.offset == victim.offset })
        }
    }

    @Test func damagedSegmentHeaderSkipsOnlyThatSegment() throws {
        let directory = TemporaryDirectory("bad-header")
        var options = CaptureWriterOptions()
        options.blockSize = 4096
        options.segmentMaxBytes = 4096
        let records = sequentialEvents(3000)
        try writeCapture(records, to: directory.path, options: options)
        let files = try segmentFiles(directory.path)
        #expect(files.count >= 3)
        var bytes = readFile(files[1])
        bytes[20] ^= 0xff
        writeFile(files[1], bytes)
        var report = ReadReport()
        var count = 0
        report = try CaptureReader(path: directory.path).forEach(ReadOptions(snapshots: .none)) { _, _ in count += 1 }
        #expect(report.skippedSegments.count == 1)
        #expect(report.skippedSegments[0].contains("seg-00000002.loupe"))
        #expect(count > 0 && count < records.count)
    }
}
