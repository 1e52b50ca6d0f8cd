/// What an OCI runtime (runc, crun) or conmon invocation says about a container.
public struct RuntimeCommandLine: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        /// `create` or `run`: a container is being made.
        case create
        /// `start`: a created container begins its process.
        case start
        /// Any other subcommand (state, kill, delete, exec, ...), or none.
        case other(String)
    }

    public var action: Action
    public var containerID: String
    public var bundle: String
    public var pidFile: String
    /// The runtime's `--root` (where its state directories live), if given.
    public var root: String

    /// The runtime paths Loupe watches by default (kubescape facts §8).
    public static let knownRuntimePaths = [
        "/bin/runc", "/usr/bin/runc", "/usr/sbin/runc", "/usr/local/bin/runc", "/usr/local/sbin/runc",
        "/usr/lib/cri-o-runc/sbin/runc", "/usr/bin/crun", "/var/lib/rancher/k3s/data/current/bin/runc",
        "/var/lib/rancher/rke2/bin/runc", "/usr/libexec/crio/runc", "/var/lib/k0s/bin/runc",
        "/aarch64-bottlerocket-linux-gnu/sys-root/usr/bin/runc",
        "/x86_64-bottlerocket-linux-gnu/sys-root/usr/bin/runc", "/snap/microk8s/current/bin/runc",
        "/usr/bin/conmon",
    ]

    /// Global options of runc/crun that take a value (so the value is not mistaken for the
    /// subcommand).
    static let valuedGlobals: Set<String> = [
        "--root", "--log", "--log-format", "--criu", "--rootless", "--cgroup-manager",
    ]
    /// Subcommand options that take a value.
    static let valuedOptions: Set<String> = [
        "--bundle", "-b", "--pid-file", "--console-socket", "--preserve-fds", "--process", "-p", "--cwd",
        "--env", "-e", "--user", "-u", "--cap", "-c", "--apparmor", "--process-label", "--additional-gids",
        "-g", "--signal", "--format", "-f",
    ]

    /// Parses an argv (argv[0] included). conmon's flags (`-c/--cid`, `-b/--bundle`,
    /// `-p/--container-pidfile`, `-r/--runtime`) are understood when argv[0] ends in `conmon`.
    public static func parse(_ arguments: [String]) -> RuntimeCommandLine {
        var result = RuntimeCommandLine(action: .other(""), containerID: "", bundle: "", pidFile: "", root: "")
        guard let program = arguments.first else { return result }
        let rest = Array(arguments.dropFirst())
        if program.hasSuffix("conmon") { return parseConmon(rest) }
        var index = 0
        var subcommand: String?
        var positionals: [String] = []
        while index < rest.count {
            var word = rest[index]
            var inlineValue: String?
            if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
                inlineValue = String(word[word.index(after: equals)...])
                word = String(word[..<equals])
            }
            func value() -> String {
                if let inlineValue { return inlineValue }
                index += 1
                return index < rest.count ? rest[index] : ""
            }
            if word.hasPrefix("-") {
                if subcommand == nil {
                    if word == "--root" {
                        result.root = value()
                    } else if valuedGlobals.contains(word), inlineValue == nil {
                        index += 1
                    }
                } else if word == "--bundle" || word == "-b" {
                    result.bundle = value()
                } else if word == "--pid-file" {
                    result.pidFile = value()
                } else if valuedOptions.contains(word), inlineValue == nil {
                    index += 1
                }
            } else if subcommand == nil {
                subcommand = word
            } else {
                positionals.append(word)
            }
            index += 1
        }
        switch subcommand {
        case "create", "run": result.action = .create
        case "start": result.action = .start
        default: result.action = .other(subcommand ?? "")
        }
        result.containerID = positionals.first ?? ""
        return result
    }

    private static func parseConmon(_ rest: [String]) -> RuntimeCommandLine {
        var result = RuntimeCommandLine(action: .create, containerID: "", bundle: "", pidFile: "", root: "")
        var index = 0
        while index < rest.count {
            var word = rest[index]
            var inlineValue: String?
            if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
                inlineValue = String(word[word.index(after: equals)...])
                word = String(word[..<equals])
            }
            func value() -> String {
                if let inlineValue { return inlineValue }
                index += 1
                return index < rest.count ? rest[index] : ""
            }
            switch word {
            case "-c", "--cid": result.containerID = value()
            case "-b", "--bundle": result.bundle = value()
            case "-p", "--container-pidfile": result.pidFile = value()
            case "-r", "--runtime", "-u", "--cuuid", "-n", "--name", "-l", "--log-path", "-P", "--conmon-pidfile",
                "--exit-dir", "--socket-dir-path", "--log-level", "--runtime-arg", "--exit-command",
                "--exit-command-arg", "--persist-dir", "--log-tag":
                _ = value()
            default: break
            }
            index += 1
        }
        if result.containerID.isEmpty { result.action = .other("") }
        return result
    }
}
