import Foundation
import Testing

/// Paths, scratch files, the C fixture and process runners shared by both test targets.
///
/// Everything here is safe to use from tests running in parallel: the values made once (the scratch
/// directory, the fixture, the copy of ipcwatch for another user) are `static let`s, which Swift
/// initialises exactly once, on first use, whichever thread gets there first; the rest keeps no state.
public enum Support {
    /// The package's root directory (this file is Tests/IPCWatchTestSupport/Support.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The ipcwatch binary the tests run. `IPCWATCH_BINARY` names it when set — the README's test command sets
    /// it to the release binary the README's install line built, so the tests run what users run (a debug
    /// build run as root once hid two broken promises); relative to the package root. Unset, the debug
    /// binary `swift test` built next to this test bundle. A name that is not an executable stops the run:
    /// testing another binary than the one asked for would be a pass that means nothing.
    public static let ipcwatch: String = {
        if let named = ProcessInfo.processInfo.environment["IPCWATCH_BINARY"], !named.isEmpty {
            let path = named.hasPrefix("/") ? named : packageRoot.appendingPathComponent(named).path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                fatalError("IPCWATCH_BINARY=\(named): no executable at \(path) (build it with the README's install line)")
            }
            return path
        }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [bundleDirectory, URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent()].map { $0.appendingPathComponent("ipcwatch").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    // MARK: Scratch files

    /// This test process's world-accessible scratch directory (the unprivileged tests run binaries and
    /// write logs here).
    public static let scratch: URL = {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ipcwatch-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        chmod(url.path, 0o777)
        return url
    }()

    /// A fresh path in the scratch directory, `prefix-UUID.ext`; nothing is created there.
    public static func newPath(_ prefix: String, extension ext: String = "txt") -> String {
        scratch.appendingPathComponent("\(prefix)-\(UUID().uuidString).\(ext)").path
    }

    /// A new empty directory in the scratch directory.
    public static func newDirectory(_ prefix: String) throws -> URL {
        let url = scratch.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A new empty log file that any user can write (for the fixture's IPC_FIXTURE_LOG).
    public static func newLog() -> String {
        let path = newPath("log")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        chmod(path, 0o666)
        return path
    }

    // MARK: Reading logs and outputs

    /// A file's lines ([] if it cannot be read).
    public static func textLines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// A log's lines, split into words (the fixture logs `call pid tid result...`).
    public static func lines(_ path: String) -> [[String]] {
        textLines(path).map { $0.split(separator: " ").map(String.init) }
    }

    /// The NDJSON objects of a `-j` output file (lines that are not JSON objects are left out).
    public static func events(_ path: String) -> [[String: Any]] {
        textLines(path).compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    // MARK: The C fixture

    /// Tests/Fixtures/ipc_fixture.c compiled with the system C compiler, once per test process.
    public static let fixture: String = {
        let source = packageRoot.appendingPathComponent("Tests/Fixtures/ipc_fixture.c").path
        let binary = scratch.appendingPathComponent("ipc_fixture").path
        // cc writes the binary from its own process: no descriptor of it in ours for a child to inherit.
        let result = run(["cc", "-O2", "-Wall", "-pthread", "-o", binary, source])
        precondition(result.status == 0 && !result.signaled, "compiling the fixture failed: \(result.stderr)")
        return binary
    }()

    // MARK: Running processes

    /// How a process run by ``run(_:executable:environment:directory:mergingOutput:deadline:sourceLocation:)`` ended.
    public struct Result: Sendable, CustomStringConvertible {
        public var status: Int32
        /// True when the process was killed by signal `status`.
        public var signaled: Bool
        public var stdout: String
        public var stderr: String
        /// It outlived its deadline and was killed (the test has already failed).
        public var timedOut: Bool

        public var description: String {
            "status \(status)\(signaled ? " (signal)" : "")\(timedOut ? " (timed out)" : ""), stdout \(stdout.debugDescription), "
                + "stderr \(stderr.debugDescription)"
        }
    }

    /// Runs `executable arguments...` to its end, with stdin from /dev/null, no signal blocked, and
    /// stdout and stderr to files (nothing to drain concurrently; the child never blocks on output).
    /// `/usr/bin/env` by default, which looks the command up in PATH.
    ///
    /// A process still running at `deadline` is killed, and the test fails saying so.
    /// `mergingOutput`: stderr goes to stdout's file, interleaved as written (`stderr` is then empty).
    public static func run(_ arguments: [String], executable: String = "/usr/bin/env", environment: [String: String] = [:],
                           directory: URL? = nil, mergingOutput: Bool = false, deadline: Duration = .seconds(180),
                           sourceLocation: SourceLocation = #_sourceLocation) -> Result {
        let outPath = newPath("out"), errPath = newPath("err")
        let flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
        let out = open(outPath, flags, 0o600), err = mergingOutput ? out : open(errPath, flags, 0o600)
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            for fd in Set([out, err, null]) where fd >= 0 { close(fd) }
            unlink(outPath)
            unlink(errPath)
        }
        let command = Spawn.describe([executable] + arguments)
        guard out >= 0, err >= 0, null >= 0 else {
            Issue.record("cannot open the output files for \(command): \(Errno(errno))", sourceLocation: sourceLocation)
            return Result(status: -1, signaled: false, stdout: "", stderr: "", timedOut: false)
        }
        let spawned = Spawn.spawn(executable, arguments: [executable] + arguments, environment: environment,
                                  descriptors: (null, out, err), directory: directory?.path, signals: .unblocked)
        guard case .success(let pid) = spawned else {
            return Result(status: -1, signaled: false, stdout: "", stderr: "cannot run \(executable): \(spawned)", timedOut: false)
        }
        let watchdog = Watchdog(pid: pid, deadline: deadline)
        Spawn.awaitExit(pid)
        let timedOut = watchdog.disarm()
        if timedOut { Issue.record("\(command) was still running after \(deadline): killed", sourceLocation: sourceLocation) }
        let (status, signaled) = Spawn.reap(pid)
        let read = { (path: String) in String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return Result(status: status, signaled: signaled, stdout: read(outPath), stderr: mergingOutput ? "" : read(errPath),
                      timedOut: timedOut)
    }

    /// Runs `[prefix] ipcwatch -j -o FILE <options> -- <command>`, returning the result and the events.
    public static func trace(_ command: [String], options: [String] = [], environment: [String: String] = [:],
                             prefix: [String] = [], deadline: Duration = .seconds(180),
                             sourceLocation: SourceLocation = #_sourceLocation) -> (Result, [[String: Any]]) {
        let output = newPath("events", extension: "json")
        let arguments = prefix + [ipcwatch, "-j", "-o", output] + options + ["--"] + command
        let result = run(arguments, environment: environment, deadline: deadline, sourceLocation: sourceLocation)
        return (result, events(output))
    }

    /// True once `pid` — not necessarily our child — has exited, within `seconds`: python's
    /// `os.pidfd_open` + poll, an exact wait on the process itself.
    public static func exits(_ pid: pid_t, within seconds: Int = 10) -> Bool {
        let waiter = run(["python3", "-c", """
            import os, select, sys
            try:
                fd = os.pidfd_open(\(pid))
            except ProcessLookupError:
                sys.exit(0)
            sys.exit(0 if select.select([fd], [], [], \(seconds))[0] else 1)
            """], deadline: .seconds(seconds + 60))
        return waiter.status == 0 && !waiter.signaled
    }

    // MARK: Another user

    /// How to run something as uid/gid 65534 (a setpriv prefix) and an ipcwatch that user can run. Only
    /// where ``Condition/isRoot`` and ``Condition/hasSetpriv`` hold: tests that use it carry those traits.
    public static var nobody: (prefix: [String], ipcwatch: String) {
        ([Tools.path(of: "setpriv") ?? "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], nobodyBinary)
    }

    /// A copy of ipcwatch in the world-accessible scratch directory (the build tree may not be readable
    /// by nobody), made once, by cp(1): written from this multi-threaded process, the file's write fd
    /// could be inherited by a child another test forks meanwhile, and exec would fail with ETXTBSY.
    private static let nobodyBinary: String = {
        let binary = scratch.appendingPathComponent("ipcwatch-nobody").path
        let copied = run(["cp", ipcwatch, binary])
        precondition(copied.status == 0, "copying ipcwatch for nobody failed: \(copied.stderr)")
        chmod(binary, 0o755)
        return binary
    }()

    /// Runs ipcwatch with `arguments` as uid/gid 65534 (see ``nobody``).
    public static func runAsNobody(_ arguments: [String], environment: [String: String] = [:],
                                   sourceLocation: SourceLocation = #_sourceLocation) -> Result {
        run(nobody.prefix + [nobody.ipcwatch] + arguments, environment: environment, sourceLocation: sourceLocation)
    }
}
