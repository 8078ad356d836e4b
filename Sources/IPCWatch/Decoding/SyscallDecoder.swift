/// Turns a completed syscall stop into a typed call. Pure: everything it knows comes from the stop
/// and the memory it is given, so it is tested without a tracee.
package enum SyscallDecoder {
    /// Decodes `stop`, reading pointed-to data from `memory`.
    package static func decode(_ stop: SyscallStop, memory: any TraceeMemory, options: DecodeOptions = DecodeOptions())
        -> (call: Call, multiplexed: MultiplexedCall?, result: SyscallResult) {
        let context = DecodeContext(architecture: stop.architecture, memory: memory, options: options)
        if stop.syscall == .ipc { return IPCMultiplexer.decode(stop, context) }
        return (decodeDirect(stop, context), nil, stop.result)
    }

    /// The decoder of a direct (non-multiplexed) call, shared with the `ipc(2)` path.
    static func decodeDirect(_ stop: SyscallStop, _ context: DecodeContext, timespecSize: Int = 16) -> Call {
        switch stop.syscall {
        case .pipe, .pipe2: PipeDecoder.decode(stop, context)
        case .msgget, .msgsnd, .msgrcv, .msgctl: MessageQueueDecoder.decode(stop, context)
        case .semget, .semop, .semctl: SemaphoreDecoder.decode(stop, context)
        case .semtimedop: SemaphoreDecoder.decode(stop, context, timespecSize: timespecSize)
        case .shmget, .shmat, .shmdt, .shmctl: SharedMemoryDecoder.decode(stop, context)
        case .splice, .tee, .vmsplice: SpliceDecoder.decode(stop, context)
        case .mq_open, .mq_unlink, .mq_timedsend, .mq_timedreceive, .mq_notify, .mq_getsetattr:
            PosixMessageQueueDecoder.decode(stop, context)
        case .futex, .set_robust_list, .get_robust_list: FutexDecoder.decode(stop, context)
        case .ipc: preconditionFailure("ipc(2) is demultiplexed before decoding")
        }
    }
}
