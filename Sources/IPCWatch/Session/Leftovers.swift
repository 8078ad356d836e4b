/// A SysV IPC object's kind, or a POSIX message queue.
package enum IPCObjectKind: String, Sendable, Hashable {
    /// A SysV message queue.
    case msg
    /// A SysV semaphore set.
    case sem
    /// A SysV shared memory segment.
    case shm
    /// A POSIX message queue.
    case mq
}

/// The SysV objects and POSIX message queues a trace created and did not remove ("left behind"), folded
/// from its events and checked against the kernel at its end.
///
/// *Created*: a `*get` with `IPC_PRIVATE` or `IPC_CREAT` that returned an id the namespace did not have
/// when the trace began, whose kernel change time is not older than the call (for a segment, whose
/// creator pid is the caller's): another process may have made it in between; an `mq_open` with
/// `O_CREAT` of a name `/dev/mqueue` did not list at the start (when it is mounted). *Not removed*: the
/// kernel still has it at the end (`/proc/sysvipc`, an `mq_open`), whatever the calls said: an untraced
/// process may have removed it, and a traced `IPC_RMID` may have failed to.
package struct Leftovers: Sendable {
    /// One object the trace created.
    package struct Object: Sendable, Hashable {
        package var kind: IPCObjectKind
        /// The SysV id; 0 for a queue.
        package var id: Int32
        /// The queue's name as the kernel has it (`mq_open("/q")` is `q`); empty for a SysV object.
        package var name: String
        /// The SysV key (0 is `IPC_PRIVATE`); nil for a queue.
        package var key: Int32?
        package var creator: Int32
        package var creatorName: String
        /// The creating call's time (nanoseconds since the epoch).
        package var createdAt: UInt64
        /// The last process whose call on it succeeded.
        package var lastUser: Int32
        package var lastUserName: String
        /// A traced `IPC_RMID` or `mq_unlink` of it succeeded.
        package var removed = false
    }

    private struct ObjectKey: Hashable {
        var kind: IPCObjectKind
        var id: Int32
        var name: String
    }

    private let existingAtStart: Set<ObjectKey>?
    private let queuesAtStart: Set<String>?
    private var created: [ObjectKey: Object] = [:]
    /// What `shmdt` addresses and `mq_*` descriptors name.
    private var handles = IPCHandles()
    /// After ``confirm(sysv:queueExists:)``: the objects still there.
    private var confirmed: Set<ObjectKey>?

    /// `sysv`: the namespace's objects when the trace begins; `queues`: the queues' names (nil: unknown).
    package init(sysv: [IPCNamespace.SysVObject]?, queues: Set<String>?) {
        existingAtStart = sysv.map { Set($0.map { ObjectKey(kind: $0.kind, id: $0.id, name: "") }) }
        queuesAtStart = queues
    }

    /// What the kernel has now: for a trace about to begin.
    package static func now() -> Leftovers { Leftovers(sysv: IPCNamespace.sysvObjects(), queues: IPCNamespace.queueNames()) }

    /// Folds one event in.
    package mutating func add(_ event: Event) {
        let pid = event.processID
        guard case .success(let value) = event.result else { return }
        let target: ObjectKey?
        switch event.call {
        case .msgget(let key, let flags), .semget(let key, _, let flags), .shmget(let key, _, let flags):
            let kind: IPCObjectKind = event.call.syscall == .msgget ? .msg : event.call.syscall == .semget ? .sem : .shm
            let object = ObjectKey(kind: kind, id: Int32(truncatingIfNeeded: value), name: "")
            if key == 0 || flags & 0o1000 != 0, existingAtStart?.contains(object) != true, created[object] == nil {
                create(object, key: key, by: event)
            }
            target = object
        case .msgsnd(let id, _, _, _, _), .msgrcv(let id, _, _, _, _, _):
            target = ObjectKey(kind: .msg, id: id, name: "")
        case .semop(let id, _, _, _), .semtimedop(let id, _, _, _, _, _):
            target = ObjectKey(kind: .sem, id: id, name: "")
        case .msgctl(let id, let command, _, _), .shmctl(let id, let command, _, _), .semctl(let id, _, let command, _, _, _):
            let kind: IPCObjectKind = event.call.syscall == .msgctl ? .msg : event.call.syscall == .semctl ? .sem : .shm
            target = Self.control(kind, id: id, command: command)
            // IPC_RMID (IPC_64 aside).
            if let target, command & ~0x100 == 0 { created[target]?.removed = true }
        case .shmat(let id, _, _):
            handles.attached(id, at: UInt64(bitPattern: value), by: pid)
            target = ObjectKey(kind: .shm, id: id, name: "")
        case .shmdt(let address):
            let id = handles.segment(at: address, in: pid, parent: event.parentProcessID)
            target = id.map { ObjectKey(kind: .shm, id: $0, name: "") }
        case .mqOpen(_, let text?, let flags, _, _, _):
            let name = String(decoding: text, as: UTF8.self)
            handles.opened(name, as: Int32(truncatingIfNeeded: value), by: pid)
            let object = ObjectKey(kind: .mq, id: 0, name: name)
            // A name unlinked and made again is another queue.
            if flags & 0o100 != 0, queuesAtStart?.contains(name) != true, created[object]?.removed ?? true {
                create(object, key: nil, by: event)
            }
            target = object
        case .mqUnlink(_, let text?):
            target = ObjectKey(kind: .mq, id: 0, name: String(decoding: text, as: UTF8.self))
            if let target { created[target]?.removed = true }
        case .mqTimedsend(let mqdes, _, _, _, _, _, _), .mqTimedreceive(let mqdes, _, _, _, _, _, _, _),
             .mqNotify(let mqdes, _, _), .mqGetsetattr(let mqdes, _, _, _, _):
            let name = handles.queue(mqdes, in: pid, parent: event.parentProcessID)
            target = name.map { ObjectKey(kind: .mq, id: 0, name: $0) }
        default:
            target = nil
        }
        guard let target, created[target] != nil else { return }
        created[target]!.lastUser = pid
        created[target]!.lastUserName = event.processName
    }

    private mutating func create(_ object: ObjectKey, key: Int32?, by event: Event) {
        created[object] = Object(kind: object.kind, id: object.id, name: object.name, key: key, creator: event.processID,
                                 creatorName: event.processName, createdAt: event.timestamp, lastUser: event.processID,
                                 lastUserName: event.processName)
    }

    /// The object a `*ctl` call is about; none for the `*_INFO` commands and the `*_STAT` ones (an index:
    /// `ipcs` looking at every object is no user of them).
    private static func control(_ kind: IPCObjectKind, id: Int32, command: Int32) -> ObjectKey? {
        let sysvKind: Topology.SysVKind = kind == .msg ? .msg : kind == .sem ? .sem : .shm
        guard case .id = SysVControlCommand(kind: sysvKind, command: command) else { return nil }
        return ObjectKey(kind: kind, id: id, name: "")
    }

    /// The trace has ended: keeps the created objects the kernel still has (`sysv`: its objects now, nil if
    /// unknown; `queueExists`: whether a queue is there, nil if unknown). Without the kernel's word, the
    /// calls decide: not removed by a traced `IPC_RMID` or `mq_unlink`.
    package mutating func confirm(sysv: [IPCNamespace.SysVObject]?, queueExists: (String) -> Bool?) {
        let kernel = sysv.map { Dictionary($0.map { (ObjectKey(kind: $0.kind, id: $0.id, name: ""), $0) }, uniquingKeysWith: { a, _ in a }) }
        var left = Set<ObjectKey>()
        for (key, object) in created {
            let exists: Bool
            if key.kind == .mq {
                exists = queueExists(key.name) ?? !object.removed
            } else if let kernel {
                // Still there, and the one this trace made: not older than its *get, a segment by its creator.
                // The kernel stamps the change time with the second of its last tick, which may be the one
                // before the clock the call was timed with had turned over: a second of slack.
                guard let now = kernel[key] else { continue }
                exists = now.key == object.key && now.changeTime + 1 >= Int64(object.createdAt / 1_000_000_000)
                    && (now.creatorPID == nil || now.creatorPID == object.creator)
            } else {
                exists = !object.removed
            }
            if exists { left.insert(key) }
        }
        confirmed = left
    }

    /// ``confirm(sysv:queueExists:)`` with the kernel's answers now.
    package mutating func confirmWithKernel() {
        confirm(sysv: IPCNamespace.sysvObjects(), queueExists: IPCNamespace.queueExists)
    }

    /// The objects left behind, SysV by kind and id, then queues by name; empty until confirmed.
    package var objects: [Object] {
        guard let confirmed else { return [] }
        return confirmed.compactMap { created[$0] }.sorted { ($0.kind.rawValue, $0.id, $0.name) < ($1.kind.rawValue, $1.id, $1.name) }
    }

    /// Whether the trace left this SysV object behind; nil until confirmed.
    package func isLeftover(_ kind: IPCObjectKind, id: Int32) -> Bool? {
        confirmed.map { $0.contains(ObjectKey(kind: kind, id: id, name: "")) }
    }

    /// Whether the trace left the queue `name` behind; nil until confirmed.
    package func isLeftover(queue name: String) -> Bool? {
        confirmed.map { $0.contains(ObjectKey(kind: .mq, id: 0, name: name)) }
    }
}
