extension Topology {
    /// `{"dataFlow":…, "processes":[…], "pipes":[…], "closedPipes":[…], "sysv":[…], "channels":[…]}`: see
    /// docs/usage.md (Who talks to whom) for the keys.
    public var json: String {
        var json = JSONWriter()
        json.beginObject()
        json.key("dataFlow")
        json.bool(dataFlow)
        json.key("processes")
        json.beginArray()
        for process in processes.values.sorted(by: { $0.pid < $1.pid }) {
            json.beginObject()
            json.field("pid", process.pid)
            json.field("ppid", process.ppid)
            json.field("comm", process.comm)
            json.field("argv0", process.argv0)
            json.key("exitCode")
            if case .exited(let code)? = process.termination { json.integer(code) } else { json.null() }
            if case .signaled(let signal, _)? = process.termination { json.field("signal", SignalNames.name(signal)) }
            json.endObject()
        }
        json.endArray()
        json.key("pipes")
        json.beginArray()
        for pipe in pipes {
            json.beginObject()
            json.field("inode", pipe.inode)
            json.key("createdBy")
            if let creator = pipe.createdBy { json.integer(creator) } else { json.null() }
            if let call = pipe.createdWith { json.field("createdWith", call.rawValue) }
            json.key("ends")
            json.beginArray()
            for end in ends(of: pipe) {
                json.beginObject()
                json.field("pid", end.pid)
                json.field("end", end.end.rawValue)
                Self.writeUse(fds: end.fds, used: end.used, bytes: end.bytes, calls: end.calls, &json)
                json.endObject()
            }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        // Pipes made and closed by one process, never passed on, forgotten once closed (bounded memory).
        json.key("closedPipes")
        json.beginArray()
        for orphans in closedOrphans {
            json.beginObject()
            json.field("createdBy", orphans.createdBy)
            json.field("createdWith", orphans.createdWith.rawValue)
            json.field("count", orphans.count)
            json.endObject()
        }
        json.endArray()
        json.key("sysv")
        json.beginArray()
        for object in sysv {
            json.beginObject()
            json.field("kind", object.kind.rawValue)
            json.field("id", object.id)
            json.key("key")
            if let key = object.key { json.integer(key) } else { json.null() }
            json.key("leftover")
            if let leftover = object.leftover { json.bool(leftover) } else { json.null() }
            json.key("users")
            json.beginArray()
            for (pid, calls) in object.users.sorted(by: { $0.key < $1.key }) {
                json.beginObject()
                json.field("pid", pid)
                json.field("ops", calls.values.reduce(0, +))
                json.key("calls")
                json.beginObject()
                for (call, count) in calls.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    json.key(call.rawValue)
                    json.integer(count)
                }
                json.endObject()
                json.endObject()
            }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        writeChannels(&json)
        json.endObject()
        return json.output + "\n"
    }

    /// `"channels":[{"kind":"unix","inode":[a,b],"path":…,"ends":[{"pid","socket","end","fds","used","bytes","calls"}]}]`.
    /// The fields every end of a pipe or channel has: its fds, and whether, how much and how often it was used
    /// (`null`: not traced).
    private static func writeUse(fds: [Int32], used: Bool?, bytes: UInt64?, calls: UInt64?, _ json: inout JSONWriter) {
        json.key("fds")
        json.beginArray()
        fds.forEach { json.integer($0) }
        json.endArray()
        json.key("used")
        if let used { json.bool(used) } else { json.null() }
        json.key("bytes")
        if let bytes { json.integer(bytes) } else { json.null() }
        json.key("calls")
        if let calls { json.integer(calls) } else { json.null() }
    }

    private func writeChannels(_ json: inout JSONWriter) {
        json.key("channels")
        json.beginArray()
        for channel in channels {
            json.beginObject()
            json.field("kind", channel.kind.rawValue)
            switch channel.kind {
            case .fifo:
                json.field("inode", channel.inodes[0])
                json.key("path")
                if let path = channel.path { json.string(path) } else { json.null() }
            case .unix:
                json.key("inode")
                json.beginArray()
                channel.inodes.forEach { json.integer($0) }
                json.endArray()
                json.key("path")
                if let path = channel.path { json.string(path) } else { json.null() }
            case .mq:
                json.field("name", channel.name ?? "")
                json.key("unlinkedBy")
                json.beginArray()
                channel.unlinkedBy.forEach { json.integer($0) }
                json.endArray()
                json.key("leftover")
                if let leftover = channel.leftover { json.bool(leftover) } else { json.null() }
            }
            json.key("ends")
            json.beginArray()
            for end in ends(of: channel) {
                json.beginObject()
                json.field("pid", end.pid)
                if let socket = end.socket { json.field("socket", socket) }
                json.key("end")
                if let side = end.end { json.string(side.rawValue) } else { json.null() }
                Self.writeUse(fds: end.fds, used: end.used, bytes: end.bytes, calls: end.calls, &json)
                json.endObject()
            }
            json.endArray()
            json.endObject()
        }
        json.endArray()
    }
}
