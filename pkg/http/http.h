/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http: the HTTP/1.1 server the Kubernetes API sits on -- plain or TLS
 * (OpenSSL through memory BIOs), keep-alive, chunked streaming responses for
 * watches, and WebSocket upgrades for exec/attach. pkg/http/README.md has the
 * design: the connection state machine, how TLS is driven, the limits.
 *
 * Main types
 *   struct kl_http_server   a listening socket and its connections. Owns libuv
 *                           handles, so it is closed (kl_http_server_close()),
 *                           never freed directly once created.
 *   struct kl_http_req      one request, ref-counted. The handler receives it
 *                           and must finish it exactly once: with a whole
 *                           response, by ending a stream, or by accepting a
 *                           WebSocket upgrade.
 *   struct kl_http_ws       one accepted WebSocket, ref-counted.
 *
 * Threads: everything here runs on the loop thread that owns the uv_loop_t
 * the server was created on (DESIGN §2), and every function must be called
 * from it (asserted). Work done on other threads hands its result back to the
 * loop (kl_loop_run_blocking(), a mailbox) and responds from there.
 *
 * Ownership and lifetime (the full story is in README.md)
 *   - A request passed to the handler stays valid until it is finished. The
 *     handler may respond before it returns or any time later. Whoever wants
 *     to use the request after finishing it takes a reference
 *     (kl_http_req_ref()).
 *   - If the connection goes away first, the request stays valid; responding
 *     then is a cheap no-op that reports -ECONNRESET and still finishes the
 *     request. A handler that responds later (a watch, a slow worker) learns
 *     about it from a close hook registered on the request; the hook runs at
 *     most once and never after the request is finished. Hooks are intrusive
 *     (struct kl_http_close_hook lives in the caller's object) and whoever
 *     frees that object first removes its hook.
 *   - Strings returned by kl_http_req_*() accessors are borrowed from the
 *     request and valid as long as the request is.
 *
 * Limits: every size and time the network controls is bounded by struct
 * kl_http_limits before anything is allocated; violations are answered with
 * the proper status (400, 408, 413, 414, 431, 505) and the connection closed.
 *
 * Not supported: HTTP/2 (ALPN offers only "http/1.1"; kubectl and client-go
 * then use HTTP/1.1, see README.md), request bodies streamed to the handler
 * (bodies are bounded and buffered), trailers in responses, WebSocket
 * extensions (permessage-deflate).
 */
#ifndef KL_HTTP_HTTP_H
#define KL_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "base/base.h"
#include "base/pool.h"

struct kl_http_server;
struct kl_http_req;
struct kl_http_ws;

/* ------------------------------------------------------------------------- */
/* Configuration */

/**
 * Limits. A zero field takes its default (the KL_HTTP_DEFAULT_* values), so
 * `struct kl_http_limits l = { .max_body = 1 << 20 };` changes one limit only.
 */
struct kl_http_limits {
        size_t max_request_line;  /* longest request line; longer: 414 */
        size_t max_header_bytes;  /* header fields after the request line; more: 431 */
        unsigned max_headers;     /* header fields; more: 431 */
        size_t max_body;          /* request body (Content-Length or decoded chunks); more: 413 */
        size_t max_stream_queued; /* unsent output beyond which stream/ws writes fail -ENOBUFS */
        size_t max_ws_message;    /* WebSocket message (all fragments); more: close 1009 */
        unsigned max_connections; /* open connections; more are closed on accept */
        kl_usec_t idle_timeout;   /* keep-alive wait for the next request: silent close */
        kl_usec_t header_timeout; /* TLS handshake, then first byte to end of head: 408 */
        kl_usec_t body_timeout;   /* end of head to end of body: 408 */
        kl_usec_t write_timeout;  /* queued output making no progress: close */
};

#define KL_HTTP_DEFAULT_MAX_REQUEST_LINE  ((size_t)16 << 10)
#define KL_HTTP_DEFAULT_MAX_HEADER_BYTES  ((size_t)64 << 10)
#define KL_HTTP_DEFAULT_MAX_HEADERS       100u
#define KL_HTTP_DEFAULT_MAX_BODY          ((size_t)3 << 20) /* kube-apiserver's 3 MiB */
#define KL_HTTP_DEFAULT_MAX_STREAM_QUEUED ((size_t)16 << 20)
#define KL_HTTP_DEFAULT_MAX_WS_MESSAGE    ((size_t)4 << 20)
#define KL_HTTP_DEFAULT_MAX_CONNECTIONS   10000u
#define KL_HTTP_DEFAULT_IDLE_TIMEOUT      (90 * KL_USEC_PER_SEC)
#define KL_HTTP_DEFAULT_HEADER_TIMEOUT    (32 * KL_USEC_PER_SEC)
#define KL_HTTP_DEFAULT_BODY_TIMEOUT      (60 * KL_USEC_PER_SEC)
#define KL_HTTP_DEFAULT_WRITE_TIMEOUT     (60 * KL_USEC_PER_SEC)

/**
 * TLS. Give the certificate chain and key either as PEM file paths or as PEM
 * text in memory (not both of one). `client_ca_*` (optional) turns on client
 * certificates: the server asks for one, never requires it (token users still
 * connect), and reports it to handlers only when it verifies against this
 * bundle. TLS 1.2 and later; ALPN selects only "http/1.1".
 * All strings are borrowed for the duration of kl_http_server_new().
 */
struct kl_http_tls_config {
        const char *cert_file; /* PEM: leaf certificate first, then intermediates */
        const char *key_file;  /* PEM private key */
        const char *cert_pem;  /* the same, in memory */
        const char *key_pem;
        const char *client_ca_file; /* PEM bundle of CAs that sign client certificates */
        const char *client_ca_pem;
};

/**
 * Called on the loop thread for every complete request. `req` is valid until
 * it is finished (see the top of this file); `userdata` is the server's.
 */
typedef void kl_http_handler_fn(struct kl_http_req *req, void *userdata);

struct kl_http_server_config {
        kl_http_handler_fn *handler;          /* NULL: every request gets 404 */
        void *userdata;                       /* passed to handler; borrowed */
        const struct kl_http_tls_config *tls; /* NULL: plain HTTP */
        struct kl_http_limits limits;         /* zero fields: defaults */
};

/* ------------------------------------------------------------------------- */
/* Server */

/**
 * Create a server on `loop` (which the calling thread must own). Nothing
 * listens yet. Errors: -EINVAL for a bad configuration, and the TLS loader's
 * errors (-ENOENT for a missing file, -EINVAL for PEM that does not parse or a
 * key that does not match), each with a message. On success the server owns
 * libuv handles: dispose of it with kl_http_server_close() only.
 */
int kl_http_server_new(uv_loop_t *loop, const struct kl_http_server_config *cfg,
                       struct kl_http_server **ret, struct kl_err **err);

/**
 * Bind and listen on `address` ("0.0.0.0", "::", "127.0.0.1", "::1", any
 * literal IPv4 or IPv6 address; "::" also accepts IPv4 where the system
 * allows) and `port` (0: an ephemeral port, see kl_http_server_port()).
 * Once per server: -EBUSY afterwards. Errors: -EINVAL for an address that is
 * not a literal, libuv's codes (-EADDRINUSE, -EACCES, ...) from bind/listen.
 */
int kl_http_server_listen(struct kl_http_server *s, const char *address, uint16_t port,
                          struct kl_err **err);

/** The bound port, or -ENOTCONN before a successful kl_http_server_listen(). */
int kl_http_server_port(const struct kl_http_server *s);

/** Open connections right now (tests, metrics). */
unsigned kl_http_server_connections(const struct kl_http_server *s);

/** True once kl_http_server_close() was called; handlers may use it to end streams. */
bool kl_http_server_is_closing(const struct kl_http_server *s);

typedef void kl_http_server_closed_fn(struct kl_http_server *s, void *userdata);

/**
 * Graceful shutdown, then free. Stops accepting at once and closes idle
 * connections; connections with a request in progress may finish it (their
 * response carries "Connection: close") for up to `grace`; unfinished
 * requests' close hooks run with -ESHUTDOWN so streams (watches) can end
 * cleanly, and WebSockets get a close frame 1001. When `grace` has passed,
 * whatever is left is closed. `cb` (may be NULL) runs once every handle of
 * the server and of its connections is closed; after it returns `s` is
 * invalid. Requests the application has not finished yet stay valid (and
 * keep a little memory) until it finishes them. Call exactly once.
 */
void kl_http_server_close(struct kl_http_server *s, kl_usec_t grace, kl_http_server_closed_fn *cb,
                          void *userdata);

/* ------------------------------------------------------------------------- */
/* Requests */

struct kl_http_header {
        const char *name;
        const char *value;
};

struct kl_http_req *kl_http_req_ref(struct kl_http_req *req);
/** Drop a reference taken with kl_http_req_ref(). NULL is a no-op; returns NULL. */
struct kl_http_req *kl_http_req_unref(struct kl_http_req *req);

/** "GET", "POST", ... exactly as sent (methods are case-sensitive). */
const char *kl_http_req_method(const struct kl_http_req *req);
/** The request-target as sent: "/api/v1/pods?watch=true". */
const char *kl_http_req_target(const struct kl_http_req *req);
/** The target's path, before any '?', not percent-decoded: "/api/v1/pods". */
const char *kl_http_req_path(const struct kl_http_req *req);
/** The query after '?', not decoded; "" when there is none. */
const char *kl_http_req_query(const struct kl_http_req *req);
/** 0 for HTTP/1.0, 1 for HTTP/1.1 (and later 1.x). */
unsigned kl_http_req_version_minor(const struct kl_http_req *req);
/** The first header named `name` (case-insensitive), value trimmed; NULL if absent. */
const char *kl_http_req_header(const struct kl_http_req *req, const char *name);
/** All header fields in arrival order; `*ret_n` gets the count. Borrowed. */
const struct kl_http_header *kl_http_req_headers(const struct kl_http_req *req, size_t *ret_n);
/** The body (NUL-terminated for convenience, may hold NULs); "" and 0 when none. */
const char *kl_http_req_body(const struct kl_http_req *req, size_t *ret_len);
/**
 * The request's pool (STYLE R5.7): memory that lives exactly as long as the
 * request. Handlers put parsed path segments, query parameters and scratch
 * strings here.
 */
struct kl_pool *kl_http_req_pool(struct kl_http_req *req);
/** "203.0.113.7:51234" or "[2001:db8::1]:51234". */
const char *kl_http_req_peer(const struct kl_http_req *req);
bool kl_http_req_is_tls(const struct kl_http_req *req);
/** False once the connection is gone; responding is then a no-op. */
bool kl_http_req_is_connected(const struct kl_http_req *req);

/**
 * The identity of the client certificate, when one was presented over TLS
 * and verified against the client CA bundle. Kubernetes maps the common name
 * to the user and each organization to a group.
 */
struct kl_http_client_cert {
        const char *common_name; /* subject CN (the last one, as Go reads it); "" if none */
        const char *const *organizations; /* subject O values in order, NULL-terminated */
        size_t n_organizations;
};
/**
 * NULL when there is no verified client certificate: plain HTTP, no
 * certificate sent, or one that does not verify. Borrowed from the
 * connection, valid as long as `req`.
 */
const struct kl_http_client_cert *kl_http_req_client_cert(const struct kl_http_req *req);

/* ------------------------------------------------------------------------- */
/* Close notification */

/**
 * Why a close hook runs:
 *   -ECONNRESET  the client went away (EOF, reset, write error); nothing more
 *                can be sent;
 *   -ETIMEDOUT   the client stopped reading and output made no progress for
 *                limits.write_timeout; the connection is closed;
 *   -ESHUTDOWN   the server is shutting down; the connection is still open and
 *                the handler should finish promptly (end the stream).
 * The hook has been removed when it runs, so it may free the object holding it.
 * It must not be re-added for the same request.
 */
typedef void kl_http_close_fn(struct kl_http_req *req, int reason, void *userdata);

struct kl_http_close_hook {
        struct kl_http_close_hook *next, *prev; /* private */
        kl_http_close_fn *fn;                   /* private */
        void *userdata;                         /* private; borrowed */
};

/**
 * Register `hook` (caller's memory, zero-initialised or removed/run before,
 * valid until removed or run) on an unfinished request. Not added, with the
 * reason returned synchronously: -EALREADY if the request is already
 * finished, -ECONNRESET if the connection is already gone, -ESHUTDOWN if the
 * server is shutting down (finish promptly instead of waiting for a close).
 */
int kl_http_req_add_close_hook(struct kl_http_req *req, struct kl_http_close_hook *hook,
                               kl_http_close_fn *fn, void *userdata);
/** Remove a hook that has not run. Removing one that ran, or never added, is a no-op. */
void kl_http_close_hook_remove(struct kl_http_close_hook *hook);

/* ------------------------------------------------------------------------- */
/* Responses */

/**
 * Add a response header before the response starts. `name` must be a token
 * and `value` free of CR, LF and NUL (-EINVAL otherwise). Content-Length,
 * Transfer-Encoding, Connection and Date belong to the library (-EINVAL).
 * Both strings are copied into the request's pool. -EALREADY once the
 * response has started.
 */
int kl_http_resp_add_header(struct kl_http_req *req, const char *name, const char *value);

/**
 * Send a whole response and finish the request: status line, Date, the added
 * headers, Content-Type when `content_type` is not NULL, Content-Length, the
 * body (copied). HEAD gets the same head and no body; 1xx/204/304 no body.
 * Returns 0, -ECONNRESET when the connection is already gone (the request is
 * finished all the same), -EALREADY if a response was already started,
 * -EINVAL for a status outside 200..999 or a content type with control
 * characters (nothing sent, the request is not finished). The request must
 * not be used afterwards unless the caller holds a reference.
 */
int kl_http_respond(struct kl_http_req *req, int status, const char *content_type, const void *body,
                    size_t len);
/** kl_http_respond() taking ownership of `body` (malloc'ed; freed with free()) in every case. */
int kl_http_respond_take(struct kl_http_req *req, int status, const char *content_type, void *body,
                         size_t len);
/** A short text/plain response: "404 Not Found\n". */
int kl_http_respond_status(struct kl_http_req *req, int status);

/**
 * Start a streamed response: status line and headers now, then
 * "Transfer-Encoding: chunked" (HTTP/1.1) or a body ended by closing the
 * connection (HTTP/1.0). Returns 0, -ECONNRESET or -EALREADY as above; after
 * -ECONNRESET the stream is open in name only and must still be ended.
 */
int kl_http_stream_start(struct kl_http_req *req, int status, const char *content_type);
/**
 * Send one chunk (copied) and flush it at once: each write reaches the socket
 * before the loop goes back to waiting. An empty write sends nothing.
 * -ENOBUFS when the connection already has more than limits.max_stream_queued
 * bytes unsent (a slow client; nothing was queued: end the stream),
 * -ECONNRESET when the connection is gone, -EINVAL if no stream is open.
 */
int kl_http_stream_write(struct kl_http_req *req, const void *data, size_t len);
/**
 * Start a streamed response whose body is exactly `len` bytes, announced in
 * Content-Length (a large answer written as it is produced, with the framing
 * of a whole one): kl_http_stream_write() then sends its bytes unframed, and
 * one that would go past `len` fails -EINVAL (nothing sent). HEAD, HTTP/1.0
 * and keep-alive as for kl_http_respond(). Returns as kl_http_stream_start().
 */
int kl_http_stream_start_sized(struct kl_http_req *req, int status, const char *content_type,
                               uint64_t len);
/**
 * End the stream (terminating chunk) and finish the request. 0 or
 * -ECONNRESET. A sized stream ended before its `len` bytes were written
 * cannot be framed any more: the connection is closed once what was written
 * is sent (the client sees a short body) and -EPIPE returned.
 */
int kl_http_stream_end(struct kl_http_req *req);

/** Bytes handed to the connection and not yet written to the socket (after TLS). */
size_t kl_http_req_output_queued(const struct kl_http_req *req);

typedef void kl_http_drain_fn(struct kl_http_req *req, void *userdata);
/**
 * Call `fn` each time the connection's output queue becomes empty while this
 * request is unfinished (a watch that paused on -ENOBUFS or a high queue
 * resumes here). NULL clears it.
 */
void kl_http_req_set_drain_cb(struct kl_http_req *req, kl_http_drain_fn *fn, void *userdata);

/** Reason phrase for a status code ("Not Found"); "Unknown" for codes not in the table. */
const char *kl_http_status_text(int status);

/* ------------------------------------------------------------------------- */
/* WebSocket (RFC 6455) */

enum kl_http_ws_opcode {
        KL_HTTP_WS_TEXT = 1,
        KL_HTTP_WS_BINARY = 2,
};

/** True for a valid WebSocket upgrade request (GET, Upgrade, Connection, key, version 13). */
bool kl_http_req_is_websocket(const struct kl_http_req *req);
/** True if the client offered `protocol` in Sec-WebSocket-Protocol. */
bool kl_http_req_ws_offers(const struct kl_http_req *req, const char *protocol);

/**
 * A complete message (fragments reassembled, text validated as UTF-8).
 * `data` is borrowed for the call.
 */
typedef void kl_http_ws_message_fn(struct kl_http_ws *ws, enum kl_http_ws_opcode op,
                                   const void *data, size_t len, void *userdata);
/**
 * The WebSocket is over, called exactly once: `code` is the peer's close code
 * (1000 normal, 1001 going away, ...; 1005 when its close frame had none), or
 * 1006 when the connection ended without a close handshake, or the code we
 * sent when we closed because of a protocol error (1002, 1007, 1009). No
 * callback runs after it; sends fail with -ECONNRESET.
 */
typedef void kl_http_ws_close_fn(struct kl_http_ws *ws, int code, void *userdata);

struct kl_http_ws_callbacks {
        kl_http_ws_message_fn *on_message; /* may be NULL: messages are dropped */
        kl_http_ws_close_fn *on_close;     /* may be NULL */
};
/*
 * No callback runs before kl_http_ws_accept() returns; callbacks never run
 * after on_close. Dropping the last reference of a WebSocket that is still
 * open closes it (1001) without calling on_close.
 */

/**
 * Accept a WebSocket upgrade (now, or later from a callback of one's own):
 * sends 101 with Sec-WebSocket-Accept and, when
 * `subprotocol` is not NULL, Sec-WebSocket-Protocol (it must be one the
 * client offered: -EINVAL otherwise). Finishes the request; the WebSocket
 * keeps a reference to it, so kl_http_ws_req() stays usable. On success
 * `*ret_ws` holds the caller's reference (kl_http_ws_unref() when done).
 * Errors: -EINVAL (not an upgrade request, bad subprotocol; the request is
 * not finished and may still be answered), -ECONNRESET (the connection is
 * gone; the request is finished).
 */
int kl_http_ws_accept(struct kl_http_req *req, const char *subprotocol,
                      const struct kl_http_ws_callbacks *cbs, void *userdata,
                      struct kl_http_ws **ret_ws, struct kl_err **err);

/** Send one unfragmented message (copied). -ENOBUFS, -ECONNRESET as for streams. */
int kl_http_ws_send(struct kl_http_ws *ws, enum kl_http_ws_opcode op, const void *data, size_t len);
/**
 * Start the close handshake with `code` (1000 normal, 1011 server error, ...)
 * and an optional `reason` (at most 123 bytes). The connection closes when the
 * peer answers or after a short wait; on_close follows. Idempotent.
 */
int kl_http_ws_close(struct kl_http_ws *ws, uint16_t code, const char *reason);
size_t kl_http_ws_output_queued(const struct kl_http_ws *ws);
/**
 * Stop (true) or resume (false) reading frames: back-pressure for exec stdin.
 * While paused nothing is read, pings included. Resuming outside a callback
 * delivers what was buffered before it returns.
 */
void kl_http_ws_pause(struct kl_http_ws *ws, bool pause);
/** The upgrade request (headers, query, client certificate). Borrowed from `ws`. */
struct kl_http_req *kl_http_ws_req(struct kl_http_ws *ws);
struct kl_http_ws *kl_http_ws_ref(struct kl_http_ws *ws);
/** NULL is a no-op; returns NULL. */
struct kl_http_ws *kl_http_ws_unref(struct kl_http_ws *ws);

/* ------------------------------------------------------------------------- */
/* Raw upgrades: SPDY/3.1 (http-upgrade.c) */

/* The Upgrade token of client-go's SPDY round tripper. */
#define KL_HTTP_SPDY_UPGRADE "SPDY/3.1"

/** True for an HTTP/1.1 request with `Connection: Upgrade` and `Upgrade: SPDY/3.1` (any method). */
bool kl_http_req_is_spdy(const struct kl_http_req *req);
/** True if an X-Stream-Protocol-Version field of the request lists `protocol`. */
bool kl_http_req_stream_offers(const struct kl_http_req *req, const char *protocol);

/**
 * Accept a SPDY/3.1 upgrade: sends 101 with `Connection: Upgrade`,
 * `Upgrade: SPDY/3.1` and, when `protocol` is not NULL (it must be one the
 * client offered: -EINVAL otherwise), `X-Stream-Protocol-Version: protocol`.
 * The connection is then an unframed byte pipe, handed out as a WebSocket
 * handle in raw mode with the same life cycle (no time-outs, the queue
 * limit, pause, shutdown, references, errors as kl_http_ws_accept()):
 *   - on_message gets KL_HTTP_WS_BINARY and the bytes in the pieces they
 *     arrived in (no message boundaries);
 *   - kl_http_ws_send() writes bytes as they are (the opcode is checked and
 *     ignored);
 *   - kl_http_ws_close() (code and reason ignored) closes the connection
 *     once the queued output is written; on_close then gets 1000; a
 *     connection lost otherwise gives 1006. Input after the close is dropped.
 * The protocol on top (SPDY framing) is the caller's.
 */
int kl_http_spdy_accept(struct kl_http_req *req, const char *protocol,
                        const struct kl_http_ws_callbacks *cbs, void *userdata,
                        struct kl_http_ws **ret, struct kl_err **err);

/* ---------------------------------------------------------------------------
 * HTTP client (http-client.c): libcurl's multi interface driven by the loop
 * (uv_poll_t per socket, one uv_timer_t), for the remote API client. Keep-
 * alive connections are reused; TLS trusts a CA given as PEM and presents a
 * client certificate and key from memory, or sends a bearer token.
 *
 * Calls never finish inside kl_http_call_start(): handles are added to the
 * multi handle from the loop. `done` runs exactly once per call that is not
 * cancelled, from the loop, outside libcurl's callbacks (any kl_http_*
 * function may be called from it). `data` of a streaming call runs inside
 * libcurl's write callback: from there only kl_http_call_start() and
 * kl_http_call_cancel() may be used (both defer what libcurl forbids).
 */

struct kl_http_client;
struct kl_http_call;

struct kl_http_client_opts {
        const char *ca_pem;   /* trusted CA certificates; NULL: the system's */
        const char *cert_pem; /* client certificate and key; NULL: none */
        const char *key_pem;
        const char *bearer_token;  /* "Authorization: Bearer"; NULL: none */
        kl_usec_t connect_timeout; /* 0: 10 s */
        kl_usec_t request_timeout; /* whole non-streaming calls; 0: 60 s */
        size_t max_response;       /* largest buffered body; 0: 64 MiB */
        unsigned max_requests;     /* non-streaming calls at once (more queue); 0: 8 */
        bool insecure_skip_verify; /* do not verify the server (kubelets' self-signed) */
};

/**
 * A finished call. r < 0 for transport failures (-ECONNREFUSED,
 * -ETIMEDOUT, -EPROTO for TLS, -E2BIG for a body over the limit, -EIO),
 * with `err` (borrowed) saying why; otherwise `status` is the HTTP status
 * and `body` (borrowed, NUL-terminated; empty for streaming calls that
 * answered 2xx) the response.
 */
typedef void kl_http_done_fn(void *arg, int r, int status, const char *body, size_t len,
                             const struct kl_err *err);
/** Bytes of a streaming 2xx response as they arrive. Return < 0 to abort (done gets r). */
typedef int kl_http_data_fn(void *arg, const char *data, size_t len);

struct kl_http_call_opts {
        const char *method;       /* "GET", "POST", ... */
        const char *url;          /* copied */
        const char *content_type; /* of the body; NULL: no body */
        const char *accept;       /* NULL: "application/json" */
        const void *body;         /* copied */
        size_t body_len;
        kl_http_data_fn *data; /* set: a stream, no total time-out, 2xx bodies not buffered */
        kl_http_done_fn *done;
        void *arg;
};

int kl_http_client_new(uv_loop_t *loop, const struct kl_http_client_opts *opts,
                       struct kl_http_client **ret, struct kl_err **err);
/**
 * Start a call; *ret (optional) identifies it for kl_http_call_cancel()
 * until its `done` runs. Fails only for a bad option (-EINVAL).
 */
int kl_http_call_start(struct kl_http_client *c, const struct kl_http_call_opts *opts,
                       struct kl_http_call **ret, struct kl_err **err);
/** Abandon a call: no callback of it runs afterwards. NULL is a no-op. */
void kl_http_call_cancel(struct kl_http_call *call);
/**
 * Free the client: calls still running are cancelled silently (their owners
 * cancel or finish them first if they need to know). Its handles close from
 * the loop. Not from inside a `data` callback. NULL is a no-op.
 */
void kl_http_client_free(struct kl_http_client *c);
/** Percent-encode `s` for a URL path segment or a query value (RFC 3986 unreserved kept). */
void kl_http_escape(struct kl_buf *out, const char *s);

/* ---------------------------------------------------------------------------
 * WebSocket client (http-ws-client.c): one outgoing WebSocket (RFC 6455 client side), for the API
 * server's pods/exec and pods/attach proxy to the kubelet. The connection is our own: a
 * non-blocking socket watched by a uv_poll_t, TLS by OpenSSL on that socket
 * (SSL_connect/SSL_read/SSL_write in non-blocking mode). libcurl's
 * CONNECT_ONLY was the other choice; it connects synchronously outside the
 * multi interface, which would block the loop. Outgoing frames are masked
 * with fresh random keys; incoming ones are decoded by the server's decoder
 * (http-ws.c) in its from_server mode, so limits and validity rules are the
 * same. Pings are answered with pongs by the client itself.
 *
 * Hosts are IP literals only (the proxy dials a node's address; names are
 * refused with -EINVAL). Loop thread only.
 *
 * Callbacks: on_connect exactly once (unless the client is freed first):
 * r < 0 a transport failure (connect, TLS, time-out, malformed answer) with
 * `err`; r == 0 and status 101 the WebSocket is open; r == 0 and another
 * status: the server refused the upgrade, `body` is its answer (a Status,
 * bounded). After an open, on_message per message and on_close exactly once
 * (1000.. the server's close code, 1006 for a connection lost without a
 * close handshake). Any callback may free the client.
 */
struct kl_http_ws_client;

typedef void kl_http_ws_client_connect_fn(struct kl_http_ws_client *c, int r, int status,
                                          const char *content_type, const char *body, size_t len,
                                          const struct kl_err *err, void *userdata);
typedef void kl_http_ws_client_message_fn(struct kl_http_ws_client *c, enum kl_http_ws_opcode op,
                                          const void *data, size_t len, void *userdata);
typedef void kl_http_ws_client_close_fn(struct kl_http_ws_client *c, int code, void *userdata);
typedef void kl_http_ws_client_pong_fn(struct kl_http_ws_client *c, const void *data, size_t len,
                                       void *userdata);

struct kl_http_ws_client_opts {
        const char *url;         /* ws://, wss://, http:// or https://IP[:port]/path?query */
        const char *subprotocol; /* offered in Sec-WebSocket-Protocol; NULL: none */
        /*
         * Set: a SPDY/3.1 upgrade instead (POST, `Upgrade: SPDY/3.1`, one
         * X-Stream-Protocol-Version per comma-separated name, best first);
         * after the 101 the connection is a raw byte pipe: on_message gets
         * the bytes as they arrive (KL_HTTP_WS_BINARY), sends are written
         * unframed, no pings, close ends the connection once the queued
         * bytes are written (on_close 1000); the server's EOF is on_close
         * 1000 too, a failed write 1006. kl_http_ws_client_protocol() gives
         * the version the server chose ("" if it named none).
         */
        const char *spdy_protocols;
        const char *ca_pem;   /* trusted CAs for wss; NULL: see insecure_skip_verify */
        const char *cert_pem; /* client certificate and key (PEM); NULL: none */
        const char *key_pem;
        bool insecure_skip_verify; /* wss without verifying the server (upstream's kubelet
                                      default without --kubelet-certificate-authority) */
        size_t max_message;        /* 0: KL_HTTP_DEFAULT_MAX_WS_MESSAGE */
        size_t max_queued;         /* unsent bytes beyond which sends fail -ENOBUFS; 0: 16 MiB */
        kl_usec_t connect_timeout; /* connect, TLS and the 101; 0: 10 s */
        kl_http_ws_client_connect_fn *on_connect;
        kl_http_ws_client_message_fn *on_message; /* may be NULL */
        kl_http_ws_client_close_fn *on_close;     /* may be NULL */
        kl_http_ws_client_pong_fn *on_pong;       /* may be NULL: a pong arrived */
        void *userdata;
};

/** Start connecting. Fails at once only for bad options (-EINVAL) or socket errors. */
int kl_http_ws_client_connect(uv_loop_t *loop, const struct kl_http_ws_client_opts *opts,
                              struct kl_http_ws_client **ret, struct kl_err **err);
/** The subprotocol the server chose ("" for none); valid after a 101. */
const char *kl_http_ws_client_protocol(const struct kl_http_ws_client *c);
/** Send one message (masked, unfragmented, copied). -ENOBUFS, -ECONNRESET, -ENOTCONN. */
int kl_http_ws_client_send(struct kl_http_ws_client *c, enum kl_http_ws_opcode op, const void *data,
                           size_t len);
/** Send a ping (payload at most 125 bytes, else -EINVAL); the answer goes to on_pong. */
int kl_http_ws_client_ping(struct kl_http_ws_client *c, const void *data, size_t len);
/** Start the close handshake (idempotent); on_close follows. */
int kl_http_ws_client_close(struct kl_http_ws_client *c, uint16_t code, const char *reason);
/** Stop (true) or resume (false) reading: back-pressure. */
void kl_http_ws_client_pause(struct kl_http_ws_client *c, bool pause);
size_t kl_http_ws_client_output_queued(const struct kl_http_ws_client *c);
/** Drop the connection without a handshake; no callback runs afterwards. NULL is a no-op. */
void kl_http_ws_client_free(struct kl_http_ws_client *c);

/*
 * Pausing a streaming call: a `data` callback may return KL_HTTP_DATA_PAUSE;
 * the bytes are not taken and the call pauses until kl_http_call_resume()
 * delivers them again.
 */
#define KL_HTTP_DATA_PAUSE 1
void kl_http_call_resume(struct kl_http_call *call);

#endif
