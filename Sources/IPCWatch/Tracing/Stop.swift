import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// What one `waitpid(2)` report of a tracee means: the only place a status word is interpreted (like
/// strace's `trace_event.h`). Each case says how the tracee is resumed from it.
enum Stop: Sendable, Equatable {
    /// `PTRACE_EVENT_SECCOMP`: the filter trapped a watched syscall at its entry (launch mode). Resumed
    /// with `PTRACE_SYSCALL`, so that the next stop is the same call's exit.
    case seccomp
    /// A syscall-entry or syscall-exit stop (`SIGTRAP | 0x80` under `PTRACE_O_TRACESYSGOOD`); which one,
    /// `PTRACE_GET_SYSCALL_INFO` says. Resumed the mode's way.
    case syscall
    /// The tracee is about to receive `signal`. Resumed delivering it unchanged.
    case signalDelivery(Int32)
    /// Group-stop (SIGSTOP, Ctrl-Z…), reported as `PTRACE_EVENT_STOP` with a stop signal. Resumed with
    /// `PTRACE_LISTEN`: it stays stopped, and its SIGCONT is still seen.
    case groupStop(Int32)
    /// `PTRACE_EVENT_STOP` otherwise: a new tracee's first stop, a `PTRACE_INTERRUPT`, a re-trap after
    /// SIGCONT. Resumed the mode's way.
    case interrupt
    /// `PTRACE_EVENT_FORK`, `VFORK` or `CLONE`: `child` is a tracee from now on. Resumed the mode's way.
    case newChild(pid_t)
    /// `PTRACE_EVENT_EXEC`: the exec succeeded. After an exec by a non-leader thread the leader's tid took
    /// over that thread, whose former tid this is (otherwise the tracee's own). Resumed the mode's way.
    case exec(formerThreadID: pid_t)
    /// `PTRACE_EVENT_EXIT`: the thread is exiting, its descriptors still open. Resumed the mode's way.
    case exiting
    /// Another `PTRACE_EVENT_*` (`VFORK_DONE`). Resumed the mode's way.
    case otherEvent(Int32)
    /// The tracee exited or was killed: nothing to resume.
    case ended(TerminationStatus)

    /// Classifies `status`; `eventMessage` (`PTRACE_GETEVENTMSG`) is asked only for fork and exec events.
    init(_ status: WaitStatus, eventMessage: () throws(Errno) -> UInt) throws(Errno) {
        guard status.stopped else {
            self = .ended(TerminationStatus(status))
            return
        }
        let signal = status.stopSignal
        if signal == SIGTRAP | 0x80 {
            self = .syscall
            return
        }
        switch status.ptraceEvent {
        case 0: self = .signalDelivery(signal)
        case Int32(IPCW_PTRACE_EVENT_SECCOMP): self = .seccomp
        case Int32(IPCW_PTRACE_EVENT_FORK), Int32(IPCW_PTRACE_EVENT_VFORK), Int32(IPCW_PTRACE_EVENT_CLONE):
            self = .newChild(pid_t(truncatingIfNeeded: try eventMessage()))
        case Int32(IPCW_PTRACE_EVENT_EXEC): self = .exec(formerThreadID: pid_t(truncatingIfNeeded: try eventMessage()))
        case Int32(IPCW_PTRACE_EVENT_EXIT): self = .exiting
        case Int32(IPCW_PTRACE_EVENT_STOP):
            self = Self.isStopSignal(signal) ? .groupStop(signal) : .interrupt
        case let event: self = .otherEvent(event)
        }
    }

    private static func isStopSignal(_ signal: Int32) -> Bool {
        signal == SIGSTOP || signal == SIGTSTP || signal == SIGTTIN || signal == SIGTTOU
    }

    /// The signal a tracee detached at this stop must be handed back, so that detaching loses nothing.
    var pendingSignal: Int32 {
        if case .signalDelivery(let signal) = self { return signal }
        return 0
    }
}
