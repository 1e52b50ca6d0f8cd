extension DefaultRules {
    /// The name errors and alert sources give the built-in rules; line numbers are those of
    /// rules/default-rules.yaml.
    public static let fileName = "builtin:default-rules.yaml"

    /// The built-in rules, parsed and validated (not yet compiled: `Engine` compiles them).
    ///
    /// - Throws: `InputError` when the embedded YAML is invalid; the test suite makes sure it never is.
    public static func load() throws(InputError) -> [RuleSpec] {
        try RulesLoader.parse(text: yaml, file: fileName)
    }
}
