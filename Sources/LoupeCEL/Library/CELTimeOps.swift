import Foundation
import Synchronization

/// Timestamp and duration arithmetic, text forms and calendar accessors.
enum CELTimeOps {
    static func normalize(_ seconds: Int64, _ nanos: Int64) -> (Int64, Int32)? {
        var s = seconds
        var n = nanos
        let (extra, rem) = n.quotientAndRemainder(dividingBy: 1_000_000_000)
        n = rem
        var o: Bool
        (s, o) = s.addingReportingOverflow(extra)
        if o { return nil }
        return (s, Int32(n))
    }

    static func add(_ t: CELTimestamp, _ d: CELDuration) -> CELValue {
        let (s, o) = t.seconds.addingReportingOverflow(d.seconds)
        guard !o, var (sec, nano) = normalize(s, Int64(t.nanos) + Int64(d.nanos)) else {
            return .error("timestamp overflow")
        }
        if nano < 0 {
            nano += 1_000_000_000
            sec -= 1
        }
        let r = CELTimestamp(seconds: sec, nanos: nano)
        return r.isValid ? .timestamp(r) : .error("timestamp overflow: result out of range")
    }

    static func add(_ a: CELDuration, _ b: CELDuration) -> CELValue {
        let (s, o) = a.seconds.addingReportingOverflow(b.seconds)
        guard !o, let (sec, nano) = normalize(s, Int64(a.nanos) + Int64(b.nanos)) else {
            return .error("duration overflow")
        }
        let r = balance(sec, nano)
        return r.isValid ? .duration(r) : .error("duration overflow: result out of range")
    }

    /// Makes seconds and nanos share a sign.
    static func balance(_ s: Int64, _ n: Int32) -> CELDuration {
        if s > 0 && n < 0 { return CELDuration(seconds: s - 1, nanos: n + 1_000_000_000) }
        if s < 0 && n > 0 { return CELDuration(seconds: s + 1, nanos: n - 1_000_000_000) }
        return CELDuration(seconds: s, nanos: n)
    }

    static func negate(_ d: CELDuration) -> CELDuration { CELDuration(seconds: -d.seconds, nanos: -d.nanos) }

    static func subtract(_ a: CELTimestamp, _ b: CELTimestamp) -> CELValue {
        let r = balance(a.seconds - b.seconds, a.nanos - b.nanos)
        return r.isValid ? .duration(r) : .error("duration overflow: result out of range")
    }

    // MARK: - Text

    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// RFC 3339 in UTC with the fraction trimmed, as cel-go prints timestamps.
    static func format(_ t: CELTimestamp) -> String {
        let days = CivilTime.floorDiv(t.seconds, 86400)
        let secs = t.seconds - days * 86400
        let (y, m, d) = CivilTime.date(days: days)
        var s =
            "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secs / 3600, 2)):\(pad(secs / 60 % 60, 2)):\(pad(secs % 60, 2))"
        if t.nanos != 0 {
            var frac = pad(Int64(t.nanos), 9)
            while frac.hasSuffix("0") { frac.removeLast() }
            s += "." + frac
        }
        return s + "Z"
    }

    /// Seconds with a trimmed fraction and an `s` suffix, as cel-go prints durations.
    static func format(_ d: CELDuration) -> String {
        let negative = d.seconds < 0 || d.nanos < 0
        var s = (negative ? "-" : "") + String(d.seconds.magnitude)
        if d.nanos != 0 {
            var frac = pad(Int64(d.nanos.magnitude), 9)
            while frac.hasSuffix("0") { frac.removeLast() }
            s += "." + frac
        }
        return s + "s"
    }

    /// Parses RFC 3339 (`2006-01-02T15:04:05.999999999Z07:00`).
    static func parseTimestamp(_ text: String) -> CELValue {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var v: Int64 = 0
            for i in from..<(from + count) {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                v = v * 10 + Int64(b[i] - 0x30)
            }
            return v
        }
        let bad = CELValue.error("timestamp parse error: '\(text)' is not RFC 3339")
        guard b.count >= 20, let y = num(0, 4), b[4] == 0x2D, let mo = num(5, 2), b[7] == 0x2D, let d = num(8, 2),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"), let h = num(11, 2), b[13] == 0x3A,
            let mi = num(14, 2), b[16] == 0x3A, let s = num(17, 2)
        else { return bad }
        var i = 19
        var nanos: Int64 = 0
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count && b[i] >= 0x30 && b[i] <= 0x39 {
                if digits < 9 {
                    nanos = nanos * 10 + Int64(b[i] - 0x30)
                    digits += 1
                }
                i += 1
            }
            if digits == 0 { return bad }
            for _ in digits..<9 { nanos *= 10 }
        }
        guard i < b.count else { return bad }
        var offset: Int64 = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 0x3A, let om = num(i + 4, 2) else { return bad }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return bad
        }
        guard i == b.count, mo >= 1, mo <= 12, d >= 1, h < 24, mi < 60, s < 60 else { return bad }
        let monthDays: [Int64] = [31, CivilTime.isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d <= monthDays[Int(mo - 1)] else { return bad }
        let seconds = CivilTime.days(year: y, month: mo, day: d) * 86400 + h * 3600 + mi * 60 + s - offset
        let t = CELTimestamp(seconds: seconds, nanos: Int32(nanos))
        return t.isValid ? .timestamp(t) : .error("timestamp out of range: '\(text)'")
    }

    /// Parses Go duration syntax: `-1h2m3.5s`, units ns us µs ms s m h.
    static func parseDuration(_ text: String) -> CELValue {
        let bad = CELValue.error("duration parse error: invalid duration '\(text)'")
        var cs = Array(text.unicodeScalars)
        var negative = false
        if let f = cs.first, f == "-" || f == "+" {
            negative = f == "-"
            cs.removeFirst()
        }
        if cs.count == 1 && cs[0] == "0" { return .duration(CELDuration(seconds: 0)) }
        guard !cs.isEmpty else { return bad }
        var total: Double = 0
        var totalNanos: Int64 = 0
        var i = 0
        while i < cs.count {
            var whole: Int64 = 0
            var frac: Double = 0
            var scale: Double = 1
            var anyDigits = false
            while i < cs.count, let v = cs[i].properties.numericType == nil ? nil : Int64(String(cs[i])), cs[i].isASCII
            {
                whole = whole &* 10 &+ v
                anyDigits = true
                i += 1
            }
            if i < cs.count && cs[i] == "." {
                i += 1
                while i < cs.count, cs[i].isASCII, let v = Int(String(cs[i])) {
                    scale /= 10
                    frac += Double(v) * scale
                    anyDigits = true
                    i += 1
                }
            }
            guard anyDigits else { return bad }
            var unit = ""
            while i < cs.count, cs[i] != ".", !(cs[i].isASCII && cs[i].properties.numericType != nil) {
                unit.unicodeScalars.append(cs[i])
                i += 1
            }
            let nanosPerUnit: Int64
            switch unit {
            case "ns": nanosPerUnit = 1
            case "us", "µs", "μs": nanosPerUnit = 1_000
            case "ms": nanosPerUnit = 1_000_000
            case "s": nanosPerUnit = 1_000_000_000
            case "m": nanosPerUnit = 60_000_000_000
            case "h": nanosPerUnit = 3_600_000_000_000
            default: return bad
            }
            let (w, o1) = whole.multipliedReportingOverflow(by: nanosPerUnit)
            let (t, o2) = totalNanos.addingReportingOverflow(w)
            if o1 || o2 { return .error("duration out of range: '\(text)'") }
            totalNanos = t
            total += frac * Double(nanosPerUnit)
        }
        let (t, o) = totalNanos.addingReportingOverflow(Int64(total.rounded()))
        if o { return .error("duration out of range: '\(text)'") }
        let d = CELDuration(totalNanos: negative ? -t : t)
        return d.isValid ? .duration(d) : .error("duration out of range: '\(text)'")
    }

    // MARK: - Calendar accessors

    enum Field { case fullYear, month, date, dayOfMonth, dayOfWeek, dayOfYear, hours, minutes, seconds, milliseconds }

    private static let zones = Mutex<[String: TimeZone]>([:])

    /// The UTC offset in seconds at `t` for an IANA name or a `±HH:MM` offset.
    static func offset(_ zone: String, at t: CELTimestamp) -> Int64? {
        let b = Array(zone.utf8)
        if let f = b.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") || (f >= 0x30 && f <= 0x39) {
            let sign: Int64 = f == UInt8(ascii: "-") ? -1 : 1
            let body = f >= 0x30 && f <= 0x39 ? zone : String(zone.dropFirst())
            let parts = body.split(separator: ":")
            guard parts.count == 2, let h = Int64(parts[0]), let m = Int64(parts[1]), h < 24, m < 60 else { return nil }
            return sign * (h * 3600 + m * 60)
        }
        if zone == "UTC" || zone == "Z" { return 0 }
        let tz: TimeZone? = zones.withLock { table in
            if let hit = table[zone] { return hit }
            guard let tz = TimeZone(identifier: zone) else { return nil }
            table[zone] = tz
            return tz
        }
        guard let tz else { return nil }
        return Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t.seconds))))
    }

    static func get(_ t: CELTimestamp, _ field: Field, zone: String?) -> CELValue {
        var seconds = t.seconds
        if let zone {
            guard let off = offset(zone, at: t) else { return .error("unknown time zone '\(zone)'") }
            seconds += off
        }
        let days = CivilTime.floorDiv(seconds, 86400)
        let secs = seconds - days * 86400
        switch field {
        case .hours: return .int(secs / 3600)
        case .minutes: return .int(secs / 60 % 60)
        case .seconds: return .int(secs % 60)
        case .milliseconds: return .int(Int64(t.nanos) / 1_000_000)
        case .dayOfWeek:
            // 1970-01-01 was a Thursday (4).
            let w = (days % 7 + 7 + 4) % 7
            return .int(w)
        default: break
        }
        let (y, m, d) = CivilTime.date(days: days)
        switch field {
        case .fullYear: return .int(y)
        case .month: return .int(m - 1)
        case .date: return .int(d)
        case .dayOfMonth: return .int(d - 1)
        case .dayOfYear: return .int(days - CivilTime.days(year: y, month: 1, day: 1))
        default: return .null
        }
    }

    static func get(_ d: CELDuration, _ field: Field) -> CELValue {
        switch field {
        case .hours: return .int(d.seconds / 3600)
        case .minutes: return .int(d.seconds / 60)
        case .seconds: return .int(d.seconds)
        case .milliseconds:
            // The milliseconds component, as cel-go returns it (not the total).
            return .int(Int64(d.nanos) / 1_000_000)
        default: return .noSuchOverload("duration accessor", .duration(d))
        }
    }
}
