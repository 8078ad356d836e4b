#if canImport(Glibc)
import Glibc
#endif

/// strace's rendering of a signal (`printsiginfo.c`): `SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED,
/// si_pid=12, si_uid=0, si_status=0, si_utime=0, si_stime=0}`; the fields shown depend on who sent it
/// (`si_code` ≤ 0: a process) and on the signal's class.
extension SignalDelivery {
    /// The body of strace's line, between `--- ` and ` ---`; `style`: strace's `-X` for the constants in it.
    package func straceText(style: TextStyle = TextStyle()) -> String {
        switch kind {
        case .stopped: "stopped by \(SignalNames.name(signal))"
        case .delivered(let info): "\(SignalNames.name(signal)) \(info.straceText(style: style))"
        }
    }
}

extension SignalInfo {
    /// `{si_signo=…, si_code=…, …}`; `{}` for a siginfo without a signal number. Under `-X raw` the signal
    /// number in decimal and the code in hex (`si_signo=17, si_code=0x1`), under `-X verbose` both with their
    /// names in comments, as strace 6.
    package func straceText(style: TextStyle = TextStyle()) -> String {
        guard signo != 0 else { return "{}" }
        let codeName = SignalCodes.name(code, signal: signo)
        var fields = ["si_signo=\(style.signal(String(signo), SignalNames.name(signo)))",
                      "si_code=\(style.constant(UInt64(UInt32(bitPattern: code)), codeName, named: !codeName.hasPrefix("0x")))"]
        if errno != 0 { fields.append("si_errno=\(Errno(rawValue: errno).name)") }
        fields += details(style)
        return "{" + fields.joined(separator: ", ") + "}"
    }

    private var source: [String] { ["si_pid=\(pid)", "si_uid=\(uid)"] }
    private var value: [String] { ["si_int=\(intValue)", "si_ptr=\(Self.address(pointer))"] }

    private func details(_ style: TextStyle) -> [String] {
        if code <= 0 {  // sent by a process
            switch code {
            case 0, -6: return source  // SI_USER, SI_TKILL
            case -2: return ["si_timerid=\(Self.hex(UInt64(UInt32(bitPattern: timerID))))", "si_overrun=\(overrun)"] + value
            case -5: return ["si_band=\(band)", "si_fd=\(fd)"]  // SI_SIGIO
            default: return source + (pointer != 0 ? value : [])
            }
        }
        switch signo {
        case 17:  // SIGCHLD
            let status = code == 1 ? String(self.status) : style.signal(String(self.status), SignalNames.name(self.status))
            return source + ["si_status=\(status)", "si_utime=\(Self.clock(utime, style))", "si_stime=\(Self.clock(stime, style))"]
        case 4, 8, 7, 11, 5:  // SIGILL, SIGFPE, SIGBUS, SIGSEGV, SIGTRAP
            return ["si_addr=\(Self.address(address))"]
        case 29:  // SIGIO
            return (1...3).contains(code) ? ["si_band=\(band)", "si_fd=\(fd)"] : []
        case 31:  // SIGSYS
            let archName = SignalCodes.auditArchitectures[arch] ?? Self.hex(UInt64(arch)) + " /* AUDIT_ARCH_??? */"
            let syscallName = SignalCodes.syscallName(syscall, auditArchitecture: arch)
            return ["si_call_addr=\(Self.address(callAddress))", "si_syscall=\(syscallName)", "si_arch=\(archName)"]
        default:
            return (pid != 0 || uid != 0 ? source : []) + (pointer != 0 ? value : [])
        }
    }

    private static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    /// Clock ticks as strace prints them: `11 /* 0.11 s */`, the seconds left out for 0 and under `-X raw`.
    private static func clock(_ ticks: Int64, _ style: TextStyle) -> String {
        guard ticks > 0, style.constants != .raw else { return String(ticks) }
        let fraction = String((ticks % ticksPerSecond) * scale / ticksPerSecond)
        return "\(ticks) /* \(ticks / ticksPerSecond).\(String(repeating: "0", count: digits - fraction.count) + fraction) s */"
    }

    /// `sysconf(_SC_CLK_TCK)` (100), and the digits strace shows of a tick: ⌈log10(ticks − 1)⌉.
    private static let ticksPerSecond = Int64(max(1, sysconf(Int32(_SC_CLK_TCK))))
    private static let digits = ticksPerSecond > 1 ? String(ticksPerSecond - 1).count : 0
    private static let scale = (0..<digits).reduce(Int64(1)) { value, _ in value * 10 }
    private static func address(_ value: UInt64) -> String { value == 0 ? "NULL" : hex(value) }
}
