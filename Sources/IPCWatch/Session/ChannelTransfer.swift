/// One completed read/write-family call on a pipe, FIFO or Unix socket (``TraceOptions/transfers``, with
/// ``TraceOptions/dataFlow``): what a timeline needs to join each write to the reads that took its bytes.
/// ``ChannelUsage`` keeps only the totals.
public struct ChannelTransfer: Sendable, Hashable {
    /// One descriptor of the call that is a channel (`splice` and `tee` have two).
    public struct Side: Sendable, Hashable {
        /// The descriptor, in the calling process.
        public var fd: Int32
        /// The pipe's, FIFO's or socket's inode.
        public var inode: UInt64
        /// `write`: the bytes went into the channel; `read`: they came out of it.
        public var end: PipeEnd
        /// Pipe, FIFO or Unix socket.
        public var kind: ChannelUsage.Kind
        /// A connected Unix socket's peer inode (what it writes, the peer reads); nil otherwise.
        public var peerInode: UInt64?

        /// A side of a call.
        public init(fd: Int32, inode: UInt64, end: PipeEnd, kind: ChannelUsage.Kind, peerInode: UInt64? = nil) {
            self.fd = fd
            self.inode = inode
            self.end = end
            self.kind = kind
            self.peerInode = peerInode
        }
    }

    /// Wall-clock time of the call's entry, nanoseconds since the Unix epoch.
    public var timestamp: UInt64
    /// From entry to exit, nanoseconds.
    public var duration: UInt64
    /// The thread group id.
    public var processID: Int32
    /// The thread id.
    public var threadID: Int32
    /// The kernel's name for the call (`read`, `writev`, `sendmsg`, `splice`…).
    public var name: String
    /// Its channel descriptors.
    public var sides: [Side]
    /// The return value, or minus the errno.
    public var result: Int64

    /// A call of `threadID` (of `processID`).
    public init(timestamp: UInt64, duration: UInt64, processID: Int32, threadID: Int32, name: String, sides: [Side],
                result: Int64) {
        self.timestamp = timestamp
        self.duration = duration
        self.processID = processID
        self.threadID = threadID
        self.name = name
        self.sides = sides
        self.result = result
    }

    /// The bytes the call moved (0 for a failed call or an end of file).
    public var bytes: UInt64 { result > 0 ? UInt64(result) : 0 }
}
