/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler's cache (upstream's internal/cache): nodes with what their
 * pods request, kept current by the informers and by the scheduler itself.
 * A pod is counted on its node as soon as the scheduler chooses the node
 * (assumed), before the binding is written, so the next pod already sees the
 * capacity taken; a failed binding un-counts it. A pod the informer reports
 * on a node the cache does not know yet is counted on a "ghost" node, which
 * becomes a real one when the Node arrives and is not offered to pods until
 * then.
 *
 * Pods that have finished (Succeeded, Failed) are not counted: their
 * containers are gone and the kubelet has given their resources back.
 */
#include <string.h>

#include "scheduler/sched-internal.h"

struct kl_scheduler_node *kl_scheduler__cache_node(const struct kl_scheduler_cache *c,
                                                   const char *name)
{
        return kl_strmap_get(&c->nodes, name);
}

static void list_add(struct kl_scheduler_cache *c, struct kl_scheduler_node *n)
{
        if (c->n_list == c->cap_list) {
                c->cap_list = c->cap_list ? c->cap_list * 2 : 64;
                c->list = kl_realloc(c->list, c->cap_list * sizeof(*c->list));
        }
        n->idx = c->n_list;
        c->list[c->n_list++] = n;
}

static void list_del(struct kl_scheduler_cache *c, struct kl_scheduler_node *n)
{
        if (n->idx == SIZE_MAX)
                return;
        c->list[n->idx] = c->list[--c->n_list];
        c->list[n->idx]->idx = n->idx;
        n->idx = SIZE_MAX;
}

/* Move what `old` counts (pods, requested) to `n`, which replaces it. */
static void take_pods(struct kl_scheduler_node *n, struct kl_scheduler_node *old)
{
        n->pods = old->pods;
        n->n_pods = old->n_pods;
        n->cap_pods = old->cap_pods;
        n->n_port_pods = old->n_port_pods;
        n->requested = old->requested;
        n->nz_milli_cpu = old->nz_milli_cpu;
        n->nz_memory = old->nz_memory;
        n->generation = old->generation + 1;
        old->pods = NULL;
        old->n_pods = old->cap_pods = 0;
        old->requested = (struct kl_scheduler_res){ 0 };
        for (size_t i = 0; i < n->n_pods; i++)
                n->pods[i]->node = n;
}

int kl_scheduler__cache_node_set(struct kl_scheduler_cache *c, const json_t *obj,
                                 struct kl_err **err)
{
        struct kl_scheduler_node *n = NULL, *old;
        int r = kl_scheduler__node_parse(obj, &n, err);

        if (r < 0)
                return r;
        old = kl_strmap_get(&c->nodes, n->name);
        if (old) {
                take_pods(n, old);
                if (old->idx != SIZE_MAX) {
                        n->idx = old->idx;
                        c->list[n->idx] = n;
                        old->idx = SIZE_MAX;
                }
                (void)kl_strmap_remove(&c->nodes, old->name);
                kl_scheduler__node_free(old);
        }
        kl_strmap_put(&c->nodes, n->name, n);
        if (n->idx == SIZE_MAX)
                list_add(c, n);
        return 0;
}

void kl_scheduler__cache_node_del(struct kl_scheduler_cache *c, const char *name)
{
        struct kl_scheduler_node *n = kl_strmap_get(&c->nodes, name);

        if (!n)
                return;
        list_del(c, n);
        if (n->n_pods > 0) {
                /* Its pods are still counted until they go: it stays as a ghost. */
                json_decref(n->obj);
                n->obj = NULL;
                n->labels = NULL;
                n->generation++;
                return;
        }
        (void)kl_strmap_remove(&c->nodes, name);
        kl_scheduler__node_free(n);
}

static void scalars_add(struct kl_scheduler_res *dst, const struct kl_scheduler_res *src, int sign)
{
        for (size_t i = 0; i < src->n_scalars; i++) {
                size_t j;

                for (j = 0; j < dst->n_scalars; j++)
                        if (strcmp(dst->scalars[j].name, src->scalars[i].name) == 0)
                                break;
                if (j == dst->n_scalars) {
                        dst->scalars = kl_realloc(dst->scalars,
                                                  (dst->n_scalars + 1) * sizeof(*dst->scalars));
                        dst->scalars[j] = (struct kl_scheduler_scalar){
                                .name = kl_strdup(src->scalars[i].name),
                        };
                        dst->n_scalars++;
                }
                dst->scalars[j].value += sign * src->scalars[i].value;
        }
}

static void count(struct kl_scheduler_node *n, const struct kl_scheduler_pod *p, int sign)
{
        n->requested.milli_cpu += sign * p->req.milli_cpu;
        n->requested.memory += sign * p->req.memory;
        n->requested.ephemeral += sign * p->req.ephemeral;
        n->requested.pods += sign;
        if (p->req.n_scalars)
                scalars_add(&n->requested, &p->req, sign);
        n->nz_milli_cpu += sign * p->nz_milli_cpu;
        n->nz_memory += sign * p->nz_memory;
        if (p->n_ports)
                n->n_port_pods = (size_t)((int64_t)n->n_port_pods + sign);
        n->generation++;
}

static void anti_add(struct kl_scheduler_cache *c, struct kl_scheduler_pod *p)
{
        if (p->n_affinity || p->n_anti)
                c->n_affinity_pods++;
        if (!p->n_anti)
                return;
        if (c->n_anti == c->cap_anti) {
                c->cap_anti = c->cap_anti ? c->cap_anti * 2 : 16;
                c->anti = kl_realloc(c->anti, c->cap_anti * sizeof(*c->anti));
        }
        p->anti_idx = c->n_anti;
        c->anti[c->n_anti++] = p;
}

static void anti_del(struct kl_scheduler_cache *c, struct kl_scheduler_pod *p)
{
        if (p->n_affinity || p->n_anti)
                c->n_affinity_pods--;
        if (!p->n_anti)
                return;
        c->anti[p->anti_idx] = c->anti[--c->n_anti];
        c->anti[p->anti_idx]->anti_idx = p->anti_idx;
}

void kl_scheduler__cache_assign(struct kl_scheduler_cache *c, struct kl_scheduler_pod *p,
                                const char *name)
{
        struct kl_scheduler_node *n = kl_strmap_get(&c->nodes, name);

        kl_assert(!p->node);
        if (!n) {
                n = kl_new0(struct kl_scheduler_node);
                n->name = kl_strdup(name);
                n->idx = SIZE_MAX;
                kl_strmap_put(&c->nodes, n->name, n);
        }
        if (n->n_pods == n->cap_pods) {
                n->cap_pods = n->cap_pods ? n->cap_pods * 2 : 8;
                n->pods = kl_realloc(n->pods, n->cap_pods * sizeof(*n->pods));
        }
        p->node = n;
        p->node_idx = n->n_pods;
        n->pods[n->n_pods++] = p;
        count(n, p, 1);
        anti_add(c, p);
}

void kl_scheduler__cache_unassign(struct kl_scheduler_cache *c, struct kl_scheduler_pod *p)
{
        struct kl_scheduler_node *n = p->node;

        if (!n)
                return;
        n->pods[p->node_idx] = n->pods[--n->n_pods];
        n->pods[p->node_idx]->node_idx = p->node_idx;
        count(n, p, -1);
        anti_del(c, p);
        p->node = NULL;
        p->assumed = false;
        if (!n->obj && n->n_pods == 0) {
                (void)kl_strmap_remove(&c->nodes, n->name);
                kl_scheduler__node_free(n);
        }
}

void kl_scheduler__cache_release(struct kl_scheduler_cache *c)
{
        void *v;

        for (size_t i = 0; kl_strmap_next(&c->pods, &i, &v);)
                kl_scheduler__pod_free(v);
        for (size_t i = 0; kl_strmap_next(&c->nodes, &i, &v);)
                kl_scheduler__node_free(v);
        kl_strmap_release(&c->pods);
        kl_strmap_release(&c->nodes);
        free(c->list);
        free(c->anti);
        *c = (struct kl_scheduler_cache){ 0 };
}

struct kl_scheduler_node *kl_scheduler__node_without_lower(const struct kl_scheduler_node *n,
                                                           int32_t priority, size_t *ret_removed)
{
        struct kl_scheduler_node *t = kl_new0(struct kl_scheduler_node);
        size_t removed = 0;

        t->name = kl_strdup(n->name);
        t->obj = json_incref(n->obj);
        t->labels = n->labels;
        t->idx = SIZE_MAX;
        t->unschedulable = n->unschedulable;
        t->has_prefer_taint = n->has_prefer_taint;
        t->alloc = n->alloc;
        t->alloc.scalars = kl_calloc(n->alloc.n_scalars + 1, sizeof(*t->alloc.scalars));
        for (size_t i = 0; i < n->alloc.n_scalars; i++)
                t->alloc.scalars[i] = (struct kl_scheduler_scalar){
                        .name = kl_strdup(n->alloc.scalars[i].name),
                        .value = n->alloc.scalars[i].value,
                };
        t->taints = kl_calloc(n->n_taints + 1, sizeof(*t->taints));
        for (size_t i = 0; i < n->n_taints; i++)
                t->taints[i] = (struct kl_scheduler_taint){
                        .key = kl_strdup(n->taints[i].key),
                        .value = kl_strdup(n->taints[i].value),
                        .effect = n->taints[i].effect,
                };
        t->n_taints = n->n_taints;
        t->pods = kl_calloc(n->n_pods + 1, sizeof(*t->pods));
        t->cap_pods = n->n_pods + 1;
        for (size_t i = 0; i < n->n_pods; i++) {
                if (n->pods[i]->priority < priority) {
                        removed++;
                        continue;
                }
                t->pods[t->n_pods++] = n->pods[i];
                count(t, n->pods[i], 1);
        }
        *ret_removed = removed;
        return t;
}
