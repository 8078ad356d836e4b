/// Chrome's trace-event JSON (`{"traceEvents":[…]}`, the form Perfetto and `chrome://tracing` load), one
/// event a line, so that the file can be written as the trace runs: ``open(origin:)``, then each event
/// line (a comma before all but the first), then ``close()``; appended to ``output``, which the caller takes.
struct TraceEventWriter {
    /// What is written and not yet taken.
    var output: [UInt8] = []
    /// One event's object, reused (nothing is allocated per event).
    private var json = JSONWriter()

    /// The opening of the file; `origin` (ns since the epoch) is kept in `otherData` for whoever wants
    /// wall-clock times, and the times are written relative to it.
    mutating func open(origin: UInt64) {
        self.origin = origin
        output.append(contentsOf: #"{"displayTimeUnit":"ns","otherData":{"ipcwatch_origin_ns":"\#(origin)"},"traceEvents":["#.utf8)
        output.append(UInt8(ascii: "\n"))
    }

    /// The end of the array and of the file.
    mutating func close() {
        output.append(contentsOf: "]}\n".utf8)
    }

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

        /// Inside the slice, near its start: where an arrow leaves it. Near, because an arrow must not go
        /// back in time, and a message's send always enters before its receive returns.
        var early: UInt64 { start + min(duration / 2, 100) }
        /// Inside the slice, near its end: where an arrow reaches it.
        var late: UInt64 { start + max(duration - min(duration / 2, 100), 1) }
    }

    /// One event: `ph` and its fields; `fields` writes the rest of the object.
    mutating func event(_ phase: StaticString, name: String, category: StaticString, processID: Int32, threadID: Int32,
                        time: UInt64?, _ fields: (inout JSONWriter) -> Void = { _ in }) {
        json.reset()
        json.beginObject()
        json.key("ph")
        json.string(phase)
        json.key("name")
        json.string(name)
        json.key("cat")
        json.string(category)
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
        if wroteEvent { output.append(UInt8(ascii: ",")) }
        wroteEvent = true
        output.append(contentsOf: json.bytes)
        output.append(UInt8(ascii: "\n"))
    }

    /// `process_name` / `thread_name` metadata: the name Perfetto gives a track.
    mutating func name(_ kind: StaticString, processID: Int32, threadID: Int32, _ name: String) {
        event("M", name: kind.description, category: "__metadata", processID: processID, threadID: threadID, time: nil) {
            $0.key("args")
            $0.beginObject()
            $0.key("name")
            $0.string(name)
            $0.endObject()
        }
    }

    /// A flow arrow from slice `from` to slice `to`, identified by `id`: a 1 ns slice inside each end, bound
    /// by `bind_id` (`flow_out` on the first, `flow_in` on the second). Perfetto orients an arrow bound to
    /// the calls' own slices (flow v1 `s`/`f` events) by which slice started first, and a receive often
    /// starts before its send; these inner slices start in the arrow's order (near the start of the send,
    /// near the end of the receive), so every arrow points from the sender to the receiver.
    mutating func flow(_ name: String, id: UInt64, from: Place, to: Place) {
        end(name, id: id, at: from, time: from.early, direction: "flow_out")
        end(name, id: id, at: to, time: to.late - 1, direction: "flow_in")
    }

    private mutating func end(_ name: String, id: UInt64, at place: Place, time: UInt64, direction: StaticString) {
        event("X", name: name, category: "flow", processID: place.processID, threadID: place.threadID, time: time) {
            $0.key("dur")
            $0.rawNumber("0.001")
            $0.key("bind_id")
            $0.integer(id)
            $0.key(direction)
            $0.bool(true)
        }
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
