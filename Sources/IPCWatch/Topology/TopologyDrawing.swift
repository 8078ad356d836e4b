/// What DOT and Mermaid both draw, built once: processes, pipes and SysV objects as nodes (folded, see
/// ``TopologyFolding``), and the edges between them. Each renderer only spells it in its syntax.
struct TopologyDrawing {
    enum Shape: Equatable {
        /// A box.
        case process
        /// An ellipse; dashed when the trace did not see the pipe created.
        case pipe(inherited: Bool)
        /// A hexagon.
        case sysv
        /// A FIFO, a Unix socket pair or a POSIX message queue: a shape per kind.
        case channel(Topology.ChannelKind)
        /// What the command inherited from outside the trace (the caller's pipes).
        case outside
        /// The key to the edges.
        case legend
    }

    enum Style: Equatable {
        /// Held at a snapshot, use not counted: dashed, `fd 1`.
        case held(String)
        /// A socket (or an `O_RDWR` FIFO or queue) held, which reads and writes: dashed, both ways.
        case heldBoth(String)
        /// Moved data (data-flow counts): solid, `fd 1 · 3.9 KB`.
        case used(String)
        /// Held, counted, never used: faint.
        case unused(String)
        /// Dashed and gray, from the process that created the pipe, labelled with the call.
        case creation(String)
        /// Dotted and undirected, from parent to child.
        case parentChild
        /// A process's calls on a SysV object (`msgsnd ×3`).
        case calls(String)
        /// A blocked process waits for another (the wait-for report): red, labelled with the wait.
        case waits(String)
    }

    struct Node {
        var id: String
        var shape: Shape
        var lines: [String]
    }

    struct Edge {
        var from: String
        var to: String
        var style: Style
    }

    /// Set here and in ``addChannels(_:folding:)``.
    var nodes: [Node] = []
    var edges: [Edge] = []

    /// `all`: also the orphan pipes (made and closed by one process, never passed on).
    init(_ topology: Topology, all: Bool = false) {
        // Pipes the command inherited and traced processes hold on one side only are the caller's: one
        // node per end, not a pipe each (a hub of every process holding the caller's stdout).
        var outside: [PipeEnd: [(pid: Int32, fds: [Int32])]] = [:]
        var drawn: [Topology.Pipe] = []
        var ends: [UInt64: [Topology.End]] = [:]
        for pipe in topology.pipes where all || !pipe.isOrphan {
            let pipeEnds = topology.ends(of: pipe)
            let sides = Set(pipeEnds.map(\.end))
            if pipe.createdBy == nil, let side = sides.first, sides.count == 1 {
                let holders = Set(pipeEnds.map(\.pid))
                // Only where the end entered the trace: a child holding what its parent holds inherited it.
                for end in pipeEnds where !holders.contains(topology.processes[end.pid]?.ppid ?? -1) {
                    outside[side, default: []].append((end.pid, end.fds))
                }
                continue
            }
            drawn.append(pipe)
            ends[pipe.inode] = pipeEnds
        }
        var sysvUse: [Int32: [String]] = [:]
        for object in topology.sysv {
            for (pid, calls) in object.users {
                sysvUse[pid, default: []].append("\(object.kind)\(object.id):" + Self.callsLabel(calls))
            }
        }
        var pids = Set(topology.processes.keys)
        for pipeEnds in ends.values { pids.formUnion(pipeEnds.map(\.pid)) }
        for pipe in drawn { if let creator = pipe.createdBy { pids.insert(creator) } }
        // Processes on different channels are different roles: folding must not merge them.
        for channel in topology.channels {
            for end in topology.ends(of: channel) {
                sysvUse[end.pid, default: []].append(Self.channelID(channel) + ":\(end.end?.rawValue ?? "rw"):" + Self.fdLabel(end.fds))
                pids.insert(end.pid)
            }
        }
        for pid in sysvUse.keys { sysvUse[pid]!.sort() }
        let folding = TopologyFolding(topology, pids: Array(pids), pipes: drawn, ends: ends, sysvUse: sysvUse)

        if !(drawn.isEmpty && outside.isEmpty && topology.channels.isEmpty) { nodes.append(Self.legend(topology)) }
        for (id, members) in folding.processMembers.sorted(by: { $0.key < $1.key }) {
            nodes.append(Node(id: Self.id(id), shape: .process, lines: Self.lines(members, topology)))
        }
        var parentEdges = Set<[Int32]>()
        for pid in pids.sorted() {
            guard let ppid = topology.processes[pid]?.ppid, let parent = folding.processClass[ppid],
                  let child = folding.processClass[pid], parentEdges.insert([parent, child]).inserted else { continue }
            edges.append(Edge(from: Self.id(parent), to: Self.id(child), style: .parentChild))
        }
        let byInode = Dictionary(drawn.map { ($0.inode, $0) }, uniquingKeysWith: { a, _ in a })
        for (id, members) in folding.pipeMembers.sorted(by: { $0.key < $1.key }) {
            let pipe = byInode[id]!
            let nodeID = "pipe\(id)"
            var lines = [members.count == 1 ? "pipe:[\(id)]" : "pipe ×\(members.count)"]
            if pipe.createdBy == nil { lines.append("opened before the trace") }
            if pipe.isOrphan { lines.append("never passed on") } else if pipe.noHolderSeen { lines.append("no holder seen") }
            nodes.append(Node(id: nodeID, shape: .pipe(inherited: pipe.createdBy == nil), lines: lines))
            // Per holder class: the ends of every member pipe held by that class's members.
            var grouped: [[String]: [Topology.End]] = [:]
            for inode in members {
                for end in ends[inode, default: []] {
                    grouped[[String(folding.processClass[end.pid]!), end.end.rawValue], default: []].append(end)
                }
            }
            // The creator's own ends name the call; a creator holding none gets an edge of its own. One edge
            // between them, not two in opposite directions: each such loop cost a command substitution
            // (bash reads what its child writes) a rank of height.
            let creatorClass = pipe.createdBy.flatMap { folding.processClass[$0] }
            let call = pipe.createdWith?.rawValue ?? "pipe"
            if let creatorClass, !grouped.keys.contains(where: { $0[0] == String(creatorClass) }) {
                edges.append(Edge(from: Self.id(creatorClass), to: nodeID, style: .creation(call)))
            }
            for (key, group) in grouped.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                let holder = Self.id(Int32(key[0])!)
                let created = creatorClass.map { String($0) == key[0] } ?? false
                let style = Self.style(group, folded: members.count > 1, createdWith: created ? call : nil)
                edges.append(key[1] == PipeEnd.write.rawValue ? Edge(from: holder, to: nodeID, style: style)
                                                               : Edge(from: nodeID, to: holder, style: style))
            }
        }
        for (side, holders) in outside.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let nodeID = side == .read ? "outside0" : "outside1"
            nodes.append(Node(id: nodeID, shape: .outside,
                              lines: [side == .read ? "from outside the trace" : "to outside the trace",
                                      "the caller's pipe"]))
            var byClass: [Int32: Set<Int32>] = [:]
            for holder in holders { byClass[folding.processClass[holder.pid] ?? holder.pid, default: []].formUnion(holder.fds) }
            for (id, fds) in byClass.sorted(by: { $0.key < $1.key }) where folding.processClass[id] != nil {
                let style = Style.held(Self.fdLabel(fds.sorted()))
                edges.append(side == .write ? Edge(from: Self.id(id), to: nodeID, style: style)
                                            : Edge(from: nodeID, to: Self.id(id), style: style))
            }
        }
        if all {
            var closed: [Int32: Int] = [:]
            for orphans in topology.closedOrphans { closed[folding.processClass[orphans.createdBy] ?? orphans.createdBy, default: 0] += orphans.count }
            for (id, count) in closed.sorted(by: { $0.key < $1.key }) where folding.processClass[id] != nil {
                nodes.append(Node(id: "closed\(id)", shape: .pipe(inherited: false), lines: ["pipe ×\(count)", "closed, never passed on"]))
                edges.append(Edge(from: Self.id(id), to: "closed\(id)", style: .creation("made")))
            }
        }
        addChannels(topology, folding: folding)
        if let waits = topology.waits { addWaits(waits, folding: folding) }
        var sysvEdges = Set<[String]>()
        for object in topology.sysv {
            let id = "\(object.kind.rawValue)\(object.id)"
            nodes.append(Node(id: id, shape: .sysv, lines: Self.lines(object)))
            for (pid, calls) in object.users.sorted(by: { $0.key < $1.key }) {
                guard let processClass = folding.processClass[pid] else { continue }
                let folded = folding.processMembers[processClass, default: []].count > 1
                let label = Self.callsLabel(calls) + (folded ? " each" : "")
                guard sysvEdges.insert([id, String(processClass), label]).inserted else { continue }
                // A queue's receivers are drawn on its far side; every other use points at the object.
                let receives = object.kind == .msg && calls[.msgrcv] != nil && calls[.msgsnd] == nil
                edges.append(receives ? Edge(from: id, to: Self.id(processClass), style: .calls(label))
                                      : Edge(from: Self.id(processClass), to: id, style: .calls(label)))
            }
        }
    }

    static func id(_ pid: Int32) -> String { "p\(pid)" }

    private static func callsLabel(_ calls: [Syscall: Int]) -> String {
        calls.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) ×\($0.value)" }.joined(separator: ", ")
    }

    /// The key: what a dashed end means is the one thing a reader must not guess.
    private static func legend(_ topology: Topology) -> Node {
        var lines = ["dashed, fd N: held that end at an", "exec, attach or exit snapshot (not use)"]
        lines += topology.dataFlow ? ["solid: moved the bytes shown", "faint: counted, never used"]
                                   : ["reads and writes: not counted", "(--data-flow counts them)"]
        if topology.pipes.contains(where: { !$0.spliced.isEmpty }) { lines.append("solid on a pipe: splice/tee/vmsplice bytes") }
        if !topology.channels.isEmpty { lines.append("both ways, dashed: holds a socket (reads, writes)") }
        lines.append("gray, or pipe2 on an end: created it")
        lines.append("dotted: parent, child")
        return Node(id: "legend0", shape: .legend, lines: lines)
    }

    /// `fd 1` or `fd 3, 4`.
    static func fdLabel(_ fds: [Int32]) -> String {
        fds.isEmpty ? "fd ?" : "fd " + fds.map(String.init).joined(separator: ", ")
    }

    /// The edge of a holder class's ends: used if any member moved data (bytes summed), unused if every
    /// member was counted without any, held otherwise.
    /// `createdWith`: the holder class created the pipe with that call (`pipe2 · fd 3`).
    static func style(_ ends: [Topology.End], folded: Bool, createdWith call: String? = nil) -> Style {
        let fds = (call.map { "\($0) · " } ?? "") + fdLabel(Array(Set(ends.flatMap(\.fds))).sorted())
        if ends.contains(where: { $0.used == true }) {
            let bytes = ends.reduce(UInt64(0)) { $0 + ($1.bytes ?? 0) }
            return .used("\(fds) · \(byteCount(bytes))" + (folded ? " in all" : ""))
        }
        if ends.allSatisfy({ $0.used == false }) { return .unused("\(fds) unused") }
        return .held(fds)
    }

    /// `512 B`, `3.9 KB`, `1.2 MB` (1024-based, as `ls -h`).
    static func byteCount(_ bytes: UInt64) -> String {
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        var unit = 0
        let units = ["KB", "MB", "GB", "TB"]
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = (value * 10).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10) \(units[unit])"
    }

    /// `cat [4321]` or `bash ×27`, `/usr/bin/cat` when it differs, how it ended.
    private static func lines(_ members: [Int32], _ topology: Topology) -> [String] {
        guard let process = topology.processes[members[0]] else { return ["pid \(members[0])"] }
        var lines = [members.count == 1 ? "\(process.comm) [\(process.pid)]" : "\(process.comm) ×\(members.count)"]
        if !process.argv0.isEmpty && process.argv0 != process.comm { lines.append(process.argv0) }
        if let end = process.termination { lines.append(end.description) }
        return lines
    }

    /// `msg queue 5`, `key 0x1234` or `IPC_PRIVATE`.
    private static func lines(_ object: Topology.SysVObject) -> [String] {
        let name = switch object.kind {
        case .msg: "msg queue"
        case .sem: "semaphores"
        case .shm: "shared memory"
        }
        let key = object.key.map { $0 == 0 ? "IPC_PRIVATE" : "key 0x" + String(UInt32(bitPattern: $0), radix: 16) }
        return ["\(name) \(object.id)"] + (key.map { [$0] } ?? [])
    }
}
