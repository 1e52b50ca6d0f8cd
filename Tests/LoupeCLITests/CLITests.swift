import Foundation
import Testing

/// Runs the `loupe` binary built next to the test bundle.
struct Loupe {
    static let path: String = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        // The test binary may live inside an .xctest bundle directory.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("loupe").path),
            directory.path != "/"
        {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("loupe").path
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "loupe-cli-" + UUID().uuidString
    return path
}

@Suite struct CommandLineTests {
    @Test func helpAndVersion() throws {
        let help = try Loupe.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Usage: loupe <command>"))
        for command in ["inspect", "cat", "synth", "bench"] { #expect(help.stdout.contains("  \(command)")) }
        #expect(try Loupe.run([]).stdout == help.stdout)
        let version = try Loupe.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("loupe "))
    }

    @Test(arguments: ["inspect", "cat", "synth", "bench", "bench format"])
    func everyCommandHasHelp(command: String) throws {
        for flag in ["-h", "--help"] {
            let result = try Loupe.run(command.split(separator: " ").map(String.init) + [flag])
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix("Usage: loupe \(command)"), "\(command) \(flag)")
            #expect(result.stderr.isEmpty)
        }
    }

    @Test(arguments: [
        (["frobnicate"], "unknown command 'frobnicate'", "See 'loupe --help'."),
        (["cat"], "missing CAPTURE argument", "See 'loupe cat --help'."),
        (["cat", "x", "--kind", "nonsense"], "unknown record kind 'nonsense'", "See 'loupe cat --help'."),
        (["cat", "x", "--bogus"], "unknown option '--bogus'", "See 'loupe cat --help'."),
        (["synth", "--events", "10"], "missing -o DIR", "See 'loupe synth --help'."),
        (["synth", "-o", "/tmp/x", "--events", "ten"], "--events expects an integer", "See 'loupe synth --help'."),
        (["synth", "-o", "/tmp/x", "--events"], "missing value for '--events'", "See 'loupe synth --help'."),
        (
            ["capture", "-o", "/tmp/x", "--api-server", "kube"],
            "--api-server expects an IPv4 or IPv6 address, got 'kube'",
            "See 'loupe capture --help'."
        ),
        (["bench"], "missing subcommand", "See 'loupe bench --help'."),
        (["bench", "nope"], "unknown subcommand 'nope'", "See 'loupe bench --help'."),
    ])
    func usageErrorsExit64(arguments: [String], message: String, hint: String) throws {
        let result = try Loupe.run(arguments)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("Error: \(message)"), "\(result.stderr)")
        #expect(result.stderr.contains("Usage: loupe"))
        #expect(result.stderr.hasSuffix(hint + "\n"))
    }

    @Test func missingCaptureIsNoInput() throws {
        let result = try Loupe.run(["inspect", "/nonexistent/capture"])
        #expect(result.status == 66)
        #expect(result.stderr.contains("/nonexistent/capture"))
    }

    @Test func synthInspectCatRoundTrip() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let synth = try Loupe.run(["synth", "-o", directory, "--events", "3000", "--seed", "11"])
        #expect(synth.status == 0, "\(synth.stderr)")

        let inspect = try Loupe.run(["inspect", directory, "--json"])
        #expect(inspect.status == 0)
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        #expect(summary["records"] as? Int == 3000)
        #expect(summary["formatVersion"] as? String == "1.1")
        let containers = try #require(summary["containers"] as? [[String: Any]])
        let contexts = Set(containers.compactMap { ($0["container"] as? [String: Any])?["context"] as? String })
        #expect(contexts == ["kubernetes", "docker"])
        #expect((summary["damage"] as? [Any])?.isEmpty == true)

        let text = try Loupe.run(["inspect", directory])
        #expect(text.stdout.contains("Records:      3000"))
        #expect(text.stdout.contains("Damage:       none"))

        let cat = try Loupe.run(["cat", directory, "--kind", "exec,dns"])
        #expect(cat.status == 0)
        let lines = cat.stdout.split(separator: "\n")
        #expect(!lines.isEmpty)
        var kinds: Set<String> = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            kinds.insert(object["kind"] as? String ?? "?")
            #expect((object["time"] as? String)?.hasSuffix("Z") == true)
        }
        #expect(kinds == ["exec", "dns"])

        let all = try Loupe.run(["cat", directory])
        let allLines = all.stdout.split(separator: "\n")
        // Every record plus the opening snapshot.
        #expect(allLines.count > 3000)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(allLines[0].utf8)) as? [String: Any])
        #expect(first["kind"] as? String == "container_snapshot")

        // --since/--until as offsets from the start select a strict subset, in order.
        let window = try Loupe.run(["cat", directory, "--since", "+10ms", "--until", "+20ms", "--snapshots", "none"])
        let stamps = window.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["timestamp"] as? Int
        }
        #expect(!stamps.isEmpty && stamps.count < 3000)
        #expect(stamps == stamps.sorted())
    }

    @Test func synthIsDeterministicAndRefusesToOverwrite() throws {
        let first = temporaryDirectory()
        let second = temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: first)
            try? FileManager.default.removeItem(atPath: second)
        }
        #expect(try Loupe.run(["synth", "-o", first, "--events", "2000", "--seed", "3"]).status == 0)
        #expect(try Loupe.run(["synth", "-o", second, "--events", "2000", "--seed", "3"]).status == 0)
        let a = try Data(contentsOf: URL(fileURLWithPath: first + "/seg-00000001.loupe"))
        let b = try Data(contentsOf: URL(fileURLWithPath: second + "/seg-00000001.loupe"))
        #expect(a == b)
        let again = try Loupe.run(["synth", "-o", first, "--events", "10"])
        #expect(again.status == 73)
        #expect(again.stderr.contains("already holds capture segments"))
    }

    @Test func damageIsReportedWithExitCode65() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try Loupe.run(["synth", "-o", directory, "--events", "5000", "--block-size", "8K"]).status == 0)
        let path = directory + "/seg-00000001.loupe"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes = bytes.prefix(bytes.count * 2 / 3)
        try bytes.write(to: URL(fileURLWithPath: path))
        let inspect = try Loupe.run(["inspect", directory])
        #expect(inspect.status == 65)
        #expect(inspect.stdout.contains("truncated"))
        let cat = try Loupe.run(["cat", directory])
        #expect(cat.status == 65)
        #expect(cat.stderr.contains("seg-00000001.loupe"))
        #expect(!cat.stdout.isEmpty)
    }

    @Test func celCheckKnowsTheRuleEnvironment() throws {
        let valid = try Loupe.run(["cel", "check", "--rule", "event.comm == 'nc' && net.is_private_ip(event.dstAddr)"])
        #expect(valid.status == 0, "\(valid.stderr)")
        #expect(valid.stdout == "OK: bool\n")
        let typo = try Loupe.run(["cel", "check", "--rule", "event.comn == 'nc'"])
        #expect(typo.status == 65)
        #expect(typo.stderr.contains("undefined field 'comn'"))
        // Without --rule, `event` is just an undeclared name.
        #expect(try Loupe.run(["cel", "check", "event.comm == 'nc'"]).status == 65)
    }
}
