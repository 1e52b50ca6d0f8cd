/// An error found while compiling an expression: where it is and what is wrong.
///
/// Its description follows cel-go: `ERROR: <input>:LINE:COL: message`, then the source line and a
/// caret under the column.
public struct CELCompileError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Byte offset into the source.
    public var offset: Int
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in characters.
    public var column: Int
    /// The text of the offending line.
    public var sourceLine: String

    /// Builds an error at `offset` of `source`; line and column are computed here, only when an
    /// error is reported.
    public init(_ message: String, offset: Int, source: [UInt8]) {
        self.message = message
        let offset = max(0, min(offset, source.count))
        self.offset = offset
        var line = 1
        var lineStart = 0
        for i in 0..<offset where source[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        var lineEnd = lineStart
        while lineEnd < source.count && source[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
        let prefix = source[lineStart..<offset]
        // Columns count characters, not bytes: skip UTF-8 continuation bytes.
        self.column = prefix.reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
        self.line = line
        self.sourceLine = String(decoding: source[lineStart..<lineEnd], as: UTF8.self)
    }

    public var description: String {
        let caret = String(repeating: ".", count: column - 1) + "^"
        return "ERROR: <input>:\(line):\(column): \(message)\n | \(sourceLine)\n | \(caret)"
    }
}

/// Several compile errors; the parser reports the first, the checker may report more.
public struct CELCompileErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [CELCompileError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
