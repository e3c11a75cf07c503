/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the agent module: the parsers of probe.c, declared here so that the
 * tests and the fuzz target (fuzz-probe-http.c) reach them. Everything here
 * reads what a container's server sends, so every size is bounded before it
 * is allocated. Pure: no I/O, any thread.
 *
 *   struct kl_agent__http1     an HTTP/1.x response, fed as it arrives
 *   kl_agent__huffman_decode() HPACK's Huffman code (RFC 7541 Appendix B)
 *   struct kl_agent__hpack     an HPACK decoder with its dynamic table
 *   struct kl_agent__grpc_call the client side of one gRPC call over HTTP/2
 *                              cleartext: the health checking protocol's Check
 *
 * Who owns what: each struct owns what its fields say; the caller owns the
 * struct and releases it.
 */
#ifndef KL_AGENT_PROBE_INTERNAL_H
#define KL_AGENT_PROBE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* Upstream's limits: 10 KiB of an HTTP body or of an exec's output. */
#define KL_AGENT__PROBE_OUTPUT_MAX 10240
/* The status line and headers of an HTTP/1.x response. */
#define KL_AGENT__HTTP_HEAD_MAX 65536
/* A header block (HEADERS + CONTINUATION), a decoded header, a gRPC message. */
#define KL_AGENT__H2_BLOCK_MAX 65536
/* The HPACK dynamic table size we use (SETTINGS_HEADER_TABLE_SIZE's default). */
#define KL_AGENT__HPACK_TABLE_SIZE 4096

/* ------------------------------------------------------------------------- */
/* HTTP/1.x responses */

struct kl_agent__http1 {
        /* Results, valid once feed returned 1. */
        int status;         /* the status code of the final (non-1xx) response */
        char *location;     /* owned: the Location header, or NULL */
        struct kl_buf body; /* the first KL_AGENT__PROBE_OUTPUT_MAX bytes of the body */
        bool truncated;     /* the body went on past the limit (not read further) */
        /* Private. */
        struct kl_buf head; /* bytes of the status line and headers so far */
        int state;
        bool chunked;
        bool no_body;
        int64_t remaining;  /* bytes of the body or of the current chunk; -1: to EOF */
        struct kl_buf line; /* a chunk-size or trailer line */
};

void kl_agent__http1_init(struct kl_agent__http1 *r);
void kl_agent__http1_release(struct kl_agent__http1 *r);

/**
 * Feed the next `len` bytes of the response (`len` 0: the server closed the
 * connection). Returns 1 when the response is complete (its body read to the
 * end or to the limit), 0 when more is needed, -EINVAL for a malformed
 * response or one cut short, with Go's net/http wording in *err ("EOF",
 * "unexpected EOF", "net/http: HTTP/1.x transport connection broken:
 * malformed HTTP response \"...\""). A request for a GET: 204 and 304 have
 * no body; 1xx responses before the final one are skipped.
 */
int kl_agent__http1_feed(struct kl_agent__http1 *r, const char *data, size_t len,
                         struct kl_err **err);

/* ------------------------------------------------------------------------- */
/* HPACK (RFC 7541) */

/** Decode Huffman-coded `p` and append it to `out`. -EINVAL for a bad code or padding, -E2BIG. */
int kl_agent__huffman_decode(const uint8_t *p, size_t n, struct kl_buf *out);

struct kl_agent__hpack_entry {
        char *name;  /* owned */
        char *value; /* owned */
        size_t size; /* RFC 7541 4.1: name + value + 32 */
};

struct kl_agent__hpack {
        struct kl_agent__hpack_entry *ring; /* owned: newest at ring[(first + n - 1) % cap] */
        size_t cap, first, n;
        size_t size;     /* of the entries */
        size_t max_size; /* current limit (dynamic table size updates) */
        size_t limit;    /* what we advertised: the largest max_size allowed */
};

void kl_agent__hpack_init(struct kl_agent__hpack *h, size_t limit);
void kl_agent__hpack_release(struct kl_agent__hpack *h);

/* One decoded field; borrowed for the call. Return < 0 to stop decoding with that code. */
typedef int kl_agent__hpack_fn(void *arg, const char *name, const char *value);

/**
 * Decode one complete header block, calling `fn` for each field in order and
 * updating the dynamic table. -EINVAL for a malformed block (the connection
 * is then unusable: COMPRESSION_ERROR), -E2BIG for a field over
 * KL_AGENT__H2_BLOCK_MAX.
 */
int kl_agent__hpack_decode(struct kl_agent__hpack *h, const uint8_t *p, size_t n,
                           kl_agent__hpack_fn *fn, void *arg);

/* ------------------------------------------------------------------------- */
/* One gRPC health check over HTTP/2 cleartext */

/* grpc.health.v1.HealthCheckResponse.ServingStatus */
enum kl_agent__grpc_health {
        KL_AGENT__GRPC_UNKNOWN = 0,
        KL_AGENT__GRPC_SERVING = 1,
        KL_AGENT__GRPC_NOT_SERVING = 2,
        KL_AGENT__GRPC_SERVICE_UNKNOWN = 3,
};

struct kl_agent__grpc_call {
        /* Results, valid once feed returned 1. */
        int http_status;    /* :status of the response headers; 0: none */
        int grpc_status;    /* grpc-status; -1: the stream ended without one */
        char *grpc_message; /* owned: grpc-message, percent-decoded, or NULL */
        int health;         /* HealthCheckResponse.status; -1: no message */
        uint32_t rst_code;  /* RST_STREAM's error code when the server reset the stream */
        bool reset;
        /* Private. */
        struct kl_agent__hpack hpack;
        struct kl_buf in;    /* bytes of an incomplete frame */
        struct kl_buf block; /* HEADERS and CONTINUATION fragments */
        bool in_block;
        uint32_t block_stream;
        bool block_end_stream;
        unsigned blocks;    /* header blocks of our stream so far */
        struct kl_buf data; /* DATA of our stream */
        bool done;
};

void kl_agent__grpc_call_init(struct kl_agent__grpc_call *c);
void kl_agent__grpc_call_release(struct kl_agent__grpc_call *c);

/**
 * Append what the client sends first to `out`: the connection preface, our
 * SETTINGS, the HEADERS of POST /grpc.health.v1.Health/Check on stream 1
 * (HPACK literals, no Huffman) and the DATA of HealthCheckRequest{service}.
 */
void kl_agent__grpc_request(const char *authority, const char *service, const char *user_agent,
                            struct kl_buf *out);

/**
 * Feed what the server sent (`len` 0: it closed the connection). Frames to
 * answer (SETTINGS and PING acknowledgements) are appended to `out`. Returns
 * 1 once our stream has ended, 0 when more is needed, or a negative code for
 * a broken connection with the reason in *err (grpc-go's words where it has
 * them: "connection closed before server preface received").
 */
int kl_agent__grpc_feed(struct kl_agent__grpc_call *c, const uint8_t *data, size_t len,
                        struct kl_buf *out, struct kl_err **err);

#endif
