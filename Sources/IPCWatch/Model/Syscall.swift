/// The syscalls ipcwatch watches, named as the events that report them (Tracee's and strace's names).
public enum Syscall: String, Sendable, Hashable, CaseIterable, Codable {
    /// `pipe(2)` and `pipe2(2)`, which create an anonymous pipe.
    case pipe, pipe2
    /// The i386 SysV multiplexer; its calls are reported as the subcall they perform.
    case ipc
    /// The System V message queue calls: `msgget(2)`, `msgsnd(2)`, `msgrcv(2)`, `msgctl(2)`.
    case msgget, msgsnd, msgrcv, msgctl
    /// The System V semaphore calls: `semget(2)`, `semop(2)`, `semtimedop(2)`, `semctl(2)`.
    case semget, semop, semtimedop, semctl
    /// The System V shared memory calls: `shmget(2)`, `shmat(2)`, `shmdt(2)`, `shmctl(2)`.
    case shmget, shmat, shmdt, shmctl

    /// The IPC mechanism a syscall belongs to; it groups events into sets (`-e msg`) and picks `*ctl` layouts.
    public enum Family: String, Sendable, CaseIterable {
        /// Pipes, message queues, semaphores, shared memory, and the `ipc(2)` multiplexer itself.
        case pipe, msg, sem, shm, ipc
    }

    /// The mechanism this syscall belongs to.
    public var family: Family {
        switch self {
        case .pipe, .pipe2: .pipe
        case .ipc: .ipc
        case .msgget, .msgsnd, .msgrcv, .msgctl: .msg
        case .semget, .semop, .semtimedop, .semctl: .sem
        case .shmget, .shmat, .shmdt, .shmctl: .shm
        }
    }

    /// Tracee's event sets this event belongs to (besides "syscalls").
    public var traceeSets: [String] {
        switch family {
        case .pipe: ["ipc", "ipc_pipe"]
        case .msg: ["ipc", "ipc_msgq"]
        case .sem: ["ipc", "ipc_sem"]
        case .shm: ["ipc", "ipc_shm"]
        case .ipc: ["ipc"]
        }
    }
}
