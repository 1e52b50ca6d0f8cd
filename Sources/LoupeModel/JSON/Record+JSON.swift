extension Record {
    /// Writes the record as one JSON object: `kind`, `timestamp` (boot ns), `time` (RFC 3339,
    /// when a clock anchor is known), then the record's own fields in a fixed order.
    public func writeJSON(into json: inout JSONWriter, clock: ClockAnchor?) {
        json.beginObject()
        json.field("kind", kind.name)
        json.field("timestamp", timestamp)
        if let clock {
            json.field("time", WallClock.rfc3339(nanoseconds: clock.wallTime(ofBootTime: timestamp)))
        }
        switch self {
        case .event(let event):
            event.header.writeJSONFields(into: &json)
            event.payload.writeJSONFields(into: &json)
        case .containerStarted(let started), .containerSnapshot(let started):
            json.key("container")
            started.container.writeJSON(into: &json)
        case .containerStopped(let stopped):
            json.field("id", stopped.id)
            json.field("mntns", stopped.mntns)
            if let status = stopped.exitStatus { json.field("exitStatus", status) }
        case .processSnapshot(let process):
            json.field("pid", process.pid)
            json.field("ppid", process.ppid)
            json.field("uid", process.uid)
            json.field("gid", process.gid)
            json.field("mntns", process.mntns)
            json.field("comm", process.comm)
            json.field("exepath", process.exepath)
            json.field("args", strings: process.args)
            json.field("cwd", process.cwd)
            json.field("startTime", process.startTime)
            json.field("upperLayer", process.upperLayer)
            json.field("loaderEnvironment", strings: process.loaderEnvironment)
        case .clockSync(let anchor):
            json.field("wallTime", anchor.wallTime)
        case .drop(let drop):
            json.field("source", drop.source.name)
            if let type = drop.eventType { json.field("eventType", type.name) }
            json.field("count", drop.count)
            if let cpu = drop.cpu { json.field("cpu", cpu) }
            json.field("detail", drop.detail)
        }
        json.endObject()
    }
}

extension EventHeader {
    func writeJSONFields(into json: inout JSONWriter) {
        json.field("cpu", cpu)
        json.field("pid", pid)
        json.field("tid", tid)
        json.field("ppid", ppid)
        json.field("uid", uid)
        json.field("gid", gid)
        json.field("mntns", mntns)
        json.field("cgroupId", cgroupID)
        json.field("comm", comm)
        json.field("pcomm", pcomm)
        json.field("exepath", exepath)
    }
}

extension EventPayload {
    func writeJSONFields(into json: inout JSONWriter) {
        switch self {
        case .exec(let exec):
            json.field("args", strings: exec.args)
            json.field("cwd", exec.cwd)
            json.field("upperLayer", exec.upperLayer)
            json.field("parentUpperLayer", exec.parentUpperLayer)
            if let tty = exec.tty {
                json.field("ttyMajor", tty.major)
                json.field("ttyMinor", tty.minor)
            }
            json.field("loaderEnvironment", strings: exec.loaderEnvironment)
            json.field("retval", exec.retval)
        case .exit(let exit):
            json.field("exitCode", exit.exitCode)
            json.field("signal", exit.signal)
        case .fork(let fork):
            json.field("childPid", fork.childPid)
            json.field("childTid", fork.childTid)
        case .open(let open):
            json.field("path", open.path)
            json.field("flagsRaw", open.flags)
            json.field("mode", open.mode)
            json.field("retval", open.retval)
        case .network(let network):
            json.field("operation", network.operation.name)
            json.field("proto", network.proto.name)
            json.field("direction", network.direction.name)
            writeEndpoints(network.srcAddr, network.srcPort, network.dstAddr, network.dstPort, into: &json)
            json.field("retval", network.retval)
        case .dns(let dns):
            json.field("name", dns.name)
            json.field("queryType", dns.queryType)
            json.field("id", dns.transactionID)
            json.field("response", dns.isResponse)
            json.field("rcode", dns.rcode)
            json.field("answers", strings: dns.answers.map(\.description))
            writeEndpoints(dns.srcAddr, dns.srcPort, dns.dstAddr, dns.dstPort, into: &json)
        case .http(let http):
            json.field("direction", http.direction.name)
            json.field("method", http.method)
            json.field("url", http.url)
            json.field("host", http.host)
            json.field("statusCode", http.statusCode)
            json.key("headers")
            json.beginArray()
            for header in http.headers {
                json.beginArray()
                json.value(header.name)
                json.value(header.value)
                json.endArray()
            }
            json.endArray()
            json.field("body", http.body)
            writeEndpoints(http.srcAddr, http.srcPort, http.dstAddr, http.dstPort, into: &json)
        case .ssh(let ssh):
            json.field("direction", ssh.direction.name)
            writeEndpoints(ssh.srcAddr, ssh.srcPort, ssh.dstAddr, ssh.dstPort, into: &json)
        case .syscall(let syscall):
            json.field("syscallNumber", syscall.number)
            json.field("syscallName", syscall.name)
        case .capabilities(let capabilities):
            json.field("capability", capabilities.capability)
            json.field("syscallName", capabilities.syscallName)
            json.field("allowed", capabilities.allowed)
        case .symlink(let link), .hardlink(let link):
            json.field("oldPath", link.oldPath)
            json.field("newPath", link.newPath)
            json.field("retval", link.retval)
        case .ptrace(let ptrace):
            json.field("request", ptrace.request)
            json.field("targetPid", ptrace.targetPid)
            json.field("retval", ptrace.retval)
        case .kmod(let kmod):
            json.field("module", kmod.module)
            json.field("syscallName", kmod.syscallName)
            json.field("retval", kmod.retval)
        case .unshare(let unshare):
            json.field("flags", unshare.flags)
            json.field("retval", unshare.retval)
        case .iouring(let iouring):
            json.field("opcode", iouring.opcode)
            json.field("flags", iouring.flags)
        case .randomx:
            break
        case .bpf(let bpf):
            json.field("cmd", bpf.command)
            json.field("attrSize", bpf.attrSize)
            json.field("retval", bpf.retval)
        case .procfs(let procfs):
            json.field("args", strings: procfs.args)
            json.field("cwd", procfs.cwd)
        }
    }

    private func writeEndpoints(
        _ srcAddr: IPAddress, _ srcPort: UInt16, _ dstAddr: IPAddress, _ dstPort: UInt16,
        into json: inout JSONWriter
    ) {
        json.field("srcAddr", srcAddr.description)
        json.field("srcPort", srcPort)
        json.field("dstAddr", dstAddr.description)
        json.field("dstPort", dstPort)
    }
}

extension ContainerInfo {
    /// Writes the container as one JSON object with a fixed key order.
    public func writeJSON(into json: inout JSONWriter) {
        json.beginObject()
        json.field("id", id)
        json.field("name", name)
        json.field("runtime", runtime.name)
        json.field("context", context.name)
        json.field("image", image)
        json.field("imageDigest", imageDigest)
        json.field("initPid", initPid)
        json.field("mntns", mntns)
        json.field("netns", netns)
        json.field("cgroupPath", cgroupPath)
        json.field("bundle", bundle)
        if !mounts.isEmpty { json.field("mounts", strings: mounts) }
        if let kubernetes {
            json.key("kubernetes")
            json.beginObject()
            json.field("namespace", kubernetes.namespace)
            json.field("podName", kubernetes.podName)
            json.field("podUID", kubernetes.podUID)
            json.field("containerName", kubernetes.containerName)
            json.field("sandboxId", kubernetes.sandboxID)
            json.key("labels")
            json.beginObject()
            for label in kubernetes.labels { json.field(label.key, label.value) }
            json.endObject()
            json.endObject()
        }
        json.endObject()
    }
}
