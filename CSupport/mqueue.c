// Whether a POSIX message queue still exists, without /dev/mqueue mounted: mq_open(3) is variadic, which
// Swift cannot call, so the raw syscall is made here. What the answer means is Swift's.
#include "CSupport.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

int ipcw_mq_open_readonly(const char *name) {
    long fd = syscall(SYS_mq_open, name, O_RDONLY | O_CLOEXEC, 0, NULL);
    return fd < 0 ? -errno : (int)fd;
}
