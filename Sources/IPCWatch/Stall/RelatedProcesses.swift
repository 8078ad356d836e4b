#if canImport(Glibc)
import Glibc
#endif

/// "Why is this stuck?" from one pid: the other processes that matter to it, found through `/proc` before
/// attaching — the holders of the other ends of its pipes and FIFOs, whom its blocked threads wait for (the
/// last process to change a semaphore or a queue), and its children — and theirs in turn. Only processes
/// this user may trace (same uid, or root; not already traced), never ipcwatch itself or its ancestors.
package enum RelatedProcesses {
    /// `pids` and the processes related to them, in the order found (at most `limit`).
    package static func closure(of pids: [Int32], limit: Int = 64) -> [Int32] {
        let files = OpenFiles()
        let probe = WaitProbe(files: files)
        let excluded = ancestors()
        var found = pids, next = 0
        while next < found.count && found.count < limit {
            let pid = found[next]
            next += 1
            var related: [Int32] = files.children(of: pid)
            for tid in threads(of: pid) {
                related += probe.thread(tid: tid, pid: pid)?.waitsFor.map(\.pid) ?? []
            }
            related += otherEnds(of: pid, in: files)
            for candidate in related where !found.contains(candidate) && !excluded.contains(candidate) && mayTrace(candidate) {
                found.append(candidate)
                if found.count == limit { break }
            }
        }
        return found
    }

    /// The holders of the other end of every pipe and FIFO `pid` has open.
    private static func otherEnds(of pid: Int32, in files: OpenFiles) -> [Int32] {
        var pids: [Int32] = []
        var noSockets: UnixSockets? = nil
        let (pipes, channels) = ProcFS.descriptors(of: pid, unixSockets: &noSockets)
        for fd in pipes.map(\.fd) + channels.filter({ $0.kind == .fifo }).map(\.fd) {
            guard let file = OpenFiles.file(pid: pid, fd: fd) else { continue }
            pids += files.holders(of: file).map(\.pid).filter { $0 != pid }
        }
        return pids
    }

    private static func threads(of pid: Int32) -> [Int32] {
        guard let directory = opendir("/proc/\(pid)/task") else { return [] }
        defer { closedir(directory) }
        var tids: [Int32] = []
        while let entry = readdir(directory) {
            let tid = withUnsafePointer(to: entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { atoi($0) } }
            if tid > 0 { tids.append(tid) }
        }
        return tids.sorted()
    }

    /// Same user (every uid of it ours) or root, traced by nobody yet, and alive: a zombie (an unreaped
    /// child) cannot be attached and waits for nothing.
    private static func mayTrace(_ pid: Int32) -> Bool {
        guard let status = ProcFS.status(of: pid), status["TracerPid"] == "0", status["PPid"] != "0",
              let state = status["State"]?.first, state != "Z" && state != "X" else { return false }
        if geteuid() == 0 { return true }
        let uids = (status["Uid"] ?? "").split(whereSeparator: { $0 == "\t" || $0 == " " }).compactMap { UInt32($0) }
        return !uids.isEmpty && uids.allSatisfy { $0 == geteuid() }
    }

    /// ipcwatch and every process above it: never attached (a shell waiting for ipcwatch holds a pipe to it).
    private static func ancestors() -> Set<Int32> {
        var pids: Set<Int32> = [], pid = getpid()
        while pid > 1, pids.insert(pid).inserted, let parent = ProcFS.identity(of: pid)?.parentProcessID {
            pid = parent
        }
        return pids
    }
}
