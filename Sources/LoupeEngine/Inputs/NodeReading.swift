/// Reads the keys of one mapping node with typed accessors whose errors name the key's path,
/// its position and what was expected.
struct MappingReader {
    let node: YAMLNode
    /// Where this mapping sits in its document, e.g. `spec.rules[2]`.
    let path: String
    private let pairs: [YAMLPair]

    init(_ node: YAMLNode, path: String) throws(InputError) {
        guard let pairs = node.pairs else {
            throw InputError(
                at: node.location,
                "expected a mapping for \(path.isEmpty ? "the document" : path), found \(node.kindDescription)")
        }
        self.node = node
        self.path = path
        self.pairs = pairs
    }

    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The keys in document order.
    var keys: [String] { pairs.compactMap { $0.key.scalar?.text } }

    /// The value of `key`; an explicit `null` counts as absent, as it does for Kubernetes objects.
    func optional(_ key: String) -> YAMLNode? {
        guard let value = node[key] else { return nil }
        if case .scalar(let s) = value.content, case .null = s.value { return nil }
        return value
    }

    func required(_ key: String) throws(InputError) -> YAMLNode {
        guard let value = optional(key) else {
            throw InputError(
                at: node.location, "missing required key \"\(key)\" in \(path.isEmpty ? "the document" : path)")
        }
        return value
    }

    /// Refuses keys outside `allowed` (used for Loupe's own formats, where a typo must not pass).
    func refuseUnknownKeys(_ allowed: Set<String>) throws(InputError) {
        for pair in pairs {
            guard let key = pair.key.scalar?.text, !allowed.contains(key) else { continue }
            let known = allowed.sorted().joined(separator: ", ")
            throw InputError(
                at: pair.key.location,
                "unknown key \"\(key)\" in \(path.isEmpty ? "the document" : path) (known keys: \(known))")
        }
    }

    func string(_ key: String) throws(InputError) -> String { try required(key).string(childPath(key)) }
    func string(_ key: String, default value: String) throws(InputError) -> String {
        try optional(key)?.string(childPath(key)) ?? value
    }
    func optionalString(_ key: String) throws(InputError) -> String? { try optional(key)?.string(childPath(key)) }
    func bool(_ key: String, default value: Bool) throws(InputError) -> Bool {
        try optional(key)?.bool(childPath(key)) ?? value
    }
    func int(_ key: String, default value: Int64) throws(InputError) -> Int64 {
        try optional(key)?.int(childPath(key)) ?? value
    }
    func stringList(_ key: String) throws(InputError) -> [String] {
        try optional(key)?.stringList(childPath(key)) ?? []
    }
    func mapping(_ key: String) throws(InputError) -> MappingReader? {
        guard let value = optional(key) else { return nil }
        return try MappingReader(value, path: childPath(key))
    }
    func sequence(_ key: String) throws(InputError) -> [YAMLNode] {
        guard let value = optional(key) else { return [] }
        return try value.sequence(childPath(key))
    }
    func freeMap(_ key: String) throws(InputError) -> InputMap {
        guard let value = optional(key) else { return InputMap() }
        guard value.pairs != nil else {
            throw InputError(
                at: value.location, "expected a mapping for \(childPath(key)), found \(value.kindDescription)")
        }
        guard case .map(let m) = try InputValue(value) else { return InputMap() }
        return m
    }
    /// A mapping of string keys to string values (labels, annotations).
    func stringMap(_ key: String) throws(InputError) -> [String: String] {
        guard let reader = try mapping(key) else { return [:] }
        var out: [String: String] = [:]
        for pair in reader.pairs {
            guard let k = pair.key.scalar?.text else {
                throw InputError(
                    at: pair.key.location, "expected a string key in \(reader.path), found \(pair.key.kindDescription)")
            }
            out[k] = try pair.value.string(reader.childPath(k))
        }
        return out
    }
}

extension YAMLNode {
    func mismatch(_ expected: String, _ path: String) -> InputError {
        InputError(at: location, "expected \(expected) for \(path), found \(kindDescription)")
    }

    /// A string scalar; numbers and booleans written plain are refused (quote them).
    func string(_ path: String) throws(InputError) -> String {
        guard case .scalar(let s) = content, case .string(let text) = s.value else {
            throw mismatch("a string", path)
        }
        return text
    }

    func bool(_ path: String) throws(InputError) -> Bool {
        guard case .scalar(let s) = content, case .bool(let b) = s.value else {
            throw mismatch("a boolean (true or false)", path)
        }
        return b
    }

    func int(_ path: String) throws(InputError) -> Int64 {
        guard case .scalar(let s) = content, case .int(let i) = s.value else {
            throw mismatch("an integer", path)
        }
        return i
    }

    func sequence(_ path: String) throws(InputError) -> [YAMLNode] {
        guard case .sequence(let items) = content else { throw mismatch("a sequence", path) }
        return items
    }

    func stringList(_ path: String) throws(InputError) -> [String] {
        let items = try sequence(path)
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() { out.append(try item.string("\(path)[\(i)]")) }
        return out
    }
}
