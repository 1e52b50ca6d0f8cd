/// A CEL value: a closed enum with scalars stored inline.
public enum CELValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes(CELBytes)
    case list([CELValue])
    case map(CELMap)
    case type(CELType)
    case timestamp(CELTimestamp)
    case duration(CELDuration)
    case error(CELEvalError)
    /// A host object whose fields are read through its schema (see `CELHostObject`).
    case object(CELHostObject)
    /// An optional value (cel-go's optional types): `nil` is `optional.none()`.
    indirect case optional(CELValue?)

    /// The runtime type of the value, as `type(x)` returns it.
    public var celType: CELType {
        switch self {
        case .null: return .null
        case .bool: return .bool
        case .int: return .int
        case .uint: return .uint
        case .double: return .double
        case .string: return .string
        case .bytes: return .bytes
        case .list: return .list(.dyn)
        case .map: return .map(.dyn, .dyn)
        case .type: return .type(nil)
        case .timestamp: return .timestamp
        case .duration: return .duration
        case .error: return .error
        case .object(let o): return .object(o.schema.name)
        case .optional: return .optional(.dyn)
        }
    }

    /// The value's type name for error messages.
    public var typeName: String { celType.runtimeName }

    /// Whether the value is an error.
    @inline(__always) public var isError: Bool {
        if case .error = self { return true }
        return false
    }

    /// Shorthand for an error value.
    @inline(__always) public static func error(_ message: String) -> CELValue {
        .error(CELEvalError(message))
    }

    /// The error CEL reports when no overload accepts the argument types.
    public static func noSuchOverload(_ function: String, _ arguments: CELValue...) -> CELValue {
        let types = arguments.map(\.typeName).joined(separator: ", ")
        return .error(CELEvalError("no such overload: \(function)(\(types))"))
    }
}

/// An evaluation error carried as a value, so `&&` and `||` can absorb it.
public struct CELEvalError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A CEL bytes value.
public struct CELBytes: Sendable, Hashable, Comparable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public static func < (a: CELBytes, b: CELBytes) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}

/// A host-provided object (such as a kernel event) exposing fields by index.
///
/// Subclass it in the host: `field(at:)` returns the value of the schema field at that index, or
/// `nil` when the field is absent (so `has()` is false and reading it is an error).
open class CELHostObject: @unchecked Sendable {
    /// Describes the fields; their indices are what `field(at:)` receives.
    public let schema: CELObjectSchema

    public init(schema: CELObjectSchema) { self.schema = schema }

    /// The value of field `index` of `schema`, or nil when absent.
    open func field(at index: Int) -> CELValue? { nil }
}

/// The fields of a host object type: names resolved to indices when an expression is planned.
public final class CELObjectSchema: Sendable {
    /// One field: its declared type and the index the host reads it by.
    public struct Field: Sendable {
        public var name: String
        public var type: CELType
        public var index: Int
        public init(name: String, type: CELType, index: Int) {
            self.name = name
            self.type = type
            self.index = index
        }
    }

    /// The type name (`loupe.Event`).
    public let name: String
    public let fields: [String: Field]

    /// Builds a schema; field indices are the positions in `fields`.
    public init(name: String, fields: [(String, CELType)]) {
        self.name = name
        var table: [String: Field] = [:]
        for (i, (fieldName, type)) in fields.enumerated() {
            table[fieldName] = Field(name: fieldName, type: type, index: i)
        }
        self.fields = table
    }

    /// Builds a schema with explicit field indices.
    public init(name: String, fields: [Field]) {
        self.name = name
        self.fields = Dictionary(fields.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }
}

extension CELValue: CustomStringConvertible {
    /// A CEL-like rendering: `1`, `2u`, `"text"`, `[1, 2]`, `{"k": 1}`, `timestamp("...")`.
    public var description: String { CELFormat.display(self) }
}
