import Foundation
import IPCWatchTestSupport
import Testing

/// Real programs, each checked against what it says about itself.
@Suite("Real programs")
struct RealProgramTests {
    @Test("a shell pipeline: the shell's pipe2, the pipeline still works")
    func shellPipeline() {
        let (result, events) = Support.trace(["sh", "-c", "echo hello | cat"])
        #expect(result.status == 0)
        #expect(result.stdout == "hello\n")
        let pipes = events.filter { $0.eventName == "pipe2" || $0.eventName == "pipe" }
        #expect(pipes.count == 1)
        #expect(pipes.first?.pipefd == [3, 4], "a fresh sh gets fds 3 and 4: nothing leaked from the tracer")
        #expect(pipes.first?["processName"] as? String == "sh")
    }

    @Test("python's os.pipe() is reported with the fds python got")
    func python() throws {
        let script = "import os; r, w = os.pipe(); print(os.getpid(), r, w)"
        let (result, events) = Support.trace(["python3", "-c", script])
        try #require(result.status == 0, "\(result.stderr)")
        let said = result.stdout.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        try #require(said.count == 3)
        // Only python's own call: a launcher script (pyenv's shim is bash) may exec python in the same pid.
        let match = events.filter {
            $0.pid == said[0] && $0.pipefd == [said[1], said[2]] && ($0["processName"] as? String ?? "").hasPrefix("python")
        }
        #expect(match.count == 1, "\(events)")
        #expect(match.first?.argument("flags") as? Int == 0o2000000, "os.pipe() uses pipe2(O_CLOEXEC)")
    }

    @Test("ipcmk and ipcrm: the queue id they print is the one msgget returned",
          .enabled(if: Condition.hasIpcmk, "ipcmk or ipcrm (util-linux) is not installed"))
    func ipcmk() throws {
        let (created, createEvents) = Support.trace(["ipcmk", "-Q"])
        try #require(created.status == 0, "\(created.stderr)")
        let id = try #require(created.stdout.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        #expect(createEvents.filter { $0.eventName == "msgget" }.map(\.returnValue) == [id])

        let (removed, removeEvents) = Support.trace(["ipcrm", "-q", String(id)])
        #expect(removed.status == 0)
        let rmid = removeEvents.filter { $0.eventName == "msgctl" && $0.argument("msqid") as? Int == id }
        #expect(rmid.count == 1 && rmid.first?.argument("cmd") as? Int == 0 && rmid.first?.returnValue == 0)
    }
}
