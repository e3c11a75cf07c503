/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec and attach over SPDY/3.1 (server-spdy.c, kubectl-contract.md §16.3):
 * the streams client-go's SPDY executor opens, turned into the channel
 * messages of the WebSocket protocol and back.
 *
 * The client side is written here, independently of the code under test:
 * frames built by hand, header blocks through the test's own zlib streams
 * (with the SPDY/3 dictionary), and the server's frames parsed by hand. The
 * transport is a buffer: what the session sends is read back from it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <zlib.h>

#include "agent/server-internal.h"
#include "base/base.h"

/* ------------------------------------------------------------------------- */
/* The client side */

static void put32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void frame(struct kl_buf *out, bool control, uint32_t first, uint8_t flags,
                  const void *payload, size_t len)
{
        uint8_t h[8];

        put32(h, control ? (0x80000000u | 3u << 16 | first) : first);
        put32(h + 4, (uint32_t)flags << 24 | (uint32_t)len);
        cr_assert_eq(kl_buf_append(out, h, 8), 0);
        if (len)
                cr_assert_eq(kl_buf_append(out, payload, len), 0);
}

struct client {
        z_stream def, inf;
        bool inf_dict;
};

static void client_init(struct client *c)
{
        size_t dlen;
        const uint8_t *d = kl_agent__spdy_dictionary(&dlen);

        memset(c, 0, sizeof(*c));
        cr_assert_eq(deflateInit(&c->def, 6), Z_OK);
        cr_assert_eq(deflateSetDictionary(&c->def, d, (uInt)dlen), Z_OK);
        cr_assert_eq(inflateInit(&c->inf), Z_OK);
}

static void client_release(struct client *c)
{
        deflateEnd(&c->def);
        inflateEnd(&c->inf);
}

static void client_block(struct client *c, const char *const *pairs, struct kl_buf *out)
{
        uint8_t raw[1024], zbuf[2048];
        size_t n = 4, count = 0;

        for (; pairs[2 * count]; count++) {
                for (int k = 0; k < 2; k++) {
                        size_t l = strlen(pairs[2 * count + k]);

                        put32(raw + n, (uint32_t)l);
                        memcpy(raw + n + 4, pairs[2 * count + k], l);
                        n += 4 + l;
                }
        }
        put32(raw, (uint32_t)count);
        c->def.next_in = raw;
        c->def.avail_in = (uInt)n;
        c->def.next_out = zbuf;
        c->def.avail_out = sizeof(zbuf);
        cr_assert_eq(deflate(&c->def, Z_SYNC_FLUSH), Z_OK);
        cr_assert_eq(kl_buf_append(out, zbuf, sizeof(zbuf) - c->def.avail_out), 0);
}

/* Inflate a block the server sent; returns the pair count. */
static uint32_t client_inflate(struct client *c, const uint8_t *p, size_t len)
{
        uint8_t out[4096];
        int r;

        c->inf.next_in = (Bytef *)(uintptr_t)p;
        c->inf.avail_in = (uInt)len;
        c->inf.next_out = out;
        c->inf.avail_out = sizeof(out);
        r = inflate(&c->inf, Z_SYNC_FLUSH);
        if (r == Z_NEED_DICT) {
                size_t dlen;
                const uint8_t *d = kl_agent__spdy_dictionary(&dlen);

                cr_assert(!c->inf_dict);
                c->inf_dict = true;
                cr_assert_eq(inflateSetDictionary(&c->inf, d, (uInt)dlen), Z_OK);
                r = inflate(&c->inf, Z_SYNC_FLUSH);
        }
        cr_assert(r == Z_OK || r == Z_BUF_ERROR, "inflate: %d", r);
        cr_assert_geq(sizeof(out) - c->inf.avail_out, 4);
        return get32(out);
}

static void syn_stream(struct client *c, struct kl_buf *out, uint32_t id, const char *type)
{
        const char *pairs[] = { "streamtype", type, NULL };
        struct kl_buf p = KL_BUF_INIT;
        uint8_t head[10] = { 0 };

        put32(head, id);
        cr_assert_eq(kl_buf_append(&p, head, sizeof(head)), 0);
        client_block(c, pairs, &p);
        frame(out, true, KL_AGENT__SPDY_SYN_STREAM, 0, p.buf, p.len);
        kl_buf_release(&p);
}

static void data(struct kl_buf *out, uint32_t id, uint8_t flags, const char *s)
{
        frame(out, false, id, flags, s, strlen(s));
}

static void control8(struct kl_buf *out, uint16_t type, uint32_t a, uint32_t b)
{
        uint8_t p[8];

        put32(p, a);
        put32(p + 4, b);
        frame(out, true, type, 0, p, sizeof(p));
}

/* ------------------------------------------------------------------------- */
/* The transport and the owner: buffers */

struct env {
        struct client c;
        struct kl_agent__sx *sx;
        struct kl_buf sent;     /* what the session wrote */
        size_t read;            /* of `sent`, parsed by next_frame() */
        struct kl_buf messages; /* channel messages, each as "[ch]payload|" */
        bool ended, paused;
        int fail_send;
};

static int t_send(void *arg, const void *d, size_t len)
{
        struct env *e = arg;

        if (e->fail_send)
                return -ECONNRESET;
        cr_assert_eq(kl_buf_append(&e->sent, d, len), 0);
        return 0;
}

static size_t t_queued(void *arg)
{
        (void)arg;
        return 0;
}

static void t_pause(void *arg, bool pause)
{
        ((struct env *)arg)->paused = pause;
}

static void t_end(void *arg)
{
        ((struct env *)arg)->ended = true;
}

static void on_message(void *arg, const uint8_t *msg, size_t len)
{
        struct env *e = arg;

        cr_assert_geq(len, 1);
        if (msg[0] == 255)
                cr_assert_eq(kl_buf_printf(&e->messages, "[255]%u|", len > 1 ? msg[1] : 999u), 0);
        else
                cr_assert_eq(kl_buf_printf(&e->messages, "[%u]%.*s|", msg[0], (int)(len - 1),
                                           (const char *)msg + 1),
                             0);
}

static void env_init(struct env *e, unsigned expect)
{
        memset(e, 0, sizeof(*e));
        client_init(&e->c);
        kl_buf_init(&e->sent, SIZE_MAX);
        kl_buf_init(&e->messages, SIZE_MAX);
        e->sx = kl_agent__sx_new(&(struct kl_agent__pf_transport){ .send = t_send,
                                                                   .queued = t_queued,
                                                                   .pause = t_pause,
                                                                   .end = t_end,
                                                                   .arg = e },
                                 expect, on_message, e);
}

static void env_release(struct env *e)
{
        kl_agent__sx_free(e->sx);
        client_release(&e->c);
        kl_buf_release(&e->sent);
        kl_buf_release(&e->messages);
}

static void feed(struct env *e, struct kl_buf *b)
{
        kl_agent__sx_feed(e->sx, b->buf, b->len);
        kl_buf_reset(b);
}

/* One frame the server sent, described: "REPLY 3", "DATA 5 out", "DATA 5 FIN", "PING 7", ... */
static bool next_frame(struct env *e, char *out, size_t size)
{
        const uint8_t *p = (const uint8_t *)e->sent.buf + e->read;
        size_t left = e->sent.len - e->read, len;

        if (left == 0)
                return false;
        cr_assert_geq(left, 8);
        len = get32(p + 4) & 0xffffff;
        cr_assert_geq(left, 8 + len);
        if (!(p[0] & 0x80)) {
                uint32_t id = get32(p) & 0x7fffffff;

                if (p[4] & KL_AGENT__SPDY_FLAG_FIN)
                        (void)snprintf(out, size, "DATA %u FIN%s%.*s", id, len ? " " : "", (int)len,
                                       (const char *)p + 8);
                else
                        (void)snprintf(out, size, "DATA %u %.*s", id, (int)len,
                                       (const char *)p + 8);
        } else {
                uint16_t type = (uint16_t)(p[2] << 8 | p[3]);

                cr_assert_eq(get32(p) & 0x7fff0000u, 3u << 16, "version 3");
                switch (type) {
                case KL_AGENT__SPDY_SYN_REPLY:
                        cr_assert_geq(len, 4);
                        cr_expect_eq(client_inflate(&e->c, p + 12, len - 4), 0,
                                     "a reply without headers");
                        (void)snprintf(out, size, "REPLY %u", get32(p + 8) & 0x7fffffff);
                        break;
                case KL_AGENT__SPDY_RST_STREAM:
                        (void)snprintf(out, size, "RST %u %u", get32(p + 8), get32(p + 12));
                        break;
                case KL_AGENT__SPDY_PING:
                        (void)snprintf(out, size, "PING %u", get32(p + 8));
                        break;
                case KL_AGENT__SPDY_GOAWAY:
                        (void)snprintf(out, size, "GOAWAY %u", get32(p + 12));
                        break;
                default:
                        (void)snprintf(out, size, "CONTROL %u", type);
                }
        }
        e->read += 8 + len;
        return true;
}

/* Every frame sent since the last call, joined with ", ". */
static void frames(struct env *e, char *out, size_t size)
{
        char one[256];
        size_t n = 0;

        out[0] = '\0';
        while (next_frame(e, one, sizeof(one)))
                n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ", " : "", one);
}

static void take_messages(struct env *e, char *out, size_t size)
{
        (void)snprintf(out, size, "%.*s", (int)e->messages.len,
                       e->messages.buf ? e->messages.buf : "");
        kl_buf_reset(&e->messages);
}

/* ------------------------------------------------------------------------- */
/* Tests */

/* kubectl exec -i: error, stdin, stdout, stderr (IDs 1, 3, 5, 7), then data both ways. */
Test(spdy_exec, streams_carry_the_channels)
{
        static const char status[] = "{\"metadata\":{},\"status\":\"Success\"}";
        struct env e;
        struct kl_buf in = KL_BUF_INIT;
        char got[2048];

        env_init(&e, KL_AGENT__SX_STDIN | KL_AGENT__SX_STDOUT | KL_AGENT__SX_STDERR);
        syn_stream(&e.c, &in, 1, "error");
        syn_stream(&e.c, &in, 3, "stdin");
        syn_stream(&e.c, &in, 5, "stdout");
        syn_stream(&e.c, &in, 7, "stderr");
        feed(&e, &in);
        frames(&e, got, sizeof(got));
        cr_expect_str_eq(got, "REPLY 1, REPLY 3, REPLY 5, REPLY 7");

        data(&in, 3, 0, "abc");
        data(&in, 3, KL_AGENT__SPDY_FLAG_FIN, "def");
        feed(&e, &in);
        take_messages(&e, got, sizeof(got));
        cr_expect_str_eq(got, "[0]abc|[0]def|[255]0|");

        cr_expect_eq(kl_agent__sx_send(e.sx, 1, "out", 3), 0);
        cr_expect_eq(kl_agent__sx_send(e.sx, 2, "err", 3), 0);
        cr_expect_eq(kl_agent__sx_send(e.sx, 3, status, strlen(status)), 0);
        cr_expect_eq(kl_agent__sx_send(e.sx, 0, "x", 1), -EINVAL, "stdin is the client's");
        cr_expect_eq(kl_agent__sx_send(e.sx, 4, "x", 1), -EINVAL);
        frames(&e, got, sizeof(got));
        cr_expect_str_eq(got,
                         "DATA 5 out, DATA 7 err, DATA 1 {\"metadata\":{},\"status\":\"Success\"}");

        cr_expect(!e.ended);
        kl_agent__sx_end(e.sx);
        frames(&e, got, sizeof(got));
        cr_expect_str_eq(got, "DATA 5 FIN, DATA 7 FIN, DATA 1 FIN");
        cr_expect(e.ended);
        cr_expect_eq(kl_agent__sx_send(e.sx, 1, "late", 4), -ECONNRESET);
        kl_buf_release(&in);
        env_release(&e);
}

/* Output for a stream the client has not opened yet waits for it, and is counted as queued. */
Test(spdy_exec, output_before_the_stream_is_held)
{
        struct env e;
        struct kl_buf in = KL_BUF_INIT;
        char got[1024];

        env_init(&e, KL_AGENT__SX_STDOUT);
        cr_expect_eq(kl_agent__sx_send(e.sx, 1, "early", 5), 0);
        cr_expect_eq(kl_agent__sx_queued(e.sx), 5);
        frames(&e, got, sizeof(got));
        cr_expect_str_eq(got, "");
        syn_stream(&e.c, &in, 1, "error");
        syn_stream(&e.c, &in, 3, "stdout");
        feed(&e, &in);
        frames(&e, got, sizeof(got));
        cr_expect_str_eq(got, "REPLY 1, REPLY 3, DATA 3 early");
        cr_expect_eq(kl_agent__sx_queued(e.sx), 0);
        kl_buf_release(&in);
        env_release(&e);
}

/* The end waits until every stream the client will open is open (client-go waits for replies). */
Test(spdy_exec, end_waits_for_the_expected_streams)
{
        struct env e;
        struct kl_buf in = KL_BUF_INIT;
        char got[1024];

        env_init(&e, KL_AGENT__SX_STDOUT | KL_AGENT__SX_RESIZE);
        syn_stream(&e.c, &in, 1, "error");
        feed(&e, &in);
        kl_agent__sx_pause(e.sx, true);
        cr_expect(e.paused);
        kl_agent__sx_end(e.sx);
        cr_expect(!e.paused, "the end reads the streams still to come");
        cr_expect(!e.ended);
        syn_stream(&e.c, &in, 3, "stdout");
        feed(&e, &in);
        cr_expect(!e.ended);
        syn_stream(&e.c, &in, 5, "resize");
        data(&in, 5, 0, "{\"Width\":80,\"Height\":24}");
        feed(&e, &in);
        frames(&e, got, sizeof(got));
        cr_expect_str_eq(got, "REPLY 1, REPLY 3, REPLY 5, DATA 3 FIN, DATA 1 FIN");
        cr_expect(e.ended);
        take_messages(&e, got, sizeof(got));
        cr_expect_str_eq(got, "", "input after the end is dropped");
        kl_buf_release(&in);
        env_release(&e);
}

/* Paused, stdin waits (unparsed) while control frames before it are handled. */
Test(spdy_exec, pause_holds_stdin_and_resize)
{
        struct env e;
        struct kl_buf in = KL_BUF_INIT;
        char got[1024];

        env_init(&e, KL_AGENT__SX_STDIN | KL_AGENT__SX_RESIZE);
        syn_stream(&e.c, &in, 1, "error");
        syn_stream(&e.c, &in, 3, "stdin");
        syn_stream(&e.c, &in, 5, "resize");
        feed(&e, &in);
        frames(&e, got, sizeof(got));
        kl_agent__sx_pause(e.sx, true);
        control8(&in, KL_AGENT__SPDY_WINDOW_UPDATE, 3, 1000);
        data(&in, 5, 0, "{\"Width\":100,\"Height\":30}\n");
        data(&in, 3, 0, "ls\n");
        feed(&e, &in);
        take_messages(&e, got, sizeof(got));
        cr_expect_str_eq(got, "");
        kl_agent__sx_pause(e.sx, false);
        cr_expect(!e.paused);
        take_messages(&e, got, sizeof(got));
        cr_expect_str_eq(got, "[4]{\"Width\":100,\"Height\":30}\n|[0]ls\n|");
        /* RST_STREAM of stdin (client-go's end of a stream) also closes stdin. */
        control8(&in, KL_AGENT__SPDY_RST_STREAM, 3, 5);
        feed(&e, &in);
        take_messages(&e, got, sizeof(got));
        cr_expect_str_eq(got, "[255]0|");
        kl_buf_release(&in);
        env_release(&e);
}

/* PING from the client is echoed; GOAWAY ends the session; RST_STREAM silences a stream. */
Test(spdy_exec, ping_rst_goaway)
{
        struct env e;
        struct kl_buf in = KL_BUF_INIT;
        uint8_t id[4];
        char got[1024];

        env_init(&e, KL_AGENT__SX_STDOUT);
        syn_stream(&e.c, &in, 1, "error");
        syn_stream(&e.c, &in, 3, "stdout");
        put32(id, 7);
        frame(&in, true, KL_AGENT__SPDY_PING, 0, id, 4);
        put32(id, 8);
        frame(&in, true, KL_AGENT__SPDY_PING, 0, id, 4);
        control8(&in, KL_AGENT__SPDY_RST_STREAM, 3, 5);
        feed(&e, &in);
        frames(&e, got, sizeof(got));
        cr_expect_str_eq(got, "REPLY 1, REPLY 3, PING 7");
        cr_expect_eq(kl_agent__sx_send(e.sx, 1, "dropped", 7), 0);
        frames(&e, got, sizeof(got));
        cr_expect_str_eq(got, "", "nothing more on a reset stream");
        control8(&in, KL_AGENT__SPDY_GOAWAY, 3, 0);
        feed(&e, &in);
        cr_expect(e.ended);
        kl_buf_release(&in);
        env_release(&e);
}

/* What is wrong with a client's frames, and what the session answers. */
Test(spdy_exec, protocol_errors_table)
{
        static const struct {
                const char *name;
                const char *stream_type; /* a SYN_STREAM of this type on `id`, or NULL */
                const char *raw;         /* else: these bytes */
                const char *want;
                size_t raw_len;
                uint32_t id;
                bool ended;
        } cases[] = {
                { "unknown stream type", "data", NULL, "RST 1 1", 0, 1, false },
                { "stream id 0", "stdout", NULL, "RST 0 1", 0, 0, false },
                { "SPDY version 2", NULL, "\x80\x02\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01",
                  "GOAWAY 1", 12, 0, true },
                { "PING of 3 bytes", NULL, "\x80\x03\x00\x06\x00\x00\x00\x03\x00\x00\x01",
                  "GOAWAY 1", 11, 0, true },
                { "header block that does not inflate", NULL,
                  "\x80\x03\x00\x01\x00\x00\x00\x0e\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                  "\xff\xff\xff\xff",
                  "GOAWAY 1", 22, 0, true },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct env e;
                struct kl_buf in = KL_BUF_INIT;
                char got[1024];

                env_init(&e, 0);
                if (cases[i].stream_type)
                        syn_stream(&e.c, &in, cases[i].id, cases[i].stream_type);
                else
                        cr_assert_eq(kl_buf_append(&in, cases[i].raw, cases[i].raw_len), 0);
                feed(&e, &in);
                frames(&e, got, sizeof(got));
                cr_expect_str_eq(got, cases[i].want, "%s", cases[i].name);
                cr_expect_eq(e.ended, cases[i].ended, "%s", cases[i].name);
                kl_buf_release(&in);
                env_release(&e);
        }
}

/* A second stream of the same type is refused; the first keeps its place. */
Test(spdy_exec, duplicate_stream_is_reset)
{
        struct env e;
        struct kl_buf in = KL_BUF_INIT;
        char got[1024];

        env_init(&e, KL_AGENT__SX_STDOUT);
        syn_stream(&e.c, &in, 1, "error");
        syn_stream(&e.c, &in, 3, "stdout");
        syn_stream(&e.c, &in, 5, "stdout");
        syn_stream(&e.c, &in, 3, "stderr");
        feed(&e, &in);
        frames(&e, got, sizeof(got));
        cr_expect_str_eq(got, "REPLY 1, REPLY 3, RST 5 1, RST 3 1");
        cr_expect_eq(kl_agent__sx_send(e.sx, 1, "x", 1), 0);
        frames(&e, got, sizeof(got));
        cr_expect_str_eq(got, "DATA 3 x");
        kl_buf_release(&in);
        env_release(&e);
}

/* Frames split at every byte boundary are reassembled. */
Test(spdy_exec, any_split_of_the_input)
{
        struct env e;
        struct kl_buf in = KL_BUF_INIT;
        char got[1024];

        env_init(&e, KL_AGENT__SX_STDIN);
        syn_stream(&e.c, &in, 1, "error");
        syn_stream(&e.c, &in, 3, "stdin");
        data(&in, 3, KL_AGENT__SPDY_FLAG_FIN, "hello");
        for (size_t i = 0; i < in.len; i++)
                kl_agent__sx_feed(e.sx, in.buf + i, 1);
        frames(&e, got, sizeof(got));
        cr_expect_str_eq(got, "REPLY 1, REPLY 3");
        take_messages(&e, got, sizeof(got));
        cr_expect_str_eq(got, "[0]hello|[255]0|");
        kl_buf_release(&in);
        env_release(&e);
}

/* A transport that fails ends the session. */
Test(spdy_exec, failed_send_ends)
{
        struct env e;
        struct kl_buf in = KL_BUF_INIT;

        env_init(&e, 0);
        e.fail_send = 1;
        syn_stream(&e.c, &in, 1, "error");
        feed(&e, &in);
        cr_expect(e.ended);
        cr_expect_eq(kl_agent__sx_send(e.sx, 3, "x", 1), -ECONNRESET);
        kl_buf_release(&in);
        env_release(&e);
}
