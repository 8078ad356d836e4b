import Foundation
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
        let (result, events) = Support.trace(command, environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 0)
        let expected = Support.lines(log).map { $0.joined(separator: " ") }.sorted()
        #expect(expected.count == 4 * 8 * 2 * iterations)
        let traced = events.map { "\($0.eventName) \($0.pid) \($0.tid) \($0.pipefd?[0] ?? -1) \($0.pipefd?[1] ?? -1)" }
        #expect(traced.count == expected.count, "no event lost or duplicated (file)")
        #expect(traced.sorted() == expected, "the same (syscall, pid, tid, fds) multiset (file)")

        // The same through a pipe to a reader (this test) that takes its time parsing.
        let pipeLog = Support.newLog()
        let tracer = try Child([Support.ipcwatch, "-q", "-j", "-o", "-", "--"] + command,
                               environment: ["IPC_FIXTURE_LOG": pipeLog])
        var viaPipe: [String] = []
        while let line = tracer.readLine() {
            guard let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            viaPipe.append("\(event.eventName) \(event.pid) \(event.tid) \(event.pipefd?[0] ?? -1) \(event.pipefd?[1] ?? -1)")
        }
        #expect(tracer.wait() == (0, false))
        #expect(viaPipe.sorted() == Support.lines(pipeLog).map { $0.joined(separator: " ") }.sorted(), "(pipe)")
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
