/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec and attach over WebSocket: the channel protocol kubectl speaks
 * (kubectl-contract.md §16.1), bridged to a struct kl_ctr_stream of the
 * container's shim. The SPDY/3.1 upgrade (§16.3, what kubectl falls back to
 * and older clients speak) is the same session: server-spdy.c turns its
 * streams into the same channel messages and back (v4.channel.k8s.io: the
 * Status on the error stream, stdin ending with its stream's FIN), so only
 * the transport calls below (out_send, out_queued, in_pause, conn_end)
 * look at which one it is.
 *
 *   lookup   (pool) list the containers, pick the running attempt; errors
 *            are answered as HTTP Status JSON before any upgrade, as the
 *            kubelet does;
 *   accept   (loop) the 101 with the negotiated subprotocol; the WebSocket
 *            is paused until the stream exists;
 *   open     (pool) kl_ctr_exec()/kl_ctr_attach(): a short round trip to
 *            the shim; a failure is reported on the error channel;
 *   stream   (loop) uv_poll on the stream's fd: its output goes out on
 *            channels 1 and 2; channel 0 goes to the process's stdin, 4
 *            resizes its terminal, [255, 0] (v5) closes its stdin;
 *   end      the exit code becomes the Status of channel 3 (v4, v5; plain
 *            text in channel.k8s.io), then close 1000.
 *
 * Back-pressure, both ways. Output: while the WebSocket has more than the
 * server's bound queued, the fd is not polled for reading (the shim then
 * stops reading the process, whose pipe fills), and a short timer looks at
 * the queue again (a WebSocket has no drain callback). Input: stdin is
 * written in frames of at most STDIN_CHUNK only when poll(2) says the
 * shim's socket is writable; a Unix stream socket is writable while at most
 * a quarter of its send buffer is in use, so one such frame never blocks.
 * When it is not writable the WebSocket is paused (nothing more is read
 * from the client) and the fd is polled for writing.
 *
 * Memory: the session holds the WebSocket's reference, one on the request
 * (until the upgrade), one per pool call in flight, and counts its two
 * handles; freed when all are gone.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include <jansson.h>

#include "agent/server-internal.h"
#include "loop/loop.h"

#define STDIN_CHUNK      ((size_t)16 << 10)
#define STDIN_QUEUE_MAX  ((size_t)8 << 20)
#define READ_CHUNK       ((size_t)32 << 10)
#define QUEUE_CHECK_MSEC 10
#define RESIZE_MAX       256

enum {
        CH_STDIN = 0,
        CH_STDOUT = 1,
        CH_STDERR = 2,
        CH_ERROR = 3,
        CH_RESIZE = 4,
        CH_CLOSE = 255,
};

/* The subprotocols, best first: the version numbers the code tests. */
static const struct {
        const char *name;
        int version;
} protocols[] = {
        { "v5.channel.k8s.io", 5 },
        { "v4.channel.k8s.io", 4 },
        { "channel.k8s.io", 1 },
};

enum phase {
        PHASE_LOOKUP,
        PHASE_OPEN,
        PHASE_STREAM,
        PHASE_DONE,
};

struct session {
        struct kl_agent_server *srv; /* a session of it */
        struct kl_ctr_runtime *rt;   /* borrowed from the server */
        struct kl_http_req *req;     /* ref until the upgrade (or the error answer) */
        struct kl_http_ws *ws;       /* ref once accepted (raw for SPDY) */
        struct kl_agent__sx *sx;     /* owned: the SPDY streams; NULL for WebSocket */
        bool spdy;                   /* the request is a SPDY upgrade */
        char *ns, *pod, *ctr;        /* owned */
        bool exec;
        char **command; /* owned */
        bool in, out, err, tty;
        int version;
        const char *protocol; /* static */

        enum phase phase;
        /* Pool results. */
        struct kl_agent__found found; /* owned */
        struct kl_ctr_stream *stream; /* owned */
        struct kl_err *error;         /* owned */

        uv_poll_t poll;   /* owned once polling; closed by session_close() */
        uv_timer_t timer; /* owned; closed by session_close() */
        bool polling;
        bool poll_closed;      /* the poll handle's close is under way or done */
        bool out_paused;       /* not reading output: the WebSocket's queue is full */
        struct kl_buf stdin_q; /* owned: stdin not yet written, bounded */
        bool stdin_eof;        /* close stdin once the queue is written */
        bool ws_paused;        /* paused for stdin */
        bool closed;           /* on_close ran, or we never got a WebSocket */
        unsigned pending_closes;
        unsigned refs;
};

static void session_free(struct session *x)
{
        kl_ctr_stream_free(x->stream);
        kl_agent__sx_free(x->sx);
        kl_agent__server_session_end(x->srv);
        kl_http_req_unref(x->req);
        free(x->ns);
        free(x->pod);
        free(x->ctr);
        kl_strv_free(x->command);
        kl_agent__found_release(&x->found);
        kl_err_free(x->error);
        kl_buf_release(&x->stdin_q);
        free(x);
}

static void session_unref(struct session *x)
{
        kl_assert(x->refs > 0);
        if (--x->refs == 0 && x->pending_closes == 0)
                session_free(x);
}

static void on_handle_closed(uv_handle_t *h)
{
        struct session *x = h->data;

        kl_assert(x->pending_closes > 0);
        if (--x->pending_closes == 0 && x->refs == 0)
                session_free(x);
}

/* Stop polling and close the handles (the stream itself goes with the session). */
static void session_close(struct session *x)
{
        if (x->polling && !x->poll_closed) {
                x->poll_closed = true;
                uv_close((uv_handle_t *)&x->poll, on_handle_closed);
        }
        if (!uv_is_closing((uv_handle_t *)&x->timer))
                uv_close((uv_handle_t *)&x->timer, on_handle_closed);
}

/* ------------------------------------------------------------------------- */
/* Sending */

static int send_channel(struct session *x, uint8_t ch, const void *data, size_t len)
{
        uint8_t *msg = kl_malloc(len + 1);
        int r;

        msg[0] = ch;
        if (len > 0)
                memcpy(msg + 1, data, len);
        r = kl_http_ws_send(x->ws, KL_HTTP_WS_BINARY, msg, len + 1);
        free(msg);
        return r;
}

/* ------------------------------------------------------------------------- */
/* Transport: WebSocket messages, or SPDY streams through server-spdy.c */

static int out_send(struct session *x, uint8_t ch, const void *data, size_t len)
{
        if (x->sx)
                return kl_agent__sx_send(x->sx, ch, data, len);
        return send_channel(x, ch, data, len);
}

static size_t out_queued(struct session *x)
{
        return x->sx ? kl_agent__sx_queued(x->sx) : kl_http_ws_output_queued(x->ws);
}

static void in_pause(struct session *x, bool pause)
{
        if (x->sx)
                kl_agent__sx_pause(x->sx, pause);
        else
                kl_http_ws_pause(x->ws, pause);
}

/* The end: a close handshake, or the FINs of the streams and then the close. */
static void conn_end(struct session *x)
{
        if (x->sx)
                kl_agent__sx_end(x->sx);
        else
                (void)kl_http_ws_close(x->ws, 1000, NULL);
}

static int sx_t_send(void *arg, const void *data, size_t len)
{
        struct session *x = arg;

        return x->ws ? kl_http_ws_send(x->ws, KL_HTTP_WS_BINARY, data, len) : -ECONNRESET;
}

static size_t sx_t_queued(void *arg)
{
        struct session *x = arg;

        return x->ws ? kl_http_ws_output_queued(x->ws) : 0;
}

static void sx_t_pause(void *arg, bool pause)
{
        struct session *x = arg;

        if (x->ws)
                kl_http_ws_pause(x->ws, pause);
}

static void sx_t_end(void *arg)
{
        struct session *x = arg;

        if (x->ws) {
                kl_http_ws_pause(x->ws, false);
                (void)kl_http_ws_close(x->ws, 1000, NULL);
        }
}

/* The Status of channel 3 for an exit code (upstream's remotecommand ServeExec). */
static char *exit_status_json(int code)
{
        json_auto_t *st = NULL;
        kl_autofree char *msg = NULL, *num = NULL;

        if (code == 0)
                return kl_strdup("{\"metadata\":{},\"status\":\"Success\"}");
        msg = kl_asprintf("command terminated with non-zero exit code: exit status %d", code);
        num = kl_asprintf("%d", code);
        st = json_pack("{s:{},s:s,s:s,s:s,s:{s:[{s:s,s:s}]}}", "metadata", "status", "Failure",
                       "message", msg, "reason", "NonZeroExitCode", "details", "causes", "reason",
                       "ExitCode", "message", num);
        kl_assert(st);
        return json_dumps(st, JSON_COMPACT);
}

/* An InternalError Status (upstream's apierrors.NewInternalError). */
static char *internal_status_json(const char *what, const struct kl_err *e)
{
        json_auto_t *st = NULL;
        kl_autofree char *cause = kl_asprintf("%s: %s", what, kl_err_msg(e));
        kl_autofree char *msg = kl_asprintf("Internal error occurred: %s", cause);

        st = json_pack("{s:{},s:s,s:s,s:s,s:{s:[{s:s}]},s:i}", "metadata", "status", "Failure",
                       "message", msg, "reason", "InternalError", "details", "causes", "message",
                       cause, "code", 500);
        kl_assert(st);
        return json_dumps(st, JSON_COMPACT);
}

/*
 * The end: the Status on the error channel (only failures in the v1
 * protocol, as plain text), then the close handshake. kubectl waits for the
 * connection to close before it returns.
 */
static void finish(struct session *x, int exit_code, const char *what, const struct kl_err *e)
{
        kl_autofree char *body = NULL;

        if (x->phase == PHASE_DONE)
                return;
        x->phase = PHASE_DONE;
        if (x->polling && !x->poll_closed)
                uv_poll_stop(&x->poll);
        uv_timer_stop(&x->timer);
        if (!x->closed) {
                if (x->version >= 4) {
                        body = e         ? internal_status_json(what, e)
                               : x->exec ? exit_status_json(exit_code)
                                         : kl_strdup("{\"metadata\":{},\"status\":\"Success\"}");
                } else if (e) {
                        body = kl_asprintf("%s: %s", what, kl_err_msg(e));
                } else if (x->exec && exit_code != 0) {
                        body = kl_asprintf(
                                "command terminated with non-zero exit code: exit status %d",
                                exit_code);
                }
                if (body)
                        (void)out_send(x, CH_ERROR, body, strlen(body));
                /* The client's close frame must be read: stdin left over is dropped. */
                if (x->ws_paused) {
                        x->ws_paused = false;
                        in_pause(x, false);
                }
                conn_end(x);
        }
}

/* ------------------------------------------------------------------------- */
/* Output: shim -> WebSocket */

static void on_queue_timer(uv_timer_t *t);

static void read_output(struct session *x)
{
        kl_autoerr struct kl_err *e = NULL;
        char *buf = kl_malloc(READ_CHUNK + 1);

        while (x->phase == PHASE_STREAM && !x->closed) {
                enum kl_ctr_stream_kind kind = KL_CTR_STREAM_STDOUT;
                int code = 0;
                ssize_t n;

                if (out_queued(x) > kl_agent__server_queue_high(x->srv)) {
                        x->out_paused = true;
                        uv_timer_start(&x->timer, on_queue_timer, QUEUE_CHECK_MSEC, 0);
                        break;
                }
                n = kl_ctr_stream_read(x->stream, buf + 1, READ_CHUNK, &kind, &code, &e);
                if (n == -EAGAIN)
                        break;
                if (n < 0) {
                        finish(x, 0,
                               x->exec ? "error executing command in container"
                                       : "error attaching to container",
                               e);
                        break;
                }
                if (kind == KL_CTR_STREAM_EXIT) {
                        finish(x, code, NULL, NULL);
                        break;
                }
                if ((kind == KL_CTR_STREAM_STDOUT && !x->out) ||
                    (kind == KL_CTR_STREAM_STDERR && (!x->err || x->tty)))
                        continue;
                buf[0] = kind == KL_CTR_STREAM_STDERR ? CH_STDERR : CH_STDOUT;
                if (x->sx ? kl_agent__sx_send(x->sx, (uint8_t)buf[0], buf + 1, (size_t)n) < 0
                          : kl_http_ws_send(x->ws, KL_HTTP_WS_BINARY, buf, (size_t)n + 1) < 0)
                        break; /* gone (on_close follows) or over the limit: stop */
        }
        free(buf);
}

/* ------------------------------------------------------------------------- */
/* Input: WebSocket -> shim */

static bool fd_writable(struct session *x)
{
        struct pollfd p = { .fd = kl_ctr_stream_fd(x->stream), .events = POLLOUT };

        return poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

/* Write queued stdin while the socket takes it; then the EOF. False on failure (finished). */
static bool flush_stdin(struct session *x)
{
        kl_autoerr struct kl_err *e = NULL;
        size_t done = 0;
        int r = 0;

        while (done < x->stdin_q.len && fd_writable(x)) {
                size_t n = KL_MIN(STDIN_CHUNK, x->stdin_q.len - done);

                r = kl_ctr_stream_write(x->stream, x->stdin_q.buf + done, n, &e);
                if (r < 0)
                        break;
                done += n;
        }
        if (done > 0) {
                memmove(x->stdin_q.buf, x->stdin_q.buf + done, x->stdin_q.len - done);
                kl_buf_truncate(&x->stdin_q, x->stdin_q.len - done);
        }
        if (r >= 0 && x->stdin_q.len == 0 && x->stdin_eof) {
                x->stdin_eof = false;
                r = kl_ctr_stream_close_stdin(x->stream, &e);
        }
        if (r < 0) {
                /* The process is gone or going: its exit status follows on the stream. */
                kl_buf_reset(&x->stdin_q);
                x->stdin_eof = false;
                kl_log_debug(KL_LOG_AGENT, "stdin of %s: %s", x->found.id, kl_err_msg(e));
        }
        return true;
}

static void on_poll(uv_poll_t *h, int status, int events);

static void set_poll(struct session *x)
{
        int events = 0;

        if (!x->polling || x->poll_closed || x->phase != PHASE_STREAM)
                return;
        if (!x->out_paused)
                events |= UV_READABLE;
        if (x->stdin_q.len > 0 || x->stdin_eof)
                events |= UV_WRITABLE;
        if (events)
                (void)uv_poll_start(&x->poll, events, on_poll);
        else
                (void)uv_poll_stop(&x->poll);
        if (x->ws_paused != (x->stdin_q.len > 0)) {
                x->ws_paused = x->stdin_q.len > 0;
                in_pause(x, x->ws_paused);
        }
}

static void on_poll(uv_poll_t *h, int status, int events)
{
        struct session *x = kl_container_of(h, struct session, poll);

        if (x->phase != PHASE_STREAM || x->closed)
                return;
        x->refs++; /* the callbacks below may close the WebSocket */
        if (status < 0 || (events & UV_READABLE))
                read_output(x);
        if (x->phase == PHASE_STREAM && (events & UV_WRITABLE))
                (void)flush_stdin(x);
        set_poll(x);
        session_unref(x);
}

static void on_queue_timer(uv_timer_t *t)
{
        struct session *x = kl_container_of(t, struct session, timer);

        if (x->phase != PHASE_STREAM || x->closed || !x->out_paused)
                return;
        if (out_queued(x) > kl_agent__server_queue_high(x->srv) / 2) {
                uv_timer_start(&x->timer, on_queue_timer, QUEUE_CHECK_MSEC, 0);
                return;
        }
        x->out_paused = false;
        set_poll(x);
}

static void resize(struct session *x, const char *data, size_t len)
{
        json_auto_t *v = NULL;
        json_int_t w, h;

        if (len > RESIZE_MAX)
                return;
        v = json_loadb(data, len, JSON_DECODE_ANY, NULL);
        if (!v || json_unpack(v, "{s:I,s:I}", "Width", &w, "Height", &h) < 0 || w < 0 || h < 0 ||
            w > 65535 || h > 65535)
                return; /* upstream logs a bad resize and goes on */
        (void)kl_ctr_stream_resize(x->stream, (unsigned short)h, (unsigned short)w, NULL);
}

/* One channel message from the client (a WebSocket message, or what server-spdy.c made). */
static void channel_message(void *arg, const uint8_t *p, size_t len)
{
        struct session *x = arg;

        if (len == 0 || x->phase != PHASE_STREAM)
                return; /* empty messages carry nothing */
        switch (p[0]) {
        case CH_STDIN:
                if (!x->in || len == 1)
                        return;
                if (kl_buf_append(&x->stdin_q, p + 1, len - 1) < 0) {
                        kl_autoerr struct kl_err *e = NULL;

                        (void)kl_err_set(&e, -E2BIG, "stdin queue full");
                        finish(x, 0, "error writing stdin", e);
                        return;
                }
                x->refs++;
                (void)flush_stdin(x);
                set_poll(x);
                session_unref(x);
                return;
        case CH_RESIZE:
                if (x->tty)
                        resize(x, (const char *)p + 1, len - 1);
                return;
        case CH_CLOSE:
                /* v5 (and SPDY's stdin FIN): [255, channel] closes that stream; only stdin. */
                if ((x->version >= 5 || x->sx) && len == 2 && p[1] == CH_STDIN && x->in) {
                        x->stdin_eof = true;
                        x->refs++;
                        (void)flush_stdin(x);
                        set_poll(x);
                        session_unref(x);
                }
                return;
        default:
                return;
        }
}

static void on_message(struct kl_http_ws *ws, enum kl_http_ws_opcode op, const void *data,
                       size_t len, void *userdata)
{
        struct session *x = userdata;

        (void)ws;
        if (op != KL_HTTP_WS_BINARY)
                return; /* kubectl sends binary only */
        if (x->sx) {
                x->refs++; /* the session may end inside */
                kl_agent__sx_feed(x->sx, data, len);
                session_unref(x);
                return;
        }
        channel_message(x, data, len);
}

static void on_ws_close(struct kl_http_ws *ws, int code, void *userdata)
{
        struct session *x = userdata;

        (void)ws;
        (void)code;
        x->closed = true;
        x->phase = PHASE_DONE;
        session_close(x);
        kl_agent__sx_free(x->sx);
        x->sx = NULL;
        kl_http_ws_unref(x->ws);
        x->ws = NULL;
        session_unref(x);
}

/* ------------------------------------------------------------------------- */
/* Lookup and open, on the pool */

static void lookup_work(void *arg)
{
        struct session *x = arg;
        struct kl_ctr_state *v = NULL;
        size_t n = 0;
        int r;

        r = kl_ctr_list(x->rt, &v, &n, &x->error);
        if (r < 0)
                return;
        (void)kl_agent__find_container(v, n, x->ns, x->pod, x->ctr, KL_AGENT__FIND_RUNNING,
                                       &x->found, &x->error);
        kl_ctr_states_free(v, n);
}

static void open_work(void *arg)
{
        struct session *x = arg;

        if (x->exec) {
                struct kl_ctr_process p = {
                        .args = x->command,
                        .terminal = x->tty,
                        .stdin_open = x->in,
                };

                /* The shim fills in the rest (user, env, cwd, capabilities) from the container. */
                (void)kl_ctr_exec(x->rt, x->found.id, &p, &x->stream, &x->error);
        } else {
                unsigned flags = (x->in ? KL_CTR_ATTACH_STDIN : 0) |
                                 (x->out ? KL_CTR_ATTACH_STDOUT : 0) |
                                 (x->err && !x->tty ? KL_CTR_ATTACH_STDERR : 0);

                (void)kl_ctr_attach(x->rt, x->found.id, flags, &x->stream, &x->error);
        }
}

static void open_done(void *arg, int status)
{
        struct session *x = arg;
        int r;

        if (x->closed || x->phase == PHASE_DONE) {
                session_unref(x);
                return;
        }
        if (status < 0 || x->error) {
                kl_autoerr struct kl_err *e = NULL;

                if (!x->error)
                        (void)kl_err_set(&e, status, "queue the stream");
                finish(x, 0,
                       x->exec ? "error executing command in container"
                               : "error attaching to container",
                       x->error ? x->error : e);
                session_unref(x);
                return;
        }
        x->phase = PHASE_STREAM;
        r = uv_poll_init(kl_agent__server_loop(x->srv), &x->poll, kl_ctr_stream_fd(x->stream));
        if (r < 0) {
                kl_autoerr struct kl_err *e = NULL;

                (void)kl_err_set(&e, r, "poll the stream");
                x->phase = PHASE_OPEN;
                finish(x, 0, "error streaming", e);
                session_unref(x);
                return;
        }
        x->poll.data = x;
        x->polling = true;
        x->pending_closes++;
        x->ws_paused = false;
        in_pause(x, false);
        set_poll(x);
        session_unref(x);
}

static void lookup_done(void *arg, int status)
{
        struct session *x = arg;
        kl_autoerr struct kl_err *e = NULL;
        int r;

        if (status < 0 && !x->error)
                (void)kl_err_set(&x->error, status, "queue the lookup");
        if (x->error) {
                kl_agent__respond_error(x->req, x->error, NULL, NULL);
                x->closed = true;
                x->phase = PHASE_DONE;
                session_close(x);
                session_unref(x);
                return;
        }
        if (x->spdy)
                r = kl_http_spdy_accept(x->req, x->protocol,
                                        &(struct kl_http_ws_callbacks){ .on_message = on_message,
                                                                        .on_close = on_ws_close },
                                        x, &x->ws, &e);
        else
                r = kl_http_ws_accept(x->req, x->protocol,
                                      &(struct kl_http_ws_callbacks){ .on_message = on_message,
                                                                      .on_close = on_ws_close },
                                      x, &x->ws, &e);
        if (r < 0) {
                if (r != -ECONNRESET)
                        kl_agent__respond_error(x->req, e, NULL, NULL);
                x->closed = true;
                x->phase = PHASE_DONE;
                session_close(x);
                session_unref(x);
                return;
        }
        /* The WebSocket's reference is the session's first one from now on. */
        x->req = kl_http_req_unref(x->req);
        if (x->spdy) {
                unsigned expect =
                        (x->in ? KL_AGENT__SX_STDIN : 0) | (x->out ? KL_AGENT__SX_STDOUT : 0) |
                        (x->err ? KL_AGENT__SX_STDERR : 0) | (x->tty ? KL_AGENT__SX_RESIZE : 0);

                x->sx = kl_agent__sx_new(&(struct kl_agent__pf_transport){ .send = sx_t_send,
                                                                           .queued = sx_t_queued,
                                                                           .pause = sx_t_pause,
                                                                           .end = sx_t_end,
                                                                           .arg = x },
                                         expect, channel_message, x);
        }
        in_pause(x, true);
        x->ws_paused = true;
        x->phase = PHASE_OPEN;
        x->refs++;
        r = kl_loop_run_blocking(kl_agent__server_loop(x->srv), open_work, open_done, x);
        if (r < 0) {
                x->refs--;
                (void)kl_err_set(&e, r, "queue the stream");
                finish(x, 0, "error streaming", e);
        }
}

void kl_agent__stream_serve(struct kl_agent_server *s, struct kl_http_req *req, bool exec,
                            const char *ns, const char *pod, const char *ctr)
{
        const char *query = kl_http_req_query(req);
        kl_autoerr struct kl_err *e = NULL;
        struct session *x;
        int r;

        if (!kl_http_req_is_websocket(req) && !kl_http_req_is_spdy(req)) {
                (void)kl_err_set_msg(&e, -EINVAL, "Upgrade request required");
                kl_agent__respond_error(req, e, NULL, NULL);
                return;
        }
        if (!kl_agent__server_session_begin(s)) {
                (void)kl_err_set_msg(&e, -KL_ETOO_MANY_REQUESTS,
                                     "too many streams, try again later");
                kl_agent__respond_error(req, e, NULL, NULL);
                return;
        }
        x = kl_new0(struct session);
        x->srv = s;
        x->rt = kl_agent__server_runtime(s);
        x->req = kl_http_req_ref(req);
        x->ns = kl_strdup(ns);
        x->pod = kl_strdup(pod);
        x->ctr = kl_strdup(ctr);
        x->exec = exec;
        x->refs = 1;
        kl_buf_init(&x->stdin_q, STDIN_QUEUE_MAX);
        uv_timer_init(kl_agent__server_loop(s), &x->timer);
        x->timer.data = x;
        x->pending_closes = 1;

        x->spdy = !kl_http_req_is_websocket(req);
        if (x->spdy) {
                /* Upstream's kubelet answers v4 to kubectl's SPDY offer (observed). */
                if (kl_http_req_stream_offers(req, KL_AGENT__SPDY_EXEC_PROTOCOL)) {
                        x->protocol = KL_AGENT__SPDY_EXEC_PROTOCOL;
                        x->version = 4;
                }
        } else {
                for (size_t i = 0; i < KL_ARRAY_SIZE(protocols) && !x->protocol; i++) {
                        if (kl_http_req_ws_offers(req, protocols[i].name)) {
                                x->protocol = protocols[i].name;
                                x->version = protocols[i].version;
                        }
                }
        }
        x->in = kl_agent__query_bool(query, "stdin") || kl_agent__query_bool(query, "input");
        x->out = kl_agent__query_bool(query, "stdout") || kl_agent__query_bool(query, "output");
        x->err = kl_agent__query_bool(query, "stderr") || kl_agent__query_bool(query, "error");
        x->tty = kl_agent__query_bool(query, "tty");
        if (x->tty)
                x->err = false; /* upstream: with a TTY stderr goes with stdout */
        if (exec)
                x->command = kl_agent__query_all(query, "command");

        if (!x->protocol)
                (void)kl_err_set_msg(&e, -EINVAL,
                                     "unable to upgrade: unable to negotiate protocol: the "
                                     "server supports %s",
                                     x->spdy ? KL_AGENT__SPDY_EXEC_PROTOCOL
                                             : "v5.channel.k8s.io, v4.channel.k8s.io, "
                                               "channel.k8s.io");
        else if (!x->in && !x->out && !x->err)
                (void)kl_err_set_msg(&e, -EINVAL,
                                     "you must specify at least 1 of stdin, stdout, stderr");
        else if (exec && !x->command[0])
                (void)kl_err_set_msg(&e, -EINVAL,
                                     "you must specify at least one command for the container");
        if (e) {
                kl_agent__respond_error(req, e, NULL, NULL);
                x->closed = true;
                x->phase = PHASE_DONE;
                session_close(x);
                session_unref(x);
                return;
        }
        x->phase = PHASE_LOOKUP;
        r = kl_loop_run_blocking(kl_agent__server_loop(s), lookup_work, lookup_done, x);
        if (r < 0) {
                (void)kl_err_set(&e, r, "queue the lookup");
                kl_agent__respond_error(req, e, NULL, NULL);
                x->closed = true;
                x->phase = PHASE_DONE;
                session_close(x);
                session_unref(x);
        }
}
