import LoupeModel
import Testing

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1"), ("10.0.0.255", "10.0.0.255"), ("::1", "::1"), ("::", "::"),
        ("2001:db8::1", "2001:db8::1"), ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"),
        ("fe80::1:0:0:1", "fe80::1:0:0:1"), ("1:0:0:2:0:0:0:3", "1:0:0:2::3"), ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
    ])
    func parsesAndPrintsCanonically(text: String, canonical: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == canonical)
        #expect(IPAddress(canonical) == address)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1::2::3", ":::", "12345::", "g::1", "1:2:3:4:5:6:7:8:9",
    ])
    func rejectsMalformedText(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func bytesRoundTrip() {
        let v6 = (0..<16).map { UInt8($0 * 17) }
        #expect(IPAddress(bytes: v6).bytes == v6)
        #expect(IPAddress(bytes: [1, 2, 3, 4]).bytes == [1, 2, 3, 4])
        #expect(IPAddress(bytes: [1, 2, 3]) == .none)
        #expect(IPAddress.none.description == "")
    }
}

@Suite struct ByteStringTests {
    @Test func shortAndLongStringsCompareByContent() {
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 100] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 5) }
            let padded = [9, 9] + bytes + [9]
            let viaRange = ByteString(storage: padded, range: 2..<(2 + length))
            let direct = ByteString(bytes)
            #expect(viaRange == direct, "length \(length)")
            #expect(viaRange.hashValue == direct.hashValue)
            #expect(viaRange.bytes == bytes)
            #expect(viaRange.count == length)
            let copied = padded.withUnsafeBytes {
                ByteString(copying: $0.baseAddress! + 2, count: min(length, 15), sixteenReadable: $0.count - 2 >= 16)
            }
            #expect(copied.bytes == Array(bytes.prefix(15)), "length \(length)")
            #expect(copied == ByteString(Array(bytes.prefix(15))), "length \(length)")
            // A short string that shares its buffer equals its inline form.
            #expect(ByteString(sharing: padded, range: 2..<(2 + length)) == direct, "length \(length)")
        }
        // Inline strings differ by a byte, or by length alone (a trailing zero byte).
        #expect(ByteString("comm-a") != ByteString("comm-b"))
        #expect(ByteString([0x61, 0x62]) != ByteString([0x61, 0x62, 0x00]))
        #expect(ByteString("fifteen-bytes!!") != ByteString("fifteen-bytes!?"))
    }

    @Test func invalidUTF8IsRepairedAtTheEdge() {
        let text = ByteString([0x2F, 0x74, 0xFF, 0x6D, 0x70])
        #expect(text.string == "/t\u{FFFD}mp")
        #expect(ByteString("/etc/shadow").hasPrefix("/etc/"))
        #expect(!ByteString("/et").hasPrefix("/etc/"))
        #expect(ByteString("abc") < ByteString("abd"))
    }
}

@Suite struct WallClockTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000000Z"),
        (Int64(951_782_400_123_456_789), "2000-02-29T00:00:00.123456789Z"),
        (Int64(1_796_428_800_000_000_001), "2026-12-05T00:00:00.000000001Z"),
        (Int64(-1), "1969-12-31T23:59:59.999999999Z"),
    ])
    func formatsUTC(nanoseconds: Int64, text: String) {
        #expect(WallClock.rfc3339(nanoseconds: nanoseconds) == text)
        #expect(WallClock.parseRFC3339(text) == nanoseconds)
    }

    @Test func parsesOffsetsAndShortFractions() {
        #expect(WallClock.parseRFC3339("2026-12-04T16:00:00+01:00") == WallClock.parseRFC3339("2026-12-04T15:00:00Z"))
        #expect(
            WallClock.parseRFC3339("2026-12-04T15:00:00.5Z")! - WallClock.parseRFC3339("2026-12-04T15:00:00Z")!
                == 500_000_000)
        for bad in ["2026-12-04", "2026-13-01T00:00:00Z", "2026-12-04T15:00:00", "2026-12-04T15:00:00.Z", "x"] {
            #expect(WallClock.parseRFC3339(bad) == nil, "\(bad)")
        }
    }

    @Test func civilDatesRoundTripOverCenturies() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let date = WallClock.civilDate(daysSinceEpoch: days)
            #expect(WallClock.daysSinceEpoch(year: date.year, month: date.month, day: date.day) == days)
        }
    }
}

@Suite struct JSONWriterTests {
    @Test func escapesAndRepairs() {
        var json = JSONWriter()
        json.beginObject()
        json.field("plain", "abc")
        json.field("quote", "a\"b\\c")
        json.field("control", "line\nnext\u{1}\t")
        json.field("bytes", ByteString([0x61, 0xFF, 0xC3, 0xA9]))
        json.field("number", -42)
        json.field("flag", true)
        json.key("list")
        json.beginArray()
        json.value(1)
        json.null()
        json.endArray()
        json.endObject()
        #expect(
            json.string
                == #"{"plain":"abc","quote":"a\"b\\c","control":"line\nnext\u0001\t","bytes":"a\#u{FFFD}é","number":-42,"flag":true,"list":[1,null]}"#
        )
    }
}

@Suite struct CaptureStateTests {
    private func event(_ pid: UInt32, _ payload: EventPayload, at time: UInt64 = 10) -> Record {
        .event(
            Event(
                header: EventHeader(timestamp: time, pid: pid, tid: pid, ppid: 1, mntns: 77, comm: "sh"),
                payload: payload))
    }

    @Test func forkExecExitTrackProcesses() {
        var state = CaptureState()
        state.apply(.processSnapshot(ProcessSnapshot(pid: 100, ppid: 1, mntns: 77, comm: "bash", exepath: "/bin/bash")))
        state.apply(event(100, .fork(ForkEvent(childPid: 101, childTid: 101)), at: 20))
        state.apply(event(100, .fork(ForkEvent(childPid: 100, childTid: 102))))  // a thread: ignored
        #expect(state.processes[101]?.exepath == "/bin/bash")
        #expect(state.processes[101]?.ppid == 100)
        #expect(state.processes[101]?.startTime == 20)
        #expect(state.processes[102] == nil)
        state.apply(event(101, .exec(ExecEvent(args: ["/bin/ls", "-l"], cwd: "/tmp"))))
        #expect(state.processes[101]?.args == ["/bin/ls", "-l"])
        #expect(state.processes[101]?.exepath == "/bin/ls")
        state.apply(event(101, .exec(ExecEvent(args: ["/nonexistent"], retval: -2))))
        #expect(state.processes[101]?.exepath == "/bin/ls", "a failed exec changes nothing")
        state.apply(event(101, .exit(ExitEvent(status: 0))))
        #expect(state.processes[101] == nil)
        let snapshot = state.snapshot(at: 99)
        #expect(snapshot.count == 1)
        #expect(snapshot.first?.timestamp == 99)
    }

    @Test func containersComeAndGo() {
        var state = CaptureState()
        let container = ContainerInfo(id: "b", mntns: 5)
        state.apply(.containerStarted(ContainerStarted(timestamp: 1, container: container)))
        state.apply(.containerSnapshot(ContainerStarted(timestamp: 1, container: ContainerInfo(id: "a"))))
        #expect(state.snapshot(at: 3).map(\.kind) == [.containerSnapshot, .containerSnapshot])
        state.apply(.containerStopped(ContainerStopped(timestamp: 2, id: "b", mntns: 5)))
        #expect(state.containers.keys.sorted() == ["a"])
    }

    @Test func contextFollowsKubernetesIdentity() {
        #expect(ContainerInfo(id: "x").context == .docker)
        #expect(
            ContainerInfo(id: "x", kubernetes: KubernetesIdentity(namespace: "n", podName: "p")).context == .kubernetes)
    }
}

@Suite struct SyntheticWorkloadTests {
    @Test func producesTheRequestedCountWithEveryContext() {
        var workload = SyntheticWorkload(seed: 5, events: 20_000)
        var count = 0
        var kinds: Set<RecordKind> = []
        var lastTime: UInt64 = 0
        var ordered = true
        var containerMntns: Set<UInt64> = []
        var eventMntns: Set<UInt64> = []
        for record in workload.initialSnapshot {
            if case .containerSnapshot(let started) = record { containerMntns.insert(started.container.mntns) }
        }
        while let record = workload.next() {
            count += 1
            kinds.insert(record.kind)
            ordered = ordered && record.timestamp >= lastTime
            lastTime = record.timestamp
            switch record {
            case .containerStarted(let started): containerMntns.insert(started.container.mntns)
            case .event(let event): eventMntns.insert(event.header.mntns)
            default: break
            }
        }
        #expect(count == 20_000)
        #expect(ordered)
        for type in EventType.allCases { #expect(kinds.contains(RecordKind(type)), "no \(type.name) events") }
        #expect(kinds.contains(.containerStarted) && kinds.contains(.containerStopped))
        #expect(eventMntns.contains(workload.host.hostMntns))
        #expect(!eventMntns.intersection(containerMntns).isEmpty)
    }
}
