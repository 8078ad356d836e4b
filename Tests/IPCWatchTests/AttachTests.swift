import Foundation
import IPCWatchTestSupport
import Testing

@Suite("Attach mode")
struct AttachTests {
    @Test("attach mid-run to a multi-threaded process: no loss, no duplicates, right tids; it runs on unharmed")
    func window() throws {
        let log = Support.newLog()
        let target = try Child([Support.fixture, "attachloop", "3"], environment: ["IPC_FIXTURE_LOG": log])
        let pid = try #require(target.readLine().flatMap { Int32($0) })

        let tracer = try Child([Support.ipcwatch, "-j", "-o", "-", "-p", String(pid)])
        #expect(tracer.readErrorLine() == "ipcwatch: Process \(pid) attached")
        var lines: [String] = []
        // Events arrive as the target makes them: take 300, then detach. No timing involved.
        while lines.count < 300, let line = tracer.readLine() { lines.append(line) }
        kill(tracer.pid, SIGINT)
        while let line = tracer.readLine() { lines.append(line) }
        #expect(tracer.wait() == (SIGINT, true))
        #expect(tracer.readErrorLine() == "ipcwatch: Process \(pid) detached")

        // Detached: the target keeps running and its own checks (pipe round trips, RMIDs) pass.
        #expect(Proc.state(of: pid).tracer == "0")
        target.closeStdin()
        #expect(target.wait() == (0, false), "the target's checks failed after the detach")

        let events = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(events.count == lines.count && events.count >= 300)
        #expect(events.allSatisfy { $0.pid == Int(pid) })
        let logged = Support.lines(log)
        var loggedByThread: [Int: [Int]] = [:]
        for entry in logged where entry.first == "msgget" { loggedByThread[Int(entry[2])!, default: []].append(Int(entry[3])!) }
        var tracedByThread: [Int: [Int]] = [:]
        for event in events where event.eventName == "msgget" { tracedByThread[event.tid, default: []].append(event.returnValue) }
        #expect(!tracedByThread.isEmpty)
        for (tid, traced) in tracedByThread {
            let all = try #require(loggedByThread[tid], "tid \(tid) is one of the fixture's threads")
            // What was traced is one unbroken stretch of what the thread did: no gap, no repeat.
            let start = try #require(all.firstIndex(of: traced[0]))
            #expect(Array(all[start..<min(all.count, start + traced.count)]) == traced, "thread \(tid)")
        }
        // Every msgget was paired with its pipe2 and msgctl in the same thread, in order.
        let names = events.filter { $0.tid == events[0].tid }.map(\.eventName)
        #expect(Set(names).isSubset(of: ["msgget", "pipe2", "msgctl"]))
    }

    @Test("attach while threads are being created all the time: every attempt attaches, the target runs on")
    func threadsBornDuringAttach() throws {
        let target = try Child([Support.fixture, "spawner"])
        let pid = try #require(target.readLine().flatMap { Int32($0) })
        // Threads cloned by an already seized thread are attached by the kernel before the re-scan sees them.
        for round in 1...10 {
            let tracer = try Child([Support.ipcwatch, "-j", "-o", "-", "-p", String(pid)])
            #expect(tracer.readErrorLine() == "ipcwatch: Process \(pid) attached", "round \(round)")
            var events = 0
            while events < 20, tracer.readLine() != nil { events += 1 }
            kill(tracer.pid, SIGINT)
            while tracer.readLine() != nil {}
            #expect(tracer.wait() == (SIGINT, true), "round \(round)")
            #expect(events == 20, "round \(round): the short-lived threads' pipes were traced")
        }
        target.closeStdin()
        #expect(target.wait() == (0, false), "every thread creation succeeded, traced or not")
    }

    @Test("signals arriving across attach and detach are delivered exactly once (none swallowed at detach)")
    func signalsAcrossDetach() throws {
        let rounds = 5, bulk = 100
        let target = try Child([Support.fixture, "rtcount", String(rounds * (bulk + 1))])
        let pid = try #require(target.readLine().flatMap { Int32($0) })
        // Queued real-time signals are never merged: each must reach the handler exactly once.
        let send = { (count: Int) in for i in 0..<count { sigqueue(pid, __libc_current_sigrtmin() + 2, sigval(sival_int: Int32(i))) } }
        for round in 1...rounds {
            let tracer = try Child([Support.ipcwatch, "-o", "/dev/null", "-p", String(pid)])
            #expect(tracer.readErrorLine() == "ipcwatch: Process \(pid) attached")
            send(bulk)
            // Make the detach meet a signal-delivery stop: freeze ipcwatch, let the target stop on a
            // signal it cannot report yet, then ask for the detach and let ipcwatch run.
            kill(tracer.pid, SIGSTOP)
            try waitUntil(message: "round \(round): ipcwatch stopped by SIGSTOP (state T), is \(Proc.state(of: tracer.pid))") {
                Proc.state(of: tracer.pid).state == "T"
            }
            send(1)
            try waitUntil(message: "round \(round): the target in a signal-delivery stop (state t), is \(Proc.state(of: pid))") {
                Proc.state(of: pid).state == "t"
            }
            kill(tracer.pid, SIGINT)
            kill(tracer.pid, SIGCONT)
            #expect(tracer.wait() == (SIGINT, true), "round \(round)")
        }
        #expect(target.readLine() == "rt=\(rounds * (bulk + 1))")
        #expect(target.wait() == (0, false))
    }

    @Test("a read(2) in progress at attach time completes normally after the detach")
    func blockedRead() throws {
        let target = try Child([Support.fixture, "reader"])
        let pid = try #require(target.readLine().flatMap { Int32($0) })
        // Blocked in read(0) for sure: /proc says so (state S, syscall 0).
        try waitUntil(message: "the target blocked in read(2): state \(Proc.state(of: pid)), syscall \(Proc.blockedSyscall(pid))") {
            Proc.state(of: pid).state == "S" && Proc.blockedSyscall(pid) == "0"
        }

        let tracer = try Child([Support.ipcwatch, "-p", String(pid)])
        #expect(tracer.readErrorLine() == "ipcwatch: Process \(pid) attached")
        kill(tracer.pid, SIGTERM)
        #expect(tracer.wait() == (SIGTERM, true))
        #expect(tracer.readErrorLine() == "ipcwatch: Process \(pid) detached")

        target.write("hello\n")
        #expect(target.readLine() == "read 6 hello", "no EINTR, no lost data")
        #expect(target.wait() == (0, false))
    }

    @Test("children forked after the attach are followed; ipcwatch ends with its tracees")
    func followsChildren() throws {
        // The shell waits in read(2) until told to run a pipeline in a child shell.
        let target = try Child(["/bin/sh", "-c", "echo $$; read line; sh -c 'echo piped | cat'; echo done"])
        let pid = try #require(target.readLine().flatMap { Int32($0) })
        let tracer = try Child([Support.ipcwatch, "-j", "-o", "-", "-p", String(pid)])
        #expect(tracer.readErrorLine() == "ipcwatch: Process \(pid) attached")
        target.write("go\n")
        #expect(target.readLine() == "piped")
        #expect(target.readLine() == "done")
        #expect(target.wait() == (0, false))
        var events: [[String: Any]] = []
        while let line = tracer.readLine() {
            if let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] { events.append(event) }
        }
        #expect(tracer.wait() == (0, false), "the trace ends when the last tracee exits")
        let pipe = try #require(events.first { $0.eventName == "pipe2" }, "\(events)")
        #expect(pipe.pid != Int(pid) && pipe["parentProcessId"] as? Int == Int(pid), "made by the child shell")
        #expect(pipe.pipefd == [3, 4])
    }

    @Test("a stopped process stays stopped across attach and detach")
    func groupStop() throws {
        let target = try Child([Support.fixture, "reader"])
        let pid = try #require(target.readLine().flatMap { Int32($0) })
        kill(pid, SIGSTOP)
        try waitUntil(message: "the target stopped by SIGSTOP (state T), is \(Proc.state(of: pid))") { Proc.state(of: pid).state == "T" }
        let tracer = try Child([Support.ipcwatch, "-p", String(pid)])
        #expect(tracer.readErrorLine() == "ipcwatch: Process \(pid) attached")
        kill(tracer.pid, SIGINT)
        #expect(tracer.wait() == (SIGINT, true))
        // The detach wakes the thread to re-enter its group stop: it is briefly R. Had it been resumed,
        // it would settle in S (blocked reading stdin), not T.
        try waitUntil(message: "the target settled after the detach (not R), is \(Proc.state(of: pid))") {
            Proc.state(of: pid).state != "R"
        }
        let after = Proc.state(of: pid)
        #expect(after.state == "T" && after.tracer == "0", "still stopped, no longer traced: \(after)")
        kill(pid, SIGCONT)
        target.write("more\n")
        #expect(target.readLine() == "read 5 more")
        #expect(target.wait() == (0, false))
    }

    /// A `reader` fixture blocked on its stdin, and ipcwatch attached to it; `prefix` runs both (as
    /// another user, say).
    private func attachedReader(prefix: [String] = [], ipcwatch: String = Support.ipcwatch) throws
        -> (target: Child, pid: pid_t, tracer: Child) {
        let target = try Child(prefix + [Support.fixture, "reader"])
        let pid = try #require(target.readLine().flatMap { Int32($0) })
        let tracer = try Child(prefix + [ipcwatch, "-p", String(pid)])  // setpriv execs: the same pid
        #expect(tracer.readErrorLine() == "ipcwatch: Process \(pid) attached")
        return (target, pid, tracer)
    }

    @Test("SIGKILL to ipcwatch in attach mode leaves the target running")
    func killedTracer() throws {
        let (target, _, tracer) = try attachedReader()
        kill(tracer.pid, SIGKILL)
        #expect(tracer.wait() == (SIGKILL, true))
        target.write("alive\n")
        #expect(target.readLine() == "read 6 alive", "no EXITKILL in attach mode")
        #expect(target.wait() == (0, false))
    }

    @Test("attach errors are one clear line and a non-zero exit", arguments: [
        (["-p", "2147483646"], "cannot attach to process 2147483646: No such process", 1),
        (["-p", "12ab"], "Invalid process id: '12ab'", 1),
        (["-p", "1", "true"], "give either -p PID or a command, not both", 1),
    ])
    func errors(arguments: [String], message: String, code: Int32) {
        let result = Support.run([Support.ipcwatch] + arguments, executable: "/usr/bin/env")
        #expect(result.status == code)
        #expect(result.stderr == "ipcwatch: \(message)\n")
    }

    @Test("a process already traced: not permitted, naming the other tracer")
    func alreadyTraced() throws {
        let (target, pid, first) = try attachedReader()
        let second = Support.run([Support.ipcwatch, "-p", String(pid)], executable: "/usr/bin/env")
        #expect(second.status == 1)
        #expect(second.stderr == "ipcwatch: cannot attach to process \(pid): Operation not permitted "
                + "(it is already traced by process \(first.pid))\n")
        kill(first.pid, SIGINT)
        #expect(first.wait() == (SIGINT, true))
        target.write("ok\n")
        #expect(target.readLine() == "read 3 ok")
    }

    @Test("an unprivileged user attaches to their own process",
          .enabled(if: Condition.isRoot, "not root: no other user can be switched to (this run is already unprivileged)"),
          .enabled(if: Condition.hasSetpriv, "setpriv (util-linux) is not installed"))
    func unprivilegedAttach() throws {
        let nobody = Support.nobody
        let (target, _, tracer) = try attachedReader(prefix: nobody.prefix, ipcwatch: nobody.ipcwatch)
        kill(tracer.pid, SIGINT)
        #expect(tracer.wait() == (SIGINT, true))
        target.write("mine\n")
        #expect(target.readLine() == "read 5 mine")
        #expect(target.wait() == (0, false))
    }

    @Test("ipcwatch refuses to attach to its own ancestor")
    func ancestor() {
        let result = Support.run([Support.ipcwatch, "-p", String(getpid())], executable: "/usr/bin/env")
        #expect(result.status == 1)
        #expect(result.stderr == "ipcwatch: cannot attach to process \(getpid()): that is an ancestor of ipcwatch\n")
    }

    @Test("another user's process: not permitted, with the reason",
          .enabled(if: Condition.isRoot, "not root: no other user can be switched to (this run is already unprivileged)"),
          .enabled(if: Condition.hasSetpriv, "setpriv (util-linux) is not installed"))
    func otherUser() throws {
        let target = try Child([Support.fixture, "reader"])
        let pid = try #require(target.readLine().flatMap { Int32($0) })
        let result = Support.runAsNobody(["-p", String(pid)])
        #expect(result.status == 1)
        #expect(result.stderr == "ipcwatch: cannot attach to process \(pid): Operation not permitted (it belongs to another user)\n")
        target.write("x\n")
        #expect(target.wait() == (0, false), "the target was not disturbed")
    }

    /// A process of one's own that made itself non-dumpable (as ssh-agent and gpg-agent do): the kernel
    /// refuses, and ipcwatch knows no more than that, so it says no more (it once said "(not permitted)").
    @Test("a refusal with no known cause: the errno alone",
          .enabled(if: Condition.isRoot, "not root: no other user can be switched to (this run is already unprivileged)"),
          .enabled(if: Condition.yamaAllowsAttach, "kernel.yama.ptrace_scope > 0: the refusal has a known cause there"),
          .enabled(if: Condition.hasSetpriv, "setpriv (util-linux) is not installed"))
    func refusalWithoutCause() throws {
        let script = "import ctypes, sys, os; ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); print(os.getpid(), flush=True); sys.stdin.read()"
        let target = try Child(Support.nobody.prefix + ["/usr/bin/python3", "-c", script])  // not a shim under /root
        let pid = try #require(target.readLine().flatMap { Int32($0) })
        let result = Support.runAsNobody(["-p", String(pid)])
        #expect(result.status == 1)
        #expect(result.stderr == "ipcwatch: cannot attach to process \(pid): Operation not permitted\n")
        target.closeStdin()
        #expect(target.wait() == (0, false), "the target was not disturbed")
    }
}
