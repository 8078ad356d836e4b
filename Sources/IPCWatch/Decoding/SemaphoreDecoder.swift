/// `semget`, `semop`, `semtimedop`, `semctl`.
enum SemaphoreDecoder {
    static func decode(_ stop: SyscallStop, _ context: DecodeContext, timespecSize: Int = 16) -> Call {
        switch stop.syscall {
        case .semget:
            return .semget(key: stop.int32(0), nsems: stop.int32(1), flags: stop.int32(2))
        case .semop:
            return .semop(semid: stop.int32(0), sops: stop.arguments[1],
                          operations: operations(at: stop.arguments[1], count: stop.arguments[2], context),
                          nsops: stop.arguments[2])
        case .semtimedop:
            let timeout = stop.arguments[3]
            return .semtimedop(semid: stop.int32(0), sops: stop.arguments[1],
                               operations: operations(at: stop.arguments[1], count: stop.arguments[2], context),
                               nsops: stop.arguments[2], timeout: timeout,
                               timeoutValue: timespec(at: timeout, size: timespecSize, context))
        case .semctl:
            let command = stop.int32(2)
            return .semctl(semid: stop.int32(0), semnum: stop.int32(1), command: command, arg: stop.arguments[3],
                           argByReference: false,
                           contents: ControlDecoder.contents(.sem, command: command, at: stop.arguments[3],
                                                            succeeded: !stop.isError, context))
        default:
            preconditionFailure("not a semaphore call: \(stop.syscall)")
        }
    }

    /// `struct sembuf[count]`, at most the string limit of them (strace's array abbreviation), and only those
    /// that are readable (then `[…, ... /* 0xADDR */]`); nil when not even the first is.
    private static func operations(at address: TraceeAddress, count: UInt64, _ context: DecodeContext)
        -> ArrayEntries<SemaphoreOperation>? {
        context.entries(at: address, count: count, size: 6) { entry in
            let field = { (offset: Int) in entry[(entry.startIndex + offset)..<(entry.startIndex + offset + 2)] }
            return SemaphoreOperation(number: UInt16(truncatingIfNeeded: DecodeContext.littleEndian(field(0), signed: false)),
                                      operation: Int16(truncatingIfNeeded: DecodeContext.littleEndian(field(2), signed: true)),
                                      flags: Int16(truncatingIfNeeded: DecodeContext.littleEndian(field(4), signed: true)))
        }
    }

    /// A `struct timespec` of two `long`s (8 bytes on the old i386 ABI, 16 otherwise).
    static func timespec(at address: TraceeAddress, size: Int, _ context: DecodeContext) -> TimeSpec? {
        guard address != 0, let bytes = context.memory.read(address: address, count: size) else { return nil }
        let half = size / 2
        return TimeSpec(seconds: DecodeContext.littleEndian(bytes[0..<half], signed: true),
                        nanoseconds: DecodeContext.littleEndian(bytes[half..<size], signed: true))
    }
}
