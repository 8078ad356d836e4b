import Foundation
import IPCWatchTestSupport
import Testing

/// strace is the oracle: the same program, traced by both, must show the same calls.
///
/// Both runs happen in a fresh IPC namespace (`unshare --ipc`: SysV ids start from 0 in each) with
/// ASLR off (`setarch -R`: the same addresses), so the texts can be compared exactly. What still
/// differs between two runs — pids, times — is masked on both sides alike.
@Suite("Same text as strace",
       .enabled(if: Condition.hasStrace, "strace is not installed"),
       .enabled(if: Condition.hasUnshareAndSetarch, "unshare or setarch (util-linux) is not installed"),
       .enabled(if: Condition.canIsolate, "unshare --ipc is not permitted here (needs root or user namespaces)"))
struct StraceOracleTests {
    private static let isolation = ["unshare", "--ipc", "setarch", "-R"]

    /// Our default selection in strace's words (i386's `_time64` names are syscalls of their own to strace).
    static let defaultEvents = "trace=pipe,pipe2,splice,tee,vmsplice,%ipc,mq_open,mq_unlink,mq_timedsend,mq_timedreceive,"
        + "mq_notify,mq_getsetattr,mq_timedsend_time64,mq_timedreceive_time64"
    static let futexEvents = "trace=futex,futex_time64,set_robust_list,get_robust_list"

    private func strace(_ command: [String], events: String = defaultEvents, column: Int = 40,
                        sourceLocation: SourceLocation = #_sourceLocation) -> (Support.Result, [String]) {
        let output = Support.newPath("strace")
        let result = Support.run(Self.isolation + ["strace", "-f", "-qq", "-o", output, "-e", events] + command,
                                 executable: "/usr/bin/env")
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(Self.misaligned(text, column: column) == [], "strace's own rule", sourceLocation: sourceLocation)
        return (result, Self.normalize(strace: text))
    }

    private func ipcwatch(_ command: [String], options: [String] = [], column: Int = 40,
                          sourceLocation: SourceLocation = #_sourceLocation) -> (Support.Result, [String]) {
        let output = Support.newPath("ipcwatch")
        let result = Support.run(Self.isolation + [Support.ipcwatch, "-qq", "-e", "signal=none", "-o", output] + options + ["--"] + command,
                                 executable: "/usr/bin/env")
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(Self.misaligned(text, column: column) == [], sourceLocation: sourceLocation)
        return (result, Self.normalize(ipcwatch: text))
    }

    /// The lines whose result is not where strace's `-a COLUMN` puts it: its `=` at COLUMN of the whole line when
    /// the call ends before, else one space after the call's `)` (strace's `tabto()`). The comparisons mask
    /// that padding; this checks it, on strace's output as on ours.
    static func misaligned(_ text: String, column: Int) -> [String] {
        text.split(separator: "\n").map(String.init).filter { line in
            guard let result = line.matches(of: #/\)( +)= /#).last else { return false }
            let call = line.utf8.distance(from: line.startIndex, to: result.range.lowerBound) + 1
            return result.output.1.count != max(1, column - call)
        }
    }

    /// strace -f -o: `PID call = ret`, with `<unfinished ...>` / `<... call resumed>` pairs joined.
    static func normalize(strace text: String) -> [String] {
        joined(text.split(separator: "\n").compactMap { line in
            guard let space = line.firstIndex(of: " ") else { return nil }
            let body = String(line[space...].drop { $0 == " " })
            if body.hasPrefix("+++") || body.hasPrefix("---") || body.hasPrefix("[ Process") { return nil }
            return (line[..<space], body)
        })
    }

    /// ipcwatch: `PID[/TID] COMM [arch] call = ret`, split the same way as strace's when lines interleave; not
    /// the `+++ left behind: … +++` lines (strace has none).
    static func normalize(ipcwatch text: String) -> [String] {
        joined(text.split(separator: "\n").filter { !$0.contains(" +++ left behind: ") }.compactMap { line in
            line.firstMatch(of: /^(\d+(?:\/\d+)?) \S+ (?:\[\w+\] )?(.*)$/).map { ($0.output.1, String($0.output.2)) }
        })
    }

    /// Each thread's `call(args <unfinished ...>` and `<... call resumed>rest` joined into one line, masked.
    private static func joined(_ lines: [(thread: Substring, body: String)]) -> [String] {
        var pending: [Substring: String] = [:]
        var calls: [String] = []
        for (thread, line) in lines {
            var body = line
            if body.hasSuffix("<unfinished ...>") {
                // `msgrcv(2,  <unfinished ...>`: keep `msgrcv(2, ` for the resumed half.
                let head = body.dropLast("<unfinished ...>".count)
                pending[thread] = String(head[..<(head.lastIndex { $0 != " " }.map(head.index(after:)) ?? head.startIndex)])
                    + (head.trimmingCharacters(in: .whitespaces).hasSuffix(",") ? " " : "")
                continue
            }
            if let resumed = body.firstMatch(of: /^<\.\.\. \w+ resumed>(.*)$/) {
                body = (pending.removeValue(forKey: thread) ?? "") + resumed.output.1
            }
            calls.append(mask(body))
        }
        return calls
    }

    /// Masks what differs between any two runs: alignment, times, pids, random SysV keys.
    static func mask(_ call: String) -> String {
        var call = call.replacing(#/\s+= /#, with: " = ")
        call = call.replacing(/(time)=\d+/) { "\($0.output.1)=T" }
        call = call.replacing(/(pid)=\d+/) { "\($0.output.1)=P" }
        call = call.replacing(/^(msgget|semget|shmget)\(0x[0-9a-f]+,/) { "\($0.output.1)(KEY," }
        call = call.replacing(/key=\d+/, with: "key=K")
        call = call.replacing(/ipcwatch-(fixture|i386)-\d+/) { "ipcwatch-\($0.output.1)-PID" }
        // -xx: the queue's name in hex, its pid part included.
        call = call.replacing(#/"\\x69\\x70\\x63\\x77\\x61\\x74\\x63\\x68\\x2d(\\x[0-9a-f]{2})+"/#, with: "\"ipcwatch-HEX\"")
        if call.contains("GETPID") || call.firstMatch(of: /^semctl\(\d+, \d+, 0xb,/) != nil { call = call.replacing(#/= \d+$/#, with: "= P") }
        return call
    }

    private func expectSameCalls(_ command: [String], minimum: Int, events: String = defaultEvents, options: [String] = [],
                                 ourCommand: [String]? = nil, column: Int = 40, sourceLocation: SourceLocation = #_sourceLocation) {
        let (straceResult, expected) = strace(command, events: events, column: column, sourceLocation: sourceLocation)
        let (ourResult, actual) = ipcwatch(ourCommand ?? command, options: options, column: column, sourceLocation: sourceLocation)
        #expect(straceResult.status == ourResult.status, sourceLocation: sourceLocation)
        #expect(expected.count >= minimum, "strace saw \(expected.count) calls", sourceLocation: sourceLocation)
        // Compared as multisets: threads may finish their calls in a different order in each run.
        let missing = expected.difference(from: actual).compactMap { if case .insert(_, let c, _) = $0 { c } else { nil } }
        #expect(expected.sorted() == actual.sorted(), "differences: \(missing)", sourceLocation: sourceLocation)
    }

    @Test("every call, flag, command, struct and error path of the fixture, and the i386 ipc() forms")
    func fixture() {
        expectSameCalls([Support.fixture, "everything"], minimum: 123)
    }

    @Test("POSIX message queues: names, O_* flags, mode, mq_attr, texts cut at -s, priorities, timeouts, sigevents, errors",
          arguments: [[], ["-s", "4"], ["-s", "200"]])
    func messageQueues(limit: [String]) {
        // strace takes -s before the command, as we do.
        expectSameCalls(limit + [Support.fixture, "mq"], minimum: 24, options: limit, ourCommand: [Support.fixture, "mq"])
    }

    @Test("splice, tee, vmsplice: offsets on entry, iovecs, SPLICE_F_* flags, unknown bits, errors")
    func splices() {
        expectSameCalls([Support.fixture, "splice"], minimum: 9)
    }

    @Test("-y on splice, tee, vmsplice: pipe fds as <pipe:[inode]>, a memfd by its path, in the same places as strace's")
    func splicesDecodeFDs() {
        let (straceResult, expected) = strace(["-y", Support.fixture, "splice"])
        let (ourResult, actual) = ipcwatch([Support.fixture, "splice"], options: ["-y"])
        #expect(straceResult.status == ourResult.status)
        #expect(expected.count >= 9)
        #expect(expected.filter { $0.contains("<pipe:[") }.count >= 8, "strace shows pipe inodes: \(expected)")
        #expect(expected.contains { $0.contains("</memfd:") }, "strace shows the memfd's path: \(expected)")
        #expect(expected.map(Self.sameInodes).sorted() == actual.map(Self.sameInodes).sorted())
    }

    /// Inodes differ between runs (a Unix socket's peer's too).
    static func sameInodes(_ line: String) -> String { line.replacing(/:\[\d+(?:->\d+)?/, with: ":[I") }

    @Test("-y names every descriptor as strace 6: a path, a FIFO, a deleted file with escapes, a socket, a queue (and mq_open's result); -yy a device's numbers and a Unix socket's endpoints",
          arguments: [["descriptors"], ["mq"], ["i386families"]], ["-y", "-yy"])
    func decodeFDs(mode: [String], flag: String) {
        let futexes = mode == ["i386families"]
        let events = futexes ? Self.defaultEvents + "," + Self.futexEvents.dropFirst(6) : Self.defaultEvents
        let (straceResult, expected) = strace([flag, Support.fixture] + mode, events: events)
        let (ourResult, actual) = ipcwatch([Support.fixture] + mode, options: [flag] + (futexes ? ["-e", "all"] : []))
        #expect(straceResult.status == ourResult.status)
        if mode == ["descriptors"] {
            let shows = flag == "-y" ? ["</dev/null>", "<socket:["] : ["</dev/null<char 1:3>>", "<UNIX-STREAM:["]
            for shown in shows + ["/fifo>", "\\74i\\76rd\\tname>(deleted)", "= 9</ipcwatch-fixture-"] {
                #expect(expected.contains { $0.contains(shown) }, "strace shows \(shown): \(expected)")
            }
        }
        #expect(expected.count >= 9)
        #expect(expected.map(Self.sameInodes).sorted() == actual.map(Self.sameInodes).sorted())
    }

    @Test("futex under -e tag=ipc_futex: a wait/wake pair between threads, every op's arguments, robust lists")
    func futexes() {
        expectSameCalls([Support.fixture, "futex"], minimum: 20, events: Self.futexEvents, options: ["-e", "tag=ipc_futex"])
    }

    @Test("i386: mq_open, mq_timedsend and mq_timedsend_time64, 32-bit and 64-bit timespecs, compat mq_attr, sigevent, iovec, futex_time64")
    func i386Families() {
        expectSameCalls([Support.fixture, "i386families"], minimum: 15,
                        events: Self.defaultEvents + "," + Self.futexEvents.dropFirst(6), options: ["-e", "all"])
    }

    /// strace 6.1 names i386's `_time64` entries on their own: `-e trace=mq_timedsend` is 279 only (checked
    /// on a `gcc -m32` program too); `ipc` is its old name of `%ipc`.
    @Test("i386: -e selects the _time64 entries by their own names, as strace", arguments: [
        "trace=mq_timedsend", "trace=mq_timedsend_time64", "trace=mq_timedreceive", "trace=futex,futex_time64",
        "trace=futex", "trace=/_time64$",
    ])
    func i386Names(expression: String) {
        expectSameCalls([Support.fixture, "i386families"], minimum: 1, events: expression, options: ["-e", expression])
    }

    @Test("-c: i386's _time64 entries are rows of their own, as in strace's table; the same calls and errors")
    func i386Summary() {
        let events = "trace=" + Self.defaultEvents.dropFirst(6) + "," + Self.futexEvents.dropFirst(6)
        let straceOutput = Support.newPath("strace-c"), ourOutput = Support.newPath("ipcwatch-c")
        _ = Support.run(Self.isolation + ["strace", "-f", "-c", "-o", straceOutput, "-e", events, Support.fixture, "i386families"],
                        executable: "/usr/bin/env")
        _ = Support.run(Self.isolation + [Support.ipcwatch, "-c", "-e", "all", "-o", ourOutput, "--", Support.fixture, "i386families"],
                        executable: "/usr/bin/env")
        // name → "calls errors": strace's columns end `calls [errors] syscall`; ours add `processes` before the name.
        func rows(_ path: String, processesColumn: Bool) -> [String: String] {
            var rows: [String: String] = [:]
            for line in Support.textLines(path) {
                let fields = line.split(separator: " ").map(String.init)
                guard fields.count >= 5, Double(fields[0]) != nil, let name = fields.last, name != "total" else { continue }
                let numbers = fields.dropLast().dropFirst(3).dropLast(processesColumn ? 1 : 0)
                rows[name] = numbers.joined(separator: " ")
            }
            return rows
        }
        let expected = rows(straceOutput, processesColumn: false), actual = rows(ourOutput, processesColumn: true)
        #expect(expected["mq_timedsend_time64"] != nil && expected["futex_time64"] != nil, "\(expected)")
        #expect(expected == actual)
    }

    /// Tests/Fixtures/ipc32.c built as a 32-bit program (its first lines say how), once.
    static let ipc32: String = {
        let binary = Support.newPath("ipc32", extension: "bin")
        let source = Support.packageRoot.appendingPathComponent("Tests/Fixtures/ipc32.c").path
        let built = Support.run(["cc", "-m32", "-D_TIME_BITS=64", "-D_FILE_OFFSET_BITS=64", "-O2", "-Wall", "-o", binary, source])
        precondition(built.status == 0, "cc -m32 failed: \(built.stderr)")
        return binary
    }()

    /// A real 32-bit program through 32-bit glibc: its mq_timed* and semtimedop pick the `_time64` entries
    /// for a time past 2038, the older ones otherwise; its SysV calls go through ipc(2).
    @Test("a gcc -m32 program: every call, and -e by strace's names (the _time64 entries apart, ipc as %ipc)",
          .enabled(if: Condition.hasMultilib, "cc -m32 cannot build a 32-bit program (install gcc-multilib: scripts/setup.sh)"),
          arguments: ["all", "trace=mq_timedsend", "trace=mq_timedsend_time64", "trace=mq_timedreceive,semtimedop",
                      "trace=semtimedop_time64,futex", "trace=ipc", "trace=msgrcv"])
    func gccM32(expression: String) {
        let events = expression == "all" ? Self.defaultEvents + "," + Self.futexEvents.dropFirst(6) : expression
        expectSameCalls([Self.ipc32], minimum: expression == "all" ? 24 : 1, events: events, options: ["-e", expression])
    }

    @Test("i386 receives with msgtyp -5: msgrcv, ipc(MSGRCV) version 1, and version 0 that failed (its ipc_kludge address, no msgtyp)",
          arguments: ["trace=%ipc", "trace=ipc", "trace=msgrcv"])
    func i386Receives(expression: String) {
        expectSameCalls([Support.fixture, "i386msgrcv"], minimum: 3, events: expression, options: ["-e", expression])
    }

    @Test("edges: mode=000 and mode=001 in msgctl's IPC_SET and IPC_STAT, an mq name with no NUL in PATH_MAX bytes (...), one cut by an unmapped page (its address), a message and arrays cut by one ({mtype=7, mtext=0x…}, [..., ... /* 0x… */], also at the -s limit), an empty array at an unreadable address ([])",
          arguments: [[], ["-s", "0"], ["-s", "2"]])
    func edges(limit: [String]) {
        // strace's -s 0 cuts pipe2's two descriptors to `[...]`; ipcwatch shows them (docs/differences.md).
        let events = limit == ["-s", "0"] ? Self.defaultEvents.replacing("pipe,pipe2,", with: "") : Self.defaultEvents
        expectSameCalls(limit + [Support.fixture, "edges"], minimum: 19, events: events, options: limit + ["-e", events],
                        ourCommand: [Support.fixture, "edges"])
    }

    @Test("results aligned as strace's -a COLUMN, --columns=COLUMN (default 40; 0 never pads)",
          arguments: [(["-a", "0"], 0), (["-a20"], 20), (["--columns=60"], 60), (["-a", "200"], 200)])
    func alignment(option: [String], column: Int) {
        expectSameCalls(option + [Support.fixture, "everything"], minimum: 123, options: option,
                        ourCommand: [Support.fixture, "everything"], column: column)
    }

    @Test("flag words: every pipe2 bit (open(2)'s table), unknown bits, sem_flg order, an unsigned key")
    func flagWords() {
        expectSameCalls([Support.fixture, "flags"], minimum: 38)
    }

    @Test("-x, -xx (message texts, mq texts and names, iov_base) and -X raw, -X verbose (every flag word, command, constant)",
          arguments: [["-x"], ["-xx"], ["-X", "raw"], ["-X", "verbose"], ["-xx", "-X", "verbose"]])
    func renderings(style: [String]) {
        for mode in ["everything", "mq", "splice", "flags"] {
            expectSameCalls(style + [Support.fixture, mode], minimum: 9, options: style, ourCommand: [Support.fixture, mode])
        }
        expectSameCalls(style + [Support.fixture, "futex"], minimum: 20, events: Self.futexEvents,
                        options: style + ["-e", "tag=ipc_futex"], ourCommand: [Support.fixture, "futex"])
    }

    static let realCommands: [[String]] = [
        ["ipcmk", "-Q"], ["ipcmk", "-M", "4096"], ["ipcmk", "-S", "3"],
        ["sh", "-c", "ipcrm -q $(ipcmk -Q | tr -dc 0-9) && ipcrm -m $(ipcmk -M 4096 | tr -dc 0-9)"],
        ["sh", "-c", "echo hello | cat | wc -c"],
        ["python3", "-c", """
            import multiprocessing as mp
            def child(conn): conn.send(conn.recv() * 2)
            if __name__ == "__main__":
                parent, worker = mp.Pipe(duplex=False)
                reply, back = mp.Pipe(duplex=False)
                p = mp.Process(target=lambda: back.send(21 * 2)); p.start(); print(reply.recv()); p.join()
            """],
    ]

    @Test("real programs", arguments: realCommands)
    func realPrograms(command: [String]) {
        expectSameCalls(command, minimum: 1)
    }

    @Test("-yy names sockets as strace 6: Unix (peer, path, abstract name), TCP and UDP over IPv4 and IPv6, netlink")
    func socketDetails() throws {
        let script = Support.packageRoot.appendingPathComponent("Tests/Fixtures/socket_splices.py").path
        let (straceResult, expected) = strace(["-yy", "python3", script], events: "trace=splice")
        let (ourResult, actual) = ipcwatch(["python3", script], options: ["-yy", "-e", "splice"])
        #expect(straceResult.status == 0 && ourResult.status == 0, "\(ourResult)")
        for shown in ["<UNIX-STREAM:[", ",\"/tmp/ipcwatch-socket-splices-", ",@\"ipcwatch-socket-splices-", "<TCP:[127.0.0.1:",
                      "<TCPv6:[[::1]:", "->[::1]:", "<UDP:[", "<UDPv6:[", "<NETLINK:["] {
            #expect(expected.contains { $0.contains(shown) }, "strace shows \(shown): \(expected)")
        }
        // Inodes, ports and the script's pid differ between the runs.
        let masked = { (lines: [String]) in lines.map { $0.replacing(/\d{4,}/, with: "N") }.sorted() }
        #expect(masked(expected) == masked(actual))
        // The ports are the ones the script listened on and bound (it prints them): each is a local address,
        // and the connected UDP socket's remote one.
        let ports = Dictionary(uniqueKeysWithValues: ourResult.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
            let words = line.split(separator: " ")
            return words.count == 2 ? (String(words[0]), String(words[1])) : nil
        })
        try #require(ports.count == 4, "\(ourResult.stdout)")
        #expect(actual.contains { $0.contains("<TCP:[127.0.0.1:\(ports["tcp"]!)]>") })
        #expect(actual.contains { $0.contains("->127.0.0.1:\(ports["udp"]!)]>") })
        #expect(actual.contains { $0.contains("<TCPv6:[[::1]:\(ports["tcp6"]!)]>") })
        #expect(actual.contains { $0.contains("->[::1]:\(ports["udp6"]!)]>") })
    }

    @Test("real programs under -y: every descriptor named as strace names it", arguments: realCommands)
    func realProgramsDecodeFDs(command: [String]) {
        let (straceResult, expected) = strace(["-y"] + command)
        let (ourResult, actual) = ipcwatch(command, options: ["-y"])
        #expect(straceResult.status == ourResult.status)
        #expect(!expected.isEmpty)
        #expect(expected.map(Self.sameInodes).sorted() == actual.map(Self.sameInodes).sorted())
    }
}
