/// Turns a parsed expression into evaluation nodes: resolves names to slots and field indices,
/// picks overloads, folds constants and compiles constant regexes. Static types are tracked as
/// far as they are known, which is what the checker reports on.
struct CELPlanner {
    let environment: CELEnvironment
    let source: [UInt8]
    /// Comprehension variables in scope, innermost last.
    var scopes: [(name: String, slot: Int, type: CELType)] = []
    var localCount = 0

    init(environment: CELEnvironment, source: [UInt8]) {
        self.environment = environment
        self.source = source
    }

    private var strict: Bool { environment.strict }

    private func error(_ message: String, _ span: CELSpan) -> CELCompileError {
        CELCompileError(message, offset: Int(span.start), source: source)
    }

    private static let typeDenotations: [String: CELType] = [
        "int": .int, "uint": .uint, "double": .double, "bool": .bool, "string": .string, "bytes": .bytes,
        "list": .list(.dyn), "map": .map(.dyn, .dyn), "null_type": .null, "type": .type(nil),
        "google.protobuf.Timestamp": .timestamp, "google.protobuf.Duration": .duration,
        "optional_type": .optional(.dyn),
    ]

    /// Plans one expression.
    mutating func plan(_ expr: CELExpr) throws(CELCompileError) -> (Node, CELType) {
        switch expr {
        case .literal(let v, _):
            return (ConstNode(v), Self.staticType(of: v))
        case .ident, .select(_, _, false, _):
            if let resolved = try resolveQualified(expr) { return resolved }
            if case .select(let operand, let field, _, let span) = expr {
                let (node, type) = try plan(operand)
                return try select(node, type, field, span)
            }
            guard case .ident(let name, let dot, let span) = expr else { fatalError("unreachable") }
            let message = "undeclared reference to '\(dot ? "." : "")\(name)' (in container '\(environment.container)')"
            if strict { throw error(message, span) }
            return (ErrorNode(message), .dyn)
        case .select(let operand, let field, true, let span):
            let (node, type) = try plan(operand)
            if case .schema(let schema) = type {
                guard let f = schema.fields[field] else {
                    if strict { throw error("undefined field '\(field)' in \(schema.name)", span) }
                    return (HasNode(node, field), .bool)
                }
                return (ObjectHasNode(node, index: f.index, name: field), .bool)
            }
            try requireSelectable(type, span)
            return (fold(HasNode(node, field), [node]), .bool)
        case .call(let target, let function, let arguments, let span):
            return try planCall(target, function, arguments, span)
        case .list(let elements, let optionalIndices, _):
            var nodes: [Node] = []
            var types: [CELType] = []
            for e in elements {
                let (n, t) = try plan(e)
                nodes.append(n)
                types.append(t)
            }
            let elementType = types.first.map { first in types.allSatisfy { $0 == first } ? first : .dyn } ?? .dyn
            let optional = elements.indices.map { optionalIndices.contains($0) }
            return (
                fold(ListNode(nodes, optional: optional), nodes), .list(optionalIndices.isEmpty ? elementType : .dyn)
            )
        case .map(let entries, _):
            var keys: [Node] = []
            var values: [Node] = []
            var keyTypes: [CELType] = []
            var valueTypes: [CELType] = []
            for e in entries {
                let (k, kt) = try plan(e.key)
                let (v, vt) = try plan(e.value)
                if strict, case .double = kt { throw error("unsupported map key type: double", e.key.span) }
                keys.append(k)
                values.append(v)
                keyTypes.append(kt)
                valueTypes.append(vt)
            }
            func join(_ ts: [CELType]) -> CELType {
                ts.first.map { f in ts.allSatisfy { $0 == f } ? f : .dyn } ?? .dyn
            }
            let optional = entries.map(\.isOptional)
            let valueType = optional.contains(true) ? .dyn : join(valueTypes)
            return (
                fold(MapNode(keys: keys, values: values, optional: optional), keys + values),
                .map(join(keyTypes), valueType)
            )
        case .message(let typeName, _, let span):
            let message = "message construction is not supported (\(typeName)): Loupe has no protocol buffers"
            if strict { throw error(message, span) }
            return (ErrorNode(message), .dyn)
        case .comprehension(let comprehension, let span):
            return try planComprehension(comprehension, span)
        }
    }

    static func staticType(of v: CELValue) -> CELType {
        switch v {
        case .list: return .list(.dyn)
        case .map: return .map(.dyn, .dyn)
        case .type(let t): return .type(t)
        default: return v.celType
        }
    }

    private func requireSelectable(_ type: CELType, _ span: CELSpan) throws(CELCompileError) {
        guard strict else { return }
        switch type {
        case .dyn, .map, .schema, .object, .error, .optional: return
        default: throw error("type '\(type)' does not support field selection", span)
        }
    }

    private mutating func select(_ node: Node, _ type: CELType, _ field: String, _ span: CELSpan)
        throws(CELCompileError)
        -> (Node, CELType)
    {
        switch type {
        case .schema(let schema):
            guard let f = schema.fields[field] else {
                if strict { throw error("undefined field '\(field)' in \(schema.name)", span) }
                return (SelectNode(node, field), .dyn)
            }
            if let v = node as? VariableNode {
                return (VariableFieldNode(slot: v.slot, index: f.index, name: field), f.type)
            }
            return (ObjectFieldNode(node, index: f.index, name: field), f.type)
        case .map(_, let valueType):
            return (fold(SelectNode(node, field), [node]), valueType)
        default:
            try requireSelectable(type, span)
            return (fold(SelectNode(node, field), [node]), .dyn)
        }
    }

    private func local(_ name: String) -> (slot: Int, type: CELType)? {
        for s in scopes.reversed() where s.name == name { return (s.slot, s.type) }
        return nil
    }

    /// The names an unqualified (or partly qualified) name may refer to, most specific first.
    private func candidates(_ name: String, leadingDot: Bool) -> [String] {
        if leadingDot || environment.container.isEmpty { return [name] }
        var result: [String] = []
        var prefix = Substring(environment.container)
        while true {
            result.append(prefix + "." + name)
            guard let dot = prefix.lastIndex(of: ".") else { break }
            prefix = prefix[..<dot]
        }
        result.append(name)
        return result
    }

    /// Resolves an identifier chain (`a.b.c`) against declared variables by longest prefix;
    /// nil when the chain is rooted at a comprehension variable or resolves to nothing.
    private mutating func resolveQualified(_ expr: CELExpr) throws(CELCompileError) -> (Node, CELType)? {
        var segments: [(String, CELSpan)] = []
        var cursor = expr
        var leadingDot = false
        while true {
            switch cursor {
            case .select(let operand, let field, false, let span):
                segments.append((field, span))
                cursor = operand
                continue
            case .ident(let name, let dot, let span):
                segments.append((name, span))
                leadingDot = dot
            default:
                return nil
            }
            break
        }
        segments.reverse()
        if !leadingDot, let l = local(segments[0].0) {
            var node: Node = LocalNode(l.slot)
            var type = l.type
            for (field, span) in segments.dropFirst() { (node, type) = try select(node, type, field, span) }
            return (node, type)
        }
        for count in stride(from: segments.count, through: 1, by: -1) {
            let name = segments[..<count].map(\.0).joined(separator: ".")
            for candidate in candidates(name, leadingDot: leadingDot) {
                var node: Node
                var type: CELType
                if let v = environment.variables[candidate] {
                    node = VariableNode(v.slot)
                    type = v.type
                } else if count == segments.count || count == 1, let t = Self.typeDenotations[candidate] {
                    node = ConstNode(.type(t))
                    type = .type(t)
                } else {
                    continue
                }
                for (field, span) in segments[count...] { (node, type) = try select(node, type, field, span) }
                return (node, type)
            }
        }
        return nil
    }

    /// Replaces a node whose inputs are all constants by its value.
    private func fold(_ node: Node, _ inputs: [Node]) -> Node {
        for i in inputs where i.constant == nil { return node }
        return ConstNode(evaluateConstant(node))
    }

    // MARK: - Calls

    private mutating func planCall(_ target: CELExpr?, _ function: String, _ arguments: [CELExpr], _ span: CELSpan)
        throws(CELCompileError) -> (Node, CELType)
    {
        if target == nil, let planned = try planOperator(function, arguments, span) { return planned }

        // A namespaced global function (`parse.get_exec_path(...)`) is written like a member call.
        if let target, let qualifier = target.qualifiedName, !qualifier.hasPrefix("."),
            !isRootedInVariable(target)
        {
            for candidate in candidates(qualifier + "." + function, leadingDot: false)
            where environment.functions[candidate]?.contains(where: { !$0.isMember }) == true {
                return try planFunction(candidate, member: false, arguments, span)
            }
        }
        if let target {
            return try planFunction(function, member: true, [target] + arguments, span)
        }
        let name = function.hasPrefix(".") ? String(function.dropFirst()) : function
        return try planFunction(name, member: false, arguments, span)
    }

    private func isRootedInVariable(_ expr: CELExpr) -> Bool {
        guard let name = expr.qualifiedName else { return true }
        let root = name.split(separator: ".").first.map(String.init) ?? name
        if local(root) != nil { return true }
        for (declared, _) in environment.variables
        where declared == name || declared.hasPrefix(root + ".") || declared == root {
            return true
        }
        return false
    }

    private mutating func planFunction(_ name: String, member: Bool, _ arguments: [CELExpr], _ span: CELSpan)
        throws(CELCompileError) -> (Node, CELType)
    {
        var nodes: [Node] = []
        var types: [CELType] = []
        for a in arguments {
            let (n, t) = try plan(a)
            nodes.append(n)
            types.append(t)
        }
        let all = environment.functions[name] ?? []
        let byShape = all.filter { $0.isMember == member && $0.fits(arity: nodes.count) }
        guard !byShape.isEmpty else {
            let message =
                all.isEmpty
                ? "undeclared reference to '\(name)' (in container '\(environment.container)')"
                : "found no matching overload for '\(name)' with \(member ? "receiver and " : "")\(member ? nodes.count - 1 : nodes.count) arguments"
            if strict { throw error(message, span) }
            return (ErrorNode(message), .dyn)
        }
        let candidates = byShape.filter { $0.mayAccept(types) }
        if candidates.isEmpty {
            let message =
                "found no matching overload for '\(name)' applied to (\(types.map(\.description).joined(separator: ", ")))"
            if strict { throw error(message, span) }
            return (ErrorNode(message), .dyn)
        }
        let resultType = candidates.count == 1 ? candidates[0].result : Self.commonResult(candidates)

        // Constant arguments some overloads insist on validating (regex patterns).
        for o in candidates {
            guard let validate = o.validateConstant else { continue }
            for (i, n) in nodes.enumerated() {
                if let c = n.constant, let problem = validate(i, c) {
                    throw error(problem, arguments[i].span)
                }
            }
        }

        // Specialized nodes for the hottest string tests.
        if member, nodes.count == 2, case .string(let needle)? = nodes[1].constant {
            switch name {
            case "startsWith": return (fold(StringTestNode(nodes[0], needle, .startsWith), nodes), .bool)
            case "endsWith": return (fold(StringTestNode(nodes[0], needle, .endsWith), nodes), .bool)
            case "contains": return (fold(StringTestNode(nodes[0], needle, .contains), nodes), .bool)
            case "matches":
                switch CELRegex.cached(needle) {
                case .success(let regex): return (fold(MatchesConstNode(nodes[0], regex), nodes), .bool)
                case .failure(let e): throw error("invalid regular expression: \(e.message)", arguments[1].span)
                }
            default: break
            }
        }
        if !member, name == "matches", nodes.count == 2, case .string(let pattern)? = nodes[1].constant {
            switch CELRegex.cached(pattern) {
            case .success(let regex): return (fold(MatchesConstNode(nodes[0], regex), nodes), .bool)
            case .failure(let e): throw error("invalid regular expression: \(e.message)", arguments[1].span)
            }
        }

        let node: Node
        // One overload whose parameters the arguments' static types already satisfy (exactly, or
        // a dyn parameter): no run-time type check is needed.
        if candidates.count == 1, !candidates[0].isVariadic,
            zip(candidates[0].parameters, types).allSatisfy({ $0 == .dyn || $0 == $1 })
        {
            switch candidates[0].impl {
            case .unary(let f): node = DirectUnaryNode(nodes[0], f)
            case .binary(let f): node = DirectBinaryNode(nodes[0], nodes[1], f)
            default: node = CallNode(name, nodes, candidates)
            }
        } else {
            node = CallNode(name, nodes, candidates)
        }
        if candidates.allSatisfy(\.isPure) { return (fold(node, nodes), resultType) }
        return (node, resultType)
    }

    private static func commonResult(_ overloads: [CELOverload]) -> CELType {
        let first = overloads[0].result
        return overloads.allSatisfy { $0.result == first } ? first : .dyn
    }

    // MARK: - Operators

    private static func numeric(_ t: CELType) -> Bool {
        switch t {
        case .int, .uint, .double: return true
        default: return false
        }
    }

    private mutating func planOperator(_ function: String, _ arguments: [CELExpr], _ span: CELSpan)
        throws(CELCompileError) -> (Node, CELType)?
    {
        switch (function, arguments.count) {
        case ("_&&_", 2), ("_||_", 2):
            let (l, lt) = try plan(arguments[0])
            let (r, rt) = try plan(arguments[1])
            if strict {
                for (t, e) in [(lt, arguments[0]), (rt, arguments[1])] where !t.isAssignable(to: .bool) {
                    throw error("found no matching overload for '\(function)' applied to '\(t)'", e.span)
                }
            }
            let isAnd = function == "_&&_"
            let absorbing = CELValue.bool(!isAnd)
            for side in [l, r] {
                if case .bool(let b)? = side.constant, b == !isAnd { return (ConstNode(absorbing), .bool) }
            }
            let node: Node = isAnd ? AndNode(l, r) : OrNode(l, r)
            return (fold(node, [l, r]), .bool)
        case ("_?_:_", 3):
            let (c, ct) = try plan(arguments[0])
            let (a, at) = try plan(arguments[1])
            let (b, bt) = try plan(arguments[2])
            if strict && !ct.isAssignable(to: .bool) {
                throw error("found no matching overload for '_?_:_' applied to '\(ct)'", arguments[0].span)
            }
            if case .bool(let cond)? = c.constant { return cond ? (a, at) : (b, bt) }
            return (ConditionalNode(c, a, b), at == bt ? at : .dyn)
        case ("!_", 1):
            let (a, t) = try plan(arguments[0])
            if strict && !t.isAssignable(to: .bool) {
                throw error("found no matching overload for '!_' applied to '\(t)'", span)
            }
            return (fold(UnaryNode(a, CELOps.not), [a]), .bool)
        case ("-_", 1):
            let (a, t) = try plan(arguments[0])
            if strict, t != .dyn, t != .int, t != .double, t != .duration {
                throw error("found no matching overload for '-_' applied to '\(t)'", span)
            }
            return (fold(UnaryNode(a, CELOps.negate), [a]), t)
        case ("_==_", 2), ("_!=_", 2):
            let (l, _) = try plan(arguments[0])
            let (r, _) = try plan(arguments[1])
            let negated = function == "_!=_"
            if case .string(let s)? = r.constant, l.constant == nil {
                if let field = l as? VariableFieldNode {
                    return (FieldEqualsStringNode(field, s, negated: negated), .bool)
                }
                return (EqualsStringNode(l, s, negated: negated), .bool)
            }
            if case .string(let s)? = l.constant, r.constant == nil {
                return (EqualsStringNode(r, s, negated: negated), .bool)
            }
            let op: (CELValue, CELValue) -> CELValue =
                negated ? { CELOps.notEquals($0, $1) } : { CELOps.equals($0, $1) }
            return (fold(BinaryNode(l, r, op), [l, r]), .bool)
        case ("_<_", 2), ("_<=_", 2), ("_>_", 2), ("_>=_", 2):
            let (l, lt) = try plan(arguments[0])
            let (r, rt) = try plan(arguments[1])
            if strict, lt != .dyn, rt != .dyn, lt != rt, !(Self.numeric(lt) && Self.numeric(rt)) {
                throw error("found no matching overload for '\(function)' applied to '(\(lt), \(rt))'", span)
            }
            let relation: CELOps.Relation =
                function == "_<_"
                ? .less : function == "_<=_" ? .lessEqual : function == "_>_" ? .greater : .greaterEqual
            return (fold(BinaryNode(l, r, { CELOps.relate($0, $1, relation) }), [l, r]), .bool)
        case ("_+_", 2), ("_-_", 2), ("_*_", 2), ("_/_", 2), ("_%_", 2):
            let (l, lt) = try plan(arguments[0])
            let (r, rt) = try plan(arguments[1])
            let op: (CELValue, CELValue) -> CELValue
            switch function {
            case "_+_": op = CELOps.add
            case "_-_": op = CELOps.subtract
            case "_*_": op = CELOps.multiply
            case "_/_": op = CELOps.divide
            default: op = CELOps.modulo
            }
            var type: CELType = .dyn
            if lt == rt, lt != .dyn {
                type = lt
                if lt == .timestamp && function == "_-_" { type = .duration }
            } else if (lt == .timestamp && rt == .duration) || (lt == .duration && rt == .timestamp) {
                type = .timestamp
            } else if strict, lt != .dyn, rt != .dyn, Self.numeric(lt) || Self.numeric(rt) {
                throw error("found no matching overload for '\(function)' applied to '(\(lt), \(rt))'", span)
            }
            return (fold(BinaryNode(l, r, op), [l, r]), type)
        case ("_[_]", 2):
            let (l, lt) = try plan(arguments[0])
            let (r, _) = try plan(arguments[1])
            var type: CELType = .dyn
            if case .list(let e) = lt { type = e }
            if case .map(_, let v) = lt { type = v }
            return (fold(BinaryNode(l, r, CELOps.index), [l, r]), type)
        case ("_?._", 2):
            let (operand, _) = try plan(arguments[0])
            guard case .literal(.string(let field), _) = arguments[1] else { return nil }
            let node = UnaryNode(operand, { CELOps.optionalSelect($0, field) })
            return (fold(node, [operand]), .dyn)
        case ("_[?_]", 2):
            let (l, _) = try plan(arguments[0])
            let (r, _) = try plan(arguments[1])
            return (fold(BinaryNode(l, r, CELOps.optionalIndex), [l, r]), .dyn)
        case ("@in", 2):
            let (element, _) = try plan(arguments[0])
            let (container, _) = try plan(arguments[1])
            if element.constant == nil, case .list(let items)? = container.constant {
                var keys = Set<CELMapKey>()
                var others: [CELValue] = []
                for item in items {
                    if let k = CELMapKey(item) { keys.insert(k) } else { others.append(item) }
                }
                return (InSetNode(element, keys: keys, others: others), .bool)
            }
            return (fold(BinaryNode(container, element, CELOps.contains), [element, container]), .bool)
        default:
            return nil
        }
    }

    // MARK: - Comprehensions

    private mutating func allocateLocal(_ name: String, _ type: CELType) -> Int {
        let slot = localCount
        localCount += 1
        scopes.append((name, slot, type))
        return slot
    }

    /// `['/a/', '/b/'].exists(p, s.startsWith(p))` (or `all`, `endsWith`, `contains`) where `s`
    /// does not use `p`: a `StringNeedlesNode`, which evaluates `s` once. Nil for any other shape.
    private mutating func planNeedleQuantifier(_ m: CELComprehension, range: Node) throws(CELCompileError) -> Node? {
        guard m.kind == .exists || m.kind == .all, m.variable2 == nil, case .list(let elements)? = range.constant,
            case .call(let target?, let function, let arguments, _) = m.arguments[0], arguments.count == 1,
            case .ident(let name, false, _) = arguments[0], name == m.variable, !Self.mentions(m.variable, target)
        else { return nil }
        let kind: StringTestNode.Kind
        switch function {
        case "startsWith": kind = .startsWith
        case "endsWith": kind = .endsWith
        case "contains": kind = .contains
        default: return nil
        }
        var needles: [String] = []
        for element in elements {
            guard case .string(let needle) = element else { return nil }
            needles.append(needle)
        }
        let (subject, subjectType) = try plan(target)
        // Other subject types keep the general path, which reports them as it always does.
        guard subjectType == .string || subjectType == .dyn else { return nil }
        return StringNeedlesNode(subject, needles: needles, kind: kind, isExists: m.kind == .exists)
    }

    /// Whether `expr` refers to `name` anywhere (shadowing ignored: a conservative answer).
    private static func mentions(_ name: String, _ expr: CELExpr) -> Bool {
        switch expr {
        case .literal: return false
        case .ident(let n, _, _): return n == name
        case .select(let operand, _, _, _): return mentions(name, operand)
        case .call(let target, _, let arguments, _):
            return (target.map { mentions(name, $0) } ?? false) || arguments.contains { mentions(name, $0) }
        case .list(let elements, _, _): return elements.contains { mentions(name, $0) }
        case .map(let entries, _): return entries.contains { mentions(name, $0.key) || mentions(name, $0.value) }
        case .message(_, let fields, _): return fields.contains { mentions(name, $0.1) }
        case .comprehension(let c, _):
            return mentions(name, c.range) || c.arguments.contains { mentions(name, $0) }
        }
    }

    private mutating func planComprehension(_ m: CELComprehension, _ span: CELSpan) throws(CELCompileError)
        -> (Node, CELType)
    {
        let (range, rangeType) = try plan(m.range)
        if m.kind == .optMap || m.kind == .optFlatMap {
            var elementType: CELType = .dyn
            if case .optional(let t) = rangeType { elementType = t }
            let slot = allocateLocal(m.variable, elementType)
            defer { scopes.removeLast() }
            let (body, _) = try plan(m.arguments[0])
            return (OptionalMapNode(range: range, slot: slot, body: body, flat: m.kind == .optFlatMap), .dyn)
        }
        if m.kind == .bind {
            let slot = allocateLocal(m.variable, rangeType)
            defer { scopes.removeLast() }
            let (body, type) = try plan(m.arguments[0])
            return (BindNode(slot: slot, initial: range, body: body), type)
        }
        var t1: CELType = .dyn
        var t2: CELType = .dyn
        switch rangeType {
        case .list(let e):
            if m.variable2 != nil {
                t1 = .int
                t2 = e
            } else {
                t1 = e
            }
        case .map(let k, let v):
            t1 = k
            t2 = v
        case .dyn, .error: break
        default:
            if strict {
                throw error("expression of type '\(rangeType)' cannot be the range of a comprehension", m.range.span)
            }
        }
        if let node = try planNeedleQuantifier(m, range: range) { return (node, .bool) }
        let scopeDepth = scopes.count
        let slot1 = allocateLocal(m.variable, t1)
        let slot2 = m.variable2.map { allocateLocal($0, t2) }
        defer { scopes.removeLast(scopes.count - scopeDepth) }
        var bodies: [Node] = []
        var bodyTypes: [CELType] = []
        for a in m.arguments {
            let (n, t) = try plan(a)
            bodies.append(n)
            bodyTypes.append(t)
        }
        if m.kind == .all || m.kind == .exists, slot2 == nil, let test = bodies[0] as? StringTestNode,
            let local = test.operand as? LocalNode, local.slot == slot1
        {
            // The variable is never bound, so its slot (the last one allocated) is given back.
            if slot1 == localCount - 1 { localCount -= 1 }
            return (StringQuantifierNode(range: range, test: test, isExists: m.kind == .exists), .bool)
        }
        switch m.kind {
        case .all: return (QuantifierNode(.all, range: range, slot1: slot1, slot2: slot2, predicate: bodies[0]), .bool)
        case .exists:
            return (QuantifierNode(.exists, range: range, slot1: slot1, slot2: slot2, predicate: bodies[0]), .bool)
        case .existsOne:
            return (QuantifierNode(.existsOne, range: range, slot1: slot1, slot2: slot2, predicate: bodies[0]), .bool)
        case .map, .transformList:
            return (
                ListComprehensionNode(
                    "map", range: range, slot1: slot1, slot2: slot2, filter: nil, transform: bodies[0]),
                .list(bodyTypes[0])
            )
        case .mapFilter, .transformListFilter:
            return (
                ListComprehensionNode(
                    "map", range: range, slot1: slot1, slot2: slot2, filter: bodies[0], transform: bodies[1]),
                .list(bodyTypes[1])
            )
        case .filter:
            return (
                ListComprehensionNode(
                    "filter", range: range, slot1: slot1, slot2: nil, filter: bodies[0], transform: nil),
                .list(t1)
            )
        case .transformMap:
            return (
                TransformMapNode(range: range, slot1: slot1, slot2: slot2!, filter: nil, transform: bodies[0]),
                .map(t1, bodyTypes[0])
            )
        case .transformMapFilter:
            return (
                TransformMapNode(range: range, slot1: slot1, slot2: slot2!, filter: bodies[0], transform: bodies[1]),
                .map(t1, bodyTypes[1])
            )
        case .bind, .optMap, .optFlatMap:
            fatalError("handled above")
        }
    }
}
