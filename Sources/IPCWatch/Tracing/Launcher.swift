import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Starts a command under ptrace with the seccomp filter, as strace `--seccomp-bpf` does:
/// the child stops itself, we `PTRACE_SEIZE` it, then it installs the filter and execs.
struct Launcher {
    /// Seize options of every launched tree. `EXITKILL`: if the tracer dies, the tracees die with it
    /// rather than run on with a filter whose `RET_TRACE` would fail their IPC calls with ENOSYS.
    static let options: Ptrace.Options = [.traceSysGood, .traceSeccomp, .traceFork, .traceVfork, .traceClone,
                                          .traceExec, .exitKill]

    struct Launched {
        let pid: pid_t
        /// Read end of the error pipe: EOF once exec succeeded, an `ipcw_launch_failure` otherwise.
        let errorPipe: Int32
    }

    /// Forks, seizes and releases `command`; returns once the child runs towards its exec.
    static func launch(_ command: [String], filter: SeccompFilter, descriptors: TraceOptions.InheritedDescriptors)
        throws(IPCWatchError) -> Launched {
        precondition(!command.isEmpty)
        var pipeFDs: [Int32] = [-1, -1]
        guard ipcw_pipe_cloexec(&pipeFDs) == 0 else { throw .system(call: "pipe2", errno: .current) }
        // Unprivileged callers need no_new_privs for PR_SET_SECCOMP; root keeps setuid semantics.
        let setNoNewPrivs: Int32 = geteuid() == 0 ? 0 : 1

        // The command gets the signal state ipcwatch started with, not the one it set for itself.
        // The tracer thread blocks almost everything: without a recorded mask the command gets an empty one.
        let (originalIgnored, originalMask) = TerminationSignals.originalState
        var ignored = originalIgnored ?? 0
        var mask = originalMask ?? sigset_t()
        let pid: pid_t = withCStrings(command) { argv in
            filter.program.withUnsafeBytes { program in
                withUnsafePointer(to: &ignored) { ignoredPointer in
                    withUnsafePointer(to: &mask) { maskPointer in
                        ipcw_launch_stopped(argv[0], argv, program.baseAddress, UInt16(filter.instructionCount),
                                            setNoNewPrivs, pipeFDs[1], originalIgnored == nil ? nil : ignoredPointer,
                                            maskPointer, descriptors == .standardStreams ? 1 : 0)
                    }
                }
            }
        }
        close(pipeFDs[1])
        guard pid > 0 else {
            close(pipeFDs[0])
            throw .system(call: "fork", errno: Errno(rawValue: -pid))
        }

        var status: Int32 = 0
        while waitpid(pid, &status, WUNTRACED | __WALL) < 0 {
            guard errno == EINTR else {
                let error = Errno.current
                abandon(pid, pipeFDs[0])
                throw .system(call: "waitpid", errno: error)
            }
        }
        guard WaitStatus(rawValue: status).stopped else {
            close(pipeFDs[0])
            throw .system(call: "launch: child ended before exec", errno: .noChild)
        }
        do {
            try Ptrace(tid: pid).seize(options: options)
        } catch {
            abandon(pid, pipeFDs[0])
            throw .system(call: "ptrace(PTRACE_SEIZE)", errno: error)
        }
        kill(pid, SIGCONT)
        return Launched(pid: pid, errorPipe: pipeFDs[0])
    }

    /// Reads why the child exited before exec, if it said so.
    static func failure(from errorPipe: Int32, command: String) -> IPCWatchError? {
        var failure = ipcw_launch_failure()
        let n = withUnsafeMutableBytes(of: &failure) { read(errorPipe, $0.baseAddress, $0.count) }
        guard n == MemoryLayout<ipcw_launch_failure>.size else { return nil }
        let errno = Errno(rawValue: failure.error)
        switch Int(failure.stage) {
        case Int(IPCW_STAGE_NO_NEW_PRIVS): return .cannotInstallFilter(step: "set no_new_privs", errno: errno)
        case Int(IPCW_STAGE_SECCOMP): return .cannotInstallFilter(step: "install the seccomp filter", errno: errno)
        default: return .cannotRun(command: command, errno: errno)
        }
    }

    private static func abandon(_ pid: pid_t, _ errorPipe: Int32) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, __WALL)
        close(errorPipe)
    }

    /// A NULL-terminated `char *argv[]` valid for the duration of `body`.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
