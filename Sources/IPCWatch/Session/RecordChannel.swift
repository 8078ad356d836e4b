import CSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The hand-off between the tracer thread (which must block: it owns the tracees) and async consumers:
/// a bounded FIFO of records, the trace's start and end, and cancellation. The ``TraceSink`` behind
/// every ``TraceSession``.
///
/// A plain pthread mutex and condition variable rather than an actor: the producer is a thread that must
/// wait, synchronously, while the buffer is full, and a stopped tracee waits with it.
final class RecordChannel: @unchecked Sendable {
    typealias Waiter<T> = CheckedContinuation<Result<T, IPCWatchError>, Never>

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let spaceAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    let capacity: Int
    /// Set once; read by the tracer at every stop without taking the lock.
    private let cancelFlag = Atomic<Bool>(false)

    // Guarded by `mutex`.
    private var buffer: [TraceRecord] = []
    private var head = 0
    /// Queued events and exits. Snapshots alone do not wake a consumer (each wake-up of an idle thread
    /// costs tens of microseconds, and one comes at every exec): they go with the next record that does, or
    /// at the end. An exit does: a consumer waiting for a thread to end must not wait for a later event.
    private var queuedUrgent = 0

    private static func isUrgent(_ record: TraceRecord) -> Bool {
        switch record {
        case .snapshot, .usage, .lifecycle, .transfer: return false
        case .event, .blocking, .exit, .superseded, .signal: return true
        }
    }
    private var consumers: [Waiter<TraceRecord?>] = []
    private var startWaiter: Waiter<Void>?
    private var startResult: Result<Void, IPCWatchError>?
    private var ending: Result<TraceOutcome, IPCWatchError>?
    /// An ending failure is thrown to one consumer; afterwards the sequence just ends.
    private var failureDelivered = false
    private var outcomeWaiters: [Waiter<TraceOutcome>] = []
    /// Wakes the tracer's `waitpid` on cancellation, which no tracee would end.
    private let waker: Waker

    init(capacity: Int, waker: Waker) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.waker = waker
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(spaceAvailable, nil)
    }

    deinit {
        pthread_cond_destroy(spaceAvailable)
        pthread_mutex_destroy(mutex)
        spaceAvailable.deallocate()
        mutex.deallocate()
    }

    private func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    private var count: Int { buffer.count - head }

    private func removeFirst() -> TraceRecord {
        let record = buffer[head]
        if Self.isUrgent(record) { queuedUrgent -= 1 }
        head += 1
        if head == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= capacity {
            buffer.removeFirst(head)
            head = 0
        }
        return record
    }

    var isCancelled: Bool { cancelFlag.load(ordering: .relaxed) }

    /// Records are queued: the next `next()` does not wait.
    var hasQueued: Bool { withLock { count > 0 } }

    // MARK: tracer thread

    /// Queues `record`, waiting while the buffer is full. False once the session is cancelled.
    ///
    /// A waiting consumer is not woken for each record: the tracer calls `deliver()` before it blocks,
    /// so that a burst of stops (many traced threads) costs one wake-up, not one per event.
    func send(_ record: TraceRecord) -> Bool {
        pthread_mutex_lock(mutex)
        while count >= capacity && !isCancelled {
            if let (consumer, first) = takeWaitingConsumer() {
                pthread_mutex_unlock(mutex)
                consumer.resume(returning: .success(first))
                pthread_mutex_lock(mutex)
                continue
            }
            pthread_cond_wait(spaceAvailable, mutex)
        }
        if isCancelled {
            pthread_mutex_unlock(mutex)
            return false
        }
        buffer.append(record)
        if Self.isUrgent(record) { queuedUrgent += 1 }
        pthread_mutex_unlock(mutex)
        return true
    }

    /// Consumers waiting in `next()` (for tests of the burst rule).
    var waitingConsumers: Int { withLock { consumers.count } }

    /// True when a consumer waits while events or exits are queued: `deliver()` has something to do.
    var hasUndelivered: Bool { withLock { queuedUrgent > 0 && !consumers.isEmpty } }

    /// Wakes a waiting consumer with the first queued record; it takes the rest without waiting.
    func deliver() {
        pthread_mutex_lock(mutex)
        let taken = takeWaitingConsumer()
        pthread_mutex_unlock(mutex)
        if let (consumer, first) = taken { consumer.resume(returning: .success(first)) }
    }

    /// A waiting consumer and the record it gets, if both exist. Called with the lock held.
    private func takeWaitingConsumer() -> (Waiter<TraceRecord?>, TraceRecord)? {
        guard !consumers.isEmpty, let record = takeQueued() else { return nil }
        return (consumers.removeFirst(), record)
    }

    /// The command runs (launch) or every thread is attached (attach), or the trace could not start.
    func started(_ result: Result<Void, IPCWatchError>) {
        let waiter: Waiter<Void>? = withLock {
            guard startResult == nil else { return nil }
            startResult = result
            defer { startWaiter = nil }
            return startWaiter
        }
        waiter?.resume(returning: result)
    }

    /// The trace is over: consumers get the records still queued, then the end.
    func finish(_ result: Result<TraceOutcome, IPCWatchError>) {
        started(result.map { _ in () })
        let (resumptions, outcomeWaiters): ([(Waiter<TraceRecord?>, Result<TraceRecord?, IPCWatchError>)],
                                            [Waiter<TraceOutcome>]) = withLock {
            ending = result
            let resumptions = consumers.map { consumer in (consumer, takeQueued().map { .success($0) } ?? endOfSequence()) }
            defer { consumers = []; self.outcomeWaiters = [] }
            return (resumptions, self.outcomeWaiters)
        }
        for (consumer, value) in resumptions { consumer.resume(returning: value) }
        outcomeWaiters.forEach { $0.resume(returning: result) }
    }

    // MARK: consumers

    func waitUntilStarted() async -> Result<Void, IPCWatchError> {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: Waiter<Void>) in
                let ready: Result<Void, IPCWatchError>? = withLock {
                    if let startResult { return startResult }
                    startWaiter = waiter
                    return nil
                }
                if let ready { waiter.resume(returning: ready) }
            }
        } onCancel: {
            cancel()
        }
    }

    /// The next record, nil at the end (or once cancelled), or the error that ended the trace.
    func next() async -> Result<TraceRecord?, IPCWatchError> {
        // Fast path: a record is waiting; no continuation, no suspension.
        if isCancelled { return .success(nil) }
        if let record = withLock({ takeQueued() }) { return .success(record) }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: Waiter<TraceRecord?>) in
                pthread_mutex_lock(mutex)
                if let record = takeQueued() {
                    pthread_mutex_unlock(mutex)
                    waiter.resume(returning: .success(record))
                } else if ending != nil || isCancelled {
                    let end = endOfSequence()
                    pthread_mutex_unlock(mutex)
                    waiter.resume(returning: end)
                } else {
                    consumers.append(waiter)
                    pthread_mutex_unlock(mutex)
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// The first queued record, making room for the tracer. Called with the lock held.
    private func takeQueued() -> TraceRecord? {
        guard count > 0 else { return nil }
        pthread_cond_signal(spaceAvailable)
        return removeFirst()
    }

    /// What a consumer gets once nothing is queued and the trace is over. Called with the lock held.
    private func endOfSequence() -> Result<TraceRecord?, IPCWatchError> {
        if case .failure(let error)? = ending, !failureDelivered {
            failureDelivered = true
            return .failure(error)
        }
        return .success(nil)
    }

    func outcome() async -> Result<TraceOutcome, IPCWatchError> {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: Waiter<TraceOutcome>) in
                let ready: Result<TraceOutcome, IPCWatchError>? = withLock {
                    if let ending { return ending }
                    outcomeWaiters.append(waiter)
                    return nil
                }
                if let ready { waiter.resume(returning: ready) }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Stops the trace: the tracer stops waiting for space, and its `waitpid` is woken.
    func cancel() {
        let consumers: [Waiter<TraceRecord?>] = withLock {
            guard !isCancelled, ending == nil else { return [] }
            cancelFlag.store(true, ordering: .relaxed)
            pthread_cond_broadcast(spaceAvailable)
            waker.wake(.cancelled)
            defer { self.consumers = [] }
            return self.consumers
        }
        consumers.forEach { $0.resume(returning: .success(nil)) }
    }
}

extension RecordChannel: TraceSink {
    func traceStarted(_ processes: [Int32]) { started(.success(())) }
    func receive(_ record: TraceRecord) -> TraceSinkReply { send(record) ? .proceed : .stop }
    var hasDeferredWork: Bool { hasUndelivered }
    func tracerWillWait() { deliver() }
}
