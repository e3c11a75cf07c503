/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One probe run (pod-internal.h): exec, httpGet, tcpSocket and grpc, as
 * upstream's pkg/probe and pkg/kubelet/prober run them, with upstream's
 * wording of every failure. Blocking: on libuv's pool, never on the loop.
 *
 * Network probes open their socket inside the pod's network namespace (the
 * pool thread enters it for the socket() call only and comes straight back,
 * so the thread is never left in a pod's namespace: R9.11), then connect
 * and talk with non-blocking I/O and poll(), against one deadline: the
 * probe's timeoutSeconds counted from the start of the run.
 *
 * The parsers of what servers send (HTTP/1.x responses, HTTP/2 frames, HPACK)
 * are pure and declared in probe-internal.h for the tests and the fuzz
 * target. Every size is bounded before anything is allocated (R5.2).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "agent/pod-internal.h"
#include "agent/probe-internal.h"
#include "base/base.h"

/* What upstream's kubelet 1.32 sends as User-Agent (kube-probe/<major>.<minor>). */
#define PROBE_USER_AGENT "kube-probe/1.32"
/* Go's http.Client follows at most 10 redirects. */
#define REDIRECTS_MAX 10
/* Our SETTINGS_MAX_FRAME_SIZE: the default, never changed. */
#define H2_FRAME_MAX 16384
/* grpc-go backs off about this long between failed connection attempts while it blocks. */
#define GRPC_REDIAL_USEC (200 * KL_USEC_PER_MSEC)

const char *kl_agent__probe_kind_name(enum kl_agent__probe_kind k)
{
        switch (k) {
        case KL_AGENT__PROBE_STARTUP:
                return "Startup";
        case KL_AGENT__PROBE_LIVENESS:
                return "Liveness";
        case KL_AGENT__PROBE_READINESS:
                return "Readiness";
        }
        return "Unknown";
}

/* ------------------------------------------------------------------------- */
/* Small text helpers */

/* Go's %q of `s` (strconv.Quote for valid ASCII; other bytes as \xNN). Owned. */
static char *go_quote(const char *s)
{
        struct kl_buf b = KL_BUF_INIT;

        kl_buf_putc(&b, '"');
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                switch (*p) {
                case '"':
                        kl_buf_puts(&b, "\\\"");
                        break;
                case '\\':
                        kl_buf_puts(&b, "\\\\");
                        break;
                case '\n':
                        kl_buf_puts(&b, "\\n");
                        break;
                case '\r':
                        kl_buf_puts(&b, "\\r");
                        break;
                case '\t':
                        kl_buf_puts(&b, "\\t");
                        break;
                default:
                        if (*p < 0x20 || *p >= 0x7f)
                                kl_buf_printf(&b, "\\x%02x", *p);
                        else
                                kl_buf_putc(&b, (char)*p);
                }
        }
        kl_buf_putc(&b, '"');
        return kl_buf_detach(&b, NULL);
}

/* Go's syscall.Errno text: the C library's, with a lower-case first letter. */
static char *go_errno(int code)
{
        char *s = kl_strdup(strerror(code < 0 ? -code : code));

        s[0] = (char)tolower((unsigned char)s[0]);
        return s;
}

/* net.JoinHostPort. Owned. */
static char *join_host_port(const char *host, int port)
{
        return strchr(host, ':') ? kl_asprintf("[%s]:%d", host, port)
                                 : kl_asprintf("%s:%d", host, port);
}

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
                case H1_BODY_LEN: {
                        size_t n = (size_t)KL_MIN((int64_t)len, r->remaining);

                        r->remaining -= (int64_t)n;
                        h1_body(r, data, n);
                        data += n;
                        len -= n;
                        if (r->remaining == 0)
                                r->state = H1_DONE;
                        break;
                }
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
                case H1_CHUNK_DATA: {
                        size_t n = (size_t)KL_MIN((int64_t)len, r->remaining);

                        r->remaining -= (int64_t)n;
                        h1_body(r, data, n);
                        data += n;
                        len -= n;
                        if (r->remaining == 0 && r->state != H1_DONE)
                                r->state = H1_CHUNK_END;
                        break;
                }
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
/* HPACK: Huffman code (RFC 7541 Appendix B) */

/*
 * The code is canonical: the codes of one length are consecutive and, in
 * symbol order, follow the codes of the shorter lengths. For each length:
 * its first code, how many codes have it, and where its symbols start in
 * huff_symbols (the symbols ordered by code).
 */
/* clang-format off */
static const struct {
        uint32_t first;
        uint16_t count;
        uint16_t offset;
} huff_lengths[31] = {
        [5] = { 0x0, 10, 0 },          [6] = { 0x14, 26, 10 },        [7] = { 0x5c, 32, 36 },
        [8] = { 0xf8, 6, 68 },         [10] = { 0x3f8, 5, 74 },       [11] = { 0x7fa, 3, 79 },
        [12] = { 0xffa, 2, 82 },       [13] = { 0x1ff8, 6, 84 },      [14] = { 0x3ffc, 2, 90 },
        [15] = { 0x7ffc, 3, 92 },      [19] = { 0x7fff0, 3, 95 },     [20] = { 0xfffe6, 8, 98 },
        [21] = { 0x1fffdc, 13, 106 },  [22] = { 0x3fffd2, 26, 119 },  [23] = { 0x7fffd8, 29, 145 },
        [24] = { 0xffffea, 12, 174 },  [25] = { 0x1ffffec, 4, 186 },  [26] = { 0x3ffffe0, 15, 190 },
        [27] = { 0x7ffffde, 19, 205 }, [28] = { 0xfffffe2, 29, 224 }, [30] = { 0x3ffffffc, 4, 253 },
};

static const uint16_t huff_symbols[257] = {
        48,  49,  50,  97,  99,  101, 105, 111, 115, 116, 32,  37,  45,  46,  47,  51,  52,  53,
        54,  55,  56,  57,  61,  65,  95,  98,  100, 102, 103, 104, 108, 109, 110, 112, 114, 117,
        58,  66,  67,  68,  69,  70,  71,  72,  73,  74,  75,  76,  77,  78,  79,  80,  81,  82,
        83,  84,  85,  86,  87,  89,  106, 107, 113, 118, 119, 120, 121, 122, 38,  42,  44,  59,
        88,  90,  33,  34,  40,  41,  63,  39,  43,  124, 35,  62,  0,   36,  64,  91,  93,  126,
        94,  125, 60,  96,  123, 92,  195, 208, 128, 130, 131, 162, 184, 194, 224, 226, 153, 161,
        167, 172, 176, 177, 179, 209, 216, 217, 227, 229, 230, 129, 132, 133, 134, 136, 146, 154,
        156, 160, 163, 164, 169, 170, 173, 178, 181, 185, 186, 187, 189, 190, 196, 198, 228, 232,
        233, 1,   135, 137, 138, 139, 140, 141, 143, 147, 149, 150, 151, 152, 155, 157, 158, 165,
        166, 168, 174, 175, 180, 182, 183, 188, 191, 197, 231, 239, 9,   142, 144, 145, 148, 159,
        171, 206, 215, 225, 236, 237, 199, 207, 234, 235, 192, 193, 200, 201, 202, 205, 210, 213,
        218, 219, 238, 240, 242, 243, 255, 203, 204, 211, 212, 214, 221, 222, 223, 241, 244, 245,
        246, 247, 248, 250, 251, 252, 253, 254, 2,   3,   4,   5,   6,   7,   8,   11,  12,  14,
        15,  16,  17,  18,  19,  20,  21,  23,  24,  25,  26,  27,  28,  29,  30,  31,  127, 220,
        249, 10,  13,  22,  256,
};
/* clang-format on */

int kl_agent__huffman_decode(const uint8_t *p, size_t n, struct kl_buf *out)
{
        uint32_t code = 0;
        unsigned bits = 0;

        for (size_t i = 0; i < n; i++) {
                for (int b = 7; b >= 0; b--) {
                        code = (code << 1) | ((p[i] >> b) & 1);
                        bits++;
                        if (bits > 30)
                                return -EINVAL;
                        if (huff_lengths[bits].count == 0 || code < huff_lengths[bits].first ||
                            code - huff_lengths[bits].first >= huff_lengths[bits].count)
                                continue;
                        {
                                uint16_t sym = huff_symbols[huff_lengths[bits].offset +
                                                            (code - huff_lengths[bits].first)];
                                int r;

                                if (sym == 256) /* EOS inside a string is an error (5.2) */
                                        return -EINVAL;
                                r = kl_buf_putc(out, (char)sym);
                                if (r < 0)
                                        return r;
                        }
                        code = 0;
                        bits = 0;
                }
        }
        /* Padding: fewer than 8 bits, all ones (the most significant bits of EOS). */
        if (bits > 7 || code != (1u << bits) - 1)
                return -EINVAL;
        return 0;
}

/* ------------------------------------------------------------------------- */
/* HPACK: the decoder */

static const struct {
        const char *name, *value;
} hpack_static[] = {
        { ":authority", "" },
        { ":method", "GET" },
        { ":method", "POST" },
        { ":path", "/" },
        { ":path", "/index.html" },
        { ":scheme", "http" },
        { ":scheme", "https" },
        { ":status", "200" },
        { ":status", "204" },
        { ":status", "206" },
        { ":status", "304" },
        { ":status", "400" },
        { ":status", "404" },
        { ":status", "500" },
        { "accept-charset", "" },
        { "accept-encoding", "gzip, deflate" },
        { "accept-language", "" },
        { "accept-ranges", "" },
        { "accept", "" },
        { "access-control-allow-origin", "" },
        { "age", "" },
        { "allow", "" },
        { "authorization", "" },
        { "cache-control", "" },
        { "content-disposition", "" },
        { "content-encoding", "" },
        { "content-language", "" },
        { "content-length", "" },
        { "content-location", "" },
        { "content-range", "" },
        { "content-type", "" },
        { "cookie", "" },
        { "date", "" },
        { "etag", "" },
        { "expect", "" },
        { "expires", "" },
        { "from", "" },
        { "host", "" },
        { "if-match", "" },
        { "if-modified-since", "" },
        { "if-none-match", "" },
        { "if-range", "" },
        { "if-unmodified-since", "" },
        { "last-modified", "" },
        { "link", "" },
        { "location", "" },
        { "max-forwards", "" },
        { "proxy-authenticate", "" },
        { "proxy-authorization", "" },
        { "range", "" },
        { "referer", "" },
        { "refresh", "" },
        { "retry-after", "" },
        { "server", "" },
        { "set-cookie", "" },
        { "strict-transport-security", "" },
        { "transfer-encoding", "" },
        { "user-agent", "" },
        { "vary", "" },
        { "via", "" },
        { "www-authenticate", "" },
};

#define HPACK_STATIC_N KL_ARRAY_SIZE(hpack_static)

void kl_agent__hpack_init(struct kl_agent__hpack *h, size_t limit)
{
        /* Each entry costs at least 32 bytes, which bounds how many the table holds. */
        *h = (struct kl_agent__hpack){ .cap = limit / 32 + 1, .max_size = limit, .limit = limit };
        h->ring = kl_calloc(h->cap, sizeof(*h->ring));
}

static void hpack_evict_one(struct kl_agent__hpack *h)
{
        struct kl_agent__hpack_entry *e = &h->ring[h->first];

        h->size -= e->size;
        free(e->name);
        free(e->value);
        *e = (struct kl_agent__hpack_entry){ 0 };
        h->first = (h->first + 1) % h->cap;
        h->n--;
}

void kl_agent__hpack_release(struct kl_agent__hpack *h)
{
        while (h->n > 0)
                hpack_evict_one(h);
        free(h->ring);
        h->ring = NULL;
}

static void hpack_fit(struct kl_agent__hpack *h, size_t extra)
{
        while (h->n > 0 && h->size + extra > h->max_size)
                hpack_evict_one(h);
}

/* Takes `name` and `value`. */
static void hpack_insert(struct kl_agent__hpack *h, char *name, char *value)
{
        size_t size = strlen(name) + strlen(value) + 32;

        hpack_fit(h, size);
        if (size > h->max_size || KL_NEVER(h->n == h->cap)) {
                free(name);
                free(value);
                return;
        }
        h->ring[(h->first + h->n) % h->cap] =
                (struct kl_agent__hpack_entry){ .name = name, .value = value, .size = size };
        h->n++;
        h->size += size;
}

/* The field at HPACK index `i` (1-based: the static table, then the dynamic newest first). */
static int hpack_lookup(const struct kl_agent__hpack *h, uint64_t i, const char **ret_name,
                        const char **ret_value)
{
        if (i == 0)
                return -EINVAL;
        if (i <= HPACK_STATIC_N) {
                *ret_name = hpack_static[i - 1].name;
                *ret_value = hpack_static[i - 1].value;
                return 0;
        }
        i -= HPACK_STATIC_N + 1;
        if (i >= h->n)
                return -EINVAL;
        {
                const struct kl_agent__hpack_entry *e =
                        &h->ring[(h->first + h->n - 1 - (size_t)i) % h->cap];

                *ret_name = e->name;
                *ret_value = e->value;
        }
        return 0;
}

/* An integer with an N-bit prefix (5.1); bounded to 2^28 so it cannot overflow. */
static int hpack_int(const uint8_t **p, const uint8_t *end, unsigned prefix, uint64_t *ret)
{
        uint64_t mask = (1u << prefix) - 1, v;
        unsigned shift = 0;

        if (*p >= end)
                return -EINVAL;
        v = **p & mask;
        (*p)++;
        if (v < mask) {
                *ret = v;
                return 0;
        }
        for (;;) {
                uint8_t b;

                if (*p >= end || shift > 21)
                        return -EINVAL;
                b = **p;
                (*p)++;
                v += (uint64_t)(b & 0x7f) << shift;
                shift += 7;
                if (!(b & 0x80))
                        break;
        }
        *ret = v;
        return 0;
}

/* A string literal (5.2), as a new C string; NUL inside is malformed. */
static int hpack_str(const uint8_t **p, const uint8_t *end, char **ret)
{
        struct kl_buf b = KL_BUF_INIT_MAX(KL_AGENT__H2_BLOCK_MAX);
        bool huffman;
        uint64_t len;
        int r;

        if (*p >= end)
                return -EINVAL;
        huffman = **p & 0x80;
        r = hpack_int(p, end, 7, &len);
        if (r < 0)
                return r;
        if (len > (uint64_t)(end - *p))
                return -EINVAL;
        if (huffman)
                r = kl_agent__huffman_decode(*p, (size_t)len, &b);
        else
                r = kl_buf_append(&b, *p, (size_t)len);
        if (r >= 0 && memchr(b.buf, '\0', b.len))
                r = -EINVAL;
        if (r < 0) {
                kl_buf_release(&b);
                return r;
        }
        *p += len;
        *ret = kl_buf_detach(&b, NULL);
        return 0;
}

int kl_agent__hpack_decode(struct kl_agent__hpack *h, const uint8_t *p, size_t n,
                           kl_agent__hpack_fn *fn, void *arg)
{
        const uint8_t *end = p + n;

        while (p < end) {
                kl_autofree char *name = NULL, *value = NULL;
                const char *sname, *svalue;
                uint8_t b = *p;
                bool index_it = false;
                uint64_t i;
                int r;

                if (b & 0x80) { /* indexed field (6.1) */
                        r = hpack_int(&p, end, 7, &i);
                        if (r < 0 || (r = hpack_lookup(h, i, &sname, &svalue)) < 0)
                                return r;
                        r = fn(arg, sname, svalue);
                        if (r < 0)
                                return r;
                        continue;
                }
                if ((b & 0xe0) == 0x20) { /* dynamic table size update (6.3) */
                        r = hpack_int(&p, end, 5, &i);
                        if (r < 0)
                                return r;
                        if (i > h->limit)
                                return -EINVAL;
                        h->max_size = (size_t)i;
                        hpack_fit(h, 0);
                        continue;
                }
                /* Literals: with incremental indexing (6.2.1), without (6.2.2), never (6.2.3). */
                index_it = (b & 0xc0) == 0x40;
                r = hpack_int(&p, end, index_it ? 6 : 4, &i);
                if (r < 0)
                        return r;
                if (i == 0)
                        r = hpack_str(&p, end, &name);
                else if ((r = hpack_lookup(h, i, &sname, &svalue)) >= 0)
                        name = kl_strdup(sname);
                if (r < 0 || (r = hpack_str(&p, end, &value)) < 0)
                        return r;
                r = fn(arg, name, value);
                if (r < 0)
                        return r;
                if (index_it)
                        hpack_insert(h, KL_TAKE_PTR(name), KL_TAKE_PTR(value));
        }
        return 0;
}

/* ------------------------------------------------------------------------- */
/* One gRPC call over HTTP/2 */

enum {
        H2_DATA = 0x0,
        H2_HEADERS = 0x1,
        H2_PRIORITY = 0x2,
        H2_RST_STREAM = 0x3,
        H2_SETTINGS = 0x4,
        H2_PUSH_PROMISE = 0x5,
        H2_PING = 0x6,
        H2_GOAWAY = 0x7,
        H2_WINDOW_UPDATE = 0x8,
        H2_CONTINUATION = 0x9,
};

#define H2_END_STREAM  0x1
#define H2_ACK         0x1
#define H2_END_HEADERS 0x4
#define H2_PADDED      0x8
#define H2_PRIO        0x20

/* Our one stream. */
#define H2_STREAM 1

void kl_agent__grpc_call_init(struct kl_agent__grpc_call *c)
{
        *c = (struct kl_agent__grpc_call){
                .grpc_status = -1,
                .health = -1,
                .in = KL_BUF_INIT_MAX(9 + H2_FRAME_MAX),
                .block = KL_BUF_INIT_MAX(KL_AGENT__H2_BLOCK_MAX),
                .data = KL_BUF_INIT_MAX(KL_AGENT__H2_BLOCK_MAX),
        };
        kl_agent__hpack_init(&c->hpack, KL_AGENT__HPACK_TABLE_SIZE);
}

void kl_agent__grpc_call_release(struct kl_agent__grpc_call *c)
{
        free(c->grpc_message);
        c->grpc_message = NULL;
        kl_agent__hpack_release(&c->hpack);
        kl_buf_release(&c->in);
        kl_buf_release(&c->block);
        kl_buf_release(&c->data);
}

static void h2_frame_head(struct kl_buf *out, size_t len, uint8_t type, uint8_t flags,
                          uint32_t stream)
{
        uint8_t h[9] = { (uint8_t)(len >> 16),
                         (uint8_t)(len >> 8),
                         (uint8_t)len,
                         type,
                         flags,
                         (uint8_t)(stream >> 24),
                         (uint8_t)(stream >> 16),
                         (uint8_t)(stream >> 8),
                         (uint8_t)stream };

        (void)kl_buf_append(out, h, sizeof(h));
}

static void hpack_put_int(struct kl_buf *b, uint8_t first, unsigned prefix, uint64_t v)
{
        uint64_t mask = (1u << prefix) - 1;

        if (v < mask) {
                (void)kl_buf_putc(b, (char)(first | v));
                return;
        }
        (void)kl_buf_putc(b, (char)(first | mask));
        v -= mask;
        while (v >= 0x80) {
                (void)kl_buf_putc(b, (char)(0x80 | (v & 0x7f)));
                v >>= 7;
        }
        (void)kl_buf_putc(b, (char)v);
}

static void hpack_put_str(struct kl_buf *b, const char *s)
{
        hpack_put_int(b, 0, 7, strlen(s));
        (void)kl_buf_puts(b, s);
}

/* A literal without indexing: a static table name index, or 0 and the name. */
static void hpack_put_field(struct kl_buf *b, unsigned name_index, const char *name,
                            const char *value)
{
        hpack_put_int(b, 0x00, 4, name_index);
        if (name_index == 0)
                hpack_put_str(b, name);
        hpack_put_str(b, value);
}

static void put_varint(struct kl_buf *b, uint64_t v)
{
        while (v >= 0x80) {
                (void)kl_buf_putc(b, (char)(0x80 | (v & 0x7f)));
                v >>= 7;
        }
        (void)kl_buf_putc(b, (char)v);
}

void kl_agent__grpc_request(const char *authority, const char *service, const char *user_agent,
                            struct kl_buf *out)
{
        static const uint8_t settings[] = { 0x00, 0x02, 0, 0, 0, 0 }; /* ENABLE_PUSH = 0 */
        kl_autobuf struct kl_buf block = KL_BUF_INIT;
        kl_autobuf struct kl_buf msg = KL_BUF_INIT;
        uint8_t prefix[5];

        (void)kl_buf_puts(out, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        h2_frame_head(out, sizeof(settings), H2_SETTINGS, 0, 0);
        (void)kl_buf_append(out, settings, sizeof(settings));

        (void)kl_buf_putc(&block, (char)0x83); /* :method POST */
        (void)kl_buf_putc(&block, (char)0x86); /* :scheme http */
        hpack_put_field(&block, 4, NULL, "/grpc.health.v1.Health/Check");
        hpack_put_field(&block, 1, NULL, authority);
        hpack_put_field(&block, 31, NULL, "application/grpc");
        hpack_put_field(&block, 58, NULL, user_agent);
        hpack_put_field(&block, 0, "te", "trailers");
        h2_frame_head(out, block.len, H2_HEADERS, H2_END_HEADERS, H2_STREAM);
        (void)kl_buf_append(out, block.buf, block.len);

        /* HealthCheckRequest{service = 1}: proto3 leaves an empty string out. */
        if (*service) {
                (void)kl_buf_putc(&msg, 0x0a);
                put_varint(&msg, strlen(service));
                (void)kl_buf_puts(&msg, service);
        }
        prefix[0] = 0; /* not compressed */
        prefix[1] = (uint8_t)(msg.len >> 24);
        prefix[2] = (uint8_t)(msg.len >> 16);
        prefix[3] = (uint8_t)(msg.len >> 8);
        prefix[4] = (uint8_t)msg.len;
        h2_frame_head(out, sizeof(prefix) + msg.len, H2_DATA, H2_END_STREAM, H2_STREAM);
        (void)kl_buf_append(out, prefix, sizeof(prefix));
        (void)kl_buf_append(out, msg.buf, msg.len);
}

static int pct_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        c = (char)tolower((unsigned char)c);
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* grpc-message is percent-encoded (gRPC over HTTP/2, "Responses"). */
static char *pct_decode(const char *s)
{
        struct kl_buf b = KL_BUF_INIT;

        for (; *s; s++) {
                int hi, lo;

                if (*s == '%' && (hi = pct_value(s[1])) >= 0 && (lo = pct_value(s[2])) >= 0 &&
                    (hi || lo)) {
                        (void)kl_buf_putc(&b, (char)(hi * 16 + lo));
                        s += 2;
                } else
                        (void)kl_buf_putc(&b, *s);
        }
        return kl_buf_detach(&b, NULL);
}

struct h2_fields {
        struct kl_agent__grpc_call *c;
        bool ours;
};

static int on_field(void *arg, const char *name, const char *value)
{
        struct h2_fields *f = arg;
        struct kl_agent__grpc_call *c = f->c;

        if (!f->ours)
                return 0;
        if (kl_streq(name, ":status") && c->blocks == 0) {
                int v;

                if (kl_parse_int(value, &v) < 0 || v < 100 || v > 999)
                        return -EPROTO;
                c->http_status = v;
        } else if (kl_streq(name, "grpc-status")) {
                int v;

                if (kl_parse_int(value, &v) < 0 || v < 0)
                        return -EPROTO;
                c->grpc_status = v;
        } else if (kl_streq(name, "grpc-message")) {
                free(c->grpc_message);
                c->grpc_message = pct_decode(value);
        }
        return 0;
}

/* The message of the DATA frames: a 5-byte prefix and HealthCheckResponse. */
static void grpc_parse_message(struct kl_agent__grpc_call *c)
{
        const uint8_t *p = (const uint8_t *)c->data.buf, *end;
        uint32_t len;
        int health = 0;

        if (c->data.len < 5 || p[0] != 0)
                return;
        len = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
        if (len > c->data.len - 5)
                return;
        p += 5;
        end = p + len;
        while (p < end) {
                uint64_t key = 0, v = 0;
                unsigned shift = 0;

                /* Varints of at most 10 bytes. */
                do {
                        if (p >= end || shift > 63)
                                return;
                        key |= (uint64_t)(*p & 0x7f) << shift;
                        shift += 7;
                } while (*p++ & 0x80);
                switch (key & 7) {
                case 0:
                        shift = 0;
                        do {
                                if (p >= end || shift > 63)
                                        return;
                                v |= (uint64_t)(*p & 0x7f) << shift;
                                shift += 7;
                        } while (*p++ & 0x80);
                        if (key >> 3 == 1)
                                health = (int)(int32_t)v;
                        break;
                case 1:
                        if (end - p < 8)
                                return;
                        p += 8;
                        break;
                case 2:
                        shift = 0;
                        do {
                                if (p >= end || shift > 63)
                                        return;
                                v |= (uint64_t)(*p & 0x7f) << shift;
                                shift += 7;
                        } while (*p++ & 0x80);
                        if (v > (uint64_t)(end - p))
                                return;
                        p += v;
                        break;
                case 5:
                        if (end - p < 4)
                                return;
                        p += 4;
                        break;
                default:
                        return;
                }
        }
        c->health = health;
}

static int h2_end_block(struct kl_agent__grpc_call *c, struct kl_err **err)
{
        struct h2_fields f = { .c = c, .ours = c->block_stream == H2_STREAM };
        int r = kl_agent__hpack_decode(&c->hpack, (const uint8_t *)c->block.buf, c->block.len,
                                       on_field, &f);

        kl_buf_reset(&c->block);
        c->in_block = false;
        if (r < 0)
                return kl_err_set(err, -EPROTO, "connection error: COMPRESSION_ERROR");
        if (!f.ours)
                return 0;
        c->blocks++;
        if (c->block_end_stream)
                c->done = true;
        return 0;
}

/* One whole frame. */
static int h2_frame(struct kl_agent__grpc_call *c, uint8_t type, uint8_t flags, uint32_t stream,
                    const uint8_t *p, size_t len, struct kl_buf *out, struct kl_err **err)
{
        if (c->in_block && type != H2_CONTINUATION)
                return kl_err_set(err, -EPROTO, "connection error: PROTOCOL_ERROR");
        switch (type) {
        case H2_DATA:
        case H2_HEADERS: {
                size_t pad = 0;

                if (stream == 0)
                        return kl_err_set(err, -EPROTO, "connection error: PROTOCOL_ERROR");
                if (flags & H2_PADDED) {
                        if (len < 1)
                                return kl_err_set(err, -EPROTO, "connection error: PROTOCOL_ERROR");
                        pad = p[0];
                        p++;
                        len--;
                }
                if (type == H2_HEADERS && (flags & H2_PRIO)) {
                        if (len < 5)
                                return kl_err_set(err, -EPROTO, "connection error: PROTOCOL_ERROR");
                        p += 5;
                        len -= 5;
                }
                if (pad > len)
                        return kl_err_set(err, -EPROTO, "connection error: PROTOCOL_ERROR");
                len -= pad;
                if (type == H2_DATA) {
                        if (stream != H2_STREAM)
                                return 0;
                        if (kl_buf_append(&c->data, p, len) < 0)
                                return kl_err_set(err, -E2BIG,
                                                  "grpc: received message larger than max (%d)",
                                                  KL_AGENT__H2_BLOCK_MAX);
                        if (flags & H2_END_STREAM)
                                c->done = true;
                        return 0;
                }
                c->in_block = true;
                c->block_stream = stream;
                c->block_end_stream = flags & H2_END_STREAM;
                if (kl_buf_append(&c->block, p, len) < 0)
                        return kl_err_set(err, -E2BIG, "header list too large");
                return (flags & H2_END_HEADERS) ? h2_end_block(c, err) : 0;
        }
        case H2_CONTINUATION:
                if (!c->in_block || stream != c->block_stream)
                        return kl_err_set(err, -EPROTO, "connection error: PROTOCOL_ERROR");
                if (kl_buf_append(&c->block, p, len) < 0)
                        return kl_err_set(err, -E2BIG, "header list too large");
                return (flags & H2_END_HEADERS) ? h2_end_block(c, err) : 0;
        case H2_RST_STREAM:
                if (len != 4)
                        return kl_err_set(err, -EPROTO, "connection error: FRAME_SIZE_ERROR");
                if (stream == H2_STREAM) {
                        c->reset = true;
                        c->rst_code = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                                      (uint32_t)p[2] << 8 | p[3];
                        c->done = true;
                }
                return 0;
        case H2_SETTINGS:
                if (stream != 0 || ((flags & H2_ACK) ? len != 0 : len % 6 != 0))
                        return kl_err_set(err, -EPROTO, "connection error: PROTOCOL_ERROR");
                /* Nothing the server sets changes what we send next (one small request). */
                if (!(flags & H2_ACK))
                        h2_frame_head(out, 0, H2_SETTINGS, H2_ACK, 0);
                return 0;
        case H2_PING:
                if (len != 8 || stream != 0)
                        return kl_err_set(err, -EPROTO, "connection error: PROTOCOL_ERROR");
                if (!(flags & H2_ACK)) {
                        h2_frame_head(out, 8, H2_PING, H2_ACK, 0);
                        (void)kl_buf_append(out, p, 8);
                }
                return 0;
        case H2_GOAWAY: {
                uint32_t last;

                if (len < 8)
                        return kl_err_set(err, -EPROTO, "connection error: FRAME_SIZE_ERROR");
                last = ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]) &
                       0x7fffffffu;
                /* Our stream goes on when the server says it will still process it. */
                if (last < H2_STREAM)
                        return kl_err_set(err, -ECONNRESET,
                                          "the connection is draining due to a GOAWAY");
                return 0;
        }
        case H2_PUSH_PROMISE:
                /* We said SETTINGS_ENABLE_PUSH 0. */
                return kl_err_set(err, -EPROTO, "connection error: PROTOCOL_ERROR");
        default:
                /* PRIORITY, WINDOW_UPDATE (our request fits the initial window), unknown types. */
                return 0;
        }
}

int kl_agent__grpc_feed(struct kl_agent__grpc_call *c, const uint8_t *data, size_t len,
                        struct kl_buf *out, struct kl_err **err)
{
        if (c->done)
                return 1;
        if (len == 0)
                return kl_err_set(err, -ECONNRESET, "error reading from server: EOF");
        while (len > 0 && !c->done) {
                size_t take = KL_MIN(len, 9 + H2_FRAME_MAX - c->in.len);
                const uint8_t *p;
                size_t flen;

                (void)kl_buf_append(&c->in, data, take);
                data += take;
                len -= take;
                while (!c->done && c->in.len >= 9) {
                        int r;

                        p = (const uint8_t *)c->in.buf;
                        flen = (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
                        if (flen > H2_FRAME_MAX)
                                return kl_err_set(err, -EPROTO,
                                                  "connection error: FRAME_SIZE_ERROR");
                        if (c->in.len < 9 + flen)
                                break;
                        r = h2_frame(c, p[3], p[4],
                                     ((uint32_t)p[5] << 24 | (uint32_t)p[6] << 16 |
                                      (uint32_t)p[7] << 8 | p[8]) &
                                             0x7fffffffu,
                                     p + 9, flen, out, err);
                        if (r < 0)
                                return r;
                        memmove(c->in.buf, c->in.buf + 9 + flen, c->in.len - 9 - flen);
                        kl_buf_truncate(&c->in, c->in.len - 9 - flen);
                }
        }
        if (c->done)
                grpc_parse_message(c);
        return c->done ? 1 : 0;
}

/* ------------------------------------------------------------------------- */
/* Connections */

/* Milliseconds left until `deadline` (monotonic), 0 when it has passed. */
static int remaining_ms(kl_usec_t deadline)
{
        kl_usec_t now = kl_now_monotonic();

        if (now >= deadline)
                return 0;
        return (int)KL_MIN((deadline - now + 999) / 1000, (kl_usec_t)INT32_MAX);
}

/* poll() one fd until `events` or the deadline: 1, 0 (time-out) or -errno. */
static int wait_fd(int fd, short events, kl_usec_t deadline)
{
        for (;;) {
                struct pollfd p = { .fd = fd, .events = events };
                int ms = remaining_ms(deadline);
                int r;

                if (ms == 0)
                        return 0;
                r = poll(&p, 1, ms);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r > 0)
                        return 1;
        }
}

struct endpoint {
        struct sockaddr_storage sa;
        socklen_t len;
        char *text; /* owned: "10.0.0.1:80", "[::1]:80", as Go prints dial addresses */
};

static void endpoint_release(struct endpoint *e)
{
        free(e->text);
        e->text = NULL;
}

/* `host` (an IP, or a name resolved by the host's resolver) and `port`. */
static int endpoint_resolve(const char *host, int port, struct endpoint *ret, char **ret_msg)
{
        struct sockaddr_in *in4 = (struct sockaddr_in *)&ret->sa;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ret->sa;
        char ip[INET6_ADDRSTRLEN];

        *ret = (struct endpoint){ 0 };
        if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
                in4->sin_family = AF_INET;
                in4->sin_port = htons((uint16_t)port);
                ret->len = sizeof(*in4);
        } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons((uint16_t)port);
                ret->len = sizeof(*in6);
        } else {
                struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
                struct addrinfo *ai = NULL;
                int r = getaddrinfo(host, NULL, &hints, &ai);

                if (r != 0 || !ai) {
                        *ret_msg = kl_asprintf("dial tcp: lookup %s: no such host", host);
                        if (ai)
                                freeaddrinfo(ai);
                        return -ENOENT;
                }
                memcpy(&ret->sa, ai->ai_addr, ai->ai_addrlen);
                ret->len = ai->ai_addrlen;
                freeaddrinfo(ai);
                if (ret->sa.ss_family == AF_INET)
                        in4->sin_port = htons((uint16_t)port);
                else
                        in6->sin6_port = htons((uint16_t)port);
        }
        if (ret->sa.ss_family == AF_INET)
                inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof(ip));
        else
                inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        ret->text = join_host_port(ip, port);
        return 0;
}

/*
 * A non-blocking TCP socket created inside `netns` (NULL: ours). The thread
 * goes back to its own namespace before anything else happens; a thread that
 * cannot go back would run the pool's next job in a pod's namespace, so that
 * aborts (it cannot happen short of a kernel bug: we hold the fd of our own).
 */
static int socket_in(const char *netns, int family, int *ret_fd, char **ret_msg)
{
        kl_autoclose int self = -EBADF, target = -EBADF;
        int fd, saved;

        if (!netns) {
                fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                        saved = errno;
                        *ret_msg = kl_asprintf("socket: %s", strerror(saved));
                        return -saved;
                }
                *ret_fd = fd;
                return 0;
        }
        self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        target = open(netns, O_RDONLY | O_CLOEXEC);
        if (self < 0 || target < 0) {
                saved = errno;
                *ret_msg = kl_asprintf("open network namespace '%s': %s", netns, strerror(saved));
                return -saved;
        }
        if (setns(target, CLONE_NEWNET) < 0) {
                saved = errno;
                *ret_msg = kl_asprintf("enter network namespace '%s': %s", netns, strerror(saved));
                return -saved;
        }
        fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        saved = errno;
        if (setns(self, CLONE_NEWNET) < 0)
                kl_bug("cannot return to the thread's own network namespace");
        if (fd < 0) {
                *ret_msg = kl_asprintf("socket: %s", strerror(saved));
                return -saved;
        }
        *ret_fd = fd;
        return 0;
}

/*
 * Connect to `ep` from inside `netns` before `deadline`. On failure
 * *ret_msg is Go's dial error ("dial tcp 10.0.0.1:80: connect: connection
 * refused", "dial tcp 10.0.0.1:80: i/o timeout") and the code is -ETIMEDOUT
 * for the time-out.
 */
static int dial(const char *netns, const struct endpoint *ep, kl_usec_t deadline, int *ret_fd,
                char **ret_msg)
{
        kl_autoclose int fd = -EBADF;
        kl_autofree char *why = NULL;
        socklen_t sl = sizeof(int);
        int r, soerr = 0;

        r = socket_in(netns, ep->sa.ss_family, &fd, &why);
        if (r < 0) {
                *ret_msg = kl_asprintf("dial tcp %s: %s", ep->text, why);
                return r;
        }
        if (connect(fd, (const struct sockaddr *)&ep->sa, ep->len) < 0) {
                if (errno != EINPROGRESS) {
                        soerr = errno;
                } else {
                        r = wait_fd(fd, POLLOUT, deadline);
                        if (r == 0) {
                                *ret_msg = kl_asprintf("dial tcp %s: i/o timeout", ep->text);
                                return -ETIMEDOUT;
                        }
                        if (r < 0)
                                soerr = -r;
                        else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
                                soerr = errno;
                }
        }
        if (soerr != 0) {
                kl_autofree char *text = go_errno(soerr);

                *ret_msg = kl_asprintf("dial tcp %s: connect: %s", ep->text, text);
                return -soerr;
        }
        *ret_fd = KL_TAKE_FD(fd);
        return 0;
}

/* A connection, plain or TLS, with one deadline for everything done on it. */
struct conn {
        int fd;
        SSL_CTX *ctx;
        SSL *ssl;
        kl_usec_t deadline;
};

static void conn_close(struct conn *c)
{
        if (c->ssl)
                SSL_free(c->ssl);
        if (c->ctx)
                SSL_CTX_free(c->ctx);
        if (c->fd >= 0)
                (void)kl_close(c->fd);
        *c = (struct conn){ .fd = -EBADF };
}

static char *tls_error_text(void)
{
        unsigned long e = ERR_get_error();
        char buf[256];

        if (e == 0)
                return kl_strdup("tls: handshake failed");
        ERR_error_string_n(e, buf, sizeof(buf));
        ERR_clear_error();
        return kl_asprintf("tls: %s", buf);
}

/* Wait as OpenSSL asks after SSL_ERROR_WANT_*: 1, 0 (time-out), or -1 (another error). */
static int tls_wait(struct conn *c, int ret)
{
        switch (SSL_get_error(c->ssl, ret)) {
        case SSL_ERROR_WANT_READ:
                return wait_fd(c->fd, POLLIN, c->deadline) > 0 ? 1 : 0;
        case SSL_ERROR_WANT_WRITE:
                return wait_fd(c->fd, POLLOUT, c->deadline) > 0 ? 1 : 0;
        default:
                return -1;
        }
}

/* TLS over the connected socket, without verification, as upstream's probes. */
static int conn_tls(struct conn *c, const char *server_name, char **ret_msg)
{
        struct in6_addr a6;
        struct in_addr a4;

        ERR_clear_error();
        c->ctx = SSL_CTX_new(TLS_client_method());
        if (!c->ctx || !(c->ssl = SSL_new(c->ctx)) || SSL_set_fd(c->ssl, c->fd) != 1) {
                *ret_msg = tls_error_text();
                return -EIO;
        }
        SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
        SSL_set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
        /* Go sends the server name (SNI) unless it is an IP address. */
        if (inet_pton(AF_INET, server_name, &a4) != 1 && inet_pton(AF_INET6, server_name, &a6) != 1)
                (void)SSL_set_tlsext_host_name(c->ssl, server_name);
        for (;;) {
                int r = SSL_connect(c->ssl);
                int w;

                if (r == 1)
                        return 0;
                w = tls_wait(c, r);
                if (w == 0)
                        return -ETIMEDOUT;
                if (w < 0) {
                        *ret_msg = tls_error_text();
                        return -EPROTO;
                }
        }
}

static int conn_write_all(struct conn *c, const void *data, size_t len)
{
        const char *p = data;

        while (len > 0) {
                ssize_t n;

                if (c->ssl) {
                        int r = SSL_write(c->ssl, p, (int)KL_MIN(len, (size_t)INT32_MAX));
                        int w;

                        if (r > 0) {
                                n = r;
                        } else {
                                w = tls_wait(c, r);
                                if (w == 0)
                                        return -ETIMEDOUT;
                                if (w < 0)
                                        return -EPIPE;
                                continue;
                        }
                } else {
                        n = send(c->fd, p, len, MSG_NOSIGNAL);
                        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                                if (wait_fd(c->fd, POLLOUT, c->deadline) == 0)
                                        return -ETIMEDOUT;
                                continue;
                        }
                        if (n < 0)
                                return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

/* Read what is there: > 0 bytes, 0 at EOF, -ETIMEDOUT, or -errno. */
static ssize_t conn_read(struct conn *c, void *buf, size_t size)
{
        for (;;) {
                ssize_t n;

                if (c->ssl) {
                        int r = SSL_read(c->ssl, buf, (int)KL_MIN(size, (size_t)INT32_MAX));
                        int e, w;

                        if (r > 0)
                                return r;
                        e = SSL_get_error(c->ssl, r);
                        /* Many servers close without close_notify: an end like any other. */
                        if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL)
                                return 0;
                        w = tls_wait(c, r);
                        if (w == 0)
                                return -ETIMEDOUT;
                        if (w < 0)
                                return -ECONNRESET;
                        continue;
                }
                n = recv(c->fd, buf, size, 0);
                if (n >= 0)
                        return n;
                if (errno != EAGAIN && errno != EINTR)
                        return -errno;
                if (wait_fd(c->fd, POLLIN, c->deadline) == 0)
                        return -ETIMEDOUT;
        }
}

/* ------------------------------------------------------------------------- */
/* The probe's fields */

struct probe_ctx {
        const json_t *probe;
        const struct kl_agent__probe_target *t;
        int64_t timeout_sec;
        kl_usec_t deadline;
};

static const char *target_host(const struct kl_agent__probe_target *t, const char *host)
{
        if (!kl_isempty(host))
                return host;
        if (!kl_isempty(t->pod_ip))
                return t->pod_ip;
        return "127.0.0.1";
}

/*
 * upstream's ResolveContainerPort: a number, or the name of one of the
 * container's ports, or a number written as a string. -EINVAL with the
 * message upstream's error would have.
 */
static int resolve_port(const json_t *port, const json_t *container, int *ret, char **ret_msg)
{
        int64_t v = -1;

        if (json_is_integer(port)) {
                v = json_integer_value(port);
        } else if (json_is_string(port)) {
                const char *name = json_string_value(port);
                const json_t *p;
                size_t i;

                json_array_foreach(json_object_get(container, "ports"), i, p) {
                        if (kl_streq_null(json_string_value(json_object_get(p, "name")), name)) {
                                v = json_integer_value(json_object_get(p, "containerPort"));
                                break;
                        }
                }
                if (v < 0 && kl_parse_int64(name, &v) < 0) {
                        *ret_msg =
                                kl_asprintf("strconv.Atoi: parsing \"%s\": invalid syntax", name);
                        return -EINVAL;
                }
        } else {
                *ret_msg = kl_strdup("invalid port number: 0");
                return -EINVAL;
        }
        if (v <= 0 || v >= 65536) {
                *ret_msg = kl_asprintf("invalid port number: %lld", (long long)v);
                return -EINVAL;
        }
        *ret = (int)v;
        return 0;
}

/* ------------------------------------------------------------------------- */
/* exec */

static char *join_args(const json_t *cmd)
{
        struct kl_buf b = KL_BUF_INIT;
        const json_t *a;
        size_t i;

        json_array_foreach(cmd, i, a) {
                if (i > 0)
                        (void)kl_buf_putc(&b, ' ');
                (void)kl_buf_puts(&b, json_string_value(a) ?: "");
        }
        return kl_buf_detach(&b, NULL);
}

static enum kl_agent__probe_result probe_exec(const struct probe_ctx *x, const json_t *action,
                                              char **ret_message)
{
        const json_t *cmd = json_object_get(action, "command");
        kl_autobuf struct kl_buf out = KL_BUF_INIT_MAX(KL_AGENT__PROBE_OUTPUT_MAX);
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_process p = { 0 };
        struct kl_ctr_stream *s = NULL;
        const json_t *a;
        size_t i;
        int r;

        if (!x->t->rt || !x->t->ctr_id) {
                *ret_message = kl_strdup("exec probe: no container to run in");
                return KL_AGENT__PROBE_FAILURE;
        }
        json_array_foreach(cmd, i, a)
                kl_strv_push(&p.args, json_string_value(a) ?: "");
        if (!p.args) {
                *ret_message = kl_strdup("exec probe: empty command");
                return KL_AGENT__PROBE_FAILURE;
        }
        r = kl_ctr_exec(x->t->rt, x->t->ctr_id, &p, &s, &e);
        kl_ctr_process_release(&p);
        if (r < 0) {
                *ret_message = kl_strdup(kl_err_msg(e));
                return KL_AGENT__PROBE_FAILURE;
        }
        for (;;) {
                char buf[4096];
                enum kl_ctr_stream_kind kind;
                int code = 0;
                ssize_t n;

                n = kl_ctr_stream_read(s, buf, sizeof(buf), &kind, &code, &e);
                if (n == -EAGAIN) {
                        if (wait_fd(kl_ctr_stream_fd(s), POLLIN, x->deadline) > 0)
                                continue;
                        /*
                         * Upstream's message for an exec probe past its time-out
                         * (the runtime's DeadlineExceeded). The process goes on:
                         * the stream API cannot signal it; it ends with the
                         * container at the latest.
                         */
                        kl_ctr_stream_free(s);
                        {
                                kl_autofree char *line = join_args(cmd);
                                kl_autofree char *q = go_quote(line);

                                *ret_message = kl_asprintf("command %s timed out", q);
                        }
                        return KL_AGENT__PROBE_FAILURE;
                }
                if (n < 0) {
                        kl_ctr_stream_free(s);
                        *ret_message = kl_strdup(kl_err_msg(e));
                        return KL_AGENT__PROBE_FAILURE;
                }
                if (kind == KL_CTR_STREAM_EXIT) {
                        kl_ctr_stream_free(s);
                        *ret_message = kl_buf_detach(&out, NULL);
                        return code == 0 ? KL_AGENT__PROBE_SUCCESS : KL_AGENT__PROBE_FAILURE;
                }
                /* Combined output, the rest dropped past the limit (upstream's LimitWriter). */
                (void)kl_buf_append(&out, buf,
                                    KL_MIN((size_t)n, KL_AGENT__PROBE_OUTPUT_MAX - out.len));
        }
}

/* ------------------------------------------------------------------------- */
/* tcpSocket */

static enum kl_agent__probe_result probe_tcp(const struct probe_ctx *x, const json_t *action,
                                             char **ret_message)
{
        const char *host = target_host(x->t, json_string_value(json_object_get(action, "host")));
        struct endpoint ep;
        int port, fd = -EBADF;

        if (resolve_port(json_object_get(action, "port"), x->t->container, &port, ret_message) < 0)
                return KL_AGENT__PROBE_FAILURE;
        if (endpoint_resolve(host, port, &ep, ret_message) < 0)
                return KL_AGENT__PROBE_FAILURE;
        if (dial(x->t->netns, &ep, x->deadline, &fd, ret_message) < 0) {
                endpoint_release(&ep);
                return KL_AGENT__PROBE_FAILURE;
        }
        (void)kl_close(fd);
        endpoint_release(&ep);
        return KL_AGENT__PROBE_SUCCESS;
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
        kl_autofree char *hp = join_host_port(u->host, u->port);

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
        kl_autofree char *hp = join_host_port(u->host, u->port);
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
                kl_buf_puts(out, "User-Agent: " PROBE_USER_AGENT "\r\n");
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
static int http_exchange(struct conn *c, const struct url *u, const struct kl_buf *req,
                         const struct endpoint *ep, struct kl_agent__http1 *resp, char **ret_msg)
{
        static const char awaiting[] =
                "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
        int r;

        if (kl_streq(u->scheme, "https")) {
                r = conn_tls(c, u->host, ret_msg);
                if (r == -ETIMEDOUT)
                        *ret_msg = kl_strdup("net/http: TLS handshake timeout");
                if (r < 0)
                        return r;
        }
        r = conn_write_all(c, req->buf, req->len);
        if (r < 0) {
                kl_autofree char *text = go_errno(r);

                *ret_msg = r == -ETIMEDOUT ? kl_strdup(awaiting)
                                           : kl_asprintf("write tcp %s: write: %s", ep->text, text);
                return r;
        }
        for (;;) {
                char buf[8192];
                ssize_t n = conn_read(c, buf, sizeof(buf));
                kl_autoerr struct kl_err *e = NULL;

                if (n == -ETIMEDOUT) {
                        *ret_msg = kl_strdup(resp->status != 0
                                                     ? "context deadline exceeded (Client.Timeout "
                                                       "or context cancellation while reading body)"
                                                     : awaiting);
                        return -ETIMEDOUT;
                }
                if (n < 0) {
                        kl_autofree char *text = go_errno((int)n);

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
        struct conn c = { .fd = -EBADF, .deadline = q->deadline };
        struct endpoint ep;
        int r;

        r = build_request(q, u, &req, ret_msg);
        if (r < 0)
                return r;
        r = endpoint_resolve(u->host, u->port, &ep, ret_msg);
        if (r < 0)
                return r;
        r = dial(q->netns, &ep, q->deadline, &c.fd, ret_msg);
        if (r == -ETIMEDOUT) {
                free(*ret_msg);
                *ret_msg = kl_strdup(
                        "context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        }
        if (r >= 0)
                r = http_exchange(&c, u, &req, &ep, resp, ret_msg);
        conn_close(&c);
        endpoint_release(&ep);
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
                        kl_autofree char *ql = go_quote(resp.location);

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

static enum kl_agent__probe_result probe_http(const struct probe_ctx *x, const json_t *action,
                                              char **ret_message)
{
        const char *host = target_host(x->t, json_string_value(json_object_get(action, "host")));
        const char *scheme = json_string_value(json_object_get(action, "scheme"));
        const char *path = json_string_value(json_object_get(action, "path"));
        struct http_req q = { .headers = json_object_get(action, "httpHeaders"),
                              .netns = x->t->netns,
                              .deadline = x->deadline };
        enum kl_agent__probe_result result = KL_AGENT__PROBE_FAILURE;
        struct url first = { 0 }, cur = { 0 };
        int port;

        if (resolve_port(json_object_get(action, "port"), x->t->container, &port, ret_message) < 0)
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

/* ------------------------------------------------------------------------- */
/* grpc */

static const char *grpc_code_name(int code, char *buf, size_t size)
{
        static const char *const names[] = {
                "OK",
                "Canceled",
                "Unknown",
                "InvalidArgument",
                "DeadlineExceeded",
                "NotFound",
                "AlreadyExists",
                "PermissionDenied",
                "ResourceExhausted",
                "FailedPrecondition",
                "Aborted",
                "OutOfRange",
                "Unimplemented",
                "Internal",
                "Unavailable",
                "DataLoss",
                "Unauthenticated",
        };

        if (code >= 0 && (size_t)code < KL_ARRAY_SIZE(names))
                return names[code];
        snprintf(buf, size, "Code(%d)", code);
        return buf;
}

static const char *h2_error_name(uint32_t code)
{
        static const char *const names[] = {
                "NO_ERROR",
                "PROTOCOL_ERROR",
                "INTERNAL_ERROR",
                "FLOW_CONTROL_ERROR",
                "SETTINGS_TIMEOUT",
                "STREAM_CLOSED",
                "FRAME_SIZE_ERROR",
                "REFUSED_STREAM",
                "CANCEL",
                "COMPRESSION_ERROR",
                "CONNECT_ERROR",
                "ENHANCE_YOUR_CALM",
                "INADEQUATE_SECURITY",
                "HTTP_1_1_REQUIRED",
        };

        return code < KL_ARRAY_SIZE(names) ? names[code] : "UNKNOWN";
}

/* grpc-go's code for a response that is not HTTP 200 (its HTTP-to-gRPC status mapping). */
static int grpc_code_of_http(int status)
{
        switch (status) {
        case 400:
                return 13;
        case 401:
                return 16;
        case 403:
                return 7;
        case 404:
                return 12;
        case 429:
        case 502:
        case 503:
        case 504:
                return 14;
        default:
                return 2;
        }
}

static const char *health_name(int v, char *buf, size_t size)
{
        static const char *const names[] = { "UNKNOWN", "SERVING", "NOT_SERVING",
                                             "SERVICE_UNKNOWN" };

        if (v >= 0 && (size_t)v < KL_ARRAY_SIZE(names))
                return names[v];
        snprintf(buf, size, "%d", v);
        return buf;
}

/* The probe's verdict on a finished call, in upstream's words. */
static enum kl_agent__probe_result grpc_verdict(const struct kl_agent__grpc_call *c,
                                                const char *timeout_text, char **ret_message)
{
        char b1[32], b2[32];
        int code;
        kl_autofree char *desc = NULL;

        if (c->reset) {
                code = c->rst_code == 7 ? 14 : c->rst_code == 8 ? 1 : 13;
                desc = kl_asprintf("stream terminated by RST_STREAM with error code: %s",
                                   h2_error_name(c->rst_code));
        } else if (c->http_status != 200) {
                code = grpc_code_of_http(c->http_status);
                desc = kl_asprintf("unexpected HTTP status code received from server: %d",
                                   c->http_status);
        } else if (c->grpc_status < 0) {
                code = 13;
                desc = kl_strdup("server closed the stream without sending trailers");
        } else if (c->grpc_status != 0) {
                code = c->grpc_status;
                desc = kl_strdup(c->grpc_message ?: "");
        } else if (c->health < 0) {
                code = 13;
                desc = kl_strdup("grpc: failed to unmarshal the received message");
        } else if (c->health != KL_AGENT__GRPC_SERVING) {
                *ret_message = kl_asprintf("service unhealthy (responded with \"%s\")",
                                           health_name(c->health, b1, sizeof(b1)));
                return KL_AGENT__PROBE_FAILURE;
        } else {
                *ret_message = kl_strdup("service healthy");
                return KL_AGENT__PROBE_SUCCESS;
        }
        if (code == 12)
                *ret_message = kl_asprintf("error: this server does not implement the grpc "
                                           "health protocol (grpc.health.v1.Health): %s",
                                           desc);
        else if (code == 4)
                *ret_message =
                        kl_asprintf("timeout: health rpc did not complete within %s", timeout_text);
        else
                *ret_message = kl_asprintf(
                        "error: health rpc probe failed: rpc error: code = %s desc = %s",
                        grpc_code_name(code, b2, sizeof(b2)), desc);
        return KL_AGENT__PROBE_FAILURE;
}

/* The call on the connected `c`: the request, then frames until our stream ends. */
static enum kl_agent__probe_result grpc_exchange(struct conn *c, const char *addr,
                                                 const char *service, const char *timeout_text,
                                                 struct kl_agent__grpc_call *call,
                                                 char **ret_message)
{
        kl_autobuf struct kl_buf out = KL_BUF_INIT;
        int r;

        kl_agent__grpc_request(addr, service, PROBE_USER_AGENT, &out);
        r = conn_write_all(c, out.buf, out.len);
        kl_buf_reset(&out);
        while (r >= 0) {
                uint8_t buf[8192];
                ssize_t n = conn_read(c, buf, sizeof(buf));
                kl_autoerr struct kl_err *e = NULL;

                if (n < 0) {
                        r = (int)n;
                        break;
                }
                r = kl_agent__grpc_feed(call, buf, (size_t)n, &out, &e);
                if (r < 0) {
                        *ret_message = kl_asprintf("error: health rpc probe failed: rpc error: "
                                                   "code = Unavailable desc = %s",
                                                   kl_err_msg(e));
                        return KL_AGENT__PROBE_FAILURE;
                }
                if (r == 1)
                        return grpc_verdict(call, timeout_text, ret_message);
                if (out.len > 0) {
                        r = conn_write_all(c, out.buf, out.len);
                        kl_buf_reset(&out);
                }
        }
        if (r == -ETIMEDOUT) {
                *ret_message =
                        kl_asprintf("timeout: health rpc did not complete within %s", timeout_text);
        } else {
                kl_autofree char *text = go_errno(r);

                *ret_message = kl_asprintf("error: health rpc probe failed: rpc error: code = "
                                           "Unavailable desc = error reading from server: %s",
                                           text);
        }
        return KL_AGENT__PROBE_FAILURE;
}

static enum kl_agent__probe_result probe_grpc(const struct probe_ctx *x, const json_t *action,
                                              char **ret_message)
{
        const char *service = json_string_value(json_object_get(action, "service")) ?: "";
        const char *host = target_host(x->t, NULL);
        char timeout_text[KL_DURATION_STRING_MAX];
        struct conn c = { .fd = -EBADF, .deadline = x->deadline };
        struct kl_agent__grpc_call call;
        enum kl_agent__probe_result result;
        kl_autofree char *addr = NULL;
        struct endpoint ep;
        int port, r;

        kl_duration_format((int64_t)x->timeout_sec * (int64_t)KL_USEC_PER_SEC, timeout_text,
                           sizeof(timeout_text));
        if (resolve_port(json_object_get(action, "port"), NULL, &port, ret_message) < 0)
                return KL_AGENT__PROBE_FAILURE;
        if (strlen(service) > H2_FRAME_MAX - 32) {
                *ret_message = kl_strdup("error: health rpc probe failed: service name too long");
                return KL_AGENT__PROBE_FAILURE;
        }
        addr = join_host_port(host, port);
        if (endpoint_resolve(host, port, &ep, ret_message) < 0)
                return KL_AGENT__PROBE_FAILURE;
        /* grpc-go, dialling with WithBlock, retries the connection until the deadline. */
        for (;;) {
                kl_autofree char *msg = NULL;

                r = dial(x->t->netns, &ep, x->deadline, &c.fd, &msg);
                if (r >= 0)
                        break;
                if (r == -ETIMEDOUT || kl_now_monotonic() + GRPC_REDIAL_USEC >= x->deadline) {
                        kl_autofree char *qa = go_quote(addr);

                        *ret_message = kl_asprintf("timeout: failed to connect service %s within "
                                                   "%s: context deadline exceeded",
                                                   qa, timeout_text);
                        endpoint_release(&ep);
                        return KL_AGENT__PROBE_FAILURE;
                }
                (void)usleep((useconds_t)GRPC_REDIAL_USEC);
        }
        endpoint_release(&ep);
        kl_agent__grpc_call_init(&call);
        result = grpc_exchange(&c, addr, service, timeout_text, &call, ret_message);
        kl_agent__grpc_call_release(&call);
        conn_close(&c);
        return result;
}

/* ------------------------------------------------------------------------- */

enum kl_agent__probe_result kl_agent__probe_run(const json_t *probe,
                                                const struct kl_agent__probe_target *t,
                                                char **ret_message)
{
        struct probe_ctx x = { .probe = probe, .t = t, .timeout_sec = 1 };
        kl_autofree char *msg = NULL;
        enum kl_agent__probe_result r;
        const json_t *a;
        json_int_t v;

        kl_assert(probe && t);
        v = json_integer_value(json_object_get(probe, "timeoutSeconds"));
        /* The API defaults timeoutSeconds to 1 and its minimum is 1. */
        if (v > 0)
                x.timeout_sec = v;
        x.deadline = kl_now_monotonic() + (kl_usec_t)x.timeout_sec * KL_USEC_PER_SEC;

        if ((a = json_object_get(probe, "exec")))
                r = probe_exec(&x, a, &msg);
        else if ((a = json_object_get(probe, "httpGet")))
                r = probe_http(&x, a, &msg);
        else if ((a = json_object_get(probe, "tcpSocket")))
                r = probe_tcp(&x, a, &msg);
        else if ((a = json_object_get(probe, "grpc")))
                r = probe_grpc(&x, a, &msg);
        else {
                /* Upstream: "missing probe handler" (an error, never a success). */
                msg = kl_strdup("missing probe handler");
                r = KL_AGENT__PROBE_FAILURE;
        }
        if (ret_message)
                *ret_message = KL_TAKE_PTR(msg);
        return r;
}
