/// The x86_64 calls a thread can block in, by number (`/proc/TID/syscall` gives the number; the watched
/// IPC calls also come from the trace's own in-progress calls), and what each waits on. An i386 or x32
/// task's numbers are first turned into x86_64 ones (``canonical(_:_:abi:)``).
enum BlockingCall {
    /// A call as the x86_64 tables number it, with its arguments in x86_64's order, and its own name.
    struct Call {
        var number: Int
        var name: String
        var arguments: [UInt64]
    }

    /// `number` and `arguments` as `/proc/TID/syscall` gives them for a task of `abi`, in x86_64 terms.
    static func canonical(_ number: Int, _ arguments: [UInt64], abi: SyscallABI) -> Call {
        if number & SyscallABI.x32Bit != 0 {
            let plain = number & ~SyscallABI.x32Bit
            let same = x32Specific[plain] ?? plain
            return Call(number: same, name: names[same] ?? "syscall_\(number)", arguments: arguments)
        }
        guard abi == .i386 else { return Call(number: number, name: name(number), arguments: arguments) }
        if number == 117, let call = ipcSubcall(arguments) { return call }
        guard let (same, name) = i386[number] else { return Call(number: -1, name: "syscall_\(number)", arguments: arguments) }
        return Call(number: same, name: name, arguments: arguments)
    }

    /// x32's own entries (512 and up, `unistd_x32.h`) of calls it can block in: their x86_64 numbers.
    static let x32Specific: [Int: Int] = [
        515: 19, 516: 20, 517: 45, 518: 46, 519: 47, 523: 128, 529: 247, 532: 278, 534: 295, 535: 296, 537: 299, 538: 307,
    ]

    /// i386 numbers (`arch/x86/entry/syscalls/syscall_32.tbl`) of the calls known here: the x86_64 number
    /// of the same call (same arguments in the same places) and the i386 name.
    static let i386: [Int: (Int, String)] = [
        0: (219, "restart_syscall"), 3: (0, "read"), 4: (1, "write"), 5: (2, "open"), 7: (61, "waitpid"),
        29: (34, "pause"), 37: (62, "kill"), 114: (61, "wait4"), 142: (23, "_newselect"), 143: (73, "flock"),
        145: (19, "readv"), 146: (20, "writev"), 162: (35, "nanosleep"), 168: (7, "poll"), 177: (128, "rt_sigtimedwait"),
        179: (130, "rt_sigsuspend"), 180: (17, "pread64"), 181: (18, "pwrite64"), 187: (40, "sendfile"),
        238: (200, "tkill"), 239: (40, "sendfile64"), 240: (202, "futex"), 256: (232, "epoll_wait"),
        267: (230, "clock_nanosleep"), 270: (234, "tgkill"), 279: (242, "mq_timedsend"), 280: (243, "mq_timedreceive"),
        284: (247, "waitid"), 295: (257, "openat"), 308: (270, "pselect6"), 309: (271, "ppoll"), 313: (275, "splice"),
        315: (276, "tee"), 316: (278, "vmsplice"), 319: (281, "epoll_pwait"), 333: (295, "preadv"), 334: (296, "pwritev"),
        337: (299, "recvmmsg"), 345: (307, "sendmmsg"), 362: (42, "connect"), 364: (288, "accept4"), 369: (44, "sendto"),
        370: (46, "sendmsg"), 371: (45, "recvfrom"), 372: (47, "recvmsg"),
        393: (64, "semget"), 394: (66, "semctl"), 395: (29, "shmget"), 396: (31, "shmctl"), 397: (30, "shmat"),
        398: (67, "shmdt"), 399: (68, "msgget"), 400: (69, "msgsnd"), 401: (70, "msgrcv"), 402: (71, "msgctl"),
        407: (230, "clock_nanosleep_time64"), 413: (270, "pselect6_time64"), 414: (271, "ppoll_time64"),
        417: (299, "recvmmsg_time64"), 418: (242, "mq_timedsend_time64"), 419: (243, "mq_timedreceive_time64"),
        420: (220, "semtimedop_time64"), 421: (128, "rt_sigtimedwait_time64"), 422: (202, "futex_time64"),
        441: (441, "epoll_pwait2"), 449: (449, "futex_waitv"),
    ]

    /// i386 `ipc(call, first, second, third, ptr, fifth)`: the SysV calls that block, as their own calls
    /// (32-bit glibc makes them so). Version 0 of MSGRCV passes the type in memory: left 0.
    private static func ipcSubcall(_ a: [UInt64]) -> Call? {
        switch a[0] & 0xffff {
        case 1: Call(number: 65, name: "semop", arguments: [a[1], a[4], a[2], 0, 0, 0])
        case 4: Call(number: 220, name: "semtimedop", arguments: [a[1], a[4], a[2], a[5], 0, 0])
        case 11: Call(number: 69, name: "msgsnd", arguments: [a[1], a[4], a[2], a[3], 0, 0])
        case 12 where a[0] >> 16 == 1: Call(number: 70, name: "msgrcv", arguments: [a[1], a[4], a[2], a[5], a[3], 0])
        case 12: Call(number: 70, name: "msgrcv", arguments: [a[1], 0, a[2], 0, a[3], 0])
        default: nil
        }
    }
    /// What a call waits on, from its arguments.
    enum Wait {
        /// Data to read from a descriptor (`fd` argument index).
        case read(fdArgument: Int)
        /// Room to write into a descriptor.
        case write(fdArgument: Int)
        /// Either end of a splice or tee: the input empty or the output full.
        case transfer(input: Int, output: Int)
        case poll, select, semaphore, messageReceive, messageSend, queueReceive, queueSend, child, futex, sleep
        case other
    }

    static let names: [Int: String] = [
        0: "read", 1: "write", 2: "open", 7: "poll", 17: "pread64", 18: "pwrite64", 19: "readv", 20: "writev",
        23: "select", 34: "pause", 62: "kill", 200: "tkill", 234: "tgkill", 35: "nanosleep", 40: "sendfile", 42: "connect", 43: "accept", 44: "sendto",
        45: "recvfrom", 46: "sendmsg", 47: "recvmsg", 61: "wait4", 65: "semop", 69: "msgsnd", 70: "msgrcv",
        73: "flock", 128: "rt_sigtimedwait", 130: "rt_sigsuspend", 202: "futex", 220: "semtimedop",
        230: "clock_nanosleep", 232: "epoll_wait", 242: "mq_timedsend", 243: "mq_timedreceive", 247: "waitid",
        257: "openat", 270: "pselect6", 271: "ppoll", 275: "splice", 276: "tee", 278: "vmsplice",
        281: "epoll_pwait", 288: "accept4", 295: "preadv", 296: "pwritev", 299: "recvmmsg", 307: "sendmmsg",
        441: "epoll_pwait2", 449: "futex_waitv", 219: "restart_syscall",
    ]

    /// `restart_syscall`: the kernel resumes a call with a timeout a signal interrupted (nanosleep,
    /// clock_nanosleep, poll with a timeout, a futex wait with one) through it. Under ptrace every signal
    /// interrupts, even an ignored SIGCHLD.
    static let restart = 219

    static func name(_ number: Int) -> String { names[number] ?? "syscall_\(number)" }

    static func wait(_ number: Int) -> Wait {
        switch number {
        case 0, 17, 19, 45, 47, 295, 299, 43, 288: .read(fdArgument: 0)
        case 1, 18, 20, 44, 46, 296, 307, 278: .write(fdArgument: 0)
        case 40: .write(fdArgument: 0)
        case 275: .transfer(input: 0, output: 2)
        case 276: .transfer(input: 0, output: 1)
        case 7, 271: .poll
        case 23, 270: .select
        case 65, 220: .semaphore
        case 70: .messageReceive
        case 69: .messageSend
        case 243: .queueReceive
        case 242: .queueSend
        case 61, 247: .child
        case 202, 449: .futex
        case 35, 230, 219: .sleep
        default: .other
        }
    }

    /// The call ends by itself (a timeout, a sleep): the thread is not stuck, whatever it waits for.
    static func hasTimeout(_ number: Int, _ arguments: [UInt64]) -> Bool {
        switch number {
        case 35, 230, 219: true                               // nanosleep, clock_nanosleep, restart_syscall
        case 7: Int32(truncatingIfNeeded: arguments[2]) >= 0  // poll(fds, n, timeout ms)
        case 271: arguments[2] != 0                           // ppoll(fds, n, timespec *)
        case 441: arguments[3] != 0                           // epoll_pwait2
        case 23, 270: arguments[4] != 0                       // select, pselect6
        case 232, 281: Int32(truncatingIfNeeded: arguments[3]) >= 0  // epoll_wait, epoll_pwait
        case 202: [0, 6, 9, 11, 13].contains(arguments[1] & 0x7f) && arguments[3] != 0  // the futex waits' timeout
        case 220: arguments[3] != 0                           // semtimedop
        case 242, 243: arguments[4] != 0                      // mq_timedsend, mq_timedreceive
        case 128: arguments[2] != 0                           // rt_sigtimedwait
        default: false
        }
    }
}
