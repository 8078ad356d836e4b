import CSupport

/// `si_code` names as strace looks them up (`print_si_code`): the generic table first, then the table
/// of the signal's class. Values from the kernel's `asm-generic/siginfo.h`.
enum SignalCodes {
    static let generic: [Int32: String] = [
        0: "SI_USER", 0x80: "SI_KERNEL", -1: "SI_QUEUE", -2: "SI_TIMER", -3: "SI_MESGQ", -4: "SI_ASYNCIO",
        -5: "SI_SIGIO", -6: "SI_TKILL", -7: "SI_DETHREAD", -60: "SI_ASYNCNL",
    ]

    static let perSignal: [Int32: [Int32: String]] = [
        4: [1: "ILL_ILLOPC", 2: "ILL_ILLOPN", 3: "ILL_ILLADR", 4: "ILL_ILLTRP", 5: "ILL_PRVOPC", 6: "ILL_PRVREG",
            7: "ILL_COPROC", 8: "ILL_BADSTK", 9: "ILL_BADIADDR"],
        5: [1: "TRAP_BRKPT", 2: "TRAP_TRACE", 3: "TRAP_BRANCH", 4: "TRAP_HWBKPT", 5: "TRAP_UNK", 6: "TRAP_PERF"],
        7: [1: "BUS_ADRALN", 2: "BUS_ADRERR", 3: "BUS_OBJERR", 4: "BUS_MCEERR_AR", 5: "BUS_MCEERR_AO"],
        8: [1: "FPE_INTDIV", 2: "FPE_INTOVF", 3: "FPE_FLTDIV", 4: "FPE_FLTOVF", 5: "FPE_FLTUND", 6: "FPE_FLTRES",
            7: "FPE_FLTINV", 8: "FPE_FLTSUB", 14: "FPE_FLTUNK", 15: "FPE_CONDTRAP"],
        11: [1: "SEGV_MAPERR", 2: "SEGV_ACCERR", 3: "SEGV_BNDERR", 4: "SEGV_PKUERR", 5: "SEGV_ACCADI",
             6: "SEGV_ADIDERR", 7: "SEGV_ADIPERR", 8: "SEGV_MTEAERR", 9: "SEGV_MTESERR", 10: "SEGV_CPERR"],
        17: [1: "CLD_EXITED", 2: "CLD_KILLED", 3: "CLD_DUMPED", 4: "CLD_TRAPPED", 5: "CLD_STOPPED", 6: "CLD_CONTINUED"],
        29: [1: "POLL_IN", 2: "POLL_OUT", 3: "POLL_MSG", 4: "POLL_ERR", 5: "POLL_PRI", 6: "POLL_HUP"],
        31: [1: "SYS_SECCOMP", 2: "SYS_USER_DISPATCH"],
    ]

    /// `CLD_EXITED`, `SI_USER`…; an unknown code as strace's `%#x` of the unsigned value.
    static func name(_ code: Int32, signal: Int32) -> String {
        if let name = generic[code] ?? perSignal[signal]?[code] { return name }
        return "0x" + String(UInt32(bitPattern: code), radix: 16)
    }

    /// strace's `si_syscall=` of a SIGSYS: `__NR_name` (libseccomp's table of every syscall of the ABI: x32 by
    /// its numbers' __X32_SYSCALL_BIT), or the number when the ABI has no such syscall.
    static func syscallName(_ number: Int32, auditArchitecture: UInt32) -> String {
        let x32 = auditArchitecture == ipcw_scmp_arch_x86_64 && UInt64(UInt32(bitPattern: number)) & Architecture.x32SyscallBit != 0
        var name = [CChar](repeating: 0, count: 64)
        guard ipcw_syscall_name(x32 ? ipcw_scmp_arch_x32 : auditArchitecture, number, &name, name.count) == 0 else {
            return String(UInt32(bitPattern: number))
        }
        return "__NR_" + String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `AUDIT_ARCH_*` names for SIGSYS's `si_arch`.
    static let auditArchitectures: [UInt32: String] = [
        0xc000_003e: "AUDIT_ARCH_X86_64", 0x4000_0003: "AUDIT_ARCH_I386",
    ]
}
