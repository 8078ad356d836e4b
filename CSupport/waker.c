// A child process that does nothing until it is killed: its exit is a wait status, the only thing
// that wakes a tracer thread blocked in waitpid() without a signal handler in the host process. It also
// ticks: at the deadline its trace set (a periodic look for stalls) it stops itself, and a SIGSTOP from a
// signal handler does the same (a report asked for): the tracer's waitpid(WUNTRACED) sees the stop and
// continues it. Neither ends the trace, and between ticks it sleeps in the kernel: no polling.
#define _GNU_SOURCE
#include "CSupport.h"
#include "raw_syscall.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>

// The child shares the tracer's memory (CLONE_VM: no page tables to copy, which made a fork of the
// tracer cost half a millisecond) and its thread pointer: raw syscalls only (raw_syscall.h).

#include <stdatomic.h>

// One slot per live trace: its waker's pidfd and why it was woken, so that a signal handler can wake
// every trace with a reason. A slot is taken for a trace's whole life: a reason set in it can never reach
// a later trace. Only atomics here: everything may be called from a signal handler but acquire/release.

struct waker_slot {
    _Atomic int used;
    _Atomic int pidfd;   // -1 while the trace has no waker child
    _Atomic int reason;  // IPCW_WAKE_NONE until the first wake
    // The next tick, CLOCK_MONOTONIC ns (0: none), and a counter the child sleeps on (futex) to see it change.
    _Atomic long long tick_deadline;
    _Atomic int tick_generation;
    pid_t parent;        // the tracer's process: the child checks it is still its parent
};
static struct waker_slot slots[IPCW_MAX_WAKERS];

IPCW_CHILD static long long monotonic_ns(void) {
    struct timespec now;
    raw_syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

IPCW_CHILD static int waker_main(void *argument) {
    struct waker_slot *slot = argument;
    // Dies with the thread that made it; holds no descriptor of the host (no pipe kept from EOF).
    raw_syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0);
    if (raw_syscall(SYS_getppid) != (long)slot->parent)
        raw_syscall(SYS_exit);
    raw_syscall(SYS_close_range, 0, ~0U, 0, 0);
    for (;;) {
        int generation = atomic_load(&slot->tick_generation);
        long long deadline = atomic_load(&slot->tick_deadline);
        if (deadline == 0) {  // no tick asked: sleep until the tracer sets one (or kills us)
            raw_syscall(SYS_futex, &slot->tick_generation, FUTEX_WAIT, generation, 0);
            continue;
        }
        long long left = deadline - monotonic_ns();
        if (left > 0) {
            struct timespec wait = {left / 1000000000LL, left % 1000000000LL};
            raw_syscall(SYS_futex, &slot->tick_generation, FUTEX_WAIT, generation, &wait);
            continue;
        }
        // Due: one tick per deadline. The tracer sees the stop, sets the next one and continues us.
        atomic_compare_exchange_strong(&slot->tick_deadline, &deadline, 0);
        raw_syscall(SYS_kill, raw_syscall(SYS_getpid), SIGSTOP);
    }
    return 0;
}

enum { WAKER_STACK = 16384 };

pid_t ipcw_spawn_waker(int slot, void **stack) {
    *stack = malloc(WAKER_STACK);
    if (!*stack)
        return -ENOMEM;
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);  // the child starts with every signal blocked
    slots[slot].parent = getpid();
    pid_t pid = clone(waker_main, (char *)*stack + WAKER_STACK, CLONE_VM | SIGCHLD, &slots[slot]);
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

int ipcw_pidfd_signal(int pidfd, int signal) { return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0); }
int ipcw_pidfd_kill(int pidfd) { return ipcw_pidfd_signal(pidfd, SIGKILL); }

int ipcw_waker_slot_acquire(void) {
    for (int i = 0; i < IPCW_MAX_WAKERS; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&slots[i].used, &expected, 1)) {
            atomic_store(&slots[i].pidfd, -1);
            atomic_store(&slots[i].reason, IPCW_WAKE_NONE);
            atomic_store(&slots[i].tick_deadline, 0);
            return i;
        }
    }
    return -1;
}

void ipcw_waker_slot_set_pidfd(int slot, int pidfd) { atomic_store(&slots[slot].pidfd, pidfd); }

void ipcw_waker_slot_release(int slot) {
    atomic_store(&slots[slot].pidfd, -1);
    atomic_store(&slots[slot].used, 0);
}

int ipcw_waker_reason(int slot) { return atomic_load(&slots[slot].reason); }

void ipcw_waker_wake(int slot, int reason) {
    int saved_errno = errno;
    int expected = IPCW_WAKE_NONE;
    atomic_compare_exchange_strong(&slots[slot].reason, &expected, reason);  // the first reason stands
    int pidfd = atomic_load(&slots[slot].pidfd);
    if (pidfd >= 0)
        syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    errno = saved_errno;
}

void ipcw_wakers_wake_all(int reason) {
    for (int i = 0; i < IPCW_MAX_WAKERS; i++)
        if (atomic_load(&slots[i].used))
            ipcw_waker_wake(i, reason);
}

void ipcw_waker_set_tick(int slot, long long deadline) {
    atomic_store(&slots[slot].tick_deadline, deadline);
    atomic_fetch_add(&slots[slot].tick_generation, 1);
    syscall(SYS_futex, &slots[slot].tick_generation, FUTEX_WAKE, 1, NULL, NULL, 0);
}

void ipcw_wakers_tick_all(void) {
    int saved_errno = errno;
    for (int i = 0; i < IPCW_MAX_WAKERS; i++) {
        if (!atomic_load(&slots[i].used))
            continue;
        int pidfd = atomic_load(&slots[i].pidfd);
        if (pidfd >= 0)
            syscall(SYS_pidfd_send_signal, pidfd, SIGSTOP, NULL, 0);
    }
    errno = saved_errno;
}
