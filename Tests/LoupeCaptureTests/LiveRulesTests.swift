import LoupeModel
import TestSupport
import Testing

@testable import LoupeCapture

#if canImport(Glibc)
    import Glibc
#endif

/// `loupe capture --rules` on the real kernel: the alerts raised live are exactly those a replay
/// of the capture raises.
@Suite(
    .serialized,
    .enabled(
        if: EndToEnd.kernelReady,
        "live rule tests need root and a kernel with BTF (set LOUPE_E2E_REQUIRED=1 to fail instead of skip)"))
struct LiveRulesTests {
    @Test func liveAlertsEqualReplayedAlerts() throws {
        let loupe = try #require(EndToEnd.loupeBinary(), "build the loupe product first (swift build)")
        let rules = EndToEnd.root + "/examples/rules.yaml"
        let config = EndToEnd.root + "/examples/loupe.yaml"
        let directory = TemporaryDirectory("live-rules")
        let capturePath = directory.appending("capture")
        let liveAlerts = directory.appending("live.jsonl")
        let replayAlerts = directory.appending("replay.jsonl")
        let logPath = directory.appending("capture.log")
        let log = open(logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(log) }

        let capture = try #require(
            Processes.spawn(
                [
                    loupe, "capture", "-o", capturePath, "--duration", "120s", "-q", "--rules", rules,
                    "--rules-config", config, "--alerts-output", liveAlerts,
                ], stdout: log))
        var captureExited = false
        defer {
            if !captureExited {
                kill(capture, SIGKILL)
                Processes.wait(capture)
            }
        }
        try EndToEndTests().waitForSegment(capturePath, pid: capture, log: logPath)

        // On the host: run a binary from /dev/shm (R1000) and link to /etc/shadow (R1010).
        let shm = "/dev/shm/loupe-live-rules-\(getpid())"
        defer { unlink(shm) }
        let copy = Processes.run(["cp", "/bin/true", shm])
        try #require(copy.succeeded, "cp: \(copy.output)")
        let ran = Processes.run([shm])
        #expect(ran.succeeded, "\(shm): \(ran.output)")
        let link = directory.appending("shadow-link")
        #expect(symlink("/etc/shadow", link) == 0, "symlink: \(String(cString: strerror(errno)))")
        // Past the capture's ordering window.
        usleep(1_500_000)

        kill(capture, SIGINT)
        let status = Processes.wait(capture, seconds: 30)
        captureExited = status != nil
        let captureLog = String(decoding: readFile(logPath), as: UTF8.self)
        try #require(status == 0, "capture exit status \(String(describing: status)): \(captureLog)")

        let replay = Processes.run([
            loupe, "replay", capturePath, "--rules", rules, "--config", config, "--output",
            replayAlerts,
        ])
        #expect(replay.succeeded, "replay: \(replay.output)")

        let live = readFile(liveAlerts)
        let replayed = readFile(replayAlerts)
        #expect(!live.isEmpty, "no live alerts; capture log:\n\(captureLog)")
        #expect(live == replayed, "live and replayed alerts differ:\n\(replay.output)")
        let text = String(decoding: live, as: UTF8.self)
        #expect(text.contains("\"RuleID\":\"R1000\"") && text.contains(shm), "no /dev/shm exec alert")
        #expect(text.contains("\"RuleID\":\"R1010\"") && text.contains(link), "no /etc/shadow symlink alert")
        #expect(captureLog.contains("alerts live"), "\(captureLog)")
    }
}
