import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Why a trace ends before its tracees do.
enum EarlyEnd: Sendable, Equatable {
    /// The session was cancelled, or its sink asked to stop.
    case cancelled
    /// ``Tracer/interruptAll(signal:)`` was called while the trace ran (a termination signal).
    case signal(Int32)
}

/// The one owner of a trace's waker: a child process of the tracer thread that only waits to be killed
/// (`ipcw_spawn_waker`). Killing it is the only way to wake that thread's blocked `waitpid` from another
/// thread or a signal handler without a handler in the host process. The waker also carries the reason it
/// was woken, in a slot of the process-wide table a signal handler can reach (`ipcw_wakers_wake_all`).
///
/// The slot is taken at `init` and held until `deinit`: whoever holds the waker may wake it at any time,
/// even after the trace ended, and the reason can never reach another trace.
final class Waker: @unchecked Sendable {
    private let slot: Int32
    // Tracer thread only.
    private var child: (pid: pid_t, pidFD: Int32, stack: UnsafeMutableRawPointer?)?
    /// The pidfd of a child already reaped: kept open until the slot is released.
    private var reapedPidFD: Int32?

    /// Takes a slot; fails when `IPCW_MAX_WAKERS` traces run at once.
    init() throws(IPCWatchError) {
        slot = ipcw_waker_slot_acquire()
        guard slot >= 0 else { throw .tooManyTraces(limit: Int(IPCW_MAX_WAKERS)) }
    }

    deinit {
        // The tracer thread has called finish(): only it can reap the child. The pidfd is closed only now,
        // after the slot stopped naming it: a wake in progress can never signal a reused descriptor number.
        ipcw_waker_slot_release(slot)
        if let pidFD = reapedPidFD { close(pidFD) }
    }

    /// Starts the waker child. Must run on the tracer thread: only its `waitpid(__WNOTHREAD)` sees the child.
    func start() throws(IPCWatchError) {
        var stack: UnsafeMutableRawPointer?
        let pid = ipcw_spawn_waker(slot, &stack)
        guard pid > 0 else { throw .cannotStart(.waker, errno: Errno(rawValue: -pid)) }
        let pidFD = ipcw_pidfd_open(pid)
        guard pidFD >= 0 else {
            let error = Errno.current
            kill(pid, SIGKILL)
            while waitpid(pid, nil, __WALL | __WNOTHREAD) < 0 && errno == EINTR {}
            ipcw_release_waker_stack(stack)
            throw .cannotStart(.waker, errno: error)
        }
        child = (pid, pidFD, stack)
        ipcw_waker_slot_set_pidfd(slot, pidFD)
    }

    /// The child's pid: a `waitpid` report from it is a wake-up, not a tracee's stop.
    var pid: pid_t { child?.pid ?? 0 }

    /// Records `reason` (the first one stands) and wakes the tracer. Any thread.
    func wake(_ reason: EarlyEnd) {
        switch reason {
        case .cancelled: ipcw_waker_wake(slot, Int32(IPCW_WAKE_CANCEL))
        case .signal(let signal): ipcw_waker_wake(slot, signal)
        }
    }

    /// Why the trace was woken, nil if it was not. An atomic load: asked at every stop.
    var reason: EarlyEnd? {
        switch ipcw_waker_reason(slot) {
        case Int32(IPCW_WAKE_NONE): nil
        case Int32(IPCW_WAKE_CANCEL): .cancelled
        case let signal: .signal(signal)
        }
    }

    /// The child stops itself at `deadline` (``Clock/monotonicNanoseconds()``; nil: never), which the
    /// tracer's `waitpid` reports as a tick (``StopQueue``). Tracer thread.
    func tick(at deadline: UInt64?) {
        ipcw_waker_set_tick(slot, deadline.map { Int64(clamping: $0) } ?? 0)
    }

    /// Continues the child after a tick (its own at a deadline, or a SIGSTOP from ``Tracer/tickAll()``).
    func continueAfterTick() {
        guard let child else { return }
        // By its pidfd: a wake may have ended and reaped the child in the same round, and its pid be reused.
        _ = ipcw_pidfd_signal(child.pidFD, SIGCONT)
    }

    /// Kills and reaps the child (the loop may have reaped it already: then waitpid says ECHILD) and frees
    /// its stack. Tracer thread, once the trace is over.
    func finish() {
        guard let child else { return }
        self.child = nil
        _ = ipcw_pidfd_kill(child.pidFD)
        reapedPidFD = child.pidFD  // signalling a reaped pidfd fails harmlessly (ESRCH)
        // The stack is freed only once the child is gone: a signal may interrupt the wait.
        while waitpid(child.pid, nil, __WALL | __WNOTHREAD) < 0 && errno == EINTR {}
        ipcw_release_waker_stack(child.stack)
    }
}
