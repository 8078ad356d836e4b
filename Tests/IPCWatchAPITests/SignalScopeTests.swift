import Foundation
import Testing

/// `Tracer.interruptAll(signal:)` ends the traces running when it is called, never a later one. Three
/// traces in one host process (`Tests/SignalProbe`), so that no other test's trace is interrupted.
@Suite("Signals belong to one trace")
struct SignalScopeTests {
    @Test("a SIGTERM during the first trace interrupts it; the second and third traces run to their end")
    func laterTracesAreNotInterrupted() throws {
        let probe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("ipcwatch-signal-probe")
        let process = Process()
        process.executableURL = probe
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // Deadline: the first trace's command would sleep 60 s if the interruption did not end it.
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        #expect(lines == ["first interrupted(15) events=0",
                          "second exited(0) events=1",    // sh's pipe2 for `echo hi | cat`
                          "third exited(0) events=1"])
        #expect(process.terminationStatus == 0)
    }
}
