/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec and attach over SPDY/3.1 (kubectl-contract.md §16.3): the streams
 * client-go's SPDY executor opens, presented to server-stream.c as the
 * channel messages of the WebSocket protocol, so the session code is the
 * same for both transports.
 *
 *   in    the client opens one stream per role, named by its `streamtype`
 *         header: error, stdin, stdout, stderr, resize. Each gets a
 *         SYN_REPLY at once (client-go waits for it before opening the
 *         next). DATA on stdin becomes a channel 0 message, its FIN (or a
 *         RST_STREAM) the v5 close message [255, 0]; DATA on resize a
 *         channel 4 message. PING is echoed, GOAWAY ends the session,
 *         SETTINGS, WINDOW_UPDATE and HEADERS are read and ignored.
 *   out   channel 1, 2 and 3 messages become DATA on the stdout, stderr and
 *         error streams. Output for a stream the client has not opened yet
 *         waits in a bounded buffer and goes out after its SYN_REPLY.
 *   end   every stream of ours gets its FIN (the error stream after the
 *         Status: the v4 protocol, whose reader waits for EOF), then the
 *         transport closes once the output is written. An end asked before
 *         every expected stream is open waits for them.
 *
 * Back-pressure: while the owner pauses input, DATA for it is left unparsed
 * and the transport is paused; control frames ahead of it were handled.
 *
 * The codec (frames, header blocks, the zlib streams) is the port-forward's
 * (server-portforward.c). Pure but for the transport callbacks: no I/O of
 * its own, so the tests drive it with a client written in the test.
 *
 * Memory: the owner's; kl_agent__sx_free() may be called from any callback
 * (freeing is then deferred to the end of the outermost call).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "agent/server-internal.h"

#define HEADER_LEN      8u
#define RST_PROTOCOL    1u
#define GOAWAY_PROTOCOL 1u
/* Output held for streams not yet open; more is refused until they are. */
#define HELD_MAX ((size_t)4 << 20)

enum role {
        ROLE_ERROR,
        ROLE_STDIN,
        ROLE_STDOUT,
        ROLE_STDERR,
        ROLE_RESIZE,
        ROLE_N,
};

static const char *const role_names[ROLE_N] = { "error", "stdin", "stdout", "stderr", "resize" };

struct kl_agent__sx {
        struct kl_agent__pf_transport t;
        kl_agent__sx_message_fn *on_message;
        void *arg;
        struct kl_agent__spdy_zlib *z_in, *z_out; /* owned */
        struct kl_buf in;                         /* owned: unparsed client bytes */
        uint32_t ids[ROLE_N];                     /* 0: not opened yet */
        bool fin[ROLE_N];                         /* the FIN of ours went out */
        struct kl_buf held[ROLE_N];               /* owned: output before the stream opened */
        size_t held_len;
        unsigned expect; /* 1 << role for every stream the client will open */
        bool paused;     /* the owner stops input */
        bool ending;     /* kl_agent__sx_end() was called */
        bool ended;      /* t.end() was called */
        unsigned busy;   /* calls on the stack */
        bool freed;
};

static void put32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

static void sx_destroy(struct kl_agent__sx *sx)
{
        kl_agent__spdy_zlib_free(sx->z_in);
        kl_agent__spdy_zlib_free(sx->z_out);
        kl_buf_release(&sx->in);
        for (int i = 0; i < ROLE_N; i++)
                kl_buf_release(&sx->held[i]);
        free(sx);
}

static void enter(struct kl_agent__sx *sx)
{
        sx->busy++;
}

/* False when the session was freed meanwhile (and is now gone). */
static bool leave(struct kl_agent__sx *sx)
{
        kl_assert(sx->busy > 0);
        if (--sx->busy == 0 && sx->freed) {
                sx_destroy(sx);
                return false;
        }
        return !sx->freed;
}

static void do_end(struct kl_agent__sx *sx)
{
        if (sx->ended || sx->freed)
                return;
        sx->ended = true;
        sx->t.end(sx->t.arg);
}

static void send_buf(struct kl_agent__sx *sx, const struct kl_buf *b)
{
        if (sx->ended || sx->freed)
                return;
        if (sx->t.send(sx->t.arg, b->buf, b->len) < 0)
                do_end(sx);
}

static void send_data(struct kl_agent__sx *sx, uint32_t id, uint8_t flags, const void *d,
                      size_t len)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        kl_agent__spdy_put_data(&b, id, flags, d, len);
        send_buf(sx, &b);
}

static void send_reply(struct kl_agent__sx *sx, uint32_t id)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        kl_agent__spdy_put_syn_reply(&b, sx->z_out, id);
        send_buf(sx, &b);
}

static void send_rst(struct kl_agent__sx *sx, uint32_t id, uint32_t status)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        kl_agent__spdy_put_rst(&b, id, status);
        send_buf(sx, &b);
}

/* A protocol error: GOAWAY, then the transport closes. */
static void sx_fail(struct kl_agent__sx *sx, const struct kl_err *e)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        uint8_t p[8] = { 0 };

        if (sx->ended)
                return;
        kl_log_debug(KL_LOG_AGENT, "exec over SPDY: %s", kl_err_msg(e));
        put32(p + 4, GOAWAY_PROTOCOL);
        kl_agent__spdy_put_control(&b, KL_AGENT__SPDY_GOAWAY, 0, p, sizeof(p));
        send_buf(sx, &b);
        do_end(sx);
}

/* Once ending and every expected stream is open: FIN ours, close the transport. */
static void maybe_finish(struct kl_agent__sx *sx)
{
        static const enum role ours[] = { ROLE_STDOUT, ROLE_STDERR, ROLE_ERROR };

        if (!sx->ending || sx->ended)
                return;
        for (int i = 0; i < ROLE_N; i++)
                if ((sx->expect & (1u << i)) && sx->ids[i] == 0)
                        return;
        for (size_t i = 0; i < KL_ARRAY_SIZE(ours); i++) {
                enum role r = ours[i];

                if (sx->ids[r] && !sx->fin[r]) {
                        sx->fin[r] = true;
                        send_data(sx, sx->ids[r], KL_AGENT__SPDY_FLAG_FIN, NULL, 0);
                }
        }
        do_end(sx);
}

static int role_of(const char *type)
{
        for (int i = 0; i < ROLE_N; i++)
                if (type && strcasecmp(type, role_names[i]) == 0)
                        return i;
        return -1;
}

static int role_by_id(const struct kl_agent__sx *sx, uint32_t id)
{
        for (int i = 0; i < ROLE_N; i++)
                if (id != 0 && sx->ids[i] == id)
                        return i;
        return -1;
}

static void on_syn_stream(struct kl_agent__sx *sx, const struct kl_agent__spdy_frame *f)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autostrv char **h = NULL;
        const char *type = NULL;
        int role;

        /* Always inflated: the zlib stream spans the session. */
        if (kl_agent__spdy_headers_decode(sx->z_in, f->payload, f->len, &h, &e) < 0) {
                sx_fail(sx, e);
                return;
        }
        for (size_t i = 0; h[i] && h[i + 1]; i += 2)
                if (strcasecmp(h[i], "streamtype") == 0)
                        type = h[i + 1];
        role = role_of(type);
        if (f->stream_id == 0 || role < 0 || sx->ids[role] != 0 ||
            role_by_id(sx, f->stream_id) >= 0) {
                send_rst(sx, f->stream_id, RST_PROTOCOL);
                return;
        }
        sx->ids[role] = f->stream_id;
        send_reply(sx, f->stream_id);
        if (sx->held[role].len > 0) {
                sx->held_len -= sx->held[role].len;
                send_data(sx, f->stream_id, 0, sx->held[role].buf, sx->held[role].len);
                kl_buf_reset(&sx->held[role]);
        }
        maybe_finish(sx);
}

/* Hand a message to the owner: [channel] + payload. */
static void deliver(struct kl_agent__sx *sx, uint8_t ch, const void *data, size_t len)
{
        uint8_t *msg = kl_malloc(len + 1);

        msg[0] = ch;
        if (len > 0)
                memcpy(msg + 1, data, len);
        sx->on_message(sx->arg, msg, len + 1);
        free(msg);
}

/* True when the frame was handled; false: leave it for after the pause. */
static bool on_data(struct kl_agent__sx *sx, const struct kl_agent__spdy_frame *f)
{
        static const uint8_t close_stdin[2] = { 255, 0 };
        int role = role_by_id(sx, f->stream_id);

        if (role != ROLE_STDIN && role != ROLE_RESIZE)
                return true; /* the client's halves of our streams carry nothing */
        if (sx->paused || sx->ending)
                return sx->ending; /* after the end input is dropped */
        if (f->len > 0)
                deliver(sx, role == ROLE_STDIN ? 0 : 4, f->payload, f->len);
        if (role == ROLE_STDIN && (f->flags & KL_AGENT__SPDY_FLAG_FIN) && !sx->freed)
                sx->on_message(sx->arg, close_stdin, sizeof(close_stdin));
        return true;
}

static bool on_frame(struct kl_agent__sx *sx, const struct kl_agent__spdy_frame *f)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autostrv char **h = NULL;

        if (!f->control)
                return on_data(sx, f);
        switch (f->type) {
        case KL_AGENT__SPDY_SYN_STREAM:
                on_syn_stream(sx, f);
                return true;
        case KL_AGENT__SPDY_SYN_REPLY:
        case KL_AGENT__SPDY_HEADERS:
                if (kl_agent__spdy_headers_decode(sx->z_in, f->payload, f->len, &h, &e) < 0)
                        sx_fail(sx, e);
                return true;
        case KL_AGENT__SPDY_RST_STREAM: {
                static const uint8_t close_stdin[2] = { 255, 0 };
                int role = role_by_id(sx, f->stream_id);

                if (role < 0)
                        return true;
                if (role == ROLE_STDIN && !sx->ending) {
                        if (sx->paused)
                                return false;
                        sx->on_message(sx->arg, close_stdin, sizeof(close_stdin));
                } else {
                        sx->fin[role] = true; /* nothing more may be sent on it */
                }
                return true;
        }
        case KL_AGENT__SPDY_PING: {
                kl_autobuf struct kl_buf b = KL_BUF_INIT;
                uint8_t id[4];

                /* Odd ids are the client's: echo them. Even ones would answer ours (none). */
                if (!(f->value & 1))
                        return true;
                put32(id, f->value);
                kl_agent__spdy_put_control(&b, KL_AGENT__SPDY_PING, 0, id, 4);
                send_buf(sx, &b);
                return true;
        }
        case KL_AGENT__SPDY_GOAWAY:
                do_end(sx);
                return true;
        default:
                return true; /* SETTINGS, WINDOW_UPDATE, NOOP, unknown */
        }
}

static void process(struct kl_agent__sx *sx)
{
        size_t off = 0;

        while (!sx->ended && !sx->freed) {
                kl_autoerr struct kl_err *e = NULL;
                struct kl_agent__spdy_frame f;
                size_t used = 0;
                int r = kl_agent__spdy_frame_parse((const uint8_t *)sx->in.buf + off,
                                                   sx->in.len - off, &f, &used, &e);

                if (r == 0)
                        break;
                if (r < 0) {
                        sx_fail(sx, e);
                        break;
                }
                if (!on_frame(sx, &f))
                        break;
                off += used;
        }
        if (sx->freed)
                return;
        if (sx->ended)
                kl_buf_reset(&sx->in);
        else if (off > 0) {
                memmove(sx->in.buf, sx->in.buf + off, sx->in.len - off);
                kl_buf_truncate(&sx->in, sx->in.len - off);
        }
}

struct kl_agent__sx *kl_agent__sx_new(const struct kl_agent__pf_transport *t, unsigned expect,
                                      kl_agent__sx_message_fn *on_message, void *arg)
{
        struct kl_agent__sx *sx = kl_new0(struct kl_agent__sx);

        sx->t = *t;
        sx->on_message = on_message;
        sx->arg = arg;
        sx->expect = expect | KL_AGENT__SX_ERROR;
        sx->z_in = kl_agent__spdy_zlib_new();
        sx->z_out = kl_agent__spdy_zlib_new();
        /* A paused transport may still deliver what it had read: room for a few frames. */
        kl_buf_init(&sx->in, 4 * (KL_AGENT__SPDY_FRAME_MAX + HEADER_LEN));
        for (int i = 0; i < ROLE_N; i++)
                kl_buf_init(&sx->held[i], HELD_MAX);
        return sx;
}

void kl_agent__sx_feed(struct kl_agent__sx *sx, const void *data, size_t len)
{
        if (sx->ended || sx->freed)
                return;
        enter(sx);
        if (kl_buf_append(&sx->in, data, len) < 0) {
                kl_autoerr struct kl_err *e = NULL;

                (void)kl_err_set_msg(&e, -ENOBUFS, "too much unparsed input");
                sx_fail(sx, e);
        } else {
                process(sx);
        }
        (void)leave(sx);
}

int kl_agent__sx_send(struct kl_agent__sx *sx, uint8_t channel, const void *data, size_t len)
{
        enum role role;
        int r = 0;

        switch (channel) {
        case 1:
                role = ROLE_STDOUT;
                break;
        case 2:
                role = ROLE_STDERR;
                break;
        case 3:
                role = ROLE_ERROR;
                break;
        default:
                return -EINVAL;
        }
        if (sx->ended || sx->freed)
                return -ECONNRESET;
        if (sx->fin[role] || len == 0)
                return 0; /* reset by the client, or nothing to say */
        enter(sx);
        if (sx->ids[role] != 0) {
                send_data(sx, sx->ids[role], 0, data, len);
                if (sx->ended)
                        r = -ECONNRESET;
        } else if (kl_buf_append(&sx->held[role], data, len) < 0) {
                r = -ENOBUFS;
        } else {
                sx->held_len += len;
        }
        (void)leave(sx);
        return r;
}

size_t kl_agent__sx_queued(const struct kl_agent__sx *sx)
{
        return sx->t.queued(sx->t.arg) + sx->held_len;
}

void kl_agent__sx_pause(struct kl_agent__sx *sx, bool pause)
{
        if (sx->paused == pause || sx->freed)
                return;
        sx->paused = pause;
        if (sx->ended)
                return;
        enter(sx);
        sx->t.pause(sx->t.arg, pause);
        if (!pause && !sx->freed)
                process(sx);
        (void)leave(sx);
}

void kl_agent__sx_end(struct kl_agent__sx *sx)
{
        if (sx->ending || sx->freed)
                return;
        sx->ending = true;
        enter(sx);
        /* Streams still to come must be read: input flows again. */
        if (sx->paused && !sx->ended) {
                sx->paused = false;
                sx->t.pause(sx->t.arg, false);
        }
        maybe_finish(sx);
        if (!sx->ended && !sx->freed)
                process(sx);
        (void)leave(sx);
}

void kl_agent__sx_free(struct kl_agent__sx *sx)
{
        if (!sx)
                return;
        sx->freed = true;
        if (sx->busy == 0)
                sx_destroy(sx);
}
