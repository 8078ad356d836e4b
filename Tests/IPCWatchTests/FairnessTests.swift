import Foundation
import IPCWatchTestSupport
import Testing

/// Every traced thread that is ready is served in turn (strace's rule), in launch and attach mode. The
/// kernel reports the newest tracee first: a tracer that serves whichever stop `waitpid` returns let ten
/// busy threads keep an older one from running for seconds (or for ever), and kept a process that called
/// `exit()` alive. Each test reads what the program itself counted.
@Suite("Fairness: every ready tracee in turn")
struct FairnessTests {
    @Test("a worker created before 10 busy threads finishes its 200 calls while they make a like number")
    func olderThreadIsServed() {
        let log = Support.newLog()
        let calls = 200
        let result = Support.run([Support.ipcwatch, "-o", "/dev/null", "--", Support.fixture, "starve", "10", String(calls)],
                                 environment: ["IPC_FIXTURE_LOG": log], deadline: .seconds(120))
        #expect(result.status == 0 && !result.timedOut, "\(result)")
        let worker = Support.lines(log).first { $0.first == "worker" }
        #expect(worker?[3] == String(calls), "the worker's own log: \(Support.lines(log))")
        // Served in turn, a busy thread makes about as many calls as the worker; served as waitpid reports
        // them, tens of thousands each (13 s of them, measured) before the worker's 200th.
        let most = worker.flatMap { Int($0[5]) } ?? .max
        #expect(most <= 10 * calls, "the busiest thread made \(most) calls while the worker made \(calls)")
    }

    @Test("100 threads over 3 seconds: each completes calls in every second")
    func everyThreadEverySecond() {
        let log = Support.newLog()
        let result = Support.run([Support.ipcwatch, "-o", "/dev/null", "--", Support.fixture, "progress", "100", "3"],
                                 environment: ["IPC_FIXTURE_LOG": log], deadline: .seconds(120))
        #expect(result.status == 0 && !result.timedOut, "\(result)")
        let threads = Support.lines(log).filter { $0.first == "progress" }
        #expect(threads.count == 100)
        let idle = threads.filter { $0.dropFirst(3).contains("0") }
        #expect(idle.isEmpty, "threads with a second without a call (pid tid per-second counts): \(idle.prefix(5))")
    }

    /// Ends are collected a round at a time: a thread's stale event (its clone, say) may be handled after its
    /// process was reaped in the same round. That must not make the trace forget the process before its
    /// status is handled (ipcwatch exited 0 for a program that exited 7).
    @Test("a process that exits 7 while threads are being created: ipcwatch exits 7, every time")
    func exitWhileCloning() {
        for _ in 0..<10 {
            let result = Support.run([Support.ipcwatch, "-qq", "-o", "/dev/null", "--", Support.fixture, "exitcloning", "200"])
            #expect(result.status == 7 && !result.signaled, "\(result)")
        }
    }

    @Test("attach mode: a 50-thread process that exits 5 ms after the attach exits, and so does ipcwatch")
    func attachedProcessExits() throws {
        for _ in 0..<3 {
            let target = try Child([Support.fixture, "exitsoon", "50"])
            let pid = try #require(target.readLine().flatMap { Int32($0) })
            let tracer = try Child([Support.ipcwatch, "-o", "/dev/null", "-p", String(pid)])
            #expect(tracer.readErrorLine() == "ipcwatch: Process \(pid) attached")
            target.write("go\n")
            #expect(Support.exits(pid, within: 20), "the traced process is still alive 20 s after its exit()")
            #expect(target.wait() == (0, false))
            #expect(tracer.wait() == (0, false))
        }
    }

    /// ipcwatch waits differently (it polls for a stop before it sleeps), never by moving the program: what
    /// the program sees of its CPUs (`nproc`, `os.sched_getaffinity`, `make -j$(nproc)`) is what it would see
    /// untraced. Only --same-cpu restricts it, as its help says.
    @Test("the command's CPU set is its own; --same-cpu pins it to one CPU, as the help says")
    func cpuSetUntouched() {
        let command = ["grep", "Cpus_allowed_list", "/proc/self/status"]
        let untraced = Support.run(command)
        let traced = Support.run([Support.ipcwatch, "-qq", "-o", "/dev/null", "--"] + command)
        #expect(untraced.status == 0 && traced.status == 0)
        #expect(traced.stdout == untraced.stdout, "traced \(traced.stdout), untraced \(untraced.stdout)")
        let pinned = Support.run([Support.ipcwatch, "-qq", "--same-cpu", "-o", "/dev/null", "--"] + command)
        let cpus = pinned.stdout.split(separator: "\t").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        #expect(pinned.status == 0 && Int(cpus) != nil, "--same-cpu: one CPU, \(pinned.stdout)")
        let help = Support.run([Support.ipcwatch, "--help"]).stdout
        #expect(help.contains("sees that one CPU only"))
    }
}
