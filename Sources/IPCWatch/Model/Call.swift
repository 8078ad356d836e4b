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
    /// `sem_num`: the semaphore's index in the set.
    public var number: UInt16
    /// `sem_op`: added to the semaphore's value; 0 waits until the value is zero.
    public var operation: Int16
    /// `sem_flg`: `IPC_NOWAIT`, `SEM_UNDO`.
    public var flags: Int16
}

/// A `struct timespec` read from the tracee.
public struct TimeSpec: Sendable, Hashable, Codable {
    /// `tv_sec`.
    public var seconds: Int64
    /// `tv_nsec`.
    public var nanoseconds: Int64
}

/// A `struct msgbuf`: the type and the first bytes of the text.
public struct MessageBuffer: Sendable, Hashable {
    /// `mtype`: the message type `msgrcv(2)` selects by.
    public var type: Int64
    /// Where `mtext` starts (after `mtype`, a long of the caller's ABI).
    public var textAddress: TraceeAddress
    /// At most the string limit (`-s`) bytes of `mtext`; nil when they could not be read (strace shows
    /// `mtext=` with the address then).
    public var text: Read<[UInt8]>
    /// `msgsz` was larger than `text`.
    public var truncated: Bool
}

/// Contents the decoder read from the tracee, when the pointer was readable: nil otherwise.
public typealias Read<T> = T?

/// A watched syscall with its decoded arguments. Pointers keep their address; what they point to is
/// read (at syscall exit) where strace shows it.
public enum Call: Sendable, Hashable {
    /// `pipe(2)`: the fds the kernel stored in `pipefd`.
    case pipe(PipeEnds)
    /// `pipe2(2)`: the fds and the `O_*` flags (``PipeFlags``).
    case pipe2(PipeEnds, flags: UInt32)
    /// `msgget(2)`: the key (`IPC_PRIVATE` is 0) and `msgflg` (``IPCGetFlags``).
    case msgget(key: Int32, flags: Int32)
    /// `msgsnd(2)`: `message` is the `struct msgbuf` at `msgp`.
    case msgsnd(msqid: Int32, msgp: TraceeAddress, message: Read<MessageBuffer>, msgsz: UInt64, flags: Int32)
    /// `msgrcv(2)`: `message` is what the kernel stored at `msgp`, read only when the call succeeded.
    case msgrcv(msqid: Int32, msgp: TraceeAddress, message: Read<MessageBuffer>, msgsz: UInt64, msgtyp: Int64,
                flags: Int32)
    /// `contents`: the structure at `buf` where strace shows it (IPC_STAT, IPC_SET, IPC_INFO…).
    case msgctl(msqid: Int32, command: Int32, buf: TraceeAddress, contents: Read<DecodedStruct>)
    /// `semget(2)`: the key, the number of semaphores and `semflg` (``IPCGetFlags``).
    case semget(key: Int32, nsems: Int32, flags: Int32)
    /// `semop(2)`: `operations` is the `struct sembuf` array at `sops`, at most the string limit of them.
    case semop(semid: Int32, sops: TraceeAddress, operations: Read<ArrayEntries<SemaphoreOperation>>, nsops: UInt64)
    /// `semtimedop(2)`: like `semop`, with the `struct timespec` at `timeout` (NULL waits forever).
    case semtimedop(semid: Int32, sops: TraceeAddress, operations: Read<ArrayEntries<SemaphoreOperation>>, nsops: UInt64,
                    timeout: TraceeAddress, timeoutValue: Read<TimeSpec>)
    /// `argByReference`: the call came through `ipc(2)`, which passes the `semun` by reference.
    case semctl(semid: Int32, semnum: Int32, command: Int32, arg: UInt64, argByReference: Bool,
                contents: Read<DecodedStruct>)
    /// `shmget(2)`: the key, the segment size and `shmflg` (``IPCGetFlags``, `SHM_HUGETLB`…).
    case shmget(key: Int32, size: UInt64, flags: Int32)
    /// `shmat(2)`: the requested address (0 lets the kernel choose) and `SHM_*` flags.
    case shmat(shmid: Int32, shmaddr: TraceeAddress, flags: Int32)
    /// `shmdt(2)`: the address of the segment to detach.
    case shmdt(shmaddr: TraceeAddress)
    /// `shmctl(2)`: `contents` is the structure at `buf` where strace shows it (IPC_STAT, IPC_SET, SHM_INFO…).
    case shmctl(shmid: Int32, command: Int32, buf: TraceeAddress, contents: Read<DecodedStruct>)
    /// An `ipc(2)` call whose subcall number is unknown: only the raw arguments.
    case ipc(MultiplexedCall)
    /// `splice(2)`: the offsets' values as they were on entry (nil for NULL or unreadable), `SPLICE_F_*` flags.
    case splice(fdIn: Int32, offIn: TraceeAddress, offInValue: Read<Int64>, fdOut: Int32, offOut: TraceeAddress,
                offOutValue: Read<Int64>, length: UInt64, flags: UInt32)
    /// `tee(2)`.
    case tee(fdIn: Int32, fdOut: Int32, length: UInt64, flags: UInt32)
    /// `vmsplice(2)`: `vectors` is the `struct iovec` array at `iov`, at most the string limit of them.
    case vmsplice(fd: Int32, iov: TraceeAddress, vectors: Read<ArrayEntries<IOVector>>, count: UInt64, flags: UInt32)
    /// `mq_open(3)`'s syscall: the name, `O_*` flags, and with `O_CREAT` the mode and the `struct mq_attr`.
    case mqOpen(name: TraceeAddress, nameText: Read<[UInt8]>, flags: Int32, mode: UInt32, attr: TraceeAddress,
                attributes: Read<MessageQueueAttributes>)
    /// `mq_unlink(3)`.
    case mqUnlink(name: TraceeAddress, nameText: Read<[UInt8]>)
    /// `mq_timedsend(3)` (also `mq_send`): the message text, its priority and the absolute timeout.
    case mqTimedsend(mqdes: Int32, message: TraceeAddress, text: Read<TraceeText>, length: UInt64, priority: UInt32,
                     timeout: TraceeAddress, timeoutValue: Read<TimeSpec>)
    /// `mq_timedreceive(3)`: the text received and its priority, read only when the call succeeded.
    case mqTimedreceive(mqdes: Int32, message: TraceeAddress, text: Read<TraceeText>, length: UInt64,
                        priority: TraceeAddress, priorityValue: Read<UInt32>, timeout: TraceeAddress,
                        timeoutValue: Read<TimeSpec>)
    /// `mq_notify(3)`: the `struct sigevent` (NULL unregisters).
    case mqNotify(mqdes: Int32, sevp: TraceeAddress, event: Read<SignalEvent>)
    /// `mq_getsetattr(2)` (`mq_getattr`/`mq_setattr`): the new attributes, and the old ones the kernel stored.
    case mqGetsetattr(mqdes: Int32, newattr: TraceeAddress, newValue: Read<MessageQueueAttributes>,
                      oldattr: TraceeAddress, oldValue: Read<MessageQueueAttributes>)
    /// `futex(2)`: `timeout` is the raw fourth argument (a pointer, or `val2` for the requeue and wake-op
    /// operations); `timeoutValue` the `struct timespec` for the operations that take one.
    case futex(uaddr: TraceeAddress, operation: Int32, value: UInt32, timeout: UInt64, timeoutValue: Read<TimeSpec>,
               uaddr2: TraceeAddress, value3: UInt32)
    /// `set_robust_list(2)`.
    case setRobustList(head: TraceeAddress, length: UInt64)
    /// `get_robust_list(2)`: the head and length the kernel stored, read only when the call succeeded.
    case getRobustList(pid: Int32, headPointer: TraceeAddress, head: Read<UInt64>, lengthPointer: TraceeAddress,
                       length: Read<UInt64>)

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
        case .splice: .splice
        case .tee: .tee
        case .vmsplice: .vmsplice
        case .mqOpen: .mq_open
        case .mqUnlink: .mq_unlink
        case .mqTimedsend: .mq_timedsend
        case .mqTimedreceive: .mq_timedreceive
        case .mqNotify: .mq_notify
        case .mqGetsetattr: .mq_getsetattr
        case .futex: .futex
        case .setRobustList: .set_robust_list
        case .getRobustList: .get_robust_list
        }
    }

    /// The descriptors data moves between in `splice`, `tee` (in, out) and `vmsplice` (the pipe).
    public var spliceFDs: [Int32]? {
        switch self {
        case .splice(let fdIn, _, _, let fdOut, _, _, _, _), .tee(let fdIn, let fdOut, _, _): [fdIn, fdOut]
        case .vmsplice(let fd, _, _, _, _): [fd]
        default: nil
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
    /// `call`: the subcall number in the low 16 bits, the version in the high 16.
    public var call: UInt32
    /// `first`: usually the IPC id or key.
    public var first: Int32
    /// `second`: the subcall's second argument.
    public var second: UInt64
    /// `third`: the subcall's third argument.
    public var third: UInt64
    /// `ptr`: the subcall's pointer argument (a buffer, `sembuf` array or `semun`).
    public var ptr: TraceeAddress
    /// `fifth`: `msgtyp` for version-1 `msgrcv`, the timeout for `semtimedop`.
    public var fifth: Int64

    /// `call >> 16`, which selects the msgrcv argument layout.
    public var version: UInt32 { call >> 16 }
    /// The subcall number (`SEMOP` 1 … `SHMCTL` 24).
    public var subcall: UInt32 { call & 0xffff }
}

/// How a syscall returned.
public enum SyscallResult: Sendable, Hashable {
    /// The call succeeded with this return value.
    case success(Int64)
    /// The call failed with this errno (the kernel returned its negation).
    case failure(Errno)
    /// The call had not returned when the trace lost the thread: only its entry is known (strace's
    /// `<detached ...>` and `<unfinished ...>`). Tracee has no such event: the JSON output leaves it out.
    case unfinished(Unfinished)

    /// Why a call has no result.
    public enum Unfinished: Sendable, Hashable {
        /// The trace detached from the thread during the call, which goes on untraced (`-e status=detached`).
        case detached
        /// The thread ended during the call: killed, or its process exited or exec'd from another thread
        /// (`-e status=unfinished`).
        case threadEnded
        /// The call has not returned yet: a ``TraceRecord/blocking(_:)`` record's event. Its own event follows.
        case inProgress
    }

    /// The raw return value, negative errno on failure (Tracee's `returnValue`); 0 for an unfinished call,
    /// which returned nothing.
    public var rawValue: Int64 {
        switch self {
        case .success(let value): value
        case .failure(let errno): -Int64(errno.rawValue)
        case .unfinished: 0
        }
    }

    /// True for ``unfinished(_:)``.
    public var isUnfinished: Bool { if case .unfinished = self { true } else { false } }

    /// True for ``success(_:)``.
    public var isSuccess: Bool { if case .success = self { true } else { false } }
}
