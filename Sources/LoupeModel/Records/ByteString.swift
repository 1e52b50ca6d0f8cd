/// Bytes as the kernel gave them: paths, command names and arguments need not be UTF-8.
///
/// Decoded records slice one shared block buffer instead of copying each string, so holding a
/// `ByteString` keeps its block alive. Conversion to `String` happens at the edge (JSON, CEL)
/// and repairs invalid UTF-8 with U+FFFD.
public struct ByteString: Hashable, Sendable, Comparable {
    public var bytes: ArraySlice<UInt8>

    public init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }
    public init(_ bytes: [UInt8]) { self.bytes = bytes[...] }
    public init(_ string: String) { self.bytes = Array(string.utf8)[...] }
    public init() { self.bytes = [] }

    public static let empty = ByteString()

    public var isEmpty: Bool { bytes.isEmpty }
    public var count: Int { bytes.count }

    /// The bytes as text, with invalid UTF-8 replaced by U+FFFD.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public static func == (lhs: ByteString, rhs: ByteString) -> Bool {
        lhs.bytes.elementsEqual(rhs.bytes)
    }

    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func < (lhs: ByteString, rhs: ByteString) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// Whether the bytes start with `prefix`.
    public func hasPrefix(_ prefix: ByteString) -> Bool {
        bytes.starts(with: prefix.bytes)
    }
}

extension ByteString: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(value) }
}

extension ByteString: CustomStringConvertible {
    public var description: String { string }
}
