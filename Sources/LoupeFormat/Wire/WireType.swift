/// How a field's value is laid out after its tag.
///
/// A tag is the varint `fieldNumber << 3 | wireType`, as in Protocol Buffers, so a reader can
/// skip any field it does not know.
enum WireType: UInt8 {
    /// A LEB128 varint (integers, booleans, zigzag-encoded signed values).
    case varint = 0
    /// Eight little-endian bytes.
    case fixed64 = 1
    /// A varint length and that many bytes (strings, nested messages).
    case lengthDelimited = 2
    /// Four little-endian bytes.
    case fixed32 = 5
}

/// Why bytes could not be decoded.
public enum DecodingError: Error, Equatable, Sendable {
    /// The bytes ended inside a value.
    case truncated
    /// The bytes are not a valid encoding; the string says what was wrong.
    case malformed(String)
}
