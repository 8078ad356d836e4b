// The UTS name (hostname) of another process: only a task inside its UTS namespace can read it, so a
// short-lived child joins the namespace (and first the user namespace that owns it, which an
// unprivileged caller may join when it owns that namespace) and reports uname()'s nodename.
#define _GNU_SOURCE
#include "CSupport.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

int ipcw_uts_name_of(pid_t pid, char *name, size_t length) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/uts", (int)pid);
    int uts = open(path, O_RDONLY | O_CLOEXEC);
    if (uts < 0)
        return -errno;
    snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
    int user = open(path, O_RDONLY | O_CLOEXEC);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        int error = errno;
        close(uts);
        if (user >= 0) close(user);
        return -error;
    }
    // A plain fork: setns(CLONE_NEWUSER) refuses a caller that shares its memory. The child makes only
    // async-signal-safe calls.
    pid_t child = fork();
    if (child == 0) {
        if (user >= 0) (void)setns(user, CLONE_NEWUSER);  // fails harmlessly when it is ours already
        struct utsname uname_buf;
        if (setns(uts, CLONE_NEWUTS) < 0 || uname(&uname_buf) < 0)
            _exit(1);
        ssize_t written = write(fds[1], uname_buf.nodename, strnlen(uname_buf.nodename, sizeof uname_buf.nodename));
        _exit(written < 0 ? 1 : 0);
    }
    int error = child < 0 ? errno : 0;
    close(fds[1]);
    close(uts);
    if (user >= 0) close(user);
    ssize_t n = 0;
    if (child > 0) {
        size_t total = 0;
        while (total + 1 < length) {
            n = read(fds[0], name + total, length - 1 - total);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            total += (size_t)n;
        }
        name[total] = 0;
        int status = 0;
        while (waitpid(child, &status, __WALL) < 0 && errno == EINTR) {}
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            error = EPERM;
    }
    close(fds[0]);
    return -error;
}
