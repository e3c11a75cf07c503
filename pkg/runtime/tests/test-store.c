/* SPDX-License-Identifier: Apache-2.0 */
/* The content store: verified blobs, crash safety, resume, the image index, GC. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/rt.h"
#include "testing/testing.h"

static struct kl_rt_store *store_new(void)
{
        struct kl_rt_store *s = NULL;
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_rt_store_open(kl_test_tmpdir(), &s, &e), 0, "%s", kl_err_msg(e));
        return s;
}

static bool exists(const char *path)
{
        struct stat st;

        return lstat(path, &st) == 0;
}

Test(store, layout_and_put_read)
{
        struct kl_rt_store *s = store_new();
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *d = NULL, *data = NULL;
        size_t len;

        kl_autofree char *layout = kl_asprintf("%s/oci-layout", kl_rt_store_root(s));
        cr_expect(exists(layout));
        cr_assert_eq(kl_rt_store_put_blob(s, "hello", 5, NULL, &d, &e), 0, "%s", kl_err_msg(e));
        cr_expect_str_eq(d,
                         "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        cr_expect(kl_rt_store_has_blob(s, d, 5));
        cr_expect_not(kl_rt_store_has_blob(s, d, 6));
        cr_assert_eq(kl_rt_store_read_blob(s, d, 100, &data, &len, NULL), 0);
        cr_expect_eq(len, 5);
        cr_expect_str_eq(data, "hello");
        cr_expect_eq(kl_rt_store_read_blob(s, d, 4, &data, &len, NULL), -E2BIG);
        /* A wrong expected digest stores nothing. */
        kl_autofree char *other = kl_rt_digest_of("x", 1);
        cr_expect_eq(kl_rt_store_put_blob(s, "y", 1, other, NULL, NULL), -EILSEQ);
        cr_expect_not(kl_rt_store_has_blob(s, other, -1));
        kl_rt_store_free(s);
}

Test(store, writer_rejects_wrong_content_and_leaves_nothing)
{
        struct kl_rt_store *s = store_new();
        struct kl_rt_blob_writer *w = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *d = kl_rt_digest_of("abcdef", 6);
        kl_autofree char *path = kl_rt_store_blob_path(s, d);

        cr_assert_eq(kl_rt_blob_writer_open(s, d, 6, 0, &w, &e), 0, "%s", kl_err_msg(e));
        cr_assert_eq(kl_rt_blob_writer_write(w, "abcdeX", 6, NULL), 0);
        cr_expect_not(exists(path), "a blob is visible before commit");
        cr_expect_eq(kl_rt_blob_writer_commit(w, &e), -EILSEQ);
        cr_expect_not(exists(path));
        kl_rt_blob_writer_free(w);
        w = NULL;

        /* More than declared fails at once; less is a short blob. */
        cr_assert_eq(kl_rt_blob_writer_open(s, d, 6, 0, &w, NULL), 0);
        cr_expect_eq(kl_rt_blob_writer_write(w, "abcdefg", 7, NULL), -E2BIG);
        cr_expect_eq(kl_rt_blob_writer_write(w, "abc", 3, NULL), 0);
        cr_expect_eq(kl_rt_blob_writer_commit(w, NULL), -EIO);
        cr_expect_not(exists(path));
        /* Two writers of one blob at once: the second is refused. */
        struct kl_rt_blob_writer *w2 = NULL;
        cr_expect_eq(kl_rt_blob_writer_open(s, d, 6, 0, &w2, NULL), -EBUSY);
        kl_rt_blob_writer_free(w);
        kl_rt_store_free(s);
}

Test(store, resume_after_crash)
{
        struct kl_rt_store *s = store_new();
        struct kl_rt_blob_writer *w = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *d = kl_rt_digest_of("0123456789", 10);

        /* A "crash": the writer goes away after 4 bytes without commit. */
        cr_assert_eq(kl_rt_blob_writer_open(s, d, 10, 0, &w, NULL), 0);
        cr_assert_eq(kl_rt_blob_writer_write(w, "0123", 4, NULL), 0);
        kl_rt_blob_writer_free(w);
        cr_expect_not(kl_rt_store_has_blob(s, d, -1));

        cr_assert_eq(kl_rt_blob_writer_open(s, d, 10, KL_RT_BLOB_RESUME, &w, NULL), 0);
        cr_expect_eq(kl_rt_blob_writer_offset(w), 4);
        cr_assert_eq(kl_rt_blob_writer_write(w, "456789", 6, NULL), 0);
        cr_assert_eq(kl_rt_blob_writer_commit(w, &e), 0, "%s", kl_err_msg(e));
        kl_rt_blob_writer_free(w);
        cr_expect(kl_rt_store_has_blob(s, d, 10));

        /* Without RESUME a partial file is started over. */
        kl_autofree char *d2 = kl_rt_digest_of("ab", 2);
        cr_assert_eq(kl_rt_blob_writer_open(s, d2, 2, 0, &w, NULL), 0);
        cr_assert_eq(kl_rt_blob_writer_write(w, "x", 1, NULL), 0);
        kl_rt_blob_writer_free(w);
        cr_assert_eq(kl_rt_blob_writer_open(s, d2, 2, 0, &w, NULL), 0);
        cr_expect_eq(kl_rt_blob_writer_offset(w), 0);
        kl_rt_blob_writer_free(w);
        kl_rt_store_free(s);
}

Test(store, damaged_blob_detected_on_read)
{
        struct kl_rt_store *s = store_new();
        kl_autofree char *d = NULL, *data = NULL;
        size_t len;

        cr_assert_eq(kl_rt_store_put_blob(s, "good", 4, NULL, &d, NULL), 0);
        kl_autofree char *path = kl_rt_store_blob_path(s, d);
        cr_assert_eq(kl_write_file_atomic(path, "evil", 4, 0644, 0), 0);
        cr_expect_eq(kl_rt_store_read_blob(s, d, 100, &data, &len, NULL), -EIO);
        cr_expect_not(exists(path));
        kl_rt_store_free(s);
}

static char *put_manifest(struct kl_rt_store *s, const char *config_text)
{
        kl_autofree char *cd = NULL;
        char *md = NULL;

        cr_assert_eq(kl_rt_store_put_blob(s, config_text, strlen(config_text), NULL, &cd, NULL), 0);
        kl_autofree char *man = kl_asprintf(
                "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\","
                "\"digest\":\"%s\",\"size\":%zu},\"layers\":[]}",
                KL_RT_MT_OCI_MANIFEST, KL_RT_MT_OCI_CONFIG, cd, strlen(config_text));
        cr_assert_eq(kl_rt_store_put_blob(s, man, strlen(man), NULL, &md, NULL), 0);
        return md;
}

Test(store, image_index)
{
        struct kl_rt_store *s = store_new();
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *md = put_manifest(s, "{\"rootfs\":{\"diff_ids\":[]}}");
        struct kl_rt_image img = { .name = (char *)"docker.io/library/a:1", .digest = md };
        struct kl_rt_image got, *list = NULL;
        size_t n = 0;

        cr_assert_eq(kl_rt_store_image_put(s, &img, &e), 0, "%s", kl_err_msg(e));
        img.name = (char *)"docker.io/library/b:1";
        img.flags = KL_RT_IMAGE_PINNED;
        cr_assert_eq(kl_rt_store_image_put(s, &img, NULL), 0);
        cr_assert_eq(kl_rt_store_image_get(s, "docker.io/library/b:1", &got, NULL), 0);
        cr_expect_str_eq(got.digest, md);
        cr_expect_str_eq(got.manifest, md);
        cr_expect_eq(got.flags, KL_RT_IMAGE_PINNED);
        cr_expect_gt(got.last_used, 0);
        kl_rt_image_release(&got);
        cr_assert_eq(kl_rt_store_image_list(s, &list, &n, NULL), 0);
        cr_expect_eq(n, 2);
        kl_rt_images_free(list, n);
        cr_expect_eq(kl_rt_store_image_touch(s, "docker.io/library/a:1", NULL), 0);
        cr_expect_eq(kl_rt_store_image_remove(s, "docker.io/library/a:1", NULL), 0);
        cr_expect_eq(kl_rt_store_image_get(s, "docker.io/library/a:1", &got, NULL), -ENOENT);
        cr_expect_eq(kl_rt_store_image_remove(s, "docker.io/library/a:1", NULL), -ENOENT);
        /* An image whose manifest is not in the store is refused. */
        img.digest =
                (char *)"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        cr_expect_eq(kl_rt_store_image_put(s, &img, NULL), -ENOENT);
        kl_rt_store_free(s);
}

Test(store, gc_keeps_used_and_pinned)
{
        struct kl_rt_store *s = store_new();
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *m1 = put_manifest(s, "{\"rootfs\":{\"diff_ids\":[]},\"n\":1}");
        kl_autofree char *m2 = put_manifest(s, "{\"rootfs\":{\"diff_ids\":[]},\"n\":2}");
        kl_autofree char *m3 = put_manifest(s, "{\"rootfs\":{\"diff_ids\":[]},\"n\":3}");
        kl_autofree char *stray = NULL;
        struct kl_rt_image img = { .name = (char *)"x/old:1", .digest = m1 };
        char *in_use[] = { (char *)"x/used:1", NULL };

        cr_assert_eq(kl_rt_store_put_blob(s, "stray", 5, NULL, &stray, NULL), 0);
        cr_assert_eq(kl_rt_store_image_put(s, &img, NULL), 0);
        img = (struct kl_rt_image){ .name = (char *)"x/used:1", .digest = m2 };
        cr_assert_eq(kl_rt_store_image_put(s, &img, NULL), 0);
        img = (struct kl_rt_image){ .name = (char *)"x/pinned:1",
                                    .digest = m3,
                                    .flags = KL_RT_IMAGE_PINNED };
        cr_assert_eq(kl_rt_store_image_put(s, &img, NULL), 0);

        /* Nothing is older than the epoch. */
        cr_expect_eq(kl_rt_store_gc(s, in_use, 0, &e), 0, "%s", kl_err_msg(e));
        cr_expect_not(kl_rt_store_has_blob(s, stray, -1), "an unreferenced blob survived");
        cr_expect(kl_rt_store_has_blob(s, m1, -1));

        cr_expect_eq(kl_rt_store_gc(s, in_use, INT64_MAX, &e), 1, "%s", kl_err_msg(e));
        cr_expect_not(kl_rt_store_has_blob(s, m1, -1));
        cr_expect(kl_rt_store_has_blob(s, m2, -1));
        cr_expect(kl_rt_store_has_blob(s, m3, -1));
        struct kl_rt_image got;
        cr_expect_eq(kl_rt_store_image_get(s, "x/old:1", &got, NULL), -ENOENT);
        kl_rt_store_free(s);
}
