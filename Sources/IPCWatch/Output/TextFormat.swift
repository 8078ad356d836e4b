#if canImport(Glibc)
import Glibc
#endif

/// One line per event: `PID[/TID] [time] COMM [i386] call(args) = result`.
package struct TextFormat: Sendable {
    /// strace's `-t` (seconds), `-tt` (microseconds), `-ttt` (epoch with microseconds).
    package enum Timestamps: Int, Sendable {
        /// No prefix, then one per `-t`: `HH:MM:SS`, `HH:MM:SS.uuuuuu`, and epoch seconds `S.uuuuuu`.
        case none = 0, seconds, microseconds, epoch
    }

    /// Show pipe fds with their inode, like strace `-y`.
    package var decodeFDs: Bool
    /// Which time prefix each line starts with.
    package var timestamps: Timestamps
    /// strace's `-T`: the time spent in the call after the result, ` <0.000040>`.
    package var durations: Bool

    /// Creates a format; the defaults match strace without `-y` or `-t`. (strace's `-s` is
    /// ``DecodeOptions/stringLimit``: message text and `sembuf` arrays are cut when they are read.)
    /// The `PID[/TID] ` prefix; false in strace's `-ff` files, whose name says whose lines they are.
    package var showsThread: Bool
    /// `-x`/`-xx` and `-X`: how strings and named constants are written.
    package var style: TextStyle
    /// strace's `-a`: a line shorter than this is padded with spaces so that its ` = ` ends here, as strace's
    /// `tabto()` aligns results (default 40; 0 never pads).
    package var resultColumn: Int
    /// `-e raw=SET`: calls whose constants are written as numbers whatever `style` says.
    package var rawCalls: Set<Syscall>

    package init(decodeFDs: Bool = false, timestamps: Timestamps = .none, durations: Bool = false, showsThread: Bool = true,
                 style: TextStyle = TextStyle(), rawCalls: Set<Syscall> = [], resultColumn: Int = 40) {
        self.style = style
        self.resultColumn = resultColumn
        self.rawCalls = rawCalls
        self.decodeFDs = decodeFDs
        self.timestamps = timestamps
        self.durations = durations
        self.showsThread = showsThread
    }

    /// The event as one line, without a newline. `relativeTime` is `-r`'s column, placed where strace
    /// places its time: after the thread prefix (`[pid N] 0.000123 call`).
    package func line(for event: Event, relativeTime: String = "") -> String {
        // A call that did not return shows what strace printed at its entry (its memory may be gone now).
        if event.result.isUnfinished {
            let entry = entryLine(for: event, relativeTime: relativeTime)
            return entry + continuation(for: event, after: entry)
        }
        let call = head(of: event, at: event.timestamp, relativeTime)
            + event.call.straceText(targets: targets(of: event), name: Self.name(of: event), style: style(for: event),
                                    kludge: kludge(of: event))
        return aligned(call, result(of: event))
    }

    /// A call's entry, as strace prints it there, the line left open (a ``TraceRecord/blocking(_:)`` record):
    /// `PID COMM msgrcv(5, `. ``continuation(for:after:)`` ends it; if another line must come first, the open line
    /// ends with ``interruption`` and the call's event is written as ``resumedLine(for:relativeTime:)``.
    package func entryLine(for event: Event, relativeTime: String = "") -> String {
        head(of: event, at: event.timestamp, relativeTime)
            + event.call.entryText(name: Self.name(of: event), targets: targets(of: event), style: style(for: event))
    }

    /// What ends an open entry line when another line must be written first.
    package static let interruption = " <unfinished ...>"

    /// The rest of a call's line after its ``entryLine(for:relativeTime:)``: the arguments strace prints at the
    /// exit and the result (`{mtype=1, mtext="hi"}, 8, 0, 0) = 3`), or how it did not return. `start` is what
    /// the line holds already: the result is aligned on the whole line.
    package func continuation(for event: Event, after start: String) -> String {
        // No result, no time spent: strace's `<detached ...>` ends the line, `<unfinished ...>)` has `= ?`.
        if case .unfinished(let reason) = event.result {
            let ending = event.call.unfinishedEnding(reason)
            return reason == .detached ? ending : aligned(ending, " = ?", after: start)
        }
        let rest = event.call.exitText(targets: targets(of: event), style: style(for: event), kludge: kludge(of: event))
        return aligned(rest, result(of: event), after: start)
    }

    /// `call` then ` = result`, padded between as strace's `tabto()` pads: when the line (`start`, then `call`)
    /// is shorter, to one column short of ``resultColumn``, so that the `=` after the space sits at that column.
    private func aligned(_ call: consuming String, _ result: String, after start: String = "") -> String {
        var spaces = max(0, resultColumn - 1 - start.utf8.count - call.utf8.count)
        var line = consume call  // owned: appended to in place, not copied
        line.reserveCapacity(line.utf8.count + spaces + result.utf8.count)
        while spaces > 0 {  // from one constant: no string of spaces made per line
            let run = min(spaces, Self.blanks.utf8.count)
            line.append(contentsOf: Self.blanks.prefix(run))
            spaces -= run
        }
        line += result
        return line
    }

    private static let blanks = String(repeating: " ", count: 64)

    /// The end of a call whose entry line was interrupted, stamped with the time it returned:
    /// `PID COMM <... msgrcv resumed>{mtype=1, mtext="hi"}, 8, 0, 0) = 3`.
    package func resumedLine(for event: Event, relativeTime: String = "") -> String {
        let start = head(of: event, at: event.timestamp &+ event.duration, relativeTime) + "<... \(Self.name(of: event)) resumed>"
        return start + continuation(for: event, after: start)
    }

    /// `PID[/TID] [time] COMM [i386] `.
    private func head(of event: Event, at timestamp: UInt64, _ relativeTime: String) -> String {
        var head = prefix(processID: event.processID, threadID: event.threadID, at: timestamp, relativeTime)
        head += event.processName + " "
        if event.architecture != .x86_64 { head += "[\(event.architecture.rawValue)] " }
        return head
    }

    /// `-y`: what each descriptor of the line is (nil without `-y`).
    private func targets(of event: Event) -> DescriptorTargets? {
        decodeFDs ? event.descriptorTargets ?? event.call.targets(pipeInodes: event.pipeInodes) : nil
    }

    /// A failed i386 `ipc(MSGRCV)` of version 0: its `struct ipc_kludge`, which strace 6.1 prints instead of the buffer.
    private func kludge(of event: Event) -> TraceeAddress? {
        guard let raw = event.multiplexed, raw.version == 0, !event.result.isSuccess else { return nil }
        return raw.ptr
    }

    /// ` = 3`, `-y`'s queue of mq_open's descriptor (`= 3</name>`), `-T`'s ` <0.000040>`.
    private func result(of event: Event) -> String {
        var text = " = " + event.result.straceText(for: event.call)
        if case .mqOpen = event.call, case .success(let fd) = event.result, let fd = Int32(exactly: fd),
           let targets = targets(of: event), targets[fd] != nil {
            text += StringQuoting.descriptor(fd, targets).drop { $0 != "<" }
        }
        if durations {
            text += " <\(event.duration / 1_000_000_000).\(String(event.duration / 1000 % 1_000_000).leftPadded(to: 6))>"
        }
        return text
    }

    /// The event's parts as its line shows them: the syscall's name, the call with its arguments, and
    /// the result (`?` for an unfinished call, as strace's `= ?`); what a timeline slice carries.
    package func callAndResult(for event: Event) -> (name: String, call: String, result: String) {
        let name = Self.name(of: event)
        if case .unfinished(let reason) = event.result {
            return (name, event.call.entryText(name: name, targets: targets(of: event), style: style(for: event))
                    + event.call.unfinishedEnding(reason), "?")
        }
        return (name, event.call.straceText(targets: targets(of: event), name: name, style: style(for: event), kludge: kludge(of: event)),
                event.result.straceText(for: event.call))
    }

    private func style(for event: Event) -> TextStyle {
        guard rawCalls.contains(event.call.syscall) else { return style }
        var raw = style
        raw.constants = .raw
        return raw
    }

    /// strace's signal line: `PID --- SIGCHLD {si_signo=SIGCHLD, …} ---`, `PID --- stopped by SIGSTOP ---`.
    package func signalLine(_ signal: SignalDelivery, relativeTime: String = "") -> String {
        prefix(processID: signal.processID, threadID: signal.threadID, at: signal.timestamp, relativeTime)
            + "--- \(signal.straceText(style: style)) ---"
    }

    /// `PID[/TID] ` (unless in a `-ff` file), then the time: strace's order.
    func prefix(processID: Int32, threadID: Int32, at timestamp: UInt64, _ relativeTime: String) -> String {
        var line = ""
        if showsThread {
            line += String(processID)
            if threadID != processID { line += "/\(threadID)" }
            line += " "
        }
        return line + self.timestamp(timestamp) + relativeTime
    }

    /// The name strace prints: the kernel's for i386's `*_time64` entries (semtimedop exists only as
    /// `semtimedop_time64`, 420, outside `ipc(2)`).
    private static func name(of event: Event) -> String { event.variant.straceName }

    /// strace's end-of-thread line: `PID +++ exited with 0 +++` or `PID +++ killed by SIGKILL +++`; with
    /// `-t`, stamped with `timestamp` (when it was seen) after the tid, as strace's.
    package func exitLine(tid: Int32, status: TerminationStatus, timestamp: UInt64 = 0, relativeTime: String = "") -> String {
        prefix(processID: tid, threadID: tid, at: timestamp, relativeTime) + "+++ \(status) +++"
    }

    /// strace's line for a leader whose thread id another thread's exec took over.
    package func supersededLine(tid: Int32, by formerThreadID: Int32, timestamp: UInt64 = 0, relativeTime: String = "") -> String {
        prefix(processID: tid, threadID: tid, at: timestamp, relativeTime) + "+++ superseded by execve in pid \(formerThreadID) +++"
    }

    private func timestamp(_ nanoseconds: UInt64) -> String {
        guard timestamps != .none else { return "" }
        let seconds = nanoseconds / 1_000_000_000, micros = (nanoseconds / 1000) % 1_000_000
        let fraction = String(micros).leftPadded(to: 6)
        if timestamps == .epoch { return "\(seconds).\(fraction) " }
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        let clock = [parts.tm_hour, parts.tm_min, parts.tm_sec].map { String($0).leftPadded(to: 2) }.joined(separator: ":")
        return timestamps == .seconds ? clock + " " : "\(clock).\(fraction) "
    }
}

extension String {
    package func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// Signal names as strace prints them.
enum SignalNames {
    private static let names = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
                                "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
                                "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
                                "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"]

    static func name(_ signal: Int32) -> String {
        if signal >= 1 && Int(signal) <= names.count { return names[Int(signal) - 1] }
        // strace numbers real-time signals from the kernel's SIGRTMIN (32), not glibc's (34): SIGRT_3 is 35.
        return signal >= 32 && signal <= 64 ? "SIGRT_\(signal - 32)" : "\(signal)"
    }
}

