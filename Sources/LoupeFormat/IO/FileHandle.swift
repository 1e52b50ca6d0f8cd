#if canImport(Glibc)
    import Glibc
#endif

/// An open file descriptor with one owner; closed when the owner goes away.
final class OwnedFile {
    let descriptor: Int32
    let path: String

    /// Opens `path` with `flags` (and `mode` when creating).
    init(path: String, flags: Int32, mode: mode_t = 0o600) throws(SystemError) {
        self.descriptor = try retryingInterrupts("open", path: path) { open(path, flags | O_CLOEXEC, mode) }
        self.path = path
    }

    deinit { close(descriptor) }

    /// Writes all of `bytes`, continuing after short writes.
    func write(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = try retryingInterrupts("write", path: path) {
                Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            }
            offset += written
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(count: Int, at offset: UInt64) throws -> [UInt8] {
        var failure: SystemError?
        let result = [UInt8](unsafeUninitializedCapacity: count) { buffer, filled in
            filled = 0
            while filled < count {
                let got: Int
                do throws(SystemError) {
                    got = try retryingInterrupts("pread", path: path) {
                        pread(descriptor, buffer.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
                    }
                } catch {
                    failure = error
                    return
                }
                if got == 0 { break }
                filled += got
            }
        }
        if let failure { throw failure }
        return result
    }

    func size() throws(SystemError) -> UInt64 {
        var info = stat()
        _ = try retryingInterrupts("fstat", path: path) { fstat(descriptor, &info) }
        return UInt64(info.st_size)
    }

    func sync() throws(SystemError) {
        _ = try retryingInterrupts("fdatasync", path: path) { fdatasync(descriptor) }
    }
}

/// Directory and file helpers over libc.
public enum FileSystem {
    /// Whether `path` names a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// The names in a directory, sorted, without `.` and `..`.
    public static func contents(of path: String) throws(SystemError) -> [String] {
        guard let directory = opendir(path) else { throw SystemError(call: "opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Creates `path` (and missing parents) with mode 0700: captures hold command lines and
    /// paths. An existing directory is used only if others cannot read it.
    static func makePrivateDirectory(_ path: String) throws(SystemError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        var created = false
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) == 0 {
                created = true
            } else if errno != EEXIST {
                throw SystemError(call: "mkdir", path: prefix, errno: errno)
            }
        }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw SystemError(call: "mkdir", path: path, errno: ENOTDIR)
        }
        if created {
            // mkdir's mode is filtered by the umask; make sure it is exactly 0700.
            if chmod(path, 0o700) != 0 { throw SystemError(call: "chmod", path: path, errno: errno) }
        } else if info.st_mode & 0o077 != 0 {
            throw SystemError(
                call: "mkdir (existing directory open to group or others; chmod 700 it)", path: path, errno: EPERM)
        }
    }

    static func remove(_ path: String) throws(SystemError) {
        if unlink(path) != 0 { throw SystemError(call: "unlink", path: path, errno: errno) }
    }

    /// Deletes a directory tree (or a file); best effort, for temporary directories.
    public static func removeTree(_ path: String) {
        if isDirectory(path), let names = try? contents(of: path) {
            for name in names { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    public static func fileSize(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_size) : nil
    }
}

/// CLOCK_MONOTONIC in nanoseconds: for flush and rotation deadlines, never for record times.
public func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}
