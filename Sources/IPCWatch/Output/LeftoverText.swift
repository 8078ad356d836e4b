/// The objects a trace left behind (``Leftovers``), as the trace output's last lines, as a section of the
/// `-c` summary, and as its JSON line.
extension Leftovers.Object {
    /// `msg queue 32769, key 0x162e`, `semaphores 5, IPC_PRIVATE`, `mq "name"` (the kernel's name, as strace prints it).
    package var description: String {
        let key = key.map { $0 == 0 ? "IPC_PRIVATE" : "key 0x" + String(UInt32(bitPattern: $0), radix: 16) }
        return switch kind {
        case .msg: "msg queue \(id), \(key ?? "key ?")"
        case .sem: "semaphores \(id), \(key ?? "key ?")"
        case .shm: "shared memory \(id), \(key ?? "key ?")"
        case .mq: "mq " + StringQuoting.quote(Array(name.utf8), truncated: false)
        }
    }
}

extension TextFormat {
    /// `CREATOR +++ left behind: msg queue 32769, key 0x162e, created by 4242 (prog), last used by 4243 (prog) +++`,
    /// after the exit lines, in their style (pid, then `-t`'s time when the trace ended).
    package func leftoverLine(_ object: Leftovers.Object, timestamp: UInt64 = 0, relativeTime: String = "") -> String {
        prefix(processID: object.creator, threadID: object.creator, at: timestamp, relativeTime)
            + "+++ left behind: \(object.description), created by \(object.creator) (\(object.creatorName))"
            + ", last used by \(object.lastUser) (\(object.lastUserName)) +++"
    }
}

/// `-c`'s section and JSON line.
package enum LeftoverSummary {
    /// A table under the calls' one; nil when nothing was left behind.
    package static func text(_ objects: [Leftovers.Object]) -> String? {
        guard !objects.isEmpty else { return nil }
        func row(_ kind: String, _ id: String, _ key: String, _ creator: String, _ lastUser: String) -> String {
            [kind.padding(4), id.rightAligned(10), key.padding(13), creator.padding(25), lastUser].joined(separator: " ")
        }
        var lines = ["left behind (created by the trace, still there at its end):", row("kind", "id", "key/name", "creator", "last user")]
        for object in objects {
            let key = object.key.map { $0 == 0 ? "IPC_PRIVATE" : "0x" + String(UInt32(bitPattern: $0), radix: 16) } ?? object.name
            lines.append(row(object.kind.rawValue, object.kind == .mq ? "-" : String(object.id), key,
                             "\(object.creator) \(object.creatorName)", "\(object.lastUser) \(object.lastUserName)"))
        }
        return lines.joined(separator: "\n")
    }

    /// `{"leftover":[{"kind","id","name","key","creator":{"pid","comm"},"lastUser":{"pid","comm"}}]}`; nil when
    /// nothing was left behind.
    package static func jsonLine(_ objects: [Leftovers.Object]) -> String? {
        guard !objects.isEmpty else { return nil }
        var json = JSONWriter()
        json.beginObject()
        json.key("leftover")
        json.beginArray()
        for object in objects {
            json.beginObject()
            json.field("kind", object.kind.rawValue)
            if object.kind == .mq {
                json.field("name", object.name)
            } else {
                json.field("id", object.id)
                json.key("key")
                if let key = object.key { json.integer(key) } else { json.null() }
            }
            for (name, pid, comm) in [("creator", object.creator, object.creatorName), ("lastUser", object.lastUser, object.lastUserName)] {
                json.key(name)
                json.beginObject()
                json.field("pid", pid)
                json.field("comm", comm)
                json.endObject()
            }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.output
    }
}

private extension String {
    /// Left-aligned in `width` columns.
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
    /// Right-aligned in `width` columns.
    func rightAligned(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
