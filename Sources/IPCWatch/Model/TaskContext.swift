/// Who made a call, as Tracee's event context describes a task: ids inside the task's own pid namespace,
/// its namespaces, cgroup, executable and host name, its start time and Tracee's entity ids. Collected
/// with ``TraceOptions/taskContext`` (the CLI's `-j`): read from /proc once per thread and exec, except
/// ``processorID``, read at each call.
public struct TaskContext: Sendable, Hashable {
    /// The thread's start time, ns since the epoch (`/proc/TID/stat` starttime + boot time).
    public var threadStartTime: UInt64
    /// The CPU the thread last ran on when it stopped at the call's exit (`/proc/TID/stat` processor).
    public var processorID: Int32
    /// The process id inside its own pid namespace (`NStgid`'s last entry): 1 for a namespace's init.
    public var processID: Int32
    /// The thread id inside its own pid namespace (`NSpid`'s last entry).
    public var threadID: Int32
    /// The parent's process id inside the task's pid namespace, 0 when the parent is outside it.
    public var parentProcessID: Int32
    /// The inode of the cgroup v2 directory of the process (Tracee's `cgroupId`), 0 without cgroup v2.
    public var cgroupID: UInt64
    /// The inode of the task's mount namespace (`/proc/TID/ns/mnt`).
    public var mountNamespace: UInt64
    /// The inode of the task's pid namespace (`/proc/TID/ns/pid`).
    public var pidNamespace: UInt64
    /// `/proc/PID/exe`.
    public var executablePath: String
    /// The nodename of the task's UTS namespace.
    public var hostName: String
    /// Tracee's `threadEntityId`: `HashTaskID(host tid, thread start time)`.
    public var threadEntityID: UInt32
    /// Tracee's `processEntityId`: `HashTaskID(host pid, the leader's start time)`.
    public var processEntityID: UInt32
    /// Tracee's `parentEntityId`: `HashTaskID(host ppid, the parent's start time)`.
    public var parentEntityID: UInt32

    /// Creates a context from its parts.
    public init(threadStartTime: UInt64, processorID: Int32, processID: Int32, threadID: Int32, parentProcessID: Int32,
                cgroupID: UInt64, mountNamespace: UInt64, pidNamespace: UInt64, executablePath: String, hostName: String,
                threadEntityID: UInt32, processEntityID: UInt32, parentEntityID: UInt32) {
        self.threadStartTime = threadStartTime
        self.processorID = processorID
        self.processID = processID
        self.threadID = threadID
        self.parentProcessID = parentProcessID
        self.cgroupID = cgroupID
        self.mountNamespace = mountNamespace
        self.pidNamespace = pidNamespace
        self.executablePath = executablePath
        self.hostName = hostName
        self.threadEntityID = threadEntityID
        self.processEntityID = processEntityID
        self.parentEntityID = parentEntityID
    }
}

/// Tracee's task hash (`pkg/utils` `HashTaskID` at v0.24.1): Murmur3 x86-32 with Tracee's seed over the
/// big-endian id and start time, the time rounded down to USER_HZ (what procfs can give).
enum TaskHash {
    static func taskID(_ id: UInt32, startTime: UInt64) -> UInt32 {
        let rounded = startTime / 10_000_000 * 10_000_000
        var bytes: [UInt8] = []
        bytes.reserveCapacity(12)
        withUnsafeBytes(of: id.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: rounded.bigEndian) { bytes.append(contentsOf: $0) }
        return murmur32(bytes, seed: 0x1827_3645)
    }

    static func murmur32(_ data: [UInt8], seed: UInt32) -> UInt32 {
        let c1: UInt32 = 0xcc9e_2d51, c2: UInt32 = 0x1b87_3593
        var h = seed
        let blocks = data.count / 4
        func mix(_ k: UInt32) -> UInt32 { (k &* c1).rotatedLeft(15) &* c2 }
        for i in 0..<blocks {
            // Blocks are read in the machine's (little-endian) order, as Go's unsafe load does on x86.
            let k = UInt32(data[4 * i]) | UInt32(data[4 * i + 1]) << 8 | UInt32(data[4 * i + 2]) << 16 | UInt32(data[4 * i + 3]) << 24
            h ^= mix(k)
            h = h.rotatedLeft(13) &* 5 &+ 0xe654_6b64
        }
        var tail: UInt32 = 0
        let rest = data[(4 * blocks)...]
        for (shift, byte) in rest.enumerated().reversed() { tail ^= UInt32(byte) << (8 * UInt32(shift)) }
        if !rest.isEmpty { h ^= mix(tail) }
        h ^= UInt32(truncatingIfNeeded: data.count)
        h ^= h >> 16
        h = h &* 0x85eb_ca6b
        h ^= h >> 13
        h = h &* 0xc2b2_ae35
        h ^= h >> 16
        return h
    }
}

extension UInt32 {
    fileprivate func rotatedLeft(_ n: UInt32) -> UInt32 { self << n | self >> (32 - n) }
}
