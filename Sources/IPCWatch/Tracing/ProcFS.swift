import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Who a thread is, from `/proc/TID/status`: read once per thread, again after it execs.
struct ThreadIdentity: Sendable, Hashable {
    var processID: Int32
    var parentProcessID: Int32
    var userID: UInt32
    var name: String
}

enum ProcFS {
    /// Reads a small /proc file in one go (they are generated on read; no stdio, no Foundation).
    static func read(_ path: String, limit: Int = 4096) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // Grown as the file turns out longer: a large limit is not a large allocation up front.
        var buffer = [UInt8](repeating: 0, count: min(limit, 64 * 1024))
        var total = 0
        while total < limit {
            if total == buffer.count { buffer += repeatElement(0, count: min(buffer.count, limit - buffer.count)) }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, $0.count - total) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            total += n
        }
        return Array(buffer[0..<total])
    }

    /// The target of a link (`/proc/PID/ns/ipc` → `ipc:[4026531839]`), nil if it cannot be read.
    /// `capacity`: the longest target wanted (a longer one comes back cut).
    static func link(_ path: String, capacity: Int = 4096) -> String? {
        var target = [CChar](repeating: 0, count: capacity + 1)
        let n = readlink(path, &target, capacity)
        guard n > 0 else { return nil }
        return String(decoding: target[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The target of `fd`'s link in /proc/TID/fd (`/dev/null`, `socket:[12345]`), nil if it is not open.
    static func descriptorTarget(tid: pid_t, fd: Int32) -> String? { link("/proc/\(tid)/fd/\(fd)") }

    /// The inode of the pipe behind `fd` of `tid` (`pipe:[12345]`), nil if it is not a pipe.
    static func pipeInode(tid: pid_t, fd: Int32) -> UInt64? {
        // A pipe's link is short: a small buffer on this per-pipe path.
        guard let link = link("/proc/\(tid)/fd/\(fd)", capacity: 63), link.hasPrefix("pipe:["), link.hasSuffix("]") else { return nil }
        return UInt64(link.dropFirst(6).dropLast())
    }

    /// The fields of `/proc/TID/stat` after `(comm)`: index 0 is field 3 (state). Nil if the thread is gone.
    static func statFields(of tid: pid_t) -> [Substring]? {
        guard let bytes = read("/proc/\(tid)/stat"), let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        return String(decoding: bytes[(close + 1)...], as: UTF8.self).split(separator: " ")
    }

    /// The tids in `/proc/PID/task`, nil if the process does not exist.
    static func threads(of pid: pid_t) -> [pid_t]? {
        guard let directory = opendir("/proc/\(pid)/task") else { return nil }
        defer { closedir(directory) }
        var tids: [pid_t] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if let tid = pid_t(name) { tids.append(tid) }
        }
        return tids
    }

    /// ipcwatch's pid, then its parent's, up to (not including) init: processes a tracer must never stop (a
    /// shell waiting for ipcwatch would wait for ever).
    static func ancestors() -> [pid_t] {
        var pids: [pid_t] = [], pid = getpid()
        while pid > 1, !pids.contains(pid) {
            pids.append(pid)
            guard let parent = identity(of: pid)?.parentProcessID else { break }
            pid = parent
        }
        return pids
    }

    /// The fields of `/proc/TID/status`: name → value (leading blanks removed); nil if the thread is gone.
    static func status(of tid: pid_t) -> [String: String]? {
        guard let bytes = read("/proc/\(tid)/status") else { return nil }
        var fields: [String: String] = [:]
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let value = line[(colon + 1)...].drop { $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: " ") }
            fields[String(decoding: line[line.startIndex..<colon], as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        return fields
    }

    /// The first word of one status field (`Uid:\t0\t0\t0\t0` → `0`, `State:\tS (sleeping)` → `S`).
    static func statusWord(_ name: String, of tid: pid_t) -> String? {
        status(of: tid)?[name].flatMap { $0.split(whereSeparator: { $0 == "\t" || $0 == " " }).first.map(String.init) }
    }

    /// Name, Tgid, PPid and the real Uid from `/proc/TID/status`, scanned in place: it is read for every
    /// new thread and after every exec, so no dictionary of its fifty fields is built.
    static func identity(of tid: pid_t) -> ThreadIdentity? {
        guard let bytes = read("/proc/\(tid)/status") else { return nil }
        var name = "", processID = tid, parentProcessID: Int32 = 0, userID: UInt32 = 0, found = 0
        for line in bytes.split(separator: UInt8(ascii: "\n")) where found < 4 {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let value = line[(colon + 1)...].drop { $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: " ") }
            let word = { value.prefix { $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: " ") } }
            let number = { word().reduce(0 as Int64) { $0 &* 10 &+ Int64($1 &- UInt8(ascii: "0")) } }
            switch line[line.startIndex..<colon].count {
            case 4 where line.starts(with: "Name".utf8):
                // The comm, with "\n" and "\\" escaped by the kernel: the whole value.
                name = String(decoding: value, as: UTF8.self); found += 1
            case 4 where line.starts(with: "Tgid".utf8): processID = Int32(truncatingIfNeeded: number()); found += 1
            case 4 where line.starts(with: "PPid".utf8): parentProcessID = Int32(truncatingIfNeeded: number()); found += 1
            case 3 where line.starts(with: "Uid".utf8): userID = UInt32(truncatingIfNeeded: number()); found += 1
            default: continue
            }
        }
        return ThreadIdentity(processID: processID, parentProcessID: parentProcessID, userID: userID, name: name)
    }
}

/// A stopped tracee's memory: `process_vm_readv(2)`, falling back to `/proc/TID/mem` where that
/// syscall is unavailable.
struct ProcessMemory: TraceeMemory {
    let tid: pid_t

    func read(address: TraceeAddress, count: Int) -> [UInt8]? {
        guard address != 0 else { return nil }
        if let bytes = Ptrace(tid: tid).read(address: address, count: count) { return bytes }
        // EFAULT/EIO mean the range is unmapped: /proc/TID/mem would say the same.
        guard errno == ENOSYS || errno == EPERM else { return nil }
        let fd = open("/proc/\(tid)/mem", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(Int64(bitPattern: address))) }
        return n == count ? bytes : nil
    }
}

extension ProcFS {
    /// The pipe, FIFO and Unix socket descriptors of process `pid`, with no file reads: following
    /// `/proc/PID/fd/N` gives the pipe (its inode is the `pipe:[inode]`), and the link itself carries the open
    /// mode in its permission bits (`lr-x` read end, `l-wx` write end). A FIFO is told from a pipe by its
    /// device (``isAnonymousPipe(_:)``) and costs one `readlink` for its path; a socket is looked up in
    /// `unixSockets` (none when nil).
    static func descriptors(of pid: pid_t, unixSockets: inout UnixSockets?) -> (pipes: [PipeDescriptor], channels: [ChannelDescriptor]) {
        guard let directory = opendir("/proc/\(pid)/fd") else { return ([], []) }
        defer { closedir(directory) }
        let directoryFD = dirfd(directory)
        var pipes: [PipeDescriptor] = [], channels: [ChannelDescriptor] = []
        while let entry = readdir(directory) {
            withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { name in
                    guard name[0] != UInt8(ascii: ".") else { return }
                    var target = stat(), link = stat()
                    guard fstatat(directoryFD, name, &target, 0) == 0 else { return }
                    let fd = Int32(atoi(name)), inode = UInt64(target.st_ino)
                    switch target.st_mode & S_IFMT {
                    case S_IFIFO:
                        guard fstatat(directoryFD, name, &link, AT_SYMLINK_NOFOLLOW) == 0 else { return }
                        let readable = link.st_mode & S_IRUSR != 0, writable = link.st_mode & S_IWUSR != 0
                        let end: PipeEnd? = readable == writable ? nil : writable ? .write : .read
                        if isAnonymousPipe(target) {
                            if let end { pipes.append(PipeDescriptor(fd: fd, inode: inode, end: end)) }
                        } else {
                            channels.append(ChannelDescriptor(fd: fd, kind: .fifo, inode: inode, end: end,
                                                              path: linkTarget(directoryFD, name)))
                        }
                    case S_IFSOCK:
                        guard let socket = unixSockets?.socket(inode: inode) else { return }
                        channels.append(ChannelDescriptor(fd: fd, kind: .unix, inode: inode, path: socket.name,
                                                          peerInode: socket.peer))
                    default:
                        return
                    }
                }
            }
        }
        return (pipes.sorted { $0.fd < $1.fd }, channels.sorted { $0.fd < $1.fd })
    }

    /// True when an `S_IFIFO` file is an anonymous pipe: it lives on pipefs, whose device a pipe of our own
    /// shows (a FIFO lives on the file system of its path). If that pipe cannot be made, every one is a pipe.
    static func isAnonymousPipe(_ status: stat) -> Bool {
        guard let pipeFileSystem else { return true }
        return UInt64(status.st_dev) == pipeFileSystem
    }

    private static let pipeFileSystem: UInt64? = {
        var ends: [Int32] = [-1, -1]
        guard ipcw_pipe_cloexec(&ends) == 0 else { return nil }
        defer { close(ends[0]); close(ends[1]) }
        var status = stat()
        return fstat(ends[0], &status) == 0 ? UInt64(status.st_dev) : nil
    }()

    /// The anonymous pipe descriptors of `pid` alone (no socket lookups).
    static func pipeDescriptors(of pid: pid_t) -> [PipeDescriptor] {
        var noSockets: UnixSockets? = nil
        return descriptors(of: pid, unixSockets: &noSockets).pipes
    }

    /// Where the link `name` in `directoryFD` points.
    static func linkTarget(_ directoryFD: Int32, _ name: UnsafePointer<CChar>) -> String? {
        var target = [CChar](repeating: 0, count: 4096)
        let n = readlinkat(directoryFD, name, &target, target.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: target[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `argv[0]` of `pid`, from `/proc/PID/cmdline`.
    static func argv0(of pid: pid_t) -> String {
        guard let bytes = read("/proc/\(pid)/cmdline", limit: 4096) else { return "" }
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}
