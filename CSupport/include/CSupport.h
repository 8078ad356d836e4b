// Thin C helpers for IPCWatch: only what Swift cannot do safely or at all.
//
// - fork -> stop -> seccomp filter -> exec in an async-signal-safe child (Swift must not run after fork);
// - the variadic ptrace(2) and process_vm_readv(2) as fixed-arity calls;
// - libseccomp, whose macros (SCMP_ACT_TRACE, SCMP_ARCH_*) Swift cannot import.
// No policy lives here: which syscalls, which architectures and which ptrace options are decided in Swift.
#ifndef IPCWATCH_CSUPPORT_H
#define IPCWATCH_CSUPPORT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/xattr.h>  // getxattr: a socket's protocol name (-yy); Glibc's Swift module leaves it out

#ifdef __cplusplus
extern "C" {
#endif

// MARK: ptrace

/// The fields of a siginfo_t that strace prints (PTRACE_GETSIGINFO), flattened: the union's members
/// are read by the signal's class in Swift, not by guessing here.
typedef struct ipcw_siginfo {
    int32_t signo, errno_value, code;
    int32_t pid;
    uint32_t uid;
    int32_t status;
    int64_t utime, stime;
    uint64_t addr;
    int32_t int_value;
    uint64_t ptr;
    int64_t band;
    int32_t fd;
    int32_t timerid, overrun;
    uint64_t call_addr;
    int32_t syscall;
    uint32_t arch;
} ipcw_siginfo;

/// PTRACE_GETSIGINFO of a tracee at a signal-delivery stop; -1 with errno on failure.
int ipcw_get_siginfo(pid_t tid, ipcw_siginfo *info);


/// ptrace(2) requests and options used by the tracer (values from <sys/ptrace.h>).
enum {
    IPCW_PTRACE_CONT = 7,
    IPCW_PTRACE_KILL = 8,
    IPCW_PTRACE_DETACH = 17,
    IPCW_PTRACE_SYSCALL = 24,
    IPCW_PTRACE_SETOPTIONS = 0x4200,
    IPCW_PTRACE_GETEVENTMSG = 0x4201,
    IPCW_PTRACE_SEIZE = 0x4206,
    IPCW_PTRACE_INTERRUPT = 0x4207,
    IPCW_PTRACE_LISTEN = 0x4208,
    IPCW_PTRACE_GET_SYSCALL_INFO = 0x420e,
    IPCW_PTRACE_GET_RSEQ_CONFIGURATION = 0x420f,
};

/// struct ptrace_rseq_configuration (Linux 5.13): where a thread's struct rseq is, 0 if it registered none.
typedef struct {
    uint64_t rseq_abi_pointer;
    uint32_t rseq_abi_size;
    uint32_t signature;
    uint32_t flags;
    uint32_t pad;
} ipcw_rseq_configuration;

enum {
    IPCW_PTRACE_O_TRACESYSGOOD = 1,
    IPCW_PTRACE_O_TRACEFORK = 1 << 1,
    IPCW_PTRACE_O_TRACEVFORK = 1 << 2,
    IPCW_PTRACE_O_TRACECLONE = 1 << 3,
    IPCW_PTRACE_O_TRACEEXEC = 1 << 4,
    IPCW_PTRACE_O_TRACEVFORKDONE = 1 << 5,
    IPCW_PTRACE_O_TRACEEXIT = 1 << 6,
    IPCW_PTRACE_O_TRACESECCOMP = 1 << 7,
    IPCW_PTRACE_O_EXITKILL = 1 << 20,
};

enum {
    IPCW_PTRACE_EVENT_FORK = 1,
    IPCW_PTRACE_EVENT_VFORK = 2,
    IPCW_PTRACE_EVENT_CLONE = 3,
    IPCW_PTRACE_EVENT_EXEC = 4,
    IPCW_PTRACE_EVENT_VFORK_DONE = 5,
    IPCW_PTRACE_EVENT_EXIT = 6,
    IPCW_PTRACE_EVENT_SECCOMP = 7,
    IPCW_PTRACE_EVENT_STOP = 128,
};

enum {
    IPCW_SYSCALL_INFO_NONE = 0,
    IPCW_SYSCALL_INFO_ENTRY = 1,
    IPCW_SYSCALL_INFO_EXIT = 2,
    IPCW_SYSCALL_INFO_SECCOMP = 3,
};

/// The registers of a syscall stop, flattened from the kernel's `struct ptrace_syscall_info`.
typedef struct ipcw_syscall_info {
    uint8_t op;          // IPCW_SYSCALL_INFO_*
    uint8_t is_error;    // exit stops
    uint32_t arch;       // AUDIT_ARCH_*
    uint64_t nr;         // entry and seccomp stops
    uint64_t args[6];    // entry and seccomp stops
    int64_t rval;        // exit stops
} ipcw_syscall_info;

/// ptrace(request, pid, addr, data). Returns -1 and sets errno on failure.
long ipcw_ptrace(int request, pid_t pid, uintptr_t addr, uintptr_t data);

/// PTRACE_GET_SYSCALL_INFO into `info`. Returns 0, or -1 with errno.
int ipcw_get_syscall_info(pid_t tid, ipcw_syscall_info *info);

/// process_vm_readv(2) of `length` bytes at `address` of `tid`. Returns bytes read, or -1 with errno.
ssize_t ipcw_read_memory(pid_t tid, uint64_t address, void *buffer, size_t length);

// MARK: seccomp filter (libseccomp)

/// libseccomp architecture tokens (SCMP_ARCH_*).
extern const uint32_t ipcw_scmp_arch_x86_64;
extern const uint32_t ipcw_scmp_arch_x86;
extern const uint32_t ipcw_scmp_arch_x32;

/// seccomp_init(SCMP_ACT_ALLOW). NULL on failure.
void *ipcw_filter_new(void);
/// seccomp_arch_add. 0 or a negative errno (-EEXIST when already present).
int ipcw_filter_add_arch(void *filter, uint32_t arch_token);
/// A SCMP_ACT_TRACE(0) rule for the syscall called `name` on every architecture of the filter
/// that has it. 0 or a negative errno (-EINVAL for a name libseccomp does not know).
int ipcw_filter_trace_syscall(void *filter, const char *name);
/// seccomp_export_bpf / seccomp_export_pfc to `fd`. 0 or a negative errno.
int ipcw_filter_export_bpf(void *filter, int fd);
int ipcw_filter_export_pfc(void *filter, int fd);
void ipcw_filter_release(void *filter);
/// The name libseccomp gives syscall `number` of `arch_token` (an AUDIT_ARCH_* value; x32 numbers carry
/// __X32_SYSCALL_BIT), copied into `name` (`size` bytes, NUL-terminated). 0, or -1 when it has none.
int ipcw_syscall_name(uint32_t arch_token, int number, char *name, size_t size);

// MARK: descriptors

/// pipe2(fds, O_CLOEXEC). 0, or -1 with errno.
int ipcw_pipe_cloexec(int fds[2]);
/// memfd_create(name, MFD_CLOEXEC). The fd, or -1 with errno.
int ipcw_memfd_cloexec(const char *name);

// MARK: scheduling

/// Pins the calling thread (and so the children it forks) to the CPU it runs on:
/// sched_setaffinity(0, {sched_getcpu()}). Returns that CPU, or -errno.
int ipcw_pin_to_current_cpu(void);
/// How many CPUs the calling thread may run on (sched_getaffinity), or -errno.
int ipcw_allowed_cpu_count(void);
/// gettid(): the calling thread's id (the TracerPid its tracees show).
pid_t ipcw_gettid(void);

// MARK: waking the tracer

/// Starts a child that only waits to be killed (all signals blocked, no descriptors, SIGKILLed when the
/// calling thread exits): killing it makes the calling thread's blocked waitpid() return. It shares the
/// caller's memory (clone with CLONE_VM) and runs on `*stack`, which the caller frees with
/// ipcw_release_waker_stack once it has reaped the child. Returns its pid, or -errno.
/// `slot` (ipcw_waker_slot_acquire) is where the child finds its tick deadline (ipcw_waker_set_tick).
pid_t ipcw_spawn_waker(int slot, void **stack);
void ipcw_release_waker_stack(void *stack);
/// pidfd_open(pid, 0): a CLOEXEC descriptor that names `pid` even after it is reaped. -1 with errno.
int ipcw_pidfd_open(pid_t pid);
/// pidfd_send_signal(pidfd, SIGKILL, NULL, 0). 0, or -1 with errno.
int ipcw_pidfd_kill(int pidfd);
/// pidfd_send_signal(pidfd, signal): a signal that cannot reach a reused pid.
int ipcw_pidfd_signal(int pidfd, int signal);
/// Why a trace was woken: a signal number (> 0), or one of these.
enum {
    IPCW_WAKE_NONE = 0,
    IPCW_WAKE_CANCEL = -1,
    IPCW_MAX_WAKERS = 64,
};
/// A process-wide table of live traces, so that a signal handler can wake every one of them.
/// acquire returns a free slot (its pidfd -1, no reason yet), or -1 when all IPCW_MAX_WAKERS are taken.
int ipcw_waker_slot_acquire(void);
void ipcw_waker_slot_set_pidfd(int slot, int pidfd);
/// Frees the slot; its pidfd must not be used any more.
void ipcw_waker_slot_release(int slot);
/// The first reason the slot was woken with, IPCW_WAKE_NONE if none.
int ipcw_waker_reason(int slot);
/// Records `reason` (unless one is recorded already) and kills the slot's waker child, if it has one.
/// Async-signal-safe; keeps errno.
void ipcw_waker_wake(int slot, int reason);
/// ipcw_waker_wake on every slot in use. Async-signal-safe; keeps errno.
void ipcw_wakers_wake_all(int reason);
/// The slot's waker stops itself (SIGSTOP, seen by waitpid with WUNTRACED) once CLOCK_MONOTONIC reaches
/// `deadline` ns; 0 cancels. Tracer thread; the stopped child is continued with SIGCONT by the caller.
void ipcw_waker_set_tick(int slot, long long deadline);
/// Stops every live trace's waker now (a tick that ends nothing). Async-signal-safe; keeps errno.
void ipcw_wakers_tick_all(void);
/// pidfd_getfd(pidfd, fd, 0): a CLOEXEC copy of another process's descriptor. -1 with errno.
int ipcw_pidfd_getfd(int pidfd, int fd);
/// semctl(id, number, command) for the commands that take no argument (GETVAL, GETNCNT, GETZCNT, GETPID).
int ipcw_semctl(int id, int number, int command);
/// ioctl(FIONREAD) and fcntl(F_GETPIPE_SZ) of a pipe or FIFO descriptor. 0, or -1 with errno.
int ipcw_pipe_fill(int fd, int *unread, int *capacity);
/// mq_curmsgs and mq_maxmsg of a POSIX message queue descriptor (mq_getsetattr). 0, or -1 with errno.
int ipcw_mq_counts(int fd, long *messages, long *capacity);

// MARK: command line

#include <getopt.h>  // struct option, no_argument, required_argument
/// getopt_long(3) with its globals as arguments: `*argument` is optarg, `*next_index` optind after the
/// call. Returns what getopt_long returns. `restart` for the first call on a new argv; parse one argv to
/// its end before another (the state is global).
int ipcw_getopt_long(int argc, char *const argv[], const char *optstring, const struct option *longopts,
                     int *longindex, const char **argument, int *next_index, int restart);

// MARK: namespaces

/// The nodename of `pid`'s UTS namespace, NUL-terminated into `name` (at most `length` bytes), read by a
/// forked child that joins the namespace. 0, or a negative errno (-EPERM when it may not join).
int ipcw_uts_name_of(pid_t pid, char *name, size_t length);

// MARK: POSIX message queues

/// `mq_open(name, O_RDONLY | O_CLOEXEC)` by its raw syscall (`name` as the kernel takes it, without the
/// leading slash): a descriptor, or a negative errno (-ENOENT: no such queue; -EACCES: it exists).
int ipcw_mq_open_readonly(const char *name);

// MARK: Unix socket diagnostics

/// Opens a NETLINK_SOCK_DIAG socket and sends it the request `ss -x` sends (unprivileged): a dump of every
/// Unix-domain socket of the caller's network namespace with its bound name and its peer's inode. The
/// caller reads the `struct nlmsghdr` + `struct unix_diag_msg` replies with recv(2) until NLMSG_DONE and
/// closes the descriptor. Returns the descriptor, or a negative errno.
int ipcw_unix_diag_request(void);

/// The same request for the one socket with inode `inode` (no dump: `udiag_ino` and the "any" cookie, as
/// strace's -yy asks): one reply, a `unix_diag_msg` or NLMSG_ERROR, already queued when this returns.
int ipcw_unix_diag_request_inode(uint32_t inode);

/// Layout facts of the reply the caller parses (from <linux/netlink.h> and <linux/unix_diag.h>).
enum {
    IPCW_NLMSG_HEADER_SIZE = 16,       // sizeof(struct nlmsghdr)
    IPCW_NLMSG_DONE = 3,
    IPCW_NLMSG_ERROR = 2,
    IPCW_UNIX_DIAG_MSG_SIZE = 16,      // sizeof(struct unix_diag_msg): family, type, state, pad, ino, cookie[2]
    IPCW_UNIX_DIAG_NAME = 0,           // the bound path (or "\0"-prefixed abstract name)
    IPCW_UNIX_DIAG_PEER = 2,           // the peer's inode, a uint32
    IPCW_SOCK_DIAG_BY_FAMILY = 20,     // a reply's nlmsg_type
};

// MARK: launch

/// What the child failed to do before exec; written with the errno to the error pipe.
enum {
    IPCW_STAGE_NO_NEW_PRIVS = 1,
    IPCW_STAGE_SECCOMP = 2,
    IPCW_STAGE_EXEC = 3,
    IPCW_STAGE_IDENTITY = 4,
};

/// The user a command runs as (strace's `-u`): set after the filter, before exec.
typedef struct ipcw_identity {
    uid_t uid;
    gid_t gid;
    int group_count;
    const gid_t *groups;
} ipcw_identity;

typedef struct ipcw_launch_failure {
    int32_t stage;
    int32_t error;
} ipcw_launch_failure;

/// The signals whose disposition is SIG_IGN now, bit `sig - 1` set (glibc's internal ones included).
uint64_t ipcw_ignored_signals(void);

/// Starts a child (clone(CLONE_VM): it shares the caller's memory until its exec) that waits until the
/// caller, having PTRACE_SEIZEd it, releases it with `ipcw_release` on `release_fds[1]` (from
/// `ipcw_release_pair`; EOF or a new parent make the child exit 127), then installs the classic BPF program
/// `filter` (`filter_length` instructions of 8 bytes) with PR_SET_SECCOMP, setting no_new_privs first when
/// `set_no_new_privs`, then execs `file` as execvp(3) does (along $PATH, scripts through /bin/sh).
/// Any failure is written as an `ipcw_launch_failure` to `error_fd` (a CLOEXEC pipe) and the
/// child exits 127. The child makes raw syscalls only: before anything can be delivered, every
/// signal becomes SIG_IGN if it is in `*ignored_signals` (if NULL: if it is ignored now) and SIG_DFL
/// otherwise, and the mask becomes `child_mask` (the caller's mask when NULL). With `standard_streams_only`
/// every descriptor but 0, 1, 2 (and the error pipe, until exec) is closed before exec.
/// With `identity`, the child takes its groups, gid and uid after the filter (root installs it without
/// no_new_privs, so a setuid program the command runs keeps working, as under strace -u).
/// Returns the child's pid, or -errno if it could not be started. The child reads `file`, the strings of
/// `argv`, `filter`, `*ignored_signals` and `*identity` until it has exec'd or ended (the vectors and the
/// environment's array it has copies of): the caller keeps them unchanged until then, and then gives
/// `*handle` to `ipcw_launch_finish`. Before Linux 5.16 the child gets a copy of the memory instead.
pid_t ipcw_launch_stopped(const char *file, char *const argv[], const void *filter, uint16_t filter_length,
                          int set_no_new_privs, int error_fd, const int release_fds[2], const uint64_t *ignored_signals,
                          const sigset_t *child_mask, int standard_streams_only, const ipcw_identity *identity,
                          void **handle);

/// Frees the child's stack and copies of a launch whose child has exec'd or ended (NULL: nothing).
void ipcw_launch_finish(void *handle);

/// A CLOEXEC socket pair to release a launched child through (a socket: its send cannot raise SIGPIPE).
int ipcw_release_pair(int fds[2]);

/// Sends the release byte on `fd` without SIGPIPE; 0, or a negative errno.
int ipcw_release(int fd);


#ifdef __cplusplus
}
#endif
#endif
