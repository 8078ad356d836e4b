import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Traces commands it launches (ptrace + a seccomp filter) or processes it attaches to (ptrace syscall
/// stops), and delivers their watched syscalls as a ``TraceSession``.
///
/// ```swift
/// let session = try await Tracer().launch(["sh", "-c", "echo hi | cat"])
/// for try await event in session.events { print(event) }
/// print(try await session.outcome)
/// ```
///
/// Each session runs on a thread of its own: the kernel accepts ptrace requests only from the thread
/// that attached, so the tracer cannot live on Swift's cooperative thread pool.
public struct Tracer: Sendable {
    /// What is traced and how it is decoded.
    public let options: TraceOptions

    /// A tracer with `options` (by default: every event, decoded as the CLI does).
    public init(options: TraceOptions = TraceOptions()) {
        self.options = options
    }

    /// Runs `command` (the first word looked up in `PATH`, as `execvp(3)` does) under ptrace with a seccomp
    /// filter, following its children and threads. Returns once the command has been exec'd.
    ///
    /// The command inherits the caller's descriptors, environment, and the signal state the process
    /// started with. If the tracer thread dies, the command is killed (`PTRACE_O_EXITKILL`).
    ///
    /// - Throws: ``IPCWatchError/cannotRun(command:errno:)`` when the command cannot be executed,
    ///   ``IPCWatchError/cannotInstallFilter(step:errno:)``, ``IPCWatchError/system(call:errno:)``.
    public func launch(_ command: [String]) async throws(IPCWatchError) -> TraceSession {
        guard let name = command.first, !name.isEmpty else { throw .invalidRequest("no command given") }
        return try await start { engine, started, record throws(IPCWatchError) in
            try engine.launch(command, started: started, record: record)
        }
    }

    /// Attaches to every thread of the running processes `pids` and follows the children they create.
    /// Returns once all of them are attached. When the session ends early (cancellation, a termination
    /// signal), every thread is detached and runs on as before.
    ///
    /// Attach mode stops each traced thread at every syscall (a running process cannot be given a seccomp
    /// filter safely), so it slows the process more than launch mode.
    ///
    /// - Throws: ``IPCWatchError/cannotAttach(pid:reason:)`` naming the likely cause (no such process,
    ///   another user's, already traced, Yama's ptrace scope).
    public func attach(_ pids: [pid_t]) async throws(IPCWatchError) -> TraceSession {
        guard !pids.isEmpty else { throw .invalidRequest("no process given") }
        return try await start { engine, started, record throws(IPCWatchError) in
            try engine.attach(pids, started: started, record: record)
        }
    }

    private typealias Run = @Sendable (TraceEngine, _ started: @escaping () -> Void,
                                       _ record: @escaping (TraceRecord) -> Void) throws(IPCWatchError) -> TraceOutcome

    private func start(_ run: @escaping Run) async throws(IPCWatchError) -> TraceSession {
        let channel = RecordChannel(capacity: options.bufferCapacity)
        let options = options
        try TracerThread.start {
            TerminationSignals.setTracerThreadMask()
            let waker = Waker.spawn(channel: channel)
            var engine = TraceEngine(options: options, cancelled: { channel.isCancelled }, waker: waker?.pid ?? 0)
            engine.hasUndelivered = { channel.hasUndelivered }
            engine.deliver = channel.deliver
            let result = Result { () throws(IPCWatchError) in
                try run(engine, { channel.started(.success(())) }, { _ = channel.send($0) })
            }
            waker?.end(channel: channel)
            channel.finish(result)
        }
        let session = TraceSession(channel: channel)
        if case .failure(let error) = await channel.waitUntilStarted() { throw error }
        return session
    }
}

/// The tracer thread's waker child (`ipcw_spawn_waker`): cancellation kills it through a pidfd, which
/// cannot hit a recycled pid, and its exit wakes the thread's `waitpid`.
private struct Waker {
    let pid: pid_t
    let pidFD: Int32
    /// Its stack (it shares our memory): freed once it is reaped.
    let stack: UnsafeMutableRawPointer?

    /// Nil if it could not be made: then cancellation takes effect at the next stop of a tracee.
    static func spawn(channel: RecordChannel) -> Waker? {
        var stack: UnsafeMutableRawPointer?
        let pid = ipcw_spawn_waker(&stack)
        guard pid > 0 else { return nil }
        let pidFD = ipcw_pidfd_open(pid)
        guard pidFD >= 0 else {
            kill(pid, SIGKILL)
            while waitpid(pid, nil, __WALL | __WNOTHREAD) < 0 && errno == EINTR {}
            ipcw_release_waker_stack(stack)
            return nil
        }
        channel.setWaker(pidFD: pidFD)
        _ = ipcw_wakers_add(pidFD)
        return Waker(pid: pid, pidFD: pidFD, stack: stack)
    }

    /// Kills and reaps it (the loop may have reaped it already: then waitpid says ECHILD).
    func end(channel: RecordChannel) {
        ipcw_wakers_remove(pidFD)
        channel.dropWaker()
        // Its stack is freed only once it is gone: a termination signal may interrupt the wait.
        while waitpid(pid, nil, __WALL | __WNOTHREAD) < 0 && errno == EINTR {}
        ipcw_release_waker_stack(stack)
    }
}
