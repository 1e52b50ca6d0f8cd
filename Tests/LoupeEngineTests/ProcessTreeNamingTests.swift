import LoupeModel
import Testing

@testable import LoupeEngine

/// How the process tree names a process: after a fork, after an exec and after the process
/// renames itself (what sensitive-read-docker in the corpus showed: busybox `cat` exec'd through
/// /proc/self/exe is `exe` at the exec and `cat` from its next event on).
@Suite struct ProcessTreeNamingTests {
    static func header(pid: UInt32, tid: UInt32? = nil, ppid: UInt32 = 1, comm: String, exe: String) -> EventHeader {
        EventHeader(
            timestamp: 2_000_000_000, pid: pid, tid: tid ?? pid, ppid: ppid, mntns: 100, comm: ByteString(comm),
            pcomm: "sh", exepath: ByteString(exe))
    }

    static func exec(pid: UInt32, comm: String, exe: String, args: [String]) -> Event {
        Event(
            header: header(pid: pid, comm: comm, exe: exe),
            payload: .exec(ExecEvent(args: args.map { ByteString($0) }, cwd: "/")))
    }

    static func open(pid: UInt32, tid: UInt32? = nil, comm: String, path: String) -> Event {
        Event(
            header: header(pid: pid, tid: tid, comm: comm, exe: "/bin/busybox"),
            payload: .open(OpenEvent(path: ByteString(path), retval: 3)))
    }

    @Test func execReplacesNamePathAndArguments() {
        var tree = ProcessTree()
        tree.observe(
            Event(
                header: Self.header(pid: 10, comm: "sh", exe: "/bin/busybox"),
                payload: .fork(ForkEvent(childPid: 11, childTid: 11))))
        #expect(tree[11]?.comm == "sh")
        tree.observe(Self.exec(pid: 11, comm: "cat", exe: "/bin/busybox", args: ["cat", "/etc/hostname"]))
        let p = tree[11]
        #expect(p?.comm == "cat")
        #expect(p?.path == "/bin/busybox")
        #expect(p?.cmdline == "cat /etc/hostname")
        #expect(p?.ppid == 1)
    }

    @Test func renameAfterExecIsTakenFromTheNextEvent() {
        var tree = ProcessTree()
        tree.observe(Self.exec(pid: 20, comm: "exe", exe: "/bin/busybox", args: ["cat", "/etc/shadow"]))
        #expect(tree[20]?.comm == "exe")
        tree.observe(Self.open(pid: 20, comm: "cat", path: "/etc/shadow"))
        #expect(tree[20]?.comm == "cat")
        #expect(tree[20]?.cmdline == "cat /etc/shadow")
    }

    @Test func otherThreadsDoNotRenameTheProcess() {
        var tree = ProcessTree()
        tree.observe(Self.exec(pid: 30, comm: "java", exe: "/usr/bin/java", args: ["java", "-jar", "app.jar"]))
        tree.observe(Self.open(pid: 30, tid: 31, comm: "C2 CompilerThre", path: "/tmp/x"))
        #expect(tree[30]?.comm == "java")
    }

    @Test func alertTreeShowsTheCurrentName() throws {
        let engine = try World.engine(World.rules([("T1", "open", "event.path == '/etc/shadow'", "")]))
        _ = engine.apply(.processSnapshot(ProcessSnapshot(pid: 1, comm: "systemd", exepath: "/sbin/init")))
        _ = engine.apply(.event(Self.exec(pid: 50, comm: "exe", exe: "/bin/busybox", args: ["cat", "/etc/shadow"])))
        let alerts = engine.apply(.event(Self.open(pid: 50, comm: "cat", path: "/etc/shadow")))
        let alert = try #require(alerts.first)
        #expect(alert.lineage.first?.comm == "cat")
        let json = alert.json()
        #expect(json.contains("\"cat/50\":{\"pid\":50"))
        #expect(!json.contains("exe/50"))
    }
}
