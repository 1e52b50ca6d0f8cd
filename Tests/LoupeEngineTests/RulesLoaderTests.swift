import LoupeEngine
import LoupeModel
import Testing

@Suite struct RulesLoaderTests {
    @Test func loadsDirectorySortedWithJSONAndMultipleDocuments() throws {
        let rules = try RulesLoader.load(path: fixtures + "/rules-dir")
        #expect(rules.map(\.id) == ["R1000", "R1011", "R1002"])
        let r1000 = rules[0]
        #expect(r1000.name == "Process executed from /dev/shm")
        #expect(r1000.enabled && r1000.severity == 8 && r1000.profileDependency == .notRequired)
        #expect(r1000.tags == ["exec", "context:host"] && r1000.contextTags == ["host"])
        #expect(r1000.mitreTactic == "TA0002" && r1000.isTriggerAlert && !r1000.supportPolicy)
        #expect(r1000.expressions.map(\.eventType) == [.exec])
        #expect(r1000.location.description.hasSuffix("rules-dir/10-exec.yaml:7:7"))
        let r1011 = rules[1]
        #expect(r1011.eventTypes == [.exec, .open])
        #expect(r1011.expressions(for: .open).count == 1)
        #expect(r1011.enabled, "enabled defaults to true")
        #expect(r1011.state.keys == ["ignoreMounts", "limit", "names"])
        #expect(r1011.state["names"] == .list([.string("a"), .string("b")]))
        let r1002 = rules[2]
        #expect(!r1002.enabled && r1002.severity == 10 && r1002.documentName == "json")
        #expect(r1002.state["enabled"] == .string("true"), "a quoted true stays a string")
    }

    @Test func expressionPositionsMapToTheFile() throws {
        let rules = try RulesLoader.load(path: fixtures + "/rules-dir/10-exec.yaml")
        // Folded block: text line 1 holds both source lines joined by a space.
        let folded = rules[0].expressions[0].expression
        #expect(folded.style == .folded)
        #expect(folded.location.line == 16)
        let second =
            folded.text.utf8.count - "(event.cwd == '/dev/shm' && !event.exepath.startsWith('/'))\n".utf8.count + 1
        #expect(folded.fileLocation(line: 1, column: second).line == 18)
        #expect(folded.fileLocation(line: 1, column: second).column == 15)
        #expect(
            folded.fileLocation(line: 1, column: 1) == SourceLocation(file: folded.location.file, line: 17, column: 15))
        // Literal block: lines map one to one.
        let literal = rules[1].expressions[0].expression
        #expect(literal.fileLocation(line: 2, column: 1).line == 45)
        #expect(literal.fileLocation(line: 2, column: 1).column == 15)
        // Double-quoted single line: past the quote.
        let message = rules[0].message
        #expect(
            message.fileLocation(line: 1, column: 1)
                == SourceLocation(file: message.location.file, line: 12, column: 19))
        // Plain single line.
        let plain = rules[1].uniqueId
        #expect(
            plain.fileLocation(line: 1, column: 7) == SourceLocation(file: plain.location.file, line: 40, column: 25))
    }

    static let header = "apiVersion: kubescape.io/v1\nkind: Rules\nspec:\n  rules:\n"
    static let valid = """
          - id: R1
            name: one
            expressions:
              message: "'m'"
              uniqueId: "'u'"
              ruleExpression:
                - eventType: exec
                  expression: "true"

        """

    @Test(arguments: [
        (
            "apiVersion: kubescape.io/v1\nkind: RuntimeRuleAlertBinding\n",
            "r.yaml:2:7: error: expected kind \"Rules\", found \"RuntimeRuleAlertBinding\""
        ),
        ("apiVersion: v2\nkind: Rules\n", "r.yaml:1:13: error: expected apiVersion \"kubescape.io/v1\", found \"v2\""),
        ("kind: Rules\n", "r.yaml:1:1: error: missing required key \"apiVersion\" in the document"),
        (header + "    - name: x\n", "r.yaml:5:7: error: missing required key \"id\" in spec.rules[0]"),
        (
            header + valid.replacingFirst("eventType: exec", with: "eventType: exe"),
            "r.yaml:11:22: error: expected an event type (exec, exit, fork, open, network, dns, http, ssh, syscall, capabilities, symlink, hardlink, ptrace, kmod, unshare, iouring, randomx, bpf, procfs) for spec.rules[0] (rule R1).expressions.ruleExpression[0].eventType, found \"exe\""
        ),
        (
            header + valid.replacingFirst("name: one", with: "name: one\n    enabled: yes"),
            "r.yaml:7:14: error: expected a boolean (true or false) for spec.rules[0] (rule R1).enabled, found string \"yes\""
        ),
        (
            header + valid.replacingFirst("name: one", with: "name: one\n    severity: high"),
            "r.yaml:7:15: error: expected an integer for spec.rules[0] (rule R1).severity, found string \"high\""
        ),
        (
            header + valid.replacingFirst("name: one", with: "name: one\n    profileDependency: 3"),
            "r.yaml:7:24: error: expected 0 (required), 1 (optional) or 2 (not required) for spec.rules[0] (rule R1).profileDependency, found integer 3"
        ),
        (
            header + valid.replacingFirst("uniqueId: \"'u'\"", with: "uniqueId: 5"),
            "r.yaml:9:17: error: expected a string for spec.rules[0] (rule R1).expressions.uniqueId, found integer 5"
        ),
        (
            header
                + valid.replacingFirst(
                    "        - eventType: exec\n          expression: \"true\"\n", with: "        []\n"),
            "r.yaml:11:9: error: expected at least one item in spec.rules[0] (rule R1).expressions.ruleExpression, found an empty sequence"
        ),
        (
            header + valid + valid,
            "r.yaml:13:5: error: duplicate rule id \"R1\" (first defined at r.yaml:5:5)"
        ),
        (
            header + valid.replacingFirst("name: one", with: "name: one\n    tags: exec"),
            "r.yaml:7:11: error: expected a sequence for spec.rules[0] (rule R1).tags, found string \"exec\""
        ),
        (
            header + valid.replacingFirst("name: one", with: "name: one\n    state: [1]"),
            "r.yaml:7:12: error: expected a mapping for spec.rules[0] (rule R1).state, found a sequence"
        ),
    ])
    func refusesInvalidRules(text: String, message: String) {
        #expect(inputError { _ = try RulesLoader.parse(text: text, file: "r.yaml") } == message)
    }

    @Test func missingPathIsReported() {
        #expect(
            inputError { _ = try RulesLoader.load(path: fixtures + "/nope") }
                == fixtures + "/nope: error: cannot read: No such file or directory")
    }

    @Test func stateConvertsToCELValues() throws {
        let rules = try RulesLoader.load(path: fixtures + "/rules-dir/10-exec.yaml")
        guard case .map(let m) = InputValue.map(rules[1].state).celValue else {
            Issue.record("state is not a CEL map")
            return
        }
        #expect(m.count == 3)
        if case .int(let limit)? = m[string: "limit"] { #expect(limit == 3) } else { Issue.record("limit") }
    }
}

extension String {
    /// This string with the first occurrence of `target` replaced.
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
