import LoupeCEL
import Testing

/// An event schema shaped like the engine's (kubescape-facts §1), for checking that rule-shaped
/// expressions compile in strict mode and evaluate as expected.
private let requestSchema = CELObjectSchema(name: "test.Request", fields: [("method", .string), ("path", .string)])
private let eventSchema = CELObjectSchema(
    name: "test.RuleEvent",
    fields: [
        ("comm", .string), ("pcomm", .string), ("pid", .uint), ("exepath", .string), ("args", .list(.string)),
        ("upperlayer", .bool), ("pupperlayer", .bool), ("containerId", .string), ("dstPort", .int),
        ("dstAddr", .string), ("name", .string), ("tty", .int), ("request", .schema(requestSchema)),
        ("flags", .list(.string)), ("path", .string),
    ])

private final class RuleEvent: CELHostObject, @unchecked Sendable {
    var fields: [String: CELValue]
    init(_ fields: [String: CELValue]) {
        self.fields = fields
        super.init(schema: eventSchema)
    }
    override func field(at index: Int) -> CELValue? {
        for (name, f) in eventSchema.fields where f.index == index { return fields[name] }
        return nil
    }
}

private final class Request: CELHostObject, @unchecked Sendable {
    init() { super.init(schema: requestSchema) }
    override func field(at index: Int) -> CELValue? { index == 0 ? .string("POST") : .string("/api") }
}

private func ruleEnvironment() -> (CELEnvironment, Int, Int) {
    var env = CELEnvironment()
    let event = env.declare("event", schema: eventSchema)
    let eventType = env.declare("eventType", .string)
    env.register(CELHelperFunctions.all)
    for name in ["ap.was_executed", "cp.was_executed", "nn.was_address_in_egress"] {
        env.register(
            CELFunction(
                name,
                [
                    .binary(name, .string, .string, .bool, pure: false) { _, path in
                        .bool(path == .string("/bin/ls"))
                    }
                ]))
    }
    env.register(
        CELFunction(
            "k8s.get_container_mount_paths",
            [
                .ternary("k8s_mounts", .string, .string, .string, .list(.string), pure: false) { _, _, _ in
                    .list([.string("/mnt/data")])
                }
            ]))
    env.register(
        CELFunction(
            "process.get_process_env",
            [
                .unary("process_env", .int, .map(.string, .string), pure: false) { _ in
                    .map(CELMap(["LD_PRELOAD": .string("x")]))
                }
            ]
        ))
    return (env, event, eventType)
}

private let ruleCases: [(String, Bool)] = [
    ("!ap.was_executed(event.containerId, parse.get_exec_path(event.args, event.comm))", true),
    ("event.exepath.startsWith('/dev/shm') || (size(event.args) > 0 && event.args[0].startsWith('/dev/shm'))", true),
    ("(event.upperlayer == true || event.pupperlayer) && !cp.was_executed(event.containerId, event.exepath)", true),
    ("event.exepath.contains('memfd') || event.exepath.matches('^/proc/[0-9]+/fd/[0-9]+$')", false),
    ("event.dstPort in [3333, 45700] && !nn.was_address_in_egress(event.containerId, event.dstAddr)", true),
    ("event.name.endsWith('.') && event.name in ['pool.minexmr.com.', 'xmr.pool.example.']", true),
    ("has(event.tty) && event.tty != 0", false),
    ("k8s.get_container_mount_paths('ns', 'pod', 'c').exists(m, event.exepath.startsWith(m))", false),
    ("'LD_PRELOAD' in process.get_process_env(int(event.pid))", true),
    ("event.request.method == 'POST' && event.request.path.startsWith('/api')", true),
    ("eventType == 'exec' && event.pid > 1 && event.pid != 0u", true),
    ("'Unexpected process ' + event.comm + ' (pid ' + string(event.pid) + ')' != ''", true),
    ("event.args.join(' ').matches('(sh|bash) -i')", false),
    ("event.flags.exists(f, f in ['O_WRONLY', 'O_RDWR']) && event.path.startsWith('/etc/')", true),
    ("dyn(event.pid) == 4242 && uint(event.dstPort) == 3333u", true),
]

@Test("rule-shaped expressions compile strictly and evaluate", arguments: ruleCases)
func ruleShape(_ source: String, _ expected: Bool) throws {
    let (env, eventSlot, typeSlot) = ruleEnvironment()
    let program = try env.compile(source)
    var activation = program.makeActivation()
    activation[typeSlot] = .string("exec")
    activation[eventSlot] = .object(
        RuleEvent([
            "comm": .string("xmrig"), "pcomm": .string("sh"), "pid": .uint(4242), "exepath": .string("/dev/shm/xmrig"),
            "args": .list([.string("/dev/shm/xmrig"), .string("-o")]), "upperlayer": .bool(true),
            "pupperlayer": .bool(false), "containerId": .string("c1"), "dstPort": .int(3333),
            "dstAddr": .string("1.2.3.4"), "name": .string("pool.minexmr.com."), "request": .object(Request()),
            "flags": .list([.string("O_RDWR")]), "path": .string("/etc/passwd"),
        ]))
    #expect(show(program.evaluate(activation)) == #"{"bool":\#(expected)}"#, "\(source)")
}
