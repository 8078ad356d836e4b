import Glibc
import Testing
@testable import IPCWatch

/// `Stop` from raw `waitpid` statuses, built as the kernel builds them (`status = sig << 8 | 0x7f`, with
/// `event << 16` for ptrace events), and the event message asked only where it means something.
@Suite("Stop classification")
struct StopTests {
    /// A stopped status: the W* encoding of a stop by `signal`, with a ptrace `event`.
    static func stopped(_ signal: Int32, event: Int32 = 0) -> WaitStatus {
        WaitStatus(rawValue: event << 16 | signal << 8 | 0x7f)
    }

    /// Classifies `status`; `message` answers PTRACE_GETEVENTMSG and counts how often it is asked.
    static func classify(_ status: WaitStatus, message: UInt = 0) throws -> (Stop, asked: Int) {
        var asked = 0
        let stop = try Stop(status) { () throws(Errno) in
            asked += 1
            return message
        }
        return (stop, asked)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var status: WaitStatus
        var message: UInt = 0
        var expected: Stop
        var asksMessage = false
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "exit code 3", status: WaitStatus(rawValue: 3 << 8), expected: .ended(.exited(3))),
        Case(name: "killed by SIGKILL", status: WaitStatus(rawValue: SIGKILL), expected: .ended(.signaled(SIGKILL, coreDumped: false))),
        Case(name: "SIGSEGV with a core", status: WaitStatus(rawValue: SIGSEGV | 0x80),
             expected: .ended(.signaled(SIGSEGV, coreDumped: true))),
        Case(name: "syscall stop (TRACESYSGOOD)", status: stopped(SIGTRAP | 0x80), expected: .syscall),
        Case(name: "seccomp stop", status: stopped(SIGTRAP, event: 7), expected: .seccomp),
        Case(name: "fork", status: stopped(SIGTRAP, event: 1), message: 4321, expected: .newChild(4321), asksMessage: true),
        Case(name: "vfork", status: stopped(SIGTRAP, event: 2), message: 11, expected: .newChild(11), asksMessage: true),
        Case(name: "clone", status: stopped(SIGTRAP, event: 3), message: 12, expected: .newChild(12), asksMessage: true),
        Case(name: "exec by a non-leader thread", status: stopped(SIGTRAP, event: 4), message: 77,
             expected: .exec(formerThreadID: 77), asksMessage: true),
        Case(name: "exit event", status: stopped(SIGTRAP, event: 6), expected: .exiting),
        Case(name: "vfork done", status: stopped(SIGTRAP, event: 5), expected: .otherEvent(5)),
        Case(name: "group-stop by SIGSTOP", status: stopped(SIGSTOP, event: 0x80), expected: .groupStop(SIGSTOP)),
        Case(name: "group-stop by Ctrl-Z", status: stopped(SIGTSTP, event: 0x80), expected: .groupStop(SIGTSTP)),
        Case(name: "group-stop by SIGTTIN", status: stopped(SIGTTIN, event: 0x80), expected: .groupStop(SIGTTIN)),
        Case(name: "PTRACE_INTERRUPT / first stop", status: stopped(SIGTRAP, event: 0x80), expected: .interrupt),
        Case(name: "signal delivery", status: stopped(SIGUSR1), expected: .signalDelivery(SIGUSR1)),
        Case(name: "SIGSTOP delivery (not yet a group-stop)", status: stopped(SIGSTOP), expected: .signalDelivery(SIGSTOP)),
    ]

    @Test("each status means one stop; the event message is asked for fork and exec only", arguments: cases)
    func classification(_ c: Case) throws {
        let (stop, asked) = try Self.classify(c.status, message: c.message)
        #expect(stop == c.expected)
        #expect(asked == (c.asksMessage ? 1 : 0))
    }

    @Test("a detached tracee gets back the signal it was stopped for, and only that")
    func pendingSignal() throws {
        #expect(try Self.classify(Self.stopped(SIGUSR2)).0.pendingSignal == SIGUSR2)
        #expect(try Self.classify(Self.stopped(SIGTRAP | 0x80)).0.pendingSignal == 0, "a syscall stop is not a signal")
        #expect(try Self.classify(Self.stopped(SIGSTOP, event: 0x80)).0.pendingSignal == 0, "nor is a group-stop")
        #expect(try Self.classify(Self.stopped(SIGTRAP, event: 7)).0.pendingSignal == 0, "nor a seccomp stop")
    }

    @Test("a tracee gone before its event message is read (ESRCH) throws")
    func vanished() {
        #expect(throws: Errno.noSuchProcess) {
            _ = try Stop(Self.stopped(SIGTRAP, event: 1)) { () throws(Errno) in throw .noSuchProcess }
        }
    }
}
