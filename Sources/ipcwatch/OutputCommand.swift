import CSupport
import IPCWatch
#if canImport(Glibc)
import Glibc
#endif

/// strace's `-o '|command'` (and `-o '!command'`): the events are written to `sh -c command`'s standard
/// input. The shell is started by a helper thread that then waits for it: the tracer waits with
/// `__WNOTHREAD`, so a child of another thread is never reaped by it nor taken for a tracee. ipcwatch
/// ends only after the command has read everything (``finish()``).
final class OutputCommand {
    /// The write end of the pipe (close-on-exec: the traced command never holds it).
    let fd: Int32
    private var thread: pthread_t?

    /// The helper's result: the shell's pid, or the errno of posix_spawn.
    private final class Spawn: @unchecked Sendable {
        let command: String
        let readEnd: Int32
        var ready = sem_t()
        var error: Int32 = 0
        init(command: String, readEnd: Int32) {
            self.command = command
            self.readEnd = readEnd
            sem_init(&ready, 0, 0)
        }
    }

    init(command: String) throws(IPCWatchError) {
        var ends: [Int32] = [0, 0]
        guard ipcw_pipe_cloexec(&ends) == 0 else { throw .cannotOpen(path: "|" + command, errno: Errno(rawValue: errno)) }
        fd = ends[1]
        let spawn = Spawn(command: command, readEnd: ends[0])
        let context = Unmanaged.passRetained(spawn).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { context in
            let spawn = Unmanaged<Spawn>.fromOpaque(context!).takeRetainedValue()
            let pid = OutputCommand.start(spawn.command, stdin: spawn.readEnd)
            close(spawn.readEnd)
            if pid < 0 { spawn.error = -pid }
            sem_post(&spawn.ready)
            if pid > 0 {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            }
            return nil
        }, context)
        guard created == 0 else { throw .cannotOpen(path: "|" + command, errno: Errno(rawValue: created)) }
        self.thread = thread
        while sem_wait(&spawn.ready) != 0 && errno == EINTR {}
        if spawn.error != 0 { throw .cannotOpen(path: "|" + command, errno: Errno(rawValue: spawn.error)) }
    }

    /// `sh -c command` with `stdin` as its standard input and default signal dispositions; the pid, or
    /// minus the errno.
    private static func start(_ command: String, stdin: Int32) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, STDIN_FILENO)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP] { sigaddset(&defaults, signal) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let words: [String] = ["sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { (word: String) in strdup(word) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let error = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        return error == 0 ? pid : -error
    }

    /// Closes the pipe (the command sees the end of its input) and waits until the command has ended.
    func finish() {
        close(fd)
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }
}
