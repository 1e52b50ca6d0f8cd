import LoupeCEL
import Testing

private func compileError(_ source: String, declare: [(String, CELType)] = []) -> CELCompileError? {
    var env = CELEnvironment()
    for (n, t) in declare { env.declare(n, t) }
    do {
        _ = try env.compile(source)
        return nil
    } catch {
        return error
    }
}

@Test func undeclaredNamesAreCompileErrors() {
    let e = compileError("x + 1")
    #expect(e?.message.contains("undeclared reference to 'x'") == true)
    #expect(e?.column == 1)
    #expect(compileError("foo(1)") != nil)
    #expect(compileError("x + 1", declare: [("x", .int)]) == nil)
}

@Test func staticTypeMismatchesAreCompileErrors() {
    #expect(compileError("x + 1u", declare: [("x", .int)]) != nil)
    #expect(compileError("x.startsWith('a')", declare: [("x", .int)]) != nil)
    #expect(compileError("!x", declare: [("x", .string)]) != nil)
    #expect(compileError("x && true", declare: [("x", .string)]) != nil)
    #expect(compileError("x.y", declare: [("x", .int)]) != nil)
    #expect(compileError("x.startsWith('a')", declare: [("x", .dyn)]) == nil)
    #expect(compileError("x.size() > 1", declare: [("x", .list(.string))]) == nil)
}

@Test func resultTypeIsInferred() throws {
    var env = CELEnvironment()
    env.declare("x", .list(.string))
    #expect(try env.compile("x.map(s, s.size())").resultType == .list(.int))
    #expect(try env.compile("x[0]").resultType == .string)
    #expect(try env.compile("x.exists(s, s == 'a')").resultType == .bool)
}

@Test func nonStrictModeDefersToEvaluation() throws {
    var env = CELEnvironment()
    env.strict = false
    let program = try env.compile("x || true")
    #expect(show(program.evaluate()) == #"{"bool":true}"#)
}
