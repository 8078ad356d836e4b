import CSupport
import IPCWatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The command line, parsed with glibc's `getopt_long` as strace parses its own: options first (bundled
/// `-fqy`, attached values `-s200 -oFILE -p1,2`, `--long=value`), then the command from the first word that
/// is not an option (`+` in the option string) or after `--`.
struct Options {
    var output: String?
    var append = false
    var json = false
    var expressions: [String] = []
    var stringLimit = 32
    /// `-a COLUMN`: where results are aligned (strace's default 40).
    var resultColumn = 40
    var decodeFDs = 0
    var summaryOnly = false
    var summary = false
    var timestamps = 0
    var durations = false
    var relativeTimestamps = false
    /// `-z` / `-Z`, the last one given, and how many were.
    var onlyStatus: (successful: Bool, count: Int)?
    /// What ipcwatch says on stderr before it starts, as strace warns (one line each).
    var warnings: [String] = []
    /// The messages `-q`, `-qq`, `-qqq` and `-e quiet=SET` silence (strace's names).
    var quiet: Set<QuietMessage> = []
    /// How many `-q`: 1 attach and personality, 2 also exit, 3 all.
    private var quietCount = 0
    var follow = 0
    var sameCPU = false
    var dataFlow = false
    var graph: String?
    /// `--timeline=FILE`: the trace as Chrome trace-event JSON.
    var timeline: String?
    var graphFormatName: String?
    /// `--graph-all`: also the orphan pipes.
    var graphAll = false
    /// `--stall=SECONDS`: the wait-for report once every traced thread has been blocked that long.
    var stall: Double?
    /// `--stall-report=FILE`: the wait-for report as JSON, rewritten at each report.
    var stallReport: String?
    var pids: [Int32] = []
    var command: [String] = []
    /// `-e signal=SET`: which signals get a `--- SIG… ---` line.
    var signals = SignalSelection.all
    /// `-e status=SET` (and `-z`/`-Z`).
    var status = StatusSelection()
    /// `-E VAR=VAL` / `-E VAR`: the command's environment, applied in order.
    var environment: [String] = []
    /// `-S SORTBY` for the summary.
    var sortBy = Summary.SortKey.time
    /// `-w`: the summary's time is wall-clock time (what ipcwatch measures anyway).
    var wallClock = false
    /// `-x` (non-printable strings in hex), `-xx` (every string).
    var hexStrings = 0
    /// `-X raw|abbrev|verbose`.
    var constants = TextStyle.Constants.abbrev
    /// `-e raw=SET`: calls whose constants are numbers.
    var rawCalls: Set<Syscall> = []
    /// `-u USER`: run the command as USER (checked, and looked up, when the trace starts).
    var user: String?
    /// How the user option was spelled (`-u` or `--user`), for its error messages.
    var userOption = "-u"

    /// What the command line asks for besides a trace.
    enum Request: Equatable { case trace, help, version }
    var request = Request.trace

    /// A usage error: one line for `ipcwatch: …`, exit 1 as strace (glibc printed its own line for an unknown
    /// option).
    struct UsageError: Error, Equatable {
        let message: String?
    }

    /// strace's bound on `-s` (`-1U / 4`): a larger limit is refused, not taken as a licence to read gigabytes.
    static let maximumStringLimit = 1_073_741_823

    /// The `-e` qualifiers ipcwatch takes (strace's spellings; `t`, `s`, `q`… are their short forms).
    static let qualifiers = ["trace", "signal", "status", "quiet", "raw", "abbrev", "verbose"]

    private enum Long: Int32 {
        case sameCPU = 256, graph, graphFormat, seccompBPF, outputSeparately, dataFlow, graphAll, stall, stallReport, timeline
    }

    private static let parsing = Mutex(())

    private static let shortOptions = "+hVfqcCjyTtrzZAwvxo:e:s:p:E:S:X:u:a:"
    private static let longOptions: [(name: String, argument: Int32, value: Int32)] = [
        ("help", no_argument, Int32(UInt8(ascii: "h"))), ("version", no_argument, Int32(UInt8(ascii: "V"))),
        ("output", required_argument, Int32(UInt8(ascii: "o"))), ("json", no_argument, Int32(UInt8(ascii: "j"))),
        ("string-limit", required_argument, Int32(UInt8(ascii: "s"))), ("decode-fds", no_argument, Int32(UInt8(ascii: "y"))),
        ("summary-only", no_argument, Int32(UInt8(ascii: "c"))), ("summary", no_argument, Int32(UInt8(ascii: "C"))),
        ("quiet", no_argument, Int32(UInt8(ascii: "q"))), ("follow-forks", no_argument, Int32(UInt8(ascii: "f"))),
        ("pid", required_argument, Int32(UInt8(ascii: "p"))), ("attach", required_argument, Int32(UInt8(ascii: "p"))),
        ("expr", required_argument, Int32(UInt8(ascii: "e"))), ("syscall-times", no_argument, Int32(UInt8(ascii: "T"))),
        ("relative-timestamps", no_argument, Int32(UInt8(ascii: "r"))),
        ("output-separately", no_argument, Long.outputSeparately.rawValue),
        ("successful-only", no_argument, Int32(UInt8(ascii: "z"))), ("failed-only", no_argument, Int32(UInt8(ascii: "Z"))),
        ("same-cpu", no_argument, Long.sameCPU.rawValue), ("graph", required_argument, Long.graph.rawValue),
        ("graph-format", required_argument, Long.graphFormat.rawValue), ("graph-all", no_argument, Long.graphAll.rawValue),
        ("timeline", required_argument, Long.timeline.rawValue),
        ("seccomp-bpf", no_argument, Long.seccompBPF.rawValue), ("data-flow", no_argument, Long.dataFlow.rawValue),
        ("stall", required_argument, Long.stall.rawValue), ("stall-report", required_argument, Long.stallReport.rawValue),
        ("env", required_argument, Int32(UInt8(ascii: "E"))), ("summary-sort-by", required_argument, Int32(UInt8(ascii: "S"))),
        ("summary-wall-clock", no_argument, Int32(UInt8(ascii: "w"))),
        ("xlat-verbosity", required_argument, Int32(UInt8(ascii: "X"))), ("no-abbrev", no_argument, Int32(UInt8(ascii: "v"))),
        ("user", required_argument, Int32(UInt8(ascii: "u"))), ("columns", required_argument, Int32(UInt8(ascii: "a"))),
    ]

    /// Parses `arguments` (without the program name).
    static func parse(_ arguments: [String]) throws(UsageError) -> Options {
        var options = Options()
        let argv = (["ipcwatch"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let names = longOptions.map { strdup($0.name) }
        defer { names.forEach { free($0) } }
        var table = zip(longOptions, names).map { option(name: UnsafePointer($1), has_arg: $0.argument, flag: nil, val: $0.value) }
        table.append(option())
        // getopt_long keeps its state in globals: one parse at a time (tests parse in parallel).
        try parsing.withLock { _ throws(UsageError) in
            var next: Int32 = 1
            var restart: Int32 = 1
            while true {
                var argument: UnsafePointer<CChar>?
                var longIndex: Int32 = -1
                let code = ipcw_getopt_long(Int32(arguments.count + 1), argv, shortOptions, table, &longIndex, &argument,
                                            &next, restart)
                restart = 0
                if code == -1 { break }
                // As typed, for the errors that name it (strace's `invalid --columns argument`).
                let spelled = longIndex >= 0 ? "--" + longOptions[Int(longIndex)].name
                    : "-" + String(UnicodeScalar(UInt8(truncatingIfNeeded: code)))
                try options.apply(code, argument.map { String(cString: $0) }, spelled: spelled)
            }
            options.command = Array(arguments.dropFirst(Int(next) - 1))
        }
        if options.request == .trace { try options.validate() }
        return options
    }

    private mutating func apply(_ code: Int32, _ value: String?, spelled: String) throws(UsageError) {
        switch code {
        case Int32(UInt8(ascii: "h")): request = .help
        case Int32(UInt8(ascii: "V")): request = .version
        case Int32(UInt8(ascii: "o")): output = value
        case Int32(UInt8(ascii: "A")): append = true
        case Int32(UInt8(ascii: "j")): json = true
        case Int32(UInt8(ascii: "e")): try addExpression(value ?? "")
        case Int32(UInt8(ascii: "E")): environment.append(value ?? "")
        case Int32(UInt8(ascii: "w")): wallClock = true
        case Int32(UInt8(ascii: "x")): hexStrings += 1
        case Int32(UInt8(ascii: "v")): break  // strace -v: our structures are always printed whole, as strace's
        case Int32(UInt8(ascii: "u")):
            user = value
            userOption = spelled
        case Int32(UInt8(ascii: "a")):
            guard let column = Self.decimal(value), (0...Int(Int32.max)).contains(column) else {
                throw UsageError(message: "invalid \(spelled) argument: '\(value ?? "")'")
            }
            resultColumn = column
        case Int32(UInt8(ascii: "X")):
            guard let style = TextStyle.Constants(rawValue: value ?? "") else {
                throw UsageError(message: "invalid -X argument: '\(value ?? "")'")
            }
            constants = style
        case Int32(UInt8(ascii: "S")):
            guard let key = Summary.SortKey(name: value ?? "") else { throw UsageError(message: "invalid sortby: '\(value ?? "")'") }
            sortBy = key
        case Int32(UInt8(ascii: "s")):
            guard let limit = Self.decimal(value), (0...Self.maximumStringLimit).contains(limit) else {
                throw UsageError(message: "invalid -s argument: '\(value ?? "")'")
            }
            stringLimit = limit
        case Int32(UInt8(ascii: "y")): decodeFDs += 1
        case Int32(UInt8(ascii: "c")): summaryOnly = true
        case Int32(UInt8(ascii: "C")): summary = true
        case Int32(UInt8(ascii: "t")): timestamps += 1
        case Int32(UInt8(ascii: "T")): durations = true
        case Int32(UInt8(ascii: "r")): relativeTimestamps = true
        case Int32(UInt8(ascii: "z")): onlyStatus = (true, (onlyStatus?.count ?? 0) + 1)
        case Int32(UInt8(ascii: "Z")): onlyStatus = (false, (onlyStatus?.count ?? 0) + 1)
        case Int32(UInt8(ascii: "q")): quietCount += 1
        case Int32(UInt8(ascii: "f")): follow += 1
        case Int32(UInt8(ascii: "p")): try addPIDs(value ?? "")
        case Long.sameCPU.rawValue: sameCPU = true
        case Long.dataFlow.rawValue: dataFlow = true
        case Long.graph.rawValue: graph = value
        case Long.timeline.rawValue: timeline = value
        case Long.graphFormat.rawValue: graphFormatName = value
        case Long.graphAll.rawValue: graphAll = true
        case Long.stall.rawValue:
            guard let seconds = value.flatMap({ Double($0) }), seconds >= 0, seconds <= 1e6 else {
                throw UsageError(message: "invalid --stall argument: '\(value ?? "")' (seconds, 0 or more)")
            }
            stall = seconds
        case Long.stallReport.rawValue: stallReport = value
        case Long.seccompBPF.rawValue: break  // launch mode always filters with seccomp
        case Long.outputSeparately.rawValue: follow = max(follow, 2)  // strace's --output-separately is -ff
        default: throw UsageError(message: nil)  // getopt_long printed why
        }
    }

    /// A number as strace reads `-s` and `-a` (`strtol`, base 10): leading blanks and a sign allowed, nothing after.
    private static func decimal(_ value: String?) -> Int? {
        value.flatMap { Int($0.drop { " \t\n\u{0B}\u{0C}\r".contains($0) }) }
    }

    /// An `-e` expression: strace's qualifiers other than `trace=` are taken here, the rest is an event set.
    private mutating func addExpression(_ expression: String) throws(UsageError) {
        guard let equals = expression.firstIndex(of: "=") else { return expressions.append(expression) }
        let value = String(expression[expression.index(after: equals)...])
        let qualifier = expression[..<equals]
        var verboseAll = true
        if ["quiet", "silent", "silence", "q"].contains(qualifier) { return try setQuiet(value) }
        // strace's short forms: t=, s= (signals=), x= (raw), a=, v=; tag=SET is an event set of ours.
        let known = Self.qualifiers + ["t", "signals", "s", "x", "a", "v"]
        guard known.contains(String(qualifier)) || qualifier == "tag" || qualifier.hasPrefix("?") || qualifier.hasPrefix("/") else {
            throw UsageError(message: "invalid -e qualifier '\(qualifier)' (accepted: "
                             + Self.qualifiers.map { $0 + "=" }.joined(separator: ", ") + ")")
        }
        do throws(EventSelection.Invalid) {
            switch qualifier {
            case "signal", "signals", "s": signals = try SignalSelection.parse(value)
            case "status": status = try StatusSelection.parse(value)
            case "raw", "x": rawCalls.formUnion(try EventSelection.parse(value))
            // strace's abbrev= and verbose= leave our structures whole (strace 6.1, -v, measured on the
            // fixture); verbose= of a set smaller than all would print pointers instead: not supported.
            case "abbrev", "a": _ = try EventSelection.parse(value)
            case "verbose", "v": verboseAll = try EventSelection.parse(value) == Set(Syscall.allCases)
            default: expressions.append(expression)  // trace=, checked with the others in validate()
            }
        } catch {
            throw UsageError(message: error.description)
        }
        if !verboseAll { throw UsageError(message: "-e verbose=\(value): only all (the default) is supported") }
    }

    /// `-e quiet=SET`: strace's elements (of which attach, exit and thread-execve have messages here).
    private mutating func setQuiet(_ value: String) throws(UsageError) {
        for item in value.split(separator: ",", omittingEmptySubsequences: false) {
            switch item {
            case "all": quiet.formUnion(QuietMessage.allCases)
            case "none": quiet = []
            case "superseded": quiet.insert(.threadExecve)  // strace's alias
            default:
                guard let message = QuietMessage(rawValue: String(item)) else { throw UsageError(message: "invalid quiet '\(value)'") }
                quiet.insert(message)
            }
        }
    }

    /// strace's separators: `-p 1,2`, `-p "1 2"` (the `pidof` idiom), repeated `-p`.
    private mutating func addPIDs(_ list: String) throws(UsageError) {
        for word in list.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" }) {
            guard let pid = Int32(word), pid > 0 else { throw UsageError(message: "Invalid process id: '\(word)'") }
            pids.append(pid)
        }
        if list.allSatisfy({ $0 == "," || $0 == " " }) { throw UsageError(message: "Invalid process id: '\(list)'") }
    }

    private mutating func validate() throws(UsageError) {
        // strace: -q attach and personality, -qq also exit, -qqq every suppressible message.
        if quietCount >= 1 { quiet.formUnion([.attach, .personality]) }
        if quietCount >= 2 { quiet.insert(.exit) }
        if quietCount >= 3 { quiet.formUnion(QuietMessage.allCases) }
        if sameCPU && !pids.isEmpty { throw UsageError(message: "--same-cpu applies to launch mode only") }
        if !pids.isEmpty && !command.isEmpty { throw UsageError(message: "give either -p PID or a command, not both") }
        guard !command.isEmpty || !pids.isEmpty else {
            throw UsageError(message: "must have PROG [ARGS] or -p PID (see 'ipcwatch --help')")
        }
        if command.first == "" { throw UsageError(message: "Can't stat '': No such file or directory") }  // strace's words
        guard timestamps <= 3 else { throw UsageError(message: "-t may be given at most three times") }
        if follow >= 2, let output, output.hasPrefix("|") || output.hasPrefix("!") {
            throw UsageError(message: "piping the output and -ff/--output-separately are mutually exclusive")
        }
        if summaryOnly && summary { throw UsageError(message: "-c/--summary-only and -C/--summary are mutually exclusive") }
        // strace: -z is status=successful, -Z status=failed; the last one counts.
        if let onlyStatus {
            if onlyStatus.count > 1 {
                warnings.append("Only the last of -z/--successful-only/-Z/--failed-only options will take effect. "
                                + "See status qualifier for more complex filters.")
            }
            status = StatusSelection(successful: onlyStatus.successful, failed: !onlyStatus.successful, unfinished: false, detached: false)
        }
        do {
            _ = try events
        } catch {
            throw UsageError(message: error.description)
        }
        if let name = graphFormatName, GraphFormat(rawValue: name) == nil {
            throw UsageError(message: "unknown graph format '\(name)' (dot, mermaid or json)")
        }
        if graphFormatName != nil && graph == nil { throw UsageError(message: "--graph-format needs --graph FILE") }
        if graphAll && graph == nil { throw UsageError(message: "--graph-all needs --graph FILE") }
        if let graph, graphFormat == nil {
            throw UsageError(message: "cannot tell the format of '\(graph)' from its name: add --graph-format dot|mermaid|json")
        }
        // -j without -o writes the events on stderr: no room there for the text report.
        if json && output == nil && stall != nil && stallReport == nil {
            throw UsageError(message: "--stall with -j needs --stall-report=FILE or -o FILE (the events are on stderr)")
        }
    }

    /// The events the last `-e trace=` selects, as strace (each one replaces the one before, and each is
    /// checked); ``Syscall/defaultSelection`` without `-e`.
    var events: Set<Syscall> {
        get throws(EventSelection.Invalid) { Set(try variants.map(\.syscall)) }
    }

    /// The same, as finely as the output's names tell them apart: strace's names in text, Tracee's with -j.
    var variants: Set<CallVariant> {
        get throws(EventSelection.Invalid) {
            var selected = CallVariant.all(of: Syscall.defaultSelection)
            for expression in expressions { selected = try EventSelection.parse(expression, naming: json ? .tracee : .strace) }
            return selected
        }
    }

    /// strace's `Process N attached` for each child and thread followed, unless `-q`: in launch mode only
    /// when the trace goes to stderr ("automatically [quiet] when output is redirected to a file and the
    /// command is run directly", strace(1)); never among `-j`'s JSON lines.
    var showsFollowedAttaches: Bool {
        !quiet.contains(.attach) && !json && (output == nil || !pids.isEmpty)
    }

    /// The format of `--graph`, nil without it.
    var graphFormat: GraphFormat? {
        guard let graph else { return nil }
        return graphFormatName.flatMap(GraphFormat.init(rawValue:)) ?? GraphFormat(path: graph)
    }
}

/// strace's suppressible messages (`-e quiet=`).
enum QuietMessage: String, CaseIterable {
    /// `Process N attached` / `detached`.
    case attach
    /// `+++ exited with N +++`.
    case exit
    /// `[ Process PID=N runs in 32 bit mode. ]`: ipcwatch marks each 32-bit call instead.
    case personality
    /// strace's `-P` path messages: ipcwatch has no `-P`.
    case pathResolution = "path-resolution"
    /// `+++ superseded by execve in pid N +++`.
    case threadExecve = "thread-execve"
}
