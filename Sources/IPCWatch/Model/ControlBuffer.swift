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
        case .mode(let v): v == 0 ? "0" : "0" + String(v, radix: 8)
        case .nested(let s): s.straceText
        }
    }
}

/// Field layouts of the x86_64 (and x32) `*ctl` structures, from <bits/ipc.h>, <bits/msq.h>, <bits/sem.h>,
/// <bits/shm.h>: (name, offset, size, kind).
enum ControlLayouts {
    enum Kind { case signed, unsigned, mode, permissions(full: Bool) }
    typealias Field = (name: String, offset: Int, size: Int, kind: Kind)

    /// `struct ipc64_perm`: all of it as IPC_STAT returns it, or what IPC_SET changes.
    static func permissions(full: Bool) -> [Field] {
        let set: [Field] = [("uid", 4, 4, .unsigned), ("gid", 8, 4, .unsigned), ("mode", 20, 4, .mode)]
        return full ? set + [("key", 0, 4, .signed), ("cuid", 12, 4, .unsigned), ("cgid", 16, 4, .unsigned)] : set
    }

    static let msqidStat: (size: Int, fields: [Field]) = (120, [
        ("msg_perm", 0, 48, .permissions(full: true)), ("msg_stime", 48, 8, .signed), ("msg_rtime", 56, 8, .signed),
        ("msg_ctime", 64, 8, .signed), ("msg_qnum", 80, 8, .unsigned), ("msg_qbytes", 88, 8, .unsigned),
        ("msg_lspid", 96, 4, .signed), ("msg_lrpid", 100, 4, .signed),
    ])
    static let msqidSet: (size: Int, fields: [Field]) = (120, [
        ("msg_perm", 0, 48, .permissions(full: false)), ("msg_qbytes", 88, 8, .unsigned),
    ])
    static let msginfo: (size: Int, fields: [Field]) = (32, [
        ("msgpool", 0, 4, .signed), ("msgmap", 4, 4, .signed), ("msgmax", 8, 4, .signed), ("msgmnb", 12, 4, .signed),
        ("msgmni", 16, 4, .signed), ("msgssz", 20, 4, .signed), ("msgtql", 24, 4, .signed), ("msgseg", 28, 2, .unsigned),
    ])
    static let semidStat: (size: Int, fields: [Field]) = (104, [
        ("sem_perm", 0, 48, .permissions(full: true)), ("sem_otime", 48, 8, .signed), ("sem_ctime", 64, 8, .signed),
        ("sem_nsems", 80, 8, .unsigned),
    ])
    static let semidSet: (size: Int, fields: [Field]) = (104, [("sem_perm", 0, 48, .permissions(full: false))])
    static let seminfo: (size: Int, fields: [Field]) = (40, ["semmap", "semmni", "semmns", "semmnu", "semmsl", "semopm",
                                                             "semume", "semusz", "semvmx", "semaem"].enumerated().map {
        ($0.element, $0.offset * 4, 4, Kind.signed)
    })
    static let shmidStat: (size: Int, fields: [Field]) = (112, [
        ("shm_perm", 0, 48, .permissions(full: true)), ("shm_segsz", 48, 8, .unsigned), ("shm_cpid", 80, 4, .signed),
        ("shm_lpid", 84, 4, .signed), ("shm_nattch", 88, 8, .unsigned), ("shm_atime", 56, 8, .signed),
        ("shm_dtime", 64, 8, .signed), ("shm_ctime", 72, 8, .signed),
    ])
    static let shmidSet: (size: Int, fields: [Field]) = (112, [("shm_perm", 0, 48, .permissions(full: false))])
    static let shminfo: (size: Int, fields: [Field]) = (72, [
        ("shmmax", 0, 8, .unsigned), ("shmmin", 8, 8, .unsigned), ("shmmni", 16, 8, .unsigned),
        ("shmseg", 24, 8, .unsigned), ("shmall", 32, 8, .unsigned),
    ])
    static let shmInfo: (size: Int, fields: [Field]) = (48, [
        ("used_ids", 0, 4, .signed), ("shm_tot", 8, 8, .unsigned), ("shm_rss", 16, 8, .unsigned),
        ("shm_swp", 24, 8, .unsigned), ("swap_attempts", 32, 8, .unsigned), ("swap_successes", 40, 8, .unsigned),
    ])

    /// The i386 (compat) `IPC_64` layouts: `struct compat_ipc64_perm` of 36 bytes, 32-bit longs, times as
    /// their low word (what strace shows).
    enum Compat {
        static func permissions(full: Bool) -> [Field] {
            let set: [Field] = [("uid", 4, 4, .unsigned), ("gid", 8, 4, .unsigned), ("mode", 20, 2, .mode)]
            return full ? set + [("key", 0, 4, .signed), ("cuid", 12, 4, .unsigned), ("cgid", 16, 4, .unsigned)] : set
        }
        static let msqidStat: (size: Int, fields: [Field]) = (88, [
            ("msg_perm", 0, 36, .permissions(full: true)), ("msg_stime", 36, 4, .signed), ("msg_rtime", 44, 4, .signed),
            ("msg_ctime", 52, 4, .signed), ("msg_qnum", 64, 4, .unsigned), ("msg_qbytes", 68, 4, .unsigned),
            ("msg_lspid", 72, 4, .signed), ("msg_lrpid", 76, 4, .signed),
        ])
        static let msqidSet: (size: Int, fields: [Field]) = (88, [
            ("msg_perm", 0, 36, .permissions(full: false)), ("msg_qbytes", 68, 4, .unsigned),
        ])
        static let semidStat: (size: Int, fields: [Field]) = (64, [
            ("sem_perm", 0, 36, .permissions(full: true)), ("sem_otime", 36, 4, .signed), ("sem_ctime", 44, 4, .signed),
            ("sem_nsems", 52, 4, .unsigned),
        ])
        static let semidSet: (size: Int, fields: [Field]) = (64, [("sem_perm", 0, 36, .permissions(full: false))])
        static let shmidStat: (size: Int, fields: [Field]) = (84, [
            ("shm_perm", 0, 36, .permissions(full: true)), ("shm_segsz", 36, 4, .unsigned), ("shm_cpid", 64, 4, .signed),
            ("shm_lpid", 68, 4, .signed), ("shm_nattch", 72, 4, .unsigned), ("shm_atime", 40, 4, .signed),
            ("shm_dtime", 48, 4, .signed), ("shm_ctime", 56, 4, .signed),
        ])
        static let shmidSet: (size: Int, fields: [Field]) = (84, [("shm_perm", 0, 36, .permissions(full: false))])
        static let shminfo: (size: Int, fields: [Field]) = (36, [
            ("shmmax", 0, 4, .unsigned), ("shmmin", 4, 4, .unsigned), ("shmmni", 8, 4, .unsigned),
            ("shmseg", 12, 4, .unsigned), ("shmall", 16, 4, .unsigned),
        ])
        static let shmInfo: (size: Int, fields: [Field]) = (24, [
            ("used_ids", 0, 4, .signed), ("shm_tot", 4, 4, .unsigned), ("shm_rss", 8, 4, .unsigned),
            ("shm_swp", 12, 4, .unsigned), ("swap_attempts", 16, 4, .unsigned), ("swap_successes", 20, 4, .unsigned),
        ])
    }

    /// Decodes `bytes` (the whole structure) with `fields`.
    static func decode(_ bytes: [UInt8], _ fields: [Field], compat: Bool = false) -> DecodedStruct {
        DecodedStruct(fields: fields.map { field in
            let slice = bytes[field.offset..<(field.offset + field.size)]
            let value: DecodedStruct.Value
            switch field.kind {
            case .signed: value = .signed(DecodeContext.littleEndian(slice, signed: true))
            case .unsigned: value = .unsigned(UInt64(bitPattern: DecodeContext.littleEndian(slice, signed: false)))
            case .mode: value = .mode(UInt32(truncatingIfNeeded: DecodeContext.littleEndian(slice, signed: false)))
            case .permissions(let full):
                value = .nested(decode(Array(slice), compat ? Compat.permissions(full: full) : permissions(full: full)))
            }
            return (field.name, value)
        })
    }
}
