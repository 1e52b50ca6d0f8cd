import Foundation

/// Runs conformance cases in the JSON form of ../shared/cel-conformance.
public enum CELConformance {
    /// One case of a conformance file.
    public struct Case: Sendable {
        public var file: String
        public var section: String
        public var name: String
        public var expr: String
        public var container: String
        public var disableMacros: Bool
        public var disableCheck: Bool
        public var typeEnv: [(String, CELType)]
        public var bindings: [String: CELValue]
        /// nil when the case expects an evaluation error.
        public var expectedValue: CELValue?
        public var usable: Bool
        public var celGoSkipped: Bool

        /// The name shown in reports: `section/name`.
        public var fullName: String { section.isEmpty ? name : "\(section)/\(name)" }
    }

    /// What happened to one case.
    public enum Outcome: Sendable {
        case passed
        case failed(String)
        case skipped(String)
    }

    /// Counts for one file.
    public struct FileReport: Sendable {
        public var file: String
        public var passed = 0
        public var skipped = 0
        /// Failing cases with why; soft ones (`cel_go_skipped`) are listed separately.
        public var failures: [(name: String, reason: String)] = []
        public var softFailures: [(name: String, reason: String)] = []
        public var failed: Int { failures.count }
    }

    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads the cases of one file.
    public static func load(_ path: String) throws -> [Case] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "cannot read \(path)")
        }
        guard let entries = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw LoadError(description: "\(path): expected a JSON array of cases")
        }
        let fileName = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return entries.map { e in
            var typeEnv: [(String, CELType)] = []
            for d in e["type_env"] as? [[String: Any]] ?? [] {
                guard let name = d["name"] as? String else { continue }
                let type = (d["ident"] as? String).flatMap(CELType.init(parsing:)) ?? .dyn
                typeEnv.append((name, type))
            }
            var bindings: [String: CELValue] = [:]
            var usable = e["usable"] as? Bool ?? true
            for (k, v) in e["bindings"] as? [String: Any] ?? [:] {
                if let value = try? CELTypedJSON.decode(v) { bindings[k] = value } else { usable = false }
            }
            var expected: CELValue? = nil
            if let exp = e["expected"] as? [String: Any], let v = exp["value"] {
                if let value = try? CELTypedJSON.decode(v) { expected = value } else { usable = false }
            }
            return Case(
                file: e["file"] as? String ?? fileName, section: e["section"] as? String ?? "",
                name: e["name"] as? String ?? "?", expr: e["expr"] as? String ?? "",
                container: e["container"] as? String ?? "", disableMacros: e["disable_macros"] as? Bool ?? false,
                disableCheck: e["disable_check"] as? Bool ?? false, typeEnv: typeEnv, bindings: bindings,
                expectedValue: expected, usable: usable, celGoSkipped: e["cel_go_skipped"] as? Bool ?? false)
        }
    }

    /// Runs one case. Checked cases compile in strict mode so the checker is exercised too.
    public static func run(_ c: Case) -> Outcome {
        guard c.usable else { return .skipped("needs protocol buffers") }
        var env = CELEnvironment()
        env.container = c.container
        env.parserOptions.macros = !c.disableMacros
        env.strict = !c.disableCheck
        for (name, type) in c.typeEnv { env.declare(name, type) }
        for name in c.bindings.keys where env.variables[name] == nil { env.declare(name, .dyn) }
        let result: CELValue
        do {
            let program = try env.compile(c.expr)
            result = program.evaluate(c.bindings)
        } catch {
            if c.expectedValue == nil { return .passed }
            return .failed("compile error: \(error)")
        }
        guard let expected = c.expectedValue else {
            if case .error = result { return .passed }
            return .failed("expected an evaluation error, got \(CELFormat.display(result))")
        }
        if CELTypedJSON.identical(result, expected) { return .passed }
        return .failed("expected \(CELFormat.display(expected)), got \(CELFormat.display(result))")
    }

    /// Runs every case of a file.
    public static func run(file path: String) throws -> FileReport {
        let cases = try load(path)
        var report = FileReport(file: ((path as NSString).lastPathComponent as NSString).deletingPathExtension)
        for c in cases {
            switch run(c) {
            case .passed: report.passed += 1
            case .skipped: report.skipped += 1
            case .failed(let why):
                if c.celGoSkipped {
                    report.softFailures.append((c.fullName, why))
                } else {
                    report.failures.append((c.fullName, why))
                }
            }
        }
        return report
    }
}
