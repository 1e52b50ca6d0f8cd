import LoupeModel

/// Field numbers shared by every event: the common header.
///
/// Payload fields of each event type start at 16, so header fields can grow to 15 while
/// keeping one-byte tags.
enum HeaderField {
    static let timestamp: UInt32 = 1
    static let cpu: UInt32 = 2
    static let pid: UInt32 = 3
    static let tid: UInt32 = 4
    static let ppid: UInt32 = 5
    static let uid: UInt32 = 6
    static let gid: UInt32 = 7
    static let mntns: UInt32 = 8
    static let cgroupID: UInt32 = 9
    static let comm: UInt32 = 10
    static let pcomm: UInt32 = 11
    static let exepath: UInt32 = 12
}

extension UInt32 {
    /// The one-byte tag of a header field (numbers below 16) with `wireType`.
    @inline(__always)
    func tag(_ wireType: UInt8) -> UInt8 { UInt8(self << 3) | wireType }
}

extension FieldWriter {
    /// Appends one framed record: varint kind, varint body length, body.
    mutating func record(_ record: Record) {
        appendVarint(UInt64(record.kind.rawValue))
        withLengthPrefix { body in body.recordBody(record) }
    }

    mutating func recordBody(_ record: Record) {
        switch record {
        case .event(let event):
            eventHeader(event.header)
            eventPayload(event.payload)
        case .containerStarted(let started), .containerSnapshot(let started):
            uint(1, started.timestamp)
            container(started.container)
        case .containerStopped(let stopped):
            uint(1, stopped.timestamp)
            string(2, stopped.id)
            uint(3, stopped.mntns)
            if let status = stopped.exitStatus { intAlways(4, Int64(status)) }
        case .processSnapshot(let process):
            uint(1, process.timestamp)
            uint(2, process.pid)
            uint(3, process.ppid)
            uint(4, process.uid)
            uint(5, process.gid)
            uint(6, process.mntns)
            bytes(7, process.comm)
            bytes(8, process.exepath)
            for arg in process.args { bytesAlways(9, arg) }
            bytes(10, process.cwd)
            uint(11, process.startTime)
            bool(12, process.upperLayer)
            for entry in process.loaderEnvironment { bytesAlways(13, entry) }
        case .clockSync(let anchor):
            uint(1, anchor.bootTime)
            int(2, anchor.wallTime)
        case .drop(let drop):
            uint(1, drop.timestamp)
            uint(2, drop.source.rawValue)
            if let type = drop.eventType { uintAlways(3, UInt64(type.rawValue)) }
            uint(4, drop.count)
            if let cpu = drop.cpu { uintAlways(5, UInt64(cpu)) }
            string(6, drop.detail)
        }
    }

    @inline(__always)
    mutating func eventHeader(_ header: EventHeader) {
        uint(HeaderField.timestamp, header.timestamp)
        uint(HeaderField.cpu, header.cpu)
        uint(HeaderField.pid, header.pid)
        uint(HeaderField.tid, header.tid)
        uint(HeaderField.ppid, header.ppid)
        uint(HeaderField.uid, header.uid)
        uint(HeaderField.gid, header.gid)
        uint(HeaderField.mntns, header.mntns)
        uint(HeaderField.cgroupID, header.cgroupID)
        bytes(HeaderField.comm, header.comm)
        bytes(HeaderField.pcomm, header.pcomm)
        bytes(HeaderField.exepath, header.exepath)
    }

    mutating func eventPayload(_ payload: EventPayload) {
        switch payload {
        case .exec(let exec):
            for arg in exec.args { bytesAlways(16, arg) }
            bytes(17, exec.cwd)
            bool(18, exec.upperLayer)
            bool(19, exec.parentUpperLayer)
            if let tty = exec.tty {
                uintAlways(20, UInt64(tty.major))
                uintAlways(21, UInt64(tty.minor))
            }
            for entry in exec.loaderEnvironment { bytesAlways(22, entry) }
            int(23, exec.retval)
        case .exit(let exit):
            int(16, exit.status)
        case .fork(let fork):
            uint(16, fork.childPid)
            uint(17, fork.childTid)
        case .open(let open):
            bytes(16, open.path)
            uint(17, open.flags)
            uint(18, open.mode)
            int(19, open.retval)
        case .network(let network):
            uint(16, network.operation.rawValue)
            uint(17, network.proto.rawValue)
            uint(18, network.direction.rawValue)
            address(19, network.srcAddr)
            uint(20, network.srcPort)
            address(21, network.dstAddr)
            uint(22, network.dstPort)
            int(23, network.retval)
        case .dns(let dns):
            bytes(16, dns.name)
            uint(17, dns.queryType)
            uint(18, dns.transactionID)
            bool(19, dns.isResponse)
            uint(20, dns.rcode)
            for answer in dns.answers { addressAlways(21, answer) }
            address(22, dns.srcAddr)
            uint(23, dns.srcPort)
            address(24, dns.dstAddr)
            uint(25, dns.dstPort)
        case .http(let http):
            uint(16, http.direction.rawValue)
            bytes(17, http.method)
            bytes(18, http.url)
            bytes(19, http.host)
            uint(20, http.statusCode)
            for header in http.headers {
                message(21) { fields in
                    fields.bytesAlways(1, header.name)
                    fields.bytesAlways(2, header.value)
                }
            }
            bytes(22, http.body)
            address(23, http.srcAddr)
            uint(24, http.srcPort)
            address(25, http.dstAddr)
            uint(26, http.dstPort)
        case .ssh(let ssh):
            uint(16, ssh.direction.rawValue)
            address(17, ssh.srcAddr)
            uint(18, ssh.srcPort)
            address(19, ssh.dstAddr)
            uint(20, ssh.dstPort)
        case .syscall(let syscall):
            uint(16, syscall.number)
            bytes(17, syscall.name)
        case .capabilities(let capabilities):
            uint(16, capabilities.capability)
            bytes(17, capabilities.syscallName)
            // Stored inverted so the common case (allowed) costs nothing.
            bool(18, !capabilities.allowed)
        case .symlink(let link), .hardlink(let link):
            bytes(16, link.oldPath)
            bytes(17, link.newPath)
            int(18, link.retval)
        case .ptrace(let ptrace):
            int(16, ptrace.request)
            uint(17, ptrace.targetPid)
            int(18, ptrace.retval)
        case .kmod(let kmod):
            bytes(16, kmod.module)
            bytes(17, kmod.syscallName)
            int(18, kmod.retval)
        case .unshare(let unshare):
            uint(16, unshare.flags)
            int(17, unshare.retval)
        case .iouring(let iouring):
            uint(16, iouring.opcode)
            uint(17, iouring.flags)
        case .randomx:
            break
        case .bpf(let bpf):
            uint(16, bpf.command)
            uint(17, bpf.attrSize)
            int(18, bpf.retval)
        case .procfs(let procfs):
            for arg in procfs.args { bytesAlways(16, arg) }
            bytes(17, procfs.cwd)
        }
    }

    @inline(__always)
    mutating func address(_ field: UInt32, _ address: IPAddress) {
        guard address.count > 0 else { return }
        addressAlways(field, address)
    }

    mutating func addressAlways(_ field: UInt32, _ address: IPAddress) {
        appendTag(field, .lengthDelimited)
        appendVarint(UInt64(address.count))
        for index in 0..<Int(address.count) { appendByte(address[index]) }
    }

    mutating func container(_ container: ContainerInfo) {
        string(2, container.id)
        string(3, container.name)
        uint(4, container.runtime.rawValue)
        string(5, container.image)
        string(6, container.imageDigest)
        uint(7, container.initPid)
        uint(8, container.mntns)
        uint(9, container.netns)
        string(10, container.cgroupPath)
        string(11, container.bundle)
        if let kubernetes = container.kubernetes {
            message(12) { fields in
                fields.string(1, kubernetes.namespace)
                fields.string(2, kubernetes.podName)
                fields.string(3, kubernetes.podUID)
                fields.string(4, kubernetes.containerName)
                fields.string(5, kubernetes.sandboxID)
                for label in kubernetes.labels { fields.label(6, label) }
            }
        }
        for mount in container.mounts { bytesAlways(13, Array(mount.utf8)) }
    }

    mutating func label(_ field: UInt32, _ label: Label) {
        message(field) { fields in
            fields.string(1, label.key)
            fields.string(2, label.value)
        }
    }
}
