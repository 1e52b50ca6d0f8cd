public import LoupeModel

/// One alert as exporters see it: the engine's full JSON object plus the few fields that
/// formats other than JSON lines need on their own (CSV columns, Alertmanager labels, syslog
/// structured data).
///
/// The engine builds it from its `Alert` (field names match that type), so this module does not
/// depend on the engine.
public struct ExportedAlert: Sendable, Hashable {
    /// The alert's whole JSON object (one line, keys in the engine's fixed order).
    public var json: [UInt8]
    /// Event time as wall-clock nanoseconds since the Unix epoch.
    public var wallTime: Int64
    public var ruleID: String
    /// The rule's name (kubescape's `alertName`).
    public var alertName: String
    public var severity: Int64
    public var message: String
    public var uniqueID: String
    public var context: EventSourceContext
    /// `host` for host alerts, else the runtime's container id.
    public var containerID: String
    public var containerName: String
    public var namespace: String
    public var podName: String
    public var hostname: String
    public var nodeName: String
    /// The infected process and its parent.
    public var pid: UInt32
    public var ppid: UInt32
    public var comm: String
    public var pcomm: String
    public var uid: UInt32
    public var gid: UInt32

    public init(
        json: [UInt8], wallTime: Int64, ruleID: String, alertName: String, severity: Int64, message: String,
        uniqueID: String, context: EventSourceContext, containerID: String = "", containerName: String = "",
        namespace: String = "", podName: String = "", hostname: String = "", nodeName: String = "",
        pid: UInt32 = 0, ppid: UInt32 = 0, comm: String = "", pcomm: String = "", uid: UInt32 = 0,
        gid: UInt32 = 0
    ) {
        self.json = json
        self.wallTime = wallTime
        self.ruleID = ruleID
        self.alertName = alertName
        self.severity = severity
        self.message = message
        self.uniqueID = uniqueID
        self.context = context
        self.containerID = containerID
        self.containerName = containerName
        self.namespace = namespace
        self.podName = podName
        self.hostname = hostname
        self.nodeName = nodeName
        self.pid = pid
        self.ppid = ppid
        self.comm = comm
        self.pcomm = pcomm
        self.uid = uid
        self.gid = gid
    }

    /// The event time as RFC 3339 with nanoseconds (as the alert JSON's `timestamp`).
    public var timestamp: String { WallClock.rfc3339(nanoseconds: wallTime) }

    /// kubescape's name for a severity: `none`, `low`, `medium`, `high`, `critical`.
    public var severityName: String {
        switch severity {
        case ..<1: "none"
        case 1..<5: "low"
        case 5..<8: "medium"
        case 8..<10: "high"
        default: "critical"
        }
    }
}
