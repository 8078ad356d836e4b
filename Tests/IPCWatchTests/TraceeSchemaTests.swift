import Foundation
import IPCWatchTestSupport
import Testing

/// Every `-j` line as Tracee v0.24.1's own decoder reads it, checked by `scripts/tracee-check` (Tracee's
/// accepted types and its definitions of our events, written there once, apart from the code under test).
@Suite("Tracee v0.24.1 schema")
struct TraceeSchemaTests {
    static let checker = Support.packageRoot.appendingPathComponent("scripts/tracee-check").path

    /// Runs `command` under `ipcwatch -j` and the checker over its events: (events, checker's output).
    static func check(_ command: [String], prefix: [String] = [], options: [String] = [])
        -> (events: Int, problems: String, status: Int32) {
        let output = Support.newPath("events", extension: "json")
        _ = Support.run(prefix + [Support.ipcwatch, "-j", "-o", output] + options + ["--"] + command)
        let events = Support.textLines(output).count
        let checked = Support.run(["python3", checker, output])
        return (events, checked.stdout + checked.stderr, checked.status)
    }

    @Test("every event of every fixture mode, real program and i386 run is accepted", arguments: [
        ["FIXTURE", "everything"], ["FIXTURE", "sysv"], ["FIXTURE", "i386"], ["FIXTURE", "threads", "2", "5"],
        ["FIXTURE", "forks", "2", "5"], ["FIXTURE", "vfork"], ["FIXTURE", "threadexec"], ["FIXTURE", "x32"],
        ["FIXTURE", "msgtree", "2", "3"], ["FIXTURE", "mq"], ["FIXTURE", "splice"], ["FIXTURE", "i386families"],
        ["-e", "tag=ipc", "FIXTURE", "futex"], ["-e", "all", "FIXTURE", "i386families"], ["-e", "all", "FIXTURE", "i386msgrcv"],
        ["ipcmk", "-Q"], ["ipcmk", "-M", "4096"], ["ipcmk", "-S", "3"],
        ["sh", "-c", "ipcrm -q $(ipcmk -Q | tr -dc 0-9) && ipcrm -m $(ipcmk -M 4096 | tr -dc 0-9)"],
        ["sh", "-c", "echo hello | cat | wc -c"],
        ["python3", "-c", "import multiprocessing as mp; r, w = mp.Pipe(False); w.send(1); print(r.recv())"],
    ])
    func accepted(command: [String]) {
        var command = command.map { $0 == "FIXTURE" ? Support.fixture : $0 }
        // Options of ours first (`-e tag=ipc`), then the command.
        let options = command.first == "-e" ? Array(command.prefix(2)) : []
        command.removeFirst(options.count)
        let (events, problems, status) = Self.check(command, options: options)
        #expect(events > 0, "ipcwatch wrote no event for \(command)")
        #expect(status == 0, "rejected by Tracee's rules:\n\(problems)")
    }

    @Test("the checker has teeth: a changed type string, id, range or key order is rejected")
    func checkerRejects() throws {
        let output = Support.newPath("events", extension: "json")
        _ = Support.run([Support.ipcwatch, "-j", "-o", output, "--", Support.fixture, "sysv"])
        let line = try #require(Support.textLines(output).first { $0.contains("\"eventName\":\"msgget\"") })
        let mutations = [
            line.replacingOccurrences(of: "\"name\":\"key\",\"type\":\"int32\"", with: "\"name\":\"key\",\"type\":\"key_t\""),
            line.replacingOccurrences(of: "\"eventId\":\"68\"", with: "\"eventId\":\"-1\""),
            line.replacingOccurrences(of: "\"type\":\"int32\",\"value\":", with: "\"type\":\"int32\",\"value\":4294967295,\"x\":"),
            line.replacingOccurrences(of: "{\"timestamp\":", with: "{\"argsNum\":2,\"timestamp\":"),
        ]
        for mutated in mutations {
            #expect(mutated != line, "the mutation applies")
            let path = Support.newPath("mutated", extension: "json")
            try mutated.write(toFile: path, atomically: true, encoding: .utf8)
            let checked = Support.run(["python3", Self.checker, path])
            #expect(checked.status == 1, "accepted: \(mutated)")
        }
    }

    @Test("a process in new pid and UTS namespaces: its own ids, the host's ids, its host name",
          .enabled(if: Condition.isRoot, "unshare --pid --uts needs root"))
    func namespaces() throws {
        let output = Support.newPath("events", extension: "json")
        // unshare forks: the child is pid 1 of the new namespace; sh sets the new UTS name and execs the fixture.
        let result = Support.run([Support.ipcwatch, "-j", "-o", output, "--", "unshare", "--pid", "--fork", "--uts",
                                  "sh", "-c", "hostname ipcwatch-ns-test && exec \(Support.fixture) exit 0"])
        #expect(result.status == 0, "\(result.stderr)")
        let events = Support.events(output)
        let pipe = try #require(events.first { $0["eventName"] as? String == "pipe2" || $0["eventName"] as? String == "pipe" },
                                "the fixture's pipe: \(events.count) events")
        #expect(pipe["processId"] as? Int == 1, "pid 1 inside its namespace")
        #expect(pipe["threadId"] as? Int == 1)
        #expect(pipe["parentProcessId"] as? Int == 0, "its parent (unshare) is outside the namespace")
        let hostPID = try #require(pipe["hostProcessId"] as? Int)
        #expect(hostPID > 1 && pipe["hostThreadId"] as? Int == hostPID)
        #expect(pipe["hostParentProcessId"] as? Int != 0)
        #expect(pipe["hostName"] as? String == "ipcwatch-ns-test", "the traced process's UTS name")
        let ownPIDNamespace = try FileManager.default.attributesOfItem(atPath: "/proc/self/ns/pid")[.systemFileNumber] as? Int
        #expect(pipe["pidNamespace"] as? Int != ownPIDNamespace, "the task's own pid namespace")
        #expect((pipe["executable"] as? [String: Any])?["path"] as? String == Support.fixture)
    }

    /// Tracee's `processorId` is the CPU the call ran on. ipcwatch reads it from the thread's `struct rseq`
    /// (four bytes; glibc registers one per thread), else from /proc/TID/stat. The fixture pins itself to
    /// each CPU it may use in turn and makes a pipe there: that CPU is the ground truth.
    @Test("processorId is the CPU the call was made on")
    func processorID() {
        let log = Support.newLog()
        let (result, events) = Support.trace([Support.fixture, "oncpu"], environment: ["IPC_FIXTURE_LOG": log])
        #expect(result.status == 0)
        let expected = Support.lines(log).map { "\($0[3]) \($0[4]) \($0[5])" }
        let reported = events.filter { $0.eventName.hasPrefix("pipe") }.map {  // glibc's pipe() is pipe2(fd, 0)
            "\($0["processorId"] as? Int ?? -1) \($0.pipefd?[0] ?? -1) \($0.pipefd?[1] ?? -1)"
        }
        #expect(!expected.isEmpty && reported == expected, "cpu r w: ipcwatch \(reported), the program \(expected)")
    }
}
