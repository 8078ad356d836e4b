/// What one process moved through one end of one local channel during the trace: the counts
/// ``TraceOptions/dataFlow`` keeps for the read/write family instead of an event per call.
///
/// Delivered as ``TraceRecord/usage(_:)``: a process's totals when it ends (or is detached), and the
/// totals of every process still running when the trace ends; one record per (process, inode, end),
/// except that a process which has counted thousands of pipes gets the totals of the ones it closed
/// handed out early (memory stays flat), and one that uses a pipe again after that gets another record:
/// add them up.
///
/// A pipe or FIFO end is read or written, never both (its open mode says which; an `O_RDWR` FIFO is
/// counted per direction). A Unix socket reads and writes through the same descriptor: its counts are
/// kept per direction of the data on *that socket's* inode, `write` for what the process sent
/// (`write`, `send*`), `read` for what it received (`read`, `recv*`). What one socket of a pair sends,
/// its ``peerInode`` receives.
public struct ChannelUsage: Sendable, Hashable {
    /// The kind of channel the counts are about.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// An anonymous pipe (`pipe:[inode]`).
        case pipe
        /// A named pipe: a FIFO's inode on its file system.
        case fifo
        /// A Unix-domain socket: the socket's inode (`socket:[inode]`).
        case unix
    }

    /// The thread group id of the process that made the calls.
    public var processID: Int32
    /// The pipe's, FIFO's or socket's inode, as in ``PipeDescriptor/inode`` and ``ChannelDescriptor/inode``.
    public var inode: UInt64
    /// The end the calls went through: `read` for reads, `write` for writes (`splice`/`tee` count on both
    /// the pipe they read from and the one they write to; a socket: see the type's description).
    public var end: PipeEnd
    /// The descriptors the process used for this end, in ascending order.
    public var fds: [Int32]
    /// Successful calls that moved data through this end.
    public var calls: UInt64
    /// Bytes those calls moved (the sum of their return values).
    public var bytes: UInt64
    /// Pipe, FIFO or Unix socket.
    public var kind: Kind
    /// For a connected Unix socket, the peer's inode as the kernel's socket diagnostics gave it when the
    /// process first used the socket; nil otherwise.
    public var peerInode: UInt64?
    /// A FIFO's path (or a Unix socket's bound name) as the process's descriptor named it when it was first
    /// counted; nil when there is none.
    public var path: String?

    /// The counts of `processID` on `end` of channel `inode`.
    public init(processID: Int32, inode: UInt64, end: PipeEnd, fds: [Int32], calls: UInt64, bytes: UInt64,
                kind: Kind = .pipe, peerInode: UInt64? = nil, path: String? = nil) {
        self.processID = processID
        self.inode = inode
        self.end = end
        self.fds = fds
        self.calls = calls
        self.bytes = bytes
        self.kind = kind
        self.peerInode = peerInode
        self.path = path
    }
}
