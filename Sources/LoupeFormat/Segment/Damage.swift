/// Something wrong found in a segment file, where, and what it cost.
public struct Damage: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The file ends inside a header or block: a capture killed mid-write.
        case truncated
        /// A block's checksum does not match its bytes.
        case corruptBlock = "corrupt_block"
        /// Bytes that are not a block were skipped while looking for the next one.
        case unrecognizedBytes = "unrecognized_bytes"
        /// A block decompressed, but a record in it could not be decoded.
        case malformedRecord = "malformed_record"
        /// The segment header is unreadable, so the whole segment was skipped.
        case unreadableHeader = "unreadable_header"
        /// The footer index is damaged; blocks were found by scanning instead.
        case badIndex = "bad_index"
    }

    public var path: String
    public var offset: UInt64
    public var kind: Kind
    /// Bytes of the file that could not be used.
    public var lostBytes: UInt64
    /// Records known to be lost (from a block header), when known.
    public var lostRecords: UInt64
    public var detail: String

    public init(path: String, offset: UInt64, kind: Kind, lostBytes: UInt64, lostRecords: UInt64 = 0, detail: String) {
        self.path = path
        self.offset = offset
        self.kind = kind
        self.lostBytes = lostBytes
        self.lostRecords = lostRecords
        self.detail = detail
    }

    public var description: String {
        var text = "\(path): offset \(offset): \(kind.rawValue): \(detail)"
        if lostBytes > 0 { text += " (\(lostBytes) bytes lost" + (lostRecords > 0 ? ", \(lostRecords) records)" : ")") }
        return text
    }
}

/// A segment or capture that cannot be read at all.
public enum CaptureError: Error, CustomStringConvertible, Sendable {
    /// The segment was written by a newer major version of the format.
    case newerVersion(path: String, major: UInt16, minor: UInt16)
    /// The path holds no segment files.
    case noSegments(path: String)
    /// The file is not a Loupe segment.
    case notASegment(path: String, detail: String)

    public var description: String {
        switch self {
        case .newerVersion(let path, let major, let minor):
            "\(path): written in capture format \(major).\(minor), but this loupe reads format \(FormatVersion.major).x only; use a newer loupe to read it"
        case .noSegments(let path):
            "\(path): no capture segments (seg-*.loupe) found"
        case .notASegment(let path, let detail):
            "\(path): not a Loupe capture segment: \(detail)"
        }
    }
}
