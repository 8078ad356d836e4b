import IPCWatch
import Testing
@testable import ipcwatch

/// The command line's rules, checked without running anything: what is accepted, what each flag means,
/// and the one-line message each mistake gets.
@Suite("Command-line validation")
struct ValidationTests {
    /// The first line of the parser's message for `arguments`, nil if they are accepted.
    static func refusal(_ arguments: [String]) -> String? {
        do {
            _ = try IPCWatchCommand.parse(arguments)
            return nil
        } catch {
            return IPCWatchCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? ""
        }
    }

    @Test("a command after options, with or without --; options after the command are the command's")
    func command() throws {
        #expect(try IPCWatchCommand.parse(["-y", "--", "sh", "-c", "true"]).command == ["sh", "-c", "true"])
        #expect(try IPCWatchCommand.parse(["sh", "-c", "true"]).command == ["sh", "-c", "true"])
        #expect(try IPCWatchCommand.parse(["ls", "-l"]).command == ["ls", "-l"])
    }

    @Test("-p takes a pid, repeated or comma-separated; spaces around commas are allowed")
    func pids() throws {
        #expect(try IPCWatchCommand.parse(["-p", "12", "-p", "34"]).pids == [12, 34])
        #expect(try IPCWatchCommand.parse(["-p", "12, 34"]).pids == [12, 34])
    }

    @Test("each mistake is refused with a message that names it", arguments: [
        (["--bogus"], "unknown option '--bogus'"),
        ([], "no command given"),
        (["-p", "12", "sh"], "either -p PID or a command"),
        (["-p", "abc"], "invalid process id 'abc'"),
        (["-p", "0"], "invalid process id '0'"),
        (["--same-cpu", "-p", "12"], "--same-cpu applies to launch mode only"),
        (["--string-limit=-1", "true"], "-s must be a non-negative number"),
        (["-tttt", "true"], "-t may be given at most three times"),
        (["-e", "bogus", "true"], "unknown event 'bogus'"),
        (["--graph-format", "dot", "true"], "--graph-format needs --graph FILE"),
        (["--graph", "g.svg", "--graph-format", "svg", "true"], "unknown graph format 'svg'"),
        (["--graph", "g.txt", "true"], "cannot tell the format of 'g.txt'"),
    ])
    func refused(arguments: [String], message: String) {
        let refusal = Self.refusal(arguments)
        #expect(refusal?.contains(message) == true, "got: \(refusal ?? "accepted")")
    }

    @Test("--graph's format comes from --graph-format, else from the file's extension")
    func graphFormat() throws {
        #expect(try IPCWatchCommand.parse(["--graph", "g.dot", "true"]).graphFormat == .dot)
        #expect(try IPCWatchCommand.parse(["--graph", "g.gv", "true"]).graphFormat == .dot)
        #expect(try IPCWatchCommand.parse(["--graph", "g.mmd", "true"]).graphFormat == .mermaid)
        #expect(try IPCWatchCommand.parse(["--graph", "g.json", "true"]).graphFormat == .json)
        #expect(try IPCWatchCommand.parse(["--graph", "g.txt", "--graph-format", "json", "true"]).graphFormat == .json)
        #expect(try IPCWatchCommand.parse(["true"]).graphFormat == nil)
    }

    @Test("-t counts, -q counts, -s and -o take values")
    func values() throws {
        let parsed = try IPCWatchCommand.parse(["-tt", "-qq", "-s", "200", "-o", "out.txt", "-y", "-j", "true"])
        #expect(parsed.timestamps == 2 && parsed.quiet == 2 && parsed.stringLimit == 200)
        #expect(parsed.output == "out.txt" && parsed.decodeFDs && parsed.json)
    }
}
