/// How a trace reaches its tracees, and the policy that follows from it. Everything the loop does
/// differently in the two modes is asked here.
enum TraceMode: Sendable {
    /// A command started by ``Launcher``: the seccomp filter stops it at watched syscalls only.
    case launch
    /// Processes seized by ``Attacher``: no filter can be added to a running process (its `RET_TRACE`
    /// would fail their calls with ENOSYS once we are gone), so every syscall stops at entry and exit.
    case attach

    /// Resumes a tracee to its next stop: the next event of any kind in launch mode, the next syscall
    /// boundary in attach mode.
    func resume(_ ptrace: Ptrace, signal: Int32 = 0) throws(Errno) {
        switch self {
        case .launch: try ptrace.cont(signal: signal)
        case .attach: try ptrace.resumeToSyscall(signal: signal)
        }
    }

    /// The options a new process gets at its first stop, nil to keep what it inherited. With snapshots,
    /// a launched process is stopped at its exit until it execs (a forked subshell or Python worker shows
    /// its pipe ends there; a program that exec'd showed them at its exec). Exit stops cost a round trip
    /// each; threads the process creates inherit the option (only the leader's stop takes a snapshot), and
    /// attach mode asked for them at attach time.
    func optionsForNewProcess(snapshots: Bool) -> Ptrace.Options? {
        self == .launch && snapshots ? Launcher.options.union(.traceExit) : nil
    }

    /// The options after an exec, nil to keep them: a launched process's exit stop is dropped.
    func optionsAfterExec(snapshots: Bool) -> Ptrace.Options? {
        self == .launch && snapshots ? Launcher.options : nil
    }

    /// What ending early does to the tracees: a launched tree is killed (as `PTRACE_O_EXITKILL` would
    /// when the tracer dies) and reaped; attached processes are detached and run on as before.
    var endsByKilling: Bool { self == .launch }
}
