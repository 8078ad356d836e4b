/// Per-event totals for `-c`/`-C`, printed at the end like strace's summary table.
package struct Summary: Sendable {
    private struct Row {
        var calls = 0
        var errors = 0
        var nanoseconds: UInt64 = 0
        var processes: Set<Int32> = []
        var shortest = UInt64.max
        var longest: UInt64 = 0
        var average: UInt64 { calls == 0 ? 0 : nanoseconds / UInt64(calls) }
    }

    /// strace's `-S`: the order of the rows (each busiest first, names in order).
    package enum SortKey: String, Sendable, CaseIterable {
        case time, minTime = "min-time", maxTime = "max-time", avgTime = "avg-time", calls, errors, name, nothing

        /// strace's names and synonyms for each key.
        package init?(name: String) {
            let synonyms: [String: SortKey] = [
                "time": .time, "time-percent": .time, "time-total": .time, "total-time": .time,
                "min-time": .minTime, "shortest": .minTime, "time-min": .minTime,
                "max-time": .maxTime, "longest": .maxTime, "time-max": .maxTime, "avg-time": .avgTime, "time-avg": .avgTime,
                "calls": .calls, "count": .calls, "errors": .errors, "error": .errors,
                "name": .name, "syscall": .name, "syscall-name": .name, "nothing": .nothing, "none": .nothing,
            ]
            guard let key = synonyms[name] else { return nil }
            self = key
        }
    }

    /// By the name strace's table gives the call (`mq_timedsend_time64` is a row of its own).
    private var rows: [String: Row] = [:]
    /// Each row's place in the syscall table (for `-S nothing`).
    private var places: [String: Int] = [:]
    private let sortKey: SortKey

    /// An empty summary whose rows are sorted by `sortKey`.
    package init(sortedBy sortKey: SortKey = .time) { self.sortKey = sortKey }

    /// Counts `event` under the call it performed (an `ipc(2)` call under its subcall).
    package mutating func add(_ event: Event) {
        // strace counts a call at its exit: one that never returned is not in the table.
        if event.result.isUnfinished { return }
        let variant = event.variant
        let name = variant.straceName
        var row = rows[name] ?? Row()
        row.calls += 1
        if !event.result.isSuccess { row.errors += 1 }
        row.nanoseconds += event.duration
        row.shortest = min(row.shortest, event.duration)
        row.longest = max(row.longest, event.duration)
        row.processes.insert(event.processID)
        rows[name] = row
        if places[name] == nil {
            places[name] = 2 * (Syscall.allCases.firstIndex(of: variant.syscall) ?? 0) + (variant.kind == .time64 ? 1 : 0)
        }
    }

    /// Rows in `-S` order, ties by name; `nothing` keeps the order of the syscall table.
    private var sorted: [(String, Row)] {
        rows.sorted { a, b in
            func key(_ row: Row) -> UInt64 {
                switch sortKey {
                case .time: row.nanoseconds
                case .minTime: row.shortest
                case .maxTime: row.longest
                case .avgTime: row.average
                case .calls: UInt64(row.calls)
                case .errors: UInt64(row.errors)
                case .name, .nothing: 0
                }
            }
            switch sortKey {
            case .name: return a.key < b.key
            case .nothing: return places[a.key]! < places[b.key]!
            default: return (key(a.value), b.key) > (key(b.value), a.key)
            }
        }
    }

    /// strace -c's table, with a `processes` column: how many processes made the call.
    package var text: String {
        let total = rows.values.reduce(UInt64(0)) { $0 + $1.nanoseconds }
        let separator = "------ ----------- ----------- --------- --------- --------- ----------------"
        var lines = ["% time     seconds  usecs/call     calls    errors processes syscall", separator]
        func line(_ name: String, _ row: Row, _ percent: Double) -> String {
            let usecsPerCall = row.calls == 0 ? 0 : row.nanoseconds / 1000 / UInt64(row.calls)
            return [Self.fixed(percent, 2).padded(6), Self.fixed(Double(row.nanoseconds) / 1e9, 6).padded(11),
                    String(usecsPerCall).padded(11), String(row.calls).padded(9),
                    (row.errors == 0 ? "" : String(row.errors)).padded(9), String(row.processes.count).padded(9), name]
                .joined(separator: " ")
        }
        var all = Row()
        for (name, row) in sorted {
            lines.append(line(name, row, total == 0 ? 0 : Double(row.nanoseconds) * 100 / Double(total)))
            all.calls += row.calls
            all.errors += row.errors
            all.nanoseconds += row.nanoseconds
            all.processes.formUnion(row.processes)
        }
        lines.append(separator)
        lines.append(line("total", all, 100))
        return lines.joined(separator: "\n")
    }

    /// The same as one JSON object: `{"summary":[{"syscall","calls","errors","processes","seconds"}]}`.
    package var jsonLine: String {
        var json = JSONWriter()
        json.beginObject()
        json.key("summary")
        json.beginArray()
        for (name, row) in sorted {
            json.beginObject()
            json.field("syscall", name)
            json.field("calls", row.calls)
            json.field("errors", row.errors)
            json.field("processes", row.processes.count)
            json.field("nanoseconds", row.nanoseconds)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.output
    }

    /// `value` with `digits` decimals, rounded half up.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = UInt64((value * scale).rounded())
        let whole = String(scaled / UInt64(scale))
        let fraction = String(scaled % UInt64(scale)).leftPadded(to: digits)
        return digits == 0 ? whole : whole + "." + fraction
    }
}

private extension String {
    /// Right-aligned in `width` columns, as printf's `%Nd`.
    func padded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
