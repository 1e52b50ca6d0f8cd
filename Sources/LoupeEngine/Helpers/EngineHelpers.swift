import LoupeCEL
import LoupeModel

/// What the stateful helpers read: the engine's registry, process tree and profiles.
///
/// One engine owns one instance and mutates it between evaluations; helper closures read it during
/// an evaluation on the same thread. It is never shared between engines or threads, which is why
/// the unchecked `Sendable` is sound.
public final class HelperState: @unchecked Sendable {
    public var registry: MntnsRegistry
    public var tree = ProcessTree()
    public let profiles: ProfileStore
    /// Addresses `k8s.is_api_server_address` accepts.
    public var apiServerAddresses: Set<String>

    public init(registry: MntnsRegistry, profiles: ProfileStore, apiServerAddresses: Set<String>) {
        self.registry = registry
        self.profiles = profiles
        self.apiServerAddresses = apiServerAddresses
    }

    /// The learned profile of a container, by container id (Kubernetes containers only).
    public func profile(containerId: String) -> ContainerProfile? {
        guard let k = registry.container(id: containerId)?.kubernetes else { return nil }
        return profiles.profile(namespace: k.namespace, podName: k.podName, container: k.containerName)
    }

    /// The recorded loader environment of a process as name-value pairs, in recorded order.
    func environment(pid: UInt32) -> [(String, String)] {
        guard let p = tree[pid] else { return [] }
        return p.loaderEnvironment.map { entry in
            let text = entry.string
            guard let eq = text.firstIndex(of: "=") else { return (text, "") }
            return (String(text[..<eq]), String(text[text.index(after: eq)...]))
        }
    }
}

/// The kubescape helper functions (facts §2) that answer from engine state.
enum EngineHelpers {
    /// The variables the loader-hook helper checks, in upstream's order.
    static let loaderHookVariables = ["LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "LD_BIND_NOW", "LD_DEBUG"]

    static func functions(_ state: HelperState) -> [CELFunction] {
        var out = CELHelperFunctions.all
        out += kubernetes(state)
        out += process(state)
        for prefix in ["cp", "ap", "nn"] { out += profile(state, prefix: prefix) }
        return out
    }

    private static func kubernetes(_ s: HelperState) -> [CELFunction] {
        [
            CELFunction(
                "k8s.is_api_server_address",
                [
                    .unary("k8s_is_api_server_address_string", .string, .bool, pure: false) { a in
                        guard case .string(let addr) = a else { return .noSuchOverload("k8s.is_api_server_address", a) }
                        return .bool(s.apiServerAddresses.contains(addr))
                    }
                ]),
            CELFunction(
                "k8s.get_container_mount_paths",
                [
                    .ternary("k8s_get_container_mount_paths", .string, .string, .string, .list(.string), pure: false) {
                        n, p, c in
                        guard case .string(let ns) = n, case .string(let pod) = p, case .string(let name) = c else {
                            return .noSuchOverload("k8s.get_container_mount_paths", n, p, c)
                        }
                        // The volume mount points the capture recorded for the running container.
                        let container = s.registry.kubernetesContainer(namespace: ns, pod: pod, container: name)
                        return .list((container?.mounts ?? []).map { .string($0) })
                    }
                ]),
            CELFunction(
                "k8s.get_container_by_name",
                [
                    .ternary("k8s_get_container_by_name", .string, .string, .string, .bool, pure: false) { n, p, c in
                        guard case .string(let ns) = n, case .string(let pod) = p, case .string(let name) = c else {
                            return .noSuchOverload("k8s.get_container_by_name", n, p, c)
                        }
                        return .bool(s.registry.kubernetesContainer(namespace: ns, pod: pod, container: name) != nil)
                    }
                ]),
        ]
    }

    private static func pid(_ v: CELValue) -> UInt32? {
        switch v {
        case .uint(let u): return UInt32(exactly: u)
        case .int(let i): return UInt32(exactly: i)
        default: return nil
        }
    }

    private static func process(_ s: HelperState) -> [CELFunction] {
        let hook: @Sendable (CELValue) -> CELValue = { v in
            guard let p = pid(v) else { return .noSuchOverload("process.get_ld_hook_var", v) }
            let env = s.environment(pid: p)
            for name in loaderHookVariables {
                if let hit = env.first(where: { $0.0 == name }) { return .string("\(hit.0)=\(hit.1)") }
            }
            return .string("")
        }
        let environment: @Sendable (CELValue) -> CELValue = { v in
            guard let p = pid(v) else { return .noSuchOverload("process.get_process_env", v) }
            var map = CELMap()
            for (k, value) in s.environment(pid: p) { map.set(.string(k), .string(value)) }
            return .map(map)
        }
        return [
            CELFunction(
                "process.get_ld_hook_var",
                [
                    .unary("process_get_ld_hook_var_uint", .uint, .string, pure: false, hook),
                    .unary("process_get_ld_hook_var_int", .int, .string, pure: false, hook),
                ]),
            CELFunction(
                "process.get_process_env",
                [
                    .unary("process_get_process_env_int", .int, .map(.string, .string), pure: false, environment),
                    .unary("process_get_process_env_uint", .uint, .map(.string, .string), pure: false, environment),
                ]),
        ]
    }

    private static func strings(_ v: CELValue) -> [String]? {
        guard case .list(let items) = v else { return nil }
        var out: [String] = []
        for item in items {
            guard case .string(let t) = item else { return nil }
            out.append(t)
        }
        return out
    }

    private static func profile(_ s: HelperState, prefix: String) -> [CELFunction] {
        /// A two-argument (containerId, string) profile question; no profile answers false.
        func two(_ name: String, _ body: @escaping @Sendable (ContainerProfile, String) -> Bool) -> CELFunction {
            let full = "\(prefix).\(name)"
            return CELFunction(
                full,
                [
                    .binary("\(prefix)_\(name)", .string, .string, .bool, pure: false) { c, a in
                        guard case .string(let cid) = c, case .string(let arg) = a else {
                            return .noSuchOverload(full, c, a)
                        }
                        guard let p = s.profile(containerId: cid) else { return .bool(false) }
                        return .bool(body(p, arg))
                    }
                ])
        }
        func withList(_ name: String, _ body: @escaping @Sendable (ContainerProfile, String, [String]) -> Bool)
            -> CELFunction
        {
            let full = "\(prefix).\(name)"
            return CELFunction(
                full,
                [
                    .ternary("\(prefix)_\(name)", .string, .string, .list(.string), .bool, pure: false) { c, a, l in
                        guard case .string(let cid) = c, case .string(let arg) = a, let list = strings(l) else {
                            return .noSuchOverload(full, c, a, l)
                        }
                        guard let p = s.profile(containerId: cid) else { return .bool(false) }
                        return .bool(body(p, arg, list))
                    }
                ])
        }
        func addressPortProtocol(_ name: String, egress: Bool) -> CELFunction {
            let full = "\(prefix).\(name)"
            return CELFunction(
                full,
                [
                    CELOverload(
                        "\(prefix)_\(name)", [.string, .string, .int, .string], .bool, pure: false,
                        impl: .variadic { args in
                            guard args.count == 4, case .string(let cid) = args[0], case .string(let addr) = args[1],
                                case .string(let proto) = args[3]
                            else { return .error("no such overload: \(full)") }
                            let port: Int64
                            switch args[2] {
                            case .int(let i): port = i
                            case .uint(let u): port = Int64(clamping: u)
                            default: return .error("no such overload: \(full)")
                            }
                            guard let p = s.profile(containerId: cid) else { return .bool(false) }
                            let side = egress ? p.egress : p.ingress
                            return .bool(side.contains(address: addr, port: port, protocol: proto))
                        })
                ])
        }
        return [
            two("was_executed") { $0.wasExecuted($1) },
            withList("was_executed_with_args") { $0.wasExecuted($1, args: $2) },
            two("was_path_opened") { $0.wasPathOpened($1) },
            withList("was_path_opened_with_flags") { $0.wasPathOpened($1, flags: $2) },
            two("was_path_opened_with_suffix") { $0.wasPathOpened(withSuffix: $1) },
            two("was_path_opened_with_prefix") { $0.wasPathOpened(withPrefix: $1) },
            two("was_syscall_used") { $0.syscalls.contains($1) },
            two("was_capability_used") { $0.capabilities.contains($1) },
            two("was_endpoint_accessed") { $0.endpoints[$1] != nil },
            CELFunction(
                "\(prefix).was_endpoint_accessed_with_method",
                [
                    .ternary(
                        "\(prefix)_was_endpoint_accessed_with_method", .string, .string, .string, .bool, pure: false
                    ) { c, e, m in
                        guard case .string(let cid) = c, case .string(let endpoint) = e, case .string(let method) = m
                        else { return .noSuchOverload("\(prefix).was_endpoint_accessed_with_method", c, e, m) }
                        return .bool(s.profile(containerId: cid)?.endpoints[endpoint]?.contains(method) ?? false)
                    }
                ]),
            withList("was_endpoint_accessed_with_methods") { p, endpoint, methods in
                guard let seen = p.endpoints[endpoint] else { return false }
                return methods.contains(where: seen.contains)
            },
            two("was_endpoint_accessed_with_prefix") { p, x in p.endpoints.keys.contains { $0.hasPrefix(x) } },
            two("was_endpoint_accessed_with_suffix") { p, x in p.endpoints.keys.contains { $0.hasSuffix(x) } },
            two("was_host_accessed") { p, host in
                p.egress.containsDomain(host) || p.egress.containsAddress(host)
            },
            two("was_address_in_egress") { $0.egress.containsAddress($1) },
            two("was_address_in_ingress") { $0.ingress.containsAddress($1) },
            two("is_domain_in_egress") { $0.egress.containsDomain($1) },
            two("is_domain_in_ingress") { $0.ingress.containsDomain($1) },
            addressPortProtocol("was_address_port_protocol_in_egress", egress: true),
            addressPortProtocol("was_address_port_protocol_in_ingress", egress: false),
        ]
    }
}
