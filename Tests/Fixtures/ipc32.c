/* A real 32-bit program for the i386 tests: built with `cc -m32 -D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64`
 * (gcc-multilib), it makes its IPC calls through 32-bit glibc, which picks the entries itself (with a
 * 64-bit time_t: mq_timedsend_time64, semtimedop_time64; SysV through ipc(2) in glibc 2.36). Also the
 * older entries by number (syscall(2)): mq_timedsend (279), mq_timedreceive (280), futex (240). Logs
 * nothing: the tests compare the two tracers' views of it.
 * With the argument "hang": a child blocks in semop(-1) on a new semaphore set (through glibc: ipc(2) or
 * semtimedop_time64), the parent in waitpid (7) for it; prints "PARENT CHILD SEMID" first (the caller
 * removes the set).
 *   cc -m32 -D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64 -O2 -Wall -o ipc32 Tests/Fixtures/ipc32.c */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int hang(void) {
    int set = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    if (set < 0) return 1;
    pid_t child = fork();
    if (child == 0) {
        struct sembuf down = {0, -1, 0};
        _exit(semop(set, &down, 1) == 0 ? 0 : 1); /* never: nobody raises it */
    }
    printf("%d %d %d\n", getpid(), child, set);
    fflush(stdout);
    return syscall(7 /* waitpid */, child, NULL, 0) == child ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "hang")) return hang();
    int fds[2];
    if (pipe(fds) != 0) return 1;
    char name[64];
    snprintf(name, sizeof name, "/ipcwatch-fixture-%d", getpid());
    struct mq_attr attr = {0, 4, 32, 0};
    mqd_t q = mq_open(name, O_CREAT | O_RDWR | O_NONBLOCK, 0600, &attr);
    if (q == (mqd_t)-1) return 1;
    struct timespec later = {4000000000LL, 5}; /* past 2038: glibc needs the _time64 entries for it */
    mq_timedsend(q, "via glibc", 9, 3, &later);
    syscall(279, q, "old entry", 9, 4, NULL);
    char buffer[32];
    unsigned priority;
    mq_timedreceive(q, buffer, sizeof buffer, &priority, &later);
    syscall(280, q, buffer, sizeof buffer, &priority, NULL);
    mq_receive(q, buffer, sizeof buffer, &priority); /* EAGAIN */
    mq_close(q);
    mq_unlink(name);

    int m = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    struct { long mtype; char mtext[8]; } message = {5, "i386"};
    msgsnd(m, &message, 4, 0);
    msgrcv(m, &message, sizeof message.mtext, -5, IPC_NOWAIT);
    msgrcv(m, &message, sizeof message.mtext, -5, IPC_NOWAIT); /* ENOMSG */
    msgctl(m, IPC_RMID, NULL);
    int s = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    struct sembuf up = {0, 1, 0};
    semop(s, &up, 1);
    struct timespec soon = {0, 1000};
    struct sembuf down = {0, -2, IPC_NOWAIT};
    semtimedop(s, &down, 1, &soon); /* EAGAIN, through ipc(2) */
    struct timespec long_wait = {4000000000LL, 0};
    semtimedop(s, &down, 1, &long_wait); /* EAGAIN, through semtimedop_time64 */
    semctl(s, 0, IPC_RMID);
    int h = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    void *at = shmat(h, NULL, 0);
    shmdt(at);
    shmctl(h, IPC_RMID, NULL);

    int word = 0;
    syscall(240, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    struct timespec none = {0, 0}; /* 64-bit fields with _TIME_BITS=64 */
    syscall(SYS_futex_time64, &word, FUTEX_WAIT_PRIVATE, 1, &none, NULL, 0); /* EAGAIN: word is 0 */
    return 0;
}
