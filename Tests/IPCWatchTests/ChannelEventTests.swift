import Foundation
import IPCWatchTestSupport
import Testing

/// POSIX message queues, splicing and futexes, each checked against what the traced program logs itself.
@Suite("POSIX mq, splice, futex events")
struct ChannelEventTests {
    /// A Python program on librt's mq_* through ctypes: it prints each call's result and what it received.
    static let pythonQueue = """
        import ctypes, os
        rt = ctypes.CDLL("librt.so.1", use_errno=True)
        rt.mq_open.restype = ctypes.c_int
        rt.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
        rt.mq_send.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint]
        rt.mq_receive.restype = ctypes.c_ssize_t
        rt.mq_receive.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_uint)]
        name = b"/ipcwatch-py-%d" % os.getpid()
        q = rt.mq_open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600, None)
        print("open", q)
        for prio, text in ((4, b"from python"), (9, b"urgent")):
            print("send", rt.mq_send(q, text, len(text), prio), prio, text.decode())
        buffer, prio = ctypes.create_string_buffer(8192), ctypes.c_uint()
        for _ in range(2):
            n = rt.mq_receive(q, buffer, 8192, ctypes.byref(prio))
            print("receive", n, prio.value, buffer.raw[:n].decode())
        os.close(q)
        print("unlink", rt.mq_unlink(name))
        """

    @Test("python's ctypes mq_*: the descriptor, texts, priorities and results it printed are the events")
    func pythonMessageQueue() throws {
        let (result, events) = Support.trace(["python3", "-c", Self.pythonQueue])
        try #require(result.status == 0, "\(result.stderr)")
        let said = result.stdout.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 3).map(String.init) }
        let pid = try #require(events.first { $0.eventName == "mq_open" }?.pid)
        let own = events.filter { $0.pid == pid && $0.eventName.hasPrefix("mq_") }
        let open = try #require(own.first { $0.eventName == "mq_open" })
        #expect(said[0] == ["open", String(open.returnValue)])
        #expect(open.argument("name") as? String == "ipcwatch-py-\(pid)", "the kernel's name: glibc drops the slash")
        #expect(open.argument("oflag") as? Int == 0o302 && open.argument("mode") as? Int == 0o600)
        let sends = own.filter { $0.eventName == "mq_timedsend" }
        #expect(sends.map { [String($0.returnValue), String($0.argument("msg_prio") as? Int ?? -1), $0.argument("msg_ptr") as? String ?? ""] }
                == said.filter { $0[0] == "send" }.map { Array($0.dropFirst()) })
        #expect(sends.allSatisfy { $0.argument("mqdes") as? Int == open.returnValue })
        let receives = own.filter { $0.eventName == "mq_timedreceive" }
        let decoded = receives.map { ($0["decoded"] as? [String: Any])?["msg_prio"] as? Int ?? -1 }
        #expect(zip(receives, decoded).map { [String($0.returnValue), String($1), $0.argument("msg_ptr") as? String ?? ""] }
                == said.filter { $0[0] == "receive" }.map { Array($0.dropFirst()) }, "highest priority first, as python saw")
        #expect(own.filter { $0.eventName == "mq_unlink" }.map { String($0.returnValue) } == [said.last?.last ?? ""])
    }

    @Test("the C fixture's mq_* calls: each logged result and errno is an event's, in order")
    func fixtureMessageQueue() throws {
        let log = Support.newLog()
        let (result, events) = Support.trace([Support.fixture, "mq"], environment: ["IPC_FIXTURE_LOG": log])
        try #require(result.status == 0, "\(result.stderr)")
        let logged = Support.lines(log).filter { $0[0].hasPrefix("mq_") && $0[0] != "mq_attr" }
        let traced = events.filter { $0.eventName.hasPrefix("mq_") }
        #expect(logged.count == 24)
        // glibc's mq_* return -1 and set errno; the kernel returned -errno.
        #expect(traced.map { [$0.eventName, String($0.returnValue)] }
                == logged.map { [$0[0], $0[3] == "-1" ? String(-Int($0[4])!) : $0[3]] })
        let attr = try #require(Support.lines(log).first { $0[0] == "mq_attr" })
        let got = try #require(traced.first { $0.eventName == "mq_getsetattr" }?["decoded"] as? [String: Any])
        let old = try #require(got["oldattr"] as? [String: Any])
        #expect([old["mq_flags"], old["mq_maxmsg"], old["mq_msgsize"], old["mq_curmsgs"]].map { "\($0 ?? "")" } == Array(attr.dropFirst()))
    }

    @Test("splice/tee/vmsplice: the bytes each moved are what the program counted, offsets as it set them")
    func splicePipeline() throws {
        let log = Support.newLog()
        let (result, events) = Support.trace([Support.fixture, "splice"], environment: ["IPC_FIXTURE_LOG": log])
        try #require(result.status == 0, "\(result.stderr)")
        let logged = Support.lines(log).filter { ["splice", "tee", "vmsplice"].contains($0[0]) }
        let traced = events.filter { ["splice", "tee", "vmsplice"].contains($0.eventName) }
        #expect(traced.map { [$0.eventName, String($0.returnValue)] }
                == logged.map { [$0[0], $0[3] == "-1" ? String(-Int($0[4])!) : $0[3]] })
        #expect(Support.lines(log).filter { $0[0] == "read" }.map { $0[3] } == ["5", "12"], "the data went through")
        let first = try #require(traced.first { $0.eventName == "splice" }?["decoded"] as? [String: Any])
        #expect(first["off_out"] as? Int == 4, "the offset as it was on entry (the kernel moved it to 16)")
    }

    @Test("futex under -e futex: the wait/wake pair of two threads, each on its own thread, results as logged")
    func futexPair() throws {
        let log = Support.newLog()
        let (result, events) = Support.trace([Support.fixture, "futex"], options: ["-e", "futex"],
                                             environment: ["IPC_FIXTURE_LOG": log])
        try #require(result.status == 0, "\(result.stderr)")
        #expect(Set(events.map(\.eventName)) == ["futex"], "-e futex is futex alone")
        let lines = Support.lines(log).filter { $0[0] == "futex" }
        let waiter = try #require(lines.first { $0[3] == "FUTEX_WAIT_PRIVATE" })
        let waker = try #require(lines.first { $0[3] == "FUTEX_WAKE_PRIVATE" })
        let op = { (event: [String: Any]) in (event["decoded"] as? [String: Any])?["futex_op"] as? String }
        let wait = try #require(events.first { $0.tid == Int(waiter[2]) && op($0) == "FUTEX_WAIT_PRIVATE" })
        let wake = try #require(events.first { $0.tid == Int(waker[2]) && op($0) == "FUTEX_WAKE_PRIVATE" })
        #expect(wait.tid != wake.tid && wait.pid == wake.pid, "two threads of one process")
        #expect(wait.argument("uaddr") as? Int == wake.argument("uaddr") as? Int, "the same futex word")
        #expect(String(wait.returnValue) == waiter[4] && String(wake.returnValue) == waker[4], "woken 1, waited 0")
        #expect(events.filter { $0.pid == wait.pid }.count >= lines.count, "every logged futex call was seen")
    }

    @Test("without -e, a program's futexes are not traced (nor the robust lists glibc sets up)")
    func futexNotDefault() throws {
        let (result, events) = Support.trace([Support.fixture, "futex"])
        try #require(result.status == 0, "\(result.stderr)")
        #expect(!events.contains { ["futex", "set_robust_list", "get_robust_list"].contains($0.eventName) })
    }
}
