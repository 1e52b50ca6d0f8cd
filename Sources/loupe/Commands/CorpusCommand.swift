import LoupeEngine
import LoupeFormat
import LoupeModel

#if canImport(Glibc)
    import Glibc
#endif

/// `loupe corpus`: the regression corpus of real captures and their expected alerts.
enum CorpusCommand: CommandGroup {
    static let name = "corpus"
    static let summary = "Replay the regression corpus and compare against its expected alerts"
    static var subcommands: [any Command.Type] { [CorpusVerifyCommand.self] }
}

/// `loupe corpus verify`.
enum CorpusVerifyCommand: Command {
    static let name = "verify"
    static let summary = "Replay every scenario of a corpus directory and diff its alerts against expected.jsonl"
    static let help = """
        Usage: loupe corpus verify DIR [--update] [--scenario NAME]...

        Every subdirectory of DIR holding a capture/ directory and an expected.jsonl file is a
        scenario. Each capture is replayed exactly as `loupe replay` replays it (the built-in rule
        set, no bindings, the scenario's profiles/ directory as --profiles when it has one, late
        attribution unless the capture ran live rules) and its alerts are compared with
        expected.jsonl, as JSON lines, ignoring their order. A
        difference is printed per alert: rule, context, process (comm/pid), message and time,
        marked '-' when an expected alert disappeared, '+' when a new one appeared and '~' when
        an alert with the same rule, context, process and message changed in other fields (the
        changed fields are listed).

        A scenario with profiles/ may also hold learn/, the capture of the normal run its
        profiles were learned from (`loupe profile learn`). That run, replayed against those
        profiles, must raise no alert at all: each alert it raises is a failure, listed as '+'.

        The engine's loupe.yaml is DIR/SCENARIO/loupe.yaml when it exists, else DIR/loupe.yaml,
        else the built-in corpus config: the same as examples/loupe.yaml (Kubernetes, host and
        docker monitoring on, cluster 'demo', node 'demo-node').

        Arguments:
          DIR                 The corpus directory (corpus/ in the repository)

        Options:
          --update            Rewrite each scenario's expected.jsonl with the alerts of this
                              replay (scenarios with a capture/ but no expected.jsonl yet
                              are included)
          --scenario NAME     Only this scenario (repeatable)
          -h, --help          Show this help

        Exit codes: 0 every scenario matches (or --update done), 1 a scenario differs, 64 usage,
        65 invalid input or damaged capture, 66 DIR not found or without scenarios.
        """

    /// What `examples/loupe.yaml` says: the config of scenarios without a loupe.yaml.
    static let defaultConfig = """
        enableRuntimeDetection: true
        enableHostMonitoring: true
        enableDockerMonitoring: true
        clusterName: demo
        nodeName: demo-node
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let directory = try arguments.positional("DIR argument")
        let update = arguments.flag("update")
        let only = Set(try arguments.optionValues("scenario"))
        try arguments.finish()

        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        guard isDirectory(base) else {
            throw CommandFailure("corpus directory \(directory) not found", exitCode: ExitCode.noInput)
        }
        let scenarios = try subdirectories(base).filter { name in
            (only.isEmpty || only.contains(name)) && isDirectory("\(base)/\(name)/capture")
                && (update || isFile("\(base)/\(name)/expected.jsonl"))
        }
        for name in only where !scenarios.contains(name) {
            throw CommandFailure("no scenario \(name) under \(directory)", exitCode: ExitCode.noInput)
        }
        guard !scenarios.isEmpty else {
            throw CommandFailure(
                "no scenarios under \(directory) (subdirectories with capture/ and expected.jsonl)",
                exitCode: ExitCode.noInput)
        }

        var out = StandardOutput()
        var differing: [String] = []
        var status = ExitCode.success
        for name in scenarios {
            let path = "\(base)/\(name)"
            let (actual, replayStatus) = try replay(capture: path + "/capture", scenario: path, corpus: base)
            if replayStatus != ExitCode.success { status = replayStatus }
            // The normal run must be silent against the profiles learned from it.
            var learning = ""
            if isDirectory(path + "/learn") && isDirectory(path + "/profiles") {
                let (alerts, learnStatus) = try replay(capture: path + "/learn", scenario: path, corpus: base)
                if learnStatus != ExitCode.success { status = learnStatus }
                if !alerts.isEmpty {
                    differing.append(name)
                    out.write("FAIL \(name): its learning run raised \(alerts.count) alerts against its own profiles\n")
                    out.write(AlertDiff(expected: [], actual: alerts).details)
                    continue
                }
                learning = "; learning run: no alert against its profiles"
            }
            let expectedPath = path + "/expected.jsonl"
            if update {
                let old = isFile(expectedPath) ? try readLines(expectedPath) : nil
                if old == actual {
                    out.write("unchanged \(name): \(actual.count) alerts\(learning)\n")
                } else {
                    try writeLines(actual, to: expectedPath)
                    out.write(
                        "updated \(name): \(actual.count) alerts (was \(old.map { String($0.count) } ?? "none"))\(learning)\n"
                    )
                }
                continue
            }
            let diff = AlertDiff(expected: try readLines(expectedPath), actual: actual)
            if diff.isEmpty {
                out.write("ok \(name): \(actual.count) alerts\(learning)\n")
            } else {
                differing.append(name)
                out.write("FAIL \(name): \(diff.headline)\n")
                out.write(diff.details)
            }
        }
        if update {
            if !differing.isEmpty {
                out.write(
                    "\(scenarios.count) scenarios, \(differing.count) with a noisy learning run: \(differing.joined(separator: ", "))\n"
                )
                return ExitCode.failure
            }
            out.write("\(scenarios.count) scenarios updated\n")
            return status
        }
        if differing.isEmpty {
            out.write("\(scenarios.count) scenarios, all match\n")
            return status
        }
        out.write(
            "\(scenarios.count) scenarios, \(differing.count) differ: \(differing.joined(separator: ", "))\n"
                + "(after a deliberate change: loupe corpus verify \(directory) --update)\n")
        return ExitCode.failure
    }

    /// The alerts of one replay of a scenario's capture as JSON lines, and the read status
    /// (damage is 65); with the scenario's profiles/ when it has one.
    static func replay(capture: String, scenario path: String, corpus: String) throws -> ([String], Int32) {
        let reader = try withCaptureErrors { try CaptureReader(path: capture) }
        let header = try withCaptureErrors { try reader.firstHeader() }
        var lookahead: RegistrationLookahead?
        // As `loupe replay`: a capture recorded with live rules is replayed without lookahead.
        if !header.host.captureOptions.contains(where: { $0.key == "live_rules" }) {
            var ahead = RegistrationLookahead()
            _ = try withCaptureErrors {
                try reader.forEach(ReadOptions(kinds: [.containerStarted, .containerSnapshot])) { record, _ in
                    ahead.note(record)
                }
            }
            lookahead = ahead
        }
        let engine: Engine
        let profiles = isDirectory(path + "/profiles") ? path + "/profiles" : nil
        if let config = [path + "/loupe.yaml", corpus + "/loupe.yaml"].first(where: isFile) {
            engine = try EngineFactory.make(
                rules: nil, bindings: nil, profiles: profiles, config: config, host: header.host, lookahead: lookahead)
        } else {
            do {
                var inputs = EngineInputs(rules: try DefaultRules.load(), host: header.host, lookahead: lookahead)
                inputs.config = try LoupeConfig.parse(text: defaultConfig, file: "<built-in corpus config>")
                if let profiles { inputs.profiles = try ProfilesLoader.load(path: profiles) }
                engine = try Engine(inputs)
            } catch {
                throw CommandFailure(error.description, exitCode: ExitCode.dataError)
            }
        }
        var lines: [String] = []
        var json = JSONWriter()
        let report = try withCaptureErrors {
            try reader.forEach(ReadOptions()) { record, _ in
                for alert in engine.apply(record) {
                    json.reset()
                    alert.write(into: &json)
                    lines.append(json.string)
                }
            }
        }
        return (lines, reportProblems(report))
    }

    static func readLines(_ path: String) throws -> [String] {
        do {
            return try InputFiles.readText(path).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        } catch {
            throw CommandFailure(error.description, exitCode: ExitCode.dataError)
        }
    }

    static func writeLines(_ lines: [String], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CommandFailure(
                "cannot create \(path): \(String(cString: strerror(errno)))", exitCode: ExitCode.cantCreate)
        }
        defer { close(descriptor) }
        writeAll(Array(lines.map { $0 + "\n" }.joined().utf8), to: descriptor)
    }

    static func subdirectories(_ path: String) throws -> [String] {
        guard let handle = opendir(path) else {
            throw CommandFailure(
                "cannot read \(path): \(String(cString: strerror(errno)))", exitCode: ExitCode.noInput)
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") && isDirectory(path + "/" + name) { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    static func isDirectory(_ path: String) -> Bool { mode(path) == S_IFDIR }
    static func isFile(_ path: String) -> Bool { mode(path) == S_IFREG }

    private static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }
}

/// Expected against actual alerts, as multisets of JSON lines: identical lines cancel out; the
/// rest pair up by rule, context, process and message ("changed") or stay unpaired
/// ("disappeared", "appeared").
struct AlertDiff {
    var disappeared: [AlertSummary] = []
    var appeared: [AlertSummary] = []
    var changed: [(before: AlertSummary, after: AlertSummary)] = []

    init(expected: [String], actual: [String]) {
        var unmatched: [String: Int] = [:]
        for line in actual { unmatched[line, default: 0] += 1 }
        var missing: [String] = []
        for line in expected {
            if let n = unmatched[line], n > 0 {
                unmatched[line] = n - 1
            } else {
                missing.append(line)
            }
        }
        // New alerts in capture order.
        var extra: [AlertSummary] = []
        var remaining = unmatched
        for line in actual {
            guard let n = remaining[line], n > 0 else { continue }
            remaining[line] = n - 1
            extra.append(AlertSummary(line: line))
        }
        for line in missing {
            let before = AlertSummary(line: line)
            if let index = extra.firstIndex(where: { $0.key == before.key }) {
                changed.append((before, extra.remove(at: index)))
            } else {
                disappeared.append(before)
            }
        }
        appeared = extra
    }

    var isEmpty: Bool { disappeared.isEmpty && appeared.isEmpty && changed.isEmpty }

    var headline: String {
        "\(disappeared.count) disappeared, \(appeared.count) appeared, \(changed.count) changed"
    }

    var details: String {
        var text = ""
        for alert in disappeared { text += "  - disappeared: \(alert.text)\n" }
        for alert in appeared { text += "  + appeared:    \(alert.text)\n" }
        for (before, after) in changed {
            text += "  ~ changed:     \(before.text)\n"
            let fields = Set(before.fields.keys).union(after.fields.keys).sorted().filter {
                before.fields[$0] != after.fields[$0]
            }
            for field in fields.prefix(8) {
                text +=
                    "      \(field): \(before.fields[field] ?? "(absent)") -> \(after.fields[field] ?? "(absent)")\n"
            }
            if fields.count > 8 { text += "      ... and \(fields.count - 8) more fields\n" }
        }
        return text
    }
}

/// What a reader needs to recognise an alert line: rule, context, process, message, time;
/// plus every leaf field by path, to name what changed.
struct AlertSummary {
    var rule = "?"
    var context = "?"
    var process = "?"
    var message = ""
    var time = ""
    var fields: [String: String] = [:]

    init(line: String) {
        var parser = MiniJSON(Array(line.utf8))
        guard let value = parser.parse() else {
            message = "unparsable alert line: \(line.prefix(120))"
            return
        }
        value.flatten(prefix: "", into: &fields)
        rule = fields["RuleID"] ?? "?"
        context = fields["SourceContext"] ?? "?"
        message = fields["message"] ?? ""
        time = fields["BaseRuntimeMetadata.timestamp"] ?? ""
        // The deepest node of the process tree is the process the alert is about.
        var node = value["RuntimeProcessDetails"]?["processTree"]
        while case .object(let members)? = node?["childrenMap"], let child = members.first?.1 { node = child }
        if let node, case .string(let comm)? = node["comm"], case .number(let pid)? = node["pid"] {
            process = "\(comm)/\(pid)"
        }
    }

    var key: String { "\(rule)|\(context)|\(process)|\(message)" }
    var text: String { "\(rule) [\(context)] \(process) \"\(message)\" at \(time)" }
}

/// A small JSON reader for alert lines (which Loupe itself writes): enough to name fields.
enum MiniJSONValue {
    case object([(String, MiniJSONValue)])
    case array([MiniJSONValue])
    case string(String)
    case number(String)
    case literal(String)

    subscript(key: String) -> MiniJSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    func flatten(prefix: String, into fields: inout [String: String]) {
        switch self {
        case .object(let members):
            for (key, value) in members {
                value.flatten(prefix: prefix.isEmpty ? key : prefix + "." + key, into: &fields)
            }
        case .array(let items):
            fields[prefix] = "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .string, .number, .literal:
            fields[prefix] = text
        }
    }

    var text: String {
        switch self {
        case .object(let members): "{" + members.map { "\($0.0): \($0.1.text)" }.joined(separator: ", ") + "}"
        case .array(let items): "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .string(let s): s
        case .number(let n), .literal(let n): n
        }
    }
}

struct MiniJSON {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func parse() -> MiniJSONValue? {
        let value = self.value()
        skipSpace()
        return index == bytes.count ? value : nil
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func value() -> MiniJSONValue? {
        skipSpace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(String, MiniJSONValue)] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let item = value() else { return nil }
                members.append((key, item))
                skipSpace()
                guard index < bytes.count else { return nil }
                index += 1
                if bytes[index - 1] == UInt8(ascii: "}") { return .object(members) }
                guard bytes[index - 1] == UInt8(ascii: ",") else { return nil }
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [MiniJSONValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                guard let item = value() else { return nil }
                items.append(item)
                skipSpace()
                guard index < bytes.count else { return nil }
                index += 1
                if bytes[index - 1] == UInt8(ascii: "]") { return .array(items) }
                guard bytes[index - 1] == UInt8(ascii: ",") else { return nil }
            }
        case UInt8(ascii: "\""):
            return string().map { .string($0) }
        default:
            let start = index
            while index < bytes.count, !",}] \t\r\n".utf8.contains(bytes[index]) { index += 1 }
            guard index > start else { return nil }
            let token = String(decoding: bytes[start..<index], as: UTF8.self)
            if token == "true" || token == "false" || token == "null" { return .literal(token) }
            return .number(token)
        }
    }

    private mutating func string() -> String? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            guard index < bytes.count else { return nil }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard index + 4 <= bytes.count,
                    let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
                else { return nil }
                index += 4
                out.append(contentsOf: String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8)
            default: out.append(escaped)
            }
        }
        return nil
    }
}
