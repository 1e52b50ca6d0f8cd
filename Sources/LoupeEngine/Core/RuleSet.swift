import LoupeCEL
import LoupeModel

/// A rule with its expressions planned once.
final class CompiledRule: Sendable {
    let spec: RuleSpec
    /// Position in the rule files: evaluation and output follow it.
    let order: Int
    /// By event type raw value; all must be true (ANDed). An array, not a dictionary: it is read
    /// for every candidate rule of every event.
    let expressions: [[CELProgram]]
    /// profileDependency 0: the rule never runs without a learned profile.
    let requiresProfile: Bool
    let message: CELProgram
    let uniqueId: CELProgram
    /// The contexts the rule's `context:` tags allow; nil when it has none (all contexts).
    let contexts: Set<EventSourceContext>?

    init(
        spec: RuleSpec, order: Int, expressions: [EventType: [CELProgram]], message: CELProgram, uniqueId: CELProgram
    ) {
        self.spec = spec
        self.order = order
        var byType = [[CELProgram]](repeating: [], count: EventType.slotCount)
        for (type, programs) in expressions { byType[Int(type.rawValue)] = programs }
        self.expressions = byType
        requiresProfile = spec.profileDependency == .required
        self.message = message
        self.uniqueId = uniqueId
        let tags = spec.contextTags
        if tags.isEmpty {
            contexts = nil
        } else {
            var allowed: Set<EventSourceContext> = []
            for tag in tags {
                switch tag {
                case "kubernetes": allowed.insert(.kubernetes)
                case "host": allowed.insert(.host)
                case "standalone", "docker": allowed.insert(.docker)
                case "container": allowed.formUnion([.kubernetes, .docker])
                default: break
                }
            }
            contexts = allowed
        }
    }

    func allows(_ context: EventSourceContext) -> Bool { contexts?.contains(context) ?? true }
}

extension EventType {
    /// Arrays indexed by raw value hold this many slots.
    static let slotCount = Int(allCases.map(\.rawValue).max()!) + 1
}

/// Rules compiled against the engine's environment and indexed by event type.
struct RuleSet: Sendable {
    let rules: [CompiledRule]
    /// Enabled rules per event type raw value, in rule order.
    let byType: [[CompiledRule]]
    let environment: CELEnvironment
    let eventSlot: Int
    let eventTypeSlot: Int
    let httpSlot: Int

    /// Compiles every expression; the first that does not compile is refused with its position.
    init(specs: [RuleSpec], functions: [CELFunction]) throws(InputError) {
        let ruleEnvironment = RuleEnvironment(functions: functions)
        let env = ruleEnvironment.environment
        eventSlot = ruleEnvironment.eventSlot
        eventTypeSlot = ruleEnvironment.eventTypeSlot
        httpSlot = ruleEnvironment.httpSlot
        environment = env

        func compile(_ text: SourcedText, _ what: String, _ rule: RuleSpec) throws(InputError) -> CELProgram {
            do {
                return try env.compile(text.text)
            } catch {
                let at = text.fileLocation(line: error.line, column: error.column)
                throw InputError(
                    at: at, "rule \(rule.id) (\(rule.name)): \(what) does not compile: \(error.message)")
            }
        }

        var compiled: [CompiledRule] = []
        var byType = [[CompiledRule]](repeating: [], count: EventType.slotCount)
        for (order, spec) in specs.enumerated() {
            var expressions: [EventType: [CELProgram]] = [:]
            for e in spec.expressions {
                expressions[e.eventType, default: []].append(
                    try compile(e.expression, "ruleExpression for \(e.eventType.name)", spec))
            }
            let rule = CompiledRule(
                spec: spec, order: order, expressions: expressions,
                message: try compile(spec.message, "expressions.message", spec),
                uniqueId: try compile(spec.uniqueId, "expressions.uniqueId", spec))
            compiled.append(rule)
            guard spec.enabled else { continue }
            for type in spec.eventTypes { byType[Int(type.rawValue)].append(rule) }
        }
        rules = compiled
        self.byType = byType
    }
}
