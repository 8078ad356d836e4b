/// The ABI a syscall was made through, from `ptrace_syscall_info.arch` and the x32 bit of the number.
public enum Architecture: String, Sendable, Hashable, CaseIterable, Codable {
    /// The native 64-bit ABI: `AUDIT_ARCH_X86_64` with a syscall number that lacks the x32 bit.
    case x86_64
    /// 32-bit x86: an `int 0x80` (or `sysenter`) from any binary, including a 64-bit one.
    case i386
    /// The x32 ABI: 64-bit registers, 32-bit pointers, syscall numbers with bit 30 set.
    case x32

    /// `AUDIT_ARCH_X86_64` and `AUDIT_ARCH_I386` from <linux/audit.h>.
    static let auditX86_64: UInt32 = 0xC000_003E
    static let auditI386: UInt32 = 0x4000_0003
    /// `__X32_SYSCALL_BIT`.
    static let x32SyscallBit: UInt64 = 0x4000_0000

    /// Classifies a syscall stop; nil for an architecture this tool does not know.
    init?(auditArch: UInt32, syscallNumber: UInt64) {
        switch auditArch {
        case Self.auditX86_64: self = syscallNumber & Self.x32SyscallBit != 0 ? .x32 : .x86_64
        case Self.auditI386: self = .i386
        default: return nil
        }
    }

    /// True for the 32-bit compat ABI, Tracee's `contextFlags.isCompat`.
    public var isCompat: Bool { self == .i386 }

    /// Width of a pointer or `long` in the tracee's memory.
    var wordSize: Int { self == .x86_64 ? 8 : 4 }

    /// Width of `__kernel_long_t`, the `long` of the structures SysV calls exchange: x32 shares the
    /// 64-bit kernel's, i386 has `compat_long_t`.
    var kernelLongSize: Int { self == .i386 ? 4 : 8 }
}
