import ArgumentParser
import IPCWatch
#if canImport(Glibc)
import Glibc
#endif

/// Prints `ipcwatch: message` on one line and exits with `code`.
func fail(_ message: String, code: Int32) -> Never {
    OutputStream(fd: STDERR_FILENO).writeLine("ipcwatch: \(message)")
    exit(code)
}

let arguments: IPCWatchCommand
do {
    arguments = try IPCWatchCommand.parse()
} catch {
    let code = IPCWatchCommand.exitCode(for: error)
    if code == .success {
        print(IPCWatchCommand.fullMessage(for: error))
        exit(0)
    }
    let message = IPCWatchCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
    fail(message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message, code: 2)
}

// Signal dispositions are set here, on the main thread, first: TerminationSignals records the mask and
// dispositions ipcwatch started with, which the command gets back.
// A reader that goes away must not kill the tracer: output is dropped, the trace goes on.
TerminationSignals.ignore([SIGPIPE])
if !arguments.pids.isEmpty {
    // Attach mode: Ctrl-C, SIGTERM, SIGHUP detach and leave the processes running as before.
    TerminationSignals.install([SIGINT, SIGTERM, SIGHUP, SIGQUIT])
} else {
    // A terminal's Ctrl-C reaches the command too: let it decide, and report how it ended.
    TerminationSignals.ignore([SIGINT, SIGQUIT])
    TerminationSignals.install([SIGTERM, SIGHUP])
}
// Every ptrace stop sends the tracer's process a SIGCHLD. A thread that lets it in is woken for each
// one (twice per syscall in attach mode: +35 % measured); blocked in every thread, it stays one pending
// bit. Hence no async main either: dispatch_main() parks the main thread in sigsuspend with an empty mask.
var childSignal = sigset_t()
sigemptyset(&childSignal)
sigaddset(&childSignal, SIGCHLD)
pthread_sigmask(SIG_BLOCK, &childSignal, nil)
Task.detached { await trace(arguments) }
while true { pause() }  // returns after a TerminationSignals handler; trace() ends the process

/// Everything after parsing; ends the process with the command's status.
func trace(_ arguments: IPCWatchCommand) async -> Never {
    do {
        let events = try arguments.events.map(EventSelection.parse) ?? Set(Syscall.allCases)
        // A pipe inode costs a readlink of /proc per pipe: only when shown (-y) or part of the schema (-j).
        let options = TraceOptions(events: events, decode: DecodeOptions(stringLimit: arguments.stringLimit),
                                   resolvePipeInodes: arguments.decodeFDs || arguments.json, sameCPU: arguments.sameCPU,
                                   processSnapshots: arguments.graph != nil, inheritedDescriptors: .all)
        let tracer = Tracer(options: options)
        let output: OutputStream = switch arguments.output {
        case nil: OutputStream(fd: STDERR_FILENO)
        case "-": OutputStream(fd: STDOUT_FILENO)
        case let path?: try OutputStream(path: path)
        }
        let text = TextFormat(decodeFDs: arguments.decodeFDs,
                              timestamps: TextFormat.Timestamps(rawValue: arguments.timestamps) ?? .none)
        let json = TraceeJSONFormat()
        let write: (Event) -> Void = arguments.json ? { output.writeLine(bytes: json.bytes(for: $0)) }
                                                    : { output.writeLine(text.line(for: $0)) }
        let showEvents = !arguments.summaryOnly
        let showExits = showEvents && !arguments.json && arguments.quiet == 0
        var summary = arguments.summary || arguments.summaryOnly ? Summary() : nil

        // Opened before the trace starts: a path that cannot be written fails now, not after the run.
        var graphOutput: OutputStream?
        if let path = arguments.graph { graphOutput = try OutputStream(path: path) }
        var topology = Topology()
        let finishOutput = {
            if let summary { output.writeLine(arguments.json ? summary.jsonLine : summary.text) }
            output.flush()
            if let graphOutput, let format = arguments.graphFormat {
                graphOutput.writeLine(String(topology.rendered(as: format).dropLast()))  // writeLine adds the newline
                graphOutput.flush()
            }
        }
        let messages = OutputStream(fd: STDERR_FILENO)
        let attaching = !arguments.pids.isEmpty

        let session = attaching ? try await tracer.attach(arguments.pids) : try await tracer.launch(arguments.command)
        if attaching && arguments.quiet == 0 {
            arguments.pids.forEach { messages.writeLine("ipcwatch: Process \($0) attached") }
            messages.flush()
        }
        for try await record in session {
            if graphOutput != nil { topology.add(record) }
            switch record {
            case .event(let event):
                if showEvents { write(event) }
                summary?.add(event)
            case .exit(let tid, let status):
                if showExits { output.writeLine(text.exitLine(tid: tid, status: status)) }
            case .snapshot:
                break
            }
            // Caught up: what is written is shown now, not at the end (a busy trace still writes in blocks).
            if !session.hasPendingRecords { output.flush() }
        }
        let outcome = try await session.outcome
        if attaching {
            if case .interrupted = outcome, arguments.quiet == 0 {
                arguments.pids.filter { kill($0, 0) == 0 }.forEach { messages.writeLine("ipcwatch: Process \($0) detached") }
            }
            messages.flush()
            finishOutput()
            exit(0)
        }
        finishOutput()
        switch outcome {
        case .exited(.exited(let code)): exit(code)
        case .exited(.signaled(let signal, _)), .interrupted(let signal): ExitPropagation.die(of: signal)
        case .cancelled: exit(1)
        }
    } catch {
        fail(error.description, code: error.exitCode)
    }
}
