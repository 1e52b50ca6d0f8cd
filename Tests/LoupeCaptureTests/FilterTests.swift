import LoupeFormat
import LoupeModel
import TestSupport
import Testing

@testable import LoupeCapture

#if canImport(Glibc)
    import Glibc
#endif

/// `--include-mntns`, `--exclude-mntns` and `--exclude-container`: option checks and the
/// container bookkeeping, without a kernel.
@Suite struct MountNamespaceSelectionTests {
    @Test func optionsAreCheckedTogether() throws {
        #expect(throws: MountNamespaceSelection.Problem.self) {
            try MountNamespaceSelection.parse(include: ["1"], exclude: ["2"], excludedContainers: [])
        }
        #expect(throws: MountNamespaceSelection.Problem.self) {
            try MountNamespaceSelection.parse(include: ["1"], exclude: [], excludedContainers: ["web"])
        }
        #expect(throws: MountNamespaceSelection.Problem.self) {
            try MountNamespaceSelection.parse(include: [], exclude: ["2"], excludedContainers: [], onlyHost: true)
        }
        for bad in ["", "abc", "0", "-1", "4294967296", "mnt:[x]"] {
            #expect(throws: MountNamespaceSelection.Problem.self, "\(bad)") {
                try MountNamespaceSelection.parse(include: [bad], exclude: [], excludedContainers: [])
            }
        }
        #expect(
            try MountNamespaceSelection.parse(include: [], exclude: [], excludedContainers: [])
                == MountNamespaceSelection())
        #expect(
            try MountNamespaceSelection.parse(
                include: ["4026531841", "mnt:[7]", "7"], exclude: [], excludedContainers: [])
                == MountNamespaceSelection(mode: .include, namespaces: [4_026_531_841, 7]))
        #expect(
            try MountNamespaceSelection.parse(include: [], exclude: [], excludedContainers: ["/web", "web"])
                == MountNamespaceSelection(mode: .exclude, excludedContainers: ["web"]))
        // Host only with included namespaces: both in the include set.
        #expect(
            try MountNamespaceSelection.parse(include: ["9"], exclude: [], excludedContainers: [], onlyHost: true).mode
                == .include)
    }

    @Test func containersAreMatchedByNameOrIdAndFollowTheirLifecycle() throws {
        let id = "0123456789abcdef0123456789abcdef"
        var exclusion = ContainerExclusion(patterns: ["web", "0123456789ab", "app"], hostMntns: 1)
        let docker = ContainerInfo(id: id, name: "web", mntns: 7)
        #expect(exclusion.matches(docker))
        #expect(exclusion.matches(ContainerInfo(id: id, mntns: 8)))
        #expect(!exclusion.matches(ContainerInfo(id: "0123456789a", name: "other")))
        let pod = ContainerInfo(
            id: "p", mntns: 9, kubernetes: KubernetesIdentity(namespace: "n", podName: "pod", containerName: "app"))
        #expect(exclusion.matches(pod))
        #expect(!ContainerExclusion(patterns: ["0123456789a"], hostMntns: 1).matches(docker), "short prefix")

        #expect(exclusion.started(docker).map { [$0.mntns] } == [7])
        #expect(exclusion.started(docker) == nil, "already excluded")
        #expect(exclusion.started(ContainerInfo(id: "host", name: "web", mntns: 1)) == nil, "never the host")
        // Two containers in one namespace: it leaves the set with the last of them.
        #expect(exclusion.started(ContainerInfo(id: "twin", name: "app", mntns: 7)) == nil)
        #expect(exclusion.stopped(id: id) == nil)
        #expect(exclusion.stopped(id: "twin") == 7)
        #expect(exclusion.stopped(id: "twin") == nil)
        #expect(exclusion.isEmpty)

        // A container that is not excluded turning up in an excluded namespace (inode number
        // reused after an unseen exit) releases it.
        #expect(exclusion.started(ContainerInfo(id: "n1", name: "web", initPid: 40, mntns: 11))?.excluded == true)
        let reuse = exclusion.started(ContainerInfo(id: "other", name: "keep", mntns: 11))
        #expect(reuse?.mntns == 11 && reuse?.excluded == false)
        #expect(exclusion.stopped(id: "n1") == nil)
        #expect(exclusion.started(ContainerInfo(id: "other2", name: "keep", mntns: 11)) == nil)

        // An excluded container whose init process is gone is released at once.
        #expect(exclusion.started(ContainerInfo(id: "n2", name: "web", initPid: 50, mntns: 12))?.excluded == true)
        #expect(exclusion.started(ContainerInfo(id: "n3", name: "web", initPid: 60, mntns: 13))?.excluded == true)
        #expect(exclusion.released(alive: { $0 == 60 }) == [12])
        #expect(exclusion.released(alive: { $0 == 60 }).isEmpty)
        #expect(exclusion.stopped(id: "n2") == nil)
        #expect(exclusion.stopped(id: "n3") == 13)
    }

    @Test func theMergeLoopExcludesOnStartAndReleasesOnStopButWritesTheLifecycle() throws {
        let host = HostInfo(hostname: "h", hostMntns: 1, clock: ClockAnchor(bootTime: 0, wallTime: 0))
        final class Changes: @unchecked Sendable { var list: [(UInt64, Bool)] = [] }
        let changes = Changes()
        let running = ContainerInfo(id: "a", name: "keep", initPid: 20, mntns: 5)
        var loop = MergeLoop(
            configuration: CaptureConfiguration(), host: host, containers: [running],
            exclusion: ContainerExclusion(patterns: ["noisy"], hostMntns: 1),
            onExclusionChange: { changes.list.append(($0, $1)) })
        let sink = CollectingSink()
        let noisy = ContainerInfo(id: "b", name: "noisy", initPid: 30, mntns: 6)
        loop.insert(.containerStarted(ContainerStarted(timestamp: 10, container: noisy)))
        #expect(changes.list.map(\.0) == [6] && changes.list.map(\.1) == [true], "excluded on arrival")
        loop.insert(.event(Event(header: EventHeader(timestamp: 20, pid: 30, mntns: 6), payload: .exit(ExitEvent()))))
        try loop.release(upTo: .max, into: sink)
        #expect(changes.list.map(\.0) == [6, 6] && changes.list.map(\.1) == [true, false])
        #expect(sink.records.contains { if case .containerStarted = $0 { true } else { false } })
        #expect(sink.records.contains { if case .containerStopped = $0 { true } else { false } })
    }
}

/// The kernel's mount-namespace filter on a live capture.
@Suite(
    .serialized,
    .enabled(
        if: EndToEnd.kernelReady,
        "kernel filter tests need root and a kernel with BTF (set LOUPE_E2E_REQUIRED=1 to fail instead of skip)"))
struct FilterTests {
    /// Captures with `options` while this (host) process opens a file; the capture's contents
    /// and the file's path.
    func captureWhileOpening(_ options: [String]) throws -> (CaptureContents, String) {
        let loupe = try #require(EndToEnd.loupeBinary(), "build the loupe product first (swift build)")
        let directory = TemporaryDirectory("filter")
        let capturePath = directory.appending("capture")
        let marker = directory.appending("marker-\(getpid())")
        let created = open(marker, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(created >= 0)
        close(created)
        let log = open(directory.appending("capture.log"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(log) }
        let capture = try #require(
            Processes.spawn(
                [loupe, "capture", "-o", capturePath, "--duration", "60s", "-q", "--events", "exec,exit,fork,open"]
                    + options, stdout: log))
        var exited = false
        defer { if !exited { kill(capture, SIGKILL); Processes.wait(capture) } }
        try EndToEndTests().waitForSegment(capturePath, pid: capture, log: directory.appending("capture.log"))
        for _ in 0..<3 {
            let descriptor = open(marker, O_RDONLY)
            if descriptor >= 0 { close(descriptor) }
            usleep(100_000)
        }
        usleep(500_000)
        kill(capture, SIGINT)
        let status = Processes.wait(capture, seconds: 30)
        exited = status != nil
        let logText = String(decoding: readFile(directory.appending("capture.log")), as: UTF8.self)
        #expect(status == 0, "capture exit status \(String(describing: status)): \(logText)")
        return (try CaptureContents(path: capturePath), marker)
    }

    func opens(of path: String, in contents: CaptureContents) -> [Event] {
        contents.events.map(\.event).filter {
            if case .open(let open) = $0.payload { open.path.string == path } else { false }
        }
    }

    func hasSnapshot(_ contents: CaptureContents) -> Bool {
        contents.records.contains { if case .processSnapshot = $0 { true } else { false } }
    }

    @Test func excludedHostNamespaceIsNotRecordedButSnapshotted() throws {
        let hostMntns = try #require(HostInspector.hostMountNamespace())
        #expect(HostInspector.mountNamespace(of: UInt32(getpid())) == hostMntns, "the test runs on the host")
        let (contents, marker) = try captureWhileOpening(["--exclude-mntns", String(hostMntns)])
        #expect(opens(of: marker, in: contents).isEmpty, "host opens of \(marker) recorded despite the exclusion")
        #expect(!contents.events.contains { $0.event.header.mntns == hostMntns }, "a host event was recorded")
        #expect(hasSnapshot(contents), "the start snapshot is missing")
        #expect(contents.host.captureOptions.contains(Label("mntns_mode", "exclude")))
    }

    @Test func includedHostNamespaceIsRecorded() throws {
        let hostMntns = try #require(HostInspector.hostMountNamespace())
        let (contents, marker) = try captureWhileOpening([
            "--include-mntns", "mnt:[\(hostMntns)]", "--api-server", "fd00:0:0::1",
        ])
        // Recorded for the engine's k8s.is_api_server_address, written as addresses print.
        #expect(contents.host.captureOptions.contains(Label("KUBERNETES_SERVICE_HOST", "fd00::1")))
        let found = opens(of: marker, in: contents)
        #expect(!found.isEmpty, "no host open of \(marker)")
        #expect(found.allSatisfy { $0.header.mntns == hostMntns && $0.header.pid == UInt32(getpid()) })
        #expect(contents.events.allSatisfy { $0.event.header.mntns == hostMntns }, "an event outside the host")
        #expect(hasSnapshot(contents))
    }

    @Test func conflictingModesAreAUsageError() throws {
        let loupe = try #require(EndToEnd.loupeBinary(), "build the loupe product first (swift build)")
        let directory = TemporaryDirectory("filter-usage")
        let result = Processes.run([
            loupe, "capture", "-o", directory.appending("c"), "--include-mntns", "1", "--exclude-mntns", "2",
        ])
        #expect(result.status == 64, "\(result.output)")
        #expect(result.output.contains("cannot be used together"))
    }
}
