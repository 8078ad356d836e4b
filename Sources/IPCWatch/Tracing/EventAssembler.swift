import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Turns a watched syscall's two stops into an ``Event``: keeps the call between its entry (or seccomp)
/// stop and its exit stop, decodes it at the exit while the tracee is still stopped (its memory is
/// stable), and adds who made it (cached per thread until it execs), when and how long it took, and the
/// inode of a new pipe.
struct EventAssembler {
    /// A watched syscall between its entry stop and its exit stop.
    private struct PendingCall {
        var architecture: Architecture
        var syscall: Syscall
        var arguments: [UInt64]
        /// Entered through an i386 `*_time64` number.
        var time64: Bool
        /// Monotonic, for the duration.
        var enteredAt: UInt64
        /// Wall clock: the event's timestamp.
        var enteredAtWallClock: UInt64
        /// For calls ``isDecodedAtEntry(_:_:)``: the call read at its entry.
        var entryCall: (call: Call, multiplexed: MultiplexedCall?)?
    }

    /// Calls that can block and whose every argument (memory included) strace prints at entry: decoded
    /// there, as strace reads them, while the tracee is held. A thread killed in one still shows them (its
    /// memory is gone then), and a line printed while the call runs does not race the kernel: `splice`
    /// advances the offsets it was given.
    private static let decodedAtEntry: Set<Syscall> = [.semop, .semtimedop, .msgsnd, .mq_timedsend, .futex, .splice, .vmsplice]

    /// Whether a call is decoded at its entry: one of ``decodedAtEntry``, or such a subcall of i386 `ipc(2)`.
    private static func isDecodedAtEntry(_ syscall: Syscall, _ arguments: [UInt64]) -> Bool {
        guard syscall == .ipc else { return decodedAtEntry.contains(syscall) }
        return IPCMultiplexer.direct(arguments[0]).map(decodedAtEntry.contains) ?? false
    }

    private let options: TraceOptions
    private let table = SyscallTable.standard
    /// Whether each table entry (by ``SyscallTable/Entry/index``) is worth keeping: computed once, so the
    /// attach hot path neither allocates nor hashes.
    private let trapped: [Bool]
    private var pending: [pid_t: PendingCall] = [:]
    /// With ``TraceOptions/reportsBlockingCalls``: threads in a call that may block, not yet reported as
    /// blocking (``blockingCalls(except:)``).
    private var unreported: Set<pid_t> = []
    private var identities: [pid_t: ThreadIdentity] = [:]
    /// With ``TraceOptions/taskContext`` only.
    private var tasks: TaskContexts?
    /// With ``TraceOptions/descriptorDetails`` (`-yy`) only.
    private var details: DescriptorDetails?

    init(options: TraceOptions) {
        self.options = options
        self.trapped = SyscallTable.standard.entries.map(options.traps)
        self.tasks = options.taskContext ? TaskContexts() : nil
        self.details = options.resolveDescriptors && options.descriptorDetails ? DescriptorDetails() : nil
    }

    /// A syscall-entry or seccomp stop: remembers the call if it is watched (then true: its exit matters).
    @discardableResult
    mutating func entered(_ tid: pid_t, _ info: ipcw_syscall_info) -> Bool {
        // The common case when attached: a syscall we do not watch. Nothing allocated, nothing kept.
        guard let architecture = Architecture(auditArch: info.arch, syscallNumber: info.nr),
              let entry = table.entry(architecture: architecture, number: info.nr),
              trapped[entry.index] else {
            if pending[tid] != nil { forgetCall(of: tid) }
            return false
        }
        let arguments = withUnsafeBytes(of: info.args) { Array($0.bindMemory(to: UInt64.self)) }
        var entryCall: (call: Call, multiplexed: MultiplexedCall?)?
        if Self.isDecodedAtEntry(entry.syscall, arguments) {
            // These decoders do not look at the result: a stand-in one.
            let stop = SyscallStop(architecture: architecture, syscall: entry.syscall, arguments: arguments, returnValue: 0,
                                   isError: false, time64: entry.isTime64)
            let decoded = SyscallDecoder.decode(stop, memory: ProcessMemory(tid: tid), options: options.decode)
            entryCall = (decoded.call, decoded.multiplexed)
        }
        pending[tid] = PendingCall(architecture: architecture, syscall: entry.syscall, arguments: arguments, time64: entry.isTime64,
                                   enteredAt: Clock.monotonicNanoseconds(), enteredAtWallClock: Clock.realtimeNanoseconds(),
                                   entryCall: entryCall)
        let mayBlock = entry.syscall == .ipc ? IPCMultiplexer.mayBlock(arguments[0]) : entry.syscall.mayBlock
        if options.reportsBlockingCalls && mayBlock { unreported.insert(tid) } else if !unreported.isEmpty { unreported.remove(tid) }
        return true
    }

    /// True when a thread is in a call that may block and has not been reported: worth a look before the
    /// tracer sleeps, or before another thread's record.
    var hasUnreportedBlockingCall: Bool { !unreported.isEmpty }

    /// The calls that may block and have not returned, of every thread but `tid`, each reported once: decoded
    /// from its entry registers as ``unfinished(_:_:)`` decodes (strace prints these arguments at the entry).
    mutating func blockingCalls(except tid: pid_t? = nil) -> [Event] {
        var reported: [Event] = []
        for blocked in unreported.sorted() where blocked != tid {
            unreported.remove(blocked)
            guard let call = pending[blocked] else { continue }
            if let event = event(blocked, call, returnValue: -512 /* ERESTARTSYS */, isError: true, unfinished: .inProgress) {
                reported.append(event)
            }
        }
        return reported
    }

    /// A syscall-exit stop: the event of the call `tid` entered, if it was watched and is selected.
    /// Reads the tracee's memory: call it before resuming the tracee.
    mutating func exited(_ tid: pid_t, _ info: ipcw_syscall_info) -> Event? {
        guard let call = forgetCall(of: tid) else { return nil }
        return event(tid, call, returnValue: info.rval, isError: info.is_error != 0, unfinished: nil)
    }

    /// The call `tid` is in, if watched and selected, as one that will not return to the trace: the
    /// trace detaches from `tid`, or `tid` ended. Decoded from its entry registers (strace prints only
    /// what it read at entry), reading memory while the thread still has some.
    mutating func unfinished(_ tid: pid_t, _ reason: SyscallResult.Unfinished) -> Event? {
        guard let call = forgetCall(of: tid) else { return nil }
        // Decoded as a call that failed: decoders read a call's outputs only when it succeeded.
        return event(tid, call, returnValue: -512 /* ERESTARTSYS */, isError: true, unfinished: reason)
    }

    /// The call `tid` was in, no longer pending.
    @discardableResult
    private mutating func forgetCall(of tid: pid_t) -> PendingCall? {
        if !unreported.isEmpty { unreported.remove(tid) }
        return pending.removeValue(forKey: tid)
    }

    /// The watched call `tid` is in, nil if none.
    func callInProgress(_ tid: pid_t) -> Syscall? { pending[tid]?.syscall }

    private mutating func event(_ tid: pid_t, _ call: PendingCall, returnValue: Int64, isError: Bool,
                                unfinished: SyscallResult.Unfinished?) -> Event? {
        let exitedAt = Clock.monotonicNanoseconds()
        let stop = SyscallStop(architecture: call.architecture, syscall: call.syscall, arguments: call.arguments,
                               returnValue: returnValue, isError: isError, time64: call.time64)
        var decoded = if let entryCall = call.entryCall {
            (call: entryCall.call, multiplexed: entryCall.multiplexed, result: stop.result)
        } else {
            SyscallDecoder.decode(stop, memory: ProcessMemory(tid: tid), options: options.decode)
        }
        if let unfinished { decoded.result = .unfinished(unfinished) }
        // A call through i386 ipc(2) is selected by its subcall (the entry decided the others).
        if decoded.multiplexed != nil, !options.variants.contains(CallVariant(decoded.call.syscall, .multiplexed)) {
            return nil
        }
        let identity = identity(of: tid)
        var inodes: [UInt64]?
        if options.resolvePipeInodes, let ends = decoded.call.pipeEnds {
            // Both ends of a new pipe share its inode: one readlink (a /proc path walk) is enough.
            let inode = ProcFS.pipeInode(tid: tid, fd: ends.read) ?? 0
            inodes = [inode, inode]
        } else if options.resolvePipeInodes, let fds = decoded.call.spliceFDs {
            // Looked up at the exit, as strace's -y: 0 for what is not a pipe (a file, a FIFO, a closed fd).
            inodes = fds.map { ProcFS.pipeInode(tid: tid, fd: $0) ?? 0 }
        }
        let task = tasks?.context(of: tid, identity)
        var event = Event(timestamp: call.enteredAtWallClock, processID: identity.processID, threadID: tid,
                     parentProcessID: identity.parentProcessID, userID: identity.userID, processName: identity.name,
                     architecture: call.architecture, call: decoded.call, multiplexed: decoded.multiplexed,
                     result: decoded.result, duration: exitedAt &- call.enteredAt, pipeInodes: inodes, task: task,
                     time64: call.time64)
        if options.resolveDescriptors {
            event.descriptorTargets = targets(of: decoded.call, result: decoded.result, tid)
        }
        return event
    }

    /// `-y`: the link of each descriptor the line shows, read while the thread still has them.
    private mutating func targets(of call: Call, result: SyscallResult, _ tid: pid_t) -> DescriptorTargets {
        // Both ends of a new pipe are the same pipe: one readlink (a /proc path walk) is enough.
        if let ends = call.pipeEnds, let link = ProcFS.descriptorTarget(tid: tid, fd: ends.read) {
            return [ends.read: DescriptorTarget(link: link), ends.write: DescriptorTarget(link: link)]
        }
        var fds = call.descriptors
        if case .mqOpen = call, case .success(let fd) = result, let fd = Int32(exactly: fd) { fds.append(fd) }
        var targets: DescriptorTargets = [:]
        for fd in fds where targets[fd] == nil {
            guard let link = ProcFS.descriptorTarget(tid: tid, fd: fd) else { continue }
            targets[fd] = DescriptorTarget(link: link, detail: details?.detail(tid: tid, fd: fd, link: link))
        }
        return targets
    }

    /// A stop that is neither entry nor exit came between them: the call is not followed further.
    mutating func abandon(_ tid: pid_t) { forgetCall(of: tid) }

    /// Who `tid` is, read from /proc once and kept until it execs or ends.
    mutating func identity(of tid: pid_t) -> ThreadIdentity {
        if let known = identities[tid] { return known }
        let identity = peekIdentity(of: tid)
        identities[tid] = identity
        return identity
    }

    /// Who `tid` is, known or read now without keeping it: the lifecycle records must not fix a name the
    /// thread may still change (`prctl(PR_SET_NAME)`) before its first event.
    func peekIdentity(of tid: pid_t) -> ThreadIdentity {
        identities[tid] ?? ProcFS.identity(of: tid) ?? ThreadIdentity(processID: tid, parentProcessID: 0, userID: 0, name: "?")
    }

    /// `tid` exec'd (a new name) or ended.
    mutating func forget(_ tid: pid_t) {
        forgetCall(of: tid)
        identities[tid] = nil
        tasks?.forget(tid)
    }
}

package enum Clock {
    package static func monotonicNanoseconds() -> UInt64 { read(CLOCK_MONOTONIC) }
    package static func realtimeNanoseconds() -> UInt64 { read(CLOCK_REALTIME) }
    private static func read(_ clock: clockid_t) -> UInt64 {
        var now = timespec()
        clock_gettime(clock, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
