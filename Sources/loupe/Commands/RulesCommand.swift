import LoupeEngine
import LoupeModel

#if canImport(Glibc)
    import Glibc
#endif

/// `loupe rules`: the built-in default rule set and rule-level tests.
enum RulesCommand: CommandGroup {
    static let name = "rules"
    static let summary = "List, export and test rules (the built-in default set unless --rules is given)"
    static var subcommands: [any Command.Type] {
        [RulesListCommand.self, RulesExportCommand.self, RulesTestCommand.self]
    }

    /// The rules at `path`, or the built-in set; input errors exit 65 with file, line and column.
    static func load(_ path: String?) throws -> [RuleSpec] {
        do {
            if let path { return try RulesLoader.load(path: path) }
            return try DefaultRules.load()
        } catch {
            throw CommandFailure(error.description, exitCode: ExitCode.dataError)
        }
    }

    static func dependencyName(_ d: ProfileDependency) -> String {
        switch d {
        case .required: "required"
        case .optional: "optional"
        case .notRequired: "none"
        }
    }

    /// The contexts a rule runs in, from its `context:` tags (all three without tags).
    static func contexts(_ rule: RuleSpec) -> [String] {
        var out: Set<String> = []
        let tags = rule.contextTags
        if tags.isEmpty { return ["kubernetes", "host", "docker"] }
        for tag in tags {
            switch tag {
            case "kubernetes": out.insert("kubernetes")
            case "host": out.insert("host")
            case "standalone", "docker": out.insert("docker")
            case "container": out.formUnion(["kubernetes", "docker"])
            default: break
            }
        }
        // Profile-required rules only ever run in pods with a profile.
        if rule.profileDependency == .required { out = out.intersection(["kubernetes"]) }
        return ["kubernetes", "host", "docker"].filter(out.contains)
    }
}

/// `loupe rules list`.
enum RulesListCommand: Command {
    static let name = "list"
    static let summary = "List the rules: id, name, event types, severity, profile dependency, contexts"
    static let help = """
        Usage: loupe rules list [--rules PATH] [--json]

        Lists the built-in default rule set (or the rules at PATH): id, severity, profile
        dependency (required: runs only in Kubernetes pods with a learned profile; optional: uses
        the profile when there is one; none), whether the rule is enabled, the contexts it runs in
        (from its context: tags) and its event types and name.

        Options:
          --rules PATH   Rules (kind: Rules) file or directory instead of the built-in set
          --json         One JSON array of objects
          -h, --help     Show this help
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let path = try arguments.option("rules")
        let asJSON = arguments.flag("json")
        try arguments.finish()
        let rules = try RulesCommand.load(path)
        var out = StandardOutput()
        if asJSON {
            var json = JSONWriter()
            json.beginArray()
            for rule in rules {
                json.beginObject()
                json.field("id", rule.id)
                json.field("name", rule.name)
                json.field("eventTypes", strings: rule.eventTypes.map(\.name))
                json.field("severity", rule.severity)
                json.field("profileDependency", rule.profileDependency.rawValue)
                json.field("profileDependencyName", RulesCommand.dependencyName(rule.profileDependency))
                json.field("contexts", strings: RulesCommand.contexts(rule))
                json.field("enabled", rule.enabled)
                json.field("mitreTactic", rule.mitreTactic)
                json.field("mitreTechnique", rule.mitreTechnique)
                json.field("tags", strings: rule.tags)
                json.endObject()
            }
            json.endArray()
            out.write(json.bytes)
            out.write("\n")
            return ExitCode.success
        }
        var rows = [["ID", "SEV", "PROFILE", "ENABLED", "CONTEXTS", "EVENTS", "NAME"]]
        for rule in rules {
            rows.append([
                rule.id, String(rule.severity), RulesCommand.dependencyName(rule.profileDependency),
                rule.enabled ? "yes" : "no", RulesCommand.contexts(rule).joined(separator: ","),
                rule.eventTypes.map(\.name).joined(separator: ","), rule.name,
            ])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            var line = ""
            for (i, cell) in row.enumerated() {
                line += i == row.count - 1 ? cell : cell.padding(widths[i]) + "  "
            }
            out.write(line + "\n")
        }
        return ExitCode.success
    }
}

/// `loupe rules export`.
enum RulesExportCommand: Command {
    static let name = "export"
    static let summary = "Write the built-in default rule set as a Rules YAML file"
    static let help = """
        Usage: loupe rules export [-o FILE]

        Writes the built-in default rule set, exactly as Loupe uses it, as a kind: Rules YAML
        document: a starting point for your own rules (pass them back with --rules).

        Options:
          -o, --output FILE   Write to FILE (created 0644, replaced if it exists) instead of
                              standard output
          -h, --help          Show this help
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let output = try arguments.option("output", short: "o")
        try arguments.finish()
        let bytes = Array((DefaultRules.yaml + "\n").utf8)
        guard let output else {
            writeAll(bytes, to: 1)
            return ExitCode.success
        }
        let descriptor = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CommandFailure(
                "cannot create \(output): \(String(cString: strerror(errno)))", exitCode: ExitCode.cantCreate)
        }
        defer { close(descriptor) }
        writeAll(bytes, to: descriptor)
        return ExitCode.success
    }
}

/// `loupe rules test`.
enum RulesTestCommand: Command {
    static let name = "test"
    static let summary = "Run rule-level test cases (an event in, an alert or none expected)"
    static let help = """
        Usage: loupe rules test FILE [--rules PATH] [--verbose]

        Runs the test cases of FILE (a kind: RuleTests file or a directory of them) against the
        built-in default rule set, or the rules at PATH. Each case names a rule, a context
        (kubernetes, host or docker), one event and optionally the pod's learned profile, and
        expects an alert or none (optionally an exact message). No capture is needed: each case
        runs on a fresh engine over a synthetic node, through the same path replay uses, with the
        case's rule enabled and every context switched on. See docs/rules.md for the format.

        Options:
          --rules PATH   Rules (kind: Rules) file or directory instead of the built-in set
          --verbose      Also print passing cases and why each rule alerted or stayed silent

        A case with `pending: REASON` documents a detection that cannot work yet; its outcome is
        printed but never fails the run.
          -h, --help     Show this help

        Exit codes: 0 all cases pass, 1 a case fails, 64 usage, 65 invalid rules or cases.
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let file = try arguments.positional("FILE argument")
        let rulesPath = try arguments.option("rules")
        let verbose = arguments.flag("verbose")
        try arguments.finish()
        let rules = try RulesCommand.load(rulesPath)
        let results: [RuleTestResult]
        do {
            results = try RuleTests.run(try RuleTests.load(path: file), rules: rules)
        } catch {
            throw CommandFailure(error.description, exitCode: ExitCode.dataError)
        }
        var out = StandardOutput()
        var failed = 0
        var pending = 0
        for result in results {
            let c = result.testCase
            let status: String
            if let reason = c.pending {
                pending += 1
                status = "PENDING (\(reason))"
            } else if result.passed {
                status = "PASS"
            } else {
                failed += 1
                status = "FAIL"
            }
            guard verbose || status != "PASS" else { continue }
            out.write("\(status) \(c.ruleID) \(c.name) (\(c.location)): \(result.detail)\n")
        }
        let covered = Set(results.map(\.testCase.ruleID))
        let untested = rules.map(\.id).filter { !covered.contains($0) }
        let passed = results.count - failed - pending
        out.write("\(passed) passed, \(failed) failed, \(pending) pending, \(results.count) cases\n")
        if !untested.isEmpty { out.write("rules without cases: \(untested.joined(separator: ", "))\n") }
        return failed == 0 ? ExitCode.success : ExitCode.failure
    }
}
