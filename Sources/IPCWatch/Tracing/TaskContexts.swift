import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Reads each thread's ``TaskContext`` from /proc: once per thread (and again after it execs), plus the
/// CPU at every call. The CPU comes from the thread's own `struct rseq` (`cpu_id`, which the kernel keeps
/// up to date for a thread that registered one, as glibc does for every thread): four bytes read from its
/// memory. Without one, from a `/proc/TID/stat` descriptor kept open for that thread (a `pread`, and the
/// kernel formats fifty fields for it: five times the cost); past ``maximumOpen`` threads the file is opened
/// for each call instead. A class: its descriptors close with it.
final class TaskContexts {
    /// Kept descriptors at the most: a trace of a program with thousands of threads must not exhaust
    /// the tracer's descriptor limit.
    static let maximumOpen = 256
    private struct Known {
        var context: TaskContext
        var stat: Int32
        /// The thread's `struct rseq`, nil when it registered none.
        var rseq: TraceeAddress?
    }
    private var known: [pid_t: Known] = [:]
    private var openDescriptors = 0
    /// Host names by UTS namespace inode: another namespace's name costs a fork (`ipcw_uts_name_of`).
    private var hostNames: [UInt64: String] = [:]
    private let ownUTSNamespace = TaskContexts.inode("/proc/self/ns/uts")
    /// Boot time, ns since the epoch: what turns /proc's ticks since boot into epoch times.
    private let bootTime: UInt64 = {
        var real = timespec(), boot = timespec()
        clock_gettime(CLOCK_REALTIME, &real)
        clock_gettime(CLOCK_BOOTTIME, &boot)
        return UInt64(real.tv_sec - boot.tv_sec) * 1_000_000_000 &+ UInt64(bitPattern: Int64(real.tv_nsec - boot.tv_nsec))
    }()
    private let nanosecondsPerTick = 1_000_000_000 / UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))

    /// The context of `tid` (of process `identity.processID`, child of `identity.parentProcessID`) now.
    deinit {
        for entry in known.values where entry.stat >= 0 { close(entry.stat) }
    }

    func context(of tid: pid_t, _ identity: ThreadIdentity) -> TaskContext {
        if var entry = known[tid] {
            entry.context.processorID = processor(tid, entry)
            return entry.context
        }
        let rseq = try? Ptrace(tid: tid).rseqArea()
        var stat: Int32 = -1
        if rseq == nil, openDescriptors < Self.maximumOpen {
            stat = open("/proc/\(tid)/stat", O_RDONLY | O_CLOEXEC)
            if stat >= 0 { openDescriptors += 1 }
        }
        var entry = Known(context: read(tid, identity), stat: stat, rseq: rseq)
        entry.context.processorID = processor(tid, entry)
        known[tid] = entry
        return entry.context
    }

    /// The CPU `tid` entered this call on: `cpu_id` of its `struct rseq` (offset 4; the kernel sets it when
    /// the thread returns to user space on a CPU, so at a stop it is the CPU the call was made on), else
    /// /proc/TID/stat's field 39.
    private func processor(_ tid: pid_t, _ entry: Known) -> Int32 {
        if let rseq = entry.rseq, let bytes = ProcessMemory(tid: tid).read(address: rseq + 4, count: 4) {
            let cpu = Int32(truncatingIfNeeded: DecodeContext.littleEndian(bytes[...], signed: true))
            if cpu >= 0 { return cpu }  // -1: not yet initialised, -2: registration failed
        }
        return entry.stat >= 0 ? Self.processor(entry.stat) : Self.processor(of: tid)
    }

    private static func processor(of tid: pid_t) -> Int32 {
        let fd = open("/proc/\(tid)/stat", O_RDONLY | O_CLOEXEC)
        defer { if fd >= 0 { close(fd) } }
        return processor(fd)
    }

    /// `tid` exec'd (new executable, maybe new namespaces) or ended.
    func forget(_ tid: pid_t) {
        if let entry = known.removeValue(forKey: tid), entry.stat >= 0 {
            close(entry.stat)
            openDescriptors -= 1
        }
    }

    private func read(_ tid: pid_t, _ identity: ThreadIdentity) -> TaskContext {
        let pid = identity.processID, ppid = identity.parentProcessID
        let ids = Self.namespacedIDs(tid)
        let parentIDs = ppid > 0 ? Self.namespacedIDs(ppid) : nil
        // The parent as the task's namespace sees it: its entry at the task's level, if it has one.
        let level = ids.map { $0.process.count - 1 } ?? 0
        let parentInNamespace = parentIDs.flatMap { level < $0.process.count ? $0.process[level] : nil } ?? 0
        let threadStart = startTime(tid), leaderStart = startTime(pid), parentStart = ppid > 0 ? startTime(ppid) : 0
        let uts = Self.inode("/proc/\(tid)/ns/uts")
        return TaskContext(
            threadStartTime: threadStart, processorID: 0,
            processID: ids?.process.last ?? pid, threadID: ids?.thread.last ?? tid, parentProcessID: parentInNamespace,
            cgroupID: Self.cgroupID(pid), mountNamespace: Self.inode("/proc/\(tid)/ns/mnt"),
            pidNamespace: Self.inode("/proc/\(tid)/ns/pid"), executablePath: Self.executable(pid),
            hostName: hostName(uts: uts, pid: pid),
            threadEntityID: TaskHash.taskID(UInt32(bitPattern: tid), startTime: threadStart),
            processEntityID: TaskHash.taskID(UInt32(bitPattern: pid), startTime: leaderStart),
            parentEntityID: ppid > 0 ? TaskHash.taskID(UInt32(bitPattern: ppid), startTime: parentStart) : 0)
    }

    private func hostName(uts: UInt64, pid: pid_t) -> String {
        if let name = hostNames[uts] { return name }
        var buffer = [CChar](repeating: 0, count: 256)
        if uts == ownUTSNamespace || uts == 0 {
            gethostname(&buffer, buffer.count - 1)
        } else if ipcw_uts_name_of(pid, &buffer, buffer.count) != 0 {
            buffer[0] = 0  // may not join it (another user's namespace): unknown
        }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        hostNames[uts] = name
        return name
    }

    /// Ticks since boot (`/proc/TID/stat` field 22) as ns since the epoch.
    private func startTime(_ tid: pid_t) -> UInt64 {
        guard let fields = ProcFS.statFields(of: tid), fields.count > 19,
              let ticks = UInt64(fields[19]) else { return 0 }
        return bootTime &+ ticks &* nanosecondsPerTick
    }

    /// Field 39 (processor) of the open stat file: read at every call, so parsed in place, no strings.
    private static func processor(_ fd: Int32) -> Int32 {
        guard fd >= 0 else { return 0 }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024) { buffer in
            let n = pread(fd, buffer.baseAddress, buffer.count, 0)
            guard n > 0, let close = buffer[0..<n].lastIndex(of: UInt8(ascii: ")")) else { return 0 }
            // After "(comm)" come field 3 (state) onwards, one space before each: field 39 follows the 37th.
            var spaces = 0, value: Int32 = 0, i = close + 1
            while i < n {
                let byte = buffer[i]
                if byte == UInt8(ascii: " ") {
                    if spaces == 37 { break }
                    spaces += 1
                } else if spaces == 37 {
                    value = value &* 10 &+ Int32(byte &- UInt8(ascii: "0"))
                }
                i += 1
            }
            return value
        }
    }

    /// `NStgid` and `NSpid` of /proc/TID/status: the ids from ipcwatch's pid namespace down to the task's own.
    private static func namespacedIDs(_ tid: pid_t) -> (process: [Int32], thread: [Int32])? {
        guard let fields = ProcFS.status(of: tid) else { return nil }
        let ids = { (name: String) in
            fields[name]?.split(whereSeparator: { $0 == "\t" || $0 == " " }).compactMap { Int32($0) } ?? []
        }
        let process = ids("NStgid"), thread = ids("NSpid")
        return process.isEmpty || thread.isEmpty ? nil : (process, thread)
    }

    /// The inode of the cgroup v2 directory of `pid` (`0::/path` in /proc/PID/cgroup), as Tracee's `cgroupId`.
    private static func cgroupID(_ pid: pid_t) -> UInt64 {
        guard let bytes = ProcFS.read("/proc/\(pid)/cgroup") else { return 0 }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("0::") {
            return inode("/sys/fs/cgroup" + line.dropFirst(3))
        }
        return 0
    }

    private static func executable(_ pid: pid_t) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/\(pid)/exe", &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    }

    private static func inode(_ path: String) -> UInt64 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : 0
    }
}
