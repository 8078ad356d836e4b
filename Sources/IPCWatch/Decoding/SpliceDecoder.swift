/// `splice`, `tee`, `vmsplice`.
enum SpliceDecoder {
    static func decode(_ stop: SyscallStop, _ context: DecodeContext) -> Call {
        switch stop.syscall {
        case .splice:
            let moved = stop.isError ? 0 : stop.returnValue
            return .splice(fdIn: stop.int32(0), offIn: stop.arguments[1],
                           offInValue: entryOffset(at: stop.arguments[1], moved: moved, context),
                           fdOut: stop.int32(2), offOut: stop.arguments[3],
                           offOutValue: entryOffset(at: stop.arguments[3], moved: moved, context),
                           length: stop.arguments[4], flags: UInt32(truncatingIfNeeded: stop.arguments[5]))
        case .tee:
            return .tee(fdIn: stop.int32(0), fdOut: stop.int32(1), length: stop.arguments[2],
                        flags: UInt32(truncatingIfNeeded: stop.arguments[3]))
        case .vmsplice:
            return .vmsplice(fd: stop.int32(0), iov: stop.arguments[1],
                             vectors: vectors(at: stop.arguments[1], count: stop.arguments[2], context),
                             count: stop.arguments[2], flags: UInt32(truncatingIfNeeded: stop.arguments[3]))
        default:
            preconditionFailure("not a splice call: \(stop.syscall)")
        }
    }

    /// strace prints an offset as it was on entry; we read it at exit, after the kernel advanced it by the
    /// bytes it moved (and left it alone on failure).
    private static func entryOffset(at address: TraceeAddress, moved: Int64, _ context: DecodeContext) -> Int64? {
        context.readValue(CallStructs.offset, at: address).map { $0 &- moved }
    }

    /// The `struct iovec` array: at most the string limit of entries, each with at most the string limit of
    /// bytes, and only what is readable. The bytes of all entries together stop at ``dataBudget``: past it an
    /// entry's text is cut (`"..."...`) — without that, `-s 1073741823` and a count of 0x7fffffff would hold
    /// every readable byte the garbage entries of a stack point to.
    private static func vectors(at address: TraceeAddress, count: UInt64, _ context: DecodeContext) -> [IOVector]? {
        let size = CallStructs.ioVector.layout(on: context.architecture).size
        let wanted = Int(min(count, UInt64(context.options.stringLimit)))
        guard let table = context.bytes(at: address, count: max(1, wanted) * size), table.count >= size else { return nil }
        var budget = dataBudget
        return (0..<min(wanted, table.count / size)).compactMap { i in
            guard let fields = context.read(CallStructs.ioVector, at: address + TraceeAddress(i * size)) else { return nil }
            let base = TraceeAddress(bitPattern: fields["iov_base"]!), length = UInt64(bitPattern: fields["iov_len"]!)
            let data = context.bytes(at: base, count: min(Int(min(length, UInt64(context.options.stringLimit))), budget))
            budget -= data?.count ?? 0
            return IOVector(base: base, length: length, data: data)
        }
    }

    /// The most bytes one `vmsplice` line shows of all its buffers together.
    static let dataBudget = 16 << 20
}
