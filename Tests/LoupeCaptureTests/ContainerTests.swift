import LoupeModel
import TestSupport
import Testing

@testable import LoupeCapture

@Suite struct ContainerTests {
    @Test func dockerShimInvocation() {
        let command = RuntimeCommandLine.parse([
            "runc", "--root", "/var/run/docker/runtime-runc/moby", "--log",
            "/run/containerd/io.containerd.runtime.v2.task/moby/abc/log.json", "--log-format", "json", "create",
            "--bundle", "/run/containerd/io.containerd.runtime.v2.task/moby/abc", "--pid-file",
            "/run/containerd/io.containerd.runtime.v2.task/moby/abc/init.pid", "abc",
        ])
        #expect(command.action == .create)
        #expect(command.containerID == "abc")
        #expect(command.bundle == "/run/containerd/io.containerd.runtime.v2.task/moby/abc")
        #expect(command.pidFile.hasSuffix("/init.pid"))
        #expect(command.root == "/var/run/docker/runtime-runc/moby")
    }

    @Test func otherRuntimeInvocations() {
        #expect(RuntimeCommandLine.parse(["runc", "run", "-d", "--bundle=/b", "pod1"]).containerID == "pod1")
        #expect(RuntimeCommandLine.parse(["runc", "run", "--bundle=/b", "pod1"]).bundle == "/b")
        #expect(RuntimeCommandLine.parse(["runc", "start", "x"]).action == .start)
        #expect(
            RuntimeCommandLine.parse(["runc", "--root", "/r", "delete", "--force", "x"]).action == .other("delete"))
        #expect(RuntimeCommandLine.parse(["runc", "--root=/r", "state", "x"]).root == "/r")
        #expect(
            RuntimeCommandLine.parse(["crun", "create", "--console-socket", "/s", "-b", "/bb", "c1"]).bundle == "/bb")
        let conmon = RuntimeCommandLine.parse([
            "/usr/bin/conmon", "-c", "cid", "-n", "k8s_x", "-r", "/usr/bin/runc", "-b", "/bundle", "-p", "/pid",
            "--exit-dir", "/e",
        ])
        #expect(
            conmon
                == RuntimeCommandLine(action: .create, containerID: "cid", bundle: "/bundle", pidFile: "/pid", root: "")
        )
        #expect(RuntimeCommandLine.parse([]).action == .other(""))
    }

    @Test func kubernetesIdentityFromCRIAnnotations() throws {
        let containerd = [
            "io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-name": "web-0",
            "io.kubernetes.cri.sandbox-namespace": "prod", "io.kubernetes.cri.sandbox-uid": "uid-1",
            "io.kubernetes.cri.container-name": "nginx", "io.kubernetes.cri.sandbox-id": "sb1",
            "io.kubernetes.cri.image-name": "nginx:1",
        ]
        let identity = try #require(ContainerMetadataReader.kubernetesIdentity(containerd))
        #expect(
            identity
                == KubernetesIdentity(
                    namespace: "prod", podName: "web-0", podUID: "uid-1", containerName: "nginx", sandboxID: "sb1"))
        #expect(ContainerMetadataReader.runtime(annotations: containerd, runtimeRoot: "", bundle: "") == .containerd)
        #expect(ContainerMetadataReader.isSandbox(["io.kubernetes.cri.container-type": "sandbox"]))
        let crio = [
            "io.kubernetes.pod.name": "p", "io.kubernetes.pod.namespace": "n", "io.container.manager": "cri-o",
            "io.kubernetes.cri-o.Labels": #"{"app":"db","io.kubernetes.pod.name":"p"}"#,
        ]
        #expect(ContainerMetadataReader.kubernetesIdentity(crio)?.labels == [Label("app", "db")])
        #expect(ContainerMetadataReader.runtime(annotations: crio, runtimeRoot: "", bundle: "") == .crio)
        #expect(ContainerMetadataReader.kubernetesIdentity([:]) == nil)
    }

    /// A containerd pod container's mounts, as its config.json lists them: the runtime's own files
    /// and the kernel file systems are not volumes; the service-account token and a hostPath are.
    @Test func volumeMountsFromOCIConfig() throws {
        let config = try #require(
            JSONValue.parse(
                Array(
                    #"""
                    {"mounts": [
                      {"destination": "/proc", "type": "proc", "source": "proc"},
                      {"destination": "/dev", "type": "tmpfs", "source": "tmpfs"},
                      {"destination": "/etc/hosts", "type": "bind", "source": "/var/lib/kubelet/pods/u/etc-hosts", "options": ["rbind", "rprivate", "rw"]},
                      {"destination": "/dev/termination-log", "type": "bind", "source": "/var/lib/kubelet/pods/u/c/x", "options": ["rbind", "rw"]},
                      {"destination": "/etc/hostname", "type": "bind", "source": "/var/lib/containerd/h", "options": ["rbind", "rw"]},
                      {"destination": "/etc/resolv.conf", "type": "bind", "source": "/var/lib/containerd/r", "options": ["rbind", "rw"]},
                      {"destination": "/dev/shm", "type": "bind", "source": "/run/containerd/shm", "options": ["rbind", "rw"]},
                      {"destination": "/var/run/secrets/kubernetes.io/serviceaccount", "type": "bind", "source": "/var/lib/kubelet/pods/u/volumes/token", "options": ["rbind", "ro"]},
                      {"destination": "/data", "source": "/srv/data", "options": ["rbind", "rw"]},
                      {"destination": "/data", "source": "/srv/again", "options": ["bind"]},
                      {"destination": "/cache", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]}
                    ]}
                    """#.utf8)))
        #expect(
            ContainerMetadataReader.volumeMounts(config) == ["/var/run/secrets/kubernetes.io/serviceaccount", "/data"])
        #expect(ContainerMetadataReader.volumeMounts(try #require(JSONValue.parse(Array("{}".utf8)))).isEmpty)
    }

    @Test func stateFilesOfRuncAndCrun() throws {
        let runc = try #require(
            JSONValue.parse(
                Array(
                    #"{"id":"c1","init_process_pid":4242,"config":{"labels":["bundle=/run/b/c1","x=y"]}}"#.utf8)))
        #expect(
            ContainerDiscovery.parseState(runc, fallbackID: "d", root: "/run/runc")
                == .init(id: "c1", initPid: 4242, bundle: "/run/b/c1", runtimeRoot: "/run/runc"))
        let crun = try #require(JSONValue.parse(Array(#"{"pid":7,"bundle":"/b"}"#.utf8)))
        #expect(ContainerDiscovery.parseState(crun, fallbackID: "d", root: "/run/crun")?.id == "d")
        let dead = try #require(JSONValue.parse(Array(#"{"id":"x","init_process_pid":0}"#.utf8)))
        #expect(ContainerDiscovery.parseState(dead, fallbackID: "d", root: "/r") == nil)
    }

    @Test func discoveryReadsStateDirectoriesAndBundles() throws {
        let directory = TemporaryDirectory("discovery")
        let bundle = directory.appending("bundle")
        let state = directory.appending("state/k8s.io/c2")
        for path in [bundle, directory.appending("state"), directory.appending("state/k8s.io"), state] {
            _ = mkdirForTest(path)
        }
        let pid = UInt32(getpidForTest())
        writeFile(
            bundle + "/config.json",
            Array(
                #"{"ociVersion":"1.0","annotations":{"io.kubernetes.cri.sandbox-name":"pod","io.kubernetes.cri.sandbox-namespace":"ns","io.kubernetes.cri.container-name":"app"}}"#
                    .utf8))
        writeFile(
            state + "/state.json",
            Array(#"{"id":"c2","init_process_pid":\#(pid),"config":{"labels":["bundle=\#(bundle)"]}}"#.utf8))
        let found = ContainerDiscovery(stateRoots: [directory.appending("state")]).scan()
        #expect(found.count == 1)
        let info = try #require(found.first)
        #expect(info.id == "c2" && info.initPid == pid && info.name == "app" && info.context == .kubernetes)
        #expect(info.mntns == HostInspector.mountNamespace(of: pid) && info.mntns != 0)
        #expect(info.runtime == .containerd)
    }

    @Test func jsonParser() {
        #expect(JSONValue.parse(Array(#"{"a":[1,2.5e1,true,null,"\u00e9\n\ud83d\ude00"]}"#.utf8)) != nil)
        #expect(JSONValue.parse(Array(#"{"a":}"#.utf8)) == nil)
        #expect(JSONValue.parse(Array(String(repeating: "[", count: 200).utf8)) == nil)
        #expect(JSONValue.parse(Array(#""\ud83d\ude00""#.utf8)) == .string("😀"))
    }

    @Test func registryAndContexts() {
        var registry = ContainerRegistry(hostMntns: 1)
        let first = registry.add(ContainerInfo(id: "a", initPid: 10, mntns: 5))
        let again = registry.add(ContainerInfo(id: "a", initPid: 11, mntns: 6))
        let pod = registry.add(
            ContainerInfo(id: "k", initPid: 12, mntns: 7, kubernetes: KubernetesIdentity(namespace: "n", podName: "p")))
        #expect(first && !again && pod)
        #expect(registry.context(mntns: 5) == .docker && registry.context(mntns: 7) == .kubernetes)
        #expect(registry.context(mntns: 1) == .host && registry.context(mntns: 99) == .host)
        #expect(registry.container(initPid: 12)?.id == "k")
        registry.remove(id: "k")
        #expect(registry.context(mntns: 7) == .host)
        #expect(registry.countsByContext == [.docker: 1])
    }

    @Test func procStatAndStatus() throws {
        let stat = Array("42 (a (b) c) S 7 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 12345 0 0".utf8)
        let fields = try #require(ProcessScanner.parseStat(stat))
        #expect(fields.comm == Array("a (b) c".utf8) && fields.ppid == 7 && fields.startTicks == 12345)
        #expect(ProcessScanner.parseStat(Array("garbage".utf8)) == nil)
        let ids = ProcessScanner.parseIDs(Array("Name:\tx\nUid:\t1000\t1000\t1000\t1000\nGid:\t50\t50\t50\t50\n".utf8))
        #expect(ids.uid == 1000 && ids.gid == 50)
        let env = ProcessScanner.loaderEnvironment(Array("PATH=/bin\0LD_PRELOAD=/x.so\0LD_AUDIT=a\0".utf8))
        #expect(env == ["LD_PRELOAD=/x.so", "LD_AUDIT=a"])
    }

    @Test func ownProcessSnapshotAndHostInfo() throws {
        let pid = UInt32(getpidForTest())
        let snapshot = try #require(ProcessScanner.process(pid: pid, timestamp: 5, ticksPerSecond: 100))
        #expect(snapshot.pid == pid && snapshot.ppid != 0 && !snapshot.args.isEmpty && !snapshot.exepath.isEmpty)
        #expect(snapshot.startTime > 0 && snapshot.startTime <= Clocks.boottime())
        let host = HostInspector.hostInfo(environment: { $0 == "NODE_NAME" ? "node-7" : nil })
        #expect(host.nodeName == "node-7" && !host.hostname.isEmpty && !host.kernelRelease.isEmpty)
        #expect(host.hostMntns != 0 && host.bootID.count == 36)
        #expect(host.clock.bootTime > 0 && host.clock.wallTime > 1_700_000_000_000_000_000)
    }

    @Test func prometheusText() {
        var statistics = CaptureStatistics()
        statistics.eventsByType = [.exec: 3, .open: 10]
        statistics.dropsByReason = ["ringbuf": 2]
        statistics.containersByContext = [.docker: 1]
        let text = statistics.prometheusText
        #expect(text.contains("loupe_events_total{event_type=\"exec\"} 3\n"))
        #expect(text.contains("loupe_drops_total{reason=\"ringbuf\"} 2\n"))
        #expect(text.contains("loupe_containers{context=\"docker\"} 1\n"))
        #expect(text.contains("loupe_containers{context=\"kubernetes\"} 0\n"))
        #expect(statistics.statusLine.contains("13 events, 2 lost"))
    }
}
