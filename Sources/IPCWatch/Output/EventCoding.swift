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
        func arguments(_ args: JSONValue?, of syscall: Syscall) throws -> TraceeSchema.Arguments {
            let definition = TraceeSchema.definition(syscall)
            guard let list = args?.array else { throw corrupted("\(definition.name): 'args' is missing") }
            do {
                return try TraceeSchema.Arguments(list, for: definition)
            } catch {
                throw corrupted("\(definition.name): \(error)")
            }
        }
        var multiplexed: MultiplexedCall?
        let call: Call
        if syscall == .ipc {
            let raw = try arguments(json["args"], of: .ipc).multiplexed
            multiplexed = raw
            if let subcall = json["ipcCall"], let subName = subcall["eventName"]?.string, let sub = Syscall(rawValue: subName) {
                call = TraceeSchema.call(sub, from: try arguments(subcall["args"], of: sub), multiplexed: true)
            } else {
                call = .ipc(raw)
            }
        } else {
            call = TraceeSchema.call(syscall, from: try arguments(json["args"], of: syscall), multiplexed: false)
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
