import LoupeModel

/// Reads tagged fields from a byte range of a decoded block.
///
/// Strings come back as slices of `storage`, so decoding a record copies no string bytes.
struct FieldReader {
    let storage: [UInt8]
    let pointer: UnsafeBufferPointer<UInt8>
    var offset: Int
    let end: Int

    /// A reader of `pointer[offset..<end]`; `pointer` must view `storage`'s bytes and stay
    /// valid while the reader is used.
    init(storage: [UInt8], pointer: UnsafeBufferPointer<UInt8>, offset: Int, end: Int) {
        self.storage = storage
        self.pointer = pointer
        self.offset = offset
        self.end = end
    }

    var isAtEnd: Bool { offset >= end }

    @inline(__always)
    mutating func varint() throws(DecodingError) -> UInt64 {
        // Fast path: most values (ids, flags, lengths) fit one byte.
        if offset < end, pointer[offset] < 0x80 {
            offset += 1
            return UInt64(pointer[offset - 1])
        }
        return try longVarint()
    }

    @inline(__always)
    private mutating func longVarint() throws(DecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else { throw .truncated }
            let byte = pointer[offset]
            offset += 1
            if shift == 63 && byte > 1 { throw .malformed("varint longer than 64 bits") }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw .malformed("varint longer than 10 bytes") }
        }
    }

    /// The next field's number and wire type, or nil at the end of the range.
    @inline(__always)
    mutating func nextField() throws(DecodingError) -> (number: UInt32, wireType: UInt8)? {
        guard offset < end else { return nil }
        // Fast path: one-byte tags cover fields 1 to 15.
        let first = pointer[offset]
        if first < 0x80 {
            offset += 1
            return (UInt32(first >> 3), first & 7)
        }
        let tag = try varint()
        guard tag >> 3 <= UInt64(UInt32.max) else { throw .malformed("field number too large") }
        return (UInt32(tag >> 3), UInt8(tag & 7))
    }

    @inline(__always)
    mutating func uint64(_ wireType: UInt8) throws(DecodingError) -> UInt64 {
        guard wireType == WireType.varint.rawValue else { throw .malformed("expected a varint field") }
        return try varint()
    }

    @inline(__always)
    mutating func uint32(_ wireType: UInt8) throws(DecodingError) -> UInt32 {
        let value = try uint64(wireType)
        guard value <= UInt64(UInt32.max) else { throw .malformed("value \(value) does not fit 32 bits") }
        return UInt32(value)
    }

    @inline(__always)
    mutating func uint16(_ wireType: UInt8) throws(DecodingError) -> UInt16 {
        let value = try uint64(wireType)
        guard value <= UInt64(UInt16.max) else { throw .malformed("value \(value) does not fit 16 bits") }
        return UInt16(value)
    }

    @inline(__always)
    mutating func uint8(_ wireType: UInt8) throws(DecodingError) -> UInt8 {
        let value = try uint64(wireType)
        guard value <= UInt64(UInt8.max) else { throw .malformed("value \(value) does not fit 8 bits") }
        return UInt8(value)
    }

    @inline(__always)
    mutating func int64(_ wireType: UInt8) throws(DecodingError) -> Int64 {
        let raw = try uint64(wireType)
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    @inline(__always)
    mutating func int32(_ wireType: UInt8) throws(DecodingError) -> Int32 {
        let value = try int64(wireType)
        guard let narrow = Int32(exactly: value) else { throw .malformed("value \(value) does not fit 32 bits") }
        return narrow
    }

    @inline(__always)
    mutating func bool(_ wireType: UInt8) throws(DecodingError) -> Bool {
        try uint64(wireType) != 0
    }

    /// The byte range of a length-delimited field.
    @inline(__always)
    mutating func lengthDelimited(_ wireType: UInt8) throws(DecodingError) -> Range<Int> {
        guard wireType == WireType.lengthDelimited.rawValue else {
            throw .malformed("expected a length-delimited field")
        }
        let length = try varint()
        guard length <= UInt64(end - offset) else { throw .truncated }
        let start = offset
        offset += Int(length)
        return start..<offset
    }

    @inline(__always)
    mutating func bytes(_ wireType: UInt8) throws(DecodingError) -> ByteString {
        let range = try lengthDelimited(wireType)
        if range.count <= 15 {
            return ByteString(
                copying: UnsafeRawPointer(pointer.baseAddress! + range.lowerBound), count: range.count,
                sixteenReadable: pointer.count - range.lowerBound >= 16)
        }
        return ByteString(sharing: storage, range: range)
    }

    mutating func string(_ wireType: UInt8) throws(DecodingError) -> String {
        let range = try lengthDelimited(wireType)
        return String(decoding: UnsafeBufferPointer(rebasing: pointer[range]), as: UTF8.self)
    }

    /// A reader of a nested message's fields.
    mutating func message(_ wireType: UInt8) throws(DecodingError) -> FieldReader {
        let range = try lengthDelimited(wireType)
        return FieldReader(storage: storage, pointer: pointer, offset: range.lowerBound, end: range.upperBound)
    }

    /// Skips a field this version does not know.
    mutating func skip(_ wireType: UInt8) throws(DecodingError) {
        switch wireType {
        case WireType.varint.rawValue:
            _ = try varint()
        case WireType.fixed64.rawValue:
            guard end - offset >= 8 else { throw .truncated }
            offset += 8
        case WireType.lengthDelimited.rawValue:
            _ = try lengthDelimited(wireType)
        case WireType.fixed32.rawValue:
            guard end - offset >= 4 else { throw .truncated }
            offset += 4
        default:
            throw .malformed("unknown wire type \(wireType)")
        }
    }
}
