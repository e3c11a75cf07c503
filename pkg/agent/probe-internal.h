/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the agent module: what the three files of a probe run share
 * (probe.c, probe-http.c, probe-grpc.c), and the parsers of the last two,
 * declared here so that the tests and the fuzz target (fuzz-probe-http.c)
 * reach them. The parsers read what a container's server sends, so every
 * size is bounded before it is allocated. They are pure: no I/O, any thread.
 *
 *   struct kl_agent__http1     an HTTP/1.x response, fed as it arrives
 *   kl_agent__huffman_decode() HPACK's Huffman code (RFC 7541 Appendix B)
 *   struct kl_agent__hpack     an HPACK decoder with its dynamic table
 *   struct kl_agent__grpc_call the client side of one gRPC call over HTTP/2
 *                              cleartext: the health checking protocol's Check
 *
 * The run's plumbing (probe.c) blocks, on libuv's pool:
 *
 *   struct kl_agent__probe_ctx the probe's fields and its deadline
 *   struct kl_agent__endpoint  an address to dial, with Go's text of it
 *   struct kl_agent__conn      a connection, plain or TLS, with its deadline
 *   kl_agent__probe_http()     an httpGet probe (probe-http.c)
 *   kl_agent__probe_grpc()     a grpc probe (probe-grpc.c)
 *
 * Who owns what: each struct owns what its fields say; the caller owns the
 * struct and releases it.
 */
#ifndef KL_AGENT_PROBE_INTERNAL_H
#define KL_AGENT_PROBE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <jansson.h>
#include <openssl/ssl.h>

#include "agent/pod-internal.h"
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

/* ------------------------------------------------------------------------- */
/* The run's plumbing (probe.c), shared by the network probes */

/* What upstream's kubelet 1.32 sends as User-Agent (kube-probe/<major>.<minor>). */
#define KL_AGENT__PROBE_USER_AGENT "kube-probe/1.32"

/* The probe's fields. Borrowed. */
struct kl_agent__probe_ctx {
        const json_t *probe;
        const struct kl_agent__probe_target *t;
        int64_t timeout_sec;
        kl_usec_t deadline; /* monotonic: the start of the run plus timeoutSeconds */
};

/* Go's %q of `s` (strconv.Quote for valid ASCII; other bytes as \xNN). Owned. */
char *kl_agent__go_quote(const char *s);
/* Go's syscall.Errno text of `code` (either sign). Owned. */
char *kl_agent__go_errno(int code);
/* net.JoinHostPort. Owned. */
char *kl_agent__join_host_port(const char *host, int port);

/* The host a network probe goes to: `host` when set, else the pod's IP, else 127.0.0.1. */
const char *kl_agent__probe_target_host(const struct kl_agent__probe_target *t, const char *host);

/**
 * upstream's ResolveContainerPort: `port` a number, the name of one of the
 * `container`'s ports, or a number written as a string. -EINVAL with the
 * message upstream's error would have in *ret_msg (owned).
 */
int kl_agent__probe_resolve_port(const json_t *port, const json_t *container, int *ret,
                                 char **ret_msg);

struct kl_agent__endpoint {
        struct sockaddr_storage sa;
        socklen_t len;
        char *text; /* owned: "10.0.0.1:80", "[::1]:80", as Go prints dial addresses */
};

/**
 * `host` (an IP, or a name resolved by the host's resolver) and `port`.
 * -ENOENT with Go's words in *ret_msg (owned) when the name does not resolve.
 */
int kl_agent__endpoint_resolve(const char *host, int port, struct kl_agent__endpoint *ret,
                               char **ret_msg);
void kl_agent__endpoint_release(struct kl_agent__endpoint *e);

/**
 * A connected non-blocking TCP socket to `ep`, made inside the network
 * namespace `netns` (NULL: ours), by `deadline`. < 0 with Go's words in
 * *ret_msg (owned); -ETIMEDOUT for the time-out.
 */
int kl_agent__dial(const char *netns, const struct kl_agent__endpoint *ep, kl_usec_t deadline,
                   int *ret_fd, char **ret_msg);

/* A connection, plain or TLS, with one deadline for everything done on it. */
struct kl_agent__conn {
        int fd;       /* owned; -EBADF when closed */
        SSL_CTX *ctx; /* owned, or NULL (plain) */
        SSL *ssl;     /* owned, or NULL (plain) */
        kl_usec_t deadline;
};

/* Free what `c` owns; it is then closed (fd -EBADF), and closing it again is a no-op. */
void kl_agent__conn_close(struct kl_agent__conn *c);
/* TLS over the connected socket, without verification, as upstream's probes. < 0 with *ret_msg. */
int kl_agent__conn_tls(struct kl_agent__conn *c, const char *server_name, char **ret_msg);
/* Write all of `data` by the deadline: 0, -ETIMEDOUT, -EPIPE (TLS), or -errno. */
int kl_agent__conn_write_all(struct kl_agent__conn *c, const void *data, size_t len);
/* Read what is there: > 0 bytes, 0 at EOF, -ETIMEDOUT, or -errno. */
ssize_t kl_agent__conn_read(struct kl_agent__conn *c, void *buf, size_t size);

/* An httpGet probe (`action` the Probe's httpGet); the message of a failure in *ret_message. */
enum kl_agent__probe_result kl_agent__probe_http(const struct kl_agent__probe_ctx *x,
                                                 const json_t *action, char **ret_message);
/* A grpc probe (`action` the Probe's grpc); the message of a failure in *ret_message. */
enum kl_agent__probe_result kl_agent__probe_grpc(const struct kl_agent__probe_ctx *x,
                                                 const json_t *action, char **ret_message);

#endif
