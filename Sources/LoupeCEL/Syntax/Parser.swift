/// Limits and switches for parsing.
public struct CELParserOptions: Sendable {
    /// Deepest nesting of sub-expressions accepted; deeper input is an error, not a crash.
    public var maxDepth: Int = 250
    /// Longest source accepted, in bytes.
    public var maxSourceBytes: Int = 100_000
    /// Whether `has`, `all`, `exists`, `map`, ... expand as macros.
    public var macros: Bool = true

    public init(maxDepth: Int = 250, maxSourceBytes: Int = 100_000, macros: Bool = true) {
        self.maxDepth = maxDepth
        self.maxSourceBytes = maxSourceBytes
        self.macros = macros
    }
}

/// CEL's recursive-descent parser: one function per grammar level.
public struct CELParser {
    private var lexer: CELLexer
    private var token: CELToken
    private var depth = 0
    private let options: CELParserOptions

    private static let reserved: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
        "package", "namespace", "return", "var", "void", "while",
    ]

    /// Parses `source` into an expression tree.
    public static func parse(_ source: String, options: CELParserOptions = .init()) throws(CELCompileError)
        -> CELExpr
    {
        let bytes = Array(source.utf8)
        if bytes.count > options.maxSourceBytes {
            throw CELCompileError(
                "expression of \(bytes.count) bytes exceeds the limit of \(options.maxSourceBytes)",
                offset: 0, source: Array(bytes.prefix(200)))
        }
        var parser = try CELParser(bytes, options: options)
        let expr = try parser.parseExpr()
        if parser.token.kind != .eof {
            throw parser.unexpected("end of expression")
        }
        return expr
    }

    private init(_ bytes: [UInt8], options: CELParserOptions) throws(CELCompileError) {
        self.lexer = CELLexer(bytes)
        self.options = options
        self.token = CELToken(kind: .eof, start: 0, end: 0)
        self.token = try lexer.next()
    }

    // MARK: - Helpers

    private mutating func advance() throws(CELCompileError) {
        token = try lexer.next()
    }

    private func error(_ message: String, at offset: Int) -> CELCompileError {
        CELCompileError(message, offset: offset, source: lexer.source)
    }

    private func tokenText(_ t: CELToken) -> String {
        String(decoding: lexer.source[t.start..<t.end], as: UTF8.self)
    }

    private func unexpected(_ expecting: String) -> CELCompileError {
        let found = token.kind == .eof ? "end of input" : "'\(tokenText(token))'"
        return error("Syntax error: unexpected \(found), expecting \(expecting)", at: token.start)
    }

    private mutating func expect(_ kind: CELTokenKind, _ what: String) throws(CELCompileError) -> CELToken {
        guard token.kind == kind else { throw unexpected(what) }
        let t = token
        try advance()
        return t
    }

    private mutating func enter() throws(CELCompileError) {
        depth += 1
        if depth > options.maxDepth {
            throw error("expression nesting exceeds the limit of \(options.maxDepth)", at: token.start)
        }
    }

    // MARK: - Grammar

    /// expr := or ['?' or ':' expr]
    private mutating func parseExpr() throws(CELCompileError) -> CELExpr {
        try enter()
        defer { depth -= 1 }
        let condition = try parseLogical(.logicalOr)
        guard token.kind == .question else { return condition }
        let questionAt = token.start
        try advance()
        let whenTrue = try parseLogical(.logicalOr)
        _ = try expect(.colon, "':'")
        let whenFalse = try parseExpr()
        return .call(
            target: nil, function: "_?_:_", arguments: [condition, whenTrue, whenFalse],
            CELSpan(questionAt, questionAt + 1).union(condition.span).union(whenFalse.span))
    }

    /// `||` and `&&` chains, built as balanced trees so long chains stay shallow.
    private mutating func parseLogical(_ op: CELTokenKind) throws(CELCompileError) -> CELExpr {
        var operands: [CELExpr] = []
        var operatorOffsets: [Int] = []
        repeat {
            if !operands.isEmpty {
                operatorOffsets.append(token.start)
                try advance()
            }
            operands.append(op == .logicalOr ? try parseLogical(.logicalAnd) : try parseRelation())
        } while token.kind == op
        if operands.count == 1 { return operands[0] }
        let name = op == .logicalOr ? "_||_" : "_&&_"
        func build(_ lo: Int, _ hi: Int) -> CELExpr {
            if lo == hi { return operands[lo] }
            let mid = (lo + hi) / 2
            let left = build(lo, mid)
            let right = build(mid + 1, hi)
            let at = operatorOffsets[mid]
            return .call(
                target: nil, function: name, arguments: [left, right],
                CELSpan(at, at + 2).union(left.span).union(right.span))
        }
        return build(0, operands.count - 1)
    }

    private mutating func parseRelation() throws(CELCompileError) -> CELExpr {
        var left = try parseAddition()
        while true {
            let name: String
            switch token.kind {
            case .less: name = "_<_"
            case .lessEqual: name = "_<=_"
            case .greater: name = "_>_"
            case .greaterEqual: name = "_>=_"
            case .equal: name = "_==_"
            case .notEqual: name = "_!=_"
            case .inKeyword: name = "@in"
            default: return left
            }
            let at = token
            try advance()
            let right = try parseAddition()
            left = .call(
                target: nil, function: name, arguments: [left, right],
                CELSpan(at.start, at.end).union(left.span).union(right.span))
        }
    }

    private mutating func parseAddition() throws(CELCompileError) -> CELExpr {
        var left = try parseMultiplication()
        while token.kind == .plus || token.kind == .minus {
            let at = token
            try advance()
            let right = try parseMultiplication()
            left = .call(
                target: nil, function: at.kind == .plus ? "_+_" : "_-_", arguments: [left, right],
                CELSpan(at.start, at.end).union(left.span).union(right.span))
        }
        return left
    }

    private mutating func parseMultiplication() throws(CELCompileError) -> CELExpr {
        var left = try parseUnary()
        while token.kind == .star || token.kind == .slash || token.kind == .percent {
            let at = token
            try advance()
            let right = try parseUnary()
            let name = at.kind == .star ? "_*_" : at.kind == .slash ? "_/_" : "_%_"
            left = .call(
                target: nil, function: name, arguments: [left, right],
                CELSpan(at.start, at.end).union(left.span).union(right.span))
        }
        return left
    }

    /// unary := member | '!'+ member | '-'+ member. Like cel-go, an even run of the same operator
    /// cancels out; a minus directly before a number literal makes a negative literal.
    private mutating func parseUnary() throws(CELCompileError) -> CELExpr {
        let start = token.start
        if token.kind == .bang {
            var count = 0
            while token.kind == .bang {
                count += 1
                try advance()
            }
            let operand = try parseMember()
            if count % 2 == 0 { return operand }
            return .call(
                target: nil, function: "!_", arguments: [operand], CELSpan(start, start + 1).union(operand.span))
        }
        if token.kind == .minus {
            var count = 0
            var lastMinus = start
            while token.kind == .minus {
                count += 1
                lastMinus = token.start
                try advance()
            }
            let operand: CELExpr
            if token.kind == .intLiteral || token.kind == .doubleLiteral {
                count -= 1
                operand = try parseMember(negativeLiteralAt: lastMinus)
            } else {
                operand = try parseMember()
            }
            if count % 2 == 0 { return operand }
            return .call(
                target: nil, function: "-_", arguments: [operand], CELSpan(start, start + 1).union(operand.span))
        }
        return try parseMember()
    }

    private mutating func parseMember(negativeLiteralAt: Int? = nil) throws(CELCompileError) -> CELExpr {
        var expr = try parsePrimary(negativeLiteralAt: negativeLiteralAt)
        while true {
            switch token.kind {
            case .dot:
                let dotAt = token.start
                try advance()
                let isOptional = token.kind == .question
                if isOptional { try advance() }
                let name: String
                let nameToken = token
                switch token.kind {
                case .quotedIdentifier: name = lexer.quotedName
                case .identifier, .trueKeyword, .falseKeyword, .nullKeyword, .inKeyword: name = tokenText(token)
                default: throw unexpected("a field name after '.'")
                }
                try advance()
                if isOptional {
                    let span = CELSpan(dotAt, nameToken.end).union(expr.span)
                    expr = .call(
                        target: nil, function: "_?._",
                        arguments: [expr, .literal(.string(name), CELSpan(nameToken.start, nameToken.end))], span)
                    continue
                }
                if token.kind == .leftParen && nameToken.kind != .quotedIdentifier {
                    try advance()
                    let (arguments, end) = try parseArguments(closing: .rightParen, "')'")
                    let span = CELSpan(dotAt, end).union(expr.span)
                    expr = try expandReceiverCall(
                        target: expr, function: name, arguments: arguments, span: span, at: nameToken.start)
                } else {
                    expr = .select(expr, field: name, testOnly: false, CELSpan(dotAt, nameToken.end).union(expr.span))
                }
            case .leftBracket:
                let at = token.start
                try advance()
                let isOptional = token.kind == .question
                if isOptional { try advance() }
                let index = try parseExpr()
                let close = try expect(.rightBracket, "']'")
                expr = .call(
                    target: nil, function: isOptional ? "_[?_]" : "_[_]", arguments: [expr, index],
                    CELSpan(at, close.end).union(expr.span))
            case .leftBrace:
                // A message literal: only after a (qualified) type name.
                guard let typeName = expr.qualifiedName else { return expr }
                try advance()
                var fields: [(String, CELExpr)] = []
                while token.kind != .rightBrace {
                    guard token.kind == .identifier || token.kind == .quotedIdentifier else {
                        throw unexpected("a field name")
                    }
                    let name = token.kind == .quotedIdentifier ? lexer.quotedName : tokenText(token)
                    try advance()
                    _ = try expect(.colon, "':'")
                    fields.append((name, try parseExpr()))
                    if token.kind != .comma { break }
                    try advance()
                }
                let close = try expect(.rightBrace, "'}'")
                expr = .message(typeName: typeName, fields: fields, expr.span.union(CELSpan(close.start, close.end)))
            default:
                return expr
            }
        }
    }

    private mutating func parseArguments(closing: CELTokenKind, _ what: String) throws(CELCompileError) -> (
        [CELExpr], Int
    ) {
        var arguments: [CELExpr] = []
        while token.kind != closing {
            arguments.append(try parseExpr())
            if token.kind != .comma { break }
            try advance()
        }
        let close = try expect(closing, what)
        return (arguments, close.end)
    }

    private mutating func parsePrimary(negativeLiteralAt: Int?) throws(CELCompileError) -> CELExpr {
        let t = token
        switch t.kind {
        case .intLiteral:
            try advance()
            return .literal(
                try intLiteral(t, negative: negativeLiteralAt != nil), CELSpan(negativeLiteralAt ?? t.start, t.end))
        case .doubleLiteral:
            try advance()
            let text = tokenText(t)
            // Like cel-go, a literal too large for a double is an error, not infinity.
            guard let value = Double(text), value.isFinite else { throw error("invalid double literal", at: t.start) }
            return .literal(
                .double(negativeLiteralAt != nil ? -value : value), CELSpan(negativeLiteralAt ?? t.start, t.end))
        case .uintLiteral:
            try advance()
            var text = Substring(tokenText(t))
            text.removeLast()
            let value: UInt64?
            if text.hasPrefix("0x") || text.hasPrefix("0X") {
                value = UInt64(text.dropFirst(2), radix: 16)
            } else {
                value = UInt64(text)
            }
            guard let value else { throw error("unsigned integer literal out of range", at: t.start) }
            return .literal(.uint(value), CELSpan(t.start, t.end))
        case .stringLiteral:
            try advance()
            return .literal(.string(String(decoding: lexer.literalBytes, as: UTF8.self)), CELSpan(t.start, t.end))
        case .bytesLiteral:
            try advance()
            return .literal(.bytes(CELBytes(lexer.literalBytes)), CELSpan(t.start, t.end))
        case .trueKeyword:
            try advance()
            return .literal(.bool(true), CELSpan(t.start, t.end))
        case .falseKeyword:
            try advance()
            return .literal(.bool(false), CELSpan(t.start, t.end))
        case .nullKeyword:
            try advance()
            return .literal(.null, CELSpan(t.start, t.end))
        case .leftParen:
            try advance()
            let inner = try parseExpr()
            _ = try expect(.rightParen, "')'")
            return inner
        case .leftBracket:
            try advance()
            try enter()
            defer { depth -= 1 }
            var elements: [CELExpr] = []
            var optionalIndices: [Int] = []
            while token.kind != .rightBracket {
                if token.kind == .question {
                    try advance()
                    optionalIndices.append(elements.count)
                }
                elements.append(try parseExpr())
                if token.kind != .comma { break }
                try advance()
            }
            let close = try expect(.rightBracket, "']'")
            return .list(elements, optionalIndices: optionalIndices, CELSpan(t.start, close.end))
        case .leftBrace:
            try advance()
            try enter()
            defer { depth -= 1 }
            var entries: [CELMapEntryExpr] = []
            while token.kind != .rightBrace {
                let isOptional = token.kind == .question
                if isOptional { try advance() }
                let key = try parseExpr()
                _ = try expect(.colon, "':'")
                let value = try parseExpr()
                entries.append(CELMapEntryExpr(key: key, value: value, isOptional: isOptional))
                if token.kind != .comma { break }
                try advance()
            }
            let close = try expect(.rightBrace, "'}'")
            return .map(entries, CELSpan(t.start, close.end))
        case .dot, .identifier:
            var leadingDot = false
            if t.kind == .dot {
                leadingDot = true
                try advance()
                guard token.kind == .identifier else { throw unexpected("an identifier after a leading '.'") }
            }
            let nameToken = token
            let name = tokenText(nameToken)
            if Self.reserved.contains(name) {
                throw error("reserved identifier '\(name)'", at: nameToken.start)
            }
            try advance()
            if token.kind == .leftParen {
                try advance()
                let (arguments, end) = try parseArguments(closing: .rightParen, "')'")
                let span = CELSpan(t.start, end)
                if !leadingDot, options.macros,
                    let macro = try expandGlobalMacro(name, arguments, span: span, at: nameToken.start)
                {
                    return macro
                }
                return .call(target: nil, function: leadingDot ? "." + name : name, arguments: arguments, span)
            }
            return .ident(name, leadingDot: leadingDot, CELSpan(t.start, nameToken.end))
        default:
            throw unexpected("an expression")
        }
    }

    private func intLiteral(_ t: CELToken, negative: Bool) throws(CELCompileError) -> CELValue {
        let text = tokenText(t)
        let magnitude: UInt64?
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            magnitude = UInt64(text.dropFirst(2), radix: 16)
        } else {
            magnitude = UInt64(text)
        }
        guard let magnitude else { throw error("integer literal out of range", at: t.start) }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return .int(.min) }
            guard magnitude <= UInt64(Int64.max) else { throw error("integer literal out of range", at: t.start) }
            return .int(-Int64(magnitude))
        }
        guard magnitude <= UInt64(Int64.max) else { throw error("integer literal out of range", at: t.start) }
        return .int(Int64(magnitude))
    }

    // MARK: - Macros

    private func simpleName(_ expr: CELExpr, macro: String) throws(CELCompileError) -> String {
        guard case .ident(let name, false, _) = expr else {
            throw error("\(macro): the variable must be a simple name", at: Int(expr.span.start))
        }
        return name
    }

    private func expandGlobalMacro(_ name: String, _ arguments: [CELExpr], span: CELSpan, at offset: Int)
        throws(CELCompileError)
        -> CELExpr?
    {
        guard name == "has", arguments.count == 1 else { return nil }
        guard case .select(let operand, let field, false, let s) = arguments[0] else {
            throw error("has() needs a field selection such as has(a.b)", at: offset)
        }
        return .select(operand, field: field, testOnly: true, s.union(span))
    }

    private func expandReceiverCall(
        target: CELExpr, function: String, arguments: [CELExpr], span: CELSpan, at offset: Int
    )
        throws(CELCompileError) -> CELExpr
    {
        guard options.macros else {
            return .call(target: target, function: function, arguments: arguments, span)
        }
        let n = arguments.count
        func make(_ kind: CELMacroKind, twoVariables: Bool) throws(CELCompileError) -> CELExpr {
            let v1 = try simpleName(arguments[0], macro: function)
            let v2 = twoVariables ? try simpleName(arguments[1], macro: function) : nil
            if let v2, v2 == v1 {
                throw error("\(function): the two variables must have different names", at: offset)
            }
            let body = Array(arguments[(twoVariables ? 2 : 1)...])
            return .comprehension(
                CELComprehension(kind: kind, range: target, variable: v1, variable2: v2, arguments: body), span)
        }
        switch (function, n) {
        case ("all", 2): return try make(.all, twoVariables: false)
        case ("all", 3): return try make(.all, twoVariables: true)
        case ("exists", 2): return try make(.exists, twoVariables: false)
        case ("exists", 3): return try make(.exists, twoVariables: true)
        case ("exists_one", 2), ("existsOne", 2): return try make(.existsOne, twoVariables: false)
        case ("exists_one", 3), ("existsOne", 3): return try make(.existsOne, twoVariables: true)
        case ("map", 2): return try make(.map, twoVariables: false)
        case ("map", 3): return try make(.mapFilter, twoVariables: false)
        case ("filter", 2): return try make(.filter, twoVariables: false)
        case ("transformList", 3): return try make(.transformList, twoVariables: true)
        case ("transformList", 4): return try make(.transformListFilter, twoVariables: true)
        case ("transformMap", 3): return try make(.transformMap, twoVariables: true)
        case ("transformMap", 4): return try make(.transformMapFilter, twoVariables: true)
        case ("optMap", 2): return try make(.optMap, twoVariables: false)
        case ("optFlatMap", 2): return try make(.optFlatMap, twoVariables: false)
        case ("bind", 3):
            if case .ident("cel", false, _) = target {
                let name = try simpleName(arguments[0], macro: "cel.bind")
                return .comprehension(
                    CELComprehension(
                        kind: .bind, range: arguments[1], variable: name, variable2: nil, arguments: [arguments[2]]),
                    span)
            }
        default: break
        }
        return .call(target: target, function: function, arguments: arguments, span)
    }
}
