import Testing
@testable import IPCWatch

/// The bookkeeping of who the loop still waits for, with stops in the orders the kernel may report them.
@Suite("Tracees")
struct TraceesTests {
    @Test("a child reported after its parent's fork event is waited for until it ends")
    func announcedFirst() {
        var tracees = Tracees([10])
        tracees.announce(11)
        #expect(tracees.contains(11))
        let first = tracees.stopped(11), second = tracees.stopped(11)
        #expect(first, "its first stop is new")
        #expect(!second)
        tracees.remove(11)
        tracees.remove(10)
        #expect(tracees.isEmpty)
    }

    @Test("a child that stops and ends before its parent's event is not brought back by that event")
    func endedBeforeAnnounced() {
        var tracees = Tracees([10])
        _ = tracees.stopped(11)
        tracees.remove(11)
        tracees.announce(11)
        #expect(!tracees.contains(11))
        tracees.remove(10)
        #expect(tracees.isEmpty)
    }

    @Test("a vfork child that execs and ends before its parent's event is not waited for (found hanging on sh)")
    func execBeforeAnnounced() {
        var tracees = Tracees([10])
        _ = tracees.stopped(11)
        tracees.execTookOver(11, by: 11)
        tracees.remove(11)
        tracees.announce(11)
        #expect(!tracees.contains(11), "the loop would wait for a process that is gone")
    }

    @Test("after an exec by a non-leader thread, the leader's tid replaces the thread's")
    func execByThread() {
        var tracees = Tracees([10, 12])
        tracees.execTookOver(12, by: 10)
        #expect(tracees.contains(10) && !tracees.contains(12))
        let isNew = tracees.stopped(10)
        #expect(!isNew, "the leader counts as seen")
    }
}
