/// Parses `-e` lists: event names, sets, and `!name` exclusions, as strace's `-e trace=`.
package enum EventSelection {
    /// Sets by name: ours (`pipe`, `msg`, `sem`, `shm`, `sysv`, `all`) and Tracee's (`ipc`, `ipc_pipe`,
    /// `ipc_msgq`, `ipc_sem`, `ipc_shm`). `pipe` is the set {pipe, pipe2}, a superset of the event.
    package static let sets: [String: Set<Syscall>] = {
        let all = Set(Syscall.allCases)
        let family = { (f: Syscall.Family) in Set(Syscall.allCases.filter { $0.family == f }) }
        let sysv = all.subtracting(family(.pipe))
        return ["all": all, "ipc": all, "pipe": family(.pipe), "ipc_pipe": family(.pipe),
                "msg": family(.msg), "ipc_msgq": family(.msg), "sem": family(.sem), "ipc_sem": family(.sem),
                "shm": family(.shm), "ipc_shm": family(.shm), "sysv": sysv]
    }()

    /// `pipe2,msgget`, `sysv,!shmdt`, `!pipe`... An empty list or one of only exclusions starts from all.
    /// strace's spelling `trace=LIST` is accepted too.
    package static func parse(_ list: String) throws(IPCWatchError) -> Set<Syscall> {
        let list = list.hasPrefix("trace=") ? list.dropFirst("trace=".count) : Substring(list)
        let items = list.split(separator: ",", omittingEmptySubsequences: true).map { $0.trimmingSpaces }
        var included: Set<Syscall> = []
        var excluded: Set<Syscall> = []
        for item in items {
            let negated = item.hasPrefix("!")
            let name = negated ? String(item.dropFirst()) : item
            guard let selected = resolve(name) else { throw .unknownEvent(name) }
            if negated { excluded.formUnion(selected) } else { included.formUnion(selected) }
        }
        if items.allSatisfy({ $0.hasPrefix("!") }) { included = Set(Syscall.allCases) }
        return included.subtracting(excluded)
    }

    private static func resolve(_ name: String) -> Set<Syscall>? {
        if let set = sets[name] { return set }
        return Syscall(rawValue: name).map { [$0] }
    }
}

private extension Substring {
    var trimmingSpaces: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}
