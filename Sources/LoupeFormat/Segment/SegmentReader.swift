public import LoupeModel

/// One segment file, with its blocks located through the footer index or, when the segment was
/// cut off or the index is damaged, by scanning.
///
/// With a usable index only the header, the index and the block headers are read when the segment
/// is opened, and each block's bytes when it is decoded: memory does not grow with the segment
/// size. A segment that has to be scanned is read whole.
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

    private let file: OwnedFile
    /// The whole file, only when its blocks had to be located by scanning; empty otherwise.
    private var bytes: [UInt8] = []
    private let decompressor = ZstdDecompressor()

    /// Opens a segment and locates its blocks.
    ///
    /// - Throws: `CaptureError.newerVersion` for a newer major version, `notASegment` when the
    ///   file does not start with a readable segment header, or a `SystemError`.
    public init(path: String) throws {
        self.path = path
        let file = try OwnedFile(path: path, flags: 0 /* O_RDONLY */)
        let size = try file.size()
        self.file = file
        self.fileSize = size
        let prefix = SegmentLayout.headerPrefixSize
        var head = try file.read(count: Int(min(size, UInt64(prefix))), at: 0)
        if head.count == prefix {
            // The whole header when its length is plausible; readHeader judges the rest.
            let body = Int(head.littleEndian(UInt32.self, at: 12))
            if body <= SegmentLayout.maxHeaderBodyBytes {
                head = try file.read(count: Int(min(size, UInt64(prefix + body + 4))), at: 0)
            }
        }
        self.header = try Self.readHeader(head, path: path)
        let headerEnd = UInt64(prefix + Int(head.littleEndian(UInt32.self, at: 12)) + 4)
        if !readIndex(after: headerEnd) {
            bytes = try file.read(count: Int(size), at: 0)
            scanBlocks(from: headerEnd)
        }
    }

    /// - Parameter bytes: the file's first bytes: the whole header, or the whole file when it is
    ///   shorter.
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
    /// Reads only the trailer, the index and the block headers; a read that fails counts as an
    /// unusable index (the scan that follows reads the whole file and reports what it cannot).
    private func readIndex(after headerEnd: UInt64) -> Bool {
        let trailerSize = SegmentLayout.trailerSize
        guard fileSize >= headerEnd + UInt64(trailerSize),
            let trailer = try? file.read(count: trailerSize, at: fileSize - UInt64(trailerSize)),
            trailer.count == trailerSize, trailer.suffix(8).elementsEqual(SegmentLayout.trailerMagic)
        else { return false }
        let trailerAt = fileSize - UInt64(trailerSize)
        let footerOffset = trailer.littleEndian(UInt64.self, at: 0)
        let count = Int(trailer.littleEndian(UInt32.self, at: 8))
        let checksum = trailer.littleEndian(UInt32.self, at: 12)
        // Check the offset before converting it: a damaged trailer can hold any 64-bit value.
        guard footerOffset >= headerEnd, footerOffset <= trailerAt - 8,
            footerOffset + 8 + UInt64(count) * UInt64(SegmentLayout.indexEntrySize) == trailerAt,
            let footer = try? file.read(count: Int(trailerAt - footerOffset), at: footerOffset),
            footer.count == Int(trailerAt - footerOffset), footer.prefix(4).elementsEqual(SegmentLayout.indexMagic),
            CRC32C.checksum(footer[8...]) == checksum
        else {
            damage.append(
                Damage(
                    path: path, offset: trailerAt, kind: .badIndex, lostBytes: 0,
                    detail: "footer index unusable; blocks located by scanning"))
            return false
        }
        var located: [BlockInfo] = []
        for entry in 0..<count {
            let offset = footer.littleEndian(UInt64.self, at: 8 + entry * SegmentLayout.indexEntrySize)
            guard offset < footerOffset, footerOffset - offset >= UInt64(SegmentLayout.blockHeaderSize),
                let blockHeader = try? file.read(count: SegmentLayout.blockHeaderSize, at: offset),
                let info = BlockInfo.parse(blockHeader[...], offset: offset), info.endOffset <= footerOffset
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
        let payload: ArraySlice<UInt8>
        if bytes.isEmpty {
            // Located through the index: read just this block (pread; safe from several threads).
            let read: [UInt8]
            do {
                read = try file.read(count: Int(block.compressedSize), at: UInt64(payloadStart))
            } catch {
                report.append(skipped(block, .corruptBlock, "\(error)"))
                return
            }
            guard read.count == Int(block.compressedSize) else {
                report.append(skipped(block, .truncated, "file shortened since it was opened"))
                return
            }
            payload = read[...]
        } else {
            payload = bytes[payloadStart..<payloadStart + Int(block.compressedSize)]
        }
        guard CRC32C.checksum(payload) == block.payloadChecksum else {
            report.append(skipped(block, .corruptBlock, "block checksum mismatch"))
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

    /// A whole block lost: its header and payload, and every record in it.
    private func skipped(_ block: BlockInfo, _ kind: Damage.Kind, _ why: String) -> Damage {
        Damage(
            path: path, offset: block.offset, kind: kind,
            lostBytes: UInt64(SegmentLayout.blockHeaderSize) + UInt64(block.compressedSize),
            lostRecords: UInt64(block.recordCount), detail: "\(why); block skipped")
    }

    private func malformed(
        _ block: BlockInfo, index: Int, kind: UInt64, frame: Range<Int>, start: Int, _ error: any Error
    ) -> Damage {
        Damage(
            path: path, offset: block.offset, kind: .malformedRecord, lostBytes: UInt64(frame.count), lostRecords: 1,
            detail: "record \(index) (kind \(kind)) at block byte \(start): \(error); record skipped")
    }
}
