import CSupport

/// ``TraceOptions/dataFlow``'s counts: at the entry of a read/write-family call, which of its descriptors
/// are pipes, FIFOs or Unix sockets (``PipeProbe``); at its exit, the bytes it moved, added to the (process, inode, end) they went
/// through. What is kept is the counts of live processes, handed out as ``ChannelUsage`` when one ends,
/// or earlier for the pipes it has closed, once it has counted thousands (memory stays flat however many
/// pipes a program makes and uses).
struct DataFlowCounter {
    /// Channels counted for one process before the closed ones are handed out.
    static let handOutThreshold = 4096
    private struct Channel: Hashable {
        let inode: UInt64
        let end: PipeEnd
        let kind: ChannelUsage.Kind
        let peer: UInt64?
        let path: String?
    }

    private struct Counts {
        var fds: [Int32] = []
        var calls: UInt64 = 0
        var bytes: UInt64 = 0

        mutating func add(fd: Int32, bytes moved: UInt64) {
            calls += 1
            bytes += moved
            if !fds.contains(fd) {
                fds.append(fd)
                fds.sort()
            }
        }
    }

    private struct PipeSide {
        let fd: Int32
        let channel: Channel
    }

    /// A call between entry and exit: one or two pipe sides (splice, tee…), no array to allocate.
    private struct PendingCall {
        var first: PipeSide
        var second: PipeSide?
        /// With `timesCalls`: the call's name, and its entry (wall clock, then monotonic for the duration).
        var name: String?
        var enteredAtWallClock: UInt64 = 0
        var enteredAt: UInt64 = 0
    }

    /// Each counted call is also reported as a ``ChannelTransfer`` (``TraceOptions/transfers``).
    private let timesCalls: Bool

    init(timesCalls: Bool = false) {
        self.timesCalls = timesCalls
    }

    private let table = DataFlowSyscalls.standard
    private let probe = PipeProbe()
    private var pending: [pid_t: PendingCall] = [:]
    /// By process (thread group) id.
    private var counts: [pid_t: [Channel: Counts]] = [:]
    /// Per process, the channel count at which to look for closed ones (absent: the threshold).
    private var handOutLimits: [pid_t: Int] = [:]

    /// An entry (or seccomp) stop: true if the call is in the family and uses a pipe, so that its exit
    /// must be seen. Any other call is not followed (launch mode resumes it without an exit stop).
    mutating func entered(_ tid: pid_t, _ info: ipcw_syscall_info) -> Bool {
        guard let architecture = Architecture(auditArch: info.arch, syscallNumber: info.nr),
              let entry = table.entry(architecture: architecture, number: info.nr) else {
            if pending[tid] != nil { pending[tid] = nil }
            return false
        }
        var found: PendingCall?
        for side in entry.sides {
            // An int argument: the low 32 bits (an i386 register, or junk above them, is ignored by the kernel too).
            let fd = Int32(truncatingIfNeeded: withUnsafeBytes(of: info.args) { $0.load(fromByteOffset: side.argument * 8, as: UInt64.self) })
            guard let channel = probe.channel(tid: tid, fd: fd, needsMode: side.direction == .byOpenMode) else { continue }
            let end: PipeEnd = switch side.direction {
            case .read: .read
            case .write: .write
            case .byOpenMode: channel.writable ? .write : .read
            }
            let pipeSide = PipeSide(fd: fd, channel: Channel(inode: channel.inode, end: end, kind: channel.kind, peer: channel.peer,
                                                                      path: channel.path))
            if found == nil { found = PendingCall(first: pipeSide) } else { found?.second = pipeSide }
        }
        if timesCalls, found != nil {
            found?.name = entry.kernelName
            found?.enteredAtWallClock = Clock.realtimeNanoseconds()
            found?.enteredAt = Clock.monotonicNanoseconds()
        }
        pending[tid] = found
        return found != nil
    }

    /// True while `tid` is in a counted call: its exit stop is ``exited(_:_:processID:)``'s.
    func isPending(_ tid: pid_t) -> Bool { pending[tid] != nil }

    /// The exit stop of the call `tid` (of process `processID`) entered: a successful call that moved
    /// bytes counts on each pipe side. Returns the counts handed out early (usually none) and, with
    /// `timesCalls`, the call as a transfer.
    mutating func exited(_ tid: pid_t, _ info: ipcw_syscall_info, processID: pid_t) -> (usages: [ChannelUsage], transfer: ChannelTransfer?) {
        guard let call = pending.removeValue(forKey: tid) else { return ([], nil) }
        let transfer = call.name.map { name in
            ChannelTransfer(timestamp: call.enteredAtWallClock, duration: Clock.monotonicNanoseconds() &- call.enteredAt,
                            processID: processID, threadID: tid, name: name,
                            sides: [call.first, call.second].compactMap { $0.map(Self.transferSide) },
                            result: Int64(info.rval))
        }
        return (count(call, info, processID), transfer)
    }

    private static func transferSide(_ side: PipeSide) -> ChannelTransfer.Side {
        ChannelTransfer.Side(fd: side.fd, inode: side.channel.inode, end: side.channel.end, kind: side.channel.kind,
                             peerInode: side.channel.peer)
    }

    private mutating func count(_ call: PendingCall, _ info: ipcw_syscall_info, _ processID: pid_t) -> [ChannelUsage] {
        guard info.is_error == 0, info.rval > 0 else { return [] }
        for side in [call.first, call.second] {
            guard let side else { continue }
            counts[processID, default: [:]][side.channel, default: Counts()].add(fd: side.fd, bytes: UInt64(info.rval))
        }
        guard counts[processID, default: [:]].count >= handOutLimits[processID, default: Self.handOutThreshold] else { return [] }
        return handOutClosed(processID)
    }

    /// The counts of the pipes `processID` no longer holds (one look at `/proc/PID/fd`), forgotten: they are
    /// final, as it cannot use such a pipe again without a new descriptor (whose counts would add up).
    private mutating func handOutClosed(_ processID: pid_t) -> [ChannelUsage] {
        var noSockets: UnixSockets? = nil
        let held = ProcFS.descriptors(of: processID, unixSockets: &noSockets)
        let open = Set(held.pipes.map(\.inode)).union(held.channels.map(\.inode))
        guard var process = counts[processID] else { return [] }
        var closed: [Channel: Counts] = [:]
        for (channel, counted) in process where !open.contains(channel.inode) { closed[channel] = counted }
        for channel in closed.keys { process[channel] = nil }
        counts[processID] = process
        // Pipes still open stay: look again only once as many more have come.
        handOutLimits[processID] = max(Self.handOutThreshold, process.count * 2)
        return Self.usages(processID, closed)
    }

    /// A stop that is neither entry nor exit came between them.
    mutating func abandon(_ tid: pid_t) { pending[tid] = nil }

    /// `tid` exec'd, ended or was detached.
    mutating func forget(_ tid: pid_t) {
        pending[tid] = nil
        probe.forget(tid)
    }

    /// The counts of process `processID`, which ended or was detached (by its leader's tid), forgotten.
    mutating func processEnded(_ processID: pid_t) -> [ChannelUsage] {
        handOutLimits[processID] = nil
        guard let process = counts.removeValue(forKey: processID) else { return [] }
        return Self.usages(processID, process)
    }

    /// The counts of every process still counted, at the end of the trace.
    mutating func drain() -> [ChannelUsage] {
        defer {
            counts.removeAll()
            handOutLimits.removeAll()
        }
        return counts.keys.sorted().flatMap { Self.usages($0, counts[$0]!) }
    }

    private static func usages(_ processID: pid_t, _ process: [Channel: Counts]) -> [ChannelUsage] {
        process.map { channel, counts in
            ChannelUsage(processID: processID, inode: channel.inode, end: channel.end, fds: counts.fds,
                         calls: counts.calls, bytes: counts.bytes, kind: channel.kind, peerInode: channel.peer, path: channel.path)
        }.sorted { ($0.inode, $0.end == .write ? 0 : 1) < ($1.inode, $1.end == .write ? 0 : 1) }
    }
}
