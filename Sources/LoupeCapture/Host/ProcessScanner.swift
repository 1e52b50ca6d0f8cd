public import LoupeModel

#if canImport(Glibc)
    import Glibc
#endif

/// Builds `ProcessSnapshot`s from /proc, so a capture started mid-flight knows every process's
/// ancestry, namespace, command line and executable.
public enum ProcessScanner {
    /// The environment variables a snapshot keeps (those of the dynamic loader).
    static let loaderVariables: [[UInt8]] = ["LD_PRELOAD=", "LD_LIBRARY_PATH=", "LD_AUDIT="].map { Array($0.utf8) }

    /// Every process of /proc (thread-group leaders), by pid; processes that exit while being
    /// read are left out.
    ///
    /// - Parameters:
    ///   - timestamp: the boot-time instant the snapshot describes.
    ///   - root: the proc mount (tests point it elsewhere).
    public static func snapshot(timestamp: UInt64, root: String = "/proc") -> [ProcessSnapshot] {
        let ticks = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        return ProcFS.list(root)
            .compactMap { UInt32($0) }
            .sorted()
            .compactMap { process(pid: $0, timestamp: timestamp, root: root, ticksPerSecond: ticks) }
    }

    /// One process, or nil when it is gone (or its stat is unreadable).
    public static func process(
        pid: UInt32, timestamp: UInt64, root: String = "/proc", ticksPerSecond: UInt64 = 100
    ) -> ProcessSnapshot? {
        let directory = "\(root)/\(pid)"
        guard let stat = ProcFS.read(directory + "/stat"), let fields = parseStat(stat) else { return nil }
        var snapshot = ProcessSnapshot(timestamp: timestamp, pid: pid, ppid: fields.ppid)
        snapshot.comm = ByteString(fields.comm)
        snapshot.startTime = fields.startTicks * 1_000_000_000 / ticksPerSecond
        if let status = ProcFS.read(directory + "/status") {
            let ids = parseIDs(status)
            snapshot.uid = ids.uid
            snapshot.gid = ids.gid
        }
        snapshot.mntns = ProcFS.inode(directory + "/ns/mnt") ?? 0
        snapshot.exepath = ByteString(ProcFS.readLink(directory + "/exe") ?? [])
        snapshot.cwd = ByteString(ProcFS.readLink(directory + "/cwd") ?? [])
        snapshot.args = ProcFS.splitNUL(ProcFS.read(directory + "/cmdline", limit: 65536) ?? []).map(ByteString.init)
        if let environment = ProcFS.read(directory + "/environ", limit: 1 << 20) {
            snapshot.loaderEnvironment = loaderEnvironment(environment)
        }
        return snapshot
    }

    /// Fields of /proc/PID/stat: the command name sits in parentheses and may itself hold spaces
    /// and parentheses, so the fields are counted from the last `)`.
    static func parseStat(_ bytes: [UInt8]) -> (comm: [UInt8], ppid: UInt32, startTicks: UInt64)? {
        guard let open = bytes.firstIndex(of: UInt8(ascii: "(")),
            let close = bytes.lastIndex(of: UInt8(ascii: ")")), open < close
        else { return nil }
        let comm = Array(bytes[(open + 1)..<close])
        let rest = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        // rest[0] is field 3 (state): field N is rest[N - 3].
        guard rest.count > 19, let ppid = UInt32(String(decoding: rest[1], as: UTF8.self)),
            let start = UInt64(String(decoding: rest[19], as: UTF8.self))
        else { return nil }
        return (comm, ppid, start)
    }

    /// Real uid and gid from /proc/PID/status.
    static func parseIDs(_ bytes: [UInt8]) -> (uid: UInt32, gid: UInt32) {
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            let text = String(decoding: line, as: UTF8.self)
            let isUid = text.hasPrefix("Uid:")
            guard isUid || text.hasPrefix("Gid:") else { continue }
            let value = text.dropFirst(4).split(whereSeparator: { $0 == "\t" || $0 == " " }).first.flatMap {
                UInt32($0)
            }
            if isUid { uid = value ?? 0 } else { gid = value ?? 0 }
        }
        return (uid, gid)
    }

    /// The `LD_PRELOAD=`, `LD_LIBRARY_PATH=` and `LD_AUDIT=` entries of a NUL-separated environment.
    static func loaderEnvironment(_ environment: [UInt8]) -> [ByteString] {
        ProcFS.splitNUL(environment)
            .filter { entry in loaderVariables.contains { entry.starts(with: $0) } }
            .map(ByteString.init)
    }
}
