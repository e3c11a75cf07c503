/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "base/base.h"
#include "loop/loop.h"

struct job {
        uv_thread_t loop_thread;
        uv_thread_t work_thread;
        bool in_loop_during_work;
        int done_status;
        int done_calls;
};

static void job_work(void *arg)
{
        struct job *j = arg;

        j->work_thread = uv_thread_self();
        j->in_loop_during_work = kl_loop_in_loop_thread();
        kl_loop_assert_not_loop_thread();
}

static void job_done(void *arg, int status)
{
        struct job *j = arg;

        cr_assert(kl_loop_in_loop_thread());
        cr_assert(uv_thread_equal(&j->loop_thread, &(uv_thread_t){ uv_thread_self() }));
        j->done_status = status;
        j->done_calls++;
}

Test(loop, run_blocking_works_off_loop_and_finishes_on_it)
{
        uv_loop_t loop;
        struct job j = { .loop_thread = uv_thread_self(), .done_status = 1 };

        cr_assert_eq(kl_loop_init(&loop), 0);
        cr_assert_eq(kl_loop_run_blocking(&loop, job_work, job_done, &j), 0);
        cr_assert_eq(kl_loop_run(&loop, UV_RUN_DEFAULT), 0);
        cr_assert_eq(j.done_calls, 1);
        cr_assert_eq(j.done_status, 0);
        cr_assert_not(j.in_loop_during_work);
        cr_assert_not(uv_thread_equal(&j.work_thread, &j.loop_thread));
        cr_assert_eq(kl_loop_finish(&loop), 0);
}

static void blocking_inside_loop(void *arg, int status)
{
        (void)arg;
        (void)status;
        kl_loop_assert_not_loop_thread(); /* a bug: blocking code on the loop */
}

static void nothing(void *arg)
{
        (void)arg;
}

Test(loop, blocking_on_the_loop_thread_aborts, .signal = SIGABRT)
{
        uv_loop_t loop;

        cr_assert_eq(kl_loop_init(&loop), 0);
        cr_assert_eq(kl_loop_run_blocking(&loop, nothing, blocking_inside_loop, NULL), 0);
        (void)kl_loop_run(&loop, UV_RUN_DEFAULT);
}

Test(loop, ownership_follows_init)
{
        uv_loop_t loop;

        cr_assert_eq(kl_loop_init(&loop), 0);
        cr_assert(kl_loop_owns(&loop));
        cr_assert_not(kl_loop_in_loop_thread());
        cr_assert_eq(kl_loop_finish(&loop), 0);
}

#define PRODUCERS    4
#define PER_PRODUCER 5000

struct num_msg {
        struct kl_loop_msg msg;
        int producer;
        int seq;
};

struct mailbox_test {
        struct kl_loop_mailbox mb;
        int next_seq[PRODUCERS];
        int received;
        bool closed;
};

static void on_num(struct kl_loop_mailbox *mb, struct kl_loop_msg *msg)
{
        struct mailbox_test *t = kl_container_of(mb, struct mailbox_test, mb);
        struct num_msg *m = kl_container_of(msg, struct num_msg, msg);

        cr_assert(kl_loop_in_loop_thread());
        /* Order per producer is what posting promises. */
        cr_assert_eq(m->seq, t->next_seq[m->producer]);
        t->next_seq[m->producer]++;
        t->received++;
        free(m);
        if (t->received == PRODUCERS * PER_PRODUCER)
                kl_loop_mailbox_close(&t->mb, NULL);
}

struct producer {
        struct mailbox_test *t;
        int id;
};

static void *produce(void *arg)
{
        struct producer *p = arg;

        for (int i = 0; i < PER_PRODUCER; i++) {
                struct num_msg *m = kl_new0(struct num_msg);

                m->producer = p->id;
                m->seq = i;
                kl_loop_mailbox_post(&p->t->mb, &m->msg);
        }
        return NULL;
}

Test(loop, mailbox_delivers_every_message_in_order)
{
        uv_loop_t loop;
        struct mailbox_test t = { 0 };
        struct producer p[PRODUCERS];
        pthread_t th[PRODUCERS];

        cr_assert_eq(kl_loop_init(&loop), 0);
        cr_assert_eq(kl_loop_mailbox_init(&loop, &t.mb, on_num), 0);
        for (int i = 0; i < PRODUCERS; i++) {
                p[i] = (struct producer){ .t = &t, .id = i };
                cr_assert_eq(pthread_create(&th[i], NULL, produce, &p[i]), 0);
        }
        cr_assert_eq(kl_loop_run(&loop, UV_RUN_DEFAULT), 0);
        for (int i = 0; i < PRODUCERS; i++)
                cr_assert_eq(pthread_join(th[i], NULL), 0);
        cr_assert_eq(t.received, PRODUCERS * PER_PRODUCER);
        cr_assert_eq(kl_loop_finish(&loop), 0);
}

static void on_closed_flag(uv_handle_t *h)
{
        struct mailbox_test *t = kl_container_of((uv_async_t *)h, struct mailbox_test, mb.async);

        t->closed = true;
}

static void count_only(struct kl_loop_mailbox *mb, struct kl_loop_msg *msg)
{
        struct mailbox_test *t = kl_container_of(mb, struct mailbox_test, mb);

        t->received++;
        free(kl_container_of(msg, struct num_msg, msg));
}

Test(loop, mailbox_close_delivers_what_is_queued)
{
        uv_loop_t loop;
        struct mailbox_test t = { 0 };

        cr_assert_eq(kl_loop_init(&loop), 0);
        cr_assert_eq(kl_loop_mailbox_init(&loop, &t.mb, count_only), 0);
        for (int i = 0; i < 3; i++)
                kl_loop_mailbox_post(&t.mb, &kl_new0(struct num_msg)->msg);
        kl_loop_mailbox_close(&t.mb, on_closed_flag);
        cr_assert_eq(t.received, 3);
        cr_assert_eq(kl_loop_finish(&loop), 0);
        cr_assert(t.closed);
}

Test(loop, finish_reports_a_leaked_handle)
{
        uv_loop_t loop;
        uv_timer_t timer;

        cr_assert_eq(kl_loop_init(&loop), 0);
        cr_assert_eq(uv_timer_init(&loop, &timer), 0);
        cr_assert_eq(kl_loop_finish(&loop), 1);
}
