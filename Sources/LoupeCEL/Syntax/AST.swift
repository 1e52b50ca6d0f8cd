/// A half-open byte range `[start, end)` of the expression source.
public struct CELSpan: Sendable, Hashable {
    public var start: Int32
    public var end: Int32

    public init(_ start: Int, _ end: Int) {
        self.start = Int32(truncatingIfNeeded: start)
        self.end = Int32(truncatingIfNeeded: end)
    }

    /// The smallest span covering both.
    public func union(_ other: CELSpan) -> CELSpan {
        var span = self
        span.start = min(start, other.start)
        span.end = max(end, other.end)
        return span
    }
}

/// The macros the parser expands into comprehension nodes.
public enum CELMacroKind: String, Sendable {
    case all, exists, existsOne, map, mapFilter, filter, bind
    case transformList, transformListFilter, transformMap, transformMapFilter
    /// `opt.optMap(x, e)` and `opt.optFlatMap(x, e)` of optional types.
    case optMap, optFlatMap
}

/// A macro expansion: iterate `range` binding `variable` (and `variable2` for two-variable
/// macros), evaluating `arguments` per element.
public struct CELComprehension: Sendable {
    public var kind: CELMacroKind
    public var range: CELExpr
    public var variable: String
    public var variable2: String?
    /// The macro's body expressions: predicate, transform, or filter then transform.
    public var arguments: [CELExpr]
}

/// A parsed CEL expression. Operators are calls to functions named as in cel-go
/// (`_+_`, `_&&_`, `_?_:_`, `_[_]`, `!_`, `-_`, `@in`).
public indirect enum CELExpr: Sendable {
    case literal(CELValue, CELSpan)
    case ident(String, leadingDot: Bool, CELSpan)
    case select(CELExpr, field: String, testOnly: Bool, CELSpan)
    case call(target: CELExpr?, function: String, arguments: [CELExpr], CELSpan)
    /// A list literal; elements at `optionalIndices` were written `?e` (kept only when present).
    case list([CELExpr], optionalIndices: [Int], CELSpan)
    case map([CELMapEntryExpr], CELSpan)
    case message(typeName: String, fields: [(String, CELExpr)], CELSpan)
    case comprehension(CELComprehension, CELSpan)

    /// Where the expression sits in the source.
    public var span: CELSpan {
        switch self {
        case .literal(_, let s), .ident(_, _, let s), .select(_, _, _, let s), .call(_, _, _, let s),
            .list(_, _, let s), .map(_, let s), .message(_, _, let s), .comprehension(_, let s):
            return s
        }
    }

    /// The dotted name this expression spells when it is a chain of identifiers (`a.b.c`).
    var qualifiedName: String? {
        switch self {
        case .ident(let name, let dot, _): return dot ? "." + name : name
        case .select(let operand, let field, false, _):
            guard let prefix = operand.qualifiedName else { return nil }
            return prefix + "." + field
        default: return nil
        }
    }
}

/// One `key: value` entry of a map literal.
public struct CELMapEntryExpr: Sendable {
    public var key: CELExpr
    public var value: CELExpr
    /// Written `?key: value`: the entry exists only when the optional value is present.
    public var isOptional = false
}
