import LoupeCEL
import LoupeEngine

/// `loupe cel`: evaluate and check CEL expressions, and run conformance files.
enum CELCommand: CommandGroup {
    static let name = "cel"
    static let summary = "Evaluate and check CEL rule expressions; run CEL conformance files"
    static var subcommands: [any Command.Type] {
        [CELEvalCommand.self, CELCheckCommand.self, CELConformanceCommand.self, CELBenchCommand.self]
    }
}

/// Builds the environment rule authors get: the standard library, the strings extension, the
/// pure helpers, and variables declared from bindings and `--declare NAME:TYPE`.
private func ruleEnvironment(bindings: [String: CELValue], declarations: [String]) throws -> CELEnvironment {
    var env = CELEnvironment()
    env.register(CELHelperFunctions.all)
    for (name, _) in bindings.sorted(by: { $0.key < $1.key }) { env.declare(name, .dyn) }
    for d in declarations {
        guard let colon = d.firstIndex(of: ":"), let type = CELType(parsing: String(d[d.index(after: colon)...])) else {
            throw UsageError("--declare expects NAME:TYPE (such as x:int or m:map(string, int)), got '\(d)'")
        }
        env.declare(String(d[..<colon]), type)
    }
    return env
}

private func loadBindings(_ path: String?) throws -> [String: CELValue] {
    guard let path else { return [:] }
    do {
        return try CELTypedJSON.decodeBindings(file: path)
    } catch {
        throw CommandFailure("\(path): \(error.message)", exitCode: ExitCode.dataError)
    }
}

enum CELEvalCommand: Command {
    static let name = "eval"
    static let summary = "Evaluate a CEL expression"
    static let help = """
        Usage: loupe cel eval EXPR [--bindings FILE] [--declare NAME:TYPE]... [--typed]

        Compiles EXPR (checking it against the declared variables) and evaluates it once.

        Arguments:
          EXPR                 The expression, such as "size(args) > 1 && args[0].startsWith('-')"

        Options:
          --bindings FILE      Variable values: a JSON object of name -> typed value, such as
                               {"args": {"list": [{"string": "-e"}]}}; every name is declared dyn
          --declare NAME:TYPE  Declare a variable's type (int, string, list(string), ...)
          --typed              Print the result (or the error) as typed-value JSON
          -h, --help           Show this help

        Exit codes: 0 on a value, 1 when evaluation fails, 65 when the expression does not compile.
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let source = try arguments.positional("EXPR argument")
        let bindingsPath = try arguments.option("bindings")
        let declarations = try arguments.optionValues("declare")
        let typed = arguments.flag("typed")
        try arguments.finish()

        let bindings = try loadBindings(bindingsPath)
        let env = try ruleEnvironment(bindings: bindings, declarations: declarations)
        let program: CELProgram
        do {
            program = try env.compile(source)
        } catch {
            throw CommandFailure("expression does not compile\n\(error)", exitCode: ExitCode.dataError)
        }
        let result = program.evaluate(bindings)
        if typed {
            print(CELTypedJSON.encode(result))
            return result.isError ? ExitCode.failure : ExitCode.success
        }
        if case .error(let e) = result {
            throw CommandFailure("evaluation failed: \(e.message)")
        }
        print(result.description)
        return ExitCode.success
    }
}

enum CELCheckCommand: Command {
    static let name = "check"
    static let summary = "Check a CEL expression without evaluating it"
    static let help = """
        Usage: loupe cel check EXPR [--rule] [--bindings FILE] [--declare NAME:TYPE]...

        Parses and type-checks EXPR; prints its result type, or each error with its line, column,
        the source line and a caret.

        Options:
          --rule               Check EXPR as a rule expression: `event`, `eventType` and `http`
                               with the event fields, and the kubescape helpers (parse., net.,
                               k8s., process., cp./ap./nn.), exactly as `loupe replay` compiles it
          --bindings FILE      Declare the variables named in a bindings file (as dyn)
          --declare NAME:TYPE  Declare a variable's type (int, string, list(string), ...)
          -h, --help           Show this help

        Exit codes: 0 when the expression is valid, 65 when it is not.
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let source = try arguments.positional("EXPR argument")
        let bindingsPath = try arguments.option("bindings")
        let declarations = try arguments.optionValues("declare")
        let asRule = arguments.flag("rule")
        try arguments.finish()
        if asRule && (bindingsPath != nil || !declarations.isEmpty) {
            throw UsageError("--rule declares the rule variables itself; drop --bindings and --declare")
        }

        let env =
            asRule
            ? RuleEnvironment.forChecking().environment
            : try ruleEnvironment(bindings: try loadBindings(bindingsPath), declarations: declarations)
        do {
            let program = try env.compile(source)
            print("OK: \(program.resultType)")
            return ExitCode.success
        } catch {
            printError(error.description)
            return ExitCode.dataError
        }
    }
}

enum CELConformanceCommand: Command {
    static let name = "conformance"
    static let summary = "Run CEL conformance files and report passed/failed/skipped"
    static let help = """
        Usage: loupe cel conformance FILE.json... [--json]

        Runs every case of each conformance file (the JSON form of google/cel-spec's simple tests)
        and prints, per file, how many passed, failed and were skipped (cases that need protocol
        buffers), then the names of failing cases. Cases cel-go itself skips fail softly.

        Options:
          --json       Print one JSON object per file instead
          -h, --help   Show this help

        Exit codes: 0 when no case failed, 1 otherwise, 66 when a file cannot be read.
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let json = arguments.flag("json")
        let files = arguments.remainingPositionals()
        try arguments.finish()
        guard !files.isEmpty else { throw UsageError("missing FILE.json argument") }

        var anyFailed = false
        for file in files {
            let report: CELConformance.FileReport
            do {
                report = try CELConformance.run(file: file)
            } catch {
                throw CommandFailure("\(error)", exitCode: ExitCode.noInput)
            }
            anyFailed = anyFailed || report.failed > 0
            if json {
                let failures = report.failures.map {
                    "{\"name\":\(CELTypedJSON.quote($0.name)),\"reason\":\(CELTypedJSON.quote($0.reason))}"
                }
                let soft = report.softFailures.map { CELTypedJSON.quote($0.name) }
                print(
                    "{\"file\":\(CELTypedJSON.quote(file)),\"passed\":\(report.passed),\"failed\":\(report.failed),"
                        + "\"skipped\":\(report.skipped),\"failures\":[\(failures.joined(separator: ","))],"
                        + "\"soft_failures\":[\(soft.joined(separator: ","))]}")
            } else {
                print("\(file): passed \(report.passed), failed \(report.failed), skipped \(report.skipped)")
                for f in report.failures { print("  FAIL \(f.name): \(f.reason)") }
                for f in report.softFailures { print("  soft (cel-go skips it too) \(f.name): \(f.reason)") }
            }
        }
        return anyFailed ? ExitCode.failure : ExitCode.success
    }
}

enum CELBenchCommand: Command {
    static let name = "bench"
    static let summary = "Time CEL evaluation and compilation against hand-written Swift"
    static let help = """
        Usage: loupe cel bench [--iterations N] [--runs R] [--json]

        Times the engine issue's CEL benchmarks on a synthetic exec event, each next to a
        hand-written Swift function doing the same check on the same event in the same run:
          exists   event.comm == "nc" && event.args.exists(a, a.startsWith("-e"))  (4 args)
          in       event.name in [120 string constants]
          compile  a typical rule expression
        One warm-up, then R runs; min and median nanoseconds per operation are reported, with
        Loupe's median as a multiple of the hand-written median. Build with -c release.

        Options:
          --iterations N  Operations per run (default 1000000; compiles run N/100)
          --runs R        Measured runs (default 7)
          --json          Print one JSON object per benchmark
          -h, --help      Show this help
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let iterationsText = try arguments.option("iterations") ?? "1000000"
        let runsText = try arguments.option("runs") ?? "7"
        let json = arguments.flag("json")
        try arguments.finish()
        guard let iterations = Int(iterationsText), iterations > 0 else {
            throw UsageError("--iterations expects a positive integer, got '\(iterationsText)'")
        }
        guard let runs = Int(runsText), runs > 0 else {
            throw UsageError("--runs expects a positive integer, got '\(runsText)'")
        }
        #if DEBUG
            printError("warning: debug build; figures are meaningless (build with -c release)")
        #endif
        for r in CELBenchmark.run(iterations: iterations, runs: runs) {
            func f(_ x: Double) -> String { String(Double(Int(x * 10)) / 10) }
            if json {
                var line =
                    "{\"name\":\(CELTypedJSON.quote(r.name)),\"min_ns\":\(f(r.minNanos)),\"median_ns\":\(f(r.medianNanos))"
                if let bmin = r.baselineMinNanos, let bmed = r.baselineMedianNanos, let ratio = r.ratio {
                    line += ",\"swift_min_ns\":\(f(bmin)),\"swift_median_ns\":\(f(bmed)),\"ratio\":\(f(ratio))"
                }
                print(line + "}")
            } else if let bmed = r.baselineMedianNanos, let ratio = r.ratio {
                print(
                    "\(r.name.padding(24)) min \(f(r.minNanos)) ns  median \(f(r.medianNanos)) ns  (Swift \(f(bmed)) ns, x\(f(ratio)))"
                )
            } else {
                print("\(r.name.padding(24)) min \(f(r.minNanos / 1000)) us  median \(f(r.medianNanos / 1000)) us")
            }
        }
        return ExitCode.success
    }
}
