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
 *   ipc_fixture inode           one pipe; logs "inode PID TID R W INO" with the inode fstat gives
 *   ipc_fixture attachloop T    T threads loop msgget (logged) + a pipe round trip + msgctl(IPC_RMID) until
 *                               stdin reaches EOF; prints its pid first; exits 1 if any call misbehaved
 *   ipc_fixture reader          prints its pid, blocks in read(0), then prints "read N DATA" (exit 1 on error)
 *   ipc_fixture signals         handlers for SIGUSR1, SIGCHLD, SIGRTMIN+1, SIGALRM, SIGPIPE; prints what they saw
 *   ipc_fixture stopchild       a child stops itself; prints what waitpid(WUNTRACED) saw, resumes it
 *   ipc_fixture stress P T N    P processes x T threads x N (pipe, pipe2), all logged
 *   ipc_fixture threadexec      a second thread execs "ipc_fixture exit 4" while the first is blocked
 *   ipc_fixture vfork           vfork + exec "ipc_fixture exit 5"; prints the child's status
 *   ipc_fixture threadrace      8 threads making pipes while main exits the process under them
 *   ipc_fixture zombies         forks 3 children that exit, never reaps them, exits
 *   ipc_fixture closeall        closes every fd, then pipe(): the kernel hands out 0 and 1
 *   ipc_fixture x32             pipe2 through the x32 ABI (nr | 0x40000000); logs "x32 RET ERRNO R W"
 *                               (ENOSYS on kernels without CONFIG_X86_X32_ABI: the seccomp stop still sees it)
 *   ipc_fixture spawner         prints its pid, then keeps creating short-lived threads (each makes a pipe)
 *                               until stdin reaches EOF; exits 1 if a thread could not be created
 *   ipc_fixture rtcount N       prints its pid, counts SIGRTMIN+2 (queued, never merged) while making pipes,
 *                               prints "rt=COUNT" once N have arrived
 *   ipc_fixture block           one pipe, prints its pid on stdout, then waits for a signal forever
 *   ipc_fixture blocktree       the same in a parent and its child (two pids printed)
 *   ipc_fixture everything      every watched call with every flag, command and error path the decoders
 *                               know (EFAULT, EINVAL, ENOENT, EEXIST, ENOMSG, EAGAIN, EIDRM), then the
 *                               i386 ipc(2) forms: the strace-oracle test runs it under both tracers
 *
 * Log (env IPC_FIXTURE_LOG, appended, one line per call): "<syscall> <pid> <tid> <result...>".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
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

/* int $0x80 with clean registers: strace decodes the pointers of these calls too. */
static long int80_clean(long nr, long ebx, long ecx, long edx, long esi, long edi, long ebp) {
    long ret;
    __asm__ volatile("push %%rbp\n\tmov %[ebp], %%rbp\n\tint $0x80\n\tpop %%rbp"
                     : "=a"(ret)
                     : "a"(nr), "b"(ebx), "c"(ecx), "d"(edx), "S"(esi), "D"(edi), [ebp] "r"(ebp)
                     : "memory", "r8", "r9", "r10", "r11");
    return ret;
}

static int queue_for_eidrm;
static void *blocked_receiver(void *arg) {
    (void)arg;
    struct { long type; char text[8]; } msg;
    msgrcv(queue_for_eidrm, &msg, sizeof msg.text, 0, 0); /* fails with EIDRM once the queue is removed */
    return NULL;
}

/* Waits until thread `tid` sleeps inside a syscall: /proc says so, no timing involved. */
static void wait_until_blocked(pid_t thread) {
    char path[64], state[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", thread);
    for (;;) {
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(state, 1, sizeof state - 1, f) : 0;
        if (f) fclose(f);
        state[n] = 0;
        char *end = strrchr(state, ')');
        if (end && end[2] == 'S') return;
        sched_yield();
    }
}

static int everything(void) {
    int fd[2];
    /* pipe family */
    syscall(SYS_pipe, fd); close(fd[0]); close(fd[1]);
    pipe2(fd, 0); close(fd[0]); close(fd[1]);
    pipe2(fd, O_CLOEXEC | O_NONBLOCK | O_DIRECT); close(fd[0]); close(fd[1]);
    if (syscall(SYS_pipe2, fd, O_EXCL) == 0) { close(fd[0]); close(fd[1]); } /* O_NOTIFICATION_PIPE */
    syscall(SYS_pipe2, fd, 0x80000000 | O_CLOEXEC);
    syscall(SYS_pipe, NULL);
    syscall(SYS_pipe2, (void *)1, 0);

    /* message queues */
    struct { long type; char text[64]; } msg = {1, "hi\n\t\"q\\ \0017end"};
    int q = msgget(IPC_PRIVATE, IPC_CREAT | IPC_EXCL | 0600);
    msgget(0x4b1d, 0);
    int kq = msgget(0x4b1d, IPC_CREAT | 0640);
    msgget(0x4b1d, IPC_CREAT | IPC_EXCL | 0640);
    msgsnd(q, &msg, 12, 0);
    memset(msg.text, 'x', 40);
    msg.type = 2;
    msgsnd(q, &msg, 40, IPC_NOWAIT);
    msgsnd(q, (void *)8, 4, IPC_NOWAIT);
    msgrcv(q, &msg, sizeof msg.text, 1, 0);
    msgrcv(q, &msg, sizeof msg.text, 5, MSG_EXCEPT | IPC_NOWAIT);
    msgrcv(q, &msg, sizeof msg.text, 0, MSG_NOERROR | IPC_NOWAIT);
    struct msqid_ds mds;
    msgctl(q, IPC_STAT, &mds);
    msgctl(q, IPC_SET, &mds);
    struct msginfo minfo;
    msgctl(0, IPC_INFO, (struct msqid_ds *)&minfo);
    msgctl(0, MSG_INFO, (struct msqid_ds *)&minfo);
    msgctl(q, IPC_RMID, NULL);
    msgctl(q, IPC_RMID, NULL);
    msgctl(kq, 77, NULL);
    msgctl(kq, IPC_STAT, &mds);
    msgctl(kq, MSG_STAT, &mds); /* an index, not an id: EINVAL unless index kq exists */
    msgctl(kq, IPC_STAT, (void *)8);
    msgctl(kq, IPC_RMID, NULL);

    /* EIDRM: a receiver blocked on a queue that is then removed */
    queue_for_eidrm = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    pthread_t receiver;
    pthread_create(&receiver, NULL, blocked_receiver, NULL);
    /* the receiver's tid is not exposed by pthreads portably: it is the only other task */
    pid_t other = 0;
    while (!other) {
        DIR *tasks = opendir("/proc/self/task");
        struct dirent *entry;
        while (tasks && (entry = readdir(tasks)))
            if (atoi(entry->d_name) > 0 && atoi(entry->d_name) != getpid()) other = atoi(entry->d_name);
        if (tasks) closedir(tasks);
    }
    wait_until_blocked(other);
    msgctl(queue_for_eidrm, IPC_RMID, NULL);
    pthread_join(receiver, NULL);

    /* semaphores */
    int s = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
    semget(0x4b1e, 1, 0);
    struct sembuf ops[2] = {{0, 2, SEM_UNDO}, {1, 1, IPC_NOWAIT}};
    semop(s, ops, 2);
    struct timespec timeout = {0, 1000};
    struct sembuf take = {2, -1, IPC_NOWAIT};
    semop(s, &take, 1);
    semtimedop(s, ops, 1, &timeout);
    semop(s, (void *)8, 1);
    semctl(s, 0, GETVAL);
    semctl(s, 2, SETVAL, 5);
    unsigned short values[3] = {1, 2, 3};
    semctl(s, 0, SETALL, values);
    semctl(s, 0, GETALL, values);
    semctl(s, 0, GETPID);
    semctl(s, 0, GETNCNT);
    semctl(s, 0, GETZCNT);
    struct semid_ds sds;
    semctl(s, 0, IPC_STAT, &sds);
    semctl(s, 0, IPC_SET, &sds);
    struct seminfo sinfo;
    semctl(0, 0, IPC_INFO, &sinfo);
    semctl(0, 0, SEM_INFO, &sinfo);
    semctl(0, 0, SEM_STAT, &sds);
    semctl(s, 0, 99);
    semctl(s, 0, IPC_RMID);
    semop(s, ops, 1);

    /* shared memory */
    int m = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
    shmget(0x4b1f, 4096, 0);
    void *a = shmat(m, NULL, 0);
    void *b = shmat(m, NULL, SHM_RDONLY);
    shmdt(a);
    shmdt(b);
    shmdt((void *)8);
    struct shmid_ds hds;
    shmctl(m, IPC_STAT, &hds);
    shmctl(m, IPC_SET, &hds);
    struct shminfo hinfo;
    shmctl(0, IPC_INFO, (struct shmid_ds *)&hinfo);
    shmctl(0, SHM_INFO, (struct shmid_ds *)&hinfo);
    shmctl(0, SHM_STAT, &hds);
    shmctl(m, 99, NULL);
    shmctl(m, SHM_LOCK, NULL);
    shmctl(m, SHM_UNLOCK, NULL);
    shmctl(m, IPC_RMID, NULL);

    /* i386 through ipc(2), from 32-bit addressable memory */
    char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) return 1;
    int *pfd = (int *)low;
    int80_clean(42, (long)pfd, 0, 0, 0, 0, 0);
    int80_clean(331, (long)pfd, O_NONBLOCK, 0, 0, 0, 0);
    long iq = int80_clean(117, 13 /* MSGGET */, IPC_PRIVATE, IPC_CREAT | 0600, 0, 0, 0);
    int32_t *m32 = (int32_t *)(low + 64); /* struct msgbuf with a 32-bit long */
    m32[0] = 3;
    memcpy(&m32[1], "ipc!", 4);
    int80_clean(117, 11 /* MSGSND */, iq, 4, 0, (long)m32, 0);
    int32_t *kludge = (int32_t *)(low + 128); /* struct ipc_kludge { msgp; msgtyp; } */
    kludge[0] = (int32_t)(long)m32;
    kludge[1] = 0;
    int80_clean(117, 12 /* MSGRCV */, iq, 16, IPC_NOWAIT, (long)kludge, 0);
    char *ctl = low + 1024; /* compat struct msqid64_ds & co. */
    int80_clean(117, 14 /* MSGCTL */, iq, IPC_STAT | 0x100 /* IPC_64 */, 0, (long)ctl, 0);
    int80_clean(117, 14 /* MSGCTL */, iq, IPC_INFO | 0x100, 0, (long)ctl, 0);
    int80_clean(402 /* msgctl */, iq, IPC_STAT, (long)ctl, 0, 0, 0);
    int80_clean(402 /* msgctl */, iq, IPC_SET, (long)ctl, 0, 0, 0);
    int80_clean(117, 14 /* MSGCTL */, iq, IPC_RMID, 0, 0, 0);
    long is = int80_clean(117, 2 /* SEMGET */, IPC_PRIVATE, 1, IPC_CREAT | 0600, 0, 0);
    int16_t *sop = (int16_t *)(low + 192);
    sop[0] = 0; sop[1] = 1; sop[2] = 0;
    int80_clean(117, 1 /* SEMOP */, is, 1, 0, (long)sop, 0);
    int32_t *semun = (int32_t *)(low + 256);
    semun[0] = 4;
    int80_clean(117, 3 /* SEMCTL */, is, 0, SETVAL, (long)semun, 0);
    int32_t *ts32 = (int32_t *)(low + 320);
    ts32[0] = 0; ts32[1] = 5000;
    sop[1] = -1;
    int80_clean(117, 4 /* SEMTIMEDOP */, is, 1, 0, (long)sop, (long)ts32); /* ebp = fifth = timeout */
    semun[0] = (int32_t)(long)ctl; /* the semun's buf */
    int80_clean(117, 3 /* SEMCTL */, is, 0, IPC_STAT | 0x100, (long)semun, 0);
    int80_clean(117, 3 /* SEMCTL */, is, 0, IPC_RMID, (long)semun, 0); /* ptr must be non-NULL */
    long im = int80_clean(117, 23 /* SHMGET */, IPC_PRIVATE, 4096, IPC_CREAT | 0600, 0, 0);
    uint32_t *attached = (uint32_t *)(low + 384);
    if (int80_clean(117, 21 /* SHMAT */, im, 0, (long)attached, 0, 0) == 0) /* address written to *third */
        int80_clean(117, 22 /* SHMDT */, 0, 0, 0, (long)(uintptr_t)*attached, 0);
    int80_clean(117, 24 /* SHMCTL */, im, IPC_STAT | 0x100, 0, (long)ctl, 0);
    int80_clean(117, 24 /* SHMCTL */, im, IPC_INFO | 0x100, 0, (long)ctl, 0);
    int80_clean(117, 24 /* SHMCTL */, im, SHM_INFO | 0x100, 0, (long)ctl, 0);
    int80_clean(117, 24 /* SHMCTL */, im, IPC_RMID, 0, 0, 0);
    return 0;
}

static volatile int stop_looping;
static volatile int loop_failed;
static void *attach_loop(void *arg) {
    (void)arg;
    while (!stop_looping) {
        int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
        if (q < 0) { loop_failed = 1; break; }
        logf_("msgget %d %ld %d\n", getpid(), tid(), q);
        int fd[2];
        char byte = 'x', back = 0;
        if (pipe2(fd, O_CLOEXEC) != 0 || write(fd[1], &byte, 1) != 1 || read(fd[0], &back, 1) != 1 || back != 'x')
            loop_failed = 1;
        close(fd[0]); close(fd[1]);
        if (msgctl(q, IPC_RMID, NULL) != 0) loop_failed = 1;
    }
    return NULL;
}

static int attach_target(int threads) {
    pthread_t workers[threads];
    for (int i = 0; i < threads; i++) pthread_create(&workers[i], NULL, attach_loop, NULL);
    printf("%d\n", getpid());
    fflush(stdout);
    char buffer[64];
    while (read(0, buffer, sizeof buffer) > 0) {}
    stop_looping = 1;
    for (int i = 0; i < threads; i++) pthread_join(workers[i], NULL);
    return loop_failed;
}

/* One SysV queue shared by a fork tree: `senders` children send `count` messages each, one child
 * receives them all, the parent removes the queue. Logs "msgtree ROLE PID ID COUNT" per process. */
static int message_tree(int senders, int count) {
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (q < 0) return 1;
    logf_("msgtree creator %d %d 0\n", getpid(), q);
    struct { long type; char text[8]; } msg = {1, "m"};
    for (int s = 0; s < senders; s++) {
        if (fork() == 0) {
            for (int i = 0; i < count; i++) if (msgsnd(q, &msg, 2, 0) != 0) _exit(1);
            logf_("msgtree sender %d %d %d\n", getpid(), q, count);
            _exit(0);
        }
    }
    if (fork() == 0) {
        for (int i = 0; i < senders * count; i++) if (msgrcv(q, &msg, sizeof msg.text, 0, 0) < 0) _exit(1);
        logf_("msgtree receiver %d %d %d\n", getpid(), q, senders * count);
        _exit(0);
    }
    int status, failed = 0;
    while (wait(&status) > 0) failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    msgctl(q, IPC_RMID, NULL);
    return failed;
}

static int reader(void) {
    printf("%d\n", getpid());
    fflush(stdout);
    char buffer[64] = {0};
    ssize_t n = read(0, buffer, sizeof buffer - 1);
    if (n < 0) { printf("error %s\n", strerror(errno)); return 1; }
    printf("read %zd %s", n, buffer);
    return 0;
}

static volatile sig_atomic_t usr1_count, chld_count, rt_count, rt_sum, alrm_count, pipe_count;
static void on_signal(int sig, siginfo_t *info, void *context) {
    (void)context;
    if (sig == SIGUSR1) usr1_count++;
    else if (sig == SIGCHLD) chld_count++;
    else if (sig == SIGALRM) alrm_count++;
    else if (sig == SIGPIPE) pipe_count++;
    else if (sig == SIGRTMIN + 1) { rt_count++; rt_sum += info->si_value.sival_int; }
}

/* Every signal must arrive exactly once, with its payload, traced or not. */
static int signals(void) {
    int watched[] = {SIGUSR1, SIGCHLD, SIGALRM, SIGPIPE, SIGRTMIN + 1};
    for (unsigned i = 0; i < sizeof watched / sizeof *watched; i++) {
        struct sigaction action = {0};
        action.sa_sigaction = on_signal;
        action.sa_flags = SA_SIGINFO | SA_RESTART;
        sigaction(watched[i], &action, NULL);
    }
    sigset_t unblock;
    sigemptyset(&unblock);
    for (unsigned i = 0; i < sizeof watched / sizeof *watched; i++) sigaddset(&unblock, watched[i]);
    sigprocmask(SIG_UNBLOCK, &unblock, NULL);
    for (int i = 0; i < 3; i++) raise(SIGUSR1);
    for (int i = 0; i < 5; i++) sigqueue(getpid(), SIGRTMIN + 1, (union sigval){.sival_int = i + 1});
    pid_t child = fork();
    if (child == 0) _exit(0);
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {}
    int fd[2];
    pipe(fd);
    close(fd[0]);
    int wrote = (int)write(fd[1], "x", 1);
    int epipe = wrote < 0 && errno == EPIPE;
    struct itimerval once = {{0, 0}, {0, 1000}};
    setitimer(ITIMER_REAL, &once, NULL);
    sigset_t none;
    sigemptyset(&none);
    while (!alrm_count) sigsuspend(&none);
    printf("usr1=%d rt=%d rtsum=%d chld=%d alrm=%d pipe=%d epipe=%d\n", (int)usr1_count, (int)rt_count,
           (int)rt_sum, (int)chld_count, (int)alrm_count, (int)pipe_count, epipe);
    return 0;
}

static int stop_child(void) {
    pid_t child = fork();
    if (child == 0) {
        raise(SIGSTOP);
        int fd[2];
        _exit(pipe(fd) == 0 ? 7 : 1);
    }
    int status;
    waitpid(child, &status, WUNTRACED);
    printf("stopped=%d sig=%d\n", WIFSTOPPED(status), WIFSTOPPED(status) ? WSTOPSIG(status) : 0);
    kill(child, SIGCONT);
    waitpid(child, &status, 0);
    printf("exited=%d code=%d\n", WIFEXITED(status), WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}

static char *self_path;

static void *exec_from_thread(void *arg) {
    (void)arg;
    char *args[] = {self_path, "exit", "4", NULL};
    execv(self_path, args);
    _exit(99);
}

static void *pipes_forever(void *arg) {
    (void)arg;
    for (;;) {
        int fd[2];
        if (pipe2(fd, O_CLOEXEC) == 0) { close(fd[0]); close(fd[1]); }
    }
    return NULL;
}

static void *short_lived(void *arg) {
    (void)arg;
    int fd[2];
    if (pipe2(fd, O_CLOEXEC) == 0) { close(fd[0]); close(fd[1]); }
    return NULL;
}

static void *spawn_forever(void *arg) {
    (void)arg;
    while (!stop_looping) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, short_lived, NULL) != 0) { loop_failed = 1; break; }
        pthread_join(thread, NULL);
    }
    return NULL;
}

static int spawner(void) {
    pthread_t spawners[2];
    for (int i = 0; i < 2; i++) pthread_create(&spawners[i], NULL, spawn_forever, NULL);
    printf("%d\n", getpid());
    fflush(stdout);
    char buffer[64];
    while (read(0, buffer, sizeof buffer) > 0) {}
    stop_looping = 1;
    for (int i = 0; i < 2; i++) pthread_join(spawners[i], NULL);
    return loop_failed;
}

static volatile sig_atomic_t rt_received;
static void count_rt(int sig) { (void)sig; rt_received++; }

static int count_rt_signals(long expected) {
    struct sigaction action = {0};
    action.sa_handler = count_rt;
    action.sa_flags = SA_RESTART;
    sigaction(SIGRTMIN + 2, &action, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 2);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("%d\n", getpid());
    fflush(stdout);
    while (rt_received < expected) {
        int fd[2];
        if (pipe2(fd, O_CLOEXEC) == 0) { close(fd[0]); close(fd[1]); }
    }
    printf("rt=%d\n", (int)rt_received);
    return 0;
}

static int seccomp_status(void) {
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    while (status && fgets(line, sizeof line, status))
        if (strncmp(line, "Seccomp:", 8) == 0 || strncmp(line, "Sig", 3) == 0) logf_("status %s", line);
    if (status) fclose(status);
    int fd[2];
    if (syscall(SYS_pipe, fd) != 0) return 1;
    logf_("pipe %d %ld %d %d\n", getpid(), tid(), fd[0], fd[1]);
    return 0;
}

// Flag words strace renders in ways a naive table would not: every single bit of pipe2's flags (strace
// prints them with open(2)'s table) and all of them at once, unknown bits alone (`/* SEM_??? */`) and
// mixed, the order of sem_flg names, and a key >= 2^31 inside an IPC_STAT structure (printed unsigned).
static int flags(void) {
    for (int i = 0; i < 32; i++) syscall(SYS_pipe2, NULL, 1u << i);
    syscall(SYS_pipe2, NULL, 0xffffffffu);
    int id = semget(IPC_PRIVATE, 1, 0600);
    struct sembuf ops[3] = {{0, 1, SEM_UNDO | IPC_NOWAIT}, {0, -1, 0x2}, {0, 0, IPC_NOWAIT | 0x2}};
    semop(id, ops, 3);
    semctl(id, 0, IPC_RMID);
    int queue = msgget((key_t)0xb1964abbu, IPC_CREAT | 0600);
    struct msqid_ds ds;
    msgctl(queue, IPC_STAT, &ds);
    msgctl(queue, IPC_RMID, NULL);
    msgsnd(-1, NULL, 0, 0x10000000);
    shmat(-1, NULL, 0x200000);
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
    if (!strcmp(mode, "everything")) return everything();
    if (!strcmp(mode, "flags")) return flags();
    if (!strcmp(mode, "x32")) {
        int fd[2] = {-1, -1};
        long rc = syscall(0x40000000L | SYS_pipe2, fd, 0);
        logf_("x32 %ld %d %d %d\n", rc, rc < 0 ? errno : 0, fd[0], fd[1]);
        return 0;
    }
    self_path = argv[0];
    if (!strcmp(mode, "threadexec")) {
        pthread_t thread;
        pthread_create(&thread, NULL, exec_from_thread, NULL);
        for (;;) pause();  /* the exec replaces the whole process */
    }
    if (!strcmp(mode, "vfork")) {
        pid_t child = vfork();
        if (child == 0) {
            char *args[] = {self_path, "exit", "5", NULL};
            execv(self_path, args);
            _exit(99);
        }
        int status;
        waitpid(child, &status, 0);
        printf("child %d exited=%d code=%d\n", child, WIFEXITED(status), WEXITSTATUS(status));
        return 0;
    }
    if (!strcmp(mode, "threadrace")) {
        pthread_t threads[8];
        for (int i = 0; i < 8; i++) pthread_create(&threads[i], NULL, pipes_forever, NULL);
        int fd[2];
        pipe(fd); /* at least one event before the exit */
        exit(0);
    }
    if (!strcmp(mode, "zombies")) {
        for (int i = 0; i < 3; i++)
            if (fork() == 0) _exit(i);
        return 0;
    }
    if (!strcmp(mode, "closeall")) {
        for (int fd = 0; fd < 1024; fd++) close(fd);
        int fd[2];
        return syscall(SYS_pipe, fd) == 0 && fd[0] == 0 && fd[1] == 1 ? 0 : 1;
    }
    if (!strcmp(mode, "signals")) return signals();
    if (!strcmp(mode, "stopchild")) return stop_child();
    if (!strcmp(mode, "stress") && argc == 5) {
        int processes = atoi(argv[2]), threads = atoi(argv[3]);
        iterations = atol(argv[4]);
        for (int p = 0; p < processes; p++) {
            if (fork() != 0) continue;
            pthread_t workers[threads];
            for (int i = 0; i < threads; i++) pthread_create(&workers[i], NULL, thread_main, NULL);
            for (int i = 0; i < threads; i++) pthread_join(workers[i], NULL);
            _exit(0);
        }
        int status, failed = 0;
        while (wait(&status) > 0) failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
        return failed;
    }
    if (!strcmp(mode, "msgtree") && argc == 4) return message_tree(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(mode, "attachloop") && argc == 3) return attach_target(atoi(argv[2]));
    if (!strcmp(mode, "reader")) return reader();
    if (!strcmp(mode, "spawner")) return spawner();
    if (!strcmp(mode, "rtcount") && argc == 3) return count_rt_signals(atol(argv[2]));
    if (!strcmp(mode, "inode")) {
        int fd[2];
        struct stat st;
        if (pipe2(fd, 0) != 0 || fstat(fd[0], &st) != 0) return 1;
        logf_("inode %d %ld %d %d %lu\n", getpid(), tid(), fd[0], fd[1], (unsigned long)st.st_ino);
        return 0;
    }
    if (!strcmp(mode, "blocktree")) {  /* like block, with a child that blocks too: both pids printed */
        if (fork() == 0) {
            printf("%d\n", getpid());
            fflush(stdout);
            for (;;) pause();
        }
    }
    if (!strcmp(mode, "block") || !strcmp(mode, "blocktree")) {
        one_pipe_pair();
        printf("%d\n", getpid());
        fflush(stdout);
        for (;;) pause();
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
