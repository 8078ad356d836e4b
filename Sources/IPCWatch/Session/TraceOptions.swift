/// What to trace and how to decode it: the options of the `ipcwatch` command line. Valid by construction:
/// the initializer settles every invariant, and nothing changes afterwards.
public struct TraceOptions: Sendable {
    /// The events to report (`-e`). A SysV event selects the i386 `ipc(2)` calls of that subcall too, and
    /// `ipc` every one of them.
    public let events: Set<Syscall>
    /// The same, as finely as names tell them apart (``CallVariant``): ``events``' every variant unless the
    /// CLI narrows it (`-e trace=mq_timedsend` does not select `mq_timedsend_time64`).
    package var variants: Set<CallVariant>
    /// How much of the tracee's memory to read and show (`-s`).
    public let decode: DecodeOptions
    /// Look up the inode of each new pipe (`-y`, `-j`): one `readlink` of /proc/TID/fd per pipe.
    public let resolvePipeInodes: Bool
    /// Launch mode (`--same-cpu`): pin the tracer thread, and so the command, to the CPU it runs on. Each stop
    /// is a round trip between tracee and tracer; on one CPU it needs no cross-CPU wake-up (measured: about
    /// 1.4 times faster per event on the benchmark machine), but the command's threads lose parallelism.
    public let sameCPU: Bool
    /// How many records a ``TraceSession`` holds for a consumer that is behind. When they are all waiting,
    /// the tracer waits too, and so does the traced thread that made the next call: a slow consumer slows
    /// the program down rather than losing events or growing memory without bound.
    public let bufferCapacity: Int
    /// Report a ``ProcessSnapshot`` of each process after every exec, at attach time and at its exit
    /// (`PTRACE_O_TRACEEXIT`: one more stop per exiting thread, and a scan of /proc/PID/fd): what ``Topology``
    /// needs to tell a pipe's readers from its writers (`--graph`). Turns on ``resolvePipeInodes``.
    public let processSnapshots: Bool
    /// Fill each event's ``Event/task`` (Tracee's task context: namespaced ids, namespaces, cgroup,
    /// executable, host name, start time, entity ids): several /proc reads per new thread and one `pread`
    /// per event. What `-j` turns on.
    public let taskContext: Bool
    /// Count, per process, pipe (or FIFO) and end, the successful calls and bytes of the read/write family
    /// (`read`, `write`, `readv`, `writev`, `preadv`, `pwritev`, their `2` forms, `splice`, `tee`, `vmsplice`,
    /// `sendfile`, `copy_file_range`), delivered as ``TraceRecord/usage(_:)`` records when a process ends and,
    /// for those still running, when the trace ends: no record per call (`--data-flow`). The filter traps
    /// those calls too; each trapped call costs a `stat` of /proc/TID/fd/N, and on a pipe a round trip
    /// to its exit. Calls on anything else resume at once. Turns on ``resolvePipeInodes``.
    public let dataFlow: Bool
    /// Report a watched call that can block when it does, before it returns (``TraceRecord/blocking(_:)``):
    /// when the tracer has nothing else to do while the call is in progress, or before a record of another
    /// thread. What strace's text needs to show a call at its entry; costs nothing for calls that return at once.
    public let reportsBlockingCalls: Bool
    /// The descriptors a launched command gets besides 0, 1 and 2.
    public let inheritedDescriptors: InheritedDescriptors

    /// Which of the caller's descriptors a launched command inherits.
    public enum InheritedDescriptors: Sendable, Hashable {
        /// Standard input, output and error only: a library's host holds sockets and pipes of its own
        /// (Foundation's `Process` knows a child has exited when the last copy of a socket closes), and a
        /// traced command must not keep them open.
        case standardStreams
        /// Every descriptor not marked close-on-exec, as a shell passes them: what the `ipcwatch` command
        /// uses, so that a command sees the fds it would see untraced (`ipcwatch -- cmd 3<file`).
        case all
    }

    /// Options that trace the events the CLI traces by default (``Syscall/defaultSelection``: all but futexes).
    public init(events: Set<Syscall> = Syscall.defaultSelection, decode: DecodeOptions = DecodeOptions(),
                resolvePipeInodes: Bool = true, sameCPU: Bool = false, bufferCapacity: Int = 1024,
                processSnapshots: Bool = false, taskContext: Bool = false,
                inheritedDescriptors: InheritedDescriptors = .standardStreams, dataFlow: Bool = false,
                reportsBlockingCalls: Bool = false, lifecycle: Bool = false, transfers: Bool = false) {
        self.events = events
        self.lifecycle = lifecycle
        self.transfers = transfers && dataFlow
        self.reportsBlockingCalls = reportsBlockingCalls
        self.variants = CallVariant.all(of: events)
        self.decode = decode
        self.resolvePipeInodes = resolvePipeInodes || processSnapshots || dataFlow
        self.dataFlow = dataFlow
        self.processSnapshots = processSnapshots
        self.taskContext = taskContext
        self.inheritedDescriptors = inheritedDescriptors
        self.sameCPU = sameCPU
        self.bufferCapacity = max(1, bufferCapacity)
    }

    /// Report each fork, clone and exec as a ``TraceRecord/lifecycle(_:)`` record (a timeline's process
    /// tracks start at the fork and mark the exec). Costs one /proc read per new task, which the first event
    /// of that task would make anyway.
    public let lifecycle: Bool

    /// With ``dataFlow`` (false without it): also report each counted call as a ``TraceRecord/transfer(_:)`` record (its
    /// descriptors' channels, bytes, entry time and duration), which a timeline needs to join each write
    /// to the reads that took its bytes. One record per read or write on a channel.
    public let transfers: Bool

    /// The signal state a launched command starts with; nil for the default of the path that launches it
    /// (the calling thread's for ``Tracer/run(launching:into:)``, an empty mask for ``TraceSession``).
    /// The CLI records its own before it changes any.
    package var commandSignalState: CommandSignalState?

    /// strace's `-u USER`: the launched command's ids (ipcwatch must be root); nil: ipcwatch's own.
    package var commandIdentity: CommandIdentity?

    /// strace's `-y`: read the `/proc` link of every descriptor the text shows (``Event/descriptorTargets``),
    /// one `readlink` each, at the call's exit. Off, nothing is read.
    package var resolveDescriptors = false
    /// strace's `-yy`, with ``resolveDescriptors``: also a device's numbers (a `stat` each) and a socket's
    /// protocol and ends (asked once per socket, then remembered by inode, as strace remembers them).
    package var descriptorDetails = false

    /// Measure where the tracer's time goes (``LoopProfile``), for a sink that is a ``LoopProfileSink``: the
    /// benchmark's per-event cost split (`IPCWATCH_PROFILE=1`).
    package var profile = false

    /// `--stall`: write a wait-for report (to a ``WaitReportSink``) once every traced thread has been blocked
    /// that long with no progress; nil: only when the sink asks.
    package var stall: StallPolicy?

    /// Syscalls the seccomp filter must trap: the selected ones, and `ipc` whenever one of its subcalls is
    /// selected, since i386 programs reach SysV through it.
    var trappedSyscalls: Set<Syscall> { Set(variants.map { $0.kind == .multiplexed ? .ipc : $0.syscall }) }

    /// The kernel entries the seccomp filter must trap: those of ``trappedSyscalls`` that reach a selected
    /// variant (i386's `mq_timedsend_time64` is not trapped for `-e trace=mq_timedsend`).
    func traps(_ entry: SyscallTable.Entry) -> Bool {
        entry.syscall == .ipc ? variants.contains { $0.kind == .multiplexed } : variants.contains(CallVariant(entry))
    }
}

/// How a trace ended.
public enum TraceOutcome: Sendable, Hashable {
    /// Every traced process ended; the status is the launched command's (attach mode: `exited(0)`).
    case exited(TerminationStatus)
    /// ``Tracer/interruptAll(signal:)`` ended the trace (a termination signal): the launched command was killed,
    /// attached processes were detached and left running.
    case interrupted(signal: Int32)
    /// The session was cancelled (``TraceSession/cancel()`` or cancellation of the consuming task), with
    /// the same effect on the tracees as ``interrupted(signal:)``.
    case cancelled
}
