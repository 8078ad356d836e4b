/// One descriptor of a local channel other than an anonymous pipe that a process held at a snapshot: a
/// named pipe (FIFO) or a Unix-domain socket. Pipes are ``PipeDescriptor``s.
public struct ChannelDescriptor: Sendable, Hashable, Codable {
    /// What kind of channel the descriptor is.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A named pipe (`mkfifo`): a pipe with a path, opened by processes that need not be related.
        case fifo
        /// A Unix-domain socket: one end of a `socketpair` or of a connection.
        case unix
    }

    /// The descriptor number in the process.
    public var fd: Int32
    /// FIFO or Unix socket.
    public var kind: Kind
    /// The FIFO's inode on its file system, or the socket's inode (`socket:[inode]`).
    public var inode: UInt64
    /// For a FIFO, the end its open mode makes it (nil for `O_RDWR`, which is both); nil for a socket,
    /// which reads and writes.
    public var end: PipeEnd?
    /// The FIFO's path, or the socket's bound path (`@name` for an abstract one); nil when there is none.
    public var path: String?
    /// For a connected Unix socket, its peer's inode: the other end of the pair (`ss -x` shows the same).
    public var peerInode: UInt64?

    /// A descriptor `fd` of channel `inode`.
    public init(fd: Int32, kind: Kind, inode: UInt64, end: PipeEnd? = nil, path: String? = nil, peerInode: UInt64? = nil) {
        self.fd = fd
        self.kind = kind
        self.inode = inode
        self.end = end
        self.path = path
        self.peerInode = peerInode
    }
}
