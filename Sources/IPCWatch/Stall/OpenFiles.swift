import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Every process this tracer may look at (`/proc/PID/fd` readable: its user's, or all for root), with its
/// name, parent and open descriptors: who holds the other end of a pipe, FIFO or queue, and whose children
/// are whose. Taken once per report (a report is rare: a stall, a signal).
///
/// Only links are read: a pipe or socket link names its inode (`pipe:[N]`), and a path is stat'ed only when
/// it is the path of the file waited on. Following every descriptor (`stat`) would hang the tracer in `D`
/// on a file of a stale NFS mount or a stopped FUSE daemon.
struct OpenFiles {
    /// A file, as `stat` names it.
    struct FileKey: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// An open file: its key, its type bits and what `/proc/PID/fd/N` points to. For a pipe or socket the
    /// key is the link's inode (device 0): no `stat`.
    struct File {
        var key: FileKey
        var type: mode_t
        var link: String
    }

    /// One descriptor of one process on a file, and how it was opened.
    struct Holder: Equatable {
        var pid: Int32
        var fd: Int32
        var canRead: Bool
        var canWrite: Bool
    }

    private(set) var names: [Int32: String] = [:]
    private(set) var parents: [Int32: Int32] = [:]
    /// By the descriptor's link (`pipe:[N]`, `socket:[N]`, a path).
    private var holders: [String: [Holder]] = [:]

    /// Reads `/proc` now. The tracer's own descriptors are left out.
    init() {
        guard let proc = opendir("/proc") else { return }
        defer { closedir(proc) }
        let me = getpid()
        while let entry = readdir(proc) {
            let pid = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { Int32(atoi($0)) }
            }
            guard pid > 0, pid != me, let identity = ProcFS.identity(of: pid) else { continue }
            names[pid] = identity.name
            parents[pid] = identity.parentProcessID
            scanDescriptors(of: pid)
        }
    }

    private mutating func scanDescriptors(of pid: Int32) {
        guard let directory = opendir("/proc/\(pid)/fd") else { return }
        defer { closedir(directory) }
        let directoryFD = dirfd(directory)
        while let entry = readdir(directory) {
            withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { name in
                    guard name[0] != UInt8(ascii: ".") else { return }
                    // The link itself, in procfs: its permission bits are the descriptor's open mode (lr-x
                    // read, l-wx write). Nothing here reaches the file's own filesystem.
                    var link = stat()
                    guard fstatat(directoryFD, name, &link, AT_SYMLINK_NOFOLLOW) == 0 else { return }
                    guard let target = ProcFS.linkTarget(directoryFD, name), target.hasPrefix("pipe:[") || target.hasPrefix("socket:[") || target.hasPrefix("/") else { return }
                    holders[target, default: []].append(Holder(pid: pid, fd: Int32(atoi(name)),
                                                               canRead: link.st_mode & S_IRUSR != 0,
                                                               canWrite: link.st_mode & S_IWUSR != 0))
                }
            }
        }
    }

    /// Every descriptor open on `file`, by pid then fd: those with the same pipe or socket link; for a path,
    /// those with the same path whose `stat` is the file's (a path renamed or reused is another file).
    func holders(of file: File) -> [Holder] {
        var found = holders[file.link] ?? []
        if !Self.isAnonymous(file.link) {
            found = found.filter { Self.file(pid: $0.pid, fd: $0.fd)?.key == file.key }
        }
        return found.sorted { ($0.pid, $0.fd) < ($1.pid, $1.fd) }
    }

    /// The holders of the socket with inode `inode` (a Unix socket's peer).
    func holders(ofSocket inode: UInt64) -> [Holder] {
        holders(of: File(key: FileKey(device: 0, inode: inode), type: S_IFSOCK, link: "socket:[\(inode)]"))
    }

    /// The children of process `pid` (of any of its threads).
    func children(of pid: Int32) -> [Int32] { parents.filter { $0.value == pid }.map(\.key).sorted() }

    func name(of pid: Int32) -> String { names[pid] ?? ProcFS.identity(of: pid)?.name ?? "?" }

    private static func isAnonymous(_ link: String) -> Bool { link.hasPrefix("pipe:[") || link.hasPrefix("socket:[") }

    /// The file behind `fd` of `pid`. A pipe or socket from its link alone; anything else is stat'ed (the
    /// file waited on, or one with its path).
    static func file(pid: Int32, fd: Int32) -> File? {
        guard let link = ProcFS.link("/proc/\(pid)/fd/\(fd)") else { return nil }
        for (prefix, type) in [("pipe:[", S_IFIFO), ("socket:[", S_IFSOCK)] where link.hasPrefix(prefix) && link.hasSuffix("]") {
            guard let inode = UInt64(link.dropFirst(prefix.count).dropLast()) else { return nil }
            return File(key: FileKey(device: 0, inode: inode), type: type, link: link)
        }
        var target = stat()
        guard stat("/proc/\(pid)/fd/\(fd)", &target) == 0 else { return nil }
        return File(key: FileKey(device: UInt64(target.st_dev), inode: UInt64(target.st_ino)), type: target.st_mode & S_IFMT, link: link)
    }

    /// A copy of `fd` of `pid` (`pidfd_getfd`: the tracer may take one of a tracee's descriptors), given to
    /// `body` and closed after it; nil if the copy cannot be taken.
    static func withCopy<T>(pid: Int32, fd: Int32, _ body: (Int32) -> T) -> T? {
        let pidFD = ipcw_pidfd_open(pid)
        guard pidFD >= 0 else { return nil }
        defer { close(pidFD) }
        let copy = ipcw_pidfd_getfd(pidFD, fd)
        guard copy >= 0 else { return nil }
        defer { close(copy) }
        return body(copy)
    }
}
