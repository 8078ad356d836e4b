/// `msgget`, `msgsnd`, `msgrcv`, `msgctl`.
enum MessageQueueDecoder {
    static func decode(_ stop: SyscallStop, _ context: DecodeContext) -> Call {
        switch stop.syscall {
        case .msgget:
            return .msgget(key: stop.int32(0), flags: stop.int32(1))
        case .msgsnd:
            let size = stop.arguments[2]
            return .msgsnd(msqid: stop.int32(0), msgp: stop.arguments[1],
                           message: message(at: stop.arguments[1], size: size, context),
                           msgsz: size, flags: stop.int32(3))
        case .msgrcv:
            let size = stop.arguments[2]
            // The buffer holds a message only once the call succeeded.
            let message = stop.isError ? nil : message(at: stop.arguments[1], size: size, context)
            return .msgrcv(msqid: stop.int32(0), msgp: stop.arguments[1], message: message, msgsz: size,
                           msgtyp: stop.long(3), flags: stop.int32(4))
        case .msgctl:
            let command = stop.int32(1)
            return .msgctl(msqid: stop.int32(0), command: command, buf: stop.arguments[2],
                           contents: ControlDecoder.contents(.msg, command: command, at: stop.arguments[2],
                                                            succeeded: !stop.isError, context))
        default:
            preconditionFailure("not a message queue call: \(stop.syscall)")
        }
    }

    /// `struct msgbuf { long mtype; char mtext[msgsz]; }`, text cut at the string limit, read as strace reads
    /// it: the structure as C declares it (`mtype` and a one-byte `mtext`, padded: two longs), else nil (the
    /// address is shown); then the text, all of what is shown or none (its address: `{mtype=1, mtext=0x…}`).
    static func message(at address: TraceeAddress, size: UInt64, _ context: DecodeContext) -> MessageBuffer? {
        let long = context.longSize
        let wanted = Int(min(size, UInt64(context.options.stringLimit)))
        let textAddress = address &+ TraceeAddress(long)
        // One read for both when the memory is all there (every call but a faulting one).
        if let bytes = context.wholeBytes(at: address, count: max(2 * long, long + wanted)) {
            return MessageBuffer(type: DecodeContext.littleEndian(bytes[0..<long], signed: true), textAddress: textAddress,
                                 text: Array(bytes[long..<(long + wanted)]), truncated: size > UInt64(wanted))
        }
        guard let header = context.wholeBytes(at: address, count: 2 * long) else { return nil }
        // The header is there, so what could not be read is in the text: shown as its address.
        return MessageBuffer(type: DecodeContext.littleEndian(header[0..<long], signed: true), textAddress: textAddress,
                             text: nil, truncated: size > UInt64(wanted))
    }
}
