/*
 * sizeof and offsetof of the *ctl structures as the C compilers see them, the data of
 * Tests/IPCWatchTests/ControlLayoutTests.swift. Not built by the tests; regenerate with
 *
 *   cc ctl_layouts.c -o probe && ./probe                  x86_64
 *   cc -m32 ctl_layouts.c -o probe && ./probe             i386 (gcc-multilib)
 *   cc -mx32 -S -DASM_PROBE ctl_layouts.c -o - | sed -n 's/^\s*#PROBE//p' | tr -d '\n' | tr '|' '\n'
 *                                                         x32, read from the assembly (this kernel cannot run x32)
 *
 * The kernel's uapi headers for -m32 declare what the kernel writes for a 32-bit caller
 * (compat_ipc64_perm, compat_*64_ds); <sys/msg.h>, <sys/sem.h>, <sys/shm.h> give glibc's msginfo,
 * seminfo, shminfo and shm_info, which the kernel's structures match.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <asm/ipcbuf.h>
#include <asm/msgbuf.h>
#include <asm/sembuf.h>
#include <asm/shmbuf.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#undef msg_cbytes /* glibc's name for its own __msg_cbytes */

/* A structure's line: "name sizeof member=offset ...", a member under another name with FN. */
#ifdef ASM_PROBE
/* One assembler comment a piece, "|" for the newline that starts a structure's line. */
#define S(type) __asm__ volatile("#PROBE|" #type " %c0" :: "i"(sizeof(struct type)));
#define FN(type, field, name) __asm__ volatile("#PROBE " name "=%c0" :: "i"(offsetof(struct type, field)));
#else
#define S(type) printf("\n%s %zu", #type, sizeof(struct type));
#define FN(type, field, name) printf(" %s=%zu", name, offsetof(struct type, field));
#endif
#define F(type, field) FN(type, field, #field)

int main(void) {
    S(ipc64_perm) F(ipc64_perm, key) F(ipc64_perm, uid) F(ipc64_perm, gid) F(ipc64_perm, cuid) F(ipc64_perm, cgid)
        F(ipc64_perm, mode)
#ifdef __i386__
        F(ipc64_perm, __pad1) /* a zero-length array where mode has 32 bits */
#endif
        F(ipc64_perm, seq) F(ipc64_perm, __pad2) F(ipc64_perm, __unused1) F(ipc64_perm, __unused2)

    S(msqid64_ds) F(msqid64_ds, msg_perm)
#ifdef __i386__
        F(msqid64_ds, msg_stime) F(msqid64_ds, msg_stime_high) F(msqid64_ds, msg_rtime) F(msqid64_ds, msg_rtime_high)
        F(msqid64_ds, msg_ctime) F(msqid64_ds, msg_ctime_high)
#else
        F(msqid64_ds, msg_stime) F(msqid64_ds, msg_rtime) F(msqid64_ds, msg_ctime)
#endif
        F(msqid64_ds, msg_cbytes) F(msqid64_ds, msg_qnum) F(msqid64_ds, msg_qbytes) F(msqid64_ds, msg_lspid)
        F(msqid64_ds, msg_lrpid) F(msqid64_ds, __unused4) F(msqid64_ds, __unused5)

    S(semid64_ds) F(semid64_ds, sem_perm)
#ifdef __i386__
        F(semid64_ds, sem_otime) F(semid64_ds, sem_otime_high) F(semid64_ds, sem_ctime) F(semid64_ds, sem_ctime_high)
#else
        F(semid64_ds, sem_otime) F(semid64_ds, __unused1) F(semid64_ds, sem_ctime) F(semid64_ds, __unused2)
#endif
        F(semid64_ds, sem_nsems) F(semid64_ds, __unused3) F(semid64_ds, __unused4)

    S(shmid64_ds) F(shmid64_ds, shm_perm) F(shmid64_ds, shm_segsz)
#ifdef __i386__
        F(shmid64_ds, shm_atime) F(shmid64_ds, shm_atime_high) F(shmid64_ds, shm_dtime) F(shmid64_ds, shm_dtime_high)
        F(shmid64_ds, shm_ctime) F(shmid64_ds, shm_ctime_high)
#else
        F(shmid64_ds, shm_atime) F(shmid64_ds, shm_dtime) F(shmid64_ds, shm_ctime)
#endif
        F(shmid64_ds, shm_cpid) F(shmid64_ds, shm_lpid) F(shmid64_ds, shm_nattch) F(shmid64_ds, __unused4)
        F(shmid64_ds, __unused5)

    S(shminfo64) F(shminfo64, shmmax) F(shminfo64, shmmin) F(shminfo64, shmmni) F(shminfo64, shmseg)
        F(shminfo64, shmall) F(shminfo64, __unused1) F(shminfo64, __unused2) F(shminfo64, __unused3)
        F(shminfo64, __unused4)

    S(msginfo) F(msginfo, msgpool) F(msginfo, msgmap) F(msginfo, msgmax) F(msginfo, msgmnb) F(msginfo, msgmni)
        F(msginfo, msgssz) F(msginfo, msgtql) F(msginfo, msgseg)

    S(seminfo) F(seminfo, semmap) F(seminfo, semmni) F(seminfo, semmns) F(seminfo, semmnu) F(seminfo, semmsl)
        F(seminfo, semopm) F(seminfo, semume) F(seminfo, semusz) F(seminfo, semvmx) F(seminfo, semaem)

    /* glibc's shminfo is the kernel's shminfo64, its unused words renamed. */
    S(shminfo) F(shminfo, shmmax) F(shminfo, shmmin) F(shminfo, shmmni) F(shminfo, shmseg) F(shminfo, shmall)
        FN(shminfo, __glibc_reserved1, "__unused1") FN(shminfo, __glibc_reserved2, "__unused2")
        FN(shminfo, __glibc_reserved3, "__unused3") FN(shminfo, __glibc_reserved4, "__unused4")

    S(shm_info) F(shm_info, used_ids) F(shm_info, shm_tot) F(shm_info, shm_rss) F(shm_info, shm_swp)
        F(shm_info, swap_attempts) F(shm_info, swap_successes)
#ifndef ASM_PROBE
    printf("\n");
#endif
    return 0;
}
