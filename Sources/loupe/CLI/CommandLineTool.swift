#if canImport(Glibc)
    import Glibc
#endif

/// Exit codes `loupe` uses, after sysexits(3) where one fits.
enum ExitCode {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 64
    static let dataError: Int32 = 65
    static let noInput: Int32 = 66
    static let software: Int32 = 70
    static let cantCreate: Int32 = 73
    static let ioError: Int32 = 74
}

/// Something went wrong while running a command: printed as `Error: message`, with its exit code.
struct CommandFailure: Error {
    var message: String
    var exitCode: Int32
    init(_ message: String, exitCode: Int32 = ExitCode.failure) {
        self.message = message
        self.exitCode = exitCode
    }
}

/// Resolves the command path in `arguments`, handles help and version, runs the command and
/// turns errors into messages and exit codes.
struct CommandLineTool {
    var version: String
    var commands: [any Command.Type]

    func main(_ arguments: [String]) -> Int32 {
        var rest = arguments
        var path: [any Command.Type] = []
        var candidates = commands
        // Walk down command groups as long as the next word names a subcommand.
        while let word = rest.first, let command = candidates.first(where: { $0.name == word }) {
            path.append(command)
            rest.removeFirst()
            guard let group = command as? any CommandGroup.Type else { break }
            candidates = group.subcommands
        }
        let wantsHelp = rest.prefix(while: { $0 != "--" }).contains { $0 == "-h" || $0 == "--help" }
        guard let command = path.last else {
            if rest.first == "--version" {
                writeAll(Array("loupe \(version)\n".utf8), to: 1)
                return ExitCode.success
            }
            if rest.isEmpty || wantsHelp {
                writeAll(Array(rootHelp.utf8), to: 1)
                return ExitCode.success
            }
            return usageFailure(UsageError("unknown command '\(rest[0])'"), help: rootHelp, commandName: nil)
        }
        let fullName = path.map { $0.name }.joined(separator: " ")
        if wantsHelp {
            writeAll(Array((command.help.hasSuffix("\n") ? command.help : command.help + "\n").utf8), to: 1)
            return ExitCode.success
        }
        if let group = command as? any CommandGroup.Type {
            let message = rest.first.map { "unknown subcommand '\($0)'" } ?? "missing subcommand"
            return usageFailure(UsageError(message), help: group.help, commandName: fullName)
        }
        var cursor = ArgumentCursor(rest)
        do {
            return try command.run(&cursor)
        } catch let error as UsageError {
            return usageFailure(error, help: command.help, commandName: fullName)
        } catch let failure as CommandFailure {
            printError("Error: \(failure.message)")
            return failure.exitCode
        } catch {
            printError("Error: \(error)")
            return ExitCode.failure
        }
    }

    private var rootHelp: String {
        var text = """
            loupe \(version): record-and-replay forensic analyzer for Linux runtime security

            Usage: loupe <command> [options]

            Commands:

            """
        let width = commands.map { $0.name.count }.max() ?? 0
        for command in commands {
            text += "  " + command.name.padding(width) + "  " + command.summary + "\n"
        }
        text += "\nOptions:\n  -h, --help   Show help (also after any command)\n  --version    Show the version\n"
        text += "\nSee 'loupe <command> --help' for details.\n"
        return text
    }

    private func usageFailure(_ error: UsageError, help: String, commandName: String?) -> Int32 {
        let usageLine = help.split(separator: "\n").first { $0.hasPrefix("Usage:") } ?? "Usage: loupe <command>"
        let see = commandName.map { "See 'loupe \($0) --help'." } ?? "See 'loupe --help'."
        printError("Error: \(error.message)\n\(usageLine)\n\(see)")
        return ExitCode.usage
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    writeAll(Array((text + "\n").utf8), to: 2)
}
