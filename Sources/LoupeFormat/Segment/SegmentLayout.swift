public import LoupeModel

/// The format version this build writes; it reads any 1.x and refuses newer majors.
public enum FormatVersion {
    public static let major: UInt16 = 1
    public static let minor: UInt16 = 1
}

/// Fixed-size parts of a segment file. All integers are little-endian.
///
/// ```
/// segment  := header block* footer?
/// header   := "LOUPESEG" major:u16 minor:u16 bodyLength:u32 body[bodyLength] crc:u32
/// block    := blockHeader payload[compressedSize]          (payload: one zstd frame)
/// footer   := "LIDX" count:u32 entry[count] trailer
/// entry    := offset:u64 recordCount:u32 flags:u32 minTime:u64 maxTime:u64
/// trailer  := footerOffset:u64 count:u32 crc:u32 "LOUPEEND"
/// ```
enum SegmentLayout {
    static let headerMagic: [UInt8] = Array("LOUPESEG".utf8)
    static let blockMagic: [UInt8] = Array("LBLK".utf8)
    static let indexMagic: [UInt8] = Array("LIDX".utf8)
    static let trailerMagic: [UInt8] = Array("LOUPEEND".utf8)

    /// Magic, versions and body length before the header body.
    static let headerPrefixSize = 16
    static let blockHeaderSize = 44
    static let indexEntrySize = 32
    static let trailerSize = 24

    /// Largest block payload a reader accepts, so a damaged length cannot ask for gigabytes.
    static let maxBlockBytes = 64 << 20
    /// Largest header body a reader accepts.
    static let maxHeaderBodyBytes = 1 << 20
}

/// The header every segment starts with: who wrote it, on which host, and when.
public struct SegmentHeader: Hashable, Sendable {
    public var major: UInt16
    public var minor: UInt16
    public var host: HostInfo
    /// The segment's number in its capture, from 1.
    public var sequence: UInt64
    /// Wall-clock ns since the epoch when the segment was opened.
    public var createdWallTime: Int64

    public init(
        major: UInt16 = FormatVersion.major, minor: UInt16 = FormatVersion.minor, host: HostInfo,
        sequence: UInt64, createdWallTime: Int64
    ) {
        self.major = major
        self.minor = minor
        self.host = host
        self.sequence = sequence
        self.createdWallTime = createdWallTime
    }
}

/// Flags of a block.
public struct BlockFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The block holds the segment's opening state snapshot.
    public static let snapshot = BlockFlags(rawValue: 1)
}

/// What a block header says about its block.
///
/// ```
///  0       4     5      6        8        12         16           20        28        36          40         44
///  +-------+-----+------+--------+--------+----------+------------+---------+---------+-----------+----------+
///  | LBLK  |flags|codec |reserved| records|compressed|uncompressed| minTime | maxTime |payload crc|header crc|
///  +-------+-----+------+--------+--------+----------+------------+---------+---------+-----------+----------+
/// ```
/// `codec` is 1 for zstd. The header CRC covers bytes 0..<40; the payload CRC covers the
/// compressed bytes that follow.
public struct BlockInfo: Hashable, Sendable {
    /// Offset of the block header in its segment file.
    public var offset: UInt64
    public var flags: BlockFlags
    public var recordCount: UInt32
    public var compressedSize: UInt32
    public var uncompressedSize: UInt32
    public var minTime: UInt64
    public var maxTime: UInt64
    public var payloadChecksum: UInt32

    public var isSnapshot: Bool { flags.contains(.snapshot) }
    public var endOffset: UInt64 { offset + UInt64(SegmentLayout.blockHeaderSize) + UInt64(compressedSize) }

    static let zstdCodec: UInt8 = 1

    func encodedHeader() -> [UInt8] {
        var bytes = SegmentLayout.blockMagic
        bytes.reserveCapacity(SegmentLayout.blockHeaderSize)
        bytes.append(flags.rawValue)
        bytes.append(Self.zstdCodec)
        bytes.appendLittleEndian(UInt16(0))
        bytes.appendLittleEndian(recordCount)
        bytes.appendLittleEndian(compressedSize)
        bytes.appendLittleEndian(uncompressedSize)
        bytes.appendLittleEndian(minTime)
        bytes.appendLittleEndian(maxTime)
        bytes.appendLittleEndian(payloadChecksum)
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        return bytes
    }

    /// Parses a block header; nil when the magic or the header checksum does not match.
    static func parse(_ bytes: ArraySlice<UInt8>, offset: UInt64) -> BlockInfo? {
        guard bytes.count >= SegmentLayout.blockHeaderSize,
            bytes.prefix(4).elementsEqual(SegmentLayout.blockMagic)
        else { return nil }
        let base = bytes.startIndex
        guard CRC32C.checksum(bytes[base..<base + 40]) == bytes.littleEndian(UInt32.self, at: base + 40),
            bytes[base + 5] == zstdCodec
        else { return nil }
        return BlockInfo(
            offset: offset,
            flags: BlockFlags(rawValue: bytes[base + 4]),
            recordCount: bytes.littleEndian(UInt32.self, at: base + 8),
            compressedSize: bytes.littleEndian(UInt32.self, at: base + 12),
            uncompressedSize: bytes.littleEndian(UInt32.self, at: base + 16),
            minTime: bytes.littleEndian(UInt64.self, at: base + 20),
            maxTime: bytes.littleEndian(UInt64.self, at: base + 28),
            payloadChecksum: bytes.littleEndian(UInt32.self, at: base + 36))
    }

    func encodedIndexEntry() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(SegmentLayout.indexEntrySize)
        bytes.appendLittleEndian(offset)
        bytes.appendLittleEndian(recordCount)
        bytes.appendLittleEndian(UInt32(flags.rawValue))
        bytes.appendLittleEndian(minTime)
        bytes.appendLittleEndian(maxTime)
        return bytes
    }
}

extension SegmentHeader {
    /// The header's bytes, checksum included.
    func encoded() -> [UInt8] {
        var body = FieldWriter()
        body.string(1, host.hostname)
        body.string(2, host.nodeName)
        body.string(3, host.kernelRelease)
        body.string(4, host.bootID)
        body.uint(5, host.hostMntns)
        body.uint(6, host.clock.bootTime)
        body.int(7, host.clock.wallTime)
        for option in host.captureOptions { body.label(8, option) }
        body.uint(16, sequence)
        body.int(17, createdWallTime)

        var bytes = SegmentLayout.headerMagic
        bytes.appendLittleEndian(major)
        bytes.appendLittleEndian(minor)
        let bodyBytes = body.contents
        bytes.appendLittleEndian(UInt32(bodyBytes.count))
        bytes.append(contentsOf: bodyBytes)
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        return bytes
    }

    /// Decodes the body of a header whose prefix and checksum were already checked.
    static func decode(major: UInt16, minor: UInt16, body: [UInt8]) throws(DecodingError) -> SegmentHeader {
        var host = HostInfo(hostname: "", hostMntns: 0, clock: ClockAnchor(bootTime: 0, wallTime: 0))
        var sequence: UInt64 = 0
        var created: Int64 = 0
        try body.withUnsafeBufferPointer { (pointer) throws(DecodingError) in
            var reader = FieldReader(storage: body, pointer: pointer, offset: 0, end: body.count)
            while let (field, wire) = try reader.nextField() {
                switch field {
                case 1: host.hostname = try reader.string(wire)
                case 2: host.nodeName = try reader.string(wire)
                case 3: host.kernelRelease = try reader.string(wire)
                case 4: host.bootID = try reader.string(wire)
                case 5: host.hostMntns = try reader.uint64(wire)
                case 6: host.clock.bootTime = try reader.uint64(wire)
                case 7: host.clock.wallTime = try reader.int64(wire)
                case 8:
                    var nested = try reader.message(wire)
                    host.captureOptions.append(try nested.label())
                case 16: sequence = try reader.uint64(wire)
                case 17: created = try reader.int64(wire)
                default: try reader.skip(wire)
                }
            }
        }
        return SegmentHeader(major: major, minor: minor, host: host, sequence: sequence, createdWallTime: created)
    }
}

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

extension Collection where Element == UInt8, Index == Int {
    /// The little-endian integer at `index`; the caller has checked the bounds.
    @inline(__always)
    func littleEndian<T: FixedWidthInteger>(_ type: T.Type, at index: Int) -> T {
        var value: T = 0
        for byte in 0..<MemoryLayout<T>.size {
            value |= T(self[index + byte]) << (8 * byte)
        }
        return value
    }
}
