// swift-tools-version:6.1
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode is the package default; these add the
/// upcoming-feature checks STYLE.md asks for.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The modules on replay's per-record path. Swift checks exclusive access to class properties at
/// run time by default; for the engine's state that is several checks per record and 8% of a
/// replay (callgrind, docs/benchmarks.md). These targets are single-threaded by design (one engine
/// per thread) and the compile-time checks still apply, so the run-time ones are turned off.
let hotPathSettings: [SwiftSetting] = strictSettings + [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

let package = Package(
    name: "Loupe",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "loupe", targets: ["loupe"])
    ],
    targets: [
        // C libraries from Debian, found through pkg-config.
        .systemLibrary(
            name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(
            name: "CYaml", path: "Sources/CYaml", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),
        // RE2 behind a C ABI: Swift cannot import RE2's C++ classes directly.
        .target(
            name: "CRE2", path: "Sources/CRE2",
            cxxSettings: [.unsafeFlags(["-std=c++17"])],
            linkerSettings: [.linkedLibrary("re2")]),

        // The compiled eBPF object (as a libbpf skeleton) and thin C helpers around it.
        .target(
            name: "CLoupeBPF", path: "Sources/CLoupeBPF",
            linkerSettings: [.linkedLibrary("bpf"), .linkedLibrary("elf"), .linkedLibrary("z")]),

        .target(name: "LoupeModel", swiftSettings: strictSettings),
        // POSIX threads and locks, for the modules that run blocking work on threads of their own.
        .target(name: "LoupeSystem", swiftSettings: strictSettings),
        .target(
            name: "LoupeFormat", dependencies: ["LoupeModel", "LoupeSystem", "CZstd"], swiftSettings: strictSettings),
        .target(name: "LoupeCEL", dependencies: ["CRE2"], swiftSettings: hotPathSettings),
        .target(
            name: "LoupeEngine", dependencies: ["LoupeModel", "LoupeCEL", "CYaml"], swiftSettings: hotPathSettings),
        .target(
            name: "LoupeCapture", dependencies: ["LoupeModel", "LoupeSystem", "CLoupeBPF"],
            swiftSettings: strictSettings),
        .target(name: "LoupeExport", dependencies: ["LoupeModel"], swiftSettings: strictSettings),
        .target(name: "TestSupport", dependencies: ["LoupeModel", "LoupeFormat"], swiftSettings: strictSettings),
        .executableTarget(
            name: "loupe",
            dependencies: [
                "LoupeModel", "LoupeSystem", "LoupeFormat", "LoupeCEL", "LoupeCapture", "LoupeEngine", "LoupeExport",
            ],
            swiftSettings: strictSettings),

        .testTarget(
            name: "LoupeModelTests", dependencies: ["LoupeModel", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "LoupeFormatTests", dependencies: ["LoupeFormat", "LoupeModel", "TestSupport"],
            exclude: ["Golden"], swiftSettings: strictSettings),
        .testTarget(name: "LoupeCELTests", dependencies: ["LoupeCEL"], swiftSettings: strictSettings),
        .testTarget(
            name: "LoupeCaptureTests",
            dependencies: ["LoupeCapture", "LoupeModel", "LoupeSystem", "LoupeFormat", "TestSupport"],
            swiftSettings: strictSettings),
        .testTarget(name: "LoupeCLITests", dependencies: ["loupe"], swiftSettings: strictSettings),
        .testTarget(
            name: "LoupeEngineTests", dependencies: ["LoupeEngine", "LoupeModel", "TestSupport"],
            exclude: ["Fixtures"], swiftSettings: strictSettings),
        .testTarget(
            name: "LoupeExportTests", dependencies: ["LoupeExport", "LoupeModel"], swiftSettings: strictSettings),
    ],
    cxxLanguageStandard: .cxx17
)
