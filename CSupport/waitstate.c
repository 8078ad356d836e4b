// The state of what a blocked thread waits on, for the wait-for report: wrappers of variadic calls only.
#define _GNU_SOURCE
#include "CSupport.h"

#include <fcntl.h>
#include <mqueue.h>
#include <sys/ioctl.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <unistd.h>

int ipcw_pidfd_getfd(int pidfd, int fd) { return (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0); }

int ipcw_semctl(int id, int number, int command) { return semctl(id, number, command); }

int ipcw_pipe_fill(int fd, int *unread, int *capacity) {
    if (ioctl(fd, FIONREAD, unread) != 0)
        return -1;
    int size = fcntl(fd, F_GETPIPE_SZ);
    if (size < 0)
        return -1;
    *capacity = size;
    return 0;
}

int ipcw_mq_counts(int fd, long *messages, long *capacity) {
    struct mq_attr attributes;
    if (syscall(SYS_mq_getsetattr, fd, NULL, &attributes) != 0)
        return -1;
    *messages = attributes.mq_curmsgs;
    *capacity = attributes.mq_maxmsg;
    return 0;
}
