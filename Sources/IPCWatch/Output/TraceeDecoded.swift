/// Our `decoded` key: what the text output shows and Tracee's `args` cannot carry, by argument name —
/// flags, commands and keys as strace names them (strings), and the memory read behind pointers as JSON:
/// message buffers, `sembuf` arrays, `*ctl` structures, timeouts, the address of an unreadable pipe array.
/// Written by ``write(_:to:)``; ``restore(_:into:architecture:)`` reads the memory parts back, so
/// that an event survives a round trip through `Codable`.
enum TraceeDecoded {
    static func write<Output: JSONOutput>(_ call: Call, to json: inout Output) {
        json.beginObject()
        switch call {
        case .pipe(let ends):
            pipefd(ends, &json)
        case .pipe2(let ends, let flags):
            pipefd(ends, &json)
            json.field("flags", PipeFlags.names.renderOrZero(UInt64(flags)))
        case .msgget(let key, let flags):
            json.field("key", Call.key(key))
            json.field("msgflg", Call.getFlags(flags, IPCGetFlags.names))
        case .msgsnd(_, _, let message, _, let flags), .msgrcv(_, _, let message, _, _, let flags):
            if let message {
                json.key("msgp")
                json.beginObject()
                json.field("mtype", message.type)
                if let text = message.text {
                    json.field("mtext", StringQuoting.escape(text))
                } else {
                    json.field("mtext_address", message.textAddress)
                }
                json.field("truncated", message.truncated)
                json.endObject()
            }
            json.field("msgflg", MessageFlags.names.renderOrZero(UInt64(UInt32(bitPattern: flags))))
        case .msgctl(_, let command, _, let contents):
            json.field("cmd", IPCCommands.render(command, IPCCommands.msg))
            structure("buf", contents, &json)
        case .semget(let key, _, let flags):
            json.field("key", Call.key(key))
            json.field("semflg", Call.getFlags(flags, IPCGetFlags.names))
        case .semop(_, _, let operations, _):
            sops(operations, &json)
        case .semtimedop(_, _, let operations, _, let timeout, let value):
            sops(operations, &json)
            time("timeout", timeout, value, &json)
        case .semctl(_, _, let command, _, _, let contents):
            json.field("cmd", IPCCommands.render(command, IPCCommands.sem))
            structure("arg", contents, &json)
        case .shmget(let key, _, let flags):
            json.field("key", Call.key(key))
            json.field("shmflg", Call.getFlags(flags, IPCGetFlags.shmNames))
        case .shmat(_, _, let flags):
            json.field("shmflg", SharedMemoryAttachFlags.names.renderOrZero(UInt64(UInt32(bitPattern: flags))))
        case .shmdt:
            break
        case .shmctl(_, let command, _, let contents):
            json.field("cmd", IPCCommands.render(command, IPCCommands.shm))
            structure("buf", contents, &json)
        case .ipc:
            break
        case .splice, .tee, .vmsplice, .mqOpen, .mqUnlink, .mqTimedsend, .mqTimedreceive, .mqNotify, .mqGetsetattr,
             .futex, .setRobustList, .getRobustList:
            writeChannel(call, to: &json)
        }
        json.endObject()
    }

    private static func pipefd<Output: JSONOutput>(_ ends: PipeEnds, _ json: inout Output) {
        guard case .pointer(let address) = ends else { return }
        json.key("pipefd")
        json.beginObject()
        json.field("address", address)
        json.endObject()
    }

    private static func sops<Output: JSONOutput>(_ operations: ArrayEntries<SemaphoreOperation>?, _ json: inout Output) {
        guard let operations else { return }
        json.key("sops")
        json.beginArray()
        for operation in operations.entries {
            json.beginObject()
            json.field("sem_num", operation.number)
            json.field("sem_op", operation.operation)
            json.field("sem_flg", SemaphoreFlags.names.renderOrZero(UInt64(UInt16(bitPattern: operation.flags))))
            json.endObject()
        }
        json.endArray()
        if let unreadable = operations.unreadable { json.field("sops_unreadable", unreadable) }
    }

    private static func structure<Output: JSONOutput>(_ name: String, _ contents: DecodedStruct?, _ json: inout Output) {
        guard let contents else { return }
        json.key(name)
        write(contents, &json)
    }

    /// Numbers as numbers, permission bits as strace's octal string, nested structures as objects.
    private static func write<Output: JSONOutput>(_ structure: DecodedStruct, _ json: inout Output) {
        json.beginObject()
        for field in structure.fields {
            json.key(field.name)
            switch field.value {
            case .signed(let v): json.integer(v)
            case .unsigned(let v): json.integer(v)
            case .mode(let v): json.string(v == 0 ? "0" : "0" + String(v, radix: 8))
            case .nested(let inner): write(inner, &json)
            }
        }
        json.endObject()
    }

    // MARK: reading back

    /// `call` (decoded from Tracee's `args`) with the memory parts `decoded` carries.
    static func restore(_ decoded: JSONValue?, into call: Call, architecture: Architecture) -> Call {
        guard let decoded else { return call }
        switch call {
        case .pipe(.pointer):
            return .pipe(.pointer(decoded["pipefd"]?["address"]?.uint64 ?? 0))
        case .pipe2(.pointer, let flags):
            return .pipe2(.pointer(decoded["pipefd"]?["address"]?.uint64 ?? 0), flags: flags)
        case .msgsnd(let msqid, let msgp, _, let msgsz, let flags):
            return .msgsnd(msqid: msqid, msgp: msgp, message: message(decoded["msgp"], at: msgp, architecture), msgsz: msgsz,
                           flags: flags)
        case .msgrcv(let msqid, let msgp, _, let msgsz, let msgtyp, let flags):
            return .msgrcv(msqid: msqid, msgp: msgp, message: message(decoded["msgp"], at: msgp, architecture), msgsz: msgsz, msgtyp: msgtyp,
                           flags: flags)
        case .msgctl(let msqid, let command, let buf, _):
            return .msgctl(msqid: msqid, command: command, buf: buf, contents: structure(decoded["buf"], .msg, command))
        case .semop(let semid, let sops, _, let nsops):
            return .semop(semid: semid, sops: sops, operations: operations(decoded), nsops: nsops)
        case .semtimedop(let semid, let sops, _, let nsops, _, _):
            let timeout = decoded["timeout"]
            let value = timeout?["tv_sec"]?.int64.flatMap { seconds in
                timeout?["tv_nsec"]?.int64.map { TimeSpec(seconds: seconds, nanoseconds: $0) }
            }
            return .semtimedop(semid: semid, sops: sops, operations: operations(decoded), nsops: nsops,
                               timeout: timeout?["address"]?.uint64 ?? 0, timeoutValue: value)
        case .semctl(let semid, let semnum, let command, let arg, let byReference, _):
            return .semctl(semid: semid, semnum: semnum, command: command, arg: arg, argByReference: byReference,
                           contents: structure(decoded["arg"], .sem, command))
        case .shmctl(let shmid, let command, let buf, _):
            return .shmctl(shmid: shmid, command: command, buf: buf, contents: structure(decoded["buf"], .shm, command))
        default:
            return restoreChannel(decoded, into: call)
        }
    }

    private static func message(_ json: JSONValue?, at msgp: TraceeAddress, _ architecture: Architecture) -> MessageBuffer? {
        guard let json, let type = json["mtype"]?.int64 else { return nil }
        let text = json["mtext"]?.string.map(StringQuoting.unescape)
        let textAddress = json["mtext_address"]?.uint64 ?? msgp &+ TraceeAddress(architecture.kernelLongSize)
        guard text != nil || json["mtext_address"] != nil else { return nil }
        return MessageBuffer(type: type, textAddress: textAddress, text: text, truncated: json["truncated"]?.bool ?? false)
    }

    private static func operations(_ decoded: JSONValue) -> ArrayEntries<SemaphoreOperation>? {
        let entries = decoded["sops"]?.array?.map { item in
            SemaphoreOperation(number: UInt16(truncatingIfNeeded: item["sem_num"]?.int64 ?? 0),
                               operation: Int16(truncatingIfNeeded: item["sem_op"]?.int64 ?? 0),
                               flags: Int16(truncatingIfNeeded: SemaphoreFlags.names.value(of: item["sem_flg"]?.string ?? "0")))
        }
        return entries.map { ArrayEntries($0, unreadable: decoded["sops_unreadable"]?.uint64) }
    }

    /// The structure's fields typed as the command's layout prints them.
    private static func structure(_ json: JSONValue?, _ family: Syscall.Family, _ command: Int32) -> DecodedStruct? {
        guard let json, let (printed, _) = ControlDecoder.structure(family, command & ~IPCCommands.ipc64) else { return nil }
        return structure(json, printed)
    }

    private static func structure(_ json: JSONValue, _ printed: PrintedStruct) -> DecodedStruct? {
        guard case .object(let members) = json else { return nil }
        let values = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        var fields: [(name: String, value: DecodedStruct.Value)] = []
        // In strace's order (a decoded JSON object need not keep its own), the fields the object has.
        for field in printed.fields {
            guard let member = values[field.name] else { continue }
            let value: DecodedStruct.Value
            switch field.format {
            case .signed: value = .signed(member.int64 ?? 0)
            case .unsigned: value = .unsigned(member.uint64 ?? 0)
            case .mode: value = .mode(UInt32(member.string ?? "0", radix: 8) ?? 0)
            case .nested(let inner):
                guard let nested = structure(member, inner) else { return nil }
                value = .nested(nested)
            }
            fields.append((field.name, value))
        }
        return DecodedStruct(fields: fields)
    }
}
