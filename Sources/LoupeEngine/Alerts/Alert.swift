public import LoupeModel

/// One alert: kubescape's rule failure with the seed's Option A context details.
public struct Alert: Sendable, Hashable {
    public var ruleID: String
    public var alertName: String
    public var severity: Int64
    public var message: String
    public var uniqueID: String
    /// Event time, CLOCK_BOOTTIME ns, and the wall-clock time (ns since the epoch) it maps to.
    public var bootTime: UInt64
    public var wallTime: Int64
    public var context: EventSourceContext
    public var eventType: EventType
    /// `host` for the host, else the runtime's container id.
    public var containerID: String
    /// Kubernetes: the wlid; host: the hostname; docker: hostname/containerName.
    public var workloadIdentifier: String
    /// Per-event arguments (after `message` and `apChecksum`), in output order.
    public var arguments: [(String, AlertArgument)]
    /// The infected process first, then its ancestors.
    public var lineage: [ProcessInfo]
    public var infectedPID: UInt32
    public var isTriggerAlert: Bool
    public var mitreTactic: String
    public var mitreTechnique: String
    /// The event came before its container's registration in the capture (see docs/engine.md).
    public var lateAttribution: Bool
    public var hostname: String
    public var nodeName: String
    public var clusterName: String
    /// The container, for kubernetes and docker alerts.
    public var container: ContainerInfo?
    /// Kubernetes workload kind and name as derived (see `Workload`).
    public var workloadKind: String
    public var workloadName: String

    public static func == (a: Alert, b: Alert) -> Bool { a.json() == b.json() }
    public func hash(into hasher: inout Hasher) { hasher.combine(json()) }
}

/// An alert argument value.
public enum AlertArgument: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case strings([String])
}

/// The Kubernetes workload a pod belongs to, guessed from the pod name (captures do not record
/// owner references): `name-<hash>-<hash5>` is a Deployment's pod, `name-<digits>` a StatefulSet's,
/// `name-<hash5>` a DaemonSet's (or a Job's), anything else a bare Pod.
public enum Workload {
    public static func of(podName: String) -> (kind: String, name: String) {
        let parts = podName.split(separator: "-", omittingEmptySubsequences: false)
        func isHash(_ s: Substring, _ lengths: ClosedRange<Int>) -> Bool {
            lengths.contains(s.count) && s.allSatisfy { $0.isLetter || $0.isNumber } && s.lowercased() == s
        }
        if parts.count >= 3, isHash(parts[parts.count - 1], 5...5), isHash(parts[parts.count - 2], 6...10),
            parts[parts.count - 2].contains(where: \.isNumber)
        {
            return ("Deployment", parts.dropLast(2).joined(separator: "-"))
        }
        if parts.count >= 2, let last = parts.last, !last.isEmpty, last.allSatisfy(\.isNumber) {
            return ("StatefulSet", parts.dropLast().joined(separator: "-"))
        }
        if parts.count >= 2, let last = parts.last, isHash(last, 5...5) {
            return ("DaemonSet", parts.dropLast().joined(separator: "-"))
        }
        return ("Pod", podName)
    }

    /// kubescape's workload id: `wlid://cluster-<c>/namespace-<ns>/<kind>-<name>`, kind lowercased.
    public static func wlid(cluster: String, namespace: String, kind: String, name: String) -> String {
        "wlid://cluster-\(cluster)/namespace-\(namespace)/\(kind.lowercased())-\(name)"
    }
}
