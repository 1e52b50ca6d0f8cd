/// CEL's standard functions and the strings extension, as overloads.
enum CELStandardLibrary {
    static let functions: [CELFunction] =
        core + conversions + time + strings + CELMathLibrary.functions + CELOptionalLibrary.functions

    private static func size(_ v: CELValue) -> CELValue {
        switch v {
        case .string(let s): return .int(CELStrings.size(s))
        case .bytes(let b): return .int(Int64(b.bytes.count))
        case .list(let l): return .int(Int64(l.count))
        case .map(let m): return .int(Int64(m.count))
        default: return .noSuchOverload("size", v)
        }
    }

    private static func matches(_ s: CELValue, _ p: CELValue) -> CELValue {
        guard case .string(let text) = s, case .string(let pattern) = p else { return .noSuchOverload("matches", s, p) }
        switch CELRegex.cached(pattern) {
        case .success(let r): return .bool(r.matches(text))
        case .failure(let e): return .error("invalid regular expression '\(pattern)': \(e.message)")
        }
    }

    private static let validatePattern: @Sendable (Int, CELValue) -> String? = { index, value in
        guard index == 1, case .string(let pattern) = value else { return nil }
        if case .failure(let e) = CELRegex.cached(pattern) {
            return "invalid regular expression '\(pattern)': \(e.message)"
        }
        return nil
    }

    private static func stringTest(_ name: String, _ f: @escaping @Sendable (String, String) -> Bool) -> CELFunction {
        CELFunction(
            name,
            [
                .binary("\(name)_string", member: true, .string, .string, .bool) { a, b in
                    guard case .string(let x) = a, case .string(let y) = b else { return .noSuchOverload(name, a, b) }
                    return .bool(f(x, y))
                }
            ])
    }

    static let core: [CELFunction] = [
        CELFunction(
            "size",
            [
                .unary("size", .dyn, .int, size),
                .unary("size_member", member: true, .dyn, .int, size),
            ]),
        stringTest("contains", CELStrings.contains),
        stringTest("startsWith", CELStrings.hasPrefix),
        stringTest("endsWith", CELStrings.hasSuffix),
        CELFunction(
            "matches",
            [
                CELOverload(
                    "matches", [.string, .string], .bool, validateConstant: validatePattern, impl: .binary(matches)),
                CELOverload(
                    "matches_string", member: true, [.string, .string], .bool, validateConstant: validatePattern,
                    impl: .binary(matches)),
            ]),
        CELFunction("dyn", [.unary("to_dyn", .dyn, .dyn) { $0 }]),
        CELFunction("type", [.unary("type", .dyn, .type(nil)) { .type($0.celType) }]),
    ]

    private static func toInt(_ v: CELValue) -> CELValue {
        switch v {
        case .int: return v
        case .uint(let u):
            return u > UInt64(Int64.max) ? .error("range error converting \(u)u to int") : .int(Int64(u))
        case .double(let d):
            guard d > -9223372036854775808.0 && d < 9223372036854775808.0 else {
                return .error("range error converting \(CELFormat.goG(d)) to int")
            }
            return .int(Int64(d))
        case .string(let s):
            guard let i = Int64(s) else { return .error("type conversion error: cannot convert '\(s)' to int") }
            return .int(i)
        case .timestamp(let t): return .int(t.seconds)
        case .error: return v
        default: return .noSuchOverload("int", v)
        }
    }

    private static func toUint(_ v: CELValue) -> CELValue {
        switch v {
        case .uint: return v
        case .int(let i): return i < 0 ? .error("range error converting \(i) to uint") : .uint(UInt64(i))
        case .double(let d):
            guard d > -1 && d < 18446744073709551616.0 else {
                return .error("range error converting \(CELFormat.goG(d)) to uint")
            }
            return .uint(UInt64(d))
        case .string(let s):
            guard let u = UInt64(s) else { return .error("type conversion error: cannot convert '\(s)' to uint") }
            return .uint(u)
        case .error: return v
        default: return .noSuchOverload("uint", v)
        }
    }

    private static func toDouble(_ v: CELValue) -> CELValue {
        switch v {
        case .double: return v
        case .int(let i): return .double(Double(i))
        case .uint(let u): return .double(Double(u))
        case .string(let s):
            let lowered = CELStrings.lowerASCII(s)
            switch lowered {
            case "inf", "+inf", "infinity", "+infinity": return .double(.infinity)
            case "-inf", "-infinity": return .double(-.infinity)
            case "nan": return .double(.nan)
            default: break
            }
            guard !lowered.contains("inf"), !lowered.contains("nan"), let d = Double(s) else {
                return .error("type conversion error: cannot convert '\(s)' to double")
            }
            return .double(d)
        case .error: return v
        default: return .noSuchOverload("double", v)
        }
    }

    private static func toBool(_ v: CELValue) -> CELValue {
        switch v {
        case .bool: return v
        case .string(let s):
            switch s {
            case "true", "TRUE", "True", "t", "T", "1": return .bool(true)
            case "false", "FALSE", "False", "f", "F", "0": return .bool(false)
            default: return .error("Type conversion error: cannot convert '\(s)' to bool")
            }
        case .error: return v
        default: return .noSuchOverload("bool", v)
        }
    }

    private static func toBytes(_ v: CELValue) -> CELValue {
        switch v {
        case .bytes: return v
        case .string(let s): return .bytes(CELBytes(Array(s.utf8)))
        case .error: return v
        default: return .noSuchOverload("bytes", v)
        }
    }

    private static func toTimestamp(_ v: CELValue) -> CELValue {
        switch v {
        case .timestamp: return v
        case .string(let s): return CELTimeOps.parseTimestamp(s)
        case .int(let i):
            let t = CELTimestamp(seconds: i)
            return t.isValid ? .timestamp(t) : .error("timestamp out of range: \(i)")
        case .error: return v
        default: return .noSuchOverload("timestamp", v)
        }
    }

    private static func toDuration(_ v: CELValue) -> CELValue {
        switch v {
        case .duration: return v
        case .string(let s): return CELTimeOps.parseDuration(s)
        case .int(let i):
            let d = CELDuration(totalNanos: i)
            return .duration(d)
        case .error: return v
        default: return .noSuchOverload("duration", v)
        }
    }

    static let conversions: [CELFunction] = [
        CELFunction("int", [.unary("to_int", .dyn, .int, toInt)]),
        CELFunction("uint", [.unary("to_uint", .dyn, .uint, toUint)]),
        CELFunction("double", [.unary("to_double", .dyn, .double, toDouble)]),
        CELFunction("string", [.unary("to_string", .dyn, .string, CELFormat.string)]),
        CELFunction("bytes", [.unary("to_bytes", .dyn, .bytes, toBytes)]),
        CELFunction("bool", [.unary("to_bool", .dyn, .bool, toBool)]),
        CELFunction("timestamp", [.unary("to_timestamp", .dyn, .timestamp, toTimestamp)]),
        CELFunction("duration", [.unary("to_duration", .dyn, .duration, toDuration)]),
    ]

    private static func accessor(_ name: String, _ field: CELTimeOps.Field, duration: Bool) -> CELFunction {
        var overloads: [CELOverload] = [
            .unary("timestamp_\(name)", member: true, .timestamp, .int) { v in
                guard case .timestamp(let t) = v else { return .noSuchOverload(name, v) }
                return CELTimeOps.get(t, field, zone: nil)
            },
            .binary("timestamp_\(name)_tz", member: true, .timestamp, .string, .int) { v, z in
                guard case .timestamp(let t) = v, case .string(let zone) = z else { return .noSuchOverload(name, v, z) }
                return CELTimeOps.get(t, field, zone: zone)
            },
        ]
        if duration {
            overloads.append(
                .unary("duration_\(name)", member: true, .duration, .int) { v in
                    guard case .duration(let d) = v else { return .noSuchOverload(name, v) }
                    return CELTimeOps.get(d, field)
                })
        }
        return CELFunction(name, overloads)
    }

    static let time: [CELFunction] = [
        accessor("getFullYear", .fullYear, duration: false),
        accessor("getMonth", .month, duration: false),
        accessor("getDate", .date, duration: false),
        accessor("getDayOfMonth", .dayOfMonth, duration: false),
        accessor("getDayOfWeek", .dayOfWeek, duration: false),
        accessor("getDayOfYear", .dayOfYear, duration: false),
        accessor("getHours", .hours, duration: true),
        accessor("getMinutes", .minutes, duration: true),
        accessor("getSeconds", .seconds, duration: true),
        accessor("getMilliseconds", .milliseconds, duration: true),
    ]

    private static func join(_ list: CELValue, _ separator: String) -> CELValue {
        guard case .list(let l) = list else { return .noSuchOverload("join", list) }
        var parts: [String] = []
        parts.reserveCapacity(l.count)
        for x in l {
            guard case .string(let s) = x else {
                return .error("join: list element of type \(x.typeName) is not a string")
            }
            parts.append(s)
        }
        return .string(parts.joined(separator: separator))
    }

    static let strings: [CELFunction] = [
        CELFunction(
            "charAt",
            [
                .binary("string_char_at_int", member: true, .string, .int, .string) { s, i in
                    guard case .string(let x) = s, case .int(let n) = i else { return .noSuchOverload("charAt", s, i) }
                    return CELStrings.charAt(x, n)
                }
            ]),
        CELFunction(
            "indexOf",
            [
                .binary("string_index_of_string", member: true, .string, .string, .int) { s, t in
                    guard case .string(let x) = s, case .string(let y) = t else {
                        return .noSuchOverload("indexOf", s, t)
                    }
                    return CELStrings.indexOf(x, y)
                },
                .ternary("string_index_of_string_int", member: true, .string, .string, .int, .int) { s, t, i in
                    guard case .string(let x) = s, case .string(let y) = t, case .int(let n) = i else {
                        return .noSuchOverload("indexOf", s, t, i)
                    }
                    return CELStrings.indexOf(x, y, n)
                },
            ]),
        CELFunction(
            "lastIndexOf",
            [
                .binary("string_last_index_of_string", member: true, .string, .string, .int) { s, t in
                    guard case .string(let x) = s, case .string(let y) = t else {
                        return .noSuchOverload("lastIndexOf", s, t)
                    }
                    return CELStrings.lastIndexOf(x, y)
                },
                .ternary("string_last_index_of_string_int", member: true, .string, .string, .int, .int) { s, t, i in
                    guard case .string(let x) = s, case .string(let y) = t, case .int(let n) = i else {
                        return .noSuchOverload("lastIndexOf", s, t, i)
                    }
                    return CELStrings.lastIndexOf(x, y, n)
                },
            ]),
        CELFunction(
            "join",
            [
                .unary("list_join", member: true, .list(.string), .string) { join($0, "") },
                .binary("list_join_string", member: true, .list(.string), .string, .string) { l, s in
                    guard case .string(let sep) = s else { return .noSuchOverload("join", l, s) }
                    return join(l, sep)
                },
            ]),
        CELFunction(
            "split",
            [
                .binary("string_split_string", member: true, .string, .string, .list(.string)) { s, t in
                    guard case .string(let x) = s, case .string(let y) = t else {
                        return .noSuchOverload("split", s, t)
                    }
                    return .list(CELStrings.split(x, y))
                },
                .ternary("string_split_string_int", member: true, .string, .string, .int, .list(.string)) { s, t, n in
                    guard case .string(let x) = s, case .string(let y) = t, case .int(let k) = n else {
                        return .noSuchOverload("split", s, t, n)
                    }
                    return .list(CELStrings.split(x, y, k))
                },
            ]),
        CELFunction(
            "replace",
            [
                .ternary("string_replace_string_string", member: true, .string, .string, .string, .string) { s, a, b in
                    guard case .string(let x) = s, case .string(let y) = a, case .string(let z) = b else {
                        return .noSuchOverload("replace", s, a, b)
                    }
                    return .string(CELStrings.replace(x, y, z))
                },
                CELOverload(
                    "string_replace_string_string_int", member: true, [.string, .string, .string, .int], .string,
                    impl: .variadic { args in
                        guard case .string(let x) = args[0], case .string(let y) = args[1],
                            case .string(let z) = args[2],
                            case .int(let n) = args[3]
                        else { return .error("no such overload: replace") }
                        return .string(CELStrings.replace(x, y, z, n))
                    }),
            ]),
        CELFunction(
            "lowerAscii",
            [
                .unary("string_lower_ascii", member: true, .string, .string) { s in
                    guard case .string(let x) = s else { return .noSuchOverload("lowerAscii", s) }
                    return .string(CELStrings.lowerASCII(x))
                }
            ]),
        CELFunction(
            "upperAscii",
            [
                .unary("string_upper_ascii", member: true, .string, .string) { s in
                    guard case .string(let x) = s else { return .noSuchOverload("upperAscii", s) }
                    return .string(CELStrings.upperASCII(x))
                }
            ]),
        CELFunction(
            "trim",
            [
                .unary("string_trim", member: true, .string, .string) { s in
                    guard case .string(let x) = s else { return .noSuchOverload("trim", s) }
                    return .string(CELStrings.trim(x))
                }
            ]),
        CELFunction(
            "reverse",
            [
                .unary("string_reverse", member: true, .string, .string) { s in
                    guard case .string(let x) = s else { return .noSuchOverload("reverse", s) }
                    return .string(CELStrings.reverse(x))
                }
            ]),
        CELFunction(
            "substring",
            [
                .binary("string_substring_int", member: true, .string, .int, .string) { s, i in
                    guard case .string(let x) = s, case .int(let n) = i else {
                        return .noSuchOverload("substring", s, i)
                    }
                    return CELStrings.substring(x, n)
                },
                .ternary("string_substring_int_int", member: true, .string, .int, .int, .string) { s, i, j in
                    guard case .string(let x) = s, case .int(let a) = i, case .int(let b) = j else {
                        return .noSuchOverload("substring", s, i, j)
                    }
                    return CELStrings.substring(x, a, b)
                },
            ]),
        CELFunction(
            "format",
            [
                .binary("string_format", member: true, .string, .list(.dyn), .string) { s, l in
                    guard case .string(let x) = s, case .list(let args) = l else {
                        return .noSuchOverload("format", s, l)
                    }
                    return CELFormat.format(x, args)
                }
            ]),
        CELFunction(
            "strings.quote",
            [
                .unary("strings_quote", .string, .string) { s in
                    guard case .string(let x) = s else { return .noSuchOverload("strings.quote", s) }
                    return .string(CELStrings.quote(x))
                }
            ]),
    ]
}
