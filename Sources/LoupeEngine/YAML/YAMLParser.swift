internal import CYaml

/// Bounds that keep hostile input (deep nesting, "billion laughs" aliases) from exhausting memory.
public struct YAMLLimits: Sendable, Hashable {
    /// Deepest nesting of sequences and mappings accepted.
    public var maxDepth: Int
    /// Most nodes one file may produce, counting every node an alias repeats.
    public var maxNodes: Int

    public init(maxDepth: Int = 128, maxNodes: Int = 2_000_000) {
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }

    public static let `default` = YAMLLimits()
}

/// Reads YAML (and JSON, which YAML contains) into document trees with libyaml's event parser.
public enum YAMLReader {
    /// Parses every document of `text`; `file` names it in locations and errors.
    ///
    /// - Throws: `InputError` for malformed YAML, duplicate keys, unknown anchors, or input beyond
    ///   `limits`.
    public static func documents(
        text: String, file: String, limits: YAMLLimits = .default
    ) throws(InputError) -> [YAMLNode] {
        let source = YAMLSource(file: file, text: text)
        var bytes = Array(text.utf8)
        var builder = TreeBuilder(source: source, limits: limits)
        let result: Result<[YAMLNode], InputError> = bytes.withUnsafeMutableBufferPointer { buffer in
            let parser = LibYAMLParser(input: buffer, file: file)
            do throws(InputError) {
                while true {
                    let done = try parser.next { event throws(InputError) in try builder.consume(event) }
                    if done { break }
                }
                return .success(builder.documents)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

// MARK: - libyaml ownership

/// Owns a `yaml_parser_t`; the C pointer never leaves this file.
private final class LibYAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let file: String

    init(input: UnsafeMutableBufferPointer<UInt8>, file: String) {
        self.file = file
        parser = .allocate(capacity: 1)
        yaml_parser_initialize(parser)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, input.baseAddress ?? UnsafeMutablePointer(bitPattern: 1)!, input.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
    }

    /// Parses one event and hands it to `body`; returns true after the stream end.
    func next(_ body: (ParsedEvent) throws(InputError) -> Void) throws(InputError) -> Bool {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else {
            throw InputError.libyaml(problem: parser.pointee, file: file)
        }
        defer { yaml_event_delete(&event) }
        let parsed = ParsedEvent(event)
        try body(parsed)
        if case .streamEnd = parsed.kind { return true }
        return false
    }
}

/// A libyaml event copied into Swift values.
private struct ParsedEvent {
    enum Kind {
        case streamStart, streamEnd, documentStart, documentEnd
        case alias(anchor: String)
        case scalar(text: String, style: YAMLScalarStyle, tag: String?, anchor: String?)
        case sequenceStart(tag: String?, anchor: String?)
        case sequenceEnd
        case mappingStart(tag: String?, anchor: String?)
        case mappingEnd
    }

    var kind: Kind
    /// 0-based line and column, as libyaml reports them.
    var start: (line: Int, column: Int)
    var end: (line: Int, column: Int)

    init(_ e: yaml_event_t) {
        start = (Int(e.start_mark.line), Int(e.start_mark.column))
        end = (Int(e.end_mark.line), Int(e.end_mark.column))
        func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            guard let p else { return nil }
            return String(cString: p)
        }
        switch e.type {
        case YAML_STREAM_START_EVENT: kind = .streamStart
        case YAML_STREAM_END_EVENT: kind = .streamEnd
        case YAML_DOCUMENT_START_EVENT: kind = .documentStart
        case YAML_DOCUMENT_END_EVENT: kind = .documentEnd
        case YAML_ALIAS_EVENT: kind = .alias(anchor: string(e.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let s = e.data.scalar
            let text =
                s.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: s.length), as: UTF8.self) }
                ?? ""
            let style: YAMLScalarStyle
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            kind = .scalar(text: text, style: style, tag: string(s.tag), anchor: string(s.anchor))
        case YAML_SEQUENCE_START_EVENT:
            kind = .sequenceStart(
                tag: string(e.data.sequence_start.tag), anchor: string(e.data.sequence_start.anchor))
        case YAML_SEQUENCE_END_EVENT: kind = .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            kind = .mappingStart(tag: string(e.data.mapping_start.tag), anchor: string(e.data.mapping_start.anchor))
        case YAML_MAPPING_END_EVENT: kind = .mappingEnd
        default: kind = .streamEnd
        }
    }
}

extension InputError {
    /// The error libyaml reported, with its position and context.
    fileprivate static func libyaml(problem p: yaml_parser_t, file: String) -> InputError {
        let problem = p.problem.map { String(cString: $0) } ?? "malformed YAML"
        var message = problem
        if p.error == YAML_READER_ERROR {
            message = "\(problem) at byte \(p.problem_offset)"
            return InputError(file: file, message)
        }
        if let context = p.context.map({ String(cString: $0) }) {
            message += " (\(context) at \(p.context_mark.line + 1):\(p.context_mark.column + 1))"
        }
        return InputError(
            at: SourceLocation(file: file, line: Int(p.problem_mark.line) + 1, column: Int(p.problem_mark.column) + 1),
            message)
    }
}

// MARK: - Tree building

/// Turns the event stream into node trees, resolving aliases and enforcing limits.
private struct TreeBuilder {
    private enum Frame {
        case sequence(items: [YAMLNode], location: SourceLocation, anchor: String?, nodes: Int)
        case mapping(pairs: [YAMLPair], key: YAMLNode?, location: SourceLocation, anchor: String?, nodes: Int)
    }

    let source: YAMLSource
    let limits: YAMLLimits
    private(set) var documents: [YAMLNode] = []
    private var stack: [Frame] = []
    private var anchors: [String: (node: YAMLNode, nodes: Int)] = [:]
    private var totalNodes = 0
    private var root: YAMLNode?

    init(source: YAMLSource, limits: YAMLLimits) {
        self.source = source
        self.limits = limits
    }

    private func location(_ mark: (line: Int, column: Int)) -> SourceLocation {
        SourceLocation(file: source.file, line: mark.line + 1, column: mark.column + 1)
    }

    mutating func consume(_ event: ParsedEvent) throws(InputError) {
        switch event.kind {
        case .streamStart, .streamEnd:
            break
        case .documentStart:
            anchors = [:]
            root = nil
        case .documentEnd:
            documents.append(
                root
                    ?? YAMLNode(
                        content: .scalar(
                            YAMLScalar(
                                text: "", style: .plain, tag: nil, value: .null, end: location(event.start))),
                        location: location(event.start), source: source))
        case .alias(let name):
            guard let anchored = anchors[name] else {
                throw InputError(at: location(event.start), "unknown alias *\(name)")
            }
            try count(anchored.nodes, at: event.start)
            try add(anchored.node, nodes: anchored.nodes)
        case .scalar(let text, let style, let tag, let anchor):
            try count(1, at: event.start)
            let value = try Self.resolve(text: text, style: style, tag: tag, at: location(event.start))
            let node = YAMLNode(
                content: .scalar(
                    YAMLScalar(text: text, style: style, tag: tag, value: value, end: location(event.end))),
                location: location(event.start), source: source)
            if let anchor { anchors[anchor] = (node, 1) }
            try add(node, nodes: 1)
        case .sequenceStart(_, let anchor):
            try count(1, at: event.start)
            try checkDepth(event.start)
            stack.append(.sequence(items: [], location: location(event.start), anchor: anchor, nodes: 1))
        case .mappingStart(_, let anchor):
            try count(1, at: event.start)
            try checkDepth(event.start)
            stack.append(.mapping(pairs: [], key: nil, location: location(event.start), anchor: anchor, nodes: 1))
        case .sequenceEnd:
            guard case .sequence(let items, let loc, let anchor, let nodes) = stack.popLast() else { return }
            let node = YAMLNode(content: .sequence(items), location: loc, source: source)
            if let anchor { anchors[anchor] = (node, nodes) }
            try add(node, nodes: nodes)
        case .mappingEnd:
            guard case .mapping(let pairs, _, let loc, let anchor, let nodes) = stack.popLast() else { return }
            let merged = try Self.applyMergeKeys(pairs)
            try Self.checkDuplicateKeys(merged)
            let node = YAMLNode(content: .mapping(merged), location: loc, source: source)
            if let anchor { anchors[anchor] = (node, nodes) }
            try add(node, nodes: nodes)
        }
    }

    private mutating func count(_ n: Int, at mark: (line: Int, column: Int)) throws(InputError) {
        totalNodes += n
        if totalNodes > limits.maxNodes {
            throw InputError(
                at: location(mark),
                "document expands to more than \(limits.maxNodes) nodes (aliases repeating large subtrees?)")
        }
    }

    private func checkDepth(_ mark: (line: Int, column: Int)) throws(InputError) {
        if stack.count >= limits.maxDepth {
            throw InputError(at: location(mark), "nesting deeper than \(limits.maxDepth) levels")
        }
    }

    private mutating func add(_ node: YAMLNode, nodes: Int) throws(InputError) {
        guard let top = stack.popLast() else {
            root = node
            return
        }
        switch top {
        case .sequence(var items, let loc, let anchor, let count):
            items.append(node)
            stack.append(.sequence(items: items, location: loc, anchor: anchor, nodes: count + nodes))
        case .mapping(var pairs, let key, let loc, let anchor, let count):
            if let key {
                pairs.append(YAMLPair(key: key, value: node))
                stack.append(.mapping(pairs: pairs, key: nil, location: loc, anchor: anchor, nodes: count + nodes))
            } else {
                stack.append(.mapping(pairs: pairs, key: node, location: loc, anchor: anchor, nodes: count + nodes))
            }
        }
    }

    /// Applies `<<: *base` merge keys: merged pairs come after the mapping's own and never replace them.
    private static func applyMergeKeys(_ pairs: [YAMLPair]) throws(InputError) -> [YAMLPair] {
        guard
            pairs.contains(where: { $0.key.scalar?.style == .plain && $0.key.scalar?.text == "<<" })
        else { return pairs }
        var own: [YAMLPair] = []
        var sources: [YAMLNode] = []
        for pair in pairs {
            if let s = pair.key.scalar, s.style == .plain, s.text == "<<" {
                switch pair.value.content {
                case .mapping: sources.append(pair.value)
                case .sequence(let items):
                    for item in items {
                        guard item.pairs != nil else {
                            throw InputError(
                                at: item.location, "expected a mapping to merge, found \(item.kindDescription)")
                        }
                        sources.append(item)
                    }
                case .scalar:
                    throw InputError(
                        at: pair.value.location,
                        "expected a mapping or a sequence of mappings to merge, found \(pair.value.kindDescription)")
                }
            } else {
                own.append(pair)
            }
        }
        var seen = Set(own.compactMap { $0.key.scalar?.value })
        for source in sources {
            for pair in source.pairs ?? [] {
                guard let key = pair.key.scalar?.value else { continue }
                if seen.insert(key).inserted { own.append(pair) }
            }
        }
        return own
    }

    private static func checkDuplicateKeys(_ pairs: [YAMLPair]) throws(InputError) {
        guard pairs.count > 1 else { return }
        var seen: [YAMLScalarValue: SourceLocation] = [:]
        for pair in pairs {
            guard let key = pair.key.scalar?.value else { continue }
            if let first = seen[key] {
                throw InputError(
                    at: pair.key.location,
                    "duplicate key \(pair.key.kindDescription) (first at line \(first.line), column \(first.column))")
            }
            seen[key] = pair.key.location
        }
    }

    // MARK: Scalar resolution

    private static let yamlTagPrefix = "tag:yaml.org,2002:"

    /// Resolves a scalar under the YAML 1.2 core schema; quoted and block scalars stay strings.
    static func resolve(
        text: String, style: YAMLScalarStyle, tag: String?, at location: SourceLocation
    ) throws(InputError) -> YAMLScalarValue {
        if let tag {
            guard tag.hasPrefix(yamlTagPrefix) else { return .string(text) }
            let name = tag.dropFirst(yamlTagPrefix.count)
            let implicit = resolvePlain(text)
            func bad(_ what: String) -> InputError {
                InputError(at: location, "expected \(what) for tag !!\(name), found \"\(text)\"")
            }
            switch name {
            case "str": return .string(text)
            case "null":
                guard case .null = implicit else { throw bad("null") }
                return .null
            case "bool":
                guard case .bool = implicit else { throw bad("true or false") }
                return implicit
            case "int":
                guard case .int = implicit else { throw bad("an integer") }
                return implicit
            case "float":
                switch implicit {
                case .double: return implicit
                case .int(let i): return .double(Double(i))
                default: throw bad("a number")
                }
            default: return .string(text)
            }
        }
        guard style == .plain else { return .string(text) }
        return resolvePlain(text)
    }

    private static func resolvePlain(_ text: String) -> YAMLScalarValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        let utf8 = Array(text.utf8)
        guard let first = utf8.first,
            first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
                || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
        else { return .string(text) }
        if text.hasPrefix("0x"), utf8.count > 2, let v = Int64(text.dropFirst(2), radix: 16) { return .int(v) }
        if text.hasPrefix("0o"), utf8.count > 2, let v = Int64(text.dropFirst(2), radix: 8) { return .int(v) }
        if isDecimalInteger(utf8) {
            if let v = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) { return .int(v) }
            return Double(text).map { .double($0) } ?? .string(text)
        }
        if isFloat(utf8), let d = Double(text) { return .double(d) }
        return .string(text)
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private static func isDecimalInteger(_ s: [UInt8]) -> Bool {
        var i = 0
        if i < s.count, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+") { i += 1 }
        guard i < s.count else { return false }
        return s[i...].allSatisfy(isDigit)
    }

    /// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
    private static func isFloat(_ s: [UInt8]) -> Bool {
        var i = 0
        if i < s.count, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+") { i += 1 }
        var mantissaDigits = 0
        while i < s.count, isDigit(s[i]) {
            i += 1
            mantissaDigits += 1
        }
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            while i < s.count, isDigit(s[i]) {
                i += 1
                mantissaDigits += 1
            }
        }
        guard mantissaDigits > 0 else { return false }
        if i < s.count, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            i += 1
            if i < s.count, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+") { i += 1 }
            var expDigits = 0
            while i < s.count, isDigit(s[i]) {
                i += 1
                expDigits += 1
            }
            guard expDigits > 0 else { return false }
        }
        return i == s.count
    }
}
