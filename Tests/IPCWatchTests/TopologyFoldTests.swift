import Foundation
@testable import IPCWatch
import Testing

/// The ``Topology`` fold on records built by hand: each rule, and what it must not conclude.
@Suite("Topology fold over synthetic records")
struct TopologyFoldTests {
    // MARK: Records

    private func event(_ call: Call, pid: Int32, ppid: Int32 = 1, comm: String = "prog",
                       result: SyscallResult = .success(0), inodes: [UInt64]? = nil) -> TraceRecord {
        .event(Event(timestamp: 0, processID: pid, threadID: pid, parentProcessID: ppid, userID: 0, processName: comm,
                     architecture: .x86_64, call: call, multiplexed: nil, result: result, duration: 0, pipeInodes: inodes))
    }

    /// `pipe2([3, 4], 0) = 0` by `pid`, the pipe's inode looked up.
    private func pipe2(_ inode: UInt64, by pid: Int32, ppid: Int32 = 1, comm: String = "sh") -> TraceRecord {
        event(.pipe2(.fds(read: 3, write: 4), flags: 0), pid: pid, ppid: ppid, comm: comm, inodes: [inode, inode])
    }

    private func snapshot(_ moment: ProcessSnapshot.Moment, pid: Int32, ppid: Int32 = 1, comm: String = "prog",
                          argv0: String = "", holding ends: [(fd: Int32, inode: UInt64, end: PipeEnd)] = []) -> TraceRecord {
        .snapshot(ProcessSnapshot(moment: moment, processID: pid, parentProcessID: ppid, processName: comm, argv0: argv0,
                                  pipes: ends.map { PipeDescriptor(fd: $0.fd, inode: $0.inode, end: $0.end) }))
    }

    private func fold(_ records: [TraceRecord]) -> Topology {
        var topology = Topology()
        for record in records { topology.add(record) }
        return topology
    }

    private func pipe(_ inode: UInt64, in topology: Topology) throws -> Topology.Pipe {
        try #require(topology.pipes.first { $0.inode == inode }, "pipe \(inode) in \(topology.pipes.map(\.inode))")
    }

    private func object(_ kind: Topology.SysVKind, _ id: Int32, in topology: Topology) throws -> Topology.SysVObject {
        try #require(topology.sysv.first { $0.kind == kind && $0.id == id }, "\(kind) \(id) in \(topology.sysv)")
    }

    // MARK: Pipes

    @Test("the pipe's creator and call come from its pipe2 event; writers and readers from the snapshots' ends")
    func creatorWritersReaders() throws {
        let topology = fold([
            pipe2(500, by: 10),
            snapshot(.exec, pid: 11, ppid: 10, comm: "echo", holding: [(1, 500, .write)]),
            snapshot(.exec, pid: 12, ppid: 10, comm: "cat", holding: [(0, 500, .read)]),
            snapshot(.exit, pid: 13, ppid: 10, comm: "tee", holding: [(1, 500, .write)]),
        ])
        let pipe = try pipe(500, in: topology)
        #expect(pipe.createdBy == 10)
        #expect(pipe.createdWith == .pipe2)
        #expect(pipe.writers == [11, 13], "an exec and an exit snapshot both count, in pid order")
        #expect(pipe.readers == [12])
    }

    @Test("pipe(2) is named as the creating call; a failed pipe or one without inodes creates nothing")
    func creatingCall() throws {
        let topology = fold([
            event(.pipe(.fds(read: 5, write: 6)), pid: 20, inodes: [600, 600]),
            event(.pipe2(.pointer(0x1000), flags: 0), pid: 21, result: .failure(Errno(rawValue: EFAULT)), inodes: [601, 601]),
            event(.pipe2(.fds(read: 3, write: 4), flags: 0), pid: 22),  // inodes not looked up
        ])
        #expect(try pipe(600, in: topology).createdWith == .pipe)
        #expect(try pipe(600, in: topology).createdBy == 20)
        #expect(topology.pipes.map(\.inode) == [600], "only the successful call with inodes made a pipe")
    }

    @Test("a pipe first seen in a snapshot was created before the trace: no creator")
    func inheritedPipe() throws {
        let topology = fold([snapshot(.attach, pid: 30, holding: [(0, 700, .read)])])
        let pipe = try pipe(700, in: topology)
        #expect(pipe.createdBy == nil && pipe.createdWith == nil)
        #expect(pipe.readers == [30] && pipe.writers.isEmpty)
    }

    @Test("the creator holds both ends from its creation, with the call's fds, unless it is seen only passing one on")
    func creatorHoldingBoth() throws {
        // A Python parent makes a pipe, forks a child (no exec) and keeps both ends: peeked at the child's exit
        // with both, and no exit snapshot of its own (it exec'd once, so its exit is not stopped).
        let topology = fold([
            pipe2(800, by: 10),
            snapshot(.exit, pid: 14, ppid: 10, holding: [(3, 800, .read), (4, 800, .write)]),
            snapshot(.peek, pid: 10, holding: [(3, 800, .read), (4, 800, .write)]),
        ])
        let pipe = try pipe(800, in: topology)
        #expect(pipe.writers == [10, 14] && pipe.readers == [10, 14])
        #expect(topology.ends(of: pipe).filter { $0.pid == 10 }.map(\.fds) == [[3], [4]])

        // Never seen again: the creator alone holds both ends, as the call returned them.
        let alone = try self.pipe(801, in: fold([pipe2(801, by: 10), snapshot(.exec, pid: 15, ppid: 10, comm: "cat")]))
        #expect(alone.writers == [10] && alone.readers == [10])

        // Seen without the read end after a child held it: it passed the read end on, kept the write end.
        let passed = fold([
            pipe2(802, by: 10),
            snapshot(.exit, pid: 16, ppid: 10, holding: [(3, 802, .read)]),
            snapshot(.peek, pid: 10, holding: [(4, 802, .write)]),
        ])
        #expect(try self.pipe(802, in: passed).readers == [16])
        #expect(try self.pipe(802, in: passed).writers == [10])

        // Seen without an end nobody else held: it held that end from its creation all the same.
        let closed = fold([pipe2(803, by: 10), snapshot(.exec, pid: 17, ppid: 10, comm: "cat"),
                           snapshot(.exit, pid: 10, holding: [(4, 803, .write)])])
        #expect(try self.pipe(803, in: closed).readers == [10])
    }

    // MARK: Held and used

    @Test("ends: fds from the snapshots; without data-flow used, bytes and calls are unknown (nil)")
    func heldEnds() throws {
        let topology = fold([
            pipe2(1100, by: 10),
            snapshot(.exec, pid: 11, ppid: 10, comm: "seq", holding: [(1, 1100, .write)]),
            snapshot(.exec, pid: 12, ppid: 10, comm: "wc", holding: [(0, 1100, .read)]),
            .exit(threadID: 11, status: .exited(0)), .exit(threadID: 12, status: .exited(0)),
        ])
        let ends = topology.ends(of: try pipe(1100, in: topology))
        #expect(ends == [Topology.End(pid: 11, end: .write, fds: [1], used: nil, calls: nil, bytes: nil),
                         Topology.End(pid: 12, end: .read, fds: [0], used: nil, calls: nil, bytes: nil)])
        #expect(topology.json.contains(#""ends":[{"pid":11,"end":"write","fds":[1],"used":null,"bytes":null,"calls":null}"#))
        #expect(topology.dot.contains("held that end"), "the legend says held")
        #expect(!topology.dot.contains("style=bold"), "no edge drawn as used")
    }

    @Test("data-flow: an end with counts is used (bytes, calls); a held end of an ended process without counts is unused; a running one's is unknown until the trace ends")
    func usedEnds() throws {
        var topology = Topology(dataFlow: true)
        for record: TraceRecord in [
            pipe2(1200, by: 10),
            snapshot(.exec, pid: 11, ppid: 10, comm: "seq", holding: [(1, 1200, .write)]),
            snapshot(.exec, pid: 12, ppid: 10, comm: "wc", holding: [(0, 1200, .read)]),
            snapshot(.exec, pid: 13, ppid: 10, comm: "idle", holding: [(5, 1200, .write)]),
            snapshot(.exec, pid: 14, ppid: 10, comm: "late", holding: [(6, 1200, .read)]),
            .usage(ChannelUsage(processID: 11, inode: 1200, end: .write, fds: [1], calls: 2, bytes: 4000)),
            .exit(threadID: 11, status: .exited(0)),
            .usage(ChannelUsage(processID: 12, inode: 1200, end: .read, fds: [0], calls: 3, bytes: 4000)),
            .exit(threadID: 12, status: .exited(0)), .exit(threadID: 13, status: .exited(0)),
        ] { topology.add(record) }
        var ends = topology.ends(of: try pipe(1200, in: topology))
        #expect(ends == [Topology.End(pid: 11, end: .write, fds: [1], used: true, calls: 2, bytes: 4000),
                         Topology.End(pid: 12, end: .read, fds: [0], used: true, calls: 3, bytes: 4000),
                         Topology.End(pid: 13, end: .write, fds: [5], used: false, calls: 0, bytes: 0),
                         Topology.End(pid: 14, end: .read, fds: [6], used: nil, calls: nil, bytes: nil)])
        #expect(topology.dot.contains("fd 1 · 3.9 KB"))
        #expect(topology.dot.contains("fd 5 unused"))
        topology.traceEnded()
        ends = topology.ends(of: try pipe(1200, in: topology))
        #expect(ends.last == Topology.End(pid: 14, end: .read, fds: [6], used: false, calls: 0, bytes: 0))
        // A usage record alone (a process no snapshot saw with the end, e.g. it closed it before exit) is an end.
        topology.add(.usage(ChannelUsage(processID: 15, inode: 1200, end: .write, fds: [4], calls: 1, bytes: 2)))
        #expect(try self.pipe(1200, in: topology).writers == [11, 13, 15])
    }

    @Test("byte counts as edges show them")
    func byteCounts() {
        #expect(TopologyDrawing.byteCount(512) == "512 B")
        #expect(TopologyDrawing.byteCount(4000) == "3.9 KB")
        #expect(TopologyDrawing.byteCount(588_895) == "575.1 KB")
        #expect(TopologyDrawing.byteCount(3 << 30) == "3.0 GB")
    }

    // MARK: Bounded memory

    @Test("orphan pipes no traced process holds any more are only counted; one still open or passed on stays")
    func settling() throws {
        var topology = Topology()
        for inode in UInt64(1)...5000 { topology.add(pipe2(inode, by: 10)) }
        // Passed on (by a way snapshots do not see, not a fork: pid 11 is not 10's child).
        topology.add(snapshot(.exec, pid: 11, ppid: 2, comm: "cat", holding: [(0, 7, .read)]))
        #expect(topology.needsSettling)
        topology.settle(stillOpen: [4999, 5000])
        #expect(!topology.needsSettling)
        #expect(topology.pipes.map(\.inode) == [7, 4999, 5000], "passed on, or still open")
        #expect(topology.closedOrphans == [Topology.ClosedOrphans(createdBy: 10, createdWith: .pipe2, count: 4997)])
        #expect(topology.json.contains(#""closedPipes":[{"createdBy":10,"createdWith":"pipe2","count":4997}]"#))
        #expect(!topology.dot.contains("4997"), "orphans are not drawn")
        #expect(topology.dot(all: true).contains("pipe ×4997"), "unless asked for")

        // A child of the creator appearing after the pipes were made may have inherited them, seen or not.
        topology.add(pipe2(6000, by: 10))
        topology.add(snapshot(.exit, pid: 12, ppid: 10, comm: "perl"))
        topology.settle(stillOpen: [])
        #expect(topology.pipes.map(\.inode) == [7, 4999, 5000, 6000], "open when the child came: may have been passed on")
        #expect(topology.closedOrphans.first?.count == 4997)
        #expect(try pipe(6000, in: topology).writers == [10], "its creator holds it")
    }

    @Test("--data-flow counts of an orphan pipe forgotten before they came stay a count, not a pipe 'opened before the trace'")
    func usageAfterSettling() throws {
        var topology = Topology(dataFlow: true)
        for inode in UInt64(1)...5000 { topology.add(pipe2(inode, by: 10)) }
        topology.settle(stillOpen: [])
        for inode in UInt64(1)...5000 {
            topology.add(.usage(ChannelUsage(processID: 10, inode: inode, end: .write, fds: [4], calls: 1, bytes: 1)))
        }
        #expect(topology.pipes.isEmpty, "\(topology.pipes.count) pipes recreated")
        #expect(topology.closedOrphans.first?.count == 5000)
        // Another process's pipe the trace never saw made is still a pipe of its own.
        topology.add(.usage(ChannelUsage(processID: 11, inode: 9000, end: .read, fds: [0], calls: 1, bytes: 1)))
        #expect(topology.pipes.map(\.inode) == [9000])
    }

    // MARK: Drawing

    @Test("processes of the same program, parent and pattern fold into one node, their pipes too; different ones do not")
    func folding() throws {
        var records: [TraceRecord] = []
        for i in UInt64(0)..<50 {
            let writer = Int32(100 + 2 * i), reader = Int32(101 + 2 * i)
            records += [TraceRecord]([pipe2(2000 + i, by: 10, comm: "bash"),
                        snapshot(.exit, pid: writer, ppid: 10, comm: "bash", holding: [(1, 2000 + i, .write)]),
                        snapshot(.exec, pid: reader, ppid: 10, comm: "cat", argv0: "cat", holding: [(0, 2000 + i, .read)]),
                        .exit(threadID: writer, status: .exited(0)), .exit(threadID: reader, status: .exited(0))])
        }
        records.append(snapshot(.exec, pid: 99, ppid: 10, comm: "cat", argv0: "cat"))
        records.append(.exit(threadID: 99, status: .exited(1)))
        let dot = fold(records).dot
        #expect(dot.contains("label=\"bash ×50\\nexited with 0\""))
        #expect(dot.contains("label=\"cat ×50\\nexited with 0\""))
        #expect(dot.contains("label=\"pipe ×50\""))
        #expect(dot.contains("label=\"cat [99]\\nexited with 1\""), "another end, another node")
        #expect(dot.components(separatedBy: "shape=box, style=rounded").count - 1 == 4)
    }

    @Test("a pipe from outside the trace held on one side is one outside node, drawn from where it entered the trace")
    func outsideNode() throws {
        let dot = fold([
            snapshot(.exec, pid: 10, comm: "bash", holding: [(1, 5, .write), (2, 6, .write)]),
            snapshot(.exec, pid: 11, ppid: 10, comm: "cat", holding: [(1, 5, .write)]),
            snapshot(.exec, pid: 12, ppid: 10, comm: "ls", holding: [(2, 6, .write)]),
        ]).dot
        #expect(dot.contains("outside1 ["))
        #expect(dot.contains("p10 -> outside1"))
        #expect(!dot.contains("p11 -> outside1") && !dot.contains("p12 -> outside1"), "inherited from bash: no hub")
        #expect(!dot.contains("pipe5") && !dot.contains("pipe6"))
    }

    @Test("hostile names: DOT escapes quotes, backslashes and control characters; Mermaid writes what it interprets as entities")
    func escaping() {
        let name = "a\"b\\c\nd<b>[x]{y}|`#&"
        #expect(Topology.dotQuoted(name) == #""a\"b\\c\nd<b>[x]{y}|`#&""#)
        #expect(Topology.dotQuoted("tab\there") == #""tab\\x09here""#)
        let label = Topology.mermaidLabel([name])
        #expect(label == "\"a#34;b#92;c#10;d#60;b#62;#91;x#93;#123;y#125;#124;#96;#35;#38;\"")
        #expect(!label.dropFirst().dropLast().contains { "\"<>[]{}|`\\".contains($0) })
    }

    @Test("a shell that only passes the ends on to the programs it execs is neither writer nor reader")
    func shellPassesEndsAcrossExec() throws {
        // sh -c 'a | b': the shell makes the pipe, forks; while a child execs, the shell (peeked) still holds
        // an end it has not closed yet; the children exec with their ends.
        let topology = fold([
            pipe2(900, by: 10, comm: "sh"),
            snapshot(.peek, pid: 10, comm: "sh", holding: [(4, 900, .write)]),
            snapshot(.exec, pid: 11, ppid: 10, comm: "a", holding: [(1, 900, .write)]),
            snapshot(.peek, pid: 10, comm: "sh", holding: [(3, 900, .read)]),
            snapshot(.exec, pid: 12, ppid: 10, comm: "b", holding: [(0, 900, .read)]),
        ])
        let pipe = try pipe(900, in: topology)
        #expect(pipe.writers == [11], "the shell's write end went to a program that exec'd with it")
        #expect(pipe.readers == [12], "the shell's read end went to a program that exec'd with it")
    }

    @Test("a process seen holding an end only while it ran counts when no program exec'd with that end")
    func peekCountsWithoutExec() throws {
        // multiprocessing: the parent reads, the forked worker (no exec) writes and exits; the parent is
        // peeked at the worker's exit, and closes its end before its own exit.
        let topology = fold([
            pipe2(1000, by: 40, comm: "python3"),
            snapshot(.exit, pid: 41, ppid: 40, comm: "python3", holding: [(4, 1000, .write)]),
            snapshot(.peek, pid: 40, comm: "python3", holding: [(3, 1000, .read)]),
            snapshot(.exit, pid: 40, comm: "python3"),
        ])
        let pipe = try pipe(1000, in: topology)
        #expect(pipe.readers == [40])
        #expect(pipe.writers == [41])
    }

    // MARK: SysV

    @Test("each *get maps its key to the id it returned, per kind; a failed *get maps nothing")
    func keysToIds() throws {
        let topology = fold([
            event(.msgget(key: 0x1234, flags: 0o1600), pid: 50, result: .success(5)),
            event(.semget(key: 0, nsems: 3, flags: 0o1600), pid: 50, result: .success(5)),
            event(.shmget(key: 0x99, size: 4096, flags: 0o1600), pid: 51, result: .success(7)),
            event(.msgget(key: 0x4321, flags: 0), pid: 50, result: .failure(Errno(rawValue: ENOENT))),
        ])
        #expect(try object(.msg, 5, in: topology).key == 0x1234)
        #expect(try object(.sem, 5, in: topology).key == 0, "the same id in another kind is another object: IPC_PRIVATE")
        #expect(try object(.shm, 7, in: topology).key == 0x99)
        #expect(topology.sysv.count == 3, "the failed msgget made no object: \(topology.sysv)")
        #expect(try object(.shm, 7, in: topology).users == [51: [.shmget: 1]])
    }

    @Test("per process, the successful calls on each object, counted; an object used without a traced *get has no key")
    func callCounts() throws {
        let send = Call.msgsnd(msqid: 5, msgp: 0x1000, message: nil, msgsz: 8, flags: 0)
        let receive = Call.msgrcv(msqid: 5, msgp: 0x1000, message: nil, msgsz: 8, msgtyp: 0, flags: 0)
        let topology = fold([
            event(.msgget(key: 0, flags: 0o1600), pid: 60, result: .success(5)),
            event(send, pid: 61, ppid: 60), event(send, pid: 61, ppid: 60), event(send, pid: 61, ppid: 60),
            event(receive, pid: 60, result: .success(8)), event(receive, pid: 60, result: .success(8)),
            event(receive, pid: 60, result: .failure(Errno(rawValue: EINTR))),
            event(.msgctl(msqid: 5, command: 0, buf: 0, contents: nil), pid: 60),
            event(.semop(semid: 2, sops: 0x2000, operations: nil, nsops: 1), pid: 62),
            event(.semctl(semid: 2, semnum: 0, command: 0, arg: 0, argByReference: false, contents: nil), pid: 62),
            event(.shmctl(shmid: 3, command: 0, buf: 0, contents: nil), pid: 62),
        ])
        let queue = try object(.msg, 5, in: topology)
        #expect(queue.users == [60: [.msgget: 1, .msgrcv: 2, .msgctl: 1], 61: [.msgsnd: 3]], "the failed msgrcv is not counted")
        let semaphores = try object(.sem, 2, in: topology)
        #expect(semaphores.key == nil)
        #expect(semaphores.users == [62: [.semop: 1, .semctl: 1]])
        #expect(try object(.shm, 3, in: topology).users == [62: [.shmctl: 1]])
        #expect(topology.sysv.count == 3)
    }

    @Test("*_INFO never names an object, *_STAT(index) names the id it returned, IPC_64 ignored; IPC_STAT and IPC_RMID take ids")
    func controlCommands() throws {
        let topology = fold([
            // ipcrm -a: the limits, then each index's id, then remove by id.
            event(.msgctl(msqid: 0, command: 3, buf: 0, contents: nil), pid: 70, result: .success(0)),     // IPC_INFO
            event(.msgctl(msqid: 0, command: 12, buf: 0, contents: nil), pid: 70, result: .success(0)),    // MSG_INFO
            event(.msgctl(msqid: 0, command: 11, buf: 0, contents: nil), pid: 70, result: .success(32768)), // MSG_STAT 0
            event(.msgctl(msqid: 32768, command: 0, buf: 0, contents: nil), pid: 70),                      // IPC_RMID
            event(.semctl(semid: 0, semnum: 0, command: 19 | 0x100, arg: 0, argByReference: true, contents: nil), pid: 70),
            event(.semctl(semid: 1, semnum: 0, command: 20, arg: 0, argByReference: false, contents: nil), pid: 70, result: .success(9)),
            event(.shmctl(shmid: 0, command: 14, buf: 0, contents: nil), pid: 70, result: .success(1)),    // SHM_INFO
            event(.shmctl(shmid: 0, command: 13, buf: 0, contents: nil), pid: 70, result: .failure(Errno(rawValue: EINVAL))), // SHM_STAT, none
            event(.shmctl(shmid: 4, command: 2, buf: 0, contents: nil), pid: 70),                          // IPC_STAT 4
        ])
        #expect(topology.sysv.map { "\($0.kind) \($0.id)" } == ["msg 32768", "sem 9", "shm 4"])
        #expect(try object(.msg, 32768, in: topology).users == [70: [.msgctl: 2]])
    }

    @Test("shmdt is matched to its segment through the address shmat returned, in that process or its parent")
    func shmdtThroughShmat() throws {
        let (first, second): (UInt64, UInt64) = (0x7f00_0000_0000, 0x7f00_0001_0000)
        let topology = fold([
            event(.shmat(shmid: 7, shmaddr: 0, flags: 0), pid: 70, result: .success(Int64(bitPattern: first))),
            event(.shmat(shmid: 8, shmaddr: 0, flags: 0), pid: 70, result: .success(Int64(bitPattern: second))),
            event(.shmdt(shmaddr: second), pid: 70),
            // A forked child detaches what its parent attached before the fork.
            event(.shmdt(shmaddr: first), pid: 71, ppid: 70),
            // An unrelated process detaching an address the others used: not their segment.
            event(.shmdt(shmaddr: first), pid: 72, ppid: 1),
            // An address nobody attached names no segment.
            event(.shmdt(shmaddr: 0x1234_0000), pid: 70),
        ])
        #expect(try object(.shm, 7, in: topology).users == [70: [.shmat: 1], 71: [.shmdt: 1]])
        #expect(try object(.shm, 8, in: topology).users == [70: [.shmat: 1, .shmdt: 1]])
        #expect(topology.sysv.count == 2)
    }

    // MARK: Processes

    @Test("a process's ppid, comm and argv0 are the last seen (an empty argv0 does not erase one); its exit code from its exit record")
    func processes() throws {
        let topology = fold([
            event(.pipe2(.fds(read: 3, write: 4), flags: 0), pid: 80, ppid: 1, comm: "sh"),
            snapshot(.exec, pid: 81, ppid: 80, comm: "cat", argv0: "/bin/cat"),
            snapshot(.exit, pid: 81, ppid: 80, comm: "cat", argv0: ""),  // a zombie's empty cmdline
            snapshot(.exec, pid: 80, ppid: 1, comm: "wc", argv0: "wc"),  // sh exec'd wc
            event(.msgget(key: 0, flags: 0), pid: 82, ppid: 80, comm: "ipcmk", result: .success(1)),
            .exit(threadID: 80, status: .exited(3)),
            .exit(threadID: 81, status: .signaled(SIGPIPE, coreDumped: false)),
            .exit(threadID: 83, status: .exited(9)),  // a thread, not a process seen in any record
        ])
        #expect(Set(topology.processes.keys) == [80, 81, 82], "a thread's exit makes no process")
        let sh = try #require(topology.processes[80])
        #expect(sh.ppid == 1 && sh.comm == "wc" && sh.argv0 == "wc", "after the exec: \(sh)")
        #expect(sh.termination == .exited(3))
        let cat = try #require(topology.processes[81])
        #expect(cat.ppid == 80 && cat.comm == "cat" && cat.argv0 == "/bin/cat", "\(cat)")
        #expect(cat.termination == .signaled(SIGPIPE, coreDumped: false))
        let ipcmk = try #require(topology.processes[82])
        #expect(ipcmk.ppid == 80 && ipcmk.comm == "ipcmk" && ipcmk.argv0 == "", "no snapshot read its argv0")
        #expect(ipcmk.termination == nil, "no exit record: still running when the trace stopped")
    }

    @Test("a reparented process takes its new ppid")
    func reparented() throws {
        let topology = fold([
            snapshot(.exec, pid: 90, ppid: 89, comm: "daemon", argv0: "daemon"),
            event(.pipe2(.fds(read: 3, write: 4), flags: 0), pid: 90, ppid: 1, comm: "daemon"),
        ])
        #expect(topology.processes[90]?.ppid == 1)
        #expect(topology.processes[90]?.argv0 == "daemon")
    }
}
