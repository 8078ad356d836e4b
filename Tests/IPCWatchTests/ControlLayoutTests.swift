import Testing
@testable import IPCWatch

/// The `*ctl` structures laid out from their one description in ``ControlLayouts``, checked against the
/// C compilers, and decoded on each ABI through the normal decoder entry.
@Suite("*ctl structure layouts per ABI")
struct ControlLayoutTests {
    /// What Tests/Fixtures/ctl_layouts.c prints (it says how to build it), from gcc 12.2 with the Linux 6.1
    /// uapi headers and glibc 2.36 of Debian 12: `cc` for x86_64, `cc -m32` (gcc-multilib) for i386, and
    /// for x32 `cc -mx32 -S`, read from the assembly since this kernel cannot run x32. Each structure is
    /// its name, its sizeof, then member=offset in declaration order (wrapped here to fit).
    static let compiled: [Architecture: String] = [
        .x86_64: """
            ipc64_perm 48 key=0 uid=4 gid=8 cuid=12 cgid=16 mode=20 seq=24 __pad2=26 __unused1=32 __unused2=40
            msqid64_ds 120 msg_perm=0 msg_stime=48 msg_rtime=56 msg_ctime=64 msg_cbytes=72 msg_qnum=80 msg_qbytes=88
                msg_lspid=96 msg_lrpid=100 __unused4=104 __unused5=112
            semid64_ds 104 sem_perm=0 sem_otime=48 __unused1=56 sem_ctime=64 __unused2=72 sem_nsems=80 __unused3=88
                __unused4=96
            shmid64_ds 112 shm_perm=0 shm_segsz=48 shm_atime=56 shm_dtime=64 shm_ctime=72 shm_cpid=80 shm_lpid=84
                shm_nattch=88 __unused4=96 __unused5=104
            shminfo64 72 shmmax=0 shmmin=8 shmmni=16 shmseg=24 shmall=32 __unused1=40 __unused2=48 __unused3=56
                __unused4=64
            msginfo 32 msgpool=0 msgmap=4 msgmax=8 msgmnb=12 msgmni=16 msgssz=20 msgtql=24 msgseg=28
            seminfo 40 semmap=0 semmni=4 semmns=8 semmnu=12 semmsl=16 semopm=20 semume=24 semusz=28 semvmx=32 semaem=36
            shminfo 72 shmmax=0 shmmin=8 shmmni=16 shmseg=24 shmall=32 __unused1=40 __unused2=48 __unused3=56
                __unused4=64
            shm_info 48 used_ids=0 shm_tot=8 shm_rss=16 shm_swp=24 swap_attempts=32 swap_successes=40
            """,
        .i386: """
            ipc64_perm 36 key=0 uid=4 gid=8 cuid=12 cgid=16 mode=20 __pad1=22 seq=24 __pad2=26 __unused1=28 __unused2=32
            msqid64_ds 88 msg_perm=0 msg_stime=36 msg_stime_high=40 msg_rtime=44 msg_rtime_high=48 msg_ctime=52
                msg_ctime_high=56 msg_cbytes=60 msg_qnum=64 msg_qbytes=68 msg_lspid=72 msg_lrpid=76 __unused4=80
                __unused5=84
            semid64_ds 64 sem_perm=0 sem_otime=36 sem_otime_high=40 sem_ctime=44 sem_ctime_high=48 sem_nsems=52
                __unused3=56 __unused4=60
            shmid64_ds 84 shm_perm=0 shm_segsz=36 shm_atime=40 shm_atime_high=44 shm_dtime=48 shm_dtime_high=52
                shm_ctime=56 shm_ctime_high=60 shm_cpid=64 shm_lpid=68 shm_nattch=72 __unused4=76 __unused5=80
            shminfo64 36 shmmax=0 shmmin=4 shmmni=8 shmseg=12 shmall=16 __unused1=20 __unused2=24 __unused3=28
                __unused4=32
            msginfo 32 msgpool=0 msgmap=4 msgmax=8 msgmnb=12 msgmni=16 msgssz=20 msgtql=24 msgseg=28
            seminfo 40 semmap=0 semmni=4 semmns=8 semmnu=12 semmsl=16 semopm=20 semume=24 semusz=28 semvmx=32 semaem=36
            shminfo 36 shmmax=0 shmmin=4 shmmni=8 shmseg=12 shmall=16 __unused1=20 __unused2=24 __unused3=28
                __unused4=32
            shm_info 24 used_ids=0 shm_tot=4 shm_rss=8 shm_swp=12 swap_attempts=16 swap_successes=20
            """,
        .x32: """
            ipc64_perm 48 key=0 uid=4 gid=8 cuid=12 cgid=16 mode=20 seq=24 __pad2=26 __unused1=32 __unused2=40
            msqid64_ds 120 msg_perm=0 msg_stime=48 msg_rtime=56 msg_ctime=64 msg_cbytes=72 msg_qnum=80 msg_qbytes=88
                msg_lspid=96 msg_lrpid=100 __unused4=104 __unused5=112
            semid64_ds 104 sem_perm=0 sem_otime=48 __unused1=56 sem_ctime=64 __unused2=72 sem_nsems=80 __unused3=88
                __unused4=96
            shmid64_ds 112 shm_perm=0 shm_segsz=48 shm_atime=56 shm_dtime=64 shm_ctime=72 shm_cpid=80 shm_lpid=84
                shm_nattch=88 __unused4=96 __unused5=104
            shminfo64 72 shmmax=0 shmmin=8 shmmni=16 shmseg=24 shmall=32 __unused1=40 __unused2=48 __unused3=56
                __unused4=64
            msginfo 32 msgpool=0 msgmap=4 msgmax=8 msgmnb=12 msgmni=16 msgssz=20 msgtql=24 msgseg=28
            seminfo 40 semmap=0 semmni=4 semmns=8 semmnu=12 semmsl=16 semopm=20 semume=24 semusz=28 semvmx=32 semaem=36
            shminfo 72 shmmax=0 shmmin=8 shmmni=16 shmseg=24 shmall=32 __unused1=40 __unused2=48 __unused3=56
                __unused4=64
            shm_info 48 used_ids=0 shm_tot=8 shm_rss=16 shm_swp=24 swap_attempts=32 swap_successes=40
            """,
    ]

    /// Each compiled structure and the description it must match; glibc's `shminfo` is the kernel's
    /// `shminfo64` (the probe names its reserved words as the kernel does).
    static let described: [(compiled: String, structure: CStruct)] = [
        ("ipc64_perm", ControlLayouts.ipc64Perm), ("msqid64_ds", ControlLayouts.msqid64DS),
        ("semid64_ds", ControlLayouts.semid64DS), ("shmid64_ds", ControlLayouts.shmid64DS),
        ("shminfo64", ControlLayouts.shminfo64), ("msginfo", ControlLayouts.msginfo),
        ("seminfo", ControlLayouts.seminfo), ("shminfo", ControlLayouts.shminfo64), ("shm_info", ControlLayouts.shmInfo),
    ]

    /// A probe's text as `[structure: (sizeof, ["member=offset"])]`: a word without `=` names a structure
    /// and the next one is its size.
    static func parse(_ text: String) -> [String: (size: Int, members: [String])] {
        var structures: [String: (size: Int, members: [String])] = [:]
        var current = ""
        var words = text.split(whereSeparator: \.isWhitespace).map(String.init).makeIterator()
        while let word = words.next() {
            if word.contains("=") {
                structures[current]!.members.append(word)
            } else {
                current = word
                structures[current] = (Int(words.next()!)!, [])
            }
        }
        return structures
    }

    @Test("sizes and offsets as the compiler lays them out", arguments: Architecture.allCases)
    func layoutsMatchTheCompiler(_ abi: Architecture) {
        let compiled = Self.parse(Self.compiled[abi]!)
        #expect(Set(compiled.keys) == Set(Self.described.map(\.compiled)))
        for (name, structure) in Self.described {
            let layout = structure.layout(on: abi)
            #expect(layout.size == compiled[name]?.size, "sizeof(struct \(name))")
            #expect(layout.fields.map { "\($0.name)=\($0.field.offset)" } == compiled[name]?.members, "struct \(name)")
        }
    }

    /// One `*ctl` call whose buffer holds `structure` with `values`, and the text strace shows for it.
    struct Case: CustomTestStringConvertible, Sendable {
        var syscall: Syscall
        /// The arguments before the buffer's address, which comes last.
        var arguments: [UInt64]
        var returnValue: Int64 = 0
        var structure: CStruct
        var values: [String: Int64]
        var expected: String
        var testDescription: String { expected }
    }

    static let perm: [String: Int64] = ["key": 0x1234, "uid": 1000, "gid": 100, "cuid": 1001, "cgid": 101, "mode": 0o640]
    static let permText = "{uid=1000, gid=100, mode=0640, key=4660, cuid=1001, cgid=101}"
    static let msqid = perm.merging([
        "msg_stime": 1_700_000_001, "msg_rtime": 1_700_000_002, "msg_ctime": 1_700_000_003, "msg_cbytes": 5,
        "msg_qnum": 2, "msg_qbytes": 16384, "msg_lspid": 4242, "msg_lrpid": 4343,
    ]) { $1 }

    static let cases: [Case] = [
        Case(syscall: .msgctl, arguments: [1, 2], structure: ControlLayouts.msqid64DS, values: msqid,
             expected: "msgctl(1, IPC_STAT, {msg_perm=\(permText), msg_stime=1700000001, msg_rtime=1700000002, "
                 + "msg_ctime=1700000003, msg_qnum=2, msg_qbytes=16384, msg_lspid=4242, msg_lrpid=4343}) = 0"),
        // IPC_SET's short form: only what the command changes.
        Case(syscall: .msgctl, arguments: [1, 1], structure: ControlLayouts.msqid64DS, values: msqid,
             expected: "msgctl(1, IPC_SET, {msg_perm={uid=1000, gid=100, mode=0640}, msg_qbytes=16384}) = 0"),
        Case(syscall: .semctl, arguments: [2, 0, 2], structure: ControlLayouts.semid64DS,
             values: perm.merging(["sem_otime": 1_700_000_004, "sem_ctime": 1_700_000_005, "sem_nsems": 3]) { $1 },
             expected: "semctl(2, 0, IPC_STAT, {sem_perm=\(permText), sem_otime=1700000004, sem_ctime=1700000005, "
                 + "sem_nsems=3}) = 0"),
        // strace's order, not the header's: the times come last.
        Case(syscall: .shmctl, arguments: [3, 13], returnValue: 3, structure: ControlLayouts.shmid64DS,
             values: perm.merging([
                 "shm_segsz": 8192, "shm_atime": 1_700_000_006, "shm_dtime": 1_700_000_007, "shm_ctime": 1_700_000_008,
                 "shm_cpid": 4444, "shm_lpid": 4545, "shm_nattch": 1,
             ]) { $1 },
             expected: "shmctl(3, SHM_STAT, {shm_perm=\(permText), shm_segsz=8192, shm_cpid=4444, shm_lpid=4545, "
                 + "shm_nattch=1, shm_atime=1700000006, shm_dtime=1700000007, shm_ctime=1700000008}) = 3"),
        Case(syscall: .msgctl, arguments: [0, 12], returnValue: 1, structure: ControlLayouts.msginfo,
             values: ["msgpool": 2, "msgmap": 3, "msgmax": 8192, "msgmnb": 16384, "msgmni": 32000, "msgssz": 16,
                      "msgtql": 4, "msgseg": 65535],
             expected: "msgctl(0, MSG_INFO, {msgpool=2, msgmap=3, msgmax=8192, msgmnb=16384, msgmni=32000, msgssz=16, "
                 + "msgtql=4, msgseg=65535}) = 1"),
        Case(syscall: .semctl, arguments: [0, 0, 19], returnValue: 1, structure: ControlLayouts.seminfo,
             values: ["semmap": 1, "semmni": 2, "semmns": 3, "semmnu": 4, "semmsl": 5, "semopm": 6, "semume": 7,
                      "semusz": 8, "semvmx": 32767, "semaem": 10],
             expected: "semctl(0, 0, SEM_INFO, {semmap=1, semmni=2, semmns=3, semmnu=4, semmsl=5, semopm=6, semume=7, "
                 + "semusz=8, semvmx=32767, semaem=10}) = 1"),
        Case(syscall: .shmctl, arguments: [0, 3], returnValue: 1, structure: ControlLayouts.shminfo64,
             values: ["shmmax": 2_147_483_647, "shmmin": 1, "shmmni": 4096, "shmseg": 4095, "shmall": 2_097_152],
             expected: "shmctl(0, IPC_INFO, {shmmax=2147483647, shmmin=1, shmmni=4096, shmseg=4095, shmall=2097152}) = 1"),
        Case(syscall: .shmctl, arguments: [0, 14], returnValue: 1, structure: ControlLayouts.shmInfo,
             values: ["used_ids": 1, "shm_tot": 2, "shm_rss": 3, "shm_swp": 4, "swap_attempts": 5, "swap_successes": 6],
             expected: "shmctl(0, SHM_INFO, {used_ids=1, shm_tot=2, shm_rss=3, shm_swp=4, swap_attempts=5, "
                 + "swap_successes=6}) = 1"),
    ]

    /// The bytes of `structure` as `abi` lays it out, its members (nested ones too) set from `values`.
    /// The rest is filler, as is every high word of an i386 time: strace shows the low one only.
    static func bytes(of structure: CStruct, on abi: Architecture, _ values: [String: Int64]) -> [UInt8] {
        let layout = structure.layout(on: abi)
        var bytes = [UInt8](repeating: 0xa5, count: layout.size)
        for (member, (name, field)) in zip(structure.members(on: abi), layout.fields) {
            if case .structure(let inner) = member.type {
                bytes.replaceSubrange(field.offset..<(field.offset + field.size), with: Self.bytes(of: inner, on: abi, values))
            } else if let value = values[name] {
                for i in 0..<field.size { bytes[field.offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
            }
        }
        return bytes
    }

    @Test("a successful *_STAT, *_INFO and an IPC_SET decoded on each ABI",
          arguments: Architecture.allCases, cases)
    func decode(_ abi: Architecture, _ c: Case) {
        let buffer: TraceeAddress = 0x0804_8000  // addressable by every ABI
        let memory = [buffer: Self.bytes(of: c.structure, on: abi, c.values)]
        let call = DecodeCase(architecture: abi, syscall: c.syscall, arguments: c.arguments + [buffer],
                              returnValue: c.returnValue, memory: memory, expected: c.expected)
        #expect(call.decode() == c.expected)
    }
}
