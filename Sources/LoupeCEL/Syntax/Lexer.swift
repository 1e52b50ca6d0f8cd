/// The kinds of token CEL has.
enum CELTokenKind: Equatable {
    case eof
    case identifier, quotedIdentifier
    case intLiteral, uintLiteral, doubleLiteral, stringLiteral, bytesLiteral
    case trueKeyword, falseKeyword, nullKeyword, inKeyword
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    case dot, comma, colon, question
    case plus, minus, star, slash, percent, bang
    case equal, notEqual, less, lessEqual, greater, greaterEqual
    case logicalAnd, logicalOr
}

/// One token: its kind and source range. Literal payloads are decoded into `CELLexer` fields.
struct CELToken {
    var kind: CELTokenKind
    var start: Int
    var end: Int
}

/// A byte-level scanner for CEL source.
struct CELLexer {
    let source: [UInt8]
    var position = 0
    /// The decoded bytes of the last string or bytes literal.
    var literalBytes: [UInt8] = []
    /// The decoded name of the last quoted identifier.
    var quotedName = ""

    init(_ source: [UInt8]) { self.source = source }

    @inline(__always) private func peek(_ offset: Int = 0) -> UInt8 {
        let i = position + offset
        return i < source.count ? source[i] : 0
    }

    @inline(__always) static func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    @inline(__always) static func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }

    static func hexValue(_ c: UInt8) -> UInt32 {
        if isDigit(c) { return UInt32(c - 0x30) }
        if c >= 0x61 { return UInt32(c - 0x61 + 10) }
        return UInt32(c - 0x41 + 10)
    }

    private mutating func skipTrivia() {
        while position < source.count {
            let c = source[position]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C {
                position += 1
            } else if c == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "/") {
                while position < source.count && source[position] != 0x0A { position += 1 }
            } else {
                return
            }
        }
    }

    /// Scans the next token.
    mutating func next() throws(CELCompileError) -> CELToken {
        skipTrivia()
        let start = position
        guard position < source.count else { return CELToken(kind: .eof, start: start, end: start) }
        let c = source[position]
        func single(_ kind: CELTokenKind, _ length: Int = 1) -> CELToken {
            position += length
            return CELToken(kind: kind, start: start, end: position)
        }
        switch c {
        case UInt8(ascii: "("): return single(.leftParen)
        case UInt8(ascii: ")"): return single(.rightParen)
        case UInt8(ascii: "["): return single(.leftBracket)
        case UInt8(ascii: "]"): return single(.rightBracket)
        case UInt8(ascii: "{"): return single(.leftBrace)
        case UInt8(ascii: "}"): return single(.rightBrace)
        case UInt8(ascii: ","): return single(.comma)
        case UInt8(ascii: ":"): return single(.colon)
        case UInt8(ascii: "?"): return single(.question)
        case UInt8(ascii: "+"): return single(.plus)
        case UInt8(ascii: "-"): return single(.minus)
        case UInt8(ascii: "*"): return single(.star)
        case UInt8(ascii: "/"): return single(.slash)
        case UInt8(ascii: "%"): return single(.percent)
        case UInt8(ascii: "!"): return peek(1) == UInt8(ascii: "=") ? single(.notEqual, 2) : single(.bang)
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: "=") { return single(.equal, 2) }
            throw error("unexpected '='; did you mean '=='?", at: start)
        case UInt8(ascii: "<"): return peek(1) == UInt8(ascii: "=") ? single(.lessEqual, 2) : single(.less)
        case UInt8(ascii: ">"):
            return peek(1) == UInt8(ascii: "=") ? single(.greaterEqual, 2) : single(.greater)
        case UInt8(ascii: "&"):
            if peek(1) == UInt8(ascii: "&") { return single(.logicalAnd, 2) }
            throw error("unexpected '&'; did you mean '&&'?", at: start)
        case UInt8(ascii: "|"):
            if peek(1) == UInt8(ascii: "|") { return single(.logicalOr, 2) }
            throw error("unexpected '|'; did you mean '||'?", at: start)
        case UInt8(ascii: "."):
            if Self.isDigit(peek(1)) { return try number() }
            return single(.dot)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            try quoted(raw: false, bytes: false)
            return CELToken(kind: .stringLiteral, start: start, end: position)
        case UInt8(ascii: "`"):
            position += 1
            let nameStart = position
            while position < source.count && source[position] != UInt8(ascii: "`") {
                let b = source[position]
                let allowed =
                    Self.isIdentStart(b) || Self.isDigit(b) || b == UInt8(ascii: ".")
                    || b == UInt8(ascii: "-") || b == UInt8(ascii: "/") || b == 0x20
                if !allowed { throw error("invalid character in quoted identifier", at: position) }
                position += 1
            }
            guard position < source.count, position > nameStart else {
                throw error("unterminated or empty quoted identifier", at: start)
            }
            quotedName = String(decoding: source[nameStart..<position], as: UTF8.self)
            position += 1
            return CELToken(kind: .quotedIdentifier, start: start, end: position)
        default:
            break
        }
        if Self.isDigit(c) { return try number() }
        if Self.isIdentStart(c) {
            // String prefixes: r, b, and their combinations in either order and case.
            let lower0 = c | 0x20
            if lower0 == UInt8(ascii: "r") || lower0 == UInt8(ascii: "b") {
                var raw = lower0 == UInt8(ascii: "r")
                var bytes = lower0 == UInt8(ascii: "b")
                var length = 1
                let second = peek(1) | 0x20
                if (second == UInt8(ascii: "r") && !raw) || (second == UInt8(ascii: "b") && !bytes) {
                    if peek(2) == UInt8(ascii: "\"") || peek(2) == UInt8(ascii: "'") {
                        raw = true
                        bytes = true
                        length = 2
                    }
                }
                let q = peek(length)
                if q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") {
                    position += length
                    try quoted(raw: raw, bytes: bytes)
                    return CELToken(kind: bytes ? .bytesLiteral : .stringLiteral, start: start, end: position)
                }
            }
            position += 1
            while position < source.count && (Self.isIdentStart(source[position]) || Self.isDigit(source[position])) {
                position += 1
            }
            switch source[start..<position] {
            case _ where position - start > 5: return CELToken(kind: .identifier, start: start, end: position)
            case [0x74, 0x72, 0x75, 0x65]: return CELToken(kind: .trueKeyword, start: start, end: position)
            case [0x66, 0x61, 0x6C, 0x73, 0x65]: return CELToken(kind: .falseKeyword, start: start, end: position)
            case [0x6E, 0x75, 0x6C, 0x6C]: return CELToken(kind: .nullKeyword, start: start, end: position)
            case [0x69, 0x6E]: return CELToken(kind: .inKeyword, start: start, end: position)
            default: return CELToken(kind: .identifier, start: start, end: position)
            }
        }
        throw error("unexpected character", at: start)
    }

    private mutating func number() throws(CELCompileError) -> CELToken {
        let start = position
        if source[position] == UInt8(ascii: "0") && (peek(1) | 0x20) == UInt8(ascii: "x") {
            position += 2
            let digitsStart = position
            while Self.isHex(peek()) { position += 1 }
            if position == digitsStart { throw error("malformed hexadecimal literal", at: start) }
            if (peek() | 0x20) == UInt8(ascii: "u") {
                position += 1
                return CELToken(kind: .uintLiteral, start: start, end: position)
            }
            return CELToken(kind: .intLiteral, start: start, end: position)
        }
        var isDouble = false
        while Self.isDigit(peek()) { position += 1 }
        if peek() == UInt8(ascii: ".") && Self.isDigit(peek(1)) {
            isDouble = true
            position += 1
            while Self.isDigit(peek()) { position += 1 }
        }
        if (peek() | 0x20) == UInt8(ascii: "e") {
            var look = 1
            if peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-") { look = 2 }
            if Self.isDigit(peek(look)) {
                isDouble = true
                position += look
                while Self.isDigit(peek()) { position += 1 }
            } else {
                throw error("malformed exponent", at: position)
            }
        }
        if isDouble { return CELToken(kind: .doubleLiteral, start: start, end: position) }
        if (peek() | 0x20) == UInt8(ascii: "u") {
            position += 1
            return CELToken(kind: .uintLiteral, start: start, end: position)
        }
        return CELToken(kind: .intLiteral, start: start, end: position)
    }

    /// Scans and decodes a quoted literal starting at the opening quote into `literalBytes`.
    private mutating func quoted(raw: Bool, bytes: Bool) throws(CELCompileError) {
        let start = position
        let quote = source[position]
        let triple = peek(1) == quote && peek(2) == quote
        position += triple ? 3 : 1
        literalBytes.removeAll(keepingCapacity: true)
        while true {
            guard position < source.count else { throw error("unterminated string literal", at: start) }
            let c = source[position]
            if c == quote {
                if !triple {
                    position += 1
                    break
                }
                if peek(1) == quote && peek(2) == quote {
                    position += 3
                    break
                }
            }
            if !triple && (c == 0x0A || c == 0x0D) {
                throw error("newline in string literal", at: position)
            }
            if c == UInt8(ascii: "\\") {
                if raw {
                    // Raw literals keep the backslash; it still escapes a quote character.
                    literalBytes.append(c)
                    if position + 1 < source.count {
                        literalBytes.append(source[position + 1])
                        position += 2
                    } else {
                        position += 1
                    }
                    continue
                }
                try escape(bytes: bytes)
                continue
            }
            literalBytes.append(c)
            position += 1
        }
        if !bytes {
            // Non-raw text is validated by construction of escapes; the raw source must be UTF-8.
            if String(validating: literalBytes, as: UTF8.self) == nil {
                throw error("invalid UTF-8 in string literal", at: start)
            }
        }
    }

    private mutating func appendScalar(_ value: UInt32, at offset: Int) throws(CELCompileError) {
        guard let scalar = Unicode.Scalar(value) else {
            throw error("invalid Unicode code point in escape sequence", at: offset)
        }
        literalBytes.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    private mutating func escape(bytes: Bool) throws(CELCompileError) {
        let escapeStart = position
        position += 1
        guard position < source.count else { throw error("unterminated escape sequence", at: escapeStart) }
        let c = source[position]
        position += 1
        switch c {
        case UInt8(ascii: "a"): literalBytes.append(0x07)
        case UInt8(ascii: "b"): literalBytes.append(0x08)
        case UInt8(ascii: "f"): literalBytes.append(0x0C)
        case UInt8(ascii: "n"): literalBytes.append(0x0A)
        case UInt8(ascii: "r"): literalBytes.append(0x0D)
        case UInt8(ascii: "t"): literalBytes.append(0x09)
        case UInt8(ascii: "v"): literalBytes.append(0x0B)
        case UInt8(ascii: "\\"), UInt8(ascii: "?"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"):
            literalBytes.append(c)
        case UInt8(ascii: "x"), UInt8(ascii: "X"):
            guard Self.isHex(peek()), Self.isHex(peek(1)) else {
                throw error("\\x escape needs two hexadecimal digits", at: escapeStart)
            }
            let value = Self.hexValue(peek()) << 4 | Self.hexValue(peek(1))
            position += 2
            if bytes { literalBytes.append(UInt8(value)) } else { try appendScalar(value, at: escapeStart) }
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = c == UInt8(ascii: "u") ? 4 : 8
            var value: UInt32 = 0
            for i in 0..<count {
                guard Self.isHex(peek(i)) else {
                    throw error(
                        "\\\(Character(Unicode.Scalar(c))) escape needs \(count) hexadecimal digits", at: escapeStart)
                }
                value = value << 4 | Self.hexValue(peek(i))
            }
            position += count
            try appendScalar(value, at: escapeStart)
        case UInt8(ascii: "0")...UInt8(ascii: "3"):
            guard peek() >= 0x30 && peek() <= 0x37 && peek(1) >= 0x30 && peek(1) <= 0x37 else {
                throw error("octal escape needs three octal digits", at: escapeStart)
            }
            let value = UInt32(c - 0x30) << 6 | UInt32(peek() - 0x30) << 3 | UInt32(peek(1) - 0x30)
            position += 2
            if bytes { literalBytes.append(UInt8(value)) } else { try appendScalar(value, at: escapeStart) }
        default:
            throw error("invalid escape sequence", at: escapeStart)
        }
    }

    func error(_ message: String, at offset: Int) -> CELCompileError {
        CELCompileError(message, offset: offset, source: source)
    }
}
