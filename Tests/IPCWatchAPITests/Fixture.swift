import Foundation

/// The C fixture (Tests/Fixtures/ipc_fixture.c), compiled once, and what it logs.
enum Fixture {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let scratch: URL = {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ipcwatch-api-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static let binary: String = {
        let source = packageRoot.appendingPathComponent("Tests/Fixtures/ipc_fixture.c").path
        let binary = scratch.appendingPathComponent("ipc_fixture").path
        let compiler = Process()
        compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        compiler.arguments = ["cc", "-O2", "-pthread", "-o", binary, source]
        try! compiler.run()
        compiler.waitUntilExit()
        precondition(compiler.terminationStatus == 0, "compiling the fixture failed")
        return binary
    }()

    /// A new empty log file, for the fixture's IPC_FIXTURE_LOG.
    static func newLog() -> String {
        let path = scratch.appendingPathComponent("log-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }

    /// The log's lines, split into words.
    static func lines(_ path: String) -> [[String]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    }

    /// One field of /proc/PID/status ("State", "TracerPid"), nil if the process is gone.
    static func status(_ field: String, of pid: Int32) -> String? {
        guard let handle = FileHandle(forReadingAtPath: "/proc/\(pid)/status"),
              let data = try? handle.readToEnd() else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
