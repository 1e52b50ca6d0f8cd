import LoupeFormat
import LoupeModel

/// A capture a command reads, opened with its first header, and the `--since`/`--until` values
/// read against that capture's clock (RFC 3339, +DURATION from its start, or boot-time ns).
struct OpenedCapture {
    let path: String
    let reader: CaptureReader
    let header: SegmentHeader
    let since: UInt64?
    let until: UInt64?

    /// - Throws: a `CommandFailure` for a capture that cannot be opened (exit 66 or 65), a
    ///   `UsageError` for a time that does not parse or an `--until` before `--since`.
    init(_ path: String, since sinceText: String?, until untilText: String?) throws {
        self.path = path
        let reader = try withCaptureErrors { try CaptureReader(path: path) }
        let header = try withCaptureErrors { try reader.firstHeader() }
        self.reader = reader
        self.header = header
        let clock = header.host.clock
        since = try sinceText.map { try ValueParser.time($0, option: "--since", clock: clock, start: clock.bootTime) }
        until = try untilText.map { try ValueParser.time($0, option: "--until", clock: clock, start: clock.bootTime) }
        if let since, let until, until < since { throw UsageError("--until is before --since") }
    }
}
