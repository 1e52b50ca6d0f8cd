/// A usage mistake on the command line: printed as `Error: ...` with the command's usage, exit 64.
struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// The arguments of one command, consumed as the command asks for them.
///
/// Options may appear anywhere among positionals, as `--name value` or `--name=value`; short
/// flags may be clustered (`-abc`); everything after `--` is positional. A command asks for what
/// it understands and then calls `finish()`, which rejects whatever is left.
struct ArgumentCursor {
    private enum Kind { case option, positional }
    private struct Token {
        var text: String
        var kind: Kind
        var consumed = false
    }
    private var tokens: [Token] = []

    init(_ arguments: [String]) {
        var afterTerminator = false
        for argument in arguments {
            if afterTerminator {
                tokens.append(Token(text: argument, kind: .positional))
            } else if argument == "--" {
                afterTerminator = true
            } else if argument.hasPrefix("--") {
                tokens.append(Token(text: argument, kind: .option))
            } else if argument.hasPrefix("-"), argument.count > 1, Double(argument) == nil {
                // Clustered short flags: `-hv` is `-h -v`.
                tokens.append(contentsOf: argument.dropFirst().map { Token(text: "-\($0)", kind: .option) })
            } else {
                tokens.append(Token(text: argument, kind: .positional))
            }
        }
    }

    /// Whether `--long` (or its `-short` form) was given; consumes every occurrence.
    mutating func flag(_ long: String, short: Character? = nil) -> Bool {
        var found = false
        for index in tokens.indices where !tokens[index].consumed && tokens[index].kind == .option {
            let text = tokens[index].text
            if text == "--\(long)" || short.map({ text == "-\($0)" }) == true {
                tokens[index].consumed = true
                found = true
            }
        }
        return found
    }

    /// The value of `--long value` or `--long=value` (or `-s value`); the last occurrence wins.
    mutating func option(_ long: String, short: Character? = nil) throws -> String? {
        try optionValues(long, short: short).last
    }

    /// Every value given for a repeatable option, in order.
    mutating func optionValues(_ long: String, short: Character? = nil) throws -> [String] {
        var values: [String] = []
        let bare = "--\(long)"
        let prefix = bare + "="
        let shortForm = short.map { "-\($0)" }
        for index in tokens.indices where !tokens[index].consumed && tokens[index].kind == .option {
            let text = tokens[index].text
            if text.hasPrefix(prefix) {
                tokens[index].consumed = true
                values.append(String(text.dropFirst(prefix.count)))
            } else if text == bare || text == shortForm {
                tokens[index].consumed = true
                let next = index + 1
                guard next < tokens.count, tokens[next].kind == .positional, !tokens[next].consumed else {
                    throw UsageError("missing value for '\(bare)'")
                }
                tokens[next].consumed = true
                values.append(tokens[next].text)
            }
        }
        return values
    }

    /// A required positional argument, described as `what` in the error when missing.
    mutating func positional(_ what: String) throws -> String {
        guard let value = optionalPositional() else {
            throw UsageError("missing \(what)")
        }
        return value
    }

    /// The next positional argument, if any.
    mutating func optionalPositional() -> String? {
        guard let index = tokens.firstIndex(where: { !$0.consumed && $0.kind == .positional }) else {
            return nil
        }
        tokens[index].consumed = true
        return tokens[index].text
    }

    /// All positional arguments not yet consumed.
    mutating func remainingPositionals() -> [String] {
        var values: [String] = []
        while let value = optionalPositional() { values.append(value) }
        return values
    }

    /// Rejects anything the command did not ask for.
    func finish() throws {
        if let token = tokens.first(where: { !$0.consumed }) {
            switch token.kind {
            case .option: throw UsageError("unknown option '\(token.text)'")
            case .positional: throw UsageError("unexpected argument '\(token.text)'")
            }
        }
    }
}
