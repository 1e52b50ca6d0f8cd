import LoupeModel

/// Parsers for option values shared by several commands.
enum ValueParser {
    /// A non-negative integer, with an optional K/M/G suffix (powers of 1024) when `binary`.
    static func size(_ text: String, option: String) throws -> UInt64 {
        let units: [(String, UInt64)] = [
            ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
        ]
        for (suffix, multiplier) in units.reversed() where text.hasSuffix(suffix) {
            if let value = UInt64(text.dropLast(suffix.count)), value <= UInt64.max / multiplier {
                return value * multiplier
            }
        }
        if let value = UInt64(text) { return value }
        throw UsageError("\(option) expects a size like 64M or 1048576, got '\(text)'")
    }

    static func integer(_ text: String, option: String, range: ClosedRange<Int> = 0...Int.max) throws -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("\(option) expects an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return value
    }

    /// A duration like `1h30m`, `90s`, `500ms`, `2d`, in nanoseconds.
    static func duration(_ text: String, option: String) throws -> UInt64 {
        let units: [(String, UInt64)] = [
            ("ns", 1), ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000),
            ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
        ]
        var total: UInt64 = 0
        var rest = Substring(text)
        guard !rest.isEmpty else { throw UsageError("\(option) expects a duration like 30s, 5m or 1h30m, got ''") }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unitText.count)
            guard let value = UInt64(digits), let unit = units.first(where: { $0.0 == unitText }) else {
                throw UsageError("\(option) expects a duration like 30s, 5m or 1h30m, got '\(text)'")
            }
            total += value * unit.1
        }
        return total
    }

    /// A point in a capture: RFC 3339 wall-clock time, `+DURATION` after the capture's first
    /// record, or raw CLOCK_BOOTTIME nanoseconds.
    static func time(_ text: String, option: String, clock: ClockAnchor, start: UInt64) throws -> UInt64 {
        if text.hasPrefix("+") {
            return start + (try duration(String(text.dropFirst()), option: option))
        }
        if let boot = UInt64(text) { return boot }
        if let wall = WallClock.parseRFC3339(text) { return clock.bootTime(ofWallTime: wall) }
        throw UsageError(
            "\(option) expects an RFC 3339 time (2026-12-04T15:00:00Z), +DURATION from the capture start, or boot-time nanoseconds; got '\(text)'"
        )
    }
}
