/// Which processes and pipes of a ``Topology`` are drawn as one node: processes of the same program and
/// role (same parent node, `comm`, `argv[0]`, end, and the same pattern of edges) and pipes of the same
/// pattern (same creator node, same holder nodes on the same ends and fds). Found by partition refinement:
/// start from what a node is, split by what it connects to until nothing splits any more.
struct TopologyFolding {
    /// A process's class: the pid of its first member.
    private(set) var processClass: [Int32: Int32] = [:]
    /// A pipe's class: the inode of its first member.
    private(set) var pipeClass: [UInt64: UInt64] = [:]
    /// Members per class, ascending.
    private(set) var processMembers: [Int32: [Int32]] = [:]
    private(set) var pipeMembers: [UInt64: [UInt64]] = [:]

    /// One end as a pattern: which class holds it, which end, which fds, used or not.
    private struct EndPattern: Hashable, Comparable {
        var holder: Int32
        var end: String
        var fds: String
        var used: Int8  // -1 not counted, 0 unused, 1 used
        static func < (a: Self, b: Self) -> Bool { (a.holder, a.end, a.fds, a.used) < (b.holder, b.end, b.fds, b.used) }
    }

    private struct PipeSignature: Hashable {
        var creator: Int32?
        var createdWith: String
        var ends: [EndPattern]
    }

    private struct ProcessSignature: Hashable {
        var identity: String
        var parent: Int32?
        var pipes: [[String]]
        var sysv: [String]
    }

    /// Folds `pipes` (the drawn ones) and every process in `pids`.
    init(_ topology: Topology, pids: [Int32], pipes: [Topology.Pipe], ends: [UInt64: [Topology.End]],
         sysvUse: [Int32: [String]]) {
        // The start: what a process is, whatever it connects to.
        var identity: [Int32: String] = [:]
        for pid in pids {
            let process = topology.processes[pid]
            identity[pid] = [process?.comm ?? "?", process?.argv0 ?? "", process?.termination?.description ?? "running"]
                .joined(separator: "\u{0}")
        }
        processClass = Self.classes(pids) { identity[$0]! }
        let byInode = Dictionary(pipes.map { ($0.inode, $0) }, uniquingKeysWith: { a, _ in a })
        var previousCount = -1
        for _ in 0..<12 {
            let current = processClass
            pipeClass = Self.classes(pipes.map(\.inode)) { inode in
                let pipe = byInode[inode]!
                return PipeSignature(creator: pipe.createdBy.flatMap { current[$0] }, createdWith: pipe.createdWith?.rawValue ?? "",
                                     ends: ends[inode, default: []].map { Self.pattern($0, current) }.sorted())
            }
            var roles: [Int32: Set<[String]>] = [:]
            for pipe in pipes {
                let pipeID = String(pipeClass[pipe.inode]!)
                if let creator = pipe.createdBy { roles[creator, default: []].insert(["created", pipeID]) }
                for end in ends[pipe.inode, default: []] {
                    roles[end.pid, default: []].insert([pipeID, end.end.rawValue, end.fds.map(String.init).joined(separator: ","),
                                                        end.used.map { $0 ? "1" : "0" } ?? "-"])
                }
            }
            processClass = Self.classes(pids) { pid in
                ProcessSignature(identity: identity[pid]!, parent: topology.processes[pid].flatMap { current[$0.ppid] },
                                 pipes: roles[pid, default: []].sorted { $0.lexicographicallyPrecedes($1) },
                                 sysv: sysvUse[pid, default: []])
            }
            let count = Set(processClass.values).count + Set(pipeClass.values).count
            if count == previousCount { break }
            previousCount = count
        }
        for (pid, id) in processClass { processMembers[id, default: []].append(pid) }
        for (inode, id) in pipeClass { pipeMembers[id, default: []].append(inode) }
        for id in processMembers.keys { processMembers[id]!.sort() }
        for id in pipeMembers.keys { pipeMembers[id]!.sort() }
    }

    private static func pattern(_ end: Topology.End, _ classes: [Int32: Int32]) -> EndPattern {
        EndPattern(holder: classes[end.pid] ?? end.pid, end: end.end.rawValue, fds: end.fds.map(String.init).joined(separator: ","),
                   used: end.used.map { $0 ? 1 : 0 } ?? -1)
    }

    /// Classes of `members` with equal keys, each named by its smallest member.
    private static func classes<Member: Comparable & Hashable, Key: Hashable>(_ members: [Member], key: (Member) -> Key)
        -> [Member: Member] {
        var first: [Key: Member] = [:]
        var result: [Member: Member] = [:]
        for member in members.sorted() {
            let key = key(member)
            let name = first[key] ?? member
            first[key] = name
            result[member] = name
        }
        return result
    }
}
