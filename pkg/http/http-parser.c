/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP/1.1 request parser (RFC 9112), incremental and allocation-bounded.
 *
 * The head is not parsed while it arrives: bytes are only scanned for line
 * ends, counted against the limits, and copied into a bounded buffer. Once the
 * empty line arrives the whole head is copied into the request's pool and
 * parsed in place there, so every string handed out is a NUL-terminated slice
 * of one pool block and no per-header allocation happens. This makes the
 * parser trivially safe for input split at any byte: the only state carried
 * between calls is a few counters (the line length, the number of lines) and,
 * in the body, a small state machine for chunked coding.
 *
 * Strictness: the parser refuses what request smuggling and desync attacks
 * are made of (RFC 9112 §6.3, §11.2): both Content-Length and
 * Transfer-Encoding, differing Content-Length values, transfer codings other
 * than a lone "chunked", obs-fold, whitespace before a header colon, bare CR,
 * NUL and other control characters. Like Go's net/http and nginx it accepts a
 * bare LF as a line end, and it ignores empty lines before a request line
 * (§2.2), which some clients send after a body.
 */
#include <string.h>
#include <strings.h>

#include "http/http-internal.h"

enum parser_state {
        P_HEAD,
        P_BODY,
        P_CHUNK_SIZE,
        P_CHUNK_EXT,
        P_CHUNK_SIZE_LF,
        P_CHUNK_DATA,
        P_CHUNK_DATA_CR,
        P_CHUNK_DATA_LF,
        P_TRAILER,
        P_DONE,
        P_ERROR,
};

/* Empty lines tolerated before a request line; more is not a confused client. */
#define MAX_SKIPPED_EMPTY 16
/* Longest chunk-size line with its extensions, which we skip. */
#define MAX_CHUNK_LINE 4096

void kl_http__limits_fill(struct kl_http_limits *ret, const struct kl_http_limits *l)
{
        static const struct kl_http_limits defaults = {
                .max_request_line = KL_HTTP_DEFAULT_MAX_REQUEST_LINE,
                .max_header_bytes = KL_HTTP_DEFAULT_MAX_HEADER_BYTES,
                .max_headers = KL_HTTP_DEFAULT_MAX_HEADERS,
                .max_body = KL_HTTP_DEFAULT_MAX_BODY,
                .max_stream_queued = KL_HTTP_DEFAULT_MAX_STREAM_QUEUED,
                .max_ws_message = KL_HTTP_DEFAULT_MAX_WS_MESSAGE,
                .max_connections = KL_HTTP_DEFAULT_MAX_CONNECTIONS,
                .idle_timeout = KL_HTTP_DEFAULT_IDLE_TIMEOUT,
                .header_timeout = KL_HTTP_DEFAULT_HEADER_TIMEOUT,
                .body_timeout = KL_HTTP_DEFAULT_BODY_TIMEOUT,
                .write_timeout = KL_HTTP_DEFAULT_WRITE_TIMEOUT,
        };
        struct kl_http_limits r = l ? *l : defaults;

#define FILL_(f)                          \
        do {                              \
                if (!r.f)                 \
                        r.f = defaults.f; \
        } while (0)
        FILL_(max_request_line);
        FILL_(max_header_bytes);
        FILL_(max_headers);
        FILL_(max_body);
        FILL_(max_stream_queued);
        FILL_(max_ws_message);
        FILL_(max_connections);
        FILL_(idle_timeout);
        FILL_(header_timeout);
        FILL_(body_timeout);
        FILL_(write_timeout);
#undef FILL_
        *ret = r;
}

/* RFC 9110 §5.6.2 tchar. */
static bool is_tchar(unsigned char c)
{
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                return true;
        return c && strchr("!#$%&'*+-.^_`|~", c);
}

bool kl_http__is_token(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (!is_tchar((unsigned char)*s))
                        return false;
        return true;
}

bool kl_http__is_subprotocol(const char *s)
{
        /* RFC 6455 wants a token; Kubernetes' "SPDY/3.1+portforward.k8s.io" has a '/'. */
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s <= ' ' || *s >= 0x7f || *s == ',' || *s == ';' || *s == '"')
                        return false;
        return true;
}

static bool is_ows(char c)
{
        return c == ' ' || c == '\t';
}

bool kl_http__list_has_token(const char *value, const char *token)
{
        size_t tlen = strlen(token);
        const char *s = value;

        while (*s) {
                const char *start, *end;

                while (*s == ',' || is_ows(*s))
                        s++;
                start = s;
                while (*s && *s != ',')
                        s++;
                end = s;
                while (end > start && is_ows(end[-1]))
                        end--;
                if ((size_t)(end - start) == tlen && strncasecmp(start, token, tlen) == 0)
                        return true;
        }
        return false;
}

const char *kl_http__msg_header(const struct kl_http__msg *m, const char *name)
{
        for (size_t i = 0; i < m->n_headers; i++)
                if (strcasecmp(m->headers[i].name, name) == 0)
                        return m->headers[i].value;
        return NULL;
}

void kl_http__parser_init(struct kl_http__parser *p, const struct kl_http_limits *limits)
{
        *p = (struct kl_http__parser){ .limits = limits, .state = P_ERROR };
        /* Room for the longest legal head: request line, header block, line ends. */
        kl_buf_init(&p->head, limits->max_request_line + limits->max_header_bytes + 4);
}

void kl_http__parser_release(struct kl_http__parser *p)
{
        kl_buf_release(&p->head);
}

void kl_http__parser_start(struct kl_http__parser *p, struct kl_http__msg *msg,
                           struct kl_pool *pool)
{
        kl_buf_release(&msg->body);
        *msg = (struct kl_http__msg){ .query = "" };
        kl_buf_init(&msg->body, p->limits->max_body);
        p->msg = msg;
        p->pool = pool;
        kl_buf_reset(&p->head);
        p->state = P_HEAD;
        p->line_len = 0;
        p->n_lines = 0;
        p->skipped = 0;
        p->section_bytes = 0;
        p->remaining = 0;
        p->chunk_digits = false;
        p->started = false;
        p->status = 0;
        p->error = NULL;
}

static int fail(struct kl_http__parser *p, int status, int code, const char *why)
{
        p->state = P_ERROR;
        p->status = status;
        p->error = why;
        return code;
}

/* A header value or target byte: visible ASCII, SP, HTAB, obs-text (RFC 9110 §5.5). */
static bool is_field_vchar(unsigned char c)
{
        return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int parse_version(struct kl_http__parser *p, const char *v, size_t len)
{
        if (len != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
            v[7] < '0' || v[7] > '9')
                return fail(p, 400, -EBADMSG, "malformed HTTP version");
        if (v[5] != '1')
                return fail(p, 505, -EPROTONOSUPPORT, "HTTP version not supported");
        /* HTTP/1.2 and later minors are answered as 1.1 (RFC 9110 §6.2). */
        p->msg->version_minor = v[7] == '0' ? 0 : 1;
        return 0;
}

static int parse_target(struct kl_http__parser *p, char *t, size_t len)
{
        struct kl_http__msg *m = p->msg;
        char *path = t, *q;

        for (size_t i = 0; i < len; i++)
                if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
                        return fail(p, 400, -EBADMSG, "invalid character in request target");
        m->target = kl_pool_strndup(p->pool, t, len);
        if (len == 1 && t[0] == '*') {
                if (strcmp(m->method, "OPTIONS") != 0)
                        return fail(p, 400, -EBADMSG, "asterisk target outside OPTIONS");
                m->path = "*";
                return 0;
        }
        if (t[0] != '/') {
                /* absolute-form (RFC 9112 §3.2.2): servers must accept it. */
                size_t skip;

                if (len > 7 && strncasecmp(t, "http://", 7) == 0)
                        skip = 7;
                else if (len > 8 && strncasecmp(t, "https://", 8) == 0)
                        skip = 8;
                else
                        return fail(p, 400, -EBADMSG, "invalid request target");
                path = memchr(t + skip, '/', len - skip);
                if (!path) {
                        q = memchr(t + skip, '?', len - skip);
                        m->path = "/";
                        if (q)
                                m->query = q + 1;
                        return 0;
                }
                len -= (size_t)(path - t);
        }
        q = memchr(path, '?', len);
        if (q) {
                *q = '\0';
                m->query = q + 1;
        }
        m->path = path;
        return 0;
}

static int parse_request_line(struct kl_http__parser *p, char *line, size_t len)
{
        char *sp1, *sp2;
        int r;

        sp1 = memchr(line, ' ', len);
        if (!sp1 || sp1 == line)
                return fail(p, 400, -EBADMSG, "malformed request line");
        sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line));
        if (!sp2 || sp2 == sp1 + 1)
                return fail(p, 400, -EBADMSG, "malformed request line");
        for (char *c = line; c < sp1; c++)
                if (!is_tchar((unsigned char)*c))
                        return fail(p, 400, -EBADMSG, "invalid method");
        *sp1 = '\0';
        p->msg->method = line;
        r = parse_version(p, sp2 + 1, len - (size_t)(sp2 + 1 - line));
        if (r < 0)
                return r;
        /* The target is parsed last: it copies itself, then is cut in place at '?'. */
        *sp2 = '\0';
        return parse_target(p, sp1 + 1, (size_t)(sp2 - sp1 - 1));
}

/* Content-Length: 1*DIGIT. Returns 0, or -EBADMSG/-EMSGSIZE through fail(). */
static int parse_content_length(struct kl_http__parser *p, const char *v, uint64_t *ret)
{
        uint64_t n = 0;

        if (!*v)
                return fail(p, 400, -EBADMSG, "empty Content-Length");
        for (; *v; v++) {
                if (*v < '0' || *v > '9')
                        return fail(p, 400, -EBADMSG, "invalid Content-Length");
                if (n > (UINT64_MAX - 9) / 10)
                        return fail(p, 413, -EMSGSIZE, "request body too large");
                n = n * 10 + (uint64_t)(*v - '0');
        }
        *ret = n;
        return 0;
}

struct head_facts {
        unsigned hosts;
        unsigned lengths;
        unsigned encodings;
        bool conn_close, conn_keep_alive;
};

static int interpret_header(struct kl_http__parser *p, const struct kl_http_header *h,
                            struct head_facts *f)
{
        struct kl_http__msg *m = p->msg;
        const char *n = h->name;
        int r;

        switch (n[0] | 0x20) {
        case 'c':
                if (strcasecmp(n, "Content-Length") == 0) {
                        uint64_t len = 0;

                        r = parse_content_length(p, h->value, &len);
                        if (r < 0)
                                return r;
                        if (f->lengths++ > 0 && len != m->content_length)
                                return fail(p, 400, -EBADMSG, "conflicting Content-Length");
                        m->content_length = len;
                        m->flags |= KL_HTTP__MSG_HAS_LENGTH;
                } else if (strcasecmp(n, "Connection") == 0) {
                        if (kl_http__list_has_token(h->value, "close"))
                                f->conn_close = true;
                        if (kl_http__list_has_token(h->value, "keep-alive"))
                                f->conn_keep_alive = true;
                        if (kl_http__list_has_token(h->value, "upgrade"))
                                m->flags |= KL_HTTP__MSG_CONN_UPGRADE;
                }
                break;
        case 't':
                if (strcasecmp(n, "Transfer-Encoding") == 0) {
                        if (f->encodings++ > 0)
                                return fail(p, 400, -EBADMSG, "repeated Transfer-Encoding");
                        /* No other coding is implemented; "gzip, chunked" is 501 (RFC 9112 §6.1).
                         */
                        if (strcasecmp(h->value, "chunked") != 0)
                                return fail(p, 501, -EOPNOTSUPP, "unsupported transfer coding");
                        m->flags |= KL_HTTP__MSG_CHUNKED;
                }
                break;
        case 'h':
                if (strcasecmp(n, "Host") == 0)
                        f->hosts++;
                break;
        case 'e':
                if (strcasecmp(n, "Expect") == 0) {
                        if (strcasecmp(h->value, "100-continue") != 0)
                                return fail(p, 417, -EINVAL, "unsupported expectation");
                        m->flags |= KL_HTTP__MSG_EXPECT_CONTINUE;
                }
                break;
        case 'u':
                if (strcasecmp(n, "Upgrade") == 0 && kl_http__list_has_token(h->value, "websocket"))
                        m->flags |= KL_HTTP__MSG_UPGRADE_WS;
                break;
        default:
                break;
        }
        return 0;
}

/* One header line [s, e), CR already removed. */
static int parse_header_line(struct kl_http__parser *p, char *s, char *e, struct kl_http_header *h)
{
        char *colon, *v;

        if (is_ows(*s))
                return fail(p, 400, -EBADMSG, "obsolete header line folding");
        colon = memchr(s, ':', (size_t)(e - s));
        if (!colon || colon == s)
                return fail(p, 400, -EBADMSG, "malformed header line");
        for (char *c = s; c < colon; c++)
                if (!is_tchar((unsigned char)*c))
                        return fail(p, 400, -EBADMSG, "invalid header name");
        for (char *c = colon + 1; c < e; c++)
                if (!is_field_vchar((unsigned char)*c))
                        return fail(p, 400, -EBADMSG, "invalid character in header value");
        *colon = '\0';
        v = colon + 1;
        while (v < e && is_ows(*v))
                v++;
        while (e > v && is_ows(e[-1]))
                e--;
        *e = '\0';
        h->name = s;
        h->value = v;
        return 0;
}

static int parse_head(struct kl_http__parser *p)
{
        struct kl_http__msg *m = p->msg;
        struct head_facts f = { 0 };
        char *text, *s, *end;
        size_t n = 0;
        int r;

        text = kl_pool_memdup(p->pool, p->head.buf, p->head.len + 1);
        end = text + p->head.len;
        /* Ordinary heads keep their buffer for the next request; a big one gives it back. */
        if (p->head.len > 4096)
                kl_buf_release(&p->head);
        m->headers = kl_pool_alloc(p->pool,
                                   (p->n_lines ? p->n_lines : 1) * sizeof(struct kl_http_header));
        s = text;
        for (size_t line = 0; s < end; line++) {
                char *nl = memchr(s, '\n', (size_t)(end - s));
                char *e;

                kl_assert(nl);
                e = nl;
                if (e > s && e[-1] == '\r')
                        e--;
                *e = '\0';
                /* A CR anywhere else is a bare CR: a classic desync vector. */
                if (memchr(s, '\r', (size_t)(e - s)) || memchr(s, '\0', (size_t)(e - s)))
                        return fail(p, 400, -EBADMSG, "bare CR or NUL in head");
                if (line == 0) {
                        r = parse_request_line(p, s, (size_t)(e - s));
                } else if (e == s) {
                        break; /* the empty line that ends the head */
                } else {
                        kl_assert(n < p->n_lines);
                        r = parse_header_line(p, s, e, &m->headers[n]);
                        if (r >= 0)
                                r = interpret_header(p, &m->headers[n], &f);
                        n++;
                }
                if (r < 0)
                        return r;
                s = nl + 1;
        }
        m->n_headers = n;

        if ((m->flags & KL_HTTP__MSG_CHUNKED) && f.lengths)
                return fail(p, 400, -EBADMSG, "both Content-Length and Transfer-Encoding");
        if ((m->flags & KL_HTTP__MSG_CHUNKED) && m->version_minor == 0)
                return fail(p, 400, -EBADMSG, "Transfer-Encoding in an HTTP/1.0 request");
        if (f.hosts > 1 || (f.hosts == 0 && m->version_minor == 1))
                return fail(p, 400, -EBADMSG, "missing or repeated Host header");
        if (m->content_length > p->limits->max_body)
                return fail(p, 413, -EMSGSIZE, "request body too large");
        if (m->version_minor == 1 ? !f.conn_close : (f.conn_keep_alive && !f.conn_close))
                m->flags |= KL_HTTP__MSG_KEEP_ALIVE;
        if (strcmp(m->method, "HEAD") == 0)
                m->flags |= KL_HTTP__MSG_HEAD;

        if (m->flags & KL_HTTP__MSG_CHUNKED) {
                p->state = P_CHUNK_SIZE;
                p->line_len = 0;
                p->remaining = 0;
                p->chunk_digits = false;
        } else if (m->content_length > 0) {
                p->state = P_BODY;
                p->remaining = m->content_length;
                /*
                 * Grow with the data, not to the announced length: a client that
                 * announces 3 MiB and sends nothing must not cost 3 MiB.
                 */
                (void)kl_buf_grow(&m->body, (size_t)KL_MIN(m->content_length, (uint64_t)64 << 10));
        } else {
                p->state = P_DONE;
        }
        return KL_HTTP__PARSE_HEAD_DONE;
}

/* The head: scan for line ends, enforce limits, copy; parse once complete. */
static int feed_head(struct kl_http__parser *p, const char *data, size_t len, size_t *used)
{
        const struct kl_http_limits *lim = p->limits;
        size_t i = 0;

        while (i < len) {
                const char *nl;
                size_t seg, content;
                int r;

                if (p->head.len == 0 && (data[i] == '\r' || data[i] == '\n')) {
                        if (++p->skipped > MAX_SKIPPED_EMPTY)
                                return fail(p, 400, -EBADMSG, "too many empty lines");
                        p->started = true;
                        i++;
                        continue;
                }
                p->started = true;
                nl = memchr(data + i, '\n', len - i);
                seg = nl ? (size_t)(nl - (data + i)) + 1 : len - i;

                /* Limits before copying: the line so far plus this segment. */
                content = p->line_len + seg - (nl ? 1 : 0);
                if (p->n_lines == 0) {
                        /* +1: the CR of a CRLF is not part of the line. */
                        if (content > lim->max_request_line + 1)
                                return fail(p, 414, -ENAMETOOLONG, "request line too long");
                } else {
                        if (p->section_bytes + seg > lim->max_header_bytes + 2)
                                return fail(p, 431, -E2BIG, "header block too large");
                        p->section_bytes += seg;
                }
                if (kl_buf_append(&p->head, data + i, seg) < 0)
                        return fail(p, 431, -E2BIG, "header block too large");
                i += seg;
                if (!nl) {
                        p->line_len = content;
                        break;
                }
                /* A complete line. */
                if (content > 0 && p->head.buf[p->head.len - 2] == '\r')
                        content--;
                p->line_len = 0;
                if (p->n_lines == 0) {
                        if (content > lim->max_request_line)
                                return fail(p, 414, -ENAMETOOLONG, "request line too long");
                        if (content == 0)
                                return fail(p, 400, -EBADMSG, "empty request line");
                        p->n_lines = 1;
                        continue;
                }
                if (content == 0) {
                        *used = i;
                        r = parse_head(p);
                        return r;
                }
                if (p->n_lines++ > lim->max_headers)
                        return fail(p, 431, -E2BIG, "too many header fields");
        }
        *used = i;
        return KL_HTTP__PARSE_AGAIN;
}

static int hex_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        c = (char)(c | 0x20);
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

static int body_append(struct kl_http__parser *p, const char *data, size_t n)
{
        if (kl_buf_append(&p->msg->body, data, n) < 0)
                return fail(p, 413, -EMSGSIZE, "request body too large");
        return 0;
}

/* The chunk-size line ended: the data follows, or the trailer after the last chunk. */
static void chunk_size_line_done(struct kl_http__parser *p)
{
        p->line_len = 0;
        if (p->remaining == 0) {
                p->state = P_TRAILER;
                p->section_bytes = 0;
        } else {
                p->state = P_CHUNK_DATA;
        }
}

static void chunk_data_line_done(struct kl_http__parser *p)
{
        p->state = P_CHUNK_SIZE;
        p->line_len = 0;
        p->remaining = 0;
        p->chunk_digits = false;
}

static int feed_body(struct kl_http__parser *p, const char *data, size_t len, size_t *used)
{
        size_t i = 0;
        int r;

        while (i < len) {
                char c = data[i];

                switch (p->state) {
                case P_BODY:
                case P_CHUNK_DATA: {
                        size_t n = (size_t)KL_MIN((uint64_t)(len - i), p->remaining);

                        r = body_append(p, data + i, n);
                        if (r < 0)
                                return r;
                        i += n;
                        p->remaining -= n;
                        if (p->remaining == 0) {
                                if (p->state == P_BODY) {
                                        p->state = P_DONE;
                                        *used = i;
                                        return KL_HTTP__PARSE_DONE;
                                }
                                p->state = P_CHUNK_DATA_CR;
                        }
                        continue;
                }
                case P_CHUNK_SIZE: {
                        int v = hex_value(c);

                        if (++p->line_len > MAX_CHUNK_LINE)
                                return fail(p, 400, -EBADMSG, "chunk size line too long");
                        if (v >= 0) {
                                /*
                                 * Bound the size before it can overflow: a chunk
                                 * larger than what the body may still take is 413.
                                 */
                                if (p->remaining > (UINT64_MAX >> 4))
                                        return fail(p, 413, -EMSGSIZE, "request body too large");
                                p->remaining = p->remaining * 16 + (uint64_t)v;
                                if (p->remaining > p->limits->max_body - p->msg->body.len)
                                        return fail(p, 413, -EMSGSIZE, "request body too large");
                                p->chunk_digits = true;
                        } else if (!p->chunk_digits ||
                                   !(c == ';' || is_ows(c) || c == '\r' || c == '\n')) {
                                return fail(p, 400, -EBADMSG, "malformed chunk size");
                        } else if (c == '\r') {
                                p->state = P_CHUNK_SIZE_LF;
                        } else if (c == '\n') {
                                chunk_size_line_done(p);
                        } else {
                                p->state = P_CHUNK_EXT;
                        }
                        i++;
                        continue;
                }
                case P_CHUNK_EXT:
                        if (++p->line_len > MAX_CHUNK_LINE)
                                return fail(p, 400, -EBADMSG, "chunk size line too long");
                        if (c == '\r')
                                p->state = P_CHUNK_SIZE_LF;
                        else if (c == '\n')
                                chunk_size_line_done(p);
                        else if (!is_field_vchar((unsigned char)c))
                                return fail(p, 400, -EBADMSG, "invalid chunk extension");
                        i++;
                        continue;
                case P_CHUNK_SIZE_LF:
                        if (c != '\n')
                                return fail(p, 400, -EBADMSG, "bare CR in chunk size line");
                        chunk_size_line_done(p);
                        i++;
                        continue;
                case P_CHUNK_DATA_CR:
                        if (c == '\r')
                                p->state = P_CHUNK_DATA_LF;
                        else if (c == '\n')
                                chunk_data_line_done(p);
                        else
                                return fail(p, 400, -EBADMSG, "chunk data not followed by CRLF");
                        i++;
                        continue;
                case P_CHUNK_DATA_LF:
                        if (c != '\n')
                                return fail(p, 400, -EBADMSG, "chunk data not followed by CRLF");
                        chunk_data_line_done(p);
                        i++;
                        continue;
                case P_TRAILER:
                        i++;
                        if (c == '\n') {
                                if (p->line_len == 0) {
                                        p->state = P_DONE;
                                        *used = i;
                                        return KL_HTTP__PARSE_DONE;
                                }
                                p->line_len = 0;
                                continue;
                        }
                        if (++p->section_bytes > p->limits->max_header_bytes)
                                return fail(p, 431, -E2BIG, "trailer section too large");
                        if (c == '\0')
                                return fail(p, 400, -EBADMSG, "NUL in trailer");
                        /* A CR right before the LF does not make a line non-empty. */
                        if (c != '\r' || (i < len && data[i] != '\n'))
                                p->line_len++;
                        continue;
                default:
                        kl_bug("feed_body in a non-body state");
                }
        }
        *used = i;
        return KL_HTTP__PARSE_AGAIN;
}

int kl_http__parser_feed(struct kl_http__parser *p, const char *data, size_t len, size_t *ret_used)
{
        *ret_used = 0;
        switch (p->state) {
        case P_HEAD:
                return feed_head(p, data, len, ret_used);
        case P_DONE:
                return KL_HTTP__PARSE_DONE;
        case P_ERROR:
                return -EINVAL;
        default:
                return feed_body(p, data, len, ret_used);
        }
}
