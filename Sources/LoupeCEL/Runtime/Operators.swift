/// CEL's operators as functions over values; nodes and constant folding share them.
enum CELOps {
    static func overflow(_ op: String) -> CELValue { .error("integer overflow in \(op)") }

    static func add(_ a: CELValue, _ b: CELValue) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.addingReportingOverflow(y)
            return o ? overflow("int + int") : .int(r)
        case (.uint(let x), .uint(let y)):
            let (r, o) = x.addingReportingOverflow(y)
            return o ? overflow("uint + uint") : .uint(r)
        case (.double(let x), .double(let y)): return .double(x + y)
        case (.string(let x), .string(let y)): return .string(x + y)
        case (.bytes(let x), .bytes(let y)): return .bytes(CELBytes(x.bytes + y.bytes))
        case (.list(let x), .list(let y)): return .list(x + y)
        case (.timestamp(let t), .duration(let d)), (.duration(let d), .timestamp(let t)):
            return CELTimeOps.add(t, d)
        case (.duration(let x), .duration(let y)): return CELTimeOps.add(x, y)
        case (.error, _): return a
        case (_, .error): return b
        default: return .noSuchOverload("_+_", a, b)
        }
    }

    static func subtract(_ a: CELValue, _ b: CELValue) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.subtractingReportingOverflow(y)
            return o ? overflow("int - int") : .int(r)
        case (.uint(let x), .uint(let y)):
            let (r, o) = x.subtractingReportingOverflow(y)
            return o ? overflow("uint - uint") : .uint(r)
        case (.double(let x), .double(let y)): return .double(x - y)
        case (.timestamp(let x), .timestamp(let y)): return CELTimeOps.subtract(x, y)
        case (.timestamp(let t), .duration(let d)): return CELTimeOps.add(t, CELTimeOps.negate(d))
        case (.duration(let x), .duration(let y)): return CELTimeOps.add(x, CELTimeOps.negate(y))
        case (.error, _): return a
        case (_, .error): return b
        default: return .noSuchOverload("_-_", a, b)
        }
    }

    static func multiply(_ a: CELValue, _ b: CELValue) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.multipliedReportingOverflow(by: y)
            return o ? overflow("int * int") : .int(r)
        case (.uint(let x), .uint(let y)):
            let (r, o) = x.multipliedReportingOverflow(by: y)
            return o ? overflow("uint * uint") : .uint(r)
        case (.double(let x), .double(let y)): return .double(x * y)
        case (.error, _): return a
        case (_, .error): return b
        default: return .noSuchOverload("_*_", a, b)
        }
    }

    static func divide(_ a: CELValue, _ b: CELValue) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            if y == 0 { return .error("division by zero") }
            let (r, o) = x.dividedReportingOverflow(by: y)
            return o ? overflow("int / int") : .int(r)
        case (.uint(let x), .uint(let y)):
            if y == 0 { return .error("division by zero") }
            return .uint(x / y)
        case (.double(let x), .double(let y)): return .double(x / y)
        case (.error, _): return a
        case (_, .error): return b
        default: return .noSuchOverload("_/_", a, b)
        }
    }

    static func modulo(_ a: CELValue, _ b: CELValue) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            if y == 0 { return .error("modulus by zero") }
            let (r, o) = x.remainderReportingOverflow(dividingBy: y)
            return o ? overflow("int % int") : .int(r)
        case (.uint(let x), .uint(let y)):
            if y == 0 { return .error("modulus by zero") }
            return .uint(x % y)
        case (.error, _): return a
        case (_, .error): return b
        default: return .noSuchOverload("_%_", a, b)
        }
    }

    static func negate(_ a: CELValue) -> CELValue {
        switch a {
        case .int(let x):
            if x == .min { return overflow("-int") }
            return .int(-x)
        case .double(let x): return .double(-x)
        case .duration(let d): return .duration(CELTimeOps.negate(d))
        case .error: return a
        default: return .noSuchOverload("-_", a)
        }
    }

    static func not(_ a: CELValue) -> CELValue {
        switch a {
        case .bool(let x): return .bool(!x)
        case .error: return a
        default: return .noSuchOverload("!_", a)
        }
    }

    @inline(__always) static func equals(_ a: CELValue, _ b: CELValue) -> CELValue {
        if case .error = a { return a }
        if case .error = b { return b }
        return .bool(CELValue.celEquals(a, b))
    }

    @inline(__always) static func notEquals(_ a: CELValue, _ b: CELValue) -> CELValue {
        if case .error = a { return a }
        if case .error = b { return b }
        return .bool(!CELValue.celEquals(a, b))
    }

    /// Relational operators; `op` is the operator's symbol.
    enum Relation: String {
        case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    }

    static func relate(_ a: CELValue, _ b: CELValue, _ op: Relation) -> CELValue {
        if case .error = a { return a }
        if case .error = b { return b }
        switch CELValue.order(a, b, op.rawValue) {
        case .failure(let e): return .error(e)
        case .success(nil): return .bool(false)
        case .success(let c?):
            switch op {
            case .less: return .bool(c < 0)
            case .lessEqual: return .bool(c <= 0)
            case .greater: return .bool(c > 0)
            case .greaterEqual: return .bool(c >= 0)
            }
        }
    }

    static func index(_ a: CELValue, _ i: CELValue) -> CELValue {
        switch (a, i) {
        case (.error, _): return a
        case (_, .error): return i
        case (.optional, _): return optionalIndex(a, i)
        case (.list(let l), _):
            let position: Int64
            switch i {
            case .int(let x): position = x
            case .uint(let x): position = x > UInt64(Int64.max) ? -1 : Int64(x)
            case .double(let d):
                guard d == d.rounded(.towardZero), abs(d) < 9.2e18 else {
                    return .error("invalid_argument: list index \(d) is not an integer")
                }
                position = Int64(d)
            default: return .error("invalid_argument: no such overload: list[\(i.typeName)]")
            }
            guard position >= 0 && position < Int64(l.count) else {
                return .error("invalid_argument: index out of bounds: \(position) (list size \(l.count))")
            }
            return l[Int(position)]
        case (.map(let m), _):
            if let v = m[i] { return v }
            return .error("no such key: \(CELFormat.display(i))")
        default:
            return .noSuchOverload("_[_]", a, i)
        }
    }

    /// `elem in container`.
    static func contains(_ container: CELValue, _ element: CELValue) -> CELValue {
        switch (element, container) {
        case (.error, _): return element
        case (_, .error): return container
        case (_, .list(let l)):
            for x in l where CELValue.celEquals(x, element) { return .bool(true) }
            return .bool(false)
        case (_, .map(let m)):
            return .bool(m[element] != nil)
        default:
            return .noSuchOverload("@in", element, container)
        }
    }

    /// Field selection `a.f` on a map or host object. On an optional it behaves as `a.?f`.
    static func select(_ a: CELValue, _ field: String) -> CELValue {
        switch a {
        case .optional(nil): return a
        case .optional(let v?): return optionalSelect(v, field)
        case .map(let m):
            if let v = m[string: field] { return v }
            return .error("no such key: '\(field)'")
        case .object(let o):
            guard let f = o.schema.fields[field] else {
                return .error("no such field '\(field)' in \(o.schema.name)")
            }
            return o.field(at: f.index) ?? .error("field '\(field)' of \(o.schema.name) is not set")
        case .error: return a
        default:
            return .error("type '\(a.typeName)' does not support field selection")
        }
    }

    /// `a.?f`: `optional.of(a.f)` when the field or key is present, `optional.none()` otherwise.
    static func optionalSelect(_ a: CELValue, _ field: String) -> CELValue {
        switch a {
        case .optional(nil): return a
        case .optional(let v?): return optionalSelect(v, field)
        case .map(let m): return .optional(m[string: field])
        case .object(let o):
            guard let f = o.schema.fields[field] else {
                return .error("no such field '\(field)' in \(o.schema.name)")
            }
            return .optional(o.field(at: f.index))
        case .error: return a
        default: return .error("type '\(a.typeName)' does not support field selection")
        }
    }

    /// `a[?i]`: `optional.of(a[i])` when the index or key exists, `optional.none()` otherwise.
    static func optionalIndex(_ a: CELValue, _ i: CELValue) -> CELValue {
        switch (a, i) {
        case (.error, _): return a
        case (_, .error): return i
        case (.optional(nil), _): return a
        case (.optional(let v?), _): return optionalIndex(v, i)
        case (.map(let m), _): return .optional(m[i])
        case (.list(let l), _):
            let position: Int64
            switch i {
            case .int(let x): position = x
            case .uint(let x): position = x > UInt64(Int64.max) ? -1 : Int64(x)
            case .double(let d) where d == d.rounded(.towardZero) && abs(d) < 9.2e18: position = Int64(d)
            default: return .error("invalid_argument: no such overload: list[?\(i.typeName)]")
            }
            return .optional(position >= 0 && position < Int64(l.count) ? l[Int(position)] : nil)
        default:
            return .noSuchOverload("_[?_]", a, i)
        }
    }

    /// `has(a.f)`.
    static func has(_ a: CELValue, _ field: String) -> CELValue {
        switch a {
        case .optional(nil): return .bool(false)
        case .optional(let v?): return has(v, field)
        case .map(let m): return .bool(m[string: field] != nil)
        case .object(let o):
            guard let f = o.schema.fields[field] else {
                return .error("no such field '\(field)' in \(o.schema.name)")
            }
            return .bool(o.field(at: f.index) != nil)
        case .error: return a
        default:
            return .error("type '\(a.typeName)' does not support field selection")
        }
    }
}
