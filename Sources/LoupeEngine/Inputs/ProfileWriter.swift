/// Writes learned profiles as `kubectl get applicationprofile,networkneighborhood -o yaml` shows
/// kubescape's objects: a `kind: List` of one ApplicationProfile and one NetworkNeighborhood,
/// keys in kubectl's (sorted) order, block sequences at their key's indentation.
///
/// `ProfilesLoader` reads the result back into the same `ContainerProfile`s the engine asks;
/// the tests hold the two to that.
public enum ProfileWriter {
    public static let apiVersion = "spdx.softwarecomposition.kubescape.io/v1beta1"

    /// The YAML text of a workload's learned profile.
    ///
    /// - Parameters:
    ///   - containers: the workload's containers, written in name order.
    ///   - annotations: `metadata.annotations` of both objects, besides nothing implied: pass
    ///     `kubescape.io/status` and `kubescape.io/completion` when known.
    public static func yaml(
        workload: LearnedWorkload, containers: [LearnedContainer], annotations: [String: String] = [:]
    ) -> String {
        let ordered = containers.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        var out = "apiVersion: v1\nitems:\n"
        out += "- apiVersion: \(apiVersion)\n  kind: ApplicationProfile\n"
        out += metadata(workload, annotations: annotations, indent: 2)
        out += "  spec:\n    containers:\n"
        if ordered.isEmpty { out = String(out.dropLast()) + " []\n" }
        for c in ordered { out += application(c) }
        out += "- apiVersion: \(apiVersion)\n  kind: NetworkNeighborhood\n"
        out += metadata(workload, annotations: annotations, indent: 2)
        out += "  spec:\n    containers:\n"
        if ordered.isEmpty { out = String(out.dropLast()) + " []\n" }
        for c in ordered { out += network(c) }
        out += "    matchLabels: {}\n"
        out += "kind: List\nmetadata:\n  resourceVersion: \"\"\n"
        return out
    }

    private static func metadata(_ w: LearnedWorkload, annotations: [String: String], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        var out = pad + "metadata:\n"
        out += map("annotations", annotations, indent: indent + 2)
        let labels = [
            "kubescape.io/workload-kind": w.kind, "kubescape.io/workload-name": w.name,
            "kubescape.io/workload-namespace": w.namespace,
        ]
        out += map("labels", labels, indent: indent + 2)
        out += pad + "  name: " + scalar(w.resourceName) + "\n"
        out += pad + "  namespace: " + scalar(w.namespace) + "\n"
        return out
    }

    private static func application(_ c: LearnedContainer) -> String {
        // One container item at indent 4 ("    - "), its keys at 6.
        var fields: [String] = []
        fields.append(list("capabilities", sorted(c.capabilities), indent: 6))
        fields.append("      endpoints: []\n")
        var execs = ""
        for path in sorted(Set(c.execs.keys)) {
            for args in c.execs[path]!.sorted(by: precedes) {
                execs += "      - " + list("args", args, indent: 8).dropFirst(8)
                execs += "        path: " + scalar(path) + "\n"
            }
        }
        fields.append(execs.isEmpty ? "      execs: []\n" : "      execs:\n" + execs)
        if !c.imageDigest.isEmpty { fields.append("      imageID: " + scalar(c.imageDigest) + "\n") }
        if !c.image.isEmpty { fields.append("      imageTag: " + scalar(c.image) + "\n") }
        fields.append("      name: " + scalar(c.name) + "\n")
        var opens = ""
        for path in sorted(Set(c.opens.keys)) {
            opens += "      - " + list("flags", sorted(c.opens[path]!), indent: 8).dropFirst(8)
            opens += "        path: " + scalar(path) + "\n"
        }
        fields.append(opens.isEmpty ? "      opens: []\n" : "      opens:\n" + opens)
        fields.append(list("syscalls", sorted(c.syscalls), indent: 6))
        return "    - " + fields.joined().dropFirst(6)
    }

    private static func network(_ c: LearnedContainer) -> String {
        var egress: [String] = []
        // Names that resolved to an address the container connected to go with that address.
        var attached: Set<String> = []
        for address in sorted(Set(c.egress.keys)) {
            let names = sorted(Set(c.domains.filter { $0.value.contains(address) }.keys))
            attached.formUnion(names)
            egress.append(peer(address: address, names: names, ports: c.egress[address]!.sorted(), side: "egress"))
        }
        for name in sorted(Set(c.domains.keys)) where !attached.contains(name) {
            egress.append(peer(address: "", names: [name], ports: [], side: "egress"))
        }
        var ingress: [String] = []
        for address in sorted(Set(c.ingress.keys)) {
            ingress.append(peer(address: address, names: [], ports: c.ingress[address]!.sorted(), side: "ingress"))
        }
        var out = egress.isEmpty ? "    - egress: []\n" : "    - egress:\n" + egress.joined()
        out += ingress.isEmpty ? "      ingress: []\n" : "      ingress:\n" + ingress.joined()
        out += "      name: " + scalar(c.name) + "\n"
        return out
    }

    /// One neighbor entry at indent 6 ("      - "), its keys at 8.
    private static func peer(address: String, names: [String], ports: [LearnedPort], side: String) -> String {
        var text = "        dns: " + scalar(names.first ?? "") + "\n"
        text += list("dnsNames", names, indent: 8)
        let portText = ports.map { "\($0.proto)-\($0.port)" }.joined(separator: ",")
        let identity = [side, address, names.joined(separator: ","), portText].joined(separator: "|")
        text += "        identifier: " + scalar(fnv1a(identity)) + "\n"
        text += "        ipAddress: " + scalar(address) + "\n"
        text += "        namespaceSelector: null\n        podSelector: null\n"
        if ports.isEmpty {
            text += "        ports: []\n"
        } else {
            text += "        ports:\n"
            for p in ports {
                text += "        - name: " + scalar("\(p.proto)-\(p.port)") + "\n"
                text += "          port: \(p.port)\n"
                text += "          protocol: " + scalar(p.proto) + "\n"
            }
        }
        text += "        type: external\n"
        return "      - " + text.dropFirst(8)
    }

    /// `key:` and a block sequence of strings at `indent`, or `key: []`.
    private static func list(_ key: String, _ items: [String], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        if items.isEmpty { return pad + key + ": []\n" }
        return pad + key + ":\n" + items.map { pad + "- " + scalar($0) + "\n" }.joined()
    }

    /// `key:` and a mapping of strings in key order, or `key: {}`.
    private static func map(_ key: String, _ entries: [String: String], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        if entries.isEmpty { return pad + key + ": {}\n" }
        var out = pad + key + ":\n"
        for k in sorted(Set(entries.keys)) { out += pad + "  " + scalar(k) + ": " + scalar(entries[k]!) + "\n" }
        return out
    }

    /// Strings in byte order, as Go (and so kubectl) sorts them.
    private static func sorted(_ items: Set<String>) -> [String] {
        items.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func precedes(_ a: [String], _ b: [String]) -> Bool {
        for (x, y) in zip(a, b) where x != y { return x.utf8.lexicographicallyPrecedes(y.utf8) }
        return a.count < b.count
    }

    /// A stable name for a neighbor entry (kubescape uses a hash of the entry too); not a
    /// cryptographic digest, only a key that stays the same for the same entry.
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// A string as a YAML scalar that every reader takes as that string: plain when it cannot
    /// be mistaken for anything else (no number, boolean or null under YAML 1.1 or 1.2, no
    /// indicator character), double-quoted with escapes otherwise.
    public static func scalar(_ text: String) -> String {
        isPlainSafe(text) ? text : doubleQuoted(text)
    }

    private static let reservedWords: Set<String> = [
        "true", "false", "null", "yes", "no", "on", "off", "y", "n",
    ]

    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return false }
        // A dotted quad is no number in any YAML schema (a float has one dot at most).
        if text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }),
            text.utf8.filter({ $0 == UInt8(ascii: ".") }).count >= 2, text.utf8.last != UInt8(ascii: ".")
        {
            return true
        }
        func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
        guard isLetter(first) || first == UInt8(ascii: "/") || first == UInt8(ascii: "_") else { return false }
        let allowed = text.utf8.allSatisfy { b in
            isLetter(b) || (b >= 0x30 && b <= 0x39) || "_./+=@-".utf8.contains(b)
        }
        return allowed && !reservedWords.contains(text.lowercased())
    }

    static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            case "\u{85}", "\u{2028}", "\u{2029}", "\u{FEFF}":
                out += "\\u" + hex(scalar.value, width: 4)
            default:
                if scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0) {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
