/// `splice`, `tee`, `vmsplice`.
enum SpliceDecoder {
    static func decode(_ stop: SyscallStop, _ context: DecodeContext) -> Call {
        switch stop.syscall {
        case .splice:
            // Decoded at the entry (EventAssembler), where the offsets are as strace prints them.
            return .splice(fdIn: stop.int32(0), offIn: stop.arguments[1],
                           offInValue: context.readValue(CallStructs.offset, at: stop.arguments[1]),
                           fdOut: stop.int32(2), offOut: stop.arguments[3],
                           offOutValue: context.readValue(CallStructs.offset, at: stop.arguments[3]),
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

    /// The `struct iovec` array: at most the string limit of entries, each with at most the string limit of
    /// bytes, and only the entries that are readable (then `[…, ... /* 0xADDR */]`). An entry's bytes are shown
    /// whole or not at all (its address, as strace), and all entries' together stop at ``dataBudget``: without
    /// that, `-s 1073741823` and a count of 0x7fffffff would read every buffer the garbage entries of a stack
    /// point to.
    private static func vectors(at address: TraceeAddress, count: UInt64, _ context: DecodeContext) -> ArrayEntries<IOVector>? {
        let layout = CallStructs.ioVector.layout(on: context.architecture)
        guard let base = layout["iov_base"], let length = layout["iov_len"] else { return nil }
        var budget = dataBudget
        return context.entries(at: address, count: count, size: layout.size) { entry in
            let field = { (f: CStruct.Layout.Field) in entry[(entry.startIndex + f.offset)..<(entry.startIndex + f.offset + f.size)] }
            let start = TraceeAddress(bitPattern: DecodeContext.littleEndian(field(base), signed: false))
            let bytes = UInt64(bitPattern: DecodeContext.littleEndian(field(length), signed: false))
            let shown = Int(min(bytes, UInt64(context.options.stringLimit)))
            let data = shown <= budget ? context.wholeBytes(at: start, count: shown) : nil
            budget -= data?.count ?? 0
            return IOVector(base: start, length: bytes, data: data)
        }
    }

    /// The most bytes one `vmsplice` line shows of all its buffers together.
    static let dataBudget = 16 << 20
}
