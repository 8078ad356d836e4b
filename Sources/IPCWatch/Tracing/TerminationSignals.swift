import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Signals that ask the tracer to stop, recorded by an async-signal-safe handler and picked up
/// by the tracer loop when they interrupt its `waitpid`.
public enum TerminationSignals {
    private static let pending = Atomic<Int32>(0)

    /// Installs the recording handler for `signals`, without `SA_RESTART` so that a blocked
    /// `waitpid` returns `EINTR`.
    public static func install(_ signals: [Int32]) {
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { TerminationSignals.pending.store($0, ordering: .relaxed) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, nil)
        }
    }

    /// Ignores `signals` (a terminal's Ctrl-C reaches the traced command directly).
    public static func ignore(_ signals: [Int32]) {
        for sig in signals { signal(sig, SIG_IGN) }
    }

    /// The last signal received, 0 if none.
    public static var received: Int32 { pending.load(ordering: .relaxed) }
}
