public import LoupeModel
import LoupeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Watches OCI runtime binaries with fanotify `FAN_OPEN_EXEC_PERM` and reports containers as
/// they start.
///
/// The permission event is answered `FAN_ALLOW` at once, on the reading thread, before anything
/// else is looked at: a runtime exec is never held up by Loupe. The rest (waiting for the exec
/// to complete, parsing the runtime's arguments, waiting for the init pid, reading config.json)
/// happens on a short-lived thread per container creation.
public final class RuntimeWatcher: @unchecked Sendable {
    /// A container that started, stamped with the boot time of its runtime's exec.
    public typealias Report = @Sendable (ContainerStarted) -> Void

    private let descriptor: Int32
    private let stopPipe: (read: Int32, write: Int32)
    private let metadata: ContainerMetadataReader
    private let stateRoots: [String]
    private let report: Report
    private let lifecycleFailure: @Sendable (String) -> Void
    private var reader: PosixThread?
    /// Rescans the runtimes' state directories every `rescanInterval`: the safety net for a
    /// runtime exec that could not be followed (it finished, or the node was too busy).
    private var rescanner: PosixThread?
    private var stopping = false
    /// How often the state directories are rescanned once discovery has run (ns).
    public var rescanInterval: UInt64 = 200_000_000
    private let monitor = ConditionLock()
    private var announced = Set<String>()
    private var pending = 0
    /// The runtime binaries being watched (those of the candidates that exist).
    public let watchedPaths: [String]
    /// LOUPE_DEBUG_WATCHER=1 prints every runtime invocation seen to stderr.
    private let debug = environmentValue("LOUPE_DEBUG_WATCHER") != nil

    private func trace(_ text: String) {
        let line = Array("loupe watcher: \(text)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
    /// How long to wait for a runtime's pid file / state before giving up (ns).
    public var resolveTimeout: UInt64 = 15_000_000_000

    /// Why the watcher could not start.
    public struct StartError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Marks every path of `candidates` that exists and starts reading.
    ///
    /// - Parameters:
    ///   - report: called (from a watcher thread) for every container started.
    ///   - failure: called when a runtime exec could not be resolved into a container.
    public init(
        candidates: [String], metadata: ContainerMetadataReader = ContainerMetadataReader(),
        stateRoots: [String] = ContainerDiscovery.defaultStateRoots, report: @escaping Report,
        failure: @escaping @Sendable (String) -> Void
    ) throws(StartError) {
        guard let api = Fanotify.api else { throw StartError(description: "fanotify is not available in libc") }
        let descriptor = api.initialize(
            Fanotify.classContent | Fanotify.cloexec | Fanotify.unlimitedQueue, UInt32(O_RDONLY | O_CLOEXEC))
        guard descriptor >= 0 else {
            throw StartError(description: "fanotify_init failed: \(String(cString: strerror(errno)))")
        }
        var watched: [String] = []
        var seenInodes = Set<UInt64>()
        for path in candidates where ProcFS.exists(path) {
            // Several names may be one file (/bin is /usr/bin on merged-/usr systems).
            if let inode = ProcFS.inode(path), seenInodes.contains(inode) { continue }
            if api.mark(descriptor, Fanotify.markAdd, Fanotify.openExecPermission, AT_FDCWD, path) == 0 {
                watched.append(path)
                if let inode = ProcFS.inode(path) { seenInodes.insert(inode) }
            }
        }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            close(descriptor)
            throw StartError(description: "pipe failed: \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        self.stopPipe = (pipeEnds[0], pipeEnds[1])
        self.metadata = metadata
        self.stateRoots = stateRoots
        self.report = report
        self.lifecycleFailure = failure
        self.watchedPaths = watched
        reader = PosixThread(name: "loupe-fanotify") { [self] in readLoop() }
    }

    /// Stops reading; waits for resolvers in flight up to `grace` ns.
    public func stop(grace: UInt64 = 2_000_000_000) {
        var byte: UInt8 = 1
        _ = write(stopPipe.write, &byte, 1)
        reader?.join()
        reader = nil
        monitor.locked {
            stopping = true
            monitor.broadcast()
        }
        rescanner?.join()
        rescanner = nil
        let deadline = Clocks.monotonic() + grace
        monitor.locked {
            while pending > 0, Clocks.monotonic() < deadline { monitor.wait(until: deadline) }
        }
    }

    deinit {
        close(descriptor)
        close(stopPipe.read)
        close(stopPipe.write)
    }

    /// Containers found running at start are announced by discovery; the watcher must not
    /// announce them again when their runtime is invoked (`runc state`, `start`, `delete`).
    ///
    /// The periodic rescan starts here, once what was running at start is known.
    public func markKnown(_ ids: [String]) {
        let startRescanning = monitor.locked { () -> Bool in
            announced.formUnion(ids)
            return rescanner == nil && !stopping
        }
        if startRescanning { rescanner = PosixThread(name: "loupe-rescan") { [self] in rescanLoop() } }
    }

    private func rescanLoop() {
        while true {
            let stop = monitor.locked { () -> Bool in
                let deadline = Clocks.monotonic() + rescanInterval
                while !stopping, Clocks.monotonic() < deadline { monitor.wait(until: deadline) }
                return stopping
            }
            if stop { return }
            rescan(timestamp: Clocks.boottime())
        }
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 8192)
        var polls = [
            pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&polls, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if polls[1].revents != 0 { return }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            var offset = 0
            while offset + Fanotify.metadataSize <= count {
                let event = buffer.withUnsafeBytes { Fanotify.Metadata(raw: $0, at: offset) }
                guard event.length >= Fanotify.metadataSize else { break }
                var runtimeInode: UInt64 = 0
                if event.fd >= 0 {
                    if event.mask & UInt64(Fanotify.openExecPermission) != 0 {
                        var response = (event.fd, Fanotify.allow)
                        _ = withUnsafeBytes(of: &response) { write(descriptor, $0.baseAddress, 8) }
                    }
                    // After the answer: which binary is being executed (fstat never blocks).
                    var info = stat()
                    if fstat(event.fd, &info) == 0 { runtimeInode = UInt64(info.st_ino) }
                    close(event.fd)
                }
                if event.pid > 0 {
                    runtimeStarted(pid: UInt32(event.pid), inode: runtimeInode, at: Clocks.boottime())
                }
                offset += Int(event.length)
            }
        }
    }

    private func runtimeStarted(pid: UInt32, inode: UInt64, at timestamp: UInt64) {
        monitor.locked { pending += 1 }
        PosixThread(name: "loupe-runtime") { [self] in
            resolve(pid: pid, inode: inode, timestamp: timestamp)
            monitor.locked {
                pending -= 1
                monitor.broadcast()
            }
        }?.detach()
    }

    /// Waits for the runtime's exec to complete, reads what it was asked to do, and for a
    /// creation waits for the container's init pid.
    private func resolve(pid: UInt32, inode: UInt64, timestamp: UInt64) {
        // The permission event comes before the exec completes: until /proc/PID/exe is the
        // runtime binary, /proc/PID/cmdline still shows the old program.
        var arguments: [[UInt8]] = []
        let deadline = Clocks.monotonic() + 2_000_000_000
        while Clocks.monotonic() < deadline {
            // Gone already (a fast `runc create`): the rescan below finds what it created.
            guard let exe = ProcFS.inode("/proc/\(pid)/exe") else { break }
            if exe == inode || inode == 0 {
                arguments = ProcFS.splitNUL(ProcFS.read("/proc/\(pid)/cmdline") ?? [])
                break
            }
            usleep(200)
        }
        if debug { trace("runtime pid \(pid): args \(arguments.map { String(decoding: $0, as: UTF8.self) })") }
        guard !arguments.isEmpty else {
            // The runtime came and went before it could be read (a fast `runc create` on a busy
            // node): whatever it created is in its state directory.
            rescan(timestamp: timestamp)
            return
        }
        let command = RuntimeCommandLine.parse(arguments.map { String(decoding: $0, as: UTF8.self) })
        if debug { trace("runtime pid \(pid): \(command)") }
        if command.action == .start, !command.containerID.isEmpty,
            !monitor.locked({ announced.contains(command.containerID) })
        {
            // Its `create` was missed; `start` is the second chance.
            rescan(timestamp: timestamp)
            return
        }
        guard command.action == .create, !command.containerID.isEmpty else { return }
        let known = monitor.locked { announced.contains(command.containerID) }
        guard !known else { return }
        guard let initPid = waitForInitPid(command, runtimePid: pid) else {
            lifecycleFailure("container \(command.containerID): no init pid within the timeout")
            return
        }
        let bundle =
            command.bundle.isEmpty
            ? (ProcFS.readLink("/proc/\(pid)/cwd").map { String(decoding: $0, as: UTF8.self) } ?? "") : command.bundle
        switch metadata.read(id: command.containerID, bundle: bundle, initPid: initPid, runtimeRoot: command.root) {
        case .container(let info):
            let first = monitor.locked { announced.insert(info.id).inserted }
            if first { report(ContainerStarted(timestamp: timestamp, container: info)) }
        case .sandbox:
            monitor.locked { _ = announced.insert(command.containerID) }
        case .gone:
            lifecycleFailure("container \(command.containerID): init process \(initPid) exited before it was read")
        }
    }

    /// Announces every container of the state directories not announced yet.
    private func rescan(timestamp: UInt64) {
        for entry in ContainerDiscovery(stateRoots: stateRoots, metadata: metadata).stateEntries() {
            guard !monitor.locked({ announced.contains(entry.id) }) else { continue }
            let outcome = metadata.read(
                id: entry.id, bundle: entry.bundle, initPid: entry.initPid, runtimeRoot: entry.runtimeRoot)
            switch outcome {
            case .container(let info):
                if monitor.locked({ announced.insert(info.id).inserted }) {
                    // Found late: stamp it when its init process started, so that within the
                    // capture's reorder window it still comes before the container's events.
                    report(ContainerStarted(timestamp: Self.startTime(of: entry.initPid) ?? timestamp, container: info))
                }
            case .sandbox:
                monitor.locked { _ = announced.insert(entry.id) }
            case .gone:
                break
            }
        }
    }

    /// When a process started, in CLOCK_BOOTTIME ns (from /proc/PID/stat), if it still runs.
    static func startTime(of pid: UInt32) -> UInt64? {
        guard pid > 0, let bytes = ProcFS.read("/proc/\(pid)/stat"),
            let fields = ProcessScanner.parseStat(bytes)
        else { return nil }
        let ticksPerSecond = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        return fields.startTicks * 1_000_000_000 / ticksPerSecond
    }

    /// The init pid from `--pid-file`, or from the runtime's state.json under its root.
    private func waitForInitPid(_ command: RuntimeCommandLine, runtimePid: UInt32) -> UInt32? {
        let deadline = Clocks.monotonic() + resolveTimeout
        var pidFile = command.pidFile
        if !pidFile.isEmpty, !pidFile.hasPrefix("/"), let cwd = ProcFS.readLink("/proc/\(runtimePid)/cwd") {
            pidFile = String(decoding: cwd, as: UTF8.self) + "/" + pidFile
        }
        let roots = command.root.isEmpty ? ["/run/runc", "/run/crun"] : [command.root]
        while Clocks.monotonic() < deadline {
            if !pidFile.isEmpty, let text = ProcFS.text(pidFile),
                let pid = UInt32(text.trimmingCharacters(in: " \n\t")), pid > 0
            {
                return pid
            }
            for root in roots {
                if let entry = ContainerDiscovery.stateEntry(
                    directory: root + "/" + command.containerID, runtimeRoot: root)
                {
                    return entry.initPid
                }
            }
            // A runtime that gave up leaves nothing to wait for.
            if !ProcFS.processExists(runtimePid), pidFile.isEmpty { return nil }
            usleep(2000)
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}

/// fanotify(7) through libc's own symbols: Swift's Glibc module does not import
/// <sys/fanotify.h>, so the two functions are looked up once with dlsym and called through
/// C function pointers (no Swift-side declaration of a C symbol).
enum Fanotify {
    typealias InitFunction = @convention(c) (UInt32, UInt32) -> Int32
    typealias MarkFunction = @convention(c) (Int32, UInt32, UInt64, Int32, UnsafePointer<CChar>?) -> Int32

    struct API: @unchecked Sendable {
        let initialize: InitFunction
        let mark: MarkFunction
    }

    static let api: API? = {
        guard let library = dlopen(nil, RTLD_NOW), let initSymbol = dlsym(library, "fanotify_init"),
            let markSymbol = dlsym(library, "fanotify_mark")
        else { return nil }
        return API(
            initialize: unsafeBitCast(initSymbol, to: InitFunction.self),
            mark: unsafeBitCast(markSymbol, to: MarkFunction.self))
    }()

    // Values of <linux/fanotify.h>.
    static let cloexec: UInt32 = 0x01  // FAN_CLOEXEC
    static let classContent: UInt32 = 0x04  // FAN_CLASS_CONTENT
    static let unlimitedQueue: UInt32 = 0x10  // FAN_UNLIMITED_QUEUE
    static let markAdd: UInt32 = 0x01  // FAN_MARK_ADD
    static let openExecPermission: UInt64 = 0x0004_0000  // FAN_OPEN_EXEC_PERM
    static let allow: UInt32 = 0x01  // FAN_ALLOW

    /// `struct fanotify_event_metadata`: event_len u32, vers u8, reserved u8, metadata_len u16,
    /// mask u64, fd s32, pid s32.
    static let metadataSize = 24

    struct Metadata {
        var length: UInt32
        var mask: UInt64
        var fd: Int32
        var pid: Int32

        init(raw: UnsafeRawBufferPointer, at offset: Int) {
            length = raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            mask = raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
            fd = raw.loadUnaligned(fromByteOffset: offset + 16, as: Int32.self)
            pid = raw.loadUnaligned(fromByteOffset: offset + 20, as: Int32.self)
        }
    }
}
