public import LoupeCEL

/// The CEL environment rule expressions compile in: `event`, `eventType` and `http` declared
/// with the event schema, and every helper of kubescape's rules.
///
/// The engine compiles its rules in one of these; `loupe cel check --rule` uses one too, so a
/// rule author's check and the engine agree on what compiles.
public struct RuleEnvironment: Sendable {
    public let environment: CELEnvironment
    let eventSlot: Int
    let eventTypeSlot: Int
    let httpSlot: Int

    init(functions: [CELFunction]) {
        var env = CELEnvironment()
        eventSlot = env.declare("event", schema: EventField.schema)
        eventTypeSlot = env.declare("eventType", .string)
        httpSlot = env.declare("http", schema: EventField.schema)
        env.register(functions)
        environment = env
    }

    /// An environment for checking expressions: the helpers answer from empty state.
    public static func forChecking() -> RuleEnvironment {
        let state = HelperState(registry: MntnsRegistry(hostMntns: 0), profiles: ProfileStore(), apiServerAddresses: [])
        return RuleEnvironment(functions: EngineHelpers.functions(state))
    }
}
