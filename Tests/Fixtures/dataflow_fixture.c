/* Ground truth for --data-flow: moves known bytes through pipes and logs each successful transfer as
 *   "<pid> <inode> <read|write> <fd> <bytes>"      (the inode from fstat of the fd)
 * to the file named by env DATAFLOW_LOG (appended with write(2): calls on a regular file, never counted).
 *
 *   dataflow_fixture calls    write, writev, vmsplice (into a pipe), splice pipe->pipe, tee pipe->pipe,
 *                             sendfile file->pipe, read, readv, preadv2(-1), vmsplice (out of a pipe);
 *                             also writes to /dev/null and reads a regular file (not pipes: not counted)
 *   dataflow_fixture fork N   a child writes N bytes in 1000-byte writes, the parent reads to EOF
 *   dataflow_fixture i386     pipe(42), write(4) and read(3) through int $0x80 from this 64-bit binary
 *   dataflow_fixture wait     prints its pid, waits for a line on stdin, then runs "calls"
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static int logfd = -1;

static void logged(const char *end, int fd, long bytes) {
    if (bytes <= 0) { fprintf(stderr, "transfer on fd %d failed: %ld\n", fd, bytes); exit(1); }
    struct stat st;
    if (fstat(fd, &st) != 0) exit(1);
    char line[128];
    int n = snprintf(line, sizeof line, "%d %lu %s %d %ld\n", getpid(), (unsigned long)st.st_ino, end, fd, bytes);
    if (logfd >= 0 && write(logfd, line, n) != n) exit(1);
}

static int calls(void) {
    int a[2], b[2], c[2];
    if (pipe(a) || pipe(b) || pipe(c)) return 1;
    char data[4096];
    memset(data, 'x', sizeof data);
    logged("write", a[1], write(a[1], data, 1000));
    struct iovec two[2] = {{data, 300}, {data, 200}};
    logged("write", a[1], writev(a[1], two, 2));
    struct iovec one = {data, 700};
    logged("write", a[1], vmsplice(a[1], &one, 1, 0));
    long moved = splice(a[0], NULL, b[1], NULL, 2200, 0);     /* a's read end and b's write end */
    logged("read", a[0], moved);
    logged("write", b[1], moved);
    long copied = tee(b[0], c[1], 1500, 0);                   /* b's read end and c's write end */
    logged("read", b[0], copied);
    logged("write", c[1], copied);
    char path[] = "/tmp/dataflow-XXXXXX";
    int file = mkstemp(path);
    if (file < 0 || write(file, data, 4096) != 4096) return 1;
    unlink(path);
    off_t offset = 0;
    logged("write", c[1], sendfile(c[1], file, &offset, 900));  /* a file into a pipe: the pipe's side */
    logged("read", b[0], read(b[0], data, 1200));
    struct iovec back[2] = {{data, 500}, {data + 500, 3000}};
    logged("read", b[0], readv(b[0], back, 2));
    struct iovec small = {data, 100};
    logged("read", c[0], preadv2(c[0], &small, 1, -1, 0));
    struct iovec out = {data, 2000};
    logged("read", c[0], vmsplice(c[0], &out, 1, 0));        /* a read end: out of the pipe */
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    for (int i = 0; i < 10; i++) if (write(null, data, 100) != 100) return 1;
    if (pread(file, data, 100, 0) != 100 || lseek(file, 0, SEEK_SET) != 0 || read(file, data, 4096) != 4096) return 1;
    return 0;
}

static int forked(long total) {
    int p[2];
    if (pipe(p)) return 1;
    pid_t child = fork();
    char data[1000];
    memset(data, 'y', sizeof data);
    if (child == 0) {
        close(p[0]);
        for (long left = total; left > 0;) {
            long n = write(p[1], data, left < 1000 ? left : 1000);
            logged("write", p[1], n);
            left -= n;
        }
        _exit(0);
    }
    close(p[1]);
    long n, got = 0;
    while ((n = read(p[0], data, sizeof data)) > 0) { logged("read", p[0], n); got += n; }
    int status;
    waitpid(child, &status, 0);
    return got == total && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static long int80(long nr, long a, long b, long c) {
    long rc;
    __asm__ volatile("int $0x80" : "=a"(rc) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return rc;
}

static int i386_calls(void) {
    char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) return 1;
    int *fds = (int *)low;
    if (int80(42 /* pipe */, (long)(uintptr_t)fds, 0, 0) != 0) return 1;
    memset(low + 64, 'z', 1000);
    logged("write", fds[1], int80(4 /* write */, fds[1], (long)(uintptr_t)(low + 64), 777));
    logged("read", fds[0], int80(3 /* read */, fds[0], (long)(uintptr_t)(low + 64), 1000));
    return 0;
}

int main(int argc, char **argv) {
    const char *path = getenv("DATAFLOW_LOG");
    if (path && (logfd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666)) < 0) { perror(path); return 2; }
    if (argc == 2 && !strcmp(argv[1], "calls")) return calls();
    if (argc == 3 && !strcmp(argv[1], "fork")) return forked(atol(argv[2]));
    if (argc == 2 && !strcmp(argv[1], "i386")) return i386_calls();
    if (argc == 2 && !strcmp(argv[1], "wait")) {
        printf("%d\n", getpid());
        fflush(stdout);
        char line[16];
        if (!fgets(line, sizeof line, stdin)) return 1;
        return calls();
    }
    fprintf(stderr, "usage: dataflow_fixture calls | fork N | i386 | wait\n");
    return 2;
}
