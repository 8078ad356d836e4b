#if canImport(Glibc)
import Glibc
#endif

/// What `/proc` says of one thread at one moment: its scheduler state, the call it is in, and how long it
/// has run. Two equal samples of a waiting thread mean it made no progress between them; the loop cannot
/// tell otherwise, since the calls the seccomp filter lets through (read, write, poll…) never stop it.
struct ThreadSample: Equatable {
    /// `/proc/TID/stat`'s state letter: `R`, `S`, `D`, `T`, `t`, `Z`…
    var state: UInt8
    /// `/proc/TID/syscall`: `running`, `-1 …` outside a call, or the number, six arguments, sp and pc.
    var syscallLine: String
    /// The first field of `/proc/TID/schedstat`: nanoseconds on a CPU, which moves whenever the thread runs.
    var runtime: UInt64

    /// Nil if the thread is gone (or `/proc` cannot be read).
    init?(tid: pid_t) {
        guard let stat = ProcFS.read("/proc/\(tid)/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")")),
              close + 2 < stat.count else { return nil }
        state = stat[close + 2]
        let line = ProcFS.read("/proc/\(tid)/syscall").map { String(decoding: $0, as: UTF8.self) } ?? ""
        syscallLine = line.hasSuffix("\n") ? String(line.dropLast()) : line
        let schedstat = ProcFS.read("/proc/\(tid)/schedstat") ?? []
        runtime = schedstat.prefix { $0 != UInt8(ascii: " ") }.reduce(0) { $0 &* 10 &+ UInt64($1 &- UInt8(ascii: "0")) }
    }

    /// The call and its six arguments in x86_64 terms for a task of `abi`, nil outside a call (or running).
    func call(abi: SyscallABI) -> BlockingCall.Call? {
        let words = syscallLine.split(separator: " ")
        guard words.count >= 7, let number = Int(words[0]), number >= 0 else { return nil }
        let arguments = words[1...6].map { UInt64($0.hasPrefix("0x") ? $0.dropFirst(2) : $0, radix: 16) ?? 0 }
        return BlockingCall.canonical(number, arguments, abi: abi)
    }

    /// Stopped by a signal (SIGSTOP, SIGTSTP…; `t` under ptrace: ipcwatch keeps a group-stopped tracee so).
    var isStopped: Bool { state == UInt8(ascii: "T") || state == UInt8(ascii: "t") }

    /// Asleep in the kernel, or stopped: waiting for something outside itself. Uninterruptible sleep
    /// outside a call is a page fault reading the disk (a program's first pages after its exec, on a cold
    /// cache): that ends by itself.
    var isWaiting: Bool {
        state == UInt8(ascii: "S") || (state == UInt8(ascii: "D") && isInCall) || isStopped
    }

    /// In a syscall: `/proc/TID/syscall` starts with its number (not `running`, not `-1`).
    private var isInCall: Bool { syscallLine.first.map { $0.isNumber } ?? false }

    /// A zombie or dead thread: nothing to wait for.
    var isGone: Bool { state == UInt8(ascii: "Z") || state == UInt8(ascii: "X") }
}
