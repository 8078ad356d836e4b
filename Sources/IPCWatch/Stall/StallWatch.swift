#if canImport(Glibc)
import Glibc
#endif

/// `--stall`: when to write the wait-for report.
package struct StallPolicy: Sendable, Equatable {
    /// How long every traced thread must have been waiting with no progress.
    package var seconds: Double
    /// Report at the first look, whatever the threads do, then end the trace: attach mode's `--stall=0`,
    /// "why is this stuck?" on a live process.
    package var reportOnceThenEnd: Bool

    package init(seconds: Double, reportOnceThenEnd: Bool) {
        self.seconds = seconds
        self.reportOnceThenEnd = reportOnceThenEnd
    }
}

/// Decides, at each look (a tick of the ``Waker``: no polling between looks), whether every traced thread
/// has been blocked with no progress for the policy's time. Progress is a stop the loop handled since the
/// last look, or a change in what `/proc` says of a thread (``ThreadSample``: its state, its call and
/// arguments, its CPU time). A thread in a call with a timeout (a sleep, `poll` with a timeout) is not
/// stuck: it will go on by itself. One report per stall; after progress, a new stall gets its own.
struct StallWatch {
    let policy: StallPolicy
    /// Between looks: a quarter of the stall time, within 0.1 s and 1 s.
    let period: UInt64
    private var previous: [pid_t: ThreadSample] = [:]
    /// When every thread was first seen waiting, unchanged since.
    private var stillSince: UInt64?
    private var reported = false
    /// The time of the last look.
    private var previousLook: UInt64 = 0
    /// Whether each thread's last call other than `restart_syscall` had a timeout: the call a
    /// `restart_syscall` resumes (one with a timeout, unless this says otherwise).
    private var lastCallTimed: [pid_t: Bool] = [:]
    /// Each thread's ABI (its program's ELF header), read once.
    private var abis: [pid_t: SyscallABI] = [:]

    init(policy: StallPolicy) {
        self.policy = policy
        period = UInt64(min(max(policy.seconds / 4, 0.1), 1.0) * 1e9)
    }

    /// One look at `tids`: the seconds they have all been stuck when that reaches the policy's time for the
    /// first time in this stall, nil otherwise.
    mutating func look(at tids: [pid_t], progressed: Bool, now: UInt64) -> Double? {
        var samples: [pid_t: ThreadSample] = [:]
        var allWaiting = !tids.isEmpty
        for tid in tids {
            guard let sample = ThreadSample(tid: tid), !sample.isGone else { continue }
            samples[tid] = sample
            let abi = abis[tid] ?? SyscallABI.of(tid: tid)
            abis[tid] = abi
            let timed = sample.call(abi: abi).map { timedCall(tid: tid, $0.number, $0.arguments) } ?? false
            if !sample.isWaiting || (timed && !sample.isStopped) { allWaiting = false }
        }
        if samples.isEmpty { allWaiting = false }
        lastCallTimed = lastCallTimed.filter { samples[$0.key] != nil }
        // An exec (a stop: progress) may change a program's ABI: read it again then.
        abis = progressed ? [:] : abis.filter { samples[$0.key] != nil }
        defer { previous = samples; previousLook = now }
        if progressed || samples != previous || !allWaiting {
            stillSince = allWaiting && !progressed ? now : nil
            reported = false
            return nil
        }
        // Unchanged since the last look, which saw them all waiting already.
        let since = stillSince ?? previousLook
        stillSince = since
        guard !reported, Double(now - since) / 1e9 >= policy.seconds else { return nil }
        reported = true
        return Double(now - since) / 1e9
    }

    /// The call ends by itself. `restart_syscall` resumes the call this thread was seen in before it, if any.
    private mutating func timedCall(tid: pid_t, _ number: Int, _ arguments: [UInt64]) -> Bool {
        if number == BlockingCall.restart { return lastCallTimed[tid] ?? true }
        let timed = BlockingCall.hasTimeout(number, arguments)
        lastCallTimed[tid] = timed
        return timed
    }
}

/// A sink that also takes wait-for reports: at a stall (``TraceOptions/stall``) and when it asks for one.
package protocol WaitReportSink: TraceSink {
    /// Asked at each tick of the trace's waker (``Tracer/tickAll()`` makes one): true to have a report now.
    /// True once per request.
    func takeWaitReportRequest() -> Bool
    /// A report, built on the tracer thread while every tracee runs (or waits) on.
    func waitReported(_ report: WaitReport)
    /// A process found related to a named one could not be attached: the trace goes on without it.
    func discoveredProcessRefused(_ pid: Int32, reason: String)
}
