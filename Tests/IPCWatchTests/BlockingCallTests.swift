import Foundation
import IPCWatchTestSupport
import Testing

/// A call that blocks is printed at its entry, as strace prints every call: visible while the program
/// waits in it, and split as strace splits it when another thread's line comes first
/// (`msgrcv(ID,  <unfinished ...>` … `<... msgrcv resumed>…`). Each test runs strace 6 on the same fixture
/// and compares the lines.
@Suite("Calls printed while they block, as strace's", .enabled(if: Condition.hasStrace, "strace is not installed"))
struct BlockingCallTests {
    private static let strace = [Tools.path(of: "strace") ?? "strace", "-f"]
    private static let events = "trace=msgrcv,msgsnd,pipe2"

    /// The lines of a trace without `PID[/TID] COMM ` (ipcwatch) or `PID ` (strace -f), ids masked; the last one
    /// as it is, with or without its newline.
    private static func normalize(_ text: String, queue: Int32, ours: Bool) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var body = String(line.drop { $0 != " " }.drop { $0 == " " })
            // ipcwatch names the program after the pid on call lines.
            if ours && !body.hasPrefix("+++") && !body.hasPrefix("---") { body = String(body.drop { $0 != " " }.dropFirst()) }
            // strace pads results to column 40 (-a), ipcwatch does not.
            return body.replacing(#/\s+= /#, with: " = ").replacing("(\(queue),", with: "(ID,")
        }
    }

    private static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// `tracer` on `ipc_fixture msgwait`: the output while the call blocks (read once it shows the call's
    /// entry), and after the program was killed in it.
    private func blockedThenKilled(_ tracer: [String]) throws -> (blocking: [String], end: [String]) {
        let output = Support.newPath("blocking")
        let child = try Child(tracer + ["-e", Self.events, "-o", output, Support.fixture, "msgwait"])
        let fields = try #require(child.readLine()?.split(separator: " ").compactMap { Int32($0) })
        try #require(fields.count == 2)
        let (pid, queue) = (fields[0], fields[1])
        defer { _ = msgctl(queue, IPC_RMID, nil) }
        let ours = tracer[0] == Support.ipcwatch
        try waitUntil(message: "\(tracer[0]) writes the call's entry: \(Self.read(output).debugDescription)") {
            Self.normalize(Self.read(output), queue: queue, ours: ours).last == "msgrcv(ID, "
        }
        let blocking = Self.normalize(Self.read(output), queue: queue, ours: ours)
        kill(pid, SIGKILL)
        _ = child.wait()
        return (blocking, Self.normalize(Self.read(output), queue: queue, ours: ours))
    }

    @Test("a program blocked in msgrcv shows the call while it waits; killed, the line ends `<unfinished ...>) = ?`")
    func visibleWhileBlocked() throws {
        let strace = try blockedThenKilled(Self.strace)
        let ours = try blockedThenKilled([Support.ipcwatch])
        #expect(strace.blocking == ["msgrcv(ID, "], "strace: \(strace.blocking)")
        #expect(ours.blocking == strace.blocking)
        #expect(strace.end == ["msgrcv(ID,  <unfinished ...>) = ?", "+++ killed by SIGKILL +++", ""], "strace: \(strace.end)")
        #expect(ours.end == strace.end)
    }

    /// `tracer` on `ipc_fixture blockedthread [exit]`: its lines, and the queue's id.
    private func blockedThread(_ tracer: [String], _ mode: [String]) throws -> [String] {
        let output = Support.newPath("blockedthread")
        let result = Support.run(tracer + ["-e", Self.events, "-o", output, Support.fixture, "blockedthread"] + mode)
        let queue = try #require(Int32(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(result)")
        _ = msgctl(queue, IPC_RMID, nil)  // left behind by "exit"
        return Self.normalize(Self.read(output), queue: queue, ours: tracer[0] == Support.ipcwatch)
    }

    /// Whether `lines` hold `order`, in that order (other lines between them).
    private static func holds(_ lines: [String], inOrder order: [String]) -> Bool {
        var rest = lines[...]
        for wanted in order {
            guard let found = rest.firstIndex(of: wanted) else { return false }
            rest = rest[(found + 1)...]
        }
        return true
    }

    @Test("another thread's line splits the blocked call's line: `<unfinished ...>`, then `<... msgrcv resumed>`")
    func splitByAnotherThread() throws {
        let order = ["msgrcv(ID,  <unfinished ...>", "pipe2([3, 4], 0) = 0",
                     #"<... msgrcv resumed>{mtype=1, mtext="hi\0\0\0\0\0\0"}, 8, 0, 0) = 3"#]
        let strace = try blockedThread(Self.strace, [])
        let ours = try blockedThread([Support.ipcwatch], [])
        #expect(Self.holds(strace, inOrder: order), "strace: \(strace)")
        #expect(Self.holds(ours, inOrder: order), "ipcwatch: \(ours)")
        // The sender's line: whole, or split in the same way (strace splits it when the receiver's end comes first).
        let send = #"msgsnd(ID, {mtype=1, mtext="hi\0"}, 3, 0"#
        #expect(ours.contains(send + ") = 0") || Self.holds(ours, inOrder: [send + " <unfinished ...>", "<... msgsnd resumed>) = 0"]),
                "\(ours)")
    }

    @Test("a thread killed in its split call: `<... msgrcv resumed> <unfinished ...>) = ?`")
    func killedAfterSplit() throws {
        let order = ["msgrcv(ID,  <unfinished ...>", "pipe2([3, 4], 0) = 0", "<... msgrcv resumed> <unfinished ...>) = ?"]
        let strace = try blockedThread(Self.strace, ["exit"])
        let ours = try blockedThread([Support.ipcwatch], ["exit"])
        #expect(Self.holds(strace, inOrder: order), "strace: \(strace)")
        #expect(Self.holds(ours, inOrder: order), "ipcwatch: \(ours)")
    }

    @Test("another thread's exec ends the leader's blocked call as strace does: `<unfinished ...>) = ?`, `+++ superseded by execve in pid TID +++`, then the new program's lines")
    func execEndsBlockedCall() throws {
        var outputs: [[String]] = [], ends: [[String]] = []
        for tracer in [Self.strace, [Support.ipcwatch]] {
            let output = Support.newPath("blockedexec")
            let result = Support.run(tracer + ["-e", "trace=msgrcv,pipe2", "-o", output, Support.fixture, "blockedexec"])
            let queue = try #require(Int32(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(result)")
            _ = msgctl(queue, IPC_RMID, nil)
            let text = Self.read(output)
            // On the leader's pid, naming the thread that exec'd (another id, gone since).
            let leader = try #require(text.firstMatch(of: #/^(\d+) /#)?.output.1)
            let superseded = text.matches(of: #/(?m)^(\d+) +\+\+\+ superseded by execve in pid (\d+) \+\+\+$/#)
            #expect(superseded.count == 1 && superseded.allSatisfy { $0.output.1 == leader && $0.output.2 != leader }, "\(text)")
            // The calls (pipe2 may come split) and the lines in order, strace's own messages and the left-behind aside.
            let lines = Self.normalize(text, queue: queue, ours: tracer[0] == Support.ipcwatch)
                .filter { !$0.hasPrefix("+++ left behind") && !$0.isEmpty }
                .map { $0.replacing(#/in pid \d+ \+\+\+/#, with: "in pid TID +++") }
            outputs.append(StraceOracleTests.normalize(strace: lines.map { "1 " + $0 }.joined(separator: "\n")))
            ends.append(lines.filter { $0.hasPrefix("+++") || $0.hasSuffix("= ?") })
        }
        #expect(outputs[0] == ["msgrcv(ID,  <unfinished ...>) = ?", "pipe2([3, 4], O_CLOEXEC) = 0"], "strace: \(outputs[0])")
        #expect(outputs[1] == outputs[0])
        #expect(ends[0] == ["msgrcv(ID,  <unfinished ...>) = ?", "+++ superseded by execve in pid TID +++", "+++ exited with 0 +++"],
                "strace: \(ends[0])")
        #expect(ends[1] == ends[0])
    }

    @Test("-qqq and -e quiet=thread-execve (or superseded) leave out the superseded line, as strace; -qq keeps it")
    func supersededQuiet() throws {
        for (options, shown) in [(["-qq"], true), (["-qqq"], false), (["-e", "quiet=thread-execve"], false), (["-e", "quiet=superseded"], false)] {
            for tracer in [Self.strace, [Support.ipcwatch]] {
                let output = Support.newPath("threadexec")
                let result = Support.run(tracer + options + ["-e", "trace=pipe2", "-o", output, Support.fixture, "threadexec"])
                #expect(result.status == 4, "\(tracer[0]) \(options): \(result)")
                #expect(Self.read(output).contains("+++ superseded by execve in pid ") == shown, "\(tracer[0]) \(options): \(Self.read(output))")
            }
        }
    }

    @Test("-ff: each thread's file holds its calls whole, as strace's")
    func separateFilesUnsplit() throws {
        var files: [[String]] = []
        for tracer in [Self.strace, [Support.ipcwatch, "-f"]] {
            let prefix = Support.newPath("ff")
            let result = Support.run(tracer + ["-ff", "-e", Self.events, "-o", prefix, Support.fixture, "blockedthread"])
            let queue = try #require(Int32(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(result)")
            let directory = (prefix as NSString).deletingLastPathComponent
            let name = (prefix as NSString).lastPathComponent + "."
            let paths = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(name) }
            // No pid prefix in -ff files; ipcwatch's lines still name the program.
            files.append(paths.flatMap { path in
                Self.read(directory + "/" + path).split(separator: "\n").map {
                    String($0).replacing(#/\s+= /#, with: " = ").replacing("(\(queue),", with: "(ID,").replacing(#/^ipc_fixture /#, with: "")
                }
            }.sorted())
        }
        #expect(files[0].contains(#"msgrcv(ID, {mtype=1, mtext="hi\0\0\0\0\0\0"}, 8, 0, 0) = 3"#), "strace: \(files[0])")
        #expect(files[1] == files[0])
    }
}
