// A host process for the test that signals belong to the trace they arrive during: three traces in one
// process, the first interrupted by a SIGTERM its command sends to this process, the next two run to the
// end. Prints one line per trace: `<name> <outcome> events=<n>`. Used by IPCWatchAPITests.
import Glibc
import IPCWatch

/// Counts events on the tracer thread: the synchronous path.
final class CountingSink: TraceSink {
    var events = 0
    func receive(_ record: TraceRecord) -> TraceSinkReply {
        if case .event = record { events += 1 }
        return .proceed
    }
}

func describe(_ outcome: TraceOutcome) -> String {
    switch outcome {
    case .exited(let status): "exited(\(status.shellCode))"
    case .interrupted(let signal): "interrupted(\(signal))"
    case .cancelled: "cancelled"
    }
}

var action = sigaction()
action.__sigaction_handler.sa_handler = { Tracer.interruptAll(signal: $0) }
sigemptyset(&action.sa_mask)
sigaction(SIGTERM, &action, nil)

let tracer = Tracer()
do {
    // The command signals this process, then would run for a minute: only the interruption ends it early.
    let first = try await tracer.launch(["sh", "-c", "kill -TERM \(getpid()); exec sleep 60"])
    var events = 0
    for try await _ in first.events { events += 1 }
    print("first \(describe(try await first.outcome)) events=\(events)")

    let second = try await tracer.launch(["sh", "-c", "echo hi | cat >/dev/null"])
    events = 0
    for try await _ in second.events { events += 1 }
    print("second \(describe(try await second.outcome)) events=\(events)")

    let sink = CountingSink()
    let third = try tracer.run(launching: ["sh", "-c", "echo hi | cat >/dev/null"], into: sink)
    print("third \(describe(third)) events=\(sink.events)")
} catch {
    print("error \(error)")
    exit(1)
}
