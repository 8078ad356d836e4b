import Foundation
@testable import IPCWatch
import IPCWatchTestSupport
import Testing

/// `--data-flow` (``TraceOptions/dataFlow``): the bytes and calls counted per (process, pipe, end),
/// checked against what the programs themselves say they moved.
@Suite("Data flow (--data-flow)", .timeLimit(.minutes(10)))
struct DataFlowTests {
    /// Tests/Fixtures/dataflow_fixture.c, compiled once per test process.
    static let fixture: String = {
        let source = Support.packageRoot.appendingPathComponent("Tests/Fixtures/dataflow_fixture.c").path
        let binary = Support.scratch.appendingPathComponent("dataflow_fixture").path
        let result = Support.run(["cc", "-O2", "-Wall", "-o", binary, source])
        precondition(result.status == 0 && !result.signaled, "compiling the data-flow fixture failed: \(result.stderr)")
        return binary
    }()

    /// What a session delivered: every `.usage` record, and the inode of each pipe a process created.
    private struct Collected {
        var usage: [ChannelUsage] = []
        var created: [(pid: Int32, inode: UInt64)] = []
        var outcome: TraceOutcome?
    }

    private func collect(_ session: TraceSession) async throws -> Collected {
        var collected = Collected()
        for try await record in session {
            switch record {
            case .usage(let usage): collected.usage.append(usage)
            case .event(let event):
                if event.call.pipeEnds != nil, let inode = event.pipeInodes?.first { collected.created.append((event.processID, inode)) }
            case .exit, .superseded, .snapshot, .signal, .blocking, .lifecycle, .transfer: break
            }
        }
        collected.outcome = try await session.outcome
        return collected
    }

    /// The fixture's log, folded as ipcwatch folds calls: per (pid, inode, end) the fds, calls and bytes.
    private func expected(_ log: String) -> Set<ChannelUsage> {
        var folded: [String: ChannelUsage] = [:]
        for words in Support.lines(log) where words.count == 5 {
            guard let pid = Int32(words[0]), let inode = UInt64(words[1]), let end = PipeEnd(rawValue: words[2]),
                  let fd = Int32(words[3]), let bytes = UInt64(words[4]) else { continue }
            var usage = folded["\(pid) \(inode) \(end)"] ?? ChannelUsage(processID: pid, inode: inode, end: end, fds: [],
                                                                            calls: 0, bytes: 0)
            usage.calls += 1
            usage.bytes += bytes
            if !usage.fds.contains(fd) { usage.fds = (usage.fds + [fd]).sorted() }
            folded["\(pid) \(inode) \(end)"] = usage
        }
        return Set(folded.values)
    }

    private func fixture(_ arguments: String...) -> (command: [String], log: String) {
        let log = Support.newLog()
        return (["env", "DATAFLOW_LOG=\(log)", Self.fixture] + arguments, log)
    }

    @Test("seq 100000 | wc -c: both ends of the pipe carried exactly the bytes wc counted")
    func shellPipeline() async throws {
        let output = Support.newPath("wc")
        let session = try await Tracer(options: TraceOptions(dataFlow: true)).launch(["sh", "-c", "seq 100000 | wc -c >\(output)"])
        let collected = try await collect(session)
        #expect(collected.outcome == .exited(.exited(0)))
        let counted = try #require(UInt64(try String(contentsOfFile: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(counted == 588_895, "seq's own output")
        let pipe = try #require(collected.created.first, "the shell's pipe2").inode
        let write = collected.usage.filter { $0.inode == pipe && $0.end == .write }
        let read = collected.usage.filter { $0.inode == pipe && $0.end == .read }
        #expect(write.count == 1 && read.count == 1, "one writer (seq), one reader (wc): \(collected.usage)")
        #expect(write.first?.bytes == counted)
        #expect(read.first?.bytes == counted)
        #expect(write.first?.fds == [1] && read.first?.fds == [0], "the shell dup2'd the ends onto 1 and 0")
        #expect(write.first?.processID != read.first?.processID)
        #expect(collected.usage.allSatisfy { $0.inode == pipe }, "wc's write to a regular file is not counted")
    }

    @Test("write, writev, vmsplice, splice, tee, sendfile, read, readv, preadv2: counted exactly as the program logged; files and /dev/null not")
    func everyCall() async throws {
        let (command, log) = fixture("calls")
        let collected = try await collect(try await Tracer(options: TraceOptions(dataFlow: true)).launch(command))
        #expect(collected.outcome == .exited(.exited(0)))
        let logged = expected(log)
        #expect(logged.count == 6, "three pipes, both ends each")
        #expect(Set(collected.usage) == logged)
        #expect(collected.usage.count == logged.count, "one record per (process, inode, end)")
    }

    @Test("a child writes, its parent reads: each process's bytes on its own end")
    func processes() async throws {
        let (command, log) = fixture("fork", "100000")
        let collected = try await collect(try await Tracer(options: TraceOptions(dataFlow: true)).launch(command))
        #expect(collected.outcome == .exited(.exited(0)))
        let logged = expected(log)
        #expect(logged.map(\.bytes) == [100_000, 100_000])
        #expect(Set(collected.usage) == logged)
    }

    @Test("i386 calls (int $0x80 pipe, write, read) are counted")
    func i386() async throws {
        let (command, log) = fixture("i386")
        let collected = try await collect(try await Tracer(options: TraceOptions(dataFlow: true)).launch(command))
        #expect(collected.outcome == .exited(.exited(0)))
        #expect(expected(log).map(\.bytes).sorted() == [777, 777])
        #expect(Set(collected.usage) == expected(log))
    }

    @Test("attach mode: the calls made after the attach, counted at the syscall stops")
    func attach() async throws {
        let log = Support.newLog()
        let target = try Child([Self.fixture, "wait"], environment: ["DATAFLOW_LOG": log])
        let pid = try #require(target.readLine().flatMap { Int32($0) })
        let session = try await Tracer(options: TraceOptions(dataFlow: true)).attach([pid])
        target.write("go\n")
        let collected = try await collect(session)
        #expect(target.wait() == (0, false))
        #expect(collected.outcome == .exited(.exited(0)))
        // Its read of "go\n" from stdin (a pipe), restarted after the attach, counts too.
        let stdin = collected.usage.filter { $0.fds == [0] }
        #expect(stdin.map(\.bytes) == [3] && stdin.first?.end == .read)
        #expect(Set(collected.usage.filter { $0.fds != [0] }) == expected(log))
    }

    @Test("a process using 5000 pipes gets the counts of the closed ones handed out before it ends, each as python moved them")
    func handedOutEarly() async throws {
        // Ground truth: the inode of each pipe python wrote 1 byte into and read it back from; one pipe stays
        // open throughout (3 bytes in, at the start and at the end).
        let program = """
            import os
            keep_r, keep_w = os.pipe(); os.write(keep_w, b"k")
            for _ in range(5000):
                r, w = os.pipe(); os.write(w, b"x"); os.read(r, 1); print(os.fstat(r).st_ino); os.close(r); os.close(w)
            os.write(keep_w, b"kk"); print("kept", os.fstat(keep_r).st_ino)
            """
        let python = Support.run(["python3", "-c", "import sys; print(sys.executable)"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let output = Support.newPath("inodes")
        let session = try await Tracer(options: TraceOptions(dataFlow: true))
            .launch(["sh", "-c", "exec \"$0\" -c \"$1\" >\"$2\"", python, program, output])
        var records: [TraceRecord] = []
        for try await record in session { records.append(record) }
        #expect(try await session.outcome == .exited(.exited(0)))
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        let used = Set(lines.compactMap { UInt64($0) })
        let kept = try #require(lines.last.flatMap { $0.hasPrefix("kept ") ? UInt64($0.dropFirst(5)) : nil })
        try #require(used.count == 5000)
        var bytes: [String: UInt64] = [:]
        var early = 0, ended = false
        for record in records {
            switch record {
            case .usage(let usage):
                bytes["\(usage.inode) \(usage.end)", default: 0] += usage.bytes
                if !ended && used.contains(usage.inode) { early += 1 }
            case .exit:
                ended = true  // the one process (sh exec'd python): its end
            default: break
            }
        }
        for inode in used { #expect(bytes["\(inode) write"] == 1 && bytes["\(inode) read"] == 1, "pipe:[\(inode)]") }
        #expect(bytes["\(kept) write"] == 3, "the pipe kept open: its counts whole")
        #expect(early > 0, "closed pipes' counts came before the process ended")
    }

    @Test("without dataFlow, no usage records and no read/write rule in the filter")
    func off() async throws {
        let (command, _) = fixture("calls")
        let collected = try await collect(try await Tracer().launch(command))
        #expect(collected.usage.isEmpty)
        let filter = try SeccompFilter(tracing: Set(Syscall.allCases))
        #expect(try !Self.rules(filter.pseudoCode).contains("x86_64 1"))
    }

    /// (libseccomp arch name, syscall number) of every TRACE rule in the exported pseudo filter code.
    static func rules(_ pfc: String) -> Set<String> {
        var rules: Set<String> = [], arch = "", number = ""
        for line in pfc.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("# filter for arch ") { arch = String(line.split(separator: " ")[4]) }
            if line.hasPrefix("if ($syscall == ") { number = String(line.dropFirst(16).prefix { $0 != ")" }) }
            if line == "action TRACE(0);" { rules.insert("\(arch) \(number)") }
        }
        return rules.filter { UInt64($0.split(separator: " ")[1])! < 0x8000_0000 }  // not libseccomp's pseudo numbers
    }

    @Test("the filter traps the table's (arch, nr) pairs on all three ABIs, by number only")
    func filter() throws {
        let filter = try SeccompFilter(tracing: [.pipe, .pipe2], dataFlow: true)
        let names: [Architecture: String] = [.x86_64: "x86_64", .i386: "x86", .x32: "x32"]
        let io = Set(DataFlowSyscalls.standard.entries.map { "\(names[$0.architecture]!) \($0.number)" })
        let pipes = Set(SyscallTable.standard.entries.filter { [.pipe, .pipe2].contains($0.syscall) }
            .map { "\(names[$0.architecture]!) \($0.number)" })
        #expect(try Self.rules(filter.pseudoCode) == io.union(pipes))
        #expect(io.count == 17 * 3 + 2, "17 calls on each ABI, and i386's sendfile64 and socketcall")
        for x32 in [515, 516, 532, 534, 535, 546, 547, 517, 518, 519] {
            #expect(io.contains("x32 \(0x4000_0000 + x32)"), "x32's own iovec and socket numbers")
        }
        #expect(try !filter.pseudoCode.contains("$a0") && !filter.pseudoCode.contains("$a1"), "no argument checks")
        // A syscall both watched and counted (splice, once it is an event) is one rule.
        #expect(try SeccompFilter(tracing: Set(Syscall.allCases), dataFlow: true).instructionCount > 0)
    }

    @Test("-c --data-flow: the per-pipe table says who wrote and read how much, as wc counted")
    func summaryTable() throws {
        let result = Support.run([Support.ipcwatch, "--data-flow", "-c", "--", "sh", "-c", "seq 100000 | wc -c"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let counted = try #require(lines.first)
        #expect(counted == "588895")
        let header = try #require(result.stderr.split(separator: "\n").firstIndex { $0.hasPrefix("     inode  creator writers") })
        let table = result.stderr.split(separator: "\n").dropFirst(header + 2)
        let row = try #require(table.first).split(separator: " ")
        #expect(row.count == 5)
        #expect(row[2].hasSuffix(":\(counted)") && row[3].hasSuffix(":\(counted)") && row[4] == counted[...])
        #expect(row[2].split(separator: ":").first != row[3].split(separator: ":").first, "writer and reader differ")
    }
}
