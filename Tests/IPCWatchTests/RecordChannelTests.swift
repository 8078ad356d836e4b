import Glibc
import Synchronization
import Testing
import IPCWatchTestSupport
@testable import IPCWatch

/// `RecordChannel` without a tracer: a producer thread plays the tracer, tasks the consumers.
@Suite("RecordChannel")
struct RecordChannelTests {
    static func exit(_ tid: Int32) -> TraceRecord { .exit(threadID: tid, status: .exited(0)) }
    static let snapshot = TraceRecord.snapshot(ProcessSnapshot(moment: .exec, processID: 1, parentProcessID: 0,
                                                               processName: "x", argv0: "x", pipes: []))

    @Test("records come out in the order they went in, then the end")
    func ordering() async throws {
        let channel = RecordChannel(capacity: 16, waker: try Waker())
        for tid: Int32 in 1...5 { #expect(channel.receive(Self.exit(tid)) == .proceed) }
        channel.finish(.success(.exited(.exited(0))))
        var seen: [Int32] = []
        while case .success(let record?) = await channel.next() {
            if case .exit(let tid, _) = record { seen.append(tid) }
        }
        #expect(seen == [1, 2, 3, 4, 5])
        #expect(await channel.outcome() == .success(.exited(.exited(0))))
    }

    @Test("a full buffer holds the producer until a consumer takes a record")
    func capacity() async throws {
        let channel = RecordChannel(capacity: 2, waker: try Waker())
        let sent = Atomic<Int>(0)
        try TracerThread.start {
            for tid: Int32 in 1...3 where channel.receive(Self.exit(tid)) == .proceed { sent.add(1, ordering: .relaxed) }
        }
        try await waitUntil(deadline: .seconds(10), message: "two records are queued") { sent.load(ordering: .relaxed) == 2 }
        // The third waits for room: it cannot be observed not happening, only not having happened yet.
        try await Task.sleep(for: .milliseconds(100))
        #expect(sent.load(ordering: .relaxed) == 2, "the producer waits while the buffer is full")
        guard case .success(let first?) = await channel.next() else { Issue.record("no record"); return }
        #expect(first == Self.exit(1))
        try await waitUntil(deadline: .seconds(10), message: "the third record is queued once there is room") { sent.load(ordering: .relaxed) == 3 }
        channel.finish(.success(.exited(.exited(0))))
    }

    @Test("cancelling releases a waiting producer, ends the sequence and records the reason in the waker")
    func cancellation() async throws {
        let waker = try Waker()
        let channel = RecordChannel(capacity: 1, waker: waker)
        let replies = Mutex<[TraceSinkReply]>([])
        try TracerThread.start {
            for tid: Int32 in 1...2 { let reply = channel.receive(Self.exit(tid)); replies.withLock { $0.append(reply) } }
        }
        try await waitUntil(deadline: .seconds(10), message: "the first record is queued") { replies.withLock { $0.count } == 1 }
        #expect(waker.reason == nil)
        channel.cancel()
        try await waitUntil(deadline: .seconds(10), message: "the waiting producer is released") { replies.withLock { $0.count } == 2 }
        #expect(replies.withLock { $0 } == [.proceed, .stop], "the record sent after cancellation is refused")
        #expect(waker.reason == .cancelled)
        #expect(await channel.next() == .success(nil), "queued records are dropped: the sequence ends")
    }

    @Test("burst rule: a waiting consumer is woken once per burst, by an event or exit, never by a snapshot alone")
    func burst() async throws {
        let channel = RecordChannel(capacity: 16, waker: try Waker())
        #expect(!channel.hasDeferredWork, "nobody waits")
        let consumer = Task { await channel.next() }
        try await waitUntil(deadline: .seconds(10), message: "the consumer waits") { channel.waitingConsumers == 1 }
        #expect(channel.receive(Self.snapshot) == .proceed)
        #expect(!channel.hasDeferredWork, "a snapshot alone wakes nobody")
        #expect(channel.receive(Self.exit(7)) == .proceed)
        #expect(channel.receive(Self.exit(8)) == .proceed)
        #expect(channel.hasDeferredWork, "queued exits and a waiting consumer: the tracer should deliver before it blocks")
        channel.tracerWillWait()
        #expect(await consumer.value == .success(Self.snapshot), "the consumer gets the first queued record")
        #expect(!channel.hasDeferredWork, "delivered: nobody waits any more")
        // The rest is taken without waiting.
        #expect(await channel.next() == .success(Self.exit(7)))
        #expect(await channel.next() == .success(Self.exit(8)))
        channel.finish(.success(.cancelled))
        #expect(await channel.next() == .success(nil))
    }
}
