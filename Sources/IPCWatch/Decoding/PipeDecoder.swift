/// `pipe(int pipefd[2])` and `pipe2(int pipefd[2], int flags)`.
enum PipeDecoder {
    static func decode(_ stop: SyscallStop, _ context: DecodeContext) -> Call {
        let ends = pipeEnds(at: stop.arguments[0], succeeded: !stop.isError, context)
        return stop.syscall == .pipe ? .pipe(ends) : .pipe2(ends, flags: UInt32(truncatingIfNeeded: stop.arguments[1]))
    }

    /// The array the kernel filled in: read only after success, as it holds nothing otherwise.
    private static func pipeEnds(at address: TraceeAddress, succeeded: Bool, _ context: DecodeContext) -> PipeEnds {
        guard succeeded, let bytes = context.memory.read(address: address, count: 8) else { return .pointer(address) }
        let read = Int32(truncatingIfNeeded: DecodeContext.littleEndian(bytes[0..<4], signed: true))
        let write = Int32(truncatingIfNeeded: DecodeContext.littleEndian(bytes[4..<8], signed: true))
        return .fds(read: read, write: write)
    }
}
