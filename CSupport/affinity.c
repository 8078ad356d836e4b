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

pid_t ipcw_gettid(void) { return (pid_t)syscall(SYS_gettid); }
