import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Builds one ``WaitingThread`` from `/proc` and the object's own state: the call a thread is in
/// (`/proc/TID/syscall`), the object its arguments name, that object's fill or value (a copy of the
/// descriptor through `pidfd_getfd`, `semctl`, `msgctl`, `mq_getattr`), and who can end the wait (the
/// holders of the other end in ``OpenFiles``, the last process to change a semaphore or queue, the child).
struct WaitProbe {
    let files: OpenFiles

    init(files: OpenFiles = OpenFiles()) { self.files = files }

    /// `callName`: the name the trace gave the call in progress, if it traps it. Nil if the thread is gone.
    func thread(tid: Int32, pid: Int32, callName: String? = nil) -> WaitingThread? {
        guard let sample = ThreadSample(tid: tid), !sample.isGone else { return nil }
        let comm = ProcFS.identity(of: tid)?.name ?? files.name(of: pid)
        var thread = WaitingThread(pid: pid, tid: tid, comm: comm, state: "running", syscall: nil, object: nil, waitsFor: [])
        let call = sample.call(abi: SyscallABI.of(tid: tid))
        thread.syscall = callName ?? call?.name
        if sample.isStopped {
            thread.state = "stopped"
            thread.object = WaitObject(kind: "stopped", fields: [], summary: "a stop signal")
            return thread
        }
        guard sample.isWaiting, let call else { return thread }
        thread.state = BlockingCall.hasTimeout(call.number, call.arguments) ? "sleeping" : "blocked"
        (thread.object, thread.waitsFor) = waitOn(call.number, call.arguments, pid: pid, tid: tid)
        return thread
    }

    private typealias Wait = (WaitObject?, [WaitTarget])

    private func waitOn(_ number: Int, _ arguments: [UInt64], pid: Int32, tid: Int32) -> Wait {
        let fdArgument = { (index: Int) in Int32(truncatingIfNeeded: arguments[index]) }
        switch BlockingCall.wait(number) {
        case .read(let index): return descriptor(pid: pid, fd: fdArgument(index), reading: true)
        case .write(let index): return descriptor(pid: pid, fd: fdArgument(index), reading: false)
        case .queueReceive: return descriptor(pid: pid, fd: fdArgument(0), reading: true)
        case .queueSend: return descriptor(pid: pid, fd: fdArgument(0), reading: false)
        case .transfer(let input, let output):
            let reading = descriptor(pid: pid, fd: fdArgument(input), reading: true)
            if case .integer(let unread)? = reading.0?["bytes"], unread > 0 {
                return descriptor(pid: pid, fd: fdArgument(output), reading: false)
            }
            return reading
        case .poll: return polled(pid: pid, tid: tid, address: arguments[0], count: Int(min(arguments[1], 64)))
        case .select: return selected(pid: pid, tid: tid, arguments)
        case .semaphore: return semaphore(pid: pid, tid: tid, id: Int32(truncatingIfNeeded: arguments[0]),
                                          operations: arguments[1], count: Int(min(arguments[2], 64)))
        case .messageReceive: return messageQueue(pid: pid, id: Int32(truncatingIfNeeded: arguments[0]), receiving: true,
                                                  type: Int64(bitPattern: arguments[3]))
        case .messageSend: return messageQueue(pid: pid, id: Int32(truncatingIfNeeded: arguments[0]), receiving: false, type: nil)
        case .child: return child(pid: pid, number: number, arguments)
        case .futex:
            return (WaitObject(kind: "futex", fields: [("address", .integer(Int64(bitPattern: arguments[0])))],
                               summary: "0x" + String(arguments[0], radix: 16)), [])
        case .sleep: return (WaitObject(kind: "sleep", fields: [], summary: "a timer"), [])
        case .other: return (nil, [])
        }
    }

    // MARK: descriptors

    /// A pipe, FIFO, socket or POSIX queue descriptor, and who holds what would end the wait: the write end
    /// for a reader, the read end for a writer.
    private func descriptor(pid: Int32, fd: Int32, reading: Bool) -> Wait {
        guard let file = OpenFiles.file(pid: pid, fd: fd) else {
            return (WaitObject(kind: "fd", fields: [("fd", .integer(Int64(fd)))], summary: "fd \(fd) (closed)"), [])
        }
        let inode = Int64(bitPattern: file.key.inode)
        switch file.type {
        case S_IFIFO:
            let isPipe = file.link.hasPrefix("pipe:")
            var fields: [(key: String, value: WaitObject.Value)] = [("fd", .integer(Int64(fd))), ("inode", .integer(inode))]
            if !isPipe { fields.append(("path", .string(file.link))) }
            var fill = ""
            var unread: Int32 = -1, capacity: Int32 = 0
            if OpenFiles.withCopy(pid: pid, fd: fd, { ipcw_pipe_fill($0, &unread, &capacity) }) == 0 {
                fields += [("bytes", .integer(Int64(unread))), ("capacity", .integer(Int64(capacity)))]
                fill = ": \(unread) of \(capacity) bytes unread" + (unread == 0 ? " (empty)" : unread >= capacity ? " (full)" : "")
            }
            let name = isPipe ? file.link : "FIFO \(file.link)"
            let object = WaitObject(kind: isPipe ? "pipe" : "fifo", fields: fields, summary: "\(name) (fd \(fd))" + fill)
            let why = { (holder: OpenFiles.Holder) in
                let end = holder.canRead && holder.canWrite ? "holds it read-write" : reading ? "holds the write end" : "holds the read end"
                return end + " as fd \(holder.fd)" + (reading ? " (the reader waits for data or EOF)" : " (the writer waits for room)")
            }
            let targets = files.holders(of: file)
                .filter { !($0.pid == pid && $0.fd == fd) && (reading ? $0.canWrite : $0.canRead) }
                .map { WaitTarget(pid: $0.pid, comm: files.name(of: $0.pid), fd: $0.fd, reason: why($0)) }
            return (object, targets)
        case S_IFSOCK:
            var fields: [(key: String, value: WaitObject.Value)] = [("fd", .integer(Int64(fd))), ("inode", .integer(inode))]
            var targets: [WaitTarget] = []
            var sockets = UnixSockets()
            if let peer = sockets.socket(inode: file.key.inode)?.peer {
                fields.append(("peer", .integer(Int64(bitPattern: peer))))
                targets = files.holders(ofSocket: peer).map {
                    WaitTarget(pid: $0.pid, comm: files.name(of: $0.pid), fd: $0.fd,
                               reason: "holds the peer socket as fd \($0.fd) (the \(reading ? "reader" : "writer") waits for it)",
                               link: .socketPeer)
                }
            }
            return (WaitObject(kind: "socket", fields: fields, summary: "\(file.link) (fd \(fd))"), targets)
        default:
            var messages = 0, capacity = 0
            if OpenFiles.withCopy(pid: pid, fd: fd, { ipcw_mq_counts($0, &messages, &capacity) }) == 0 {
                let object = WaitObject(kind: "mq", fields: [("fd", .integer(Int64(fd))), ("name", .string(file.link)),
                                                             ("curmsgs", .integer(Int64(messages))),
                                                             ("maxmsg", .integer(Int64(capacity)))],
                                        summary: "POSIX queue \(file.link) (fd \(fd)): \(messages) of \(capacity) messages")
                let why = { (fd: Int32) in reading ? "has the queue open for writing as fd \(fd) (the receiver waits for a message)"
                                                   : "has the queue open for reading as fd \(fd) (the sender waits for room)" }
                let targets = files.holders(of: file)
                    .filter { $0.pid != pid && (reading ? $0.canWrite : $0.canRead) }
                    .map { WaitTarget(pid: $0.pid, comm: files.name(of: $0.pid), fd: $0.fd, reason: why($0.fd)) }
                return (object, targets)
            }
            return (WaitObject(kind: "fd", fields: [("fd", .integer(Int64(fd))), ("path", .string(file.link))],
                               summary: "\(file.link) (fd \(fd))"), [])
        }
    }

    /// poll/ppoll: each descriptor it waits to read (POLLIN) or write (POLLOUT).
    private func polled(pid: Int32, tid: Int32, address: UInt64, count: Int) -> Wait {
        guard count > 0, let bytes = ProcessMemory(tid: tid).read(address: address, count: count * 8) else {
            return (WaitObject(kind: "poll", fields: [], summary: "poll"), [])
        }
        var waits: [(fd: Int32, reading: Bool)] = []
        for index in 0..<count {
            let fd = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index * 8, as: Int32.self) }
            let events = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index * 8 + 4, as: Int16.self) }
            guard fd >= 0 else { continue }
            if events & Int16(POLLIN) != 0 { waits.append((fd, true)) }
            if events & Int16(POLLOUT) != 0 { waits.append((fd, false)) }
        }
        return several(kind: "poll", waits, pid: pid)
    }

    /// select/pselect6: the descriptors of its read and write sets.
    private func selected(pid: Int32, tid: Int32, _ arguments: [UInt64]) -> Wait {
        let count = Int(min(arguments[0], 1024))
        var waits: [(fd: Int32, reading: Bool)] = []
        for (set, reading) in [(arguments[1], true), (arguments[2], false)] where set != 0 && count > 0 {
            guard let bits = ProcessMemory(tid: tid).read(address: set, count: (count + 7) / 8) else { continue }
            for fd in 0..<count where bits[fd / 8] & (1 << (fd % 8)) != 0 { waits.append((Int32(fd), reading)) }
        }
        return several(kind: "select", waits, pid: pid)
    }

    private func several(kind: String, _ waits: [(fd: Int32, reading: Bool)], pid: Int32) -> Wait {
        var summaries: [String] = [], targets: [WaitTarget] = []
        for wait in waits.prefix(16) {
            let (object, waitsFor) = descriptor(pid: pid, fd: wait.fd, reading: wait.reading)
            summaries.append(object?.summary ?? "fd \(wait.fd)")
            targets += waitsFor.filter { !targets.contains($0) }
        }
        let fds = waits.map { String($0.fd) }.joined(separator: ",")
        return (WaitObject(kind: kind, fields: [("fds", .string(fds))], summary: summaries.joined(separator: "; ")), targets)
    }

    // MARK: SysV

    /// A SysV id means something only in its IPC namespace: `semctl`/`msgctl` here would ask ipcwatch's own
    /// (another object, or none) about a process in a container.
    private func inOtherNamespace(_ pid: Int32) -> Bool {
        guard let own = ProcFS.link("/proc/self/ns/ipc"), let theirs = ProcFS.link("/proc/\(pid)/ns/ipc") else { return false }
        return own != theirs
    }

    /// The object of a SysV wait in another IPC namespace: its id only, no one to wait for.
    private func otherNamespace(kind: String, id: Int32, name: String) -> Wait {
        (WaitObject(kind: kind, fields: [("id", .integer(Int64(id))), ("ipcNamespace", .string("other"))],
                    summary: "\(name) \(id) (in another IPC namespace)"), [])
    }

    private func semaphore(pid: Int32, tid: Int32, id: Int32, operations: UInt64, count: Int) -> Wait {
        if inOtherNamespace(pid) { return otherNamespace(kind: "sem", id: id, name: "semaphore set") }
        guard count > 0, let bytes = ProcessMemory(tid: tid).read(address: operations, count: count * 6) else {
            return (WaitObject(kind: "sem", fields: [("id", .integer(Int64(id)))], summary: "semaphore set \(id)"), [])
        }
        // struct sembuf { unsigned short sem_num; short sem_op; short sem_flg; }
        let operation = { (index: Int) -> (number: Int32, op: Int16) in
            bytes.withUnsafeBytes { (Int32($0.loadUnaligned(fromByteOffset: index * 6, as: UInt16.self)),
                                     $0.loadUnaligned(fromByteOffset: index * 6 + 2, as: Int16.self)) }
        }
        let value = { (number: Int32) in ipcw_semctl(id, number, GETVAL) }
        // The operation that cannot proceed: a decrement below zero, or a wait for zero.
        let blocking = (0..<count).map(operation).first { sop in
            let current = value(sop.number)
            return current >= 0 && (sop.op < 0 && current < -Int32(sop.op) || sop.op == 0 && current != 0)
        } ?? operation(0)
        let current = value(blocking.number)
        let waiting = ipcw_semctl(id, blocking.number, GETNCNT), zero = ipcw_semctl(id, blocking.number, GETZCNT)
        let last = ipcw_semctl(id, blocking.number, GETPID)
        let object = WaitObject(kind: "sem", fields: [("id", .integer(Int64(id))), ("num", .integer(Int64(blocking.number))),
                                                      ("op", .integer(Int64(blocking.op))), ("value", .integer(Int64(current))),
                                                      ("semncnt", .integer(Int64(waiting))), ("semzcnt", .integer(Int64(zero))),
                                                      ("sempid", .integer(Int64(last)))],
                                summary: "semaphore \(id)[\(blocking.number)] (value \(current), op \(blocking.op); \(waiting) waiting for an increase, \(zero) for zero)")
        guard last > 0, last != pid else { return (object, []) }
        let need = blocking.op == 0 ? "brought to zero" : "raised by \(-Int32(blocking.op))"
        return (object, [WaitTarget(pid: last, comm: files.name(of: last), fd: nil,
                                    reason: "last changed semaphore \(id)[\(blocking.number)], now \(current) (the waiter needs it \(need))",
                                    link: .lastChanger)])
    }

    private func messageQueue(pid: Int32, id: Int32, receiving: Bool, type: Int64?) -> Wait {
        if inOtherNamespace(pid) { return otherNamespace(kind: "msg", id: id, name: "message queue") }
        var status = msqid_ds()
        guard msgctl(id, IPC_STAT, &status) == 0 else {
            return (WaitObject(kind: "msg", fields: [("id", .integer(Int64(id)))], summary: "message queue \(id)"), [])
        }
        var fields: [(key: String, value: WaitObject.Value)] = [
            ("id", .integer(Int64(id))), ("num", .integer(Int64(status.msg_qnum))), ("bytes", .integer(Int64(status.__msg_cbytes))),
            ("qbytes", .integer(Int64(status.msg_qbytes))), ("lspid", .integer(Int64(status.msg_lspid))),
            ("lrpid", .integer(Int64(status.msg_lrpid))),
        ]
        if let type { fields.append(("type", .integer(type))) }
        let sender = status.msg_lspid, receiver = status.msg_lrpid
        let summary = "message queue \(id): \(status.msg_qnum) messages, \(status.__msg_cbytes) of \(status.msg_qbytes) bytes"
            + (receiving && sender == 0 ? "; nobody has sent to it" : "")
        let object = WaitObject(kind: "msg", fields: fields, summary: summary)
        if receiving {
            guard sender > 0, sender != pid else { return (object, []) }
            return (object, [WaitTarget(pid: sender, comm: files.name(of: sender), fd: nil,
                                        reason: "last sent to queue \(id) (the receiver waits for a message" + (type.map { $0 != 0 ? " of type \($0))" : ")" } ?? ")"),
                                        link: .lastChanger)])
        }
        guard receiver > 0, receiver != pid else { return (object, []) }
        return (object, [WaitTarget(pid: receiver, comm: files.name(of: receiver), fd: nil,
                                    reason: "last received from queue \(id) (the sender waits for room)", link: .lastChanger)])
    }

    // MARK: children

    /// wait4/waitid: the child named, or every child of the process.
    private func child(pid: Int32, number: Int, _ arguments: [UInt64]) -> Wait {
        let named: Int32? = switch number {
        case 61: Int32(truncatingIfNeeded: arguments[0]) > 0 ? Int32(truncatingIfNeeded: arguments[0]) : nil
        default: arguments[0] == 1 /* P_PID */ ? Int32(truncatingIfNeeded: arguments[1]) : nil
        }
        let children = named.map { [$0] } ?? files.children(of: pid)
        let object = WaitObject(kind: "child", fields: named.map { [("pid", .integer(Int64($0)))] } ?? [("children", .integer(Int64(children.count)))],
                                summary: named.map { "child \($0)" } ?? (children.count == 1 ? "its child \(children[0])" : "any of its \(children.count) children"))
        return (object, children.map { WaitTarget(pid: $0, comm: files.name(of: $0), fd: nil, reason: "the child waited for (it has not ended)", link: .child) })
    }
}
