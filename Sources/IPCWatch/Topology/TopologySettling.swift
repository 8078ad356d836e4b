#if canImport(Glibc)
import Glibc
#endif

/// Bounded memory during a live trace: a pipe only its creator was seen with is kept while some traced
/// process may still hold it, and counted in ``Topology/closedOrphans`` once none does. Snapshots cannot
/// see a `close`, so the processes' descriptors are looked at (`/proc/PID/fd`, and their children's, which
/// may have inherited an end before the creator closed it) once enough such pipes have piled up: the cost
/// is one scan per thousands of pipes, and memory stays flat however many pipes a program makes.
extension Topology {
    /// Pipes only their creator was seen with, kept until the next scan.
    package static let settleThreshold = 4096

    /// True when enough unsettled pipes piled up for a scan to be worth it.
    package var needsSettling: Bool { unsettled.count >= settleLimit }

    /// Looks at what the running traced processes (and their children) hold, and forgets the orphan pipes
    /// none of them holds any more. Only meaningful while the trace runs: afterwards nothing holds anything.
    package mutating func settle() {
        var open = Set<UInt64>()
        var seen = Set<Int32>()
        var pending = processes.values.filter { $0.termination == nil }.map(\.pid)
        while let pid = pending.popLast() {
            guard seen.insert(pid).inserted else { continue }
            for descriptor in ProcFS.pipeDescriptors(of: pid) { open.insert(descriptor.inode) }
            pending += Self.children(of: pid)
        }
        settle(stillOpen: open)
    }

    /// Forgets the orphan pipes whose inode is not in `stillOpen`, counting them per creator.
    package mutating func settle(stillOpen: Set<UInt64>) {
        for inode in unsettled where !stillOpen.contains(inode) {
            guard let pipe = pipeTable.removeValue(forKey: inode), let creator = pipe.createdBy else { continue }
            orphanCounts[OrphanKey(createdBy: creator, createdWith: pipe.createdWith ?? .pipe), default: 0] += 1
        }
        unsettled.formIntersection(stillOpen)
        unsettledByCreator = unsettledByCreator.compactMapValues { inodes in
            let open = inodes.filter(unsettled.contains)
            return open.isEmpty ? nil : open
        }
        createdByProcess = createdByProcess.compactMapValues { inodes in
            let known = inodes.filter { pipeTable[$0] != nil }
            return known.isEmpty ? nil : known
        }
        // Pipes still open stay: scan again only once as many more have come.
        settleLimit = max(Self.settleThreshold, unsettled.count * 2)
    }

    /// The children of every thread of `pid` (`/proc/PID/task/TID/children`).
    private static func children(of pid: Int32) -> [Int32] {
        guard let directory = opendir("/proc/\(pid)/task") else { return [] }
        defer { closedir(directory) }
        var children: [Int32] = []
        while let entry = readdir(directory) {
            let tid = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { atoi($0) }
            }
            guard tid > 0, let bytes = ProcFS.read("/proc/\(pid)/task/\(tid)/children", limit: 1 << 16) else { continue }
            children += String(decoding: bytes, as: UTF8.self).split(separator: " ").compactMap { Int32($0) }
        }
        return children
    }
}
