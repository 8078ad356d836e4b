@testable import IPCWatch
import Testing

/// The flow matchers of `--timeline`, fed in the orders the tracer can deliver records in (a receive's
/// exit is often seen before its send's): each arrow must join the calls that moved the same message.
@Suite struct TimelineFlowTests {
    typealias Place = TraceEventWriter.Place
    static func place(_ tid: Int32, _ start: UInt64, _ duration: UInt64 = 10) -> Place {
        Place(processID: tid, threadID: tid, start: start, duration: duration)
    }

    @Test("messages join first in first out per (queue, type), whichever side is seen first")
    func messagesByType() {
        var flows = MessageFlows()
        let key = { (type: Int64) in MessageFlows.Key(queue: 7, selector: type) }
        #expect(flows.send(key(1), at: Self.place(1, 100)) == nil)
        #expect(flows.send(key(2), at: Self.place(1, 200)) == nil)
        #expect(flows.send(key(1), at: Self.place(1, 300)) == nil)
        // A receive of type 1 takes the first type-1 message, not the type-2 one sent before the second.
        #expect(flows.receive(key(1), at: Self.place(2, 400)) == Self.place(1, 100))
        #expect(flows.receive(key(1), at: Self.place(2, 500)) == Self.place(1, 300))
        // Seen before its send: the send finds it.
        #expect(flows.receive(key(3), at: Self.place(2, 600)) == nil)
        #expect(flows.send(key(3), at: Self.place(1, 590)) == Self.place(2, 600))
        // Another queue, or a removed one, joins nothing.
        #expect(flows.receive(MessageFlows.Key(queue: 8, selector: 2), at: Self.place(2, 700)) == nil)
        flows.removeQueue(7)
        #expect(flows.receive(key(2), at: Self.place(2, 800)) == nil)
    }

    @Test("bytes join each write to every read that took part of it, in either order")
    func byteStreams() {
        var flows = ByteStreamFlows()
        // Writes of 10 and 3 bytes, reads of 7, 7, 7 (the last reaches past what is written so far).
        #expect(flows.wrote(10, into: 5, at: Self.place(1, 100)).isEmpty)
        #expect(flows.read(7, from: 5, at: Self.place(2, 110)) == [Self.place(1, 100)])
        #expect(flows.read(7, from: 5, at: Self.place(2, 120)) == [Self.place(1, 100)])  // bytes 7..<14: 3 written yet
        #expect(flows.wrote(3, into: 5, at: Self.place(1, 130)) == [Self.place(2, 120)])
        #expect(flows.read(6, from: 5, at: Self.place(2, 140)).isEmpty, "bytes 14..<20 not written yet")
        #expect(flows.wrote(20, into: 5, at: Self.place(1, 150)) == [Self.place(2, 120), Self.place(2, 140)])
        // Another channel keeps its own offsets.
        #expect(flows.read(4, from: 6, at: Self.place(3, 160)).isEmpty)
        #expect(flows.wrote(4, into: 6, at: Self.place(1, 170)) == [Self.place(3, 160)])
    }

    @Test("channels written but never read (an untraced reader) are forgotten past the limit, least recently used first")
    func unreadChannels() {
        var flows = ByteStreamFlows(channelLimit: 100)
        for inode in UInt64(1)...1000 { _ = flows.wrote(1, into: inode, at: Self.place(1, inode)) }
        #expect(flows.channelCount <= 100)
        // The channel used last is still there: its read joins.
        #expect(flows.read(1, from: 1000, at: Self.place(2, 2000)) == [Self.place(1, 1000)])
    }

    @Test("a raise joins the wait that was blocked when it entered; a raise of N releases at most N")
    func semaphores() {
        var flows = SemaphoreFlows()
        let down = [SemaphoreOperation(number: 0, operation: -1, flags: 0)]
        let up = [SemaphoreOperation(number: 0, operation: 1, flags: 0)]
        // Two waits blocked from 100 and 110 until 500 and 510; the raise at 300 is seen after the first wait.
        #expect(flows.add(set: 3, operations: down, place: Self.place(2, 100, 400), entry: 100, exit: 500).isEmpty)
        #expect(flows.add(set: 3, operations: down, place: Self.place(3, 110, 400), entry: 110, exit: 510).isEmpty)
        let raised = flows.add(set: 3, operations: up, place: Self.place(1, 300), entry: 300, exit: 310)
        #expect(raised.map(\.to) == [Self.place(2, 100, 400)], "one raise, one release")
        // A wait that came after the raise entered was not released by it.
        #expect(flows.add(set: 3, operations: up, place: Self.place(1, 600), entry: 600, exit: 610).isEmpty)
        // Another semaphore of the set is another key.
        let other = [SemaphoreOperation(number: 1, operation: -1, flags: 0)]
        #expect(flows.add(set: 3, operations: other, place: Self.place(4, 590, 100), entry: 590, exit: 690).isEmpty)
    }

    @Test("timestamps keep their nanoseconds: microseconds with three decimals from the origin")
    func microseconds() {
        var json = JSONWriter()
        json.beginArray()
        json.microseconds(1_234_567)
        json.microseconds(-5)
        json.microseconds(42_000)
        json.endArray()
        #expect(json.output == "[1234.567,-0.005,42.000]")
    }
}
