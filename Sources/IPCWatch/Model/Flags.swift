/// A table of flag names, in the order strace prints them, with a renderer for a bit set.
struct FlagNames: Sendable {
    let names: [(value: UInt64, name: String)]
    /// strace's comment for bits none of whose names is known, e.g. `O_???`.
    let unknown: String?

    init(_ names: [(UInt64, String)], unknown: String? = nil) {
        self.names = names.map { (value: $0.0, name: $0.1) }
        self.unknown = unknown
    }

    /// `A|B|0x80000000`: known flags in table order (an entry of several bits first takes them all, as
    /// strace's `printflags`), unknown bits as one hex number, `0x2 /* SEM_??? */` when no name is known;
    /// nil for no bits.
    func render(_ bits: UInt64) -> String? {
        guard bits != 0 else { return nil }
        var parts: [String] = []
        var rest = bits
        for (value, name) in names where value != 0 && rest & value == value {
            parts.append(name)
            rest &= ~value
        }
        guard rest != 0 else { return parts.joined(separator: "|") }
        let hex = "0x" + String(rest, radix: 16)
        if parts.isEmpty, let unknown { return "\(hex) /* \(unknown) */" }
        return (parts + [hex]).joined(separator: "|")
    }

    /// Like `render`, but "0" when no bit is set.
    func renderOrZero(_ bits: UInt64) -> String { render(bits) ?? "0" }

    /// The bits `render` wrote as `text` (names and hex numbers joined by `|`; a `/* … */` comment ignored).
    func value(of text: String) -> UInt64 {
        let bare = text.split(separator: "/*").first.map { $0.trimmingCharacters(in: " ") } ?? ""
        return bare.split(separator: "|").reduce(0) { bits, part in
            if let known = names.first(where: { $0.name == part }) { return bits | known.value }
            if part.hasPrefix("0x"), let number = UInt64(part.dropFirst(2), radix: 16) { return bits | number }
            return bits | (UInt64(part) ?? 0)
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}

/// Names of single values (commands, subcalls) with a numeric fallback.
struct ValueNames: Sendable {
    let names: [UInt64: String]
    /// strace's comment for a value without a name, e.g. `MSG_???`.
    let unknown: String
    init(_ pairs: [(UInt64, String)], unknown: String = "???") {
        names = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        self.unknown = unknown
    }
    func name(_ value: UInt64) -> String? { names[value] }
}

/// `pipe2(2)` flags.
public struct PipeFlags: OptionSet, Sendable, Hashable, Codable {
    /// The `flags` argument of `pipe2(2)`.
    public let rawValue: UInt32
    /// Wraps a `pipe2(2)` flag word, unknown bits included.
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `O_NONBLOCK` (04000).
    public static let nonBlock = PipeFlags(rawValue: 0o4000)
    /// `O_DIRECT` (040000): a packet-mode pipe.
    public static let direct = PipeFlags(rawValue: 0o40000)
    /// `O_CLOEXEC` (02000000).
    public static let closeOnExec = PipeFlags(rawValue: 0o2000000)
    /// `O_NOTIFICATION_PIPE` is `O_EXCL`'s bit, and strace 6 names it so.
    public static let notificationPipe = PipeFlags(rawValue: 0o200)

    /// strace prints pipe2's flags with its `open_mode_flags` table, in its order (`O_SYNC` before
    /// `O_DSYNC`, `O_TMPFILE` before `O_DIRECTORY`): measured with strace 6.1 on every bit.
    static let names = FlagNames([
        (0o100, "O_CREAT"), (0o200, "O_EXCL"), (0o400, "O_NOCTTY"), (0o1000, "O_TRUNC"), (0o2000, "O_APPEND"),
        (0o4000, "O_NONBLOCK"), (0o4010000, "O_SYNC"), (0o10000, "O_DSYNC"), (0o40000, "O_DIRECT"),
        (0o100000, "O_LARGEFILE"), (0o400000, "O_NOFOLLOW"), (0o1000000, "O_NOATIME"), (0o2000000, "O_CLOEXEC"),
        (0o10000000, "O_PATH"), (0o20200000, "O_TMPFILE"), (0o200000, "O_DIRECTORY"), (0o4000000, "__O_SYNC"),
        (0o20000000, "__O_TMPFILE"), (0o20000, "FASYNC"),
    ], unknown: "O_???")
}

/// The `*get(2)` flag word: creation flags plus permission bits (`IPC_CREAT|IPC_EXCL|0600`).
public struct IPCGetFlags: OptionSet, Sendable, Hashable, Codable {
    /// The whole `msgflg`/`semflg`/`shmflg` word, permission bits included.
    public let rawValue: Int32
    /// Wraps a `*get(2)` flag word.
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// `IPC_CREAT` (01000): create the object if the key has none.
    public static let create = IPCGetFlags(rawValue: 0o1000)
    /// `IPC_EXCL` (02000): with `IPC_CREAT`, fail with `EEXIST` if the key has one.
    public static let exclusive = IPCGetFlags(rawValue: 0o2000)

    /// The permission bits, as `open(2)`'s mode.
    public var permissions: Int32 { rawValue & 0o777 }

    static let names = FlagNames([(0o1000, "IPC_CREAT"), (0o2000, "IPC_EXCL"), (0o4000, "IPC_NOWAIT")])
    static let shmNames = FlagNames([(0o1000, "IPC_CREAT"), (0o2000, "IPC_EXCL"), (0o4000, "SHM_HUGETLB"),
                                     (0o10000, "SHM_NORESERVE")])
}

/// `msgsnd(2)`/`msgrcv(2)` flags.
enum MessageFlags {
    static let names = FlagNames([(0o10000, "MSG_NOERROR"), (0o20000, "MSG_EXCEPT"), (0o40000, "MSG_COPY"),
                                  (0o4000, "IPC_NOWAIT")], unknown: "MSG_???")
}

/// `struct sembuf.sem_flg`.
enum SemaphoreFlags {
    static let names = FlagNames([(0x1000, "SEM_UNDO"), (0o4000, "IPC_NOWAIT")], unknown: "SEM_???")
}

/// `shmat(2)` flags.
enum SharedMemoryAttachFlags {
    static let names = FlagNames([(0o10000, "SHM_RDONLY"), (0o20000, "SHM_RND"), (0o40000, "SHM_REMAP"),
                                  (0o100000, "SHM_EXEC")], unknown: "SHM_???")
}

/// `*ctl(2)` commands per family. `IPC_64` (0x100) is a version bit some callers add.
enum IPCCommands {
    static let ipc64: Int32 = 0x100
    private static let common: [(UInt64, String)] = [(0, "IPC_RMID"), (1, "IPC_SET"), (2, "IPC_STAT"), (3, "IPC_INFO")]
    static let msg = ValueNames(common + [(11, "MSG_STAT"), (12, "MSG_INFO"), (13, "MSG_STAT_ANY")], unknown: "MSG_???")
    static let sem = ValueNames(common + [(11, "GETPID"), (12, "GETVAL"), (13, "GETALL"), (14, "GETNCNT"),
                                          (15, "GETZCNT"), (16, "SETVAL"), (17, "SETALL"), (18, "SEM_STAT"),
                                          (19, "SEM_INFO"), (20, "SEM_STAT_ANY")], unknown: "SEM_???")
    static let shm = ValueNames(common + [(11, "SHM_LOCK"), (12, "SHM_UNLOCK"), (13, "SHM_STAT"), (14, "SHM_INFO"),
                                          (15, "SHM_STAT_ANY")], unknown: "SHM_???")

    /// `IPC_64|IPC_STAT`, or `0x4d /* MSG_??? */` for an unknown command.
    static func render(_ command: Int32, _ names: ValueNames, _ style: TextStyle = TextStyle()) -> String {
        let name = style.value(UInt64(UInt32(bitPattern: command & ~ipc64)), names)
        return command & ipc64 != 0 ? style.constant(UInt64(ipc64), "IPC_64", named: true) + "|" + name : name
    }
}
