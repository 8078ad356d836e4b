import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// A seccomp filter, built with libseccomp, that returns `SECCOMP_RET_TRACE` for exactly the
/// selected syscalls on x86_64, i386 and x32, and allows everything else.
///
/// The filter tests only the architecture and the syscall number, so the kernel's seccomp action
/// cache (Linux ≥ 5.11) lets every untraced syscall skip the BPF program.
package struct SeccompFilter: Sendable {
    /// The classic BPF program: `struct sock_filter` instructions of 8 bytes each.
    package let program: [UInt8]
    /// The kernel names of the trapped syscalls, each one rule.
    private let names: [String]

    /// Builds the filter that traces `syscalls` under the kernel names `table` gives them on each ABI, and
    /// with `dataFlow` the read/write family of ``DataFlowSyscalls`` too (a name in both is one rule);
    /// throws ``IPCWatchError/cannotBuildFilter(function:errno:)`` when libseccomp fails.
    package init(tracing syscalls: Set<Syscall>, table: SyscallTable = .standard, dataFlow: Bool = false) throws(IPCWatchError) {
        try self.init(tracing: table.entries.filter { syscalls.contains($0.syscall) }, dataFlow: dataFlow)
    }

    /// Builds the filter that traces `entries` (and with `dataFlow` the read/write family).
    package init(tracing entries: [SyscallTable.Entry], dataFlow: Bool = false) throws(IPCWatchError) {
        var names = Set(entries.map(\.kernelName))
        if dataFlow { names.formUnion(DataFlowSyscalls.standard.kernelNames) }
        self.names = names.sorted()
        let context = try Self.context(trapping: self.names)
        defer { ipcw_filter_release(context) }
        program = try Self.export(context, with: ipcw_filter_export_bpf)
        guard !program.isEmpty, program.count % 8 == 0, program.count / 8 <= Int(UInt16.max) else {
            throw .cannotBuildFilter(function: "seccomp_export_bpf (\(program.count) bytes)", errno: Errno(rawValue: EINVAL))
        }
    }

    /// libseccomp's pseudo filter code of the same rules, for inspection and tests: made on demand, since a
    /// launch needs only the program (exporting it costs a memfd and a few kilobytes of text per start).
    package var pseudoCode: String {
        get throws(IPCWatchError) {
            let context = try Self.context(trapping: names)
            defer { ipcw_filter_release(context) }
            return String(decoding: try Self.export(context, with: ipcw_filter_export_pfc), as: UTF8.self)
        }
    }

    /// A libseccomp context that traces `names` on x86_64, i386 and x32 and allows everything else; the
    /// caller releases it.
    private static func context(trapping names: [String]) throws(IPCWatchError) -> UnsafeMutableRawPointer {
        guard let context = ipcw_filter_new() else { throw .cannotBuildFilter(function: "seccomp_init", errno: Errno(rawValue: ENOMEM)) }
        do throws(IPCWatchError) {
            // Every architecture a tracee may call through must be in the filter: libseccomp kills
            // the caller of an architecture it was not given.
            for arch in [ipcw_scmp_arch_x86, ipcw_scmp_arch_x32] {
                let rc = ipcw_filter_add_arch(context, arch)
                if rc != 0 && rc != -EEXIST { throw IPCWatchError.cannotBuildFilter(function: "seccomp_arch_add", errno: Errno(rawValue: -rc)) }
            }
            for name in names {
                let rc = ipcw_filter_trace_syscall(context, name)
                if rc != 0 { throw IPCWatchError.cannotBuildFilter(function: "seccomp_rule_add(\(name))", errno: Errno(rawValue: -rc)) }
            }
        } catch {
            ipcw_filter_release(context)
            throw error
        }
        return context
    }

    /// Number of BPF instructions.
    package var instructionCount: Int { program.count / 8 }

    /// libseccomp 2.5 can only export to a file descriptor: use a memfd and read it back.
    private static func export(_ context: UnsafeMutableRawPointer,
                               with exporter: (UnsafeMutableRawPointer?, Int32) -> Int32) throws(IPCWatchError) -> [UInt8] {
        let fd = ipcw_memfd_cloexec("ipcwatch-filter")
        guard fd >= 0 else { throw .cannotBuildFilter(function: "memfd_create", errno: .current) }
        defer { close(fd) }
        let rc = exporter(context, fd)
        guard rc == 0 else { throw .cannotBuildFilter(function: "seccomp_export", errno: Errno(rawValue: -rc)) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var offset: off_t = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw .cannotBuildFilter(function: "pread of the exported filter", errno: .current) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            offset += off_t(n)
        }
        return bytes
    }
}
