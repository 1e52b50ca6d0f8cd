public import LoupeModel

/// How much a rule relies on the container's learned profile (kubescape's numbering).
public enum ProfileDependency: Int64, Sendable, Hashable, CaseIterable {
    case required = 0
    case optional = 1
    case notRequired = 2
}

/// One `ruleExpression` item: a CEL boolean expression for one event type.
public struct RuleExpression: Sendable {
    public var eventType: EventType
    public var expression: SourcedText
}

/// A rule of a `kind: Rules` document, validated but not yet compiled.
public struct RuleSpec: Sendable {
    public var id: String
    public var name: String
    public var description: String
    /// Defaults to true: a rule written without `enabled` is not silently off (upstream it is).
    public var enabled: Bool
    /// 0 none, 1 low, 5 medium, 8 high, 10 critical.
    public var severity: Int64
    /// CEL expression producing the alert message.
    public var message: SourcedText
    /// CEL expression producing the cooldown identity.
    public var uniqueId: SourcedText
    /// In file order; several for one event type are ANDed.
    public var expressions: [RuleExpression]
    /// Defaults to `.required`, as upstream's zero value.
    public var profileDependency: ProfileDependency
    /// The raw `profileDataRequired` value (a list of parts or a map of part to setting).
    public var profileDataRequired: InputValue?
    public var supportPolicy: Bool
    /// Defaults to true.
    public var isTriggerAlert: Bool
    public var mitreTactic: String
    public var mitreTechnique: String
    public var tags: [String]
    public var state: InputMap
    public var agentVersionRequirement: String?
    /// Where the rule's mapping starts.
    public var location: SourceLocation
    /// The `metadata.name` of the `Rules` document it came from.
    public var documentName: String

    /// The event types the rule's expressions name, without repeats, sorted.
    public var eventTypes: [EventType] { Array(Set(expressions.map(\.eventType))).sorted() }

    /// The expressions for `type`, in file order.
    public func expressions(for type: EventType) -> [RuleExpression] { expressions.filter { $0.eventType == type } }

    /// The `context:` tag values (`kubernetes`, `host`, `standalone`, `container`), if any.
    public var contextTags: [String] {
        tags.compactMap { $0.hasPrefix("context:") ? String($0.dropFirst("context:".count)) : nil }
    }
}

/// Loads `kind: Rules` files.
public enum RulesLoader {
    public static let apiVersion = "kubescape.io/v1"
    public static let kind = "Rules"

    /// Rules from a file or a directory (its `*.yaml`, `*.yml`, `*.json`, sorted by name).
    ///
    /// - Throws: `InputError` naming file, line and column; rule ids must be unique across all files.
    public static func load(path: String, limits: YAMLLimits = .default) throws(InputError) -> [RuleSpec] {
        try rules(from: InputFiles.documents(path, limits: limits))
    }

    /// Rules from in-memory text; `file` names it in errors.
    public static func parse(text: String, file: String = "<input>") throws(InputError) -> [RuleSpec] {
        try rules(from: YAMLReader.documents(text: text, file: file).filter { !$0.isEmptyDocument })
    }

    static func rules(from documents: [YAMLNode]) throws(InputError) -> [RuleSpec] {
        var out: [RuleSpec] = []
        var seen: [String: SourceLocation] = [:]
        for document in documents {
            let header = try DocumentHeader(document)
            try header.expect(kinds: [kind])
            if header.apiVersion != apiVersion {
                throw InputError(
                    at: (header.reader.optional("apiVersion") ?? document).location,
                    "expected apiVersion \"\(apiVersion)\", found \"\(header.apiVersion)\"")
            }
            let name = try header.reader.mapping("metadata")?.optionalString("name") ?? ""
            guard let spec = try header.reader.mapping("spec") else {
                throw InputError(at: document.location, "missing required key \"spec\" in the document")
            }
            for (i, item) in try spec.sequence("rules").enumerated() {
                let rule = try parseRule(item, path: "spec.rules[\(i)]", documentName: name)
                if let first = seen[rule.id] {
                    throw InputError(
                        at: rule.location,
                        "duplicate rule id \"\(rule.id)\" (first defined at \(first))")
                }
                seen[rule.id] = rule.location
                out.append(rule)
            }
        }
        return out
    }

    static func parseRule(_ node: YAMLNode, path: String, documentName: String) throws(InputError) -> RuleSpec {
        let r = try MappingReader(node, path: path)
        let id = try r.string("id")
        let context = "\(path) (rule \(id))"
        let rule = try MappingReader(node, path: context)
        guard let exprs = try rule.mapping("expressions") else {
            throw InputError(at: node.location, "missing required key \"expressions\" in \(context)")
        }
        let message = try SourcedText(node: exprs.required("message"), path: exprs.childPath("message"))
        let uniqueId = try SourcedText(node: exprs.required("uniqueId"), path: exprs.childPath("uniqueId"))
        let list = try exprs.required("ruleExpression").sequence(exprs.childPath("ruleExpression"))
        if list.isEmpty {
            throw InputError(
                at: (exprs.optional("ruleExpression") ?? exprs.node).location,
                "expected at least one item in \(exprs.childPath("ruleExpression")), found an empty sequence")
        }
        var expressions: [RuleExpression] = []
        for (j, item) in list.enumerated() {
            let e = try MappingReader(item, path: exprs.childPath("ruleExpression[\(j)]"))
            let typeNode = try e.required("eventType")
            let typeName = try typeNode.string(e.childPath("eventType"))
            guard let type = EventType(name: typeName) else {
                let known = EventType.allCases.map(\.name).joined(separator: ", ")
                throw InputError(
                    at: typeNode.location,
                    "expected an event type (\(known)) for \(e.childPath("eventType")), found \"\(typeName)\"")
            }
            let text = try SourcedText(node: e.required("expression"), path: e.childPath("expression"))
            expressions.append(RuleExpression(eventType: type, expression: text))
        }
        var dependency = ProfileDependency.required
        if let depNode = rule.optional("profileDependency") {
            let raw = try depNode.int(rule.childPath("profileDependency"))
            guard let d = ProfileDependency(rawValue: raw) else {
                throw InputError(
                    at: depNode.location,
                    "expected 0 (required), 1 (optional) or 2 (not required) for \(rule.childPath("profileDependency")), found integer \(raw)"
                )
            }
            dependency = d
        }
        return RuleSpec(
            id: id,
            name: try rule.string("name"),
            description: try rule.string("description", default: ""),
            enabled: try rule.bool("enabled", default: true),
            severity: try rule.int("severity", default: 0),
            message: message,
            uniqueId: uniqueId,
            expressions: expressions,
            profileDependency: dependency,
            profileDataRequired: try rule.optional("profileDataRequired").map { n throws(InputError) in
                try InputValue(n)
            },
            supportPolicy: try rule.bool("supportPolicy", default: false),
            isTriggerAlert: try rule.bool("isTriggerAlert", default: true),
            mitreTactic: try rule.string("mitreTactic", default: ""),
            mitreTechnique: try rule.string("mitreTechnique", default: ""),
            tags: try rule.stringList("tags"),
            state: try rule.freeMap("state"),
            agentVersionRequirement: try rule.optionalString("agentVersionRequirement"),
            location: node.location,
            documentName: documentName)
    }
}
