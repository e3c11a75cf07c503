/* SPDX-License-Identifier: Apache-2.0 */
#include "loop/loop.h"

#include <stdlib.h>

/*
 * Thread bookkeeping. A thread-local is enough: a loop is owned by one thread
 * for its whole life, and "inside the loop" is exactly the extent of
 * kl_loop_run(). Nested runs of different loops on one thread restore the outer
 * one on return.
 */
static __thread uv_loop_t *running_loop;
static __thread const uv_loop_t *owned_loop;

int kl_loop_init(uv_loop_t *loop)
{
        int r = uv_loop_init(loop);

        if (r < 0)
                return r;
        owned_loop = loop;
        return 0;
}

int kl_loop_run(uv_loop_t *loop, uv_run_mode mode)
{
        uv_loop_t *outer = running_loop;
        int r;

        owned_loop = loop;
        running_loop = loop;
        r = uv_run(loop, mode);
        running_loop = outer;
        return r;
}

bool kl_loop_in_loop_thread(void)
{
        return running_loop != NULL;
}

bool kl_loop_owns(const uv_loop_t *loop)
{
        return owned_loop == loop || running_loop == loop;
}

struct blocking_req {
        uv_work_t work; /* first: the request is freed through its own pointer */
        kl_loop_work_fn *work_fn;
        kl_loop_done_fn *done_fn;
        void *arg; /* borrowed; the caller keeps it alive until done_fn */
};

static void blocking_work(uv_work_t *w)
{
        struct blocking_req *req = kl_container_of(w, struct blocking_req, work);

        req->work_fn(req->arg);
}

static void blocking_after(uv_work_t *w, int status)
{
        struct blocking_req *req = kl_container_of(w, struct blocking_req, work);
        kl_loop_done_fn *done = req->done_fn;
        void *arg = req->arg;

        /* Free first: done() may well shut the loop down. */
        free(req);
        done(arg, status);
}

int kl_loop_run_blocking(uv_loop_t *loop, kl_loop_work_fn *work, kl_loop_done_fn *done, void *arg)
{
        struct blocking_req *req = kl_new0(struct blocking_req);
        int r;

        kl_loop_assert_loop_thread(loop);
        req->work_fn = work;
        req->done_fn = done;
        req->arg = arg;
        r = uv_queue_work(loop, &req->work, blocking_work, blocking_after);
        if (r < 0)
                free(req);
        return r;
}

static void mailbox_drain(struct kl_loop_mailbox *mb)
{
        for (;;) {
                struct kl_loop_msg *list;

                uv_mutex_lock(&mb->lock);
                list = mb->head;
                mb->head = NULL;
                mb->tail = &mb->head;
                uv_mutex_unlock(&mb->lock);
                if (!list)
                        return;
                /* Delivered outside the lock: a delivery may post again (from this thread). */
                while (list) {
                        struct kl_loop_msg *m = list;

                        list = m->next;
                        m->next = NULL;
                        mb->deliver(mb, m);
                }
        }
}

static void mailbox_on_async(uv_async_t *a)
{
        mailbox_drain(kl_container_of(a, struct kl_loop_mailbox, async));
}

int kl_loop_mailbox_init(uv_loop_t *loop, struct kl_loop_mailbox *mb, kl_loop_mailbox_fn *deliver)
{
        int r;

        kl_loop_assert_loop_thread(loop);
        mb->head = NULL;
        mb->tail = &mb->head;
        mb->closed = false;
        mb->deliver = deliver;
        mb->on_closed = NULL;
        r = uv_mutex_init(&mb->lock);
        if (r < 0)
                return r;
        r = uv_async_init(loop, &mb->async, mailbox_on_async);
        if (r < 0) {
                uv_mutex_destroy(&mb->lock);
                return r;
        }
        return 0;
}

void kl_loop_mailbox_post(struct kl_loop_mailbox *mb, struct kl_loop_msg *msg)
{
        msg->next = NULL;
        uv_mutex_lock(&mb->lock);
        kl_assert(!mb->closed);
        *mb->tail = msg;
        mb->tail = &msg->next;
        uv_mutex_unlock(&mb->lock);
        /* Cannot fail for an initialised, unclosed handle; coalesces with pending sends. */
        (void)uv_async_send(&mb->async);
}

static void mailbox_on_closed(uv_handle_t *h)
{
        struct kl_loop_mailbox *mb =
                kl_container_of((uv_async_t *)h, struct kl_loop_mailbox, async);

        uv_mutex_destroy(&mb->lock);
        if (mb->on_closed)
                mb->on_closed(h);
}

void kl_loop_mailbox_close(struct kl_loop_mailbox *mb, uv_close_cb on_closed)
{
        kl_loop_assert_loop_thread(mb->async.loop);
        uv_mutex_lock(&mb->lock);
        mb->closed = true;
        uv_mutex_unlock(&mb->lock);
        mailbox_drain(mb);
        mb->on_closed = on_closed;
        uv_close((uv_handle_t *)&mb->async, mailbox_on_closed);
}

static void count_and_close(uv_handle_t *h, void *arg)
{
        int *leaked = arg;

        if (uv_is_closing(h))
                return;
        (*leaked)++;
        uv_close(h, NULL);
}

int kl_loop_finish(uv_loop_t *loop)
{
        int leaked = 0, r;

        /*
         * First let what is already under way end by itself: work on the pool
         * (an owner's asynchronous close often passes through one) and close
         * callbacks. UV_RUN_ONCE cannot hang while a request is active: its
         * completion wakes the loop.
         */
        while (loop->active_reqs.count > 0)
                (void)kl_loop_run(loop, UV_RUN_ONCE);
        (void)kl_loop_run(loop, UV_RUN_NOWAIT);
        (void)kl_loop_run(loop, UV_RUN_NOWAIT);
        uv_walk(loop, count_and_close, &leaked);
        (void)kl_loop_run(loop, UV_RUN_DEFAULT);
        r = uv_loop_close(loop);
        if (leaked > 0)
                return leaked;
        return r;
}
