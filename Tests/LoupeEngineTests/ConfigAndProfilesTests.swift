import LoupeEngine
import Testing

@Suite struct ConfigTests {
    @Test func defaults() throws {
        let c = try LoupeConfig.parse(text: "", file: "c.yaml")
        #expect(c.enableRuntimeDetection && !c.enableHostMonitoring && !c.enableDockerMonitoring)
        #expect(c.cooldown == CooldownSettings())
        #expect(c.cooldown.durationNanoseconds == 3_600_000_000_000)
        #expect(c.cooldown.afterCount == 1 && c.cooldown.maxSize == 10_000 && !c.cooldown.disabled)
        #expect(c.exporters.writesStdout)
        #expect(c.nodeName == nil)
    }

    @Test func loadsFixture() throws {
        let c = try LoupeConfig.load(path: fixtures + "/loupe.yaml")
        #expect(c.enableHostMonitoring && c.enableDockerMonitoring)
        #expect(c.nodeName == "node-1" && c.clusterName == "prod")
        #expect(c.hostMonitoring.ignoreProcesses.anyMatches("containerd-shim"))
        #expect(c.hostMonitoring.ignorePaths.anyMatches("/var/log/syslog"))
        #expect(c.dockerMonitoring.ignoreContainers.anyMatches("k8s_POD"))
        #expect(c.dockerMonitoring.ignoreImages.anyMatches("pause:3.9"))
        #expect(c.cooldown.durationNanoseconds == 1_800_000_000_000)
        #expect(c.cooldown.afterCount == 2 && c.cooldown.maxSize == 500)
        #expect(!c.exporters.writesStdout)
        #expect(c.exporters.file == "/var/log/loupe/alerts.jsonl")
        #expect(c.exporters.httpURL == "http://127.0.0.1:8080/alerts")
        #expect(c.exporters.alertmanagerURL == "http://127.0.0.1:9093")
        #expect(c.exporters.syslog == .init(address: "127.0.0.1:514", protocol: .tcp))
        #expect(c.exporters.csv == "alerts.csv")
    }

    @Test(arguments: [
        ("1h30m", Int64(5_400_000_000_000)), ("500ms", 500_000_000), ("1.5h", 5_400_000_000_000),
        ("90s", 90_000_000_000),
    ])
    func durations(text: String, nanoseconds: Int64) throws {
        let c = try LoupeConfig.parse(text: "ruleCooldownDuration: \(text)\n")
        #expect(c.cooldown.durationNanoseconds == nanoseconds)
    }

    @Test(arguments: [
        (
            "enableHostMonitorng: true\n",
            "c.yaml:1:1: error: unknown key \"enableHostMonitorng\" in the document (known keys: clusterName, dockerMonitoring, enableDockerMonitoring, enableHostMonitoring, enableRuntimeDetection, exporters, hostMonitoring, nodeName, ruleCooldown, ruleCooldownAfterCount, ruleCooldownDisabled, ruleCooldownDuration, ruleCooldownMaxSize)"
        ),
        (
            "enableHostMonitoring: \"true\"\n",
            "c.yaml:1:23: error: expected a boolean (true or false) for enableHostMonitoring, found string \"true\""
        ),
        (
            "hostMonitoring:\n  ignorePaths: [\"/var/[log\"]\n",
            "c.yaml:2:17: error: invalid pattern \"/var/[log\": unterminated ["
        ),
        (
            "ruleCooldownDuration: 1 hour\n",
            "c.yaml:1:23: error: expected a duration such as 1h, 30m, 90s or 500ms for ruleCooldownDuration, found string \"1 hour\""
        ),
        (
            "ruleCooldown:\n  ruleCooldownMaxSize: -1\n",
            "c.yaml:2:24: error: expected a non-negative integer for ruleCooldown.ruleCooldownMaxSize, found integer -1"
        ),
        (
            "exporters:\n  syslog: {address: localhost}\n",
            "c.yaml:2:21: error: expected host:port for exporters.syslog.address, found \"localhost\""
        ),
        (
            "exporters:\n  syslog: {address: /dev/log, protocol: quic}\n",
            "c.yaml:2:41: error: expected udp, tcp or unix for exporters.syslog.protocol, found \"quic\""
        ),
        (
            "exporters:\n  http: {url: ftp://x}\n",
            "c.yaml:2:15: error: expected an http:// or https:// URL for exporters.http, found \"ftp://x\""
        ),
        (
            "exporters:\n  kafka: {}\n",
            "c.yaml:2:3: error: unknown key \"kafka\" in exporters (known keys: alertmanager, csv, file, http, stdout, syslog)"
        ),
        ("a: 1\n---\nb: 2\n", "c.yaml:3:1: error: expected one document in the config file, found 2"),
    ])
    func refusesInvalidConfig(text: String, message: String) {
        #expect(inputError { _ = try LoupeConfig.parse(text: text, file: "c.yaml") } == message)
    }
}

@Suite struct ProfilesTests {
    @Test func loadsKubectlList() throws {
        let store = try ProfilesLoader.load(path: fixtures + "/profiles")
        #expect(store.workloads.count == 1)
        let w = try #require(store.workload(namespace: "default", name: "nginx"))
        #expect(w.kind == "deployment" && w.status == "completed" && w.completion == "complete")
        #expect(w.sources.count == 2)
        let c = try #require(store.profile(namespace: "default", podName: "nginx-7c5ddbdf54-x2x9q", container: "nginx"))
        #expect(c.wasExecuted("/usr/sbin/nginx"))
        #expect(c.wasExecuted("/usr/sbin/nginx", args: ["/usr/sbin/nginx", "-g", "daemon off;"]))
        #expect(!c.wasExecuted("/bin/sh"))
        #expect(c.wasPathOpened("/etc/nginx/nginx.conf"))
        #expect(c.wasPathOpened("/etc/nginx/nginx.conf", flags: ["O_RDONLY"]))
        #expect(!c.wasPathOpened("/etc/nginx/nginx.conf", flags: ["O_WRONLY"]))
        #expect(c.wasPathOpened("/proc/42/stat") && !c.wasPathOpened("/proc/42/task/1/stat"))
        #expect(c.wasPathOpened(withSuffix: ".conf") && c.wasPathOpened(withPrefix: "/etc/"))
        #expect(c.syscalls.contains("accept4") && c.capabilities.contains("CAP_SETUID"))
        #expect(c.endpoints[":80/index.html"] == ["GET"])
        #expect(c.egress.containsDomain("example.com") && c.egress.containsDomain("api.example.com."))
        #expect(c.egress.containsAddress("93.184.216.34"))
        #expect(c.egress.contains(address: "93.184.216.34", port: 443, protocol: "tcp"))
        #expect(!c.ingress.containsAddress("93.184.216.34"))
        #expect(store.profile(namespace: "default", podName: "nginx-7c5ddbdf54-x2x9q", container: "init") != nil)
        #expect(store.profile(namespace: "other", podName: "nginx-7c5ddbdf54-x2x9q", container: "nginx") == nil)
    }

    @Test func fallsBackToMetadataName() throws {
        let text = """
            kind: ApplicationProfile
            metadata: {name: statefulset-db, namespace: data}
            spec: {containers: [{name: db, syscalls: [read]}]}
            """
        let store = try ProfilesLoader.parse(text: text)
        #expect(store.profile(namespace: "data", podName: "db-0", container: "db")?.syscalls == ["read"])
        #expect(store.workloads.first?.kind == "statefulset")
    }

    @Test(arguments: [
        (
            "kind: Pod\n",
            "p.yaml:1:7: error: expected kind \"ApplicationProfile\", \"NetworkNeighborhood\" or \"List\", found \"Pod\""
        ),
        (
            "kind: ApplicationProfile\nmetadata: {name: x, namespace: d}\nspec:\n  containers:\n    - name: c\n      execs: [{args: []}]\n",
            "p.yaml:6:15: error: missing required key \"path\" in spec.containers[0].execs[0]"
        ),
        (
            "kind: NetworkNeighborhood\nmetadata: {name: x, namespace: d}\nspec:\n  containers:\n    - name: c\n      egress: [{ports: [{port: http}]}]\n",
            "p.yaml:6:32: error: expected an integer for spec.containers[0].egress[0].ports[0].port, found string \"http\""
        ),
    ])
    func refusesInvalidProfiles(text: String, message: String) {
        #expect(inputError { _ = try ProfilesLoader.parse(text: text, file: "p.yaml") } == message)
    }
}
