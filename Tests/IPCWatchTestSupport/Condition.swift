import Foundation
import Testing

/// Programs the tests run, found the way `/usr/bin/env` finds them.
public enum Tools {
    /// The first executable `name` in PATH, or nil.
    public static func path(of name: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// GNU time (`-f %M` reports the peak RSS), not another `time`; nil if it is not installed.
    public static let gnuTime: String? = {
        guard let path = path(of: "time") else { return nil }
        let version = Support.run(["--version"], executable: path)
        return (version.stdout + version.stderr).contains("GNU") ? path : nil
    }()
}

/// What some tests need from the machine, for `@Test(.enabled(if: Condition.x, "reason"))`: a test whose
/// condition does not hold is reported as skipped, with the reason, never as passed.
///
/// Each is computed once, when a test that needs it is about to run.
public enum Condition {
    /// Running as root: the only way to switch to another user (setpriv) and come back.
    public static var isRoot: Bool { getuid() == 0 }

    /// setpriv (util-linux) is installed.
    public static let hasSetpriv = Tools.path(of: "setpriv") != nil

    /// ipcmk and ipcrm (util-linux) are installed.
    public static let hasIpcmk = Tools.path(of: "ipcmk") != nil && Tools.path(of: "ipcrm") != nil

    /// GNU time is installed.
    public static let hasGNUTime = Tools.gnuTime != nil

    /// /bin/su exists, is executable and is setuid root.
    public static let hasSetuidSu: Bool = {
        var info = stat()
        return stat("/bin/su", &info) == 0 && info.st_uid == 0 && info.st_mode & mode_t(S_ISUID) != 0
            && FileManager.default.isExecutableFile(atPath: "/bin/su")
    }()

    /// Yama lets a process attach to any of its user's processes (no /proc/sys/kernel/yama, or ptrace_scope 0).
    public static let yamaAllowsAttach: Bool = {
        guard let scope = try? String(contentsOfFile: "/proc/sys/kernel/yama/ptrace_scope", encoding: .utf8) else { return true }
        return scope.trimmingCharacters(in: .whitespacesAndNewlines) == "0"
    }()

    /// `cc -m32` builds and runs a 32-bit program (gcc-multilib; scripts/setup.sh installs it).
    public static let hasMultilib: Bool = {
        let source = Support.newPath("m32", extension: "c"), binary = Support.newPath("m32")
        guard FileManager.default.createFile(atPath: source, contents: Data("int main(void) { return 0; }\n".utf8)) else { return false }
        return Support.run(["cc", "-m32", "-o", binary, source], deadline: .seconds(120)).status == 0
            && Support.run([binary], deadline: .seconds(60)).status == 0
    }()

    /// strace is installed.
    public static let hasStrace = Tools.path(of: "strace") != nil

    /// unshare and setarch (util-linux) are installed.
    public static let hasUnshareAndSetarch = Tools.path(of: "unshare") != nil && Tools.path(of: "setarch") != nil

    /// `unshare --ipc setarch -R` works here: a fresh IPC namespace (root or user namespaces) with ASLR off.
    public static let canIsolate = hasUnshareAndSetarch
        && Support.run(["unshare", "--ipc", "setarch", "-R", "true"], deadline: .seconds(60)).status == 0
}
