import LoupeModel
import Testing

@testable import LoupeCapture

final class CollectingSink: CaptureSink {
    var records: [Record] = []
    func write(_ record: Record) throws { records.append(record) }
    func tick() throws {}
    func finish() throws {}
    var bytesWritten: UInt64 { 0 }
    var segmentsWritten: UInt64 { 0 }
}

@Suite struct MergeLoopTests {
    static let host = HostInfo(hostname: "h", hostMntns: 1, clock: ClockAnchor(bootTime: 0, wallTime: 0))

    func event(_ timestamp: UInt64, pid: UInt32 = 5, mntns: UInt64 = 1, _ payload: EventPayload = .randomx) -> Record {
        .event(Event(header: EventHeader(timestamp: timestamp, pid: pid, mntns: mntns), payload: payload))
    }

    @Test func recordsComeOutInTimeOrderUpToTheWatermark() throws {
        var loop = MergeLoop(configuration: CaptureConfiguration(), host: Self.host, containers: [])
        let sink = CollectingSink()
        for timestamp: UInt64 in [10, 30, 20, 25, 5, 40, 20] { loop.insert(event(timestamp)) }
        try loop.release(upTo: 25, into: sink)
        #expect(sink.records.map(\.timestamp) == [5, 10, 20, 20, 25])
        // A container start reported late is stamped with the last written time.
        let info = ContainerInfo(id: "c", initPid: 9, mntns: 7)
        loop.insert(.containerStarted(ContainerStarted(timestamp: 12, container: info)))
        loop.insert(event(35, pid: 9, mntns: 7, .exit(ExitEvent(status: 0x0200))))
        try loop.release(upTo: .max, into: sink)
        #expect(sink.records.map(\.timestamp) == [5, 10, 20, 20, 25, 25, 30, 35, 35, 40])
        #expect(sink.records[5] == .containerStarted(ContainerStarted(timestamp: 25, container: info)))
        // The init process's exit ends the container, right after the exit event.
        #expect(
            sink.records[8] == .containerStopped(ContainerStopped(timestamp: 35, id: "c", mntns: 7, exitStatus: 0x0200))
        )
        #expect(loop.statistics.containersStarted == 1 && loop.statistics.containersStopped == 1)
        #expect(loop.statistics.eventsByType[.randomx] == 7)
    }

    @Test func onlyContextFiltersEventsButKeepsLifecycle() throws {
        var configuration = CaptureConfiguration()
        configuration.onlyContext = .docker
        let info = ContainerInfo(id: "d", initPid: 9, mntns: 7)
        var loop = MergeLoop(configuration: configuration, host: Self.host, containers: [info])
        let sink = CollectingSink()
        loop.insert(event(1, mntns: 1))
        loop.insert(event(2, pid: 10, mntns: 7))
        loop.insert(.containerStopped(ContainerStopped(timestamp: 3, id: "d", mntns: 7)))
        try loop.release(upTo: .max, into: sink)
        #expect(sink.records.map(\.timestamp) == [2, 3])
        #expect(loop.statistics.filteredEvents == 1)
    }

    @Test func manyRecordsCompactWithoutLosingAny() throws {
        var loop = MergeLoop(configuration: CaptureConfiguration(), host: Self.host, containers: [])
        let sink = CollectingSink()
        var expected: UInt64 = 0
        for round in 0..<20 {
            for index in 0..<1000 { loop.insert(event(UInt64(round * 1000 + index))) }
            try loop.release(upTo: UInt64(round * 1000 + 600), into: sink)
            expected = UInt64(round * 1000 + 601)
            #expect(UInt64(sink.records.count) == expected)
        }
        try loop.release(upTo: .max, into: sink)
        #expect(sink.records.count == 20_000)
        #expect(sink.records.map(\.timestamp) == (0..<20_000).map(UInt64.init))
    }
}
