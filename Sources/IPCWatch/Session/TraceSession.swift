/// A running trace: an `AsyncSequence` of ``TraceRecord``s (events and thread exits) in the order the
/// tracer saw them, ending when every traced process has ended, then ``outcome``.
///
/// Back-pressure: the tracer holds at most ``TraceOptions/bufferCapacity`` records for a consumer that is
/// behind; then it waits, and the traced thread waits in its syscall with it. No event is lost and
/// memory stays bounded, but a slow consumer slows the traced program down. Consume the records, or
/// ``cancel()``: awaiting ``outcome`` alone does not drain them.
///
/// Cancelling the task that iterates the session (or awaits ``outcome``), calling ``cancel()``, or
/// releasing the last reference to the session ends the trace: a launched command is killed, attached
/// processes are detached and left running.
public final class TraceSession: AsyncSequence, Sendable {
    /// Events, thread exits and (with ``TraceOptions/processSnapshots``) snapshots.
    public typealias Element = TraceRecord
    /// What ends the sequence with an error: the tracer could not go on.
    public typealias Failure = IPCWatchError

    let channel: RecordChannel

    init(channel: RecordChannel) {
        self.channel = channel
    }

    deinit {
        channel.cancel()
    }

    /// How the trace ended (the command's exit status in launch mode). Waits for the end.
    ///
    /// - Throws: the ``IPCWatchError`` that stopped the tracer, if one did.
    public var outcome: TraceOutcome {
        get async throws(IPCWatchError) { try await channel.outcome().get() }
    }

    /// Ends the trace now: a launched command is killed, attached processes are detached. The sequence
    /// ends (records not yet consumed are dropped) and ``outcome`` becomes ``TraceOutcome/cancelled``.
    public func cancel() {
        channel.cancel()
    }

    /// True while records are queued, so that the next one comes without waiting. A consumer that buffers
    /// its output can flush it when this is false: it has caught up, and what it wrote should be seen now
    /// (the CLI does, like strace, which writes each line as the call ends).
    public var hasPendingRecords: Bool { channel.hasQueued }

    /// The watched syscalls only, without thread exits.
    public var events: Events { Events(session: self) }

    /// An iterator over the session's records.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(session: self) }

    /// Iterates the records of a session. Several iterators share one stream: each record goes to one of them.
    public struct AsyncIterator: AsyncIteratorProtocol {
        // Holding the session keeps it from being cancelled on release while it is iterated.
        let session: TraceSession

        /// The next record, or nil at the end of the trace (or once it is cancelled).
        public mutating func next() async throws(IPCWatchError) -> TraceRecord? {
            try await session.channel.next().get()
        }

        /// The next record, or nil at the end (what `for try await` calls).
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(IPCWatchError) -> TraceRecord? {
            try await session.channel.next().get()
        }
    }

    /// The ``Event``s of a session, skipping ``TraceRecord/exit(threadID:status:)`` records.
    public struct Events: AsyncSequence, Sendable {
        /// The events.
        public typealias Element = Event
        /// The session's failure.
        public typealias Failure = IPCWatchError

        let session: TraceSession

        /// An iterator over the session's events.
        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(records: session.makeAsyncIterator()) }

        /// Iterates the events of a session.
        public struct AsyncIterator: AsyncIteratorProtocol {
            var records: TraceSession.AsyncIterator

            /// The next event, or nil at the end of the trace.
            public mutating func next() async throws(IPCWatchError) -> Event? {
                while let record = try await records.next() {
                    if case .event(let event) = record { return event }
                }
                return nil
            }

            /// The next event, or nil at the end (what `for try await` calls).
            public mutating func next(isolation actor: isolated (any Actor)?) async throws(IPCWatchError) -> Event? {
                while let record = try await records.next(isolation: actor) {
                    if case .event(let event) = record { return event }
                }
                return nil
            }
        }
    }
}
