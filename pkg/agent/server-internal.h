/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the agent module: the pieces of the streaming server (server.c)
 * that tests and fuzz targets reach without a network.
 *
 *   server-logs.c    the containerLogs options, the CRI log reader (tail,
 *                    since, timestamps, limitBytes, partial lines), and
 *                    finding a pod's container in the runtime: pure, or
 *                    blocking on the pool where it says so
 *   server-stream.c  exec and attach over WebSocket or SPDY/3.1 (loop thread)
 *   server-spdy.c    the SPDY/3.1 streams of exec and attach as channel
 *                    messages: pure but for its transport callbacks
 *   server-portforward.c  port-forward: SPDY/3.1 carried in WebSocket
 *                    messages; the frame codec and header compression are
 *                    pure, the session runs on the loop thread
 *   server.c         the HTTPS server, authentication and routes
 *
 * Who owns what: every struct below is the caller's; functions borrow their
 * inputs for the call.
 */
#ifndef KL_AGENT_SERVER_INTERNAL_H
#define KL_AGENT_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/agent.h"
#include "base/base.h"
#include "container/container.h"
#include "http/http.h"

/* Largest raw CRI log line the reader keeps while waiting for its end; longer ones are dropped. */
#define KL_AGENT__LOG_LINE_MAX ((size_t)64 << 10)
/* Bytes of log file one reading step consumes (so its output is bounded too). */
#define KL_AGENT__LOG_CHUNK ((size_t)64 << 10)

/* ------------------------------------------------------------------------- */
/* Query strings */

/**
 * The first value of `key` in the query string `query` (application/x-www-
 * form-urlencoded, as Go's url.ParseQuery: '+' is a space, %XX escapes;
 * malformed pairs are skipped). Returns 1 with *ret (a new string) when
 * present, 0 when absent.
 */
int kl_agent__query_get(const char *query, const char *key, char **ret);
/** Every value of `key`, in order (a new NULL-terminated vector, possibly empty). */
char **kl_agent__query_all(const char *query, const char *key);
/** A boolean parameter as the kubelet reads it: "1" or any strconv.ParseBool true form. */
bool kl_agent__query_bool(const char *query, const char *key);

/* ------------------------------------------------------------------------- */
/* containerLogs options (upstream's PodLogOptions as the kubelet reads them) */

struct kl_agent__log_opts {
        bool follow;
        bool previous;
        bool timestamps;
        int64_t tail;        /* lines from the end; -1: all */
        int64_t limit_bytes; /* -1: no limit */
        int64_t since_usec;  /* realtime; lines older are skipped; INT64_MIN: none */
};

/**
 * Parse the query of a containerLogs request at realtime `now_usec`
 * (sinceSeconds counts back from it). The legacy `tail` parameter is
 * accepted as upstream ("all" is no limit). -EINVAL with the reason for a
 * value that does not parse (upstream: "Unable to decode query."), and
 * -KL_EINVAL for one that is out of range (negative tailLines, limitBytes or
 * sinceSeconds below 1, both sinceSeconds and sinceTime).
 */
int kl_agent__log_opts_parse(const char *query, int64_t now_usec, struct kl_agent__log_opts *ret,
                             struct kl_err **err);

/* ------------------------------------------------------------------------- */
/* The CRI log reader */

/*
 * Turns the bytes of a CRI log file into what containerLogs returns: the
 * content of each line (a full line gets its newline back, a partial one
 * does not, so pieces join), prefixed with its time when timestamps are
 * asked for (once per logical line), lines before `since` skipped, the
 * output cut at limit_bytes. Malformed lines are skipped, as upstream.
 */
struct kl_agent__log_reader {
        struct kl_agent__log_opts opts;
        bool new_line;      /* the next output starts a logical line */
        int64_t remain;     /* bytes still allowed; INT64_MAX: no limit */
        int64_t lines;      /* entries still to write when a non-follow tail counts; -1: any */
        bool done;          /* the limit or the tail count is reached: stop reading */
        bool skipping;      /* dropping the rest of an over-long line */
        struct kl_buf line; /* owned: an incomplete line, at most KL_AGENT__LOG_LINE_MAX */
};

void kl_agent__log_reader_init(struct kl_agent__log_reader *r, const struct kl_agent__log_opts *o);
void kl_agent__log_reader_release(struct kl_agent__log_reader *r);

/**
 * Feed the next `len` bytes of the file; what they complete is appended to
 * `out`. With `eof` an incomplete last line is taken as a line (the file is
 * over, as upstream reads a last line without its newline); without it, it
 * is kept for the next call. Returns true once the reader is done (the
 * caller stops reading); bytes after that point are ignored.
 */
bool kl_agent__log_reader_feed(struct kl_agent__log_reader *r, const char *data, size_t len,
                               bool eof, struct kl_buf *out);

/**
 * The output form of a CRI timestamp (RFC 3339 with exactly nine fraction
 * digits, upstream's RFC3339NanoFixed): the fraction padded or cut, a zero
 * offset written "Z". `ts` must have parsed with kl_rfc3339_parse(). Returns
 * the length written to `buf` (at least 64 bytes), 0 when it is not a
 * timestamp.
 */
size_t kl_agent__log_time_format(const char *ts, size_t len, char *buf, size_t size);

/**
 * Where the last `n` lines of the file `fd` of `size` bytes start (upstream's
 * tail.FindTailLineStartIndex): 0 for n < 0. Blocking (pread).
 */
int kl_agent__log_tail_start(int fd, int64_t size, int64_t n, int64_t *ret_off);

/* ------------------------------------------------------------------------- */
/* Finding a container (blocking: on the pool) */

enum kl_agent__find_mode {
        KL_AGENT__FIND_LOGS,     /* the current attempt, or the last stopped one while it waits */
        KL_AGENT__FIND_PREVIOUS, /* the newest stopped attempt before the current one */
        KL_AGENT__FIND_RUNNING,  /* the current attempt, which must be running */
};

/* A container the runtime has, as the server needs it. Owned strings. */
struct kl_agent__found {
        char *id;
        char *log_path; /* may be NULL */
        enum kl_ctr_status status;
        unsigned attempt;
};

void kl_agent__found_release(struct kl_agent__found *f);

/**
 * Find container `ctr` of pod `ns`/`pod` among `states` (kl_ctr_list()'s)
 * by the agent's labels. Errors carry upstream's texts: -ENOENT `pod "p" does
 * not exist` (no container of the pod at all), -EINVAL `container "c" in pod
 * "p" is waiting to start: ContainerCreating` (logs: no attempt yet),
 * -EINVAL `previous terminated container "c" in pod "p" not found`, -ENOENT
 * `container not found ("c")` (exec/attach: no running attempt).
 */
int kl_agent__find_container(const struct kl_ctr_state *states, size_t n, const char *ns,
                             const char *pod, const char *ctr, enum kl_agent__find_mode mode,
                             struct kl_agent__found *ret, struct kl_err **err);

/* ------------------------------------------------------------------------- */
/* Status objects and shared server state */

/**
 * A Status JSON for `e` (message, reason and code from the error's code;
 * `kind` and `name` fill details when not NULL) as a new string.
 */
char *kl_agent__status_json(const struct kl_err *e, const char *kind, const char *name);
/** Respond to `req` with `e` as a Status JSON (the error's HTTP status). */
void kl_agent__respond_error(struct kl_http_req *req, const struct kl_err *e, const char *kind,
                             const char *name);

/* The server's state the sessions share (server.c). */
struct kl_agent_server;

/** The runtime (borrowed from the options). */
struct kl_ctr_runtime *kl_agent__server_runtime(const struct kl_agent_server *s);
uv_loop_t *kl_agent__server_loop(const struct kl_agent_server *s);
/** Bytes a stream may have queued before the server stops producing for it. */
size_t kl_agent__server_queue_high(const struct kl_agent_server *s);
/** A session starts (false when the limit of sessions is reached) and ends. */
bool kl_agent__server_session_begin(struct kl_agent_server *s);
void kl_agent__server_session_end(struct kl_agent_server *s);

/** Serve exec (`exec` true) or attach for an authorized request (server-stream.c). */
void kl_agent__stream_serve(struct kl_agent_server *s, struct kl_http_req *req, bool exec,
                            const char *ns, const char *pod, const char *ctr);
/** Serve containerLogs for an authorized request (server-logs.c). */
void kl_agent__logs_serve(struct kl_agent_server *s, struct kl_http_req *req, const char *ns,
                          const char *pod, const char *ctr);

/* ------------------------------------------------------------------------- */
/* port-forward (server-portforward.c) */

/* The WebSocket subprotocol kubectl offers for port-forward. */
#define KL_AGENT__PORTFORWARD_PROTOCOL "SPDY/3.1+portforward.k8s.io"
/* Largest SPDY frame payload accepted (kubectl writes 32 KiB at most). */
#define KL_AGENT__SPDY_FRAME_MAX ((size_t)1 << 20)
/* Largest decompressed header block, and most name/value pairs in one. */
#define KL_AGENT__SPDY_HEADERS_MAX ((size_t)64 << 10)
#define KL_AGENT__SPDY_PAIRS_MAX   64u

enum {
        KL_AGENT__SPDY_SYN_STREAM = 1,
        KL_AGENT__SPDY_SYN_REPLY = 2,
        KL_AGENT__SPDY_RST_STREAM = 3,
        KL_AGENT__SPDY_SETTINGS = 4,
        KL_AGENT__SPDY_PING = 6,
        KL_AGENT__SPDY_GOAWAY = 7,
        KL_AGENT__SPDY_HEADERS = 8,
        KL_AGENT__SPDY_WINDOW_UPDATE = 9,
};
#define KL_AGENT__SPDY_FLAG_FIN 0x01

/* One frame as parsed: pointers into the caller's buffer. */
struct kl_agent__spdy_frame {
        bool control;
        uint16_t type; /* control frames */
        uint8_t flags;
        uint32_t stream_id; /* DATA, SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS, WINDOW_UPDATE */
        uint32_t value;     /* RST_STREAM and GOAWAY status, PING id, WINDOW_UPDATE delta */
        const uint8_t *payload; /* DATA bytes, or the compressed header block */
        size_t len;
};

/**
 * Parse the frame at the start of `buf`. Returns 1 with *f and *used (the
 * frame's bytes), 0 when more bytes are needed, -EPROTO for a malformed
 * frame (a version other than 3, a control frame too short for its type) and
 * -EMSGSIZE for a payload over KL_AGENT__SPDY_FRAME_MAX.
 */
int kl_agent__spdy_frame_parse(const uint8_t *buf, size_t len, struct kl_agent__spdy_frame *f,
                               size_t *used, struct kl_err **err);

/** The SPDY/3 header dictionary (draft 3 §2.6.10.1): 1423 static bytes. */
const uint8_t *kl_agent__spdy_dictionary(size_t *ret_len);

/* One direction's zlib stream for the whole session. */
struct kl_agent__spdy_zlib;
struct kl_agent__spdy_zlib *kl_agent__spdy_zlib_new(void);
void kl_agent__spdy_zlib_free(struct kl_agent__spdy_zlib *z);

/**
 * Decompress and parse one header block with the session's inflate stream:
 * a new NULL-terminated vector name, value, name, value... (a value holding
 * several NUL-separated ones keeps the first). -EPROTO for a block that does
 * not inflate or parse, -EMSGSIZE beyond the bounds above.
 */
int kl_agent__spdy_headers_decode(struct kl_agent__spdy_zlib *z, const uint8_t *block, size_t len,
                                  char ***ret, struct kl_err **err);
/** Append the compressed header block of `pairs` (name, value, ..., NULL) to `out`. */
void kl_agent__spdy_headers_encode(struct kl_agent__spdy_zlib *z, const char *const *pairs,
                                   struct kl_buf *out);

/** Append a control frame with `payload`, or a DATA frame, to `out`. */
void kl_agent__spdy_put_control(struct kl_buf *out, uint16_t type, uint8_t flags,
                                const void *payload, size_t len);
void kl_agent__spdy_put_data(struct kl_buf *out, uint32_t stream_id, uint8_t flags,
                             const void *data, size_t len);
/** Append a SYN_REPLY of stream `id` (no headers), or a RST_STREAM with `status`. */
void kl_agent__spdy_put_syn_reply(struct kl_buf *out, struct kl_agent__spdy_zlib *z, uint32_t id);
void kl_agent__spdy_put_rst(struct kl_buf *out, uint32_t id, uint32_t status);

/*
 * A port-forward session over any byte transport: SPDY bytes from the client
 * go into kl_agent__pf_feed(); what the server says goes out through
 * `send`. Connections are made to localhost:<port> inside the network
 * namespace at `netns` (NULL: the agent's own).
 */
struct kl_agent__pf_transport {
        int (*send)(void *arg, const void *data, size_t len); /* <0: the transport is gone */
        size_t (*queued)(void *arg);                          /* bytes not yet sent */
        void (*pause)(void *arg, bool pause);                 /* stop/resume feeding */
        void (*end)(void *arg);                               /* the session is over: close */
        void *arg;
};

struct kl_agent__pf;

struct kl_agent__pf *kl_agent__pf_new(uv_loop_t *loop, const char *netns, size_t queue_high,
                                      const struct kl_agent__pf_transport *t);
/** Feed client bytes (any split). A protocol error sends GOAWAY and calls t->end. */
void kl_agent__pf_feed(struct kl_agent__pf *pf, const void *data, size_t len);
/** The transport is gone: close every connection; freed once its handles are closed. */
void kl_agent__pf_close(struct kl_agent__pf *pf);

/* ------------------------------------------------------------------------- */
/* exec and attach over SPDY/3.1 (server-spdy.c) */

/* The stream protocol chosen for a SPDY exec/attach (upstream's kubelet answers v4 too). */
#define KL_AGENT__SPDY_EXEC_PROTOCOL "v4.channel.k8s.io"
/* The port-forward stream protocol of a SPDY upgrade. */
#define KL_AGENT__SPDY_PORTFORWARD_PROTOCOL "portforward.k8s.io"

/* The streams a client opens, as bits of `expect` (the error stream is always expected). */
enum {
        KL_AGENT__SX_ERROR = 1u << 0,
        KL_AGENT__SX_STDIN = 1u << 1,
        KL_AGENT__SX_STDOUT = 1u << 2,
        KL_AGENT__SX_STDERR = 1u << 3,
        KL_AGENT__SX_RESIZE = 1u << 4,
};

/*
 * A SPDY exec/attach session over any byte transport (the port-forward's
 * transport callbacks): client bytes go into kl_agent__sx_feed(); what the
 * client says reaches `on_message` as the WebSocket channel messages of
 * §16.1 (`msg[0]` the channel: 0 stdin, 4 resize, and [255, 0] when stdin
 * ends), borrowed for the call.
 */
struct kl_agent__sx;
typedef void kl_agent__sx_message_fn(void *arg, const uint8_t *msg, size_t len);

struct kl_agent__sx *kl_agent__sx_new(const struct kl_agent__pf_transport *t, unsigned expect,
                                      kl_agent__sx_message_fn *on_message, void *arg);
/** Feed client bytes (any split). A protocol error sends GOAWAY and calls t->end. */
void kl_agent__sx_feed(struct kl_agent__sx *sx, const void *data, size_t len);
/**
 * Output of channel 1 (stdout), 2 (stderr) or 3 (error): DATA on that
 * stream, held while the client has not opened it. 0, -EINVAL for another
 * channel, -ENOBUFS when too much is held, -ECONNRESET once ended.
 */
int kl_agent__sx_send(struct kl_agent__sx *sx, uint8_t channel, const void *data, size_t len);
/** Output not yet written: the transport's queue and what is held. */
size_t kl_agent__sx_queued(const struct kl_agent__sx *sx);
/** Stop (true) or resume (false) delivering stdin and resize: back-pressure. */
void kl_agent__sx_pause(struct kl_agent__sx *sx, bool pause);
/** FIN the streams of ours (once the expected ones are open), then t->end. Idempotent. */
void kl_agent__sx_end(struct kl_agent__sx *sx);
/** Free; allowed inside any callback of it. NULL is a no-op. */
void kl_agent__sx_free(struct kl_agent__sx *sx);

/** Serve port-forward for an authorized request (server-portforward.c). */
void kl_agent__portforward_serve(struct kl_agent_server *s, struct kl_http_req *req, const char *ns,
                                 const char *pod);

#endif
