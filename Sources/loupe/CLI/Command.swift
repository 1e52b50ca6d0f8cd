/// One `loupe` subcommand: its name, help text and body.
///
/// Commands parse their own arguments from an `ArgumentCursor`; `-h/--help` is handled before
/// `run` is called, so a command never sees it.
protocol Command {
    /// The word that selects the command (`inspect`, `cat`, ...).
    static var name: String { get }
    /// One line for the command list of `loupe --help`.
    static var summary: String { get }
    /// The full help text, starting with a `Usage:` line.
    static var help: String { get }
    /// Runs the command; returns the process exit code.
    static func run(_ arguments: inout ArgumentCursor) throws -> Int32
}

/// A command made of subcommands (`loupe cel eval`, `loupe cel check`).
protocol CommandGroup: Command {
    static var subcommands: [any Command.Type] { get }
}

extension CommandGroup {
    static var help: String {
        var text = "Usage: loupe \(name) <subcommand> [options]\n\n\(summary)\n\nSubcommands:\n"
        let width = subcommands.map { $0.name.count }.max() ?? 0
        for command in subcommands {
            text += "  " + command.name.padding(width) + "  " + command.summary + "\n"
        }
        text += "\nSee 'loupe \(name) <subcommand> --help' for details.\n"
        return text
    }

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        // Groups are dispatched by `CommandLineTool`; reaching here means no subcommand.
        throw UsageError("missing subcommand")
    }
}

extension String {
    /// The string padded with spaces to at least `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
