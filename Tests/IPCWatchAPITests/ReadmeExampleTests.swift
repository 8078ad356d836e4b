import Foundation
import IPCWatchTestSupport
import Testing

/// The Library examples of docs/library.md, built and run exactly as they are written there.
@Suite("Library example (docs/library.md)")
struct ReadmeExampleTests {
    /// docs/library.md's ```swift blocks whose first line is `// <path>` (after the tools-version line).
    private func exampleFiles() throws -> [String: String] {
        let page = try String(contentsOf: Support.packageRoot.appendingPathComponent("docs/library.md"), encoding: .utf8)
        var files: [String: String] = [:]
        for block in page.components(separatedBy: "```swift\n").dropFirst() {
            let code = block.components(separatedBy: "\n```").first ?? ""
            let lines = code.split(separator: "\n", omittingEmptySubsequences: false)
            guard let marker = lines.first(where: { $0.hasPrefix("// ") && !$0.hasPrefix("// swift-tools") }) else { continue }
            let path = marker.dropFirst(3).split(separator: ",").first.map(String.init) ?? ""
            if path.hasSuffix(".swift") { files[path] = code + "\n" }
        }
        return files
    }

    @Test("docs/library.md's package builds against this checkout and prints the pipeline's events")
    func example() throws {
        let files = try exampleFiles()
        let manifest = try #require(files["Package.swift"], "docs/library.md has a Package.swift block")
        let main = try #require(files["Sources/Example/main.swift"], "docs/library.md has a main.swift block")
        let sinkMain = try #require(files["Sources/SinkExample/main.swift"], "docs/library.md has the sink example")

        // `../ipcwatch` next to the example, as docs/library.md says: a link to this checkout.
        let root = try Support.newDirectory("readme")
        let example = root.appendingPathComponent("example")
        for target in ["Example", "SinkExample"] {
            try FileManager.default.createDirectory(at: example.appendingPathComponent("Sources/\(target)"),
                                                    withIntermediateDirectories: true)
        }
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("ipcwatch"),
                                                   withDestinationURL: Support.packageRoot)
        try manifest.write(to: example.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try main.write(to: example.appendingPathComponent("Sources/Example/main.swift"), atomically: true, encoding: .utf8)
        try sinkMain.write(to: example.appendingPathComponent("Sources/SinkExample/main.swift"), atomically: true,
                           encoding: .utf8)

        // Building the library again from scratch takes minutes on a busy machine: a deadline to match.
        let build = Support.run(["swift", "build", "--package-path", example.path], directory: example, mergingOutput: true,
                                deadline: .seconds(900))
        try #require(build.status == 0, "swift build failed:\n\(build.stdout)")
        let result = Support.run([example.appendingPathComponent(".build/debug/Example").path], directory: example,
                                 mergingOutput: true)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        // dash makes one pipe for `echo hi | cat`: its event line, its fds line, cat's output, the outcome.
        let pipeLine = try #require(lines.first { $0.contains(" sh pipe") }, "output:\n\(result.stdout)")
        #expect(pipeLine.contains(/\) += 0$/), "\(pipeLine)")
        #expect(lines.contains { $0.hasPrefix("  pipe fds: ") && $0.contains(" in sh ") })
        #expect(lines.contains("hi"))
        #expect(lines.last == "sh exited with 0")

        // The sink path: two pipes for `echo hi | cat | wc -c`, counted on the tracer thread.
        let sink = Support.run([example.appendingPathComponent(".build/debug/SinkExample").path], directory: example,
                               mergingOutput: true)
        #expect(sink.status == 0)
        #expect(sink.stdout.split(separator: "\n").map(String.init) == ["3", "2 pipes; sh exited with 0"])
    }
}
