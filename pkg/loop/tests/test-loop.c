/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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

/* ------------------------------------------------------------------------- */
/* A UDP and a TCP socket on one port */

static unsigned local_port(int fd, int type)
{
        struct sockaddr_in a = { 0 };
        socklen_t len = sizeof(a);
        int got = 0;
        socklen_t got_len = sizeof(got);

        cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
        cr_assert_eq(getsockopt(fd, SOL_SOCKET, SO_TYPE, &got, &got_len), 0);
        cr_assert_eq(got, type);
        return ntohs(a.sin_port);
}

static unsigned open_fds(void)
{
        unsigned n = 0;

        for (int fd = 0; fd < 1024; fd++)
                n += fcntl(fd, F_GETFD) >= 0;
        return n;
}

Test(loop, udp_and_tcp_get_one_port_that_libuv_serves)
{
        struct sockaddr_in addr;
        uv_loop_t loop;
        uv_udp_t udp;
        uv_tcp_t tcp;
        int ufd = -1, tfd = -1;
        unsigned port;

        cr_assert_eq(uv_ip4_addr("127.0.0.1", 0, &addr), 0);
        cr_assert_eq(kl_loop_bind_udp_tcp((const struct sockaddr *)&addr, &ufd, &tfd), 0);
        port = local_port(ufd, SOCK_DGRAM);
        cr_assert_gt(port, 0);
        cr_assert_eq(local_port(tfd, SOCK_STREAM), port);
        cr_assert(fcntl(ufd, F_GETFD) & FD_CLOEXEC);
        cr_assert(fcntl(tfd, F_GETFL) & O_NONBLOCK);

        cr_assert_eq(kl_loop_init(&loop), 0);
        cr_assert_eq(uv_udp_init(&loop, &udp), 0);
        cr_assert_eq(uv_udp_open(&udp, ufd), 0);
        cr_assert_eq(uv_tcp_init(&loop, &tcp), 0);
        cr_assert_eq(uv_tcp_open(&tcp, tfd), 0);
        cr_assert_eq(uv_listen((uv_stream_t *)&tcp, 8, NULL), 0);
        cr_assert_eq(local_port(tfd, SOCK_STREAM), port); /* listening where it was bound */
        uv_close((uv_handle_t *)&udp, NULL);
        uv_close((uv_handle_t *)&tcp, NULL);
        cr_assert_eq(kl_loop_finish(&loop), 0);
}

Test(loop, a_port_held_in_tcp_is_refused_and_nothing_stays_open)
{
        struct sockaddr_in addr;
        socklen_t len = sizeof(addr);
        int holder = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int ufd = -1, tfd = -1;
        unsigned before;

        cr_assert_geq(holder, 0);
        cr_assert_eq(uv_ip4_addr("127.0.0.1", 0, &addr), 0);
        cr_assert_eq(bind(holder, (struct sockaddr *)&addr, sizeof(addr)), 0);
        cr_assert_eq(listen(holder, 1), 0);
        cr_assert_eq(getsockname(holder, (struct sockaddr *)&addr, &len), 0);

        /* A port asked for by number is not traded for another. */
        before = open_fds();
        cr_assert_eq(kl_loop_bind_udp_tcp((const struct sockaddr *)&addr, &ufd, &tfd), -EADDRINUSE);
        cr_assert_eq(ufd, -1);
        cr_assert_eq(tfd, -1);
        cr_assert_eq(open_fds(), before);
        cr_assert_eq(close(holder), 0);
}

Test(loop, only_inet_addresses_are_bound)
{
        struct sockaddr_un un = { .sun_family = AF_UNIX };
        int ufd = -1, tfd = -1;

        cr_assert_eq(kl_loop_bind_udp_tcp((const struct sockaddr *)&un, &ufd, &tfd), -EAFNOSUPPORT);
}
