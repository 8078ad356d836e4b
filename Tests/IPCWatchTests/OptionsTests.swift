import Foundation
@testable import IPCWatch
import IPCWatchTestSupport
import Testing

/// -y, -c/-C, -t, -q: each checked on real runs against the fixture's own account.
@Suite("Output options")
struct OptionsTests {
    /// Runs ipcwatch with text output to a file; returns the exit status and the lines.
    private func text(_ options: [String], _ command: [String], environment: [String: String] = [:]) -> (Int32, [String]) {
        let output = Support.newPath("text")
        let result = Support.run([Support.ipcwatch, "-o", output] + options + ["--"] + command, executable: "/usr/bin/env",
                                 environment: environment)
        return (result.status, Support.textLines(output))
    }

    @Test("-y and the JSON pipeInodes name the inode the program itself sees with fstat")
    func pipeInodes() throws {
        let log = Support.newLog()
        let (status, lines) = text(["-y"], [Support.fixture, "inode"], environment: ["IPC_FIXTURE_LOG": log])
        #expect(status == 0)
        let logged = try #require(Support.lines(log).first { $0.first == "inode" })
        let (r, w, inode) = (logged[3], logged[4], logged[5])
        #expect(lines.contains { $0.hasSuffix("pipe2([\(r)<pipe:[\(inode)]>, \(w)<pipe:[\(inode)]>], 0) = 0") }, "\(lines)")

        let jsonLog = Support.newLog()
        let (_, events) = Support.trace([Support.fixture, "inode"], environment: ["IPC_FIXTURE_LOG": jsonLog])
        let jsonLogged = try #require(Support.lines(jsonLog).first)
        let event = try #require(events.first { $0.eventName == "pipe2" })
        #expect(event["pipeInodes"] as? [Int] == [Int(jsonLogged[5])!, Int(jsonLogged[5])!])
    }

    @Test("-c prints only the summary; -C events and the summary; counts match the calls made")
    func summary() throws {
        let (status, only) = text(["-c"], [Support.fixture, "forks", "2", "5"])
        #expect(status == 0)
        #expect(only.first == "% time     seconds  usecs/call     calls    errors processes syscall")
        #expect(!only.contains { $0.contains("pipe2([") }, "no event lines with -c")
        // 2 processes x 5 x (pipe + pipe2): 10 pipe and 10 pipe2 calls, 2 processes each.
        let rows = only.filter { $0.hasSuffix(" pipe") || $0.hasSuffix(" pipe2") || $0.hasSuffix(" total") }
            .map { $0.split(separator: " ") }
        #expect(rows.count == 3)
        for row in rows {
            let expected = row.last == "total" ? ["20", "2"] : ["10", "2"]
            #expect(Array(row[3...4].map(String.init)) == expected, "\(row)")
        }
        let (_, both) = text(["-C", "-q"], [Support.fixture, "forks", "2", "5"])
        #expect(both.filter { $0.contains("pipe2([") }.count == 10)
        #expect(both.contains { $0.hasPrefix("% time") })
    }

    @Test("-t, -tt and -ttt put the time after the pid, as strace's [pid N] 18:49:39.495558", arguments: [
        ("-t", #"^\d+ \d\d:\d\d:\d\d "#), ("-tt", #"^\d+ \d\d:\d\d:\d\d\.\d{6} "#), ("-ttt", #"^\d+ \d{10}\.\d{6} "#),
    ])
    func timestamps(flag: String, patternSource: String) throws {
        let pattern = try Regex(patternSource)
        let (status, lines) = text([flag, "-q"], [Support.fixture, "exit", "0"])
        #expect(status == 0)
        #expect(lines.count == 3 && lines.allSatisfy { $0.firstMatch(of: pattern) != nil }, "\(lines)")
    }

    @Test("exit lines like strace's unless -qq (strace's -q keeps them)")
    func exitLines() {
        let (_, lines) = text([], [Support.fixture, "signal", String(SIGSEGV)])
        #expect(lines.last?.firstMatch(of: #/^\d+ \+\+\+ killed by SIGSEGV( \(core dumped\))? \+\+\+$/#) != nil, "\(lines)")
        let (_, exited) = text([], [Support.fixture, "exit", "3"])
        #expect(exited.last?.firstMatch(of: #/^\d+ \+\+\+ exited with 3 \+\+\+$/#) != nil, "\(exited)")
        let (_, quiet) = text(["-qq"], [Support.fixture, "exit", "3"])
        #expect(!quiet.contains { $0.contains("+++") } && quiet.count == 2)
    }

    @Test("summary table arithmetic")
    func summaryTable() {
        var summary = Summary()
        func event(_ call: Call, pid: Int32, ns: UInt64, ok: Bool = true) -> Event {
            Event(timestamp: 0, processID: pid, threadID: pid, parentProcessID: 1, userID: 0, processName: "p",
                  architecture: .x86_64, call: call, multiplexed: nil,
                  result: ok ? .success(0) : .failure(Errno(rawValue: EINVAL)), duration: ns)
        }
        summary.add(event(.pipe(.fds(read: 3, write: 4)), pid: 10, ns: 30_000))
        summary.add(event(.pipe(.fds(read: 3, write: 4)), pid: 11, ns: 30_000))
        summary.add(event(.msgget(key: 0, flags: 0), pid: 10, ns: 40_000, ok: false))
        #expect(summary.text.split(separator: "\n").map(String.init) == [
            "% time     seconds  usecs/call     calls    errors processes syscall",
            "------ ----------- ----------- --------- --------- --------- ----------------",
            " 60.00    0.000060          30         2                   2 pipe",
            " 40.00    0.000040          40         1         1         1 msgget",
            "------ ----------- ----------- --------- --------- --------- ----------------",
            "100.00    0.000100          33         3         1         2 total",
        ])
    }
}

@Suite("Event selection end to end")
struct SelectionEndToEndTests {
    @Test("-e reports exactly the selected events", arguments: [
        ("%msg", ["msgget", "msgsnd", "msgrcv", "msgctl"]),
        ("tag=ipc_msgq", ["msgget", "msgsnd", "msgrcv", "msgctl"]),
        ("shmat,shmdt", ["shmat", "shmdt"]),
        ("trace=/^sem", ["semget", "semtimedop", "semctl"]),
        ("!%msg,%shm,%pipe,%mq,%futex", ["semget", "semtimedop", "semctl"]),  // ! is all events, futexes too
    ])
    func selected(list: String, expected: [String]) {
        let (result, events) = Support.trace([Support.fixture, "sysv"], options: ["-e", list])
        #expect(result.status == 0)
        #expect(events.map(\.eventName) == expected)
    }

    @Test("strace habits work: -f is accepted (following is always on), -e trace=LIST")
    func straceSpelling() {
        let (result, events) = Support.trace([Support.fixture, "forks", "2", "1"], options: ["-f", "-e", "trace=pipe2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(events.map(\.eventName) == ["pipe2", "pipe2"])
    }

    @Test("-e on i386 ipc() calls: the subcall's name selects it in text (strace's rule), not with -j (Tracee's: it is the ipc event)")
    func multiplexed() {
        let output = Support.newPath("text")
        _ = Support.run([Support.ipcwatch, "-qq", "-e", "msgctl", "-o", output, "--", Support.fixture, "i386"])
        let lines = Support.textLines(output)
        #expect(lines.count == 2 && lines.allSatisfy { $0.contains(" msgctl(") }, "ipc(MSGCTL) and the direct msgctl: \(lines)")
        let (_, events) = Support.trace([Support.fixture, "i386"], options: ["-e", "msgctl"])
        #expect(events.map(\.eventName) == ["msgctl"] && events.first?["ipcCall"] == nil, "the direct msgctl only")
    }
}

@Suite("--same-cpu")
struct SameCPUTests {
    @Test("the command runs on the tracer's single CPU, and nothing is lost")
    func pinned() {
        let (result, _) = Support.trace(["sh", "-c", "grep Cpus_allowed_list /proc/self/status"], options: ["--same-cpu"])
        let allowed = result.stdout.split(separator: "\t").last.map { $0.filter { $0 != "\n" } } ?? ""
        #expect(Int(allowed) != nil, "one CPU, not a list or range: '\(allowed)'")

        let log = Support.newLog()
        let (traced, events) = Support.trace([Support.fixture, "threads", "3", "20"], options: ["--same-cpu"],
                                             environment: ["IPC_FIXTURE_LOG": log])
        #expect(traced.status == 0)
        #expect(events.count == 120)
        let logged = Support.lines(log).map { "\($0[1]) \($0[2]) \($0[3]) \($0[4])" }.sorted()
        #expect(events.map { "\($0.pid) \($0.tid) \($0.pipefd?[0] ?? -1) \($0.pipefd?[1] ?? -1)" }.sorted() == logged)
    }
}

@Suite("strace's output flags")
struct OutputFlagTests {
    @Test("-ff -o PREFIX: one file per traced thread, as strace makes them, each with its own lines and exit")
    func separateFiles() throws {
        let directory = try Support.newDirectory("ff")
        let command = ["sh", "-c", "echo hi | cat >/dev/null"]
        let ours = Support.run([Support.ipcwatch, "-ff", "-o", directory.appendingPathComponent("ipw").path, "--"] + command)
        let theirs = Support.run(["strace", "-ff", "-qq", "-e", "trace=pipe,pipe2", "-o", directory.appendingPathComponent("st").path] + command)
        #expect(ours.status == 0 && theirs.status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        let ipw = names.filter { $0.hasPrefix("ipw.") }, st = names.filter { $0.hasPrefix("st.") }
        #expect(ipw.count == 3 && ipw.count == st.count, "ours \(ipw), strace's \(st)")
        for name in ipw {
            let lines = Support.textLines(directory.appendingPathComponent(name).path)
            #expect(lines.last == "+++ exited with 0 +++", "\(name): \(lines)")
            #expect(Int32(name.dropFirst(4)) != nil, "PREFIX.TID")
        }
        let creators = ipw.filter { Support.textLines(directory.appendingPathComponent($0).path).contains { $0.hasPrefix("sh pipe2(") } }
        #expect(creators.count == 1, "the shell's file has its pipe2, without a pid prefix")
    }

    @Test("-r: seconds since the previous line; -T: the time in the call, as strace lays them out")
    func relativeAndDurations() {
        let result = Support.run([Support.ipcwatch, "-r", "-T", "-qq", "-e", "signal=none", "--", "sh", "-c", "echo | cat; echo | cat"])
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(result.stderr)")
        #expect(lines.first?.firstMatch(of: #/^\d+      0\.000000 /#) != nil, "the first line is 0, after the pid as strace's")
        for line in lines {
            #expect(line.wholeMatch(of: #/\d+ \s*\d+\.\d{6} sh pipe2\(\[3, 4\], 0\) += 0 <\d+\.\d{6}>/#) != nil, "\(line)")
        }
    }

    @Test("-z shows only successful calls, -Z only failed ones")
    func resultFilters() {
        let all = Support.run([Support.ipcwatch, "-qq", "-e", "signal=none", "-e", "%msg", "--", Support.fixture, "flags"]).stderr
        let successful = Support.run([Support.ipcwatch, "-qq", "-e", "signal=none", "-z", "-e", "%msg", "--", Support.fixture, "flags"]).stderr
        let failed = Support.run([Support.ipcwatch, "-qq", "-e", "signal=none", "-Z", "-e", "%msg", "--", Support.fixture, "flags"]).stderr
        let count = { (text: String) in text.split(separator: "\n").count }
        #expect(count(all) == 4 && count(successful) == 3 && count(failed) == 1, "\(all)")
        #expect(failed.contains("msgsnd(-1, NULL, 0, 0x10000000 /* MSG_??? */) = -1 EFAULT"))
    }
}
