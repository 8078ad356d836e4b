/// `futex`, `set_robust_list`, `get_robust_list`.
enum FutexDecoder {
    static func decode(_ stop: SyscallStop, _ context: DecodeContext) -> Call {
        let a = stop.arguments
        switch stop.syscall {
        case .futex:
            let operation = stop.int32(1)
            let command = FutexOperations.Command(rawValue: operation & 127)
            let timed: Set<FutexOperations.Command> = [.wait, .lockPI, .lockPI2, .waitBitset, .waitRequeuePI]
            return .futex(uaddr: a[0], operation: operation, value: UInt32(truncatingIfNeeded: a[2]), timeout: a[3],
                          timeoutValue: command.map(timed.contains) == true ? context.timespec(at: a[3], time64: stop.time64) : nil,
                          uaddr2: a[4], value3: UInt32(truncatingIfNeeded: a[5]))
        case .set_robust_list:
            return .setRobustList(head: a[0], length: a[1])
        case .get_robust_list:
            let stored = { (address: TraceeAddress, structure: CStruct) in
                stop.isError ? nil : context.readValue(structure, at: address).map { UInt64(bitPattern: $0) }
            }
            return .getRobustList(pid: stop.int32(0), headPointer: a[1], head: stored(a[1], CallStructs.pointer),
                                  lengthPointer: a[2], length: stored(a[2], CallStructs.sizeT))
        default:
            preconditionFailure("not a futex call: \(stop.syscall)")
        }
    }
}
