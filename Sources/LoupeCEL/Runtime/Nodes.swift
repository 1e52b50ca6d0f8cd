#if canImport(Glibc)
    import Glibc
#endif

/// What a node reads while evaluating: the activation's variables and the comprehension locals.
struct EvalContext {
    let variables: UnsafePointer<CELValue>
    /// The host objects among the variables, unretained (see `CELActivation`).
    let objects: UnsafePointer<Unmanaged<CELHostObject>?>
    let locals: UnsafeMutablePointer<CELValue>
    /// Comprehension iterations left before evaluation fails.
    var iterationsLeft: Int
}

/// A planned expression node. Subclasses are final; evaluation is one virtual call per node.
class Node: @unchecked Sendable {
    func eval(_ c: inout EvalContext) -> CELValue { fatalError("abstract") }
    /// The node's value when it is a constant.
    var constant: CELValue? { nil }
}

final class ConstNode: Node, @unchecked Sendable {
    let value: CELValue
    init(_ value: CELValue) { self.value = value }
    override func eval(_ c: inout EvalContext) -> CELValue { value }
    override var constant: CELValue? { value }
}

final class VariableNode: Node, @unchecked Sendable {
    let slot: Int
    init(_ slot: Int) { self.slot = slot }
    override func eval(_ c: inout EvalContext) -> CELValue { c.variables[slot] }
}

final class LocalNode: Node, @unchecked Sendable {
    let slot: Int
    init(_ slot: Int) { self.slot = slot }
    override func eval(_ c: inout EvalContext) -> CELValue { c.locals[slot] }
}

/// A host object's field, resolved to its index at plan time.
final class ObjectFieldNode: Node, @unchecked Sendable {
    let operand: Node
    let index: Int
    let name: String
    init(_ operand: Node, index: Int, name: String) {
        self.operand = operand
        self.index = index
        self.name = name
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        let o = operand.eval(&c)
        if case .object(let object) = o {
            return object.field(at: index) ?? .error("field '\(name)' of \(object.schema.name) is not set")
        }
        return CELOps.select(o, name)
    }
}

/// A declared host-object variable's field: one load and one virtual call.
final class VariableFieldNode: Node, @unchecked Sendable {
    let slot: Int
    let index: Int
    let name: String
    init(slot: Int, index: Int, name: String) {
        self.slot = slot
        self.index = index
        self.name = name
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        if let object = c.objects[slot] {
            let index = self.index
            if let value = object._withUnsafeGuaranteedRef({ $0.field(at: index) }) { return value }
        }
        return CELOps.select(c.variables[slot], name)
    }
}

final class ObjectHasNode: Node, @unchecked Sendable {
    let operand: Node
    let index: Int
    let name: String
    init(_ operand: Node, index: Int, name: String) {
        self.operand = operand
        self.index = index
        self.name = name
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        let o = operand.eval(&c)
        if case .object(let object) = o { return .bool(object.field(at: index) != nil) }
        return CELOps.has(o, name)
    }
}

final class SelectNode: Node, @unchecked Sendable {
    let operand: Node
    let field: String
    init(_ operand: Node, _ field: String) {
        self.operand = operand
        self.field = field
    }
    override func eval(_ c: inout EvalContext) -> CELValue { CELOps.select(operand.eval(&c), field) }
}

final class HasNode: Node, @unchecked Sendable {
    let operand: Node
    let field: String
    init(_ operand: Node, _ field: String) {
        self.operand = operand
        self.field = field
    }
    override func eval(_ c: inout EvalContext) -> CELValue { CELOps.has(operand.eval(&c), field) }
}

final class ErrorNode: Node, @unchecked Sendable {
    let message: String
    init(_ message: String) { self.message = message }
    override func eval(_ c: inout EvalContext) -> CELValue { .error(message) }
}

final class AndNode: Node, @unchecked Sendable {
    let left: Node
    let right: Node
    init(_ left: Node, _ right: Node) {
        self.left = left
        self.right = right
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        let l = left.eval(&c)
        if case .bool(false) = l { return l }
        let r = right.eval(&c)
        switch (l, r) {
        case (_, .bool(false)): return r
        case (.bool(true), .bool(true)): return r
        case (.error, _): return l
        case (_, .error): return r
        default: return .noSuchOverload("_&&_", l, r)
        }
    }
}

final class OrNode: Node, @unchecked Sendable {
    let left: Node
    let right: Node
    init(_ left: Node, _ right: Node) {
        self.left = left
        self.right = right
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        let l = left.eval(&c)
        if case .bool(true) = l { return l }
        let r = right.eval(&c)
        switch (l, r) {
        case (_, .bool(true)): return r
        case (.bool(false), .bool(false)): return r
        case (.error, _): return l
        case (_, .error): return r
        default: return .noSuchOverload("_||_", l, r)
        }
    }
}

final class ConditionalNode: Node, @unchecked Sendable {
    let condition: Node
    let whenTrue: Node
    let whenFalse: Node
    init(_ condition: Node, _ whenTrue: Node, _ whenFalse: Node) {
        self.condition = condition
        self.whenTrue = whenTrue
        self.whenFalse = whenFalse
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        switch condition.eval(&c) {
        case .bool(true): return whenTrue.eval(&c)
        case .bool(false): return whenFalse.eval(&c)
        case .error(let e): return .error(e)
        case let other: return .noSuchOverload("_?_:_", other)
        }
    }
}

final class UnaryNode: Node, @unchecked Sendable {
    let operand: Node
    let op: (CELValue) -> CELValue
    init(_ operand: Node, _ op: @escaping (CELValue) -> CELValue) {
        self.operand = operand
        self.op = op
    }
    override func eval(_ c: inout EvalContext) -> CELValue { op(operand.eval(&c)) }
}

/// Binary operators; the operator is a closure so one node class serves all of them.
final class BinaryNode: Node, @unchecked Sendable {
    let left: Node
    let right: Node
    let op: (CELValue, CELValue) -> CELValue
    init(_ left: Node, _ right: Node, _ op: @escaping (CELValue, CELValue) -> CELValue) {
        self.left = left
        self.right = right
        self.op = op
    }
    override func eval(_ c: inout EvalContext) -> CELValue { op(left.eval(&c), right.eval(&c)) }
}

/// `x == "constant"`: the common rule shape, without a closure call.
final class EqualsStringNode: Node, @unchecked Sendable {
    let operand: Node
    let bytes: UnsafeBufferPointer<UInt8>
    let negated: Bool
    init(_ operand: Node, _ value: String, negated: Bool) {
        self.operand = operand
        self.bytes = copyBytes(value)
        self.negated = negated
    }
    deinit { bytes.deallocate() }
    override func eval(_ c: inout EvalContext) -> CELValue {
        let v = operand.eval(&c)
        switch v {
        case .string(let s): return .bool(CELStrings.equal(s, bytes) != negated)
        case .error: return v
        default: return .bool(negated)
        }
    }
}

/// `event.field == "constant"` on a declared host object: the field is read and compared
/// without an intermediate node call.
final class FieldEqualsStringNode: Node, @unchecked Sendable {
    let field: VariableFieldNode
    let bytes: UnsafeBufferPointer<UInt8>
    let negated: Bool
    init(_ field: VariableFieldNode, _ value: String, negated: Bool) {
        self.field = field
        self.bytes = copyBytes(value)
        self.negated = negated
    }
    deinit { bytes.deallocate() }
    override func eval(_ c: inout EvalContext) -> CELValue {
        if let object = c.objects[field.slot] {
            let index = field.index
            let bytes = self.bytes
            let result: Bool? = object._withUnsafeGuaranteedRef { o in
                switch o.field(at: index) {
                case .string(let s)?: return CELStrings.equal(s, bytes)
                case .error?, nil: return nil
                default: return false
                }
            }
            if let result { return .bool(result != negated) }
        }
        let v = field.eval(&c)
        switch v {
        case .string(let s): return .bool(CELStrings.equal(s, bytes) != negated)
        case .error: return v
        default: return .bool(negated)
        }
    }
}

/// A constant's UTF-8 bytes in memory the node owns, so comparisons need no bridging.
func copyBytes(_ s: String) -> UnsafeBufferPointer<UInt8> {
    let bytes = Array(s.utf8)
    let p = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
    _ = p.initialize(from: bytes)
    return UnsafeBufferPointer(rebasing: UnsafeBufferPointer(p)[0..<bytes.count])
}

/// `x in [constants]` as a hash lookup.
final class InSetNode: Node, @unchecked Sendable {
    let operand: Node
    let keys: Set<CELMapKey>
    /// Constants that are not valid keys (doubles, nulls, lists...), compared one by one.
    let others: [CELValue]
    /// The string constants, in a table faster than `Set<String>` for this use.
    let strings: CELStringSet?
    init(_ operand: Node, keys: Set<CELMapKey>, others: [CELValue]) {
        self.operand = operand
        self.keys = keys
        self.others = others
        let strings = keys.compactMap { k -> String? in
            if case .string(let s) = k { return s }
            return nil
        }
        self.strings = strings.isEmpty ? nil : CELStringSet(strings)
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        let v = operand.eval(&c)
        if case .error = v { return v }
        if case .string(let s) = v, let strings {
            if strings.contains(s) { return .bool(true) }
        } else if let k = CELMapKey(v, forLookup: true), keys.contains(k) {
            return .bool(true)
        }
        for o in others where CELValue.celEquals(o, v) { return .bool(true) }
        return .bool(false)
    }
}

final class ListNode: Node, @unchecked Sendable {
    let elements: [Node]
    /// Per element, whether it was written `?e` (an optional, kept only when present).
    let optional: [Bool]
    init(_ elements: [Node], optional: [Bool] = []) {
        self.elements = elements
        self.optional = optional.isEmpty ? Array(repeating: false, count: elements.count) : optional
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        var out: [CELValue] = []
        out.reserveCapacity(elements.count)
        for (i, e) in elements.enumerated() {
            let v = e.eval(&c)
            if case .error = v { return v }
            if optional[i] {
                switch v {
                case .optional(let x?): out.append(x)
                case .optional(nil): continue
                default: return .error("optional list element of type \(v.typeName) is not an optional")
                }
            } else {
                out.append(v)
            }
        }
        return .list(out)
    }
}

final class MapNode: Node, @unchecked Sendable {
    let keys: [Node]
    let values: [Node]
    /// Per entry, whether it was written `?k: v` (kept only when the optional `v` is present).
    let optional: [Bool]
    init(keys: [Node], values: [Node], optional: [Bool] = []) {
        self.keys = keys
        self.values = values
        self.optional = optional.isEmpty ? Array(repeating: false, count: keys.count) : optional
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        var m = CELMap()
        for i in keys.indices {
            let k = keys[i].eval(&c)
            if case .error = k { return k }
            var v = values[i].eval(&c)
            if case .error = v { return v }
            if optional[i] {
                switch v {
                case .optional(let x?): v = x
                case .optional(nil): continue
                default: return .error("optional map entry value of type \(v.typeName) is not an optional")
                }
            }
            guard CELMapKey(k) != nil else { return .error("unsupported key type: \(k.typeName)") }
            if !m.insert(k, v) { return .error("Failed with repeated key: \(CELFormat.display(k))") }
        }
        return .map(m)
    }
}

/// A call to a function with one overload candidate set, dispatched on runtime types.
final class CallNode: Node, @unchecked Sendable {
    let name: String
    let arguments: [Node]
    let overloads: [CELOverload]
    init(_ name: String, _ arguments: [Node], _ overloads: [CELOverload]) {
        self.name = name
        self.arguments = arguments
        self.overloads = overloads
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        switch arguments.count {
        case 1:
            let a = arguments[0].eval(&c)
            if case .error = a { return a }
            return withUnsafeTemporaryAllocation(of: CELValue.self, capacity: 1) { buffer in
                buffer.initialize(repeating: a)
                defer { buffer.deinitialize() }
                return dispatch(UnsafeBufferPointer(buffer))
            }
        case 2:
            let a = arguments[0].eval(&c)
            if case .error = a { return a }
            let b = arguments[1].eval(&c)
            if case .error = b { return b }
            return withUnsafeTemporaryAllocation(of: CELValue.self, capacity: 2) { buffer in
                buffer.initializeElement(at: 0, to: a)
                buffer.initializeElement(at: 1, to: b)
                defer { buffer.deinitialize() }
                return dispatch(UnsafeBufferPointer(buffer))
            }
        default:
            var values: [CELValue] = []
            values.reserveCapacity(arguments.count)
            for a in arguments {
                let v = a.eval(&c)
                if case .error = v { return v }
                values.append(v)
            }
            return values.withUnsafeBufferPointer { dispatch($0) }
        }
    }

    @inline(__always) private func dispatch(_ args: UnsafeBufferPointer<CELValue>) -> CELValue {
        // Through the buffer, so that trying an overload reads it in place instead of copying it
        // (its strings, types and closures) for every call.
        let found = overloads.withUnsafeBufferPointer { candidates -> CELValue? in
            for i in candidates.indices where candidates[i].accepts(args) {
                return Self.invoke(candidates[i].impl, args)
            }
            return nil
        }
        if let found { return found }
        return .error("no such overload: \(name)(\(args.map(\.typeName).joined(separator: ", ")))")
    }

    @inline(__always) static func invoke(_ impl: CELFunctionImpl, _ args: UnsafeBufferPointer<CELValue>) -> CELValue {
        switch impl {
        case .unary(let f): return f(args[0])
        case .binary(let f): return f(args[0], args[1])
        case .ternary(let f): return f(args[0], args[1], args[2])
        case .variadic(let f): return f(Array(args))
        }
    }
}

/// A call whose single overload is known at plan time, with statically checked argument types.
final class DirectUnaryNode: Node, @unchecked Sendable {
    let argument: Node
    let body: @Sendable (CELValue) -> CELValue
    init(_ argument: Node, _ body: @escaping @Sendable (CELValue) -> CELValue) {
        self.argument = argument
        self.body = body
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        let a = argument.eval(&c)
        if case .error = a { return a }
        return body(a)
    }
}

final class DirectBinaryNode: Node, @unchecked Sendable {
    let first: Node
    let second: Node
    let body: @Sendable (CELValue, CELValue) -> CELValue
    init(_ first: Node, _ second: Node, _ body: @escaping @Sendable (CELValue, CELValue) -> CELValue) {
        self.first = first
        self.second = second
        self.body = body
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        let a = first.eval(&c)
        if case .error = a { return a }
        let b = second.eval(&c)
        if case .error = b { return b }
        return body(a, b)
    }
}

/// `s.startsWith("const")`, `endsWith`, `contains` on a constant: no dispatch, no closure.
final class StringTestNode: Node, @unchecked Sendable {
    enum Kind { case startsWith, endsWith, contains }
    let operand: Node
    let needle: String
    let bytes: UnsafeBufferPointer<UInt8>
    let kind: Kind
    init(_ operand: Node, _ needle: String, _ kind: Kind) {
        self.operand = operand
        self.needle = needle
        self.bytes = copyBytes(needle)
        self.kind = kind
    }
    deinit { bytes.deallocate() }
    override func eval(_ c: inout EvalContext) -> CELValue {
        let v = operand.eval(&c)
        guard case .string(let s) = v else {
            if case .error = v { return v }
            return .noSuchOverload("\(kind)", v, .string(needle))
        }
        return .bool(matches(s))
    }

    @inline(__always) func matches(_ s: String) -> Bool {
        switch kind {
        case .startsWith: return CELStrings.hasPrefix(s, bytes)
        case .endsWith: return CELStrings.hasSuffix(s, bytes)
        case .contains: return CELStrings.contains(s, bytes)
        }
    }
}

/// `s.matches("constant")` with the pattern compiled at plan time.
final class MatchesConstNode: Node, @unchecked Sendable {
    let operand: Node
    let regex: CELRegex
    init(_ operand: Node, _ regex: CELRegex) {
        self.operand = operand
        self.regex = regex
    }
    override func eval(_ c: inout EvalContext) -> CELValue {
        let v = operand.eval(&c)
        guard case .string(let s) = v else {
            if case .error = v { return v }
            return .noSuchOverload("matches", v, .string(regex.pattern))
        }
        return .bool(regex.matches(s))
    }
}
