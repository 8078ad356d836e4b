// fork -> wait on a pipe while the parent seizes us -> seccomp filter -> execvp, with failures reported
// through a CLOEXEC pipe. Everything after fork() is async-signal-safe.
#define _GNU_SOURCE
#include "CSupport.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <unistd.h>

static void report_and_exit(int fd, int stage, int error) {
    ipcw_launch_failure failure = {stage, error};
    ssize_t ignored = write(fd, &failure, sizeof failure);
    (void)ignored;
    _exit(127);
}

// The kernel's struct sigaction: glibc's sigaction() refuses its internal signals (32, 33), whose
// dispositions the command must inherit too.
struct kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

static int is_ignored(int sig) {
    struct kernel_sigaction current;
    return syscall(SYS_rt_sigaction, sig, NULL, &current, sizeof current.mask) == 0 && current.handler == SIG_IGN;
}

uint64_t ipcw_ignored_signals(void) {
    uint64_t ignored = 0;
    for (int sig = 1; sig <= 64; sig++)
        if (is_ignored(sig))
            ignored |= UINT64_C(1) << (sig - 1);
    return ignored;
}

pid_t ipcw_launch_stopped(const char *file, char *const argv[], const void *filter, uint16_t filter_length,
                          int set_no_new_privs, int error_fd, const int release_fds[2], const uint64_t *ignored_signals,
                          const sigset_t *child_mask, int standard_streams_only, const ipcw_identity *identity) {
    sigset_t all, saved;
    sigfillset(&all);
    // No handler of the parent may run in the child between fork and exec.
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0) {
        int fork_errno = errno;
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        return pid < 0 ? -fork_errno : pid;
    }

    // Every disposition as exec would leave it for the process that had `ignored_signals` ignored
    // (or, without it, the ones ignored now): ignored, or SIG_DFL.
    for (int sig = 1; sig <= 64; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        int ignore = ignored_signals ? (int)((*ignored_signals >> (sig - 1)) & 1) : is_ignored(sig);
        struct kernel_sigaction action = {ignore ? SIG_IGN : SIG_DFL, 0, NULL, 0};
        syscall(SYS_rt_sigaction, sig, &action, NULL, sizeof action.mask);
    }
    sigprocmask(SIG_SETMASK, child_mask ? child_mask : &saved, NULL);

    // Wait here until the tracer has seized us (PTRACE_SEIZE needs no stop) and sent one byte. A byte, not
    // EOF: another launch's child forked meanwhile may hold a copy of the tracer's end until its own exec.
    // EOF (the parent died before seizing us) or a new parent: we must not run unseized.
    close(release_fds[1]);
    char go;
    ssize_t got;
    do
        got = read(release_fds[0], &go, 1);
    while (got < 0 && errno == EINTR);
    close(release_fds[0]);
    if (got != 1 || getppid() != parent)
        _exit(127);

    // Nothing of a library's host beyond 0-2 (its sockets and pipes would stay open in the command and,
    // for one, keep Foundation's Process from seeing its own children exit). The error pipe stays
    // until exec closes it.
    if (standard_streams_only) {
        if (error_fd > 3)
            syscall(SYS_close_range, 3U, (unsigned)error_fd - 1, 0U);
        syscall(SYS_close_range, (unsigned)error_fd + 1, ~0U, 0U);
    }

    if (set_no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        report_and_exit(error_fd, IPCW_STAGE_NO_NEW_PRIVS, errno);
    struct sock_fprog program = {filter_length, (struct sock_filter *)filter};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0)
        report_and_exit(error_fd, IPCW_STAGE_SECCOMP, errno);
    // Groups and gid while still root, the uid last: after it nothing else could be changed.
    if (identity && (setgroups((size_t)identity->group_count, identity->groups) != 0 ||
                     setresgid(identity->gid, identity->gid, identity->gid) != 0 ||
                     setresuid(identity->uid, identity->uid, identity->uid) != 0))
        report_and_exit(error_fd, IPCW_STAGE_IDENTITY, errno);
    execvp(file, argv);
    report_and_exit(error_fd, IPCW_STAGE_EXEC, errno);
    return -1; // not reached
}

int ipcw_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int ipcw_release_pair(int fds[2]) { return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds); }

int ipcw_release(int fd) {
    char go = 1;
    ssize_t sent;
    do
        sent = send(fd, &go, 1, MSG_NOSIGNAL);  // a child gone already: EPIPE, not SIGPIPE
    while (sent < 0 && errno == EINTR);
    return sent == 1 ? 0 : -errno;
}

int ipcw_memfd_cloexec(const char *name) { return memfd_create(name, MFD_CLOEXEC); }
