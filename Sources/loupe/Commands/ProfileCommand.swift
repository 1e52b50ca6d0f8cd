import LoupeEngine
import LoupeFormat
import LoupeModel

#if canImport(Glibc)
    import Glibc
#endif

/// `loupe profile`: learned profiles (kubescape's ApplicationProfile and NetworkNeighborhood).
enum ProfileCommand: CommandGroup {
    static let name = "profile"
    static let summary = "Learn a pod container's profile from a capture"
    static var subcommands: [any Command.Type] { [ProfileLearnCommand.self] }
}

/// `loupe profile learn`.
enum ProfileLearnCommand: Command {
    static let name = "learn"
    static let summary = "Write the ApplicationProfile and NetworkNeighborhood of what a container did"
    static let help = """
        Usage: loupe profile learn CAPTURE (--container NAME_OR_ID | --pod POD | --workload KIND/NAME)
                                   [--namespace NS] [--since T] [--until T] [-o FILE]
                                   [--no-lookahead]

        Learns the profile of a Kubernetes pod container from what it did in the capture, and
        writes it as `kubectl get -o yaml` shows kubescape's objects: a List of an
        ApplicationProfile (every program run with its arguments, every file opened with its
        flags, system calls, capabilities) and a NetworkNeighborhood (peers connected to or
        accepted from, with ports; DNS names looked up). `loupe replay --profiles FILE` then
        judges another run against it: R0001-R0008, R0040 and R1030 need a profile, and
        R0009, R1006, R1009, ... excuse what it lists. A run replayed against the profile
        learned from it raises no profile alert.

        Events are attributed to the container as `loupe replay` attributes them. Failed
        calls count (rules judge attempts too); paths are kept exactly as opened.

        The container is chosen among the capture's Kubernetes containers by container name,
        id, or id prefix of 12+ characters; --pod and --namespace narrow the choice, and
        --pod alone takes every container of the pod. Several instances of one pod container
        (a restart) are merged; containers of different pods are refused, except with
        --workload and no --pod: then every pod of the workload (every pod that finds it by
        name) is learned from, and each container name's behaviour across the replicas is
        merged, as kubescape profiles a workload.

        The profile belongs to a workload, which pods find by name (the pod name, or it less
        one or two '-suffix'es). By default the workload is a Deployment when the pod is named
        like one of its pods (web-5d8f7c9b6d-q4x2n: deployment/web), else the pod itself
        (pod/NAME); --workload names another.

        Arguments:
          CAPTURE                 A capture directory or a single segment file

        Options:
          --container NAME_OR_ID  The Kubernetes container: name, id, or id prefix (12+
                                  characters)
          --pod POD               Only containers of pod POD; without --container, all of them
          --namespace NS          Only containers of Kubernetes namespace NS
          --workload KIND/NAME    The workload the profile is for: deployment/web,
                                  statefulset/db, daemonset/agent, replicaset/x, job/x,
                                  cronjob/x or pod/x; without --pod, learn from all its pods
          --since T               Learn only from records at or after T (earlier ones still
                                  register containers)
          --until T               Learn only from records up to T: a learning period
                                  T is an RFC 3339 time (2026-12-04T15:00:00Z), +DURATION after
                                  the capture's start (+90s, +10m), or CLOCK_BOOTTIME nanoseconds
          -o, --output FILE       Write the profile to FILE ('-': standard output, the default)
          --no-lookahead          Do not attribute events that raced ahead of their container's
                                  start record (as `loupe replay --no-lookahead`; automatic for
                                  captures recorded with live rules)
          -h, --help              Show this help

        Standard error says what was learned, and warns when the capture did not record
        syscall or capabilities events (the profile then lists only the system calls other
        events prove: unshare, bpf, ptrace, io_uring_setup, init_module, ...).

        Exit codes: 0 written, 64 usage (also: the choice matches containers of several pods
        without --workload, or pods of several namespaces),
        65 damaged capture (what could be read is learned, the profile marked partial),
        66 capture not found or no Kubernetes container matches, 73 FILE cannot be created.
        """

    static func run(_ arguments: inout ArgumentCursor) throws -> Int32 {
        let capture = try arguments.positional("CAPTURE argument")
        let containerQuery = try arguments.option("container")
        let podQuery = try arguments.option("pod")
        let namespaceQuery = try arguments.option("namespace")
        let workloadText = try arguments.option("workload")
        let output = try arguments.option("output", short: "o")
        let sinceText = try arguments.option("since")
        let untilText = try arguments.option("until")
        var noLookahead = arguments.flag("no-lookahead")
        try arguments.finish()
        guard containerQuery != nil || podQuery != nil || workloadText != nil else {
            throw UsageError(
                "missing --container NAME_OR_ID (or --pod POD for all its containers, or --workload KIND/NAME for all its pods)"
            )
        }
        let workloadChoice = try workloadText.map(parseWorkload)

        let opened = try OpenedCapture(capture, since: sinceText, until: untilText)
        let (reader, header, since, until) = (opened.reader, opened.header, opened.since, opened.until)
        if header.host.captureOptions.contains(where: { $0.key == "live_rules" }) { noLookahead = true }
        var instances: [String: Instance] = [:]
        var ahead = RegistrationLookahead()
        _ = try withCaptureErrors {
            try reader.forEach(ReadOptions(kinds: [.containerStarted, .containerSnapshot])) { record, _ in
                ahead.note(record)
                switch record {
                case .containerStarted(let s):
                    instances[s.container.id, default: Instance(info: s.container)].started = true
                case .containerSnapshot(let s):
                    if instances[s.container.id] == nil { instances[s.container.id] = Instance(info: s.container) }
                default: break
                }
            }
        }
        let chosen = try choose(
            Array(instances.values), container: containerQuery, pod: podQuery, namespace: namespaceQuery,
            workloadName: podQuery == nil ? workloadChoice?.name : nil, capture: capture)

        var learner = ProfileLearner(
            containers: chosen.map(\.info), hostMntns: header.host.hostMntns, lookahead: noLookahead ? nil : ahead)
        let report = try withCaptureErrors {
            try reader.forEach(ReadOptions(until: until)) { record, _ in
                learner.observe(record, learning: since.map { record.timestamp >= $0 } ?? true)
            }
        }
        let status = reportProblems(report)

        let identity = chosen[0].info.kubernetes!
        let podNames = Set(chosen.map { $0.info.kubernetes!.podName }).sorted()
        let workload =
            workloadChoice.map { LearnedWorkload(namespace: identity.namespace, kind: $0.kind, name: $0.name) }
            ?? LearnedWorkload.guess(namespace: identity.namespace, podName: identity.podName)
        if !workload.isFound(byPod: identity.podName) {
            printError(
                "warning: pod \(identity.podName) would not find workload \(workload.name): pods find their workload by name (the pod name, or it less one or two '-suffix'es)"
            )
        }
        let podsText =
            podNames.count == 1
            ? "\(identity.namespace)/\(identity.podName)" : "\(podNames.count) pods of \(identity.namespace)"
        let complete = status == ExitCode.success && chosen.allSatisfy(\.started)
        let annotations = [
            "kubescape.io/status": "completed", "kubescape.io/completion": complete ? "complete" : "partial",
            "loupe.dev/learned-from": chosen.map(\.info.id).sorted().joined(separator: ","),
        ]
        let containers = learner.containers.values.sorted { $0.name < $1.name }
        let text = ProfileWriter.yaml(workload: workload, containers: containers, annotations: annotations)
        try write(text, to: output)

        let recorded = header.host.captureOptions.first { $0.key == "events" }?.value.split(separator: ",")
        var summary = ""
        for c in containers {
            let execs = c.execs.values.reduce(0) { $0 + $1.count }
            summary +=
                "learned \(podsText) container \(c.name) (\(c.events) events): "
                + "\(execs) execs, \(c.opens.count) opened paths, \(c.syscalls.count) syscalls, "
                + "\(c.capabilities.count) capabilities, \(c.egress.count) egress and \(c.ingress.count) ingress peers, "
                + "\(c.domains.count) DNS names\n"
        }
        summary += "profile of \(workload.kind.lowercased())/\(workload.name) in namespace \(workload.namespace)"
        summary += " (\(complete ? "complete" : "partial: the capture started after the container or is damaged"))"
        summary += " written to \(output.map { $0 == "-" ? "standard output" : $0 } ?? "standard output")\n"
        if let recorded, !recorded.contains("syscall") {
            summary +=
                "warning: the capture recorded no syscall events: the profile lists only the system calls other events prove (unshare, bpf, io_uring_setup, ...); a replay of a capture that records syscall events reports every other call (R0003)\n"
        }
        if let recorded, !recorded.contains("capabilities") {
            summary +=
                "warning: the capture recorded no capabilities events: the profile lists none; a replay of a capture that records them reports each capability used (R0004)\n"
        }
        writeAll(Array(summary.utf8), to: 2)
        return status
    }

    /// A container as the capture registered it, and whether its start was recorded (else it
    /// was running when the capture began, and part of its life is missing).
    struct Instance {
        var info: ContainerInfo
        var started = false
    }

    static func parseWorkload(_ text: String) throws -> (kind: String, name: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let names = LearnedWorkload.kinds.map { $0.lowercased() }.joined(separator: ", ")
        guard parts.count == 2, !parts[1].isEmpty,
            let kind = LearnedWorkload.kinds.first(where: { $0.lowercased() == parts[0].lowercased() })
        else {
            throw UsageError("--workload expects KIND/NAME with KIND one of \(names); got '\(text)'")
        }
        return (kind, String(parts[1]))
    }

    /// The instances the options select, all of one pod (or, with `workloadName`, of the pods
    /// that find that workload, in one namespace); clear errors otherwise.
    static func choose(
        _ all: [Instance], container: String?, pod: String?, namespace: String?, workloadName: String?,
        capture: String
    ) throws -> [Instance] {
        func matches(_ i: Instance) -> Bool {
            let k = i.info.kubernetes
            if let namespace, k?.namespace != namespace { return false }
            if let pod, k?.podName != pod { return false }
            if let workloadName {
                let workload = LearnedWorkload(namespace: k?.namespace ?? "", kind: "", name: workloadName)
                guard workload.isFound(byPod: k?.podName ?? "") else { return false }
            }
            guard let container else { return true }
            return i.info.id == container || (container.count >= 12 && i.info.id.hasPrefix(container))
                || (k?.containerName ?? i.info.name) == container
        }
        let pods = all.filter { i in
            guard let k = i.info.kubernetes else { return false }
            return !k.namespace.isEmpty && !k.podName.isEmpty
        }
        let chosen = pods.filter(matches).sorted { $0.info.id < $1.info.id }
        var what: [String] = []
        if let container { what.append("container \(container)") }
        if let pod { what.append("pod \(pod)") }
        if let namespace { what.append("namespace \(namespace)") }
        if let workloadName { what.append("workload \(workloadName)") }
        guard !chosen.isEmpty else {
            var message = "no Kubernetes container matches \(what.joined(separator: ", ")) in \(capture)"
            if let docker = all.first(where: { $0.info.kubernetes == nil && matches($0) }) {
                message +=
                    "; \(docker.info.name.isEmpty ? docker.info.id : docker.info.name) is a docker container, and learned profiles apply to pod containers only"
            }
            let known = pods.map(describe).sorted()
            message +=
                known.isEmpty
                ? " (the capture has no Kubernetes containers)"
                : "; its Kubernetes containers: " + known.prefix(10).joined(separator: ", ")
                    + (known.count > 10 ? ", ... (\(known.count) in all)" : "")
            throw CommandFailure(message, exitCode: ExitCode.noInput)
        }
        let podsChosen = Set(chosen.map { "\($0.info.kubernetes!.namespace)/\($0.info.kubernetes!.podName)" })
        if workloadName != nil {
            let namespaces = Set(chosen.map { $0.info.kubernetes!.namespace })
            guard namespaces.count == 1 else {
                throw UsageError(
                    "\(what.joined(separator: ", ")) matches pods of \(namespaces.count) namespaces (\(namespaces.sorted().joined(separator: ", "))): add --namespace"
                )
            }
            return chosen
        }
        guard podsChosen.count == 1 else {
            throw UsageError(
                "\(what.joined(separator: ", ")) matches containers of \(podsChosen.count) pods (\(podsChosen.sorted().joined(separator: ", "))): add --pod or --namespace, or --workload KIND/NAME to learn from all of a workload's pods"
            )
        }
        return chosen
    }

    static func describe(_ i: Instance) -> String {
        let k = i.info.kubernetes!
        return "\(k.namespace)/\(k.podName)/\(k.containerName) (\(i.info.id))"
    }

    static func write(_ text: String, to path: String?) throws {
        guard let path, path != "-" else {
            writeAll(Array(text.utf8), to: 1)
            return
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CommandFailure(
                "cannot create \(path): \(String(cString: strerror(errno)))", exitCode: ExitCode.cantCreate)
        }
        defer { close(descriptor) }
        writeAll(Array(text.utf8), to: descriptor)
    }
}
