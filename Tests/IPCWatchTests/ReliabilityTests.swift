import Foundation
import IPCWatchTestSupport
import Testing

/// The target behaves exactly as untraced, and nothing is lost under load.
@Suite("Reliability")
struct ReliabilityTests {
    @Test("signals reach the target unchanged: handlers run once each, RT payloads intact")
    func signals() {
        let untraced = Support.run(["signals"], executable: Support.fixture)
        let (traced, events) = Support.trace([Support.fixture, "signals"])
        #expect(untraced.stdout == "usr1=3 rt=5 rtsum=15 chld=1 alrm=1 pipe=1 epipe=1\n")
        #expect(traced.stdout == untraced.stdout)
        #expect(events.filter { $0.eventName == "pipe2" }.count == 1)
    }

    @Test("a child's SIGSTOP is seen by its parent's waitpid(WUNTRACED), and SIGCONT resumes it")
    func groupStopInLaunchMode() {
        let untraced = Support.run(["stopchild"], executable: Support.fixture)
        let (traced, events) = Support.trace([Support.fixture, "stopchild"])
        #expect(untraced.stdout == "stopped=1 sig=19\nexited=1 code=7\n")
        #expect(traced.stdout == untraced.stdout && traced.status == 0)
        #expect(events.filter { $0.eventName == "pipe2" && $0.returnValue == 0 }.count == 1, "the resumed child's pipe")
    }

    /// 4 processes x 8 threads; IPCWATCH_STRESS_EVENTS sets the size (default 100,000 events, which keeps
    /// CI to seconds; 500000 for the full run).
    @Test("stress: every event of 32 threads in 4 processes, once, to a file and to a pipe")
    func stress() throws {
        let target = Int(ProcessInfo.processInfo.environment["IPCWATCH_STRESS_EVENTS"] ?? "") ?? 100_000
        let iterations = max(1, target / (4 * 8 * 2))
        let command = [Support.fixture, "stress", "4", "8", String(iterations)]

        let log = Support.newLog()
        // A generous deadline: the full run (IPCWATCH_STRESS_EVENTS=500000) takes far longer than the default.
        let (result, events) = Support.trace(command, environment: ["IPC_FIXTURE_LOG": log], deadline: .seconds(900))
        #expect(result.status == 0)
        let expected = Support.lines(log).map { $0.joined(separator: " ") }.sorted()
        #expect(expected.count == 4 * 8 * 2 * iterations)
        let traced = events.map { "\($0.eventName) \($0.pid) \($0.tid) \($0.pipefd?[0] ?? -1) \($0.pipefd?[1] ?? -1)" }
        #expect(traced.count == expected.count, "no event lost or duplicated (file)")
        #expect(traced.sorted() == expected, "the same (syscall, pid, tid, fds) multiset (file)")

        // The same through a pipe to a reader (this test) that takes its time parsing.
        let pipeLog = Support.newLog()
        let tracer = try Child([Support.ipcwatch, "-q", "-j", "-o", "-", "--"] + command,
                               environment: ["IPC_FIXTURE_LOG": pipeLog], deadline: .seconds(900))
        var viaPipe: [String] = []
        while let line = tracer.readLine() {
            guard let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            viaPipe.append("\(event.eventName) \(event.pid) \(event.tid) \(event.pipefd?[0] ?? -1) \(event.pipefd?[1] ?? -1)")
        }
        #expect(tracer.wait() == (0, false))
        #expect(viaPipe.sorted() == Support.lines(pipeLog).map { $0.joined(separator: " ") }.sorted(), "(pipe)")

        // Text, and -ff's file per thread: each thread's calls in the order the thread made them.
        let textLog = Support.newLog(), textOutput = Support.newPath("stress")
        let text = Support.run([Support.ipcwatch, "-q", "-o", textOutput, "--"] + command,
                               environment: ["IPC_FIXTURE_LOG": textLog], deadline: .seconds(900))
        #expect(text.status == 0)
        let textCalls = Support.textLines(textOutput).compactMap { line -> (Int, String)? in
            guard let match = line.wholeMatch(of: /(\d+)(?:\/(\d+))? \S+ (pipe2?)\(\[(\d+), (\d+)\].*/) else { return nil }
            return (Int(match.output.2 ?? match.output.1)!, "\(match.output.3) \(match.output.4) \(match.output.5)")
        }
        #expect(Self.byThread(textCalls) == Self.byThread(log: textLog), "text: each thread's calls, in its order")

        let separateLog = Support.newLog(), prefix = Support.newPath("stress-ff")
        let separate = Support.run([Support.ipcwatch, "-q", "-ff", "-o", prefix, "--"] + command,
                                   environment: ["IPC_FIXTURE_LOG": separateLog], deadline: .seconds(900))
        #expect(separate.status == 0)
        let expectedThreads = Self.byThread(log: separateLog)
        var separateCalls: [Int: [String]] = [:]
        for tid in expectedThreads.keys {
            separateCalls[tid] = Support.textLines("\(prefix).\(tid)").compactMap { line in
                line.wholeMatch(of: /\S+ (pipe2?)\(\[(\d+), (\d+)\].*/).map { "\($0.output.1) \($0.output.2) \($0.output.3)" }
            }
        }
        #expect(separateCalls == expectedThreads, "-ff: each thread's file holds its calls, in its order")
    }

    /// The fixture's log (`call pid tid r w` per line), as each thread's calls in order (`call r w`).
    private static func byThread(log: String) -> [Int: [String]] {
        byThread(Support.lines(log).map { (Int($0[2])!, "\($0[0]) \($0[3]) \($0[4])") })
    }

    private static func byThread(_ calls: [(Int, String)]) -> [Int: [String]] {
        var threads: [Int: [String]] = [:]
        for (tid, call) in calls { threads[tid, default: []].append(call) }
        return threads
    }

    /// `vmsplice(fd, iov, 0x7fffffff)`, `semtimedop(id, sops, 0xffffffff)`, `msgsnd(q, buf, SIZE_MAX)`,
    /// `mq_timedsend(q, buf, SIZE_MAX)` with `-s 1073741823` (strace's largest) under a 4 GB address-space
    /// limit: ipcwatch allocated the counts (17 GB for the iovecs) and aborted, taking the program with it.
    @Test("counts the traced program passes are not allocations: printed from what is readable, the program runs on")
    func hugeCounts() throws {
        let log = Support.newLog(), output = Support.newPath("huge")
        let result = Support.run(["sh", "-c", "ulimit -v 4000000 && exec \"$@\"", "sh", Support.ipcwatch, "-s", "1073741823",
                                  "-e", "trace=vmsplice,semtimedop,msgsnd,mq_timedsend", "-o", output, "--",
                                  Support.fixture, "hugecounts"], environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 0 && !result.signaled, "\(result)")
        let ran = Support.lines(log)
        #expect(ran.map { $0[0] } == ["vmsplice", "semtimedop", "msgsnd", "mq_timedsend", "done"], "the program's own log: \(ran)")
        let lines = Support.textLines(output).filter { !$0.contains("+++") }
        let expected = [("vmsplice", "[{iov_base=\"hello\", iov_len=5}, ", ", 2147483647, 0) = -1 EINVAL"),
                        ("semtimedop", "[{sem_num=0, sem_op=1, sem_flg=IPC_NOWAIT}, ", ", 4294967295, NULL) = -1 E2BIG"),
                        // A gigabyte of text is not there to read: its address, as strace shows what it cannot read.
                        ("msgsnd", ", {mtype=1, mtext=0x", "}, 18446744073709551615, IPC_NOWAIT) = -1 EINVAL"),
                        ("mq_timedsend", ", 0x", ", 18446744073709551615, 0, NULL) = -1 EMSGSIZE")]
        #expect(lines.count == expected.count, "\(lines.map { $0.prefix(200) })")
        for (line, (call, argument, end)) in zip(lines, expected) {
            let head = line.split(separator: " ", maxSplits: 2).last ?? ""
            #expect(head.hasPrefix(call + "(") && head.contains(argument) && line.contains(end), "\(line.prefix(300)) … \(line.suffix(120))")
        }
    }

    @Test("a reader that goes away (| head -1) neither hangs ipcwatch nor kills the target")
    func closedOutputPipe() throws {
        let log = Support.newLog()
        let tracer = try Child([Support.ipcwatch, "-q", "-o", "-", "--", Support.fixture, "threads", "2", "500"],
                               environment: ["IPC_FIXTURE_LOG": log])
        #expect(tracer.readLine() != nil)
        tracer.closeStdout()  // like head -1 exiting
        #expect(tracer.wait() == (0, false), "the command's status, not a SIGPIPE death")
        #expect(Support.lines(log).count == 2000, "the target ran to its end")
    }
}

/// Process-tree corner cases: each must end (a hang is killed after 60 s and fails, saying so), with the
/// command's status, and events attributed to the right process.
@Suite("Process corner cases")
struct ProcessCornerCaseTests {
    private let deadline = Duration.seconds(60)

    @Test("SIGKILL to ipcwatch kills the whole launched tree, children too")
    func exitKillTree() throws {
        let tracer = try Child([Support.ipcwatch, "-q", "-o", "/dev/null", "--", Support.fixture, "blocktree"])
        let pids = try [tracer.readLine(), tracer.readLine()].map { try #require($0.flatMap { Int32($0) }) }
        defer { pids.forEach { kill($0, SIGKILL) } }
        kill(tracer.pid, SIGKILL)
        #expect(tracer.wait() == (SIGKILL, true))
        for pid in pids {
            #expect(Support.exits(pid), "process \(pid) died with the tracer")
        }
    }

    @Test("Ctrl-C in a terminal: the command dies of SIGINT as untraced, ipcwatch too, output flushed")
    func terminalInterrupt() throws {
        let output = Support.newPath("ctrl-c")
        // Its own process group, like a foreground job: the terminal's SIGINT goes to the whole group.
        let tracer = try Child([Support.ipcwatch, "-qq", "-e", "signal=none", "-o", output, "--", Support.fixture, "block"], foregroundJob: true)
        _ = try #require(tracer.readLine().flatMap { Int32($0) })
        kill(-tracer.pid, SIGINT)
        #expect(tracer.wait() == (SIGINT, true))
        // -qq leaves `+++ killed by SIGINT +++` (strace 6 does too): the calls are the other lines.
        let lines = Support.textLines(output).filter { !$0.contains("+++ killed by") }
        #expect(lines.count == 2 && lines.allSatisfy { $0.contains("pipe") }, "the block-buffered file was flushed: \(lines)")
    }

    @Test("SIGTERM to ipcwatch reaches the command as untraced (pending: it inherited a blocked SIGTERM); a second ends the trace, output flushed")
    func terminated() throws {
        let output = Support.newPath("sigterm")
        // Spawned with this runner's signal mask, which blocks SIGTERM: ipcwatch must unblock what it handles,
        // and the command starts with SIGTERM blocked, as it would untraced.
        let tracer = try Child([Support.ipcwatch, "-qq", "-e", "signal=none", "-o", output, "--", Support.fixture, "block"])
        let target = try #require(tracer.readLine().flatMap { Int32($0) })
        kill(tracer.pid, SIGTERM)
        // Forwarded: pending in the command (bit 15 of its process-wide pending set).
        try waitUntil(message: "SIGTERM pending in the command (ShdPnd \(Proc.status("ShdPnd", of: target) ?? "gone"))") {
            (UInt64(Proc.status("ShdPnd", of: target) ?? "0", radix: 16) ?? 0) & (1 << (UInt64(SIGTERM) - 1)) != 0
        }
        kill(tracer.pid, SIGTERM)
        #expect(tracer.wait() == (SIGTERM, true))
        let lines = Support.textLines(output).filter { !$0.contains("+++ killed by") }  // -qq leaves those, as strace
        #expect(lines.count == 2, "flushed before dying: \(lines)")
        #expect(Support.exits(target), "the second SIGTERM killed the command")
    }

    @Test("SIGTERM to ipcwatch is forwarded: the command's handler runs, its IPC calls are traced, its status is ipcwatch's")
    func forwardedTerm() throws {
        let output = Support.newPath("forwarded")
        let script = "trap 'ipcmk -Q >/dev/null; exit 7' TERM; echo ready; while :; do sleep 0.05; done"
        let tracer = try Child([Support.ipcwatch, "-q", "-o", output, "--", "sh", "-c", script])
        #expect(tracer.readLine() == "ready")
        kill(tracer.pid, SIGTERM)
        #expect(tracer.wait() == (7, false), "exits as the command did")
        #expect(Support.textLines(output).contains { $0.contains(" ipcmk msgget(") }, "the handler's msgget is in the trace")
    }

    @Test("a setuid program run unprivileged: no privilege (no_new_privs), no crash",
          .enabled(if: Condition.hasSetuidSu, "no setuid-root /bin/su here"),
          .enabled(if: Condition.isRoot, "not root: no other user can be switched to (this run is already unprivileged)"),
          .enabled(if: Condition.hasSetpriv, "setpriv (util-linux) is not installed"))
    func setuidExec() throws {
        let result = Support.runAsNobody(["-q", "-o", "/dev/null", "--", "/bin/su", "--help"])
        #expect(result.status == 0 && result.stdout.contains("su"), "\(result.stderr)")
    }

    @Test("exec from a non-leader thread: the leader's tid takes over")
    func execFromThread() {
        let (result, events) = Support.trace([Support.fixture, "threadexec"], deadline: deadline)
        #expect(result.status == 4 && !result.signaled)
        #expect(events.count == 2 && events.allSatisfy { $0.tid == $0.pid }, "\(events.map { ($0.pid, $0.tid) })")
    }

    @Test("vfork + exec: the child's events carry the child's pid")
    func vforkExec() throws {
        let (result, events) = Support.trace([Support.fixture, "vfork"], deadline: deadline)
        #expect(result.status == 0)
        let child = try #require(result.stdout.split(separator: " ").dropFirst().first.flatMap { Int($0) })
        #expect(result.stdout == "child \(child) exited=1 code=5\n")
        #expect(events.count == 2 && events.allSatisfy { $0.pid == child && $0.tid == child })
    }

    @Test("threads still making pipes when the process exits under them")
    func exitRacingThreads() {
        let (result, events) = Support.trace([Support.fixture, "threadrace"], deadline: deadline)
        #expect(result.status == 0 && !result.signaled)
        #expect(events.contains { $0.eventName == "pipe2" && $0.tid == $0.pid }, "main's own pipe")
        #expect(events.allSatisfy { $0.returnValue == 0 })
    }

    @Test("children left unreaped (zombies) do not keep ipcwatch waiting")
    func zombies() {
        let (result, _) = Support.trace([Support.fixture, "zombies"], deadline: deadline)
        #expect(result.status == 0 && !result.signaled)
    }

    @Test("a program that closes every fd gets pipe [0, 1], and ipcwatch's output is unaffected")
    func closesAllFDs() {
        let (result, events) = Support.trace([Support.fixture, "closeall"], deadline: deadline)
        #expect(result.status == 0)
        #expect(events.map(\.pipefd) == [[0, 1]])
    }

    @Test("tracer memory does not grow with the number of events",
          .enabled(if: Condition.hasGNUTime, "GNU time is not installed"))
    func flatMemory() throws {
        let time = try #require(Tools.gnuTime)
        func peak(_ iterations: Int) -> Int? {
            // GNU time forks from its own small image: the figure is ipcwatch's (the fixture is smaller).
            let result = Support.run(["-f", "%M", Support.ipcwatch, "-j", "-o", "/dev/null", "--", Support.fixture,
                                      "threads", "1", String(iterations)], executable: time)
            return result.stderr.split(separator: "\n").last.flatMap { Int($0) }
        }
        let small = try #require(peak(1000)), large = try #require(peak(20000))  // 2k and 40k events
        #expect(large - small < 1024, "peak RSS \(small) KiB at 2k events, \(large) KiB at 40k")
    }
}
