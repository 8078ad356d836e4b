// The text of each value is what the CLI prints for it.

extension Event: CustomStringConvertible {
    /// The event as the CLI's text output shows it: `PID[/TID] COMM [i386] call(args) = result`.
    public var description: String { TextFormat().line(for: self) }
}

extension Call: CustomStringConvertible {
    /// The call as strace shows it, without its result: `pipe2([3, 4], O_CLOEXEC)`.
    public var description: String { straceText() }
}

extension TerminationStatus: CustomStringConvertible {
    /// `exited with 0`, `killed by SIGKILL`, `killed by SIGSEGV (core dumped)`, as strace says it.
    public var description: String {
        switch self {
        case .exited(let code): "exited with \(code)"
        case .signaled(let signal, let core): "killed by \(SignalNames.name(signal))\(core ? " (core dumped)" : "")"
        }
    }
}

extension TraceRecord: CustomStringConvertible {
    /// The event's line, the thread's `TID +++ exited with 0 +++` line, or for a snapshot (which the CLI
    /// does not print) `PID COMM at exec: 0<pipe:[123]:read> 1<pipe:[124]:write> 3<unix:[125]>`.
    public var description: String {
        switch self {
        case .event(let event): event.description
        case .blocking(let event): event.description
        case .exit(let tid, let status): TextFormat().exitLine(tid: tid, status: status)
        case .superseded(let tid, let formerThreadID): TextFormat().supersededLine(tid: tid, by: formerThreadID)
        case .signal(let signal): TextFormat().signalLine(signal)
        case .snapshot(let snapshot):
            "\(snapshot.processID) \(snapshot.processName) at \(snapshot.moment.rawValue):"
                + snapshot.pipes.map { " \($0.fd)<pipe:[\($0.inode)]:\($0.end.rawValue)>" }.joined()
                + snapshot.channels.map { " \($0.fd)<\($0.kind.rawValue):[\($0.inode)]\($0.path.map { ":" + $0 } ?? "")>" }.joined()
        case .usage(let usage):
            "\(usage.processID) \(usage.kind == .unix ? "socket" : usage.kind.rawValue):[\(usage.inode)] \(usage.end.rawValue): \(usage.calls) calls, \(usage.bytes) bytes"
        case .lifecycle(let change):
            switch change.change {
            case .spawned(let child, let childProcessID):
                "\(change.threadID) spawned \(child == childProcessID ? "process" : "thread") \(child)"
            case .executed(let name): "\(change.threadID) exec'd \(name)"
            }
        case .transfer(let transfer):
            "\(transfer.threadID) \(transfer.name) "
                + transfer.sides.map { "\($0.fd)<\($0.kind == .unix ? "socket" : $0.kind.rawValue):[\($0.inode)]:\($0.end.rawValue)>" }.joined(separator: " ")
                + " = \(transfer.result)"
        }
    }
}

extension TraceOutcome: CustomStringConvertible {
    /// `exited with 0`, `killed by SIGTERM`, `interrupted by SIGTERM`, `cancelled`.
    public var description: String {
        switch self {
        case .exited(let status): status.description
        case .interrupted(let signal): "interrupted by \(SignalNames.name(signal))"
        case .cancelled: "cancelled"
        }
    }
}
