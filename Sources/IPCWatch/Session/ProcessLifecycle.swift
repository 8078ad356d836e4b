/// A task was born or exec'd, as the tracer saw it (``TraceOptions/lifecycle``): what a timeline needs to
/// start a process's track at its fork and to mark its exec, which no syscall event says.
public struct ProcessLifecycle: Sendable, Hashable {
    /// What happened.
    public enum Change: Sendable, Hashable {
        /// `threadID` forked or cloned `child`, a thread of process `childProcessID` (== `child` for a new
        /// process, the creator's process for a new thread).
        case spawned(child: Int32, childProcessID: Int32)
        /// `threadID` exec'd successfully; `name` is the new `comm`.
        case executed(name: String)
    }

    /// Wall-clock time the tracer saw it, nanoseconds since the Unix epoch.
    public var timestamp: UInt64
    /// The thread group id of the task it concerns (the parent, for ``Change/spawned(child:childProcessID:)``).
    public var processID: Int32
    /// The thread that forked, or that exec'd (after an exec, the process's id).
    public var threadID: Int32
    /// What happened.
    public var change: Change

    /// A change of `threadID` (of `processID`) at `timestamp`.
    public init(timestamp: UInt64, processID: Int32, threadID: Int32, change: Change) {
        self.timestamp = timestamp
        self.processID = processID
        self.threadID = threadID
        self.change = change
    }
}
