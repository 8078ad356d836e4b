import Foundation
import IPCWatchTestSupport
import Testing

/// `--graph` on every local channel: Unix socket pairs (node's stdio, a Python socketpair), a FIFO between
/// unrelated processes, POSIX message queues, splice/tee/vmsplice bytes. Checked against what the traced
/// programs say about themselves (pids, inodes, bytes they wrote and read).
@Suite("Channels in --graph", .timeLimit(.minutes(10)))
struct ChannelTopologyTests {
    /// `ipcwatch -q -o /dev/null --graph FILE.json [options] -- command`: the result and the `channels` list.
    private func channels(_ command: [String], options: [String] = [], environment: [String: String] = [:],
                          directory: URL? = nil) throws -> (Support.Result, [[String: Any]], [String: Any]) {
        let path = Support.newPath("graph", extension: "json")
        let result = Support.run([Support.ipcwatch, "-q", "-o", "/dev/null", "--graph", path] + options + ["--"] + command,
                                 environment: environment, directory: directory)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let object = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "graph: \(result.stderr)")
        return (result, try #require(object["channels"] as? [[String: Any]]), object)
    }

    private static func ends(_ channel: [String: Any]) -> [[String: Any]] { channel["ends"] as? [[String: Any]] ?? [] }
    private static func inodes(_ channel: [String: Any]) -> [Int] { channel["inode"] as? [Int] ?? [] }

    static let hasNode = Tools.path(of: "node") != nil

    /// Node's `child_process.spawn` with piped stdin and stdout: libuv makes each a socketpair, the child
    /// gets one socket as fd 0 or 1, the parent keeps the other. Node closes cat's stdin only once cat has
    /// echoed something: `spawn` returns as soon as the exec closed its CLOEXEC pipe, and a socket whose
    /// peer is already closed names no peer when cat's exec snapshot looks (seen under load).
    private static let nodeProgram = """
        const { spawn } = require('child_process');
        const fs = require('fs');
        const child = spawn('cat', [], { stdio: ['pipe', 'pipe', 'inherit'] });
        const text = 'hello from node, through a socketpair\\n'.repeat(50);
        let got = 0;
        child.stdout.on('data', d => { got += d.length; });
        child.stdout.once('data', () => child.stdin.end());
        child.on('close', () => fs.writeFileSync(process.argv[1], `${process.pid} ${child.pid} ${Buffer.byteLength(text)} ${got}\\n`));
        child.stdin.write(text);
        """

    @Test("node child_process.spawn: parent and child on both socketpairs, held (no --data-flow)",
          .enabled(if: hasNode, "node is not installed"))
    func nodeSpawnHeld() throws {
        let log = Support.newLog()
        let (result, channels, _) = try channels(["node", "-e", Self.nodeProgram, log])
        #expect(result.status == 0)
        let said = try #require(Support.lines(log).first)
        let parent = try #require(Int(said[0])), child = try #require(Int(said[1]))
        let pairs = channels.filter { $0["kind"] as? String == "unix" }
        // stdin's pair: the child holds fd 0; stdout's: fd 1. The parent holds the other socket of each.
        for fd in [0, 1] {
            let pair = try #require(pairs.first { Self.ends($0).contains { $0["pid"] as? Int == child && $0["fds"] as? [Int] == [fd] } },
                                    "the child's fd \(fd) socket pair")
            let ends = Self.ends(pair)
            #expect(Set(ends.compactMap { $0["pid"] as? Int }) == [parent, child], "both peers, nobody else")
            #expect(Self.inodes(pair).count == 2)
            let sockets = Set(ends.compactMap { $0["socket"] as? Int })
            #expect(sockets == Set(Self.inodes(pair)), "each holds one socket of the pair")
            #expect(ends.allSatisfy { $0["end"] is NSNull && $0["used"] is NSNull }, "held, reads and writes not counted")
        }
    }

    @Test("node child_process.spawn with --data-flow: bytes each way equal what node wrote and read",
          .enabled(if: hasNode, "node is not installed"))
    func nodeSpawnCounted() throws {
        let log = Support.newLog()
        let (result, channels, _) = try channels(["node", "-e", Self.nodeProgram, log], options: ["--data-flow"])
        #expect(result.status == 0)
        let said = try #require(Support.lines(log).first)
        let parent = try #require(Int(said[0])), child = try #require(Int(said[1]))
        let written = try #require(Int(said[2])), read = try #require(Int(said[3]))
        #expect(written == read && written > 0, "cat echoes what it was given")
        let pairs = channels.filter { $0["kind"] as? String == "unix" }
        func bytes(_ pid: Int, _ end: String) -> [Int] {
            pairs.flatMap(Self.ends).filter { $0["pid"] as? Int == pid && $0["end"] as? String == end }.compactMap { $0["bytes"] as? Int }
        }
        #expect(bytes(parent, "write") == [written], "node's writes into the child's stdin")
        #expect(bytes(child, "read") == [written], "what cat read on fd 0")
        #expect(bytes(child, "write") == [read], "what cat wrote on fd 1")
        #expect(bytes(parent, "read") == [read], "what node read from the child's stdout")
        // The writer's socket and the reader's are the two sockets of one pair.
        let stdin = try #require(pairs.first { Self.ends($0).contains { $0["pid"] as? Int == child && $0["end"] as? String == "read" } })
        let stdinEnds = Self.ends(stdin)
        #expect(Set(stdinEnds.compactMap { $0["socket"] as? Int }) == Set(Self.inodes(stdin)))
    }

    @Test("a Python socketpair between parent and child: inodes and pids as Python saw them; send*/recv* counted")
    func pythonSocketPair() throws {
        let log = Support.newLog()
        // sendall/recv are sendto/recvfrom, sendmsg/recvmsg are themselves, os.write/os.read are write/read.
        let script = """
            import os, socket, sys
            a, b = socket.socketpair()
            pid = os.fork()
            if pid == 0:
                a.close()
                b.sendall(b"x" * 1000); b.sendmsg([b"y" * 24]); os.write(b.fileno(), b"z" * 7)
                got = 0
                while got < 300:
                    got += len(b.recv(4096))
                with open(sys.argv[1], "a") as f: print("child", os.getpid(), os.fstat(b.fileno()).st_ino, got, file=f)
                os._exit(0)
            b.close()
            got = 0
            while got < 1031:
                got += len(a.recv(4096)) if got < 1000 else len(a.recvmsg(4096)[0])
            a.sendall(b"p" * 300)
            os.waitpid(pid, 0)
            with open(sys.argv[1], "a") as f: print("parent", os.getpid(), os.fstat(a.fileno()).st_ino, got, file=f)
            """
        for dataFlow in [false, true] {
            let (result, channels, _) = try channels(["python3", "-c", script, log], options: dataFlow ? ["--data-flow"] : [])
            #expect(result.status == 0)
            let lines = Support.lines(log)
            let child = try #require(lines.last { $0[0] == "child" }), parent = try #require(lines.last { $0[0] == "parent" })
            let childSocket = try #require(Int(child[2])), parentSocket = try #require(Int(parent[2]))
            let pair = try #require(channels.first { Self.inodes($0) == [childSocket, parentSocket].sorted() }, "the pair by inodes")
            #expect(pair["path"] is NSNull, "a socketpair has no name")
            let ends = Self.ends(pair)
            #expect(Set(ends.map { [$0["pid"] as? Int, $0["socket"] as? Int] }) ==
                    [[Int(parent[1]), parentSocket], [Int(child[1]), childSocket]])
            guard dataFlow else { continue }
            func bytes(_ who: [String], _ end: String) -> Int? {
                ends.first { $0["pid"] as? Int == Int(who[1]) && $0["end"] as? String == end }?["bytes"] as? Int
            }
            #expect(bytes(child, "write") == 1031 && bytes(parent, "read") == Int(parent[3]), "sendto + sendmsg + write")
            #expect(bytes(parent, "write") == 300 && bytes(child, "read") == Int(child[3]), "sendto, read by recvfrom")
        }
    }

    @Test("a FIFO between unrelated processes (mkfifo; cat f > out &; echo hi > f): path, inode, bytes with --data-flow")
    func fifoBetweenProcesses() throws {
        let directory = try Support.newDirectory("fifo")
        let (result, channels, graph) = try channels(["sh", "-c", "mkfifo f; cat f > out & echo 'hi there' > f; wait"],
                                                     options: ["--data-flow"], directory: directory)
        #expect(result.status == 0)
        let out = try #require(FileManager.default.contents(atPath: directory.appendingPathComponent("out").path))
        let fifoPath = directory.appendingPathComponent("f").path
        var status = stat()
        #expect(stat(fifoPath, &status) == 0)
        let fifo = try #require(channels.first { $0["kind"] as? String == "fifo" })
        #expect(fifo["path"] as? String == fifoPath)
        #expect(fifo["inode"] as? Int == Int(status.st_ino), "the inode stat gives")
        let processes = try #require(graph["processes"] as? [[String: Any]])
        let cat = try #require(processes.first { $0["comm"] as? String == "cat" }?["pid"] as? Int)
        let ends = Self.ends(fifo)
        let reader = try #require(ends.first { $0["end"] as? String == "read" })
        let writer = try #require(ends.first { $0["end"] as? String == "write" })
        #expect(reader["pid"] as? Int == cat)
        #expect(writer["pid"] as? Int != cat && writer["fds"] as? [Int] == [1], "the shell's echo, redirected to fd 1")
        #expect(reader["bytes"] as? Int == out.count && writer["bytes"] as? Int == out.count, "what cat copied to out")
        let pipes = try #require(graph["pipes"] as? [[String: Any]])
        #expect(!pipes.contains { $0["inode"] as? Int == Int(status.st_ino) }, "a FIFO is no anonymous pipe")
    }

    @Test("a FIFO held at snapshots is in the graph without --data-flow: the forked writer at its exit, the reader at a peek")
    func fifoHeld() throws {
        let directory = try Support.newDirectory("fifo")
        let log = Support.newLog()
        // A forked child never execs: its exit snapshot shows its write end; the parent, which exec'd, is
        // looked at when that child exits (a peek) and still holds its read end. The parent opens its end
        // before the fork (O_NONBLOCK: no writer yet) and reads after the wait: a blocking open in the
        // parent could still be installing its fd when the writer, already woken, has written and ended.
        let script = """
            import os, sys
            os.mkfifo("f")
            r = os.open("f", os.O_RDONLY | os.O_NONBLOCK)
            child = os.fork()
            if child == 0:
                os.close(r); w = os.open("f", os.O_WRONLY); os.write(w, b"hi"); os._exit(0)
            os.waitpid(child, 0)
            data = os.read(r, 2)
            with open(sys.argv[1], "w") as f: print(os.getpid(), child, r, os.fstat(r).st_ino, data.decode(), file=f)
            """
        let (result, channels, _) = try channels(["python3", "-c", script, log], directory: directory)
        #expect(result.status == 0)
        let said = try #require(Support.lines(log).first)
        #expect(said.count == 5 && said[4] == "hi")
        let fifo = try #require(channels.first { $0["kind"] as? String == "fifo" })
        #expect(fifo["path"] as? String == directory.appendingPathComponent("f").path)
        #expect(fifo["inode"] as? Int == Int(said[3]))
        let ends = Self.ends(fifo)
        #expect(ends.first { $0["end"] as? String == "write" }?["pid"] as? Int == Int(said[1]))
        let reader = try #require(ends.first { $0["end"] as? String == "read" })
        #expect(reader["pid"] as? Int == Int(said[0]) && reader["fds"] as? [Int] == [Int(said[2])!])
        #expect(ends.allSatisfy { $0["used"] is NSNull }, "held, not counted")
    }

    @Test("POSIX message queue: the fixture's queue by name, bytes sent and received as it logged them, its mq_unlink")
    func messageQueue() throws {
        let log = Support.newLog()
        let (result, channels, _) = try channels([Support.fixture, "mq"], environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 0)
        let lines = Support.lines(log)
        let open = try #require(lines.first { $0[0] == "mq_open" })
        let pid = try #require(Int(open[1]))
        let name = String(open[5].dropFirst())  // the kernel's name has no slash
        let received = lines.filter { $0[0] == "mq_timedreceive" && $0[4] == "0" }.compactMap { Int($0[3]) }
        #expect(received.count == 3)
        let queue = try #require(channels.first { $0["kind"] as? String == "mq" && $0["name"] as? String == name })
        #expect(queue["unlinkedBy"] as? [Int] == [pid], "its first mq_unlink succeeded, the second failed")
        let ends = Self.ends(queue)
        let sent = try #require(ends.first { $0["end"] as? String == "write" })
        let got = try #require(ends.first { $0["end"] as? String == "read" })
        // Every message sent was received (the last receive found the queue empty).
        #expect(sent["bytes"] as? Int == received.reduce(0, +) && sent["calls"] as? Int == 3)
        #expect(got["bytes"] as? Int == received.reduce(0, +) && got["calls"] as? Int == 3)
        #expect(!channels.contains { $0["kind"] as? String == "mq" && $0["name"] as? String == "ipcwatch-absent" },
                "a failed mq_open names no queue")
    }

    @Test("splice/tee/vmsplice: bytes on each pipe's ends as the fixture logged them, without --data-flow")
    func splices() throws {
        let log = Support.newLog()
        let (result, _, graph) = try channels([Support.fixture, "splice"], environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 0)
        let lines = Support.lines(log)
        let results = { (call: String) in lines.filter { $0[0] == call && $0[4] == "0" }.compactMap { Int($0[3]) } }
        let vmsplice = results("vmsplice"), tee = results("tee"), splice = results("splice")
        #expect(vmsplice.count == 1 && tee.count == 1 && splice.count == 2)
        let pipes = try #require(graph["pipes"] as? [[String: Any]])
        func bytes(_ pipe: [String: Any], _ end: String) -> Int? {
            Self.ends(pipe).first { $0["end"] as? String == end }?["bytes"] as? Int
        }
        // Pipe a: vmsplice and the splice back from the file went in; tee (which copies) and the splice to the file came out.
        let a = try #require(pipes.first { bytes($0, "write") == vmsplice[0] + splice[1] }, "pipe a")
        #expect(bytes(a, "read") == tee[0] + splice[0])
        let b = try #require(pipes.first { bytes($0, "write") == tee[0] && $0["inode"] as? Int != a["inode"] as? Int }, "pipe b")
        #expect(bytes(b, "read") == nil, "its read() is not counted without --data-flow")
    }

    @Test("DOT and Mermaid: a shape per channel kind, hostile FIFO paths escaped, dot accepts it",
          .enabled(if: Tools.path(of: "dot") != nil, "graphviz (dot) is not installed"))
    func drawing() throws {
        let directory = try Support.newDirectory("fifo")
        let name = "f\"i\\fo <x> [y] #z"
        let script = """
            import os, socket
            os.mkfifo(\(Self.pythonString(name)))
            a, b = socket.socketpair()
            if os.fork() == 0:
                w = os.open(\(Self.pythonString(name)), os.O_WRONLY); os.write(w, b"hi"); os._exit(0)
            r = os.open(\(Self.pythonString(name)), os.O_RDONLY); os.read(r, 2); os.wait()
            """
        for format in ["dot", "mmd"] {
            let path = Support.newPath("graph", extension: format)
            let result = Support.run([Support.ipcwatch, "-q", "-o", "/dev/null", "--graph", path, "--", "python3", "-c", script],
                                     directory: directory)
            #expect(result.status == 0, "\(result.stderr)")
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if format == "dot" {
                #expect(text.contains("shape=ellipse, peripheries=2"), "the FIFO")
                #expect(text.contains(#"f\"i\\fo <x> [y] #z"#), "quotes and backslashes escaped")
                let rendered = Support.run(["dot", "-Tsvg", path])
                #expect(rendered.status == 0, "dot: \(rendered.stderr)")
            } else {
                #expect(text.contains("((("), "the FIFO as a double circle")
                #expect(text.contains("f#34;i#92;fo #60;x#62; #91;y#93; #35;z"), "entities for what Mermaid would read")
            }
        }
    }

    private static func pythonString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
