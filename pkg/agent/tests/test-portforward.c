/* SPDX-License-Identifier: Apache-2.0 */
/*
 * port-forward's SPDY/3.1 (kubectl-contract.md §17): the SPDY/3 header
 * dictionary, frame parsing and building, header blocks compressed on one
 * zlib stream per direction, and a session driven as kubectl drives it
 * against a real TCP server inside a network namespace the test makes (its
 * own thread unshares one, brings loopback up and listens there).
 *
 * The client side here is written independently of the code under test:
 * its frames are built by hand and its header blocks go through its own
 * zlib streams. The session tests need root (unshare) and skip without it.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zlib.h>

#include "agent/server-internal.h"
#include "base/base.h"
#include "loop/loop.h"

/* ------------------------------------------------------------------------- */
/* The client side: its own frames and zlib streams */

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

/* A header block (pairs NULL-terminated), compressed with the client's stream. */
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
        cr_assert_eq(c->def.avail_in, 0);
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
        cr_assert_eq(c->inf.avail_in, 0);
        cr_assert_geq(sizeof(out) - c->inf.avail_out, 4);
        return get32(out);
}

static void syn_stream(struct client *c, struct kl_buf *out, uint32_t id, const char *type,
                       const char *port, const char *rid)
{
        const char *pairs[] = { "streamtype", type, "port", port, "requestid", rid, NULL };
        struct kl_buf p = KL_BUF_INIT;
        uint8_t head[10] = { 0 };

        put32(head, id);
        cr_assert_eq(kl_buf_append(&p, head, sizeof(head)), 0);
        client_block(c, pairs, &p);
        frame(out, true, KL_AGENT__SPDY_SYN_STREAM, 0, p.buf, p.len);
        kl_buf_release(&p);
}

/* ------------------------------------------------------------------------- */
/* The dictionary */

Test(spdy, dictionary_is_the_spdy3_one)
{
        size_t len;
        const uint8_t *d = kl_agent__spdy_dictionary(&len);

        /* draft 3 §2.6.10.1: 1423 bytes; zlib's dictionary id (Adler-32) names it on the wire. */
        cr_assert_eq(len, 1423);
        cr_expect_eq(adler32(adler32(0, NULL, 0), d, (uInt)len), 0xe3c6a7c2u);
        cr_expect_eq(memcmp(d, "\0\0\0\7options\0\0\0\4head", 19), 0);
        cr_expect_eq(memcmp(d + len - 6, "enq=0.", 6), 0);
}

/* ------------------------------------------------------------------------- */
/* Frames */

Test(spdy, frame_parse_table)
{
        static const struct {
                const char *name;
                uint8_t bytes[24];
                size_t len;
                int want; /* 1, 0, -EPROTO, -EMSGSIZE */
                bool control;
                uint16_t type;
                uint8_t flags;
                uint32_t stream_id, value;
                uint32_t payload;
        } cases[] = {
                { "data with FIN",
                  { 0, 0, 0, 3, 1, 0, 0, 2, 'h', 'i' },
                  10,
                  1,
                  false,
                  0,
                  1,
                  3,
                  0,
                  2 },
                { "data, high bit of id clear",
                  { 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0 },
                  8,
                  1,
                  false,
                  0,
                  0,
                  0x7fffffff,
                  0,
                  0 },
                { "short header", { 0x80, 3, 0, 6 }, 4, 0 },
                { "payload not all here", { 0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0 }, 10, 0 },
                { "ping", { 0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 7 }, 12, 1, true, 6, 0, 0, 7, 0 },
                { "ping of 8 bytes",
                  { 0x80, 3, 0, 6, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 2 },
                  16,
                  -EPROTO },
                { "rst_stream cancel",
                  { 0x80, 3, 0, 3, 0, 0, 0, 8, 0, 0, 0, 5, 0, 0, 0, 5 },
                  16,
                  1,
                  true,
                  3,
                  0,
                  5,
                  5,
                  0 },
                { "rst_stream short", { 0x80, 3, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5 }, 12, -EPROTO },
                { "goaway",
                  { 0x80, 3, 0, 7, 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0, 0 },
                  16,
                  1,
                  true,
                  7,
                  0,
                  9,
                  0,
                  0 },
                { "window_update",
                  { 0x80, 3, 0, 9, 0, 0, 0, 8, 0, 0, 0, 1, 0, 1, 0, 0 },
                  16,
                  1,
                  true,
                  9,
                  0,
                  1,
                  65536,
                  0 },
                { "syn_stream too short",
                  { 0x80, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0 },
                  14,
                  -EPROTO },
                { "syn_stream",
                  { 0x80, 3, 0, 1, 0, 0, 0, 11, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xaa },
                  19,
                  1,
                  true,
                  1,
                  0,
                  1,
                  0,
                  1 },
                { "syn_reply",
                  { 0x80, 3, 0, 2, 0, 0, 0, 5, 0, 0, 0, 1, 0xbb },
                  13,
                  1,
                  true,
                  2,
                  0,
                  1,
                  0,
                  1 },
                { "settings carried",
                  { 0x80, 3, 0, 4, 0, 0, 0, 4, 0, 0, 0, 0 },
                  12,
                  1,
                  true,
                  4,
                  0,
                  0,
                  0,
                  4 },
                { "unknown type carried",
                  { 0x80, 3, 0, 0x42, 0, 0, 0, 0 },
                  8,
                  1,
                  true,
                  0x42,
                  0,
                  0,
                  0,
                  0 },
                { "spdy/2", { 0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1 }, 12, -EPROTO },
                { "frame over the bound", { 0, 0, 0, 1, 0, 0x10, 0, 1 }, 8, -EMSGSIZE },
                { "largest frame header", { 0, 0, 0, 1, 0, 0xff, 0xff, 0xff }, 8, -EMSGSIZE },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_agent__spdy_frame f;
                struct kl_err *e = NULL;
                size_t used = 0;
                int r = kl_agent__spdy_frame_parse(cases[i].bytes, cases[i].len, &f, &used, &e);

                cr_expect_eq(r, cases[i].want, "%s: %d", cases[i].name, r);
                cr_expect_eq(r < 0, e != NULL, "%s: error iff failure", cases[i].name);
                kl_err_free(e);
                if (r != 1)
                        continue;
                cr_expect_eq(used, cases[i].len, "%s", cases[i].name);
                cr_expect_eq(f.control, cases[i].control, "%s", cases[i].name);
                cr_expect_eq(f.flags, cases[i].flags, "%s", cases[i].name);
                cr_expect_eq(f.stream_id, cases[i].stream_id, "%s", cases[i].name);
                cr_expect_eq(f.len, cases[i].payload, "%s", cases[i].name);
                if (f.control) {
                        cr_expect_eq(f.type, cases[i].type, "%s", cases[i].name);
                        cr_expect_eq(f.value, cases[i].value, "%s", cases[i].name);
                }
        }
}

Test(spdy, frames_built_are_parsed_back)
{
        struct kl_buf b = KL_BUF_INIT;
        struct kl_agent__spdy_frame f;
        size_t used;
        static const uint8_t ping[4] = { 0, 0, 0, 3 };

        kl_agent__spdy_put_data(&b, 0x80000005u, KL_AGENT__SPDY_FLAG_FIN, "abc", 3);
        kl_agent__spdy_put_control(&b, KL_AGENT__SPDY_PING, 0, ping, 4);
        /* On the wire: the data frame's id without the control bit, then the ping. */
        cr_assert_eq(b.len, 11 + 12);
        cr_expect_eq(memcmp(b.buf, "\0\0\0\5\1\0\0\3abc", 11), 0);
        cr_expect_eq(memcmp(b.buf + 11, "\x80\3\0\6\0\0\0\4\0\0\0\3", 12), 0);
        cr_assert_eq(kl_agent__spdy_frame_parse((uint8_t *)b.buf, b.len, &f, &used, NULL), 1);
        cr_expect(!f.control && f.stream_id == 5 && f.flags == 1 && f.len == 3 && used == 11);
        cr_assert_eq(kl_agent__spdy_frame_parse((uint8_t *)b.buf + 11, b.len - 11, &f, &used, NULL),
                     1);
        cr_expect(f.control && f.type == KL_AGENT__SPDY_PING && f.value == 3);
        kl_buf_release(&b);
}

/* ------------------------------------------------------------------------- */
/* Header blocks */

Test(spdy, header_blocks_share_one_stream_per_direction)
{
        struct client c;
        struct kl_agent__spdy_zlib *z = kl_agent__spdy_zlib_new();
        const char *first[] = { "streamtype", "error", "port", "80", "requestid", "0", NULL };
        const char *second[] = { "streamtype", "data", "port", "80", "requestid", "0", NULL };
        struct kl_buf b1 = KL_BUF_INIT, b2 = KL_BUF_INIT, out = KL_BUF_INIT;
        char **h = NULL;

        client_init(&c);
        client_block(&c, first, &b1);
        client_block(&c, second, &b2);
        /* The second block refers back into the first: it decodes only on the same stream. */
        cr_assert_eq(kl_agent__spdy_headers_decode(z, (uint8_t *)b1.buf, b1.len, &h, NULL), 0);
        cr_assert_eq(kl_strv_length(h), 6);
        cr_expect_str_eq(h[0], "streamtype");
        cr_expect_str_eq(h[1], "error");
        cr_expect_str_eq(h[5], "0");
        h = kl_strv_free(h);
        cr_assert_eq(kl_agent__spdy_headers_decode(z, (uint8_t *)b2.buf, b2.len, &h, NULL), 0);
        cr_expect_str_eq(h[1], "data");
        h = kl_strv_free(h);

        /* Our direction: blocks the client's own inflate reads, zero pairs included. */
        static const char *const none[] = { NULL };
        kl_agent__spdy_headers_encode(z, none, &out);
        cr_expect_eq(client_inflate(&c, (uint8_t *)out.buf, out.len), 0);
        kl_buf_reset(&out);
        kl_agent__spdy_headers_encode(z, first, &out);
        cr_expect_eq(client_inflate(&c, (uint8_t *)out.buf, out.len), 3);

        kl_buf_release(&b1);
        kl_buf_release(&b2);
        kl_buf_release(&out);
        kl_agent__spdy_zlib_free(z);
        client_release(&c);
}

Test(spdy, header_block_values_and_bounds)
{
        static const struct {
                const char *name;
                uint8_t raw[64];
                size_t len;
                int want;
                const char *value; /* of the first pair */
        } cases[] = {
                { "no pairs", { 0, 0, 0, 0 }, 4, 0, NULL },
                { "several values keep the first",
                  { 0, 0, 0, 1, 0, 0, 0, 1, 'a', 0, 0, 0, 3, 'x', 0, 'y' },
                  16,
                  0,
                  "x" },
                { "empty value", { 0, 0, 0, 1, 0, 0, 0, 1, 'a', 0, 0, 0, 0 }, 13, 0, "" },
                { "no count", { 0, 0 }, 2, -EPROTO },
                { "count beyond the pairs",
                  { 0, 0, 0, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 0 },
                  13,
                  -EPROTO },
                { "length beyond the block", { 0, 0, 0, 1, 0, 0, 0, 9, 'a' }, 9, -EPROTO },
                { "empty name", { 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, 12, -EPROTO },
                { "NUL in a name", { 0, 0, 0, 1, 0, 0, 0, 2, 'a', 0, 0, 0, 0, 0 }, 14, -EPROTO },
                { "too many pairs", { 0, 0, 1, 0 }, 4, -EMSGSIZE },
                { "huge count", { 0xff, 0xff, 0xff, 0xff }, 4, -EMSGSIZE },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_agent__spdy_zlib *z = kl_agent__spdy_zlib_new();
                struct client c;
                uint8_t zbuf[256];
                struct kl_err *e = NULL;
                char **h = NULL;
                int r;

                client_init(&c);
                c.def.next_in = (Bytef *)(uintptr_t)cases[i].raw;
                c.def.avail_in = (uInt)cases[i].len;
                c.def.next_out = zbuf;
                c.def.avail_out = sizeof(zbuf);
                cr_assert_eq(deflate(&c.def, Z_SYNC_FLUSH), Z_OK);
                r = kl_agent__spdy_headers_decode(z, zbuf, sizeof(zbuf) - c.def.avail_out, &h, &e);
                cr_expect_eq(r, cases[i].want, "%s: %d", cases[i].name, r);
                cr_expect_eq(r < 0, e != NULL, "%s", cases[i].name);
                if (r == 0 && cases[i].value)
                        cr_expect_str_eq(h[1], cases[i].value, "%s", cases[i].name);
                kl_strv_free(h);
                kl_err_free(e);
                kl_agent__spdy_zlib_free(z);
                client_release(&c);
        }
}

Test(spdy, header_block_garbage_and_wrong_dictionary)
{
        struct kl_agent__spdy_zlib *z = kl_agent__spdy_zlib_new();
        static const uint8_t garbage[] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
        uint8_t zbuf[256];
        z_stream d = { 0 };
        char **h = NULL;

        cr_expect_eq(kl_agent__spdy_headers_decode(z, garbage, sizeof(garbage), &h, NULL), -EPROTO);
        kl_agent__spdy_zlib_free(z);

        /* A block compressed against another dictionary is refused. */
        z = kl_agent__spdy_zlib_new();
        cr_assert_eq(deflateInit(&d, 6), Z_OK);
        cr_assert_eq(deflateSetDictionary(&d, (const Bytef *)"other", 5), Z_OK);
        d.next_in = (Bytef *)(uintptr_t) "\0\0\0\0";
        d.avail_in = 4;
        d.next_out = zbuf;
        d.avail_out = sizeof(zbuf);
        cr_assert_eq(deflate(&d, Z_SYNC_FLUSH), Z_OK);
        cr_expect_eq(kl_agent__spdy_headers_decode(z, zbuf, sizeof(zbuf) - d.avail_out, &h, NULL),
                     -EPROTO);
        deflateEnd(&d);
        kl_agent__spdy_zlib_free(z);
}

Test(spdy, header_block_inflating_past_the_bound)
{
        struct kl_agent__spdy_zlib *z = kl_agent__spdy_zlib_new();
        struct client c;
        size_t big = KL_AGENT__SPDY_HEADERS_MAX + 16;
        uint8_t *raw = kl_calloc(big, 1), *zbuf = kl_malloc(big);
        struct kl_err *e = NULL;
        char **h = NULL;

        /* A small compressed block that inflates beyond 64 KiB (zeros compress well). */
        client_init(&c);
        put32(raw, 1);
        c.def.next_in = raw;
        c.def.avail_in = (uInt)big;
        c.def.next_out = zbuf;
        c.def.avail_out = (uInt)big;
        cr_assert_eq(deflate(&c.def, Z_SYNC_FLUSH), Z_OK);
        cr_assert_lt(big - c.def.avail_out, 1024);
        cr_expect_eq(kl_agent__spdy_headers_decode(z, zbuf, big - c.def.avail_out, &h, &e),
                     -EMSGSIZE);
        kl_err_free(e);
        free(raw);
        free(zbuf);
        client_release(&c);
        kl_agent__spdy_zlib_free(z);
}

/* ------------------------------------------------------------------------- */
/* Sessions: a TCP server in a network namespace of the test's */

static struct {
        pthread_t thread;
        int listen_fd;
        int ns_fd;
        char ns_path[64];
        uint16_t port;
        bool ready, failed;
        pthread_mutex_t lock;
        pthread_cond_t cond;
} ns_srv = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

/*
 * Inside the namespace: each connection is read to its end, then answered
 * "echo:" + what it sent, then closed (so the client's FIN must reach it).
 */
static void *ns_server(void *arg)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t alen = sizeof(a);
        struct ifreq ifr = { 0 };
        int s;

        (void)arg;
        pthread_mutex_lock(&ns_srv.lock);
        if (unshare(CLONE_NEWNET) < 0)
                goto fail;
        s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        (void)snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
        if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                goto fail;
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                goto fail;
        close(s);
        ns_srv.ns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        ns_srv.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (ns_srv.ns_fd < 0 || ns_srv.listen_fd < 0 ||
            bind(ns_srv.listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
            listen(ns_srv.listen_fd, 8) < 0 ||
            getsockname(ns_srv.listen_fd, (struct sockaddr *)&a, &alen) < 0)
                goto fail;
        ns_srv.port = ntohs(a.sin_port);
        (void)snprintf(ns_srv.ns_path, sizeof(ns_srv.ns_path), "/proc/%d/fd/%d", (int)getpid(),
                       ns_srv.ns_fd);
        ns_srv.ready = true;
        pthread_cond_signal(&ns_srv.cond);
        pthread_mutex_unlock(&ns_srv.lock);
        for (;;) {
                char buf[4096], reply[4200];
                size_t got = 0;
                ssize_t n;
                int c = accept4(ns_srv.listen_fd, NULL, NULL, SOCK_CLOEXEC);

                if (c < 0)
                        return NULL; /* shut down by the test */
                while (got < sizeof(buf) && (n = read(c, buf + got, sizeof(buf) - got)) > 0)
                        got += (size_t)n;
                n = snprintf(reply, sizeof(reply), "echo:%.*s", (int)got, buf);
                (void)!write(c, reply, (size_t)n);
                close(c);
        }
fail:
        ns_srv.failed = true;
        ns_srv.ready = true;
        pthread_cond_signal(&ns_srv.cond);
        pthread_mutex_unlock(&ns_srv.lock);
        return NULL;
}

static void ns_start(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root (unshare of a network namespace)");
        ns_srv.ready = ns_srv.failed = false;
        cr_assert_eq(pthread_create(&ns_srv.thread, NULL, ns_server, NULL), 0);
        pthread_mutex_lock(&ns_srv.lock);
        while (!ns_srv.ready)
                pthread_cond_wait(&ns_srv.cond, &ns_srv.lock);
        pthread_mutex_unlock(&ns_srv.lock);
        cr_assert(!ns_srv.failed, "network namespace: %s", strerror(errno));
}

static void ns_stop(void)
{
        shutdown(ns_srv.listen_fd, SHUT_RDWR);
        pthread_join(ns_srv.thread, NULL);
        close(ns_srv.listen_fd);
        close(ns_srv.ns_fd);
}

/* The transport: what the session sends is collected and parsed as kubectl would. */
struct tr {
        struct kl_buf out; /* unparsed server bytes */
        bool ended;
        bool paused;
        struct client c;
        /* What came back, per stream id (small ids only). */
        bool replied[16];
        bool fin[16];
        struct kl_buf data[16];
        uint32_t pings[4];
        size_t n_pings;
        bool goaway;
};

static int tr_send(void *arg, const void *data, size_t len)
{
        struct tr *t = arg;

        cr_assert_eq(kl_buf_append(&t->out, data, len), 0);
        return 0;
}

static size_t tr_queued(void *arg)
{
        (void)arg;
        return 0;
}

static void tr_pause(void *arg, bool pause)
{
        ((struct tr *)arg)->paused = pause;
}

static void tr_end(void *arg)
{
        ((struct tr *)arg)->ended = true;
}

/* Parse what the server sent so far. */
static void tr_parse(struct tr *t)
{
        size_t off = 0, used;
        struct kl_agent__spdy_frame f;

        while (kl_agent__spdy_frame_parse((uint8_t *)t->out.buf + off, t->out.len - off, &f, &used,
                                          NULL) == 1) {
                off += used;
                if (!f.control) {
                        cr_assert_lt(f.stream_id, 16);
                        /* kubectl drops DATA on a stream it has no reply for. */
                        cr_assert(t->replied[f.stream_id], "DATA before SYN_REPLY on %u",
                                  f.stream_id);
                        cr_assert(!t->fin[f.stream_id], "DATA after FIN on %u", f.stream_id);
                        cr_assert_eq(kl_buf_append(&t->data[f.stream_id], f.payload, f.len), 0);
                        if (f.flags & KL_AGENT__SPDY_FLAG_FIN)
                                t->fin[f.stream_id] = true;
                        continue;
                }
                if (f.type == KL_AGENT__SPDY_SYN_REPLY) {
                        cr_assert_lt(f.stream_id, 16);
                        cr_assert_eq(client_inflate(&t->c, f.payload, f.len), 0);
                        t->replied[f.stream_id] = true;
                } else if (f.type == KL_AGENT__SPDY_PING) {
                        cr_assert_lt(t->n_pings, 4);
                        t->pings[t->n_pings++] = f.value;
                } else if (f.type == KL_AGENT__SPDY_GOAWAY) {
                        t->goaway = true;
                }
        }
        memmove(t->out.buf, t->out.buf + off, t->out.len - off);
        kl_buf_truncate(&t->out, t->out.len - off);
}

static void tr_init(struct tr *t)
{
        memset(t, 0, sizeof(*t));
        kl_buf_init(&t->out, SIZE_MAX);
        for (size_t i = 0; i < 16; i++)
                kl_buf_init(&t->data[i], SIZE_MAX);
        client_init(&t->c);
}

static void tr_release(struct tr *t)
{
        kl_buf_release(&t->out);
        for (size_t i = 0; i < 16; i++)
                kl_buf_release(&t->data[i]);
        client_release(&t->c);
}

static struct kl_agent__pf *session(uv_loop_t *loop, struct tr *t, const char *netns)
{
        return kl_agent__pf_new(loop, netns, (size_t)1 << 20,
                                &(struct kl_agent__pf_transport){ .send = tr_send,
                                                                  .queued = tr_queued,
                                                                  .pause = tr_pause,
                                                                  .end = tr_end,
                                                                  .arg = t });
}

/* Feed `b` to the session, in pieces of `step` bytes (WebSocket messages cut anywhere). */
static void feed(struct kl_agent__pf *pf, struct kl_buf *b, size_t step)
{
        for (size_t off = 0; off < b->len; off += step)
                kl_agent__pf_feed(pf, b->buf + off, KL_MIN(step, b->len - off));
        kl_buf_reset(b);
}

/* Run the loop until both streams of a pair are finished by the server. */
static void run_until_fin(uv_loop_t *loop, struct tr *t, uint32_t err_id, uint32_t data_id)
{
        while (!(t->fin[err_id] && t->fin[data_id])) {
                (void)kl_loop_run(loop, UV_RUN_ONCE);
                tr_parse(t);
        }
}

static void loop_finish(uv_loop_t *loop)
{
        cr_assert_eq(kl_loop_finish(loop), 0, "handles left open");
}

/* Two local connections (request ids 0 and 1) over one session, as kubectl makes them. */
Test(portforward, serves_two_requests_in_the_pod_namespace)
{
        uv_loop_t loop;
        struct tr t;
        struct kl_buf in = KL_BUF_INIT;
        struct kl_agent__pf *pf;
        char port[8];

        ns_start();
        (void)snprintf(port, sizeof(port), "%u", ns_srv.port);
        cr_assert_eq(kl_loop_init(&loop), 0);
        tr_init(&t);
        pf = session(&loop, &t, ns_srv.ns_path);

        for (uint32_t req = 0; req < 2; req++) {
                uint32_t err_id = 1 + 4 * req, data_id = 3 + 4 * req;
                char rid[4], body[32];

                (void)snprintf(rid, sizeof(rid), "%u", req);
                (void)snprintf(body, sizeof(body), "GET /%u", req);
                syn_stream(&t.c, &in, err_id, "error", port, rid);
                frame(&in, false, err_id, KL_AGENT__SPDY_FLAG_FIN, NULL, 0);
                syn_stream(&t.c, &in, data_id, "data", port, rid);
                frame(&in, false, data_id, 0, body, strlen(body));
                frame(&in, false, data_id, KL_AGENT__SPDY_FLAG_FIN, NULL, 0);
                feed(pf, &in, req == 0 ? 3 : 1000);
                run_until_fin(&loop, &t, err_id, data_id);

                cr_expect(t.replied[err_id] && t.replied[data_id]);
                cr_expect_eq(t.data[err_id].len, 0, "error stream: %s", t.data[err_id].buf);
                (void)snprintf(body, sizeof(body), "echo:GET /%u", req);
                cr_expect_str_eq(t.data[data_id].buf, body);
                /* kubectl resets the data stream once the copy is over. */
                {
                        uint8_t rst[8];

                        put32(rst, data_id);
                        put32(rst + 4, 5);
                        frame(&in, true, KL_AGENT__SPDY_RST_STREAM, 0, rst, 8);
                        feed(pf, &in, 1000);
                }
        }
        cr_expect(!t.ended && !t.goaway);
        kl_agent__pf_close(pf);
        loop_finish(&loop);
        tr_release(&t);
        kl_buf_release(&in);
        ns_stop();
}

/*
 * A port nothing listens on inside the namespace: upstream's text on the
 * error stream, both streams finished, and the session goes on (PING echo).
 */
Test(portforward, connect_failure_is_reported_on_the_error_stream)
{
        uv_loop_t loop;
        struct tr t;
        struct kl_buf in = KL_BUF_INIT;
        struct kl_agent__pf *pf;
        uint8_t ping[4];

        ns_start();
        cr_assert_eq(kl_loop_init(&loop), 0);
        tr_init(&t);
        pf = session(&loop, &t, ns_srv.ns_path);
        syn_stream(&t.c, &in, 1, "error", "1", "0");
        syn_stream(&t.c, &in, 3, "data", "1", "0");
        put32(ping, 1);
        frame(&in, true, KL_AGENT__SPDY_PING, 0, ping, 4);
        feed(pf, &in, 1000);
        run_until_fin(&loop, &t, 1, 3);
        cr_expect_str_eq(t.data[1].buf,
                         "failed to connect to localhost:1 inside namespace: connection refused");
        cr_expect_eq(t.data[3].len, 0);
        cr_assert_eq(t.n_pings, 1);
        cr_expect_eq(t.pings[0], 1);
        cr_expect(!t.ended);
        kl_agent__pf_close(pf);
        loop_finish(&loop);
        tr_release(&t);
        kl_buf_release(&in);
        ns_stop();
}

/* A bad port is reported as upstream does; a stream type it does not know is reset. */
Test(portforward, bad_port_and_stream_type)
{
        uv_loop_t loop;
        struct tr t;
        struct kl_buf in = KL_BUF_INIT;
        struct kl_agent__pf *pf;

        cr_assert_eq(kl_loop_init(&loop), 0);
        tr_init(&t);
        pf = session(&loop, &t, NULL);
        syn_stream(&t.c, &in, 1, "error", "http", "0");
        syn_stream(&t.c, &in, 3, "data", "http", "0");
        syn_stream(&t.c, &in, 5, "resize", "80", "1");
        feed(pf, &in, 7);
        tr_parse(&t);
        cr_expect(t.fin[1] && t.fin[3]);
        cr_expect_str_eq(t.data[1].buf, "error parsing port \"http\": invalid port");
        cr_expect(!t.replied[5], "an unknown stream type is reset, not replied");
        cr_expect(!t.ended);
        kl_agent__pf_close(pf);
        loop_finish(&loop);
        tr_release(&t);
        kl_buf_release(&in);
}

/* GOAWAY from the client ends the session; a malformed frame gets a GOAWAY and ends it. */
Test(portforward, goaway_and_protocol_errors_end_the_session)
{
        static const struct {
                const char *name;
                uint8_t bytes[16];
                size_t len;
                bool goaway_sent;
        } cases[] = {
                { "client goaway",
                  { 0x80, 3, 0, 7, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0 },
                  16,
                  false },
                { "spdy/2 frame", { 0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1 }, 12, true },
                { "oversized frame", { 0, 0, 0, 1, 0, 0xff, 0xff, 0xff }, 8, true },
                { "bad header block",
                  { 0x80, 3, 0, 8, 0, 0, 0, 6, 0, 0, 0, 1, 0x12, 0x34 },
                  14,
                  true },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                uv_loop_t loop;
                struct tr t;
                struct kl_agent__pf *pf;

                cr_assert_eq(kl_loop_init(&loop), 0);
                tr_init(&t);
                pf = session(&loop, &t, NULL);
                kl_agent__pf_feed(pf, cases[i].bytes, cases[i].len);
                tr_parse(&t);
                cr_expect(t.ended, "%s: ended", cases[i].name);
                cr_expect_eq(t.goaway, cases[i].goaway_sent, "%s: goaway", cases[i].name);
                /* Nothing more is read once it is over. */
                kl_agent__pf_feed(pf, "\x80\3\0\6\0\0\0\4\0\0\0\1", 12);
                tr_parse(&t);
                cr_expect_eq(t.n_pings, 0, "%s", cases[i].name);
                kl_agent__pf_close(pf);
                loop_finish(&loop);
                tr_release(&t);
        }
}
