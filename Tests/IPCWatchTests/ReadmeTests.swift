import Foundation
import IPCWatchTestSupport
import Testing

/// The README and docs/usage.md say what the binary does: the help block, the two commands CI runs, the
/// front page's example output and the links are checked against the binary, .ci/run and the tree.
@Suite("README and usage guide")
struct ReadmeTests {
    static func text(_ path: String) throws -> String {
        try String(contentsOf: Support.packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// The lines of the first fenced block after the first line containing `marker` (fences left out).
    static func block(after marker: String, in text: String) -> [String]? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let at = lines.firstIndex(where: { $0.contains(marker) }),
              let open = lines[at...].firstIndex(where: { $0.hasPrefix("```") }),
              let close = lines[(open + 1)...].firstIndex(where: { $0.hasPrefix("```") }) else { return nil }
        return Array(lines[(open + 1)..<close])
    }

    /// A line with every run of digits replaced by `N` (pids, inodes and ids differ between runs), and the
    /// spaces that align its result as one (a pid of another width pads it differently); a child's CPU time
    /// in a SIGCHLD line is in clock ticks, and a tick charged in one run and not the other adds strace's
    /// ` /* 0.01 s */`.
    static func shape(_ line: String) -> String {
        line.replacing(#/(si_[us]time=[0-9]+) /\* [0-9.]+ s \*/#) { String($0.output.1) }.replacing(/[0-9]+/, with: "N")
            .replacing(#/ += /#, with: " = ")
    }

    @Test("docs/usage.md's help block is exactly what this binary's --help prints")
    func helpBlock() throws {
        let usage = try Self.text("docs/usage.md")
        let block = try #require(Self.block(after: "`ipcwatch --help` prints exactly this", in: usage),
                                 "docs/usage.md has no --help block")
        let help = Support.run([Support.ipcwatch, "--help"])
        #expect(help.status == 0)
        let printed = help.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(block + [""] == printed, "docs/usage.md's --help block is stale: paste `ipcwatch --help` there")
    }

    @Test("the README's install line and test command are the ones .ci/run runs")
    func twoCommands() throws {
        let readme = try Self.text("README.md").split(separator: "\n").map(String.init)
        let ci = try Self.text(".ci/run").split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
        let install = "scripts/setup.sh && swift build -c release --static-swift-stdlib --disable-local-rpath"
        let test = "IPCWATCH_BINARY=.build/release/ipcwatch swift test"
        #expect(ci.contains(install), ".ci/run does not run the README's install line")
        #expect(ci.contains(test), ".ci/run does not run the README's test command")
        #expect(readme.contains { $0.hasPrefix(install + " ") || $0 == install }, "the README lost its install line")
        #expect(readme.contains { $0.hasPrefix(test + " ") || $0 == test }, "the README lost its test command")
    }

    @Test("the README's example output is what the binary prints (pids and numbers aside)")
    func example() throws {
        let readme = try Self.text("README.md")
        let command = "$ .build/release/ipcwatch -- sh -c 'echo hello | cat'"
        let block = try #require(Self.block(after: "The example prints", in: readme), "the README has no example output")
        #expect(block.first == command)
        let documented = Set(block.dropFirst().map(Self.shape))
        let run = Support.run([Support.ipcwatch, "--", "sh", "-c", "echo hello | cat"], mergingOutput: true)
        #expect(run.status == 0, "\(run)")
        // Each kind of line, as printed; how many SIGCHLDs arrive (the kernel merges a pending one) and
        // the order across processes vary from run to run.
        let printed = Set(run.stdout.split(separator: "\n").map { Self.shape(String($0)) })
        #expect(documented == printed, "README: \(documented.sorted())\nbinary: \(printed.sorted())")
    }

    @Test("the README's and docs' relative links lead to files in the tree")
    func links() throws {
        for page in ["README.md", "docs/usage.md", "docs/json.md", "docs/library.md", "docs/design.md", "docs/performance.md",
                     "docs/differences.md"] {
            let text = try Self.text(page)
            let directory = page.contains("/") ? String(page[..<page.lastIndex(of: "/")!]) + "/" : ""
            let targets = text.matches(of: /\]\(([^)#:\s]+)(?:#[^)]*)?\)/).map { String($0.output.1) }
            #expect(!targets.isEmpty || page != "README.md", "the README has no relative link")
            for target in targets {
                let path = Support.packageRoot.appendingPathComponent(directory + target).standardizedFileURL.path
                #expect(FileManager.default.fileExists(atPath: path), "\(page) links to \(target), which is not there")
            }
        }
        let readme = try Self.text("README.md")
        for file in ["docs/usage.md", "docs/json.md", "docs/library.md", "docs/design.md", "docs/performance.md",
                     "docs/differences.md", "docs/ipcwatch.1", "docs/ipcwatch.bash-completion"] {
            #expect(readme.contains(file), "the README does not point to \(file)")
        }
    }
}
