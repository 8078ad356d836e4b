import Foundation
import IPCWatch
import IPCWatchTestSupport
import Testing

/// FIFOs and Unix socket pairs in ``ProcessSnapshot/channels``, against what the traced program says about its
/// own descriptors (`os.fstat`'s inodes), and the peer the kernel's socket diagnostics report.
@Suite("Channel snapshots", .timeLimit(.minutes(10)))
struct ChannelSnapshotTests {
    @Test("a socketpair shared with a child and a FIFO: inodes, peers, ends and the path")
    func socketPairAndFIFO() async throws {
        let log = Support.newLog(), fifo = Support.newPath("fifo", extension: "fifo")
        // The child writes through one socket of the pair and the FIFO, then exits: its exit snapshot shows
        // what it held. The parent logs the inodes as the kernel gave them to it.
        let script = """
            import os, socket, sys
            log, fifo = sys.argv[1], sys.argv[2]
            os.mkfifo(fifo)
            a, b = socket.socketpair()
            pid = os.fork()
            if pid == 0:
                a.close()
                w = os.open(fifo, os.O_WRONLY)
                b.sendall(b"ping"); os.write(w, b"pong")
                os._exit(0)
            b_inode = os.fstat(b.fileno()).st_ino
            b.close()
            r = os.open(fifo, os.O_RDONLY)
            got = a.recv(4) + os.read(r, 4)
            os.waitpid(pid, 0)
            with open(log, "w") as f:
                print(pid, os.fstat(a.fileno()).st_ino, b_inode, os.stat(fifo).st_ino, got.decode(), file=f)
            """
        let session = try await Tracer(options: TraceOptions(processSnapshots: true))
            .launch(["python3", "-c", script, log, fifo])
        var snapshots: [ProcessSnapshot] = []
        for try await record in session {
            if case .snapshot(let snapshot) = record { snapshots.append(snapshot) }
        }
        #expect(try await session.outcome == .exited(.exited(0)))
        let said = try #require(Support.lines(log).first)
        #expect(said.count == 5 && said[4] == "pingpong")
        let child = try #require(Int32(said[0])), parentSocket = try #require(UInt64(said[1]))
        let childSocket = try #require(UInt64(said[2])), fifoInode = try #require(UInt64(said[3]))

        let atExit = try #require(snapshots.last { $0.processID == child && $0.moment == .exit })
        let socket = try #require(atExit.channels.first { $0.kind == .unix }, "the child's socket, at its exit")
        #expect(socket.inode == childSocket)
        #expect(socket.peerInode == parentSocket, "the kernel's socket diagnostics name the parent's socket as the peer")
        #expect(socket.end == nil && socket.path == nil, "an unbound socket reads and writes")
        let writeEnd = try #require(atExit.channels.first { $0.kind == .fifo })
        #expect(writeEnd.inode == fifoInode)
        #expect(writeEnd.end == .write)
        #expect(writeEnd.path == fifo)
        #expect(atExit.pipes.allSatisfy { $0.inode != fifoInode }, "a FIFO is a channel, not an anonymous pipe")
    }
}
