/// cel-go's math and encoders extensions: `math.greatest`, `math.least`, rounding, `abs`,
/// `sign`, floating-point classification, bitwise operations, and `base64.encode/decode`.
enum CELMathLibrary {
    static let functions: [CELFunction] = [
        extremum("math.greatest", pickGreater: true),
        extremum("math.least", pickGreater: false),
        doubleFunction("math.ceil") { .double($0.rounded(.up)) },
        doubleFunction("math.floor") { .double($0.rounded(.down)) },
        doubleFunction("math.round") { .double($0.rounded(.toNearestOrAwayFromZero)) },
        doubleFunction("math.trunc") { .double($0.rounded(.towardZero)) },
        doubleFunction("math.isNaN") { .bool($0.isNaN) },
        doubleFunction("math.isInf") { .bool($0.isInfinite) },
        doubleFunction("math.isFinite") { .bool($0.isFinite) },
        CELFunction(
            "math.sqrt",
            [
                .unary("math_sqrt", .dyn, .double) { v in
                    switch v {
                    case .double(let d): return .double(d.squareRoot())
                    case .int(let i): return .double(Double(i).squareRoot())
                    case .uint(let u): return .double(Double(u).squareRoot())
                    default: return .noSuchOverload("math.sqrt", v)
                    }
                }
            ]),
        CELFunction(
            "math.abs",
            [
                .unary("math_abs", .dyn, .dyn) { v in
                    switch v {
                    case .int(let i):
                        return i == .min ? .error("integer overflow in math.abs") : .int(i < 0 ? -i : i)
                    case .uint: return v
                    case .double(let d): return .double(abs(d))
                    default: return .noSuchOverload("math.abs", v)
                    }
                }
            ]),
        CELFunction(
            "math.sign",
            [
                .unary("math_sign", .dyn, .dyn) { v in
                    switch v {
                    case .int(let i): return .int(i > 0 ? 1 : i < 0 ? -1 : 0)
                    case .uint(let u): return .uint(u > 0 ? 1 : 0)
                    case .double(let d): return .double(d.isNaN ? d : d > 0 ? 1 : d < 0 ? -1 : 0)
                    default: return .noSuchOverload("math.sign", v)
                    }
                }
            ]),
        bitwise("math.bitAnd", { $0 & $1 }, { $0 & $1 }),
        bitwise("math.bitOr", { $0 | $1 }, { $0 | $1 }),
        bitwise("math.bitXor", { $0 ^ $1 }, { $0 ^ $1 }),
        CELFunction(
            "math.bitNot",
            [
                .unary("math_bit_not", .dyn, .dyn) { v in
                    switch v {
                    case .int(let i): return .int(~i)
                    case .uint(let u): return .uint(~u)
                    default: return .noSuchOverload("math.bitNot", v)
                    }
                }
            ]),
        shift("math.bitShiftLeft", left: true),
        shift("math.bitShiftRight", left: false),
        CELFunction(
            "base64.encode",
            [
                .unary("base64_encode_bytes", .bytes, .string) { v in
                    guard case .bytes(let b) = v else { return .noSuchOverload("base64.encode", v) }
                    return .string(Base64.encode(b.bytes))
                }
            ]),
        CELFunction(
            "base64.decode",
            [
                .unary("base64_decode_string", .string, .bytes) { v in
                    guard case .string(let s) = v else { return .noSuchOverload("base64.decode", v) }
                    guard let bytes = Base64.decode(s) else { return .error("base64.decode: illegal base64 data") }
                    return .bytes(CELBytes(bytes))
                }
            ]),
    ]

    private static func doubleFunction(_ name: String, _ body: @escaping @Sendable (Double) -> CELValue)
        -> CELFunction
    {
        CELFunction(
            name,
            [
                .unary(name, .double, .dyn) { v in
                    guard case .double(let d) = v else { return .noSuchOverload(name, v) }
                    return body(d)
                }
            ])
    }

    /// `math.greatest` / `math.least` over numeric arguments or one list of them; the winning
    /// argument is returned with its own type.
    private static func extremum(_ name: String, pickGreater: Bool) -> CELFunction {
        let body: @Sendable ([CELValue]) -> CELValue = { args in
            var items = args
            if args.count == 1, case .list(let l) = args[0] { items = l }
            guard var best = items.first else { return .error("\(name): no arguments") }
            for v in items {
                switch v {
                case .int, .uint, .double: break
                default: return .noSuchOverload(name, v)
                }
            }
            for v in items.dropFirst() {
                guard case .success(let c?) = CELValue.order(v, best, pickGreater ? ">" : "<") else {
                    continue  // NaN never wins.
                }
                if pickGreater ? c > 0 : c < 0 { best = v }
            }
            return best
        }
        return CELFunction(name, [CELOverload(name, [.dyn], .dyn, impl: .variadic(body)).variadic()])
    }

    private static func bitwise(
        _ name: String, _ onInt: @escaping @Sendable (Int64, Int64) -> Int64,
        _ onUint: @escaping @Sendable (UInt64, UInt64) -> UInt64
    ) -> CELFunction {
        CELFunction(
            name,
            [
                .binary(name, .dyn, .dyn, .dyn) { a, b in
                    switch (a, b) {
                    case (.int(let x), .int(let y)): return .int(onInt(x, y))
                    case (.uint(let x), .uint(let y)): return .uint(onUint(x, y))
                    default: return .noSuchOverload(name, a, b)
                    }
                }
            ])
    }

    private static func shift(_ name: String, left: Bool) -> CELFunction {
        CELFunction(
            name,
            [
                .binary(name, .dyn, .int, .dyn) { a, b in
                    guard case .int(let n) = b else { return .noSuchOverload(name, a, b) }
                    if n < 0 { return .error("\(name): negative offset \(n)") }
                    switch a {
                    case .int(let x):
                        if n >= 64 { return .int(left ? 0 : (x < 0 ? -1 : 0)) }
                        return .int(left ? x << n : x >> n)
                    case .uint(let x):
                        if n >= 64 { return .uint(0) }
                        return .uint(left ? x << UInt64(n) : x >> UInt64(n))
                    default: return .noSuchOverload(name, a, b)
                    }
                }
            ])
    }
}

extension CELOverload {
    /// The same overload accepting extra arguments.
    func variadic() -> CELOverload {
        var o = self
        o.isVariadic = true
        return o
    }
}

/// Standard base64 (RFC 4648) with padding; decoding also accepts unpadded input.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            var n = UInt32(bytes[i]) << 16
            if rest == 2 { n |= UInt32(bytes[i + 1]) << 8 }
            out.append(alphabet[Int((n >> 18) & 63)])
            out.append(alphabet[Int((n >> 12) & 63)])
            out.append(rest == 2 ? alphabet[Int((n >> 6) & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt32] = []
        var padding = 0
        for c in text.utf8 {
            if c == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            if padding > 0 { return nil }
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            default: return nil
            }
            values.append(v)
        }
        if padding > 2 || (padding > 0 && (values.count + padding) % 4 != 0) || values.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < values.count {
            let chunk = values[i..<min(i + 4, values.count)]
            var n: UInt32 = 0
            for (j, v) in chunk.enumerated() { n |= v << UInt32(18 - 6 * j) }
            out.append(UInt8((n >> 16) & 0xFF))
            if chunk.count > 2 { out.append(UInt8((n >> 8) & 0xFF)) }
            if chunk.count > 3 { out.append(UInt8(n & 0xFF)) }
            i += 4
        }
        return out
    }
}
