/* Ground truth for ipcwatch's end-to-end tests: performs IPC syscalls and logs what it got.
 *
 *   ipc_fixture threads T N     T threads, each N x (pipe, then pipe2(O_CLOEXEC))
 *   ipc_fixture forks P N       P child processes, each N x (pipe, pipe2)
 *   ipc_fixture sysv            msgget/msgsnd/msgrcv/msgctl, semget/semop/semctl, shmget/shmat/shmdt/shmctl
 *   ipc_fixture i386            the same kinds of calls as a 32-bit caller: int $0x80 pipe(42), pipe2(331),
 *                               ipc(117) MSGGET/MSGCTL, direct msgget(399), with high-half junk in registers
 *   ipc_fixture seccomp         logs this process's "Seccomp:" status line and its open fds
 *   ipc_fixture exit CODE       exits with CODE after one pipe
 *   ipc_fixture signal SIG      kills itself with SIG after one pipe
 *   ipc_fixture block           one pipe, prints its pid on stdout, then waits for a signal forever
 *
 * Log (env IPC_FIXTURE_LOG, appended, one line per call): "<syscall> <pid> <tid> <result...>".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static FILE *logfile;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...) {
    if (!logfile) return;
    va_list ap;
    pthread_mutex_lock(&log_lock);
    va_start(ap, fmt);
    vfprintf(logfile, fmt, ap);
    va_end(ap);
    fflush(logfile);
    pthread_mutex_unlock(&log_lock);
}

static long tid(void) { return syscall(SYS_gettid); }

static void one_pipe_pair(void) {
    int fd[2];
    if (syscall(SYS_pipe, fd) != 0) { perror("pipe"); exit(1); }
    logf_("pipe %d %ld %d %d\n", getpid(), tid(), fd[0], fd[1]);
    close(fd[0]); close(fd[1]);
    if (pipe2(fd, O_CLOEXEC) != 0) { perror("pipe2"); exit(1); }
    logf_("pipe2 %d %ld %d %d\n", getpid(), tid(), fd[0], fd[1]);
    close(fd[0]); close(fd[1]);
}

static long iterations;
static void *thread_main(void *arg) {
    (void)arg;
    for (long i = 0; i < iterations; i++) one_pipe_pair();
    return NULL;
}

static int sysv(void) {
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    logf_("msgget %d %ld %d\n", getpid(), tid(), q);
    struct { long type; char text[16]; } msg = {7, "fixture"};
    if (msgsnd(q, &msg, 8, 0) != 0) return 1;
    ssize_t got = msgrcv(q, &msg, sizeof msg.text, 0, 0);
    logf_("msgrcv %d %ld %zd\n", getpid(), tid(), got);
    msgctl(q, IPC_RMID, NULL);
    int s = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    logf_("semget %d %ld %d\n", getpid(), tid(), s);
    struct sembuf op = {1, 1, SEM_UNDO};
    semop(s, &op, 1);
    semctl(s, 0, IPC_RMID);
    int m = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    logf_("shmget %d %ld %d\n", getpid(), tid(), m);
    void *at = shmat(m, NULL, 0);
    logf_("shmat %d %ld %p\n", getpid(), tid(), at);
    shmdt(at);
    shmctl(m, IPC_RMID, NULL);
    return 0;
}

/* A genuine i386 syscall from 64-bit code. Junk in the high halves must be ignored by tracer and kernel. */
static long int80(long nr, long a, long b, long c, long d, long e) {
    const long junk = 0x5a5a5a5a00000000L;
    long ret;
    register long r8 __asm__("r8") = 0;
    (void)r8;
    __asm__ volatile("push %%rbp\n\tmov %[e], %%rbp\n\tint $0x80\n\tpop %%rbp"
                     : "=a"(ret)
                     : "a"(nr), "b"(a | junk), "c"(b | junk), "d"(c | junk), "S"(d | junk), "D"(d | junk), [e] "r"(e | junk)
                     : "memory", "r8", "r9", "r10", "r11");
    return ret;
}

static int i386_calls(void) {
    int *fds = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (fds == MAP_FAILED) { perror("mmap"); return 1; }
    long rc = int80(42, (long)(uintptr_t)fds, 0, 0, 0, 0);
    if (rc != 0) { fprintf(stderr, "i386 pipe: %ld\n", rc); return 1; }
    logf_("pipe %d %ld %d %d\n", getpid(), tid(), fds[0], fds[1]);
    rc = int80(331, (long)(uintptr_t)fds, O_CLOEXEC, 0, 0, 0);
    if (rc != 0) { fprintf(stderr, "i386 pipe2: %ld\n", rc); return 1; }
    logf_("pipe2 %d %ld %d %d\n", getpid(), tid(), fds[0], fds[1]);
    long q = int80(117, 13 /* MSGGET */, IPC_PRIVATE, IPC_CREAT | 0600, 0, 0);
    if (q < 0) { fprintf(stderr, "i386 ipc(MSGGET): %ld\n", q); return 1; }
    logf_("ipc:msgget %d %ld %ld\n", getpid(), tid(), q);
    rc = int80(117, 14 /* MSGCTL */, q, IPC_RMID, 0, 0);
    logf_("ipc:msgctl %d %ld %ld\n", getpid(), tid(), rc);
    long q2 = int80(399 /* msgget */, IPC_PRIVATE, IPC_CREAT | 0600, 0, 0, 0);
    logf_("msgget %d %ld %ld\n", getpid(), tid(), q2);
    msgctl((int)q2, IPC_RMID, NULL);
    return 0;
}

static int seccomp_status(void) {
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    while (status && fgets(line, sizeof line, status))
        if (strncmp(line, "Seccomp:", 8) == 0) logf_("status %s", line);
    if (status) fclose(status);
    int fd[2];
    if (syscall(SYS_pipe, fd) != 0) return 1;
    logf_("pipe %d %ld %d %d\n", getpid(), tid(), fd[0], fd[1]);
    return 0;
}

int main(int argc, char **argv) {
    const char *path = getenv("IPC_FIXTURE_LOG");
    if (path && !(logfile = fopen(path, "ae"))) { perror(path); return 2; }
    if (argc < 2) { fprintf(stderr, "usage: ipc_fixture MODE ...\n"); return 2; }
    const char *mode = argv[1];
    if (!strcmp(mode, "threads") && argc == 4) {
        int count = atoi(argv[2]);
        iterations = atol(argv[3]);
        pthread_t threads[count];
        for (int i = 0; i < count; i++) pthread_create(&threads[i], NULL, thread_main, NULL);
        for (int i = 0; i < count; i++) pthread_join(threads[i], NULL);
        return 0;
    }
    if (!strcmp(mode, "forks") && argc == 4) {
        int count = atoi(argv[2]);
        iterations = atol(argv[3]);
        for (int i = 0; i < count; i++)
            if (fork() == 0) { thread_main(NULL); _exit(0); }
        int status, failed = 0;
        while (wait(&status) > 0) failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
        return failed;
    }
    if (!strcmp(mode, "sysv")) return sysv();
    if (!strcmp(mode, "i386")) return i386_calls();
    if (!strcmp(mode, "seccomp")) return seccomp_status();
    if (!strcmp(mode, "exit") && argc == 3) { one_pipe_pair(); return atoi(argv[2]); }
    if (!strcmp(mode, "signal") && argc == 3) {
        one_pipe_pair();
        int sig = atoi(argv[2]);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        signal(sig, SIG_DFL);
        sigprocmask(SIG_UNBLOCK, &set, NULL); /* the test runner may have blocked it */
        kill(getpid(), sig);
        return 3;
    }
    if (!strcmp(mode, "block")) {
        one_pipe_pair();
        printf("%d\n", getpid());
        fflush(stdout);
        for (;;) pause();
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
