/// An IPv4 or IPv6 address, or none, stored inline (no allocation per address).
public struct IPAddress: Hashable, Sendable {
    /// Network-order bytes 0-7 and 8-15, big-endian packed; IPv4 uses the first four.
    @usableFromInline var high: UInt64 = 0
    @usableFromInline var low: UInt64 = 0
    @usableFromInline var length: Int8 = 0

    /// 0 (none), 4 or 16.
    @inlinable public var count: Int8 { length }

    @inlinable public init() {}

    public static let none = IPAddress()

    /// An address from 4 or 16 network-order bytes; any other count gives `.none`.
    @inlinable
    public init(bytes: some Collection<UInt8>) {
        guard bytes.count == 4 || bytes.count == 16 else { return }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var index = 0
        for byte in bytes {
            if index < 8 {
                high |= UInt64(byte) << UInt64(56 - 8 * index)
            } else {
                low |= UInt64(byte) << UInt64(56 - 8 * (index - 8))
            }
            index += 1
        }
        self.high = high
        self.low = low
        self.length = Int8(bytes.count)
    }

    public init(v4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) { self.init(bytes: [a, b, c, d]) }

    /// Byte `index` in network order.
    public subscript(index: Int) -> UInt8 {
        get {
            let word = index < 8 ? high : low
            return UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * (index % 8)))
        }
        set {
            let shift = UInt64(56 - 8 * (index % 8))
            let mask = ~(UInt64(0xff) << shift)
            if index < 8 {
                high = (high & mask) | UInt64(newValue) << shift
            } else {
                low = (low & mask) | UInt64(newValue) << shift
            }
        }
    }

    /// The network-order bytes (0, 4 or 16).
    public var bytes: [UInt8] { (0..<Int(count)).map { self[$0] } }

    public var isIPv4: Bool { count == 4 }
    public var isIPv6: Bool { count == 16 }

    /// Parses dotted IPv4 or RFC 4291 IPv6 text (with `::` and an optional trailing IPv4 part).
    public init?(_ text: String) {
        if let v4 = Self.parseV4(Substring(text)) {
            self.init(bytes: v4)
            return
        }
        guard let v6 = Self.parseV6(text) else { return nil }
        self.init(bytes: v6)
    }

    private static func parseV4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit),
                let value = UInt8(part), part.count == 1 || part.first != "0"
            else { return nil }
            out.append(value)
        }
        return out
    }

    private static func parseV6(_ text: String) -> [UInt8]? {
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var trailingV4: [UInt8] = []
        var halves: [String] = [text]
        if let gap = text.firstRange(of: "::") {
            halves = [String(text[..<gap.lowerBound]), String(text[gap.upperBound...])]
            guard halves[1].firstRange(of: "::") == nil else { return nil }
        }
        func groups(_ part: String, allowV4: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowV4, index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseV4(piece) else { return nil }
                    trailingV4 = v4
                    continue
                }
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        if halves.count == 2 {
            sawGap = true
            guard let h = groups(halves[0], allowV4: false), let t = groups(halves[1], allowV4: true) else {
                return nil
            }
            head = h
            tail = t
        } else {
            guard let h = groups(halves[0], allowV4: true) else { return nil }
            head = h
        }
        let used = head.count + tail.count + trailingV4.count / 2
        guard sawGap ? used < 8 : used == 8 else { return nil }
        let zeros = [UInt16](repeating: 0, count: 8 - used)
        var out: [UInt8] = []
        for group in head + zeros + tail { out += [UInt8(group >> 8), UInt8(group & 0xff)] }
        return out + trailingV4
    }
}

extension IPAddress: CustomStringConvertible {
    /// Dotted quad for IPv4; RFC 5952 text (longest zero run as `::`) for IPv6; "" for none.
    public var description: String {
        let bytes = self.bytes
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        guard bytes.count == 16 else { return "" }
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        if groups[0..<5].allSatisfy({ $0 == 0 }), groups[5] == 0xffff {
            return "::ffff:" + bytes[12...].map(String.init).joined(separator: ".")
        }
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8, groups[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        func render(_ range: Range<Int>) -> String {
            range.map { String(groups[$0], radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return render(0..<8) }
        return render(0..<bestStart) + "::" + render((bestStart + bestLength)..<8)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
