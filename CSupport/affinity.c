// CPU affinity behind a plain function: Swift cannot use the CPU_* macros.
#define _GNU_SOURCE
#include "CSupport.h"

#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

int ipcw_pin_to_current_cpu(void) {
    int cpu = sched_getcpu();
    if (cpu < 0)
        return -errno;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? cpu : -errno;
}

int ipcw_allowed_cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return -errno;
    return CPU_COUNT(&set);
}

pid_t ipcw_gettid(void) { return (pid_t)syscall(SYS_gettid); }
