/// One way a watched event is reached, as finely as strace's and Tracee's names tell them apart: what
/// `-e trace=` selects. strace names i386's `*_time64` entries on their own and prints an `ipc(2)` call
/// under its subcall's name; Tracee v0.24.1 names i386's older entries `*_time32` (its `32bit_unique`
/// events), gives the `_time64` ones the 64-bit event's name, and reports every `ipc(2)` call as `ipc`.
package struct CallVariant: Sendable, Hashable {
    /// The event: for a multiplexed call its subcall (`ipc` when the subcall is unknown).
    package let syscall: Syscall
    package let kind: Kind

    package enum Kind: Sendable, Hashable {
        /// Every x86_64 and x32 entry; the i386 entries that have no `_time64` twin.
        case direct
        /// i386's `mq_timedsend` (279), `mq_timedreceive` (280), `futex` (240): 32-bit `struct timespec`.
        case time32
        /// i386's `semtimedop_time64`, `mq_timedsend_time64`, `mq_timedreceive_time64`, `futex_time64`.
        case time64
        /// A subcall of i386's `ipc(2)` (117).
        case multiplexed
    }

    package init(_ syscall: Syscall, _ kind: Kind) {
        self.syscall = syscall
        self.kind = kind
    }

    /// The syscalls with i386 `_time32`/`_time64` entries (semtimedop has only its `_time64` one directly).
    static let time32: Set<Syscall> = [.mq_timedsend, .mq_timedreceive, .futex]
    static let time64: Set<Syscall> = [.semtimedop, .mq_timedsend, .mq_timedreceive, .futex]
    /// The subcalls `ipc(2)` performs, and `ipc` for one it does not know.
    static let multiplexed: Set<Syscall> = Set(Syscall.allCases.filter { $0.isSystemV })

    /// Every variant there is.
    package static let all: Set<CallVariant> = {
        var all = Set(Syscall.allCases.filter { $0 != .ipc }.map { CallVariant($0, .direct) })
        all.formUnion(time32.map { CallVariant($0, .time32) })
        all.formUnion(time64.map { CallVariant($0, .time64) })
        all.formUnion(multiplexed.map { CallVariant($0, .multiplexed) })
        return all
    }()

    /// Every variant of `syscalls`, the way ``TraceOptions/events`` selects them: a SysV event selects its
    /// `ipc(2)` calls too, and `ipc` all of them.
    package static func all(of syscalls: Set<Syscall>) -> Set<CallVariant> {
        let everyIPC = syscalls.contains(.ipc)
        return all.filter { syscalls.contains($0.syscall) || (everyIPC && $0.kind == .multiplexed) }
    }

    /// The name strace prints and `-e trace=` takes in text: `mq_timedsend_time64`; a subcall's own name.
    package var straceName: String { kind == .time64 ? syscall.rawValue + "_time64" : syscall.rawValue }

    /// Tracee's event name (what `-j` writes and selects by): `mq_timedsend_time32`; `ipc` for every
    /// multiplexed call.
    package var traceeName: String {
        switch kind {
        case .direct, .time64: syscall.rawValue
        case .time32: syscall.rawValue + "_time32"
        case .multiplexed: Syscall.ipc.rawValue
        }
    }

    /// Tracee's sets the event is in (`32bit_unique` for `ipc` and the `_time32` events).
    package var traceeSets: [String] {
        switch kind {
        case .direct, .time64: TraceeSchema.definition(syscall).sets
        case .time32, .multiplexed: ["syscalls", "32bit_unique"]
        }
    }

    /// The variant the kernel entry `entry` reaches; for `ipc(2)`, its subcall is known only once decoded.
    package init(_ entry: SyscallTable.Entry, subcall: Syscall? = nil) {
        if entry.syscall == .ipc {
            self.init(subcall ?? .ipc, .multiplexed)
        } else if entry.isTime64 {
            self.init(entry.syscall, .time64)
        } else if entry.architecture == .i386, Self.time32.contains(entry.syscall) {
            self.init(entry.syscall, .time32)
        } else {
            self.init(entry.syscall, .direct)
        }
    }
}

extension Event {
    /// How the call was reached (``CallVariant``): which name strace and Tracee give it.
    package var variant: CallVariant {
        if multiplexed != nil { return CallVariant(call.syscall, .multiplexed) }
        if time64 { return CallVariant(call.syscall, .time64) }
        if architecture == .i386 {
            if call.syscall == .semtimedop { return CallVariant(.semtimedop, .time64) }  // 420 is its only direct entry
            if CallVariant.time32.contains(call.syscall) { return CallVariant(call.syscall, .time32) }
        }
        return CallVariant(call.syscall, .direct)
    }
}
