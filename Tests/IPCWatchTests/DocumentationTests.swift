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
        #expect(plain.contains("\nEXIT STATUS\n"))
        // groff's every warning (-ww): no character it cannot set, no unknown request or escape.
        let groff = Support.run(["groff", "-ww", "-man", "-Tutf8", "-z", Support.packageRoot.appendingPathComponent("docs/ipcwatch.1").path])
        #expect(groff.status == 0 && groff.stderr.isEmpty, "groff -ww: \(groff.stderr)")
        let ascii = committed.unicodeScalars.allSatisfy { $0.isASCII }
        #expect(ascii, "docs/ipcwatch.1 is ASCII, with groff escapes for the rest")
        // NAME (what apropos and whatis show) names every family of calls.
        let lines = committed.split(separator: "\n", omittingEmptySubsequences: false)
        let name = try #require(lines.firstIndex(of: ".SH NAME").map { String(lines[$0 + 1]) })
        #expect(name.hasPrefix("ipcwatch \\- "), "\(name)")
        for family in ["pipes", "SysV msg/sem/shm", "i386 ipc multiplexer", "POSIX mq", "splice/tee/vmsplice", "futex"] {
            #expect(name.contains(family), "NAME does not name \(family): \(name)")
        }
    }

    /// `--help`'s "Exit status:" entries (the man page's EXIT STATUS): status to what it says.
    static var exitStatuses: [String: String] {
        let section = help.components(separatedBy: "\nExit status:\n").last?.components(separatedBy: "\n\n").first ?? ""
        var statuses: [String: String] = [:]
        var current: String?
        for line in section.split(separator: "\n") {
            if let match = line.wholeMatch(of: /\ \ (\S+)\s{2,}(.*)/) {
                current = String(match.output.1)
                statuses[String(match.output.1)] = String(match.output.2)
            } else if let current {
                statuses[current, default: ""] += " " + line.trimmingCharacters(in: .whitespaces)
            }
        }
        return statuses
    }

    @Test("EXIT STATUS says what the binary does: usage errors, a command not found or not executable, the command's status")
    func exitStatus() throws {
        let statuses = Self.exitStatuses
        #expect(statuses["127"]?.contains("not found") == true, "\(statuses)")
        #expect(statuses["126"]?.contains("cannot be run") == true, "\(statuses)")
        #expect(statuses["0-255"]?.contains("the command's status") == true, "\(statuses)")
        let usage = Support.run([Support.ipcwatch, "--no-such-option"])
        #expect(statuses[String(usage.status)]?.contains("usage error") == true, "a usage error exits \(usage.status): \(statuses)")
        let missing = Support.run([Support.ipcwatch, "--", "/nonexistent/ipcwatch-no-such-command"])
        #expect(missing.status == 127, "\(missing)")
        let notExecutable = Support.newPath("not-executable", extension: "sh")
        #expect(FileManager.default.createFile(atPath: notExecutable, contents: Data("exit 0\n".utf8), attributes: [.posixPermissions: 0o644]))
        let denied = Support.run([Support.ipcwatch, "--", notExecutable])
        #expect(denied.status == 126, "\(denied)")
        let command = Support.run([Support.ipcwatch, "-q", "-o", "/dev/null", "--", "sh", "-c", "exit 7"])
        #expect(command.status == 7, "\(command)")
        if getuid() != 0 {
            #expect(statuses[String(Support.run([Support.ipcwatch, "-u", "root", "--", "true"]).status)]?.contains("-u without root") == true)
        }
    }

    @Test("the completion offers every option --help lists, and the -e vocabulary")
    func completion() throws {
        let script = Support.packageRoot.appendingPathComponent("docs/ipcwatch.bash-completion").path
        let offered = Support.run(["bash", "-c", "source \"$0\"; COMP_WORDS=(ipcwatch -); COMP_CWORD=1; COMP_LINE='ipcwatch -'; COMP_POINT=10; _ipcwatch ipcwatch - ipcwatch; printf '%s\\n' \"${COMPREPLY[@]}\"", script])
        let words = Set(offered.stdout.split(separator: "\n").map(String.init))
        #expect(!Self.options.isEmpty)
        for option in Self.options { #expect(words.contains(option), "\(option) is in --help but not completed") }
        let events = Support.run(["bash", "-c", "source \"$0\"; COMP_WORDS=(ipcwatch -e ''); COMP_CWORD=2; COMP_LINE='ipcwatch -e '; COMP_POINT=12; _ipcwatch ipcwatch '' -e; printf '%s\\n' \"${COMPREPLY[@]}\"", script])
        let offeredEvents = Set(events.stdout.split(separator: "\n").map(String.init))
        // Every event, %class and tag=SET the -e paragraph of --help names, and trace=.
        let paragraph = Self.help.components(separatedBy: "-e EXPR, --expr=EXPR")[1].components(separatedBy: "\n  -e signal=")[0]
        let listed = paragraph.matches(of: /(?:%[a-z]+|tag=[a-z_]+|\b[a-z][a-z0-9]*_[a-z_]+\b|\b(?:pipe2?|splice|tee|vmsplice|ipc|msg[a-z]+|sem[a-z]+|shm[a-z]+|futex)\b)/)
            .map { String($0.output) }
        #expect(listed.count > 30, "\(listed)")
        for word in listed + ["trace="] { #expect(offeredEvents.contains(word), "-e \(word) is in --help but not completed") }
    }
}
