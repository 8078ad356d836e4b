/// Our `decoded` key for the POSIX message queue, splice and futex calls: flags by name, and what the
/// tracer read behind pointers (names, message texts, `mq_attr`, `sigevent`, iovecs, offsets, timeouts)
/// with the addresses Tracee's `string` and `float64` arguments do not keep.
extension TraceeDecoded {
    static func writeChannel<Output: JSONOutput>(_ call: Call, to json: inout Output) {
        switch call {
        case .splice(_, _, let offIn, _, _, let offOut, _, let flags):
            if let offIn { json.field("off_in", offIn) }
            if let offOut { json.field("off_out", offOut) }
            json.field("flags", SpliceFlags.names.renderOrZero(UInt64(flags)))
        case .tee(_, _, _, let flags):
            json.field("flags", SpliceFlags.names.renderOrZero(UInt64(flags)))
        case .vmsplice(_, _, let vectors, _, let flags):
            if let vectors {
                json.key("iov")
                json.beginArray()
                for vector in vectors.entries {
                    json.beginObject()
                    json.field("iov_base", vector.base)
                    json.field("iov_len", vector.length)
                    if let data = vector.data { json.field("data", StringQuoting.escape(data)) }
                    json.endObject()
                }
                json.endArray()
                if let unreadable = vectors.unreadable { json.field("iov_unreadable", unreadable) }
            }
            json.field("flags", SpliceFlags.names.renderOrZero(UInt64(flags)))
        case .mqOpen(let name, let nameText, let flags, let mode, _, let attributes):
            text("name", name, nameText.map { TraceeText(bytes: $0, truncated: false) }, &json)
            json.field("oflag", OpenModes.render(UInt32(bitPattern: flags)))
            json.field("mode", Call.mode(mode))
            self.attributes("attr", attributes, &json)
        case .mqUnlink(let name, let nameText):
            text("name", name, nameText.map { TraceeText(bytes: $0, truncated: false) }, &json)
        case .mqTimedsend(_, let message, let value, _, _, let timeout, let timeoutValue):
            text("msg_ptr", message, value, &json)
            time("abs_timeout", timeout, timeoutValue, &json)
        case .mqTimedreceive(_, let message, let value, _, _, let priority, let timeout, let timeoutValue):
            text("msg_ptr", message, value, &json)
            if let priority { json.field("msg_prio", priority) }
            time("abs_timeout", timeout, timeoutValue, &json)
        case .mqNotify(_, _, let event):
            if let event {
                json.key("sevp")
                json.beginObject()
                json.field("sigev_value", event.value)
                json.field("sigev_signo", event.signal)
                json.field("sigev_notify", event.notify)
                json.field("sigev_notify_function", event.function)
                json.field("sigev_notify_attributes", event.attributes)
                json.endObject()
            }
        case .mqGetsetattr(_, _, let newValue, _, let oldValue):
            attributes("newattr", newValue, &json)
            attributes("oldattr", oldValue, &json)
        case .futex(_, let operation, _, let timeout, let timeoutValue, _, _):
            json.field("futex_op", FutexOperations.names.name(UInt64(UInt32(bitPattern: operation)))
                       ?? Call.hex(UInt64(UInt32(bitPattern: operation))))
            time("timeout", timeout, timeoutValue, &json)
        case .setRobustList:
            break
        case .getRobustList(_, _, let head, _, let length):
            if let head { json.field("head_ptr", head) }
            if let length { json.field("len_ptr", length) }
        default:
            preconditionFailure("not a channel call: \(call.syscall)")
        }
    }

    private static func text<Output: JSONOutput>(_ name: StaticString, _ address: TraceeAddress, _ text: TraceeText?,
                                 _ json: inout Output) {
        json.key(name)
        json.beginObject()
        json.field("address", address)
        if let text {
            json.field("text", StringQuoting.escape(text.bytes))
            json.field("truncated", text.truncated)
        }
        json.endObject()
    }

    /// A `struct timespec` argument: its address and, when it was read, its fields.
    static func time<Output: JSONOutput>(_ name: StaticString, _ address: UInt64, _ value: TimeSpec?,
                                 _ json: inout Output) {
        json.key(name)
        json.beginObject()
        json.field("address", address)
        if let value {
            json.field("tv_sec", value.seconds)
            json.field("tv_nsec", value.nanoseconds)
        }
        json.endObject()
    }

    private static func attributes<Output: JSONOutput>(_ name: StaticString, _ value: MessageQueueAttributes?,
                                                       _ json: inout Output) {
        guard let value else { return }
        json.key(name)
        json.beginObject()
        json.field("mq_flags", value.flags)
        json.field("mq_maxmsg", value.maxMessages)
        json.field("mq_msgsize", value.messageSize)
        json.field("mq_curmsgs", value.currentMessages)
        json.endObject()
    }

    // MARK: reading back

    static func restoreChannel(_ decoded: JSONValue, into call: Call) -> Call {
        switch call {
        case .splice(let fdIn, let offIn, _, let fdOut, let offOut, _, let length, let flags):
            return .splice(fdIn: fdIn, offIn: offIn, offInValue: decoded["off_in"]?.int64, fdOut: fdOut, offOut: offOut,
                           offOutValue: decoded["off_out"]?.int64, length: length, flags: flags)
        case .vmsplice(let fd, let iov, _, let count, let flags):
            let vectors = decoded["iov"]?.array?.map { item in
                IOVector(base: item["iov_base"]?.uint64 ?? 0, length: item["iov_len"]?.uint64 ?? 0,
                         data: item["data"]?.string.map(StringQuoting.unescape))
            }
            return .vmsplice(fd: fd, iov: iov, vectors: vectors.map { ArrayEntries($0, unreadable: decoded["iov_unreadable"]?.uint64) },
                             count: count, flags: flags)
        case .mqOpen(_, _, let flags, let mode, let attr, _):
            let (address, name) = text(decoded["name"])
            return .mqOpen(name: address, nameText: name?.bytes, flags: flags, mode: mode, attr: attr,
                           attributes: attributes(decoded["attr"]))
        case .mqUnlink:
            let (address, name) = text(decoded["name"])
            return .mqUnlink(name: address, nameText: name?.bytes)
        case .mqTimedsend(let mqdes, _, _, let length, let priority, _, let timeoutValue):
            let (address, message) = text(decoded["msg_ptr"])
            return .mqTimedsend(mqdes: mqdes, message: address, text: message, length: length, priority: priority,
                                timeout: decoded["abs_timeout"]?["address"]?.uint64 ?? 0,
                                timeoutValue: time(decoded["abs_timeout"]) ?? timeoutValue)
        case .mqTimedreceive(let mqdes, _, _, let length, let priority, _, _, let timeoutValue):
            let (address, message) = text(decoded["msg_ptr"])
            return .mqTimedreceive(mqdes: mqdes, message: address, text: message, length: length, priority: priority,
                                   priorityValue: decoded["msg_prio"]?.uint64.flatMap(UInt32.init(exactly:)),
                                   timeout: decoded["abs_timeout"]?["address"]?.uint64 ?? 0,
                                   timeoutValue: time(decoded["abs_timeout"]) ?? timeoutValue)
        case .mqNotify(let mqdes, let sevp, _):
            let event = decoded["sevp"].map { e in
                SignalEvent(value: e["sigev_value"]?.uint64 ?? 0,
                            signal: Int32(truncatingIfNeeded: e["sigev_signo"]?.int64 ?? 0),
                            notify: Int32(truncatingIfNeeded: e["sigev_notify"]?.int64 ?? 0),
                            function: e["sigev_notify_function"]?.uint64 ?? 0,
                            attributes: e["sigev_notify_attributes"]?.uint64 ?? 0)
            }
            return .mqNotify(mqdes: mqdes, sevp: sevp, event: event)
        case .mqGetsetattr(let mqdes, let newattr, _, let oldattr, _):
            return .mqGetsetattr(mqdes: mqdes, newattr: newattr, newValue: attributes(decoded["newattr"]), oldattr: oldattr,
                                 oldValue: attributes(decoded["oldattr"]))
        case .futex(let uaddr, let operation, let value, _, let timeoutValue, let uaddr2, let value3):
            return .futex(uaddr: uaddr, operation: operation, value: value,
                          timeout: decoded["timeout"]?["address"]?.uint64 ?? 0,
                          timeoutValue: decoded["timeout"].map(time) ?? timeoutValue, uaddr2: uaddr2, value3: value3)
        case .getRobustList(let pid, let headPointer, _, let lengthPointer, _):
            return .getRobustList(pid: pid, headPointer: headPointer, head: decoded["head_ptr"]?.uint64,
                                  lengthPointer: lengthPointer, length: decoded["len_ptr"]?.uint64)
        default:
            return call
        }
    }

    private static func text(_ json: JSONValue?) -> (TraceeAddress, TraceeText?) {
        let text = json?["text"]?.string.map {
            TraceeText(bytes: StringQuoting.unescape($0), truncated: json?["truncated"]?.bool ?? false)
        }
        return (json?["address"]?.uint64 ?? 0, text)
    }

    private static func time(_ json: JSONValue?) -> TimeSpec? {
        guard let seconds = json?["tv_sec"]?.int64, let nanoseconds = json?["tv_nsec"]?.int64 else { return nil }
        return TimeSpec(seconds: seconds, nanoseconds: nanoseconds)
    }

    private static func attributes(_ json: JSONValue?) -> MessageQueueAttributes? {
        guard let json, let flags = json["mq_flags"]?.int64 else { return nil }
        return MessageQueueAttributes(flags: flags, maxMessages: json["mq_maxmsg"]?.int64 ?? 0,
                                      messageSize: json["mq_msgsize"]?.int64 ?? 0, currentMessages: json["mq_curmsgs"]?.int64 ?? 0)
    }
}
