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

// The result, or -errno.
IPCW_CHILD static inline long raw_syscall(long number, long a, long b, long c, long d) {
    long result;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return result;
}

#endif
