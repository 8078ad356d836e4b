/// The structures the POSIX message queue, splice and futex calls exchange, as the kernel's headers
/// declare them; ``CStruct`` lays them out per ABI.
enum CallStructs {
    /// `struct mq_attr` (<linux/mqueue.h>): `__kernel_long_t`s, so x32 has the 64-bit layout and i386
    /// `compat_mq_attr`. The reserved tail is not read.
    static let messageQueueAttributes = CStruct("mq_attr", [
        .field("mq_flags", .kernelLong), .field("mq_maxmsg", .kernelLong), .field("mq_msgsize", .kernelLong),
        .field("mq_curmsgs", .kernelLong),
    ])

    /// `struct sigevent` (<asm-generic/siginfo.h>) up to its union: `sigev_value` is pointer-sized, the union
    /// holds `sigev_notify_function` and `sigev_notify_attributes` (or `_tid` in the first word).
    static let signalEvent = CStruct("sigevent", [
        .field("sigev_value", .userWord), .field("sigev_signo", .int), .field("sigev_notify", .int),
        .field("sigev_notify_function", .userWord), .field("sigev_notify_attributes", .userWord),
    ])

    /// `struct iovec` (<linux/uio.h>), `compat_iovec` for 32-bit callers.
    static let ioVector = CStruct("iovec", [.field("iov_base", .userWord), .field("iov_len", .userWord)])

    /// `struct timespec` of the pre-time64 entries: `__kernel_old_time_t` and `long` (8 bytes on i386).
    static let timespec = CStruct("timespec", [.field("tv_sec", .kernelLong), .field("tv_nsec", .kernelLong)])

    /// `struct __kernel_timespec`: two 64-bit fields on every ABI (i386's `*_time64` entries).
    static let timespec64 = CStruct("__kernel_timespec", [.field("tv_sec", .longLong), .field("tv_nsec", .longLong)])

    /// `loff_t`, `int` and pointers behind pointers (splice offsets, futex words, get_robust_list's results).
    static let offset = CStruct("loff_t", [.field("value", .longLong)])
    static let unsignedInt = CStruct("unsigned int", [.field("value", .unsignedInt)])
    static let pointer = CStruct("void *", [.field("value", .userWord)])
    static let sizeT = CStruct("size_t", [.field("value", .userWord)])
}
