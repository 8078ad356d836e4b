import Foundation
import Testing
@testable import IPCWatch

/// A fake tracee address space: byte regions at fixed addresses.
struct FakeMemory: TraceeMemory {
    var regions: [TraceeAddress: [UInt8]] = [:]

    func read(address: TraceeAddress, count: Int) -> [UInt8]? {
        for (start, bytes) in regions where address >= start && address + UInt64(count) <= start + UInt64(bytes.count) {
            let offset = Int(address - start)
            return Array(bytes[offset..<(offset + count)])
        }
        return nil
    }

    /// Little-endian bytes of each value, in order (mixed widths allowed).
    static func le(_ values: any FixedWidthInteger...) -> [UInt8] {
        func bytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        return values.flatMap { bytes($0) }
    }
}

/// One decoder case: raw registers and memory in, strace's text out.
struct DecodeCase: CustomTestStringConvertible, Sendable {
    var architecture: Architecture = .x86_64
    var syscall: Syscall
    var arguments: [UInt64]
    var returnValue: Int64 = 0
    var isError = false
    var memory: [TraceeAddress: [UInt8]] = [:]
    var expected: String

    var testDescription: String { expected }

    func decode() -> String {
        let stop = SyscallStop(architecture: architecture, syscall: syscall,
                               arguments: arguments + Array(repeating: 0, count: 6 - arguments.count),
                               returnValue: returnValue, isError: isError)
        let decoded = SyscallDecoder.decode(stop, memory: FakeMemory(regions: memory))
        return decoded.call.straceText() + " = " + decoded.result.straceText(for: decoded.call)
    }
}

private let buffer: TraceeAddress = 0x7ffd_0000_1000
private let efault = -Int64(EFAULT)

@Suite("Decoders: registers + memory → strace's text")
struct DecoderTests {
    static let pipeCases: [DecodeCase] = [
        DecodeCase(syscall: .pipe, arguments: [buffer], memory: [buffer: FakeMemory.le(Int32(3), Int32(4))],
                   expected: "pipe([3, 4]) = 0"),
        DecodeCase(syscall: .pipe, arguments: [0], returnValue: efault, isError: true, expected: "pipe(NULL) = -1 EFAULT (Bad address)"),
        DecodeCase(syscall: .pipe2, arguments: [buffer, 0o2004000], memory: [buffer: FakeMemory.le(Int32(5), Int32(6))],
                   expected: "pipe2([5, 6], O_NONBLOCK|O_CLOEXEC) = 0"),
        DecodeCase(syscall: .pipe2, arguments: [buffer, 0x8008_0000], returnValue: -Int64(EINVAL), isError: true,
                   expected: "pipe2(0x7ffd00001000, O_CLOEXEC|0x80000000) = -1 EINVAL (Invalid argument)"),
        // Success but the array is unreadable (the tracee unmapped it): the address, never a crash.
        DecodeCase(syscall: .pipe2, arguments: [0xdead_0000, 0o40000], expected: "pipe2(0xdead0000, O_DIRECT) = 0"),
        DecodeCase(syscall: .pipe2, arguments: [buffer, 0o200], memory: [buffer: FakeMemory.le(Int32(3), Int32(4))],
                   expected: "pipe2([3, 4], O_EXCL) = 0"),
    ]

    @Test(arguments: pipeCases) func pipe(_ c: DecodeCase) { #expect(c.decode() == c.expected) }

    static let sysvCases: [DecodeCase] = [
        DecodeCase(syscall: .msgget, arguments: [0, 0o3600], returnValue: 3, expected: "msgget(IPC_PRIVATE, IPC_CREAT|IPC_EXCL|0600) = 3"),
        DecodeCase(syscall: .msgget, arguments: [0x1234, 0], returnValue: -Int64(ENOENT), isError: true,
                   expected: "msgget(0x1234, 000) = -1 ENOENT (No such file or directory)"),
        DecodeCase(syscall: .msgget, arguments: [0xdead_beef, 0o1000], returnValue: 1, expected: "msgget(0xdeadbeef, IPC_CREAT|000) = 1"),
        DecodeCase(syscall: .msgsnd, arguments: [0, buffer, 12, 0o4000],
                   memory: [buffer: FakeMemory.le(Int64(1)) + Array("hello\n\u{1}world".utf8)],
                   expected: #"msgsnd(0, {mtype=1, mtext="hello\n\1world"}, 12, IPC_NOWAIT) = 0"#),
        DecodeCase(syscall: .msgrcv, arguments: [0, buffer, 64, 0, 0o14000], returnValue: 3,
                   memory: [buffer: FakeMemory.le(Int64(2)) + Array("ab\"".utf8) + [0, 0x31] + Array(repeating: 0, count: 59)],
                   expected: #"msgrcv(0, {mtype=2, mtext="ab\"\0001\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"...}, 64, 0, MSG_NOERROR|IPC_NOWAIT) = 3"#),
        DecodeCase(syscall: .msgrcv, arguments: [0, buffer, 64, 0, 0o4000], returnValue: -Int64(ENOMSG), isError: true,
                   expected: "msgrcv(0, 0x7ffd00001000, 64, 0, IPC_NOWAIT) = -1 ENOMSG (No message of desired type)"),
        DecodeCase(syscall: .msgctl, arguments: [0, 0, 0], expected: "msgctl(0, IPC_RMID, NULL) = 0"),
        DecodeCase(syscall: .msgctl, arguments: [1, 0x102, buffer], expected: "msgctl(1, IPC_64|IPC_STAT, 0x7ffd00001000) = 0"),
        DecodeCase(syscall: .semget, arguments: [0, 3, 0o1666], expected: "semget(IPC_PRIVATE, 3, IPC_CREAT|0666) = 0"),
        DecodeCase(syscall: .semop, arguments: [0, buffer, 2],
                   memory: [buffer: FakeMemory.le(UInt16(0), Int16(-1), Int16(0x1000), UInt16(1), Int16(0), Int16(0o4000))],
                   expected: "semop(0, [{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}, {sem_num=1, sem_op=0, sem_flg=IPC_NOWAIT}], 2) = 0"),
        DecodeCase(syscall: .semtimedop, arguments: [0, buffer, 1, buffer + 64],
                   memory: [buffer: FakeMemory.le(UInt16(0), Int16(1), Int16(0)) + Array(repeating: 0, count: 58)
                               + FakeMemory.le(Int64(1), Int64(500))],
                   expected: "semtimedop(0, [{sem_num=0, sem_op=1, sem_flg=0}], 1, {tv_sec=1, tv_nsec=500}) = 0"),
        DecodeCase(syscall: .semctl, arguments: [0, 1, 16, 5], expected: "semctl(0, 1, SETVAL, 0x5) = 0"),
        DecodeCase(syscall: .semctl, arguments: [0, 0, 12, 0], returnValue: 3, expected: "semctl(0, 0, GETVAL, NULL) = 3"),
        DecodeCase(syscall: .shmget, arguments: [0, 4096, 0o1600], returnValue: 1, expected: "shmget(IPC_PRIVATE, 4096, IPC_CREAT|0600) = 1"),
        DecodeCase(syscall: .shmat, arguments: [1, 0, 0o10000], returnValue: 0x7fe3_dade_8000,
                   expected: "shmat(1, NULL, SHM_RDONLY) = 0x7fe3dade8000"),
        DecodeCase(syscall: .shmdt, arguments: [0x7fe3_dade_8000], expected: "shmdt(0x7fe3dade8000) = 0"),
        DecodeCase(syscall: .shmctl, arguments: [1, 0, 0], expected: "shmctl(1, IPC_RMID, NULL) = 0"),
    ]

    @Test(arguments: sysvCases) func sysv(_ c: DecodeCase) { #expect(c.decode() == c.expected) }

    static let i386Cases: [DecodeCase] = [
        // Junk in the high halves of compat registers is ignored, as the kernel does.
        DecodeCase(architecture: .i386, syscall: .pipe, arguments: [0x5a5a_5a5a_0804_0000],
                   memory: [0x0804_0000: FakeMemory.le(Int32(3), Int32(4))], expected: "pipe([3, 4]) = 0"),
        // ipc(MSGGET, IPC_PRIVATE, IPC_CREAT|0600)
        DecodeCase(architecture: .i386, syscall: .ipc, arguments: [13, 0, 0o1600, 0, 0, 0], returnValue: 5,
                   expected: "msgget(IPC_PRIVATE, IPC_CREAT|0600) = 5"),
        // ipc(MSGRCV) version 0: msgp and msgtyp come from struct ipc_kludge at ptr.
        DecodeCase(architecture: .i386, syscall: .ipc, arguments: [12, 5, 16, 0, 0x0804_1000, 0], returnValue: 2,
                   memory: [0x0804_1000: FakeMemory.le(UInt32(0x0804_2000), Int32(7)),
                            0x0804_2000: FakeMemory.le(Int32(7)) + Array("hi".utf8) + Array(repeating: 0, count: 14)],
                   expected: #"msgrcv(5, {mtype=7, mtext="hi\0\0\0\0\0\0\0\0\0\0\0\0\0\0"}, 16, 7, 0) = 2"#),
        // ipc(MSGRCV) version 1: the direct layout, msgtyp in fifth.
        DecodeCase(architecture: .i386, syscall: .ipc, arguments: [0x1_000c, 5, 4, 0o4000, 0x0804_2000, 3],
                   returnValue: -Int64(ENOMSG), isError: true,
                   expected: "msgrcv(5, 0x8042000, 4, 3, IPC_NOWAIT) = -1 ENOMSG (No message of desired type)"),
        // ipc(SHMAT) returns 0 and writes the address to *third.
        DecodeCase(architecture: .i386, syscall: .ipc, arguments: [21, 2, 0, 0x0804_3000, 0, 0],
                   memory: [0x0804_3000: FakeMemory.le(UInt32(0xf7f0_0000))], expected: "shmat(2, NULL, 0) = 0xf7f00000"),
        // ipc(SEMCTL) passes the semun by reference: strace shows it in brackets.
        DecodeCase(architecture: .i386, syscall: .ipc, arguments: [3, 4, 0, 16, 0x0804_4000, 0],
                   memory: [0x0804_4000: FakeMemory.le(Int32(9))], expected: "semctl(4, 0, SETVAL, [0x9]) = 0"),
        // ipc(SEMTIMEDOP) with the old 32-bit timespec.
        DecodeCase(architecture: .i386, syscall: .ipc, arguments: [4, 4, 1, 0, 0x0804_5000, 0x0804_5010],
                   memory: [0x0804_5000: FakeMemory.le(UInt16(0), Int16(-1), Int16(0)) + Array(repeating: 0, count: 10)
                               + FakeMemory.le(Int32(2), Int32(3))],
                   expected: "semtimedop(4, [{sem_num=0, sem_op=-1, sem_flg=0}], 1, {tv_sec=2, tv_nsec=3}) = 0"),
        DecodeCase(architecture: .i386, syscall: .ipc, arguments: [14, 4, 0x100, 0, 0, 0],
                   expected: "msgctl(4, IPC_64|IPC_RMID, NULL) = 0"),
        DecodeCase(architecture: .i386, syscall: .ipc, arguments: [99, 1, 2, 3, 0, 5], returnValue: -Int64(EINVAL), isError: true,
                   expected: "ipc(99, 1, 2, 3, NULL, 5) = -1 EINVAL (Invalid argument)"),
    ]

    @Test(arguments: i386Cases) func i386(_ c: DecodeCase) { #expect(c.decode() == c.expected) }

    @Test func restartIsNotAnError() {
        let c = DecodeCase(syscall: .msgrcv, arguments: [0, buffer, 8, 0, 0], returnValue: -512, isError: true,
                           expected: "msgrcv(0, 0x7ffd00001000, 8, 0, 0) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)")
        #expect(c.decode() == c.expected)
    }

    @Test func stringQuoting() {
        #expect(StringQuoting.quote(Array("a\tb\\\u{7}8".utf8), truncated: false) == #""a\tb\\\78""#)
        #expect(StringQuoting.quote([0, 0x31, 0xff], truncated: true) == #""\0001\377"..."#)
    }
}
