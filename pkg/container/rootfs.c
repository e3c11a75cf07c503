/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's root filesystem, child side (ctr-internal.h, "rootfs.c").
 *
 * Everything here runs in the container's first process, in its new mount
 * namespace, as root, before the user, capabilities and seccomp filter are
 * applied. The sequence is runc's and crun's: propagation, the root mount,
 * /proc, /dev, /sys and the config's mounts under it, pivot_root, then the
 * masked and read-only paths inside.
 *
 * Paths inside the rootfs are never followed by the host's rules: every
 * destination is resolved with openat2(RESOLVE_IN_ROOT) from an fd of the
 * root (a component-wise walk that treats the root as "/" where the kernel
 * lacks openat2), created there when missing, and the mount goes onto
 * /proc/self/fd/N of the resolved O_PATH fd, as crun does. A symlink in an
 * image therefore cannot point a mount outside the container. Bind sources
 * are host paths and are used as they are.
 *
 * A read-only root is an overlay without an upper dir (or a read-only bind
 * of a single layer). When the image lacks a mount point that must be
 * created (an image without /proc), the read-only tree is detached and the
 * sequence starts again on an overlay with the upper dir, remounted
 * read-only at the end, which is what runc and crun always do.
 */
#include "container/ctr-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/base.h"

/*
 * Kubernetes' defaults (pkg/securitycontext, DefaultProcMount), which the
 * kubelet hands every CRI runtime; containerd's own default lists are the
 * same set.
 */
const char *const kl_container__default_masked[] = {
        "/proc/asound",
        "/proc/acpi",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/proc/scsi",
        "/sys/firmware",
        "/sys/devices/virtual/powercap",
        NULL,
};

const char *const kl_container__default_readonly[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* Symlinks followed while resolving one path (the kernel's own limit). */
#define MAX_SYMLINKS 40
/* overlayfs stacks at most this many lower layers (OVL_MAX_STACK). */
#define MAX_LAYERS 500
/* /proc/self/mountinfo of a busy node: thousands of mounts of ~150 bytes. */
#define MOUNTINFO_MAX ((size_t)16 << 20)
/* "/proc/self/fd/" and an int. */
#define FD_PATH_SIZE 32

struct setup {
        const struct kl_ctr_config *cfg;         /* borrowed */
        const struct kl_container__paths *paths; /* borrowed */
        const char *rootfs;                      /* borrowed: where the root is mounted */
        int rootfd;                              /* owned: O_PATH of the mounted root */
        bool ro_mount;   /* the root itself is mounted read-only (no upper dir) */
        bool ro_at_end;  /* remount / read-only once everything is mounted */
        bool hit_erofs;  /* a mount point could not be made: the root is read-only */
        bool no_openat2; /* ENOSYS seen: walk component by component */
};

static const char *fd_path(int fd, char buf[static FD_PATH_SIZE])
{
        (void)snprintf(buf, FD_PATH_SIZE, "/proc/self/fd/%d", fd);
        return buf;
}

/* ---- resolving paths inside the root ---- */

/*
 * Resolve `path` below `rootfd` component by component, as openat2 with
 * RESOLVE_IN_ROOT does: ".." never climbs above the root and a symlink's
 * absolute target starts again at the root. The fallback for kernels
 * before 5.6, which have no openat2; it can go when 5.6 is the oldest
 * kernel we support.
 */
static int resolve_walk(int rootfd, const char *path, int *ret_fd)
{
        kl_autofree char *todo = kl_strdup(path);
        kl_autofree int *stack = NULL;
        size_t depth = 0, alloc = 8;
        unsigned links = 0;
        int r = 0;

        stack = kl_calloc(alloc, sizeof(*stack));
        stack[0] = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (stack[0] < 0)
                return -errno;

        for (char *p = todo; r == 0;) {
                char *slash, *name;
                struct stat st;
                int fd;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                name = p;
                slash = strchr(p, '/');
                if (slash) {
                        *slash = '\0';
                        p = slash + 1;
                } else
                        p += strlen(p);

                if (kl_streq(name, "."))
                        continue;
                if (kl_streq(name, "..")) {
                        if (depth > 0)
                                (void)kl_close(stack[depth--]);
                        continue;
                }
                fd = openat(stack[depth], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 || fstat(fd, &st) < 0) {
                        r = -errno;
                        if (fd >= 0)
                                (void)kl_close(fd);
                        break;
                }
                if (S_ISLNK(st.st_mode)) {
                        char target[PATH_MAX];
                        ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
                        char *rest;

                        (void)kl_close(fd);
                        if (n < 0) {
                                r = -errno;
                                break;
                        }
                        if (++links > MAX_SYMLINKS) {
                                r = -ELOOP;
                                break;
                        }
                        target[n] = '\0';
                        if (target[0] == '/')
                                while (depth > 0)
                                        (void)kl_close(stack[depth--]);
                        rest = kl_asprintf("%s/%s", target, p);
                        free(todo);
                        todo = rest;
                        p = todo;
                        continue;
                }
                if (depth + 1 == alloc) {
                        alloc *= 2;
                        stack = kl_realloc(stack, alloc * sizeof(*stack));
                }
                stack[++depth] = fd;
        }

        if (r == 0) {
                *ret_fd = stack[depth];
                if (depth == 0)
                        return 0;
                depth--;
        }
        for (size_t i = 0; i <= depth; i++)
                (void)kl_close(stack[i]);
        return r;
}

/* An O_PATH fd of `path` (absolute in the container) resolved inside `rootfd`. */
static int resolve(struct setup *s, int rootfd, const char *path, int *ret_fd)
{
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        const char *rel = path;
        long fd = -1;
        int r;

        while (*rel == '/')
                rel++;
        if (!*rel)
                rel = ".";
        if (!s->no_openat2) {
                r = KL_FAULT("container.rootfs.openat2");
                /* EAGAIN: a rename raced with the lookup; the kernel asks for a retry. */
                for (int i = 0; r == 0 && i < 16; i++) {
                        fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
                        r = fd < 0 ? -errno : 0;
                        if (r != -EAGAIN && r != -EINTR)
                                break;
                }
                if (r != -ENOSYS) {
                        if (r < 0)
                                return r;
                        *ret_fd = (int)fd;
                        return 0;
                }
                s->no_openat2 = true;
        }
        return resolve_walk(rootfd, rel, ret_fd);
}

/*
 * Resolve `path` inside the root, creating it (a directory, or an empty file
 * for S_IFREG) and its missing parents. A dangling symlink on the way is
 * followed inside the root and its target created there.
 */
static int make_in_root(struct setup *s, const char *path, mode_t kind, unsigned links, int *ret_fd)
{
        kl_autofree char *copy = NULL;
        kl_autoclose int pfd = -EBADF;
        kl_autoclose int fd = -EBADF;
        const char *parent, *last;
        struct stat st;
        size_t len;
        char *slash;
        int r;

        r = resolve(s, s->rootfd, path, &fd);
        if (r == -ENOENT) {
                if (links > MAX_SYMLINKS)
                        return -ELOOP;
                len = strlen(path);
                while (len > 1 && path[len - 1] == '/')
                        len--;
                copy = kl_strndup(path, len);
                slash = strrchr(copy, '/');
                if (slash) {
                        *slash = '\0';
                        parent = copy[0] ? copy : "/";
                        last = slash + 1;
                } else {
                        parent = "/";
                        last = copy;
                }
                if (!*last || kl_streq(last, ".") || kl_streq(last, ".."))
                        return -ENOENT;

                r = make_in_root(s, parent, S_IFDIR, links, &pfd);
                if (r < 0)
                        return r;
                if (kind == S_IFDIR)
                        r = KL_NEG_ERRNO(mkdirat(pfd, last, 0755));
                else {
                        r = openat(pfd, last, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                                   0644);
                        r = r < 0 ? -errno : kl_close(r);
                }
                if (r == -EROFS)
                        s->hit_erofs = true;
                if (r < 0 && r != -EEXIST)
                        return r;
                r = resolve(s, s->rootfd, path, &fd);
                if (r == -ENOENT) {
                        /* A dangling symlink: make its target, inside the root. */
                        char target[PATH_MAX];
                        ssize_t n = readlinkat(pfd, last, target, sizeof(target) - 1);
                        kl_autofree char *next = NULL;

                        if (n < 0)
                                return -errno;
                        target[n] = '\0';
                        next = target[0] == '/' ? kl_strdup(target)
                                                : kl_asprintf("%s/%s", parent, target);
                        return make_in_root(s, next, kind, links + 1, ret_fd);
                }
        }
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (kind == S_IFDIR && !S_ISDIR(st.st_mode))
                return -ENOTDIR;
        *ret_fd = KL_TAKE_FD(fd);
        return 0;
}

/* ---- mounting ---- */

/* The per-mount flags of the mount `fd` is on, as a remount must repeat them (runc). */
static unsigned long mount_flags_of(int fd)
{
        static const struct {
                unsigned long st, ms;
        } map[] = {
                { ST_NOSUID, MS_NOSUID },         { ST_NODEV, MS_NODEV },
                { ST_NOEXEC, MS_NOEXEC },         { ST_NOATIME, MS_NOATIME },
                { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
        };
        struct statvfs sv;
        unsigned long flags = 0;

        if (fstatvfs(fd, &sv) < 0)
                return 0;
        for (size_t i = 0; i < KL_ARRAY_SIZE(map); i++)
                if (sv.f_flag & map[i].st)
                        flags |= map[i].ms;
        return flags;
}

static int mount_on_fd(const char *source, int fd, const char *type, unsigned long flags,
                       const char *data)
{
        char target[FD_PATH_SIZE];

        return KL_NEG_ERRNO(mount(source, fd_path(fd, target), type, flags, data));
}

/*
 * Remount the bind mount at `path` (container path, inside `rootfd`) with
 * `flags` added to the per-mount flags it has (nosuid, nodev, noexec, atime:
 * a bind remount that does not repeat them drops them, runc keeps them).
 * The path is resolved again: an fd opened before the mount is below it.
 */
static int remount_bind(struct setup *s, int rootfd, const char *path, unsigned long flags,
                        struct kl_err **err)
{
        kl_autoclose int fd = -EBADF;
        int r;

        r = resolve(s, rootfd, path, &fd);
        if (r < 0)
                return kl_err_set(err, r, "resolve '%s' to remount it", path);
        r = mount_on_fd(NULL, fd, NULL, MS_BIND | MS_REMOUNT | flags | mount_flags_of(fd), NULL);
        if (r < 0)
                return kl_err_set(err, r, "remount '%s'%s", path,
                                  flags & MS_RDONLY ? " read-only" : "");
        return 0;
}

static int remount_ro(struct setup *s, int rootfd, const char *path, struct kl_err **err)
{
        return remount_bind(s, rootfd, path, MS_RDONLY, err);
}

/*
 * Read-only down the whole tree at `path` (a recursive bind brings the
 * host's submounts along): mount_setattr(AT_RECURSIVE), Linux 5.12. Before
 * that only the top mount can be made read-only, which is what runc did;
 * that fallback can go when 5.12 is the oldest kernel we support.
 */
/*
 * The kernel's struct mount_attr and its flag, under our own names: glibc
 * 2.36 declares them in <sys/mount.h>, musl does not, and <linux/mount.h>
 * clashes with glibc's header.
 */
struct rootfs_mount_attr {
        uint64_t attr_set;
        uint64_t attr_clr;
        uint64_t propagation;
        uint64_t userns_fd;
};
#define ROOTFS_MOUNT_ATTR_RDONLY 0x00000001

static int remount_ro_recursive(struct setup *s, int rootfd, const char *path, struct kl_err **err)
{
        struct rootfs_mount_attr attr = { .attr_set = ROOTFS_MOUNT_ATTR_RDONLY };
        kl_autoclose int fd = -EBADF;
        int r;

        r = resolve(s, rootfd, path, &fd);
        if (r < 0)
                return kl_err_set(err, r, "resolve '%s' to remount it", path);
        r = KL_NEG_ERRNO(syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
                                 sizeof(attr)));
        if (r == -ENOSYS)
                return remount_ro(s, rootfd, path, err);
        if (r < 0)
                return kl_err_set(err, r, "make '%s' read-only, recursively", path);
        return 0;
}

static unsigned long propagation_flags(enum kl_ctr_propagation p)
{
        switch (p) {
        case KL_CTR_PROPAGATION_RSLAVE:
                return MS_REC | MS_SLAVE;
        case KL_CTR_PROPAGATION_RSHARED:
                return MS_REC | MS_SHARED;
        case KL_CTR_PROPAGATION_PRIVATE:
        default:
                return MS_REC | MS_PRIVATE;
        }
}

/* Mount a filesystem at `path` inside the root, creating the mount point. */
static int mount_fs(struct setup *s, const char *path, const char *source, const char *type,
                    unsigned long flags, const char *data, struct kl_err **err)
{
        kl_autoclose int fd = -EBADF;
        int r;

        r = make_in_root(s, path, S_IFDIR, 0, &fd);
        if (r < 0)
                return kl_err_set(err, r, "mount %s: make '%s' in the rootfs", type, path);
        r = mount_on_fd(source, fd, type, flags, data);
        if (r < 0)
                return kl_err_set(err, r, "mount %s on '%s'", type, path);
        return 0;
}

/* ---- mountinfo ---- */

struct mnt_entry {
        char *mount_point; /* borrowed from the mountinfo text */
        char *fstype;      /* borrowed */
        char *super_opts;  /* borrowed */
};

/*
 * Split one line of /proc/self/mountinfo (modified in place):
 * "id parent maj:min root mount-point opts [optional...] - fstype source super-opts".
 */
static bool mnt_entry_parse(char *line, struct mnt_entry *ret)
{
        char *tok[32];
        char *save = NULL;
        size_t n = 0;

        for (char *t = strtok_r(line, " ", &save); t && n < KL_ARRAY_SIZE(tok);
             t = strtok_r(NULL, " ", &save))
                tok[n++] = t;
        for (size_t i = 6; i + 3 < n; i++) {
                if (!kl_streq(tok[i], "-"))
                        continue;
                ret->mount_point = tok[4];
                ret->fstype = tok[i + 1];
                ret->super_opts = tok[i + 3];
                return true;
        }
        return false;
}

static int read_mountinfo(char **ret, struct kl_err **err)
{
        int r = kl_read_file("/proc/self/mountinfo", MOUNTINFO_MAX, ret, NULL);

        if (r < 0)
                return kl_err_set(err, r, "read '/proc/self/mountinfo'");
        return 0;
}

/* Super options without "rw"/"ro": what a new mount of the same hierarchy passes. */
static char *fs_options(const char *super_opts)
{
        kl_autostrv char **opts = kl_strv_split(super_opts, ',');
        struct kl_buf b = KL_BUF_INIT;

        for (char **o = opts; *o; o++) {
                if (kl_streq(*o, "rw") || kl_streq(*o, "ro") || !**o)
                        continue;
                if (b.len)
                        (void)kl_buf_putc(&b, ',');
                (void)kl_buf_puts(&b, *o);
        }
        return kl_buf_detach(&b, NULL);
}

/*
 * With / kept shared (an rshared mount asked for it), the mount holding the
 * rootfs directory is made private first, so mounting the root does not
 * propagate back to the host (runc's rootfsParentMountPrivate).
 */
static int make_rootfs_parent_private(const char *rootfs, struct kl_err **err)
{
        kl_autofree char *real = realpath(rootfs, NULL);
        kl_autofree char *text = NULL;
        const char *best = NULL;
        size_t best_len = 0;
        char *save = NULL;
        int r;

        if (!real)
                return kl_err_set(err, -errno, "resolve '%s'", rootfs);
        r = read_mountinfo(&text, err);
        if (r < 0)
                return r;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                struct mnt_entry e = { 0 };
                size_t n;

                if (!mnt_entry_parse(line, &e))
                        continue;
                n = strlen(e.mount_point);
                if (strncmp(real, e.mount_point, n) != 0 ||
                    (n > 1 && real[n] != '/' && real[n] != '\0'))
                        continue;
                if (n >= best_len) {
                        best = e.mount_point;
                        best_len = n;
                }
        }
        if (!best)
                return 0;
        r = KL_NEG_ERRNO(mount(NULL, best, NULL, MS_PRIVATE, NULL));
        if (r < 0)
                return kl_err_set(err, r, "make the mount '%s' private", best);
        return 0;
}

/* ---- the root mount ---- */

static void escape_overlay(struct kl_buf *b, const char *path)
{
        for (const char *p = path; *p; p++) {
                if (*p == ':' || *p == ',' || *p == '\\')
                        (void)kl_buf_putc(b, '\\');
                (void)kl_buf_putc(b, *p);
        }
}

/* Length of the longest directory prefix ("/a/b/") all of `paths` share. */
static size_t common_dir_prefix(const char *const *paths, size_t n)
{
        size_t len = strlen(paths[0]);

        for (size_t i = 1; i < n; i++) {
                size_t j = 0;

                while (j < len && paths[i][j] && paths[i][j] == paths[0][j])
                        j++;
                len = j;
        }
        while (len > 0 && paths[0][len - 1] != '/')
                len--;
        return len;
}

static void overlay_options(const struct kl_ctr_config *cfg,
                            const struct kl_container__paths *paths, bool with_upper, size_t skip,
                            struct kl_buf *out)
{
        kl_buf_reset(out);
        (void)kl_buf_puts(out, "lowerdir=");
        for (size_t i = 0; cfg->layers[i]; i++) {
                if (i > 0)
                        (void)kl_buf_putc(out, ':');
                escape_overlay(out, cfg->layers[i] + skip);
        }
        if (with_upper) {
                (void)kl_buf_puts(out, ",upperdir=");
                escape_overlay(out, paths->upper);
                (void)kl_buf_puts(out, ",workdir=");
                escape_overlay(out, paths->work);
        }
}

/*
 * overlayfs over cfg->layers, with paths->upper and ->work when `with_upper`.
 * mount(2) takes at most a page of options: a long stack names its layers
 * relative to the directory they share, after a chdir there (containerd's
 * trick); the upper and work dirs stay absolute.
 */
static int mount_overlay(struct setup *s, bool with_upper, struct kl_err **err)
{
        kl_autobuf struct kl_buf opts = KL_BUF_INIT;
        size_t n = kl_strv_length(s->cfg->layers), page = (size_t)sysconf(_SC_PAGESIZE);
        unsigned long flags = with_upper ? 0 : MS_RDONLY;
        int r;

        if (n > MAX_LAYERS)
                return kl_err_set(err, -E2BIG, "mount overlay on '%s': %zu layers, at most %d",
                                  s->rootfs, n, MAX_LAYERS);
        for (size_t i = 0; i < n; i++)
                if (s->cfg->layers[i][0] != '/')
                        return kl_err_set(err, -EINVAL,
                                          "mount overlay on '%s': layer '%s' is not absolute",
                                          s->rootfs, s->cfg->layers[i]);
        if (with_upper) {
                r = kl_mkdir_p(s->paths->upper, 0755);
                if (r < 0)
                        return kl_err_set(err, r, "create '%s'", s->paths->upper);
                r = kl_mkdir_p(s->paths->work, 0755);
                if (r < 0)
                        return kl_err_set(err, r, "create '%s'", s->paths->work);
        }

        overlay_options(s->cfg, s->paths, with_upper, 0, &opts);
        if (opts.len >= page) {
                kl_autofree char *dir = NULL;
                size_t skip = common_dir_prefix((const char *const *)s->cfg->layers, n);

                if (skip > 1) {
                        dir = kl_strndup(s->cfg->layers[0], skip);
                        if (chdir(dir) < 0)
                                return kl_err_set(err, -errno, "chdir '%s'", dir);
                        overlay_options(s->cfg, s->paths, with_upper, skip, &opts);
                }
                if (opts.len >= page)
                        return kl_err_set(err, -E2BIG,
                                          "mount overlay on '%s': the options for %zu layers "
                                          "take %zu bytes, more than a page",
                                          s->rootfs, n, opts.len);
        }
        r = KL_NEG_ERRNO(mount("overlay", s->rootfs, "overlay", flags, opts.buf));
        if (r < 0)
                return kl_err_set(err, r, "mount overlay on '%s'", s->rootfs);
        return 0;
}

static int bind_root(struct setup *s, const char *source, bool ro, struct kl_err **err)
{
        int r;

        r = KL_NEG_ERRNO(mount(source, s->rootfs, NULL, MS_BIND | MS_REC, NULL));
        if (r < 0)
                return kl_err_set(err, r, "bind '%s' on '%s'", source, s->rootfs);
        if (ro) {
                r = KL_NEG_ERRNO(
                        mount(NULL, s->rootfs, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL));
                if (r < 0)
                        return kl_err_set(err, r, "remount '%s' read-only", s->rootfs);
        }
        return 0;
}

/* Mount the root at s->rootfs; `ro`: without an upper dir. Opens s->rootfd. */
static int mount_root(struct setup *s, bool ro, struct kl_err **err)
{
        const struct kl_ctr_config *cfg = s->cfg;
        int r;

        s->ro_mount = false;
        s->ro_at_end = cfg->readonly_rootfs;
        if (!cfg->layers) {
                r = bind_root(s, cfg->rootfs, false, err);
        } else if (ro && kl_strv_length(cfg->layers) == 1) {
                /* overlayfs needs two lower layers when it has no upper one. */
                r = bind_root(s, cfg->layers[0], true, err);
                s->ro_mount = true;
        } else {
                r = mount_overlay(s, !ro, err);
                s->ro_mount = ro;
        }
        if (r < 0)
                return r;
        if (s->ro_mount)
                s->ro_at_end = false;
        s->rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (s->rootfd < 0)
                return kl_err_set(err, -errno, "open '%s'", s->rootfs);
        return 0;
}

/* ---- /dev ---- */

static const struct {
        const char *name;
        unsigned major, minor;
} devices[] = {
        { "null", 1, 3 },   { "zero", 1, 5 },    { "full", 1, 7 },
        { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct {
        const char *target, *name;
} dev_links[] = {
        { "/proc/self/fd", "fd" },       { "/proc/self/fd/0", "stdin" },
        { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
        { "pts/ptmx", "ptmx" },
};

/* A device node, or, where mknod is refused, the host's node bound onto an empty file. */
static int make_device(int devfd, const char *name, unsigned major, unsigned minor,
                       struct kl_err **err)
{
        kl_autofree char *host = NULL;
        kl_autoclose int fd = -EBADF;
        int r;

        r = KL_FAULT("container.rootfs.mknod");
        if (r == 0 && mknodat(devfd, name, S_IFCHR | 0666, makedev(major, minor)) == 0) {
                /* mknod applied the umask. */
                r = KL_NEG_ERRNO(fchmodat(devfd, name, 0666, 0));
                if (r < 0)
                        return kl_err_set(err, r, "chmod '/dev/%s'", name);
                return 0;
        }
        r = openat(devfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (r < 0)
                return kl_err_set(err, -errno, "create '/dev/%s'", name);
        (void)kl_close(r);
        fd = openat(devfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return kl_err_set(err, -errno, "open '/dev/%s'", name);
        host = kl_asprintf("/dev/%s", name);
        r = mount_on_fd(host, fd, NULL, MS_BIND, NULL);
        if (r < 0)
                return kl_err_set(err, r, "bind '%s' on '/dev/%s'", host, name);
        return 0;
}

static int mount_dev(struct setup *s, struct kl_err **err)
{
        kl_autoclose int devfd = -EBADF;
        int r;

        r = mount_fs(s, "/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
                     "mode=755,size=65536k", err);
        if (r < 0)
                return r;
        r = resolve(s, s->rootfd, "/dev", &devfd);
        if (r < 0)
                return kl_err_set(err, r, "open '/dev' in the rootfs");

        for (size_t i = 0; i < KL_ARRAY_SIZE(devices); i++) {
                r = make_device(devfd, devices[i].name, devices[i].major, devices[i].minor, err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < KL_ARRAY_SIZE(dev_links); i++) {
                r = KL_NEG_ERRNO(symlinkat(dev_links[i].target, devfd, dev_links[i].name));
                if (r < 0)
                        return kl_err_set(err, r, "symlink '/dev/%s'", dev_links[i].name);
        }
        /* runc links /dev/core only where the host has a /proc/kcore. */
        if (access("/proc/kcore", F_OK) == 0) {
                r = KL_NEG_ERRNO(symlinkat("/proc/kcore", devfd, "core"));
                if (r < 0)
                        return kl_err_set(err, r, "symlink '/dev/core'");
        }

        r = mount_fs(s, "/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
                     "newinstance,ptmxmode=0666,mode=0620,gid=5", err);
        if (r < 0)
                return r;
        r = mount_fs(s, "/dev/shm", "shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV,
                     "mode=1777,size=65536k", err);
        if (r < 0)
                return r;
        /*
         * mqueue shows the IPC namespace of whoever mounts it: the container's
         * own, or the pod's it joined; a host IPC namespace gets none.
         */
        if (s->cfg->ns[KL_CTR_NS_IPC].mode != KL_CTR_NS_HOST) {
                r = mount_fs(s, "/dev/mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV,
                             NULL, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- /sys and /sys/fs/cgroup ---- */

static int mount_sys(struct setup *s, struct kl_err **err)
{
        unsigned long flags = MS_NOSUID | MS_NOEXEC | MS_NODEV;
        kl_autoclose int fd = -EBADF;
        int r;

        if (!s->cfg->privileged)
                flags |= MS_RDONLY;
        r = make_in_root(s, "/sys", S_IFDIR, 0, &fd);
        if (r < 0)
                return kl_err_set(err, r, "mount sysfs: make '/sys' in the rootfs");
        r = KL_FAULT("container.rootfs.sysfs");
        if (r == 0)
                r = mount_on_fd("sysfs", fd, "sysfs", flags, NULL);
        if (r != -EPERM && r != -EACCES) {
                if (r < 0)
                        return kl_err_set(err, r, "mount sysfs on '/sys'");
                return 0;
        }
        /*
         * sysfs belongs to the network namespace: where that one is not ours
         * to mount, bind the host's /sys read-only, as runc does.
         */
        r = mount_on_fd("/sys", fd, NULL, MS_BIND | MS_REC, NULL);
        if (r < 0)
                return kl_err_set(err, r, "bind '/sys' on '/sys'");
        if (s->cfg->privileged)
                return 0;
        return remount_ro_recursive(s, s->rootfd, "/sys", err);
}

/*
 * cgroup v1: a tmpfs holding one mount per hierarchy the host has under
 * /sys/fs/cgroup (with the same options, so the kernel hands out the same
 * hierarchy; the new cgroup namespace makes its root the container's own
 * cgroup), the host's symlinks (cpu -> cpu,cpuacct), then the tmpfs
 * remounted read-only.
 */
static int mount_cgroup_v1(struct setup *s, unsigned long flags, struct kl_err **err)
{
        kl_autoclose int tfd = -EBADF;
        kl_autoclosedir DIR *d = NULL;
        kl_autofree char *text = NULL;
        char *save = NULL;
        struct dirent *de;
        int r;

        r = mount_fs(s, "/sys/fs/cgroup", "tmpfs", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV,
                     "mode=755", err);
        if (r < 0)
                return r;
        r = resolve(s, s->rootfd, "/sys/fs/cgroup", &tfd);
        if (r < 0)
                return kl_err_set(err, r, "open '/sys/fs/cgroup' in the rootfs");

        r = read_mountinfo(&text, err);
        if (r < 0)
                return r;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                kl_autofree char *opts = NULL;
                kl_autoclose int fd = -EBADF;
                struct mnt_entry e = { 0 };
                const char *name;

                if (!mnt_entry_parse(line, &e))
                        continue;
                if (!kl_streq(e.fstype, "cgroup") && !kl_streq(e.fstype, "cgroup2"))
                        continue;
                name = kl_startswith(e.mount_point, "/sys/fs/cgroup/");
                /* One plain component; mountinfo escapes odd bytes as \ooo: skip those. */
                if (!name || !*name || strchr(name, '/') || strchr(name, '\\') ||
                    kl_streq(name, ".") || kl_streq(name, ".."))
                        continue;
                r = KL_NEG_ERRNO(mkdirat(tfd, name, 0755));
                if (r < 0 && r != -EEXIST)
                        return kl_err_set(err, r, "create '/sys/fs/cgroup/%s'", name);
                fd = openat(tfd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return kl_err_set(err, -errno, "open '/sys/fs/cgroup/%s'", name);
                opts = fs_options(e.super_opts);
                r = mount_on_fd(e.fstype, fd, e.fstype, flags, *opts ? opts : NULL);
                if (r < 0)
                        return kl_err_set(err, r, "mount %s (%s) on '/sys/fs/cgroup/%s'", e.fstype,
                                          opts, name);
        }

        d = opendir("/sys/fs/cgroup");
        while (d && (de = readdir(d))) {
                char target[PATH_MAX];
                ssize_t n;

                if (de->d_type != DT_LNK)
                        continue;
                n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
                if (n < 0)
                        continue;
                target[n] = '\0';
                r = KL_NEG_ERRNO(symlinkat(target, tfd, de->d_name));
                if (r < 0 && r != -EEXIST)
                        return kl_err_set(err, r, "symlink '/sys/fs/cgroup/%s'", de->d_name);
        }

        if (flags & MS_RDONLY)
                return remount_ro(s, s->rootfd, "/sys/fs/cgroup", err);
        return 0;
}

static int mount_cgroup(struct setup *s, struct kl_err **err)
{
        unsigned long flags = MS_NOSUID | MS_NOEXEC | MS_NODEV;
        struct statfs sf;

        if (!s->cfg->privileged)
                flags |= MS_RDONLY;
        if (statfs("/sys/fs/cgroup", &sf) < 0) {
                /* A host without cgroups mounted has none to show. */
                if (errno == ENOENT)
                        return 0;
                return kl_err_set(err, -errno, "statfs '/sys/fs/cgroup'");
        }
        if (sf.f_type == CGROUP2_SUPER_MAGIC)
                return mount_fs(s, "/sys/fs/cgroup", "cgroup2", "cgroup2", flags, NULL, err);
        return mount_cgroup_v1(s, flags, err);
}

/* ---- the config's mounts ---- */

/* Mount option words of `data` turned into flags; the rest is left in *ret_data. */
static unsigned long parse_mount_data(const char *data, char **ret_data)
{
        static const struct {
                const char *name;
                unsigned long set, clear;
        } words[] = {
                { "ro", MS_RDONLY, 0 },
                { "rw", 0, MS_RDONLY },
                { "nosuid", MS_NOSUID, 0 },
                { "suid", 0, MS_NOSUID },
                { "nodev", MS_NODEV, 0 },
                { "dev", 0, MS_NODEV },
                { "noexec", MS_NOEXEC, 0 },
                { "exec", 0, MS_NOEXEC },
                { "sync", MS_SYNCHRONOUS, 0 },
                { "async", 0, MS_SYNCHRONOUS },
                { "dirsync", MS_DIRSYNC, 0 },
                { "noatime", MS_NOATIME, 0 },
                { "atime", 0, MS_NOATIME },
                { "nodiratime", MS_NODIRATIME, 0 },
                { "diratime", 0, MS_NODIRATIME },
                { "relatime", MS_RELATIME, 0 },
                { "norelatime", 0, MS_RELATIME },
                { "strictatime", MS_STRICTATIME, 0 },
                { "nostrictatime", 0, MS_STRICTATIME },
                /* The kind of mount and its propagation have fields of their own. */
                { "bind", 0, 0 },
                { "rbind", 0, 0 },
                { "private", 0, 0 },
                { "rprivate", 0, 0 },
                { "slave", 0, 0 },
                { "rslave", 0, 0 },
                { "shared", 0, 0 },
                { "rshared", 0, 0 },
        };
        kl_autostrv char **opts = NULL;
        struct kl_buf rest = KL_BUF_INIT;
        unsigned long flags = 0;

        if (kl_isempty(data)) {
                *ret_data = NULL;
                return 0;
        }
        opts = kl_strv_split(data, ',');
        for (char **o = opts; *o; o++) {
                bool known = false;

                for (size_t i = 0; i < KL_ARRAY_SIZE(words); i++) {
                        if (!kl_streq(*o, words[i].name))
                                continue;
                        flags = (flags & ~words[i].clear) | words[i].set;
                        known = true;
                        break;
                }
                if (known || !**o)
                        continue;
                if (rest.len)
                        (void)kl_buf_putc(&rest, ',');
                (void)kl_buf_puts(&rest, *o);
        }
        *ret_data = rest.len ? kl_buf_detach(&rest, NULL) : NULL;
        kl_buf_release(&rest);
        return flags;
}

static int mount_one(struct setup *s, const struct kl_ctr_mount *m, struct kl_err **err)
{
        bool bind = !m->type || kl_streq(m->type, "bind") || kl_streq(m->type, "rbind");
        kl_autofree char *data = NULL;
        kl_autoclose int fd = -EBADF;
        unsigned long flags;
        mode_t kind = S_IFDIR;
        int r;

        if (!m->destination || m->destination[0] != '/')
                return kl_err_set(err, -EINVAL, "mount destination '%s' is not absolute",
                                  m->destination ? m->destination : "");
        flags = parse_mount_data(m->data, &data);
        if (bind) {
                struct stat st;

                if (!m->source || stat(m->source, &st) < 0)
                        return kl_err_set(err, m->source ? -errno : -EINVAL,
                                          "bind mount source '%s'", m->source ? m->source : "");
                if (!S_ISDIR(st.st_mode))
                        kind = S_IFREG;
        }
        r = make_in_root(s, m->destination, kind, 0, &fd);
        if (r < 0)
                return kl_err_set(err, r, "mount on '%s': make it in the rootfs", m->destination);

        if (bind) {
                r = mount_on_fd(m->source, fd, NULL, MS_BIND | MS_REC, NULL);
                if (r < 0)
                        return kl_err_set(err, r, "bind '%s' on '%s'", m->source, m->destination);
                if (m->readonly)
                        flags |= MS_RDONLY;
                /* Flags of a bind mount take a remount; "rw" and atime words alone do not. */
                flags &= MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
                if (flags) {
                        r = remount_bind(s, s->rootfd, m->destination, flags, err);
                        if (r < 0)
                                return r;
                }
        } else {
                if (m->readonly)
                        flags |= MS_RDONLY;
                r = mount_on_fd(m->source ? m->source : m->type, fd, m->type, flags, data);
                if (r < 0)
                        return kl_err_set(err, r, "mount %s on '%s'", m->type, m->destination);
        }

        /* Propagation goes on the new mount, which the old fd is below. */
        {
                kl_autoclose int top = -EBADF;

                r = resolve(s, s->rootfd, m->destination, &top);
                if (r < 0)
                        return kl_err_set(err, r, "resolve '%s'", m->destination);
                r = mount_on_fd(NULL, top, NULL, propagation_flags(m->propagation), NULL);
                if (r < 0)
                        return kl_err_set(err, r, "set the propagation of '%s'", m->destination);
        }
        return 0;
}

/* ---- after pivot_root ---- */

static int pivot(struct setup *s, struct kl_err **err)
{
        kl_autoclose int oldroot = -EBADF;
        int r;

        oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (oldroot < 0)
                return kl_err_set(err, -errno, "open '/'");
        if (fchdir(s->rootfd) < 0)
                return kl_err_set(err, -errno, "chdir '%s'", s->rootfs);
        /*
         * pivot_root(".", ".") stacks the old root on top of the new one, so
         * no directory is needed for it. From a cwd on the old root, "." is
         * that mount: it is made private, so detaching it cannot propagate
         * to the host, then detached (crun's order). After pivot_root a "."
         * on the new root would name the new root instead, and rslave there
         * would undo the propagation of the container's own mounts.
         */
        r = KL_NEG_ERRNO(syscall(SYS_pivot_root, ".", "."));
        if (r < 0)
                return kl_err_set(err, r, "pivot_root into '%s'", s->rootfs);
        if (fchdir(oldroot) < 0)
                return kl_err_set(err, -errno, "chdir to the old root");
        r = KL_NEG_ERRNO(mount(NULL, ".", NULL, MS_REC | MS_PRIVATE, NULL));
        if (r < 0)
                return kl_err_set(err, r, "make the old root private");
        r = KL_NEG_ERRNO(umount2(".", MNT_DETACH));
        if (r < 0)
                return kl_err_set(err, r, "detach the old root");
        if (chdir("/") < 0)
                return kl_err_set(err, -errno, "chdir '/'");
        return 0;
}

static int mask_paths(struct setup *s, int rootfd, char *const *paths, struct kl_err **err)
{
        for (char *const *p = paths; *p; p++) {
                kl_autoclose int fd = -EBADF;
                struct stat st;
                int r;

                r = resolve(s, rootfd, *p, &fd);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return kl_err_set(err, r, "mask '%s'", *p);
                if (fstat(fd, &st) < 0)
                        return kl_err_set(err, -errno, "mask '%s': stat", *p);
                if (S_ISDIR(st.st_mode))
                        r = mount_on_fd("tmpfs", fd, "tmpfs",
                                        MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
                else
                        r = mount_on_fd("/dev/null", fd, NULL, MS_BIND, NULL);
                if (r < 0)
                        return kl_err_set(err, r, "mask '%s'", *p);
        }
        return 0;
}

static int readonly_paths(struct setup *s, int rootfd, char *const *paths, struct kl_err **err)
{
        for (char *const *p = paths; *p; p++) {
                kl_autoclose int fd = -EBADF;
                char self[FD_PATH_SIZE];
                int r;

                r = resolve(s, rootfd, *p, &fd);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return kl_err_set(err, r, "make '%s' read-only", *p);
                r = mount_on_fd(fd_path(fd, self), fd, NULL, MS_BIND | MS_REC, NULL);
                if (r < 0)
                        return kl_err_set(err, r, "make '%s' read-only: bind", *p);
                r = remount_ro(s, rootfd, *p, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- the sequence ---- */

/* Everything below the root, before pivot_root. */
static int mount_tree(struct setup *s, struct kl_err **err)
{
        const struct kl_ctr_config *cfg = s->cfg;
        int r;

        r = mount_fs(s, "/proc", "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL, err);
        if (r < 0)
                return r;
        r = mount_dev(s, err);
        if (r < 0)
                return r;
        r = mount_sys(s, err);
        if (r < 0)
                return r;
        if (cfg->ns[KL_CTR_NS_CGROUP].mode == KL_CTR_NS_NEW) {
                r = mount_cgroup(s, err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < cfg->n_mounts; i++) {
                r = mount_one(s, &cfg->mounts[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int setup_root(struct setup *s, struct kl_err **err)
{
        const struct kl_ctr_config *cfg = s->cfg;
        bool ro = cfg->readonly_rootfs && cfg->layers;
        kl_autoerr struct kl_err *tmp = NULL;
        int r;

        r = mount_root(s, ro, err);
        if (r < 0)
                return r;
        r = mount_tree(s, &tmp);
        if (r == -EROFS && s->hit_erofs && s->ro_mount && s->paths->upper && s->paths->work) {
                /*
                 * The image lacks a mount point and the read-only root cannot
                 * take one: start again on the writable overlay (everything
                 * mounted so far sits below s->rootfs and goes with it).
                 */
                kl_err_free(KL_TAKE_PTR(tmp));
                (void)kl_close(s->rootfd);
                s->rootfd = -EBADF;
                s->hit_erofs = false;
                r = KL_NEG_ERRNO(umount2(s->rootfs, MNT_DETACH));
                if (r < 0)
                        return kl_err_set(err, r, "detach '%s'", s->rootfs);
                r = mount_overlay(s, true, err);
                if (r < 0)
                        return r;
                s->ro_mount = false;
                s->ro_at_end = true;
                s->rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (s->rootfd < 0)
                        return kl_err_set(err, -errno, "open '%s'", s->rootfs);
                return mount_tree(s, err);
        }
        if (r < 0 && err)
                *err = KL_TAKE_PTR(tmp);
        return r;
}

int kl_container__rootfs_setup(const struct kl_ctr_config *cfg,
                               const struct kl_container__paths *paths, struct kl_err **err)
{
        struct setup s = {
                .cfg = cfg,
                .paths = paths,
                .rootfs = paths->rootfs ? paths->rootfs : cfg->rootfs,
                .rootfd = -EBADF,
        };
        unsigned long prop = MS_PRIVATE;
        kl_autoclose int newroot = -EBADF;
        int r;

        if (!s.rootfs || (!cfg->layers && !cfg->rootfs))
                return kl_err_set(err, -EINVAL, "the container has neither layers nor a rootfs");
        if (cfg->layers && !cfg->layers[0])
                return kl_err_set(err, -EINVAL, "the container's layer list is empty");
        if (cfg->layers && !cfg->readonly_rootfs && (!paths->upper || !paths->work))
                return kl_err_set(err, -EINVAL, "a writable overlay needs upper and work dirs");
        for (size_t i = 0; i < cfg->n_mounts; i++) {
                if (cfg->mounts[i].propagation == KL_CTR_PROPAGATION_RSHARED)
                        prop = MS_SHARED;
                else if (cfg->mounts[i].propagation == KL_CTR_PROPAGATION_RSLAVE &&
                         prop != MS_SHARED)
                        prop = MS_SLAVE;
        }
        r = KL_NEG_ERRNO(mount(NULL, "/", NULL, MS_REC | prop, NULL));
        if (r < 0)
                return kl_err_set(err, r, "set the propagation of '/'");

        r = kl_mkdir_p(s.rootfs, 0755);
        if (r < 0)
                return kl_err_set(err, r, "create '%s'", s.rootfs);
        if (prop == MS_SHARED) {
                r = make_rootfs_parent_private(s.rootfs, err);
                if (r < 0)
                        return r;
        }

        r = setup_root(&s, err);
        if (r >= 0)
                r = pivot(&s, err);
        (void)kl_close(s.rootfd);
        if (r < 0)
                return r;

        newroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (newroot < 0)
                return kl_err_set(err, -errno, "open '/'");
        if (!cfg->privileged) {
                r = mask_paths(&s, newroot,
                               cfg->masked_paths ? cfg->masked_paths
                                                 : (char *const *)kl_container__default_masked,
                               err);
                if (r < 0)
                        return r;
                r = readonly_paths(&s, newroot,
                                   cfg->readonly_paths
                                           ? cfg->readonly_paths
                                           : (char *const *)kl_container__default_readonly,
                                   err);
                if (r < 0)
                        return r;
        }
        if (s.ro_at_end) {
                r = KL_NEG_ERRNO(mount(NULL, "/", NULL,
                                       MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags_of(newroot),
                                       NULL));
                if (r < 0)
                        return kl_err_set(err, r, "remount '/' read-only");
        }
        return 0;
}
