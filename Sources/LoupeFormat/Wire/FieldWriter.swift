/// Appends tagged fields to a byte buffer.
///
/// Scalars equal to zero and empty strings are left out (a reader's default is zero), except
/// through the `always` variants used for optional values whose presence matters.
struct FieldWriter {
    var bytes: [UInt8]

    init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func appendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    @inline(__always)
    mutating func appendTag(_ field: UInt32, _ wireType: WireType) {
        appendVarint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    @inline(__always)
    mutating func uint(_ field: UInt32, _ value: UInt64) {
        guard value != 0 else { return }
        appendTag(field, .varint)
        appendVarint(value)
    }

    @inline(__always)
    mutating func uint(_ field: UInt32, _ value: UInt32) { uint(field, UInt64(value)) }

    @inline(__always)
    mutating func uint(_ field: UInt32, _ value: UInt16) { uint(field, UInt64(value)) }

    @inline(__always)
    mutating func uint(_ field: UInt32, _ value: UInt8) { uint(field, UInt64(value)) }

    /// An unsigned value written even when zero, for optionals.
    mutating func uintAlways(_ field: UInt32, _ value: UInt64) {
        appendTag(field, .varint)
        appendVarint(value)
    }

    @inline(__always)
    mutating func int(_ field: UInt32, _ value: Int64) {
        uint(field, UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inline(__always)
    mutating func int(_ field: UInt32, _ value: Int32) { int(field, Int64(value)) }

    /// A signed value written even when zero, for optionals.
    mutating func intAlways(_ field: UInt32, _ value: Int64) {
        uintAlways(field, UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inline(__always)
    mutating func bool(_ field: UInt32, _ value: Bool) {
        guard value else { return }
        appendTag(field, .varint)
        bytes.append(1)
    }

    @inline(__always)
    mutating func bytes(_ field: UInt32, _ value: ByteStringView) {
        guard !value.isEmpty else { return }
        bytesAlways(field, value)
    }

    /// A string written even when empty: elements of repeated fields keep their positions.
    @inline(__always)
    mutating func bytesAlways(_ field: UInt32, _ value: ByteStringView) {
        appendTag(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: UInt32, _ value: String) {
        guard !value.isEmpty else { return }
        appendTag(field, .lengthDelimited)
        appendVarint(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    /// A nested message: `body` appends its fields, the length is filled in afterwards.
    mutating func message(_ field: UInt32, _ body: (inout FieldWriter) -> Void) {
        appendTag(field, .lengthDelimited)
        withLengthPrefix(body)
    }

    /// Appends a varint length followed by what `body` appends.
    ///
    /// One byte is reserved for the length; a longer body shifts itself right by the extra
    /// length bytes, which is rare for records and cheap when it happens.
    @inline(__always)
    mutating func withLengthPrefix(_ body: (inout FieldWriter) -> Void) {
        let lengthAt = bytes.count
        bytes.append(0)
        body(&self)
        let length = bytes.count - lengthAt - 1
        if length < 0x80 {
            bytes[lengthAt] = UInt8(length)
            return
        }
        var prefix: [UInt8] = []
        var value = UInt64(length)
        while value >= 0x80 {
            prefix.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        prefix.append(UInt8(value))
        bytes.replaceSubrange(lengthAt..<lengthAt + 1, with: prefix)
    }
}

/// What `FieldWriter.bytes` accepts: bytes of a `ByteString` or of a `String`.
typealias ByteStringView = ArraySlice<UInt8>
