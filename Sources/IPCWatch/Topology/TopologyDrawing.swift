/// What DOT and Mermaid both draw, built once: processes, pipes and SysV objects as nodes, and the edges
/// between them. Each renderer only spells it in its syntax.
struct TopologyDrawing {
    enum Shape: Equatable {
        /// A box.
        case process
        /// An ellipse; dashed when the trace did not see the pipe created.
        case pipe(inherited: Bool)
        /// A hexagon.
        case sysv
    }

    enum Style: Equatable {
        /// Data flow: writer → pipe → reader.
        case data
        /// Dashed, from the process that created the pipe, labelled with the call.
        case creation(String)
        /// Dotted and undirected, from parent to child.
        case parentChild
        /// A process's calls on a SysV object (`msgsnd ×3`).
        case calls(String)
    }

    struct Node {
        var id: String
        var shape: Shape
        var lines: [String]
    }

    struct Edge {
        var from: String
        var to: String
        var style: Style
    }

    private(set) var nodes: [Node] = []
    private(set) var edges: [Edge] = []

    init(_ topology: Topology) {
        let processes = topology.processes.values.sorted { $0.pid < $1.pid }
        for process in processes {
            nodes.append(Node(id: Self.id(process.pid), shape: .process, lines: Self.lines(process)))
        }
        for process in processes where topology.processes[process.ppid] != nil {
            edges.append(Edge(from: Self.id(process.ppid), to: Self.id(process.pid), style: .parentChild))
        }
        for pipe in topology.pipes {
            let id = "pipe\(pipe.inode)"
            nodes.append(Node(id: id, shape: .pipe(inherited: pipe.createdBy == nil),
                              lines: ["pipe:[\(pipe.inode)]"] + (pipe.createdBy == nil ? ["opened before the trace"] : [])))
            if let creator = pipe.createdBy, topology.processes[creator] != nil {
                edges.append(Edge(from: Self.id(creator), to: id, style: .creation(pipe.createdWith?.rawValue ?? "pipe")))
            }
            edges += pipe.writers.map { Edge(from: Self.id($0), to: id, style: .data) }
            edges += pipe.readers.map { Edge(from: id, to: Self.id($0), style: .data) }
        }
        for object in topology.sysv {
            let id = "\(object.kind.rawValue)\(object.id)"
            nodes.append(Node(id: id, shape: .sysv, lines: Self.lines(object)))
            for (pid, calls) in object.users.sorted(by: { $0.key < $1.key }) {
                let label = calls.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) ×\($0.value)" }
                    .joined(separator: ", ")
                // A queue's receivers are drawn on its far side; every other use points at the object.
                let receives = object.kind == .msg && calls[.msgrcv] != nil && calls[.msgsnd] == nil
                edges.append(receives ? Edge(from: id, to: Self.id(pid), style: .calls(label))
                                      : Edge(from: Self.id(pid), to: id, style: .calls(label)))
            }
        }
    }

    private static func id(_ pid: Int32) -> String { "p\(pid)" }

    /// `cat [4321]`, `/usr/bin/cat` when it differs, how it ended.
    private static func lines(_ process: Topology.Process) -> [String] {
        var lines = ["\(process.comm) [\(process.pid)]"]
        if !process.argv0.isEmpty && process.argv0 != process.comm { lines.append(process.argv0) }
        if let end = process.termination { lines.append(end.description) }
        return lines
    }

    /// `msg queue 5`, `key 0x1234` or `IPC_PRIVATE`.
    private static func lines(_ object: Topology.SysVObject) -> [String] {
        let name = switch object.kind {
        case .msg: "msg queue"
        case .sem: "semaphores"
        case .shm: "shared memory"
        }
        let key = object.key.map { $0 == 0 ? "IPC_PRIVATE" : "key 0x" + String(UInt32(bitPattern: $0), radix: 16) }
        return ["\(name) \(object.id)"] + (key.map { [$0] } ?? [])
    }
}

extension Topology {
    /// Graphviz: processes as boxes, pipes as ellipses (writer → pipe → reader, a dashed edge from the
    /// creator), SysV objects as hexagons, dotted lines from parent to child.
    public var dot: String {
        let drawing = TopologyDrawing(self)
        var out = "digraph ipcwatch {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
        out += "  edge [fontname=\"Helvetica\", fontsize=9];\n"
        for node in drawing.nodes {
            let shape = switch node.shape {
            case .process: "shape=box, style=rounded"
            case .pipe(let inherited): inherited ? "shape=ellipse, style=dashed" : "shape=ellipse"
            case .sysv: "shape=hexagon"
            }
            out += "  \(node.id) [\(shape), label=\(Self.dotQuoted(node.lines.joined(separator: "\n")))];\n"
        }
        for edge in drawing.edges {
            let attributes = switch edge.style {
            case .data: ""
            case .creation(let call): " [style=dashed, color=gray, label=\(Self.dotQuoted(call))]"
            case .parentChild: " [style=dotted, color=gray, arrowhead=none]"
            case .calls(let label): " [label=\(Self.dotQuoted(label))]"
            }
            out += "  \(edge.from) -> \(edge.to)\(attributes);\n"
        }
        return out + "}\n"
    }

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

    /// A Mermaid flowchart with the same nodes and edges as ``dot``.
    public var mermaid: String {
        let drawing = TopologyDrawing(self)
        var out = "flowchart LR\n"
        for node in drawing.nodes {
            let label = Self.mermaidLabel(node.lines)
            let declaration = switch node.shape {
            case .process: "[\(label)]"
            case .pipe: "([\(label)])"
            case .sysv: "{{\(label)}}"
            }
            out += "  \(node.id)\(declaration)\n"
        }
        for edge in drawing.edges {
            let arrow = switch edge.style {
            case .data: "-->"
            case .creation(let call): "-. \(Self.mermaidLabel([call])) .->"
            case .parentChild: "-.-"
            case .calls(let label): "-- \(Self.mermaidLabel([label])) -->"
            }
            out += "  \(edge.from) \(arrow) \(edge.to)\n"
        }
        return out
    }

    /// Mermaid labels are quoted strings: `"` is written as the entity `#quot;`, lines are joined by `<br/>`.
    private static func mermaidLabel(_ lines: [String]) -> String {
        let text = lines.joined(separator: "<br/>")
        return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "#quot;") + "\""
    }
}
