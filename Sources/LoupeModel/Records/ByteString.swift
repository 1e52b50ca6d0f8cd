/// Bytes as the kernel gave them: paths, command names and arguments need not be UTF-8.
///
/// Up to 15 bytes (every `comm`, most short names) are stored inline; longer strings share the
/// decoded block's buffer as a range of it, so decoding copies no long string and takes no
/// reference for short ones. Holding a long one keeps its block alive. Conversion to `String`
/// happens at the edge (JSON, CEL) and repairs invalid UTF-8 with U+FFFD.
public struct ByteString: Hashable, Sendable, Comparable {
    /// The shared buffer of a long string; nil for an inline one.
    @usableFromInline var storage: [UInt8]?
    /// Inline: bytes 0-7. Shared: the start offset in `storage`.
    @usableFromInline var word0: UInt64
    /// Inline: bytes 8-14, and the length in the top byte. Shared: the end offset.
    @usableFromInline var word1: UInt64

    @usableFromInline static let inlineCapacity = 15

    /// The bytes of `range` of `storage`: copied inline when short, shared when long.
    @inlinable
    public init(storage: [UInt8], range: Range<Int>) {
        if range.count <= Self.inlineCapacity {
            self.storage = nil
            var words: (UInt64, UInt64) = (0, 0)
            Swift.withUnsafeMutableBytes(of: &words) { target in
                storage.withUnsafeBytes { source in
                    target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[range]))
                }
            }
            word0 = UInt64(littleEndian: words.0)
            word1 = UInt64(littleEndian: words.1) | UInt64(range.count) << 56
        } else {
            self.storage = storage
            word0 = UInt64(range.lowerBound)
            word1 = UInt64(range.upperBound)
        }
    }

    /// An inline copy of `count` (at most 15) bytes at `source`.
    ///
    /// - Parameter sixteenReadable: at least 16 bytes may be read at `source`, which allows
    ///   two word loads instead of a byte loop.
    @inlinable @inline(__always)
    public init(copying source: UnsafeRawPointer, count: Int, sixteenReadable: Bool) {
        var low: UInt64 = 0
        var high: UInt64 = 0
        if sixteenReadable {
            low = UInt64(littleEndian: source.loadUnaligned(as: UInt64.self))
            high = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            if count < 8 {
                low &= (1 << UInt64(8 * count)) &- 1
                high = 0
            } else {
                high &= (1 << UInt64(8 * (count - 8))) &- 1
            }
        } else {
            for index in 0..<count {
                let byte = UInt64(source.load(fromByteOffset: index, as: UInt8.self))
                if index < 8 { low |= byte << UInt64(8 * index) } else { high |= byte << UInt64(8 * (index - 8)) }
            }
        }
        storage = nil
        word0 = low
        word1 = high | UInt64(count) << 56
    }

    /// A view of `range` of `storage` that shares the buffer, for decoders that already know
    /// the string is too long to store inline (either form compares and hashes the same).
    @inlinable @inline(__always)
    public init(sharing storage: [UInt8], range: Range<Int>) {
        self.storage = storage
        word0 = UInt64(range.lowerBound)
        word1 = UInt64(range.upperBound)
    }

    public init(_ bytes: [UInt8]) { self.init(storage: bytes, range: 0..<bytes.count) }
    public init(_ bytes: ArraySlice<UInt8>) { self.init(Array(bytes)) }
    public init(_ string: String) { self.init(Array(string.utf8)) }
    public init() {
        storage = nil
        word0 = 0
        word1 = 0
    }

    public static let empty = ByteString()

    @inlinable
    public var count: Int { storage == nil ? Int(word1 >> 56) : Int(word1 - word0) }

    @inlinable
    public var isEmpty: Bool { count == 0 }

    /// Calls `body` with the bytes in contiguous memory.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let storage {
            return try storage.withUnsafeBytes { raw in
                try body(UnsafeRawBufferPointer(rebasing: raw[Int(word0)..<Int(word1)]))
            }
        }
        var words = (word0.littleEndian, word1.littleEndian)
        let length = Int(word1 >> 56)
        return try Swift.withUnsafeBytes(of: &words) { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[0..<length]))
        }
    }

    /// A copy of the bytes.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The bytes as text, with invalid UTF-8 replaced by U+FFFD.
    public var string: String {
        withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    @inlinable
    public static func == (lhs: ByteString, rhs: ByteString) -> Bool {
        // Two inline strings are equal exactly when their words are: bytes past the length are zero.
        if lhs.storage == nil && rhs.storage == nil { return lhs.word0 == rhs.word0 && lhs.word1 == rhs.word1 }
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { left in rhs.withUnsafeBytes { right in left.elementsEqual(right) } }
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func < (lhs: ByteString, rhs: ByteString) -> Bool {
        lhs.withUnsafeBytes { left in rhs.withUnsafeBytes { right in left.lexicographicallyPrecedes(right) } }
    }

    /// Whether the bytes start with `prefix`.
    public func hasPrefix(_ prefix: ByteString) -> Bool {
        withUnsafeBytes { whole in prefix.withUnsafeBytes { start in whole.starts(with: start) } }
    }
}

extension ByteString: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(value) }
}

extension ByteString: CustomStringConvertible {
    public var description: String { string }
}
