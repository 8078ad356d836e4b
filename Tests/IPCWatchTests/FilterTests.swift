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
