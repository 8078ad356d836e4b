import Foundation
import IPCWatchTestSupport
import Testing

/// What a trace left behind: the SysV objects and POSIX queues it created and did not remove, listed after
/// the exit lines, in `-c` and in the graph's JSON; checked against what the programs print and `ipcs`.
@Suite("Left behind: SysV objects and POSIX queues created and not removed")
struct LeftoverTests {
    /// What `ipc_fixture leftover` printed: "creator PID", "msg ID KEY", … by first word.
    private struct Made {
        let values: [String: [String]]
        init(_ stdout: String) {
            var values: [String: [String]] = [:]
            for line in stdout.split(separator: "\n") {
                let words = line.split(separator: " ").map(String.init)
                if let first = words.first { values[first] = Array(words.dropFirst()) }
            }
            self.values = values
        }
        func int(_ name: String, _ index: Int = 0) -> Int? { values[name].flatMap { $0.count > index ? Int($0[index]) : nil } }
        func string(_ name: String) -> String? { values[name]?.first }
    }

    /// The "left behind" lines of a trace's output.
    private func leftLines(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { $0.contains("+++ left behind: ") }
    }

    /// Removes what a test made, whatever it asserted: queue, semaphore set and segment ids, and a queue name.
    private func clean(msg: [Int], sem: [Int] = [], shm: [Int] = [], mq: String? = nil) {
        for id in msg { _ = Support.run(["ipcrm", "-q", String(id)]) }
        for id in sem { _ = Support.run(["ipcrm", "-s", String(id)]) }
        for id in shm { _ = Support.run(["ipcrm", "-m", String(id)]) }
        if let mq { _ = Support.run([Support.fixture, "leftover", "unlink", "/" + mq]) }
    }

    /// `ipcs -q`/`-s`/`-m`: each listed object as (id, key), the tool's own reading of the kernel.
    private func ipcs(_ kind: String) -> [Int: Int] {
        var objects: [Int: Int] = [:]
        for line in Support.run(["ipcs", kind]).stdout.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 2, fields[0].hasPrefix("0x"), let key = UInt32(fields[0].dropFirst(2), radix: 16),
                  let id = Int(fields[1]) else { continue }
            objects[id] = Int(Int32(bitPattern: key))
        }
        return objects
    }

    /// `ipcmk -Q` before the trace: an existing queue, its id and key.
    private func existingQueue() throws -> (id: Int, key: Int) {
        let made = Support.run(["ipcmk", "-Q", "-p", "0600"])
        let id = try #require(made.stdout.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) },
                              "ipcmk printed: \(made.stdout)")
        let key = try #require(ipcs("-q")[id], "ipcs lists the queue ipcmk made")
        return (id, key)
    }

    @Test("a program that leaves a queue, a semaphore set, a segment and an mq: each listed after the exit lines with the id, key, creator and last user it printed; ipcs has them; a queue it only opened is not listed",
          .enabled(if: Condition.hasIpcmk, "ipcmk and ipcrm (util-linux) are not installed"))
    func leftBehind() throws {
        let existing = try existingQueue()
        let graphPath = Support.newPath("graph", extension: "json")
        // The trace in a file of its own: a blocked call's line is left open (strace's entry), and the program's
        // own lines would run into it on a shared stdout.
        let tracePath = Support.newPath("trace")
        let result = Support.run([Support.ipcwatch, "-o", tracePath, "--graph", graphPath, "--", Support.fixture, "leftover", "keep",
                                  String(existing.key)])
        let trace = (try? String(contentsOfFile: tracePath, encoding: .utf8)) ?? ""
        let made = Made(result.stdout)
        let (msg, sem, shm) = (made.int("msg"), made.int("sem"), made.int("shm"))
        defer { clean(msg: [msg, existing.id].compactMap { $0 }, sem: [sem].compactMap { $0 }, shm: [shm].compactMap { $0 }, mq: made.string("mq").map { String($0.dropFirst()) }) }
        #expect(result.status == 0, "\(result.stderr)")
        let creator = try #require(made.int("creator")), child = try #require(made.int("child"))
        let (msgID, semID, shmID) = (try #require(msg), try #require(sem), try #require(shm))
        let (msgKey, shmKey) = (try #require(made.int("msg", 1)), try #require(made.int("shm", 1)))
        let queue = try #require(made.string("mq")).dropFirst()  // the kernel's name has no slash
        #expect(made.int("existing") == existing.id, "the fixture opened the queue ipcmk made")

        let hex = { (key: Int) in "0x" + String(UInt32(bitPattern: Int32(key)), radix: 16) }
        let who = "created by \(creator) (ipc_fixture), last used by \(child) (ipc_fixture) +++"
        #expect(leftLines(trace) == [
            "\(creator) +++ left behind: mq \"\(queue)\", \(who)",
            "\(creator) +++ left behind: msg queue \(msgID), key \(hex(msgKey)), \(who)",
            "\(creator) +++ left behind: semaphores \(semID), IPC_PRIVATE, \(who)",
            "\(creator) +++ left behind: shared memory \(shmID), key \(hex(shmKey)), \(who)",
        ])
        // After the exit lines: the creator's is the line before them.
        let lines = trace.split(separator: "\n").map(String.init)
        #expect(lines.firstIndex { $0.hasPrefix("\(creator) +++ left behind") } == lines.firstIndex(of: "\(creator) +++ exited with 0 +++").map { $0 + 1 })
        // ipcs, the kernel through another tool: the ids and keys as listed.
        #expect(ipcs("-q")[msgID] == msgKey && ipcs("-s")[semID] == 0 && ipcs("-m")[shmID] == shmKey)

        // The graph: leftover on the three objects and the queue, not on the queue it only opened.
        let graph = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: graphPath))) as? [String: Any])
        let sysv = try #require(graph["sysv"] as? [[String: Any]])
        let leftover = Dictionary(uniqueKeysWithValues: sysv.map { ("\($0["kind"]!) \($0["id"]!)", $0["leftover"] as? Bool) })
        #expect(leftover == ["msg \(msgID)": true, "sem \(semID)": true, "shm \(shmID)": true, "msg \(existing.id)": false])
        let channels = try #require(graph["channels"] as? [[String: Any]])
        #expect(channels.first { $0["name"] as? String == String(queue) }?["leftover"] as? Bool == true)
    }

    @Test("-c: the summary's left-behind table (and -c -j's JSON line) names the same objects; -qq and -ff keep the lines, -j leaves them out",
          .enabled(if: Condition.hasIpcmk, "ipcmk and ipcrm (util-linux) are not installed"))
    func summaryAndFlags() throws {
        let result = Support.run([Support.ipcwatch, "-c", "-o", "-", "--", Support.fixture, "leftover", "keep"])
        let made = Made(result.stdout)
        defer { clean(msg: [made.int("msg")].compactMap { $0 }, sem: [made.int("sem")].compactMap { $0 }, shm: [made.int("shm")].compactMap { $0 }, mq: made.string("mq").map { String($0.dropFirst()) }) }
        let creator = try #require(made.int("creator")), child = try #require(made.int("child"))
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex(of: "left behind (created by the trace, still there at its end):"), "\(result.stdout)")
        let rows = lines[(header + 2)...].map { $0.split(separator: " ").map(String.init) }
        #expect(rows.map(\.first) == ["mq", "msg", "sem", "shm"])
        #expect(rows.allSatisfy { $0.suffix(4) == [String(creator), "ipc_fixture", String(child), "ipc_fixture"] }, "\(rows)")
        #expect(rows.first { $0.first == "msg" }?[1] == made.int("msg").map(String.init))
        #expect(leftLines(result.stdout).isEmpty, "-c alone: no trace lines, the table says it")

        let json = Support.run([Support.ipcwatch, "-c", "-j", "--", Support.fixture, "leftover", "keep"])
        let jsonMade = Made(json.stdout)
        defer { clean(msg: [jsonMade.int("msg")].compactMap { $0 }, sem: [jsonMade.int("sem")].compactMap { $0 }, shm: [jsonMade.int("shm")].compactMap { $0 }, mq: jsonMade.string("mq").map { String($0.dropFirst()) }) }
        let line = try #require(json.stderr.split(separator: "\n").first { $0.hasPrefix("{\"leftover\":") }, "\(json.stderr)")
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: [[String: Any]]])
        #expect(object["leftover"]?.compactMap { $0["id"] as? Int }.sorted() == [jsonMade.int("msg"), jsonMade.int("sem"), jsonMade.int("shm")].compactMap { $0 }.sorted())
        #expect(object["leftover"]?.first { $0["kind"] as? String == "shm" }?["key"] as? Int == jsonMade.int("shm", 1))

        // -qq hides the exit lines, not these; -ff writes them to stderr (they are no thread's); -j has no such event.
        let prefix = Support.newPath("ff")
        let runs: [([String], (Support.Result) -> String)] = [(["-qq", "-o", "-"], { $0.stdout }), (["-ff", "-o", prefix], { $0.stderr }),
                                                              (["-j"], { $0.stderr })]
        for (options, stream) in runs {
            let run = Support.run([Support.ipcwatch] + options + ["--", Support.fixture, "leftover", "keep"])
            let runMade = Made(run.stdout)
            defer { clean(msg: [runMade.int("msg")].compactMap { $0 }, sem: [runMade.int("sem")].compactMap { $0 }, shm: [runMade.int("shm")].compactMap { $0 }, mq: runMade.string("mq").map { String($0.dropFirst()) }) }
            let left = leftLines(stream(run))
            #expect(left.count == (options == ["-j"] ? 0 : 4), "\(options): \(stream(run))")
            if options.first == "-qq" { #expect(!run.stdout.contains("+++ exited with"), "-qq hides the exit lines") }
        }
    }

    @Test("a program that removes what it made, and ipcmk then ipcrm under the trace: nothing listed, leftover false",
          .enabled(if: Condition.hasIpcmk, "ipcmk and ipcrm (util-linux) are not installed"))
    func cleanedUp() throws {
        let graphPath = Support.newPath("graph", extension: "json")
        let removed = Support.run([Support.ipcwatch, "-C", "-o", "-", "--graph", graphPath, "--", Support.fixture, "leftover", "remove"])
        let made = Made(removed.stdout)
        defer { clean(msg: [made.int("msg")].compactMap { $0 }, sem: [made.int("sem")].compactMap { $0 }, shm: [made.int("shm")].compactMap { $0 }, mq: made.string("mq").map { String($0.dropFirst()) }) }
        #expect(removed.status == 0 && made.int("msg") != nil, "\(removed)")
        #expect(leftLines(removed.stdout).isEmpty && !removed.stdout.contains("left behind"), "\(removed.stdout)")
        let graph = try String(contentsOfFile: graphPath, encoding: .utf8)
        #expect(graph.contains("\"leftover\":false") && !graph.contains("\"leftover\":true"), "\(graph)")

        let tools = Support.run([Support.ipcwatch, "-o", "-", "--", "sh", "-c", "ipcrm -q $(ipcmk -Q | grep -o '[0-9]*$')"])
        #expect(tools.status == 0 && tools.stdout.contains("ipcrm msgctl("), "\(tools.stdout)")
        #expect(leftLines(tools.stdout).isEmpty, "\(tools.stdout)")

        // ipcmk alone leaves its queue: the id it printed, made by ipcmk.
        let kept = Support.run([Support.ipcwatch, "-o", "-", "--", "ipcmk", "-Q"])
        let id = try #require(kept.stdout.split(separator: "\n").first { $0.hasPrefix("Message queue id: ") }
            .flatMap { Int($0.split(separator: " ").last!) }, "\(kept.stdout)")
        defer { clean(msg: [id]) }
        let left = leftLines(kept.stdout)
        #expect(left.count == 1 && left.first?.contains("left behind: msg queue \(id), key 0x") == true && left.first?.contains("(ipcmk)") == true, "\(left)")
        #expect(ipcs("-q")[id] != nil)
    }

    @Test("removed by processes the trace does not see (ipcrm and mq_unlink from the test while the traced shell waits): not listed, the kernel is asked",
          .enabled(if: Condition.hasIpcmk, "ipcmk and ipcrm (util-linux) are not installed"))
    func removedUntraced() throws {
        let output = Support.newPath("trace")
        let tracer = try Child([Support.ipcwatch, "-o", output, "--", "sh", "-c", "\"$0\" leftover keep; read line; echo ended", Support.fixture])
        var lines: [String] = []
        while let line = tracer.readLine() {
            lines.append(line)
            if line.hasPrefix("mq ") { break }
        }
        let made = Made(lines.joined(separator: "\n"))
        let (msg, sem, shm) = (try #require(made.int("msg")), try #require(made.int("sem")), try #require(made.int("shm")))
        let queue = try #require(made.string("mq"))
        clean(msg: [msg], sem: [sem], shm: [shm], mq: String(queue.dropFirst()))
        tracer.write("go\n")
        #expect(tracer.readLine() == "ended")
        #expect(tracer.wait() == (0, false))
        let trace = try String(contentsOfFile: output, encoding: .utf8)
        #expect(trace.contains("msgget(") && trace.contains("mq_open("), "\(trace)")
        #expect(leftLines(trace).isEmpty, "\(trace)")
    }

    @Test("i386 ipc(2): the queue made through ipc(MSGGET) and kept is listed, the one removed through ipc(MSGCTL) is not")
    func i386Creator() throws {
        let tracePath = Support.newPath("trace")
        let result = Support.run([Support.ipcwatch, "-o", tracePath, "--", Support.fixture, "leftover", "i386"])
        let trace = (try? String(contentsOfFile: tracePath, encoding: .utf8)) ?? ""
        let made = Made(result.stdout)
        let left = try #require(made.int("msg")), removed = try #require(made.int("removed"), "\(result.stdout)")
        defer { clean(msg: [left]) }
        let creator = try #require(made.int("creator"))
        #expect(leftLines(trace) == ["\(creator) +++ left behind: msg queue \(left), IPC_PRIVATE, created by \(creator) (ipc_fixture), last used by \(creator) (ipc_fixture) +++"])
        #expect(!trace.contains("left behind: msg queue \(removed),"))
    }
}
