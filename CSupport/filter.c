// libseccomp behind plain functions: Swift cannot import its function-like macros.
#include "CSupport.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <seccomp.h>

const uint32_t ipcw_scmp_arch_x86_64 = SCMP_ARCH_X86_64;
const uint32_t ipcw_scmp_arch_x86 = SCMP_ARCH_X86;
const uint32_t ipcw_scmp_arch_x32 = SCMP_ARCH_X32;

void *ipcw_filter_new(void) { return seccomp_init(SCMP_ACT_ALLOW); }

int ipcw_filter_add_arch(void *filter, uint32_t arch_token) { return seccomp_arch_add(filter, arch_token); }

int ipcw_filter_trace_syscall(void *filter, const char *name) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        return -EINVAL;
    // Not _exact: libseccomp translates the name to each architecture of the filter and skips
    // those that lack it (e.g. `ipc` exists on x86 only).
    return seccomp_rule_add(filter, SCMP_ACT_TRACE(0), nr, 0);
}

int ipcw_filter_export_bpf(void *filter, int fd) { return seccomp_export_bpf(filter, fd); }

int ipcw_filter_export_pfc(void *filter, int fd) { return seccomp_export_pfc(filter, fd); }

void ipcw_filter_release(void *filter) { seccomp_release(filter); }

int ipcw_syscall_name(uint32_t arch_token, int number, char *name, size_t size) {
    char *found = seccomp_syscall_resolve_num_arch(arch_token, number);
    if (!found)
        return -1;
    snprintf(name, size, "%s", found);
    free(found);
    return 0;
}
