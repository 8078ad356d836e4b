import ArgumentParser
import IPCWatch
#if canImport(Glibc)
import Glibc
#endif

/// Prints `ipcwatch: message` on one line and exits with `code`.
func fail(_ message: String, code: Int32) -> Never {
    OutputFile(fd: STDERR_FILENO).writeLine("ipcwatch: \(message)")
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

// The command gets the signal state ipcwatch started with, recorded before the policy changes it.
let commandSignals = CommandSignalState.current()
let attaching = !arguments.pids.isEmpty
SignalPolicy.install(attaching: attaching)

// The main thread is the tracer: records are formatted and written here, with no hand-off.
do {
    let events = try arguments.events.map(EventSelection.parse) ?? Set(Syscall.allCases)
    // A pipe inode costs a readlink of /proc per pipe: only when shown (-y) or part of the schema (-j).
    var options = TraceOptions(events: events, decode: DecodeOptions(stringLimit: arguments.stringLimit),
                               resolvePipeInodes: arguments.decodeFDs || arguments.json, sameCPU: arguments.sameCPU,
                               processSnapshots: arguments.graph != nil, taskContext: arguments.json,
                               inheritedDescriptors: .all)
    options.commandSignalState = commandSignals
    let printer = try TracePrinter(arguments)
    let tracer = Tracer(options: options)
    let outcome = attaching ? try tracer.run(attachingTo: arguments.pids, into: printer)
                            : try tracer.run(launching: arguments.command, into: printer)
    printer.finish(outcome)
    switch outcome {
    case _ where attaching: exit(0)
    case .exited(.exited(let code)): exit(code)
    case .exited(.signaled(let signal, _)), .interrupted(let signal): SignalPolicy.die(of: signal)
    case .cancelled: exit(1)
    }
} catch {
    fail(error.description, code: error.exitCode)
}
