#if canImport(Glibc)
import Glibc
#endif

/// NDJSON in Tracee v0.24.1's classic event schema (`types/trace` `Event`): every key of it in its order,
/// argument names and types from ``TraceeSchema``, then keys of ours that Tracee does not have: `arch`,
/// `durationNs`, `pipeInodes`, `ipcCall` (the subcall of an i386 `ipc(2)`) and `decoded` (what the text
/// shows that `args` cannot carry: ``TraceeDecoded``).
package struct TraceeJSONFormat: Sendable {
    let hostName: String

    /// Creates a format, reading the host name (`gethostname(2)`) once for the `hostName` of events
    /// without a ``TaskContext``.
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

    /// Tracee v0.24.1's `trace.Event` keys in its order, then ours.
    private func write<Output: JSONOutput>(_ event: Event, to json: inout Output) {
        let task = event.task
        let definition = TraceeSchema.definition(event.variant)
        json.beginObject()
        json.field("timestamp", event.timestamp)
        json.field("threadStartTime", task?.threadStartTime ?? 0)
        json.field("processorId", task?.processorID ?? 0)
        json.field("processId", task?.processID ?? event.processID)
        json.field("cgroupId", task?.cgroupID ?? 0)
        json.field("threadId", task?.threadID ?? event.threadID)
        json.field("parentProcessId", task?.parentProcessID ?? event.parentProcessID)
        json.field("hostProcessId", event.processID)
        json.field("hostThreadId", event.threadID)
        json.field("hostParentProcessId", event.parentProcessID)
        json.field("userId", event.userID)
        json.field("mountNamespace", task?.mountNamespace ?? 0)
        json.field("pidNamespace", task?.pidNamespace ?? 0)
        json.field("processName", event.processName)
        json.key("executable")
        json.beginObject()
        json.field("path", task?.executablePath ?? "")
        json.endObject()
        json.field("hostName", task?.hostName ?? hostName)
        json.field("containerId", "")
        json.key("container")
        json.beginObject()
        json.endObject()
        json.key("kubernetes")
        json.beginObject()
        json.endObject()
        json.field("eventId", String(definition.id))
        json.field("eventName", definition.name)
        // matchedPolicies: omitted when empty, as Tracee does.
        let values = TraceeSchema.values(of: event)
        json.field("argsNum", values.count)
        json.field("returnValue", event.kernelReturnValue)
        json.field("syscall", definition.name)
        json.key("stackAddresses")
        json.null()
        json.key("contextFlags")
        json.beginObject()
        json.field("containerStarted", false)
        json.field("isCompat", event.architecture.isCompat)
        json.endObject()
        json.field("threadEntityId", task?.threadEntityID ?? 0)
        json.field("processEntityId", task?.processEntityID ?? 0)
        json.field("parentEntityId", task?.parentEntityID ?? 0)
        json.key("args")
        write(values, of: definition, to: &json)
        // metadata: omitted (nil), as Tracee does. Ours from here on.
        json.field("arch", event.architecture.rawValue)
        if event.time64 { json.field("time64", true) }
        json.field("durationNs", event.duration)
        if let inodes = event.pipeInodes {
            json.key("pipeInodes")
            json.beginArray()
            inodes.forEach { json.integer($0) }
            json.endArray()
        }
        if event.multiplexed != nil {
            // The subcall ipc(2) made, as its direct form: its name, Tracee's args, its own result.
            json.key("ipcCall")
            json.beginObject()
            json.field("eventName", event.call.syscall.rawValue)
            json.key("args")
            write(TraceeSchema.values(of: event.call), of: TraceeSchema.definition(event.call.syscall), to: &json)
            json.field("returnValue", event.result.rawValue)
            json.endObject()
        }
        json.key("decoded")
        TraceeDecoded.write(event.call, to: &json)
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
            case .text(let v): json.string(v)
            }
            json.endObject()
        }
        json.endArray()
    }
}
