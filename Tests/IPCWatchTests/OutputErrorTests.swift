import Foundation
import IPCWatchTestSupport
import Testing

/// A failed write of the output says so, once, as strace does; the command and its exit status are unharmed.
@Suite("Output errors")
struct OutputErrorTests {
    @Test("-o /dev/full: one line 'ipcwatch: /dev/full: No space left on device', the command's status")
    func fullDevice() {
        let result = Support.run([Support.ipcwatch, "-o", "/dev/full", "--", "sh", "-c", "echo hi | cat; exit 3"])
        #expect(result.status == 3, "the command's status")
        #expect(result.stdout == "hi\n", "the command ran as untraced")
        #expect(result.stderr == "ipcwatch: /dev/full: No space left on device\n")
    }

    @Test("-o - with stdout closed: one line naming stdout, the command's status")
    func closedStdout() {
        let result = Support.run(["sh", "-c", "exec \"$0\" -o - -- sh -c 'exit 4' >&-", Support.ipcwatch])
        #expect(result.status == 4)
        #expect(result.stderr == "ipcwatch: stdout: Bad file descriptor\n")
    }

    @Test("--graph to /dev/full is reported the same way")
    func graphFile() {
        let result = Support.run([Support.ipcwatch, "-q", "-o", "/dev/null", "--graph", "/dev/full", "--graph-format", "dot",
                                  "--", "sh", "-c", "echo hi | cat >/dev/null"])
        #expect(result.status == 0)
        #expect(result.stderr == "ipcwatch: /dev/full: No space left on device\n")
    }
}
