import Foundation
import IPCWatchTestSupport
import Testing

/// End-to-end: ipcwatch traces the fixture, and its events must equal what the fixture logged itself.
@Suite("Launch mode against ground truth")
struct LaunchTests {
    /// (syscall, pid, tid, read fd, write fd) of every pipe the fixture logged.
    private func loggedPipes(_ log: String) -> [String] {
        Support.lines(log).filter { $0.first == "pipe" || $0.first == "pipe2" }.map { $0.joined(separator: " ") }
    }

    private func tracedPipes(_ events: [[String: Any]]) -> [String] {
        events.filter { $0.eventName == "pipe" || $0.eventName == "pipe2" }.compactMap { event in
            guard let fds = event.pipefd, fds.count == 2, event.returnValue == 0 else { return "unreadable \(event)" }
            return "\(event.eventName) \(event.pid) \(event.tid) \(fds[0]) \(fds[1])"
        }
    }

    @Test("every pipe of a multi-threaded process, once, with its tid")
    func threads() {
        let log = Support.newLog()
        let (result, events) = Support.trace([Support.fixture, "threads", "4", "50"], environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = loggedPipes(log)
        #expect(expected.count == 400)
        #expect(tracedPipes(events).sorted() == expected.sorted())
        #expect(Set(events.map(\.tid)).count == 4, "four threads made the calls")
    }

    @Test("lines written to a pipe show while the command still runs, like strace's")
    func promptOutput() throws {
        // The command makes a pipe, a subshell exits with 3, then it waits on a FIFO only the test opens.
        let fifo = Support.newPath("prompt", extension: "fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        let tracer = try Child([Support.ipcwatch, "-o", "-", "--", "sh", "-c", "true | true; (exit 3); read x < \(fifo)"])

        var text = ""
        // A deadline per line, not a synchronisation: buffered output would come only after the FIFO is opened.
        while !text.contains("+++ exited with 3 +++"), let line = tracer.readLine(within: .seconds(30)) { text += line + "\n" }
        #expect(text.contains("sh pipe2(["), "\(text)")
        #expect(text.contains("+++ exited with 3 +++"), "the subshell's exit, while sh waits on the FIFO")

        let writer = open(fifo, O_WRONLY)
        #expect(writer >= 0)
        _ = "x\n".withCString { write(writer, $0, 2) }
        close(writer)
        #expect(tracer.wait() == (0, false))
    }

    @Test("every pipe of a forked process tree, once, with its pid")
    func forks() {
        let log = Support.newLog()
        let (result, events) = Support.trace([Support.fixture, "forks", "3", "30"], environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = loggedPipes(log)
        #expect(expected.count == 180)
        #expect(tracedPipes(events).sorted() == expected.sorted())
        #expect(Set(events.map(\.pid)).count == 3)
    }

    @Test("SysV ids and the shmat address match what the calls returned")
    func sysv() {
        let log = Support.newLog()
        let (result, events) = Support.trace([Support.fixture, "sysv"], environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 0, "\(result.stderr)")
        let logged = Dictionary(uniqueKeysWithValues: Support.lines(log).map { (String($0[0]), String($0[3])) })
        for name in ["msgget", "semget", "shmget", "msgrcv"] {
            let event = events.first { $0.eventName == name }
            #expect(event.map { String($0.returnValue) } == logged[name], "\(name)")
        }
        let shmat = events.first { $0.eventName == "shmat" }
        #expect(shmat.map { "0x" + String($0.returnValue, radix: 16) } == logged["shmat"])
        let names = events.map(\.eventName)
        #expect(names == ["msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semtimedop", "semctl", "shmget", "shmat",
                          "shmdt", "shmctl"].filter { names.contains($0) } && names.count == 11, "\(names)")
    }

    @Test("i386 int $0x80 pipe, pipe2, ipc() and direct SysV calls are reported as compat")
    func i386() {
        let log = Support.newLog()
        let (result, events) = Support.trace([Support.fixture, "i386"], environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 0, "\(result.stderr)")
        let logged = Support.lines(log)
        #expect(tracedPipes(events.filter(\.isCompat)).sorted() == loggedPipes(log).sorted())
        #expect(loggedPipes(log).count == 2)

        let ipcEvents = events.filter { $0.eventName == "ipc" }
        #expect(ipcEvents.count == 2)
        #expect(ipcEvents.filter(\.isCompat).count == 2)
        let subcalls = ipcEvents.compactMap { ($0["ipcCall"] as? [String: Any])?["eventName"] as? String }
        #expect(subcalls == ["msgget", "msgctl"])
        let queue = logged.first { $0[0] == "ipc:msgget" }.map { Int($0[3]) ?? -2 }
        #expect(ipcEvents.first?.returnValue == queue)
        #expect(ipcEvents.first?.argument("call") as? Int == 13)

        let direct = events.filter { $0.eventName == "msgget" }
        #expect(direct.count == 1 && direct[0].isCompat && direct[0]["arch"] as? String == "i386")
        #expect(direct.first.map { String($0.returnValue) } == logged.first { $0[0] == "msgget" }.map { String($0[3]) })
    }

    /// `ipc` in text is strace's old name of `%ipc` (strace 6.1 takes it so); with -j it is Tracee's `ipc`
    /// event: the i386 `ipc(2)` multiplexer whatever its subcall, and not the direct calls.
    @Test("-e trace=ipc: strace's %ipc in text, Tracee's ipc event (every ipc(2) call, nothing else) with -j")
    func ipcSelection() {
        let log = Support.newLog(), output = Support.newPath("ipc"), classOutput = Support.newPath("class")
        let result = Support.run([Support.ipcwatch, "-qq", "-e", "trace=ipc", "-o", output, "--", Support.fixture, "i386msgrcv"],
                                 environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 0)
        _ = Support.run([Support.ipcwatch, "-qq", "-e", "trace=%ipc", "-o", classOutput, "--", Support.fixture, "i386msgrcv"])
        let calls = Support.textLines(output).map { String($0.split(separator: " ", maxSplits: 3).last ?? "") }
        let viaClass = Support.textLines(classOutput).map { String($0.split(separator: " ", maxSplits: 3).last ?? "") }
        let logged = Support.lines(log)
        #expect(calls.count == logged.count + 1 && calls.count == 6, "every logged call and the unlogged msgctl: \(calls)")
        #expect(calls.map { $0.prefix { $0 != "(" } } == viaClass.map { $0.prefix { $0 != "(" } })

        let (jsonResult, events) = Support.trace([Support.fixture, "i386msgrcv"], options: ["-e", "trace=ipc"],
                                                 environment: ["IPC_FIXTURE_LOG": Support.newLog()])
        #expect(jsonResult.status == 0)
        #expect(events.map(\.eventName) == ["ipc", "ipc", "ipc"], "the three ipc(MSGRCV) calls only")
        let (_, direct) = Support.trace([Support.fixture, "i386msgrcv"], options: ["-e", "trace=msgrcv"])
        #expect(direct.map(\.eventName) == ["msgrcv"], "Tracee's msgrcv is not ipc(MSGRCV)")
        let (_, tagged) = Support.trace([Support.fixture, "i386msgrcv"], options: ["-e", "tag=ipc_msgq"])
        #expect(tagged.map(\.eventName) == ["msgget", "msgrcv", "msgctl"], "tag=ipc_msgq has no ipc event")
        let (_, unique) = Support.trace([Support.fixture, "i386msgrcv"], options: ["-e", "tag=32bit_unique"])
        #expect(unique.map(\.eventName) == ["ipc", "ipc", "ipc"])
    }

    /// Tracee v0.24.1 reports i386's 279, 280 and 240 as its `32bit_unique` events mq_timedsend_time32 (530),
    /// mq_timedreceive_time32 (531) and futex_time32 (533); 418, 419 and 422 as the 64-bit events.
    @Test("-j: i386's older mq_timedsend, mq_timedreceive, futex are Tracee's _time32 events, selected by those names")
    func time32Events() throws {
        let log = Support.newLog()
        let (result, events) = Support.trace([Support.fixture, "i386families"], options: ["-e", "all"],
                                             environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 0)
        let logged = Dictionary(Support.lines(log).map { ($0[0], $0[1]) }, uniquingKeysWith: { a, _ in a })
        for (name, id, entry) in [("mq_timedsend_time32", 530, "i386:mq_timedsend"), ("mq_timedreceive_time32", 531, "i386:mq_timedreceive"),
                                  ("futex_time32", 533, "i386:futex"), ("mq_timedsend", 242, "i386:mq_timedsend_time64"),
                                  ("mq_timedreceive", 243, "i386:mq_timedreceive_time64"), ("futex", 202, "i386:futex_time64")] {
            let matching = events.filter { $0.eventName == name }
            #expect(matching.count == 1, "\(name)")
            #expect(matching.first?["eventId"] as? String == String(id))
            #expect(matching.first.map { String($0.returnValue) } == logged[entry], "\(name) is \(entry)")
        }
        let timed = try #require(events.first { $0.eventName == "mq_timedsend_time32" })
        #expect(timed.argument("u_msg_ptr") as? String == "from i386" && timed.argument("msg_len") as? Int == 9)
        #expect((timed.argument("u_abs_timeout") as? Int ?? 0) != 0, "the timeout's address, as Tracee's trace.Pointer")
        let (_, only) = Support.trace([Support.fixture, "i386families"], options: ["-e", "mq_timedsend_time32,futex_time32"])
        #expect(only.map(\.eventName) == ["mq_timedsend_time32", "futex_time32"])
        let (_, named) = Support.trace([Support.fixture, "i386families"], options: ["-e", "mq_timedsend"])
        #expect(named.map(\.eventName) == ["mq_timedsend"] && named.first?["time64"] as? Bool == true, "418, not 279")
    }

    /// The same through 32-bit glibc: what Tracee would name each call of a real `gcc -m32` program.
    @Test("-j on a gcc -m32 program: _time32 and _time64 entries, ipc(2) as the ipc event, accepted by Tracee's rules",
          .enabled(if: Condition.hasMultilib, "cc -m32 cannot build a 32-bit program (install gcc-multilib: scripts/setup.sh)"))
    func gccM32JSON() throws {
        let (result, events) = Support.trace([StraceOracleTests.ipc32], options: ["-e", "all"])
        #expect(result.status == 0)
        let named = { (name: String) in events.filter { $0.eventName == name } }
        #expect(named("mq_timedsend_time32").map { $0.argument("u_msg_ptr") as? String } == ["old entry"])
        #expect(named("mq_timedsend").map { $0.argument("msg_ptr") as? String } == ["via glibc"])
        #expect(named("mq_timedsend").first?["time64"] as? Bool == true)
        #expect(named("mq_timedreceive_time32").count == 2 && named("mq_timedreceive").count == 1)
        #expect(named("futex_time32").count == 1 && named("futex").count == 1)
        #expect(named("semtimedop").count == 1, "semtimedop_time64 is Tracee's semtimedop")
        let subcalls = named("ipc").compactMap { ($0["ipcCall"] as? [String: Any])?["eventName"] as? String }
        #expect(subcalls.contains("msgrcv") && subcalls.contains("semtimedop") && subcalls.contains("shmat"), "\(subcalls)")
        let file = Support.newPath("ipc32", extension: "json")
        _ = Support.run([Support.ipcwatch, "-j", "-e", "all", "-o", file, "--", StraceOracleTests.ipc32])
        let checked = Support.run(["python3", TraceeSchemaTests.checker, file])
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
    }

    /// Tracee reads an i386 call's registers zero-extended: `msgtyp` -5 is 4294967291, in msgrcv's msgtyp
    /// and in ipc(MSGRCV)'s fifth.
    @Test("-j: a negative long of an i386 call is its register zero-extended, as Tracee reads it")
    func zeroExtendedLongs() throws {
        let (_, events) = Support.trace([Support.fixture, "i386msgrcv"], options: ["-e", "trace=msgrcv,ipc"])
        #expect(events.count == 4)
        #expect(events.first { $0.eventName == "msgrcv" }?.argument("msgtyp") as? Int == 4_294_967_291)
        let version1 = events.first { $0.eventName == "ipc" && $0.argument("call") as? Int == 0x1000c }
        #expect(version1?.argument("fifth") as? Int == 4_294_967_291)
    }

    @Test("x32 ABI calls are trapped and reported as x32, with the kernel's own result")
    func x32() throws {
        let log = Support.newLog()
        let (result, events) = Support.trace([Support.fixture, "x32"], environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 0)
        let logged = try #require(Support.lines(log).first { $0.first == "x32" })
        let (rc, errno) = (Int(logged[1])!, Int(logged[2])!)
        let event = try #require(events.first { $0.eventName == "pipe2" })
        #expect(event["arch"] as? String == "x32" && !event.isCompat)
        // Kernels without CONFIG_X86_X32_ABI fail it with ENOSYS after the seccomp stop: same result both ways.
        #expect(event.returnValue == (rc == 0 ? 0 : -errno))
        if rc == 0 { #expect(event.pipefd == [Int(logged[3])!, Int(logged[4])!]) }
    }

    @Test("the target runs under seccomp mode 2 with the same fds and signal state as untraced")
    func seccompAndDescriptors() {
        let untracedLog = Support.newLog()
        _ = Support.run(["seccomp"], executable: Support.fixture, environment: ["IPC_FIXTURE_LOG": untracedLog])
        let tracedLog = Support.newLog()
        let (result, events) = Support.trace([Support.fixture, "seccomp"], environment: ["IPC_FIXTURE_LOG": tracedLog])
        #expect(result.status == 0)
        let traced = Support.lines(tracedLog), untraced = Support.lines(untracedLog)
        let seccomp = { (lines: [[String]]) in lines.first { $0.count > 1 && $0[1].hasPrefix("Seccomp:") }?.joined(separator: " ") }
        #expect(seccomp(traced) == "status Seccomp:\t2")
        #expect(seccomp(untraced) == "status Seccomp:\t0")
        // Same blocked, ignored and caught signals as untraced (this test runner blocks many: a good case).
        let signals = { (lines: [[String]]) in lines.filter { $0.count > 1 && $0[1].hasPrefix("Sig") && !$0[1].hasPrefix("SigQ") }.map { $0.joined(separator: " ") } }
        #expect(signals(traced) == signals(untraced), "traced \(signals(traced)) untraced \(signals(untraced))")
        #expect(signals(traced).count == 4)
        // Same fd numbers as without ipcwatch: the tracer leaked no descriptor into the target.
        #expect(traced.last?.suffix(2) == untraced.last?.suffix(2))
        #expect(tracedPipes(events) == loggedPipes(tracedLog))
    }

    @Test("exit codes propagate", arguments: [0, 1, 7, 255])
    func exitCode(code: Int) {
        let (result, events) = Support.trace([Support.fixture, "exit", String(code)])
        #expect(result.status == Int32(code) && !result.signaled)
        #expect(events.count == 2, "events are flushed before exiting")
    }

    @Test("death by a signal propagates as the same signal", arguments: [SIGUSR1, SIGSEGV, SIGKILL])
    func signalDeath(signal: Int32) {
        let (result, events) = Support.trace([Support.fixture, "signal", String(signal)])
        #expect(result.signaled && result.status == signal, "\(result)")
        #expect(events.count == 2)
    }

    @Test("SIGKILL to ipcwatch kills the traced command (PTRACE_O_EXITKILL), never leaving it stranded")
    func exitKill() throws {
        // Spawned and reaped by hand (Child): a stranded target would keep Foundation's Process waiting.
        let tracer = try Child([Support.ipcwatch, "-o", "/dev/null", "--", Support.fixture, "block"])
        // The fixture prints its pid once it runs traced: a real synchronisation point, no sleep.
        let target = try #require(tracer.readLine().flatMap { Int32($0) })
        defer { kill(target, SIGKILL) }  // never leave it behind, whatever happens below
        #expect(kill(target, 0) == 0, "the target is alive while traced")

        kill(tracer.pid, SIGKILL)
        _ = tracer.wait()
        #expect(Support.exits(target), "the target died with its tracer")
    }

    @Test("a missing command exits 127 with one line")
    func missingCommand() {
        let result = Support.run([Support.ipcwatch, "--", "no-such-command-ipcwatch"], executable: "/usr/bin/env")
        #expect(result.status == 127)
        #expect(result.stderr == "ipcwatch: cannot run 'no-such-command-ipcwatch': No such file or directory\n")
    }

    @Test("a command that is not executable exits 126")
    func notExecutable() {
        let path = Support.scratch.appendingPathComponent("not-executable").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8))
        chmod(path, 0o644)
        let result = Support.run([Support.ipcwatch, path], executable: "/usr/bin/env")
        #expect(result.status == 126)
        #expect(result.stderr == "ipcwatch: cannot run '\(path)': Permission denied\n")
    }

    @Test("the command is looked for along PATH as execvp does: a non-executable match is passed over, a script without #! runs through sh")
    func pathSearch() throws {
        let denied = try Support.newDirectory("path-denied"), found = try Support.newDirectory("path-found")
        let log = Support.newLog()
        let notRunnable = denied.appendingPathComponent("ipcw-tool").path, script = found.appendingPathComponent("ipcw-tool").path
        _ = FileManager.default.createFile(atPath: notRunnable, contents: Data("#!/bin/sh\nexit 3\n".utf8))
        chmod(notRunnable, 0o644)
        _ = FileManager.default.createFile(atPath: script, contents: Data("echo \"$0\" | cat > \"$1\"\n".utf8))
        chmod(script, 0o755)
        let path = "\(denied.path):\(found.path):/usr/bin:/bin"
        let result = Support.run([Support.ipcwatch, "-e", "pipe2", "--", "ipcw-tool", log], environment: ["PATH": path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Support.lines(log).first == [script], "the script ran, as sh's $0 says")
        #expect(result.stderr.contains("pipe2(["), "the shell's pipe is traced: \(result.stderr)")
        // Only the match that cannot be run: EACCES, as execvp says it.
        let refused = Support.run([Support.ipcwatch, "--", "ipcw-tool"], environment: ["PATH": denied.path])
        #expect(refused.status == 126 && refused.stderr == "ipcwatch: cannot run 'ipcw-tool': Permission denied\n")
    }

    @Test("usage errors are one line and non-zero", arguments: [
        ([], "must have PROG [ARGS] or -p PID"), (["--bogus", "true"], "unrecognized option '--bogus'"),
        (["-e", "pipe3", "true"], "invalid system call 'pipe3'"), (["-o", "/nonexistent/dir/x", "true"], "Can't fopen '/nonexistent/dir/x'"),
    ])
    func usageErrors(arguments: [String], message: String) {
        let result = Support.run([Support.ipcwatch] + arguments, executable: "/usr/bin/env")
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("ipcwatch: ") && result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.filter { $0 == "\n" }.count == 1, "one line: \(result.stderr)")
    }

    @Test("--help prints usage and exits 0, before or instead of a command")
    func help() {
        let result = Support.run([Support.ipcwatch, "--help"], executable: "/usr/bin/env")
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Usage: ipcwatch "))
        #expect(result.stdout.contains("-e EXPR, --expr=EXPR"))
    }

    @Test("an unprivileged user can trace their own program",
          .enabled(if: Condition.isRoot, "not root: no other user can be switched to (this run is already unprivileged)"),
          .enabled(if: Condition.hasSetpriv, "setpriv (util-linux) is not installed"))
    func unprivileged() throws {
        let log = Support.newLog()
        let output = Support.newPath("unprivileged", extension: "json")
        let result = Support.runAsNobody(["-j", "-o", output, "--", Support.fixture, "threads", "2", "10"],
                                         environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 0, "\(result.stderr)")
        let events = Support.events(output)
        #expect(tracedPipes(events).sorted() == loggedPipes(log).sorted())
        #expect(loggedPipes(log).count == 40)
        #expect(events.allSatisfy { $0["userId"] as? Int == 65534 })
    }
}
