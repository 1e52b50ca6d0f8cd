#if canImport(Glibc)
    import Glibc
#endif

/// Small readers of kernel-provided files (/proc, /sys) and of plain files, without Foundation.
///
/// They return nil instead of throwing: a process may exit between listing and reading, and
/// that is normal, not an error.
enum ProcFS {
    /// The whole content of a file, read with `read(2)` until end of file, or nil.
    static func read(_ path: String, limit: Int = 16 << 20) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// A file's content as text with trailing newlines removed.
    static func text(_ path: String) -> String? {
        guard var bytes = read(path) else { return nil }
        while bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The target of a symbolic link, as raw bytes.
    static func readLink(_ path: String) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { raw in
            readlink(path, raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
        }
        guard count >= 0 else { return nil }
        return Array(buffer[0..<count])
    }

    /// The inode number of a path (namespace files: the namespace id), or nil.
    static func inode(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Names in a directory, without `.` and `..`; empty when it cannot be read.
    static func list(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// Whether /proc has an entry for `pid`.
    static func processExists(_ pid: UInt32) -> Bool { exists("/proc/\(pid)") }

    /// Splits NUL-separated bytes into elements (a missing final NUL is tolerated).
    static func splitNUL(_ bytes: [UInt8]) -> [[UInt8]] {
        var parts = bytes.split(separator: 0, omittingEmptySubsequences: false).map { Array($0) }
        if parts.last?.isEmpty == true { parts.removeLast() }
        return parts
    }
}

/// Clock readings in nanoseconds.
public enum Clocks {
    /// CLOCK_BOOTTIME: the clock of every record's timestamp (`bpf_ktime_get_boot_ns`).
    public static func boottime() -> UInt64 { read(CLOCK_BOOTTIME).map { UInt64($0) } ?? 0 }
    /// CLOCK_REALTIME, since the epoch.
    public static func realtime() -> Int64 { read(CLOCK_REALTIME) ?? 0 }
    /// CLOCK_MONOTONIC.
    public static func monotonic() -> UInt64 { read(CLOCK_MONOTONIC).map { UInt64($0) } ?? 0 }

    private static func read(_ clock: clockid_t) -> Int64? {
        var spec = timespec()
        guard clock_gettime(clock, &spec) == 0 else { return nil }
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    /// A boot-time/wall-time pair taken as close together as the machine allows: the wall
    /// reading is bracketed by two boot readings and paired with their midpoint; the tightest of
    /// a few tries wins.
    public static func anchor() -> ClockAnchorReading {
        var best = ClockAnchorReading(bootTime: 0, wallTime: 0, uncertainty: .max)
        for _ in 0..<5 {
            let before = boottime()
            let wall = realtime()
            let after = boottime()
            let spread = after &- before
            if spread < best.uncertainty {
                best = ClockAnchorReading(bootTime: before + spread / 2, wallTime: wall, uncertainty: spread)
            }
        }
        return best
    }
}

/// One pairing of CLOCK_BOOTTIME with CLOCK_REALTIME, and how far apart the readings were.
public struct ClockAnchorReading: Sendable {
    public var bootTime: UInt64
    public var wallTime: Int64
    /// ns between the two boot-clock readings that bracket the wall-clock reading.
    public var uncertainty: UInt64
}
