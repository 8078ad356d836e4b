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

    /// The dispositions and mask before the first change.
    struct Original: @unchecked Sendable {
        var actions: [Int32: sigaction] = [:]
        var mask: sigset_t?
    }
    private static let original = Mutex(Original())

    /// Installs the recording handler for `signals`, without `SA_RESTART` so that a blocked
    /// `waitpid` returns `EINTR`, and unblocks them (a parent may have blocked them for us).
    public static func install(_ signals: [Int32]) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { TerminationSignals.pending.store($0, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        change(signals, to: action)
        var set = sigset_t()
        sigemptyset(&set)
        signals.forEach { sigaddset(&set, $0) }
        sigprocmask(SIG_UNBLOCK, &set, nil)
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
            }
            for signal in signals {
                var previous = sigaction()
                var new = action
                sigaction(signal, &new, &previous)
                if original.actions[signal] == nil { original.actions[signal] = previous }
            }
        }
    }

    /// What a launched command must get back: the changed signals with their first disposition (a
    /// caught one as SIG_DFL, which exec would do anyway), and the original mask.
    static var originalState: (signals: [Int32], actions: [sigaction], mask: sigset_t?) {
        original.withLock { original in
            let signals = original.actions.keys.sorted()
            let actions = signals.map { signal -> sigaction in
                var action = original.actions[signal]!
                // SIG_DFL is 0 and SIG_IGN is 1; anything else is a function of ours.
                let handler = action.__sigaction_handler.sa_handler.map { unsafeBitCast($0, to: Int.self) } ?? 0
                if handler > 1 {
                    action = sigaction()
                    action.__sigaction_handler.sa_handler = SIG_DFL
                }
                return action
            }
            return (signals, actions, original.mask)
        }
    }

    /// The last signal received, 0 if none.
    public static var received: Int32 { pending.load(ordering: .relaxed) }
}
