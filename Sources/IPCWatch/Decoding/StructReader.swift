/// Reading a ``CStruct`` or a C string from the tracee, laid out for the caller's ABI.
extension DecodeContext {
    /// The members of `structure` at `address` by name (signed for `int`/`long`/`long long`, the others
    /// zero-extended); nil for NULL or unreadable memory.
    func read(_ structure: CStruct, at address: TraceeAddress) -> [String: Int64]? {
        let layout = structure.layout(on: architecture)
        guard address != 0, let bytes = memory.read(address: address, count: layout.size) else { return nil }
        var values: [String: Int64] = [:]
        for member in structure.members(on: architecture) {
            guard let field = layout[member.name] else { continue }
            let signed: Bool
            switch member.type {
            case .int, .kernelLong, .longLong: signed = true
            default: signed = false
            }
            values[member.name] = Self.littleEndian(bytes[field.offset..<(field.offset + field.size)], signed: signed)
        }
        return values
    }

    /// The single member of a one-field description (``CallStructs/offset`` and the like).
    func readValue(_ structure: CStruct, at address: TraceeAddress) -> Int64? { read(structure, at: address)?["value"] }

    /// The first `count` bytes at `address`, or as many of them as are readable (the buffer may run into an
    /// unmapped page); nil for NULL or an unreadable first byte. Read in chunks of at most ``readChunk`` bytes,
    /// so that what ipcwatch holds grows with the tracee's memory that is really there, never with a count the
    /// traced program passed: `msgsnd(q, buf, SIZE_MAX)` under `-s 1073741823` reads to the end of `buf`'s
    /// mapping, not a gigabyte up front.
    func bytes(at address: TraceeAddress, count: Int) -> [UInt8]? {
        guard address != 0 else { return nil }
        var bytes: [UInt8] = []
        var next = address
        while bytes.count < count {
            let size = min(Int(Self.readChunk - next % Self.readChunk), count - bytes.count)
            if let chunk = memory.read(address: next, count: size) {
                bytes += chunk
            } else {
                bytes += readablePages(at: next, count: size)
                break
            }
            let (following, wrapped) = next.addingReportingOverflow(TraceeAddress(size))
            if wrapped { break }
            next = following
        }
        return bytes.isEmpty && count > 0 ? nil : bytes
    }

    /// Exactly `count` bytes at `address`, read as ``bytes(at:count:)`` reads them; nil unless all are readable.
    /// What strace shows of a buffer: all of what it asked for, or the address.
    func wholeBytes(at address: TraceeAddress, count: Int) -> [UInt8]? {
        guard let bytes = bytes(at: address, count: count), bytes.count == count else { return nil }
        return bytes
    }

    /// An array of `count` entries of `size` bytes at `address` as strace's `print_array` shows it: at most the
    /// string limit of them decoded, and only those that are readable. Like strace, it reads one entry past
    /// the limit, so that an array cut by unreadable memory is told from one cut by `-s` (``ArrayEntries``'
    /// `unreadable`: strace's `[…, ... /* 0xADDR */]`, not `[…, ...]`). Nil, for the address, when NULL, when
    /// the array's end wraps around, or when not even its first entry is readable (also under `-s 0`);
    /// no entries for a count of 0, read or not (`[]`). Read a chunk at a time, so that what is held at once
    /// is one chunk, whatever the count.
    func entries<Entry>(at address: TraceeAddress, count: UInt64, size: Int,
                        _ decode: (ArraySlice<UInt8>) -> Entry) -> ArrayEntries<Entry>? {
        guard address != 0 else { return nil }
        guard count > 0 else { return ArrayEntries([]) }
        let (length, overflow) = count.multipliedReportingOverflow(by: UInt64(size))
        guard !overflow, !address.addingReportingOverflow(length).overflow else { return nil }
        let limit = options.stringLimit
        let wanted = Int(min(count, UInt64(limit) + 1))
        let perChunk = max(1, Int(Self.readChunk) / size)
        var entries: [Entry] = []
        var readable = 0
        while readable < wanted {
            let chunkEntries = min(perChunk, wanted - readable)
            let start = address &+ TraceeAddress(readable * size)
            guard let chunk = bytes(at: start, count: chunkEntries * size) else { break }
            let whole = chunk.count / size
            for i in 0..<whole where readable + i < limit { entries.append(decode(chunk[(i * size)..<((i + 1) * size)])) }
            readable += whole
            if whole < chunkEntries { break }
        }
        guard readable > 0 else { return nil }
        return ArrayEntries(entries, unreadable: readable < wanted ? address &+ TraceeAddress(readable * size) : nil)
    }

    /// How much of a buffer ``bytes(at:count:)`` reads in one `process_vm_readv`.
    static let readChunk: TraceeAddress = 64 * 1024

    /// The readable pages at the start of `count` bytes that are not readable as a whole.
    private func readablePages(at address: TraceeAddress, count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var next = address
        while bytes.count < count {
            let size = min(Int(4096 - next % 4096), count - bytes.count)
            guard let page = memory.read(address: next, count: size) else { break }
            bytes += page
            next += TraceeAddress(size)
        }
        return bytes
    }

    /// The NUL-terminated string at `address`, at most `limit` bytes (read page by page, so that a string
    /// just before an unmapped page is still read): `limit` bytes when none of them is a NUL. Nil for NULL
    /// or when memory ends before a NUL (strace's umovestr fails there, and it prints the address).
    func cString(at address: TraceeAddress, limit: Int = 4096) -> [UInt8]? {
        guard address != 0 else { return nil }
        var text: [UInt8] = []
        var next = address
        while text.count < limit {
            let chunk = min(Int(4096 - next % 4096), limit - text.count)
            guard let bytes = memory.read(address: next, count: chunk) else { return nil }
            if let nul = bytes.firstIndex(of: 0) { return text + bytes[..<nul] }
            text += bytes
            next += TraceeAddress(chunk)
        }
        return text
    }

    /// A `struct timespec` for a call that has a `_time64` twin on i386.
    func timespec(at address: TraceeAddress, time64: Bool) -> TimeSpec? {
        let structure = time64 || architecture != .i386 ? CallStructs.timespec64 : CallStructs.timespec
        guard let fields = read(structure, at: address) else { return nil }
        return TimeSpec(seconds: fields["tv_sec"]!, nanoseconds: fields["tv_nsec"]!)
    }
}
