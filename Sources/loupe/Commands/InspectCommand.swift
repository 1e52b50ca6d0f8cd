import LoupeFormat
import LoupeModel

/// `loupe inspect`: what a capture holds and what state it is in.
enum InspectCommand: Command {
    static let name = "inspect"
    static let summary = "Summarize a capture: host, time range, segments, records, containers, drops, damage"
    static let help = """
        Usage: loupe inspect CAPTURE [--json]

        Reads a whole capture and reports its format version, host, time range (wall clock),
        segments, records by kind, containers seen with their context, drops, bytes per record,
        compression ratio and any damage found (cut-off or corrupt blocks).

        Arguments:
          CAPTURE        A capture directory or a single segment file

        Options:
          --json         Print one JSON object instead of text
          -h, --help     Show this help

        Exit code 65 when damage was found, 0 otherwise.
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let capture = try arguments.positional("CAPTURE argument")
        let json = arguments.flag("json")
        try arguments.finish()
        return try withCaptureErrors {
            let summary = try CaptureSummary(path: capture)
            var output = StandardOutput()
            output.write(json ? summary.json() + "\n" : summary.text())
            output.flush()
            return summary.report.damage.isEmpty && summary.report.skippedSegments.isEmpty
                ? ExitCode.success : ExitCode.dataError
        }
    }
}

/// Everything `inspect` reports, gathered in one pass over the capture.
struct CaptureSummary {
    struct Segment {
        var name: String
        var sequence: UInt64
        var bytes: UInt64
        var blocks: Int
        var records: UInt64
        var indexed: Bool
    }

    struct SeenContainer {
        var info: ContainerInfo
        var firstSeen: UInt64
        var stopped: UInt64?
    }

    var path: String
    var header: SegmentHeader
    var segments: [Segment] = []
    var recordsByKind: [RecordKind: Int] = [:]
    var snapshotRecords = 0
    var minTime = UInt64.max
    var maxTime: UInt64 = 0
    var containers: [SeenContainer] = []
    var drops: [String: UInt64] = [:]
    var fileBytes: UInt64 = 0
    var compressedBytes: UInt64 = 0
    var uncompressedBytes: UInt64 = 0
    var report = ReadReport()

    init(path: String) throws {
        self.path = path
        let reader = try CaptureReader(path: path)
        header = try reader.firstHeader()
        var skipped: [String] = []
        for segment in try reader.openSegments(skipped: &skipped) {
            let name = String(segment.path.split(separator: "/").last ?? "")
            segments.append(
                Segment(
                    name: name, sequence: segment.header.sequence, bytes: segment.fileSize,
                    blocks: segment.blocks.count,
                    records: segment.blocks.reduce(0) { $0 + UInt64($1.recordCount) }, indexed: segment.hasIndex))
            fileBytes += segment.fileSize
            for block in segment.blocks {
                compressedBytes += UInt64(block.compressedSize)
                uncompressedBytes += UInt64(block.uncompressedSize)
            }
        }
        var containerIndex: [String: Int] = [:]
        report = try reader.forEach(ReadOptions(snapshots: .all)) { record, origin in
            if origin.isSnapshot {
                snapshotRecords += 1
            } else {
                recordsByKind[record.kind, default: 0] += 1
                minTime = min(minTime, record.timestamp)
                maxTime = max(maxTime, record.timestamp)
            }
            switch record {
            case .containerStarted(let started), .containerSnapshot(let started):
                if containerIndex[started.container.id] == nil {
                    containerIndex[started.container.id] = containers.count
                    containers.append(SeenContainer(info: started.container, firstSeen: started.timestamp))
                }
            case .containerStopped(let stopped):
                if let index = containerIndex[stopped.id] { containers[index].stopped = stopped.timestamp }
            case .drop(let drop):
                let key = drop.source.name + (drop.eventType.map { "/" + $0.name } ?? "")
                drops[key, default: 0] += drop.count
            default:
                break
            }
        }
        report.skippedSegments = skipped
    }

    var dataRecords: Int { recordsByKind.values.reduce(0, +) }
    var totalRecords: Int { dataRecords + snapshotRecords }

    private func wall(_ boot: UInt64) -> String {
        WallClock.rfc3339(nanoseconds: header.host.clock.wallTime(ofBootTime: boot))
    }

    private var bytesPerRecord: Double { totalRecords == 0 ? 0 : Double(fileBytes) / Double(totalRecords) }
    private var compressionRatio: Double {
        compressedBytes == 0 ? 0 : Double(uncompressedBytes) / Double(compressedBytes)
    }

    func text() -> String {
        let host = header.host
        var lines: [String] = []
        lines.append("Capture:      \(path)")
        lines.append("Format:       \(header.major).\(header.minor)")
        lines.append("Host:         \(host.hostname) (node \(host.nodeName.isEmpty ? "-" : host.nodeName))")
        lines.append("Kernel:       \(host.kernelRelease)")
        lines.append("Boot id:      \(host.bootID)")
        lines.append("Host mntns:   \(host.hostMntns)")
        if minTime <= maxTime {
            let seconds = Double(maxTime - minTime) / 1e9
            lines.append("Time range:   \(wall(minTime)) .. \(wall(maxTime)) (\(format(seconds, digits: 3)) s)")
        } else {
            lines.append("Time range:   (no records)")
        }
        lines.append("Segments:     \(segments.count)")
        for segment in segments {
            lines.append(
                "  \(segment.name)  \(formatBytes(segment.bytes))  \(segment.blocks) blocks  \(segment.records) records"
                    + (segment.indexed ? "" : "  (no index: cut off or still being written)"))
        }
        lines.append("Records:      \(dataRecords) (+ \(snapshotRecords) in segment snapshots)")
        for (kind, count) in recordsByKind.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(kind.name.padding(20)) \(count)")
        }
        lines.append("Containers:   \(containers.count)")
        for container in containers {
            let info = container.info
            var line =
                "  \(String(info.id.prefix(12)))  \(info.context.name.padding(10)) \(info.runtime.name.padding(10)) \(info.name)"
            if let kubernetes = info.kubernetes { line += "  pod \(kubernetes.namespace)/\(kubernetes.podName)" }
            line += "  image \(info.image.isEmpty ? "-" : info.image)  mntns \(info.mntns)"
            if !info.mounts.isEmpty { line += "  mounts \(info.mounts.joined(separator: ","))" }
            if container.stopped != nil { line += "  (stopped)" }
            lines.append(line)
        }
        if drops.isEmpty {
            lines.append("Drops:        none")
        } else {
            // Truncation drop records count events that were delivered with a shortened
            // string; everything else counts events that never arrived.
            let truncated = drops.filter { $0.key.hasPrefix(DropSource.truncation.name) }.values.reduce(0, +)
            let lost = drops.values.reduce(0, +) - truncated
            lines.append("Drops:        \(lost) events lost, \(truncated) delivered with truncated strings")
            for (key, count) in drops.sorted(by: { $0.key < $1.key }) { lines.append("  \(key.padding(20)) \(count)") }
        }
        lines.append(
            "Size:         \(formatBytes(fileBytes)) on disk, \(formatBytes(uncompressedBytes)) uncompressed; "
                + "\(format(bytesPerRecord, digits: 1)) bytes/record; compression \(format(compressionRatio, digits: 2))x"
        )
        if !report.unknownKinds.isEmpty {
            let parts = report.unknownKinds.sorted { $0.key < $1.key }.map { "kind \($0.key): \($0.value)" }
            lines.append("Unknown:      \(parts.joined(separator: ", ")) (skipped; written by a newer loupe)")
        }
        if report.damage.isEmpty && report.skippedSegments.isEmpty {
            lines.append("Damage:       none")
        } else {
            lines.append("Damage:       \(report.damage.count + report.skippedSegments.count) problems")
            for damage in report.damage { lines.append("  \(damage)") }
            for skipped in report.skippedSegments { lines.append("  segment skipped: \(skipped)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func json() -> String {
        var json = JSONWriter()
        let host = header.host
        json.beginObject()
        json.field("capture", path)
        json.field("formatVersion", "\(header.major).\(header.minor)")
        json.key("host")
        json.beginObject()
        json.field("hostname", host.hostname)
        json.field("nodeName", host.nodeName)
        json.field("kernelRelease", host.kernelRelease)
        json.field("bootId", host.bootID)
        json.field("hostMntns", host.hostMntns)
        json.key("captureOptions")
        json.beginObject()
        for option in host.captureOptions { json.field(option.key, option.value) }
        json.endObject()
        json.endObject()
        json.key("timeRange")
        if minTime <= maxTime {
            json.beginObject()
            json.field("first", wall(minTime))
            json.field("last", wall(maxTime))
            json.field("firstBootNs", minTime)
            json.field("lastBootNs", maxTime)
            json.endObject()
        } else {
            json.null()
        }
        json.key("segments")
        json.beginArray()
        for segment in segments {
            json.beginObject()
            json.field("name", segment.name)
            json.field("sequence", segment.sequence)
            json.field("bytes", segment.bytes)
            json.field("blocks", segment.blocks)
            json.field("records", segment.records)
            json.field("indexed", segment.indexed)
            json.endObject()
        }
        json.endArray()
        json.field("records", dataRecords)
        json.field("snapshotRecords", snapshotRecords)
        json.key("recordsByKind")
        json.beginObject()
        for (kind, count) in recordsByKind.sorted(by: { $0.key < $1.key }) { json.field(kind.name, count) }
        json.endObject()
        json.key("containers")
        json.beginArray()
        for container in containers {
            json.beginObject()
            json.key("container")
            container.info.writeJSON(into: &json)
            json.field("firstSeen", wall(container.firstSeen))
            if let stopped = container.stopped { json.field("stopped", wall(stopped)) }
            json.endObject()
        }
        json.endArray()
        json.key("drops")
        json.beginObject()
        for (key, count) in drops.sorted(by: { $0.key < $1.key }) { json.field(key, count) }
        json.endObject()
        json.field("fileBytes", fileBytes)
        json.field("uncompressedBytes", uncompressedBytes)
        json.key("bytesPerRecord")
        json.value((bytesPerRecord * 100).rounded() / 100)
        json.key("compressionRatio")
        json.value((compressionRatio * 100).rounded() / 100)
        json.key("unknownKinds")
        json.beginObject()
        for (kind, count) in report.unknownKinds.sorted(by: { $0.key < $1.key }) { json.field(String(kind), count) }
        json.endObject()
        json.key("damage")
        json.beginArray()
        for damage in report.damage {
            json.beginObject()
            json.field("path", damage.path)
            json.field("offset", damage.offset)
            json.field("kind", damage.kind.rawValue)
            json.field("lostBytes", damage.lostBytes)
            json.field("lostRecords", damage.lostRecords)
            json.field("detail", damage.detail)
            json.endObject()
        }
        json.endArray()
        json.field("skippedSegments", strings: report.skippedSegments)
        json.endObject()
        return json.string
    }
}

/// `1234567` as `1.2 MiB`.
func formatBytes(_ bytes: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : "\(format(value, digits: 1)) \(units[unit])"
}

/// A fixed-point rendering of `value` with `digits` decimals (no Foundation).
func format(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = UInt64(scaled / scale)
    let fraction = UInt64(scaled - Double(whole) * scale)
    let sign = value < 0 && scaled > 0 ? "-" : ""
    guard digits > 0 else { return sign + String(whole) }
    let fractionText = String(fraction)
    return sign + String(whole) + "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
}
