/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the scheduler's unit tests: pods and nodes from small JSON
 * fragments merged into a minimal object, a cache to put them in, and the
 * reasons a node was refused as upstream's strings.
 */
#ifndef KL_SCHEDULER_TESTS_SCHED_TEST_H
#define KL_SCHEDULER_TESTS_SCHED_TEST_H

#include <string.h>

#include <criterion/criterion.h>

#include "scheduler/sched-internal.h"

static inline json_t *test_json(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text ? text : "{}", 0, &e);

        cr_assert(v, "bad test JSON '%s': %s", text, e.text);
        return v;
}

/* A pod "default/<name>" with one container, `extra` merged in (objects recursively). */
static inline json_t *test_pod_json(const char *name, const char *extra)
{
        json_t *p = json_pack("{sssss{ssss}s{s[{ssss}]}}", "apiVersion", "v1", "kind", "Pod",
                              "metadata", "name", name, "namespace", "default", "spec",
                              "containers", "name", "c", "image", "busybox");
        json_t *x = test_json(extra);

        cr_assert_eq(json_object_update_recursive(p, x), 0);
        json_decref(x);
        return p;
}

static inline struct kl_scheduler_pod *test_pod(const char *name, const char *extra)
{
        json_t *j = test_pod_json(name, extra);
        struct kl_scheduler_pod *p = NULL;
        struct kl_err *e = NULL;

        cr_assert_eq(kl_scheduler__pod_parse(j, &p, &e), 0, "pod %s: %s", name, kl_err_msg(e));
        json_decref(j);
        return p;
}

/* A Ready node with 4 CPUs, 8Gi, 100Gi of ephemeral storage, 110 pods, `extra` merged in. */
static inline json_t *test_node_json(const char *name, const char *extra)
{
        json_t *n = json_pack("{sssss{sss{ss}}s{s{ssssssss}s[{ssss}]}}", "apiVersion", "v1", "kind",
                              "Node", "metadata", "name", name, "labels", "kubernetes.io/hostname",
                              name, "status", "allocatable", "cpu", "4", "memory", "8Gi",
                              "ephemeral-storage", "100Gi", "pods", "110", "conditions", "type",
                              "Ready", "status", "True");
        json_t *x = test_json(extra);

        cr_assert_eq(json_object_update_recursive(n, x), 0);
        json_decref(x);
        return n;
}

static inline void test_add_node(struct kl_scheduler_cache *c, const char *name, const char *extra)
{
        json_t *j = test_node_json(name, extra);
        struct kl_err *e = NULL;

        cr_assert_eq(kl_scheduler__cache_node_set(c, j, &e), 0, "node %s: %s", name, kl_err_msg(e));
        json_decref(j);
}

/* A pod running on `node` (registered and counted in the cache). */
static inline struct kl_scheduler_pod *test_add_pod(struct kl_scheduler_cache *c, const char *name,
                                                    const char *node, const char *extra)
{
        struct kl_scheduler_pod *p = test_pod(name, extra);

        p->node_name = kl_strdup(node);
        kl_strmap_put(&c->pods, p->key, p);
        kl_scheduler__cache_assign(c, p, node);
        return p;
}

/* The reasons of `st` joined with "; ", "" when it passed. Owned. */
static inline char *test_reasons(const struct kl_scheduler_status *st,
                                 const struct kl_scheduler_pod *p)
{
        char **v = NULL;
        struct kl_buf b = KL_BUF_INIT;

        kl_scheduler__status_reasons(st, p, &v);
        for (size_t i = 0; v && v[i]; i++)
                (void)kl_buf_printf(&b, "%s%s", i ? "; " : "", v[i]);
        kl_strv_free(v);
        return kl_buf_detach(&b, NULL);
}

/* Run every filter for `p` against node `name` of `c`; the reasons ("" when it fits). */
static inline char *test_filter(struct kl_scheduler_cache *c, const struct kl_scheduler_pod *p,
                                const char *name, bool *ret_unresolvable)
{
        struct kl_scheduler_node *n = kl_scheduler__cache_node(c, name);
        struct kl_scheduler_cycle cy;
        struct kl_scheduler_status st;
        bool ok;

        cr_assert(n, "no node %s", name);
        kl_scheduler__cycle_init(&cy, c, p, NULL, NULL);
        ok = kl_scheduler__filter(&cy, n, &st);
        kl_scheduler__cycle_release(&cy);
        cr_assert_eq(ok, st.reasons == 0);
        if (ret_unresolvable)
                *ret_unresolvable = st.unresolvable;
        return test_reasons(&st, p);
}

#endif
