/* SPDX-License-Identifier: Apache-2.0 */
/* Test helpers for pkg/runtime: layer tars built in memory with libarchive. */
#ifndef KL_RUNTIME_TESTS_RT_TEST_H
#define KL_RUNTIME_TESTS_RT_TEST_H

#include <criterion/criterion.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/base.h"
#include "runtime/rt.h"
#include "testing/testing.h"

enum tar_compression {
        TAR_NONE,
        TAR_GZIP,
        TAR_ZSTD,
};

/* One tar entry: 'f' file (data), 'B' file with a host file's contents (data: its path),
 * 'c' the character device 1:3, 'd' directory, 'l' symlink (target), 'h' hard link (target). */
/* NOLINTNEXTLINE(clang-analyzer-optin.performance.Padding): the order of the initialiser tables. */
struct tar_entry {
        char type;
        const char *name;
        const char *data;
        unsigned mode;
        size_t len;   /* 'f': length of data when it may hold NULs (0: strlen) */
        unsigned uid; /* owner uid and gid */
};

static KL_UNUSED la_ssize_t tar_write_cb(struct archive *a, void *arg, const void *data, size_t n)
{
        (void)a;
        cr_assert_eq(kl_buf_append(arg, data, n), 0);
        return (la_ssize_t)n;
}

/* The tar of `entries`, compressed as asked; owned by the caller, length in *ret_len. */
static KL_UNUSED char *tar_build(const struct tar_entry *entries, size_t n, enum tar_compression c,
                                 size_t *ret_len)
{
        struct kl_buf out = KL_BUF_INIT;
        struct archive *a = archive_write_new();

        cr_assert(a);
        cr_assert_eq(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
        if (c == TAR_GZIP) {
                cr_assert_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
                /* The same entries give the same blob: no time in the gzip header. */
                cr_assert_eq(archive_write_set_filter_option(a, "gzip", "timestamp", NULL),
                             ARCHIVE_OK);
        } else if (c == TAR_ZSTD)
                cr_assert_eq(archive_write_add_filter_zstd(a), ARCHIVE_OK);
        (void)archive_write_set_bytes_in_last_block(a, 1);
        cr_assert_eq(archive_write_open(a, &out, NULL, tar_write_cb, NULL), ARCHIVE_OK);
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *e = archive_entry_new();
                const struct tar_entry *t = &entries[i];
                kl_autofree char *host = NULL;
                size_t len = t->type == 'f' && t->data ? (t->len ? t->len : strlen(t->data)) : 0;
                const char *data = t->data;

                if (t->type == 'B') {
                        /* Contents from a host file (a binary such as busybox). */
                        cr_assert_eq(kl_read_file(t->data, (size_t)64 << 20, &host, &len), 0,
                                     "read '%s'", t->data);
                        data = host;
                }

                archive_entry_set_pathname(e, t->name);
                archive_entry_set_mtime(e, 1700000000, 0);
                archive_entry_set_uid(e, t->uid);
                archive_entry_set_gid(e, t->uid);
                switch (t->type) {
                case 'd':
                        archive_entry_set_filetype(e, AE_IFDIR);
                        archive_entry_set_perm(e, t->mode ? t->mode : 0755);
                        break;
                case 'l':
                        archive_entry_set_filetype(e, AE_IFLNK);
                        archive_entry_set_perm(e, 0777);
                        archive_entry_set_symlink(e, t->data);
                        break;
                case 'h':
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_perm(e, 0644);
                        archive_entry_set_hardlink(e, t->data);
                        break;
                case 'c':
                        archive_entry_set_filetype(e, AE_IFCHR);
                        archive_entry_set_perm(e, 0666);
                        archive_entry_set_rdevmajor(e, 1);
                        archive_entry_set_rdevminor(e, 3);
                        break;
                default:
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_perm(e, t->mode ? t->mode : 0644);
                        archive_entry_set_size(e, (la_int64_t)len);
                        break;
                }
                cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s", archive_error_string(a));
                if (len > 0)
                        cr_assert_eq(archive_write_data(a, data, len), (la_ssize_t)len);
                archive_entry_free(e);
        }
        cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        return kl_buf_detach(&out, ret_len);
}

/* Build a layer, put it in the store; digest and diff id returned owned. */
static KL_UNUSED void layer_put(struct kl_rt_store *s, const struct tar_entry *entries, size_t n,
                                enum tar_compression c, char **ret_digest, char **ret_diff_id)
{
        kl_autoerr struct kl_err *e = NULL;
        size_t len, rawlen;
        kl_autofree char *data = tar_build(entries, n, c, &len);
        kl_autofree char *raw = tar_build(entries, n, TAR_NONE, &rawlen);

        cr_assert_eq(kl_rt_store_put_blob(s, data, len, NULL, ret_digest, &e), 0, "%s",
                     kl_err_msg(e));
        *ret_diff_id = kl_rt_digest_of(raw, rawlen);
}

struct layer_spec {
        const struct tar_entry *entries;
        size_t n;
};

/* Write an image (config + manifest) into the layout `dir`; returns the manifest digest, owned. */
static KL_UNUSED char *layout_image(const char *dir, const struct layer_spec *layers, size_t n,
                                    const char *arch, size_t *ret_size)
{
        struct kl_rt_store *s = NULL;
        kl_autobuf struct kl_buf diff_ids = KL_BUF_INIT, descs = KL_BUF_INIT;
        kl_autofree char *cfg_digest = NULL;
        char *man_digest = NULL;

        cr_assert_eq(kl_rt_store_open(dir, &s, NULL), 0);
        for (size_t i = 0; i < n; i++) {
                kl_autofree char *digest = NULL, *diff_id = NULL;
                layer_put(s, layers[i].entries, layers[i].n, TAR_GZIP, &digest, &diff_id);
                kl_autofree char *path = kl_rt_store_blob_path(s, digest);
                struct stat st;
                cr_assert_eq(stat(path, &st), 0);
                (void)kl_buf_printf(&diff_ids, "%s\"%s\"", i ? "," : "", diff_id);
                (void)kl_buf_printf(
                        &descs,
                        "%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                        "\"digest\":\"%s\",\"size\":%lld}",
                        i ? "," : "", digest, (long long)st.st_size);
        }
        kl_autofree char *cfg = kl_asprintf(
                "{\"architecture\":\"%s\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"]},"
                "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]}}",
                arch, diff_ids.buf);
        cr_assert_eq(kl_rt_store_put_blob(s, cfg, strlen(cfg), NULL, &cfg_digest, NULL), 0);
        kl_autofree char *man = kl_asprintf(
                "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\","
                "\"digest\":\"%s\",\"size\":%zu},\"layers\":[%s]}",
                KL_RT_MT_OCI_MANIFEST, KL_RT_MT_OCI_CONFIG, cfg_digest, strlen(cfg), descs.buf);
        cr_assert_eq(kl_rt_store_put_blob(s, man, strlen(man), NULL, &man_digest, NULL), 0);
        *ret_size = strlen(man);
        kl_rt_store_free(s);
        return man_digest;
}

static KL_UNUSED void layout_index(const char *dir, const char *tag, const char *media_type,
                                   const char *digest, size_t size)
{
        kl_autofree char *text = kl_asprintf(
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\","
                "\"size\":%zu,\"annotations\":{\"org.opencontainers.image.ref.name\":\"%s\"}}]}",
                media_type, digest, size, tag);
        free(kl_test_write_file(dir, "index.json", text));
}

/* Read an HTTP request's head (up to the blank line) into `buf`, NUL-terminated; its length. */
static KL_UNUSED size_t http_read_head(int fd, char *buf, size_t size)
{
        size_t n = 0;
        ssize_t k;

        while (n < size - 1 && (k = read(fd, buf + n, size - 1 - n)) > 0) {
                n += (size_t)k;
                buf[n] = '\0';
                if (strstr(buf, "\r\n\r\n"))
                        break;
        }
        buf[n] = '\0';
        return n;
}

#endif
