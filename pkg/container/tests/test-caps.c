/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capabilities: names, the default set, Kubernetes' add/drop, and the child
 * side (bounding set, capset) checked in forked children through
 * /proc/self/status, as root and after a switch to a non-root uid.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "container/ctr-internal.h"

#define BIT(c)       ((uint64_t)1 << (c))
#define DEFAULT_CAPS 0xa80425fbULL /* CapEff of a docker/containerd container */

Test(caps, default_set_is_containerds)
{
        static const int want[] = {
                CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,
                CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,           CAP_SETUID,
                CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
                CAP_KILL,    CAP_AUDIT_WRITE
        };
        uint64_t set = 0;

        for (size_t i = 0; i < KL_ARRAY_SIZE(want); i++)
                set |= BIT(want[i]);
        cr_expect_eq(kl_ctr_caps_default(), set);
        cr_expect_eq(kl_ctr_caps_default(), DEFAULT_CAPS);
}

Test(caps, all_follows_the_kernel)
{
        kl_autofree char *text = NULL;
        int last;

        cr_assert_eq(kl_read_file("/proc/sys/kernel/cap_last_cap", 32, &text, NULL) >= 0, 1);
        text[strcspn(text, "\n")] = '\0';
        cr_assert_eq(kl_parse_int(text, &last), 0);
        if (last >= 63)
                cr_expect_eq(kl_ctr_caps_all(), UINT64_MAX);
        else
                cr_expect_eq(kl_ctr_caps_all(), BIT(last + 1) - 1);
        cr_expect_eq(kl_ctr_caps_all() & DEFAULT_CAPS, DEFAULT_CAPS);
}

static const struct {
        const char *in;
        int cap; /* -1: invalid */
} parse_cases[] = {
        { "NET_ADMIN", CAP_NET_ADMIN },
        { "CAP_NET_ADMIN", CAP_NET_ADMIN },
        { "net_admin", CAP_NET_ADMIN },
        { "cap_net_admin", CAP_NET_ADMIN },
        { "Sys_Admin", CAP_SYS_ADMIN },
        { "CHOWN", CAP_CHOWN },
        { "CAP_CHECKPOINT_RESTORE", 40 },
        { "BPF", 39 },
        { "PERFMON", 38 },
        { "AUDIT_READ", CAP_AUDIT_READ },
        { "ALL", -1 },
        { "", -1 },
        { "CAP_", -1 },
        { "NET_ADMINX", -1 },
        { "CAP_CAP_NET_ADMIN", -1 },
        { " NET_ADMIN", -1 },
        { "CAP_NET_ADMIN_AND_A_VERY_LONG_TAIL_THAT_DOES_NOT_FIT", -1 },
};

Test(caps, parse)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(parse_cases); i++) {
                int cap = -2;
                int r = kl_container__cap_parse(parse_cases[i].in, &cap);

                if (parse_cases[i].cap < 0) {
                        cr_expect_eq(r, -EINVAL, "'%s' accepted", parse_cases[i].in);
                        cr_expect_eq(cap, -2, "'%s': output written on failure", parse_cases[i].in);
                } else {
                        cr_expect_eq(r, 0, "'%s' refused", parse_cases[i].in);
                        cr_expect_eq(cap, parse_cases[i].cap, "'%s'", parse_cases[i].in);
                }
        }
        cr_expect_eq(kl_container__cap_parse(NULL, &(int){ 0 }), -EINVAL);
}

Test(caps, names_round_trip)
{
        cr_expect_str_eq(kl_container__cap_name(CAP_CHOWN), "CAP_CHOWN");
        cr_expect_str_eq(kl_container__cap_name(CAP_NET_BIND_SERVICE), "CAP_NET_BIND_SERVICE");
        cr_expect_str_eq(kl_container__cap_name(40), "CAP_CHECKPOINT_RESTORE");
        cr_expect_null(kl_container__cap_name(41));
        cr_expect_null(kl_container__cap_name(-1));
        for (int c = 0; c <= 40; c++) {
                int back = -1;

                cr_assert_not_null(kl_container__cap_name(c), "capability %d has no name", c);
                cr_expect_eq(kl_container__cap_parse(kl_container__cap_name(c), &back), 0);
                cr_expect_eq(back, c);
        }
}

#define V(...) ((char *const[]){ __VA_ARGS__, NULL })

Test(caps, adjust_as_kubernetes)
{
        const uint64_t all = kl_ctr_caps_all(), dflt = DEFAULT_CAPS;
        const struct {
                const char *what;
                char *const *add, *const *drop;
                uint64_t want;
        } cases[] = {
                { "nothing", NULL, NULL, dflt },
                { "add one", V((char *)"NET_ADMIN"), NULL, dflt | BIT(CAP_NET_ADMIN) },
                { "add with prefix", V((char *)"CAP_SYS_PTRACE"), NULL,
                  dflt | BIT(CAP_SYS_PTRACE) },
                { "drop one", NULL, V((char *)"CHOWN"), dflt & ~BIT(CAP_CHOWN) },
                { "drop absent", NULL, V((char *)"SYS_ADMIN"), dflt },
                { "drop ALL", NULL, V((char *)"ALL"), 0 },
                { "drop ALL add one", V((char *)"NET_BIND_SERVICE"), V((char *)"ALL"),
                  BIT(CAP_NET_BIND_SERVICE) },
                { "add ALL", V((char *)"ALL"), NULL, all },
                { "add all lower case", V((char *)"all"), NULL, all },
                { "add ALL drop one", V((char *)"ALL"), V((char *)"CHOWN"), all & ~BIT(CAP_CHOWN) },
                { "add ALL drop ALL", V((char *)"ALL"), V((char *)"ALL"), 0 },
                { "drop wins", V((char *)"NET_ADMIN"), V((char *)"net_admin"), dflt },
                { "drop wins over ALL", V((char *)"ALL"), V((char *)"KILL", (char *)"CAP_MKNOD"),
                  all & ~BIT(CAP_KILL) & ~BIT(CAP_MKNOD) },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autoerr struct kl_err *e = NULL;
                uint64_t got = 0;

                cr_assert_eq(kl_ctr_caps_adjust(dflt, cases[i].add, cases[i].drop, &got, &e), 0,
                             "%s: %s", cases[i].what, kl_err_msg(e));
                cr_expect_eq(got, cases[i].want, "%s: got %016llx, want %016llx", cases[i].what,
                             (unsigned long long)got, (unsigned long long)cases[i].want);
        }
}

Test(caps, adjust_rejects_unknown_names)
{
        kl_autoerr struct kl_err *e = NULL, *e2 = NULL;
        uint64_t got = 42;

        cr_expect_eq(kl_ctr_caps_adjust(DEFAULT_CAPS, V((char *)"NET_ADMIN", (char *)"BOGUS"), NULL,
                                        &got, &e),
                     -EINVAL);
        cr_expect_eq(got, 42);
        cr_assert_not_null(e);
        cr_expect_not_null(strstr(e->msg, "'BOGUS'"), "%s", e->msg);
        cr_expect_not_null(strstr(e->msg, "add"), "%s", e->msg);
        cr_expect_eq(kl_ctr_caps_adjust(DEFAULT_CAPS, NULL, V((char *)"CAP_NOPE"), &got, &e2),
                     -EINVAL);
        cr_expect_not_null(strstr(e2->msg, "drop"), "%s", e2->msg);
}

/* ---- the child side ---- */

struct status {
        uint64_t bnd, eff, prm, inh, amb;
        unsigned uid;
        bool ok;
        char error[256];
};

static uint64_t status_field(const char *text, const char *key)
{
        const char *p = strstr(text, key);
        uint64_t v = 0;

        cr_assert_not_null(p, "no %s in /proc/self/status", key);
        p += strlen(key);
        while (*p == ' ' || *p == '\t')
                p++;
        for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
                v = v * 16 + (uint64_t)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
        return v;
}

enum child_mode {
        CHILD_ROOT,    /* bound + set as root */
        CHILD_SETUID,  /* keepcaps, bound, setres[ug]id 1000, set (spawn.c's order) */
        CHILD_AMBIENT, /* an ambient capability raised first, then caps_set clears it */
};

/* Runs in the child: apply `caps` the way `mode` says, then send /proc/self/status. */
static void child(int fd, enum child_mode mode, uint64_t caps)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *text = NULL;
        char buf[8192];
        int r = 0;

        if (mode == CHILD_AMBIENT) {
                r = kl_container__caps_set(DEFAULT_CAPS, &e);
                if (r == 0 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0) < 0)
                        r = kl_err_set(&e, -errno, "raise ambient CAP_NET_RAW");
                if (r == 0 && kl_read_file("/proc/self/status", 64 << 10, &text, NULL) == 0 &&
                    status_field(text, "CapAmb:") == 0)
                        r = kl_err_set_msg(&e, -EIO, "ambient capability not raised");
        }
        if (r == 0 && mode == CHILD_SETUID && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                r = kl_err_set(&e, -errno, "PR_SET_KEEPCAPS");
        if (r == 0)
                r = kl_container__caps_bound(caps, &e);
        if (r == 0 && mode == CHILD_SETUID) {
                if (setgroups(0, NULL) < 0 || setresgid(1000, 1000, 1000) < 0 ||
                    setresuid(1000, 1000, 1000) < 0)
                        r = kl_err_set(&e, -errno, "switch to uid 1000");
        }
        if (r == 0)
                r = kl_container__caps_set(caps, &e);
        if (r < 0) {
                (void)snprintf(buf, sizeof(buf), "ERROR %s", kl_err_msg(e));
        } else {
                free(text);
                text = NULL;
                if (kl_read_file("/proc/self/status", sizeof(buf) - 1, &text, NULL) < 0)
                        (void)snprintf(buf, sizeof(buf), "ERROR read /proc/self/status");
                else
                        (void)snprintf(buf, sizeof(buf), "%s", text);
        }
        (void)kl_write_all(fd, buf, strlen(buf));
        _exit(0);
}

static void run_child(enum child_mode mode, uint64_t caps, struct status *ret)
{
        kl_autofree char *text = NULL;
        int fds[2], status = 0;
        pid_t pid;

        if (geteuid() != 0)
                cr_skip_test("needs root (capabilities are changed in a child)");
        if (prctl(PR_CAPBSET_READ, CAP_SETPCAP, 0, 0, 0) != 1)
                cr_skip_test("needs CAP_SETPCAP in the bounding set");
        cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                (void)close(fds[0]);
                child(fds[1], mode, caps);
        }
        (void)close(fds[1]);
        cr_assert_eq(kl_read_all_fd(fds[0], 64 << 10, &text, NULL), 0);
        (void)close(fds[0]);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
        cr_assert_null(strstr(text, "ERROR"), "%s", text);
        ret->bnd = status_field(text, "CapBnd:");
        ret->eff = status_field(text, "CapEff:");
        ret->prm = status_field(text, "CapPrm:");
        ret->inh = status_field(text, "CapInh:");
        ret->amb = status_field(text, "CapAmb:");
        {
                const char *u = strstr(text, "\nUid:");

                cr_assert_not_null(u);
                u += 5;
                while (*u == '\t' || *u == ' ')
                        u++;
                ret->uid = 0;
                for (; *u >= '0' && *u <= '9'; u++)
                        ret->uid = ret->uid * 10 + (unsigned)(*u - '0');
        }
}

Test(caps, child_as_root_gets_exactly_the_set)
{
        struct status s;

        run_child(CHILD_ROOT, DEFAULT_CAPS, &s);
        cr_expect_eq(s.bnd, DEFAULT_CAPS, "CapBnd %016llx", (unsigned long long)s.bnd);
        cr_expect_eq(s.eff, DEFAULT_CAPS, "CapEff %016llx", (unsigned long long)s.eff);
        cr_expect_eq(s.prm, DEFAULT_CAPS, "CapPrm %016llx", (unsigned long long)s.prm);
        cr_expect_eq(s.inh, DEFAULT_CAPS, "CapInh %016llx", (unsigned long long)s.inh);
        cr_expect_eq(s.amb, 0);
        cr_expect_eq(s.uid, 0);
}

Test(caps, child_after_setuid_keeps_the_set)
{
        struct status s;

        run_child(CHILD_SETUID, DEFAULT_CAPS, &s);
        cr_expect_eq(s.uid, 1000);
        cr_expect_eq(s.bnd, DEFAULT_CAPS, "CapBnd %016llx", (unsigned long long)s.bnd);
        cr_expect_eq(s.eff, DEFAULT_CAPS, "CapEff %016llx", (unsigned long long)s.eff);
        cr_expect_eq(s.prm, DEFAULT_CAPS, "CapPrm %016llx", (unsigned long long)s.prm);
        cr_expect_eq(s.inh, DEFAULT_CAPS, "CapInh %016llx", (unsigned long long)s.inh);
        cr_expect_eq(s.amb, 0);
}

Test(caps, child_with_nothing_has_nothing)
{
        struct status s;

        run_child(CHILD_SETUID, 0, &s);
        cr_expect_eq(s.uid, 1000);
        cr_expect_eq(s.bnd, 0);
        cr_expect_eq(s.eff, 0);
        cr_expect_eq(s.prm, 0);
        cr_expect_eq(s.inh, 0);
        cr_expect_eq(s.amb, 0);
}

Test(caps, child_with_one_added)
{
        const uint64_t want = DEFAULT_CAPS | BIT(CAP_NET_ADMIN);
        struct status s;

        run_child(CHILD_ROOT, want, &s);
        cr_expect_eq(s.bnd, want);
        cr_expect_eq(s.eff, want);
}

Test(caps, ambient_is_cleared)
{
        struct status s;

        run_child(CHILD_AMBIENT, DEFAULT_CAPS, &s);
        cr_expect_eq(s.amb, 0, "CapAmb %016llx", (unsigned long long)s.amb);
        cr_expect_eq(s.eff, DEFAULT_CAPS);
}
