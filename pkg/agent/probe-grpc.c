/* SPDX-License-Identifier: Apache-2.0 */
/*
 * grpc probes (probe.c runs them): one call of the gRPC health checking
 * protocol's Check over HTTP/2 cleartext, as grpc-go's client makes it, with
 * its wording of every failure. The pure pieces are declared in
 * probe-internal.h for the tests and the fuzz target: HPACK's Huffman code,
 * the HPACK decoder, and the client side of the call (the frames it sends,
 * the frames it reads). Blocking: on libuv's pool, over the connections of
 * probe.c. Every size is bounded before anything is allocated (R5.2).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/pod-internal.h"
#include "agent/probe-internal.h"
#include "base/base.h"

/* Our SETTINGS_MAX_FRAME_SIZE: the default, never changed. */
#define H2_FRAME_MAX 16384
/* What precedes a gRPC message: its compressed flag and its 4-byte big-endian length. */
#define GRPC_PREFIX_LEN 5
/* grpc-go backs off about this long between failed connection attempts while it blocks. */
#define GRPC_REDIAL_USEC (200 * KL_USEC_PER_MSEC)

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

/* Big-endian 32-bit numbers: HTTP/2's stream ids and error codes, gRPC's message lengths. */
static uint32_t get_be32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

static void h2_frame_head(struct kl_buf *out, size_t len, uint8_t type, uint8_t flags,
                          uint32_t stream)
{
        uint8_t h[9] = { (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len, type, flags };

        put_be32(h + 5, stream);
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
        uint8_t prefix[GRPC_PREFIX_LEN];

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
        put_be32(prefix + 1, (uint32_t)msg.len);
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

/* A protobuf varint (10 bytes at most) at *p, before `end`; *p moves past it. */
static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *ret)
{
        uint64_t v = 0;

        for (unsigned shift = 0; shift <= 63; shift += 7) {
                uint8_t b;

                if (*p >= end)
                        return -EINVAL;
                b = *(*p)++;
                v |= (uint64_t)(b & 0x7f) << shift;
                if (!(b & 0x80)) {
                        *ret = v;
                        return 0;
                }
        }
        return -EINVAL;
}

/* The message of the DATA frames: its prefix and HealthCheckResponse. */
static void grpc_parse_message(struct kl_agent__grpc_call *c)
{
        const uint8_t *p = (const uint8_t *)c->data.buf, *end;
        uint32_t len;
        int health = 0;

        if (c->data.len < GRPC_PREFIX_LEN || p[0] != 0)
                return;
        len = get_be32(p + 1);
        if (len > c->data.len - GRPC_PREFIX_LEN)
                return;
        p += GRPC_PREFIX_LEN;
        end = p + len;
        while (p < end) {
                uint64_t key, v;

                if (get_varint(&p, end, &key) < 0)
                        return;
                switch (key & 7) {
                case 0:
                        if (get_varint(&p, end, &v) < 0)
                                return;
                        if (key >> 3 == 1)
                                health = (int)(int32_t)v;
                        break;
                case 1:
                        if (end - p < 8)
                                return;
                        p += 8;
                        break;
                case 2:
                        if (get_varint(&p, end, &v) < 0 || v > (uint64_t)(end - p))
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
                        c->rst_code = get_be32(p);
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
                last = get_be32(p) & 0x7fffffffu;
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
                        r = h2_frame(c, p[3], p[4], get_be32(p + 5) & 0x7fffffffu, p + 9, flen, out,
                                     err);
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
static enum kl_agent__probe_result grpc_exchange(struct kl_agent__conn *c, const char *addr,
                                                 const char *service, const char *timeout_text,
                                                 struct kl_agent__grpc_call *call,
                                                 char **ret_message)
{
        kl_autobuf struct kl_buf out = KL_BUF_INIT;
        int r;

        kl_agent__grpc_request(addr, service, KL_AGENT__PROBE_USER_AGENT, &out);
        r = kl_agent__conn_write_all(c, out.buf, out.len);
        kl_buf_reset(&out);
        while (r >= 0) {
                uint8_t buf[8192];
                ssize_t n = kl_agent__conn_read(c, buf, sizeof(buf));
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
                        r = kl_agent__conn_write_all(c, out.buf, out.len);
                        kl_buf_reset(&out);
                }
        }
        if (r == -ETIMEDOUT) {
                *ret_message =
                        kl_asprintf("timeout: health rpc did not complete within %s", timeout_text);
        } else {
                kl_autofree char *text = kl_agent__go_errno(r);

                *ret_message = kl_asprintf("error: health rpc probe failed: rpc error: code = "
                                           "Unavailable desc = error reading from server: %s",
                                           text);
        }
        return KL_AGENT__PROBE_FAILURE;
}

enum kl_agent__probe_result kl_agent__probe_grpc(const struct kl_agent__probe_ctx *x,
                                                 const json_t *action, char **ret_message)
{
        const char *service = json_string_value(json_object_get(action, "service")) ?: "";
        const char *host = kl_agent__probe_target_host(x->t, NULL);
        char timeout_text[KL_DURATION_STRING_MAX];
        struct kl_agent__conn c = { .fd = -EBADF, .deadline = x->deadline };
        struct kl_agent__grpc_call call;
        enum kl_agent__probe_result result;
        kl_autofree char *addr = NULL;
        struct kl_agent__endpoint ep;
        int port, r;

        kl_duration_format((int64_t)x->timeout_sec * (int64_t)KL_USEC_PER_SEC, timeout_text,
                           sizeof(timeout_text));
        if (kl_agent__probe_resolve_port(json_object_get(action, "port"), NULL, &port,
                                         ret_message) < 0)
                return KL_AGENT__PROBE_FAILURE;
        if (strlen(service) > H2_FRAME_MAX - 32) {
                *ret_message = kl_strdup("error: health rpc probe failed: service name too long");
                return KL_AGENT__PROBE_FAILURE;
        }
        addr = kl_agent__join_host_port(host, port);
        if (kl_agent__endpoint_resolve(host, port, &ep, ret_message) < 0)
                return KL_AGENT__PROBE_FAILURE;
        /* grpc-go, dialling with WithBlock, retries the connection until the deadline. */
        for (;;) {
                kl_autofree char *msg = NULL;

                r = kl_agent__dial(x->t->netns, &ep, x->deadline, &c.fd, &msg);
                if (r >= 0)
                        break;
                if (r == -ETIMEDOUT || kl_now_monotonic() + GRPC_REDIAL_USEC >= x->deadline) {
                        kl_autofree char *qa = kl_agent__go_quote(addr);

                        *ret_message = kl_asprintf("timeout: failed to connect service %s within "
                                                   "%s: context deadline exceeded",
                                                   qa, timeout_text);
                        kl_agent__endpoint_release(&ep);
                        return KL_AGENT__PROBE_FAILURE;
                }
                (void)usleep((useconds_t)GRPC_REDIAL_USEC);
        }
        kl_agent__endpoint_release(&ep);
        kl_agent__grpc_call_init(&call);
        result = grpc_exchange(&c, addr, service, timeout_text, &call, ret_message);
        kl_agent__grpc_call_release(&call);
        kl_agent__conn_close(&c);
        return result;
}
