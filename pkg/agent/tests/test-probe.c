/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Probes against upstream's behaviour: the parsers of what servers send
 * (HTTP/1.x, Huffman and HPACK, HTTP/2 frames of a gRPC call), then real
 * runs — httpGet, tcpSocket and grpc against servers a forked child runs in
 * a network namespace of its own (the probes reach them on 127.0.0.1 through
 * /proc/<child>/ns/net, as they reach a pod), exec against a real container
 * — and the probe workers' schedule and thresholds on a real loop.
 *
 * The test binary is also the container shim the runtime re-executes (see
 * main() at the end), as in pkg/container/tests/test-container.c.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/ssl.h>

#include "agent/pod-internal.h"
#include "agent/probe-internal.h"
#include "loop/loop.h"
#include "pki/pki.h"
#include "testing/testing.h"

#define PORT_HTTP   8080
#define PORT_SILENT 8081 /* listens, never accepts: requests get no answer */
#define PORT_CLOSE  8082 /* accepts and closes at once */
#define PORT_HTTPS  8443
#define PORT_GRPC   9090
#define PORT_NOGRPC 9091 /* answers every call with UNIMPLEMENTED */

static json_t *J(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text, 0, &e);

        cr_assert(v, "bad test JSON: %s: %s", e.text, text);
        return v;
}

/* ------------------------------------------------------------------------- */
/* HTTP/1.x responses */

struct h1_case {
        const char *in;
        int want; /* 1: complete, 0: more needed, -1: error */
        int status;
        const char *body;
        const char *location;
        const char *error; /* a part of the error message */
};

static void h1_check(const struct h1_case *c, bool bytewise)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_agent__http1 r;
        size_t len = strlen(c->in);
        int got = 0;

        kl_agent__http1_init(&r);
        if (bytewise) {
                for (size_t i = 0; i < len && got == 0; i++)
                        got = kl_agent__http1_feed(&r, c->in + i, 1, &e);
        } else {
                got = kl_agent__http1_feed(&r, c->in, len, &e);
        }
        if (got == 0 && c->want != 0)
                got = kl_agent__http1_feed(&r, NULL, 0, &e); /* EOF */
        cr_expect_eq(got < 0 ? -1 : got, c->want, "%s: got %d (%s)", c->in, got, kl_err_msg(e));
        if (c->want == 1) {
                cr_expect_eq(r.status, c->status, "%s", c->in);
                cr_expect_str_eq(r.body.buf, c->body ?: "", "%s", c->in);
                if (c->location)
                        cr_expect_str_eq(r.location ?: "(null)", c->location);
        }
        if (c->error)
                cr_expect(strstr(kl_err_msg(e), c->error), "%s: '%s'", c->in, kl_err_msg(e));
        kl_agent__http1_release(&r);
}

Test(probe_parse, http1_responses)
{
        static const struct h1_case cases[] = {
                { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 1, 200, "ok" },
                { "HTTP/1.0 500 Internal Server Error\r\n\r\nboom", 1, 500, "boom" },
                { "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 1, 404, "" },
                { "HTTP/1.1 301 Moved\r\nLocation: /there\r\nContent-Length: 0\r\n\r\n", 1, 301, "",
                  "/there" },
                { "HTTP/1.1 204 No Content\r\n\r\n", 1, 204, "" },
                { "HTTP/1.1 200 OK\nContent-Length: 3\n\nabc", 1, 200, "abc" },
                { "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", 1,
                  200, "x" },
                { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: x\r\n\r\n",
                  1, 200, "abcde" },
                { "HTTP/1.1 200\r\n\r\n", 1, 200, "" },
                { "", -1, 0, NULL, NULL, "EOF" },
                { "HTTP/1.1 200 OK\r\nContent-Le", -1, 0, NULL, NULL, "unexpected EOF" },
                { "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", -1, 0, NULL, NULL,
                  "unexpected EOF" },
                { "garbage\r\n\r\n", -1, 0, NULL, NULL, "malformed HTTP response \"garbage\"" },
                { "HTTP/1.1 2x0 OK\r\n\r\n", -1, 0, NULL, NULL, "malformed HTTP status code" },
                { "HTTP/1.1 200 OK\r\nno colon\r\n\r\n", -1, 0, NULL, NULL,
                  "malformed MIME header line" },
                { "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", -1, 0, NULL,
                  NULL, "multiple Content-Length" },
                { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", -1, 0, NULL, NULL,
                  "malformed chunked encoding" },
                { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", 0 },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                h1_check(&cases[i], false);
                h1_check(&cases[i], true);
        }
}

Test(probe_parse, http1_body_is_bounded)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autobuf struct kl_buf in = KL_BUF_INIT;
        struct kl_agent__http1 r;

        kl_buf_puts(&in, "HTTP/1.1 200 OK\r\n\r\n");
        for (int i = 0; i < 3 * KL_AGENT__PROBE_OUTPUT_MAX; i++)
                kl_buf_putc(&in, 'x');
        kl_agent__http1_init(&r);
        cr_assert_eq(kl_agent__http1_feed(&r, in.buf, in.len, &e), 1);
        cr_expect_eq(r.body.len, KL_AGENT__PROBE_OUTPUT_MAX);
        cr_expect(r.truncated);
        kl_agent__http1_release(&r);

        /* Headers without an end stop at the limit instead of growing. */
        kl_buf_reset(&in);
        kl_buf_puts(&in, "HTTP/1.1 200 OK\r\n");
        while (in.len <= KL_AGENT__HTTP_HEAD_MAX)
                kl_buf_puts(&in, "X-Filler: yes\r\n");
        kl_agent__http1_init(&r);
        cr_expect_lt(kl_agent__http1_feed(&r, in.buf, in.len, &e), 0);
        cr_expect(strstr(kl_err_msg(e), "exceeded"), "%s", kl_err_msg(e));
        kl_agent__http1_release(&r);
}

/* ------------------------------------------------------------------------- */
/* Huffman and HPACK (RFC 7541's examples) */

static size_t unhex(const char *hex, uint8_t *out)
{
        size_t n = 0;

        for (; hex[0] && hex[1]; hex += 2) {
                unsigned v;

                while (*hex == ' ')
                        hex++;
                cr_assert_eq(sscanf(hex, "%2x", &v), 1);
                out[n++] = (uint8_t)v;
        }
        return n;
}

Test(probe_parse, huffman)
{
        static const struct {
                const char *hex, *text; /* text NULL: invalid */
        } cases[] = {
                { "f1e3c2e5f23a6ba0ab90f4ff", "www.example.com" },
                { "a8eb10649cbf", "no-cache" },
                { "25a849e95ba97d7f", "custom-key" },
                { "25a849e95bb8e8b4bf", "custom-value" },
                { "6402", "302" },
                { "aec3771a4b", "private" },
                { "d07abe941054d444a8200595040b8166e082a62d1bff", "Mon, 21 Oct 2013 20:13:21 GMT" },
                { "9d29ad171863c78f0b97c8e9ae82ae43d3", "https://www.example.com" },
                { "07", "0" },
                { "", "" },
                { "ff", NULL },       /* 8 bits of padding */
                { "00", NULL },       /* padding that is not all ones */
                { "fffffffc", NULL }, /* EOS */
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autobuf struct kl_buf out = KL_BUF_INIT;
                uint8_t in[64];
                size_t n = unhex(cases[i].hex, in);
                int r = kl_agent__huffman_decode(in, n, &out);

                if (!cases[i].text) {
                        cr_expect_eq(r, -EINVAL, "%s", cases[i].hex);
                        continue;
                }
                cr_expect_eq(r, 0, "%s", cases[i].hex);
                cr_expect_str_eq(out.buf, cases[i].text);
        }
}

static int collect_field(void *arg, const char *name, const char *value)
{
        kl_buf_printf(arg, "%s: %s\n", name, value);
        return 0;
}

Test(probe_parse, hpack_response_sequence)
{
        /* RFC 7541 C.6: three responses with Huffman coding and a 256-byte table. */
        static const struct {
                const char *hex, *fields;
        } steps[] = {
                { "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29"
                  "ad171863c78f0b97c8e9ae82ae43d3",
                  ":status: 302\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 "
                  "GMT\nlocation: https://www.example.com\n" },
                { "4883640effc1c0bf", ":status: 307\ncache-control: private\ndate: Mon, 21 Oct "
                                      "2013 20:13:21 GMT\nlocation: https://www.example.com\n" },
                { "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7"
                  "f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d50"
                  "07",
                  ":status: 200\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:22 "
                  "GMT\nlocation: https://www.example.com\ncontent-encoding: gzip\nset-cookie: "
                  "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1\n" },
        };
        struct kl_agent__hpack h;

        kl_agent__hpack_init(&h, 256);
        for (size_t i = 0; i < KL_ARRAY_SIZE(steps); i++) {
                kl_autobuf struct kl_buf out = KL_BUF_INIT;
                uint8_t in[256];
                size_t n = unhex(steps[i].hex, in);

                cr_assert_eq(kl_agent__hpack_decode(&h, in, n, collect_field, &out), 0, "step %zu",
                             i);
                cr_expect_str_eq(out.buf, steps[i].fields, "step %zu", i);
        }
        /* After C.6.3 the table holds three entries of 215 bytes together. */
        cr_expect_eq(h.n, 3);
        cr_expect_eq(h.size, 215);
        kl_agent__hpack_release(&h);
}

Test(probe_parse, hpack_malformed)
{
        static const char *const bad[] = {
                "80",           /* index 0 */
                "be",           /* index 62: the dynamic table is empty */
                "40",           /* a literal cut short */
                "400161",       /* a name without a value */
                "3fe21f",       /* a table size update above the limit (4097) */
                "0f",           /* an integer cut short */
                "0fffffffff7f", /* an integer too large */
                "000161018100", /* a Huffman value with bad padding */
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(bad); i++) {
                kl_autobuf struct kl_buf out = KL_BUF_INIT;
                struct kl_agent__hpack h;
                uint8_t in[64];
                size_t n = unhex(bad[i], in);

                kl_agent__hpack_init(&h, KL_AGENT__HPACK_TABLE_SIZE);
                cr_expect_lt(kl_agent__hpack_decode(&h, in, n, collect_field, &out), 0, "%s",
                             bad[i]);
                kl_agent__hpack_release(&h);
        }
}

/* ------------------------------------------------------------------------- */
/* HTTP/2 frames of a gRPC call */

static void frame(struct kl_buf *b, uint8_t type, uint8_t flags, uint32_t stream, const void *p,
                  size_t len)
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

        kl_buf_append(b, h, sizeof(h));
        kl_buf_append(b, p, len);
}

/* :status 200, content-type application/grpc (indexed, Huffman value). */
static const uint8_t resp_headers[] = { 0x88, 0x5f, 0x8b, 0x1d, 0x75, 0xd0, 0x62,
                                        0x0d, 0x26, 0x3d, 0x4c, 0x4d, 0x65, 0x64 };
/* grpc-status "0" with a Huffman value, added to the dynamic table. */
static const uint8_t trailers_ok[] = { 0x40, 0x0b, 'g', 'r', 'p', 'c',  '-', 's',
                                       't',  'a',  't', 'u', 's', 0x81, 0x07 };

static void grpc_response(struct kl_buf *b, int health)
{
        uint8_t msg[7] = { 0, 0, 0, 0, 2, 0x08, (uint8_t)health };

        frame(b, 0x4, 0, 0, NULL, 0);                                  /* SETTINGS */
        frame(b, 0x6, 0, 0, "12345678", 8);                            /* PING */
        frame(b, 0x1, 0x4, 1, resp_headers, sizeof(resp_headers));     /* HEADERS */
        frame(b, 0x0, 0, 1, msg, sizeof(msg));                         /* DATA */
        frame(b, 0x1, 0x4 | 0x1, 1, trailers_ok, sizeof(trailers_ok)); /* trailers */
}

Test(probe_parse, grpc_call_frames)
{
        for (int bytewise = 0; bytewise < 2; bytewise++) {
                kl_autobuf struct kl_buf in = KL_BUF_INIT;
                kl_autobuf struct kl_buf out = KL_BUF_INIT;
                kl_autoerr struct kl_err *e = NULL;
                struct kl_agent__grpc_call c;
                int r = 0;

                grpc_response(&in, KL_AGENT__GRPC_NOT_SERVING);
                kl_agent__grpc_call_init(&c);
                if (bytewise) {
                        for (size_t i = 0; i < in.len && r == 0; i++)
                                r = kl_agent__grpc_feed(&c, (const uint8_t *)in.buf + i, 1, &out,
                                                        &e);
                } else {
                        r = kl_agent__grpc_feed(&c, (const uint8_t *)in.buf, in.len, &out, &e);
                }
                cr_assert_eq(r, 1, "%s", kl_err_msg(e));
                cr_expect_eq(c.http_status, 200);
                cr_expect_eq(c.grpc_status, 0);
                cr_expect_eq(c.health, KL_AGENT__GRPC_NOT_SERVING);
                /* The SETTINGS and the PING were acknowledged. */
                cr_assert_eq(out.len, 9 + 9 + 8);
                cr_expect_eq(out.buf[3], 0x4);
                cr_expect_eq(out.buf[4], 0x1);
                cr_expect_eq(out.buf[9 + 3], 0x6);
                cr_expect_eq(memcmp(out.buf + 18, "12345678", 8), 0);
                kl_agent__grpc_call_release(&c);
        }
}

Test(probe_parse, grpc_call_errors)
{
        kl_autobuf struct kl_buf out = KL_BUF_INIT;
        struct kl_agent__grpc_call c;

        /* A frame larger than our SETTINGS_MAX_FRAME_SIZE. */
        {
                static const uint8_t big[9] = { 0x01, 0x00, 0x00, 0, 0, 0, 0, 0, 1 };
                kl_autoerr struct kl_err *e = NULL;

                kl_agent__grpc_call_init(&c);
                cr_expect_lt(kl_agent__grpc_feed(&c, big, sizeof(big), &out, &e), 0);
                cr_expect(strstr(kl_err_msg(e), "FRAME_SIZE_ERROR"), "%s", kl_err_msg(e));
                kl_agent__grpc_call_release(&c);
        }
        /* The connection ends before the stream. */
        {
                kl_autoerr struct kl_err *e = NULL;

                kl_agent__grpc_call_init(&c);
                cr_expect_lt(kl_agent__grpc_feed(&c, NULL, 0, &out, &e), 0);
                kl_agent__grpc_call_release(&c);
        }
        /* RST_STREAM ends the call with its code. */
        {
                kl_autobuf struct kl_buf in = KL_BUF_INIT;
                kl_autoerr struct kl_err *e = NULL;
                static const uint8_t code[4] = { 0, 0, 0, 7 };

                frame(&in, 0x3, 0, 1, code, 4);
                kl_agent__grpc_call_init(&c);
                cr_expect_eq(kl_agent__grpc_feed(&c, (const uint8_t *)in.buf, in.len, &out, &e), 1);
                cr_expect(c.reset);
                cr_expect_eq(c.rst_code, 7);
                kl_agent__grpc_call_release(&c);
        }
        /* CONTINUATION of a header block, and grpc-message percent-decoded. */
        {
                kl_autobuf struct kl_buf in = KL_BUF_INIT;
                kl_autoerr struct kl_err *e = NULL;
                static const uint8_t part1[] = { 0x88, 0x00, 0x0b, 'g', 'r', 'p', 'c',  '-',
                                                 's',  't',  'a',  't', 'u', 's', 0x01, '5' };
                static const uint8_t part2[] = { 0x00, 0x0c, 'g', 'r', 'p', 'c', '-',  'm',
                                                 'e',  's',  's', 'a', 'g', 'e', 0x07, 'n',
                                                 'o',  '%',  '2', '0', 'y', 'o' };

                frame(&in, 0x1, 0x1, 1, part1, sizeof(part1));
                frame(&in, 0x9, 0x4, 1, part2, sizeof(part2));
                kl_agent__grpc_call_init(&c);
                cr_expect_eq(kl_agent__grpc_feed(&c, (const uint8_t *)in.buf, in.len, &out, &e), 1,
                             "%s", kl_err_msg(e));
                cr_expect_eq(c.grpc_status, 5);
                cr_expect_str_eq(c.grpc_message ?: "(null)", "no yo");
                kl_agent__grpc_call_release(&c);
        }
}

Test(probe_parse, grpc_request_bytes)
{
        kl_autobuf struct kl_buf out = KL_BUF_INIT;
        struct kl_agent__hpack h;
        kl_autobuf struct kl_buf fields = KL_BUF_INIT;
        const uint8_t *p;
        size_t len;

        kl_agent__grpc_request("127.0.0.1:9090", "svc", "kube-probe/1.32", &out);
        cr_assert(kl_startswith(out.buf, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        p = (const uint8_t *)out.buf + 24;
        cr_expect_eq(p[3], 0x4); /* SETTINGS */
        p += 9 + ((size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2]);
        cr_assert_eq(p[3], 0x1); /* HEADERS */
        len = (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
        kl_agent__hpack_init(&h, KL_AGENT__HPACK_TABLE_SIZE);
        cr_assert_eq(kl_agent__hpack_decode(&h, p + 9, len, collect_field, &fields), 0);
        cr_expect_str_eq(fields.buf, ":method: POST\n:scheme: http\n:path: "
                                     "/grpc.health.v1.Health/Check\n:authority: 127.0.0.1:9090\n"
                                     "content-type: application/grpc\nuser-agent: "
                                     "kube-probe/1.32\nte: trailers\n");
        kl_agent__hpack_release(&h);
        p += 9 + len;
        cr_assert_eq(p[3], 0x0); /* DATA, END_STREAM */
        cr_expect_eq(p[4], 0x1);
        cr_expect_eq(memcmp(p + 9, "\0\0\0\0\x05\x0a\x03svc", 10), 0);
}

/* ------------------------------------------------------------------------- */
/* Servers in a network namespace of their own */

struct server {
        pid_t pid;
        char *netns; /* /proc/<pid>/ns/net */
        char *dir;   /* requests log, health flag */
};

static struct server srv;

static int listen_on(int port, int backlog)
{
        struct sockaddr_in a = { .sin_family = AF_INET,
                                 .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int one = 1;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
            bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, backlog) < 0)
                _exit(20);
        return fd;
}

static void lo_up(void)
{
        struct ifreq ifr = { 0 };
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        memcpy(ifr.ifr_name, "lo", sizeof("lo"));
        if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                _exit(21);
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                _exit(22);
        close(fd);
}

/* Read until the end of the request head (or 5 s without data). */
static size_t read_head(int fd, SSL *ssl, char *buf, size_t size)
{
        size_t n = 0;

        while (n + 1 < size) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t r;

                if ((!ssl || SSL_pending(ssl) == 0) && poll(&p, 1, 5000) <= 0)
                        break;
                r = ssl ? SSL_read(ssl, buf + n, (int)(size - n - 1))
                        : read(fd, buf + n, size - n - 1);
                if (r <= 0)
                        break;
                n += (size_t)r;
                buf[n] = '\0';
                if (strstr(buf, "\r\n\r\n"))
                        break;
        }
        buf[n] = '\0';
        return n;
}

static void log_request(const char *req)
{
        kl_autofree char *log = kl_asprintf("%s/requests", srv.dir);
        kl_autofree char *last = kl_asprintf("%s/last-request", srv.dir);
        const char *sp = strchr(req, ' ');
        const char *sp2 = sp ? strchr(sp + 1, ' ') : NULL;
        FILE *f;

        if (sp2 && (f = fopen(log, "ae"))) {
                fprintf(f, "%.*s\n", (int)(sp2 - sp - 1), sp + 1);
                fclose(f);
        }
        if ((f = fopen(last, "we"))) {
                fputs(req, f);
                fclose(f);
        }
}

static void reply(int fd, SSL *ssl, const char *text)
{
        size_t len = strlen(text);

        if (ssl)
                (void)SSL_write(ssl, text, (int)len);
        else
                (void)!write(fd, text, len);
}

static void serve_http(int fd, SSL *ssl)
{
        char req[16384];
        char path[1024] = "";
        kl_autofree char *flag = kl_asprintf("%s/healthy", srv.dir);

        read_head(fd, ssl, req, sizeof(req));
        log_request(req);
        (void)sscanf(req, "GET %1023s ", path);
        if (kl_startswith(path, "/status/")) {
                kl_autofree char *r = kl_asprintf(
                        "HTTP/1.1 %s Whatever\r\nContent-Length: 4\r\n\r\nbody", path + 8);

                reply(fd, ssl, r);
        } else if (kl_streq(path, "/flag")) {
                reply(fd, ssl,
                      access(flag, F_OK) == 0
                              ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                              : "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
        } else if (kl_streq(path, "/redirect-local")) {
                reply(fd, ssl,
                      "HTTP/1.1 301 Moved Permanently\r\nLocation: /ok?from=redirect\r\n"
                      "Content-Length: 0\r\n\r\n");
        } else if (kl_streq(path, "/redirect-away")) {
                reply(fd, ssl,
                      "HTTP/1.1 302 Found\r\nLocation: http://elsewhere.invalid/\r\n"
                      "Content-Length: 5\r\n\r\nmoved");
        } else if (kl_streq(path, "/redirect-port")) {
                reply(fd, ssl,
                      "HTTP/1.1 307 Temporary Redirect\r\nLocation: "
                      "https://127.0.0.1:8443/ok\r\nContent-Length: 0\r\n\r\n");
        } else if (kl_streq(path, "/loop")) {
                reply(fd, ssl,
                      "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n");
        } else if (kl_streq(path, "/chunked")) {
                reply(fd, ssl,
                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "2\r\nok\r\n0\r\n\r\n");
        } else if (kl_streq(path, "/garbage")) {
                reply(fd, ssl, "SSH-2.0-OpenSSH\r\n\r\n");
        } else {
                reply(fd, ssl, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        }
}

static bool read_full(int fd, void *buf, size_t n)
{
        size_t got = 0;

        while (got < n) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t r;

                if (poll(&p, 1, 5000) <= 0)
                        return false;
                r = read(fd, (char *)buf + got, n - got);
                if (r <= 0)
                        return false;
                got += (size_t)r;
        }
        return true;
}

/* A minimal gRPC server: one Check per connection; the service name picks the answer. */
static void serve_grpc(int fd, bool implemented)
{
        uint8_t pre[24], h[9], payload[16384];
        char service[256] = "";
        kl_autobuf struct kl_buf out = KL_BUF_INIT;

        if (!read_full(fd, pre, sizeof(pre)) || memcmp(pre, "PRI * HTTP/2.0", 14) != 0)
                return;
        for (;;) {
                size_t len;

                if (!read_full(fd, h, 9))
                        return;
                len = (size_t)h[0] << 16 | (size_t)h[1] << 8 | h[2];
                if (len > sizeof(payload) || !read_full(fd, payload, len))
                        return;
                if (h[3] == 0x0 && (h[4] & 0x1)) { /* our request's DATA */
                        if (len > 7 && payload[5] == 0x0a && payload[6] < 128 &&
                            7u + payload[6] <= len)
                                memcpy(service, payload + 7, payload[6]);
                        break;
                }
        }
        log_request(kl_streq(service, "") ? "GRPC (empty) x" : "GRPC service x");
        frame(&out, 0x4, 0, 0, NULL, 0);
        if (!implemented) {
                static const uint8_t t[] = { 0x88, 0x00, 0x0b, 'g', 'r',  'p', 'c', '-',  's',  't',
                                             'a',  't',  'u',  's', 0x02, '1', '2', 0x00, 0x0c, 'g',
                                             'r',  'p',  'c',  '-', 'm',  'e', 's', 's',  'a',  'g',
                                             'e',  0x0e, 'u',  'n', 'k',  'n', 'o', 'w',  'n',  '%',
                                             '2',  '0',  's',  'e', 'r',  'v' };

                frame(&out, 0x1, 0x5, 1, t, sizeof(t));
        } else if (kl_streq(service, "missing")) {
                static const uint8_t t[] = { 0x88, 0x00, 0x0b, 'g', 'r',  'p', 'c',  '-',  's', 't',
                                             'a',  't',  'u',  's', 0x01, '5', 0x00, 0x0c, 'g', 'r',
                                             'p',  'c',  '-',  'm', 'e',  's', 's',  'a',  'g', 'e',
                                             0x11, 'u',  'n',  'k', 'n',  'o', 'w',  'n',  '%', '2',
                                             '0',  's',  'e',  'r', 'v',  'i', 'c',  'e' };

                frame(&out, 0x1, 0x5, 1, t, sizeof(t));
        } else {
                grpc_response(&out, kl_streq(service, "down") ? KL_AGENT__GRPC_NOT_SERVING
                                                              : KL_AGENT__GRPC_SERVING);
        }
        (void)!write(fd, out.buf, out.len);
        /* Let the client read everything before the close. */
        (void)read_full(fd, payload, sizeof(payload));
}

static SSL_CTX *server_tls(void)
{
        struct kl_pki_ca *ca = NULL;
        SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

        cr_assert_eq(kl_pki_ca_new("probe-test", KL_PKI_KEY_ECDSA_P256, &ca, NULL), 0);
        cr_assert_eq(SSL_CTX_use_certificate(ctx, kl_pki_ca_cert(ca)), 1);
        cr_assert_eq(SSL_CTX_use_PrivateKey(ctx, kl_pki_ca_key(ca)), 1);
        kl_pki_ca_free(ca);
        return ctx;
}

static void server_main(SSL_CTX *tls, int ready)
{
        int fds[5];

        if (unshare(CLONE_NEWNET) < 0)
                _exit(10);
        lo_up();
        fds[0] = listen_on(PORT_HTTP, 16);
        fds[1] = listen_on(PORT_HTTPS, 16);
        fds[2] = listen_on(PORT_GRPC, 16);
        fds[3] = listen_on(PORT_NOGRPC, 16);
        fds[4] = listen_on(PORT_CLOSE, 16);
        (void)listen_on(PORT_SILENT, 16);
        (void)!write(ready, "r", 1);
        close(ready);
        for (;;) {
                struct pollfd p[5];
                int c;

                for (size_t i = 0; i < 5; i++)
                        p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
                if (poll(p, 5, -1) <= 0)
                        continue;
                for (size_t i = 0; i < 5; i++) {
                        if (!(p[i].revents & POLLIN))
                                continue;
                        c = accept4(fds[i], NULL, NULL, SOCK_CLOEXEC);
                        if (c < 0)
                                continue;
                        if (i == 0) {
                                serve_http(c, NULL);
                        } else if (i == 1) {
                                SSL *ssl = SSL_new(tls);

                                SSL_set_fd(ssl, c);
                                if (SSL_accept(ssl) == 1)
                                        serve_http(c, ssl);
                                SSL_shutdown(ssl);
                                SSL_free(ssl);
                        } else if (i == 4) {
                                char req[4096];

                                /* Read the request, close without an answer. */
                                read_head(c, NULL, req, sizeof(req));
                        } else {
                                serve_grpc(c, i == 2);
                        }
                        close(c);
                }
        }
}

static void need_root(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root (network namespaces)");
}

static void server_start(void)
{
        SSL_CTX *tls;
        int pipefd[2];
        char c;

        srv = (struct server){ 0 };
        srv.dir = kl_asprintf("%s/srv-%d", kl_test_tmpdir(), (int)getpid());
        cr_assert_eq(kl_mkdir_p(srv.dir, 0755), 0);
        if (geteuid() != 0)
                return;
        tls = server_tls();
        cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
        srv.pid = fork();
        cr_assert_geq(srv.pid, 0);
        if (srv.pid == 0) {
                close(pipefd[0]);
                server_main(tls, pipefd[1]);
                _exit(0);
        }
        close(pipefd[1]);
        SSL_CTX_free(tls);
        cr_assert_eq(read(pipefd[0], &c, 1), 1, "the test server did not start");
        close(pipefd[0]);
        srv.netns = kl_asprintf("/proc/%d/ns/net", (int)srv.pid);
}

static void server_stop(void)
{
        if (srv.pid > 0) {
                (void)kill(srv.pid, SIGKILL);
                (void)waitpid(srv.pid, NULL, 0);
        }
        free(srv.netns);
        free(srv.dir);
        srv = (struct server){ 0 };
}

static char *server_file(const char *name)
{
        kl_autofree char *p = kl_asprintf("%s/%s", srv.dir, name);
        char *text = NULL;

        if (kl_read_file(p, 1 << 20, &text, NULL) < 0)
                return kl_strdup("");
        return text;
}

static size_t count_lines(const char *text, const char *line)
{
        size_t n = 0, len = strlen(line);

        for (const char *p = text; (p = strstr(p, line)); p += len)
                if ((p == text || p[-1] == '\n') && p[len] == '\n')
                        n++;
        return n;
}

TestSuite(probe_net, .init = server_start, .fini = server_stop, .timeout = 60);

static const char *const container_json =
        "{\"name\":\"app\",\"ports\":[{\"name\":\"http\",\"containerPort\":8080},"
        "{\"name\":\"grpc\",\"containerPort\":9090}]}";

struct run_case {
        const char *probe;
        enum kl_agent__probe_result want;
        const char *message; /* exact, or NULL */
};

static void run_cases(const struct run_case *cases, size_t n)
{
        json_auto_t *container = J(container_json);
        struct kl_agent__probe_target t = { .netns = srv.netns, .container = container };

        for (size_t i = 0; i < n; i++) {
                json_auto_t *probe = J(cases[i].probe);
                kl_autofree char *msg = NULL;
                enum kl_agent__probe_result r = kl_agent__probe_run(probe, &t, &msg);

                cr_expect_eq(r, cases[i].want, "%s: %s", cases[i].probe, msg ?: "(null)");
                if (cases[i].message)
                        cr_expect_str_eq(msg ?: "(null)", cases[i].message, "%s", cases[i].probe);
        }
}

Test(probe_net, http_get_status_codes)
{
        static const struct run_case cases[] = {
                { "{\"httpGet\":{\"path\":\"/ok\",\"port\":8080,\"scheme\":\"HTTP\"}}",
                  KL_AGENT__PROBE_SUCCESS, NULL },
                { "{\"httpGet\":{\"path\":\"/status/200\",\"port\":\"http\"}}",
                  KL_AGENT__PROBE_SUCCESS, NULL },
                { "{\"httpGet\":{\"path\":\"/status/301\",\"port\":8080}}", KL_AGENT__PROBE_SUCCESS,
                  "Probe terminated redirects, Response body: body" },
                { "{\"httpGet\":{\"path\":\"/status/399\",\"port\":8080}}", KL_AGENT__PROBE_SUCCESS,
                  "Probe terminated redirects, Response body: body" },
                { "{\"httpGet\":{\"path\":\"/status/404\",\"port\":8080}}", KL_AGENT__PROBE_FAILURE,
                  "HTTP probe failed with statuscode: 404" },
                { "{\"httpGet\":{\"path\":\"/status/500\",\"port\":8080}}", KL_AGENT__PROBE_FAILURE,
                  "HTTP probe failed with statuscode: 500" },
                { "{\"httpGet\":{\"path\":\"/chunked\",\"port\":8080}}", KL_AGENT__PROBE_SUCCESS,
                  NULL },
                { "{\"httpGet\":{\"port\":8080}}", KL_AGENT__PROBE_SUCCESS, NULL },
        };

        need_root();
        run_cases(cases, KL_ARRAY_SIZE(cases));
}

Test(probe_net, http_get_redirects)
{
        static const struct run_case cases[] = {
                /* Same host: followed, and the target's status decides. */
                { "{\"httpGet\":{\"path\":\"/redirect-local\",\"port\":8080}}",
                  KL_AGENT__PROBE_SUCCESS, NULL },
                /* Same host name, another port and scheme: followed too. */
                { "{\"httpGet\":{\"path\":\"/redirect-port\",\"port\":8080}}",
                  KL_AGENT__PROBE_SUCCESS, NULL },
                /* Elsewhere: not followed; the redirect is a success with a warning. */
                { "{\"httpGet\":{\"path\":\"/redirect-away\",\"port\":8080}}",
                  KL_AGENT__PROBE_SUCCESS, "Probe terminated redirects, Response body: moved" },
                { "{\"httpGet\":{\"path\":\"/loop\",\"port\":8080}}", KL_AGENT__PROBE_FAILURE,
                  "Get \"http://127.0.0.1:8080/loop\": stopped after 10 redirects" },
        };
        kl_autofree char *log = NULL;

        need_root();
        run_cases(cases, KL_ARRAY_SIZE(cases));
        log = server_file("requests");
        cr_expect_eq(count_lines(log, "/ok?from=redirect"), 1, "%s", log);
        cr_expect_eq(count_lines(log, "/ok"), 1, "the HTTPS request of /redirect-port: %s", log);
        cr_expect_eq(count_lines(log, "/loop"), 10, "%s", log);
}

Test(probe_net, http_get_request_headers)
{
        static const struct run_case cases[] = {
                { "{\"httpGet\":{\"path\":\"/ok\",\"port\":8080,\"httpHeaders\":["
                  "{\"name\":\"x-custom-header\",\"value\":\"awesome\"}]}}",
                  KL_AGENT__PROBE_SUCCESS, NULL },
        };
        kl_autofree char *req = NULL;

        need_root();
        run_cases(cases, KL_ARRAY_SIZE(cases));
        req = server_file("last-request");
        cr_expect(kl_startswith(req, "GET /ok HTTP/1.1\r\n"), "%s", req);
        cr_expect(strstr(req, "\r\nHost: 127.0.0.1:8080\r\n"), "%s", req);
        cr_expect(strstr(req, "\r\nUser-Agent: kube-probe/1.32\r\n"), "%s", req);
        cr_expect(strstr(req, "\r\nAccept: */*\r\n"), "%s", req);
        cr_expect(strstr(req, "\r\nX-Custom-Header: awesome\r\n"), "%s", req);
        cr_expect(strstr(req, "\r\nConnection: close\r\n"), "%s", req);

        /* Host, User-Agent and Accept from the probe replace ours; empty ones remove them. */
        {
                static const struct run_case more[] = {
                        { "{\"httpGet\":{\"path\":\"/ok\",\"port\":8080,\"httpHeaders\":["
                          "{\"name\":\"Host\",\"value\":\"example.com\"},"
                          "{\"name\":\"User-Agent\",\"value\":\"mine/1\"},"
                          "{\"name\":\"Accept\",\"value\":\"\"}]}}",
                          KL_AGENT__PROBE_SUCCESS, NULL },
                };

                run_cases(more, KL_ARRAY_SIZE(more));
                free(req);
                req = server_file("last-request");
                cr_expect(strstr(req, "\r\nHost: example.com\r\n"), "%s", req);
                cr_expect(strstr(req, "\r\nUser-Agent: mine/1\r\n"), "%s", req);
                cr_expect_null(strstr(req, "kube-probe"), "%s", req);
                cr_expect_null(strstr(req, "Accept"), "%s", req);
        }
}

Test(probe_net, http_get_errors)
{
        static const struct run_case cases[] = {
                { "{\"httpGet\":{\"path\":\"/\",\"port\":81}}", KL_AGENT__PROBE_FAILURE,
                  "Get \"http://127.0.0.1:81/\": dial tcp 127.0.0.1:81: connect: connection "
                  "refused" },
                { "{\"httpGet\":{\"path\":\"/\",\"port\":8081},\"timeoutSeconds\":1}",
                  KL_AGENT__PROBE_FAILURE,
                  "Get \"http://127.0.0.1:8081/\": context deadline exceeded (Client.Timeout "
                  "exceeded while awaiting headers)" },
                { "{\"httpGet\":{\"path\":\"/\",\"port\":8082}}", KL_AGENT__PROBE_FAILURE,
                  "Get \"http://127.0.0.1:8082/\": EOF" },
                { "{\"httpGet\":{\"path\":\"/garbage\",\"port\":8080}}", KL_AGENT__PROBE_FAILURE,
                  "Get \"http://127.0.0.1:8080/garbage\": net/http: HTTP/1.x transport "
                  "connection broken: malformed HTTP response \"SSH-2.0-OpenSSH\"" },
                { "{\"httpGet\":{\"path\":\"/\",\"port\":\"nope\"}}", KL_AGENT__PROBE_FAILURE,
                  "strconv.Atoi: parsing \"nope\": invalid syntax" },
                { "{\"httpGet\":{\"path\":\"/\",\"port\":70000}}", KL_AGENT__PROBE_FAILURE,
                  "invalid port number: 70000" },
                { "{\"httpGet\":{\"path\":\"/\",\"port\":8080,\"host\":\"10.0.0.1\"}}",
                  KL_AGENT__PROBE_FAILURE,
                  "Get \"http://10.0.0.1:8080/\": dial tcp 10.0.0.1:8080: connect: network is "
                  "unreachable" },
                { "{}", KL_AGENT__PROBE_FAILURE, "missing probe handler" },
        };

        need_root();
        run_cases(cases, KL_ARRAY_SIZE(cases));
}

Test(probe_net, https_without_verification)
{
        static const struct run_case cases[] = {
                { "{\"httpGet\":{\"path\":\"/ok\",\"port\":8443,\"scheme\":\"HTTPS\"}}",
                  KL_AGENT__PROBE_SUCCESS, NULL },
                { "{\"httpGet\":{\"path\":\"/status/500\",\"port\":8443,\"scheme\":\"HTTPS\"}}",
                  KL_AGENT__PROBE_FAILURE, "HTTP probe failed with statuscode: 500" },
        };

        need_root();
        run_cases(cases, KL_ARRAY_SIZE(cases));
}

Test(probe_net, tcp_socket)
{
        static const struct run_case cases[] = {
                { "{\"tcpSocket\":{\"port\":8080}}", KL_AGENT__PROBE_SUCCESS, NULL },
                { "{\"tcpSocket\":{\"port\":\"grpc\"}}", KL_AGENT__PROBE_SUCCESS, NULL },
                { "{\"tcpSocket\":{\"port\":81}}", KL_AGENT__PROBE_FAILURE,
                  "dial tcp 127.0.0.1:81: connect: connection refused" },
                { "{\"tcpSocket\":{\"port\":\"missing\"}}", KL_AGENT__PROBE_FAILURE,
                  "strconv.Atoi: parsing \"missing\": invalid syntax" },
        };

        need_root();
        run_cases(cases, KL_ARRAY_SIZE(cases));
}

Test(probe_net, sockets_are_opened_in_the_pod_namespace)
{
        json_auto_t *probe = J("{\"tcpSocket\":{\"port\":8080}}");
        kl_autofree char *msg = NULL;
        struct stat before, after;

        need_root();
        cr_assert_eq(stat("/proc/thread-self/ns/net", &before), 0);
        {
                struct kl_agent__probe_target t = { .netns = srv.netns };

                cr_expect_eq(kl_agent__probe_run(probe, &t, NULL), KL_AGENT__PROBE_SUCCESS);
        }
        cr_assert_eq(stat("/proc/thread-self/ns/net", &after), 0);
        cr_expect_eq(before.st_ino, after.st_ino, "the thread is back in its own namespace");
        /* A netns file that is not there is a failure with a reason. */
        {
                struct kl_agent__probe_target t = { .netns = "/nonexistent/netns" };

                cr_expect_eq(kl_agent__probe_run(probe, &t, &msg), KL_AGENT__PROBE_FAILURE);
                cr_expect(strstr(msg, "/nonexistent/netns"), "%s", msg);
        }
}

Test(probe_net, grpc_health)
{
        static const struct run_case cases[] = {
                { "{\"grpc\":{\"port\":9090}}", KL_AGENT__PROBE_SUCCESS, "service healthy" },
                { "{\"grpc\":{\"port\":9090,\"service\":\"ok\"}}", KL_AGENT__PROBE_SUCCESS,
                  "service healthy" },
                { "{\"grpc\":{\"port\":9090,\"service\":\"down\"}}", KL_AGENT__PROBE_FAILURE,
                  "service unhealthy (responded with \"NOT_SERVING\")" },
                { "{\"grpc\":{\"port\":9090,\"service\":\"missing\"}}", KL_AGENT__PROBE_FAILURE,
                  "error: health rpc probe failed: rpc error: code = NotFound desc = unknown "
                  "service" },
                { "{\"grpc\":{\"port\":9091}}", KL_AGENT__PROBE_FAILURE,
                  "error: this server does not implement the grpc health protocol "
                  "(grpc.health.v1.Health): unknown serv" },
                { "{\"grpc\":{\"port\":8081},\"timeoutSeconds\":1}", KL_AGENT__PROBE_FAILURE,
                  "timeout: health rpc did not complete within 1s" },
                { "{\"grpc\":{\"port\":81},\"timeoutSeconds\":1}", KL_AGENT__PROBE_FAILURE,
                  "timeout: failed to connect service \"127.0.0.1:81\" within 1s: context "
                  "deadline exceeded" },
        };

        need_root();
        run_cases(cases, KL_ARRAY_SIZE(cases));
}

/* ------------------------------------------------------------------------- */
/* exec probes in a real container */

static const char *const applets[] = { "sh", "true", "false", "echo", "sleep", "seq", "cat" };

struct ctr_fixture {
        char *dir;
        char *layers[2];
        char *cgroup_parent;
        struct kl_ctr_runtime *rt;
};

static struct ctr_fixture cfx;

static void ctr_setup(void)
{
        kl_autofree char *layer = NULL, *bin = NULL, *busybox = NULL, *state = NULL, *data = NULL;
        char *bytes = NULL;
        size_t len = 0;

        cfx = (struct ctr_fixture){ 0 };
        if (geteuid() != 0 || access("/bin/busybox", X_OK) < 0)
                return;
        cfx.dir = kl_asprintf("%s/ctr-%d", kl_test_tmpdir(), (int)getpid());
        layer = kl_asprintf("%s/layer", cfx.dir);
        bin = kl_asprintf("%s/bin", layer);
        busybox = kl_asprintf("%s/bin/busybox", layer);
        cr_assert_eq(kl_mkdir_p(bin, 0755), 0);
        for (const char *d = "proc\0sys\0dev\0tmp\0etc\0"; *d; d += strlen(d) + 1) {
                kl_autofree char *p = kl_asprintf("%s/%s", layer, d);

                cr_assert_eq(kl_mkdir_p(p, 0755), 0);
        }
        cr_assert_eq(kl_read_file("/bin/busybox", (size_t)64 << 20, &bytes, &len), 0);
        cr_assert_eq(kl_write_file_atomic(busybox, bytes, len, 0755, KL_WRITE_FILE_NOSYNC), 0);
        free(bytes);
        for (size_t i = 0; i < KL_ARRAY_SIZE(applets); i++) {
                kl_autofree char *l = kl_asprintf("%s/%s", bin, applets[i]);

                cr_assert_eq(symlink("busybox", l), 0);
        }
        free(kl_test_write_file(layer, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"));
        free(kl_test_write_file(layer, "etc/group", "root:x:0:\n"));
        cfx.layers[0] = KL_TAKE_PTR(layer);
        state = kl_asprintf("%s/state", cfx.dir);
        data = kl_asprintf("%s/data", cfx.dir);
        cfx.cgroup_parent = kl_asprintf("kl-test-probe-%d", (int)getpid());
        {
                kl_autoerr struct kl_err *e = NULL;

                cr_assert_eq(
                        kl_ctr_runtime_open(
                                &(struct kl_ctr_runtime_opts){ .state_dir = state,
                                                               .data_dir = data,
                                                               .cgroup_parent = cfx.cgroup_parent },
                                &cfx.rt, &e),
                        0, "%s", kl_err_msg(e));
        }
}

/* Remove our cgroup parent from every hierarchy we are in. */
static void remove_cgroup_parent(void)
{
        kl_autofree char *self = NULL;
        kl_autostrv char **lines = NULL;

        if (!cfx.cgroup_parent || kl_read_file("/proc/self/cgroup", 65536, &self, NULL) < 0)
                return;
        lines = kl_strv_split(self, '\n');
        for (size_t i = 0; lines[i]; i++) {
                char *c1 = strchr(lines[i], ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                kl_autofree char *ctrl = NULL;
                kl_autostrv char **names = NULL;

                if (!c2)
                        continue;
                ctrl = kl_strndup(c1 + 1, (size_t)(c2 - c1 - 1));
                names = kl_strv_split(*ctrl ? ctrl : "unified", ',');
                for (size_t k = 0; names[k]; k++) {
                        const char *n = kl_startswith(names[k], "name=") ?: names[k];
                        kl_autofree char *p =
                                kl_asprintf("/sys/fs/cgroup/%s%s/%s", n,
                                            kl_streq(c2 + 1, "/") ? "" : c2 + 1, cfx.cgroup_parent);

                        (void)rmdir(p);
                }
        }
}

static void ctr_teardown(void)
{
        if (cfx.rt) {
                (void)kl_ctr_delete(cfx.rt, "probed", true, NULL);
                kl_ctr_runtime_free(cfx.rt);
        }
        remove_cgroup_parent();
        free(cfx.dir);
        free(cfx.layers[0]);
        free(cfx.cgroup_parent);
        cfx = (struct ctr_fixture){ 0 };
}

TestSuite(probe_exec, .init = ctr_setup, .fini = ctr_teardown, .timeout = 60);

Test(probe_exec, exit_codes_output_and_time_out)
{
        static const struct run_case cases[] = {
                { "{\"exec\":{\"command\":[\"true\"]}}", KL_AGENT__PROBE_SUCCESS, "" },
                { "{\"exec\":{\"command\":[\"sh\",\"-c\",\"echo fine; echo err >&2\"]}}",
                  KL_AGENT__PROBE_SUCCESS, NULL },
                { "{\"exec\":{\"command\":[\"sh\",\"-c\",\"echo sick; exit 3\"]}}",
                  KL_AGENT__PROBE_FAILURE, "sick\n" },
                { "{\"exec\":{\"command\":[\"sleep\",\"30\"]},\"timeoutSeconds\":1}",
                  KL_AGENT__PROBE_FAILURE, "command \"sleep 30\" timed out" },
        };
        struct kl_ctr_config c;
        kl_autoerr struct kl_err *e = NULL;

        if (!cfx.rt)
                cr_skip_test("needs root and busybox-static (apt-get install busybox-static)");
        kl_ctr_config_init(&c);
        c.id = kl_strdup("probed");
        c.image = kl_strdup("test/busybox:1");
        c.layers = kl_strv_copy(cfx.layers);
        kl_strv_push(&c.process.args, "/bin/sleep");
        kl_strv_push(&c.process.args, "1000");
        cr_assert_eq(kl_ctr_create(cfx.rt, &c, &e), 0, "%s", kl_err_msg(e));
        cr_assert_eq(kl_ctr_start(cfx.rt, "probed", &e), 0, "%s", kl_err_msg(e));

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                json_auto_t *probe = J(cases[i].probe);
                struct kl_agent__probe_target t = { .rt = cfx.rt, .ctr_id = "probed" };
                kl_autofree char *msg = NULL;

                cr_expect_eq(kl_agent__probe_run(probe, &t, &msg), cases[i].want, "%s: %s",
                             cases[i].probe, msg ?: "(null)");
                if (cases[i].message)
                        cr_expect_str_eq(msg, cases[i].message);
                if (i == 1) {
                        cr_expect(strstr(msg, "fine\n") && strstr(msg, "err\n"),
                                  "stdout and stderr together: %s", msg);
                }
        }
        /* Output is kept up to 10 KiB; the process still runs to its end. */
        {
                json_auto_t *probe =
                        J("{\"exec\":{\"command\":[\"sh\",\"-c\",\"seq 100000; exit 0\"]},"
                          "\"timeoutSeconds\":30}");
                struct kl_agent__probe_target t = { .rt = cfx.rt, .ctr_id = "probed" };
                kl_autofree char *msg = NULL;

                cr_expect_eq(kl_agent__probe_run(probe, &t, &msg), KL_AGENT__PROBE_SUCCESS);
                cr_expect_eq(strlen(msg), KL_AGENT__PROBE_OUTPUT_MAX);
                cr_expect(kl_startswith(msg, "1\n2\n3\n"));
        }
        /* A command that is not there fails with the runtime's reason. */
        {
                json_auto_t *probe = J("{\"exec\":{\"command\":[\"/no/such/program\"]}}");
                struct kl_agent__probe_target t = { .rt = cfx.rt, .ctr_id = "probed" };
                kl_autofree char *msg = NULL;

                cr_expect_eq(kl_agent__probe_run(probe, &t, &msg), KL_AGENT__PROBE_FAILURE);
                cr_expect(strstr(msg, "/no/such/program"), "%s", msg);
        }
        kl_ctr_config_release(&c);
}

/* ------------------------------------------------------------------------- */
/* Probe workers on a loop */

struct event {
        enum kl_agent__probe_kind kind;
        bool ok;
        char *message;
        size_t requests; /* lines in the server's request log when it came */
        kl_usec_t at;
};

struct watch {
        uv_loop_t loop;
        uv_timer_t done_timer; /* ends the test's loop */
        struct kl_agent__prober *p[2];
        struct event ev[16];
        size_t n_ev;
        kl_usec_t started;
        /* Optional reactions. */
        bool remove_flag_on_ready;
        bool enable_on_startup; /* enable p[1] when p[0] (startup) succeeds */
        bool stop_on_event;     /* stop everything at the last expected event */
        size_t expect;          /* stop the loop after this many events */
};

static size_t count_requests(const char *path)
{
        kl_autofree char *log = server_file("requests");

        return count_lines(log, path);
}

static void end_watch(struct watch *w)
{
        kl_agent__prober_stop(w->p[0]);
        kl_agent__prober_stop(w->p[1]);
        w->p[0] = w->p[1] = NULL;
        uv_close((uv_handle_t *)&w->done_timer, NULL);
}

static void on_probe(void *arg, enum kl_agent__probe_kind kind, bool ok, const char *message)
{
        struct watch *w = arg;
        struct event *e;

        cr_assert_lt(w->n_ev, KL_ARRAY_SIZE(w->ev));
        e = &w->ev[w->n_ev++];
        *e = (struct event){ kind, ok, message ? kl_strdup(message) : NULL, 0,
                             kl_now_monotonic() - w->started };
        {
                kl_autofree char *log = server_file("requests");
                size_t n = 0;

                for (const char *p = log; *p; p++)
                        n += *p == '\n';
                e->requests = n;
        }
        if (w->remove_flag_on_ready && ok) {
                kl_autofree char *flag = kl_asprintf("%s/healthy", srv.dir);

                cr_assert_eq(unlink(flag), 0);
        }
        if (w->enable_on_startup && kind == KL_AGENT__PROBE_STARTUP && ok)
                kl_agent__prober_enable(w->p[1]);
        if (w->n_ev == w->expect)
                end_watch(w);
}

static void on_deadline(uv_timer_t *t)
{
        struct watch *w = kl_container_of(t, struct watch, done_timer);

        end_watch(w);
}

static void watch_init(struct watch *w, size_t expect)
{
        *w = (struct watch){ .expect = expect };
        cr_assert_eq(kl_loop_init(&w->loop), 0);
        cr_assert_eq(uv_timer_init(&w->loop, &w->done_timer), 0);
        w->started = kl_now_monotonic();
}

static void watch_run(struct watch *w, uint64_t give_up_ms)
{
        /* Only a guard against a hang: the tests end on events, never on this. */
        uv_timer_start(&w->done_timer, on_deadline, give_up_ms, 0);
        kl_loop_run(&w->loop, UV_RUN_DEFAULT);
        cr_assert_eq(kl_loop_finish(&w->loop), 0);
}

static void watch_release(struct watch *w)
{
        for (size_t i = 0; i < w->n_ev; i++)
                free(w->ev[i].message);
}

static void start(struct watch *w, int i, const char *probe_json, enum kl_agent__probe_kind kind,
                  bool wait)
{
        json_auto_t *probe = J(probe_json);
        json_auto_t *container = J(container_json);
        struct kl_agent__probe_target t = { .netns = srv.netns, .container = container };
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(
                kl_agent__prober_start(&w->loop, probe, kind, &t, wait, on_probe, w, &w->p[i], &e),
                0, "%s", kl_err_msg(e));
}

Test(probe_net, readiness_counts_successes_and_failures)
{
        kl_autofree char *flag = kl_asprintf("%s/healthy", srv.dir);
        struct watch w;

        need_root();
        free(kl_test_write_file(srv.dir, "healthy", ""));
        watch_init(&w, 2);
        w.remove_flag_on_ready = true;
        start(&w, 0,
              "{\"httpGet\":{\"path\":\"/flag\",\"port\":\"http\"},\"periodSeconds\":1,"
              "\"successThreshold\":2,\"failureThreshold\":3,\"timeoutSeconds\":1}",
              KL_AGENT__PROBE_READINESS, false);
        watch_run(&w, 60000);
        cr_assert_eq(w.n_ev, 2);
        /* Ready after two successes in a row, not ready after three failures in a row. */
        cr_expect(w.ev[0].ok);
        cr_expect_eq(w.ev[0].kind, KL_AGENT__PROBE_READINESS);
        cr_expect_eq(w.ev[0].requests, 2);
        cr_expect(!w.ev[1].ok);
        cr_expect_eq(w.ev[1].requests, 5);
        cr_expect_str_eq(w.ev[1].message ?: "(null)", "HTTP probe failed with statuscode: 503");
        /* Each run a period after the one before. */
        cr_expect_geq(w.ev[1].at - w.ev[0].at, 3 * KL_USEC_PER_SEC - 100 * KL_USEC_PER_MSEC);
        watch_release(&w);
}

Test(probe_net, liveness_reports_once_and_stops)
{
        struct watch w;

        need_root();
        watch_init(&w, 0);
        start(&w, 0,
              "{\"httpGet\":{\"path\":\"/status/500\",\"port\":8080},\"periodSeconds\":1,"
              "\"failureThreshold\":2,\"initialDelaySeconds\":1}",
              KL_AGENT__PROBE_LIVENESS, false);
        /* Runs at 1 s and 2 s fail; nothing happens after the second. */
        watch_run(&w, 5000);
        cr_assert_eq(w.n_ev, 1);
        cr_expect(!w.ev[0].ok);
        cr_expect_eq(w.ev[0].kind, KL_AGENT__PROBE_LIVENESS);
        cr_expect_str_eq(w.ev[0].message ?: "(null)", "HTTP probe failed with statuscode: 500");
        cr_expect_eq(count_requests("/status/500"), 2);
        /* initialDelaySeconds: the first run came a second after the start at the earliest. */
        cr_expect_geq(w.ev[0].at, 2 * KL_USEC_PER_SEC - 100 * KL_USEC_PER_MSEC);
        watch_release(&w);
}

Test(probe_net, liveness_success_is_silent)
{
        struct watch w;

        need_root();
        watch_init(&w, 0);
        start(&w, 0, "{\"tcpSocket\":{\"port\":8080},\"periodSeconds\":1}",
              KL_AGENT__PROBE_LIVENESS, false);
        watch_run(&w, 2500);
        cr_expect_eq(w.n_ev, 0, "a live container stays live: no change to report");
        watch_release(&w);
}

Test(probe_net, startup_gates_liveness)
{
        struct watch w;

        need_root();
        watch_init(&w, 2);
        w.enable_on_startup = true;
        start(&w, 0,
              "{\"httpGet\":{\"path\":\"/startup\",\"port\":8080},\"periodSeconds\":1,"
              "\"failureThreshold\":30}",
              KL_AGENT__PROBE_STARTUP, false);
        start(&w, 1,
              "{\"httpGet\":{\"path\":\"/status/500\",\"port\":8080},\"periodSeconds\":1,"
              "\"failureThreshold\":1}",
              KL_AGENT__PROBE_LIVENESS, true);
        watch_run(&w, 60000);
        cr_assert_eq(w.n_ev, 2);
        cr_expect_eq(w.ev[0].kind, KL_AGENT__PROBE_STARTUP);
        cr_expect(w.ev[0].ok);
        cr_expect_eq(w.ev[0].requests, 1, "no liveness run before the startup probe succeeded");
        cr_expect_eq(w.ev[1].kind, KL_AGENT__PROBE_LIVENESS);
        cr_expect(!w.ev[1].ok);
        cr_expect_eq(count_requests("/startup"), 1, "startup probing ends once it succeeded");
        watch_release(&w);
}

Test(probe_net, startup_failure_is_reported)
{
        struct watch w;

        need_root();
        watch_init(&w, 1);
        start(&w, 0, "{\"tcpSocket\":{\"port\":81},\"periodSeconds\":1,\"failureThreshold\":2}",
              KL_AGENT__PROBE_STARTUP, false);
        watch_run(&w, 60000);
        cr_assert_eq(w.n_ev, 1);
        cr_expect(!w.ev[0].ok);
        cr_expect_str_eq(w.ev[0].message ?: "(null)",
                         "dial tcp 127.0.0.1:81: connect: connection refused");
        watch_release(&w);
}

Test(probe_net, stop_while_a_run_is_in_flight)
{
        struct watch w;

        need_root();
        watch_init(&w, 0);
        /* The server never answers: the run takes its whole time-out. */
        start(&w, 0,
              "{\"httpGet\":{\"path\":\"/\",\"port\":8081},\"timeoutSeconds\":2,"
              "\"failureThreshold\":1}",
              KL_AGENT__PROBE_READINESS, false);
        /* End (and stop the worker) half a second in, with the run still going. */
        watch_run(&w, 500);
        cr_expect_eq(w.n_ev, 0, "no callback after stop");
        watch_release(&w);
}

/* The test binary is also the shim the runtime re-executes. */
int main(int argc, char **argv)
{
        struct criterion_test_set *tests;
        int r = 0;

        json_set_alloc_funcs(kl_malloc, free);
        if (argc > 1 && kl_streq(argv[1], "shim"))
                return kl_ctr_shim_main(argc - 1, argv + 1);
        tests = criterion_initialize();
        if (criterion_handle_args(argc, argv, true))
                r = !criterion_run_all_tests(tests);
        criterion_finalize(tests);
        return r;
}
