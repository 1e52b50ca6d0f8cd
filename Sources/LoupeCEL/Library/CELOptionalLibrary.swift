/// cel-go's optional types: `optional.of`, `optional.none`, `optional.ofNonZeroValue` and the
/// `hasValue`, `value`, `or`, `orValue` methods. (`.?f`, `[?i]`, `[?e]`, `{?k: v}`, `optMap` and
/// `optFlatMap` are syntax, handled by the parser and planner.)
enum CELOptionalLibrary {
    static let functions: [CELFunction] = [
        CELFunction("optional.of", [.unary("optional_of", .dyn, .optional(.dyn)) { .optional($0) }]),
        CELFunction(
            "optional.none",
            [CELOverload("optional_none", [], .optional(.dyn), impl: .variadic { _ in .optional(nil) })]),
        CELFunction(
            "optional.ofNonZeroValue",
            [
                .unary("optional_of_non_zero_value", .dyn, .optional(.dyn)) {
                    isZero($0) ? .optional(nil) : .optional($0)
                }
            ]),
        CELFunction(
            "hasValue",
            [
                .unary("optional_has_value", member: true, .optional(.dyn), .bool) { v in
                    guard case .optional(let o) = v else { return .noSuchOverload("hasValue", v) }
                    return .bool(o != nil)
                }
            ]),
        CELFunction(
            "value",
            [
                .unary("optional_value", member: true, .optional(.dyn), .dyn) { v in
                    guard case .optional(let o) = v else { return .noSuchOverload("value", v) }
                    return o ?? .error("optional.none() dereference")
                }
            ]),
        CELFunction(
            "or",
            [
                .binary("optional_or_optional", member: true, .optional(.dyn), .optional(.dyn), .optional(.dyn)) {
                    a, b in
                    guard case .optional(let o) = a else { return .noSuchOverload("or", a, b) }
                    return o == nil ? b : a
                }
            ]),
        CELFunction(
            "orValue",
            [
                .binary("optional_or_value", member: true, .optional(.dyn), .dyn, .dyn) { a, b in
                    guard case .optional(let o) = a else { return .noSuchOverload("orValue", a, b) }
                    return o ?? b
                }
            ]),
    ]

    /// The zero value of its type: null, false, 0, 0u, 0.0, "", b"", [], {}, a zero duration or
    /// the epoch, `optional.none()`.
    static func isZero(_ v: CELValue) -> Bool {
        switch v {
        case .null: return true
        case .bool(let b): return !b
        case .int(let i): return i == 0
        case .uint(let u): return u == 0
        case .double(let d): return d == 0
        case .string(let s): return s.isEmpty
        case .bytes(let b): return b.bytes.isEmpty
        case .list(let l): return l.isEmpty
        case .map(let m): return m.count == 0
        case .duration(let d): return d.seconds == 0 && d.nanos == 0
        case .timestamp(let t): return t.seconds == 0 && t.nanos == 0
        case .optional(let o): return o == nil
        default: return false
        }
    }
}
