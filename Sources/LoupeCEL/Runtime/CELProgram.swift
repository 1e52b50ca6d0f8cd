/// Values for an environment's declared variables, indexed by slot.
///
/// Programs compiled from the same environment share slot numbers, so one activation per event
/// serves every rule.
public struct CELActivation: @unchecked Sendable {
    public private(set) var values: [CELValue]
    /// Host objects bound in `values`, unretained (`values` keeps them alive), so reading an
    /// object's field costs no reference counting.
    private(set) var objects: [Unmanaged<CELHostObject>?]
    let slots: [String: Int]

    init(names: [String]) {
        values = names.map { .error("no value bound for variable '\($0)'") }
        // Never empty, so evaluation always has a base address (and needs no global).
        if values.isEmpty { values.append(.null) }
        objects = Array(repeating: nil, count: values.count)
        var slots: [String: Int] = [:]
        for (i, n) in names.enumerated() { slots[n] = i }
        self.slots = slots
    }

    /// The value in a slot (as `CELEnvironment.declare` returned it).
    @inline(__always) public subscript(slot: Int) -> CELValue {
        get { values[slot] }
        set {
            if case .object(let o) = newValue {
                objects[slot] = .passUnretained(o)
            } else {
                objects[slot] = nil
            }
            values[slot] = newValue
        }
    }

    /// Binds a variable by name; returns false when the environment did not declare it.
    @discardableResult
    public mutating func bind(_ name: String, _ value: CELValue) -> Bool {
        guard let slot = slots[name] else { return false }
        self[slot] = value
        return true
    }
}

/// A planned expression: evaluate it many times, from any thread.
public final class CELProgram: Sendable {
    let root: Node
    /// The statically inferred type of the result (`dyn` when unknown).
    public let resultType: CELType
    let localCount: Int
    let iterationLimit: Int
    /// How many variable slots the program may read.
    let slotCount: Int
    public let source: String
    let environment: CELEnvironment

    init(root: Node, resultType: CELType, localCount: Int, environment: CELEnvironment, source: String) {
        self.root = root
        self.resultType = resultType
        self.localCount = localCount
        self.iterationLimit = environment.iterationLimit
        self.slotCount = environment.variableOrder.count
        self.environment = environment
        self.source = source
    }

    /// The constant value when planning folded the whole expression.
    public var constantValue: CELValue? { root.constant }

    /// Evaluates against an activation; failures come back as `.error` values.
    ///
    /// The activation must come from this program's environment (or one that declared more
    /// variables after it); a smaller one is refused, since slots are read without checks.
    public func evaluate(_ activation: CELActivation) -> CELValue {
        guard activation.values.count >= slotCount else {
            return .error("activation has \(activation.values.count) slots; the program needs \(slotCount)")
        }
        return activation.values.withUnsafeBufferPointer { variables in
            activation.objects.withUnsafeBufferPointer { objects in
                let base = variables.baseAddress!
                let objectBase = objects.baseAddress!
                if localCount == 0 {
                    // No node writes locals when there are none; any valid pointer will do.
                    var c = EvalContext(
                        variables: base, objects: objectBase, locals: UnsafeMutablePointer(mutating: base),
                        iterationsLeft: iterationLimit)
                    return root.eval(&c)
                }
                return withUnsafeTemporaryAllocation(of: CELValue.self, capacity: localCount) { locals in
                    let p = locals.baseAddress!
                    p.initialize(repeating: .null, count: localCount)
                    defer { p.deinitialize(count: localCount) }
                    var c = EvalContext(variables: base, objects: objectBase, locals: p, iterationsLeft: iterationLimit)
                    return root.eval(&c)
                }
            }
        }
    }

    /// Evaluates with variables bound by name (convenient, not for hot paths).
    public func evaluate(_ bindings: [String: CELValue] = [:]) -> CELValue {
        var activation = environment.makeActivation()
        for (k, v) in bindings { activation.bind(k, v) }
        return evaluate(activation)
    }

    /// A fresh activation for this program's environment.
    public func makeActivation() -> CELActivation { environment.makeActivation() }
}

nonisolated(unsafe) private let emptyStorage: UnsafeMutablePointer<CELValue> = {
    let p = UnsafeMutablePointer<CELValue>.allocate(capacity: 1)
    p.initialize(to: .null)
    return p
}()
nonisolated(unsafe) let emptyVariables = UnsafePointer(emptyStorage)
nonisolated(unsafe) let emptyLocals = emptyStorage
nonisolated(unsafe) let emptyObjects: UnsafePointer<Unmanaged<CELHostObject>?> = {
    let p = UnsafeMutablePointer<Unmanaged<CELHostObject>?>.allocate(capacity: 1)
    p.initialize(to: nil)
    return UnsafePointer(p)
}()

/// Evaluates a node made only of constants (for folding at plan time).
func evaluateConstant(_ node: Node) -> CELValue {
    var c = EvalContext(
        variables: emptyVariables, objects: emptyObjects, locals: emptyLocals, iterationsLeft: 1_000_000)
    return node.eval(&c)
}
