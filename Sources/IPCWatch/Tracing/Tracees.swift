#if canImport(Glibc)
import Glibc
#endif

/// The threads a trace waits for, and the bookkeeping of their arrival: a new child can report its first
/// stop (and even its end) before its parent's fork/clone event names it.
struct Tracees {
    private struct Tracee {
        /// Named by its parent's fork/clone event (or known from the start), not only by a stop of its own.
        var announced = true
        /// Its first stop has been handled.
        var seen = false
    }

    private var tracees: [pid_t: Tracee] = [:]
    /// New tracees that stopped and ended before their parent's event was seen: that event must not
    /// bring them back, or the loop would wait for them for ever (the waker keeps waitpid from ECHILD).
    private var endedBeforeAnnounced: Set<pid_t> = []

    /// Threads seized or launched by the tracer itself: announced and seen.
    init(_ initial: [pid_t]) {
        for tid in initial { tracees[tid] = Tracee(seen: true) }
    }

    var isEmpty: Bool { tracees.isEmpty }
    var count: Int { tracees.count }
    var threadIDs: [pid_t] { Array(tracees.keys) }
    func contains(_ tid: pid_t) -> Bool { tracees[tid] != nil }

    /// Notes a stop of `tid`; true if it is the first stop of a new tracee.
    mutating func stopped(_ tid: pid_t) -> Bool {
        if tracees[tid] == nil { tracees[tid] = Tracee(announced: false) }
        guard tracees[tid]?.seen == false else { return false }
        tracees[tid]?.seen = true
        return true
    }

    /// A fork/clone event named `child`: a tracee from now on, unless it has already come and gone.
    mutating func announce(_ child: pid_t) {
        if endedBeforeAnnounced.remove(child) != nil { return }
        tracees[child, default: Tracee()].announced = true
    }

    /// `tid` ended or was detached.
    mutating func remove(_ tid: pid_t) {
        if tracees[tid]?.announced == false { endedBeforeAnnounced.insert(tid) }
        tracees[tid] = nil
    }

    /// After an exec by a non-leader thread, the leader `tid` took over `formerThreadID`.
    /// Whether `tid` was announced stays as it was: a vfork child can exec (and end) before its parent's
    /// event names it.
    mutating func execTookOver(_ formerThreadID: pid_t, by tid: pid_t) {
        if formerThreadID != tid { tracees[formerThreadID] = nil }
        tracees[tid] = Tracee(announced: tracees[tid]?.announced ?? true, seen: true)
    }

    /// Forgets the tracees `isGone` says no longer exist.
    mutating func prune(_ isGone: (pid_t) -> Bool) {
        for tid in tracees.keys where isGone(tid) { tracees[tid] = nil }
    }

    /// The waker keeps `waitpid` from ever saying ECHILD while tracees remain; if it does, none remain.
    mutating func removeAll() { tracees.removeAll() }
}
