/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod's volumes on disk against upstream's volume plugins: emptyDir
 * (a directory, or a tmpfs sized as calculateEmptyDirMemorySize), the
 * atomic writer of configMap, secret, downwardAPI and projected volumes
 * (..data swap, items, modes, optional, upstream's error texts, nothing
 * rewritten when nothing changed), hostPath type checks, persistentVolumeClaim
 * and ephemeral volumes through the claim's bound volume (a local-path
 * directory made 0777, upstream's errors for claims that cannot be used),
 * and the teardown
 * (no mount and no file left, nothing outside the pod's directory
 * touched). Needs root (tmpfs mounts); each test works in its own mkdtemp
 * directory and tears its mounts down.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/pod-internal.h"
#include "testing/testing.h"
#include "json/json.h"

#define MI ((int64_t)1 << 20)

static char *tmp;     /* the test's mkdtemp directory */
static char *pod_dir; /* tmp/pod */

static void teardown(void);

static void need_root(void)
{
        if (geteuid() != 0) {
                teardown(); /* a skipped test does not reach .fini */
                cr_skip_test("needs root (tmpfs mounts, hostPath devices)");
        }
}

static void setup(void)
{
        const char *base = getenv("TMPDIR");

        tmp = kl_asprintf("%s/kl-volumes-XXXXXX", base && *base ? base : "/tmp");
        cr_assert(mkdtemp(tmp), "mkdtemp: %s", strerror(errno));
        pod_dir = kl_asprintf("%s/pod", tmp);
}

static size_t mounts_under(const char *dir);

static void teardown(void)
{
        struct kl_err *e = NULL;

        if (!tmp)
                return;
        if (kl_agent__volumes_teardown(pod_dir, &e) < 0)
                cr_log_error("teardown: %s", kl_err_msg(e));
        kl_err_free(e);
        if (mounts_under(tmp) == 0) {
                e = NULL;
                (void)kl_agent__volumes_teardown(tmp, &e);
                kl_err_free(e);
        }
        free(pod_dir);
        free(tmp);
        tmp = pod_dir = NULL;
}

TestSuite(volumes, .init = setup, .fini = teardown);

static json_t *J(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text, 0, &e);

        cr_assert(v, "bad test JSON: %s: %s", e.text, text);
        return v;
}

/* A pod with `volumes` (a JSON array) and one container. */
static json_t *pod_with(const char *volumes)
{
        json_t *pod = J("{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\","
                        "\"uid\":\"1234\",\"labels\":{\"app\":\"web\",\"tier\":\"front\"},"
                        "\"annotations\":{\"a\":\"1\"}},"
                        "\"spec\":{\"nodeName\":\"n1\",\"containers\":[{\"name\":\"c\","
                        "\"image\":\"busybox\",\"resources\":{\"limits\":{\"memory\":\"64Mi\","
                        "\"cpu\":\"500m\"}}}]}}");

        json_object_set_new(json_object_get(pod, "spec"), "volumes", J(volumes));
        return pod;
}

struct fixture {
        json_t *pod;
        struct kl_agent__pod_refs refs;
        struct kl_agent__node_facts node;
        struct kl_agent__volumes vols;
};

static void fixture_init(struct fixture *f, const char *volumes)
{
        *f = (struct fixture){ .pod = pod_with(volumes) };
        f->refs.configmaps = json_object();
        f->refs.secrets = json_object();
        f->node.node_name = "n1";
        f->node.alloc_memory = 512 * MI;
        f->node.alloc_cpu_milli = 2000;
}

static void fixture_release(struct fixture *f)
{
        json_decref(f->pod);
        json_decref(f->refs.configmaps);
        json_decref(f->refs.secrets);
        json_decref(f->refs.pvcs);
        json_decref(f->refs.pvs);
        kl_agent__volumes_release(&f->vols);
}

static void add_configmap(struct fixture *f, const char *name, const char *body)
{
        json_object_set_new(f->refs.configmaps, name, J(body));
}

static void add_secret(struct fixture *f, const char *name, const char *body)
{
        json_object_set_new(f->refs.secrets, name, J(body));
}

/* Set up; on failure *ret_msg (owned) gets the message. */
static int run_setup(struct fixture *f, char **ret_msg)
{
        struct kl_err *e = NULL;
        int r;

        kl_agent__volumes_release(&f->vols);
        r = kl_agent__volumes_setup(f->pod, &f->refs, &f->node, pod_dir, &f->vols, &e);
        if (ret_msg)
                *ret_msg = r < 0 ? kl_strdup(kl_err_msg(e)) : NULL;
        if (r < 0 && !ret_msg)
                cr_log_error("setup: %s", kl_err_msg(e));
        cr_assert(r >= 0 || e, "an error without a message");
        if (e)
                cr_assert_eq(-e->code, r);
        kl_err_free(e);
        return r;
}

static void setup_ok(struct fixture *f)
{
        kl_autofree char *msg = NULL;
        int r = run_setup(f, &msg);

        cr_assert_eq(r, 0, "setup: %s", msg ? msg : "");
}

static void setup_fails(struct fixture *f, int code, const char *want)
{
        kl_autofree char *msg = NULL;
        int r = run_setup(f, &msg);

        cr_assert_eq(r, code, "setup returned %d (%s), want %d", r, msg ? msg : "", code);
        cr_assert_str_eq(msg, want);
}

static const char *vol_path(const struct fixture *f, const char *name)
{
        const struct kl_agent__volume *v = kl_agent__volumes_find(&f->vols, name);

        cr_assert(v, "no volume '%s'", name);
        return v->path;
}

static char *path_in(const char *dir, const char *name)
{
        return kl_asprintf("%s/%s", dir, name);
}

static char *read_in(const char *dir, const char *name)
{
        kl_autofree char *p = path_in(dir, name);
        char *text = NULL;
        int r = kl_read_file(p, 1 << 20, &text, NULL);

        cr_assert_eq(r, 0, "read '%s': %s", p, strerror(-r));
        return text;
}

static mode_t mode_of(const char *dir, const char *name, bool follow)
{
        kl_autofree char *p = path_in(dir, name);
        struct stat st;

        cr_assert_eq(follow ? stat(p, &st) : lstat(p, &st), 0, "stat '%s': %s", p, strerror(errno));
        return st.st_mode;
}

static bool exists_in(const char *dir, const char *name)
{
        kl_autofree char *p = path_in(dir, name);
        struct stat st;

        return lstat(p, &st) == 0;
}

static char *link_of(const char *dir, const char *name)
{
        kl_autofree char *p = path_in(dir, name);
        char buf[4096];
        ssize_t n = readlink(p, buf, sizeof(buf) - 1);

        cr_assert(n >= 0, "readlink '%s': %s", p, strerror(errno));
        buf[n] = '\0';
        return kl_strdup(buf);
}

/* The entries of `dir` but "." and "..", sorted, one string "a b c". */
static char *list_dir(const char *dir)
{
        struct dirent **ents = NULL;
        struct kl_buf b = KL_BUF_INIT;
        int n = scandir(dir, &ents, NULL, alphasort);

        cr_assert(n >= 0, "scandir '%s': %s", dir, strerror(errno));
        for (int i = 0; i < n; i++) {
                if (!kl_streq(ents[i]->d_name, ".") && !kl_streq(ents[i]->d_name, ".."))
                        (void)kl_buf_printf(&b, "%s%s", b.len ? " " : "", ents[i]->d_name);
                free(ents[i]);
        }
        free(ents);
        return kl_buf_detach(&b, NULL);
}

/* Mount points at or below `dir`, from /proc/self/mountinfo. */
static size_t mounts_under(const char *dir)
{
        kl_autofree char *text = NULL;
        size_t n = 0, len = strlen(dir);
        char *save = NULL;

        cr_assert_eq(kl_read_file("/proc/self/mountinfo", 16 << 20, &text, NULL), 0);
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *fsave = NULL;
                char *mp = NULL;

                strtok_r(line, " ", &fsave);
                for (int i = 0; i < 4; i++)
                        mp = strtok_r(NULL, " ", &fsave);
                if (mp && strncmp(mp, dir, len) == 0 && (mp[len] == '/' || mp[len] == '\0'))
                        n++;
        }
        return n;
}

static bool is_tmpfs(const char *path)
{
        struct statfs s;

        cr_assert_eq(statfs(path, &s), 0, "statfs '%s': %s", path, strerror(errno));
        return s.f_type == TMPFS_MAGIC;
}

static int64_t tmpfs_size(const char *path)
{
        struct statfs s;

        cr_assert_eq(statfs(path, &s), 0);
        return (int64_t)s.f_blocks * (int64_t)s.f_bsize;
}

/* ------------------------------------------------------------------------- */
/* emptyDir */

Test(volumes, empty_dir_is_a_world_writable_directory)
{
        struct fixture f;
        kl_autofree char *want = NULL;
        const struct kl_agent__volume *v;

        need_root();
        fixture_init(&f, "[{\"name\":\"cache\",\"emptyDir\":{}},{\"name\":\"bare\"}]");
        setup_ok(&f);
        want = kl_asprintf("%s/volumes/kubernetes.io~empty-dir/cache", pod_dir);
        v = kl_agent__volumes_find(&f.vols, "cache");
        cr_assert(v);
        cr_assert_str_eq(v->path, want);
        cr_assert_not(v->readonly);
        cr_assert(S_ISDIR(mode_of(v->path, ".", false)));
        cr_assert_eq(mode_of(v->path, ".", false) & 07777, 0777);
        cr_assert_not(is_tmpfs(v->path));
        /* A volume without a source is an emptyDir, as upstream's defaulting makes it. */
        cr_assert(kl_endswith(vol_path(&f, "bare"), "/kubernetes.io~empty-dir/bare"));
        cr_assert_eq(f.vols.n, 2);
        cr_assert_null(kl_agent__volumes_find(&f.vols, "nope"));

        /* Set up again (every sync does): what a container wrote stays. */
        free(kl_test_write_file(v->path, "data", "kept"));
        setup_ok(&f);
        {
                kl_autofree char *t = read_in(vol_path(&f, "cache"), "data");

                cr_assert_str_eq(t, "kept");
        }
        fixture_release(&f);
}

static const struct {
        const char *name;
        const char *size_limit; /* NULL: none */
        const char *pod_limit;  /* the container's memory limit; NULL: none */
        int64_t alloc;          /* node allocatable memory */
        int64_t want;           /* 0: no size option (the kernel's half of RAM) */
} memory_sizes[] = {
        { "the sizeLimit when it is the smallest", "1Mi", "64Mi", 512 * MI, 1 * MI },
        { "the pod's limit below the sizeLimit", "128Mi", "3Mi", 512 * MI, 3 * MI },
        { "the node's allocatable without limits", NULL, NULL, 5 * MI, 5 * MI },
        { "the pod's limit without a sizeLimit", NULL, "2Mi", 512 * MI, 2 * MI },
        { "a sizeLimit above allocatable is ignored", "8Mi", NULL, 6 * MI, 6 * MI },
        { "nothing known: no size option", NULL, NULL, 0, 0 },
};

Test(volumes, empty_dir_memory_is_a_tmpfs_sized_as_upstream)
{
        need_root();
        for (size_t i = 0; i < KL_ARRAY_SIZE(memory_sizes); i++) {
                struct fixture f;
                kl_autofree char *vols = NULL;
                const char *dir;

                vols = memory_sizes[i].size_limit
                               ? kl_asprintf("[{\"name\":\"mem\",\"emptyDir\":{\"medium\":"
                                             "\"Memory\",\"sizeLimit\":\"%s\"}}]",
                                             memory_sizes[i].size_limit)
                               : kl_strdup("[{\"name\":\"mem\",\"emptyDir\":{\"medium\":"
                                           "\"Memory\"}}]");
                fixture_init(&f, vols);
                f.node.alloc_memory = memory_sizes[i].alloc;
                {
                        json_t *res = json_object_get(
                                json_array_get(json_object_get(json_object_get(f.pod, "spec"),
                                                               "containers"),
                                               0),
                                "resources");

                        if (memory_sizes[i].pod_limit)
                                json_object_set_new(json_object_get(res, "limits"), "memory",
                                                    json_string(memory_sizes[i].pod_limit));
                        else
                                json_object_del(json_object_get(res, "limits"), "memory");
                }
                setup_ok(&f);
                dir = vol_path(&f, "mem");
                cr_assert(is_tmpfs(dir), "%s: not a tmpfs", memory_sizes[i].name);
                cr_assert_eq(mounts_under(dir), 1);
                if (memory_sizes[i].want)
                        cr_assert_eq(tmpfs_size(dir), memory_sizes[i].want, "%s: size %lld",
                                     memory_sizes[i].name, (long long)tmpfs_size(dir));
                else
                        cr_assert_gt(tmpfs_size(dir), 0);
                cr_assert_not(kl_agent__volumes_find(&f.vols, "mem")->readonly);

                /* Idempotent: a second sync mounts nothing more. */
                setup_ok(&f);
                cr_assert_eq(mounts_under(vol_path(&f, "mem")), 1, "%s: mounted twice",
                             memory_sizes[i].name);
                fixture_release(&f);
                teardown();
                setup();
        }
}

Test(volumes, empty_dir_unknown_medium)
{
        struct fixture f;

        need_root();
        fixture_init(&f, "[{\"name\":\"x\",\"emptyDir\":{\"medium\":\"Tape\"}}]");
        setup_fails(&f, -EINVAL,
                    "MountVolume.SetUp failed for volume \"x\" : unknown storage medium \"Tape\"");
        fixture_release(&f);
}

/* ------------------------------------------------------------------------- */
/* configMap */

/* The ..data target, checked to be one of the writer's timestamped directories. */
static char *data_target(const char *dir)
{
        char *t = link_of(dir, "..data");

        cr_assert(strlen(t) == strlen("..2026_11_27_19_45_00.123456789"), "..data -> '%s'", t);
        cr_assert(kl_startswith(t, "..") && t[6] == '_' && t[21] == '.', "..data -> '%s'", t);
        return t;
}

Test(volumes, configmap_every_key_with_the_default_mode)
{
        struct fixture f;
        kl_autofree char *target = NULL, *listing = NULL, *want = NULL;
        const char *dir;

        need_root();
        fixture_init(&f, "[{\"name\":\"cfg\",\"configMap\":{\"name\":\"app\"}}]");
        /* binaryData "AAEC/w==" is 00 01 02 ff. */
        add_configmap(&f, "app",
                      "{\"data\":{\"b.conf\":\"bee\\n\",\"a.conf\":\"ay\"},"
                      "\"binaryData\":{\"bin\":\"AAEC/w==\"}}");
        setup_ok(&f);
        dir = vol_path(&f, "cfg");
        cr_assert(kl_endswith(dir, "/volumes/kubernetes.io~configmap/cfg"));
        cr_assert(kl_agent__volumes_find(&f.vols, "cfg")->readonly);
        cr_assert_not(is_tmpfs(dir), "configMap volumes are on disk");
        target = data_target(dir);
        want = kl_asprintf("%s ..data a.conf b.conf bin", target);
        listing = list_dir(dir);
        cr_assert_str_eq(listing, want);
        {
                kl_autofree char *a = read_in(dir, "a.conf"), *b = read_in(dir, "b.conf");
                kl_autofree char *l = link_of(dir, "a.conf");
                kl_autofree char *p = path_in(dir, "bin");
                kl_autofree char *bin = NULL;
                size_t len = 0;

                cr_assert_str_eq(a, "ay");
                cr_assert_str_eq(b, "bee\n");
                cr_assert_str_eq(l, "..data/a.conf");
                cr_assert(S_ISLNK(mode_of(dir, "a.conf", false)));
                cr_assert_eq(mode_of(dir, "a.conf", true) & 07777, 0644);
                cr_assert_eq(kl_read_file(p, 64, &bin, &len), 0);
                cr_assert_eq(len, 4);
                cr_assert(memcmp(bin, "\x00\x01\x02\xff", 4) == 0);
        }
        cr_assert_eq(mode_of(dir, target, false) & 07777, 0755);
        fixture_release(&f);
}

Test(volumes, configmap_items_paths_and_modes)
{
        struct fixture f;
        kl_autofree char *listing = NULL, *target = NULL, *want = NULL;
        const char *dir;

        need_root();
        fixture_init(&f, "[{\"name\":\"cfg\",\"configMap\":{\"name\":\"app\",\"defaultMode\":416,"
                         "\"items\":[{\"key\":\"a\",\"path\":\"sub/dir/file\",\"mode\":384},"
                         "{\"key\":\"b\",\"path\":\"./b.txt\"},"
                         "{\"key\":\"c\",\"path\":\"b.txt\",\"mode\":420},"
                         "{\"key\":\"a\",\"path\":\"plain\"}]}}]");
        add_configmap(&f, "app", "{\"data\":{\"a\":\"A\",\"b\":\"B\",\"c\":\"C\"}}");
        setup_ok(&f);
        dir = vol_path(&f, "cfg");
        target = data_target(dir);
        want = kl_asprintf("%s ..data b.txt plain sub", target);
        listing = list_dir(dir);
        cr_assert_str_eq(listing, want, "listing '%s'", listing);
        {
                kl_autofree char *file = read_in(dir, "sub/dir/file");
                kl_autofree char *later = read_in(dir, "b.txt");
                kl_autofree char *l = link_of(dir, "sub");

                cr_assert_str_eq(file, "A");
                cr_assert_str_eq(l, "..data/sub");
                cr_assert_eq(mode_of(dir, "sub/dir/file", true) & 07777, 0600); /* 384 */
                /* Two items at one path: the later wins, as upstream's payload map. */
                cr_assert_str_eq(later, "C");
                cr_assert_eq(mode_of(dir, "b.txt", true) & 07777, 0644); /* 420 */
                cr_assert_eq(mode_of(dir, "plain", true) & 07777, 0640); /* defaultMode 416 */
                cr_assert_eq(mode_of(dir, "sub/dir", true) & 07777, 0755);
        }
        fixture_release(&f);
}

static const struct {
        const char *name;
        const char *volume;
        bool exists; /* the ConfigMap "app" {a} exists */
        int code;    /* 0: success */
        const char *msg;
        const char *listing; /* visible names on success */
} configmap_errors[] = {
        { "missing object", "{\"name\":\"nope\"}", true, -ENOENT,
          "MountVolume.SetUp failed for volume \"cfg\" : configmap \"nope\" not found", NULL },
        { "missing optional object", "{\"name\":\"nope\",\"optional\":true}", true, 0, NULL, "" },
        { "missing optional object with items",
          "{\"name\":\"nope\",\"optional\":true,\"items\":[{\"key\":\"a\",\"path\":\"a\"}]}", false,
          0, NULL, "" },
        { "missing key",
          "{\"name\":\"app\",\"items\":[{\"key\":\"a\",\"path\":\"a\"},{\"key\":\"k\","
          "\"path\":\"k\"}]}",
          true, -ENOENT,
          "MountVolume.SetUp failed for volume \"cfg\" : configmap references non-existent "
          "config key: k",
          NULL },
        { "missing optional key",
          "{\"name\":\"app\",\"optional\":true,\"items\":[{\"key\":\"a\",\"path\":\"a\"},"
          "{\"key\":\"k\",\"path\":\"k\"}]}",
          true, 0, NULL, "a" },
        { "a path with ..",
          "{\"name\":\"app\",\"items\":[{\"key\":\"a\",\"path\":\"x/../../etc\"}]}", true, -EINVAL,
          "MountVolume.SetUp failed for volume \"cfg\" : invalid path: must not contain '..': "
          "x/../../etc",
          NULL },
        { "an absolute path", "{\"name\":\"app\",\"items\":[{\"key\":\"a\",\"path\":\"/etc/x\"}]}",
          true, -EINVAL,
          "MountVolume.SetUp failed for volume \"cfg\" : invalid path: must be relative path: "
          "/etc/x",
          NULL },
        { "a reserved name", "{\"name\":\"app\",\"items\":[{\"key\":\"a\",\"path\":\"..data\"}]}",
          true, -EINVAL,
          "MountVolume.SetUp failed for volume \"cfg\" : invalid path: must not start with '..': "
          "..data",
          NULL },
        { "a reserved name after cleaning",
          "{\"name\":\"app\",\"items\":[{\"key\":\"a\",\"path\":\"./..data/x\"}]}", true, -EINVAL,
          "MountVolume.SetUp failed for volume \"cfg\" : invalid path: ./..data/x", NULL },
        { "an empty path", "{\"name\":\"app\",\"items\":[{\"key\":\"a\",\"path\":\"\"}]}", true,
          -EINVAL,
          "MountVolume.SetUp failed for volume \"cfg\" : invalid path: must not be empty: \"\"",
          NULL },
        { "a file that is also a directory",
          "{\"name\":\"app\",\"items\":[{\"key\":\"a\",\"path\":\"x\"},{\"key\":\"a\","
          "\"path\":\"x/y\"}]}",
          true, -EINVAL,
          "MountVolume.SetUp failed for volume \"cfg\" : invalid payload: path x is both a file "
          "and a directory",
          NULL },
        { "a mode above 0777",
          "{\"name\":\"app\",\"items\":[{\"key\":\"a\",\"path\":\"a\",\"mode\":4095}]}", true,
          -EINVAL,
          "MountVolume.SetUp failed for volume \"cfg\" : invalid mode: must be a number between "
          "0 and 0777 (octal), both inclusive",
          NULL },
};

Test(volumes, configmap_optional_and_upstream_errors)
{
        need_root();
        for (size_t i = 0; i < KL_ARRAY_SIZE(configmap_errors); i++) {
                struct fixture f;
                kl_autofree char *vols = kl_asprintf("[{\"name\":\"cfg\",\"configMap\":%s}]",
                                                     configmap_errors[i].volume);

                fixture_init(&f, vols);
                if (configmap_errors[i].exists)
                        add_configmap(&f, "app", "{\"data\":{\"a\":\"A\"}}");
                if (configmap_errors[i].code) {
                        setup_fails(&f, configmap_errors[i].code, configmap_errors[i].msg);
                } else {
                        kl_autofree char *listing = NULL, *target = NULL, *want = NULL;

                        setup_ok(&f);
                        target = data_target(vol_path(&f, "cfg"));
                        want = *configmap_errors[i].listing
                                       ? kl_asprintf("%s ..data %s", target,
                                                     configmap_errors[i].listing)
                                       : kl_asprintf("%s ..data", target);
                        listing = list_dir(vol_path(&f, "cfg"));
                        cr_assert_str_eq(listing, want, "%s", configmap_errors[i].name);
                }
                fixture_release(&f);
        }
}

/*
 * An update is a new data directory swapped in whole: the names resolve to
 * the new set, removed keys vanish with the swap, the old directory goes.
 * A sync that changes nothing writes nothing.
 */
Test(volumes, configmap_update_swaps_data_atomically)
{
        struct fixture f;
        kl_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL, *l1 = NULL, *l2 = NULL;
        const char *dir;
        struct stat st1, st2;

        need_root();
        fixture_init(&f, "[{\"name\":\"cfg\",\"configMap\":{\"name\":\"app\"}}]");
        add_configmap(&f, "app", "{\"data\":{\"a\":\"1\",\"b\":\"2\"}}");
        setup_ok(&f);
        dir = vol_path(&f, "cfg");
        t1 = data_target(dir);
        l1 = list_dir(dir);
        {
                kl_autofree char *p = path_in(dir, "a");

                cr_assert_eq(stat(p, &st1), 0);
        }

        /* Nothing changed: no new directory, the same file. */
        setup_ok(&f);
        t2 = data_target(vol_path(&f, "cfg"));
        cr_assert_str_eq(t2, t1);
        l2 = list_dir(vol_path(&f, "cfg"));
        cr_assert_str_eq(l2, l1);
        {
                kl_autofree char *p = path_in(vol_path(&f, "cfg"), "a");

                cr_assert_eq(stat(p, &st2), 0);
                cr_assert_eq(st2.st_ino, st1.st_ino, "an unchanged file was rewritten");
        }

        json_object_set_new(f.refs.configmaps, "app", J("{\"data\":{\"a\":\"3\",\"c\":\"4\"}}"));
        setup_ok(&f);
        dir = vol_path(&f, "cfg");
        t3 = data_target(dir);
        cr_assert_str_neq(t3, t1);
        {
                kl_autofree char *a = read_in(dir, "a"), *c = read_in(dir, "c");
                kl_autofree char *listing = list_dir(dir);
                kl_autofree char *want = kl_asprintf("%s ..data a c", t3);

                cr_assert_str_eq(a, "3");
                cr_assert_str_eq(c, "4");
                cr_assert_str_eq(listing, want, "old key or old directory left: '%s'", listing);
                cr_assert_not(exists_in(dir, "b"));
                cr_assert_not(exists_in(dir, t1));
        }
        fixture_release(&f);
}

/* Read `name` relative to `dirfd` into `buf`; -1 when it cannot be read. */
static ssize_t read_at(int dirfd, const char *name, char *buf, size_t size)
{
        int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -1;
        n = read(fd, buf, size - 1);
        (void)close(fd);
        if (n >= 0)
                buf[n] = '\0';
        return n;
}

/*
 * A reader running while the set changes never sees a mix: every version
 * has a == b, and whatever data set the reader opened holds a matching
 * pair (or is already gone as a whole).
 */
Test(volumes, configmap_readers_never_see_a_mixed_set)
{
        struct fixture f;
        kl_autofree char *data = NULL;
        int pfd[2];
        pid_t pid;
        int status = 0;

        need_root();
        fixture_init(&f, "[{\"name\":\"cfg\",\"configMap\":{\"name\":\"app\"}}]");
        add_configmap(&f, "app", "{\"data\":{\"a\":\"0\",\"b\":\"0\"}}");
        setup_ok(&f);
        data = path_in(vol_path(&f, "cfg"), "..data");
        cr_assert_eq(pipe2(pfd, O_CLOEXEC | O_NONBLOCK), 0);
        pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
                unsigned long checked = 0;

                (void)close(pfd[1]);
                for (;;) {
                        char c, a[32], b[32];
                        int d;

                        if (read(pfd[0], &c, 1) == 0)
                                _exit(checked > 0 ? 0 : 3);
                        d = open(data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (d < 0)
                                continue;
                        if (read_at(d, "a", a, sizeof(a)) >= 0 &&
                            read_at(d, "b", b, sizeof(b)) >= 0) {
                                if (strcmp(a, b) != 0)
                                        _exit(1);
                                checked++;
                        }
                        (void)close(d);
                }
        }
        (void)close(pfd[0]);
        for (int i = 1; i <= 60; i++) {
                kl_autofree char *cm = kl_asprintf("{\"data\":{\"a\":\"%d\",\"b\":\"%d\"}}", i, i);

                json_object_set_new(f.refs.configmaps, "app", J(cm));
                setup_ok(&f);
        }
        (void)close(pfd[1]);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the reader saw a mixed set (status %d)", status);
        {
                kl_autofree char *a = read_in(vol_path(&f, "cfg"), "a");

                cr_assert_str_eq(a, "60");
        }
        fixture_release(&f);
}

Test(volumes, stale_writer_leftovers_are_removed)
{
        struct fixture f;
        kl_autofree char *listing = NULL, *want = NULL, *target = NULL;
        const char *dir;

        need_root();
        fixture_init(&f, "[{\"name\":\"cfg\",\"configMap\":{\"name\":\"app\"}}]");
        add_configmap(&f, "app", "{\"data\":{\"a\":\"1\"}}");
        setup_ok(&f);
        dir = vol_path(&f, "cfg");
        /* What a crash between the steps leaves: an old directory, the temp link, a stale link. */
        {
                kl_autofree char *old = path_in(dir, "..2000_01_01_00_00_00.000000001");
                kl_autofree char *tmpl = path_in(dir, "..data_tmp");
                kl_autofree char *stale = path_in(dir, "gone");

                cr_assert_eq(mkdir(old, 0755), 0);
                free(kl_test_write_file(old, "x", "old"));
                cr_assert_eq(symlink("..2000_01_01_00_00_00.000000001", tmpl), 0);
                cr_assert_eq(symlink("..data/gone", stale), 0);
        }
        setup_ok(&f);
        dir = vol_path(&f, "cfg");
        target = data_target(dir);
        want = kl_asprintf("%s ..data a", target);
        listing = list_dir(dir);
        cr_assert_str_eq(listing, want);
        fixture_release(&f);
}

/* ------------------------------------------------------------------------- */
/* secret */

Test(volumes, secret_on_tmpfs_decoded_with_items)
{
        struct fixture f;
        const char *dir;

        need_root();
        /* "cGFzcw==" is "pass", "dXNlcg==" is "user". */
        fixture_init(&f,
                     "[{\"name\":\"s\",\"secret\":{\"secretName\":\"creds\",\"defaultMode\":256,"
                     "\"items\":[{\"key\":\"password\",\"path\":\"pw\"}]}},"
                     "{\"name\":\"all\",\"secret\":{\"secretName\":\"creds\"}}]");
        add_secret(&f, "creds",
                   "{\"type\":\"Opaque\",\"data\":{\"password\":\"cGFzcw==\","
                   "\"username\":\"dXNlcg==\"}}");
        setup_ok(&f);
        dir = vol_path(&f, "s");
        cr_assert(kl_endswith(dir, "/volumes/kubernetes.io~secret/s"));
        cr_assert(is_tmpfs(dir), "secret volumes are on a tmpfs");
        cr_assert_eq(mounts_under(dir), 1);
        cr_assert(kl_agent__volumes_find(&f.vols, "s")->readonly);
        {
                kl_autofree char *pw = read_in(dir, "pw");
                kl_autofree char *user = read_in(vol_path(&f, "all"), "username");

                cr_assert_str_eq(pw, "pass");
                cr_assert_str_eq(user, "user");
                cr_assert_not(exists_in(dir, "username"));
                cr_assert_eq(mode_of(dir, "pw", true) & 07777, 0400); /* 256 */
                cr_assert_eq(mode_of(vol_path(&f, "all"), "password", true) & 07777, 0644);
        }
        /* The pod's memory limit (64Mi) bounds the tmpfs, as upstream's wrapped emptyDir. */
        cr_assert_eq(tmpfs_size(dir), 64 * MI);

        setup_ok(&f);
        cr_assert_eq(mounts_under(vol_path(&f, "s")), 1, "mounted again");
        fixture_release(&f);
}

Test(volumes, secret_errors)
{
        struct fixture f;

        need_root();
        fixture_init(&f, "[{\"name\":\"s\",\"secret\":{\"secretName\":\"creds\"}}]");
        setup_fails(&f, -ENOENT,
                    "MountVolume.SetUp failed for volume \"s\" : secret \"creds\" not found");
        fixture_release(&f);

        fixture_init(&f, "[{\"name\":\"s\",\"secret\":{\"secretName\":\"creds\","
                         "\"items\":[{\"key\":\"k\",\"path\":\"k\"}]}}]");
        add_secret(&f, "creds", "{\"data\":{\"a\":\"YQ==\"}}");
        setup_fails(&f, -ENOENT,
                    "MountVolume.SetUp failed for volume \"s\" : references non-existent secret "
                    "key: k");
        fixture_release(&f);

        fixture_init(&f,
                     "[{\"name\":\"s\",\"secret\":{\"secretName\":\"creds\",\"optional\":true}}]");
        setup_ok(&f);
        {
                kl_autofree char *t = data_target(vol_path(&f, "s"));
                kl_autofree char *listing = list_dir(vol_path(&f, "s"));
                kl_autofree char *want = kl_asprintf("%s ..data", t);

                cr_assert_str_eq(listing, want);
        }
        fixture_release(&f);
}

/* ------------------------------------------------------------------------- */
/* projected */

Test(volumes, projected_sources_merge_and_token_only_when_known)
{
        struct fixture f;
        const char *dir;

        need_root();
        fixture_init(&f, "[{\"name\":\"p\",\"projected\":{\"defaultMode\":288,\"sources\":["
                         "{\"configMap\":{\"name\":\"app\",\"items\":[{\"key\":\"a\","
                         "\"path\":\"shared\"},{\"key\":\"b\",\"path\":\"cfg/b\"}]}},"
                         "{\"secret\":{\"name\":\"creds\",\"items\":[{\"key\":\"pw\","
                         "\"path\":\"shared\"}]}},"
                         "{\"secret\":{\"name\":\"absent\",\"optional\":true}},"
                         "{\"clusterTrustBundle\":{\"name\":\"ctb\",\"path\":\"ca.crt\"}},"
                         "{\"serviceAccountToken\":{\"path\":\"token\","
                         "\"expirationSeconds\":3607}}]}}]");
        add_configmap(&f, "app", "{\"data\":{\"a\":\"from-cm\",\"b\":\"B\"}}");
        add_secret(&f, "creds", "{\"data\":{\"pw\":\"ZnJvbS1zZWNyZXQ=\"}}");
        setup_ok(&f);
        dir = vol_path(&f, "p");
        cr_assert(kl_endswith(dir, "/volumes/kubernetes.io~projected/p"));
        cr_assert(is_tmpfs(dir));
        cr_assert(kl_agent__volumes_find(&f.vols, "p")->readonly);
        {
                kl_autofree char *shared = read_in(dir, "shared"), *b = read_in(dir, "cfg/b");

                cr_assert_str_eq(shared, "from-secret", "a later source wins");
                cr_assert_str_eq(b, "B");
                cr_assert_eq(mode_of(dir, "shared", true) & 07777, 0440); /* 288 */
                cr_assert_not(exists_in(dir, "token"), "no token without one from the node");
                cr_assert_not(exists_in(dir, "ca.crt"), "clusterTrustBundle is skipped");
        }

        f.node.service_account_token = "eyJhbGciOi.test.token";
        setup_ok(&f);
        {
                kl_autofree char *tok = read_in(vol_path(&f, "p"), "token");

                cr_assert_str_eq(tok, "eyJhbGciOi.test.token");
                cr_assert_eq(mode_of(vol_path(&f, "p"), "token", true) & 07777, 0440);
        }
        cr_assert_eq(mounts_under(vol_path(&f, "p")), 1);
        fixture_release(&f);
}

Test(volumes, projected_errors_are_aggregated)
{
        struct fixture f;

        need_root();
        fixture_init(&f, "[{\"name\":\"p\",\"projected\":{\"sources\":["
                         "{\"configMap\":{\"name\":\"x\"}},{\"secret\":{\"name\":\"y\"}}]}}]");
        setup_fails(&f, -ENOENT,
                    "MountVolume.SetUp failed for volume \"p\" : [configmap \"x\" not found, "
                    "secret \"y\" not found]");
        fixture_release(&f);

        fixture_init(
                &f,
                "[{\"name\":\"p\",\"projected\":{\"sources\":[{\"secret\":{\"name\":\"y\"}}]}}]");
        setup_fails(&f, -ENOENT,
                    "MountVolume.SetUp failed for volume \"p\" : secret \"y\" not found");
        fixture_release(&f);
}

/* ------------------------------------------------------------------------- */
/* downwardAPI (the formatting is pod-env.c's kl_agent__field_ref/resource_ref) */

Test(volumes, downward_api_files)
{
        struct fixture f;
        const char *dir;

        need_root();
        fixture_init(&f, "[{\"name\":\"info\",\"downwardAPI\":{\"defaultMode\":420,\"items\":["
                         "{\"path\":\"name\",\"fieldRef\":{\"fieldPath\":\"metadata.name\"}},"
                         "{\"path\":\"meta/labels\",\"fieldRef\":{\"fieldPath\":"
                         "\"metadata.labels\"},\"mode\":256},"
                         "{\"path\":\"mem\",\"resourceFieldRef\":{\"containerName\":\"c\","
                         "\"resource\":\"limits.memory\",\"divisor\":\"1Mi\"}}]}}]");
        setup_ok(&f);
        dir = vol_path(&f, "info");
        cr_assert(kl_endswith(dir, "/volumes/kubernetes.io~downward-api/info"));
        cr_assert_not(is_tmpfs(dir));
        {
                kl_autofree char *name = read_in(dir, "name");
                kl_autofree char *labels = read_in(dir, "meta/labels");
                kl_autofree char *mem = read_in(dir, "mem");

                cr_assert_str_eq(name, "web");
                cr_assert_str_eq(labels, "app=\"web\"\ntier=\"front\"");
                cr_assert_str_eq(mem, "64");
                cr_assert_eq(mode_of(dir, "meta/labels", true) & 07777, 0400);
        }

        /* A label changes: a new data set. */
        {
                kl_autofree char *t1 = data_target(dir);
                kl_autofree char *t2 = NULL, *labels = NULL;

                json_object_set_new(json_object_get(json_object_get(f.pod, "metadata"), "labels"),
                                    "tier", json_string("back"));
                setup_ok(&f);
                t2 = data_target(vol_path(&f, "info"));
                cr_assert_str_neq(t1, t2);
                labels = read_in(vol_path(&f, "info"), "meta/labels");
                cr_assert_str_eq(labels, "app=\"web\"\ntier=\"back\"");
        }
        fixture_release(&f);

        fixture_init(&f, "[{\"name\":\"info\",\"downwardAPI\":{\"items\":["
                         "{\"path\":\"mem\",\"resourceFieldRef\":{\"containerName\":\"nope\","
                         "\"resource\":\"limits.memory\"}}]}}]");
        setup_fails(&f, -ENOENT,
                    "MountVolume.SetUp failed for volume \"info\" : container nope not found");
        fixture_release(&f);
}

/* ------------------------------------------------------------------------- */
/* hostPath */

static char *make_socket(const char *dir)
{
        char *p = path_in(dir, "sock");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        cr_assert(fd >= 0);
        cr_assert(strlen(p) < sizeof(sa.sun_path));
        memcpy(sa.sun_path, p, strlen(p) + 1);
        cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "bind: %s", strerror(errno));
        (void)close(fd);
        return p;
}

/* `tmpl` with its "@" replaced by `path`. */
static char *expand_path(const char *tmpl, const char *path)
{
        const char *at = strchr(tmpl, '@');

        if (!at)
                return kl_strdup(tmpl);
        return kl_asprintf("%.*s%s%s", (int)(at - tmpl), tmpl, path, at + 1);
}

Test(volumes, host_path_types)
{
        static const struct {
                const char *type;
                const char *path;  /* relative to the host dir; "/dev/null" as is */
                const char *error; /* NULL: success; "@" is the full path */
        } cases[] = {
                { "", "missing", NULL },
                { "DirectoryOrCreate", "made/deep", NULL },
                { "DirectoryOrCreate", "dir", NULL },
                { "DirectoryOrCreate", "file", "hostPath type check failed: @ is not a directory" },
                { "Directory", "dir", NULL },
                { "Directory", "file", "hostPath type check failed: @ is not a directory" },
                { "Directory", "missing", "hostPath type check failed: @ is not a directory" },
                { "FileOrCreate", "new-file", NULL },
                { "FileOrCreate", "file", NULL },
                { "FileOrCreate", "dir", "hostPath type check failed: @ is not a file" },
                { "FileOrCreate", "no-parent/file", "open @: No such file or directory" },
                { "File", "file", NULL },
                { "File", "dir", "hostPath type check failed: @ is not a file" },
                { "File", "missing", "hostPath type check failed: @ is not a file" },
                { "Socket", "sock", NULL },
                { "Socket", "file", "hostPath type check failed: @ is not a socket file" },
                { "CharDevice", "/dev/null", NULL },
                { "CharDevice", "file", "hostPath type check failed: @ is not a character device" },
                { "BlockDevice", "/dev/null",
                  "hostPath type check failed: @ is not a block device" },
                { "Sideways", "dir", "Sideways is an invalid volume type" },
        };
        kl_autofree char *host = NULL, *sock = NULL;

        need_root();
        host = path_in(tmp, "host");
        cr_assert_eq(mkdir(host, 0755), 0);
        free(kl_test_write_file(host, "file", "x"));
        {
                kl_autofree char *d = path_in(host, "dir");

                cr_assert_eq(mkdir(d, 0755), 0);
        }
        sock = make_socket(host);
        cr_assert_eq(access(sock, F_OK), 0);
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct fixture f;
                kl_autofree char *path = cases[i].path[0] == '/' ? kl_strdup(cases[i].path)
                                                                 : path_in(host, cases[i].path);
                kl_autofree char *vols = kl_asprintf(
                        "[{\"name\":\"h\",\"hostPath\":{\"path\":\"%s\",\"type\":\"%s\"}}]", path,
                        cases[i].type);

                fixture_init(&f, vols);
                if (cases[i].error) {
                        kl_autofree char *detail = expand_path(cases[i].error, path);
                        kl_autofree char *want = kl_asprintf(
                                "MountVolume.SetUp failed for volume \"h\" : %s", detail);
                        kl_autofree char *msg = NULL;

                        cr_assert_lt(run_setup(&f, &msg), 0, "%s %s: succeeded", cases[i].type,
                                     cases[i].path);
                        cr_assert_str_eq(msg, want);
                } else {
                        struct stat st;

                        setup_ok(&f);
                        cr_assert_str_eq(vol_path(&f, "h"), path);
                        cr_assert_not(kl_agent__volumes_find(&f.vols, "h")->readonly);
                        if (kl_streq(cases[i].path, "made/deep")) {
                                cr_assert_eq(stat(path, &st), 0);
                                cr_assert(S_ISDIR(st.st_mode));
                                cr_assert_eq(st.st_mode & 0777, 0755);
                        }
                        if (kl_streq(cases[i].path, "new-file")) {
                                cr_assert_eq(stat(path, &st), 0);
                                cr_assert(S_ISREG(st.st_mode));
                                cr_assert_eq(st.st_size, 0);
                                cr_assert_eq(st.st_mode & 0777, 0644);
                        }
                        if (kl_streq(cases[i].path, "missing"))
                                cr_assert_neq(access(path, F_OK), 0, "type \"\" creates nothing");
                }
                fixture_release(&f);
        }
}

Test(volumes, unsupported_types_say_so)
{
        struct fixture f;

        need_root();
        fixture_init(&f, "[{\"name\":\"data\",\"csi\":{\"driver\":\"x\"}}]");
        setup_fails(&f, -EOPNOTSUPP,
                    "MountVolume.SetUp failed for volume \"data\" : csi volumes are not supported "
                    "by kube-lite yet");
        fixture_release(&f);

        fixture_init(&f, "[{\"name\":\"../x\",\"emptyDir\":{}}]");
        setup_fails(&f, -EINVAL, "invalid volume name \"../x\"");
        fixture_release(&f);
}

/* ------------------------------------------------------------------------- */
/* persistentVolumeClaim: the bound volume's path */

/* A claim "data" bound to volume "pvc-1" (uid "c1"), and that volume at `path`. */
static void add_bound_claim(struct fixture *f, const char *path, bool local_path)
{
        kl_autofree char *pv =
                kl_asprintf("{\"metadata\":{\"name\":\"pvc-1\"%s},\"spec\":{\"hostPath\":{\"path\":"
                            "\"%s\",\"type\":\"DirectoryOrCreate\"},\"claimRef\":{\"namespace\":"
                            "\"default\",\"name\":\"data\",\"uid\":\"c1\"}},\"status\":{\"phase\":"
                            "\"Bound\"}}",
                            local_path ? ",\"annotations\":{\"pv.kubernetes.io/provisioned-by\":"
                                         "\"rancher.io/local-path\"}"
                                       : "",
                            path);

        if (!f->refs.pvcs)
                f->refs.pvcs = json_object();
        if (!f->refs.pvs)
                f->refs.pvs = json_object();
        json_object_set_new(f->refs.pvcs, "data",
                            J("{\"metadata\":{\"name\":\"data\",\"namespace\":\"default\","
                              "\"uid\":\"c1\"},\"spec\":{\"volumeName\":\"pvc-1\"},"
                              "\"status\":{\"phase\":\"Bound\"}}"));
        json_object_set_new(f->refs.pvs, "pvc-1", J(pv));
}

Test(volumes, claim_uses_local_path_directory_made_0777)
{
        kl_autofree char *dir = kl_asprintf("%s/storage/pvc-1_default_data", tmp);
        kl_autofree char *storage = kl_asprintf("%s/storage", tmp);
        struct fixture f;
        struct stat st;
        mode_t old = umask(022);

        fixture_init(&f, "[{\"name\":\"d\",\"persistentVolumeClaim\":{\"claimName\":"
                         "\"data\"}},{\"name\":\"ro\",\"persistentVolumeClaim\":{"
                         "\"claimName\":\"data\",\"readOnly\":true}}]");
        add_bound_claim(&f, dir, true);
        setup_ok(&f);
        (void)umask(old);
        cr_expect_str_eq(vol_path(&f, "d"), dir);
        cr_expect_not(kl_agent__volumes_find(&f.vols, "d")->readonly);
        cr_expect(kl_agent__volumes_find(&f.vols, "ro")->readonly);
        cr_assert_eq(stat(dir, &st), 0);
        cr_expect(S_ISDIR(st.st_mode));
        cr_expect_eq(st.st_mode & 07777, 0777, "mode %o", st.st_mode & 07777);
        cr_assert_eq(stat(storage, &st), 0);
        cr_expect_eq(st.st_mode & 07777, 0755);

        /* Data survives a second setup (a restart, a new pod on the same claim). */
        {
                kl_autofree char *file = kl_asprintf("%s/kept", dir);
                kl_autoclose int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

                cr_assert_geq(fd, 0);
        }
        setup_ok(&f);
        {
                kl_autofree char *file = kl_asprintf("%s/kept", dir);

                cr_expect_eq(access(file, F_OK), 0);
        }
        fixture_release(&f);
        /* The claim's directory is not the pod's: teardown leaves it. */
        cr_assert_eq(kl_agent__volumes_teardown(pod_dir, &(struct kl_err *){ NULL }), 0);
        cr_expect_eq(access(dir, F_OK), 0);
}

/*
 * A local-path volume mounted here is recorded; removing it takes its directory
 * (never through a symbolic link) and then the record.
 */
Test(volumes, local_path_volumes_are_recorded_and_removed)
{
        kl_autofree char *dir = kl_asprintf("%s/storage/pvc-1_default_data", tmp);
        kl_autofree char *records = kl_asprintf("%s/local-volumes", tmp);
        kl_autofree char *outside = kl_asprintf("%s/outside", tmp);
        kl_autofree char *link = NULL;
        struct kl_agent__local_volume *v = NULL;
        struct kl_err *e = NULL;
        struct fixture f;
        size_t n = 0;

        fixture_init(&f, "[{\"name\":\"d\",\"persistentVolumeClaim\":{\"claimName\":"
                         "\"data\"}}]");
        f.node.local_volumes_dir = records;
        add_bound_claim(&f, dir, true);
        setup_ok(&f);
        fixture_release(&f);
        /* A static hostPath volume is the user's: never recorded. */
        fixture_init(&f, "[{\"name\":\"d\",\"persistentVolumeClaim\":{\"claimName\":"
                         "\"data\"}}]");
        f.node.local_volumes_dir = records;
        add_bound_claim(&f, tmp, false);
        setup_ok(&f);
        fixture_release(&f);

        /* Files of the volume, a link out of it, and junk next to the record. */
        cr_assert_eq(mkdir(outside, 0755), 0);
        link = kl_asprintf("%s/escape", dir);
        cr_assert_eq(symlink(outside, link), 0);
        {
                kl_autofree char *sub = kl_asprintf("%s/a/b/c", dir);
                kl_autofree char *junk = kl_asprintf("%s/pvc-2.tmp-abcdef", records);
                kl_autofree char *bad = kl_asprintf("%s/pvc-3", records);

                cr_assert_eq(kl_mkdir_p(sub, 0755), 0);
                cr_assert_eq(kl_write_file_atomic(junk, "x", 1, 0600, 0), 0);
                cr_assert_eq(kl_write_file_atomic(bad, "relative\nns/c\n", 14, 0600, 0), 0);
        }
        cr_assert_eq(kl_agent__local_volumes_list(records, &v, &n), 0);
        cr_assert_eq(n, 1);
        cr_expect_str_eq(v[0].pv, "pvc-1");
        cr_expect_str_eq(v[0].path, dir);
        cr_expect_str_eq(v[0].claim, "default/data");

        cr_assert_eq(kl_agent__local_volume_remove(records, &v[0], &e), 0, "%s", kl_err_msg(e));
        cr_expect_neq(access(dir, F_OK), 0);
        cr_expect_eq(access(outside, F_OK), 0, "the link was followed");
        kl_agent__local_volumes_free(v, n);
        cr_assert_eq(kl_agent__local_volumes_list(records, &v, &n), 0);
        cr_expect_eq(n, 0);
        kl_agent__local_volumes_free(v, n);

        /* A record whose directory is already gone just goes. */
        {
                char pv[] = "pvc-9", path[] = "/nonexistent/pvc-9_a_b", claim[] = "a/b",
                     root[] = "/";
                struct kl_agent__local_volume gone = { .pv = pv, .path = path, .claim = claim };

                cr_expect_eq(kl_agent__local_volume_remove(records, &gone, &e), 0);
                gone.path = root;
                cr_expect_eq(kl_agent__local_volume_remove(records, &gone, &e), -EINVAL);
                kl_err_free(e);
        }
}

Test(volumes, claim_of_a_static_host_path_volume_is_type_checked)
{
        kl_autofree char *file = kl_asprintf("%s/file", tmp);
        kl_autofree char *want = kl_asprintf("MountVolume.SetUp failed for volume \"d\" : hostPath "
                                             "type check failed: %s is not a directory",
                                             file);
        struct fixture f;
        kl_autoclose int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

        cr_assert_geq(fd, 0);
        fixture_init(&f, "[{\"name\":\"d\",\"persistentVolumeClaim\":{\"claimName\":"
                         "\"data\"}}]");
        add_bound_claim(&f, file, false);
        setup_fails(&f, -EINVAL, want);
        fixture_release(&f);

        /* A local volume's path must exist. */
        fixture_init(&f, "[{\"name\":\"d\",\"persistentVolumeClaim\":{\"claimName\":"
                         "\"data\"}}]");
        add_bound_claim(&f, tmp, false);
        {
                json_t *spec = json_object_get(json_object_get(f.refs.pvs, "pvc-1"), "spec");

                json_object_del(spec, "hostPath");
                json_object_set_new(spec, "local", json_pack("{s:s}", "path", tmp));
        }
        setup_ok(&f);
        cr_expect_str_eq(vol_path(&f, "d"), tmp);
        fixture_release(&f);
}

struct claim_case {
        const char *what;
        const char *pvc_patch; /* merged into the bound claim; "null" removes it */
        const char *pv_patch;  /* merged into the bound volume; "null" removes it */
        int code;
        const char *msg;
};

static const struct claim_case claim_cases[] = {
        { "no such claim", "null", NULL, -ENOENT, "persistentvolumeclaim \"data\" not found" },
        { "deleting", "{\"metadata\":{\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"}}", NULL,
          -ENOENT, "persistentvolumeclaim \"data\" is being deleted" },
        { "pending", "{\"spec\":{\"volumeName\":null},\"status\":{\"phase\":\"Pending\"}}", NULL,
          -EAGAIN, "persistentvolumeclaim \"data\" is not bound" },
        { "named but not yet Bound", "{\"status\":{\"phase\":\"Pending\"}}", NULL, -EAGAIN,
          "persistentvolumeclaim \"data\" is not bound" },
        { "no volume", NULL, "null", -ENOENT, "persistentvolume \"pvc-1\" not found" },
        { "volume of another claim", NULL, "{\"spec\":{\"claimRef\":{\"uid\":\"c2\"}}}", -EAGAIN,
          "found PV object pvc-1 but its pv.Spec.ClaimRef.UID c2 does not point to claim.UID c1" },
        { "volume not claimed", NULL, "{\"spec\":{\"claimRef\":null}}", -EAGAIN,
          "found PV object pvc-1 but it has a nil pv.Spec.ClaimRef indicating it is not yet "
          "bound to the claim" },
        { "nfs volume", NULL, "{\"spec\":{\"hostPath\":null,\"nfs\":{\"server\":\"x\"}}}",
          -EOPNOTSUPP,
          "persistentvolume \"pvc-1\": only hostPath and local volumes are supported by "
          "kube-lite" },
        { "block volume", NULL, "{\"spec\":{\"volumeMode\":\"Block\"}}", -EOPNOTSUPP,
          "persistentvolume \"pvc-1\": block volumes are not supported by kube-lite" },
};

/* Merge `patch` (JSON merge patch semantics: null deletes) into `obj`. */
static void merge(json_t *obj, const json_t *patch)
{
        const char *k;
        json_t *v;

        json_object_foreach((json_t *)patch, k, v) {
                if (json_is_null(v))
                        json_object_del(obj, k);
                else if (json_is_object(v) && json_is_object(json_object_get(obj, k)))
                        merge(json_object_get(obj, k), v);
                else
                        json_object_set(obj, k, v);
        }
}

Test(volumes, claim_errors_as_upstream)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(claim_cases); i++) {
                const struct claim_case *tc = &claim_cases[i];
                kl_autofree char *dir = kl_asprintf("%s/storage/c%zu", tmp, i);
                kl_autofree char *want =
                        kl_asprintf("MountVolume.SetUp failed for volume \"d\" : %s", tc->msg);
                struct fixture f;

                fixture_init(&f, "[{\"name\":\"d\",\"persistentVolumeClaim\":{"
                                 "\"claimName\":\"data\"}}]");
                add_bound_claim(&f, dir, true);
                if (tc->pvc_patch && kl_streq(tc->pvc_patch, "null")) {
                        json_object_del(f.refs.pvcs, "data");
                } else if (tc->pvc_patch) {
                        json_t *p = J(tc->pvc_patch);

                        merge(json_object_get(f.refs.pvcs, "data"), p);
                        json_decref(p);
                }
                if (tc->pv_patch && kl_streq(tc->pv_patch, "null")) {
                        json_object_del(f.refs.pvs, "pvc-1");
                } else if (tc->pv_patch) {
                        json_t *p = J(tc->pv_patch);

                        merge(json_object_get(f.refs.pvs, "pvc-1"), p);
                        json_decref(p);
                }
                cr_log_info("case %s", tc->what);
                setup_fails(&f, tc->code, want);
                fixture_release(&f);
                /* Nothing made for a claim that cannot be used. */
                cr_expect_neq(access(dir, F_OK), 0, "case %s", tc->what);
        }
}

Test(volumes, ephemeral_claim_must_belong_to_the_pod)
{
        kl_autofree char *dir = kl_asprintf("%s/storage/eph", tmp);
        struct fixture f;
        json_t *pvc;

        fixture_init(&f, "[{\"name\":\"scratch\",\"ephemeral\":{\"volumeClaimTemplate\":{"
                         "\"spec\":{}}}}]");
        add_bound_claim(&f, dir, true);
        pvc = json_object_get(f.refs.pvcs, "data");
        json_incref(pvc);
        json_object_del(f.refs.pvcs, "data");
        json_object_set_new(f.refs.pvcs, "web-scratch", pvc);
        setup_fails(&f, -EPERM,
                    "MountVolume.SetUp failed for volume \"scratch\" : PVC default/web-scratch "
                    "was not created for pod default/web (pod is not owner)");
        json_object_set_new(json_object_get(pvc, "metadata"), "ownerReferences",
                            J("[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"web\","
                              "\"uid\":\"1234\",\"controller\":true}]"));
        setup_ok(&f);
        cr_expect_str_eq(vol_path(&f, "scratch"), dir);
        fixture_release(&f);
}

Test(volumes, pvc_names_sorted_unique_with_ephemeral_claims)
{
        json_t *pod = pod_with("[{\"name\":\"a\",\"persistentVolumeClaim\":{\"claimName\":"
                               "\"zeta\"}},{\"name\":\"b\",\"persistentVolumeClaim\":{"
                               "\"claimName\":\"alpha\"}},{\"name\":\"c\","
                               "\"persistentVolumeClaim\":{\"claimName\":\"zeta\"}},"
                               "{\"name\":\"cache\",\"ephemeral\":{}},"
                               "{\"name\":\"e\",\"emptyDir\":{}}]");
        char **names = NULL;

        kl_agent__pod_pvc_names(pod, &names);
        cr_assert_eq(kl_strv_length(names), 3);
        cr_expect_str_eq(names[0], "alpha");
        cr_expect_str_eq(names[1], "web-cache");
        cr_expect_str_eq(names[2], "zeta");
        kl_strv_free(names);
        json_decref(pod);

        pod = pod_with("[{\"name\":\"e\",\"emptyDir\":{}}]");
        kl_agent__pod_pvc_names(pod, &names);
        cr_expect_null(names);
        json_decref(pod);
}

/* ------------------------------------------------------------------------- */
/* Teardown */

Test(volumes, teardown_leaves_no_mount_and_no_file)
{
        struct fixture f;
        kl_autofree char *outside = NULL, *host = NULL, *kept = NULL, *vols = NULL;
        kl_autoclose int busy = -EBADF;

        need_root();
        outside = path_in(tmp, "outside");
        host = path_in(tmp, "hostdir");
        cr_assert_eq(mkdir(outside, 0755), 0);
        kept = kl_test_write_file(outside, "precious", "do not delete");
        vols = kl_asprintf("[{\"name\":\"mem\",\"emptyDir\":{\"medium\":\"Memory\"}},"
                           "{\"name\":\"disk\",\"emptyDir\":{}},"
                           "{\"name\":\"s\",\"secret\":{\"secretName\":\"creds\"}},"
                           "{\"name\":\"cfg\",\"configMap\":{\"name\":\"app\"}},"
                           "{\"name\":\"h\",\"hostPath\":{\"path\":\"%s\","
                           "\"type\":\"DirectoryOrCreate\"}}]",
                           host);
        fixture_init(&f, vols);
        add_secret(&f, "creds", "{\"data\":{\"a\":\"YQ==\"}}");
        add_configmap(&f, "app", "{\"data\":{\"a\":\"A\"}}");
        setup_ok(&f);
        free(kl_test_write_file(host, "host-file", "stays"));
        cr_assert_eq(mounts_under(pod_dir), 2);

        /* What a container could leave behind: links out, a deep tree, a busy mount. */
        {
                kl_autofree char *l1 = path_in(vol_path(&f, "disk"), "escape");
                kl_autofree char *l2 = path_in(vol_path(&f, "mem"), "escape");
                kl_autofree char *deep = kl_strdup(vol_path(&f, "disk"));
                kl_autofree char *fp = kl_test_write_file(vol_path(&f, "mem"), "open", "x");

                cr_assert_eq(symlink(outside, l1), 0);
                cr_assert_eq(symlink(outside, l2), 0);
                for (int i = 0; i < 300; i++) {
                        char *next = kl_asprintf("%s/d", deep);

                        free(deep);
                        deep = next;
                        cr_assert_eq(mkdir(deep, 0700), 0, "mkdir: %s", strerror(errno));
                }
                free(kl_test_write_file(deep, "leaf", "x"));
                busy = open(fp, O_RDONLY | O_CLOEXEC);
                cr_assert(busy >= 0);
        }

        {
                struct kl_err *e = NULL;
                int r = kl_agent__volumes_teardown(pod_dir, &e);

                cr_assert_eq(r, 0, "teardown: %s", kl_err_msg(e));
                kl_err_free(e);
        }
        cr_assert_eq(mounts_under(pod_dir), 0);
        cr_assert_neq(access(pod_dir, F_OK), 0, "the pod directory is still there");
        {
                kl_autofree char *t = kl_test_read_file(kept);
                kl_autofree char *h = read_in(host, "host-file");

                cr_assert_str_eq(t, "do not delete");
                cr_assert_str_eq(h, "stays");
        }
        /* A missing directory is fine, and a second teardown is a no-op. */
        {
                struct kl_err *e = NULL;

                cr_assert_eq(kl_agent__volumes_teardown(pod_dir, &e), 0);
                cr_assert_null(e);
        }
        fixture_release(&f);
}

Test(volumes, teardown_unmounts_whatever_is_mounted_below)
{
        kl_autofree char *inner = NULL, *outer = NULL;
        struct kl_err *e = NULL;

        need_root();
        outer = kl_asprintf("%s/volumes/x", pod_dir);
        inner = kl_asprintf("%s/volumes/x/y", pod_dir);
        cr_assert_eq(kl_mkdir_p(outer, 0755), 0);
        cr_assert_eq(mount("tmpfs", outer, "tmpfs", 0, NULL), 0);
        cr_assert_eq(mkdir(inner, 0755), 0);
        cr_assert_eq(mount("tmpfs", inner, "tmpfs", 0, NULL), 0);
        cr_assert_eq(mount("tmpfs", inner, "tmpfs", 0, NULL), 0); /* stacked */
        cr_assert_eq(mounts_under(pod_dir), 3);
        cr_assert_eq(kl_agent__volumes_teardown(pod_dir, &e), 0, "%s", kl_err_msg(e));
        cr_assert_eq(mounts_under(pod_dir), 0);
        cr_assert_neq(access(pod_dir, F_OK), 0);
}
