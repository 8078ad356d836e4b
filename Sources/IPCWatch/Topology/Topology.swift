/// Who talks to whom in one trace: processes, the pipes between them (creator, and who held or used each
/// end) and the SysV objects they share, folded from a session's records with ``add(_:)``. A value: feed
/// it the records of any ``TraceSession`` (with ``TraceOptions/processSnapshots`` for the pipe ends) and
/// render it (``dot``, ``mermaid``, ``json``) whenever you like, also while the trace still runs.
///
/// Without data-flow counts an end means *held*: the process had the descriptor at one of its snapshots
/// (exec, attach, exit, or a peek while a child ended), or created the pipe (both ends, unless it only
/// passed one on: ``Pipe/creatorHolds(_:)``). Holding is not using: a child forked later
/// inherits ends it never touches, and a process that closes an end before its next snapshot is not seen
/// with it. With ``dataFlow`` (the ``TraceRecord/usage(_:)`` records of `--data-flow`) each end also says
/// whether the process moved data through it, and how much.
public struct Topology: Sendable {
    /// A traced process: the last name and `argv[0]` seen (after any exec) and how it ended.
    public struct Process: Sendable, Hashable {
        /// The process id.
        public var pid: Int32
        /// The parent's process id.
        public var ppid: Int32
        /// The `comm` (after exec: the program's name, 15 bytes at most).
        public var comm: String
        /// `argv[0]`, empty until a snapshot read it.
        public var argv0: String
        /// How it ended, nil while it ran or if the trace stopped first (detach).
        public var termination: TerminationStatus?
    }

    /// One process's end of a pipe: the descriptors it was seen with and, with data-flow counts, its use.
    public struct End: Sendable, Hashable {
        /// The process.
        public var pid: Int32
        /// Which end.
        public var end: PipeEnd
        /// The descriptors it held (at snapshots) or used (counted) for this end, ascending.
        public var fds: [Int32]
        /// Whether it moved data through this end; nil when not counted (no data-flow, or the process
        /// still runs and its counts come when it ends).
        public var used: Bool?
        /// Successful read or write calls on this end; nil when not counted.
        public var calls: UInt64?
        /// Bytes those calls moved; nil when not counted.
        public var bytes: UInt64?
    }

    /// A pipe, by inode: the process and call that created it, and its ends per process.
    public struct Pipe: Sendable, Hashable {
        /// The pipe's inode (`pipe:[inode]`).
        public var inode: UInt64
        /// nil for a pipe created before the trace began (seen only in a snapshot).
        public var createdBy: Int32?
        /// `pipe` or `pipe2`.
        public var createdWith: Syscall?

        /// Holders at their own exec, attach or exit: the fds per (process, end).
        var holders: [Holder: Set<Int32>] = [:]
        /// Holders seen while running (a parent when its child exits): maybe only passing the end on.
        var tentativeHolders: [Holder: Set<Int32>] = [:]
        /// Ends some process held when it exec'd: programs run with them (a shell's `a | b`).
        var endsTakenAcrossExec: Set<PipeEnd> = []
        /// The creator's fd for each end, from the creating call: it holds both ends from its creation.
        var creatorFDs: [PipeEnd: Int32] = [:]
        /// Ends the creator was seen without at a later peek or exit snapshot.
        var creatorSeenWithout: Set<PipeEnd> = []
        /// `--data-flow` counts per (process, end).
        var usage: [Holder: ChannelUsage] = [:]
        /// `splice`/`tee`/`vmsplice` events per (process, end): data moved, known without `--data-flow`.
        var spliced: [Holder: ChannelCounts] = [:]
        /// Some `splice`/`tee`/`vmsplice` moved data through it (counted in ``spliced`` or, with data-flow, in ``usage``).
        var splicedThrough = false
        /// The creator's read-end fd, which tells which end a `vmsplice` of the creator went through.
        var creatorReadFD: Int32?
        /// A child of the creator appeared after the pipe was made: it may have inherited the ends, even if
        /// no snapshot saw it with them (Perl's child closes its end before its exit snapshot).
        var forkedAfter = false

        struct Holder: Hashable, Comparable {
            var pid: Int32
            var end: PipeEnd
            static func < (a: Holder, b: Holder) -> Bool { (a.pid, a.end.rawValue) < (b.pid, b.end.rawValue) }
        }

        init(inode: UInt64) { self.inode = inode }

        /// Processes that held or used the write end, in pid order.
        public var writers: [Int32] { pids(.write) }
        /// Processes that held or used the read end, in pid order.
        public var readers: [Int32] { pids(.read) }

        private func pids(_ end: PipeEnd) -> [Int32] { Set(holderKeys.filter { $0.end == end }.map(\.pid)).sorted() }

        /// A process seen with the end only while it ran does not count if a program exec'd with it:
        /// the shell between `pipe()` and its children's exec holds the ends only to pass them on.
        var holderKeys: Set<Holder> {
            var keys = Set(holders.keys).union(usage.keys).union(spliced.keys)
            for key in tentativeHolders.keys where !endsTakenAcrossExec.contains(key.end) { keys.insert(key) }
            for end in creatorFDs.keys where creatorHolds(end) { keys.insert(Holder(pid: createdBy!, end: end)) }
            return keys
        }

        /// The creator holds both ends from the creating call on (a Python parent that made a pipe and kept
        /// it), unless it only passed the end on: a program exec'd with it (a shell's `a | b`), or another
        /// process held it and the creator was later seen without it (the shell's forked `echo` subshell).
        func creatorHolds(_ end: PipeEnd) -> Bool {
            guard let creator = createdBy, creatorFDs[end] != nil, !endsTakenAcrossExec.contains(end) else { return false }
            guard creatorSeenWithout.contains(end) else { return true }
            let others = holders.keys.contains { $0.end == end && $0.pid != creator }
                || tentativeHolders.keys.contains { $0.end == end && $0.pid != creator }
                || usage.keys.contains { $0.end == end && $0.pid != creator }
                || spliced.keys.contains { $0.end == end && $0.pid != creator }
            return !others
        }

        /// Only its creator (or nobody) was seen with it and no child was forked while it may have been
        /// open: made and closed in one process, never passed on. A pipe data was spliced through is shown:
        /// it carried data to or from a file (programs splice through few pipes, memory stays small).
        var isOrphan: Bool { createdBy != nil && !forkedAfter && !splicedThrough && holderKeys.allSatisfy { $0.pid == createdBy } }

        /// Nobody was seen holding or using it, though it was passed on (or may have been).
        public var noHolderSeen: Bool { holderKeys.isEmpty }

        func end(_ key: Holder, counted: (Int32) -> Bool) -> End {
            var seen = holders[key, default: []].union(tentativeHolders[key, default: []])
            let usage = usage[key]
            // The creating call's fd only when nothing later shows the end (a shell moves it to 63 before its exec).
            if seen.isEmpty, usage?.fds.isEmpty ?? true, spliced[key] == nil, key.pid == createdBy, creatorHolds(key.end),
               let fd = creatorFDs[key.end] {
                seen.insert(fd)
            }
            let fds = seen.union(usage?.fds ?? []).sorted()
            if let usage { return End(pid: key.pid, end: key.end, fds: fds, used: true, calls: usage.calls, bytes: usage.bytes) }
            if let moved = spliced[key] {
                return End(pid: key.pid, end: key.end, fds: seen.union(moved.fds).sorted(), used: true, calls: moved.calls, bytes: moved.bytes)
            }
            let zero: UInt64? = counted(key.pid) ? 0 : nil
            return End(pid: key.pid, end: key.end, fds: fds, used: zero.map { _ in false }, calls: zero, bytes: zero)
        }
    }

    /// A SysV IPC object kind.
    public enum SysVKind: String, Sendable, Hashable, CaseIterable {
        /// A message queue (`msgget`).
        case msg
        /// A semaphore set (`semget`).
        case sem
        /// A shared memory segment (`shmget`).
        case shm
    }

    /// A message queue, semaphore set or shared memory segment, by id.
    public struct SysVObject: Sendable, Hashable {
        /// Queue, semaphore set or segment.
        public var kind: SysVKind
        /// The id `*get` returned (`msqid`, `semid`, `shmid`).
        public var id: Int32
        /// The key its `*get` call used (0 is `IPC_PRIVATE`); nil if no `*get` of it was traced.
        public var key: Int32?
        /// Per process, the successful calls it made on the object: `["msgsnd": 3, "msgctl": 1]`.
        public var users: [Int32: [Syscall: Int]]
        /// The trace created it and the kernel still had it when the trace ended; nil until then.
        public var leftover: Bool? = nil
    }

    /// Pipes made and closed by one process and never passed on, forgotten once closed: counted per
    /// creator and call, so that a program making a million pipes costs no memory per pipe.
    public struct ClosedOrphans: Sendable, Hashable {
        /// The process that created them.
        public var createdBy: Int32
        /// `pipe` or `pipe2`.
        public var createdWith: Syscall
        /// How many.
        public var count: Int
    }

    /// Whether ``TraceRecord/usage(_:)`` counts come with the records (`--data-flow`): then an end with no
    /// counts of a process that ended was held but not used.
    public var dataFlow: Bool
    /// Every process seen in an event or snapshot, by pid.
    public private(set) var processes: [Int32: Process] = [:]
    var pipeTable: [UInt64: Pipe] = [:]
    /// Inodes of pipes only their creator has been seen with, which may still be open: the candidates for
    /// ``ClosedOrphans``.
    var unsettled: Set<UInt64> = []
    /// The same, by creator (inodes settled since may still be listed).
    var unsettledByCreator: [Int32: [UInt64]] = [:]
    /// ``needsSettling`` above this many.
    var settleLimit = Topology.settleThreshold
    var orphanCounts: [OrphanKey: Int] = [:]
    /// The trace is over: every process's counts have been delivered.
    var isComplete = false
    private var objects: [ObjectKey: SysVObject] = [:]
    /// FIFOs, Unix pairs and queues (``channels``).
    var channelTable: [ChannelKey: Channel] = [:]
    /// Each socket of a known pair → the pair's smaller inode.
    var socketPairs: [UInt64: UInt64] = [:]
    /// What `shmdt` addresses and `mq_*` descriptors name.
    var handles = IPCHandles()
    /// Pipes each process created, checked at its later peek and exit snapshots (``Pipe/creatorSeenWithout``).
    var createdByProcess: [Int32: [UInt64]] = [:]
    /// The objects the trace created, and at its end which of them it left behind; nil: not followed.
    var leftovers: Leftovers?
    /// The last wait-for report (`--stall`, SIGUSR1): each blocked thread's wait is drawn as a red edge.
    package var waits: WaitReport?

    struct OrphanKey: Hashable {
        var createdBy: Int32
        var createdWith: Syscall
    }

    private struct ObjectKey: Hashable {
        var kind: SysVKind
        var id: Int32
    }

    /// An empty topology; ``add(_:)`` fills it. `dataFlow`: the records include `--data-flow` counts.
    /// The SysV objects and queues that exist now are not the trace's (``SysVObject/leftover``).
    public init(dataFlow: Bool = false) {
        self.init(dataFlow: dataFlow, leftovers: .now())
    }

    /// The same, following what is left behind from `leftovers` (what existed before the trace), or not at all.
    package init(dataFlow: Bool, leftovers: Leftovers?) {
        self.dataFlow = dataFlow
        self.leftovers = leftovers
    }

    /// The objects the trace left behind, once it has ended.
    package var leftBehind: [Leftovers.Object] { leftovers?.objects ?? [] }

    /// The pipes still known, by inode (closed orphans are in ``closedOrphans``).
    public var pipes: [Pipe] { pipeTable.values.sorted { $0.inode < $1.inode } }

    /// The ends of `pipe`, by pid and end (read first).
    public func ends(of pipe: Pipe) -> [End] {
        pipe.holderKeys.sorted().map { pipe.end($0, counted: isCounted) }
    }

    /// The orphan pipes forgotten once closed, by creator.
    public var closedOrphans: [ClosedOrphans] {
        orphanCounts.map { ClosedOrphans(createdBy: $0.key.createdBy, createdWith: $0.key.createdWith, count: $0.value) }
            .sorted { ($0.createdBy, $0.createdWith.rawValue) < ($1.createdBy, $1.createdWith.rawValue) }
    }

    /// The SysV objects, by kind and id.
    public var sysv: [SysVObject] {
        objects.values.sorted { ($0.kind.rawValue, $0.id) < ($1.kind.rawValue, $1.id) }.map { object in
            var object = object
            object.leftover = leftovers?.isLeftover(IPCObjectKind(rawValue: object.kind.rawValue)!, id: object.id)
            return object
        }
    }

    /// The trace has ended: with ``dataFlow``, every process's counts are in, also those of processes
    /// still running at a detach. Until then an end of a running process without counts is not counted.
    /// The objects the trace created are looked up in the kernel: those still there are ``SysVObject/leftover``.
    public mutating func traceEnded() {
        isComplete = true
        leftovers?.confirmWithKernel()
    }

    /// With data-flow, `pid`'s counts are in: it ended (its counts come at its end) or the trace did.
    private func isCounted(_ pid: Int32) -> Bool {
        dataFlow && (isComplete || processes[pid]?.termination != nil)
    }

    /// Folds one record in.
    public mutating func add(_ record: TraceRecord) {
        switch record {
        case .event(let event): add(event)
        case .snapshot(let snapshot): add(snapshot)
        case .usage(let usage): add(usage)
        case .signal, .blocking, .superseded, .lifecycle, .transfer: break
        case .exit(let tid, let status):
            // Threads end too; only a process's own id carries its end.
            processes[tid]?.termination = status
        }
    }

    private mutating func see(_ pid: Int32, ppid: Int32, comm: String, argv0: String? = nil) {
        if processes[pid] == nil, let made = unsettledByCreator.removeValue(forKey: ppid) {
            // A new child of a process whose pipes may still be open: they may have been passed on.
            for inode in made where unsettled.remove(inode) != nil { pipeTable[inode]?.forkedAfter = true }
        }
        var process = processes[pid] ?? Process(pid: pid, ppid: ppid, comm: comm, argv0: "", termination: nil)
        process.ppid = ppid
        process.comm = comm
        if let argv0, !argv0.isEmpty { process.argv0 = argv0 }
        processes[pid] = process
    }

    private mutating func add(_ event: Event) {
        see(event.processID, ppid: event.parentProcessID, comm: event.processName)
        leftovers?.add(event)
        guard case .success(let value) = event.result else { return }
        let pid = event.processID
        if event.call.pipeEnds != nil, let inode = event.pipeInodes?.first, inode != 0 {
            pipeTable[inode, default: Pipe(inode: inode)].createdBy = pid
            pipeTable[inode]?.createdWith = event.call.syscall
            pipeTable[inode]?.creatorReadFD = event.call.pipeEnds?.read
            if let fds = event.call.pipeEnds { pipeTable[inode]?.creatorFDs = [.read: fds.read, .write: fds.write] }
            createdByProcess[pid, default: []].append(inode)
            if pipeTable[inode]?.isOrphan == true {
                unsettled.insert(inode)
                unsettledByCreator[pid, default: []].append(inode)
            }
            return
        }
        if let fds = event.call.spliceFDs {
            addSplice(event, fds: fds, moved: value)
            return
        }
        addQueueEvent(event, value: value)
        let syscall = event.call.syscall
        let target: ObjectKey?
        switch event.call {
        case .msgget(let key, _), .semget(let key, _, _), .shmget(let key, _, _):
            let kind: SysVKind = syscall == .msgget ? .msg : syscall == .semget ? .sem : .shm
            let id = Int32(truncatingIfNeeded: value)
            objects[ObjectKey(kind: kind, id: id), default: SysVObject(kind: kind, id: id, users: [:])].key = key
            target = ObjectKey(kind: kind, id: id)
        case .msgsnd(let id, _, _, _, _), .msgrcv(let id, _, _, _, _, _):
            target = ObjectKey(kind: .msg, id: id)
        case .msgctl(let id, let command, _, _):
            target = Self.control(.msg, id: id, command: command, result: value)
        case .semop(let id, _, _, _), .semtimedop(let id, _, _, _, _, _):
            target = ObjectKey(kind: .sem, id: id)
        case .semctl(let id, _, let command, _, _, _):
            target = Self.control(.sem, id: id, command: command, result: value)
        case .shmat(let id, _, _):
            handles.attached(id, at: UInt64(bitPattern: value), by: pid)
            target = ObjectKey(kind: .shm, id: id)
        case .shmctl(let id, let command, _, _):
            target = Self.control(.shm, id: id, command: command, result: value)
        case .shmdt(let address):
            // A child detaches what its parent attached before the fork: look there too.
            let id = handles.segment(at: address, in: pid, parent: processes[pid]?.ppid)
            target = id.map { ObjectKey(kind: .shm, id: $0) }
        default:
            target = nil
        }
        guard let target else { return }
        objects[target, default: SysVObject(kind: target.kind, id: target.id, users: [:])].users[pid, default: [:]][syscall, default: 0] += 1
    }

    /// The object a `*ctl` call is about: its first argument is an id, except for the `*_INFO` commands
    /// (ignored: they are about the kernel's limits) and `*_STAT`/`*_STAT_ANY` (an index into the kernel's
    /// table), which return the id of the object at that index.
    private static func control(_ kind: SysVKind, id: Int32, command: Int32, result: Int64) -> ObjectKey? {
        switch SysVControlCommand(kind: kind, command: command) {
        case .id: ObjectKey(kind: kind, id: id)
        case .info: nil
        case .index: ObjectKey(kind: kind, id: Int32(truncatingIfNeeded: result))
        }
    }

    /// Data a `splice`, `tee` or `vmsplice` moved, on each pipe it went through: out of `fds[0]`'s pipe,
    /// into `fds[1]`'s (`vmsplice`: into its pipe, unless its creator made that fd the read end). With
    /// data-flow the same calls come counted in the usage records: not counted twice.
    private mutating func addSplice(_ event: Event, fds: [Int32], moved: Int64) {
        guard moved > 0, let inodes = event.pipeInodes, inodes.count == fds.count else { return }
        for (index, inode) in inodes.enumerated() where inode != 0 {
            var pipe = pipeTable[inode] ?? Pipe(inode: inode)
            pipe.splicedThrough = true
            unsettled.remove(inode)
            guard !dataFlow else {
                pipeTable[inode] = pipe
                continue
            }
            let end: PipeEnd
            if fds.count == 2 {
                end = index == 0 ? .read : .write
            } else {
                end = pipe.createdBy == event.processID && pipe.creatorReadFD == fds[0] ? .read : .write
            }
            let key = Pipe.Holder(pid: event.processID, end: end)
            pipe.spliced[key, default: ChannelCounts()].calls += 1
            pipe.spliced[key, default: ChannelCounts()].bytes += UInt64(moved)
            pipe.spliced[key, default: ChannelCounts()].fds.insert(fds[index])
            pipeTable[inode] = pipe
        }
    }

    private mutating func add(_ snapshot: ProcessSnapshot) {
        let pid = snapshot.processID
        see(pid, ppid: snapshot.parentProcessID, comm: snapshot.processName, argv0: snapshot.argv0)
        addChannels(snapshot)
        let ends = Dictionary(grouping: snapshot.pipes, by: \.inode)
        if snapshot.moment == .peek || snapshot.moment == .exit { creatorSeen(snapshot, holding: ends) }
        for (inode, descriptors) in ends {
            var pipe = pipeTable[inode] ?? Pipe(inode: inode)
            // The creator holding both ends while it runs has only made the pipe, to pass its ends on.
            if pipe.createdBy == pid && snapshot.moment == .peek && Set(descriptors.map(\.end)).count == 2 { continue }
            for descriptor in descriptors {
                let key = Pipe.Holder(pid: pid, end: descriptor.end)
                if snapshot.moment == .peek {
                    pipe.tentativeHolders[key, default: []].insert(descriptor.fd)
                } else {
                    pipe.holders[key, default: []].insert(descriptor.fd)
                }
                if snapshot.moment == .exec { pipe.endsTakenAcrossExec.insert(descriptor.end) }
            }
            pipeTable[inode] = pipe
            if !pipe.isOrphan { unsettled.remove(inode) }
        }
    }

    /// The pipes `snapshot`'s process created and no longer holds an end of: ``Pipe/creatorSeenWithout``.
    private mutating func creatorSeen(_ snapshot: ProcessSnapshot, holding ends: [UInt64: [PipeDescriptor]]) {
        let pid = snapshot.processID
        guard let created = createdByProcess[pid] else { return }
        var pending: [UInt64] = []
        for inode in created where pipeTable[inode] != nil {
            let held = Set(ends[inode, default: []].map(\.end))
            for end in [PipeEnd.read, .write] where !held.contains(end) { pipeTable[inode]?.creatorSeenWithout.insert(end) }
            if pipeTable[inode]?.creatorSeenWithout.count != 2 { pending.append(inode) }
        }
        createdByProcess[pid] = snapshot.moment == .exit || pending.isEmpty ? nil : pending
    }

    private mutating func add(_ usage: ChannelUsage) {
        guard usage.kind == .pipe else { return addChannelUsage(usage) }
        // Counts of an orphan pipe already forgotten (closed, settled before its creator's counts came): it
        // stays a count in closedOrphans, not a pipe "opened before the trace" per forgotten inode.
        if pipeTable[usage.inode] == nil && orphanCounts.keys.contains(where: { $0.createdBy == usage.processID }) { return }
        var pipe = pipeTable[usage.inode] ?? Pipe(inode: usage.inode)
        let key = Pipe.Holder(pid: usage.processID, end: usage.end)
        if var known = pipe.usage[key] {
            // A closed pipe's counts may come early and a later use again (ChannelUsage): add them up.
            known.calls += usage.calls
            known.bytes += usage.bytes
            known.fds = Array(Set(known.fds).union(usage.fds)).sorted()
            pipe.usage[key] = known
        } else {
            pipe.usage[key] = usage
        }
        pipeTable[usage.inode] = pipe
        if !pipe.isOrphan { unsettled.remove(usage.inode) }
    }
}

/// What the first argument of a `*ctl(2)` command is, per kind (`IPC_64` ignored).
enum SysVControlCommand {
    /// An object's id (`IPC_STAT`, `IPC_RMID`, `SETVAL`…).
    case id
    /// Ignored: `IPC_INFO`, `MSG_INFO`, `SEM_INFO`, `SHM_INFO` report the kernel's limits.
    case info
    /// An index into the kernel's table: `MSG_STAT`, `SEM_STAT`, `SHM_STAT` and their `_ANY` forms.
    case index

    private static let infoCommands: [Topology.SysVKind: Set<Int32>] = [.msg: [3, 12], .sem: [3, 19], .shm: [3, 14]]
    private static let indexCommands: [Topology.SysVKind: Set<Int32>] = [.msg: [11, 13], .sem: [18, 20], .shm: [13, 15]]

    init(kind: Topology.SysVKind, command: Int32) {
        let command = command & ~0x100  // IPC_64
        self = Self.infoCommands[kind]!.contains(command) ? .info : Self.indexCommands[kind]!.contains(command) ? .index : .id
    }
}
