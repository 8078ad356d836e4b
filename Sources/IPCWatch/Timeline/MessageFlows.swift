/// Joins each message sent on a queue to the receive that took it, for SysV queues (by queue id and
/// message type) and POSIX queues (by queue inode and priority): FIFO within one key, as the kernel
/// hands them out. The receive names the key it got (the type it received, the priority it was told),
/// so `msgrcv`'s selectors (0, a type, a negative bound, `MSG_EXCEPT`) all reduce to that key.
/// Records arrive in the order the tracer saw the calls' exits, so a receive may come before its send:
/// both sides wait for the other. Each side keeps at most ``limit`` per key (a queue read by an untraced
/// process would otherwise grow without bound): past it, the oldest is dropped unjoined. Past ``keyLimit``
/// keys waiting on one side (types or priorities only an untraced process takes), the half least recently
/// added to is forgotten.
struct MessageFlows {
    struct Key: Hashable {
        /// The SysV queue id, or the POSIX queue's inode.
        var queue: UInt64
        /// The SysV message type, or the POSIX priority.
        var selector: Int64
    }

    static let limit = 4096
    static let keyLimit = 1 << 16
    private var sent: [Key: [TraceEventWriter.Place]] = [:]
    private var received: [Key: [TraceEventWriter.Place]] = [:]
    /// When each key was last added to, for forgetting the stalest past ``keyLimit``.
    private var lastAdded: [Key: UInt64] = [:]
    private var additions: UInt64 = 0

    /// A message went into the queue at `place`: the receive that took it, if already seen.
    mutating func send(_ key: Key, at place: TraceEventWriter.Place) -> TraceEventWriter.Place? {
        if let receive = Self.takeFirst(&received, key) { return joined(receive, key) }
        append(\.sent, key, place)
        return nil
    }

    /// A message came out of the queue at `place`: the send that put it there, if already seen.
    mutating func receive(_ key: Key, at place: TraceEventWriter.Place) -> TraceEventWriter.Place? {
        if let send = Self.takeFirst(&sent, key) { return joined(send, key) }
        append(\.received, key, place)
        return nil
    }

    /// The queue was removed: what waits for it will never be joined.
    mutating func removeQueue(_ queue: UInt64) {
        sent = sent.filter { $0.key.queue != queue }
        received = received.filter { $0.key.queue != queue }
        lastAdded = lastAdded.filter { $0.key.queue != queue }
    }

    /// A pair was joined on `key`: its recency goes with the last waiting entry.
    private mutating func joined(_ place: TraceEventWriter.Place, _ key: Key) -> TraceEventWriter.Place {
        if sent[key] == nil && received[key] == nil { lastAdded[key] = nil }
        return place
    }

    private static func takeFirst(_ table: inout [Key: [TraceEventWriter.Place]], _ key: Key) -> TraceEventWriter.Place? {
        guard var waiting = table[key], !waiting.isEmpty else { return nil }
        let first = waiting.removeFirst()
        table[key] = waiting.isEmpty ? nil : waiting
        return first
    }

    private mutating func append(_ side: WritableKeyPath<MessageFlows, [Key: [TraceEventWriter.Place]]>, _ key: Key,
                                 _ place: TraceEventWriter.Place) {
        self[keyPath: side][key, default: []].append(place)
        if self[keyPath: side][key]!.count > Self.limit { self[keyPath: side][key]!.removeFirst() }
        additions += 1
        lastAdded[key] = additions
        guard self[keyPath: side].count > Self.keyLimit else { return }
        let recent = self[keyPath: side].keys.map { lastAdded[$0] ?? 0 }.sorted()[Self.keyLimit / 2]
        self[keyPath: side] = self[keyPath: side].filter { (lastAdded[$0.key] ?? 0) >= recent }
        lastAdded = lastAdded.filter { sent[$0.key] != nil || received[$0.key] != nil }
    }
}
