import LoupeCEL
public import LoupeModel

/// Why a rule did not alert for an event it could have matched (facts §9, plus Loupe's own).
public enum SuppressionReason: String, Sendable, CaseIterable, Comparable {
    case noRulesForPod = "no_rules_for_pod"
    case profileMissing = "profile_missing"
    case policy = "policy"
    case evalError = "eval_error"
    case cooldown = "cooldown"
    case contextDisabled = "context_disabled"
    case ignored = "ignored"
    case unknownMntns = "unknown_mntns"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Counters a replay summary shows. Dictionaries are only read sorted.
public struct EngineStats: Sendable {
    public var records = 0
    /// Records by kind name (`exec`, `open`, `container_started`, ...).
    public var recordsByKind: [String: Int] {
        var counts: [String: Int] = [:]
        for (raw, count) in kindCounts.enumerated() where count > 0 {
            counts[RecordKind(rawValue: UInt32(raw)).name] = count
        }
        return counts
    }
    /// Per-record counters by kind raw value (all this version knows are below 64).
    var kindCounts = [Int](repeating: 0, count: 64)
    public var events = 0
    /// Events by context name, `unknown` for unattributed namespaces.
    public var eventsByContext: [String: Int] {
        var counts: [String: Int] = [:]
        if unattributedEvents > 0 { counts["unknown"] = unattributedEvents }
        for context in EventSourceContext.allCases where contextCounts[Int(context.rawValue)] > 0 {
            counts[context.name] = contextCounts[Int(context.rawValue)]
        }
        return counts
    }
    /// Per-event counters by context raw value: a string-keyed dictionary would hash a name for
    /// every event.
    var contextCounts = [Int](repeating: 0, count: 4)
    var unattributedEvents = 0
    public var alertsByRule: [String: Int] = [:]
    public var alertsByContext: [String: Int] = [:]
    /// Counted once per (event, candidate rule), except `unknown_mntns`, counted per event.
    public var suppressions: [SuppressionReason: Int] {
        var totals: [SuppressionReason: Int] = [:]
        if unknownMntnsEvents > 0 { totals[.unknownMntns] = unknownMntnsEvents }
        for (index, count) in suppressionCounts.enumerated() where count > 0 {
            totals[Self.reasons[index % Self.reasons.count], default: 0] += count
        }
        return totals
    }
    public var suppressionsByRule: [String: [SuppressionReason: Int]] {
        var byRule: [String: [SuppressionReason: Int]] = [:]
        for (index, count) in suppressionCounts.enumerated() where count > 0 {
            byRule[ruleIDs[index / Self.reasons.count], default: [:]][Self.reasons[index % Self.reasons.count]] = count
        }
        return byRule
    }
    /// Suppressions by (rule order, reason), flat: they are counted per event and candidate rule
    /// (every rule of a host event when host monitoring is off), too often for string-keyed
    /// dictionaries. The dictionaries above are views for the summary.
    private static let reasons = SuppressionReason.allCases
    var ruleIDs: [String] = []
    var suppressionCounts: [Int] = []
    var unknownMntnsEvents = 0

    init(ruleIDs: [String] = []) {
        self.ruleIDs = ruleIDs
        suppressionCounts = [Int](repeating: 0, count: ruleIDs.count * Self.reasons.count)
    }

    mutating func countSuppression(_ reason: SuppressionReason, rule order: Int) {
        suppressionCounts[order * Self.reasons.count + Self.reasons.firstIndex(of: reason)!] += 1
    }
    public var evalErrorsByRule: [String: Int] = [:]
    /// The first evaluation error message of each rule.
    public var firstEvalError: [String: String] = [:]
    public var lateAttributions = 0
    /// Namespaces events came from that nobody registered, with their event counts.
    public var unknownMntns: [UInt64: Int] = [:]
    public var drops: UInt64 = 0
    public var alerts: Int { alertsByRule.values.reduce(0, +) }
}

/// Everything the engine is built from.
public struct EngineInputs: Sendable {
    public var rules: [RuleSpec]
    /// Nil when no bindings were given: Kubernetes pods then get every rule (see docs/engine.md).
    public var bindings: [RuleBinding]?
    public var profiles: ProfileStore
    public var config: LoupeConfig
    public var host: HostInfo
    /// The capture's first registration per namespace, for events that raced ahead of it.
    public var lookahead: RegistrationLookahead?

    public init(
        rules: [RuleSpec], bindings: [RuleBinding]? = nil, profiles: ProfileStore = ProfileStore(),
        config: LoupeConfig = LoupeConfig(), host: HostInfo, lookahead: RegistrationLookahead? = nil
    ) {
        self.rules = rules
        self.bindings = bindings
        self.profiles = profiles
        self.config = config
        self.host = host
        self.lookahead = lookahead
    }
}

/// Receives how long each rule evaluation took (`loupe bench rules`).
///
/// The engine reads no clock itself: with a collector set it asks the collector for the time
/// before and after each candidate rule; without one (the default) it does neither.
public protocol RuleTimingCollector: AnyObject {
    /// Monotonic nanoseconds.
    func now() -> UInt64
    /// One evaluation of the rule at `rule` in `Engine.ruleIDs` took `nanoseconds`.
    func record(rule: Int, nanoseconds: UInt64)
}

/// The rule engine: one deterministic step per record, `apply(record) -> [Alert]`.
///
/// It owns the namespace registry, process tree, cooldown and compiled rules; time is the
/// records' time and order is capture order, so the same inputs always give the same alerts.
/// One engine must be driven from one thread.
public final class Engine {
    public let inputs: EngineInputs
    public private(set) var stats = EngineStats()
    let ruleSet: RuleSet
    let state: HelperState
    private var cooldown: Cooldown
    private var clock: ClockAnchor
    private var activation: CELActivation
    private let object = EventObject()
    /// The rules that apply outside bindings (host, docker, and pods when no bindings were
    /// given), by context raw value.
    private let unboundPlans: [RulePlan]
    /// Per Kubernetes container id: the rules its bindings give it.
    private var boundCache: [String: RulePlan] = [:]
    /// Containers an event was attributed to ahead of their start record, by namespace.
    private var lateEntries: [UInt64: RegisteredContainer] = [:]
    /// `eventType` values by event type raw value.
    private let typeNames: [CELValue]
    private let nodeName: String
    private let clusterName: String
    /// Per-rule timing for benchmarks; nil (no clock reads) otherwise.
    public var timing: (any RuleTimingCollector)?

    /// Compiles the rules. - Throws: `InputError` for an expression that does not compile.
    public init(_ inputs: EngineInputs) throws(InputError) {
        self.inputs = inputs
        var apiServer: Set<String> = ["10.96.0.1"]
        for label in inputs.host.captureOptions
        where label.key == "KUBERNETES_SERVICE_HOST" || label.key == "kubernetesServiceHost" {
            apiServer.insert(label.value)
        }
        state = HelperState(
            registry: MntnsRegistry(hostMntns: inputs.host.hostMntns), profiles: inputs.profiles,
            apiServerAddresses: apiServer)
        ruleSet = try RuleSet(specs: inputs.rules, functions: EngineHelpers.functions(state))
        stats = EngineStats(ruleIDs: ruleSet.rules.map { $0.spec.id })
        cooldown = Cooldown(settings: inputs.config.cooldown)
        clock = inputs.host.clock
        activation = ruleSet.environment.makeActivation()
        activation[ruleSet.eventSlot] = .object(object)
        let unbound = ruleSet.rules.map { rule in
            BoundRule(
                rule: rule, parameters: rule.spec.state, prefilter: Prefilter(rule.spec.state),
                severity: rule.spec.severity)
        }
        var plans = [RulePlan](repeating: RulePlan(), count: 4)
        for context in EventSourceContext.allCases {
            plans[Int(context.rawValue)] = RulePlan(ruleSet, context: context, rules: unbound)
        }
        unboundPlans = plans
        var names = [CELValue](repeating: .null, count: EventType.slotCount)
        for type in EventType.allCases { names[Int(type.rawValue)] = .string(type.name) }
        typeNames = names
        let node = inputs.config.nodeName ?? inputs.host.nodeName
        nodeName = node.isEmpty ? inputs.host.hostname : node
        clusterName = inputs.config.clusterName ?? ""
    }

    /// The rules of the inputs that are enabled, by id.
    public var ruleIDs: [String] { ruleSet.rules.map(\.spec.id) }

    /// Applies one record in capture order and returns the alerts it raised.
    public func apply(_ record: Record) -> [Alert] {
        stats.records += 1
        let kind = Int(record.kind.rawValue)
        if kind < stats.kindCounts.count { stats.kindCounts[kind] += 1 }
        switch record {
        case .event(let event):
            return handle(event)
        case .drop(let d):
            stats.drops &+= d.count
        default:
            applyState(record)
        }
        return []
    }

    /// Applies a record's state only: registry, process tree and clock anchor. No rule is
    /// evaluated and nothing is counted; `loupe replay --since` feeds the records before the
    /// range through here, so the range starts from the state the capture had reached.
    public func observe(_ record: Record) {
        if case .event(let event) = record {
            state.tree.observe(event)
            if case .exit = event.payload { state.tree.remove(pid: event.header.pid) }
        } else {
            applyState(record)
        }
    }

    /// What a lifecycle, snapshot or clock record changes, the same whether rules run or not.
    private func applyState(_ record: Record) {
        switch record {
        case .containerStarted(let s), .containerSnapshot(let s):
            state.registry.register(s.container)
        case .containerStopped(let s):
            state.registry.unregister(mntns: s.mntns, id: s.id)
        case .processSnapshot(let p):
            state.tree.apply(snapshot: p)
        case .clockSync(let anchor):
            clock = anchor
        case .event, .drop:
            break
        }
    }

    private func suppress(_ reason: SuppressionReason, _ rule: CompiledRule) {
        stats.countSuppression(reason, rule: rule.order)
    }

    private func handle(_ event: Event) -> [Alert] {
        stats.events += 1
        state.tree.observe(event)
        defer { if case .exit = event.payload { state.tree.remove(pid: event.header.pid) } }

        let mntns = event.header.mntns
        var entry: RegisteredContainer?
        var late = false
        if mntns == 0 || mntns != state.registry.hostMntns {
            entry = state.registry.registered(mntns)
            if entry == nil {
                entry = lateEntry(mntns)
                guard entry != nil else {
                    stats.unattributedEvents += 1
                    stats.unknownMntns[mntns, default: 0] += 1
                    stats.unknownMntnsEvents += 1
                    return []
                }
                late = true
            }
        }
        let context = entry?.context ?? .host
        stats.contextCounts[Int(context.rawValue)] += 1
        if late { stats.lateAttributions += 1 }
        let type = Int(event.type.rawValue)
        let candidates = ruleSet.byType[type]
        if candidates.isEmpty { return [] }

        if !isEnabled(context) {
            for r in candidates { suppress(.contextDisabled, r) }
            return []
        }
        if isIgnored(event, context: context, container: entry) {
            for r in candidates { suppress(.ignored, r) }
            return []
        }
        let plan: RulePlan
        if context == .kubernetes, let entry, inputs.bindings != nil {
            plan = boundPlan(for: entry)
            if plan.isEmpty {
                for r in candidates { suppress(.noRulesForPod, r) }
                return []
            }
        } else {
            plan = unboundPlans[Int(context.rawValue)]
        }
        let rules = plan.byType[type]
        if rules.isEmpty { return [] }

        object.load(event, identity: entry?.identity ?? .host)
        activation[ruleSet.eventTypeSlot] = typeNames[type]
        activation[ruleSet.httpSlot] =
            event.type == .http ? .object(object) : .error("http is set only for http events")
        var hasProfile = false
        if context == .kubernetes, let entry { hasProfile = self.hasProfile(entry) }
        var alerts: [Alert] = []
        for bound in rules {
            let alert: Alert?
            if let timing {
                let start = timing.now()
                alert = check(
                    bound, event, type: type, context: context, entry: entry, hasProfile: hasProfile, late: late)
                timing.record(rule: bound.rule.order, nanoseconds: timing.now() &- start)
            } else {
                alert = check(
                    bound, event, type: type, context: context, entry: entry, hasProfile: hasProfile, late: late)
            }
            if let alert { alerts.append(alert) }
        }
        return alerts
    }

    /// The container the capture registers for `mntns` later, for an event that raced ahead of
    /// its start record (nil when the namespace was registered before: it stopped, the event is
    /// unattributed).
    private func lateEntry(_ mntns: UInt64) -> RegisteredContainer? {
        guard !state.registry.wasRegistered(mntns), let ahead = inputs.lookahead?.container(for: mntns),
            ahead.mntns != state.registry.hostMntns
        else { return nil }
        if let known = lateEntries[mntns] { return known }
        let entry = RegisteredContainer(ahead)
        lateEntries[mntns] = entry
        return entry
    }

    private func hasProfile(_ entry: RegisteredContainer) -> Bool {
        if let known = entry.hasProfile { return known }
        let found = state.profile(containerId: entry.info.id) != nil
        entry.hasProfile = found
        return found
    }

    /// One candidate rule for a prepared event: profile, prefilter, expressions, message,
    /// uniqueId, cooldown; the alert it raises, if any.
    private func check(
        _ bound: BoundRule, _ event: Event, type: Int, context: EventSourceContext, entry: RegisteredContainer?,
        hasProfile: Bool, late: Bool
    ) -> Alert? {
        let rule = bound.rule
        if rule.requiresProfile && !hasProfile {
            suppress(.profileMissing, rule)
            return nil
        }
        if !bound.prefilter.isEmpty {
            if !bound.prefilter.admits(event, parentPath: self.state.tree[event.header.ppid]?.path.string ?? "") {
                suppress(.policy, rule)
                return nil
            }
        }
        switch evaluate(rule.expressions[type]) {
        case .failure(let message):
            evalError(rule, message)
            return nil
        case .success(false):
            return nil
        case .success(true):
            break
        }
        guard case .string(let message) = rule.message.evaluate(activation) else {
            evalError(rule, "expressions.message did not produce a string")
            return nil
        }
        guard case .string(let uniqueID) = rule.uniqueId.evaluate(activation) else {
            evalError(rule, "expressions.uniqueId did not produce a string")
            return nil
        }
        let id = rule.spec.id
        let key = Cooldown.key(uniqueId: uniqueID, containerId: object.containerId, ruleId: id)
        let time = Int64(bitPattern: event.header.timestamp)
        if !cooldown.admit(key: key, time: time) {
            suppress(.cooldown, rule)
            return nil
        }
        let alert = makeAlert(
            event, rule: rule, severity: bound.severity, message: message, uniqueID: uniqueID, context: context,
            container: entry?.info, late: late)
        stats.alertsByRule[id, default: 0] += 1
        stats.alertsByContext[context.name, default: 0] += 1
        return alert
    }

    private func evalError(_ rule: CompiledRule, _ message: String) {
        let id = rule.spec.id
        suppress(.evalError, rule)
        stats.evalErrorsByRule[id, default: 0] += 1
        if stats.firstEvalError[id] == nil { stats.firstEvalError[id] = message }
    }

    private enum Outcome {
        case success(Bool)
        case failure(String)
    }

    /// The rule's expressions for the type, ANDed; a non-bool result is an error.
    private func evaluate(_ programs: [CELProgram]) -> Outcome {
        for program in programs {
            switch program.evaluate(activation) {
            case .bool(true): continue
            case .bool(false): return .success(false)
            case .error(let e): return .failure(e.message)
            case let other: return .failure("expression produced \(other.typeName), expected bool")
            }
        }
        return .success(true)
    }

    private func isEnabled(_ context: EventSourceContext) -> Bool {
        switch context {
        case .kubernetes: inputs.config.enableRuntimeDetection
        case .host: inputs.config.enableHostMonitoring
        case .docker: inputs.config.enableDockerMonitoring
        }
    }

    private func isIgnored(_ event: Event, context: EventSourceContext, container: RegisteredContainer?) -> Bool {
        switch context {
        case .kubernetes:
            return false
        case .host:
            let host = inputs.config.hostMonitoring
            if !host.ignoreProcesses.isEmpty
                && (host.ignoreProcesses.anyMatches(event.header.comm.string)
                    || host.ignoreProcesses.anyMatches(event.header.exepath.string))
            {
                return true
            }
            return !host.ignorePaths.isEmpty && EventPaths.of(event).contains { host.ignorePaths.anyMatches($0) }
        case .docker:
            let docker = inputs.config.dockerMonitoring
            guard let c = container?.info else { return false }
            return docker.ignoreContainers.anyMatches(c.name) || docker.ignoreImages.anyMatches(c.image)
        }
    }

    /// The rules bindings give a pod container: namespace selectors see only the
    /// `kubernetes.io/metadata.name` label (namespace labels are not captured).
    private func boundPlan(for entry: RegisteredContainer) -> RulePlan {
        if let plan = entry.plan { return plan }
        let c = entry.info
        if let cached = boundCache[c.id] {
            entry.plan = cached
            return cached
        }
        let k = c.kubernetes!
        let namespaceLabels = ["kubernetes.io/metadata.name": k.namespace]
        var podLabels: [String: String] = [:]
        for label in k.labels { podLabels[label.key] = label.value }
        var out: [Int: BoundRule] = [:]
        for binding in inputs.bindings ?? []
        where binding.applies(namespaceLabels: namespaceLabels, podLabels: podLabels) {
            for item in binding.rules {
                for rule in ruleSet.rules where Self.names(item.reference, rule.spec) {
                    let parameters = (out[rule.order]?.parameters ?? rule.spec.state).merging(item.parameters)
                    out[rule.order] = BoundRule(
                        rule: rule, parameters: parameters, prefilter: Prefilter(parameters),
                        severity: item.severity ?? out[rule.order]?.severity ?? rule.spec.severity)
                }
            }
        }
        let plan = RulePlan(ruleSet, context: .kubernetes, rules: ruleSet.rules.map { out[$0.order] })
        boundCache[c.id] = plan
        entry.plan = plan
        return plan
    }

    private static func names(_ reference: BindingRule.Reference, _ spec: RuleSpec) -> Bool {
        switch reference {
        case .name(let n): spec.name == n
        case .id(let i): spec.id == i
        case .tags(let tags): tags.contains(where: spec.tags.contains)
        }
    }

    private func makeAlert(
        _ event: Event, rule: CompiledRule, severity: Int64, message: String, uniqueID: String,
        context: EventSourceContext, container: ContainerInfo?, late: Bool
    ) -> Alert {
        let host = inputs.host
        var kind = ""
        var name = ""
        let identifier: String
        switch context {
        case .host:
            identifier = host.hostname
        case .docker:
            identifier = "\(host.hostname)/\(container?.name ?? "")"
        case .kubernetes:
            let k = container?.kubernetes
            (kind, name) = Workload.of(podName: k?.podName ?? "")
            identifier = Workload.wlid(cluster: clusterName, namespace: k?.namespace ?? "", kind: kind, name: name)
        }
        var lineage = state.tree.lineage(of: event.header.pid)
        if lineage.isEmpty { lineage = [ProcessInfo(pid: event.header.pid, ppid: event.header.ppid)] }
        return Alert(
            ruleID: rule.spec.id, alertName: rule.spec.name, severity: severity, message: message, uniqueID: uniqueID,
            bootTime: event.header.timestamp, wallTime: clock.wallTime(ofBootTime: event.header.timestamp),
            context: context, eventType: event.type,
            containerID: context == .host ? "host" : (container?.id ?? ""), workloadIdentifier: identifier,
            arguments: Self.arguments(event), lineage: lineage, infectedPID: event.header.pid,
            isTriggerAlert: rule.spec.isTriggerAlert, mitreTactic: rule.spec.mitreTactic,
            mitreTechnique: rule.spec.mitreTechnique, lateAttribution: late, hostname: host.hostname,
            nodeName: nodeName, clusterName: clusterName, container: context == .host ? nil : container,
            workloadKind: kind, workloadName: name)
    }

    /// Per-event alert arguments, as upstream names them.
    static func arguments(_ event: Event) -> [(String, AlertArgument)] {
        switch event.payload {
        case .exec(let e):
            return [("args", .strings(e.args.map(\.string))), ("exec", .string(event.header.exepath.string))]
        case .open(let o):
            return [("flags", .strings(OpenFlags.names(o.flags))), ("path", .string(o.path.string))]
        case .network(let n):
            return [
                ("ip", .string(n.dstAddr.description)), ("port", .int(Int64(n.dstPort))),
                ("proto", .string(n.proto.name)),
            ]
        case .ssh(let s):
            return [("ip", .string(s.dstAddr.description)), ("port", .int(Int64(s.dstPort)))]
        case .dns(let d):
            return [("addresses", .strings(d.answers.map(\.description))), ("domain", .string(d.name.string))]
        case .symlink(let l), .hardlink(let l):
            return [("newPath", .string(l.newPath.string)), ("oldPath", .string(l.oldPath.string))]
        case .kmod(let k):
            return [("module", .string(k.module.string)), ("syscall", .string(k.syscallName.string))]
        case .syscall(let s):
            return [("syscall", .string(s.name.string))]
        case .capabilities(let c):
            return [
                ("capability", .string(Capabilities.name(c.capability))), ("syscall", .string(c.syscallName.string)),
            ]
        default:
            return []
        }
    }
}

/// A rule as it applies to one container: with its merged parameters and prefilter.
final class BoundRule: Sendable {
    let rule: CompiledRule
    let parameters: InputMap
    let prefilter: Prefilter
    let severity: Int64

    init(rule: CompiledRule, parameters: InputMap, prefilter: Prefilter, severity: Int64) {
        self.rule = rule
        self.parameters = parameters
        self.prefilter = prefilter
        self.severity = severity
    }
}

/// The rules an event of a context (and, with bindings, a container) runs, per event type raw
/// value in rule order: worked out once, so an event costs one array read rather than a lookup
/// and a context check per candidate rule.
final class RulePlan: Sendable {
    let byType: [[BoundRule]]
    let isEmpty: Bool

    init() {
        byType = []
        isEmpty = true
    }

    /// - Parameter rules: by rule order; nil where the rule does not apply (not bound).
    init(_ ruleSet: RuleSet, context: EventSourceContext, rules: [BoundRule?]) {
        byType = ruleSet.byType.map { candidates in
            candidates.compactMap { rule in rule.allows(context) ? rules[rule.order] : nil }
        }
        isEmpty = !rules.contains { $0 != nil }
    }
}
