/// The x86_64 calls a thread can block in, by number (`/proc/TID/syscall` gives the number; the watched
/// IPC calls also come from the trace's own in-progress calls), and what each waits on.
enum BlockingCall {
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
