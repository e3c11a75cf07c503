/* SPDX-License-Identifier: Apache-2.0 */
/* Layers: unpacked once, whiteouts and opaque directories, escapes refused, compressions. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/rt-internal.h"
#include "runtime/rt.h"
#include "testing/testing.h"

#include "rt-test.h"

static struct kl_rt_store *store_new(void)
{
        struct kl_rt_store *s = NULL;

        cr_assert_eq(kl_rt_store_open(kl_test_tmpdir(), &s, NULL), 0);
        return s;
}

static char *snap_file(struct kl_rt_store *s, const char *diff_id, const char *rel)
{
        kl_autofree char *fs = kl_rt_snapshot_path(s, diff_id);

        return kl_asprintf("%s/%s", fs, rel);
}

static int unpack(struct kl_rt_store *s, const struct tar_entry *t, size_t n,
                  enum tar_compression c, char **ret_diff_id, struct kl_err **err)
{
        kl_autofree char *digest = NULL;

        layer_put(s, t, n, c, &digest, ret_diff_id);
        return kl_rt_layer_unpack(s, digest, *ret_diff_id, err);
}

static const struct tar_entry basic[] = {
        { 'd', "./", NULL, 0755 },
        { 'd', "bin", NULL, 0755 },
        { 'f', "bin/tool", "#!/bin/sh\necho hi\n", 0755 },
        { 'l', "bin/sh", "/bin/tool", 0 },
        { 'h', "bin/tool2", "bin/tool", 0 },
        { 'd', "etc", NULL, 0700 },
        { 'f', "etc/passwd", "root:x:0:0::/:/bin/sh\n", 0600 },
        { 'd', "ro", NULL, 0555 },
        { 'f', "ro/file", "x", 0444 },
        { 'f', "owned", "o", 04750, 0, 1234 },
};

static void check_basic(struct kl_rt_store *s, const char *diff_id)
{
        struct stat st, st2;
        kl_autofree char *tool = snap_file(s, diff_id, "bin/tool");
        kl_autofree char *tool2 = snap_file(s, diff_id, "bin/tool2");
        kl_autofree char *sh = snap_file(s, diff_id, "bin/sh");
        kl_autofree char *etc = snap_file(s, diff_id, "etc");
        kl_autofree char *ro = snap_file(s, diff_id, "ro");
        char target[64] = { 0 };

        cr_assert_eq(stat(tool, &st), 0);
        cr_expect_eq(st.st_mode & 07777, 0755);
        cr_expect_eq(st.st_size, 18);
        cr_assert_eq(stat(tool2, &st2), 0);
        cr_expect_eq(st.st_ino, st2.st_ino, "hard link is not a link");
        cr_assert_gt(readlink(sh, target, sizeof(target) - 1), 0);
        cr_expect_str_eq(target, "/bin/tool");
        cr_assert_eq(stat(etc, &st), 0);
        cr_expect_eq(st.st_mode & 07777, 0700);
        cr_assert_eq(stat(ro, &st), 0);
        cr_expect_eq(st.st_mode & 07777, 0555);
        /* Ownership is restored as root of the initial namespace, and setuid bits with it. */
        kl_autofree char *owned = snap_file(s, diff_id, "owned");
        kl_autofree char *uid_map = NULL;
        (void)kl_read_file("/proc/self/uid_map", 4096, &uid_map, NULL);
        cr_assert_eq(stat(owned, &st), 0);
        if (geteuid() == 0 && uid_map && strstr(uid_map, "4294967295")) {
                cr_expect_eq(st.st_uid, 1234);
                cr_expect_eq(st.st_gid, 1234);
                cr_expect_eq(st.st_mode & 07777, 04750);
        } else {
                cr_expect_eq(st.st_uid, geteuid());
        }
}

Test(layer, unpack_once_each_compression)
{
        static const enum tar_compression cs[] = { TAR_NONE, TAR_GZIP, TAR_ZSTD };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cs); i++) {
                struct kl_rt_store *s = store_new();
                kl_autoerr struct kl_err *e = NULL;
                kl_autofree char *diff_id = NULL, *digest = NULL;

                layer_put(s, basic, KL_ARRAY_SIZE(basic), cs[i], &digest, &diff_id);
                cr_assert_eq(kl_rt_layer_unpack(s, digest, diff_id, &e), 1, "%zu: %s", i,
                             kl_err_msg(e));
                check_basic(s, diff_id);
                /* The second time nothing is done. */
                cr_expect_eq(kl_rt_layer_unpack(s, digest, diff_id, &e), 0, "%s", kl_err_msg(e));
                /* The 0555 directory defeats the test helper's cleanup when unprivileged. */
                cr_expect_eq(kl_runtime__rm_rf(kl_rt_store_root(s)), 0);
                kl_rt_store_free(s);
        }
}

Test(layer, wrong_diff_id_refused)
{
        struct kl_rt_store *s = store_new();
        kl_autofree char *diff_id = NULL, *digest = NULL;
        kl_autofree char *wrong = kl_rt_digest_of("no", 2);

        layer_put(s, basic, KL_ARRAY_SIZE(basic), TAR_GZIP, &digest, &diff_id);
        cr_expect_eq(kl_rt_layer_unpack(s, digest, wrong, NULL), -EILSEQ);
        kl_autofree char *fs = kl_rt_snapshot_path(s, wrong);
        cr_expect_neq(access(fs, F_OK), 0);
        kl_rt_store_free(s);
}

Test(layer, whiteouts_and_opaque)
{
        static const struct tar_entry t[] = {
                { 'd', "etc", NULL, 0755 },         { 'f', "etc/.wh.passwd", "", 0 },
                { 'f', "gone/deep/.wh.x", "", 0 },  { 'd', "var", NULL, 0755 },
                { 'f', "var/.wh..wh..opq", "", 0 }, { 'f', "var/new", "n", 0 },
                { 'f', ".wh..wh.plnk", "", 0 },
        };
        struct kl_rt_store *s = store_new();
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *diff_id = NULL;
        struct stat st;

        cr_assert_eq(unpack(s, t, KL_ARRAY_SIZE(t), TAR_GZIP, &diff_id, &e), 1, "%s",
                     kl_err_msg(e));
        kl_autofree char *wh = snap_file(s, diff_id, "etc/passwd");
        kl_autofree char *wh2 = snap_file(s, diff_id, "gone/deep/x");
        kl_autofree char *marker = snap_file(s, diff_id, "etc/.wh.passwd");
        kl_autofree char *var = snap_file(s, diff_id, "var");
        kl_autofree char *fs = kl_rt_snapshot_path(s, diff_id);
        kl_autofree char *list = kl_asprintf("%s/../whiteouts", fs);
        kl_autofree char *listed = NULL;

        cr_expect_neq(lstat(marker, &st), 0, "the .wh. file itself must not appear");
        (void)kl_read_file(list, 1 << 20, &listed, NULL);
        if (lstat(wh, &st) == 0) {
                /* overlayfs' own representation. */
                cr_expect(S_ISCHR(st.st_mode));
                cr_expect_eq(st.st_rdev, makedev(0, 0));
                cr_assert_eq(lstat(wh2, &st), 0);
                cr_expect(S_ISCHR(st.st_mode));
        } else {
                cr_assert_not_null(listed, "no whiteout marker and no list");
                cr_expect(strstr(listed, "whiteout etc/passwd\n"));
                cr_expect(strstr(listed, "whiteout gone/deep/x\n"));
        }
        char v[4] = { 0 };
        const char *attr = geteuid() == 0 ? "trusted.overlay.opaque" : "user.overlay.opaque";
        if (getxattr(var, attr, v, sizeof(v)) == 1)
                cr_expect_eq(v[0], 'y');
        else
                cr_expect(listed && strstr(listed, "opaque var\n"), "opaque dir not recorded");
        kl_autofree char *nw = snap_file(s, diff_id, "var/new");
        cr_expect_eq(access(nw, F_OK), 0);
        kl_autofree char *plnk = snap_file(s, diff_id, ".wh..wh.plnk");
        cr_expect_neq(lstat(plnk, &st), 0);
        kl_rt_store_free(s);
}

static void expect_refused(const struct tar_entry *t, size_t n, const char *outside_rel)
{
        struct kl_rt_store *s = store_new();
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *diff_id = NULL;
        int r = unpack(s, t, n, TAR_NONE, &diff_id, &e);

        cr_expect_eq(r, -EPERM, "%s: got %d: %s", t[n - 1].name, r, kl_err_msg(e));
        kl_autofree char *fs = kl_rt_snapshot_path(s, diff_id);
        cr_expect_neq(access(fs, F_OK), 0, "a refused layer left a snapshot");
        if (outside_rel) {
                kl_autofree char *p = kl_asprintf("%s/%s", kl_rt_store_root(s), outside_rel);
                cr_expect_neq(access(p, F_OK), 0, "'%s' was written outside the root", p);
        }
        kl_rt_store_free(s);
}

Test(layer, escapes_refused)
{
        static const struct tar_entry dotdot[] = { { 'f', "../../escaped", "x", 0 } };
        static const struct tar_entry dotdot_mid[] = { { 'd', "a", NULL, 0 },
                                                       { 'f', "a/../../../escaped", "x", 0 } };
        static const struct tar_entry absolute[] = { { 'f', "/escaped", "x", 0 } };
        static const struct tar_entry through_symlink[] = {
                { 'l', "up", "../../..", 0 },
                { 'f', "up/escaped", "x", 0 },
        };
        static const struct tar_entry through_abs_symlink[] = {
                { 'l', "etc", "/tmp", 0 },
                { 'f', "etc/kl-escaped", "x", 0 },
        };
        static const struct tar_entry hardlink_out[] = {
                { 'h', "link", "../../../etc/passwd", 0 },
        };
        static const struct tar_entry hardlink_through_symlink[] = {
                { 'l', "up", "/", 0 },
                { 'h', "link", "up/etc/passwd", 0 },
        };
        static const struct tar_entry whiteout_through_symlink[] = {
                { 'l', "up", "../..", 0 },
                { 'f', "up/.wh.blobs", "", 0 },
        };

        expect_refused(dotdot, KL_ARRAY_SIZE(dotdot), "escaped");
        expect_refused(dotdot_mid, KL_ARRAY_SIZE(dotdot_mid), "escaped");
        expect_refused(absolute, KL_ARRAY_SIZE(absolute), NULL);
        expect_refused(through_symlink, KL_ARRAY_SIZE(through_symlink), "escaped");
        expect_refused(through_abs_symlink, KL_ARRAY_SIZE(through_abs_symlink), NULL);
        cr_expect_neq(access("/tmp/kl-escaped", F_OK), 0);
        expect_refused(hardlink_out, KL_ARRAY_SIZE(hardlink_out), NULL);
        expect_refused(hardlink_through_symlink, KL_ARRAY_SIZE(hardlink_through_symlink), NULL);
        expect_refused(whiteout_through_symlink, KL_ARRAY_SIZE(whiteout_through_symlink), NULL);
}

Test(layer, devices_skipped_when_unprivileged)
{
        static const struct tar_entry t[] = { { 'd', "dev", NULL, 0 },
                                              { 'c', "dev/null", NULL, 0 } };
        struct kl_rt_store *s = store_new();
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *diff_id = NULL;
        struct stat st;

        cr_assert_eq(unpack(s, t, KL_ARRAY_SIZE(t), TAR_NONE, &diff_id, &e), 1, "%s",
                     kl_err_msg(e));
        kl_autofree char *p = snap_file(s, diff_id, "dev/null");
        kl_autofree char *uid_map = NULL;
        (void)kl_read_file("/proc/self/uid_map", 4096, &uid_map, NULL);
        /* Root of the initial user namespace maps every uid; unshare -r maps one. */
        bool can_mknod = geteuid() == 0 && uid_map && strstr(uid_map, "4294967295");
        if (can_mknod) {
                cr_assert_eq(lstat(p, &st), 0);
                cr_expect(S_ISCHR(st.st_mode));
        } else {
                cr_expect_neq(lstat(p, &st), 0);
        }
        kl_rt_store_free(s);
}
