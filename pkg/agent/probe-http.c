/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpGet probes (probe.c runs them): the URL and its redirects, the
 * HTTP/1.1 request kube-probe sends, and the pure parser of the HTTP/1.x
 * response (probe-internal.h, for the tests and the fuzz target), with Go's
 * net/http wording of every failure. Blocking: on libuv's pool, over the
 * connections of probe.c. Every size is bounded before anything is
 * allocated (R5.2).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent/pod-internal.h"
#include "agent/probe-internal.h"
#include "base/base.h"

/* Go's http.Client follows at most 10 redirects. */
#define REDIRECTS_MAX 10

static bool ascii_ieq(const char *a, const char *b)
{
        return strcasecmp(a, b) == 0;
}

/* ------------------------------------------------------------------------- */
/* HTTP/1.x responses */

enum {
        H1_HEAD,
        H1_BODY_LEN,
        H1_BODY_EOF,
        H1_CHUNK_SIZE,
        H1_CHUNK_DATA,
        H1_CHUNK_END,
        H1_TRAILER,
        H1_DONE,
};

#define H1_LINE_MAX 1024

void kl_agent__http1_init(struct kl_agent__http1 *r)
{
        *r = (struct kl_agent__http1){
                .body = KL_BUF_INIT_MAX(KL_AGENT__PROBE_OUTPUT_MAX),
                .head = KL_BUF_INIT_MAX(KL_AGENT__HTTP_HEAD_MAX),
                .line = KL_BUF_INIT_MAX(H1_LINE_MAX),
                .state = H1_HEAD,
                .remaining = -1,
        };
}

void kl_agent__http1_release(struct kl_agent__http1 *r)
{
        free(r->location);
        r->location = NULL;
        kl_buf_release(&r->body);
        kl_buf_release(&r->head);
        kl_buf_release(&r->line);
}

static int h1_malformed(struct kl_err **err, const char *what, const char *text, size_t len)
{
        char q[KL_STR_QUOTE_SIZE];

        return kl_err_set(err, -EINVAL, "net/http: HTTP/1.x transport connection broken: %s \"%s\"",
                          what, kl_str_quote(text, len, q, sizeof(q)));
}

/* The end of the header block (just past its empty line) in b[0..n), searching from `from`. */
static size_t h1_head_end(const char *b, size_t n, size_t from)
{
        for (size_t i = from; i < n; i++) {
                if (b[i] != '\n')
                        continue;
                if (i + 1 < n && b[i + 1] == '\n')
                        return i + 2;
                if (i + 2 < n && b[i + 1] == '\r' && b[i + 2] == '\n')
                        return i + 3;
        }
        return 0;
}

static int h1_parse_head(struct kl_agent__http1 *r, struct kl_err **err)
{
        char *p = r->head.buf, *end = r->head.buf + r->head.len;
        bool first = true, have_len = false, chunked = false;
        int64_t content_length = -1;
        kl_autofree char *location = NULL;
        int status = 0;

        while (p < end) {
                char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = (size_t)((nl ? nl : end) - p);

                if (n > 0 && p[n - 1] == '\r')
                        n--;
                if (memchr(p, '\0', n))
                        return h1_malformed(err, "malformed HTTP response", p, n);
                if (first) {
                        /* "HTTP/1.1 200 OK": the protocol, a space, three digits. */
                        if (n < 12 || strncmp(p, "HTTP/1.", 7) != 0 ||
                            !isdigit((unsigned char)p[7]) || p[8] != ' ')
                                return h1_malformed(err, "malformed HTTP response", p, n);
                        if (!isdigit((unsigned char)p[9]) || !isdigit((unsigned char)p[10]) ||
                            !isdigit((unsigned char)p[11]) || (n > 12 && p[12] != ' '))
                                return h1_malformed(err, "malformed HTTP status code", p + 9,
                                                    n - 9);
                        status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
                        if (status < 100)
                                return h1_malformed(err, "malformed HTTP status code", p + 9,
                                                    n - 9);
                        first = false;
                } else if (n > 0) {
                        char *colon = memchr(p, ':', n);
                        size_t vlen;
                        char *v;

                        if (!colon || colon == p || *p == ' ' || *p == '\t')
                                return h1_malformed(err, "malformed MIME header line", p, n);
                        v = colon + 1;
                        vlen = n - (size_t)(v - p);
                        while (vlen > 0 && (*v == ' ' || *v == '\t'))
                                v++, vlen--;
                        while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                                vlen--;
                        *colon = '\0';
                        if (ascii_ieq(p, "content-length")) {
                                kl_autofree char *t = kl_strndup(v, vlen);
                                int64_t cl;

                                if (kl_parse_int64(t, &cl) < 0 || cl < 0)
                                        return h1_malformed(err, "bad Content-Length", v, vlen);
                                if (have_len && cl != content_length)
                                        return kl_err_set(err, -EINVAL,
                                                          "http: message cannot contain multiple "
                                                          "Content-Length headers");
                                content_length = cl;
                                have_len = true;
                        } else if (ascii_ieq(p, "transfer-encoding")) {
                                if (vlen == 7 && strncasecmp(v, "chunked", 7) == 0)
                                        chunked = true;
                                else if (!(vlen == 8 && strncasecmp(v, "identity", 8) == 0))
                                        return h1_malformed(err, "unsupported transfer encoding", v,
                                                            vlen);
                        } else if (ascii_ieq(p, "location") && !location) {
                                location = kl_strndup(v, vlen);
                        }
                        *colon = ':';
                }
                if (!nl)
                        break;
                p = nl + 1;
        }
        if (first)
                return h1_malformed(err, "malformed HTTP response", r->head.buf, r->head.len);

        kl_buf_reset(&r->head);
        if (status < 200 && status != 101) {
                /* An informational response: the real one follows (Go skips them too). */
                r->state = H1_HEAD;
                return 0;
        }
        r->status = status;
        free(r->location);
        r->location = KL_TAKE_PTR(location);
        r->chunked = chunked;
        if (status == 204 || status == 304 || status == 101)
                r->state = H1_DONE;
        else if (chunked)
                r->state = H1_CHUNK_SIZE;
        else if (have_len) {
                r->remaining = content_length;
                r->state = content_length == 0 ? H1_DONE : H1_BODY_LEN;
        } else
                r->state = H1_BODY_EOF;
        return 0;
}

/* Keep up to the limit of the body; reaching it ends the read, as upstream's ReadAtMost. */
static void h1_body(struct kl_agent__http1 *r, const char *data, size_t n)
{
        size_t room = KL_AGENT__PROBE_OUTPUT_MAX - r->body.len;

        if (n > room) {
                r->truncated = true;
                n = room;
        }
        (void)kl_buf_append(&r->body, data, n);
        if (r->body.len == KL_AGENT__PROBE_OUTPUT_MAX)
                r->state = H1_DONE;
}

/*
 * Up to r->remaining bytes of *data (of a Content-Length body or of a
 * chunk) into the body, *data and *len moved past them; true once none remain.
 */
static bool h1_body_counted(struct kl_agent__http1 *r, const char **data, size_t *len)
{
        size_t n = (size_t)KL_MIN((int64_t)*len, r->remaining);

        r->remaining -= (int64_t)n;
        h1_body(r, *data, n);
        *data += n;
        *len -= n;
        return r->remaining == 0;
}

/* Collect a line into r->line; true once it is complete (without its line end). */
static int h1_line(struct kl_agent__http1 *r, const char **data, size_t *len, bool *ret_done,
                   struct kl_err **err)
{
        const char *nl = memchr(*data, '\n', *len);
        size_t n = nl ? (size_t)(nl - *data) : *len;

        if (kl_buf_append(&r->line, *data, n) < 0)
                return h1_malformed(err, "malformed chunked encoding", r->line.buf, r->line.len);
        *data += nl ? n + 1 : n;
        *len -= nl ? n + 1 : n;
        if (nl && r->line.len > 0 && r->line.buf[r->line.len - 1] == '\r')
                kl_buf_truncate(&r->line, r->line.len - 1);
        *ret_done = nl != NULL;
        return 0;
}

static int h1_chunk_size(struct kl_agent__http1 *r, struct kl_err **err)
{
        uint64_t v = 0;
        size_t i = 0;

        for (; i < r->line.len && isxdigit((unsigned char)r->line.buf[i]); i++) {
                if (v >> 56)
                        return h1_malformed(err, "malformed chunked encoding", r->line.buf,
                                            r->line.len);
                v = v * 16 +
                    (uint64_t)(isdigit((unsigned char)r->line.buf[i])
                                       ? r->line.buf[i] - '0'
                                       : (tolower((unsigned char)r->line.buf[i]) - 'a' + 10));
        }
        if (i == 0 || (i < r->line.len && r->line.buf[i] != ';' && r->line.buf[i] != ' ' &&
                       r->line.buf[i] != '\t'))
                return h1_malformed(err, "malformed chunked encoding", r->line.buf, r->line.len);
        r->remaining = (int64_t)v;
        r->state = v == 0 ? H1_TRAILER : H1_CHUNK_DATA;
        return 0;
}

static int h1_eof(struct kl_agent__http1 *r, struct kl_err **err)
{
        switch (r->state) {
        case H1_DONE:
                return 1;
        case H1_BODY_EOF:
                r->state = H1_DONE;
                return 1;
        case H1_HEAD:
                if (r->head.len == 0 && r->status == 0)
                        return kl_err_set(err, -EINVAL, "EOF");
                return kl_err_set(err, -EINVAL, "unexpected EOF");
        default:
                return kl_err_set(err, -EINVAL, "unexpected EOF");
        }
}

int kl_agent__http1_feed(struct kl_agent__http1 *r, const char *data, size_t len,
                         struct kl_err **err)
{
        int r2;

        if (len == 0)
                return h1_eof(r, err);
        while (len > 0 && r->state != H1_DONE) {
                bool done = false;

                switch (r->state) {
                case H1_HEAD: {
                        size_t old = r->head.len;
                        size_t take = KL_MIN(len, KL_AGENT__HTTP_HEAD_MAX - old);
                        size_t end;

                        (void)kl_buf_append(&r->head, data, take);
                        end = h1_head_end(r->head.buf, r->head.len, old > 2 ? old - 2 : 0);
                        if (end == 0) {
                                if (r->head.len == KL_AGENT__HTTP_HEAD_MAX)
                                        return kl_err_set(err, -EINVAL,
                                                          "net/http: server response headers "
                                                          "exceeded %d bytes; aborted",
                                                          KL_AGENT__HTTP_HEAD_MAX);
                                return 0;
                        }
                        data += end - old;
                        len -= end - old;
                        kl_buf_truncate(&r->head, end);
                        r2 = h1_parse_head(r, err);
                        if (r2 < 0)
                                return r2;
                        break;
                }
                case H1_BODY_LEN:
                        if (h1_body_counted(r, &data, &len))
                                r->state = H1_DONE;
                        break;
                case H1_BODY_EOF:
                        h1_body(r, data, len);
                        len = 0;
                        break;
                case H1_CHUNK_SIZE:
                        r2 = h1_line(r, &data, &len, &done, err);
                        if (r2 < 0)
                                return r2;
                        if (done) {
                                r2 = h1_chunk_size(r, err);
                                kl_buf_reset(&r->line);
                                if (r2 < 0)
                                        return r2;
                        }
                        break;
                case H1_CHUNK_DATA:
                        /* h1_body() may have ended the read at its limit. */
                        if (h1_body_counted(r, &data, &len) && r->state != H1_DONE)
                                r->state = H1_CHUNK_END;
                        break;
                case H1_CHUNK_END:
                        r2 = h1_line(r, &data, &len, &done, err);
                        if (r2 < 0)
                                return r2;
                        if (done) {
                                bool empty = r->line.len == 0;

                                kl_buf_reset(&r->line);
                                if (!empty)
                                        return h1_malformed(err, "malformed chunked encoding", data,
                                                            0);
                                r->state = H1_CHUNK_SIZE;
                        }
                        break;
                case H1_TRAILER:
                        r2 = h1_line(r, &data, &len, &done, err);
                        if (r2 < 0)
                                return r2;
                        if (done) {
                                if (r->line.len == 0)
                                        r->state = H1_DONE;
                                kl_buf_reset(&r->line);
                        }
                        break;
                default:
                        kl_bug("http1 state");
                }
        }
        return r->state == H1_DONE ? 1 : 0;
}

/* ------------------------------------------------------------------------- */
/* httpGet */

struct url {
        char *scheme; /* "http" or "https" */
        char *host;   /* without brackets */
        int port;
        char *path; /* path and query, starting with '/' */
};

static void url_release(struct url *u)
{
        free(u->scheme);
        free(u->host);
        free(u->path);
        *u = (struct url){ 0 };
}

static char *url_format(const struct url *u)
{
        kl_autofree char *hp = kl_agent__join_host_port(u->host, u->port);

        return kl_asprintf("%s://%s%s", u->scheme, hp, u->path);
}

/* Parse "host[:port]" or "[v6][:port]" into `u` (default port from the scheme). */
static int url_authority(const char *a, size_t n, struct url *u)
{
        const char *colon = NULL;
        int port = kl_streq(u->scheme, "https") ? 443 : 80;
        const char *at = memrchr(a, '@', n);

        if (at) { /* userinfo: not sent by probes */
                n -= (size_t)(at + 1 - a);
                a = at + 1;
        }
        if (n > 0 && a[0] == '[') {
                const char *close = memchr(a, ']', n);

                if (!close)
                        return -EINVAL;
                free(u->host);
                u->host = kl_strndup(a + 1, (size_t)(close - a - 1));
                if ((size_t)(close + 1 - a) < n) {
                        if (close[1] != ':')
                                return -EINVAL;
                        colon = close + 1;
                }
        } else {
                colon = memrchr(a, ':', n);
                free(u->host);
                u->host = kl_strndup(a, colon ? (size_t)(colon - a) : n);
        }
        if (colon && (size_t)(colon + 1 - a) < n) {
                kl_autofree char *ps = kl_strndup(colon + 1, n - (size_t)(colon + 1 - a));
                int v;

                if (kl_parse_int(ps, &v) < 0 || v <= 0 || v > 65535)
                        return -EINVAL;
                port = v;
        }
        if (!*u->host)
                return -EINVAL;
        u->port = port;
        return 0;
}

/*
 * The target of a redirect: `loc` resolved against `base` (absolute URL,
 * scheme-relative, absolute path, query or relative path; dot segments are
 * kept as written). -EINVAL for what Go's url.Parse would reject here.
 */
static int url_resolve(const struct url *base, const char *loc, struct url *ret)
{
        struct url u = { 0 };
        const char *hash = strchr(loc, '#');
        kl_autofree char *l = kl_strndup(loc, hash ? (size_t)(hash - loc) : strlen(loc));
        const char *rest = l;
        int r = 0;

        if (strchr(l, ' ') || strchr(l, '\r') || strchr(l, '\n'))
                return -EINVAL;
        if (kl_startswith(l, "http://") || kl_startswith(l, "https://") ||
            kl_startswith(l, "HTTP://") || kl_startswith(l, "HTTPS://")) {
                const char *colon = strchr(l, ':');

                u.scheme = kl_strndup(l, (size_t)(colon - l));
                for (char *s = u.scheme; *s; s++)
                        *s = (char)tolower((unsigned char)*s);
                rest = colon + 1;
        } else if (strchr(l, ':') && strcspn(l, ":") < strcspn(l, "/?")) {
                /* Another scheme: Go's client refuses it. */
                return -EPROTONOSUPPORT;
        } else
                u.scheme = kl_strdup(base->scheme);
        if (kl_startswith(rest, "//")) {
                size_t n = strcspn(rest + 2, "/?");

                r = url_authority(rest + 2, n, &u);
                rest += 2 + n;
                u.path = *rest == '/'   ? kl_strdup(rest)
                         : *rest == '?' ? kl_asprintf("/%s", rest)
                                        : kl_strdup("/");
        } else {
                u.host = kl_strdup(base->host);
                u.port = base->port;
                if (*rest == '/')
                        u.path = kl_strdup(rest);
                else if (*rest == '?' || *rest == '\0') {
                        size_t n = strcspn(base->path, "?");

                        u.path = *rest ? kl_asprintf("%.*s%s", (int)n, base->path, rest)
                                       : kl_strdup(base->path);
                } else {
                        const char *slash = strrchr(base->path, '/');
                        size_t n = slash ? (size_t)(slash - base->path) + 1 : 0;

                        /* Only the path part of the base counts. */
                        if (strchr(base->path, '?') && strchr(base->path, '?') < slash) {
                                slash = memrchr(base->path, '/',
                                                (size_t)(strchr(base->path, '?') - base->path));
                                n = (size_t)(slash - base->path) + 1;
                        }
                        u.path = kl_asprintf("%.*s%s", (int)n, base->path, rest);
                }
        }
        if (r < 0) {
                url_release(&u);
                return r;
        }
        *ret = u;
        return 0;
}

/* Go's CanonicalMIMEHeaderKey for a token: "x-custom-header" -> "X-Custom-Header". */
static char *canonical_header(const char *name)
{
        char *s = kl_strdup(name);
        bool upper = true;

        for (char *p = s; *p; p++) {
                if (!isalnum((unsigned char)*p) && !strchr("!#$%&'*+-.^_`|~", *p)) {
                        free(s); /* not a token: Go leaves it as it is */
                        return kl_strdup(name);
                }
        }
        for (char *p = s; *p; p++) {
                *p = (char)(upper ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
                upper = *p == '-';
        }
        return s;
}

struct http_req {
        const json_t *headers; /* httpHeaders: [{name, value}] */
        const char *netns;
        kl_usec_t deadline;
};

/* The value of user header `name` (any case), or NULL; *ret_set says whether it is there. */
static const char *user_header(const json_t *headers, const char *name, bool *ret_set)
{
        const json_t *h;
        size_t i;

        *ret_set = false;
        json_array_foreach(headers, i, h) {
                const char *n = json_string_value(json_object_get(h, "name"));

                if (n && ascii_ieq(n, name)) {
                        *ret_set = true;
                        return json_string_value(json_object_get(h, "value")) ?: "";
                }
        }
        return NULL;
}

static int build_request(const struct http_req *q, const struct url *u, struct kl_buf *out,
                         char **ret_msg)
{
        kl_autofree char *hp = kl_agent__join_host_port(u->host, u->port);
        const char *host, *ua, *accept;
        bool host_set, ua_set, accept_set;
        const json_t *h;
        size_t i;

        host = user_header(q->headers, "Host", &host_set);
        ua = user_header(q->headers, "User-Agent", &ua_set);
        accept = user_header(q->headers, "Accept", &accept_set);
        kl_buf_printf(out, "GET %s HTTP/1.1\r\nHost: %s\r\n", u->path,
                      host_set && *host ? host : hp);
        if (!ua_set)
                kl_buf_puts(out, "User-Agent: " KL_AGENT__PROBE_USER_AGENT "\r\n");
        if (!accept_set)
                kl_buf_puts(out, "Accept: */*\r\n");
        (void)ua;
        (void)accept;
        json_array_foreach(q->headers, i, h) {
                const char *n = json_string_value(json_object_get(h, "name"));
                const char *v = json_string_value(json_object_get(h, "value")) ?: "";
                kl_autofree char *cn = NULL;

                if (!n || !*n || ascii_ieq(n, "Host"))
                        continue;
                /* An empty User-Agent or Accept means: send none (Go's and upstream's rule). */
                if ((ascii_ieq(n, "User-Agent") || ascii_ieq(n, "Accept")) && !*v)
                        continue;
                if (strpbrk(n, "\r\n: ") || strpbrk(v, "\r\n")) {
                        *ret_msg = kl_asprintf("net/http: invalid header field %s for \"%s\"",
                                               strpbrk(v, "\r\n") ? "value" : "name", n);
                        return -EINVAL;
                }
                cn = canonical_header(n);
                kl_buf_printf(out, "%s: %s\r\n", cn, v);
        }
        kl_buf_puts(out, "Connection: close\r\n\r\n");
        return 0;
}

/* Send the request and read the response on the connected `c`. */
static int http_exchange(struct kl_agent__conn *c, const struct url *u, const struct kl_buf *req,
                         const struct kl_agent__endpoint *ep, struct kl_agent__http1 *resp,
                         char **ret_msg)
{
        static const char awaiting[] =
                "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
        int r;

        if (kl_streq(u->scheme, "https")) {
                r = kl_agent__conn_tls(c, u->host, ret_msg);
                if (r == -ETIMEDOUT)
                        *ret_msg = kl_strdup("net/http: TLS handshake timeout");
                if (r < 0)
                        return r;
        }
        r = kl_agent__conn_write_all(c, req->buf, req->len);
        if (r < 0) {
                kl_autofree char *text = kl_agent__go_errno(r);

                *ret_msg = r == -ETIMEDOUT ? kl_strdup(awaiting)
                                           : kl_asprintf("write tcp %s: write: %s", ep->text, text);
                return r;
        }
        for (;;) {
                char buf[8192];
                ssize_t n = kl_agent__conn_read(c, buf, sizeof(buf));
                kl_autoerr struct kl_err *e = NULL;

                if (n == -ETIMEDOUT) {
                        *ret_msg = kl_strdup(resp->status != 0
                                                     ? "context deadline exceeded (Client.Timeout "
                                                       "or context cancellation while reading body)"
                                                     : awaiting);
                        return -ETIMEDOUT;
                }
                if (n < 0) {
                        kl_autofree char *text = kl_agent__go_errno((int)n);

                        *ret_msg = kl_asprintf("read tcp %s: read: %s", ep->text, text);
                        return (int)n;
                }
                r = kl_agent__http1_feed(resp, buf, (size_t)n, &e);
                if (r < 0) {
                        *ret_msg = kl_strdup(kl_err_msg(e));
                        return r;
                }
                if (r == 1)
                        return 0;
        }
}

/*
 * One request and its response. On failure *ret_msg is the error after
 * Go's `Get "URL": `; -ETIMEDOUT for the deadline.
 */
static int http_once(const struct http_req *q, const struct url *u, struct kl_agent__http1 *resp,
                     char **ret_msg)
{
        kl_autobuf struct kl_buf req = KL_BUF_INIT;
        struct kl_agent__conn c = { .fd = -EBADF, .deadline = q->deadline };
        struct kl_agent__endpoint ep;
        int r;

        r = build_request(q, u, &req, ret_msg);
        if (r < 0)
                return r;
        r = kl_agent__endpoint_resolve(u->host, u->port, &ep, ret_msg);
        if (r < 0)
                return r;
        r = kl_agent__dial(q->netns, &ep, q->deadline, &c.fd, ret_msg);
        if (r == -ETIMEDOUT) {
                free(*ret_msg);
                *ret_msg = kl_strdup(
                        "context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        }
        if (r >= 0)
                r = http_exchange(&c, u, &req, &ep, resp, ret_msg);
        kl_agent__conn_close(&c);
        kl_agent__endpoint_release(&ep);
        return r;
}

static bool is_followed_redirect(int status)
{
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/*
 * The verdict on a response that is not followed further: 200-399 succeed
 * (3xx as upstream's "warning", which counts as a success and says why),
 * anything else fails without the body in the message (upstream keeps it
 * out, issue 99425).
 */
static enum kl_agent__probe_result http_verdict(const struct kl_agent__http1 *resp,
                                                char **ret_message)
{
        if (resp->status >= 200 && resp->status < 400) {
                if (resp->status >= 300)
                        *ret_message =
                                kl_asprintf("Probe terminated redirects, Response body: %.*s",
                                            (int)resp->body.len, resp->body.buf);
                return KL_AGENT__PROBE_SUCCESS;
        }
        *ret_message = kl_asprintf("HTTP probe failed with statuscode: %d", resp->status);
        return KL_AGENT__PROBE_FAILURE;
}

/*
 * One request of the chain at `cur`: 1 with *ret_next set when it redirects
 * to the first request's host name (upstream follows those, any port or
 * scheme, and takes a redirect elsewhere as the answer), else 0 with
 * *ret_result and *ret_message set.
 */
static int http_step(const struct http_req *q, const struct url *first, const struct url *cur,
                     unsigned redirects, struct url *ret_next,
                     enum kl_agent__probe_result *ret_result, char **ret_message)
{
        kl_autofree char *msg = NULL;
        kl_autofree char *u = url_format(cur);
        struct kl_agent__http1 resp;
        struct url next = { 0 };
        int r;

        *ret_result = KL_AGENT__PROBE_FAILURE;
        kl_agent__http1_init(&resp);
        r = http_once(q, cur, &resp, &msg);
        if (r < 0) {
                *ret_message = kl_asprintf("Get \"%s\": %s", u, msg ? msg : "error");
                kl_agent__http1_release(&resp);
                return 0;
        }
        if (is_followed_redirect(resp.status) && !kl_isempty(resp.location)) {
                r = url_resolve(cur, resp.location, &next);
                if (r == -EPROTONOSUPPORT) {
                        *ret_message = kl_asprintf("Get \"%s\": unsupported protocol scheme",
                                                   resp.location);
                        kl_agent__http1_release(&resp);
                        return 0;
                }
                if (r < 0) {
                        kl_autofree char *ql = kl_agent__go_quote(resp.location);

                        *ret_message = kl_asprintf("Get \"%s\": failed to parse Location header %s",
                                                   u, ql);
                        kl_agent__http1_release(&resp);
                        return 0;
                }
                if (ascii_ieq(next.host, first->host)) {
                        kl_agent__http1_release(&resp);
                        if (redirects + 1 >= REDIRECTS_MAX) {
                                kl_autofree char *nu = url_format(&next);

                                *ret_message = kl_asprintf("Get \"%s\": stopped after %d redirects",
                                                           nu, REDIRECTS_MAX);
                                url_release(&next);
                                return 0;
                        }
                        *ret_next = next;
                        return 1;
                }
                url_release(&next);
        }
        *ret_result = http_verdict(&resp, ret_message);
        kl_agent__http1_release(&resp);
        return 0;
}

enum kl_agent__probe_result kl_agent__probe_http(const struct kl_agent__probe_ctx *x,
                                                 const json_t *action, char **ret_message)
{
        const char *host = kl_agent__probe_target_host(
                x->t, json_string_value(json_object_get(action, "host")));
        const char *scheme = json_string_value(json_object_get(action, "scheme"));
        const char *path = json_string_value(json_object_get(action, "path"));
        struct http_req q = { .headers = json_object_get(action, "httpHeaders"),
                              .netns = x->t->netns,
                              .deadline = x->deadline };
        enum kl_agent__probe_result result = KL_AGENT__PROBE_FAILURE;
        struct url first = { 0 }, cur = { 0 };
        int port;

        if (kl_agent__probe_resolve_port(json_object_get(action, "port"), x->t->container, &port,
                                         ret_message) < 0)
                return KL_AGENT__PROBE_FAILURE;
        first.scheme = kl_strdup(kl_isempty(scheme) ? "http" : scheme);
        for (char *s = first.scheme; *s; s++)
                *s = (char)tolower((unsigned char)*s);
        first.host = kl_strdup(host);
        first.port = port;
        first.path = kl_isempty(path) ? kl_strdup("/")
                     : path[0] == '/' ? kl_strdup(path)
                                      : kl_asprintf("/%s", path);
        if (!kl_streq(first.scheme, "http") && !kl_streq(first.scheme, "https")) {
                kl_autofree char *u = url_format(&first);

                *ret_message = kl_asprintf("Get \"%s\": unsupported protocol scheme \"%s\"", u,
                                           first.scheme);
                url_release(&first);
                return KL_AGENT__PROBE_FAILURE;
        }
        cur = (struct url){ kl_strdup(first.scheme), kl_strdup(first.host), first.port,
                            kl_strdup(first.path) };
        for (unsigned redirects = 0;; redirects++) {
                struct url next = { 0 };

                if (http_step(&q, &first, &cur, redirects, &next, &result, ret_message) == 0)
                        break;
                url_release(&cur);
                cur = next;
        }
        url_release(&first);
        url_release(&cur);
        return result;
}
