/// The FIFOs, Unix socket pairs and message queues in a ``TopologyDrawing``: one node each (not folded),
/// an edge per holder class and side: into the node for writes, out of it for reads, both ways for a
/// held socket (or `O_RDWR` FIFO, queue) whose use was not counted.
extension TopologyDrawing {
    /// `fifo123`, `unix123` (the pair's smaller inode), `mq` and the name in hex (any bytes may be in it).
    static func channelID(_ channel: Topology.Channel) -> String {
        switch channel.kind {
        case .fifo, .unix: "\(channel.kind.rawValue)\(channel.inodes.first ?? 0)"
        case .mq: "mq" + (channel.name ?? "").utf8.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        }
    }

    mutating func addChannels(_ topology: Topology, folding: TopologyFolding) {
        for channel in topology.channels {
            let id = Self.channelID(channel)
            nodes.append(Node(id: id, shape: .channel(channel.kind), lines: Self.lines(channel)))
            var grouped: [[String]: [Topology.ChannelEnd]] = [:]
            for end in topology.ends(of: channel) {
                guard let processClass = folding.processClass[end.pid] else { continue }
                grouped[[String(processClass), String(end.socket ?? 0), end.end?.rawValue ?? ""], default: []].append(end)
            }
            for (key, group) in grouped.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                let holder = Self.id(Int32(key[0])!)
                let folded = folding.processMembers[Int32(key[0])!, default: []].count > 1
                let asPipeEnds = group.map { Topology.End(pid: $0.pid, end: $0.end ?? .write, fds: $0.fds, used: $0.used,
                                                          calls: $0.calls, bytes: $0.bytes) }
                var style = Self.style(asPipeEnds, folded: folded)
                switch group[0].end {
                case .write?: edges.append(Edge(from: holder, to: id, style: style))
                case .read?: edges.append(Edge(from: id, to: holder, style: style))
                case nil:
                    if case .held(let label) = style { style = .heldBoth(label) }
                    edges.append(Edge(from: holder, to: id, style: style))
                }
            }
        }
    }

    /// `fifo /tmp/f`, `unix socket pair` with the inodes, `mq /name`.
    private static func lines(_ channel: Topology.Channel) -> [String] {
        switch channel.kind {
        case .fifo:
            return ["fifo " + (channel.path ?? "(path unknown)"), "inode \(channel.inodes.first ?? 0)"]
        case .unix:
            let pair = channel.inodes.map { "socket:[\($0)]" }.joined(separator: " ↔ ")
            return ["unix socket pair", pair] + (channel.path.map { [$0] } ?? [])
        case .mq:
            let unlinked = channel.unlinkedBy.isEmpty ? [] : ["unlinked by " + channel.unlinkedBy.map(String.init).joined(separator: ", ")]
            return ["mq /" + (channel.name ?? "")] + unlinked
        }
    }
}
