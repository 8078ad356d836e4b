// swift-tools-version:6.0
import PackageDescription

// Release builds are what users run and the benchmark measures, and for a tracer start-up is part of every
// run (DESIGN §7). Measured on `ipcwatch -- true` (Benchmarks/bench.py has the numbers):
// - the compiler calls metadata accessors directly instead of demangling type names at run time (the
//   runtime's demangler is cold code: page faults and a tenth of a millisecond at the first generic type);
// - libstdc++ (which only the static Swift runtime uses), libgcc and libseccomp are linked statically, through
//   the linker scripts in scripts/static-link: the dynamic loader no longer maps and relocates them;
// - no PIE: 25 000 relative relocations fewer to apply, and the pages they would dirty;
// - identical code folded (`--icf=all`): fewer pages of the 17 MB binary to fault in (0.3 ms of 6 at start-up).
let releaseSwift: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release)),
]
let releaseLink: [LinkerSetting] = [
    .unsafeFlags(["-Xclang-linker", "-no-pie", "-Xclang-linker", "-static-libgcc", "-Xlinker", "--icf=all",
                  "-L", Context.packageDirectory + "/scripts/static-link"], .when(configuration: .release)),
]

let package = Package(
    name: "ipcwatch",
    products: [
        .executable(name: "ipcwatch", targets: ["ipcwatch"]),
        .library(name: "IPCWatch", targets: ["IPCWatch"]),
    ],
    targets: [
        // Only what Swift cannot do safely: fork/exec with a seccomp filter, variadic ptrace, libseccomp.
        .target(
            name: "CSupport",
            path: "CSupport",
            linkerSettings: [.linkedLibrary("seccomp")]
        ),
        .target(
            name: "IPCWatch",
            dependencies: ["CSupport"],
            swiftSettings: releaseSwift
        ),
        .executableTarget(
            name: "ipcwatch",
            dependencies: ["IPCWatch", "CSupport"],
            swiftSettings: releaseSwift,
            linkerSettings: releaseLink
        ),
        // The benchmark's library path (Benchmarks/bench.py): a plain consumer of the public async API.
        .executableTarget(
            name: "ipcwatch-session-bench",
            dependencies: ["IPCWatch"],
            path: "Benchmarks/SessionConsumer"
        ),
        // What the test targets share: the C fixture (Tests/Fixtures, compiled by the tests with the
        // system cc), scratch files, process runners with deadlines, /proc readers, skip conditions.
        // It does not depend on IPCWatch at all, so it cannot hand IPCWatchAPITests any internals.
        // A test target itself (it records issues through Testing): `swift build -c release` of the
        // package, the README's install line, never builds it (Testing has no static release form here).
        .testTarget(
            name: "IPCWatchTestSupport",
            path: "Tests/IPCWatchTestSupport",
            // posix_spawn_file_actions_addclosefrom_np and _addchdir_np are GNU extensions.
            swiftSettings: [.unsafeFlags(["-Xcc", "-D_GNU_SOURCE"])]
        ),
        .testTarget(
            name: "IPCWatchTests",
            dependencies: ["IPCWatch", "IPCWatchTestSupport"]
        ),
        // A host of several traces in one process, run by IPCWatchAPITests (signals belong to one trace).
        .executableTarget(
            name: "ipcwatch-signal-probe",
            dependencies: ["IPCWatch"],
            path: "Tests/SignalProbe"
        ),
        // The command line: its parsing and validation, and each flag's behaviour next to strace 6's.
        .testTarget(
            name: "IPCWatchCLITests",
            dependencies: ["ipcwatch", "IPCWatchTestSupport"]
        ),
        // The library as a client sees it: `import IPCWatch` only, never @testable.
        .testTarget(
            name: "IPCWatchAPITests",
            dependencies: ["IPCWatch", "IPCWatchTestSupport"]
        ),
    ]
)
