/// The structures of `msgctl`, `semctl` and `shmctl`, read where strace shows them: what the kernel
/// filled in (`*_STAT`, `*_INFO`) after success, what the caller passed (`IPC_SET`) always.
enum ControlDecoder {
    static func contents(_ family: Syscall.Family, command: Int32, at address: TraceeAddress, succeeded: Bool,
                         _ context: DecodeContext) -> DecodedStruct? {
        guard address != 0 else { return nil }
        let abi = context.architecture
        // i386 direct calls always use the IPC_64 layouts; through ipc(2) only with the IPC_64 bit (the
        // old layouts, with 16-bit ids, are shown as an address).
        if abi == .i386 && context.multiplexed && command & IPCCommands.ipc64 == 0 { return nil }
        guard let (structure, isSet) = structure(family, command & ~IPCCommands.ipc64), succeeded || isSet,
              let bytes = context.memory.read(address: address, count: structure.size(on: abi)) else { return nil }
        return structure.decode(bytes[...], on: abi, setForm: isSet)
    }

    /// The structure a command exchanges, and whether the command is IPC_SET: the caller's input, shown
    /// in strace's short form whatever the result. The others hold anything only after success.
    static func structure(_ family: Syscall.Family, _ command: Int32) -> (PrintedStruct, isSet: Bool)? {
        switch (family, command) {
        case (.msg, 1): (.msqid64DS, true)                                      // IPC_SET
        case (.sem, 1): (.semid64DS, true)
        case (.shm, 1): (.shmid64DS, true)
        case (.msg, 2), (.msg, 11), (.msg, 13): (.msqid64DS, false)            // IPC_STAT, MSG_STAT(_ANY)
        case (.msg, 3), (.msg, 12): (.msginfo, false)                          // IPC_INFO, MSG_INFO
        case (.sem, 2), (.sem, 18), (.sem, 20): (.semid64DS, false)            // IPC_STAT, SEM_STAT(_ANY)
        case (.sem, 3), (.sem, 19): (.seminfo, false)                          // IPC_INFO, SEM_INFO
        case (.shm, 2), (.shm, 13), (.shm, 15): (.shmid64DS, false)            // IPC_STAT, SHM_STAT(_ANY)
        case (.shm, 3): (.shminfo64, false)                                    // IPC_INFO
        case (.shm, 14): (.shmInfo, false)                                     // SHM_INFO
        default: nil
        }
    }
}
