import Testing
@testable import IPCWatch

@Suite("Seccomp filter")
struct FilterTests {
    /// (libseccomp arch name, syscall number) of every TRACE rule in the exported pseudo filter code.
    private func tracedRules(_ pfc: String) -> Set<String> {
        var rules: Set<String> = []
        var arch = "", number = ""
        for line in pfc.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("# filter for arch ") { arch = String(line.split(separator: " ")[4]) }
            if line.hasPrefix("if ($syscall == ") { number = String(line.dropFirst(16).prefix { $0 != ")" }) }
            if line == "action TRACE(0);" { rules.insert("\(arch) \(number)") }
        }
        return rules
    }

    private func expectedRules(_ events: Set<Syscall>) -> Set<String> {
        let names: [Architecture: String] = [.x86_64: "x86_64", .i386: "x86", .x32: "x32"]
        return Set(SyscallTable.standard.entries.filter { events.contains($0.syscall) }.map { "\(names[$0.architecture]!) \($0.number)" })
    }

    /// libseccomp also emits rules for names an architecture lacks (ipc on x86_64, semop on x86), under
    /// negative pseudo numbers that no real syscall can have. Split them off.
    private func realRules(_ rules: Set<String>) -> Set<String> {
        rules.filter { rule in UInt64(rule.split(separator: " ")[1])! < 0x8000_0000 }
    }

    @Test("the exported filter traps exactly the table's (arch, nr) pairs, on all three ABIs")
    func everyWatchedSyscall() throws {
        let filter = try SeccompFilter(tracing: Set(Syscall.allCases))
        let rules = try tracedRules(filter.pseudoCode)
        #expect(realRules(rules) == expectedRules(Set(Syscall.allCases)))
        // 26 on x86_64 and on x32 (x32's own mq_notify, vmsplice and robust-list numbers included); 29 on i386
        // (pipe, pipe2, ipc, 10 direct SysV, semtimedop_time64, 12 more, and the mq_timed*/futex _time64 twins).
        #expect(realRules(rules).count == 26 + 26 + 29)
        #expect(rules.subtracting(realRules(rules)).allSatisfy { UInt64($0.split(separator: " ")[1])! > 0xFFFF_0000 },
                "every other rule is a pseudo number")
        #expect(try filter.pseudoCode.contains("semtimedop_time64"), "i386 semtimedop only exists as semtimedop_time64")
        for (arch, number) in [("x86", 418), ("x86", 419), ("x86", 422), ("x32", 0x4000_0000 + 527), ("x32", 0x4000_0000 + 532)] {
            #expect(rules.contains("\(arch) \(number)"), "\(arch) \(number) is trapped")
        }
        for number in [244, 278, 273, 274] {
            #expect(!rules.contains("x32 \(0x4000_0000 + number)"), "\(number) is a 64-bit-only number, not x32's")
        }
    }

    @Test("the default selection does not trap futex or the robust lists on any ABI, and traps the rest")
    func defaultSelection() throws {
        let options = TraceOptions()
        #expect(options.events == Syscall.defaultSelection)
        let rules = realRules(tracedRules(try SeccompFilter(tracing: options.trappedSyscalls).pseudoCode))
        #expect(rules == expectedRules(Syscall.defaultSelection))
        let futexes = expectedRules([.futex, .set_robust_list, .get_robust_list])
        #expect(futexes.count == 3 + 3 + 4 && rules.isDisjoint(with: futexes), "no futex number of any ABI: \(rules.intersection(futexes))")
        #expect(rules.isSuperset(of: expectedRules([.splice, .tee, .vmsplice, .mq_open, .mq_timedsend, .mq_timedreceive])))
        let futex = TraceOptions(events: [.futex])
        #expect(futex.trappedSyscalls == [.futex], "a futex selection does not trap ipc(2)")
        #expect(realRules(tracedRules(try SeccompFilter(tracing: futex.trappedSyscalls).pseudoCode))
                == ["x86_64 202", "x32 \(0x4000_0000 + 202)", "x86 240", "x86 422"])
    }

    @Test("a selection traps only its syscalls, plus ipc for SysV ones")
    func selection() throws {
        let pipes = try SeccompFilter(tracing: [.pipe, .pipe2])
        #expect(try realRules(tracedRules(pipes.pseudoCode)) == expectedRules([.pipe, .pipe2]))
        let msgget = TraceOptions(events: [.msgget])
        #expect(msgget.trappedSyscalls == [.msgget, .ipc])
        #expect(realRules(tracedRules(try SeccompFilter(tracing: msgget.trappedSyscalls).pseudoCode))
                == expectedRules([.msgget, .ipc]))
    }

    @Test("the filter traps the entries of the selected variants: i386's mq_timedsend_time64 is not strace's mq_timedsend")
    func entryFilter() throws {
        var options = TraceOptions(events: [.mq_timedsend])
        options.variants = try EventSelection.parse("mq_timedsend", naming: .strace)
        let rules = realRules(tracedRules(try SeccompFilter(tracing: SyscallTable.standard.entries.filter(options.traps)).pseudoCode))
        #expect(rules == ["x86_64 242", "x32 \(0x4000_0000 + 242)", "x86 279"], "strace's mq_timedsend is not 418")
        options.variants = try EventSelection.parse("mq_timedsend", naming: .tracee)
        let tracee = realRules(tracedRules(try SeccompFilter(tracing: SyscallTable.standard.entries.filter(options.traps)).pseudoCode))
        // Rules are by name, and libseccomp's mq_timedsend is 279 on x86 too: trapped, then dropped at its
        // entry (the -j selection tests show it is not reported).
        #expect(tracee == ["x86_64 242", "x32 \(0x4000_0000 + 242)", "x86 279", "x86 418"])
    }

    @Test("the filter tests only arch and nr, so the kernel can cache its decisions")
    func cacheable() throws {
        let filter = try SeccompFilter(tracing: Set(Syscall.allCases))
        #expect(try !filter.pseudoCode.contains("$a0") && !filter.pseudoCode.contains("$a1"))
        #expect(filter.instructionCount > 0 && filter.program.count == filter.instructionCount * 8)
    }
}

@Suite("Event selection (-e)")
struct SelectionTests {
    typealias E = EventSelection
    static let sysv: Set<Syscall> = [.msgget, .msgsnd, .msgrcv, .msgctl, .semget, .semop, .semtimedop, .semctl,
                                     .shmget, .shmat, .shmdt, .shmctl]

    @Test("names, strace's classes, Tracee's tags, regex, ?name, all, none, and a leading !")
    func grammar() throws {
        #expect(try E.parse("pipe2,msgget") == [.pipe2, .msgget])
        #expect(try E.parse("pipe") == [.pipe], "an event name is that event, as in strace and Tracee")
        #expect(try E.parse("trace=msgget,shmat") == [.msgget, .shmat], "strace's spelling")
        #expect(try E.parse("%ipc") == Self.sysv.union([.ipc]), "strace's %ipc: the SysV family and ipc, no mq_*")
        #expect(try E.parse("%msg") == [.msgget, .msgsnd, .msgrcv, .msgctl])
        #expect(try E.parse("tag=ipc_sem") == [.semget, .semop, .semtimedop, .semctl])
        #expect(try E.parse("%pipe") == [.pipe, .pipe2, .splice, .tee, .vmsplice])
        #expect(try E.parse("tag=ipc") == Set(Syscall.allCases).subtracting([.ipc]), "Tracee's ipc set has no ipc event")
        #expect(try E.parse("tag=ipc").count == 26, "Tracee's whole ipc set, futex included")
        #expect(try E.parse("tag=ipc_pipe") == [.pipe, .pipe2, .splice, .tee, .vmsplice])
        #expect(try E.parse("tag=ipc_msgq") == [.msgget, .msgsnd, .msgrcv, .msgctl, .mq_open, .mq_unlink, .mq_timedsend,
                                                 .mq_timedreceive, .mq_notify, .mq_getsetattr])
        #expect(try E.parse("tag=ipc_futex") == [.futex, .set_robust_list, .get_robust_list])
        #expect(try E.parse("%mq") == [.mq_open, .mq_unlink, .mq_timedsend, .mq_timedreceive, .mq_notify, .mq_getsetattr])
        #expect(try E.parse("futex_time64,mq_timedsend_time64") == [.futex, .mq_timedsend], "strace's i386 names")
        #expect(Syscall.futex.traceeSets == ["ipc", "ipc_futex"] && Syscall.mq_open.traceeSets == ["ipc", "ipc_msgq"])
        #expect(try E.parse("/^sem") == [.semget, .semop, .semtimedop, .semctl])
        #expect(try E.parse("?bogus,pipe") == [.pipe])
        #expect(try E.parse("all") == Set(Syscall.allCases))
        #expect(try E.parse("none") == [])
        #expect(try E.parse("!%msg").count == Syscall.allCases.count - 4)
        #expect(try E.parse("trace=!pipe,pipe2") == Set(Syscall.allCases).subtracting([.pipe, .pipe2]),
                "! negates the whole list, as in strace")
        #expect(try E.parse("semtimedop_time64") == [.semtimedop], "strace's i386 name")
    }

    @Test("a name selects what the output names so: strace's names in text, Tracee's with -j; tag= is Tracee's sets in both")
    func namings() throws {
        typealias V = CallVariant
        func parse(_ expression: String, _ naming: E.Naming) throws -> Set<V> { try E.parse(expression, naming: naming) }
        // strace 6.1 on a gcc -m32 program: mq_timedsend is 279 only, mq_timedsend_time64 418 only.
        #expect(try parse("mq_timedsend", .strace) == [V(.mq_timedsend, .direct), V(.mq_timedsend, .time32)])
        #expect(try parse("mq_timedsend_time64", .strace) == [V(.mq_timedsend, .time64)])
        #expect(try parse("futex", .strace) == [V(.futex, .direct), V(.futex, .time32)])
        #expect(try parse("semtimedop", .strace) == [V(.semtimedop, .direct), V(.semtimedop, .multiplexed)])
        // Tracee v0.24.1: mq_timedsend's id32Bit is 418; 279 is mq_timedsend_time32.
        #expect(try parse("mq_timedsend", .tracee) == [V(.mq_timedsend, .direct), V(.mq_timedsend, .time64)])
        #expect(try parse("mq_timedsend_time32", .tracee) == [V(.mq_timedsend, .time32)])
        #expect(try parse("futex_time32", .strace) == [V(.futex, .time32)], "Tracee's name in text: the same entry")
        // msgget: strace's includes ipc(MSGGET); Tracee's ipc(MSGGET) is the ipc event only.
        #expect(try parse("msgget", .strace) == [V(.msgget, .direct), V(.msgget, .multiplexed)])
        #expect(try parse("msgget", .tracee) == [V(.msgget, .direct)])
        let multiplexed = V.all.filter { $0.kind == .multiplexed }
        #expect(try parse("ipc", .tracee) == multiplexed, "Tracee's ipc event: every ipc(2) call")
        #expect(try parse("ipc", .strace) == parse("%ipc", .strace), "strace 6.1 still takes ipc for %ipc")
        for naming in [E.Naming.strace, .tracee] {
            let everyIPC = try parse("tag=ipc", naming)
            #expect(Set(everyIPC.map(\.traceeName)).count == 26, "all 26 of Tracee's ipc set")
            #expect(everyIPC.allSatisfy { $0.kind == .direct || $0.kind == .time64 }, "neither ipc nor the _time32 events")
            #expect(try parse("tag=ipc_msgq", naming).allSatisfy { $0.kind != .multiplexed }, "ipc(MSGGET) is the ipc event")
            #expect(try parse("tag=32bit_unique", naming) == multiplexed.union(V.all.filter { $0.kind == .time32 }))
            #expect(try parse("tag=syscalls", naming) == V.all)
        }
        #expect(try Set(parse("/^mq_timed", .strace).map(\.straceName))
                == ["mq_timedsend", "mq_timedsend_time64", "mq_timedreceive", "mq_timedreceive_time64"])
    }

    @Test("mistakes are one line that says what to write", arguments: [
        ("", "invalid system call ''"),
        ("trace=", "invalid system call ''"),
        ("pipe,pipe3", "invalid system call 'pipe3'"),
        ("msg", "for the set, write %msg or tag=ipc_msgq"),
        ("sysv", "tag=ipc or %ipc"),
        ("%bogus", "invalid system call class '%bogus'"),
        ("tag=bogus", "unknown Tracee set 'bogus'"),
        ("signal=all", "invalid -e qualifier 'signal'"),
        ("/[", "invalid regular expression"),
    ])
    func refused(expression: String, message: String) {
        do {
            let selected = try E.parse(expression)
            Issue.record("accepted: \(selected)")
        } catch {
            #expect(error.description.contains(message), "got: \(error)")
            #expect(!error.description.contains("\n"))
        }
    }
}
