extension Topology {
    /// Graphviz: processes as boxes, pipes as ellipses (holder → pipe → holder, a gray dashed edge from the
    /// creator), SysV objects as hexagons, FIFOs as double ellipses, Unix socket pairs as octagons, POSIX
    /// queues as cylinders, dotted lines from parent to child, and a legend.
    public var dot: String { dot(all: false) }

    /// ``dot``; `all` also draws the orphan pipes (made and closed by one process, never passed on).
    public func dot(all: Bool) -> String {
        let drawing = TopologyDrawing(self, all: all)
        // Edge labels as xlabels, placed after the layout: a label is otherwise a node of its own in the
        // middle of its edge, which doubles the ranks (the pyenv shim's graph was 2866 px high).
        var out = "digraph ipcwatch {\n  rankdir=LR;\n  nodesep=0.15;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
        out += "  edge [fontname=\"Helvetica\", fontsize=9];\n"
        for node in drawing.nodes {
            let shape = switch node.shape {
            case .process: "shape=box, style=rounded"
            case .pipe(let inherited): inherited ? "shape=ellipse, style=dashed" : "shape=ellipse"
            case .sysv: "shape=hexagon"
            case .channel(.fifo): "shape=ellipse, peripheries=2"
            case .channel(.unix): "shape=octagon"
            case .channel(.mq): "shape=cylinder"
            case .outside: "shape=box, style=dashed, color=gray40"
            case .legend: "shape=note, fontsize=8, color=gray60, fontcolor=gray30"
            }
            let label = node.shape == .legend ? Self.dotQuoted(node.lines.joined(separator: "\n"), lineEnd: "\\l")
                                              : Self.dotQuoted(node.lines.joined(separator: "\n"))
            out += "  \(node.id) [\(shape), label=\(label)];\n"
        }
        for edge in drawing.edges {
            let attributes = switch edge.style {
            case .held(let fds): " [style=dashed, xlabel=\(Self.dotQuoted(fds))]"
            case .heldBoth(let fds): " [style=dashed, dir=both, xlabel=\(Self.dotQuoted(fds))]"
            case .used(let label): " [style=bold, xlabel=\(Self.dotQuoted(label))]"
            case .unused(let label): " [style=dashed, color=gray80, fontcolor=gray60, xlabel=\(Self.dotQuoted(label))]"
            case .creation(let call): " [style=dashed, color=gray, fontcolor=gray40, xlabel=\(Self.dotQuoted(call))]"
            case .parentChild: " [style=dotted, color=gray, arrowhead=none]"
            case .calls(let label): " [xlabel=\(Self.dotQuoted(label))]"
            case .waits(let label): " [color=red, fontcolor=red, penwidth=2, label=\(Self.dotQuoted(label))]"
            }
            out += "  \(edge.from) -> \(edge.to)\(attributes);\n"
        }
        return out + "}\n"
    }

    /// A DOT string for any text: quotes and backslashes escaped (a backslash would start `\N`, `\l`…),
    /// `lineEnd` between lines, other control characters shown as `\xNN`.
    static func dotQuoted(_ text: String, lineEnd: String = "\\n") -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += lineEnd
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                quoted += "\\\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + (lineEnd == "\\n" ? "" : lineEnd) + "\""
    }

    /// A Mermaid flowchart with the same nodes and edges as ``dot``.
    public var mermaid: String { mermaid(all: false) }

    /// ``mermaid``; `all` also draws the orphan pipes.
    public func mermaid(all: Bool) -> String {
        let drawing = TopologyDrawing(self, all: all)
        var out = "flowchart LR\n"
        for node in drawing.nodes {
            let label = Self.mermaidLabel(node.lines)
            let declaration = switch node.shape {
            case .process, .outside, .legend: "[\(label)]"
            case .pipe: "([\(label)])"
            case .sysv: "{{\(label)}}"
            case .channel(.fifo): "(((\(label))))"
            case .channel(.unix): "[[\(label)]]"
            case .channel(.mq): "[(\(label))]"
            }
            out += "  \(node.id)\(declaration)\n"
        }
        var faint: [Int] = [], red: [Int] = []
        for (index, edge) in drawing.edges.enumerated() {
            let arrow = switch edge.style {
            case .held(let label), .unused(let label), .creation(let label): "-. \(Self.mermaidLabel([label])) .->"
            case .used(let label): "== \(Self.mermaidLabel([label])) ==>"
            case .heldBoth(let label): "<-. \(Self.mermaidLabel([label])) .->"
            case .parentChild: "-.-"
            case .calls(let label), .waits(let label): "-- \(Self.mermaidLabel([label])) -->"
            }
            switch edge.style {
            case .unused, .creation, .parentChild: faint.append(index)
            case .waits: red.append(index)
            default: break
            }
            out += "  \(edge.from) \(arrow) \(edge.to)\n"
        }
        if !faint.isEmpty { out += "  linkStyle \(faint.map(String.init).joined(separator: ",")) stroke:#aaa\n" }
        if !red.isEmpty { out += "  linkStyle \(red.map(String.init).joined(separator: ",")) stroke:#d00,color:#d00\n" }
        return out
    }

    /// Mermaid labels are quoted strings in which Mermaid still reads entities and HTML: every character
    /// it could interpret is written as a numeric entity (`#60;` for `<`), lines are joined by `<br/>`.
    static func mermaidLabel(_ lines: [String]) -> String {
        let escaped = lines.map { line in
            var text = ""
            for scalar in line.unicodeScalars {
                switch scalar {
                case "\"", "#", "&", "<", ">", "[", "]", "(", ")", "{", "}", "|", "`", "\\", "*", "_", "~":
                    text += "#\(scalar.value);"
                case _ where scalar.value < 0x20 || scalar.value == 0x7f: text += "#\(scalar.value);"
                default: text.unicodeScalars.append(scalar)
                }
            }
            return text
        }
        return "\"" + escaped.joined(separator: "<br/>") + "\""
    }
}
