// A child process that does nothing until it is killed: its exit is a wait status, the only thing
// that wakes a tracer thread blocked in waitpid() without a signal handler in the host process.
#define _GNU_SOURCE
#include "CSupport.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

pid_t ipcw_spawn_waker(void) {
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0) {
        int fork_errno = errno;
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        return pid < 0 ? -fork_errno : pid;
    }
    // Dies with the thread that forked it; holds no descriptor of the host (no pipe kept from EOF).
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent)
        _exit(0);
    syscall(SYS_close_range, 0U, ~0U, 0U);
    for (;;)
        pause();
}

int ipcw_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int ipcw_pidfd_kill(int pidfd) { return (int)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0); }

// The wakers of all tracer threads, for a signal handler: slots hold pidfd + 1, 0 when free.
#include <stdatomic.h>
#define IPCW_MAX_WAKERS 64
static _Atomic int wakers[IPCW_MAX_WAKERS];

int ipcw_wakers_add(int pidfd) {
    for (int i = 0; i < IPCW_MAX_WAKERS; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&wakers[i], &expected, pidfd + 1))
            return 0;
    }
    return -1;
}

void ipcw_wakers_remove(int pidfd) {
    for (int i = 0; i < IPCW_MAX_WAKERS; i++) {
        int expected = pidfd + 1;
        atomic_compare_exchange_strong(&wakers[i], &expected, 0);
    }
}

void ipcw_wakers_wake_all(void) {
    int saved_errno = errno;
    for (int i = 0; i < IPCW_MAX_WAKERS; i++) {
        int slot = atomic_load(&wakers[i]);
        if (slot != 0)
            syscall(SYS_pidfd_send_signal, slot - 1, SIGKILL, NULL, 0);
    }
    errno = saved_errno;
}
