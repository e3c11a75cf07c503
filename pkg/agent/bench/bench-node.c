/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-node: a single-node cluster, `kube-lite server` with its embedded
 * agent, measured against references taken in the same run (issue 7, the
 * `make bench` acceptance item):
 *
 *   cold start      exec of the server to the Node's Ready condition True,
 *                   median of 5, each in a fresh data dir; beside it the same
 *                   server with --disable-agent to the first 200 of /readyz
 *                   (the control plane alone), and k3s's documented ~30 s
 *                   (documented, not measured)
 *   one pod         POST of a Pod (busybox `sleep 3600`, image in the store)
 *                   to status.phase Running, polled every 5 ms; 20 pods one
 *                   after another, each deleted after, after 1 untimed
 *                   warm-up; p50 and p99; beside it `kube-lite ctr run -d` of
 *                   the same image and command (fork to exit, i.e. started
 *                   and detached) on a store of its own, and `crun run -d`
 *                   of the same rootfs (`crun spec`'s defaults, RuntimeDefault
 *                   seccomp; in a private mount namespace where the hybrid
 *                   layout's cgroup2 mount is hidden, as bench-ctr does),
 *                   same count; crun is skipped with a note when absent
 *   100 pods        100 POSTs sent one after another as fast as they are
 *                   answered, to the last Running (LIST polled every 50 ms)
 *   idle RSS        VmRSS (and Pss from smaps_rollup) of the server after the
 *                   pods are gone and 10 s idle; beside it the control plane
 *                   alone, idle 10 s after /readyz
 *   idle CPU        utime+stime of the server from /proc/<pid>/stat over
 *                   $KL_BENCH_IDLE_SECONDS (default 60), as % of one core
 *
 * The API is spoken with libcurl and the admin client certificate the server
 * writes to <data-dir>/server/tls; nothing is subtracted for the client.
 *
 * Set-up is not timed: a scratch directory under $KL_BENCH_DIR (default /tmp)
 * holds one directory per server (data, state, pod logs, kubeconfig); the
 * busybox test image built there by scripts/test-images.sh is copied into each
 * node's <data-dir>/agent/images (the air-gap directory). Everything made is
 * removed at the end, also after a failure: every container (`kube-lite ctr
 * rm -f` with the node's dirs), every mount below the scratch directory (pod
 * namespaces are bind mounts), the cgroups kl-bench-node-<pid>* below our own
 * in each hierarchy, and the servers we started (SIGTERM by pid, then
 * SIGKILL). The whole benchmark runs in a network namespace of its own (the
 * node's pod network — bridge, veths, nftables — is set up there, host-gw
 * since there is one node, and goes with the namespace); nothing is sent
 * anywhere but to 127.0.0.1 and the pods' own addresses.
 *
 * Environment: $KL_BENCH_BIN, the kube-lite binary (default
 * ../../../kube-lite from this program); $KL_BENCH_DIR; $KL_BENCH_TEST_IMAGES,
 * the script that builds the test images (default scripts/test-images.sh, from
 * the top of the tree); $KL_BENCH_IDLE_SECONDS; $KL_BENCH_KEEP: keep the
 * scratch directory (the servers' logs are in it); $KL_BENCH_VERBOSE: print
 * each pod's time to stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base/base.h"
#include "container/container.h"

#define COLD_RUNS      5
#define POD_RUNS       20
#define MANY_PODS      100
#define CG_MAX         16
#define CG_DEPTH       8                  /* components of our memory cgroup's path */
#define RESPONSE_MAX   ((size_t)16 << 20) /* what we read of one API response */
#define OUTPUT_MAX     ((size_t)1 << 20)  /* what we read of a tool's stdout */
#define READY_TIMEOUT  (60 * KL_USEC_PER_SEC)
#define POD_TIMEOUT    (120 * KL_USEC_PER_SEC)
#define MANY_TIMEOUT   (300 * KL_USEC_PER_SEC)
#define GONE_TIMEOUT   (120 * KL_USEC_PER_SEC)
#define TOOL_TIMEOUT   (120 * KL_USEC_PER_SEC)
#define STOP_TIMEOUT   (30 * KL_USEC_PER_SEC)
#define POLL_POD_USEC  (5 * KL_USEC_PER_MSEC)
#define POLL_MANY_USEC (50 * KL_USEC_PER_MSEC)
#define SETTLE_USEC    (10 * KL_USEC_PER_SEC)
/* Busy cgroups at clean-up: how long their removal is retried, the longest pause between tries. */
#define CG_RMDIR_TIMEOUT   (30 * KL_USEC_PER_SEC)
#define CG_RMDIR_PAUSE_MAX (100 * KL_USEC_PER_MSEC)

extern char **environ;

static const char image_name[] = "localhost/kube-lite-test/busybox:1";
static const char node_name[] = "kl-bench";

struct hierarchy {
        char *mount;            /* owned: /sys/fs/cgroup/memory */
        char *own;              /* owned: our cgroup in it, "" for the root */
        bool existed[CG_DEPTH]; /* prefixes of our memory cgroup that existed at start */
};

/* One `kube-lite server` and its directory. */
struct server {
        char *dir;          /* owned: its scratch directory */
        char *data;         /* owned: --data-dir */
        char *state;        /* owned: --state-dir */
        pid_t pid;          /* -1 once reaped */
        int port;           /* --https-listen-port */
        bool agent;         /* with the embedded agent */
        CURL *curl;         /* owned: one keep-alive connection to it */
        struct kl_buf body; /* the last response */
};

struct ctx {
        char *dir;    /* owned: the scratch directory */
        char *bin;    /* owned: kube-lite */
        char *log;    /* owned: the tools' stdout and stderr */
        char *tar;    /* owned: the busybox test image, an OCI archive */
        char *cg;     /* owned: "kl-bench-node-<pid>", the agent's cgroup-root */
        char *cg_ctr; /* owned: "<cg>-ctr", the reference containers' parent */
        char *mem_cg; /* owned: our memory cgroup, "" for the root (crun's paths are below it) */
        char *crun;   /* owned: crun, NULL when not installed */
        struct hierarchy h[CG_MAX];
        size_t n_h;
        struct server *live[COLD_RUNS * 2 + 1]; /* ref: servers not yet stopped */
        unsigned seq;
};

/* What was measured; 0 (or -1 for memory) is "not measured". */
struct results {
        kl_usec_t cold_node[COLD_RUNS], cold_cp[COLD_RUNS];
        size_t n_cold_node, n_cold_cp;
        kl_usec_t pod[POD_RUNS], ctr[POD_RUNS], crun[POD_RUNS];
        size_t n_pod, n_ctr, n_crun;
        kl_usec_t many;
        size_t many_running;
        long rss_kb, pss_kb, cp_rss_kb, cp_pss_kb;
        double cpu_pct;
        unsigned idle_seconds;
        char why_ctr[256];
        char why_crun[256];
        char crun_version[64];
};

static void cleanup(struct ctx *c);
static struct ctx *current;

static KL_NORETURN void die(const char *what, const char *detail)
{
        fprintf(stderr, "bench-node: %s: %s\n", what, detail);
        if (current) {
                struct ctx *c = current;

                current = NULL;
                cleanup(c);
        }
        abort();
}

static double ms(kl_usec_t usec)
{
        return (double)usec / 1000.0;
}

static int cmp_usec(const void *a, const void *b)
{
        kl_usec_t x = *(const kl_usec_t *)a, y = *(const kl_usec_t *)b;

        return x < y ? -1 : x > y;
}

/* The p-quantile (nearest rank) of n values, sorted here (a copy). */
static kl_usec_t pct(const kl_usec_t *v, size_t n, double p)
{
        kl_usec_t s[POD_RUNS > COLD_RUNS ? POD_RUNS : COLD_RUNS];
        size_t i;

        kl_assert(n > 0 && n <= KL_ARRAY_SIZE(s));
        memcpy(s, v, n * sizeof(*v));
        qsort(s, n, sizeof(*s), cmp_usec);
        i = (size_t)(p * (double)(n - 1) + 0.5);
        return s[KL_MIN(i, n - 1)];
}

static void push(char ***v, ...)
{
        va_list ap;

        va_start(ap, v);
        for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
                kl_strv_push(v, a);
        va_end(ap);
}

static void sleep_usec(kl_usec_t usec)
{
        struct timespec ts = { .tv_sec = (time_t)(usec / KL_USEC_PER_SEC),
                               .tv_nsec = (long)(usec % KL_USEC_PER_SEC) * 1000 };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* ---- processes ---- */

/* Start argv[0] with stdin /dev/null, stdout to `out_fd` (< 0: `log`), stderr to `log`. */
static pid_t spawn(char *const *argv, int out_fd, const char *log)
{
        posix_spawn_file_actions_t fa;
        pid_t pid = -1;
        int r;

        if (posix_spawn_file_actions_init(&fa) != 0)
                die("posix_spawn_file_actions_init", strerror(errno));
        (void)posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        if (out_fd >= 0)
                (void)posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
        else
                (void)posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_APPEND | O_CREAT,
                                                       0600);
        (void)posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_APPEND | O_CREAT, 0600);
        r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
        (void)posix_spawn_file_actions_destroy(&fa);
        if (r != 0) {
                fprintf(stderr, "bench-node: spawn '%s': %s\n", argv[0], strerror(r));
                return -1;
        }
        return pid;
}

/* Exit status of child `pid` (128+n after signal n); -1 if still running at `deadline` (killed). */
static int reap_by(pid_t pid, kl_usec_t deadline)
{
        kl_autoclose int pidfd = -EBADF;
        bool timed_out = false;
        int st;

        if (pid <= 0)
                return -1;
        pidfd = pidfd_open(pid, 0);
        while (pidfd >= 0) {
                struct pollfd p = { .fd = pidfd, .events = POLLIN };
                kl_usec_t now = kl_now_monotonic();
                int r;

                if (now >= deadline) {
                        (void)kill(pid, SIGKILL);
                        timed_out = true;
                        break;
                }
                r = poll(&p, 1, (int)KL_MIN((deadline - now + 999) / 1000, (kl_usec_t)INT32_MAX));
                if (r > 0 || (r < 0 && errno != EINTR))
                        break;
        }
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return -1;
        if (timed_out)
                return -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run_cmd(const struct ctx *c, char *const *argv)
{
        return reap_by(spawn(argv, -1, c->log), kl_now_monotonic() + TOOL_TIMEOUT);
}

/* Run argv and take its stdout, bounded; returns the exit status. */
static int run_capture(const struct ctx *c, char *const *argv, char **ret_out)
{
        kl_autobuf struct kl_buf out = KL_BUF_INIT_MAX(OUTPUT_MAX);
        kl_usec_t deadline = kl_now_monotonic() + TOOL_TIMEOUT;
        kl_autoclose int rfd = -EBADF;
        int fds[2];
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) < 0)
                die("pipe", strerror(errno));
        rfd = fds[0];
        pid = spawn(argv, fds[1], c->log);
        (void)close(fds[1]);
        if (pid < 0)
                return -1;
        for (;;) {
                struct pollfd p = { .fd = rfd, .events = POLLIN };
                kl_usec_t now = kl_now_monotonic();
                char chunk[4096];
                ssize_t n;
                int r;

                if (now >= deadline)
                        break;
                r = poll(&p, 1, (int)((deadline - now + 999) / 1000));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                n = read(rfd, chunk, sizeof(chunk));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0 || kl_buf_append(&out, chunk, (size_t)n) < 0)
                        break;
        }
        *ret_out = kl_buf_detach(&out, NULL);
        return reap_by(pid, deadline);
}

static int free_port(void)
{
        struct sockaddr_in a = { .sin_family = AF_INET };
        socklen_t len = sizeof(a);
        kl_autoclose int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
            getsockname(fd, (struct sockaddr *)&a, &len) < 0)
                die("free port", strerror(errno));
        return ntohs(a.sin_port);
}

/* ---- /proc ---- */

/* The number after "key:" in a /proc file, in KiB; -1 when unreadable. */
static long proc_kb(const char *file, const char *key)
{
        kl_autofree char *text = NULL;
        size_t klen = strlen(key);

        if (kl_read_file(file, 64 << 10, &text, NULL) < 0)
                return -1;
        for (const char *p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
                char num[32];
                int64_t kb;
                const char *v;

                if (strncmp(p, key, klen) != 0 || p[klen] != ':')
                        continue;
                v = p + klen + 1;
                v += strspn(v, " \t");
                (void)snprintf(num, sizeof(num), "%.*s", (int)strspn(v, "0123456789"), v);
                return kl_parse_int64(num, &kb) == 0 ? (long)kb : -1;
        }
        return -1;
}

static void memory_of(pid_t pid, long *ret_rss, long *ret_pss)
{
        kl_autofree char *status = kl_asprintf("/proc/%d/status", (int)pid);
        kl_autofree char *rollup = kl_asprintf("/proc/%d/smaps_rollup", (int)pid);

        *ret_rss = proc_kb(status, "VmRSS");
        *ret_pss = proc_kb(rollup, "Pss");
}

/* utime+stime of `pid` in clock ticks from /proc/<pid>/stat; -1 when unreadable. */
static int64_t cpu_ticks(pid_t pid)
{
        kl_autofree char *path = kl_asprintf("/proc/%d/stat", (int)pid);
        kl_autofree char *text = NULL;
        char *p, *save = NULL;
        uint64_t utime = 0, stime = 0;
        int field = 2; /* the comm, up to the last ')' */

        if (kl_read_file(path, 4096, &text, NULL) < 0 || !(p = strrchr(text, ')')))
                return -1;
        for (char *t = strtok_r(p + 1, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
                field++;
                if (field == 14 && kl_parse_uint64(t, &utime) < 0)
                        return -1;
                if (field == 15) {
                        if (kl_parse_uint64(t, &stime) < 0)
                                return -1;
                        return (int64_t)(utime + stime);
                }
        }
        return -1;
}

/* ---- files, mounts, cgroups ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        if (flag == FTW_DP)
                (void)rmdir(path);
        else
                (void)unlink(path);
        return 0;
}

static void rm_rf(const char *path)
{
        (void)nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
}

static void copy_file(const char *from, const char *to)
{
        kl_autofree char *data = NULL;
        size_t len = 0;

        if (kl_read_file(from, 256 << 20, &data, &len) < 0 ||
            kl_write_file_atomic(to, data, len, 0644, KL_WRITE_FILE_MKDIR | KL_WRITE_FILE_NOSYNC) <
                    0)
                die("copy", from);
}

static int cmp_str_desc(const void *a, const void *b)
{
        return strcmp(*(char *const *)b, *(char *const *)a);
}

/* Every mount below `dir` (pod namespaces, tmpfs volumes): detached, deepest first. */
static void umount_below(const char *dir)
{
        kl_autofree char *text = NULL;
        kl_autostrv char **points = NULL;
        size_t dlen = strlen(dir), n = 0;
        char *save = NULL;

        if (kl_read_file("/proc/self/mountinfo", 16 << 20, &text, NULL) < 0)
                return;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *f = line, *end;

                /* id parent major:minor root MOUNTPOINT ... */
                for (int i = 0; i < 4 && f; i++)
                        f = strchr(f, ' ') ? strchr(f, ' ') + 1 : NULL;
                if (!f || !(end = strchr(f, ' ')))
                        continue;
                *end = '\0';
                if (strncmp(f, dir, dlen) == 0 && (f[dlen] == '/' || f[dlen] == '\0')) {
                        kl_strv_push(&points, f);
                        n++;
                }
        }
        if (n == 0)
                return;
        qsort(points, n, sizeof(*points), cmp_str_desc);
        for (size_t i = 0; i < n; i++)
                if (umount2(points[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                        fprintf(stderr, "bench-node: umount %s: %s\n", points[i], strerror(errno));
}

/* Our cgroup in each hierarchy, from /proc/self/cgroup (as bench-ctr reads it). */
static void cgroups_init(struct ctx *c)
{
        kl_autofree char *text = NULL;
        char *save = NULL;

        if (kl_read_file("/proc/self/cgroup", 64 << 10, &text, NULL) < 0)
                die("read", "/proc/self/cgroup");
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *ctrl = strchr(line, ':'), *own;
                const char *name;
                kl_autofree char *mount = NULL;
                struct stat st;

                if (!ctrl || !(own = strchr(ctrl + 1, ':')) || c->n_h == CG_MAX)
                        continue;
                *own++ = '\0';
                ctrl++;
                name = kl_startswith(ctrl, "name=") ? kl_startswith(ctrl, "name=") : ctrl;
                if (*name) {
                        /* "cpu,cpuacct": the mount is named by the list, or a link to it. */
                        mount = kl_asprintf("/sys/fs/cgroup/%s", name);
                } else if (stat("/sys/fs/cgroup/unified", &st) == 0) {
                        mount = kl_strdup("/sys/fs/cgroup/unified");
                } else {
                        mount = kl_strdup("/sys/fs/cgroup");
                }
                if (stat(mount, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                if (strcmp(ctrl, "memory") == 0) {
                        free(c->mem_cg);
                        c->mem_cg = kl_strdup(strcmp(own, "/") == 0 ? "" : own);
                }
                c->h[c->n_h].mount = KL_TAKE_PTR(mount);
                c->h[c->n_h].own = kl_strdup(strcmp(own, "/") == 0 ? "" : own);
                c->n_h++;
        }
        if (!c->mem_cg)
                c->mem_cg = kl_strdup("");
        /* Which prefixes of our memory cgroup exist in each hierarchy (crun may add them). */
        for (size_t i = 0; i < c->n_h; i++) {
                size_t k = 0;

                for (const char *p = c->mem_cg; *p && k < CG_DEPTH; k++) {
                        const char *end = strchrnul(p + 1, '/');
                        kl_autofree char *dir = kl_asprintf("%s%.*s", c->h[i].mount,
                                                            (int)(end - c->mem_cg), c->mem_cg);

                        c->h[i].existed[k] = access(dir, F_OK) == 0;
                        p = end;
                }
        }
}

/*
 * Removing cgroups races the kernel and the containers' own clean-up. A
 * cgroup is busy (EBUSY) while a task of it is still exiting, which can take
 * seconds on a loaded machine, and a parent is busy while it has a child.
 * `ctr rm -f` and `crun delete -f` remove the containers' cgroups, possibly
 * while we walk, and nftw() gives up the whole walk when a directory it has
 * just listed is gone before it opens it. Either way a parent could be left
 * behind, empty once its child went. Hence: walk, and while the top is still
 * there and busy, walk again; each removal is retried on EBUSY with a
 * growing pause, as crun's destroy_cgroup_path does, until a deadline.
 */
static int rmdir_busy(const char *path, kl_usec_t deadline)
{
        kl_usec_t pause = KL_USEC_PER_MSEC;

        for (;;) {
                if (rmdir(path) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY || kl_now_monotonic() >= deadline)
                        return -errno;
                sleep_usec(pause);
                pause = KL_MIN(pause * 2, CG_RMDIR_PAUSE_MAX);
        }
}

/* One attempt per directory, deepest first; rm_cgroup_tree() walks again while any is left. */
static int rm_cgroup_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        if (flag == FTW_DP)
                (void)rmdir(path);
        return 0;
}

/* The cgroup `path` and every cgroup below it. */
static void rm_cgroup_tree(const char *path, kl_usec_t deadline)
{
        kl_usec_t pause = KL_USEC_PER_MSEC;

        for (;;) {
                int r;

                (void)nftw(path, rm_cgroup_entry, 16, FTW_DEPTH | FTW_PHYS);
                r = rmdir_busy(path, 0);
                if (r == 0)
                        return;
                if (r != -EBUSY || kl_now_monotonic() >= deadline) {
                        fprintf(stderr, "bench-node: cannot remove cgroup %s: %s\n", path,
                                strerror(-r));
                        return;
                }
                sleep_usec(pause);
                pause = KL_MIN(pause * 2, CG_RMDIR_PAUSE_MAX);
        }
}

/* The cgroups of our name below ours, in every hierarchy. */
static void cgroups_cleanup(const struct ctx *c)
{
        kl_usec_t deadline = kl_now_monotonic() + CG_RMDIR_TIMEOUT;

        for (size_t i = 0; i < c->n_h; i++) {
                kl_autofree char *a = kl_asprintf("%s%s/%s", c->h[i].mount, c->h[i].own, c->cg);
                kl_autofree char *b = kl_asprintf("%s%s/%s", c->h[i].mount, c->h[i].own, c->cg_ctr);

                kl_autofree char *crun =
                        kl_asprintf("%s%s/%s-crun", c->h[i].mount, c->mem_cg, c->cg);
                size_t depth = 0;

                rm_cgroup_tree(a, deadline);
                rm_cgroup_tree(b, deadline);
                rm_cgroup_tree(crun, deadline);
                /* The prefixes of our memory cgroup crun made in this hierarchy, deepest first. */
                for (const char *p = c->mem_cg; *p; p = strchrnul(p + 1, '/'))
                        depth++;
                for (size_t k = KL_MIN(depth, (size_t)CG_DEPTH); k-- > 0;) {
                        const char *end = c->mem_cg;
                        kl_autofree char *dir = NULL;

                        if (c->h[i].existed[k])
                                continue;
                        for (size_t n = 0; n <= k; n++)
                                end = strchrnul(end + 1, '/');
                        dir = kl_asprintf("%s%.*s", c->h[i].mount, (int)(end - c->mem_cg),
                                          c->mem_cg);
                        (void)rmdir_busy(dir, deadline);
                }
        }
}

/* ---- containers ---- */

static char **ctr_argv(const struct ctx *c, const char *data, const char *state, const char *verb)
{
        char **v = NULL;

        push(&v, c->bin, "ctr", "--data-dir", data, "--state-dir", state, verb, NULL);
        return v;
}

/* Every container of the store at data/state: removed. */
static void containers_rm(const struct ctx *c, const char *data, const char *state)
{
        kl_autostrv char **ps = ctr_argv(c, data, state, "ps");
        kl_autofree char *out = NULL;
        char *save = NULL;

        push(&ps, "-a", "-q", NULL);
        if (run_capture(c, ps, &out) != 0 || !out)
                return;
        for (char *id = strtok_r(out, "\n", &save); id; id = strtok_r(NULL, "\n", &save)) {
                kl_autostrv char **rm = ctr_argv(c, data, state, "rm");

                push(&rm, "-f", id, NULL);
                if (run_cmd(c, rm) != 0)
                        fprintf(stderr, "bench-node: 'ctr rm -f %s' failed\n", id);
        }
}

/* How many containers the store at data/state holds; -1 when unknown. */
static int containers_count(const struct ctx *c, const char *data, const char *state)
{
        kl_autostrv char **ps = ctr_argv(c, data, state, "ps");
        kl_autofree char *out = NULL;
        int n = 0;

        push(&ps, "-a", "-q", NULL);
        if (run_capture(c, ps, &out) != 0 || !out)
                return -1;
        for (const char *p = out; *p; p++)
                n += *p == '\n';
        return n;
}

/* ---- the API, over libcurl with the admin client certificate ---- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct kl_buf *b = userdata;

        if (kl_buf_append(b, data, size * nmemb) < 0)
                return 0; /* over RESPONSE_MAX: curl fails the transfer */
        return size * nmemb;
}

/*
 * One request; the HTTP status (0: no answer) and, when `ret` is given and the
 * body is JSON, the body. `body` is JSON or NULL.
 */
static long api(struct server *s, const char *method, const char *path, const char *body,
                json_t **ret)
{
        kl_autofree char *url = kl_asprintf("https://127.0.0.1:%d%s", s->port, path);
        struct curl_slist *hdrs = NULL;
        long status = 0;
        CURLcode rc;

        kl_buf_reset(&s->body);
        (void)curl_easy_setopt(s->curl, CURLOPT_URL, url);
        (void)curl_easy_setopt(s->curl, CURLOPT_CUSTOMREQUEST, method);
        hdrs = curl_slist_append(hdrs, "Accept: application/json");
        if (body) {
                hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
                (void)curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, body);
        } else {
                (void)curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, NULL);
                (void)curl_easy_setopt(s->curl, CURLOPT_HTTPGET, 1L);
                (void)curl_easy_setopt(s->curl, CURLOPT_CUSTOMREQUEST, method);
        }
        (void)curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, hdrs);
        rc = curl_easy_perform(s->curl);
        curl_slist_free_all(hdrs);
        if (rc != CURLE_OK)
                return 0;
        (void)curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
        if (ret)
                *ret = json_loadb(s->body.buf, s->body.len, 0, NULL);
        return status;
}

static void api_open(struct server *s)
{
        kl_autofree char *cert = kl_asprintf("%s/server/tls/client-admin.crt", s->data);
        kl_autofree char *key = kl_asprintf("%s/server/tls/client-admin.key", s->data);

        s->curl = curl_easy_init();
        if (!s->curl)
                die("curl_easy_init", "failed");
        kl_buf_init(&s->body, RESPONSE_MAX);
        (void)curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
        (void)curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYPEER, 0L);
        (void)curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYHOST, 0L);
        (void)curl_easy_setopt(s->curl, CURLOPT_SSLCERT, cert);
        (void)curl_easy_setopt(s->curl, CURLOPT_SSLKEY, key);
        (void)curl_easy_setopt(s->curl, CURLOPT_TIMEOUT_MS, 10000L);
        (void)curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
        (void)curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, on_body);
        (void)curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, &s->body);
}

/* ---- servers ---- */

/*
 * Start a server in a fresh directory below the scratch dir: with the agent
 * (the test image in its air-gap dir) or --disable-agent. Returns at exec;
 * the time of the spawn is in *ret_t0.
 */
static struct server *server_start(struct ctx *c, bool agent, kl_usec_t *ret_t0)
{
        struct server *s = kl_new0(struct server);
        kl_autofree char *port = NULL, *kubeconfig = NULL, *logs = NULL, *cgroot = NULL,
                         *log = NULL, *images = NULL;
        kl_autostrv char **argv = NULL;

        s->dir = kl_asprintf("%s/%s-%u", c->dir, agent ? "node" : "cp", c->seq++);
        s->data = kl_asprintf("%s/data", s->dir);
        s->state = kl_asprintf("%s/run", s->dir);
        s->port = free_port();
        s->agent = agent;
        port = kl_asprintf("%d", s->port);
        kubeconfig = kl_asprintf("%s/kubeconfig.yaml", s->dir);
        logs = kl_asprintf("pod-logs-dir=%s/logs", s->dir);
        cgroot = kl_asprintf("cgroup-root=%s", c->cg);
        log = kl_asprintf("%s/server.log", s->dir);
        images = kl_asprintf("%s/agent/images/busybox.tar", s->data);
        if (kl_mkdir_p(s->data, 0700) < 0)
                die("mkdir", s->data);
        push(&argv, c->bin, "server", "--data-dir", s->data, "--bind-address", "127.0.0.1",
             "--https-listen-port", port, "--write-kubeconfig", kubeconfig, NULL);
        if (agent) {
                copy_file(c->tar, images);
                push(&argv, "--state-dir", s->state, "--node-name", node_name, "--node-ip",
                     "127.0.0.1", "--kubelet-arg", "port=0", "--kubelet-arg", logs, "--kubelet-arg",
                     cgroot, "--network-backend", "host-gw", NULL);
        } else {
                push(&argv, "--disable-agent", NULL);
        }
        api_open(s);
        for (size_t i = 0; i < KL_ARRAY_SIZE(c->live); i++)
                if (!c->live[i]) {
                        c->live[i] = s;
                        break;
                }
        *ret_t0 = kl_now_monotonic();
        s->pid = spawn(argv, -1, log);
        if (s->pid < 0)
                die("spawn", c->bin);
        return s;
}

/*
 * Stop a server (SIGTERM, then SIGKILL), then remove what its node left:
 * containers, mounts, the directory (unless $KL_BENCH_KEEP), the handle.
 */
static void server_stop(struct ctx *c, struct server *s)
{
        if (s->pid > 0) {
                (void)kill(s->pid, SIGTERM);
                if (reap_by(s->pid, kl_now_monotonic() + STOP_TIMEOUT) < 0)
                        fprintf(stderr, "bench-node: server %d did not stop on SIGTERM: killed\n",
                                (int)s->pid);
                s->pid = -1;
        }
        if (s->agent && access(s->state, F_OK) == 0)
                containers_rm(c, s->data, s->state);
        umount_below(s->dir);
        if (!getenv("KL_BENCH_KEEP"))
                rm_rf(s->dir);
        for (size_t i = 0; i < KL_ARRAY_SIZE(c->live); i++)
                if (c->live[i] == s)
                        c->live[i] = NULL;
        if (s->curl)
                curl_easy_cleanup(s->curl);
        kl_buf_release(&s->body);
        free(s->dir);
        free(s->data);
        free(s->state);
        free(s);
}

static bool server_alive(struct server *s)
{
        int st;

        if (s->pid > 0 && waitpid(s->pid, &st, WNOHANG) == s->pid) {
                fprintf(stderr, "bench-node: server %d exited (status %d); see %s/server.log\n",
                        (int)s->pid, st, s->dir);
                s->pid = -1;
        }
        return s->pid > 0;
}

/* The Node's Ready condition is True. */
static bool node_ready(struct server *s)
{
        kl_autofree char *path = kl_asprintf("/api/v1/nodes/%s", node_name);
        json_auto_t *node = NULL;
        json_t *conds, *cond;
        size_t i;

        if (api(s, "GET", path, NULL, &node) != 200 || !node)
                return false;
        conds = json_object_get(json_object_get(node, "status"), "conditions");
        json_array_foreach(conds, i, cond) {
                const char *type = json_string_value(json_object_get(cond, "type"));
                const char *status = json_string_value(json_object_get(cond, "status"));

                if (type && status && strcmp(type, "Ready") == 0)
                        return strcmp(status, "True") == 0;
        }
        return false;
}

static bool cp_ready(struct server *s)
{
        return api(s, "GET", "/readyz", NULL, NULL) == 200;
}

/* Poll `ready` every 5 ms; the time since t0 when it holds, 0 on time-out or exit. */
static kl_usec_t wait_for(struct server *s, bool (*ready)(struct server *), kl_usec_t t0,
                          kl_usec_t timeout)
{
        while (kl_now_monotonic() < t0 + timeout && server_alive(s)) {
                if (ready(s))
                        return kl_now_monotonic() - t0;
                sleep_usec(POLL_POD_USEC);
        }
        return 0;
}

/* ---- pods ---- */

static char *pod_json(const char *name, const char *label)
{
        json_auto_t *pod = json_pack(
                "{s:s, s:s, s:{s:s, s:{s:s}}, s:{s:I, s:[{s:s, s:s, s:s, s:[s, s]}]}}",
                "apiVersion", "v1", "kind", "Pod", "metadata", "name", name, "labels", "bench",
                label, "spec", "terminationGracePeriodSeconds", (json_int_t)0, "containers", "name",
                "c", "image", image_name, "imagePullPolicy", "Never", "command", "sleep", "3600");

        if (!pod)
                die("json_pack", "pod");
        return json_dumps(pod, JSON_COMPACT);
}

static bool create_pod(struct server *s, const char *name, const char *label)
{
        kl_autofree char *body = pod_json(name, label);
        long st = api(s, "POST", "/api/v1/namespaces/default/pods", body, NULL);

        if (st != 201) {
                fprintf(stderr, "bench-node: POST pod %s: HTTP %ld: %.*s\n", name, st,
                        (int)KL_MIN(s->body.len, (size_t)300), s->body.buf);
                return false;
        }
        return true;
}

static const char *phase_of(json_t *pod)
{
        return json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));
}

/* POST a pod, poll it every 5 ms until Running: the time, 0 on failure. */
static kl_usec_t pod_to_running(struct server *s, const char *name)
{
        kl_autofree char *path = kl_asprintf("/api/v1/namespaces/default/pods/%s", name);
        kl_usec_t t0 = kl_now_monotonic();

        if (!create_pod(s, name, "one"))
                return 0;
        while (kl_now_monotonic() < t0 + POD_TIMEOUT && server_alive(s)) {
                json_auto_t *pod = NULL;

                if (api(s, "GET", path, NULL, &pod) == 200 && phase_of(pod)) {
                        const char *phase = phase_of(pod);

                        if (strcmp(phase, "Running") == 0)
                                return kl_now_monotonic() - t0;
                        if (strcmp(phase, "Failed") == 0 || strcmp(phase, "Succeeded") == 0) {
                                fprintf(stderr, "bench-node: pod %s: phase %s\n", name, phase);
                                return 0;
                        }
                }
                sleep_usec(POLL_POD_USEC);
        }
        fprintf(stderr, "bench-node: pod %s not Running in time\n", name);
        return 0;
}

/* Delete the pods labelled bench=label (grace 0) and wait until they and their containers are gone.
 */
static bool pods_delete(struct ctx *c, struct server *s, const char *label)
{
        kl_autofree char *list =
                kl_asprintf("/api/v1/namespaces/default/pods?labelSelector=bench%%3D%s", label);
        kl_usec_t t0 = kl_now_monotonic();
        json_auto_t *pods = NULL;
        json_t *items, *pod;
        size_t i;

        if (api(s, "GET", list, NULL, &pods) != 200 || !pods)
                return false;
        items = json_object_get(pods, "items");
        json_array_foreach(items, i, pod) {
                const char *name = json_string_value(
                        json_object_get(json_object_get(pod, "metadata"), "name"));
                kl_autofree char *path = NULL;

                if (!name)
                        continue;
                path = kl_asprintf("/api/v1/namespaces/default/pods/%s?gracePeriodSeconds=0", name);
                (void)api(s, "DELETE", path, NULL, NULL);
        }
        while (kl_now_monotonic() < t0 + GONE_TIMEOUT && server_alive(s)) {
                json_auto_t *left = NULL;

                if (api(s, "GET", list, NULL, &left) == 200 &&
                    json_array_size(json_object_get(left, "items")) == 0)
                        break;
                sleep_usec(POLL_MANY_USEC);
        }
        while (kl_now_monotonic() < t0 + GONE_TIMEOUT && server_alive(s)) {
                if (containers_count(c, s->data, s->state) == 0)
                        return true;
                sleep_usec(100 * KL_USEC_PER_MSEC);
        }
        fprintf(stderr, "bench-node: pods bench=%s or their containers not gone in time\n", label);
        return false;
}

/* MANY_PODS POSTed one after another, to the last Running: the time, 0 on failure. */
static kl_usec_t many_to_running(struct server *s, size_t *ret_running)
{
        static const char list[] = "/api/v1/namespaces/default/pods?labelSelector=bench%3Dmany";
        kl_usec_t t0 = kl_now_monotonic();
        size_t running = 0;

        for (unsigned i = 0; i < MANY_PODS; i++) {
                kl_autofree char *name = kl_asprintf("many-%u", i);

                if (!create_pod(s, name, "many"))
                        return 0;
        }
        while (kl_now_monotonic() < t0 + MANY_TIMEOUT && server_alive(s)) {
                json_auto_t *pods = NULL;
                json_t *pod;
                size_t i;

                running = 0;
                if (api(s, "GET", list, NULL, &pods) == 200)
                        json_array_foreach(json_object_get(pods, "items"), i, pod) {
                                const char *phase = phase_of(pod);

                                running += phase && strcmp(phase, "Running") == 0;
                        }
                if (running == MANY_PODS) {
                        *ret_running = running;
                        return kl_now_monotonic() - t0;
                }
                sleep_usec(POLL_MANY_USEC);
        }
        *ret_running = running;
        return 0;
}

/* ---- the measurements ---- */

static void cold_starts(struct ctx *c, struct results *r)
{
        for (int i = 0; i < COLD_RUNS; i++) {
                kl_usec_t t0, t;
                struct server *s = server_start(c, true, &t0);

                t = wait_for(s, node_ready, t0, READY_TIMEOUT);
                if (t)
                        r->cold_node[r->n_cold_node++] = t;
                else
                        fprintf(stderr, "bench-node: cold start %d: node not Ready in time\n", i);
                server_stop(c, s);
        }
        for (int i = 0; i < COLD_RUNS; i++) {
                kl_usec_t t0, t;
                struct server *s = server_start(c, false, &t0);

                t = wait_for(s, cp_ready, t0, READY_TIMEOUT);
                if (t)
                        r->cold_cp[r->n_cold_cp++] = t;
                else
                        fprintf(stderr, "bench-node: control plane %d: not ready in time\n", i);
                if (t && i == COLD_RUNS - 1) {
                        /* The last one also gives the control plane's idle memory. */
                        sleep_usec(SETTLE_USEC);
                        memory_of(s->pid, &r->cp_rss_kb, &r->cp_pss_kb);
                }
                server_stop(c, s);
        }
}

/* `kube-lite ctr run -d IMAGE sleep 3600` on a store of its own: fork to exit, each removed after.
 */
static void ctr_reference(struct ctx *c, struct results *r)
{
        kl_autofree char *data = kl_asprintf("%s/ctr/data", c->dir);
        kl_autofree char *state = kl_asprintf("%s/ctr/run", c->dir);
        kl_autostrv char **import = NULL;
        int st;

        push(&import, c->bin, "images", "--data-dir", data, "import", c->tar, NULL);
        st = run_cmd(c, import);
        if (st != 0) {
                (void)snprintf(r->why_ctr, sizeof(r->why_ctr),
                               "'kube-lite images import' exited with status %d", st);
                return;
        }
        for (int i = 0; i <= POD_RUNS; i++) {
                kl_autofree char *id = kl_asprintf("ref-%d", i);
                kl_autostrv char **run = ctr_argv(c, data, state, "--cgroup-parent");
                kl_autostrv char **rm = ctr_argv(c, data, state, "rm");
                kl_usec_t t0, t;

                push(&run, c->cg_ctr, "run", "-d", "--name", id, image_name, "sleep", "3600", NULL);
                push(&rm, "-f", id, NULL);
                t0 = kl_now_monotonic();
                st = run_cmd(c, run);
                t = kl_now_monotonic() - t0;
                if (st != 0) {
                        (void)snprintf(r->why_ctr, sizeof(r->why_ctr),
                                       "'kube-lite ctr run -d' exited with status %d", st);
                        r->n_ctr = 0;
                        break;
                }
                if (i > 0) /* the first is a warm-up */
                        r->ctr[r->n_ctr++] = t;
                if (run_cmd(c, rm) != 0)
                        fprintf(stderr, "bench-node: 'ctr rm -f %s' failed\n", id);
        }
        containers_rm(c, data, state);
        umount_below(state);
}

/* ---- crun, the reference runtime (if installed) ---- */

/* An executable `name` from PATH, or /usr/sbin and /sbin; NULL. */
static char *find_tool(const char *name)
{
        const char *path = getenv("PATH");
        kl_autofree char *all = kl_asprintf("%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
        char *save = NULL;

        for (char *d = strtok_r(all, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                kl_autofree char *p = kl_asprintf("%s/%s", d, name);

                if (*d == '/' && access(p, X_OK) == 0)
                        return KL_TAKE_PTR(p);
        }
        return NULL;
}

static json_t *read_json(const char *path)
{
        kl_autofree char *text = NULL;
        size_t len = 0;

        if (kl_read_file(path, 4 << 20, &text, &len) < 0)
                return NULL;
        return json_loadb(text, len, 0, NULL);
}

/*
 * crun's rootfs: the archive's layout unpacked, then the layers of its first
 * manifest extracted in order with tar (the test image has one layer: no
 * whiteouts to apply). Returns the rootfs, NULL (and why) on failure.
 */
static char *crun_rootfs(const struct ctx *c, char *why, size_t size)
{
        kl_autofree char *layout = kl_asprintf("%s/crun/oci", c->dir);
        kl_autofree char *rootfs = kl_asprintf("%s/crun/rootfs", c->dir);
        kl_autofree char *index_path = kl_asprintf("%s/index.json", layout);
        kl_autofree char *manifest_path = NULL;
        kl_autofree char *tar = find_tool("tar");
        json_auto_t *index = NULL;
        json_auto_t *manifest = NULL;
        const char *digest = NULL;
        json_t *layers = NULL, *layer;
        size_t i;

        if (!tar || kl_mkdir_p(layout, 0700) < 0 || kl_mkdir_p(rootfs, 0755) < 0) {
                (void)snprintf(why, size, "no tar, or mkdir %s failed", rootfs);
                return NULL;
        }
        {
                char *argv[] = { tar, (char *)"-xf", c->tar, (char *)"-C", layout, NULL };

                if (run_cmd(c, argv) != 0) {
                        (void)snprintf(why, size, "unpacking %s failed", c->tar);
                        return NULL;
                }
        }
        index = read_json(index_path);
        if (json_unpack(index, "{s:[{s:s}]}", "manifests", "digest", &digest) < 0 ||
            !kl_startswith(digest, "sha256:") || strchr(digest + 7, '/')) {
                (void)snprintf(why, size, "no manifest in %s", index_path);
                return NULL;
        }
        manifest_path = kl_asprintf("%s/blobs/sha256/%s", layout, digest + 7);
        manifest = read_json(manifest_path);
        if (json_unpack(manifest, "{s:o}", "layers", &layers) < 0 || !json_is_array(layers)) {
                (void)snprintf(why, size, "no layers in %s", manifest_path);
                return NULL;
        }
        json_array_foreach(layers, i, layer) {
                const char *d = json_string_value(json_object_get(layer, "digest"));
                kl_autofree char *blob = NULL;
                char *argv[] = { tar, (char *)"-xf", NULL, (char *)"-C", rootfs, NULL };

                if (!d || !kl_startswith(d, "sha256:") || strchr(d + 7, '/')) {
                        (void)snprintf(why, size, "bad layer digest in %s", manifest_path);
                        return NULL;
                }
                blob = kl_asprintf("%s/blobs/sha256/%s", layout, d + 7);
                argv[2] = blob;
                if (run_cmd(c, argv) != 0) {
                        (void)snprintf(why, size, "unpacking layer %s failed", blob);
                        return NULL;
                }
        }
        return KL_TAKE_PTR(rootfs);
}

/*
 * The config.json of one crun container: `crun spec`'s default (its
 * capabilities, namespaces, mounts, masked paths), with our command, no
 * terminal, our rootfs, RuntimeDefault seccomp as the shim applies it, and a
 * cgroup below our memory cgroup (crun takes paths from the hierarchies' roots).
 */
static json_t *crun_config(const struct ctx *c, const json_t *spec, const json_t *seccomp,
                           const char *rootfs, const char *id)
{
        json_t *cfg = json_deep_copy(spec);
        kl_autofree char *cg = kl_asprintf("%s/%s-crun/%s", c->mem_cg, c->cg, id);
        json_t *process = json_object_get(cfg, "process");
        json_t *linux_ = json_object_get(cfg, "linux");

        if (!cfg || !json_is_object(process) || !json_is_object(linux_))
                die("crun spec", "no process or linux object");
        if (json_object_set_new(process, "args", json_pack("[s, s]", "sleep", "3600")) < 0 ||
            json_object_set_new(process, "terminal", json_false()) < 0 ||
            json_object_set_new(cfg, "root",
                                json_pack("{s:s, s:b}", "path", rootfs, "readonly", 0)) < 0 ||
            json_object_set_new(cfg, "hostname", json_string(id)) < 0 ||
            json_object_set_new(linux_, "cgroupsPath", json_string(cg)) < 0 ||
            json_object_set_new(linux_, "seccomp", json_deep_copy(seccomp)) < 0)
                die("json", "crun config");
        return cfg;
}

/*
 * In a child with a private mount namespace (crun 1.8 refuses the hybrid
 * cgroup layout: the cgroup2 mount is hidden under an empty tmpfs there, as
 * bench-ctr does): 1 warm-up and POD_RUNS timed `crun run -d` of `sleep
 * 3600`, fork to exit, each deleted after (not timed).
 */
static void crun_child(const struct ctx *c, const json_t *spec, const json_t *seccomp,
                       const char *rootfs, struct results *out)
{
        kl_autofree char *root = kl_asprintf("%s/crun/state", c->dir);
        kl_autofree char *bundles = kl_asprintf("%s/crun/bundles", c->dir);
        struct stat st;

        if (umount2("/sys/fs/cgroup/unified", MNT_DETACH) == 0 &&
            stat("/sys/fs/cgroup/unified", &st) == 0)
                (void)mount("tmpfs", "/sys/fs/cgroup/unified", "tmpfs",
                            MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m,mode=755");
        for (int i = 0; i <= POD_RUNS; i++) {
                kl_autofree char *id = kl_asprintf("crun-%d", i);
                kl_autofree char *bundle = kl_asprintf("%s/%s", bundles, id);
                kl_autofree char *file = kl_asprintf("%s/config.json", bundle);
                json_auto_t *cfg = crun_config(c, spec, seccomp, rootfs, id);
                char *run[] = { c->crun,      (char *)"--root",   root,   (char *)"run",
                                (char *)"-d", (char *)"--bundle", bundle, id,
                                NULL };
                char *del[] = { c->crun, (char *)"--root", root, (char *)"delete", (char *)"-f", id,
                                NULL };
                kl_usec_t t0, t;
                int r;

                if (kl_mkdir_p(bundle, 0700) < 0 || json_dump_file(cfg, file, JSON_COMPACT) < 0) {
                        (void)snprintf(out->why_crun, sizeof(out->why_crun), "writing %s failed",
                                       file);
                        break;
                }
                t0 = kl_now_monotonic();
                r = run_cmd(c, run);
                t = kl_now_monotonic() - t0;
                if (r != 0) {
                        (void)snprintf(out->why_crun, sizeof(out->why_crun),
                                       "'crun run -d' exited with status %d (see %s)", r, c->log);
                        out->n_crun = 0;
                        (void)run_cmd(c, del);
                        break;
                }
                if (i > 0) /* the first is a warm-up */
                        out->crun[out->n_crun++] = t;
                if (run_cmd(c, del) != 0)
                        fprintf(stderr, "bench-node: 'crun delete -f %s' failed\n", id);
        }
}

static void crun_reference(struct ctx *c, struct results *r)
{
        kl_autofree char *rootfs = NULL;
        kl_autofree char *spec_dir = kl_asprintf("%s/crun/spec", c->dir);
        kl_autofree char *spec_file = kl_asprintf("%s/config.json", spec_dir);
        kl_autofree char *seccomp_text = kl_ctr_seccomp_default_oci_json(kl_ctr_caps_default());
        kl_autofree char *version = NULL;
        json_auto_t *spec = NULL;
        json_auto_t *seccomp = NULL;
        struct results out;
        int fds[2];
        pid_t pid;
        ssize_t n;

        c->crun = find_tool("crun");
        if (!c->crun) {
                (void)snprintf(r->why_crun, sizeof(r->why_crun), "crun: not installed");
                return;
        }
        {
                char *argv[] = { c->crun, (char *)"--version", NULL };

                /* "crun 1.8.1" from "crun version 1.8.1". */
                if (run_capture(c, argv, &version) == 0 && version) {
                        const char *v;

                        version[strcspn(version, "\n")] = '\0';
                        v = strstr(version, " version ");
                        (void)snprintf(r->crun_version, sizeof(r->crun_version), "crun %s",
                                       v ? v + strlen(" version ") : version);
                }
        }
        rootfs = crun_rootfs(c, r->why_crun, sizeof(r->why_crun));
        if (!rootfs)
                return;
        {
                /* `crun spec` writes config.json into its working directory. */
                char *argv[] = { c->crun, (char *)"spec", NULL };
                posix_spawn_file_actions_t fa;
                int st = -1;

                if (kl_mkdir_p(spec_dir, 0700) < 0 || posix_spawn_file_actions_init(&fa) != 0)
                        die("crun spec", spec_dir);
                (void)posix_spawn_file_actions_addchdir_np(&fa, spec_dir);
                (void)posix_spawn_file_actions_addopen(&fa, 1, c->log,
                                                       O_WRONLY | O_APPEND | O_CREAT, 0600);
                (void)posix_spawn_file_actions_adddup2(&fa, 1, 2);
                if (posix_spawn(&pid, c->crun, &fa, NULL, argv, environ) == 0)
                        st = reap_by(pid, kl_now_monotonic() + TOOL_TIMEOUT);
                (void)posix_spawn_file_actions_destroy(&fa);
                spec = st == 0 ? read_json(spec_file) : NULL;
        }
        seccomp = seccomp_text ? json_loads(seccomp_text, 0, NULL) : NULL;
        if (!spec || !seccomp) {
                (void)snprintf(r->why_crun, sizeof(r->why_crun),
                               "no 'crun spec' output or no seccomp policy");
                return;
        }
        if (pipe2(fds, O_CLOEXEC) < 0)
                die("pipe", strerror(errno));
        pid = fork();
        if (pid < 0)
                die("fork", strerror(errno));
        if (pid == 0) {
                out = *r;
                (void)close(fds[0]);
                current = NULL; /* the parent cleans up after a die() in here */
                if (unshare(CLONE_NEWNS) < 0 ||
                    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                        (void)snprintf(out.why_crun, sizeof(out.why_crun),
                                       "private mount namespace: %s", strerror(errno));
                else
                        crun_child(c, spec, seccomp, rootfs, &out);
                n = write(fds[1], &out, sizeof(out));
                _exit(n == (ssize_t)sizeof(out) ? 0 : 1);
        }
        (void)close(fds[1]);
        n = read(fds[0], &out, sizeof(out));
        (void)close(fds[0]);
        if (reap_by(pid, kl_now_monotonic() + TOOL_TIMEOUT * (POD_RUNS + 1)) != 0 ||
            n != (ssize_t)sizeof(out)) {
                (void)snprintf(r->why_crun, sizeof(r->why_crun), "the crun child failed");
                return;
        }
        memcpy(r->crun, out.crun, sizeof(r->crun));
        r->n_crun = out.n_crun;
        memcpy(r->why_crun, out.why_crun, sizeof(r->why_crun));
}

/* Containers a failed crun run may have left. */
static void crun_leftovers(const struct ctx *c)
{
        kl_autofree char *root = kl_asprintf("%s/crun/state", c->dir);
        kl_autofree char *out = NULL;
        char *list[] = { c->crun, (char *)"--root", root, (char *)"list", (char *)"-q", NULL };
        char *save = NULL;

        if (!c->crun || access(root, F_OK) < 0 || run_capture(c, list, &out) != 0 || !out)
                return;
        for (char *id = strtok_r(out, "\n", &save); id; id = strtok_r(NULL, "\n", &save)) {
                char *del[] = { c->crun, (char *)"--root", root, (char *)"delete", (char *)"-f", id,
                                NULL };

                (void)run_cmd(c, del);
        }
}

static unsigned idle_seconds(void)
{
        const char *v = getenv("KL_BENCH_IDLE_SECONDS");
        unsigned n = 60;

        if (v && (kl_parse_uint(v, &n) < 0 || n == 0 || n > 3600))
                die("KL_BENCH_IDLE_SECONDS", "not a number of seconds in 1..3600");
        return n;
}

static void node_run(struct ctx *c, struct results *r)
{
        kl_usec_t t0;
        struct server *s = server_start(c, true, &t0);
        int64_t before, after;
        long hz = sysconf(_SC_CLK_TCK);

        if (!wait_for(s, node_ready, t0, READY_TIMEOUT)) {
                fprintf(stderr, "bench-node: node not Ready; see %s/server.log\n", s->dir);
                server_stop(c, s);
                return;
        }
        /* Pods need the namespace's default ServiceAccount (its controller makes it). */
        t0 = kl_now_monotonic();
        while (kl_now_monotonic() < t0 + READY_TIMEOUT &&
               api(s, "GET", "/api/v1/namespaces/default/serviceaccounts/default", NULL, NULL) !=
                       200)
                sleep_usec(50 * KL_USEC_PER_MSEC);

        for (int i = 0; i <= POD_RUNS; i++) {
                kl_autofree char *name = kl_asprintf("one-%d", i);
                kl_usec_t t = pod_to_running(s, name);

                if (t == 0) {
                        r->n_pod = 0;
                        break;
                }
                if (getenv("KL_BENCH_VERBOSE"))
                        fprintf(stderr, "bench-node: pod %s Running after %.1f ms\n", name, ms(t));
                if (i > 0) /* the first is a warm-up */
                        r->pod[r->n_pod++] = t;
                if (!pods_delete(c, s, "one"))
                        break;
        }
        (void)pods_delete(c, s, "one");

        r->many = many_to_running(s, &r->many_running);
        if (!pods_delete(c, s, "many") || !server_alive(s)) {
                server_stop(c, s);
                return;
        }

        sleep_usec(SETTLE_USEC);
        memory_of(s->pid, &r->rss_kb, &r->pss_kb);
        r->idle_seconds = idle_seconds();
        before = cpu_ticks(s->pid);
        sleep_usec((kl_usec_t)r->idle_seconds * KL_USEC_PER_SEC);
        after = cpu_ticks(s->pid);
        if (before >= 0 && after >= before && hz > 0 && server_alive(s))
                r->cpu_pct =
                        100.0 * (double)(after - before) / (double)hz / (double)r->idle_seconds;
        else
                r->cpu_pct = -1;
        server_stop(c, s);
}

/* ---- the report ---- */

static void report(const struct results *r)
{
        printf("node: `kube-lite server` with its embedded agent, single node, images in the\n"
               "air-gap dir; API over HTTPS with libcurl (admin client certificate, keep-alive),\n"
               "nothing subtracted for the client\n\n");

        printf("  %-40s %10s %10s\n", "cold start (median of 5, fresh data dir)", "median", "max");
        if (r->n_cold_node)
                printf("  %-40s %7.0f ms %7.0f ms   goal <= 1000 ms\n", "exec to Node Ready",
                       ms(pct(r->cold_node, r->n_cold_node, 0.5)),
                       ms(pct(r->cold_node, r->n_cold_node, 1.0)));
        else
                printf("  %-40s not measured\n", "exec to Node Ready");
        if (r->n_cold_cp) {
                printf("  %-40s %7.0f ms %7.0f ms", "--disable-agent: exec to /readyz 200",
                       ms(pct(r->cold_cp, r->n_cold_cp, 0.5)),
                       ms(pct(r->cold_cp, r->n_cold_cp, 1.0)));
                if (r->n_cold_node)
                        printf("   node / it %.2fx",
                               (double)pct(r->cold_node, r->n_cold_node, 0.5) /
                                       (double)pct(r->cold_cp, r->n_cold_cp, 0.5));
                printf("\n");
        } else {
                printf("  %-40s not measured\n", "--disable-agent: exec to /readyz 200");
        }
        printf("  %-40s %7s ~30 s (documented by k3s, not measured)\n", "k3s server to node Ready",
               "");

        printf("\n  %-40s %10s %10s\n", "one pod to Running (20, 1 warm-up)", "p50", "p99");
        if (r->n_pod)
                printf("  %-40s %7.1f ms %7.1f ms   goal p50 <= 150 ms\n", "POST Pod to Running",
                       ms(pct(r->pod, r->n_pod, 0.5)), ms(pct(r->pod, r->n_pod, 0.99)));
        else
                printf("  %-40s not measured\n", "POST Pod to Running");
        if (r->n_ctr) {
                printf("  %-40s %7.1f ms %7.1f ms", "kube-lite ctr run -d (same image, cmd)",
                       ms(pct(r->ctr, r->n_ctr, 0.5)), ms(pct(r->ctr, r->n_ctr, 0.99)));
                if (r->n_pod)
                        printf("   pod / it %.2fx", (double)pct(r->pod, r->n_pod, 0.5) /
                                                            (double)pct(r->ctr, r->n_ctr, 0.5));
                printf("\n");
        } else {
                printf("  %-40s %s\n", "kube-lite ctr run -d (same image, cmd)",
                       r->why_ctr[0] ? r->why_ctr : "not measured");
        }
        if (r->n_crun) {
                kl_autofree char *what =
                        kl_asprintf("%s run -d", r->crun_version[0] ? r->crun_version : "crun");

                printf("  %-40s %7.1f ms %7.1f ms", what, ms(pct(r->crun, r->n_crun, 0.5)),
                       ms(pct(r->crun, r->n_crun, 0.99)));
                if (r->n_pod)
                        printf("   pod / it %.2fx", (double)pct(r->pod, r->n_pod, 0.5) /
                                                            (double)pct(r->crun, r->n_crun, 0.5));
                printf("\n");
        } else {
                printf("  %-40s %s\n", "crun run -d",
                       r->why_crun[0] ? r->why_crun : "not measured");
        }

        printf("\n  %-40s %10s\n", "100 pods created at once", "all Running");
        if (r->many)
                printf("  %-40s %7.0f ms %10s   goal <= 10000 ms\n",
                       "100 POSTs to the last Running", ms(r->many), "");
        else
                printf("  %-40s failed (%zu of %d Running)\n", "100 POSTs to the last Running",
                       r->many_running, MANY_PODS);

        printf("\n  idle, after the pods are gone and 10 s\n");
        if (r->rss_kb >= 0)
                printf("  %-40s VmRSS %6.1f MiB, Pss %6.1f MiB   goal VmRSS <= 50 MB\n",
                       "server with embedded agent", (double)r->rss_kb / 1024.0,
                       (double)r->pss_kb / 1024.0);
        else
                printf("  %-40s not measured\n", "server with embedded agent");
        if (r->cp_rss_kb >= 0)
                printf("  %-40s VmRSS %6.1f MiB, Pss %6.1f MiB\n",
                       "--disable-agent (control plane)", (double)r->cp_rss_kb / 1024.0,
                       (double)r->cp_pss_kb / 1024.0);
        else
                printf("  %-40s not measured\n", "--disable-agent (control plane)");
        printf("  %-40s 500-800 MB (documented by k3s, not measured)\n", "k3s server process");
        if (r->cpu_pct >= 0 && r->idle_seconds)
                printf("  %-40s %6.2f %% of a core over %u s   goal <= 1 %%\n",
                       "CPU of the server, idle", r->cpu_pct, r->idle_seconds);
        else
                printf("  %-40s not measured\n", "CPU of the server, idle");
}

/* ---- set-up and clean-up ---- */

static void image_setup(struct ctx *c)
{
        const char *script = getenv("KL_BENCH_TEST_IMAGES");
        kl_autofree char *out = kl_asprintf("%s/images", c->dir);
        char *argv[] = { (char *)(script ? script : "scripts/test-images.sh"), out, NULL };
        int r;

        r = run_cmd(c, argv);
        if (r != 0) {
                fprintf(stderr, "bench-node: '%s %s' exited with status %d (see %s)\n", argv[0],
                        out, r, c->log);
                die("no test image", "busybox-static installed?");
        }
        c->tar = kl_asprintf("%s/busybox.tar", out);
}

/* Everything this run made and has not removed yet: servers, containers, mounts, cgroups, files. */
static void cleanup(struct ctx *c)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(c->live); i++)
                if (c->live[i])
                        server_stop(c, c->live[i]);
        if (c->bin) {
                kl_autofree char *data = kl_asprintf("%s/ctr/data", c->dir);
                kl_autofree char *state = kl_asprintf("%s/ctr/run", c->dir);

                if (access(state, F_OK) == 0)
                        containers_rm(c, data, state);
        }
        crun_leftovers(c);
        umount_below(c->dir);
        cgroups_cleanup(c);
        if (getenv("KL_BENCH_KEEP")) {
                fprintf(stderr, "bench-node: kept %s\n", c->dir);
                return;
        }
        rm_rf(c->dir);
}

static void ctx_release(struct ctx *c)
{
        free(c->dir);
        free(c->bin);
        free(c->log);
        free(c->tar);
        free(c->cg);
        free(c->cg_ctr);
        free(c->mem_cg);
        free(c->crun);
        for (size_t i = 0; i < c->n_h; i++) {
                free(c->h[i].mount);
                free(c->h[i].own);
        }
        *c = (struct ctx){ 0 };
}

/*
 * The benchmark's own network namespace, with loopback up: the node it starts
 * sets up its pod network (a bridge, a veth per pod, nftables tables), which
 * must not land in the host's namespace.
 */
static void own_network_namespace(void)
{
        struct ifreq ifr = { 0 };
        kl_autoclose int fd = -EBADF;

        if (unshare(CLONE_NEWNET) < 0)
                die("unshare(CLONE_NEWNET)", strerror(errno));
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        (void)snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
        if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                die("loopback", strerror(errno));
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                die("loopback up", strerror(errno));
}

int main(int argc, char **argv)
{
        const char *scratch = getenv("KL_BENCH_DIR");
        kl_autofree char *bin = NULL;
        struct ctx c = { 0 };
        struct results r = { .rss_kb = -1, .pss_kb = -1, .cp_rss_kb = -1, .cp_pss_kb = -1 };
        bool ok;

        (void)argc;
        if (geteuid() != 0) {
                printf("node: skipped (needs root)\n");
                return 0;
        }
        if (getenv("KL_BENCH_BIN")) {
                bin = kl_strdup(getenv("KL_BENCH_BIN"));
        } else {
                /* build/<variant>/pkg/agent/bench/bench-node -> build/<variant>/kube-lite */
                const char *slash = strrchr(argv[0], '/');

                bin = kl_asprintf("%.*s/../../../kube-lite", slash ? (int)(slash - argv[0]) : 1,
                                  slash ? argv[0] : ".");
        }
        c.bin = realpath(bin, NULL);
        if (!c.bin) {
                printf("node: no kube-lite binary at %s (set KL_BENCH_BIN)\n", bin);
                return 1;
        }
        (void)idle_seconds(); /* a bad value fails before anything is made */
        own_network_namespace();
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                die("curl_global_init", "failed");
        c.dir = kl_asprintf("%s/node-XXXXXX", scratch ? scratch : "/tmp");
        if (!mkdtemp(c.dir))
                die("mkdtemp", strerror(errno));
        current = &c;
        c.log = kl_asprintf("%s/tools.log", c.dir);
        c.cg = kl_asprintf("kl-bench-node-%d", (int)getpid());
        c.cg_ctr = kl_asprintf("%s-ctr", c.cg);
        cgroups_init(&c);
        image_setup(&c);

        ctr_reference(&c, &r);
        crun_reference(&c, &r);
        cold_starts(&c, &r);
        node_run(&c, &r);

        current = NULL;
        cleanup(&c);
        report(&r);
        (void)fflush(stdout);
        ok = r.n_cold_node > 0 && r.n_pod > 0;
        ctx_release(&c);
        curl_global_cleanup();
        return ok ? 0 : 1;
}
