extension TopologyDrawing {
    /// The wait-for report's waits: one red edge from a blocked process to each process it waits for,
    /// labelled with the call and why (`waits: write, pipe full`), so that a deadlock shows as a red cycle.
    /// A process of the report the graph does not draw yet (it made no watched call) gets a box of its own;
    /// one outside the trace gets none.
    mutating func addWaits(_ report: WaitReport, folding: TopologyFolding) {
        var classes: [Int32: Int32] = [:]
        for thread in report.threads {
            if let drawnClass = folding.processClass[thread.pid] {
                classes[thread.pid] = drawnClass
            } else if classes[thread.pid] == nil {
                classes[thread.pid] = thread.pid
                nodes.append(Node(id: Self.id(thread.pid), shape: .process, lines: ["\(thread.comm) [\(thread.pid)]"]))
            }
        }
        if let legend = nodes.firstIndex(where: { $0.shape == .legend }) { nodes[legend].lines.append("red: waits for (at the stall)") }
        var drawn = Set<[String]>()
        for thread in report.threads where thread.state == "blocked" || thread.state == "stopped" {
            guard let from = classes[thread.pid] else { continue }
            for target in thread.waitsFor {
                guard let to = classes[target.pid] else { continue }
                let label = Self.waitLabel(thread, target)
                guard drawn.insert([Self.id(from), Self.id(to), label]).inserted else { continue }
                edges.append(Edge(from: Self.id(from), to: Self.id(to), style: .waits(label)))
            }
        }
    }

    /// `waits: write, pipe full` and `(other end: fd 0)`: the call, the object's state, the other end's fd.
    private static func waitLabel(_ thread: WaitingThread, _ target: WaitTarget) -> String {
        var label = "waits: " + (thread.syscall ?? thread.state)
        if let object = thread.object {
            switch object.kind {
            case "pipe", "fifo":
                if case .integer(let bytes)? = object["bytes"], case .integer(let capacity)? = object["capacity"] {
                    label += bytes == 0 ? ", \(object.kind) empty" : bytes >= capacity ? ", \(object.kind) full" : ""
                }
            case "sem":
                if case .integer(let id)? = object["id"], case .integer(let number)? = object["num"] { label += ", sem \(id)[\(number)]" }
            case "msg":
                if case .integer(let id)? = object["id"] { label += ", queue \(id)" }
            default:
                break
            }
        }
        if let fd = target.fd { label += "\n(other end: fd \(fd))" }
        return label
    }
}
