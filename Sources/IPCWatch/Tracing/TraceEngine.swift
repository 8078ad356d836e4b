import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Runs one trace synchronously on the calling thread, which becomes the tracer: all ptrace requests
/// are made from it (the kernel accepts them only from the thread that attached). ``Tracer`` runs it on
/// a thread of its own and hands the records to a ``TraceSession``.
struct TraceEngine {
    let options: TraceOptions
    /// Asked on every stop: true once the session is cancelled.
    let cancelled: () -> Bool
    /// The tracer thread's waker child (see `ipcw_spawn_waker`), 0 if none.
    let waker: pid_t
    /// The session's records wait for a consumer to be woken.
    var hasUndelivered: () -> Bool = { false }
    /// Wakes the consumer: no stop is ready, the tracer is about to block.
    var deliver: () -> Void = {}

    /// Runs `command` (looked up in `PATH`) until every process of it has exited. `started` is called once
    /// it has exec'd; a command that cannot be run throws instead.
    func launch(_ command: [String], started: @escaping () -> Void, record: @escaping (TraceRecord) -> Void)
        throws(IPCWatchError) -> TraceOutcome {
        if options.sameCPU {
            let cpu = ipcw_pin_to_current_cpu()
            if cpu < 0 { throw .system(call: "sched_setaffinity", errno: Errno(rawValue: -cpu)) }
        }
        let launched = try Launcher.launch(command, filter: try SeccompFilter(tracing: options.trappedSyscalls),
                                           descriptors: options.inheritedDescriptors)
        defer { close(launched.errorPipe) }
        var loop = makeLoop(.launch, tracees: [launched.pid], record: record)
        loop.started = started
        let outcome = try loop.run()
        if !loop.rootExecuted, let failure = Launcher.failure(from: launched.errorPipe, command: command[0]) {
            throw failure
        }
        return outcome
    }

    /// Attaches to every thread of the running processes `pids` and follows their new children until they
    /// all exit or the trace is stopped: then every tracee is detached and left running as before.
    ///
    /// A running process cannot be given a seccomp filter safely (its `RET_TRACE` would fail calls
    /// with ENOSYS once we are gone), so attach mode stops at every syscall's entry and exit.
    func attach(_ pids: [pid_t], started: () -> Void, record: @escaping (TraceRecord) -> Void)
        throws(IPCWatchError) -> TraceOutcome {
        let tids = try Attacher.attach(pids, traceExit: options.processSnapshots)
        started()
        if options.processSnapshots {
            for pid in pids { if let snapshot = ProcFS.snapshot(of: pid, moment: .attach) { record(.snapshot(snapshot)) } }
        }
        var loop = makeLoop(.attach, tracees: tids, record: record)
        return try loop.run()
    }

    private func makeLoop(_ mode: TraceLoop.Mode, tracees: [pid_t], record: @escaping (TraceRecord) -> Void) -> TraceLoop {
        var loop = TraceLoop(mode: mode, tracees: tracees, options: options, handle: { record(.event($0)) },
                             exited: { record(.exit(threadID: $0, status: $1)) })
        loop.snapshot = { record(.snapshot($0)) }
        loop.cancelled = cancelled
        loop.waker = waker
        loop.hasUndelivered = hasUndelivered
        loop.idle = deliver
        return loop
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
