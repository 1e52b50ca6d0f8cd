import LoupeFormat
import LoupeModel

/// `loupe cat`: records as JSON lines.
enum CatCommand: Command {
    static let name = "cat"
    static let summary = "Print a capture's records as JSON lines"
    static let help = """
        Usage: loupe cat CAPTURE [--since T] [--until T] [--kind K]... [--snapshots leading|all|none]

        Prints one JSON object per record, in capture order: kind, boot-time timestamp (ns),
        wall-clock time, then the record's fields. Paths and arguments are shown as UTF-8, with
        invalid bytes replaced by U+FFFD.

        Arguments:
          CAPTURE            A capture directory or a single segment file

        Options:
          --since T          Only records at or after T
          --until T          Only records at or before T
                             T is an RFC 3339 time (2026-12-04T15:00:00Z), +DURATION after the
                             capture's first record (+90s, +1h), or CLOCK_BOOTTIME nanoseconds
          --kind K           Only records of kind K (repeatable, or comma-separated): exec, open,
                             network, dns, ..., container_started, container_stopped,
                             process_snapshot, container_snapshot, clock_sync, drop
          --snapshots P      Which segment snapshots to print: leading (default: the first
                             segment's, the state to start from), all, or none
          -h, --help         Show this help

        Damage found in the capture is reported on standard error; the exit code is then 65.
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let capture = try arguments.positional("CAPTURE argument")
        let since = try arguments.option("since")
        let until = try arguments.option("until")
        let kindNames = try arguments.optionValues("kind").flatMap { $0.split(separator: ",").map(String.init) }
        let snapshotText = try arguments.option("snapshots") ?? "leading"
        try arguments.finish()

        var kinds: Set<RecordKind>?
        if !kindNames.isEmpty {
            kinds = []
            for name in kindNames {
                guard let kind = RecordKind(name: name) else {
                    throw UsageError(
                        "unknown record kind '\(name)'; known: \(RecordKind.known.map(\.name).joined(separator: ", "))")
                }
                kinds!.insert(kind)
            }
        }
        let snapshots: SnapshotPolicy
        switch snapshotText {
        case "leading": snapshots = .leading
        case "all": snapshots = .all
        case "none": snapshots = .none
        default: throw UsageError("--snapshots expects leading, all or none, got '\(snapshotText)'")
        }

        let opened = try OpenedCapture(capture, since: since, until: until)
        return try withCaptureErrors {
            let reader = opened.reader
            let clock = opened.header.host.clock
            let options = ReadOptions(since: opened.since, until: opened.until, kinds: kinds, snapshots: snapshots)
            var output = StandardOutput()
            var json = JSONWriter()
            let report = try reader.forEach(options) { record, _ in
                json.reset()
                record.writeJSON(into: &json, clock: clock)
                output.write(json.bytes)
                output.write([UInt8(ascii: "\n")])
            }
            output.flush()
            return reportProblems(report)
        }
    }
}

/// Prints damage and unknown kinds to standard error; the exit code says whether there was any.
func reportProblems(_ report: ReadReport) -> Int32 {
    for skipped in report.skippedSegments { printError("warning: segment skipped: \(skipped)") }
    for damage in report.damage { printError("warning: damage: \(damage)") }
    for (kind, count) in report.unknownKinds.sorted(by: { $0.key < $1.key }) {
        printError("note: skipped \(count) records of unknown kind \(kind) (written by a newer loupe)")
    }
    return report.damage.isEmpty && report.skippedSegments.isEmpty ? ExitCode.success : ExitCode.dataError
}
