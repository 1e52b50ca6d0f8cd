import LoupeCEL
import Testing

/// Compiles and evaluates `source`, declaring every binding as `dyn`; compile errors come back
/// as error values prefixed `compile:`.
func eval(_ source: String, _ bindings: [String: CELValue] = [:], strict: Bool = false) -> CELValue {
    var env = CELEnvironment()
    env.strict = strict
    env.register(CELHelperFunctions.all)
    for k in bindings.keys { env.declare(k) }
    do {
        return try env.compile(source).evaluate(bindings)
    } catch {
        return .error("compile: \(error)")
    }
}

/// The typed-JSON text of a value, for readable expectations.
func show(_ v: CELValue) -> String { CELTypedJSON.encode(v) }

/// Whether evaluation produced an error value.
func isError(_ v: CELValue) -> Bool {
    if case .error = v { return true }
    return false
}
