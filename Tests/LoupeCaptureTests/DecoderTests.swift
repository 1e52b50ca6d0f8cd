import LoupeModel
import TestSupport
import Testing

@testable import LoupeCapture

@Suite struct DecoderTests {
    func event(_ builder: KernelRecordBuilder, decoder: inout KernelRecordDecoder) throws -> Event {
        let decoded = decoder.decode(builder.bytes)
        let record = try #require(decoded)
        guard case .event(let event) = record else { throw Failure("not an event: \(record)") }
        return event
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func execRecord() -> KernelRecordBuilder {
        var b = KernelRecordBuilder(type: 1, size: Layout.exec, flags: 1)
        b.put32(88, 0)  // retval
        b.put32(92, 3)  // argc
        b.put32(96, 136)
        b.put32(100, 2)
        b.put8(104, 1)  // has_tty
        b.put8(105, 1)  // upper_layer
        b.put8(106, 0)
        b.put32(108, 101)
        b.string(112, "/usr/bin/cat")
        b.string(116, "cat")
        b.string(120, "/root")
        b.string(124, Array("cat\0/etc/shadow\0-n\0".utf8))
        b.string(128, Array("LD_PRELOAD=/tmp/x.so\0".utf8))
        return b
    }

    @Test func execRecordDecodesEveryField() throws {
        var decoder = KernelRecordDecoder()
        let event = try self.event(Self.execRecord(), decoder: &decoder)
        #expect(event.header.timestamp == 1_000)
        #expect(event.header.pid == 100 && event.header.tid == 101 && event.header.ppid == 99)
        #expect(event.header.uid == 1000 && event.header.gid == 1001)
        #expect(event.header.mntns == 4_026_531_840 && event.header.cgroupID == 7 && event.header.cpu == 1)
        #expect(event.header.comm == "cat" && event.header.pcomm == "bash")
        #expect(event.header.exepath == "/usr/bin/cat")
        guard case .exec(let exec) = event.payload else { throw Failure("payload \(event.payload)") }
        #expect(exec.args == ["cat", "/etc/shadow", "-n"])
        #expect(exec.cwd == "/root")
        #expect(exec.upperLayer && !exec.parentUpperLayer)
        #expect(exec.tty == TerminalDevice(major: 136, minor: 2))
        #expect(exec.loaderEnvironment == ["LD_PRELOAD=/tmp/x.so"])
        #expect(exec.retval == 0)
    }

    @Test func failedExecFallsBackToFilename() throws {
        var b = KernelRecordBuilder(type: 1, size: Layout.exec)
        b.put32(88, UInt32(bitPattern: -2))
        b.string(116, "/nonexistent")
        b.string(124, Array("/nonexistent\0x".utf8))  // last element without its NUL
        var decoder = KernelRecordDecoder()
        let event = try self.event(b, decoder: &decoder)
        #expect(event.header.exepath == "/nonexistent")
        guard case .exec(let exec) = event.payload else { throw Failure("payload") }
        #expect(exec.retval == -2 && exec.tty == nil && exec.args == ["/nonexistent", "x"])
    }

    @Test func executableIsRememberedForLaterEventsAndForks() throws {
        var decoder = KernelRecordDecoder()
        _ = try event(Self.execRecord(), decoder: &decoder)
        var open = KernelRecordBuilder(type: 4, size: Layout.open)
        open.string(104, "/etc/passwd")
        #expect(try event(open, decoder: &decoder).header.exepath == "/usr/bin/cat")
        var fork = KernelRecordBuilder(type: 3, size: Layout.fork)
        fork.put32(88, 555)
        fork.put32(92, 555)
        _ = try event(fork, decoder: &decoder)
        let child = KernelRecordBuilder(type: 4, size: Layout.open, pid: 555, tid: 555, ppid: 100)
        #expect(try event(child, decoder: &decoder).header.exepath == "/usr/bin/cat")
        var exit = KernelRecordBuilder(type: 2, size: Layout.exit)
        exit.put32(88, 0x0100)
        guard case .exit(let status) = try event(exit, decoder: &decoder).payload else { throw Failure("exit") }
        #expect(status.exitCode == 1)
        #expect(try event(open, decoder: &decoder).header.exepath.isEmpty)
        decoder.rememberExecutable(pid: 100, exepath: "/bin/sh")
        #expect(try event(open, decoder: &decoder).header.exepath == "/bin/sh")
    }

    @Test func openRecord() throws {
        var b = KernelRecordBuilder(type: 4, size: Layout.open)
        b.put32(88, 3)
        b.put32(92, UInt32(bitPattern: -100))
        b.put32(96, 0o2_000_101)
        b.put32(100, 0o600)
        b.string(104, "/etc/shadow")
        var decoder = KernelRecordDecoder()
        #expect(
            try event(b, decoder: &decoder).payload
                == .open(OpenEvent(path: "/etc/shadow", flags: 0o2_000_101, mode: 0o600, retval: 3)))
    }

    @Test func networkRecordsV4AndV6() throws {
        var b = KernelRecordBuilder(type: 5, size: Layout.network)
        b.put32(88, 0)
        b.put8(92, 1)  // connect
        b.put8(93, 2)  // AF_INET
        b.put8(94, 6)
        b.put8(95, 1)
        b.put16(96, 40000)
        b.put16(98, 8080)
        b.put(104, [127, 0, 0, 1])
        b.put(120, [10, 1, 2, 3])
        var decoder = KernelRecordDecoder()
        #expect(
            try event(b, decoder: &decoder).payload
                == .network(
                    NetworkEvent(
                        operation: .connect, proto: .tcp, direction: .outgoing, srcAddr: IPAddress("127.0.0.1")!,
                        srcPort: 40000, dstAddr: IPAddress("10.1.2.3")!, dstPort: 8080)))
        b.put8(92, 2)  // accept
        b.put8(93, 10)
        b.put8(94, 17)
        b.put8(95, 2)
        b.put(104, [UInt8](repeating: 0, count: 15) + [1])
        b.put(120, [0xfe, 0x80] + [UInt8](repeating: 0, count: 13) + [9])
        guard case .network(let v6) = try event(b, decoder: &decoder).payload else { throw Failure("network") }
        #expect(v6.operation == .accept && v6.proto == .udp && v6.direction == .incoming)
        #expect(v6.srcAddr.description == "::1" && v6.dstAddr.description == "fe80::9")
    }

    @Test func dnsQueryAndAnswer() throws {
        var query = KernelRecordBuilder(type: 6, size: Layout.dns)
        query.put8(88, 2)
        query.put8(89, 1)
        query.put16(90, 5353)
        query.put16(92, 53)
        query.put(100, [127, 0, 0, 1])
        query.put(116, [127, 0, 0, 53])
        query.string(132, dnsMessage(id: 0x1234, response: false, name: ["evil", "example"]))
        var decoder = KernelRecordDecoder()
        guard case .dns(let q) = try event(query, decoder: &decoder).payload else { throw Failure("dns") }
        #expect(q.name == "evil.example." && q.queryType == 1 && q.transactionID == 0x1234 && !q.isResponse)
        #expect(q.dstAddr.description == "127.0.0.53" && q.dstPort == 53 && q.srcPort == 5353)

        var answer = KernelRecordBuilder(type: 6, size: Layout.dns)
        answer.put8(88, 2)
        answer.put8(89, 2)
        answer.string(
            132,
            dnsMessage(
                id: 7, response: true, rcode: 0, name: ["a", "b"], type: 28,
                answers: [[10, 9, 8, 7], [UInt8](repeating: 0, count: 15) + [1]]))
        guard case .dns(let a) = try event(answer, decoder: &decoder).payload else { throw Failure("dns") }
        #expect(a.isResponse && a.name == "a.b." && a.queryType == 28 && a.transactionID == 7)
        #expect(a.answers.map(\.description) == ["10.9.8.7", "::1"])
    }

    @Test func syscallRecordsOfEveryOtherType() throws {
        var decoder = KernelRecordDecoder()
        var ptrace = KernelRecordBuilder(type: 7, size: Layout.ptrace)
        ptrace.put32(92, 4242)
        ptrace.put64(96, 16)
        #expect(try event(ptrace, decoder: &decoder).payload == .ptrace(PtraceEvent(request: 16, targetPid: 4242)))
        var kmod = KernelRecordBuilder(type: 8, size: Layout.kmod)
        kmod.put32(88, UInt32(bitPattern: -38))
        kmod.put32(92, 2)
        kmod.string(112, "/dev/null")
        #expect(
            try event(kmod, decoder: &decoder).payload
                == .kmod(KmodEvent(module: "/dev/null", syscallName: "finit_module", retval: -38)))
        var unshare = KernelRecordBuilder(type: 9, size: Layout.unshare)
        unshare.put64(96, 0x0400_0000)
        #expect(try event(unshare, decoder: &decoder).payload == .unshare(UnshareEvent(flags: 0x0400_0000)))
        for (type, expected) in [(UInt16(10), "symlink"), (11, "hardlink")] {
            var link = KernelRecordBuilder(type: type, size: Layout.link)
            link.string(104, "/etc/shadow")
            link.string(108, "/tmp/s")
            let payload = try event(link, decoder: &decoder).payload
            #expect(payload.type.name == expected)
            if case .symlink(let l) = payload { #expect(l.oldPath == "/etc/shadow" && l.newPath == "/tmp/s") }
            if case .hardlink(let l) = payload { #expect(l.oldPath == "/etc/shadow" && l.newPath == "/tmp/s") }
        }
        var bpf = KernelRecordBuilder(type: 12, size: Layout.bpf)
        bpf.put32(88, UInt32(bitPattern: -1))
        bpf.put32(92, 5)
        bpf.put32(96, 144)
        #expect(try event(bpf, decoder: &decoder).payload == .bpf(BPFEvent(command: 5, attrSize: 144, retval: -1)))
        var setup = KernelRecordBuilder(type: 13, size: Layout.iouring)
        setup.put32(88, 1)
        setup.put32(100, 2)
        #expect(
            try event(setup, decoder: &decoder).payload
                == .iouring(IOUringEvent(opcode: IOUringEvent.setupOpcode, flags: 2)))
        var submit = KernelRecordBuilder(type: 13, size: Layout.iouring)
        submit.put32(88, 2)
        submit.put32(96, 18)
        #expect(try event(submit, decoder: &decoder).payload == .iouring(IOUringEvent(opcode: 18, flags: 0)))
        var capability = KernelRecordBuilder(type: 14, size: Layout.capability)
        capability.put32(88, UInt32(bitPattern: -1))
        capability.put32(92, 21)
        capability.put32(100, 321)
        #expect(
            try event(capability, decoder: &decoder).payload
                == .capabilities(CapabilitiesEvent(capability: 21, syscallName: "bpf", allowed: false)))
        #expect(try event(KernelRecordBuilder(type: 15, size: Layout.randomx), decoder: &decoder).payload == .randomx)
        var syscall = KernelRecordBuilder(type: 16, size: Layout.syscall)
        syscall.put32(88, 272)
        #expect(
            try event(syscall, decoder: &decoder).payload == .syscall(SyscallEvent(number: 272, name: "unshare")))
    }

    @Test func everyPrefixOfARecordIsRejectedWithoutTrapping() {
        let bytes = Self.execRecord().bytes
        var decoder = KernelRecordDecoder()
        for length in 0..<bytes.count {
            let decoded = decoder.decode(Array(bytes[0..<length]))
            #expect(decoded == nil)
        }
        #expect(decoder.malformedRecords == UInt64(bytes.count))
        let whole = decoder.decode(bytes)
        #expect(whole != nil)
    }

    @Test func lyingLengthsAndStringsOutsideTheRecord() throws {
        var decoder = KernelRecordDecoder()
        var b = KernelRecordBuilder(type: 4, size: Layout.open)
        b.put16(104, 10)  // offset inside the common header
        b.put16(106, 8)
        #expect(try event(b, decoder: &decoder).payload == .open(OpenEvent()))
        b.put16(104, UInt16(Layout.open))
        b.put16(106, 60_000)  // far past the end
        #expect(try event(b, decoder: &decoder).payload == .open(OpenEvent()))
        #expect(decoder.badStrings == 2)
        var short = KernelRecordBuilder(type: 1, size: Layout.open)  // exec type, open size
        short.put32(0, UInt32(Layout.open))
        let shortRecord = decoder.decode(short.bytes)
        #expect(shortRecord == nil)
        let unknown = decoder.decode(KernelRecordBuilder(type: 99, size: 96).bytes)
        #expect(unknown == nil)
        #expect(decoder.unknownRecords == 1)
        // Trailing ring padding beyond hdr.len is ignored.
        let padded = decoder.decode(Self.execRecord().bytes + [0, 0, 0, 0])
        #expect(padded != nil)
    }

    @Test func randomGarbageNeverTraps() {
        var random = SeededRandom(seed: 5)
        var decoder = KernelRecordDecoder()
        let valid = Self.execRecord().bytes
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<8 { bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next()) }
            if random.below(4) == 0 { bytes.removeLast(random.below(bytes.count)) }
            _ = decoder.decode(bytes)
            var noise = [UInt8](repeating: 0, count: random.below(300))
            for index in noise.indices { noise[index] = UInt8(truncatingIfNeeded: random.next()) }
            _ = decoder.decode(noise)
            _ = DNSMessage.parse(noise)
        }
    }

    @Test func dnsParserSurvivesLoopsAndCuts() {
        // A name that points at itself.
        var looping: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]
        #expect(DNSMessage.parse(looping)?.name == [])
        looping[13] = 200  // points past the end
        #expect(DNSMessage.parse(looping)?.name == [])
        let message = dnsMessage(id: 1, response: true, name: ["x", "org"], answers: [[1, 2, 3, 4]])
        for length in 0..<message.count {
            let parsed = DNSMessage.parse(message[0..<length])
            #expect((parsed == nil) == (length < 12))
            if let parsed { #expect(parsed.answers.count <= 1) }
        }
        #expect(DNSMessage.parse(message)?.answers == [IPAddress("1.2.3.4")!])
        #expect(DNSMessage.parse(dnsMessage(id: 1, response: false, name: []))?.name == Array(".".utf8))
    }

    @Test func dropCounterDeltasBecomeDropRecords() {
        var before = DropCounters()
        var after = DropCounters()
        after.slots[DropCounters.Reason.ringBuffer.rawValue * DropCounters.typeSlots + 4] = 10
        before.slots[DropCounters.Reason.ringBuffer.rawValue * DropCounters.typeSlots + 4] = 3
        after.slots[DropCounters.Reason.truncated.rawValue * DropCounters.typeSlots + 1] = 2
        let records = after.dropRecords(since: before, timestamp: 77)
        #expect(records.count == 2)
        #expect(records[0].source == .ringBuffer && records[0].eventType == .open && records[0].count == 7)
        #expect(records[1].source == .truncation && records[1].eventType == .exec && records[1].count == 2)
        #expect(records.allSatisfy { $0.timestamp == 77 })
        #expect(after.dropRecords(since: after, timestamp: 1).isEmpty)
    }
}
