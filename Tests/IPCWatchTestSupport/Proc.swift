import Foundation

/// Readers of /proc/PID files, which say what a process is doing without disturbing it.
public enum Proc {
    /// A /proc file read to its end ("" if it cannot be opened): they report a size of 0, so size-based
    /// readers get nothing.
    public static func read(_ path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
    }

    /// One field of /proc/PID/status ("State", "TracerPid"), trimmed; nil if the process is gone.
    public static func status(_ field: String, of pid: pid_t) -> String? {
        for line in read("/proc/\(pid)/status").split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// What /proc/PID/status says a process is doing: its state letter ("S", "T", "t" for a ptrace stop,
    /// "R") and its tracer's pid ("0" when untraced); empty strings for a process that is gone.
    public static func state(of pid: pid_t) -> (state: String, tracer: String) {
        (String((status("State", of: pid) ?? "").prefix(1)), status("TracerPid", of: pid) ?? "")
    }

    /// The number of the syscall a process is asleep in ("" if it is not asleep, or gone). /proc/PID/syscall
    /// names the call of a tracee held at its syscall stop too, and the tracer may resume it to run a
    /// moment before it sleeps: only the state `S` or `D` says the call has really begun to wait.
    public static func blockedSyscall(_ pid: pid_t) -> String {
        let number = read("/proc/\(pid)/syscall").split(separator: " ").first.map(String.init) ?? ""
        return ["S", "D"].contains(state(of: pid).state) ? number : ""
    }
}
