/// `Codable` in the `--json` format: encoding gives the object the CLI writes (Tracee's schema plus our
/// keys), decoding reads such an object back.
///
/// Decoding restores the whole event: Tracee's keys carry the registers, the task and the result, our
/// `decoded` key the memory the tracer read behind pointers (message text, `sembuf` arrays, `*ctl`
/// structures, the timeout) and `ipcCall` the subcall of an `ipc(2)`.
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
        let architecture = json["arch"]?.string.flatMap(Architecture.init(rawValue:))
            ?? (json["contextFlags"]?["isCompat"]?.bool == true ? .i386 : .x86_64)
        guard let name = json["eventName"]?.string,
              let variant = name == "ipc" ? CallVariant(.ipc, .multiplexed)
                  : TraceeSchema.variant(named: name, architecture: architecture, multiplexed: false) else {
            throw corrupted("'eventName' is missing or not an ipcwatch event")
        }
        let syscall = variant.kind == .multiplexed ? Syscall.ipc : variant.syscall
        // An i386 call's `long` arguments were written zero-extended, as Tracee reads its registers.
        let narrowLongs = architecture == .i386
        func arguments(_ args: JSONValue?, of variant: CallVariant) throws -> TraceeSchema.Arguments {
            let definition = TraceeSchema.definition(variant)
            guard let list = args?.array else { throw corrupted("\(definition.name): 'args' is missing") }
            do {
                return try TraceeSchema.Arguments(list, for: definition, narrowLongs: narrowLongs)
            } catch {
                throw corrupted("\(definition.name): \(error)")
            }
        }
        func arguments(_ args: JSONValue?, of syscall: Syscall) throws -> TraceeSchema.Arguments {
            try arguments(args, of: CallVariant(syscall, .direct))
        }
        var multiplexed: MultiplexedCall?
        var call: Call
        // The subcall's own result for ipc(2) (SHMAT's attach address), the kernel's otherwise.
        var returnValue: Int64 = try number("returnValue")
        if syscall == .ipc {
            let raw = try arguments(json["args"], of: variant).multiplexed
            multiplexed = raw
            if let subcall = json["ipcCall"], let subName = subcall["eventName"]?.string, let sub = Syscall(rawValue: subName) {
                call = TraceeSchema.call(sub, from: try arguments(subcall["args"], of: sub), multiplexed: true)
                returnValue = subcall["returnValue"]?.int64 ?? returnValue
            } else {
                call = .ipc(raw)
            }
        } else if variant.kind == .time32 {
            call = TraceeSchema.time32Call(syscall, from: try arguments(json["args"], of: variant))
        } else {
            call = TraceeSchema.call(syscall, from: try arguments(json["args"], of: syscall), multiplexed: false)
        }
        call = TraceeDecoded.restore(json["decoded"], into: call, architecture: architecture)
        // The kernel's convention: -4095...-1 are errors.
        let result: SyscallResult = (-4095 ... -1).contains(returnValue)
            ? .failure(Errno(rawValue: Int32(-returnValue))) : .success(returnValue)
        // Host ids are ours; the namespaced ones and the rest of Tracee's context make the TaskContext,
        // written for every event but collected only with TraceOptions.taskContext (start time 0 without).
        let hostProcessID: Int32 = try number("hostProcessId"), hostThreadID: Int32 = try number("hostThreadId")
        let hostParentProcessID: Int32 = try number("hostParentProcessId")
        var task: TaskContext?
        if let start = json["threadStartTime"]?.uint64, start != 0 {
            task = TaskContext(threadStartTime: start, processorID: try number("processorId"), processID: try number("processId"),
                               threadID: try number("threadId"), parentProcessID: try number("parentProcessId"),
                               cgroupID: try number("cgroupId"), mountNamespace: try number("mountNamespace"),
                               pidNamespace: try number("pidNamespace"),
                               executablePath: json["executable"]?["path"]?.string ?? "",
                               hostName: json["hostName"]?.string ?? "", threadEntityID: try number("threadEntityId"),
                               processEntityID: try number("processEntityId"), parentEntityID: try number("parentEntityId"))
        }
        self.init(timestamp: try number("timestamp"), processID: hostProcessID, threadID: hostThreadID,
                  parentProcessID: hostParentProcessID, userID: try number("userId"),
                  processName: json["processName"]?.string ?? "", architecture: architecture, call: call,
                  multiplexed: multiplexed, result: result, duration: json["durationNs"]?.uint64 ?? 0,
                  pipeInodes: json["pipeInodes"]?.array?.compactMap(\.uint64), task: task,
                  time64: json["time64"]?.bool ?? false)
    }
}
