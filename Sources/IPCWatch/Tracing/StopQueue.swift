import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Where the trace loop gets its next stop: the one owner of `waitpid` in a trace. Two rules, each
/// measured (Benchmarks/bench.py):
///
/// - **Every tracee that is ready is served in turn** (strace's `next_event()`). `waitpid(-1)` reports the
///   first ready tracee in the kernel's list, so one `waitpid` per stop can serve a thread that stops often
///   forever while another waits, and a traced program can hang because of its tracer. The queue is
///   refilled only once it is empty, with every stop ready at that moment: none waits more than a round.
/// - **Poll briefly before sleeping.** A tracer blocked in `waitpid` is woken on another, idle CPU: on a VM
///   a cross-CPU wake-up is most of a ptrace round trip. A tracer still polling when the stop comes needs
///   none. Polling is bounded by ``SpinPolicy/window`` and backs off while stops keep coming later than
///   that (an idle program, long untrapped stretches), so an idle trace costs nothing.
///
/// Nothing here touches a tracee (not its CPU set, not its scheduling): only how the tracer waits.
struct StopQueue {
    /// What ``next(others:wakerPID:sink:)`` found.
    enum Report {
        /// `message`: `PTRACE_GETEVENTMSG` of a fork, clone or exec event, read when the stop was collected
        /// (nil for other stops, or when the tracee was already gone).
        case stop(pid_t, WaitStatus, message: UInt?)
        /// The waker ended (the trace is asked to end), or a signal interrupted the wait.
        case woken
        /// No child is left to wait for.
        case noTracees
        /// Nothing is ready and the tracer would now sleep: asked for with `returnsBeforeSleeping`, so that
        /// the loop can report what it knows first (a call that blocks). Ask again to sleep.
        case wouldSleep
    }

    private var ready: [(tid: pid_t, status: WaitStatus, message: UInt?)] = []
    private var head = 0
    private var spin: SpinPolicy
    /// With ``TraceOptions/profile``: the time the sink's deferred work took, taken by the loop after each wait.
    private let timesDeferredWork: Bool
    private var deferredWorkNanoseconds: UInt64 = 0
    /// Waits that blocked (the others found their stop by polling, or ready at once).
    private(set) var sleeps = 0
    /// The waker stopped itself (a deadline, or a report asked for) since ``takeTick()``: it waits to be continued.
    private var ticked = false

    /// `polls`: false when polling can only slow the tracees (one CPU to share with them).
    init(polls: Bool, timesDeferredWork: Bool = false) {
        spin = SpinPolicy(enabled: polls)
        self.timesDeferredWork = timesDeferredWork
    }

    /// The deferred work's time since the last call.
    mutating func takeDeferredWorkTime() -> UInt64 {
        defer { deferredWorkNanoseconds = 0 }
        return deferredWorkNanoseconds
    }

    /// The next stop of the current round, or a new round once this one is served. `others`: more than one
    /// tracee exists, so a stop may come with others worth collecting in the same round. `returnsBeforeSleeping`:
    /// answer ``Report/wouldSleep`` rather than block.
    mutating func next(others: Bool, wakerPID: pid_t, sink: any TraceSink,
                       returnsBeforeSleeping: Bool = false) throws(IPCWatchError) -> Report {
        if head == ready.count {
            ready.removeAll(keepingCapacity: true)
            head = 0
            if let report = try refill(others: others, wakerPID: wakerPID, sink: sink, returnsBeforeSleeping: returnsBeforeSleeping) {
                return report
            }
        }
        defer { head += 1 }
        return .stop(ready[head].tid, ready[head].status, message: ready[head].message)
    }

    /// True once per tick of the waker (``Waker/tick(at:)``), which then waits for ``Waker/continueAfterTick()``;
    /// only once the round is served (every stop seen so far has been handled).
    mutating func takeTick() -> Bool {
        guard ticked && head == ready.count else { return false }
        ticked = false
        return true
    }

    /// Whether a stop or end of `tid` waits in this round: such a tracee is not gone yet, whatever `kill(tid, 0)`
    /// says (its end has been reaped, not yet handled).
    func isQueued(_ tid: pid_t) -> Bool { ready[head...].contains { $0.tid == tid } }

    /// One `waitpid`'s answer.
    private enum Answer { case queued, nothing, waker, tick, interrupted, noChildren }

    private mutating func wait(blocking: Bool, wakerPID: pid_t) throws(IPCWatchError) -> Answer {
        var raw: Int32 = 0
        // WUNTRACED: the waker's own stops (ticks) are reported; a tracee's are, whatever the flag.
        let tid = waitpid(-1, &raw, __WALL | __WNOTHREAD | WUNTRACED | (blocking ? 0 : WNOHANG))
        if tid > 0 {
            if tid == wakerPID {
                guard WaitStatus(rawValue: raw).stopped else { return .waker }
                ticked = true
                return .tick
            }
            queue(tid, WaitStatus(rawValue: raw))
            return .queued
        }
        if tid == 0 { return .nothing }
        switch errno {
        case EINTR: return .interrupted
        case ECHILD: return .noChildren
        default: throw .waitFailed(errno: .current)
        }
    }

    /// Queues a stop, with what must be read while the tracee is still in it. The message of a fork or exec
    /// event is read now: by the time the round reaches it, another thread's `exit_group` or exec may have
    /// taken the tracee (and a former leader's tid) away. An exec makes the stops queued for the same tid
    /// before it stale: they were the old leader's, killed by the exec (strace's `extra_tcp`).
    private mutating func queue(_ tid: pid_t, _ status: WaitStatus) {
        let event = status.stopped ? status.ptraceEvent : 0
        var message: UInt?
        switch event {
        case Int32(IPCW_PTRACE_EVENT_FORK), Int32(IPCW_PTRACE_EVENT_VFORK), Int32(IPCW_PTRACE_EVENT_CLONE),
             Int32(IPCW_PTRACE_EVENT_EXEC):
            message = try? Ptrace(tid: tid).eventMessage()
        default:
            break
        }
        if event == Int32(IPCW_PTRACE_EVENT_EXEC) {
            let stale = ready[head...].indices.filter { ready[$0].tid == tid && ready[$0].status.stopped }
            for index in stale.reversed() { ready.remove(at: index) }
        }
        ready.append((tid, status, message))
    }

    /// Fills the queue with what is ready now, polling and then blocking for the first stop if nothing is;
    /// a report instead when there is no stop to serve.
    private mutating func refill(others: Bool, wakerPID: pid_t, sink: any TraceSink,
                                 returnsBeforeSleeping: Bool) throws(IPCWatchError) -> Report? {
        // A blocking wait returns at once when a stop is ready: the non-blocking one first only when something
        // is to be done before sleeping (polling, the sink's deferred work, a report of the caller's).
        var first = spin.enabled || sink.hasDeferredWork || returnsBeforeSleeping
            ? try wait(blocking: false, wakerPID: wakerPID) : .nothing
        if first == .nothing && spin.shouldPoll() {
            let deadline = Clock.monotonicNanoseconds() + SpinPolicy.window
            repeat {
                first = try wait(blocking: false, wakerPID: wakerPID)
            } while first == .nothing && Clock.monotonicNanoseconds() < deadline
            spin.polled(found: first != .nothing && first != .interrupted)
        }
        if first == .nothing && returnsBeforeSleeping { return .wouldSleep }
        if first == .nothing {
            if sink.hasDeferredWork {  // caught up: flush while nothing is ready
                let started = timesDeferredWork ? Clock.monotonicNanoseconds() : 0
                sink.tracerWillWait()
                if timesDeferredWork { deferredWorkNanoseconds &+= Clock.monotonicNanoseconds() &- started }
            }
            sleeps &+= 1
            first = try wait(blocking: true, wakerPID: wakerPID)
        }
        switch first {
        case .queued: break
        case .waker, .tick, .interrupted, .nothing: return .woken
        case .noChildren: return .noTracees
        }
        // The rest of the round: everything else ready now. A waker seen here is answered after the round
        // (the loop asks its reason at every stop).
        if others {
            while true {
                let answer = try wait(blocking: false, wakerPID: wakerPID)
                if answer != .queued && answer != .waker && answer != .tick { break }
            }
        }
        return nil
    }
}

/// How long the tracer polls for the next stop before it blocks, and how often.
///
/// A poll that finds its stop saved a wake-up; one that finds nothing cost ``window`` of CPU for nothing. After
/// a miss the next polls are skipped, 1, 3, 7 … 63 of them as misses repeat, and the first find resets that:
/// a program that calls every 0.3 s costs one window per 64 of its calls; a busy one is polled for always.
struct SpinPolicy {
    /// 50 µs: longer than a ptrace round trip and a mixed run of 100 untrapped calls here, shorter than a
    /// scheduler tick (DESIGN §8: 20 µs lost the mixed workload's stops, 50 µs caught them).
    static let window: UInt64 = 50_000
    private static let longestBackoff = 63

    let enabled: Bool
    private var backoff = 0
    private var skipped = 0

    init(enabled: Bool) { self.enabled = enabled }

    /// Whether to poll before this wait.
    mutating func shouldPoll() -> Bool {
        guard enabled else { return false }
        guard skipped >= backoff else {
            skipped += 1
            return false
        }
        return true
    }

    /// What the poll found.
    mutating func polled(found: Bool) {
        backoff = found ? 0 : min(backoff * 2 + 1, Self.longestBackoff)
        skipped = 0
    }
}
