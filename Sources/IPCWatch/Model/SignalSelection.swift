/// strace's `-e signal=SET`: `[!]SIG,…` with names with or without `SIG` (any case), numbers 1…64, `all`
/// and `none`. The default is all.
package struct SignalSelection: Sendable, Equatable {
    /// Bit `1 << signal`.
    private var bits: UInt128

    package static let all = SignalSelection(bits: ~0)

    package func contains(_ signal: Int32) -> Bool { signal > 0 && signal < 128 && bits & (UInt128(1) << signal) != 0 }

    /// Parses `SET`, refusing an unknown element as strace does: `invalid signal 'X'`.
    package static func parse(_ set: String) throws(EventSelection.Invalid) -> SignalSelection {
        var list = Substring(set)
        let negated = list.hasPrefix("!")
        if negated { list = list.dropFirst() }
        var bits: UInt128 = 0
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            guard let signals = signals(named: item) else { throw EventSelection.Invalid(description: "invalid signal '\(set)'") }
            bits |= signals
        }
        if list.isEmpty { throw EventSelection.Invalid(description: "invalid signal '\(set)'") }
        return SignalSelection(bits: negated ? ~bits : bits)
    }

    private static func signals(named item: Substring) -> UInt128? {
        if item == "all" { return ~0 }
        if item == "none" { return 0 }
        if let number = Int32(item) { return (1...64).contains(number) ? UInt128(1) << number : nil }
        // strace's names (SIGRT_3), and glibc's spelling of the same signals (SIGRTMIN+1 is 35).
        let upper = item.uppercased()
        if let offset = upper.firstMatch(of: /^(?:SIG)?RTMIN(?:\+(\d+))?$/).map({ Int($0.output.1 ?? "0") ?? 99 }) {
            return offset <= 30 ? UInt128(1) << (34 + offset) : nil
        }
        let name = upper.hasPrefix("SIG") ? upper : "SIG" + upper
        guard let number = (1...64).first(where: { SignalNames.name(Int32($0)) == name }) else { return nil }
        return UInt128(1) << number
    }
}

/// strace's `-e status=SET`: which calls are printed by how they ended. `unavailable` (a result strace
/// could not fetch) never happens here: the kernel's `ptrace_syscall_info` always has it.
package struct StatusSelection: Sendable, Equatable {
    package var successful = true
    package var failed = true
    /// Calls whose thread ended before they returned (`<unfinished ...>`).
    package var unfinished = true
    /// Calls the trace detached from (`<detached ...>`).
    package var detached = true

    package init(successful: Bool = true, failed: Bool = true, unfinished: Bool = true, detached: Bool = true) {
        self.successful = successful
        self.failed = failed
        self.unfinished = unfinished
        self.detached = detached
    }

    package static let names = ["successful", "failed", "unfinished", "unavailable", "detached", "all", "none"]

    /// Whether a call that ended this way is printed.
    package func contains(_ result: SyscallResult) -> Bool {
        switch result {
        case .success: successful
        case .failure: failed
        case .unfinished(.threadEnded): unfinished
        case .unfinished(.detached): detached
        // A call in progress may still end any way: shown only when every way is.
        case .unfinished(.inProgress): successful && failed && unfinished && detached
        }
    }

    package static func parse(_ set: String) throws(EventSelection.Invalid) -> StatusSelection {
        var list = Substring(set)
        let negated = list.hasPrefix("!")
        if negated { list = list.dropFirst() }
        var chosen = StatusSelection(successful: false, failed: false, unfinished: false, detached: false)
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            switch item {
            case "successful": chosen.successful = true
            case "failed": chosen.failed = true
            case "unfinished": chosen.unfinished = true
            case "detached": chosen.detached = true
            case "all": chosen = StatusSelection()
            case "none", "unavailable": break
            default: throw EventSelection.Invalid(description: "invalid status '\(set)'")
            }
        }
        if list.isEmpty { throw EventSelection.Invalid(description: "invalid status '\(set)'") }
        return negated
            ? StatusSelection(successful: !chosen.successful, failed: !chosen.failed, unfinished: !chosen.unfinished,
                              detached: !chosen.detached)
            : chosen
    }
}
