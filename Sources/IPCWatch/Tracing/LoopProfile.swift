/// Where the tracer's time goes, by phase of the loop: the benchmark's per-event cost split
/// (``TraceOptions/profile``; off by default, when it costs one branch per phase). Two clock reads per phase
/// (the vDSO's, tens of nanoseconds) when on.
package struct LoopProfile: Sendable {
    package enum Phase: Int, CaseIterable, Sendable {
        /// In `waitpid`, polling or blocked: the kernel's round trip from a resumed tracee to its next stop,
        /// the tracee's own run included.
        case waiting
        /// Stops classified, ptrace requests (`PTRACE_GET_SYSCALL_INFO`, the resumptions), bookkeeping.
        case ptrace
        /// Calls entered and exited: the tracee's memory read and each call decoded into an ``Event``.
        case decoding
        /// The sink's work per record: the text or JSON line formatted into its buffer (and the buffer written
        /// when it is full).
        case formatting
        /// The sink's deferred work before the tracer blocks: what is buffered, written.
        case writing
    }

    package let enabled: Bool
    package private(set) var nanoseconds = [UInt64](repeating: 0, count: Phase.allCases.count)
    /// Events delivered (the per-event figures divide by this).
    package private(set) var events = 0
    /// Stops handled.
    package private(set) var stops = 0
    /// Waits that blocked in `waitpid` (set at the end of the trace).
    package var sleeps = 0

    init(enabled: Bool) { self.enabled = enabled }

    /// Starts the measurement (the loop's first wait): phases are charged from now on.
    mutating func begin() -> UInt64 {
        guard enabled else { return 0 }
        measuring = true
        return Clock.monotonicNanoseconds()
    }
    private var measuring = false

    /// Ends the measurement: later charges are not the loop's.
    mutating func end() { measuring = false }

    /// A start time for ``add(_:since:)`` and ``charge(_:since:insteadOf:)``; 0 (no clock read) when off.
    func start() -> UInt64 { measuring ? Clock.monotonicNanoseconds() : 0 }

    /// Charges the time since `start` to `phase`; returns now, the start of the next phase.
    @discardableResult
    mutating func add(_ phase: Phase, since start: UInt64) -> UInt64 {
        guard measuring else { return 0 }
        let now = Clock.monotonicNanoseconds()
        nanoseconds[phase.rawValue] &+= now &- start
        return now
    }

    /// Charges the time since `start` to `phase`, taking it from `outer`, the phase it was measured within.
    mutating func charge(_ phase: Phase, since start: UInt64, insteadOf outer: Phase) {
        guard measuring else { return }
        charge(phase, elapsed: Clock.monotonicNanoseconds() &- start, insteadOf: outer)
    }

    /// Charges `elapsed`, measured within `outer`, to `phase` instead.
    mutating func charge(_ phase: Phase, elapsed: UInt64, insteadOf outer: Phase) {
        guard measuring else { return }
        nanoseconds[phase.rawValue] &+= elapsed
        nanoseconds[outer.rawValue] &-= elapsed
    }

    mutating func countStop() { if measuring { stops &+= 1 } }
    mutating func countEvent() { if measuring { events &+= 1 } }

    /// One line: microseconds per event in each phase, and their sum.
    package var summary: String {
        let perEvent = { (ns: UInt64) in Double(ns) / 1000 / Double(max(1, events)) }
        let phases = Phase.allCases.map { "\($0) \(Self.format(perEvent(nanoseconds[$0.rawValue])))" }
        return "per event (µs, \(events) events, \(stops) stops, \(sleeps) sleeps): " + phases.joined(separator: ", ")
            + ", total \(Self.format(perEvent(nanoseconds.reduce(0, &+))))"
    }

    private static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

/// A sink that wants the loop's profile at the end of a trace (``TraceOptions/profile``).
package protocol LoopProfileSink: TraceSink {
    func traceProfiled(_ profile: LoopProfile)
}
