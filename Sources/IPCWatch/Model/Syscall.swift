/// The syscalls ipcwatch watches, named as the events that report them (Tracee's and strace's names).
public enum Syscall: String, Sendable, Hashable, CaseIterable, Codable {
    /// `pipe(2)` and `pipe2(2)`, which create an anonymous pipe.
    case pipe, pipe2
    /// `splice(2)`, `tee(2)` and `vmsplice(2)`, which move data into, out of and between pipes.
    case splice, tee, vmsplice
    /// The i386 SysV multiplexer; its calls are reported as the subcall they perform.
    case ipc
    /// The System V message queue calls: `msgget(2)`, `msgsnd(2)`, `msgrcv(2)`, `msgctl(2)`.
    case msgget, msgsnd, msgrcv, msgctl
    /// The System V semaphore calls: `semget(2)`, `semop(2)`, `semtimedop(2)`, `semctl(2)`.
    case semget, semop, semtimedop, semctl
    /// The System V shared memory calls: `shmget(2)`, `shmat(2)`, `shmdt(2)`, `shmctl(2)`.
    case shmget, shmat, shmdt, shmctl
    /// The POSIX message queue calls (`mq_overview(7)`).
    case mq_open, mq_unlink, mq_timedsend, mq_timedreceive, mq_notify, mq_getsetattr
    /// `futex(2)` and the robust futex lists (`get_robust_list(2)`).
    case futex, set_robust_list, get_robust_list

    /// The IPC mechanism a syscall belongs to; it groups events into sets (`-e %msg`) and picks `*ctl` layouts.
    public enum Family: String, Sendable, CaseIterable {
        /// Pipes (and splicing), SysV message queues, semaphores, shared memory, the `ipc(2)` multiplexer,
        /// POSIX message queues, futexes.
        case pipe, msg, sem, shm, ipc, mq, futex
    }

    /// The mechanism this syscall belongs to.
    public var family: Family {
        switch self {
        case .pipe, .pipe2, .splice, .tee, .vmsplice: .pipe
        case .ipc: .ipc
        case .msgget, .msgsnd, .msgrcv, .msgctl: .msg
        case .semget, .semop, .semtimedop, .semctl: .sem
        case .shmget, .shmat, .shmdt, .shmctl: .shm
        case .mq_open, .mq_unlink, .mq_timedsend, .mq_timedreceive, .mq_notify, .mq_getsetattr: .mq
        case .futex, .set_robust_list, .get_robust_list: .futex
        }
    }

    /// A call that can wait for another process: a message, a semaphore, a futex, room or data in a pipe
    /// (`ipc(2)`: see ``IPCMultiplexer/mayBlock(_:)``). The others return at once.
    var mayBlock: Bool {
        switch self {
        case .msgsnd, .msgrcv, .semop, .semtimedop, .mq_timedsend, .mq_timedreceive, .futex, .splice, .tee, .vmsplice: true
        default: false
        }
    }

    /// A System V call (or the multiplexer that reaches them on i386).
    var isSystemV: Bool { [.msg, .sem, .shm, .ipc].contains(family) }

    /// Tracee's event sets this event belongs to (besides "syscalls"), as ``TraceeSchema`` defines them.
    public var traceeSets: [String] { TraceeSchema.definition(self).sets.filter { $0 != "syscalls" } }

    /// What is traced without `-e`: pipes and splicing, SysV (with i386's `ipc`) and POSIX message queues.
    /// Futexes and the robust lists only when selected: every contended mutex is a futex call, and trapping
    /// them would slow a program's ordinary work down.
    public static let defaultSelection: Set<Syscall> = Set(allCases.filter { $0.family != .futex })
}
