#if canImport(Glibc)
import Glibc
#endif

/// "Why is this stuck?" from one pid: the other processes that matter to it, found through `/proc` before
/// attaching — the holders of the other ends of its pipes and FIFOs, whom its blocked threads wait for (the
/// last process to change a semaphore or a queue), and its children — and theirs in turn. Only processes
/// this user may trace (same uid, or root; not already traced), never ipcwatch itself or its ancestors.
///
/// Not too far: a Unix socket's peer is never followed (a client of dbus would bring in the bus and the
/// user's whole service manager); the other ends and last changers are followed only within the sessions
/// of the pids named (a last changer's pid may be stale or reused); children of the pids named always, of
/// other processes unless their parent is init (a service manager, `systemd --user`, has PPid 1).
package enum RelatedProcesses {
    /// `pids` and the processes related to them, in the order found (at most `limit`).
    package static func closure(of pids: [Int32], limit: Int = 64) -> [Int32] {
        let files = OpenFiles()
        let probe = WaitProbe(files: files)
        let excluded = Set(ProcFS.ancestors())
        var found = pids, next = 0
        let sessions = Set(pids.compactMap(session(of:)))
        let inSessions = { (pid: Int32) in session(of: pid).map(sessions.contains) ?? false }
        while next < found.count && found.count < limit {
            let pid = found[next]
            next += 1
            var related: [Int32] = []
            let named = pids.contains(pid)
            let followsChildren = named || ProcFS.identity(of: pid)?.parentProcessID != 1
            if followsChildren { related += files.children(of: pid).filter { named || inSessions($0) } }
            for tid in (ProcFS.threads(of: pid) ?? []).sorted() {
                let waits = probe.thread(tid: tid, pid: pid)?.waitsFor ?? []
                related += waits.filter {
                    switch $0.link {
                    case .socketPeer: false
                    case .child: followsChildren && (named || inSessions($0.pid))
                    case .otherEnd, .lastChanger: inSessions($0.pid)
                    }
                }.map(\.pid)
            }
            related += otherEnds(of: pid, in: files).filter(inSessions)
            for candidate in related where !found.contains(candidate) && !excluded.contains(candidate) && mayTrace(candidate) {
                found.append(candidate)
                if found.count == limit { break }
            }
        }
        return found
    }

    /// The holders of the other end of every pipe and FIFO `pid` has open (by the ends' open modes).
    private static func otherEnds(of pid: Int32, in files: OpenFiles) -> [Int32] {
        var pids: [Int32] = []
        var noSockets: UnixSockets? = nil
        let (pipes, channels) = ProcFS.descriptors(of: pid, unixSockets: &noSockets)
        for fd in pipes.map(\.fd) + channels.filter({ $0.kind == .fifo }).map(\.fd) {
            guard let file = OpenFiles.file(pid: pid, fd: fd) else { continue }
            let holders = files.holders(of: file)
            // The other end only: a sibling that inherited the same end (a shared stdout) ends no wait.
            guard let own = holders.first(where: { $0.pid == pid && $0.fd == fd }) else { continue }
            pids += holders.filter { $0.pid != pid && (own.canRead && $0.canWrite || own.canWrite && $0.canRead) }.map(\.pid)
        }
        return pids
    }

    /// The session of `pid` (field 6 of `/proc/PID/stat`), nil if it is gone.
    private static func session(of pid: Int32) -> Int32? {
        guard let fields = ProcFS.statFields(of: pid), fields.count > 3 else { return nil }
        return Int32(fields[3])
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
}
