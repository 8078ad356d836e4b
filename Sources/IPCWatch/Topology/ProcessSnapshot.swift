/// Which end of a pipe a descriptor is: from its open mode, which the kernel shows as the permission bits of the
/// `/proc/PID/fd` link (`O_RDONLY` is the read end).
public enum PipeEnd: String, Sendable, Hashable, Codable {
    /// `pipefd[0]`, open `O_RDONLY`.
    case read
    /// `pipefd[1]`, open `O_WRONLY`.
    case write
}

/// One pipe descriptor a process held at a snapshot.
public struct PipeDescriptor: Sendable, Hashable, Codable {
    /// The descriptor number in the process (after any `dup2`, e.g. 0 or 1 in a pipeline).
    public var fd: Int32
    /// The pipe's inode (`pipe:[inode]`), shared by both ends in every process.
    public var inode: UInt64
    /// Which end the descriptor is.
    public var end: PipeEnd

    /// A descriptor `fd` of pipe `inode`.
    public init(fd: Int32, inode: UInt64, end: PipeEnd) {
        self.fd = fd
        self.inode = inode
        self.end = end
    }
}

/// A process and the pipe ends it held at a moment the tracer stopped it: after an exec, when attached, and
/// at its exit (`PTRACE_EVENT_EXIT`, before the kernel closes its descriptors) if it never exec'd. Shell pipelines `dup2` the
/// ends onto 0 and 1 and then exec, so these moments see who reads and who writes without trapping `dup2`.
public struct ProcessSnapshot: Sendable, Hashable {
    /// When the snapshot was taken.
    public enum Moment: String, Sendable, Hashable, Codable {
        /// Right after a successful exec (`PTRACE_EVENT_EXEC`): the descriptors the new program starts with.
        case exec
        /// When ipcwatch attached to the process (`-p`).
        case attach
        /// At the exit of its last thread (`PTRACE_EVENT_EXIT`), before its descriptors are closed.
        case exit
        /// The parent, looked at while it runs, when a child holding pipe ends execs or exits: a program that
        /// closes its ends before it exits (Python does, at interpreter shutdown) still shows what it held
        /// while it talked to the child (`popen`, `subprocess`, `multiprocessing`).
        case peek
    }

    /// When it was taken.
    public var moment: Moment
    /// The process (thread group) id.
    public var processID: Int32
    /// Its parent's process id.
    public var parentProcessID: Int32
    /// The `comm` (15 bytes at most).
    public var processName: String
    /// `argv[0]` from `/proc/PID/cmdline` (empty for a process without one, such as a zombie).
    public var argv0: String
    /// Its pipe descriptors, by fd.
    public var pipes: [PipeDescriptor]
    /// Its FIFO and Unix socket descriptors, by fd.
    public var channels: [ChannelDescriptor]

    /// A snapshot of process `processID` at `moment`.
    public init(moment: Moment, processID: Int32, parentProcessID: Int32, processName: String, argv0: String,
                pipes: [PipeDescriptor], channels: [ChannelDescriptor] = []) {
        self.moment = moment
        self.processID = processID
        self.parentProcessID = parentProcessID
        self.processName = processName
        self.argv0 = argv0
        self.pipes = pipes
        self.channels = channels
    }
}
