/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod's volumes on disk (upstream's volume plugins, the part a
 * kubelet without attach/detach needs). Everything lives under the pod's
 * directory, <pod_dir>/volumes/<plugin>/<name>, with upstream's plugin
 * names, so a node's layout reads like a kubelet's:
 *
 *   kubernetes.io~empty-dir     a 0777 directory, or a tmpfs (medium Memory)
 *   kubernetes.io~configmap     files written by the atomic writer, on disk
 *   kubernetes.io~secret        files written by the atomic writer, on a tmpfs
 *   kubernetes.io~projected     files written by the atomic writer, on a tmpfs
 *   kubernetes.io~downward-api  files written by the atomic writer, on disk
 *
 * hostPath volumes are the host path itself; so are persistentVolumeClaim
 * (and generic ephemeral) volumes (volumes-local.c). The four kinds of
 * files and their atomic writer are volumes-projected.c's.
 *
 * Here: the set-up of a pod's volumes (each by its kind), emptyDir, the
 * directories and tmpfs mounts every kind uses, the removal of trees that
 * never follows a symlink nor leaves its file system (nothing a container
 * wrote into a volume can point the agent at a host file), and the teardown
 * of a pod's directory.
 *
 * Blocking (disk, mounts): called on the pool by the pod worker, which
 * owns every struct here. /work/notes/readme-pods-volumes.md has the rules.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "agent/pod-internal.h"
#include "json/json.h"

#define PLUGIN_EMPTY_DIR "kubernetes.io~empty-dir"

/* A volume name is a DNS label (63) upstream; this only keeps paths sane. */
#define MAX_VOLUME_NAME 253
/* /proc/self/mountinfo of a busy node: thousands of mounts of ~150 bytes. */
#define MOUNTINFO_MAX ((size_t)16 << 20)
/* Mounts stacked on one another under a pod directory: give up after this many rounds. */
#define MAX_UNMOUNT_ROUNDS 64

/* ------------------------------------------------------------------------- */
/* Results */

void kl_agent__volumes_release(struct kl_agent__volumes *v)
{
        if (!v)
                return;
        for (size_t i = 0; i < v->n; i++) {
                free(v->v[i].name);
                free(v->v[i].path);
        }
        free(v->v);
        v->v = NULL;
        v->n = 0;
}

const struct kl_agent__volume *kl_agent__volumes_find(const struct kl_agent__volumes *v,
                                                      const char *name)
{
        if (!v || !name)
                return NULL;
        for (size_t i = 0; i < v->n; i++)
                if (kl_streq(v->v[i].name, name))
                        return &v->v[i];
        return NULL;
}

void kl_agent__vol_add(struct kl_agent__volumes *v, const char *name, const char *path,
                       bool readonly)
{
        v->v = kl_realloc(v->v, (v->n + 1) * sizeof(*v->v));
        v->v[v->n++] = (struct kl_agent__volume){
                .name = kl_strdup(name),
                .path = kl_strdup(path),
                .readonly = readonly,
        };
}

static void volumes_releasep(struct kl_agent__volumes *v)
{
        kl_agent__volumes_release(v);
}

/* ------------------------------------------------------------------------- */
/* Small helpers of every kind */

bool kl_agent__vol_get_bool(const json_t *obj, const char *key)
{
        bool b = false;

        return kl_json_get_bool(obj, key, &b, NULL) == 0 && b;
}

const char *kl_agent__vol_get_str(const json_t *obj, const char *key)
{
        const char *s = NULL;

        return kl_json_get_str(obj, key, &s, NULL) == 0 ? s : NULL;
}

int kl_agent__vol_cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ------------------------------------------------------------------------- */
/* Removing trees: no symlink followed, no file system left */

/* A directory below `dirfd`, never through a symlink. */
int kl_agent__vol_open_dir_at(int dirfd, const char *name)
{
        return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/*
 * The stream reads a duplicate of `fd`, which shares its offset: without
 * the rewind a second stream over the same `fd` (rm_pass()'s next pass)
 * would start where the first one ended, at the end, and see nothing.
 */
int kl_agent__vol_opendir_fd(int fd, DIR **ret_dir)
{
        kl_autoclose int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        DIR *d;

        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d)
                return -errno;
        (void)KL_TAKE_FD(dfd); /* d's now */
        rewinddir(d);
        *ret_dir = d;
        return 0;
}

struct dirent *kl_agent__vol_next_entry(DIR *d, int *ret_error)
{
        struct dirent *de;

        do {
                errno = 0; /* readdir() returns NULL at the end too: errno tells them apart */
                de = readdir(d);
        } while (de && (kl_streq(de->d_name, ".") || kl_streq(de->d_name, "..")));
        *ret_error = (de || errno == 0) ? 0 : -errno;
        return de;
}

/*
 * One pass over the directory `fd`: unlink everything but directories,
 * rmdir empty directories. Returns 1 with *ret_child (a new descriptor)
 * when a non-empty directory needs a visit first, 0 when the pass found
 * nothing left, 2 when it removed something (another pass is due: readdir
 * may skip entries while the directory changes).
 */
static int rm_pass(int fd, dev_t dev, int *ret_child)
{
        kl_autoclosedir DIR *d = NULL;
        bool removed = false;
        struct dirent *de;
        int r = kl_agent__vol_opendir_fd(fd, &d);

        if (r < 0)
                return r;
        while ((de = kl_agent__vol_next_entry(d, &r))) {
                struct stat st;

                if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -errno;
                }
                if (!S_ISDIR(st.st_mode)) {
                        if (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT)
                                return -errno;
                        removed = true;
                        continue;
                }
                if (st.st_dev != dev)
                        return -EBUSY; /* a mount point: never removed through */
                if (unlinkat(fd, de->d_name, AT_REMOVEDIR) == 0) {
                        removed = true;
                        continue;
                }
                if (errno == ENOENT)
                        continue;
                if (errno != ENOTEMPTY && errno != EEXIST)
                        return -errno;
                {
                        int child = kl_agent__vol_open_dir_at(fd, de->d_name);
                        struct stat cst;

                        if (child < 0)
                                return errno == ENOENT ? 2 : -errno;
                        if (fstat(child, &cst) < 0 || cst.st_dev != dev ||
                            cst.st_ino != st.st_ino) {
                                (void)kl_close(child);
                                return -EBUSY;
                        }
                        *ret_child = child;
                        return 1;
                }
        }
        if (r < 0)
                return r;
        return removed ? 2 : 0;
}

/*
 * Empty the directory `root` (a descriptor, borrowed). Depth-first without
 * recursion: it walks down into a non-empty subdirectory and back up
 * through "..", holding two descriptors at most, so a tree of any depth a
 * container made is removed. It never leaves the file system of `root`.
 */
static int rm_contents(int root)
{
        kl_autoclose int fd = fcntl(root, F_DUPFD_CLOEXEC, 3);
        size_t depth = 0;
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        for (;;) {
                int child = -EBADF;
                int r = rm_pass(fd, st.st_dev, &child);

                if (r < 0)
                        return r;
                if (r == 2)
                        continue;
                if (r == 1) {
                        (void)kl_close(fd);
                        fd = child;
                        depth++;
                        continue;
                }
                if (depth == 0)
                        return 0;
                {
                        int parent = kl_agent__vol_open_dir_at(fd, "..");

                        if (parent < 0)
                                return -errno;
                        (void)kl_close(fd);
                        fd = parent;
                        depth--;
                }
        }
}

/* Remove `name` in `dirfd`, whatever it is; a directory with everything under it. ENOENT is 0. */
int kl_agent__vol_rm_at(int dirfd, const char *name)
{
        kl_autoclose int fd = -EBADF;
        struct stat st, dst;
        int r;

        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
        if (fstat(dirfd, &dst) < 0)
                return -errno;
        if (dst.st_dev != st.st_dev)
                return -EBUSY;
        fd = kl_agent__vol_open_dir_at(dirfd, name);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        r = rm_contents(fd);
        if (r < 0)
                return r;
        return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -errno : 0;
}

/* ------------------------------------------------------------------------- */
/* Directories and tmpfs */

/* A directory at `path` (not a symlink), made with `mode` when missing (chmod'ed to it). */
int kl_agent__vol_ensure_dir(const char *path, mode_t mode, bool force_mode, struct kl_err **err)
{
        struct stat st;

        if (mkdir(path, mode) == 0) {
                if (chmod(path, mode) < 0)
                        return kl_err_set(err, -errno, "chmod '%s'", path);
                return 0;
        }
        if (errno != EEXIST)
                return kl_err_set(err, -errno, "create '%s'", path);
        if (lstat(path, &st) < 0)
                return kl_err_set(err, -errno, "stat '%s'", path);
        if (!S_ISDIR(st.st_mode))
                return kl_err_set_msg(err, -ENOTDIR, "'%s' exists and is not a directory", path);
        if (force_mode && (st.st_mode & 07777) != mode && chmod(path, mode) < 0)
                return kl_err_set(err, -errno, "chmod '%s'", path);
        return 0;
}

/* Whether `path` is the root of a tmpfs mount: its own device, and tmpfs. */
static int is_tmpfs_root(const char *path)
{
        kl_autofree char *parent = kl_asprintf("%s/..", path);
        struct stat st, pst;
        struct statfs sfs;

        if (lstat(path, &st) < 0 || lstat(parent, &pst) < 0 || statfs(path, &sfs) < 0)
                return -errno;
        return st.st_dev != pst.st_dev && sfs.f_type == TMPFS_MAGIC;
}

/* A tmpfs at `path` (once: setup runs at every sync). size 0: no size option (the kernel's half of
 * RAM). */
int kl_agent__vol_ensure_tmpfs(const char *path, int64_t size, struct kl_err **err)
{
        char opts[64] = "";
        int r = is_tmpfs_root(path);

        if (r < 0)
                return kl_err_set(err, r, "stat '%s'", path);
        if (r > 0)
                return 0;
        if (size > 0)
                (void)snprintf(opts, sizeof(opts), "size=%lld", (long long)size);
        if (mount("tmpfs", path, "tmpfs", 0, opts[0] ? opts : NULL) < 0)
                return kl_err_set(err, -errno, "mount tmpfs on '%s'", path);
        return 0;
}

/* A quantity in bytes from `obj` at `path`; 0 when absent or not positive. */
static int64_t get_bytes(const json_t *obj, const char *path)
{
        struct kl_quantity q;
        int64_t v = 0;

        if (kl_json_get_quantity(obj, path, &q, NULL) < 0 || kl_quantity_value(&q, &v) < 0)
                return 0;
        return v > 0 ? v : 0;
}

/*
 * The pod's memory limit as upstream's ResourceConfigForPod sees it: only
 * when every container declares one; app containers and sidecars add up,
 * an init container counts with the sidecars started before it, the larger
 * wins, plus spec.overhead. 0: not limited.
 */
static int64_t pod_memory_limit(const json_t *pod)
{
        const json_t *spec = json_object_get(pod, "spec");
        int64_t apps = 0, sidecars = 0, init_max = 0, total;
        size_t i;
        json_t *c;

        json_array_foreach(json_object_get(spec, "initContainers"), i, c) {
                int64_t m = get_bytes(c, "resources.limits.memory");
                const char *rp = kl_agent__vol_get_str(c, "restartPolicy");

                if (m <= 0)
                        return 0;
                if (rp && kl_streq(rp, "Always")) {
                        sidecars += m;
                } else if (m + sidecars > init_max) {
                        init_max = m + sidecars;
                }
        }
        json_array_foreach(json_object_get(spec, "containers"), i, c) {
                int64_t m = get_bytes(c, "resources.limits.memory");

                if (m <= 0)
                        return 0;
                apps += m;
        }
        total = KL_MAX(apps + sidecars, init_max);
        return total + get_bytes(spec, "overhead.memory");
}

/*
 * The size of a memory-backed emptyDir (upstream's
 * calculateEmptyDirMemorySize): the node's allocatable memory, lowered to
 * the pod's memory limit, lowered to the volume's sizeLimit; each only
 * when it is positive and not above the current bound. 0: no size option.
 */
int64_t kl_agent__vol_memory_size(const json_t *pod, const struct kl_agent__node_facts *node,
                                  int64_t size_limit)
{
        int64_t size = node && node->alloc_memory > 0 ? node->alloc_memory : 0;
        int64_t pod_limit = pod_memory_limit(pod);

        if (pod_limit > 0 && (size == 0 || pod_limit <= size))
                size = pod_limit;
        if (size_limit > 0 && (size == 0 || size_limit <= size))
                size = size_limit;
        return size;
}

/* ------------------------------------------------------------------------- */
/* The volume types */

int kl_agent__vol_plugin_dir(const struct kl_agent__vol_ctx *c, const char *plugin,
                             const char *name, char **ret, struct kl_err **err)
{
        kl_autofree char *vols = kl_asprintf("%s/volumes", c->pod_dir);
        kl_autofree char *pdir = kl_asprintf("%s/%s", vols, plugin);
        int r;

        r = kl_agent__vol_ensure_dir(vols, 0750, false, err);
        if (r >= 0)
                r = kl_agent__vol_ensure_dir(pdir, 0750, false, err);
        if (r < 0)
                return r;
        *ret = kl_asprintf("%s/%s", pdir, name);
        return 0;
}

static int setup_empty_dir(const struct kl_agent__vol_ctx *c, const json_t *vol, const char *name,
                           struct kl_agent__volumes *out, struct kl_err **err)
{
        const json_t *ed = json_object_get(vol, "emptyDir");
        const char *medium = kl_agent__vol_get_str(ed, "medium");
        kl_autofree char *dir = NULL;
        int r;

        if (medium && *medium && !kl_streq(medium, "Memory")) {
                if (kl_startswith(medium, "HugePages"))
                        return kl_err_set_msg(err, -EOPNOTSUPP,
                                              "medium %s is not supported by kube-lite yet",
                                              medium);
                return kl_err_set_msg(err, -EINVAL, "unknown storage medium \"%s\"", medium);
        }
        r = kl_agent__vol_plugin_dir(c, PLUGIN_EMPTY_DIR, name, &dir, err);
        if (r < 0)
                return r;
        if (medium && kl_streq(medium, "Memory")) {
                /* The directory's own mode is hidden by the tmpfs root's (1777), as upstream. */
                r = kl_agent__vol_ensure_dir(dir, 0777, false, err);
                if (r >= 0)
                        r = kl_agent__vol_ensure_tmpfs(
                                dir,
                                kl_agent__vol_memory_size(c->pod, c->node,
                                                          get_bytes(ed, "sizeLimit")),
                                err);
        } else {
                r = kl_agent__vol_ensure_dir(dir, 0777, true, err);
        }
        if (r < 0)
                return r;
        kl_agent__vol_add(out, name, dir, false);
        return 0;
}

/* Volume types a kube-lite node cannot mount (yet). */
static const char *const unsupported[] = {
        "csi",
        "image",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "gitRepo",
        "nfs",
        "iscsi",
        "glusterfs",
        "rbd",
        "flexVolume",
        "cinder",
        "cephfs",
        "flocker",
        "fc",
        "azureFile",
        "vsphereVolume",
        "quobyte",
        "azureDisk",
        "photonPersistentDisk",
        "portworxVolume",
        "scaleIO",
        "storageos",
};

static int setup_one(const struct kl_agent__vol_ctx *c, const json_t *vol, const char *name,
                     struct kl_agent__volumes *out, struct kl_err **err)
{
        static const char *const payload_types[] = { "configMap", "secret", "downwardAPI",
                                                     "projected" };

        if (json_object_get(vol, "hostPath"))
                return kl_agent__vol_setup_host_path(json_object_get(vol, "hostPath"), name, false,
                                                     out, err);
        if (json_object_get(vol, "persistentVolumeClaim") || json_object_get(vol, "ephemeral"))
                return kl_agent__vol_setup_claim(c, vol, name, out, err);
        if (json_object_get(vol, "emptyDir"))
                return setup_empty_dir(c, vol, name, out, err);
        for (size_t i = 0; i < KL_ARRAY_SIZE(payload_types); i++)
                if (json_object_get(vol, payload_types[i]))
                        return kl_agent__vol_setup_payload(c, vol, name, payload_types[i], out,
                                                           err);
        for (size_t i = 0; i < KL_ARRAY_SIZE(unsupported); i++)
                if (json_object_get(vol, unsupported[i]))
                        return kl_err_set_msg(err, -EOPNOTSUPP,
                                              "%s volumes are not supported by kube-lite yet",
                                              unsupported[i]);
        /* No source at all: upstream's defaulting makes it an emptyDir. */
        return setup_empty_dir(c, vol, name, out, err);
}

static bool volume_name_ok(const char *name)
{
        return !kl_isempty(name) && strlen(name) <= MAX_VOLUME_NAME && !strchr(name, '/') &&
               !kl_streq(name, ".") && !kl_streq(name, "..");
}

int kl_agent__volumes_setup(const json_t *pod, const struct kl_agent__pod_refs *refs,
                            const struct kl_agent__node_facts *node, const char *pod_dir,
                            struct kl_agent__volumes *ret, struct kl_err **err)
{
        static const struct kl_agent__node_facts no_facts = { 0 };
        kl_cleanup(volumes_releasep) struct kl_agent__volumes out = { 0 };
        struct kl_agent__vol_ctx c = {
                .pod = pod, .refs = refs, .node = node ? node : &no_facts, .pod_dir = pod_dir
        };
        size_t i;
        json_t *vol;
        int r;

        r = kl_mkdir_p(pod_dir, 0750);
        if (r < 0)
                return kl_err_set(err, r, "create '%s'", pod_dir);
        json_array_foreach(json_object_get(json_object_get(pod, "spec"), "volumes"), i, vol) {
                const char *name = kl_agent__vol_get_str(vol, "name");

                if (!volume_name_ok(name))
                        return kl_err_set_msg(err, -EINVAL, "invalid volume name \"%s\"",
                                              name ? name : "");
                r = setup_one(&c, vol, name, &out, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "MountVolume.SetUp failed for volume \"%s\" ",
                                           name);
        }
        *ret = out;
        out = (struct kl_agent__volumes){ 0 };
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Teardown */

/* mountinfo's octal escapes (\040 for a space, ...) undone in place. */
static void unescape_octal(char *s)
{
        char *o = s;

        for (char *p = s; *p; p++) {
                if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
                    p[3] >= '0' && p[3] <= '7') {
                        *o++ = (char)((p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0'));
                        p += 3;
                } else {
                        *o++ = *p;
                }
        }
        *o = '\0';
}

/* The mount points at or below `root` (a canonical path), deepest first. */
static int mounts_below(const char *root, char ***ret, struct kl_err **err)
{
        kl_autofree char *text = NULL;
        kl_autostrv char **found = NULL;
        size_t rlen = strlen(root);
        char *save = NULL;
        int r = kl_read_file("/proc/self/mountinfo", MOUNTINFO_MAX, &text, NULL);

        if (r < 0)
                return kl_err_set(err, r, "read '/proc/self/mountinfo'");
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *f[5] = { 0 };
                char *fsave = NULL;
                size_t n = 0;

                for (char *t = strtok_r(line, " ", &fsave); t && n < KL_ARRAY_SIZE(f);
                     t = strtok_r(NULL, " ", &fsave))
                        f[n++] = t;
                if (n < 5)
                        continue;
                unescape_octal(f[4]);
                if (strncmp(f[4], root, rlen) == 0 && (f[4][rlen] == '/' || f[4][rlen] == '\0'))
                        kl_strv_push(&found, f[4]);
        }
        /* Deepest first: a longer path is never the parent of a shorter one. */
        for (size_t a = 0; found && found[a]; a++)
                for (size_t b = a + 1; found[b]; b++)
                        if (strlen(found[b]) > strlen(found[a])) {
                                char *t = found[a];

                                found[a] = found[b];
                                found[b] = t;
                        }
        *ret = KL_TAKE_PTR(found);
        return 0;
}

int kl_agent__volumes_teardown(const char *pod_dir, struct kl_err **err)
{
        kl_autofree char *real = realpath(pod_dir, NULL);
        kl_autofree char *parent = NULL;
        kl_autoclose int pfd = -EBADF;
        const char *base;
        int r;

        if (!real) {
                if (errno == ENOENT)
                        return 0;
                return kl_err_set(err, -errno, "resolve '%s'", pod_dir);
        }
        /*
         * Every mount below the pod's directory goes first, whatever its
         * type (tmpfs volumes, and anything else someone mounted there):
         * removing through a mount would delete what it shows. A busy
         * mount is detached (MNT_DETACH), as a kubelet's unmount of a
         * volume still held open somewhere would wait forever otherwise.
         */
        for (int round = 0;; round++) {
                kl_autostrv char **mounts = NULL;

                r = mounts_below(real, &mounts, err);
                if (r < 0)
                        return r;
                if (!mounts)
                        break;
                if (round == MAX_UNMOUNT_ROUNDS)
                        return kl_err_set_msg(err, -EBUSY, "cannot unmount '%s'", mounts[0]);
                for (char **m = mounts; *m; m++) {
                        if (umount2(*m, UMOUNT_NOFOLLOW) == 0 || errno == EINVAL || errno == ENOENT)
                                continue;
                        if (errno != EBUSY || umount2(*m, UMOUNT_NOFOLLOW | MNT_DETACH) < 0)
                                return kl_err_set(err, -errno, "unmount '%s'", *m);
                }
        }
        base = strrchr(real, '/');
        if (!base || kl_streq(real, "/"))
                return kl_err_set_msg(err, -EINVAL, "refusing to remove '%s'", real);
        parent = base == real ? kl_strdup("/") : kl_strndup(real, (size_t)(base - real));
        pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0)
                return kl_err_set(err, -errno, "open '%s'", parent);
        r = kl_agent__vol_rm_at(pfd, base + 1);
        if (r < 0)
                return kl_err_set(err, r, "remove '%s'", real);
        return 0;
}
