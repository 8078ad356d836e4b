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
 *   ipc_fixture sigsys          its own seccomp filter traps getppid: the SIGSYS it gets (SYS_SECCOMP)
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
 *   ipc_fixture hang KIND       hangs in a known way, logging its pids and fds ("hang KIND ..." below) first:
 *     subprocess                the parent writes 1 MB to a child that copies stdin to stdout, and reads nothing:
 *                               both block writing a full pipe. "subprocess PARENT CHILD PARENT_WRITE_FD
 *                               PARENT_READ_FD" (the child has them as fds 0 and 1)
 *     eof                       the child reads its pipe until EOF; the parent kept the write end and waits for
 *                               the child: "eof PARENT CHILD PARENT_WRITE_FD CHILD_READ_FD"
 *     sem                       A holds semaphore 0 and waits for 1, B holds 1 and waits for 0: "sem A B SEMID"
 *     stopped                   the child (the writer) stops itself before writing; the parent reads:
 *                               "stopped READER WRITER WRITER_WRITE_FD"
 *     mq                        the parent receives from a POSIX queue the child holds open for writing; the child
 *                               reads a pipe the parent holds the write end of (the name is unlinked at once):
 *                               "mq PARENT CHILD PARENT_MQD CHILD_MQD PARENT_PIPE_WRITE_FD"
 *     lines                     reads stdin line by line, printing "got LINE" for each, until EOF:
 *                               "lines PID"
 *     zombie                    a child exits and is never reaped; the parent then reads a pipe it holds the
 *                               write end of: "zombie PARENT CHILD"
 *   ipc_fixture msgwait         a private queue; prints "PID MSQID", then blocks in msgrcv on it forever
 *                               (the test removes the queue)
 *   ipc_fixture blockedthread [exit]
 *                               a thread blocks in msgrcv; once it sleeps there, the main thread makes a pipe,
 *                               then sends it a message and joins it, or with "exit" exits the process under it;
 *                               prints the queue's id (removed by the caller after "exit")
 *   ipc_fixture blockedexec     prints a private queue's id, blocks in msgrcv on it while a thread execs
 *                               "ipc_fixture exit 0" (the caller removes the queue)
 *   ipc_fixture semwait         a private semaphore set; prints "PID SEMID", then blocks in semop(-1) forever
 *   ipc_fixture ids             prints "ids UID GID EUID EGID NGROUPS GROUP..." (what -u USER gave it), one pipe
 *   ipc_fixture mq              every POSIX mq_* call and error path (EEXIST, ENOENT, EAGAIN, EMSGSIZE, EBUSY,
 *                               EBADF, EFAULT), each logged "CALL pid tid RESULT ERRNO DATA"
 *   ipc_fixture splice          vmsplice into a pipe, tee to a second one, splice to a memfd and back, errors
 *   ipc_fixture futex           a FUTEX_WAIT/FUTEX_WAKE pair between two threads, every op format, robust lists
 *   ipc_fixture descriptors     -y's kinds: pipe, /dev/null, FIFO, deleted odd name, socket, mq (and mq_open's result)
 *   ipc_fixture edges           mode 0 and 01 in msgctl IPC_SET/IPC_STAT; mq names with no NUL, or cut by a page
 *   ipc_fixture i386msgrcv      i386 receives with msgtyp -5 (msgrcv, ipc(MSGRCV) versions 1 and 0), failing
 *   ipc_fixture i386families    mq_*, splice, vmsplice and futex (and their _time64 forms) through int $0x80
 *   ipc_fixture timeline        a parent sends its child SysV messages (read by type, MSG_EXCEPT, a negative
 *                               type, one IPC_NOWAIT miss), POSIX mq messages by priority, releases it from
 *                               a semop wait, and writes it a pipe it reads 7 bytes at a time; each side logs
 *                               "tl msg send T", "tl msg recv T", "tl mq send P", "tl mq recv P", "tl sem raise",
 *                               "tl sem released", "tl write N", "tl read N": the flows --timeline must draw
 *   ipc_fixture everything      every watched call with every flag, command and error path the decoders
 *                               know (EFAULT, EINVAL, ENOENT, EEXIST, ENOMSG, EAGAIN, EIDRM), then the
 *                               i386 ipc(2) forms: then the mq and splice modes: the strace-oracle test runs it under both tracers
 *
 * Log (env IPC_FIXTURE_LOG, appended, one line per call): "<syscall> <pid> <tid> <result...>".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <mqueue.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
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

static int posix_mq(void);
static int splices(void);

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

/* The modes that use fixed SysV keys (everything's 0x4b1d, flags' 0xb1964abb) create and remove their object;
 * two runs at once in one IPC namespace (tests run in parallel) would share it, and one's IPC_RMID would fail
 * the other's later calls. They take this lock first, held until the process ends; none of its calls is one
 * a tracer of IPC watches. */
static void lock_fixed_keys(void) {
    const char *path = "/tmp/ipc_fixture.fixed-keys.lock";
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    /* Out of the way of the descriptors the mode's calls print (3, 4...). */
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 900);
    close(fd);
    if (high >= 0) flock(high, LOCK_EX);
}

static int everything(void) {
    lock_fixed_keys();
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
    return posix_mq() || splices();
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

static int msgwait(void) {
    int q = msgget(IPC_PRIVATE, 0600);
    if (q < 0) { perror("msgget"); return 1; }
    printf("%d %d\n", getpid(), q);
    fflush(stdout);
    struct { long mtype; char mtext[64]; } message;
    for (;;) msgrcv(q, &message, sizeof message.mtext, 0, 0);
}

static pid_t receiver_tid;
static int blocked_queue;

static void *receive_blocked(void *unused) {
    (void)unused;
    __atomic_store_n(&receiver_tid, (pid_t)tid(), __ATOMIC_RELEASE);
    struct { long mtype; char mtext[8]; } message;
    msgrcv(blocked_queue, &message, sizeof message.mtext, 0, 0);
    return NULL;
}

static int blocked_thread(int exits) {
    blocked_queue = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (blocked_queue < 0) { perror("msgget"); return 1; }
    printf("%d\n", blocked_queue);
    fflush(stdout);
    pthread_t receiver;
    pthread_create(&receiver, NULL, receive_blocked, NULL);
    pid_t thread;
    while (!(thread = __atomic_load_n(&receiver_tid, __ATOMIC_ACQUIRE))) sched_yield();
    wait_until_blocked(thread);
    int ends[2];
    pipe2(ends, 0);
    if (exits) _exit(0);  /* the thread dies in its call; the caller removes the queue */
    struct { long mtype; char mtext[4]; } message = {1, "hi"};
    msgsnd(blocked_queue, &message, 3, 0);
    pthread_join(receiver, NULL);
    msgctl(blocked_queue, IPC_RMID, NULL);
    return 0;
}

static int semwait(void) {
    int set = semget(IPC_PRIVATE, 1, 0600);
    if (set < 0) { perror("semget"); return 1; }
    printf("%d %d\n", getpid(), set);
    fflush(stdout);
    struct sembuf down = {.sem_num = 0, .sem_op = -1, .sem_flg = SEM_UNDO};
    for (;;) syscall(SYS_semop, set, &down, 1);  /* semop itself: glibc's may be semtimedop */
}

static int ids(void) {
    gid_t groups[64];
    int count = getgroups(64, groups);
    printf("ids %u %u %u %u %d", (unsigned)getuid(), (unsigned)getgid(), (unsigned)geteuid(), (unsigned)getegid(), count);
    for (int i = 0; i < count; i++) printf(" %u", (unsigned)groups[i]);
    printf("\n");
    one_pipe_pair();
    return 0;
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

static volatile sig_atomic_t sigsys_number = -1;
static void on_sigsys(int sig, siginfo_t *info, void *context) {
    (void)sig, (void)context;
    sigsys_number = info->si_syscall;
}

/* A program that sandboxes itself: its own filter (stacked on a tracer's) traps getppid(2) on x86_64, and
   the SIGSYS says which syscall it was, and for which architecture. */
static int sigsys(void) {
    struct sigaction action = {0};
    action.sa_sigaction = on_sigsys;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGSYS, &action, NULL);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGSYS);
    sigprocmask(SIG_UNBLOCK, &unblock, NULL);
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {sizeof code / sizeof *code, code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
        perror("seccomp");
        return 1;
    }
    long trapped = syscall(SYS_getppid);
    printf("getppid=%ld sigsys=%d\n", trapped, (int)sigsys_number);
    return sigsys_number == SYS_getppid ? 0 : 1;
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

/* blockedexec: once the main thread sleeps in msgrcv, this thread execs "exit 0" and takes the process over. */
static void *exec_when_blocked(void *arg) {
    (void)arg;
    wait_until_blocked(getpid());
    char *args[] = {self_path, "exit", "0", NULL};
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

/* Threads are being created and ending all the time when the process exits with status 7: its exit_group
 * must reach the tracer as the process's status, whatever order the threads' ends are reported in. */
static int exit_while_cloning(int pipes) {
    pthread_t spawners[2];
    for (int i = 0; i < 2; i++) pthread_create(&spawners[i], NULL, spawn_forever, NULL);
    for (int i = 0; i < pipes; i++) {
        int fd[2];
        if (pipe2(fd, O_CLOEXEC) == 0) { close(fd[0]); close(fd[1]); }
    }
    exit(7);
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
    lock_fixed_keys();
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

/* POSIX message queues: every mq_* call the decoders know, with their error paths. Each call is logged
 * with what the program itself saw: "mq_CALL pid tid RESULT ERRNO [DATA]". */
static void log_mq(const char *call, long rc, const char *data) {
    logf_("%s %d %ld %ld %d %s\n", call, getpid(), tid(), rc, rc < 0 ? errno : 0, data ? data : "-");
}

static int posix_mq(void) {
    /* One name per process (tests run in parallel); glibc drops the slash: the kernel sees "ipcwatch-fixture-PID". */
    char name[64];
    snprintf(name, sizeof name, "/ipcwatch-fixture-%d", getpid());
    struct mq_attr attr = {.mq_flags = 0, .mq_maxmsg = 3, .mq_msgsize = 64, .mq_curmsgs = 0};
    mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK, 0600, &attr);
    log_mq("mq_open", q, name);
    if (q < 0) return 1;
    log_mq("mq_open", mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr), name);  /* EEXIST */
    log_mq("mq_open", mq_open("/ipcwatch-absent", O_RDONLY), "/ipcwatch-absent");     /* ENOENT */
    mqd_t w = mq_open(name, O_WRONLY | O_CLOEXEC);
    log_mq("mq_open", w, name);
    static const char first[] = "hello";
    static const char binary[] = "q\"\\\n\t\001\0027end";
    static const char longer[] = "a message longer than the default string limit of 32";
    log_mq("mq_timedsend", syscall(SYS_mq_timedsend, q, first, 5, 3, NULL), first);
    struct timespec deadline = {.tv_sec = 2000000000, .tv_nsec = 5000};
    log_mq("mq_timedsend", mq_timedsend(w, binary, sizeof binary - 1, 0, &deadline), "binary");
    log_mq("mq_timedsend", mq_send(q, longer, sizeof longer - 1, 31), longer);
    log_mq("mq_timedsend", mq_send(q, first, 5, 1), "full"); /* EAGAIN: three messages, non-blocking */
    log_mq("mq_timedsend", syscall(SYS_mq_timedsend, q, NULL, 4, 1, NULL), "null");
    struct mq_attr old, now = {.mq_flags = 0};
    log_mq("mq_getsetattr", syscall(SYS_mq_getsetattr, q, NULL, &old), "get");
    logf_("mq_attr %ld %ld %ld %ld\n", old.mq_flags, old.mq_maxmsg, old.mq_msgsize, old.mq_curmsgs);
    log_mq("mq_getsetattr", mq_setattr(q, &now, &old), "set");
    now.mq_flags = O_NONBLOCK;
    log_mq("mq_getsetattr", mq_setattr(q, &now, NULL), "set");
    log_mq("mq_getsetattr", syscall(SYS_mq_getsetattr, -1, NULL, &old), "ebadf");
    struct sigevent event = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
    event.sigev_value.sival_int = 42;
    signal(SIGUSR1, SIG_IGN);
    log_mq("mq_notify", mq_notify(q, &event), "signal");
    log_mq("mq_notify", mq_notify(q, &event), "busy"); /* EBUSY: already registered */
    log_mq("mq_notify", mq_notify(q, NULL), "none");
    struct sigevent quiet = {.sigev_notify = SIGEV_NONE};
    log_mq("mq_notify", mq_notify(q, &quiet), "quiet");
    char buffer[64];
    unsigned priority = 0;
    log_mq("mq_timedreceive", mq_receive(q, buffer, 16, &priority), "small"); /* EMSGSIZE */
    for (int i = 0; i < 3; i++) {
        ssize_t n = i ? mq_receive(q, buffer, sizeof buffer, &priority) : mq_timedreceive(q, buffer, sizeof buffer, &priority, &deadline);
        char data[80];
        snprintf(data, sizeof data, "%u:%.*s", priority, n > 0 ? (int)n : 0, buffer);
        for (char *c = data; *c; c++) if (*c <= ' ' || *c > '~') *c = '.';
        log_mq("mq_timedreceive", n, data);
    }
    log_mq("mq_timedreceive", syscall(SYS_mq_timedreceive, q, buffer, sizeof buffer, NULL, NULL), "empty"); /* EAGAIN */
    close(w);
    close(q);
    log_mq("mq_unlink", mq_unlink(name), name);
    log_mq("mq_unlink", mq_unlink(name), name); /* ENOENT */
    return 0;
}

/* splice, tee and vmsplice: data from memory into a pipe, duplicated into a second pipe, moved to a file
 * at an offset and back. Logs "CALL pid tid RESULT ERRNO" and what was read back. */
/* leftover keep|remove [EXISTING_KEY]: makes a message queue (its own key, IPC_CREAT | IPC_EXCL), a
 * semaphore set (IPC_PRIVATE), a segment (its own key, IPC_CREAT) and a POSIX queue (O_CREAT); a forked
 * child uses each (the last user); with EXISTING_KEY it also opens that queue (IPC_CREAT, no IPC_EXCL: it
 * exists) and sends to it. "remove" then removes what it made. Prints what it made, one per line:
 * "creator PID", "child PID", "msg ID KEY", "sem ID 0", "shm ID KEY", "mq NAME", "existing ID".
 * leftover unlink NAME: mq_unlink(NAME), for the tests' cleanup. leftover i386: two queues through the i386
 * ipc(2), one removed through it: "creator PID", "msg ID 0" (left), "removed ID". */
static int leftover(const char *what, const char *existing_key) {
    if (!strcmp(what, "unlink")) return existing_key && mq_unlink(existing_key) == 0 ? 0 : 1; /* a test's cleanup */
    if (!strcmp(what, "i386")) { /* i386 ipc(2): one queue left, one removed; prints "msg ID" of the first */
        long left = int80(117, 13 /* MSGGET */, IPC_PRIVATE, IPC_CREAT | 0600, 0, 0);
        long gone = int80(117, 13 /* MSGGET */, IPC_PRIVATE, IPC_CREAT | 0600, 0, 0);
        if (left < 0 || gone < 0 || int80(117, 14 /* MSGCTL */, gone, IPC_RMID, 0, 0) != 0) return 1;
        printf("creator %d\nmsg %ld 0\nremoved %ld\n", getpid(), left, gone);
        return 0;
    }
    int keep = !strcmp(what, "keep");
    key_t msg_key = 0x1e000000 | (getpid() & 0xffffff), shm_key = 0x2e000000 | (getpid() & 0xffffff);
    int q = msgget(msg_key, IPC_CREAT | IPC_EXCL | 0600);
    int s = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    int m = shmget(shm_key, 4096, IPC_CREAT | 0600);
    char name[64];
    snprintf(name, sizeof name, "/ipcwatch-leftover-%d", getpid());
    struct mq_attr attr = {.mq_flags = 0, .mq_maxmsg = 2, .mq_msgsize = 16, .mq_curmsgs = 0};
    mqd_t mq = mq_open(name, O_RDWR | O_CREAT, 0600, &attr);
    int existing = existing_key ? msgget((key_t)strtol(existing_key, NULL, 0), IPC_CREAT | 0600) : -1;
    if (q < 0 || s < 0 || m < 0 || mq < 0 || (existing_key && existing < 0)) { perror("leftover"); return 1; }
    pid_t child = fork();
    if (child == 0) {
        struct { long type; char text[4]; } message = {1, "hi"};
        struct sembuf up = {0, 1, 0};
        msgsnd(q, &message, sizeof message.text, 0);
        semop(s, &up, 1);
        void *at = shmat(m, NULL, 0);
        if (at != (void *)-1) shmdt(at);
        mq_send(mq, "hi", 2, 0);
        if (existing >= 0) msgsnd(existing, &message, sizeof message.text, 0);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    printf("creator %d\nchild %d\nmsg %d %d\nsem %d 0\nshm %d %d\nmq %s\n", getpid(), child, q, msg_key, s, m, shm_key, name);
    if (existing >= 0) printf("existing %d\n", existing);
    mq_close(mq);
    if (!keep) {
        msgctl(q, IPC_RMID, NULL);
        semctl(s, 0, IPC_RMID);
        shmctl(m, IPC_RMID, NULL);
        mq_unlink(name);
    }
    return 0;
}

static int splices(void) {
    int a[2], b[2];
    if (pipe(a) || pipe(b)) return 1;
    int file = memfd_create("ipcwatch-splice", 0);
    if (file < 0) return 1;
    struct iovec iov[2] = {{.iov_base = "hello", .iov_len = 5}, {.iov_base = " world\n", .iov_len = 7}};
    long rc = vmsplice(a[1], iov, 2, 0);
    logf_("vmsplice %d %ld %ld %d\n", getpid(), tid(), rc, rc < 0 ? errno : 0);
    rc = tee(a[0], b[1], 64, SPLICE_F_NONBLOCK);
    logf_("tee %d %ld %ld %d\n", getpid(), tid(), rc, rc < 0 ? errno : 0);
    loff_t out = 4;
    rc = splice(a[0], NULL, file, &out, 64, SPLICE_F_MOVE | SPLICE_F_MORE);
    logf_("splice %d %ld %ld %d %lld\n", getpid(), tid(), rc, rc < 0 ? errno : 0, (long long)out);
    loff_t in = 4;
    rc = splice(file, &in, a[1], NULL, 5, 0);
    logf_("splice %d %ld %ld %d %lld\n", getpid(), tid(), rc, rc < 0 ? errno : 0, (long long)in);
    char text[32] = {0};
    ssize_t n = read(a[0], text, sizeof text - 1);
    logf_("read %d %ld %zd %s\n", getpid(), tid(), n, text);
    n = read(b[0], text, 12);
    logf_("read %d %ld %zd %.5s\n", getpid(), tid(), n, text);
    rc = tee(a[0], b[1], 64, SPLICE_F_NONBLOCK); /* EAGAIN: a is empty */
    logf_("tee %d %ld %ld %d\n", getpid(), tid(), rc, rc < 0 ? errno : 0);
    rc = splice(file, NULL, file, NULL, 1, 0); /* EINVAL: no pipe on either side */
    logf_("splice %d %ld %ld %d\n", getpid(), tid(), rc, rc < 0 ? errno : 0);
    rc = vmsplice(a[1], NULL, 1, SPLICE_F_GIFT | 0x20);
    logf_("vmsplice %d %ld %ld %d\n", getpid(), tid(), rc, rc < 0 ? errno : 0);
    return 0;
}

/* Fairness. A tracer that serves whichever tracee waitpid reports first can starve the others: the kernel
 * reports the newest tracee first, so busy threads created after a worker can keep it from ever running. */
static volatile int busy_stop;
static long busy_calls[256];
static void *busy_pipes(void *arg) {
    long *calls = arg;
    while (!busy_stop) {
        int fd[2];
        if (pipe2(fd, 0) == 0) { close(fd[0]); close(fd[1]); }
        if (calls) __atomic_add_fetch(calls, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static long elapsed_ms(const struct timespec *since) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

static long worker_calls;
static int busy_threads;
static struct timespec worker_start;
static void *worker_pipes(void *arg) {
    (void)arg;
    for (long i = 0; i < worker_calls; i++) {
        int fd[2];
        if (pipe2(fd, 0) == 0) { close(fd[0]); close(fd[1]); }
    }
    long most = 0;
    for (int i = 0; i < busy_threads; i++) {
        long calls = __atomic_load_n(&busy_calls[i], __ATOMIC_RELAXED);
        if (calls > most) most = calls;
    }
    logf_("worker %d %ld %ld %ld %ld\n", getpid(), tid(), worker_calls, elapsed_ms(&worker_start), most);
    return NULL;
}

/* A worker thread created first makes `calls` pipe2 calls while `busy` threads created after it loop on
 * pipe2; logs "worker PID TID CALLS MS MOST" when the worker is done (MOST: the most calls one busy thread
 * made meanwhile), then stops the others. */
static int starve(int busy, long calls) {
    if (busy < 1 || busy > 256) return 2;
    busy_threads = busy;
    worker_calls = calls;
    clock_gettime(CLOCK_MONOTONIC, &worker_start);
    pthread_t worker, others[busy];
    pthread_create(&worker, NULL, worker_pipes, NULL);
    for (int i = 0; i < busy; i++) pthread_create(&others[i], NULL, busy_pipes, &busy_calls[i]);
    pthread_join(worker, NULL);
    busy_stop = 1;
    for (int i = 0; i < busy; i++) pthread_join(others[i], NULL);
    return 0;
}

/* `threads` threads loop on pipe2 for `seconds` seconds from one common start, taken once every thread
 * exists (creating a thread is a stop the tracer serves in turn behind the others: on a loaded machine
 * the last ones could start seconds late); each logs "progress PID TID N0 N1 ..." with the calls it
 * completed in each second. */
static int progress_seconds;
static struct timespec progress_start;
static pthread_barrier_t progress_created, progress_go;
static void *progress_loop(void *arg) {
    (void)arg;
    pthread_barrier_wait(&progress_created);
    pthread_barrier_wait(&progress_go);
    long counts[64] = {0};
    for (;;) {
        long ms = elapsed_ms(&progress_start);
        if (ms >= progress_seconds * 1000L) break;
        int fd[2];
        if (pipe2(fd, 0) == 0) { close(fd[0]); close(fd[1]); }
        ms = elapsed_ms(&progress_start);
        if (ms < progress_seconds * 1000L) counts[ms / 1000]++;
    }
    char line[1024];
    int n = snprintf(line, sizeof line, "progress %d %ld", getpid(), tid());
    for (int i = 0; i < progress_seconds; i++) n += snprintf(line + n, sizeof line - n, " %ld", counts[i]);
    logf_("%s\n", line);
    return NULL;
}

static int progress(int threads, int seconds) {
    if (seconds < 1 || seconds > 64) return 2;
    progress_seconds = seconds;
    pthread_t workers[threads];
    pthread_barrier_init(&progress_created, NULL, threads + 1);
    pthread_barrier_init(&progress_go, NULL, threads + 1);
    for (int i = 0; i < threads; i++) pthread_create(&workers[i], NULL, progress_loop, NULL);
    pthread_barrier_wait(&progress_created);
    clock_gettime(CLOCK_MONOTONIC, &progress_start);
    pthread_barrier_wait(&progress_go);
    for (int i = 0; i < threads; i++) pthread_join(workers[i], NULL);
    return 0;
}

/* `threads` busy threads; the main thread prints its pid, waits for a line on stdin, then exits 5 ms later
 * with every thread still looping (exit_group must reach them all through the tracer). */
static int exit_soon(int threads) {
    pthread_t workers[threads];
    for (int i = 0; i < threads; i++) pthread_create(&workers[i], NULL, busy_pipes, NULL);
    printf("%d\n", getpid());
    fflush(stdout);
    char buffer[64];
    if (read(0, buffer, sizeof buffer) <= 0) return 1;
    struct timespec pause = {.tv_nsec = 5000000};
    nanosleep(&pause, NULL);
    exit(0);
}

/* Each CPU the program may use, in turn: pins itself there, then makes one pipe; logs "oncpu PID TID CPU R W"
 * (the CPU a tracer must report for that call). */
static int on_each_cpu(void) {
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed)) return 1;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed)) continue;
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        if (sched_setaffinity(0, sizeof one, &one)) return 1;
        int fd[2];
        if (pipe(fd)) return 1;
        logf_("oncpu %d %ld %d %d %d\n", getpid(), tid(), cpu, fd[0], fd[1]);
        close(fd[0]);
        close(fd[1]);
    }
    return 0;
}

/* Counts that promise far more memory than the buffers behind them (a tracer must not believe them): each
 * call is logged "CALL pid tid RESULT ERRNO", then "done pid" once the program has run on. */
static int huge_counts(void) {
    int fds[2];
    if (pipe(fds)) return 1;
    struct iovec iov[1] = {{.iov_base = "hello", .iov_len = 5}};
    long rc = syscall(SYS_vmsplice, fds[1], iov, 0x7fffffffUL, 0);
    logf_("vmsplice %d %ld %ld %d\n", getpid(), tid(), rc, rc < 0 ? errno : 0);
    int sem = semget(IPC_PRIVATE, 1, 0600);
    struct sembuf op = {0, 1, IPC_NOWAIT};
    rc = syscall(SYS_semtimedop, sem, &op, 0xffffffffUL, NULL);
    logf_("semtimedop %d %ld %ld %d\n", getpid(), tid(), rc, rc < 0 ? errno : 0);
    semctl(sem, 0, IPC_RMID);
    int queue = msgget(IPC_PRIVATE, 0600);
    struct { long mtype; char mtext[8]; } message = {1, "hello"};
    rc = syscall(SYS_msgsnd, queue, &message, SIZE_MAX, IPC_NOWAIT);
    logf_("msgsnd %d %ld %ld %d\n", getpid(), tid(), rc, rc < 0 ? errno : 0);
    msgctl(queue, IPC_RMID, NULL);
    char name[64];
    snprintf(name, sizeof name, "/ipcwatch-huge-%d", getpid());
    struct mq_attr attr = {.mq_maxmsg = 1, .mq_msgsize = 8};
    mqd_t mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK, 0600, &attr);
    rc = syscall(SYS_mq_timedsend, mq, "hello", SIZE_MAX, 0, NULL);
    logf_("mq_timedsend %d %ld %ld %d\n", getpid(), tid(), rc, rc < 0 ? errno : 0);
    mq_close(mq);
    mq_unlink(name);
    logf_("done %d\n", getpid());
    return 0;
}

/* futex: a wait/wake pair between two threads, then the ops strace decodes differently, each logged
 * "futex pid tid OP RESULT ERRNO"; robust lists. Only the main thread logs (no contended log lock), and
 * it joins a thread that has already gone, so glibc adds no futex calls of its own. */
static uint32_t futex_word, futex_other;
static volatile pid_t futex_waiter;
static volatile long futex_waited = -2, futex_waited_errno;
static long futex_call(uint32_t *uaddr, int op, uint32_t val, const void *timeout, uint32_t *uaddr2, uint32_t val3) {
    return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}
static void *futex_wait_thread(void *arg) {
    (void)arg;
    futex_waiter = (pid_t)tid();
    futex_waited = futex_call(&futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    futex_waited_errno = futex_waited < 0 ? errno : 0;
    return NULL;
}
static void wait_until_gone(pid_t thread) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d", thread);
    while (access(path, F_OK) == 0) sched_yield();
}
static void log_futex(const char *op, long rc) {
    logf_("futex %d %ld %s %ld %d\n", getpid(), tid(), op, rc, rc < 0 ? errno : 0);
}
static int futexes(void) {
    pthread_t thread;
    if (pthread_create(&thread, NULL, futex_wait_thread, NULL)) return 1;
    while (!futex_waiter) sched_yield();
    wait_until_blocked(futex_waiter);
    __atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
    long woken = futex_call(&futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    pid_t waiter = futex_waiter;
    wait_until_gone(waiter);
    pthread_join(thread, NULL);
    logf_("futex %d %d FUTEX_WAIT_PRIVATE %ld %ld\n", getpid(), waiter, futex_waited, futex_waited_errno);
    log_futex("FUTEX_WAKE_PRIVATE", woken);
    struct timespec relative = {.tv_sec = 0, .tv_nsec = 1000}, past = {.tv_sec = 1, .tv_nsec = 0};
    log_futex("FUTEX_WAIT", futex_call(&futex_word, FUTEX_WAIT, 0, &relative, NULL, 0));  /* EAGAIN: word is 1 */
    log_futex("FUTEX_WAIT_PRIVATE", futex_call(&futex_word, FUTEX_WAIT_PRIVATE, 1, &relative, NULL, 0)); /* ETIMEDOUT */
    log_futex("FUTEX_WAIT_BITSET", futex_call(&futex_word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, &past,
                                              NULL, FUTEX_BITSET_MATCH_ANY));
    log_futex("FUTEX_WAKE_BITSET", futex_call(&futex_word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0x5));
    log_futex("FUTEX_WAKE_OP", futex_call(&futex_word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &futex_other,
                                          FUTEX_OP(FUTEX_OP_ADD, 2, FUTEX_OP_CMP_GT, 0)));
    log_futex("FUTEX_WAKE_OP", futex_call(&futex_word, FUTEX_WAKE_OP, 1, (void *)0, &futex_other,
                                          (FUTEX_OP_OPARG_SHIFT << 28) | FUTEX_OP(FUTEX_OP_OR, 3, FUTEX_OP_CMP_EQ, 7)));
    log_futex("FUTEX_REQUEUE", futex_call(&futex_word, FUTEX_REQUEUE_PRIVATE, 1, (void *)2, &futex_other, 0));
    log_futex("FUTEX_CMP_REQUEUE", futex_call(&futex_word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)2, &futex_other, 1));
    log_futex("FUTEX_CMP_REQUEUE", futex_call(&futex_word, FUTEX_CMP_REQUEUE, 1, (void *)2, &futex_other, 9)); /* EAGAIN */
    log_futex("FUTEX_UNLOCK_PI", futex_call(&futex_other, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0)); /* EPERM */
    log_futex("FUTEX_99", futex_call(&futex_word, 99, 1, (void *)0x10, (uint32_t *)0x20, 0x30)); /* ENOSYS */
    log_futex("FUTEX_WAIT", futex_call(NULL, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0)); /* EFAULT */
    struct robust_list_head *head = NULL;
    size_t length = 0;
    long rc = syscall(SYS_get_robust_list, 0, &head, &length);
    logf_("get_robust_list %d %ld %ld %zu\n", getpid(), tid(), rc, length);
    rc = syscall(SYS_set_robust_list, head, length);
    logf_("set_robust_list %d %ld %ld\n", getpid(), tid(), rc);
    rc = syscall(SYS_set_robust_list, head, length - 1); /* EINVAL */
    logf_("set_robust_list %d %ld %ld %d\n", getpid(), tid(), rc, errno);
    rc = syscall(SYS_get_robust_list, 999999, &head, &length); /* ESRCH */
    logf_("get_robust_list %d %ld %ld %d\n", getpid(), tid(), rc, errno);
    return woken == 1 && futex_waited == 0 ? 0 : 1;
}

/* The same families as a 32-bit caller (int $0x80 from 32-bit addressable memory): mq_open (277),
 * mq_timedsend (279, 32-bit timespec) and mq_timedsend_time64 (418), mq_timedreceive_time64 (419),
 * mq_getsetattr (282, compat mq_attr), mq_notify (281, compat sigevent), mq_unlink (278), splice (313),
 * vmsplice (316, compat iovec), futex (240) and futex_time64 (422). Logs "i386:CALL RESULT". */
static int i386_families(void) {
    char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) return 1;
    char *name = low;
    snprintf(name, 64, "ipcwatch-i386-%d", getpid()); /* the kernel's name: no slash */
    int32_t *attr = (int32_t *)(low + 64); /* compat struct mq_attr: four 32-bit longs (and padding) */
    attr[0] = 0; attr[1] = 2; attr[2] = 16; attr[3] = 0;
    int80_clean(278, (long)name, 0, 0, 0, 0, 0);
    long q = int80_clean(277, (long)name, O_RDWR | O_CREAT | O_NONBLOCK, 0640, (long)attr, 0, 0);
    logf_("i386:mq_open %ld\n", q);
    char *text = low + 128;
    strcpy(text, "from i386");
    int32_t *ts32 = (int32_t *)(low + 192);
    ts32[0] = 1900000000; ts32[1] = 7;
    int64_t *ts64 = (int64_t *)(low + 256);
    ts64[0] = 4000000000LL; ts64[1] = 9;
    logf_("i386:mq_timedsend %ld\n", int80_clean(279, q, (long)text, 9, 2, (long)ts32, 0));
    logf_("i386:mq_timedsend_time64 %ld\n", int80_clean(418, q, (long)text, 4, 5, (long)ts64, 0));
    uint32_t *prio = (uint32_t *)(low + 320);
    char *buffer = low + 384;
    logf_("i386:mq_timedreceive_time64 %ld\n", int80_clean(419, q, (long)buffer, 16, (long)prio, (long)ts64, 0));
    logf_("i386:mq_timedreceive %ld\n", int80_clean(280, q, (long)buffer, 16, (long)prio, (long)ts32, 0));
    int32_t *old = (int32_t *)(low + 448);
    logf_("i386:mq_getsetattr %ld\n", int80_clean(282, q, 0, (long)old, 0, 0, 0));
    int32_t *event = (int32_t *)(low + 512); /* compat sigevent: value, signo, notify, then the union */
    event[0] = 7; event[1] = SIGUSR2; event[2] = SIGEV_SIGNAL;
    signal(SIGUSR2, SIG_IGN);
    logf_("i386:mq_notify %ld\n", int80_clean(281, q, (long)event, 0, 0, 0, 0));
    close((int)q);
    logf_("i386:mq_unlink %ld\n", int80_clean(278, (long)name, 0, 0, 0, 0, 0));
    int *fds = (int *)(low + 640);
    int80_clean(42, (long)fds, 0, 0, 0, 0, 0);
    uint32_t *iov = (uint32_t *)(low + 704); /* compat iovec: base, len */
    iov[0] = (uint32_t)(uintptr_t)text; iov[1] = 4;
    logf_("i386:vmsplice %ld\n", int80_clean(316, fds[1], (long)iov, 1, 0, 0, 0));
    int file = memfd_create("ipcwatch-i386", 0);
    int64_t *offset = (int64_t *)(low + 768);
    offset[0] = 2;
    logf_("i386:splice %ld\n", int80_clean(313, fds[0], 0, file, (long)offset, 4, 0));
    uint32_t *word = (uint32_t *)(low + 832);
    word[0] = 5;
    logf_("i386:futex %ld\n", int80_clean(240, (long)word, FUTEX_WAIT_PRIVATE, 4, (long)ts32, 0, 0));
    int64_t *short64 = (int64_t *)(low + 896);
    short64[0] = 0; short64[1] = 1000;
    logf_("i386:futex_time64 %ld\n", int80_clean(422, (long)word, FUTEX_WAIT_PRIVATE, 5, (long)short64, 0, 0));
    return 0;
}

/* Every kind of descriptor strace's -y names, in the calls that take one: a pipe, /dev/null, a FIFO, a
 * deleted file whose name needs escapes, a Unix socket, a POSIX queue (and mq_open's result), a closed fd.
 * Names carry "ipcwatch-fixture-PID" (the oracle test masks the pid). */
static int descriptors(void) {
    char dir[64], fifo[96], odd[96], queue[64];
    snprintf(dir, sizeof dir, "/tmp/ipcwatch-fixture-%d", getpid());
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(odd, sizeof odd, "%s/we<i>rd\tname", dir);
    snprintf(queue, sizeof queue, "/ipcwatch-fixture-%d", getpid());
    if (mkdir(dir, 0700) != 0 || mkfifo(fifo, 0600) != 0) return 1;
    int p[2];
    if (pipe(p) != 0) return 1;
    int null = open("/dev/null", O_WRONLY);
    int f = open(fifo, O_RDWR);
    int s[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, s);
    struct mq_attr attr = {0, 4, 64, 0};
    mqd_t q = mq_open(queue, O_CREAT | O_RDWR, 0600, &attr);
    mq_send(q, "hi", 2, 1);
    char buffer[64];
    unsigned priority;
    mq_receive(q, buffer, sizeof buffer, &priority);
    struct mq_attr now;
    mq_getattr(q, &now);
    int w = open(odd, O_CREAT | O_RDWR, 0600);
    unlink(odd);
    write(p[1], "abcd", 4);
    splice(p[0], NULL, null, NULL, 2, 0);
    splice(p[0], NULL, w, NULL, 2, 0);
    write(p[1], "abcd", 4);
    tee(p[0], f, 2, SPLICE_F_NONBLOCK);
    struct iovec v = {"xy", 2};
    vmsplice(p[1], &v, 1, 0);
    splice(s[0], NULL, p[1], NULL, 2, SPLICE_F_NONBLOCK);
    splice(p[0], NULL, s[1], NULL, 2, SPLICE_F_NONBLOCK);
    splice(p[0], NULL, 99, NULL, 2, SPLICE_F_NONBLOCK);
    mq_close(q);
    mq_unlink(queue);
    unlink(fifo);
    rmdir(dir);
    return 0;
}

/* Edge cases of strace's rendering: a queue's mode 0 in IPC_SET and IPC_STAT (mode=000), mode 01 (001);
 * mq names with no NUL in PATH_MAX bytes ("aaa..."...), and ending at an unmapped page (the address);
 * messages, sembuf and iovec arrays that run into that page. */
static int edge_names(void) {
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    struct msqid_ds ds;
    msgctl(q, IPC_STAT, &ds);
    ds.msg_perm.mode = 0;
    msgctl(q, IPC_SET, &ds);
    msgctl(q, IPC_STAT, &ds);
    ds.msg_perm.mode = 01;
    msgctl(q, IPC_SET, &ds);
    msgctl(q, IPC_RMID, NULL);
    char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) return 1;
    munmap(page + 4096, 4096);
    memset(page, 'a', 4096);
    logf_("mq_open %ld\n", syscall(SYS_mq_open, page, O_RDONLY, 0, 0));              /* ENAMETOOLONG */
    logf_("mq_open %ld\n", syscall(SYS_mq_open, page + 4096 - 10, O_RDONLY, 0, 0));  /* EFAULT */
    logf_("mq_unlink %ld\n", syscall(SYS_mq_unlink, page + 4096 - 10));
    page[4095] = 0;
    logf_("mq_open %ld\n", syscall(SYS_mq_open, page + 4096 - 10, O_RDONLY, 0, 0));  /* ENOENT */
    /* Memory that ends inside what the call reads: a message whose mtype is readable and its text not,
     * arrays whose first entries are readable and the next not. Each fails with EFAULT. */
    q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    long *mtype = (long *)(page + 4096 - sizeof(long));
    *mtype = 7;
    logf_("msgsnd %ld\n", syscall(SYS_msgsnd, q, mtype, 4, IPC_NOWAIT));
    logf_("msgsnd %ld\n", syscall(SYS_msgsnd, q, page + 4096 - sizeof(long) - 2, 4, IPC_NOWAIT));
    long *whole = (long *)(page + 4096 - 2 * sizeof(long)); /* struct msgbuf readable, its 20-byte text not */
    whole[0] = 7;
    logf_("msgsnd %ld\n", syscall(SYS_msgsnd, q, whole, 20, IPC_NOWAIT));
    logf_("msgsnd %ld\n", syscall(SYS_msgsnd, q, page + 4096 - sizeof(long) - 4, 4, IPC_NOWAIT)); /* text, not the struct */
    msgctl(q, IPC_RMID, NULL);
    int sem = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    struct sembuf *ops = (struct sembuf *)(page + 4096 - 2 * sizeof(struct sembuf));
    ops[0] = (struct sembuf){0, 1, IPC_NOWAIT};
    ops[1] = (struct sembuf){1, 1, IPC_NOWAIT};
    logf_("semop %ld\n", syscall(SYS_semop, sem, ops, 3));
    /* 32 readable entries (strace's default limit) of 40: strace reads the 33rd, and shows where it failed */
    ops = (struct sembuf *)(page + 4096 - 32 * sizeof(struct sembuf));
    for (int i = 0; i < 32; i++) ops[i] = (struct sembuf){0, 1, IPC_NOWAIT};
    logf_("semop %ld\n", syscall(SYS_semop, sem, ops, 40));
    logf_("semop %ld\n", syscall(SYS_semop, sem, page + 4096, 0)); /* no entry: [] with nothing read */
    semctl(sem, 0, IPC_RMID);
    int fds[2];
    if (pipe(fds)) return 1;
    struct iovec *iov = (struct iovec *)(page + 4096 - sizeof(struct iovec));
    *iov = (struct iovec){"xy", 2};
    logf_("vmsplice %ld\n", syscall(SYS_vmsplice, fds[1], iov, 2, SPLICE_F_NONBLOCK));
    iov = (struct iovec *)(page + 4096 - 32 * sizeof(struct iovec));
    for (int i = 0; i < 32; i++) iov[i] = (struct iovec){"xy", 2};
    logf_("vmsplice %ld\n", syscall(SYS_vmsplice, fds[1], iov, 33, SPLICE_F_NONBLOCK));
    close(fds[0]);
    close(fds[1]);
    return 0;
}

/* Receives with a negative msgtyp (-5: the lowest type up to 5) on an empty queue, as a 32-bit caller:
 * msgrcv (401), ipc(MSGRCV) version 1 (msgtyp in fifth) and version 0 (through struct ipc_kludge), each
 * failing with ENOMSG; then version 0 on a queue that does not exist (EINVAL). Logs "i386:CALL RESULT". */
static int i386_msgrcv(void) {
    char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) return 1;
    long q = int80_clean(399 /* msgget */, IPC_PRIVATE, IPC_CREAT | 0600, 0, 0, 0, 0);
    logf_("i386:msgget %ld\n", q);
    char *buffer = low + 64;
    int32_t *kludge = (int32_t *)(low + 128); /* struct ipc_kludge { msgp; msgtyp; } */
    kludge[0] = (int32_t)(uintptr_t)buffer;
    kludge[1] = -5;
    logf_("i386:msgrcv %ld\n", int80_clean(401, q, (long)buffer, 64, -5, IPC_NOWAIT, 0));
    logf_("i386:ipc:msgrcv1 %ld\n", int80_clean(117, 0x1000c /* MSGRCV, version 1 */, q, 64, IPC_NOWAIT, (long)buffer, -5));
    logf_("i386:ipc:msgrcv0 %ld\n", int80_clean(117, 12 /* MSGRCV */, q, 64, IPC_NOWAIT, (long)kludge, 0));
    int80_clean(402 /* msgctl */, q, IPC_RMID, 0, 0, 0, 0);
    logf_("i386:ipc:msgrcv0 %ld\n", int80_clean(117, 12 /* MSGRCV */, q, 64, IPC_NOWAIT, (long)kludge, 0));
    return 0;
}

/* Hangs in the known ways of "hang KIND" (the header), for the wait-for report's tests. */
static int hang(const char *kind) {
    int in[2], out[2];
    if (!strcmp(kind, "subprocess")) {
        if (pipe(in) || pipe(out)) return 1;
        pid_t child = fork();
        if (child == 0) {
            dup2(in[0], 0); dup2(out[1], 1);
            close(in[0]); close(in[1]); close(out[0]); close(out[1]);
            char buffer[65536];
            ssize_t n;
            while ((n = read(0, buffer, sizeof buffer)) > 0)
                if (write(1, buffer, n) != n) _exit(1);
            _exit(0);
        }
        close(in[0]); close(out[1]);
        logf_("subprocess %d %d %d %d\n", getpid(), child, in[1], out[0]);
        static char big[1 << 20];
        memset(big, 'x', sizeof big);
        return write(in[1], big, sizeof big) == (ssize_t)sizeof big ? 0 : 1;
    }
    if (!strcmp(kind, "eof")) {
        if (pipe(in)) return 1;
        pid_t child = fork();
        if (child == 0) {
            close(in[1]);
            char buffer[256];
            while (read(in[0], buffer, sizeof buffer) > 0) {}
            _exit(0);
        }
        logf_("eof %d %d %d %d\n", getpid(), child, in[1], in[0]);
        return waitpid(child, NULL, 0) == child ? 0 : 1;  /* never: in[1] is still open here */
    }
    if (!strcmp(kind, "sem")) {
        int set = semget(IPC_PRIVATE, 2, 0600);
        if (set < 0 || pipe(in)) return 1;
        unsigned short ones[2] = {1, 1};
        if (semctl(set, 0, SETALL, ones)) return 1;
        struct sembuf take0 = {.sem_num = 0, .sem_op = -1}, take1 = {.sem_num = 1, .sem_op = -1};
        if (syscall(SYS_semop, set, &take0, 1)) return 1;  /* A holds 0 */
        pid_t child = fork();
        if (child == 0) {
            if (syscall(SYS_semop, set, &take1, 1)) _exit(1);  /* B holds 1 */
            if (write(in[1], "", 1) != 1) _exit(1);
            syscall(SYS_semop, set, &take0, 1);  /* waits for A */
            _exit(0);
        }
        logf_("sem %d %d %d\n", getpid(), child, set);
        char byte;
        if (read(in[0], &byte, 1) != 1) return 1;
        return syscall(SYS_semop, set, &take1, 1) ? 1 : 0;  /* waits for B */
    }
    if (!strcmp(kind, "stopped")) {
        if (pipe(in)) return 1;
        pid_t child = fork();
        if (child == 0) {
            close(in[0]);
            raise(SIGSTOP);
            _exit(write(in[1], "late\n", 5) == 5 ? 0 : 1);
        }
        close(in[1]);
        logf_("stopped %d %d %d\n", getpid(), child, in[1]);
        char buffer[64];
        return read(in[0], buffer, sizeof buffer) > 0 ? 0 : 1;
    }
    if (!strcmp(kind, "mq")) {
        char name[64];
        snprintf(name, sizeof name, "/ipcwatch-hang-%d", getpid());
        struct mq_attr attributes = {.mq_maxmsg = 4, .mq_msgsize = 64};
        mqd_t queue = mq_open(name, O_CREAT | O_EXCL | O_RDONLY, 0600, &attributes);
        mqd_t sender = mq_open(name, O_WRONLY);
        mq_unlink(name);  /* nothing left behind: the queue lives as long as a descriptor */
        if (queue < 0 || sender < 0 || pipe(in)) return 1;
        pid_t child = fork();
        if (child == 0) {
            mq_close(queue);
            close(in[1]);
            char byte;
            _exit(read(in[0], &byte, 1) == 1 ? 0 : 1);  /* never: the parent keeps the write end */
        }
        mq_close(sender);
        close(in[0]);
        logf_("mq %d %d %d %d %d\n", getpid(), child, (int)queue, (int)sender, in[1]);
        char message[64];
        return mq_receive(queue, message, sizeof message, NULL) >= 0 ? 0 : 1;  /* never: nothing is sent */
    }
    if (!strcmp(kind, "lines")) {
        logf_("lines %d\n", getpid());
        char line[256];
        while (fgets(line, sizeof line, stdin)) {
            printf("got %s", line);
            fflush(stdout);
        }
        return 0;
    }
    if (!strcmp(kind, "zombie")) {
        if (pipe(in)) return 1;
        pid_t child = fork();
        if (child == 0) _exit(0);
        siginfo_t info;
        if (waitid(P_PID, child, &info, WEXITED | WNOWAIT)) return 1;  /* a zombie now, left unreaped */
        logf_("zombie %d %d\n", getpid(), child);
        char byte;
        return read(in[0], &byte, 1) == 1 ? 0 : 1;  /* never: it holds the write end itself */
    }
    fprintf(stderr, "unknown hang: %s\n", kind);
    return 2;
}

/* The messages of `ipc_fixture timeline`, each logged by the side that made it. */
static int timeline_messages(void) {
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    int set = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    char name[64];
    snprintf(name, sizeof name, "/ipcwatch-timeline-%d", getpid());
    struct mq_attr attr = {.mq_maxmsg = 8, .mq_msgsize = 32};
    mqd_t mq = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
    int p[2];
    if (q < 0 || set < 0 || mq == (mqd_t)-1 || pipe(p) != 0) { perror("timeline"); return 1; }
    pid_t child = fork();
    if (child == 0) {
        close(p[1]);
        struct { long type; char text[16]; } m;
        long selectors[][2] = {{2, 0}, {2, 0}, {2, 0}, {2, MSG_EXCEPT}, {2, MSG_EXCEPT}, {-5, 0}};
        for (int i = 0; i < 6; i++) {
            if (msgrcv(q, &m, sizeof m.text, selectors[i][0], (int)selectors[i][1]) < 0) _exit(2);
            logf_("tl msg recv %ld\n", m.type);
        }
        if (msgrcv(q, &m, sizeof m.text, 0, IPC_NOWAIT) >= 0 || errno != ENOMSG) _exit(3);
        char text[32];
        unsigned priority;
        for (int i = 0; i < 4; i++) {
            if (mq_receive(mq, text, sizeof text, &priority) < 0) _exit(4);
            logf_("tl mq recv %u\n", priority);
        }
        struct sembuf down = {.sem_num = 0, .sem_op = -1, .sem_flg = 0};
        if (semop(set, &down, 1) != 0) _exit(5);
        logf_("tl sem released\n");
        ssize_t n;
        while ((n = read(p[0], text, 7)) > 0) logf_("tl read %zd\n", n);
        _exit(n == 0 ? 0 : 6);
    }
    close(p[0]);
    struct { long type; char text[16]; } m = {0, "hello"};
    long types[] = {1, 2, 3, 2, 2, 4};
    for (int i = 0; i < 6; i++) {
        m.type = types[i];
        if (msgsnd(q, &m, 6, 0) != 0) return 1;
        logf_("tl msg send %ld\n", m.type);
    }
    unsigned priorities[] = {1, 5, 3, 5};
    for (int i = 0; i < 4; i++) {
        if (mq_send(mq, "message", 8, priorities[i]) != 0) return 1;
        logf_("tl mq send %u\n", priorities[i]);
    }
    /* Raise only once the child waits in semop (GETNCNT counts it): the raise is what releases it. */
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (semctl(set, 0, GETNCNT) == 0) {
        if (elapsed_ms(&start) > 20000) return 1;
        sched_yield();
    }
    struct sembuf up = {.sem_num = 0, .sem_op = 1, .sem_flg = 0};
    if (semop(set, &up, 1) != 0) return 1;
    logf_("tl sem raise\n");
    int sizes[] = {10, 3, 20};
    char bytes[20] = {0};
    for (int i = 0; i < 3; i++) {
        if (write(p[1], bytes, sizes[i]) != sizes[i]) return 1;
        logf_("tl write %d\n", sizes[i]);
    }
    close(p[1]);
    int status;
    waitpid(child, &status, 0);
    msgctl(q, IPC_RMID, NULL);
    semctl(set, 0, IPC_RMID);
    mq_close(mq);
    mq_unlink(name);
    return !WIFEXITED(status) || WEXITSTATUS(status) != 0;
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
    if (!strcmp(mode, "timeline")) return timeline_messages();
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
    if (!strcmp(mode, "mq")) return posix_mq();
    if (!strcmp(mode, "leftover") && argc >= 3) return leftover(argv[2], argc > 3 ? argv[3] : NULL);
    if (!strcmp(mode, "splice")) return splices();
    if (!strcmp(mode, "hugecounts")) return huge_counts();
    if (!strcmp(mode, "oncpu")) return on_each_cpu();
    if (!strcmp(mode, "exitcloning") && argc == 3) return exit_while_cloning(atoi(argv[2]));
    if (!strcmp(mode, "starve") && argc == 4) return starve(atoi(argv[2]), atol(argv[3]));
    if (!strcmp(mode, "progress") && argc == 4) return progress(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(mode, "exitsoon") && argc == 3) return exit_soon(atoi(argv[2]));
    if (!strcmp(mode, "futex")) return futexes();
    if (!strcmp(mode, "i386families")) return i386_families();
    if (!strcmp(mode, "i386msgrcv")) return i386_msgrcv();
    if (!strcmp(mode, "edges")) return edge_names();
    if (!strcmp(mode, "descriptors")) return descriptors();
    if (!strcmp(mode, "x32")) {
        int fd[2] = {-1, -1};
        long rc = syscall(0x40000000L | SYS_pipe2, fd, 0);
        logf_("x32 %ld %d %d %d\n", rc, rc < 0 ? errno : 0, fd[0], fd[1]);
        return 0;
    }
    self_path = argv[0];
    if (!strcmp(mode, "blockedexec")) {
        int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
        printf("%d\n", q);
        fflush(stdout);
        pthread_t thread;
        pthread_create(&thread, NULL, exec_when_blocked, NULL);
        struct { long mtype; char mtext[8]; } message;
        msgrcv(q, &message, sizeof message.mtext, 0, 0);  /* the exec ends it */
        return 1;
    }
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
    if (!strcmp(mode, "sigsys")) return sigsys();
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
    if (!strcmp(mode, "msgwait")) return msgwait();
    if (!strcmp(mode, "blockedthread")) return blocked_thread(argc == 3 && !strcmp(argv[2], "exit"));
    if (!strcmp(mode, "hang") && argc == 3) return hang(argv[2]);
    if (!strcmp(mode, "ids")) return ids();
    if (!strcmp(mode, "semwait")) return semwait();
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
