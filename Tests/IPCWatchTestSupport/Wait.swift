import Foundation
import Testing

/// Polls `condition` until it holds; fails the test (and throws) with `message` if it still does not
/// after `deadline`. Every wait on /proc, a pid, a file or a process state goes through here, so a broken
/// tracer fails a test saying what it waited for instead of spinning for ever.
///
/// The poll starts with a bare yield (the state a test waits for usually comes within microseconds) and
/// backs off to a few milliseconds between checks: a poll, never a sleep that the test relies on.
///
/// `message` is evaluated only on failure, so it can show the state that was last seen.
@_disfavoredOverload  // in async code, the async waitUntil below, which does not block the thread
@available(*, noasync, message: "an async test waits with the async waitUntil, which does not block its thread")
public func waitUntil(deadline: Duration = .seconds(30), message: @autoclosure () -> String,
                      sourceLocation: SourceLocation = #_sourceLocation, _ condition: () throws -> Bool) throws {
    let end = ContinuousClock.now + deadline
    var pause = Duration.zero
    while ContinuousClock.now < end {
        if try condition() { return }
        if pause == .zero { sched_yield() } else { Thread.sleep(forTimeInterval: pause.seconds) }
        pause = Poll.next(after: pause)
    }
    // The last look, at the deadline.
    try #require(try condition(), Comment(rawValue: "waited \(deadline) for: \(message())"), sourceLocation: sourceLocation)
}

/// The same for async tests: the wait suspends instead of blocking the thread.
public func waitUntil(deadline: Duration = .seconds(30), message: @autoclosure () -> String,
                      sourceLocation: SourceLocation = #_sourceLocation,
                      _ condition: () async throws -> Bool) async throws {
    let end = ContinuousClock.now + deadline
    var pause = Duration.zero
    while ContinuousClock.now < end {
        if try await condition() { return }
        if pause == .zero { await Task.yield() } else { try await Task.sleep(for: pause) }
        pause = Poll.next(after: pause)
    }
    // The last look, at the deadline.
    try #require(try await condition(), Comment(rawValue: "waited \(deadline) for: \(message())"), sourceLocation: sourceLocation)
}

enum Poll {
    /// 0 (a yield) for the first poll, then 50 µs doubling up to 5 ms.
    static func next(after pause: Duration) -> Duration {
        pause == .zero ? .microseconds(50) : min(pause * 2, .milliseconds(5))
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
