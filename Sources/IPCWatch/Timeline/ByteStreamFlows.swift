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

    /// The writers' or the readers' progress on one channel.
    private struct Side {
        /// The bytes this side has moved through the channel.
        var offset: UInt64 = 0
        /// Its calls whose bytes the other side has not all reached yet.
        var pending: [Pending] = []
    }

    private struct Channel {
        var writer = Side()
        var reader = Side()
        var lastUse: UInt64 = 0
    }

    static let limit = 4096
    private let channelLimit: Int
    private var channels: [UInt64: Channel] = [:]
    private var uses: UInt64 = 0

    init(channelLimit: Int = 1 << 16) {
        self.channelLimit = channelLimit
    }

    /// `bytes` went into `channel` (its inode: a pipe's, or the receiving socket's) at `place`: the reads that took them.
    mutating func wrote(_ bytes: UInt64, into channel: UInt64, at place: TraceEventWriter.Place) -> [TraceEventWriter.Place] {
        moved(bytes, channel, place, by: \.writer, meeting: \.reader)
    }

    /// `bytes` came out of `channel` at `place`: the writes that put them there.
    mutating func read(_ bytes: UInt64, from channel: UInt64, at place: TraceEventWriter.Place) -> [TraceEventWriter.Place] {
        moved(bytes, channel, place, by: \.reader, meeting: \.writer)
    }

    /// One side moved `bytes` through `channel`: the next range of its offsets, joined to the other side's calls
    /// whose ranges overlap it; kept until the other side has reached its end.
    private mutating func moved(_ bytes: UInt64, _ channel: UInt64, _ place: TraceEventWriter.Place,
                                by side: WritableKeyPath<Channel, Side>,
                                meeting other: WritableKeyPath<Channel, Side>) -> [TraceEventWriter.Place] {
        var state = channels[channel] ?? Channel()
        let range = Pending(start: state[keyPath: side].offset, end: state[keyPath: side].offset + bytes, place: place)
        state[keyPath: side].offset = range.end
        let met = state[keyPath: other].pending.filter { $0.start < range.end && range.start < $0.end }.map(\.place)
        state[keyPath: other].pending.removeAll { $0.end <= range.end }
        if state[keyPath: other].offset < range.end { Self.append(&state[keyPath: side].pending, range) }
        store(state, channel)
        return met
    }

    private mutating func store(_ state: Channel, _ channel: UInt64) {
        // Caught up: offsets may start again from 0 on both sides.
        guard !(state.writer.pending.isEmpty && state.reader.pending.isEmpty && state.writer.offset == state.reader.offset) else {
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
