import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// The Unix-domain sockets of the tracer's network namespace, as `ss -x` sees them: for each socket inode,
/// its bound name and its peer's inode. What joins the two ends of a `socketpair` or a connected socket
/// across processes, as a pipe's inode joins its ends. Read through the kernel's socket diagnostics
/// (`NETLINK_SOCK_DIAG`, unprivileged) and kept: a connected pair stays connected, so the table is dumped
/// again only when a snapshot meets a socket it does not know.
struct UnixSockets {
    /// One Unix-domain socket.
    struct Socket: Hashable {
        /// The peer's inode, nil when not connected.
        var peer: UInt64?
        /// The name as the kernel gave it (`sun_path`: a leading NUL for an abstract name), nil when unbound.
        var nameBytes: [UInt8]?

        /// The bound path, `@name` for an abstract name (as `ss` shows it), nil when unbound.
        var name: String? {
            guard let bytes = nameBytes else { return nil }
            return bytes.first == 0 ? "@" + String(decoding: bytes.dropFirst(), as: UTF8.self)
                : String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private var sockets: [UInt64: Socket] = [:]
    /// Inodes a fresh dump did not have (not Unix sockets: TCP, netlink…), so as not to dump again for them.
    private var notUnix: Set<UInt64> = []

    /// The socket with inode `inode`, dumping the table again if it is new; nil if it is no Unix socket.
    mutating func socket(inode: UInt64) -> Socket? {
        if let known = sockets[inode] { return known }
        guard !notUnix.contains(inode) else { return nil }
        sockets = Self.dump() ?? sockets
        if let found = sockets[inode] { return found }
        // A server's TCP connections come and go: forget them now and then rather than grow forever.
        if notUnix.count >= 1 << 16 { notUnix.removeAll(keepingCapacity: true) }
        notUnix.insert(inode)
        return nil
    }

    /// One socket, asked for by its inode as strace's `-yy` asks (not a dump of every socket); nil if it is
    /// no Unix socket of this network namespace.
    static func lookUp(inode: UInt64) -> Socket? {
        guard let wanted = UInt32(exactly: inode) else { return nil }
        let fd = ipcw_unix_diag_request_inode(wanted)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 8 * 1024)
        // The reply is queued before the request returns: never wait for one.
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        let header = Int(IPCW_NLMSG_HEADER_SIZE), message = Int(IPCW_UNIX_DIAG_MSG_SIZE)
        guard count >= header + message else { return nil }
        let length = Int(buffer.load(UInt32.self, at: 0))
        guard Int(buffer.load(UInt16.self, at: 4)) == IPCW_SOCK_DIAG_BY_FAMILY, length >= header + message, length <= count,
              buffer.load(UInt32.self, at: header + 4) == wanted else { return nil }
        return attributes(buffer[(header + message)..<length])
    }

    /// One dump of every Unix socket; nil when the diagnostics are unavailable.
    static func dump() -> [UInt64: Socket]? {
        let fd = ipcw_unix_diag_request()
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var table: [UInt64: Socket] = [:]
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            var offset = 0
            while offset + Int(IPCW_NLMSG_HEADER_SIZE) <= count {
                let length = Int(buffer.load(UInt32.self, at: offset))
                let type = Int(buffer.load(UInt16.self, at: offset + 4))
                guard length >= Int(IPCW_NLMSG_HEADER_SIZE), offset + length <= count else { return nil }
                if type == IPCW_NLMSG_DONE { return table }
                if type == IPCW_NLMSG_ERROR { return nil }
                let message = offset + Int(IPCW_NLMSG_HEADER_SIZE)
                if length >= Int(IPCW_NLMSG_HEADER_SIZE + IPCW_UNIX_DIAG_MSG_SIZE) {
                    let inode = UInt64(buffer.load(UInt32.self, at: message + 4))
                    table[inode] = attributes(buffer[(message + Int(IPCW_UNIX_DIAG_MSG_SIZE))..<(offset + length)])
                }
                offset += (length + 3) & ~3  // NLMSG_ALIGN
            }
        }
    }

    /// The `rtattr`s after a `unix_diag_msg`: the name and the peer.
    private static func attributes(_ bytes: ArraySlice<UInt8>) -> Socket {
        var socket = Socket()
        var offset = bytes.startIndex
        while offset + 4 <= bytes.endIndex {
            let length = Int(bytes.load(UInt16.self, at: offset))
            let type = Int(bytes.load(UInt16.self, at: offset + 2))
            guard length >= 4, offset + length <= bytes.endIndex else { break }
            let payload = bytes[(offset + 4)..<(offset + length)]
            switch type {
            case IPCW_UNIX_DIAG_PEER where payload.count >= 4:
                let peer = UInt64(bytes.load(UInt32.self, at: payload.startIndex))
                socket.peer = peer == 0 ? nil : peer
            case IPCW_UNIX_DIAG_NAME where !payload.isEmpty:
                socket.nameBytes = Array(payload)
            default: break
            }
            offset += (length + 3) & ~3  // RTA_ALIGN
        }
        return socket
    }
}

private extension Array where Element == UInt8 {
    /// A native-endian integer at a byte offset (netlink is host-endian).
    func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }
}

private extension ArraySlice where Element == UInt8 {
    /// A native-endian integer at an index of the slice.
    func load<T: FixedWidthInteger>(_: T.Type, at index: Int) -> T {
        withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index - startIndex, as: T.self) }
    }
}
