/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seccomp: profiles in the docker/containerd JSON format turned into BPF
 * for the container's process.
 *
 *   default profile   a C table of containerd's and moby's RuntimeDefault
 *                     profile, rendered into the docker JSON format, so the
 *                     built-in profile and Localhost profile files take the
 *                     same road through the one translator
 *   profile_resolve   JSON -> struct sc_profile: every field checked (errors
 *                     name the JSON path), the includes/excludes conditions
 *                     (capabilities, architecture, minimum kernel) applied
 *                     for one capability set on this machine
 *   profile_to_bpf    struct sc_profile -> libseccomp -> exported BPF
 *   profile_to_oci    struct sc_profile -> the OCI runtime-spec
 *                     "linux.seccomp" object (for runc and crun in the bench)
 *   compile           RuntimeDefault/Localhost/Unconfined with a file cache
 *   install           seccomp(2) in the child
 *
 * Semantics follow moby's setupSeccomp (profiles/seccomp) and runc's
 * libcontainer/seccomp: an entry is skipped when any of its excludes.caps is
 * held, its excludes.arches names this architecture or the kernel is at
 * least excludes.minKernel; it is kept only when every includes.caps is
 * held, includes.arches names this architecture and the kernel is at least
 * includes.minKernel. Architectures are "architectures" or the archMap entry
 * of this machine's architecture with its sub-architectures. A syscall name
 * libseccomp does not know is skipped (runc does the same: the profile may be
 * newer than the library); a rule whose action equals the default action is
 * skipped as redundant; arguments that repeat an index become one rule per
 * argument (runc's "old behaviour", the only way to express an OR).
 *
 * Deliberate differences: "defaultAction" is required (moby treats a profile
 * without one and without syscalls as "no seccomp"; a Localhost file that
 * says nothing is more likely a mistake than a wish for no filter);
 * SCMP_ACT_NOTIFY is refused (there is no seccomp agent); the OCI "flags"
 * (SECCOMP_FILTER_FLAG_LOG, SPEC_ALLOW, ...) are ignored, since the filter is
 * exported and installed without flags. Numbers are JSON integers, so an
 * argument value above 2^63 - 1 cannot be written (the JSON decoder rejects
 * integers outside int64).
 *
 * Threads: everything but install may run on any thread; libseccomp keeps no
 * global state that the functions used here change.
 */
#include "container/ctr-internal.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "base/base.h"
#include "json/json.h"

/* Limits on a profile (Localhost files come from the node's admin, but are still bounded). */
#define PROFILE_MAX   ((size_t)1 << 20)
#define SYSCALLS_MAX  4096
#define ARGS_MAX      6     /* seccomp passes six arguments */
#define RULES_MAX     16384 /* names over all kept entries */
#define ARCHES_MAX    16
#define BPF_INSNS_MAX 4096 /* BPF_MAXINSNS: the kernel refuses longer programs */
#define CACHE_MAGIC   "KLSECBPF"
#define CACHE_HDR     16 /* magic, u32 count, u32 zero */
#define CACHE_DIGEST  32
#define CACHE_FORMAT  "kube-lite seccomp cache 1"

#define BIT(c) ((uint64_t)1 << (c))

/* ---- the RuntimeDefault profile, in our form ---- */

struct dflt_arg {
        unsigned index;
        uint64_t value, value_two;
        const char *op;
};

struct dflt_entry {
        const char *const *names;      /* NULL-terminated */
        const char *action;            /* NULL: SCMP_ACT_ALLOW */
        const char *const *inc_arches; /* NULL-terminated; GOARCH names */
        const char *const *exc_arches;
        const char *min_kernel; /* includes.minKernel */
        const char *comment;
        struct dflt_arg arg;         /* with has_arg */
        uint64_t inc_caps, exc_caps; /* capability bits */
        int errno_ret;               /* with action ERRNO; 0: the default */
        bool has_arg;
};

#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define CAP(c)     BIT(SC_CAP_##c)

/* The capability numbers the table uses (linux/capability.h, spelled out to keep includes small).
 */
enum {
        SC_CAP_DAC_READ_SEARCH = 2,
        SC_CAP_SYS_MODULE = 16,
        SC_CAP_SYS_RAWIO = 17,
        SC_CAP_SYS_CHROOT = 18,
        SC_CAP_SYS_PTRACE = 19,
        SC_CAP_SYS_PACCT = 20,
        SC_CAP_SYS_ADMIN = 21,
        SC_CAP_SYS_BOOT = 22,
        SC_CAP_SYS_NICE = 23,
        SC_CAP_SYS_TIME = 25,
        SC_CAP_SYS_TTY_CONFIG = 26,
        SC_CAP_SYSLOG = 34,
        SC_CAP_PERFMON = 38,
        SC_CAP_BPF = 39,
};

/* CLONE_NEWNS | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWCGROUP */
#define CLONE_NS_FLAGS 0x7e020000ULL
#define AF_VSOCK_NR    40

/*
 * moby's profiles/seccomp/default.json (the profile containerd 1.7 builds in
 * contrib/seccomp/seccomp_default.go, plus the AF_VSOCK socket rule), entry
 * for entry, in the same order.
 */
static const struct dflt_entry default_entries[] = {
        {
                .names = NAMES(
                        "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget",
                        "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime",
                        "clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime",
                        "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close",
                        "close_range", "connect", "copy_file_range", "creat", "dup", "dup2", "dup3",
                        "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old",
                        "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd",
                        "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat",
                        "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark",
                        "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl",
                        "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork",
                        "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs",
                        "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_time64",
                        "futex_waitv", "futimesat", "getcpu", "getcwd", "getdents", "getdents64",
                        "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
                        "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid",
                        "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid",
                        "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list",
                        "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area",
                        "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
                        "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
                        "io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents",
                        "io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup", "io_submit",
                        "io_uring_enter", "io_uring_register", "io_uring_setup", "ipc", "kill",
                        "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
                        "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr",
                        "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat",
                        "lstat64", "madvise", "membarrier", "memfd_create", "memfd_secret",
                        "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2",
                        "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify",
                        "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
                        "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv",
                        "msgsnd", "msync", "munlock", "munlockall", "munmap", "name_to_handle_at",
                        "nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2",
                        "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc",
                        "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl",
                        "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6",
                        "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead",
                        "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
                        "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename",
                        "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction",
                        "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
                        "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
                        "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam",
                        "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
                        "sched_rr_get_interval", "sched_rr_get_interval_time64",
                        "sched_setaffinity", "sched_setattr", "sched_setparam",
                        "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl",
                        "semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile",
                        "sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32",
                        "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32",
                        "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
                        "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid",
                        "setreuid32", "setrlimit", "set_robust_list", "setsid", "setsockopt",
                        "set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr",
                        "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd",
                        "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair",
                        "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink",
                        "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee",
                        "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
                        "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
                        "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
                        "timerfd_settime64", "times", "tkill", "truncate", "truncate64",
                        "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat",
                        "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid",
                        "waitpid", "write", "writev"),
        },
        { .names = NAMES("process_vm_readv", "process_vm_writev", "ptrace"), .min_kernel = "4.8" },
        {
                .names = NAMES("socket"),
                .arg = { 0, AF_VSOCK_NR, 0, "SCMP_CMP_NE" },
                .has_arg = true,
                .comment = "vsock sockets reach the host",
        },
        { .names = NAMES("personality"), .arg = { 0, 0x0, 0, "SCMP_CMP_EQ" }, .has_arg = true },
        { .names = NAMES("personality"), .arg = { 0, 0x8, 0, "SCMP_CMP_EQ" }, .has_arg = true },
        { .names = NAMES("personality"), .arg = { 0, 0x20000, 0, "SCMP_CMP_EQ" }, .has_arg = true },
        { .names = NAMES("personality"), .arg = { 0, 0x20008, 0, "SCMP_CMP_EQ" }, .has_arg = true },
        {
                .names = NAMES("personality"),
                .arg = { 0, 0xffffffffULL, 0, "SCMP_CMP_EQ" },
                .has_arg = true,
        },
        { .names = NAMES("sync_file_range2", "swapcontext"), .inc_arches = NAMES("ppc64le") },
        {
                .names = NAMES("arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2",
                               "breakpoint", "cacheflush", "set_tls"),
                .inc_arches = NAMES("arm", "arm64"),
        },
        { .names = NAMES("arch_prctl"), .inc_arches = NAMES("amd64", "x32") },
        { .names = NAMES("modify_ldt"), .inc_arches = NAMES("amd64", "x32", "x86") },
        {
                .names = NAMES("s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"),
                .inc_arches = NAMES("s390", "s390x"),
        },
        { .names = NAMES("riscv_flush_icache"), .inc_arches = NAMES("riscv64") },
        { .names = NAMES("open_by_handle_at"), .inc_caps = CAP(DAC_READ_SEARCH) },
        {
                .names = NAMES("bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount",
                               "fsopen", "fspick", "lookup_dcookie", "mount", "mount_setattr",
                               "move_mount", "open_tree", "perf_event_open", "quotactl",
                               "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog",
                               "umount", "umount2", "unshare"),
                .inc_caps = CAP(SYS_ADMIN),
        },
        {
                .names = NAMES("clone"),
                .arg = { 0, CLONE_NS_FLAGS, 0, "SCMP_CMP_MASKED_EQ" },
                .has_arg = true,
                .exc_caps = CAP(SYS_ADMIN),
                .exc_arches = NAMES("s390", "s390x"),
                .comment = "no new namespaces without CAP_SYS_ADMIN",
        },
        {
                .names = NAMES("clone"),
                .arg = { 1, CLONE_NS_FLAGS, 0, "SCMP_CMP_MASKED_EQ" },
                .has_arg = true,
                .inc_arches = NAMES("s390", "s390x"),
                .exc_caps = CAP(SYS_ADMIN),
                .comment = "s390 parameter ordering for clone is different",
        },
        {
                .names = NAMES("clone3"),
                .action = "SCMP_ACT_ERRNO",
                .errno_ret = ENOSYS,
                .exc_caps = CAP(SYS_ADMIN),
                .comment = "ENOSYS, not EPERM, so that libc falls back to clone",
        },
        { .names = NAMES("reboot"), .inc_caps = CAP(SYS_BOOT) },
        { .names = NAMES("chroot"), .inc_caps = CAP(SYS_CHROOT) },
        {
                .names = NAMES("delete_module", "init_module", "finit_module"),
                .inc_caps = CAP(SYS_MODULE),
        },
        { .names = NAMES("acct"), .inc_caps = CAP(SYS_PACCT) },
        {
                .names = NAMES("kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
                               "process_vm_writev", "ptrace"),
                .inc_caps = CAP(SYS_PTRACE),
        },
        { .names = NAMES("iopl", "ioperm"), .inc_caps = CAP(SYS_RAWIO) },
        {
                .names = NAMES("settimeofday", "stime", "clock_settime", "clock_settime64"),
                .inc_caps = CAP(SYS_TIME),
        },
        { .names = NAMES("vhangup"), .inc_caps = CAP(SYS_TTY_CONFIG) },
        {
                .names =
                        NAMES("get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"),
                .inc_caps = CAP(SYS_NICE),
        },
        { .names = NAMES("syslog"), .inc_caps = CAP(SYSLOG) },
        { .names = NAMES("bpf"), .inc_caps = CAP(BPF) },
        { .names = NAMES("perf_event_open"), .inc_caps = CAP(PERFMON) },
};

/* moby's archMap: each architecture with the ones its kernel also runs. */
static const struct {
        const char *arch;
        const char *const *sub;
} default_arch_map[] = {
        { "SCMP_ARCH_X86_64", NAMES("SCMP_ARCH_X86", "SCMP_ARCH_X32") },
        { "SCMP_ARCH_AARCH64", NAMES("SCMP_ARCH_ARM") },
        { "SCMP_ARCH_MIPS64", NAMES("SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32") },
        { "SCMP_ARCH_MIPS64N32", NAMES("SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64") },
        { "SCMP_ARCH_MIPSEL64", NAMES("SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32") },
        { "SCMP_ARCH_MIPSEL64N32", NAMES("SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64") },
        { "SCMP_ARCH_S390X", NAMES("SCMP_ARCH_S390") },
        { "SCMP_ARCH_RISCV64", NULL },
};

static json_t *strv_json(const char *const *v)
{
        json_t *a = json_array();

        for (size_t i = 0; v && v[i]; i++)
                kl_assert(json_array_append_new(a, json_string(v[i])) == 0);
        return a;
}

static json_t *caps_json(uint64_t caps)
{
        json_t *a = json_array();

        for (int c = 0; c < 64; c++)
                if (caps & BIT(c))
                        kl_assert(json_array_append_new(
                                          a, json_string(kl_container__cap_name(c))) == 0);
        return a;
}

static json_t *cond_json(uint64_t caps, const char *const *arches, const char *min_kernel)
{
        json_t *o = json_object();

        if (caps)
                kl_assert(json_object_set_new(o, "caps", caps_json(caps)) == 0);
        if (arches)
                kl_assert(json_object_set_new(o, "arches", strv_json(arches)) == 0);
        if (min_kernel)
                kl_assert(json_object_set_new(o, "minKernel", json_string(min_kernel)) == 0);
        return o;
}

/* The built-in profile as docker JSON text (deterministic; owned by the caller). */
static char *default_profile_text(size_t *ret_len)
{
        json_auto_t *root = json_object();
        json_t *map = json_array(), *calls = json_array();
        struct kl_buf out = KL_BUF_INIT;

        kl_assert(json_object_set_new(root, "defaultAction", json_string("SCMP_ACT_ERRNO")) == 0);
        kl_assert(json_object_set_new(root, "defaultErrnoRet", json_integer(EPERM)) == 0);
        for (size_t i = 0; i < KL_ARRAY_SIZE(default_arch_map); i++) {
                json_t *m = json_object();

                kl_assert(json_object_set_new(m, "architecture",
                                              json_string(default_arch_map[i].arch)) == 0);
                kl_assert(json_object_set_new(m, "subArchitectures",
                                              default_arch_map[i].sub
                                                      ? strv_json(default_arch_map[i].sub)
                                                      : json_null()) == 0);
                kl_assert(json_array_append_new(map, m) == 0);
        }
        kl_assert(json_object_set_new(root, "archMap", map) == 0);
        for (size_t i = 0; i < KL_ARRAY_SIZE(default_entries); i++) {
                const struct dflt_entry *d = &default_entries[i];
                json_t *e = json_object();

                kl_assert(json_object_set_new(e, "names", strv_json(d->names)) == 0);
                kl_assert(json_object_set_new(
                                  e, "action",
                                  json_string(d->action ? d->action : "SCMP_ACT_ALLOW")) == 0);
                if (d->errno_ret)
                        kl_assert(json_object_set_new(e, "errnoRet", json_integer(d->errno_ret)) ==
                                  0);
                if (d->has_arg) {
                        json_t *a = json_object(), *args = json_array();

                        kl_assert(json_object_set_new(a, "index", json_integer(d->arg.index)) == 0);
                        kl_assert(json_object_set_new(a, "value",
                                                      json_integer((json_int_t)d->arg.value)) == 0);
                        kl_assert(json_object_set_new(a, "valueTwo",
                                                      json_integer((json_int_t)d->arg.value_two)) ==
                                  0);
                        kl_assert(json_object_set_new(a, "op", json_string(d->arg.op)) == 0);
                        kl_assert(json_array_append_new(args, a) == 0);
                        kl_assert(json_object_set_new(e, "args", args) == 0);
                }
                if (d->comment)
                        kl_assert(json_object_set_new(e, "comment", json_string(d->comment)) == 0);
                if (d->inc_caps || d->inc_arches || d->min_kernel)
                        kl_assert(json_object_set_new(e, "includes",
                                                      cond_json(d->inc_caps, d->inc_arches,
                                                                d->min_kernel)) == 0);
                if (d->exc_caps || d->exc_arches)
                        kl_assert(json_object_set_new(
                                          e, "excludes",
                                          cond_json(d->exc_caps, d->exc_arches, NULL)) == 0);
                kl_assert(json_array_append_new(calls, e) == 0);
        }
        kl_assert(json_object_set_new(root, "syscalls", calls) == 0);
        kl_assert(kl_json_encode(root, 0, &out, NULL) == 0);
        return kl_buf_detach(&out, ret_len);
}

/* ---- this machine ---- */

struct sc_arch {
        uint32_t token;     /* SCMP_ARCH_* */
        const char *scmp;   /* "SCMP_ARCH_X86_64", as profiles name it */
        const char *goarch; /* "amd64", as includes/excludes.arches name it (moby's goToNative) */
};

static const struct sc_arch sc_arches[] = {
        { SCMP_ARCH_X86_64, "SCMP_ARCH_X86_64", "amd64" },
        { SCMP_ARCH_X86, "SCMP_ARCH_X86", "x86" },
        { SCMP_ARCH_X32, "SCMP_ARCH_X32", "x32" },
        { SCMP_ARCH_AARCH64, "SCMP_ARCH_AARCH64", "arm64" },
        { SCMP_ARCH_ARM, "SCMP_ARCH_ARM", "arm" },
        { SCMP_ARCH_PPC64LE, "SCMP_ARCH_PPC64LE", "ppc64le" },
        { SCMP_ARCH_PPC64, "SCMP_ARCH_PPC64", "ppc64" },
        { SCMP_ARCH_S390X, "SCMP_ARCH_S390X", "s390x" },
        { SCMP_ARCH_S390, "SCMP_ARCH_S390", "s390" },
        { SCMP_ARCH_RISCV64, "SCMP_ARCH_RISCV64", "riscv64" },
        { SCMP_ARCH_MIPS64, "SCMP_ARCH_MIPS64", "mips64" },
        { SCMP_ARCH_MIPS64N32, "SCMP_ARCH_MIPS64N32", "mips64n32" },
        { SCMP_ARCH_MIPSEL64, "SCMP_ARCH_MIPSEL64", "mipsel64" },
        { SCMP_ARCH_MIPSEL64N32, "SCMP_ARCH_MIPSEL64N32", "mipsel64n32" },
        { SCMP_ARCH_MIPS, "SCMP_ARCH_MIPS", "mips" },
        { SCMP_ARCH_MIPSEL, "SCMP_ARCH_MIPSEL", "mipsel" },
};

static const struct sc_arch *arch_native(void)
{
        uint32_t native = seccomp_arch_native();

        for (size_t i = 0; i < KL_ARRAY_SIZE(sc_arches); i++)
                if (sc_arches[i].token == native)
                        return &sc_arches[i];
        return NULL;
}

static const struct sc_arch *arch_by_name(const char *scmp)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(sc_arches); i++)
                if (kl_streq(sc_arches[i].scmp, scmp))
                        return &sc_arches[i];
        return NULL;
}

/* "6.18.44-foo" -> 6, 18, 44; at least "major.minor". Versions compare as one number. */
static int kernel_version_parse(const char *s, uint64_t *ret)
{
        unsigned part[3] = { 0, 0, 0 };
        size_t n = 0;

        while (n < 3) {
                unsigned v = 0;
                size_t digits = 0;

                while (*s >= '0' && *s <= '9') {
                        if (++digits > 6)
                                return -EINVAL;
                        v = v * 10 + (unsigned)(*s++ - '0');
                }
                if (digits == 0)
                        return -EINVAL;
                part[n++] = v;
                if (*s != '.')
                        break;
                s++;
        }
        if (n < 2)
                return -EINVAL;
        *ret = ((uint64_t)part[0] << 40) | ((uint64_t)part[1] << 20) | part[2];
        return 0;
}

/* The running kernel's version; 0 when uname's release does not parse (no minKernel then holds). */
static uint64_t kernel_version(void)
{
        struct utsname u;
        uint64_t v;

        if (uname(&u) < 0 || kernel_version_parse(u.release, &v) < 0)
                return 0;
        return v;
}

/* ---- profile_resolve: JSON -> the rules that apply here ---- */

struct sc_arg {
        unsigned index;
        uint64_t value, value_two;
        enum scmp_compare op;
        const char *op_name; /* borrowed from the JSON root */
};

struct sc_rule {
        const char **names; /* owned array; strings borrowed from the JSON root */
        size_t n_names;
        uint32_t action;
        const char *action_name; /* borrowed */
        bool has_errno;
        unsigned errno_ret;
        struct sc_arg args[ARGS_MAX];
        size_t n_args;
};

struct sc_profile {
        json_t *root; /* ref */
        uint32_t default_action;
        const char *default_name; /* borrowed */
        bool has_default_errno;
        unsigned default_errno;
        const struct sc_arch *arches[ARCHES_MAX];
        size_t n_arches;
        struct sc_rule *rules; /* owned */
        size_t n_rules, n_names;
};

static void profile_release(struct sc_profile *p)
{
        for (size_t i = 0; i < p->n_rules; i++)
                free(p->rules[i].names);
        free(p->rules);
        json_decref(p->root);
        *p = (struct sc_profile){ 0 };
}

static const struct {
        const char *name;
        uint32_t action;
        bool takes_errno; /* errnoRet sets its data; EPERM when absent */
} sc_actions[] = {
        { "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false },
        { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
        { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
        { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
        { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true },
        { "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true },
        { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
        { "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
};

static const struct {
        const char *name;
        enum scmp_compare op;
} sc_ops[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE },
        { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE },
        { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE },
        { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* What the conditions are evaluated against. */
struct sc_env {
        uint64_t caps;
        const struct sc_arch *native;
        uint64_t kernel;
};

/* Errors name the JSON path; `path` is "syscalls[3].args[0]" style, without the leading dot. */
static int bad(struct kl_err **err, const char *path, const char *key, const char *what)
{
        return kl_err_set_msg(err, -EINVAL, "'.%s%s%s': %s", path, *path && key ? "." : "",
                              key ? key : "", what);
}

static int bad_type(struct kl_err **err, const char *path, const char *key, const char *want,
                    const json_t *got)
{
        char what[64];

        (void)snprintf(what, sizeof(what), "expected %s, got %s", want, kl_json_type_name(got));
        return bad(err, path, key, what);
}

/* A member that is absent or null: NULL (Go leaves the field unset). */
static json_t *member(const json_t *o, const char *key)
{
        json_t *v = json_object_get(o, key);

        return json_is_null(v) ? NULL : v;
}

static int get_uint(const json_t *o, const char *path, const char *key, uint64_t max,
                    bool *ret_present, uint64_t *ret, struct kl_err **err)
{
        json_t *v = member(o, key);
        char what[64];

        if (ret_present)
                *ret_present = v != NULL;
        if (!v) {
                *ret = 0;
                return 0;
        }
        if (!json_is_integer(v))
                return bad_type(err, path, key, "integer", v);
        if (json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max) {
                (void)snprintf(what, sizeof(what), "%lld is out of range 0-%llu",
                               (long long)json_integer_value(v), (unsigned long long)max);
                return bad(err, path, key, what);
        }
        *ret = (uint64_t)json_integer_value(v);
        return 0;
}

static int get_str(const json_t *o, const char *path, const char *key, const char **ret,
                   struct kl_err **err)
{
        json_t *v = member(o, key);

        if (!v) {
                *ret = NULL;
                return 0;
        }
        if (!json_is_string(v))
                return bad_type(err, path, key, "string", v);
        *ret = json_string_value(v);
        return 0;
}

/* An array of strings (absent: *ret NULL); each element checked. */
static int get_strv(const json_t *o, const char *path, const char *key, json_t **ret,
                    struct kl_err **err)
{
        json_t *v = member(o, key);
        size_t i;
        json_t *s;

        *ret = NULL;
        if (!v)
                return 0;
        if (!json_is_array(v))
                return bad_type(err, path, key, "array", v);
        json_array_foreach(v, i, s) {
                if (!json_is_string(s)) {
                        char sub[64];

                        (void)snprintf(sub, sizeof(sub), "%s[%zu]", key, i);
                        return bad_type(err, path, sub, "string", s);
                }
        }
        *ret = v;
        return 0;
}

static bool strv_has(const json_t *v, const char *s)
{
        size_t i;
        json_t *e;

        json_array_foreach(v, i, e)
                if (kl_streq(json_string_value(e), s))
                        return true;
        return false;
}

static int get_action(const json_t *o, const char *path, const char *key, const char *errno_key,
                      uint32_t *ret, const char **ret_name, bool *ret_has_errno,
                      unsigned *ret_errno, struct kl_err **err)
{
        const char *name = NULL;
        uint64_t e = 0;
        bool has_errno = false;
        int r;

        r = get_str(o, path, key, &name, err);
        if (r < 0)
                return r;
        if (!name)
                return bad(err, path, key, "not found");
        r = get_uint(o, path, errno_key, 0xffff, &has_errno, &e, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < KL_ARRAY_SIZE(sc_actions); i++) {
                if (!kl_streq(sc_actions[i].name, name))
                        continue;
                *ret = sc_actions[i].action;
                if (sc_actions[i].takes_errno)
                        *ret = sc_actions[i].action | (uint32_t)(has_errno ? e : EPERM);
                *ret_name = name;
                *ret_has_errno = has_errno;
                *ret_errno = (unsigned)e;
                return 0;
        }
        if (kl_streq(name, "SCMP_ACT_NOTIFY"))
                return bad(err, path, key, "SCMP_ACT_NOTIFY is not supported (no seccomp agent)");
        {
                char q[KL_STR_QUOTE_SIZE], what[KL_STR_QUOTE_SIZE + 32];

                (void)snprintf(what, sizeof(what), "unknown action '%s'",
                               kl_str_quote(name, SIZE_MAX, q, sizeof(q)));
                return bad(err, path, key, what);
        }
}

/* includes/excludes: the caps, arches and minKernel members, checked. */
struct sc_cond {
        json_t *caps, *arches; /* borrowed; NULL when absent */
        const char *min_kernel;
        uint64_t kernel;
};

static int get_cond(const json_t *entry, const char *path, const char *key, struct sc_cond *ret,
                    struct kl_err **err)
{
        json_t *o = member(entry, key);
        char sub[64];
        int r;

        *ret = (struct sc_cond){ 0 };
        if (!o)
                return 0;
        if (!json_is_object(o))
                return bad_type(err, path, key, "object", o);
        (void)snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
        r = get_strv(o, sub, "caps", &ret->caps, err);
        if (r < 0)
                return r;
        r = get_strv(o, sub, "arches", &ret->arches, err);
        if (r < 0)
                return r;
        r = get_str(o, sub, "minKernel", &ret->min_kernel, err);
        if (r < 0)
                return r;
        if (ret->min_kernel && !kl_isempty(ret->min_kernel) &&
            kernel_version_parse(ret->min_kernel, &ret->kernel) < 0)
                return bad(err, sub, "minKernel", "not a kernel version (major.minor[.patch])");
        if (ret->min_kernel && kl_isempty(ret->min_kernel))
                ret->min_kernel = NULL;
        return 0;
}

static bool cap_held(const struct sc_env *env, const char *name)
{
        int cap;

        /* An unknown name is a capability nobody holds (moby compares strings). */
        return kl_container__cap_parse(name, &cap) == 0 && cap < 64 && (env->caps & BIT(cap));
}

static bool entry_applies(const struct sc_env *env, const struct sc_cond *inc,
                          const struct sc_cond *exc)
{
        const char *arch = env->native ? env->native->goarch : "";
        size_t i;
        json_t *c;

        if (exc->arches && strv_has(exc->arches, arch))
                return false;
        if (exc->caps)
                json_array_foreach(exc->caps, i, c)
                        if (cap_held(env, json_string_value(c)))
                                return false;
        if (exc->min_kernel && env->kernel >= exc->kernel)
                return false;
        if (inc->arches && !strv_has(inc->arches, arch))
                return false;
        if (inc->caps)
                json_array_foreach(inc->caps, i, c)
                        if (!cap_held(env, json_string_value(c)))
                                return false;
        if (inc->min_kernel && env->kernel < inc->kernel)
                return false;
        return true;
}

static int get_args(const json_t *entry, const char *path, struct sc_rule *rule,
                    struct kl_err **err)
{
        json_t *args = member(entry, "args");
        size_t i;
        json_t *a;

        if (!args)
                return 0;
        if (!json_is_array(args))
                return bad_type(err, path, "args", "array", args);
        if (json_array_size(args) > ARGS_MAX)
                return bad(err, path, "args", "more than 6 arguments");
        json_array_foreach(args, i, a) {
                struct sc_arg *arg = &rule->args[i];
                char sub[96];
                uint64_t index;
                const char *op = NULL;
                int r;

                (void)snprintf(sub, sizeof(sub), "%s.args[%zu]", path, i);
                if (!json_is_object(a))
                        return bad_type(err, sub, NULL, "object", a);
                r = get_uint(a, sub, "index", ARGS_MAX - 1, NULL, &index, err);
                if (r < 0)
                        return r;
                r = get_uint(a, sub, "value", INT64_MAX, NULL, &arg->value, err);
                if (r < 0)
                        return r;
                r = get_uint(a, sub, "valueTwo", INT64_MAX, NULL, &arg->value_two, err);
                if (r < 0)
                        return r;
                r = get_str(a, sub, "op", &op, err);
                if (r < 0)
                        return r;
                if (!op)
                        return bad(err, sub, "op", "not found");
                arg->index = (unsigned)index;
                arg->op_name = NULL;
                for (size_t k = 0; k < KL_ARRAY_SIZE(sc_ops); k++) {
                        if (kl_streq(sc_ops[k].name, op)) {
                                arg->op = sc_ops[k].op;
                                arg->op_name = op;
                        }
                }
                if (!arg->op_name) {
                        char q[KL_STR_QUOTE_SIZE], what[KL_STR_QUOTE_SIZE + 32];

                        (void)snprintf(what, sizeof(what), "unknown operator '%s'",
                                       kl_str_quote(op, SIZE_MAX, q, sizeof(q)));
                        return bad(err, sub, "op", what);
                }
                rule->n_args = i + 1;
        }
        return 0;
}

static int add_arch(struct sc_profile *p, const char *name, const char *path, const char *key,
                    struct kl_err **err)
{
        const struct sc_arch *a = arch_by_name(name);

        if (!a) {
                char q[KL_STR_QUOTE_SIZE], what[KL_STR_QUOTE_SIZE + 32];

                (void)snprintf(what, sizeof(what), "unknown architecture '%s'",
                               kl_str_quote(name, SIZE_MAX, q, sizeof(q)));
                return bad(err, path, key, what);
        }
        for (size_t i = 0; i < p->n_arches; i++)
                if (p->arches[i] == a)
                        return 0;
        if (p->n_arches == ARCHES_MAX)
                return bad(err, path, key, "too many architectures");
        p->arches[p->n_arches++] = a;
        return 0;
}

static int get_arches(const json_t *root, const struct sc_env *env, struct sc_profile *p,
                      struct kl_err **err)
{
        json_t *list = NULL, *map = member(root, "archMap");
        size_t i;
        json_t *e;
        int r;

        r = get_strv(root, "", "architectures", &list, err);
        if (r < 0)
                return r;
        if (map && !json_is_array(map))
                return bad_type(err, "", "archMap", "array", map);
        if (list && json_array_size(list) > 0 && map && json_array_size(map) > 0)
                return bad(err, "", "archMap",
                           "'architectures' and 'archMap' were both given; use one");
        if (list) {
                json_array_foreach(list, i, e) {
                        char key[48];

                        (void)snprintf(key, sizeof(key), "architectures[%zu]", i);
                        r = add_arch(p, json_string_value(e), "", key, err);
                        if (r < 0)
                                return r;
                }
        }
        if (!map)
                return 0;
        json_array_foreach(map, i, e) {
                char path[48];
                const char *arch = NULL;
                json_t *sub = NULL;
                size_t k;
                json_t *s;

                (void)snprintf(path, sizeof(path), "archMap[%zu]", i);
                if (!json_is_object(e))
                        return bad_type(err, "", path, "object", e);
                r = get_str(e, path, "architecture", &arch, err);
                if (r < 0)
                        return r;
                if (!arch)
                        return bad(err, path, "architecture", "not found");
                r = get_strv(e, path, "subArchitectures", &sub, err);
                if (r < 0)
                        return r;
                if (!env->native || !kl_streq(arch, env->native->scmp))
                        continue;
                r = add_arch(p, arch, path, "architecture", err);
                if (r < 0)
                        return r;
                json_array_foreach(sub, k, s) {
                        char key[48];

                        (void)snprintf(key, sizeof(key), "subArchitectures[%zu]", k);
                        r = add_arch(p, json_string_value(s), path, key, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int get_entry(const json_t *entry, size_t idx, const struct sc_env *env,
                     struct sc_profile *p, struct kl_err **err)
{
        struct sc_rule rule = { 0 };
        struct sc_cond inc, exc;
        const char *name = NULL;
        json_t *names = NULL;
        char path[48];
        int r;

        (void)snprintf(path, sizeof(path), "syscalls[%zu]", idx);
        if (!json_is_object(entry))
                return bad_type(err, "", path, "object", entry);
        r = get_str(entry, path, "name", &name, err);
        if (r < 0)
                return r;
        r = get_strv(entry, path, "names", &names, err);
        if (r < 0)
                return r;
        if (name && names && json_array_size(names) > 0)
                return bad(err, path, "names", "'name' and 'names' were both given; use one");
        r = get_action(entry, path, "action", "errnoRet", &rule.action, &rule.action_name,
                       &rule.has_errno, &rule.errno_ret, err);
        if (r < 0)
                return r;
        r = get_args(entry, path, &rule, err);
        if (r < 0)
                return r;
        r = get_cond(entry, path, "includes", &inc, err);
        if (r < 0)
                return r;
        r = get_cond(entry, path, "excludes", &exc, err);
        if (r < 0)
                return r;
        if (!entry_applies(env, &inc, &exc))
                return 0;

        rule.n_names = name ? 1 : (names ? json_array_size(names) : 0);
        if (rule.n_names == 0)
                return 0;
        if (p->n_names + rule.n_names > RULES_MAX)
                return bad(err, path, "names", "too many syscall names in the profile");
        p->n_names += rule.n_names;
        rule.names = kl_calloc(rule.n_names, sizeof(*rule.names));
        if (name)
                rule.names[0] = name;
        for (size_t i = 0; !name && i < rule.n_names; i++)
                rule.names[i] = json_string_value(json_array_get(names, i));
        p->rules = kl_realloc(p->rules, (p->n_rules + 1) * sizeof(*p->rules));
        p->rules[p->n_rules++] = rule;
        return 0;
}

static int profile_resolve(const char *json, size_t len, const struct sc_env *env,
                           struct sc_profile *ret, struct kl_err **err)
{
        kl_cleanup(profile_release) struct sc_profile p = { 0 };
        json_t *calls;
        size_t i;
        json_t *e;
        int r;

        r = kl_json_decode(json, len, PROFILE_MAX, &p.root, err);
        if (r < 0)
                return r;
        if (!json_is_object(p.root))
                return kl_err_set_msg(err, -EINVAL, "'.': expected object, got %s",
                                      kl_json_type_name(p.root));
        r = get_action(p.root, "", "defaultAction", "defaultErrnoRet", &p.default_action,
                       &p.default_name, &p.has_default_errno, &p.default_errno, err);
        if (r < 0)
                return r;
        r = get_arches(p.root, env, &p, err);
        if (r < 0)
                return r;
        calls = member(p.root, "syscalls");
        if (calls && !json_is_array(calls))
                return bad_type(err, "", "syscalls", "array", calls);
        if (calls && json_array_size(calls) > SYSCALLS_MAX)
                return bad(err, "", "syscalls", "more than 4096 entries");
        json_array_foreach(calls, i, e) {
                r = get_entry(e, i, env, &p, err);
                if (r < 0)
                        return r;
        }
        *ret = p;
        p = (struct sc_profile){ 0 };
        return 0;
}

static void sc_env_init(struct sc_env *env, uint64_t caps)
{
        env->caps = caps;
        env->native = arch_native();
        env->kernel = kernel_version();
}

/* ---- profile_to_bpf ---- */

static void filter_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

static int rule_add(scmp_filter_ctx ctx, const struct sc_rule *rule, int sysno, size_t idx,
                    const char *name, struct kl_err **err)
{
        struct scmp_arg_cmp cmp[ARGS_MAX];
        unsigned seen = 0;
        bool repeated = false;
        int r = 0;

        for (size_t i = 0; i < rule->n_args; i++) {
                cmp[i] = (struct scmp_arg_cmp){
                        .arg = rule->args[i].index,
                        .op = rule->args[i].op,
                        .datum_a = rule->args[i].value,
                        .datum_b = rule->args[i].value_two,
                };
                repeated = repeated || (seen & (1u << rule->args[i].index));
                seen |= 1u << rule->args[i].index;
        }
        if (!repeated) {
                r = seccomp_rule_add_array(ctx, rule->action, sysno, (unsigned)rule->n_args,
                                           rule->n_args ? cmp : NULL);
        } else {
                /* Conditions on one argument cannot be ANDed usefully: one rule each, ORed. */
                for (size_t i = 0; i < rule->n_args && r == 0; i++)
                        r = seccomp_rule_add_array(ctx, rule->action, sysno, 1, &cmp[i]);
        }
        if (r < 0) {
                char q[KL_STR_QUOTE_SIZE];

                if (r == -ENOMEM)
                        kl_oom();
                return kl_err_set_msg(err, -EINVAL, "'.syscalls[%zu]': syscall '%s': %s", idx,
                                      kl_str_quote(name, SIZE_MAX, q, sizeof(q)), strerror(-r));
        }
        return 0;
}

static int profile_to_bpf(const struct sc_profile *p, struct kl_container__bpf *ret,
                          struct kl_err **err)
{
        kl_cleanup(filter_releasep) scmp_filter_ctx ctx = NULL;
        kl_autoclose int fd = -EBADF;
        kl_autofree char *data = NULL;
        size_t len = 0;
        int r;

        ctx = seccomp_init(p->default_action);
        if (!ctx)
                return kl_err_set_msg(err, -EINVAL, "'.defaultAction': libseccomp refused '%s'",
                                      p->default_name);
        /* The caller sets no_new_privs itself, and the filter is exported, not loaded here. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                return kl_err_set(err, r, "seccomp_attr_set NNP");
        /* A binary tree of syscall numbers: ~450 allowed names would be a long linear scan. */
        (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        for (size_t i = 0; i < p->n_arches; i++) {
                r = seccomp_arch_add(ctx, p->arches[i]->token);
                if (r < 0 && r != -EEXIST)
                        return kl_err_set(err, r, "add architecture '%s'", p->arches[i]->scmp);
        }
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct sc_rule *rule = &p->rules[i];

                if (rule->action == p->default_action)
                        continue;
                for (size_t k = 0; k < rule->n_names; k++) {
                        int sysno = seccomp_syscall_resolve_name(rule->names[k]);

                        if (sysno == __NR_SCMP_ERROR)
                                continue;
                        r = rule_add(ctx, rule, sysno, i, rule->names[k], err);
                        if (r < 0)
                                return r;
                }
        }

        fd = memfd_create("kl-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return kl_err_set(err, -errno, "memfd_create");
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return kl_err_set(err, r, "export the seccomp filter");
        if (lseek(fd, 0, SEEK_SET) < 0)
                return kl_err_set(err, -errno, "seek the exported filter");
        r = kl_read_all_fd(fd, BPF_INSNS_MAX * sizeof(struct sock_filter), &data, &len);
        if (r == -E2BIG)
                return kl_err_set(err, -E2BIG, "the seccomp filter has more than %d instructions",
                                  BPF_INSNS_MAX);
        if (r < 0)
                return kl_err_set(err, r, "read the exported filter");
        if (len == 0 || len % sizeof(struct sock_filter) != 0)
                return kl_err_set_msg(err, -EIO, "exported filter of %zu bytes", len);
        ret->n = len / sizeof(struct sock_filter);
        ret->insns = kl_memdup(data, len);
        return 0;
}

int kl_container__seccomp_from_json(const char *json, size_t len, uint64_t caps,
                                    struct kl_container__bpf *ret, struct kl_err **err)
{
        kl_cleanup(profile_release) struct sc_profile p = { 0 };
        struct kl_container__bpf b = { 0 };
        struct sc_env env;
        int r;

        sc_env_init(&env, caps);
        r = profile_resolve(json, len, &env, &p, err);
        if (r < 0)
                return r;
        r = profile_to_bpf(&p, &b, err);
        if (r < 0)
                return r;
        *ret = b;
        return 0;
}

void kl_container__bpf_release(struct kl_container__bpf *b)
{
        free(b->insns);
        b->insns = NULL;
        b->n = 0;
}

/* ---- profile_to_oci ---- */

static json_t *action_json(json_t *o, const char *key, const char *name, const char *errno_key,
                           bool has_errno, unsigned e)
{
        kl_assert(json_object_set_new(o, key, json_string(name)) == 0);
        if (has_errno)
                kl_assert(json_object_set_new(o, errno_key, json_integer(e)) == 0);
        return o;
}

static char *profile_to_oci(const struct sc_profile *p)
{
        json_auto_t *root = json_object();
        json_t *arches = json_array(), *calls = json_array();
        struct kl_buf out = KL_BUF_INIT;

        action_json(root, "defaultAction", p->default_name, "defaultErrnoRet", p->has_default_errno,
                    p->default_errno);
        for (size_t i = 0; i < p->n_arches; i++)
                kl_assert(json_array_append_new(arches, json_string(p->arches[i]->scmp)) == 0);
        kl_assert(json_object_set_new(root, "architectures", arches) == 0);
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct sc_rule *rule = &p->rules[i];
                json_t *e = json_object(), *names = json_array();

                for (size_t k = 0; k < rule->n_names; k++)
                        kl_assert(json_array_append_new(names, json_string(rule->names[k])) == 0);
                kl_assert(json_object_set_new(e, "names", names) == 0);
                action_json(e, "action", rule->action_name, "errnoRet", rule->has_errno,
                            rule->errno_ret);
                if (rule->n_args) {
                        json_t *args = json_array();

                        for (size_t k = 0; k < rule->n_args; k++) {
                                const struct sc_arg *a = &rule->args[k];
                                json_t *o = json_object();

                                kl_assert(json_object_set_new(o, "index", json_integer(a->index)) ==
                                          0);
                                kl_assert(json_object_set_new(o, "value",
                                                              json_integer((json_int_t)a->value)) ==
                                          0);
                                kl_assert(json_object_set_new(
                                                  o, "valueTwo",
                                                  json_integer((json_int_t)a->value_two)) == 0);
                                kl_assert(json_object_set_new(o, "op", json_string(a->op_name)) ==
                                          0);
                                kl_assert(json_array_append_new(args, o) == 0);
                        }
                        kl_assert(json_object_set_new(e, "args", args) == 0);
                }
                kl_assert(json_array_append_new(calls, e) == 0);
        }
        kl_assert(json_object_set_new(root, "syscalls", calls) == 0);
        kl_assert(kl_json_encode(root, 0, &out, NULL) == 0);
        return kl_buf_detach(&out, NULL);
}

char *kl_ctr_seccomp_default_oci_json(uint64_t caps)
{
        kl_cleanup(profile_release) struct sc_profile p = { 0 };
        kl_autofree char *text = NULL;
        struct sc_env env;
        size_t len = 0;

        text = default_profile_text(&len);
        sc_env_init(&env, caps);
        /* The built-in profile is valid by construction (the tests hold it to that). */
        kl_assert(profile_resolve(text, len, &env, &p, NULL) == 0);
        return profile_to_oci(&p);
}

/* ---- compile, with the cache ---- */

static const char cache_magic[8] = "KLSECBPF"; /* no NUL: eight bytes on disk */

static void sha256(const void *data, size_t len, unsigned char out[32])
{
        unsigned int n = 0;

        kl_assert(EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 && n == 32);
}

/*
 * The cache key: everything the BPF depends on. The kernel release is in it
 * because minKernel conditions read it; the cache normally lives on tmpfs
 * and is gone after a reboot anyway.
 */
static char *cache_key(const char *text, size_t len, uint64_t caps)
{
        const struct scmp_version *v = seccomp_version();
        const struct sc_arch *native = arch_native();
        struct kl_buf in = KL_BUF_INIT;
        struct utsname u;
        unsigned char md[32];
        char *hex = kl_malloc(65);

        if (uname(&u) < 0)
                u.release[0] = '\0';
        (void)kl_buf_printf(&in, "%s\n%016llx\n%s\n%u.%u.%u\n%s\n", CACHE_FORMAT,
                            (unsigned long long)caps, native ? native->scmp : "?", v ? v->major : 0,
                            v ? v->minor : 0, v ? v->micro : 0, u.release);
        (void)kl_buf_append(&in, text, len);
        sha256(in.buf, in.len, md);
        kl_buf_release(&in);
        for (size_t i = 0; i < 32; i++) {
                hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
                hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
        }
        hex[64] = '\0';
        return hex;
}

/*
 * A cache file: "KLSECBPF", the instruction count (u32, host order), four
 * zero bytes, the instructions, and the sha256 of all that. Anything that
 * does not check out is ignored (and rewritten by the caller).
 */
static int cache_read(const char *path, struct kl_container__bpf *ret)
{
        kl_autofree char *data = NULL;
        size_t len = 0;
        uint32_t n, zero;
        unsigned char md[32];
        int r;

        r = kl_read_file(path,
                         CACHE_HDR + BPF_INSNS_MAX * sizeof(struct sock_filter) + CACHE_DIGEST,
                         &data, &len);
        if (r < 0)
                return r;
        if (len < CACHE_HDR + CACHE_DIGEST || memcmp(data, cache_magic, sizeof(cache_magic)) != 0)
                return -EBADMSG;
        memcpy(&n, data + 8, 4);
        memcpy(&zero, data + 12, 4);
        if (zero != 0 || n == 0 || n > BPF_INSNS_MAX ||
            len != CACHE_HDR + n * sizeof(struct sock_filter) + CACHE_DIGEST)
                return -EBADMSG;
        sha256(data, len - CACHE_DIGEST, md);
        if (memcmp(md, data + len - CACHE_DIGEST, CACHE_DIGEST) != 0)
                return -EBADMSG;
        ret->n = n;
        ret->insns = kl_memdup(data + CACHE_HDR, n * sizeof(struct sock_filter));
        return 0;
}

static int cache_write(const char *path, const struct kl_container__bpf *b)
{
        size_t body = b->n * sizeof(struct sock_filter);
        size_t len = CACHE_HDR + body + CACHE_DIGEST;
        kl_autofree char *data = kl_malloc(len);
        uint32_t n = (uint32_t)b->n, zero = 0;

        kl_assert(b->n > 0 && b->n <= BPF_INSNS_MAX && b->insns);
        memcpy(data, cache_magic, sizeof(cache_magic));
        memcpy(data + 8, &n, 4);
        memcpy(data + 12, &zero, 4);
        memcpy(data + CACHE_HDR, b->insns, body);
        sha256(data, CACHE_HDR + body, (unsigned char *)data + CACHE_HDR + body);
        /* A cache: a torn file after a crash fails the digest and is rebuilt, so no fsync. */
        return kl_write_file_atomic(path, data, len, 0600, KL_WRITE_FILE_NOSYNC);
}

/*
 * The cache decides what filter a container runs, so only a directory that
 * nobody else can write into is used: ours, a directory, not group- or
 * world-writable. Created (0700) when missing.
 */
static bool cache_dir_usable(const char *dir)
{
        struct stat st;

        if (kl_mkdir_p(dir, 0700) < 0 || lstat(dir, &st) < 0)
                return false;
        return S_ISDIR(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & 022) == 0;
}

int kl_container__seccomp_compile(const struct kl_ctr_process *p, const char *cache_dir,
                                  struct kl_container__bpf *ret, struct kl_err **err)
{
        kl_autofree char *text = NULL, *key = NULL, *path = NULL;
        struct kl_container__bpf b = { 0 };
        const char *what;
        size_t len = 0;
        int r;

        switch (p->seccomp) {
        case KL_CTR_SECCOMP_UNCONFINED:
                *ret = (struct kl_container__bpf){ 0 };
                return 0;
        case KL_CTR_SECCOMP_RUNTIME_DEFAULT:
                what = "RuntimeDefault";
                text = default_profile_text(&len);
                break;
        case KL_CTR_SECCOMP_LOCALHOST:
                what = p->seccomp_profile;
                if (kl_isempty(what))
                        return kl_err_set_msg(err, -EINVAL,
                                              "seccomp profile: Localhost needs a profile path");
                r = kl_read_file(what, PROFILE_MAX, &text, &len);
                if (r == -E2BIG)
                        return kl_err_set(err, r, "seccomp profile '%s': larger than %zu bytes",
                                          what, PROFILE_MAX);
                if (r < 0)
                        return kl_err_set(err, r, "read seccomp profile '%s'", what);
                break;
        default:
                return kl_err_set_msg(err, -EINVAL, "seccomp: unknown profile type %d",
                                      (int)p->seccomp);
        }

        if (cache_dir && !cache_dir_usable(cache_dir)) {
                kl_log_debug(KL_LOG_RT, "seccomp cache '%s' is not a private directory, not used",
                             cache_dir);
                cache_dir = NULL;
        }
        if (cache_dir) {
                key = cache_key(text, len, p->caps);
                path = kl_asprintf("%s/%s.bpf", cache_dir, key);
                if (cache_read(path, &b) == 0) {
                        *ret = b;
                        return 0;
                }
        }
        r = kl_container__seccomp_from_json(text, len, p->caps, &b, err);
        if (r < 0)
                return kl_err_wrap(err, r, "seccomp profile '%s'", what);
        if (cache_dir) {
                r = cache_write(path, &b);
                if (r < 0)
                        kl_log_debug(KL_LOG_RT, "write seccomp cache '%s': %s, ignoring", path,
                                     kl_strerror(r));
        }
        *ret = b;
        return 0;
}

/* ---- install (child side) ---- */

/*
 * The kernel accepts a filter only from a task with no_new_privs set or with
 * CAP_SYS_ADMIN in its effective set. So the caller (spawn.c) either sets
 * PR_SET_NO_NEW_PRIVS and installs the filter last, right before execve()
 * (runc's order with noNewPrivileges), or, without no_new_privs, installs it
 * while still privileged, before setuid and caps_set, and then every call
 * that follows (setgroups, setres[ug]id, capset, prctl, execve) must be one
 * the profile allows: RuntimeDefault allows them all, a Localhost profile
 * may not. The filter then stays across execve() and is inherited by every
 * child of the container's process.
 */

int kl_container__seccomp_install(const struct kl_container__bpf *b, struct kl_err **err)
{
        struct sock_fprog prog;

        if (b->n == 0)
                return 0;
        if (b->n > BPF_INSNS_MAX)
                return kl_err_set_msg(err, -EINVAL, "seccomp filter of %zu instructions", b->n);
        prog = (struct sock_fprog){ .len = (unsigned short)b->n, .filter = b->insns };
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
                return 0;
        if (errno != ENOSYS)
                return kl_err_set(err, -errno, "install the seccomp filter");
        /* seccomp(2) arrived in Linux 3.17; before it, prctl is the only way (remove with 3.x). */
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
                return kl_err_set(err, -errno, "install the seccomp filter");
        return 0;
}
