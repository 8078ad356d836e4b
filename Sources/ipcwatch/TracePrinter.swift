import IPCWatch
#if canImport(Glibc)
import Glibc
#endif

/// The CLI's sink: formats each record on the tracer thread, after the tracee was resumed, and writes
/// it; flushes whenever the tracer has caught up (strace writes each line as the call ends), in blocks
/// under load. Also keeps the summary and the topology, written at the end.
final class TracePrinter: LoopProfileSink, WaitReportSink {
    private let arguments: Options
    private let output: OutputFile
    /// `-o '|command'`: the command reading `output`.
    private let outputCommand: OutputCommand?
    /// `-ff -o PREFIX`: each thread's lines go to `PREFIX.TID`, as strace's, opened at its first line.
    private let separatePrefix: String?
    private var separate: [Int32: OutputFile] = [:]
    /// A line was written since the last flush (to any file).
    private var unflushed = false
    /// `-r`: the previous line's time, for the next line's relative one.
    private var previousTimestamp: UInt64?
    /// The launched command's pid, while it runs.
    private var command: Int32 = 0
    /// Attach mode: the processes attached.
    private var attached: [Int32] = []
    private let messages = OutputFile(fd: STDERR_FILENO)
    private let text: TextFormat
    /// Calls shown at their entry whose line is still open (text only).
    private let openLines = OpenCallLines()
    private let json: TraceeJSONFormat?
    private let showEvents: Bool
    /// `+++ exited with N +++` lines (-qq hides them); `+++ killed by SIG… +++` lines are always shown, as strace's.
    private let showExitedLines: Bool
    private let showKilledLines: Bool
    /// Tracee's schema has no signal event: none in JSON.
    private let showSignals: Bool
    private var summary: Summary?
    /// `-c` with `--data-flow`: the per-pipe table.
    private var pipeFlow: PipeFlowSummary?
    private let graphOutput: OutputFile?
    private var topology: Topology
    /// `--stall-report`: the last wait-for report as JSON.
    private let stallReportOutput: OutputFile?
    /// The SysV objects and queues the trace creates, listed at the end if it leaves them behind: folded here
    /// when the text or `-c` shows them and there is no graph (whose topology folds them itself).
    private var leftovers: Leftovers?
    /// `--timeline=FILE`.
    private let timeline: TimelineOutput?

    /// Opens every output before the trace starts: a path that cannot be written fails now, not after the run.
    init(_ arguments: Options) throws(IPCWatchError) {
        self.arguments = arguments
        // strace's -o '|command' and -o '!command': a pipe to `sh -c command`.
        if let target = arguments.output, target.hasPrefix("|") || target.hasPrefix("!") {
            outputCommand = try OutputCommand(command: String(target.dropFirst()))
        } else {
            outputCommand = nil
        }
        output = switch arguments.output {
        case nil: OutputFile(fd: STDERR_FILENO)
        case _? where outputCommand != nil: OutputFile(fd: outputCommand!.fd, name: arguments.output)
        case "-": OutputFile(fd: STDOUT_FILENO)
        // With -ff the lines go to per-thread files; what is not a thread's (the summary) to stderr.
        case _? where arguments.follow >= 2: OutputFile(fd: STDERR_FILENO)
        case let path?: try OutputFile(path: path, append: arguments.append)
        }
        separatePrefix = arguments.follow >= 2 && arguments.output != "-" && outputCommand == nil ? arguments.output : nil
        if let separatePrefix { try Self.checkDirectory(ofPrefix: separatePrefix) }
        text = TextFormat(decodeFDs: arguments.decodeFDs > 0, timestamps: TextFormat.Timestamps(rawValue: arguments.timestamps) ?? .none,
                          durations: arguments.durations, showsThread: separatePrefix == nil,
                          style: TextStyle(hexStrings: TextStyle.HexStrings(rawValue: min(arguments.hexStrings, 2)) ?? .none,
                                           constants: arguments.constants),
                          rawCalls: arguments.rawCalls, resultColumn: arguments.resultColumn)
        json = arguments.json ? TraceeJSONFormat() : nil
        showEvents = !arguments.summaryOnly
        // strace: -q silences attach/detach messages, -qq also `+++ exited with` (not `+++ killed by`); signals
        // only -e signal=none.
        showKilledLines = showEvents && !arguments.json
        showExitedLines = showKilledLines && !arguments.quiet.contains(.exit)
        showSignals = showEvents && !arguments.json
        summary = arguments.summary || arguments.summaryOnly ? Summary(sortedBy: arguments.sortBy) : nil
        pipeFlow = summary != nil && arguments.dataFlow ? PipeFlowSummary() : nil
        graphOutput = try arguments.graph.map { (path) throws(IPCWatchError) in try OutputFile(path: path) }
        // What exists now is not the trace's: read once, by whichever of the two folds what is left behind.
        let showsLeftovers = !arguments.summaryOnly && !arguments.json || summary != nil
        topology = Topology(dataFlow: arguments.dataFlow, leftovers: graphOutput != nil ? .now() : nil)
        leftovers = graphOutput == nil && showsLeftovers ? .now() : nil
        stallReportOutput = try arguments.stallReport.map { (path) throws(IPCWatchError) in try OutputFile(path: path) }
        let text = text
        timeline = try arguments.timeline.map { (path) throws(IPCWatchError) in try TimelineOutput(path: path, text: text) }
    }

    func traceStarted(_ processes: [Int32]) {
        timeline?.started(processes)
        if arguments.pids.isEmpty, let root = processes.first {
            command = root
            SignalPolicy.forward(to: root)
        }
        guard !arguments.pids.isEmpty else { return }
        attached = processes  // -p's, and with --stall the processes related to them
        guard !arguments.quiet.contains(.attach) else { return }
        processes.forEach { messages.writeLine("ipcwatch: Process \($0) attached") }
        messages.flush()
    }

    func receive(_ record: TraceRecord) -> TraceSinkReply {
        if graphOutput != nil {
            topology.add(record)
            // Bounded memory: orphan pipes no traced process holds any more are only counted.
            if topology.needsSettling { topology.settle() }
        }
        pipeFlow?.add(record)
        if let timeline {
            timeline.add(record)
            unflushed = true
        }
        switch record {
        case .event(let event):
            if topology.waits != nil && !event.result.isUnfinished { topology.waits = nil }  // progress
            // Tracee's schema has no call without a result: unfinished calls are text only.
            if showEvents && arguments.status.contains(event.result) && !(json != nil && event.result.isUnfinished) {
                let file = destination(event.threadID)
                if let json { file.writeLine(bytes: json.bytes(for: event)) } else { writeEnd(of: event, to: file) }
                unflushed = true
            }
            summary?.add(event)
            leftovers?.add(event)
        case .blocking(let event):
            // strace's entry of a call that blocks, left open; JSON has no such event.
            if showEvents && json == nil && arguments.status.contains(event.result) {
                let file = destination(event.threadID)
                openLines.close(in: file)
                let entry = text.entryLine(for: event, relativeTime: relative(event.timestamp))
                file.write(entry)
                openLines.opened(event.threadID, entry: entry, in: file)
                unflushed = true
            }
        case .exit(let tid, let status):
            let exited = if case .exited = status { true } else { false }
            if exited ? showExitedLines : showKilledLines {
                let now = Clock.realtimeNanoseconds()
                openLines.writeLine(text.exitLine(tid: tid, status: status, timestamp: now, relativeTime: relative(now)), to: destination(tid))
                unflushed = true
            }
            if let file = separate.removeValue(forKey: tid) {
                openLines.forget(file)  // the file goes: a new one may take its identity
                file.flush()
            }
            if tid == command { SignalPolicy.forward(to: 0) }  // gone: a later signal ends the trace instead
        case .superseded(let tid, let formerThreadID):
            if showKilledLines && !arguments.quiet.contains(.threadExecve) {
                let now = Clock.realtimeNanoseconds()
                openLines.writeLine(text.supersededLine(tid: tid, by: formerThreadID, timestamp: now, relativeTime: relative(now)),
                                    to: destination(tid))
                unflushed = true
            }
        case .signal(let signal):
            if showSignals && arguments.signals.contains(signal.signal) {
                openLines.writeLine(text.signalLine(signal, relativeTime: relative(signal.timestamp)), to: destination(signal.threadID))
                unflushed = true
            }
        case .lifecycle(let change):
            if arguments.showsFollowedAttaches, case .spawned(let child, _) = change.change {
                // On the trace's own stream when that is stderr, in order with its lines; else beside it.
                let line = "ipcwatch: Process \(child) attached"
                if arguments.output == nil {
                    openLines.writeLine(line, to: output)
                    unflushed = true
                } else {
                    messages.writeLine(line)
                    messages.flush()
                }
            }
        case .snapshot, .usage, .transfer:
            break
        }
        return .proceed
    }

    /// A call's line at its end: the rest of its open entry line, `<... NAME resumed>…` if another line closed
    /// that, or the whole line.
    private func writeEnd(of event: Event, to file: OutputFile) {
        switch openLines.end(event.threadID, in: file) {
        case .continuation(let entry): file.writeLine(text.continuation(for: event, after: entry))
        case .resumed:
            let returned = event.timestamp &+ event.duration
            file.writeLine(text.resumedLine(for: event, relativeTime: relative(returned)))
        case .whole: file.writeLine(text.line(for: event, relativeTime: relative(event.timestamp)))
        }
    }

    /// `-ff` opens `PREFIX.TID` for each thread as the trace goes: the directory is checked before the command
    /// runs, as `-o`'s file is opened (strace finds out at the first file, with the command running).
    private static func checkDirectory(ofPrefix prefix: String) throws(IPCWatchError) {
        let directory = prefix.lastIndex(of: "/").map { $0 == prefix.startIndex ? "/" : String(prefix[..<$0]) } ?? "."
        var info = stat()
        let failure = stat(directory, &info) != 0 ? errno
            : info.st_mode & S_IFMT != S_IFDIR ? ENOTDIR
            : faccessat(AT_FDCWD, directory, W_OK | X_OK, AT_EACCESS) != 0 ? errno : 0
        guard failure == 0 else { throw .cannotOpen(path: prefix + ".PID", errno: Errno(rawValue: failure)) }
    }

    /// `IPCWATCH_PROFILE=1`: where the tracer's time went, one line on stderr (the benchmark reads it).
    func traceProfiled(_ profile: LoopProfile) {
        messages.writeLine("ipcwatch: " + profile.summary)
        messages.flush()
    }

    /// Where `tid`'s lines go.
    private func destination(_ tid: Int32) -> OutputFile {
        guard let prefix = separatePrefix else { return output }
        if let file = separate[tid] { return file }
        let path = "\(prefix).\(tid)"
        let file: OutputFile
        do {
            file = try OutputFile(path: path, append: arguments.append)
        } catch {
            // Reported once per file, as strace reports a file it cannot open; the lines go to stderr.
            messages.writeLine("ipcwatch: \(error.description)")
            messages.flush()
            file = output
        }
        separate[tid] = file
        return file
    }

    /// `-r`: seconds since the previous line, as strace's `%6ld.%06ld `; after a `-t` time, `(+%6ld.%06ld) `.
    private func relative(_ timestamp: UInt64) -> String {
        guard arguments.relativeTimestamps else { return "" }
        // Lines come in exit order, times are entry times: a call that blocked entered before the line
        // printed last. strace's -r never goes negative either.
        let delta = previousTimestamp.map { timestamp > $0 ? timestamp - $0 : 0 } ?? 0
        previousTimestamp = max(previousTimestamp ?? 0, timestamp)
        let seconds: String = String(delta / 1_000_000_000)
        let micros: String = String(delta / 1000 % 1_000_000).leftPadded(to: 6)
        let padding = String(repeating: " ", count: max(0, 6 - seconds.count))
        let text = padding + seconds + "." + micros
        return arguments.timestamps > 0 ? "(+" + text + ") " : text + " "
    }

    var hasDeferredWork: Bool { unflushed || SignalPolicy.graphRequested }

    func tracerWillWait() {
        if SignalPolicy.takeGraphRequest() { writeGraph() }
        output.flush()
        separate.values.forEach { $0.flush() }
        timeline?.flush()
        unflushed = false
    }

    func takeWaitReportRequest() -> Bool {
        SignalPolicy.takeReportRequest() && (reportsWaits || graphOutput != nil)
    }

    /// `--stall` or `--stall-report`: the report is written (with `--graph` alone, SIGUSR1 only draws it).
    private var reportsWaits: Bool { arguments.stall != nil || arguments.stallReport != nil }

    /// The text on the trace output, the JSON in `--stall-report` (replacing the last one), and the waits in
    /// the graph (until the next completed call: then they are out of date).
    func waitReported(_ report: WaitReport) {
        if graphOutput != nil {
            topology.waits = report
            writeGraph()
        }
        guard reportsWaits else { return }
        // Never into -j's event stream, whose every line is an event: on stderr when the events are not there
        // (-o, -ff), else only in --stall-report's file.
        if json == nil || arguments.output != nil {
            let file = json == nil ? output : messages
            openLines.writeLine(report.text, to: file)
            file.flush()
        }
        if let stallReportOutput {
            stallReportOutput.rewind()
            stallReportOutput.writeLine(report.json)
            stallReportOutput.flush()
        }
    }

    func discoveredProcessRefused(_ pid: Int32, reason: String) {
        messages.writeLine("ipcwatch: related process \(pid) not attached: \(reason)")
        messages.flush()
    }

    /// Writes what is written at the end: the detach messages, the summary, the graph.
    func finish(_ outcome: TraceOutcome) {
        openLines.close(in: output)  // every call has ended by now: no line stays without its newline
        if !arguments.pids.isEmpty, case .interrupted = outcome, !arguments.quiet.contains(.attach) {
            attached.filter { kill($0, 0) == 0 }.forEach { messages.writeLine("ipcwatch: Process \($0) detached") }
        }
        messages.flush()
        // After the exit lines, as strace's other lines about no call; with -ff to stderr (no thread's).
        topology.traceEnded()
        leftovers?.confirmWithKernel()
        let left = leftovers?.objects ?? topology.leftBehind
        if showEvents && json == nil {
            let now = Clock.realtimeNanoseconds()
            for object in left { openLines.writeLine(text.leftoverLine(object, timestamp: now, relativeTime: relative(now)), to: output) }
        }
        // A JSON summary is not an event: it never goes into the event stream, but to stderr.
        if let summary, arguments.json {
            messages.writeLine(summary.jsonLine)
            if let pipeFlow { messages.writeLine(pipeFlow.jsonLine) }
            if let line = LeftoverSummary.jsonLine(left) { messages.writeLine(line) }
            messages.flush()
        } else if let summary {
            openLines.writeLine(summary.text, to: output)
            if let pipeFlow { output.writeLine("\n" + pipeFlow.text) }
            if let section = LeftoverSummary.text(left) { output.writeLine("\n" + section) }
        }
        output.flush()
        separate.values.forEach { $0.flush() }
        outputCommand?.finish()  // strace waits for its output command too: the output is complete
        timeline?.finish()
        // Launched: every process has ended, so no orphan pipe is open any more. Detached: they still run.
        if graphOutput != nil { topology.settle() }
        writeGraph()
    }

    /// The graph of the run so far, replacing what the file held (at the end, and at each SIGUSR1).
    private func writeGraph() {
        guard let graphOutput, let format = arguments.graphFormat else { return }
        graphOutput.rewind()
        graphOutput.writeLine(String(topology.rendered(as: format, all: arguments.graphAll).dropLast()))  // writeLine adds the newline
        graphOutput.flush()
    }
}
