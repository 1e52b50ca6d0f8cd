#if canImport(Glibc)
    import Glibc
#endif

/// Runs programs for the end-to-end tests (posix_spawn, no shell).
enum Processes {
    struct Result {
        var status: Int32
        var output: String
        var succeeded: Bool { status == 0 }
    }

    /// Runs `arguments` (PATH lookup) to completion, stdout and stderr captured together.
    static func run(_ arguments: [String], environment: [String: String] = [:]) -> Result {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return Result(status: -1, output: "pipe failed") }
        guard let pid = spawn(arguments, environment: environment, stdout: ends[1]) else {
            close(ends[0])
            close(ends[1])
            return Result(status: -1, output: "cannot start \(arguments.first ?? "")")
        }
        close(ends[1])
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(ends[0], $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            output += chunk[0..<count]
        }
        close(ends[0])
        return Result(status: wait(pid), output: String(decoding: output, as: UTF8.self))
    }

    /// Starts `arguments` in the background with stdout and stderr going to `stdout` (a file
    /// descriptor, or /dev/null when -1); returns the pid.
    static func spawn(_ arguments: [String], environment: [String: String] = [:], stdout: Int32 = -1) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if stdout >= 0 {
            posix_spawn_file_actions_adddup2(&actions, stdout, 1)
            posix_spawn_file_actions_adddup2(&actions, stdout, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var merged: [String: String] = [:]
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                merged[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            index += 1
        }
        merged.merge(environment) { $1 }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        return result == 0 ? pid : nil
    }

    /// Waits for `pid`; its exit code, or 128 + signal.
    @discardableResult
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// Waits for `pid` up to `seconds`; nil on timeout.
    static func wait(_ pid: pid_t, seconds: Double) -> Int32? {
        let deadline = Double(time(nil)) + seconds
        var status: Int32 = 0
        while Double(time(nil)) <= deadline {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                if status & 0x7f == 0 { return (status >> 8) & 0xff }
                return 128 + (status & 0x7f)
            }
            usleep(50_000)
        }
        return nil
    }
}
