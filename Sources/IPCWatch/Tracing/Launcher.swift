import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Starts a command under ptrace with the seccomp filter: the child (`clone(CLONE_VM)`: it shares our memory
/// until its exec, so neither side copies or faults in the other's pages) waits on a socket, we
/// `PTRACE_SEIZE` it (a seize needs no stop) and release it, then it installs the filter and execs. strace `--seccomp-bpf`
/// has its child stop itself instead, which costs four more round trips between the two processes
/// (the stop, the group-stop after SIGCONT, its listen, the SIGCONT's delivery) before the exec.
/// One call: ``launch(_:options:signals:)``.
enum Launcher {
    /// Seize options of every launched tree. `EXITKILL`: if the tracer dies, the tracees die with it
    /// rather than run on with a filter whose `RET_TRACE` would fail their IPC calls with ENOSYS.
    static let options: Ptrace.Options = [.traceSysGood, .traceSeccomp, .traceFork, .traceVfork, .traceClone,
                                          .traceExec, .exitKill]

    /// Pins the calling thread if asked, builds the filter, starts, seizes and releases the child, and
    /// waits until it has exec'd `command`. Returns the command's pid, stopped at its exec event (not yet
    /// resumed: the trace loop takes it from there). The command starts with `signals`. A command that cannot be run throws, with nothing
    /// left behind.
    static func launch(_ command: [String], options: TraceOptions, signals: CommandSignalState) throws(IPCWatchError) -> pid_t {
        precondition(!command.isEmpty)
        if options.sameCPU {
            let cpu = ipcw_pin_to_current_cpu()
            if cpu < 0 { throw .cannotStart(.cpuPinning, errno: Errno(rawValue: -cpu)) }
        }
        let filter = try SeccompFilter(tracing: SyscallTable.standard.entries.filter(options.traps),
                                       dataFlow: options.dataFlow)
        var pipeFDs: [Int32] = [-1, -1]
        guard ipcw_pipe_cloexec(&pipeFDs) == 0 else { throw .cannotStart(.errorPipe, errno: .current) }
        defer { close(pipeFDs[0]) }
        var releaseFDs: [Int32] = [-1, -1]
        guard ipcw_release_pair(&releaseFDs) == 0 else {
            close(pipeFDs[1])
            throw .cannotStart(.errorPipe, errno: .current)
        }
        // The child reads what `spawn` hands it until its exec: seize, release and wait inside.
        return try spawn(command, filter: filter, options: options, signals: signals, errorPipe: pipeFDs[1],
                         release: releaseFDs) { pid in
            close(pipeFDs[1])
            close(releaseFDs[0])
            guard pid > 0 else {
                close(releaseFDs[1])
                return .failure(.cannotStart(.process, errno: Errno(rawValue: -pid)))
            }
            do throws(Errno) {
                try Ptrace(tid: pid).seize(options: Self.options)
            } catch {
                abandon(pid)
                close(releaseFDs[1])
                return .failure(.cannotSeize(pid: pid, errno: error))
            }
            _ = ipcw_release(releaseFDs[1])  // it runs to its exec; one gone already ends before it
            close(releaseFDs[1])
            return Result { () throws(IPCWatchError) in try waitForExec(pid, command: command[0], errorPipe: pipeFDs[0]) }
        }.get()
    }

    /// The child runs towards its exec: signals sent to it meanwhile are delivered, nothing else stops it.
    /// Ends at its exec event, or reads from the error pipe why it exited first.
    private static func waitForExec(_ pid: pid_t, command: String, errorPipe: Int32) throws(IPCWatchError) -> pid_t {
        while true {
            var raw: Int32 = 0
            guard waitpid(pid, &raw, __WALL) >= 0 else {
                if errno == EINTR { continue }
                let error = Errno.current
                abandon(pid)
                throw .waitFailed(errno: error)
            }
            let ptrace = Ptrace(tid: pid)
            do {
                switch try Stop(WaitStatus(rawValue: raw), eventMessage: ptrace.eventMessage) {
                case .exec: return pid
                case .ended(let status):
                    throw failure(from: errorPipe, command: command) ?? .commandEndedBeforeExec(status)
                case .signalDelivery(let signal): try ptrace.cont(signal: signal)
                case .groupStop: try ptrace.listen()
                default: try ptrace.cont()
                }
            } catch let error as IPCWatchError {
                throw error
            } catch {
                continue  // ESRCH: killed meanwhile; its end comes next
            }
        }
    }

    /// Starts the child that waits to be released, installs `filter`, and execs `command`, and runs `body`
    /// with its pid (or -errno), which must return only once the child has exec'd or ended: until then it
    /// reads the memory handed to it here.
    private static func spawn(_ command: [String], filter: SeccompFilter, options: TraceOptions, signals: CommandSignalState,
                              errorPipe: Int32, release: [Int32],
                              body: (pid_t) -> Result<pid_t, IPCWatchError>) -> Result<pid_t, IPCWatchError> {
        // Unprivileged callers need no_new_privs for PR_SET_SECCOMP; root keeps setuid semantics.
        let setNoNewPrivs: Int32 = geteuid() == 0 ? 0 : 1
        var ignored = signals.ignored ?? 0
        var mask = signals.mask ?? sigset_t()
        let groups = options.commandIdentity?.groups ?? []
        return withCStrings(command) { argv in
            filter.program.withUnsafeBytes { program in
                withUnsafePointer(to: &ignored) { ignoredPointer in
                    withUnsafePointer(to: &mask) { maskPointer in
                        groups.withUnsafeBufferPointer { groupList in
                            var identity = options.commandIdentity.map {
                                ipcw_identity(uid: $0.userID, gid: $0.groupID, group_count: Int32(groupList.count),
                                              groups: groupList.baseAddress)
                            } ?? ipcw_identity()
                            return withUnsafePointer(to: &identity) { identityPointer in
                                var launch: UnsafeMutableRawPointer?
                                let pid = ipcw_launch_stopped(argv[0], argv.baseAddress, program.baseAddress, UInt16(filter.instructionCount),
                                                              setNoNewPrivs, errorPipe, release,
                                                              signals.ignored == nil ? nil : ignoredPointer,
                                                              signals.mask == nil ? nil : maskPointer,
                                                              options.inheritedDescriptors == .standardStreams ? 1 : 0,
                                                              options.commandIdentity == nil ? nil : identityPointer, &launch)
                                defer { ipcw_launch_finish(launch) }
                                return body(pid)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Why the child exited before exec, if it said so.
    private static func failure(from errorPipe: Int32, command: String) -> IPCWatchError? {
        var failure = ipcw_launch_failure()
        let n = withUnsafeMutableBytes(of: &failure) { read(errorPipe, $0.baseAddress, $0.count) }
        guard n == MemoryLayout<ipcw_launch_failure>.size else { return nil }
        let errno = Errno(rawValue: failure.error)
        switch Int(failure.stage) {
        case Int(IPCW_STAGE_NO_NEW_PRIVS): return .cannotInstallFilter(.noNewPrivileges, errno: errno)
        case Int(IPCW_STAGE_SECCOMP): return .cannotInstallFilter(.seccomp, errno: errno)
        default: return .cannotRun(command: command, errno: errno)
        }
    }

    /// Kills and reaps `pid`: once this returns, no launched child runs on the memory handed to it.
    private static func abandon(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, __WALL) < 0 && errno == EINTR {}
    }

    /// A NULL-terminated `char *argv[]` valid for the duration of `body`.
    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer(body)
    }
}

/// The signal state a launched command starts with. A command must start as it would untraced, not with
/// what the tracer set for itself (an ignored SIGINT, a blocked SIGCHLD).
package struct CommandSignalState: Sendable {
    /// The signals to leave ignored (bit `sig - 1`), nil for those ignored at fork time.
    package var ignored: UInt64?
    /// The signal mask, nil for the forking thread's.
    package var mask: sigset_t?

    /// The calling thread's mask and the process's ignored signals now: what a CLI records before it
    /// changes either.
    package static func current() -> CommandSignalState {
        var mask = sigset_t()
        pthread_sigmask(SIG_SETMASK, nil, &mask)
        return CommandSignalState(ignored: ipcw_ignored_signals(), mask: mask)
    }

    /// The tracer thread's own mask (``Tracer/run(launching:into:)`` runs on the caller's thread).
    static let forkingThread = CommandSignalState(ignored: nil, mask: nil)
    /// An empty mask: ``TraceSession``'s tracer thread blocks every signal, which no command should inherit.
    static let emptyMask = CommandSignalState(ignored: nil, mask: sigset_t())
}
