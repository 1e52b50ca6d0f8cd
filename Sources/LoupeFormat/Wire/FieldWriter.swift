import LoupeModel

/// Appends tagged fields to a growable byte buffer written through one raw pointer.
///
/// Each write checks capacity once and stores bytes directly, with none of an array's
/// uniqueness checks per byte. Scalars equal to zero and empty strings are left out (a
/// reader's default is zero), except through the `always` variants used for optional values
/// whose presence matters.
struct FieldWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written so far.
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// A copy of the bytes written (for tests and small buffers).
    var contents: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Calls `body` with the bytes written.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Forgets the bytes written, keeping the memory.
    mutating func removeAll() { count = 0 }

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func appendVarint(_ value: UInt64) {
        reserve(10)
        var value = value
        while value >= 0x80 {
            base[count] = UInt8(truncatingIfNeeded: value) | 0x80
            count += 1
            value >>= 7
        }
        base[count] = UInt8(value)
        count += 1
    }

    @inline(__always)
    mutating func appendByte(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserve(bytes.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func appendBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { appendBytes($0) }
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
        appendByte(1)
    }

    @inline(__always)
    mutating func bytes(_ field: UInt32, _ value: ByteString) {
        guard !value.isEmpty else { return }
        bytesAlways(field, value)
    }

    /// A string written even when empty: elements of repeated fields keep their positions.
    @inline(__always)
    mutating func bytesAlways(_ field: UInt32, _ value: ByteString) {
        appendTag(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        value.withUnsafeBytes { appendBytes($0) }
    }

    mutating func bytesAlways(_ field: UInt32, _ value: [UInt8]) {
        appendTag(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        appendBytes(value)
    }

    mutating func string(_ field: UInt32, _ value: String) {
        guard !value.isEmpty else { return }
        var value = value
        value.withUTF8 { utf8 in
            appendTag(field, .lengthDelimited)
            appendVarint(UInt64(utf8.count))
            appendBytes(UnsafeRawBufferPointer(utf8))
        }
    }

    /// A nested message: `body` appends its fields, the length is filled in afterwards.
    mutating func message(_ field: UInt32, _ body: (inout FieldWriter) -> Void) {
        appendTag(field, .lengthDelimited)
        withLengthPrefix(body)
    }

    /// Appends a varint length followed by what `body` appends.
    ///
    /// One byte is reserved for the length; a body of 128 bytes or more moves right by the
    /// extra length bytes, which is rare for records and cheap when it happens.
    @inline(__always)
    mutating func withLengthPrefix(_ body: (inout FieldWriter) -> Void) {
        reserve(1)
        let lengthAt = count
        count += 1
        body(&self)
        let length = count - lengthAt - 1
        if length < 0x80 {
            base[lengthAt] = UInt8(length)
            return
        }
        var extra = 0
        var probe = length >> 7
        while probe > 0 {
            extra += 1
            probe >>= 7
        }
        reserve(extra)
        (base + lengthAt + 1 + extra).update(from: base + lengthAt + 1, count: length)
        var value = length
        var at = lengthAt
        while value >= 0x80 {
            base[at] = UInt8(truncatingIfNeeded: value) | 0x80
            at += 1
            value >>= 7
        }
        base[at] = UInt8(value)
        count += extra
    }
}
