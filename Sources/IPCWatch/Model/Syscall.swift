/// The syscalls ipcwatch watches, named as the events that report them (Tracee's and strace's names).
public enum Syscall: String, Sendable, Hashable, CaseIterable, Codable {
    case pipe, pipe2
    /// The i386 SysV multiplexer; its calls are reported as the subcall they perform.
    case ipc
    case msgget, msgsnd, msgrcv, msgctl
    case semget, semop, semtimedop, semctl
    case shmget, shmat, shmdt, shmctl

    public enum Family: String, Sendable, CaseIterable {
        case pipe, msg, sem, shm, ipc
    }

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
