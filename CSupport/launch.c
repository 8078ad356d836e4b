// clone(CLONE_VM) -> wait on a socket while the parent seizes us -> seccomp filter -> execve along PATH,
// with failures reported through a CLOEXEC pipe.
#define _GNU_SOURCE
#include "CSupport.h"
#include "raw_syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <unistd.h>

// The child shares the tracer's memory (CLONE_VM): no page tables to copy and, above all, no page faults
// in a child that re-faults every page of the tracer it touches and in a tracer whose every page became
// copy-on-write (0.35 ms of a 7 ms start-up, measured). It makes raw syscalls only (raw_syscall.h); glibc's
// set*id() would even signal the tracer's threads. The vectors it reads are copied into its mapping first
// (the environment's array included: a host thread's setenv may move it); the strings, the filter and the
// identity stay the caller's, kept until the exec.

// The kernel's struct sigaction: glibc's sigaction() refuses its internal signals (32, 33), whose
// dispositions the command must inherit too.
struct kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

IPCW_CHILD static int is_ignored(int sig) {
    struct kernel_sigaction current;
    return raw_syscall(SYS_rt_sigaction, sig, 0, (long)&current, sizeof current.mask) == 0 && current.handler == SIG_IGN;
}

uint64_t ipcw_ignored_signals(void) {
    uint64_t ignored = 0;
    for (int sig = 1; sig <= 64; sig++)
        if (is_ignored(sig))
            ignored |= UINT64_C(1) << (sig - 1);
    return ignored;
}

// What the child reads until its exec, above its stack in the mapping the parent made (a guard page, the
// stack, this, then the vectors it points to): the caller keeps the strings and the filter.
struct launch_request {
    char *region;  // the whole mapping, for ipcw_launch_finish
    size_t region_size;
    const char *file;
    char *const *argv;
    char *const *envp;     // a copy of environ's array
    const char **script;   // {"/bin/sh", NULL, argv[1]...}: execvp's fallback, its [1] set by the child
    const char *path;      // $PATH at launch, NULL when unset
    struct sock_fprog program;
    int set_no_new_privs, error_fd, release_fds[2], standard_streams_only;
    const uint64_t *ignored_signals;
    uint64_t mask;  // the command's
    const ipcw_identity *identity;
    pid_t parent;
};

enum { LAUNCH_GUARD = 4096, LAUNCH_STACK = 64 * 1024 };

IPCW_CHILD static void report_and_exit(int fd, int stage, long error) {
    ipcw_launch_failure failure;
    failure.stage = stage;
    failure.error = (int32_t)-error;
    raw_syscall(SYS_write, fd, (long)&failure, sizeof failure, 0);
    raw_syscall(SYS_exit_group, 127, 0, 0, 0);
}

// No libc in the child, not even memcpy or strlen (a first call through the PLT would bind it lazily,
// writing the tracer's GOT); volatile keeps the compiler from turning these loops into such calls.
IPCW_CHILD static size_t length(const char *s) {
    const volatile char *p = s;
    size_t n = 0;
    while (p[n])
        n++;
    return n;
}

IPCW_CHILD static void copy(char *to, const char *from, size_t count) {
    volatile char *d = to;
    for (size_t i = 0; i < count; i++)
        d[i] = from[i];
}

// execve, then what execvp does after it: a file the kernel does not know how to run (ENOEXEC) is a
// shell script. Returns the negative errno.
IPCW_CHILD static long execute(const struct launch_request *r, const char *path) {
    long rc = raw_syscall(SYS_execve, (long)path, (long)r->argv, (long)r->envp, 0);
    if (rc != -ENOEXEC)
        return rc;
    r->script[1] = path;
    return raw_syscall(SYS_execve, (long)r->script[0], (long)r->script, (long)r->envp, 0);
}

// execvp(3) on raw syscalls: a name without '/' is looked for along PATH (glibc's default when unset),
// an empty element meaning the current directory; EACCES anywhere wins over a later ENOENT.
IPCW_CHILD static long execute_along_path(const struct launch_request *r) {
    const char *file = r->file;
    size_t file_length = length(file);
    for (size_t i = 0; i < file_length; i++)
        if (file[i] == '/')
            return execute(r, file);
    if (file_length == 0)
        return -ENOENT;
    if (file_length > 255)  // NAME_MAX
        return -ENAMETOOLONG;
    const char *path = r->path ? r->path : "/bin:/usr/bin";
    char candidate[4096 + 256];
    int denied = 0;
    for (const char *start = path;; ) {
        const char *end = start;
        while (*end && *end != ':')
            end++;
        size_t directory = (size_t)(end - start);
        if (directory + 1 + file_length < sizeof candidate) {
            copy(candidate, start, directory);
            size_t at = directory;
            if (directory > 0)
                candidate[at++] = '/';
            copy(candidate + at, file, file_length + 1);
            long rc = execute(r, candidate);
            switch (rc) {
            case -EACCES: denied = 1; break;
            case -ENOENT: case -ESTALE: case -ENOTDIR: case -ENODEV: case -ETIMEDOUT: break;
            default: return rc;
            }
        }
        if (!*end)
            break;
        start = end + 1;
    }
    return denied ? -EACCES : -ENOENT;
}

IPCW_CHILD static int launch_main(void *argument) {
    const struct launch_request *r = argument;
    // Every disposition as exec would leave it for the process that had `ignored_signals` ignored
    // (or, without it, the ones ignored now): ignored, or SIG_DFL. Before any signal is let in, so that
    // no handler of the tracer runs here.
    for (int sig = 1; sig <= 64; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        int ignore = r->ignored_signals ? (int)((*r->ignored_signals >> (sig - 1)) & 1) : is_ignored(sig);
        struct kernel_sigaction action;  // field by field: an initializer may become a call to memset
        action.handler = ignore ? SIG_IGN : SIG_DFL;
        action.flags = 0;
        action.restorer = NULL;
        action.mask = 0;
        raw_syscall(SYS_rt_sigaction, sig, (long)&action, 0, sizeof action.mask);
    }
    raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&r->mask, 0, sizeof(uint64_t));

    // Wait here until the tracer has seized us (PTRACE_SEIZE needs no stop) and sent one byte. A byte, not
    // EOF: another launch's child made meanwhile may hold a copy of the tracer's end until its own exec.
    // EOF (the parent died before seizing us) or a new parent: we must not run unseized.
    raw_syscall(SYS_close, r->release_fds[1], 0, 0, 0);
    char go;
    long got;
    do
        got = raw_syscall(SYS_read, r->release_fds[0], (long)&go, 1, 0);
    while (got == -EINTR);
    raw_syscall(SYS_close, r->release_fds[0], 0, 0, 0);
    if (got != 1 || raw_syscall(SYS_getppid) != r->parent)
        raw_syscall(SYS_exit_group, 127, 0, 0, 0);

    // Nothing of a library's host beyond 0-2 (its sockets and pipes would stay open in the command and,
    // for one, keep Foundation's Process from seeing its own children exit). The error pipe stays
    // until exec closes it.
    if (r->standard_streams_only) {
        if (r->error_fd > 3)
            raw_syscall(SYS_close_range, 3, (unsigned)r->error_fd - 1, 0, 0);
        raw_syscall(SYS_close_range, (unsigned)r->error_fd + 1, ~0U, 0, 0);
    }

    long rc;
    if (r->set_no_new_privs && (rc = raw_syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0)) != 0)
        report_and_exit(r->error_fd, IPCW_STAGE_NO_NEW_PRIVS, rc);
    if ((rc = raw_syscall(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, (long)&r->program, 0)) != 0)
        report_and_exit(r->error_fd, IPCW_STAGE_SECCOMP, rc);
    // Groups and gid while still root, the uid last: after it nothing else could be changed. Raw calls
    // change this process alone, as they should.
    const ipcw_identity *id = r->identity;
    if (id && ((rc = raw_syscall(SYS_setgroups, id->group_count, (long)id->groups, 0, 0)) != 0 ||
               (rc = raw_syscall(SYS_setresgid, id->gid, id->gid, id->gid, 0)) != 0 ||
               (rc = raw_syscall(SYS_setresuid, id->uid, id->uid, id->uid, 0)) != 0))
        report_and_exit(r->error_fd, IPCW_STAGE_IDENTITY, rc);
    report_and_exit(r->error_fd, IPCW_STAGE_EXEC, execute_along_path(r));
    return 0; // not reached
}

// Before Linux 5.16 a core-dumping signal kills every process sharing the dumper's memory: a SIGQUIT
// to a CLONE_VM child before its exec would take the tracer with it. There the child gets a copy.
static int memory_can_be_shared(void) {
    static _Atomic int answer = -1;
    int known = answer;
    if (known < 0) {
        struct utsname name;
        unsigned major = 0, minor = 0;
        known = uname(&name) == 0 && sscanf(name.release, "%u.%u", &major, &minor) == 2 &&
                (major > 5 || (major == 5 && minor >= 16));
        answer = known;
    }
    return known;
}

static size_t vector_length(char *const vector[]) {
    size_t n = 0;
    while (vector[n])
        n++;
    return n;
}

pid_t ipcw_launch_stopped(const char *file, char *const argv[], const void *filter, uint16_t filter_length,
                          int set_no_new_privs, int error_fd, const int release_fds[2], const uint64_t *ignored_signals,
                          const sigset_t *child_mask, int standard_streams_only, const ipcw_identity *identity,
                          void **handle) {
    size_t argc = vector_length(argv), envc = vector_length(environ);
    size_t size = LAUNCH_GUARD + LAUNCH_STACK + sizeof(struct launch_request) + (argc + 2 + envc + 1) * sizeof(char *);
    size = (size + 4095) & ~(size_t)4095;
    char *region = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (region == MAP_FAILED)
        return -errno;
    mprotect(region, LAUNCH_GUARD, PROT_NONE);  // an overflowing stack faults instead of writing below
    char *stack_top = region + LAUNCH_GUARD + LAUNCH_STACK;
    struct launch_request *request = (struct launch_request *)(void *)stack_top;
    char **envp = (char **)(void *)(request + 1);
    const char **script = (const char **)(void *)(envp + envc + 1);
    for (size_t i = 0; i <= envc; i++)
        envp[i] = environ[i];  // glibc's setenv never frees a string it handed out, only moves the array
    script[0] = "/bin/sh";
    script[1] = NULL;
    for (size_t i = 1; i <= argc; i++)
        script[i + 1] = argv[i];  // argv[argc] is the NULL
    *request = (struct launch_request){
        .region = region, .region_size = size, .file = file, .argv = argv, .envp = envp, .script = script,
        .path = getenv("PATH"), .program = {filter_length, (struct sock_filter *)filter},
        .set_no_new_privs = set_no_new_privs, .error_fd = error_fd, .release_fds = {release_fds[0], release_fds[1]},
        .standard_streams_only = standard_streams_only, .ignored_signals = ignored_signals, .identity = identity,
        .parent = getpid(),
    };
    // No handler of the parent may run in the child before its dispositions are reset: every signal
    // blocked, glibc's own two (which pthread_sigmask leaves alone) included.
    uint64_t all = ~UINT64_C(0), saved = 0;
    raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&saved, sizeof all);
    request->mask = saved;
    if (child_mask)
        memcpy(&request->mask, child_mask, sizeof request->mask);
    int flags = (memory_can_be_shared() ? CLONE_VM : 0) | SIGCHLD;
    pid_t pid = clone(launch_main, stack_top, flags, request);
    int clone_errno = errno;
    raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&saved, 0, sizeof saved);
    if (pid < 0) {
        munmap(region, size);
        return -clone_errno;
    }
    *handle = request;
    return pid;
}

void ipcw_launch_finish(void *handle) {
    if (handle) {
        struct launch_request *request = handle;
        munmap(request->region, request->region_size);
    }
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
