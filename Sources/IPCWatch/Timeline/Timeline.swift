#if canImport(Glibc)
import Glibc
#endif

/// `--timeline`: the trace as Chrome trace-event JSON for Perfetto, written as the records come. A track
/// per process (named by its `comm`, with its lifetime from fork or attach to exit as a slice of its own)
/// and per thread; a slice per traced call (named by the syscall, the text output's call and result as
/// args); exec as an instant; and flow arrows from each message's send to its receive (``MessageFlows``),
/// each byte stream's write to the reads that took its bytes (``ByteStreamFlows``, with transfers) and
/// each semaphore raise to the wait it released (``SemaphoreFlows``). Memory holds the live processes
/// and the messages in flight, never the events.
package struct Timeline {
    private var writer = TraceEventWriter()
    /// The text output's format: the slices' args are its call and result.
    private let text: TextFormat
    private var opened = false
    /// Live processes (their lifetime slice is open), by pid: their name.
    private var processes: [Int32: String] = [:]
    /// Live threads seen, with their process.
    private var threads: [Int32: Int32] = [:]
    private var messages = MessageFlows()
    private var semaphores = SemaphoreFlows()
    private var streams = ByteStreamFlows()
    private var nextFlow: UInt64 = 1
    /// A POSIX queue descriptor's inode (`/proc/PID/fd/N`), which names the queue across processes.
    private let queueInode: (Int32, Int32) -> UInt64?

    /// A timeline; `queueInode` finds the inode of a process's message queue descriptor (the default
    /// `stat`s `/proc/PID/fd/FD`).
    package init(text: TextFormat = TextFormat(), queueInode: @escaping (Int32, Int32) -> UInt64? = Timeline.procQueueInode) {
        self.text = text
        self.queueInode = queueInode
    }

    /// Hands what was written since the last call (whole lines: the file's opening first) to `body`.
    package mutating func takeOutput(_ body: ([UInt8]) -> Void) {
        guard !writer.output.isEmpty else { return }
        body(writer.output)
        writer.output.removeAll(keepingCapacity: true)
    }

    /// The trace runs: `processes` are the launched command or the attached processes. Called first:
    /// it writes the file's opening, and times are written relative to `time`.
    package mutating func started(_ pids: [Int32], at time: UInt64) {
        open(at: time)
        for pid in pids { begin(pid, name: Self.comm(pid) ?? "?", at: time) }
    }

    /// Takes one record (after ``started(_:at:)``).
    package mutating func add(_ record: TraceRecord) {
        switch record {
        case .event(let event): add(event)
        case .transfer(let transfer): add(transfer)
        case .lifecycle(let change): add(change)
        case .exit(let tid, let status):
            let pid = threads.removeValue(forKey: tid) ?? tid
            guard tid == pid, processes[pid] != nil else { return }
            end(pid, at: Clock.realtimeNanoseconds(), status: status.description)
        case .superseded(_, let formerThreadID):
            threads.removeValue(forKey: formerThreadID)  // gone: the leader goes on with its program
        case .signal(let signal):
            see(signal.processID, signal.threadID, name: nil, at: signal.timestamp)
            writer.event("i", name: "--- \(signal.straceText(style: text.style)) ---",
                         category: "signal", processID: signal.processID, threadID: signal.threadID,
                         time: signal.timestamp) { $0.key("s"); $0.string("t") }
        case .snapshot, .usage, .blocking:  // a call's slice is drawn whole at its end
            break
        }
    }

    /// The trace ended at `time`: processes still traced (detached, or whose end was not seen) end here,
    /// and the array is closed.
    package mutating func finish(at time: UInt64) {
        open(at: time)  // a trace that never started (the command could not run) is an empty array
        for pid in processes.keys.sorted() { end(pid, at: time, status: "still running at the end of the trace") }
        writer.close()
    }

    private mutating func open(at time: UInt64) {
        guard !opened else { return }
        opened = true
        writer.open(origin: time)
    }

    // MARK: tracks

    private mutating func begin(_ pid: Int32, name: String, at time: UInt64) {
        processes[pid] = name
        threads[pid] = pid
        writer.name("process_name", processID: pid, threadID: pid, name)
        writer.name("thread_name", processID: pid, threadID: pid, name)
        writer.event("b", name: "\(name) \(pid)", category: "process", processID: pid, threadID: pid, time: time) {
            Self.lifetimeID(&$0, pid)
        }
    }

    /// A process-scoped async id (`id2.local`): the lifetime slice goes on a track of the process's own,
    /// not among the trace's global ones.
    private static func lifetimeID(_ json: inout JSONWriter, _ pid: Int32) {
        json.key("id2")
        json.beginObject()
        json.key("local")
        json.integer(pid)
        json.endObject()
    }

    private mutating func end(_ pid: Int32, at time: UInt64, status: String) {
        guard let name = processes.removeValue(forKey: pid) else { return }
        writer.event("e", name: "\(name) \(pid)", category: "process", processID: pid, threadID: pid, time: time) {
            Self.lifetimeID(&$0, pid)
            $0.key("args")
            $0.beginObject()
            $0.key("status")
            $0.string(status)
            $0.endObject()
        }
    }

    /// A record of `tid` (of `pid`): its process and thread tracks exist from now on.
    private mutating func see(_ pid: Int32, _ tid: Int32, name: String?, at time: UInt64) {
        if processes[pid] == nil { begin(pid, name: name ?? Self.comm(pid) ?? "?", at: time) }
        if threads[tid] == nil {
            threads[tid] = pid
            writer.name("thread_name", processID: pid, threadID: tid, name ?? processes[pid] ?? "?")
        }
    }

    private mutating func add(_ change: ProcessLifecycle) {
        switch change.change {
        case .spawned(let child, let childProcessID):
            see(change.processID, change.threadID, name: nil, at: change.timestamp)
            if child == childProcessID {
                begin(child, name: processes[change.processID] ?? "?", at: change.timestamp)
            } else if threads[child] == nil {
                threads[child] = childProcessID
                writer.name("thread_name", processID: childProcessID, threadID: child, processes[childProcessID] ?? "?")
            }
        case .executed(let name):
            let pid = change.processID
            see(pid, change.threadID, name: name, at: change.timestamp)
            processes[pid] = name
            writer.name("process_name", processID: pid, threadID: pid, name)
            writer.name("thread_name", processID: pid, threadID: change.threadID, name)
            writer.event("i", name: "exec \(name)", category: "process", processID: pid, threadID: change.threadID,
                         time: change.timestamp) {
                $0.key("s")
                $0.string("t")
                $0.key("args")
                $0.beginObject()
                $0.key("comm")
                $0.string(name)
                $0.endObject()
            }
        }
    }

    // MARK: slices

    private mutating func add(_ event: Event) {
        see(event.processID, event.threadID, name: event.processName, at: event.timestamp)
        let parts = text.callAndResult(for: event)
        writer.event("X", name: parts.name, category: "syscall", processID: event.processID, threadID: event.threadID,
                     time: event.timestamp) {
            $0.key("dur")
            $0.microseconds(Int64(event.duration))
            $0.key("args")
            $0.beginObject()
            $0.key("call")
            $0.string(parts.call)
            $0.key("result")
            $0.string(parts.result)
            if case .unfinished(let reason) = event.result {
                $0.key("unfinished")
                $0.string(reason == .detached ? "detached: closed at the end of the trace" : "thread ended during the call")
            }
            $0.endObject()
        }
        guard event.result.isSuccess else { return }
        let place = Self.slice(event.processID, event.threadID, event.timestamp, event.duration)
        switch event.call {
        case .msgsnd(let queue, _, let message?, _, _):
            if let other = messages.send(.init(queue: UInt64(UInt32(bitPattern: queue)), selector: message.type), at: place) {
                arrow("message", from: place, to: other)
            }
        case .msgrcv(let queue, _, let message?, _, _, let flags) where flags & 0o40000 == 0:  // MSG_COPY takes nothing
            if let other = messages.receive(.init(queue: UInt64(UInt32(bitPattern: queue)), selector: message.type), at: place) {
                arrow("message", from: other, to: place)
            }
        case .msgctl(let queue, let command, _, _) where command & 0xff == 0:  // IPC_RMID
            messages.removeQueue(UInt64(UInt32(bitPattern: queue)))
        case .mqTimedsend(let descriptor, _, _, _, let priority, _, _):
            if let inode = queueInode(event.processID, descriptor),
               let other = messages.send(.init(queue: inode, selector: Int64(priority)), at: place) {
                arrow("message", from: place, to: other)
            }
        case .mqTimedreceive(let descriptor, _, _, _, _, let priority?, _, _):
            if let inode = queueInode(event.processID, descriptor),
               let other = messages.receive(.init(queue: inode, selector: Int64(priority)), at: place) {
                arrow("message", from: other, to: place)
            }
        case .semop(let set, _, let operations?, _), .semtimedop(let set, _, let operations?, _, _, _):
            for (from, to) in semaphores.add(set: set, operations: operations.entries, place: place, entry: event.timestamp,
                                             exit: event.timestamp + event.duration) {
                arrow("semaphore", from: from, to: to)
            }
        case .semctl(let set, _, let command, _, _, _) where command & 0xff == 0:  // IPC_RMID
            semaphores.removeSet(set)
        default:
            break
        }
    }

    /// A read or write on a channel: a slice unless the call is also an event (`splice`, `tee`,
    /// `vmsplice` have one already, at the same place), and the arrows of the bytes it moved.
    private mutating func add(_ transfer: ChannelTransfer) {
        see(transfer.processID, transfer.threadID, name: nil, at: transfer.timestamp)
        let alsoAnEvent = ["splice", "tee", "vmsplice"].contains(transfer.name)
        if !alsoAnEvent {
            writer.event("X", name: transfer.name, category: "io", processID: transfer.processID,
                         threadID: transfer.threadID, time: transfer.timestamp) {
                $0.key("dur")
                $0.microseconds(Int64(transfer.duration))
                $0.key("args")
                $0.beginObject()
                for side in transfer.sides {
                    $0.key(side.end == .write ? "into" : "from")
                    $0.string("\(side.fd)<\(side.kind == .unix ? "socket" : side.kind.rawValue):[\(side.inode)]>")
                }
                $0.key("result")
                $0.integer(transfer.result)
                $0.endObject()
            }
        }
        guard transfer.bytes > 0 else { return }
        let place = Self.slice(transfer.processID, transfer.threadID, transfer.timestamp, transfer.duration)
        for side in transfer.sides {
            switch side.end {
            case .write:
                // A socket's bytes are read from its peer.
                guard let channel = side.kind == .unix ? side.peerInode : side.inode else { continue }
                for reader in streams.wrote(transfer.bytes, into: channel, at: place) { arrow("bytes", from: place, to: reader) }
            case .read:
                // tee copies without consuming: the bytes are still there for the next reader.
                guard transfer.name != "tee" else { continue }
                for writer in streams.read(transfer.bytes, from: side.inode, at: place) { arrow("bytes", from: writer, to: place) }
            }
        }
    }

    private mutating func arrow(_ name: String, from: TraceEventWriter.Place, to: TraceEventWriter.Place) {
        guard from.processID != to.processID else { return }  // between processes only
        writer.flow(name, id: nextFlow, from: from, to: to)
        nextFlow += 1
    }

    /// The slice a call's arrows start or end at.
    private static func slice(_ pid: Int32, _ tid: Int32, _ start: UInt64, _ duration: UInt64) -> TraceEventWriter.Place {
        TraceEventWriter.Place(processID: pid, threadID: tid, start: start, duration: duration)
    }

    /// `/proc/PID/comm` without its newline.
    private static func comm(_ pid: Int32) -> String? {
        ProcFS.identity(of: pid)?.name
    }

    /// The inode behind `/proc/PID/fd/FD`.
    package static func procQueueInode(_ pid: Int32, _ fd: Int32) -> UInt64? {
        var info = stat()
        guard stat("/proc/\(pid)/fd/\(fd)", &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }
}
