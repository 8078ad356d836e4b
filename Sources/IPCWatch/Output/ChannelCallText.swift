/// strace's rendering of the POSIX message queue, splice and futex calls (strace 6: src/mq.c, io.c,
/// futex.c, print_sigevent.c, print_mq_attr.c).
extension Call {
    /// `targets`: what `-y` shows after each descriptor (`3<pipe:[123]>`, `9</queue>`).
    func channelArguments(_ style: TextStyle, targets: DescriptorTargets?) -> [String] {
        let fd = { (fd: Int32) -> String in StringQuoting.descriptor(fd, targets) }
        switch self {
        case .splice(let fdIn, let offIn, let offInValue, let fdOut, let offOut, let offOutValue, let length, let flags):
            return [fd(fdIn), Self.number(offInValue, offIn), fd(fdOut), Self.number(offOutValue, offOut),
                    String(length), style.flags(UInt64(flags), SpliceFlags.names)]
        case .tee(let fdIn, let fdOut, let length, let flags):
            return [fd(fdIn), fd(fdOut), String(length), style.flags(UInt64(flags), SpliceFlags.names)]
        case .vmsplice(let vmFD, let iov, let vectors, let count, let flags):
            return [fd(vmFD), Self.render(vectors, iov, count, style), String(count), style.flags(UInt64(flags), SpliceFlags.names)]
        case .mqOpen(let name, let nameText, let flags, let mode, _, let attributes):
            var arguments = [Self.path(nameText, name, style), OpenModes.render(UInt32(bitPattern: flags), style)]
            if flags & 0o100 != 0 {
                guard case .mqOpen(_, _, _, _, let attr, _) = self else { return arguments }
                arguments += [Self.mode(mode), attributes.map { Self.render($0, namedFlags: false, style) } ?? Self.pointer(attr)]
            }
            return arguments
        case .mqUnlink(let name, let nameText):
            return [Self.path(nameText, name, style)]
        case .mqTimedsend(let mqdes, let message, let text, let length, let priority, let timeout, let timeoutValue):
            return [fd(mqdes), Self.render(text, message, style), String(length), String(priority),
                    Self.render(timeoutValue, timeout)]
        case .mqTimedreceive(let mqdes, let message, let text, let length, let priority, let priorityValue, let timeout,
                             let timeoutValue):
            return [fd(mqdes), Self.render(text, message, style), String(length),
                    priorityValue.map { "[\($0)]" } ?? Self.pointer(priority), Self.render(timeoutValue, timeout)]
        case .mqNotify(let mqdes, let sevp, let event):
            return [fd(mqdes), event.map { Self.render($0, style) } ?? Self.pointer(sevp)]
        case .mqGetsetattr(let mqdes, let newattr, let newValue, let oldattr, let oldValue):
            return [fd(mqdes), newValue.map { Self.render($0, namedFlags: true, style) } ?? Self.pointer(newattr),
                    oldValue.map { Self.render($0, namedFlags: true, style) } ?? Self.pointer(oldattr)]
        case .futex(let uaddr, let operation, let value, let timeout, let timeoutValue, let uaddr2, let value3):
            return [Self.pointer(uaddr)] + Self.futexArguments(operation, value, timeout, timeoutValue, uaddr2, value3, style)
        case .setRobustList(let head, let length):
            return [Self.pointer(head), String(length)]
        case .getRobustList(let pid, let headPointer, let head, let lengthPointer, let length):
            return [String(pid), head.map { "[\(Self.pointer($0))]" } ?? Self.pointer(headPointer),
                    length.map { "[\($0)]" } ?? Self.pointer(lengthPointer)]
        default:
            preconditionFailure("not a channel call: \(syscall)")
        }
    }

    /// A number behind a pointer: `[4]`, or the pointer (NULL) when there is none to show.
    private static func number(_ value: Int64?, _ address: TraceeAddress) -> String {
        value.map { "[\($0)]" } ?? pointer(address)
    }

    /// strace's printpath: a name read up to PATH_MAX bytes; one with no NUL in them is shown to
    /// PATH_MAX - 1 bytes, then `...`.
    private static func path(_ text: [UInt8]?, _ address: TraceeAddress, _ style: TextStyle) -> String {
        guard let text else { return pointer(address) }
        let pathMax = 4096
        return text.count >= pathMax ? style.quote(Array(text.prefix(pathMax - 1)), truncated: true) : style.quote(text, truncated: false)
    }

    private static func render(_ text: TraceeText?, _ address: TraceeAddress, _ style: TextStyle) -> String {
        text.map { style.quote($0.bytes, truncated: $0.truncated) } ?? pointer(address)
    }

    static func render(_ time: TimeSpec?, _ address: TraceeAddress) -> String {
        time.map { "{tv_sec=\($0.seconds), tv_nsec=\($0.nanoseconds)}" } ?? pointer(address)
    }

    /// `%#03o`, as strace's `print_numeric_umode_t`.
    static func mode(_ mode: UInt32) -> String {
        mode == 0 ? "000" : "0" + String(repeating: "0", count: max(0, 2 - String(mode, radix: 8).count)) + String(mode, radix: 8)
    }

    /// `mq_open` prints `mq_flags` in hex, `mq_getsetattr` by name.
    private static func render(_ attributes: MessageQueueAttributes, namedFlags: Bool, _ style: TextStyle) -> String {
        let flags = namedFlags ? style.flags(UInt64(bitPattern: attributes.flags), MessageQueueFlags.names) : hex(UInt64(bitPattern: attributes.flags))
        return "{mq_flags=\(flags), mq_maxmsg=\(attributes.maxMessages), mq_msgsize=\(attributes.messageSize), "
            + "mq_curmsgs=\(attributes.currentMessages)}"
    }

    private static func render(_ event: SignalEvent, _ style: TextStyle) -> String {
        var fields: [String] = []
        if event.value != 0 {
            fields.append("sigev_value={sival_int=\(Int32(truncatingIfNeeded: event.value)), sival_ptr=\(hex(event.value))}")
        }
        let signalled = [0, 2, 4].contains(event.notify)
        let number = String(UInt32(bitPattern: event.signal))
        fields.append("sigev_signo=" + (signalled && event.signal != 0 ? style.signal(number, SignalNames.name(event.signal)) : number))
        fields.append("sigev_notify=" + style.value(UInt64(UInt32(bitPattern: event.notify)), SignalEventNotify.names))
        if event.notify == 4 { fields.append("sigev_notify_thread_id=\(Int32(truncatingIfNeeded: event.function))") }
        if event.notify == 2 {
            fields.append("sigev_notify_function=\(pointer(event.function))")
            fields.append("sigev_notify_attributes=\(pointer(event.attributes))")
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    private static func render(_ vectors: ArrayEntries<IOVector>?, _ address: TraceeAddress, _ count: UInt64,
                               _ style: TextStyle) -> String {
        guard let vectors else { return pointer(address) }
        let items = vectors.entries.map { vector in
            let base = vector.data.map { style.quote($0, truncated: UInt64($0.count) < vector.length) } ?? pointer(vector.base)
            return "{iov_base=\(base), iov_len=\(vector.length)}"
        }
        return Self.array(items, count: count, unreadable: vectors.unreadable)
    }

    /// `PRINT_VAL_X`: 0, or hex with `0x`.
    static func hex(_ value: UInt64) -> String { value == 0 ? "0" : "0x" + String(value, radix: 16) }

    /// The arguments after `uaddr`, as many as strace prints for the operation.
    private static func futexArguments(_ operation: Int32, _ value: UInt32, _ timeout: UInt64, _ timeoutValue: TimeSpec?,
                                       _ uaddr2: TraceeAddress, _ value3: UInt32, _ style: TextStyle) -> [String] {
        let name = style.value(UInt64(UInt32(bitPattern: operation)), FutexOperations.names)
        let val = String(value), val2 = String(UInt32(truncatingIfNeeded: timeout)), time = render(timeoutValue, timeout)
        let bitset = value3 == FutexOperations.bitsetMatchAny
            ? style.constant(UInt64(value3), "FUTEX_BITSET_MATCH_ANY", named: true) : hex(UInt64(value3))
        switch FutexOperations.Command(rawValue: operation & 127) {
        case .wait: return [name, val, time]
        case .lockPI, .lockPI2: return [name, time]
        case .waitBitset: return [name, val, time, bitset]
        case .wakeBitset: return [name, val, bitset]
        case .requeue: return [name, val, val2, pointer(uaddr2)]
        case .cmpRequeue, .cmpRequeuePI: return [name, val, val2, pointer(uaddr2), String(value3)]
        case .wakeOp: return [name, val, val2, pointer(uaddr2), wakeOperation(value3, style)]
        case .waitRequeuePI: return [name, val, time, pointer(uaddr2)]
        case .fd, .wake: return [name, val]
        case .unlockPI, .trylockPI: return [name]
        case nil: return [name, val, pointer(timeout), pointer(uaddr2), hex(UInt64(value3))]
        }
    }

    /// `FUTEX_OP_ADD<<28|0x2<<12|FUTEX_OP_CMP_GT<<24|0`, in strace's order of parts.
    private static func wakeOperation(_ word: UInt32, _ style: TextStyle) -> String {
        var parts: [String] = []
        if (word >> 28) & 8 != 0 { parts.append(style.constant(8, "FUTEX_OP_OPARG_SHIFT", named: true) + "<<28") }
        // strace's raw form keeps the `???` comment of an unnamed part on the operator and comparison.
        func part(_ value: Int, _ names: [String], _ shift: Int, _ unknown: String) -> String {
            value < names.count && style.constants != .raw
                ? style.constant(UInt64(value), names[value], named: true) + "<<\(shift)"
                : hex(UInt64(value)) + "<<\(shift) /* \(unknown) */"
        }
        parts.append(part(Int((word >> 28) & 7), FutexOperations.wakeOps, 28, "FUTEX_OP_???"))
        parts.append(hex(UInt64((word >> 12) & 0xfff)) + "<<12")
        parts.append(part(Int((word >> 24) & 0xf), FutexOperations.wakeComparisons, 24, "FUTEX_OP_CMP_???"))
        parts.append(hex(UInt64(word & 0xfff)))
        return parts.joined(separator: "|")
    }
}
