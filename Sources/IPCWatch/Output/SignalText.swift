/// strace's rendering of a signal (`printsiginfo.c`): `SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED,
/// si_pid=12, si_uid=0, si_status=0, si_utime=0, si_stime=0}`; the fields shown depend on who sent it
/// (`si_code` ≤ 0: a process) and on the signal's class.
extension SignalDelivery {
    /// The body of strace's line, between `--- ` and ` ---`.
    package var straceText: String {
        switch kind {
        case .stopped: "stopped by \(SignalNames.name(signal))"
        case .delivered(let info): "\(SignalNames.name(signal)) \(info.straceText)"
        }
    }
}

extension SignalInfo {
    /// `{si_signo=…, si_code=…, …}`; `{}` for a siginfo without a signal number.
    package var straceText: String {
        guard signo != 0 else { return "{}" }
        var fields = ["si_signo=\(SignalNames.name(signo))", "si_code=\(SignalCodes.name(code, signal: signo))"]
        if errno != 0 { fields.append("si_errno=\(Errno(rawValue: errno).name)") }
        fields += details
        return "{" + fields.joined(separator: ", ") + "}"
    }

    private var source: [String] { ["si_pid=\(pid)", "si_uid=\(uid)"] }
    private var value: [String] { ["si_int=\(intValue)", "si_ptr=\(Self.address(pointer))"] }

    private var details: [String] {
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
            let status = code == 1 ? String(self.status) : SignalNames.name(self.status)
            return source + ["si_status=\(status)", "si_utime=\(utime)", "si_stime=\(stime)"]
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
    private static func address(_ value: UInt64) -> String { value == 0 ? "NULL" : hex(value) }
}
