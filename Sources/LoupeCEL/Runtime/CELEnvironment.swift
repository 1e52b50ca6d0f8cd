/// Declarations an expression compiles against: variables (resolved to slots), functions,
/// the name-resolution container and limits.
public struct CELEnvironment: Sendable {
    /// A declared variable: its activation slot and declared type.
    public struct Variable: Sendable {
        public var name: String
        public var slot: Int
        public var type: CELType
    }

    /// Qualifies unqualified names (`y` also resolves as `container.y`).
    public var container: String = ""
    public var parserOptions = CELParserOptions()
    /// Total comprehension iterations one evaluation may run.
    public var iterationLimit: Int = 1_000_000
    /// When true, undeclared names, unknown functions and statically impossible overloads are
    /// compile errors (the checker); when false they become evaluation errors, like cel-go
    /// with checking disabled.
    public var strict: Bool = true

    public private(set) var variables: [String: Variable] = [:]
    public private(set) var variableOrder: [String] = []
    var functions: [String: [CELOverload]] = [:]

    /// An environment with the standard library and the strings extension.
    public init(standardLibrary: Bool = true) {
        if standardLibrary {
            for f in CELStandardLibrary.functions { register(f) }
        }
    }

    /// Declares a variable and returns its activation slot. Redeclaring keeps the slot and
    /// replaces the type.
    @discardableResult
    public mutating func declare(_ name: String, _ type: CELType = .dyn) -> Int {
        if var v = variables[name] {
            v.type = type
            variables[name] = v
            return v.slot
        }
        let slot = variableOrder.count
        variables[name] = Variable(name: name, slot: slot, type: type)
        variableOrder.append(name)
        return slot
    }

    /// Declares a host object variable whose fields come from `schema`.
    @discardableResult
    public mutating func declare(_ name: String, schema: CELObjectSchema) -> Int {
        declare(name, .schema(schema))
    }

    /// Adds a function's overloads (appending to any already registered under the name).
    public mutating func register(_ function: CELFunction) {
        functions[function.name, default: []].append(contentsOf: function.overloads)
    }

    /// Registers a set of functions, such as an extension library.
    public mutating func register(_ library: [CELFunction]) {
        for f in library { register(f) }
    }

    /// Whether a function name is registered.
    public func hasFunction(_ name: String) -> Bool { functions[name] != nil }

    /// Parses, checks and plans an expression.
    public func compile(_ source: String) throws(CELCompileError) -> CELProgram {
        let ast = try CELParser.parse(source, options: parserOptions)
        return try compile(ast, source: source)
    }

    /// Checks and plans an already parsed expression.
    public func compile(_ ast: CELExpr, source: String) throws(CELCompileError) -> CELProgram {
        var planner = CELPlanner(environment: self, source: Array(source.utf8))
        let (root, type) = try planner.plan(ast)
        return CELProgram(
            root: root, resultType: type, localCount: planner.localCount, environment: self, source: source)
    }

    /// A fresh activation with every declared variable unbound.
    public func makeActivation() -> CELActivation {
        CELActivation(names: variableOrder)
    }
}
