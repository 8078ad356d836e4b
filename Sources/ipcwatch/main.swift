import IPCWatch
#if canImport(Glibc)
import Glibc
#endif

/// Prints `ipcwatch: message` on one line and exits with `code`.
func fail(_ message: String, code: Int32) -> Never {
    OutputFile(fd: STDERR_FILENO).writeLine("ipcwatch: \(message)")
    exit(code)
}

let arguments: Options
do {
    arguments = try Options.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    if let message = error.message { fail(message, code: 1) }
    exit(1)  // getopt_long said why, on one line
}
switch arguments.request {
case .help:
    print(HelpText.usage)
    exit(0)
case .version:
    print(HelpText.version)
    exit(0)
case .trace:
    for warning in arguments.warnings { OutputFile(fd: STDERR_FILENO).writeLine("ipcwatch: \(warning)") }
}

// -E: strace changes its own environment, which the command inherits.
for assignment in arguments.environment {
    if let equals = assignment.firstIndex(of: "=") {
        setenv(String(assignment[..<equals]), String(assignment[assignment.index(after: equals)...]), 1)
    } else {
        unsetenv(assignment)
    }
}

// The command gets the signal state ipcwatch started with, recorded before the policy changes it.
let commandSignals = CommandSignalState.current()
let attaching = !arguments.pids.isEmpty
SignalPolicy.install(attaching: attaching)
if arguments.graph != nil || arguments.stall != nil || arguments.stallReport != nil { SignalPolicy.reportOnSIGUSR1() }

// The main thread is the tracer: records are formatted and written here, with no hand-off.
do {
    let variants = (try? arguments.variants) ?? []  // validated by Options.parse
    let events = Set(variants.map(\.syscall))
    // A pipe inode costs a readlink of /proc per pipe: only when part of the schema (-j); -y reads every
    // descriptor's link instead (resolveDescriptors).
    var options = TraceOptions(events: events, decode: DecodeOptions(stringLimit: arguments.stringLimit),
                               resolvePipeInodes: arguments.json, sameCPU: arguments.sameCPU,
                               processSnapshots: arguments.graph != nil, taskContext: arguments.json,
                               inheritedDescriptors: .all, dataFlow: arguments.dataFlow,
                               // strace's text shows a call at its entry, unless lines are chosen by how calls end.
                               reportsBlockingCalls: !arguments.json && !arguments.summaryOnly && arguments.status == StatusSelection(),
                               // The timeline's process tracks and pipe arrows; the children's attach lines.
                               lifecycle: arguments.timeline != nil || arguments.showsFollowedAttaches,
                               transfers: arguments.timeline != nil)
    options.variants = variants
    options.resolveDescriptors = arguments.decodeFDs > 0
    options.descriptorDetails = arguments.decodeFDs > 1 && !arguments.json && !arguments.summaryOnly  // text lines only
    options.commandSignalState = commandSignals
    options.profile = getenv("IPCWATCH_PROFILE").map { String(cString: $0) == "1" } ?? false
    // Attach mode's --stall=0: "why is this stuck?", one report right after attaching, then detach.
    options.stall = arguments.stall.map { StallPolicy(seconds: $0, reportOnceThenEnd: attaching && $0 == 0) }
    if let user = arguments.user {
        // strace's checks and words, in its order (attach mode included).
        guard getuid() == 0 && geteuid() == 0 else { fail("You must be root to use the \(arguments.userOption) option", code: 1) }
        guard let identity = CommandIdentity.lookUp(user) else { fail("Cannot find user '\(user)'", code: 1) }
        options.commandIdentity = identity
    }
    let printer = try TracePrinter(arguments)
    let tracer = Tracer(options: options)
    // With --stall, -p PID also attaches to the processes that matter to PID (the other ends of its pipes,
    // whom it waits for, its children): one pid of a hung tree is enough to ask why it is stuck.
    // Only the pids named are fatal to attach: a related one refused is a note on stderr.
    let related = attaching && arguments.stall != nil ? RelatedProcesses.closure(of: arguments.pids) : arguments.pids
    let outcome = attaching ? try tracer.run(attachingTo: arguments.pids, discovered: related, into: printer)
                            : try tracer.run(launching: arguments.command, into: printer)
    printer.finish(outcome)
    // strace's statuses: the command's in launch mode; in attach mode 0 once every process is gone, and
    // death by the signal that made it detach (Ctrl-C: 130 in a shell).
    switch outcome {
    case .interrupted(let signal): SignalPolicy.die(of: signal)
    case _ where attaching: exit(0)
    case .exited(.exited(let code)): exit(code)
    case .exited(.signaled(let signal, _)): SignalPolicy.die(of: signal)
    case .cancelled: exit(1)
    }
} catch {
    // strace's words for an output it cannot open.
    if case .cannotOpen(let path, let errno) = error, !path.hasPrefix("|") {
        fail("Can't fopen '\(path)': \(errno.message)", code: error.exitCode)
    }
    fail(error.description, code: error.exitCode)
}
