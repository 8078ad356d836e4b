/// The read/write family ``TraceOptions/dataFlow`` traps, by (architecture, number): not events (they are
/// not in ``Syscall``), only counted when a descriptor they use is a pipe, a FIFO or a Unix socket. A syscall may be both
/// an event (in ``SyscallTable``) and here: the loop asks both tables, each does its part.
///
/// Numbers from the kernel's uapi `asm/unistd_{64,32,x32}.h`. x32 has its own numbers (≥ 512) for the
/// calls that take an iovec (`readv`, `writev`, `preadv`, `pwritev` and their `2` forms, `vmsplice`);
/// the 64-bit numbers of those fail with ENOSYS there, and for `recvfrom`, `sendmsg`, `recvmsg`. i386 has
/// `sendfile64` besides `sendfile`. Old i386 code reaches the socket calls only through `socketcall(102)`,
/// whose descriptor is in memory behind a pointer: not counted (the direct calls exist since Linux 4.3;
/// whether a 32-bit libc uses them depends on how it was built). `sendmmsg`/`recvmmsg` return a message count, not bytes: not counted either.
package struct DataFlowSyscalls: Sendable {
    /// Which end of a pipe a descriptor argument moves data through.
    package enum Direction: Sendable, Hashable {
        /// Data comes out of the descriptor: a pipe's read end.
        case read
        /// Data goes into it: a pipe's write end.
        case write
        /// As the descriptor was opened (`vmsplice`: into the pipe if it is open for writing, out of it otherwise).
        case byOpenMode
    }

    /// One descriptor argument of a call: its index and the direction of the data through it.
    package struct Side: Sendable, Hashable {
        package let argument: Int
        package let direction: Direction
    }

    /// One syscall number of one ABI.
    package struct Entry: Sendable, Hashable {
        package let architecture: Architecture
        /// The number the kernel sees, with `__X32_SYSCALL_BIT` set for x32.
        package let number: UInt64
        /// The name libseccomp knows it by (the filter is built from these names).
        package let kernelName: String
        /// Its descriptor arguments.
        package let sides: [Side]
    }

    package let entries: [Entry]
    private let byKey: [Key: Entry]

    private struct Key: Hashable {
        let architecture: Architecture
        let number: UInt64
    }

    package static let standard = DataFlowSyscalls(entries: makeEntries())

    init(entries: [Entry]) {
        self.entries = entries
        self.byKey = Dictionary(uniqueKeysWithValues: entries.map { (Key(architecture: $0.architecture, number: $0.number), $0) })
    }

    /// The entry for a syscall stop; nil for a call that moves no data through a descriptor.
    package func entry(architecture: Architecture, number: UInt64) -> Entry? {
        byKey[Key(architecture: architecture, number: number)]
    }

    /// The names the seccomp filter traps.
    package var kernelNames: Set<String> { Set(entries.map(\.kernelName)) }

    private static func makeEntries() -> [Entry] {
        let reads: [Side] = [Side(argument: 0, direction: .read)]
        let writes: [Side] = [Side(argument: 0, direction: .write)]
        // splice/copy_file_range(fd_in, off_in, fd_out, …), tee(fd_in, fd_out, …), sendfile(out_fd, in_fd, …).
        let inToOut2: [Side] = [Side(argument: 0, direction: .read), Side(argument: 2, direction: .write)]
        let tee: [Side] = [Side(argument: 0, direction: .read), Side(argument: 1, direction: .write)]
        let sendfile: [Side] = [Side(argument: 1, direction: .read), Side(argument: 0, direction: .write)]
        let vmsplice: [Side] = [Side(argument: 0, direction: .byOpenMode)]
        // (name, sides, x86_64, i386, x32 without the x32 bit)
        let calls: [(String, [Side], UInt64, UInt64, UInt64)] = [
            ("read", reads, 0, 3, 0), ("write", writes, 1, 4, 1),
            ("readv", reads, 19, 145, 515), ("writev", writes, 20, 146, 516),
            ("preadv", reads, 295, 333, 534), ("pwritev", writes, 296, 334, 535),
            ("preadv2", reads, 327, 378, 546), ("pwritev2", writes, 328, 379, 547),
            ("splice", inToOut2, 275, 313, 275), ("tee", tee, 276, 315, 276), ("vmsplice", vmsplice, 278, 316, 532),
            ("sendfile", sendfile, 40, 187, 40), ("copy_file_range", inToOut2, 326, 377, 326),
            // Unix sockets: each returns the bytes it moved (sendmmsg/recvmmsg return messages: not counted).
            ("sendto", writes, 44, 369, 44), ("recvfrom", reads, 45, 371, 517),
            ("sendmsg", writes, 46, 370, 518), ("recvmsg", reads, 47, 372, 519),
        ]
        var entries: [Entry] = []
        for (name, sides, x86_64, i386, x32) in calls {
            entries.append(Entry(architecture: .x86_64, number: x86_64, kernelName: name, sides: sides))
            entries.append(Entry(architecture: .i386, number: i386, kernelName: name, sides: sides))
            entries.append(Entry(architecture: .x32, number: x32 | Architecture.x32SyscallBit, kernelName: name, sides: sides))
        }
        entries.append(Entry(architecture: .i386, number: 239, kernelName: "sendfile64", sides: sendfile))
        // libseccomp turns an i386 rule for sendto… into socketcall(102) with an argument check too, which
        // would break the number-only filter: socketcall is trapped whole, and not counted (no sides).
        entries.append(Entry(architecture: .i386, number: 102, kernelName: "socketcall", sides: []))
        return entries
    }
}
