import Foundation
import IPCWatchTestSupport
import Testing

/// Each flag next to strace 6 on the same command: the same one-line refusal for bad input (modulo the
/// program name) and strace's exit status 1, the same line layout for -t/-tt/-ttt/-r/-T, the same signal
/// lines.
@Suite("Flags next to strace's", .enabled(if: Condition.hasStrace, "strace is not installed"))
struct StraceGrammarTests {
    /// The first line each prints on stderr, `strace: ` / `ipcwatch: ` removed.
    private func firstErrorLines(_ arguments: [String]) -> (strace: String, ipcwatch: String, status: Int32, straceStatus: Int32) {
        let strace = Support.run(["strace"] + arguments)
        let ours = Support.run([Support.ipcwatch] + arguments)
        func first(_ text: String, _ name: String) -> String {
            String(text.split(separator: "\n").first ?? "").replacing("\(name): ", with: "")
        }
        #expect(strace.status != 0, "strace accepted \(arguments)")
        #expect(ours.stderr.filter { $0 == "\n" }.count == 1, "one line: \(ours.stderr)")
        return (first(strace.stderr, "strace"), first(ours.stderr, "ipcwatch"), ours.status, strace.status)
    }

    @Test("bad input: strace's words, one line, strace's exit status 1", arguments: [
        ["-s", "abc", "true"], ["-e", "trace=nosuch", "true"], ["-e", "", "true"], ["-S", "nosuch", "true"],
        ["-e", "signal=bogus", "true"], ["-e", "signal=", "true"], ["-e", "status=bogus", "true"],
        ["-e", "quiet=bogus", "true"], ["--bogus", "true"], ["-Q", "true"], ["-o"], ["-E"],
        ["-ff", "-o", "|cat", "true"], ["-p", "abc"], ["-X", "bogus", "true"], ["-e", "raw=nosuch", "true"],
        ["-e", "abbrev=nosuch", "true"], ["-c", "-C", "true"], ["-s", "2147483647", "true"], ["-s", "1073741824", "true"],
        ["-s", "-1", "true"],
    ])
    func refusals(arguments: [String]) {
        let (strace, ours, status, straceStatus) = firstErrorLines(arguments)
        #expect(ours == strace)
        #expect(status == 1 && status == straceStatus)
    }

    @Test("-qq hides `+++ exited with` lines only; `+++ killed by` stays, as strace 6's", arguments: [
        "exit 3", "kill -9 $$", "kill -TERM $$",
    ])
    func quieterExits(script: String) {
        let straceOut = Support.newPath("strace"), ourOut = Support.newPath("ipcwatch")
        _ = Support.run(["strace", "-f", "-qq", "-e", "trace=pipe2", "-o", straceOut, "sh", "-c", script])
        _ = Support.run([Support.ipcwatch, "-f", "-qq", "-e", "trace=pipe2", "-o", ourOut, "sh", "-c", script])
        // `PID +++ … +++`, the pid (and strace's padding) dropped.
        let exits = { (path: String) in
            Support.textLines(path).compactMap { line in line.range(of: "+++ ").map { String(line[$0.lowerBound...]) } }
        }
        #expect(exits(ourOut) == exits(straceOut), "ipcwatch \(exits(ourOut)), strace \(exits(straceOut))")
        #expect(exits(ourOut).count == (script.hasPrefix("kill") ? 1 : 0))
    }

    @Test("`Process N attached` for each child followed, in launch mode only on stderr, as strace's; none with -o, -q or -j",
          arguments: [[], ["-q"], ["-o", "FILE"], ["-c"]])
    func followedAttaches(flags: [String]) {
        let flags = flags.map { $0 == "FILE" ? Support.newPath("out") : $0 }
        let command = ["sh", "-c", "echo | cat; exit 3"]
        let strace = Support.run(["strace", "-f", "-e", "trace=pipe2"] + flags + command)
        let ours = Support.run([Support.ipcwatch, "-e", "pipe2"] + flags + ["--"] + command)
        #expect(strace.status == 3 && ours.status == 3)
        // The children named, in the order of the lines: each before its own exit line (if any is shown).
        func attached(_ stderr: String, _ tool: String) -> [String] {
            stderr.split(separator: "\n").compactMap { line in
                line.wholeMatch(of: /(\w+): Process (\d+) attached/).flatMap { $0.output.1 == tool ? String($0.output.2) : nil }
            }
        }
        let straceChildren = attached(strace.stderr, "strace"), ourChildren = attached(ours.stderr, "ipcwatch")
        #expect(ourChildren.count == straceChildren.count, "ipcwatch: \(ours.stderr)\nstrace: \(strace.stderr)")
        #expect(ourChildren.count == (flags.isEmpty || flags == ["-c"] ? 2 : 0))
        for child in ourChildren where !flags.contains("-c") {
            let lines = ours.stderr.split(separator: "\n").map(String.init)
            let attach = lines.firstIndex(of: "ipcwatch: Process \(child) attached"), exit = lines.firstIndex(of: "\(child) +++ exited with 0 +++")
            #expect(attach != nil && exit != nil && attach! < exit!, "\(ours.stderr)")
        }
        if flags.isEmpty {
            let json = Support.run([Support.ipcwatch, "-j", "-e", "pipe2", "--"] + command)
            #expect(!json.stderr.contains("attached"), "no message among the JSON lines")
        }
    }

    @Test("a child that renames itself before its first call is named so, attach lines or not", arguments: [[], ["-q"]])
    func renamedChild(flags: [String]) {
        let rename = "if (my $p = fork) { waitpid($p, 0) } else { $0 = 'renamed'; pipe(R, W); exit 0 }"
        let ours = Support.run([Support.ipcwatch, "-e", "pipe2"] + flags + ["--", "perl", "-e", rename])
        #expect(ours.stderr.contains(" renamed pipe2("), "\(ours.stderr)")
    }

    /// strace abbreviates an array past `-s` entries with `...`, and with `-s 0` shows `[...]` alone.
    @Test("-s 0 and -s 1: arrays as strace abbreviates them", arguments: ["0", "1"])
    func arrayAbbreviation(limit: String) {
        let straceOut = Support.newPath("strace"), ourOut = Support.newPath("ipcwatch")
        let calls = "trace=vmsplice,semtimedop"
        _ = Support.run(["strace", "-s", limit, "-e", calls, "-o", straceOut, Support.fixture, "hugecounts"])
        _ = Support.run([Support.ipcwatch, "-s", limit, "-e", calls, "-o", ourOut, "--", Support.fixture, "hugecounts"])
        // The call text from its name to its end; the semaphore id differs between the runs.
        let texts = { (path: String) in
            Support.textLines(path).compactMap { line in
                line.firstMatch(of: /(vmsplice|semtimedop)\(.*/).map { String($0.output.0).replacing(/semtimedop\(\d+/, with: "semtimedop(ID") }
            }.map { $0.replacing(#/\s+= /#, with: " = ") }
        }
        #expect(texts(straceOut).count == 2)
        #expect(texts(ourOut) == texts(straceOut))
    }

    /// strace's words are a poor guide here (`invalid system call 'bogus=1'`, `Can't stat ''` after a usage
    /// line, the `-ff` file found missing once the command runs): ipcwatch says more, still on one line.
    @Test("bad input strace words poorly: one clear line, exit 1, before any command runs", arguments: [
        (["-e", "bogus=1", "true"], "invalid -e qualifier 'bogus' (accepted: trace=, signal=, status=, quiet=, raw=, abbrev=, verbose=)"),
        ([""], "Can't stat '': No such file or directory"),
    ])
    func clearerRefusals(arguments: [String], message: String) {
        let ours = Support.run([Support.ipcwatch] + arguments)
        #expect(ours.status == 1 && ours.stderr == "ipcwatch: \(message)\n", "\(ours)")
        #expect(ours.stdout.isEmpty)
    }

    /// `-o FILE` is opened before the command runs; `-ff -o PREFIX` opens `PREFIX.TID` as threads appear, so
    /// its directory is checked first (strace runs the command, then fails at the first file).
    @Test("-ff -o PREFIX in a directory that cannot take files: refused before the command runs", arguments: [
        ("/nonexistent/p", "No such file or directory"), ("/dev/null/p", "Not a directory"),
    ])
    func separateFilesRefused(prefix: String, reason: String) {
        let ran = Support.newPath("ran")
        let ours = Support.run([Support.ipcwatch, "-ff", "-o", prefix, "touch", ran])
        #expect(ours.status == 1 && ours.stderr == "ipcwatch: Can't fopen '\(prefix).PID': \(reason)\n", "\(ours)")
        #expect(!FileManager.default.fileExists(atPath: ran), "the command did not run")
    }

    /// strace compiles `/REGEX` with glibc's regcomp: POSIX extended syntax, and a matcher whose time does
    /// not explode with nested stars (Swift's backtracking Regex took 38 s on this pattern).
    @Test("-e trace=/REGEX: POSIX extended, as strace, in linear time")
    func regexSelection() {
        let nested = "/" + String(repeating: "(a*)*", count: 12) + "c"
        let started = ContinuousClock.now
        let refused = Support.run([Support.ipcwatch, "-e", "trace=" + nested, "--", "true"], deadline: .seconds(60))
        #expect(refused.status == 0 && !refused.timedOut)
        #expect(ContinuousClock.now - started < .seconds(30), "the deadline says linear, not exponential")
        for (pattern, expected) in [("/^pipe2?$", ["pipe", "pipe2"]), ("/^(sem|shm)ctl$", ["semctl", "shmctl"])] {
            let ours = Support.run([Support.ipcwatch, "-qq", "-e", "trace=" + pattern, "--", "sh", "-c", "echo | cat"])
            let strace = Support.run(["strace", "-qq", "-f", "-e", "trace=" + pattern, "--", "sh", "-c", "echo | cat"])
            #expect(ours.status == 0 && strace.status == 0)
            let called = { (text: String) in Set(text.split(separator: "\n").compactMap { line in
                expected.first { line.contains(" \($0)(") || line.hasPrefix("\($0)(") } }) }
            #expect(called(ours.stderr) == called(strace.stderr), "\(ours.stderr) / \(strace.stderr)")
        }
        let bad = Support.run([Support.ipcwatch, "-e", "trace=/[", "true"])
        #expect(bad.status == 1 && bad.stderr == "ipcwatch: invalid regular expression '['\n")
    }

    /// `PID TIME` for every line of `-f -o FILE` output (strace pads the pid, ipcwatch adds COMM).
    private func layouts(_ flags: [String]) -> (strace: [String], ipcwatch: [String]) {
        let command = ["sh", "-c", "echo | cat"]
        let straceOut = Support.newPath("strace"), ourOut = Support.newPath("ipcwatch")
        _ = Support.run(["strace", "-f", "-e", "trace=pipe2", "-o", straceOut] + flags + command)
        _ = Support.run([Support.ipcwatch, "-f", "-e", "trace=pipe2", "-o", ourOut] + flags + command)
        // Reduce each line to its shape: digits become 9, the call text and COMM are dropped.
        func shape(_ line: String) -> String {
            var words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard words.count > 2 else { return line }
            let kind = words.first { $0 == "+++" || $0 == "---" } ?? "call"
            // -t's time is one word, -r's one more; after a time -r's is `(+ 0.000432)`: two.
            let absolute = flags.contains("-t") || flags.contains("-tt") || flags.contains("-ttt")
            let timeWords = (absolute ? 1 : 0) + (flags.contains("-r") ? (absolute ? 2 : 1) : 0)
            words = Array(words.prefix(1 + timeWords))
            var text = (words + [kind]).joined(separator: " ")
            if flags.contains("-T"), kind == "call", let duration = line.firstMatch(of: #/ <\d+\.\d{6}>$/#) { text += String(duration.output) }
            return text.replacing(/\d/, with: "9")
        }
        // Distinct shapes: two children's SIGCHLDs may merge into one in either run (standard signals coalesce).
        return (Array(Set(Support.textLines(straceOut).map(shape))).sorted(), Array(Set(Support.textLines(ourOut).map(shape))).sorted())
    }

    @Test("the pid first, the time after it, on call, signal and exit lines alike", arguments: [
        ["-t"], ["-tt"], ["-ttt"], ["-r"], ["-T"], ["-tt", "-T"], ["-tt", "-r"], ["-t", "-r"],
    ])
    func layout(flags: [String]) {
        let (strace, ours) = layouts(flags)
        #expect(!strace.isEmpty)
        #expect(ours == strace)
    }

    /// The `--- … ---` and `+++ … +++` lines of a run, pids masked.
    /// The signal and exit lines, pids and CPU times masked. CPU times are clock ticks: one charged in one run
    /// and not in the other adds strace's ` /* 0.01 s */`, which only `keepingSeconds` leaves.
    private func signalLines(_ path: String, keepingSeconds: Bool = false) -> [String] {
        Support.textLines(path).compactMap { line -> String? in
            guard let start = line.range(of: "--- ") ?? line.range(of: "+++ ") else { return nil }
            var signal = String(line[start.lowerBound...]).replacing(/si_pid=\d+/, with: "si_pid=P")
            if !keepingSeconds { signal = signal.replacing(#/(si_[us]time=\d+) /\* [\d.]+ s \*/#) { String($0.output.1) } }
            return signal.replacing(/si_([us])time=\d+/) { "si_\($0.output.1)time=T" }
                .replacing(/si_call_addr=0x[0-9a-f]+/, with: "si_call_addr=A")  // ASLR
        }.sorted()
    }

    /// A child that burns a quarter second of CPU: its SIGCHLD carries clock ticks, which strace comments in
    /// seconds (`si_utime=25 /* 0.25 s */`, not under -X raw); -X raw and verbose change si_signo, si_code
    /// and a killed child's si_status. The tick counts themselves differ from run to run.
    @Test("signal lines under -X abbrev, raw and verbose, clock ticks with their seconds, as strace 6's",
          arguments: ["abbrev", "raw", "verbose"])
    func signalStyles(style: String) {
        let command = ["sh", "-c", "(i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done); sh -c 'kill -9 $$'; true"]
        let straceOut = Support.newPath("strace"), ourOut = Support.newPath("ipcwatch")
        _ = Support.run(["strace", "-f", "-X", style, "-e", "trace=none", "-o", straceOut] + command)
        _ = Support.run([Support.ipcwatch, "-X", style, "-e", "none", "-o", ourOut, "--"] + command)
        // signalLines has made the pids and tick counts P and T; the seconds differ too, and stime may be 0.
        let shape = { (line: String) in
            line.replacing(#/ /\* \d+\.\d\d s \*\x2F/#, with: " /* S s */").replacing("si_stime=T /* S s */", with: "si_stime=T")
        }
        let expected = signalLines(straceOut, keepingSeconds: true).map(shape)
        #expect(expected.contains { $0.contains(style == "raw" ? "si_utime=T, " : "si_utime=T /* S s */") }, "\(expected)")
        #expect(expected.contains { $0.contains(style == "abbrev" ? "si_status=SIGKILL" : style == "raw" ? "si_status=9," : "si_status=9 /* SIGKILL */") })
        #expect(signalLines(ourOut, keepingSeconds: true).map(shape) == expected)
    }

    @Test("signal lines as strace's: SI_TKILL, SI_QUEUE with si_int/si_ptr, CLD_EXITED, SIGPIPE, SI_KERNEL, SEGV_MAPERR, SYS_SECCOMP, killed by", arguments: [
        [Support.fixture, "signals"], [Support.fixture, "signal", "11"], ["sh", "-c", "sleep 0 & wait; kill -USR1 $$"],
        [Support.fixture, "sigsys"],
    ])
    func signals(command: [String]) {
        let straceOut = Support.newPath("strace"), ourOut = Support.newPath("ipcwatch")
        let strace = Support.run(["strace", "-f", "-e", "trace=none", "-o", straceOut] + command)
        let ours = Support.run([Support.ipcwatch, "-e", "none", "-o", ourOut, "--"] + command)
        #expect(ours.status == strace.status && ours.signaled == strace.signaled)
        let expected = signalLines(straceOut)
        #expect(expected.count >= 2)
        // A core may or may not be dumped in either run (the core limit is ours and strace's alike).
        #expect(signalLines(ourOut).map { $0.replacing(" (core dumped)", with: "") } == expected.map { $0.replacing(" (core dumped)", with: "") })
    }

    @Test("-e signal= filters as strace's: names with or without SIG, numbers, !, none", arguments: [
        "signal=none", "signal=!SIGUSR1", "signal=usr1,13", "signal=!all", "s=SIGRT_3", "signals=SIGRTMIN+1,chld",
    ])
    func signalFilter(expression: String) {
        let straceOut = Support.newPath("strace"), ourOut = Support.newPath("ipcwatch")
        // strace has no SIGRTMIN+N spelling: glibc's SIGRTMIN+1 is its SIGRT_3.
        let straceExpression = expression.replacing("SIGRTMIN+1", with: "SIGRT_3")
        _ = Support.run(["strace", "-f", "-qq", "-e", "trace=none", "-e", straceExpression, "-o", straceOut, Support.fixture, "signals"])
        _ = Support.run([Support.ipcwatch, "-qq", "-e", "none", "-e", expression, "-o", ourOut, "--", Support.fixture, "signals"])
        #expect(signalLines(ourOut) == signalLines(straceOut))
    }
}

/// Flags whose effect the traced program itself reports.
@Suite("Output and environment flags")
struct OutputFlagTests {
    @Test("-o '|command' pipes the lines to sh -c command, which is not traced; ipcwatch waits for it")
    func pipeCommand() {
        let file = Support.newPath("direct"), piped = Support.newPath("piped")
        let direct = Support.run([Support.ipcwatch, "-qq", "-e", "signal=none", "-o", file, "--", Support.fixture, "forks", "2", "3"])
        let viaPipe = Support.run([Support.ipcwatch, "-qq", "-e", "signal=none", "-o", "|cat > '\(piped)'", "--",
                                   Support.fixture, "forks", "2", "3"])
        #expect(direct.status == 0 && viaPipe.status == 0, "\(viaPipe.stderr)")
        let mask = { (lines: [String]) in lines.map { $0.replacing(#/^\d+ /#, with: "") }.sorted() }
        #expect(mask(Support.textLines(piped)).count == 12, "complete when ipcwatch returns")
        #expect(mask(Support.textLines(piped)) == mask(Support.textLines(file)))
        let bang = Support.newPath("bang")
        _ = Support.run([Support.ipcwatch, "-e", "pipe2", "-o", "!cat > '\(bang)'", "--", "sh", "-c", "echo | cat"])
        #expect(Support.textLines(bang).contains { $0.contains(#/ sh pipe2\(\[3, 4\], 0\) += 0$/#) })
    }

    @Test("-E VAR=VAL sets, -E VAR removes a variable of the command's environment")
    func environment() {
        let log = Support.newLog()
        _ = Support.run([Support.ipcwatch, "-E", "IPC_FIXTURE_LOG=\(log)", "-o", "/dev/null", "--", Support.fixture, "inode"])
        #expect(Support.lines(log).first?.first == "inode", "the fixture saw the variable")
        let removed = Support.run([Support.ipcwatch, "-E", "HOME", "-o", "/dev/null", "--", "sh", "-c", "echo ${HOME-unset}"],
                                  environment: ["HOME": "/somewhere"])
        #expect(removed.stdout == "unset\n")
    }

    @Test("-z -Z: strace's warning, and the last one counts; -e trace= twice: the last one counts")
    func lastOneCounts() {
        let straceOut = Support.newPath("strace"), ourOut = Support.newPath("ipcwatch")
        let strace = Support.run(["strace", "-qq", "-z", "-Z", "-e", "trace=msgget", "-e", "trace=msgctl", "-o", straceOut,
                                  Support.fixture, "everything"])
        let ours = Support.run([Support.ipcwatch, "-qq", "-e", "signal=none", "-z", "-Z", "-e", "trace=msgget", "-e", "trace=msgctl",
                                "-o", ourOut, "--", Support.fixture, "everything"])
        #expect(ours.status == 0 && strace.status == 0)
        #expect(ours.stderr.replacing("ipcwatch: ", with: "") == strace.stderr.replacing("strace: ", with: ""))
        // Failed msgctl calls only, the same ones (ids and stack addresses differ between the runs).
        func calls(_ path: String, dropping prefix: Int) -> [String] {
            Support.textLines(path).map {
                String($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst(prefix).joined(separator: " "))
                    .replacing(/0x7f[0-9a-f]+/, with: "ADDR").replacing(/\b\d{4,}\b/, with: "ID")
            }
        }
        let expected = calls(straceOut, dropping: 0)
        #expect(!expected.isEmpty && expected.allSatisfy { $0.hasPrefix("msgctl(") && $0.contains(" = -1 ") })
        #expect(calls(ourOut, dropping: 2) == expected)
    }

    @Test("an output file that cannot be opened: strace's words and status")
    func unopenableOutput() {
        let strace = Support.run(["strace", "-o", "/nonexistent/dir/x", "true"])
        let ours = Support.run([Support.ipcwatch, "-o", "/nonexistent/dir/x", "true"])
        #expect(strace.stderr == "strace: Can't fopen '/nonexistent/dir/x': No such file or directory\n")
        #expect(ours.stderr.replacing("ipcwatch: ", with: "strace: ") == strace.stderr && ours.status == strace.status)
    }

    @Test("-S orders the -c table as strace's: calls, name, errors")
    func sortBy() {
        func rows(_ key: String) -> [String] {
            let result = Support.run([Support.ipcwatch, "-c", "-S", key, "--", Support.fixture, "flags"])
            return result.stderr.split(separator: "\n").dropFirst(2).prefix { !$0.hasPrefix("---") }.map { String($0.split(separator: " ").last!) }
        }
        let byName = rows("name")
        #expect(byName == byName.sorted() && byName.count > 3)
        let callsTable = Support.run([Support.ipcwatch, "-c", "-S", "calls", "--", Support.fixture, "flags"]).stderr
        let counts = callsTable.split(separator: "\n").dropFirst(2).prefix { !$0.hasPrefix("---") }.map { Int($0.split(separator: " ")[3])! }
        #expect(counts == counts.sorted(by: >))
    }

    @Test("-p: SIGINT, SIGTERM and SIGHUP detach, and the tracer dies of that signal, as strace does",
          arguments: [SIGINT, SIGTERM, SIGHUP])
    func detachStatus(_ signal: Int32) throws {
        let target = try Child([try #require(Tools.path(of: "sleep")), "300"])
        defer { kill(target.pid, SIGKILL); _ = target.wait() }
        func detach(_ tracer: String) throws -> (Int32, Bool) {
            let child = try Child([tracer, "-o", "/dev/null", "-p", String(target.pid)], foregroundJob: true)
            // As a shell starts it (this runner blocks SIGINT). "Process N attached" comes once every thread
            // is seized: then the signal means detach.
            #expect(child.readErrorLine()?.hasSuffix("Process \(target.pid) attached") == true)
            kill(child.pid, signal)
            return child.wait()
        }
        let strace = try detach(try #require(Tools.path(of: "strace")))
        #expect(strace == (signal, true), "strace 6 dies of the signal")
        #expect(try detach(Support.ipcwatch) == strace)
        #expect(Proc.state(of: target.pid).tracer == "0" && kill(target.pid, 0) == 0, "the target runs on, untraced")
    }

    @Test("SIGINT sent to ipcwatch alone reaches the command, which runs its handler; ipcwatch exits as it did")
    func interruptForwarded() throws {
        let output = Support.newPath("int")
        let tracer = try Child([Support.ipcwatch, "-e", "pipe2", "-o", output, "--", "sh", "-c",
                                "trap 'echo | cat; exit 7' INT; echo ready; while :; do sleep 0.05; done"])
        #expect(tracer.readLine(within: .seconds(30)) == "ready")
        kill(tracer.pid, SIGINT)
        #expect(tracer.wait() == (7, false))
        #expect(Support.textLines(output).contains { $0.contains("--- SIGINT {si_signo=SIGINT, si_code=SI_USER") })
        #expect(Support.textLines(output).contains { $0.contains(#/ sh pipe2\(\[3, 4\], 0\) += 0$/#) }, "the handler's pipe is traced")
    }
}
