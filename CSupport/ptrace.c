// Fixed-arity wrappers for ptrace(2) and process_vm_readv(2), which Swift cannot call directly.
#define _GNU_SOURCE
#include "CSupport.h"

#include <errno.h>
#include <linux/ptrace.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

long ipcw_ptrace(int request, pid_t pid, uintptr_t addr, uintptr_t data) {
    // The raw syscall: glibc's wrapper changes the meaning of PEEK* requests.
    return syscall(SYS_ptrace, (long)request, (long)pid, addr, data);
}

int ipcw_get_syscall_info(pid_t tid, ipcw_syscall_info *info) {
    struct ptrace_syscall_info raw;
    memset(&raw, 0, sizeof raw);
    if (syscall(SYS_ptrace, (long)PTRACE_GET_SYSCALL_INFO, (long)tid, (unsigned long)sizeof raw, &raw) < 0)
        return -1;
    info->op = raw.op;
    info->arch = raw.arch;
    info->is_error = 0;
    info->rval = 0;
    info->nr = 0;
    memset(info->args, 0, sizeof info->args);
    switch (raw.op) {
    case PTRACE_SYSCALL_INFO_ENTRY:
        info->nr = raw.entry.nr;
        memcpy(info->args, raw.entry.args, sizeof info->args);
        break;
    case PTRACE_SYSCALL_INFO_SECCOMP:
        info->nr = raw.seccomp.nr;
        memcpy(info->args, raw.seccomp.args, sizeof info->args);
        break;
    case PTRACE_SYSCALL_INFO_EXIT:
        info->rval = raw.exit.rval;
        info->is_error = raw.exit.is_error;
        break;
    }
    return 0;
}

ssize_t ipcw_read_memory(pid_t tid, uint64_t address, void *buffer, size_t length) {
    struct iovec local = {buffer, length};
    struct iovec remote = {(void *)(uintptr_t)address, length};
    return process_vm_readv(tid, &local, 1, &remote, 1, 0);
}

int ipcw_get_siginfo(pid_t tid, ipcw_siginfo *info) {
    siginfo_t raw;
    memset(&raw, 0, sizeof raw);
    if (syscall(SYS_ptrace, (long)PTRACE_GETSIGINFO, (long)tid, 0L, &raw) < 0)
        return -1;
    memset(info, 0, sizeof *info);
    info->signo = raw.si_signo;
    info->errno_value = raw.si_errno;
    info->code = raw.si_code;
    info->pid = raw.si_pid;
    info->uid = raw.si_uid;
    info->status = raw.si_status;
    info->utime = raw.si_utime;
    info->stime = raw.si_stime;
    info->addr = (uint64_t)(uintptr_t)raw.si_addr;
    info->int_value = raw.si_int;
    info->ptr = (uint64_t)(uintptr_t)raw.si_ptr;
    info->band = raw.si_band;
    info->fd = raw.si_fd;
    info->timerid = raw.si_timerid;
    info->overrun = raw.si_overrun;
    info->call_addr = (uint64_t)(uintptr_t)raw.si_call_addr;
    info->syscall = raw.si_syscall;
    info->arch = raw.si_arch;
    return 0;
}
