/// A point in time: seconds and nanoseconds since the Unix epoch, UTC.
/// CEL limits timestamps to years 0001 through 9999.
public struct CELTimestamp: Sendable, Hashable, Comparable {
    public var seconds: Int64
    /// Always in 0..<1_000_000_000.
    public var nanos: Int32

    public static let minSeconds: Int64 = -62_135_596_800  // 0001-01-01T00:00:00Z
    public static let maxSeconds: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z

    public init(seconds: Int64, nanos: Int32 = 0) {
        self.seconds = seconds
        self.nanos = nanos
    }

    /// Whether the timestamp lies within CEL's range.
    public var isValid: Bool { seconds >= Self.minSeconds && seconds <= Self.maxSeconds }

    public static func < (a: CELTimestamp, b: CELTimestamp) -> Bool {
        a.seconds != b.seconds ? a.seconds < b.seconds : a.nanos < b.nanos
    }
}

/// A signed span of time. Like cel-go (Go's `time.Duration`), a duration must fit in 64-bit
/// nanoseconds, about ±292 years.
public struct CELDuration: Sendable, Hashable, Comparable {
    public var seconds: Int64
    /// Same sign as `seconds` (or zero), magnitude below 1_000_000_000.
    public var nanos: Int32

    public init(seconds: Int64, nanos: Int32 = 0) {
        self.seconds = seconds
        self.nanos = nanos
    }

    /// Builds a normalized duration from total nanoseconds.
    public init(totalNanos: Int64) {
        self.seconds = totalNanos / 1_000_000_000
        self.nanos = Int32(totalNanos % 1_000_000_000)
    }

    /// Total nanoseconds, or nil on overflow.
    public var totalNanos: Int64? {
        let (s, o1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (t, o2) = s.addingReportingOverflow(Int64(nanos))
        return o1 || o2 ? nil : t
    }

    public var isValid: Bool { totalNanos != nil }

    public static func < (a: CELDuration, b: CELDuration) -> Bool {
        a.seconds != b.seconds ? a.seconds < b.seconds : a.nanos < b.nanos
    }
}

/// Proleptic Gregorian calendar arithmetic (days from civil, after H. Hinnant's algorithms).
enum CivilTime {
    /// Days since 1970-01-01 for a calendar date.
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The calendar date of a day count since 1970-01-01.
    static func date(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    /// Floor division.
    @inline(__always) static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
