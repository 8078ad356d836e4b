/// One element of a ``TraceSession``: a watched syscall, a signal, or the end of a traced thread.
public enum TraceRecord: Sendable, Hashable {
    /// A watched syscall completed.
    case event(Event)
    /// With ``TraceOptions/reportsBlockingCalls``: a watched call that can block (``Event/call`` decoded from
    /// what the thread passed in, ``Event/result`` ``SyscallResult/Unfinished/inProgress``) was entered and has
    /// not returned, while the tracer had nothing else to do or another thread's record came first. At most
    /// once per call; the call's own ``event(_:)`` follows when it returns (strace's `<unfinished ...>`).
    case blocking(Event)
    /// A traced thread ended (`+++ exited with 0 +++` in the text output).
    case exit(threadID: Int32, status: TerminationStatus)
    /// A thread other than the leader exec'd: it goes on as the leader `threadID`, its own id
    /// `formerThreadID` gone, and the leader with it (strace's `+++ superseded by execve in pid N +++`).
    case superseded(threadID: Int32, formerThreadID: Int32)
    /// The pipe ends a process held after an exec, when attached, or at its exit; only with
    /// ``TraceOptions/processSnapshots``. ``Topology`` is built from these and the events.
    case snapshot(ProcessSnapshot)
    /// A signal reached a tracee, or stopped it (`--- SIGCHLD {…} ---`, `--- stopped by SIGSTOP ---`).
    /// Tracee's schema has no such event: the JSON output leaves it out.
    case signal(SignalDelivery)
    /// With ``TraceOptions/dataFlow``: what a process moved through one pipe end (``ChannelUsage``).
    case usage(ChannelUsage)
    /// With ``TraceOptions/lifecycle``: a task was forked or cloned, or exec'd.
    case lifecycle(ProcessLifecycle)
    /// With ``TraceOptions/transfers``: one read/write-family call on a pipe, FIFO or Unix socket.
    case transfer(ChannelTransfer)
}

extension TraceRecord {
    /// The thread a record is a line of (nil for what no line shows: snapshots, usage counts, lifecycle
    /// changes, transfers).
    var threadID: Int32? {
        switch self {
        case .event(let event), .blocking(let event): event.threadID
        case .exit(let tid, _), .superseded(let tid, _): tid
        case .signal(let signal): signal.threadID
        case .snapshot, .usage, .lifecycle, .transfer: nil
        }
    }
}
