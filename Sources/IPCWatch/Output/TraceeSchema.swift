/// Tracee v0.24.1's definitions of our events (`pkg/events/core.go`, `core_amd64.go`): the one place
/// their ids, argument names, argument types and sets are written. The JSON writer and the `Codable`
/// decoder both go through it; a ``Call`` is turned into the definition's values in order
/// (``values(of:)``) and back (``call(_:from:multiplexed:)``).
package enum TraceeSchema {
    /// An argument type string as Tracee's decoder (`types/trace` `Argument.UnmarshalJSON`) knows it.
    package enum ArgumentType: String, Sendable, CaseIterable {
        case int32, uint32, int64, uint64, float64, uint16, string
        case pointer = "trace.Pointer"
        case intPair = "[2]int"
    }

    /// One event as Tracee defines it.
    package struct Definition: Sendable {
        package let name: String
        /// Tracee's event id: the x86_64 syscall number, or its own number for 32-bit-only syscalls.
        package let id: Int
        package let arguments: [(name: String, type: ArgumentType)]
        package let sets: [String]
    }

    /// One argument value, typed as its definition says.
    package enum Value: Sendable, Equatable {
        case signed(Int64)
        case unsigned(UInt64)
        case float(Double)
        case pair(Int32, Int32)
        case text(String)
        /// A `[2]int` Tracee could not read (a failed `pipe`).
        case null
    }

    /// Tracee's definition of `syscall`'s event.
    package static func definition(_ syscall: Syscall) -> Definition {
        switch syscall {
        case .pipe: Definition(name: "pipe", id: 22, arguments: [("pipefd", .intPair)], sets: pipeSets)
        case .pipe2: Definition(name: "pipe2", id: 293, arguments: [("pipefd", .intPair), ("flags", .int32)], sets: pipeSets)
        // Tracee numbers the syscalls only 32-bit x86 has after the 64-bit ones; `ipc` is in no IPC set.
        case .ipc:
            Definition(name: "ipc", id: 477, arguments: [("call", .uint32), ("first", .int32), ("second", .uint64),
                                                         ("third", .uint64), ("ptr", .pointer), ("fifth", .int64)],
                       sets: ["syscalls", "32bit_unique"])
        case .msgget: Definition(name: "msgget", id: 68, arguments: [("key", .int32), ("msgflg", .int32)], sets: msgSets)
        case .msgsnd:
            Definition(name: "msgsnd", id: 69, arguments: [("msqid", .int32), ("msgp", .pointer), ("msgsz", .uint64),
                                                           ("msgflg", .int32)], sets: msgSets)
        case .msgrcv:
            Definition(name: "msgrcv", id: 70, arguments: [("msqid", .int32), ("msgp", .pointer), ("msgsz", .uint64),
                                                           ("msgtyp", .int64), ("msgflg", .int32)], sets: msgSets)
        case .msgctl:
            Definition(name: "msgctl", id: 71, arguments: [("msqid", .int32), ("cmd", .int32), ("buf", .pointer)], sets: msgSets)
        case .semget:
            Definition(name: "semget", id: 64, arguments: [("key", .int32), ("nsems", .int32), ("semflg", .int32)], sets: semSets)
        case .semop:
            Definition(name: "semop", id: 65, arguments: [("semid", .int32), ("sops", .pointer), ("nsops", .uint64)], sets: semSets)
        case .semtimedop:
            Definition(name: "semtimedop", id: 220, arguments: [("semid", .int32), ("sops", .pointer), ("nsops", .uint64),
                                                               ("timeout", .float64)], sets: semSets)
        case .semctl:
            Definition(name: "semctl", id: 66, arguments: [("semid", .int32), ("semnum", .int32), ("cmd", .int32),
                                                           ("arg", .uint64)], sets: semSets)
        case .shmget:
            Definition(name: "shmget", id: 29, arguments: [("key", .int32), ("size", .uint64), ("shmflg", .int32)], sets: shmSets)
        case .shmat:
            Definition(name: "shmat", id: 30, arguments: [("shmid", .int32), ("shmaddr", .pointer), ("shmflg", .int32)],
                       sets: shmSets)
        case .shmdt: Definition(name: "shmdt", id: 67, arguments: [("shmaddr", .pointer)], sets: shmSets)
        case .shmctl:
            Definition(name: "shmctl", id: 31, arguments: [("shmid", .int32), ("cmd", .int32), ("buf", .pointer)], sets: shmSets)
        case .splice:
            Definition(name: "splice", id: 275, arguments: [("fd_in", .int32), ("off_in", .pointer), ("fd_out", .int32),
                                                            ("off_out", .pointer), ("len", .uint64), ("flags", .uint32)],
                       sets: pipeSets)
        case .tee:
            Definition(name: "tee", id: 276, arguments: [("fd_in", .int32), ("fd_out", .int32), ("len", .uint64),
                                                         ("flags", .uint32)], sets: pipeSets)
        case .vmsplice:
            Definition(name: "vmsplice", id: 278, arguments: [("fd", .int32), ("iov", .pointer), ("nr_segs", .uint64),
                                                              ("flags", .uint32)], sets: pipeSets)
        case .mq_open:
            Definition(name: "mq_open", id: 240, arguments: [("name", .string), ("oflag", .int32), ("mode", .uint16),
                                                             ("attr", .pointer)], sets: msgSets)
        case .mq_unlink: Definition(name: "mq_unlink", id: 241, arguments: [("name", .string)], sets: msgSets)
        case .mq_timedsend:
            Definition(name: "mq_timedsend", id: 242, arguments: [("mqdes", .int32), ("msg_ptr", .string), ("msg_len", .uint64),
                                                                  ("msg_prio", .uint32), ("abs_timeout", .float64)], sets: msgSets)
        case .mq_timedreceive:
            Definition(name: "mq_timedreceive", id: 243, arguments: [("mqdes", .int32), ("msg_ptr", .string),
                                                                     ("msg_len", .uint64), ("msg_prio", .pointer),
                                                                     ("abs_timeout", .float64)], sets: msgSets)
        case .mq_notify:
            Definition(name: "mq_notify", id: 244, arguments: [("mqdes", .int32), ("sevp", .pointer)], sets: msgSets)
        case .mq_getsetattr:
            Definition(name: "mq_getsetattr", id: 245, arguments: [("mqdes", .int32), ("newattr", .pointer),
                                                                   ("oldattr", .pointer)], sets: msgSets)
        case .futex:
            Definition(name: "futex", id: 202, arguments: [("uaddr", .pointer), ("futex_op", .int32), ("val", .int32),
                                                           ("timeout", .float64), ("uaddr2", .pointer), ("val3", .int32)],
                       sets: futexSets)
        case .set_robust_list:
            Definition(name: "set_robust_list", id: 273, arguments: [("head", .pointer), ("len", .uint64)], sets: futexSets)
        case .get_robust_list:
            Definition(name: "get_robust_list", id: 274, arguments: [("pid", .int32), ("head_ptr", .pointer),
                                                                     ("len_ptr", .pointer)], sets: futexSets)
        }
    }

    private static let pipeSets = ["syscalls", "ipc", "ipc_pipe"]
    private static let msgSets = ["syscalls", "ipc", "ipc_msgq"]
    private static let semSets = ["syscalls", "ipc", "ipc_sem"]
    private static let shmSets = ["syscalls", "ipc", "ipc_shm"]
    private static let futexSets = ["syscalls", "ipc", "ipc_futex"]

    /// Tracee reads a timespec into seconds; NULL (wait for ever) and an unreadable one are 0.
    private static func seconds(_ time: TimeSpec?) -> Value {
        .float(time.map { Double($0.seconds) + Double($0.nanoseconds) / 1e9 } ?? 0)
    }

    /// Tracee's `string` arguments: the bytes read, as UTF-8 (invalid sequences replaced); "" for none.
    private static func text(_ bytes: [UInt8]?) -> Value { .text(String(decoding: bytes ?? [], as: UTF8.self)) }

    // MARK: call ⇄ values

    /// The values of `call`'s arguments, in its definition's order.
    package static func values(of call: Call) -> [Value] {
        func int(_ v: Int32) -> Value { .signed(Int64(v)) }
        func pipefd(_ ends: PipeEnds) -> Value {
            if case .fds(let r, let w) = ends { return .pair(r, w) }
            return .null
        }
        switch call {
        case .pipe(let ends): return [pipefd(ends)]
        case .pipe2(let ends, let flags): return [pipefd(ends), int(Int32(bitPattern: flags))]
        case .msgget(let key, let flags): return [int(key), int(flags)]
        case .msgsnd(let msqid, let msgp, _, let msgsz, let flags): return [int(msqid), .unsigned(msgp), .unsigned(msgsz), int(flags)]
        case .msgrcv(let msqid, let msgp, _, let msgsz, let msgtyp, let flags):
            return [int(msqid), .unsigned(msgp), .unsigned(msgsz), .signed(msgtyp), int(flags)]
        case .msgctl(let msqid, let command, let buf, _): return [int(msqid), int(command), .unsigned(buf)]
        case .semget(let key, let nsems, let flags): return [int(key), int(nsems), int(flags)]
        case .semop(let semid, let sops, _, let nsops): return [int(semid), .unsigned(sops), .unsigned(nsops)]
        case .semtimedop(let semid, let sops, _, let nsops, _, let timeout):
            // Tracee reads the timespec into seconds; NULL (wait for ever) and an unreadable one are 0.
            let seconds = timeout.map { Double($0.seconds) + Double($0.nanoseconds) / 1e9 } ?? 0
            return [int(semid), .unsigned(sops), .unsigned(nsops), .float(seconds)]
        case .semctl(let semid, let semnum, let command, let arg, _, _): return [int(semid), int(semnum), int(command), .unsigned(arg)]
        case .shmget(let key, let size, let flags): return [int(key), .unsigned(size), int(flags)]
        case .shmat(let shmid, let shmaddr, let flags): return [int(shmid), .unsigned(shmaddr), int(flags)]
        case .shmdt(let shmaddr): return [.unsigned(shmaddr)]
        case .shmctl(let shmid, let command, let buf, _): return [int(shmid), int(command), .unsigned(buf)]
        case .ipc(let raw): return values(of: raw)
        case .splice(let fdIn, let offIn, _, let fdOut, let offOut, _, let length, let flags):
            return [int(fdIn), .unsigned(offIn), int(fdOut), .unsigned(offOut), .unsigned(length), .unsigned(UInt64(flags))]
        case .tee(let fdIn, let fdOut, let length, let flags):
            return [int(fdIn), int(fdOut), .unsigned(length), .unsigned(UInt64(flags))]
        case .vmsplice(let fd, let iov, _, let count, let flags):
            return [int(fd), .unsigned(iov), .unsigned(count), .unsigned(UInt64(flags))]
        case .mqOpen(_, let name, let flags, let mode, let attr, _):
            return [text(name), int(flags), .unsigned(UInt64(UInt16(truncatingIfNeeded: mode))), .unsigned(attr)]
        case .mqUnlink(_, let name): return [text(name)]
        case .mqTimedsend(let mqdes, _, let message, let length, let priority, _, let timeout):
            return [int(mqdes), text(message?.bytes), .unsigned(length), .unsigned(UInt64(priority)), seconds(timeout)]
        case .mqTimedreceive(let mqdes, _, let message, let length, let priority, _, _, let timeout):
            return [int(mqdes), text(message?.bytes), .unsigned(length), .unsigned(priority), seconds(timeout)]
        case .mqNotify(let mqdes, let sevp, _): return [int(mqdes), .unsigned(sevp)]
        case .mqGetsetattr(let mqdes, let newattr, _, let oldattr, _): return [int(mqdes), .unsigned(newattr), .unsigned(oldattr)]
        case .futex(let uaddr, let operation, let value, _, let timeout, let uaddr2, let value3):
            return [.unsigned(uaddr), int(operation), int(Int32(bitPattern: value)), seconds(timeout), .unsigned(uaddr2),
                    int(Int32(bitPattern: value3))]
        case .setRobustList(let head, let length): return [.unsigned(head), .unsigned(length)]
        case .getRobustList(let pid, let headPointer, _, let lengthPointer, _):
            return [int(pid), .unsigned(headPointer), .unsigned(lengthPointer)]
        }
    }

    /// The values of a raw `ipc(2)` call.
    package static func values(of raw: MultiplexedCall) -> [Value] {
        [.unsigned(UInt64(raw.call)), .signed(Int64(raw.first)), .unsigned(raw.second), .unsigned(raw.third),
         .unsigned(raw.ptr), .signed(raw.fifth)]
    }

    /// The call whose arguments are `values` (in `syscall`'s definition order). What Tracee's schema does
    /// not carry (memory read behind pointers) is nil; a failed `pipe`'s address is 0, a `semtimedop`
    /// timeout's address is 0 (only its value is in the schema).
    package static func call(_ syscall: Syscall, from v: Arguments, multiplexed: Bool) -> Call {
        switch syscall {
        case .pipe: .pipe(v.pipeEnds(0))
        case .pipe2: .pipe2(v.pipeEnds(0), flags: UInt32(bitPattern: v.int32(1)))
        case .ipc: .ipc(v.multiplexed)
        case .msgget: .msgget(key: v.int32(0), flags: v.int32(1))
        case .msgsnd: .msgsnd(msqid: v.int32(0), msgp: v.uint64(1), message: nil, msgsz: v.uint64(2), flags: v.int32(3))
        case .msgrcv:
            .msgrcv(msqid: v.int32(0), msgp: v.uint64(1), message: nil, msgsz: v.uint64(2), msgtyp: v.int64(3), flags: v.int32(4))
        case .msgctl: .msgctl(msqid: v.int32(0), command: v.int32(1), buf: v.uint64(2), contents: nil)
        case .semget: .semget(key: v.int32(0), nsems: v.int32(1), flags: v.int32(2))
        case .semop: .semop(semid: v.int32(0), sops: v.uint64(1), operations: nil, nsops: v.uint64(2))
        case .semtimedop:
            .semtimedop(semid: v.int32(0), sops: v.uint64(1), operations: nil, nsops: v.uint64(2), timeout: 0,
                        timeoutValue: v.timeSpec(3))
        case .semctl:
            .semctl(semid: v.int32(0), semnum: v.int32(1), command: v.int32(2), arg: v.uint64(3), argByReference: multiplexed,
                    contents: nil)
        case .shmget: .shmget(key: v.int32(0), size: v.uint64(1), flags: v.int32(2))
        case .shmat: .shmat(shmid: v.int32(0), shmaddr: v.uint64(1), flags: v.int32(2))
        case .shmdt: .shmdt(shmaddr: v.uint64(0))
        case .shmctl: .shmctl(shmid: v.int32(0), command: v.int32(1), buf: v.uint64(2), contents: nil)
        // What the schema does not carry (addresses of strings and timeouts, memory behind pointers) is in
        // our decoded key: TraceeDecoded.restore puts it back.
        case .splice:
            .splice(fdIn: v.int32(0), offIn: v.uint64(1), offInValue: nil, fdOut: v.int32(2), offOut: v.uint64(3),
                    offOutValue: nil, length: v.uint64(4), flags: UInt32(v.uint64(5)))
        case .tee: .tee(fdIn: v.int32(0), fdOut: v.int32(1), length: v.uint64(2), flags: UInt32(v.uint64(3)))
        case .vmsplice: .vmsplice(fd: v.int32(0), iov: v.uint64(1), vectors: nil, count: v.uint64(2), flags: UInt32(v.uint64(3)))
        case .mq_open:
            .mqOpen(name: 0, nameText: nil, flags: v.int32(1), mode: UInt32(v.uint64(2)), attr: v.uint64(3), attributes: nil)
        case .mq_unlink: .mqUnlink(name: 0, nameText: nil)
        case .mq_timedsend:
            .mqTimedsend(mqdes: v.int32(0), message: 0, text: nil, length: v.uint64(2), priority: UInt32(v.uint64(3)),
                         timeout: 0, timeoutValue: v.timeSpec(4))
        case .mq_timedreceive:
            .mqTimedreceive(mqdes: v.int32(0), message: 0, text: nil, length: v.uint64(2), priority: v.uint64(3),
                            priorityValue: nil, timeout: 0, timeoutValue: v.timeSpec(4))
        case .mq_notify: .mqNotify(mqdes: v.int32(0), sevp: v.uint64(1), event: nil)
        case .mq_getsetattr:
            .mqGetsetattr(mqdes: v.int32(0), newattr: v.uint64(1), newValue: nil, oldattr: v.uint64(2), oldValue: nil)
        case .futex:
            .futex(uaddr: v.uint64(0), operation: v.int32(1), value: UInt32(bitPattern: v.int32(2)), timeout: 0,
                   timeoutValue: v.timeSpec(3), uaddr2: v.uint64(4), value3: UInt32(bitPattern: v.int32(5)))
        case .set_robust_list: .setRobustList(head: v.uint64(0), length: v.uint64(1))
        case .get_robust_list:
            .getRobustList(pid: v.int32(0), headPointer: v.uint64(1), head: nil, lengthPointer: v.uint64(2), length: nil)
        }
    }

    /// An event's `args`, checked against its definition: every argument present by name, of its type.
    package struct Arguments {
        private let values: [JSONValue]
        /// The event was an i386 call: its `int64` values are 32-bit registers zero-extended.
        private var narrowLongs = false

        /// Reads `args` (a list of `{name, type, value}`) for `definition`; nil names the first argument
        /// that is missing or whose type or value does not match.
        init(_ args: [JSONValue], for definition: Definition, narrowLongs: Bool = false) throws(SchemaMismatch) {
            self.narrowLongs = narrowLongs
            var byName: [String: (type: String?, value: JSONValue)] = [:]
            for argument in args {
                if let name = argument["name"]?.string { byName[name] = (argument["type"]?.string, argument["value"] ?? .null) }
            }
            values = try definition.arguments.map { (name, type) throws(SchemaMismatch) in
                guard let found = byName[name] else { throw SchemaMismatch(argument: name, problem: "is missing") }
                guard found.type == type.rawValue else {
                    throw SchemaMismatch(argument: name, problem: "has type \(found.type ?? "none"), not \(type.rawValue)")
                }
                guard Self.fits(found.value, type) else { throw SchemaMismatch(argument: name, problem: "is not a \(type.rawValue)") }
                return found.value
            }
        }

        private static func fits(_ value: JSONValue, _ type: ArgumentType) -> Bool {
            switch type {
            case .int32: value.int64.flatMap(Int32.init(exactly:)) != nil
            case .uint32: value.uint64.flatMap(UInt32.init(exactly:)) != nil
            case .int64: value.int64 != nil
            case .uint64, .pointer: value.uint64 != nil
            case .float64: value.double != nil
            case .uint16: value.uint64.flatMap(UInt16.init(exactly:)) != nil
            case .string: value.string != nil
            case .intPair: value == .null || value.array.map { $0.count == 2 && $0.allSatisfy { $0.int64 != nil } } == true
            }
        }

        func int32(_ i: Int) -> Int32 { Int32(values[i].int64!) }
        func int64(_ i: Int) -> Int64 { narrowLongs ? Int64(Int32(truncatingIfNeeded: values[i].int64!)) : values[i].int64! }
        func uint64(_ i: Int) -> UInt64 { values[i].uint64! }
        func pipeEnds(_ i: Int) -> PipeEnds {
            guard let pair = values[i].array else { return .pointer(0) }
            return .fds(read: Int32(truncatingIfNeeded: pair[0].int64!), write: Int32(truncatingIfNeeded: pair[1].int64!))
        }
        func timeSpec(_ i: Int) -> TimeSpec? {
            let seconds = values[i].double!
            guard seconds != 0 else { return nil }
            let whole = seconds.rounded(.down)
            return TimeSpec(seconds: Int64(whole), nanoseconds: Int64(((seconds - whole) * 1e9).rounded()))
        }
        var multiplexed: MultiplexedCall {
            MultiplexedCall(call: UInt32(uint64(0)), first: int32(1), second: uint64(2), third: uint64(3), ptr: uint64(4),
                            fifth: int64(5))
        }
    }

    /// An argument that does not match its event's definition.
    package struct SchemaMismatch: Error, CustomStringConvertible {
        package let argument: String
        package let problem: String
        package var description: String { "argument '\(argument)' \(problem)" }
    }
}
