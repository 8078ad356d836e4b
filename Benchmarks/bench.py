#!/usr/bin/env python3
"""ipcwatch vs native vs strace, measured side by side in one run.

Usage: Benchmarks/bench.py [--runs N] [--quick]

Builds ipcwatch (release, static Swift runtime) and the workloads, then runs every case natively, under ipcwatch (text and
JSON, output to /dev/null), under `strace -f --seccomp-bpf` and plain `strace -f` (same event
selection), and under seccomp-floor (an allow-all filter: the least any seccomp tracer costs).
Runs are alternated between tools, and the table shows medians and ratios from this run only.
"""
import argparse, os, platform, shutil, statistics, subprocess, sys, time, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, ".build", "bench")
STRACE_EVENTS = "trace=pipe,pipe2,%ipc"


def sh(*args, **kw):
    subprocess.run(args, check=True, **kw)


def build():
    os.makedirs(BUILD, exist_ok=True)
    # The static Swift runtime: dynamic loading of it costs more start-up than the tracing itself.
    swift_build = ["swift", "build", "-c", "release", "--static-swift-stdlib", "--scratch-path", ".build-static"]
    sh(*swift_build, "--product", "ipcwatch", cwd=ROOT, stdout=subprocess.DEVNULL)
    binpath = subprocess.run(swift_build + ["--show-bin-path"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    for name, extra in (("workload", ["-pthread"]), ("seccomp-floor", [])):
        sh("cc", "-O2", *extra, "-o", os.path.join(BUILD, name), os.path.join(ROOT, "Benchmarks", name + ".c"))
    return os.path.join(binpath, "ipcwatch")


def measure(argv):
    """Wall time of argv, in seconds."""
    start = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ)
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed ({status}): {' '.join(argv)}")
    return elapsed


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smaller workloads (a smoke run)")
    options = parser.parse_args()
    scale = 10 if options.quick else 1

    ipcwatch = build()
    workload = os.path.join(BUILD, "workload")
    floor = os.path.join(BUILD, "seccomp-floor")
    tools = {
        "native": [],
        "seccomp-floor": [floor],
        "ipcwatch": [ipcwatch, "-o", "/dev/null", "--"],
        "ipcwatch -j": [ipcwatch, "-j", "-o", "/dev/null", "--"],
        "ipcwatch --same-cpu": [ipcwatch, "--same-cpu", "-o", "/dev/null", "--"],
        # The graph goes to /dev/null like the events: the column measures snapshots and rendering, not the
        # disk (overwriting a file costs the same with or without snapshots: 1.1 ms on an ext4 mounted with
        # `discard`, for freeing the old file's blocks).
        "ipcwatch --graph": [ipcwatch, "-o", "/dev/null", "--graph", "/dev/null", "--graph-format", "dot", "--"],
        "ipcwatch -o file": [ipcwatch, "-o", os.path.join(BUILD, "ipcwatch.out"), "--"],
        "strace --seccomp-bpf": ["strace", "-f", "--seccomp-bpf", "-o", "/dev/null", "-e", STRACE_EVENTS],
        "strace --seccomp-bpf -o file": ["strace", "-f", "--seccomp-bpf", "-o", os.path.join(BUILD, "strace.out"),
                                         "-e", STRACE_EVENTS],
        "strace": ["strace", "-f", "-o", "/dev/null", "-e", STRACE_EVENTS],
    }
    if not shutil.which("strace"):
        print("strace not found: its columns are skipped", file=sys.stderr)
        tools = {k: v for k, v in tools.items() if not k.startswith("strace")}
    cases = {
        "trapped: 100k x pipe2": [workload, "pipes", str(100000 // scale)],
        "trapped: 20k x SysV msg loop (4 calls)": [workload, "sysv", str(20000 // scale)],
        "trapped: 8 threads x 10k pipe2": [workload, "threads", "8", str(10000 // scale)],
        "trapped: 4 forks x 10k pipe2": [workload, "forks", "4", str(10000 // scale)],
        "untrapped: 2M x getppid": [workload, "quiet", str(2000000 // scale)],
        "mixed: 20k x (100 getppid + pipe2)": [workload, "mixed", str(20000 // scale)],
        "start-up: sh -c 'echo hi | cat'": ["sh", "-c", "echo hi | cat >/dev/null"],
        "start-up: python3 -c pass": ["python3", "-c", "pass"],
    }

    print(f"# ipcwatch benchmark — {datetime.date.today().isoformat()}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"machine: {cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}; commit {commit}; "
          f"median of {options.runs} alternated runs ({options.runs * 8} for start-up)\n")
    header = ("| case | " + " | ".join(tools) + " | ipcwatch/native | ipcwatch/strace-seccomp | ipcwatch/floor"
              + " | -o file: ipcwatch/strace | --graph/ipcwatch |")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for name, argv in cases.items():
        # Plain strace stops at every syscall: 2M untrapped ones take over a minute a run. Skipped there.
        skip = {"strace"} if name.startswith(("untrapped", "mixed")) else set()
        # --graph (process snapshots) is measured where its cost matters: start-up of short pipelines.
        if not name.startswith("start-up"):
            skip.add("ipcwatch --graph")
        runners = {tool: prefix for tool, prefix in tools.items() if tool not in skip}
        times = {tool: [] for tool in runners}
        # Start-up runs take milliseconds and vary by a millisecond: many more of them.
        runs = options.runs * 8 if name.startswith("start-up") else options.runs
        for _ in range(runs):
            for tool, prefix in runners.items():
                times[tool].append(measure(prefix + argv))
        median = {tool: statistics.median(values) for tool, values in times.items()}
        ratio = lambda a, b: f"{median[a] / median[b]:.2f}" if a in median and b in median and median[b] > 0 else "—"
        cells = " | ".join(f"{median[tool] * 1000:.1f} ms" if tool in median else "(skipped)" for tool in tools)
        label = name.replace("|", r"\|")  # a Markdown table cell
        print(f"| {label} | {cells} | {ratio('ipcwatch', 'native')} | {ratio('ipcwatch', 'strace --seccomp-bpf')} | "
              f"{ratio('ipcwatch', 'seccomp-floor')} | {ratio('ipcwatch -o file', 'strace --seccomp-bpf -o file')} | "
              f"{ratio('ipcwatch --graph', 'ipcwatch')} |")
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
    ratio = f"{median['ipcwatch -p'] / median['strace -p']:.2f}" if "strace -p" in median else "—"
    print(f"| median of {options.runs} | {cells} | {ratio} |")

    # Peak RSS of the tracer (GNU time; the traced workload itself stays under 2 MiB), and its growth
    # with the number of events.
    many, few = 100000 // scale, 10000 // scale
    rss = {tool: peak_rss(tools[tool] + [workload, "pipes", str(many)]) for tool in tools
           if tool.startswith(("ipcwatch", "strace"))}
    small = peak_rss(tools["ipcwatch"] + [workload, "pipes", str(few)])
    print(f"\npeak RSS, {many} events: " + ", ".join(f"{tool} {kib / 1024:.1f} MiB" for tool, kib in rss.items())
          + f"; ipcwatch at {few} events: {small / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
