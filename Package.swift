// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ipcwatch",
    products: [
        .executable(name: "ipcwatch", targets: ["ipcwatch"]),
        .library(name: "IPCWatch", targets: ["IPCWatch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
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
            dependencies: [
                "IPCWatch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The benchmark's library path (Benchmarks/bench.py): a plain consumer of the public async API.
        .executableTarget(
            name: "ipcwatch-session-bench",
            dependencies: ["IPCWatch"],
            path: "Benchmarks/SessionConsumer"
        ),
        .testTarget(
            name: "IPCWatchTests",
            dependencies: ["IPCWatch"]
            // C fixtures live in Tests/Fixtures and are compiled by the tests with the system cc.
        ),
        // The library as a client sees it: `import IPCWatch` only, never @testable.
        .testTarget(
            name: "IPCWatchAPITests",
            dependencies: ["IPCWatch"]
        ),
    ]
)
