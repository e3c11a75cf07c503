/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pulls over the OCI distribution API with libcurl: manifest resolution with
 * the full Accept list, the WWW-Authenticate flow, and the blobs the store
 * lacks fetched in parallel on one curl multi handle.
 */
#include "runtime/rt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "base/base.h"
#include "runtime/rt-internal.h"
#include "json/json.h"

/*
 * distribution serves an OCI index only when it is accepted (404 otherwise)
 * and turns a manifest list into one manifest when only the Docker v2 type
 * is accepted, so every type is always listed.
 */
static const char accept_header[] = "Accept: " KL_RT_MT_OCI_INDEX ", " KL_RT_MT_DOCKER_LIST
                                    ", " KL_RT_MT_OCI_MANIFEST ", " KL_RT_MT_DOCKER_MANIFEST;

#define TOKEN_MAX   ((size_t)1 << 20)
#define HEADER_MAX  ((size_t)8 << 10)
#define ERRBODY_MAX ((size_t)4 << 10)

struct pull {
        struct kl_rt_store *s;              /* borrowed */
        const struct kl_rt_pull_opts *opts; /* borrowed */
        struct kl_rt_ref ref;               /* owned */
        char *base;                         /* owned: "<scheme>://<host>/v2/<path>" */
        char *auth;                         /* owned: an Authorization header line, or NULL */
        bool auth_tried;
        struct kl_rt_pull_stats st;
};

static void pull_release(struct pull *p)
{
        kl_rt_ref_release(&p->ref);
        free(p->base);
        /* Credentials do not linger in freed memory. */
        if (p->auth)
                OPENSSL_cleanse(p->auth, strlen(p->auth));
        free(p->auth);
}

static void slist_freep(struct curl_slist **l)
{
        curl_slist_free_all(*l);
}

static void easy_freep(CURL **c)
{
        if (*c)
                curl_easy_cleanup(*c);
}

static bool is_insecure(const struct pull *p)
{
        return p->opts && p->opts->insecure && kl_strv_contains(p->opts->insecure, p->ref.domain);
}

/* Options every request gets (R9.12): error buffer, protocols, TLS never off, no signals. */
static void easy_setup(struct pull *p, CURL *c, char *errbuf)
{
        const char *protos = is_insecure(p) ? "http,https" : "https";

        errbuf[0] = '\0';
        (void)curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        (void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        (void)curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protos);
        (void)curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, protos);
        (void)curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        (void)curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
        (void)curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        /* A stalled registry: under 1 KiB/s for a minute aborts the transfer. */
        (void)curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
        (void)curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        (void)curl_easy_setopt(c, CURLOPT_USERAGENT, "kube-lite");
        if (p->opts && p->opts->ca_file)
                (void)curl_easy_setopt(c, CURLOPT_CAINFO, p->opts->ca_file);
        p->st.requests++;
}

static int curl_fail(struct kl_err **err, CURLcode rc, const char *errbuf, const char *what,
                     const char *url)
{
        int code = rc == CURLE_FILESIZE_EXCEEDED || rc == CURLE_WRITE_ERROR ? -E2BIG
                   : rc == CURLE_OPERATION_TIMEDOUT                         ? -ETIMEDOUT
                                                                            : -EIO;
        return kl_err_set(err, code, "%s '%s': %s%s%s", what, url, curl_easy_strerror(rc),
                          *errbuf ? ": " : "", errbuf);
}

/* ---- single requests: manifests and tokens ---- */

struct response {
        struct kl_buf body;   /* bounded by the caller's limit */
        struct kl_buf ctype;  /* Content-Type */
        struct kl_buf www;    /* WWW-Authenticate */
        struct kl_buf digest; /* Docker-Content-Digest */
        long status;
};

static void response_release(struct response *r)
{
        kl_buf_release(&r->body);
        kl_buf_release(&r->ctype);
        kl_buf_release(&r->www);
        kl_buf_release(&r->digest);
}

static size_t body_cb(char *data, size_t size, size_t n, void *arg)
{
        struct kl_buf *b = arg;

        /* Returning less than given makes curl fail the transfer with CURLE_WRITE_ERROR. */
        return kl_buf_append(b, data, size * n) < 0 ? 0 : size * n;
}

static void header_value(const char *line, size_t len, const char *name, struct kl_buf *out)
{
        size_t nl = strlen(name);

        if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
                return;
        line += nl + 1;
        len -= nl + 1;
        while (len > 0 && (*line == ' ' || *line == '\t')) {
                line++;
                len--;
        }
        while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' '))
                len--;
        /* A redirect's headers are replaced by the final response's. */
        kl_buf_reset(out);
        (void)kl_buf_append(out, line, len);
}

static size_t header_cb(char *data, size_t size, size_t n, void *arg)
{
        struct response *r = arg;
        size_t len = size * n;

        if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
                kl_buf_reset(&r->ctype);
                kl_buf_reset(&r->www);
                kl_buf_reset(&r->digest);
                kl_buf_reset(&r->body);
        }
        header_value(data, len, "content-type", &r->ctype);
        header_value(data, len, "www-authenticate", &r->www);
        header_value(data, len, "docker-content-digest", &r->digest);
        return len;
}

static int get(struct pull *p, const char *url, bool accept, const char *auth, size_t max,
               struct response *ret, struct kl_err **err)
{
        kl_cleanup(easy_freep) CURL *c = curl_easy_init();
        kl_cleanup(slist_freep) struct curl_slist *h = NULL;
        char errbuf[CURL_ERROR_SIZE];
        CURLcode rc;

        kl_assert(c);
        kl_buf_init(&ret->body, max);
        kl_buf_init(&ret->ctype, HEADER_MAX);
        kl_buf_init(&ret->www, HEADER_MAX);
        kl_buf_init(&ret->digest, HEADER_MAX);
        easy_setup(p, c, errbuf);
        if (accept)
                h = curl_slist_append(h, accept_header);
        if (auth)
                h = curl_slist_append(h, auth);
        (void)curl_easy_setopt(c, CURLOPT_URL, url);
        (void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        (void)curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
        (void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
        (void)curl_easy_setopt(c, CURLOPT_WRITEDATA, &ret->body);
        (void)curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
        (void)curl_easy_setopt(c, CURLOPT_HEADERDATA, ret);
        rc = curl_easy_perform(c);
        if (rc != CURLE_OK)
                return curl_fail(err, rc, errbuf, "GET", url);
        (void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &ret->status);
        p->st.bytes += ret->body.len;
        return 0;
}

static char *base64(const char *s)
{
        size_t n = strlen(s);
        char *out = kl_malloc(4 * ((n + 2) / 3) + 1);

        (void)EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
        return out;
}

static char *basic_header(const struct pull *p)
{
        kl_autofree char *pair =
                kl_asprintf("%s:%s", p->opts->username, p->opts->password ? p->opts->password : "");
        kl_autofree char *b64 = base64(pair);
        char *h = kl_asprintf("Authorization: Basic %s", b64);

        OPENSSL_cleanse(pair, strlen(pair));
        return h;
}

static bool has_creds(const struct pull *p)
{
        return p->opts && p->opts->username;
}

/* Bearer: GET realm?service=&scope= (with basic credentials if we have them), read the token. */
static int fetch_token(struct pull *p, const struct kl_rt_challenge *ch, struct kl_err **err)
{
        kl_cleanup(easy_freep) CURL *c = curl_easy_init();
        kl_autobuf struct kl_buf url = KL_BUF_INIT;
        kl_autofree char *basic = has_creds(p) ? basic_header(p) : NULL;
        struct response resp = { 0 };
        json_auto_t *doc = NULL;
        const char *tok = NULL;
        char sep = strchr(ch->realm, '?') ? '&' : '?';
        int r;

        kl_assert(c);
        (void)kl_buf_puts(&url, ch->realm);
        if (ch->service) {
                char *e = curl_easy_escape(c, ch->service, 0);
                (void)kl_buf_printf(&url, "%cservice=%s", sep, e);
                curl_free(e);
                sep = '&';
        }
        kl_autofree char *scope =
                ch->scope ? kl_strdup(ch->scope) : kl_asprintf("repository:%s:pull", p->ref.path);
        char *e = curl_easy_escape(c, scope, 0);
        (void)kl_buf_printf(&url, "%cscope=%s", sep, e);
        curl_free(e);

        r = get(p, url.buf, false, basic, TOKEN_MAX, &resp, err);
        if (r < 0) {
                response_release(&resp);
                return kl_err_wrap(err, r, "token");
        }
        if (resp.status != 200) {
                long st = resp.status;
                response_release(&resp);
                return kl_err_set(err, st == 401 || st == 403 ? -KL_EUNAUTHORIZED : -EIO,
                                  "token from '%s': HTTP %ld", ch->realm, st);
        }
        r = kl_json_decode(resp.body.buf, resp.body.len, TOKEN_MAX, &doc, err);
        response_release(&resp);
        if (r < 0)
                return kl_err_wrap(err, r, "token from '%s'", ch->realm);
        /* Docker's token server sends "token"; OAuth2-style servers "access_token". */
        if (kl_json_get_str(doc, "token", &tok, NULL) < 0 &&
            kl_json_get_str(doc, "access_token", &tok, NULL) < 0)
                return kl_err_set(err, -EINVAL, "token from '%s': no token in the response",
                                  ch->realm);
        if (strpbrk(tok, "\r\n") || strlen(tok) == 0)
                return kl_err_set(err, -EINVAL, "token from '%s': malformed token", ch->realm);
        free(p->auth);
        p->auth = kl_asprintf("Authorization: Bearer %s", tok);
        return 0;
}

/* React to a 401: set p->auth from the challenge. -KL_EUNAUTHORIZED when there is nothing to try.
 */
static int authenticate(struct pull *p, const char *www, struct kl_err **err)
{
        kl_cleanup(kl_rt_challenge_release) struct kl_rt_challenge ch = { 0 };
        int r;

        if (p->auth_tried)
                return kl_err_set(err, -KL_EUNAUTHORIZED, "registry '%s': unauthorized",
                                  p->ref.domain);
        p->auth_tried = true;
        r = kl_rt_challenge_parse(www, &ch, err);
        if (r < 0)
                return kl_err_wrap(err, r, "registry '%s'", p->ref.domain);
        if (kl_streq(ch.scheme, "bearer") && ch.realm) {
                /* The realm gets credentials: it must be as safe as the registry itself. */
                if (!kl_startswith(ch.realm, "https://") &&
                    !(is_insecure(p) && kl_startswith(ch.realm, "http://")))
                        return kl_err_set(err, -EPERM, "registry '%s': token realm '%s' not https",
                                          p->ref.domain, ch.realm);
                return fetch_token(p, &ch, err);
        }
        if (kl_streq(ch.scheme, "basic") && has_creds(p)) {
                free(p->auth);
                p->auth = basic_header(p);
                return 0;
        }
        return kl_err_set(err, -KL_EUNAUTHORIZED, "registry '%s': unauthorized (%s)", p->ref.domain,
                          ch.scheme);
}

/* GET with the auth flow: one retry after a 401 with a challenge. */
static int get_authed(struct pull *p, const char *url, bool accept, size_t max,
                      struct response *ret, struct kl_err **err)
{
        int r;

        for (int attempt = 0;; attempt++) {
                r = get(p, url, accept, p->auth, max, ret, err);
                if (r < 0 || ret->status != 401 || attempt > 0)
                        return r;
                kl_autofree char *www = kl_strdup(ret->www.buf);
                response_release(ret);
                r = authenticate(p, www, err);
                if (r < 0)
                        return r;
        }
}

/* Fetch (or read from the store) the manifest `what` (a tag or digest) and store it. */
static int fetch_manifest(struct pull *p, const char *what, const char *want_digest,
                          char **ret_digest, struct kl_rt_manifest *ret, struct kl_err **err)
{
        kl_autofree char *url = NULL, *digest = NULL, *local = NULL;
        kl_cleanup(response_release) struct response resp = { 0 };
        size_t len = 0;
        int r;

        if (want_digest && kl_rt_store_has_blob(p->s, want_digest, -1) &&
            kl_rt_store_read_blob(p->s, want_digest, KL_RT_MANIFEST_MAX, &local, &len, NULL) == 0) {
                r = kl_rt_manifest_parse(local, len, NULL, ret, err);
                if (r < 0)
                        return r;
                *ret_digest = kl_strdup(want_digest);
                return 0;
        }
        url = kl_asprintf("%s/manifests/%s", p->base, what);
        r = get_authed(p, url, true, KL_RT_MANIFEST_MAX, &resp, err);
        if (r < 0)
                return r;
        if (resp.status != 200)
                return kl_err_set(err,
                                  resp.status == 404   ? -ENOENT
                                  : resp.status == 401 ? -KL_EUNAUTHORIZED
                                                       : -EIO,
                                  "manifest '%s': HTTP %ld", url, resp.status);
        digest = kl_rt_digest_of(resp.body.buf, resp.body.len);
        if (want_digest && !kl_streq(digest, want_digest))
                return kl_err_set(err, -EILSEQ, "manifest '%s': content has digest %s", url,
                                  digest);
        if (resp.digest.len > 0 && kl_startswith(resp.digest.buf, "sha256:") &&
            !kl_streq(resp.digest.buf, digest))
                return kl_err_set(err, -EILSEQ,
                                  "manifest '%s': Docker-Content-Digest %s, content has %s", url,
                                  resp.digest.buf, digest);
        r = kl_rt_manifest_parse(resp.body.buf, resp.body.len, resp.ctype.buf, ret, err);
        if (r < 0)
                return r;
        r = kl_rt_store_put_blob(p->s, resp.body.buf, resp.body.len, digest, NULL, err);
        if (r < 0) {
                kl_rt_manifest_release(ret);
                return r;
        }
        *ret_digest = KL_TAKE_PTR(digest);
        return 0;
}

/* Drop the token and authenticate again through a fresh challenge on the manifest. */
static int refresh_token(struct pull *p, const char *manifest_digest, struct kl_err **err)
{
        kl_autofree char *url = kl_asprintf("%s/manifests/%s", p->base, manifest_digest);
        kl_cleanup(response_release) struct response resp = { 0 };
        int r;

        OPENSSL_cleanse(p->auth, strlen(p->auth));
        free(p->auth);
        p->auth = NULL;
        p->auth_tried = false;
        r = get_authed(p, url, true, KL_RT_MANIFEST_MAX, &resp, err);
        if (r < 0)
                return r;
        if (resp.status != 200)
                return kl_err_set(err, resp.status == 401 ? -KL_EUNAUTHORIZED : -EIO,
                                  "manifest '%s': HTTP %ld", url, resp.status);
        return 0;
}

/* ---- blobs, in parallel ---- */

struct transfer {
        struct pull *p;                   /* borrowed */
        const struct kl_rt_descriptor *d; /* borrowed from the manifest */
        struct kl_rt_blob_writer *w;      /* owned */
        CURL *c;                          /* owned */
        struct curl_slist *h;             /* owned */
        char *url;                        /* owned */
        int64_t start;                    /* offset asked for with Range */
        bool restarted;
        struct kl_err *werr; /* owned: why the write callback stopped */
        char errbuf[CURL_ERROR_SIZE];
};

static void transfer_release(struct transfer *t)
{
        kl_rt_blob_writer_free(t->w);
        if (t->c)
                curl_easy_cleanup(t->c);
        curl_slist_free_all(t->h);
        free(t->url);
        kl_err_free(t->werr);
}

static size_t blob_cb(char *data, size_t size, size_t n, void *arg)
{
        struct transfer *t = arg;
        long status = 0;

        (void)curl_easy_getinfo(t->c, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200 && status != 206)
                return size * n; /* an error body: the status is reported after the transfer */
        /* A server that ignores Range sends the whole blob with 200. */
        if (status == 200 && t->start > 0 && !t->restarted) {
                if (kl_rt_blob_writer_restart(t->w, &t->werr) < 0)
                        return 0;
                t->restarted = true;
        }
        if (kl_rt_blob_writer_write(t->w, data, size * n, &t->werr) < 0)
                return 0;
        t->p->st.bytes += size * n;
        return size * n;
}

static void err_clear(struct kl_err **err)
{
        if (err) {
                kl_err_free(*err);
                *err = NULL;
        }
}

static int transfer_start(struct pull *p, CURLM *m, const struct kl_rt_descriptor *d,
                          unsigned wflags, struct transfer *t, struct kl_err **err)
{
        int r;

        *t = (struct transfer){ .p = p, .d = d };
        r = kl_rt_blob_writer_open(p->s, d->digest, d->size, KL_RT_BLOB_RESUME | wflags, &t->w,
                                   err);
        if (r == -EEXIST) {
                err_clear(err); /* a concurrent pull stored it: nothing to fetch */
                return 0;
        }
        if (r < 0)
                return r;
        t->start = kl_rt_blob_writer_offset(t->w);
        if (t->start == d->size) {
                /*
                 * Complete but not committed (a crash just before the rename): a Range from
                 * the end would get 416, so verify what is there; wrong bytes start over.
                 */
                if (kl_rt_blob_writer_commit(t->w, NULL) == 0)
                        return 0;
                kl_rt_blob_writer_free(KL_TAKE_PTR(t->w));
                r = kl_rt_blob_writer_open(p->s, d->digest, d->size, 0, &t->w, err);
                if (r < 0)
                        return r;
                t->start = 0;
        }
        t->url = kl_asprintf("%s/blobs/%s", p->base, d->digest);
        t->c = curl_easy_init();
        kl_assert(t->c);
        easy_setup(p, t->c, t->errbuf);
        if (p->auth)
                t->h = curl_slist_append(t->h, p->auth);
        (void)curl_easy_setopt(t->c, CURLOPT_URL, t->url);
        (void)curl_easy_setopt(t->c, CURLOPT_HTTPHEADER, t->h);
        (void)curl_easy_setopt(t->c, CURLOPT_WRITEFUNCTION, blob_cb);
        (void)curl_easy_setopt(t->c, CURLOPT_WRITEDATA, t);
        (void)curl_easy_setopt(t->c, CURLOPT_PRIVATE, t);
        /* The declared size caps the download; the writer checks it again byte by byte. */
        (void)curl_easy_setopt(t->c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)d->size);
        if (t->start > 0) {
                kl_autofree char *range = kl_asprintf("%lld-", (long long)t->start);
                (void)curl_easy_setopt(t->c, CURLOPT_RANGE, range);
                p->st.blobs_resumed++;
        }
        p->st.blobs_fetched++;
        if (curl_multi_add_handle(m, t->c) != CURLM_OK)
                return kl_err_set(err, -EIO, "blob '%s': cannot add transfer", d->digest);
        return 0;
}

static int transfer_finish(struct transfer *t, CURLcode rc, struct kl_err **err)
{
        long status = 0;

        if (t->werr) {
                struct kl_err *e = KL_TAKE_PTR(t->werr);
                int code = kl_err_set(err, -e->code, "blob '%s': %s", t->d->digest, e->msg);

                kl_err_free(e);
                return code;
        }
        if (rc != CURLE_OK)
                return curl_fail(err, rc, t->errbuf, "GET", t->url);
        (void)curl_easy_getinfo(t->c, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200 && status != 206)
                return kl_err_set(err,
                                  status == 404   ? -ENOENT
                                  : status == 401 ? -KL_EUNAUTHORIZED
                                                  : -EIO,
                                  "blob '%s': HTTP %ld", t->url, status);
        return kl_rt_blob_writer_commit(t->w, err);
}

/*
 * Download the descriptors the store lacks, at most opts->parallel at once.
 * A blob another pull is downloading right now is left for a second round,
 * which waits for that pull and finds the blob stored (or resumes its part).
 */
static int fetch_blobs(struct pull *p, const struct kl_rt_descriptor *const *want, size_t n,
                       unsigned wflags, struct kl_err **err)
{
        struct transfer *ts = kl_calloc(n + 1, sizeof(*ts));
        const struct kl_rt_descriptor **busy = kl_calloc(n + 1, sizeof(struct kl_rt_descriptor *));
        CURLM *m = curl_multi_init();
        size_t started = 0, n_busy = 0;
        int running = 0, r = 0;
        long par = p->opts && p->opts->parallel ? (long)p->opts->parallel : 4;

        kl_assert(m);
        (void)curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, par);
        (void)curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, par);
        for (; started < n && r == 0; started++) {
                r = transfer_start(p, m, want[started], wflags, &ts[started], err);
                if (r == -EBUSY && !(wflags & KL_RT_BLOB_WAIT)) {
                        err_clear(err);
                        busy[n_busy++] = want[started];
                        r = 0;
                }
        }
        while (r == 0) {
                CURLMsg *msg;
                int left;

                if (curl_multi_perform(m, &running) != CURLM_OK) {
                        r = kl_err_set(err, -EIO, "blob downloads: curl multi failed");
                        break;
                }
                while (r == 0 && (msg = curl_multi_info_read(m, &left))) {
                        struct transfer *t = NULL;
                        if (msg->msg != CURLMSG_DONE)
                                continue;
                        (void)curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
                        r = transfer_finish(t, msg->data.result, err);
                }
                if (running == 0 || r < 0)
                        break;
                (void)curl_multi_poll(m, NULL, 0, 1000, NULL);
        }
        for (size_t i = 0; i < started; i++) {
                if (ts[i].c)
                        (void)curl_multi_remove_handle(m, ts[i].c);
                transfer_release(&ts[i]);
        }
        (void)curl_multi_cleanup(m);
        free(ts);
        if (r == 0 && n_busy > 0)
                r = fetch_blobs(p, busy, n_busy, KL_RT_BLOB_WAIT, err);
        free(busy);
        return r;
}

/* ---- the pull ---- */

static const char *registry_host(const char *domain)
{
        /* Docker Hub's API lives on another host than its name. */
        return kl_streq(domain, "docker.io") ? "registry-1.docker.io" : domain;
}

static bool is_layer_type(const char *mt)
{
        return !mt || kl_startswith(mt, "application/vnd.oci.image.layer.") ||
               kl_startswith(mt, "application/vnd.docker.image.rootfs.");
}

int kl_rt_pull(struct kl_rt_store *s, const char *ref, const struct kl_rt_pull_opts *opts,
               struct kl_rt_image *ret_image, struct kl_rt_pull_stats *ret_stats,
               struct kl_err **err)
{
        kl_cleanup(pull_release) struct pull p = { .s = s, .opts = opts };
        kl_cleanup(kl_rt_manifest_release) struct kl_rt_manifest top = { 0 };
        kl_cleanup(kl_rt_manifest_release) struct kl_rt_manifest man = { 0 };
        kl_cleanup(kl_strv_freep) char **diff_ids = NULL;
        kl_autofree char *name = NULL, *top_digest = NULL, *man_digest = NULL;
        kl_autofree const struct kl_rt_descriptor **want = NULL;
        const char *arch, *variant;
        size_t n_want = 0;
        int r;

        r = kl_rt_ref_parse(ref, &p.ref, err);
        if (r < 0)
                return r;
        name = kl_rt_ref_format(&p.ref);
        p.base = kl_asprintf("%s://%s/v2/%s", is_insecure(&p) ? "http" : "https",
                             registry_host(p.ref.domain), p.ref.path);
        kl_rt_platform_host(&arch, &variant);
        if (opts && opts->arch) {
                arch = opts->arch;
                variant = opts->variant;
        }

        r = fetch_manifest(&p, p.ref.digest ? p.ref.digest : p.ref.tag, p.ref.digest, &top_digest,
                           &top, err);
        if (r < 0)
                return kl_err_wrap(err, r, "pull '%s'", name);
        if (top.is_index) {
                int i = kl_rt_manifest_select(&top, arch, variant);
                if (i < 0)
                        return kl_err_set(err, -ENOENT, "pull '%s': no manifest for linux/%s%s%s",
                                          name, arch, variant ? "/" : "", variant ? variant : "");
                r = fetch_manifest(&p, top.entries[i].digest, top.entries[i].digest, &man_digest,
                                   &man, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "pull '%s'", name);
                if (man.is_index)
                        return kl_err_set(err, -EINVAL, "pull '%s': index inside an index", name);
        } else {
                man = top;
                top = (struct kl_rt_manifest){ 0 };
                man_digest = kl_strdup(top_digest);
        }

        want = kl_calloc(man.n_entries + 2, sizeof(const struct kl_rt_descriptor *));
        if (!kl_rt_store_has_blob(s, man.config.digest, man.config.size)) {
                if (man.config.size > (int64_t)KL_RT_CONFIG_MAX)
                        return kl_err_set(err, -E2BIG, "pull '%s': config of %lld bytes", name,
                                          (long long)man.config.size);
                want[n_want++] = &man.config;
        }
        for (size_t i = 0; i < man.n_entries; i++) {
                if (!is_layer_type(man.entries[i].media_type))
                        return kl_err_set(err, -KL_EUNSUPPORTED_MEDIA,
                                          "pull '%s': layer %zu has type '%s'", name, i,
                                          man.entries[i].media_type);
                bool dup = false;
                for (size_t j = 0; j < n_want; j++)
                        dup = dup || kl_streq(want[j]->digest, man.entries[i].digest);
                if (!dup && !kl_rt_store_has_blob(s, man.entries[i].digest, man.entries[i].size))
                        want[n_want++] = &man.entries[i];
        }
        /*
         * Tokens are short-lived (Docker Hub: 5 minutes) and a big pull outlives one: on a
         * 401 get a new token and fetch what is still missing, resuming partial blobs. A
         * bounded number of times, so a registry that never accepts us cannot loop.
         */
        for (unsigned renewals = 0; n_want > 0; renewals++) {
                r = fetch_blobs(&p, want, n_want, 0, err);
                if (r != -KL_EUNAUTHORIZED || renewals >= 8 || !p.auth ||
                    !kl_startswith(p.auth, "Authorization: Bearer "))
                        break;
                err_clear(err);
                r = refresh_token(&p, man_digest, err);
                if (r < 0)
                        break;
                size_t n = 0;
                for (size_t i = 0; i < n_want; i++)
                        if (!kl_rt_store_has_blob(s, want[i]->digest, want[i]->size))
                                want[n++] = want[i];
                n_want = n;
        }
        if (r < 0)
                return kl_err_wrap(err, r, "pull '%s'", name);

        r = kl_runtime__config_diff_ids(s, man.config.digest, &diff_ids, err);
        if (r < 0)
                return kl_err_wrap(err, r, "pull '%s'", name);
        if (kl_strv_length(diff_ids) != man.n_entries)
                return kl_err_set(err, -EINVAL, "pull '%s': %zu layers but %zu diff ids", name,
                                  man.n_entries, kl_strv_length(diff_ids));
        for (size_t i = 0; i < man.n_entries && !(opts && opts->no_unpack); i++) {
                r = kl_rt_layer_unpack(s, man.entries[i].digest, diff_ids[i], err);
                if (r < 0)
                        return kl_err_wrap(err, r, "pull '%s'", name);
                p.st.layers_unpacked += (unsigned)r;
        }

        struct kl_rt_image img = { .name = name, .digest = top_digest, .manifest = man_digest };
        r = kl_rt_store_image_put(s, &img, err);
        if (r < 0)
                return kl_err_wrap(err, r, "pull '%s'", name);
        if (ret_stats)
                *ret_stats = p.st;
        if (ret_image)
                *ret_image = (struct kl_rt_image){
                        .name = KL_TAKE_PTR(name),
                        .digest = KL_TAKE_PTR(top_digest),
                        .manifest = KL_TAKE_PTR(man_digest),
                        .last_used = (int64_t)time(NULL),
                };
        return 0;
}
