/// The one table from (architecture, syscall number) to the watched syscall.
///
/// Numbers come from the kernel's `syscall_64.tbl` and `syscall_32.tbl`; x32 uses the 64-bit numbers
/// with `__X32_SYSCALL_BIT`. `kernelName` is the name libseccomp knows the entry by, which is how the
/// seccomp filter is built from this same table.
package struct SyscallTable: Sendable {
    /// One syscall number of one ABI.
    package struct Entry: Sendable, Hashable {
        /// The ABI the number belongs to.
        package let architecture: Architecture
        /// The number the kernel sees, with `__X32_SYSCALL_BIT` set for x32.
        package let number: UInt64
        /// The watched syscall the number enters.
        package let syscall: Syscall
        /// The name libseccomp knows the entry by: the syscall's own name, or an i386 `_time64` variant.
        package let kernelName: String
        /// Its place in ``SyscallTable/entries``: a per-entry decision is an array lookup, no hashing.
        package fileprivate(set) var index = 0

        init(architecture: Architecture, number: UInt64, syscall: Syscall, kernelName: String) {
            self.architecture = architecture
            self.number = number
            self.syscall = syscall
            self.kernelName = kernelName
        }

        /// An i386 `*_time64` entry: its `struct timespec` has 64-bit fields (the older entry's are 32-bit).
        package var isTime64: Bool { architecture == .i386 && kernelName.hasSuffix("_time64") }
    }

    /// Every entry, for all three ABIs.
    package let entries: [Entry]
    private let byKey: [Key: Entry]

    private struct Key: Hashable {
        let architecture: Architecture
        let number: UInt64
    }

    /// The table of every watched syscall on x86_64, x32 and i386.
    package static let standard = SyscallTable(entries: makeEntries())

    init(entries: [Entry]) {
        var entries = entries
        for index in entries.indices { entries[index].index = index }
        self.entries = entries
        self.byKey = Dictionary(uniqueKeysWithValues: entries.map { (Key(architecture: $0.architecture, number: $0.number), $0) })
    }

    /// The entry for a syscall stop, or nil when the number is not a watched syscall.
    package func entry(architecture: Architecture, number: UInt64) -> Entry? {
        byKey[Key(architecture: architecture, number: number)]
    }

    private static func makeEntries() -> [Entry] {
        // x86_64 numbers; x32 adds the x32 bit to the same numbers.
        let x86_64: [(Syscall, UInt64)] = [
            (.pipe, 22), (.pipe2, 293),
            (.shmget, 29), (.shmat, 30), (.shmctl, 31), (.shmdt, 67),
            (.semget, 64), (.semop, 65), (.semctl, 66), (.semtimedop, 220),
            (.msgget, 68), (.msgsnd, 69), (.msgrcv, 70), (.msgctl, 71),
            (.splice, 275), (.tee, 276), (.vmsplice, 278),
            (.mq_open, 240), (.mq_unlink, 241), (.mq_timedsend, 242), (.mq_timedreceive, 243), (.mq_notify, 244),
            (.mq_getsetattr, 245),
            (.futex, 202), (.set_robust_list, 273), (.get_robust_list, 274),
        ]
        // x32 enters the calls whose structures hold pointers through compat entries of its own (512 and up);
        // the 64-bit numbers of those are not x32 syscalls.
        let x32Own: [Syscall: UInt64] = [.mq_notify: 527, .set_robust_list: 530, .get_robust_list: 531, .vmsplice: 532]
        // i386: the multiplexer, and since Linux 5.1 the direct SysV calls (no semop/semtimedop:
        // those exist only through ipc(2), and as semtimedop_time64).
        let i386: [(Syscall, UInt64, String?)] = [
            (.pipe, 42, nil), (.pipe2, 331, nil), (.ipc, 117, nil),
            (.semget, 393, nil), (.semctl, 394, nil),
            (.shmget, 395, nil), (.shmctl, 396, nil), (.shmat, 397, nil), (.shmdt, 398, nil),
            (.msgget, 399, nil), (.msgsnd, 400, nil), (.msgrcv, 401, nil), (.msgctl, 402, nil),
            (.semtimedop, 420, "semtimedop_time64"),
            (.splice, 313, nil), (.tee, 315, nil), (.vmsplice, 316, nil),
            (.mq_open, 277, nil), (.mq_unlink, 278, nil), (.mq_timedsend, 279, nil), (.mq_timedreceive, 280, nil),
            (.mq_notify, 281, nil), (.mq_getsetattr, 282, nil),
            (.mq_timedsend, 418, "mq_timedsend_time64"), (.mq_timedreceive, 419, "mq_timedreceive_time64"),
            (.futex, 240, nil), (.futex, 422, "futex_time64"), (.set_robust_list, 311, nil), (.get_robust_list, 312, nil),
        ]
        var entries: [Entry] = []
        for (syscall, number) in x86_64 {
            entries.append(Entry(architecture: .x86_64, number: number, syscall: syscall, kernelName: syscall.rawValue))
            entries.append(Entry(architecture: .x32, number: (x32Own[syscall] ?? number) | Architecture.x32SyscallBit, syscall: syscall,
                                 kernelName: syscall.rawValue))
        }
        for (syscall, number, kernelName) in i386 {
            entries.append(Entry(architecture: .i386, number: number, syscall: syscall,
                                 kernelName: kernelName ?? syscall.rawValue))
        }
        return entries
    }
}
