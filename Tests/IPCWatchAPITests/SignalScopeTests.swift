import Foundation
import IPCWatchTestSupport
import Testing

/// `Tracer.interruptAll(signal:)` ends the traces running when it is called, never a later one. Three
/// traces in one host process (`Tests/SignalProbe`), so that no other test's trace is interrupted.
@Suite("Signals belong to one trace")
struct SignalScopeTests {
    @Test("a SIGTERM during the first trace interrupts it; the second and third traces run to their end")
    func laterTracesAreNotInterrupted() throws {
        let probe = URL(fileURLWithPath: Support.ipcwatch).deletingLastPathComponent()
            .appendingPathComponent("ipcwatch-signal-probe").path
        // The deadline: the first trace's command would sleep 60 s if the interruption did not end it.
        let result = Support.run([], executable: probe, deadline: .seconds(30))
        #expect(result.stdout.split(separator: "\n").map(String.init) == [
            "first interrupted(15) events=0",
            "second exited(0) events=1",    // sh's pipe2 for `echo hi | cat`
            "third exited(0) events=1",
        ])
        #expect(result.status == 0)
    }
}
