/// Writes compact JSON into a byte buffer, keys in the order the caller emits them.
///
/// Output is deterministic by construction: no dictionaries, no floating-point formatting
/// beyond integers, and strings escaped the same way every time (control characters as
/// `\u00XX`, invalid UTF-8 replaced by U+FFFD).
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Whether the next value in the current container needs a comma before it.
    private var needsComma = false

    public init() { bytes.reserveCapacity(512) }

    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    // MARK: Containers

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"name":`; the next value call supplies the value.
    public mutating func key(_ name: String) {
        separate()
        writeQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    // MARK: Values

    public mutating func value(_ text: String) {
        separate()
        writeQuoted(text)
        needsComma = true
    }

    public mutating func value(_ text: ByteString) {
        separate()
        text.withUnsafeBytes { writeQuoted($0) }
        needsComma = true
    }

    public mutating func value<T: BinaryInteger>(_ number: T) {
        separate()
        bytes.append(contentsOf: String(number).utf8)
        needsComma = true
    }

    public mutating func value(_ flag: Bool) {
        separate()
        bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        needsComma = true
    }

    /// A double, printed with Swift's shortest round-tripping form.
    public mutating func value(_ number: Double) {
        separate()
        if number.isFinite {
            bytes.append(contentsOf: number.description.utf8)
        } else {
            bytes.append(contentsOf: "null".utf8)
        }
        needsComma = true
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    /// Inserts already-encoded JSON as one value.
    public mutating func raw(_ json: some Sequence<UInt8>) {
        separate()
        bytes.append(contentsOf: json)
        needsComma = true
    }

    // MARK: Conveniences

    public mutating func field(_ name: String, _ text: String) {
        key(name)
        value(text)
    }

    public mutating func field(_ name: String, _ text: ByteString) {
        key(name)
        value(text)
    }

    public mutating func field<T: BinaryInteger>(_ name: String, _ number: T) {
        key(name)
        value(number)
    }

    public mutating func field(_ name: String, _ flag: Bool) {
        key(name)
        value(flag)
    }

    public mutating func field(_ name: String, strings: [ByteString]) {
        key(name)
        beginArray()
        for item in strings { value(item) }
        endArray()
    }

    public mutating func field(_ name: String, strings: [String]) {
        key(name)
        beginArray()
        for item in strings { value(item) }
        endArray()
    }

    // MARK: Encoding

    @inline(__always)
    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func writeQuoted(_ text: String) {
        var text = text
        text.withUTF8 { writeQuoted(UnsafeRawBufferPointer($0)) }
    }

    /// Writes `raw` as a JSON string: runs of plain ASCII are copied whole, control characters
    /// and quotes escaped, valid UTF-8 sequences kept, invalid ones replaced by U+FFFD.
    private mutating func writeQuoted(_ raw: UnsafeRawBufferPointer) {
        bytes.append(UInt8(ascii: "\""))
        var index = 0
        let count = raw.count
        while index < count {
            let byte = raw[index]
            if Self.isPlain(byte) {
                var end = index + 1
                while end < count, Self.isPlain(raw[end]) { end += 1 }
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[index..<end]))
                index = end
            } else if byte < 0x80 {
                appendEscaped(Unicode.Scalar(byte))
                index += 1
            } else {
                var iterator = raw[index...].makeIterator()
                var parser = Unicode.UTF8.ForwardParser()
                switch parser.parseScalar(from: &iterator) {
                case .valid(let encoded):
                    bytes.append(contentsOf: encoded)
                    index += encoded.count
                case .error(let length):
                    bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    index += max(length, 1)
                case .emptyInput:
                    index = count
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func isPlain(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7F && byte != 0x22 && byte != 0x5C
    }

    @inline(__always)
    private mutating func appendEscaped(_ scalar: Unicode.Scalar) {
        switch scalar.value {
        case 0x22: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
        case 0x5C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
        case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
        case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
        case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
        default:
            let value = Int(scalar.value)
            bytes += [
                UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                Self.hexDigits[value >> 4], Self.hexDigits[value & 0xF],
            ]
        }
    }
}
