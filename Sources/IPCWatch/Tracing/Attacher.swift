import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Attaches to running processes, every thread of them: `PTRACE_SEIZE` + `PTRACE_INTERRUPT` on each
/// task, re-scanning `/proc/PID/task` until no thread appears that was not seized.
enum Attacher {
    /// No `EXITKILL` (the targets must outlive us) and no seccomp: attach mode uses syscall stops.
    static let options: Ptrace.Options = [.traceSysGood, .traceFork, .traceVfork, .traceClone, .traceExec]

    /// What an attach got: every seized tid, the processes attached, and the discovered ones refused.
    struct Attached {
        var tids: [pid_t] = []
        var processes: [pid_t] = []
        var refused: [(pid: pid_t, reason: String)] = []
    }

    /// Seizes all threads of `pids`, then of `discovered` (found by ``RelatedProcesses``) as far as it can:
    /// one of those that cannot be attached (gone meanwhile, a zombie, Yama) is only noted, since the user
    /// never named it. On a failure with a named pid nothing stays attached (the threads already seized are
    /// detached by a loop of their own, woken by `waker`).
    static func attach(_ pids: [pid_t], discovered: [pid_t] = [], traceExit: Bool, waker: Waker) throws(IPCWatchError) -> Attached {
        var result = Attached()
        var seized: [pid_t] = []
        let options = traceExit ? options.union(.traceExit) : options
        do throws(IPCWatchError) {
            for pid in pids {
                try attach(pid, options: options, into: &seized)
                result.processes.append(pid)
            }
            for pid in discovered where !pids.contains(pid) {
                var own: [pid_t] = []
                do throws(IPCWatchError) {
                    try attach(pid, options: options, into: &own)
                } catch {
                    // Threads of it already seized stay traced (the loop detaches them with the rest at the end).
                    if own.isEmpty, case .cannotAttach(_, let reason) = error { result.refused.append((pid, reason)) } else if own.isEmpty { throw error }
                }
                seized += own
                if !own.isEmpty { result.processes.append(pid) }
            }
        } catch {
            var cleanup = TraceLoop(mode: .attach, tracees: seized, options: TraceOptions(), sink: DiscardingSink(),
                                    waker: waker)
            try? cleanup.detachAll()
            throw error
        }
        result.tids = seized
        return result
    }

    private static func attach(_ pid: pid_t, options: Ptrace.Options, into seized: inout [pid_t]) throws(IPCWatchError) {
        if let reason = forbidden(pid) { throw .cannotAttach(pid: pid, reason: reason) }
        var known = Set<pid_t>()
        while true {
            guard let tids = ProcFS.threads(of: pid) else {
                throw .cannotAttach(pid: pid, reason: Errno(rawValue: ESRCH).message)
            }
            let fresh = tids.filter { !known.contains($0) }
            if fresh.isEmpty { return }
            for tid in fresh {
                known.insert(tid)
                do {
                    try Ptrace(tid: tid).seize(options: options)
                } catch {
                    // Fine for a thread other than the leader: one that exited meanwhile (ESRCH, or EPERM
                    // while it is a zombie), or one cloned by a thread we had already seized (ours
                    // already: auto-attached, it will report its stops; TracerPid is the tracing thread).
                    if tid != pid && (error == .noSuchProcess || tracerOf(tid) == ipcw_gettid() || isExiting(tid)) { continue }
                    throw .cannotAttach(pid: pid, reason: explain(error, pid: pid))
                }
                seized.append(tid)
                _ = try? Ptrace(tid: tid).interrupt()
            }
        }
    }

    /// Refuses ipcwatch itself and its ancestors: a tracer stopping its own waiter deadlocks.
    private static func forbidden(_ pid: pid_t) -> String? {
        guard ProcFS.ancestors().contains(pid) else { return nil }
        return pid == getpid() ? "that is ipcwatch itself" : "that is an ancestor of ipcwatch"
    }

    /// `TracerPid` of a thread (0 when untraced), nil when it cannot be read.
    private static func tracerOf(_ tid: pid_t) -> pid_t? {
        ProcFS.statusWord("TracerPid", of: tid).flatMap { pid_t($0) }
    }

    /// The thread is gone or dying (zombie `Z`, dead `X`): the kernel refuses to attach to it.
    private static func isExiting(_ tid: pid_t) -> Bool {
        guard let state = ProcFS.statusWord("State", of: tid) else { return true }
        return state == "Z" || state == "X"
    }

    /// The errno, with the likely cause of a refusal.
    private static func explain(_ error: Errno, pid: pid_t) -> String {
        guard error == .notPermitted else { return error.message }
        var cause: String?
        if let tracer = tracerOf(pid), tracer != 0 {
            // TracerPid is the tracing thread; name its process.
            let process = ProcFS.statusWord("Tgid", of: tracer).flatMap { pid_t($0) } ?? tracer
            cause = "it is already traced by process \(process)"
        } else if let uid = ProcFS.statusWord("Uid", of: pid).flatMap(UInt32.init), uid != geteuid(), geteuid() != 0 {
            cause = "it belongs to another user"
        } else if let scope = ProcFS.read("/proc/sys/kernel/yama/ptrace_scope"),
                  let level = Int(String(decoding: scope, as: UTF8.self).filter(\.isNumber)), level > 0 {
            cause = "kernel.yama.ptrace_scope is \(level)"
        }
        return cause.map { "\(error.message) (\($0))" } ?? error.message
    }
}

/// A sink that keeps nothing: the detaching loop of a failed attach.
private final class DiscardingSink: TraceSink {
    func receive(_ record: TraceRecord) -> TraceSinkReply { .proceed }
}
