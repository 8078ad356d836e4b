/// The local channels other than anonymous pipes and SysV objects: FIFOs and Unix socket pairs from the
/// snapshots (and `--data-flow` counts), POSIX message queues from the `mq_*` events.
extension Topology {
    /// What a ``Channel`` is.
    public enum ChannelKind: String, Sendable, Hashable, CaseIterable {
        /// A named pipe, by inode, with its path.
        case fifo
        /// A connected pair of Unix-domain sockets (a `socketpair`, or both sides of a connection), by the
        /// two sockets' inodes: a process holding one talks to whoever holds the other.
        case unix
        /// A POSIX message queue, by name.
        case mq
    }

    /// One process's end of a ``Channel``, in the shape of a pipe's ``End``.
    public struct ChannelEnd: Sendable, Hashable {
        /// The process.
        public var pid: Int32
        /// For a Unix pair, which of its two sockets (the inode); nil for a FIFO or a queue.
        public var socket: UInt64?
        /// `write` into the channel, `read` out of it; nil for a held end that does both (a socket, a FIFO
        /// or queue opened `O_RDWR`) when no counts say what it did.
        public var end: PipeEnd?
        /// The descriptors (for a queue: the `mqd_t`s), ascending.
        public var fds: [Int32]
        /// Whether it moved data this way; nil when not counted.
        public var used: Bool?
        /// Successful calls that moved data this way; nil when not counted.
        public var calls: UInt64?
        /// Bytes they moved; nil when not counted.
        public var bytes: UInt64?
    }

    /// A FIFO, a Unix socket pair or a POSIX message queue, and its ends per process.
    public struct Channel: Sendable, Hashable {
        /// FIFO, Unix pair or queue.
        public var kind: ChannelKind
        /// The FIFO's inode; both sockets' inodes of a Unix pair, ascending; empty for a queue.
        public var inodes: [UInt64]
        /// The FIFO's path, or a socket's bound path (`@name` when abstract); nil when unknown or unbound.
        public var path: String?
        /// A queue's name as the kernel has it (`mq_open("/q")` is `q`).
        public var name: String?
        /// The processes whose `mq_unlink` of the queue's name succeeded: the queue's end.
        public var unlinkedBy: [Int32] = []
        /// A queue: the trace created it and it still existed when the trace ended; nil until then, and for
        /// a FIFO or a Unix pair.
        public var leftover: Bool? = nil

        var holders: [EndKey: Set<Int32>] = [:]
        /// Seen while running (a peek), maybe only passing the end on.
        var tentativeHolders: [EndKey: Set<Int32>] = [:]
        /// Sockets (or FIFO ends) some process held when it exec'd.
        var takenAcrossExec: Set<EndKey.Side> = []
        var counts: [EndKey: ChannelCounts] = [:]

        struct EndKey: Hashable, Comparable {
            struct Side: Hashable {
                var socket: UInt64
                var end: PipeEnd?
            }
            var pid: Int32
            var side: Side
            static func < (a: Self, b: Self) -> Bool {
                (a.pid, a.side.socket, a.side.end?.rawValue ?? "") < (b.pid, b.side.socket, b.side.end?.rawValue ?? "")
            }
        }

        /// The ends: held (when no counts say more) and counted, by pid, socket and end.
        func ends(counted: (Int32) -> Bool) -> [ChannelEnd] {
            var keys = Set(holders.keys).union(counts.keys)
            for key in tentativeHolders.keys where !takenAcrossExec.contains(key.side) { keys.insert(key) }
            var result: [ChannelEnd] = []
            for key in keys.sorted() {
                let socket = kind == .unix ? key.side.socket : nil
                let seen = holders[key, default: []].union(tentativeHolders[key, default: []])
                if let count = counts[key] {
                    result.append(ChannelEnd(pid: key.pid, socket: socket, end: key.side.end, fds: seen.union(count.fds).sorted(),
                                             used: true, calls: count.calls, bytes: count.bytes))
                    continue
                }
                // A held end that counted calls went through, in either direction, is already shown by them.
                let directions: [PipeEnd] = key.side.end.map { [$0] } ?? [.read, .write]
                let countedSides = directions.filter { counts[EndKey(pid: key.pid, side: .init(socket: key.side.socket, end: $0))] != nil }
                if !countedSides.isEmpty && key.side.end == nil { continue }
                let zero: UInt64? = isEventCounted || counted(key.pid) ? 0 : nil
                result.append(ChannelEnd(pid: key.pid, socket: socket, end: key.side.end, fds: seen.sorted(),
                                         used: zero.map { _ in false }, calls: zero, bytes: zero))
            }
            return result
        }

        /// A queue's sends and receives are events, always seen: an opener without any moved nothing.
        var isEventCounted: Bool { kind == .mq }
    }

    /// Calls and bytes through one end.
    struct ChannelCounts: Sendable, Hashable {
        var fds: Set<Int32> = []
        var calls: UInt64 = 0
        var bytes: UInt64 = 0
    }

    struct ChannelKey: Hashable {
        var kind: ChannelKind
        /// The FIFO's inode, the smaller socket inode of a pair; 0 for a queue.
        var inode: UInt64
        /// A queue's name.
        var name: String
    }

    /// The FIFOs, Unix socket pairs and POSIX message queues, by kind, then inode or name.
    public var channels: [Channel] {
        channelTable.values.sorted { ($0.kind.rawValue, $0.inodes.first ?? 0, $0.name ?? "") < ($1.kind.rawValue, $1.inodes.first ?? 0, $1.name ?? "") }
            .map { channel in
                var channel = channel
                if channel.kind == .mq, let name = channel.name { channel.leftover = leftovers?.isLeftover(queue: name) }
                return channel
            }
    }

    /// The ends of `channel`, by pid.
    public func ends(of channel: Channel) -> [ChannelEnd] { channel.ends(counted: isChannelCounted) }

    func isChannelCounted(_ pid: Int32) -> Bool {
        dataFlow && (isComplete || processes[pid]?.termination != nil)
    }

    /// A snapshot's FIFOs and connected Unix sockets. An unconnected or listening socket is no edge.
    mutating func addChannels(_ snapshot: ProcessSnapshot) {
        let pid = snapshot.processID
        for descriptor in snapshot.channels {
            let key: ChannelKey, side: Channel.EndKey.Side
            switch descriptor.kind {
            case .fifo:
                key = ChannelKey(kind: .fifo, inode: descriptor.inode, name: "")
                side = .init(socket: 0, end: descriptor.end)
                channelTable[key, default: Channel(kind: .fifo, inodes: [descriptor.inode])].path = descriptor.path
            case .unix:
                guard let peer = descriptor.peerInode else { continue }
                key = pairKey(descriptor.inode, peer, path: descriptor.path)
                side = .init(socket: descriptor.inode, end: nil)
            }
            let endKey = Channel.EndKey(pid: pid, side: side)
            switch snapshot.moment {
            case .peek: channelTable[key]?.tentativeHolders[endKey, default: []].insert(descriptor.fd)
            case .exec:
                channelTable[key]?.holders[endKey, default: []].insert(descriptor.fd)
                channelTable[key]?.takenAcrossExec.insert(side)
            case .attach, .exit: channelTable[key]?.holders[endKey, default: []].insert(descriptor.fd)
            }
        }
    }

    /// The pair of sockets `a` and `b`, made if new; each socket is indexed for counts that name only it.
    private mutating func pairKey(_ a: UInt64, _ b: UInt64, path: String?) -> ChannelKey {
        let key = ChannelKey(kind: .unix, inode: min(a, b), name: "")
        var channel = channelTable[key] ?? Channel(kind: .unix, inodes: [min(a, b), max(a, b)])
        if channel.path == nil { channel.path = path }
        channelTable[key] = channel
        socketPairs[a] = key.inode
        socketPairs[b] = key.inode
        return key
    }

    /// `--data-flow` counts on a FIFO or a Unix socket. A socket whose peer is unknown (never connected)
    /// is no channel: its counts are dropped.
    mutating func addChannelUsage(_ usage: ChannelUsage) {
        let key: ChannelKey, side: Channel.EndKey.Side
        switch usage.kind {
        case .pipe: return
        case .fifo:
            key = ChannelKey(kind: .fifo, inode: usage.inode, name: "")
            side = .init(socket: 0, end: usage.end)
            var channel = channelTable[key] ?? Channel(kind: .fifo, inodes: [usage.inode])
            if channel.path == nil { channel.path = usage.path }
            channelTable[key] = channel
        case .unix:
            if let peer = usage.peerInode {
                key = pairKey(usage.inode, peer, path: usage.path)
            } else if let pair = socketPairs[usage.inode] {
                key = ChannelKey(kind: .unix, inode: pair, name: "")
            } else {
                return
            }
            side = .init(socket: usage.inode, end: usage.end)
        }
        let endKey = Channel.EndKey(pid: usage.processID, side: side)
        var counts = channelTable[key]?.counts[endKey] ?? ChannelCounts()
        counts.calls += usage.calls
        counts.bytes += usage.bytes
        counts.fds.formUnion(usage.fds)
        channelTable[key]?.counts[endKey] = counts
    }

    /// The `mq_*` events: `mq_open` names a descriptor (inherited by children), sends and receives count on
    /// the queue it names, `mq_unlink` marks the end of the name.
    mutating func addQueueEvent(_ event: Event, value: Int64) {
        let pid = event.processID
        let name: String?, side: PipeEnd?, fd: Int32?
        var moved: UInt64? = nil
        switch event.call {
        case .mqOpen(_, let text?, let flags, _, _, _):
            let opened = String(decoding: text, as: UTF8.self), descriptor = Int32(truncatingIfNeeded: value)
            (name, fd) = (opened, descriptor)
            handles.opened(opened, as: descriptor, by: pid)
            side = switch flags & 3 { case 0: .read; case 1: .write; default: nil }
        case .mqUnlink(_, let text?):
            let key = ChannelKey(kind: .mq, inode: 0, name: String(decoding: text, as: UTF8.self))
            channelTable[key, default: Channel(kind: .mq, inodes: [], name: key.name)].unlinkedBy.append(pid)
            return
        case .mqTimedsend(let mqdes, _, _, let length, _, _, _):
            (name, side, fd, moved) = (handles.queue(mqdes, in: pid, parent: processes[pid]?.ppid), .write, mqdes, length)
        case .mqTimedreceive(let mqdes, _, _, _, _, _, _, _):
            (name, side, fd, moved) = (handles.queue(mqdes, in: pid, parent: processes[pid]?.ppid), .read, mqdes, UInt64(max(0, value)))
        case .mqNotify(let mqdes, _, _), .mqGetsetattr(let mqdes, _, _, _, _):
            (name, side, fd) = (handles.queue(mqdes, in: pid, parent: processes[pid]?.ppid), nil, mqdes)
        default:
            return
        }
        guard let name, let fd else { return }
        let key = ChannelKey(kind: .mq, inode: 0, name: name)
        var channel = channelTable[key] ?? Channel(kind: .mq, inodes: [], name: name)
        let endKey = Channel.EndKey(pid: pid, side: .init(socket: 0, end: side))
        if let moved {
            channel.counts[endKey, default: ChannelCounts()].calls += 1
            channel.counts[endKey, default: ChannelCounts()].bytes += moved
            channel.counts[endKey, default: ChannelCounts()].fds.insert(fd)
        } else if channel.counts[endKey] == nil {
            channel.holders[endKey, default: []].insert(fd)
        }
        channelTable[key] = channel
    }
}
