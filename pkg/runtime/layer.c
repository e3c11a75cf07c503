/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layers unpacked once, with libarchive, into snapshots/<diff id hex>/fs:
 * one directory per layer, usable as an overlayfs lowerdir as it is. The
 * whiteout representation is in README.md ("Whiteouts").
 */
#include "runtime/rt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "base/base.h"
#include "runtime/rt-internal.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"
#define BLOCK     65536

static void archive_freep(struct archive **a)
{
        if (*a)
                (void)archive_read_free(*a);
}

static void archive_write_freep(struct archive **a)
{
        if (*a)
                (void)archive_write_free(*a);
}

static struct archive *reader_new(bool raw)
{
        struct archive *a = archive_read_new();

        kl_assert(a);
        (void)archive_read_support_filter_gzip(a);
        (void)archive_read_support_filter_zstd(a);
        (void)archive_read_support_filter_none(a);
        if (raw)
                (void)archive_read_support_format_raw(a);
        else
                (void)archive_read_support_format_tar(a);
        return a;
}

/* The sha256 of the decompressed stream: the diff id. */
static int diff_id_of(const char *blob, char **ret, struct kl_err **err)
{
        kl_cleanup(archive_freep) struct archive *a = reader_new(true);
        struct archive_entry *e;
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        unsigned char out[32];
        unsigned int outlen = 0;
        char buf[BLOCK];
        la_ssize_t n;

        kl_assert(md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1);
        if (archive_read_open_filename(a, blob, BLOCK) != ARCHIVE_OK ||
            archive_read_next_header(a, &e) != ARCHIVE_OK) {
                EVP_MD_CTX_free(md);
                return kl_err_set(err, -EINVAL, "read layer '%s': %s", blob,
                                  archive_error_string(a));
        }
        while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
                kl_assert(EVP_DigestUpdate(md, buf, (size_t)n) == 1);
        if (n < 0) {
                EVP_MD_CTX_free(md);
                return kl_err_set(err, -EINVAL, "read layer '%s': %s", blob,
                                  archive_error_string(a));
        }
        kl_assert(EVP_DigestFinal_ex(md, out, &outlen) == 1);
        EVP_MD_CTX_free(md);
        char *s = kl_malloc(72);
        memcpy(s, "sha256:", 7);
        for (size_t i = 0; i < 32; i++) {
                s[7 + 2 * i] = "0123456789abcdef"[out[i] >> 4];
                s[8 + 2 * i] = "0123456789abcdef"[out[i] & 15];
        }
        s[71] = '\0';
        *ret = s;
        return 0;
}

/*
 * Normalise an entry name to a relative path without "." components.
 * Absolute names and ".." components are refused: a layer is a diff of a
 * root filesystem and has no business naming anything outside it.
 */
static int clean_name(const char *name, char **ret)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT_MAX(PATH_MAX);
        const char *p = name;

        /* libarchive has no name for a header it could not convert. */
        if (!name)
                return -EINVAL;
        if (name[0] == '/')
                return -EPERM;
        while (*p) {
                size_t n = strcspn(p, "/");
                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return -EPERM;
                if (n > 0 && !(n == 1 && p[0] == '.')) {
                        if (b.len > 0 && kl_buf_putc(&b, '/') < 0)
                                return -ENAMETOOLONG;
                        if (kl_buf_append(&b, p, n) < 0)
                                return -ENAMETOOLONG;
                }
                p += n;
                while (*p == '/')
                        p++;
        }
        *ret = kl_buf_detach(&b, NULL);
        return 0;
}

/*
 * Open the directory `rel` below `rootfd`, one component at a time with
 * O_NOFOLLOW, so that a symlink planted by an earlier entry can never lead
 * outside the root (-EPERM). With `create`, missing directories are made.
 */
static int open_dir_beneath(int rootfd, const char *rel, bool create)
{
        kl_autoclose int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
        kl_autofree char *copy = kl_strdup(rel);
        char *save = NULL;

        if (fd < 0)
                return -errno;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0 && errno == ENOENT && create) {
                        if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST)
                                return -errno;
                        next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                }
                if (next < 0)
                        return errno == ELOOP || errno == ENOTDIR ? -EPERM : -errno;
                (void)kl_close(fd);
                fd = next;
        }
        return KL_TAKE_FD(fd);
}

/* The parent of every entry must be a real directory chain inside the root. */
static int check_parent(int rootfd, const char *rel)
{
        kl_autofree char *dir = kl_strdup(rel);
        char *slash = strrchr(dir, '/');
        int fd;

        if (!slash)
                return 0;
        *slash = '\0';
        fd = open_dir_beneath(rootfd, dir, false);
        if (fd == -ENOENT)
                return 0; /* created by libarchive, which refuses symlinks on the way */
        if (fd < 0)
                return fd;
        (void)kl_close(fd);
        return 0;
}

struct unpack {
        int rootfd;         /* borrowed: the fs directory */
        bool privileged;    /* euid 0: ownership, device nodes, trusted.* xattrs */
        struct kl_buf list; /* whiteouts and opaque dirs without an on-disk marker */
        const char *fs;     /* borrowed: absolute path of the fs directory */
};

static int make_whiteout(struct unpack *u, const char *dir, const char *name)
{
        kl_autoclose int fd = open_dir_beneath(u->rootfd, dir, true);

        if (fd < 0)
                return fd;
        /* overlayfs: a 0:0 character device hides the name in lower layers. */
        if (mknodat(fd, name, S_IFCHR | 0, makedev(0, 0)) == 0)
                return 0;
        if (errno != EPERM && errno != EACCES)
                return -errno;
        (void)kl_buf_printf(&u->list, "whiteout %s%s%s\n", dir, *dir ? "/" : "", name);
        return 0;
}

static int make_opaque(struct unpack *u, const char *dir)
{
        kl_autoclose int fd = open_dir_beneath(u->rootfd, dir, true);
        const char *attr = u->privileged ? "trusted.overlay.opaque" : "user.overlay.opaque";

        if (fd < 0)
                return fd;
        if (fsetxattr(fd, attr, "y", 1, 0) == 0)
                return 0;
        (void)kl_buf_printf(&u->list, "opaque %s\n", dir);
        return 0;
}

static int unpack_entries(struct unpack *u, const char *blob, struct kl_err **err)
{
        kl_cleanup(archive_freep) struct archive *in = reader_new(false);
        kl_cleanup(archive_write_freep) struct archive *out = archive_write_disk_new();
        int flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
                    ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                    ARCHIVE_EXTRACT_UNLINK;
        struct archive_entry *e;
        int r;

        kl_assert(out);
        if (u->privileged)
                flags |= ARCHIVE_EXTRACT_OWNER;
        (void)archive_write_disk_set_options(out, flags);
        (void)archive_write_disk_set_standard_lookup(out);
        if (archive_read_open_filename(in, blob, BLOCK) != ARCHIVE_OK)
                return kl_err_set(err, -EINVAL, "open layer: %s", archive_error_string(in));
        for (;;) {
                kl_autofree char *rel = NULL, *full = NULL;
                const char *base, *hl;

                r = archive_read_next_header(in, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return kl_err_set(err, -EINVAL, "read layer: %s", archive_error_string(in));
                const char *raw = archive_entry_pathname(e);
                r = clean_name(raw, &rel);
                if (r < 0)
                        return kl_err_set(err, r, "layer entry '%s': %s", raw ? raw : "",
                                          r == -EPERM ? "path escapes the root" : "bad name");
                if (*rel == '\0')
                        continue; /* "./" itself */
                r = check_parent(u->rootfd, rel);
                if (r < 0)
                        return kl_err_set(err, r,
                                          "layer entry '%s': parent is not a directory "
                                          "inside the root",
                                          rel);
                base = strrchr(rel, '/');
                base = base ? base + 1 : rel;
                if (kl_startswith(base, WH_PREFIX)) {
                        kl_autofree char *dir = kl_strndup(rel, (size_t)(base - rel));
                        if (*dir)
                                dir[strlen(dir) - 1] = '\0';
                        if (kl_streq(base, WH_OPAQUE))
                                r = make_opaque(u, dir);
                        else if (kl_startswith(base, WH_PREFIX WH_PREFIX))
                                r = 0; /* aufs bookkeeping (.wh..wh.plnk), meaningless here */
                        else
                                r = make_whiteout(u, dir, base + strlen(WH_PREFIX));
                        if (r < 0)
                                return kl_err_set(err, r, "layer entry '%s': whiteout", rel);
                        continue;
                }
                mode_t type = archive_entry_filetype(e);
                if ((type == AE_IFCHR || type == AE_IFBLK) && !u->privileged)
                        continue; /* mknod needs CAP_MKNOD; the runtime's /dev is a tmpfs anyway */
                hl = archive_entry_hardlink(e);
                if (hl) {
                        kl_autofree char *hrel = NULL;
                        r = clean_name(hl, &hrel);
                        if (r == 0)
                                r = check_parent(u->rootfd, hrel);
                        if (r < 0 || *hrel == '\0')
                                return kl_err_set(err, -EPERM,
                                                  "layer entry '%s': hard link to '%s' escapes "
                                                  "the root",
                                                  rel, hl);
                        kl_autofree char *hfull = kl_asprintf("%s/%s", u->fs, hrel);
                        archive_entry_set_hardlink(e, hfull);
                }
                full = kl_asprintf("%s/%s", u->fs, rel);
                archive_entry_set_pathname(e, full);
                r = archive_write_header(out, e);
                /* Root in a user namespace has no CAP_MKNOD either: skip, as unprivileged. */
                if (r < ARCHIVE_WARN && (type == AE_IFCHR || type == AE_IFBLK) &&
                    archive_errno(out) == EPERM)
                        continue;
                if (r < ARCHIVE_WARN)
                        return kl_err_set(err,
                                          archive_errno(out) == 0 ? -EPERM : -archive_errno(out),
                                          "layer entry '%s': %s", rel, archive_error_string(out));
                if (archive_entry_size(e) > 0 && !hl) {
                        const void *buf;
                        size_t size;
                        la_int64_t off;
                        while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK) {
                                if (archive_write_data_block(out, buf, size, off) < ARCHIVE_WARN)
                                        return kl_err_set(err, -EIO, "write '%s': %s", rel,
                                                          archive_error_string(out));
                        }
                        if (r != ARCHIVE_EOF)
                                return kl_err_set(err, -EINVAL, "read layer: %s",
                                                  archive_error_string(in));
                }
                if (archive_write_finish_entry(out) < ARCHIVE_WARN)
                        return kl_err_set(err, -EIO, "finish '%s': %s", rel,
                                          archive_error_string(out));
        }
        /* Closing applies the deferred modes and times of directories. */
        if (archive_write_close(out) < ARCHIVE_WARN)
                return kl_err_set(err, -EIO, "finish layer: %s", archive_error_string(out));
        return 0;
}

char *kl_rt_snapshot_path(const struct kl_rt_store *s, const char *diff_id)
{
        kl_assert(kl_rt_digest_is_valid(diff_id));
        return kl_asprintf("%s/snapshots/%s/fs", s->root, diff_id + 7);
}

int kl_runtime__layer_extract(const char *blob, const char *dir, struct kl_err **err)
{
        kl_autofree char *fs = kl_asprintf("%s/fs", dir);
        kl_autoclose int rootfd = -EBADF;
        struct unpack u = { .rootfd = -EBADF, .privileged = geteuid() == 0 };
        int r;

        r = kl_mkdir_p(fs, 0755);
        if (r < 0)
                return kl_err_set(err, r, "create '%s'", fs);
        rootfd = open(fs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return kl_err_set(err, -errno, "open '%s'", fs);
        u.rootfd = rootfd;
        u.fs = fs;
        kl_buf_init(&u.list, (size_t)16 << 20);
        r = unpack_entries(&u, blob, err);
        if (r == 0 && u.list.len > 0) {
                kl_autofree char *lp = kl_asprintf("%s/whiteouts", dir);
                r = kl_write_file_atomic(lp, u.list.buf, u.list.len, 0644, 0);
                if (r < 0)
                        r = kl_err_set(err, r, "write '%s'", lp);
        }
        kl_buf_release(&u.list);
        return r;
}

int kl_rt_layer_unpack(struct kl_rt_store *s, const char *digest, const char *diff_id,
                       struct kl_err **err)
{
        kl_autofree char *blob = NULL, *actual = NULL, *dst = NULL, *tmp = NULL;
        struct stat st;
        int r;

        if (!kl_rt_digest_is_valid(digest) || !kl_rt_digest_is_valid(diff_id))
                return kl_err_set(err, -EINVAL, "layer '%s': bad digest or diff id", digest);
        dst = kl_asprintf("%s/snapshots/%s", s->root, diff_id + 7);
        if (stat(dst, &st) == 0)
                return 0;
        blob = kl_rt_store_blob_path(s, digest);
        r = diff_id_of(blob, &actual, err);
        if (r < 0)
                return r;
        kl_assert(actual);
        if (!kl_streq(actual, diff_id))
                return kl_err_set(err, -EILSEQ, "layer '%s': content has diff id %s, want %s",
                                  digest, actual, diff_id);

        tmp = kl_asprintf("%s/snapshots/.tmp-%s-%d", s->root, diff_id + 7, (int)getpid());
        (void)kl_runtime__rm_rf(tmp);
        r = kl_runtime__layer_extract(blob, tmp, err);
        if (r < 0) {
                (void)kl_runtime__rm_rf(tmp);
                return kl_err_wrap(err, r, "unpack layer '%s'", digest);
        }
        /* The rename publishes the snapshot whole: a crash leaves only a .tmp- directory. */
        if (rename(tmp, dst) < 0) {
                r = -errno;
                (void)kl_runtime__rm_rf(tmp);
                if (r == -EEXIST || r == -ENOTEMPTY)
                        return 0;
                return kl_err_set(err, r, "rename '%s' to '%s'", tmp, dst);
        }
        return 1;
}
