import IPCWatch
import Testing
@testable import ipcwatch

/// The command line as getopt_long parses it (strace's grammar), checked without running anything: what
/// is accepted, what each flag means, and the one line each mistake gets.
@Suite("Command line (getopt_long, strace's grammar)")
struct ValidationTests {
    /// The message for `arguments`, nil if accepted ("" when getopt_long printed its own).
    static func refusal(_ arguments: [String]) -> String? {
        do {
            _ = try Options.parse(arguments)
            return nil
        } catch {
            return error.message ?? ""
        }
    }

    @Test("the command starts at the first word that is not an option, or after --")
    func command() throws {
        #expect(try Options.parse(["-y", "--", "sh", "-c", "true"]).command == ["sh", "-c", "true"])
        #expect(try Options.parse(["sh", "-c", "true"]).command == ["sh", "-c", "true"])
        #expect(try Options.parse(["--", "-weird-name"]).command == ["-weird-name"])
        #expect(try Options.parse(["ls", "-l", "-e", "x"]).command == ["ls", "-l", "-e", "x"], "the command's own options")
        #expect(try Options.parse(["-e", "pipe", "ls"]).expressions == ["pipe"])
    }

    @Test("strace's spellings: bundles, attached values, --long=value")
    func spellings() throws {
        let attached = try Options.parse(["-s200", "-oFILE", "-etrace=pipe2", "-fqy", "-tt", "true"])
        #expect(attached.stringLimit == 200 && attached.output == "FILE" && attached.expressions == ["trace=pipe2"])
        #expect(attached.follow == 1 && attached.quiet == [.attach, .personality] && attached.decodeFDs == 1 && attached.timestamps == 2)
        let long = try Options.parse(["--string-limit=64", "--output=out", "--expr=%ipc", "--json", "--seccomp-bpf", "true"])
        #expect(long.stringLimit == 64 && long.output == "out" && long.expressions == ["%ipc"] && long.json)
        #expect(try Options.parse(["-a0", "true"]).resultColumn == 0 && Options.parse(["true"]).resultColumn == 40)
        #expect(try Options.parse(["--columns", "2147483647", "true"]).resultColumn == 2147483647)
        // strace reads both with strtol: leading blanks and a sign, in decimal (010 is ten).
        #expect(try Options.parse(["-a", " +7", "-s", " 010", "true"]).resultColumn == 7)
        #expect(try Options.parse(["-s", " 010", "true"]).stringLimit == 10)
        #expect(try Options.parse(["-ff", "-e", "trace=%ipc", "true"]).follow == 2)
    }

    @Test("-p takes pids repeated, comma- or space-separated (the pidof idiom)")
    func pids() throws {
        #expect(try Options.parse(["-p", "12", "-p", "34"]).pids == [12, 34])
        #expect(try Options.parse(["-p", "12,34"]).pids == [12, 34])
        #expect(try Options.parse(["-p", "12 34"]).pids == [12, 34])
        #expect(try Options.parse(["-p12"]).pids == [12])
    }

    @Test("each mistake is refused with a message that names it", arguments: [
        (["--bogus"], ""),
        (["-Q", "true"], ""),
        (["-s"], ""),
        ([], "must have PROG [ARGS] or -p PID"),
        (["-p", "12", "sh"], "either -p PID or a command"),
        (["-p", "abc"], "Invalid process id: 'abc'"),
        (["-p", "0"], "Invalid process id: '0'"),
        (["--same-cpu", "-p", "12"], "--same-cpu applies to launch mode only"),
        (["-s", "-1", "true"], "invalid -s argument: '-1'"),
        (["-s", "x", "true"], "invalid -s argument: 'x'"),
        (["-a", "x", "true"], "invalid -a argument: 'x'"),
        (["-a-1", "true"], "invalid -a argument: '-1'"),
        (["--columns=2147483648", "true"], "invalid --columns argument: '2147483648'"),
        (["--col=", "true"], "invalid --columns argument: ''"),
        (["-a", "5 ", "true"], "invalid -a argument: '5 '"),
        (["-s", "0x10", "true"], "invalid -s argument: '0x10'"),
        (["-tttt", "true"], "-t may be given at most three times"),
        (["-e", "bogus", "true"], "invalid system call 'bogus'"),
        (["-e", "", "true"], "invalid system call ''"),
        (["-e", "msg", "true"], "%msg or tag=ipc_msgq"),
        (["-c", "-C", "true"], "-c/--summary-only and -C/--summary are mutually exclusive"),
        (["--graph-format", "dot", "true"], "--graph-format needs --graph FILE"),
        (["--graph", "g.svg", "--graph-format", "svg", "true"], "unknown graph format 'svg'"),
        (["--graph", "g.txt", "true"], "cannot tell the format of 'g.txt'"),
    ])
    func refused(arguments: [String], message: String) {
        let refusal = Self.refusal(arguments)
        #expect(refusal != nil, "accepted")
        if message.isEmpty {
            #expect(refusal == "", "getopt_long reports it itself")
        } else {
            #expect(refusal?.contains(message) == true, "got: \(refusal ?? "accepted")")
        }
    }

    @Test("-h and -V are requests, not traces; they need no command")
    func requests() throws {
        #expect(try Options.parse(["-h"]).request == .help)
        #expect(try Options.parse(["--help"]).request == .help)
        #expect(try Options.parse(["-V"]).request == .version)
    }

    @Test("--graph's format comes from --graph-format, else from the file's extension")
    func graphFormat() throws {
        #expect(try Options.parse(["--graph", "g.dot", "true"]).graphFormat == .dot)
        #expect(try Options.parse(["--graph=g.gv", "true"]).graphFormat == .dot)
        #expect(try Options.parse(["--graph", "g.mmd", "true"]).graphFormat == .mermaid)
        #expect(try Options.parse(["--graph", "g.json", "true"]).graphFormat == .json)
        #expect(try Options.parse(["--graph", "g.txt", "--graph-format", "json", "true"]).graphFormat == .json)
        #expect(try Options.parse(["true"]).graphFormat == nil)
    }

    @Test("the last -e trace= counts, as strace's; each one is checked")
    func expressions() throws {
        let parsed = try Options.parse(["-e", "pipe", "-e", "%msg", "true"])
        #expect(try parsed.events == [.msgget, .msgsnd, .msgrcv, .msgctl])
        #expect(Self.refusal(["-e", "nosuch", "-e", "pipe", "true"]) == "invalid system call 'nosuch'")
        #expect(try Options.parse(["true"]).events == Syscall.defaultSelection, "without -e: the library's default")
        #expect(try Options.parse(["true"]).events == TraceOptions().events)
    }
}
