import CSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Signals that ask the tracer to stop, recorded by an async-signal-safe handler and picked up
/// by the tracer loop when they interrupt its `waitpid`.
///
/// Whatever it changes for the tracer (dispositions, the signal mask) it remembers, so that a
/// launched command starts with the signal state ipcwatch itself was started with.
public enum TerminationSignals {
    private static let pending = Atomic<Int32>(0)

    /// The ignored signals and the mask before the first change. The dispositions of a freshly exec'd
    /// process are SIG_IGN or SIG_DFL, so the ignored set describes them all.
    struct Original: @unchecked Sendable {
        var ignored: UInt64?
        var mask: sigset_t?
    }
    private static let original = Mutex(Original())

    /// The signals given to `install`, which tracer threads unblock.
    private static let installed = Mutex(sigset_t())

    /// Installs the recording handler for `signals`, which also wakes every tracer thread (by killing its
    /// waker: the signal may land on any thread), and unblocks them in the calling thread (a parent may
    /// have blocked them for us) and in tracer threads.
    public static func install(_ signals: [Int32]) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = {
            TerminationSignals.pending.store($0, ordering: .relaxed)
            ipcw_wakers_wake_all()
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        change(signals, to: action)
        var set = installed.withLock { set in
            signals.forEach { sigaddset(&set, $0) }
            return set
        }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// A tracer thread's mask: the installed signals only. Signals the host handles go to its own threads.
    static func setTracerThreadMask() {
        var all = sigset_t()
        sigfillset(&all)
        installed.withLock { installed in
            for signal in 1..<Int32(NSIG) where sigismember(&installed, signal) == 1 { sigdelset(&all, signal) }
        }
        pthread_sigmask(SIG_SETMASK, &all, nil)
    }

    /// Ignores `signals` (a terminal's Ctrl-C reaches the traced command directly).
    public static func ignore(_ signals: [Int32]) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_IGN
        sigemptyset(&action.sa_mask)
        change(signals, to: action)
    }

    private static func change(_ signals: [Int32], to action: sigaction) {
        original.withLock { original in
            if original.mask == nil {
                var mask = sigset_t()
                sigprocmask(SIG_SETMASK, nil, &mask)
                original.mask = mask
                original.ignored = ipcw_ignored_signals()
            }
            for signal in signals {
                var new = action
                sigaction(signal, &new, nil)
            }
        }
    }

    /// What a launched command must get back: the signals ignored and the mask before the first change
    /// (nil if nothing was changed).
    static var originalState: (ignored: UInt64?, mask: sigset_t?) {
        original.withLock { ($0.ignored, $0.mask) }
    }

    /// The last signal received, 0 if none.
    public static var received: Int32 { pending.load(ordering: .relaxed) }
}
