import LoupeModel
import TestSupport

@testable import LoupeFormat

/// A host description for test captures.
let testHost = HostInfo(
    hostname: "test-node", nodeName: "node-a", kernelRelease: "6.18.0", bootID: "boot-1", hostMntns: 4_026_531_841,
    clock: ClockAnchor(bootTime: 1_000_000_000, wallTime: 1_796_428_800_000_000_000),
    captureOptions: [Label("events", "all")])

/// A monotonic clock tests move by hand.
final class ManualClock: @unchecked Sendable {
    var now: UInt64 = 0
    func advance(seconds: Double) { now += UInt64(seconds * 1e9) }
}

/// Writes `records` into a new capture directory and returns the writer (closed).
@discardableResult
func writeCapture(
    _ records: [Record], to directory: String, options: CaptureWriterOptions = CaptureWriterOptions(),
    snapshot: [Record] = [], clock: ManualClock = ManualClock()
) throws -> CaptureWriter {
    let writer = try CaptureWriter(
        directory: directory, host: testHost, options: options, snapshot: snapshot,
        monotonicClock: { clock.now }, wallClock: { 1_796_428_800_000_000_000 })
    for record in records { try writer.append(record) }
    try writer.close()
    return writer
}

/// Every record of a capture (no snapshots), with the read report.
func readAll(_ path: String, options: ReadOptions = ReadOptions(snapshots: .none)) throws -> ([Record], ReadReport) {
    var records: [Record] = []
    let report = try CaptureReader(path: path).forEach(options) { record, _ in records.append(record) }
    return (records, report)
}

/// Simple events with increasing timestamps, for tests that care about counts and order.
func sequentialEvents(_ count: Int, start: UInt64 = 2_000_000_000, step: UInt64 = 1_000_000) -> [Record] {
    (0..<count).map { index in
        .event(
            Event(
                header: EventHeader(
                    timestamp: start + UInt64(index) * step, pid: UInt32(100 + index % 7), mntns: 4_026_531_841,
                    comm: "worker", exepath: "/usr/bin/worker"),
                payload: .open(OpenEvent(path: ByteString("/var/data/file-\(index)"), flags: 0, retval: 3))))
    }
}

/// The segment files of a capture directory.
func segmentFiles(_ directory: String) throws -> [String] {
    try FileSystem.contents(of: directory).filter { SegmentName.sequence(of: $0) != nil }.map { directory + "/" + $0 }
}
