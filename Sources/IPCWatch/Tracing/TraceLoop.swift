import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// The ptrace event loop of one traced tree, for both modes:
/// - launch: the seccomp filter stops the tracee at watched syscalls only (seccomp stop, then the
///   exit stop), and every other stop is resumed with `PTRACE_CONT`;
/// - attach: no filter can be added to a running process, so every syscall stops at entry and exit
///   (`PTRACE_SYSCALL`) and the loop keeps only the watched ones.
struct TraceLoop {
    enum Mode { case launch, attach }

    /// A watched syscall between its entry (or seccomp) stop and its exit stop.
    private struct PendingCall {
        var architecture: Architecture
        var syscall: Syscall
        var arguments: [UInt64]
        var enteredAt: UInt64
    }

    private struct Tracee {
        var pending: PendingCall?
        var identity: ThreadIdentity?
        /// `argv[0]` since the last exec, read once for snapshots.
        var argv0: String?
        /// Known from its parent's fork/clone event (or from the start), not only from a stop of its own.
        var announced = true
        /// Its first stop has been handled.
        var seen = false
    }

    let mode: Mode
    let options: TraceOptions
    let handle: (Event) -> Void
    let exited: (pid_t, TerminationStatus) -> Void
    /// With `options.processSnapshots`: a process's pipe ends after an exec and at its exit.
    var snapshot: (ProcessSnapshot) -> Void = { _ in }
    /// Launch mode: called once, when the command's first process has exec'd it.
    var started: () -> Void = {}
    /// Asked on every stop: true once the consumer gave up (cancellation).
    var cancelled: () -> Bool = { false }
    /// A child of the tracer thread that exits when cancellation wants `waitpid` to return; not a tracee.
    var waker: pid_t = 0
    /// Records are waiting for a consumer that `idle` would wake: asked before blocking in `waitpid`.
    var hasUndelivered: () -> Bool = { false }
    /// Called when no stop is ready, before blocking: hands what was recorded to the consumer.
    var idle: () -> Void = {}
    let table = SyscallTable.standard
    /// The syscalls whose entry is worth keeping (computed once: the attach hot path allocates nothing).
    private let trapped: Set<Syscall>
    private var tracees: [pid_t: Tracee] = [:]
    /// New tracees that stopped and ended before their parent's fork/clone event was seen: that event must
    /// not bring them back, or the loop would wait for them for ever (the waker keeps waitpid from ECHILD).
    private var endedBeforeAnnounced: Set<pid_t> = []
    /// The launched command's pid: its status is the trace's outcome.
    private let root: pid_t?
    private var rootStatus: TerminationStatus?
    /// The root reached its `execve`: from then on, a failure cannot be a launch failure.
    private(set) var rootExecuted = false
    /// Detaching: every stop now ends in `PTRACE_DETACH`.
    private var detaching = false
    /// Launch mode, stopping early: every tracee is being killed.
    private var killing = false
    /// Why the trace stops early: a signal number, or 0 for cancellation.
    private var stopReason: Int32?

    init(mode: Mode, tracees initial: [pid_t], options: TraceOptions, handle: @escaping (Event) -> Void,
         exited: @escaping (pid_t, TerminationStatus) -> Void) {
        self.mode = mode
        self.root = mode == .launch ? initial.first : nil
        self.options = options
        self.handle = handle
        self.exited = exited
        self.trapped = options.trappedSyscalls
        for tid in initial { tracees[tid] = Tracee(seen: true) }
    }

    /// Detaches every tracee (interrupting those that run) and waits until all are detached.
    mutating func detachAll() throws(IPCWatchError) {
        beginDetach()
        _ = try run()
    }

    /// Runs until every tracee has exited (or been detached), or a termination signal arrives:
    /// in attach mode that signal detaches everything first.
    mutating func run() throws(IPCWatchError) -> TraceOutcome {
        while !tracees.isEmpty {
            // Checked on every stop, not only on EINTR: a busy tracee keeps waitpid from ever blocking.
            if stopReason == nil {
                let signal = TerminationSignals.received
                if signal != 0 || cancelled() { stopEarly(reason: signal) }
            }
            var raw: Int32 = 0
            var tid: pid_t
            if hasUndelivered() {
                // Deliver only once no stop is ready: a burst of stops is handed over in one wake-up.
                tid = waitpid(-1, &raw, __WALL | __WNOTHREAD | WNOHANG)
                if tid == 0 {
                    idle()
                    tid = waitpid(-1, &raw, __WALL | __WNOTHREAD)
                }
            } else {
                tid = waitpid(-1, &raw, __WALL | __WNOTHREAD)
            }
            if tid == waker && tid > 0 {
                waker = 0
                continue
            }
            if tid < 0 {
                switch errno {
                case EINTR:
                    continue
                case ECHILD:
                    tracees.removeAll()
                default:
                    throw .system(call: "waitpid", errno: .current)
                }
                continue
            }
            handleStop(tid, WaitStatus(rawValue: raw))
        }
        switch stopReason {
        case nil: return .exited(rootStatus ?? .exited(0))
        case 0?: return .cancelled
        case let signal?: return .interrupted(signal: signal)
        }
    }

    /// Ends the trace before the tracees end: a launched tree is killed (as `PTRACE_O_EXITKILL` would
    /// when the tracer dies) and reaped, attached processes are detached and left running.
    private mutating func stopEarly(reason: Int32) {
        stopReason = reason
        switch mode {
        case .launch:
            killing = true
            for tid in tracees.keys { kill(tid, SIGKILL) }
        case .attach:
            beginDetach()
        }
    }

    /// Interrupts every tracee; each is detached at its next stop.
    private mutating func beginDetach() {
        detaching = true
        for tid in tracees.keys { _ = try? Ptrace(tid: tid).interrupt() }
    }

    private mutating func handleStop(_ tid: pid_t, _ status: WaitStatus) {
        guard status.stopped else {
            if tracees[tid]?.announced == false { endedBeforeAnnounced.insert(tid) }
            tracees[tid] = nil
            if tid == root { rootStatus = TerminationStatus(status) }
            // The launcher child ending before its exec is a launch failure, reported as such.
            if tid != root || rootExecuted { exited(tid, TerminationStatus(status)) }
            return
        }
        if tracees[tid] == nil { tracees[tid] = Tracee(announced: false) }  // a new child can stop before its parent's event
        if tracees[tid]?.seen == false {
            tracees[tid]?.seen = true
            // Launch mode snapshots a process at its exit only until it execs: a forked shell subshell or
            // Python worker shows its pipe ends there; a program that exec'd showed them at its exec. Exit
            // stops cost a round trip each, so only new processes (not threads) get the option.
            if options.processSnapshots && mode == .launch && identity(of: tid).processID == tid {
                try? Ptrace(tid: tid).setOptions(Launcher.options.union(.traceExit))
            }
        }
        let ptrace = Ptrace(tid: tid)
        let signal = status.stopSignal
        let event = status.ptraceEvent
        // A tracee can vanish (SIGKILL) between stops: ESRCH from any request just means that.
        do {
            if detaching {
                try detach(tid, status)
                return
            }
            if killing {
                // Also a child born meanwhile, at its first stop; the dead report through waitpid.
                kill(tid, SIGKILL)
                return
            }
            if signal == SIGTRAP | 0x80 {
                syscallStop(tid)
                try resume(ptrace)
                return
            }
            switch event {
            case 0:
                // Signal-delivery stop: deliver it unchanged.
                try resume(ptrace, signal: signal)
            case Int32(IPCW_PTRACE_EVENT_SECCOMP):
                syscallStop(tid)
                try ptrace.resumeToSyscall()
            case Int32(IPCW_PTRACE_EVENT_FORK), Int32(IPCW_PTRACE_EVENT_VFORK), Int32(IPCW_PTRACE_EVENT_CLONE):
                announce(pid_t(truncatingIfNeeded: try ptrace.eventMessage()))
                try resume(ptrace)
            case Int32(IPCW_PTRACE_EVENT_EXEC):
                // After an exec by a non-leader thread the leader's tid takes over the old thread.
                let formerTid = pid_t(truncatingIfNeeded: try ptrace.eventMessage())
                if formerTid != tid { tracees[formerTid] = nil }
                tracees[tid] = Tracee(seen: true)
                if (tid == root || formerTid == root) && !rootExecuted {
                    rootExecuted = true
                    started()
                }
                if options.processSnapshots {
                    if mode == .launch { try? ptrace.setOptions(Launcher.options) }
                    snapshotWithParent(tid, at: .exec)
                } else {
                    try resume(ptrace)
                }
            case Int32(IPCW_PTRACE_EVENT_EXIT):
                // Before the kernel closes the descriptors. Threads share them: the leader's stop tells.
                if options.processSnapshots && identity(of: tid).processID == tid {
                    snapshotWithParent(tid, at: .exit)
                } else {
                    try resume(ptrace)
                }
            case Int32(IPCW_PTRACE_EVENT_STOP):
                // Group-stop (SIGSTOP, Ctrl-Z...): stay stopped but let SIGCONT be seen. Anything
                // else (a new child's first stop, an attach interrupt, a SIGCONT re-trap) resumes.
                if Self.isStopSignal(signal) {
                    try ptrace.listen()
                } else {
                    try resume(ptrace)
                }
            default:
                try resume(ptrace)
            }
        } catch {
            // ESRCH: killed meanwhile; its exit status arrives through waitpid.
        }
    }

    /// A fork/clone event named `child`: a tracee from now on, unless it has already come and gone.
    private mutating func announce(_ child: pid_t) {
        if endedBeforeAnnounced.remove(child) != nil { return }
        tracees[child, default: Tracee()].announced = true
    }

    private static func isStopSignal(_ signal: Int32) -> Bool {
        signal == SIGSTOP || signal == SIGTSTP || signal == SIGTTIN || signal == SIGTTOU
    }

    /// Resumes a tracee the way the mode needs: to its next syscall stop when attached.
    private func resume(_ ptrace: Ptrace, signal: Int32 = 0) throws(Errno) {
        switch mode {
        case .launch: try ptrace.cont(signal: signal)
        case .attach: try ptrace.resumeToSyscall(signal: signal)
        }
    }

    /// Detaches `tid` at this stop, handing back a signal it was about to receive.
    private mutating func detach(_ tid: pid_t, _ status: WaitStatus) throws(Errno) {
        let event = status.ptraceEvent
        if event == Int32(IPCW_PTRACE_EVENT_FORK) || event == Int32(IPCW_PTRACE_EVENT_VFORK)
            || event == Int32(IPCW_PTRACE_EVENT_CLONE) {
            // A child born while detaching is attached too: detach it at its first stop.
            announce(pid_t(truncatingIfNeeded: try Ptrace(tid: tid).eventMessage()))
        }
        let pendingSignal = event == 0 && status.stopSignal != SIGTRAP | 0x80 ? status.stopSignal : 0
        tracees[tid] = nil
        try Ptrace(tid: tid).detach(signal: pendingSignal)
    }

    /// A syscall stop: entry (attach mode), seccomp (launch mode) or exit (both).
    private mutating func syscallStop(_ tid: pid_t) {
        guard let info = try? Ptrace(tid: tid).syscallInfo() else { return }
        switch Int32(info.op) {
        case Int32(IPCW_SYSCALL_INFO_SECCOMP), Int32(IPCW_SYSCALL_INFO_ENTRY):
            syscallEntered(tid, info)
        case Int32(IPCW_SYSCALL_INFO_EXIT):
            syscallExited(tid, info)
        default:
            tracees[tid]?.pending = nil
        }
    }

    private mutating func syscallEntered(_ tid: pid_t, _ info: ipcw_syscall_info) {
        // The common case when attached: a syscall we do not watch. Nothing allocated, nothing kept.
        guard let architecture = Architecture(auditArch: info.arch, syscallNumber: info.nr),
              let entry = table.entry(architecture: architecture, number: info.nr),
              trapped.contains(entry.syscall) else {
            if tracees[tid]?.pending != nil { tracees[tid]?.pending = nil }
            return
        }
        let arguments = withUnsafeBytes(of: info.args) { Array($0.bindMemory(to: UInt64.self)) }
        tracees[tid]?.pending = PendingCall(architecture: architecture, syscall: entry.syscall, arguments: arguments,
                                            enteredAt: Clock.monotonicNanoseconds())
    }

    private mutating func syscallExited(_ tid: pid_t, _ info: ipcw_syscall_info) {
        guard let pending = tracees[tid]?.pending else { return }
        tracees[tid]?.pending = nil
        let exitedAt = Clock.monotonicNanoseconds()
        let stop = SyscallStop(architecture: pending.architecture, syscall: pending.syscall,
                               arguments: pending.arguments, returnValue: info.rval, isError: info.is_error != 0)
        let decoded = Decoder.decode(stop, memory: ProcessMemory(tid: tid), options: options.decode)
        guard options.events.contains(decoded.call.syscall) else { return }
        let identity = identity(of: tid)
        var inodes: [UInt64]?
        if options.resolvePipeInodes, let ends = decoded.call.pipeEnds {
            // Both ends of a new pipe share its inode: one readlink (a /proc path walk) is enough.
            let inode = ProcFS.pipeInode(tid: tid, fd: ends.read) ?? 0
            inodes = [inode, inode]
        }
        handle(Event(timestamp: Clock.realtimeNanoseconds(), processID: identity.processID, threadID: tid,
                     parentProcessID: identity.parentProcessID, userID: identity.userID, processName: identity.name,
                     architecture: pending.architecture, call: decoded.call, multiplexed: decoded.multiplexed,
                     result: decoded.result, duration: exitedAt &- pending.enteredAt, pipeInodes: inodes))
    }

    /// Snapshots the stopped `pid` and, if it holds pipe ends, takes a peek at its traced parent (what does
    /// that hold now?), then resumes it. The peek comes first: a parent waiting for this child's exit must
    /// not get to close its ends before it is looked at (Python closes them at shutdown, right after `join`).
    private mutating func snapshotWithParent(_ pid: pid_t, at moment: ProcessSnapshot.Moment) {
        // ESRCH when resuming: killed meanwhile; its exit status arrives through waitpid.
        defer { _ = try? resume(Ptrace(tid: pid)) }
        guard let held = takeSnapshot(of: pid, at: moment), !held.pipes.isEmpty,
              tracees[held.parentProcessID] != nil else { return }
        takeSnapshot(of: held.parentProcessID, at: .peek)
    }

    /// Reports what process `pid` holds now; its identity and `argv[0]` are read once per exec.
    @discardableResult
    private mutating func takeSnapshot(of pid: pid_t, at moment: ProcessSnapshot.Moment) -> ProcessSnapshot? {
        let identity = identity(of: pid)
        let argv0 = tracees[pid]?.argv0 ?? ProcFS.argv0(of: pid)
        tracees[pid]?.argv0 = argv0
        let taken = ProcessSnapshot(moment: moment, processID: identity.processID, parentProcessID: identity.parentProcessID,
                                    processName: identity.name, argv0: argv0, pipes: ProcFS.pipeDescriptors(of: pid))
        snapshot(taken)
        return taken
    }

    private mutating func identity(of tid: pid_t) -> ThreadIdentity {
        if let known = tracees[tid]?.identity { return known }
        let identity = ProcFS.identity(of: tid) ?? ThreadIdentity(processID: tid, parentProcessID: 0, userID: 0, name: "?")
        tracees[tid]?.identity = identity
        return identity
    }
}
