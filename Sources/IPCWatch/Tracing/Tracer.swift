import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// What to trace and how to decode it.
public struct TraceOptions: Sendable {
    /// The events to report. A SysV event selects the i386 `ipc(2)` calls of that subcall too.
    public var events: Set<Syscall>
    public var decode: DecodeOptions
    /// Look up the inode of each new pipe (one `readlink` of /proc/TID/fd per pipe).
    public var resolvePipeInodes: Bool
    /// Launch mode: pin the calling thread, and so the command, to the CPU it runs on. Each stop is a
    /// round trip between tracee and tracer; on one CPU it needs no cross-CPU wake-up (measured: about
    /// 1.4 times faster per event on the benchmark machine), but the command's threads lose parallelism.
    public var sameCPU: Bool

    public init(events: Set<Syscall> = Set(Syscall.allCases), decode: DecodeOptions = DecodeOptions(),
                resolvePipeInodes: Bool = true, sameCPU: Bool = false) {
        self.events = events
        self.decode = decode
        self.resolvePipeInodes = resolvePipeInodes
        self.sameCPU = sameCPU
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

/// Traces commands it launches (ptrace + seccomp) or processes it attaches to (ptrace syscall stops)
/// and turns their watched syscalls into events.
///
/// All ptrace requests are made from the thread that calls `launch` or `attach`: the kernel accepts
/// them only from the thread that attached. Events are delivered on that thread, as they happen.
public struct Tracer: Sendable {
    public let options: TraceOptions

    public init(options: TraceOptions = TraceOptions()) {
        self.options = options
    }

    /// Runs `command` (looked up in `PATH`), calling `handle` on this thread for each event and
    /// `exited` for each traced thread that ends, and returns when every process of the command has exited.
    public func launch(_ command: [String], exited: (pid_t, ExitStatus) -> Void = { _, _ in },
                       handle: (Event) -> Void) throws(IPCWatchError) -> TraceOutcome {
        if options.sameCPU {
            let cpu = ipcw_pin_to_current_cpu()
            if cpu < 0 { throw .system(call: "sched_setaffinity", errno: Errno(rawValue: -cpu)) }
        }
        // Built here, not in init: attach mode never installs a filter.
        let launched = try Launcher.launch(command, filter: try SeccompFilter(tracing: options.trappedSyscalls))
        defer { close(launched.errorPipe) }
        let (outcome, rootExecuted) = try withoutActuallyEscaping(handle) { (handle) throws(IPCWatchError) in
            try withoutActuallyEscaping(exited) { (exited) throws(IPCWatchError) in
                var loop = TraceLoop(mode: .launch, tracees: [launched.pid], options: options, handle: handle,
                                     exited: exited)
                return (try loop.run(), loop.rootExecuted)
            }
        }
        if !rootExecuted, let failure = Launcher.failure(from: launched.errorPipe, command: command[0]) {
            throw failure
        }
        return outcome
    }

    /// Attaches to every thread of the running processes `pids` (and follows their new children),
    /// reporting their watched syscalls until they all exit, or until a signal installed with
    /// `TerminationSignals` arrives: then every tracee is detached and left running as before.
    ///
    /// A running process cannot be given a seccomp filter safely (its `RET_TRACE` would fail calls
    /// with ENOSYS once we are gone), so attach mode stops at every syscall's entry and exit.
    public func attach(_ pids: [pid_t], attached: () -> Void = {}, exited: (pid_t, ExitStatus) -> Void = { _, _ in },
                       handle: (Event) -> Void) throws(IPCWatchError) -> TraceOutcome {
        let tids = try Attacher.attach(pids)
        attached()
        return try withoutActuallyEscaping(handle) { (handle) throws(IPCWatchError) in
            try withoutActuallyEscaping(exited) { (exited) throws(IPCWatchError) in
                var loop = TraceLoop(mode: .attach, tracees: tids, options: options, handle: handle, exited: exited)
                return try loop.run()
            }
        }
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
