import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// What to trace and how to decode it.
public struct TraceOptions: Sendable {
    /// The events to report. A SysV event selects the i386 `ipc(2)` calls of that subcall too.
    public var events: Set<Syscall>
    public var decode: DecodeOptions
    /// Look up the pipe inode of each new pipe fd (one `readlink` of /proc per fd).
    public var resolvePipeInodes: Bool

    public init(events: Set<Syscall> = Set(Syscall.allCases), decode: DecodeOptions = DecodeOptions(),
                resolvePipeInodes: Bool = true) {
        self.events = events
        self.decode = decode
        self.resolvePipeInodes = resolvePipeInodes
    }

    /// Syscalls the seccomp filter must trap: the selected ones, and `ipc` whenever a SysV call is
    /// selected, since i386 programs reach SysV through it.
    var trappedSyscalls: Set<Syscall> {
        var trapped = events
        if events.contains(where: { $0.family != .pipe }) { trapped.insert(.ipc) }
        return trapped
    }
}

/// How a trace ended.
public enum TraceOutcome: Sendable, Equatable {
    /// The command ran to its end (every traced process exited).
    case exited(ExitStatus)
    /// A signal from `TerminationSignals` stopped the trace early.
    case interrupted(signal: Int32)
}

/// Runs commands under ptrace + seccomp and turns their watched syscalls into events.
///
/// All ptrace requests are made from the thread that calls `launch`: the kernel accepts them
/// only from the thread that attached.
public struct Tracer: Sendable {
    public let options: TraceOptions
    public let filter: SeccompFilter

    public init(options: TraceOptions = TraceOptions()) throws(IPCWatchError) {
        self.options = options
        self.filter = try SeccompFilter(tracing: options.trappedSyscalls)
    }

    /// Runs `command` (looked up in `PATH`), calling `handle` on this thread for each event and
    /// `exited` for each traced thread that ends, and returns when every process of the command has exited.
    public func launch(_ command: [String], exited: (pid_t, ExitStatus) -> Void = { _, _ in },
                       handle: (Event) -> Void) throws(IPCWatchError) -> TraceOutcome {
        let launched = try Launcher.launch(command, filter: filter)
        defer { close(launched.errorPipe) }
        let (outcome, rootExecuted) = try withoutActuallyEscaping(handle) { (handle) throws(IPCWatchError) in
            try withoutActuallyEscaping(exited) { (exited) throws(IPCWatchError) in
                var loop = TraceLoop(root: launched.pid, options: options, handle: handle, exited: exited)
                return (try loop.run(), loop.rootExecuted)
            }
        }
        if !rootExecuted, let failure = Launcher.failure(from: launched.errorPipe, command: command[0]) {
            throw failure
        }
        return outcome
    }
}

/// The ptrace event loop of one traced tree.
struct TraceLoop {
    /// A syscall between its seccomp stop and its exit stop.
    private struct PendingCall {
        var architecture: Architecture
        var syscall: Syscall
        var arguments: [UInt64]
        var enteredAt: UInt64
    }

    private struct Tracee {
        var pending: PendingCall?
        var identity: ThreadIdentity?
    }

    let root: pid_t
    let options: TraceOptions
    let handle: (Event) -> Void
    let exited: (pid_t, ExitStatus) -> Void
    let table = SyscallTable.standard
    private var tracees: [pid_t: Tracee] = [:]
    private var rootStatus: ExitStatus?
    /// The root reached its `execve`: from then on, a failure cannot be a launch failure.
    private(set) var rootExecuted = false

    init(root: pid_t, options: TraceOptions, handle: @escaping (Event) -> Void,
         exited: @escaping (pid_t, ExitStatus) -> Void) {
        self.root = root
        self.options = options
        self.handle = handle
        self.exited = exited
        tracees[root] = Tracee()
    }

    mutating func run() throws(IPCWatchError) -> TraceOutcome {
        while !tracees.isEmpty {
            var raw: Int32 = 0
            let tid = waitpid(-1, &raw, __WALL | __WNOTHREAD)
            if tid < 0 {
                switch errno {
                case EINTR:
                    let signal = TerminationSignals.received
                    if signal != 0 { return .interrupted(signal: signal) }
                    continue
                case ECHILD:
                    tracees.removeAll()
                    continue
                default:
                    throw .system(call: "waitpid", errno: .current)
                }
            }
            handleStop(tid, WaitStatus(rawValue: raw))
        }
        return .exited(rootStatus ?? .exited(0))
    }

    private mutating func handleStop(_ tid: pid_t, _ status: WaitStatus) {
        guard status.stopped else {
            tracees[tid] = nil
            if tid == root { rootStatus = ExitStatus(status) }
            // The launcher child ending before its exec is a launch failure, reported as such.
            if tid != root || rootExecuted { exited(tid, ExitStatus(status)) }
            return
        }
        if tracees[tid] == nil { tracees[tid] = Tracee() }  // a new child can report before its parent's event
        let ptrace = Ptrace(tid: tid)
        let signal = status.stopSignal
        // A tracee can vanish (SIGKILL) between stops: ESRCH from any request just means that.
        do {
            if signal == SIGTRAP | 0x80 {
                syscallExit(tid)
                try ptrace.cont()
                return
            }
            switch status.ptraceEvent {
            case 0:
                // Signal-delivery stop: deliver it unchanged.
                try ptrace.cont(signal: signal)
            case Int32(IPCW_PTRACE_EVENT_SECCOMP):
                seccompStop(tid)
                try ptrace.resumeToSyscall()
            case Int32(IPCW_PTRACE_EVENT_FORK), Int32(IPCW_PTRACE_EVENT_VFORK), Int32(IPCW_PTRACE_EVENT_CLONE):
                let child = pid_t(truncatingIfNeeded: try ptrace.eventMessage())
                if tracees[child] == nil { tracees[child] = Tracee() }
                try ptrace.cont()
            case Int32(IPCW_PTRACE_EVENT_EXEC):
                // After an exec by a non-leader thread the leader's tid takes over the old thread.
                let formerTid = pid_t(truncatingIfNeeded: try ptrace.eventMessage())
                if formerTid != tid { tracees[formerTid] = nil }
                tracees[tid] = Tracee()
                if tid == root || formerTid == root { rootExecuted = true }
                try ptrace.cont()
            case Int32(IPCW_PTRACE_EVENT_STOP):
                // Group-stop (SIGSTOP, Ctrl-Z...): stay stopped but let SIGCONT be seen. Anything
                // else (a new child's first stop, a SIGCONT re-trap) just resumes.
                if [SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU].contains(signal) {
                    try ptrace.listen()
                } else {
                    try ptrace.cont()
                }
            default:
                try ptrace.cont()
            }
        } catch {
            // ESRCH: killed meanwhile; its exit status arrives through waitpid.
        }
    }

    private mutating func seccompStop(_ tid: pid_t) {
        guard let info = try? Ptrace(tid: tid).syscallInfo(), info.op == UInt8(IPCW_SYSCALL_INFO_SECCOMP),
              let architecture = Architecture(auditArch: info.arch, syscallNumber: info.nr),
              let entry = table.entry(architecture: architecture, number: info.nr) else {
            tracees[tid]?.pending = nil
            return
        }
        let arguments = withUnsafeBytes(of: info.args) { Array($0.bindMemory(to: UInt64.self)) }
        tracees[tid]?.pending = PendingCall(architecture: architecture, syscall: entry.syscall, arguments: arguments,
                                            enteredAt: Clock.monotonicNanoseconds())
    }

    private mutating func syscallExit(_ tid: pid_t) {
        guard let pending = tracees[tid]?.pending else { return }
        tracees[tid]?.pending = nil
        guard let info = try? Ptrace(tid: tid).syscallInfo(), info.op == UInt8(IPCW_SYSCALL_INFO_EXIT) else { return }
        let exitedAt = Clock.monotonicNanoseconds()
        let stop = SyscallStop(architecture: pending.architecture, syscall: pending.syscall,
                               arguments: pending.arguments, returnValue: info.rval, isError: info.is_error != 0)
        let decoded = Decoder.decode(stop, memory: ProcessMemory(tid: tid), options: options.decode)
        guard options.events.contains(decoded.call.syscall) else { return }
        let identity = identity(of: tid)
        var inodes: [UInt64]?
        if options.resolvePipeInodes, let ends = decoded.call.pipeEnds {
            inodes = [ends.read, ends.write].map { ProcFS.pipeInode(tid: tid, fd: $0) ?? 0 }
        }
        handle(Event(timestamp: Clock.realtimeNanoseconds(), processID: identity.processID, threadID: tid,
                     parentProcessID: identity.parentProcessID, userID: identity.userID, processName: identity.name,
                     architecture: pending.architecture, call: decoded.call, multiplexed: decoded.multiplexed,
                     result: decoded.result, duration: exitedAt &- pending.enteredAt, pipeInodes: inodes))
    }

    private mutating func identity(of tid: pid_t) -> ThreadIdentity {
        if let known = tracees[tid]?.identity { return known }
        let identity = ProcFS.identity(of: tid) ?? ThreadIdentity(processID: tid, parentProcessID: 0, userID: 0, name: "?")
        tracees[tid]?.identity = identity
        return identity
    }
}

enum Clock {
    static func monotonicNanoseconds() -> UInt64 { read(CLOCK_MONOTONIC) }
    static func realtimeNanoseconds() -> UInt64 { read(CLOCK_REALTIME) }
    private static func read(_ clock: clockid_t) -> UInt64 {
        var now = timespec()
        clock_gettime(clock, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
