/// Joins each write into a pipe, FIFO or Unix socket to the reads that took its bytes: every channel
/// is a byte stream, so the n-th byte written is the n-th byte read. Writes and reads each get the
/// next range of offsets on their channel, in the order the tracer saw them end (exact for one writer
/// and one reader; concurrent writers or readers of one channel may be ordered differently than the
/// kernel did). A write joins every read whose range overlaps its own. A channel's state is dropped
/// whenever both sides have caught up, so memory is what is in flight (at most ``limit`` calls a side);
/// channels one side of which is not traced (a pipe to an untraced reader) never catch up: past
/// ``channelLimit`` of them, the half least recently used is forgotten.
/// Datagram sockets are treated as streams: a datagram read short of its size shifts the later joins.
struct ByteStreamFlows {
    private struct Pending {
        var start: UInt64
        var end: UInt64
        var place: TraceEventWriter.Place
    }

    private struct Channel {
        var written: UInt64 = 0
        var read: UInt64 = 0
        var writes: [Pending] = []
        var reads: [Pending] = []
        var lastUse: UInt64 = 0
    }

    static let limit = 4096
    private let channelLimit: Int
    private var channels: [UInt64: Channel] = [:]
    private var uses: UInt64 = 0

    init(channelLimit: Int = 1 << 16) {
        self.channelLimit = channelLimit
    }

    /// `bytes` went into `channel` (its inode: a pipe's, or the receiving socket's) at `place`.
    mutating func wrote(_ bytes: UInt64, into channel: UInt64, at place: TraceEventWriter.Place) -> [TraceEventWriter.Place] {
        var state = channels[channel] ?? Channel()
        let range = Pending(start: state.written, end: state.written + bytes, place: place)
        state.written = range.end
        let readers = state.reads.filter { $0.start < range.end && range.start < $0.end }.map(\.place)
        state.reads.removeAll { $0.end <= range.end }
        if state.read < range.end { Self.append(&state.writes, range) }
        store(state, channel)
        return readers
    }

    /// `bytes` came out of `channel` at `place`.
    mutating func read(_ bytes: UInt64, from channel: UInt64, at place: TraceEventWriter.Place) -> [TraceEventWriter.Place] {
        var state = channels[channel] ?? Channel()
        let range = Pending(start: state.read, end: state.read + bytes, place: place)
        state.read = range.end
        let writers = state.writes.filter { $0.start < range.end && range.start < $0.end }.map(\.place)
        state.writes.removeAll { $0.end <= range.end }
        if state.written < range.end { Self.append(&state.reads, range) }
        store(state, channel)
        return writers
    }

    private mutating func store(_ state: Channel, _ channel: UInt64) {
        // Caught up: offsets may start again from 0 on both sides.
        guard !(state.writes.isEmpty && state.reads.isEmpty && state.written == state.read) else {
            channels[channel] = nil
            return
        }
        var state = state
        uses += 1
        state.lastUse = uses
        channels[channel] = state
        if channels.count > channelLimit {
            let recent = channels.values.map(\.lastUse).sorted()[channels.count / 2]
            channels = channels.filter { $0.value.lastUse >= recent }
        }
    }

    /// How many channels have bytes in flight.
    var channelCount: Int { channels.count }

    private static func append(_ list: inout [Pending], _ item: Pending) {
        list.append(item)
        if list.count > limit { list.removeFirst() }
    }
}
