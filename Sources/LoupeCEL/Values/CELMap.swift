/// A map key normalized so that numerically equal int and uint keys collide, as CEL requires.
/// Strings compare by code points (Swift's own `String` equality normalizes).
public enum CELMapKey: Hashable, Sendable {
    case bool(Bool)
    case nonNegative(UInt64)
    case negative(Int64)
    case string(String)

    public static func == (a: CELMapKey, b: CELMapKey) -> Bool {
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return x == y
        case (.nonNegative(let x), .nonNegative(let y)): return x == y
        case (.negative(let x), .negative(let y)): return x == y
        case (.string(let x), .string(let y)): return CELStrings.equal(x, y)
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .bool(let b): hasher.combine(b)
        case .nonNegative(let u): hasher.combine(u)
        case .negative(let i): hasher.combine(i)
        case .string(let s):
            hasher.combine(s.utf8.count)
            if s.utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
                for b in s.utf8 { hasher.combine(b) }
            }
        }
    }

    /// The key for a value, or nil when the value's type cannot be a map key.
    /// Doubles are accepted only for lookups and only when integral.
    @inline(__always) public init?(_ value: CELValue, forLookup: Bool = false) {
        switch value {
        case .string(let s): self = .string(s)
        case .int(let i): self = i >= 0 ? .nonNegative(UInt64(i)) : .negative(i)
        case .uint(let u): self = .nonNegative(u)
        case .bool(let b): self = .bool(b)
        case .double(let d) where forLookup:
            guard d == d.rounded(.towardZero) else { return nil }
            if d >= 0 && d < 18446744073709551616.0 {
                self = .nonNegative(UInt64(d))
            } else if d < 0 && d >= -9223372036854775808.0 {
                self = .negative(Int64(d))
            } else {
                return nil
            }
        default: return nil
        }
    }
}

/// A CEL map: insertion-ordered entries with a hash index on normalized keys.
///
/// The entries live in one class instance so a map costs one word inside `CELValue`
/// (keeping every value small); mutation copies on write.
public struct CELMap: Sendable {
    private final class Storage: @unchecked Sendable {
        var keys: [CELValue] = []
        var values: [CELValue] = []
        var index: [CELMapKey: Int] = [:]
        init() {}
        init(copying other: Storage) {
            keys = other.keys
            values = other.values
            index = other.index
        }
    }

    private var storage = Storage()

    public init() {}

    /// Keys in insertion order.
    public var keys: [CELValue] { storage.keys }
    /// Values in insertion order, matching `keys`.
    public var values: [CELValue] { storage.values }

    /// The number of entries.
    public var count: Int { storage.keys.count }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
    }

    /// Adds an entry; returns false when the key is already present or cannot be a key.
    @discardableResult
    public mutating func insert(_ key: CELValue, _ value: CELValue) -> Bool {
        guard let k = CELMapKey(key) else { return false }
        if storage.index[k] != nil { return false }
        makeUnique()
        storage.index[k] = storage.keys.count
        storage.keys.append(key)
        storage.values.append(value)
        return true
    }

    /// Adds or replaces an entry.
    public mutating func set(_ key: CELValue, _ value: CELValue) {
        guard let k = CELMapKey(key) else { return }
        makeUnique()
        if let i = storage.index[k] {
            storage.values[i] = value
        } else {
            storage.index[k] = storage.keys.count
            storage.keys.append(key)
            storage.values.append(value)
        }
    }

    /// The value for a key (numeric keys compare across int, uint and integral double).
    @inline(__always) public subscript(key: CELValue) -> CELValue? {
        guard let k = CELMapKey(key, forLookup: true), let i = storage.index[k] else { return nil }
        return storage.values[i]
    }

    /// The value for a string key.
    @inline(__always) public subscript(string key: String) -> CELValue? {
        guard let i = storage.index[.string(key)] else { return nil }
        return storage.values[i]
    }

    /// The key at a position (insertion order).
    @inline(__always) public func key(at i: Int) -> CELValue { storage.keys[i] }
    /// The value at a position (insertion order).
    @inline(__always) public func value(at i: Int) -> CELValue { storage.values[i] }

    /// Builds a map from string keys, for hosts.
    public init(_ entries: [String: CELValue]) {
        for (k, v) in entries.sorted(by: { $0.key < $1.key }) { insert(.string(k), v) }
    }
}
