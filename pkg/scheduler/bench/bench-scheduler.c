/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler with a real API server in-process (issue 5, Acceptance):
 * 1,000 fake Ready nodes, then 10,000 pods created through the in-process
 * client while the scheduler runs, a window of creates in flight as a
 * controller would issue them. Every write (create, binding) goes through
 * the handler layer to the store with the server's durability setting.
 *
 *   pods/s    10,000 / (first pod enqueued -> last binding acknowledged);
 *             "enqueued" is the pod's arrival in an informer of the same
 *             client, which is when the scheduler's own informer queues it
 *   latency   pod creation acknowledged -> its binding acknowledged,
 *             p50/p99/max over every pod
 *   backlog   the same 10,000 pods already stored when the scheduler
 *             starts: the scheduler and the binding writes alone
 *   CPU       the loop thread's and the whole process's CPU time over the
 *             live run's span, per pod: what the run costs, which a busy
 *             machine's scheduling noise does not change the way it changes
 *             the rates (the loop thread is what every write and event
 *             passes through)
 *   events    the Scheduled Events yield to the bindings (pkg/client's
 *             recorder keeps a few in flight): after the live run, how long
 *             after the last binding the last of them is stored (an
 *             informer on Events started then, so it costs the run nothing)
 *
 * The reference lines are published figures, not measured here: upstream's
 * scheduler_perf throughput tests enforce about 100 pods/s, and Nomad's
 * published record is about 1,500 placements/s (issue 5).
 *
 *   KL_BENCH_DIR       scratch directory (scripts/bench.sh sets it)
 *   KL_BENCH_NODES     fake nodes (default 1000)
 *   KL_BENCH_PODS      pods (default 10000)
 *   KL_BENCH_INFLIGHT  pod creates in flight (default 128)
 *   KL_BENCH_SYNC      store durability: full (default) or relaxed
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "apiserver/apiserver.h"
#include "loop/loop.h"
#include "scheduler/scheduler.h"

struct bench {
        uv_loop_t loop;
        struct kl_apiserver *s;
        struct kl_client *c;
        struct kl_scheduler *sched;
        struct kl_informer *inf;
        const struct kl_api_resource *pods, *nodes;
        unsigned n_nodes, n_pods, inflight;
        unsigned created, acked, bound, failed, pending_writes;
        kl_usec_t *t_created; /* per pod: create acknowledged */
        kl_usec_t *t_bound;   /* per pod: binding acknowledged */
        kl_usec_t t_first_enqueued, t_last_bound;
        unsigned events;        /* Scheduled Events seen after the live run */
        kl_usec_t t_last_event; /* when the last of them arrived */
        bool first_seen;
        kl_usec_t cpu_loop0, cpu_proc0;  /* CPU used when the first pod was enqueued */
        kl_usec_t cpu_loop, cpu_proc;    /* ... from then to the last binding (live run) */
        struct kl_scheduler_stats stats; /* of the last run */
};

static KL_NORETURN void die(const char *what, const char *detail)
{
        fprintf(stderr, "bench-scheduler: %s: %s\n", what, detail);
        abort();
}

static void on_handle_closed(uv_handle_t *h)
{
        *(bool *)h->data = true;
}

static unsigned env_uint(const char *name, unsigned def)
{
        const char *v = getenv(name);
        unsigned x;

        if (!v || !*v)
                return def;
        if (kl_parse_uint(v, &x) < 0)
                die(name, "not a number");
        return x;
}

/* CPU time (user + system) of the calling thread (RUSAGE_THREAD) or the process. */
static kl_usec_t cpu_usec(int who)
{
        struct rusage ru;

        if (getrusage(who, &ru) < 0)
                die("getrusage", strerror(errno));
        return (kl_usec_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * KL_USEC_PER_SEC +
               (kl_usec_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static unsigned pod_index(const char *name)
{
        unsigned x;

        if (kl_parse_uint(name + strlen("pod-"), &x) < 0)
                die("pod name", name);
        return x;
}

static void on_node_write(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct bench *b = arg;

        (void)obj;
        if (r < 0)
                die("node write", kl_err_msg(err));
        b->pending_writes--;
}

static void run_while(struct bench *b, const unsigned *count, unsigned until)
{
        while (*count != until)
                (void)kl_loop_run(&b->loop, UV_RUN_ONCE);
}

static void add_nodes(struct bench *b)
{
        json_t **status = kl_calloc(b->n_nodes, sizeof(*status));

        for (unsigned i = 0; i < b->n_nodes; i++) {
                char name[32];
                json_t *n;

                (void)snprintf(name, sizeof(name), "node-%04u", i);
                n = json_pack("{sssss{sss{ssss}}s{s{ssssss}s[{ssss}]}}", "apiVersion", "v1", "kind",
                              "Node", "metadata", "name", name, "labels", "kubernetes.io/hostname",
                              name, "topology.kubernetes.io/zone",
                              i % 3 == 0   ? "a"
                              : i % 3 == 1 ? "b"
                                           : "c",
                              "status", "allocatable", "cpu", "32", "memory", "128Gi", "pods",
                              "110", "conditions", "type", "Ready", "status", "True");
                b->pending_writes++;
                kl_client_create(b->c, b->nodes, NULL, json_deep_copy(n), NULL, on_node_write, b);
                status[i] = n;
        }
        run_while(b, &b->pending_writes, 0);
        /* The status as a kubelet reports it, whatever create kept. */
        for (unsigned i = 0; i < b->n_nodes; i++) {
                const char *name = json_string_value(
                        json_object_get(json_object_get(status[i], "metadata"), "name"));

                b->pending_writes++;
                kl_client_update(b->c, b->nodes, NULL, name, "status", status[i], NULL,
                                 on_node_write, b);
        }
        run_while(b, &b->pending_writes, 0);
        free(status);
}

static void on_pod_added(void *arg, const json_t *obj)
{
        struct bench *b = arg;

        (void)obj;
        if (!b->first_seen) {
                b->first_seen = true;
                b->t_first_enqueued = kl_now_monotonic();
                b->cpu_loop0 = cpu_usec(RUSAGE_THREAD);
                b->cpu_proc0 = cpu_usec(RUSAGE_SELF);
        }
}

static void create_next(struct bench *b);

static void on_created(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct bench *b = arg;
        const char *name =
                json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));

        if (r < 0 || !name)
                die("pod create", err ? kl_err_msg(err) : "no name");
        b->t_created[pod_index(name)] = kl_now_monotonic();
        b->acked++;
        create_next(b);
}

static void create_next(struct bench *b)
{
        while (b->created < b->n_pods && b->created - b->acked < b->inflight) {
                char name[32];
                json_t *p;

                (void)snprintf(name, sizeof(name), "pod-%05u", b->created++);
                p = json_pack("{sssss{ss}s{s[{sssss{s{ssss}}}]}}", "apiVersion", "v1", "kind",
                              "Pod", "metadata", "name", name, "spec", "containers", "name", "app",
                              "image", "registry.k8s.io/pause:3.9", "resources", "requests", "cpu",
                              "100m", "memory", "128Mi");
                kl_client_create(b->c, b->pods, "default", p, NULL, on_created, b);
        }
}

static void on_bound(void *arg, const char *ns, const char *name, const char *node, int r)
{
        struct bench *b = arg;

        (void)ns;
        (void)node;
        if (r < 0) {
                b->failed++;
                return;
        }
        b->t_bound[pod_index(name)] = kl_now_monotonic();
        b->t_last_bound = kl_now_monotonic();
        b->bound++;
}

static void on_event_added(void *arg, const json_t *obj)
{
        struct bench *b = arg;

        if (!kl_streq_null(json_string_value(json_object_get(obj, "reason")), "Scheduled"))
                return;
        if (++b->events == b->n_pods)
                b->t_last_event = kl_now_monotonic();
}

static void on_wake(uv_timer_t *t)
{
        (void)t; /* only wakes the loop so that the deadline is checked */
}

/* Until every pod's Scheduled Event is stored, or 120 s have passed. */
static void wait_events(struct bench *b)
{
        const struct kl_informer_handler h = { .on_add = on_event_added, .arg = b };
        const struct kl_api_resource *events = kl_api_resource_find("", "v1", "events");
        kl_usec_t deadline = kl_now_monotonic() + 120 * KL_USEC_PER_SEC;
        struct kl_informer *inf = NULL;
        struct kl_err *err = NULL;
        uv_timer_t wake;
        bool closed = false;

        b->events = 0;
        b->t_last_event = 0;
        if (kl_informer_new(b->c, events, NULL, NULL, NULL, &inf, &err) < 0)
                die("informer", kl_err_msg(err));
        kl_informer_add_handler(inf, &h);
        if (kl_informer_start(inf, &err) < 0)
                die("informer", kl_err_msg(err));
        (void)uv_timer_init(&b->loop, &wake);
        (void)uv_timer_start(&wake, on_wake, 100, 100);
        while (b->events < b->n_pods && kl_now_monotonic() < deadline)
                (void)kl_loop_run(&b->loop, UV_RUN_ONCE);
        kl_informer_free(inf);
        wake.data = &closed;
        uv_close((uv_handle_t *)&wake, on_handle_closed);
        while (!closed)
                (void)kl_loop_run(&b->loop, UV_RUN_ONCE);
}

static void start_scheduler(struct bench *b)
{
        struct kl_scheduler_options so = { .seed = 1, .on_bound = on_bound, .arg = b };
        struct kl_err *err = NULL;

        if (kl_scheduler_start(b->c, &so, &b->sched, &err) < 0)
                die("scheduler", kl_err_msg(err));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path) < 0 ? -errno : 0;
}

/* The run's data directory goes when the run is done; the figures are printed. */
static void rm_rf(const char *dir)
{
        (void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int cmp_usec(const void *x, const void *y)
{
        kl_usec_t a = *(const kl_usec_t *)x, c = *(const kl_usec_t *)y;

        return a < c ? -1 : a > c;
}

static double ms(kl_usec_t us)
{
        return (double)us / 1000.0;
}

static void on_closed(void *arg)
{
        *(bool *)arg = true;
}

static void open_server(struct bench *b, const char *dir, enum kl_store_sync sync)
{
        struct kl_apiserver_options opts = { .data_dir = dir,
                                             .bind_address = "127.0.0.1",
                                             .sync = sync };
        struct kl_err *err = NULL;

        if (kl_loop_init(&b->loop) < 0)
                die("loop", "init");
        if (kl_apiserver_new(&b->loop, &opts, &b->s, &err) < 0)
                die("apiserver", kl_err_msg(err));
        b->c = kl_apiserver_client_new(b->s, "system:kube-scheduler");
        b->pods = kl_api_resource_find("", "v1", "pods");
        b->nodes = kl_api_resource_find("", "v1", "nodes");
}

static void close_server(struct bench *b)
{
        bool closed = false;

        kl_scheduler_stats(b->sched, &b->stats);
        kl_scheduler_free(b->sched);
        b->sched = NULL;
        kl_informer_free(b->inf);
        b->inf = NULL;
        kl_client_free(b->c);
        kl_apiserver_close(b->s, 0, on_closed, &closed);
        while (!closed)
                (void)kl_loop_run(&b->loop, UV_RUN_ONCE);
        (void)kl_loop_finish(&b->loop);
}

/* One run; `backlog`: the pods exist before the scheduler starts. */
static void run(struct bench *b, const char *dir, enum kl_store_sync sync, bool backlog)
{
        const struct kl_informer_handler h = { .on_add = on_pod_added, .arg = b };
        struct kl_err *err = NULL;

        b->created = b->acked = b->bound = b->failed = 0;
        b->first_seen = false;
        memset(b->t_created, 0, b->n_pods * sizeof(*b->t_created));
        memset(b->t_bound, 0, b->n_pods * sizeof(*b->t_bound));
        open_server(b, dir, sync);
        add_nodes(b);
        if (!backlog) {
                if (kl_informer_new(b->c, b->pods, NULL, NULL, NULL, &b->inf, &err) < 0)
                        die("informer", kl_err_msg(err));
                kl_informer_add_handler(b->inf, &h);
                if (kl_informer_start(b->inf, &err) < 0)
                        die("informer", kl_err_msg(err));
                start_scheduler(b);
                create_next(b);
        } else {
                create_next(b);
                run_while(b, &b->acked, b->n_pods);
                b->t_first_enqueued = kl_now_monotonic();
                b->first_seen = true;
                start_scheduler(b);
        }
        while (b->bound < b->n_pods)
                (void)kl_loop_run(&b->loop, UV_RUN_ONCE);
        if (!backlog) {
                /* The loop runs on this thread: the bench's callbacks are the loop thread's. */
                b->cpu_loop = cpu_usec(RUSAGE_THREAD) - b->cpu_loop0;
                b->cpu_proc = cpu_usec(RUSAGE_SELF) - b->cpu_proc0;
                wait_events(b);
        }
        close_server(b);
}

int main(void)
{
        struct bench b = { 0 };
        const char *scratch = getenv("KL_BENCH_DIR");
        const char *sync_s = getenv("KL_BENCH_SYNC");
        enum kl_store_sync sync = sync_s ? kl_store_sync_parse(sync_s) : KL_STORE_SYNC_FULL;
        kl_autofree char *dir = NULL, *dir2 = NULL;
        kl_usec_t *lat;
        double rate, rate_backlog, cycle_rate, decide_rate, live_span, events_after;
        unsigned events;
        kl_usec_t cpu_loop, cpu_proc;
        struct kl_scheduler_stats live;
        size_t n;

        /* As `kube-lite server` sets it: the store's writes run on libuv's pool. */
        if (!getenv("UV_THREADPOOL_SIZE"))
                (void)setenv("UV_THREADPOOL_SIZE", "8", 1);
        kl_log_set_level(KL_LOG_ERROR);
        if ((int)sync < 0)
                die("KL_BENCH_SYNC", "expected full or relaxed");
        b.n_nodes = env_uint("KL_BENCH_NODES", 1000);
        b.n_pods = env_uint("KL_BENCH_PODS", 10000);
        b.inflight = env_uint("KL_BENCH_INFLIGHT", 128);
        if (b.n_pods == 0 || b.n_nodes == 0 || b.inflight == 0)
                die("settings", "nodes, pods and in-flight must be positive");
        b.t_created = kl_calloc(b.n_pods, sizeof(*b.t_created));
        b.t_bound = kl_calloc(b.n_pods, sizeof(*b.t_bound));
        dir = kl_asprintf("%s/scheduler-live-XXXXXX", scratch ? scratch : "/tmp");
        dir2 = kl_asprintf("%s/scheduler-backlog-XXXXXX", scratch ? scratch : "/tmp");
        if (!mkdtemp(dir) || !mkdtemp(dir2))
                die("mkdtemp", strerror(errno));

        run(&b, dir, sync, false);
        rm_rf(dir);
        live_span = (double)(b.t_last_bound - b.t_first_enqueued) / 1e6;
        rate = b.n_pods / live_span;
        live = b.stats;
        cpu_loop = b.cpu_loop;
        cpu_proc = b.cpu_proc;
        events = b.events;
        events_after = b.t_last_event > b.t_last_bound ? ms(b.t_last_event - b.t_last_bound) : 0;
        lat = kl_calloc(b.n_pods, sizeof(*lat));
        for (n = 0; n < b.n_pods; n++)
                lat[n] = b.t_bound[n] > b.t_created[n] ? b.t_bound[n] - b.t_created[n] : 0;
        qsort(lat, n, sizeof(*lat), cmp_usec);

        run(&b, dir2, sync, true);
        rm_rf(dir2);
        rate_backlog = b.n_pods / ((double)(b.t_last_bound - b.t_first_enqueued) / 1e6);
        decide_rate = b.stats.cycle_usec > b.stats.bind_usec
                              ? (double)b.stats.attempts /
                                        ((double)(b.stats.cycle_usec - b.stats.bind_usec) / 1e6)
                              : 0;
        cycle_rate = b.stats.cycle_usec
                             ? (double)b.stats.attempts / ((double)b.stats.cycle_usec / 1e6)
                             : 0;

        printf("scheduler: %u fake nodes, %u pods (100m, 128Mi) created through the in-process "
               "client, %u creates in flight, store sync=%s, UV_THREADPOOL_SIZE=%s\n",
               b.n_nodes, b.n_pods, b.inflight, kl_store_sync_name(sync),
               getenv("UV_THREADPOOL_SIZE"));
        printf("  %-40s %9.0f pods/s   goal >= 5,000/s\n", "first pod enqueued -> last bound",
               rate);
        printf("  %-40s p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", "creation acked -> binding acked",
               ms(lat[n / 2]), ms(lat[n * 99 / 100]), ms(lat[n - 1]));
        printf("  %-40s %9.0f pods/s   (all %u pods stored before the scheduler starts)\n",
               "backlog: start -> last bound", rate_backlog, b.n_pods);
        printf("  %-40s %9.0f pods/s   (%.1f us per pod; %llu attempts)\n",
               "scheduling cycles alone (backlog run)", cycle_rate,
               cycle_rate > 0 ? 1e6 / cycle_rate : 0.0, (unsigned long long)b.stats.attempts);
        printf("  %-40s %9.0f pods/s   (%.1f us per pod: filters, scores, assume)\n",
               "  of which deciding", decide_rate, decide_rate > 0 ? 1e6 / decide_rate : 0.0);
        printf("  %-40s %9.0f writes/s (create and binding per pod; %llu attempts)\n",
               "API writes during the live run", 2.0 * b.n_pods / live_span,
               (unsigned long long)live.attempts);
        printf("  %-40s %9.1f us per pod (busy %.0f%% of the span); process: %.1f us per pod\n",
               "CPU during the live run: loop thread", (double)cpu_loop / b.n_pods,
               100.0 * (double)cpu_loop / 1e6 / live_span, (double)cpu_proc / b.n_pods);
        if (events == b.n_pods)
                printf("  %-40s %9.0f ms after the last binding (they yield to bindings)\n",
                       "Scheduled events: all stored", events_after);
        else
                printf("  %-40s %u of %u stored within 120 s of the last binding\n",
                       "Scheduled events:", events, b.n_pods);
        printf("  %-40s %9d pods/s   published figure, not measured\n",
               "reference: upstream scheduler_perf", 100);
        printf("  %-40s %9d pods/s   published figure, not measured\n",
               "reference: Nomad placements", 1500);
        free(lat);
        free(b.t_created);
        free(b.t_bound);
        return 0;
}
