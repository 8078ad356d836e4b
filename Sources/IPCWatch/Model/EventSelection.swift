#if canImport(Glibc)
import Glibc
#endif

/// strace's `-e` expressions for the events ipcwatch traces: `[trace=][!]SET` where SET is a
/// comma-separated list of event names (`pipe` is the `pipe` event only, as in strace and Tracee),
/// strace-style classes (`%ipc` is the SysV family and `ipc`, as strace's; `%pipe` (with splice, tee,
/// vmsplice), `%msg`, `%sem`, `%shm`, `%mq`, `%futex` are ours), Tracee's sets as `tag=NAME` (`tag=ipc_msgq`), `/regex` over the names, `?name` (no error
/// if unknown), `all` and `none`. A leading `!` selects everything but the list, as in strace.
package enum EventSelection {
    /// Our classes, strace's syntax.
    package static let classes: [String: Set<Syscall>] = [
        "ipc": Set(Syscall.allCases.filter(\.isSystemV)),
        "pipe": family(.pipe), "msg": family(.msg), "sem": family(.sem), "shm": family(.shm), "mq": family(.mq),
        "futex": family(.futex),
    ]

    /// Tracee's sets (`pkg/events/core.go` v0.24.1): `ipc` is the union of the others and does not contain
    /// the `ipc` event (which is in Tracee's `32bit_unique`).
    package static let tags: [String: Set<Syscall>] = {
        var tags: [String: Set<Syscall>] = [:]
        for syscall in Syscall.allCases {
            for tag in TraceeSchema.definition(syscall).sets where tag != "syscalls" { tags[tag, default: []].insert(syscall) }
        }
        return tags
    }()

    private static func family(_ family: Syscall.Family) -> Set<Syscall> {
        Set(Syscall.allCases.filter { $0.family == family })
    }

    /// Why an expression is refused: one line for the user.
    package struct Invalid: Error, CustomStringConvertible, Equatable {
        package let description: String
    }

    /// The events `expression` selects.
    package static func parse(_ expression: String) throws(Invalid) -> Set<Syscall> {
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
        var selected: Set<Syscall> = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            selected.formUnion(try resolve(item))
        }
        return negated ? Set(Syscall.allCases).subtracting(selected) : selected
    }

    private static func resolve(_ item: Substring) throws(Invalid) -> Set<Syscall> {
        if item == "all" { return Set(Syscall.allCases) }
        if item == "none" { return [] }
        if item.hasPrefix("?") { return (try? resolve(item.dropFirst())) ?? [] }
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
            guard let matching = names(matching: String(item.dropFirst())) else {
                throw Invalid(description: "invalid regular expression '\(item.dropFirst())'")
            }
            return matching
        }
        if let syscall = Syscall(rawValue: String(item)) { return [syscall] }
        // i386 names for the same events, as strace prints and accepts them.
        let time64: [String: Syscall] = ["semtimedop_time64": .semtimedop, "mq_timedsend_time64": .mq_timedsend,
                                         "mq_timedreceive_time64": .mq_timedreceive, "futex_time64": .futex]
        if let syscall = time64[String(item)] { return [syscall] }
        throw Invalid(description: suggestion(for: String(item)))
    }

    /// The events whose names `pattern` matches, as strace matches them: a POSIX extended regular expression,
    /// glibc's `regcomp`/`regexec`, whose matcher is not exponential in the pattern (Swift's `Regex`
    /// backtracks: ten nested `(a*)*` took 38 s). Nil when the pattern does not compile.
    private static func names(matching pattern: String) -> Set<Syscall>? {
        var compiled = regex_t()
        guard regcomp(&compiled, pattern, REG_EXTENDED | REG_NOSUB) == 0 else { return nil }
        defer { regfree(&compiled) }
        return Set(Syscall.allCases.filter { regexec(&compiled, $0.rawValue, 0, nil, 0) == 0 })
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
