import LoupeCEL
import Testing

/// cel-go's optional types, math and encoders extensions, which Loupe enables by default.
private let cases: [(String, String)] = [
    // Optional values and syntax
    ("optional.of(1).hasValue()", #"{"bool":true}"#),
    ("optional.none().hasValue()", #"{"bool":false}"#),
    ("optional.ofNonZeroValue('').hasValue()", #"{"bool":false}"#),
    ("optional.ofNonZeroValue([0]).value()", #"{"list":[{"int64":"0"}]}"#),
    ("optional.none().orValue('d')", #"{"string":"d"}"#),
    ("optional.none().or(optional.of(2)).value()", #"{"int64":"2"}"#),
    ("{'a': 1}.?a.value()", #"{"int64":"1"}"#),
    ("{'a': 1}.?b.hasValue()", #"{"bool":false}"#),
    ("{'a': {'b': 2}}.?a.b.value()", #"{"int64":"2"}"#),
    ("{'a': {}}.?a.b.hasValue()", #"{"bool":false}"#),
    ("[1, 2][?1].value()", #"{"int64":"2"}"#),
    ("[1, 2][?5].hasValue()", #"{"bool":false}"#),
    ("{1: 'x'}[?1u].value()", #"{"string":"x"}"#),
    ("[?optional.of(1), ?optional.none(), 3]", #"{"list":[{"int64":"1"},{"int64":"3"}]}"#),
    ("{?'a': optional.none(), ?'b': optional.of(2)}", #"{"map":[[{"string":"b"},{"int64":"2"}]]}"#),
    ("optional.of(3).optMap(x, x * 2).value()", #"{"int64":"6"}"#),
    ("optional.of({'k': 1}).optFlatMap(m, m.?k).value()", #"{"int64":"1"}"#),
    ("optional.of({'k': 1}).optFlatMap(m, m.?z).hasValue()", #"{"bool":false}"#),
    ("has({'a': {'b': 1}}.?a.b)", #"{"bool":true}"#),
    ("type(optional.of(1)) == optional_type", #"{"bool":true}"#),
    ("optional.of(1) == optional.of(1.0)", #"{"bool":true}"#),
    // Math
    ("math.greatest(1, 2.5, 2u)", #"{"double":"2.5"}"#),
    ("math.least([3u, 2, 4.0])", #"{"int64":"2"}"#),
    ("math.greatest(7)", #"{"int64":"7"}"#),
    ("math.round(2.5)", #"{"double":"3.0"}"#),
    ("math.round(-2.5)", #"{"double":"-3.0"}"#),
    ("math.ceil(1.1) + math.floor(1.9) + math.trunc(-1.9)", #"{"double":"2.0"}"#),
    ("math.abs(-3)", #"{"int64":"3"}"#),
    ("math.sign(-2.5)", #"{"double":"-1.0"}"#),
    ("math.isNaN(0.0 / 0.0) && math.isInf(1.0 / 0.0) && math.isFinite(1.0)", #"{"bool":true}"#),
    ("math.bitAnd(6, 3) + math.bitOr(4, 1) + math.bitXor(5, 1)", #"{"int64":"11"}"#),
    ("math.bitNot(0u)", #"{"uint64":"18446744073709551615"}"#),
    ("math.bitShiftLeft(1, 3) + math.bitShiftRight(-16, 2)", #"{"int64":"4"}"#),
    ("math.bitShiftRight(-1, 100)", #"{"int64":"-1"}"#),
    ("math.sqrt(16)", #"{"double":"4.0"}"#),
    // Encoders
    ("base64.encode(b'ab')", #"{"string":"YWI="}"#),
    ("base64.encode(b'')", #"{"string":""}"#),
    ("base64.decode('YWJj')", #"{"bytes_b64":"YWJj"}"#),
    ("base64.decode('YWI')", #"{"bytes_b64":"YWI="}"#),
]

@Test("extension libraries evaluate like cel-go", arguments: cases)
func extensionLibraries(_ source: String, _ expected: String) {
    #expect(show(eval(source, strict: true)) == expected, "\(source)")
}

private let errors: [String] = [
    "optional.none().value()", "{'a': 1}.?a.b", "[?1]", "{?'a': 1}", "optional.of(1).optFlatMap(x, x)",
    "math.abs(-9223372036854775808)", "math.bitShiftLeft(1, -1)", "math.ceil(dyn(1))", "math.greatest(dyn('a'), 1)",
    "base64.decode('a')", "base64.decode('Y!==')",
]

@Test("extension library failures are errors", arguments: errors)
func extensionLibraryErrors(_ source: String) {
    #expect(isError(eval(source)), "\(source)")
}
