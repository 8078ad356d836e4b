import Foundation
import IPCWatchTestSupport
import Testing

/// A call in progress when the trace loses its thread, printed as strace 6 prints it, strace run on the
/// same fixture: `msgrcv(ID,  <unfinished ...>) = ?` before `+++ killed by SIGKILL +++` when the thread
/// is killed in it, `msgrcv(ID,  <detached ...>` when the tracer detaches from it.
@Suite("Calls that never return, as strace prints them", .enabled(if: Condition.hasStrace, "strace is not installed"))
struct UnfinishedCallTests {
    /// A fixture mode that blocks for ever in one call, the call's x86_64 number, and how to remove its object.
    struct Blocker: Sendable, CustomTestStringConvertible {
        let mode: String
        let syscall: String
        let remove: @Sendable (Int32) -> Void
        var testDescription: String { mode }
    }

    static let blockers = [
        Blocker(mode: "msgwait", syscall: "70") { _ = msgctl($0, IPC_RMID, nil) },
        Blocker(mode: "semwait", syscall: "65") { _ = Support.run(["ipcrm", "-s", String($0)]) },
    ]

    /// `PID [COMM] call = ret` → `call = ret` with the fixture's IPC id as `ID`; exit lines kept.
    private static func normalize(_ text: String, id: Int32, ours: Bool) -> [String] {
        text.split(separator: "\n").map { line in
            // strace -f pads pids under 5 digits (`%-5d `).
            var body = String(line.drop { $0 != " " }.drop { $0 == " " })
            if ours && !body.hasPrefix("+++") { body = String(body.drop { $0 != " " }.dropFirst()) }
            return body.replacing(#/\s+= /#, with: " = ").replacing("(\(id),", with: "(ID,").replacing("= \(id)", with: "= ID")
                .replacing(" \(id), ", with: " ID, ")
        }
    }

    /// Blocked in `syscall`, the tracer's entry stop behind it: sleeping (not in a ptrace stop), traced.
    private static func blocked(_ pid: pid_t, in syscall: String, switchesAbove floor: Int = -1) -> Bool {
        Proc.blockedSyscall(pid) == syscall && Proc.state(of: pid).state == "S" && Proc.state(of: pid).tracer != "0"
            && switches(pid) > floor
    }

    private static func switches(_ pid: pid_t) -> Int {
        Int(Proc.status("voluntary_ctxt_switches", of: pid)?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
    }

    /// Launches the fixture under `tracer`, kills it with SIGKILL once it blocks: the tracer's lines and status.
    private func killedInCall(_ blocker: Blocker, tracer: [String]) throws -> (lines: [String], status: (Int32, Bool)) {
        let output = Support.newPath("unfinished")
        let child = try Child(tracer + ["-o", output, Support.fixture, blocker.mode])
        let fields = try #require(child.readLine()?.split(separator: " ").compactMap { Int32($0) })
        try #require(fields.count == 2)
        let (pid, id) = (fields[0], fields[1])
        defer { blocker.remove(id) }
        try waitUntil(message: "\(pid) blocked in \(blocker.syscall): \(Proc.blockedSyscall(pid)) \(Proc.state(of: pid))") {
            Self.blocked(pid, in: blocker.syscall)
        }
        kill(pid, SIGKILL)
        let status = child.wait()
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return (Self.normalize(text, id: id, ours: tracer[0] == Support.ipcwatch), status)
    }

    @Test("launched, killed in the call: `<unfinished ...>) = ?`, then `+++ killed by SIGKILL +++`",
          arguments: blockers)
    func killed(_ blocker: Blocker) throws {
        let strace = try killedInCall(blocker, tracer: [Tools.path(of: "strace")!, "-f", "-e", "trace=%ipc"])
        let ours = try killedInCall(blocker, tracer: [Support.ipcwatch])
        #expect(strace.lines.count == 3 && strace.lines[1].hasSuffix(") = ?"), "\(strace.lines)")
        // Killed, it leaves its object behind, which ipcwatch says last (strace has no such line).
        #expect(ours.lines.last?.hasPrefix("+++ left behind: ") == true && ours.lines.last?.contains(" ID, IPC_PRIVATE, ") == true,
                "\(ours.lines)")
        #expect(ours.lines.filter { !$0.hasPrefix("+++ left behind: ") } == strace.lines)
        #expect(ours.status == strace.status)
    }

    /// Attaches `tracer` to a fixture blocked in its call, interrupts the tracer once the call was
    /// re-entered under it (the attach restarts it): the tracer's lines.
    private func detachedFromCall(_ blocker: Blocker, tracer: [String]) throws -> [String] {
        let target = try Child([Support.fixture, blocker.mode])
        let fields = try #require(target.readLine()?.split(separator: " ").compactMap { Int32($0) })
        try #require(fields.count == 2)
        let (pid, id) = (fields[0], fields[1])
        defer {
            kill(pid, SIGKILL)
            _ = target.wait()
            blocker.remove(id)
        }
        try waitUntil(message: "\(pid) blocked untraced") { Proc.blockedSyscall(pid) == blocker.syscall && Proc.state(of: pid).state == "S" }
        let before = Self.switches(pid)
        let output = Support.newPath("detached")
        let child = try Child(tracer + ["-o", output, "-p", String(pid)], foregroundJob: true)
        // The attach's interrupt stop, then the restarted call's entry stop: two more switches, asleep again.
        try waitUntil(message: "\(pid) back in \(blocker.syscall) under the tracer") {
            Self.blocked(pid, in: blocker.syscall, switchesAbove: before + 1)
        }
        kill(child.pid, SIGINT)
        // Only the lines are compared: strace re-raises SIGINT, ipcwatch exits 0 (AttachTests).
        _ = child.wait()
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return Self.normalize(text.hasSuffix("\n") ? text : text + "\n", id: id, ours: tracer[0] == Support.ipcwatch)
    }

    @Test("attached, detached in the call: `<detached ...>`", arguments: blockers)
    func detached(_ blocker: Blocker) throws {
        // strace -p without -f prints no pid: the same layout as ours after the pid is dropped.
        let strace = try detachedFromCall(blocker, tracer: [Tools.path(of: "strace")!, "-f", "-e", "trace=%ipc"])
        let ours = try detachedFromCall(blocker, tracer: [Support.ipcwatch])
        #expect(strace.count == 1 && strace.first?.hasSuffix(" <detached ...>") == true, "\(strace)")
        #expect(ours == strace)
    }

    @Test("-e status=unfinished / detached select them; -e status=successful leaves them out; JSON has none")
    func selection() throws {
        let blocker = Self.blockers[0]
        // -qq leaves `+++ killed by SIGKILL +++` (strace 6 does too; status= selects calls): the calls are the rest.
        // What the killed fixture left behind is no call either.
        let calls = { (lines: [String]) in lines.filter { !$0.hasPrefix("+++ killed by") && !$0.hasPrefix("+++ left behind: ") } }
        let only = try calls(killedInCall(blocker, tracer: [Support.ipcwatch, "-qq", "-e", "status=unfinished"]).lines)
        #expect(only.count == 1 && only[0].hasSuffix("<unfinished ...>) = ?"), "\(only)")
        let none = try calls(killedInCall(blocker, tracer: [Support.ipcwatch, "-qq", "-e", "status=successful"]).lines)
        #expect(none.count == 1 && none[0].hasPrefix("msgget("), "\(none)")
        let detachedOnly = try calls(killedInCall(blocker, tracer: [Support.ipcwatch, "-qq", "-e", "status=detached"]).lines)
        #expect(detachedOnly.isEmpty, "\(detachedOnly)")
        let json = try killedInCall(blocker, tracer: [Support.ipcwatch, "-j"])
        #expect(json.lines.count == 1, "only msgget: \(json.lines)")
    }
}
