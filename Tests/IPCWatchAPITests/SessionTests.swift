import Foundation
import IPCWatch
import IPCWatchTestSupport
import Testing

/// The library through its public API only: launch, attach, cancellation, back-pressure, errors.
/// A session that never ends fails its test at the time limit (its task is cancelled, which ends the session).
@Suite("Library API", .timeLimit(.minutes(10)))
struct SessionTests {
    /// `env IPC_FIXTURE_LOG=log fixture arguments...`: the command and the log it writes.
    private func fixture(_ arguments: String...) -> (command: [String], log: String) {
        let log = Support.newLog()
        return (["env", "IPC_FIXTURE_LOG=\(log)", Support.fixture] + arguments, log)
    }

    @Test("launch: every pipe the program logged, with its fds, pid and tid, then the exit status")
    func launch() async throws {
        let (command, log) = fixture("threads", "3", "20")
        let session = try await Tracer().launch(command)
        var traced: [[String]] = []
        var exits: [Int32: TerminationStatus] = [:]
        for try await record in session {
            switch record {
            case .event(let event):
                guard case .pipe2(.fds(let read, let write), _) = event.call else {
                    guard case .pipe(.fds(let read, let write)) = event.call else { continue }
                    traced.append(["pipe", "\(event.processID)", "\(event.threadID)", "\(read)", "\(write)"])
                    continue
                }
                #expect(event.result == .success(0))
                #expect(event.processName == "ipc_fixture")
                traced.append(["pipe2", "\(event.processID)", "\(event.threadID)", "\(read)", "\(write)"])
            case .exit(let tid, let status):
                exits[tid] = status
            case .signal:
                break  // the threads' SIGCHLDs, if any
            case .snapshot, .usage, .blocking, .lifecycle, .transfer:
                Issue.record("snapshots, usage, blocking calls, lifecycle and transfers come only when TraceOptions asks for them")
            case .superseded:
                Issue.record("no thread but the leader execs here")
            }
        }
        let logged = Support.lines(log)
        #expect(logged.count == 3 * 20 * 2)
        #expect(traced.sorted { $0.joined(separator: " ") < $1.joined(separator: " ") }
                == logged.sorted { $0.joined(separator: " ") < $1.joined(separator: " ") })
        #expect(try await session.outcome == .exited(.exited(0)))
        let pid = try #require(Int32(logged[0][1]))
        #expect(exits[pid] == .exited(0), "the process's own exit record")
        #expect(exits.count == 4, "the main thread and three workers")
    }

    @Test("the command's exit status and death by signal are the outcome")
    func outcome() async throws {
        let exited = try await Tracer().launch(["sh", "-c", "exit 7"])
        for try await _ in exited {}
        #expect(try await exited.outcome == .exited(.exited(7)))
        let killed = try await Tracer().launch(["sh", "-c", "kill -TERM $$"])
        for try await _ in killed {}
        #expect(try await killed.outcome == .exited(.signaled(SIGTERM, coreDumped: false)))
    }

    @Test("errors are typed: command not found, nothing to run, no such process")
    func errors() async throws {
        await #expect(throws: IPCWatchError.cannotRun(command: "/nonexistent/program", errno: .noSuchFile)) {
            _ = try await Tracer().launch(["/nonexistent/program"])
        }
        await #expect(throws: IPCWatchError.invalidRequest("no command given")) {
            _ = try await Tracer().launch([])
        }
        await #expect(throws: IPCWatchError.cannotAttach(pid: 2_147_483_646, reason: "No such process")) {
            _ = try await Tracer().attach([2_147_483_646])
        }
        do {
            _ = try await Tracer().launch(["/nonexistent/program"])
        } catch {
            // Typed throws: `error` is an IPCWatchError here, with the CLI's message and exit code.
            #expect(error.description == "cannot run '/nonexistent/program': No such file or directory")
            #expect(error.exitCode == 127)
        }
    }

    @Test("a launched command gets the host's 0, 1 and 2 only, not its other descriptors")
    func descriptors() async throws {
        // A descriptor the host holds without close-on-exec, as Foundation's Process does for its children.
        var held: [Int32] = [-1, -1]
        #expect(pipe(&held) == 0)
        defer { close(held[0]); close(held[1]) }
        let listing = Support.newLog()
        let session = try await Tracer().launch(["sh", "-c", "ls /proc/$$/fd > \(listing)"])
        for try await _ in session {}
        #expect(try await session.outcome == .exited(.exited(0)))
        // The shell's own descriptors: the standard three and the redirection's file while ls runs.
        let fds = Support.lines(listing).flatMap { $0 }.compactMap { Int32($0) }
        #expect(!fds.contains(held[0]) && !fds.contains(held[1]), "the host's pipe leaked: \(fds)")
        #expect(fds.filter { $0 > 2 }.count <= 1, "only the redirection beyond 0-2: \(fds)")
    }

    @Test("a process's exit reaches the consumer while the program goes on, with no later event",
          .timeLimit(.minutes(5)))
    func exitWithoutLaterEvent() async throws {
        // The subshell exits with 3; then the program waits for ever and makes no watched call. An exit
        // record that waited for the next event would never come (the time limit fails the test).
        let session = try await Tracer().launch(["sh", "-c", "(exit 3); exec sleep infinity"])
        var exited: TerminationStatus?
        for try await record in session {
            if case .exit(_, let status) = record {
                exited = status
                break
            }
        }
        #expect(exited == .exited(3))
        session.cancel()
        #expect(try await session.outcome == .cancelled)
    }

    @Test("cancelling the consuming task kills a launched command and ends the session")
    func cancelLaunch() async throws {
        let session = try await Tracer().launch([Support.fixture, "block"])
        let (seen, seenContinuation) = AsyncStream.makeStream(of: Int32.self)
        let consumer = Task {
            var count = 0
            for try await event in session.events {
                count += 1
                if count == 2 { seenContinuation.yield(event.processID) }
            }
            return count
        }
        var iterator = seen.makeAsyncIterator()
        let pid = try #require(await iterator.next())
        consumer.cancel()
        #expect(try await consumer.value == 2, "the sequence ended: the program blocks for ever after its two pipes")
        #expect(try await session.outcome == .cancelled)
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "killed and reaped")
    }

    @Test("cancelling an attached session detaches: the process runs on untraced")
    func cancelAttach() async throws {
        let target = try Child([Support.fixture, "reader"])
        let pid = try #require(target.readLine().flatMap { Int32($0) })

        let session = try await Tracer().attach([pid])
        #expect(Proc.status("TracerPid", of: pid) != "0")
        let consumer = Task { for try await _ in session {} }
        consumer.cancel()
        try await consumer.value
        #expect(try await session.outcome == .cancelled)
        #expect(Proc.status("TracerPid", of: pid) == "0", "detached")

        target.write("hello\n")
        var rest: [String] = []
        while let line = target.readLine() { rest.append(line) }
        #expect(target.wait() == (0, false))
        #expect(rest == ["read 6 hello"], "its read(2), in progress across attach and detach, completed normally")
    }

    @Test("a consumer that does not read holds the program at the buffer's capacity; nothing is lost")
    func backPressure() async throws {
        let capacity = 8
        let (command, log) = fixture("threads", "1", "20")  // 40 events, logged as they return
        let session = try await Tracer(options: TraceOptions(bufferCapacity: capacity)).launch(command)
        // The tracer queues `capacity` events and waits to queue the next one, whose thread it has already
        // resumed: the program has logged exactly `capacity + 1` calls, and its next call waits at its
        // seccomp stop while nobody reads.
        let held = capacity + 1
        try await waitUntil(deadline: .seconds(30),
                            message: "the program logged \(held) calls (it logged \(Support.lines(log).count))") {
            Support.lines(log).count >= held
        }
        // Then it stays there: watched for 300 ms (a bounded look, not a synchronisation).
        let observeUntil = ContinuousClock.now + .milliseconds(300)
        while ContinuousClock.now < observeUntil {
            #expect(Support.lines(log).count == held)
            try await Task.sleep(for: .milliseconds(2))
        }
        var events = 0
        for try await _ in session.events { events += 1 }
        #expect(events == 40)
        #expect(Support.lines(log).count == 40)
        #expect(try await session.outcome == .exited(.exited(0)))
    }

    @Test("Codable gives the --json object; decoding it back gives the event; descriptions are the text lines")
    func coding() async throws {
        // Every call family, flag and error path, i386 ipc() forms included.
        let session = try await Tracer().launch([Support.fixture, "everything"])
        var events: [Event] = []
        for try await event in session.events { events.append(event) }
        #expect(events.count > 80)
        #expect(Set(events.map(\.call.syscall)).isSuperset(of: Syscall.defaultSelection.subtracting([.ipc])),
                "every event of the default selection (futexes are not in it)")
        let json = TraceeJSONFormat(), text = TextFormat()
        for event in events {
            let encoded = try JSONEncoder().encode(event)
            let cli = Data(json.line(for: event).utf8)
            #expect(try NSDictionary(dictionary: object(encoded)) == NSDictionary(dictionary: object(cli)))
            let decoded = try JSONDecoder().decode(Event.self, from: encoded)
            #expect(try object(JSONEncoder().encode(decoded)) as NSDictionary == object(encoded) as NSDictionary,
                    "what the schema carries survives a round trip")
            #expect(decoded == event, "the whole event, memory read behind pointers included (our decoded key)")
            #expect(event.description == text.line(for: event))
        }
    }

    @Test("i386 _time32 events (Tracee's mq_timedsend_time32, futex_time32...), zero-extended longs, and memory that ended inside a message or an array survive a round trip",
          arguments: ["i386families", "i386msgrcv", "edges"])
    func codingI386(mode: String) async throws {
        let session = try await Tracer(options: TraceOptions(events: Set(Syscall.allCases))).launch([Support.fixture, mode])
        var events: [Event] = []
        for try await event in session.events { events.append(event) }
        #expect(events.count >= 6)
        for event in events {
            let encoded = try JSONEncoder().encode(event)
            let decoded = try JSONDecoder().decode(Event.self, from: encoded)
            #expect(decoded == event, "\(String(decoding: encoded, as: UTF8.self))")
        }
    }

    private func object(_ data: Data) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}
