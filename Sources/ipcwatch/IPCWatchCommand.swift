import ArgumentParser
import IPCWatch

/// The command line: flags only. Everything it does is a call into the IPCWatch library.
struct IPCWatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipcwatch",
        abstract: "Watch a program's pipe and SysV IPC syscalls (ptrace + seccomp, no root).",
        usage: "ipcwatch [options] [--] command [args...]\n       ipcwatch [options] -p PID[,PID...]",
        discussion: "Traces pipe, pipe2, ipc (i386), msgget/msgsnd/msgrcv/msgctl, semget/semop/semtimedop/semctl "
            + "and shmget/shmat/shmdt/shmctl of the command, its children and threads. "
            + "Exits with the command's exit status."
    )

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write events to FILE ('-' for stdout).", valueName: "FILE"))
    var output: String?

    @Flag(name: [.short, .long], help: "One JSON object per line, in Tracee's event schema.")
    var json = false

    @Option(name: [.short, .customLong("events")],
            help: ArgumentHelp("Comma-separated events or sets to trace; '!name' excludes (default: all).",
                               valueName: "LIST"))
    var events: String?

    @Option(name: [.short, .customLong("string-limit")], help: ArgumentHelp("Bytes of message text to show.", valueName: "N"))
    var stringLimit: Int = 32

    @Flag(name: [.customShort("y"), .customLong("decode-fds")], help: "Show pipe fds with their inode: 3<pipe:[12345]>.")
    var decodeFDs = false

    @Flag(name: [.customShort("c"), .customLong("summary-only")], help: "Only a summary table at the end (no events).")
    var summaryOnly = false

    @Flag(name: [.customShort("C"), .customLong("summary")], help: "Events, and a summary table at the end.")
    var summary = false

    @Flag(name: .customShort("t"), help: "Prefix time of day; -tt with microseconds, -ttt as epoch seconds.")
    var timestamps: Int

    @Flag(name: [.short, .long], help: "No attach, detach or exit messages.")
    var quiet: Int

    @Flag(name: .customShort("f"), help: "Follow forks and threads: always on, accepted as strace's -f/-ff.")
    var follow: Int

    @Flag(name: .customLong("same-cpu"),
          help: "Run ipcwatch and the command on one CPU: faster per event, but the command's threads share it.")
    var sameCPU = false

    @Option(name: .customLong("graph"),
            help: ArgumentHelp("When the trace ends, write who talks to whom (processes, pipes, SysV objects) to FILE.",
                               valueName: "FILE"))
    var graph: String?

    @Option(name: .customLong("graph-format"),
            help: ArgumentHelp("dot, mermaid or json (default: from FILE's extension: .dot/.gv, .mmd/.mermaid, .json).",
                               valueName: "FORMAT"))
    var graphFormatName: String?

    /// The format of `--graph`, nil without it.
    var graphFormat: GraphFormat? {
        guard let graph else { return nil }
        return graphFormatName.flatMap(GraphFormat.init(rawValue:)) ?? GraphFormat(path: graph)
    }

    @Option(name: [.short, .customLong("pid")],
            help: ArgumentHelp("Attach to running process PID (repeatable, or comma-separated); detach on Ctrl-C.",
                               valueName: "PID"))
    var pid: [String] = []

    /// The processes of `-p`.
    var pids: [Int32] { pid.flatMap { $0.split(separator: ",") }.compactMap { Int32(String($0.filter { $0 != " " })) } }

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The command to run.", valueName: "command"))
    var command: [String] = []

    mutating func validate() throws {
        if command.first == "--" {
            command.removeFirst()
        } else if command.first == "-h" || command.first == "--help" {
            throw CleanExit.helpRequest(self)
        } else if let first = command.first, first.hasPrefix("-") {
            // Passthrough capture starts at the first unknown word: an unknown option is not a command.
            throw ValidationError("unknown option '\(first)'")
        }
        for word in pid.flatMap({ $0.split(separator: ",") }) {
            guard let value = Int32(String(word.filter { $0 != " " })), value > 0 else {
                throw ValidationError("invalid process id '\(word)'")
            }
        }
        if sameCPU && !pid.isEmpty {
            throw ValidationError("--same-cpu applies to launch mode only")
        }
        if !pid.isEmpty && !command.isEmpty {
            throw ValidationError("give either -p PID or a command, not both")
        }
        guard !command.isEmpty || !pid.isEmpty else {
            throw ValidationError("no command given (usage: ipcwatch [options] [--] command [args...] or ipcwatch -p PID)")
        }
        guard stringLimit >= 0 else { throw ValidationError("-s must be a non-negative number") }
        guard timestamps <= 3 else { throw ValidationError("-t may be given at most three times") }
        if let events { _ = try EventSelection.parse(events) }
        if let name = graphFormatName, GraphFormat(rawValue: name) == nil {
            throw ValidationError("unknown graph format '\(name)' (dot, mermaid or json)")
        }
        if graphFormatName != nil && graph == nil { throw ValidationError("--graph-format needs --graph FILE") }
        if let graph, graphFormat == nil {
            throw ValidationError("cannot tell the format of '\(graph)' from its name: add --graph-format dot|mermaid|json")
        }
    }
}
