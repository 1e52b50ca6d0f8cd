import LoupeCEL
import Testing

/// Expressions with their expected typed-JSON result, cel-go's behaviour.
private let valueCases: [(String, String)] = [
    // Literals and escapes
    ("0x1F", #"{"int64":"31"}"#),
    ("0x1Fu", #"{"uint64":"31"}"#),
    ("-9223372036854775808", #"{"int64":"-9223372036854775808"}"#),
    ("1e3", #"{"double":"1000.0"}"#),
    (".5", #"{"double":"0.5"}"#),
    ("'\\u00e9'", #"{"string":"é"}"#),
    ("r'\\n'", #"{"string":"\\n"}"#),
    ("b'\\xff'.size()", #"{"int64":"1"}"#),
    ("'''a\nb'''", #"{"string":"a\nb"}"#),
    ("// comment\n1 + // more\n 2", #"{"int64":"3"}"#),
    // Arithmetic and precedence
    ("1 + 2 * 3 - 4 / 2 % 3", #"{"int64":"5"}"#),
    ("(1 + 2) * 3", #"{"int64":"9"}"#),
    ("-(-3)", #"{"int64":"3"}"#),
    ("2.0 / 0.0", #"{"double":"Infinity"}"#),
    ("7u / 2u", #"{"uint64":"3"}"#),
    ("-7 % 3", #"{"int64":"-1"}"#),
    ("'a' + 'b'", #"{"string":"ab"}"#),
    ("[1] + [2]", #"{"list":[{"int64":"1"},{"int64":"2"}]}"#),
    ("true ? 1 : 2", #"{"int64":"1"}"#),
    ("false || true && false", #"{"bool":false}"#),
    ("1 < 2 == true", #"{"bool":true}"#),
    // Heterogeneous numbers
    ("1 == 1.0", #"{"bool":true}"#),
    ("1u == 1", #"{"bool":true}"#),
    ("1 < 1.5", #"{"bool":true}"#),
    ("2u > -1", #"{"bool":true}"#),
    ("[1, 2.0, 3u] == [1.0, 2, 3]", #"{"bool":true}"#),
    ("1 == 'a'", #"{"bool":false}"#),
    ("{1: 'a'} == {1u: 'a'}", #"{"bool":true}"#),
    // Logic absorbs errors
    ("1/0 == 1 || true", #"{"bool":true}"#),
    ("false && 1/0 == 1", #"{"bool":false}"#),
    ("1/0 == 1 && false", #"{"bool":false}"#),
    // in
    ("2 in [1, 2, 3]", #"{"bool":true}"#),
    ("'b' in ['a', 'c']", #"{"bool":false}"#),
    ("2.0 in [1, 2, 3]", #"{"bool":true}"#),
    ("'k' in {'k': 1}", #"{"bool":true}"#),
    // Macros
    ("[1, 2, 3].all(x, x > 0)", #"{"bool":true}"#),
    ("[1, 2, 3].exists(x, x == 2)", #"{"bool":true}"#),
    ("[1, 2, 3].exists_one(x, x > 1)", #"{"bool":false}"#),
    ("[1, 2, 3].map(x, x * 2)", #"{"list":[{"int64":"2"},{"int64":"4"},{"int64":"6"}]}"#),
    ("[1, 2, 3].map(x, x > 1, x * 2)", #"{"list":[{"int64":"4"},{"int64":"6"}]}"#),
    ("[1, 2, 3].filter(x, x != 2)", #"{"list":[{"int64":"1"},{"int64":"3"}]}"#),
    ("{'a': 1, 'b': 2}.filter(k, k == 'b')", #"{"list":[{"string":"b"}]}"#),
    ("[[1], [2, 3]].exists(x, x.exists(x, x == 3))", #"{"bool":true}"#),
    (
        "[1, 2].map(x, [3, 4].map(y, x * y))",
        #"{"list":[{"list":[{"int64":"3"},{"int64":"4"}]},{"list":[{"int64":"6"},{"int64":"8"}]}]}"#
    ),
    ("[1, 2, 3].all(i, v, v == i + 1)", #"{"bool":true}"#),
    ("{'a': 1}.exists(k, v, k == 'a' && v == 1)", #"{"bool":true}"#),
    ("[5, 6].transformList(i, v, i * v)", #"{"list":[{"int64":"0"},{"int64":"6"}]}"#),
    ("[5, 6, 7].transformList(i, v, v > 5, i)", #"{"list":[{"int64":"1"},{"int64":"2"}]}"#),
    ("{'a': 1}.transformMap(k, v, v + 1)", #"{"map":[[{"string":"a"},{"int64":"2"}]]}"#),
    ("[1, 2, 1].existsOne(x, x == 2)", #"{"bool":true}"#),
    ("cel.bind(x, 3, x * x)", #"{"int64":"9"}"#),
    ("cel.bind(a, 'x', cel.bind(b, a + 'y', b + a))", #"{"string":"xyx"}"#),
    ("has({'a': 1}.a)", #"{"bool":true}"#),
    // Standard functions
    ("size('héllo')", #"{"int64":"5"}"#),
    ("'hello'.size()", #"{"int64":"5"}"#),
    ("size({'a': 1})", #"{"int64":"1"}"#),
    ("'hello'.contains('ell')", #"{"bool":true}"#),
    ("'hello'.startsWith('he') && 'hello'.endsWith('lo')", #"{"bool":true}"#),
    ("'abc123'.matches('^[a-z]+[0-9]+$')", #"{"bool":true}"#),
    ("matches('abc', 'b')", #"{"bool":true}"#),
    ("type(1) == int && type('a') == string && type([]) == list", #"{"bool":true}"#),
    ("type(type(1))", #"{"type":"type"}"#),
    ("int('-42')", #"{"int64":"-42"}"#),
    ("int(3.9)", #"{"int64":"3"}"#),
    ("uint(42)", #"{"uint64":"42"}"#),
    ("double('1.5')", #"{"double":"1.5"}"#),
    ("string(1.0)", #"{"string":"1"}"#),
    ("string(1e21)", #"{"string":"1e+21"}"#),
    ("string(123456789.0)", #"{"string":"123456789"}"#),
    ("string(0.000001)", #"{"string":"1e-06"}"#),
    ("string(b'abc')", #"{"string":"abc"}"#),
    ("bytes('ÿ')", #"{"bytes_b64":"w78="}"#),
    ("bool('t')", #"{"bool":true}"#),
    ("dyn(1) + 2", #"{"int64":"3"}"#),
    // Timestamps and durations
    ("timestamp('2009-02-13T23:31:30Z')", #"{"timestamp":{"seconds":"1234567890","nanos":0}}"#),
    ("int(timestamp('2009-02-13T23:31:30.5+01:00'))", #"{"int64":"1234564290"}"#),
    ("string(timestamp('2009-02-13T23:31:30.120Z'))", #"{"string":"2009-02-13T23:31:30.12Z"}"#),
    ("timestamp(0)", #"{"timestamp":{"seconds":"0","nanos":0}}"#),
    ("duration('1h30m')", #"{"duration":{"seconds":"5400","nanos":0}}"#),
    ("duration('-1.5s')", #"{"duration":{"seconds":"-1","nanos":-500000000}}"#),
    ("string(duration('1m1.001s'))", #"{"string":"61.001s"}"#),
    ("duration('100ms') + duration('1s')", #"{"duration":{"seconds":"1","nanos":100000000}}"#),
    ("timestamp('2000-01-01T00:00:00Z') + duration('24h')", #"{"timestamp":{"seconds":"946771200","nanos":0}}"#),
    (
        "timestamp('2000-01-02T00:00:00Z') - timestamp('2000-01-01T00:00:00Z')",
        #"{"duration":{"seconds":"86400","nanos":0}}"#
    ),
    ("timestamp('2000-01-01T00:00:00Z') - duration('1s')", #"{"timestamp":{"seconds":"946684799","nanos":0}}"#),
    ("timestamp('2000-01-01T00:00:00Z') < timestamp('2000-01-01T00:00:01Z')", #"{"bool":true}"#),
    ("duration('1s') > duration('999ms')", #"{"bool":true}"#),
    ("timestamp('2009-02-13T23:31:30Z').getFullYear()", #"{"int64":"2009"}"#),
    ("timestamp('2009-02-13T23:31:30Z').getMonth()", #"{"int64":"1"}"#),
    ("timestamp('2009-02-13T23:31:30Z').getDate()", #"{"int64":"13"}"#),
    ("timestamp('2009-02-13T23:31:30Z').getDayOfMonth()", #"{"int64":"12"}"#),
    ("timestamp('2009-02-13T23:31:30Z').getDayOfWeek()", #"{"int64":"5"}"#),
    ("timestamp('2009-02-13T23:31:30Z').getDayOfYear()", #"{"int64":"43"}"#),
    ("timestamp('2009-02-13T23:31:30.25Z').getMilliseconds()", #"{"int64":"250"}"#),
    ("timestamp('2009-02-13T23:31:30Z').getHours('America/Los_Angeles')", #"{"int64":"15"}"#),
    ("timestamp('2009-02-13T23:31:30Z').getHours('+05:30')", #"{"int64":"5"}"#),
    ("timestamp('2009-02-13T23:31:30Z').getMinutes('-02:15')", #"{"int64":"16"}"#),
    ("timestamp('2009-02-13T23:31:30Z').getDate('Asia/Tokyo')", #"{"int64":"14"}"#),
    ("duration('3h25m').getHours()", #"{"int64":"3"}"#),
    ("duration('3h25m').getMinutes()", #"{"int64":"205"}"#),
    ("duration('1.5s').getMilliseconds()", #"{"int64":"500"}"#),
    // Strings extension
    ("'hello'.charAt(1)", #"{"string":"e"}"#),
    ("'hello'.charAt(5)", #"{"string":""}"#),
    ("'hello mellow'.indexOf('ello')", #"{"int64":"1"}"#),
    ("'hello mellow'.indexOf('ello', 2)", #"{"int64":"7"}"#),
    ("'hello mellow'.lastIndexOf('ello')", #"{"int64":"7"}"#),
    ("'hello mellow'.lastIndexOf('ello', 6)", #"{"int64":"1"}"#),
    ("'héllo'.indexOf('l')", #"{"int64":"2"}"#),
    ("['a', 'b'].join('-')", #"{"string":"a-b"}"#),
    ("['a', 'b'].join()", #"{"string":"ab"}"#),
    ("'a,b,c'.split(',')", #"{"list":[{"string":"a"},{"string":"b"},{"string":"c"}]}"#),
    ("'a,b,c'.split(',', 2)", #"{"list":[{"string":"a"},{"string":"b,c"}]}"#),
    ("'aaa'.replace('a', 'b')", #"{"string":"bbb"}"#),
    ("'aaa'.replace('a', 'b', 2)", #"{"string":"bba"}"#),
    ("'TacoCat'.lowerAscii()", #"{"string":"tacocat"}"#),
    ("'TacoCÆt'.upperAscii()", #"{"string":"TACOCÆT"}"#),
    ("'  \\t trim \\n '.trim()", #"{"string":"trim"}"#),
    ("'tacocat'.substring(4)", #"{"string":"cat"}"#),
    ("'tacocat'.substring(0, 4)", #"{"string":"taco"}"#),
    ("strings.quote('a\"b\\n')", #"{"string":"\"a\\\"b\\n\""}"#),
    ("'%s is %d years, %.2f%%'.format(['Ann', 42, 1.005])", #"{"string":"Ann is 42 years, 1.00%"}"#),
    ("'%x %X %o %b'.format([255, 255, 8, 5])", #"{"string":"ff FF 10 101"}"#),
    ("'%s'.format([[1, 'a']])", #"{"string":"[1, a]"}"#),
    ("'%s'.format([{'b': 1, 'a': [2.5]}])", #"{"string":"{a: [2.5], b: 1}"}"#),
    ("'%d'.format([double('NaN')])", #"{"string":"NaN"}"#),
    ("'%b'.format([true])", #"{"string":"1"}"#),
    ("'%e'.format([1234.5])", #"{"string":"1.234500e+03"}"#),
    ("'abc'.reverse()", #"{"string":"cba"}"#),
    // Helpers
    ("parse.get_exec_path(['/bin/sh', '-c'], 'sh')", #"{"string":"/bin/sh"}"#),
    ("parse.get_exec_path([], 'sh')", #"{"string":"sh"}"#),
    ("parse.get_exec_path([''], 'sh')", #"{"string":"sh"}"#),
    ("parse.get_exec_path(['/bin/sh'], 'sh', '/usr/bin/dash')", #"{"string":"/usr/bin/dash"}"#),
    ("parse.get_exec_path(['/bin/sh'], 'sh', '')", #"{"string":"/bin/sh"}"#),
    ("net.is_private_ip('10.1.2.3')", #"{"bool":true}"#),
    ("net.is_private_ip('172.31.0.1')", #"{"bool":true}"#),
    ("net.is_private_ip('172.32.0.1')", #"{"bool":false}"#),
    ("net.is_private_ip('192.168.0.1')", #"{"bool":true}"#),
    ("net.is_private_ip('169.254.169.254')", #"{"bool":true}"#),
    ("net.is_private_ip('127.0.0.1')", #"{"bool":true}"#),
    ("net.is_private_ip('224.0.0.1')", #"{"bool":true}"#),
    ("net.is_private_ip('8.8.8.8')", #"{"bool":false}"#),
    ("net.is_private_ip('::1')", #"{"bool":true}"#),
    ("net.is_private_ip('fd00::1')", #"{"bool":true}"#),
    ("net.is_private_ip('2001:4860::8888')", #"{"bool":false}"#),
    ("net.is_private_ip('::ffff:10.0.0.1')", #"{"bool":true}"#),
    ("net.is_private_ip('not an ip')", #"{"bool":false}"#),
]

@Test("expressions evaluate like cel-go", arguments: valueCases)
func evaluates(_ source: String, _ expected: String) {
    #expect(show(eval(source)) == expected, "\(source)")
}

/// Expressions that must evaluate to an error.
private let errorCases: [String] = [
    "9223372036854775807 + 1", "-9223372036854775808 - 1", "0u - 1u", "1 / 0", "1 % 0", "1u / 0u",
    "1 + 1u", "-(1u)", "!1", "'a' < 1", "[1][1]", "[1][-1]", "{'a': 1}['b']", "{'a': 1}.b",
    "{1: 1, 1u: 2}", "{1.5: 1}", "int('x')", "int(1e19)", "uint(-1)", "uint(-1.0)", "string(b'\\xff')",
    "bool('yes')", "timestamp('2009-02-30T00:00:00Z')", "timestamp('10000-01-01T00:00:00Z')",
    "timestamp('9999-12-31T23:59:59Z') + duration('1s')", "duration('1x')", "duration('1000000h') * 1000",
    "'abc'.charAt(4)", "'abc'.substring(2, 1)", "'abc'.substring(4)", "[1, 'a'].join()",
    "timestamp(0).getHours('Mars/Olympus')", "[0].exists(x, 1 / x > 0)", "[1, 0].all(x, 1 / x > 0)",
    "[1, 0].exists_one(x, 1 / x > 0)", "[0].map(x, 1 / x)", "'%d'.format(['a'])", "'%s %s'.format(['a'])",
    "1.5 in {1: 2}['x']", "'%b'.format(['a'])", "'%x'.format([0.5])", "'%E'.format([0.5])", "'%f'.format([null])",
    "'%d %d'.format([1])", "timestamp('9999-12-31T23:59:59Z') - timestamp('0001-01-01T00:00:00Z')",
    "duration('320000000000s')", "true ? 1/0 : 2", "'x' ? 1 : 2", "has(1.a)", "undeclared_function(1)",
]

@Test("failing operations evaluate to errors", arguments: errorCases)
func evaluatesToError(_ source: String) {
    let v = eval(source)
    #expect(isError(v), "\(source) gave \(show(v))")
}

@Test func errorsNameOperationAndTypes() {
    guard case .error(let e) = eval("'a' - 1") else {
        Issue.record("expected an error")
        return
    }
    #expect(e.message.contains("_-_") && e.message.contains("string") && e.message.contains("int"))
}

@Test func nanComparisons() {
    #expect(show(eval("double('NaN') == double('NaN')")) == #"{"bool":false}"#)
    #expect(show(eval("double('NaN') < 1.0")) == #"{"bool":false}"#)
    #expect(show(eval("[double('NaN')] == [double('NaN')]")) == #"{"bool":false}"#)
}

@Test func comprehensionIterationLimit() throws {
    var env = CELEnvironment()
    env.iterationLimit = 100
    let program = try env.compile(
        "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(x, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(y, true))")
    let v = program.evaluate()
    #expect(isError(v))
    env.iterationLimit = 1000
    #expect(show(try env.compile(program.source).evaluate()) == #"{"bool":true}"#)
}

@Test func variablesResolveToSlots() throws {
    var env = CELEnvironment()
    let x = env.declare("x", .int)
    let y = env.declare("y", .string)
    let program = try env.compile("x > 1 && y.startsWith('a')")
    var activation = program.makeActivation()
    activation[x] = .int(2)
    activation[y] = .string("abc")
    #expect(show(program.evaluate(activation)) == #"{"bool":true}"#)
    activation[x] = .int(0)
    #expect(show(program.evaluate(activation)) == #"{"bool":false}"#)
    // Unbound variables are evaluation errors.
    #expect(isError(program.evaluate(program.makeActivation())))
}

@Test func constantsFold() throws {
    let env = CELEnvironment()
    #expect(try env.compile("1 + 2 * 3").constantValue.map(show) == #"{"int64":"7"}"#)
    #expect(try env.compile("'a'.startsWith('a') && size([1, 2]) == 2").constantValue.map(show) == #"{"bool":true}"#)
}

@Test func largeConstantListIsASetLookup() throws {
    var env = CELEnvironment()
    env.declare("name", .string)
    let names = (0..<150).map { "'n\($0)'" }.joined(separator: ", ")
    let program = try env.compile("name in [\(names)]")
    #expect(show(program.evaluate(["name": .string("n149")])) == #"{"bool":true}"#)
    #expect(show(program.evaluate(["name": .string("x")])) == #"{"bool":false}"#)
    #expect(show(program.evaluate(["name": .int(1)])) == #"{"bool":false}"#)
}

@Test func regexRunsInLinearTime() {
    // A pattern that makes backtracking engines explode.
    let text = String(repeating: "a", count: 5000) + "!"
    #expect(show(eval("s.matches('^(a+)+$')", ["s": .string(text)])) == #"{"bool":false}"#)
}

@Test func invalidConstantRegexIsACompileError() {
    let env = CELEnvironment()
    #expect(throws: CELCompileError.self) { try env.compile("'a'.matches('(')") }
    // A pattern only known at run time fails at evaluation.
    #expect(isError(eval("'a'.matches(p)", ["p": .string("(")])))
}

@Test func activationFromASmallerEnvironmentIsRefused() throws {
    var small = CELEnvironment()
    small.declare("a")
    var large = small
    large.declare("b")
    let program = try large.compile("b")
    #expect(isError(program.evaluate(small.makeActivation())))
    // An activation from an environment that grew later still works.
    var larger = large
    larger.declare("c")
    var activation = larger.makeActivation()
    activation.bind("b", .int(2))
    #expect(show(program.evaluate(activation)) == #"{"int64":"2"}"#)
}
