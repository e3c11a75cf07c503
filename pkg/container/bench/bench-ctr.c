/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-ctr: starting containers, against the reference runtimes of this
 * machine, in one run (issue 6). Every kube-lite figure is printed beside the
 * same figure of crun, runc and podman measured in the same run:
 *
 *   one container   `kube-lite ctr run --rm IMAGE /bin/true` with the image in
 *                   the store, against `runc run` and `crun run` of the same
 *                   rootfs with the same seccomp policy, capabilities,
 *                   namespaces, mounts and cgroup limits, and `podman run --rm
 *                   --network none IMAGE true`: median and p99 of 50 runs
 *                   after 3 warm-up runs, fork to reaped exit
 *   100 at once     100 of those started together, until the last has exited
 *                   (kube-lite, crun, runc)
 *   an idle shim    VmRSS and Pss of the monitor of `sleep 1000` (the shim;
 *                   conmon for podman)
 *
 * Set-up is not timed: a scratch directory under $KL_BENCH_DIR (default
 * /tmp); the busybox test image built by scripts/test-images.sh (or the OCI
 * archive named by $KL_BENCH_IMAGE_TAR) and imported into the scratch data
 * dir; its layers unpacked with tar into the rootfs that runc and crun get;
 * their config.json written here with jansson: the seccomp object is
 * kl_ctr_seccomp_default_oci_json() and the capabilities kl_ctr_caps_default(),
 * so the three runtimes run the same policy.
 *
 * This machine's quirks (ENVIRONMENT.md): crun refuses the hybrid cgroup
 * layout, so crun and podman (whose runtime is crun) run in a child in a
 * private mount namespace where /sys/fs/cgroup/unified is an empty tmpfs;
 * podman needs default_ulimits within the hard limits (no CAP_SYS_RESOURCE),
 * so it gets a containers.conf of its own, and it refuses a --runroot over
 * 50 characters, so that one is a directory in /tmp. crun and podman take
 * cgroup paths from the hierarchies' roots, so theirs are absolute paths
 * below our memory cgroup; runc's and kube-lite's are relative to our own
 * cgroups.
 *
 * A reference tool that is not installed or fails is reported and skipped;
 * a tool that hangs is killed after a time-out and reported. The bench is a
 * child subreaper, so what the tools detach (the shim, conmon) is reaped here
 * and whatever is left at the end is killed by pid. Every container is
 * removed, and every cgroup, bundle and scratch directory made here removed
 * at the end. Nothing is sent anywhere: each container has a new network
 * namespace, podman's has --network none.
 *
 * Environment: $KL_BENCH_BIN, the kube-lite binary (default:
 * ../../../kube-lite from this program, i.e. build/<variant>/kube-lite);
 * $KL_BENCH_IMAGE_TAR and $KL_BENCH_IMAGE, an OCI archive and the name of
 * the image in it instead of the test image; $KL_BENCH_TEST_IMAGES, the
 * script that builds the test image (default scripts/test-images.sh, from
 * the top of the tree, where `make bench` runs); $KL_BENCH_KEEP: keep the
 * scratch directory and the bundles (for a look at config.json).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "base/base.h"
#include "container/container.h"
#include "container/ctr-internal.h"

#define RUNS         50
#define WARMUP       3
#define CONCURRENT   100
#define MEMORY_LIMIT ((int64_t)64 << 20)
#define PIDS_LIMIT   100
#define OUTPUT_MAX   ((size_t)1 << 20) /* what we read of a tool's stdout */
#define CG_MAX       16                /* cgroup hierarchies we look after */
#define CG_DEPTH     8                 /* components of our memory cgroup's path */
/* Beyond these a tool is taken to hang: killed, and the tool reported as failed. */
#define TOOL_TIMEOUT       (120 * KL_USEC_PER_SEC)
#define CONCURRENT_TIMEOUT (600 * KL_USEC_PER_SEC)

extern char **environ;

static const char default_image[] = "localhost/kube-lite-test/busybox:1";

/* What one tool did, sent back from the private-namespace child by value. */
struct series {
        bool measured; /* runs[] and concurrent are valid */
        char why[512]; /* when not measured: what went wrong */
        kl_usec_t runs[RUNS];
        kl_usec_t concurrent; /* 0: not measured */
        long rss_kb, pss_kb;  /* the idle monitor; -1: not measured */
        char version[64];
};

struct hierarchy {
        char *mount;            /* owned: /sys/fs/cgroup/memory */
        char *own;              /* owned: our cgroup in it, "/" or "/process_api/x" */
        bool existed[CG_DEPTH]; /* prefixes of our memory cgroup that existed at start */
};

struct ctx {
        char *dir;                  /* owned: the scratch directory */
        char *bin;                  /* owned: kube-lite */
        char *log;                  /* owned: every tool's stdout and stderr */
        char *tar;                  /* owned: the image as an OCI archive */
        char *image;                /* owned: its name */
        char *data;                 /* owned: kube-lite --data-dir */
        char *state;                /* owned: kube-lite --state-dir */
        char *rootfs;               /* owned: the unpacked layers, for runc and crun */
        char *bundles;              /* owned: one bundle dir per runc/crun container */
        char *cg_name;              /* owned: "kl-bench-<pid>", below our cgroups */
        char *mem_cg;               /* owned: our memory cgroup, "/process_api/x" */
        char *runc, *crun, *podman; /* owned: the tools, NULL when absent */
        char *podman_run;           /* owned: podman's --runroot (a short path: see main) */
        json_t *seccomp;            /* ref: the OCI seccomp object */
        json_t *caps;               /* ref: the default capabilities' names */
        struct hierarchy cg[CG_MAX];
        size_t n_cg;
        unsigned seq;
};

static void cleanup(struct ctx *c);

/* The run, for die(): what it made is removed before the abort. */
static struct ctx *current;

static KL_NORETURN void die(const char *what, const char *detail)
{
        fprintf(stderr, "bench-ctr: %s: %s\n", what, detail);
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

/* The p-quantile (nearest rank) of n sorted values. */
static kl_usec_t pct(const kl_usec_t *sorted, size_t n, double p)
{
        size_t i = (size_t)(p * (double)(n - 1) + 0.5);

        return sorted[KL_MIN(i, n - 1)];
}

/* ---- processes ---- */

/*
 * Start argv[0] (a path) with stdin from /dev/null, stdout to `out_fd` (< 0:
 * the log) and stderr to the log.
 */
static pid_t spawn(const struct ctx *c, char *const *argv, int out_fd)
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
                (void)posix_spawn_file_actions_addopen(&fa, 1, c->log,
                                                       O_WRONLY | O_APPEND | O_CREAT, 0600);
        (void)posix_spawn_file_actions_addopen(&fa, 2, c->log, O_WRONLY | O_APPEND | O_CREAT, 0600);
        r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
        (void)posix_spawn_file_actions_destroy(&fa);
        if (r != 0) {
                fprintf(stderr, "bench-ctr: spawn '%s': %s\n", argv[0], strerror(r));
                return -1;
        }
        return pid;
}

/*
 * The exit status of child `pid`, 128+n after signal n; -1 when it was still
 * running at `deadline` (then it is killed and reaped: a hung tool must not
 * hang the bench).
 */
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
        if (WIFEXITED(st))
                return WEXITSTATUS(st);
        return 128 + WTERMSIG(st);
}

static kl_usec_t after(kl_usec_t usec)
{
        return kl_now_monotonic() + usec;
}

/*
 * The bench is a child subreaper: what a tool detaches (the kube-lite shim,
 * podman's conmon) becomes our child when its parent exits, and is reaped
 * here, while no child we wait for by pid is outstanding. `wait_usec` > 0:
 * wait that long for the last ones.
 */
static void reap_orphans(kl_usec_t wait_usec)
{
        kl_usec_t until = kl_now_monotonic() + wait_usec;
        pid_t pid;

        for (;;) {
                pid = waitpid(-1, NULL, WNOHANG);
                if (pid > 0)
                        continue;
                if (pid < 0 || kl_now_monotonic() >= until)
                        return;
                (void)usleep(10000);
        }
}

static int run_cmd(const struct ctx *c, char *const *argv)
{
        return reap_by(spawn(c, argv, -1), after(TOOL_TIMEOUT));
}

/* Run argv and take its stdout (bounded in size and time); returns the exit status. */
static int run_capture(const struct ctx *c, char *const *argv, char **ret_out)
{
        kl_autobuf struct kl_buf out = KL_BUF_INIT_MAX(OUTPUT_MAX);
        kl_usec_t deadline = after(TOOL_TIMEOUT);
        kl_autoclose int rfd = -EBADF;
        int fds[2], r;
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) < 0)
                die("pipe", strerror(errno));
        rfd = fds[0];
        pid = spawn(c, argv, fds[1]);
        (void)close(fds[1]);
        if (pid < 0)
                return -1;
        for (;;) {
                struct pollfd p = { .fd = rfd, .events = POLLIN };
                kl_usec_t now = kl_now_monotonic();
                char chunk[4096];
                ssize_t n;

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
        r = reap_by(pid, deadline);
        *ret_out = kl_buf_detach(&out, NULL);
        return r;
}

/* Whatever is still our child at the end (the shim or conmon of a failed run): killed, reaped. */
static void kill_children(void)
{
        kl_autofree char *path = kl_asprintf("/proc/self/task/%d/children", (int)getpid());

        for (int round = 0; round < 10; round++) {
                kl_autofree char *text = NULL;
                char *save = NULL;
                bool any = false;

                if (kl_read_file(path, 64 << 10, &text, NULL) < 0)
                        return;
                for (char *t = strtok_r(text, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
                        pid_t pid;

                        if (kl_parse_pid(t, &pid) == 0 && kill(pid, SIGKILL) == 0) {
                                fprintf(stderr, "bench-ctr: killed leftover process %d\n",
                                        (int)pid);
                                any = true;
                        }
                }
                if (!any)
                        return;
                reap_orphans(500 * KL_USEC_PER_MSEC);
        }
}

/* The last lines of the log: why a tool failed (the scratch dir goes at the end). */
static void log_tail(const struct ctx *c, char *buf, size_t size)
{
        kl_autoclose int fd = open(c->log, O_RDONLY | O_CLOEXEC);
        off_t end;
        ssize_t n;

        buf[0] = '\0';
        if (fd < 0)
                return;
        end = lseek(fd, 0, SEEK_END);
        if (end < 0)
                return;
        n = pread(fd, buf, size - 1, end > (off_t)(size - 1) ? end - (off_t)(size - 1) : 0);
        buf[n > 0 ? n : 0] = '\0';
}

static void fail(const struct ctx *c, struct series *s, const char *fmt, ...) KL_PRINTF(3, 4);

static void fail(const struct ctx *c, struct series *s, const char *fmt, ...)
{
        char tail[256];
        va_list ap;
        int n;

        va_start(ap, fmt);
        /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started above */
        n = vsnprintf(s->why, sizeof(s->why), fmt, ap);
        va_end(ap);
        log_tail(c, tail, sizeof(tail));
        if (n >= 0 && (size_t)n < sizeof(s->why) && tail[0])
                (void)snprintf(s->why + n, sizeof(s->why) - (size_t)n, "; its output ends:\n%s",
                               tail);
        s->measured = false;
}

/* `s` without its trailing newlines and blanks. */
static char *chomp(char *s)
{
        size_t n = strlen(s);

        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
                s[--n] = '\0';
        return s;
}

/* Append the strings up to NULL to the strv *v. */
static void push(char ***v, ...)
{
        va_list ap;

        va_start(ap, v);
        for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
                kl_strv_push(v, a);
        va_end(ap);
}

/* An executable `name` from PATH, or /usr/sbin and /sbin (runc lives there); NULL. */
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

/* "crun 1.8.1" from the first line of `crun --version` ("crun version 1.8.1"). */
static void tool_version(const struct ctx *c, const char *tool, char *buf, size_t size)
{
        kl_autofree char *out = NULL;
        char *argv[] = { (char *)tool, (char *)"--version", NULL };
        const char *v;
        size_t name_len;

        buf[0] = '\0';
        if (run_capture(c, argv, &out) != 0 || !out)
                return;
        out[strcspn(out, "\n")] = '\0';
        v = strstr(out, " version ");
        name_len = v ? (size_t)(v - out) : strlen(out);
        (void)snprintf(buf, size, "%.*s%s%s", (int)name_len, out, v ? " " : "",
                       v ? v + strlen(" version ") : "");
}

/* ---- files ---- */

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

static void write_json(const char *path, json_t *v)
{
        if (json_dump_file(v, path, JSON_COMPACT) < 0)
                die("write", path);
}

/* ---- cgroups ---- */

/*
 * Our cgroup hierarchies from /proc/self/cgroup: "4:memory:/x" is
 * /sys/fs/cgroup/memory, "9:name=systemd:/" /sys/fs/cgroup/systemd, "0::/"
 * the cgroup2 mount (/sys/fs/cgroup/unified in the hybrid layout).
 */
static void cgroups_init(struct ctx *c)
{
        kl_autofree char *text = NULL;
        char *save = NULL;

        if (kl_read_file("/proc/self/cgroup", 64 << 10, &text, NULL) < 0)
                die("read", "/proc/self/cgroup");
        c->mem_cg = kl_strdup("/");
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *ctrl = strchr(line, ':'), *own;
                const char *name;
                kl_autofree char *mount = NULL;
                struct stat st;

                if (!ctrl || !(own = strchr(ctrl + 1, ':')))
                        continue;
                *own++ = '\0';
                ctrl++;
                name = kl_startswith(ctrl, "name=") ? kl_startswith(ctrl, "name=") : ctrl;
                if (*name)
                        mount = kl_asprintf("/sys/fs/cgroup/%s", name);
                else if (stat("/sys/fs/cgroup/unified", &st) == 0)
                        mount = kl_strdup("/sys/fs/cgroup/unified");
                else
                        mount = kl_strdup("/sys/fs/cgroup");
                if (stat(mount, &st) < 0 || !S_ISDIR(st.st_mode) || c->n_cg == CG_MAX)
                        continue;
                if (strcmp(ctrl, "memory") == 0) {
                        free(c->mem_cg);
                        c->mem_cg = kl_strdup(own);
                }
                c->cg[c->n_cg].mount = KL_TAKE_PTR(mount);
                c->cg[c->n_cg].own = kl_strdup(own);
                c->n_cg++;
        }
        /* Which ancestors of our memory cgroup exist elsewhere (crun and podman may add them). */
        for (size_t h = 0; h < c->n_cg; h++) {
                size_t k = 0;

                for (const char *p = c->mem_cg + 1; *p && k < CG_DEPTH; p++) {
                        const char *slash = strchr(p, '/');
                        size_t len = slash ? (size_t)(slash - c->mem_cg) : strlen(c->mem_cg);
                        kl_autofree char *dir =
                                kl_asprintf("%s%.*s", c->cg[h].mount, (int)len, c->mem_cg);

                        c->cg[h].existed[k++] = access(dir, F_OK) == 0;
                        if (!slash)
                                break;
                        p = slash;
                }
        }
}

static int rm_cgroup_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        if (flag != FTW_DP)
                return 0;
        /* A cgroup whose last process has just exited may be busy for a moment. */
        for (int i = 0; i < 100 && rmdir(path) < 0 && errno == EBUSY; i++)
                (void)usleep(10000);
        return 0;
}

/* Our memory cgroup as a prefix of absolute cgroup paths: "" for the root. */
static const char *mem_prefix(const struct ctx *c)
{
        return strcmp(c->mem_cg, "/") == 0 ? "" : c->mem_cg;
}

/* Remove every cgroup this run made: below ours, and ancestors crun or podman added. */
static void cgroups_cleanup(struct ctx *c)
{
        for (size_t h = 0; h < c->n_cg; h++) {
                const char *own = strcmp(c->cg[h].own, "/") == 0 ? "" : c->cg[h].own;
                const char *mem = mem_prefix(c);
                kl_autofree char *a = kl_asprintf("%s%s/%s", c->cg[h].mount, own, c->cg_name);
                kl_autofree char *b = kl_asprintf("%s%s/%s", c->cg[h].mount, mem, c->cg_name);
                size_t depth = 0;

                (void)nftw(a, rm_cgroup_entry, 16, FTW_DEPTH | FTW_PHYS);
                (void)nftw(b, rm_cgroup_entry, 16, FTW_DEPTH | FTW_PHYS);
                for (const char *p = mem; *p; p++)
                        if (*p == '/')
                                depth++;
                for (size_t k = KL_MIN(depth, (size_t)CG_DEPTH); k-- > 0;) {
                        /* The k-th ancestor: the first k+1 components of our memory cgroup. */
                        const char *end = mem;
                        kl_autofree char *dir = NULL;

                        for (size_t n = 0; n <= k; n++)
                                end = strchrnul(end + 1, '/');
                        if (c->cg[h].existed[k])
                                continue;
                        dir = kl_asprintf("%s%.*s", c->cg[h].mount, (int)(end - mem), mem);
                        (void)rmdir(dir);
                }
        }
}

/* ---- the OCI bundle for runc and crun ---- */

static json_t *mount_obj(const char *dst, const char *type, const char *src, const char *opts)
{
        json_t *o = json_array();
        char *save = NULL;
        kl_autofree char *copy = kl_strdup(opts);

        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                (void)json_array_append_new(o, json_string(t));
        return json_pack("{s:s, s:s, s:s, s:o}", "destination", dst, "type", type, "source", src,
                         "options", o);
}

static json_t *str_array(const char *const *v)
{
        json_t *a = json_array();

        for (; *v; v++)
                (void)json_array_append_new(a, json_string(*v));
        return a;
}

/*
 * The config.json `runc spec` would write, with our container's settings:
 * /bin/true, no terminal, the default capabilities (bounding, effective,
 * permitted, inheritable: as the shim sets them), RuntimeDefault seccomp,
 * new pid, ipc, uts, mount, network and cgroup namespaces, the standard
 * mounts, masked and read-only paths, 64 MiB of memory and 100 pids.
 */
static json_t *oci_config(const struct ctx *c, const char *id, const char *cgroups_path)
{
        json_t *mounts = json_array();
        json_t *cfg;

        (void)json_array_append_new(mounts,
                                    mount_obj("/proc", "proc", "proc", "nosuid,noexec,nodev"));
        (void)json_array_append_new(mounts, mount_obj("/dev", "tmpfs", "tmpfs",
                                                      "nosuid,strictatime,mode=755,size=65536k"));
        (void)json_array_append_new(
                mounts, mount_obj("/dev/pts", "devpts", "devpts",
                                  "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"));
        (void)json_array_append_new(mounts, mount_obj("/dev/shm", "tmpfs", "shm",
                                                      "nosuid,noexec,nodev,mode=1777,size=65536k"));
        (void)json_array_append_new(
                mounts, mount_obj("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"));
        (void)json_array_append_new(mounts,
                                    mount_obj("/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro"));
        (void)json_array_append_new(mounts, mount_obj("/sys/fs/cgroup", "cgroup", "cgroup",
                                                      "nosuid,noexec,nodev,relatime,ro"));

        cfg = json_pack(
                "{s:s, s:{s:b, s:{s:i, s:i}, s:[s], s:[s], s:s, s:{s:O, s:O, s:O, s:O}, s:b},"
                " s:{s:s, s:b}, s:s, s:o,"
                " s:{s:{s:[{s:b, s:s}], s:{s:I}, s:{s:I}}, s:s,"
                " s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}, {s:s}], s:O, s:o, s:o}}",
                "ociVersion", "1.0.2", "process", "terminal", 0, "user", "uid", 0, "gid", 0, "args",
                "/bin/true", "env",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "cwd", "/",
                "capabilities", "bounding", c->caps, "effective", c->caps, "permitted", c->caps,
                "inheritable", c->caps, "noNewPrivileges", 0, "root", "path", c->rootfs, "readonly",
                0, "hostname", id, "mounts", mounts, "linux", "resources", "devices", "allow", 0,
                "access", "rwm", "memory", "limit", (json_int_t)MEMORY_LIMIT, "pids", "limit",
                (json_int_t)PIDS_LIMIT, "cgroupsPath", cgroups_path, "namespaces", "type", "pid",
                "type", "network", "type", "ipc", "type", "uts", "type", "mount", "type", "cgroup",
                "seccomp", c->seccomp, "maskedPaths", str_array(kl_container__default_masked),
                "readonlyPaths", str_array(kl_container__default_readonly));
        if (!cfg)
                die("json_pack", "config.json");
        return cfg;
}

/* `kube-lite ctr --data-dir D --state-dir S <verb>`. */
static char **ctr_argv(const struct ctx *c, const char *verb)
{
        char **v = NULL;

        push(&v, c->bin, "ctr", "--data-dir", c->data, "--state-dir", c->state, verb, NULL);
        return v;
}

/* ---- the tools: the argv of one `run` of container `id` (set-up here is not timed) ---- */

static char **kube_lite_run_argv(struct ctx *c, const char *id)
{
        kl_autofree char *parent = kl_asprintf("%s/kube-lite", c->cg_name);
        char **v = ctr_argv(c, "--cgroup-parent");

        push(&v, parent, "run", "--rm", "--name", id, "--memory", "64m", "--pids-limit", "100",
             c->image, "/bin/true", NULL);
        return v;
}

/* runc and crun: a bundle of its own per container (its cgroupsPath differs). */
static char **oci_run_argv(struct ctx *c, const char *tool, const char *id, const char *cg_path)
{
        kl_autofree char *bundle = kl_asprintf("%s/%s", c->bundles, id);
        kl_autofree char *file = kl_asprintf("%s/config.json", bundle);
        kl_autofree char *root = kl_asprintf("%s/%s-state", c->dir, strrchr(tool, '/') + 1);
        json_auto_t *cfg = oci_config(c, id, cg_path);
        char **v = NULL;

        if (mkdir(bundle, 0700) < 0)
                die("mkdir", bundle);
        write_json(file, cfg);
        push(&v, tool, "--root", root, "run", "--bundle", bundle, id, NULL);
        return v;
}

static char **runc_argv(struct ctx *c, const char *id)
{
        /* runc's cgroupfs driver: a relative path is below runc's own cgroups. */
        kl_autofree char *cg = kl_asprintf("%s/runc/%s", c->cg_name, id);

        return oci_run_argv(c, c->runc, id, cg);
}

static char **crun_argv(struct ctx *c, const char *id)
{
        /* crun: from the hierarchies' roots; below our memory cgroup (our limits apply). */
        kl_autofree char *cg = kl_asprintf("%s/%s/crun/%s", mem_prefix(c), c->cg_name, id);

        return oci_run_argv(c, c->crun, id, cg);
}

static char **podman_base(const struct ctx *c)
{
        kl_autofree char *root = kl_asprintf("%s/podman/root", c->dir);
        char **v = NULL;

        push(&v, c->podman, "--root", root, "--runroot", c->podman_run, "--storage-driver",
             "overlay", "--cgroup-manager", "cgroupfs", "--events-backend", "none", NULL);
        return v;
}

static char **podman_run(struct ctx *c, const char *id, bool detach, const char *cmd)
{
        kl_autofree char *parent = kl_asprintf("%s/%s/podman", mem_prefix(c), c->cg_name);
        char **v = podman_base(c);

        push(&v, "run", detach ? "-d" : "--rm", "--name", id, "--network", "none", "--pull",
             "never", "--cgroup-parent", parent, c->image, cmd, detach ? "1000" : NULL, NULL);
        return v;
}

static char **podman_argv(struct ctx *c, const char *id)
{
        return podman_run(c, id, false, "true");
}

typedef char **bench_argv_fn(struct ctx *c, const char *id);

/* Bundles of finished runs (runc and crun leave nothing else in them); kept with $KL_BENCH_KEEP. */
static void bundles_clear(const struct ctx *c)
{
        if (getenv("KL_BENCH_KEEP"))
                return;
        rm_rf(c->bundles);
        if (mkdir(c->bundles, 0700) < 0)
                die("mkdir", c->bundles);
}

/* 3 warm-up runs, then RUNS timed ones: fork to reaped exit. */
static void measure_serial(struct ctx *c, const char *prefix, bench_argv_fn *fn, struct series *s)
{
        for (int i = 0; i < WARMUP + RUNS; i++) {
                kl_autofree char *id = kl_asprintf("%s-%u", prefix, c->seq++);
                char **argv = fn(c, id);
                kl_usec_t t0 = kl_now_monotonic(), t;
                int r = reap_by(spawn(c, argv, -1), t0 + TOOL_TIMEOUT);

                t = kl_now_monotonic() - t0;
                kl_strv_free(argv);
                if (r != 0) {
                        if (r < 0)
                                fail(c, s, "'%s run' of '%s' did not end within %d s: killed",
                                     prefix, id, (int)(TOOL_TIMEOUT / KL_USEC_PER_SEC));
                        else
                                fail(c, s, "'%s run' of '%s' exited with status %d", prefix, id, r);
                        bundles_clear(c);
                        return;
                }
                if (i >= WARMUP)
                        s->runs[i - WARMUP] = t;
                reap_orphans(0);
        }
        bundles_clear(c);
        s->measured = true;
}

/* CONCURRENT runs started together (argvs and bundles ready first): until all have exited. */
static void measure_concurrent(struct ctx *c, const char *prefix, bench_argv_fn *fn,
                               struct series *s)
{
        char **argv[CONCURRENT];
        pid_t pid[CONCURRENT];
        int failed = 0, status = 0;
        kl_usec_t t0;

        if (!s->measured)
                return;
        for (int i = 0; i < CONCURRENT; i++) {
                kl_autofree char *id = kl_asprintf("%s-c%u", prefix, c->seq++);

                argv[i] = fn(c, id);
        }
        t0 = kl_now_monotonic();
        for (int i = 0; i < CONCURRENT; i++)
                pid[i] = spawn(c, argv[i], -1);
        for (int i = 0; i < CONCURRENT; i++) {
                int r = reap_by(pid[i], t0 + CONCURRENT_TIMEOUT);

                if (r != 0) {
                        failed++;
                        status = r;
                }
        }
        s->concurrent = kl_now_monotonic() - t0;
        reap_orphans(0);
        for (int i = 0; i < CONCURRENT; i++)
                kl_strv_free(argv[i]);
        bundles_clear(c);
        if (failed) {
                s->concurrent = 0;
                fprintf(stderr,
                        "bench-ctr: %d of %d concurrent '%s' runs failed (last status %d)\n",
                        failed, CONCURRENT, prefix, status);
        }
}

/* ---- memory of a monitor: the shim, or conmon for podman ---- */

/* VmRSS from /proc/<pid>/status and Pss from smaps_rollup, in KiB; -1 when unreadable. */
static long proc_kb(const char *file, const char *key)
{
        kl_autofree char *text = NULL;
        const char *p;

        if (kl_read_file(file, 64 << 10, &text, NULL) < 0)
                return -1;
        for (p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
                const char *v = kl_startswith(p, key);

                char num[32];
                int64_t kb;

                if (!v || *v != ':')
                        continue;
                v += strspn(v + 1, " \t") + 1;
                (void)snprintf(num, sizeof(num), "%.*s", (int)strspn(v, "0123456789"), v);
                return kl_parse_int64(num, &kb) == 0 ? (long)kb : -1;
        }
        return -1;
}

static void monitor_memory(pid_t pid, long *ret_rss, long *ret_pss)
{
        kl_autofree char *status = kl_asprintf("/proc/%d/status", (int)pid);
        kl_autofree char *rollup = kl_asprintf("/proc/%d/smaps_rollup", (int)pid);

        *ret_rss = proc_kb(status, "VmRSS");
        *ret_pss = proc_kb(rollup, "Pss");
}

/* ---- the private mount namespace for crun and podman ---- */

typedef void bench_child_fn(struct ctx *c, struct series *s);

/*
 * Run `fn` in a child in a mount namespace of its own where the hybrid
 * layout's cgroup2 mount is replaced by an empty tmpfs (crun 1.8 refuses
 * the hybrid layout; what it and podman write there dies with the
 * namespace). The series comes back through a pipe.
 */
static void in_private_ns(struct ctx *c, bench_child_fn *fn, struct series *s)
{
        int fds[2];
        pid_t pid;
        ssize_t n;

        if (pipe2(fds, O_CLOEXEC) < 0)
                die("pipe", strerror(errno));
        pid = fork();
        if (pid < 0)
                die("fork", strerror(errno));
        if (pid == 0) {
                struct series out = *s;
                struct stat st;

                (void)close(fds[0]);
                current = NULL; /* the parent cleans up after a die() in here */
                if (unshare(CLONE_NEWNS) < 0 ||
                    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                        (void)snprintf(out.why, sizeof(out.why), "private mount namespace: %s",
                                       strerror(errno));
                } else {
                        if (umount2("/sys/fs/cgroup/unified", MNT_DETACH) == 0 &&
                            stat("/sys/fs/cgroup/unified", &st) == 0)
                                (void)mount("tmpfs", "/sys/fs/cgroup/unified", "tmpfs",
                                            MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m,mode=755");
                        /* Not inherited: conmon is reaped in here, not by the parent. */
                        (void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
                        fn(c, &out);
                        reap_orphans(2 * KL_USEC_PER_SEC);
                        kill_children();
                }
                n = write(fds[1], &out, sizeof(out));
                _exit(n == (ssize_t)sizeof(out) ? 0 : 1);
        }
        (void)close(fds[1]);
        n = read(fds[0], s, sizeof(*s));
        (void)close(fds[0]);
        if (reap_by(pid, after(TOOL_TIMEOUT)) != 0 || n != (ssize_t)sizeof(*s)) {
                s->measured = false;
                (void)snprintf(s->why, sizeof(s->why), "the private-namespace child failed");
        }
}

static void crun_child(struct ctx *c, struct series *s)
{
        measure_serial(c, "crun", crun_argv, s);
        measure_concurrent(c, "crun", crun_argv, s);
}

/*
 * podman as root raises RLIMIT_NOFILE and RLIMIT_NPROC of its containers
 * above our hard limits unless told otherwise, and without CAP_SYS_RESOURCE
 * its runtime's setrlimit() fails: default_ulimits are our own hard limits,
 * nproc at most kernel.pid_max (podman's runtime gets no more than that
 * here: measured, 32768 works and 32769 does not).
 */
static char *podman_conf(const char *tmp)
{
        struct rlimit nofile, nproc;
        kl_autofree char *text = NULL;
        uint64_t pid_max = 32768;
        unsigned long long nofile_max, nproc_max;

        if (getrlimit(RLIMIT_NOFILE, &nofile) < 0 || getrlimit(RLIMIT_NPROC, &nproc) < 0)
                die("getrlimit", strerror(errno));
        if (kl_read_file("/proc/sys/kernel/pid_max", 64, &text, NULL) == 0 &&
            kl_parse_uint64(chomp(text), &pid_max) < 0)
                pid_max = 32768;
        nofile_max = nofile.rlim_max == RLIM_INFINITY ? 1048576 : nofile.rlim_max;
        nproc_max = nproc.rlim_max == RLIM_INFINITY ? pid_max : KL_MIN(nproc.rlim_max, pid_max);
        return kl_asprintf("[containers]\n"
                           "default_ulimits = [\"nofile=%llu:%llu\", \"nproc=%llu:%llu\"]\n"
                           "log_driver = \"k8s-file\"\n"
                           "[engine]\n"
                           "cgroup_manager = \"cgroupfs\"\n"
                           "events_logger = \"none\"\n"
                           "tmp_dir = \"%s\"\n",
                           nofile_max, nofile_max, nproc_max, nproc_max, tmp);
}

static void podman_child(struct ctx *c, struct series *s)
{
        kl_autofree char *conf = kl_asprintf("%s/podman/containers.conf", c->dir);
        kl_autofree char *tmp = kl_asprintf("%s/podman/tmp", c->dir);
        kl_autofree char *text = podman_conf(tmp);
        kl_autostrv char **load = podman_base(c);
        kl_autostrv char **run = NULL;
        kl_autostrv char **inspect = podman_base(c);
        kl_autostrv char **rm = podman_base(c);
        kl_autofree char *out = NULL;
        pid_t conmon = 0;
        int r;

        if (kl_mkdir_p(tmp, 0700) < 0 ||
            kl_write_file_atomic(conf, text, strlen(text), 0600, 0) < 0)
                die("write", conf);
        (void)setenv("CONTAINERS_CONF", conf, 1);
        push(&load, "load", "-i", c->tar, NULL);
        r = run_cmd(c, load);
        if (r != 0) {
                fail(c, s, "'podman load' exited with status %d", r);
                return;
        }
        measure_serial(c, "podman", podman_argv, s);
        if (!s->measured)
                return;

        /* conmon, podman's monitor of a detached container: the reference for the shim. */
        run = podman_run(c, "idle", true, "sleep");
        push(&inspect, "inspect", "--format", "{{.State.ConmonPid}}", "idle", NULL);
        push(&rm, "rm", "-f", "-t", "0", "idle", NULL);
        r = run_cmd(c, run);
        if (r == 0 && run_capture(c, inspect, &out) == 0 && out &&
            kl_parse_pid(chomp(out), &conmon) == 0)
                monitor_memory(conmon, &s->rss_kb, &s->pss_kb);
        (void)run_cmd(c, rm);
}

/* ---- kube-lite ---- */

/* `ctr run -d ... sleep 1000`, the shim's memory from `ctr inspect`'s shim_pid, `ctr rm -f`. */
static void idle_shim(struct ctx *c, struct series *s)
{
        kl_autofree char *parent = kl_asprintf("%s/kube-lite", c->cg_name);
        kl_autofree char *out = NULL;
        kl_autostrv char **run = ctr_argv(c, "--cgroup-parent");
        kl_autostrv char **inspect = ctr_argv(c, "inspect");
        kl_autostrv char **rm = ctr_argv(c, "rm");
        json_auto_t *state = NULL;
        json_int_t shim = 0;
        int r;

        push(&run, parent, "run", "-d", "--name", "idle", "--memory", "64m", "--pids-limit", "100",
             c->image, "sleep", "1000", NULL);
        push(&inspect, "idle", NULL);
        push(&rm, "-f", "idle", NULL);
        r = run_cmd(c, run);
        if (r != 0) {
                fprintf(stderr, "bench-ctr: 'ctr run -d' exited with status %d\n", r);
                return;
        }
        if (run_capture(c, inspect, &out) == 0 && out)
                state = json_loads(out, 0, NULL);
        if (json_unpack(state, "{s:I}", "shim_pid", &shim) == 0 && shim > 0)
                monitor_memory((pid_t)shim, &s->rss_kb, &s->pss_kb);
        else
                fprintf(stderr, "bench-ctr: 'ctr inspect idle' gave no shim_pid\n");
        if (run_cmd(c, rm) != 0)
                fprintf(stderr, "bench-ctr: 'ctr rm -f idle' failed\n");
}

static void kube_lite_bench(struct ctx *c, struct series *s)
{
        kl_autostrv char **import = NULL;
        int r;

        push(&import, c->bin, "images", "--data-dir", c->data, "import", c->tar, NULL);
        r = run_cmd(c, import);
        if (r != 0) {
                fail(c, s, "'kube-lite images import' exited with status %d", r);
                return;
        }
        measure_serial(c, "kube-lite", kube_lite_run_argv, s);
        measure_concurrent(c, "kube-lite", kube_lite_run_argv, s);
        if (s->measured)
                idle_shim(c, s);
}

/* Containers a failed run may have left: kube-lite's. */
static void kube_lite_leftovers(const struct ctx *c)
{
        kl_autostrv char **ps = ctr_argv(c, "ps");
        kl_autofree char *out = NULL;
        char *save = NULL;

        push(&ps, "-a", "-q", NULL);
        if (run_capture(c, ps, &out) != 0 || !out)
                return;
        for (char *id = strtok_r(out, "\n", &save); id; id = strtok_r(NULL, "\n", &save)) {
                kl_autostrv char **rm = ctr_argv(c, "rm");

                push(&rm, "-f", id, NULL);
                (void)run_cmd(c, rm);
        }
}

/* Containers a failed run may have left: runc's or crun's. */
static void oci_leftovers(const struct ctx *c, const char *tool)
{
        kl_autofree char *root = kl_asprintf("%s/%s-state", c->dir, strrchr(tool, '/') + 1);
        kl_autostrv char **list = NULL;
        kl_autofree char *out = NULL;
        char *save = NULL;

        push(&list, tool, "--root", root, "list", "-q", NULL);
        if (access(root, F_OK) < 0 || run_capture(c, list, &out) != 0 || !out)
                return;
        for (char *id = strtok_r(out, "\n", &save); id; id = strtok_r(NULL, "\n", &save)) {
                kl_autostrv char **del = NULL;

                push(&del, tool, "--root", root, "delete", "-f", id, NULL);
                (void)run_cmd(c, del);
        }
}

static void runc_bench(struct ctx *c, struct series *s)
{
        measure_serial(c, "runc", runc_argv, s);
        measure_concurrent(c, "runc", runc_argv, s);
}

static void crun_child_all(struct ctx *c, struct series *s)
{
        crun_child(c, s);
        oci_leftovers(c, c->crun);
}

/* ---- set-up ---- */

/* The image: $KL_BENCH_IMAGE_TAR, or built by scripts/test-images.sh into the scratch dir. */
static void image_setup(struct ctx *c)
{
        const char *tar = getenv("KL_BENCH_IMAGE_TAR");
        const char *script = getenv("KL_BENCH_TEST_IMAGES");
        kl_autofree char *out = kl_asprintf("%s/images", c->dir);
        char *argv[] = { (char *)(script ? script : "scripts/test-images.sh"), out, NULL };
        int r;

        c->image = kl_strdup(getenv("KL_BENCH_IMAGE") ? getenv("KL_BENCH_IMAGE") : default_image);
        if (tar) {
                c->tar = kl_strdup(tar);
                return;
        }
        if (kl_mkdir_p(out, 0755) < 0)
                die("mkdir", out);
        r = run_cmd(c, argv);
        if (r != 0) {
                char tail[256];

                log_tail(c, tail, sizeof(tail));
                fprintf(stderr, "bench-ctr: '%s %s' exited with status %d:\n%s\n", argv[0], out, r,
                        tail);
                die("no test image", "set KL_BENCH_IMAGE_TAR to an OCI archive of it");
        }
        c->tar = kl_asprintf("%s/busybox.tar", out);
}

static json_t *read_json(const char *path)
{
        kl_autofree char *text = NULL;
        size_t len = 0;
        json_t *v;

        if (kl_read_file(path, 4 << 20, &text, &len) < 0)
                die("read", path);
        v = json_loadb(text, len, 0, NULL);
        if (!v)
                die("not JSON", path);
        return v;
}

/*
 * runc's and crun's rootfs: the archive's layout unpacked, then the layers of
 * its first manifest extracted in order with tar (the test image has one
 * layer, so no whiteouts to apply).
 */
static void rootfs_setup(struct ctx *c)
{
        kl_autofree char *layout = kl_asprintf("%s/oci", c->dir);
        kl_autofree char *index_path = kl_asprintf("%s/index.json", layout);
        kl_autofree char *manifest_path = NULL;
        kl_autofree char *tar = find_tool("tar");
        json_auto_t *index = NULL;
        json_auto_t *manifest = NULL;
        const char *digest = NULL;
        json_t *layers = NULL, *layer;
        size_t i;

        if (!tar)
                die("tar", "not installed");
        c->rootfs = kl_asprintf("%s/rootfs", c->dir);
        if (kl_mkdir_p(layout, 0700) < 0 || kl_mkdir_p(c->rootfs, 0755) < 0)
                die("mkdir", c->rootfs);
        {
                char *argv[] = { tar, (char *)"-xf", c->tar, (char *)"-C", layout, NULL };

                if (run_cmd(c, argv) != 0)
                        die("unpack", c->tar);
        }
        index = read_json(index_path);
        if (json_unpack(index, "{s:[{s:s}]}", "manifests", "digest", &digest) < 0 ||
            !kl_startswith(digest, "sha256:"))
                die("no manifest in", index_path);
        manifest_path = kl_asprintf("%s/blobs/sha256/%s", layout, digest + 7);
        manifest = read_json(manifest_path);
        if (json_unpack(manifest, "{s:o}", "layers", &layers) < 0 || !json_is_array(layers))
                die("no layers in", manifest_path);
        json_array_foreach(layers, i, layer) {
                const char *d = json_string_value(json_object_get(layer, "digest"));
                kl_autofree char *blob = NULL;
                char *argv[] = { tar, (char *)"-xf", NULL, (char *)"-C", c->rootfs, NULL };

                if (!d || !kl_startswith(d, "sha256:") || strchr(d + 7, '/'))
                        die("bad layer digest in", manifest_path);
                blob = kl_asprintf("%s/blobs/sha256/%s", layout, d + 7);
                argv[2] = blob;
                if (run_cmd(c, argv) != 0)
                        die("unpack layer", blob);
        }
}

/* The capabilities and seccomp policy the shim gives a default container. */
static void policy_setup(struct ctx *c)
{
        uint64_t caps = kl_ctr_caps_default();
        kl_autofree char *seccomp = kl_ctr_seccomp_default_oci_json(caps);

        c->caps = json_array();
        for (int cap = 0; cap < 64; cap++) {
                const char *name = kl_container__cap_name(cap);

                if ((caps & ((uint64_t)1 << cap)) && name)
                        (void)json_array_append_new(c->caps, json_string(name));
        }
        c->seccomp = seccomp ? json_loads(seccomp, 0, NULL) : NULL;
        if (!c->seccomp)
                die("kl_ctr_seccomp_default_oci_json", "no JSON object");
}

/* ---- the report ---- */

static void row(const char *what, const struct series *s, const struct series *ours,
                const char *goal)
{
        kl_usec_t v[RUNS];

        if (!s->measured) {
                printf("  %-30s %s\n", what, s->why[0] ? s->why : "not measured");
                return;
        }
        memcpy(v, s->runs, sizeof(v));
        qsort(v, RUNS, sizeof(v[0]), cmp_usec);
        printf("  %-30s %8.1f ms %8.1f ms", what, ms(pct(v, RUNS, 0.5)), ms(pct(v, RUNS, 0.99)));
        if (s != ours && ours->measured) {
                kl_usec_t o[RUNS];

                memcpy(o, ours->runs, sizeof(o));
                qsort(o, RUNS, sizeof(o[0]), cmp_usec);
                printf("   %6.2fx", (double)pct(o, RUNS, 0.5) / (double)pct(v, RUNS, 0.5));
                if (goal[0])
                        printf("   %s", goal);
        }
        printf("\n");
}

static void concurrent_row(const char *what, const struct series *s, const struct series *ours)
{
        if (!s->measured || s->concurrent == 0) {
                printf("  %-30s %s\n", what, s->measured ? "failed" : "not measured");
                return;
        }
        printf("  %-30s %8.0f ms", what, ms(s->concurrent));
        if (s != ours && ours->measured && ours->concurrent)
                printf("%12s   %6.2fx", "", (double)ours->concurrent / (double)s->concurrent);
        printf("\n");
}

static void report(const struct ctx *c, const struct series *kl, const struct series *runc,
                   const struct series *crun, const struct series *podman)
{
        char what[128];

        printf("containers: run --rm of /bin/true in %s (image in the store), RuntimeDefault\n"
               "seccomp, default capabilities, new pid/ipc/uts/mount/net/cgroup namespaces,\n"
               "memory 64 MiB, pids 100; %d runs after %d warm-up runs, fork to reaped exit\n\n",
               c->image, RUNS, WARMUP);
        printf("  %-30s %11s %11s   %s\n", "start and exit of one", "median", "p99",
               "kube-lite / it");
        row("kube-lite ctr run --rm", kl, kl, "");
        (void)snprintf(what, sizeof(what), "%s run", crun->version[0] ? crun->version : "crun");
        row(what, crun, kl, "goal < 1 (faster than crun)");
        (void)snprintf(what, sizeof(what), "%s run", runc->version[0] ? runc->version : "runc");
        row(what, runc, kl, "");
        (void)snprintf(what, sizeof(what), "%s run --rm",
                       podman->version[0] ? podman->version : "podman");
        row(what, podman, kl, "");

        printf("\n  %-30s %11s %11s   %s\n", "100 started at once", "all exited", "",
               "kube-lite / it");
        concurrent_row("kube-lite ctr run --rm", kl, kl);
        concurrent_row("crun run", crun, kl);
        concurrent_row("runc run", runc, kl);

        printf("\n  idle monitor of one container (sleep 1000)\n");
        if (kl->rss_kb >= 0)
                printf("  %-30s VmRSS %6ld KiB, Pss %6ld KiB   goal VmRSS <= 1024 KiB\n",
                       "kube-lite shim", kl->rss_kb, kl->pss_kb);
        else
                printf("  %-30s not measured\n", "kube-lite shim");
        if (podman->rss_kb >= 0)
                printf("  %-30s VmRSS %6ld KiB, Pss %6ld KiB\n", "conmon (podman's monitor)",
                       podman->rss_kb, podman->pss_kb);
}

/*
 * Containers, processes, cgroups and files this run made: removed (the
 * private-namespace children clean up after themselves). Called once, at
 * the end or from die().
 */
static void cleanup(struct ctx *c)
{
        if (c->bin && c->data)
                kube_lite_leftovers(c);
        if (c->runc)
                oci_leftovers(c, c->runc);
        reap_orphans(2 * KL_USEC_PER_SEC);
        kill_children();
        cgroups_cleanup(c);
        if (getenv("KL_BENCH_KEEP")) {
                fprintf(stderr, "bench-ctr: kept %s\n", c->dir);
                return;
        }
        rm_rf(c->dir);
        if (c->podman_run)
                rm_rf(c->podman_run);
}

static void ctx_release(struct ctx *c)
{
        char **owned[] = { &c->dir,    &c->bin,   &c->log,    &c->tar,     &c->image,
                           &c->data,   &c->state, &c->rootfs, &c->bundles, &c->cg_name,
                           &c->mem_cg, &c->runc,  &c->crun,   &c->podman,  &c->podman_run };

        for (size_t i = 0; i < KL_ARRAY_SIZE(owned); i++) {
                free(*owned[i]);
                *owned[i] = NULL;
        }
        for (size_t h = 0; h < c->n_cg; h++) {
                free(c->cg[h].mount);
                free(c->cg[h].own);
        }
        c->n_cg = 0;
        json_decref(c->seccomp);
        json_decref(c->caps);
        c->seccomp = c->caps = NULL;
}

static void tool_setup(struct ctx *c, char **tool, const char *name, struct series *s)
{
        *tool = find_tool(name);
        if (!*tool) {
                (void)snprintf(s->why, sizeof(s->why), "%s: not installed", name);
                return;
        }
        tool_version(c, *tool, s->version, sizeof(s->version));
}

int main(int argc, char **argv)
{
        const char *scratch = getenv("KL_BENCH_DIR");
        kl_autofree char *bin = NULL;
        struct ctx c = { 0 };
        struct series kl = { .rss_kb = -1, .pss_kb = -1 }, runc = kl, crun = kl, podman = kl;

        (void)argc;
        if (geteuid() != 0) {
                printf("containers: skipped (needs root)\n");
                return 0;
        }
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                die("PR_SET_CHILD_SUBREAPER", strerror(errno));
        if (getenv("KL_BENCH_BIN")) {
                bin = kl_strdup(getenv("KL_BENCH_BIN"));
        } else {
                /* build/<variant>/pkg/container/bench/bench-ctr -> build/<variant>/kube-lite */
                const char *slash = strrchr(argv[0], '/');

                bin = kl_asprintf("%.*s/../../../kube-lite", slash ? (int)(slash - argv[0]) : 1,
                                  slash ? argv[0] : ".");
        }
        c.bin = realpath(bin, NULL); /* NULL when it is not there: reported */
        c.dir = kl_asprintf("%s/ctr-XXXXXX", scratch ? scratch : "/tmp");
        if (!mkdtemp(c.dir))
                die("mkdtemp", strerror(errno));
        current = &c;
        c.log = kl_asprintf("%s/tools.log", c.dir);
        c.data = kl_asprintf("%s/data", c.dir);
        c.state = kl_asprintf("%s/state", c.dir);
        c.bundles = kl_asprintf("%s/bundles", c.dir);
        c.cg_name = kl_asprintf("kl-bench-%d", (int)getpid());
        if (mkdir(c.bundles, 0700) < 0)
                die("mkdir", c.bundles);
        cgroups_init(&c);
        policy_setup(&c);
        image_setup(&c);
        rootfs_setup(&c);
        tool_setup(&c, &c.runc, "runc", &runc);
        tool_setup(&c, &c.crun, "crun", &crun);
        tool_setup(&c, &c.podman, "podman", &podman);
        if (c.podman) {
                /* podman refuses a --runroot over 50 characters: ours is in /tmp. */
                c.podman_run = kl_strdup("/tmp/kl-bench-XXXXXX");
                if (!mkdtemp(c.podman_run))
                        die("mkdtemp", strerror(errno));
        }

        if (c.bin)
                kube_lite_bench(&c, &kl);
        else
                (void)snprintf(kl.why, sizeof(kl.why), "no kube-lite binary (set KL_BENCH_BIN)");
        if (c.runc)
                runc_bench(&c, &runc);
        if (c.crun)
                in_private_ns(&c, crun_child_all, &crun);
        if (c.podman)
                in_private_ns(&c, podman_child, &podman);

        current = NULL;
        cleanup(&c);
        report(&c, &kl, &runc, &crun, &podman);
        (void)fflush(stdout);
        ctx_release(&c);
        return kl.measured ? 0 : 1;
}
