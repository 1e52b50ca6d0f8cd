public import LoupeCEL

/// A free-form value from an input file (a rule's `state`, a binding's `parameters`).
public enum InputValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case list([InputValue])
    case map(InputMap)

    /// The value as CEL sees it: maps keep their key order; integers are CEL `int`.
    public var celValue: CELValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .list(let items): return .list(items.map(\.celValue))
        case .map(let m):
            var out = CELMap()
            for (k, v) in zip(m.keys, m.values) { out.set(.string(k), v.celValue) }
            return .map(out)
        }
    }

    /// The string, when the value is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The strings of a list whose items are all strings (a single string counts as a list of one).
    public var stringListValue: [String]? {
        switch self {
        case .string(let s): return [s]
        case .list(let items):
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else { return nil }
                out.append(s)
            }
            return out
        default: return nil
        }
    }

    /// Converts a document node; mapping keys must be scalars.
    public init(_ node: YAMLNode) throws(InputError) {
        switch node.content {
        case .scalar(let s):
            switch s.value {
            case .null: self = .null
            case .bool(let b): self = .bool(b)
            case .int(let i): self = .int(i)
            case .double(let d): self = .double(d)
            case .string(let t): self = .string(t)
            }
        case .sequence(let items):
            var out: [InputValue] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try InputValue(item)) }
            self = .list(out)
        case .mapping(let pairs):
            var map = InputMap()
            for pair in pairs {
                guard let key = pair.key.scalar?.text else {
                    throw InputError(at: pair.key.location, "expected a scalar key, found \(pair.key.kindDescription)")
                }
                map[key] = try InputValue(pair.value)
            }
            self = .map(map)
        }
    }
}

/// A string-keyed map that keeps the order its keys were written in.
public struct InputMap: Sendable, Hashable {
    public private(set) var keys: [String] = []
    public private(set) var values: [InputValue] = []

    public init() {}

    public init(_ entries: [(String, InputValue)]) {
        for (k, v) in entries { self[k] = v }
    }

    public var isEmpty: Bool { keys.isEmpty }
    public var count: Int { keys.count }

    /// The value of `key`; setting replaces in place or appends.
    public subscript(key: String) -> InputValue? {
        get { keys.firstIndex(of: key).map { values[$0] } }
        set {
            if let i = keys.firstIndex(of: key) {
                if let newValue {
                    values[i] = newValue
                } else {
                    keys.remove(at: i)
                    values.remove(at: i)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    /// This map with `other`'s entries laid over it (`other` wins; new keys come last).
    public func merging(_ other: InputMap) -> InputMap {
        var out = self
        for (k, v) in zip(other.keys, other.values) { out[k] = v }
        return out
    }
}
