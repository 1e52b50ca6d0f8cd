public import LoupeModel

extension Alert {
    /// The alert as one line of JSON, keys in a fixed order (kubescape's stdout shape plus
    /// `AlertPlatform`, `SourceContext`, `HostDetails`, `DockerDetails`, `WorkloadIdentifier`).
    public func json() -> String {
        var w = JSONWriter()
        write(into: &w)
        return w.string
    }

    public func write(into w: inout JSONWriter) {
        w.beginObject()
        w.field("AlertPlatform", context.name)
        w.key("BaseRuntimeMetadata")
        writeBase(into: &w)
        w.key("CloudMetadata")
        w.null()
        if context == .docker, let c = container {
            w.key("DockerDetails")
            w.beginObject()
            w.field("containerId", c.id)
            w.field("containerName", c.name)
            w.field("hostname", hostname)
            w.field("image", c.image)
            if !c.imageDigest.isEmpty { w.field("imageDigest", c.imageDigest) }
            w.endObject()
        }
        if context == .host {
            w.key("HostDetails")
            w.beginObject()
            w.field("hostname", hostname)
            w.field("nodeName", nodeName)
            w.endObject()
        }
        w.field("RuleID", ruleID)
        w.key("RuntimeK8sDetails")
        writeKubernetes(into: &w)
        w.key("RuntimeProcessDetails")
        w.beginObject()
        w.field("containerID", containerID)
        w.key("processTree")
        writeTree(lineage[...].reversed()[...], into: &w)
        w.endObject()
        w.field("SourceContext", context.name)
        w.field("WorkloadIdentifier", workloadIdentifier)
        w.field("message", message)
        w.endObject()
    }

    private func writeBase(into w: inout JSONWriter) {
        w.beginObject()
        w.field("alertName", alertName)
        w.key("arguments")
        w.beginObject()
        w.field("apChecksum", "")
        for (k, v) in arguments {
            switch v {
            case .string(let s): w.field(k, s)
            case .int(let i): w.field(k, i)
            case .strings(let list): w.field(k, strings: list)
            }
        }
        w.field("message", message)
        w.endObject()
        w.key("identifiers")
        w.beginObject()
        w.field("eventType", eventType.name)
        w.endObject()
        w.field("infectedPID", infectedPID)
        w.field("isTriggerAlert", isTriggerAlert)
        if lateAttribution { w.field("lateAttribution", true) }
        if !mitreTactic.isEmpty { w.field("mitreTactic", mitreTactic) }
        if !mitreTechnique.isEmpty { w.field("mitreTechnique", mitreTechnique) }
        w.field("severity", severity)
        w.field("timestamp", WallClock.rfc3339(nanoseconds: wallTime))
        w.field("uniqueID", uniqueID)
        w.endObject()
    }

    private func writeKubernetes(into w: inout JSONWriter) {
        let c = container
        let k = c?.kubernetes
        w.beginObject()
        w.field("clusterName", clusterName)
        w.field("containerID", c?.id ?? "")
        w.field("containerName", k?.containerName ?? c?.name ?? "")
        w.field("hostNetwork", false)
        w.field("image", c?.image ?? "")
        w.field("imageDigest", c?.imageDigest ?? "")
        w.field("namespace", k?.namespace ?? "")
        w.field("nodeName", nodeName)
        w.field("podName", k?.podName ?? "")
        w.key("podLabels")
        w.beginObject()
        for label in k?.labels ?? [] { w.field(label.key, label.value) }
        w.endObject()
        w.field("podNamespace", k?.namespace ?? "")
        w.field("podUID", k?.podUID ?? "")
        w.field("workloadKind", k == nil ? "" : workloadKind)
        w.field("workloadName", k == nil ? "" : workloadName)
        w.field("workloadNamespace", k?.namespace ?? "")
        w.field("workloadUID", "")
        w.endObject()
    }

    /// Writes the chain root-first: each process holds its one known child in `childrenMap`,
    /// keyed `comm/pid`.
    private func writeTree(_ chain: ArraySlice<ProcessInfo>, into w: inout JSONWriter) {
        guard let p = chain.first else {
            w.null()
            return
        }
        let parent = lineage.first { $0.pid == p.ppid }
        w.beginObject()
        w.field("pid", p.pid)
        w.field("cmdline", p.cmdline)
        w.field("comm", p.comm)
        w.field("ppid", p.ppid)
        w.field("pcomm", parent?.comm ?? .empty)
        w.field("uid", p.uid)
        w.field("gid", p.gid)
        if p.startTime != 0 {
            let age = Int64(bitPattern: bootTime) &- Int64(bitPattern: p.startTime)
            w.field("startTime", WallClock.rfc3339(nanoseconds: wallTime &- age))
        }
        w.field("upperLayer", p.upperLayer)
        w.field("cwd", p.cwd)
        w.field("path", p.path)
        w.key("childrenMap")
        w.beginObject()
        let rest = chain.dropFirst()
        if let child = rest.first {
            w.key("\(child.comm.string)/\(child.pid)")
            writeTree(rest, into: &w)
        }
        w.endObject()
        w.endObject()
    }
}
