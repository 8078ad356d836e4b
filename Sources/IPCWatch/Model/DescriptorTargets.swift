/// What strace's `-y` shows after a descriptor, by descriptor number.
package typealias DescriptorTargets = [Int32: DescriptorTarget]

/// What strace's `-y` shows between a descriptor's brackets: the target of its `/proc/PID/fd` link
/// (`/dev/null`, `pipe:[12345]`, `socket:[12345]`, a FIFO's path, an mq descriptor's `/name`), and with
/// `-yy` what strace adds to it.
package struct DescriptorTarget: Sendable, Hashable {
    /// `-yy`'s addition.
    package enum Detail: Sendable, Hashable {
        /// A character or block device's numbers after its path: `char 1:3` (`/dev/null<char 1:3>`).
        case device(String)
        /// A socket's protocol and endpoints instead of `socket:[…]`: `UNIX-STREAM:[12345->12346]`.
        case socket(String)
    }

    /// The link as it reads.
    package var link: String
    package var detail: Detail?

    package init(link: String, detail: Detail? = nil) {
        self.link = link
        self.detail = detail
    }
}

extension Call {
    /// The descriptors strace's `-y` decodes among this call's arguments: a new pipe's ends, the fds of
    /// `splice`, `tee` and `vmsplice`, the queue of the `mq_*` calls. (`mq_open`'s is its result.)
    package var descriptors: [Int32] {
        if let ends = pipeEnds { return [ends.read, ends.write] }
        if let fds = spliceFDs { return fds }
        switch self {
        case .mqTimedsend(let mqdes, _, _, _, _, _, _), .mqTimedreceive(let mqdes, _, _, _, _, _, _, _),
             .mqNotify(let mqdes, _, _), .mqGetsetattr(let mqdes, _, _, _, _):
            return [mqdes]
        default:
            return []
        }
    }

    /// The targets `pipeInodes` (``Event/pipeInodes``) stand for: what `-y` shows when no link was read.
    package func targets(pipeInodes: [UInt64]?) -> DescriptorTargets? {
        guard let pipeInodes else { return nil }
        let fds = pipeEnds.map { [$0.read, $0.write] } ?? spliceFDs ?? []
        guard fds.count == pipeInodes.count else { return nil }
        var targets: DescriptorTargets = [:]
        for (fd, inode) in zip(fds, pipeInodes) where inode != 0 { targets[fd] = DescriptorTarget(link: "pipe:[\(inode)]") }
        return targets
    }
}

extension StringQuoting {
    /// `fd<target>` as strace 6 prints it: the target escaped as its strings are, `<` and `>` too, and a
    /// deleted file's ` (deleted)` after the brackets (`11</tmp/x>(deleted)`); `-yy`'s device numbers after
    /// the path (`6</dev/null<char 1:3>>`), a socket's endpoints instead of its link.
    static func descriptor(_ fd: Int32, _ targets: DescriptorTargets?) -> String {
        guard let target = targets?[fd] else { return String(fd) }
        var device = ""
        switch target.detail {
        case .socket(let endpoints)?: return "\(fd)<\(endpoints)>"
        case .device(let numbers)?: device = "<\(numbers)>"
        case nil: break
        }
        let link = target.link, deleted = " (deleted)"
        let path = link.hasSuffix(deleted) && link.hasPrefix("/") ? link.dropLast(deleted.count) : Substring(link)
        return "\(fd)<\(escape(Array(path.utf8), alsoOctal: [UInt8(ascii: "<"), UInt8(ascii: ">")]))\(device)>"
            + (path.count < link.count ? "(deleted)" : "")
    }
}
