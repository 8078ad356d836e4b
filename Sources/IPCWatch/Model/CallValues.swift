/// A `struct mq_attr` read from the tracee.
public struct MessageQueueAttributes: Sendable, Hashable {
    /// `mq_flags`: `O_NONBLOCK` or 0.
    public var flags: Int64
    /// `mq_maxmsg`: how many messages the queue holds.
    public var maxMessages: Int64
    /// `mq_msgsize`: the largest message.
    public var messageSize: Int64
    /// `mq_curmsgs`: how many messages are queued now.
    public var currentMessages: Int64
}

/// A `struct sigevent`: how `mq_notify(2)` is to notify.
public struct SignalEvent: Sendable, Hashable {
    /// `sigev_value`, the whole union (`sival_ptr`; `sival_int` is its low 32 bits).
    public var value: UInt64
    /// `sigev_signo`.
    public var signal: Int32
    /// `sigev_notify`: `SIGEV_SIGNAL` 0, `SIGEV_NONE` 1, `SIGEV_THREAD` 2, `SIGEV_THREAD_ID` 4.
    public var notify: Int32
    /// `sigev_notify_function` (`SIGEV_THREAD`); its low 32 bits are the thread id for `SIGEV_THREAD_ID`.
    public var function: UInt64
    /// `sigev_notify_attributes` (`SIGEV_THREAD`).
    public var attributes: UInt64
}

/// One `struct iovec` with the first bytes of its buffer.
public struct IOVector: Sendable, Hashable {
    /// `iov_base`.
    public var base: TraceeAddress
    /// `iov_len`.
    public var length: UInt64
    /// At most the string limit (`-s`) bytes of the buffer; nil when unreadable.
    public var data: [UInt8]?
}

/// The entries of an array a call passed, as far as they were read: at most the string limit (`-s`) of them,
/// fewer when the program's memory ended first. Then `unreadable` is the address of the first entry that
/// could not be read, which strace shows after the others (`[{…}, ... /* 0x7f…000 */]`).
public struct ArrayEntries<Element: Sendable & Hashable>: Sendable, Hashable {
    /// The entries read, in order.
    public var entries: [Element]
    /// Where reading stopped short of the limit; nil when it did not.
    public var unreadable: TraceeAddress?

    public init(_ entries: [Element], unreadable: TraceeAddress? = nil) {
        self.entries = entries
        self.unreadable = unreadable
    }
}

/// Bytes read from the tracee, cut at the string limit (`-s`).
public struct TraceeText: Sendable, Hashable {
    /// The bytes shown.
    public var bytes: [UInt8]
    /// There were more than ``bytes``.
    public var truncated: Bool
}
