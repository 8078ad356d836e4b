import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// The SysV IPC objects and POSIX message queues of ipcwatch's IPC namespace as the kernel has them now:
/// what ``Leftovers`` compares the trace's calls with, at its start and at its end.
package enum IPCNamespace {
    /// One SysV object as `/proc/sysvipc` lists it (`IPC_STAT`'s fields, for every object whatever its
    /// permissions: `msgctl(IPC_STAT)` would need read permission on each).
    package struct SysVObject: Sendable, Hashable {
        package var kind: IPCObjectKind
        package var id: Int32
        package var key: Int32
        /// The creator's process id: `shm_cpid`; the kernel keeps none for queues and semaphore sets.
        package var creatorPID: Int32?
        /// The last change (creation, `IPC_SET`, `SETVAL`…), in seconds since the epoch.
        package var changeTime: Int64

        package init(kind: IPCObjectKind, id: Int32, key: Int32, creatorPID: Int32? = nil, changeTime: Int64) {
            (self.kind, self.id, self.key, self.creatorPID, self.changeTime) = (kind, id, key, creatorPID, changeTime)
        }
    }

    /// Every queue, semaphore set and segment now; nil when `/proc/sysvipc` cannot be read.
    package static func sysvObjects() -> [SysVObject]? {
        var objects: [SysVObject] = []
        for (kind, file, idColumn) in [(IPCObjectKind.msg, "msg", "msqid"), (.sem, "sem", "semid"), (.shm, "shm", "shmid")] {
            guard let bytes = readAll("/proc/sysvipc/\(file)") else { return nil }
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            guard let header = lines.first?.split(separator: " ").map(String.init),
                  let key = header.firstIndex(of: "key"), let id = header.firstIndex(of: idColumn),
                  let ctime = header.firstIndex(of: "ctime") else { return nil }
            let cpid = header.firstIndex(of: "cpid")
            for line in lines.dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count == header.count, let keyValue = Int32(fields[key]), let idValue = Int32(fields[id]),
                      let changed = Int64(fields[ctime]) else { continue }
                objects.append(SysVObject(kind: kind, id: idValue, key: keyValue, creatorPID: cpid.flatMap { Int32(fields[$0]) },
                                          changeTime: changed))
            }
        }
        return objects
    }

    /// A whole file, 16 KiB at a time: the namespace may hold thousands of objects, or a header alone
    /// (read at every trace's start and end, where a large buffer would cost more than the reading).
    private static func readAll(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return n < 0 ? nil : bytes }
            bytes += chunk[0..<n]
        }
    }

    /// The queues' names (as the kernel has them, without the leading slash) when `/dev/mqueue` is mounted;
    /// nil otherwise.
    package static func queueNames() -> Set<String>? {
        guard let directory = opendir("/dev/mqueue") else { return nil }
        defer { closedir(directory) }
        var names = Set<String>()
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.insert(name) }
        }
        return names
    }

    /// Whether the queue `name` (without the leading slash) exists: opened read-only and closed at once
    /// (`EACCES` says it exists too); nil when that cannot tell.
    package static func queueExists(_ name: String) -> Bool? {
        let fd = ipcw_mq_open_readonly(name)
        if fd >= 0 {
            close(fd)
            return true
        }
        switch -fd {
        case ENOENT: return false
        case EACCES: return true
        default: return nil
        }
    }
}
