/// A signal seen at a tracee's stop: about to be delivered (a signal-delivery stop, with its `siginfo_t`),
/// or stopping the thread (a group-stop). strace prints these as `--- SIGCHLD {…} ---` and
/// `--- stopped by SIGSTOP ---`.
public struct SignalDelivery: Sendable, Hashable {
    /// What happened at the stop.
    public enum Kind: Sendable, Hashable {
        /// The signal is delivered now (and was handed on unchanged), with what the kernel said of it.
        case delivered(SignalInfo)
        /// The thread entered a group-stop because of this stop signal.
        case stopped
    }

    /// Wall clock at the stop, ns since the epoch.
    public let timestamp: UInt64
    public let processID: Int32
    public let threadID: Int32
    /// The signal number.
    public let signal: Int32
    public let kind: Kind

    public init(timestamp: UInt64, processID: Int32, threadID: Int32, signal: Int32, kind: Kind) {
        self.timestamp = timestamp
        self.processID = processID
        self.threadID = threadID
        self.signal = signal
        self.kind = kind
    }
}

/// The `siginfo_t` fields strace prints. Which of them mean something depends on the signal and its
/// `code` (the kernel's union): the text output picks them as strace's `printsiginfo.c` does.
public struct SignalInfo: Sendable, Hashable {
    public var signo: Int32 = 0
    public var errno: Int32 = 0
    /// `si_code`: ≤ 0 sent by a process (`SI_USER`, `SI_TKILL`, `SI_QUEUE`…), > 0 by the kernel.
    public var code: Int32 = 0
    public var pid: Int32 = 0
    public var uid: UInt32 = 0
    public var status: Int32 = 0
    public var utime: Int64 = 0
    public var stime: Int64 = 0
    public var address: UInt64 = 0
    public var intValue: Int32 = 0
    public var pointer: UInt64 = 0
    public var band: Int64 = 0
    public var fd: Int32 = 0
    public var timerID: Int32 = 0
    public var overrun: Int32 = 0
    public var callAddress: UInt64 = 0
    public var syscall: Int32 = 0
    public var arch: UInt32 = 0

    public init() {}
}
