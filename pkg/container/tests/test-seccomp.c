/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seccomp: the RuntimeDefault profile installed in forked children (what it
 * denies, allows and answers with ENOSYS, with and without CAP_SYS_ADMIN),
 * Localhost profiles, the translator's errors, the compile cache and the
 * OCI form handed to runc and crun.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "base/base.h"
#include "container/ctr-internal.h"
#include "testing/testing.h"

#define DEFAULT_CAPS      0xa80425fbULL
#define CAP_SYS_ADMIN_BIT ((uint64_t)1 << 21)

static struct kl_container__bpf compile_or_die(enum kl_ctr_seccomp kind, const char *profile,
                                               uint64_t caps, const char *cache)
{
        struct kl_ctr_process p = { .caps = caps, .seccomp = kind };
        struct kl_container__bpf b = { 0 };
        kl_autoerr struct kl_err *e = NULL;

        p.seccomp_profile = (char *)profile;
        cr_assert_eq(kl_container__seccomp_compile(&p, cache, &b, &e), 0, "%s", kl_err_msg(e));
        return b;
}

/* ---- children running under a filter ---- */

/* What a child saw; filled in the child, read by the parent through a pipe. */
struct probe {
        char error[256];
        int seccomp_mode, seccomp_filters;
        int getpid_ok;
        int keyctl_errno, unshare_user_errno, unshare_ns_errno, mount_errno;
        int clone3_errno, vsock_errno, unix_ok, personality_ok;
        int getppid_ret, getppid_errno;
        int getpgid_a_errno, getpgid_b_errno, getpgid_self_ok;
        long i386_getpid, i386_keyctl;
};

#if defined(__x86_64__)
/* A system call through the i386 entry point (seccomp sees AUDIT_ARCH_I386). */
static long int80(long nr, long a)
{
        long r;

        __asm__ volatile("int $0x80"
                         : "=a"(r)
                         : "a"(nr), "b"(a)
                         : "r8", "r9", "r10", "r11", "memory", "cc");
        return r;
}

/* IA-32 emulation may be off (ia32_emulation=0, or a kernel without it). */
static bool have_int80(void)
{
        return int80(20 /* i386 getpid */, 0) == getpid();
}
#endif

static int status_int(const char *text, const char *key)
{
        const char *p = strstr(text, key);
        int v = 0;

        if (!p)
                return -1;
        for (p += strlen(key); *p == ' ' || *p == '\t'; p++)
                ;
        for (; *p >= '0' && *p <= '9'; p++)
                v = v * 10 + (*p - '0');
        return v;
}

static int errno_of(long r)
{
        return r < 0 ? errno : 0;
}

/* Runs in the child after the filter is in place; only raw system calls the tests care about. */
static void probe_fill(struct probe *pr, bool i386)
{
        kl_autofree char *text = NULL;
        int fd;

        if (kl_read_file("/proc/self/status", 64 << 10, &text, NULL) == 0) {
                pr->seccomp_mode = status_int(text, "\nSeccomp:");
                pr->seccomp_filters = status_int(text, "\nSeccomp_filters:");
        }
        pr->getpid_ok = syscall(SYS_getpid) == getpid();
        /* KEYCTL_GET_KEYRING_ID of the thread keyring: harmless when allowed. */
        pr->keyctl_errno = errno_of(syscall(SYS_keyctl, 0, -1L, 0L));
        pr->unshare_user_errno = errno_of(syscall(SYS_unshare, CLONE_NEWUSER));
        pr->unshare_ns_errno = errno_of(syscall(SYS_unshare, CLONE_NEWNS));
        /* In the child's own mount namespace when unshare worked; else it must be refused. */
        pr->mount_errno = errno_of(syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
        pr->clone3_errno = errno_of(syscall(SYS_clone3, NULL, 0));
        fd = (int)syscall(SYS_socket, 40 /* AF_VSOCK */, SOCK_STREAM | SOCK_CLOEXEC, 0);
        pr->vsock_errno = errno_of(fd);
        if (fd >= 0)
                (void)close(fd);
        fd = (int)syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        pr->unix_ok = fd >= 0;
        if (fd >= 0)
                (void)close(fd);
        pr->personality_ok = syscall(SYS_personality, 0xffffffffUL) >= 0;
        pr->getppid_ret = (int)syscall(SYS_getppid);
        pr->getppid_errno = errno_of(pr->getppid_ret);
        pr->getpgid_a_errno = errno_of(syscall(SYS_getpgid, 11111));
        pr->getpgid_b_errno = errno_of(syscall(SYS_getpgid, 22222));
        pr->getpgid_self_ok = syscall(SYS_getpgid, 0) >= 0;
#if defined(__x86_64__)
        if (i386 && have_int80()) {
                pr->i386_getpid = int80(20, 0);
                pr->i386_keyctl = int80(288, 0);
        }
#else
        (void)i386;
#endif
}

/* `i386`: the filter covers the x86 sub-architecture, so probe it (else the probe is killed). */
static void run_under(const struct kl_container__bpf *b, bool i386, struct probe *ret)
{
        int fds[2], status = 0;
        pid_t pid;
        ssize_t n;

        if (geteuid() != 0)
                cr_skip_test("needs root (the probes use namespaces and mounts)");
        memset(ret, 0, sizeof(*ret));
        cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                struct probe pr = { 0 };
                kl_autoerr struct kl_err *e = NULL;

                (void)close(fds[0]);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        (void)snprintf(pr.error, sizeof(pr.error), "no_new_privs: %s",
                                       strerror(errno));
                else if (kl_container__seccomp_install(b, &e) < 0)
                        (void)snprintf(pr.error, sizeof(pr.error), "%s", kl_err_msg(e));
                else
                        probe_fill(&pr, i386);
                (void)kl_write_all(fds[1], &pr, sizeof(pr));
                /* _exit: no sanitizer or atexit work under the filter. */
                _exit(0);
        }
        (void)close(fds[1]);
        n = read(fds[0], ret, sizeof(*ret));
        (void)close(fds[0]);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
        cr_assert_eq(n, (ssize_t)sizeof(*ret));
        cr_assert_str_empty(ret->error, "%s", ret->error);
}

Test(seccomp, runtime_default_denies_and_allows)
{
        struct kl_container__bpf b =
                compile_or_die(KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL, DEFAULT_CAPS, NULL);
        struct probe pr;

        cr_assert_gt(b.n, 0);
        run_under(&b, true, &pr);
        cr_expect_eq(pr.seccomp_mode, 2);
        cr_expect_eq(pr.seccomp_filters, 1);
        cr_expect(pr.getpid_ok);
        cr_expect_eq(pr.keyctl_errno, EPERM);
        cr_expect_eq(pr.unshare_user_errno, EPERM);
        cr_expect_eq(pr.unshare_ns_errno, EPERM);
        cr_expect_eq(pr.mount_errno, EPERM);
        cr_expect_eq(pr.clone3_errno, ENOSYS);
        cr_expect_eq(pr.vsock_errno, EPERM);
        cr_expect(pr.unix_ok);
        cr_expect(pr.personality_ok);
#if defined(__x86_64__)
        /* The x86 sub-architecture is in the filter with the same policy. */
        if (have_int80()) {
                cr_expect_gt(pr.i386_getpid, 0);
                cr_expect_eq(pr.i386_keyctl, -EPERM);
        }
#endif
        kl_container__bpf_release(&b);
}

#if defined(__x86_64__)
Test(seccomp, architectures_not_listed_are_killed)
{
        const char *dir = kl_test_tmpdir();
        kl_autofree char *path = kl_test_write_file(
                dir, "native.json",
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\"]}");
        struct kl_container__bpf b = compile_or_die(KL_CTR_SECCOMP_LOCALHOST, path, 0, NULL);
        int status = 0;
        pid_t pid;

        if (geteuid() != 0)
                cr_skip_test("needs root");
        if (!have_int80())
                cr_skip_test("no IA-32 emulation");
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
                    kl_container__seccomp_install(&b, NULL) < 0)
                        _exit(2);
                (void)int80(20, 0);
                _exit(0);
        }
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "child status %#x", status);
        kl_container__bpf_release(&b);
}
#endif

Test(seccomp, runtime_default_with_sys_admin)
{
        struct kl_container__bpf b = compile_or_die(KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL,
                                                    DEFAULT_CAPS | CAP_SYS_ADMIN_BIT, NULL);
        struct probe pr;

        run_under(&b, true, &pr);
        cr_expect_eq(pr.seccomp_mode, 2);
        cr_expect_eq(pr.keyctl_errno, EPERM);
        cr_expect_eq(pr.unshare_ns_errno, 0);
        cr_expect_eq(pr.mount_errno, 0);
        /* clone3 reaches the kernel, which refuses a NULL argument. */
        cr_expect_neq(pr.clone3_errno, ENOSYS);
        cr_expect_neq(pr.clone3_errno, EPERM);
        kl_container__bpf_release(&b);
}

Test(seccomp, unconfined_is_no_filter)
{
        struct kl_container__bpf b = compile_or_die(KL_CTR_SECCOMP_UNCONFINED, NULL, 0, NULL);
        struct probe pr;

        cr_expect_eq(b.n, 0);
        cr_expect_null(b.insns);
        run_under(&b, true, &pr);
        cr_expect_eq(pr.seccomp_mode, 0);
        cr_expect_eq(pr.seccomp_filters, 0);
}

Test(seccomp, localhost_profile)
{
        const char *dir = kl_test_tmpdir();
        kl_autofree char *path = kl_test_write_file(
                dir, "profile.json",
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
                " \"syscalls\": [\n"
                "  {\"names\": [\"getppid\", \"no_such_syscall_anywhere\"],\n"
                "   \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 99},\n"
                "  {\"names\": [\"getpgid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 77,\n"
                "   \"args\": [{\"index\": 0, \"value\": 11111, \"op\": \"SCMP_CMP_EQ\"},\n"
                "              {\"index\": 0, \"value\": 22222, \"op\": \"SCMP_CMP_EQ\"}]},\n"
                "  {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}\n"
                " ]}\n");
        struct kl_container__bpf b = compile_or_die(KL_CTR_SECCOMP_LOCALHOST, path, 0, NULL);
        struct probe pr;

        run_under(&b, false, &pr);
        cr_expect_eq(pr.seccomp_mode, 2);
        cr_expect_eq(pr.getppid_ret, -1);
        cr_expect_eq(pr.getppid_errno, 99);
        /* Two conditions on one argument: either matches (runc's rule-per-condition). */
        cr_expect_eq(pr.getpgid_a_errno, 77);
        cr_expect_eq(pr.getpgid_b_errno, 77);
        cr_expect(pr.getpgid_self_ok);
        cr_expect(pr.getpid_ok);
        kl_container__bpf_release(&b);
}

Test(seccomp, localhost_profile_file_errors)
{
        const char *dir = kl_test_tmpdir();
        kl_autofree char *missing = kl_asprintf("%s/none.json", dir);
        kl_autofree char *big = kl_asprintf("%s/big.json", dir);
        kl_autofree char *filler = kl_malloc((1 << 20) + 2);
        kl_autoerr struct kl_err *e1 = NULL, *e2 = NULL, *e3 = NULL;
        struct kl_ctr_process p = { .seccomp = KL_CTR_SECCOMP_LOCALHOST };
        struct kl_container__bpf b = { 0 };

        p.seccomp_profile = missing;
        cr_expect_eq(kl_container__seccomp_compile(&p, NULL, &b, &e1), -ENOENT);
        cr_expect_not_null(strstr(kl_err_msg(e1), missing), "%s", kl_err_msg(e1));

        memset(filler, ' ', (1 << 20) + 1);
        filler[(1 << 20) + 1] = '\0';
        cr_assert_eq(kl_write_file_atomic(big, filler, (1 << 20) + 1, 0644, KL_WRITE_FILE_NOSYNC),
                     0);
        p.seccomp_profile = big;
        cr_expect_eq(kl_container__seccomp_compile(&p, NULL, &b, &e2), -E2BIG);

        p.seccomp_profile = NULL;
        cr_expect_eq(kl_container__seccomp_compile(&p, NULL, &b, &e3), -EINVAL);
        cr_expect_null(b.insns);
}

/* ---- the translator's errors ---- */

static const struct {
        const char *json;
        const char *want; /* in the message */
} bad_profiles[] = {
        { "", "invalid JSON" },
        { "[]", "'.': expected object, got array" },
        { "{}", "'.defaultAction': not found" },
        { "{\"defaultAction\": 1}", "'.defaultAction': expected string, got number" },
        { "{\"defaultAction\": \"SCMP_ACT_NOPE\"}",
          "'.defaultAction': unknown action 'SCMP_ACT_NOPE'" },
        { "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "'.defaultAction': SCMP_ACT_NOTIFY" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}",
          "'.defaultErrnoRet': -1 is out of range" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 70000}",
          "'.defaultErrnoRet': 70000 is out of range" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": {}}",
          "'.syscalls': expected array, got object" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [1]}",
          "'.syscalls[0]': expected object, got number" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"]}]}",
          "'.syscalls[0].action': not found" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\", 7], "
          "\"action\": \"SCMP_ACT_ALLOW\"}]}",
          "'.syscalls[0].names[1]': expected string, got number" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
          "\"name\": \"write\", \"action\": \"SCMP_ACT_ALLOW\"}]}",
          "'.syscalls[0].names': 'name' and 'names'" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{}, {\"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ALLOWED\"}]}",
          "'.syscalls[0].action': not found" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 6, \"value\": 1, \"op\": "
          "\"SCMP_CMP_EQ\"}]}]}",
          "'.syscalls[0].args[0].index': 6 is out of range 0-5" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": "
          "\"SCMP_CMP_LIKE\"}]}]}",
          "'.syscalls[0].args[0].op': unknown operator 'SCMP_CMP_LIKE'" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1}]}]}",
          "'.syscalls[0].args[0].op': not found" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [1,2,3,4,5,6,7]}]}",
          "'.syscalls[0].args': more than 6 arguments" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [\"x\"]}]}",
          "'.syscalls[0].args[0]': expected object, got string" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"four\"}}]}",
          "'.syscalls[0].includes.minKernel': not a kernel version" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"caps\": \"CAP_SYS_ADMIN\"}}]}",
          "'.syscalls[0].excludes.caps': expected array, got string" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_VAX\"]}",
          "'.architectures[0]': unknown architecture 'SCMP_ARCH_VAX'" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86\"], "
          "\"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\"}]}",
          "'architectures' and 'archMap' were both given" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"archMap\": [{\"subArchitectures\": []}]}",
          "'.archMap[0].architecture': not found" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
          "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": \"EPERM\"}]}",
          "'.syscalls[0].errnoRet': expected integer, got string" },
};

Test(seccomp, malformed_profiles_name_the_path)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(bad_profiles); i++) {
                kl_autoerr struct kl_err *e = NULL;
                struct kl_container__bpf b = { 0 };
                const char *j = bad_profiles[i].json;
                int r = kl_container__seccomp_from_json(j, strlen(j), DEFAULT_CAPS, &b, &e);

                cr_expect_eq(r, -EINVAL, "%zu: '%s': %d", i, j, r);
                cr_expect_null(b.insns);
                cr_assert_not_null(e, "%zu", i);
                cr_expect_not_null(strstr(e->msg, bad_profiles[i].want), "%zu: '%s' not in '%s'", i,
                                   bad_profiles[i].want, e->msg);
        }
}

Test(seccomp, localhost_error_names_the_file)
{
        const char *dir = kl_test_tmpdir();
        kl_autofree char *path = kl_test_write_file(
                dir, "bad.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [7]}");
        struct kl_ctr_process p = { .seccomp = KL_CTR_SECCOMP_LOCALHOST, .seccomp_profile = path };
        struct kl_container__bpf b = { 0 };
        kl_autoerr struct kl_err *e = NULL;

        cr_expect_eq(kl_container__seccomp_compile(&p, NULL, &b, &e), -EINVAL);
        cr_assert_not_null(e);
        cr_expect_not_null(strstr(e->msg, path), "%s", e->msg);
        cr_expect_not_null(strstr(e->msg, "'.syscalls[0]'"), "%s", e->msg);
}

Test(seccomp, too_many_entries)
{
        struct kl_buf j = KL_BUF_INIT;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_container__bpf b = { 0 };

        (void)kl_buf_puts(&j, "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [");
        for (int i = 0; i < 4097; i++)
                (void)kl_buf_printf(&j, "%s{}", i ? "," : "");
        (void)kl_buf_puts(&j, "]}");
        cr_expect_eq(kl_container__seccomp_from_json(j.buf, j.len, 0, &b, &e), -EINVAL);
        cr_expect_not_null(strstr(kl_err_msg(e), "more than 4096"), "%s", kl_err_msg(e));
        kl_buf_release(&j);
}

static bool same(const struct kl_container__bpf *a, const struct kl_container__bpf *b)
{
        return a->n == b->n && memcmp(a->insns, b->insns, a->n * sizeof(*a->insns)) == 0;
}

static struct kl_container__bpf from_json_or_die(const char *j, uint64_t caps)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_container__bpf b = { 0 };

        cr_assert_eq(kl_container__seccomp_from_json(j, strlen(j), caps, &b, &e), 0, "%s: %s", j,
                     kl_err_msg(e));
        return b;
}

Test(seccomp, conditions_follow_moby)
{
        /* An entry that applies compiles to the filter of the unconditional entry; else to none. */
        static const struct {
                const char *cond;
                uint64_t caps;
                bool applies;
        } cases[] = {
                { "\"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}", 0, false },
                { "\"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}", CAP_SYS_ADMIN_BIT, true },
                { "\"includes\": {\"caps\": [\"CAP_SYS_ADMIN\", \"CAP_BPF\"]}", CAP_SYS_ADMIN_BIT,
                  false },
                { "\"includes\": {\"caps\": [\"CAP_NOT_A_CAP\"]}", UINT64_MAX, false },
                { "\"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}", CAP_SYS_ADMIN_BIT, false },
                { "\"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}", 0, true },
                { "\"includes\": {\"arches\": [\"amd64\", \"arm64\"]}", 0, true },
                { "\"includes\": {\"arches\": [\"s390x\"]}", 0, false },
                { "\"excludes\": {\"arches\": [\"amd64\", \"arm64\"]}", 0, false },
                { "\"includes\": {\"minKernel\": \"3.10\"}", 0, true },
                { "\"includes\": {\"minKernel\": \"999.0\"}", 0, false },
                { "\"excludes\": {\"minKernel\": \"3.10\"}", 0, false },
                { "\"excludes\": {\"minKernel\": \"999.0.1\"}", 0, true },
                { "\"includes\": {}, \"excludes\": null", 0, true },
        };
        static const char with_text[] =
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}";
        static const char without_text[] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}";
        struct kl_container__bpf with = from_json_or_die(with_text, 0);
        struct kl_container__bpf without = from_json_or_die(without_text, 0);

        cr_assert(!same(&with, &without));
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *j = kl_asprintf(
                        "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                        "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", %s}]}",
                        cases[i].cond);
                struct kl_container__bpf b = from_json_or_die(j, cases[i].caps);

                cr_expect(same(&b, cases[i].applies ? &with : &without), "%zu: %s: %s", i,
                          cases[i].cond, cases[i].applies ? "not applied" : "applied");
                kl_container__bpf_release(&b);
        }
        kl_container__bpf_release(&with);
        kl_container__bpf_release(&without);
}

Test(seccomp, rules_like_runc)
{
        /* Unknown names are skipped; a rule with the default action adds nothing. */
        struct kl_container__bpf base =
                from_json_or_die("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
                                 "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
                                 0);
        struct kl_container__bpf unknown = from_json_or_die(
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
                "{\"names\": [\"no_such_call\", \"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                "{\"name\": \"another_unknown\", \"action\": \"SCMP_ACT_ALLOW\"}]}",
                0);
        struct kl_container__bpf dflt = from_json_or_die(
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1, \"syscalls\": ["
                "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
                0);
        struct kl_container__bpf other_errno = from_json_or_die(
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
                "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 5}]}",
                0);

        cr_expect(same(&base, &unknown));
        cr_expect(same(&base, &dflt));
        cr_expect(!same(&base, &other_errno));
        kl_container__bpf_release(&base);
        kl_container__bpf_release(&unknown);
        kl_container__bpf_release(&dflt);
        kl_container__bpf_release(&other_errno);
}

/* ---- the cache ---- */

static char *only_bpf_file(const char *dir)
{
        kl_autoclosedir DIR *d = opendir(dir);
        struct dirent *de;
        char *found = NULL;

        cr_assert_not_null(d, "opendir '%s'", dir);
        while ((de = readdir(d))) {
                if (!kl_endswith(de->d_name, ".bpf"))
                        continue;
                cr_assert_null(found, "more than one cache file in '%s'", dir);
                found = kl_asprintf("%s/%s", dir, de->d_name);
        }
        cr_assert_not_null(found, "no cache file in '%s'", dir);
        return found;
}

Test(seccomp, cache_is_written_and_read)
{
        const char *tmp = kl_test_tmpdir();
        kl_autofree char *cache = kl_asprintf("%s/cache", tmp);
        kl_autofree char *cache2 = kl_asprintf("%s/cache2", tmp);
        kl_autofree char *file = NULL, *file2 = NULL;
        kl_autofree char *prof = kl_test_write_file(
                tmp, "allow.json",
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                "[\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
        struct kl_container__bpf plain, first, second, planted, other;
        struct stat st;

        plain = compile_or_die(KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL, DEFAULT_CAPS, NULL);
        first = compile_or_die(KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL, DEFAULT_CAPS, cache);
        cr_expect(same(&plain, &first));
        file = only_bpf_file(cache);
        cr_assert_eq(stat(file, &st), 0);
        cr_expect_eq(st.st_mode & 0777, 0600);
        second = compile_or_die(KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL, DEFAULT_CAPS, cache);
        cr_expect(same(&first, &second));

        /* Another profile's valid cache file under this key is what comes back: it is read. */
        other = compile_or_die(KL_CTR_SECCOMP_LOCALHOST, prof, DEFAULT_CAPS, cache2);
        file2 = only_bpf_file(cache2);
        {
                kl_autofree char *bytes = NULL;
                size_t len = 0;

                cr_assert_eq(kl_read_file(file2, 1 << 20, &bytes, &len), 0);
                cr_assert_eq(kl_write_file_atomic(file, bytes, len, 0600, KL_WRITE_FILE_NOSYNC), 0);
        }
        planted = compile_or_die(KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL, DEFAULT_CAPS, cache);
        cr_expect(same(&planted, &other));
        cr_expect(!same(&planted, &first));

        kl_container__bpf_release(&plain);
        kl_container__bpf_release(&first);
        kl_container__bpf_release(&second);
        kl_container__bpf_release(&planted);
        kl_container__bpf_release(&other);
}

Test(seccomp, cache_key_covers_caps)
{
        const char *tmp = kl_test_tmpdir();
        struct kl_container__bpf a, b;
        size_t n = 0;
        kl_autoclosedir DIR *d = NULL;
        struct dirent *de;

        a = compile_or_die(KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL, DEFAULT_CAPS, tmp);
        b = compile_or_die(KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL, DEFAULT_CAPS | CAP_SYS_ADMIN_BIT,
                           tmp);
        cr_expect(!same(&a, &b));
        d = opendir(tmp);
        while ((de = readdir(d)))
                n += kl_endswith(de->d_name, ".bpf") != NULL;
        cr_expect_eq(n, 2);
        kl_container__bpf_release(&a);
        kl_container__bpf_release(&b);
}

Test(seccomp, corrupt_cache_is_ignored_and_rewritten)
{
        const char *cache = kl_test_tmpdir();
        kl_autofree char *file = NULL, *good = NULL, *after = NULL;
        size_t good_len = 0, after_len = 0;
        struct kl_container__bpf first, again;
        static const size_t cuts[] = { 0, 7, 16, 100 };

        first = compile_or_die(KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL, DEFAULT_CAPS, cache);
        file = only_bpf_file(cache);
        cr_assert_eq(kl_read_file(file, 1 << 20, &good, &good_len), 0);

        /* A flipped bit in the program, then truncations: each is ignored and rebuilt. */
        {
                kl_autofree char *bad = kl_memdup(good, good_len);

                bad[good_len / 2] ^= 0x20;
                cr_assert_eq(kl_write_file_atomic(file, bad, good_len, 0600, 0), 0);
                again = compile_or_die(KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL, DEFAULT_CAPS, cache);
                cr_expect(same(&first, &again));
                kl_container__bpf_release(&again);
                cr_assert_eq(kl_read_file(file, 1 << 20, &after, &after_len), 0);
                cr_expect(after_len == good_len && memcmp(after, good, good_len) == 0,
                          "cache file not rewritten");
        }
        for (size_t i = 0; i < KL_ARRAY_SIZE(cuts); i++) {
                cr_assert_eq(kl_write_file_atomic(file, good, cuts[i], 0600, 0), 0);
                again = compile_or_die(KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL, DEFAULT_CAPS, cache);
                cr_expect(same(&first, &again), "cut at %zu", cuts[i]);
                kl_container__bpf_release(&again);
        }
        kl_container__bpf_release(&first);
}

Test(seccomp, cache_only_in_a_private_directory)
{
        const char *tmp = kl_test_tmpdir();
        kl_autofree char *open_dir = kl_asprintf("%s/open", tmp);
        kl_autofree char *fresh = kl_asprintf("%s/a/b", tmp);
        struct kl_container__bpf a, b;
        kl_autoclosedir DIR *d = NULL;
        struct dirent *de;
        struct stat st;
        size_t n = 0;

        cr_assert_eq(mkdir(open_dir, 0700), 0);
        cr_assert_eq(chmod(open_dir, 0777), 0);
        a = compile_or_die(KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL, DEFAULT_CAPS, open_dir);
        d = opendir(open_dir);
        cr_assert_not_null(d);
        while ((de = readdir(d)))
                n += de->d_name[0] != '.';
        cr_expect_eq(n, 0, "a world-writable cache directory was used");

        /* A missing one is created private. */
        b = compile_or_die(KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL, DEFAULT_CAPS, fresh);
        cr_assert_eq(stat(fresh, &st), 0);
        cr_expect_eq(st.st_mode & 0777, 0700);
        free(only_bpf_file(fresh));
        cr_expect(same(&a, &b));
        kl_container__bpf_release(&a);
        kl_container__bpf_release(&b);
}

/* ---- the OCI form ---- */

static bool names_have(const json_t *syscalls, const char *name, const char *action, int errno_ret)
{
        size_t i, k;
        json_t *e, *n;

        json_array_foreach(syscalls, i, e) {
                json_t *names = json_object_get(e, "names");
                const char *act = json_string_value(json_object_get(e, "action"));
                json_t *er = json_object_get(e, "errnoRet");

                json_array_foreach(names, k, n) {
                        if (!kl_streq(json_string_value(n), name) || !kl_streq(act, action))
                                continue;
                        if (errno_ret < 0 || (er && json_integer_value(er) == errno_ret))
                                return true;
                }
        }
        return false;
}

Test(seccomp, default_oci_json_shape)
{
        kl_autofree char *text = kl_ctr_seccomp_default_oci_json(DEFAULT_CAPS);
        kl_autofree char *admin = kl_ctr_seccomp_default_oci_json(DEFAULT_CAPS | CAP_SYS_ADMIN_BIT);
        json_auto_t *o = NULL, *a = NULL;
        json_error_t je;
        json_t *calls, *acalls, *arches;
        size_t i;
        json_t *e;

        o = json_loads(text, 0, &je);
        cr_assert_not_null(o, "%s", je.text);
        a = json_loads(admin, 0, &je);
        cr_assert_not_null(a, "%s", je.text);
        cr_expect_str_eq(json_string_value(json_object_get(o, "defaultAction")), "SCMP_ACT_ERRNO");
        cr_expect_eq(json_integer_value(json_object_get(o, "defaultErrnoRet")), EPERM);
        arches = json_object_get(o, "architectures");
        cr_assert(json_is_array(arches));
#if defined(__x86_64__)
        cr_expect_eq(json_array_size(arches), 3);
        cr_expect_str_eq(json_string_value(json_array_get(arches, 0)), "SCMP_ARCH_X86_64");
        cr_expect_str_eq(json_string_value(json_array_get(arches, 1)), "SCMP_ARCH_X86");
        cr_expect_str_eq(json_string_value(json_array_get(arches, 2)), "SCMP_ARCH_X32");
#endif
        calls = json_object_get(o, "syscalls");
        acalls = json_object_get(a, "syscalls");
        cr_assert(json_is_array(calls) && json_array_size(calls) > 5);
        json_array_foreach(calls, i, e) {
                cr_expect_null(json_object_get(e, "includes"));
                cr_expect_null(json_object_get(e, "excludes"));
                cr_expect_null(json_object_get(e, "comment"));
                cr_expect(json_is_array(json_object_get(e, "names")));
                cr_expect(json_is_string(json_object_get(e, "action")));
        }
        cr_expect(names_have(calls, "read", "SCMP_ACT_ALLOW", -1));
        cr_expect(names_have(calls, "clone3", "SCMP_ACT_ERRNO", ENOSYS));
        cr_expect(names_have(calls, "clone", "SCMP_ACT_ALLOW", -1)); /* the masked one */
        cr_expect(!names_have(calls, "mount", "SCMP_ACT_ALLOW", -1));
        cr_expect(!names_have(calls, "keyctl", "SCMP_ACT_ALLOW", -1));
        cr_expect(names_have(calls, "chroot", "SCMP_ACT_ALLOW", -1)); /* CAP_SYS_CHROOT */
        cr_expect(!names_have(calls, "reboot", "SCMP_ACT_ALLOW", -1));
#if defined(__x86_64__)
        cr_expect(names_have(calls, "arch_prctl", "SCMP_ACT_ALLOW", -1));
        cr_expect(!names_have(calls, "s390_runtime_instr", "SCMP_ACT_ALLOW", -1));
#endif
        cr_expect(names_have(acalls, "mount", "SCMP_ACT_ALLOW", -1));
        cr_expect(names_have(acalls, "unshare", "SCMP_ACT_ALLOW", -1));
        cr_expect(!names_have(acalls, "clone3", "SCMP_ACT_ERRNO", ENOSYS));
        cr_expect(names_have(acalls, "clone3", "SCMP_ACT_ALLOW", -1));

        /* The socket rule keeps its argument: AF_VSOCK (40) is refused. */
        json_array_foreach(calls, i, e) {
                json_t *names = json_object_get(e, "names"), *arg;

                if (!kl_streq(json_string_value(json_array_get(names, 0)), "socket"))
                        continue;
                arg = json_array_get(json_object_get(e, "args"), 0);
                cr_expect_eq(json_integer_value(json_object_get(arg, "index")), 0);
                cr_expect_eq(json_integer_value(json_object_get(arg, "value")), 40);
                cr_expect_str_eq(json_string_value(json_object_get(arg, "op")), "SCMP_CMP_NE");
        }
}

Test(seccomp, default_oci_json_compiles_like_the_profile)
{
        /* The OCI form is itself a profile our translator reads: same filter. */
        kl_autofree char *text = kl_ctr_seccomp_default_oci_json(DEFAULT_CAPS);
        struct kl_container__bpf a =
                compile_or_die(KL_CTR_SECCOMP_RUNTIME_DEFAULT, NULL, DEFAULT_CAPS, NULL);
        struct kl_container__bpf b = { 0 };
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_container__seccomp_from_json(text, strlen(text), DEFAULT_CAPS, &b, &e), 0,
                     "%s", kl_err_msg(e));
        cr_expect(same(&a, &b));
        kl_container__bpf_release(&a);
        kl_container__bpf_release(&b);
}
