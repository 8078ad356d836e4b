#!/usr/bin/env python3
"""ipcwatch vs its floor vs strace, measured side by side in one run.

Usage: Benchmarks/bench.py [--runs N] [--quick] [--only TEXT|dataflow]

Builds ipcwatch and ipcwatch-session-bench (release, static Swift runtime) and the C programs, then runs
every case natively, under ipcwatch (text and JSON, output to /dev/null and to a file), under the library
path (ipcwatch-session-bench: a consumer of the public async API writing the CLI's text lines), under
observer (a minimal C tracer doing per event what ipcwatch does: the floor of this design; `observer --poll`
waits as ipcwatch does, polling before it blocks), under
`strace -f --seccomp-bpf` (to /dev/null and to a file) and plain `strace -f` (same event selection), and
under seccomp-floor (an allow-all filter: the least any seccomp tracer costs an untrapped syscall).
Runs are alternated between tools; the tables show medians and ratios from this run only, with the goals.
`--only TEXT` runs only the cases whose name contains TEXT; `--only dataflow` runs only the --data-flow case: the cost per trapped read/write call on a pipe (a
ping-pong) and on /dev/null, against `strace -f -e trace=read,write` (with and without --seccomp-bpf).
"""
import argparse, os, platform, shutil, statistics, subprocess, sys, time, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, ".build", "bench")
# ipcwatch's default selection in strace's words.
STRACE_EVENTS = ("trace=pipe,pipe2,splice,tee,vmsplice,%ipc,mq_open,mq_unlink,mq_timedsend,mq_timedreceive,mq_notify,"
                 "mq_getsetattr")


def sh(*args, **kw):
    subprocess.run(args, check=True, **kw)


def build():
    """Builds everything; returns the paths of ipcwatch and ipcwatch-session-bench."""
    os.makedirs(BUILD, exist_ok=True)
    # The static Swift runtime: dynamic loading of it costs more start-up than the tracing itself. No
    # $ORIGIN rpath: nothing is loaded from beside the binary, and ld.so would look for libm and libc in
    # eleven directories there first (0.2 ms here, measured).
    swift_build = ["swift", "build", "-c", "release", "--static-swift-stdlib", "--disable-local-rpath",
                   "--scratch-path", ".build-static"]
    for product in ("ipcwatch", "ipcwatch-session-bench"):
        sh(*swift_build, "--product", product, cwd=ROOT, stdout=subprocess.DEVNULL)
    binpath = subprocess.run(swift_build + ["--show-bin-path"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    for name, extra in (("workload", ["-pthread"]), ("seccomp-floor", []), ("observer", ["-lseccomp"])):
        sh("cc", "-O2", "-o", os.path.join(BUILD, name), os.path.join(ROOT, "Benchmarks", name + ".c"), *extra)
    return os.path.join(binpath, "ipcwatch"), os.path.join(binpath, "ipcwatch-session-bench")


def measure(argv, cpu=False):
    """Wall time of argv, in seconds; with cpu=True, (wall, CPU): the user and system time of argv and of
    everything it waited for (a tracer reaps its tracees: their time is in it)."""
    start = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed ({status}): {' '.join(argv)}")
    return (elapsed, usage.ru_utime + usage.ru_stime) if cpu else elapsed


def profile(argv):
    """ipcwatch's own split of its time per event (IPCWATCH_PROFILE=1: one line on stderr)."""
    out = subprocess.run(argv, capture_output=True, text=True, env=dict(os.environ, IPCWATCH_PROFILE="1"))
    line = next((l for l in out.stderr.splitlines() if "per event" in l), "")
    # "ipcwatch: per event (µs, N events, M stops): waiting 1.23, ptrace 4.56, …, total 9.87"
    return dict((k, float(v)) for k, v in (part.rsplit(" ", 1) for part in line.split("): ", 1)[-1].split(", "))) if line else {}


def peak_rss(argv):
    """Peak RSS (KiB) of argv[0] and its reaped children, via GNU time: its fork() starts the child
    from time's own small address space (posix_spawn from python would start it from python's)."""
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], capture_output=True, text=True, check=True)
    return int(out.stderr.strip().splitlines()[-1])


def measure_attach(prefix, workload, attached_marker):
    """Wall time of a workload released after `prefix PID` attached to it (no prefix: untraced)."""
    target = subprocess.Popen(["sh", "-c", f"read go; exec {workload} mixed 1000"], stdin=subprocess.PIPE)
    tracer = None
    if prefix:
        tracer = subprocess.Popen(prefix + [str(target.pid)], stderr=subprocess.PIPE, text=True)
        while attached_marker not in tracer.stderr.readline():
            pass
    start = time.perf_counter()
    target.stdin.write(b"go\n")
    target.stdin.close()
    target.wait()
    elapsed = time.perf_counter() - start
    if tracer:
        tracer.wait()
    return elapsed


# Goals, next to the ratios they judge (issue "A tracer loop that serves every thread"): wall time per event
# against strace -f --seccomp-bpf on the same workload, by kind of workload; total CPU (tracer and program)
# against strace's; -j against text; --same-cpu; attach mode against strace -f -p; --data-flow against
# strace -e trace=read,write.
GOAL_STRACE_SINGLE = 0.60    # one busy tracee: pipes, SysV
GOAL_STRACE_PARALLEL = 0.90  # 4 threads, 4 processes
GOAL_STRACE_MIXED = 0.80     # 100 untrapped : 1 trapped
GOAL_CPU = 1.10              # total CPU, ipcwatch's run against strace's
GOAL_JSON = 1.10             # -j against text
GOAL_TIMELINE = 1.10         # --timeline with the text against the text alone
GOAL_SAME_CPU = 0.30         # --same-cpu against strace
GOAL_ATTACH = 0.70           # ipcwatch -p against strace -f -p, per syscall
GOAL_DATAFLOW = 0.70         # --data-flow against strace -f --seccomp-bpf -e trace=read,write
GOAL_IDLE_CPU_MS = 60        # a program that pipes every 0.3 s for 2 s: the tracer's CPU
GOAL_FLOOR = 1.02     # untrapped syscalls: what an allow-all seccomp filter costs
GOAL_SESSION = 1.15   # the library path (async session consumer) against the CLI
GOAL_STARTUP = 0.80   # start-up (sh pipeline, true) against strace -f --seccomp-bpf
GOAL_RSS_MIB = 7.0    # the tracer's peak RSS at 100k events
GOAL_GRAPH_RSS_MIB = 15.0   # --graph at 100k pipes made and closed
GOAL_GRAPH_GROWTH = 1.10    # and at 1M, against 100k: no memory per closed pipe


def event_lines(path):
    """Completed events in a tracer's output file: text lines with a result (strace's `<... resumed>`
    halves included, its `<unfinished ...>` halves not), or JSON lines."""
    count = 0
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("{"):
                count += '"eventName"' in line
            elif "+++" not in line and "---" not in line and "<unfinished" not in line and " = " in line:
                count += 1
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smaller workloads (a smoke run)")
    parser.add_argument("--only", metavar="TEXT",
                        help="only the cases whose name contains TEXT (no attach runs); dataflow: the --data-flow case")
    parser.add_argument("--graph-memory", action="store_true", help="only the --graph (and --graph --data-flow) peak RSS case")
    options = parser.parse_args()
    scale = 10 if options.quick else 1

    ipcwatch, session = build()
    workload = os.path.join(BUILD, "workload")
    if options.graph_memory:
        graph_memory(ipcwatch, workload, options.quick)
        return
    if options.only == "dataflow":
        return dataflow(options, ipcwatch, workload, scale)
    floor = os.path.join(BUILD, "seccomp-floor")
    observer = os.path.join(BUILD, "observer")
    out = lambda tool: os.path.join(BUILD, tool + ".out")
    tools = {
        "native": [],
        "seccomp-floor": [floor],
        "observer": [observer, "-o", "/dev/null", "--"],
        "observer -o file": [observer, "-o", out("observer"), "--"],
        # The same floor waiting as ipcwatch does by default: polling waitpid for up to 50 µs before blocking.
        "observer --poll": [observer, "--poll", "50", "-o", "/dev/null", "--"],
        "ipcwatch": [ipcwatch, "-o", "/dev/null", "--"],
        "ipcwatch -o file": [ipcwatch, "-o", out("ipcwatch"), "--"],
        "ipcwatch -j": [ipcwatch, "-j", "-o", "/dev/null", "--"],
        "ipcwatch -j -o file": [ipcwatch, "-j", "-o", out("ipcwatch-j"), "--"],
        "ipcwatch --same-cpu": [ipcwatch, "--same-cpu", "-o", "/dev/null", "--"],
        # The graph goes to /dev/null like the events: the column measures snapshots and rendering, not the
        # disk (overwriting a file costs the same with or without snapshots: 1.1 ms on an ext4 mounted with
        # `discard`, for freeing the old file's blocks).
        "ipcwatch --graph": [ipcwatch, "-o", "/dev/null", "--graph", "/dev/null", "--graph-format", "dot", "--"],
        # The timeline beside the text (#25: within 10 % of the text alone), both to /dev/null.
        "ipcwatch --timeline": [ipcwatch, "-o", "/dev/null", "--timeline=/dev/null", "--"],
        # The library path: Tracer.launch + `for try await` over the session, the CLI's text lines.
        "session": [session, "-o", "/dev/null", "--"],
        "strace --seccomp-bpf": ["strace", "-f", "--seccomp-bpf", "-o", "/dev/null", "-e", STRACE_EVENTS],
        "strace --seccomp-bpf -o file": ["strace", "-f", "--seccomp-bpf", "-o", out("strace"), "-e", STRACE_EVENTS],
        "strace": ["strace", "-f", "-o", "/dev/null", "-e", STRACE_EVENTS],
    }
    if not shutil.which("strace"):
        print("strace not found: its columns are skipped", file=sys.stderr)
        tools = {k: v for k, v in tools.items() if not k.startswith("strace")}
    n = lambda count: count // scale
    # Labels say what runs (--quick divides the counts by 10).
    k = lambda count: (f"{n(count) // 1000000}M" if n(count) % 1000000 == 0 else
                       f"{n(count) // 1000}k" if n(count) % 1000 == 0 else str(n(count)))
    # name: (argv, events it makes: what each `-o file` output must hold)
    cases = {
        f"trapped: {k(100000)} x pipe2": ([workload, "pipes", str(n(100000))], n(100000)),
        f"trapped: {k(20000)} x SysV msg loop (4 calls)": ([workload, "sysv", str(n(20000))], 4 * n(20000)),
        f"trapped: 4 threads x {k(20000)} pipe2": ([workload, "threads", "4", str(n(20000))], 4 * n(20000)),
        f"trapped: 4 forks x {k(10000)} pipe2": ([workload, "forks", "4", str(n(10000))], 4 * n(10000)),
        f"mixed: {k(20000)} x (100 getppid + pipe2)": ([workload, "mixed", str(n(20000))], n(20000)),
        f"untrapped: {k(2000000)} x getppid": ([workload, "quiet", str(n(2000000))], 0),
        # The observer (the C floor) decodes pipes and SysV only: these two are measured against strace alone.
        f"trapped: {k(20000)} x POSIX mq loop (mq_send + mq_receive)": ([workload, "mq", str(n(20000))], 2 * n(20000) + 2),
        f"trapped: {k(20000)} x splice (pipe to memfd)": ([workload, "splice", str(n(20000))], n(20000) + 1),
        "start-up: sh -c 'echo hi | cat'": (["sh", "-c", "echo hi | cat >/dev/null"], 1),
        "start-up: true": (["true"], 0),
        "start-up: python3 -c pass": (["python3", "-c", "pass"], None),
    }
    file_outputs = {"observer -o file": out("observer"), "ipcwatch -o file": out("ipcwatch"),
                    "ipcwatch -j -o file": out("ipcwatch-j"), "strace --seccomp-bpf -o file": out("strace")}

    started = time.monotonic()
    print(f"# ipcwatch benchmark — {datetime.date.today().isoformat()}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"machine: {cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}; commit {commit}"
          f"{' (with uncommitted changes)' if dirty else ''}; "
          f"median of {options.runs} alternated runs ({options.runs * 8} for start-up)"
          f"{'; --quick: small workloads, not numbers to quote' if options.quick else ''}\n")

    if options.only:
        cases = {name: case for name, case in cases.items() if options.only in name}
    medians, cpus = {}, {}
    for name, (argv, expected) in cases.items():
        # Plain strace stops at every syscall: 2M untrapped ones take over a minute a run. Skipped there.
        skip = {"strace"} if name.startswith(("untrapped", "mixed")) else set()
        if " mq " in name or "splice" in name:
            skip |= {"observer", "observer -o file", "observer --poll"}
        # --graph (process snapshots) is measured where its cost matters: start-up of short pipelines.
        if not name.startswith("start-up"):
            skip.add("ipcwatch --graph")
        runners = {tool: prefix for tool, prefix in tools.items() if tool not in skip}
        times = {tool: [] for tool in runners}
        cpu = {tool: [] for tool in runners}
        # Start-up runs take milliseconds and vary by a millisecond: many more of them.
        runs = options.runs * 8 if name.startswith("start-up") else options.runs
        for _ in range(runs):
            for tool, prefix in runners.items():
                wall, used = measure(prefix + argv, cpu=True)
                times[tool].append(wall)
                cpu[tool].append(used)
        medians[name] = {tool: statistics.median(values) for tool, values in times.items()}
        cpus[name] = {tool: statistics.median(values) for tool, values in cpu.items()}
        # Every tracer saw every event (its last run's file): a tracer that missed them would look fast.
        for tool, path in file_outputs.items():
            if expected is not None and tool in runners and (got := event_lines(path)) != expected:
                print(f"warning: {name}: {tool} wrote {got} events, expected {expected}", file=sys.stderr)

    # Medians.
    header = "| case | " + " | ".join(tools) + " |"
    print(header)
    print("|" + "---|" * (len(tools) + 1))
    for name, median in medians.items():
        cells = " | ".join(f"{median[tool] * 1000:.1f} ms" if tool in median else "(skipped)" for tool in tools)
        print(f"| {name.replace('|', chr(92) + '|')} | {cells} |")  # \| in a Markdown cell

    # Ratios, each with its goal: ✓ met, ✗ missed (judged on the printed, rounded ratio).
    trapped = lambda name: name.startswith(("trapped", "mixed"))
    startup = lambda name: name.startswith("start-up") and "python" not in name
    def strace_goal(name):
        if startup(name):
            return GOAL_STARTUP
        if name.startswith("mixed"):
            return GOAL_STRACE_MIXED
        if " threads " in name or " forks " in name:
            return GOAL_STRACE_PARALLEL
        if "pipe2" in name or "SysV" in name:
            return GOAL_STRACE_SINGLE
        return None  # mq, splice: measured, no goal of their own
    columns = [  # (header, numerator, denominator, goal for a case or None, table: wall or CPU)
        ("ipcwatch/native", "ipcwatch", "native", lambda c: None, medians),
        (f"ipcwatch/floor (untrapped ≤ {GOAL_FLOOR:.2f})", "ipcwatch", "seccomp-floor",
         lambda c: GOAL_FLOOR if c.startswith("untrapped") else None, medians),
        ("ipcwatch/observer", "ipcwatch", "observer", lambda c: None, medians),
        ("ipcwatch/strace", "ipcwatch", "strace --seccomp-bpf",
         lambda c: strace_goal(c) if trapped(c) or startup(c) else None, medians),
        (f"CPU: ipcwatch/strace (≤ {GOAL_CPU:.2f})", "ipcwatch", "strace --seccomp-bpf",
         lambda c: GOAL_CPU if trapped(c) else None, cpus),
        ("-o file: ipcwatch/strace", "ipcwatch -o file", "strace --seccomp-bpf -o file",
         lambda c: strace_goal(c) if trapped(c) else None, medians),
        (f"-j/text (≤ {GOAL_JSON:.2f})", "ipcwatch -j", "ipcwatch", lambda c: GOAL_JSON if trapped(c) else None, medians),
        (f"-j -o file/text -o file (≤ {GOAL_JSON:.2f})", "ipcwatch -j -o file", "ipcwatch -o file",
         lambda c: GOAL_JSON if trapped(c) else None, medians),
        (f"--same-cpu/strace (≤ {GOAL_SAME_CPU:.2f})", "ipcwatch --same-cpu", "strace --seccomp-bpf",
         lambda c: GOAL_SAME_CPU if trapped(c) else None, medians),
        ("observer/strace", "observer", "strace --seccomp-bpf", lambda c: None, medians),
        ("observer --poll/strace", "observer --poll", "strace --seccomp-bpf", lambda c: None, medians),
        ("CPU: observer --poll/strace", "observer --poll", "strace --seccomp-bpf", lambda c: None, cpus),
        (f"session/CLI (≤ {GOAL_SESSION:.2f})", "session", "ipcwatch", lambda c: GOAL_SESSION if trapped(c) else None, medians),
        ("--graph/ipcwatch", "ipcwatch --graph", "ipcwatch", lambda c: None, medians),
        (f"--timeline/ipcwatch (≤ {GOAL_TIMELINE:.2f})", "ipcwatch --timeline", "ipcwatch",
         lambda c: GOAL_TIMELINE if trapped(c) else None, medians),
    ]
    print(f"\nGoals (✓ met, ✗ missed, on the rounded ratio), wall time against strace -f --seccomp-bpf: one busy "
          f"tracee (pipes, SysV) ≤ {GOAL_STRACE_SINGLE:.2f}, 4 threads or processes ≤ {GOAL_STRACE_PARALLEL:.2f}, "
          f"mixed ≤ {GOAL_STRACE_MIXED:.2f}, start-up ≤ {GOAL_STARTUP:.2f}; total CPU ≤ {GOAL_CPU:.2f} × strace's; "
          f"-j within {GOAL_JSON - 1:.0%} of text; --same-cpu ≤ {GOAL_SAME_CPU:.2f} × strace; untrapped ≤ "
          f"{GOAL_FLOOR:.2f} × seccomp-floor; session path ≤ {GOAL_SESSION:.2f} × CLI path (text, /dev/null). A goal "
          f"other than the column's is shown in the cell.\n")
    print("| case | " + " | ".join(header for header, *_ in columns) + " |")
    print("|" + "---|" * (len(columns) + 1))
    for name in medians:
        cells = []
        for header, a, b, goal_for, table in columns:
            values = table[name]
            if a not in values or b not in values or values[b] <= 0:
                cells.append("—")
                continue
            ratio = round(values[a] / values[b], 2)
            goal = goal_for(name)
            if goal is None:
                cells.append(f"{ratio:.2f}")
                continue
            cell = f"{ratio:.2f} {'✓' if ratio <= goal else '✗'}"
            if f"≤ {goal:.2f}" not in header:
                cell += f" (≤ {goal:.2f})"
            cells.append(cell)
        print(f"| {name.replace('|', chr(92) + '|')} | " + " | ".join(cells) + " |")

    # Where the time goes: ipcwatch's own split per event (one run each, IPCWATCH_PROFILE=1, not timed above).
    # waiting: the kernel's round trip, from resuming a tracee to its next stop (the program's own run in it);
    # ptrace: the requests and bookkeeping of the stops; decoding: memory read, event built; formatting: the
    # line into its buffer (and full buffers written); writing: the rest written before the tracer sleeps.
    phases = ["waiting", "ptrace", "decoding", "formatting", "writing", "total"]
    print("\nWhere ipcwatch's time goes, µs per event (IPCWATCH_PROFILE=1, one run; waiting = the kernel's round "
          "trip from a resumption to the next stop, the program's own run included):\n")
    print("| case | output | " + " | ".join(phases) + " | strace, wall per event |")
    print("|---|---|" + "---|" * (len(phases) + 1))
    for name, (argv, expected) in cases.items():
        if not trapped(name) or not expected:
            continue
        per_event = medians[name].get("strace --seccomp-bpf", 0) / expected * 1e6
        for label, tool in (("text", "ipcwatch"), ("-j", "ipcwatch -j")):
            split = profile(tools[tool] + argv)
            cells = " | ".join(f"{split.get(phase, 0):.2f}" for phase in phases)
            print(f"| {name} | {label} | {cells} | {per_event:.2f} |")

    if options.only:
        return
    # Attach mode: every syscall stops twice (no seccomp filter can be added to a running process).
    attachers = {"native": ([], ""), "ipcwatch -p": ([ipcwatch, "-o", "/dev/null", "-p"], "attached"),
                 "strace -p": (["strace", "-f", "-o", "/dev/null", "-e", STRACE_EVENTS, "-p"], "attached")}
    if not shutil.which("strace"):
        del attachers["strace -p"]
    times = {tool: [] for tool in attachers}
    for _ in range(options.runs):
        for tool, (prefix, marker) in attachers.items():
            times[tool].append(measure_attach(prefix, workload, marker))
    median = {tool: statistics.median(values) for tool, values in times.items()}
    print("\n| attach: 1k x (100 getppid + pipe2), 101k syscalls | " + " | ".join(attachers) + " | ipcwatch/strace |")
    print("|---|" + "---|" * (len(attachers) + 1))
    per_call = lambda tool: (median[tool] - median["native"]) / 101000 * 1e6
    cells = " | ".join(f"{median[t] * 1000:.1f} ms" + (f" (+{per_call(t):.1f} µs/syscall)" if t != "native" else "")
                       for t in attachers)
    ratio = "—"
    if "strace -p" in median:
        # Per syscall: what each tracer adds to the untraced run.
        attach = round(per_call("ipcwatch -p") / per_call("strace -p"), 2)
        ratio = f"{attach:.2f} {'✓' if attach <= GOAL_ATTACH else '✗'} (≤ {GOAL_ATTACH:.2f}, per syscall)"
    print(f"| median of {options.runs} | {cells} | {ratio} |")

    # A program that mostly sleeps: 7 pipes 0.3 s apart. The tracer must not poll while nothing happens.
    idle = [measure([ipcwatch, "-o", "/dev/null", "--", workload, "idle", "7", "300"], cpu=True)[1] for _ in range(3)]
    idle_ms = statistics.median(idle) * 1000
    print(f"\nidle: 7 pipes 0.3 s apart (2.1 s), ipcwatch's CPU (tracer and program): {idle_ms:.1f} ms "
          f"{'✓' if idle_ms <= GOAL_IDLE_CPU_MS else '✗'} (≤ {GOAL_IDLE_CPU_MS} ms)")

    # Peak RSS of the tracer (GNU time; the traced workload itself stays under 2 MiB), and its growth
    # with the number of events.
    many, few = 100000 // scale, 10000 // scale
    rss = {tool: peak_rss(tools[tool] + [workload, "pipes", str(many)]) for tool in tools
           if tool.startswith(("ipcwatch", "strace", "observer", "session"))}
    small = peak_rss(tools["ipcwatch"] + [workload, "pipes", str(few)])
    print(f"\npeak RSS, {many} events: " + ", ".join(f"{tool} {kib / 1024:.1f} MiB" for tool, kib in rss.items())
          + f"; ipcwatch at {few} events: {small / 1024:.1f} MiB")
    mib = rss["ipcwatch"] / 1024
    print(f"ipcwatch at {many} events: {mib:.1f} MiB {'✓' if round(mib, 1) <= GOAL_RSS_MIB else '✗'} (≤ {GOAL_RSS_MIB:.0f} MiB)")
    graph_memory(ipcwatch, workload, options.quick)
    print()
    dataflow(options, ipcwatch, workload, scale, header=False)
    print(f"\n(benchmark took {(time.monotonic() - started) / 60:.1f} minutes)")


def dataflow(options, ipcwatch, workload, scale, header=True):
    """--data-flow: what one trapped read/write-family call costs, on a pipe (counted: seccomp stop, a stat of
    /proc/TID/fd/N, exit stop) and on /dev/null (seccomp stop, the stat, PTRACE_CONT), against strace
    tracing read and write. The observer (C floor) traps only the IPC calls and has no column here."""
    rounds, writes = 50000 // scale, 200000 // scale
    cases = {f"pipe ping-pong: {rounds} round trips, {4 * rounds} read/write calls": ([workload, "pingpong", str(rounds)], 4 * rounds),
             f"/dev/null: {writes} x write": ([workload, "devnull", str(writes)], writes)}
    tools = {
        "native": [],
        "ipcwatch": [ipcwatch, "-o", "/dev/null", "--"],
        "ipcwatch --data-flow": [ipcwatch, "--data-flow", "-o", "/dev/null", "--"],
        "strace --seccomp-bpf -e trace=read,write": ["strace", "-f", "--seccomp-bpf", "-o", "/dev/null", "-e", "trace=read,write"],
        "strace -e trace=read,write": ["strace", "-f", "-o", "/dev/null", "-e", "trace=read,write"],
    }
    if not shutil.which("strace"):
        print("strace not found: its columns are skipped", file=sys.stderr)
        tools = {k: v for k, v in tools.items() if not k.startswith("strace")}
    if header:
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
        print(f"# ipcwatch --data-flow benchmark — {datetime.date.today().isoformat()}")
        print(f"machine: {cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}; median of {options.runs} alternated runs\n")
    print(f"| --data-flow case | " + " | ".join(tools) + f" | --data-flow/strace --seccomp-bpf (≤ {GOAL_DATAFLOW:.2f}, per call) |")
    print("|" + "---|" * (len(tools) + 2))
    for name, (argv, calls) in cases.items():
        times = {tool: [] for tool in tools}
        for _ in range(options.runs):
            for tool, prefix in tools.items():
                times[tool].append(measure(prefix + argv))
        median = {tool: statistics.median(values) for tool, values in times.items()}
        per_call = lambda tool: (median[tool] - median["native"]) / calls * 1e6
        cells = " | ".join(f"{median[t] * 1000:.1f} ms" + (f" (+{per_call(t):.2f} µs/call)" if t != "native" else "")
                           for t in tools)
        strace = "strace --seccomp-bpf -e trace=read,write"
        ratio = "—"
        if strace in median:
            flow = round(per_call("ipcwatch --data-flow") / per_call(strace), 2)
            ratio = f"{flow:.2f} {'✓' if flow <= GOAL_DATAFLOW else '✗'}"
        print(f"| {name} | {cells} | {ratio} |")
def graph_memory(ipcwatch, workload, quick):
    """Peak RSS of `ipcwatch --graph` (JSON written to a file) over a program that makes and closes N pipes:
    orphan pipes are forgotten once closed, so memory must not grow with N. Then the same with --data-flow
    over N pipes that each carry a byte (counts on both ends of every pipe). --quick: only 100k."""
    graph = os.path.join(BUILD, "graph.json")
    counts = [100000] if quick else [100000, 1000000]
    rss = {count: peak_rss([ipcwatch, "-o", "/dev/null", "--graph", graph, "--", workload, "pipes", str(count)])
           for count in counts}
    base = rss[100000] / 1024
    cells = [f"100k pipes: {base:.1f} MiB {'✓' if base <= GOAL_GRAPH_RSS_MIB else '✗'} (≤ {GOAL_GRAPH_RSS_MIB:.0f} MiB)"]
    if 1000000 in rss:
        growth = round(rss[1000000] / rss[100000], 2)
        cells.append(f"1M pipes: {rss[1000000] / 1024:.1f} MiB, ×{growth:.2f} "
                     f"{'✓' if growth <= GOAL_GRAPH_GROWTH else '✗'} (≤ ×{GOAL_GRAPH_GROWTH:.2f})")
    print("\npeak RSS, ipcwatch --graph: " + "; ".join(cells))
    # --data-flow: each pipe also carries a byte each way, so every pipe has counts on both ends.
    flow = {count: peak_rss([ipcwatch, "-o", "/dev/null", "--data-flow", "--graph", graph, "--", workload, "usedpipes",
                             str(count)]) for count in counts}
    cells = [f"100k used pipes: {flow[100000] / 1024:.1f} MiB {'✓' if flow[100000] / 1024 <= GOAL_GRAPH_RSS_MIB else '✗'} "
             f"(≤ {GOAL_GRAPH_RSS_MIB:.0f} MiB)"]
    if 1000000 in flow:
        growth = round(flow[1000000] / flow[100000], 2)
        cells.append(f"1M used pipes: {flow[1000000] / 1024:.1f} MiB, ×{growth:.2f} "
                     f"{'✓' if growth <= GOAL_GRAPH_GROWTH else '✗'} (≤ ×{GOAL_GRAPH_GROWTH:.2f})")
    print("peak RSS, ipcwatch --graph --data-flow: " + "; ".join(cells))


if __name__ == "__main__":
    main()
