/// `splice(2)`, `tee(2)`, `vmsplice(2)` flags (strace's `splice_flags`).
enum SpliceFlags {
    static let names = FlagNames([(1, "SPLICE_F_MOVE"), (2, "SPLICE_F_NONBLOCK"), (4, "SPLICE_F_MORE"), (8, "SPLICE_F_GIFT")],
                                 unknown: "SPLICE_F_???")
}

/// `mq_open(2)`'s flags: the access mode by name, then open(2)'s flag table (strace's `tprint_open_modes`).
enum OpenModes {
    static let access = ["O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"]

    static func render(_ flags: UInt32, _ style: TextStyle = TextStyle()) -> String {
        let mode = access[Int(flags & 3)]
        let abbrev = PipeFlags.names.render(UInt64(flags & ~3)).map { mode + "|" + $0 } ?? mode
        return style.constant(UInt64(flags), abbrev, named: true)
    }
}

/// `mq_attr.mq_flags` as `mq_getsetattr` prints it (strace's `mq_attr_flags`).
enum MessageQueueFlags {
    static let names = FlagNames([(0o4000, "O_NONBLOCK")], unknown: "O_???")
}

/// `sigevent.sigev_notify` (strace's `sigev_value` table).
enum SignalEventNotify {
    static let names = ValueNames([(0, "SIGEV_SIGNAL"), (1, "SIGEV_NONE"), (2, "SIGEV_THREAD"), (4, "SIGEV_THREAD_ID")],
                                  unknown: "SIGEV_???")
}

/// `futex(2)` operations (strace's `futexops`, in its order: the private and realtime-clock forms are
/// names of their own), and the parts of a `FUTEX_WAKE_OP` word.
enum FutexOperations {
    static let privateFlag: Int32 = 128
    static let clockRealtime: Int32 = 256

    /// The command: the operation without the private and clock bits.
    enum Command: Int32 {
        case wait = 0, wake, fd, requeue, cmpRequeue, wakeOp, lockPI, unlockPI, trylockPI, waitBitset, wakeBitset,
             waitRequeuePI, cmpRequeuePI, lockPI2
    }

    static let names: ValueNames = {
        let base = ["FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE", "FUTEX_CMP_REQUEUE", "FUTEX_WAKE_OP",
                    "FUTEX_LOCK_PI", "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI", "FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET",
                    "FUTEX_WAIT_REQUEUE_PI", "FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2"]
        var pairs = base.enumerated().map { (UInt64($0.offset), $0.element) }
        for (command, name) in base.enumerated() {
            let privateName = command == Command.fd.rawValue.asInt ? "FUTEX_FD|FUTEX_PRIVATE_FLAG" : name + "_PRIVATE"
            pairs.append((UInt64(command) | 128, privateName))
        }
        for command in [Command.wait, .waitBitset, .waitRequeuePI] {
            let name = base[Int(command.rawValue)]
            pairs.append((UInt64(command.rawValue) | 256, name + "|FUTEX_CLOCK_REALTIME"))
            pairs.append((UInt64(command.rawValue) | 384, name + "_PRIVATE|FUTEX_CLOCK_REALTIME"))
        }
        return ValueNames(pairs, unknown: "FUTEX_???")
    }()

    static let wakeOps = ["FUTEX_OP_SET", "FUTEX_OP_ADD", "FUTEX_OP_OR", "FUTEX_OP_ANDN", "FUTEX_OP_XOR"]
    static let wakeComparisons = ["FUTEX_OP_CMP_EQ", "FUTEX_OP_CMP_NE", "FUTEX_OP_CMP_LT", "FUTEX_OP_CMP_LE",
                                  "FUTEX_OP_CMP_GT", "FUTEX_OP_CMP_GE"]
    static let bitsetMatchAny: UInt32 = 0xffff_ffff
}

private extension Int32 {
    var asInt: Int { Int(self) }
}
