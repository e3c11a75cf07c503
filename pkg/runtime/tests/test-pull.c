/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pulls from Debian's docker-registry (distribution 2.8) started on
 * 127.0.0.1 by each test, with images built here from busybox-static as OCI
 * layouts and pushed with skopeo. Nothing leaves the loopback interface.
 * For token auth the test runs its own token server (a thread) whose JWTs the
 * registry verifies for real against the certificate the test made.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

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
        int port;
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

/*
 * Start docker-registry with `auth` (YAML under "auth:", or NULL). The first
 * start picks the directory and port; a restart keeps both, so the storage
 * (and what was pushed) survives a change of auth.
 */
static void registry_run(const char *auth)
{
        if (!reg.dir) {
                need_tools();
                reg.dir = kl_strdup(kl_test_tmpdir());
                reg.log = kl_asprintf("%s/registry.log", reg.dir);
                reg.port = free_port();
                (void)snprintf(reg.host, sizeof(reg.host), "127.0.0.1:%d", reg.port);
        }
        kl_autofree char *cfg =
                kl_asprintf("version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n"
                            "    rootdirectory: %s/data\n  delete:\n    enabled: true\nhttp:\n"
                            "  addr: %s\n%s%s",
                            reg.dir, reg.host, auth ? "auth:\n" : "", auth ? auth : "");
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
        for (int i = 0; i < 200 && !port_open(reg.port); i++)
                (void)usleep(50 * 1000);
        cr_assert(port_open(reg.port), "docker-registry did not start; see %s", reg.log);
}

static void registry_start(bool htpasswd)
{
        kl_autofree char *auth = NULL;

        need_tools();
        if (htpasswd) {
                const char *dir = kl_test_tmpdir();
                free(kl_test_write_file(dir, "htpasswd", HTPASSWD));
                auth = kl_asprintf("  htpasswd:\n    realm: kl-test\n    path: %s/htpasswd\n", dir);
        }
        registry_run(auth);
}

/* Stop the registry process (by its pid); the directory stays for a restart. */
static void registry_kill(void)
{
        if (reg.pid > 0) {
                (void)kill(reg.pid, SIGTERM);
                (void)waitpid(reg.pid, NULL, 0);
                reg.pid = 0;
        }
}

static void registry_stop(void)
{
        registry_kill();
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

/* ---- token auth: distribution's token scheme, with a token server in the test ---- */

#define TOKEN_SERVICE "kube-lite-test"
#define TOKEN_ISSUER  "kube-lite-test-issuer"
#define TOKEN_SUBJECT "kl-token-subject"
/* What distribution logs when it refuses a request without a token, and lets one with a token in.
 */
#define REFUSED    "msg=\"error authorizing context: authorization token required\""
#define AUTHORIZED "msg=\"authorized request\""

/* One request the token server answered (or refused). */
struct token_request {
        char service[64];
        char scope[256];
        char basic[64]; /* "user:password" from a Basic header, or "" */
};

enum token_flags {
        TOKEN_UNTRUSTED_KEY = 1 << 0, /* sign with a key whose certificate is not the bundle */
};

static struct {
        pthread_t thread;
        int fd;
        int port;
        unsigned flags;     /* guarded by lock: enum token_flags */
        EVP_PKEY *key;      /* owned: signs the tokens; its certificate is the registry's bundle */
        EVP_PKEY *stranger; /* owned: a key nobody trusts */
        char *cert_b64;     /* owned: the certificate's DER in base64, the x5c of every token */
        char *cert_pem;     /* owned: path of the bundle file */
        char *stranger_b64; /* owned: the stranger's self-signed certificate */
        pthread_mutex_t lock;
        struct token_request reqs[16]; /* guarded by lock */
        unsigned n_reqs;               /* guarded by lock */
} tok = { .fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

static char *b64_std(const unsigned char *data, size_t len)
{
        char *out = kl_malloc(4 * ((len + 2) / 3) + 1);

        (void)EVP_EncodeBlock((unsigned char *)out, data, (int)len);
        return out;
}

/* JOSE's base64url without padding (RFC 7515, section 2). */
static char *b64_url(const unsigned char *data, size_t len)
{
        char *out = b64_std(data, len);

        for (char *p = out; *p; p++) {
                if (*p == '+')
                        *p = '-';
                else if (*p == '/')
                        *p = '_';
                else if (*p == '=') {
                        *p = '\0';
                        break;
                }
        }
        return out;
}

/* A P-256 key and its self-signed certificate (DER, base64), valid for an hour either way. */
static EVP_PKEY *make_key(const char *cn, char **ret_b64, const char *pem_path)
{
        EVP_PKEY *k = EVP_EC_gen("P-256");
        X509 *x = X509_new();
        unsigned char *der = NULL;
        int len;

        cr_assert(k && x);
        cr_assert(X509_set_version(x, 2));
        cr_assert(ASN1_INTEGER_set(X509_get_serialNumber(x), 1));
        cr_assert(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
        cr_assert(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
        cr_assert(X509_set_pubkey(x, k));
        X509_NAME *name = X509_get_subject_name(x);
        cr_assert(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn,
                                             -1, -1, 0));
        cr_assert(X509_set_issuer_name(x, name));
        cr_assert(X509_sign(x, k, EVP_sha256()));
        len = i2d_X509(x, &der);
        cr_assert_gt(len, 0);
        *ret_b64 = b64_std(der, (size_t)len);
        OPENSSL_free(der);
        if (pem_path) {
                FILE *f = fopen(pem_path, "we");
                cr_assert_not_null(f);
                cr_assert(PEM_write_X509(f, x));
                cr_assert_eq(fclose(f), 0);
        }
        X509_free(x);
        return k;
}

/*
 * ES256 over `data`: JOSE wants the raw r||s, 32 bytes each (RFC 7518,
 * section 3.4), where OpenSSL produces a DER ECDSA-Sig-Value. Returns
 * base64url, owned; NULL on failure (this runs on the server thread, where
 * Criterion's asserts must not be used).
 */
static char *es256(EVP_PKEY *key, const char *data)
{
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        unsigned char der[128], raw[64];
        const unsigned char *p = der;
        size_t len = sizeof(der);
        ECDSA_SIG *sig = NULL;
        const BIGNUM *r, *s;
        char *out = NULL;

        if (md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
            EVP_DigestSign(md, der, &len, (const unsigned char *)data, strlen(data)) == 1 &&
            (sig = d2i_ECDSA_SIG(NULL, &p, (long)len))) {
                ECDSA_SIG_get0(sig, &r, &s);
                if (BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32)
                        out = b64_url(raw, sizeof(raw));
        }
        ECDSA_SIG_free(sig);
        EVP_MD_CTX_free(md);
        return out;
}

/* "repository:test/bb:pull,push" → the access claim granting those actions; "" → []. */
static char *access_claim(const char *scope)
{
        const char *c1 = strchr(scope, ':'), *c2 = strrchr(scope, ':');
        kl_autobuf struct kl_buf acts = KL_BUF_INIT;

        if (!c1 || c1 == c2)
                return kl_strdup("[]");
        kl_autofree char *type = kl_strndup(scope, (size_t)(c1 - scope));
        kl_autofree char *name = kl_strndup(c1 + 1, (size_t)(c2 - c1 - 1));
        kl_autostrv char **actions = kl_strv_split(c2 + 1, ',');
        for (size_t i = 0; actions && actions[i]; i++)
                (void)kl_buf_printf(&acts, "%s\"%s\"", i ? "," : "", actions[i]);
        return kl_asprintf("[{\"type\":\"%s\",\"name\":\"%s\",\"actions\":[%s]}]", type, name,
                           acts.buf);
}

/* The claims distribution checks: iss, aud (the service), exp and nbf, and access. */
static char *make_token(const char *scope)
{
        bool stranger;
        unsigned serial;

        pthread_mutex_lock(&tok.lock);
        stranger = tok.flags & TOKEN_UNTRUSTED_KEY;
        serial = tok.n_reqs;
        pthread_mutex_unlock(&tok.lock);
        long long now = (long long)time(NULL);
        kl_autofree char *access = access_claim(scope);
        kl_autofree char *head = kl_asprintf("{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[\"%s\"]}",
                                             stranger ? tok.stranger_b64 : tok.cert_b64);
        kl_autofree char *claims = kl_asprintf(
                "{\"iss\":\"%s\",\"sub\":\"%s\",\"aud\":\"%s\",\"exp\":%lld,\"nbf\":%lld,"
                "\"iat\":%lld,\"jti\":\"kl-%lld-%u\",\"access\":%s}",
                TOKEN_ISSUER, TOKEN_SUBJECT, TOKEN_SERVICE, now + 300, now - 10, now, now, serial,
                access);
        kl_autofree char *h64 = b64_url((const unsigned char *)head, strlen(head));
        kl_autofree char *c64 = b64_url((const unsigned char *)claims, strlen(claims));
        kl_autofree char *input = kl_asprintf("%s.%s", h64, c64);
        kl_autofree char *sig = es256(stranger ? tok.stranger : tok.key, input);

        return sig ? kl_asprintf("%s.%s", input, sig) : NULL;
}

/* %XX and '+' of a query value, into `out` (truncated to its size). */
static void url_decode(const char *s, size_t len, char *out, size_t size)
{
        size_t n = 0;

        for (size_t i = 0; i < len && n + 1 < size; i++) {
                unsigned v;
                if (s[i] == '%' && i + 2 < len && sscanf(s + i + 1, "%2x", &v) == 1) {
                        out[n++] = (char)v;
                        i += 2;
                } else
                        out[n++] = s[i] == '+' ? ' ' : s[i];
        }
        out[n] = '\0';
}

static void query_param(const char *query, const char *name, char *out, size_t size)
{
        size_t nl = strlen(name);

        out[0] = '\0';
        for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
                if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
                        const char *end = strpbrk(p + nl + 1, "& ");
                        url_decode(p + nl + 1,
                                   end ? (size_t)(end - p - nl - 1) : strlen(p + nl + 1), out,
                                   size);
                        return;
                }
        }
}

static void token_reply(int fd, int status, const char *body)
{
        kl_autofree char *msg = kl_asprintf("HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                                            "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                                            status, strlen(body), body);

        (void)kl_write_all(fd, msg, strlen(msg));
}

/* One HTTP/1.1 request: GET /token?service=&scope= with optional Basic credentials. */
static void token_handle(int fd)
{
        char req[8192], path[4096] = { 0 };
        struct token_request rec = { 0 };

        (void)http_read_head(fd, req, sizeof(req));
        if (sscanf(req, "GET %4095s HTTP/1.1", path) != 1 || !kl_startswith(path, "/token")) {
                token_reply(fd, 404, "{}");
                return;
        }
        const char *query = strchr(path, '?');
        query_param(query ? query + 1 : NULL, "service", rec.service, sizeof(rec.service));
        query_param(query ? query + 1 : NULL, "scope", rec.scope, sizeof(rec.scope));
        for (const char *h = strstr(req, "\r\n"); h; h = strstr(h + 2, "\r\n")) {
                if (strncasecmp(h + 2, "Authorization: Basic ", 21) != 0)
                        continue;
                const char *v = h + 2 + 21;
                size_t vl = strcspn(v, "\r\n");
                unsigned char dec[96] = { 0 };
                /* Decoded, at most 3/4 of the text: only credentials that fit are recorded. */
                if (vl < 4 * (sizeof(rec.basic) / 3) &&
                    EVP_DecodeBlock(dec, (const unsigned char *)v, (int)vl) >= 0) {
                        size_t dl = strnlen((const char *)dec, sizeof(rec.basic) - 1);
                        memcpy(rec.basic, dec, dl);
                        rec.basic[dl] = '\0';
                }
        }
        pthread_mutex_lock(&tok.lock);
        if (tok.n_reqs < KL_ARRAY_SIZE(tok.reqs))
                tok.reqs[tok.n_reqs] = rec;
        tok.n_reqs++;
        pthread_mutex_unlock(&tok.lock);

        /* Anonymous pulls get a token, as Docker Hub's server gives them; wrong credentials not. */
        if (rec.basic[0] && !kl_streq(rec.basic, "kl:kl-pw")) {
                token_reply(fd, 401, "{\"details\":\"wrong credentials\"}");
                return;
        }
        kl_autofree char *jwt = make_token(rec.scope);
        if (!jwt) {
                token_reply(fd, 500, "{}");
                return;
        }
        kl_autofree char *body = kl_asprintf("{\"token\":\"%s\",\"access_token\":\"%s\","
                                             "\"expires_in\":300}",
                                             jwt, jwt);
        token_reply(fd, 200, body);
}

static void *token_serve(void *arg)
{
        (void)arg;
        for (;;) {
                int c = accept4(tok.fd, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        return NULL; /* shut down by token_server_stop() */
                }
                token_handle(c);
                (void)close(c);
        }
}

static void token_server_start(void)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        const char *dir = kl_test_tmpdir();

        tok.cert_pem = kl_asprintf("%s/token-cert.pem", dir);
        tok.key = make_key("kube-lite-test token signer", &tok.cert_b64, tok.cert_pem);
        tok.stranger = make_key("kube-lite-test stranger", &tok.stranger_b64, NULL);
        tok.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert_geq(tok.fd, 0);
        cr_assert_eq(bind(tok.fd, (struct sockaddr *)&a, sizeof(a)), 0);
        cr_assert_eq(getsockname(tok.fd, (struct sockaddr *)&a, &len), 0);
        cr_assert_eq(listen(tok.fd, 16), 0);
        tok.port = ntohs(a.sin_port);
        cr_assert_eq(pthread_create(&tok.thread, NULL, token_serve, NULL), 0);
}

static void token_server_stop(void)
{
        if (tok.fd < 0)
                return;
        /* Wakes accept() with EINVAL: the thread returns. */
        (void)shutdown(tok.fd, SHUT_RDWR);
        (void)pthread_join(tok.thread, NULL);
        (void)close(tok.fd);
        tok.fd = -1;
        EVP_PKEY_free(tok.key);
        EVP_PKEY_free(tok.stranger);
        free(tok.cert_b64);
        free(tok.stranger_b64);
        free(tok.cert_pem);
}

static unsigned token_requests(struct token_request *ret, size_t max)
{
        unsigned n;

        pthread_mutex_lock(&tok.lock);
        n = tok.n_reqs;
        for (size_t i = 0; i < n && i < max && i < KL_ARRAY_SIZE(tok.reqs); i++)
                ret[i] = tok.reqs[i];
        pthread_mutex_unlock(&tok.lock);
        return n;
}

/* Count the lines of the registry's log holding all three strings (`c` may be NULL). */
static int registry_log_lines(const char *a, const char *b, const char *c)
{
        kl_autofree char *text = NULL;
        int n = 0;

        cr_assert_eq(kl_read_file(reg.log, (size_t)64 << 20, &text, NULL), 0);
        for (const char *p = text; *p;) {
                const char *eol = strchr(p, '\n');
                size_t len = eol ? (size_t)(eol - p) : strlen(p);
                kl_autofree char *line = kl_strndup(p, len);
                if (strstr(line, a) && strstr(line, b) && (!c || strstr(line, c)))
                        n++;
                p += len + (eol ? 1 : 0);
        }
        return n;
}

/*
 * Push an image without auth, then restart the registry on the same storage
 * with token auth trusting the test's certificate. Returns the manifest digest.
 */
static char *token_registry_start(void)
{
        struct layer_spec v1[] = { { base_layer, KL_ARRAY_SIZE(base_layer) } };
        char *digest;

        registry_start(false);
        digest = push_image(v1, 1, "test/bb:v1", false);
        token_server_start();
        registry_kill();
        kl_autofree char *auth = kl_asprintf("  token:\n    realm: http://127.0.0.1:%d/token\n"
                                             "    service: %s\n    issuer: %s\n"
                                             "    rootcertbundle: %s\n",
                                             tok.port, TOKEN_SERVICE, TOKEN_ISSUER, tok.cert_pem);
        registry_run(auth);
        return digest;
}

Test(pull, token_auth, .fini = token_server_stop)
{
        struct token_request reqs[4];
        struct kl_rt_store *s;
        struct kl_rt_pull_stats st;
        struct kl_rt_image img;
        kl_autoerr struct kl_err *e = NULL;

        kl_autofree char *digest = token_registry_start();
        int blobs_before = registry_blob_gets();

        /* Anonymous: the manifest is refused, a token for pull is fetched, everything comes. */
        s = store_new();
        cr_assert_eq(pull(s, "test/bb:v1", NULL, &img, &st, &e), 0, "%s", kl_err_msg(e));
        cr_expect_str_eq(img.digest, digest);
        cr_expect_eq(st.blobs_fetched, 2, "config and layer");
        cr_expect_eq(st.layers_unpacked, 1);
        kl_rt_image_release(&img);
        cr_expect_eq(registry_log_lines(REFUSED, "/manifests/v1", NULL), 1,
                     "the first request was not refused for want of a token");
        cr_assert_eq(token_requests(reqs, KL_ARRAY_SIZE(reqs)), 1);
        cr_expect_str_eq(reqs[0].service, TOKEN_SERVICE);
        cr_expect_str_eq(reqs[0].scope, "repository:test/bb:pull");
        cr_expect_str_eq(reqs[0].basic, "", "credentials sent on an anonymous pull");
        /* The manifest again and both blobs with the token, none refused. */
        cr_expect_eq(registry_log_lines(AUTHORIZED, "/manifests/v1", NULL), 1);
        cr_expect_eq(registry_log_lines(AUTHORIZED, "/blobs/sha256:", NULL), 2);
        cr_expect_eq(registry_log_lines(REFUSED, "/blobs/sha256:", NULL), 0);
        cr_expect_eq(registry_blob_gets() - blobs_before, 2);
        cr_expect_eq(registry_log_lines("response completed",
                                        "/blobs/sha256:", "http.response.status=200"),
                     2);
        kl_rt_store_free(s);

        /* With credentials: they go to the token server (basic), never to the registry. */
        s = store_new();
        struct kl_rt_pull_opts good = { .username = "kl", .password = "kl-pw" };
        cr_assert_eq(pull(s, "test/bb:v1", &good, NULL, &st, &e), 0, "%s", kl_err_msg(e));
        cr_expect_eq(st.blobs_fetched, 2);
        cr_assert_eq(token_requests(reqs, KL_ARRAY_SIZE(reqs)), 2);
        cr_expect_str_eq(reqs[1].basic, "kl:kl-pw");
        cr_expect_str_eq(reqs[1].scope, "repository:test/bb:pull");
        kl_rt_store_free(s);
}

Test(pull, token_auth_refused, .fini = token_server_stop)
{
        struct kl_rt_store *s;
        kl_autoerr struct kl_err *e = NULL;

        free(token_registry_start());
        s = store_new();
        /* The token server refuses wrong credentials: no token, unauthorized. */
        struct kl_rt_pull_opts bad = { .username = "kl", .password = "wrong" };
        cr_expect_eq(pull(s, "test/bb:v1", &bad, NULL, NULL, &e), -KL_EUNAUTHORIZED, "%s",
                     kl_err_msg(e));
        struct token_request reqs[2];
        cr_assert_eq(token_requests(reqs, KL_ARRAY_SIZE(reqs)), 1);
        cr_expect_str_eq(reqs[0].basic, "kl:wrong");
        kl_err_free(KL_TAKE_PTR(e));
        /* A well-formed token signed by a key the registry does not trust is refused by it. */
        pthread_mutex_lock(&tok.lock);
        tok.flags |= TOKEN_UNTRUSTED_KEY;
        pthread_mutex_unlock(&tok.lock);
        cr_expect_eq(pull(s, "test/bb:v1", NULL, NULL, NULL, &e), -KL_EUNAUTHORIZED, "%s",
                     kl_err_msg(e));
        cr_expect_eq(registry_log_lines("msg=\"error authorizing context: invalid token\"",
                                        "/manifests/v1", NULL),
                     1);
        cr_expect_eq(
                registry_log_lines("unable to verify certificate chain", "unknown authority", NULL),
                1);
        cr_expect_eq(registry_log_lines(AUTHORIZED, "/v2/", NULL), 0);
        cr_expect_eq(registry_blob_gets(), 0, "a blob was served without a valid token");
        kl_rt_store_free(s);
}
