// fork -> SIGSTOP (the parent seizes us) -> seccomp filter -> execvp, with failures reported
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
#include <sys/prctl.h>
#include <unistd.h>

static void report_and_exit(int fd, int stage, int error) {
    ipcw_launch_failure failure = {stage, error};
    ssize_t ignored = write(fd, &failure, sizeof failure);
    (void)ignored;
    _exit(127);
}

pid_t ipcw_launch_stopped(const char *file, char *const argv[], const void *filter, uint16_t filter_length,
                          int set_no_new_privs, int error_fd, const int *restore_signals,
                          const struct sigaction *restore_actions, int restore_count, const sigset_t *child_mask) {
    sigset_t all, saved;
    sigfillset(&all);
    // No handler of the parent may run in the child between fork and exec.
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    pid_t pid = fork();
    if (pid != 0) {
        int fork_errno = errno;
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        return pid < 0 ? -fork_errno : pid;
    }

    for (int sig = 1; sig < NSIG; sig++) {
        struct sigaction current;
        if (sigaction(sig, NULL, &current) == 0 && current.sa_handler != SIG_DFL &&
            current.sa_handler != SIG_IGN) {
            struct sigaction dfl;
            memset(&dfl, 0, sizeof dfl);
            dfl.sa_handler = SIG_DFL;
            sigaction(sig, &dfl, NULL);
        }
    }
    for (int i = 0; i < restore_count; i++)
        sigaction(restore_signals[i], &restore_actions[i], NULL);
    sigprocmask(SIG_SETMASK, child_mask ? child_mask : &saved, NULL);

    // Wait here until the tracer has seized us and sent SIGCONT.
    kill(getpid(), SIGSTOP);

    if (set_no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        report_and_exit(error_fd, IPCW_STAGE_NO_NEW_PRIVS, errno);
    struct sock_fprog program = {filter_length, (struct sock_filter *)filter};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0)
        report_and_exit(error_fd, IPCW_STAGE_SECCOMP, errno);
    execvp(file, argv);
    report_and_exit(error_fd, IPCW_STAGE_EXEC, errno);
    return -1; // not reached
}

int ipcw_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int ipcw_memfd_cloexec(const char *name) { return memfd_create(name, MFD_CLOEXEC); }
