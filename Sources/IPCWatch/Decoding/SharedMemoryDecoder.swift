/// `shmget`, `shmat`, `shmdt`, `shmctl`.
enum SharedMemoryDecoder {
    static func decode(_ stop: SyscallStop, _ context: DecodeContext) -> Call {
        switch stop.syscall {
        case .shmget: .shmget(key: stop.int32(0), size: stop.arguments[1], flags: stop.int32(2))
        case .shmat: .shmat(shmid: stop.int32(0), shmaddr: stop.arguments[1], flags: stop.int32(2))
        case .shmdt: .shmdt(shmaddr: stop.arguments[0])
        case .shmctl:
            .shmctl(shmid: stop.int32(0), command: stop.int32(1), buf: stop.arguments[2],
                    contents: ControlDecoder.contents(.shm, command: stop.int32(1), at: stop.arguments[2],
                                                     succeeded: !stop.isError, context))
        default: preconditionFailure("not a shared memory call: \(stop.syscall)")
        }
    }
}
