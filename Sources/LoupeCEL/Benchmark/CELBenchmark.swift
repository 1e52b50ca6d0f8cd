#if canImport(Glibc)
    import Glibc
#endif

/// The CEL benchmarks of the engine issue, each timed next to a hand-written Swift function
/// doing the same check on the same event, so results read as multiples of that floor.
public enum CELBenchmark {
    /// One measured case.
    public struct Result: Sendable {
        public var name: String
        /// Nanoseconds per operation: best and median of the runs.
        public var minNanos: Double
        public var medianNanos: Double
        /// The hand-written Swift equivalent, same run, same event (nil for compile timings).
        public var baselineMinNanos: Double?
        public var baselineMedianNanos: Double?

        /// Loupe's median as a multiple of the hand-written median.
        public var ratio: Double? { baselineMedianNanos.map { medianNanos / max($0, 0.001) } }
    }

    /// The benchmark event: a stand-in for the engine's exec event.
    struct Event {
        var comm: String
        var args: [String]
        var name: String
    }

    final class EventObject: CELHostObject, @unchecked Sendable {
        static let schema = CELObjectSchema(
            name: "bench.Event", fields: [("comm", .string), ("args", .list(.string)), ("name", .string)])
        let comm: CELValue
        let args: CELValue
        let name: CELValue
        init(_ e: Event) {
            comm = .string(e.comm)
            args = .list(e.args.map { .string($0) })
            name = .string(e.name)
            super.init(schema: Self.schema)
        }
        override func field(at index: Int) -> CELValue? {
            switch index {
            case 0: return comm
            case 1: return args
            default: return name
            }
        }
    }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Times `body` (which runs `iterations` operations and returns a checksum): one warm-up,
    /// then `runs` runs; nanoseconds per operation, min and median.
    static func measure(iterations: Int, runs: Int, _ body: (Int) -> Int) -> (Double, Double, Int) {
        var sink = body(iterations)
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = now()
            sink &+= body(iterations)
            samples.append(Double(now() - start) / Double(iterations))
        }
        samples.sort()
        return (samples[0], samples[samples.count / 2], sink)
    }

    /// The expression of 120 string constants for the `in` benchmark.
    static let names = (0..<120).map { "process-name-\($0)" }

    @inline(never) static func handExists(_ e: Event) -> Bool {
        e.comm == "nc" && e.args.contains { $0.utf8.starts(with: "-e".utf8) }
    }

    @inline(never) static func handIn(_ e: Event, _ set: Set<String>) -> Bool { set.contains(e.name) }

    /// Runs every benchmark. `iterations` operations per run, `runs` measured runs.
    public static func run(iterations: Int = 1_000_000, runs: Int = 7) -> [Result] {
        var env = CELEnvironment()
        let slot = env.declare("event", schema: EventObject.schema)
        let existsSource = #"event.comm == "nc" && event.args.exists(a, a.startsWith("-e"))"#
        let inSource = "event.name in [" + names.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        let typicalRule =
            #"event.comm in ["nc", "ncat", "netcat"] && (event.args.exists(a, a.startsWith("-e") || a == "-c") || "#
            + #"event.args.join(" ").matches("(sh|bash) -i"))"#
        // Compiles cannot fail: the sources are fixed and valid.
        let exists = try! env.compile(existsSource)
        let inList = try! env.compile(inSource)
        let nameSet = Set(names)

        let matching = Event(comm: "nc", args: ["nc", "-l", "-p", "-e"], name: names[119])
        let other = Event(comm: "ls", args: ["ls", "-l", "/tmp", "-a"], name: "bash")
        var results: [Result] = []

        func evaluate(_ name: String, _ program: CELProgram, _ event: Event, _ hand: @escaping (Event) -> Bool) {
            var prepared = program.makeActivation()
            prepared[slot] = .object(EventObject(event))
            // A constant activation is passed without reference counting, as a host's per-event
            // activation is once filled in.
            let activation = prepared
            let (cmin, cmed, s1) = measure(iterations: iterations, runs: runs) { n in
                var hits = 0
                for _ in 0..<n where program.evaluate(activation).isTrue { hits += 1 }
                return hits
            }
            let (hmin, hmed, s2) = measure(iterations: iterations, runs: runs) { n in
                var hits = 0
                for _ in 0..<n where hand(event) { hits += 1 }
                return hits
            }
            blackHole(s1 &+ s2)
            results.append(
                Result(
                    name: name, minNanos: cmin, medianNanos: cmed, baselineMinNanos: hmin, baselineMedianNanos: hmed))
        }

        evaluate("exists: comm matches", exists, matching, handExists)
        evaluate("exists: comm differs", exists, other, handExists)
        evaluate("in 120 constants: hit", inList, matching) { handIn($0, nameSet) }
        evaluate("in 120 constants: miss", inList, other) { handIn($0, nameSet) }

        for (name, source) in [("compile: exists rule", existsSource), ("compile: typical rule", typicalRule)] {
            let compileIterations = max(1, iterations / 100)
            let (min, med, sink) = measure(iterations: compileIterations, runs: runs) { n in
                var ok = 0
                for _ in 0..<n where (try? env.compile(source)) != nil { ok += 1 }
                return ok
            }
            blackHole(sink)
            results.append(Result(name: name, minNanos: min, medianNanos: med))
        }
        return results
    }

    @inline(never) static func blackHole(_ x: Int) {
        if x == Int.min { print("") }
    }
}

extension CELValue {
    /// Whether the value is `true` (for hosts testing rule results).
    @inline(__always) public var isTrue: Bool {
        if case .bool(true) = self { return true }
        return false
    }
}
