#if canImport(Glibc)
import Glibc
#endif

/// A `waitpid(2)` status word, decoded as the W* macros do (Swift cannot import them).
struct WaitStatus: Sendable, Equatable {
    let rawValue: Int32

    var exited: Bool { rawValue & 0x7f == 0 }
    var exitCode: Int32 { (rawValue >> 8) & 0xff }
    var signaled: Bool { ((rawValue & 0x7f) + 1) >> 1 > 0 && !stopped }
    var terminationSignal: Int32 { rawValue & 0x7f }
    var stopped: Bool { rawValue & 0xff == 0x7f }
    /// The stop signal; `SIGTRAP | 0x80` for syscall stops under `PTRACE_O_TRACESYSGOOD`.
    var stopSignal: Int32 { (rawValue >> 8) & 0xff }
    /// The `PTRACE_EVENT_*` of an event stop, 0 otherwise.
    var ptraceEvent: Int32 { (rawValue >> 16) & 0xffff }
}

/// How a traced process ended.
public enum TerminationStatus: Sendable, Hashable {
    /// The process exited with this code (`WIFEXITED`, `WEXITSTATUS`).
    case exited(Int32)
    /// A signal killed the process (`WIFSIGNALED`, `WTERMSIG`); `coreDumped` is `WCOREDUMP`.
    case signaled(Int32, coreDumped: Bool)

    init(_ status: WaitStatus) {
        self = status.exited ? .exited(status.exitCode)
            : .signaled(status.terminationSignal, coreDumped: status.rawValue & 0x80 != 0)
    }

    /// The exit code a shell would report: the code, or 128 + signal.
    public var shellCode: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal, _): 128 + signal
        }
    }
}
