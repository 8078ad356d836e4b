import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// The ptrace event loop of one traced tree: next stop → classify (``Stop``) → dispatch. Runs on the
/// tracer thread until every tracee has ended or been detached. What differs between launch and attach
/// mode is asked of ``TraceMode``; events are built by ``EventAssembler``, snapshots by
/// ``ProcessSnapshots``; records go to the ``TraceSink`` after the tracee is resumed.
struct TraceLoop {
    private let mode: TraceMode
    private let options: TraceOptions
    private let sink: any TraceSink
    private let waker: Waker
    private var tracees: Tracees
    private var stops: StopQueue
    private var profile: LoopProfile
    private var assembler: EventAssembler
    /// Nil without ``TraceOptions/processSnapshots``.
    private var snapshots: ProcessSnapshots?
    /// Nil without ``TraceOptions/dataFlow``.
    private var dataFlow: DataFlowCounter?
    /// The launched command's pid: its status is the trace's outcome.
    private let root: pid_t?
    private var rootStatus: TerminationStatus?
    /// Set once the trace ends early: from then on every stop ends in a kill or a detach.
    private var earlyEnd: EarlyEnd?
    private var detaching = false
    private var killing = false
    /// Nil without ``TraceOptions/stall``.
    private var stallWatch: StallWatch?
    /// A stop was handled since the last look for a stall.
    private var progressed = false

    init(mode: TraceMode, tracees initial: [pid_t], options: TraceOptions, sink: any TraceSink, waker: Waker) {
        self.mode = mode
        self.root = mode == .launch ? initial.first : nil
        self.options = options
        self.sink = sink
        self.waker = waker
        self.tracees = Tracees(initial)
        // Polling for the next stop pays only with a CPU of its own: not with --same-cpu (the tracer shares the
        // tracee's), nor when the tracer may use only one.
        self.stops = StopQueue(polls: !options.sameCPU && ipcw_allowed_cpu_count() > 1, timesDeferredWork: options.profile)
        self.profile = LoopProfile(enabled: options.profile)
        self.assembler = EventAssembler(options: options)
        self.snapshots = options.processSnapshots ? ProcessSnapshots() : nil
        self.dataFlow = options.dataFlow ? DataFlowCounter(timesCalls: options.transfers) : nil
        self.stallWatch = options.stall.map(StallWatch.init(policy:))
    }

    /// Launch mode: the root stopped at its exec (``Launcher`` waited for it there), not yet resumed.
    mutating func rootExecuted() {
        guard let root else { return }
        dispatch(root, .exec(formerThreadID: root))
    }

    /// Attach mode: what each attached process holds now.
    mutating func attached(_ pids: [pid_t]) {
        for pid in pids {
            if let taken = snapshots?.snapshot(pid, at: .attach) { deliver(.snapshot(taken)) }
        }
    }

    /// Runs until every tracee has ended (or been detached).
    mutating func run() throws(IPCWatchError) -> TraceOutcome {
        var phaseStart = profile.begin()
        if let stallWatch { waker.tick(at: Clock.monotonicNanoseconds() + stallWatch.period) }
        while !tracees.isEmpty {
            // Asked at every stop, not only on wake-ups: a busy tracee keeps waitpid from ever blocking.
            if earlyEnd == nil, let reason = waker.reason { endEarly(reason) }
            if stops.takeTick() { ticked() }
            let next = try nextStop()
            phaseStart = profile.add(.waiting, since: phaseStart)
            profile.charge(.writing, elapsed: stops.takeDeferredWorkTime(), insteadOf: .waiting)
            defer { phaseStart = profile.add(.ptrace, since: phaseStart) }
            guard let (tid, status, message) = next else { continue }
            profile.countStop()
            let stop: Stop
            do {
                stop = try Stop(status) { () throws(Errno) in
                    guard let message else { throw .noSuchProcess }
                    return message
                }
            } catch {
                // ESRCH: killed before its event's message was read; its end arrives through waitpid. An
                // exec's former tid (unread) never reports again: forget every tracee that no longer exists,
                // but not one whose end is queued (reaped, not yet handled).
                let stops = stops
                tracees.prune { !stops.isQueued($0) && kill($0, 0) != 0 && errno == ESRCH }
                continue
            }
            dispatch(tid, stop)
        }
        profile.end()  // what follows is not the loop's
        // Processes whose end was never seen (gone meanwhile, or the trace ended first).
        for usage in dataFlow?.drain() ?? [] { deliver(.usage(usage)) }
        if profile.enabled, let profiled = sink as? any LoopProfileSink {
            profile.sleeps = stops.sleeps
            profiled.traceProfiled(profile)
        }
        switch earlyEnd {
        case nil: return .exited(rootStatus ?? .exited(0))
        case .cancelled?: return .cancelled
        case .signal(let signal)?: return .interrupted(signal: signal)
        }
    }

    /// Detaches every tracee (interrupting those that run) and waits until all are detached: what
    /// ``Attacher`` does with the threads it seized when a later one refuses.
    mutating func detachAll() throws(IPCWatchError) {
        beginDetach()
        _ = try run()
    }

    /// The next stop of a tracee (``StopQueue`` serves every ready tracee in turn), nil for a wake-up or an
    /// interrupted wait.
    private mutating func nextStop() throws(IPCWatchError) -> (pid_t, WaitStatus, UInt?)? {
        // A call that blocks is reported while it does: before the tracer sleeps, since nothing else comes.
        switch try stops.next(others: tracees.count > 1, wakerPID: waker.pid, sink: sink,
                              returnsBeforeSleeping: assembler.hasUnreportedBlockingCall) {
        case .wouldSleep:
            reportBlockingCalls(except: nil)
            return nil
        case .stop(let tid, let status, let message):
            return (tid, status, message)
        case .woken:
            return nil
        case .noTracees:
            tracees.threadIDs.forEach { assembler.forget($0) }
            tracees.removeAll()
            return nil
        }
    }

    /// The waker ticked (a look for a stall is due, or a report was asked for): look, report, set the next tick.
    private mutating func ticked() {
        waker.continueAfterTick()
        guard earlyEnd == nil, !detaching else { return }
        if let reporting = sink as? any WaitReportSink, reporting.takeWaitReportRequest() {
            reporting.waitReported(waitReport(stalledSeconds: nil))
        }
        guard var watch = stallWatch else { return }
        let now = Clock.monotonicNanoseconds()
        if watch.policy.reportOnceThenEnd {
            if let reporting = sink as? any WaitReportSink { reporting.waitReported(waitReport(stalledSeconds: nil)) }
            endEarly(.cancelled)
            return
        }
        if let stalled = watch.look(at: tracees.threadIDs, progressed: progressed, now: now),
           let reporting = sink as? any WaitReportSink {
            reporting.waitReported(waitReport(stalledSeconds: stalled))
        }
        progressed = false
        stallWatch = watch
        waker.tick(at: now + watch.period)
    }

    /// Every traced thread as `/proc` shows it now, the trace's own name for a watched call in progress.
    private mutating func waitReport(stalledSeconds: Double?) -> WaitReport {
        let probe = WaitProbe()
        var threads: [WaitingThread] = []
        for tid in tracees.threadIDs {
            let pid = assembler.identity(of: tid).processID
            if let thread = probe.thread(tid: tid, pid: pid, callName: assembler.callInProgress(tid)?.rawValue) {
                threads.append(thread)
            }
        }
        threads.sort { ($0.pid, $0.tid) < ($1.pid, $1.tid) }
        return WaitReport(threads: threads, stalledSeconds: stalledSeconds)
    }

    /// Ends the trace before the tracees end, the mode's way.
    private mutating func endEarly(_ reason: EarlyEnd) {
        earlyEnd = reason
        if mode.endsByKilling {
            killing = true
            for tid in tracees.threadIDs { kill(tid, SIGKILL) }
        } else {
            beginDetach()
        }
    }

    /// Interrupts every tracee; each is detached at its next stop.
    private mutating func beginDetach() {
        detaching = true
        for tid in tracees.threadIDs { _ = try? Ptrace(tid: tid).interrupt() }
    }

    private mutating func deliver(_ record: TraceRecord) {
        // strace prints a call at its entry: a blocking call of another thread comes before this thread's line.
        if assembler.hasUnreportedBlockingCall, let tid = record.threadID { reportBlockingCalls(except: tid) }
        send(record)
    }

    /// ``TraceRecord/blocking(_:)`` for every call that may block and has not been reported, but `tid`'s.
    private mutating func reportBlockingCalls(except tid: pid_t?) {
        for event in assembler.blockingCalls(except: tid) { send(.blocking(event)) }
    }

    private mutating func send(_ record: TraceRecord) {
        let started = profile.start()
        let reply = sink.receive(record)
        profile.charge(.formatting, since: started, insteadOf: .ptrace)
        if case .event = record { profile.countEvent() }
        if reply == .stop && earlyEnd == nil { endEarly(.cancelled) }
    }

    // MARK: dispatch

    private mutating func dispatch(_ tid: pid_t, _ stop: Stop) {
        progressed = true
        if case .ended(let status) = stop {
            ended(tid, status)
            return
        }
        if tracees.stopped(tid), let options = mode.optionsForNewProcess(snapshots: snapshots != nil),
           assembler.identity(of: tid).processID == tid {
            try? Ptrace(tid: tid).setOptions(options)
        }
        let ptrace = Ptrace(tid: tid)
        // A tracee can vanish (SIGKILL) between stops: ESRCH from any request just means that; its end
        // arrives through waitpid.
        do {
            // An exec's former tid never reports again, whatever the trace is doing.
            if case .exec(let formerThreadID) = stop, detaching || killing { tracees.execTookOver(formerThreadID, by: tid) }
            if detaching {
                try detach(tid, stop)
            } else if killing {
                kill(tid, SIGKILL)  // also a child born meanwhile, at its first stop
            } else {
                try resume(tid, ptrace, from: stop)
            }
        } catch {}
    }

    /// The normal course: what each stop means for the trace, then the resumption ``Stop`` documents.
    private mutating func resume(_ tid: pid_t, _ ptrace: Ptrace, from stop: Stop) throws(Errno) {
        switch stop {
        case .syscall:
            // Delivered even if resuming fails (a SIGKILL woke it): the call did happen.
            let event = syscallStop(tid)
            defer { if let event { deliver(.event(event)) } }
            try mode.resume(ptrace)
        case .seccomp:
            // An entry: never an event. Only a call whose result matters is stopped at its exit.
            if seccompStop(tid) { try ptrace.resumeToSyscall() } else { try mode.resume(ptrace) }
        case .signalDelivery(let signal):
            // Read before resuming (the siginfo is the stop's); delivered after, as every record.
            let info = try? ptrace.signalInfo()
            defer { if let info { deliver(.signal(signalRecord(tid, signal, .delivered(info)))) } }
            try mode.resume(ptrace, signal: signal)
        case .groupStop(let signal):
            defer { deliver(.signal(signalRecord(tid, signal, .stopped))) }
            try ptrace.listen()
        case .newChild(let child):
            tracees.announce(child)
            guard options.lifecycle else { return try mode.resume(ptrace) }
            let parent = assembler.peekIdentity(of: tid).processID
            let childProcessID = assembler.peekIdentity(of: child).processID
            defer { deliver(.lifecycle(ProcessLifecycle(timestamp: Clock.realtimeNanoseconds(), processID: parent, threadID: tid,
                                                         change: .spawned(child: child, childProcessID: childProcessID)))) }
            try mode.resume(ptrace)
        case .exec(let formerThreadID):
            tracees.execTookOver(formerThreadID, by: tid)
            // Another thread's exec killed the leader in a call: its line ends as any killed thread's.
            if formerThreadID != tid {
                if let unfinished = assembler.unfinished(tid, .threadEnded) { deliver(.event(unfinished)) }
                deliver(.superseded(threadID: tid, formerThreadID: formerThreadID))
            }
            assembler.forget(formerThreadID)
            assembler.forget(tid)
            dataFlow?.forget(formerThreadID)
            dataFlow?.forget(tid)
            if options.lifecycle {
                let identity = assembler.peekIdentity(of: tid)
                deliver(.lifecycle(ProcessLifecycle(timestamp: Clock.realtimeNanoseconds(), processID: identity.processID,
                                                    threadID: tid, change: .executed(name: identity.name))))
            }
            guard snapshots != nil else { return try mode.resume(ptrace) }
            snapshots?.forget(tid)
            if let options = mode.optionsAfterExec(snapshots: true) { try? ptrace.setOptions(options) }
            try snapshotThenResume(tid, ptrace, at: .exec)
        case .exiting:
            // A call in progress will not return; its memory is still there to decode its entry.
            let unfinished = assembler.unfinished(tid, .threadEnded)
            defer { if let unfinished { deliver(.event(unfinished)) } }
            // Before the kernel closes the descriptors. Threads share them: the leader's stop tells.
            guard snapshots != nil, assembler.identity(of: tid).processID == tid else { return try mode.resume(ptrace) }
            try snapshotThenResume(tid, ptrace, at: .exit)
        case .interrupt, .otherEvent:
            try mode.resume(ptrace)
        case .ended:
            preconditionFailure("ended tracees are not resumed")
        }
    }

    private mutating func signalRecord(_ tid: pid_t, _ signal: Int32, _ kind: SignalDelivery.Kind) -> SignalDelivery {
        SignalDelivery(timestamp: Clock.realtimeNanoseconds(), processID: assembler.identity(of: tid).processID,
                       threadID: tid, signal: signal, kind: kind)
    }

    /// A syscall stop: entry (attach mode), seccomp (launch mode) or exit (both); the event at an exit.
    @discardableResult
    private mutating func syscallStop(_ tid: pid_t) -> Event? {
        guard let info = try? Ptrace(tid: tid).syscallInfo() else { return nil }
        switch Int32(info.op) {
        case Int32(IPCW_SYSCALL_INFO_SECCOMP), Int32(IPCW_SYSCALL_INFO_ENTRY):
            entered(tid, info)
            return nil
        case Int32(IPCW_SYSCALL_INFO_EXIT):
            if dataFlow?.isPending(tid) == true {
                let processID = assembler.identity(of: tid).processID
                let counted = dataFlow?.exited(tid, info, processID: processID)
                if let transfer = counted?.transfer { deliver(.transfer(transfer)) }
                for usage in counted?.usages ?? [] { deliver(.usage(usage)) }
            }
            let started = profile.start()
            defer { profile.charge(.decoding, since: started, insteadOf: .ptrace) }
            return assembler.exited(tid, info)
        default:
            assembler.abandon(tid)
            dataFlow?.abandon(tid)
            return nil
        }
    }

    /// A seccomp stop: true if its exit stop is wanted (an event, or a call on a pipe to count).
    private mutating func seccompStop(_ tid: pid_t) -> Bool {
        guard let info = try? Ptrace(tid: tid).syscallInfo() else { return true }
        return entered(tid, info)
    }

    /// A call entered: each of the event path and the data-flow counter takes what it watches (a syscall
    /// may be both an event and an I/O call); true if either wants its exit.
    @discardableResult
    private mutating func entered(_ tid: pid_t, _ info: ipcw_syscall_info) -> Bool {
        let started = profile.start()
        defer { profile.charge(.decoding, since: started, insteadOf: .ptrace) }
        let watched = assembler.entered(tid, info)
        let counted = dataFlow?.entered(tid, info) ?? false
        return watched || counted
    }

    private mutating func snapshotThenResume(_ pid: pid_t, _ ptrace: Ptrace, at moment: ProcessSnapshot.Moment) throws(Errno) {
        let tracees = tracees
        let taken = snapshots?.capture(pid, at: moment) { tracees.contains($0) } ?? []
        defer { taken.forEach { deliver(.snapshot($0)) } }
        try mode.resume(ptrace)
    }

    private mutating func ended(_ tid: pid_t, _ status: TerminationStatus) {
        // Killed in a call (no exit stop was asked for): strace's `<unfinished ...>`, before the end.
        if let event = assembler.unfinished(tid, .threadEnded) { deliver(.event(event)) }
        tracees.remove(tid)
        assembler.forget(tid)
        snapshots?.forget(tid)
        if tid == root { rootStatus = status }
        processGone(tid)
        deliver(.exit(threadID: tid, status: status))
    }

    /// Detaches `tid` at this stop, handing back a signal it was about to receive.
    private mutating func detach(_ tid: pid_t, _ stop: Stop) throws(Errno) {
        // A child born while detaching is attached too: detach it at its first stop.
        if case .newChild(let child) = stop { tracees.announce(child) }
        // strace's `<detached ...>`, even at the exit stop the interrupt brought (a restart code, or EINTR
        // from calls never restarted, such as semop): the call goes on, or fails, untraced.
        let call = assembler.unfinished(tid, .detached)
        defer { if let call { deliver(.event(call)) } }
        tracees.remove(tid)
        assembler.forget(tid)
        processGone(tid)
        try Ptrace(tid: tid).detach(signal: stop.pendingSignal)
    }

    /// `tid` ended or is detached: if it leads a process (whose end the kernel reports after its other
    /// threads'), the process's data-flow counts are delivered.
    private mutating func processGone(_ tid: pid_t) {
        dataFlow?.forget(tid)
        for usage in dataFlow?.processEnded(tid) ?? [] { deliver(.usage(usage)) }
    }
}
