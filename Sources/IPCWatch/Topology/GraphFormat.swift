/// The files `--graph` writes: Graphviz DOT, a Mermaid flowchart (renders on GitHub), or JSON.
package enum GraphFormat: String, Sendable, CaseIterable {
    /// Graphviz DOT (`dot -Tsvg graph.dot`).
    case dot
    /// A Mermaid `flowchart`.
    case mermaid
    /// `{"processes":[…], "pipes":[…], "sysv":[…]}`.
    case json

    /// The format a file name's extension names: `.dot`/`.gv`, `.mmd`/`.mermaid`, `.json`.
    package init?(path: String) {
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
    /// The whole graph in `format`, ending with a newline; `all` draws the orphan pipes too.
    package func rendered(as format: GraphFormat, all: Bool = false) -> String {
        switch format {
        case .dot: dot(all: all)
        case .mermaid: mermaid(all: all)
        case .json: json
        }
    }
}
