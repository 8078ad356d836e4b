/// `Codable` in the `--json` format: encoding gives the object the CLI writes (Tracee's schema plus our
/// keys), decoding reads such an object back.
///
/// Decoding restores what the schema carries. Memory the tracer read behind pointers (message text,
/// `sembuf` arrays, `*ctl` structures, the timeout), which only the text output shows, decodes as nil, and
/// the `pipefd` address of a failed `pipe` as 0.
extension Event: Codable {
    /// Encodes the object ``TraceeJSONFormat`` writes for this event.
    public func encode(to encoder: any Swift.Encoder) throws {
        try TraceeJSONFormat.standard.document(for: self).encode(to: encoder)
    }

    /// Decodes an object in the `--json` format; throws `DecodingError.dataCorrupted` when a key it needs
    /// is missing or invalid.
    public init(from decoder: any Swift.Decoder) throws {
        let json = try JSONValue(from: decoder)
        func corrupted(_ message: String) -> DecodingError {
            .dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: message))
        }
        func number<T: FixedWidthInteger>(_ key: String, _ type: T.Type = T.self) throws -> T {
            guard let value = json[key], let number = value.int64.flatMap(T.init(exactly:)) ?? value.uint64.flatMap(T.init(exactly:))
            else { throw corrupted("'\(key)' is missing or not a \(T.self)") }
            return number
        }
        guard let name = json["eventName"]?.string, let syscall = Syscall(rawValue: name) else {
            throw corrupted("'eventName' is missing or not an ipcwatch event")
        }
        let architecture = json["arch"]?.string.flatMap(Architecture.init(rawValue:))
            ?? (json["contextFlags"]?["isCompat"]?.bool == true ? .i386 : .x86_64)
        let arguments = try TraceeArgumentValues(json["args"], corrupted: corrupted)
        var multiplexed: MultiplexedCall?
        let call: Call
        if syscall == .ipc {
            let raw = try arguments.ipc()
            multiplexed = raw
            if let subcall = json["ipcCall"], let subName = subcall["eventName"]?.string, let sub = Syscall(rawValue: subName) {
                call = try TraceeArgumentValues(subcall["args"], corrupted: corrupted).call(sub, multiplexed: true)
            } else {
                call = .ipc(raw)
            }
        } else {
            call = try arguments.call(syscall, multiplexed: false)
        }
        let returnValue: Int64 = try number("returnValue")
        // The kernel's convention: -4095...-1 are errors.
        let result: SyscallResult = (-4095 ... -1).contains(returnValue)
            ? .failure(Errno(rawValue: Int32(-returnValue))) : .success(returnValue)
        self.init(timestamp: try number("timestamp"), processID: try number("processId"), threadID: try number("threadId"),
                  parentProcessID: try number("parentProcessId"), userID: try number("userId"),
                  processName: json["processName"]?.string ?? "", architecture: architecture, call: call,
                  multiplexed: multiplexed, result: result, duration: json["durationNs"]?.uint64 ?? 0,
                  pipeInodes: json["pipeInodes"]?.array?.compactMap(\.uint64))
    }
}

/// The `args` array of a Tracee event, by name.
private struct TraceeArgumentValues {
    let values: [String: JSONValue]
    let corrupted: (String) -> DecodingError

    init(_ args: JSONValue?, corrupted: @escaping (String) -> DecodingError) throws {
        guard let list = args?.array else { throw corrupted("'args' is missing") }
        var values: [String: JSONValue] = [:]
        for argument in list {
            if let name = argument["name"]?.string { values[name] = argument["value"] ?? .null }
        }
        self.values = values
        self.corrupted = corrupted
    }

    func int32(_ name: String) throws -> Int32 {
        guard let value = values[name], let number = value.int64.flatMap(Int32.init(truncatingIfNeeded:)) else {
            throw corrupted("argument '\(name)' is missing or not a number")
        }
        return number
    }

    func uint64(_ name: String) throws -> UInt64 {
        guard let value = values[name], let number = value.uint64 ?? value.int64.map(UInt64.init(bitPattern:)) else {
            throw corrupted("argument '\(name)' is missing or not a number")
        }
        return number
    }

    func int64(_ name: String) throws -> Int64 { Int64(bitPattern: try uint64(name)) }

    func pipeEnds() -> PipeEnds {
        if let pair = values["pipefd"]?.array, pair.count == 2, let read = pair[0].int64, let write = pair[1].int64 {
            return .fds(read: Int32(truncatingIfNeeded: read), write: Int32(truncatingIfNeeded: write))
        }
        return .pointer(0)
    }

    func ipc() throws -> MultiplexedCall {
        MultiplexedCall(call: UInt32(truncatingIfNeeded: try uint64("call")), first: try int32("first"),
                        second: try uint64("second"), third: try uint64("third"), ptr: try uint64("ptr"),
                        fifth: try int64("fifth"))
    }

    func call(_ syscall: Syscall, multiplexed: Bool) throws -> Call {
        switch syscall {
        case .pipe: return .pipe(pipeEnds())
        case .pipe2: return .pipe2(pipeEnds(), flags: UInt32(bitPattern: try int32("flags")))
        case .ipc: return .ipc(try ipc())
        case .msgget: return .msgget(key: try int32("key"), flags: try int32("msgflg"))
        case .msgsnd:
            return .msgsnd(msqid: try int32("msqid"), msgp: try uint64("msgp"), message: nil, msgsz: try uint64("msgsz"),
                           flags: try int32("msgflg"))
        case .msgrcv:
            return .msgrcv(msqid: try int32("msqid"), msgp: try uint64("msgp"), message: nil, msgsz: try uint64("msgsz"),
                           msgtyp: try int64("msgtyp"), flags: try int32("msgflg"))
        case .msgctl:
            return .msgctl(msqid: try int32("msqid"), command: try int32("cmd"), buf: try uint64("buf"), contents: nil)
        case .semget: return .semget(key: try int32("key"), nsems: try int32("nsems"), flags: try int32("semflg"))
        case .semop:
            return .semop(semid: try int32("semid"), sops: try uint64("sops"), operations: nil, nsops: try uint64("nsops"))
        case .semtimedop:
            return .semtimedop(semid: try int32("semid"), sops: try uint64("sops"), operations: nil,
                               nsops: try uint64("nsops"), timeout: try uint64("timeout"), timeoutValue: nil)
        case .semctl:
            return .semctl(semid: try int32("semid"), semnum: try int32("semnum"), command: try int32("cmd"),
                           arg: try uint64("arg"), argByReference: multiplexed, contents: nil)
        case .shmget: return .shmget(key: try int32("key"), size: try uint64("size"), flags: try int32("shmflg"))
        case .shmat: return .shmat(shmid: try int32("shmid"), shmaddr: try uint64("shmaddr"), flags: try int32("shmflg"))
        case .shmdt: return .shmdt(shmaddr: try uint64("shmaddr"))
        case .shmctl:
            return .shmctl(shmid: try int32("shmid"), command: try int32("cmd"), buf: try uint64("buf"), contents: nil)
        }
    }
}
