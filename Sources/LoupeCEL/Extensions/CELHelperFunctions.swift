/// Example host extensions: the pure kubescape helpers (`parse.*`, `net.*`) that need no
/// engine state. The engine registers the profile and process helpers the same way.
public enum CELHelperFunctions {
    /// Every helper in this file.
    public static let all: [CELFunction] = [getExecPath, isPrivateIP]

    /// `parse.get_exec_path(args list(string), comm string)`: `args[0]` when non-empty, else
    /// `comm`; the 3-argument form prefers a non-empty `exepath`.
    public static let getExecPath = CELFunction(
        "parse.get_exec_path",
        [
            .binary("parse_get_exec_path_list_string", .list(.string), .string, .string) { args, comm in
                execPath(args, comm, .string(""))
            },
            .ternary("parse_get_exec_path_list_string_string", .list(.string), .string, .string, .string) {
                args, comm, exe in execPath(args, comm, exe)
            },
        ])

    private static func execPath(_ args: CELValue, _ comm: CELValue, _ exePath: CELValue) -> CELValue {
        guard case .list(let list) = args, case .string(let c) = comm, case .string(let exe) = exePath else {
            return .noSuchOverload("parse.get_exec_path", args, comm, exePath)
        }
        if !exe.isEmpty { return exePath }
        if let first = list.first, case .string(let s) = first, !s.isEmpty { return first }
        return .string(c)
    }

    /// `net.is_private_ip(ip string)`: loopback, 10/8, 172.16/12, 192.168/16, 169.254/16 and
    /// 224.0.0.0 upward (multicast and reserved); for IPv6 loopback, fc00::/7, fe80::/10 and
    /// ff00::/8. Unparseable input is not private.
    public static let isPrivateIP = CELFunction(
        "net.is_private_ip",
        [
            .unary("net_is_private_ip_string", .string, .bool) { ip in
                guard case .string(let s) = ip else { return .noSuchOverload("net.is_private_ip", ip) }
                return .bool(isPrivate(s))
            }
        ])

    static func isPrivate(_ text: String) -> Bool {
        if let v4 = parseIPv4(Substring(text)) { return isPrivateV4(v4) }
        guard let v6 = parseIPv6(text) else { return false }
        // IPv4-mapped addresses (::ffff:a.b.c.d) follow the IPv4 rules.
        if v6[0..<10].allSatisfy({ $0 == 0 }) && v6[10] == 0xFF && v6[11] == 0xFF {
            return isPrivateV4(UInt32(v6[12]) << 24 | UInt32(v6[13]) << 16 | UInt32(v6[14]) << 8 | UInt32(v6[15]))
        }
        if v6[0..<15].allSatisfy({ $0 == 0 }) && v6[15] == 1 { return true }
        if v6[0] & 0xFE == 0xFC { return true }
        if v6[0] == 0xFE && v6[1] & 0xC0 == 0x80 { return true }
        return v6[0] == 0xFF
    }

    private static func isPrivateV4(_ a: UInt32) -> Bool {
        let b0 = a >> 24
        let b1 = (a >> 16) & 0xFF
        return b0 == 127 || b0 == 10 || (b0 == 172 && b1 >= 16 && b1 < 32) || (b0 == 192 && b1 == 168)
            || (b0 == 169 && b1 == 254) || b0 >= 224
    }

    static func parseIPv4(_ s: Substring) -> UInt32? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt32(p), n <= 255
            else {
                return nil
            }
            value = value << 8 | n
        }
        return value
    }

    static func parseIPv6(_ s: String) -> [UInt8]? {
        guard s.contains(":") else { return nil }
        var text = Substring(s)
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, p) in pieces.enumerated() {
                if i == pieces.count - 1, p.contains("."), let v4 = parseIPv4(p) {
                    out.append(UInt16(v4 >> 16))
                    out.append(UInt16(v4 & 0xFFFF))
                    continue
                }
                guard !p.isEmpty, p.count <= 4, let g = UInt16(p, radix: 16) else { return nil }
                out.append(g)
            }
            return out
        }
        guard let head = groups(Substring(halves[0])) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(Substring(halves[1])), head.count + tail.count < 8 else { return nil }
            all += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}

extension Substring {
    fileprivate func components(separatedBy separator: String) -> [Substring] {
        var out: [Substring] = []
        var rest = self[...]
        while let r = rest.firstRange(of: separator) {
            out.append(rest[..<r.lowerBound])
            rest = rest[r.upperBound...]
        }
        out.append(rest)
        return out
    }
}
