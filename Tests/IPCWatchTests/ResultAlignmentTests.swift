@testable import IPCWatch
import Testing

/// strace's `-a`: where ` = result` starts, on lines built by hand, so that the lines a run may or may not
/// produce (an entry line finished by its own call, a resumed line, a killed call's) are each checked. The
/// rule itself is strace's own output's (StraceOracleTests checks both tools' lines by it).
@Suite("Result alignment (strace's -a)")
struct ResultAlignmentTests {
    private let receive = Call.msgrcv(msqid: 5, msgp: 0x1000,
                                      message: MessageBuffer(type: 1, textAddress: 0x1008, text: Array("hi".utf8), truncated: false),
                                      msgsz: 2, msgtyp: 0, flags: 0)

    private func event(_ result: SyscallResult) -> Event {
        Event(timestamp: 0, processID: 7, threadID: 7, parentProcessID: 1, userID: 0, processName: "p", architecture: .x86_64,
              call: receive, multiplexed: nil, result: result, duration: 0, pipeInodes: nil)
    }

    /// Where the result's `=` is on `line`.
    private func column(_ line: String) -> Int? {
        line.firstRange(of: " = ").map { line.utf8.distance(from: line.startIndex, to: $0.lowerBound) + 1 }
    }

    @Test("a short line's = sits at the column; the end of an open entry line aligns on the whole line")
    func shortLines() {
        for resultColumn in [50, 60] {
            let format = TextFormat(resultColumn: resultColumn)
            let whole = format.line(for: event(.success(2)))
            #expect(whole.hasPrefix("7 p msgrcv(5, {mtype=1, mtext=\"hi\"}, 2, 0, 0)") && column(whole) == resultColumn, "\(whole)")
            let entry = format.entryLine(for: event(.success(2)))
            #expect(entry == "7 p msgrcv(5, ")
            #expect(entry + format.continuation(for: event(.success(2)), after: entry) == whole)
            let killed = format.line(for: event(.unfinished(.threadEnded)))
            let ending = "7 p msgrcv(5,  <unfinished ...>)"
            #expect(killed == ending + String(repeating: " ", count: resultColumn - 1 - ending.utf8.count) + " = ?")
        }
    }

    @Test("a line that reaches the column gets one space; -a 0 never pads; a detached call has no result")
    func longLines() {
        let resumed = TextFormat().resumedLine(for: event(.success(2)))
        #expect(resumed == "7 p <... msgrcv resumed>{mtype=1, mtext=\"hi\"}, 2, 0, 0) = 2")
        #expect(TextFormat(resultColumn: 0).line(for: event(.success(2))) == "7 p msgrcv(5, {mtype=1, mtext=\"hi\"}, 2, 0, 0) = 2")
        #expect(TextFormat().line(for: event(.unfinished(.detached))) == "7 p msgrcv(5,  <detached ...>")
    }
}
