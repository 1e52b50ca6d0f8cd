import Foundation
import LoupeCEL
import Testing

/// Invalid sources with the 1-based line and column where the error must point.
private let syntaxErrors: [(String, Int, Int)] = [
    ("1 +", 1, 4),
    ("a.b(", 1, 5),
    ("[1, 2", 1, 6),
    ("'unterminated", 1, 1),
    ("1 = 2", 1, 3),
    ("a &&\n  b ||| c", 2, 7),
    ("x.all(1, true)", 1, 7),
    ("'\\q'", 1, 2),
    ("9223372036854775808", 1, 1),
    ("18446744073709551616u", 1, 1),
    ("{1: 2", 1, 6),
    ("if", 1, 1),
    ("a.b.c #", 1, 7),
    ("'\\ud800'", 1, 2),
    ("1 ? 2", 1, 6),
    ("1e400", 1, 1),
]

@Test("syntax errors point at line and column", arguments: syntaxErrors)
func syntaxErrorPosition(_ source: String, _ line: Int, _ column: Int) {
    do {
        _ = try CELParser.parse(source)
        Issue.record("\(source) parsed")
    } catch {
        #expect(error.line == line && error.column == column, "\(source): \(error)")
    }
}

@Test func errorDescriptionHasSourceLineAndCaret() {
    do {
        _ = try CELParser.parse("size(x) >\n  'a' +")
        Issue.record("parsed")
    } catch {
        #expect(error.description.hasPrefix("ERROR: <input>:2:8: "))
        #expect(error.description.hasSuffix("\n |   'a' +\n | .......^"))
    }
}

@Test func columnsCountCharactersNotBytes() {
    do {
        _ = try CELParser.parse("'é' + ")
        Issue.record("parsed")
    } catch {
        #expect(error.column == 7)
    }
}

@Test func deepNestingIsAnErrorNotACrash() {
    for opener in ["(", "[", "{1:", "!", "-", "a[", "f("] {
        let source = String(repeating: opener, count: 100_000)
        #expect(throws: CELCompileError.self) { try CELParser.parse(source) }
    }
    // Just under the limit parses.
    let ok = String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)
    #expect(throws: Never.self) { try CELParser.parse(ok) }
    // Long unary runs are iterative.
    #expect(throws: Never.self) { try CELParser.parse(String(repeating: "!", count: 50_000) + "true") }
}

@Test func longLogicalChainsStayShallow() throws {
    let n = 6_000
    let source = (0..<n).map { _ in "true" }.joined(separator: " && ")
    let v = try CELEnvironment().compile(source).evaluate()
    #expect(show(v) == #"{"bool":true}"#)
    let ors = (0..<n).map { "x == \($0)" }.joined(separator: " || ")
    var env = CELEnvironment()
    env.declare("x", .int)
    #expect(show(try env.compile(ors).evaluate(["x": .int(Int64(n - 1))])) == #"{"bool":true}"#)
}

@Test func oversizedSourceIsRejected() {
    let source = String(repeating: "1 + ", count: 40_000) + "1"
    #expect(throws: CELCompileError.self) { try CELParser.parse(source) }
}

@Test func spansCoverSubexpressions() throws {
    let ast = try CELParser.parse("a + foo(b)")
    guard case .call(nil, "_+_", let args, let span) = ast else {
        Issue.record("unexpected AST")
        return
    }
    #expect(span == CELSpan(0, 10))
    #expect(args[1].span == CELSpan(4, 10))
}

@Test func macrosCanBeDisabled() throws {
    let ast = try CELParser.parse("[1].all(x, x > 0)", options: CELParserOptions(macros: false))
    guard case .call(_, "all", _, _) = ast else {
        Issue.record("expected a plain call")
        return
    }
}

@Test func reservedWordsAreFieldNames() {
    #expect(show(eval("{'if': 1}.if")) == #"{"int64":"1"}"#)
    #expect(show(eval("{'in': 2}.in")) == #"{"int64":"2"}"#)
}

@Test func quotedFieldNames() {
    #expect(show(eval("{'a-b': 1}.`a-b`")) == #"{"int64":"1"}"#)
    #expect(show(eval("has({'a.b': 1}.`a.b`)")) == #"{"bool":true}"#)
}

/// Inputs the fuzzer found; each must parse or fail cleanly.
@Test func pastFuzzCrashersAreHandled() throws {
    let folder = URLPath.fuzzCrashers
    for source in folder {
        _ = try? CELParser.parse(source)
        _ = try? CELEnvironment().compile(source)
    }
}

enum URLPath {
    /// Sources saved under fuzz/cel/crashers (each file one input).
    static var fuzzCrashers: [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let dir = root.appendingPathComponent("fuzz/cel/crashers")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().compactMap {
            (try? Data(contentsOf: dir.appendingPathComponent($0))).map { String(decoding: $0, as: UTF8.self) }
        }
    }
}
