/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http internals shared by the files of pkg/http (and its tests, fuzz targets):
 * the request parser, the WebSocket frame decoder, and the server, connection,
 * request and WebSocket structs. Never included outside pkg/http.
 */
#ifndef KL_HTTP_HTTP_INTERNAL_H
#define KL_HTTP_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <uv.h>

#include "base/base.h"
#include "base/pool.h"
#include "http/http.h"

/* Copy `l` with every zero field replaced by its default. */
void kl_http__limits_fill(struct kl_http_limits *ret, const struct kl_http_limits *l);

/* ------------------------------------------------------------------------- */
/* Request parser (http-parser.c): pure, no I/O, fed any split of the bytes. */

enum kl_http__msg_flags {
        KL_HTTP__MSG_KEEP_ALIVE = 1 << 0,      /* the connection may carry another request */
        KL_HTTP__MSG_CHUNKED = 1 << 1,         /* Transfer-Encoding: chunked */
        KL_HTTP__MSG_HAS_LENGTH = 1 << 2,      /* Content-Length given */
        KL_HTTP__MSG_EXPECT_CONTINUE = 1 << 3, /* Expect: 100-continue */
        KL_HTTP__MSG_UPGRADE_WS = 1 << 4,      /* Upgrade lists "websocket" */
        KL_HTTP__MSG_CONN_UPGRADE = 1 << 5,    /* Connection lists "upgrade" */
        KL_HTTP__MSG_HEAD = 1 << 6,            /* method HEAD */
};

/* A parsed request. Strings point into the pool given to kl_http__parser_start(). */
struct kl_http__msg {
        const char *method;
        const char *target;
        const char *path;
        const char *query; /* "" when absent */
        unsigned version_minor;
        struct kl_http_header *headers; /* pool */
        size_t n_headers;
        uint64_t content_length;
        unsigned flags;     /* enum kl_http__msg_flags */
        struct kl_buf body; /* owned by the message's owner; bounded by limits.max_body */
};

enum kl_http__parse_result {
        KL_HTTP__PARSE_AGAIN,     /* all input consumed, the message is not complete */
        KL_HTTP__PARSE_HEAD_DONE, /* the head is parsed (msg filled); feed again for the body */
        KL_HTTP__PARSE_DONE,      /* the message is complete; later bytes were not consumed */
};

struct kl_http__parser {
        const struct kl_http_limits *limits; /* borrowed; filled limits */
        struct kl_http__msg *msg;            /* borrowed: the message being parsed */
        struct kl_pool *pool;                /* borrowed: where msg's strings go */
        struct kl_buf head;                  /* owned; the raw head, bounded */
        int state;                           /* private: enum in http-parser.c */
        size_t line_len;                     /* bytes of the current line so far */
        size_t n_lines;                      /* header (or trailer) lines so far */
        size_t skipped;                      /* empty lines skipped before the request line */
        size_t section_bytes;                /* header bytes, or trailer bytes */
        uint64_t remaining;                  /* body or chunk bytes still to come */
        bool chunk_digits;                   /* a chunk-size digit was seen */
        bool started;                        /* a byte of this message was seen */
        int status;                          /* HTTP status explaining the last error */
        const char *error;                   /* static text explaining the last error */
};

void kl_http__parser_init(struct kl_http__parser *p, const struct kl_http_limits *limits);
void kl_http__parser_release(struct kl_http__parser *p);
/* Begin a message: `msg` is zeroed except its body buffer, which is reset and bounded. */
void kl_http__parser_start(struct kl_http__parser *p, struct kl_http__msg *msg,
                           struct kl_pool *pool);
/*
 * Consume up to `len` bytes; `*ret_used` (always set) says how many. Returns
 * enum kl_http__parse_result, or a negative errno (-EBADMSG, -EMSGSIZE, ...)
 * with p->status and p->error saying why. After an error the parser must be
 * restarted before use.
 */
int kl_http__parser_feed(struct kl_http__parser *p, const char *data, size_t len, size_t *ret_used);
/* Case-insensitive lookup of the first header named `name`. */
const char *kl_http__msg_header(const struct kl_http__msg *m, const char *name);
/* True if the comma-separated header value list `value` contains `token` (case-insensitive). */
bool kl_http__list_has_token(const char *value, const char *token);
bool kl_http__is_token(const char *s);
/* A WebSocket subprotocol: visible ASCII without ',', ';' or '"' (tokens and Kubernetes' names). */
bool kl_http__is_subprotocol(const char *s);

/* ------------------------------------------------------------------------- */
/* WebSocket frames (http-ws.c) */

enum {
        KL_HTTP__WS_CONT = 0x0,
        KL_HTTP__WS_TEXT = 0x1,
        KL_HTTP__WS_BINARY = 0x2,
        KL_HTTP__WS_CLOSE = 0x8,
        KL_HTTP__WS_PING = 0x9,
        KL_HTTP__WS_PONG = 0xa,
};

enum kl_http__ws_event {
        KL_HTTP__WS_EV_AGAIN,   /* everything consumed, no complete frame or message */
        KL_HTTP__WS_EV_MESSAGE, /* a whole data message in d->message (opcode d->msg_opcode) */
        KL_HTTP__WS_EV_CONTROL, /* a control frame in d->control (opcode d->ctl_opcode) */
};

/* Incremental decoder of client-to-server frames. */
struct kl_http__ws_decoder {
        size_t max_message; /* borrowed limit */
        bool from_server;   /* decode a server's frames (unmasked): the WebSocket client */
        int state;          /* private */
        uint8_t hdr[14];    /* frame header being read */
        size_t hdr_len, hdr_need;
        bool fin;
        int opcode; /* of the current frame */
        uint8_t mask[4];
        uint64_t remaining;    /* payload bytes of the current frame still to come */
        uint64_t offset;       /* payload bytes of the current frame seen (mask phase) */
        int msg_opcode;        /* TEXT/BINARY of the message being assembled, 0 if none */
        struct kl_buf message; /* owned; bounded by max_message */
        bool msg_done;         /* message was returned: reset on the next feed */
        int ctl_opcode;
        uint8_t control[125];
        size_t control_len;
        int close_code;    /* why decoding failed: 1002, 1007, 1009 */
        const char *error; /* static text */
};

void kl_http__ws_decoder_init(struct kl_http__ws_decoder *d, size_t max_message);
void kl_http__ws_decoder_release(struct kl_http__ws_decoder *d);
/*
 * Consume bytes until one event is complete (or input ends). Returns enum
 * kl_http__ws_event, or -EBADMSG with d->close_code and d->error set. The
 * message buffer of an EV_MESSAGE is valid until the next call.
 */
int kl_http__ws_decoder_feed(struct kl_http__ws_decoder *d, const uint8_t *data, size_t len,
                             size_t *ret_used);
/* Server frame header (unmasked) for a payload of `len`; returns the header size (2..10). */
size_t kl_http__ws_frame_header(uint8_t out[10], int opcode, uint64_t len);
/* base64(SHA-1(key + GUID)) into `out` (at least 29 bytes). */
int kl_http__ws_accept_key(const char *key, char out[29]);
bool kl_http__utf8_valid(const uint8_t *s, size_t len);

/* ------------------------------------------------------------------------- */
/* TLS (http-tls.c) */

/* A server SSL_CTX from the configuration; the caller owns it (SSL_CTX_free). */
int kl_http__tls_ctx_new(const struct kl_http_tls_config *cfg, SSL_CTX **ret, struct kl_err **err);
/*
 * The verified client certificate's identity, copied into `ret` (strings
 * owned by it, released with kl_http__client_cert_release()). 0 and an empty
 * ret when there is none or it does not verify.
 */
struct kl_http__cert_identity {
        struct kl_http_client_cert pub;
        char *cn;     /* owned */
        char **orgs;  /* owned; string vector */
        bool present; /* a verified certificate was presented */
};
void kl_http__tls_peer_identity(SSL *ssl, struct kl_http__cert_identity *ret);
void kl_http__cert_identity_release(struct kl_http__cert_identity *id);

/* ------------------------------------------------------------------------- */
/* Server, connections, requests (http-server.c) */

/* Doubly-linked intrusive list with a sentinel; used for connections and hooks. */
struct kl_http__link {
        struct kl_http__link *next, *prev;
};

enum kl_http__conn_state {
        KL_HTTP__CONN_HANDSHAKE, /* TLS handshake in progress */
        KL_HTTP__CONN_READING,   /* reading a request head or body */
        KL_HTTP__CONN_HANDLING,  /* the handler has the request; its response is not complete */
        KL_HTTP__CONN_DRAINING,  /* the response is complete, writes are still queued */
        KL_HTTP__CONN_UPGRADED,  /* WebSocket frames */
        KL_HTTP__CONN_LINGER,    /* write side shut down; discarding input until EOF or timer */
};

struct kl_http_server {
        uv_loop_t *loop;              /* borrowed; outlives the server */
        uv_tcp_t listener;            /* owned; closed by kl_http_server_close() */
        uv_timer_t grace_timer;       /* owned; closed by kl_http_server_close() */
        unsigned refs;                /* 1 for the handles + 1 per connection */
        unsigned pending_closes;      /* handles whose close callback has not run */
        kl_http_handler_fn *handler;  /* borrowed; NULL: 404 */
        void *userdata;               /* borrowed */
        struct kl_http_limits limits; /* filled */
        SSL_CTX *ssl_ctx;             /* owned; NULL for plain HTTP */
        struct kl_http__link conns;   /* sentinel; struct kl_http__conn.link */
        unsigned n_conns;
        int port; /* bound port, or -ENOTCONN */
        bool listening;
        bool closing;
        kl_http_server_closed_fn *closed_cb;
        void *closed_userdata;
        char read_buf[64 * 1024]; /* shared by every connection's reads (one thread) */
        char tls_buf[16 * 1024];  /* decrypted plaintext, one SSL_read at a time */
        char date[40];            /* cached Date value */
        int64_t date_sec;
};

struct kl_http_req;

struct kl_http__conn {
        uv_tcp_t tcp;                  /* owned; closed by conn_close() */
        uv_timer_t timer;              /* owned; one deadline at a time, by state */
        uv_shutdown_t shutdown_req;    /* in flight between uv_shutdown() and its callback */
        struct kl_http_server *server; /* ref */
        struct kl_http__link link;     /* in server->conns while the handles are open */
        unsigned refs;                 /* 1 for the handles + requests + writes + ws */
        unsigned pending_closes;
        enum kl_http__conn_state state;
        bool closing;     /* handles are being closed: no more I/O */
        bool close_after; /* close once the current response is written */
        bool reading;     /* uv_read_start() is in effect */
        bool peer_eof;
        bool shutdown_started; /* uv_shutdown() was called */
        bool tls_close_sent;
        bool shutdown_notified; /* close hooks saw -ESHUTDOWN */
        bool in_body;           /* READING: the head is done, the body is coming */
        bool in_process;        /* conn_process() is on the stack */
        int timer_kind;         /* what the armed timer means (http-server.c) */
        struct kl_http__parser parser;
        struct kl_http_req *req; /* the request being read or handled (its conn ref) */
        struct kl_buf pending;   /* owned; plaintext received while busy, bounded */
        size_t out_queued;       /* bytes in uv_write()s not yet completed */
        unsigned writes;         /* uv_write()s in flight */
        uint64_t deadline_ms;    /* for the header and body time-outs */
        SSL *ssl;                /* owned; NULL for plain HTTP */
        BIO *rbio, *wbio;        /* owned by ssl */
        struct kl_http__cert_identity cert;
        struct kl_http_ws *ws; /* borrowed: the accepted WebSocket while it is open */
        char peer[64];
};

enum kl_http__resp_state {
        KL_HTTP__RESP_NONE,      /* nothing sent yet */
        KL_HTTP__RESP_STREAMING, /* head sent, chunks may follow */
        KL_HTTP__RESP_FINISHED,  /* the request is finished */
};

struct kl_http_req {
        unsigned refs;              /* 1 until finished + kl_http_req_ref()s + ws */
        struct kl_http__conn *conn; /* ref */
        struct kl_pool pool;        /* owned: head text, headers, response headers */
        struct kl_http__msg msg;    /* strings in pool; body owned */
        enum kl_http__resp_state resp;
        bool dispatched;             /* the handler has seen it */
        bool stream_close_delimited; /* HTTP/1.0 stream: the body ends with the connection */
        bool stream_no_body;         /* HEAD, 204, 304: the stream carries no bytes */
        bool stream_sized;           /* Content-Length stream: writes go out unframed */
        uint64_t stream_left;        /* bytes a sized stream still owes its Content-Length */
        struct kl_http_header *resp_headers; /* pool; grown by doubling */
        size_t n_resp_headers, cap_resp_headers;
        struct kl_http_close_hook hooks; /* sentinel of the registered hooks */
        kl_http_drain_fn *drain_cb;
        void *drain_userdata;
};

struct kl_http_ws {
        unsigned refs;           /* the application's references */
        struct kl_http_req *req; /* ref; its conn is this WebSocket's connection */
        struct kl_http_ws_callbacks cbs;
        void *userdata; /* borrowed */
        struct kl_http__ws_decoder dec;
        bool open; /* on_close has not run */
        bool close_sent;
        bool close_received;
        bool paused;
        bool in_callback;
        bool raw;       /* a raw (SPDY) upgrade: unframed bytes, http-upgrade.c */
        int close_code; /* for on_close */
};

/* Used by http-ws.c: the connection side of WebSockets (http-server.c). */
size_t kl_http__conn_unsent(const struct kl_http__conn *c);
int kl_http__conn_send(struct kl_http__conn *c, const void *a, size_t a_len, const void *b,
                       size_t b_len);
void kl_http__conn_close(struct kl_http__conn *c, int reason);
void kl_http__conn_close_after_write(struct kl_http__conn *c);
void kl_http__conn_set_paused(struct kl_http__conn *c, bool paused);
void kl_http__conn_arm_timer(struct kl_http__conn *c);
void kl_http__req_finish(struct kl_http_req *req);

/* WebSocket side, called by the connection. */
void kl_http__ws_input(struct kl_http_ws *ws, const char *data, size_t len, size_t *ret_used);
void kl_http__ws_conn_closed(struct kl_http_ws *ws);
void kl_http__ws_shutdown(struct kl_http_ws *ws);

/* WebSocket client (http-ws-client.c) */

/* Longest response head the client reads before a 101 or an error answer. */
#define KL_HTTP__WS_CLIENT_MAX_HEAD ((size_t)16 << 10)
/* Largest body of a refused upgrade (a Status) the client keeps. */
#define KL_HTTP__WS_CLIENT_MAX_BODY ((size_t)1 << 20)

/* The fields of a response head the WebSocket client looks at. Strings are truncated copies. */
struct kl_http__ws_resp {
        int status; /* 100..999 */
        char accept[64];
        char protocol[64];
        char content_type[128];
        char stream_protocol[64]; /* X-Stream-Protocol-Version (a SPDY upgrade's answer) */
        bool upgrade_ws;          /* Upgrade lists "websocket" */
        bool upgrade_spdy;        /* Upgrade lists "SPDY/3.1" */
        bool conn_upgrade;        /* Connection lists "upgrade" */
        bool chunked;             /* Transfer-Encoding: chunked */
        bool has_length;
        uint64_t content_length;
};

/*
 * Parse a response head at the start of `data`. Returns the head's length
 * (through the empty line) with `*ret` filled, 0 when more bytes are needed,
 * -E2BIG past KL_HTTP__WS_CLIENT_MAX_HEAD, -EBADMSG for a malformed head.
 */
int kl_http__ws_resp_parse(const char *data, size_t len, struct kl_http__ws_resp *ret);
/*
 * Decode the body that follows a head from the bytes received so far
 * (`eof`: the connection has ended). Returns 1 with the whole body in `out`
 * (reset first; bounded by its max: -E2BIG), 0 when more is needed,
 * -EBADMSG for malformed chunking or a body cut short by `eof`.
 */
int kl_http__ws_resp_body(const struct kl_http__ws_resp *resp, const char *data, size_t len,
                          bool eof, struct kl_buf *out);

#endif
