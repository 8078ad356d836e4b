@testable import IPCWatch
import Testing

/// ``Leftovers`` on events built by hand and a kernel state given to it: what counts as created, and
/// what the kernel's word at the end overrides.
@Suite("Left behind: the fold and the kernel check")
struct LeftoverFoldTests {
    private let second: UInt64 = 1_000_000_000

    private func event(_ call: Call, pid: Int32 = 10, comm: String = "prog", result: Int64, at time: UInt64 = 1000 * 1_000_000_000) -> Event {
        Event(timestamp: time, processID: pid, threadID: pid, parentProcessID: 1, userID: 0, processName: comm, architecture: .x86_64,
              call: call, multiplexed: nil, result: .success(result), duration: 0, pipeInodes: nil)
    }

    private func kernel(_ kind: IPCObjectKind, _ id: Int32, key: Int32, cpid: Int32? = nil, ctime: Int64 = 1000) -> IPCNamespace.SysVObject {
        IPCNamespace.SysVObject(kind: kind, id: id, key: key, creatorPID: cpid, changeTime: ctime)
    }

    @Test("IPC_PRIVATE or IPC_CREAT creates an id the namespace did not have; a plain open, or an id there at the start, does not")
    func created() {
        var leftovers = Leftovers(sysv: [kernel(.msg, 7, key: 0x77)], queues: [])
        leftovers.add(event(.msgget(key: 0, flags: 0o600), result: 1))
        leftovers.add(event(.semget(key: 0x55, nsems: 1, flags: 0o1600), result: 2))
        leftovers.add(event(.shmget(key: 0x66, size: 4096, flags: 0o600), result: 3))   // opened, not created
        leftovers.add(event(.msgget(key: 0x77, flags: 0o1600), result: 7))             // existed at the start
        leftovers.add(event(.msgsnd(msqid: 1, msgp: 0, message: nil, msgsz: 1, flags: 0), pid: 11, comm: "child", result: 0))
        leftovers.confirm(sysv: [kernel(.msg, 1, key: 0), kernel(.sem, 2, key: 0x55), kernel(.shm, 3, key: 0x66, cpid: 10),
                                 kernel(.msg, 7, key: 0x77)], queueExists: { _ in nil })
        #expect(leftovers.objects.map { "\($0.kind) \($0.id) \($0.lastUser) \($0.lastUserName)" } == ["msg 1 11 child", "sem 2 10 prog"])
        #expect(leftovers.isLeftover(.msg, id: 7) == false && leftovers.isLeftover(.shm, id: 3) == false)
    }

    @Test("the kernel decides at the end: gone though never removed by a traced call; older than the *get or another creator's segment: not this trace's")
    func kernelDecides() {
        var leftovers = Leftovers(sysv: [], queues: [])
        leftovers.add(event(.msgget(key: 0, flags: 0o600), result: 1))
        leftovers.add(event(.msgget(key: 0x11, flags: 0o1600), result: 2))
        leftovers.add(event(.shmget(key: 0x22, size: 4096, flags: 0o1600), result: 3))
        leftovers.add(event(.semget(key: 0, nsems: 1, flags: 0o600), result: 4))
        // Made a millisecond after a second turned over, stamped by the kernel with its last tick's second.
        leftovers.add(event(.msgget(key: 0, flags: 0o600), result: 5, at: 1000 * second + 1_000_000))
        leftovers.confirm(sysv: [kernel(.msg, 2, key: 0x11, ctime: 998),     // made two seconds before the msgget: opened
                                 kernel(.shm, 3, key: 0x22, cpid: 99),          // another process made it
                                 kernel(.sem, 4, key: 0, ctime: 1001),          // SETVAL since: still this trace's
                                 kernel(.msg, 5, key: 0, ctime: 999)],
                          queueExists: { _ in nil })
        #expect(leftovers.objects.map(\.id) == [5, 4])
        #expect(leftovers.isLeftover(.msg, id: 1) == false, "removed by a process the trace did not see")
    }

    @Test("without the kernel's word the calls decide: IPC_RMID (IPC_64 too) and mq_unlink remove; a name made again after its unlink is new")
    func callsDecide() {
        var leftovers = Leftovers(sysv: nil, queues: nil)
        leftovers.add(event(.msgget(key: 0, flags: 0o600), result: 1))
        leftovers.add(event(.msgget(key: 0, flags: 0o600), result: 2))
        leftovers.add(event(.msgctl(msqid: 2, command: 0x100, buf: 0, contents: nil), result: 0))
        let name = Array("q".utf8)
        leftovers.add(event(.mqOpen(name: 0, nameText: name, flags: 0o102, mode: 0o600, attr: 0, attributes: nil), result: 3))
        leftovers.add(event(.mqUnlink(name: 0, nameText: name), result: 0))
        leftovers.add(event(.mqOpen(name: 0, nameText: name, flags: 0o102, mode: 0o600, attr: 0, attributes: nil), pid: 12, comm: "again", result: 3))
        leftovers.add(event(.mqOpen(name: 0, nameText: Array("r".utf8), flags: 0o2, mode: 0, attr: 0, attributes: nil), result: 4))
        #expect(leftovers.objects.isEmpty && leftovers.isLeftover(.msg, id: 1) == nil, "nothing until the trace ends")
        leftovers.confirm(sysv: nil, queueExists: { _ in nil })
        #expect(leftovers.objects.map { "\($0.kind) \($0.id) \($0.name) \($0.creatorName)" } == ["mq 0 q again", "msg 1  prog"])
        #expect(leftovers.isLeftover(queue: "r") == false, "opened without O_CREAT")
    }
}
