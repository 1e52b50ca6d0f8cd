/// The error returned when a comprehension runs past the iteration budget.
let iterationLimitError = CELValue.error("comprehension iteration limit exceeded")

/// Iterates a list (index, element) or a map (key, value), binding locals; `body` returns false to
/// stop early. Returns an error value when the range cannot be iterated or the budget runs out.
@inline(__always)
private func iterate(
    _ range: CELValue, _ c: inout EvalContext, slot1: Int, slot2: Int?, macro: String,
    _ body: (inout EvalContext) -> Bool
) -> CELValue? {
    switch range {
    case .list(let list):
        for (i, element) in list.enumerated() {
            c.iterationsLeft -= 1
            if c.iterationsLeft < 0 { return iterationLimitError }
            if let slot2 {
                c.locals[slot1] = .int(Int64(i))
                c.locals[slot2] = element
            } else {
                c.locals[slot1] = element
            }
            if !body(&c) { break }
        }
        return nil
    case .map(let map):
        for i in 0..<map.count {
            c.iterationsLeft -= 1
            if c.iterationsLeft < 0 { return iterationLimitError }
            c.locals[slot1] = map.key(at: i)
            if let slot2 { c.locals[slot2] = map.value(at: i) }
            if !body(&c) { break }
        }
        return nil
    case .error:
        return range
    default:
        return .error("no such overload: \(macro) over \(range.typeName)")
    }
}

/// `all`, `exists` and `exists_one`, one or two variables.
final class QuantifierNode: Node, @unchecked Sendable {
    enum Kind { case all, exists, existsOne }
    let kind: Kind
    let range: Node
    let slot1: Int
    let slot2: Int?
    let predicate: Node
    init(_ kind: Kind, range: Node, slot1: Int, slot2: Int?, predicate: Node) {
        self.kind = kind
        self.range = range
        self.slot1 = slot1
        self.slot2 = slot2
        self.predicate = predicate
    }

    override func eval(_ c: inout EvalContext) -> CELValue {
        let r = range.eval(&c)
        // The hot shape (`list.exists(x, p)`): a plain loop, no closure.
        if kind != .existsOne, slot2 == nil, case .list(let list) = r {
            let stopOn = kind == .exists
            var firstError: CELValue? = nil
            for element in list {
                c.iterationsLeft -= 1
                if c.iterationsLeft < 0 { return iterationLimitError }
                c.locals[slot1] = element
                let p = predicate.eval(&c)
                if case .bool(let b) = p {
                    if b == stopOn { return p }
                } else if firstError == nil {
                    firstError = p.isError ? p : .noSuchOverload(stopOn ? "exists" : "all", p)
                }
            }
            return firstError ?? .bool(!stopOn)
        }
        var firstError: CELValue? = nil
        var decided = false
        var count = 0
        let kind = self.kind
        let predicate = self.predicate
        let name = kind == .all ? "all" : kind == .exists ? "exists" : "exists_one"
        if let failure = iterate(
            r, &c, slot1: slot1, slot2: slot2, macro: name,
            { c in
                let p = predicate.eval(&c)
                switch (kind, p) {
                case (.exists, .bool(true)), (.all, .bool(false)):
                    decided = true
                    return false
                case (.existsOne, .bool(true)):
                    count += 1
                    return true
                case (_, .bool):
                    return true
                case (.existsOne, .error):
                    firstError = p
                    return false
                case (_, .error):
                    if firstError == nil { firstError = p }
                    return true
                default:
                    let e = CELValue.noSuchOverload(name, p)
                    if kind == .existsOne {
                        firstError = e
                        return false
                    }
                    if firstError == nil { firstError = e }
                    return true
                }
            })
        {
            return failure
        }
        switch kind {
        case .exists:
            if decided { return .bool(true) }
            return firstError ?? .bool(false)
        case .all:
            if decided { return .bool(false) }
            return firstError ?? .bool(true)
        case .existsOne:
            return firstError ?? .bool(count == 1)
        }
    }
}

/// `map`, `filter`, `transformList` (with or without a filter): builds a list.
final class ListComprehensionNode: Node, @unchecked Sendable {
    let range: Node
    let slot1: Int
    let slot2: Int?
    let filter: Node?
    /// nil for `filter`, which keeps the iterated element itself.
    let transform: Node?
    let name: String
    init(_ name: String, range: Node, slot1: Int, slot2: Int?, filter: Node?, transform: Node?) {
        self.name = name
        self.range = range
        self.slot1 = slot1
        self.slot2 = slot2
        self.filter = filter
        self.transform = transform
    }

    override func eval(_ c: inout EvalContext) -> CELValue {
        let r = range.eval(&c)
        var out: [CELValue] = []
        var failure: CELValue? = nil
        let filter = self.filter
        let transform = self.transform
        let slot1 = self.slot1
        let name = self.name
        if let f = iterate(
            r, &c, slot1: slot1, slot2: slot2, macro: name,
            { c in
                if let filter {
                    guard let keep = admits(filter, &c, macro: name, failure: &failure) else { return false }
                    if !keep { return true }
                }
                let v = transform?.eval(&c) ?? c.locals[slot1]
                if case .error = v {
                    failure = v
                    return false
                }
                out.append(v)
                return true
            })
        {
            return f
        }
        return failure ?? .list(out)
    }
}

/// `transformMap(k, v, [filter,] expr)`: a map with the same keys and transformed values.
final class TransformMapNode: Node, @unchecked Sendable {
    let range: Node
    let slot1: Int
    let slot2: Int
    let filter: Node?
    let transform: Node
    init(range: Node, slot1: Int, slot2: Int, filter: Node?, transform: Node) {
        self.range = range
        self.slot1 = slot1
        self.slot2 = slot2
        self.filter = filter
        self.transform = transform
    }

    override func eval(_ c: inout EvalContext) -> CELValue {
        let r = range.eval(&c)
        var out = CELMap()
        var failure: CELValue? = nil
        let filter = self.filter
        let transform = self.transform
        let slot1 = self.slot1
        if let f = iterate(
            r, &c, slot1: slot1, slot2: slot2, macro: "transformMap",
            { c in
                if let filter {
                    guard let keep = admits(filter, &c, macro: "transformMap", failure: &failure) else { return false }
                    if !keep { return true }
                }
                let v = transform.eval(&c)
                if case .error = v {
                    failure = v
                    return false
                }
                out.set(c.locals[slot1], v)
                return true
            })
        {
            return f
        }
        return failure ?? .map(out)
    }
}

/// `cel.bind(name, init, body)`.
final class BindNode: Node, @unchecked Sendable {
    let slot: Int
    let initial: Node
    let body: Node
    init(slot: Int, initial: Node, body: Node) {
        self.slot = slot
        self.initial = initial
        self.body = body
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        c.locals[slot] = initial.eval(&c)
        return body.eval(&c)
    }
}

/// `list.exists(x, x.startsWith("c"))` and the like: the predicate is a constant string test
/// on the iteration variable, so elements are tested in place without binding a local.
final class StringQuantifierNode: Node, @unchecked Sendable {
    let range: Node
    let test: StringTestNode
    let isExists: Bool
    init(range: Node, test: StringTestNode, isExists: Bool) {
        self.range = range
        self.test = test
        self.isExists = isExists
    }

    override func eval(_ c: inout EvalContext) -> CELValue {
        let r = range.eval(&c)
        let elements: [CELValue]
        switch r {
        case .list(let l): elements = l
        case .map(let m): elements = m.keys
        case .error: return r
        default: return .error("no such overload: \(isExists ? "exists" : "all") over \(r.typeName)")
        }
        if c.iterationsLeft < elements.count {
            c.iterationsLeft = -1
            return iterationLimitError
        }
        c.iterationsLeft -= elements.count
        var firstError: CELValue? = nil
        for element in elements {
            if case .string(let s) = element {
                if test.matches(s) == isExists { return .bool(isExists) }
            } else if firstError == nil {
                firstError = .noSuchOverload("\(test.kind)", element, .string(test.needle))
            }
        }
        return firstError ?? .bool(!isExists)
    }
}

/// `['/a/', '/b/'].exists(p, s.startsWith(p))` and the like: constant needles tested against a
/// subject that does not depend on the variable, so the subject is evaluated once and each needle
/// compared as pre-encoded bytes.
final class StringNeedlesNode: Node, @unchecked Sendable {
    let subject: Node
    let needles: [String]
    let bytes: [UnsafeBufferPointer<UInt8>]
    let kind: StringTestNode.Kind
    let isExists: Bool
    init(_ subject: Node, needles: [String], kind: StringTestNode.Kind, isExists: Bool) {
        self.subject = subject
        self.needles = needles
        self.bytes = needles.map(copyBytes)
        self.kind = kind
        self.isExists = isExists
    }
    deinit { for b in bytes { b.deallocate() } }

    override func eval(_ c: inout EvalContext) -> CELValue {
        if needles.isEmpty { return .bool(!isExists) }
        if c.iterationsLeft < needles.count {
            c.iterationsLeft = -1
            return iterationLimitError
        }
        c.iterationsLeft -= needles.count
        let v = subject.eval(&c)
        guard case .string(let s) = v else {
            // Every iteration would fail the same way; the first failure is the result.
            if case .error = v { return v }
            return .noSuchOverload("\(kind)", v, .string(needles[0]))
        }
        for needle in bytes {
            let hit: Bool
            switch kind {
            case .startsWith: hit = CELStrings.hasPrefix(s, needle)
            case .endsWith: hit = CELStrings.hasSuffix(s, needle)
            case .contains: hit = CELStrings.contains(s, needle)
            }
            if hit == isExists { return .bool(isExists) }
        }
        return .bool(!isExists)
    }
}

/// `opt.optMap(x, e)` (`optional.of(e)` when present) and `opt.optFlatMap(x, e)` (`e`, itself an
/// optional, when present); `optional.none()` stays none.
final class OptionalMapNode: Node, @unchecked Sendable {
    let range: Node
    let slot: Int
    let body: Node
    let flat: Bool
    init(range: Node, slot: Int, body: Node, flat: Bool) {
        self.range = range
        self.slot = slot
        self.body = body
        self.flat = flat
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        let r = range.eval(&c)
        switch r {
        case .optional(nil), .error: return r
        case .optional(let v?):
            c.locals[slot] = v
            let result = body.eval(&c)
            if case .error = result { return result }
            if !flat { return .optional(result) }
            if case .optional = result { return result }
            return .error("optFlatMap: the expression must produce an optional, got \(result.typeName)")
        default:
            return .noSuchOverload(flat ? "optFlatMap" : "optMap", r)
        }
    }
}

/// The filter of `map(x, filter, expr)` and `transformList/transformMap`: true keeps the
/// element, false skips it, nil stops the macro with `failure` (an error, or a non-bool filter).
@inline(__always)
private func admits(_ filter: Node, _ c: inout EvalContext, macro: String, failure: inout CELValue?) -> Bool? {
    switch filter.eval(&c) {
    case .bool(let keep): return keep
    case .error(let e):
        failure = .error(e)
        return nil
    case let other:
        failure = .noSuchOverload(macro, other)
        return nil
    }
}
