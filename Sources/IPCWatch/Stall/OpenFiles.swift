import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Every process this tracer may look at (`/proc/PID/fd` readable), with its name, parent and open
/// descriptors: who holds the other end of a pipe, FIFO or queue, and whose children are whose. Taken once
/// per report (a report is rare: a stall, a signal).
struct OpenFiles {
    /// A file, as `stat` names it.
    struct FileKey: Hashable {
        var device: UInt64
        var inode: UInt64
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
    private var holders: [FileKey: [Holder]] = [:]

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
                    var target = stat(), link = stat()
                    guard fstatat(directoryFD, name, &target, 0) == 0,
                          fstatat(directoryFD, name, &link, AT_SYMLINK_NOFOLLOW) == 0 else { return }
                    let kind = target.st_mode & S_IFMT
                    guard kind == S_IFIFO || kind == S_IFSOCK || kind == S_IFREG else { return }
                    // The link's permission bits are the descriptor's open mode: lr-x read, l-wx write.
                    let key = FileKey(device: UInt64(target.st_dev), inode: UInt64(target.st_ino))
                    holders[key, default: []].append(Holder(pid: pid, fd: Int32(atoi(name)),
                                                            canRead: link.st_mode & S_IRUSR != 0,
                                                            canWrite: link.st_mode & S_IWUSR != 0))
                }
            }
        }
    }

    /// Every descriptor open on `key`, by pid then fd.
    func holders(of key: FileKey) -> [Holder] {
        (holders[key] ?? []).sorted { ($0.pid, $0.fd) < ($1.pid, $1.fd) }
    }

    /// The children of process `pid` (of any of its threads).
    func children(of pid: Int32) -> [Int32] { parents.filter { $0.value == pid }.map(\.key).sorted() }

    func name(of pid: Int32) -> String { names[pid] ?? ProcFS.identity(of: pid)?.name ?? "?" }

    /// The file behind `fd` of `pid`: its key, type bits and what `/proc/PID/fd/N` points to.
    static func file(pid: Int32, fd: Int32) -> (key: FileKey, type: mode_t, link: String)? {
        var target = stat()
        guard stat("/proc/\(pid)/fd/\(fd)", &target) == 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/\(pid)/fd/\(fd)", &buffer, buffer.count - 1)
        let link = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        return (FileKey(device: UInt64(target.st_dev), inode: UInt64(target.st_ino)), target.st_mode & S_IFMT, link)
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
