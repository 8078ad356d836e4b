#if canImport(Glibc)
import Glibc
#endif

/// A buffered writer on a file descriptor: line-buffered for a terminal, block-buffered otherwise.
/// A failed write never stops the trace: the first one is reported on one line, `ipcwatch: NAME: error`
/// (as strace reports `-o /dev/full`), and further output is dropped. A reader that went away (EPIPE,
/// `| head -1`) is not reported: it asked for no more.
package final class OutputFile {
    private let fd: Int32
    private let ownsDescriptor: Bool
    private let lineBuffered: Bool
    private var buffer: [UInt8] = []
    private let capacity = 64 * 1024
    /// The reader went away or the device failed; further output is dropped.
    package private(set) var failure: Errno?

    /// What the failure report calls it: the path, or the stream.
    private let name: String

    /// Writes to `fd`, line-buffered when it is a terminal (`isatty`); closes it on deinit only when `ownsDescriptor`.
    package init(fd: Int32, ownsDescriptor: Bool = false, name: String? = nil) {
        self.fd = fd
        self.name = name ?? (fd == STDOUT_FILENO ? "stdout" : fd == STDERR_FILENO ? "stderr" : "fd \(fd)")
        self.ownsDescriptor = ownsDescriptor
        self.lineBuffered = isatty(fd) == 1
        buffer.reserveCapacity(capacity)
        // Closed when ipcwatch started (`>&-`): a descriptor opened later would take its number.
        if fcntl(fd, F_GETFD) < 0 { fail(.current) }
    }

    /// Opens (creates, truncates or appends to) `path` for writing, close-on-exec so the traced command
    /// never inherits it.
    package convenience init(path: String, append: Bool = false) throws(IPCWatchError) {
        let fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC) | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw .cannotOpen(path: path, errno: .current) }
        self.init(fd: fd, ownsDescriptor: true, name: path)
    }

    deinit {
        flush()
        if ownsDescriptor { close(fd) }
    }

    /// Lines are waiting in the buffer: ``flush()`` has something to write.
    package var hasBufferedOutput: Bool { !buffer.isEmpty }

    /// Writes `line` and a newline.
    package func writeLine(_ line: String) {
        guard failure == nil else { return }
        buffer.append(contentsOf: line.utf8)
        endLine()
    }

    /// Writes `bytes` (UTF-8, no newline) and a newline.
    package func writeLine(bytes: [UInt8]) {
        guard failure == nil else { return }
        buffer.append(contentsOf: bytes)
        endLine()
    }

    /// Writes `text` and no newline: a line left open (a call's entry, as strace writes it).
    package func write(_ text: String) {
        guard failure == nil else { return }
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= capacity { flush() }
    }

    /// Writes `bytes` as they are: lines the caller ended itself.
    package func append(bytes: [UInt8]) {
        guard failure == nil else { return }
        buffer.append(contentsOf: bytes)
        if lineBuffered || buffer.count >= capacity { flush() }
    }

    private func endLine() {
        buffer.append(UInt8(ascii: "\n"))
        if lineBuffered || buffer.count >= capacity { flush() }
    }

    /// Writes out the buffer, retrying on `EINTR`; an error sets ``failure`` and drops what is left.
    package func flush() {
        var offset = 0
        while offset < buffer.count && failure == nil {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { fail(.current) }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Starts the file over (what `--graph` does at each SIGUSR1): flushed, truncated, back at offset 0. A
    /// pipe or terminal cannot be truncated: there the next write follows the last.
    package func rewind() {
        flush()
        if ftruncate(fd, 0) == 0 { lseek(fd, 0, SEEK_SET) }
    }

    private func fail(_ error: Errno) {
        failure = error
        guard error.rawValue != EPIPE, fd != STDERR_FILENO else { return }
        let line = "ipcwatch: \(name): \(error.message)\n"
        _ = line.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
    }
}
