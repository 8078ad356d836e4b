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
        json.field("eventId", String(TraceeSchema.definition(entered).id))
        json.field("eventName", entered.rawValue)
        json.field("syscall", entered.rawValue)
        json.field("returnValue", event.result.rawValue)
        json.key("contextFlags")
        json.beginObject()
        json.field("isCompat", event.architecture.isCompat)
        json.endObject()
        let values = event.multiplexed.map(TraceeSchema.values(of:)) ?? TraceeSchema.values(of: event.call)
        json.field("argsNum", values.count)
        json.key("args")
        write(values, of: TraceeSchema.definition(entered), to: &json)
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
            write(TraceeSchema.values(of: event.call), of: TraceeSchema.definition(event.call.syscall), to: &json)
            json.endObject()
        }
        json.endObject()
    }

    /// `args`: each value with its definition's name and type.
    private func write<Output: JSONOutput>(_ values: [TraceeSchema.Value], of definition: TraceeSchema.Definition,
                                           to json: inout Output) {
        precondition(values.count == definition.arguments.count, "\(definition.name): values do not match the definition")
        json.beginArray()
        for (argument, value) in zip(definition.arguments, values) {
            json.beginObject()
            json.field("name", argument.name)
            json.field("type", argument.type.rawValue)
            json.key("value")
            switch value {
            case .signed(let v): json.integer(v)
            case .unsigned(let v): json.integer(v)
            case .float(let v): json.float(v)
            case .pair(let a, let b):
                json.beginArray(); json.integer(a); json.integer(b); json.endArray()
            case .null: json.null()
            }
            json.endObject()
        }
        json.endArray()
    }
}
