/// A Kubernetes label selector: `matchLabels` and `matchExpressions`, all ANDed.
public struct LabelSelector: Sendable, Hashable {
    /// One `matchExpressions` item.
    public struct Requirement: Sendable, Hashable {
        public enum Operator: String, Sendable, Hashable, CaseIterable {
            case `in` = "In"
            case notIn = "NotIn"
            case exists = "Exists"
            case doesNotExist = "DoesNotExist"
        }

        public var key: String
        public var op: Operator
        public var values: [String]

        public init(key: String, op: Operator, values: [String] = []) {
            self.key = key
            self.op = op
            self.values = values
        }

        /// Kubernetes semantics: `NotIn` and `DoesNotExist` match when the key is absent.
        public func matches(labels: [String: String]) -> Bool {
            let value = labels[key]
            switch op {
            case .in: return value.map(values.contains) ?? false
            case .notIn: return value.map { !values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            }
        }
    }

    public var matchLabels: [String: String]
    public var matchExpressions: [Requirement]

    public init(matchLabels: [String: String] = [:], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// True when every label and expression matches; an empty selector matches everything.
    public func matches(labels: [String: String]) -> Bool {
        for (k, v) in matchLabels where labels[k] != v { return false }
        return matchExpressions.allSatisfy { $0.matches(labels: labels) }
    }

    static func parse(_ reader: MappingReader) throws(InputError) -> LabelSelector {
        let labels = try reader.stringMap("matchLabels")
        var requirements: [Requirement] = []
        for (i, item) in try reader.sequence("matchExpressions").enumerated() {
            let e = try MappingReader(item, path: reader.childPath("matchExpressions[\(i)]"))
            let key = try e.string("key")
            let opNode = try e.required("operator")
            let opName = try opNode.string(e.childPath("operator"))
            guard let op = Requirement.Operator(rawValue: opName) else {
                throw InputError(
                    at: opNode.location,
                    "expected In, NotIn, Exists or DoesNotExist for \(e.childPath("operator")), found \"\(opName)\"")
            }
            let values = try e.stringList("values")
            let needsValues = op == .in || op == .notIn
            if needsValues && values.isEmpty {
                throw InputError(at: item.location, "expected non-empty values for operator \(opName) in \(e.path)")
            }
            if !needsValues && !values.isEmpty {
                throw InputError(
                    at: e.optional("values")?.location ?? item.location,
                    "expected no values for operator \(opName) in \(e.path), found \(values.count)")
            }
            requirements.append(Requirement(key: key, op: op, values: values))
        }
        return LabelSelector(matchLabels: labels, matchExpressions: requirements)
    }
}

/// One `spec.rules` item of a binding: which rules it enables and with what parameters.
public struct BindingRule: Sendable {
    /// How the item names its rules.
    public enum Reference: Sendable, Hashable {
        case name(String)
        case id(String)
        /// Every rule carrying any of these tags.
        case tags([String])
    }

    public var reference: Reference
    /// Merged over the rule's `state` (the binding wins); includes the prefilter keys.
    public var parameters: InputMap
    /// A severity override.
    public var severity: Int64?
    public var location: SourceLocation
}

/// A `kind: RuntimeRuleAlertBinding` document.
public struct RuleBinding: Sendable {
    public var name: String
    public var namespace: String?
    /// Nil when unset: matches every namespace.
    public var namespaceSelector: LabelSelector?
    /// Nil when unset: matches every pod.
    public var podSelector: LabelSelector?
    public var rules: [BindingRule]
    public var location: SourceLocation

    /// True when the binding applies to a pod with these labels in a namespace with these labels.
    public func applies(namespaceLabels: [String: String], podLabels: [String: String]) -> Bool {
        (namespaceSelector?.matches(labels: namespaceLabels) ?? true)
            && (podSelector?.matches(labels: podLabels) ?? true)
    }
}

/// Loads `kind: RuntimeRuleAlertBinding` files.
public enum BindingsLoader {
    public static let apiVersion = "kubescape.io/v1"
    public static let kind = "RuntimeRuleAlertBinding"

    /// The prefilter keys upstream evaluates before CEL, with the shape each must have.
    static let prefilterKeys: Set<String> = [
        "includePrefixes", "ignorePrefixes", "ports", "excludeProcesses", "excludeParentProcesses", "direction",
        "methods",
    ]

    /// Bindings from a file or a directory.
    public static func load(path: String, limits: YAMLLimits = .default) throws(InputError) -> [RuleBinding] {
        try bindings(from: InputFiles.documents(path, limits: limits))
    }

    /// Bindings from in-memory text.
    public static func parse(text: String, file: String = "<input>") throws(InputError) -> [RuleBinding] {
        try bindings(from: YAMLReader.documents(text: text, file: file).filter { !$0.isEmptyDocument })
    }

    static func bindings(from documents: [YAMLNode]) throws(InputError) -> [RuleBinding] {
        var out: [RuleBinding] = []
        for document in documents {
            let header = try DocumentHeader(document)
            try header.expect(kinds: [kind])
            let metadata = try header.reader.mapping("metadata")
            guard let spec = try header.reader.mapping("spec") else {
                throw InputError(at: document.location, "missing required key \"spec\" in the document")
            }
            var rules: [BindingRule] = []
            for (i, item) in try spec.sequence("rules").enumerated() {
                rules.append(try parseRule(item, path: "spec.rules[\(i)]"))
            }
            out.append(
                RuleBinding(
                    name: try metadata?.optionalString("name") ?? "",
                    namespace: try metadata?.optionalString("namespace"),
                    namespaceSelector: try spec.mapping("namespaceSelector").map { r throws(InputError) in
                        try LabelSelector.parse(r)
                    },
                    podSelector: try spec.mapping("podSelector").map { r throws(InputError) in
                        try LabelSelector.parse(r)
                    },
                    rules: rules,
                    location: document.location))
        }
        return out
    }

    static func parseRule(_ node: YAMLNode, path: String) throws(InputError) -> BindingRule {
        let r = try MappingReader(node, path: path)
        var refs: [BindingRule.Reference] = []
        if let name = try r.optionalString("ruleName") { refs.append(.name(name)) }
        if let id = try r.optionalString("ruleID") { refs.append(.id(id)) }
        if r.optional("ruleTags") != nil { refs.append(.tags(try r.stringList("ruleTags"))) }
        guard refs.count == 1 else {
            throw InputError(
                at: node.location,
                "expected exactly one of ruleName, ruleID or ruleTags in \(path), found \(refs.count)")
        }
        let parameters = try r.freeMap("parameters")
        try checkPrefilter(parameters, reader: r)
        var severity: Int64?
        if let node = r.optional("severity") {
            severity = try parseSeverity(node, path: r.childPath("severity"))
        }
        return BindingRule(reference: refs[0], parameters: parameters, severity: severity, location: node.location)
    }

    /// Severity as an integer, a numeric string, or a level name.
    static func parseSeverity(_ node: YAMLNode, path: String) throws(InputError) -> Int64 {
        if case .scalar(let s) = node.content {
            switch s.value {
            case .int(let i): return i
            case .string(let text):
                if let i = Int64(text) { return i }
                let names: [String: Int64] = ["none": 0, "low": 1, "medium": 5, "high": 8, "critical": 10]
                if let i = names[text.lowercased()] { return i }
            default: break
            }
        }
        throw node.mismatch("an integer or none, low, medium, high, critical", path)
    }

    /// Checks the shape of the prefilter parameters so a mistake shows at load, not as a silent miss.
    static func checkPrefilter(_ parameters: InputMap, reader: MappingReader) throws(InputError) {
        guard let node = reader.optional("parameters") else { return }
        let p = try MappingReader(node, path: reader.childPath("parameters"))
        for key in ["includePrefixes", "ignorePrefixes", "methods"] where p.optional(key) != nil {
            _ = try p.stringList(key)
        }
        if let direction = p.optional("direction") { _ = try direction.string(p.childPath("direction")) }
        if let ports = p.optional("ports") {
            for (i, item) in try ports.sequence(p.childPath("ports")).enumerated() {
                let port = try item.int(p.childPath("ports[\(i)]"))
                if !(0...65535).contains(port) {
                    throw InputError(
                        at: item.location,
                        "expected a port 0-65535 for \(p.childPath("ports[\(i)]")), found integer \(port)")
                }
            }
        }
        for key in ["excludeProcesses", "excludeParentProcesses"] {
            for (i, item) in try p.sequence(key).enumerated() {
                let e = try MappingReader(item, path: p.childPath("\(key)[\(i)]"))
                _ = try e.optionalString("name")
                _ = try e.optionalString("path")
            }
        }
    }
}
