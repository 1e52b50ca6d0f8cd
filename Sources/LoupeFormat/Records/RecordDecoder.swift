import LoupeModel

extension FieldReader {
    /// Decodes the body of a record of `kind`; nil when this version does not know the kind.
    mutating func recordBody(kind: UInt32) throws(DecodingError) -> Record? {
        if kind <= UInt32(UInt8.max), let type = EventType(rawValue: UInt8(kind)) {
            return .event(try event(type))
        }
        switch RecordKind(rawValue: kind) {
        case .containerStarted: return .containerStarted(try containerStarted())
        case .containerSnapshot: return .containerSnapshot(try containerStarted())
        case .containerStopped: return .containerStopped(try containerStopped())
        case .processSnapshot: return .processSnapshot(try processSnapshot())
        case .clockSync: return .clockSync(try clockAnchor())
        case .drop: return .drop(try drop())
        default: return nil
        }
    }

    // MARK: Events

    /// Stores a common-header field (numbers 1-15) found out of the writer's order.
    @inline(never)
    mutating func headerField(_ header: inout EventHeader, _ field: UInt32, _ wire: UInt8) throws(DecodingError) {
        switch field {
        case HeaderField.timestamp: header.timestamp = try uint64(wire)
        case HeaderField.cpu: header.cpu = try uint32(wire)
        case HeaderField.pid: header.pid = try uint32(wire)
        case HeaderField.tid: header.tid = try uint32(wire)
        case HeaderField.ppid: header.ppid = try uint32(wire)
        case HeaderField.uid: header.uid = try uint32(wire)
        case HeaderField.gid: header.gid = try uint32(wire)
        case HeaderField.mntns: header.mntns = try uint64(wire)
        case HeaderField.cgroupID: header.cgroupID = try uint64(wire)
        case HeaderField.comm: header.comm = try bytes(wire)
        case HeaderField.pcomm: header.pcomm = try bytes(wire)
        case HeaderField.exepath: header.exepath = try bytes(wire)
        default: try skip(wire)
        }
    }

    /// Consumes the one-byte tag `tag` if it is next.
    @inline(__always)
    private mutating func take(_ tag: UInt8) -> Bool {
        guard offset < end, pointer[offset] == tag else { return false }
        offset += 1
        return true
    }

    /// Consumes the two-byte tag of payload field `field` (16 to 2047) if it is next.
    @inline(__always)
    private mutating func take(payloadField field: UInt32, _ wireType: WireType) -> Bool {
        let tag = field << 3 | UInt32(wireType.rawValue)
        guard end - offset >= 2, pointer[offset] == UInt8(truncatingIfNeeded: tag) | 0x80,
            pointer[offset + 1] == UInt8(truncatingIfNeeded: tag >> 7)
        else { return false }
        offset += 2
        return true
    }

    /// Reads the leading run of header fields and stops at the first payload field.
    ///
    /// The writer emits header fields in field order, so the fast path checks for each
    /// expected tag in turn: straight-line code whose branches the CPU predicts, instead of
    /// a dispatch per field. Anything else (another writer's order, unknown header fields)
    /// falls through to the general loop.
    @inline(__always)
    mutating func leadingHeader() throws(DecodingError) -> EventHeader {
        var header = EventHeader()
        let varint = WireType.varint.rawValue
        let bytes = WireType.lengthDelimited.rawValue
        if take(HeaderField.timestamp.tag(varint)) { header.timestamp = try uint64(varint) }
        if take(HeaderField.cpu.tag(varint)) { header.cpu = try uint32(varint) }
        if take(HeaderField.pid.tag(varint)) { header.pid = try uint32(varint) }
        if take(HeaderField.tid.tag(varint)) { header.tid = try uint32(varint) }
        if take(HeaderField.ppid.tag(varint)) { header.ppid = try uint32(varint) }
        if take(HeaderField.uid.tag(varint)) { header.uid = try uint32(varint) }
        if take(HeaderField.gid.tag(varint)) { header.gid = try uint32(varint) }
        if take(HeaderField.mntns.tag(varint)) { header.mntns = try uint64(varint) }
        if take(HeaderField.cgroupID.tag(varint)) { header.cgroupID = try uint64(varint) }
        if take(HeaderField.comm.tag(bytes)) { header.comm = try self.bytes(bytes) }
        if take(HeaderField.pcomm.tag(bytes)) { header.pcomm = try self.bytes(bytes) }
        if take(HeaderField.exepath.tag(bytes)) { header.exepath = try self.bytes(bytes) }
        while offset < end {
            let tag = pointer[offset]
            guard tag < 0x80, tag >> 3 < 16 else { break }
            offset += 1
            try headerField(&header, UInt32(tag >> 3), tag & 7)
        }
        return header
    }

    /// Decodes an event of `type`.
    mutating func event(_ type: EventType) throws(DecodingError) -> Event {
        var header = try leadingHeader()
        let payload: EventPayload
        switch type {
        case .exec:
            var exec = ExecEvent()
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: exec.args.append(try bytes(wire))
                case 17: exec.cwd = try bytes(wire)
                case 18: exec.upperLayer = try bool(wire)
                case 19: exec.parentUpperLayer = try bool(wire)
                case 20: exec.tty = TerminalDevice(major: try uint32(wire), minor: exec.tty?.minor ?? 0)
                case 21: exec.tty = TerminalDevice(major: exec.tty?.major ?? 0, minor: try uint32(wire))
                case 22: exec.loaderEnvironment.append(try bytes(wire))
                case 23: exec.retval = try int32(wire)
                default: try skip(wire)
                }
            }
            payload = .exec(exec)
        case .exit:
            var exit = ExitEvent()
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: exit.status = try int32(wire)
                default: try skip(wire)
                }
            }
            payload = .exit(exit)
        case .fork:
            var fork = ForkEvent()
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: fork.childPid = try uint32(wire)
                case 17: fork.childTid = try uint32(wire)
                default: try skip(wire)
                }
            }
            payload = .fork(fork)
        case .open:
            // Opens are the most frequent event: take their fields in the writer's order first.
            var open = OpenEvent()
            if take(payloadField: 16, .lengthDelimited) { open.path = try bytes(WireType.lengthDelimited.rawValue) }
            if take(payloadField: 17, .varint) { open.flags = try uint32(WireType.varint.rawValue) }
            if take(payloadField: 18, .varint) { open.mode = try uint32(WireType.varint.rawValue) }
            if take(payloadField: 19, .varint) { open.retval = try int32(WireType.varint.rawValue) }
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: open.path = try bytes(wire)
                case 17: open.flags = try uint32(wire)
                case 18: open.mode = try uint32(wire)
                case 19: open.retval = try int32(wire)
                default: try skip(wire)
                }
            }
            payload = .open(open)
        case .network:
            var network = NetworkEvent(operation: .connect, proto: .other, direction: .unknown)
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: network.operation = NetworkOperation(rawValue: try uint8(wire)) ?? .connect
                case 17: network.proto = TransportProtocol(rawValue: try uint8(wire)) ?? .other
                case 18: network.direction = Direction(rawValue: try uint8(wire)) ?? .unknown
                case 19: network.srcAddr = try address(wire)
                case 20: network.srcPort = try uint16(wire)
                case 21: network.dstAddr = try address(wire)
                case 22: network.dstPort = try uint16(wire)
                case 23: network.retval = try int32(wire)
                default: try skip(wire)
                }
            }
            payload = .network(network)
        case .dns:
            var dns = DNSEvent(queryType: 0, dstPort: 0)
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: dns.name = try bytes(wire)
                case 17: dns.queryType = try uint16(wire)
                case 18: dns.transactionID = try uint16(wire)
                case 19: dns.isResponse = try bool(wire)
                case 20: dns.rcode = try uint8(wire)
                case 21: dns.answers.append(try address(wire))
                case 22: dns.srcAddr = try address(wire)
                case 23: dns.srcPort = try uint16(wire)
                case 24: dns.dstAddr = try address(wire)
                case 25: dns.dstPort = try uint16(wire)
                default: try skip(wire)
                }
            }
            payload = .dns(dns)
        case .http:
            var http = HTTPEvent(direction: .unknown)
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: http.direction = Direction(rawValue: try uint8(wire)) ?? .unknown
                case 17: http.method = try bytes(wire)
                case 18: http.url = try bytes(wire)
                case 19: http.host = try bytes(wire)
                case 20: http.statusCode = try uint16(wire)
                case 21:
                    var nested = try message(wire)
                    http.headers.append(try nested.httpHeader())
                case 22: http.body = try bytes(wire)
                case 23: http.srcAddr = try address(wire)
                case 24: http.srcPort = try uint16(wire)
                case 25: http.dstAddr = try address(wire)
                case 26: http.dstPort = try uint16(wire)
                default: try skip(wire)
                }
            }
            payload = .http(http)
        case .ssh:
            var ssh = SSHEvent(direction: .unknown)
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: ssh.direction = Direction(rawValue: try uint8(wire)) ?? .unknown
                case 17: ssh.srcAddr = try address(wire)
                case 18: ssh.srcPort = try uint16(wire)
                case 19: ssh.dstAddr = try address(wire)
                case 20: ssh.dstPort = try uint16(wire)
                default: try skip(wire)
                }
            }
            payload = .ssh(ssh)
        case .syscall:
            var syscall = SyscallEvent()
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: syscall.number = try uint32(wire)
                case 17: syscall.name = try bytes(wire)
                default: try skip(wire)
                }
            }
            payload = .syscall(syscall)
        case .capabilities:
            var capabilities = CapabilitiesEvent()
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: capabilities.capability = try uint32(wire)
                case 17: capabilities.syscallName = try bytes(wire)
                case 18: capabilities.allowed = !(try bool(wire))
                default: try skip(wire)
                }
            }
            payload = .capabilities(capabilities)
        case .symlink, .hardlink:
            var link = LinkEvent()
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: link.oldPath = try bytes(wire)
                case 17: link.newPath = try bytes(wire)
                case 18: link.retval = try int32(wire)
                default: try skip(wire)
                }
            }
            payload = type == .symlink ? .symlink(link) : .hardlink(link)
        case .ptrace:
            var ptrace = PtraceEvent()
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: ptrace.request = try int64(wire)
                case 17: ptrace.targetPid = try uint32(wire)
                case 18: ptrace.retval = try int32(wire)
                default: try skip(wire)
                }
            }
            payload = .ptrace(ptrace)
        case .kmod:
            var kmod = KmodEvent()
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: kmod.module = try bytes(wire)
                case 17: kmod.syscallName = try bytes(wire)
                case 18: kmod.retval = try int32(wire)
                default: try skip(wire)
                }
            }
            payload = .kmod(kmod)
        case .unshare:
            var unshare = UnshareEvent()
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: unshare.flags = try uint64(wire)
                case 17: unshare.retval = try int32(wire)
                default: try skip(wire)
                }
            }
            payload = .unshare(unshare)
        case .iouring:
            var iouring = IOUringEvent()
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: iouring.opcode = try uint32(wire)
                case 17: iouring.flags = try uint32(wire)
                default: try skip(wire)
                }
            }
            payload = .iouring(iouring)
        case .randomx:
            while let (field, wire) = try nextField() {
                if field < 16 { try headerField(&header, field, wire) } else { try skip(wire) }
            }
            payload = .randomx
        case .bpf:
            var bpf = BPFEvent()
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: bpf.command = try uint32(wire)
                case 17: bpf.attrSize = try uint32(wire)
                case 18: bpf.retval = try int32(wire)
                default: try skip(wire)
                }
            }
            payload = .bpf(bpf)
        case .procfs:
            var procfs = ProcfsEvent()
            while let (field, wire) = try nextField() {
                if field < 16 {
                    try headerField(&header, field, wire)
                    continue
                }
                switch field {
                case 16: procfs.args.append(try bytes(wire))
                case 17: procfs.cwd = try bytes(wire)
                default: try skip(wire)
                }
            }
            payload = .procfs(procfs)
        }
        return Event(header: header, payload: payload)
    }

    mutating func httpHeader() throws(DecodingError) -> HTTPHeader {
        var header = HTTPHeader(name: .empty, value: .empty)
        while let (field, wire) = try nextField() {
            switch field {
            case 1: header.name = try bytes(wire)
            case 2: header.value = try bytes(wire)
            default: try skip(wire)
            }
        }
        return header
    }

    // MARK: Other records

    mutating func containerStarted() throws(DecodingError) -> ContainerStarted {
        var timestamp: UInt64 = 0
        var container = ContainerInfo(id: "")
        while let (field, wire) = try nextField() {
            switch field {
            case 1: timestamp = try uint64(wire)
            case 2: container.id = try string(wire)
            case 3: container.name = try string(wire)
            case 4: container.runtime = ContainerRuntime(rawValue: try uint8(wire)) ?? .unknown
            case 5: container.image = try string(wire)
            case 6: container.imageDigest = try string(wire)
            case 7: container.initPid = try uint32(wire)
            case 8: container.mntns = try uint64(wire)
            case 9: container.netns = try uint64(wire)
            case 10: container.cgroupPath = try string(wire)
            case 11: container.bundle = try string(wire)
            case 12:
                var nested = try message(wire)
                container.kubernetes = try nested.kubernetesIdentity()
            case 13: container.mounts.append(try string(wire))
            default: try skip(wire)
            }
        }
        return ContainerStarted(timestamp: timestamp, container: container)
    }

    mutating func kubernetesIdentity() throws(DecodingError) -> KubernetesIdentity {
        var identity = KubernetesIdentity(namespace: "", podName: "")
        var labels: [Label] = []
        while let (field, wire) = try nextField() {
            switch field {
            case 1: identity.namespace = try string(wire)
            case 2: identity.podName = try string(wire)
            case 3: identity.podUID = try string(wire)
            case 4: identity.containerName = try string(wire)
            case 5: identity.sandboxID = try string(wire)
            case 6:
                var nested = try message(wire)
                labels.append(try nested.label())
            default: try skip(wire)
            }
        }
        identity.labels = labels
        return identity
    }

    mutating func label() throws(DecodingError) -> Label {
        var label = Label("", "")
        while let (field, wire) = try nextField() {
            switch field {
            case 1: label.key = try string(wire)
            case 2: label.value = try string(wire)
            default: try skip(wire)
            }
        }
        return label
    }

    mutating func containerStopped() throws(DecodingError) -> ContainerStopped {
        var stopped = ContainerStopped(timestamp: 0, id: "", mntns: 0)
        while let (field, wire) = try nextField() {
            switch field {
            case 1: stopped.timestamp = try uint64(wire)
            case 2: stopped.id = try string(wire)
            case 3: stopped.mntns = try uint64(wire)
            case 4: stopped.exitStatus = try int32(wire)
            default: try skip(wire)
            }
        }
        return stopped
    }

    mutating func processSnapshot() throws(DecodingError) -> ProcessSnapshot {
        var process = ProcessSnapshot(pid: 0)
        while let (field, wire) = try nextField() {
            switch field {
            case 1: process.timestamp = try uint64(wire)
            case 2: process.pid = try uint32(wire)
            case 3: process.ppid = try uint32(wire)
            case 4: process.uid = try uint32(wire)
            case 5: process.gid = try uint32(wire)
            case 6: process.mntns = try uint64(wire)
            case 7: process.comm = try bytes(wire)
            case 8: process.exepath = try bytes(wire)
            case 9: process.args.append(try bytes(wire))
            case 10: process.cwd = try bytes(wire)
            case 11: process.startTime = try uint64(wire)
            case 12: process.upperLayer = try bool(wire)
            case 13: process.loaderEnvironment.append(try bytes(wire))
            default: try skip(wire)
            }
        }
        return process
    }

    mutating func clockAnchor() throws(DecodingError) -> ClockAnchor {
        var anchor = ClockAnchor(bootTime: 0, wallTime: 0)
        while let (field, wire) = try nextField() {
            switch field {
            case 1: anchor.bootTime = try uint64(wire)
            case 2: anchor.wallTime = try int64(wire)
            default: try skip(wire)
            }
        }
        return anchor
    }

    mutating func drop() throws(DecodingError) -> DropRecord {
        var drop = DropRecord(timestamp: 0, source: .unknown, count: 0)
        while let (field, wire) = try nextField() {
            switch field {
            case 1: drop.timestamp = try uint64(wire)
            case 2: drop.source = DropSource(rawValue: try uint8(wire)) ?? .unknown
            case 3: drop.eventType = EventType(rawValue: try uint8(wire))
            case 4: drop.count = try uint64(wire)
            case 5: drop.cpu = try uint32(wire)
            case 6: drop.detail = try string(wire)
            default: try skip(wire)
            }
        }
        return drop
    }

    mutating func address(_ wire: UInt8) throws(DecodingError) -> IPAddress {
        let range = try lengthDelimited(wire)
        guard range.count == 4 || range.count == 16 else {
            throw .malformed("address of \(range.count) bytes (expected 4 or 16)")
        }
        return IPAddress(bytes: UnsafeBufferPointer(rebasing: pointer[range]))
    }
}
