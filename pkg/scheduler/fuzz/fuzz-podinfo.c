/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pods and nodes as the scheduler reads them from the API (JSON objects that
 * passed validation, but the scheduler must not trust that): the input is
 * read both as a Pod and as a Node. Whatever parses goes through the cache
 * and every filter and score against fixed nodes and a fixed pod, and the
 * FailedScheduling message is built; counting a pod on a node and taking it
 * off again must leave the node's requested resources at zero. Whatever is
 * refused must come with a message.
 */
#include <string.h>

#include "base/base.h"
#include "scheduler/sched-internal.h"
#include "testing/fuzz.h"
#include "json/json.h"

static const char *const fixed_nodes[] = {
        "{\"metadata\":{\"name\":\"a\",\"labels\":{\"kubernetes.io/hostname\":\"a\",\"zone\":\"x\"}},"
        "\"status\":{\"allocatable\":{\"cpu\":\"4\",\"memory\":\"8Gi\",\"pods\":\"110\"},"
        "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
        "{\"metadata\":{\"name\":\"b\",\"labels\":{\"zone\":\"y\"}},\"spec\":{\"unschedulable\":true,"
        "\"taints\":[{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoSchedule\"},{\"key\":\"p\","
        "\"effect\":\"PreferNoSchedule\"}]},\"status\":{\"allocatable\":{\"cpu\":\"1\","
        "\"example.com/dev\":\"1\",\"pods\":\"1\"}}}",
};

static const char *const fixed_pod =
        "{\"metadata\":{\"name\":\"f\",\"namespace\":\"default\",\"labels\":{\"app\":\"f\"}},"
        "\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":{\"requests\":{\"cpu\":\"1\"}},"
        "\"ports\":[{\"containerPort\":1,\"hostPort\":80}]}],\"topologySpreadConstraints\":"
        "[{\"maxSkew\":1,\"topologyKey\":\"zone\",\"whenUnsatisfiable\":\"ScheduleAnyway\","
        "\"labelSelector\":{\"matchLabels\":{\"app\":\"f\"}}}],\"affinity\":{\"podAntiAffinity\":"
        "{\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{},"
        "\"topologyKey\":\"zone\"}]}}}}";

static void try_pod(struct kl_scheduler_cache *c, struct kl_scheduler_pod *p)
{
        struct kl_scheduler_cycle cy;
        struct kl_scheduler_diagnosis d = { .n_all = c->n_list };
        struct kl_scheduler_node *feasible[8];
        int64_t scores[8];
        size_t nf = 0;
        uint64_t rng = 1;
        bool fit;
        char *pre, *msg;

        kl_scheduler__cycle_init(&cy, c, p, NULL, NULL);
        for (size_t i = 0; i < c->n_list && i < KL_ARRAY_SIZE(feasible); i++) {
                struct kl_scheduler_status st;

                if (kl_scheduler__filter(&cy, c->list[i], &st))
                        feasible[nf++] = c->list[i];
                else
                        kl_scheduler__diag_add(&d, &st);
        }
        if (nf > 0) {
                kl_scheduler__score_all(&cy, feasible, nf, scores);
                if (kl_scheduler__select_host(scores, nf, &rng) >= nf)
                        __builtin_trap();
        }
        pre = kl_scheduler__preemption_message(&cy, &d, &fit);
        msg = kl_scheduler__fit_message(&d, p, pre);
        if (strncmp(msg, "0/", 2) != 0)
                __builtin_trap();
        free(pre);
        free(msg);
        kl_scheduler__diag_release(&d);
        kl_scheduler__cycle_release(&cy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct kl_scheduler_cache c = { 0 };
        json_t *obj = NULL, *fixed = NULL;
        struct kl_scheduler_pod *p = NULL, *fp = NULL;
        struct kl_err *e = NULL;
        int r;

        if (kl_json_decode((const char *)data, size, 1 << 16, &obj, NULL) < 0)
                return 0;
        for (size_t i = 0; i < KL_ARRAY_SIZE(fixed_nodes); i++) {
                json_t *n = json_loads(fixed_nodes[i], 0, NULL);

                if (kl_scheduler__cache_node_set(&c, n, NULL) < 0)
                        __builtin_trap();
                json_decref(n);
        }
        /* As a node: added beside the fixed ones, then the fixed pod tried everywhere. */
        r = kl_scheduler__cache_node_set(&c, obj, &e);
        if (r < 0 && (!e || !*kl_err_msg(e)))
                __builtin_trap();
        kl_err_free(KL_TAKE_PTR(e));
        fixed = json_loads(fixed_pod, 0, NULL);
        if (kl_scheduler__pod_parse(fixed, &fp, NULL) < 0)
                __builtin_trap();
        try_pod(&c, fp);

        /* As a pod: tried, then counted on every node and taken off again. */
        r = kl_scheduler__pod_parse(obj, &p, &e);
        if (r < 0 && (!e || !*kl_err_msg(e)))
                __builtin_trap();
        kl_err_free(KL_TAKE_PTR(e));
        if (p) {
                try_pod(&c, p);
                for (size_t i = 0; i < c.n_list; i++) {
                        struct kl_scheduler_node *n = c.list[i];
                        int64_t cpu = n->requested.milli_cpu, mem = n->requested.memory;

                        kl_scheduler__cache_assign(&c, p, n->name);
                        try_pod(&c, fp);
                        kl_scheduler__cache_unassign(&c, p);
                        if (n->requested.milli_cpu != cpu || n->requested.memory != mem ||
                            n->requested.pods != 0)
                                __builtin_trap();
                }
                kl_scheduler__pod_free(p);
        }
        kl_scheduler__pod_free(fp);
        json_decref(fixed);
        json_decref(obj);
        kl_scheduler__cache_release(&c);
        return 0;
}
