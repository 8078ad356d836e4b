// The library path of the benchmark: a consumer of the public async API, as a client would write one.
// `ipcwatch-session-bench [-o FILE] [--] command [args...]` launches the command, iterates the session and
// writes each event's `description` (the CLI's text line) to stderr or FILE through a fully buffered stdio
// stream, flushed at the end, then exits with the command's status. bench.py compares it with the CLI.
import IPCWatch
#if canImport(Glibc)
import Glibc
#endif

/// One line to standard error, unbuffered.
func complain(_ message: String) {
    let line = "ipcwatch-session-bench: \(message)\n"
    _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
}

var command = Array(CommandLine.arguments.dropFirst())
var path: String?
if command.count >= 2 && command[0] == "-o" {
    path = command[1]
    command.removeFirst(2)
}
if command.first == "--" { command.removeFirst() }

let output: UnsafeMutablePointer<FILE>
if let path {
    guard let file = fopen(path, "we") else {
        complain("\(path): \(String(cString: strerror(errno)))")
        exit(1)
    }
    output = file
} else {
    // A stream of its own on descriptor 2 (Swift 6 does not let concurrent code touch the C global).
    output = fdopen(STDERR_FILENO, "w")
}
setvbuf(output, nil, _IOFBF, 1 << 16)

do {
    // The CLI's text mode: the command inherits every descriptor, no pipe inode is looked up (only -y and -j
    // show one; the default `resolvePipeInodes: true` would add a readlink per pipe the CLI does not do).
    let session = try await Tracer(options: TraceOptions(resolvePipeInodes: false, inheritedDescriptors: .all))
        .launch(command)
    for try await record in session {
        if case .event(let event) = record {
            fputs(event.description, output)
            fputc(0x0A, output)
        }
    }
    let outcome = try await session.outcome
    fflush(output)
    switch outcome {
    case .exited(.exited(let code)): exit(code)
    case .exited(.signaled(let signal, _)), .interrupted(let signal): exit(128 + signal)  // the benchmark needs the status only
    case .cancelled: exit(1)
    }
} catch {
    fflush(output)
    complain(error.description)
    exit(error.exitCode)
}
