/// The structures of `msgctl`, `semctl` and `shmctl`, read where strace shows them: what the kernel
/// filled in (`*_STAT`, `*_INFO`) after success, what the caller passed (`IPC_SET`) always.
enum ControlDecoder {
    static func contents(_ family: Syscall.Family, command: Int32, at address: TraceeAddress, succeeded: Bool,
                         _ context: DecodeContext) -> DecodedStruct? {
        // The compat (i386) layouts differ; those calls show the address, as before.
        guard context.architecture != .i386, address != 0 else { return nil }
        guard let (layout, needsSuccess) = layout(family, command & ~IPCCommands.ipc64) else { return nil }
        guard succeeded || !needsSuccess,
              let bytes = context.memory.read(address: address, count: layout.size) else { return nil }
        return ControlLayouts.decode(bytes, layout.fields)
    }

    private typealias Layout = (size: Int, fields: [ControlLayouts.Field])

    /// The layout for a command, and whether it holds anything only after success (kernel output).
    private static func layout(_ family: Syscall.Family, _ command: Int32) -> (Layout, Bool)? {
        switch (family, command) {
        case (_, 1): // IPC_SET
            switch family {
            case .msg: (ControlLayouts.msqidSet, false)
            case .sem: (ControlLayouts.semidSet, false)
            default: (ControlLayouts.shmidSet, false)
            }
        case (.msg, 2), (.msg, 11), (.msg, 13): (ControlLayouts.msqidStat, true)  // IPC_STAT, MSG_STAT(_ANY)
        case (.msg, 3), (.msg, 12): (ControlLayouts.msginfo, true)                 // IPC_INFO, MSG_INFO
        case (.sem, 2), (.sem, 18), (.sem, 20): (ControlLayouts.semidStat, true)   // IPC_STAT, SEM_STAT(_ANY)
        case (.sem, 3), (.sem, 19): (ControlLayouts.seminfo, true)                 // IPC_INFO, SEM_INFO
        case (.shm, 2), (.shm, 13), (.shm, 15): (ControlLayouts.shmidStat, true)   // IPC_STAT, SHM_STAT(_ANY)
        case (.shm, 3): (ControlLayouts.shminfo, true)                             // IPC_INFO
        case (.shm, 14): (ControlLayouts.shmInfo, true)                            // SHM_INFO
        default: nil
        }
    }
}
