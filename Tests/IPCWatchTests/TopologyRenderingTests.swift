import Foundation
import IPCWatchTestSupport
import Testing

/// `--graph` at real size, rendered by Graphviz itself: folded graphs stay readable, any name stays valid DOT.
@Suite("IPC topology rendered (--graph with dot)", .enabled(if: Tools.path(of: "dot") != nil, "Graphviz dot is not installed"))
struct TopologyRenderingTests {
    /// The DOT graph of `command` (run in `directory`), rendered to PNG: its width and height in pixels.
    private func rendered(_ command: [String], in directory: URL? = nil) throws -> (dot: String, width: Int, height: Int, output: String) {
        let path = Support.newPath("graph", extension: "dot")
        let result = Support.run([Support.ipcwatch, "-q", "-o", "/dev/null", "--graph", path, "--"] + command,
                                 executable: "/usr/bin/env", directory: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let dot = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let png = path + ".png"
        let render = Support.run(["dot", "-Tpng", path, "-o", png], executable: "/usr/bin/env")
        #expect(render.status == 0 && render.stderr.isEmpty, "dot: \(render.stderr)")
        // The IHDR chunk: width and height, big-endian, at bytes 16 and 20.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: png)))
        try #require(bytes.count > 24 && bytes[12..<16].elementsEqual("IHDR".utf8))
        let word = { (at: Int) in bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (dot, word(16), word(20), result.stdout)
    }

    private func nodes(_ dot: String) -> Int { dot.components(separatedBy: "shape=box, style=rounded").count - 1 }

    @Test("a 200-iteration shell loop: echo | cat folds into one node each; at most 2000 px")
    func shellLoop() throws {
        let (dot, width, height, _) = try rendered(["bash", "-c", "for i in $(seq 200); do echo $i | cat > /dev/null; done"])
        #expect(width <= 2000 && height <= 2000, "\(width) x \(height)")
        #expect(dot.contains("cat ×200"))
        #expect(dot.contains("bash ×200"), "the subshells that ran echo")
        #expect(dot.contains("pipe ×200"))
        #expect(nodes(dot) <= 6, "\(nodes(dot)) process nodes")
    }

    @Test("a pyenv-shaped fan-out (bash layers exec each other; command substitutions nest in subshells, a different shape per layer): at most 2000 px")
    func shimFanOut() throws {
        let directory = try Support.newDirectory("shim")
        let shim = directory.appendingPathComponent("shim").path
        // pyenv's shims (libexec/pyenv, pyenv-exec, pyenv-version-name…) resolve paths in functions called
        // in command substitutions, whose subshells run more of them (readlink, dirname, basename): a tree
        // of subshells of varied shapes, which folding cannot merge (the real one: 41 processes, 27 pipes).
        try """
            #!/bin/bash
            set -e
            layer=${1:-0}
            resolve() { local path=$1 name; name=$(readlink "$path" || true); echo "$(dirname "$path")/$name"; }
            lookup() { if [ "$1" -gt 0 ]; then echo "$(lookup $(($1 - 1)))/$(basename "/v/$1")"; else resolve "/x/$layer"; fi; }
            for i in $(seq 0 "$layer"); do found=$(lookup "$i"); done
            if [ "$layer" -lt 3 ]; then exec bash "$0" $((layer + 1)); fi
            echo done | cat

            """.write(toFile: shim, atomically: true, encoding: .utf8)
        chmod(shim, 0o755)
        let (dot, width, height, output) = try rendered([shim])
        #expect(output == "done\n")
        #expect(width <= 2000 && height <= 2000, "\(width) x \(height)")
        #expect(nodes(dot) >= 25, "\(nodes(dot)) process nodes: the nested shapes stay apart, as in the real shim")
        #expect(dot.contains("pipe2 · fd 3"), "each substitution's shell reads the pipe it made: one edge, naming the call")
    }

    /// pyenv's shim for python3, when this machine has pyenv.
    private static let pyenvShim: String? = {
        let root = ProcessInfo.processInfo.environment["PYENV_ROOT"] ?? NSHomeDirectory() + "/.pyenv"
        let shim = root + "/shims/python3"
        return FileManager.default.isExecutableFile(atPath: shim) ? shim : nil
    }()

    @Test("the real pyenv shim, python3 -c pass: at most 2000 px", .enabled(if: pyenvShim != nil, "pyenv's python3 shim is not installed"))
    func realPyenvShim() throws {
        let (dot, width, height, _) = try rendered([try #require(Self.pyenvShim), "-c", "pass"])
        #expect(width <= 2000 && height <= 2000, "\(width) x \(height)")
        #expect(dot.contains("python3 ["), "the shim's process, python3 at its end")
        #expect(dot.contains("pipe2 · fd 3"), "bash reads its command substitutions")
    }

    @Test("make -j4 over 8 targets: at most 2000 px", .enabled(if: Tools.path(of: "make") != nil, "make is not installed"))
    func makeParallel() throws {
        let directory = try Support.newDirectory("make")
        try "T := a b c d e f g h\nall: $(T)\n$(T):\n\t@echo $@ | cat\n"
            .write(to: directory.appendingPathComponent("Makefile"), atomically: true, encoding: .utf8)
        let (dot, width, height, output) = try rendered(["make", "-s", "-j4"], in: directory)
        #expect(Set(output.split(separator: "\n")) == Set("abcdefgh".map { Substring(String($0)) }), "make ran the 8 recipes")
        #expect(width <= 2000 && height <= 2000, "\(width) x \(height)")
        #expect(nodes(dot) <= 10, "\(nodes(dot)) process nodes")
    }

    @Test("hostile names (quotes, backslashes, a newline, <b>, brackets) stay valid DOT and show as written")
    func hostileNames() throws {
        let directory = try Support.newDirectory("hostile")
        let name = "q\"\\n\n<b>[x]{y}"
        let program = directory.appendingPathComponent(name).path
        try FileManager.default.createSymbolicLink(atPath: program, withDestinationPath: "/bin/cat")
        let (dot, _, _, _) = try rendered(["sh", "-c", "echo hi | \"$0\" > /dev/null", program])
        // comm is the link's name cut to 15 bytes; DOT shows it with its quote and backslash escaped.
        #expect(dot.contains(#"q\"\\n\n<b>[x]{"#), "\(dot)")
        let file = Support.newPath("hostile", extension: "dot")
        try dot.write(toFile: file, atomically: true, encoding: .utf8)
        let svg = Support.run(["dot", "-Tsvg", file], executable: "/usr/bin/env")
        #expect(svg.status == 0 && svg.stderr.isEmpty, "\(svg.stderr)")
        #expect(svg.stdout.contains("q&quot;\\n"), "Graphviz read the name back as written")
    }
}
