/// The i386 `ipc(call, first, second, third, ptr, fifth)` multiplexer: maps its arguments to those of
/// the direct call and reuses that call's decoder (as strace's `ipc.c` does).
enum IPCMultiplexer {
    /// Subcall numbers from <linux/ipc.h>.
    enum Subcall: UInt32 {
        case semop = 1, semget = 2, semctl = 3, semtimedop = 4
        case msgsnd = 11, msgrcv = 12, msgget = 13, msgctl = 14
        case shmat = 21, shmdt = 22, shmget = 23, shmctl = 24
    }

    /// Whether an `ipc(2)` call (`call`: its first argument) can wait: its msgsnd, msgrcv, semop and semtimedop.
    static func mayBlock(_ call: UInt64) -> Bool { direct(call)?.mayBlock ?? false }

    /// The direct call an `ipc(2)` call (`call`: its first argument) stands for, nil for an unknown subcall.
    static func direct(_ call: UInt64) -> Syscall? {
        Subcall(rawValue: UInt32(truncatingIfNeeded: call) & 0xffff).map {
            switch $0 {
            case .semop: .semop
            case .semget: .semget
            case .semctl: .semctl
            case .semtimedop: .semtimedop
            case .msgsnd: .msgsnd
            case .msgrcv: .msgrcv
            case .msgget: .msgget
            case .msgctl: .msgctl
            case .shmat: .shmat
            case .shmdt: .shmdt
            case .shmget: .shmget
            case .shmctl: .shmctl
            }
        }
    }

    static func decode(_ stop: SyscallStop, _ context: DecodeContext)
        -> (call: Call, multiplexed: MultiplexedCall?, result: SyscallResult) {
        let a = stop.arguments
        let raw = MultiplexedCall(call: UInt32(truncatingIfNeeded: a[0]), first: Int32(truncatingIfNeeded: a[1]),
                                  second: a[2], third: a[3], ptr: a[4], fifth: stop.long(5))
        guard let subcall = Subcall(rawValue: raw.subcall) else { return (.ipc(raw), raw, stop.result) }

        let first = a[1], second = a[2], third = a[3], ptr = a[4], fifth = a[5]
        var result = stop.result
        let direct: (Syscall, [UInt64])
        switch subcall {
        case .semop: direct = (.semop, [first, ptr, second])
        case .semget: direct = (.semget, [first, second, third])
        // The semun argument is passed by reference here, by value in the direct call.
        case .semctl: direct = (.semctl, [first, second, third, readLong(ptr, context).map(UInt64.init) ?? ptr])
        case .semtimedop: direct = (.semtimedop, [first, ptr, second, fifth])
        case .msgsnd: direct = (.msgsnd, [first, ptr, second, third])
        case .msgrcv:
            if raw.version == 0 {
                // Version 0 passes `struct ipc_kludge { struct msgbuf *msgp; long msgtyp; }` at ptr.
                let msgp = readLong(ptr, context).map { UInt64(UInt32(truncatingIfNeeded: $0)) } ?? 0
                let msgtyp = readLong(ptr + UInt64(context.longSize), context) ?? 0
                direct = (.msgrcv, [first, msgp, second, UInt64(bitPattern: msgtyp), third])
            } else {
                direct = (.msgrcv, [first, ptr, second, fifth, third])
            }
        case .msgget: direct = (.msgget, [first, second])
        case .msgctl: direct = (.msgctl, [first, second, ptr])
        case .shmat:
            direct = (.shmat, [first, ptr, second])
            // ipc(SHMAT) returns 0 and stores the attach address at `third`.
            if case .success = result, let address = readLong(third, context) {
                result = .success(Int64(UInt32(truncatingIfNeeded: address)))
            }
        case .shmdt: direct = (.shmdt, [ptr])
        case .shmget: direct = (.shmget, [first, second, third])
        case .shmctl: direct = (.shmctl, [first, second, ptr])
        }
        let arguments = direct.1 + Array(repeating: 0, count: 6 - direct.1.count)
        let mapped = SyscallStop(architecture: stop.architecture, syscall: direct.0, arguments: arguments,
                                 returnValue: stop.returnValue, isError: stop.isError)
        // The multiplexed semtimedop takes the old 32-bit `struct timespec`.
        var multiplexedContext = context
        multiplexedContext.multiplexed = true
        var call = SyscallDecoder.decodeDirect(mapped, multiplexedContext, timespecSize: 2 * context.longSize)
        if case .semctl(let semid, let semnum, let command, let arg, _, let contents) = call,
           readLong(ptr, context) != nil {
            call = .semctl(semid: semid, semnum: semnum, command: command, arg: arg, argByReference: true,
                           contents: contents)
        }
        return (call, raw, result)
    }

    private static func readLong(_ address: TraceeAddress, _ context: DecodeContext) -> Int64? {
        context.integer(at: address, size: context.longSize)
    }
}
