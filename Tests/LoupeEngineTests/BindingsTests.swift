import LoupeEngine
import Testing

@Suite struct BindingsTests {
    @Test func loadsBindingFixture() throws {
        let bindings = try BindingsLoader.load(path: fixtures + "/bindings.yaml")
        #expect(bindings.count == 1)
        let b = bindings[0]
        #expect(b.name == "all-rules-all-pods")
        #expect(
            b.rules.map(\.reference) == [
                .name("Unexpected process launched"), .id("R1005"), .tags(["exec", "malware"]),
            ])
        #expect(b.rules[1].severity == 10)
        #expect(b.rules[2].parameters["ports"] == .list([.int(22), .int(2222)]))
        #expect(b.applies(namespaceLabels: ["kubernetes.io/metadata.name": "default"], podLabels: ["app": "web"]))
        #expect(!b.applies(namespaceLabels: ["kubernetes.io/metadata.name": "kube-system"], podLabels: ["app": "web"]))
        #expect(!b.applies(namespaceLabels: [:], podLabels: ["app": "db"]))
    }

    typealias R = LabelSelector.Requirement

    @Test(arguments: [
        (LabelSelector(), [String: String](), true),
        (LabelSelector(matchLabels: ["a": "1"]), ["a": "1", "b": "2"], true),
        (LabelSelector(matchLabels: ["a": "1"]), ["a": "2"], false),
        (LabelSelector(matchLabels: ["a": "1"]), [:], false),
        (LabelSelector(matchExpressions: [R(key: "a", op: .in, values: ["1", "2"])]), ["a": "2"], true),
        (LabelSelector(matchExpressions: [R(key: "a", op: .in, values: ["1"])]), [:], false),
        (LabelSelector(matchExpressions: [R(key: "a", op: .notIn, values: ["1"])]), [:], true),
        (LabelSelector(matchExpressions: [R(key: "a", op: .notIn, values: ["1"])]), ["a": "1"], false),
        (LabelSelector(matchExpressions: [R(key: "a", op: .notIn, values: ["1"])]), ["a": "3"], true),
        (LabelSelector(matchExpressions: [R(key: "a", op: .exists)]), ["a": ""], true),
        (LabelSelector(matchExpressions: [R(key: "a", op: .exists)]), ["b": "1"], false),
        (LabelSelector(matchExpressions: [R(key: "a", op: .doesNotExist)]), ["b": "1"], true),
        (LabelSelector(matchExpressions: [R(key: "a", op: .doesNotExist)]), ["a": "1"], false),
        (
            LabelSelector(matchLabels: ["x": "y"], matchExpressions: [R(key: "a", op: .exists)]), ["a": "1"],
            false
        ),
    ])
    func labelSelectorSemantics(selector: LabelSelector, labels: [String: String], expected: Bool) {
        #expect(selector.matches(labels: labels) == expected)
    }

    static let head = "apiVersion: kubescape.io/v1\nkind: RuntimeRuleAlertBinding\nspec:\n"

    @Test(arguments: [
        (
            head + "  rules:\n    - ruleName: a\n      ruleID: R1\n",
            "b.yaml:5:7: error: expected exactly one of ruleName, ruleID or ruleTags in spec.rules[0], found 2"
        ),
        (
            head + "  rules:\n    - parameters: {}\n",
            "b.yaml:5:7: error: expected exactly one of ruleName, ruleID or ruleTags in spec.rules[0], found 0"
        ),
        (
            head + "  podSelector:\n    matchExpressions:\n      - key: a\n        operator: in\n        values: [x]\n",
            "b.yaml:7:19: error: expected In, NotIn, Exists or DoesNotExist for spec.podSelector.matchExpressions[0].operator, found \"in\""
        ),
        (
            head + "  podSelector:\n    matchExpressions:\n      - key: a\n        operator: In\n",
            "b.yaml:6:9: error: expected non-empty values for operator In in spec.podSelector.matchExpressions[0]"
        ),
        (
            head
                + "  podSelector:\n    matchExpressions:\n      - key: a\n        operator: Exists\n        values: [x]\n",
            "b.yaml:8:17: error: expected no values for operator Exists in spec.podSelector.matchExpressions[0], found 1"
        ),
        (
            head + "  podSelector:\n    matchLabels:\n      app: 5\n",
            "b.yaml:6:12: error: expected a string for spec.podSelector.matchLabels.app, found integer 5"
        ),
        (
            head + "  rules:\n    - ruleID: R1\n      parameters:\n        ports: [22, 70000]\n",
            "b.yaml:7:21: error: expected a port 0-65535 for spec.rules[0].parameters.ports[1], found integer 70000"
        ),
        (
            head + "  rules:\n    - ruleID: R1\n      parameters:\n        ignorePrefixes: /tmp\n",
            "b.yaml:7:25: error: expected a sequence for spec.rules[0].parameters.ignorePrefixes, found string \"/tmp\""
        ),
        (
            head + "  rules:\n    - ruleID: R1\n      severity: urgent\n",
            "b.yaml:6:17: error: expected an integer or none, low, medium, high, critical for spec.rules[0].severity, found string \"urgent\""
        ),
    ])
    func refusesInvalidBindings(text: String, message: String) {
        #expect(inputError { _ = try BindingsLoader.parse(text: text, file: "b.yaml") } == message)
    }
}

@Suite struct GlobTests {
    @Test(arguments: [
        ("k8s_*", "k8s_POD_nginx", true),
        ("k8s_*", "web", false),
        ("pause:*", "pause:3.9", true),
        ("/var/log/*", "/var/log/a/b.log", true),
        ("*", "", true),
        ("a?c", "abc", true),
        ("a?c", "ac", false),
        ("[abc]x", "bx", true),
        ("[a-c]x", "dx", false),
        ("[!a-c]x", "dx", true),
        ("[^a-c]x", "ax", false),
        ("[]]", "]", true),
        ("\\*", "*", true),
        ("\\*", "a", false),
        ("*.log", "x.log.1", false),
        ("*a*b*c", "xxaxxbxxc", true),
        ("*a*b*c", "xxaxxbxx", false),
        ("containerd*", "containerd-shim", true),
    ])
    func matching(pattern: String, text: String, expected: Bool) throws {
        #expect(try GlobPattern(pattern).matches(text) == expected)
    }

    @Test(arguments: [("[abc", "unterminated ["), ("a\\", "trailing backslash"), ("[z-a]", "bad range z-a")])
    func invalidPatterns(pattern: String, message: String) {
        #expect(throws: GlobError(pattern: pattern, message: message)) { try GlobPattern(pattern) }
    }
}
