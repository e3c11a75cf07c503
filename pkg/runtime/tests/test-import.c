/* SPDX-License-Identifier: Apache-2.0 */
/* Image import: docker-save archives and OCI layout archives, plain and compressed. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/rt.h"
#include "testing/testing.h"

#include "rt-test.h"

static struct kl_rt_store *store_new(void)
{
        struct kl_rt_store *s = NULL;

        cr_assert_eq(kl_rt_store_open(kl_test_tmpdir(), &s, NULL), 0);
        return s;
}

static const struct tar_entry files[] = {
        { 'd', "etc", NULL, 0755 },
        { 'f', "etc/hello", "hello\n", 0644 },
};

/* Write an archive of `entries` to a temp file; returns its path, owned. */
static char *write_archive(const struct tar_entry *entries, size_t n, enum tar_compression c)
{
        size_t len;
        kl_autofree char *data = tar_build(entries, n, c, &len);
        char *path = kl_asprintf("%s/image.tar", kl_test_tmpdir());

        cr_assert_eq(kl_write_file_atomic(path, data, len, 0644, 0), 0);
        return path;
}

static void expect_hello(struct kl_rt_store *s, const char *name)
{
        struct kl_rt_image img;
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_rt_store_image_get(s, name, &img, &e), 0, "%s", kl_err_msg(e));
        cr_expect_eq(img.flags & KL_RT_IMAGE_PINNED, KL_RT_IMAGE_PINNED, "imports are pinned");
        kl_rt_image_release(&img);
        /* The layer is unpacked: some snapshot has etc/hello. */
        kl_autofree char *snaps = kl_asprintf("%s/snapshots", kl_rt_store_root(s));
        kl_autoclosedir DIR *d = opendir(snaps);
        bool found = false;
        for (struct dirent *de; d && (de = readdir(d));) {
                kl_autofree char *p = kl_asprintf("%s/%s/fs/etc/hello", snaps, de->d_name);
                found = found || access(p, F_OK) == 0;
        }
        cr_expect(found, "no snapshot holds etc/hello");
}

Test(import, docker_save_legacy)
{
        struct kl_rt_store *s = store_new();
        kl_autoerr struct kl_err *e = NULL;
        size_t layer_len;
        kl_autofree char *layer = tar_build(files, KL_ARRAY_SIZE(files), TAR_NONE, &layer_len);
        kl_autofree char *diff_id = kl_rt_digest_of(layer, layer_len);
        kl_autofree char *cfg =
                kl_asprintf("{\"architecture\":\"amd64\",\"os\":\"linux\","
                            "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
                            diff_id);
        kl_autofree char *cfg_digest = kl_rt_digest_of(cfg, strlen(cfg));
        kl_autofree char *cfg_name = kl_asprintf("%s.json", cfg_digest + 7);
        kl_autofree char *manifest = kl_asprintf(
                "[{\"Config\":\"%s\",\"RepoTags\":[\"saved:1\",\"example.com/x/saved:2\"],"
                "\"Layers\":[\"0a1b/layer.tar\"]}]",
                cfg_name);
        const struct tar_entry archive[] = {
                { 'f', "0a1b/VERSION", "1.0", 0644, 0 },
                { 'f', "0a1b/json", "{}", 0644, 0 },
                { 'f', "0a1b/layer.tar", layer, 0644, layer_len },
                { 'f', cfg_name, cfg, 0644, 0 },
                { 'f', "manifest.json", manifest, 0644, 0 },
                { 'f', "repositories", "{}", 0644, 0 },
        };
        kl_autofree char *path = write_archive(archive, KL_ARRAY_SIZE(archive), TAR_NONE);
        char **names = NULL;

        cr_assert_eq(kl_rt_import(s, path, &names, &e), 2, "%s", kl_err_msg(e));
        cr_expect_str_eq(names[0], "docker.io/library/saved:1");
        cr_expect_str_eq(names[1], "example.com/x/saved:2");
        kl_strv_free(names);
        expect_hello(s, "docker.io/library/saved:1");
        /* GC keeps pinned imports even when asked to drop everything. */
        cr_expect_eq(kl_rt_store_gc(s, NULL, INT64_MAX, &e), 0, "%s", kl_err_msg(e));
        expect_hello(s, "example.com/x/saved:2");
        kl_rt_store_free(s);
}

/* An OCI layout archive of one image, named by containerd's annotation. */
static char *oci_archive(enum tar_compression c, bool corrupt)
{
        const char *dir = kl_test_tmpdir();
        struct layer_spec l[] = { { files, KL_ARRAY_SIZE(files) } };
        size_t size;
        kl_autofree char *man = layout_image(dir, l, 1, "amd64", &size);
        kl_autofree char *index = kl_asprintf(
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\","
                "\"size\":%zu,\"annotations\":{\"io.containerd.image.name\":"
                "\"registry.local/app:2\",\"org.opencontainers.image.ref.name\":\"2\"}}]}",
                KL_RT_MT_OCI_MANIFEST, man, size);
        struct tar_entry entries[16];
        char *paths[16] = { 0 }, *names[16] = { 0 };
        size_t n = 0;
        kl_autofree char *blobs = kl_asprintf("%s/blobs/sha256", dir);
        kl_autoclosedir DIR *d = opendir(blobs);

        entries[n++] = (struct tar_entry){ 'f', "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}",
                                           0644, 0 };
        entries[n++] = (struct tar_entry){ 'f', "index.json", index, 0644, 0 };
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                cr_assert_lt(n, KL_ARRAY_SIZE(entries));
                paths[n] = kl_asprintf("%s/%s", blobs, de->d_name);
                names[n] = kl_asprintf("blobs/sha256/%s", de->d_name);
                entries[n] = (struct tar_entry){ 'B', names[n], paths[n], 0644, 0 };
                n++;
        }
        if (corrupt) {
                /* The last blob's content does not match its name. */
                entries[n - 1] = (struct tar_entry){ 'f', names[n - 1], "not it", 0644, 0 };
        }
        char *path = write_archive(entries, n, c);
        for (size_t i = 0; i < n; i++) {
                free(paths[i]);
                free(names[i]);
        }
        return path;
}

Test(import, oci_layout_gzip_and_zstd)
{
        static const enum tar_compression cs[] = { TAR_NONE, TAR_GZIP, TAR_ZSTD };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cs); i++) {
                struct kl_rt_store *s = store_new();
                kl_autoerr struct kl_err *e = NULL;
                kl_autofree char *path = oci_archive(cs[i], false);
                char **names = NULL;

                cr_assert_eq(kl_rt_import(s, path, &names, &e), 1, "%zu: %s", i, kl_err_msg(e));
                cr_expect_str_eq(names[0], "registry.local/app:2");
                kl_strv_free(names);
                expect_hello(s, "registry.local/app:2");
                kl_rt_store_free(s);
        }
}

Test(import, corrupted_blob_refused)
{
        struct kl_rt_store *s = store_new();
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *path = oci_archive(TAR_GZIP, true);
        struct kl_rt_image img;

        cr_expect_eq(kl_rt_import(s, path, NULL, &e), -EILSEQ, "%s", kl_err_msg(e));
        cr_expect_eq(kl_rt_store_image_get(s, "registry.local/app:2", &img, NULL), -ENOENT);
        kl_rt_store_free(s);
}

Test(import, not_an_image)
{
        struct kl_rt_store *s = store_new();
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *path = write_archive(files, KL_ARRAY_SIZE(files), TAR_GZIP);

        cr_expect_eq(kl_rt_import(s, path, NULL, &e), -EINVAL, "%s", kl_err_msg(e));
        kl_err_free(KL_TAKE_PTR(e));
        kl_autofree char *junk = kl_test_write_file(kl_test_tmpdir(), "junk", "not a tar at all");
        cr_expect_eq(kl_rt_import(s, junk, NULL, &e), -EINVAL, "%s", kl_err_msg(e));
        kl_rt_store_free(s);
}

Test(import, images_directory)
{
        struct kl_rt_store *s = store_new();
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *a = oci_archive(TAR_ZSTD, false);
        const char *dir = kl_test_tmpdir();
        kl_autofree char *dst = kl_asprintf("%s/app.tar.zst", dir);
        kl_autofree char *missing = kl_asprintf("%s/none", dir);

        cr_assert_eq(rename(a, dst), 0);
        free(kl_test_write_file(dir, "README", "not an image archive, not looked at"));
        cr_expect_eq(kl_rt_import_dir(s, dir, &e), 1, "%s", kl_err_msg(e));
        expect_hello(s, "registry.local/app:2");
        cr_expect_eq(kl_rt_import_dir(s, missing, &e), 0, "%s", kl_err_msg(e));
        kl_rt_store_free(s);
}
