import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Typed ptrace(2) requests on one thread of a tracee. Each throws the request's errno.
struct Ptrace {
    struct Options: OptionSet {
        let rawValue: UInt
        static let traceSysGood = Options(rawValue: UInt(IPCW_PTRACE_O_TRACESYSGOOD))
        static let traceFork = Options(rawValue: UInt(IPCW_PTRACE_O_TRACEFORK))
        static let traceVfork = Options(rawValue: UInt(IPCW_PTRACE_O_TRACEVFORK))
        static let traceClone = Options(rawValue: UInt(IPCW_PTRACE_O_TRACECLONE))
        static let traceExec = Options(rawValue: UInt(IPCW_PTRACE_O_TRACEEXEC))
        static let traceExit = Options(rawValue: UInt(IPCW_PTRACE_O_TRACEEXIT))
        static let traceSeccomp = Options(rawValue: UInt(IPCW_PTRACE_O_TRACESECCOMP))
        static let exitKill = Options(rawValue: UInt(IPCW_PTRACE_O_EXITKILL))
    }

    let tid: pid_t

    private func request(_ request: Int32, address: UInt = 0, data: UInt = 0) throws(Errno) {
        if ipcw_ptrace(request, tid, address, data) < 0 { throw Errno.current }
    }

    /// `PTRACE_SEIZE`: attach without stopping the tracee.
    func seize(options: Options) throws(Errno) { try request(Int32(IPCW_PTRACE_SEIZE), data: options.rawValue) }

    /// `PTRACE_SETOPTIONS`: change the options of a stopped tracee (its future children inherit them).
    func setOptions(_ options: Options) throws(Errno) { try request(Int32(IPCW_PTRACE_SETOPTIONS), data: options.rawValue) }

    /// `PTRACE_CONT`, delivering `signal` (0 for none).
    func cont(signal: Int32 = 0) throws(Errno) { try request(Int32(IPCW_PTRACE_CONT), data: UInt(signal)) }

    /// `PTRACE_SYSCALL`: resume until the next syscall entry or exit.
    func resumeToSyscall(signal: Int32 = 0) throws(Errno) { try request(Int32(IPCW_PTRACE_SYSCALL), data: UInt(signal)) }

    /// `PTRACE_INTERRUPT`: stop a seized tracee (with `PTRACE_EVENT_STOP`), even inside a syscall.
    func interrupt() throws(Errno) { try request(Int32(IPCW_PTRACE_INTERRUPT)) }

    /// `PTRACE_DETACH`, delivering `signal` (0 for none).
    func detach(signal: Int32 = 0) throws(Errno) { try request(Int32(IPCW_PTRACE_DETACH), data: UInt(signal)) }

    /// `PTRACE_LISTEN`: leave a group-stopped tracee stopped but let it report its resumption.
    func listen() throws(Errno) { try request(Int32(IPCW_PTRACE_LISTEN)) }

    /// `PTRACE_GETEVENTMSG`: the pid of a new child, or the former tid after an exec.
    func eventMessage() throws(Errno) -> UInt {
        var message: UInt = 0
        try withUnsafeMutablePointer(to: &message) { (pointer) throws(Errno) in
            try request(Int32(IPCW_PTRACE_GETEVENTMSG), data: UInt(bitPattern: pointer))
        }
        return message
    }

    /// `PTRACE_GET_RSEQ_CONFIGURATION` (Linux 5.13): the address of the thread's `struct rseq`, nil when it
    /// registered none (glibc registers one per thread since 2.35).
    func rseqArea() throws(Errno) -> UInt64? {
        var configuration = ipcw_rseq_configuration()
        try withUnsafeMutablePointer(to: &configuration) { (pointer) throws(Errno) in
            try request(Int32(IPCW_PTRACE_GET_RSEQ_CONFIGURATION), address: UInt(MemoryLayout<ipcw_rseq_configuration>.size),
                        data: UInt(bitPattern: pointer))
        }
        return configuration.rseq_abi_pointer == 0 ? nil : configuration.rseq_abi_pointer
    }

    /// `PTRACE_GET_SYSCALL_INFO`.
    func syscallInfo() throws(Errno) -> ipcw_syscall_info {
        var info = ipcw_syscall_info()
        if ipcw_get_syscall_info(tid, &info) < 0 { throw Errno.current }
        return info
    }

    /// `PTRACE_GETSIGINFO`, at a signal-delivery stop.
    func signalInfo() throws(Errno) -> SignalInfo {
        var raw = ipcw_siginfo()
        if ipcw_get_siginfo(tid, &raw) < 0 { throw Errno.current }
        var info = SignalInfo()
        info.signo = raw.signo
        info.errno = raw.errno_value
        info.code = raw.code
        info.pid = raw.pid
        info.uid = raw.uid
        info.status = raw.status
        info.utime = raw.utime
        info.stime = raw.stime
        info.address = raw.addr
        info.intValue = raw.int_value
        info.pointer = raw.ptr
        info.band = raw.band
        info.fd = raw.fd
        info.timerID = raw.timerid
        info.overrun = raw.overrun
        info.callAddress = raw.call_addr
        info.syscall = raw.syscall
        info.arch = raw.arch
        return info
    }

    /// `process_vm_readv(2)` of `count` bytes; nil when the range is not readable.
    func read(address: UInt64, count: Int) -> [UInt8]? {
        guard count > 0 else { return [] }
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let n = ipcw_read_memory(tid, address, buffer.baseAddress, count)
            initialized = n == count ? count : 0
        }
        return bytes.count == count ? bytes : nil
    }
}
