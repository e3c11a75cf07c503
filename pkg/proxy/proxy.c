/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The proxy's runtime on the agent's loop (STYLE R7.8, §8):
 *
 *   informer event -> dirty, debounce timer (debounce_ms after the last
 *   change, but never more than 10 debounces after the first unsynced one,
 *   so a steady trickle of changes cannot starve the rules)
 *   timer -> (every informer synced?) read the informers and build the
 *   state (loop thread: the informers are loop state) -> render the table,
 *   kl_nft_update() from the last applied table (only the differences; a
 *   dynamic affinity set keeps its clients) and kl_nft_generation() on
 *   libuv's pool (the state is immutable and handed over whole; one job in
 *   flight at a time; changes meanwhile leave `dirty` set and start the next
 *   sync when it is done)
 *   resync timer -> on the pool: kl_nft_generation(); if it moved since our
 *   own last apply, somebody changed the ruleset (any table: the generation
 *   is the namespace's), so replace the table with the last one whole
 *
 * kl_nft_update() needs the kernel to hold exactly the last applied table.
 * The whole table is replaced instead (kl_nft_replace()) on the first
 * apply, after a failed apply, and after a resync found the generation
 * moved (until a replace succeeds again). A failed apply is logged and
 * retried after 1 s with a fresh build. The
 * netlink socket is opened by kl_proxy_start() on the caller's thread, so it
 * lives in that thread's network namespace whatever thread later uses it.
 *
 * Ownership while a job is in flight: the pool thread owns the job (its
 * state and table) and reads p->nl, p->applied, p->generation and
 * p->must_replace; the loop
 * thread touches none of them until the done callback (a plain hand-over,
 * no lock: kl_loop_run_blocking()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "client/client.h"
#include "loop/loop.h"
#include "nft/nft.h"
#include "proxy/proxy-internal.h"

#define RETRY_MS 1000

struct job {
        bool change;                  /* a new state to apply; false: a resync check */
        struct kl_proxy_state *state; /* owned; rendered on the pool, then freed there */
        struct kl_nft_table *table;   /* owned; the render of `state` */
        int r;
        struct kl_err *err; /* owned */
        uint32_t generation;
        bool reapplied; /* a resync check that found the generation moved */
        bool replaced;  /* kl_nft_replace(), not kl_nft_update() */
        kl_usec_t built_at, build_usec, apply_usec, applied_at;
        size_t services;
};

struct kl_proxy {
        uv_loop_t *loop;                                            /* borrowed */
        struct kl_informer *services, *slices, *pods;               /* borrowed; pods may be NULL */
        char *node_name, *cluster_cidr, *cluster_dns, *dns_address; /* owned */
        struct kl_proxy_net net; /* strings borrowed from the fields above */
        uint64_t debounce_ms, resync_ms;
        kl_proxy_applied_fn *on_applied;
        void *arg;

        uv_timer_t debounce; /* owned; data = p */
        uv_timer_t resync;   /* owned; data = p */
        unsigned pending_closes;
        bool timers_open, started, closing;
        bool dirty;           /* the informers changed since the last build */
        uint64_t first_dirty; /* uv_now() of the oldest change not built yet; 0: none */
        bool busy;            /* a job is on the pool */
        struct job job;

        struct kl_nft *nl;            /* owned; used by the job */
        struct kl_nft_table *applied; /* owned; what the kernel should hold */
        uint32_t generation;          /* after our last apply */
        bool must_replace; /* the kernel may not hold `applied`: replace, do not update */
        struct kl_proxy_stats stats;
};

static void sync_now(struct kl_proxy *p);

static void proxy_free(struct kl_proxy *p)
{
        kl_nft_close(p->nl);
        kl_nft_table_free(p->applied);
        kl_proxy_state_free(p->job.state);
        kl_nft_table_free(p->job.table);
        kl_err_free(p->job.err);
        free(p->node_name);
        free(p->cluster_cidr);
        free(p->cluster_dns);
        free(p->dns_address);
        free(p);
}

static void maybe_free(struct kl_proxy *p)
{
        if (p->closing && !p->busy && p->pending_closes == 0)
                proxy_free(p);
}

static bool synced(const struct kl_proxy *p)
{
        return kl_informer_synced(p->services) && kl_informer_synced(p->slices) &&
               (!p->pods || kl_informer_synced(p->pods));
}

static void on_debounce(uv_timer_t *t)
{
        struct kl_proxy *p = t->data;

        if (p->closing || p->busy)
                return;
        if (!synced(p)) {
                /* Until every informer holds its first list: a restarting agent keeps the old
                 * table rather than applying an empty one. */
                uv_timer_start(&p->debounce, on_debounce, p->debounce_ms, 0);
                return;
        }
        sync_now(p);
}

/* Arm the debounce timer for the changes seen so far. */
static void schedule(struct kl_proxy *p, uint64_t delay)
{
        uint64_t now = uv_now(p->loop), max_wait = 10 * p->debounce_ms, waited;

        if (p->closing || !p->started || p->busy)
                return; /* the done callback looks at `dirty` */
        if (p->first_dirty == 0)
                p->first_dirty = now ? now : 1;
        waited = now >= p->first_dirty ? now - p->first_dirty : 0;
        if (waited + delay > max_wait)
                delay = waited >= max_wait ? 0 : max_wait - waited;
        uv_timer_start(&p->debounce, on_debounce, delay, 0);
}

static void on_change(struct kl_proxy *p)
{
        if (p->closing)
                return;
        p->dirty = true;
        schedule(p, p->debounce_ms);
}

static void on_add(void *arg, const json_t *obj)
{
        (void)obj;
        on_change(arg);
}

static void on_update(void *arg, const json_t *old, const json_t *obj)
{
        (void)old;
        (void)obj;
        on_change(arg);
}

static void on_delete(void *arg, const json_t *obj)
{
        (void)obj;
        on_change(arg);
}

/* ------------------------------------------------------------------------- */
/* The job, on libuv's pool */

static void job_work(void *arg)
{
        struct kl_proxy *p = arg;
        struct job *j = &p->job;
        kl_usec_t t0 = kl_now_monotonic();
        uint32_t gen = 0;

        if (j->change) {
                /* The state is immutable and ours alone: rendering it here keeps the loop free. */
                j->table = kl_proxy_render(j->state);
                kl_proxy_state_free(KL_TAKE_PTR(j->state));
                j->build_usec += kl_now_monotonic() - t0;
                t0 = kl_now_monotonic();
                j->replaced = !p->applied || p->must_replace;
                if (j->replaced)
                        j->r = kl_nft_replace(p->nl, j->table, &j->err);
                else
                        j->r = kl_nft_update(p->nl, p->applied, j->table, &j->err);
        } else {
                j->r = kl_nft_generation(p->nl, &gen, &j->err);
                j->generation = gen;
                if (j->r < 0 || gen == p->generation)
                        goto done;
                j->reapplied = true;
                j->replaced = true;
                j->r = kl_nft_replace(p->nl, p->applied, &j->err);
        }
        if (j->r >= 0)
                j->r = kl_nft_generation(p->nl, &j->generation, &j->err);
done:
        j->applied_at = kl_now_monotonic();
        j->apply_usec = j->applied_at - t0;
}

static void job_done(void *arg, int status)
{
        struct kl_proxy *p = arg;
        struct job *j = &p->job;
        bool change = j->change;

        p->busy = false;
        if (status < 0 && j->r >= 0)
                j->r = kl_err_set(&j->err, status, "apply cancelled");
        if (p->closing) {
                kl_proxy_state_free(KL_TAKE_PTR(j->state));
                kl_nft_table_free(KL_TAKE_PTR(j->table));
                kl_err_free(KL_TAKE_PTR(j->err));
                maybe_free(p);
                return;
        }
        if (j->r < 0) {
                /* A failed commit changes nothing, but a failure may also come after it
                 * (reading the generation), or from a resync's replace: start afresh. */
                p->must_replace = true;
                p->stats.failures++;
                (void)kl_log_err(KL_LOG_WARN, KL_LOG_PROXY, j->err,
                                 "apply table '%s', will retry in 1s", KL_PROXY_TABLE);
                kl_err_free(KL_TAKE_PTR(j->err));
                kl_proxy_state_free(KL_TAKE_PTR(j->state));
                kl_nft_table_free(KL_TAKE_PTR(j->table));
                p->dirty = true;
                p->first_dirty = 0;
                uv_timer_start(&p->debounce, on_debounce, RETRY_MS, 0);
                return;
        }
        p->generation = j->generation;
        if (change || j->reapplied) {
                struct kl_proxy_sync_info info = {
                        .resync = !change,
                        .built_at = j->built_at,
                        .applied_at = j->applied_at,
                        .build_usec = change ? j->build_usec : 0,
                        .apply_usec = j->apply_usec,
                        .services = j->services,
                        .replaced = j->replaced,
                };

                p->must_replace = false;
                if (j->replaced)
                        p->stats.replaces++;
                if (change) {
                        kl_nft_table_free(p->applied);
                        p->applied = KL_TAKE_PTR(j->table);
                        p->stats.last_build_usec = j->build_usec;
                } else {
                        p->stats.resyncs++;
                        kl_log_info(KL_LOG_PROXY,
                                    "the ruleset changed behind our back, table '%s' applied again",
                                    KL_PROXY_TABLE);
                }
                p->stats.syncs++;
                p->stats.last_apply_usec = j->apply_usec;
                info.syncs = p->stats.syncs;
                kl_log_debug(KL_LOG_PROXY, "applied services=%zu build=%lluus apply=%lluus",
                             j->services, (unsigned long long)info.build_usec,
                             (unsigned long long)j->apply_usec);
                if (p->on_applied)
                        p->on_applied(p->arg, &info);
        }
        if (p->dirty && !p->closing)
                schedule(p, 0);
}

static void start_job(struct kl_proxy *p)
{
        int r;

        p->busy = true;
        r = kl_loop_run_blocking(p->loop, job_work, job_done, p);
        if (r < 0) {
                /* libuv refused the work: nothing ran; handled as a failed apply. */
                p->job.r = kl_err_set(&p->job.err, r, "queue the apply");
                job_done(p, 0);
        }
}

static void collect(const struct kl_informer *inf, struct kl_objv *v)
{
        if (inf)
                kl_informer_list(inf, NULL, v);
        else
                kl_objv_clear(v);
}

static void sync_now(struct kl_proxy *p)
{
        struct kl_objv svcs = { 0 }, slices = { 0 }, pods = { 0 };
        struct kl_proxy_state *st = NULL;
        kl_autoerr struct kl_err *err = NULL;
        kl_usec_t t0 = kl_now_monotonic();
        int r;

        p->dirty = false;
        p->first_dirty = 0;
        collect(p->services, &svcs);
        collect(p->slices, &slices);
        collect(p->pods, &pods);
        r = kl_proxy_state_build(&p->net, svcs.items, svcs.n, slices.items, slices.n, pods.items,
                                 pods.n, &st, &err);
        kl_objv_clear(&svcs);
        kl_objv_clear(&slices);
        kl_objv_clear(&pods);
        if (r < 0) {
                /* The net was checked by kl_proxy_new(): this cannot happen. */
                (void)kl_log_err(KL_LOG_ERROR, KL_LOG_PROXY, err, "build the proxy state");
                return;
        }
        p->job = (struct job){
                .change = true,
                .state = st,
                .built_at = t0,
                .services = kl_proxy_state_services(st),
        };
        p->job.build_usec = kl_now_monotonic() - t0;
        start_job(p);
}

static void on_resync(uv_timer_t *t)
{
        struct kl_proxy *p = t->data;

        /* Nothing applied yet, or a sync is coming anyway. */
        if (p->closing || p->busy || !p->applied || p->dirty)
                return;
        p->job = (struct job){ .built_at = kl_now_monotonic() };
        start_job(p);
}

/* ------------------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
        return s ? kl_strdup(s) : NULL;
}

int kl_proxy_new(const struct kl_proxy_config *cfg, struct kl_proxy **ret, struct kl_err **err)
{
        struct kl_proxy_state *probe = NULL;
        struct kl_proxy *p;
        int r;

        kl_assert(cfg->loop && cfg->services && cfg->slices);
        /* Check the net once, so that a build can only fail on a bug. */
        r = kl_proxy_state_build(&cfg->net, NULL, 0, NULL, 0, NULL, 0, &probe, err);
        if (r < 0)
                return r;
        kl_proxy_state_free(probe);

        p = kl_new0(struct kl_proxy);
        p->loop = cfg->loop;
        p->services = cfg->services;
        p->slices = cfg->slices;
        p->pods = cfg->pods;
        p->node_name = dup_or_null(cfg->net.node_name);
        p->cluster_cidr = dup_or_null(cfg->net.cluster_cidr);
        p->cluster_dns = dup_or_null(cfg->net.cluster_dns);
        p->dns_address = dup_or_null(cfg->net.dns_address);
        p->net = (struct kl_proxy_net){ .node_name = p->node_name,
                                        .cluster_cidr = p->cluster_cidr,
                                        .cluster_dns = p->cluster_dns,
                                        .dns_address = p->dns_address,
                                        .dns_port = cfg->net.dns_port };
        p->debounce_ms = cfg->debounce_ms ? cfg->debounce_ms : 10;
        p->resync_ms = cfg->resync_ms ? cfg->resync_ms : 30000;
        p->on_applied = cfg->on_applied;
        p->arg = cfg->arg;
        p->must_replace = true;

        kl_assert(uv_timer_init(p->loop, &p->debounce) == 0);
        kl_assert(uv_timer_init(p->loop, &p->resync) == 0);
        p->debounce.data = p->resync.data = p;
        p->timers_open = true;

        {
                struct kl_informer_handler h = {
                        .on_add = on_add, .on_update = on_update, .on_delete = on_delete, .arg = p
                };

                kl_informer_add_handler(p->services, &h);
                kl_informer_add_handler(p->slices, &h);
                if (p->pods)
                        kl_informer_add_handler(p->pods, &h);
        }
        *ret = p;
        return 0;
}

int kl_proxy_start(struct kl_proxy *p, struct kl_err **err)
{
        int r;

        kl_assert(!p->started && !p->closing);
        r = kl_nft_open(&p->nl, err);
        if (r < 0)
                return kl_err_wrap(err, r, "service proxy");
        p->started = true;
        uv_timer_start(&p->resync, on_resync, p->resync_ms, p->resync_ms);
        /* The first sync waits for the informers (on_debounce polls). */
        p->dirty = true;
        schedule(p, 0);
        return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
        struct kl_proxy *p = h->data;

        kl_assert(p->pending_closes > 0);
        p->pending_closes--;
        maybe_free(p);
}

void kl_proxy_close(struct kl_proxy *p)
{
        if (!p || p->closing)
                return;
        p->closing = true;
        if (p->timers_open) {
                p->pending_closes = 2;
                uv_close((uv_handle_t *)&p->debounce, on_timer_closed);
                uv_close((uv_handle_t *)&p->resync, on_timer_closed);
        }
        maybe_free(p);
}

void kl_proxy_stats(const struct kl_proxy *p, struct kl_proxy_stats *ret)
{
        *ret = p->stats;
}

int kl_proxy_flush(struct kl_err **err)
{
        struct kl_nft *nl = NULL;
        int r;

        r = kl_nft_open(&nl, err);
        if (r >= 0)
                r = kl_nft_delete(nl, KL_NFT_IP, KL_PROXY_TABLE, err);
        kl_nft_close(nl);
        return r < 0 ? kl_err_wrap(err, r, "flush the service proxy's table") : 0;
}
