import Foundation
import Testing

/// `loupe profile learn` on a synthetic capture: choosing the container, the errors, and the
/// profile's effect when a replay uses it.
@Suite(.serialized) struct ProfileCLITests {
    /// A synthetic capture with pods web/redis-1-7f9c and payments/redis-2-7f9c (both with a
    /// container `redis`) and docker container redis-4, built once.
    static let capture: String = {
        let directory = temporaryDirectory()
        _ = try? Loupe.run(["synth", "-o", directory, "--events", "20000", "--seed", "3"])
        return directory
    }()

    static let config: String = {
        let path = temporaryDirectory() + ".yaml"
        try? "enableHostMonitoring: true\nenableDockerMonitoring: true\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        return path
    }()

    /// Profile-dependent rules that answer from a profile (required, or optional but consulting
    /// the learned syscalls).
    static let profileRules: Set<String> = [
        "R0001", "R0002", "R0003", "R0004", "R0005", "R0006", "R0007", "R0008", "R0011", "R0040", "R1030", "R1006",
        "R0009",
    ]

    /// Rule ids of the replay's alerts for pod `pod`.
    static func alertRules(profile: String?, pod: String) throws -> [String] {
        var arguments = ["replay", capture, "--config", config, "--pod", pod]
        if let profile { arguments += ["--profiles", profile] }
        let result = try Loupe.run(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "\"RuleID\":\"") else { return nil }
            return String(line[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test func helpDescribesTheCommand() throws {
        let help = try Loupe.run(["profile", "learn", "--help"])
        #expect(help.status == 0)
        #expect(
            help.stdout.hasPrefix(
                "Usage: loupe profile learn CAPTURE (--container NAME_OR_ID | --pod POD | --workload KIND/NAME)"))
        #expect(help.stdout.contains("--workload KIND/NAME"))
        let group = try Loupe.run(["profile", "--help"])
        #expect(group.stdout.contains("  learn  "))
        #expect(try Loupe.run(["--help"]).stdout.contains("  profile "))
    }

    @Test(arguments: [
        (["profile", "learn"], "missing CAPTURE argument"),
        (
            ["profile", "learn", "cap"],
            "missing --container NAME_OR_ID (or --pod POD for all its containers, or --workload KIND/NAME for all its pods)"
        ),
        (["profile", "learn", "cap", "--pod", "p", "--workload", "web"], "--workload expects KIND/NAME"),
        (["profile", "learn", "cap", "--pod", "p", "--workload", "gadget/web"], "--workload expects KIND/NAME"),
        (["profile", "learn", "cap", "--pod", "p", "--frobnicate"], "unknown option '--frobnicate'"),
    ])
    func usageErrorsExit64(arguments: [String], message: String) throws {
        let result = try Loupe.run(arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("Error: \(message)"), "\(result.stderr)")
        #expect(result.stderr.contains("See 'loupe profile learn --help'."))
        #expect(result.stdout.isEmpty)
    }

    @Test func missingCaptureIsNoInput() throws {
        let result = try Loupe.run(["profile", "learn", "/nonexistent/capture", "--container", "x"])
        #expect(result.status == 66, "\(result.stderr)")
    }

    @Test func choosingTheContainer() throws {
        let ambiguous = try Loupe.run(["profile", "learn", Self.capture, "--container", "redis"])
        #expect(ambiguous.status == 64)
        #expect(
            ambiguous.stderr.contains(
                "container redis matches containers of 2 pods (payments/redis-2-7f9c, web/redis-1-7f9c): add --pod or --namespace, or --workload KIND/NAME"
            ), "\(ambiguous.stderr)")

        let unknown = try Loupe.run(["profile", "learn", Self.capture, "--container", "nosuch"])
        #expect(unknown.status == 66)
        #expect(unknown.stderr.contains("no Kubernetes container matches container nosuch in \(Self.capture)"))
        #expect(unknown.stderr.contains("web/redis-1-7f9c/redis ("), "\(unknown.stderr)")

        let docker = try Loupe.run(["profile", "learn", Self.capture, "--container", "redis-4"])
        #expect(docker.status == 66)
        #expect(docker.stderr.contains("redis-4 is a docker container"), "\(docker.stderr)")

        let narrowed = try Loupe.run(["profile", "learn", Self.capture, "--container", "redis", "--namespace", "web"])
        #expect(narrowed.status == 0, "\(narrowed.stderr)")
        #expect(narrowed.stdout.hasPrefix("apiVersion: v1\nitems:\n- apiVersion: spdx.softwarecomposition"))
        #expect(narrowed.stdout.contains("    kubescape.io/workload-name: redis-1-7f9c\n"))
        #expect(narrowed.stderr.contains("learned web/redis-1-7f9c container redis ("))
        // The same pod chosen by --pod alone gives the same profile.
        #expect(try Loupe.run(["profile", "learn", Self.capture, "--pod", "redis-1-7f9c"]).stdout == narrowed.stdout)
    }

    @Test func unwritableOutputIsCantCreate() throws {
        let result = try Loupe.run([
            "profile", "learn", Self.capture, "--pod", "redis-1-7f9c", "-o", "/nonexistent/dir/p.yaml",
        ])
        #expect(result.status == 73)
        #expect(result.stderr.contains("cannot create /nonexistent/dir/p.yaml"))
    }

    @Test func aReplayAgainstItsOwnProfileHasNoProfileAlerts() throws {
        let whole = temporaryDirectory() + ".yaml"
        let early = temporaryDirectory() + ".yaml"
        defer {
            try? FileManager.default.removeItem(atPath: whole)
            try? FileManager.default.removeItem(atPath: early)
        }
        let learned = try Loupe.run(["profile", "learn", Self.capture, "--pod", "redis-1-7f9c", "-o", whole])
        #expect(learned.status == 0, "\(learned.stderr)")
        #expect(learned.stderr.contains("written to \(whole)"))
        let silent = try Self.alertRules(profile: whole, pod: "redis-1-7f9c")
        #expect(silent.filter(Self.profileRules.contains).isEmpty, "\(silent)")

        // Learned from the first 100 ms only, the profile misses what the pod did later.
        let partial = try Loupe.run([
            "profile", "learn", Self.capture, "--pod", "redis-1-7f9c", "--until", "+100ms", "-o", early,
        ])
        #expect(partial.status == 0, "\(partial.stderr)")
        let noisy = try Self.alertRules(profile: early, pod: "redis-1-7f9c")
        #expect(!noisy.filter(Self.profileRules.contains).isEmpty, "\(noisy)")
        // Without any profile the profile-required rules do not run at all.
        let none = try Self.alertRules(profile: nil, pod: "redis-1-7f9c")
        #expect(none.filter { ["R0001", "R0003", "R0005", "R0040"].contains($0) }.isEmpty, "\(none)")
    }

    /// `--workload` without `--pod`: every replica of the workload is learned from, its
    /// containers merged by name, and the profile silences all of them.
    @Test func aWorkloadIsLearnedAcrossItsPods() throws {
        // Seed 4 runs two pods of deployment redis in namespace web: redis-7-7f9c, redis-9-7f9c.
        let capture = temporaryDirectory()
        let profile = temporaryDirectory() + ".yaml"
        defer {
            try? FileManager.default.removeItem(atPath: capture)
            try? FileManager.default.removeItem(atPath: profile)
        }
        #expect(try Loupe.run(["synth", "-o", capture, "--events", "20000", "--seed", "4"]).status == 0)
        let learned = try Loupe.run(["profile", "learn", capture, "--workload", "deployment/redis", "-o", profile])
        #expect(learned.status == 0, "\(learned.stderr)")
        #expect(learned.stderr.contains("learned 2 pods of web container redis ("), "\(learned.stderr)")
        let text = try String(contentsOfFile: profile, encoding: .utf8)
        #expect(text.contains("    name: deployment-redis\n"))
        let sources = text.components(separatedBy: "loupe.dev/learned-from: ").dropFirst().first?.prefix { $0 != "\n" }
        #expect(sources?.split(separator: ",").count == 2, "\(String(describing: sources))")
        // Everything either replica did is in the merged profile, and nothing else.
        func pathLines(_ profile: String) -> Set<Substring> {
            Set(
                profile.split(separator: "\n").filter {
                    $0.hasPrefix("      - path: ") || $0.hasPrefix("        path: ")
                })
        }
        let merged = pathLines(text)
        var single: [Set<Substring>] = []
        for pod in ["redis-7-7f9c", "redis-9-7f9c"] {
            let alone = try Loupe.run(["profile", "learn", capture, "--pod", pod])
            #expect(alone.status == 0, "\(alone.stderr)")
            single.append(pathLines(alone.stdout))
            #expect(pathLines(alone.stdout).isSubset(of: merged), "\(pod)")
            let replay = try Loupe.run([
                "replay", capture, "--config", Self.config, "--pod", pod, "--profiles", profile,
            ])
            #expect(replay.status == 0, "\(replay.stderr)")
            #expect(!replay.stdout.contains(#""RuleID":"R0001""#), "\(pod)")
        }
        #expect(merged == single[0].union(single[1]))
        // A workload name found in two namespaces needs --namespace.
        let spread = try Loupe.run(["profile", "learn", Self.capture, "--workload", "deployment/redis"])
        #expect(spread.status == 64)
        #expect(
            spread.stderr.contains("matches pods of 2 namespaces (payments, web): add --namespace"), "\(spread.stderr)")
        let one = try Loupe.run([
            "profile", "learn", Self.capture, "--workload", "deployment/redis", "--namespace", "web",
        ])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stderr.contains("learned web/redis-1-7f9c container redis ("), "\(one.stderr)")
    }

    @Test func explicitWorkloadAndAWarningWhenPodsCannotFindIt() throws {
        let result = try Loupe.run([
            "profile", "learn", Self.capture, "--pod", "redis-1-7f9c", "--workload", "StatefulSet/redis-1",
        ])
        #expect(result.status == 0)
        #expect(result.stdout.contains("    kubescape.io/workload-kind: StatefulSet\n"))
        #expect(result.stdout.contains("    name: statefulset-redis-1\n"))
        #expect(!result.stderr.contains("warning: pod"))
        let lost = try Loupe.run([
            "profile", "learn", Self.capture, "--pod", "redis-1-7f9c", "--workload", "deployment/cache",
        ])
        #expect(lost.status == 0)
        #expect(lost.stderr.contains("warning: pod redis-1-7f9c would not find workload cache"), "\(lost.stderr)")
    }
}
