/// A completed syscall as the tracer saw it: registers from the seccomp stop and the result from the
/// exit stop. The input of every decoder.
package struct SyscallStop: Sendable, Hashable {
    /// The ABI the call was made through.
    package var architecture: Architecture
    /// The watched syscall the number names; `ipc` for a call through the i386 multiplexer.
    package var syscall: Syscall
    /// The six argument registers. For i386 only the low 32 bits are meaningful.
    package var arguments: [UInt64]
    /// The raw return value (`ptrace_syscall_info.exit.rval`): minus the errno when ``isError``.
    package var returnValue: Int64
    /// The kernel's `ptrace_syscall_info.exit.is_error`: the call failed.
    package var isError: Bool
    /// Entered through an i386 `*_time64` number: its `struct timespec` has 64-bit fields.
    package var time64: Bool

    /// Creates a stop from exactly six argument registers; for i386 they are cut to their low 32 bits.
    package init(architecture: Architecture, syscall: Syscall, arguments: [UInt64], returnValue: Int64, isError: Bool,
                 time64: Bool = false) {
        self.time64 = time64
        precondition(arguments.count == 6)
        // A compat caller's registers may hold junk in their high halves, which the kernel ignores.
        self.arguments = architecture == .i386 ? arguments.map { $0 & 0xffff_ffff } : arguments
        self.architecture = architecture
        self.syscall = syscall
        self.returnValue = returnValue
        self.isError = isError
    }

    /// ``returnValue`` as a success value, or as the ``Errno`` it carries when ``isError``.
    package var result: SyscallResult {
        isError ? .failure(Errno(rawValue: Int32(truncatingIfNeeded: -returnValue))) : .success(returnValue)
    }

    func int32(_ index: Int) -> Int32 { Int32(truncatingIfNeeded: arguments[index]) }
    func long(_ index: Int) -> Int64 {
        architecture == .i386 ? Int64(Int32(truncatingIfNeeded: arguments[index])) : Int64(bitPattern: arguments[index])
    }
}

/// Read access to a stopped tracee's memory.
package protocol TraceeMemory {
    /// Exactly `count` bytes at `address`, or nil when any of them is unreadable.
    func read(address: TraceeAddress, count: Int) -> [UInt8]?
}

/// Options that change what decoders read.
public struct DecodeOptions: Sendable, Hashable {
    /// How many bytes of a message text, and how many `sembuf` entries, to read and show (strace's `-s`).
    public let stringLimit: Int
    /// Creates options that read at most `stringLimit` bytes (or `sembuf` entries); a negative limit is 0.
    public init(stringLimit: Int = 32) { self.stringLimit = max(0, stringLimit) }
}

/// What a decoder needs besides the registers: memory, the ABI's type sizes, the options.
struct DecodeContext {
    let architecture: Architecture
    let memory: any TraceeMemory
    let options: DecodeOptions
    /// The call came through `ipc(2)`, whose `*ctl` commands choose their layout with `IPC_64`.
    var multiplexed = false

    /// `sizeof(long)` for the structures SysV calls exchange (x32 uses the 64-bit layout).
    var longSize: Int { architecture.kernelLongSize }

    func integer(at address: TraceeAddress, size: Int) -> Int64? {
        guard address != 0, let bytes = memory.read(address: address, count: size) else { return nil }
        return Self.littleEndian(bytes[...], signed: true)
    }

    static func littleEndian(_ bytes: ArraySlice<UInt8>, signed: Bool) -> Int64 {
        var value: UInt64 = 0
        for (i, byte) in bytes.enumerated() { value |= UInt64(byte) << (8 * UInt64(i)) }
        let bits = bytes.count * 8
        if signed && bits < 64 && value & (1 << UInt64(bits - 1)) != 0 { value |= ~((1 << UInt64(bits)) - 1) }
        return Int64(bitPattern: value)
    }
}
