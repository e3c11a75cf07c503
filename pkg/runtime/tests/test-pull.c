/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pulls from Debian's docker-registry (distribution 2.8) started on
 * 127.0.0.1 by each test, with images built here from busybox-static as OCI
 * layouts and pushed with skopeo. Nothing leaves the loopback interface.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/base.h"
#include "runtime/rt.h"
#include "testing/testing.h"

#include "rt-test.h"

#define REGISTRY_BIN "/usr/bin/docker-registry"
#define SKOPEO_BIN   "/usr/bin/skopeo"
#define BUSYBOX_BIN  "/bin/busybox"
/* bcrypt (cost 4) of "kl-pw", for htpasswd auth. */
#define HTPASSWD "kl:$2b$04$SdPnWpe.wWNbDVxvztC/Re54TEKWrbjhCALsUzOy4EX.SLMSQb2PO\n"

static struct {
        pid_t pid;
        char host[32]; /* "127.0.0.1:PORT" */
        char *dir;     /* owned */
        char *log;     /* owned */
} reg;

static void need_tools(void)
{
        if (access(REGISTRY_BIN, X_OK) < 0)
                cr_skip_test("docker-registry is not installed (apt-get install docker-registry)");
        if (access(SKOPEO_BIN, X_OK) < 0)
                cr_skip_test("skopeo is not installed (apt-get install skopeo)");
        if (access(BUSYBOX_BIN, R_OK) < 0)
                cr_skip_test("busybox-static is not installed (apt-get install busybox-static)");
}

static int free_port(void)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        cr_assert_geq(fd, 0);
        cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
        (void)close(fd);
        return ntohs(a.sin_port);
}

static bool port_open(int port)
{
        struct sockaddr_in a = { .sin_family = AF_INET,
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                                 .sin_port = htons((uint16_t)port) };
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

        (void)close(fd);
        return ok;
}

/* Run argv with output appended to `log`; returns the exit status. */
static int run(char *const argv[], const char *log)
{
        pid_t pid = fork();
        int status = 0;

        cr_assert_geq(pid, 0);
        if (pid == 0) {
                int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (fd >= 0) {
                        (void)dup2(fd, 1);
                        (void)dup2(fd, 2);
                }
                execv(argv[0], argv);
                _exit(127);
        }
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void registry_start(bool htpasswd)
{
        int port = free_port();

        need_tools();
        reg.dir = kl_strdup(kl_test_tmpdir());
        reg.log = kl_asprintf("%s/registry.log", reg.dir);
        (void)snprintf(reg.host, sizeof(reg.host), "127.0.0.1:%d", port);
        if (htpasswd)
                free(kl_test_write_file(reg.dir, "htpasswd", HTPASSWD));
        kl_autofree char *cfg =
                kl_asprintf("version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n"
                            "    rootdirectory: %s/data\n  delete:\n    enabled: true\nhttp:\n"
                            "  addr: %s\n%s%s%s",
                            reg.dir, reg.host,
                            htpasswd ? "auth:\n  htpasswd:\n    realm: kl-test\n    path: " : "",
                            htpasswd ? reg.dir : "", htpasswd ? "/htpasswd\n" : "");
        kl_autofree char *cfg_path = kl_test_write_file(reg.dir, "config.yml", cfg);

        reg.pid = fork();
        cr_assert_geq(reg.pid, 0);
        if (reg.pid == 0) {
                int fd = open(reg.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (fd >= 0) {
                        (void)dup2(fd, 1);
                        (void)dup2(fd, 2);
                }
                execl(REGISTRY_BIN, REGISTRY_BIN, "serve", cfg_path, (char *)NULL);
                _exit(127);
        }
        for (int i = 0; i < 200 && !port_open(port); i++)
                (void)usleep(50 * 1000);
        cr_assert(port_open(port), "docker-registry did not start; see %s", reg.log);
}

static void registry_stop(void)
{
        if (reg.pid > 0) {
                (void)kill(reg.pid, SIGTERM);
                (void)waitpid(reg.pid, NULL, 0);
                reg.pid = 0;
        }
        free(reg.dir);
        free(reg.log);
}

static void suite_init(void)
{
        cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
}

static void suite_fini(void)
{
        registry_stop();
        curl_global_cleanup();
}

TestSuite(pull, .init = suite_init, .fini = suite_fini);

/* Count registry log lines for GETs of blobs (what it served, not what we think we asked). */
static int registry_blob_gets(void)
{
        kl_autofree char *text = NULL;
        int n = 0;

        cr_assert_eq(kl_read_file(reg.log, (size_t)64 << 20, &text, NULL), 0);
        for (const char *p = text; (p = strstr(p, "response completed")); p++) {
                const char *eol = strchr(p, '\n');
                kl_autofree char *line = kl_strndup(p, eol ? (size_t)(eol - p) : strlen(p));
                if (strstr(line, "http.request.method=GET") && strstr(line, "/blobs/sha256:"))
                        n++;
        }
        return n;
}

/* ---- images as OCI layouts ---- */

static const struct tar_entry base_layer[] = {
        { 'd', "bin", NULL, 0755 },
        { 'B', "bin/busybox", BUSYBOX_BIN, 0755 },
        { 'l', "bin/sh", "busybox", 0 },
        { 'd', "etc", NULL, 0755 },
        { 'f', "etc/passwd", "root:x:0:0:root:/:/bin/sh\n", 0644 },
};

static const struct tar_entry app_layer[] = {
        { 'd', "etc", NULL, 0755 },
        { 'f', "etc/app-version", "2\n", 0644 },
        { 'f', "etc/.wh.passwd", "", 0 },
};

static void push(const char *dir, const char *tag, const char *repo_tag, bool all, bool creds,
                 const char *format)
{
        kl_autofree char *src = kl_asprintf("oci:%s:%s", dir, tag);
        kl_autofree char *dst = kl_asprintf("docker://%s/%s", reg.host, repo_tag);
        char *argv[12];
        size_t n = 0;

        argv[n++] = (char *)SKOPEO_BIN;
        argv[n++] = (char *)"copy";
        argv[n++] = (char *)"--insecure-policy";
        argv[n++] = (char *)"--dest-tls-verify=false";
        if (all)
                argv[n++] = (char *)"--all";
        if (creds)
                argv[n++] = (char *)"--dest-creds=kl:kl-pw";
        kl_autofree char *fmt = format ? kl_asprintf("--format=%s", format) : NULL;
        if (fmt)
                argv[n++] = fmt;
        argv[n++] = src;
        argv[n++] = dst;
        argv[n] = NULL;
        kl_autofree char *log = kl_asprintf("%s/skopeo.log", reg.dir);
        cr_assert_eq(run(argv, log), 0, "skopeo copy failed; see %s", log);
}

/* Push a one-platform image of `layers` as repo_tag; returns its manifest digest. */
static char *push_image(const struct layer_spec *layers, size_t n, const char *repo_tag, bool creds)
{
        const char *dir = kl_test_tmpdir();
        size_t size;
        char *digest = layout_image(dir, layers, n, "amd64", &size);

        layout_index(dir, "t", KL_RT_MT_OCI_MANIFEST, digest, size);
        push(dir, "t", repo_tag, false, creds, NULL);
        return digest;
}

static struct kl_rt_store *store_new(void)
{
        struct kl_rt_store *s = NULL;

        cr_assert_eq(kl_rt_store_open(kl_test_tmpdir(), &s, NULL), 0);
        return s;
}

static int pull(struct kl_rt_store *s, const char *repo_tag, struct kl_rt_pull_opts *opts,
                struct kl_rt_image *ret_img, struct kl_rt_pull_stats *ret_st, struct kl_err **err)
{
        char *insecure[] = { reg.host, NULL };
        struct kl_rt_pull_opts o = opts ? *opts : (struct kl_rt_pull_opts){ 0 };
        kl_autofree char *ref = kl_asprintf("%s/%s", reg.host, repo_tag);
        struct kl_rt_image img = { 0 };
        int r;

        o.insecure = insecure;
        r = kl_rt_pull(s, ref, &o, &img, ret_st, err);
        if (ret_img)
                *ret_img = img;
        else
                kl_rt_image_release(&img);
        return r;
}

Test(pull, anonymous_then_nothing_then_only_the_new_layer)
{
        struct layer_spec v1[] = { { base_layer, KL_ARRAY_SIZE(base_layer) } };
        struct layer_spec v2[] = { { base_layer, KL_ARRAY_SIZE(base_layer) },
                                   { app_layer, KL_ARRAY_SIZE(app_layer) } };
        struct kl_rt_store *s;
        struct kl_rt_pull_stats st;
        struct kl_rt_image img;
        kl_autoerr struct kl_err *e = NULL;

        registry_start(false);
        kl_autofree char *d1 = push_image(v1, 1, "test/bb:v1", false);
        kl_autofree char *d2 = push_image(v2, 2, "test/bb:v2", false);
        s = store_new();
        int before = registry_blob_gets();

        cr_assert_eq(pull(s, "test/bb:v1", NULL, &img, &st, &e), 0, "%s", kl_err_msg(e));
        cr_expect_str_eq(img.digest, d1);
        cr_expect_str_eq(img.manifest, d1);
        kl_autofree char *want_name = kl_asprintf("%s/test/bb:v1", reg.host);
        cr_expect_str_eq(img.name, want_name);
        cr_expect_eq(st.blobs_fetched, 2, "config and layer");
        cr_expect_eq(st.layers_unpacked, 1);
        cr_expect_eq(st.requests, 3);
        cr_expect_gt(st.bytes, 900000, "busybox layer not downloaded? %llu",
                     (unsigned long long)st.bytes);
        cr_expect_eq(registry_blob_gets() - before, 2);
        kl_rt_image_release(&img);

        /* The rootfs is there: busybox and its sh link. */
        struct kl_rt_image got;
        cr_assert_eq(kl_rt_store_image_get(s, want_name, &got, NULL), 0);
        kl_rt_image_release(&got);

        /* Second pull of the same image: the manifest only, no blob. */
        before = registry_blob_gets();
        cr_assert_eq(pull(s, "test/bb:v1", NULL, NULL, &st, &e), 0, "%s", kl_err_msg(e));
        cr_expect_eq(st.blobs_fetched, 0);
        cr_expect_eq(st.layers_unpacked, 0);
        cr_expect_eq(st.requests, 1);
        cr_expect_eq(registry_blob_gets() - before, 0, "the registry served blobs again");

        /* The update shares the base layer: only its config and new layer are fetched. */
        before = registry_blob_gets();
        cr_assert_eq(pull(s, "test/bb:v2", NULL, &img, &st, &e), 0, "%s", kl_err_msg(e));
        cr_expect_str_eq(img.digest, d2);
        cr_expect_eq(st.blobs_fetched, 2, "new config and new layer only");
        cr_expect_eq(st.layers_unpacked, 1);
        cr_expect_lt(st.bytes, 100000, "the base layer was downloaded again");
        cr_expect_eq(registry_blob_gets() - before, 2);
        kl_rt_image_release(&img);

        /* A digest-pinned pull of what the store has sends nothing at all. */
        kl_autofree char *pinned = kl_asprintf("test/bb@%s", d1);
        cr_assert_eq(pull(s, pinned, NULL, NULL, &st, &e), 0, "%s", kl_err_msg(e));
        cr_expect_eq(st.requests, 0);
        kl_rt_store_free(s);
}

Test(pull, snapshot_contents_and_missing_tag)
{
        struct layer_spec v2[] = { { base_layer, KL_ARRAY_SIZE(base_layer) },
                                   { app_layer, KL_ARRAY_SIZE(app_layer) } };
        struct kl_rt_store *s;
        kl_autoerr struct kl_err *e = NULL;
        struct stat st;

        registry_start(false);
        free(push_image(v2, 2, "test/bb:v2", false));
        s = store_new();
        cr_assert_eq(pull(s, "test/bb:v2", NULL, NULL, NULL, &e), 0, "%s", kl_err_msg(e));
        kl_autofree char *snaps = kl_asprintf("%s/snapshots", kl_rt_store_root(s));
        /* Two layers, two snapshots; busybox is executable in the base one. */
        int n = 0;
        kl_autoclosedir DIR *d = opendir(snaps);
        struct dirent *de;
        cr_assert_not_null(d);
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                n++;
                kl_autofree char *bb = kl_asprintf("%s/%s/fs/bin/busybox", snaps, de->d_name);
                if (stat(bb, &st) == 0)
                        cr_expect(st.st_mode & 0100);
        }
        cr_expect_eq(n, 2);
        kl_rt_store_free(s);

        s = store_new();
        kl_err_free(KL_TAKE_PTR(e));
        cr_expect_eq(pull(s, "test/bb:nope", NULL, NULL, NULL, &e), -ENOENT, "%s", kl_err_msg(e));
        kl_rt_store_free(s);
}

Test(pull, index_platform_selection)
{
        struct layer_spec v1[] = { { base_layer, KL_ARRAY_SIZE(base_layer) } };
        struct layer_spec v2[] = { { base_layer, KL_ARRAY_SIZE(base_layer) },
                                   { app_layer, KL_ARRAY_SIZE(app_layer) } };
        const char *dir = kl_test_tmpdir();
        struct kl_rt_store *lay = NULL, *s, *s2;
        size_t amd_size, arm_size;
        kl_autofree char *list = NULL, *child = NULL;
        kl_autofree char *idx_digest = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_rt_image img;

        registry_start(false);
        kl_autofree char *amd = layout_image(dir, v1, 1, "amd64", &amd_size);
        kl_autofree char *arm = layout_image(dir, v2, 2, "arm64", &arm_size);
        kl_autofree char *idx = kl_asprintf(
                "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":["
                "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,"
                "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,"
                "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}",
                KL_RT_MT_OCI_INDEX, KL_RT_MT_OCI_MANIFEST, amd, amd_size, KL_RT_MT_OCI_MANIFEST,
                arm, arm_size);
        cr_assert_eq(kl_rt_store_open(dir, &lay, NULL), 0);
        cr_assert_eq(kl_rt_store_put_blob(lay, idx, strlen(idx), NULL, &idx_digest, NULL), 0);
        kl_rt_store_free(lay);
        layout_index(dir, "multi", KL_RT_MT_OCI_INDEX, idx_digest, strlen(idx));
        push(dir, "multi", "test/multi:1", true, false, NULL);
        /* skopeo converts the index to a Docker manifest list on the way. */
        push(dir, "multi", "test/multi:docker", true, false, "v2s2");

        s = store_new();
        struct kl_rt_pull_opts o = { .arch = "arm64", .variant = "v8" };
        cr_assert_eq(pull(s, "test/multi:1", &o, &img, NULL, &e), 0, "%s", kl_err_msg(e));
        cr_expect_str_eq(img.digest, idx_digest);
        cr_expect_str_eq(img.manifest, arm);
        kl_rt_image_release(&img);
        o = (struct kl_rt_pull_opts){ .arch = "amd64" };
        cr_assert_eq(pull(s, "test/multi:1", &o, &img, NULL, &e), 0, "%s", kl_err_msg(e));
        cr_expect_str_eq(img.manifest, amd);
        kl_rt_image_release(&img);
        /* The Docker manifest list: the same selection. */
        s2 = store_new();
        o = (struct kl_rt_pull_opts){ .arch = "arm64", .variant = "v8" };
        cr_assert_eq(pull(s2, "test/multi:docker", &o, &img, NULL, &e), 0, "%s", kl_err_msg(e));
        cr_assert_eq(kl_rt_store_read_blob(s2, img.digest, 1 << 20, &list, NULL, NULL), 0);
        cr_expect(strstr(list, KL_RT_MT_DOCKER_LIST), "not a manifest list: %s", list);
        cr_assert_eq(kl_rt_store_read_blob(s2, img.manifest, 1 << 20, &child, NULL, NULL), 0);
        cr_expect(strstr(child, KL_RT_MT_DOCKER_MANIFEST), "not a v2 manifest: %s", child);
        cr_expect(strstr(child, "\"size\""), "%s", child);
        kl_rt_image_release(&img);
        kl_rt_store_free(s2);
        o = (struct kl_rt_pull_opts){ .arch = "s390x" };
        cr_expect_eq(pull(s, "test/multi:1", &o, NULL, NULL, &e), -ENOENT);
        kl_rt_store_free(s);
}

Test(pull, basic_auth)
{
        struct layer_spec v1[] = { { base_layer, KL_ARRAY_SIZE(base_layer) } };
        struct kl_rt_store *s;
        kl_autoerr struct kl_err *e = NULL;

        registry_start(true);
        free(push_image(v1, 1, "test/bb:v1", true));
        s = store_new();
        cr_expect_eq(pull(s, "test/bb:v1", NULL, NULL, NULL, &e), -KL_EUNAUTHORIZED, "%s",
                     kl_err_msg(e));
        kl_err_free(KL_TAKE_PTR(e));
        struct kl_rt_pull_opts bad = { .username = "kl", .password = "wrong" };
        cr_expect_eq(pull(s, "test/bb:v1", &bad, NULL, NULL, &e), -KL_EUNAUTHORIZED, "%s",
                     kl_err_msg(e));
        kl_err_free(KL_TAKE_PTR(e));
        struct kl_rt_pull_opts good = { .username = "kl", .password = "kl-pw" };
        cr_expect_eq(pull(s, "test/bb:v1", &good, NULL, NULL, &e), 0, "%s", kl_err_msg(e));
        kl_rt_store_free(s);
}

Test(pull, https_unless_insecure)
{
        struct kl_rt_store *s;
        kl_autoerr struct kl_err *e = NULL;

        registry_start(false);
        s = store_new();
        kl_autofree char *ref = kl_asprintf("%s/test/bb:v1", reg.host);
        /* Not listed as insecure: TLS to a plain-HTTP registry fails; nothing falls back. */
        cr_expect_lt(kl_rt_pull(s, ref, NULL, NULL, NULL, &e), 0);
        cr_expect_not_null(e);
        kl_rt_store_free(s);
}
