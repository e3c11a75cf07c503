/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Probe workers (pod-internal.h): one per probe of a running container
 * attempt, on the loop thread, as upstream's prober worker
 * (pkg/kubelet/prober/worker.go): the first run initialDelaySeconds after
 * the worker started (the container's start), then one every periodSeconds,
 * each on libuv's pool through kl_loop_run_blocking(), at most one in
 * flight. Results are counted as upstream counts them: a result reported
 * needs successThreshold (failureThreshold) equal results in a row, and the
 * callback hears only of changes of the reported result.
 *
 *   readiness   starts as failure; reports every change; runs until stopped
 *   liveness    starts as success; reports the failure and stops probing
 *               (upstream holds the worker until a new container replaces it)
 *   startup     starts unknown; reports success or failure once and stops
 *
 * Who owns what: the worker owns its copies of the probe, the target's
 * strings and the container (deep copies: a pool thread reads them while the
 * loop goes on, and jansson's reference counts are not thread-safe). It is
 * freed once it has been stopped, its timer closed and no run is in flight
 * (STYLE R8.2, R8.3): a run in flight at stop finishes and is dropped.
 *
 * Upstream adds a random delay before the first run only when the kubelet
 * itself has just restarted (to spread the probes out); that is left out.
 */
#include <stdlib.h>

#include "agent/pod-internal.h"
#include "base/base.h"
#include "loop/loop.h"

/* The API's defaults (SetDefaults_Probe). */
#define DEFAULT_PERIOD_SEC 10
#define DEFAULT_SUCCESS    1
#define DEFAULT_FAILURE    3

enum reported {
        REPORTED_UNKNOWN = -1,
        REPORTED_FAILURE = 0,
        REPORTED_SUCCESS = 1,
};

struct kl_agent__prober {
        uv_loop_t *loop;                      /* borrowed */
        uv_timer_t timer;                     /* owned; closed by kl_agent__prober_stop() */
        json_t *probe;                        /* owned: a deep copy, read by the pool during runs */
        json_t *container;                    /* owned: a deep copy (named ports), or NULL */
        struct kl_agent__probe_target target; /* strings point at the fields below */
        char *ctr_id, *netns, *pod_ip;        /* owned */
        enum kl_agent__probe_kind kind;
        kl_agent__prober_fn *cb;
        void *arg; /* the caller's */

        uint64_t period_ms;
        uint64_t delay_ms;
        unsigned success_threshold;
        unsigned failure_threshold;

        uint64_t start_ms;    /* uv_now() at start: the container's start */
        uint64_t last_run_ms; /* uv_now() when the last run began */
        bool waiting;         /* for kl_agent__prober_enable() */
        bool finished;        /* probing is over (liveness/startup reported) */
        bool stopped;         /* kl_agent__prober_stop() was called */
        bool running;         /* a run is in flight */

        enum reported reported;
        int last;      /* the last run's result (enum kl_agent__probe_result), -1: none */
        unsigned run;  /* equal results in a row */
        unsigned refs; /* 1 for the timer handle, 1 while a run is in flight */
};

struct job {
        struct kl_agent__prober *p; /* holds a reference */
        enum kl_agent__probe_result result;
        char *message; /* owned */
};

static void prober_unref(struct kl_agent__prober *p)
{
        kl_assert(p->refs > 0);
        if (--p->refs > 0)
                return;
        json_decref(p->probe);
        json_decref(p->container);
        free(p->ctr_id);
        free(p->netns);
        free(p->pod_ip);
        free(p);
}

static void on_timer(uv_timer_t *t);

/* Arm the timer for the next run at `at_ms` (uv_now() time), or now when it has passed. */
static void schedule(struct kl_agent__prober *p, uint64_t at_ms)
{
        uint64_t now = uv_now(p->loop);

        (void)uv_timer_start(&p->timer, on_timer, at_ms > now ? at_ms - now : 0, 0);
}

static void run_work(void *arg)
{
        struct job *j = arg;

        j->result = kl_agent__probe_run(j->p->probe, &j->p->target, &j->message);
}

/* Upstream's worker.doProbe after the probe: thresholds, the reported result, holds. */
static void account(struct kl_agent__prober *p, const struct job *j)
{
        enum reported now;

        if (p->last == (int)j->result) {
                p->run++;
        } else {
                p->last = (int)j->result;
                p->run = 1;
        }
        if ((j->result == KL_AGENT__PROBE_FAILURE && p->run < p->failure_threshold) ||
            (j->result == KL_AGENT__PROBE_SUCCESS && p->run < p->success_threshold))
                return;
        now = j->result == KL_AGENT__PROBE_SUCCESS ? REPORTED_SUCCESS : REPORTED_FAILURE;
        if ((p->kind == KL_AGENT__PROBE_LIVENESS || p->kind == KL_AGENT__PROBE_STARTUP) &&
            now == REPORTED_FAILURE) {
                /* The container will be killed: no more probing of this attempt. */
                p->finished = true;
                p->run = 0;
        }
        /* Once started, a container's startup probe is not run again. */
        if (p->kind == KL_AGENT__PROBE_STARTUP && now == REPORTED_SUCCESS)
                p->finished = true;
        if (now != p->reported) {
                p->reported = now;
                /* Last: the callback may stop the worker. */
                p->cb(p->arg, p->kind, now == REPORTED_SUCCESS, j->message);
        }
}

static void run_done(void *arg, int status)
{
        struct job *j = arg;
        struct kl_agent__prober *p = j->p;

        p->running = false;
        if (!p->stopped && status == 0)
                account(p, j);
        if (!p->stopped && !p->finished && !p->waiting)
                schedule(p, p->last_run_ms + p->period_ms);
        free(j->message);
        free(j);
        prober_unref(p);
}

static void on_timer(uv_timer_t *t)
{
        struct kl_agent__prober *p = kl_container_of(t, struct kl_agent__prober, timer);
        struct job *j;

        if (p->stopped || p->finished || p->running)
                return;
        j = kl_new0(struct job);
        j->p = p;
        p->refs++;
        p->running = true;
        p->last_run_ms = uv_now(p->loop);
        if (kl_loop_run_blocking(p->loop, run_work, run_done, j) < 0) {
                /* The pool refused the work: try again a period later. */
                p->running = false;
                p->refs--;
                free(j);
                schedule(p, p->last_run_ms + p->period_ms);
        }
}

static uint64_t field_or(const json_t *probe, const char *name, int64_t def, int64_t min)
{
        const json_t *v = json_object_get(probe, name);
        int64_t n = json_is_integer(v) ? (int64_t)json_integer_value(v) : def;

        return (uint64_t)(n < min ? min : n);
}

int kl_agent__prober_start(uv_loop_t *loop, const json_t *probe, enum kl_agent__probe_kind kind,
                           const struct kl_agent__probe_target *target, bool wait_for_startup,
                           kl_agent__prober_fn *cb, void *arg, struct kl_agent__prober **ret,
                           struct kl_err **err)
{
        struct kl_agent__prober *p;
        int r;

        kl_loop_assert_loop_thread(loop);
        if (!json_is_object(probe))
                return kl_err_set(err, -EINVAL, "%s probe: not an object",
                                  kl_agent__probe_kind_name(kind));
        p = kl_new0(struct kl_agent__prober);
        p->loop = loop;
        p->kind = kind;
        p->cb = cb;
        p->arg = arg;
        p->probe = json_deep_copy(probe);
        p->container = target->container ? json_deep_copy(target->container) : NULL;
        p->ctr_id = target->ctr_id ? kl_strdup(target->ctr_id) : NULL;
        p->netns = target->netns ? kl_strdup(target->netns) : NULL;
        p->pod_ip = target->pod_ip ? kl_strdup(target->pod_ip) : NULL;
        p->target = (struct kl_agent__probe_target){
                .rt = target->rt,
                .ctr_id = p->ctr_id,
                .netns = p->netns,
                .pod_ip = p->pod_ip,
                .container = p->container,
        };
        p->period_ms = field_or(probe, "periodSeconds", DEFAULT_PERIOD_SEC, 1) * 1000;
        p->delay_ms = field_or(probe, "initialDelaySeconds", 0, 0) * 1000;
        p->success_threshold = (unsigned)field_or(probe, "successThreshold", DEFAULT_SUCCESS, 1);
        p->failure_threshold = (unsigned)field_or(probe, "failureThreshold", DEFAULT_FAILURE, 1);
        p->reported = kind == KL_AGENT__PROBE_READINESS  ? REPORTED_FAILURE
                      : kind == KL_AGENT__PROBE_LIVENESS ? REPORTED_SUCCESS
                                                         : REPORTED_UNKNOWN;
        p->last = -1;
        p->refs = 1;
        r = uv_timer_init(loop, &p->timer);
        if (r < 0) {
                p->refs = 1;
                prober_unref(p);
                return kl_err_set(err, r, "%s probe: timer", kl_agent__probe_kind_name(kind));
        }
        p->timer.data = p;
        uv_update_time(loop);
        p->start_ms = uv_now(loop);
        p->waiting = wait_for_startup && kind != KL_AGENT__PROBE_STARTUP;
        if (!p->waiting)
                schedule(p, p->start_ms + p->delay_ms);
        *ret = p;
        return 0;
}

void kl_agent__prober_enable(struct kl_agent__prober *p)
{
        if (!p || !p->waiting || p->stopped)
                return;
        p->waiting = false;
        /*
         * Upstream counts initialDelaySeconds from the container's start for
         * every probe, whether or not it waited for the startup probe.
         */
        if (!p->running && !p->finished)
                schedule(p, p->start_ms + p->delay_ms);
}

static void on_closed(uv_handle_t *h)
{
        prober_unref(h->data);
}

void kl_agent__prober_stop(struct kl_agent__prober *p)
{
        if (!p || p->stopped)
                return;
        p->stopped = true;
        (void)uv_timer_stop(&p->timer);
        uv_close((uv_handle_t *)&p->timer, on_closed);
}
