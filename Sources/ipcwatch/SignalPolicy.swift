import IPCWatch
#if canImport(Glibc)
import Glibc
#endif

/// What ipcwatch does with signals: the one place its dispositions and mask are set, and where it dies
/// of the signal its command died of.
enum SignalPolicy {
    /// Sets ipcwatch's own dispositions; the command gets back what ipcwatch started with (recorded
    /// before this by `CommandSignalState.current()`).
    static func install(attaching: Bool) {
        // A reader that goes away must not kill the tracer: output is dropped, the trace goes on.
        ignore([SIGPIPE])
        if attaching {
            // Ctrl-C, SIGTERM, SIGHUP, SIGQUIT detach and leave the processes running as before.
            interruptTrace(on: [SIGINT, SIGTERM, SIGHUP, SIGQUIT])
        } else {
            // A terminal's Ctrl-C reaches the command too: let it decide, and report how it ended.
            ignore([SIGINT, SIGQUIT])
            interruptTrace(on: [SIGTERM, SIGHUP])
        }
        // Every ptrace stop sends the tracer a SIGCHLD. Let in, it would interrupt the tracer's waitpid
        // twice per syscall in attach mode (+35 % measured); blocked, it stays one pending bit.
        var childSignal = sigset_t()
        sigemptyset(&childSignal)
        sigaddset(&childSignal, SIGCHLD)
        pthread_sigmask(SIG_BLOCK, &childSignal, nil)
    }

    /// A handler that ends the running trace, unblocked here (a parent may have blocked them for us).
    private static func interruptTrace(on signals: [Int32]) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { Tracer.interruptAll(signal: $0) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: the tracer's waitpid returns EINTR at once
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals {
            sigaction(signal, &action, nil)
            sigaddset(&set, signal)
        }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    private static func ignore(_ signals: [Int32]) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_IGN
        sigemptyset(&action.sa_mask)
        for signal in signals { sigaction(signal, &action, nil) }
    }

    /// Dies of `signal` as the command did (without dumping a core of our own), or exits 128 + signal
    /// if it is not fatal.
    static func die(of signal: Int32) -> Never {
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
        noCore.rlim_cur = 0
        setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
        Glibc.signal(signal, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signal)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        raise(signal)
        exit(128 + signal)
    }
}
