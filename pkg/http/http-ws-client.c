/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The WebSocket client (http.h, "WebSocket client"): what the API server
 * uses to reach a kubelet's /exec and /attach.
 *
 * Transport: a non-blocking socket of our own, watched by one uv_poll_t;
 * for wss, OpenSSL drives TLS directly on the socket (SSL_connect, SSL_read,
 * SSL_write return WANT_READ/WANT_WRITE and the poll interest follows). We
 * did not use libcurl's CONNECT_ONLY: it connects inside curl_easy_perform(),
 * which blocks the loop thread.
 *
 * State machine: CONNECTING (TCP) -> TLS -> HEAD (upgrade request sent,
 * reading the answer's head) -> OPEN (frames) -> CLOSING (our close frame
 * sent) -> DONE; or HEAD -> BODY (a refusal: reading its body) -> DONE.
 * Everything happens in pump(), called from the poll and the timer and
 * after sends; it reads, writes, and runs callbacks until nothing moves.
 *
 * Ownership: the client owns its socket, SSL objects, buffers and two libuv
 * handles. kl_http_ws_client_free() may run inside a callback: the client is
 * then marked dead and torn down when the outermost pump returns. The socket
 * is closed after the poll handle's close callback (libuv's rule).
 *
 * Pure parts (the response head and a refusal's body) are separate
 * functions so the fuzz target can drive them (fuzz-http-ws-client.c).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "base/parse.h"
#include "http/http-internal.h"
#include "loop/loop.h"

#define DEFAULT_CONNECT_TIMEOUT (10 * KL_USEC_PER_SEC)
/* How long our close frame waits for the server's answer. */
#define CLOSE_WAIT_MS 5000
/* Received bytes not yet decoded beyond which reading stops until they are. */
#define IN_HIGH    ((size_t)256 << 10)
#define READ_CHUNK ((size_t)16 << 10)

enum state {
        ST_CONNECTING,
        ST_TLS,
        ST_HEAD,
        ST_BODY,
        ST_OPEN,
        ST_CLOSING,
        ST_DONE,
};

struct kl_http_ws_client {
        uv_loop_t *loop;  /* borrowed */
        uv_poll_t poll;   /* owned; initialised once the socket exists */
        uv_timer_t timer; /* owned: connect time-out, then the close wait */
        int fd;           /* owned; closed after the poll handle */
        SSL_CTX *ctx;     /* owned; NULL for plain connections */
        SSL *ssl;         /* owned */
        enum state state;
        struct kl_http_ws_client_opts o; /* strings below are owned copies */
        char *url;                       /* owned copy of o.url, for messages */
        char *host;                      /* owned: IP literal, no brackets */
        char *request;                   /* owned: the upgrade request text */
        char *subprotocol;               /* owned or NULL */
        char expect_accept[29];
        struct kl_buf out; /* plaintext waiting to be written; out_off already written */
        size_t out_off;
        struct kl_buf in; /* plaintext received and not consumed; bounded */
        struct kl_http__ws_resp resp;
        struct kl_buf body; /* a refusal's body; bounded */
        struct kl_http__ws_decoder dec;
        size_t max_queued;
        unsigned in_cb;   /* callbacks on the stack */
        unsigned pending; /* handles not yet closed */
        bool poll_init;   /* the poll handle exists */
        bool want_write;  /* TLS asked for writability */
        bool eof, broken; /* the peer ended the stream; a write failed */
        bool paused;
        bool close_sent;
        bool raw;  /* a SPDY/3.1 upgrade: unframed bytes after the 101 */
        bool dead; /* freed from a callback: tear down when the stack unwinds */
        char protocol[64];
};

/* ------------------------------------------------------------------------- */
/* Response head and body (pure) */

static const char *find_crlf(const char *p, const char *end)
{
        for (; p + 1 < end; p++)
                if (p[0] == '\r' && p[1] == '\n')
                        return p;
        return NULL;
}

static void copy_value(char *dst, size_t size, const char *v, size_t len)
{
        size_t n = KL_MIN(len, size - 1);

        memcpy(dst, v, n);
        dst[n] = '\0';
}

static bool list_has(const char *v, size_t len, const char *token)
{
        char tmp[256];

        copy_value(tmp, sizeof(tmp), v, len);
        return kl_http__list_has_token(tmp, token);
}

static int parse_header(const char *line, size_t len, struct kl_http__ws_resp *r)
{
        const char *colon = memchr(line, ':', len);
        const char *v, *end = line + len;
        size_t nlen;

        if (!colon || colon == line)
                return -EBADMSG;
        nlen = (size_t)(colon - line);
        for (size_t i = 0; i < nlen; i++)
                if (line[i] == ' ' || line[i] == '\t' || (unsigned char)line[i] < 0x21)
                        return -EBADMSG;
        v = colon + 1;
        while (v < end && (*v == ' ' || *v == '\t'))
                v++;
        while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
        for (const char *p = v; p < end; p++)
                if (*p == '\0')
                        return -EBADMSG;
#define IS(name) (nlen == sizeof(name) - 1 && strncasecmp(line, name, nlen) == 0)
        if (IS("Sec-WebSocket-Accept")) {
                copy_value(r->accept, sizeof(r->accept), v, (size_t)(end - v));
        } else if (IS("Sec-WebSocket-Protocol")) {
                copy_value(r->protocol, sizeof(r->protocol), v, (size_t)(end - v));
        } else if (IS("Content-Type")) {
                copy_value(r->content_type, sizeof(r->content_type), v, (size_t)(end - v));
        } else if (IS("X-Stream-Protocol-Version")) {
                copy_value(r->stream_protocol, sizeof(r->stream_protocol), v, (size_t)(end - v));
        } else if (IS("Upgrade")) {
                r->upgrade_ws = list_has(v, (size_t)(end - v), "websocket");
                r->upgrade_spdy = list_has(v, (size_t)(end - v), KL_HTTP_SPDY_UPGRADE);
        } else if (IS("Connection")) {
                r->conn_upgrade = list_has(v, (size_t)(end - v), "upgrade");
        } else if (IS("Transfer-Encoding")) {
                r->chunked = list_has(v, (size_t)(end - v), "chunked");
        } else if (IS("Content-Length")) {
                uint64_t n = 0;

                if (v == end)
                        return -EBADMSG;
                for (const char *p = v; p < end; p++) {
                        if (*p < '0' || *p > '9' || n > (UINT64_MAX - 9) / 10)
                                return -EBADMSG;
                        n = n * 10 + (uint64_t)(*p - '0');
                }
                if (r->has_length && r->content_length != n)
                        return -EBADMSG;
                r->has_length = true;
                r->content_length = n;
        }
#undef IS
        return 0;
}

int kl_http__ws_resp_parse(const char *data, size_t len, struct kl_http__ws_resp *ret)
{
        struct kl_http__ws_resp r = { 0 };
        const char *end = data + KL_MIN(len, KL_HTTP__WS_CLIENT_MAX_HEAD);
        const char *line = data, *eol;
        int status = 0;

        /* Status line: HTTP/1.x SP 3DIGIT SP reason */
        eol = find_crlf(line, end);
        if (!eol)
                return len >= KL_HTTP__WS_CLIENT_MAX_HEAD ? -E2BIG : 0;
        if (eol - line < 12 || memcmp(line, "HTTP/1.", 7) != 0 || line[7] < '0' || line[7] > '9' ||
            line[8] != ' ' || (eol - line > 12 && line[12] != ' '))
                return -EBADMSG;
        for (int i = 9; i < 12; i++) {
                if (line[i] < '0' || line[i] > '9')
                        return -EBADMSG;
                status = status * 10 + (line[i] - '0');
        }
        if (status < 100)
                return -EBADMSG;
        r.status = status;
        line = eol + 2;
        for (;;) {
                int e;

                eol = find_crlf(line, end);
                if (!eol)
                        return len >= KL_HTTP__WS_CLIENT_MAX_HEAD ? -E2BIG : 0;
                if (eol == line)
                        break;
                e = parse_header(line, (size_t)(eol - line), &r);
                if (e < 0)
                        return e;
                line = eol + 2;
        }
        *ret = r;
        return (int)(eol + 2 - data);
}

/* Chunked body: sizes in hex (at most 15 digits), extensions ignored, trailers skipped. */
static int chunked_decode(const char *data, size_t len, bool eof, struct kl_buf *out)
{
        const char *p = data, *end = data + len;

        for (;;) {
                const char *eol = find_crlf(p, end);
                uint64_t size = 0;
                int digits = 0;

                if (!eol)
                        return eof || (size_t)(end - p) > 1024 ? -EBADMSG : 0;
                for (const char *q = p; q < eol && *q != ';'; q++) {
                        int v;

                        if (*q >= '0' && *q <= '9')
                                v = *q - '0';
                        else if ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'f')
                                v = (*q | 0x20) - 'a' + 10;
                        else if (*q == ' ' || *q == '\t')
                                continue;
                        else
                                return -EBADMSG;
                        if (++digits > 15)
                                return -EBADMSG;
                        size = size << 4 | (uint64_t)v;
                }
                if (digits == 0)
                        return -EBADMSG;
                p = eol + 2;
                if (size == 0) {
                        /* Trailer fields until the empty line. */
                        for (;;) {
                                eol = find_crlf(p, end);
                                if (!eol)
                                        return eof ? -EBADMSG : 0;
                                if (eol == p)
                                        return 1;
                                p = eol + 2;
                        }
                }
                if ((uint64_t)(end - p) < size + 2)
                        return eof ? -EBADMSG : 0;
                if (p[size] != '\r' || p[size + 1] != '\n')
                        return -EBADMSG;
                if (kl_buf_append(out, p, (size_t)size) < 0)
                        return -E2BIG;
                p += size + 2;
        }
}

int kl_http__ws_resp_body(const struct kl_http__ws_resp *resp, const char *data, size_t len,
                          bool eof, struct kl_buf *out)
{
        int r;

        kl_buf_reset(out);
        /* No body: 1xx, 204, 304. */
        if (resp->status < 200 || resp->status == 204 || resp->status == 304)
                return 1;
        if (resp->chunked) {
                r = chunked_decode(data, len, eof, out);
                if (r <= 0)
                        kl_buf_reset(out);
                return r;
        }
        if (resp->has_length) {
                if (resp->content_length > out->max)
                        return -E2BIG;
                if (len < resp->content_length)
                        return eof ? -EBADMSG : 0;
                return kl_buf_append(out, data, (size_t)resp->content_length) < 0 ? -E2BIG : 1;
        }
        /* Delimited by the end of the connection. */
        if (len > out->max)
                return -E2BIG;
        if (!eof)
                return 0;
        return kl_buf_append(out, data, len) < 0 ? -E2BIG : 1;
}

/* ------------------------------------------------------------------------- */
/* Set-up */

static int parse_url(const char *url, bool *ret_tls, char **ret_host, int *ret_port,
                     const char **ret_path)
{
        const char *p, *host, *host_end, *port_s = NULL, *path;
        bool tls;
        long port;

        if ((p = kl_startswith(url, "wss://")) || (p = kl_startswith(url, "https://")))
                tls = true;
        else if ((p = kl_startswith(url, "ws://")) || (p = kl_startswith(url, "http://")))
                tls = false;
        else
                return -EINVAL;
        path = p + strcspn(p, "/");
        if (*p == '[') {
                host = p + 1;
                host_end = memchr(host, ']', (size_t)(path - host));
                if (!host_end)
                        return -EINVAL;
                if (host_end + 1 < path) {
                        if (host_end[1] != ':')
                                return -EINVAL;
                        port_s = host_end + 2;
                }
        } else {
                host = p;
                host_end = memchr(host, ':', (size_t)(path - host));
                if (host_end)
                        port_s = host_end + 1;
                else
                        host_end = path;
        }
        if (host_end == host)
                return -EINVAL;
        port = tls ? 443 : 80;
        if (port_s) {
                char digits[8];
                uint16_t p16;

                if (path - port_s < 1 || (size_t)(path - port_s) >= sizeof(digits))
                        return -EINVAL;
                memcpy(digits, port_s, (size_t)(path - port_s));
                digits[path - port_s] = '\0';
                if (kl_parse_port(digits, &p16) < 0)
                        return -EINVAL;
                port = p16;
        }
        *ret_tls = tls;
        *ret_host = kl_strndup(host, (size_t)(host_end - host));
        *ret_port = (int)port;
        *ret_path = *path ? path : "/";
        return 0;
}

static int tls_ctx_new(const struct kl_http_ws_client_opts *o, SSL_CTX **ret, struct kl_err **err)
{
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        BIO *bio;
        X509 *x;
        EVP_PKEY *key;

        if (!ctx)
                return kl_err_set_msg(err, -ENOMEM, "websocket client: SSL_CTX_new failed");
        (void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
        SSL_CTX_set_verify(ctx, o->insecure_skip_verify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
        if (o->ca_pem) {
                X509_STORE *store = SSL_CTX_get_cert_store(ctx);
                int n = 0;

                bio = BIO_new_mem_buf(o->ca_pem, -1);
                while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
                        (void)X509_STORE_add_cert(store, x);
                        X509_free(x);
                        n++;
                }
                BIO_free(bio);
                ERR_clear_error();
                if (n == 0) {
                        SSL_CTX_free(ctx);
                        return kl_err_set_msg(err, -EINVAL, "websocket client: no CA in ca_pem");
                }
        }
        if (o->cert_pem) {
                int ok;

                bio = BIO_new_mem_buf(o->cert_pem, -1);
                x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
                BIO_free(bio);
                bio = BIO_new_mem_buf(o->key_pem, -1);
                key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
                BIO_free(bio);
                ok = x && key && SSL_CTX_use_certificate(ctx, x) == 1 &&
                     SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
                X509_free(x);
                EVP_PKEY_free(key);
                ERR_clear_error();
                if (!ok) {
                        SSL_CTX_free(ctx);
                        return kl_err_set_msg(err, -EINVAL,
                                              "websocket client: bad client certificate or key");
                }
        }
        *ret = ctx;
        return 0;
}

/*
 * A socket BIO whose writes use send(MSG_NOSIGNAL): a kubelet that vanishes
 * must be an error for us, never a SIGPIPE for the whole API server
 * (OpenSSL's own socket BIO uses write()).
 */
static int nosig_write(BIO *b, const char *data, int len)
{
        ssize_t n = send((int)BIO_get_fd(b, NULL), data, (size_t)len, MSG_NOSIGNAL);

        BIO_clear_retry_flags(b);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                BIO_set_retry_write(b);
        return (int)n;
}

static int nosig_read(BIO *b, char *data, int len)
{
        ssize_t n = recv((int)BIO_get_fd(b, NULL), data, (size_t)len, 0);

        BIO_clear_retry_flags(b);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                BIO_set_retry_read(b);
        return (int)n;
}

static int nosig_puts(BIO *b, const char *s)
{
        return nosig_write(b, s, (int)strlen(s));
}

static BIO_METHOD *nosig_method;

static void nosig_method_init(void)
{
        const BIO_METHOD *base = BIO_s_socket();
        BIO_METHOD *m =
                BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                             "kube-lite socket");

        kl_assert(m);
        /* Everything but the data path is the socket BIO's (fd, close flag, flush). */
        (void)BIO_meth_set_write(m, nosig_write);
        (void)BIO_meth_set_read(m, nosig_read);
        (void)BIO_meth_set_puts(m, nosig_puts);
        (void)BIO_meth_set_ctrl(m, BIO_meth_get_ctrl(base));
        (void)BIO_meth_set_create(m, BIO_meth_get_create(base));
        (void)BIO_meth_set_destroy(m, BIO_meth_get_destroy(base));
        nosig_method = m;
}

static BIO *nosig_bio_new(int fd)
{
        static uv_once_t once = UV_ONCE_INIT;
        BIO *b;

        uv_once(&once, nosig_method_init);
        b = BIO_new(nosig_method);
        kl_assert(b);
        (void)BIO_set_fd(b, fd, BIO_NOCLOSE);
        return b;
}

static void random_key(char out[25])
{
        unsigned char raw[16];

        kl_assert(RAND_bytes(raw, sizeof(raw)) == 1);
        kl_assert(EVP_EncodeBlock((unsigned char *)out, raw, sizeof(raw)) == 24);
}

/* ------------------------------------------------------------------------- */
/* I/O */

static void pump(struct kl_http_ws_client *c);
static void teardown(struct kl_http_ws_client *c);
static void on_poll(uv_poll_t *h, int status, int events);

static void update_poll(struct kl_http_ws_client *c)
{
        int events = 0;

        if (!c->poll_init || c->state == ST_DONE || c->dead)
                return;
        if (c->state == ST_CONNECTING || c->want_write || c->out_off < c->out.len)
                events |= UV_WRITABLE;
        if (c->state != ST_CONNECTING && !c->eof && !c->paused && c->in.len < IN_HIGH)
                events |= UV_READABLE;
        if (events)
                (void)uv_poll_start(&c->poll, events, on_poll);
        else
                (void)uv_poll_stop(&c->poll);
}

/* Write what is queued; sets `broken` on a write error. */
static void flush(struct kl_http_ws_client *c)
{
        c->want_write = false;
        while (c->out_off < c->out.len && !c->broken) {
                size_t n = c->out.len - c->out_off;
                const char *p = c->out.buf + c->out_off;

                if (c->ssl) {
                        int w = SSL_write(c->ssl, p, (int)KL_MIN(n, (size_t)INT32_MAX));

                        if (w > 0) {
                                c->out_off += (size_t)w;
                                continue;
                        }
                        switch (SSL_get_error(c->ssl, w)) {
                        case SSL_ERROR_WANT_WRITE:
                        case SSL_ERROR_WANT_READ:
                                c->want_write = true;
                                return;
                        default:
                                ERR_clear_error();
                                c->broken = true;
                                return;
                        }
                }
                ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

                if (w >= 0) {
                        c->out_off += (size_t)w;
                        continue;
                }
                if (errno == EAGAIN || errno == EINTR)
                        return;
                c->broken = true;
        }
        if (c->out_off == c->out.len) {
                kl_buf_reset(&c->out);
                c->out_off = 0;
        }
}

/* Read once into `in`. 1: bytes arrived, 0: nothing now, also on EOF (sets eof). */
static int read_some(struct kl_http_ws_client *c)
{
        ssize_t n;

        if (kl_buf_grow(&c->in, READ_CHUNK) < 0)
                return 0;
        if (c->ssl) {
                int r = SSL_read(c->ssl, c->in.buf + c->in.len, (int)READ_CHUNK);

                if (r > 0) {
                        n = r;
                } else {
                        int e = SSL_get_error(c->ssl, r);

                        if (e == SSL_ERROR_WANT_READ)
                                return 0;
                        if (e == SSL_ERROR_WANT_WRITE) {
                                c->want_write = true;
                                return 0;
                        }
                        ERR_clear_error();
                        c->eof = true;
                        return 0;
                }
        } else {
                n = recv(c->fd, c->in.buf + c->in.len, READ_CHUNK, 0);
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                        return 0;
                if (n <= 0) {
                        c->eof = true;
                        return 0;
                }
        }
        c->in.len += (size_t)n;
        c->in.buf[c->in.len] = '\0';
        return 1;
}

static void in_consume(struct kl_http_ws_client *c, size_t n)
{
        memmove(c->in.buf, c->in.buf + n, c->in.len - n);
        kl_buf_truncate(&c->in, c->in.len - n);
}

/* Queue one masked frame. */
static int queue_frame(struct kl_http_ws_client *c, int opcode, const void *data, size_t len)
{
        uint8_t hdr[14];
        size_t n = kl_http__ws_frame_header(hdr, opcode, len);
        uint8_t *mask = hdr + n;
        size_t start;

        hdr[1] |= 0x80;
        kl_assert(RAND_bytes(mask, 4) == 1);
        n += 4;
        if (kl_buf_append(&c->out, hdr, n) < 0 || kl_buf_grow(&c->out, len) < 0)
                return -ENOBUFS;
        start = c->out.len;
        for (size_t i = 0; i < len; i++)
                c->out.buf[start + i] = (char)(((const uint8_t *)data)[i] ^ mask[i & 3]);
        c->out.len += len;
        c->out.buf[c->out.len] = '\0';
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Outcomes */

static void stop_io(struct kl_http_ws_client *c)
{
        c->state = ST_DONE;
        if (c->poll_init)
                (void)uv_poll_stop(&c->poll);
        (void)uv_timer_stop(&c->timer);
}

/* `detail` NULL: a connect error, described by `r`. */
static void connect_failed(struct kl_http_ws_client *c, int r, const char *detail)
{
        kl_autoerr struct kl_err *e = NULL;

        stop_io(c);
        if (detail)
                (void)kl_err_set_msg(&e, r, "websocket %s: %s", c->url, detail);
        else
                (void)kl_err_set_msg(&e, r, "websocket %s: connect: %s", c->url, kl_strerror(r));
        c->in_cb++;
        c->o.on_connect(c, r, 0, NULL, NULL, 0, e, c->o.userdata);
        c->in_cb--;
}

static void finish(struct kl_http_ws_client *c, int code)
{
        /* A close frame we owe the server goes out now if it can. */
        flush(c);
        stop_io(c);
        if (c->o.on_close) {
                c->in_cb++;
                c->o.on_close(c, code, c->o.userdata);
                c->in_cb--;
        }
}

static void head_received(struct kl_http_ws_client *c)
{
        struct kl_http__ws_resp *r = &c->resp;

        if (r->status != 101) {
                c->state = ST_BODY;
                return;
        }
        if (c->raw) {
                if (!r->upgrade_spdy || !r->conn_upgrade) {
                        connect_failed(c, -EPROTO, "bad 101 answer (Upgrade or Connection)");
                        return;
                }
                if (r->stream_protocol[0] &&
                    (!c->subprotocol ||
                     !kl_http__list_has_token(c->subprotocol, r->stream_protocol))) {
                        connect_failed(c, -EPROTO,
                                       "the server chose a stream protocol that was not offered");
                        return;
                }
                (void)snprintf(c->protocol, sizeof(c->protocol), "%s", r->stream_protocol);
                goto open;
        }
        if (!r->upgrade_ws || !r->conn_upgrade || strcmp(r->accept, c->expect_accept) != 0) {
                connect_failed(c, -EPROTO,
                               "bad 101 answer (Upgrade, Connection or Sec-WebSocket-Accept)");
                return;
        }
        if (r->protocol[0] && (!c->subprotocol || strcmp(r->protocol, c->subprotocol) != 0)) {
                connect_failed(c, -EPROTO, "the server chose a subprotocol that was not offered");
                return;
        }
        (void)snprintf(c->protocol, sizeof(c->protocol), "%s", r->protocol);
open:
        c->state = ST_OPEN;
        (void)uv_timer_stop(&c->timer);
        c->in_cb++;
        c->o.on_connect(c, 0, 101, NULL, NULL, 0, NULL, c->o.userdata);
        c->in_cb--;
}

static void on_control(struct kl_http_ws_client *c)
{
        struct kl_http__ws_decoder *d = &c->dec;
        int code = 1005;

        if (d->ctl_opcode == KL_HTTP__WS_PING) {
                if (!c->close_sent)
                        (void)queue_frame(c, KL_HTTP__WS_PONG, d->control, d->control_len);
                return;
        }
        if (d->ctl_opcode == KL_HTTP__WS_PONG) {
                if (c->o.on_pong && !c->close_sent) {
                        c->in_cb++;
                        c->o.on_pong(c, d->control, d->control_len, c->o.userdata);
                        c->in_cb--;
                }
                return;
        }
        if (d->ctl_opcode != KL_HTTP__WS_CLOSE)
                return;
        if (d->control_len >= 2)
                code = d->control[0] << 8 | d->control[1];
        else if (d->control_len == 1)
                code = 1002;
        if (!c->close_sent) {
                uint8_t echo[2] = { (uint8_t)((code == 1005 ? 1000 : code) >> 8),
                                    (uint8_t)(code == 1005 ? 1000 : code) };

                c->close_sent = true;
                (void)queue_frame(c, KL_HTTP__WS_CLOSE, echo, 2);
        }
        finish(c, code);
}

/* OPEN or CLOSING of a raw connection: bytes go up as they are. */
static bool process_raw(struct kl_http_ws_client *c)
{
        if (c->state == ST_CLOSING) {
                /* Our close: done once what we queued is written; input is dropped. */
                kl_buf_reset(&c->in);
                if (c->out_off == c->out.len) {
                        /* The server learns of the end now, not when the client is freed. */
                        if (c->ssl)
                                (void)SSL_shutdown(c->ssl);
                        (void)shutdown(c->fd, SHUT_RDWR);
                        finish(c, 1000);
                        return true;
                }
                return false;
        }
        if (c->in.len > 0 && !c->paused) {
                size_t n = c->in.len;

                if (c->o.on_message) {
                        c->in_cb++;
                        c->o.on_message(c, KL_HTTP_WS_BINARY, c->in.buf, n, c->o.userdata);
                        c->in_cb--;
                }
                if (c->dead || c->state == ST_DONE)
                        return true;
                in_consume(c, n);
                return true;
        }
        if (c->eof && c->in.len == 0) {
                /* No close handshake in raw mode: the server's EOF is the normal end. */
                finish(c, 1000);
                return true;
        }
        return false;
}

/* Consume what `in` holds for the current state. True if anything moved. */
static bool process(struct kl_http_ws_client *c)
{
        int r;

        if (c->state == ST_HEAD) {
                r = kl_http__ws_resp_parse(c->in.buf, c->in.len, &c->resp);
                if (r < 0) {
                        connect_failed(c, -EPROTO,
                                       r == -E2BIG ? "response head too large"
                                                   : "malformed response head");
                        return true;
                }
                if (r == 0) {
                        if (c->eof)
                                connect_failed(c, -ECONNRESET,
                                               "connection closed before an answer");
                        return c->eof;
                }
                in_consume(c, (size_t)r);
                head_received(c);
                return true;
        }
        if (c->state == ST_BODY) {
                r = kl_http__ws_resp_body(&c->resp, c->in.buf, c->in.len, c->eof, &c->body);
                if (r == 0 && !c->eof)
                        return false;
                if (r <= 0) {
                        connect_failed(c, -EPROTO, "malformed or oversized error body");
                        return true;
                }
                stop_io(c);
                c->in_cb++;
                c->o.on_connect(c, 0, c->resp.status, c->resp.content_type, c->body.buf,
                                c->body.len, NULL, c->o.userdata);
                c->in_cb--;
                return true;
        }
        if (c->state != ST_OPEN && c->state != ST_CLOSING)
                return false;
        if (c->raw)
                return process_raw(c);
        if (c->in.len == 0 || c->paused) {
                if (c->eof && c->in.len == 0) {
                        finish(c, 1006);
                        return true;
                }
                return false;
        }
        {
                size_t used = 0;

                r = kl_http__ws_decoder_feed(&c->dec, (const uint8_t *)c->in.buf, c->in.len, &used);
                in_consume(c, used);
                if (r < 0) {
                        uint8_t p[2] = { (uint8_t)(c->dec.close_code >> 8),
                                         (uint8_t)c->dec.close_code };

                        if (!c->close_sent) {
                                c->close_sent = true;
                                (void)queue_frame(c, KL_HTTP__WS_CLOSE, p, 2);
                        }
                        finish(c, c->dec.close_code);
                        return true;
                }
                if (r == KL_HTTP__WS_EV_MESSAGE) {
                        if (c->o.on_message && !c->close_sent) {
                                c->in_cb++;
                                c->o.on_message(c, (enum kl_http_ws_opcode)c->dec.msg_opcode,
                                                c->dec.message.buf, c->dec.message.len,
                                                c->o.userdata);
                                c->in_cb--;
                        }
                } else if (r == KL_HTTP__WS_EV_CONTROL) {
                        on_control(c);
                }
                if (c->eof && c->in.len == 0 && c->state != ST_DONE && !c->dead)
                        finish(c, 1006);
                return used > 0 || r != KL_HTTP__WS_EV_AGAIN;
        }
}

static void start_head(struct kl_http_ws_client *c)
{
        c->state = ST_HEAD;
        (void)kl_buf_puts(&c->out, c->request);
}

static void pump(struct kl_http_ws_client *c)
{
        for (int rounds = 0; rounds < 1024; rounds++) {
                bool moved = false;

                if (c->dead || c->state == ST_DONE)
                        return;
                if (c->state == ST_CONNECTING) {
                        int so = 0;
                        socklen_t sl = sizeof(so);

                        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &so, &sl) < 0)
                                so = errno;
                        if (so == EINPROGRESS || so == EALREADY)
                                break;
                        if (so != 0) {
                                connect_failed(c, -so, NULL);
                                return;
                        }
                        if (!c->ssl) {
                                start_head(c);
                                continue;
                        }
                        c->state = ST_TLS;
                }
                if (c->state == ST_TLS) {
                        int r = SSL_connect(c->ssl);

                        if (r == 1) {
                                start_head(c);
                                continue;
                        }
                        switch (SSL_get_error(c->ssl, r)) {
                        case SSL_ERROR_WANT_READ:
                                c->want_write = false;
                                update_poll(c);
                                return;
                        case SSL_ERROR_WANT_WRITE:
                                c->want_write = true;
                                update_poll(c);
                                return;
                        default: {
                                char buf[256];
                                unsigned long e = ERR_get_error();

                                ERR_error_string_n(e, buf, sizeof(buf));
                                ERR_clear_error();
                                connect_failed(c, -EPROTO,
                                               e ? buf : "TLS handshake: connection closed");
                                return;
                        }
                        }
                }
                flush(c);
                if (c->broken) {
                        if (c->state == ST_OPEN || c->state == ST_CLOSING)
                                finish(c, 1006);
                        else
                                connect_failed(c, -ECONNRESET, "connection lost");
                        return;
                }
                if (!c->paused && !c->eof && c->in.len < IN_HIGH && read_some(c) > 0)
                        moved = true;
                if (process(c))
                        moved = true;
                if (!moved)
                        break;
        }
        update_poll(c);
}

static void leave(struct kl_http_ws_client *c)
{
        if (c->dead && c->in_cb == 0)
                teardown(c);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
        struct kl_http_ws_client *c = h->data;

        (void)events;
        if (status < 0 && c->state == ST_CONNECTING) {
                /* libuv reports POLLERR as UV_EBADF: the socket knows the real reason. */
                int so = 0;
                socklen_t sl = sizeof(so);

                if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &so, &sl) == 0 && so != 0)
                        status = -so;
                connect_failed(c, status, NULL);
                leave(c);
                return;
        }
        c->in_cb++;
        pump(c);
        c->in_cb--;
        leave(c);
}

static void on_timer(uv_timer_t *t)
{
        struct kl_http_ws_client *c = t->data;

        if (c->state == ST_CLOSING)
                finish(c, 1006);
        else if (c->state != ST_OPEN && c->state != ST_DONE)
                connect_failed(c, -ETIMEDOUT, "timed out");
        leave(c);
}

static void on_handle_closed(uv_handle_t *h)
{
        struct kl_http_ws_client *c = h->data;

        if (--c->pending > 0)
                return;
        if (c->fd >= 0)
                (void)close(c->fd);
        free(c);
}

static void teardown(struct kl_http_ws_client *c)
{
        if (c->ssl)
                SSL_free(c->ssl);
        if (c->ctx)
                SSL_CTX_free(c->ctx);
        c->ssl = NULL;
        c->ctx = NULL;
        kl_buf_release(&c->out);
        kl_buf_release(&c->in);
        kl_buf_release(&c->body);
        kl_http__ws_decoder_release(&c->dec);
        free(c->host);
        free(c->url);
        free(c->request);
        free(c->subprotocol);
        c->pending = 1 + (c->poll_init ? 1 : 0);
        if (c->poll_init)
                uv_close((uv_handle_t *)&c->poll, on_handle_closed);
        uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

/* A comma-separated list of stream protocol names, nothing else. */
static bool spdy_protocols_valid(const char *s)
{
        if (!*s || strlen(s) > 512)
                return false;
        for (const char *p = s; *p; p++)
                if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == ';' || *p == '"' ||
                    (*p == ',' && (p == s || p[1] == ',' || p[1] == '\0')))
                        return false;
        return true;
}

/* ------------------------------------------------------------------------- */
/* API */

int kl_http_ws_client_connect(uv_loop_t *loop, const struct kl_http_ws_client_opts *opts,
                              struct kl_http_ws_client **ret, struct kl_err **err)
{
        struct kl_http_ws_client *c;
        union {
                struct sockaddr_in v4;
                struct sockaddr_in6 v6;
                struct sockaddr sa;
        } addr;
        socklen_t alen;
        const char *path;
        char key[25];
        bool tls;
        int port, r, fd;
        char *host = NULL;

        kl_loop_assert_loop_thread(loop);
        if (!opts || !opts->url || !opts->on_connect)
                return kl_err_set_msg(err, -EINVAL, "websocket client: url and on_connect needed");
        if (!opts->cert_pem != !opts->key_pem)
                return kl_err_set_msg(err, -EINVAL,
                                      "websocket client: a client certificate needs its key");
        if (opts->spdy_protocols && !spdy_protocols_valid(opts->spdy_protocols))
                return kl_err_set_msg(err, -EINVAL, "websocket client: bad stream protocols");
        if (!opts->spdy_protocols && opts->subprotocol &&
            !kl_http__is_subprotocol(opts->subprotocol))
                return kl_err_set_msg(err, -EINVAL, "websocket client: bad subprotocol");
        if (parse_url(opts->url, &tls, &host, &port, &path) < 0)
                return kl_err_set_msg(err, -EINVAL, "websocket client: bad URL '%s'", opts->url);
        memset(&addr, 0, sizeof(addr));
        if (uv_ip4_addr(host, port, &addr.v4) == 0) {
                alen = sizeof(addr.v4);
        } else if (uv_ip6_addr(host, port, &addr.v6) == 0) {
                alen = sizeof(addr.v6);
        } else {
                free(host);
                return kl_err_set_msg(err, -EINVAL,
                                      "websocket client: '%s': the host must be an IP address",
                                      opts->url);
        }
        for (const char *p = path; *p; p++)
                if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
                        free(host);
                        return kl_err_set_msg(err, -EINVAL, "websocket client: bad URL '%s'",
                                              opts->url);
                }

        c = kl_new0(struct kl_http_ws_client);
        c->loop = loop;
        c->fd = -1;
        c->o = *opts;
        c->host = host;
        c->max_queued = opts->max_queued ? opts->max_queued : KL_HTTP_DEFAULT_MAX_STREAM_QUEUED;
        c->raw = opts->spdy_protocols != NULL;
        c->subprotocol = c->raw              ? kl_strdup(opts->spdy_protocols)
                         : opts->subprotocol ? kl_strdup(opts->subprotocol)
                                             : NULL;
        c->url = kl_strdup(opts->url);
        c->o.url = c->url; /* the caller's strings are borrowed only for this call */
        c->o.ca_pem = c->o.cert_pem = c->o.key_pem = c->o.subprotocol = NULL;
        c->o.spdy_protocols = NULL;
        kl_buf_init(&c->out, SIZE_MAX);
        kl_buf_init(&c->in, IN_HIGH + READ_CHUNK);
        kl_buf_init(&c->body, KL_HTTP__WS_CLIENT_MAX_BODY);
        kl_http__ws_decoder_init(&c->dec, opts->max_message ? opts->max_message
                                                            : KL_HTTP_DEFAULT_MAX_WS_MESSAGE);
        c->dec.from_server = true;
        kl_assert(uv_timer_init(loop, &c->timer) == 0);
        c->timer.data = c;

        random_key(key);
        r = kl_http__ws_accept_key(key, c->expect_accept);
        kl_assert(r == 0);
        {
                struct kl_buf req = KL_BUF_INIT;
                bool v6 = strchr(host, ':') != NULL;

                if (c->raw) {
                        /* client-go's SPDY round tripper: one field per offered version. */
                        (void)kl_buf_printf(&req,
                                            "POST %s HTTP/1.1\r\nHost: %s%s%s:%d\r\n"
                                            "Content-Length: 0\r\nConnection: Upgrade\r\n"
                                            "Upgrade: " KL_HTTP_SPDY_UPGRADE "\r\n",
                                            path, v6 ? "[" : "", host, v6 ? "]" : "", port);
                        for (const char *p = c->subprotocol; p && *p;) {
                                size_t n = strcspn(p, ",");

                                (void)kl_buf_printf(&req, "X-Stream-Protocol-Version: %.*s\r\n",
                                                    (int)n, p);
                                p += n + (p[n] == ',');
                        }
                } else {
                        (void)kl_buf_printf(
                                &req,
                                "GET %s HTTP/1.1\r\nHost: %s%s%s:%d\r\n"
                                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n",
                                path, v6 ? "[" : "", host, v6 ? "]" : "", port, key);
                        if (c->subprotocol)
                                (void)kl_buf_printf(&req, "Sec-WebSocket-Protocol: %s\r\n",
                                                    c->subprotocol);
                }
                (void)kl_buf_puts(&req, "\r\n");
                c->request = kl_buf_detach(&req, NULL);
        }
        if (tls) {
                r = tls_ctx_new(opts, &c->ctx, err);
                if (r < 0) {
                        teardown(c);
                        return r;
                }
                c->ssl = SSL_new(c->ctx);
                kl_assert(c->ssl);
                if (!opts->insecure_skip_verify)
                        (void)X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), host);
        }

        fd = socket(addr.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                r = -errno;
                teardown(c);
                return kl_err_set(err, r, "websocket client: socket");
        }
        c->fd = fd;
        if (c->ssl) {
                BIO *bio = nosig_bio_new(fd);

                SSL_set_bio(c->ssl, bio, bio); /* the SSL owns the BIO */
        }
        if (connect(fd, &addr.sa, alen) < 0 && errno != EINPROGRESS) {
                r = -errno;
                teardown(c);
                return kl_err_set(err, r, "websocket client: connect '%s'", opts->url);
        }
        r = uv_poll_init_socket(loop, &c->poll, fd);
        if (r < 0) {
                teardown(c);
                return kl_err_set(err, r, "websocket client: uv_poll_init_socket");
        }
        c->poll_init = true;
        c->poll.data = c;
        (void)uv_poll_start(&c->poll, UV_WRITABLE, on_poll);
        (void)uv_timer_start(
                &c->timer, on_timer,
                (opts->connect_timeout ? opts->connect_timeout : DEFAULT_CONNECT_TIMEOUT) /
                        KL_USEC_PER_MSEC,
                0);
        *ret = c;
        return 0;
}

const char *kl_http_ws_client_protocol(const struct kl_http_ws_client *c)
{
        return c->protocol;
}

static void poke(struct kl_http_ws_client *c)
{
        /* Inside a callback the running pump continues; outside, run one now. */
        if (c->in_cb > 0)
                return;
        c->in_cb++;
        pump(c);
        c->in_cb--;
        leave(c);
}

int kl_http_ws_client_send(struct kl_http_ws_client *c, enum kl_http_ws_opcode op, const void *data,
                           size_t len)
{
        if (op != KL_HTTP_WS_TEXT && op != KL_HTTP_WS_BINARY)
                return -EINVAL;
        if (c->state == ST_DONE || c->dead || c->close_sent)
                return -ECONNRESET;
        if (c->state != ST_OPEN)
                return -ENOTCONN;
        if (c->out.len - c->out_off > c->max_queued)
                return -ENOBUFS;
        if (c->raw ? kl_buf_append(&c->out, data, len) < 0 : queue_frame(c, op, data, len) < 0)
                return -ENOBUFS;
        flush(c);
        update_poll(c);
        return 0;
}

int kl_http_ws_client_ping(struct kl_http_ws_client *c, const void *data, size_t len)
{
        if (len > 125 || c->raw)
                return -EINVAL;
        if (c->state == ST_DONE || c->dead || c->close_sent)
                return -ECONNRESET;
        if (c->state != ST_OPEN)
                return -ENOTCONN;
        if (queue_frame(c, KL_HTTP__WS_PING, data, len) < 0)
                return -ENOBUFS;
        flush(c);
        update_poll(c);
        return 0;
}

int kl_http_ws_client_close(struct kl_http_ws_client *c, uint16_t code, const char *reason)
{
        uint8_t payload[125];
        size_t rlen = reason ? KL_MIN(strlen(reason), sizeof(payload) - 2) : 0;

        if (c->state != ST_OPEN || c->close_sent || c->dead)
                return 0;
        if (c->raw) {
                /* No handshake: the connection ends once our bytes are out (pump). */
                c->close_sent = true;
                c->state = ST_CLOSING;
                (void)uv_timer_start(&c->timer, on_timer, CLOSE_WAIT_MS, 0);
                poke(c);
                return 0;
        }
        payload[0] = (uint8_t)(code >> 8);
        payload[1] = (uint8_t)code;
        if (rlen)
                memcpy(payload + 2, reason, rlen); /* NOLINT(bugprone-not-null-terminated-result) */
        c->close_sent = true;
        c->state = ST_CLOSING;
        (void)queue_frame(c, KL_HTTP__WS_CLOSE, payload, 2 + rlen);
        (void)uv_timer_start(&c->timer, on_timer, CLOSE_WAIT_MS, 0);
        flush(c);
        update_poll(c);
        return 0;
}

void kl_http_ws_client_pause(struct kl_http_ws_client *c, bool pause)
{
        if (c->paused == pause)
                return;
        c->paused = pause;
        if (pause)
                update_poll(c);
        else
                poke(c);
}

size_t kl_http_ws_client_output_queued(const struct kl_http_ws_client *c)
{
        return c->out.len - c->out_off;
}

void kl_http_ws_client_free(struct kl_http_ws_client *c)
{
        if (!c || c->dead)
                return;
        if (c->state != ST_DONE)
                stop_io(c);
        c->dead = true;
        if (c->in_cb == 0)
                teardown(c);
}
