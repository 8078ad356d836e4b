/// What one process moved through one end of one pipe (or FIFO) during the trace: the counts
/// ``TraceOptions/dataFlow`` keeps for the read/write family instead of an event per call.
///
/// Delivered as ``TraceRecord/usage(_:)``: a process's totals when it ends (or is detached), and the
/// totals of every process still running when the trace ends; one record per (process, inode, end),
/// except that a process which has counted thousands of pipes gets the totals of the ones it closed
/// handed out early (memory stays flat), and one that uses a pipe again after that gets another record:
/// add them up.
public struct ChannelUsage: Sendable, Hashable {
    /// The thread group id of the process that made the calls.
    public var processID: Int32
    /// The pipe's (or FIFO's) inode, as in ``PipeDescriptor/inode``.
    public var inode: UInt64
    /// The end the calls went through: `read` for reads, `write` for writes (`splice`/`tee` count on both
    /// the pipe they read from and the one they write to).
    public var end: PipeEnd
    /// The descriptors the process used for this end, in ascending order.
    public var fds: [Int32]
    /// Successful calls that moved data through this end.
    public var calls: UInt64
    /// Bytes those calls moved (the sum of their return values).
    public var bytes: UInt64

    /// The counts of `processID` on `end` of pipe `inode`.
    public init(processID: Int32, inode: UInt64, end: PipeEnd, fds: [Int32], calls: UInt64, bytes: UInt64) {
        self.processID = processID
        self.inode = inode
        self.end = end
        self.fds = fds
        self.calls = calls
        self.bytes = bytes
    }
}
