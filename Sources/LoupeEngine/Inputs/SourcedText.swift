/// A string read from a file together with where it was written, so that a position inside it
/// (a CEL compile error's line and column) can be reported as a file position.
public struct SourcedText: Sendable {
    public var text: String
    /// Where the scalar starts (its quote or block indicator included).
    public var location: SourceLocation
    public var style: YAMLScalarStyle
    private var source: YAMLSource?
    private var end: SourceLocation?

    /// Text made in code, with no file behind it.
    public init(_ text: String, location: SourceLocation) {
        self.text = text
        self.location = location
        self.style = .plain
    }

    init(node: YAMLNode, path: String) throws(InputError) {
        let text = try node.string(path)
        let scalar = node.scalar!
        self.text = text
        self.location = node.location
        self.style = scalar.style
        self.source = node.source
        self.end = scalar.end
    }

    /// The file position of 1-based `line` and `column` inside `text`.
    ///
    /// Exact for single-line scalars and `|` blocks; for folded and multi-line flow scalars the
    /// text's lines are matched to the source lines they were folded from, which is exact unless
    /// the scalar uses escapes or more-indented lines.
    public func fileLocation(line: Int, column: Int) -> SourceLocation {
        guard let source, let end else { return location }
        let file = location.file
        switch style {
        case .literal, .folded:
            // Content starts on the line after the indicator, indented like its first non-blank
            // line; a literal block keeps every line, leading blank ones included.
            var firstContent = location.line + 1
            while firstContent <= end.line, source.line(firstContent).allSatisfy({ $0 == " " }) { firstContent += 1 }
            let indent = source.line(firstContent).prefix(while: { $0 == " " }).count
            if style == .literal {
                return SourceLocation(file: file, line: location.line + line, column: indent + column)
            }
            return foldedLocation(
                line: line, column: column, firstLine: firstContent, firstColumn: indent + 1, source: source)
        case .plain, .singleQuoted, .doubleQuoted:
            let opening = style == .plain ? 0 : 1
            if end.line == location.line {
                return SourceLocation(file: file, line: location.line, column: location.column + opening + column - 1)
            }
            return foldedLocation(
                line: line, column: column, firstLine: location.line, firstColumn: location.column + opening,
                source: source)
        }
    }

    /// Maps a position in folded text (source lines joined by spaces, blank lines as line breaks).
    private func foldedLocation(
        line: Int, column: Int, firstLine: Int, firstColumn: Int, source: YAMLSource
    ) -> SourceLocation {
        let file = location.file
        guard let end else { return location }
        // Walk the text's characters up to the target, moving through source lines in step.
        var textLine = 1
        var remaining = column - 1
        var sourceLine = firstLine
        let startColumn = firstColumn
        while sourceLine <= end.line {
            let raw = Array(source.line(sourceLine))
            let contentStart =
                sourceLine == firstLine ? startColumn - 1 : raw.prefix(while: { $0 == " " || $0 == "\t" }).count
            let content = raw.count > contentStart ? Array(raw[contentStart...]) : []
            let trimmed = content.count - content.reversed().prefix(while: { $0 == " " || $0 == "\t" }).count
            if content.isEmpty || trimmed == 0 {
                // A blank source line becomes a line break in the folded text.
                if sourceLine != firstLine { textLine += 1 }
                sourceLine += 1
                continue
            }
            if textLine == line && remaining <= trimmed {
                return SourceLocation(file: file, line: sourceLine, column: contentStart + 1 + remaining)
            }
            if textLine == line { remaining -= trimmed + 1 }
            sourceLine += 1
        }
        return location
    }
}
