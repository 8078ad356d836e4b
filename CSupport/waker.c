// A child process that does nothing until it is killed: its exit is a wait status, the only thing
// that wakes a tracer thread blocked in waitpid() without a signal handler in the host process.
#define _GNU_SOURCE
#include "CSupport.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if !defined(__x86_64__)
#error "raw_syscall below is written for x86_64, the only architecture ipcwatch runs on"
#endif

// The child shares the tracer's memory (CLONE_VM: no page tables to copy, which made a fork of the
// tracer cost half a millisecond) and its thread pointer, so it makes raw syscalls only: nothing that
// could write errno, allocate or take a lock.
static long raw_syscall(long number, long a, long b, long c) {
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return result;
}

static int waker_main(void *parent) {
    // Dies with the thread that made it; holds no descriptor of the host (no pipe kept from EOF).
    raw_syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0);
    if (raw_syscall(SYS_getppid, 0, 0, 0) != (long)(intptr_t)parent)
        raw_syscall(SYS_exit, 0, 0, 0);
    raw_syscall(SYS_close_range, 0, ~0U, 0);
    for (;;)
        raw_syscall(SYS_pause, 0, 0, 0);
    return 0;
}

enum { WAKER_STACK = 16384 };

pid_t ipcw_spawn_waker(void **stack) {
    *stack = malloc(WAKER_STACK);
    if (!*stack)
        return -ENOMEM;
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);  // the child starts with every signal blocked
    pid_t pid = clone(waker_main, (char *)*stack + WAKER_STACK, CLONE_VM | SIGCHLD, (void *)(intptr_t)getpid());
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (pid < 0) {
        free(*stack);
        *stack = NULL;
        return -clone_errno;
    }
    return pid;
}

void ipcw_release_waker_stack(void *stack) { free(stack); }

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
