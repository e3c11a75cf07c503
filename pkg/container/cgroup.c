/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's cgroup, v1 or v2 as the host mounts them, decided at run
 * time from /proc/self/mountinfo (ctr-internal.h has the contract).
 *
 * A container's cgroup is <mount>/<own>/<parent>/<name> in every hierarchy
 * we use, where <own> is the cgroup the calling process (the shim) is in.
 * The parents are shared between containers and stay; only the leaf belongs
 * to the container, and only the leaf is removed. The struct keeps nothing
 * but the leaf directories, so that a cgroup loaded from a state file is the
 * same thing as a created one: which directory serves which controller is
 * found from the files it holds (the one with memory.stat is the memory
 * cgroup), the way the kernel itself tells them apart.
 *
 * Devices: on v1 the leaf denies every device but runc's default list. A
 * privileged container needs "a" allowed again; create() has no parameter
 * for it, so that is the caller's (see the helper's report). v2 restricts
 * devices with a BPF program, which is not done here.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "container/ctr-internal.h"

KL_DEFINE_CLEANUP_FUNC(struct kl_container__cgroup, kl_container__cgroup_free);

#define MOUNTINFO_MAX ((size_t)4 << 20) /* a host with tens of thousands of mounts */
#define SELF_MAX      ((size_t)64 << 10)
#define VALUE_MAX     ((size_t)64 << 10) /* memory.stat is about 2 KiB */
#define PROCS_MAX     ((size_t)8 << 20)  /* a million pids */
#define NAME_MAX_LEN  255

/* 2^62: v1 reports "no limit" as PAGE_COUNTER_MAX pages, 0x7ffffffffffff000 on x86-64. */
#define UNLIMITED_FLOOR ((uint64_t)1 << 62)

/* The v1 controllers a container gets a directory for. */
static const char *const used_controllers[] = {
        "memory", "cpu", "cpuacct", "pids", "cpuset", "devices", "freezer", "blkio",
};

/* Every controller the kernel knows by name (v1 super options, /proc/<pid>/cgroup). */
static const char *const known_controllers[] = {
        "cpuset",  "cpu",      "cpuacct",    "blkio",   "io",   "memory", "devices", "freezer",
        "net_cls", "net_prio", "perf_event", "hugetlb", "pids", "rdma",   "misc",    "debug",
};

/* v2 controllers enabled down the path, those the limits need plus io for stats. */
static const char *const v2_controllers[] = { "cpuset", "cpu", "io", "memory", "pids" };

/*
 * runc's default device rules (libcontainer/specconv AllowedDevices, with
 * tun/tap re-added in 1.2.4), which containerd's CRI plugin relies on.
 */
static const char *const allowed_devices[] = {
        "c *:* m",   "b *:* m",   "c 1:3 rwm", "c 1:8 rwm",   "c 1:7 rwm", "c 5:0 rwm",
        "c 1:5 rwm", "c 1:9 rwm", "c 5:1 rwm", "c 136:* rwm", "c 5:2 rwm", "c 10:200 rwm",
};

static bool in_list(const char *const *list, size_t n, const char *s, size_t len)
{
        for (size_t i = 0; i < n; i++)
                if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
                        return true;
        return false;
}

static void sleep_msec(unsigned ms)
{
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* "a" + "/" + "b" with neither a doubled nor a trailing slash; "" and "/" for b add nothing. */
static char *path_join(const char *a, const char *b)
{
        size_t la = strlen(a), lb;

        while (*b == '/')
                b++;
        while (la > 1 && a[la - 1] == '/')
                la--;
        if (!*b)
                return kl_strndup(a, la);
        if (la == 1 && a[0] == '/')
                la = 0;
        lb = strlen(b);
        while (lb > 0 && b[lb - 1] == '/')
                lb--;
        return kl_asprintf("%.*s/%.*s", (int)la, a, (int)lb, b);
}

/* ---- the pure parts: mountinfo, /proc/self/cgroup, flat-keyed files, settings ---- */

struct mount_entry {
        char *root;       /* owned */
        char *mountpoint; /* owned */
        char **ctrls;     /* owned: known controllers of the super options (v1) */
        bool v2;
};

struct member {
        unsigned id;
        char **ctrls; /* owned: known controllers; named hierarchies keep none */
        char *path;   /* owned */
};

static void mounts_free(struct mount_entry *m, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(m[i].root);
                free(m[i].mountpoint);
                kl_strv_free(m[i].ctrls);
        }
        free(m);
}

static void members_free(struct member *m, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                kl_strv_free(m[i].ctrls);
                free(m[i].path);
        }
        free(m);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape_octal(const char *s, size_t len)
{
        char *out = kl_malloc(len + 1);
        size_t o = 0;

        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' &&
                    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        out[o++] = (char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) |
                                          (s[i + 3] - '0'));
                        i += 3;
                } else {
                        out[o++] = s[i];
                }
        }
        out[o] = '\0';
        return out;
}

/* The known controllers named in a comma-separated list (super options or a cgroup line). */
static char **controllers_of(const char *s, size_t len)
{
        char **v = NULL;
        size_t i = 0;

        while (i < len) {
                size_t j = i;

                while (j < len && s[j] != ',')
                        j++;
                if (in_list(known_controllers, KL_ARRAY_SIZE(known_controllers), s + i, j - i)) {
                        kl_autofree char *c = kl_strndup(s + i, j - i);

                        if (!kl_strv_contains(v, c))
                                kl_strv_push(&v, c);
                }
                i = j + 1;
        }
        return v;
}

static bool same_set(char *const *a, char *const *b)
{
        if (kl_strv_length(a) != kl_strv_length(b))
                return false;
        for (size_t i = 0; a && a[i]; i++)
                if (!kl_strv_contains(b, a[i]))
                        return false;
        return true;
}

static bool uses_controller(char *const *ctrls)
{
        for (size_t i = 0; ctrls && ctrls[i]; i++)
                if (in_list(used_controllers, KL_ARRAY_SIZE(used_controllers), ctrls[i],
                            strlen(ctrls[i])))
                        return true;
        return false;
}

/* Split one line into at most `max` space-separated fields; returns how many. */
static size_t split_fields(const char *line, size_t len, const char **f, size_t *fl, size_t max)
{
        size_t n = 0, i = 0;

        while (i < len && n < max) {
                size_t j = i;

                while (j < len && line[j] != ' ')
                        j++;
                f[n] = line + i;
                fl[n] = j - i;
                n++;
                i = j + 1;
        }
        return n;
}

#define MI_FIELDS 64

static int parse_mountinfo(const char *text, size_t len, struct mount_entry **ret, size_t *ret_n,
                           struct kl_err **err)
{
        struct mount_entry *m = NULL;
        size_t n = 0, lineno = 0, pos = 0;

        while (pos < len) {
                const char *line = text + pos;
                const char *nl = memchr(line, '\n', len - pos);
                size_t ll = nl ? (size_t)(nl - line) : len - pos;
                const char *f[MI_FIELDS];
                size_t fl[MI_FIELDS], nf, sep = 0;

                pos += ll + 1;
                lineno++;
                if (ll == 0)
                        continue;
                nf = split_fields(line, ll, f, fl, MI_FIELDS);
                for (size_t i = 6; i < nf; i++)
                        if (fl[i] == 1 && f[i][0] == '-') {
                                sep = i;
                                break;
                        }
                if (sep == 0 || sep + 3 >= nf) {
                        mounts_free(m, n);
                        return kl_err_set(err, -EINVAL, "mountinfo line %zu: malformed", lineno);
                }
                bool v1 = fl[sep + 1] == 6 && memcmp(f[sep + 1], "cgroup", 6) == 0;
                bool v2 = fl[sep + 1] == 7 && memcmp(f[sep + 1], "cgroup2", 7) == 0;

                if (!v1 && !v2)
                        continue;
                if (fl[3] == 0 || f[3][0] != '/' || fl[4] == 0 || f[4][0] != '/') {
                        mounts_free(m, n);
                        return kl_err_set(err, -EINVAL, "mountinfo line %zu: not absolute paths",
                                          lineno);
                }
                m = kl_realloc(m, (n + 1) * sizeof(*m));
                m[n] = (struct mount_entry){
                        .root = unescape_octal(f[3], fl[3]),
                        .mountpoint = unescape_octal(f[4], fl[4]),
                        .ctrls = v1 ? controllers_of(f[sep + 3], fl[sep + 3]) : NULL,
                        .v2 = v2,
                };
                n++;
        }
        *ret = m;
        *ret_n = n;
        return 0;
}

/* /proc/<pid>/cgroup: "<id>:<controllers>:<path>", the path may itself hold ':'. */
static int parse_self(const char *text, size_t len, struct member **ret, size_t *ret_n,
                      struct kl_err **err)
{
        struct member *m = NULL;
        size_t n = 0, lineno = 0, pos = 0;

        while (pos < len) {
                const char *line = text + pos;
                const char *nl = memchr(line, '\n', len - pos);
                size_t ll = nl ? (size_t)(nl - line) : len - pos;
                const char *c1, *c2;
                char idbuf[16];
                unsigned id;

                pos += ll + 1;
                lineno++;
                if (ll == 0)
                        continue;
                c1 = memchr(line, ':', ll);
                c2 = c1 ? memchr(c1 + 1, ':', ll - (size_t)(c1 + 1 - line)) : NULL;
                if (!c2 || c1 == line || (size_t)(c1 - line) >= sizeof(idbuf) ||
                    c2 + 1 == line + ll || c2[1] != '/') {
                        members_free(m, n);
                        return kl_err_set(err, -EINVAL, "/proc/self/cgroup line %zu: malformed",
                                          lineno);
                }
                memcpy(idbuf, line, (size_t)(c1 - line));
                idbuf[c1 - line] = '\0';
                if (kl_parse_uint(idbuf, &id) < 0) {
                        members_free(m, n);
                        return kl_err_set(err, -EINVAL,
                                          "/proc/self/cgroup line %zu: bad hierarchy id", lineno);
                }
                m = kl_realloc(m, (n + 1) * sizeof(*m));
                m[n] = (struct member){
                        .id = id,
                        .ctrls = controllers_of(c1 + 1, (size_t)(c2 - c1 - 1)),
                        .path = kl_strndup(c2 + 1, (size_t)(line + ll - c2 - 1)),
                };
                n++;
        }
        *ret = m;
        *ret_n = n;
        return 0;
}

/* The path of `own` below the mount's `root`, or NULL when the mount does not show it. */
static const char *below_root(const char *own, const char *root)
{
        const char *rest;

        if (kl_streq(root, "/"))
                return own;
        rest = kl_startswith(own, root);
        if (!rest || (*rest && *rest != '/'))
                return NULL;
        return rest;
}

int kl_container__cgroup_own(const char *mountinfo, size_t mountinfo_len, const char *self,
                             size_t self_len, struct kl_container__cgroup **ret,
                             struct kl_err **err)
{
        struct mount_entry *mounts = NULL;
        struct member *members = NULL;
        size_t n_mounts = 0, n_members = 0;
        kl_autostrv char **dirs = NULL;
        bool v1 = false, v2 = false;
        int r;

        r = parse_mountinfo(mountinfo, mountinfo_len, &mounts, &n_mounts, err);
        if (r < 0)
                return r;
        r = parse_self(self, self_len, &members, &n_members, err);
        if (r < 0) {
                mounts_free(mounts, n_mounts);
                return r;
        }
        for (size_t i = 0; i < n_mounts; i++) {
                if (!mounts[i].v2 && uses_controller(mounts[i].ctrls))
                        v1 = true;
                if (mounts[i].v2)
                        v2 = true;
        }

        if (v1) {
                /* seen: the hierarchy is mounted; done: a mount of it shows our cgroup. */
                bool *seen = kl_calloc(n_members ? n_members : 1, sizeof(bool));
                bool *done = kl_calloc(n_members ? n_members : 1, sizeof(bool));

                for (size_t i = 0; i < n_mounts && r == 0; i++) {
                        struct mount_entry *mt = &mounts[i];
                        const char *rel;
                        size_t j;

                        if (mt->v2 || !uses_controller(mt->ctrls))
                                continue;
                        for (j = 0; j < n_members; j++)
                                if (members[j].id != 0 && same_set(members[j].ctrls, mt->ctrls))
                                        break;
                        if (j == n_members) {
                                r = kl_err_set(err, -ENOENT,
                                               "cgroup hierarchy mounted at '%s' is not in "
                                               "/proc/self/cgroup",
                                               mt->mountpoint);
                                break;
                        }
                        seen[j] = true;
                        if (done[j])
                                continue; /* the same hierarchy mounted twice */
                        rel = below_root(members[j].path, mt->root);
                        if (!rel)
                                continue; /* a bind mount of another part of the tree */
                        done[j] = true;
                        kl_strv_push_take(&dirs, path_join(mt->mountpoint, rel));
                }
                for (size_t j = 0; j < n_members && r == 0; j++) {
                        if (!seen[j] || done[j])
                                continue; /* an unmounted hierarchy is not used */
                        r = kl_err_set(err, -ENOENT,
                                       "no mount of the cgroup hierarchy of '%s' shows '%s'",
                                       members[j].ctrls[0], members[j].path);
                }
                free(seen);
                free(done);
        } else if (v2) {
                kl_autofree char *trimmed = NULL;
                const char *own = NULL;

                for (size_t j = 0; j < n_members; j++)
                        if (members[j].id == 0 && !members[j].ctrls)
                                own = members[j].path;
                if (!own)
                        r = kl_err_set(err, -ENOENT, "no unified hierarchy in /proc/self/cgroup");
                /*
                 * After a first container our own processes sit in <own>/init
                 * (evacuate() in create), and so does every shim started
                 * later: the cgroup to build under is still <own>.
                 */
                if (own && kl_endswith(own, "/init")) {
                        trimmed = kl_strndup(own, strlen(own) - strlen("/init"));
                        own = *trimmed ? trimmed : "/";
                }
                for (size_t i = 0; i < n_mounts && r == 0 && !dirs; i++) {
                        const char *rel = mounts[i].v2 ? below_root(own, mounts[i].root) : NULL;

                        if (rel)
                                kl_strv_push_take(&dirs, path_join(mounts[i].mountpoint, rel));
                }
                if (r == 0 && !dirs)
                        r = kl_err_set(err, -ENOENT, "no cgroup2 mount shows '%s'", own);
        } else {
                r = kl_err_set(err, -ENOENT, "no cgroup hierarchy is mounted");
        }
        mounts_free(mounts, n_mounts);
        members_free(members, n_members);
        if (r < 0)
                return r;

        struct kl_container__cgroup *cg = kl_new0(struct kl_container__cgroup);

        cg->v2 = !v1;
        cg->dirs = KL_TAKE_PTR(dirs);
        *ret = cg;
        return 0;
}

int kl_container__cgroup_keyed_get(const char *text, size_t len, const char *key, uint64_t *ret)
{
        size_t kl = strlen(key), pos = 0;

        while (pos < len) {
                const char *line = text + pos;
                const char *nl = memchr(line, '\n', len - pos);
                size_t ll = nl ? (size_t)(nl - line) : len - pos;

                pos += ll + 1;
                if (ll > kl && line[kl] == ' ' && memcmp(line, key, kl) == 0) {
                        char num[24];
                        size_t vl = ll - kl - 1;

                        if (vl == 0 || vl >= sizeof(num))
                                return -EINVAL;
                        memcpy(num, line + kl + 1, vl);
                        num[vl] = '\0';
                        return kl_parse_uint64(num, ret) < 0 ? -EINVAL : 0;
                }
        }
        return -ENOENT;
}

uint64_t kl_container__cgroup_shares_to_weight(uint64_t shares)
{
        if (shares == 0)
                return 0;
        shares = KL_MAX(shares, 2);
        shares = KL_MIN(shares, 262144);
        return 1 + ((shares - 2) * 9999) / 262142;
}

#define SETTING_VALUE_SIZE sizeof(((struct kl_container__cgroup_setting *)NULL)->value)

/* Append a write of `file`; returns its value buffer (SETTING_VALUE_SIZE bytes) to fill. */
static char *setting_add(struct kl_container__cgroup_setting **v, size_t *n, const char *file,
                         bool optional)
{
        *v = kl_realloc(*v, (*n + 1) * sizeof(**v));
        (*v)[*n] = (struct kl_container__cgroup_setting){ .file = file, .optional = optional };
        return (*v)[(*n)++].value;
}

int kl_container__cgroup_settings(const struct kl_ctr_resources *res, bool v2,
                                  struct kl_container__cgroup_setting **ret, size_t *ret_n,
                                  struct kl_err **err)
{
        kl_autofree struct kl_container__cgroup_setting *v = NULL;
        size_t n = 0;
        uint64_t period = res->cpu_period ? res->cpu_period : 100000;

        if (res->memory_limit < 0)
                return kl_err_set(err, -EINVAL, "memory limit %" PRId64 " is negative",
                                  res->memory_limit);
        if (res->memory_swap < -1)
                return kl_err_set(err, -EINVAL, "memory+swap limit %" PRId64 " is invalid",
                                  res->memory_swap);
        if (res->memory_limit > 0 && res->memory_swap > 0 && res->memory_swap < res->memory_limit)
                return kl_err_set(err, -EINVAL,
                                  "memory+swap limit %" PRId64
                                  " is below the memory limit %" PRId64,
                                  res->memory_swap, res->memory_limit);
        if (res->memory_limit == 0 && res->memory_swap > 0)
                return kl_err_set(err, -EINVAL, "memory+swap limit without a memory limit");
        if (res->cpu_period > 0 && (res->cpu_period < 1000 || res->cpu_period > 1000000))
                return kl_err_set(err, -EINVAL, "cpu period %" PRIu64 " is outside 1000-1000000",
                                  res->cpu_period);

        if (!v2) {
                if (res->memory_limit > 0) {
                        (void)snprintf(setting_add(&v, &n, "memory.limit_in_bytes", false),
                                       SETTING_VALUE_SIZE, "%" PRId64, res->memory_limit);
                        /* Swap 0 means "as much as memory": no swap at all. */
                        (void)snprintf(setting_add(&v, &n, "memory.memsw.limit_in_bytes", true),
                                       SETTING_VALUE_SIZE, "%" PRId64,
                                       res->memory_swap == 0 ? res->memory_limit
                                                             : res->memory_swap);
                }
                if (res->cpu_quota > 0 || res->cpu_period > 0)
                        (void)snprintf(setting_add(&v, &n, "cpu.cfs_period_us", false),
                                       SETTING_VALUE_SIZE, "%" PRIu64, period);
                if (res->cpu_quota > 0)
                        (void)snprintf(setting_add(&v, &n, "cpu.cfs_quota_us", false),
                                       SETTING_VALUE_SIZE, "%" PRId64, res->cpu_quota);
                if (res->cpu_shares > 0)
                        (void)snprintf(setting_add(&v, &n, "cpu.shares", false), SETTING_VALUE_SIZE,
                                       "%" PRIu64, res->cpu_shares);
                if (res->pids_limit > 0)
                        (void)snprintf(setting_add(&v, &n, "pids.max", false), SETTING_VALUE_SIZE,
                                       "%" PRId64, res->pids_limit);
                else if (res->pids_limit < 0)
                        (void)snprintf(setting_add(&v, &n, "pids.max", false), SETTING_VALUE_SIZE,
                                       "max");
                (void)snprintf(setting_add(&v, &n, "devices.deny", false), SETTING_VALUE_SIZE, "a");
                for (size_t i = 0; i < KL_ARRAY_SIZE(allowed_devices); i++)
                        (void)snprintf(setting_add(&v, &n, "devices.allow", false),
                                       SETTING_VALUE_SIZE, "%s", allowed_devices[i]);
        } else {
                if (res->memory_limit > 0) {
                        (void)snprintf(setting_add(&v, &n, "memory.max", false), SETTING_VALUE_SIZE,
                                       "%" PRId64, res->memory_limit);
                        if (res->memory_swap == -1)
                                (void)snprintf(setting_add(&v, &n, "memory.swap.max", true),
                                               SETTING_VALUE_SIZE, "max");
                        else
                                (void)snprintf(setting_add(&v, &n, "memory.swap.max", true),
                                               SETTING_VALUE_SIZE, "%" PRId64,
                                               res->memory_swap == 0
                                                       ? 0
                                                       : res->memory_swap - res->memory_limit);
                }
                if (res->cpu_quota > 0)
                        (void)snprintf(setting_add(&v, &n, "cpu.max", false), SETTING_VALUE_SIZE,
                                       "%" PRId64 " %" PRIu64, res->cpu_quota, period);
                else if (res->cpu_period > 0)
                        (void)snprintf(setting_add(&v, &n, "cpu.max", false), SETTING_VALUE_SIZE,
                                       "max %" PRIu64, period);
                if (res->cpu_shares > 0)
                        (void)snprintf(setting_add(&v, &n, "cpu.weight", false), SETTING_VALUE_SIZE,
                                       "%" PRIu64,
                                       kl_container__cgroup_shares_to_weight(res->cpu_shares));
                if (res->pids_limit > 0)
                        (void)snprintf(setting_add(&v, &n, "pids.max", false), SETTING_VALUE_SIZE,
                                       "%" PRId64, res->pids_limit);
                else if (res->pids_limit < 0)
                        (void)snprintf(setting_add(&v, &n, "pids.max", false), SETTING_VALUE_SIZE,
                                       "max");
        }
        *ret = KL_TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

/* ---- files of the cgroup filesystem ---- */

static int write_file(const char *dir, const char *file, const char *value, struct kl_err **err)
{
        kl_autofree char *path = path_join(dir, file);
        kl_autoclose int fd = -EBADF;
        size_t len = strlen(value);
        ssize_t w;
        int r;

        r = KL_FAULT("container.cgroup.write");
        if (r < 0)
                return kl_err_set(err, r, "write '%s' to '%s'", value, path);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return kl_err_set(err, -errno, "open '%s'", path);
        /* One write(2): cgroup files take one value per call. */
        do
                w = write(fd, value, len);
        while (w < 0 && errno == EINTR);
        if (w < 0)
                return kl_err_set(err, -errno, "write '%s' to '%s'", value, path);
        if ((size_t)w != len)
                return kl_err_set(err, -EIO, "write '%s' to '%s': short write", value, path);
        return 0;
}

static int read_file(const char *dir, const char *file, size_t max, char **ret, size_t *ret_len,
                     struct kl_err **err)
{
        kl_autofree char *path = path_join(dir, file);
        int r = kl_read_file(path, max, ret, ret_len);

        if (r < 0)
                return kl_err_set(err, r, "read '%s'", path);
        return 0;
}

static int read_u64(const char *dir, const char *file, uint64_t *ret, struct kl_err **err)
{
        kl_autofree char *text = NULL;
        size_t len = 0;
        int r = read_file(dir, file, VALUE_MAX, &text, &len, err);

        if (r < 0)
                return r;
        while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
                text[--len] = '\0';
        if (kl_streq(text, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        if (kl_parse_uint64(text, ret) < 0)
                return kl_err_set(err, -EINVAL, "read '%s/%s': not a number", dir, file);
        return 0;
}

static int read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret,
                      struct kl_err **err)
{
        kl_autofree char *text = NULL;
        size_t len = 0;
        int r = read_file(dir, file, VALUE_MAX, &text, &len, err);

        if (r < 0)
                return r;
        r = kl_container__cgroup_keyed_get(text, len, key, ret);
        if (r == -EINVAL)
                return kl_err_set(err, r, "read '%s/%s': bad value of '%s'", dir, file, key);
        return r; /* -ENOENT without a message: the caller decides */
}

static bool has_file(const char *dir, const char *file)
{
        kl_autofree char *path = path_join(dir, file);

        return access(path, F_OK) == 0;
}

/* The directory of `cg` that has `file`: which hierarchy has the controller. */
static const char *dir_with(const struct kl_container__cgroup *cg, const char *file)
{
        for (size_t i = 0; cg->dirs && cg->dirs[i]; i++)
                if (has_file(cg->dirs[i], file))
                        return cg->dirs[i];
        return NULL;
}

/* The pids of cgroup.procs; *ret may be NULL (none). */
static int read_procs(const char *dir, pid_t **ret, size_t *ret_n, struct kl_err **err)
{
        kl_autofree char *text = NULL;
        kl_autofree pid_t *pids = NULL;
        size_t len = 0, n = 0, pos = 0;
        int r = read_file(dir, "cgroup.procs", PROCS_MAX, &text, &len, err);

        if (r < 0)
                return r;
        while (pos < len) {
                char *line = text + pos;
                char *nl = memchr(line, '\n', len - pos);
                size_t ll = nl ? (size_t)(nl - line) : len - pos;
                pid_t pid;

                pos += ll + 1;
                if (ll == 0)
                        continue;
                line[ll] = '\0';
                if (kl_parse_pid(line, &pid) < 0)
                        return kl_err_set(err, -EINVAL, "read '%s/cgroup.procs': bad pid", dir);
                pids = kl_realloc(pids, (n + 1) * sizeof(*pids));
                pids[n++] = pid;
        }
        *ret = KL_TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

static int read_own(struct kl_container__cgroup **ret, struct kl_err **err)
{
        kl_autofree char *mi = NULL, *self = NULL;
        size_t mi_len = 0, self_len = 0;
        int r;

        r = kl_read_file("/proc/self/mountinfo", MOUNTINFO_MAX, &mi, &mi_len);
        if (r < 0) {
                (void)kl_err_set(err, r, "read '/proc/self/mountinfo'");
                return r;
        }
        r = kl_read_file("/proc/self/cgroup", SELF_MAX, &self, &self_len);
        if (r < 0) {
                (void)kl_err_set(err, r, "read '/proc/self/cgroup'");
                return r;
        }
        return kl_container__cgroup_own(mi, mi_len, self, self_len, ret, err);
}

/* ---- create ---- */

/* A relative path of plain names: no "", ".", ".." component, not absolute. */
static bool is_relative_path(const char *p, bool one_component)
{
        size_t len = strlen(p);

        if (len == 0 || len > 4096 || p[0] == '/')
                return false;
        for (const char *c = p; *c;) {
                const char *e = strchrnul(c, '/');
                size_t l = (size_t)(e - c);

                if (l == 0 || l > NAME_MAX_LEN || (l == 1 && c[0] == '.') ||
                    (l == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                if (*e && one_component)
                        return false;
                c = *e ? e + 1 : e;
                if (*e && !*c)
                        return false; /* a trailing slash */
        }
        return true;
}

/*
 * v1 cpuset: a new cgroup starts with empty cpus and mems and refuses tasks
 * until both are set; give every level from below `own` down to `leaf` its
 * parent's values.
 */
static int cpuset_fill(const char *own, const char *leaf, struct kl_err **err)
{
        static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
        size_t start = strlen(own);

        for (size_t end = start + 1; end <= strlen(leaf); end++) {
                if (leaf[end] != '/' && leaf[end] != '\0')
                        continue;
                kl_autofree char *dir = kl_strndup(leaf, end);
                kl_autofree char *parent = kl_strndup(leaf, strrchr(dir, '/') - dir);

                for (size_t i = 0; i < KL_ARRAY_SIZE(files); i++) {
                        kl_autofree char *cur = NULL, *up = NULL;
                        size_t len = 0;
                        int r = read_file(dir, files[i], VALUE_MAX, &cur, &len, err);

                        if (r < 0)
                                return r;
                        if (len > 0 && cur[0] != '\n')
                                continue;
                        r = read_file(parent, files[i], VALUE_MAX, &up, &len, err);
                        if (r < 0)
                                return r;
                        while (len > 0 && up[len - 1] == '\n')
                                up[--len] = '\0';
                        r = write_file(dir, files[i], up, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static void rmdir_all(char *const *dirs)
{
        for (size_t i = 0; dirs && dirs[i]; i++)
                (void)rmdir(dirs[i]);
}

static int apply_settings(const struct kl_container__cgroup *cg,
                          const struct kl_container__cgroup_setting *s, size_t n,
                          struct kl_err **err)
{
        for (size_t i = 0; i < n; i++) {
                const char *dir = dir_with(cg, s[i].file);
                int r;

                if (!dir) {
                        if (s[i].optional)
                                continue;
                        return kl_err_set_msg(err, -EOPNOTSUPP,
                                              "cgroup controller of '%s' is not available",
                                              s[i].file);
                }
                r = write_file(dir, s[i].file, s[i].value, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int create_v1(const struct kl_container__cgroup *own, const char *parent, const char *name,
                     const struct kl_container__cgroup_setting *s, size_t n,
                     struct kl_container__cgroup **ret, struct kl_err **err)
{
        struct kl_container__cgroup *cg = kl_new0(struct kl_container__cgroup);
        int r = 0;

        for (size_t i = 0; own->dirs[i] && r == 0; i++) {
                kl_autofree char *base = path_join(own->dirs[i], parent ? parent : "");
                char *leaf = path_join(base, name);

                r = kl_mkdir_p(base, 0755);
                if (r < 0) {
                        r = kl_err_set(err, r, "create cgroup '%s'", base);
                } else if (mkdir(leaf, 0755) < 0) {
                        r = kl_err_set(err, -errno, "create cgroup '%s'", leaf);
                } else {
                        kl_strv_push_take(&cg->dirs, leaf);
                        leaf = NULL;
                        if (has_file(own->dirs[i], "cpuset.cpus"))
                                r = cpuset_fill(own->dirs[i], cg->dirs[i], err);
                }
                free(leaf);
        }
        if (r == 0)
                r = apply_settings(cg, s, n, err);
        if (r < 0) {
                rmdir_all(cg->dirs);
                kl_container__cgroup_free(cg);
                return r;
        }
        *ret = cg;
        return 0;
}

/* v2: move every process of `own` into the leaf <own>/init, so `own` may delegate controllers. */
static int evacuate(const char *own, struct kl_err **err)
{
        kl_autofree char *init = path_join(own, "init");
        kl_autofree pid_t *pids = NULL;
        size_t n = 0;
        int r;

        if (mkdir(init, 0755) < 0 && errno != EEXIST)
                return kl_err_set(err, -errno, "create cgroup '%s'", init);
        r = read_procs(own, &pids, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                char num[24];
                kl_autoerr struct kl_err *e = NULL;

                (void)snprintf(num, sizeof(num), "%d", (int)pids[i]);
                r = write_file(init, "cgroup.procs", num, &e);
                if (r == -ESRCH)
                        continue; /* exited meanwhile */
                if (r < 0) {
                        *err = KL_TAKE_PTR(e);
                        return r;
                }
        }
        return 0;
}

/* Enable our controllers in `dir`'s cgroup.subtree_control, as far as they are available. */
static int delegate(const char *dir, bool is_own, struct kl_err **err)
{
        kl_autofree char *avail = NULL, *enabled = NULL;
        struct kl_buf want = KL_BUF_INIT;
        int r;

        r = read_file(dir, "cgroup.controllers", VALUE_MAX, &avail, NULL, err);
        if (r < 0)
                return r;
        r = read_file(dir, "cgroup.subtree_control", VALUE_MAX, &enabled, NULL, err);
        if (r < 0)
                return r;
        kl_autostrv char **av = kl_strv_split(avail, ' ');
        kl_autostrv char **en = kl_strv_split(enabled, ' ');

        for (size_t i = 0; av[i]; i++) {
                size_t l = strlen(av[i]);

                if (l > 0 && av[i][l - 1] == '\n')
                        av[i][l - 1] = '\0';
        }
        for (size_t i = 0; en[i]; i++) {
                size_t l = strlen(en[i]);

                if (l > 0 && en[i][l - 1] == '\n')
                        en[i][l - 1] = '\0';
        }
        for (size_t i = 0; i < KL_ARRAY_SIZE(v2_controllers); i++)
                if (kl_strv_contains(av, v2_controllers[i]) &&
                    !kl_strv_contains(en, v2_controllers[i]))
                        (void)kl_buf_printf(&want, "%s+%s", want.len ? " " : "", v2_controllers[i]);
        if (want.len == 0) {
                kl_buf_release(&want);
                return 0;
        }
        /*
         * A cgroup with processes cannot hand controllers down ("no internal
         * processes"): the kernel says EBUSY. Our own cgroup may have them
         * (the caller itself); they move to a leaf, as crun and k3s do, and
         * the write is retried, a few times in case processes were forked
         * into it meanwhile.
         */
        for (int attempt = 0;; attempt++) {
                kl_autoerr struct kl_err *e = NULL;

                r = write_file(dir, "cgroup.subtree_control", want.buf, &e);
                if (r != -EBUSY || !is_own || attempt == 5) {
                        if (r < 0)
                                *err = KL_TAKE_PTR(e);
                        break;
                }
                r = evacuate(dir, err);
                if (r < 0)
                        break;
        }
        kl_buf_release(&want);
        return r;
}

static int create_v2(const struct kl_container__cgroup *own, const char *parent, const char *name,
                     const struct kl_container__cgroup_setting *s, size_t n,
                     struct kl_container__cgroup **ret, struct kl_err **err)
{
        const char *top = own->dirs[0];
        kl_autofree char *base = path_join(top, parent ? parent : "");
        kl_autofree char *leaf = path_join(base, name);
        struct kl_container__cgroup *cg;
        int r;

        r = kl_mkdir_p(base, 0755);
        if (r < 0)
                return kl_err_set(err, r, "create cgroup '%s'", base);
        for (size_t end = strlen(top); end <= strlen(base); end++) {
                if (base[end] != '/' && base[end] != '\0')
                        continue;
                kl_autofree char *level = kl_strndup(base, end);

                r = delegate(level, end == strlen(top), err);
                if (r < 0)
                        return r;
        }
        if (mkdir(leaf, 0755) < 0)
                return kl_err_set(err, -errno, "create cgroup '%s'", leaf);
        cg = kl_new0(struct kl_container__cgroup);
        cg->v2 = true;
        kl_strv_push_take(&cg->dirs, KL_TAKE_PTR(leaf));
        r = apply_settings(cg, s, n, err);
        if (r < 0) {
                rmdir_all(cg->dirs);
                kl_container__cgroup_free(cg);
                return r;
        }
        *ret = cg;
        return 0;
}

int kl_container__cgroup_create(const char *parent, const char *name,
                                const struct kl_ctr_resources *res,
                                struct kl_container__cgroup **ret, struct kl_err **err)
{
        static const struct kl_ctr_resources none = { 0 };
        kl_cleanup(kl_container__cgroup_freep) struct kl_container__cgroup *own = NULL;
        kl_autofree struct kl_container__cgroup_setting *s = NULL;
        size_t n = 0;
        int r;

        if (!name || !is_relative_path(name, true))
                return kl_err_set(err, -EINVAL, "invalid cgroup name '%s'", name ? name : "");
        if (parent && !*parent)
                parent = NULL;
        if (parent && !is_relative_path(parent, false))
                return kl_err_set(err, -EINVAL, "invalid cgroup parent '%s'", parent);
        r = kl_container__cgroup_settings(res ? res : &none, false, &s, &n, err);
        if (r < 0)
                return r;
        r = read_own(&own, err);
        if (r < 0)
                return r;
        if (own->v2) {
                free(KL_TAKE_PTR(s));
                r = kl_container__cgroup_settings(res ? res : &none, true, &s, &n, err);
                if (r < 0)
                        return r;
                return create_v2(own, parent, name, s, n, ret, err);
        }
        return create_v1(own, parent, name, s, n, ret, err);
}

/* ---- load, free ---- */

static bool is_cgroup_fs(const struct statfs *st, bool *ret_v2)
{
        if (st->f_type == CGROUP2_SUPER_MAGIC) {
                *ret_v2 = true;
                return true;
        }
        if (st->f_type == CGROUP_SUPER_MAGIC) {
                *ret_v2 = false;
                return true;
        }
        return false;
}

int kl_container__cgroup_load(char *const *dirs, struct kl_container__cgroup **ret,
                              struct kl_err **err)
{
        kl_cleanup(kl_container__cgroup_freep) struct kl_container__cgroup *cg = NULL;
        size_t n = kl_strv_length(dirs);

        if (n == 0)
                return kl_err_set(err, -EINVAL, "no cgroup directories");
        cg = kl_new0(struct kl_container__cgroup);
        for (size_t i = 0; i < n; i++) {
                kl_autofree char *probe = kl_strdup(dirs[i]);
                struct statfs st;
                bool v2 = false;
                char *slash;

                if (dirs[i][0] != '/' || !is_relative_path(dirs[i] + 1, false))
                        return kl_err_set(err, -EINVAL, "invalid cgroup directory '%s'", dirs[i]);
                /*
                 * The container may be gone, its cgroup with it: what matters is
                 * that the path lies in a cgroup filesystem, so the nearest
                 * existing ancestor is asked (/sys/fs/cgroup itself is a tmpfs).
                 */
                while (statfs(probe, &st) < 0) {
                        int e = errno;

                        slash = strrchr(probe, '/');
                        if (e != ENOENT || !slash || slash == probe)
                                return kl_err_set(err, -e, "statfs '%s'", probe);
                        *slash = '\0';
                }
                if (!is_cgroup_fs(&st, &v2))
                        return kl_err_set(err, -EINVAL, "'%s' is not in a cgroup filesystem",
                                          dirs[i]);
                if (i > 0 && v2 != cg->v2)
                        return kl_err_set(err, -EINVAL, "'%s' mixes cgroup v1 and v2", dirs[i]);
                if (v2 && i > 0)
                        return kl_err_set(err, -EINVAL, "more than one cgroup2 directory");
                cg->v2 = v2;
                kl_strv_push(&cg->dirs, dirs[i]);
        }
        *ret = KL_TAKE_PTR(cg);
        return 0;
}

void kl_container__cgroup_free(struct kl_container__cgroup *cg)
{
        if (!cg)
                return;
        kl_strv_free(cg->dirs);
        free(cg);
}

/* ---- enter, oom_kills, stats ---- */

int kl_container__cgroup_enter(const struct kl_container__cgroup *cg, pid_t pid,
                               struct kl_err **err)
{
        char num[24];

        (void)snprintf(num, sizeof(num), "%d", (int)pid);
        for (size_t i = 0; cg->dirs && cg->dirs[i]; i++) {
                int r = write_file(cg->dirs[i], "cgroup.procs", num, err);

                if (r < 0)
                        return r;
        }
        return 0;
}

int kl_container__cgroup_oom_kills(const struct kl_container__cgroup *cg, uint64_t *ret,
                                   struct kl_err **err)
{
        const char *file = cg->v2 ? "memory.events" : "memory.oom_control";
        const char *dir = dir_with(cg, file);
        uint64_t v = 0;
        int r;

        /* No memory controller, or a kernel before 4.13 without the counter: none seen. */
        if (dir) {
                r = read_keyed(dir, file, "oom_kill", &v, err);
                if (r < 0 && r != -ENOENT)
                        return r;
                if (r == -ENOENT)
                        v = 0;
        }
        *ret = v;
        return 0;
}

/* read_u64() when `dir` is not NULL; the field stays 0 without the controller. */
static int stat_u64(const char *dir, const char *file, uint64_t *ret, struct kl_err **err)
{
        if (!dir)
                return 0;
        return read_u64(dir, file, ret, err);
}

static int stat_keyed(const char *dir, const char *file, const char *key, uint64_t *ret,
                      struct kl_err **err)
{
        int r;

        if (!dir)
                return 0;
        r = read_keyed(dir, file, key, ret, err);
        if (r == -ENOENT)
                return kl_err_set(err, -ENOENT, "read '%s/%s': no '%s'", dir, file, key);
        return r;
}

int kl_container__cgroup_stats(const struct kl_container__cgroup *cg, struct kl_ctr_stats *ret,
                               struct kl_err **err)
{
        struct kl_ctr_stats st = { .timestamp_usec = (int64_t)kl_now_realtime() };
        uint64_t inactive = 0, usec = 0;
        int r;

        if (cg->v2) {
                r = stat_keyed(dir_with(cg, "cpu.stat"), "cpu.stat", "usage_usec", &usec, err);
                if (r >= 0)
                        r = stat_u64(dir_with(cg, "memory.current"), "memory.current",
                                     &st.memory_usage, err);
                if (r >= 0)
                        r = stat_keyed(dir_with(cg, "memory.stat"), "memory.stat", "inactive_file",
                                       &inactive, err);
                if (r >= 0)
                        r = stat_u64(dir_with(cg, "memory.max"), "memory.max", &st.memory_limit,
                                     err);
                st.cpu_usage_nsec = usec > UINT64_MAX / 1000 ? UINT64_MAX : usec * 1000;
        } else {
                r = stat_u64(dir_with(cg, "cpuacct.usage"), "cpuacct.usage", &st.cpu_usage_nsec,
                             err);
                if (r >= 0)
                        r = stat_u64(dir_with(cg, "memory.usage_in_bytes"), "memory.usage_in_bytes",
                                     &st.memory_usage, err);
                if (r >= 0)
                        r = stat_keyed(dir_with(cg, "memory.stat"), "memory.stat",
                                       "total_inactive_file", &inactive, err);
                if (r >= 0)
                        r = stat_u64(dir_with(cg, "memory.limit_in_bytes"), "memory.limit_in_bytes",
                                     &st.memory_limit, err);
        }
        if (r >= 0)
                r = stat_u64(dir_with(cg, "pids.current"), "pids.current", &st.pids, err);
        if (r < 0)
                return r;
        if (st.memory_limit >= UNLIMITED_FLOOR)
                st.memory_limit = 0;
        /* The kubelet's working set: usage less what the kernel can drop first. */
        st.memory_working_set = st.memory_usage > inactive ? st.memory_usage - inactive : 0;
        *ret = st;
        return 0;
}

/* ---- signal_all, remove ---- */

#define KILL_ROUNDS  1000 /* SIGKILL rounds, 10 ms apart, until the cgroup is empty */
#define FREEZE_POLLS 1000 /* 1 ms apart */
#define REMOVE_TRIES 100  /* 10 ms apart */

/* Freeze (true) or thaw; a freeze that does not settle is given up (signals still go out). */
static int set_frozen(const struct kl_container__cgroup *cg, const char *dir, bool frozen,
                      struct kl_err **err)
{
        const char *file = cg->v2 ? "cgroup.freeze" : "freezer.state";
        const char *value = cg->v2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
        int r = write_file(dir, file, value, err);

        if (r < 0 || !frozen)
                return r;
        for (int i = 0; i < FREEZE_POLLS; i++) {
                kl_autofree char *state = NULL;
                uint64_t v = 0;

                if (cg->v2) {
                        if (read_keyed(dir, "cgroup.events", "frozen", &v, NULL) == 0 && v == 1)
                                return 0;
                } else {
                        if (read_file(dir, "freezer.state", VALUE_MAX, &state, NULL, NULL) == 0 &&
                            kl_startswith(state, "FROZEN"))
                                return 0;
                        /* A task between states can make the kernel give up: ask again. */
                        if (i % 100 == 99)
                                (void)write_file(dir, file, value, NULL);
                }
                sleep_msec(1);
        }
        return 0;
}

static int kill_listed(const char *dir, int sig, size_t *ret_n, struct kl_err **err)
{
        kl_autofree pid_t *pids = NULL;
        size_t n = 0;
        int r = read_procs(dir, &pids, &n, err);

        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (kill(pids[i], sig) < 0 && errno != ESRCH)
                        return kl_err_set(err, -errno, "kill %d", (int)pids[i]);
        *ret_n = n;
        return 0;
}

int kl_container__cgroup_signal_all(const struct kl_container__cgroup *cg, int sig,
                                    struct kl_err **err)
{
        const char *freezer = dir_with(cg, cg->v2 ? "cgroup.freeze" : "freezer.state");
        const char *dir = freezer ? freezer : (cg->dirs ? cg->dirs[0] : NULL);
        int r;

        if (!dir)
                return kl_err_set(err, -EINVAL, "a cgroup without directories");
        if (!has_file(dir, "cgroup.procs"))
                return 0; /* gone already: nothing left to signal */

        if (cg->v2 && sig == SIGKILL && has_file(dir, "cgroup.kill")) {
                r = write_file(dir, "cgroup.kill", "1", err);
                if (r < 0)
                        return r;
        } else {
                size_t n = 0;

                /* Frozen, nobody forks between the listing and the signal. */
                if (freezer) {
                        r = set_frozen(cg, freezer, true, err);
                        if (r < 0)
                                return r;
                }
                r = kill_listed(dir, sig, &n, err);
                if (freezer) {
                        kl_autoerr struct kl_err *e = NULL;
                        int t = set_frozen(cg, freezer, false, r < 0 ? NULL : &e);

                        if (r >= 0 && t < 0) {
                                *err = KL_TAKE_PTR(e);
                                r = t;
                        }
                }
                if (r < 0 || sig != SIGKILL)
                        return r;
        }
        /*
         * SIGKILL: until the cgroup is empty. Without a freezer a process may
         * have forked after the listing; dying ones are signalled again,
         * which does no harm.
         */
        for (int round = 0; round < KILL_ROUNDS; round++) {
                size_t n = 0;

                r = kill_listed(dir, SIGKILL, &n, err);
                if (r < 0)
                        return r;
                if (n == 0)
                        return 0;
                sleep_msec(10);
        }
        return kl_err_set_msg(err, -EBUSY, "processes still in cgroup '%s' after SIGKILL", dir);
}

int kl_container__cgroup_remove(const struct kl_container__cgroup *cg, struct kl_err **err)
{
        for (size_t i = 0; cg->dirs && cg->dirs[i]; i++) {
                int r = 0;

                /* The kernel lets a cgroup go shortly after its last process has exited. */
                for (int t = 0; t < REMOVE_TRIES; t++) {
                        r = KL_NEG_ERRNO(rmdir(cg->dirs[i]));
                        if (r != -EBUSY)
                                break;
                        sleep_msec(10);
                }
                if (r < 0 && r != -ENOENT)
                        return kl_err_set(err, r, "remove cgroup '%s'", cg->dirs[i]);
        }
        return 0;
}
