/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server, its connections, requests and responses. README.md draws the
 * connection state machine; the comments here explain the choices that are
 * not obvious from the code.
 *
 * Ownership in one paragraph (STYLE §8): a connection owns two handles (the
 * socket and one timer) and is closed, never freed, by kl_http__conn_close().
 * Its reference count has one reference for the handles, dropped when both
 * close callbacks have run, plus one per live request, per uv_write() and
 * uv_shutdown() in flight, and per open WebSocket (through its request). The
 * server likewise holds one reference for its own two handles plus one per
 * connection, so a request finished by the application long after shutdown
 * still finds valid memory behind it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/err.h>

#include "http/http-internal.h"
#include "loop/loop.h"

/*
 * Input received while a request is being handled is kept (pipelining) up
 * to this much; then reading stops until the response is complete. The hard
 * bound adds one socket read and one TLS record, which may already be in hand
 * when the soft bound is crossed.
 */
#define PENDING_SOFT_MAX ((size_t)16 << 10)
#define PENDING_MAX      (PENDING_SOFT_MAX + ((size_t)64 << 10) + ((size_t)16 << 10))

/*
 * After our final response we shut the write side down and keep reading for
 * a moment: closing a socket with unread input makes the kernel send RST,
 * which can destroy the response in flight to the client (a 413 the client
 * never sees). Go's net/http waits 500 ms for the same reason.
 */
#define LINGER_MS 1000
/* TLS plaintext handed to SSL_write() before flushing: bounds the memory BIO. */
#define TLS_WRITE_SLICE ((size_t)256 << 10)

enum timer_kind {
        TIMER_NONE,
        TIMER_HANDSHAKE,
        TIMER_IDLE,
        TIMER_HEADER,
        TIMER_BODY,
        TIMER_WRITE,
        TIMER_LINGER,
        TIMER_WS_CLOSE,
};

static void conn_process(struct kl_http__conn *c, const char *data, size_t len);
static void conn_on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void conn_on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf);
static void conn_resume_input(struct kl_http__conn *c);
static void conn_update_reading(struct kl_http__conn *c);
static void conn_tls_pump(struct kl_http__conn *c);
static void server_check_closed(struct kl_http_server *s);

/* ------------------------------------------------------------------------- */
/* Small helpers */

static void link_init(struct kl_http__link *l)
{
        l->next = l->prev = l;
}

static void link_add_tail(struct kl_http__link *head, struct kl_http__link *n)
{
        n->prev = head->prev;
        n->next = head;
        head->prev->next = n;
        head->prev = n;
}

static void link_remove(struct kl_http__link *n)
{
        n->prev->next = n->next;
        n->next->prev = n->prev;
        n->next = n->prev = n;
}

static void hooks_init(struct kl_http_close_hook *head)
{
        head->next = head->prev = head;
        head->fn = NULL;
        head->userdata = NULL;
}

static bool hooks_empty(const struct kl_http_close_hook *head)
{
        return head->next == head;
}

static void hook_unlink(struct kl_http_close_hook *h)
{
        h->prev->next = h->next;
        h->next->prev = h->prev;
        h->next = h->prev = NULL;
}

static uint64_t usec_to_ms(kl_usec_t us)
{
        /* Round up: a 1 µs time-out must not become "no time-out". */
        return (us + KL_USEC_PER_MSEC - 1) / KL_USEC_PER_MSEC;
}

static const struct {
        int status;
        const char *text;
} status_texts[] = {
        { 100, "Continue" },
        { 101, "Switching Protocols" },
        { 200, "OK" },
        { 201, "Created" },
        { 202, "Accepted" },
        { 204, "No Content" },
        { 206, "Partial Content" },
        { 301, "Moved Permanently" },
        { 302, "Found" },
        { 304, "Not Modified" },
        { 307, "Temporary Redirect" },
        { 308, "Permanent Redirect" },
        { 400, "Bad Request" },
        { 401, "Unauthorized" },
        { 403, "Forbidden" },
        { 404, "Not Found" },
        { 405, "Method Not Allowed" },
        { 406, "Not Acceptable" },
        { 408, "Request Timeout" },
        { 409, "Conflict" },
        { 410, "Gone" },
        { 411, "Length Required" },
        { 412, "Precondition Failed" },
        { 413, "Content Too Large" },
        { 414, "URI Too Long" },
        { 415, "Unsupported Media Type" },
        { 417, "Expectation Failed" },
        { 422, "Unprocessable Entity" },
        { 426, "Upgrade Required" },
        { 429, "Too Many Requests" },
        { 431, "Request Header Fields Too Large" },
        { 500, "Internal Server Error" },
        { 501, "Not Implemented" },
        { 502, "Bad Gateway" },
        { 503, "Service Unavailable" },
        { 504, "Gateway Timeout" },
        { 505, "HTTP Version Not Supported" },
};

const char *kl_http_status_text(int status)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(status_texts); i++)
                if (status_texts[i].status == status)
                        return status_texts[i].text;
        return "Unknown";
}

/* The Date header value, formatted once per second (RFC 9110 §5.6.7 IMF-fixdate). */
static const char *server_date(struct kl_http_server *s)
{
        static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
        static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        time_t now = time(NULL);
        struct tm tm;

        if ((int64_t)now == s->date_sec)
                return s->date;
        if (!gmtime_r(&now, &tm))
                return s->date;
        /* Not strftime(): its names follow the locale. */
        (void)snprintf(s->date, sizeof(s->date), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                       days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900,
                       tm.tm_hour, tm.tm_min, tm.tm_sec);
        s->date_sec = (int64_t)now;
        return s->date;
}

/* ------------------------------------------------------------------------- */
/* Reference counts */

static struct kl_http_server *server_ref(struct kl_http_server *s)
{
        s->refs++;
        return s;
}

static void server_unref(struct kl_http_server *s)
{
        kl_assert(s->refs > 0);
        if (--s->refs > 0)
                return;
        SSL_CTX_free(s->ssl_ctx);
        free(s);
}

static struct kl_http__conn *conn_ref(struct kl_http__conn *c)
{
        c->refs++;
        return c;
}

static void conn_unref(struct kl_http__conn *c)
{
        struct kl_http_server *s;

        kl_assert(c->refs > 0);
        if (--c->refs > 0)
                return;
        kl_assert(c->closing && c->pending_closes == 0);
        s = c->server;
        kl_http__cert_identity_release(&c->cert);
        free(c);
        server_unref(s);
}

struct kl_http_req *kl_http_req_ref(struct kl_http_req *req)
{
        kl_assert(req->refs > 0);
        req->refs++;
        return req;
}

struct kl_http_req *kl_http_req_unref(struct kl_http_req *req)
{
        struct kl_http__conn *c;

        if (!req)
                return NULL;
        kl_assert(req->refs > 0);
        if (--req->refs > 0)
                return NULL;
        kl_assert(req->resp == KL_HTTP__RESP_FINISHED);
        c = req->conn;
        kl_pool_release(&req->pool);
        kl_buf_release(&req->msg.body);
        free(req);
        /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): this request's reference kept c alive. */
        conn_unref(c);
        return NULL;
}

/* ------------------------------------------------------------------------- */
/* Timer: one per connection, its meaning follows the state */

static void conn_on_timer(uv_timer_t *t);

void kl_http__conn_arm_timer(struct kl_http__conn *c)
{
        const struct kl_http_limits *lim = &c->server->limits;
        uint64_t now = uv_now(c->tcp.loop), ms = 0;
        enum timer_kind kind = TIMER_NONE;

        if (c->closing)
                return;
        if (c->writes > 0) {
                /* Re-armed on every completed write: a time-out means no progress. */
                kind = TIMER_WRITE;
                ms = usec_to_ms(lim->write_timeout);
        } else {
                switch (c->state) {
                case KL_HTTP__CONN_HANDSHAKE:
                        kind = TIMER_HANDSHAKE;
                        break;
                case KL_HTTP__CONN_READING:
                        if (!c->req || !c->parser.started)
                                kind = TIMER_IDLE;
                        else
                                kind = c->in_body ? TIMER_BODY : TIMER_HEADER;
                        break;
                case KL_HTTP__CONN_LINGER:
                        kind = c->shutdown_started ? TIMER_LINGER : TIMER_NONE;
                        break;
                case KL_HTTP__CONN_UPGRADED:
                        kind = c->ws && c->ws->close_sent ? TIMER_WS_CLOSE : TIMER_NONE;
                        break;
                case KL_HTTP__CONN_HANDLING:
                case KL_HTTP__CONN_DRAINING:
                        break;
                }
                /* These run against absolute deadlines, set when the phase began. */
                if (kind != TIMER_NONE)
                        ms = c->deadline_ms > now ? c->deadline_ms - now : 0;
        }
        c->timer_kind = kind;
        if (kind == TIMER_NONE)
                (void)uv_timer_stop(&c->timer);
        else
                (void)uv_timer_start(&c->timer, conn_on_timer, ms, 0);
}

static void conn_set_deadline(struct kl_http__conn *c, kl_usec_t timeout)
{
        c->deadline_ms = uv_now(c->tcp.loop) + usec_to_ms(timeout);
}

/* ------------------------------------------------------------------------- */
/* Closing */

/* Run the close hooks of an unfinished request; each is removed before it runs. */
static void req_fire_hooks(struct kl_http_req *req, int reason)
{
        kl_http_req_ref(req);
        while (!hooks_empty(&req->hooks) && req->resp != KL_HTTP__RESP_FINISHED) {
                struct kl_http_close_hook *h = req->hooks.next;

                hook_unlink(h);
                h->fn(req, reason, h->userdata);
        }
        kl_http_req_unref(req);
}

/* Forget a request the handler never saw (a parse error, a time-out, a close). */
static void conn_drop_request(struct kl_http__conn *c)
{
        struct kl_http_req *req = c->req;

        if (!req)
                return;
        kl_assert(!req->dispatched);
        c->req = NULL;
        c->in_body = false;
        req->resp = KL_HTTP__RESP_FINISHED;
        kl_http_req_unref(req);
}

static void conn_on_handle_closed(uv_handle_t *h)
{
        struct kl_http__conn *c = h->data;
        struct kl_http_server *s = c->server;

        kl_assert(c->pending_closes > 0);
        if (--c->pending_closes > 0)
                return;
        link_remove(&c->link);
        s->n_conns--;
        SSL_free(c->ssl);
        c->ssl = NULL;
        kl_buf_release(&c->pending);
        kl_http__parser_release(&c->parser);
        server_check_closed(s);
        conn_unref(c);
}

void kl_http__conn_close(struct kl_http__conn *c, int reason)
{
        struct kl_http_req *req = c->req;

        if (c->closing)
                return;
        kl_log_debug(KL_LOG_HTTP, "close connection peer=%s reason=%s", c->peer,
                     reason ? kl_err_name(reason) : "none");
        c->closing = true;
        conn_ref(c);
        if (req && req->dispatched)
                req_fire_hooks(req, reason && reason != -ESHUTDOWN ? reason : -ECONNRESET);
        else
                conn_drop_request(c);
        if (c->ws)
                kl_http__ws_conn_closed(c->ws);
        c->reading = false;
        c->pending_closes = 2;
        uv_close((uv_handle_t *)&c->tcp, conn_on_handle_closed);
        uv_close((uv_handle_t *)&c->timer, conn_on_handle_closed);
        conn_unref(c);
}

static int tls_flush(struct kl_http__conn *c);

static void conn_on_shutdown(uv_shutdown_t *sr, int status)
{
        struct kl_http__conn *c = kl_container_of(sr, struct kl_http__conn, shutdown_req);

        if (!c->closing) {
                if (status < 0 || c->peer_eof) {
                        kl_http__conn_close(c, 0);
                } else {
                        conn_set_deadline(c, LINGER_MS * KL_USEC_PER_MSEC);
                        kl_http__conn_arm_timer(c);
                        conn_update_reading(c);
                }
        }
        conn_unref(c);
}

/*
 * The graceful end of a connection, one step at a time: wait for queued
 * writes, send TLS close_notify and wait for it too, shut the write side
 * down, read until EOF or LINGER_MS, close. Called again whenever the write
 * queue empties.
 */
static void conn_linger_step(struct kl_http__conn *c)
{
        int r;

        if (c->closing || c->writes > 0 || c->shutdown_started)
                return;
        if (c->ssl && !c->tls_close_sent) {
                c->tls_close_sent = true;
                ERR_clear_error();
                (void)SSL_shutdown(c->ssl);
                if (tls_flush(c) < 0 || c->writes > 0)
                        return;
        }
        if (c->peer_eof) {
                kl_http__conn_close(c, 0);
                return;
        }
        r = uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, conn_on_shutdown);
        if (r < 0) {
                kl_http__conn_close(c, 0);
                return;
        }
        c->shutdown_started = true;
        conn_ref(c);
        kl_http__conn_arm_timer(c);
}

void kl_http__conn_close_after_write(struct kl_http__conn *c)
{
        if (c->closing || c->state == KL_HTTP__CONN_LINGER)
                return;
        c->state = KL_HTTP__CONN_LINGER;
        c->close_after = true;
        kl_http__conn_arm_timer(c);
        conn_linger_step(c);
}

/* ------------------------------------------------------------------------- */
/* Writing */

struct conn_write {
        uv_write_t w;
        struct kl_http__conn *c; /* ref */
        size_t len;              /* bytes counted in c->out_queued */
        void *take;              /* owned: a caller's buffer written in place, or NULL */
        uv_buf_t bufs[2];
        char data[]; /* the copied bytes */
};

/* The response is complete and written: on to the next request. */
static void conn_response_written(struct kl_http__conn *c)
{
        if (c->close_after) {
                kl_http__conn_close_after_write(c);
                return;
        }
        c->state = KL_HTTP__CONN_READING;
        conn_set_deadline(c, c->server->limits.idle_timeout);
        kl_http__conn_arm_timer(c);
        conn_resume_input(c);
}

static void conn_on_write(uv_write_t *w, int status)
{
        struct conn_write *blk = kl_container_of(w, struct conn_write, w);
        struct kl_http__conn *c = blk->c;

        kl_assert(c->writes > 0 && c->out_queued >= blk->len);
        c->writes--;
        c->out_queued -= blk->len;
        free(blk->take);
        free(blk);
        if (c->closing) {
                conn_unref(c);
                return;
        }
        if (status < 0) {
                kl_http__conn_close(c, -ECONNRESET);
                conn_unref(c);
                return;
        }
        kl_http__conn_arm_timer(c);
        if (c->writes == 0) {
                switch (c->state) {
                case KL_HTTP__CONN_DRAINING:
                        conn_response_written(c);
                        break;
                case KL_HTTP__CONN_LINGER:
                        conn_linger_step(c);
                        break;
                case KL_HTTP__CONN_HANDLING:
                        if (c->req && c->req->drain_cb)
                                c->req->drain_cb(c->req, c->req->drain_userdata);
                        break;
                case KL_HTTP__CONN_UPGRADED:
                        /* After the 101: frames that arrived with the upgrade request. */
                        conn_resume_input(c);
                        break;
                default:
                        break;
                }
        }
        conn_unref(c);
}

static int raw_write(struct kl_http__conn *c, const uv_buf_t *pieces, size_t n, void *take,
                     size_t take_len)
{
        struct conn_write *blk;
        size_t copy = 0, off = 0;
        unsigned nbufs = 0;
        int r;

        for (size_t i = 0; i < n; i++)
                copy += pieces[i].len;
        blk = kl_malloc(sizeof(*blk) + copy);
        for (size_t i = 0; i < n; i++) {
                if (pieces[i].len)
                        memcpy(blk->data + off, pieces[i].base, pieces[i].len);
                off += pieces[i].len;
        }
        if (copy)
                blk->bufs[nbufs++] = uv_buf_init(blk->data, (unsigned)copy);
        if (take_len)
                blk->bufs[nbufs++] = uv_buf_init(take, (unsigned)take_len);
        blk->take = take;
        blk->len = copy + take_len;
        blk->c = c;
        r = uv_write(&blk->w, (uv_stream_t *)&c->tcp, blk->bufs, nbufs, conn_on_write);
        if (r < 0) {
                free(blk->take);
                free(blk);
                kl_http__conn_close(c, -ECONNRESET);
                return -ECONNRESET;
        }
        conn_ref(c);
        c->writes++;
        c->out_queued += blk->len;
        return 0;
}

/*
 * Write `len` bytes at once when that needs no bookkeeping afterwards: a
 * response or a watch event usually fits the socket's buffer, and a write
 * that libuv finishes at once still costs a write request, a completion
 * callback on the next turn and an epoll_ctl() (libuv drops its interest in
 * POLLOUT after every completed queue). Only while a request is handled
 * with nothing else in flight, and not for streams that wait for their
 * drain callback (it would never come). Returns the bytes written; the
 * caller queues the rest (errors included: uv_write() reports them).
 */
static size_t write_now(struct kl_http__conn *c, char *data, size_t len)
{
        uv_buf_t b = uv_buf_init(data, (unsigned)KL_MIN(len, (size_t)UINT32_MAX / 2));
        int n;

        if (c->writes > 0 || c->state != KL_HTTP__CONN_HANDLING || !c->req || c->req->drain_cb)
                return 0;
        n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
        return n > 0 ? (size_t)n : 0;
}

/* Move everything OpenSSL has encrypted into the socket, or uv_write()s. */
static int tls_flush(struct kl_http__conn *c)
{
        for (;;) {
                size_t n = BIO_ctrl_pending(c->wbio), done;
                struct conn_write *blk;
                int got, r;

                if (n == 0)
                        return 0;
                if (n > UINT32_MAX / 2)
                        n = UINT32_MAX / 2;
                blk = kl_malloc(sizeof(*blk) + n);
                got = BIO_read(c->wbio, blk->data, (int)n);
                if (got <= 0) {
                        free(blk);
                        kl_http__conn_close(c, -EIO);
                        return -ECONNRESET;
                }
                done = write_now(c, blk->data, (size_t)got);
                if (done == (size_t)got) {
                        free(blk);
                        continue;
                }
                blk->bufs[0] = uv_buf_init(blk->data + done, (unsigned)((size_t)got - done));
                blk->take = NULL;
                blk->len = (size_t)got - done;
                blk->c = c;
                r = uv_write(&blk->w, (uv_stream_t *)&c->tcp, blk->bufs, 1, conn_on_write);
                if (r < 0) {
                        free(blk);
                        kl_http__conn_close(c, -ECONNRESET);
                        return -ECONNRESET;
                }
                conn_ref(c);
                c->writes++;
                c->out_queued += blk->len;
        }
}

/*
 * Encrypt `data` into the memory BIO. What is pending is flushed whenever a
 * slice's worth has gathered (the BIO's bound); the rest waits for the
 * caller's tls_flush(), so a response's records leave in one socket write.
 */
static int tls_write(struct kl_http__conn *c, const char *data, size_t len)
{
        while (len > 0) {
                size_t n = KL_MIN(len, TLS_WRITE_SLICE);
                int r;

                ERR_clear_error();
                r = SSL_write(c->ssl, data, (int)n);
                if (r <= 0 || KL_FAULT("http.tls.write") < 0) {
                        /* A memory BIO never pushes back, so any failure is fatal. */
                        kl_http__conn_close(c, -EIO);
                        return -ECONNRESET;
                }
                data += r;
                len -= (size_t)r;
                if (BIO_ctrl_pending(c->wbio) >= TLS_WRITE_SLICE) {
                        r = tls_flush(c);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/*
 * Queue `pieces` (copied into one block) followed by `take` (written in
 * place and freed afterwards; freed on every path). The bytes leave in order
 * with everything queued before; -ECONNRESET if the connection is gone.
 */
/* Up to this many bytes are copied into one TLS record (a record holds 16 KiB). */
#define TLS_COALESCE_MAX 16384

static int conn_writev(struct kl_http__conn *c, const uv_buf_t *pieces, size_t n, void *take,
                       size_t take_len)
{
        size_t total = take_len;
        bool take_too;
        int r = 0;

        for (size_t i = 0; i < n; i++)
                total += pieces[i].len;
        if (c->closing || total == 0) {
                free(take);
                return c->closing ? -ECONNRESET : 0;
        }
        if (!c->ssl)
                return raw_write(c, pieces, n, take, take_len);
        take_too = take_len > 0 && total <= TLS_COALESCE_MAX;
        if (n + take_too > 1 && total - (take_too ? 0 : take_len) <= TLS_COALESCE_MAX) {
                /*
                 * A chunk is three pieces (size line, data, CRLF), a small
                 * answer two (head, body): written one by one they become
                 * as many TLS records, each with its own header and tag, per
                 * watcher per event or per GET. Small pieces (and a small
                 * body with them) go out as one record.
                 */
                char one[TLS_COALESCE_MAX];
                size_t o = 0;

                for (size_t i = 0; i < n; i++) {
                        if (pieces[i].len == 0)
                                continue; /* an empty piece may have no base */
                        memcpy(one + o, pieces[i].base, pieces[i].len);
                        o += pieces[i].len;
                }
                if (take_too) {
                        memcpy(one + o, take, take_len);
                        o += take_len;
                        take_len = 0;
                }
                r = tls_write(c, one, o);
                n = 0;
        }
        for (size_t i = 0; i < n && r >= 0; i++)
                r = tls_write(c, pieces[i].base, pieces[i].len);
        if (r >= 0 && take_len)
                r = tls_write(c, take, take_len);
        free(take);
        /* Everything encrypted above leaves in one socket write. */
        if (r >= 0)
                r = tls_flush(c);
        return r;
}

size_t kl_http__conn_unsent(const struct kl_http__conn *c)
{
        /*
         * What libuv still holds, not what is merely awaiting its write
         * callback: bytes already in the kernel's send buffer are sent as far
         * as a slow-client check is concerned.
         */
        if (c->closing)
                return 0;
        return uv_stream_get_write_queue_size((const uv_stream_t *)&c->tcp);
}

int kl_http__conn_send(struct kl_http__conn *c, const void *a, size_t a_len, const void *b,
                       size_t b_len)
{
        uv_buf_t pieces[2] = { uv_buf_init((char *)a, (unsigned)a_len),
                               uv_buf_init((char *)b, (unsigned)b_len) };

        return conn_writev(c, pieces, 2, NULL, 0);
}

/* ------------------------------------------------------------------------- */
/* Requests: start, dispatch, finish */

static void conn_begin_request(struct kl_http__conn *c)
{
        struct kl_http_req *req = kl_new0(struct kl_http_req);

        req->refs = 1; /* the obligation to finish it */
        req->conn = conn_ref(c);
        kl_pool_init(&req->pool, 0);
        hooks_init(&req->hooks);
        kl_buf_init(&req->msg.body, 0);
        kl_http__parser_start(&c->parser, &req->msg, &req->pool);
        c->req = req;
        c->in_body = false;
}

void kl_http__req_finish(struct kl_http_req *req)
{
        struct kl_http__conn *c = req->conn;

        if (req->resp == KL_HTTP__RESP_FINISHED)
                return;
        req->resp = KL_HTTP__RESP_FINISHED;
        /* Hooks never run after the request is finished: forget them all. */
        for (struct kl_http_close_hook *h = req->hooks.next, *next; h != &req->hooks; h = next) {
                next = h->next;
                h->next = h->prev = NULL;
        }
        hooks_init(&req->hooks);
        req->drain_cb = NULL;
        /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): the request's own reference keeps c alive. */
        conn_ref(c);
        if (c->req == req) {
                c->req = NULL;
                if (!c->closing && c->state == KL_HTTP__CONN_HANDLING) {
                        if (c->close_after) {
                                kl_http__conn_close_after_write(c);
                        } else if (c->writes > 0) {
                                c->state = KL_HTTP__CONN_DRAINING;
                                kl_http__conn_arm_timer(c);
                        } else {
                                /* Nothing left to write (a HEAD stream ended): next request. */
                                conn_response_written(c);
                        }
                }
        }
        kl_http_req_unref(req);
        /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): the reference taken above keeps c alive. */
        conn_unref(c);
}

static void conn_dispatch(struct kl_http__conn *c)
{
        struct kl_http_server *s = c->server;
        struct kl_http_req *req = c->req;

        c->state = KL_HTTP__CONN_HANDLING;
        c->in_body = false;
        req->dispatched = true;
        if (!(req->msg.flags & KL_HTTP__MSG_KEEP_ALIVE) || s->closing)
                c->close_after = true;
        kl_http__conn_arm_timer(c);
        kl_log_trace(KL_LOG_HTTP, "request %s %s peer=%s", req->msg.method, req->msg.target,
                     c->peer);
        if (s->handler)
                s->handler(req, s->userdata);
        else
                (void)kl_http_respond_status(req, 404);
}

/* A complete response for a request we refuse; then the connection ends. */
static void conn_error_response(struct kl_http__conn *c, int status)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        const char *text = kl_http_status_text(status);

        conn_drop_request(c);
        (void)kl_buf_printf(&b,
                            "HTTP/1.1 %d %s\r\nDate: %s\r\n"
                            "Content-Type: text/plain; charset=utf-8\r\n"
                            "Content-Length: %zu\r\nConnection: close\r\n\r\n%d %s\n",
                            status, text, server_date(c->server), strlen(text) + 5, status, text);
        c->close_after = true;
        (void)kl_http__conn_send(c, b.buf, b.len, NULL, 0);
        kl_http__conn_close_after_write(c);
}

/* The head is in: things to do before the body (RFC 9110 §10.1.1). */
static void conn_head_done(struct kl_http__conn *c)
{
        const struct kl_http__msg *m = &c->req->msg;
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

        c->in_body = true;
        conn_set_deadline(c, c->server->limits.body_timeout);
        kl_http__conn_arm_timer(c);
        if ((m->flags & KL_HTTP__MSG_EXPECT_CONTINUE) && m->version_minor == 1 &&
            ((m->flags & KL_HTTP__MSG_CHUNKED) || m->content_length > 0))
                (void)kl_http__conn_send(c, cont, sizeof(cont) - 1, NULL, 0);
}

/* ------------------------------------------------------------------------- */
/* Reading */

static bool conn_busy(const struct kl_http__conn *c)
{
        switch (c->state) {
        case KL_HTTP__CONN_HANDLING:
        case KL_HTTP__CONN_DRAINING:
                return true;
        case KL_HTTP__CONN_UPGRADED:
                return c->ws && c->ws->paused;
        default:
                return false;
        }
}

static void conn_update_reading(struct kl_http__conn *c)
{
        bool want = !c->closing && !c->peer_eof && c->pending.len < PENDING_SOFT_MAX &&
                    !(c->state == KL_HTTP__CONN_UPGRADED && c->ws && c->ws->paused);

        if (want == c->reading)
                return;
        if (!want) {
                (void)uv_read_stop((uv_stream_t *)&c->tcp);
                c->reading = false;
                return;
        }
        if (uv_read_start((uv_stream_t *)&c->tcp, conn_on_alloc, conn_on_read) < 0) {
                kl_http__conn_close(c, -ECONNRESET);
                return;
        }
        c->reading = true;
}

void kl_http__conn_set_paused(struct kl_http__conn *c, bool paused)
{
        if (!paused)
                conn_resume_input(c);
        else
                conn_update_reading(c);
}

/* Keep input that cannot be processed now; bounded by PENDING_MAX. */
static void conn_stash(struct kl_http__conn *c, const char *data, size_t len)
{
        /* After "Connection: close" nothing more is read as requests (RFC 9112 §9.6). */
        if (c->close_after && c->state != KL_HTTP__CONN_UPGRADED)
                return;
        if (kl_buf_append(&c->pending, data, len) < 0) {
                kl_http__conn_close(c, -ENOBUFS);
                return;
        }
        conn_update_reading(c);
}

static void conn_process(struct kl_http__conn *c, const char *data, size_t len)
{
        kl_assert(!c->in_process);
        c->in_process = true;
        while (len > 0 && !c->closing) {
                size_t used = 0;
                int r;

                switch (c->state) {
                case KL_HTTP__CONN_READING:
                        if (!c->req) {
                                conn_begin_request(c);
                                conn_set_deadline(c, c->server->limits.header_timeout);
                        }
                        for (;;) {
                                bool was_started = c->parser.started;

                                r = kl_http__parser_feed(&c->parser, data, len, &used);
                                data += used;
                                len -= used;
                                if (!was_started && c->parser.started)
                                        kl_http__conn_arm_timer(c);
                                if (r < 0) {
                                        kl_log_debug(KL_LOG_HTTP, "bad request peer=%s: %s",
                                                     c->peer, c->parser.error);
                                        conn_error_response(c, c->parser.status);
                                        len = 0;
                                        break;
                                }
                                if (r == KL_HTTP__PARSE_HEAD_DONE) {
                                        conn_head_done(c);
                                        if (c->closing)
                                                break;
                                        continue;
                                }
                                if (r == KL_HTTP__PARSE_DONE)
                                        conn_dispatch(c);
                                break;
                        }
                        break;
                case KL_HTTP__CONN_UPGRADED:
                        if (!c->ws || c->ws->paused) {
                                conn_stash(c, data, len);
                                len = 0;
                                break;
                        }
                        kl_http__ws_input(c->ws, data, len, &used);
                        data += used;
                        len -= used;
                        break;
                case KL_HTTP__CONN_HANDLING:
                case KL_HTTP__CONN_DRAINING:
                        conn_stash(c, data, len);
                        len = 0;
                        break;
                case KL_HTTP__CONN_LINGER:
                case KL_HTTP__CONN_HANDSHAKE:
                        len = 0;
                        break;
                }
        }
        c->in_process = false;
}

/* Plaintext from the socket or from SSL_read(). The bytes are borrowed for the call. */
static void conn_input(struct kl_http__conn *c, const char *data, size_t len)
{
        if (c->pending.len > 0 || conn_busy(c)) {
                conn_stash(c, data, len);
                return;
        }
        conn_process(c, data, len);
}

/* Process what was kept while busy, then read again. */
static void conn_resume_input(struct kl_http__conn *c)
{
        if (c->in_process)
                return; /* the conn_process() on the stack carries on by itself */
        conn_ref(c);
        while (!c->closing && c->pending.len > 0 && !conn_busy(c)) {
                struct kl_buf b = c->pending;

                kl_buf_init(&c->pending, PENDING_MAX);
                conn_process(c, b.buf, b.len);
                kl_buf_release(&b);
        }
        if (!c->closing && c->ssl && !conn_busy(c))
                conn_tls_pump(c);
        if (!c->closing)
                conn_update_reading(c);
        conn_unref(c);
}

static void conn_on_eof(struct kl_http__conn *c)
{
        c->peer_eof = true;
        switch (c->state) {
        case KL_HTTP__CONN_DRAINING:
                /* The response is complete and on its way; end after it. */
                conn_update_reading(c);
                kl_http__conn_close_after_write(c);
                break;
        case KL_HTTP__CONN_LINGER:
                conn_update_reading(c);
                if (c->shutdown_started)
                        kl_http__conn_close(c, 0);
                break;
        default:
                /* Mid-request, or a handler still working: the client is gone. */
                kl_http__conn_close(c, -ECONNRESET);
                break;
        }
}

static void conn_tls_pump(struct kl_http__conn *c)
{
        if (c->state == KL_HTTP__CONN_HANDSHAKE) {
                int r;

                ERR_clear_error();
                r = SSL_do_handshake(c->ssl);
                if (r != 1) {
                        int e = SSL_get_error(c->ssl, r);

                        /* Send what there is: more handshake, or the alert. */
                        (void)tls_flush(c);
                        if (e != SSL_ERROR_WANT_READ && !c->closing) {
                                kl_log_debug(KL_LOG_HTTP, "TLS handshake failed peer=%s", c->peer);
                                ERR_clear_error();
                                kl_http__conn_close(c, -EPROTO);
                        }
                        return;
                }
                kl_http__tls_peer_identity(c->ssl, &c->cert);
                c->state = KL_HTTP__CONN_READING;
                kl_http__conn_arm_timer(c);
                if (tls_flush(c) < 0)
                        return;
        }
        while (!c->closing && c->pending.len < PENDING_SOFT_MAX &&
               c->state != KL_HTTP__CONN_LINGER) {
                char *buf = c->server->tls_buf;
                int n, e;

                ERR_clear_error();
                n = SSL_read(c->ssl, buf, (int)sizeof(c->server->tls_buf));
                if (n > 0) {
                        conn_input(c, buf, (size_t)n);
                        continue;
                }
                e = SSL_get_error(c->ssl, n);
                if (e == SSL_ERROR_WANT_READ)
                        break;
                ERR_clear_error();
                if (e == SSL_ERROR_ZERO_RETURN)
                        conn_on_eof(c); /* close_notify */
                else
                        kl_http__conn_close(c, -EPROTO);
                return;
        }
        /* TLS 1.3 sends session tickets and key updates on its own schedule. */
        if (!c->closing)
                (void)tls_flush(c);
}

static void conn_on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
        struct kl_http__conn *c = h->data;

        (void)suggested;
        /*
         * One buffer for every connection: libuv calls alloc, read and the read
         * callback back to back on this thread, and the read callback copies
         * whatever it keeps, so idle connections hold no read buffer at all.
         */
        *buf = uv_buf_init(c->server->read_buf, sizeof(c->server->read_buf));
}

static void conn_on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
        struct kl_http__conn *c = st->data;

        if (nread == 0 || c->closing)
                return; /* 0: EAGAIN, nothing happened */
        conn_ref(c);
        if (nread < 0) {
                if (nread == UV_EOF)
                        conn_on_eof(c);
                else
                        kl_http__conn_close(c, -ECONNRESET);
        } else if (c->state == KL_HTTP__CONN_LINGER) {
                /* Discarded: we only wait for EOF. */
        } else if (c->ssl) {
                if (BIO_write(c->rbio, buf->base, (int)nread) != (int)nread)
                        kl_http__conn_close(c, -EIO);
                else
                        conn_tls_pump(c);
        } else {
                conn_input(c, buf->base, (size_t)nread);
        }
        conn_unref(c);
}

static void conn_on_timer(uv_timer_t *t)
{
        struct kl_http__conn *c = t->data;

        if (c->closing)
                return;
        conn_ref(c);
        switch (c->timer_kind) {
        case TIMER_HEADER:
        case TIMER_BODY:
                kl_log_debug(KL_LOG_HTTP, "request time-out peer=%s", c->peer);
                conn_error_response(c, 408);
                break;
        case TIMER_WRITE:
                kl_http__conn_close(c, -ETIMEDOUT);
                break;
        default:
                kl_http__conn_close(c, 0);
                break;
        }
        conn_unref(c);
}

/* ------------------------------------------------------------------------- */
/* Accepting */

static void format_peer(struct kl_http__conn *c)
{
        struct sockaddr_storage ss;
        int len = sizeof(ss);
        char ip[INET6_ADDRSTRLEN] = "?";

        snprintf(c->peer, sizeof(c->peer), "?");
        if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) < 0)
                return;
        if (ss.ss_family == AF_INET) {
                const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;

                (void)uv_ip4_name(a, ip, sizeof(ip));
                snprintf(c->peer, sizeof(c->peer), "%s:%u", ip, ntohs(a->sin_port));
        } else if (ss.ss_family == AF_INET6) {
                const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;

                (void)uv_ip6_name(a, ip, sizeof(ip));
                snprintf(c->peer, sizeof(c->peer), "[%s]:%u", ip, ntohs(a->sin6_port));
        }
}

static int conn_setup_tls(struct kl_http__conn *c)
{
        c->ssl = SSL_new(c->server->ssl_ctx);
        if (!c->ssl)
                return -ENOMEM;
        c->rbio = BIO_new(BIO_s_mem());
        c->wbio = BIO_new(BIO_s_mem());
        if (!c->rbio || !c->wbio) {
                BIO_free(c->rbio);
                BIO_free(c->wbio);
                c->rbio = c->wbio = NULL;
                return -ENOMEM;
        }
        /* An empty read BIO means "more to come", never EOF: EOF comes from the socket. */
        BIO_set_mem_eof_return(c->rbio, -1);
        SSL_set_bio(c->ssl, c->rbio, c->wbio);
        SSL_set_accept_state(c->ssl);
        return 0;
}

static void server_on_connection(uv_stream_t *l, int status)
{
        struct kl_http_server *s = l->data;
        struct kl_http__conn *c;
        int r;

        if (status < 0) {
                kl_log_debug(KL_LOG_HTTP, "accept: %s", uv_strerror(status));
                return;
        }
        if (s->closing)
                return;
        c = kl_new0(struct kl_http__conn);
        c->server = server_ref(s);
        c->refs = 1; /* the handles' */
        kl_buf_init(&c->pending, PENDING_MAX);
        kl_http__parser_init(&c->parser, &s->limits);
        /* Neither can fail for an initialised loop. */
        r = uv_tcp_init(s->loop, &c->tcp);
        kl_assert(r == 0);
        r = uv_timer_init(s->loop, &c->timer);
        kl_assert(r == 0);
        c->tcp.data = c;
        c->timer.data = c;
        link_add_tail(&s->conns, &c->link);
        s->n_conns++;
        snprintf(c->peer, sizeof(c->peer), "?");

        r = uv_accept(l, (uv_stream_t *)&c->tcp);
        if (r < 0 || s->n_conns > s->limits.max_connections) {
                kl_log_debug(KL_LOG_HTTP, "refusing connection: %s",
                             r < 0 ? uv_strerror(r) : "too many connections");
                kl_http__conn_close(c, 0);
                return;
        }
        format_peer(c);
        (void)uv_tcp_nodelay(&c->tcp, 1);
        /* Finds clients that vanished without a FIN (a watch may be silent for minutes). */
        (void)uv_tcp_keepalive(&c->tcp, 1, 30);
        conn_set_deadline(c, s->limits.header_timeout);
        if (s->ssl_ctx) {
                if (conn_setup_tls(c) < 0) {
                        kl_http__conn_close(c, -ENOMEM);
                        return;
                }
                c->state = KL_HTTP__CONN_HANDSHAKE;
        } else {
                c->state = KL_HTTP__CONN_READING;
        }
        kl_http__conn_arm_timer(c);
        conn_update_reading(c);
}

/* ------------------------------------------------------------------------- */
/* Server */

int kl_http_server_new(uv_loop_t *loop, const struct kl_http_server_config *cfg,
                       struct kl_http_server **ret, struct kl_err **err)
{
        struct kl_http_server *s;
        SSL_CTX *ctx = NULL;
        int r;

        kl_loop_assert_loop_thread(loop);
        if (cfg->tls) {
                r = kl_http__tls_ctx_new(cfg->tls, &ctx, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "http server");
        }
        s = kl_new0(struct kl_http_server);
        s->loop = loop;
        s->refs = 1;
        s->handler = cfg->handler;
        s->userdata = cfg->userdata;
        s->ssl_ctx = ctx;
        s->port = -ENOTCONN;
        s->date_sec = -1;
        kl_http__limits_fill(&s->limits, &cfg->limits);
        link_init(&s->conns);
        /* Neither can fail for an initialised loop (AF_UNSPEC creates no socket yet). */
        r = uv_tcp_init(loop, &s->listener);
        kl_assert(r == 0);
        r = uv_timer_init(loop, &s->grace_timer);
        kl_assert(r == 0);
        s->listener.data = s;
        s->grace_timer.data = s;
        *ret = s;
        return 0;
}

int kl_http_server_listen(struct kl_http_server *s, const char *address, uint16_t port,
                          struct kl_err **err)
{
        struct sockaddr_storage ss;
        int len = sizeof(ss), r;

        kl_loop_assert_loop_thread(s->loop);
        if (s->listening || s->closing)
                return kl_err_set(err, -EBUSY, "http server already listening or closing");
        if (strchr(address, ':'))
                r = uv_ip6_addr(address, port, (struct sockaddr_in6 *)&ss);
        else
                r = uv_ip4_addr(address, port, (struct sockaddr_in *)&ss);
        if (r < 0)
                return kl_err_set(err, -EINVAL, "listen: '%s' is not an IP address", address);
        r = uv_tcp_bind(&s->listener, (const struct sockaddr *)&ss, 0);
        /* libuv reports some bind errors (EADDRINUSE) only at listen time. */
        if (r >= 0)
                r = uv_listen((uv_stream_t *)&s->listener, 511, server_on_connection);
        if (r < 0)
                return kl_err_set(err, r, "listen on '%s' port %u", address, (unsigned)port);
        r = uv_tcp_getsockname(&s->listener, (struct sockaddr *)&ss, &len);
        if (r < 0)
                return kl_err_set(err, r, "listen on '%s': getsockname", address);
        s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
        s->listening = true;
        kl_log_debug(KL_LOG_HTTP, "listening on %s port %d%s", address, s->port,
                     s->ssl_ctx ? " (TLS)" : "");
        return 0;
}

int kl_http_server_port(const struct kl_http_server *s)
{
        return s->port;
}

unsigned kl_http_server_connections(const struct kl_http_server *s)
{
        return s->n_conns;
}

bool kl_http_server_is_closing(const struct kl_http_server *s)
{
        return s->closing;
}

static void server_on_handle_closed(uv_handle_t *h)
{
        struct kl_http_server *s = h->data;

        kl_assert(s->pending_closes > 0);
        if (--s->pending_closes > 0)
                return;
        if (s->closed_cb)
                s->closed_cb(s, s->closed_userdata);
        server_unref(s);
}

static void server_check_closed(struct kl_http_server *s)
{
        if (!s->closing || s->n_conns > 0 || uv_is_closing((uv_handle_t *)&s->grace_timer))
                return;
        /* The last connection is gone: the timer goes last, so closed_cb runs after everything. */
        uv_close((uv_handle_t *)&s->grace_timer, server_on_handle_closed);
}

/* Begin the graceful end of one connection (kl_http_server_close()). */
static void conn_shutdown(struct kl_http__conn *c)
{
        if (c->closing)
                return;
        conn_ref(c);
        switch (c->state) {
        case KL_HTTP__CONN_HANDSHAKE:
                kl_http__conn_close(c, 0);
                break;
        case KL_HTTP__CONN_READING:
                if (!c->req || !c->parser.started)
                        kl_http__conn_close(c, 0); /* idle */
                else
                        c->close_after = true; /* let the request arrive, answer, close */
                break;
        case KL_HTTP__CONN_HANDLING:
                c->close_after = true;
                if (c->req && !c->shutdown_notified) {
                        c->shutdown_notified = true;
                        req_fire_hooks(c->req, -ESHUTDOWN);
                }
                break;
        case KL_HTTP__CONN_DRAINING:
                c->close_after = true;
                kl_http__conn_close_after_write(c);
                break;
        case KL_HTTP__CONN_UPGRADED:
                if (c->ws)
                        kl_http__ws_shutdown(c->ws);
                else
                        kl_http__conn_close_after_write(c);
                break;
        case KL_HTTP__CONN_LINGER:
                break;
        }
        conn_unref(c);
}

static void server_on_grace(uv_timer_t *t)
{
        struct kl_http_server *s = t->data;
        struct kl_http__link *l, *next;

        /* Closing does not unlink (that waits for the close callbacks): safe to walk. */
        for (l = s->conns.next; l != &s->conns; l = next) {
                next = l->next;
                kl_http__conn_close(kl_container_of(l, struct kl_http__conn, link), -ECONNRESET);
        }
}

void kl_http_server_close(struct kl_http_server *s, kl_usec_t grace, kl_http_server_closed_fn *cb,
                          void *userdata)
{
        struct kl_http__link *l, *next;

        kl_loop_assert_loop_thread(s->loop);
        kl_assert(!s->closing);
        s->closing = true;
        s->closed_cb = cb;
        s->closed_userdata = userdata;
        /* Both closes are expected now, though the timer's starts only when the connections are
         * gone. */
        s->pending_closes = 2;
        uv_close((uv_handle_t *)&s->listener, server_on_handle_closed);
        server_ref(s);
        for (l = s->conns.next; l != &s->conns; l = next) {
                next = l->next;
                conn_shutdown(kl_container_of(l, struct kl_http__conn, link));
        }
        if (s->n_conns > 0) {
                if (grace > 0)
                        (void)uv_timer_start(&s->grace_timer, server_on_grace, usec_to_ms(grace),
                                             0);
                else
                        server_on_grace(&s->grace_timer);
        }
        server_check_closed(s);
        server_unref(s);
}

/* ------------------------------------------------------------------------- */
/* Request accessors */

const char *kl_http_req_method(const struct kl_http_req *req)
{
        return req->msg.method;
}

const char *kl_http_req_target(const struct kl_http_req *req)
{
        return req->msg.target;
}

const char *kl_http_req_path(const struct kl_http_req *req)
{
        return req->msg.path;
}

const char *kl_http_req_query(const struct kl_http_req *req)
{
        return req->msg.query;
}

unsigned kl_http_req_version_minor(const struct kl_http_req *req)
{
        return req->msg.version_minor;
}

const char *kl_http_req_header(const struct kl_http_req *req, const char *name)
{
        return kl_http__msg_header(&req->msg, name);
}

const struct kl_http_header *kl_http_req_headers(const struct kl_http_req *req, size_t *ret_n)
{
        *ret_n = req->msg.n_headers;
        return req->msg.headers;
}

const char *kl_http_req_body(const struct kl_http_req *req, size_t *ret_len)
{
        if (ret_len)
                *ret_len = req->msg.body.len;
        return req->msg.body.buf;
}

struct kl_pool *kl_http_req_pool(struct kl_http_req *req)
{
        return &req->pool;
}

const char *kl_http_req_peer(const struct kl_http_req *req)
{
        return req->conn->peer;
}

bool kl_http_req_is_tls(const struct kl_http_req *req)
{
        return req->conn->server->ssl_ctx != NULL;
}

bool kl_http_req_is_connected(const struct kl_http_req *req)
{
        return !req->conn->closing;
}

const struct kl_http_client_cert *kl_http_req_client_cert(const struct kl_http_req *req)
{
        return req->conn->cert.present ? &req->conn->cert.pub : NULL;
}

size_t kl_http_req_output_queued(const struct kl_http_req *req)
{
        return kl_http__conn_unsent(req->conn);
}

void kl_http_req_set_drain_cb(struct kl_http_req *req, kl_http_drain_fn *fn, void *userdata)
{
        req->drain_cb = fn;
        req->drain_userdata = userdata;
}

int kl_http_req_add_close_hook(struct kl_http_req *req, struct kl_http_close_hook *hook,
                               kl_http_close_fn *fn, void *userdata)
{
        kl_loop_assert_loop_thread(req->conn->tcp.loop);
        if (req->resp == KL_HTTP__RESP_FINISHED)
                return -EALREADY;
        if (req->conn->closing)
                return -ECONNRESET;
        if (req->conn->server->closing)
                return -ESHUTDOWN;
        kl_assert(!hook->next); /* zeroed, or removed/run before */
        hook->fn = fn;
        hook->userdata = userdata;
        hook->prev = req->hooks.prev;
        hook->next = &req->hooks;
        req->hooks.prev->next = hook;
        req->hooks.prev = hook;
        return 0;
}

void kl_http_close_hook_remove(struct kl_http_close_hook *hook)
{
        if (hook->next)
                hook_unlink(hook);
}

/* ------------------------------------------------------------------------- */
/* Responses */

static bool is_header_value(const char *v)
{
        for (; *v; v++) {
                unsigned char c = (unsigned char)*v;

                if (c != '\t' && (c < 0x20 || c == 0x7f))
                        return false;
        }
        return true;
}

int kl_http_resp_add_header(struct kl_http_req *req, const char *name, const char *value)
{
        static const char *const reserved[] = { "Content-Length", "Transfer-Encoding", "Connection",
                                                "Date" };

        if (req->resp != KL_HTTP__RESP_NONE)
                return -EALREADY;
        if (!kl_http__is_token(name) || !is_header_value(value))
                return -EINVAL;
        for (size_t i = 0; i < KL_ARRAY_SIZE(reserved); i++)
                if (strcasecmp(name, reserved[i]) == 0)
                        return -EINVAL;
        if (req->n_resp_headers == req->cap_resp_headers) {
                size_t cap = req->cap_resp_headers ? req->cap_resp_headers * 2 : 8;
                struct kl_http_header *h = kl_pool_alloc(&req->pool, cap * sizeof(*h));

                if (req->n_resp_headers)
                        memcpy(h, req->resp_headers, req->n_resp_headers * sizeof(*h));
                req->resp_headers = h;
                req->cap_resp_headers = cap;
        }
        req->resp_headers[req->n_resp_headers++] = (struct kl_http_header){
                .name = kl_pool_strdup(&req->pool, name),
                .value = kl_pool_strdup(&req->pool, value),
        };
        return 0;
}

enum body_kind {
        BODY_LENGTH,  /* Content-Length */
        BODY_CHUNKED, /* Transfer-Encoding: chunked */
        BODY_CLOSE,   /* delimited by the end of the connection (HTTP/1.0 stream) */
        BODY_NONE,    /* 1xx, 204, 304: no body and no length */
};

static void build_head(struct kl_http_req *req, struct kl_buf *b, int status,
                       const char *content_type, enum body_kind kind, size_t len)
{
        struct kl_http__conn *c = req->conn;

        (void)kl_buf_printf(b, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status,
                            kl_http_status_text(status), server_date(c->server));
        for (size_t i = 0; i < req->n_resp_headers; i++)
                (void)kl_buf_printf(b, "%s: %s\r\n", req->resp_headers[i].name,
                                    req->resp_headers[i].value);
        if (content_type)
                (void)kl_buf_printf(b, "Content-Type: %s\r\n", content_type);
        if (kind == BODY_LENGTH)
                (void)kl_buf_printf(b, "Content-Length: %zu\r\n", len);
        else if (kind == BODY_CHUNKED)
                (void)kl_buf_puts(b, "Transfer-Encoding: chunked\r\n");
        if (c->close_after)
                (void)kl_buf_puts(b, "Connection: close\r\n");
        else if (req->msg.version_minor == 0)
                (void)kl_buf_puts(b, "Connection: keep-alive\r\n");
        (void)kl_buf_puts(b, "\r\n");
}

static bool status_has_no_body(int status)
{
        return status < 200 || status == 204 || status == 304;
}

static int check_respond(struct kl_http_req *req, int status, const char *content_type)
{
        kl_loop_assert_loop_thread(req->conn->tcp.loop);
        if (req->resp != KL_HTTP__RESP_NONE)
                return -EALREADY;
        if (status < 200 || status > 999)
                return -EINVAL;
        if (content_type && !is_header_value(content_type))
                return -EINVAL;
        /* A refused upgrade leaves the connection in no state to be reused. */
        if (req->msg.flags & KL_HTTP__MSG_UPGRADE_WS)
                req->conn->close_after = true;
        return 0;
}

int kl_http_respond_take(struct kl_http_req *req, int status, const char *content_type, void *body,
                         size_t len)
{
        kl_autofree void *owned = body;
        kl_autobuf struct kl_buf head = KL_BUF_INIT;
        struct kl_http__conn *c = req->conn;
        bool no_body;
        int r;

        r = check_respond(req, status, content_type);
        if (r < 0)
                return r;
        if (c->closing) {
                kl_http__req_finish(req);
                return -ECONNRESET;
        }
        no_body = status_has_no_body(status);
        build_head(req, &head, status, content_type, no_body ? BODY_NONE : BODY_LENGTH, len);
        if (no_body || (req->msg.flags & KL_HTTP__MSG_HEAD))
                r = kl_http__conn_send(c, head.buf, head.len, NULL, 0);
        else
                r = conn_writev(c, &(uv_buf_t){ .base = head.buf, .len = head.len }, 1,
                                KL_TAKE_PTR(owned), len);
        kl_http__req_finish(req);
        return r;
}

int kl_http_respond(struct kl_http_req *req, int status, const char *content_type, const void *body,
                    size_t len)
{
        kl_autobuf struct kl_buf head = KL_BUF_INIT;
        struct kl_http__conn *c = req->conn;
        bool no_body;
        int r;

        r = check_respond(req, status, content_type);
        if (r < 0)
                return r;
        if (c->closing) {
                kl_http__req_finish(req);
                return -ECONNRESET;
        }
        no_body = status_has_no_body(status);
        build_head(req, &head, status, content_type, no_body ? BODY_NONE : BODY_LENGTH, len);
        if (no_body || (req->msg.flags & KL_HTTP__MSG_HEAD))
                len = 0;
        r = kl_http__conn_send(c, head.buf, head.len, body, len);
        kl_http__req_finish(req);
        return r;
}

int kl_http_respond_status(struct kl_http_req *req, int status)
{
        char text[96];
        int n = snprintf(text, sizeof(text), "%d %s\n", status, kl_http_status_text(status));

        return kl_http_respond(req, status, "text/plain; charset=utf-8", text, (size_t)n);
}

int kl_http_stream_start(struct kl_http_req *req, int status, const char *content_type)
{
        kl_autobuf struct kl_buf head = KL_BUF_INIT;
        struct kl_http__conn *c = req->conn;
        enum body_kind kind = BODY_CHUNKED;
        int r;

        r = check_respond(req, status, content_type);
        if (r < 0)
                return r;
        req->resp = KL_HTTP__RESP_STREAMING;
        if (c->closing)
                return -ECONNRESET;
        if (status_has_no_body(status)) {
                kind = BODY_NONE;
                req->stream_no_body = true;
        } else if (req->msg.flags & KL_HTTP__MSG_HEAD) {
                req->stream_no_body = true; /* announce what GET would get, send nothing */
        } else if (req->msg.version_minor == 0) {
                /* HTTP/1.0 has no chunked coding: the body ends with the connection. */
                kind = BODY_CLOSE;
                req->stream_close_delimited = true;
                c->close_after = true;
        }
        build_head(req, &head, status, content_type, kind, 0);
        return kl_http__conn_send(c, head.buf, head.len, NULL, 0);
}

int kl_http_stream_start_sized(struct kl_http_req *req, int status, const char *content_type,
                               uint64_t len)
{
        kl_autobuf struct kl_buf head = KL_BUF_INIT;
        struct kl_http__conn *c = req->conn;
        bool no_body;
        int r;

        r = check_respond(req, status, content_type);
        if (r < 0)
                return r;
        req->resp = KL_HTTP__RESP_STREAMING;
        req->stream_sized = true;
        if (c->closing)
                return -ECONNRESET;
        no_body = status_has_no_body(status);
        req->stream_no_body = no_body || (req->msg.flags & KL_HTTP__MSG_HEAD);
        req->stream_left = req->stream_no_body ? 0 : len;
        build_head(req, &head, status, content_type, no_body ? BODY_NONE : BODY_LENGTH,
                   (size_t)len);
        return kl_http__conn_send(c, head.buf, head.len, NULL, 0);
}

int kl_http_stream_write(struct kl_http_req *req, const void *data, size_t len)
{
        struct kl_http__conn *c = req->conn;
        char size_line[24];
        uv_buf_t pieces[3];
        int n;

        kl_loop_assert_loop_thread(c->tcp.loop);
        if (req->resp != KL_HTTP__RESP_STREAMING)
                return -EINVAL;
        if (c->closing)
                return -ECONNRESET;
        if (len == 0 || req->stream_no_body)
                return 0;
        if (req->stream_sized && len > req->stream_left)
                return -EINVAL;
        if (kl_http__conn_unsent(c) > c->server->limits.max_stream_queued)
                return -ENOBUFS;
        if (req->stream_sized)
                req->stream_left -= len;
        if (req->stream_close_delimited || req->stream_sized)
                return kl_http__conn_send(c, data, len, NULL, 0);
        n = snprintf(size_line, sizeof(size_line), "%zx\r\n", len);
        pieces[0] = uv_buf_init(size_line, (unsigned)n);
        pieces[1] = uv_buf_init((char *)data, (unsigned)len);
        pieces[2] = uv_buf_init((char *)"\r\n", 2);
        return conn_writev(c, pieces, 3, NULL, 0);
}

int kl_http_stream_end(struct kl_http_req *req)
{
        static const char last[] = "0\r\n\r\n";
        struct kl_http__conn *c = req->conn;
        int r = 0;

        kl_loop_assert_loop_thread(c->tcp.loop);
        if (req->resp != KL_HTTP__RESP_STREAMING)
                return -EINVAL;
        if (c->closing) {
                r = -ECONNRESET;
        } else if (req->stream_sized) {
                if (req->stream_left > 0) {
                        /* The body was announced longer: nothing else can follow it. */
                        c->close_after = true;
                        r = -EPIPE;
                }
        } else if (!req->stream_no_body && !req->stream_close_delimited) {
                r = kl_http__conn_send(c, last, sizeof(last) - 1, NULL, 0);
        }
        kl_http__req_finish(req);
        return r;
}
