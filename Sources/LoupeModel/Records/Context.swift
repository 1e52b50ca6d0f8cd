/// Where an event ran: a pod container, the node itself, or a container no orchestrator owns.
public enum EventSourceContext: UInt8, Hashable, Sendable, CaseIterable, Comparable {
    case kubernetes = 1
    case host = 2
    case docker = 3

    /// The name alerts and configuration use (`AlertPlatform`, `context:` tags).
    public var name: String {
        switch self {
        case .kubernetes: "kubernetes"
        case .host: "host"
        case .docker: "docker"
        }
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
