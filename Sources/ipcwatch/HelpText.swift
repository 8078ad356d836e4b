/// What `--help` and `-V` print. docs/usage.md and docs/ipcwatch.1 say the same (ReadmeTests, DocumentationTests).
enum HelpText {
    static let version = "ipcwatch 0.3 (Tracee v0.24.1 event schema, strace 6 text)"

    static let usage = """
        Usage: ipcwatch [-ACcfjqrTtvwxyzZ] [-a COLUMN] [-e EXPR] [-o FILE] [-s STRSIZE] [-S SORTBY] [-X FORMAT]
                        [-E VAR[=VAL]] [-u USER] [--graph FILE] -- PROG [ARGS]
               ipcwatch [-ACcfjqrTtvwxyzZ] [-a COLUMN] [-e EXPR] [-o FILE] [-s STRSIZE] [-S SORTBY] [-X FORMAT]
                        [--graph FILE] -p PID...

        Watch a program's IPC syscalls — pipe, pipe2, splice, tee, vmsplice, the SysV family (msg*, sem*, shm*),
        the i386 ipc(2) multiplexer, POSIX message queues (mq_*) and, when selected, futex — with ptrace and a
        seccomp filter: no root, no kernel module. Every other syscall runs at native speed. Children and
        threads are always followed. Exits with the command's status.

        Tracing:
          -e EXPR, --expr=EXPR   which events: [trace=][!]SET, SET a comma-separated list of
                                 event names (pipe, pipe2, splice, tee, vmsplice, ipc, msgget, msgsnd,
                                 msgrcv, msgctl, semget, semop, semtimedop, semctl, shmget, shmat, shmdt,
                                 shmctl, mq_open, mq_unlink, mq_timedsend, mq_timedreceive, mq_notify,
                                 mq_getsetattr, futex, set_robust_list, get_robust_list) as the output
                                 names them: in text strace's (i386's semtimedop_time64,
                                 mq_timedsend_time64, mq_timedreceive_time64, futex_time64 apart; msgget
                                 is also ipc(MSGGET); ipc is %ipc), with -j Tracee's (i386's
                                 mq_timedsend_time32, mq_timedreceive_time32, futex_time32 apart; ipc is
                                 every ipc(2) call, and only them); classes %ipc (the SysV family and ipc,
                                 as strace's), %pipe, %msg, %sem, %shm, %mq, %futex, Tracee's sets tag=ipc
                                 (all 26 of Tracee's ipc events, futex included), tag=ipc_pipe,
                                 tag=ipc_msgq (SysV and mq_*), tag=ipc_sem, tag=ipc_shm, tag=ipc_futex,
                                 tag=32bit_unique (ipc and the _time32 events), /REGEX, ?NAME (no error if
                                 unknown), all, none; '!' first selects all but SET. Without -e: everything
                                 but futex, set_robust_list and get_robust_list (a futex call is every
                                 contended lock)
          -e signal=SET          which signals get a '--- SIGCHLD {...} ---' line (default all): names
                                 with or without SIG, numbers, all, none, '!'; never in JSON
          -e status=SET          successful, failed, unfinished, detached (unavailable: never)
          -e quiet=SET           attach, exit, thread-execve (as -q, -qq, -qqq), all, none
          -e raw=SET             print the constants of the calls in SET as numbers (as -X raw); strace
                                 also stops decoding them (hex arguments, pointers): ipcwatch does not
          -e abbrev=SET, -e verbose=all
                                 accepted for strace's sake: strace 6 prints these calls' structures
                                 whole already; verbose= of a smaller set (pointers instead) is refused
          -E VAR=VAL, --env=VAR=VAL
                                 run the command with VAR=VAL in its environment; -E VAR removes VAR
          -p PID, --pid=PID      attach to process PID (all its threads) and follow its children; repeat,
                                 or separate with commas or spaces (-p "$(pidof prog)"); Ctrl-C detaches
          -u USER, --user=USER   run the command as USER, with its uid, gid and groups (root only)
          -f                     accepted for strace's sake: children and threads are always followed
          -ff, --output-separately
                                 with -o PREFIX: each thread's lines go to PREFIX.TID, as strace's
          --seccomp-bpf          accepted for strace's sake: launch mode always uses a seccomp filter
          --same-cpu             pin ipcwatch and the command to one CPU: faster per event, but the command
                                 sees that one CPU only (nproc says 1) and its threads lose their parallelism
          --data-flow            also count what each process moves through each pipe, FIFO or Unix socket:
                                 traps read, write, readv, writev, preadv, pwritev (and 2), splice, tee,
                                 vmsplice, sendfile, copy_file_range, sendto, recvfrom, sendmsg, recvmsg; no
                                 lines for them (-e cannot select them yet);
                                 with -c, a table per pipe (creator, writers, readers, bytes)

        Output:
          -o FILE, --output=FILE write events to FILE ('-' for stdout) instead of stderr; '|CMD' or
                                 '!CMD' pipes them to sh -c CMD (ipcwatch waits for it to end)
          -A                     append to FILE instead of truncating it
          -j, --json             one JSON object per line, in Tracee v0.24.1's event schema
          -s N, --string-limit=N show at most N bytes of message text and N sembuf entries (default 32)
          -a COLUMN, --columns=COLUMN
                                 align results at COLUMN, as strace (default 40; 0: no alignment)
          -x                     print message texts, names and iov_base strings in hex (\\x68\\x69) when
                                 one byte is not printable; -xx: every string
          -X FORMAT, --xlat-verbosity=FORMAT
                                 flags, commands and constants: abbrev (IPC_CREAT|IPC_EXCL, default),
                                 raw (0x600) or verbose (0x600 /* IPC_CREAT|IPC_EXCL */)
          -v, --no-abbrev        accepted for strace's sake: structures are never abbreviated
          -y, --decode-fds       show each descriptor's /proc link, as strace: 3</dev/null>,
                                 3<pipe:[12345]>, 3<socket:[12345]>, 3</queue>; -yy: also a device's
                                 numbers (3</dev/null<char 1:3>>) and a socket's protocol and ends
                                 (3<UNIX-STREAM:[12345->12346]>, 3<TCP:[127.0.0.1:80->127.0.0.1:5000]>)
          -t, -tt, -ttt          the time of day, with microseconds, as epoch seconds, after the pid
          -r, --relative-timestamps
                                 the seconds since the previous line, after the pid (and after -t's time)
          -T, --syscall-times    show the time spent in each call: <0.000040>
          -z, --successful-only  show only calls that succeeded
          -Z, --failed-only      show only calls that failed
          -q, --quiet            no attach/detach messages; -qq: no "exited with" lines; -qqq: no
                                 "superseded by execve" lines either
          -c, --summary-only     only a table of calls, errors and time at the end
          -C, --summary          events and the table (with -j: the table as JSON, on stderr)
          -S SORTBY, --summary-sort-by=SORTBY
                                 order of the table: time (default), min-time, max-time, avg-time,
                                 calls, errors, name, nothing
          --timeline=FILE        also write the trace to FILE as Chrome trace-event JSON for Perfetto: a
                                 track per process and thread, a slice per call, arrows from each message,
                                 semaphore raise and (with --data-flow) pipe write to what it reached
          -w, --summary-wall-clock
                                 accepted for strace's sake: the table's times are wall-clock already
          --graph=FILE           when the trace ends (and at each SIGUSR1), write who talks to whom to FILE
          --graph-format=FORMAT  dot, mermaid or json (default: from FILE's extension)
          --graph-all            also draw the pipes one process made and closed without passing them on
          --stall=SECONDS        once every traced thread has been blocked that long with no progress (and at
                                 each SIGUSR1), write who waits for whom: each thread's call, the pipe, FIFO,
                                 semaphore, queue or child it waits on, who holds the other end, the
                                 deadlocks (red edges in --graph, rewritten then); with -p: also attach to
                                 those, and 0 reports at once and detaches
          --stall-report=FILE    also write that report to FILE as JSON, rewritten at each report

        Miscellaneous:
          -h, --help             print this help and exit
          -V, --version          print the version and exit

        Exit status:
          0-255                  the command's status; if a signal killed the command, ipcwatch dies of
                                 that signal (a shell shows 128+N)
          0                      with -p: once every traced process has exited; a signal that detaches
                                 (SIGINT, SIGTERM, SIGHUP, SIGQUIT) kills ipcwatch (130 after Ctrl-C)
          1                      a usage error (as strace), -u without root or with an unknown user, an
                                 output that cannot be opened, a trace that cannot start or attach
          126                    the command was found but cannot be run (not executable)
          127                    the command was not found

        Examples:
          ipcwatch -- sh -c 'echo hi | cat'
          ipcwatch -f -e trace=%ipc -s200 -oipc.log -- ./server
          ipcwatch -j -e tag=ipc_msgq -o events.json -- ipcmk -Q
          ipcwatch -p "$(pidof postgres)" -e %shm
          ipcwatch --graph pipeline.dot -- sh -c 'ls | sort | uniq -c'
          ipcwatch --stall=0 -p "$(pidof hung-program)"
        """
}
