#if canImport(Glibc)
import Glibc
#endif

/// NDJSON in Tracee's classic event schema: one object per event with Tracee's keys and argument
/// names/types, plus keys of ours (`arch`, `durationNs`, `pipeInodes`, `ipcCall`) that Tracee does not have.
package struct TraceeJSONFormat: Sendable {
    let hostName: String

    /// Creates a format, reading the host name (`gethostname(2)`) once for the `hostName` key.
    package init() {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        hostName = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The format `Event`'s `Codable` conformance uses.
    static let standard = TraceeJSONFormat()

    /// The event as one JSON object on one line, without a newline.
    package func line(for event: Event) -> String { String(decoding: bytes(for: event), as: UTF8.self) }

    /// The line as UTF-8, without a newline: what `OutputFile.writeLine(bytes:)` takes.
    package func bytes(for event: Event) -> [UInt8] {
        var json = JSONWriter()
        write(event, to: &json)
        return json.bytes
    }

    /// The line as values: what `Event.encode(to:)` encodes.
    func document(for event: Event) -> JSONValue {
        var tree = JSONTreeBuilder()
        write(event, to: &tree)
        return tree.root
    }

    private func write<Output: JSONOutput>(_ event: Event, to json: inout Output) {
        json.beginObject()
        json.field("timestamp", event.timestamp)
        json.field("processId", event.processID)
        json.field("threadId", event.threadID)
        json.field("parentProcessId", event.parentProcessID)
        json.field("hostProcessId", event.processID)
        json.field("hostThreadId", event.threadID)
        json.field("hostParentProcessId", event.parentProcessID)
        json.field("userId", event.userID)
        json.field("processName", event.processName)
        json.field("hostName", hostName)
        let entered = event.enteredSyscall
        json.field("eventId", String(Self.eventID(entered)))
        json.field("eventName", entered.rawValue)
        json.field("syscall", entered.rawValue)
        json.field("returnValue", event.result.rawValue)
        json.key("contextFlags")
        json.beginObject()
        json.field("isCompat", event.architecture.isCompat)
        json.endObject()
        let arguments = event.multiplexed.map(TraceeArguments.ipc) ?? TraceeArguments.of(event.call)
        json.field("argsNum", arguments.count)
        json.key("args")
        write(arguments, to: &json)
        // Ours: the ABI, the time in the syscall, and the decoded subcall of an ipc(2) call.
        json.field("arch", event.architecture.rawValue)
        json.field("durationNs", event.duration)
        if let inodes = event.pipeInodes {
            json.key("pipeInodes")
            json.beginArray()
            inodes.forEach { json.integer($0) }
            json.endArray()
        }
        if event.multiplexed != nil {
            json.key("ipcCall")
            json.beginObject()
            json.field("eventName", event.call.syscall.rawValue)
            json.key("args")
            write(TraceeArguments.of(event.call), to: &json)
            json.endObject()
        }
        json.endObject()
    }

    private func write<Output: JSONOutput>(_ arguments: [TraceeArgument], to json: inout Output) {
        json.beginArray()
        for argument in arguments {
            json.beginObject()
            json.field("name", argument.name)
            json.field("type", argument.type)
            json.key("value")
            switch argument.value {
            case .signed(let v): json.integer(v)
            case .unsigned(let v): json.integer(v)
            case .pair(let a, let b):
                json.beginArray(); json.integer(a); json.integer(b); json.endArray()
            case .none: json.null()
            }
            json.endObject()
        }
        json.endArray()
    }

    /// Tracee's event ids for syscalls are the x86_64 numbers; `ipc` has none there, and Tracee
    /// numbers its 32-bit-only syscalls from 1000 (`ipc` is not among them), so it gets -1.
    static func eventID(_ syscall: Syscall) -> Int {
        SyscallTable.standard.entries.first { $0.architecture == .x86_64 && $0.syscall == syscall }.map { Int($0.number) } ?? -1
    }
}

/// One `{name, type, value}` of Tracee's `args`.
struct TraceeArgument {
    enum Value {
        case signed(Int64)
        case unsigned(UInt64)
        case pair(Int32, Int32)
        case none
    }
    let name: String
    let type: String
    let value: Value
}

/// Tracee's argument names and types per event.
enum TraceeArguments {
    static func of(_ call: Call) -> [TraceeArgument] {
        func int(_ name: String, _ v: Int32) -> TraceeArgument { TraceeArgument(name: name, type: "int", value: .signed(Int64(v))) }
        func pointer(_ name: String, _ type: String, _ v: UInt64) -> TraceeArgument {
            TraceeArgument(name: name, type: type, value: .unsigned(v))
        }
        func key(_ v: Int32) -> TraceeArgument { TraceeArgument(name: "key", type: "key_t", value: .signed(Int64(v))) }
        func size(_ name: String, _ v: UInt64) -> TraceeArgument { TraceeArgument(name: name, type: "size_t", value: .unsigned(v)) }
        func pipefd(_ ends: PipeEnds) -> TraceeArgument {
            if case .fds(let r, let w) = ends { return TraceeArgument(name: "pipefd", type: "[2]int", value: .pair(r, w)) }
            return TraceeArgument(name: "pipefd", type: "[2]int", value: .none)
        }
        switch call {
        case .pipe(let ends): return [pipefd(ends)]
        case .pipe2(let ends, let flags):
            return [pipefd(ends), TraceeArgument(name: "flags", type: "int32", value: .signed(Int64(Int32(bitPattern: flags))))]
        case .msgget(let k, let flags): return [key(k), int("msgflg", flags)]
        case .msgsnd(let msqid, let msgp, _, let msgsz, let flags):
            return [int("msqid", msqid), pointer("msgp", "struct msgbuf*", msgp), size("msgsz", msgsz), int("msgflg", flags)]
        case .msgrcv(let msqid, let msgp, _, let msgsz, let msgtyp, let flags):
            return [int("msqid", msqid), pointer("msgp", "struct msgbuf*", msgp), size("msgsz", msgsz),
                    TraceeArgument(name: "msgtyp", type: "long", value: .signed(msgtyp)), int("msgflg", flags)]
        case .msgctl(let msqid, let command, let buf, _):
            return [int("msqid", msqid), int("cmd", command), pointer("buf", "struct msqid_ds*", buf)]
        case .semget(let k, let nsems, let flags): return [key(k), int("nsems", nsems), int("semflg", flags)]
        case .semop(let semid, let sops, _, let nsops):
            return [int("semid", semid), pointer("sops", "struct sembuf*", sops), size("nsops", nsops)]
        case .semtimedop(let semid, let sops, _, let nsops, let timeout, _):
            return [int("semid", semid), pointer("sops", "struct sembuf*", sops), size("nsops", nsops),
                    pointer("timeout", "const struct timespec*", timeout)]
        case .semctl(let semid, let semnum, let command, let arg, _, _):
            return [int("semid", semid), int("semnum", semnum), int("cmd", command),
                    TraceeArgument(name: "arg", type: "unsigned long", value: .unsigned(arg))]
        case .shmget(let k, let size, let flags):
            return [key(k), TraceeArgument(name: "size", type: "size_t", value: .unsigned(size)), int("shmflg", flags)]
        case .shmat(let shmid, let shmaddr, let flags):
            return [int("shmid", shmid), pointer("shmaddr", "const void*", shmaddr), int("shmflg", flags)]
        case .shmdt(let shmaddr): return [pointer("shmaddr", "const void*", shmaddr)]
        case .shmctl(let shmid, let command, let buf, _):
            return [int("shmid", shmid), int("cmd", command), pointer("buf", "struct shmid_ds*", buf)]
        case .ipc(let raw): return ipc(raw)
        }
    }

    /// `ipc(call, first, second, third, ptr, fifth)` with Tracee's types.
    static func ipc(_ raw: MultiplexedCall) -> [TraceeArgument] {
        [TraceeArgument(name: "call", type: "uint32", value: .unsigned(UInt64(raw.call))),
         TraceeArgument(name: "first", type: "int32", value: .signed(Int64(raw.first))),
         TraceeArgument(name: "second", type: "uint64", value: .unsigned(raw.second)),
         TraceeArgument(name: "third", type: "uint64", value: .unsigned(raw.third)),
         TraceeArgument(name: "ptr", type: "pointer", value: .unsigned(raw.ptr)),
         TraceeArgument(name: "fifth", type: "int64", value: .signed(raw.fifth))]
    }
}
