/// Joins each message sent on a queue to the receive that took it, for SysV queues (by queue id and
/// message type) and POSIX queues (by queue inode and priority): FIFO within one key, as the kernel
/// hands them out. The receive names the key it got (the type it received, the priority it was told),
/// so `msgrcv`'s selectors (0, a type, a negative bound, `MSG_EXCEPT`) all reduce to that key.
/// Records arrive in the order the tracer saw the calls' exits, so a receive may come before its send:
/// both sides wait for the other. Each side keeps at most ``limit`` per key (a queue read by an untraced
/// process would otherwise grow without bound): past it, the oldest is dropped unjoined.
struct MessageFlows {
    struct Key: Hashable {
        /// The SysV queue id, or the POSIX queue's inode.
        var queue: UInt64
        /// The SysV message type, or the POSIX priority.
        var selector: Int64
    }

    static let limit = 4096
    private var sent: [Key: [TraceEventWriter.Place]] = [:]
    private var received: [Key: [TraceEventWriter.Place]] = [:]

    /// A message went into the queue at `place`: the receive that took it, if already seen.
    mutating func send(_ key: Key, at place: TraceEventWriter.Place) -> TraceEventWriter.Place? {
        if let receive = Self.takeFirst(&received, key) { return receive }
        Self.append(&sent, key, place)
        return nil
    }

    /// A message came out of the queue at `place`: the send that put it there, if already seen.
    mutating func receive(_ key: Key, at place: TraceEventWriter.Place) -> TraceEventWriter.Place? {
        if let send = Self.takeFirst(&sent, key) { return send }
        Self.append(&received, key, place)
        return nil
    }

    /// The queue was removed: what waits for it will never be joined.
    mutating func removeQueue(_ queue: UInt64) {
        sent = sent.filter { $0.key.queue != queue }
        received = received.filter { $0.key.queue != queue }
    }

    private static func takeFirst(_ table: inout [Key: [TraceEventWriter.Place]], _ key: Key) -> TraceEventWriter.Place? {
        guard var waiting = table[key], !waiting.isEmpty else { return nil }
        let first = waiting.removeFirst()
        table[key] = waiting.isEmpty ? nil : waiting
        return first
    }

    private static func append(_ table: inout [Key: [TraceEventWriter.Place]], _ key: Key, _ place: TraceEventWriter.Place) {
        table[key, default: []].append(place)
        if table[key]!.count > limit { table[key]!.removeFirst() }
    }
}
