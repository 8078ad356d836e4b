/// Why tracing could not start or continue. Each case renders as one line for the user.
public enum IPCWatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The command could not be executed (`execvp` failed): exit 127, or 126 when not executable.
    case cannotRun(command: String, errno: Errno)
    /// The child could not set up its seccomp filter or no_new_privs.
    case cannotInstallFilter(step: String, errno: Errno)
    /// fork, ptrace or another system call of the tracer failed.
    case system(call: String, errno: Errno)
    /// libseccomp refused to build the filter.
    case filter(String)
    /// A process could not be attached to (`-p`): the reason names the likely cause.
    case cannotAttach(pid: Int32, reason: String)
    /// A name given to `-e` is neither an event nor a set.
    case unknownEvent(String)
    /// The request itself is unusable (no command, no process).
    case invalidRequest(String)

    /// The one-line message for the user, without the `ipcwatch:` prefix.
    public var description: String {
        switch self {
        case .cannotRun(let command, let errno): "cannot run '\(command)': \(errno.message)"
        case .cannotInstallFilter(let step, let errno): "cannot \(step) in the child: \(errno.message)"
        case .system(let call, let errno): "\(call): \(errno.message)"
        case .filter(let message): "seccomp filter: \(message)"
        case .cannotAttach(let pid, let reason): "cannot attach to process \(pid): \(reason)"
        case .invalidRequest(let message): message
        case .unknownEvent(let name):
            "unknown event '\(name)'; valid events: \(Syscall.allCases.map(\.rawValue).joined(separator: ", "));"
                + " sets: \(EventSelection.sets.keys.sorted().joined(separator: ", "))"
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
