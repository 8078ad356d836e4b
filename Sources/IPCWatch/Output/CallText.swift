/// strace's rendering of a call: `pipe2([3, 4], O_CLOEXEC)` and `= 0` / `= -1 EFAULT (Bad address)`.
extension Call {
    /// The call with its arguments, as strace 6 prints it; with `pipeInodes`, pipe fds as strace -y
    /// shows them (`3<pipe:[12345]>`): a new pipe's two ends, or the fds of `splice`, `tee`, `vmsplice`.
    public func straceText(pipeInodes: [UInt64]? = nil) -> String {
        straceText(targets: targets(pipeInodes: pipeInodes), name: syscall.rawValue)
    }

    /// The same, under the name the kernel knew the call by (i386's `semtimedop_time64`), with `-y`'s
    /// `targets` after the descriptors that have one; `kludge`: see ``arguments(targets:style:kludge:)``.
    func straceText(targets: DescriptorTargets?, name: String, style: TextStyle = TextStyle(),
                    kludge: TraceeAddress? = nil) -> String {
        "\(name)(\(arguments(targets: targets, style: style, kludge: kludge).joined(separator: ", ")))"
    }

    /// The arguments as strace prints them. `kludge`: the `struct ipc_kludge` of a failed i386 `ipc(MSGRCV)` of
    /// version 0, which strace 6.1 prints where the buffer goes, with no msgtyp (it reads the struct only
    /// after a success).
    private func arguments(targets: DescriptorTargets?, style: TextStyle, kludge: TraceeAddress?) -> [String] {
        var arguments = straceArguments(targets: targets, style)
        if let kludge, case .msgrcv = self {
            arguments[1] = Self.pointer(kludge)
            arguments.remove(at: 3)
        }
        return arguments
    }

    /// What strace prints of a call at its entry, the line left open: the arguments known then, each with its
    /// separator (`msgrcv(5, `), or every argument but no parenthesis (`semop(5, [{…}], 1`).
    func entryText(name: String, targets: DescriptorTargets? = nil, style: TextStyle = TextStyle(),
                   kludge: TraceeAddress? = nil) -> String {
        let (all, shown) = argumentsAtEntry(targets: targets, style, kludge: kludge)
        // strace writes the separator after each argument it prints at entry, hence `msgrcv(5,  <unfinished ...>`.
        return name + "(" + all.prefix(shown).joined(separator: ", ") + (shown < all.count && shown > 0 ? ", " : "")
    }

    /// What strace prints at the exit of a call whose entry it printed: the other arguments and the
    /// parenthesis (`{mtype=1, mtext="hi"}, 8, 0, 0)`, or `)`). The result follows.
    func exitText(targets: DescriptorTargets?, style: TextStyle = TextStyle(), kludge: TraceeAddress? = nil) -> String {
        let (all, shown) = argumentsAtEntry(targets: targets, style, kludge: kludge)
        return all.dropFirst(shown).joined(separator: ", ") + ")"
    }

    /// What follows ``entryText(name:targets:style:)`` for a call that did not return, as strace prints it:
    /// `<detached ...>`; when the thread ended, `<unfinished ...>)` if arguments were left for the exit, `)` if
    /// none (` = ?` follows both); still in progress, `<unfinished ...>`.
    func unfinishedEnding(_ reason: SyscallResult.Unfinished) -> String {
        let (all, shown) = argumentsAtEntry(targets: nil, TextStyle(), kludge: nil)
        switch reason {
        case .detached: return " <detached ...>"
        case .threadEnded: return shown == all.count ? ")" : " <unfinished ...>)"
        case .inProgress: return " <unfinished ...>"
        }
    }

    /// Every argument as strace prints it, and how many of them it prints at the entry.
    private func argumentsAtEntry(targets: DescriptorTargets?, _ style: TextStyle,
                                  kludge: TraceeAddress?) -> (all: [String], shown: Int) {
        let all = arguments(targets: targets, style: style, kludge: kludge)
        return (all, min(argumentsShownAtEntry ?? all.count, all.count))
    }

    /// How many arguments strace prints at the call's entry (the others, outputs, at its exit); nil: all.
    private var argumentsShownAtEntry: Int? {
        switch self {
        case .pipe, .pipe2: 0
        case .msgrcv, .mqTimedreceive, .getRobustList: 1
        case .msgctl, .shmctl, .mqGetsetattr: 2
        case .semctl: 3
        default: nil
        }
    }

    private func straceArguments(targets: DescriptorTargets?, _ style: TextStyle) -> [String] {
        let arguments: [String]
        switch self {
        case .pipe(let ends):
            arguments = [Self.render(ends, targets)]
        case .pipe2(let ends, let flags):
            arguments = [Self.render(ends, targets), style.flags(UInt64(flags), PipeFlags.names)]
        case .msgget(let key, let flags):
            arguments = [Self.key(key, style), Self.getFlags(flags, IPCGetFlags.names, style)]
        case .msgsnd(let msqid, let msgp, let message, let msgsz, let flags):
            arguments = [String(msqid), message.map { Self.render($0, style) } ?? Self.pointer(msgp), String(msgsz),
                         style.flags(UInt64(UInt32(bitPattern: flags)), MessageFlags.names)]
        case .msgrcv(let msqid, let msgp, let message, let msgsz, let msgtyp, let flags):
            arguments = [String(msqid), message.map { Self.render($0, style) } ?? Self.pointer(msgp), String(msgsz), String(msgtyp),
                         style.flags(UInt64(UInt32(bitPattern: flags)), MessageFlags.names)]
        case .msgctl(let msqid, let command, let buf, let contents):
            arguments = [String(msqid), IPCCommands.render(command, IPCCommands.msg, style),
                         contents?.straceText ?? Self.pointer(buf)]
        case .semget(let key, let nsems, let flags):
            arguments = [Self.key(key, style), String(nsems), Self.getFlags(flags, IPCGetFlags.names, style)]
        case .semop(let semid, let sops, let operations, let nsops):
            arguments = [String(semid), Self.render(operations, sops, nsops, style), String(nsops)]
        case .semtimedop(let semid, let sops, let operations, let nsops, let timeout, let timeoutValue):
            arguments = [String(semid), Self.render(operations, sops, nsops, style), String(nsops),
                         timeoutValue.map { "{tv_sec=\($0.seconds), tv_nsec=\($0.nanoseconds)}" } ?? Self.pointer(timeout)]
        case .semctl(let semid, let semnum, let command, let arg, let byReference, let contents):
            let shown = contents?.straceText ?? (byReference ? "[\(Self.pointer(arg))]" : Self.pointer(arg))
            arguments = [String(semid), String(semnum), IPCCommands.render(command, IPCCommands.sem, style), shown]
        case .shmget(let key, let size, let flags):
            arguments = [Self.key(key, style), String(size), Self.getFlags(flags, IPCGetFlags.shmNames, style)]
        case .shmat(let shmid, let shmaddr, let flags):
            arguments = [String(shmid), Self.pointer(shmaddr),
                         style.flags(UInt64(UInt32(bitPattern: flags)), SharedMemoryAttachFlags.names)]
        case .shmdt(let shmaddr):
            arguments = [Self.pointer(shmaddr)]
        case .shmctl(let shmid, let command, let buf, let contents):
            arguments = [String(shmid), IPCCommands.render(command, IPCCommands.shm, style),
                         contents?.straceText ?? Self.pointer(buf)]
        case .ipc(let raw):
            arguments = [String(raw.call), String(raw.first), String(raw.second), String(raw.third),
                         Self.pointer(raw.ptr), String(raw.fifth)]
        case .splice, .tee, .vmsplice, .mqOpen, .mqUnlink, .mqTimedsend, .mqTimedreceive, .mqNotify, .mqGetsetattr,
             .futex, .setRobustList, .getRobustList:
            arguments = channelArguments(style, targets: targets)
        }
        return arguments
    }

    static func pointer(_ address: TraceeAddress) -> String { address == 0 ? "NULL" : "0x" + String(address, radix: 16) }

    /// An array of `count` entries of which `items` were shown, as strace abbreviates it: `[a, b, ...]`, and
    /// `[...]` when none was shown (`-s 0`); cut short by memory that could not be read, the address of the
    /// first entry that could not: `[a, ... /* 0x7f…000 */]`.
    static func array(_ items: [String], count: UInt64, unreadable: TraceeAddress? = nil) -> String {
        guard UInt64(items.count) < count else { return "[" + items.joined(separator: ", ") + "]" }
        let more = unreadable.map { "... /* " + pointer($0) + " */" } ?? "..."
        return "[" + (items + [more]).joined(separator: ", ") + "]"
    }

    private static func render(_ ends: PipeEnds, _ targets: DescriptorTargets?) -> String {
        switch ends {
        case .fds(let read, let write):
            return "[\(StringQuoting.descriptor(read, targets)), \(StringQuoting.descriptor(write, targets))]"
        case .pointer(let address):
            return pointer(address)
        }
    }

    static func key(_ key: Int32, _ style: TextStyle = TextStyle()) -> String {
        key == 0 ? style.constant(0, "IPC_PRIVATE", named: true) : "0x" + String(UInt32(bitPattern: key), radix: 16)
    }

    /// `IPC_CREAT|IPC_EXCL|0600`: the flags, then the permission bits as `%#03o`.
    static func getFlags(_ flags: Int32, _ names: FlagNames, _ style: TextStyle = TextStyle()) -> String {
        let bits = UInt32(bitPattern: flags)
        let mode = String(bits & 0o777, radix: 8)
        let octal = mode == "0" ? "000" : String(repeating: "0", count: max(0, 2 - mode.count)) + "0" + mode
        return bits & ~0o777 == 0 ? octal : style.flags(UInt64(bits & ~0o777), names) + "|" + octal
    }

    private static func render(_ message: MessageBuffer, _ style: TextStyle) -> String {
        "{mtype=\(message.type), mtext=\(message.text.map { style.quote($0, truncated: message.truncated) } ?? pointer(message.textAddress))}"
    }

    private static func render(_ operations: ArrayEntries<SemaphoreOperation>?, _ address: TraceeAddress, _ count: UInt64,
                                  _ style: TextStyle) -> String {
        guard let operations else { return pointer(address) }
        let items = operations.entries.map {
            "{sem_num=\($0.number), sem_op=\($0.operation), sem_flg=\(style.flags(UInt64(UInt16(bitPattern: $0.flags)), SemaphoreFlags.names))}"
        }
        return Self.array(items, count: count, unreadable: operations.unreadable)
    }
}

extension SyscallResult {
    /// What strace prints after `= `.
    func straceText(for call: Call) -> String {
        switch self {
        case .success(let value):
            if case .shmat = call { return "0x" + String(UInt64(bitPattern: value), radix: 16) }
            return String(value)
        case .failure(let errno):
            // Kernel-internal restart codes are not errors the caller sees: strace prints `?`.
            return (errno.rawValue >= 512 && errno.rawValue <= 516 ? "? " : "-1 ") + errno.description
        case .unfinished:
            return "?"
        }
    }
}

/// strace's string quoting: C escapes, octal for the rest, `...` when cut.
enum StringQuoting {
    static func quote(_ bytes: [UInt8], truncated: Bool) -> String {
        "\"" + escape(bytes) + "\"" + (truncated ? "..." : "")
    }

    /// The bytes with strace's escapes, without the quotes; `alsoOctal` in octal too (`-y`'s `<` and `>`).
    static func escape(_ bytes: [UInt8], alsoOctal: [UInt8] = []) -> String {
        var out = ""
        for (i, byte) in bytes.enumerated() {
            switch byte {
            case _ where alsoOctal.contains(byte): out += octal(byte, before: i + 1 < bytes.count ? bytes[i + 1] : 0)
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x0c: out += "\\f"
            case 0x0a: out += "\\n"
            case 0x0d: out += "\\r"
            case 0x09: out += "\\t"
            case 0x0b: out += "\\v"
            case 0x20...0x7e: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += octal(byte, before: i + 1 < bytes.count ? bytes[i + 1] : 0)
            }
        }
        return out
    }

    /// Short octal unless the next character is an octal digit.
    private static func octal(_ byte: UInt8, before next: UInt8) -> String {
        let octal = String(byte, radix: 8)
        let wide = (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(next)
        return "\\" + (wide ? String(repeating: "0", count: 3 - octal.count) : "") + octal
    }

    /// The bytes `escape` wrote as `text`.
    static func unescape(_ text: String) -> [UInt8] {
        let utf8 = Array(text.utf8)
        var bytes: [UInt8] = []
        var i = 0
        let octalDigits = UInt8(ascii: "0")...UInt8(ascii: "7")
        while i < utf8.count {
            guard utf8[i] == UInt8(ascii: "\\"), i + 1 < utf8.count else {
                bytes.append(utf8[i])
                i += 1
                continue
            }
            let next = utf8[i + 1]
            let simple: [UInt8: UInt8] = [UInt8(ascii: "f"): 0x0c, UInt8(ascii: "n"): 0x0a, UInt8(ascii: "r"): 0x0d,
                                          UInt8(ascii: "t"): 0x09, UInt8(ascii: "v"): 0x0b]
            if let byte = simple[next] {
                bytes.append(byte)
                i += 2
            } else if octalDigits.contains(next) {
                var value = 0, j = i + 1
                while j < utf8.count && j < i + 4 && octalDigits.contains(utf8[j]) {
                    value = value * 8 + Int(utf8[j] - UInt8(ascii: "0"))
                    j += 1
                }
                bytes.append(UInt8(truncatingIfNeeded: value))
                i = j
            } else {
                bytes.append(next)  // \" and \\
                i += 2
            }
        }
        return bytes
    }
}
