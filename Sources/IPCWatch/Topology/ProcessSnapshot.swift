/// Which end of a pipe a descriptor is: from its open mode in `/proc/PID/fdinfo` (`O_RDONLY` is the read end).
public enum PipeEnd: String, Sendable, Hashable, Codable {
    case read, write
}

/// One pipe descriptor a process held at a snapshot.
public struct PipeDescriptor: Sendable, Hashable, Codable {
    public var fd: Int32
    /// The pipe's inode (`pipe:[inode]`), shared by both ends in every process.
    public var inode: UInt64
    public var end: PipeEnd

    public init(fd: Int32, inode: UInt64, end: PipeEnd) {
        self.fd = fd
        self.inode = inode
        self.end = end
    }
}

/// A process and the pipe ends it held at a moment the tracer stopped it: after an exec, when attached, and
/// at its exit (`PTRACE_EVENT_EXIT`, before the kernel closes its descriptors). Shell pipelines `dup2` the
/// ends onto 0 and 1 and then exec, so these moments see who reads and who writes without trapping `dup2`.
public struct ProcessSnapshot: Sendable, Hashable {
    public enum Moment: String, Sendable, Hashable, Codable {
        case exec, attach, exit
        /// The parent, looked at (running) when a child exits: a program that closes its ends before it
        /// exits (Python does, at interpreter shutdown) still shows what it held while it talked to the child.
        case childExit
    }

    public var moment: Moment
    public var processID: Int32
    public var parentProcessID: Int32
    /// The `comm` (15 bytes at most).
    public var processName: String
    /// `argv[0]` from `/proc/PID/cmdline` (empty for a process without one, such as a zombie).
    public var argv0: String
    public var pipes: [PipeDescriptor]

    public init(moment: Moment, processID: Int32, parentProcessID: Int32, processName: String, argv0: String,
                pipes: [PipeDescriptor]) {
        self.moment = moment
        self.processID = processID
        self.parentProcessID = parentProcessID
        self.processName = processName
        self.argv0 = argv0
        self.pipes = pipes
    }
}
