import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Traces commands it launches (ptrace + a seccomp filter) or processes it attaches to (ptrace syscall
/// stops), following their children and threads. Two ways to receive what it sees:
///
/// - as a ``TraceSession``, an `AsyncSequence` of records traced on a thread of its own:
///   ```swift
///   let session = try await Tracer().launch(["sh", "-c", "echo hi | cat"])
///   for try await event in session.events { print(event) }
///   print(try await session.outcome)
///   ```
/// - synchronously, on the calling thread, into a ``TraceSink`` of yours: ``run(launching:into:)``, for a
///   tool that must keep up with a fast tracee (what the `ipcwatch` command does).
///
/// The kernel accepts ptrace requests only from the thread that attached, so a trace never runs on
/// Swift's cooperative thread pool.
public struct Tracer: Sendable {
    /// What is traced and how it is decoded.
    public let options: TraceOptions

    /// A tracer with `options` (by default: every event, decoded as the CLI does).
    public init(options: TraceOptions = TraceOptions()) {
        self.options = options
    }

    // MARK: sessions

    /// Runs `command` (the first word looked up in `PATH`, as `execvp(3)` does) under ptrace with a seccomp
    /// filter, following its children and threads. Returns once the command has been exec'd.
    ///
    /// The command inherits the caller's descriptors (see ``TraceOptions/inheritedDescriptors``) and
    /// environment, no blocked signals, and the ignored signals of the process. If the tracer thread dies,
    /// the command is killed (`PTRACE_O_EXITKILL`).
    ///
    /// - Throws: ``IPCWatchError/cannotRun(command:errno:)`` when the command cannot be executed,
    ///   ``IPCWatchError/cannotInstallFilter(_:errno:)``, ``IPCWatchError/cannotStart(_:errno:)``.
    public func launch(_ command: [String]) async throws(IPCWatchError) -> TraceSession {
        try await session(for: try Target(launching: command))
    }

    /// Attaches to every thread of the running processes `pids` and follows the children they create.
    /// Returns once all of them are attached. When the session ends early (cancellation,
    /// ``interruptAll(signal:)``), every thread is detached and runs on as before.
    ///
    /// Attach mode stops each traced thread at every syscall (a running process cannot be given a seccomp
    /// filter safely), so it slows the process more than launch mode.
    ///
    /// - Throws: ``IPCWatchError/cannotAttach(pid:reason:)`` naming the likely cause (no such process,
    ///   another user's, already traced, Yama's ptrace scope).
    public func attach(_ pids: [pid_t]) async throws(IPCWatchError) -> TraceSession {
        try await session(for: try Target(attachingTo: pids))
    }

    // MARK: sinks

    /// Launches `command` as ``launch(_:)`` does and traces it on the calling thread until every process
    /// of it has ended, handing each record to `sink` on this thread.
    ///
    /// The calling thread becomes the tracer: call this from the main thread or a thread of your own,
    /// never from a Swift concurrency task. The command starts with this thread's signal mask and the
    /// process's ignored signals. Returns the command's outcome; a command that cannot be run throws.
    public func run(launching command: [String], into sink: some TraceSink) throws(IPCWatchError) -> TraceOutcome {
        try run(try Target(launching: command), into: sink, waker: try Waker(),
                signals: options.commandSignalState ?? .forkingThread)
    }

    /// Attaches to `pids` as ``attach(_:)`` does and traces them on the calling thread until they end
    /// or the trace is stopped (``TraceSinkReply/stop``, ``interruptAll(signal:)``): then every thread
    /// is detached and runs on as before.
    public func run(attachingTo pids: [pid_t], into sink: some TraceSink) throws(IPCWatchError) -> TraceOutcome {
        try run(try Target(attachingTo: pids), into: sink, waker: try Waker(), signals: .forkingThread)
    }

    /// The same, and also `discovered` (``RelatedProcesses``), as far as they can be attached: each refused
    /// is told to the sink if it is a ``WaitReportSink``; only a refusal of `pids` fails.
    package func run(attachingTo pids: [pid_t], discovered: [pid_t], into sink: some TraceSink) throws(IPCWatchError) -> TraceOutcome {
        try run(try Target(attachingTo: pids, discovered: discovered), into: sink, waker: try Waker(), signals: .forkingThread)
    }

    /// Ends every trace running in this process now, with ``TraceOutcome/interrupted(signal:)``: launched
    /// commands are killed, attached processes detached. Traces started later are not affected.
    ///
    /// Async-signal-safe: meant for a handler of SIGTERM, SIGINT or SIGHUP that the host installs.
    public static func interruptAll(signal: Int32) {
        guard signal > 0 else { return }  // 0 and negatives are the slots' own codes
        ipcw_wakers_wake_all(signal)
    }

    /// Wakes every trace running in this process now without ending it: each asks its sink, if it is a
    /// ``WaitReportSink``, whether it wants a wait-for report (the CLI's SIGUSR1).
    ///
    /// Async-signal-safe.
    package static func tickAll() {
        ipcw_wakers_tick_all()
    }

    // MARK: the trace

    private enum Target: Sendable {
        case launch([String])
        case attach([pid_t], discovered: [pid_t])

        init(launching command: [String]) throws(IPCWatchError) {
            guard let name = command.first, !name.isEmpty else { throw .invalidRequest("no command given") }
            self = .launch(command)
        }

        init(attachingTo pids: [pid_t], discovered: [pid_t] = []) throws(IPCWatchError) {
            guard !pids.isEmpty else { throw .invalidRequest("no process given") }
            self = .attach(pids, discovered: discovered)
        }
    }

    /// Starts the trace on a thread of its own, with a ``RecordChannel`` as its sink.
    private func session(for target: Target) async throws(IPCWatchError) -> TraceSession {
        let waker = try Waker()
        let channel = RecordChannel(capacity: options.bufferCapacity, waker: waker)
        let tracer = self
        try TracerThread.start {
            let result = Result { () throws(IPCWatchError) in
                try tracer.run(target, into: channel, waker: waker, signals: tracer.options.commandSignalState ?? .emptyMask)
            }
            channel.finish(result)
        }
        let session = TraceSession(channel: channel)
        if case .failure(let error) = await channel.waitUntilStarted() { throw error }
        return session
    }

    /// One whole trace on the calling thread, which becomes the tracer.
    private func run(_ target: Target, into sink: any TraceSink, waker: Waker, signals: CommandSignalState)
        throws(IPCWatchError) -> TraceOutcome {
        try waker.start()
        defer { waker.finish() }
        var loop: TraceLoop
        switch target {
        case .launch(let command):
            let root = try Launcher.launch(command, options: options, signals: signals)
            sink.traceStarted([root])
            loop = TraceLoop(mode: .launch, tracees: [root], options: options, sink: sink, waker: waker)
            loop.rootExecuted()
        case .attach(let pids, let discovered):
            let attached = try Attacher.attach(pids, discovered: discovered, traceExit: options.processSnapshots, waker: waker)
            if let reporting = sink as? any WaitReportSink {
                attached.refused.forEach { reporting.discoveredProcessRefused($0.pid, reason: $0.reason) }
            }
            sink.traceStarted(attached.processes)
            loop = TraceLoop(mode: .attach, tracees: attached.tids, options: options, sink: sink, waker: waker)
            loop.attached(attached.processes)
        }
        return try loop.run()
    }
}
