import Foundation
import IPCWatchTestSupport
import Testing

/// docs/ipcwatch.bash-completion called as bash calls it: the words split at COMP_WORDBREAKS' '=' and ':'
/// (`ipcwatch -e trace=pi` is COMP_WORDS=(ipcwatch -e trace = pi)), COMP_CWORD, COMP_LINE and COMP_POINT set;
/// without bash-completion and with it loaded; then typed into an interactive bash on a terminal.
@Suite("Bash completion")
struct CompletionTests {
    static let script = Support.packageRoot.appendingPathComponent("docs/ipcwatch.bash-completion").path
    static let bashCompletion = "/usr/share/bash-completion/bash_completion"
    static let hasBashCompletion = FileManager.default.fileExists(atPath: bashCompletion)

    /// What `--help` says --graph-format takes: "dot, mermaid or json (default: ...)".
    static let graphFormats: [String] = {
        let help = Support.run([Support.ipcwatch, "--help"]).stdout
        let line = help.split(separator: "\n").first { $0.contains("--graph-format=FORMAT") } ?? ""
        let list = line.components(separatedBy: "FORMAT").last?.components(separatedBy: "(").first ?? ""
        return list.replacing(" or ", with: ",").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }()

    struct Completion {
        /// COMPREPLY.
        var replies: [String]
        /// The options the function set with compopt (`-o nospace`...).
        var options: [String]
        var stderr: String
        var nospace: Bool { options.contains { $0.contains("-o nospace") } }
    }

    /// Runs the completion function for `line` (the cursor at its end), `words` being COMP_WORDS as bash splits
    /// the line; `loaded`: with bash-completion sourced first, as an interactive shell has it.
    static func complete(_ line: String, _ words: [String], loaded: Bool, prelude: String = "") -> Completion {
        let program = """
            [ "$IPCW_LOADED" = 1 ] && source \(bashCompletion)
            source "$IPCW_SCRIPT"
            # Outside a real completion compopt fails: record what is asked of it.
            compopt() { printf 'compopt %s\\n' "$*"; }
            \(prelude)
            COMP_WORDBREAKS=$' \\t\\n"\\'><=;|&(:'
            COMP_LINE=$1 COMP_POINT=${#1}
            shift
            COMP_WORDS=("$@") COMP_CWORD=$(($# - 1))
            current=${COMP_WORDS[COMP_CWORD]}
            [[ $current == *[=:]* && -z ${current//[=:]/} ]] && current=""
            _ipcwatch ipcwatch "$current" "${COMP_WORDS[COMP_CWORD - 1]}"
            for reply in "${COMPREPLY[@]}"; do printf 'reply %s\\n' "$reply"; done
            """
        let result = Support.run(["bash", "--norc", "--noprofile", "-c", program, "completion", line] + words,
                                 environment: ["IPCW_LOADED": loaded ? "1" : "0", "IPCW_SCRIPT": script])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        return Completion(replies: lines.filter { $0.hasPrefix("reply ") }.map { String($0.dropFirst(6)) },
                          options: lines.filter { $0.hasPrefix("compopt ") }, stderr: result.stderr)
    }

    static func checkCases(loaded: Bool) throws {
        func expect(_ line: String, _ words: [String], _ replies: [String], nospace: Bool = false,
                    sourceLocation: SourceLocation = #_sourceLocation) {
            let completion = complete(line, words, loaded: loaded)
            #expect(completion.replies.sorted() == replies.sorted(), "\(line)", sourceLocation: sourceLocation)
            #expect(completion.nospace == nospace, "\(line): \(completion.options)", sourceLocation: sourceLocation)
            #expect(completion.stderr.isEmpty, "\(line): \(completion.stderr)", sourceLocation: sourceLocation)
        }
        expect("ipcwatch -e trace=pi", ["ipcwatch", "-e", "trace", "=", "pi"], ["pipe", "pipe2"])
        expect("ipcwatch -e tr", ["ipcwatch", "-e", "tr"], ["trace="], nospace: true)
        expect("ipcwatch -e sig", ["ipcwatch", "-e", "sig"], ["signal="], nospace: true)
        #expect(graphFormats.count >= 3, "\(graphFormats)")
        // After a '=' bash 5.2 points COMP_CWORD at the '=' itself; an empty word after it is the same line.
        expect("ipcwatch --graph-format=", ["ipcwatch", "--graph-format", "="], graphFormats)
        expect("ipcwatch --graph-format=", ["ipcwatch", "--graph-format", "=", ""], graphFormats)
        expect("ipcwatch --graph-format ", ["ipcwatch", "--graph-format", ""], graphFormats)
        expect("ipcwatch --graph-format=m", ["ipcwatch", "--graph-format", "=", "m"], graphFormats.filter { $0.hasPrefix("m") })
        expect("ipcwatch --graph-f", ["ipcwatch", "--graph-f"], ["--graph-format"])
        expect("ipcwatch -e trace=pipe,sp", ["ipcwatch", "-e", "trace", "=", "pipe,sp"], ["pipe,splice"])
        expect("ipcwatch -e %s", ["ipcwatch", "-e", "%s"], ["%sem", "%shm"])
        expect("ipcwatch -e tag=ipc_p", ["ipcwatch", "-e", "tag", "=", "ipc_p"], ["ipc_pipe"])
        expect("ipcwatch -etrace=pi", ["ipcwatch", "-etrace", "=", "pi"], ["pipe", "pipe2"])
        expect("ipcwatch -fqe trace=vm", ["ipcwatch", "-fqe", "trace", "=", "vm"], ["vmsplice"])
        expect("ipcwatch --expr=signal=SIGCH", ["ipcwatch", "--expr", "=", "signal", "=", "SIGCH"], ["SIGCHLD"])
        expect("ipcwatch -e status=f", ["ipcwatch", "-e", "status", "=", "f"], ["failed"])
        expect("ipcwatch -X v", ["ipcwatch", "-X", "v"], ["verbose"])
        // A file name with a ':' (a word break too).
        let directory = try Support.newDirectory("completion")
        #expect(FileManager.default.createFile(atPath: directory.appendingPathComponent("a:b.log").path, contents: nil))
        expect("ipcwatch -o \(directory.path)/a:b", ["ipcwatch", "-o", "\(directory.path)/a", ":", "b"], ["b.log"])
        // Past the options, the command: its name, then what its own completion offers.
        let command = complete("ipcwatch -e trace=pipe2 -s 5 --graph=g.dot ipcwatch_probe_c",
                               ["ipcwatch", "-e", "trace", "=", "pipe2", "-s", "5", "--graph", "=", "g.dot", "ipcwatch_probe_c"],
                               loaded: loaded, prelude: "ipcwatch_probe_command() { :; }")
        #expect(command.replies == ["ipcwatch_probe_command"], "\(command)")
    }

    @Test("-e trace=pi offers pipe pipe2, -e tr gives trace= with no space, --graph-format= the formats; without bash-completion")
    func withoutBashCompletion() throws {
        try Self.checkCases(loaded: false)
    }

    @Test("the same with bash-completion loaded, and the command's own completion after the options",
          .enabled(if: hasBashCompletion, "bash-completion is not installed (scripts/setup.sh installs it)"))
    func withBashCompletion() throws {
        try Self.checkCases(loaded: true)
        let words = ["ipcwatch", "-e", "trace", "=", "pipe2", "--graph", "=", "g.dot", "--", "ipcwatch_probe_command", "al"]
        let command = Self.complete("ipcwatch -e trace=pipe2 --graph=g.dot -- ipcwatch_probe_command al", words, loaded: true,
                                    prelude: "complete -W 'alpha beta' ipcwatch_probe_command")
        #expect(command.replies == ["alpha"], "\(command)")
    }

    /// Types into `bash -i` on a pseudo-terminal, with bash-completion and the script loaded as in a user's
    /// shell, and `ipcwatch` a function that prints its arguments: what Tab inserted is what it prints.
    @Test("in an interactive bash on a terminal: Tab completes, lists, and leaves no space after trace=",
          .enabled(if: hasBashCompletion, "bash-completion is not installed (scripts/setup.sh installs it)"))
    func interactive() {
        let driver = #"""
            import os, pty, re, select, sys, time
            script, bash_completion = sys.argv[1], sys.argv[2]
            pid, fd = pty.fork()
            if pid == 0:
                os.environ["TERM"] = "dumb"
                os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
            seen = ""
            def expect(pattern, what):
                global seen
                deadline = time.time() + 20
                while not re.search(pattern, seen):
                    if time.time() > deadline:
                        print("TIMEOUT waiting for %s (%r); the terminal showed:\n%s" % (what, pattern, seen))
                        sys.exit(1)
                    if select.select([fd], [], [], 0.5)[0]:
                        seen += os.read(fd, 4096).decode(errors="replace")
                match = re.search(pattern, seen)
                seen = seen[match.end():]
                print("ok:", what)
            def send(text):
                os.write(fd, text.encode())
            send("source %s; source %s; PS1='READY$ '; bind 'set bell-style none'; "
                 "bind 'set show-all-if-ambiguous on'; ipcwatch() { printf '<%%s>' \"$@\"; echo; }; echo STARTED\n"
                 % (bash_completion, script))
            expect(r"STARTED\r?\n.*READY\$ ", "the shell")
            send("ipcwatch -e tr\tX\n")
            expect(r"<-e><trace=X>", "-e tr<TAB> inserts trace= with no space")
            send("ipcwatch -e trace=pipe\t")
            expect(r"pipe\s+pipe2", "-e trace=pipe<TAB> lists pipe pipe2")
            send("\x15ipcwatch -e trace=pi\t2\n")
            expect(r"<-e><trace=pipe2>", "-e trace=pi<TAB> inserts pipe")
            send("ipcwatch --graph-format=\t")
            expect(r"dot\s+json\s+mermaid", "--graph-format=<TAB> lists the formats")
            send("\x15ipcwatch --graph-format=me\t\n")
            expect(r"<--graph-format=mermaid>", "--graph-format=me<TAB> inserts mermaid")
            send("exit\n")
            os.waitpid(pid, 0)
            """#
        let result = Support.run(["python3", "-c", driver, Self.script, Self.bashCompletion], deadline: .seconds(120))
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }
}
