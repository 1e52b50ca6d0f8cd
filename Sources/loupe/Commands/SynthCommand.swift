import LoupeFormat
import LoupeModel

/// `loupe synth`: a deterministic synthetic capture.
enum SynthCommand: Command {
    static let name = "synth"
    static let summary = "Write a deterministic synthetic capture for tests and benchmarks"
    static let help = """
        Usage: loupe synth -o DIR --events N [--seed S] [writer options]

        Writes a capture of N records that plays a node with host services, Kubernetes pod
        containers and plain Docker containers: exec-heavy shells with process trees, open-heavy
        servers, network connections, DNS lookups, HTTP requests, rare security-relevant
        syscalls, and containers starting and stopping. The same seed, count and options give
        byte-identical files.

        Options:
          -o, --output DIR        Capture directory to create (must not hold segments already)
          --events N              Number of records after the opening snapshot
          --seed S                Random seed (default 1)
          --block-size SIZE       Uncompressed bytes per block (default 256K)
          --level L               zstd level, 1-19 (default 3)
          --segment-size SIZE     Start a new segment after SIZE bytes (default 64M)
          --retain-size SIZE      Delete the oldest segments beyond SIZE bytes in all
          --retain-segments N     Delete the oldest segments beyond N segments
          -h, --help              Show this help
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        guard let output = try arguments.option("output", short: "o") else { throw UsageError("missing -o DIR") }
        guard let eventsText = try arguments.option("events") else { throw UsageError("missing --events N") }
        let events = try ValueParser.integer(eventsText, option: "--events")
        let seed = UInt64(try ValueParser.integer(try arguments.option("seed") ?? "1", option: "--seed"))
        let options = try WriterOptionsParser.parse(&arguments, timed: false)
        try arguments.finish()

        return try withCaptureErrors {
            if directoryHoldsSegments(output) {
                throw CommandFailure(
                    "\(output) already holds capture segments; choose a new directory", exitCode: ExitCode.cantCreate)
            }
            var workload = SyntheticWorkload(seed: seed, events: events)
            let clock = workload.host.clock
            var lastBoot = clock.bootTime
            let writer = try CaptureWriter(
                directory: output, host: workload.host, options: options, snapshot: workload.initialSnapshot,
                monotonicClock: { 0 }, wallClock: { clock.wallTime(ofBootTime: lastBoot) })
            while let record = workload.next() {
                lastBoot = record.timestamp
                try writer.append(record)
            }
            try writer.close()
            let stats = writer.statistics
            printError(
                "wrote \(stats.records) records in \(stats.segmentsOpened - stats.segmentsDeleted) segments, "
                    + "\(formatBytes(stats.fileBytes)) to \(output)")
            return ExitCode.success
        }
    }
}

/// Whether `directory` exists and already holds segment files.
func directoryHoldsSegments(_ directory: String) -> Bool {
    (try? CaptureReader(path: directory)) != nil
}

/// Options that shape how a capture is written, shared by `synth` and `capture`.
enum WriterOptionsParser {
    /// `timed` allows `--segment-age`, which only means something for a live capture.
    static func parse(_ arguments: inout ArgumentCursor, timed: Bool) throws -> CaptureWriterOptions {
        var options = CaptureWriterOptions()
        if let text = try arguments.option("block-size") {
            let size = try ValueParser.size(text, option: "--block-size")
            guard (4096...(32 << 20)).contains(size) else {
                throw UsageError("--block-size must be between 4K and 32M")
            }
            options.blockSize = Int(size)
        }
        if let text = try arguments.option("level") {
            options.compressionLevel = Int32(try ValueParser.integer(text, option: "--level", range: 1...19))
        }
        if let text = try arguments.option("segment-size") {
            options.segmentMaxBytes = try ValueParser.size(text, option: "--segment-size")
            guard options.segmentMaxBytes >= 4096 else { throw UsageError("--segment-size must be at least 4K") }
        }
        if timed, let text = try arguments.option("segment-age") {
            options.segmentMaxAge = try ValueParser.duration(text, option: "--segment-age")
        }
        if let text = try arguments.option("retain-size") {
            options.retainBytes = try ValueParser.size(text, option: "--retain-size")
        }
        if let text = try arguments.option("retain-segments") {
            options.retainSegments = try ValueParser.integer(text, option: "--retain-segments", range: 1...Int.max)
        }
        return options
    }
}
