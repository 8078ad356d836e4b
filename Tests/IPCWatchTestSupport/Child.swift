import Foundation
import Testing

/// A child process with pipes on its stdin, stdout and stderr, spawned and reaped by hand: the attach
/// tests must control exactly when each side reads, writes and is signalled.
///
/// Every wait has a deadline: a line not read within `within`, or a child still running when its
/// watchdog fires (it is then killed), fails the test with a message saying what it waited for.
public final class Child {
    public let pid: pid_t
    private let command: String
    private let watchdog: Watchdog
    private var reaped = false
    public private(set) var stdin: Int32
    private let stdout: LineReader
    private let stderr: LineReader

    /// `foregroundJob`: the child starts as a shell's job would: leading a new process group, with no
    /// signal blocked and default dispositions (this test runner blocks several, SIGINT among them).
    /// Otherwise it inherits this runner's signal mask. `deadline`: the watchdog's.
    public init(_ arguments: [String], environment: [String: String] = [:], foregroundJob: Bool = false,
                deadline: Duration = .seconds(120), sourceLocation: SourceLocation = #_sourceLocation) throws {
        let pipes = try (0..<3).map { _ in try #require(Spawn.pipe(), "pipe2: \(Errno(errno))", sourceLocation: sourceLocation) }
        defer { close(pipes[0].read); close(pipes[1].write); close(pipes[2].write) }
        let spawned = Spawn.spawn(arguments[0], arguments: arguments, environment: environment,
                                  descriptors: (pipes[0].read, pipes[1].write, pipes[2].write),
                                  signals: foregroundJob ? .foregroundJob : .inherited)
        if case .failure = spawned { close(pipes[0].write); close(pipes[1].read); close(pipes[2].read) }
        pid = try #require(try? spawned.get(), "spawn \(arguments[0]): \(spawned)", sourceLocation: sourceLocation)
        command = Spawn.describe(arguments)
        watchdog = Watchdog(pid: pid, deadline: deadline)
        stdin = pipes[0].write
        stdout = LineReader(fd: pipes[1].read, source: "the stdout of \(command)")
        stderr = LineReader(fd: pipes[2].read, source: "the stderr of \(command)")
    }

    /// The next line of its stdout, nil at EOF; a failure (and nil) if none comes `within`.
    public func readLine(within: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        stdout.next(within: within, sourceLocation: sourceLocation)
    }

    /// The next line of its stderr, nil at EOF; a failure (and nil) if none comes `within`.
    public func readErrorLine(within: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        stderr.next(within: within, sourceLocation: sourceLocation)
    }

    /// Closes our end of the child's stdout, as a reader that exits does.
    public func closeStdout() { stdout.close() }
    public func write(_ text: String) { _ = text.withCString { Glibc.write(stdin, $0, strlen($0)) } }
    public func closeStdin() {
        if stdin >= 0 { close(stdin) }
        stdin = -1
    }

    /// Waits for the child (at most until its watchdog kills it, which fails the test); returns
    /// (code, false) or (signal, true).
    public func wait(sourceLocation: SourceLocation = #_sourceLocation) -> (Int32, Bool) {
        Spawn.awaitExit(pid)
        if watchdog.disarm() {
            Issue.record("\(command) was still running after \(watchdog.deadline): killed", sourceLocation: sourceLocation)
        }
        reaped = true
        return Spawn.reap(pid)
    }

    deinit {
        closeStdin()
        guard !reaped else { return }  // its pid may belong to someone else by now
        kill(pid, SIGKILL)
        Spawn.awaitExit(pid)
        _ = watchdog.disarm()
        _ = Spawn.reap(pid)
    }
}

/// Line reads from a descriptor, each with a deadline.
public final class LineReader {
    private var fd: Int32
    private let source: String
    private var buffer: [UInt8] = []

    /// Reads `fd` (and closes it when done); `source` names it in failure messages.
    public init(fd: Int32, source: String) {
        self.fd = fd
        self.source = source
    }

    deinit { close() }

    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// The next line without its newline; at EOF the unterminated rest, then nil. If no line comes
    /// `within`, the test fails and this returns nil.
    public func next(within: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        let end = ContinuousClock.now + within
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            guard fd >= 0 else { return rest() }
            let left = end - ContinuousClock.now
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let polled = left > .zero ? poll(&ready, 1, Int32(min(left.seconds * 1000 + 1, 1e9))) : 0
            if polled < 0 && errno == EINTR { continue }
            guard polled > 0 else {
                Issue.record("no line from \(source) within \(within)", sourceLocation: sourceLocation)
                return nil
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return rest() }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    private func rest() -> String? {
        defer { buffer.removeAll() }
        return buffer.isEmpty ? nil : String(decoding: buffer, as: UTF8.self)
    }
}
