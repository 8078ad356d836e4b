import Foundation
@testable import IPCWatch
import IPCWatchTestSupport
import Testing

/// The wait-for report (`--stall`, `--stall-report`, SIGUSR1, attach mode's `--stall=0`) on programs that
/// hang in known ways: each fixture mode logs its own pids and fds first (the ground truth), and the report
/// must name the same calls, objects, holders and cycles. Healthy programs that wait a lot get no report.
@Suite("Wait-for report")
struct StallReportTests {
    /// A finished report: the JSON file of `--stall-report` and the text lines on the trace output.
    struct Report {
        var json: [String: Any]
        var text: [String]

        var threads: [[String: Any]] { json["threads"] as? [[String: Any]] ?? [] }
        var cycles: [[Int]] { json["cycles"] as? [[Int]] ?? [] }

        func thread(_ pid: Int32) throws -> [String: Any] {
            try #require(threads.first { $0["pid"] as? Int == Int(pid) }, "no thread of \(pid) in \(json)")
        }
    }

    /// Waits for the report file to hold a complete JSON report (it is rewritten at each report).
    static func awaitReport(_ path: String, text: String, count: Int = 1) throws -> Report {
        var report: Report?
        try waitUntil(deadline: .seconds(60), message: "a wait-for report in \(path) (\(count) in \(text))") {
            guard let data = FileManager.default.contents(atPath: path),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
            let lines = Support.textLines(text)
            guard lines.filter({ $0.hasPrefix("=== ") }).count >= count else { return false }
            report = Report(json: json, text: lines)
            return true
        }
        return try #require(report)
    }

    /// Runs `ipcwatch --stall=0.5 -- ipc_fixture hang KIND` until it reports, then kills it (and with it, the
    /// tree: PTRACE_O_EXITKILL). The fixture's log line, split into words. `prefix`/`ipcwatch`: run as another user.
    static func hang(_ kind: String, prefix: [String] = [], ipcwatch: String = Support.ipcwatch) throws -> (Report, [String]) {
        let log = Support.newLog(), reportPath = Support.newPath("stall", extension: "json"), text = Support.newPath("trace")
        let tracer = try Child(prefix + [ipcwatch, "-q", "-o", text, "--stall=0.5", "--stall-report=" + reportPath, "--",
                                         Support.fixture, "hang", kind], environment: ["IPC_FIXTURE_LOG": log])
        let report = try awaitReport(reportPath, text: text)
        kill(tracer.pid, SIGKILL)
        _ = tracer.wait()
        let logged = try #require(Support.lines(log).first { $0.first == kind }, "the fixture's log: \(Support.textLines(log))")
        return (report, logged)
    }

    static func waits(_ thread: [String: Any]) -> [(pid: Int, fd: Int?)] {
        (thread["waitsFor"] as? [[String: Any]] ?? []).map { ($0["pid"] as? Int ?? -1, $0["fd"] as? Int) }
    }

    static func object(_ thread: [String: Any]) -> [String: Any] { thread["object"] as? [String: Any] ?? [:] }

    @Test("the classic subprocess deadlock: both write a full pipe the other holds the read end of, a cycle of two")
    func subprocessDeadlock() throws {
        let (report, logged) = try Self.hang("subprocess")
        let parent = try #require(Int32(logged[1])), child = try #require(Int32(logged[2]))
        let parentWrite = try #require(Int(logged[3])), parentRead = try #require(Int(logged[4]))

        let writer = try report.thread(parent)
        #expect(writer["syscall"] as? String == "write" && writer["state"] as? String == "blocked")
        #expect(Self.object(writer)["kind"] as? String == "pipe" && Self.object(writer)["fd"] as? Int == parentWrite)
        #expect(Self.object(writer)["bytes"] as? Int == Self.object(writer)["capacity"] as? Int, "the child's stdin is full")
        #expect(Self.waits(writer).map(\.pid) == [Int(child)] && Self.waits(writer).map(\.fd) == [0], "the child reads it as fd 0")

        let copier = try report.thread(child)
        #expect(copier["syscall"] as? String == "write" && Self.object(copier)["fd"] as? Int == 1)
        #expect(Self.object(copier)["bytes"] as? Int == Self.object(copier)["capacity"] as? Int, "the child's stdout is full")
        #expect(Self.waits(copier).map(\.pid) == [Int(parent)] && Self.waits(copier).map(\.fd) == [parentRead])

        #expect(report.cycles == [[Int(min(parent, child)), Int(max(parent, child))]])
        #expect(report.text.contains("deadlock: \(parent) (ipc_fixture) -> \(child) (ipc_fixture) -> \(parent) (ipc_fixture)"),
                "\(report.text)")
    }

    @Test("unprivileged (uid 65534): the pipes' fill through pidfd_getfd, the holders, the cycle",
          .enabled(if: Condition.isRoot && Condition.hasSetpriv, "needs root and setpriv to run as another user"))
    func unprivileged() throws {
        let (report, logged) = try Self.hang("subprocess", prefix: Support.nobody.prefix, ipcwatch: Support.nobody.ipcwatch)
        let parent = try #require(Int32(logged[1])), child = try #require(Int32(logged[2]))
        #expect(Self.object(try report.thread(parent))["capacity"] as? Int == 65536)
        #expect(Self.object(try report.thread(child))["bytes"] as? Int == 65536)
        #expect(Self.waits(try report.thread(child)).map(\.fd) == [try #require(Int(logged[4]))])
        #expect(report.cycles.map(Set.init) == [Set([Int(parent), Int(child)])])
    }

    @Test("a reader waits for EOF while its parent kept the write end: names the parent and its fd")
    func readerWaitsForEOF() throws {
        let (report, logged) = try Self.hang("eof")
        let parent = try #require(Int32(logged[1])), child = try #require(Int32(logged[2]))
        let parentWrite = try #require(Int(logged[3])), childRead = try #require(Int(logged[4]))

        let reader = try report.thread(child)
        #expect(reader["syscall"] as? String == "read")
        #expect(Self.object(reader)["kind"] as? String == "pipe" && Self.object(reader)["fd"] as? Int == childRead)
        #expect(Self.object(reader)["bytes"] as? Int == 0)
        #expect(Self.waits(reader).map(\.pid) == [Int(parent)] && Self.waits(reader).map(\.fd) == [parentWrite])
        #expect(report.text.contains("    waits for \(parent) (ipc_fixture): holds the write end as fd \(parentWrite) (the reader waits for data or EOF)"))

        let waiter = try report.thread(parent)
        #expect(waiter["syscall"] as? String == "wait4" && Self.object(waiter)["kind"] as? String == "child")
        #expect(Self.waits(waiter).map(\.pid) == [Int(child)])
        #expect(report.cycles.map(Set.init) == [Set([Int(parent), Int(child)])])
    }

    @Test("two processes each hold the semaphore the other waits for: values, sempids, a cycle",
          .enabled(if: Condition.hasIpcmk, "ipcrm is not installed (it removes the fixture's semaphore set)"))
    func semaphoreDeadlock() throws {
        let (report, logged) = try Self.hang("sem")
        let first = try #require(Int32(logged[1])), second = try #require(Int32(logged[2])), set = try #require(Int(logged[3]))
        defer { _ = Support.run(["ipcrm", "-s", String(set)]) }

        for (waiter, holder, number) in [(first, second, 1), (second, first, 0)] {
            let thread = try report.thread(waiter)
            let object = Self.object(thread)
            #expect(["semop", "semtimedop"].contains(thread["syscall"] as? String ?? ""))
            #expect(object["kind"] as? String == "sem" && object["id"] as? Int == set && object["num"] as? Int == number)
            #expect(object["value"] as? Int == 0 && object["semncnt"] as? Int == 1 && object["sempid"] as? Int == Int(holder))
            #expect(Self.waits(thread).map(\.pid) == [Int(holder)])
        }
        #expect(report.cycles.map(Set.init) == [Set([Int(first), Int(second)])])
    }

    @Test("msgrcv on a queue nobody sends to: the queue's state, no one to wait for, no cycle")
    func receiverWithoutSender() throws {
        let reportPath = Support.newPath("stall", extension: "json"), text = Support.newPath("trace")
        let tracer = try Child([Support.ipcwatch, "-q", "-o", text, "--stall=0.5", "--stall-report=" + reportPath, "--",
                                Support.fixture, "msgwait"])
        let words = try #require(tracer.readLine()?.split(separator: " ").compactMap { Int32($0) })
        let (pid, queue) = (words[0], words[1])
        defer { msgctl(queue, IPC_RMID, nil) }
        let report = try Self.awaitReport(reportPath, text: text)
        kill(tracer.pid, SIGKILL)
        _ = tracer.wait()

        let thread = try report.thread(pid)
        #expect(thread["syscall"] as? String == "msgrcv")
        let object = Self.object(thread)
        #expect(object["kind"] as? String == "msg" && object["id"] as? Int == Int(queue) && object["num"] as? Int == 0)
        #expect(object["lspid"] as? Int == 0)
        #expect(Self.waits(thread).isEmpty && report.cycles.isEmpty)
        #expect(report.text.contains { $0.contains("message queue \(queue): 0 messages") && $0.contains("nobody has sent to it") })
    }

    @Test("msgrcv in another IPC namespace (unshare --ipc): the queue is not looked up in ipcwatch's own, the report says so",
          .enabled(if: Condition.canIsolate, "unshare --ipc does not work here (needs root or user namespaces)"))
    func otherIPCNamespace() throws {
        let reportPath = Support.newPath("stall", extension: "json"), text = Support.newPath("trace")
        let tracer = try Child([Support.ipcwatch, "-q", "-o", text, "--stall=0.5", "--stall-report=" + reportPath, "--",
                                "unshare", "--ipc", Support.fixture, "msgwait"])
        let words = try #require(tracer.readLine()?.split(separator: " ").compactMap { Int32($0) })
        let (pid, queue) = (words[0], words[1])
        let report = try Self.awaitReport(reportPath, text: text)
        kill(tracer.pid, SIGKILL)
        _ = tracer.wait()
        let thread = try report.thread(pid)
        let object = Self.object(thread)
        #expect(thread["syscall"] as? String == "msgrcv" && object["kind"] as? String == "msg" && object["id"] as? Int == Int(queue))
        #expect(object["ipcNamespace"] as? String == "other" && object["lspid"] == nil, "\(object)")
        #expect(report.text.contains { $0.contains("message queue \(queue) (in another IPC namespace)") }, "\(report.text)")
    }

    @Test("a POSIX queue nobody sends to, held for writing by a child that waits for the receiver: curmsgs, the holder's fd, a cycle")
    func posixQueue() throws {
        let (report, logged) = try Self.hang("mq")
        let parent = try #require(Int32(logged[1])), child = try #require(Int32(logged[2]))
        let receiver = try #require(Int(logged[3])), sender = try #require(Int(logged[4])), pipeWrite = try #require(Int(logged[5]))
        let waiting = try report.thread(parent)
        let object = Self.object(waiting)
        #expect(waiting["syscall"] as? String == "mq_timedreceive")
        #expect(object["kind"] as? String == "mq" && object["fd"] as? Int == receiver)
        #expect(object["curmsgs"] as? Int == 0 && object["maxmsg"] as? Int == 4)
        #expect(Self.waits(waiting).map(\.pid) == [Int(child)] && Self.waits(waiting).map(\.fd) == [sender])
        #expect(Self.waits(try report.thread(child)).map(\.fd) == [pipeWrite])
        #expect(report.cycles.map(Set.init) == [Set([Int(parent), Int(child)])])
    }

    @Test("a real Python deadlock: multiprocessing's join before get (the child's queue feeder fills the pipe)")
    func pythonQueueJoin() throws {
        let log = Support.newLog(), reportPath = Support.newPath("stall", extension: "json"), text = Support.newPath("trace")
        let tracer = try Child([Support.ipcwatch, "-e", "trace=none", "-o", text, "--stall=0.5", "--stall-report=" + reportPath, "--",
                                "/usr/bin/python3", "-c", """
            import multiprocessing as mp, os, sys
            def work(q):
                q.put(b"x" * 1_000_000)
            if __name__ == "__main__":
                q = mp.Queue()
                p = mp.Process(target=work, args=(q,))
                p.start()
                with open(sys.argv[1], "a") as log:
                    print(os.getpid(), p.pid, file=log)
                p.join()
                q.get()
            """, log])
        let report = try Self.awaitReport(reportPath, text: text)
        kill(tracer.pid, SIGKILL)
        _ = tracer.wait()
        let pids = try #require(Support.lines(log).first?.compactMap { Int32($0) })
        let (parent, child) = (pids[0], pids[1])
        let joining = try report.thread(parent)
        #expect(joining["syscall"] as? String == "wait4" && Self.waits(joining).map(\.pid) == [Int(child)])
        let feeder = try #require(report.threads.first { $0["pid"] as? Int == Int(child) && $0["syscall"] as? String == "write" },
                                  "the child's feeder thread blocked in write: \(report.json)")
        #expect(Self.object(feeder)["kind"] as? String == "pipe")
        #expect(Self.waits(feeder).map(\.pid).contains(Int(parent)), "the parent holds the read end")
        #expect(report.cycles.map(Set.init) == [Set([Int(parent), Int(child)])])
    }

    @Test("a shell keeps a FIFO open read-write and waits for the cat reading it: the FIFO's path, the shell's fd 3")
    func shellFIFO() throws {
        let directory = try Support.newDirectory("stall-fifo")
        let fifo = directory.appendingPathComponent("f").path
        let reportPath = Support.newPath("stall", extension: "json"), text = Support.newPath("trace")
        let tracer = try Child([Support.ipcwatch, "-e", "trace=none", "-o", text, "--stall=0.5", "--stall-report=" + reportPath, "--",
                                "sh", "-c", "mkfifo \"$1\"; exec 3<>\"$1\"; echo $$; cat \"$1\"", "sh", fifo])
        let shell = try #require(tracer.readLine().flatMap { Int($0) })
        let report = try Self.awaitReport(reportPath, text: text)
        kill(tracer.pid, SIGKILL)
        _ = tracer.wait()
        let reader = try #require(report.threads.first { $0["comm"] as? String == "cat" }, "\(report.json)")
        #expect(reader["syscall"] as? String == "read" && Self.object(reader)["kind"] as? String == "fifo")
        #expect(Self.object(reader)["path"] as? String == fifo && Self.object(reader)["bytes"] as? Int == 0)
        let byShell = (reader["waitsFor"] as? [[String: Any]] ?? []).first { $0["pid"] as? Int == shell }
        #expect(byShell?["fd"] as? Int == 3 && byShell?["reason"] as? String == "holds it read-write as fd 3 (the reader waits for data or EOF)")
        #expect(report.cycles.map(Set.init) == [Set([shell, try #require(reader["pid"] as? Int)])])
    }

    /// `stat` on a descriptor of a file on a stale NFS mount or of a stopped FUSE daemon hangs in `D`: the
    /// report must read only the links of the descriptors of every process it scans (here, the waited
    /// objects are pipes: nothing is followed at all). strace watches ipcwatch's tracer thread (not -f: the
    /// fixture is ipcwatch's own tracee).
    @Test("the report reads every process's descriptor links, never follows one (stat): strace on ipcwatch",
          .enabled(if: Condition.hasStrace, "strace is not installed"))
    func noDescriptorFollowed() throws {
        let calls = Support.newPath("strace"), reportPath = Support.newPath("stall", extension: "json")
        let strace = try Child([try #require(Tools.path(of: "strace")), "-o", calls, "-e", "trace=newfstatat,stat,lstat,statx",
                                Support.ipcwatch, "-q", "-o", "/dev/null", "--stall=0.5", "--stall-report=" + reportPath, "--",
                                Support.fixture, "hang", "eof"])
        let report = try Self.awaitReport(reportPath, text: "/dev/null", count: 0)
        let ipcwatch = Proc.read("/proc/\(strace.pid)/task/\(strace.pid)/children").split(separator: " ").compactMap { Int32($0) }
        ipcwatch.forEach { kill($0, SIGKILL) }
        _ = strace.wait()
        #expect(report.cycles.count == 1, "the report was built: \(report.json)")
        let lines = Support.textLines(calls)
        #expect(lines.contains { $0.hasPrefix("newfstatat(") && $0.contains("AT_SYMLINK_NOFOLLOW") }, "the links were scanned: \(lines.count) lines")
        let followed = lines.filter {
            ($0.hasPrefix("newfstatat(") || $0.hasPrefix("statx(") || $0.hasPrefix("stat(")) && !$0.contains("AT_SYMLINK_NOFOLLOW")
                && ($0.contains(/\/proc\/[0-9]+\/fd\/[0-9]+"/) || $0.contains(/^(newfstatat|statx)\([0-9]+, "[0-9]+"/))
        }
        #expect(followed.isEmpty, "\(followed.count) followed, e.g. \(followed.prefix(3))")
    }

    @Test("a reader whose writer was stopped (SIGSTOP): waits for the writer, which is stopped; no cycle")
    func stoppedWriter() throws {
        let (report, logged) = try Self.hang("stopped")
        let reader = try #require(Int32(logged[1])), writer = try #require(Int32(logged[2])), fd = try #require(Int(logged[3]))
        let waiting = try report.thread(reader)
        #expect(waiting["syscall"] as? String == "read" && Self.object(waiting)["bytes"] as? Int == 0)
        #expect(Self.waits(waiting).map(\.pid) == [Int(writer)] && Self.waits(waiting).map(\.fd) == [fd])
        #expect(try report.thread(writer)["state"] as? String == "stopped")
        #expect(report.cycles.isEmpty)
        #expect(report.text.contains("\(writer) ipc_fixture: stopped: waits for SIGCONT" + " (in tgkill)"), "\(report.text)")
    }

    @Test("one report per stall, another after progress and a new stall; the JSON file holds the last one")
    func againAfterProgress() throws {
        let reportPath = Support.newPath("stall", extension: "json"), text = Support.newPath("trace")
        let tracer = try Child([Support.ipcwatch, "-q", "-o", text, "--stall=0.3", "--stall-report=" + reportPath, "--",
                                Support.fixture, "hang", "lines"])
        _ = try Self.awaitReport(reportPath, text: text, count: 1)
        tracer.write("one\n")
        #expect(tracer.readLine() == "got one")
        let second = try Self.awaitReport(reportPath, text: text, count: 2)
        kill(tracer.pid, SIGKILL)
        _ = tracer.wait()
        #expect(second.text.filter { $0.hasPrefix("=== stalled") }.count == 2)
        #expect(second.threads.count == 1 && second.threads[0]["syscall"] as? String == "read")
        #expect(Self.object(second.threads[0])["kind"] as? String == "pipe", "ipcwatch's stdin is the test's pipe")
    }

    @Test("SIGUSR1 writes the report, without --stall, while the traced program is blocked")
    func onSignal() throws {
        let reportPath = Support.newPath("stall", extension: "json"), text = Support.newPath("trace")
        let tracer = try Child([Support.ipcwatch, "-q", "-o", text, "--stall-report=" + reportPath, "--", Support.fixture, "msgwait"])
        let words = try #require(tracer.readLine()?.split(separator: " ").compactMap { Int32($0) })
        defer { msgctl(words[1], IPC_RMID, nil) }
        try waitUntil(message: "the fixture blocked in msgrcv") { Proc.blockedSyscall(words[0]) == "70" }
        kill(tracer.pid, SIGUSR1)
        let report = try Self.awaitReport(reportPath, text: text)
        kill(tracer.pid, SIGKILL)
        _ = tracer.wait()
        #expect(report.json["stalledSeconds"] is NSNull)
        #expect(report.text.contains("=== who waits for whom ==="))
        #expect(try report.thread(words[0])["syscall"] as? String == "msgrcv")
    }

    @Test("attach mode --stall=0 on one pid of a hung pair: finds the other, reports, detaches, exits 0",
          .enabled(if: Condition.yamaAllowsAttach, "Yama's ptrace_scope forbids attaching"))
    func attachOnePid() throws {
        let log = Support.newLog()
        let target = try Child([Support.fixture, "hang", "eof"], environment: ["IPC_FIXTURE_LOG": log])
        var logged: [String] = []
        try waitUntil(message: "the fixture's log line") {
            logged = Support.lines(log).first { $0.first == "eof" } ?? []
            return !logged.isEmpty
        }
        let parent = try #require(Int32(logged[1])), child = try #require(Int32(logged[2]))
        try waitUntil(message: "the reader blocked in read, the parent in wait4") {
            Proc.blockedSyscall(child) == "0" && Proc.blockedSyscall(parent) == "61"
        }
        let reportPath = Support.newPath("stall", extension: "json")
        let result = Support.run([Support.ipcwatch, "-p", String(child), "--stall=0", "--stall-report=" + reportPath], deadline: .seconds(60))
        #expect(result.status == 0 && !result.signaled, "\(result)")
        #expect(result.stderr.contains("ipcwatch: Process \(parent) attached"), "the parent holds the write end: attached too")
        let report = try Self.awaitReport(reportPath, text: "/dev/null", count: 0)
        #expect(Self.waits(try report.thread(child)).map(\.pid) == [Int(parent)])
        #expect(report.cycles.map(Set.init) == [Set([Int(parent), Int(child)])])
        #expect(result.stderr.contains("deadlock: "), "\(result)")
        // Detached, and as they were.
        #expect(Proc.state(of: parent).tracer == "0" && Proc.state(of: child).tracer == "0")
        // Detached at an interrupt stop, each restarts its call: asleep in it again a moment later.
        try waitUntil(message: "both back asleep in their calls after the detach") {
            Proc.blockedSyscall(child) == "0" && Proc.blockedSyscall(parent) == "61"
        }
        kill(target.pid, SIGKILL)
        _ = target.wait()
    }

    @Test("attach mode --stall=0 on a hung process with an unreaped (zombie) child: the zombie is not attached, the report is written",
          .enabled(if: Condition.yamaAllowsAttach, "Yama's ptrace_scope forbids attaching"))
    func attachWithZombieChild() throws {
        let log = Support.newLog()
        let target = try Child([Support.fixture, "hang", "zombie"], environment: ["IPC_FIXTURE_LOG": log])
        defer { kill(target.pid, SIGKILL); _ = target.wait() }
        var logged: [String] = []
        try waitUntil(message: "the fixture's log line") {
            logged = Support.lines(log).first { $0.first == "zombie" } ?? []
            return !logged.isEmpty
        }
        let parent = try #require(Int32(logged[1])), zombie = try #require(Int32(logged[2]))
        try waitUntil(message: "the parent blocked in read, its child a zombie") {
            Proc.blockedSyscall(parent) == "0" && Proc.read("/proc/\(zombie)/stat").split(separator: ")").last?.split(separator: " ").first == "Z"
        }
        let reportPath = Support.newPath("stall", extension: "json")
        let result = Support.run([Support.ipcwatch, "-p", String(parent), "--stall=0", "--stall-report=" + reportPath], deadline: .seconds(60))
        #expect(result.status == 0 && !result.signaled, "\(result)")
        #expect(!result.stderr.contains("\(zombie)"), "the zombie is neither attached nor named: \(result.stderr)")
        let report = try Self.awaitReport(reportPath, text: "/dev/null", count: 0)
        #expect(try report.thread(parent)["syscall"] as? String == "read")
        #expect(report.cycles == [[Int(parent)]], "it holds the write end of the pipe it reads")
    }

    @Test("a 32-bit program: its i386 numbers (waitpid 7, semop through ipc 117) named and followed as i386 calls",
          .enabled(if: Condition.hasMultilib, "cc -m32 cannot build a 32-bit program (install gcc-multilib: scripts/setup.sh)"))
    func i386Program() throws {
        let reportPath = Support.newPath("stall", extension: "json"), text = Support.newPath("trace")
        let tracer = try Child([Support.ipcwatch, "-e", "trace=none", "-o", text, "--stall=0.5", "--stall-report=" + reportPath, "--",
                                StraceOracleTests.ipc32, "hang"])
        let words = try #require(tracer.readLine()?.split(separator: " ").compactMap { Int32($0) })
        let (parent, child, set) = (words[0], words[1], words[2])
        defer { _ = Support.run(["ipcrm", "-s", String(set)]) }
        let report = try Self.awaitReport(reportPath, text: text)
        kill(tracer.pid, SIGKILL)
        _ = tracer.wait()
        let waiting = try report.thread(parent)
        #expect(waiting["syscall"] as? String == "waitpid" && Self.object(waiting)["kind"] as? String == "child", "\(waiting)")
        #expect(Self.object(waiting)["pid"] as? Int == Int(child) && Self.waits(waiting).map(\.pid) == [Int(child)])
        let semaphore = try report.thread(child)
        #expect(["semop", "semtimedop", "semtimedop_time64"].contains(semaphore["syscall"] as? String ?? ""), "\(semaphore)")
        #expect(Self.object(semaphore)["kind"] as? String == "sem" && Self.object(semaphore)["id"] as? Int == Int(set))
        #expect(Self.object(semaphore)["op"] as? Int == -1 && Self.object(semaphore)["value"] as? Int == 0)
    }

    @Test("attach mode --stall=0: a Unix socket's peer and a pipe's writer in another session are named in the report, never attached",
          .enabled(if: Condition.yamaAllowsAttach, "Yama's ptrace_scope forbids attaching"))
    func attachNotTooFar() throws {
        let log = Support.newLog()
        // Grandchildren (not its children): a peer in its session on the socket, a writer in a session of its own.
        let target = try Child(["/usr/bin/python3", "-c", """
            import os, select, signal, socket, sys
            a, b = socket.socketpair()
            r, w = os.pipe()
            def grandchild(name, body):
                if os.fork() == 0:
                    if os.fork() == 0:
                        body()
                        with open(sys.argv[1], "a") as log:
                            print(name, os.getpid(), file=log)
                        signal.pause()
                    os._exit(0)
                os.wait()
            grandchild("peer", lambda: (a.close(), os.close(r), os.close(w)))
            grandchild("writer", lambda: (os.setsid(), a.close(), b.close(), os.close(r)))
            b.close(); os.close(w)
            with open(sys.argv[1], "a") as log:
                print("parent", os.getpid(), file=log)
            select.select([a, r], [], [])
            """, log])
        var pids: [String: Int32] = [:]
        try waitUntil(message: "the three pids logged") {
            pids = Dictionary(Support.lines(log).compactMap { $0.count == 2 ? ($0[0], Int32($0[1]) ?? 0) : nil }, uniquingKeysWith: { $1 })
            return pids.count == 3
        }
        let parent = try #require(pids["parent"]), peer = try #require(pids["peer"]), writer = try #require(pids["writer"])
        defer { [peer, writer, parent].forEach { kill($0, SIGKILL) }; _ = target.wait() }
        try waitUntil(message: "the parent blocked in select") { ["23", "270"].contains(Proc.blockedSyscall(parent)) }
        let reportPath = Support.newPath("stall", extension: "json")
        let result = Support.run([Support.ipcwatch, "-p", String(parent), "--stall=0", "--stall-report=" + reportPath], deadline: .seconds(60))
        #expect(result.status == 0 && !result.signaled, "\(result)")
        #expect(!result.stderr.contains("Process \(peer) attached") && !result.stderr.contains("Process \(writer) attached"), "\(result.stderr)")
        let report = try Self.awaitReport(reportPath, text: "/dev/null", count: 0)
        #expect(report.threads.map { $0["pid"] as? Int } == [Int(parent)], "only the parent traced: \(report.json)")
        #expect(Set(Self.waits(try report.thread(parent)).map(\.pid)) == [Int(peer), Int(writer)], "both named as waited for")
    }

    // MARK: healthy programs that wait a lot

    /// Runs `command` under `--stall=0.3` (or `stall`) to its end: it must end normally with no report.
    static func noReport(_ command: [String], directory: URL? = nil, stall: String = "0.3", sourceLocation: SourceLocation = #_sourceLocation) {
        let text = Support.newPath("trace"), reportPath = Support.newPath("stall", extension: "json")
        let result = Support.run([Support.ipcwatch, "-q", "-o", text, "--stall=" + stall, "--stall-report=" + reportPath, "--"] + command,
                                 directory: directory, deadline: .seconds(120), sourceLocation: sourceLocation)
        #expect(result.status == 0 && !result.signaled, "\(result)", sourceLocation: sourceLocation)
        #expect(!Support.textLines(text).contains { $0.hasPrefix("=== ") }, "\(Support.textLines(text))", sourceLocation: sourceLocation)
        #expect(FileManager.default.contents(atPath: reportPath)?.isEmpty ?? true, sourceLocation: sourceLocation)
    }

    @Test("a slow producer with sleeps between writes, read by cat: no report")
    func slowProducer() {
        Self.noReport(["sh", "-c", "for i in 1 2 3 4 5 6 7 8; do echo $i; sleep 0.2; done | cat >/dev/null"])
    }

    /// Python's `time.sleep` sleeps to an absolute time (restarted as itself); `poll` with a timeout and
    /// coreutils' `sleep` (relative) are resumed through `restart_syscall` after a signal.
    @Test("a Python poll with a timeout and a sleep(1) each interrupted by SIGCHLD (resumed through restart_syscall): no report")
    func sleeperInterrupted() {
        Self.noReport(["/usr/bin/python3", "-c", "import select, subprocess; subprocess.Popen(['sleep', '0.3']); select.poll().poll(3000)"],
                      stall: "1")
        Self.noReport(["sh", "-c", "sleep 0.3 & exec sleep 3"], stall: "1")
    }

    @Test("make -j4 over recipes that sleep: no report", .enabled(if: Tools.path(of: "make") != nil, "make is not installed"))
    func makeJobs() throws {
        let directory = try Support.newDirectory("stall-make")
        let rules = (1...8).map { "t\($0):\n\tsleep 0.4; echo \($0) > $@\n" }.joined()
        try ("all: " + (1...8).map { "t\($0)" }.joined(separator: " ") + "\n" + rules)
            .write(to: directory.appendingPathComponent("Makefile"), atomically: true, encoding: .utf8)
        Self.noReport(["make", "-s", "-j4"], directory: directory)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("t8").path), "make ran its recipes")
    }

    @Test("a Python multiprocessing.Pool whose tasks sleep: no report")
    func pythonPool() {
        Self.noReport(["/usr/bin/python3", "-c", """
            import multiprocessing, time
            if __name__ == "__main__":
                with multiprocessing.Pool(4) as pool:
                    assert pool.map(time.sleep, [0.3] * 12) == [None] * 12
            """])
    }

    @Test("with -j the text report goes to stderr: the event stream stays all events")
    func jsonStreamStaysEvents() throws {
        let events = Support.newPath("events", extension: "json"), reportPath = Support.newPath("stall", extension: "json")
        let tracer = try Child([Support.ipcwatch, "-j", "-o", events, "--stall=0.3", "--stall-report=" + reportPath, "--",
                                Support.fixture, "hang", "subprocess"])
        _ = try Self.awaitReport(reportPath, text: "/dev/null", count: 0)
        var line: String?
        repeat { line = tracer.readErrorLine() } while line.map { !$0.hasPrefix("deadlock: ") } ?? false
        #expect(line?.hasPrefix("deadlock: ") == true, "the text report on stderr")
        kill(tracer.pid, SIGKILL)
        _ = tracer.wait()
        let lines = Support.textLines(events)
        #expect(lines.count >= 2 && Support.events(events).count == lines.count, "\(lines)")
    }

    @Test("with -j and the events on stderr: --stall needs --stall-report (one line, exit 1); with it, stderr stays all events")
    func jsonEventsOnStderr() throws {
        let refused = Support.run([Support.ipcwatch, "-j", "--stall=1", "--", "true"])
        #expect(refused.status == 1 && refused.stderr == "ipcwatch: --stall with -j needs --stall-report=FILE or -o FILE (the events are on stderr)\n",
                "\(refused)")
        let reportPath = Support.newPath("stall", extension: "json")
        let tracer = try Child([Support.ipcwatch, "-j", "-e", "trace=pipe2", "--stall=0.3", "--stall-report=" + reportPath, "--",
                                Support.fixture, "hang", "subprocess"])
        let report = try Self.awaitReport(reportPath, text: "/dev/null", count: 0)
        // The events came before the stall; the report was written after them. Then end the trace (the
        // tracees die with ipcwatch: EXITKILL) and read stderr to its end.
        kill(tracer.pid, SIGKILL)
        var lines: [String] = []
        while let line = tracer.readErrorLine() { lines.append(line) }
        _ = tracer.wait()
        #expect(report.cycles.count == 1)
        #expect(lines.count >= 2 && lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] },
                "every stderr line an event: \(lines)")
    }

    @Test("the looks cost no busy loop: over a 2-second stall, ipcwatch and its waker use a fraction of a CPU")
    func noBusyLoop() throws {
        let reportPath = Support.newPath("stall", extension: "json"), text = Support.newPath("trace")
        let tracer = try Child([Support.ipcwatch, "-q", "-o", text, "--stall=2", "--stall-report=" + reportPath, "--",
                                Support.fixture, "hang", "lines"])
        let started = ContinuousClock.now
        _ = try Self.awaitReport(reportPath, text: text)
        let wall = (ContinuousClock.now - started).components
        // ipcwatch, its waker and the blocked fixture: every process of the tree, in clock ticks (utime + stime).
        let ticks = ([tracer.pid] + Proc.read("/proc/\(tracer.pid)/task/\(tracer.pid)/children").split(separator: " ").compactMap { Int32($0) })
            .map { pid -> Int in
                let fields = Proc.read("/proc/\(pid)/stat").split(separator: ")").last?.split(separator: " ") ?? []
                return fields.count > 13 ? (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0) : 0
            }.reduce(0, +)
        kill(tracer.pid, SIGKILL)
        _ = tracer.wait()
        let cpu = Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
        #expect(wall.seconds >= 2, "a 2-second stall")
        #expect(cpu < 0.5, "\(cpu) s of CPU over \(wall.seconds) s: a busy loop")
    }

    @Test("bad --stall values and an unwritable --stall-report: one line, exit 1, before anything runs")
    func badInput() {
        for value in ["abc", "-1", "nan", "inf", ""] {
            let result = Support.run([Support.ipcwatch, "--stall=" + value, "--", "true"])
            #expect(result.status == 1 && result.stderr == "ipcwatch: invalid --stall argument: '\(value)' (seconds, 0 or more)\n",
                    "\(result)")
        }
        let marker = Support.newPath("ran")
        let result = Support.run([Support.ipcwatch, "--stall=1", "--stall-report=/nonexistent/r.json", "--", "touch", marker])
        #expect(result.status == 1 && result.stderr == "ipcwatch: Can't fopen '/nonexistent/r.json': No such file or directory\n",
                "\(result)")
        #expect(!FileManager.default.fileExists(atPath: marker), "the command must not run")
    }

    @Test("--graph at a stall: the deadlock as two red edges, each labelled, and Graphviz renders it without a warning",
          .enabled(if: Tools.path(of: "dot") != nil, "graphviz (dot) is not installed"))
    func graphEdges() throws {
        let log = Support.newLog(), graph = Support.newPath("stall", extension: "dot")
        let tracer = try Child([Support.ipcwatch, "-q", "-o", "/dev/null", "--stall=0.5", "--graph", graph, "--",
                                Support.fixture, "hang", "subprocess"], environment: ["IPC_FIXTURE_LOG": log])
        try waitUntil(deadline: .seconds(60), message: "red edges in \(graph)") {
            Support.textLines(graph).filter { $0.contains("color=red") }.count == 2
        }
        kill(tracer.pid, SIGKILL)
        _ = tracer.wait()
        let logged = try #require(Support.lines(log).first { $0.first == "subprocess" })
        let red = Support.textLines(graph).filter { $0.contains("color=red") }
        #expect(red.contains { $0.hasPrefix("  p\(logged[1]) -> p\(logged[2]) ") && $0.contains("waits: write, pipe full\\n(other end: fd 0)") },
                "\(red)")
        #expect(red.contains { $0.hasPrefix("  p\(logged[2]) -> p\(logged[1]) ") && $0.contains("(other end: fd \(logged[4]))") }, "\(red)")
        let rendered = Support.run(["dot", "-Tsvg", "-o", "/dev/null", graph])
        #expect(rendered.status == 0 && rendered.stderr.isEmpty, "\(rendered)")
    }

    @Test("the waits in DOT and Mermaid: red labelled edges, a box for a process the graph had not drawn")
    func drawnWaits() {
        var topology = Topology(dataFlow: false)
        let object = WaitObject(kind: "pipe", fields: [("bytes", .integer(65536)), ("capacity", .integer(65536))], summary: "")
        topology.waits = WaitReport(threads: [
            WaitingThread(pid: 10, tid: 10, comm: "python3", state: "blocked", syscall: "write", object: object,
                          waitsFor: [WaitTarget(pid: 11, comm: "cat", fd: 0, reason: "")]),
            WaitingThread(pid: 11, tid: 11, comm: "cat", state: "blocked", syscall: "write", object: object,
                          waitsFor: [WaitTarget(pid: 10, comm: "python3", fd: 5, reason: "")]),
        ], stalledSeconds: 1)
        let dot = topology.dot.split(separator: "\n").map(String.init)
        #expect(dot.contains("  p10 [shape=box, style=rounded, label=\"python3 [10]\"];"))
        #expect(dot.contains("  p10 -> p11 [color=red, fontcolor=red, penwidth=2, label=\"waits: write, pipe full\\n(other end: fd 0)\"];"))
        #expect(dot.contains("  p11 -> p10 [color=red, fontcolor=red, penwidth=2, label=\"waits: write, pipe full\\n(other end: fd 5)\"];"))
        let mermaid = topology.mermaid.split(separator: "\n").map(String.init)
        #expect(mermaid.filter { $0.hasPrefix("  p10 -- ") && $0.hasSuffix(" --> p11") }.count == 1, "\(mermaid)")
        #expect(mermaid.last == "  linkStyle 0,1 stroke:#d00,color:#d00")
    }

    @Test("the ABIs' numbers: i386 (its own table, ipc's subcalls), x32 (bit 30, its 512+ entries), x86_64")
    func numbersByABI() {
        let none: [UInt64] = [0, 0, 0, 0, 0, 0]
        let cases: [(Int, [UInt64], SyscallABI, Int, String)] = [
            (7, none, .i386, 61, "waitpid"), (3, none, .i386, 0, "read"), (0, none, .i386, 219, "restart_syscall"),
            (168, none, .i386, 7, "poll"), (240, none, .i386, 202, "futex"), (401, none, .i386, 70, "msgrcv"),
            (142, none, .i386, 23, "_newselect"), (420, none, .i386, 220, "semtimedop_time64"), (2, none, .i386, -1, "syscall_2"),
            (117, [1, 5, 1, 0, 0x1000, 0], .i386, 65, "semop"), (117, [0x1000c, 5, 64, 0, 0x1000, 3], .i386, 70, "msgrcv"),
            (0x4000_0000 | 7, none, .x86_64, 7, "poll"), (0x4000_0000 | 519, none, .x86_64, 47, "recvmsg"),
            (7, none, .x86_64, 7, "poll"), (219, none, .x86_64, 219, "restart_syscall"),
        ]
        for (number, arguments, abi, same, name) in cases {
            let call = BlockingCall.canonical(number, arguments, abi: abi)
            #expect(call.number == same && call.name == name, "\(number) \(abi): \(call.number) \(call.name)")
        }
        let received = BlockingCall.canonical(117, [0x1000c, 5, 64, 2, 0x1000, 3], abi: .i386)
        #expect(received.arguments == [5, 0x1000, 64, 3, 2, 0], "msgrcv(id, msgp, size, type, flags)")
    }

    // MARK: the cycles alone

    @Test("cycles: a self-wait counts, a cycle through a running or timed process does not")
    func cycleRules() {
        let thread = { (pid: Int32, state: String, waits: [Int32]) in
            WaitingThread(pid: pid, tid: pid, comm: "p", state: state, syscall: "read", object: nil,
                          waitsFor: waits.map { WaitTarget(pid: $0, comm: "p", fd: nil, reason: "") })
        }
        #expect(WaitReport.cycles(in: [thread(1, "blocked", [1])]) == [[1]])
        #expect(WaitReport.cycles(in: [thread(1, "blocked", [2]), thread(2, "running", [1])]).isEmpty)
        #expect(WaitReport.cycles(in: [thread(1, "blocked", [2]), thread(2, "sleeping", [1])]).isEmpty)
        #expect(WaitReport.cycles(in: [thread(3, "blocked", [1]), thread(1, "blocked", [2]), thread(2, "stopped", [3]),
                                       thread(4, "blocked", [1])]) == [[1, 2, 3]])
    }

    @Test("cycles: any one target suffices — a reader whose pipe has a running second writer is no deadlock, nor one waiting for an untraced process")
    func cycleAnyTarget() {
        let thread = { (pid: Int32, state: String, waits: [Int32]) in
            WaitingThread(pid: pid, tid: pid, comm: "p", state: state, syscall: "read", object: nil,
                          waitsFor: waits.map { WaitTarget(pid: $0, comm: "p", fd: nil, reason: "") })
        }
        // R (1) reads a pipe whose write end W1 (2, waiting for R) and W2 (3) hold.
        #expect(WaitReport.cycles(in: [thread(1, "blocked", [2, 3]), thread(2, "blocked", [1]), thread(3, "running", [])]).isEmpty)
        #expect(WaitReport.cycles(in: [thread(1, "blocked", [2, 3]), thread(2, "blocked", [1]), thread(3, "blocked", [4]),
                                       thread(4, "sleeping", [])]).isEmpty, "W2 waits for a process that sleeps with a timeout")
        #expect(WaitReport.cycles(in: [thread(1, "blocked", [2, 3]), thread(2, "blocked", [1]), thread(3, "blocked", [])]) == [[1, 2]],
                "W2 is stuck too: R and W1 are a deadlock")
        #expect(WaitReport.cycles(in: [thread(1, "blocked", [2, 99]), thread(2, "blocked", [1])]).isEmpty, "99 is not traced: unknown")
        // A process goes on when one of its threads does.
        #expect(WaitReport.cycles(in: [thread(1, "blocked", [2]), thread(2, "blocked", [1]),
                                       WaitingThread(pid: 2, tid: 5, comm: "p", state: "running", syscall: nil, object: nil, waitsFor: [])]).isEmpty)
    }
}

@Suite("Wait-for report: the README's example")
struct StallReadmeTests {
    @Test("the README's hung subprocess prints the report the README shows (pids and numbers aside)")
    func readmeExample() throws {
        let readme = try String(contentsOf: Support.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("$ .build/release/ipcwatch -q -e trace=none --stall=2") })
        let end = try #require(lines[start...].firstIndex(of: "```"))
        let script = try #require(lines[start].components(separatedBy: "python3 -c '").last?.dropLast())
        let documented = lines[(start + 1)..<end].map(Self.shape)

        let text = Support.newPath("trace")
        let tracer = try Child([Support.ipcwatch, "-q", "-e", "trace=none", "--stall=2", "-o", text, "--",
                                "/usr/bin/python3", "-c", String(script)])
        try waitUntil(deadline: .seconds(60), message: "the report in \(text)") {
            Support.textLines(text).contains { $0.hasPrefix("deadlock: ") }
        }
        kill(tracer.pid, SIGKILL)
        _ = tracer.wait()
        #expect(Support.textLines(text).map(Self.shape) == documented)
    }

    /// A line with every number replaced by N.
    static func shape(_ line: String) -> String { line.replacing(/[0-9]+/, with: "N") }
}
