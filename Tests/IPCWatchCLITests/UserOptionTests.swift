import Foundation
import IPCWatchTestSupport
import Testing

/// strace's `-u USER`: root only, the user looked up, the command run with that user's uid, gid and groups
/// (the fixture's `ids` mode prints them itself) and still traced.
@Suite("-u USER next to strace's", .enabled(if: Condition.hasStrace, "strace is not installed"))
struct UserOptionTests {
    private func firstLine(_ text: String, _ name: String) -> String {
        String(text.split(separator: "\n").first ?? "").replacing("\(name): ", with: "")
    }

    @Test("an unknown user: strace's line and exit status 1", .enabled(if: Condition.isRoot, "needs root (strace checks root first)"))
    func unknownUser() {
        let strace = Support.run(["strace", "-u", "nosuchuser", "true"])
        let ours = Support.run([Support.ipcwatch, "-u", "nosuchuser", "true"])
        #expect(firstLine(ours.stderr, "ipcwatch") == firstLine(strace.stderr, "strace"))
        #expect(firstLine(ours.stderr, "ipcwatch") == "Cannot find user 'nosuchuser'")
        #expect(ours.status == strace.status && ours.status == 1)
    }

    /// strace's line names `--username`, an option it no longer has (its long form is `--user`): ours names
    /// the option as the user spelled it.
    @Test("not root: one line naming the option as spelled, strace's exit status 1",
          .enabled(if: Condition.isRoot, "needs root to become nobody with setpriv"),
          .enabled(if: Condition.hasSetpriv, "setpriv (util-linux) is not installed"))
    func notRoot() {
        let strace = Support.run(Support.nobody.prefix + ["strace", "-u", "nobody", "true"])
        #expect(firstLine(strace.stderr, "strace") == "You must be root to use the -u/--username option")
        for spelling in [["-u", "nobody"], ["--user", "nobody"], ["--user=nobody"]] {
            let ours = Support.runAsNobody(spelling + ["true"])
            let option = spelling[0].hasPrefix("--") ? "--user" : "-u"
            #expect(ours.stderr == "ipcwatch: You must be root to use the \(option) option\n")
            #expect(ours.status == strace.status && ours.status == 1)
        }
    }

    @Test("as root: the command runs as nobody, with nobody's groups, and is traced",
          .enabled(if: Condition.isRoot, "needs root"))
    func runsAsUser() throws {
        let output = Support.newPath("ipcwatch")
        let strace = Support.run(["strace", "-f", "-qq", "-u", "nobody", "-e", "trace=none", Support.fixture, "ids"])
        let ours = Support.run([Support.ipcwatch, "-qq", "-u", "nobody", "-e", "pipe", "-o", output, Support.fixture, "ids"])
        #expect(strace.status == 0 && ours.status == 0)
        let ids = try #require(ours.stdout.split(separator: "\n").first.map(String.init))
        #expect(ids == strace.stdout.split(separator: "\n").first.map(String.init))
        #expect(ids.hasPrefix("ids 65534 65534 65534 65534 "))
        #expect(Support.textLines(output).contains { $0.contains(" pipe([") && $0.hasSuffix(" = 0") })
    }
}
