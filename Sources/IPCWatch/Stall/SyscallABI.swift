#if canImport(Glibc)
import Glibc
#endif

/// Which table the number in `/proc/TID/syscall` comes from: the kernel gives the task's own number, an
/// i386 one for a 32-bit program (i386 `waitpid` 7 is x86_64's `poll`), an x86_64 one with bit 30 set for x32.
enum SyscallABI: Equatable {
    case x86_64, i386, x32

    static let x32Bit = 0x4000_0000

    /// The ABI of `tid`'s program: i386 when `/proc/TID/exe` is a 32-bit ELF for the i386 machine (class
    /// byte 4 is 1, machine 3); an x32 program is told by its numbers' bit instead (``BlockingCall/canonical``).
    static func of(tid: pid_t) -> SyscallABI {
        let fd = open("/proc/\(tid)/exe", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .x86_64 }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 20)
        guard read(fd, &header, header.count) == header.count, header[0...3] == [0x7f, 0x45, 0x4c, 0x46] else { return .x86_64 }
        return header[4] == 1 && header[18] == 3 && header[19] == 0 ? .i386 : .x86_64
    }
}
