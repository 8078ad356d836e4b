import Foundation
import Testing

/// The README's Library example, built and run exactly as it is written there.
@Suite("README example")
struct ReadmeExampleTests {
    /// The README's ```swift blocks whose first line is `// <path>` (after the tools-version line).
    private func exampleFiles() throws -> [String: String] {
        let readme = try String(contentsOf: Fixture.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var files: [String: String] = [:]
        for block in readme.components(separatedBy: "```swift\n").dropFirst() {
            let code = block.components(separatedBy: "\n```").first ?? ""
            let lines = code.split(separator: "\n", omittingEmptySubsequences: false)
            guard let marker = lines.first(where: { $0.hasPrefix("// ") && !$0.hasPrefix("// swift-tools") }) else { continue }
            let path = marker.dropFirst(3).split(separator: ",").first.map(String.init) ?? ""
            if path.hasSuffix(".swift") { files[path] = code + "\n" }
        }
        return files
    }

    @Test("the Library section's package builds against this checkout and prints the pipeline's events")
    func example() throws {
        let files = try exampleFiles()
        let manifest = try #require(files["Package.swift"], "the README has a Package.swift block")
        let main = try #require(files["Sources/Example/main.swift"], "the README has a main.swift block")

        // `../ipcwatch` next to the example, as the README says: a link to this checkout.
        let root = Fixture.scratch.appendingPathComponent("readme-\(UUID().uuidString)")
        let example = root.appendingPathComponent("example")
        try FileManager.default.createDirectory(at: example.appendingPathComponent("Sources/Example"),
                                                withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("ipcwatch"),
                                                   withDestinationURL: Fixture.packageRoot)
        try manifest.write(to: example.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try main.write(to: example.appendingPathComponent("Sources/Example/main.swift"), atomically: true, encoding: .utf8)

        let build = run(["swift", "build", "--package-path", example.path], in: example)
        try #require(build.status == 0, "swift build failed:\n\(build.output)")
        let result = run([example.appendingPathComponent(".build/debug/Example").path], in: example)
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n").map(String.init)
        // dash makes one pipe for `echo hi | cat`: its event line, its fds line, cat's output, the outcome.
        let pipeLine = try #require(lines.first { $0.contains(" sh pipe") }, "output:\n\(result.output)")
        #expect(pipeLine.hasSuffix(") = 0"))
        #expect(lines.contains { $0.hasPrefix("  pipe fds: ") && $0.contains(" in sh ") })
        #expect(lines.contains("hi"))
        #expect(lines.last == "sh exited with 0")
    }

    private func run(_ arguments: [String], in directory: URL) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let log = directory.appendingPathComponent("output-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try! FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "\(error)") }
        process.waitUntilExit()
        try? handle.close()
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}
