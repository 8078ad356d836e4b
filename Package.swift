// swift-tools-version:6.0
import PackageDescription

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
            dependencies: ["CSupport"]
        ),
        .executableTarget(
            name: "ipcwatch",
            dependencies: ["IPCWatch", "CSupport"]
        ),
        // The benchmark's library path (Benchmarks/bench.py): a plain consumer of the public async API.
        .executableTarget(
            name: "ipcwatch-session-bench",
            dependencies: ["IPCWatch"],
            path: "Benchmarks/SessionConsumer"
        ),
        // What both test targets share: the C fixture (Tests/Fixtures, compiled by the tests with the
        // system cc), scratch files, process runners with deadlines, /proc readers, skip conditions.
        // It does not depend on IPCWatch at all, so it cannot hand IPCWatchAPITests any internals.
        .target(
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
