/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A Deployment scaled from 0 to 1,000 replicas (issue 5, Acceptance): the
 * time until all 1,000 pods exist and until all are bound, with the
 * Deployment and ReplicaSet controllers and the scheduler running in-process
 * on a real API server (full durability, fresh data directory), as in
 * `kube-lite server`.
 *
 * The reference, measured in the same run on the same server: 1,000 pods
 * created directly through the client (64 writes in flight) and bound by the
 * same scheduler. The ratio says what the controllers add on top of the
 * API's own write rate.
 *
 *   KL_BENCH_DIR   scratch directory (scripts/bench.sh sets it)
 *   KL_BENCH_PODS  replicas (default 1000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "api/patch.h"
#include "apiserver/apiserver.h"
#include "base/base.h"
#include "client/client.h"
#include "controllers/controllers.h"
#include "loop/loop.h"
#include "scheduler/scheduler.h"

#define NODES     20 /* 110 pods each: room for both runs */
#define IN_FLIGHT 64

struct bench {
        uv_loop_t loop;
        struct kl_apiserver *api;
        struct kl_client *client;
        unsigned pods;
        /* Counting, per namespace being measured. */
        const char *ns;
        unsigned created, bound, failed;
        kl_usec_t t0, t_created, t_bound;
        unsigned issued, done; /* direct creates */
};

static const struct kl_api_resource *res(const char *group, const char *version, const char *plural)
{
        const struct kl_api_resource *r = kl_api_resource_find(group, version, plural);

        kl_assert(r);
        return r;
}

static void on_bound(void *arg, const char *ns, const char *name, const char *node, int r)
{
        struct bench *b = arg;

        (void)name;
        (void)node;
        if (!b->ns || !kl_streq(ns, b->ns))
                return;
        if (r < 0) {
                b->failed++;
                return;
        }
        if (++b->bound == b->pods)
                b->t_bound = kl_now_monotonic();
}

static void on_pod_event(struct kl_client_watch *w, enum kl_client_event_type t, const json_t *obj,
                         void *arg)
{
        struct bench *b = arg;

        (void)w;
        (void)obj;
        if (t == KL_CLIENT_EVENT_ADDED && ++b->created == b->pods)
                b->t_created = kl_now_monotonic();
}

/* A write the bench cannot go on without: a failure ends it (there is nothing to measure). */
static void on_setup_write(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        unsigned *left = arg;

        (void)obj;
        if (r < 0) {
                fprintf(stderr, "bench-controllers: setup write: %s\n",
                        err ? kl_err_msg(err) : strerror(-r));
                abort();
        }
        (*left)--;
}

static void write_all(struct bench *b, unsigned n, json_t *(*make)(unsigned i),
                      const struct kl_api_resource *r, const char *ns)
{
        unsigned left = n;

        for (unsigned i = 0; i < n; i++)
                kl_client_create(b->client, r, ns, make(i), NULL, on_setup_write, &left);
        while (left > 0)
                (void)kl_loop_run(&b->loop, UV_RUN_ONCE);
}

static json_t *make_node(unsigned i)
{
        json_t *node = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind", "Node",
                                 "metadata", "name", "");

        json_object_set_new(json_object_get(node, "metadata"), "name",
                            json_sprintf("bench-node-%u", i));
        return node;
}

static json_t *make_namespace(unsigned i)
{
        static const char *const names[] = { "direct", "deploy" };

        return json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind", "Namespace", "metadata",
                         "name", names[i]);
}

/* Nodes/status is a subresource: the Ready condition and capacity go in a second write. */
static void ready_nodes(struct bench *b)
{
        unsigned left = NODES;

        for (unsigned i = 0; i < NODES; i++) {
                kl_autofree char *name = kl_asprintf("bench-node-%u", i);
                json_t *patch =
                        json_pack("{s:{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:[{s:s, s:s}]}}",
                                  "status", "capacity", "cpu", "64", "memory", "256Gi", "pods",
                                  "110", "allocatable", "cpu", "64", "memory", "256Gi", "pods",
                                  "110", "conditions", "type", "Ready", "status", "True");

                kl_client_patch(b->client, res("", "v1", "nodes"), NULL, name, "status",
                                KL_API_PATCH_MERGE, patch, NULL, on_setup_write, &left);
        }
        while (left > 0)
                (void)kl_loop_run(&b->loop, UV_RUN_ONCE);
}

static json_t *pod(unsigned i)
{
        json_t *p =
                json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:{s:[{s:s, s:s}]}}", "apiVersion", "v1",
                          "kind", "Pod", "metadata", "name", "", "labels", "app", "direct", "spec",
                          "containers", "name", "c", "image", "registry.local/pause");

        json_object_set_new(json_object_get(p, "metadata"), "name", json_sprintf("direct-%u", i));
        return p;
}

static void on_direct(void *arg, int r, const json_t *obj, const struct kl_err *err);

static void issue_direct(struct bench *b)
{
        while (b->issued < b->pods && b->issued - b->done < IN_FLIGHT)
                kl_client_create(b->client, res("", "v1", "pods"), "direct", pod(b->issued++), NULL,
                                 on_direct, b);
}

static void on_direct(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct bench *b = arg;

        (void)obj;
        if (r < 0) {
                fprintf(stderr, "bench-controllers: create: %s\n",
                        err ? kl_err_msg(err) : strerror(-r));
                abort();
        }
        b->done++;
        if (++b->created == b->pods)
                b->t_created = kl_now_monotonic();
        issue_direct(b);
}

static void measure_start(struct bench *b, const char *ns)
{
        b->ns = ns;
        b->created = b->bound = b->failed = 0;
        b->t_created = b->t_bound = 0;
        b->t0 = kl_now_monotonic();
}

static void wait_bound(struct bench *b)
{
        while (b->bound < b->pods)
                (void)kl_loop_run(&b->loop, UV_RUN_ONCE);
}

static double sec(kl_usec_t a, kl_usec_t b)
{
        return (double)(b - a) / (double)KL_USEC_PER_SEC;
}

static void on_closed(void *arg)
{
        *(bool *)arg = true;
}

int main(void)
{
        const char *scratch = getenv("KL_BENCH_DIR");
        const char *pods_env = getenv("KL_BENCH_PODS");
        static const char *const enabled[] = { "deployment", "replicaset", NULL };
        struct kl_controllers_options co = { .enabled = enabled };
        struct kl_scheduler_options so = { .on_bound = on_bound };
        struct kl_apiserver_options ao = { 0 };
        struct kl_controllers *ctrl = NULL;
        struct kl_scheduler *sched = NULL;
        struct kl_client *sched_client, *ctrl_client;
        struct kl_client_watch *w = NULL;
        struct kl_client_list_opts wo = { .resource_version = "0" };
        kl_autoerr struct kl_err *err = NULL;
        kl_autofree char *dir = NULL;
        struct bench b = { .pods = 1000 };
        double direct_created, direct_bound, deploy_created, deploy_bound;
        bool closed = false;
        json_t *deployment;
        unsigned left = 1;
        uint64_t v;

        if (pods_env && kl_parse_uint64(pods_env, &v) == 0 && v > 0 && v <= (uint64_t)NODES * 55)
                b.pods = (unsigned)v;
        dir = kl_asprintf("%s/controllers-XXXXXX", scratch ? scratch : "/tmp");
        if (!mkdtemp(dir)) {
                perror("bench-controllers: mkdtemp");
                return 1;
        }
        if (!getenv("UV_THREADPOOL_SIZE"))
                (void)setenv("UV_THREADPOOL_SIZE", "8", 1);
        kl_log_set_level(KL_LOG_WARN);

        kl_assert(kl_loop_init(&b.loop) == 0);
        ao.data_dir = dir;
        ao.bind_address = "127.0.0.1";
        if (kl_apiserver_new(&b.loop, &ao, &b.api, &err) < 0) {
                fprintf(stderr, "bench-controllers: %s\n", kl_err_msg(err));
                return 1;
        }
        b.client = kl_apiserver_client_new(b.api, "bench");
        write_all(&b, NODES, make_node, res("", "v1", "nodes"), NULL);
        ready_nodes(&b);
        write_all(&b, 2, make_namespace, res("", "v1", "namespaces"), NULL);

        so.arg = &b;
        sched_client = kl_apiserver_client_new(b.api, "system:kube-scheduler");
        ctrl_client = kl_apiserver_client_new(b.api, "system:kube-controller-manager");
        if (kl_scheduler_start(sched_client, &so, &sched, &err) < 0 ||
            kl_controllers_start(ctrl_client, &co, &ctrl, &err) < 0) {
                fprintf(stderr, "bench-controllers: %s\n", kl_err_msg(err));
                return 1;
        }

        /* The reference: the pods written directly. */
        measure_start(&b, "direct");
        issue_direct(&b);
        wait_bound(&b);
        direct_created = sec(b.t0, b.t_created);
        direct_bound = sec(b.t0, b.t_bound);

        /* The Deployment at 0, then scaled to the full count. */
        deployment = json_pack("{s:s, s:s, s:{s:s}, s:{s:i, s:{s:{s:s}}, s:{s:{s:{s:s}}, "
                               "s:{s:[{s:s, s:s}]}}}}",
                               "apiVersion", "apps/v1", "kind", "Deployment", "metadata", "name",
                               "web", "spec", "replicas", 0, "selector", "matchLabels", "app",
                               "web", "template", "metadata", "labels", "app", "web", "spec",
                               "containers", "name", "c", "image", "registry.local/pause");
        kl_client_create(b.client, res("apps", "v1", "deployments"), "deploy", deployment, NULL,
                         on_setup_write, &left);
        while (left > 0)
                (void)kl_loop_run(&b.loop, UV_RUN_ONCE);
        if (kl_client_watch_start(b.client, res("", "v1", "pods"), "deploy", &wo, on_pod_event, &b,
                                  &w, &err) < 0) {
                fprintf(stderr, "bench-controllers: %s\n", kl_err_msg(err));
                return 1;
        }
        /* Let the controllers settle on the empty Deployment first. */
        for (kl_usec_t until = kl_now_monotonic() + KL_USEC_PER_SEC; kl_now_monotonic() < until;)
                (void)kl_loop_run(&b.loop, UV_RUN_NOWAIT);

        measure_start(&b, "deploy");
        left = 1;
        kl_client_patch(b.client, res("apps", "v1", "deployments"), "deploy", "web", "scale",
                        KL_API_PATCH_MERGE, json_pack("{s:{s:i}}", "spec", "replicas", (int)b.pods),
                        NULL, on_setup_write, &left);
        wait_bound(&b);
        while (b.created < b.pods)
                (void)kl_loop_run(&b.loop, UV_RUN_ONCE);
        deploy_created = sec(b.t0, b.t_created);
        deploy_bound = sec(b.t0, b.t_bound);

        printf("  Deployment scaled 0 -> %u replicas (%d nodes; deployment + replicaset "
               "controllers, scheduler, store with fsync)\n",
               b.pods, NODES);
        printf("  %-40s %8.2f s   %8.0f pods/s\n", "all pods exist", deploy_created,
               b.pods / deploy_created);
        printf("  %-40s %8.2f s   %8.0f pods/s\n", "all pods bound", deploy_bound,
               b.pods / deploy_bound);
        printf("  reference, same run: %u pods created directly (%d in flight), same scheduler\n",
               b.pods, IN_FLIGHT);
        printf("  %-40s %8.2f s   %8.0f pods/s\n", "all pods exist", direct_created,
               b.pods / direct_created);
        printf("  %-40s %8.2f s   %8.0f pods/s\n", "all pods bound", direct_bound,
               b.pods / direct_bound);
        printf("  ratio (reference time / Deployment time), bound: %.2f\n",
               direct_bound / deploy_bound);

        kl_client_watch_stop(b.client, w);
        kl_scheduler_free(sched);
        kl_controllers_free(ctrl);
        kl_client_free(sched_client);
        kl_client_free(ctrl_client);
        kl_client_free(b.client);
        /* The server closes asynchronously: kl_loop_finish() is for what is left after. */
        kl_apiserver_close(b.api, 0, on_closed, &closed);
        while (!closed)
                (void)kl_loop_run(&b.loop, UV_RUN_ONCE);
        if (kl_loop_finish(&b.loop) != 0)
                fprintf(stderr, "bench-controllers: handles left open at the end\n");
        return 0;
}
