// Syscalls without libc, for code that runs in a clone(CLONE_VM) child: it shares the tracer's memory and
// its thread pointer, so it must not write errno, allocate, take a lock or bind a symbol lazily.
#ifndef IPCW_RAW_SYSCALL_H
#define IPCW_RAW_SYSCALL_H

#if !defined(__x86_64__)
#error "raw_syscall is written for x86_64, the only architecture ipcwatch runs on"
#endif

// The functions such a child runs: no sanitizer hooks either (they keep per-thread state: the tracer's).
#if defined(__has_attribute) && __has_attribute(disable_sanitizer_instrumentation)
#define IPCW_CHILD __attribute__((disable_sanitizer_instrumentation))
#else
#define IPCW_CHILD
#endif

// The result, or -errno. All six argument registers are set, zero where the caller gives fewer: the kernel
// reads every register a syscall takes, and some check the ones they do not use (prctl(PR_SET_NO_NEW_PRIVS)
// fails with EINVAL unless arguments 3-5 are 0), so a register left as the caller's code had it is a bug that
// shows only in some builds.
IPCW_CHILD static inline long raw_syscall6(long number, long a, long b, long c, long d, long e, long f) {
    long result;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return result;
}

// raw_syscall(SYS_x, args...) with 0 to 6 arguments; the missing ones are passed as 0.
#define IPCW_RAW_SYSCALL_PICK(n, a, b, c, d, e, f, ...) \
    raw_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#define raw_syscall(...) IPCW_RAW_SYSCALL_PICK(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)

#endif
