import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// What strace's `-yy` adds to a descriptor's `/proc` link: a device's numbers, a socket's protocol and,
/// for a Unix socket, its endpoints (`UNIX-STREAM:[12345->12346]`, `UNIX-STREAM:[12345,"/run/x.sock"]`).
/// A socket is described once and remembered by inode, as strace remembers it.
struct DescriptorDetails {
    private var sockets: [UInt64: DescriptorTarget.Detail] = [:]

    mutating func detail(tid: pid_t, fd: Int32, link: String) -> DescriptorTarget.Detail? {
        let path = "/proc/\(tid)/fd/\(fd)"
        if link.hasPrefix("socket:["), link.hasSuffix("]"), let inode = UInt64(link.dropFirst(8).dropLast()) {
            if let known = sockets[inode] { return known }
            guard let detail = Self.socket(path, inode: inode, tid: tid) else { return nil }
            if sockets.count >= 1024 { sockets.removeAll(keepingCapacity: true) }  // strace's cache holds 1024 too
            sockets[inode] = detail
            return detail
        }
        // strace names a deleted file's device no more than its path's.
        guard link.hasPrefix("/"), !link.hasSuffix(" (deleted)") else { return nil }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let kind: String
        switch info.st_mode & S_IFMT {
        case S_IFCHR: kind = "char"
        case S_IFBLK: kind = "block"
        default: return nil
        }
        // glibc's gnu_dev_major and gnu_dev_minor, which Swift does not import (they are macros).
        let device = UInt64(info.st_rdev)
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff)
        let minor = (device & 0xff) | ((device >> 12) & ~0xff)
        return .device("\(kind) \(major):\(minor)")
    }

    /// The protocol as the kernel names it (`system.sockprotoname`: `UNIX-STREAM`, `TCP`, `UDPv6`, `NETLINK`)
    /// and, as strace shows them, a Unix socket's inode, peer and name, an IP socket's addresses; another
    /// socket's inode alone (strace's when it knows no more either).
    private static func socket(_ path: String, inode: UInt64, tid: pid_t) -> DescriptorTarget.Detail? {
        var name = [UInt8](repeating: 0, count: 64)
        let length = name.withUnsafeMutableBytes { getxattr(path, "system.sockprotoname", $0.baseAddress, $0.count - 1) }
        guard length > 0 else { return nil }
        let proto = String(decoding: name[0..<length].prefix { $0 != 0 }, as: UTF8.self)
        guard namedProtocols.contains(proto) else { return nil }
        if let table = ipTables[proto], let addresses = ipAddresses(inode: inode, table: "/proc/\(tid)/net/\(table)") {
            return .socket("\(proto):[\(addresses)]")
        }
        var endpoints = ""
        if proto.hasPrefix("UNIX"), let socket = UnixSockets.lookUp(inode: inode) {
            if let peer = socket.peer { endpoints += "->\(peer)" }
            if let bound = socket.nameBytes, let first = bound.first {
                // An abstract name starts with NUL; either ends at the first NUL, as strace prints it.
                let name = bound.dropFirst(first == 0 ? 1 : 0).prefix { $0 != 0 }
                endpoints += "," + (first == 0 ? "@" : "") + "\"" + StringQuoting.escape(Array(name)) + "\""
            }
        }
        return .socket("\(proto):[\(inode)\(endpoints)]")
    }

    /// The protocols strace's `-yy` names (its table, in the kernel's words); a socket of another (`PACKET`,
    /// `UDP-Lite`…) stays `socket:[N]`, as strace leaves it.
    private static let namedProtocols: Set<String> = [
        "UNIX", "UNIX-STREAM", "TCP", "TCPv6", "UDP", "UDPv6", "RAW", "RAWv6", "NETLINK", "SCTP", "SCTPv6",
        "DCCP", "DCCPv6", "PING", "PINGv6", "L2TP/IP", "L2TP/IPv6",
    ]

    /// The `/proc/PID/net` table that lists each IP protocol's sockets.
    private static let ipTables = ["TCP": "tcp", "TCPv6": "tcp6", "UDP": "udp", "UDPv6": "udp6"]

    /// `127.0.0.1:80->127.0.0.1:5000`, or the local address alone when there is no remote one (strace's
    /// form; IPv6 addresses in brackets), from `table`: the tracee's network namespace's, not ours.
    private static func ipAddresses(inode: UInt64, table: String) -> String? {
        guard let bytes = ProcFS.read(table, limit: 1 << 24) else { return nil }
        let wanted = String(inode)
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst() {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
            let fields = line.split(separator: " ")
            guard fields.count > 9, fields[9] == wanted, let local = endpoint(fields[1]), let remote = endpoint(fields[2]) else { continue }
            return remote.isZero ? local.text : local.text + "->" + remote.text
        }
        return nil
    }

    /// `0100007F:0050` (the address's 32-bit words as the host reads them, the port's value, in hex) as
    /// `127.0.0.1:80`; and whether it is all zeros (no remote end).
    private static func endpoint(_ field: Substring) -> (text: String, isZero: Bool)? {
        let parts = field.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1], radix: 16), parts[0].count == 8 || parts[0].count == 32 else { return nil }
        // Each 32-bit word is printed as the host reads it: its bytes in the host's order are the address's.
        var address: [UInt8] = []
        var words = parts[0][...]
        while !words.isEmpty {
            guard let word = UInt32(words.prefix(8), radix: 16) else { return nil }
            withUnsafeBytes(of: word) { address += $0 }
            words = words.dropFirst(8)
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = address.count == 4 ? AF_INET : AF_INET6
        guard inet_ntop(family, address, &text, socklen_t(text.count)) != nil else { return nil }
        let host = String(cString: text)
        return ((family == AF_INET ? host : "[\(host)]") + ":\(port)", port == 0 && address.allSatisfy { $0 == 0 })
    }
}
