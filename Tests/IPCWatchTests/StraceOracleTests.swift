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

    private func strace(_ command: [String], events: String = defaultEvents) -> (Support.Result, [String]) {
        let output = Support.newPath("strace")
        let result = Support.run(Self.isolation + ["strace", "-f", "-qq", "-o", output, "-e", events] + command,
                                 executable: "/usr/bin/env")
        return (result, Self.normalize(strace: (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""))
    }

    private func ipcwatch(_ command: [String], options: [String] = []) -> (Support.Result, [String]) {
        let output = Support.newPath("ipcwatch")
        let result = Support.run(Self.isolation + [Support.ipcwatch, "-qq", "-e", "signal=none", "-o", output] + options + ["--"] + command,
                                 executable: "/usr/bin/env")
        return (result, Self.normalize(ipcwatch: (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""))
    }

    /// strace -f -o: `PID call = ret`, with `<unfinished ...>` / `<... call resumed>` pairs joined.
    static func normalize(strace text: String) -> [String] {
        var pending: [Substring: String] = [:]
        var calls: [String] = []
        for line in text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let pid = line[..<space]
            var body = String(line[space...].drop { $0 == " " })
            if body.hasPrefix("+++") || body.hasPrefix("---") || body.hasPrefix("[ Process") { continue }
            if body.hasSuffix("<unfinished ...>") {
                // `msgrcv(2,  <unfinished ...>`: keep `msgrcv(2, ` for the resumed half.
                let head = body.dropLast("<unfinished ...>".count)
                pending[pid] = String(head[..<(head.lastIndex { $0 != " " }.map(head.index(after:)) ?? head.startIndex)])
                    + (head.trimmingCharacters(in: .whitespaces).hasSuffix(",") ? " " : "")
                continue
            }
            if let resumed = body.firstMatch(of: /^<\.\.\. \w+ resumed>(.*)$/) {
                body = (pending.removeValue(forKey: pid) ?? "") + resumed.output.1
            }
            calls.append(mask(body))
        }
        return calls
    }

    /// ipcwatch: `PID[/TID] COMM [arch] call = ret`; not the `+++ left behind: … +++` lines (strace has none).
    static func normalize(ipcwatch text: String) -> [String] {
        text.split(separator: "\n").filter { !$0.contains(" +++ left behind: ") }.compactMap { line in
            line.firstMatch(of: /^\d+(?:\/\d+)? \S+ (?:\[\w+\] )?(.*)$/).map { mask(String($0.output.1)) }
        }
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
                                 ourCommand: [String]? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let (straceResult, expected) = strace(command, events: events)
        let (ourResult, actual) = ipcwatch(ourCommand ?? command, options: options)
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

    @Test("-y on splice, tee, vmsplice: pipe fds as <pipe:[inode]>, in the same places as strace's")
    func splicesDecodeFDs() {
        // Inodes differ between runs; strace names the memfd by path where we print the number (docs/usage.md).
        let unify = { (line: String) in
            line.replacing(/pipe:\[\d+\]/, with: "pipe:[I]").replacing(/(\d+)<\/memfd:[^>]*>(?:\(deleted\))?/) { String($0.output.1) }
        }
        let (straceResult, expected) = strace(["-y", Support.fixture, "splice"])
        let (ourResult, actual) = ipcwatch([Support.fixture, "splice"], options: ["-y"])
        #expect(straceResult.status == ourResult.status)
        #expect(expected.count >= 9)
        #expect(expected.filter { $0.contains("<pipe:[") }.count >= 8, "strace shows pipe inodes: \(expected)")
        #expect(expected.map(unify).sorted() == actual.map(unify).sorted())
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

    @Test("real programs", arguments: [
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
    ])
    func realPrograms(command: [String]) {
        expectSameCalls(command, minimum: 1)
    }
}
