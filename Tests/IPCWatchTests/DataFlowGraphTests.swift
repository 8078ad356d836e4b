import Foundation
import IPCWatchTestSupport
import Testing

/// `--graph --data-flow` end to end on real programs: who used which end of which pipe, and how many
/// bytes, checked against what the programs say about themselves (wc's count, Python's and Perl's own
/// logs of their reads and writes, the pids and inodes the shells print).
@Suite("--graph --data-flow on real programs", .timeLimit(.minutes(10)))
struct DataFlowGraphTests {
    /// The interpreter itself, not pyenv's shim (a bash script that would add its own processes).
    static let python = Support.run(["python3", "-c", "import sys; print(sys.executable)"]).stdout
        .trimmingCharacters(in: .whitespacesAndNewlines)
    static let poolProgram = Support.packageRoot.appendingPathComponent("Tests/Fixtures/pool_then_process.py").path

    /// `ipcwatch -q -o /dev/null --data-flow --graph FILE -- command`: the result and the file's text.
    private func graph(_ command: [String], format: String = "json") -> (Support.Result, String) {
        let path = Support.newPath("graph", extension: format)
        let result = Support.run([Support.ipcwatch, "-q", "-o", "/dev/null", "--data-flow", "--graph", path, "--"] + command)
        return (result, (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }

    /// One process's use of one end of one pipe.
    struct Use: Hashable, CustomStringConvertible {
        var pid: Int
        var inode: Int
        var end: String
        var bytes: Int
        var description: String { "\(pid) \(end) pipe:[\(inode)] \(bytes) B" }
    }

    private struct Graph {
        let dataFlow: Bool
        let processes: [[String: Any]]
        let pipes: [[String: Any]]

        init(_ text: String) throws {
            let object = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
            dataFlow = object["dataFlow"] as? Bool ?? false
            processes = try #require(object["processes"] as? [[String: Any]])
            pipes = try #require(object["pipes"] as? [[String: Any]])
        }

        func pids(named comm: String) -> [Int] { processes.filter { $0["comm"] as? String == comm }.compactMap { $0["pid"] as? Int } }
        func pipe(_ inode: Int) -> [String: Any]? { pipes.first { $0["inode"] as? Int == inode } }
        /// The pipes created during the trace.
        var createdPipes: [[String: Any]] { pipes.filter { $0["createdBy"] as? Int != nil } }
        static func ends(of pipe: [String: Any]) -> [[String: Any]] { pipe["ends"] as? [[String: Any]] ?? [] }

        /// Every end some process moved data through, on the pipes created during the trace.
        var uses: Set<Use> {
            Set(createdPipes.flatMap { pipe in
                Self.ends(of: pipe).filter { $0["used"] as? Bool == true }.map {
                    Use(pid: $0["pid"] as! Int, inode: pipe["inode"] as! Int, end: $0["end"] as! String, bytes: $0["bytes"] as! Int)
                }
            })
        }
    }

    /// Python's own log, folded per (pid, inode, end), and the pids of its roles.
    private struct PoolLog {
        var uses: Set<Use> = []
        var parent = 0
        var later = 0

        init(_ path: String) {
            var bytes: [[String]: Int] = [:]
            for words in Support.lines(path) where words.count == 5 {
                if words[1] == "role" {
                    if words[2] == "parent" { parent = Int(words[0])! } else { later = Int(words[0])! }
                } else {
                    bytes[[words[0], words[3], words[1]], default: 0] += Int(words[4])!
                }
            }
            uses = Set(bytes.map { Use(pid: Int($0.key[0])!, inode: Int($0.key[1])!, end: $0.key[2], bytes: $0.value) })
        }

        /// The pool's task pipe: the one the parent writes into and the workers read from.
        var taskPipe: Int? {
            let written = Set(uses.filter { $0.pid == parent && $0.end == "write" }.map(\.inode))
            return uses.first { $0.end == "read" && $0.pid != parent && written.contains($0.inode) }?.inode
        }
    }

    private func runPool(_ options: [String]) throws -> (Support.Result, PoolLog) {
        let log = Support.newLog()
        let result = Support.run([Support.ipcwatch] + options + ["--", Self.python, Self.poolProgram, log])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("328350\n"), "the pool's sum of squares: \(result.stdout)")
        let pool = PoolLog(log)
        try #require(pool.parent != 0 && pool.later != 0 && !pool.uses.isEmpty, "python's log: \(Support.textLines(log))")
        return (result, pool)
    }

    @Test("seq 100000 | wc -c: seq used the write end, wc the read end, each with the bytes wc printed")
    func shellPipeline() throws {
        let (result, text) = graph(["sh", "-c", "seq 100000 | wc -c"])
        #expect(result.status == 0)
        let counted = try #require(Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "wc printed \(result.stdout)")
        let graph = try Graph(text)
        #expect(graph.dataFlow)
        let seq = try #require(graph.pids(named: "seq").first), wc = try #require(graph.pids(named: "wc").first)
        let pipe = try #require(graph.createdPipes.first { pipe in Graph.ends(of: pipe).contains { $0["pid"] as? Int == seq } })
        let inode = pipe["inode"] as! Int
        #expect(graph.uses == [Use(pid: seq, inode: inode, end: "write", bytes: counted),
                               Use(pid: wc, inode: inode, end: "read", bytes: counted)])
        for end in Graph.ends(of: pipe) where end["used"] as? Bool == true {
            #expect(end["fds"] as? [Int] == [end["end"] as? String == "write" ? 1 : 0])
            #expect((end["calls"] as? Int ?? 0) > 0)
        }
    }

    @Test("a Pool then a later Process: each pipe's writers and readers are exactly those Python logged; the late Process used nothing")
    func pool() throws {
        let path = Support.newPath("graph", extension: "json")
        let (_, log) = try runPool(["-q", "-o", "/dev/null", "--data-flow", "--graph", path])
        let graph = try Graph((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
        #expect(graph.uses == log.uses, "ipcwatch's uses vs python's log")
        for inode in Set(log.uses.map(\.inode)) {
            #expect(graph.pipe(inode)?["createdBy"] as? Int == log.parent, "the parent made pipe:[\(inode)]")
        }
        let task = try #require(log.taskPipe, "the parent writes the tasks, a worker reads them")
        let later = Graph.ends(of: try #require(graph.pipe(task))).filter { $0["pid"] as? Int == log.later }
        // It inherited the pool's ends (the parent still had them open): held, counted, never used.
        #expect(!later.isEmpty, "the late Process holds the task pipe's ends")
        for end in later { #expect(end["used"] as? Bool == false && end["bytes"] as? Int == 0 && end["calls"] as? Int == 0, "\(end)") }
        #expect(!graph.uses.contains { $0.pid == log.later })
    }

    @Test("held but unused is drawn faint: the late Process's edges to the task pipe are gray 'unused', the parent's bold with its bytes")
    func faintUnused() throws {
        let path = Support.newPath("graph", extension: "dot")
        let (_, log) = try runPool(["-q", "-o", "/dev/null", "--data-flow", "--graph", path])
        let dot = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let task = try #require(log.taskPipe)
        let edges = dot.split(separator: "\n").map(String.init).filter { $0.contains(" -> ") }
        // Node ids: p<pid> for a process (or its folded class), pipe<inode>.
        let between = edges.filter { $0.contains("pipe\(task) ") && ($0.contains(" p\(log.later) ") || $0.hasPrefix("  p\(log.later) ")) }
        #expect(!between.isEmpty, "the late Process is drawn with the task pipe: \(edges)")
        for edge in between {
            #expect(edge.contains("color=gray80") && edge.contains("unused") && !edge.contains("bold"), "\(edge)")
        }
        let written = try #require(log.uses.first { $0.pid == log.parent && $0.inode == task && $0.end == "write" })
        // One edge from the parent, its creator: its write end, which names the call (no gray creation edge).
        let parentEdges = edges.filter { $0.hasPrefix("  p\(log.parent) -> pipe\(task) ") }
        #expect(parentEdges.count == 1, "\(parentEdges)")
        let parentEdge = parentEdges.first
        #expect(parentEdge?.contains("style=bold") == true && parentEdge?.contains("xlabel=\"pipe2 · fd ") == true,
                "\(parentEdge ?? "no edge from the parent")")
        #expect(parentEdge?.contains(written.bytes < 1024 ? "\(written.bytes) B" : "KB") == true)
        #expect(dot.contains("faint: counted, never used"), "the legend says what faint means")
        let file = Support.newPath("graph", extension: "dot")
        try dot.write(toFile: file, atomically: true, encoding: .utf8)
        let rendered = Support.run(["dot", "-Tsvg", "-o", "/dev/null", file])
        #expect(rendered.status == 0 && rendered.stderr.isEmpty, "dot: \(rendered.stderr)")
    }

    @Test("-c --data-flow on the Pool: the per-pipe table's creator, writers, readers and bytes are Python's")
    func poolTable() throws {
        let (result, log) = try runPool(["--data-flow", "-c"])
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("     inode  creator writers") }, "\(result.stderr)")
        var rows: [Int: [String]] = [:]
        for line in lines.dropFirst(header + 2) {
            let cells = line.split(separator: " ").map(String.init)
            guard cells.count == 5, let inode = Int(cells[0]) else { continue }
            rows[inode] = cells
        }
        func parties(_ end: String, _ inode: Int) -> String {
            let moved = log.uses.filter { $0.inode == inode && $0.end == end }.sorted { $0.pid < $1.pid }
            return moved.isEmpty ? "-" : moved.map { "\($0.pid):\($0.bytes)" }.joined(separator: ",")
        }
        let inodes = Set(log.uses.map(\.inode))
        #expect(Set(rows.filter { $0.value[1] != "?" }.keys) == inodes, "a row for each pipe Python moved data through")
        for inode in inodes {
            let row = try #require(rows[inode])
            let written = log.uses.filter { $0.inode == inode && $0.end == "write" }.map(\.bytes).reduce(0, +)
            #expect(row == [String(inode), String(log.parent), parties("write", inode), parties("read", inode), String(written)])
        }
    }

    @Test("perl pipe; fork; child writes; exit: the child is the writer with the bytes it wrote, the parent the reader")
    func perlChildWrites() throws {
        // Each side prints its pid, the pipe's inode and the bytes it moved: the ground truth.
        let program = """
            pipe(R, W) or die; my $inode = (stat(R))[1];
            if (my $child = fork) { close W; my $line = <R>; wait; print STDOUT "reader $$ $inode ", length($line), "\\n" }
            else { close R; my $text = "child\\n"; print W $text; close W; print STDOUT "writer $$ $inode ", length($text), "\\n"; exit 0 }
            """
        let (result, text) = graph(["perl", "-e", program])
        #expect(result.status == 0, "\(result.stderr)")
        let said = result.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let truth = Set(said.compactMap { words -> Use? in
            guard words.count == 4, let pid = Int(words[1]), let inode = Int(words[2]), let bytes = Int(words[3]) else { return nil }
            return Use(pid: pid, inode: inode, end: words[0] == "writer" ? "write" : "read", bytes: bytes)
        })
        try #require(truth.count == 2, "perl printed: \(result.stdout)")
        let graph = try Graph(text)
        #expect(graph.uses == truth)
        let inode = truth.first!.inode
        let pipe = try #require(graph.pipe(inode))
        #expect(pipe["createdBy"] as? Int == truth.first { $0.end == "read" }?.pid, "the parent made it")
    }

    @Test("diff <(echo a) <(echo b): each substitution wrote its own pipe, diff read both, the second is no reader of the first's")
    func processSubstitutions() throws {
        // Each substitution prints its pid and the inode of its stdout (the pipe diff reads) to stderr.
        let substitution = { (text: String) in
            "<(echo \(text); me=$BASHPID; echo \"$me $(readlink /proc/$me/fd/1)\" >&2)"
        }
        let (result, text) = graph(["bash", "-c", "diff \(substitution("a")) \(substitution("b")) >/dev/null; true"])
        #expect(result.status == 0, "\(result.stderr)")
        let said: [(pid: Int, inode: Int)] = result.stderr.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard words.count == 2, let pid = Int(words[0]), words[1].hasPrefix("pipe:["),
                  let inode = Int(words[1].dropFirst(6).dropLast()) else { return nil }
            return (pid, inode)
        }
        try #require(said.count == 2 && said[0].inode != said[1].inode, "the substitutions printed: \(result.stderr)")
        let graph = try Graph(text)
        let diff = try #require(graph.pids(named: "diff").first)
        for substitution in said {
            let uses = graph.uses.filter { $0.inode == substitution.inode }
            #expect(uses == [Use(pid: substitution.pid, inode: substitution.inode, end: "write", bytes: 2),
                             Use(pid: diff, inode: substitution.inode, end: "read", bytes: 2)], "echo's \"a\\n\" or \"b\\n\", read by diff")
        }
        let first = said[0], second = said[1]
        #expect(!graph.uses.contains { $0.pid == second.pid && $0.inode == first.inode }, "the second does not read the first's pipe")
        for end in Graph.ends(of: try #require(graph.pipe(first.inode))) where end["pid"] as? Int == second.pid {
            #expect(end["used"] as? Bool == false, "held, never used: \(end)")
        }
    }
}
