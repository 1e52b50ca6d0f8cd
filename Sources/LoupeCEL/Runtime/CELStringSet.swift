#if canImport(Glibc)
    import Glibc
#endif

/// An immutable open-addressing hash set of strings compared by UTF-8 bytes, for
/// `x in [string constants]`; a word-at-a-time hash beats `Hasher` on short keys.
final class CELStringSet: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<UInt8>
    /// Per slot: offset into storage (or -1 when empty) and length.
    private let offsets: [Int32]
    private let lengths: [Int32]
    private let mask: Int

    init(_ strings: [String]) {
        var capacity = 8
        while capacity < strings.count * 2 { capacity <<= 1 }
        mask = capacity - 1
        let total = strings.reduce(0) { $0 + $1.utf8.count }
        storage = .allocate(capacity: max(total, 1))
        var offsets = [Int32](repeating: -1, count: capacity)
        var lengths = [Int32](repeating: 0, count: capacity)
        var cursor = 0
        for s in strings {
            let bytes = Array(s.utf8)
            var slot = bytes.withUnsafeBufferPointer { Self.hash($0) } & (capacity - 1)
            while offsets[slot] >= 0 { slot = (slot + 1) & (capacity - 1) }
            offsets[slot] = Int32(cursor)
            lengths[slot] = Int32(bytes.count)
            for b in bytes {
                storage[cursor] = b
                cursor += 1
            }
        }
        self.offsets = offsets
        self.lengths = lengths
    }

    deinit { storage.deallocate() }

    /// A multiply-rotate hash reading eight bytes at a time, finished with MurmurHash3's
    /// 64-bit mixer so every input bit reaches the low bits the table indexes by.
    @inline(__always) private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = UInt64(truncatingIfNeeded: bytes.count) &* k
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            var i = 0
            while i + 8 <= bytes.count {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* k
                h = h << 31 | h >> 33
                i += 8
            }
            if i < bytes.count {
                var tail: UInt64 = 0
                var shift: UInt64 = 0
                while i < bytes.count {
                    tail |= UInt64(bytes[i]) << shift
                    shift += 8
                    i += 1
                }
                h = (h ^ tail) &* k
            }
        }
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }

    /// Whether the set holds `s` (by code points, no normalization).
    @inline(__always) func contains(_ s: String) -> Bool {
        if let r = s.utf8.withContiguousStorageIfAvailable({ contains($0) }) { return r }
        return Array(s.utf8).withUnsafeBufferPointer { contains($0) }
    }

    func contains(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var slot = Self.hash(bytes) & mask
        while true {
            let offset = offsets[slot]
            if offset < 0 { return false }
            if Int(lengths[slot]) == bytes.count
                && (bytes.count == 0 || CELStrings.bytesEqual(storage + Int(offset), bytes.baseAddress!, bytes.count))
            {
                return true
            }
            slot = (slot + 1) & mask
        }
    }
}
