/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The watch hub: fan-out of committed events to watchers, on the loop thread
 * (STYLE R7.5).
 *
 * The backend publishes each commit group as one mailbox message (any
 * thread); the loop drains the mailbox and, for every event in revision
 * order, appends it to the window of recent events and pushes a *reference*
 * to it onto the queue of each live watcher whose prefix matches. Nothing is
 * copied per watcher, nothing here blocks, and nothing waits for a watcher:
 * a watcher whose queue is full (`watch_buffer` events) is ended with
 * -ENOBUFS on the spot, so a slow consumer costs the others nothing.
 *
 * A watch that starts in the past catches up first: from the window when the
 * revisions it needs are still there, otherwise from the backend's history
 * (ops->events) on the thread pool, page by page, each page bounded by the
 * room left in its queue. While it catches up it is not fed live events; each
 * page reads up to the hub's revision at the time, and once its position
 * passes the hub's revision it joins the live list. Because the switch
 * happens on the loop thread, between two deliveries, no event is lost or
 * seen twice.
 *
 * Lifetime: the hub holds one reference for the open store and one per watch
 * object; catch-up jobs hold a reference on their watch (R8.3). The store
 * struct and the hub are freed when the store is closed, its mailbox handle
 * closed, and the last watch stopped.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "store/store-internal.h"

/* A catch-up page reads at most this many events from the backend. */
#define CATCHUP_PAGE_MAX 512
/* Queues start small and double up to watch_buffer: most watchers stay near empty. */
#define QUEUE_INITIAL 16

struct link {
        struct link *prev, *next;
};

static void link_init(struct link *l)
{
        l->prev = l->next = l;
}

static bool link_empty(const struct link *head)
{
        return head->next == head;
}

static void link_add_tail(struct link *head, struct link *l)
{
        l->prev = head->prev;
        l->next = head;
        head->prev->next = l;
        head->prev = l;
}

static void link_del(struct link *l)
{
        l->prev->next = l->next;
        l->next->prev = l->prev;
        link_init(l);
}

struct kl_store__hub {
        struct kl_store *s;             /* borrowed: the store owns the hub */
        struct kl_loop_mailbox mb;      /* owned; closed when the backend is released */
        int64_t rev;                    /* the last revision delivered to the hub */
        struct kl_store_event **window; /* owned refs: a ring, oldest at window_head */
        unsigned window_cap, window_head, window_len;
        struct link live;    /* watches fed by deliveries */
        struct link catchup; /* watches reading history */
        struct link notify;  /* watches whose callback is due */
        unsigned refs;       /* 1 while the store is open + 1 per watch object */
        unsigned jobs;       /* catch-up reads on the pool */
        bool closing;
        bool release_started;
};

struct kl_store_watch {
        struct kl_store__hub *hub; /* borrowed; this watch holds a hub reference */
        char *prefix;              /* owned */
        size_t prefix_len;
        char *end; /* owned: end of the prefix range */
        kl_store_watch_fn *cb;
        void *arg;        /* the owner's */
        int64_t next_rev; /* catching up: next revision to read; live: lowest accepted */
        int64_t position; /* the revision after the last event taken */
        int status;       /* 0, or the code that ended the watch */
        bool live;
        bool job; /* a catch-up read is on the pool */
        bool stopped;
        bool want_notify; /* next() returned 0: call cb when something comes */
        bool in_notify;
        struct kl_store_event **q; /* owned refs: a ring, oldest at q_head */
        unsigned q_cap, q_head, q_len;
        struct link node;                 /* in hub->live or hub->catchup while not stopped */
        struct link notify_node;          /* in hub->notify while in_notify */
        unsigned refs;                    /* 1 for the owner until stop + 1 per job */
        struct kl_store_watch *next_dead; /* run_notifications() frees these after its loop */
};

/* One commit group: its events, then the asynchronous writes it answers. */
struct batch_msg {
        struct kl_loop_msg msg;
        struct kl_store_event **events; /* owned, with their references */
        size_t n;
        struct kl_store__write *done; /* owned list, in submission order */
};

struct catchup_job {
        struct kl_store_watch *w; /* ref */
        int64_t after, upto;
        size_t limit;
        struct kl_store_event **events; /* owned */
        size_t n;
        int r;
        struct kl_err *err; /* owned */
};

static void hub_unref(struct kl_store__hub *hub);

static struct kl_store_watch *watch_of_node(struct link *l)
{
        return kl_container_of(l, struct kl_store_watch, node);
}

static void watch_free(struct kl_store_watch *w)
{
        kl_assert(w->stopped && !w->job && !w->in_notify);
        free(w->q);
        free(w->prefix);
        free(w->end);
        hub_unref(w->hub);
        free(w);
}

static void watch_unref(struct kl_store_watch *w)
{
        kl_assert(w->refs > 0);
        if (--w->refs == 0)
                watch_free(w);
}

static void queue_drop(struct kl_store_watch *w)
{
        for (unsigned i = 0; i < w->q_len; i++)
                kl_store_event_unref(w->q[(w->q_head + i) % w->q_cap]);
        w->q_head = 0;
        w->q_len = 0;
}

static bool queue_full(const struct kl_store_watch *w)
{
        return w->q_len >= w->hub->s->opts.watch_buffer;
}

static void queue_push(struct kl_store_watch *w, struct kl_store_event *ev)
{
        if (w->q_len == w->q_cap) {
                unsigned cap = w->q_cap ? w->q_cap * 2 : QUEUE_INITIAL;
                struct kl_store_event **q;

                cap = KL_MIN(cap, w->hub->s->opts.watch_buffer);
                kl_assert(cap > w->q_len);
                q = kl_malloc(sizeof(void *) * cap); /* an array of pointers */
                for (unsigned i = 0; i < w->q_len; i++)
                        q[i] = w->q[(w->q_head + i) % w->q_cap];
                free(w->q);
                w->q = q;
                w->q_cap = cap;
                w->q_head = 0;
        }
        w->q[(w->q_head + w->q_len) % w->q_cap] = ev;
        w->q_len++;
}

static void schedule_notify(struct kl_store_watch *w)
{
        if (!w->want_notify || w->in_notify || w->stopped)
                return;
        if (w->q_len == 0 && w->status == 0)
                return;
        w->in_notify = true;
        link_add_tail(&w->hub->notify, &w->notify_node);
}

static void watch_end(struct kl_store_watch *w, int status)
{
        kl_assert(status < 0);
        if (w->status != 0)
                return;
        w->status = status;
        /* The owner will not get these any more; give the memory back now. */
        queue_drop(w);
        schedule_notify(w);
}

/*
 * Callbacks run only from here, at the end of a hub activity, never in the
 * middle of one. A callback may stop its own watch (or others); watches whose
 * last reference goes in the loop are freed after it, not while it walks the
 * list.
 */
static void run_notifications(struct kl_store__hub *hub)
{
        struct kl_store_watch *dead = NULL;

        while (!link_empty(&hub->notify)) {
                struct kl_store_watch *w =
                        kl_container_of(hub->notify.next, struct kl_store_watch, notify_node);

                link_del(&w->notify_node);
                w->in_notify = false;
                w->want_notify = false;
                w->refs++; /* the callback may stop the watch */
                w->cb(w, w->arg);
                kl_assert(w->refs > 0);
                if (--w->refs == 0) {
                        w->next_dead = dead;
                        dead = w;
                }
        }
        /*
         * The analyzer cannot see that link_del() took each watch off the list,
         * and so believes one may be popped, and queued here, twice.
         */
        while (dead) {
                struct kl_store_watch *w = dead;

                dead = w->next_dead; /* NOLINT(clang-analyzer-unix.Malloc) */
                watch_free(w);
        }
}

static bool matches(const struct kl_store_watch *w, const struct kl_store_event *ev)
{
        return strncmp(ev->kv.key, w->prefix, w->prefix_len) == 0;
}

static void start_job(struct kl_store_watch *w);

/* Move a catching-up watch forward as far as it can go without blocking. */
static void pump(struct kl_store_watch *w)
{
        struct kl_store__hub *hub = w->hub;

        while (w->status == 0 && !w->live && !w->job && !w->stopped) {
                int64_t first;

                if (w->next_rev > hub->rev) {
                        w->live = true;
                        link_del(&w->node);
                        link_add_tail(&hub->live, &w->node);
                        return;
                }
                if (queue_full(w))
                        return; /* the owner will make room with next() */
                first = hub->window_len > 0 ? hub->window[hub->window_head]->kv.mod_rev : 0;
                if (hub->window_len > 0 && w->next_rev >= first) {
                        for (int64_t i = w->next_rev - first;
                             i < (int64_t)hub->window_len && !queue_full(w); i++) {
                                struct kl_store_event *ev =
                                        hub->window[(hub->window_head + i) % hub->window_cap];

                                if (matches(w, ev)) {
                                        queue_push(w, kl_store_event_ref(ev));
                                        schedule_notify(w);
                                }
                                w->next_rev = ev->kv.mod_rev + 1;
                        }
                        continue;
                }
                if (hub->closing)
                        return;
                start_job(w);
        }
}

static void job_work(void *arg)
{
        struct catchup_job *job = arg;
        struct kl_store_watch *w = job->w;
        struct kl_store *s = w->hub->s;

        job->r = s->ops->events(s, w->prefix, w->end, job->after, job->upto, job->limit,
                                &job->events, &job->n, &job->err);
}

static void start_release(struct kl_store__hub *hub);

static void job_done(void *arg, int status)
{
        struct catchup_job *job = arg;
        struct kl_store_watch *w = job->w;
        struct kl_store__hub *hub = w->hub;
        size_t used = 0;

        kl_assert(hub->jobs > 0);
        hub->jobs--;
        w->job = false;
        if (status < 0 && job->r >= 0)
                job->r = status;
        if (!w->stopped && w->status == 0 && !hub->closing) {
                if (job->r < 0) {
                        watch_end(w, job->r);
                } else {
                        /* The page was sized to the room in the queue, so it fits. */
                        for (; used < job->n; used++) {
                                queue_push(w, job->events[used]);
                                schedule_notify(w);
                        }
                        if (job->n == job->limit && job->n > 0)
                                w->next_rev = job->events[job->n - 1]->kv.mod_rev + 1;
                        else
                                w->next_rev = job->upto + 1;
                        pump(w);
                }
        }
        for (size_t i = used; i < job->n; i++)
                kl_store_event_unref(job->events[i]);
        free(job->events);
        kl_err_free(job->err);
        free(job);
        watch_unref(w);
        if (hub->closing && hub->jobs == 0)
                start_release(hub);
        run_notifications(hub);
}

static void start_job(struct kl_store_watch *w)
{
        struct kl_store__hub *hub = w->hub;
        struct catchup_job *job = kl_new0(struct catchup_job);
        unsigned room = hub->s->opts.watch_buffer - w->q_len;
        int r;

        job->w = w;
        job->after = w->next_rev - 1;
        job->upto = hub->rev;
        job->limit = KL_MIN(room, CATCHUP_PAGE_MAX);
        w->refs++;
        w->job = true;
        hub->jobs++;
        r = kl_loop_run_blocking(hub->s->loop, job_work, job_done, job);
        if (r < 0) {
                hub->jobs--;
                w->job = false;
                free(job);
                w->refs--;
                watch_end(w, r);
        }
}

static void window_push(struct kl_store__hub *hub, struct kl_store_event *ev)
{
        if (hub->window_cap == 0)
                return;
        if (hub->window_len == hub->window_cap) {
                kl_store_event_unref(hub->window[hub->window_head]);
                hub->window_head = (hub->window_head + 1) % hub->window_cap;
                hub->window_len--;
        }
        hub->window[(hub->window_head + hub->window_len) % hub->window_cap] =
                kl_store_event_ref(ev);
        hub->window_len++;
}

static void deliver(struct kl_store__hub *hub, struct kl_store_event *ev)
{
        int64_t rev = ev->kv.mod_rev;

        /* One event per revision, in order: anything else is a backend bug. */
        kl_assert(rev == hub->rev + 1);
        hub->rev = rev;
        window_push(hub, ev);
        for (struct link *l = hub->live.next; l != &hub->live; l = l->next) {
                struct kl_store_watch *w = watch_of_node(l);

                if (w->status != 0 || rev < w->next_rev || !matches(w, ev))
                        continue;
                if (queue_full(w)) {
                        watch_end(w, -ENOBUFS);
                        continue;
                }
                queue_push(w, kl_store_event_ref(ev));
                schedule_notify(w);
        }
}

static void on_batch(struct kl_loop_mailbox *mb, struct kl_loop_msg *msg)
{
        struct kl_store__hub *hub = kl_container_of(mb, struct kl_store__hub, mb);
        struct batch_msg *b = kl_container_of(msg, struct batch_msg, msg);

        struct kl_store__write *done = b->done;

        for (size_t i = 0; i < b->n; i++) {
                if (!hub->closing)
                        deliver(hub, b->events[i]);
                kl_store_event_unref(b->events[i]);
        }
        free(b->events);
        free(b);
        /*
         * Then the writes the group answers, in submission order: their
         * events are in the hub already. Also while closing, since these
         * writes happened. A callback may submit again or close the store;
         * neither touches this list.
         */
        while (done) {
                struct kl_store__write *w = done;

                done = w->next;
                kl_store__write_finish(w);
        }
        if (hub->closing)
                return;
        /* New history may let catching-up watches go live (pump moves them: iterate safely). */
        for (struct link *l = hub->catchup.next, *next; l != &hub->catchup; l = next) {
                next = l->next;
                pump(watch_of_node(l));
        }
        run_notifications(hub);
}

void kl_store__publish(struct kl_store *s, struct kl_store_event **events, size_t n,
                       struct kl_store__write *done)
{
        struct batch_msg *b;

        if (n == 0 && !done) {
                free(events);
                return;
        }
        kl_assert(s->hub);
        b = kl_new0(struct batch_msg);
        b->events = events;
        b->n = n;
        b->done = done;
        kl_loop_mailbox_post(&s->hub->mb, &b->msg);
}

int kl_store__hub_new(struct kl_store *s, struct kl_err **err)
{
        struct kl_store__hub *hub = kl_new0(struct kl_store__hub);
        int r;

        hub->s = s;
        hub->refs = 1;
        hub->window_cap = s->opts.watch_window;
        hub->window = kl_calloc(hub->window_cap ? hub->window_cap : 1, sizeof(void *));
        link_init(&hub->live);
        link_init(&hub->catchup);
        link_init(&hub->notify);
        r = kl_loop_mailbox_init(s->loop, &hub->mb, on_batch);
        if (r < 0) {
                free(hub->window);
                free(hub);
                return kl_err_set(err, r, "watch hub: %s", uv_strerror(r));
        }
        hub->mb.data = hub;
        s->hub = hub;
        return 0;
}

void kl_store__hub_set_start(struct kl_store *s, int64_t rev)
{
        /*
         * A reopened store already holds revisions 1..rev: the hub has "seen"
         * them (they are in the database, replayed from there on demand), so
         * the next commit it is told about is rev + 1.
         */
        s->hub->rev = rev;
}

static void hub_free(struct kl_store__hub *hub)
{
        struct kl_store *s = hub->s;

        for (unsigned i = 0; i < hub->window_len; i++)
                kl_store_event_unref(hub->window[(hub->window_head + i) % hub->window_cap]);
        free(hub->window);
        free(hub);
        kl_store__free(s);
}

static void hub_unref(struct kl_store__hub *hub)
{
        kl_assert(hub->refs > 0);
        if (--hub->refs == 0)
                hub_free(hub);
}

static void on_mailbox_closed(uv_handle_t *h)
{
        struct kl_store__hub *hub =
                kl_container_of((uv_async_t *)h, struct kl_store__hub, mb.async);

        hub_unref(hub); /* the open store's reference */
}

static void release_work(void *arg)
{
        struct kl_store *s = arg;

        /* Joining the writer waits for its current commit: not on the loop (R8.6). */
        s->ops->release(s);
        s->released = true;
}

static void release_done(void *arg, int status)
{
        struct kl_store *s = arg;

        (void)status;
        if (!s->released) {
                /* Only a cancelled request gets here; cancelling is not something we do. */
                s->ops->release(s);
                s->released = true;
        }
        /* The backend's threads are gone: what they posted is delivered (and dropped) now. */
        kl_loop_mailbox_close(&s->hub->mb, on_mailbox_closed);
}

static void start_release(struct kl_store__hub *hub)
{
        struct kl_store *s = hub->s;

        if (hub->release_started)
                return;
        hub->release_started = true;
        if (s->released) {
                release_done(s, 0);
                return;
        }
        if (kl_loop_run_blocking(s->loop, release_work, release_done, s) < 0) {
                /* libuv refuses work only for invalid arguments; release here rather than leak. */
                release_work(s);
                release_done(s, 0);
        }
}

void kl_store__hub_close(struct kl_store *s)
{
        struct kl_store__hub *hub = s->hub;

        kl_loop_assert_loop_thread(s->loop);
        hub->closing = true;
        s->closing = true;
        for (struct link *l = hub->live.next; l != &hub->live; l = l->next)
                watch_end(watch_of_node(l), -ECANCELED);
        for (struct link *l = hub->catchup.next; l != &hub->catchup; l = l->next)
                watch_end(watch_of_node(l), -ECANCELED);
        if (hub->jobs == 0)
                start_release(hub);
        run_notifications(hub);
}

/* The public watch API ------------------------------------------------------ */

int kl_store_watch_start(struct kl_store *s, const char *prefix, int64_t start_rev,
                         kl_store_watch_fn *cb, void *arg, struct kl_store_watch **ret,
                         struct kl_err **err)
{
        struct kl_store__hub *hub = s->hub;
        struct kl_store_watch *w;
        int64_t compacted, next;

        if (!hub)
                return kl_err_set(err, -ENOTSUP, "watch '%s': the store was opened without a loop",
                                  prefix ? prefix : "(null)");
        kl_loop_assert_loop_thread(s->loop);
        if (hub->closing)
                return kl_err_set(err, -ECANCELED, "watch '%s': the store is closing", prefix);
        if (!prefix || prefix[0] != '/' || strlen(prefix) > KL_STORE_KEY_MAX ||
            (prefix[1] != '\0' && !kl_store__key_is_valid(prefix)))
                return kl_err_set(err, -EINVAL, "invalid key prefix '%.64s'",
                                  prefix ? prefix : "(null)");
        if (start_rev < 0)
                return kl_err_set(err, -EINVAL, "invalid revision %" PRId64, start_rev);
        next = start_rev == 0 ? hub->rev + 1 : start_rev;
        compacted = kl_store_compacted_revision(s);
        if (next <= compacted)
                return kl_err_set(err, -KL_EEXPIRED,
                                  "watch '%s' from revision %" PRId64
                                  ": history up to revision %" PRId64 " has been compacted",
                                  prefix, next, compacted);

        w = kl_new0(struct kl_store_watch);
        w->hub = hub;
        hub->refs++;
        w->refs = 1;
        w->prefix = kl_strdup(prefix);
        w->prefix_len = strlen(prefix);
        w->end = kl_store__prefix_end(prefix);
        w->cb = cb;
        w->arg = arg;
        w->next_rev = next;
        w->position = next;
        link_init(&w->notify_node);
        link_add_tail(&hub->catchup, &w->node);
        pump(w);
        *ret = w;
        return 0;
}

int kl_store_watch_next(struct kl_store_watch *w, struct kl_store_event **ret_ev)
{
        kl_loop_assert_loop_thread(w->hub->s->loop);
        kl_assert(!w->stopped);
        if (w->q_len == 0 && w->status == 0 && !w->live)
                pump(w);
        if (w->q_len > 0) {
                struct kl_store_event *ev = w->q[w->q_head];

                w->q_head = (w->q_head + 1) % w->q_cap;
                w->q_len--;
                w->position = ev->kv.mod_rev + 1;
                if (!w->live)
                        pump(w); /* room was made: keep reading history */
                *ret_ev = ev;
                return 1;
        }
        if (w->status != 0)
                return w->status;
        w->want_notify = true;
        return 0;
}

int64_t kl_store_watch_position(const struct kl_store_watch *w)
{
        return w->position;
}

void kl_store_watch_stop(struct kl_store_watch *w)
{
        if (!w)
                return;
        kl_loop_assert_loop_thread(w->hub->s->loop);
        kl_assert(!w->stopped);
        w->stopped = true;
        link_del(&w->node);
        if (w->in_notify) {
                link_del(&w->notify_node);
                w->in_notify = false;
        }
        queue_drop(w);
        watch_unref(w);
}
