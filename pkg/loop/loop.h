/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loop: the libuv rules of STYLE §8 as a few small helpers, shared by every
 * module that runs on an event loop (store, http, client, agent).
 *
 *   kl_loop_init(), kl_loop_run()      a loop, and the thread bookkeeping that
 *                                      lets blocking code assert it is not on it
 *   kl_loop_run_blocking()             one piece of blocking work on libuv's
 *                                      pool, its result handed back to the loop
 *   struct kl_loop_mailbox             long-lived worker threads (the store
 *                                      writer) posting results to the loop
 *   kl_loop_finish()                   close every handle, run until idle,
 *                                      uv_loop_close(): shutdown and tests
 *   kl_loop_bind_udp_tcp()             a UDP and a TCP socket on one port
 *                                      (socket.c), for uv_udp_open/uv_tcp_open
 *
 * Threads: the loop thread owns the loop and everything reachable from it and
 * takes no locks for it (DESIGN §2). Only kl_loop_mailbox_post() may be called
 * from any thread.
 */
#ifndef KL_LOOP_LOOP_H
#define KL_LOOP_LOOP_H

#include <stdbool.h>

#include <uv.h>

#include "base/base.h"

/**
 * uv_loop_init() plus: the calling thread becomes the loop's owner, which
 * kl_loop_assert_loop_thread() checks. Returns 0 or a negative libuv (errno) code.
 */
int kl_loop_init(uv_loop_t *loop);

/**
 * uv_run() on the owner thread. While it runs, this thread counts as "inside the
 * loop": blocking calls that assert kl_loop_assert_not_loop_thread() abort.
 * Every kube-lite loop runs through this function. Returns what uv_run() returns.
 */
int kl_loop_run(uv_loop_t *loop, uv_run_mode mode);

/** True while the calling thread is inside kl_loop_run() of some loop. */
bool kl_loop_in_loop_thread(void);
/** True if the calling thread owns `loop` (kl_loop_init() or kl_loop_run() ran on it). */
bool kl_loop_owns(const uv_loop_t *loop);

/* Blocking functions (database calls, fsync, waitpid) start with this (R8.6). */
#define kl_loop_assert_not_loop_thread() kl_assert(!kl_loop_in_loop_thread())
/* Loop-owned state is touched only by its owner thread. */
#define kl_loop_assert_loop_thread(loop) kl_assert(kl_loop_owns(loop))

/* Runs on a libuv pool thread: may block, must not touch loop-owned state. */
typedef void kl_loop_work_fn(void *arg);
/*
 * Runs on the loop thread after the work, with status 0, or -ECANCELED if the
 * work was cancelled before it started (then work_fn did not run).
 */
typedef void kl_loop_done_fn(void *arg, int status);

/**
 * Run `work(arg)` on libuv's thread pool, then `done(arg, status)` on the loop
 * thread (R8.6). `arg` is borrowed by both and must stay valid until `done`
 * has run; by R8.3 it normally holds a reference on its owner. Loop thread only.
 * Allocation cannot fail (R5.1), so the only error is libuv refusing the work
 * (a negative libuv code); then neither callback runs.
 */
int kl_loop_run_blocking(uv_loop_t *loop, kl_loop_work_fn *work, kl_loop_done_fn *done, void *arg);

/*
 * A mailbox: any thread posts messages, the loop thread receives them in the
 * order they were posted. Messages are intrusive: embed struct kl_loop_msg in
 * your own struct and recover it with kl_container_of(). Posting never blocks
 * beyond a short mutex section and never fails. Because uv_async_send() calls
 * coalesce, each wake-up delivers everything queued so far.
 */
struct kl_loop_msg {
        struct kl_loop_msg *next; /* private */
};

struct kl_loop_mailbox;
/* Receives one message on the loop thread; the message is the callee's from then on. */
typedef void kl_loop_mailbox_fn(struct kl_loop_mailbox *mb, struct kl_loop_msg *msg);

struct kl_loop_mailbox {
        uv_async_t async;          /* owned; closed by kl_loop_mailbox_close() */
        uv_mutex_t lock;           /* protects head, tail, closed */
        struct kl_loop_msg *head;  /* owned: posted, not yet delivered */
        struct kl_loop_msg **tail; /* &last->next, or &head */
        bool closed;               /* no more posts allowed */
        kl_loop_mailbox_fn *deliver;
        uv_close_cb on_closed; /* borrowed; called once the async handle is closed */
        void *data;            /* the owner's; the mailbox never touches it */
};

/** Initialise on the loop thread. Returns 0 or a negative libuv code. */
int kl_loop_mailbox_init(uv_loop_t *loop, struct kl_loop_mailbox *mb, kl_loop_mailbox_fn *deliver);
/** Post `msg` from any thread. The mailbox owns it until it is delivered. */
void kl_loop_mailbox_post(struct kl_loop_mailbox *mb, struct kl_loop_msg *msg);
/**
 * On the loop thread: deliver whatever is still queued, then close the handle;
 * `on_closed` (may be NULL) runs from the close callback, with the async handle
 * cast to uv_handle_t, and is where the owner may free the mailbox's memory. No
 * thread may post after this call (the producers must have been stopped).
 */
void kl_loop_mailbox_close(struct kl_loop_mailbox *mb, uv_close_cb on_closed);

/**
 * Shutdown and tests (R8.9, R13.3): close every handle still open (each one a
 * leak of its owner), run the loop until nothing is left, and uv_loop_close().
 * Returns 0 when the loop ended clean, the number of handles that had to be
 * closed here when any were still open, or a negative libuv code from
 * uv_loop_close(). Tests assert `kl_loop_finish(loop) == 0`.
 */
int kl_loop_finish(uv_loop_t *loop);

/**
 * A UDP and a TCP socket bound to `addr` (IPv4 or IPv6) and the same port:
 * with port 0 the kernel picks the UDP port and the TCP socket must have
 * it too; when it is held in TCP another is picked (64 tries). The TCP
 * socket has SO_REUSEADDR, as uv_tcp_bind() sets it. On success
 * *ret_udp and *ret_tcp are bound, non-blocking, close-on-exec
 * descriptors owned by the caller (for uv_udp_open() and uv_tcp_open(),
 * then uv_listen()); otherwise a negative errno, nothing left open.
 */
int kl_loop_bind_udp_tcp(const struct sockaddr *addr, int *ret_udp, int *ret_tcp);

#endif
