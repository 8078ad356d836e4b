import IPCWatch

/// `--timeline=FILE`: the ``Timeline``'s lines written to FILE as they come, flushed with the other
/// outputs, and the JSON array closed at the end, however the trace ended (Ctrl-C, SIGTERM and a
/// detach end through ``TracePrinter/finish(_:)`` too).
final class TimelineOutput {
    private let file: OutputFile
    private var timeline: Timeline

    /// Opens (truncates) `path` before the trace starts; the slices' args are written in `text`'s format.
    init(path: String, text: TextFormat) throws(IPCWatchError) {
        file = try OutputFile(path: path)
        timeline = Timeline(text: text)
    }

    func started(_ processes: [Int32]) {
        timeline.started(processes, at: Clock.realtimeNanoseconds())
        write()
    }

    func add(_ record: TraceRecord) {
        timeline.add(record)
        write()
    }

    func flush() { file.flush() }

    func finish() {
        timeline.finish(at: Clock.realtimeNanoseconds())
        write()
        file.flush()
    }

    private func write() {
        timeline.takeOutput { file.append(bytes: $0) }
    }
}
