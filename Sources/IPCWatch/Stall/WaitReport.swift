/// Who waits for whom: every traced thread, the call it is blocked in, the object it waits on with that
/// object's state, the processes it waits for and why, then the cycles among them (deadlocks). Built from
/// `/proc` by ``WaitProbe``; written as text on the trace output and as JSON (`--stall-report`).
package struct WaitReport: Sendable {
    /// How long every thread had been blocked with no progress (`--stall`); nil when asked (SIGUSR1, attach).
    package var stalledSeconds: Double?
    package var threads: [WaitingThread]
    /// Each cycle of processes each waiting for the next, the last for the first: a deadlock (no thread of
    /// these processes can run until another of them does).
    package var cycles: [[Int32]]
}

/// One traced thread, as it is at the report.
package struct WaitingThread: Sendable {
    package var pid: Int32
    package var tid: Int32
    package var comm: String
    /// `blocked` (in a call), `stopped` (SIGSTOP: waits for SIGCONT), `sleeping` (a call with a timeout),
    /// `running`.
    package var state: String
    /// The call's name (`read`, `semop`…), nil outside a call; `syscall_N` for one ipcwatch has no name for.
    package var syscall: String?
    package var object: WaitObject?
    package var waitsFor: [WaitTarget]
}

/// What a thread waits on, with its state: `kind` (`pipe`, `fifo`, `socket`, `sem`, `msg`, `mq`, `child`,
/// `poll`, `futex`, `sleep`, `stopped`, `fd`) and its fields in order.
package struct WaitObject: Sendable {
    package enum Value: Sendable, Equatable {
        case integer(Int64)
        case string(String)
    }

    package var kind: String
    package var fields: [(key: String, value: Value)]
    /// The object in a few words for the text report (`pipe:[1234] 65536/65536 bytes unread (full)`).
    package var summary: String

    package subscript(key: String) -> Value? { fields.first { $0.key == key }?.value }
}

/// A process a thread waits for, and why.
package struct WaitTarget: Sendable, Equatable {
    /// How it was found: what `-p PID --stall` may follow to attach (``RelatedProcesses``).
    package enum Link: Sendable, Equatable {
        /// It holds the other end of a pipe, FIFO or queue.
        case otherEnd
        /// It holds a Unix socket's peer: a server (dbus, systemd) many clients wait on; never attached.
        case socketPeer
        /// It changed a SysV object last (`sempid`, `lspid`, `lrpid`): maybe long gone, or its pid reused.
        case lastChanger
        /// The child waited for.
        case child
    }

    package var pid: Int32
    package var comm: String
    /// The descriptor by which it holds the other end, when that is the reason.
    package var fd: Int32?
    package var reason: String
    package var link: Link = .otherEnd
}

extension WaitReport {
    /// The report's threads and the cycles their waits make.
    package init(threads: [WaitingThread], stalledSeconds: Double?) {
        self.threads = threads
        self.stalledSeconds = stalledSeconds
        self.cycles = Self.cycles(in: threads)
    }

    /// Cycles among processes that cannot go on: the strongly connected parts of the wait-for graph among
    /// them with more than one process, or a process that waits for itself (a reader that holds the pipe's
    /// write end). Any one of a thread's targets can end its wait (another writer of the same pipe), so
    /// first, to a fixpoint: a process can go on if one of its threads runs or sleeps with a timeout, or
    /// waits for a process that is not traced (unknown) or can go on.
    static func cycles(in threads: [WaitingThread]) -> [[Int32]] {
        let traced = Set(threads.map(\.pid))
        var proceeds: Set<Int32> = []
        var changed = true
        while changed {
            changed = false
            for thread in threads where !proceeds.contains(thread.pid) {
                guard thread.state == "running" || thread.state == "sleeping"
                        || thread.waitsFor.contains(where: { !traced.contains($0.pid) || proceeds.contains($0.pid) }) else { continue }
                proceeds.insert(thread.pid)
                changed = true
            }
        }
        let stuck = traced.subtracting(proceeds)
        var edges: [Int32: [Int32]] = [:]
        for thread in threads where stuck.contains(thread.pid) {
            for target in thread.waitsFor where stuck.contains(target.pid) && !(edges[thread.pid] ?? []).contains(target.pid) {
                edges[thread.pid, default: []].append(target.pid)
            }
        }
        // Tarjan's strongly connected components, over a handful of processes.
        var index: [Int32: Int] = [:], low: [Int32: Int] = [:], onStack: Set<Int32> = [], stack: [Int32] = []
        var components: [[Int32]] = []
        func visit(_ node: Int32) {
            index[node] = index.count
            low[node] = index[node]
            stack.append(node)
            onStack.insert(node)
            for next in edges[node] ?? [] {
                if index[next] == nil {
                    visit(next)
                    low[node] = min(low[node]!, low[next]!)
                } else if onStack.contains(next) {
                    low[node] = min(low[node]!, index[next]!)
                }
            }
            guard low[node] == index[node] else { return }
            var component: [Int32] = []
            while let top = stack.popLast() {
                onStack.remove(top)
                component.append(top)
                if top == node { break }
            }
            if component.count > 1 || (edges[node] ?? []).contains(node) { components.append(component) }
        }
        for node in stuck.sorted() where index[node] == nil { visit(node) }
        // Each named from its lowest pid, along the waits.
        return components.map { component in
            let members = Set(component)
            var order = [component.min()!]
            while let next = (edges[order.last!] ?? []).first(where: { members.contains($0) && !order.contains($0) }) {
                order.append(next)
            }
            return order + component.filter { !order.contains($0) }.sorted()
        }.sorted { $0[0] < $1[0] }
    }

    /// The text report: a header, a few lines per thread, the cycles last.
    package var text: String {
        var lines: [String] = []
        if let stalledSeconds {
            lines.append("=== stalled: every traced thread blocked for \(Self.seconds(stalledSeconds)) s with no progress ===")
        } else {
            lines.append("=== who waits for whom ===")
        }
        let names = Dictionary(threads.map { ($0.pid, $0.comm) }, uniquingKeysWith: { first, _ in first })
        for thread in threads {
            let who = thread.tid == thread.pid ? "\(thread.pid)" : "\(thread.pid)/\(thread.tid)"
            var line = "\(who) \(thread.comm): "
            switch thread.state {
            case "running": line += "running"
            case "stopped": line += "stopped: waits for SIGCONT" + (thread.syscall.map { " (in \($0))" } ?? "")
            default: line += thread.syscall ?? "blocked"
            }
            if let object = thread.object, thread.state != "stopped" { line += " on " + object.summary }
            if thread.state == "sleeping" { line += " (with a timeout)" }
            lines.append(line)
            for target in thread.waitsFor { lines.append("    waits for \(target.pid) (\(target.comm)): \(target.reason)") }
        }
        for cycle in cycles {
            let path = (cycle + [cycle[0]]).map { "\($0) (\(names[$0] ?? "?"))" }.joined(separator: " -> ")
            lines.append("deadlock: " + path)
        }
        if cycles.isEmpty { lines.append("no cycle: no deadlock among the traced processes") }
        return lines.joined(separator: "\n")
    }

    /// `{"stalledSeconds", "threads": [...], "cycles": [[pid...]]}` on one line.
    package var json: String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("stalledSeconds")
        if let stalledSeconds { writer.float(stalledSeconds) } else { writer.null() }
        writer.key("threads")
        writer.beginArray()
        for thread in threads {
            writer.beginObject()
            writer.key("pid"); writer.integer(thread.pid)
            writer.key("tid"); writer.integer(thread.tid)
            writer.key("comm"); writer.string(thread.comm)
            writer.key("state"); writer.string(thread.state)
            writer.key("syscall")
            if let syscall = thread.syscall { writer.string(syscall) } else { writer.null() }
            writer.key("object")
            if let object = thread.object {
                writer.beginObject()
                writer.key("kind"); writer.string(object.kind)
                for (key, value) in object.fields {
                    writer.key(key)
                    switch value {
                    case .integer(let number): writer.integer(number)
                    case .string(let text): writer.string(text)
                    }
                }
                writer.endObject()
            } else {
                writer.null()
            }
            writer.key("waitsFor")
            writer.beginArray()
            for target in thread.waitsFor {
                writer.beginObject()
                writer.key("pid"); writer.integer(target.pid)
                writer.key("comm"); writer.string(target.comm)
                if let fd = target.fd { writer.key("fd"); writer.integer(fd) }
                writer.key("reason"); writer.string(target.reason)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.key("cycles")
        writer.beginArray()
        for cycle in cycles {
            writer.beginArray()
            cycle.forEach { writer.integer($0) }
            writer.endArray()
        }
        writer.endArray()
        writer.endObject()
        return writer.output
    }

    private static func seconds(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
