/// `-c`/`-C` with ``TraceOptions/dataFlow``: after the syscall table, one row per pipe that moved data —
/// its inode, the process that created it, each writer and reader with the bytes it moved, and the bytes
/// written into it — folded from the ``TraceRecord/usage(_:)`` records and the pipe events.
package struct PipeFlowSummary: Sendable {
    private struct Row {
        var writers: [Int32: UInt64] = [:]
        var readers: [Int32: UInt64] = [:]
        var written: UInt64 { writers.values.reduce(0, +) }
    }

    /// Who created each pipe the trace saw created (a `pipe`/`pipe2` event with its inode).
    private var creators: [UInt64: Int32] = [:]
    private var rows: [UInt64: Row] = [:]

    /// An empty table.
    package init() {}

    /// Takes what the table needs from `record`: a new pipe's creator, a process's counts on one end.
    package mutating func add(_ record: TraceRecord) {
        switch record {
        case .event(let event):
            guard event.call.pipeEnds != nil, event.result.isSuccess, let inode = event.pipeInodes?.first, inode != 0 else { return }
            creators[inode] = event.processID
        case .usage(let usage):
            // One row per inode reads as a pipe's; a socket's two directions are two inodes: not here.
            guard usage.kind != .unix else { return }
            switch usage.end {
            case .write: rows[usage.inode, default: Row()].writers[usage.processID, default: 0] += usage.bytes
            case .read: rows[usage.inode, default: Row()].readers[usage.processID, default: 0] += usage.bytes
            }
        case .blocking, .exit, .superseded, .snapshot, .signal, .lifecycle, .transfer:
            break
        }
    }

    /// Rows by bytes written, the busiest first, then by inode.
    private var sorted: [(inode: UInt64, row: Row)] {
        rows.map { ($0.key, $0.value) }.sorted { ($0.row.written, $1.inode) > ($1.row.written, $0.inode) }
    }

    /// A table in the manner of strace's: `creator` is `?` for a pipe made before the trace (or whose
    /// creation was not selected with -e), `writers` and `readers` are `pid:bytes`, `bytes` what was written.
    package var text: String {
        func parties(_ moved: [Int32: UInt64]) -> String {
            moved.isEmpty ? "-" : moved.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
        }
        let header = ["inode", "creator", "writers", "readers", "bytes"]
        let body = sorted.map { entry in
            [String(entry.inode), creators[entry.inode].map { String($0) } ?? "?", parties(entry.row.writers),
             parties(entry.row.readers), String(entry.row.written)]
        }
        var widths = [10, 8, 16, 16, 11]
        for line in body { for (column, cell) in line.enumerated() { widths[column] = max(widths[column], cell.count) } }
        // Numbers right-aligned, the lists left-aligned, as strace aligns its columns.
        func format(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 2 || column == 3 ? cell + padding : padding + cell
            }.joined(separator: " ").trimmingTrailingBlanks()
        }
        var lines = [format(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: " ")]
        lines += body.map(format)
        return lines.joined(separator: "\n")
    }

    /// The same as one JSON object: `{"pipes":[{"inode","createdBy","writers":[{"pid","bytes"}],"readers","bytes"}]}`.
    package var jsonLine: String {
        var json = JSONWriter()
        func parties(_ name: StaticString, _ moved: [Int32: UInt64]) {
            json.key(name)
            json.beginArray()
            for (pid, bytes) in moved.sorted(by: { $0.key < $1.key }) {
                json.beginObject()
                json.field("pid", pid)
                json.field("bytes", bytes)
                json.endObject()
            }
            json.endArray()
        }
        json.beginObject()
        json.key("pipes")
        json.beginArray()
        for (inode, row) in sorted {
            json.beginObject()
            json.field("inode", inode)
            json.key("createdBy")
            if let creator = creators[inode] { json.integer(creator) } else { json.null() }
            parties("writers", row.writers)
            parties("readers", row.readers)
            json.field("bytes", row.written)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.output
    }
}

private extension String {
    func trimmingTrailingBlanks() -> String {
        var trimmed = self
        while trimmed.last == " " { trimmed.removeLast() }
        return trimmed
    }
}
