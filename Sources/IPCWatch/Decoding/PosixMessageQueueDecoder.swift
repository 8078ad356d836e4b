/// `mq_open`, `mq_unlink`, `mq_timedsend`, `mq_timedreceive`, `mq_notify`, `mq_getsetattr`.
enum PosixMessageQueueDecoder {
    static func decode(_ stop: SyscallStop, _ context: DecodeContext) -> Call {
        let a = stop.arguments
        switch stop.syscall {
        case .mq_open:
            let flags = stop.int32(1)
            // mode and attr mean something only with O_CREAT, and strace shows them only then.
            let creating = flags & 0o100 != 0
            return .mqOpen(name: a[0], nameText: context.cString(at: a[0]), flags: flags,
                           mode: UInt32(truncatingIfNeeded: a[2]), attr: a[3],
                           attributes: creating ? attributes(at: a[3], context) : nil)
        case .mq_unlink:
            return .mqUnlink(name: a[0], nameText: context.cString(at: a[0]))
        case .mq_timedsend:
            return .mqTimedsend(mqdes: stop.int32(0), message: a[1], text: text(at: a[1], count: a[2], context),
                                length: a[2], priority: UInt32(truncatingIfNeeded: a[3]), timeout: a[4],
                                timeoutValue: context.timespec(at: a[4], time64: stop.time64))
        case .mq_timedreceive:
            // What the buffer and the priority hold is the kernel's answer: only after success.
            let received = stop.isError ? nil : text(at: a[1], count: UInt64(stop.returnValue), context)
            let priority = stop.isError ? nil : context.readValue(CallStructs.unsignedInt, at: a[3]).map { UInt32(truncatingIfNeeded: $0) }
            return .mqTimedreceive(mqdes: stop.int32(0), message: a[1], text: received, length: a[2], priority: a[3],
                                   priorityValue: priority, timeout: a[4],
                                   timeoutValue: context.timespec(at: a[4], time64: stop.time64))
        case .mq_notify:
            return .mqNotify(mqdes: stop.int32(0), sevp: a[1], event: signalEvent(at: a[1], context))
        case .mq_getsetattr:
            return .mqGetsetattr(mqdes: stop.int32(0), newattr: a[1], newValue: attributes(at: a[1], context), oldattr: a[2],
                                 oldValue: stop.isError ? nil : attributes(at: a[2], context))
        default:
            preconditionFailure("not a POSIX message queue call: \(stop.syscall)")
        }
    }

    /// `count` bytes at `address`, at most the string limit of them.
    static func text(at address: TraceeAddress, count: UInt64, _ context: DecodeContext) -> TraceeText? {
        let wanted = Int(min(count, UInt64(context.options.stringLimit)))
        return context.wholeBytes(at: address, count: wanted).map { TraceeText(bytes: $0, truncated: count > UInt64(wanted)) }
    }

    static func attributes(at address: TraceeAddress, _ context: DecodeContext) -> MessageQueueAttributes? {
        context.read(CallStructs.messageQueueAttributes, at: address).map {
            MessageQueueAttributes(flags: $0["mq_flags"]!, maxMessages: $0["mq_maxmsg"]!, messageSize: $0["mq_msgsize"]!,
                                   currentMessages: $0["mq_curmsgs"]!)
        }
    }

    private static func signalEvent(at address: TraceeAddress, _ context: DecodeContext) -> SignalEvent? {
        context.read(CallStructs.signalEvent, at: address).map {
            SignalEvent(value: UInt64(bitPattern: $0["sigev_value"]!), signal: Int32(truncatingIfNeeded: $0["sigev_signo"]!),
                        notify: Int32(truncatingIfNeeded: $0["sigev_notify"]!),
                        function: UInt64(bitPattern: $0["sigev_notify_function"]!),
                        attributes: UInt64(bitPattern: $0["sigev_notify_attributes"]!))
        }
    }
}
