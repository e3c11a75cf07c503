/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pulls against a small registry written here, for what a real one will
 * not do on demand: a Bearer token server, a corrupted blob, Range ignored
 * or honoured, a blob larger than declared. It serves an OCI layout from a
 * directory, on 127.0.0.1 only, from a forked child; every request line is
 * appended to a log the test reads.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/base.h"
#include "runtime/rt.h"
#include "testing/testing.h"

#include "rt-test.h"

enum fake_flags {
        FAKE_TOKEN = 1 << 0,         /* blobs and manifests need "Bearer TOKEN" */
        FAKE_CORRUPT = 1 << 1,       /* flip a byte of every layer blob */
        FAKE_IGNORE_RANGE = 1 << 2,  /* answer a Range request with 200 and everything */
        FAKE_EXTRA_BYTES = 1 << 3,   /* send blobs with trailing bytes beyond their size */
        FAKE_BIG_MANIFEST = 1 << 4,  /* a 5 MiB manifest */
        FAKE_WRONG_DIGEST = 1 << 5,  /* a Docker-Content-Digest that is not the body's */
        FAKE_TOKEN_EXPIRES = 1 << 6, /* with FAKE_TOKEN: each token is good for 2 requests */
};

static struct {
        pid_t pid;
        int port;
        char host[32];
        char *layout;          /* owned */
        char *log;             /* owned */
        char *manifest_digest; /* owned: what tag "t" names */
        unsigned flags;
} fake;

static int respond(int fd, int status, const char *extra_headers, const char *body, size_t len)
{
        kl_autofree char *head = kl_asprintf("HTTP/1.1 %d X\r\nContent-Length: %zu\r\n"
                                             "Connection: close\r\n%s\r\n",
                                             status, len, extra_headers ? extra_headers : "");

        (void)kl_write_all(fd, head, strlen(head));
        if (len > 0)
                (void)kl_write_all(fd, body, len);
        return 0;
}

static const char *header(const char *req, const char *name)
{
        for (const char *p = strstr(req, "\r\n"); p; p = strstr(p + 2, "\r\n"))
                if (strncasecmp(p + 2, name, strlen(name)) == 0)
                        return p + 2 + strlen(name);
        return NULL;
}

/* The server is one process serving one request at a time: plain statics are its state. */
static int token_serial, token_uses;

static int serve_one(int fd)
{
        char req[8192];

        (void)http_read_head(fd, req, sizeof(req));
        char method[8] = { 0 }, path[2048] = { 0 };
        if (sscanf(req, "%7s %2047s", method, path) != 2)
                return 0;
        const char *auth = header(req, "Authorization: ");
        const char *range = header(req, "Range: bytes=");
        {
                int lf = open(fake.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
                kl_autofree char *line = kl_asprintf("%s %s%s%s\n", method, path,
                                                     range ? " range" : "", auth ? " auth" : "");
                (void)kl_write_all(lf, line, strlen(line));
                (void)close(lf);
        }
        if (kl_startswith(path, "/token")) {
                if (!strstr(path, "service=fake") ||
                    !strstr(path, "scope=repository%3Atest%2Fx%3Apull"))
                        return respond(fd, 400, NULL, "", 0);
                kl_autofree char *body =
                        kl_asprintf("{\"token\":\"tok-%d\",\"expires_in\":300}", ++token_serial);
                token_uses = 0;
                return respond(fd, 200, "Content-Type: application/json\r\n", body, strlen(body));
        }
        bool token_ok = false;
        if (auth && kl_startswith(auth, "Bearer tok-")) {
                int serial = 0;
                (void)sscanf(auth, "Bearer tok-%d", &serial);
                token_ok = serial == token_serial &&
                           (!(fake.flags & FAKE_TOKEN_EXPIRES) || ++token_uses <= 2);
        }
        if ((fake.flags & FAKE_TOKEN) && !token_ok) {
                kl_autofree char *h = kl_asprintf(
                        "WWW-Authenticate: Bearer realm=\"http://%s/token\",service=\"fake\","
                        "scope=\"repository:test/x:pull\"\r\n",
                        fake.host);
                return respond(fd, 401, h, "", 0);
        }
        const char *what = kl_startswith(path, "/v2/test/x/manifests/");
        const char *blob = kl_startswith(path, "/v2/test/x/blobs/");
        bool is_manifest = what != NULL;
        if (what && kl_streq(what, "t"))
                what = fake.manifest_digest;
        if (!what)
                what = blob;
        if (!what || !kl_rt_digest_is_valid(what))
                return respond(fd, 404, NULL, "", 0);
        kl_autofree char *file = kl_asprintf("%s/blobs/sha256/%s", fake.layout, what + 7);
        kl_autofree char *data = NULL;
        size_t len = 0;
        if (kl_read_file(file, (size_t)64 << 20, &data, &len) < 0)
                return respond(fd, 404, NULL, "", 0);
        if (is_manifest && (fake.flags & FAKE_BIG_MANIFEST)) {
                size_t big = (size_t)5 << 20;
                kl_autofree char *body = kl_malloc(big);
                memset(body, ' ', big);
                memcpy(body, data, len);
                return respond(fd, 200, "Content-Type: " KL_RT_MT_OCI_MANIFEST "\r\n", body, big);
        }
        if (is_manifest && (fake.flags & FAKE_WRONG_DIGEST))
                return respond(
                        fd, 200,
                        "Content-Type: " KL_RT_MT_OCI_MANIFEST "\r\n"
                        "Docker-Content-Digest: sha256:"
                        "0000000000000000000000000000000000000000000000000000000000000000\r\n",
                        data, len);
        if (is_manifest)
                return respond(fd, 200, "Content-Type: " KL_RT_MT_OCI_MANIFEST "\r\n", data, len);
        bool is_layer = len > 1000;
        if ((fake.flags & FAKE_CORRUPT) && is_layer)
                data[len / 2] ^= 1;
        if ((fake.flags & FAKE_EXTRA_BYTES) && is_layer) {
                kl_autofree char *more = kl_malloc(len + 10);
                memcpy(more, data, len);
                memset(more + len, 'x', 10);
                return respond(fd, 200, NULL, more, len + 10);
        }
        uint64_t from = 0;
        if (range && !(fake.flags & FAKE_IGNORE_RANGE) &&
            sscanf(range, "%llu-", (unsigned long long *)&from) == 1 && from < len) {
                kl_autofree char *h = kl_asprintf("Content-Range: bytes %llu-%zu/%zu\r\n",
                                                  (unsigned long long)from, len - 1, len);
                return respond(fd, 206, h, data + from, len - from);
        }
        return respond(fd, 200, NULL, data, len);
}

static void fake_start(unsigned flags, const struct layer_spec *layers, size_t n)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t alen = sizeof(a);
        int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        size_t size;

        fake.flags = flags;
        fake.layout = kl_strdup(kl_test_tmpdir());
        fake.log = kl_asprintf("%s/requests.log", fake.layout);
        fake.manifest_digest = layout_image(fake.layout, layers, n, "amd64", &size);
        cr_assert_geq(lfd, 0);
        cr_assert_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
        cr_assert_eq(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
        cr_assert_eq(listen(lfd, 64), 0);
        fake.port = ntohs(a.sin_port);
        (void)snprintf(fake.host, sizeof(fake.host), "127.0.0.1:%d", fake.port);
        fake.pid = fork();
        cr_assert_geq(fake.pid, 0);
        if (fake.pid == 0) {
                for (;;) {
                        int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                        if (c < 0)
                                continue;
                        (void)serve_one(c);
                        (void)close(c);
                }
        }
        (void)close(lfd);
}

static void suite_init(void)
{
        cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
}

static void suite_fini(void)
{
        if (fake.pid > 0) {
                (void)kill(fake.pid, SIGKILL);
                (void)waitpid(fake.pid, NULL, 0);
        }
        free(fake.layout);
        free(fake.log);
        free(fake.manifest_digest);
        curl_global_cleanup();
}

TestSuite(fake, .init = suite_init, .fini = suite_fini);

static const struct tar_entry big_layer[] = {
        { 'd', "bin", NULL, 0755 },
        { 'B', "bin/busybox", "/bin/busybox", 0755 },
};
static const struct tar_entry small_layer[] = { { 'f', "hello", "hello\n", 0644 } };

static void need_busybox(void)
{
        if (access("/bin/busybox", R_OK) < 0)
                cr_skip_test("busybox-static is not installed (apt-get install busybox-static)");
}

static int do_pull(struct kl_rt_store *s, struct kl_rt_pull_stats *st, struct kl_err **err)
{
        char *insecure[] = { fake.host, NULL };
        struct kl_rt_pull_opts o = { .insecure = insecure };
        kl_autofree char *ref = kl_asprintf("%s/test/x:t", fake.host);

        return kl_rt_pull(s, ref, &o, NULL, st, err);
}

static int count_log(const char *needle)
{
        kl_autofree char *text = NULL;
        int n = 0;

        if (kl_read_file(fake.log, (size_t)16 << 20, &text, NULL) < 0)
                return 0;
        for (const char *p = text; (p = strstr(p, needle)); p++)
                n++;
        return n;
}

static struct kl_rt_store *store_new(void)
{
        struct kl_rt_store *s = NULL;

        cr_assert_eq(kl_rt_store_open(kl_test_tmpdir(), &s, NULL), 0);
        return s;
}

Test(fake, bearer_token_flow)
{
        struct layer_spec l[] = { { small_layer, 1 } };
        struct kl_rt_store *s = store_new();
        struct kl_rt_pull_stats st;
        kl_autoerr struct kl_err *e = NULL;

        fake_start(FAKE_TOKEN, l, 1);
        cr_assert_eq(do_pull(s, &st, &e), 0, "%s", kl_err_msg(e));
        cr_expect_eq(count_log("GET /token"), 1, "one token for the whole pull");
        /* 401, token, manifest, config, layer. */
        cr_expect_eq(st.requests, 5);
        cr_expect_eq(count_log("/blobs/sha256:"), 2);
        kl_rt_store_free(s);
}

Test(fake, corrupted_blob_rejected)
{
        struct layer_spec l[] = { { big_layer, 2 } };
        struct kl_rt_store *s = store_new();
        kl_autoerr struct kl_err *e = NULL;

        need_busybox();
        fake_start(FAKE_CORRUPT, l, 1);
        cr_expect_eq(do_pull(s, NULL, &e), -EILSEQ, "%s", kl_err_msg(e));
        kl_autofree char *blobs = kl_asprintf("%s/blobs/sha256", kl_rt_store_root(s));
        kl_autofree char *ingest = kl_asprintf("%s/ingest", kl_rt_store_root(s));
        /* Only the manifest and the config are stored; no partial layer is kept. */
        int n = 0;
        kl_autoclosedir DIR *d = opendir(blobs);
        for (struct dirent *de; (de = readdir(d));)
                n += de->d_name[0] != '.';
        cr_expect_eq(n, 2);
        kl_autoclosedir DIR *d2 = opendir(ingest);
        for (struct dirent *de; (de = readdir(d2));)
                cr_expect(de->d_name[0] == '.', "'%s' left in ingest/", de->d_name);
        kl_rt_store_free(s);
}

Test(fake, blob_larger_than_declared_refused)
{
        struct layer_spec l[] = { { big_layer, 2 } };
        struct kl_rt_store *s = store_new();
        kl_autoerr struct kl_err *e = NULL;

        need_busybox();
        fake_start(FAKE_EXTRA_BYTES, l, 1);
        cr_expect_eq(do_pull(s, NULL, &e), -E2BIG, "%s", kl_err_msg(e));
        kl_rt_store_free(s);
}

/* Put the first `num`/`den` of the layer blob in the store's ingest/ as an interrupted download. */
static size_t plant_part(struct kl_rt_store *s, size_t num, size_t den)
{
        kl_autofree char *man = NULL, *text = NULL;
        size_t len;
        struct kl_rt_manifest m;
        struct kl_rt_store *src = NULL;

        cr_assert_eq(kl_rt_store_open(fake.layout, &src, NULL), 0);
        cr_assert_eq(kl_rt_store_read_blob(src, fake.manifest_digest, 1 << 20, &man, &len, NULL),
                     0);
        cr_assert_eq(kl_rt_manifest_parse(man, len, NULL, &m, NULL), 0);
        cr_assert_eq(kl_rt_store_read_blob(src, m.entries[0].digest, 64 << 20, &text, &len, NULL),
                     0);
        kl_autofree char *partial =
                kl_asprintf("%s/ingest/%s", kl_rt_store_root(s), m.entries[0].digest + 7);
        cr_assert_eq(kl_write_file_atomic(partial, text, len * num / den, 0600, 0), 0);
        kl_rt_manifest_release(&m);
        kl_rt_store_free(src);
        return len;
}

Test(fake, resume_with_range)
{
        struct layer_spec l[] = { { big_layer, 2 } };
        struct kl_rt_store *s = store_new();
        struct kl_rt_pull_stats st;
        kl_autoerr struct kl_err *e = NULL;

        need_busybox();
        fake_start(0, l, 1);
        size_t full = plant_part(s, 1, 2);
        cr_assert_eq(do_pull(s, &st, &e), 0, "%s", kl_err_msg(e));
        cr_expect_eq(st.blobs_resumed, 1);
        cr_expect_eq(count_log(" range"), 1);
        cr_expect_lt(st.bytes, full / 2 + 10000, "%llu bytes for a half-done blob of %zu",
                     (unsigned long long)st.bytes, full);
        cr_expect_eq(st.layers_unpacked, 1);
        kl_rt_store_free(s);
}

Test(fake, resume_when_range_ignored)
{
        struct layer_spec l[] = { { big_layer, 2 } };
        struct kl_rt_store *s = store_new();
        struct kl_rt_pull_stats st;
        kl_autoerr struct kl_err *e = NULL;

        need_busybox();
        fake_start(FAKE_IGNORE_RANGE, l, 1);
        size_t full = plant_part(s, 1, 2);
        cr_assert_eq(do_pull(s, &st, &e), 0, "%s", kl_err_msg(e));
        cr_expect_eq(count_log(" range"), 1);
        cr_expect_gt(st.bytes, full, "the whole blob comes again");
        cr_expect_eq(st.layers_unpacked, 1);
        kl_rt_store_free(s);
}

Test(fake, manifest_limits_and_digest_header)
{
        struct layer_spec l[] = { { small_layer, 1 } };
        struct kl_rt_store *s = store_new();
        kl_autoerr struct kl_err *e = NULL;

        fake_start(FAKE_BIG_MANIFEST, l, 1);
        cr_expect_eq(do_pull(s, NULL, &e), -E2BIG, "%s", kl_err_msg(e));
        kl_err_free(KL_TAKE_PTR(e));
        /* The server is a fork: start another one with the new behaviour. */
        (void)kill(fake.pid, SIGKILL);
        (void)waitpid(fake.pid, NULL, 0);
        free(fake.layout);
        free(fake.log);
        free(fake.manifest_digest);
        fake_start(FAKE_WRONG_DIGEST, l, 1);
        cr_expect_eq(do_pull(s, NULL, &e), -EILSEQ, "%s", kl_err_msg(e));
        kl_rt_store_free(s);
}

Test(fake, token_renewed_when_it_expires)
{
        struct layer_spec l[] = { { small_layer, 1 }, { big_layer, 2 } };
        struct kl_rt_store *s = store_new();
        struct kl_rt_pull_stats st;
        kl_autoerr struct kl_err *e = NULL;

        need_busybox();
        fake_start(FAKE_TOKEN | FAKE_TOKEN_EXPIRES, l, 2);
        cr_assert_eq(do_pull(s, &st, &e), 0, "%s", kl_err_msg(e));
        cr_expect_geq(count_log("GET /token"), 2, "the token was not renewed");
        cr_expect_eq(st.layers_unpacked, 2);
        kl_rt_store_free(s);
}

Test(fake, resume_of_a_complete_partial)
{
        struct layer_spec l[] = { { big_layer, 2 } };
        struct kl_rt_store *s = store_new();
        struct kl_rt_pull_stats st;
        kl_autoerr struct kl_err *e = NULL;

        need_busybox();
        fake_start(0, l, 1);
        /* Every byte was written, the commit never happened. */
        (void)plant_part(s, 1, 1);
        cr_assert_eq(do_pull(s, &st, &e), 0, "%s", kl_err_msg(e));
        cr_expect_eq(count_log(" range"), 0);
        cr_expect_eq(count_log("/blobs/"), 1, "only the config is downloaded");
        cr_expect_eq(st.layers_unpacked, 1);
        kl_rt_store_free(s);
}

Test(fake, concurrent_pulls_download_each_blob_once)
{
        struct layer_spec l[] = { { small_layer, 1 }, { big_layer, 2 } };
        struct kl_rt_store *s = store_new();
        kl_autoerr struct kl_err *e = NULL;
        int status = 0;

        need_busybox();
        fake_start(0, l, 2);
        /* Two processes, one store: as two pods of one node starting at once. */
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                struct kl_rt_store *s2 = NULL;
                int r = kl_rt_store_open(kl_rt_store_root(s), &s2, NULL);
                if (r == 0)
                        r = do_pull(s2, NULL, NULL);
                _exit(r == 0 ? 0 : 1);
        }
        cr_expect_eq(do_pull(s, NULL, &e), 0, "%s", kl_err_msg(e));
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the other pull failed");
        /* Config and two layers, each served once in all. */
        cr_expect_eq(count_log("/blobs/"), 3);
        kl_rt_store_free(s);
}
