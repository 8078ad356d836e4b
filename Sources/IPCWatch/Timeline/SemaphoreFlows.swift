/// Joins a `semop` that raised a semaphore to the blocked `semop` it released: a wait (a negative
/// `sem_op`) on the same semaphore, by another thread, that was in progress when the raise entered
/// (its entry before the raise's, its exit after). A raise of N releases at most N waits. Waits for zero
/// are not joined (a decrement releases them, not a raise). Either side may be seen first; each keeps
/// at most ``limit`` per semaphore.
struct SemaphoreFlows {
    private struct Key: Hashable {
        var set: Int32
        var number: UInt16
    }

    private struct Raise {
        var place: TraceEventWriter.Place
        var entry: UInt64
        var remaining: Int
    }

    private struct Wait {
        var place: TraceEventWriter.Place
        var entry: UInt64
        var exit: UInt64
    }

    static let limit = 256
    private var raises: [Key: [Raise]] = [:]
    private var waits: [Key: [Wait]] = [:]

    /// A successful `semop` on `set` from `entry` to `exit` (ns), whose slice is at `place`: the
    /// (raise, released wait) pairs it completes.
    mutating func add(set: Int32, operations: [SemaphoreOperation], place: TraceEventWriter.Place, entry: UInt64,
                      exit: UInt64) -> [(from: TraceEventWriter.Place, to: TraceEventWriter.Place)] {
        var flows: [(from: TraceEventWriter.Place, to: TraceEventWriter.Place)] = []
        for operation in operations {
            let key = Key(set: set, number: operation.number)
            if operation.operation > 0 {
                var raise = Raise(place: place, entry: entry, remaining: Int(operation.operation))
                var pending = waits[key] ?? []
                while raise.remaining > 0, let index = pending.firstIndex(where: { released($0, by: raise) }) {
                    flows.append((place, pending.remove(at: index).place))
                    raise.remaining -= 1
                }
                waits[key] = pending.isEmpty ? nil : pending
                if raise.remaining > 0 { append(&raises, key, raise) }
            } else if operation.operation < 0 {
                let wait = Wait(place: place, entry: entry, exit: exit)
                var known = raises[key] ?? []
                if let index = known.firstIndex(where: { released(wait, by: $0) }) {
                    flows.append((known[index].place, place))
                    known[index].remaining -= 1
                    if known[index].remaining == 0 { known.remove(at: index) }
                    raises[key] = known.isEmpty ? nil : known
                } else {
                    append(&waits, key, wait)
                }
            }
        }
        return flows
    }

    /// The set was removed (`IPC_RMID`).
    mutating func removeSet(_ set: Int32) {
        raises = raises.filter { $0.key.set != set }
        waits = waits.filter { $0.key.set != set }
    }

    private func released(_ wait: Wait, by raise: Raise) -> Bool {
        wait.place.threadID != raise.place.threadID && wait.entry <= raise.entry && raise.entry <= wait.exit
    }

    private func append<T>(_ table: inout [Key: [T]], _ key: Key, _ item: T) {
        table[key, default: []].append(item)
        if table[key]!.count > Self.limit { table[key]!.removeFirst() }
    }
}
