/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup.c: the pure parts on fixture text (mountinfo of a hybrid v1 host,
 * a pure v2 host, co-mounted cpu,cpuacct; /proc/self/cgroup; the limit
 * writes; the shares-to-weight formula), then, as root, real cgroups made
 * below a parent of our own under the cgroup we run in: limits read back,
 * enter, the OOM killer, pids.max, signal_all, stats, remove, load.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "container/ctr-internal.h"
#include "testing/testing.h"

KL_DEFINE_CLEANUP_FUNC(struct kl_container__cgroup, kl_container__cgroup_free);
#define cg_auto kl_cleanup(kl_container__cgroup_freep)

/* ---- fixtures: the pure parsers ---- */

/* This machine: v1 controllers each mounted alone, name=systemd, and cgroup2 with hugetlb. */
static const char mi_hybrid[] =
        "23 1 0:21 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
        "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
        "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
        "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
        "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char self_hybrid[] = "9:name=systemd:/\n"
                                  "8:pids:/\n"
                                  "7:blkio:/\n"
                                  "6:freezer:/\n"
                                  "5:devices:/\n"
                                  "4:memory:/process_api/e9deb091\n"
                                  "3:cpuset:/\n"
                                  "2:cpuacct:/\n"
                                  "1:cpu:/\n"
                                  "0::/\n";

/* A systemd host on the unified hierarchy. */
static const char mi_v2[] =
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "25 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"
        "26 25 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 "
        "cgroup2 rw,nsdelegate,memory_recursiveprot\n";
static const char self_v2[] = "0::/user.slice/user-1000.slice/session-3.scope\n";

/* Docker's classic layout: cpu,cpuacct and net_cls,net_prio co-mounted, with options. */
static const char mi_comounted[] =
        "30 25 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
        "31 30 0:27 / /sys/fs/cgroup/systemd rw,nosuid shared:10 - cgroup cgroup "
        "rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd\n"
        "34 30 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:15 - cgroup cgroup "
        "rw,cpu,cpuacct\n"
        "35 30 0:31 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid shared:16 - cgroup cgroup "
        "rw,net_cls,net_prio\n"
        "36 30 0:32 / /sys/fs/cgroup/memory rw,nosuid shared:17 - cgroup cgroup rw,memory\n"
        "37 30 0:33 / /sys/fs/cgroup/my\\040pids rw,nosuid shared:18 - cgroup cgroup rw,pids\n";
static const char self_comounted[] = "12:pids:/docker/abc\n"
                                     "5:memory:/docker/abc\n"
                                     "4:net_cls,net_prio:/docker/abc\n"
                                     "3:cpu,cpuacct:/docker/abc\n"
                                     "1:name=systemd:/docker/abc\n";

/* Inside a container: each hierarchy bind-mounted from the container's own cgroup. */
static const char mi_bound[] =
        "40 30 0:32 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n"
        "41 30 0:36 /docker/abc /sys/fs/cgroup/pids ro,nosuid - cgroup cgroup rw,pids\n";
static const char self_bound[] = "8:pids:/docker/abc/inner\n"
                                 "4:memory:/docker/abc\n";

struct own_case {
        const char *name;
        const char *mountinfo;
        const char *self;
        int r;
        bool v2;
        const char *dirs[10];
};

static const struct own_case own_cases[] = {
        { "hybrid v1",
          mi_hybrid,
          self_hybrid,
          0,
          false,
          { "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpuset",
            "/sys/fs/cgroup/memory/process_api/e9deb091", "/sys/fs/cgroup/devices",
            "/sys/fs/cgroup/freezer", "/sys/fs/cgroup/blkio", "/sys/fs/cgroup/pids" } },
        { "pure v2",
          mi_v2,
          self_v2,
          0,
          true,
          { "/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope" } },
        { "v2 below the leaf we moved into",
          mi_v2,
          "0::/kubepods/init\n",
          0,
          true,
          { "/sys/fs/cgroup/kubepods" } },
        { "v2 in /init", mi_v2, "0::/init\n", 0, true, { "/sys/fs/cgroup" } },
        { "v2 at the root", mi_v2, "0::/\n", 0, true, { "/sys/fs/cgroup" } },
        { "co-mounted cpu,cpuacct",
          mi_comounted,
          self_comounted,
          0,
          false,
          { "/sys/fs/cgroup/cpu,cpuacct/docker/abc", "/sys/fs/cgroup/memory/docker/abc",
            "/sys/fs/cgroup/my pids/docker/abc" } },
        { "bind mounts of a subtree",
          mi_bound,
          self_bound,
          0,
          false,
          { "/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids/inner" } },
        { "an unmounted hierarchy is skipped",
          mi_bound,
          "8:pids:/docker/abc\n7:freezer:/\n4:memory:/docker/abc/x:y\n",
          0,
          false,
          { "/sys/fs/cgroup/memory/x:y", "/sys/fs/cgroup/pids" } },
        { "a mount of another subtree", mi_bound, "8:pids:/docker/abc\n4:memory:/docker/other\n",
          -ENOENT },
        { "no cgroup mount", "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n", "0::/\n", -ENOENT },
        { "hierarchy missing from /proc/self/cgroup", mi_hybrid, "4:memory:/\n", -ENOENT },
        { "v2 without a unified line", mi_v2, "4:memory:/\n", -ENOENT },
        { "mountinfo without separator", "31 23 0:28 / /sys/fs/cgroup rw - cgroup\n", "0::/\n",
          -EINVAL },
        { "cgroup line without path", mi_hybrid, "4:memory\n", -EINVAL },
        { "cgroup line with a bad id", mi_hybrid, "x:memory:/\n", -EINVAL },
        { "relative mount point", "31 23 0:28 / sys rw - cgroup2 cgroup2 rw\n", "0::/\n", -EINVAL },
};

Test(cgroup_parse, own_from_mountinfo_and_self)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(own_cases); i++) {
                const struct own_case *c = &own_cases[i];
                cg_auto struct kl_container__cgroup *cg = NULL;
                kl_autoerr struct kl_err *e = NULL;
                size_t n = 0;
                int r = kl_container__cgroup_own(c->mountinfo, strlen(c->mountinfo), c->self,
                                                 strlen(c->self), &cg, &e);

                cr_assert_eq(r, c->r, "%s: %d (%s)", c->name, r, kl_err_msg(e));
                if (r < 0) {
                        cr_assert(e && e->code == -r, "%s: no error message", c->name);
                        continue;
                }
                cr_expect_eq(cg->v2, c->v2, "%s", c->name);
                while (c->dirs[n])
                        n++;
                cr_assert_eq(kl_strv_length(cg->dirs), n, "%s: %zu dirs", c->name,
                             kl_strv_length(cg->dirs));
                for (size_t j = 0; j < n; j++)
                        cr_expect_str_eq(cg->dirs[j], c->dirs[j], "%s", c->name);
        }
}

Test(cgroup_parse, keyed_get)
{
        static const char stat[] = "cache 4096\nrss 8192\ntotal_inactive_file 1234\n"
                                   "inactive_file 77\noom_kill 3";
        uint64_t v = 0;

        cr_assert_eq(kl_container__cgroup_keyed_get(stat, strlen(stat), "inactive_file", &v), 0);
        cr_expect_eq(v, 77);
        cr_assert_eq(kl_container__cgroup_keyed_get(stat, strlen(stat), "total_inactive_file", &v),
                     0);
        cr_expect_eq(v, 1234);
        cr_assert_eq(kl_container__cgroup_keyed_get(stat, strlen(stat), "oom_kill", &v), 0);
        cr_expect_eq(v, 3);
        cr_expect_eq(kl_container__cgroup_keyed_get(stat, strlen(stat), "rs", &v), -ENOENT);
        cr_expect_eq(kl_container__cgroup_keyed_get(stat, strlen(stat), "swap", &v), -ENOENT);
        cr_expect_eq(kl_container__cgroup_keyed_get("a -1\n", 5, "a", &v), -EINVAL);
        cr_expect_eq(kl_container__cgroup_keyed_get("a \n", 3, "a", &v), -EINVAL);
        cr_expect_eq(kl_container__cgroup_keyed_get("", 0, "a", &v), -ENOENT);
}

Test(cgroup_parse, shares_to_weight)
{
        static const struct {
                uint64_t shares, weight;
        } cases[] = {
                { 0, 0 },     { 1, 1 },     { 2, 1 },          { 512, 20 },
                { 1024, 39 }, { 2048, 79 }, { 262144, 10000 }, { 1000000, 10000 },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++)
                cr_expect_eq(kl_container__cgroup_shares_to_weight(cases[i].shares),
                             cases[i].weight, "shares %" PRIu64, cases[i].shares);
}

struct settings_case {
        const char *name;
        struct kl_ctr_resources res;
        bool v2;
        int r;
        const char
                *writes[8][2]; /* file, value; the v1 devices list follows and is checked apart */
};

#define MIB ((int64_t)1 << 20)

static const struct settings_case settings_cases[] = {
        { "v1 nothing", { 0 }, false, 0, { { NULL } } },
        { "v1 everything",
          { .memory_limit = 64 * MIB,
            .cpu_quota = 50000,
            .cpu_period = 100000,
            .cpu_shares = 512,
            .pids_limit = 10 },
          false,
          0,
          { { "memory.limit_in_bytes", "67108864" },
            { "memory.memsw.limit_in_bytes", "67108864" },
            { "cpu.cfs_period_us", "100000" },
            { "cpu.cfs_quota_us", "50000" },
            { "cpu.shares", "512" },
            { "pids.max", "10" } } },
        { "v1 swap unlimited, default period",
          { .memory_limit = 64 * MIB, .memory_swap = -1, .cpu_quota = 20000, .pids_limit = -1 },
          false,
          0,
          { { "memory.limit_in_bytes", "67108864" },
            { "memory.memsw.limit_in_bytes", "-1" },
            { "cpu.cfs_period_us", "100000" },
            { "cpu.cfs_quota_us", "20000" },
            { "pids.max", "max" } } },
        { "v1 swap given",
          { .memory_limit = MIB, .memory_swap = 3 * MIB },
          false,
          0,
          { { "memory.limit_in_bytes", "1048576" },
            { "memory.memsw.limit_in_bytes", "3145728" } } },
        { "v2 nothing", { 0 }, true, 0, { { NULL } } },
        { "v2 everything",
          { .memory_limit = 64 * MIB,
            .cpu_quota = 50000,
            .cpu_period = 100000,
            .cpu_shares = 1024,
            .pids_limit = 10 },
          true,
          0,
          { { "memory.max", "67108864" },
            { "memory.swap.max", "0" },
            { "cpu.max", "50000 100000" },
            { "cpu.weight", "39" },
            { "pids.max", "10" } } },
        { "v2 swap",
          { .memory_limit = MIB, .memory_swap = 3 * MIB, .cpu_period = 50000 },
          true,
          0,
          { { "memory.max", "1048576" },
            { "memory.swap.max", "2097152" },
            { "cpu.max", "max 50000" } } },
        { "v2 swap unlimited",
          { .memory_limit = MIB, .memory_swap = -1, .pids_limit = -1 },
          true,
          0,
          { { "memory.max", "1048576" }, { "memory.swap.max", "max" }, { "pids.max", "max" } } },
        { "swap below memory", { .memory_limit = 2 * MIB, .memory_swap = MIB }, false, -EINVAL },
        { "swap without memory", { .memory_swap = MIB }, true, -EINVAL },
        { "negative memory", { .memory_limit = -5 }, false, -EINVAL },
        { "period too short", { .cpu_quota = 10, .cpu_period = 10 }, true, -EINVAL },
};

static const char *const v1_devices[] = {
        "c *:* m",   "b *:* m",   "c 1:3 rwm", "c 1:8 rwm",   "c 1:7 rwm", "c 5:0 rwm",
        "c 1:5 rwm", "c 1:9 rwm", "c 5:1 rwm", "c 136:* rwm", "c 5:2 rwm", "c 10:200 rwm",
};

Test(cgroup_parse, settings)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(settings_cases); i++) {
                const struct settings_case *c = &settings_cases[i];
                kl_autofree struct kl_container__cgroup_setting *s = NULL;
                kl_autoerr struct kl_err *e = NULL;
                size_t n = 0, want = 0;
                int r = kl_container__cgroup_settings(&c->res, c->v2, &s, &n, &e);

                cr_assert_eq(r, c->r, "%s: %d (%s)", c->name, r, kl_err_msg(e));
                if (r < 0)
                        continue;
                while (c->writes[want][0])
                        want++;
                cr_assert_eq(n, want + (c->v2 ? 0 : 1 + KL_ARRAY_SIZE(v1_devices)),
                             "%s: %zu writes", c->name, n);
                for (size_t j = 0; j < want; j++) {
                        cr_expect_str_eq(s[j].file, c->writes[j][0], "%s", c->name);
                        cr_expect_str_eq(s[j].value, c->writes[j][1], "%s: %s", c->name, s[j].file);
                        cr_expect_eq(s[j].optional,
                                     kl_streq(s[j].file, "memory.swap.max") ||
                                             kl_streq(s[j].file, "memory.memsw.limit_in_bytes"),
                                     "%s: %s", c->name, s[j].file);
                }
                if (c->v2)
                        continue;
                cr_expect_str_eq(s[want].file, "devices.deny");
                cr_expect_str_eq(s[want].value, "a");
                for (size_t j = 0; j < KL_ARRAY_SIZE(v1_devices); j++) {
                        cr_expect_str_eq(s[want + 1 + j].file, "devices.allow");
                        cr_expect_str_eq(s[want + 1 + j].value, v1_devices[j]);
                }
        }
}

/* ---- real cgroups (root) ---- */

static char parent_name[64];

static struct kl_container__cgroup *own_cgroup(void)
{
        kl_autofree char *mi = NULL, *self = NULL;
        size_t mi_len = 0, self_len = 0;
        struct kl_container__cgroup *own = NULL;

        cr_assert_eq(kl_read_file("/proc/self/mountinfo", 4 << 20, &mi, &mi_len), 0);
        cr_assert_eq(kl_read_file("/proc/self/cgroup", 65536, &self, &self_len), 0);
        cr_assert_eq(kl_container__cgroup_own(mi, mi_len, self, self_len, &own, NULL), 0);
        return own;
}

static void kill_and_rmdir(const char *dir)
{
        kl_autofree char *freezer = kl_asprintf("%s/freezer.state", dir);
        kl_autofree char *procs = kl_asprintf("%s/cgroup.procs", dir);
        kl_autoclosedir DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d)))
                if (de->d_type == DT_DIR && de->d_name[0] != '.') {
                        kl_autofree char *sub = kl_asprintf("%s/%s", dir, de->d_name);

                        kill_and_rmdir(sub);
                }
        if (access(freezer, F_OK) == 0) {
                kl_autoclose int fd = open(freezer, O_WRONLY | O_CLOEXEC);

                if (fd >= 0)
                        (void)kl_write_all(fd, "THAWED", 6);
        }
        for (int round = 0; round < 500; round++) {
                kl_autofree char *text = NULL;
                char **lines;

                if (kl_read_file(procs, 1 << 20, &text, NULL) < 0 || !*text)
                        break;
                lines = kl_strv_split(text, '\n');
                for (size_t i = 0; lines[i]; i++) {
                        pid_t pid;

                        if (kl_parse_pid(lines[i], &pid) == 0)
                                (void)kill(pid, SIGKILL);
                }
                kl_strv_free(lines);
                (void)usleep(10000);
        }
        for (int t = 0; t < 100 && rmdir(dir) < 0 && errno == EBUSY; t++)
                (void)usleep(10000);
}

/* Whatever a test left below our parent, in every hierarchy, and the parent itself. */
static void teardown(void)
{
        struct kl_container__cgroup *own;

        if (!parent_name[0])
                return;
        own = own_cgroup();
        for (size_t i = 0; own->dirs[i]; i++) {
                kl_autofree char *p = kl_asprintf("%s/%s", own->dirs[i], parent_name);

                kill_and_rmdir(p);
        }
        kl_container__cgroup_free(own);
        while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
}

static void setup(void)
{
        parent_name[0] = '\0';
}

TestSuite(cgroup, .init = setup, .fini = teardown, .timeout = 120);

/* Root with cgroups we may write: else the test is skipped. */
static void need_cgroups(void)
{
        struct kl_container__cgroup *own = NULL;
        kl_autofree char *mi = NULL, *self = NULL;
        kl_autoerr struct kl_err *e = NULL;
        size_t mi_len = 0, self_len = 0;
        int r;

        if (geteuid() != 0)
                cr_skip_test("needs root to create cgroups");
        if (kl_read_file("/proc/self/mountinfo", 4 << 20, &mi, &mi_len) < 0 ||
            kl_read_file("/proc/self/cgroup", 65536, &self, &self_len) < 0 ||
            kl_container__cgroup_own(mi, mi_len, self, self_len, &own, NULL) < 0)
                cr_skip_test("no usable cgroup hierarchy");
        for (size_t i = 0; own->dirs[i]; i++)
                if (access(own->dirs[i], W_OK) < 0) {
                        kl_container__cgroup_free(own);
                        cr_skip_test("the cgroup filesystem is read-only here");
                }
        kl_container__cgroup_free(own);
        own = NULL;
        (void)snprintf(parent_name, sizeof(parent_name), "kl-test-cgroup-%d", (int)getpid());
        /* Root of a user namespace may make directories but not set their devices. */
        r = kl_container__cgroup_create(parent_name, "probe", NULL, &own, &e);
        if (r == -EPERM || r == -EACCES || r == -EROFS) {
                teardown(); /* a skipped test does not reach .fini */
                cr_skip_test("cannot configure cgroups here: %s", kl_err_msg(e));
        }
        cr_assert_eq(r, 0, "%s", kl_err_msg(e));
        cr_assert_eq(kl_container__cgroup_remove(own, NULL), 0);
        kl_container__cgroup_free(own);
        /* Grandchildren orphaned by a kill come back to us to be reaped. */
        cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
}

static struct kl_container__cgroup *make(const char *name, const struct kl_ctr_resources *res)
{
        struct kl_container__cgroup *cg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        int r = kl_container__cgroup_create(parent_name, name, res, &cg, &e);

        cr_assert_eq(r, 0, "create '%s': %s", name, kl_err_msg(e));
        return cg;
}

static char *read_value(const char *dir, const char *file)
{
        kl_autofree char *path = kl_asprintf("%s/%s", dir, file);
        char *text = NULL;
        size_t len = 0;

        cr_assert_eq(kl_read_file(path, 1 << 20, &text, &len), 0, "read '%s'", path);
        while (len > 0 && text[len - 1] == '\n')
                text[--len] = '\0';
        return text;
}

/* The leaf of `cg` that holds `file`. */
static const char *dir_of(const struct kl_container__cgroup *cg, const char *file)
{
        for (size_t i = 0; cg->dirs[i]; i++) {
                kl_autofree char *p = kl_asprintf("%s/%s", cg->dirs[i], file);

                if (access(p, F_OK) == 0)
                        return cg->dirs[i];
        }
        return NULL;
}

static void expect_file(const struct kl_container__cgroup *cg, const char *file, const char *want)
{
        const char *dir = dir_of(cg, file);
        kl_autofree char *got = NULL;

        cr_assert(dir, "no cgroup has '%s'", file);
        got = read_value(dir, file);
        cr_expect_str_eq(got, want, "%s/%s", dir, file);
}

/*
 * A child that waits for a byte on `go` (after the parent has moved it),
 * then runs `body` and reports its int result on `done`.
 */
struct child {
        pid_t pid;
        int go, done;
};

static struct child spawn(int (*body)(void *), void *arg)
{
        int go[2], done[2];
        struct child c;

        cr_assert_eq(pipe2(go, O_CLOEXEC), 0);
        cr_assert_eq(pipe2(done, O_CLOEXEC), 0);
        c.pid = fork();
        cr_assert_geq(c.pid, 0);
        if (c.pid == 0) {
                char b;
                int v;

                (void)close(go[1]);
                (void)close(done[0]);
                if (read(go[0], &b, 1) != 1)
                        _exit(120);
                v = body(arg);
                if (write(done[1], &v, sizeof(v)) != (ssize_t)sizeof(v))
                        _exit(121);
                for (;;)
                        (void)pause();
        }
        (void)close(go[0]);
        (void)close(done[1]);
        c.go = go[1];
        c.done = done[0];
        return c;
}

static void release(struct child *c)
{
        cr_assert_eq(write(c->go, "x", 1), 1);
}

/* The child's report; false when it died before sending one. */
static bool report(struct child *c, int *ret)
{
        return read(c->done, ret, sizeof(*ret)) == (ssize_t)sizeof(*ret);
}

static void child_close(struct child *c)
{
        (void)close(c->go);
        (void)close(c->done);
}

static int body_nothing(void *arg)
{
        (void)arg;
        return 0;
}

Test(cgroup, create_writes_limits)
{
        struct kl_ctr_resources res = {
                .memory_limit = 64 * MIB,
                .cpu_quota = 50000,
                .cpu_period = 100000,
                .cpu_shares = 512,
                .pids_limit = 10,
        };
        cg_auto struct kl_container__cgroup *own = NULL;
        cg_auto struct kl_container__cgroup *cg = NULL;

        need_cgroups();
        own = own_cgroup();
        cg = make("limits", &res);
        cr_expect_eq(cg->v2, own->v2);
        cr_assert_eq(kl_strv_length(cg->dirs), kl_strv_length(own->dirs));
        for (size_t i = 0; own->dirs[i]; i++) {
                kl_autofree char *want = kl_asprintf("%s/%s/limits", own->dirs[i], parent_name);
                struct stat st;

                cr_expect_str_eq(cg->dirs[i], want);
                cr_expect_eq(stat(cg->dirs[i], &st), 0);
        }
        if (cg->v2) {
                expect_file(cg, "memory.max", "67108864");
                expect_file(cg, "cpu.max", "50000 100000");
                expect_file(cg, "cpu.weight", "20");
                expect_file(cg, "pids.max", "10");
                return;
        }
        expect_file(cg, "memory.limit_in_bytes", "67108864");
        if (dir_of(cg, "memory.memsw.limit_in_bytes"))
                expect_file(cg, "memory.memsw.limit_in_bytes", "67108864");
        expect_file(cg, "cpu.cfs_period_us", "100000");
        expect_file(cg, "cpu.cfs_quota_us", "50000");
        expect_file(cg, "cpu.shares", "512");
        expect_file(cg, "pids.max", "10");

        const char *devdir = dir_of(cg, "devices.list");

        cr_assert(devdir);
        kl_autofree char *devices = read_value(devdir, "devices.list");
        kl_autostrv char **lines = kl_strv_split(devices, '\n');

        cr_expect_eq(kl_strv_length(lines), KL_ARRAY_SIZE(v1_devices), "%s", devices);
        cr_expect(!kl_strv_contains(lines, "a *:* rwm"));
        for (size_t i = 0; i < KL_ARRAY_SIZE(v1_devices); i++)
                cr_expect(kl_strv_contains(lines, v1_devices[i]), "no '%s' in %s", v1_devices[i],
                          devices);

        const char *cpuset = dir_of(cg, "cpuset.cpus");

        if (cpuset) {
                kl_autofree char *cpus = read_value(cpuset, "cpuset.cpus");
                kl_autofree char *mems = read_value(cpuset, "cpuset.mems");

                cr_expect(*cpus && *mems, "cpuset left empty: '%s' '%s'", cpus, mems);
        }
}

Test(cgroup, create_existing_is_eexist)
{
        cg_auto struct kl_container__cgroup *cg = NULL;
        cg_auto struct kl_container__cgroup *again = NULL;
        kl_autoerr struct kl_err *e = NULL;

        need_cgroups();
        cg = make("dup", NULL);
        cr_expect_eq(kl_container__cgroup_create(parent_name, "dup", NULL, &again, &e), -EEXIST);
        cr_expect(e && e->code == EEXIST);
        cr_expect_null(again);
        /* The first one is untouched. */
        for (size_t i = 0; cg->dirs[i]; i++)
                cr_expect_eq(access(cg->dirs[i], F_OK), 0, "%s", cg->dirs[i]);
}

Test(cgroup, invalid_names)
{
        static const char *const names[] = { "", ".", "..", "a/b", "/abs" };
        static const char *const parents[] = { "/abs", "a/../b", "a//b", "a/", "./x" };
        struct kl_container__cgroup *cg = NULL;

        for (size_t i = 0; i < KL_ARRAY_SIZE(names); i++)
                cr_expect_eq(kl_container__cgroup_create("p", names[i], NULL, &cg, NULL), -EINVAL,
                             "name '%s'", names[i]);
        for (size_t i = 0; i < KL_ARRAY_SIZE(parents); i++)
                cr_expect_eq(kl_container__cgroup_create(parents[i], "x", NULL, &cg, NULL), -EINVAL,
                             "parent '%s'", parents[i]);
        cr_expect_null(cg);
}

Test(cgroup, failed_write_removes_the_leaves)
{
        struct kl_container__cgroup *cg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_resources res = { .memory_limit = 64 * MIB, .pids_limit = 10 };
        cg_auto struct kl_container__cgroup *own = NULL;

        need_cgroups();
        own = own_cgroup();
        /* The third write is a limit (after any cpuset copies on v1, some limit): it fails. */
        kl_fault_arm("container.cgroup.write", 3, false, -EIO);
        cr_assert_eq(kl_container__cgroup_create(parent_name, "broken", &res, &cg, &e), -EIO);
        kl_fault_reset();
        cr_expect_null(cg);
        for (size_t i = 0; own->dirs[i]; i++) {
                kl_autofree char *leaf = kl_asprintf("%s/%s/broken", own->dirs[i], parent_name);

                cr_expect_neq(access(leaf, F_OK), 0, "'%s' left behind", leaf);
        }
}

Test(cgroup, enter_moves_a_process)
{
        cg_auto struct kl_container__cgroup *cg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct child c;
        int v = -1;

        need_cgroups();
        cg = make("enter", NULL);
        c = spawn(body_nothing, NULL);
        cr_assert_eq(kl_container__cgroup_enter(cg, c.pid, &e), 0, "%s", kl_err_msg(e));
        release(&c);
        cr_assert(report(&c, &v));

        kl_autofree char *path = kl_asprintf("/proc/%d/cgroup", (int)c.pid);
        kl_autofree char *text = NULL;
        kl_autofree char *suffix = kl_asprintf("/%s/enter", parent_name);
        size_t n = 0;

        cr_assert_eq(kl_read_file(path, 65536, &text, NULL), 0);
        kl_autostrv char **lines = kl_strv_split(text, '\n');

        for (size_t i = 0; lines[i]; i++) {
                const char *c1 = strchr(lines[i], ':');
                const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

                if (!c2 || kl_startswith(c1 + 1, "name=") || (cg->v2 != (c2 == c1 + 1)))
                        continue;
                if (!cg->v2 && (kl_startswith(c1 + 1, "net_") || kl_startswith(c1 + 1, "perf") ||
                                kl_startswith(c1 + 1, "hugetlb") || kl_startswith(c1 + 1, "rdma") ||
                                kl_startswith(c1 + 1, "misc")))
                        continue;
                cr_expect(kl_endswith(c2 + 1, suffix), "%s", lines[i]);
                n++;
        }
        cr_expect_eq(n, kl_strv_length(cg->dirs), "%s", text);
        cr_assert_eq(kill(c.pid, SIGKILL), 0);
        cr_assert_eq(waitpid(c.pid, NULL, 0), c.pid);
        child_close(&c);
}

#define OOM_SIZE ((size_t)64 << 20)

static int body_oom(void *arg)
{
        char *p = mmap(NULL, OOM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        (void)arg;
        if (p == MAP_FAILED)
                return -1;
        for (size_t i = 0; i < OOM_SIZE; i += 4096)
                p[i] = 1;
        return 1; /* survived: the limit did nothing */
}

Test(cgroup, memory_limit_oom_kills)
{
        struct kl_ctr_resources res = { .memory_limit = 32 * MIB };
        cg_auto struct kl_container__cgroup *cg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        uint64_t kills = 99;
        struct child c;
        int status = 0, v = 0;

        need_cgroups();
        cg = make("oom", &res);
        cr_assert_eq(kl_container__cgroup_oom_kills(cg, &kills, &e), 0, "%s", kl_err_msg(e));
        cr_expect_eq(kills, 0);
        c = spawn(body_oom, NULL);
        cr_assert_eq(kl_container__cgroup_enter(cg, c.pid, &e), 0, "%s", kl_err_msg(e));
        release(&c);
        cr_expect(!report(&c, &v), "the child survived its allocation (%d)", v);
        cr_assert_eq(waitpid(c.pid, &status, 0), c.pid);
        cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
        cr_assert_eq(kl_container__cgroup_oom_kills(cg, &kills, &e), 0, "%s", kl_err_msg(e));
        cr_expect_eq(kills, 1);
        child_close(&c);
}

/* Fork sleeping children until fork fails: the count, and the errno as a negative. */
static int body_forks(void *arg)
{
        int n = 0;

        (void)arg;
        for (; n < 50; n++) {
                pid_t p = fork();

                if (p < 0)
                        return errno == EAGAIN ? n : -errno;
                if (p == 0) {
                        for (;;)
                                (void)pause();
                }
        }
        return n;
}

Test(cgroup, pids_max_stops_forks)
{
        struct kl_ctr_resources res = { .pids_limit = 5 };
        cg_auto struct kl_container__cgroup *cg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_stats st;
        struct child c;
        int v = -1;

        need_cgroups();
        cg = make("pids", &res);
        c = spawn(body_forks, NULL);
        cr_assert_eq(kl_container__cgroup_enter(cg, c.pid, &e), 0, "%s", kl_err_msg(e));
        release(&c);
        cr_assert(report(&c, &v));
        /* The child and four of its own: five processes, the fifth fork got EAGAIN. */
        cr_expect_eq(v, 4, "forks that succeeded: %d", v);
        cr_assert_eq(kl_container__cgroup_stats(cg, &st, &e), 0, "%s", kl_err_msg(e));
        cr_expect_eq(st.pids, 5);
        cr_assert_eq(kl_container__cgroup_signal_all(cg, SIGKILL, &e), 0, "%s", kl_err_msg(e));
        cr_assert_eq(waitpid(c.pid, NULL, 0), c.pid);
        child_close(&c);
}

/* A tree: three children, each with a child of its own, all asleep. */
static int body_tree(void *arg)
{
        (void)arg;
        for (int i = 0; i < 3; i++) {
                pid_t p = fork();

                if (p < 0)
                        return -errno;
                if (p == 0) {
                        if (fork() < 0)
                                _exit(1);
                        for (;;)
                                (void)pause();
                }
        }
        return 0;
}

static size_t count_procs(const struct kl_container__cgroup *cg)
{
        kl_autofree char *text = read_value(cg->dirs[0], "cgroup.procs");
        kl_autostrv char **lines = kl_strv_split(text, '\n');

        return *text ? kl_strv_length(lines) : 0;
}

static void signal_tree(int sig)
{
        cg_auto struct kl_container__cgroup *cg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct child c;
        int status = 0, v = -1;

        cg = make("tree", NULL);
        c = spawn(body_tree, NULL);
        cr_assert_eq(kl_container__cgroup_enter(cg, c.pid, &e), 0, "%s", kl_err_msg(e));
        release(&c);
        cr_assert(report(&c, &v));
        cr_assert_eq(v, 0);
        /* The grandchildren fork on their own: wait until all seven are in. */
        while (count_procs(cg) < 7)
                (void)usleep(1000);
        cr_assert_eq(kl_container__cgroup_signal_all(cg, sig, &e), 0, "%s", kl_err_msg(e));
        cr_assert_eq(waitpid(c.pid, &status, 0), c.pid);
        cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == sig, "status %#x", status);
        if (sig == SIGKILL)
                cr_expect_eq(count_procs(cg), 0);
        /* Never left frozen. */
        if (dir_of(cg, "freezer.state"))
                expect_file(cg, "freezer.state", "THAWED");
        if (dir_of(cg, "cgroup.freeze"))
                expect_file(cg, "cgroup.freeze", "0");
        while (count_procs(cg) > 0)
                (void)usleep(1000);
        /* Everyone reaped (we are their subreaper), the cgroup can go. */
        while (waitpid(-1, NULL, 0) > 0)
                ;
        cr_assert_eq(kl_container__cgroup_remove(cg, &e), 0, "%s", kl_err_msg(e));
        child_close(&c);
}

Test(cgroup, signal_all_kills_a_tree)
{
        need_cgroups();
        signal_tree(SIGKILL);
}

Test(cgroup, signal_all_terminates_a_tree)
{
        need_cgroups();
        signal_tree(SIGTERM);
}

#define BUSY_SIZE ((size_t)8 << 20)

static volatile uint64_t busy_sink; /* keeps the busy loop from being optimised away */

static int body_busy(void *arg)
{
        char *p = mmap(NULL, BUSY_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        (void)arg;
        if (p == MAP_FAILED)
                return -1;
        for (size_t i = 0; i < BUSY_SIZE; i += 4096)
                p[i] = 1;
        for (uint64_t i = 0; i < 50000000; i++)
                busy_sink += i;
        return 0;
}

Test(cgroup, stats_of_a_busy_child)
{
        struct kl_ctr_resources res = { .memory_limit = 256 * MIB };
        cg_auto struct kl_container__cgroup *cg = NULL;
        cg_auto struct kl_container__cgroup *unlimited = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_stats st;
        struct child c;
        int v = -1;

        need_cgroups();
        cg = make("busy", &res);
        c = spawn(body_busy, NULL);
        cr_assert_eq(kl_container__cgroup_enter(cg, c.pid, &e), 0, "%s", kl_err_msg(e));
        release(&c);
        cr_assert(report(&c, &v));
        cr_assert_eq(v, 0);
        cr_assert_eq(kl_container__cgroup_stats(cg, &st, &e), 0, "%s", kl_err_msg(e));
        cr_expect_gt(st.cpu_usage_nsec, 0);
        cr_expect_geq(st.memory_usage, BUSY_SIZE);
        cr_expect_gt(st.memory_working_set, 0);
        cr_expect_leq(st.memory_working_set, st.memory_usage);
        cr_expect_eq(st.memory_limit, (uint64_t)256 * MIB);
        cr_expect_eq(st.pids, 1);
        cr_expect_gt(st.timestamp_usec, 0);

        unlimited = make("unlimited", NULL);
        cr_assert_eq(kl_container__cgroup_stats(unlimited, &st, &e), 0, "%s", kl_err_msg(e));
        cr_expect_eq(st.memory_limit, 0);
        cr_expect_eq(st.pids, 0);

        cr_assert_eq(kill(c.pid, SIGKILL), 0);
        cr_assert_eq(waitpid(c.pid, NULL, 0), c.pid);
        child_close(&c);
}

Test(cgroup, remove_leaves_no_directory)
{
        cg_auto struct kl_container__cgroup *cg = NULL;
        kl_autoerr struct kl_err *e = NULL;

        need_cgroups();
        cg = make("gone", NULL);
        cr_assert_eq(kl_container__cgroup_remove(cg, &e), 0, "%s", kl_err_msg(e));
        for (size_t i = 0; cg->dirs[i]; i++) {
                kl_autofree char *parent =
                        kl_strndup(cg->dirs[i], strrchr(cg->dirs[i], '/') - cg->dirs[i]);

                cr_expect_neq(access(cg->dirs[i], F_OK), 0, "'%s' is still there", cg->dirs[i]);
                cr_expect_eq(access(parent, F_OK), 0, "the shared parent '%s' went too", parent);
        }
        /* Twice is fine: nothing is left to remove. */
        cr_expect_eq(kl_container__cgroup_remove(cg, NULL), 0);
}

Test(cgroup, load_checks_the_directories)
{
        cg_auto struct kl_container__cgroup *cg = NULL;
        cg_auto struct kl_container__cgroup *loaded = NULL;
        cg_auto struct kl_container__cgroup *bad = NULL;
        kl_autoerr struct kl_err *e = NULL;
        char *tmp[] = { (char *)"/tmp", NULL };
        char *rel[] = { (char *)"sys/fs/cgroup/memory", NULL };
        char *dots[] = { (char *)"/sys/fs/cgroup/memory/../x", NULL };

        need_cgroups();
        cg = make("load", NULL);
        cr_assert_eq(kl_container__cgroup_load(cg->dirs, &loaded, &e), 0, "%s", kl_err_msg(e));
        cr_expect_eq(loaded->v2, cg->v2);
        cr_assert_eq(kl_strv_length(loaded->dirs), kl_strv_length(cg->dirs));
        for (size_t i = 0; cg->dirs[i]; i++)
                cr_expect_str_eq(loaded->dirs[i], cg->dirs[i]);
        cr_expect_eq(kl_container__cgroup_load(tmp, &bad, NULL), -EINVAL);
        cr_expect_eq(kl_container__cgroup_load(rel, &bad, NULL), -EINVAL);
        cr_expect_eq(kl_container__cgroup_load(dots, &bad, NULL), -EINVAL);
        cr_expect_eq(kl_container__cgroup_load(NULL, &bad, NULL), -EINVAL);
        cr_expect_null(bad);

        /* A removed cgroup still loads (to be cleaned up), and reads as gone. */
        cr_assert_eq(kl_container__cgroup_remove(cg, &e), 0, "%s", kl_err_msg(e));
        kl_container__cgroup_free(loaded);
        loaded = NULL;
        cr_assert_eq(kl_container__cgroup_load(cg->dirs, &loaded, &e), 0, "%s", kl_err_msg(e));
        cr_expect_eq(kl_container__cgroup_signal_all(loaded, SIGKILL, NULL), 0);
        cr_expect_eq(kl_container__cgroup_remove(loaded, NULL), 0);
}
