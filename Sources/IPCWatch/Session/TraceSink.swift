/// Where a trace's records go, on the tracer thread itself: what ``Tracer/run(launching:into:)`` and
/// ``Tracer/run(attachingTo:into:)`` talk to. A tool that must keep up with a fast tracee implements
/// one and formats or counts there; an app that wants `async` iteration uses ``TraceSession`` instead
/// (itself a sink that hands the records to another thread).
///
/// Every call comes from the tracer thread, one at a time. Records arrive in the order the tracer saw
/// them, each *after* the tracee it concerns was resumed: the sink's work overlaps with the tracee's run,
/// and a traced thread waits for a slow sink only at its next watched call.
public protocol TraceSink: AnyObject {
    /// The trace runs: the launched command has exec'd (`processes` is its pid), or every thread of the
    /// attached `processes` is seized. Called once, before any record.
    func traceStarted(_ processes: [Int32])

    /// A watched syscall completed, a thread ended, or (with ``TraceOptions/processSnapshots``) a
    /// process was looked at. Answer ``TraceSinkReply/stop`` to end the trace now (as cancellation does:
    /// a launched command is killed, attached processes are detached).
    func receive(_ record: TraceRecord) -> TraceSinkReply

    /// Asked before the tracer looks for the next stop: true when ``tracerWillWait()`` has work to do
    /// (output to flush, a consumer to wake). Answering false saves a non-blocking `waitpid` per stop.
    var hasDeferredWork: Bool { get }

    /// No stop is ready: the tracer is about to block until the next one. The place to flush output
    /// (the sink has caught up with the tracee) or to hand a batch of records on.
    func tracerWillWait()
}

extension TraceSink {
    /// Does nothing.
    public func traceStarted(_ processes: [Int32]) {}
    /// False: nothing is deferred.
    public var hasDeferredWork: Bool { false }
    /// Does nothing.
    public func tracerWillWait() {}
}

/// A ``TraceSink``'s answer to a record.
public enum TraceSinkReply: Sendable, Hashable {
    /// Go on tracing.
    case proceed
    /// End the trace now; its outcome is ``TraceOutcome/cancelled``.
    case stop
}
