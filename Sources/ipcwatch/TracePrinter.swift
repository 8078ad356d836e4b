import IPCWatch
#if canImport(Glibc)
import Glibc
#endif

/// The CLI's sink: formats each record on the tracer thread, after the tracee was resumed, and writes
/// it; flushes whenever the tracer has caught up (strace writes each line as the call ends), in blocks
/// under load. Also keeps the summary and the topology, written at the end.
final class TracePrinter: TraceSink {
    private let arguments: Options
    private let output: OutputFile
    private let messages = OutputFile(fd: STDERR_FILENO)
    private let text: TextFormat
    private let json: TraceeJSONFormat?
    private let showEvents: Bool
    private let showExits: Bool
    private var summary: Summary?
    private let graphOutput: OutputFile?
    private var topology = Topology()

    /// Opens every output before the trace starts: a path that cannot be written fails now, not after the run.
    init(_ arguments: Options) throws(IPCWatchError) {
        self.arguments = arguments
        output = switch arguments.output {
        case nil: OutputFile(fd: STDERR_FILENO)
        case "-": OutputFile(fd: STDOUT_FILENO)
        case let path?: try OutputFile(path: path, append: arguments.append)
        }
        text = TextFormat(decodeFDs: arguments.decodeFDs > 0, timestamps: TextFormat.Timestamps(rawValue: arguments.timestamps) ?? .none,
                          durations: arguments.durations)
        json = arguments.json ? TraceeJSONFormat() : nil
        showEvents = !arguments.summaryOnly
        showExits = showEvents && !arguments.json && arguments.quiet == 0
        summary = arguments.summary || arguments.summaryOnly ? Summary() : nil
        graphOutput = try arguments.graph.map { (path) throws(IPCWatchError) in try OutputFile(path: path) }
    }

    func traceStarted(_ processes: [Int32]) {
        if arguments.pids.isEmpty, let command = processes.first { SignalPolicy.forward(to: command) }
        guard !arguments.pids.isEmpty, arguments.quiet == 0 else { return }
        arguments.pids.forEach { messages.writeLine("ipcwatch: Process \($0) attached") }
        messages.flush()
    }

    func receive(_ record: TraceRecord) -> TraceSinkReply {
        if graphOutput != nil { topology.add(record) }
        switch record {
        case .event(let event):
            if showEvents && shows(event.result) {
                if let json { output.writeLine(bytes: json.bytes(for: event)) } else { output.writeLine(text.line(for: event)) }
            }
            summary?.add(event)
        case .exit(let tid, let status):
            if showExits { output.writeLine(text.exitLine(tid: tid, status: status)) }
        case .snapshot:
            break
        }
        return .proceed
    }

    /// `-z` / `-Z`: only successful, only failed calls (the summary counts them all, as strace's).
    private func shows(_ result: SyscallResult) -> Bool {
        if arguments.successfulOnly { return result.isSuccess }
        if arguments.failedOnly { return !result.isSuccess }
        return true
    }

    var hasDeferredWork: Bool { output.hasBufferedOutput }

    func tracerWillWait() { output.flush() }

    /// Writes what is written at the end: the detach messages, the summary, the graph.
    func finish(_ outcome: TraceOutcome) {
        if !arguments.pids.isEmpty, case .interrupted = outcome, arguments.quiet == 0 {
            arguments.pids.filter { kill($0, 0) == 0 }.forEach { messages.writeLine("ipcwatch: Process \($0) detached") }
        }
        messages.flush()
        // A JSON summary is not an event: it never goes into the event stream, but to stderr.
        if let summary, arguments.json {
            messages.writeLine(summary.jsonLine)
            messages.flush()
        } else if let summary {
            output.writeLine(summary.text)
        }
        output.flush()
        if let graphOutput, let format = arguments.graphFormat {
            graphOutput.writeLine(String(topology.rendered(as: format).dropLast()))  // writeLine adds the newline
            graphOutput.flush()
        }
    }
}
