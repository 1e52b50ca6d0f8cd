import LoupeFormat
import LoupeModel

#if canImport(Glibc)
    import Glibc
#endif

/// `loupe bench`: performance measurements, run on release builds.
enum BenchCommand: CommandGroup {
    static let name = "bench"
    static let summary = "Measure performance (build with -c release first)"
    static var subcommands: [any Command.Type] { [BenchFormatCommand.self, BenchRulesCommand.self] }
}

/// `loupe bench format`: encode/write and read/decode throughput of the capture format.
enum BenchFormatCommand: Command {
    static let name = "format"
    static let summary = "Capture format throughput: encode+compress+write and read+decode, one core"
    static let help = """
        Usage: loupe bench format [--events N] [--seed S] [--runs R] [--level L] [--json]

        Generates N synthetic records in memory, then measures on one core:
          write  encode + compress + write a capture to a temporary directory
          read   read + checksum + decompress + decode that capture
        Each phase runs once to warm up, then R times; min and median are reported. Also
        reports bytes per record on disk next to the raw encoding and to JSON lines.

        Options:
          --events N     Records to generate (default 1000000)
          --seed S       Synthetic workload seed (default 1)
          --runs R       Measured runs per phase (default 5)
          --level L      zstd level (default 3)
          --json         Print one JSON object
          -h, --help     Show this help
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let events = try ValueParser.integer(
            try arguments.option("events") ?? "1000000", option: "--events", range: 1...Int.max)
        let seed = UInt64(try ValueParser.integer(try arguments.option("seed") ?? "1", option: "--seed"))
        let runs = try ValueParser.integer(try arguments.option("runs") ?? "5", option: "--runs", range: 1...1000)
        let level = Int32(
            try ValueParser.integer(try arguments.option("level") ?? "3", option: "--level", range: 1...19))
        let asJSON = arguments.flag("json")
        try arguments.finish()

        return try withCaptureErrors {
            var workload = SyntheticWorkload(seed: seed, events: events)
            var records: [Record] = []
            records.reserveCapacity(events)
            while let record = workload.next() { records.append(record) }
            let host = workload.host
            let snapshot = workload.initialSnapshot

            var template = "/tmp/loupe-bench-XXXXXX".utf8CString
            guard let base = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
                throw CommandFailure("cannot create a temporary directory under /tmp")
            }
            let root = String(cString: base)
            defer { FileSystem.removeTree(root) }

            var options = CaptureWriterOptions()
            options.compressionLevel = level
            var writeTimes: [Double] = []
            var lastDirectory = ""
            var fileBytes: UInt64 = 0
            var rawBytes: UInt64 = 0
            for run in 0...runs {
                let directory = "\(root)/run-\(run)"
                let start = monotonicNanoseconds()
                let writer = try CaptureWriter(directory: directory, host: host, options: options, snapshot: snapshot)
                for record in records { try writer.append(record) }
                try writer.close()
                let elapsed = Double(monotonicNanoseconds() - start) / 1e9
                if run > 0 { writeTimes.append(elapsed) }
                fileBytes = writer.statistics.fileBytes
                rawBytes = writer.statistics.uncompressedBytes
                if !lastDirectory.isEmpty { FileSystem.removeTree(lastDirectory) }
                lastDirectory = directory
            }

            var readTimes: [Double] = []
            var checksum: UInt64 = 0
            for run in 0...runs {
                let start = monotonicNanoseconds()
                let reader = try CaptureReader(path: lastDirectory)
                var count = 0
                try reader.forEach(ReadOptions(snapshots: .none)) { record, _ in
                    count += 1
                    checksum &+= record.timestamp
                }
                let elapsed = Double(monotonicNanoseconds() - start) / 1e9
                guard count == records.count else {
                    throw CommandFailure("read back \(count) records, wrote \(records.count)")
                }
                if run > 0 { readTimes.append(elapsed) }
            }

            var jsonBytes = 0
            var writerJSON = JSONWriter()
            for record in records {
                writerJSON.reset()
                record.writeJSON(into: &writerJSON, clock: host.clock)
                jsonBytes += writerJSON.bytes.count + 1
            }

            let total = Double(records.count + snapshot.count)
            let result = BenchResult(
                records: records.count, runs: runs, level: level,
                writeRate: (
                    min: Double(records.count) / (writeTimes.max() ?? 1),
                    median: Double(records.count) / median(writeTimes)
                ),
                readRate: (
                    min: Double(records.count) / (readTimes.max() ?? 1),
                    median: Double(records.count) / median(readTimes)
                ),
                writeBest: Double(records.count) / (writeTimes.min() ?? 1),
                readBest: Double(records.count) / (readTimes.min() ?? 1),
                diskPerRecord: Double(fileBytes) / total, rawPerRecord: Double(rawBytes) / total,
                jsonPerRecord: Double(jsonBytes) / Double(records.count), checksum: checksum)
            var output = StandardOutput()
            output.write(asJSON ? result.json() + "\n" : result.text())
            output.flush()
            return ExitCode.success
        }
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 1 }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

private struct BenchResult {
    var records: Int
    var runs: Int
    var level: Int32
    /// Records per second of the slowest and the median run.
    var writeRate: (min: Double, median: Double)
    var readRate: (min: Double, median: Double)
    var writeBest: Double
    var readBest: Double
    var diskPerRecord: Double
    var rawPerRecord: Double
    var jsonPerRecord: Double
    var checksum: UInt64

    func text() -> String {
        func rate(_ value: Double) -> String { format(value / 1e6, digits: 2) + " M records/s" }
        return """
            records           \(records) (synthetic mix), \(runs) runs after 1 warm-up, zstd level \(level)
            write             best \(rate(writeBest)), median \(rate(writeRate.median)), worst \(rate(writeRate.min))
            read              best \(rate(readBest)), median \(rate(readRate.median)), worst \(rate(readRate.min))
            bytes/record      \(format(diskPerRecord, digits: 2)) on disk, \(format(rawPerRecord, digits: 2)) encoded (uncompressed), \(format(jsonPerRecord, digits: 2)) as JSON lines

            """
    }

    func json() -> String {
        var json = JSONWriter()
        json.beginObject()
        json.field("records", records)
        json.field("runs", runs)
        json.field("level", level)
        json.key("writeRecordsPerSecond")
        json.beginObject()
        json.field("best", UInt64(writeBest))
        json.field("median", UInt64(writeRate.median))
        json.field("worst", UInt64(writeRate.min))
        json.endObject()
        json.key("readRecordsPerSecond")
        json.beginObject()
        json.field("best", UInt64(readBest))
        json.field("median", UInt64(readRate.median))
        json.field("worst", UInt64(readRate.min))
        json.endObject()
        json.key("bytesPerRecord")
        json.beginObject()
        json.key("disk")
        json.value((diskPerRecord * 100).rounded() / 100)
        json.key("encoded")
        json.value((rawPerRecord * 100).rounded() / 100)
        json.key("jsonLines")
        json.value((jsonPerRecord * 100).rounded() / 100)
        json.endObject()
        json.endObject()
        return json.string
    }
}
