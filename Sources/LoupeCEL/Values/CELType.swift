/// A CEL type, used both by the checker and as the runtime value of `type(x)`.
public indirect enum CELType: Sendable, Hashable, CustomStringConvertible {
    case dyn
    case null
    case bool, int, uint, double, string, bytes
    case list(CELType)
    case map(CELType, CELType)
    /// The type of types; the parameter is the type it denotes when known.
    case type(CELType?)
    case timestamp, duration
    case error
    /// A host object type by name; its fields come from a `CELObjectSchema`.
    case object(String)
    /// A schema-described host object (for declarations).
    case schema(CELObjectSchema)
    /// An optional value of the given type.
    case optional(CELType)

    /// The name CEL prints for the type at runtime (no type parameters).
    public var runtimeName: String {
        switch self {
        case .dyn: return "dyn"
        case .null: return "null_type"
        case .bool: return "bool"
        case .int: return "int"
        case .uint: return "uint"
        case .double: return "double"
        case .string: return "string"
        case .bytes: return "bytes"
        case .list: return "list"
        case .map: return "map"
        case .type: return "type"
        case .timestamp: return "google.protobuf.Timestamp"
        case .duration: return "google.protobuf.Duration"
        case .error: return "error"
        case .object(let name): return name
        case .schema(let s): return s.name
        case .optional: return "optional_type"
        }
    }

    public var description: String {
        switch self {
        case .list(let e): return "list(\(e))"
        case .map(let k, let v): return "map(\(k), \(v))"
        case .type(let t?): return "type(\(t))"
        case .optional(let t): return "optional_type(\(t))"
        default: return runtimeName
        }
    }

    public static func == (a: CELType, b: CELType) -> Bool {
        switch (a, b) {
        case (.list(let x), .list(let y)): return x == y
        case (.map(let k1, let v1), .map(let k2, let v2)): return k1 == k2 && v1 == v2
        case (.type(let x), .type(let y)): return x == y
        case (.schema(let x), .schema(let y)): return x === y
        case (.optional(let x), .optional(let y)): return x == y
        default: return a.runtimeName == b.runtimeName && a.isParameterless && b.isParameterless
        }
    }

    private var isParameterless: Bool {
        switch self {
        case .list, .map, .type, .schema, .optional: return false
        default: return true
        }
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(runtimeName) }

    /// Parses a type as written in declarations: `int`, `list(string)`, `map(string, int)`.
    public init?(parsing text: String) {
        var s = Substring(text.filter { $0 != " " })
        guard let t = CELType.parse(&s), s.isEmpty else { return nil }
        self = t
    }

    private static func parse(_ s: inout Substring) -> CELType? {
        var name = ""
        while let c = s.first, c != "(" && c != ")" && c != "," {
            name.append(c)
            s.removeFirst()
        }
        var params: [CELType] = []
        if s.first == "(" {
            s.removeFirst()
            while true {
                guard let p = parse(&s) else { return nil }
                params.append(p)
                if s.first == "," {
                    s.removeFirst()
                    continue
                }
                guard s.first == ")" else { return nil }
                s.removeFirst()
                break
            }
        }
        switch (name, params.count) {
        case ("dyn", 0), ("any", 0): return .dyn
        case ("null_type", 0), ("null", 0): return .null
        case ("bool", 0): return .bool
        case ("int", 0): return .int
        case ("uint", 0): return .uint
        case ("double", 0): return .double
        case ("string", 0): return .string
        case ("bytes", 0): return .bytes
        case ("list", 0): return .list(.dyn)
        case ("list", 1): return .list(params[0])
        case ("map", 0): return .map(.dyn, .dyn)
        case ("map", 2): return .map(params[0], params[1])
        case ("type", 0): return .type(nil)
        case ("type", 1): return .type(params[0])
        case ("timestamp", 0), ("google.protobuf.Timestamp", 0): return .timestamp
        case ("duration", 0), ("google.protobuf.Duration", 0): return .duration
        case ("optional_type", 0): return .optional(.dyn)
        case ("optional_type", 1), ("optional", 1): return .optional(params[0])
        case (_, 0) where !name.isEmpty: return .object(name)
        default: return nil
        }
    }
}
