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

    /// `struct msgbuf { long mtype; char mtext[msgsz]; }`, text cut at the string limit.
    static func message(at address: TraceeAddress, size: UInt64, _ context: DecodeContext) -> MessageBuffer? {
        // All the text shown, or the address, as strace (a count larger than the buffer is not read past it).
        let wanted = Int(min(size, UInt64(context.options.stringLimit)))
        guard let bytes = context.wholeBytes(at: address, count: context.longSize + wanted) else { return nil }
        let type = DecodeContext.littleEndian(bytes[0..<context.longSize], signed: true)
        return MessageBuffer(type: type, text: Array(bytes[context.longSize...]), truncated: size > UInt64(wanted))
    }
}
