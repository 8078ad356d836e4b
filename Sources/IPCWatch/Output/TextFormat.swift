/// One line per event: `PID[/TID] COMM [i386] call(args) = result`.
public struct TextFormat: Sendable {
    public var stringLimit: Int

    public init(stringLimit: Int = 32) { self.stringLimit = stringLimit }

    public func line(for event: Event) -> String {
        var line = String(event.processID)
        if event.threadID != event.processID { line += "/\(event.threadID)" }
        line += " " + event.processName + " "
        if event.architecture != .x86_64 { line += "[\(event.architecture.rawValue)] " }
        line += event.call.straceText(stringLimit: stringLimit)
        line += " = " + event.result.straceText(for: event.call)
        return line
    }
}

extension Event: CustomStringConvertible {
    /// The event as the CLI's text output shows it.
    public var description: String { TextFormat().line(for: self) }
}
