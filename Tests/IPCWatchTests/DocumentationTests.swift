import Foundation
import IPCWatchTestSupport
import Testing

/// The man page and the bash completion say what `--help` says: they are checked against it.
@Suite("Man page and completion")
struct DocumentationTests {
    static let help = Support.run([Support.ipcwatch, "--help"]).stdout
    /// Every long option and bundled short option `--help` lists (before its examples).
    static var options: [String] {
        let help = Self.help.components(separatedBy: "Examples:")[0]
        // Options start a word (after a space, a comma or an opening parenthesis).
        return help.matches(of: /(?:^|[\s,(])(--[a-z][a-z-]+|-[a-zA-Z])\b/.anchorsMatchLineEndings()).map { String($0.output.1) }
    }

    @Test("docs/ipcwatch.1 is what scripts/make-manpage makes of this binary's --help, and man renders it")
    func manPage() throws {
        let committed = try String(contentsOf: Support.packageRoot.appendingPathComponent("docs/ipcwatch.1"), encoding: .utf8)
        let made = Support.run(["python3", Support.packageRoot.appendingPathComponent("scripts/make-manpage").path,
                                Support.ipcwatch, "--stdout"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout == committed, "docs/ipcwatch.1 is stale: run scripts/make-manpage")
        let rendered = Support.run(["man", "-l", "-P", "cat", Support.packageRoot.appendingPathComponent("docs/ipcwatch.1").path],
                                   environment: ["MANWIDTH": "100", "MAN_KEEP_FORMATTING": "0"])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        #expect(!rendered.stderr.contains("warning"), "\(rendered.stderr)")
        let plain = rendered.stdout.replacing(/.\u{8}/, with: "")  // grotty's overstrike bold
        for section in ["NAME", "SYNOPSIS", "TRACING", "OUTPUT", "EXAMPLES"] { #expect(plain.contains("\n" + section + "\n")) }
        let synopsis = plain.split(separator: "\nSYNOPSIS\n").last?.split(separator: "\nDESCRIPTION\n").first ?? ""
        #expect(synopsis.contains("-- PROG [ARGS]") && synopsis.contains("-p PID..."), "both forms: \(synopsis)")
    }

    @Test("the completion offers every option --help lists, and the -e vocabulary")
    func completion() throws {
        let script = Support.packageRoot.appendingPathComponent("docs/ipcwatch.bash-completion").path
        let offered = Support.run(["bash", "-c", "source \"$0\"; COMP_WORDS=(ipcwatch -); COMP_CWORD=1; _ipcwatch; printf '%s\\n' \"${COMPREPLY[@]}\"", script])
        let words = Set(offered.stdout.split(separator: "\n").map(String.init))
        #expect(!Self.options.isEmpty)
        for option in Self.options { #expect(words.contains(option), "\(option) is in --help but not completed") }
        let events = Support.run(["bash", "-c", "source \"$0\"; COMP_WORDS=(ipcwatch -e ''); COMP_CWORD=2; _ipcwatch; printf '%s\\n' \"${COMPREPLY[@]}\"", script])
        for word in ["%ipc", "tag=ipc_msgq", "semtimedop", "pipe2"] { #expect(events.stdout.contains(word)) }
    }
}
