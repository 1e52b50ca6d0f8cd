import LoupeModel

@testable import LoupeFormat

/// Builds segment bytes by hand, for records and fields the writer would never produce.
enum FieldWriterProbe {
    static func body(of record: Record) -> [UInt8] {
        var writer = FieldWriter()
        writer.recordBody(record)
        return writer.contents
    }

    static func extraField(number: UInt32, payload: [UInt8]) -> [UInt8] {
        var writer = FieldWriter()
        writer.bytesAlways(number, payload)
        return writer.contents
    }

    /// One segment with one block holding the given (kind, body) frames, and no footer.
    static func segment(records: [(UInt32, [UInt8])]) -> [UInt8] {
        var bytes = SegmentHeader(host: testHost, sequence: 1, createdWallTime: 0).encoded()
        var block = FieldWriter()
        for (kind, body) in records {
            block.appendVarint(UInt64(kind))
            block.appendVarint(UInt64(body.count))
            block.appendBytes(body)
        }
        let blockBytes = block.contents
        let payload = blockBytes.withUnsafeBytes { ZstdCompressor(level: 3).compress($0) }
        let info = BlockInfo(
            offset: UInt64(bytes.count), flags: [], recordCount: UInt32(records.count),
            compressedSize: UInt32(payload.count), uncompressedSize: UInt32(blockBytes.count), minTime: 0,
            maxTime: .max, payloadChecksum: CRC32C.checksum(payload))
        bytes += info.encodedHeader() + payload
        return bytes
    }

    /// Recomputes the segment header's checksum after a test edited the header.
    static func refreshHeaderChecksum(_ bytes: inout [UInt8]) {
        let end = SegmentLayout.headerPrefixSize + Int(bytes.littleEndian(UInt32.self, at: 12))
        let checksum = CRC32C.checksum(bytes[0..<end])
        withUnsafeBytes(of: checksum.littleEndian) { raw in
            for (offset, byte) in raw.enumerated() { bytes[end + offset] = byte }
        }
    }
}
