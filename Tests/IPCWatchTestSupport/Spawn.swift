import Foundation
import Synchronization
import Testing

/// posix_spawn and the exact wait that both ``Support/run(_:executable:environment:directory:mergingOutput:deadline:sourceLocation:)``
/// and ``Child`` use.
///
/// Tests run in parallel, each spawning children: so every descriptor this process opens for a child is
/// close-on-exec, and the child closes everything above 2 besides, or a pipe of one test would leak into
/// another test's child and its reader would wait for an EOF that never comes.
enum Spawn {
    /// How the child's signal mask and dispositions are set.
    enum Signals {
        /// This test runner's signal mask (it blocks several signals, SIGTERM and SIGINT among them).
        case inherited
        /// No signal blocked, as Foundation's Process spawns (ignored signals stay ignored).
        case unblocked
        /// As a shell's foreground job: leading a new process group, nothing blocked, default dispositions.
        case foregroundJob
    }

    /// Spawns `path` with `arguments` (argv[0] included) and descriptors 0, 1 and 2; returns the pid or
    /// the error number.
    static func spawn(_ path: String, arguments: [String], environment: [String: String] = [:],
                      descriptors: (Int32, Int32, Int32), directory: String? = nil,
                      signals: Signals) -> Result<pid_t, Errno> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, descriptors.0, 0)
        posix_spawn_file_actions_adddup2(&actions, descriptors.1, 1)
        posix_spawn_file_actions_adddup2(&actions, descriptors.2, 2)
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        if let directory { posix_spawn_file_actions_addchdir_np(&actions, directory) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        switch signals {
        case .inherited:
            break
        case .unblocked:
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
            posix_spawnattr_setsigmask(&attributes, &none)
        case .foregroundJob:
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            posix_spawnattr_setpgroup(&attributes, 0)
            posix_spawnattr_setsigmask(&attributes, &none)
            posix_spawnattr_setsigdefault(&attributes, &all)
        }

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        return rc == 0 ? .success(pid) : .failure(Errno(rc))
    }

    /// Blocks until child `pid` has exited, without reaping it: until it is reaped its pid cannot be
    /// given to another process, so a ``Watchdog`` can still be disarmed safely.
    static func awaitExit(_ pid: pid_t) {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
    }

    /// Reaps child `pid`: (exit code, false) or (signal, true).
    static func reap(_ pid: pid_t) -> (Int32, Bool) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7f == 0 ? ((status >> 8) & 0xff, false) : (status & 0x7f, true)
    }

    /// A pipe whose both ends are close-on-exec (the spawn's dup2 clears it on the child's copy).
    static func pipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        return pipe2(&fds, O_CLOEXEC) == 0 ? (fds[0], fds[1]) : nil
    }

    /// The command as a test message shows it: its words, long ones shortened to their last path component.
    static func describe(_ arguments: [String]) -> String {
        arguments.map { $0.count > 40 && $0.hasPrefix("/") ? "…/" + ($0.split(separator: "/").last.map(String.init) ?? $0) : $0 }
            .joined(separator: " ")
    }
}

/// An error number, for a spawn that failed.
struct Errno: Error, CustomStringConvertible {
    var code: Int32
    init(_ code: Int32) { self.code = code }
    var description: String { String(cString: strerror(code)) }
}

/// Kills a child that outlives its deadline, so that a broken tracer fails a test instead of hanging it.
final class Watchdog: Sendable {
    private enum State { case armed, fired, disarmed }
    private let state = Mutex(State.armed)
    let deadline: Duration

    init(pid: pid_t, deadline: Duration) {
        self.deadline = deadline
        DispatchQueue.global().asyncAfter(deadline: .now() + deadline.seconds) { [self] in
            state.withLock { state in
                guard state == .armed else { return }
                kill(pid, SIGKILL)
                state = .fired
            }
        }
    }

    /// Call once the child has exited and before it is reaped (so its pid is still its own): true if the
    /// watchdog killed it.
    func disarm() -> Bool {
        state.withLock { state in
            if state == .armed { state = .disarmed }
            return state == .fired
        }
    }
}
