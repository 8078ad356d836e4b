/// The structures of `msgctl`, `semctl` and `shmctl`, read where strace shows them: what the kernel
/// filled in (`*_STAT`, `*_INFO`) after success, what the caller passed (`IPC_SET`) always.
enum ControlDecoder {
    static func contents(_ family: Syscall.Family, command: Int32, at address: TraceeAddress, succeeded: Bool,
                         _ context: DecodeContext) -> DecodedStruct? {
        guard address != 0 else { return nil }
        let compat = context.architecture == .i386
        // i386 direct calls always use the IPC_64 layouts; through ipc(2) only with the IPC_64 bit (the
        // old layouts, with 16-bit ids, are shown as an address).
        if compat && context.multiplexed && command & IPCCommands.ipc64 == 0 { return nil }
        guard let (layout, needsSuccess) = layout(family, command & ~IPCCommands.ipc64, compat: compat) else { return nil }
        guard succeeded || !needsSuccess,
              let bytes = context.memory.read(address: address, count: layout.size) else { return nil }
        return ControlLayouts.decode(bytes, layout.fields, compat: compat)
    }

    private typealias Layout = (size: Int, fields: [ControlLayouts.Field])

    /// The layout for a command, and whether it holds anything only after success (kernel output).
    private static func layout(_ family: Syscall.Family, _ command: Int32, compat: Bool) -> (Layout, Bool)? {
        typealias C = ControlLayouts.Compat
        switch (family, command) {
        case (.msg, 1): return (compat ? C.msqidSet : ControlLayouts.msqidSet, false)          // IPC_SET
        case (.sem, 1): return (compat ? C.semidSet : ControlLayouts.semidSet, false)
        case (.shm, 1): return (compat ? C.shmidSet : ControlLayouts.shmidSet, false)
        case (.msg, 2), (.msg, 11), (.msg, 13):                                                 // IPC_STAT, MSG_STAT(_ANY)
            return (compat ? C.msqidStat : ControlLayouts.msqidStat, true)
        case (.msg, 3), (.msg, 12): return (ControlLayouts.msginfo, true)                      // IPC_INFO, MSG_INFO: ints only
        case (.sem, 2), (.sem, 18), (.sem, 20):                                                 // IPC_STAT, SEM_STAT(_ANY)
            return (compat ? C.semidStat : ControlLayouts.semidStat, true)
        case (.sem, 3), (.sem, 19): return (ControlLayouts.seminfo, true)                      // IPC_INFO, SEM_INFO: ints only
        case (.shm, 2), (.shm, 13), (.shm, 15):                                                 // IPC_STAT, SHM_STAT(_ANY)
            return (compat ? C.shmidStat : ControlLayouts.shmidStat, true)
        case (.shm, 3): return (compat ? C.shminfo : ControlLayouts.shminfo, true)             // IPC_INFO
        case (.shm, 14): return (compat ? C.shmInfo : ControlLayouts.shmInfo, true)            // SHM_INFO
        default: return nil
        }
    }
}
