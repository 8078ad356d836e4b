#if canImport(Glibc)
import Glibc
#endif

/// strace's `-e` expressions for the events ipcwatch traces: `[trace=][!]SET` where SET is a
/// comma-separated list of event names, strace-style classes (`%ipc` is the SysV family and `ipc`, as
/// strace's; `%pipe` (with splice, tee, vmsplice), `%msg`, `%sem`, `%shm`, `%mq`, `%futex` are ours),
/// Tracee's sets as `tag=NAME` (`tag=ipc_msgq`), `/regex` over the names, `?name` (no error if unknown),
/// `all` and `none`. A leading `!` selects everything but the list, as in strace.
///
/// What a name selects depends on the output that reports it (``Naming``): in strace's text, the name
/// strace prints (`mq_timedsend_time64` is its own; `msgget` selects i386's `ipc(MSGGET)` too, and `ipc`
/// is strace's old name of `%ipc`); in Tracee's JSON, the event Tracee writes (`mq_timedsend_time32` is
/// i386's 279, `ipc` every `ipc(2)` call and nothing else). `tag=` is Tracee's sets in both.
package enum EventSelection {
    /// Whose names `-e trace=` speaks.
    package enum Naming: Sendable {
        /// strace's: what the text prints.
        case strace
        /// Tracee v0.24.1's: what `-j` writes.
        case tracee
    }

    /// Our classes, strace's syntax.
    package static let classes: [String: Set<CallVariant>] = [
        "ipc": CallVariant.all.filter(\.syscall.isSystemV),
        "pipe": family(.pipe), "msg": family(.msg), "sem": family(.sem), "shm": family(.shm), "mq": family(.mq),
        "futex": family(.futex),
    ]

    /// Tracee's sets (`pkg/events/core.go` v0.24.1): `ipc` is the union of the five others (26 events) and
    /// contains neither the `ipc` event nor the `_time32` ones (those are in `32bit_unique`).
    package static let tags: [String: Set<CallVariant>] = {
        var tags: [String: Set<CallVariant>] = [:]
        for variant in CallVariant.all {
            for tag in variant.traceeSets { tags[tag, default: []].insert(variant) }
        }
        return tags
    }()

    private static func family(_ family: Syscall.Family) -> Set<CallVariant> {
        CallVariant.all.filter { $0.syscall.family == family }
    }

    /// Why an expression is refused: one line for the user.
    package struct Invalid: Error, CustomStringConvertible, Equatable {
        package let description: String
    }

    /// The events `expression` selects, whatever way they are reached (for `-e raw=` and the like).
    package static func parse(_ expression: String) throws(Invalid) -> Set<Syscall> {
        Set(try parse(expression, naming: .strace).map(\.syscall))
    }

    /// The variants `expression` selects, its names read as `naming`'s.
    package static func parse(_ expression: String, naming: Naming) throws(Invalid) -> Set<CallVariant> {
        var list = Substring(expression)
        if let equals = list.firstIndex(of: "="), !list.hasPrefix("tag="), !list.hasPrefix("?"), !list.hasPrefix("/") {
            let qualifier = list[..<equals]
            guard qualifier == "trace" || qualifier == "t" else {
                throw Invalid(description: "invalid -e qualifier '\(qualifier)' (the events are chosen with trace=)")
            }
            list = list[list.index(after: equals)...]
        }
        let negated = list.hasPrefix("!")
        if negated { list = list.dropFirst() }
        guard !list.isEmpty else { throw Invalid(description: "invalid system call '\(list)'") }
        var selected: Set<CallVariant> = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            selected.formUnion(try resolve(item, naming))
        }
        return negated ? CallVariant.all.subtracting(selected) : selected
    }

    private static func resolve(_ item: Substring, _ naming: Naming) throws(Invalid) -> Set<CallVariant> {
        if item == "all" { return CallVariant.all }
        if item == "none" { return [] }
        if item.hasPrefix("?") { return (try? resolve(item.dropFirst(), naming)) ?? [] }
        if item.hasPrefix("%") {
            guard let set = classes[String(item.dropFirst())] else {
                throw Invalid(description: "invalid system call class '\(item)' (classes: \(classNames))")
            }
            return set
        }
        if item.hasPrefix("tag=") {
            guard let set = tags[String(item.dropFirst(4))] else {
                throw Invalid(description: "unknown Tracee set '\(item.dropFirst(4))' (sets: \(tags.keys.sorted().joined(separator: ", ")))")
            }
            return set
        }
        if item.hasPrefix("/") {
            guard let matching = variants(matching: String(item.dropFirst()), naming) else {
                throw Invalid(description: "invalid regular expression '\(item.dropFirst())'")
            }
            return matching
        }
        let name = String(item)
        // strace's `ipc` is its class (strace 6.1 still takes the old class names without `%`).
        if naming == .strace, name == "ipc" { return classes["ipc"]! }
        let named = CallVariant.all.filter { $0.name(naming) == name }
        if !named.isEmpty { return named }
        // The other tool's name of a variant (`mq_timedsend_time32` in text) means that variant.
        let other: Naming = naming == .strace ? .tracee : .strace
        let alias = CallVariant.all.filter { $0.name(other) == name }
        if !alias.isEmpty { return alias }
        throw Invalid(description: suggestion(for: name))
    }

    /// The variants whose names `pattern` matches, as strace matches them: a POSIX extended regular expression,
    /// glibc's `regcomp`/`regexec`, whose matcher is not exponential in the pattern (Swift's `Regex`
    /// backtracks: ten nested `(a*)*` took 38 s). Nil when the pattern does not compile.
    private static func variants(matching pattern: String, _ naming: Naming) -> Set<CallVariant>? {
        var compiled = regex_t()
        guard regcomp(&compiled, pattern, REG_EXTENDED | REG_NOSUB) == 0 else { return nil }
        defer { regfree(&compiled) }
        return CallVariant.all.filter { regexec(&compiled, $0.name(naming), 0, nil, 0) == 0 }
    }

    private static var classNames: String { classes.keys.sorted().map { "%" + $0 }.joined(separator: ", ") }

    /// A set name given bare is refused with the spellings that mean it.
    private static func suggestion(for name: String) -> String {
        var meant: [String] = []
        if classes[name] != nil { meant.append("%" + name) }
        let tracee = ["msg": "ipc_msgq", "sem": "ipc_sem", "shm": "ipc_shm", "pipe": "ipc_pipe", "sysv": "ipc",
                       "mq": "ipc_msgq"][name] ?? name
        if tags[tracee] != nil { meant.append("tag=" + tracee) }
        if name == "sysv" { meant.append("%ipc") }
        guard !meant.isEmpty else { return "invalid system call '\(name)'" }
        return "invalid system call '\(name)': for the set, write \(meant.joined(separator: " or "))"
    }
}

extension CallVariant {
    /// The variant's name in `naming`.
    package func name(_ naming: EventSelection.Naming) -> String {
        naming == .strace ? straceName : traceeName
    }
}
