/// The files `--graph` writes: Graphviz DOT, a Mermaid flowchart (renders on GitHub), or JSON.
public enum GraphFormat: String, Sendable, CaseIterable {
    /// Graphviz DOT (`dot -Tsvg graph.dot`).
    case dot
    /// A Mermaid `flowchart`.
    case mermaid
    /// `{"processes":[…], "pipes":[…], "sysv":[…]}`.
    case json

    /// The format a file name's extension names: `.dot`/`.gv`, `.mmd`/`.mermaid`, `.json`.
    public init?(path: String) {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "dot", "gv": self = .dot
        case "mmd", "mermaid": self = .mermaid
        case "json": self = .json
        default: return nil
        }
    }
}

extension Topology {
    /// The whole graph in `format`, ending with a newline.
    public func rendered(as format: GraphFormat) -> String {
        switch format {
        case .dot: dot
        case .mermaid: mermaid
        case .json: json
        }
    }

    /// Node ids, the same in DOT and Mermaid.
    private static func node(_ pid: Int32) -> String { "p\(pid)" }
    private static func node(pipe: UInt64) -> String { "pipe\(pipe)" }
    private static func node(_ object: SysVObject) -> String { "\(object.kind.rawValue)\(object.id)" }

    /// The lines of a process's label: `cat [4321]`, `/usr/bin/cat` when it differs, how it ended.
    private func labelLines(_ process: Process) -> [String] {
        var lines = ["\(process.comm) [\(process.pid)]"]
        if !process.argv0.isEmpty && process.argv0 != process.comm { lines.append(process.argv0) }
        if let end = process.termination { lines.append(end.description) }
        return lines
    }

    /// `pipe:[12345]`, and for a pipe the trace did not see created (a shell's stdout, say) a second line.
    private static func labelLines(_ pipe: Pipe) -> [String] {
        ["pipe:[\(pipe.inode)]"] + (pipe.createdBy == nil ? ["opened before the trace"] : [])
    }

    private func labelLines(_ object: SysVObject) -> [String] {
        let name = switch object.kind {
        case .msg: "msg queue"
        case .sem: "semaphores"
        case .shm: "shared memory"
        }
        let key = object.key.map { $0 == 0 ? "IPC_PRIVATE" : "key 0x" + String(UInt32(bitPattern: $0), radix: 16) }
        return ["\(name) \(object.id)"] + (key.map { [$0] } ?? [])
    }

    /// Edges between a process and a SysV object: senders and receivers on either side of a queue,
    /// everything else from the process, labelled with its calls (`msgsnd ×3`).
    private func sysvEdges(_ object: SysVObject) -> [(from: String, to: String, label: String)] {
        var edges: [(String, String, String)] = []
        for (pid, calls) in object.users.sorted(by: { $0.key < $1.key }) {
            let label = calls.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) ×\($0.value)" }
                .joined(separator: ", ")
            if object.kind == .msg && calls[.msgrcv] != nil && calls[.msgsnd] == nil {
                edges.append((Self.node(object), Self.node(pid), label))
            } else {
                edges.append((Self.node(pid), Self.node(object), label))
            }
        }
        return edges
    }

    private var sortedProcesses: [Process] { processes.values.sorted { $0.pid < $1.pid } }

    // MARK: DOT

    /// A DOT string: quotes and backslashes escaped, `\n` between lines.
    private static func dotQuoted(_ text: String) -> String {
        var quoted = "\""
        for character in text {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }

    private static func dotLabel(_ lines: [String]) -> String { dotQuoted(lines.joined(separator: "\n")) }

    /// Graphviz: processes as boxes, pipes as ellipses (writer → pipe → reader, a dashed edge from the
    /// creator), SysV objects as hexagons, dotted edges from parent to child.
    public var dot: String {
        var out = "digraph ipcwatch {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
        out += "  edge [fontname=\"Helvetica\", fontsize=9];\n"
        for process in sortedProcesses {
            out += "  \(Self.node(process.pid)) [shape=box, style=rounded, label=\(Self.dotLabel(labelLines(process)))];\n"
        }
        for process in sortedProcesses where processes[process.ppid] != nil {
            out += "  \(Self.node(process.ppid)) -> \(Self.node(process.pid)) [style=dotted, color=gray, arrowhead=none];\n"
        }
        for pipe in pipes {
            let node = Self.node(pipe: pipe.inode)
            out += "  \(node) [shape=ellipse, label=\(Self.dotLabel(Self.labelLines(pipe)))"
                + (pipe.createdBy == nil ? ", style=dashed];\n" : "];\n")
            if let creator = pipe.createdBy, processes[creator] != nil {
                out += "  \(Self.node(creator)) -> \(node) [style=dashed, color=gray, label=\(Self.dotQuoted(pipe.createdWith?.rawValue ?? "pipe"))];\n"
            }
            for writer in pipe.writers { out += "  \(Self.node(writer)) -> \(node);\n" }
            for reader in pipe.readers { out += "  \(node) -> \(Self.node(reader));\n" }
        }
        for object in sysv {
            out += "  \(Self.node(object)) [shape=hexagon, label=\(Self.dotLabel(labelLines(object)))];\n"
            for edge in sysvEdges(object) {
                out += "  \(edge.from) -> \(edge.to) [label=\(Self.dotQuoted(edge.label))];\n"
            }
        }
        return out + "}\n"
    }

    // MARK: Mermaid

    /// Mermaid labels are quoted strings: `"` is written as the entity `#quot;`, lines are joined by `<br/>`.
    private static func mermaidLabel(_ lines: [String]) -> String {
        let text = lines.joined(separator: "<br/>")
        return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "#quot;") + "\""
    }

    /// A Mermaid flowchart with the same nodes and edges as ``dot``.
    public var mermaid: String {
        var out = "flowchart LR\n"
        for process in sortedProcesses {
            out += "  \(Self.node(process.pid))[\(Self.mermaidLabel(labelLines(process)))]\n"
        }
        for process in sortedProcesses where processes[process.ppid] != nil {
            out += "  \(Self.node(process.ppid)) -.- \(Self.node(process.pid))\n"
        }
        for pipe in pipes {
            let node = Self.node(pipe: pipe.inode)
            out += "  \(node)([\(Self.mermaidLabel(Self.labelLines(pipe)))])\n"
            if let creator = pipe.createdBy, processes[creator] != nil {
                out += "  \(Self.node(creator)) -. \(Self.mermaidLabel([pipe.createdWith?.rawValue ?? "pipe"])) .-> \(node)\n"
            }
            for writer in pipe.writers { out += "  \(Self.node(writer)) --> \(node)\n" }
            for reader in pipe.readers { out += "  \(node) --> \(Self.node(reader))\n" }
        }
        for object in sysv {
            out += "  \(Self.node(object)){{\(Self.mermaidLabel(labelLines(object)))}}\n"
            for edge in sysvEdges(object) {
                out += "  \(edge.from) -- \(Self.mermaidLabel([edge.label])) --> \(edge.to)\n"
            }
        }
        return out
    }

    // MARK: JSON

    /// `{"processes":[…], "pipes":[…], "sysv":[…]}`: see the README for the keys.
    public var json: String {
        var json = JSONWriter()
        json.beginObject()
        json.key("processes")
        json.beginArray()
        for process in sortedProcesses {
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
            json.key("writers")
            json.beginArray()
            pipe.writers.forEach { json.integer($0) }
            json.endArray()
            json.key("readers")
            json.beginArray()
            pipe.readers.forEach { json.integer($0) }
            json.endArray()
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
        json.endObject()
        return json.output + "\n"
    }
}
