/// Tracee's names for the ways an event is reached (``CallVariant``): i386's older `mq_timedsend` (279),
/// `mq_timedreceive` (280) and `futex` (240) are its `*_time32` events (`pkg/events/core.go` v0.24.1: ids
/// 530, 531, 533, sets `syscalls` and `32bit_unique`), with arguments of their own: the timeout as its
/// address, the lengths and values as the 32-bit C types. Every `ipc(2)` call is the `ipc` event.
extension TraceeSchema {
    /// The definition of the event `variant` is written as.
    package static func definition(_ variant: CallVariant) -> Definition {
        switch variant.kind {
        case .direct, .time64: definition(variant.syscall)
        case .multiplexed: definition(.ipc)
        case .time32: time32Definition(variant.syscall)
        }
    }

    private static let time32Sets = ["syscalls", "32bit_unique"]

    private static func time32Definition(_ syscall: Syscall) -> Definition {
        switch syscall {
        case .mq_timedsend:
            Definition(name: "mq_timedsend_time32", id: 530,
                       arguments: [("mqdes", .int32), ("u_msg_ptr", .string), ("msg_len", .uint32), ("msg_prio", .uint32),
                                   ("u_abs_timeout", .pointer)], sets: time32Sets)
        case .mq_timedreceive:
            Definition(name: "mq_timedreceive_time32", id: 531,
                       arguments: [("mqdes", .int32), ("u_msg_ptr", .string), ("msg_len", .uint32), ("u_msg_prio", .pointer),
                                   ("u_abs_timeout", .pointer)], sets: time32Sets)
        case .futex:
            Definition(name: "futex_time32", id: 533,
                       arguments: [("uaddr", .pointer), ("op", .int32), ("val", .uint32), ("utime", .pointer),
                                   ("uaddr2", .pointer), ("val3", .uint32)], sets: time32Sets)
        default: preconditionFailure("\(syscall) has no _time32 event")
        }
    }

    /// The variant a written event name and architecture stand for (`mq_timedsend` on i386 is the
    /// `_time64` entry); nil for a name that is none of ours.
    package static func variant(named name: String, architecture: Architecture, multiplexed: Bool) -> CallVariant? {
        if let syscall = Syscall(rawValue: name) {
            if multiplexed || syscall == .ipc { return nil }  // the subcall comes from `ipcCall`
            let time64 = architecture == .i386 && CallVariant.time64.contains(syscall)
            return CallVariant(syscall, time64 ? .time64 : .direct)
        }
        guard name.hasSuffix("_time32"), let syscall = Syscall(rawValue: String(name.dropLast(7))),
              CallVariant.time32.contains(syscall) else { return nil }
        return CallVariant(syscall, .time32)
    }

    /// The values of `event`'s `args` in its definition's order. An i386 call's `long` (`int64`) arguments
    /// are its 32-bit registers zero-extended, as Tracee reads them (`msgtyp` -5 is 4294967291).
    package static func values(of event: Event) -> [Value] {
        let variant = event.variant
        var values: [Value] = switch variant.kind {
        case .multiplexed: event.multiplexed.map(values(of:)) ?? values(of: event.call)
        case .time32: time32Values(of: event.call)
        case .direct, .time64: values(of: event.call)
        }
        if event.architecture == .i386 {
            for (index, argument) in definition(variant).arguments.enumerated() where argument.type == .int64 {
                if case .signed(let value) = values[index] { values[index] = .signed(Int64(UInt32(truncatingIfNeeded: value))) }
            }
        }
        return values
    }

    private static func time32Values(of call: Call) -> [Value] {
        let text = { (bytes: [UInt8]?) in Value.text(String(decoding: bytes ?? [], as: UTF8.self)) }
        switch call {
        case .mqTimedsend(let mqdes, _, let message, let length, let priority, let timeout, _):
            return [.signed(Int64(mqdes)), text(message?.bytes), .unsigned(UInt64(UInt32(truncatingIfNeeded: length))),
                    .unsigned(UInt64(priority)), .unsigned(timeout)]
        case .mqTimedreceive(let mqdes, _, let message, let length, let priority, _, let timeout, _):
            return [.signed(Int64(mqdes)), text(message?.bytes), .unsigned(UInt64(UInt32(truncatingIfNeeded: length))),
                    .unsigned(priority), .unsigned(timeout)]
        case .futex(let uaddr, let operation, let value, let timeout, _, let uaddr2, let value3):
            return [.unsigned(uaddr), .signed(Int64(operation)), .unsigned(UInt64(value)), .unsigned(timeout), .unsigned(uaddr2),
                    .unsigned(UInt64(value3))]
        default: preconditionFailure("\(call.syscall) has no _time32 event")
        }
    }

    /// The call a `_time32` event's `args` describe; what they do not carry (texts, the timeout's value)
    /// comes back from our `decoded` key.
    package static func time32Call(_ syscall: Syscall, from v: Arguments) -> Call {
        switch syscall {
        case .mq_timedsend:
            .mqTimedsend(mqdes: v.int32(0), message: 0, text: nil, length: v.uint64(2), priority: UInt32(v.uint64(3)),
                         timeout: v.uint64(4), timeoutValue: nil)
        case .mq_timedreceive:
            .mqTimedreceive(mqdes: v.int32(0), message: 0, text: nil, length: v.uint64(2), priority: v.uint64(3),
                            priorityValue: nil, timeout: v.uint64(4), timeoutValue: nil)
        case .futex:
            .futex(uaddr: v.uint64(0), operation: v.int32(1), value: UInt32(v.uint64(2)), timeout: v.uint64(3),
                   timeoutValue: nil, uaddr2: v.uint64(4), value3: UInt32(v.uint64(5)))
        default: preconditionFailure("\(syscall) has no _time32 event")
        }
    }
}
