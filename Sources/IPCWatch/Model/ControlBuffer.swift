/// A structure a `*ctl` call exchanged with the kernel (`struct msqid_ds`, `struct seminfo`…), decoded
/// into named fields in strace's order and format.
public struct DecodedStruct: Sendable, Hashable {
    /// One field's value, typed by how strace formats it.
    public enum Value: Sendable, Hashable {
        /// A signed integer (times, pids, keys), shown in decimal.
        case signed(Int64)
        /// An unsigned integer (ids, sizes, counts), shown in decimal.
        case unsigned(UInt64)
        /// Permission bits, shown in octal.
        case mode(UInt32)
        /// An embedded structure (`struct ipc64_perm`), shown in braces.
        case nested(DecodedStruct)
    }

    /// The fields in strace's order, named as strace names them.
    public var fields: [(name: String, value: Value)]

    /// Field by field, in order. Written by hand because tuples are not `Equatable`.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.fields.map(\.name) == rhs.fields.map(\.name) && lhs.fields.map(\.value) == rhs.fields.map(\.value)
    }

    /// Hashes every field's name and value in order, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        for field in fields { hasher.combine(field.name); hasher.combine(field.value) }
    }

    /// `{name=value, ...}` as strace prints it.
    public var straceText: String {
        "{" + fields.map { "\($0.name)=\(Self.render($0.value))" }.joined(separator: ", ") + "}"
    }

    private static func render(_ value: Value) -> String {
        switch value {
        case .signed(let v): String(v)
        case .unsigned(let v): String(v)
        case .mode(let v): Call.mode(v)  // strace's print_numeric_umode_t, %#03o: mode=000, mode=0600
        case .nested(let s): s.straceText
        }
    }
}

/// A structure as strace prints it (its `print_*` functions): the fields it shows, in its order and
/// format, read where the structure's ``CStruct`` puts them on the tracee's ABI.
struct PrintedStruct: Sendable {
    /// The `PRINT_FIELD_*` strace uses.
    enum Format: Sendable { case signed, unsigned, mode, nested(PrintedStruct) }

    struct Field: Sendable {
        let name: String
        let format: Format
        /// IPC_SET's short form shows it too: strace prints there only what that command changes.
        let inSetForm: Bool

        static func field(_ name: String, _ format: Format, inSetForm: Bool = false) -> Field {
            Field(name: name, format: format, inSetForm: inSetForm)
        }
    }

    let structure: CStruct
    let fields: [Field]
    /// The structure's layout on each ABI, computed once.
    private let layouts: [Architecture: CStruct.Layout]

    init(_ structure: CStruct, _ fields: [Field]) {
        self.structure = structure
        self.fields = fields
        layouts = Dictionary(uniqueKeysWithValues: Architecture.allCases.map { ($0, structure.layout(on: $0)) })
    }

    func size(on abi: Architecture) -> Int { layouts[abi]!.size }

    /// Decodes `bytes`, the whole structure as `abi` lays it out; `setForm` shows only IPC_SET's fields.
    func decode(_ bytes: ArraySlice<UInt8>, on abi: Architecture, setForm: Bool) -> DecodedStruct {
        let layout = layouts[abi]!
        return DecodedStruct(fields: fields.filter { $0.inSetForm || !setForm }.map { field in
            guard let place = layout[field.name] else { preconditionFailure("\(structure.name) has no \(field.name) on \(abi)") }
            let start = bytes.startIndex + place.offset
            let slice = bytes[start..<(start + place.size)]
            let value: DecodedStruct.Value = switch field.format {
            case .signed: .signed(DecodeContext.littleEndian(slice, signed: true))
            case .unsigned: .unsigned(UInt64(bitPattern: DecodeContext.littleEndian(slice, signed: false)))
            case .mode: .mode(UInt32(truncatingIfNeeded: DecodeContext.littleEndian(slice, signed: false)))
            case .nested(let inner): .nested(inner.decode(slice, on: abi, setForm: setForm))
            }
            return (field.name, value)
        })
    }
}

/// The `*ctl` structures, each described once in kernel header order, from <asm-generic/ipcbuf.h>,
/// <asm/msgbuf.h>, <asm/sembuf.h>, <asm/shmbuf.h>, <linux/msg.h>, <linux/sem.h> and <linux/shm.h>.
/// The i386 members are those the kernel writes for a 32-bit caller: `compat_ipc64_perm`, `compat_*64_ds`
/// (include/linux/compat.h), `compat_shminfo64`, `compat_shm_info` (ipc/shm.c); the `-m32` headers agree.
enum ControlLayouts {
    static let ipc64Perm = CStruct("ipc64_perm", [
        .field("key", .kernelKey), .field("uid", .kernelUID32), .field("gid", .kernelGID32),
        .field("cuid", .kernelUID32), .field("cgid", .kernelGID32), .field("mode", .kernelMode),
        // `unsigned char __pad1[4 - sizeof(__kernel_mode_t)]`: fills out a 16-bit mode's word.
        .field("__pad1", .unsignedShort, on: [.i386]),
        .field("seq", .unsignedShort), .field("__pad2", .unsignedShort),
        .field("__unused1", .kernelULong), .field("__unused2", .kernelULong),
    ])

    // i386 follows each time with its high word (y2038), and strace shows only the low one. That i386's
    // times are `unsigned long` moves no offset.
    static let msqid64DS = CStruct("msqid64_ds", [
        .field("msg_perm", .structure(ipc64Perm)),
        .field("msg_stime", .kernelLong), .field("msg_stime_high", .kernelULong, on: [.i386]),
        .field("msg_rtime", .kernelLong), .field("msg_rtime_high", .kernelULong, on: [.i386]),
        .field("msg_ctime", .kernelLong), .field("msg_ctime_high", .kernelULong, on: [.i386]),
        .field("msg_cbytes", .kernelULong), .field("msg_qnum", .kernelULong), .field("msg_qbytes", .kernelULong),
        .field("msg_lspid", .kernelPid), .field("msg_lrpid", .kernelPid),
        .field("__unused4", .kernelULong), .field("__unused5", .kernelULong),
    ])

    // Every ABI has a word after each time: i386's high word, unused on the 64-bit ones.
    static let semid64DS = CStruct("semid64_ds", [
        .field("sem_perm", .structure(ipc64Perm)),
        .field("sem_otime", .kernelLong),
        .field("sem_otime_high", .kernelULong, on: [.i386]), .field("__unused1", .kernelULong, on: [.x86_64, .x32]),
        .field("sem_ctime", .kernelLong),
        .field("sem_ctime_high", .kernelULong, on: [.i386]), .field("__unused2", .kernelULong, on: [.x86_64, .x32]),
        .field("sem_nsems", .kernelULong), .field("__unused3", .kernelULong), .field("__unused4", .kernelULong),
    ])

    static let shmid64DS = CStruct("shmid64_ds", [
        .field("shm_perm", .structure(ipc64Perm)), .field("shm_segsz", .kernelSize),
        .field("shm_atime", .kernelLong), .field("shm_atime_high", .kernelULong, on: [.i386]),
        .field("shm_dtime", .kernelLong), .field("shm_dtime_high", .kernelULong, on: [.i386]),
        .field("shm_ctime", .kernelLong), .field("shm_ctime_high", .kernelULong, on: [.i386]),
        .field("shm_cpid", .kernelPid), .field("shm_lpid", .kernelPid), .field("shm_nattch", .kernelULong),
        .field("__unused4", .kernelULong), .field("__unused5", .kernelULong),
    ])

    static let msginfo = CStruct("msginfo",
        ["msgpool", "msgmap", "msgmax", "msgmnb", "msgmni", "msgssz", "msgtql"].map { .field($0, .int) }
            + [.field("msgseg", .unsignedShort)])

    static let seminfo = CStruct("seminfo",
        ["semmap", "semmni", "semmns", "semmnu", "semmsl", "semopm", "semume", "semusz", "semvmx", "semaem"]
            .map { .field($0, .int) })

    static let shminfo64 = CStruct("shminfo64",
        ["shmmax", "shmmin", "shmmni", "shmseg", "shmall", "__unused1", "__unused2", "__unused3", "__unused4"]
            .map { .field($0, .kernelULong) })

    static let shmInfo = CStruct("shm_info", [.field("used_ids", .int)]
        + ["shm_tot", "shm_rss", "shm_swp", "swap_attempts", "swap_successes"].map { .field($0, .kernelULong) })
}

/// What strace shows of each structure (src/ipc_msgctl.c, ipc_semctl.c, ipc_shmctl.c).
extension PrintedStruct {
    static let ipc64Perm = PrintedStruct(ControlLayouts.ipc64Perm, [
        .field("uid", .unsigned, inSetForm: true), .field("gid", .unsigned, inSetForm: true),
        .field("mode", .mode, inSetForm: true),
        .field("key", .unsigned), .field("cuid", .unsigned), .field("cgid", .unsigned),  // strace: key unsigned
    ])

    static let msqid64DS = PrintedStruct(ControlLayouts.msqid64DS, [
        .field("msg_perm", .nested(.ipc64Perm), inSetForm: true),
        .field("msg_stime", .signed), .field("msg_rtime", .signed), .field("msg_ctime", .signed),
        .field("msg_qnum", .unsigned), .field("msg_qbytes", .unsigned, inSetForm: true),
        .field("msg_lspid", .signed), .field("msg_lrpid", .signed),
    ])

    static let semid64DS = PrintedStruct(ControlLayouts.semid64DS, [
        .field("sem_perm", .nested(.ipc64Perm), inSetForm: true),
        .field("sem_otime", .signed), .field("sem_ctime", .signed), .field("sem_nsems", .unsigned),
    ])

    static let shmid64DS = PrintedStruct(ControlLayouts.shmid64DS, [
        .field("shm_perm", .nested(.ipc64Perm), inSetForm: true),
        .field("shm_segsz", .unsigned), .field("shm_cpid", .signed), .field("shm_lpid", .signed),
        .field("shm_nattch", .unsigned),
        .field("shm_atime", .signed), .field("shm_dtime", .signed), .field("shm_ctime", .signed),
    ])

    static let msginfo = PrintedStruct(ControlLayouts.msginfo,
        ["msgpool", "msgmap", "msgmax", "msgmnb", "msgmni", "msgssz", "msgtql"].map { .field($0, .signed) }
            + [.field("msgseg", .unsigned)])

    static let seminfo = PrintedStruct(ControlLayouts.seminfo,
        ["semmap", "semmni", "semmns", "semmnu", "semmsl", "semopm", "semume", "semusz", "semvmx", "semaem"]
            .map { .field($0, .signed) })

    static let shminfo64 = PrintedStruct(ControlLayouts.shminfo64,
        ["shmmax", "shmmin", "shmmni", "shmseg", "shmall"].map { .field($0, .unsigned) })

    static let shmInfo = PrintedStruct(ControlLayouts.shmInfo,
        [.field("used_ids", .signed)]
            + ["shm_tot", "shm_rss", "shm_swp", "swap_attempts", "swap_successes"].map { .field($0, .unsigned) })
}
