/// Who talks to whom in one trace: processes, the pipes between them (creator, writers, readers) and the
/// SysV objects they share, folded from a session's records with ``add(_:)``. A pure value: feed it the
/// records of any ``TraceSession`` (with ``TraceOptions/processSnapshots`` for pipe directions).
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

    /// A pipe, by inode: the process and call that created it, and who held each end.
    public struct Pipe: Sendable, Hashable {
        /// The pipe's inode (`pipe:[inode]`).
        public var inode: UInt64
        /// nil for a pipe created before the trace began (seen only in a snapshot).
        public var createdBy: Int32?
        /// `pipe` or `pipe2`.
        public var createdWith: Syscall?
        /// Processes seen holding the write end, in pid order.
        public var writers: [Int32] { roles(.write) }
        /// Processes seen holding the read end, in pid order.
        public var readers: [Int32] { roles(.read) }

        /// Holders at their own exec, attach or exit.
        var holders: [PipeEnd: Set<Int32>] = [:]
        /// Holders seen while running (a parent when its child exits): maybe only passing the end on.
        var tentativeHolders: [PipeEnd: Set<Int32>] = [:]
        /// Ends some process held when it exec'd: programs run with them (a shell's `a | b`).
        var endsTakenAcrossExec: Set<PipeEnd> = []

        init(inode: UInt64) { self.inode = inode }

        /// A process seen with the end only while it ran does not count if a program exec'd with it:
        /// the shell between `pipe()` and its children's exec holds the ends only to pass them on.
        private func roles(_ end: PipeEnd) -> [Int32] {
            let tentative = endsTakenAcrossExec.contains(end) ? [] : tentativeHolders[end, default: []]
            return holders[end, default: []].union(tentative).sorted()
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
    }

    /// Every process seen in an event or snapshot, by pid.
    public private(set) var processes: [Int32: Process] = [:]
    private var pipeTable: [UInt64: Pipe] = [:]
    private var objects: [ObjectKey: SysVObject] = [:]
    /// `shmat` results: address → segment, per process, so that `shmdt(address)` names its segment.
    private var attachments: [Int32: [UInt64: Int32]] = [:]

    private struct ObjectKey: Hashable {
        var kind: SysVKind
        var id: Int32
    }

    /// An empty topology; ``add(_:)`` fills it.
    public init() {}

    /// The pipes, by inode.
    public var pipes: [Pipe] { pipeTable.values.sorted { $0.inode < $1.inode } }

    /// The SysV objects, by kind and id.
    public var sysv: [SysVObject] {
        objects.values.sorted { ($0.kind.rawValue, $0.id) < ($1.kind.rawValue, $1.id) }
    }

    /// Folds one record in.
    public mutating func add(_ record: TraceRecord) {
        switch record {
        case .event(let event): add(event)
        case .snapshot(let snapshot): add(snapshot)
        case .usage, .signal: break
        case .exit(let tid, let status):
            // Threads end too; only a process's own id carries its end.
            processes[tid]?.termination = status
        }
    }

    private mutating func see(_ pid: Int32, ppid: Int32, comm: String, argv0: String? = nil) {
        var process = processes[pid] ?? Process(pid: pid, ppid: ppid, comm: comm, argv0: "", termination: nil)
        process.ppid = ppid
        process.comm = comm
        if let argv0, !argv0.isEmpty { process.argv0 = argv0 }
        processes[pid] = process
    }

    private mutating func add(_ event: Event) {
        see(event.processID, ppid: event.parentProcessID, comm: event.processName)
        guard case .success(let value) = event.result else { return }
        let pid = event.processID
        if event.call.pipeEnds != nil, let inode = event.pipeInodes?.first, inode != 0 {
            pipeTable[inode, default: Pipe(inode: inode)].createdBy = pid
            pipeTable[inode]?.createdWith = event.call.syscall
            return
        }
        let syscall = event.call.syscall
        let target: ObjectKey?
        switch event.call {
        case .msgget(let key, _), .semget(let key, _, _), .shmget(let key, _, _):
            let kind: SysVKind = syscall == .msgget ? .msg : syscall == .semget ? .sem : .shm
            let id = Int32(truncatingIfNeeded: value)
            objects[ObjectKey(kind: kind, id: id), default: SysVObject(kind: kind, id: id, users: [:])].key = key
            target = ObjectKey(kind: kind, id: id)
        case .msgsnd(let id, _, _, _, _), .msgrcv(let id, _, _, _, _, _), .msgctl(let id, _, _, _):
            target = ObjectKey(kind: .msg, id: id)
        case .semop(let id, _, _, _), .semtimedop(let id, _, _, _, _, _), .semctl(let id, _, _, _, _, _):
            target = ObjectKey(kind: .sem, id: id)
        case .shmat(let id, _, _):
            attachments[pid, default: [:]][UInt64(bitPattern: value)] = id
            target = ObjectKey(kind: .shm, id: id)
        case .shmctl(let id, _, _, _):
            target = ObjectKey(kind: .shm, id: id)
        case .shmdt(let address):
            // A child detaches what its parent attached before the fork: look there too.
            let id = attachments[pid]?[address] ?? processes[pid].flatMap { attachments[$0.ppid]?[address] }
            target = id.map { ObjectKey(kind: .shm, id: $0) }
        default:
            target = nil
        }
        guard let target else { return }
        objects[target, default: SysVObject(kind: target.kind, id: target.id, users: [:])].users[pid, default: [:]][syscall, default: 0] += 1
    }

    private mutating func add(_ snapshot: ProcessSnapshot) {
        let pid = snapshot.processID
        see(pid, ppid: snapshot.parentProcessID, comm: snapshot.processName, argv0: snapshot.argv0)
        let ends = Dictionary(grouping: snapshot.pipes, by: \.inode).mapValues { Set($0.map(\.end)) }
        for (inode, held) in ends {
            var pipe = pipeTable[inode] ?? Pipe(inode: inode)
            // The creator holding both ends has only made the pipe, to pass its ends on: neither role.
            if pipe.createdBy == pid && held.count == 2 { continue }
            for end in held {
                if snapshot.moment == .peek {
                    pipe.tentativeHolders[end, default: []].insert(pid)
                } else {
                    pipe.holders[end, default: []].insert(pid)
                }
                if snapshot.moment == .exec { pipe.endsTakenAcrossExec.insert(end) }
            }
            pipeTable[inode] = pipe
        }
    }
}
