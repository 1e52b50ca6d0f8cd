// libFuzzer entry point for the CEL parser and planner. Built by run.sh together with the
// LoupeCEL sources into one module; inputs that crash are saved and then replayed by
// Tests/LoupeCELTests (`pastFuzzCrashersAreHandled`) after being copied to crashers/.

/// Parses, compiles (non-strict, so unknown names still plan) and evaluates the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? CELParser.parse(source)
    var env = CELEnvironment()
    env.strict = false
    env.iterationLimit = 10_000
    env.declare("x", .dyn)
    env.register(CELHelperFunctions.all)
    if let program = try? env.compile(source) {
        _ = program.evaluate(["x": .list([.int(1), .string("a"), .double(2.5)])])
    }
    return 0
}
