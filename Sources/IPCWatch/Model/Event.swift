/// One completed watched syscall of one thread.
public struct Event: Sendable, Hashable {
    /// Wall-clock time of the syscall's entry (its seccomp or entry stop), nanoseconds since the Unix epoch:
    /// Tracee's `timestamp`. The exit is ``duration`` later.
    public var timestamp: UInt64
    /// The thread group id (what `getpid()` returns in the tracee).
    public var processID: Int32
    /// The thread id (`gettid()`).
    public var threadID: Int32
    /// The parent's process id (`PPid` in `/proc/PID/status`), 0 when it could not be read.
    public var parentProcessID: Int32
    /// The real uid of the process.
    public var userID: UInt32
    /// The `comm` of the thread at the time of the call (after any exec).
    public var processName: String
    /// The ABI the call was made through.
    public var architecture: Architecture
    /// The decoded call; for an `ipc(2)` call, the subcall it performed.
    public var call: Call
    /// The raw `ipc(2)` arguments when the call went through the i386 multiplexer.
    public var multiplexed: MultiplexedCall?
    /// The return value, or the errno the call failed with.
    public var result: SyscallResult
    /// Time between the syscall's seccomp stop and its exit stop, in nanoseconds.
    public var duration: UInt64
    /// For a pipe created by this call: the pipe inode behind each fd (read end, write end), from
    /// `/proc/PID/fd`, which joins the two ends of one pipe across processes. For `splice`, `tee` and
    /// `vmsplice`: the pipe inode behind each of ``Call/spliceFDs``, 0 for a descriptor that is no pipe.
    public var pipeInodes: [UInt64]?
    /// Tracee's description of the task that made the call, with ``TraceOptions/taskContext``; nil otherwise.
    public var task: TaskContext?
    /// Made through an i386 `*_time64` syscall (`semtimedop_time64`, `mq_timedsend_time64`,
    /// `mq_timedreceive_time64`, `futex_time64`): the same event, with 64-bit `struct timespec` fields.
    public var time64: Bool
    /// With ``TraceOptions/resolveDescriptors`` (`-y`): the `/proc` link target of each of
    /// ``Call/descriptors`` (and of `mq_open`'s result) that was open at the exit.
    package var descriptorTargets: DescriptorTargets?

    /// Creates an event from its parts; `pipeInodes` defaults to nil (not looked up).
    public init(timestamp: UInt64, processID: Int32, threadID: Int32, parentProcessID: Int32, userID: UInt32, processName: String,
                architecture: Architecture, call: Call, multiplexed: MultiplexedCall?, result: SyscallResult,
                duration: UInt64, pipeInodes: [UInt64]? = nil, task: TaskContext? = nil, time64: Bool = false) {
        self.time64 = time64
        self.timestamp = timestamp
        self.processID = processID
        self.threadID = threadID
        self.parentProcessID = parentProcessID
        self.userID = userID
        self.processName = processName
        self.architecture = architecture
        self.call = call
        self.multiplexed = multiplexed
        self.result = result
        self.duration = duration
        self.pipeInodes = pipeInodes
        self.task = task
    }

    /// What the kernel returned: ``result``, except for `ipc(SHMAT)`, which returns 0 and stores the attach
    /// address (the subcall's result) at `third`.
    public var kernelReturnValue: Int64 {
        if let multiplexed, multiplexed.subcall == 21, result.isSuccess { return 0 }
        return result.rawValue
    }

    /// The syscall the kernel was entered with: `ipc` for multiplexed calls.
    public var enteredSyscall: Syscall { multiplexed == nil ? call.syscall : .ipc }
}
