import LoupeCEL
import Testing

/// A stand-in for the engine's event: fields read by index, some absent.
private final class TestEvent: CELHostObject, @unchecked Sendable {
    static let parentSchema = CELObjectSchema(name: "test.Parent", fields: [("comm", .string), ("pid", .uint)])
    static let schema = CELObjectSchema(
        name: "test.Event",
        fields: [
            ("comm", .string), ("args", .list(.string)), ("pid", .uint), ("cwd", .string),
            ("parent", .schema(parentSchema)),
        ])

    var values: [CELValue?]
    init(_ values: [CELValue?]) {
        self.values = values
        super.init(schema: Self.schema)
    }
    override func field(at index: Int) -> CELValue? { values[index] }
}

private final class TestParent: CELHostObject, @unchecked Sendable {
    init() { super.init(schema: TestEvent.parentSchema) }
    override func field(at index: Int) -> CELValue? { index == 0 ? .string("bash") : nil }
}

private func environment() -> (CELEnvironment, Int) {
    var env = CELEnvironment()
    let slot = env.declare("event", schema: TestEvent.schema)
    env.register(CELHelperFunctions.all)
    return (env, slot)
}

@Test func objectFieldsResolveThroughTheSchema() throws {
    let (env, slot) = environment()
    let program = try env.compile("event.comm == 'nc' && event.args.exists(a, a.startsWith('-e'))")
    var activation = program.makeActivation()
    activation[slot] = .object(TestEvent([.string("nc"), .list([.string("-l"), .string("-e")]), .uint(7), nil, nil]))
    #expect(show(program.evaluate(activation)) == #"{"bool":true}"#)
    activation[slot] = .object(TestEvent([.string("ls"), .list([]), .uint(7), nil, nil]))
    #expect(show(program.evaluate(activation)) == #"{"bool":false}"#)
}

@Test func hasSeesAbsentFields() throws {
    let (env, slot) = environment()
    let program = try env.compile("has(event.cwd) ? event.cwd : 'none'")
    var activation = program.makeActivation()
    activation[slot] = .object(TestEvent([.string("x"), .list([]), .uint(1), nil, nil]))
    #expect(show(program.evaluate(activation)) == #"{"string":"none"}"#)
    activation[slot] = .object(TestEvent([.string("x"), .list([]), .uint(1), .string("/tmp"), nil]))
    #expect(show(program.evaluate(activation)) == #"{"string":"/tmp"}"#)
    // Reading an absent field is an error naming it.
    let read = try env.compile("event.cwd")
    activation[slot] = .object(TestEvent([.string("x"), .list([]), .uint(1), nil, nil]))
    guard case .error(let e) = read.evaluate(activation) else {
        Issue.record("expected an error")
        return
    }
    #expect(e.message.contains("cwd"))
}

@Test func nestedObjects() throws {
    let (env, slot) = environment()
    let program = try env.compile("event.parent.comm + ':' + string(has(event.parent.pid))")
    var activation = program.makeActivation()
    activation[slot] = .object(TestEvent([.string("x"), .list([]), .uint(1), nil, .object(TestParent())]))
    #expect(show(program.evaluate(activation)) == #"{"string":"bash:false"}"#)
}

@Test func unknownFieldsAndBadTypesFailAtCompileTime() {
    let (env, _) = environment()
    #expect(throws: CELCompileError.self) { try env.compile("event.nope == 1") }
    #expect(throws: CELCompileError.self) { try env.compile("event.pid.startsWith('a')") }
    #expect(throws: CELCompileError.self) { try env.compile("event.comm + 1") }
}

@Test func extensionsWithOverloadsResolveAtPlanTime() throws {
    let (env, slot) = environment()
    let program = try env.compile("parse.get_exec_path(event.args, event.comm)")
    var activation = program.makeActivation()
    activation[slot] = .object(TestEvent([.string("sh"), .list([]), .uint(1), nil, nil]))
    #expect(show(program.evaluate(activation)) == #"{"string":"sh"}"#)
    #expect(throws: CELCompileError.self) { try env.compile("parse.get_exec_path(1)") }
    #expect(throws: CELCompileError.self) { try env.compile("net.is_private_ip(1)") }
}

@Test func hostFunctionsRegisterInNamespaces() throws {
    var env = CELEnvironment()
    env.declare("id", .string)
    env.register(
        CELFunction(
            "cp.was_executed",
            [
                .binary("cp_was_executed", .string, .string, .bool, pure: false) { id, path in
                    guard case .string(let i) = id, case .string(let p) = path else { return .error("bad") }
                    return .bool(i == "c1" && p == "/bin/ls")
                }
            ]))
    let program = try env.compile("cp.was_executed(id, '/bin/ls')")
    #expect(show(program.evaluate(["id": .string("c1")])) == #"{"bool":true}"#)
    #expect(show(program.evaluate(["id": .string("c2")])) == #"{"bool":false}"#)
    // Impure functions are not folded even with constant arguments.
    #expect(try env.compile("cp.was_executed('c1', '/bin/ls')").constantValue == nil)
}

@Test func fusedFieldComparisonsKeepSemantics() throws {
    let (env, slot) = environment()
    let equals = try env.compile("event.cwd == '/'")
    let notEquals = try env.compile("event.pid != 'x'")
    var activation = equals.makeActivation()
    // Absent field: the comparison is an error, as reading it is.
    activation[slot] = .object(TestEvent([.string("x"), .list([]), .uint(1), nil, nil]))
    #expect(isError(equals.evaluate(activation)))
    // A non-string field compares unequal, like heterogeneous equality.
    #expect(show(notEquals.evaluate(activation)) == #"{"bool":true}"#)
    activation[slot] = .object(TestEvent([.string("x"), .list([]), .uint(1), .string("/"), nil]))
    #expect(show(equals.evaluate(activation)) == #"{"bool":true}"#)
    // Rebinding the slot to a plain map goes through the dynamic path.
    var map = CELMap()
    map.insert(.string("cwd"), .string("/"))
    activation[slot] = .map(map)
    #expect(show(equals.evaluate(activation)) == #"{"bool":true}"#)
}

@Test func fusedStringQuantifiersKeepSemantics() throws {
    var env = CELEnvironment()
    env.declare("xs", .dyn)
    let exists = try env.compile("xs.exists(x, x.startsWith('a'))")
    let all = try env.compile("xs.all(x, x.endsWith('z'))")
    let cases: [(CELValue, String, String)] = [
        (.list([.string("b"), .string("ab")]), #"{"bool":true}"#, #"{"bool":false}"#),
        (.list([]), #"{"bool":false}"#, #"{"bool":true}"#),
        // A decisive element wins over an erroring one, in either order.
        (.list([.int(1), .string("a")]), #"{"bool":true}"#, #"{"bool":false}"#),
        (.list([.int(1), .string("b")]), "error", #"{"bool":false}"#),
        (.list([.string("az"), .int(1)]), #"{"bool":true}"#, "error"),
        (.list([.string("az"), .string("bz")]), #"{"bool":true}"#, #"{"bool":true}"#),
    ]
    for (xs, e, a) in cases {
        let ev = exists.evaluate(["xs": xs])
        let av = all.evaluate(["xs": xs])
        #expect(e == "error" ? isError(ev) : show(ev) == e, "exists over \(xs)")
        #expect(a == "error" ? isError(av) : show(av) == a, "all over \(xs)")
    }
    var m = CELMap()
    m.insert(.string("apple"), .int(1))
    #expect(show(exists.evaluate(["xs": .map(m)])) == #"{"bool":true}"#)
    #expect(isError(exists.evaluate(["xs": .int(3)])))
}

@Test func fusedNeedleQuantifiersAgreeWithTheGeneralPath() throws {
    var env = CELEnvironment()
    env.declare("s", .dyn)
    // `|| false` keeps the same meaning but a shape the planner does not fuse.
    let shapes = [
        (
            "['/etc/', '/root/.ssh/'].exists(p, s.startsWith(p))",
            "['/etc/', '/root/.ssh/'].exists(p, s.startsWith(p) || false)"
        ),
        ("['.so', '.ko'].exists(p, s.endsWith(p))", "['.so', '.ko'].exists(p, s.endsWith(p) || false)"),
        ("['ssh', 'pki'].all(p, s.contains(p))", "['ssh', 'pki'].all(p, s.contains(p) || false)"),
        ("[].exists(p, s.startsWith(p))", "[].exists(p, s.startsWith(p) || false)"),
        ("[].all(p, s.startsWith(p))", "[].all(p, s.startsWith(p) || false)"),
    ]
    let subjects: [CELValue?] = [
        .string("/etc/shadow"), .string("/root/.ssh/id_rsa"), .string("/usr/lib/x.so"), .string("/a/ssh/pki"),
        .string(""), .string("/ét/é.ko"), .int(7), nil,
    ]
    for (fused, general) in shapes {
        let f = try env.compile(fused)
        let g = try env.compile(general)
        for subject in subjects {
            let bindings: [String: CELValue] = subject.map { ["s": $0] } ?? [:]
            let fv = f.evaluate(bindings)
            let gv = g.evaluate(bindings)
            if isError(gv) {
                #expect(isError(fv), "\(fused) with \(String(describing: subject))")
            } else {
                #expect(show(fv) == show(gv), "\(fused) with \(String(describing: subject))")
            }
        }
    }
    // The subject is evaluated once and may be any expression without the variable.
    #expect(show(eval("['b', 'x'].exists(p, ('a' + 'b').endsWith(p))")) == #"{"bool":true}"#)
    // A subject that uses the variable keeps the general path and its meaning.
    #expect(show(eval("['ab', 'x'].exists(p, (p + 'c').startsWith(p))")) == #"{"bool":true}"#)
}
