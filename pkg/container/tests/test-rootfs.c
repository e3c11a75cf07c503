/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kl_container__rootfs_setup() in real namespaces. Each test builds a rootfs
 * from busybox-static (two overlay layers, or a plain directory), forks a
 * child that unshares mount, PID, IPC, UTS, network and cgroup namespaces and
 * forks again, so the grandchild is PID 1 of the new PID namespace; the
 * grandchild sets the rootfs up, checks what it sees from inside and reports
 * one line per check through a pipe. Every mount lives in the child's mount
 * namespace, so the host's mount table must be unchanged afterwards.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "base/base.h"
#include "container/ctr-internal.h"
#include "testing/testing.h"

struct fixture {
        char *dir;       /* owned: the test's directory */
        char *bottom;    /* owned: the lower layer (busybox and its links) */
        char *top;       /* owned: the upper image layer (a shadowing file, a whiteout) */
        char *outside;   /* owned: a host directory a symlink in the image points at */
        char *probe;     /* owned: the propagation probe's source dir, or NULL */
        bool host_kcore; /* the host kernel has /proc/kcore */
        bool host_sysrq; /* ... and /proc/sysrq-trigger */
        struct kl_container__paths paths;
        struct kl_ctr_config cfg;
};

typedef void check_fn(int out, const struct fixture *f);

static void need_root(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root (mount namespaces, overlayfs, pivot_root)");
        if (access("/bin/busybox", X_OK) < 0)
                cr_skip_test("busybox-static is not installed (apt-get install busybox-static)");
}

static char *path_join(const char *a, const char *b)
{
        return kl_asprintf("%s/%s", a, b);
}

static void mkdirs(const char *dir, const char *name)
{
        kl_autofree char *p = path_join(dir, name);

        cr_assert_eq(kl_mkdir_p(p, 0755), 0, "mkdir '%s'", p);
}

static void write_at(const char *dir, const char *name, const char *text)
{
        free(kl_test_write_file(dir, name, text));
}

static void symlink_at(const char *dir, const char *name, const char *target)
{
        kl_autofree char *p = path_join(dir, name);

        cr_assert_eq(symlink(target, p), 0, "symlink '%s': %s", p, strerror(errno));
}

static void copy_busybox(const char *dir)
{
        kl_autofree char *data = NULL;
        kl_autofree char *p = path_join(dir, "bin/busybox");
        size_t len = 0;

        mkdirs(dir, "bin");
        cr_assert_eq(kl_read_file("/bin/busybox", (size_t)64 << 20, &data, &len), 0);
        cr_assert_eq(kl_write_file_atomic(p, data, len, 0755, KL_WRITE_FILE_NOSYNC), 0);
        symlink_at(dir, "bin/sh", "busybox");
        symlink_at(dir, "bin/cat", "busybox");
}

/* The image's system directories: without them the mount points must be created. */
static void add_mount_points(const char *dir)
{
        mkdirs(dir, "proc");
        mkdirs(dir, "sys");
        mkdirs(dir, "dev");
}

/* Two layers and the container's dirs; `mount_points`: the image has /proc, /sys, /dev. */
static void fixture_init(struct fixture *f, bool mount_points)
{
        kl_autofree char *wh = NULL;

        *f = (struct fixture){ 0 };
        f->host_kcore = access("/proc/kcore", F_OK) == 0;
        f->host_sysrq = access("/proc/sysrq-trigger", F_OK) == 0;
        f->dir = kl_strdup(kl_test_tmpdir());
        f->bottom = path_join(f->dir, "layers/bottom");
        f->top = path_join(f->dir, "layers/top");
        f->outside = path_join(f->dir, "outside");
        mkdirs(f->dir, "layers/bottom");
        mkdirs(f->dir, "layers/top");
        mkdirs(f->dir, "outside");

        copy_busybox(f->bottom);
        write_at(f->bottom, "etc/msg", "bottom\n");
        write_at(f->bottom, "etc/gone", "gone\n");
        write_at(f->bottom, "etc/keep", "keep\n");
        if (mount_points)
                add_mount_points(f->bottom);
        write_at(f->top, "etc/msg", "top\n");
        wh = path_join(f->top, "etc/gone");
        cr_assert_eq(mknod(wh, S_IFCHR | 0600, makedev(0, 0)), 0, "whiteout: %s", strerror(errno));
        /* Absolute, naming a host directory that exists: must stay inside the rootfs. */
        symlink_at(f->top, "escape", f->outside);
        /* Relative, climbing far above the root: ".." stops at the root. */
        symlink_at(f->top, "updir", "../../../../../../../../../../../tmp");

        f->paths.data = path_join(f->dir, "data");
        f->paths.rootfs = path_join(f->dir, "data/rootfs");
        f->paths.upper = path_join(f->dir, "data/upper");
        f->paths.work = path_join(f->dir, "data/work");

        kl_ctr_config_init(&f->cfg);
        f->cfg.id = kl_strdup("c4-rootfs");
        kl_strv_push(&f->cfg.layers, f->top);
        kl_strv_push(&f->cfg.layers, f->bottom);
}

static void fixture_release(struct fixture *f)
{
        kl_ctr_config_release(&f->cfg);
        free(f->paths.data);
        free(f->paths.rootfs);
        free(f->paths.upper);
        free(f->paths.work);
        free(f->dir);
        free(f->bottom);
        free(f->top);
        free(f->outside);
        free(f->probe);
}

static struct kl_ctr_mount *add_mount(struct fixture *f, const char *source, const char *dest)
{
        struct kl_ctr_mount *m;

        f->cfg.mounts = kl_realloc(f->cfg.mounts, (f->cfg.n_mounts + 1) * sizeof(*m));
        m = &f->cfg.mounts[f->cfg.n_mounts++];
        *m = (struct kl_ctr_mount){ 0 };
        m->source = kl_strdup(source);
        m->destination = kl_strdup(dest);
        return m;
}

/* ---- running a container's setup ---- */

struct result {
        int status;   /* the grandchild's wait status, as the child passed it on */
        char *output; /* owned: what the grandchild reported */
};

/*
 * The propagation probe: the child (standing in for the host) makes
 * f->probe a shared tmpfs; once the container is set up (ready) it mounts
 * another tmpfs below it, then lets the container look (go).
 */
static int probe_ready[2] = { -1, -1 };
static int probe_go[2] = { -1, -1 };

static void grandchild(int out, const struct fixture *f, check_fn *check)
{
        kl_autoerr struct kl_err *e = NULL;
        char c = 0;
        int r;

        /* The container's own mount namespace below the child's, as the shim's clone makes. */
        if (f->probe && unshare(CLONE_NEWNS) < 0) {
                dprintf(out, "ERR unshare: %s\n", strerror(errno));
                _exit(3);
        }
        r = kl_container__rootfs_setup(&f->cfg, &f->paths, &e);
        if (r < 0) {
                dprintf(out, "ERR %d %s\n", r, kl_err_msg(e));
                _exit(2);
        }
        if (f->probe && (write(probe_ready[1], "r", 1) != 1 || read(probe_go[0], &c, 1) != 1)) {
                dprintf(out, "ERR probe sync\n");
                _exit(3);
        }
        if (check)
                check(out, f);
#ifdef __SANITIZE_ADDRESS__
        /* The grandchild ends in _exit(): ask LeakSanitizer about the setup now. */
        if (__lsan_do_recoverable_leak_check() != 0)
                dprintf(out, "FAIL leaks in the setup\n");
#endif
        dprintf(out, "done\n");
        _exit(0);
}

/*
 * The host's mounts at or below `dir`, as mountinfo lines. Only these: other
 * tests running at the same time (ip netns, pod sandboxes) mount elsewhere,
 * and a mount this test leaked would be below its own directory.
 */
static char *test_mounts(const char *dir)
{
        kl_autofree char *all = NULL;
        kl_autostrv char **lines = NULL;
        struct kl_buf out = KL_BUF_INIT;

        cr_assert_eq(kl_read_file("/proc/self/mountinfo", (size_t)16 << 20, &all, NULL), 0);
        lines = kl_strv_split(all, '\n');
        for (size_t i = 0; lines[i]; i++)
                if (strstr(lines[i], dir))
                        cr_assert_eq(kl_buf_printf(&out, "%s\n", lines[i]), 0);
        return kl_buf_detach(&out, NULL);
}

static struct result run(const struct fixture *f, check_fn *check)
{
        kl_autofree char *before = NULL, *after = NULL;
        struct kl_buf out = KL_BUF_INIT_MAX((size_t)1 << 20);
        struct result res = { 0 };
        int pfd[2];
        pid_t pid;

        before = test_mounts(f->dir);
        cr_assert_eq(pipe2(pfd, O_CLOEXEC), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                int status = 0;
                pid_t gc;

                (void)close(pfd[0]);
                if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
                            CLONE_NEWNET | CLONE_NEWCGROUP) < 0) {
                        dprintf(pfd[1], "ERR unshare: %s\n", strerror(errno));
                        _exit(3);
                }
                if (f->probe &&
                    (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                     mount("tmpfs", f->probe, "tmpfs", 0, "size=1m") < 0 ||
                     mount(NULL, f->probe, NULL, MS_SHARED, NULL) < 0 ||
                     pipe2(probe_ready, O_CLOEXEC) < 0 || pipe2(probe_go, O_CLOEXEC) < 0)) {
                        dprintf(pfd[1], "ERR probe: %s\n", strerror(errno));
                        _exit(3);
                }
                gc = fork();
                if (gc < 0)
                        _exit(4);
                if (gc == 0)
                        grandchild(pfd[1], f, check);
                (void)close(pfd[1]);
                if (f->probe) {
                        kl_autofree char *sub = path_join(f->probe, "sub");
                        char c = 0;

                        (void)close(probe_ready[1]);
                        /* No answer: the container failed before it was ready. */
                        if (read(probe_ready[0], &c, 1) == 1) {
                                if (mkdir(sub, 0755) < 0 ||
                                    mount("tmpfs", sub, "tmpfs", 0, "size=1m") < 0)
                                        _exit(6);
                                write_at(sub, "marker", "propagated\n");
                        }
                        (void)close(probe_ready[0]);
                        if (write(probe_go[1], "g", 1) != 1)
                                _exit(6);
                }
                if (waitpid(gc, &status, 0) < 0)
                        _exit(5);
                _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        }
        (void)close(pfd[1]);
        for (;;) {
                char buf[4096];
                ssize_t n = read(pfd[0], buf, sizeof(buf));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                cr_assert_eq(kl_buf_append(&out, buf, (size_t)n), 0);
        }
        (void)close(pfd[0]);
        cr_assert_eq(waitpid(pid, &res.status, 0), pid);
        res.output = kl_buf_detach(&out, NULL);

        after = test_mounts(f->dir);
        cr_assert_str_eq(after, before, "the host's mount table changed below %s", f->dir);
        return res;
}

/* Run and insist every check passed. */
static void run_ok(const struct fixture *f, check_fn *check)
{
        struct result res = run(f, check);

        cr_assert(WIFEXITED(res.status) && WEXITSTATUS(res.status) == 0, "status %d, output:\n%s",
                  res.status, res.output);
        cr_assert(strstr(res.output, "done\n"), "output:\n%s", res.output);
        cr_assert_null(strstr(res.output, "FAIL"), "output:\n%s", res.output);
        free(res.output);
}

/* ---- checks, run inside ---- */

#define CHECK(out, cond, ...)                                              \
        do {                                                               \
                if (cond)                                                  \
                        dprintf(out, "ok " __VA_ARGS__);                   \
                else                                                       \
                        dprintf(out, "FAIL (errno %s) ", strerror(errno)), \
                                dprintf(out, __VA_ARGS__);                 \
                dprintf(out, "\n");                                        \
        } while (0)

static char *slurp(const char *path)
{
        char *text = NULL;

        if (kl_read_file(path, (size_t)1 << 20, &text, NULL) < 0)
                return NULL;
        return text;
}

static bool file_is(const char *path, const char *want)
{
        kl_autofree char *text = slurp(path);

        return text && kl_streq(text, want);
}

static bool link_is(const char *path, const char *want)
{
        char buf[256];
        ssize_t n = readlink(path, buf, sizeof(buf) - 1);

        if (n < 0)
                return false;
        buf[n] = '\0';
        return kl_streq(buf, want);
}

static bool is_ro(const char *path)
{
        struct statvfs sv;

        return statvfs(path, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

static bool gone(const char *path)
{
        struct stat st;

        return lstat(path, &st) < 0 && errno == ENOENT;
}

/* A mountinfo line for mount point `mp` of `fstype` (NULL: any) holding `word` (NULL: any). */
static bool mounted(const char *mp, const char *fstype, const char *word)
{
        kl_autofree char *text = slurp("/proc/self/mountinfo");
        char *save = NULL;

        if (!text)
                return false;
        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                kl_autofree char *needle = kl_asprintf(" %s ", mp);
                kl_autofree char *fs = kl_asprintf(" - %s ", fstype ? fstype : "");
                char *at = strstr(l, needle);
                int spaces = 0;

                if (!at)
                        continue;
                for (char *p = l; p < at; p++)
                        spaces += *p == ' ';
                if (spaces != 3 || (fstype && !strstr(l, fs)))
                        continue;
                if (!word || strstr(l, word))
                        return true;
        }
        return false;
}

static bool write_fails_erofs(const char *path)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

        if (fd >= 0) {
                (void)close(fd);
                return false;
        }
        return errno == EROFS;
}

static bool write_ok(const char *path, const char *text)
{
        return kl_write_file_atomic(path, text, strlen(text), 0644, KL_WRITE_FILE_NOSYNC) == 0;
}

/* Run busybox inside: proves the root is a working root. */
static bool busybox_cat(const char *path, const char *want)
{
        kl_autofree char *text = NULL;
        int pfd[2], status;
        pid_t pid;

        if (pipe2(pfd, O_CLOEXEC) < 0)
                return false;
        pid = fork();
        if (pid == 0) {
                (void)dup2(pfd[1], 1);
                execl("/bin/cat", "cat", path, (char *)NULL);
                _exit(127);
        }
        (void)close(pfd[1]);
        (void)kl_read_all_fd(pfd[0], 4096, &text, NULL);
        (void)close(pfd[0]);
        if (pid < 0 || waitpid(pid, &status, 0) != pid)
                return false;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 && text && kl_streq(text, want);
}

static void check_basics(int out, const struct fixture *f)
{
        char buf[8], cwd[64];
        struct stat st;
        int fd;

        CHECK(out, getpid() == 1, "pid 1");
        CHECK(out, link_is("/proc/self", "1"), "/proc/self is 1");
        CHECK(out, getcwd(cwd, sizeof(cwd)) && kl_streq(cwd, "/"), "cwd is /");
        CHECK(out, file_is("/etc/msg", "top\n"), "the top layer's file wins");
        CHECK(out, file_is("/etc/keep", "keep\n"), "the bottom layer shows through");
        CHECK(out, gone("/etc/gone"), "the whiteout hides the file");
        CHECK(out, busybox_cat("/etc/msg", "top\n"), "busybox runs");

        fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        CHECK(out, fd >= 0 && write(fd, "abc", 3) == 3 && read(fd, buf, sizeof(buf)) == 0,
              "/dev/null works");
        if (fd >= 0)
                (void)close(fd);
        fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
        CHECK(out, fd >= 0 && read(fd, buf, 4) == 4 && buf[0] == 0 && buf[3] == 0,
              "/dev/zero works");
        if (fd >= 0)
                (void)close(fd);
        CHECK(out, stat("/dev/tty", &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 5,
              "/dev/tty");
        CHECK(out, stat("/dev/urandom", &st) == 0 && (st.st_mode & 0777) == 0666,
              "/dev/urandom 0666");
        CHECK(out, gone("/dev/kcore"), "no /dev/kcore");
        CHECK(out, link_is("/dev/fd", "/proc/self/fd"), "/dev/fd");
        CHECK(out, link_is("/dev/stderr", "/proc/self/fd/2"), "/dev/stderr");
        CHECK(out, link_is("/dev/ptmx", "pts/ptmx"), "/dev/ptmx");
        CHECK(out, mounted("/dev", "tmpfs", "nosuid"), "/dev is a tmpfs");
        CHECK(out, mounted("/dev/pts", "devpts", "ptmxmode=666"), "/dev/pts");
        CHECK(out, mounted("/dev/shm", "tmpfs", "nodev"), "/dev/shm");
        CHECK(out, mounted("/dev/mqueue", "mqueue", NULL), "/dev/mqueue");
        CHECK(out, mounted("/proc", "proc", "noexec"), "/proc");

        /* Masked: a file under /dev/null, a directory under an empty tmpfs. */
        if (f->host_kcore)
                CHECK(out,
                      stat("/proc/kcore", &st) == 0 && S_ISCHR(st.st_mode) &&
                              st.st_rdev == makedev(1, 3),
                      "/proc/kcore masked");
        CHECK(out,
              stat("/proc/timer_list", &st) < 0 ||
                      (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)),
              "/proc/timer_list masked");
        CHECK(out,
              gone("/sys/firmware") ||
                      (mounted("/sys/firmware", "tmpfs", " ro") && gone("/sys/firmware/memmap")),
              "/sys/firmware masked");
        CHECK(out, is_ro("/proc/sys") && write_fails_erofs("/proc/sys/kernel/hostname"),
              "/proc/sys read-only");
        if (f->host_sysrq)
                CHECK(out, is_ro("/proc/sysrq-trigger"), "/proc/sysrq-trigger read-only");
        CHECK(out, is_ro("/proc/irq"), "/proc/irq read-only");
        CHECK(out, !is_ro("/proc"), "/proc itself writable");
        CHECK(out, is_ro("/sys") && mounted("/sys", "sysfs", "ro,"), "/sys read-only");
        CHECK(out, is_ro("/sys/fs/cgroup"), "/sys/fs/cgroup read-only");
        CHECK(out, access("/sys/fs/cgroup/memory", F_OK) < 0 || is_ro("/sys/fs/cgroup/memory"),
              "/sys/fs/cgroup/memory read-only");
        CHECK(out,
              access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0 ||
                      access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0,
              "/sys/fs/cgroup has the hierarchies");
        CHECK(out, !is_ro("/"), "/ writable");
        CHECK(out, write_ok("/newfile", "new\n"), "write /newfile");
}

Test(rootfs, default_lists)
{
        size_t n = 0;

        for (const char *const *p = kl_container__default_masked; *p; p++, n++)
                cr_assert_eq((*p)[0], '/');
        cr_assert_geq(n, 11);
        cr_assert(kl_strv_contains((char *const *)kl_container__default_masked, "/proc/kcore"));
        cr_assert(kl_strv_contains((char *const *)kl_container__default_masked, "/sys/firmware"));
        cr_assert_eq(kl_strv_length((char *const *)kl_container__default_readonly), 5);
        cr_assert(kl_strv_contains((char *const *)kl_container__default_readonly, "/proc/sys"));
}

Test(rootfs, overlay)
{
        struct fixture f;
        kl_autofree char *upper_file = NULL, *upper_proc = NULL;

        need_root();
        fixture_init(&f, false);
        run_ok(&f, check_basics);

        /* Writes landed in the upper dir, and so did the missing mount points. */
        upper_file = path_join(f.paths.upper, "newfile");
        upper_proc = path_join(f.paths.upper, "proc");
        cr_assert(file_is(upper_file, "new\n"));
        cr_assert_eq(access(upper_proc, F_OK), 0);
        fixture_release(&f);
}

static void check_readonly(int out, const struct fixture *f)
{
        (void)f;
        CHECK(out, file_is("/etc/msg", "top\n"), "the top layer's file wins");
        CHECK(out, gone("/etc/gone"), "the whiteout hides the file");
        CHECK(out, is_ro("/"), "/ read-only");
        CHECK(out, write_fails_erofs("/newfile"), "write / fails with EROFS");
        CHECK(out, write_fails_erofs("/etc/newfile"), "write /etc fails with EROFS");
        CHECK(out, !is_ro("/dev/shm") && write_ok("/dev/shm/x", "x"), "/dev/shm writable");
        CHECK(out, busybox_cat("/etc/keep", "keep\n"), "busybox runs");
}

static bool dir_is_empty(const char *path)
{
        kl_autoclosedir DIR *d = opendir(path);
        struct dirent *de;

        if (!d)
                return errno == ENOENT;
        while ((de = readdir(d)))
                if (!kl_streq(de->d_name, ".") && !kl_streq(de->d_name, ".."))
                        return false;
        return true;
}

/* The image has every mount point: a read-only overlay without an upper dir. */
Test(rootfs, readonly_overlay)
{
        struct fixture f;

        need_root();
        fixture_init(&f, true);
        f.cfg.readonly_rootfs = true;
        run_ok(&f, check_readonly);
        cr_assert(dir_is_empty(f.paths.upper), "the upper dir was used");
        fixture_release(&f);
}

/* Without /proc in the image the read-only root is an overlay with an upper, made read-only. */
Test(rootfs, readonly_overlay_missing_mount_points)
{
        struct fixture f;
        kl_autofree char *upper_proc = NULL;

        need_root();
        fixture_init(&f, false);
        f.cfg.readonly_rootfs = true;
        run_ok(&f, check_readonly);
        upper_proc = path_join(f.paths.upper, "proc");
        cr_assert_eq(access(upper_proc, F_OK), 0);
        fixture_release(&f);
}

static void check_single_layer(int out, const struct fixture *f)
{
        (void)f;
        CHECK(out, file_is("/etc/msg", "bottom\n"), "the only layer");
        CHECK(out, is_ro("/") && write_fails_erofs("/newfile"), "/ read-only");
}

Test(rootfs, readonly_single_layer)
{
        struct fixture f;

        need_root();
        fixture_init(&f, true);
        f.cfg.readonly_rootfs = true;
        kl_strv_free(f.cfg.layers);
        f.cfg.layers = NULL;
        kl_strv_push(&f.cfg.layers, f.bottom);
        run_ok(&f, check_single_layer);
        cr_assert(dir_is_empty(f.paths.upper));
        fixture_release(&f);
}

/* One layer without /proc: the read-only bind gives way to an overlay with an upper, made
 * read-only. */
Test(rootfs, readonly_single_layer_missing_mount_points)
{
        struct fixture f;
        kl_autofree char *upper_proc = NULL;

        need_root();
        fixture_init(&f, false);
        f.cfg.readonly_rootfs = true;
        kl_strv_free(f.cfg.layers);
        f.cfg.layers = NULL;
        kl_strv_push(&f.cfg.layers, f.bottom);
        run_ok(&f, check_single_layer);
        upper_proc = path_join(f.paths.upper, "proc");
        cr_assert_eq(access(upper_proc, F_OK), 0);
        fixture_release(&f);
}

static void check_plain(int out, const struct fixture *f)
{
        (void)f;
        CHECK(out, file_is("/etc/msg", "bottom\n"), "the plain dir");
        CHECK(out, write_ok("/plainfile", "plain\n"), "write /plainfile");
        CHECK(out, mounted("/dev/pts", "devpts", NULL), "/dev/pts");
        CHECK(out, busybox_cat("/etc/msg", "bottom\n"), "busybox runs");
}

Test(rootfs, plain_dir)
{
        struct fixture f;
        kl_autofree char *written = NULL;

        need_root();
        fixture_init(&f, true);
        kl_strv_free(f.cfg.layers);
        f.cfg.layers = NULL;
        f.cfg.rootfs = kl_strdup(f.bottom);
        run_ok(&f, check_plain);
        written = path_join(f.bottom, "plainfile");
        cr_assert(file_is(written, "plain\n"));
        fixture_release(&f);
}

static void check_plain_ro(int out, const struct fixture *f)
{
        (void)f;
        CHECK(out, is_ro("/") && write_fails_erofs("/plainfile"), "/ read-only");
        CHECK(out, mounted("/proc", "proc", NULL), "/proc mounted");
}

Test(rootfs, plain_dir_readonly)
{
        struct fixture f;

        need_root();
        fixture_init(&f, true);
        kl_strv_free(f.cfg.layers);
        f.cfg.layers = NULL;
        f.cfg.rootfs = kl_strdup(f.bottom);
        f.cfg.readonly_rootfs = true;
        run_ok(&f, check_plain_ro);
        fixture_release(&f);
}

/* ---- the config's mounts ---- */

static void add_binds(struct fixture *f)
{
        kl_autofree char *rw = path_join(f->dir, "vol-rw");
        kl_autofree char *ro = path_join(f->dir, "vol-ro");
        kl_autofree char *file = path_join(f->dir, "hostfile");
        kl_autofree char *esc = path_join(f->dir, "vol-escape");
        struct kl_ctr_mount *m;

        mkdirs(f->dir, "vol-rw");
        mkdirs(f->dir, "vol-ro");
        mkdirs(f->dir, "vol-escape");
        write_at(f->dir, "vol-ro/data", "ro data\n");
        write_at(f->dir, "vol-escape/marker", "escape\n");
        write_at(f->dir, "hostfile", "host file\n");

        m = add_mount(f, rw, "/mnt/rw");
        m->propagation = KL_CTR_PROPAGATION_RSLAVE;
        m = add_mount(f, ro, "/mnt/ro");
        m->readonly = true;
        /* Flags in a bind's data take a remount too. */
        m = add_mount(f, ro, "/mnt/ro-data");
        m->data = kl_strdup("ro,nosuid,noexec");
        add_mount(f, file, "/etc/hostfile");
        /* /escape is a symlink to a host path: the mount must land inside the rootfs. */
        add_mount(f, esc, "/escape");
        m = add_mount(f, "tmpfs", "/scratch");
        m->type = kl_strdup("tmpfs");
        m->data = kl_strdup("size=1m,rprivate,mode=0700,nosuid,nodev");
        /* Through a relative symlink that climbs out: lands at /tmp/target inside. */
        add_mount(f, esc, "/updir/target");
        /* A file destination below a directory the image does not have. */
        add_mount(f, file, "/deep/er/hostfile");
}

static void check_binds(int out, const struct fixture *f)
{
        kl_autofree char *marker = NULL;
        struct stat st;

        CHECK(out, write_ok("/mnt/rw/from-inside", "inside\n"), "write into the rw bind");
        CHECK(out, !is_ro("/mnt/rw"), "rw bind writable");
        CHECK(out, file_is("/mnt/ro/data", "ro data\n"), "ro bind readable");
        CHECK(out, is_ro("/mnt/ro") && write_fails_erofs("/mnt/ro/x"), "ro bind read-only");
        CHECK(out, is_ro("/mnt/ro-data") && mounted("/mnt/ro-data", NULL, " ro,nosuid,noexec,"),
              "bind with flags in its data");
        CHECK(out, file_is("/etc/hostfile", "host file\n"), "file bind");
        CHECK(out, file_is("/deep/er/hostfile", "host file\n"), "file bind, parents made");
        CHECK(out, lstat("/escape", &st) == 0 && S_ISLNK(st.st_mode), "/escape is the symlink");
        /* The link names the host path; inside the root that is a new directory. */
        marker = path_join(f->outside, "marker");
        CHECK(out, file_is(marker, "escape\n"),
              "the bind landed at the link's target inside the rootfs");
        CHECK(out, file_is("/escape/marker", "escape\n"), "the bind is seen through the link");
        CHECK(out, file_is("/tmp/target/marker", "escape\n") && mounted("/tmp/target", NULL, NULL),
              "a relative link climbing out stays inside");
        CHECK(out,
              mounted("/scratch", "tmpfs", "nosuid,nodev") &&
                      mounted("/scratch", "tmpfs", "size=1024k"),
              "tmpfs mount with options");
        CHECK(out, stat("/scratch", &st) == 0 && (st.st_mode & 0777) == 0700, "tmpfs mode");
}

Test(rootfs, bind_mounts)
{
        struct fixture f;
        kl_autofree char *from_inside = NULL, *outside_marker = NULL, *upper_link = NULL;

        need_root();
        fixture_init(&f, false);
        add_binds(&f);
        run_ok(&f, check_binds);

        from_inside = path_join(f.dir, "vol-rw/from-inside");
        cr_assert(file_is(from_inside, "inside\n"));
        /* Nothing happened to the host directory the symlink named. */
        outside_marker = path_join(f.outside, "marker");
        cr_assert_eq(access(outside_marker, F_OK), -1);
        cr_assert(dir_is_empty(f.outside));
        /* The link's target was made in the upper dir. */
        upper_link = kl_asprintf("%s%s", f.paths.upper, f.outside);
        cr_assert_eq(access(upper_link, F_OK), 0, "'%s' missing", upper_link);
        fixture_release(&f);
}

/* The same mounts with openat2 made to fail with ENOSYS: the component-wise walk. */
Test(rootfs, bind_mounts_without_openat2)
{
        struct fixture f;
        kl_autofree char *upper_link = NULL;

        need_root();
        fixture_init(&f, false);
        add_binds(&f);
        kl_fault_arm("container.rootfs.openat2", 1, true, -ENOSYS);
        run_ok(&f, check_binds);
        kl_fault_reset();
        upper_link = kl_asprintf("%s%s", f.paths.upper, f.outside);
        cr_assert_eq(access(upper_link, F_OK), 0, "'%s' missing", upper_link);
        fixture_release(&f);
}

static void check_privileged(int out, const struct fixture *f)
{
        struct stat st;

        (void)f;
        CHECK(out, !is_ro("/sys"), "/sys writable");
        CHECK(out, stat("/proc/timer_list", &st) == 0 && S_ISREG(st.st_mode),
              "/proc/timer_list not masked");
        CHECK(out, !is_ro("/proc/sys"), "/proc/sys writable");
}

Test(rootfs, privileged)
{
        struct fixture f;

        need_root();
        fixture_init(&f, false);
        f.cfg.privileged = true;
        run_ok(&f, check_privileged);
        fixture_release(&f);
}

static void check_custom_masks(int out, const struct fixture *f)
{
        struct stat st;

        (void)f;
        CHECK(out, stat("/etc/keep", &st) == 0 && S_ISCHR(st.st_mode), "/etc/keep masked");
        CHECK(out, file_is("/etc/keep", ""), "masked file reads empty");
        CHECK(out, mounted("/bin", "tmpfs", " ro,") && gone("/bin/busybox"), "/bin masked");
        CHECK(out, is_ro("/etc") && write_fails_erofs("/etc/x"), "/etc read-only");
        CHECK(out, !is_ro("/proc/sys"), "the defaults are replaced");
}

Test(rootfs, custom_masked_and_readonly_paths)
{
        struct fixture f;

        need_root();
        fixture_init(&f, false);
        kl_strv_push(&f.cfg.masked_paths, "/etc/keep");
        kl_strv_push(&f.cfg.masked_paths, "/bin");
        kl_strv_push(&f.cfg.masked_paths, "/does/not/exist");
        kl_strv_push(&f.cfg.readonly_paths, "/etc");
        kl_strv_push(&f.cfg.readonly_paths, "/nope");
        run_ok(&f, check_custom_masks);
        fixture_release(&f);
}

static void check_long_stack(int out, const struct fixture *f)
{
        (void)f;
        CHECK(out, file_is("/etc/layer", "0\n"), "the top of 60 layers wins");
        CHECK(out, file_is("/etc/first-59", "59\n"), "the bottom layer shows through");
}

/* A stack whose option string is longer than a page: layers relative to their common parent. */
Test(rootfs, long_layer_stack)
{
        struct fixture f;
        kl_autofree char *base = NULL;
        char **layers = NULL;
        char pad[201];

        need_root();
        fixture_init(&f, false);
        memset(pad, 'p', sizeof(pad) - 1);
        pad[sizeof(pad) - 1] = '\0';
        base = kl_asprintf("%s/layers/%s/%s", f.dir, pad, pad);
        for (int i = 0; i < 60; i++) {
                kl_autofree char *l = kl_asprintf("%s/layer-%02d", base, i);
                kl_autofree char *msg = kl_asprintf("%d\n", i);
                kl_autofree char *first = kl_asprintf("etc/first-%02d", i);

                cr_assert_eq(kl_mkdir_p(l, 0755), 0);
                write_at(l, "etc/layer", msg);
                write_at(l, first, msg);
                kl_strv_push(&layers, l);
        }
        kl_strv_free(f.cfg.layers);
        f.cfg.layers = layers;
        run_ok(&f, check_long_stack);
        fixture_release(&f);
}

/* ---- errors name the step and the path ---- */

static void expect_error(const struct fixture *f, const char *want)
{
        struct result res = run(f, NULL);

        cr_assert(WIFEXITED(res.status) && WEXITSTATUS(res.status) == 2, "status %d, output:\n%s",
                  res.status, res.output);
        cr_assert(strstr(res.output, want), "want '%s' in:\n%s", want, res.output);
        free(res.output);
}

Test(rootfs, error_missing_layer)
{
        struct fixture f;
        kl_autofree char *want = NULL;

        need_root();
        fixture_init(&f, false);
        kl_strv_push(&f.cfg.layers, "/nonexistent/layer");
        want = kl_asprintf("mount overlay on '%s': ", f.paths.rootfs);
        expect_error(&f, want);
        fixture_release(&f);
}

Test(rootfs, error_missing_bind_source)
{
        struct fixture f;

        need_root();
        fixture_init(&f, false);
        add_mount(&f, "/nonexistent/source", "/mnt/x");
        expect_error(&f, "bind mount source '/nonexistent/source': No such file or directory");
        fixture_release(&f);
}

Test(rootfs, error_relative_destination)
{
        struct fixture f;

        need_root();
        fixture_init(&f, false);
        add_mount(&f, "/tmp", "relative");
        expect_error(&f, "mount destination 'relative' is not absolute");
        fixture_release(&f);
}

/* More than a page even relative to the common parent: a clear E2BIG. */
Test(rootfs, error_layer_stack_too_long)
{
        struct fixture f;
        char **layers = NULL;
        char pad[201];

        need_root();
        fixture_init(&f, false);
        memset(pad, 'q', sizeof(pad) - 1);
        pad[sizeof(pad) - 1] = '\0';
        for (int i = 0; i < 30; i++) {
                kl_autofree char *l = kl_asprintf("%s/layers/%02d-%s", f.dir, i, pad);

                cr_assert_eq(kl_mkdir_p(l, 0755), 0);
                kl_strv_push(&layers, l);
        }
        kl_strv_free(f.cfg.layers);
        f.cfg.layers = layers;
        expect_error(&f, "the options for 30 layers take");
        fixture_release(&f);
}

static void check_rshared(int out, const struct fixture *f)
{
        (void)f;
        CHECK(out,
              mounted("/mnt/shared", "tmpfs", "shared:") ||
                      mounted("/mnt/shared", "ext4", "shared:"),
              "the bind is shared");
        CHECK(out, file_is("/etc/msg", "top\n"), "the root is there");
}

/* An rshared mount keeps / shared: the root must still not propagate to the host. */
Test(rootfs, rshared_propagation)
{
        struct fixture f;
        kl_autofree char *vol = NULL;
        struct kl_ctr_mount *m;

        need_root();
        fixture_init(&f, false);
        mkdirs(f.dir, "vol");
        vol = path_join(f.dir, "vol");
        m = add_mount(&f, vol, "/mnt/shared");
        m->propagation = KL_CTR_PROPAGATION_RSHARED;
        m = add_mount(&f, vol, "/mnt/slave");
        m->propagation = KL_CTR_PROPAGATION_RSLAVE;
        run_ok(&f, check_rshared);
        fixture_release(&f);
}

static void check_host_to_container(int out, const struct fixture *f)
{
        (void)f;
        CHECK(out, file_is("/mnt/prop/sub/marker", "propagated\n"),
              "rslave: a mount made on the host after start shows inside");
        CHECK(out, mounted("/mnt/prop", "tmpfs", "master:"), "rslave: the bind is a slave");
        CHECK(out,
              access("/mnt/prop-private/sub", F_OK) == 0 && gone("/mnt/prop-private/sub/marker"),
              "private: the host's new mount does not show");
}

/* HostToContainer (rslave) against the default (private), with a real shared source. */
Test(rootfs, rslave_propagation)
{
        struct fixture f;
        struct kl_ctr_mount *m;

        need_root();
        fixture_init(&f, false);
        mkdirs(f.dir, "probe");
        f.probe = path_join(f.dir, "probe");
        m = add_mount(&f, f.probe, "/mnt/prop");
        m->propagation = KL_CTR_PROPAGATION_RSLAVE;
        add_mount(&f, f.probe, "/mnt/prop-private");
        run_ok(&f, check_host_to_container);
        fixture_release(&f);
}

static void check_mknod_fallback(int out, const struct fixture *f)
{
        struct stat st;
        char buf[4];
        int fd;

        (void)f;
        CHECK(out,
              stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
              "/dev/null is the host's node");
        CHECK(out, mounted("/dev/null", "devtmpfs", NULL) || mounted("/dev/null", "tmpfs", NULL),
              "/dev/null is a bind mount");
        fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
        CHECK(out, fd >= 0 && read(fd, buf, sizeof(buf)) == 4 && buf[0] == 0, "/dev/zero works");
        if (fd >= 0)
                (void)close(fd);
}

/* Where mknod is refused (a user namespace), the host's devices are bound onto empty files. */
Test(rootfs, devices_without_mknod)
{
        struct fixture f;

        need_root();
        fixture_init(&f, false);
        kl_fault_arm("container.rootfs.mknod", 1, true, -EPERM);
        run_ok(&f, check_mknod_fallback);
        kl_fault_reset();
        fixture_release(&f);
}

static void check_sysfs_bind(int out, const struct fixture *f)
{
        (void)f;
        CHECK(out, is_ro("/sys") && mounted("/sys", "sysfs", " ro,"), "/sys is a read-only bind");
        CHECK(out, access("/sys/kernel", F_OK) == 0, "the host's /sys");
        CHECK(out, is_ro("/sys/fs/cgroup") && mounted("/sys/fs/cgroup/memory", "cgroup", " ro,"),
              "the container's own cgroup mounts over the host's");
}

/* Where sysfs cannot be mounted (a network namespace not ours), the host's /sys bound read-only. */
Test(rootfs, sysfs_refused)
{
        struct fixture f;

        need_root();
        fixture_init(&f, false);
        kl_fault_arm("container.rootfs.sysfs", 1, true, -EPERM);
        run_ok(&f, check_sysfs_bind);
        kl_fault_reset();
        fixture_release(&f);
}
