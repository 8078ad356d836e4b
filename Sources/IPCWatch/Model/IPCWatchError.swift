/// Why tracing could not start or continue. Each case says what failed; ``description`` renders it as
/// one line for the user.
public enum IPCWatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the tracer needs before a trace can start.
    public enum Resource: String, Sendable, Hashable {
        /// The thread a ``TraceSession`` traces on (`pthread_create`).
        case thread
        /// The child that wakes the tracer for cancellation and signals (`clone`, `pidfd_open`).
        case waker
        /// The close-on-exec pipe a launched child reports a failed exec through (`pipe2`).
        case errorPipe = "error pipe"
        /// The launched command's process (`fork`).
        case process
        /// `--same-cpu`'s pinning of the tracer thread (`sched_setaffinity`).
        case cpuPinning = "CPU pinning"
    }

    /// A step the launched child takes before its exec.
    public enum FilterStep: String, Sendable, Hashable {
        /// `prctl(PR_SET_NO_NEW_PRIVS)`, which an unprivileged caller needs for a seccomp filter.
        case noNewPrivileges = "set no_new_privs"
        /// `prctl(PR_SET_SECCOMP)`.
        case seccomp = "install the seccomp filter"
    }

    /// The command could not be executed (`execvp` failed): exit 127, or 126 when not executable.
    case cannotRun(command: String, errno: Errno)
    /// The launched child could not set up its seccomp filter.
    case cannotInstallFilter(FilterStep, errno: Errno)
    /// libseccomp refused to build the filter: the function that failed, and its errno.
    case cannotBuildFilter(function: String, errno: Errno)
    /// Something the tracer needs could not be made.
    case cannotStart(Resource, errno: Errno)
    /// `IPCW_MAX_WAKERS` traces already run in this process.
    case tooManyTraces(limit: Int)
    /// The launched child ended before its exec without saying why.
    case commandEndedBeforeExec(TerminationStatus)
    /// `PTRACE_SEIZE` of the launched child failed.
    case cannotSeize(pid: Int32, errno: Errno)
    /// `waitpid` failed with an error other than EINTR.
    case waitFailed(errno: Errno)
    /// A process could not be attached to (`-p`): the reason names the likely cause.
    case cannotAttach(pid: Int32, reason: String)
    /// A file could not be opened for writing.
    case cannotOpen(path: String, errno: Errno)
    /// The request itself is unusable (no command, no process).
    case invalidRequest(String)

    /// The one-line message for the user, without the `ipcwatch:` prefix.
    public var description: String {
        switch self {
        case .cannotRun(let command, let errno): "cannot run '\(command)': \(errno.message)"
        case .cannotInstallFilter(let step, let errno): "cannot \(step.rawValue) in the child: \(errno.message)"
        case .cannotBuildFilter(let function, let errno): "seccomp filter: \(function): \(errno.message)"
        case .cannotStart(let resource, let errno): "cannot create the tracer's \(resource.rawValue): \(errno.message)"
        case .tooManyTraces(let limit): "too many traces at once in this process (at most \(limit))"
        case .commandEndedBeforeExec(let status): "the command's process ended before its exec (status \(status.shellCode))"
        case .cannotSeize(let pid, let errno): "cannot seize the command's process \(pid): \(errno.message)"
        case .waitFailed(let errno): "waitpid: \(errno.message)"
        case .cannotAttach(let pid, let reason): "cannot attach to process \(pid): \(reason)"
        case .cannotOpen(let path, let errno): "cannot open '\(path)': \(errno.message)"
        case .invalidRequest(let message): message
        }
    }

    /// The exit status a shell would use for this failure.
    public var exitCode: Int32 {
        switch self {
        case .cannotRun(_, let errno): errno == .noSuchFile ? 127 : 126
        default: 1
        }
    }
}
