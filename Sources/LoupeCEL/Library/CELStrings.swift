#if canImport(Glibc)
    import Glibc
#endif

/// String helpers counting in Unicode code points, as CEL does.
enum CELStrings {
    /// Code point equality. Swift's `==` applies canonical equivalence, which CEL does not.
    @inline(__always) static func equal(_ a: String, _ b: String) -> Bool {
        let x = a.utf8
        let y = b.utf8
        guard x.count == y.count else { return false }
        if let r = x.withContiguousStorageIfAvailable({ p in
            y.withContiguousStorageIfAvailable { q in
                p.count == 0 || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0
            }
        }), let r {
            return r
        }
        return x.elementsEqual(y)
    }

    @inline(__always) static func hasPrefix(_ s: String, _ p: String) -> Bool {
        if p.isEmpty { return true }
        return withBytes(p) { hasPrefix(s, $0) }
    }

    @inline(__always) static func hasSuffix(_ s: String, _ p: String) -> Bool {
        if p.isEmpty { return true }
        return withBytes(p) { hasSuffix(s, $0) }
    }

    /// Runs `body` over the UTF-8 bytes of `s`, in place for native strings (an argument that is
    /// not a constant, such as a comprehension variable, must not cost an allocation per call).
    @inline(__always) static func withBytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        return Array(s.utf8).withUnsafeBufferPointer(body)
    }

    /// Byte equality of two buffers of `count` bytes; short ones compared inline, since a call
    /// into libc costs more than the comparison.
    @inline(__always) static func bytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool
    {
        if count > 16 { return memcmp(a, b, count) == 0 }
        var i = 0
        while i < count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    /// Prefix test against pre-encoded UTF-8 bytes (a constant's, encoded at plan time).
    @inline(__always) static func hasPrefix(_ s: String, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        if p.count == 0 { return true }
        if let r = s.utf8.withContiguousStorageIfAvailable({ h in
            h.count >= p.count && bytesEqual(h.baseAddress!, p.baseAddress!, p.count)
        }) {
            return r
        }
        return s.utf8.starts(with: p)
    }

    /// Suffix test against pre-encoded UTF-8 bytes.
    @inline(__always) static func hasSuffix(_ s: String, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        if p.count == 0 { return true }
        if let r = s.utf8.withContiguousStorageIfAvailable({ h in
            h.count >= p.count && bytesEqual(h.baseAddress! + (h.count - p.count), p.baseAddress!, p.count)
        }) {
            return r
        }
        return Array(s.utf8).reversed().starts(with: p.reversed())
    }

    /// Equality against pre-encoded UTF-8 bytes.
    @inline(__always) static func equal(_ s: String, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let u = s.utf8
        guard u.count == p.count else { return false }
        if p.count == 0 { return true }
        if let r = u.withContiguousStorageIfAvailable({ h in bytesEqual(h.baseAddress!, p.baseAddress!, p.count) }) {
            return r
        }
        return u.elementsEqual(p)
    }

    /// Substring test against pre-encoded UTF-8 bytes.
    static func contains(_ s: String, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        if needle.count == 0 { return true }
        if let r = s.utf8.withContiguousStorageIfAvailable({ find($0, needle, from: 0) != nil }) { return r }
        return Array(s.utf8).withUnsafeBufferPointer { find($0, needle, from: 0) != nil }
    }

    /// Byte-wise substring search; on valid UTF-8 this equals code point search.
    static func contains(_ s: String, _ needle: String) -> Bool {
        if needle.isEmpty { return true }
        var s = s
        var needle = needle
        return s.withUTF8 { hay in
            needle.withUTF8 { nd in find(hay, nd, from: 0) != nil }
        }
    }

    static func find(_ hay: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        let n = needle.count
        if n == 0 { return from }
        guard hay.count >= n else { return nil }
        let first = needle[0]
        var i = from
        let last = hay.count - n
        while i <= last {
            if hay[i] == first {
                var j = 1
                while j < n && hay[i + j] == needle[j] { j += 1 }
                if j == n { return i }
            }
            i += 1
        }
        return nil
    }

    static func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }

    static func size(_ s: String) -> Int64 {
        var n: Int64 = 0
        for b in s.utf8 where b & 0xC0 != 0x80 { n += 1 }
        return n
    }

    static func charAt(_ s: String, _ i: Int64) -> CELValue {
        let cs = scalars(s)
        guard i >= 0 && i <= Int64(cs.count) else { return .error("index out of range: \(i)") }
        if i == Int64(cs.count) { return .string("") }
        return .string(String(cs[Int(i)]))
    }

    static func indexOf(_ s: String, _ sub: String, _ start: Int64 = 0) -> CELValue {
        let cs = scalars(s)
        let ns = scalars(sub)
        guard start >= 0 && start <= Int64(cs.count) else { return .error("index out of range: \(start)") }
        if ns.isEmpty { return .int(start) }
        guard ns.count <= cs.count else { return .int(-1) }
        var i = Int(start)
        while i + ns.count <= cs.count {
            if cs[i..<(i + ns.count)].elementsEqual(ns) { return .int(Int64(i)) }
            i += 1
        }
        return .int(-1)
    }

    static func lastIndexOf(_ s: String, _ sub: String, _ end: Int64? = nil) -> CELValue {
        let cs = scalars(s)
        let ns = scalars(sub)
        let last = end ?? Int64(cs.count)
        if let end, end < 0 || end >= Int64(cs.count) && !(cs.isEmpty && end == 0) {
            return .error("index out of range: \(end)")
        }
        if ns.isEmpty { return .int(min(last, Int64(cs.count))) }
        guard ns.count <= cs.count else { return .int(-1) }
        var i = min(Int(last), cs.count - ns.count)
        while i >= 0 {
            if cs[i..<(i + ns.count)].elementsEqual(ns) { return .int(Int64(i)) }
            i -= 1
        }
        return .int(-1)
    }

    static func substring(_ s: String, _ start: Int64, _ end: Int64? = nil) -> CELValue {
        let cs = scalars(s)
        let e = end ?? Int64(cs.count)
        guard start >= 0 && start <= Int64(cs.count) else { return .error("index out of range: \(start)") }
        guard e >= 0 && e <= Int64(cs.count) else { return .error("index out of range: \(e)") }
        guard start <= e else { return .error("invalid substring range. start: \(start), end: \(e)") }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: cs[Int(start)..<Int(e)])
        return .string(String(out))
    }

    static func replace(_ s: String, _ old: String, _ new: String, _ limit: Int64 = -1) -> String {
        if limit == 0 { return s }
        if old.isEmpty {
            // Like Go: insert `new` around every code point, up to the limit.
            var out = ""
            var done: Int64 = 0
            for c in s.unicodeScalars {
                if limit < 0 || done < limit {
                    out += new
                    done += 1
                }
                out.unicodeScalars.append(c)
            }
            if limit < 0 || done < limit { out += new }
            return out
        }
        let hay = Array(s.utf8)
        let nd = Array(old.utf8)
        var out: [UInt8] = []
        var i = 0
        var done: Int64 = 0
        hay.withUnsafeBufferPointer { h in
            nd.withUnsafeBufferPointer { n in
                while limit < 0 || done < limit, let at = find(h, n, from: i) {
                    out.append(contentsOf: h[i..<at])
                    out.append(contentsOf: new.utf8)
                    i = at + n.count
                    done += 1
                }
            }
        }
        out.append(contentsOf: hay[i...])
        return String(decoding: out, as: UTF8.self)
    }

    static func split(_ s: String, _ sep: String, _ limit: Int64 = -1) -> [CELValue] {
        if limit == 0 { return [] }
        if limit == 1 { return [.string(s)] }
        if sep.isEmpty {
            var parts: [CELValue] = []
            let cs = scalars(s)
            for (i, c) in cs.enumerated() {
                if limit > 0 && Int64(parts.count) == limit - 1 {
                    var rest = String.UnicodeScalarView()
                    rest.append(contentsOf: cs[i...])
                    parts.append(.string(String(rest)))
                    return parts
                }
                parts.append(.string(String(c)))
            }
            return parts
        }
        let hay = Array(s.utf8)
        let nd = Array(sep.utf8)
        var parts: [CELValue] = []
        var i = 0
        hay.withUnsafeBufferPointer { h in
            nd.withUnsafeBufferPointer { n in
                while limit < 0 || Int64(parts.count) < limit - 1, let at = find(h, n, from: i) {
                    parts.append(.string(String(decoding: h[i..<at], as: UTF8.self)))
                    i = at + n.count
                }
            }
        }
        parts.append(.string(String(decoding: hay[i...], as: UTF8.self)))
        return parts
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default: return false
        }
    }

    static func trim(_ s: String) -> String {
        let cs = scalars(s)
        var lo = 0
        var hi = cs.count
        while lo < hi && isSpace(cs[lo]) { lo += 1 }
        while hi > lo && isSpace(cs[hi - 1]) { hi -= 1 }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: cs[lo..<hi])
        return String(out)
    }

    static func lowerASCII(_ s: String) -> String {
        String(decoding: s.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }, as: UTF8.self)
    }

    static func upperASCII(_ s: String) -> String {
        String(decoding: s.utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 32 : $0 }, as: UTF8.self)
    }

    static func reverse(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        out.append(contentsOf: s.unicodeScalars.reversed())
        return String(out)
    }

    /// `strings.quote`: a double-quoted literal with escapes.
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
