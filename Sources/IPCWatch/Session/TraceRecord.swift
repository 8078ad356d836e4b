/// One element of a ``TraceSession``: a watched syscall, a signal, or the end of a traced thread.
public enum TraceRecord: Sendable, Hashable {
    /// A watched syscall completed.
    case event(Event)
    /// A traced thread ended (`+++ exited with 0 +++` in the text output).
    case exit(threadID: Int32, status: TerminationStatus)
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
