/// The body of a function overload, by arity so calls need no argument array.
public enum CELFunctionImpl: Sendable {
    case unary(@Sendable (CELValue) -> CELValue)
    case binary(@Sendable (CELValue, CELValue) -> CELValue)
    case ternary(@Sendable (CELValue, CELValue, CELValue) -> CELValue)
    case variadic(@Sendable ([CELValue]) -> CELValue)
}

/// One overload of a CEL function.
///
/// A member overload (`"abc".startsWith("a")`) receives its receiver as the first argument and
/// lists the receiver's type first in `parameters`.
public struct CELOverload: Sendable {
    public var id: String
    public var isMember: Bool
    public var parameters: [CELType]
    public var result: CELType
    public var impl: CELFunctionImpl
    /// Whether calls with constant arguments may be evaluated once at plan time.
    public var isPure: Bool
    /// Arguments that must be constants compiled at plan time (such as regex patterns), validated
    /// by this hook; a thrown message becomes a compile error.
    public var validateConstant: (@Sendable (Int, CELValue) -> String?)?
    /// Whether calls may pass more arguments than `parameters` lists (the extra ones are not
    /// type-checked; the implementation must be `.variadic`).
    public var isVariadic = false

    public init(
        _ id: String, member: Bool = false, _ parameters: [CELType], _ result: CELType, pure: Bool = true,
        validateConstant: (@Sendable (Int, CELValue) -> String?)? = nil, impl: CELFunctionImpl
    ) {
        self.id = id
        self.isMember = member
        self.parameters = parameters
        self.result = result
        self.impl = impl
        self.isPure = pure
        self.validateConstant = validateConstant
    }

    /// Convenience for one-argument overloads.
    public static func unary(
        _ id: String, member: Bool = false, _ p: CELType, _ result: CELType, pure: Bool = true,
        _ body: @escaping @Sendable (CELValue) -> CELValue
    ) -> CELOverload {
        CELOverload(id, member: member, [p], result, pure: pure, impl: .unary(body))
    }

    /// Convenience for two-argument overloads.
    public static func binary(
        _ id: String, member: Bool = false, _ p0: CELType, _ p1: CELType, _ result: CELType, pure: Bool = true,
        _ body: @escaping @Sendable (CELValue, CELValue) -> CELValue
    ) -> CELOverload {
        CELOverload(id, member: member, [p0, p1], result, pure: pure, impl: .binary(body))
    }

    /// Convenience for three-argument overloads.
    public static func ternary(
        _ id: String, member: Bool = false, _ p0: CELType, _ p1: CELType, _ p2: CELType, _ result: CELType,
        pure: Bool = true, _ body: @escaping @Sendable (CELValue, CELValue, CELValue) -> CELValue
    ) -> CELOverload {
        CELOverload(id, member: member, [p0, p1, p2], result, pure: pure, impl: .ternary(body))
    }

    /// Whether runtime values fit the parameter types.
    @inline(__always) func accepts(_ args: UnsafeBufferPointer<CELValue>) -> Bool {
        for i in 0..<parameters.count where !args[i].conforms(to: parameters[i]) { return false }
        return true
    }

    /// Whether a call with `count` arguments fits this overload's arity.
    @inline(__always) func fits(arity count: Int) -> Bool {
        isVariadic ? count >= parameters.count : count == parameters.count
    }

    /// Whether statically known types could fit the parameter types.
    func mayAccept(_ types: [CELType]) -> Bool {
        for i in 0..<parameters.count where !types[i].isAssignable(to: parameters[i]) { return false }
        return true
    }
}

/// A named function: its overloads, global and member.
public struct CELFunction: Sendable {
    public var name: String
    public var overloads: [CELOverload]
    public init(_ name: String, _ overloads: [CELOverload]) {
        self.name = name
        self.overloads = overloads
    }
}

extension CELValue {
    /// Whether the value belongs to `type` for overload selection.
    @inline(__always) func conforms(to type: CELType) -> Bool {
        switch (type, self) {
        case (.dyn, _), (.int, .int), (.uint, .uint), (.double, .double), (.bool, .bool), (.string, .string),
            (.bytes, .bytes), (.null, .null), (.list, .list), (.map, .map), (.type, .type),
            (.timestamp, .timestamp), (.duration, .duration), (.error, .error):
            return true
        case (.optional, .optional): return true
        case (.object(let name), .object(let o)): return o.schema.name == name
        case (.schema(let s), .object(let o)): return o.schema === s
        default: return false
        }
    }
}

extension CELType {
    /// Whether a value of static type `self` may be passed where `target` is expected.
    func isAssignable(to target: CELType) -> Bool {
        switch (self, target) {
        case (.dyn, _), (_, .dyn), (.error, _): return true
        case (.list(let a), .list(let b)): return a.isAssignable(to: b)
        case (.map(let k1, let v1), .map(let k2, let v2)): return k1.isAssignable(to: k2) && v1.isAssignable(to: v2)
        case (.type, .type), (.optional, .optional): return true
        case (.schema(let s), .object(let n)), (.object(let n), .schema(let s)): return s.name == n
        default: return self == target
        }
    }
}
