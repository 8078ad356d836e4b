import Foundation
import Testing

/// Paths and process helpers shared by the end-to-end tests.
enum Support {
    /// The ipcwatch binary built next to this test bundle (`swift test` builds every product).
    static let ipcwatch: String = {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [bundleDirectory, URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent()].map { $0.appendingPathComponent("ipcwatch").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A world-accessible scratch directory (the unprivileged test runs binaries and writes logs here).
    static let scratch: URL = {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ipcwatch-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        chmod(url.path, 0o777)
        return url
    }()

    /// Tests/Fixtures/ipc_fixture.c compiled once with the system C compiler.
    static let fixture: String = {
        let source = packageRoot.appendingPathComponent("Tests/Fixtures/ipc_fixture.c").path
        let binary = scratch.appendingPathComponent("ipc_fixture").path
        let result = run(["cc", "-O2", "-Wall", "-pthread", "-o", binary, source], executable: "/usr/bin/env")
        precondition(result.status == 0, "compiling the fixture failed: \(result.stderr)")
        return binary
    }()

    struct Result {
        var status: Int32
        /// True when the process was killed by signal `status`.
        var signaled: Bool
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], executable: String, environment: [String: String] = [:]) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // Files rather than pipes: nothing to drain concurrently, and the child never blocks on output.
        let outPath = scratch.appendingPathComponent("out-\(UUID().uuidString)").path
        let errPath = scratch.appendingPathComponent("err-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = FileHandle(forWritingAtPath: outPath)!, err = FileHandle(forWritingAtPath: errPath)!
        defer {
            try? out.close(); try? err.close()
            try? FileManager.default.removeItem(atPath: outPath); try? FileManager.default.removeItem(atPath: errPath)
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return Result(status: -1, signaled: false, stdout: "", stderr: "\(error)") }
        process.waitUntilExit()
        let stdoutData = FileManager.default.contents(atPath: outPath) ?? Data()
        let stderrData = FileManager.default.contents(atPath: errPath) ?? Data()
        return Result(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                      stdout: String(decoding: stdoutData, as: UTF8.self), stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// Runs `[prefix] ipcwatch <options> -- <command>` with `-j -o <file>`, returning the result and the events.
    static func trace(_ command: [String], options: [String] = [], environment: [String: String] = [:],
                      prefix: [String] = []) -> (Result, [[String: Any]]) {
        let output = scratch.appendingPathComponent("events-\(UUID().uuidString).json").path
        let arguments = prefix + [ipcwatch, "-j", "-o", output] + options + ["--"] + command
        let result = run(arguments, executable: "/usr/bin/env", environment: environment)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let events = text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        return (result, events)
    }

    /// How to run something as uid/gid 65534 (a setpriv prefix) and an ipcwatch that user can run;
    /// nil, with the reason printed, where no other user can be switched to.
    static func nobody() throws -> (prefix: [String], ipcwatch: String)? {
        guard getuid() == 0 else {
            print("skipped: not root, so no other user can be switched to (this run is already unprivileged)")
            return nil
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            print("skipped: setpriv (util-linux) is not installed")
            return nil
        }
        return (["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], nobodyBinary)
    }

    /// A copy of ipcwatch in the world-accessible scratch directory (the build tree may not be readable
    /// by nobody), made once, by cp(1): written from this multi-threaded process, the file's write fd
    /// could be inherited by a child another test forks meanwhile, and exec would fail with ETXTBSY.
    private static let nobodyBinary: String = {
        let binary = scratch.appendingPathComponent("ipcwatch-nobody").path
        _ = run(["cp", ipcwatch, binary], executable: "/usr/bin/env")
        chmod(binary, 0o755)
        return binary
    }()

    /// Runs ipcwatch with `arguments` as uid/gid 65534; nil where that is impossible.
    static func runAsNobody(_ arguments: [String], environment: [String: String] = [:]) throws -> Result? {
        guard let nobody = try nobody() else { return nil }
        return run(nobody.prefix + [nobody.ipcwatch] + arguments, executable: "/usr/bin/env", environment: environment)
    }

    /// True once `pid` — not necessarily our child — has exited, within `seconds`: python's
    /// `os.pidfd_open` + poll, an exact wait on the process itself.
    static func exits(_ pid: pid_t, within seconds: Int = 10) -> Bool {
        let waiter = run(["python3", "-c", """
            import os, select, sys
            try:
                fd = os.pidfd_open(\(pid))
            except ProcessLookupError:
                sys.exit(0)
            sys.exit(0 if select.select([fd], [], [], \(seconds))[0] else 1)
            """], executable: "/usr/bin/env")
        return waiter.status == 0
    }

    static func newLog() -> String {
        let path = scratch.appendingPathComponent("log-\(UUID().uuidString).txt").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        chmod(path, 0o666)
        return path
    }

    static func lines(_ path: String) -> [[Substring]] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map { $0.split(separator: " ") }
    }
}

/// Accessors for one NDJSON event.
extension Dictionary where Key == String, Value == Any {
    var eventName: String { self["eventName"] as? String ?? "" }
    var pid: Int { self["processId"] as? Int ?? -1 }
    var tid: Int { self["threadId"] as? Int ?? -1 }
    var returnValue: Int { self["returnValue"] as? Int ?? Int.min }
    var isCompat: Bool { (self["contextFlags"] as? [String: Any])?["isCompat"] as? Bool ?? false }
    func argument(_ name: String) -> Any? {
        (self["args"] as? [[String: Any]])?.first { $0["name"] as? String == name }?["value"]
    }
    var pipefd: [Int]? { argument("pipefd") as? [Int] }
}
