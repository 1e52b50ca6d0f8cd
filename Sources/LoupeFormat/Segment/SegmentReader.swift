public import LoupeModel

/// One segment file, read whole, with its blocks located through the footer index or, when the
/// segment was cut off or the index is damaged, by scanning.
public final class SegmentReader {
    public let path: String
    public let header: SegmentHeader
    public let fileSize: UInt64
    /// Blocks in file order.
    public private(set) var blocks: [BlockInfo] = []
    /// Whether the footer index was present and valid.
    public private(set) var hasIndex = false
    /// Damage found while locating blocks; decoding adds more through `decode(_:)`.
    public private(set) var damage: [Damage] = []

    private let bytes: [UInt8]
    private let decompressor = ZstdDecompressor()

    /// Opens a segment and locates its blocks.
    ///
    /// - Throws: `CaptureError.newerVersion` for a newer major version, `notASegment` when the
    ///   file does not start with a readable segment header, or a `SystemError`.
    public init(path: String) throws {
        self.path = path
        let file = try OwnedFile(path: path, flags: 0 /* O_RDONLY */)
        let size = try file.size()
        self.fileSize = size
        self.bytes = try file.read(count: Int(size), at: 0)
        self.header = try Self.readHeader(bytes, path: path)
        let headerEnd = UInt64(SegmentLayout.headerPrefixSize + Int(bytes.littleEndian(UInt32.self, at: 12)) + 4)
        if !readIndex(after: headerEnd) {
            scanBlocks(from: headerEnd)
        }
    }

    private static func readHeader(_ bytes: [UInt8], path: String) throws -> SegmentHeader {
        let prefix = SegmentLayout.headerPrefixSize
        guard bytes.count >= prefix else {
            throw CaptureError.notASegment(
                path: path, detail: "file is \(bytes.count) bytes, shorter than a segment header")
        }
        guard bytes.prefix(8).elementsEqual(SegmentLayout.headerMagic) else {
            throw CaptureError.notASegment(path: path, detail: "missing LOUPESEG magic at offset 0")
        }
        let major = bytes.littleEndian(UInt16.self, at: 8)
        let minor = bytes.littleEndian(UInt16.self, at: 10)
        guard major <= FormatVersion.major else {
            throw CaptureError.newerVersion(path: path, major: major, minor: minor)
        }
        let bodyLength = Int(bytes.littleEndian(UInt32.self, at: 12))
        guard bodyLength <= SegmentLayout.maxHeaderBodyBytes else {
            throw CaptureError.notASegment(
                path: path, detail: "header length \(bodyLength) at offset 12 is implausible")
        }
        let end = prefix + bodyLength
        guard bytes.count >= end + 4 else {
            throw CaptureError.notASegment(
                path: path, detail: "file cut off inside the segment header (\(bytes.count) of \(end + 4) bytes)")
        }
        guard CRC32C.checksum(bytes[0..<end]) == bytes.littleEndian(UInt32.self, at: end) else {
            throw CaptureError.notASegment(path: path, detail: "segment header checksum mismatch at offset \(end)")
        }
        do {
            return try SegmentHeader.decode(major: major, minor: minor, body: Array(bytes[prefix..<end]))
        } catch {
            throw CaptureError.notASegment(path: path, detail: "segment header body: \(error)")
        }
    }

    /// Uses the footer index if the trailer, the index checksum and every block header agree.
    private func readIndex(after headerEnd: UInt64) -> Bool {
        let trailerSize = SegmentLayout.trailerSize
        guard bytes.count >= Int(headerEnd) + trailerSize,
            bytes.suffix(8).elementsEqual(SegmentLayout.trailerMagic)
        else { return false }
        let trailerAt = bytes.count - trailerSize
        let footerOffset = bytes.littleEndian(UInt64.self, at: trailerAt)
        let count = Int(bytes.littleEndian(UInt32.self, at: trailerAt + 8))
        let checksum = bytes.littleEndian(UInt32.self, at: trailerAt + 12)
        // Check the offset before converting it: a damaged trailer can hold any 64-bit value.
        guard footerOffset >= headerEnd, footerOffset <= UInt64(trailerAt - 8),
            Int(footerOffset) + 8 + count * SegmentLayout.indexEntrySize == trailerAt,
            bytes[Int(footerOffset)..<Int(footerOffset) + 4].elementsEqual(SegmentLayout.indexMagic),
            CRC32C.checksum(bytes[(Int(footerOffset) + 8)..<trailerAt]) == checksum
        else {
            damage.append(
                Damage(
                    path: path, offset: UInt64(trailerAt), kind: .badIndex, lostBytes: 0,
                    detail: "footer index unusable; blocks located by scanning"))
            return false
        }
        let entriesAt = Int(footerOffset) + 8
        var located: [BlockInfo] = []
        for entry in 0..<count {
            let offset = bytes.littleEndian(UInt64.self, at: entriesAt + entry * SegmentLayout.indexEntrySize)
            guard offset < footerOffset,
                let info = BlockInfo.parse(bytes[Int(offset)...], offset: offset), info.endOffset <= footerOffset
            else {
                damage.append(
                    Damage(
                        path: path, offset: offset, kind: .badIndex, lostBytes: 0,
                        detail: "index entry \(entry) does not point at a block; blocks located by scanning"))
                return false
            }
            located.append(info)
        }
        blocks = located
        hasIndex = true
        return true
    }

    /// Walks blocks from `start`; resynchronises on the next valid block header after garbage,
    /// and stops at the footer or at a block cut off by the end of the file.
    private func scanBlocks(from start: UInt64) {
        var offset = Int(start)
        let end = bytes.count
        while offset < end {
            if bytes[offset...].starts(with: SegmentLayout.indexMagic) {
                // A footer that readIndex could not use: cut off by a crash, or damaged.
                if !damage.contains(where: { $0.kind == .badIndex }) {
                    damage.append(
                        Damage(
                            path: path, offset: UInt64(offset), kind: .badIndex, lostBytes: 0,
                            detail: "footer index cut off or damaged; every block before it was read"))
                }
                return
            }
            guard end - offset >= SegmentLayout.blockHeaderSize else {
                damage.append(
                    Damage(
                        path: path, offset: UInt64(offset), kind: .truncated, lostBytes: UInt64(end - offset),
                        detail: "file ends inside a block header"))
                return
            }
            if let info = BlockInfo.parse(bytes[offset...], offset: UInt64(offset)) {
                guard Int(info.compressedSize) <= SegmentLayout.maxBlockBytes,
                    Int(info.uncompressedSize) <= SegmentLayout.maxBlockBytes
                else {
                    damage.append(
                        Damage(
                            path: path, offset: UInt64(offset), kind: .corruptBlock, lostBytes: 0,
                            detail: "block sizes out of range"))
                    offset = resync(after: offset)
                    continue
                }
                if info.endOffset > UInt64(end) {
                    damage.append(
                        Damage(
                            path: path, offset: UInt64(offset), kind: .truncated, lostBytes: UInt64(end - offset),
                            lostRecords: UInt64(info.recordCount),
                            detail: "file ends inside a block of \(info.recordCount) records"))
                    return
                }
                blocks.append(info)
                offset = Int(info.endOffset)
            } else {
                let next = resync(after: offset)
                damage.append(
                    Damage(
                        path: path, offset: UInt64(offset), kind: .unrecognizedBytes, lostBytes: UInt64(next - offset),
                        detail: "no valid block header; skipped to offset \(next)"))
                offset = next
            }
        }
    }

    /// The offset of the next valid block header or footer after `offset`, or the end of file.
    private func resync(after offset: Int) -> Int {
        var candidate = offset + 1
        while candidate + 4 <= bytes.count {
            if bytes[candidate] == UInt8(ascii: "L") {
                let window = bytes[candidate...]
                if window.starts(with: SegmentLayout.indexMagic) { return candidate }
                if window.starts(with: SegmentLayout.blockMagic),
                    BlockInfo.parse(window, offset: UInt64(candidate)) != nil
                {
                    return candidate
                }
            }
            candidate += 1
        }
        return bytes.count
    }

    /// Decompresses and decodes one block.
    ///
    /// Calls `body` for each record in order. Unknown record kinds are counted in `unknown`.
    /// A corrupt block is reported as damage and yields nothing; a malformed record is reported
    /// and skipped, and decoding continues with the next record.
    public func decode(
        _ block: BlockInfo, unknown: inout [UInt32: Int], damage report: inout [Damage],
        _ body: (Record) throws -> Void
    ) rethrows {
        try decode(block, with: decompressor, unknown: &unknown, damage: &report, body)
    }

    /// `decode(_:unknown:damage:_:)` through a caller's zstd context: threads decoding blocks of
    /// one segment at once (`CaptureStream`) each bring their own, since a context is not
    /// shareable and the rest of a reader is read-only once it is open.
    ///
    /// - Parameter skipping: record kinds below 64 whose bit is set are stepped over without
    ///   being decoded (so a malformed one goes unnoticed).
    func decode(
        _ block: BlockInfo, with decompressor: ZstdDecompressor, skipping: UInt64 = 0, unknown: inout [UInt32: Int],
        damage report: inout [Damage], _ body: (Record) throws -> Void
    ) rethrows {
        let payloadStart = Int(block.offset) + SegmentLayout.blockHeaderSize
        let payload = bytes[payloadStart..<payloadStart + Int(block.compressedSize)]
        guard CRC32C.checksum(payload) == block.payloadChecksum else {
            report.append(
                Damage(
                    path: path, offset: block.offset, kind: .corruptBlock,
                    lostBytes: UInt64(SegmentLayout.blockHeaderSize) + UInt64(block.compressedSize),
                    lostRecords: UInt64(block.recordCount), detail: "block checksum mismatch; block skipped"))
            return
        }
        let storage: [UInt8]
        switch decompressor.decompress(payload, expectedSize: Int(block.uncompressedSize)) {
        case .success(let bytes): storage = bytes
        case .failure(let error):
            report.append(
                Damage(
                    path: path, offset: block.offset, kind: .corruptBlock,
                    lostBytes: UInt64(block.compressedSize), lostRecords: UInt64(block.recordCount),
                    detail: "\(error); block skipped"))
            return
        }
        try storage.withUnsafeBufferPointer { pointer in
            var reader = FieldReader(storage: storage, pointer: pointer, offset: 0, end: storage.count)
            var index = 0
            while !reader.isAtEnd {
                let frameStart = reader.offset
                let kind: UInt64
                let frame: Range<Int>
                do {
                    kind = try reader.varint()
                    frame = try reader.lengthDelimited(WireType.lengthDelimited.rawValue)
                } catch {
                    report.append(
                        Damage(
                            path: path, offset: block.offset, kind: .malformedRecord,
                            lostBytes: UInt64(storage.count - frameStart),
                            lostRecords: UInt64(block.recordCount) - UInt64(index),
                            detail:
                                "record \(index) at block byte \(frameStart): bad framing (\(error)); rest of block skipped"
                        ))
                    return
                }
                if kind < 64 && skipping & (1 << kind) != 0 {
                    index += 1
                    continue
                }
                var fields = FieldReader(
                    storage: storage, pointer: pointer, offset: frame.lowerBound, end: frame.upperBound)
                // Events, nearly every record, are decoded straight into the call of `body`.
                if kind <= UInt64(UInt8.max), let type = EventType(rawValue: UInt8(kind)) {
                    let event: Event
                    do {
                        event = try fields.event(type)
                    } catch {
                        report.append(
                            malformed(block, index: index, kind: kind, frame: frame, start: frameStart, error))
                        index += 1
                        continue
                    }
                    try body(.event(event))
                } else {
                    let record: Record?
                    do {
                        record = kind <= UInt64(UInt32.max) ? try fields.recordBody(kind: UInt32(kind)) : nil
                    } catch {
                        report.append(
                            malformed(block, index: index, kind: kind, frame: frame, start: frameStart, error))
                        index += 1
                        continue
                    }
                    if let record {
                        try body(record)
                    } else {
                        unknown[UInt32(truncatingIfNeeded: kind), default: 0] += 1
                    }
                }
                index += 1
            }
        }
    }

    private func malformed(
        _ block: BlockInfo, index: Int, kind: UInt64, frame: Range<Int>, start: Int, _ error: any Error
    ) -> Damage {
        Damage(
            path: path, offset: block.offset, kind: .malformedRecord, lostBytes: UInt64(frame.count), lostRecords: 1,
            detail: "record \(index) (kind \(kind)) at block byte \(start): \(error); record skipped")
    }
}
