/// Equality and ordering with CEL's heterogeneous numeric rules.
extension CELValue {
    /// Compares an int with a double the way cel-go does, converting the int to double;
    /// nil when `d` is NaN.
    @inline(__always) static func compare(_ i: Int64, _ d: Double) -> Int? {
        if d.isNaN { return nil }
        let x = Double(i)
        return x < d ? -1 : x > d ? 1 : 0
    }

    /// Compares a uint with a double through double; nil when `d` is NaN.
    @inline(__always) static func compare(_ u: UInt64, _ d: Double) -> Int? {
        if d.isNaN { return nil }
        let x = Double(u)
        return x < d ? -1 : x > d ? 1 : 0
    }

    @inline(__always) static func compare(_ i: Int64, _ u: UInt64) -> Int {
        if i < 0 { return -1 }
        let iu = UInt64(i)
        return iu < u ? -1 : iu > u ? 1 : 0
    }

    @inline(__always) static func sign<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : a > b ? 1 : 0 }

    /// Orders two values: -1, 0, 1; nil when incomparable (NaN), or an error value when no
    /// ordering exists for the types.
    static func order(_ a: CELValue, _ b: CELValue, _ op: String) -> Result<Int?, CELEvalError> {
        switch (a, b) {
        case (.int(let x), .int(let y)): return .success(sign(x, y))
        case (.uint(let x), .uint(let y)): return .success(sign(x, y))
        case (.double(let x), .double(let y)):
            return .success(x.isNaN || y.isNaN ? nil : sign(x, y))
        case (.int(let x), .uint(let y)): return .success(compare(x, y))
        case (.uint(let x), .int(let y)): return .success(-compare(y, x))
        case (.int(let x), .double(let y)): return .success(compare(x, y))
        case (.double(let x), .int(let y)): return .success(compare(y, x).map { -$0 })
        case (.uint(let x), .double(let y)): return .success(compare(x, y))
        case (.double(let x), .uint(let y)): return .success(compare(y, x).map { -$0 })
        case (.string(let x), .string(let y)):
            // UTF-8 byte order equals code point order; no Unicode normalization.
            return .success(CELStrings.equal(x, y) ? 0 : x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1)
        case (.bytes(let x), .bytes(let y)): return .success(x == y ? 0 : x < y ? -1 : 1)
        case (.bool(let x), .bool(let y)): return .success(x == y ? 0 : (!x ? -1 : 1))
        case (.timestamp(let x), .timestamp(let y)): return .success(sign(x, y))
        case (.duration(let x), .duration(let y)): return .success(sign(x, y))
        default:
            return .failure(CELEvalError("no such overload: \(a.typeName) \(op) \(b.typeName)"))
        }
    }

    /// CEL equality: heterogeneous across numbers, false across other differing types.
    /// Errors are handled by the caller.
    public static func celEquals(_ a: CELValue, _ b: CELValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.uint(let x), .uint(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.int(let x), .uint(let y)): return compare(x, y) == 0
        case (.uint(let x), .int(let y)): return compare(y, x) == 0
        case (.int(let x), .double(let y)): return compare(x, y) == 0
        case (.double(let x), .int(let y)): return compare(y, x) == 0
        case (.uint(let x), .double(let y)): return compare(x, y) == 0
        case (.double(let x), .uint(let y)): return compare(y, x) == 0
        case (.string(let x), .string(let y)): return CELStrings.equal(x, y)
        case (.bytes(let x), .bytes(let y)): return x == y
        case (.list(let x), .list(let y)):
            guard x.count == y.count else { return false }
            for i in x.indices where !celEquals(x[i], y[i]) { return false }
            return true
        case (.map(let x), .map(let y)):
            guard x.count == y.count else { return false }
            for (i, key) in x.keys.enumerated() {
                guard let other = y[key], celEquals(x.values[i], other) else { return false }
            }
            return true
        case (.type(let x), .type(let y)): return x.runtimeName == y.runtimeName
        case (.timestamp(let x), .timestamp(let y)): return x == y
        case (.duration(let x), .duration(let y)): return x == y
        case (.object(let x), .object(let y)): return x === y
        case (.optional(let x), .optional(let y)):
            switch (x, y) {
            case (nil, nil): return true
            case (let a?, let b?): return celEquals(a, b)
            default: return false
            }
        default: return false
        }
    }
}

extension CELValue: Equatable {
    /// Structural identity (same kinds, same contents; NaN equals NaN; maps ignore order), for
    /// hosts and tests. CEL's own `==` is `celEquals`, which crosses numeric types.
    public static func == (a: CELValue, b: CELValue) -> Bool {
        switch (a, b) {
        case (.error(let x), .error(let y)): return x == y
        case (.object(let x), .object(let y)): return x === y
        default: return CELTypedJSON.identical(a, b)
        }
    }
}
