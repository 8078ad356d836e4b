/// An address in the tracee's memory.
public typealias TraceeAddress = UInt64

/// The two ends of a pipe as the tracee received them, or why they are not known.
public enum PipeEnds: Sendable, Hashable {
    /// `pipefd[0]` (read end) and `pipefd[1]` (write end).
    case fds(read: Int32, write: Int32)
    /// The call failed or the array could not be read: only the pointer is known.
    case pointer(TraceeAddress)
}

/// One `struct sembuf`.
public struct SemaphoreOperation: Sendable, Hashable, Codable {
    public var number: UInt16
    public var operation: Int16
    public var flags: Int16
}

/// A `struct timespec` read from the tracee.
public struct TimeSpec: Sendable, Hashable, Codable {
    public var seconds: Int64
    public var nanoseconds: Int64
}

/// A `struct msgbuf`: the type and the first bytes of the text.
public struct MessageBuffer: Sendable, Hashable {
    public var type: Int64
    /// At most the string limit (`-s`) bytes of `mtext`.
    public var text: [UInt8]
    /// `msgsz` was larger than `text`.
    public var truncated: Bool
}

/// Contents the decoder read from the tracee, when the pointer was readable: nil otherwise.
public typealias Read<T> = T?

/// A watched syscall with its decoded arguments. Pointers keep their address; what they point to is
/// read (at syscall exit) where strace shows it.
public enum Call: Sendable, Hashable {
    case pipe(PipeEnds)
    case pipe2(PipeEnds, flags: UInt32)
    case msgget(key: Int32, flags: Int32)
    case msgsnd(msqid: Int32, msgp: TraceeAddress, message: Read<MessageBuffer>, msgsz: UInt64, flags: Int32)
    case msgrcv(msqid: Int32, msgp: TraceeAddress, message: Read<MessageBuffer>, msgsz: UInt64, msgtyp: Int64,
                flags: Int32)
    /// `contents`: the structure at `buf` where strace shows it (IPC_STAT, IPC_SET, IPC_INFO…).
    case msgctl(msqid: Int32, command: Int32, buf: TraceeAddress, contents: Read<DecodedStruct>)
    case semget(key: Int32, nsems: Int32, flags: Int32)
    case semop(semid: Int32, sops: TraceeAddress, operations: Read<[SemaphoreOperation]>, nsops: UInt64)
    case semtimedop(semid: Int32, sops: TraceeAddress, operations: Read<[SemaphoreOperation]>, nsops: UInt64,
                    timeout: TraceeAddress, timeoutValue: Read<TimeSpec>)
    /// `argByReference`: the call came through `ipc(2)`, which passes the `semun` by reference.
    case semctl(semid: Int32, semnum: Int32, command: Int32, arg: UInt64, argByReference: Bool,
                contents: Read<DecodedStruct>)
    case shmget(key: Int32, size: UInt64, flags: Int32)
    case shmat(shmid: Int32, shmaddr: TraceeAddress, flags: Int32)
    case shmdt(shmaddr: TraceeAddress)
    case shmctl(shmid: Int32, command: Int32, buf: TraceeAddress, contents: Read<DecodedStruct>)
    /// An `ipc(2)` call whose subcall number is unknown: only the raw arguments.
    case ipc(MultiplexedCall)

    /// The syscall this call is (for `ipc(2)`, the subcall).
    public var syscall: Syscall {
        switch self {
        case .pipe: .pipe
        case .pipe2: .pipe2
        case .msgget: .msgget
        case .msgsnd: .msgsnd
        case .msgrcv: .msgrcv
        case .msgctl: .msgctl
        case .semget: .semget
        case .semop: .semop
        case .semtimedop: .semtimedop
        case .semctl: .semctl
        case .shmget: .shmget
        case .shmat: .shmat
        case .shmdt: .shmdt
        case .shmctl: .shmctl
        case .ipc: .ipc
        }
    }

    /// The pipe's fds when this call created one.
    public var pipeEnds: (read: Int32, write: Int32)? {
        switch self {
        case .pipe(.fds(let r, let w)), .pipe2(.fds(let r, let w), _): (r, w)
        default: nil
        }
    }
}

/// The raw arguments of an `ipc(2)` call, kept as Tracee reports them.
public struct MultiplexedCall: Sendable, Hashable {
    public var call: UInt32
    public var first: Int32
    public var second: UInt64
    public var third: UInt64
    public var ptr: TraceeAddress
    public var fifth: Int64

    /// `call >> 16`, which selects the msgrcv argument layout.
    public var version: UInt32 { call >> 16 }
    /// The subcall number (`SEMOP` 1 … `SHMCTL` 24).
    public var subcall: UInt32 { call & 0xffff }
}

/// How a syscall returned.
public enum SyscallResult: Sendable, Hashable {
    case success(Int64)
    case failure(Errno)

    /// The raw return value, negative errno on failure (Tracee's `returnValue`).
    public var rawValue: Int64 {
        switch self {
        case .success(let value): value
        case .failure(let errno): -Int64(errno.rawValue)
        }
    }

    public var isSuccess: Bool { if case .success = self { true } else { false } }
}
