/// A shell-style pattern: `*` any run of characters (`/` included), `?` one character, `[abc]`,
/// `[a-z]`, `[!a-z]` or `[^a-z]` one character of (or not of) a set, `\x` a literal `x`.
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        case any
        case star
        case set(ranges: [ClosedRange<Unicode.Scalar>], negated: Bool)
    }

    /// The pattern as written.
    public let pattern: String
    let tokens: [Token]

    public var description: String { pattern }

    /// Compiles `pattern`; throws a message for an unterminated `[` or a trailing `\`.
    public init(_ pattern: String) throws(GlobError) {
        self.pattern = pattern
        var tokens: [Token] = []
        let s = Array(pattern.unicodeScalars)
        var i = 0
        while i < s.count {
            let c = s[i]
            switch c {
            case "*":
                if tokens.last != .star { tokens.append(.star) }
                i += 1
            case "?":
                tokens.append(.any)
                i += 1
            case "\\":
                guard i + 1 < s.count else { throw GlobError(pattern: pattern, message: "trailing backslash") }
                tokens.append(.literal(s[i + 1]))
                i += 2
            case "[":
                var j = i + 1
                var negated = false
                if j < s.count, s[j] == "!" || s[j] == "^" {
                    negated = true
                    j += 1
                }
                var ranges: [ClosedRange<Unicode.Scalar>] = []
                var first = true
                while j < s.count, s[j] != "]" || first {
                    first = false
                    var lo = s[j]
                    if lo == "\\", j + 1 < s.count {
                        j += 1
                        lo = s[j]
                    }
                    if j + 2 < s.count, s[j + 1] == "-", s[j + 2] != "]" {
                        let hi = s[j + 2]
                        guard lo <= hi else {
                            throw GlobError(pattern: pattern, message: "bad range \(lo)-\(hi)")
                        }
                        ranges.append(lo...hi)
                        j += 3
                    } else {
                        ranges.append(lo...lo)
                        j += 1
                    }
                }
                guard j < s.count else { throw GlobError(pattern: pattern, message: "unterminated [") }
                tokens.append(.set(ranges: ranges, negated: negated))
                i = j + 1
            default:
                tokens.append(.literal(c))
                i += 1
            }
        }
        self.tokens = tokens
    }

    /// True when the whole of `text` matches.
    public func matches(_ text: String) -> Bool {
        let s = Array(text.unicodeScalars)
        // Iterative matching with one backtrack point (the last `*`): linear for common patterns,
        // never exponential.
        var p = 0
        var t = 0
        var starP = -1
        var starT = 0
        while t < s.count {
            if p < tokens.count {
                switch tokens[p] {
                case .star:
                    starP = p
                    starT = t
                    p += 1
                    continue
                case .any:
                    p += 1
                    t += 1
                    continue
                case .literal(let c) where c == s[t]:
                    p += 1
                    t += 1
                    continue
                case .set(let ranges, let negated) where ranges.contains(where: { $0.contains(s[t]) }) != negated:
                    p += 1
                    t += 1
                    continue
                default: break
                }
            }
            guard starP >= 0 else { return false }
            p = starP + 1
            starT += 1
            t = starT
        }
        while p < tokens.count, tokens[p] == .star { p += 1 }
        return p == tokens.count
    }
}

/// A pattern that cannot be compiled.
public struct GlobError: Error, Sendable, Hashable, CustomStringConvertible {
    public var pattern: String
    public var message: String

    public init(pattern: String, message: String) {
        self.pattern = pattern
        self.message = message
    }

    public var description: String { "invalid pattern \"\(pattern)\": \(message)" }
}

extension [GlobPattern] {
    /// True when any pattern matches `text`.
    public func anyMatches(_ text: String) -> Bool { contains { $0.matches(text) } }
}
