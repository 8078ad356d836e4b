/* observer: the floor of ipcwatch's launch mode. A minimal tracer that does per event what ipcwatch does
 * and nothing more: the same libseccomp filter (SECCOMP_RET_TRACE for the watched syscalls, x86_64, x86 and
 * x32), PTRACE_SEIZE of a child that stopped itself, then for each event a seccomp stop
 * (PTRACE_GET_SYSCALL_INFO: the arguments), PTRACE_SYSCALL, the exit stop (PTRACE_GET_SYSCALL_INFO: the
 * result), one process_vm_readv where the line needs memory (the pipe's fds; a message or sembuf array, which
 * ipcwatch reads too), PTRACE_CONT, and one strace-like line `TID name(args) = result` into a fully
 * buffered stdio stream (stderr, or -o FILE).
 * build: cc -O2 -o observer observer.c -lseccomp      usage: observer [--poll USEC] [-o FILE] [--] command [args...] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AUDIT_ARCH_X86_64
#define AUDIT_ARCH_X86_64 0xc000003e
#define AUDIT_ARCH_I386 0x40000003
#endif
#define X32_BIT 0x40000000u
#define STRING_LIMIT 32 /* ipcwatch's and strace's default -s */

static const char *const watched[] = {"pipe",   "pipe2",  "msgget", "msgsnd", "msgrcv", "msgctl",
                                      "semget", "semop",  "semtimedop", "semctl", "shmget", "shmat",
                                      "shmdt",  "shmctl", "ipc",    "semtimedop_time64"};

/* What the exit stop needs of the seccomp stop. */
enum kind { K_OTHER, K_PIPE, K_PIPE2, K_MSGSND, K_MSGRCV, K_SEMOP, K_SEMTIMEDOP };
struct call { const char *name; enum kind kind; int nargs; };

static const struct call *lookup(uint32_t arch, uint64_t nr) {
  static const struct call
      pipe_ = {"pipe", K_PIPE, 1}, pipe2_ = {"pipe2", K_PIPE2, 2}, msgget_ = {"msgget", K_OTHER, 2},
      msgsnd_ = {"msgsnd", K_MSGSND, 4}, msgrcv_ = {"msgrcv", K_MSGRCV, 5}, msgctl_ = {"msgctl", K_OTHER, 3},
      semget_ = {"semget", K_OTHER, 3}, semop_ = {"semop", K_SEMOP, 3}, semtimedop_ = {"semtimedop", K_SEMTIMEDOP, 4},
      semctl_ = {"semctl", K_OTHER, 4}, shmget_ = {"shmget", K_OTHER, 3}, shmat_ = {"shmat", K_OTHER, 3},
      shmdt_ = {"shmdt", K_OTHER, 1}, shmctl_ = {"shmctl", K_OTHER, 3}, ipc_ = {"ipc", K_OTHER, 6},
      semtimedop64_ = {"semtimedop_time64", K_SEMTIMEDOP, 4};
  if (arch == AUDIT_ARCH_X86_64) {
    switch (nr & ~(uint64_t)X32_BIT) {
    case 22: return &pipe_;    case 293: return &pipe2_;
    case 68: return &msgget_;  case 69: return &msgsnd_;  case 70: return &msgrcv_;  case 71: return &msgctl_;
    case 64: return &semget_;  case 65: return &semop_;   case 220: return &semtimedop_; case 66: return &semctl_;
    case 29: return &shmget_;  case 30: return &shmat_;   case 67: return &shmdt_;   case 31: return &shmctl_;
    }
  } else if (arch == AUDIT_ARCH_I386) {
    switch (nr) {
    case 42: return &pipe_;    case 331: return &pipe2_;  case 117: return &ipc_;
    case 393: return &semget_; case 394: return &semctl_; case 395: return &shmget_; case 396: return &shmctl_;
    case 397: return &shmat_;  case 398: return &shmdt_;  case 399: return &msgget_; case 400: return &msgsnd_;
    case 401: return &msgrcv_; case 402: return &msgctl_; case 420: return &semtimedop64_;
    }
  }
  return NULL;
}

/* Tracees between their seccomp stop and their exit stop: open addressing on the tid, backward-shift
 * deletion. At most one pending call per thread. */
struct pending { pid_t tid; uint32_t arch; const struct call *call; uint64_t args[6]; };
#define SLOTS 4096
static struct pending table[SLOTS];
static size_t slot_of(pid_t tid) { return ((uint32_t)tid * 2654435761u) % SLOTS; }
static struct pending *find(pid_t tid) {
  for (size_t i = slot_of(tid);; i = (i + 1) % SLOTS) {
    if (table[i].tid == tid) return &table[i];
    if (table[i].tid == 0) return NULL;
  }
}
static struct pending *insert(pid_t tid) {
  for (size_t i = slot_of(tid), n = 0; n < SLOTS; i = (i + 1) % SLOTS, n++)
    if (table[i].tid == tid || table[i].tid == 0) { table[i].tid = tid; return &table[i]; }
  return NULL; /* more than 4096 threads in a syscall at once: the event is dropped */
}
static void erase(struct pending *p) {
  size_t i = (size_t)(p - table);
  table[i].tid = 0;
  for (size_t j = (i + 1) % SLOTS; table[j].tid != 0; j = (j + 1) % SLOTS) {
    size_t home = slot_of(table[j].tid);
    /* Move j back into the hole at i unless its home lies cyclically in (i, j]. */
    if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
      table[i] = table[j];
      table[j].tid = 0;
      i = j;
    }
  }
}

/* The raw syscall (as ipcwatch): glibc's <sys/ptrace.h> and <linux/ptrace.h> do not mix. */
static long xptrace(long request, pid_t tid, unsigned long addr, unsigned long data) {
  return syscall(SYS_ptrace, request, (long)tid, addr, data);
}

static ssize_t peek(pid_t tid, uint64_t address, void *buffer, size_t length) {
  struct iovec local = {buffer, length}, remote = {(void *)(uintptr_t)address, length};
  return process_vm_readv(tid, &local, 1, &remote, 1, 0);
}

static void print_result(FILE *out, int64_t rval, int is_error) {
  if (is_error) {
    const char *name = strerrorname_np((int)-rval);
    fprintf(out, " = -1 %s (%s)\n", name ? name : "E???", strerror((int)-rval));
  } else {
    fprintf(out, " = %lld\n", (long long)rval);
  }
}

static void print_quoted(FILE *out, const unsigned char *s, size_t n, int truncated) {
  fputc('"', out);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = s[i];
    if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
    else if (c >= 32 && c < 127) fputc(c, out);
    else if (c == '\n') fputs("\\n", out);
    else fprintf(out, "\\%o", c);
  }
  fputc('"', out);
  if (truncated) fputs("...", out);
}

/* `{mtype=1, mtext="hello\0"}` as ipcwatch and strace show it, or the address if it cannot be read. */
static void print_message(FILE *out, pid_t tid, uint64_t address, uint64_t size, int longsize) {
  unsigned char buffer[8 + STRING_LIMIT];
  size_t shown = size < STRING_LIMIT ? (size_t)size : STRING_LIMIT;
  if (address == 0 || peek(tid, address, buffer, (size_t)longsize + shown) != (ssize_t)(longsize + shown)) {
    fprintf(out, "%#llx", (unsigned long long)address);
    return;
  }
  int64_t type = 0;
  if (longsize == 8) memcpy(&type, buffer, 8);
  else { int32_t t; memcpy(&t, buffer, 4); type = t; }
  fprintf(out, "{mtype=%lld, mtext=", (long long)type);
  print_quoted(out, buffer + longsize, shown, size > shown);
  fputc('}', out);
}

static void print_sembufs(FILE *out, pid_t tid, uint64_t address, uint64_t count) {
  struct { unsigned short num; short op; short flg; } sops[STRING_LIMIT];
  size_t shown = count < STRING_LIMIT ? (size_t)count : STRING_LIMIT;
  if (shown == 0 || peek(tid, address, sops, shown * sizeof sops[0]) != (ssize_t)(shown * sizeof sops[0])) {
    fprintf(out, "%#llx", (unsigned long long)address);
    return;
  }
  fputc('[', out);
  for (size_t i = 0; i < shown; i++)
    fprintf(out, "%s{sem_num=%u, sem_op=%d, sem_flg=%#x}", i ? ", " : "", sops[i].num, sops[i].op, sops[i].flg);
  fputs(count > shown ? ", ...]" : "]", out);
}

static void print_event(FILE *out, pid_t tid, const struct pending *p, const struct ptrace_syscall_info *exit) {
  const struct call *c = p->call;
  const uint64_t *a = p->args;
  int64_t rval = exit->exit.rval;
  int failed = exit->exit.is_error;
  int longsize = p->arch == AUDIT_ARCH_I386 ? 4 : 8;
  fprintf(out, "%d %s(", tid, c->name);
  switch (c->kind) {
  case K_PIPE:
  case K_PIPE2: {
    int fds[2];
    if (!failed && peek(tid, a[0], fds, sizeof fds) == sizeof fds) fprintf(out, "[%d, %d]", fds[0], fds[1]);
    else fprintf(out, "%#llx", (unsigned long long)a[0]);
    if (c->kind == K_PIPE2) {
      unsigned flags = (unsigned)a[1];
      if (flags == 0) fputs(", 0", out);
      else {
        const char *sep = ", ";
        if (flags & O_CLOEXEC) { fprintf(out, "%sO_CLOEXEC", sep); sep = "|"; flags &= ~O_CLOEXEC; }
        if (flags & O_NONBLOCK) { fprintf(out, "%sO_NONBLOCK", sep); sep = "|"; flags &= ~O_NONBLOCK; }
        if (flags & O_DIRECT) { fprintf(out, "%sO_DIRECT", sep); sep = "|"; flags &= ~O_DIRECT; }
        if (flags) fprintf(out, "%s%#x", sep, flags);
      }
    }
    break;
  }
  case K_MSGSND:
    fprintf(out, "%d, ", (int)a[0]);
    print_message(out, tid, a[1], a[2], longsize);
    fprintf(out, ", %llu, %#o", (unsigned long long)a[2], (unsigned)a[3]);
    break;
  case K_MSGRCV:
    fprintf(out, "%d, ", (int)a[0]);
    if (failed) fprintf(out, "%#llx", (unsigned long long)a[1]);
    else print_message(out, tid, a[1], a[2], longsize);
    fprintf(out, ", %llu, %lld, %#o", (unsigned long long)a[2], (long long)a[3], (unsigned)a[4]);
    break;
  case K_SEMOP:
  case K_SEMTIMEDOP:
    fprintf(out, "%d, ", (int)a[0]);
    print_sembufs(out, tid, a[1], a[2]);
    fprintf(out, ", %llu", (unsigned long long)a[2]);
    if (c->kind == K_SEMTIMEDOP) fprintf(out, ", %#llx", (unsigned long long)a[3]);
    break;
  default: /* an id or key first (shmdt: an address; ipc: the call), then flags, sizes, pointers in hex */
    for (int i = 0; i < c->nargs; i++) {
      if (i > 0) fputs(", ", out);
      if (i == 0 && strcmp(c->name, "shmdt")) fprintf(out, "%d", (int)a[i]);
      else fprintf(out, "%#llx", (unsigned long long)a[i]);
    }
    break;
  }
  fputc(')', out);
  print_result(out, rval, failed);
}

/* The filter ipcwatch builds (libseccomp translates each name to every architecture that has it). */
static struct sock_fprog build_filter(void) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) { fputs("observer: seccomp_init failed\n", stderr); exit(1); }
  int rc;
  if ((rc = seccomp_arch_add(ctx, SCMP_ARCH_X86)) && rc != -EEXIST) { fprintf(stderr, "observer: arch x86: %s\n", strerror(-rc)); exit(1); }
  if ((rc = seccomp_arch_add(ctx, SCMP_ARCH_X32)) && rc != -EEXIST) { fprintf(stderr, "observer: arch x32: %s\n", strerror(-rc)); exit(1); }
  for (size_t i = 0; i < sizeof watched / sizeof watched[0]; i++) {
    int nr = seccomp_syscall_resolve_name(watched[i]);
    if (nr == __NR_SCMP_ERROR || (rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), nr, 0)) != 0) {
      fprintf(stderr, "observer: rule for %s failed\n", watched[i]);
      exit(1);
    }
  }
  /* libseccomp 2.5 exports only to a descriptor: a memfd, read back. */
  int fd = memfd_create("observer-filter", MFD_CLOEXEC);
  if (fd < 0 || seccomp_export_bpf(ctx, fd) != 0) { perror("observer: export filter"); exit(1); }
  off_t size = lseek(fd, 0, SEEK_END);
  struct sock_filter *code = malloc((size_t)size);
  if (!code || pread(fd, code, (size_t)size, 0) != size) { perror("observer: read filter"); exit(1); }
  close(fd);
  seccomp_release(ctx);
  return (struct sock_fprog){(unsigned short)(size / sizeof *code), code};
}

/* The next stop: with a polling window, waitpid(WNOHANG) for up to that long first (the tracer is still on
 * its CPU when the stop comes, so no wake-up of the tracer), then block as strace does. */
static pid_t next_stop(int *status, long window_ns) {
  if (window_ns > 0) {
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
      pid_t tid = waitpid(-1, status, __WALL | WNOHANG);
      if (tid != 0) return tid;
      clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) < window_ns);
  }
  return waitpid(-1, status, __WALL);
}

int main(int argc, char **argv) {
  const char *path = NULL;
  long window_ns = 0;
  int i = 1;
  if (i + 1 < argc && !strcmp(argv[i], "--poll")) { window_ns = atol(argv[i + 1]) * 1000; i += 2; }
  if (i + 1 < argc && !strcmp(argv[i], "-o")) { path = argv[i + 1]; i += 2; }
  if (i < argc && !strcmp(argv[i], "--")) i++;
  if (i >= argc) { fputs("usage: observer [--poll USEC] [-o FILE] [--] command [args...]\n", stderr); return 2; }
  char **command = argv + i;

  FILE *out = stderr;
  if (path && !(out = fopen(path, "we"))) { perror(path); return 1; }
  static char buffer[1 << 16];
  setvbuf(out, buffer, _IOFBF, sizeof buffer);

  struct sock_fprog prog = build_filter();
  int errpipe[2];
  if (pipe2(errpipe, O_CLOEXEC)) { perror("observer: pipe2"); return 1; }
  pid_t child = fork();
  if (child < 0) { perror("observer: fork"); return 1; }
  if (child == 0) {
    raise(SIGSTOP);
    int err;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) err = errno;
    else { execvp(command[0], command); err = errno; }
    ssize_t ignored = write(errpipe[1], &err, sizeof err);
    (void)ignored;
    _exit(127);
  }
  close(errpipe[1]);
  int status;
  if (waitpid(child, &status, WUNTRACED) != child || !WIFSTOPPED(status)) { fputs("observer: child did not stop\n", stderr); return 1; }
  long options = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                 PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
  if (xptrace(PTRACE_SEIZE, child, 0, (unsigned long)options)) { perror("observer: PTRACE_SEIZE"); kill(child, SIGKILL); return 1; }
  kill(child, SIGCONT);

  int alive = 1, root_status = 0, root_ended = 0, executed = 0;
  while (alive > 0) {
    pid_t tid = next_stop(&status, window_ns);
    if (tid < 0) {
      if (errno == EINTR) continue;
      break; /* ECHILD: nothing left (an exec by a non-leader thread hides one exit from the count) */
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      alive--;
      struct pending *p = find(tid);
      if (p) erase(p);
      if (tid == child) { root_status = status; root_ended = 1; }
      continue;
    }
    if (!WIFSTOPPED(status)) continue;
    int sig = WSTOPSIG(status), event = status >> 16;
    int resume = PTRACE_CONT, deliver = 0;
    if (sig == (SIGTRAP | 0x80)) {
      /* The exit stop of a trapped call. */
      struct pending *p = find(tid);
      struct ptrace_syscall_info info;
      if (p && xptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof info, (unsigned long)&info) > 0 && info.op == PTRACE_SYSCALL_INFO_EXIT)
        print_event(out, tid, p, &info);
      if (p) erase(p);
    } else if (event == PTRACE_EVENT_SECCOMP) {
      struct ptrace_syscall_info info;
      if (xptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof info, (unsigned long)&info) > 0 && info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
        const struct call *c = lookup(info.arch, info.seccomp.nr);
        struct pending *p = c ? insert(tid) : NULL;
        if (p) {
          p->arch = info.arch;
          p->call = c;
          memcpy(p->args, info.seccomp.args, sizeof p->args);
          resume = PTRACE_SYSCALL;
        }
      }
    } else if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE) {
      alive++;
    } else if (event == PTRACE_EVENT_EXEC) {
      unsigned long former = 0;
      xptrace(PTRACE_GETEVENTMSG, tid, 0, (unsigned long)&former);
      if ((pid_t)former != tid) { /* the leader's tid took over the exec'ing thread: its own exit is not reported */
        alive--;
        struct pending *p = find((pid_t)former);
        if (p) erase(p);
      }
      if (tid == child || (pid_t)former == child) executed = 1;
    } else if (event == PTRACE_EVENT_STOP) {
      if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) resume = PTRACE_LISTEN;
    } else if (event == 0) {
      deliver = sig; /* signal-delivery stop: re-inject */
    }
    xptrace(resume, tid, 0, (unsigned long)deliver); /* ESRCH: killed meanwhile, its exit comes through waitpid */
  }
  fflush(out);

  if (!executed) {
    int err = 0;
    if (read(errpipe[0], &err, sizeof err) == sizeof err) {
      fprintf(stderr, "observer: %s: %s\n", command[0], strerror(err));
      return err == ENOENT ? 127 : 126;
    }
  }
  if (!root_ended) return 1;
  if (WIFEXITED(root_status)) return WEXITSTATUS(root_status);
  int killer = WTERMSIG(root_status);
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
  signal(killer, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, killer);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  raise(killer);
  return 128 + killer;
}
