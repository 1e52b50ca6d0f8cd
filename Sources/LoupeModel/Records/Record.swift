/// One entry of a capture: an event, a container lifecycle change, part of a state snapshot,
/// a clock pairing or a loss.
public enum Record: Hashable, Sendable {
    case event(Event)
    // Container and snapshot records are boxed: they are large and rare, and inline they
    // would make every record as big as the largest.
    indirect case containerStarted(ContainerStarted)
    case containerStopped(ContainerStopped)
    indirect case processSnapshot(ProcessSnapshot)
    /// A container found running when a segment started.
    indirect case containerSnapshot(ContainerStarted)
    case clockSync(ClockAnchor)
    case drop(DropRecord)

    /// CLOCK_BOOTTIME ns of the record.
    public var timestamp: UInt64 {
        switch self {
        case .event(let event): event.header.timestamp
        case .containerStarted(let started), .containerSnapshot(let started): started.timestamp
        case .containerStopped(let stopped): stopped.timestamp
        case .processSnapshot(let process): process.timestamp
        case .clockSync(let anchor): anchor.bootTime
        case .drop(let drop): drop.timestamp
        }
    }

    public var kind: RecordKind {
        switch self {
        case .event(let event): RecordKind(event.type)
        case .containerStarted: .containerStarted
        case .containerStopped: .containerStopped
        case .processSnapshot: .processSnapshot
        case .containerSnapshot: .containerSnapshot
        case .clockSync: .clockSync
        case .drop: .drop
        }
    }
}

/// The tag of a record on disk and its name in tools (`loupe cat --kind`).
///
/// Event kinds share the numbers of `EventType`; other kinds start at 32.
public struct RecordKind: RawRepresentable, Hashable, Sendable, Comparable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ type: EventType) { self.rawValue = UInt32(type.rawValue) }

    public static let containerStarted = RecordKind(rawValue: 32)
    public static let containerStopped = RecordKind(rawValue: 33)
    public static let processSnapshot = RecordKind(rawValue: 34)
    public static let containerSnapshot = RecordKind(rawValue: 35)
    public static let clockSync = RecordKind(rawValue: 36)
    public static let drop = RecordKind(rawValue: 37)

    static let others: [RecordKind] = [
        .containerStarted, .containerStopped, .processSnapshot, .containerSnapshot, .clockSync, .drop,
    ]

    /// Every kind this version knows.
    public static var known: [RecordKind] { EventType.allCases.map(RecordKind.init) + others }

    /// The event type, for event kinds.
    public var eventType: EventType? {
        rawValue <= UInt32(UInt8.max) ? EventType(rawValue: UInt8(rawValue)) : nil
    }

    public var name: String {
        if let eventType { return eventType.name }
        switch self {
        case .containerStarted: return "container_started"
        case .containerStopped: return "container_stopped"
        case .processSnapshot: return "process_snapshot"
        case .containerSnapshot: return "container_snapshot"
        case .clockSync: return "clock_sync"
        case .drop: return "drop"
        default: return "unknown(\(rawValue))"
        }
    }

    public init?(name: String) {
        guard let match = Self.known.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
