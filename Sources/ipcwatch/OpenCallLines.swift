import IPCWatch

/// strace's lines for calls shown at their entry (``TraceRecord/blocking(_:)``): the entry is written and
/// the line left open; the call's end completes it, unless another line comes first and closes it with
/// ` <unfinished ...>`, after which the end is written as `<... NAME resumed>…`. One open line per file:
/// with `-ff` each thread writes its own file, so its lines are never split (as strace's).
final class OpenCallLines {
    /// How a call's end is written.
    enum End {
        /// Its entry line, `entry`, is open: the rest of it (``TextFormat/continuation(for:after:)``).
        case continuation(after: String)
        /// Its entry line was closed by another: `<... NAME resumed>` (``TextFormat/resumedLine(for:relativeTime:)``).
        case resumed
        /// Never shown: the whole line.
        case whole
    }

    /// The thread whose entry line is open, per file, and that line (the result is aligned on all of it).
    private var open: [ObjectIdentifier: (tid: Int32, entry: String)] = [:]
    /// Threads whose entry line another line closed.
    private var interrupted: Set<Int32> = []

    /// Writes a line that ends no call (an exit, a signal, a report) to `file`, after closing the entry line
    /// left open there.
    func writeLine(_ line: String, to file: OutputFile) {
        close(in: file)
        file.writeLine(line)
    }

    /// Before a line that is not a call's end is written to `file`: closes the entry line left open there.
    func close(in file: OutputFile) {
        guard let tid = open.removeValue(forKey: ObjectIdentifier(file))?.tid else { return }
        file.writeLine(TextFormat.interruption)
        interrupted.insert(tid)
    }

    /// `file` is closed: nothing is open in it any more.
    func forget(_ file: OutputFile) { open[ObjectIdentifier(file)] = nil }

    /// `tid`'s entry line, `entry`, was written to `file`, left open.
    func opened(_ tid: Int32, entry: String, in file: OutputFile) { open[ObjectIdentifier(file)] = (tid, entry) }

    /// `tid`'s call ended and its line is to be written to `file`: how.
    func end(_ tid: Int32, in file: OutputFile) -> End {
        if let line = open[ObjectIdentifier(file)], line.tid == tid {
            open[ObjectIdentifier(file)] = nil
            return .continuation(after: line.entry)
        }
        close(in: file)
        return interrupted.remove(tid) != nil ? .resumed : .whole
    }
}
