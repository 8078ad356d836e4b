/// What a process's handles on SysV and POSIX IPC objects name, learnt from its calls: `shmat`'s addresses
/// (so that `shmdt(address)` names its segment) and `mq_open`'s descriptors (so that `mq_timedsend(fd)` names
/// its queue). A child uses what it inherited: a handle not found in a process is looked up in its parent.
struct IPCHandles {
    /// pid → address → segment id.
    private var attachments: [Int32: [UInt64: Int32]] = [:]
    /// pid → mqdes → queue name.
    private var queueNames: [Int32: [Int32: String]] = [:]

    /// `pid` attached `segment` at `address`.
    mutating func attached(_ segment: Int32, at address: UInt64, by pid: Int32) {
        attachments[pid, default: [:]][address] = segment
    }

    /// The segment attached at `address` in `pid`, or in its `parent` before the fork.
    func segment(at address: UInt64, in pid: Int32, parent: Int32?) -> Int32? {
        attachments[pid]?[address] ?? parent.flatMap { attachments[$0]?[address] }
    }

    /// `pid` opened the queue `name` as `mqdes`.
    mutating func opened(_ name: String, as mqdes: Int32, by pid: Int32) {
        queueNames[pid, default: [:]][mqdes] = name
    }

    /// The queue `mqdes` names in `pid`, or in its `parent` (a child uses what it inherited).
    func queue(_ mqdes: Int32, in pid: Int32, parent: Int32?) -> String? {
        queueNames[pid]?[mqdes] ?? parent.flatMap { queueNames[$0]?[mqdes] }
    }
}
