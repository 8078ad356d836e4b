import Foundation
import IPCWatchTestSupport
import Testing

/// `--graph`: who talks to whom, checked against what the traced programs know about themselves.
@Suite("IPC topology (--graph)")
struct TopologyTests {
    /// Runs `ipcwatch -q -o /dev/null --graph FILE [options] -- command`; the result and the file's text.
    private func graph(_ command: [String], format: String = "json", environment: [String: String] = [:])
        -> (Support.Result, String) {
        let path = Support.newPath("graph", extension: format)
        let result = Support.run([Support.ipcwatch, "-q", "-o", "/dev/null", "--graph", path, "--"] + command,
                                 executable: "/usr/bin/env", environment: environment)
        return (result, (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }

    private struct Graph {
        let processes: [[String: Any]]
        let pipes: [[String: Any]]
        let sysv: [[String: Any]]

        init(_ text: String) throws {
            let object = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            processes = try #require(object["processes"] as? [[String: Any]])
            pipes = try #require(object["pipes"] as? [[String: Any]])
            sysv = try #require(object["sysv"] as? [[String: Any]])
        }

        func pids(named comm: String) -> [Int] { processes.filter { $0["comm"] as? String == comm }.compactMap { $0["pid"] as? Int } }
        func process(_ pid: Int) -> [String: Any]? { processes.first { $0["pid"] as? Int == pid } }
        /// The pipes created during the trace (not the ones the command inherited, such as its stdout).
        var createdPipes: [[String: Any]] { pipes.filter { $0["createdBy"] as? Int != nil } }
        /// Every end of every pipe.
        var ends: [[String: Any]] { pipes.flatMap { Self.ends(of: $0) } }

        static func ends(of pipe: [String: Any]) -> [[String: Any]] { pipe["ends"] as? [[String: Any]] ?? [] }
        /// The pids holding (or using) `end` of `pipe`, ascending.
        static func holders(_ end: String, of pipe: [String: Any]) -> [Int] {
            ends(of: pipe).filter { $0["end"] as? String == end }.compactMap { $0["pid"] as? Int }.sorted()
        }
    }

    @Test("sh -c 'echo hi | cat | wc -c': the echoing subshell writes to cat, cat writes to wc")
    func shellPipeline() throws {
        let (result, text) = graph(["sh", "-c", "echo hi | cat | wc -c"])
        #expect(result.status == 0)
        #expect(result.stdout == "3\n")
        let graph = try Graph(text)
        let shells = graph.pids(named: "sh")
        // The command's shell is the one whose parent (ipcwatch) is not traced.
        let root = try #require(shells.first { !shells.contains(graph.process($0)?["ppid"] as? Int ?? -1) })
        let echo = try #require(shells.first { $0 != root }, "the subshell that runs the builtin echo")
        let cat = try #require(graph.pids(named: "cat").first), wc = try #require(graph.pids(named: "wc").first)
        for pid in [echo, cat, wc] { #expect(graph.process(pid)?["ppid"] as? Int == root) }
        #expect(graph.process(cat)?["argv0"] as? String == "cat")
        #expect(graph.processes.allSatisfy { $0["exitCode"] as? Int == 0 })

        let pipes = graph.createdPipes
        #expect(pipes.count == 2)
        let first = try #require(pipes.first { Graph.holders("write", of: $0) == [echo] })
        let second = try #require(pipes.first { Graph.holders("write", of: $0) == [cat] })
        #expect(Graph.holders("read", of: first) == [cat])
        #expect(Graph.holders("read", of: second) == [wc])
        // fds as the programs had them: 1 into the pipe, 0 out of it; held, not counted.
        for end in Graph.ends(of: first) + Graph.ends(of: second) {
            #expect(end["fds"] as? [Int] == [end["end"] as? String == "write" ? 1 : 0])
            #expect(end["used"] is NSNull && end["bytes"] is NSNull && end["calls"] is NSNull)
        }
        for pipe in pipes {
            #expect(pipe["createdBy"] as? Int == root, "the shell created both, and is neither reader nor writer")
            #expect(pipe["createdWith"] as? String == "pipe2")
        }
    }

    @Test("python multiprocessing Pipe: the worker writes, the parent reads (inode and pids from python itself)")
    func pythonPipe() throws {
        let program = """
            import multiprocessing as mp, os, sys
            def worker(reader, writer, closed):
                reader.close()
                writer.send(os.getpid())
                closed.wait(30)
            if __name__ == "__main__":
                mp.set_start_method("fork")
                reader, writer = mp.Pipe(duplex=False)
                closed = mp.Event()
                p = mp.Process(target=worker, args=(reader, writer, closed))
                p.start()
                writer.close()
                closed.set()  # the worker ends after this close: the peek at its exit sees the parent without it
                print(os.getpid(), reader.recv(), os.fstat(reader.fileno()).st_ino)
                p.join()
            """
        let python = Support.run(["python3", "-c", "import sys; print(sys.executable)"], executable: "/usr/bin/env")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let (result, text) = graph([python, "-c", program])
        #expect(result.status == 0)
        let truth = result.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(truth.count == 3, "python printed: \(result.stdout)")
        let (parent, worker, inode) = (truth[0], truth[1], truth[2])
        let graph = try Graph(text)
        let pipe = try #require(graph.pipes.first { $0["inode"] as? Int == inode })
        #expect(pipe["createdBy"] as? Int == parent)
        #expect(Graph.holders("write", of: pipe) == [worker])
        #expect(Graph.holders("read", of: pipe) == [parent])
        #expect(graph.process(worker)?["ppid"] as? Int == parent)
    }

    @Test("a Python parent that made a pipe holds both ends from its creation: kept across a fork, written into cat's stdin")
    func pythonCreatorHolds() throws {
        // The parent exec'd once (python), so its own exit is not stopped: only the pipe2 call says it holds them.
        let program = """
            import os, subprocess, sys
            r, w = os.pipe()
            child = os.fork()
            if child == 0:
                os.write(w, b"x")
                os._exit(0)
            os.waitpid(child, 0)
            r2, w2 = os.pipe()
            cat = subprocess.Popen(["cat"], stdin=r2, stdout=subprocess.DEVNULL)
            os.write(w2, b"hello")
            os.close(w2)
            cat.wait()
            print(os.getpid(), r, w, os.fstat(r).st_ino, child, w2, os.fstat(r2).st_ino, cat.pid, os.read(r, 1).decode())
            """
        let (result, text) = graph(["/usr/bin/python3", "-c", program])
        #expect(result.status == 0, "\(result.stderr)")
        let words = result.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let truth = words.compactMap { Int($0) }
        try #require(truth.count == 8 && words.last == "x", "python printed: \(result.stdout)")
        let (parent, read, write, kept, child, write2, fedCat, cat) = (truth[0], truth[1], truth[2], truth[3], truth[4], truth[5], truth[6], truth[7])
        let graph = try Graph(text)
        let keptPipe = try #require(graph.pipes.first { $0["inode"] as? Int == kept })
        #expect(keptPipe["createdBy"] as? Int == parent)
        #expect(Graph.holders("read", of: keptPipe) == [parent, child].sorted())
        #expect(Graph.holders("write", of: keptPipe) == [parent, child].sorted())
        let parentEnds = Graph.ends(of: keptPipe).filter { $0["pid"] as? Int == parent }
        #expect(parentEnds.map { $0["fds"] as? [Int] ?? [] } == [[read], [write]], "the fds os.pipe() returned")
        let catPipe = try #require(graph.pipes.first { $0["inode"] as? Int == fedCat })
        #expect(Graph.holders("write", of: catPipe) == [parent])
        #expect(Graph.ends(of: catPipe).first { $0["end"] as? String == "write" }?["fds"] as? [Int] == [write2])
        #expect(Graph.holders("read", of: catPipe) == [cat], "cat exec'd with the read end: the parent only passed it on")
    }

    @Test("a fork tree around one SysV queue: every sender and the receiver, with their counts")
    func messageQueueTree() throws {
        let log = Support.newLog()
        let (result, text) = graph([Support.fixture, "msgtree", "3", "5"], environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 0)
        let graph = try Graph(text)
        let lines = Support.lines(log)
        let queue = try #require(lines.first.flatMap { Int($0[3]) })
        let object = try #require(graph.sysv.first { $0["kind"] as? String == "msg" && $0["id"] as? Int == queue })
        #expect(object["key"] as? Int == 0, "IPC_PRIVATE")
        let users = try #require(object["users"] as? [[String: Any]])
        var traced: [Int: [String: Int]] = [:]
        for user in users { traced[user["pid"] as! Int] = user["calls"] as? [String: Int] }
        var expected: [Int: [String: Int]] = [:]
        for line in lines {
            let pid = Int(line[2])!, count = Int(line[4])!
            switch line[1] {
            case "creator": expected[pid] = ["msgget": 1, "msgctl": 1]
            case "sender": expected[pid] = ["msgsnd": count]
            default: expected[pid] = ["msgrcv": count]
            }
        }
        #expect(lines.count == 5)
        #expect(traced == expected)
    }

    @Test("the DOT output renders with Graphviz; the Mermaid output is a well-formed flowchart of the same graph")
    func renderers() throws {
        let command = ["sh", "-c", "echo hi | cat | wc -c"]
        let (_, dot) = graph(command, format: "dot")
        #expect(dot.hasPrefix("digraph ipcwatch {"))
        let file = Support.newPath("graph", extension: "dot")
        try dot.write(toFile: file, atomically: true, encoding: .utf8)
        let rendered = Support.run(["dot", "-Tsvg", file], executable: "/usr/bin/env")
        #expect(rendered.status == 0, "dot: \(rendered.stderr)")
        #expect(rendered.stderr.isEmpty, "no Graphviz warnings")
        #expect(rendered.stdout.contains("<svg"))
        #expect(rendered.stdout.contains("cat ["))
        #expect(rendered.stdout.components(separatedBy: "pipe:[").count - 1 >= 2)

        let (_, mermaid) = graph(command, format: "mmd")
        let lines = mermaid.split(separator: "\n").map(String.init)
        #expect(lines.first == "flowchart LR")
        // Node declarations and the three kinds of edges ipcwatch writes; ids are [a-z]+[0-9]+.
        let node = #/^  ([a-z]+[0-9]+)(\["[^"]*"\]|\(\["[^"]*"\]\)|\{\{"[^"]*"\}\})$/#
        let edge = #/^  ([a-z]+[0-9]+) (-->|-\.-|-\. "[^"]*" \.->|-- "[^"]*" -->|== "[^"]*" ==>) ([a-z]+[0-9]+)$/#
        let linkStyle = #/^  linkStyle [0-9,]+ stroke:#aaa$/#
        var declared = Set<String>()
        for line in lines.dropFirst() {
            if let match = line.wholeMatch(of: node) {
                declared.insert(String(match.1))
            } else if let match = line.wholeMatch(of: edge) {
                #expect(declared.contains(String(match.1)) && declared.contains(String(match.3)), "edge before its nodes: \(line)")
            } else if line.wholeMatch(of: linkStyle) != nil {
                continue
            } else {
                Issue.record("not a Mermaid flowchart line ipcwatch writes: \(line)")
            }
        }
        #expect(declared.filter { $0.hasPrefix("pipe") }.count >= 2)
    }

    @Test("attach mode: the graph is written at detach, with what the process held when attached")
    func attached() throws {
        let target = try Child([Support.fixture, "reader"])
        let pid = try #require(target.readLine().flatMap { Int32($0) })
        var stat = Glibc.stat()
        #expect(fstat(target.stdin, &stat) == 0)
        let path = Support.newPath("graph", extension: "json")
        let tracer = try Child([Support.ipcwatch, "--graph", path, "-p", String(pid)])
        #expect(tracer.readErrorLine() == "ipcwatch: Process \(pid) attached")
        kill(tracer.pid, SIGINT)
        #expect(tracer.wait() == (SIGINT, true))
        let graph = try Graph((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
        let stdin = try #require(graph.pipes.first { $0["inode"] as? Int == Int(stat.st_ino) }, "the target's stdin pipe")
        #expect(Graph.holders("read", of: stdin) == [Int(pid)])
        #expect(stdin["createdBy"] is NSNull, "created before the trace")
        #expect(graph.process(Int(pid))?["comm"] as? String == "ipc_fixture")
        target.write("done\n")
        #expect(target.readLine() == "read 5 done")
    }

    @Test("bad --graph arguments: one clear line, exit 1 (strace's status for usage errors)")
    func badArguments() {
        for (arguments, message) in [(["--graph", "x.txt", "true"], "cannot tell the format of 'x.txt' from its name: add --graph-format dot|mermaid|json"),
                                     (["--graph", "x.dot", "--graph-format", "png", "true"], "unknown graph format 'png' (dot, mermaid or json)"),
                                     (["--graph-format", "dot", "true"], "--graph-format needs --graph FILE"),
                                     (["--graph-all", "true"], "--graph-all needs --graph FILE")] {
            let result = Support.run([Support.ipcwatch] + arguments, executable: "/usr/bin/env")
            #expect(result.status == 1)
            #expect(result.stderr == "ipcwatch: \(message)\n")
        }
    }

    @Test("ipcrm -a after ipcmk -Q -M -S: exactly the three objects ipcmk printed (its *_INFO and *_STAT(index) calls name none)",
          .enabled(if: Condition.hasIpcmk && Condition.isRoot && Tools.path(of: "unshare") != nil,
                   "needs ipcmk/ipcrm and unshare --ipc (root), so that ipcrm -a removes only this test's objects"))
    func ipcrmAll() throws {
        let path = Support.newPath("graph", extension: "json")
        // A private IPC namespace: ipcrm -a must not remove other programs' objects. A first round makes the
        // ids of the second non-zero, so that an object invented from an index 0 cannot pass for a real one.
        let script = """
            ipcmk -Q -M 4096 -S 1 >/dev/null && ipcrm -a && ipcmk -Q -M 4096 -S 1 &&
            "$0" -q -o /dev/null --graph "$1" -- ipcrm -a
            """
        let result = Support.run(["unshare", "--ipc", "sh", "-c", script, Support.ipcwatch, path], executable: "/usr/bin/env")
        #expect(result.status == 0, "\(result.stderr)")
        var printed: Set<String> = []
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: ":")
            guard parts.count == 2, let id = Int(parts[1].trimmingCharacters(in: .whitespaces)) else { continue }
            let kind = parts[0].hasPrefix("Message") ? "msg" : parts[0].hasPrefix("Shared") ? "shm" : "sem"
            printed.insert("\(kind) \(id)")
        }
        try #require(printed.count == 3, "ipcmk printed: \(result.stdout)")
        let graph = try Graph((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
        #expect(Set(graph.sysv.map { "\($0["kind"] as? String ?? "?") \($0["id"] as? Int ?? -1)" }) == printed)
        #expect(graph.sysv.count == 3)
    }

    @Test("held, not used: Pool then a later Process, diff <(…) <(…), perl pipe/fork/child writes: no end is used: true, the legend says held",
          arguments: [
            ["python3", "-c", """
                import multiprocessing as mp
                def square(x): return x * x
                def later(): pass
                if __name__ == "__main__":
                    mp.set_start_method("fork")
                    with mp.Pool(2) as pool: print(sum(pool.map(square, range(10))))
                    p = mp.Process(target=later); p.start(); p.join()
                """],
            ["bash", "-c", "diff <(echo a) <(echo b) > /dev/null; echo $?"],
            ["perl", "-e", "pipe(R, W) or die; if (fork) { close W; print scalar <R>; wait } else { close R; print W \"child\\n\"; close W; exit 0 }"],
          ])
    func heldNotUsed(_ command: [String]) throws {
        let (result, text) = graph(command)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(["285\n", "1\n", "child\n"].contains(result.stdout), "the program's own output: \(result.stdout)")
        let graph = try Graph(text)
        #expect(!graph.createdPipes.isEmpty)
        for end in graph.ends {
            #expect(end["used"] is NSNull && end["bytes"] is NSNull && end["calls"] is NSNull, "not counted: \(end)")
        }
        let (_, dot) = self.graph(command, format: "dot")
        #expect(dot.contains("held that end"))
        #expect(dot.contains("not counted"))
        #expect(!dot.contains("style=bold"), "no edge drawn as moving data")
    }

    @Test("SIGUSR1 writes the graph of the run so far while the program waits; the trace goes on and the final graph replaces it")
    func liveGraph() throws {
        let path = Support.newPath("graph", extension: "json")
        let script = "echo $$; echo hi | cat > /dev/null; echo ready; read line; echo got $line"
        let tracer = try Child([Support.ipcwatch, "-q", "-o", "/dev/null", "--graph", path, "--", "sh", "-c", script])
        let shell = try #require(tracer.readLine().flatMap { Int($0) }, "the shell's pid, from itself")
        #expect(tracer.readLine() == "ready")
        kill(tracer.pid, SIGUSR1)
        var live: Graph?
        try waitUntil(deadline: .seconds(20), message: "a graph in \(path)") {
            live = try? Graph((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
            return live != nil
        }
        let running = try #require(live)
        #expect(running.process(shell)?["exitCode"] is NSNull, "the shell still runs: \(running.processes)")
        let cat = try #require(running.pids(named: "cat").first, "the pipeline that already ran")
        #expect(running.process(cat)?["exitCode"] as? Int == 0)
        #expect(running.createdPipes.contains { Graph.holders("read", of: $0) == [cat] })
        tracer.write("go\n")
        #expect(tracer.readLine() == "got go")
        #expect(tracer.wait() == (0, false))
        let final = try Graph((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
        #expect(final.process(shell)?["exitCode"] as? Int == 0)
    }
}
