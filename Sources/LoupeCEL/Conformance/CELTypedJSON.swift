import Foundation

/// The typed-value JSON of the conformance files: `{"int64": "5"}`, `{"list": [...]}`, ...
public enum CELTypedJSON {
    /// Why a typed value could not be decoded.
    public struct DecodeError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Decodes a typed value from a parsed JSON object (as JSONSerialization returns).
    public static func decode(_ json: Any) throws(DecodeError) -> CELValue {
        guard let object = json as? [String: Any], object.count == 1, let (kind, payload) = object.first else {
            throw DecodeError(message: "a typed value must be an object with one key")
        }
        func string() throws(DecodeError) -> String {
            guard let s = payload as? String else { throw DecodeError(message: "\(kind): expected a string") }
            return s
        }
        switch kind {
        case "int64":
            if let n = payload as? NSNumber, !(payload is String) { return .int(n.int64Value) }
            guard let v = Int64(try string()) else { throw DecodeError(message: "int64: malformed") }
            return .int(v)
        case "uint64":
            if let n = payload as? NSNumber, !(payload is String) { return .uint(n.uint64Value) }
            guard let v = UInt64(try string()) else { throw DecodeError(message: "uint64: malformed") }
            return .uint(v)
        case "double":
            if let n = payload as? NSNumber, !(payload is String) { return .double(n.doubleValue) }
            let s = try string()
            switch s {
            case "NaN": return .double(.nan)
            case "Infinity": return .double(.infinity)
            case "-Infinity": return .double(-.infinity)
            default:
                guard let v = Double(s) else { throw DecodeError(message: "double: malformed") }
                return .double(v)
            }
        case "string": return .string(try string())
        case "bytes_b64":
            guard let data = Data(base64Encoded: try string()) else {
                throw DecodeError(message: "bytes_b64: malformed")
            }
            return .bytes(CELBytes(Array(data)))
        case "bool":
            guard let b = payload as? Bool else { throw DecodeError(message: "bool: expected true or false") }
            return .bool(b)
        case "null": return .null
        case "list":
            guard let items = payload as? [Any] else { throw DecodeError(message: "list: expected an array") }
            var out: [CELValue] = []
            for i in items { out.append(try decode(i)) }
            return .list(out)
        case "map":
            guard let entries = payload as? [Any] else { throw DecodeError(message: "map: expected an array of pairs") }
            var m = CELMap()
            for e in entries {
                guard let pair = e as? [Any], pair.count == 2 else {
                    throw DecodeError(message: "map: entries are [key, value]")
                }
                if !m.insert(try decode(pair[0]), try decode(pair[1])) {
                    throw DecodeError(message: "map: duplicate or invalid key")
                }
            }
            return .map(m)
        case "type":
            guard let t = CELType(parsing: try string()) else { throw DecodeError(message: "type: unknown type") }
            return .type(t)
        case "timestamp", "duration":
            guard let o = payload as? [String: Any] else { throw DecodeError(message: "\(kind): expected an object") }
            let seconds =
                (o["seconds"] as? String).flatMap { Int64($0) } ?? (o["seconds"] as? NSNumber)?.int64Value ?? 0
            let nanos = (o["nanos"] as? NSNumber)?.int32Value ?? 0
            return kind == "timestamp"
                ? .timestamp(CELTimestamp(seconds: seconds, nanos: nanos))
                : .duration(CELDuration(seconds: seconds, nanos: nanos))
        default:
            throw DecodeError(message: "unknown typed value kind '\(kind)'")
        }
    }

    /// Decodes a bindings object `{"name": TV, ...}` from JSON text.
    public static func decodeBindings(json: String) throws(DecodeError) -> [String: CELValue] {
        let data = Data(json.utf8)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw DecodeError(message: "bindings must be a JSON object of name -> typed value")
        }
        var out: [String: CELValue] = [:]
        for (k, v) in object { out[k] = try decode(v) }
        return out
    }

    /// Reads a bindings file (`{"name": TV, ...}`).
    public static func decodeBindings(file path: String) throws(DecodeError) -> [String: CELValue] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DecodeError(message: "cannot read bindings file \(path)")
        }
        return try decodeBindings(json: String(decoding: data, as: UTF8.self))
    }

    /// Encodes a value (or an error) as typed-value JSON text.
    public static func encode(_ v: CELValue) -> String {
        switch v {
        case .null: return "{\"null\":true}"
        case .bool(let b): return "{\"bool\":\(b)}"
        case .int(let i): return "{\"int64\":\"\(i)\"}"
        case .uint(let u): return "{\"uint64\":\"\(u)\"}"
        case .double(let d):
            let text: String
            if d.isNaN {
                text = "NaN"
            } else if d.isInfinite {
                text = d < 0 ? "-Infinity" : "Infinity"
            } else {
                text = "\(d)"
            }
            return "{\"double\":\"\(text)\"}"
        case .string(let s): return "{\"string\":\(quote(s))}"
        case .bytes(let b): return "{\"bytes_b64\":\"\(Data(b.bytes).base64EncodedString())\"}"
        case .list(let l): return "{\"list\":[" + l.map(encode).joined(separator: ",") + "]}"
        case .map(let m):
            return "{\"map\":["
                + (0..<m.count).map { "[\(encode(m.keys[$0])),\(encode(m.values[$0]))]" }
                .joined(separator: ",") + "]}"
        case .type(let t): return "{\"type\":\(quote(t.runtimeName))}"
        case .timestamp(let t): return "{\"timestamp\":{\"seconds\":\"\(t.seconds)\",\"nanos\":\(t.nanos)}}"
        case .duration(let d): return "{\"duration\":{\"seconds\":\"\(d.seconds)\",\"nanos\":\(d.nanos)}}"
        case .error(let e): return "{\"eval_error\":\(quote(e.message))}"
        case .object(let o): return "{\"object\":\(quote(o.schema.name))}"
        case .optional(let v?): return "{\"optional\":\(encode(v))}"
        case .optional(nil): return "{\"optional_none\":true}"
        }
    }

    /// A JSON string literal.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 {
                    let hex = String(c.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    /// Strict structural identity for comparing results with expectations: same types, NaN
    /// equals NaN, maps compared by key regardless of order.
    public static func identical(_ a: CELValue, _ b: CELValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.uint(let x), .uint(let y)): return x == y
        case (.double(let x), .double(let y)): return (x.isNaN && y.isNaN) || x == y
        case (.string(let x), .string(let y)): return x == y
        case (.bytes(let x), .bytes(let y)): return x == y
        case (.list(let x), .list(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
        case (.map(let x), .map(let y)):
            guard x.count == y.count else { return false }
            for i in 0..<x.count {
                guard let j = y.keys.firstIndex(where: { identical($0, x.keys[i]) }),
                    identical(x.values[i], y.values[j])
                else { return false }
            }
            return true
        case (.type(let x), .type(let y)): return x.runtimeName == y.runtimeName
        case (.timestamp(let x), .timestamp(let y)): return x == y
        case (.duration(let x), .duration(let y)): return x == y
        case (.optional(nil), .optional(nil)): return true
        case (.optional(let x?), .optional(let y?)): return identical(x, y)
        default: return false
        }
    }
}
