import IPCWatch
import Synchronization
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
            // A terminal's Ctrl-C reaches the command too (its process group): let it decide, and report how
            // it ended. A SIGINT sent to ipcwatch alone (kill -INT) is forwarded like SIGTERM.
            ignore([SIGQUIT])
            forwardToCommand([SIGTERM, SIGHUP, SIGINT])
        }
        // Every ptrace stop sends the tracer a SIGCHLD. Let in, it would interrupt the tracer's waitpid
        // twice per syscall in attach mode (+35 % measured); blocked, it stays one pending bit.
        var childSignal = sigset_t()
        sigemptyset(&childSignal)
        sigaddset(&childSignal, SIGCHLD)
        pthread_sigmask(SIG_BLOCK, &childSignal, nil)
    }

    // SIGUSR1 (with --graph, --stall or --stall-report): write the graph and the wait-for report of the run
    // so far. The handler only sets flags and ticks the trace's waker (Tracer.tickAll), which wakes the
    // tracer's waitpid even when it lands just before it; the tracer thread writes the files (TracePrinter).
    private static let graphRequest = Atomic<Bool>(false)
    private static let reportRequest = Atomic<Bool>(false)

    /// Installs the SIGUSR1 handler that asks for the graph and the wait-for report so far.
    static func reportOnSIGUSR1() {
        _ = graphRequest.load(ordering: .relaxed)  // initialised here, never first in a handler
        _ = reportRequest.load(ordering: .relaxed)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            SignalPolicy.graphRequest.store(true, ordering: .relaxed)
            SignalPolicy.reportRequest.store(true, ordering: .relaxed)
            Tracer.tickAll()
        }
        action.sa_flags = 0
        handle([SIGUSR1], with: action)
    }

    /// Takes the request for a wait-for report: true once per SIGUSR1.
    static func takeReportRequest() -> Bool { reportRequest.exchange(false, ordering: .relaxed) }

    /// A SIGUSR1 came since the last call that returned true.
    static var graphRequested: Bool { graphRequest.load(ordering: .relaxed) }

    /// Takes the request: true once per SIGUSR1 (several before the tracer looks count as one).
    static func takeGraphRequest() -> Bool { graphRequest.exchange(false, ordering: .relaxed) }

    /// A handler that ends the running trace, unblocked here (a parent may have blocked them for us).
    private static func interruptTrace(on signals: [Int32]) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { Tracer.interruptAll(signal: $0) }
        action.sa_flags = 0
        handle(signals, with: action)
    }

    /// Installs `action` for `signals` and unblocks them in this thread (a parent may have blocked them).
    /// No SA_RESTART: the tracer's waitpid returns EINTR at once.
    private static func handle(_ signals: [Int32], with action: sigaction) {
        var action = action
        sigemptyset(&action.sa_mask)
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals {
            sigaction(signal, &action, nil)
            sigaddset(&set, signal)
        }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    // Launch mode: SIGTERM, SIGHUP and SIGINT sent to ipcwatch go to the command, which may clean up (its IPC_RMID
    // calls belong in the trace); ipcwatch traces on and exits as the command does. A second one of the
    // same kind ends the trace, killing the tree. Signals the kernel sent (a terminal's hangup) reached
    // the command's process group already and are not forwarded. A kill(2) to the whole group (`kill --
    // -PGID`, bash's SIGHUP to its jobs) cannot be told from one to ipcwatch alone: the command gets it twice.
    /// The command's pid, once it runs (0 before).
    private static let command = Atomic<Int32>(0)
    /// The signals forwarded so far, bit `1 << signal`.
    private static let forwarded = Atomic<UInt64>(0)

    static func forward(to pid: Int32) { command.store(pid, ordering: .relaxed) }

    private static func forwardToCommand(_ signals: [Int32]) {
        _ = command.load(ordering: .relaxed)  // initialised here, never first in a handler
        _ = forwarded.load(ordering: .relaxed)
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { signal, info, _ in
            // si_code > 0: from the kernel (a tty's SIGHUP), not kill(2): the command had it too.
            if let info, info.pointee.si_code > 0 { return }
            let bit = UInt64(1) << UInt64(signal)
            let before = SignalPolicy.forwarded.bitwiseOr(bit, ordering: .relaxed).oldValue
            let pid = SignalPolicy.command.load(ordering: .relaxed)
            if before & bit == 0 && pid > 0 {
                kill(pid, signal)
            } else {
                Tracer.interruptAll(signal: signal)
            }
        }
        action.sa_flags = SA_SIGINFO
        handle(signals, with: action)
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
