/// Text forms of values: `string(x)` conversions, `format()` verbs and human-readable display.
enum CELFormat {
    /// Shortest round-trip decimal digits of a finite, non-zero magnitude and the decimal point
    /// position: value = 0.DIGITS × 10^point.
    static func shortestDigits(_ d: Double) -> (digits: [UInt8], point: Int) {
        let text = Array(abs(d).description.utf8)
        var mantissa: [UInt8] = []
        var point = 0
        var seenDot = false
        var exponent = 0
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == UInt8(ascii: ".") {
                seenDot = true
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                exponent = Int(String(decoding: text[(i + 1)...], as: UTF8.self)) ?? 0
                break
            } else {
                mantissa.append(c)
                if !seenDot { point += 1 }
            }
            i += 1
        }
        // Strip leading zeros (adjusting the point) and trailing zeros.
        while let f = mantissa.first, f == UInt8(ascii: "0") {
            mantissa.removeFirst()
            point -= 1
        }
        while let l = mantissa.last, l == UInt8(ascii: "0") { mantissa.removeLast() }
        return (mantissa, point + exponent)
    }

    /// Go's `%g` (shortest): how cel-go prints doubles in `string(x)`.
    static func goG(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (digits, point) = shortestDigits(d)
        let sign = d < 0 ? "-" : ""
        let exp = point - 1
        if exp < -4 || exp >= 21 {
            var s = sign + String(UnicodeScalar(digits[0]))
            if digits.count > 1 { s += "." + String(decoding: digits[1...], as: UTF8.self) }
            let e = abs(exp)
            return s + (exp < 0 ? "e-" : "e+") + (e < 10 ? "0" : "") + String(e)
        }
        return sign + plainDecimal(digits, point)
    }

    private static func plainDecimal(_ digits: [UInt8], _ point: Int) -> String {
        if point <= 0 {
            return "0." + String(repeating: "0", count: -point) + String(decoding: digits, as: UTF8.self)
        }
        if point >= digits.count {
            return String(decoding: digits, as: UTF8.self) + String(repeating: "0", count: point - digits.count)
        }
        return String(decoding: digits[..<point], as: UTF8.self) + "."
            + String(decoding: digits[point...], as: UTF8.self)
    }

    /// Fixed notation with `precision` fractional digits, rounding half to even on the exact
    /// binary value (good to ~17 significant digits).
    static func fixed(_ d: Double, _ precision: Int) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        var scale = 1.0
        for _ in 0..<precision { scale *= 10 }
        let magnitude = abs(d)
        if magnitude * scale < 9.0e15 {
            let scaled = (magnitude * scale).rounded(.toNearestOrEven)
            var digits = String(UInt64(scaled))
            if precision > 0 {
                if digits.count <= precision {
                    digits = String(repeating: "0", count: precision - digits.count + 1) + digits
                }
                digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -precision))
            }
            return (d < 0 || (d == 0 && d.sign == .minus) ? "-" : "") + digits
        }
        let (ds, point) = shortestDigits(d)
        var s = plainDecimal(ds, point)
        if precision > 0 {
            if !s.contains(".") { s += "." }
            let frac = s.split(separator: ".", omittingEmptySubsequences: false)[1].count
            s += String(repeating: "0", count: max(0, precision - frac))
        }
        return (d < 0 ? "-" : "") + s
    }

    /// Scientific notation `d.ddddde±XX` with `precision` fractional digits.
    static func scientific(_ d: Double, _ precision: Int) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return (d.sign == .minus ? "-" : "") + fixed(0, precision) + "e+00" }
        var exp = 0
        var m = abs(d)
        while m >= 10 {
            m /= 10
            exp += 1
        }
        while m < 1 {
            m *= 10
            exp -= 1
        }
        var mant = fixed(m, precision)
        if mant.hasPrefix("10") {
            exp += 1
            mant = fixed(m / 10, precision)
        }
        return (d < 0 ? "-" : "") + mant + (exp < 0 ? "e-" : "e+") + (abs(exp) < 10 ? "0" : "") + String(abs(exp))
    }

    /// `string(x)` for scalar values; nil when there is no conversion.
    static func string(_ v: CELValue) -> CELValue {
        switch v {
        case .string: return v
        case .int(let i): return .string(String(i))
        case .uint(let u): return .string(String(u))
        case .double(let d): return .string(goG(d))
        case .bool(let b): return .string(b ? "true" : "false")
        case .bytes(let b):
            guard let s = String(validating: b.bytes, as: UTF8.self) else {
                return .error("invalid UTF-8 in bytes, cannot convert to string")
            }
            return .string(s)
        case .timestamp(let t): return .string(CELTimeOps.format(t))
        case .duration(let d): return .string(CELTimeOps.format(d))
        case .type(let t): return .string(t.runtimeName)
        case .null: return .string("null")
        case .error: return v
        default: return .noSuchOverload("string", v)
        }
    }

    /// A readable CEL-like rendering of any value, for messages and the CLI.
    static func display(_ v: CELValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return "\(u)u"
        case .double(let d):
            let g = goG(d)
            return g.contains(where: { $0 == "." || $0 == "e" || $0 == "N" || $0 == "I" }) ? g : g + ".0"
        case .string(let s): return CELStrings.quote(s)
        case .bytes(let b):
            var out = "b\""
            for c in b.bytes {
                if c >= 0x20 && c < 0x7F && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") {
                    out.unicodeScalars.append(UnicodeScalar(c))
                } else {
                    let hex = String(c, radix: 16)
                    out += "\\x" + (hex.count == 1 ? "0" : "") + hex
                }
            }
            return out + "\""
        case .list(let l): return "[" + l.map(display).joined(separator: ", ") + "]"
        case .map(let m):
            return "{"
                + (0..<m.count).map { display(m.keys[$0]) + ": " + display(m.values[$0]) }.joined(separator: ", ")
                + "}"
        case .type(let t): return t.runtimeName
        case .timestamp(let t): return "timestamp(\"\(CELTimeOps.format(t))\")"
        case .duration(let d): return "duration(\"\(CELTimeOps.format(d))\")"
        case .error(let e): return "error(\(e.message))"
        case .object(let o): return "<\(o.schema.name) object>"
        case .optional(let v?): return "optional.of(\(display(v)))"
        case .optional(nil): return "optional.none()"
        }
    }

    /// The `%s` form used by `format()`: values bare (no quotes, even nested), map entries
    /// sorted by their formatted key, as cel-go prints them.
    static func formatS(_ v: CELValue) -> CELValue {
        switch v {
        case .list(let l):
            var parts: [String] = []
            for x in l {
                let f = formatS(x)
                guard case .string(let s) = f else { return f }
                parts.append(s)
            }
            return .string("[" + parts.joined(separator: ", ") + "]")
        case .map(let m):
            var entries: [(String, String)] = []
            for i in 0..<m.count {
                let k = formatS(m.key(at: i))
                guard case .string(let key) = k else { return k }
                let x = formatS(m.value(at: i))
                guard case .string(let value) = x else { return x }
                entries.append((key, value))
            }
            entries.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            return .string("{" + entries.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}")
        case .double(let d):
            if d.isNaN { return .string("NaN") }
            if d.isInfinite { return .string(d < 0 ? "-Infinity" : "Infinity") }
            return .string(goG(d))
        case .bytes(let b):
            return .string(String(decoding: b.bytes, as: UTF8.self))
        case .object(let o):
            return .error("format: string clause cannot be used on \(o.schema.name)")
        default:
            return string(v)
        }
    }

    /// The strings extension's `format`: `%s %d %f %e %x %X %o %b %%` with optional precision.
    static func format(_ template: String, _ args: [CELValue]) -> CELValue {
        var out = ""
        var argIndex = 0
        let cs = Array(template.unicodeScalars)
        var i = 0
        func next() -> CELValue? {
            guard argIndex < args.count else { return nil }
            defer { argIndex += 1 }
            return args[argIndex]
        }
        while i < cs.count {
            let c = cs[i]
            i += 1
            guard c == "%" else {
                out.unicodeScalars.append(c)
                continue
            }
            guard i < cs.count else { return .error("format: unterminated verb at end of string") }
            var precision: Int? = nil
            if cs[i] == "." {
                i += 1
                var p = 0
                var any = false
                while i < cs.count, let d = Int(String(cs[i])), cs[i].isASCII {
                    p = p * 10 + d
                    any = true
                    i += 1
                }
                guard any else { return .error("format: missing precision") }
                precision = p
            }
            guard i < cs.count else { return .error("format: unterminated verb at end of string") }
            let verb = cs[i]
            i += 1
            if verb == "%" {
                out += "%"
                continue
            }
            guard let arg = next() else {
                return .error("format: index \(argIndex) out of range")
            }
            if case .error = arg { return arg }
            switch verb {
            case "s":
                guard case .string(let s) = formatS(arg) else { return formatS(arg) }
                out += s
            case "d":
                switch arg {
                case .int(let x): out += String(x)
                case .uint(let x): out += String(x)
                case .double(let d) where d.isNaN: out += "NaN"
                case .double(let d) where d.isInfinite: out += d < 0 ? "-Infinity" : "Infinity"
                default: return .error("format: decimal clause can only be used on integers, was given \(arg.typeName)")
                }
            case "f", "e":
                let d: Double
                switch arg {
                case .double(let x): d = x
                case .int(let x): d = Double(x)
                case .uint(let x): d = Double(x)
                default:
                    return .error("format: fixed-point clause can only be used on doubles, was given \(arg.typeName)")
                }
                out += verb == "f" ? fixed(d, precision ?? 6) : scientific(d, precision ?? 6)
            case "x", "X", "o", "b":
                let radix = verb == "o" ? 8 : verb == "b" ? 2 : 16
                var text: String
                switch arg {
                case .int(let x): text = (x < 0 ? "-" : "") + String(x.magnitude, radix: radix)
                case .uint(let x): text = String(x, radix: radix)
                case .bool(let b) where radix == 2: text = b ? "1" : "0"
                case .string(let s) where radix == 16:
                    text = s.utf8.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
                case .bytes(let b) where radix == 16:
                    text = b.bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
                default:
                    return .error("format: \(verb) clause cannot be used on \(arg.typeName)")
                }
                if verb == "X" { text = text.uppercased() }
                out += text
            default:
                return .error("format: unrecognized formatting clause '\(verb)'")
            }
        }
        return .string(out)
    }
}
