/// Chrome's trace-event JSON (`{"traceEvents":[…]}`, the form Perfetto and `chrome://tracing` load), one
/// event a line, so that the file can be written as the trace runs: ``opening``, then each event line
/// (a comma before all but the first), then ``closing``.
struct TraceEventWriter {
    /// The opening of the file, `origin` (ns since the epoch) kept in `otherData` for whoever wants wall-clock times.
    static func opening(origin: UInt64) -> [UInt8] {
        Array(#"{"displayTimeUnit":"ns","otherData":{"ipcwatch_origin_ns":"\#(origin)"},"traceEvents":["#.utf8)
    }
    static let closing: [UInt8] = Array("]}".utf8)

    private var wroteEvent = false
    /// Times are written relative to this (the trace's start, in ns since the epoch): a JSON reader
    /// parses numbers as doubles, which at epoch microseconds keep only a quarter of one, and an arrow
    /// placed a few nanoseconds inside its slice would fall out of it.
    var origin: UInt64 = 0

    /// A slice on a thread's track, where a flow arrow starts or ends.
    struct Place: Hashable {
        var processID: Int32
        var threadID: Int32
        /// Nanoseconds since the epoch.
        var start: UInt64
        var duration: UInt64

        /// Inside the slice, near its start: where an arrow leaves it. Near, because Perfetto drops a flow
        /// whose end comes before its start, and a message's send always enters before its receive returns.
        var early: UInt64 { start + min(duration / 2, 100) }
        /// Inside the slice, near its end: where an arrow reaches it.
        var late: UInt64 { start + duration - min(duration / 2, 100) }
    }

    /// One event: `ph` and its fields; `fields` writes the rest of the object.
    mutating func event(_ phase: StaticString, name: String, category: StaticString, processID: Int32, threadID: Int32,
                        time: UInt64?, _ fields: (inout JSONWriter) -> Void = { _ in }) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("ph")
        json.string(phase.description)
        json.key("name")
        json.string(name)
        json.key("cat")
        json.string(category.description)
        json.key("pid")
        json.integer(processID)
        json.key("tid")
        json.integer(threadID)
        if let time {
            json.key("ts")
            json.microseconds(Int64(bitPattern: time &- origin))
        }
        fields(&json)
        json.endObject()
        defer { wroteEvent = true }
        return wroteEvent ? [UInt8(ascii: ",")] + json.bytes : json.bytes
    }

    /// `process_name` / `thread_name` metadata: the name Perfetto gives a track.
    mutating func name(_ kind: StaticString, processID: Int32, threadID: Int32, _ name: String) -> [UInt8] {
        event("M", name: kind.description, category: "__metadata", processID: processID, threadID: threadID, time: nil) {
            $0.key("args")
            $0.beginObject()
            $0.key("name")
            $0.string(name)
            $0.endObject()
        }
    }

    /// A flow arrow from the slice enclosing `from` to the slice enclosing `to` (flow v1 events `s` and
    /// `f`, bound to the enclosing slice by `"bp":"e"`), identified by `id`.
    mutating func flow(_ name: String, id: UInt64, from: Place, to: Place) -> [[UInt8]] {
        [event("s", name: name, category: "flow", processID: from.processID, threadID: from.threadID, time: from.early) {
            $0.key("id")
            $0.integer(id)
            $0.key("bp")
            $0.string("e")
         },
         event("f", name: name, category: "flow", processID: to.processID, threadID: to.threadID, time: to.late) {
            $0.key("id")
            $0.integer(id)
            $0.key("bp")
            $0.string("e")
         }]
    }
}

extension JSONWriter {
    /// Nanoseconds as microseconds with three decimals, exactly (a Double would lose the nanoseconds of
    /// an epoch time).
    mutating func microseconds(_ nanoseconds: Int64) {
        let magnitude = nanoseconds.magnitude
        let fraction = String(magnitude % 1000)
        rawNumber((nanoseconds < 0 ? "-" : "") + String(magnitude / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction)
    }
}
