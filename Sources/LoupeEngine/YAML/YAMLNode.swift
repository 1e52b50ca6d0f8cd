/// A position in an input file: 1-based line and column (columns count characters).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it (or `<input>` for in-memory text).
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:col`, the prefix of every input diagnostic.
    public var description: String { "\(file):\(line):\(column)" }
}

/// How a scalar was written; it decides whether `true` is a boolean or a string.
public enum YAMLScalarStyle: Sendable, Hashable {
    case plain
    case singleQuoted
    case doubleQuoted
    /// `|` block.
    case literal
    /// `>` block.
    case folded
}

/// What a scalar resolves to under the YAML 1.2 core schema (plus explicit `!!` tags).
public enum YAMLScalarValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
}

/// A scalar node: its text as written, how it was written, and its resolved value.
public struct YAMLScalar: Sendable {
    /// The scalar's content after unquoting and folding.
    public var text: String
    public var style: YAMLScalarStyle
    /// The explicit tag (`tag:yaml.org,2002:str`, or a local `!tag`), if any.
    public var tag: String?
    /// The typed value: only plain, untagged scalars (or explicit `!!` tags) become non-strings.
    public var value: YAMLScalarValue
    /// Where the scalar ends (just past its last character), for mapping offsets inside it.
    public var end: SourceLocation
}

/// One key/value pair of a mapping, in document order.
public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode
}

/// A node of a YAML (or JSON) document, carrying the position where it starts.
public struct YAMLNode: Sendable {
    /// The node's content.
    public enum Content: Sendable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        /// Pairs in document order; duplicate scalar keys are refused by the reader.
        case mapping([YAMLPair])
    }

    public var content: Content
    public var location: SourceLocation
    /// The source text the node was read from (shared by all nodes of one file).
    public var source: YAMLSource

    public init(content: Content, location: SourceLocation, source: YAMLSource) {
        self.content = content
        self.location = location
        self.source = source
    }

    /// The scalar, when the node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let s) = content { return s }
        return nil
    }

    /// The pairs, when the node is a mapping.
    public var pairs: [YAMLPair]? {
        if case .mapping(let p) = content { return p }
        return nil
    }

    /// The items, when the node is a sequence.
    public var items: [YAMLNode]? {
        if case .sequence(let s) = content { return s }
        return nil
    }

    /// The value of the first pair whose key is the plain string `key`.
    public subscript(key: String) -> YAMLNode? {
        guard let pairs else { return nil }
        return pairs.first(where: { $0.key.scalar?.text == key })?.value
    }

    /// Words for diagnostics: `a mapping`, `string "abc"`, `integer 5`, `null`.
    public var kindDescription: String {
        switch content {
        case .sequence: return "a sequence"
        case .mapping: return "a mapping"
        case .scalar(let s):
            switch s.value {
            case .null: return "null"
            case .bool(let b): return "boolean \(b)"
            case .int(let i): return "integer \(i)"
            case .double(let d): return "number \(d)"
            case .string(let t):
                let shown = t.count > 40 ? String(t.prefix(40)) + "..." : t
                let escaped = shown.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\\n")
                return "string \"\(escaped)\""
            }
        }
    }
}

/// The text of one input file, kept so that positions inside multi-line scalars can be mapped
/// back to file lines and columns when a later stage (the CEL compiler) reports an error.
public final class YAMLSource: Sendable {
    public let file: String
    /// The file's lines without their terminators.
    public let lines: [Substring]

    public init(file: String, text: String) {
        self.file = file
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
    }

    /// The text of 1-based `line`, or an empty string past the end.
    public func line(_ line: Int) -> Substring {
        line >= 1 && line <= lines.count ? lines[line - 1] : ""
    }
}
