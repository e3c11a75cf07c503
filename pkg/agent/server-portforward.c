/* SPDX-License-Identifier: Apache-2.0 */
/*
 * port-forward (kubectl-contract.md §17): an SPDY/3.1 session carried as a
 * byte stream in the binary messages of a WebSocket whose subprotocol is
 * SPDY/3.1+portforward.k8s.io, or directly on the connection after the plain
 * SPDY upgrade (POST with Upgrade: SPDY/3.1 and X-Stream-Protocol-Version:
 * portforward.k8s.io; kubectl's fallback, older clients' only way):
 * pkg/http hands the raw connection over with the WebSocket's interface
 * (kl_http_spdy_accept()), so the session is the same.
 *
 *   codec    frame parsing and building, header blocks compressed with one
 *            zlib stream per direction for the whole session, initialised
 *            with the SPDY/3 dictionary; pure.
 *   session  (loop) per local connection kubectl opens an error stream and
 *            a data stream with the same requestid and port; both get a
 *            SYN_REPLY at once (kubectl drops DATA on unreplied streams).
 *            With both present the pool connects to localhost:<port> inside
 *            the pod's network namespace (setns there and back); bytes are
 *            pumped both ways; the target's EOF FINs the data stream and the
 *            error stream; a failed connect writes upstream's text on the
 *            error stream. PING is echoed, GOAWAY ends the session, RST_STREAM
 *            closes the connection, SETTINGS and WINDOW_UPDATE are ignored
 *            (the Go client does no flow control).
 *   serve    (pool, then loop) finds the pod's uid from its containers'
 *            labels, accepts the upgrade and bridges it to a session.
 *
 * Back-pressure. Towards a target: client bytes are queued on its socket;
 * while the session has more than `high` bytes queued on its sockets (or
 * waiting for a connect) the parsing of client frames stops, the WebSocket
 * is paused and the unparsed input stays bounded. Towards the client: while
 * the WebSocket has more than `high` bytes unsent no socket is read; a short
 * timer looks again (a WebSocket has no drain callback).
 *
 * Memory: a session (struct kl_agent__pf) is held by its owner until
 * kl_agent__pf_close() and by each of its forwards; a forward by its place
 * in the list, its connect job and its TCP handle. Freed when all are gone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zlib.h>

#include "agent/pod-internal.h"
#include "agent/server-internal.h"
#include "loop/loop.h"

#define HEADER_LEN       8u
#define READ_CHUNK       ((size_t)32 << 10)
#define QUEUE_CHECK_MSEC 10
#define CONNECT_TIMEOUT  10 /* seconds: a connect to a full listen queue gives up */
#define RST_PROTOCOL     1u
#define GOAWAY_OK        0u
#define GOAWAY_PROTOCOL  1u

/* ------------------------------------------------------------------------- */
/* The SPDY/3 header dictionary (draft 3 §2.6.10.1) */

/* Its first part: words, each stored with a 32-bit big-endian length before it. */
static const char *const dict_words[] = {
        "options",
        "head",
        "post",
        "put",
        "delete",
        "trace",
        "accept",
        "accept-charset",
        "accept-encoding",
        "accept-language",
        "accept-ranges",
        "age",
        "allow",
        "authorization",
        "cache-control",
        "connection",
        "content-base",
        "content-encoding",
        "content-language",
        "content-length",
        "content-location",
        "content-md5",
        "content-range",
        "content-type",
        "date",
        "etag",
        "expect",
        "expires",
        "from",
        "host",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
        "last-modified",
        "location",
        "max-forwards",
        "pragma",
        "proxy-authenticate",
        "proxy-authorization",
        "range",
        "referer",
        "retry-after",
        "server",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "vary",
        "via",
        "warning",
        "www-authenticate",
        "method",
        "get",
        "status",
        "200 OK",
        "version",
        "HTTP/1.1",
        "url",
        "public",
        "set-cookie",
        "keep-alive",
        "origin",
};

/* Its second part: text as it is, without lengths or separators. */
static const char *const dict_text[] = {
        "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505",
        "203 Non-Authoritative Information",
        "204 No Content",
        "301 Moved Permanently",
        "400 Bad Request",
        "401 Unauthorized",
        "403 Forbidden",
        "404 Not Found",
        "500 Internal Server Error",
        "501 Not Implemented",
        "503 Service Unavailable",
        "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec",
        " 00:00:00",
        " Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT",
        "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,",
        "text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdch",
        "charset=utf-8charset=iso-8859-1,utf-,*,enq=0.",
};

#define DICT_LEN 1423u

static uint8_t dict[DICT_LEN];
static pthread_once_t dict_once = PTHREAD_ONCE_INIT;

static void dict_build(void)
{
        size_t n = 0;

        for (size_t i = 0; i < KL_ARRAY_SIZE(dict_words); i++) {
                size_t l = strlen(dict_words[i]);

                kl_assert(n + 4 + l <= DICT_LEN);
                dict[n++] = 0;
                dict[n++] = 0;
                dict[n++] = 0;
                dict[n++] = (uint8_t)l;
                memcpy(dict + n, dict_words[i], l);
                n += l;
        }
        for (size_t i = 0; i < KL_ARRAY_SIZE(dict_text); i++) {
                size_t l = strlen(dict_text[i]);

                kl_assert(n + l <= DICT_LEN);
                memcpy(dict + n, dict_text[i], l);
                n += l;
        }
        kl_assert(n == DICT_LEN);
}

const uint8_t *kl_agent__spdy_dictionary(size_t *ret_len)
{
        kl_assert(pthread_once(&dict_once, dict_build) == 0);
        *ret_len = DICT_LEN;
        return dict;
}

/* ------------------------------------------------------------------------- */
/* Frames */

static uint32_t get32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

int kl_agent__spdy_frame_parse(const uint8_t *buf, size_t len, struct kl_agent__spdy_frame *f,
                               size_t *used, struct kl_err **err)
{
        const uint8_t *p;
        size_t plen;

        if (len < HEADER_LEN)
                return 0;
        plen = (size_t)buf[5] << 16 | (size_t)buf[6] << 8 | buf[7];
        if (plen > KL_AGENT__SPDY_FRAME_MAX)
                return kl_err_set_msg(err, -EMSGSIZE, "SPDY frame of %zu bytes is too large", plen);
        if (len < HEADER_LEN + plen)
                return 0;
        p = buf + HEADER_LEN;
        *f = (struct kl_agent__spdy_frame){ .control = (buf[0] & 0x80) != 0, .flags = buf[4] };
        *used = HEADER_LEN + plen;
        if (!f->control) {
                f->stream_id = get32(buf) & 0x7fffffffu;
                f->payload = p;
                f->len = plen;
                return 1;
        }
        if ((((unsigned)buf[0] & 0x7fu) << 8 | buf[1]) != 3)
                return kl_err_set_msg(err, -EPROTO, "SPDY version %u is not supported",
                                      ((unsigned)buf[0] & 0x7fu) << 8 | buf[1]);
        f->type = (uint16_t)(buf[2] << 8 | buf[3]);
        switch (f->type) {
        case KL_AGENT__SPDY_SYN_STREAM:
                /* stream id, associated id, priority and slot, then the header block */
                if (plen < 10)
                        break;
                f->stream_id = get32(p) & 0x7fffffffu;
                f->payload = p + 10;
                f->len = plen - 10;
                return 1;
        case KL_AGENT__SPDY_SYN_REPLY:
        case KL_AGENT__SPDY_HEADERS:
                if (plen < 4)
                        break;
                f->stream_id = get32(p) & 0x7fffffffu;
                f->payload = p + 4;
                f->len = plen - 4;
                return 1;
        case KL_AGENT__SPDY_RST_STREAM:
        case KL_AGENT__SPDY_WINDOW_UPDATE:
                if (plen != 8)
                        break;
                f->stream_id = get32(p) & 0x7fffffffu;
                f->value = get32(p + 4) &
                           (f->type == KL_AGENT__SPDY_RST_STREAM ? 0xffffffffu : 0x7fffffffu);
                return 1;
        case KL_AGENT__SPDY_PING:
                if (plen != 4)
                        break;
                f->value = get32(p);
                return 1;
        case KL_AGENT__SPDY_GOAWAY:
                if (plen != 8)
                        break;
                f->stream_id = get32(p) & 0x7fffffffu; /* the last good stream */
                f->value = get32(p + 4);
                return 1;
        default:
                /* SETTINGS and unknown types: carried, not interpreted. */
                f->payload = p;
                f->len = plen;
                return 1;
        }
        return kl_err_set_msg(err, -EPROTO, "SPDY control frame of type %u is %zu bytes long",
                              f->type, plen);
}

void kl_agent__spdy_put_control(struct kl_buf *out, uint16_t type, uint8_t flags,
                                const void *payload, size_t len)
{
        uint8_t h[HEADER_LEN] = { 0x80, 3, (uint8_t)(type >> 8), (uint8_t)type, flags };

        kl_assert(len <= 0xffffff);
        h[5] = (uint8_t)(len >> 16);
        h[6] = (uint8_t)(len >> 8);
        h[7] = (uint8_t)len;
        kl_assert(kl_buf_append(out, h, sizeof(h)) == 0);
        if (len > 0)
                kl_assert(kl_buf_append(out, payload, len) == 0);
}

void kl_agent__spdy_put_syn_reply(struct kl_buf *out, struct kl_agent__spdy_zlib *z, uint32_t id)
{
        kl_autobuf struct kl_buf block = KL_BUF_INIT;
        static const char *const none[] = { NULL };
        uint8_t sid[4];

        put32(sid, id);
        kl_assert(kl_buf_append(&block, sid, 4) == 0);
        kl_agent__spdy_headers_encode(z, none, &block);
        kl_agent__spdy_put_control(out, KL_AGENT__SPDY_SYN_REPLY, 0, block.buf, block.len);
}

void kl_agent__spdy_put_rst(struct kl_buf *out, uint32_t id, uint32_t status)
{
        uint8_t p[8];

        put32(p, id);
        put32(p + 4, status);
        kl_agent__spdy_put_control(out, KL_AGENT__SPDY_RST_STREAM, 0, p, sizeof(p));
}

void kl_agent__spdy_put_data(struct kl_buf *out, uint32_t stream_id, uint8_t flags,
                             const void *data, size_t len)
{
        uint8_t h[HEADER_LEN];

        kl_assert(len <= 0xffffff);
        put32(h, stream_id & 0x7fffffffu);
        h[4] = flags;
        h[5] = (uint8_t)(len >> 16);
        h[6] = (uint8_t)(len >> 8);
        h[7] = (uint8_t)len;
        kl_assert(kl_buf_append(out, h, sizeof(h)) == 0);
        if (len > 0)
                kl_assert(kl_buf_append(out, data, len) == 0);
}

/* ------------------------------------------------------------------------- */
/* Header blocks */

struct kl_agent__spdy_zlib {
        z_stream in, out;
        bool in_dict; /* the inflate stream has been given the dictionary */
};

struct kl_agent__spdy_zlib *kl_agent__spdy_zlib_new(void)
{
        struct kl_agent__spdy_zlib *z = kl_new0(struct kl_agent__spdy_zlib);
        size_t dlen;
        const uint8_t *d = kl_agent__spdy_dictionary(&dlen);

        /* Only an allocation failure fails these, and allocation failure aborts (R5.1). */
        kl_assert(inflateInit(&z->in) == Z_OK);
        kl_assert(deflateInit(&z->out, Z_DEFAULT_COMPRESSION) == Z_OK);
        kl_assert(deflateSetDictionary(&z->out, d, (uInt)dlen) == Z_OK);
        return z;
}

void kl_agent__spdy_zlib_free(struct kl_agent__spdy_zlib *z)
{
        if (!z)
                return;
        (void)inflateEnd(&z->in);
        (void)deflateEnd(&z->out);
        free(z);
}

/* Inflate `len` bytes of `block` into `out` (bounded by its maximum). */
static int inflate_block(struct kl_agent__spdy_zlib *z, const uint8_t *block, size_t len,
                         struct kl_buf *out, struct kl_err **err)
{
        uint8_t chunk[4096];

        z->in.next_in = (Bytef *)(uintptr_t)block;
        z->in.avail_in = (uInt)len;
        for (;;) {
                int r;

                z->in.next_out = chunk;
                z->in.avail_out = sizeof(chunk);
                r = inflate(&z->in, Z_SYNC_FLUSH);
                if (r == Z_NEED_DICT && !z->in_dict) {
                        size_t dlen;
                        const uint8_t *d = kl_agent__spdy_dictionary(&dlen);

                        z->in_dict = true;
                        if (inflateSetDictionary(&z->in, d, (uInt)dlen) != Z_OK)
                                return kl_err_set_msg(err, -EPROTO,
                                                      "SPDY header block: wrong dictionary");
                        continue;
                }
                if (r != Z_OK && r != Z_BUF_ERROR)
                        return kl_err_set_msg(err, -EPROTO, "SPDY header block does not inflate");
                if (kl_buf_append(out, chunk, sizeof(chunk) - z->in.avail_out) < 0)
                        return kl_err_set_msg(err, -EMSGSIZE,
                                              "SPDY header block is larger than %zu bytes",
                                              KL_AGENT__SPDY_HEADERS_MAX);
                /* Done when the input is used up and the output did not fill. */
                if (z->in.avail_in == 0 && z->in.avail_out != 0)
                        return 0;
                if (r == Z_BUF_ERROR && z->in.avail_out != 0)
                        return 0;
        }
}

int kl_agent__spdy_headers_decode(struct kl_agent__spdy_zlib *z, const uint8_t *block, size_t len,
                                  char ***ret, struct kl_err **err)
{
        kl_autobuf struct kl_buf raw = KL_BUF_INIT_MAX(KL_AGENT__SPDY_HEADERS_MAX);
        kl_autostrv char **v = NULL;
        const uint8_t *p;
        size_t left;
        uint32_t n;
        int r;

        r = inflate_block(z, block, len, &raw, err);
        if (r < 0)
                return r;
        p = (const uint8_t *)raw.buf;
        left = raw.len;
        if (left < 4)
                return kl_err_set_msg(err, -EPROTO, "SPDY header block without a count");
        n = get32(p);
        p += 4;
        left -= 4;
        if (n > KL_AGENT__SPDY_PAIRS_MAX)
                return kl_err_set_msg(err, -EMSGSIZE, "SPDY header block of %u pairs", n);
        v = kl_calloc(2 * (size_t)n + 1, sizeof(char *));
        for (uint32_t i = 0; i < 2 * n; i++) {
                uint32_t l;
                size_t first;

                if (left < 4)
                        return kl_err_set_msg(err, -EPROTO, "SPDY header block is truncated");
                l = get32(p);
                p += 4;
                left -= 4;
                if (l > left)
                        return kl_err_set_msg(err, -EPROTO, "SPDY header block is truncated");
                /* A value may hold several, NUL-separated: the first one is kept. */
                first = strnlen((const char *)p, l);
                if (i % 2 == 0 && (l == 0 || first != l))
                        return kl_err_set_msg(err, -EPROTO, "SPDY header block: bad name");
                v[i] = kl_strndup((const char *)p, first);
                p += l;
                left -= l;
        }
        *ret = KL_TAKE_PTR(v);
        return 0;
}

void kl_agent__spdy_headers_encode(struct kl_agent__spdy_zlib *z, const char *const *pairs,
                                   struct kl_buf *out)
{
        struct kl_buf raw = KL_BUF_INIT;
        uint8_t num[4];
        size_t n = 0;

        while (pairs && pairs[2 * n])
                n++;
        put32(num, (uint32_t)n);
        kl_assert(kl_buf_append(&raw, num, 4) == 0);
        for (size_t i = 0; i < 2 * n; i++) {
                size_t l = strlen(pairs[i]);

                put32(num, (uint32_t)l);
                kl_assert(kl_buf_append(&raw, num, 4) == 0);
                kl_assert(kl_buf_append(&raw, pairs[i], l) == 0);
        }
        z->out.next_in = (Bytef *)raw.buf;
        z->out.avail_in = (uInt)raw.len;
        do {
                uint8_t chunk[1024];

                z->out.next_out = chunk;
                z->out.avail_out = sizeof(chunk);
                kl_assert(deflate(&z->out, Z_SYNC_FLUSH) == Z_OK);
                kl_assert(kl_buf_append(out, chunk, sizeof(chunk) - z->out.avail_out) == 0);
        } while (z->out.avail_out == 0);
        kl_buf_release(&raw);
}

/* ------------------------------------------------------------------------- */
/* Sessions */

struct fwd {
        struct fwd *next;
        struct kl_agent__pf *pf;
        char *request_id; /* owned */
        uint32_t err_id, data_id;
        char *port_text; /* owned: as the client wrote it */
        uint16_t port;

        bool connecting, connected, done;
        int fd;            /* the connect job's result */
        int connect_error; /* negative errno */

        uv_tcp_t tcp;
        bool tcp_open, reading;
        struct kl_buf pending; /* client bytes while connecting (counted in pf->queued) */
        bool client_fin, shut, target_eof;
        bool err_fin, data_fin; /* our FINs went out */
        uv_shutdown_t shutdown;
        unsigned refs; /* the list, the connect job, the TCP handle */
};

struct kl_agent__pf {
        uv_loop_t *loop;
        char *netns; /* owned; NULL: ours */
        size_t high;
        struct kl_agent__pf_transport t;
        struct kl_agent__spdy_zlib *z_in, *z_out; /* owned */
        struct kl_buf in;                         /* owned: unparsed client bytes */
        struct fwd *fwds;                         /* the live forwards */
        size_t queued;                            /* client bytes not yet written to targets */
        bool in_paused;                           /* the transport is paused: queued > high */
        bool out_paused;                          /* sockets not read: transport queue full */
        bool ended;                               /* GOAWAY or an error: t.end() called */
        bool goaway;                              /* the client said GOAWAY */
        bool closed;                              /* kl_agent__pf_close() */
        bool processing;
        uv_timer_t timer;
        unsigned refs; /* the owner, each forward, the timer */
};

struct write_req {
        uv_write_t req;
        struct fwd *fw;
        size_t len;
        char data[];
};

static void pf_unref(struct kl_agent__pf *pf)
{
        kl_assert(pf->refs > 0);
        if (--pf->refs > 0)
                return;
        kl_agent__spdy_zlib_free(pf->z_in);
        kl_agent__spdy_zlib_free(pf->z_out);
        kl_buf_release(&pf->in);
        free(pf->netns);
        free(pf);
}

static void fwd_unref(struct fwd *fw)
{
        struct kl_agent__pf *pf = fw->pf;

        kl_assert(fw->refs > 0);
        if (--fw->refs > 0)
                return;
        kl_assert(pf->queued >= fw->pending.len);
        pf->queued -= fw->pending.len;
        kl_buf_release(&fw->pending);
        free(fw->request_id);
        free(fw->port_text);
        free(fw);
        pf_unref(pf);
}

static void send_buf(struct kl_agent__pf *pf, struct kl_buf *b)
{
        if (pf->ended || pf->closed)
                return;
        if (pf->t.send(pf->t.arg, b->buf, b->len) < 0) {
                pf->ended = true;
                pf->t.end(pf->t.arg);
        }
}

static void send_data(struct kl_agent__pf *pf, uint32_t id, uint8_t flags, const void *d,
                      size_t len)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        kl_agent__spdy_put_data(&b, id, flags, d, len);
        send_buf(pf, &b);
}

static void send_reply(struct kl_agent__pf *pf, uint32_t id)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        kl_agent__spdy_put_syn_reply(&b, pf->z_out, id);
        send_buf(pf, &b);
}

static void send_rst(struct kl_agent__pf *pf, uint32_t id, uint32_t status)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        kl_agent__spdy_put_rst(&b, id, status);
        send_buf(pf, &b);
}

/* End the session (a protocol error): GOAWAY, then the transport closes. */
static void pf_fail(struct kl_agent__pf *pf, const struct kl_err *e)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        uint8_t p[8] = { 0 };

        if (pf->ended || pf->closed)
                return;
        kl_log_debug(KL_LOG_AGENT, "port-forward: %s", kl_err_msg(e));
        put32(p + 4, GOAWAY_PROTOCOL);
        kl_agent__spdy_put_control(&b, KL_AGENT__SPDY_GOAWAY, 0, p, sizeof(p));
        send_buf(pf, &b);
        if (!pf->ended) {
                pf->ended = true;
                pf->t.end(pf->t.arg);
        }
}

static void on_tcp_closed(uv_handle_t *h)
{
        fwd_unref(h->data);
}

/* Forget the forward: its socket closes, its streams are not spoken of again. */
static void fwd_remove(struct fwd *fw)
{
        struct kl_agent__pf *pf = fw->pf;

        if (fw->done)
                return;
        fw->done = true;
        for (struct fwd **pp = &pf->fwds; *pp; pp = &(*pp)->next) {
                if (*pp == fw) {
                        *pp = fw->next;
                        break;
                }
        }
        if (fw->tcp_open && !uv_is_closing((uv_handle_t *)&fw->tcp))
                uv_close((uv_handle_t *)&fw->tcp, on_tcp_closed);
        fwd_unref(fw);
}

static struct fwd *fwd_by_stream(struct kl_agent__pf *pf, uint32_t id)
{
        for (struct fwd *fw = pf->fwds; fw; fw = fw->next)
                if (fw->err_id == id || fw->data_id == id)
                        return fw;
        return NULL;
}

/* FIN whichever of the pair's streams we have not finished yet. */
static void fwd_fin_streams(struct fwd *fw)
{
        if (!fw->data_fin && fw->data_id) {
                fw->data_fin = true;
                send_data(fw->pf, fw->data_id, KL_AGENT__SPDY_FLAG_FIN, NULL, 0);
        }
        if (!fw->err_fin && fw->err_id) {
                fw->err_fin = true;
                send_data(fw->pf, fw->err_id, KL_AGENT__SPDY_FLAG_FIN, NULL, 0);
        }
}

/* Report a failure on the error stream (upstream: the text, then the streams end). */
static void fwd_error(struct fwd *fw, const char *msg)
{
        if (!fw->err_fin && fw->err_id)
                send_data(fw->pf, fw->err_id, 0, msg, strlen(msg));
        fwd_fin_streams(fw);
        fwd_remove(fw);
}

static void pf_process(struct kl_agent__pf *pf);

/* Input back-pressure: pause the transport while too much waits for targets. */
static void update_input(struct kl_agent__pf *pf)
{
        bool pause = pf->queued > pf->high;

        if (pf->closed || pf->ended || pause == pf->in_paused)
                return;
        pf->in_paused = pause;
        pf->t.pause(pf->t.arg, pause);
        if (!pause)
                pf_process(pf);
}

/* Output: target -> client */

static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
        (void)h;
        (void)size;
        buf->base = kl_malloc(READ_CHUNK);
        buf->len = READ_CHUNK;
}

static void on_queue_timer(uv_timer_t *t);

static void set_reading(struct fwd *fw);

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
        struct fwd *fw = s->data;
        struct kl_agent__pf *pf = fw->pf;

        if (n > 0 && !fw->done) {
                send_data(pf, fw->data_id, 0, buf->base, (size_t)n);
                if (!pf->out_paused && !pf->closed && pf->t.queued(pf->t.arg) > pf->high) {
                        pf->out_paused = true;
                        for (struct fwd *f = pf->fwds; f; f = f->next)
                                set_reading(f);
                        (void)uv_timer_start(&pf->timer, on_queue_timer, QUEUE_CHECK_MSEC, 0);
                }
        }
        free(buf->base);
        if (n >= 0 || fw->done)
                return;
        /* EOF or a reset: the target is done; so are the streams on our side. */
        fw->target_eof = true;
        set_reading(fw);
        fwd_fin_streams(fw);
        if (fw->client_fin || n != UV_EOF)
                fwd_remove(fw);
}

static void set_reading(struct fwd *fw)
{
        bool want = fw->connected && !fw->done && !fw->target_eof && !fw->pf->out_paused &&
                    !fw->pf->closed;

        if (want == fw->reading)
                return;
        fw->reading = want;
        if (want)
                (void)uv_read_start((uv_stream_t *)&fw->tcp, on_alloc, on_read);
        else
                (void)uv_read_stop((uv_stream_t *)&fw->tcp);
}

static void on_queue_timer(uv_timer_t *t)
{
        struct kl_agent__pf *pf = t->data;

        if (!pf->out_paused || pf->closed)
                return;
        if (pf->t.queued(pf->t.arg) > pf->high / 2) {
                (void)uv_timer_start(&pf->timer, on_queue_timer, QUEUE_CHECK_MSEC, 0);
                return;
        }
        pf->out_paused = false;
        for (struct fwd *f = pf->fwds; f; f = f->next)
                set_reading(f);
}

/* Input: client -> target */

static void on_shutdown(uv_shutdown_t *req, int status)
{
        struct fwd *fw = req->data;

        (void)status;
        if (fw->target_eof)
                fwd_remove(fw);
        fwd_unref(fw);
}

static void maybe_shutdown(struct fwd *fw)
{
        if (!fw->client_fin || fw->shut || !fw->connected || fw->done)
                return;
        fw->shut = true;
        fw->shutdown.data = fw;
        if (uv_shutdown(&fw->shutdown, (uv_stream_t *)&fw->tcp, on_shutdown) == 0)
                fw->refs++;
}

static void on_write(uv_write_t *req, int status)
{
        struct write_req *w = kl_container_of(req, struct write_req, req);
        struct fwd *fw = w->fw;
        struct kl_agent__pf *pf = fw->pf;

        (void)status;
        kl_assert(pf->queued >= w->len);
        pf->queued -= w->len;
        free(w);
        update_input(pf);
        fwd_unref(fw);
}

static void write_target(struct fwd *fw, const void *data, size_t len)
{
        struct write_req *w;
        uv_buf_t b;

        if (len == 0)
                return;
        w = kl_malloc(sizeof(*w) + len);
        w->fw = fw;
        w->len = len;
        memcpy(w->data, data, len);
        b = uv_buf_init(w->data, (unsigned)len);
        if (uv_write(&w->req, (uv_stream_t *)&fw->tcp, &b, 1, on_write) < 0) {
                free(w);
                return;
        }
        fw->refs++;
        fw->pf->queued += len;
}

/* Connecting, on the pool */

/* A socket of `family` made inside `netns`, back in our own namespace before returning. */
static int connect_in(const char *netns, uint16_t port, int *ret_fd)
{
        kl_autoclose int self = -EBADF, target = -EBADF, s4 = -EBADF, s6 = -EBADF;
        struct timeval tv = { .tv_sec = CONNECT_TIMEOUT };
        struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
        struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
        int r;

        if (netns) {
                self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
                target = open(netns, O_RDONLY | O_CLOEXEC);
                if (self < 0 || target < 0)
                        return -errno;
                if (setns(target, CLONE_NEWNET) < 0)
                        return -errno;
        }
        s4 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        r = s4 < 0 ? -errno : 0;
        s6 = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (netns && setns(self, CLONE_NEWNET) < 0)
                kl_bug("cannot return to the thread's own network namespace");
        if (r < 0)
                return r;
        /* localhost as Go's dialer takes it: IPv4 first, then IPv6. */
        a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        (void)setsockopt(s4, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(s4, (struct sockaddr *)&a4, sizeof(a4)) == 0) {
                *ret_fd = KL_TAKE_FD(s4);
                return 0;
        }
        r = -errno;
        if (s6 >= 0) {
                a6.sin6_addr = in6addr_loopback;
                (void)setsockopt(s6, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
                if (connect(s6, (struct sockaddr *)&a6, sizeof(a6)) == 0) {
                        *ret_fd = KL_TAKE_FD(s6);
                        return 0;
                }
        }
        return r;
}

static void connect_work(void *arg)
{
        struct fwd *fw = arg;

        fw->fd = -EBADF;
        fw->connect_error = connect_in(fw->pf->netns, fw->port, &fw->fd);
}

static void connect_done(void *arg, int status)
{
        struct fwd *fw = arg;
        struct kl_agent__pf *pf = fw->pf;
        int r = status < 0 ? status : fw->connect_error;

        fw->connecting = false;
        if (fw->done || pf->closed) {
                if (r >= 0)
                        (void)close(fw->fd);
                fwd_unref(fw);
                return;
        }
        if (r >= 0) {
                r = uv_tcp_init(pf->loop, &fw->tcp);
                if (r == 0) {
                        fw->tcp.data = fw;
                        fw->tcp_open = true;
                        fw->refs++;
                        r = uv_tcp_open(&fw->tcp, fw->fd);
                        if (r < 0)
                                (void)close(fw->fd);
                } else {
                        (void)close(fw->fd);
                }
                r = r < 0 ? -ECONNABORTED : 0;
        }
        if (r < 0) {
                char text[64];
                kl_autofree char *msg = NULL;

                /* Go's error texts are lower-case. */
                (void)snprintf(text, sizeof(text), "%s", strerror(-r));
                if (text[0] >= 'A' && text[0] <= 'Z')
                        text[0] = (char)(text[0] - 'A' + 'a');
                msg = kl_asprintf("failed to connect to localhost:%u inside namespace: %s",
                                  fw->port, text);
                fwd_error(fw, msg);
                fwd_unref(fw);
                return;
        }
        fw->connected = true;
        if (fw->pending.len > 0) {
                size_t len = fw->pending.len;

                pf->queued -= len;
                write_target(fw, fw->pending.buf, len);
                kl_buf_reset(&fw->pending);
        }
        maybe_shutdown(fw);
        set_reading(fw);
        update_input(pf);
        fwd_unref(fw);
}

static void fwd_start(struct fwd *fw)
{
        struct kl_agent__pf *pf = fw->pf;

        if (!fw->err_id || !fw->data_id || fw->connecting || fw->connected)
                return;
        if (kl_parse_port(fw->port_text, &fw->port) < 0) {
                kl_autofree char *msg =
                        kl_asprintf("error parsing port \"%s\": invalid port", fw->port_text);

                fwd_error(fw, msg);
                return;
        }
        fw->connecting = true;
        fw->refs++;
        if (kl_loop_run_blocking(pf->loop, connect_work, connect_done, fw) < 0) {
                fw->connecting = false;
                fw->refs--;
                fwd_error(fw, "failed to connect: cannot queue the connection");
        }
}

/* Frames */

static const char *header(char *const *v, const char *name)
{
        for (size_t i = 0; v && v[i] && v[i + 1]; i += 2)
                if (strcasecmp(v[i], name) == 0)
                        return v[i + 1];
        return NULL;
}

static void on_syn_stream(struct kl_agent__pf *pf, const struct kl_agent__spdy_frame *f)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autostrv char **h = NULL;
        const char *type, *port, *rid;
        kl_autofree char *rid_own = NULL;
        bool is_err;
        struct fwd *fw;

        /* The block is always inflated: the zlib stream spans the session. */
        if (kl_agent__spdy_headers_decode(pf->z_in, f->payload, f->len, &h, &e) < 0) {
                pf_fail(pf, e);
                return;
        }
        if (f->stream_id == 0 || fwd_by_stream(pf, f->stream_id)) {
                send_rst(pf, f->stream_id, RST_PROTOCOL);
                return;
        }
        type = header(h, "streamtype");
        port = header(h, "port");
        rid = header(h, "requestid");
        if (!type || (!kl_streq(type, "error") && !kl_streq(type, "data")) || !port) {
                send_rst(pf, f->stream_id, RST_PROTOCOL);
                return;
        }
        is_err = kl_streq(type, "error");
        if (kl_isempty(rid)) {
                /* Old clients: the pair's error stream is opened two before its data stream. */
                rid_own = kl_asprintf("%u", is_err ? f->stream_id : f->stream_id - 2);
                rid = rid_own;
        }
        send_reply(pf, f->stream_id);
        if (pf->goaway)
                return;
        for (fw = pf->fwds; fw; fw = fw->next)
                if (kl_streq(fw->request_id, rid))
                        break;
        if (!fw) {
                fw = kl_new0(struct fwd);
                fw->pf = pf;
                fw->request_id = kl_strdup(rid);
                fw->port_text = kl_strdup(port);
                fw->fd = -EBADF;
                fw->refs = 1;
                kl_buf_init(&fw->pending, SIZE_MAX);
                fw->next = pf->fwds;
                pf->fwds = fw;
                pf->refs++;
        }
        if ((is_err ? fw->err_id : fw->data_id) != 0) {
                send_rst(pf, f->stream_id, RST_PROTOCOL);
                return;
        }
        if (is_err)
                fw->err_id = f->stream_id;
        else
                fw->data_id = f->stream_id;
        fwd_start(fw);
}

static void on_data(struct kl_agent__pf *pf, const struct kl_agent__spdy_frame *f)
{
        struct fwd *fw = fwd_by_stream(pf, f->stream_id);

        if (!fw || f->stream_id == fw->err_id)
                return; /* the client's half of the error stream carries nothing */
        if (f->len > 0 && !fw->client_fin) {
                if (fw->connected) {
                        write_target(fw, f->payload, f->len);
                } else {
                        kl_assert(kl_buf_append(&fw->pending, f->payload, f->len) == 0);
                        pf->queued += f->len;
                }
        }
        if (f->flags & KL_AGENT__SPDY_FLAG_FIN) {
                fw->client_fin = true;
                maybe_shutdown(fw);
        }
        update_input(pf);
}

static void on_frame(struct kl_agent__pf *pf, const struct kl_agent__spdy_frame *f)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autostrv char **h = NULL;
        struct fwd *fw;
        uint8_t id[4];

        if (!f->control) {
                on_data(pf, f);
                return;
        }
        switch (f->type) {
        case KL_AGENT__SPDY_SYN_STREAM:
                on_syn_stream(pf, f);
                return;
        case KL_AGENT__SPDY_SYN_REPLY:
        case KL_AGENT__SPDY_HEADERS:
                if (kl_agent__spdy_headers_decode(pf->z_in, f->payload, f->len, &h, &e) < 0)
                        pf_fail(pf, e);
                return;
        case KL_AGENT__SPDY_RST_STREAM:
                fw = fwd_by_stream(pf, f->stream_id);
                if (!fw)
                        return;
                if (f->stream_id == fw->data_id) {
                        fwd_remove(fw);
                } else {
                        fw->err_fin = true; /* nothing more may be sent on it */
                }
                return;
        case KL_AGENT__SPDY_PING: {
                kl_autobuf struct kl_buf b = KL_BUF_INIT;

                /* Odd ids are the client's: echo them. Even ones would answer ours (none). */
                if (!(f->value & 1))
                        return;
                put32(id, f->value);
                kl_agent__spdy_put_control(&b, KL_AGENT__SPDY_PING, 0, id, 4);
                send_buf(pf, &b);
                return;
        }
        case KL_AGENT__SPDY_GOAWAY:
                pf->goaway = true;
                while (pf->fwds)
                        fwd_remove(pf->fwds);
                if (!pf->ended) {
                        pf->ended = true;
                        pf->t.end(pf->t.arg);
                }
                return;
        default:
                return; /* SETTINGS, WINDOW_UPDATE, NOOP, unknown: nothing to do */
        }
}

static void pf_process(struct kl_agent__pf *pf)
{
        size_t off = 0;

        if (pf->processing)
                return;
        pf->processing = true;
        pf->refs++;
        while (!pf->ended && !pf->closed && !pf->in_paused) {
                kl_autoerr struct kl_err *e = NULL;
                struct kl_agent__spdy_frame f;
                size_t used = 0;
                int r = kl_agent__spdy_frame_parse((const uint8_t *)pf->in.buf + off,
                                                   pf->in.len - off, &f, &used, &e);

                if (r == 0)
                        break;
                if (r < 0) {
                        pf_fail(pf, e);
                        break;
                }
                off += used;
                on_frame(pf, &f);
        }
        if (off > 0) {
                memmove(pf->in.buf, pf->in.buf + off, pf->in.len - off);
                kl_buf_truncate(&pf->in, pf->in.len - off);
        }
        pf->processing = false;
        pf_unref(pf);
}

struct kl_agent__pf *kl_agent__pf_new(uv_loop_t *loop, const char *netns, size_t queue_high,
                                      const struct kl_agent__pf_transport *t)
{
        struct kl_agent__pf *pf = kl_new0(struct kl_agent__pf);

        pf->loop = loop;
        pf->netns = netns ? kl_strdup(netns) : NULL;
        pf->high = queue_high;
        pf->t = *t;
        pf->z_in = kl_agent__spdy_zlib_new();
        pf->z_out = kl_agent__spdy_zlib_new();
        /* A paused transport may still deliver what it had read: room for a few frames more. */
        kl_buf_init(&pf->in, 4 * (KL_AGENT__SPDY_FRAME_MAX + HEADER_LEN));
        kl_assert(uv_timer_init(loop, &pf->timer) == 0);
        pf->timer.data = pf;
        pf->refs = 2; /* the owner, the timer */
        return pf;
}

void kl_agent__pf_feed(struct kl_agent__pf *pf, const void *data, size_t len)
{
        if (pf->ended || pf->closed)
                return;
        if (kl_buf_append(&pf->in, data, len) < 0) {
                kl_autoerr struct kl_err *e = NULL;

                (void)kl_err_set_msg(&e, -ENOBUFS, "too much unparsed input");
                pf_fail(pf, e);
                return;
        }
        pf_process(pf);
}

static void on_timer_closed(uv_handle_t *h)
{
        pf_unref(h->data);
}

void kl_agent__pf_close(struct kl_agent__pf *pf)
{
        if (!pf)
                return;
        kl_assert(!pf->closed);
        pf->closed = true;
        /* The owner's reference, dropped last, keeps pf alive through the loop. */
        /* NOLINTBEGIN(clang-analyzer-unix.Malloc) */
        while (pf->fwds)
                fwd_remove(pf->fwds);
        uv_close((uv_handle_t *)&pf->timer, on_timer_closed);
        pf_unref(pf);
        /* NOLINTEND(clang-analyzer-unix.Malloc) */
}

/* ------------------------------------------------------------------------- */
/* Serving: the pod's network namespace, the WebSocket */

struct pf_session {
        struct kl_agent_server *srv; /* a session of it */
        struct kl_http_req *req;     /* ref until the upgrade (or the error answer) */
        struct kl_http_ws *ws;       /* ref once accepted */
        char *ns, *pod;              /* owned */
        char *netns;                 /* owned: the lookup's result */
        struct kl_err *error;        /* owned: the lookup's failure */
        struct kl_agent__pf *pf;     /* owned from the upgrade to the close */
        bool spdy;                   /* a SPDY upgrade, not a WebSocket */
};

static void session_free(struct pf_session *x)
{
        kl_agent__server_session_end(x->srv);
        kl_http_req_unref(x->req);
        free(x->ns);
        free(x->pod);
        free(x->netns);
        kl_err_free(x->error);
        free(x);
}

static void lookup_work(void *arg)
{
        struct pf_session *x = arg;
        struct kl_ctr_runtime *rt = kl_agent__server_runtime(x->srv);
        struct kl_ctr_state *v = NULL;
        const char *uid = NULL;
        size_t n = 0;

        if (kl_ctr_list(rt, &v, &n, &x->error) < 0)
                return;
        for (size_t i = 0; i < n && !uid; i++) {
                if (kl_streq(kl_agent__label(v[i].labels, KL_AGENT__LABEL_POD_NS), x->ns) &&
                    kl_streq(kl_agent__label(v[i].labels, KL_AGENT__LABEL_POD_NAME), x->pod))
                        uid = kl_agent__label(v[i].labels, KL_AGENT__LABEL_POD_UID);
        }
        if (kl_isempty(uid) || !kl_ctr_id_is_valid(uid)) {
                (void)kl_err_set_msg(&x->error, -ENOENT, "pod not found");
        } else {
                x->netns = kl_ctr_sandbox_ns_path(rt, uid, KL_CTR_NS_NET);
                if (access(x->netns, F_OK) < 0)
                        (void)kl_err_set(&x->error, -ENOENT, "network namespace of pod %s/%s '%s'",
                                         x->ns, x->pod, x->netns);
        }
        kl_ctr_states_free(v, n);
}

static int ws_send(void *arg, const void *data, size_t len)
{
        struct pf_session *x = arg;

        return x->ws ? kl_http_ws_send(x->ws, KL_HTTP_WS_BINARY, data, len) : -ECONNRESET;
}

static size_t ws_queued(void *arg)
{
        struct pf_session *x = arg;

        return x->ws ? kl_http_ws_output_queued(x->ws) : 0;
}

static void ws_pause(void *arg, bool pause)
{
        struct pf_session *x = arg;

        if (x->ws)
                kl_http_ws_pause(x->ws, pause);
}

static void ws_end(void *arg)
{
        struct pf_session *x = arg;

        if (x->ws) {
                kl_http_ws_pause(x->ws, false); /* the client's close frame must be read */
                (void)kl_http_ws_close(x->ws, 1000, NULL);
        }
}

static void on_message(struct kl_http_ws *ws, enum kl_http_ws_opcode op, const void *data,
                       size_t len, void *userdata)
{
        struct pf_session *x = userdata;

        (void)ws;
        if (op == KL_HTTP_WS_BINARY && x->pf)
                kl_agent__pf_feed(x->pf, data, len);
}

static void on_ws_close(struct kl_http_ws *ws, int code, void *userdata)
{
        struct pf_session *x = userdata;

        (void)ws;
        (void)code;
        kl_agent__pf_close(x->pf);
        x->pf = NULL;
        x->ws = kl_http_ws_unref(x->ws);
        session_free(x);
}

static void lookup_done(void *arg, int status)
{
        struct pf_session *x = arg;
        kl_autoerr struct kl_err *e = NULL;
        int r;

        if (status < 0 && !x->error)
                (void)kl_err_set(&x->error, status, "queue the lookup");
        if (x->error) {
                kl_agent__respond_error(x->req, x->error, NULL, NULL);
                session_free(x);
                return;
        }
        if (x->spdy)
                r = kl_http_spdy_accept(x->req, KL_AGENT__SPDY_PORTFORWARD_PROTOCOL,
                                        &(struct kl_http_ws_callbacks){ .on_message = on_message,
                                                                        .on_close = on_ws_close },
                                        x, &x->ws, &e);
        else
                r = kl_http_ws_accept(x->req, KL_AGENT__PORTFORWARD_PROTOCOL,
                                      &(struct kl_http_ws_callbacks){ .on_message = on_message,
                                                                      .on_close = on_ws_close },
                                      x, &x->ws, &e);
        if (r < 0) {
                if (r != -ECONNRESET)
                        kl_agent__respond_error(x->req, e, NULL, NULL);
                session_free(x);
                return;
        }
        x->req = kl_http_req_unref(x->req);
        x->pf = kl_agent__pf_new(kl_agent__server_loop(x->srv), x->netns,
                                 kl_agent__server_queue_high(x->srv),
                                 &(struct kl_agent__pf_transport){ .send = ws_send,
                                                                   .queued = ws_queued,
                                                                   .pause = ws_pause,
                                                                   .end = ws_end,
                                                                   .arg = x });
}

void kl_agent__portforward_serve(struct kl_agent_server *s, struct kl_http_req *req, const char *ns,
                                 const char *pod)
{
        kl_autoerr struct kl_err *e = NULL;
        struct pf_session *x;

        bool spdy = kl_http_req_is_spdy(req);

        if (!kl_http_req_is_websocket(req) && !spdy) {
                (void)kl_err_set_msg(&e, -EINVAL, "Upgrade request required");
                kl_agent__respond_error(req, e, NULL, NULL);
                return;
        }
        if (spdy && !kl_http_req_stream_offers(req, KL_AGENT__SPDY_PORTFORWARD_PROTOCOL)) {
                (void)kl_err_set_msg(&e, -EINVAL,
                                     "unable to upgrade: unable to negotiate protocol: the "
                                     "server supports " KL_AGENT__SPDY_PORTFORWARD_PROTOCOL);
                kl_agent__respond_error(req, e, NULL, NULL);
                return;
        }
        if (!spdy && !kl_http_req_ws_offers(req, KL_AGENT__PORTFORWARD_PROTOCOL)) {
                (void)kl_err_set_msg(&e, -EINVAL,
                                     "unable to upgrade: unable to negotiate protocol: the "
                                     "server supports " KL_AGENT__PORTFORWARD_PROTOCOL);
                kl_agent__respond_error(req, e, NULL, NULL);
                return;
        }
        if (!kl_agent__server_session_begin(s)) {
                (void)kl_err_set_msg(&e, -KL_ETOO_MANY_REQUESTS,
                                     "too many streams, try again later");
                kl_agent__respond_error(req, e, NULL, NULL);
                return;
        }
        x = kl_new0(struct pf_session);
        x->srv = s;
        x->req = kl_http_req_ref(req);
        x->ns = kl_strdup(ns);
        x->pod = kl_strdup(pod);
        x->spdy = spdy;
        if (kl_loop_run_blocking(kl_agent__server_loop(s), lookup_work, lookup_done, x) < 0) {
                (void)kl_err_set_msg(&e, -EIO, "cannot queue the lookup");
                kl_agent__respond_error(req, e, NULL, NULL);
                session_free(x);
        }
}
