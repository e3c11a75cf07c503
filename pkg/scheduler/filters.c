/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The filter plugins, in upstream's order (v1.32 default profile):
 * NodeUnschedulable, TaintToleration, NodeAffinity, NodePorts,
 * NodeResourcesFit, PodTopologySpread, InterPodAffinity. As in upstream's
 * framework a node is refused by the first plugin that fails, so each node
 * contributes one plugin's reasons to the FailedScheduling message.
 * (NodeName is not needed: pods with spec.nodeName never reach the queue.)
 *
 * What needs the whole cluster (spread counts per topology domain, where
 * pods matching an affinity term run) is computed once per pod by
 * kl_scheduler__cycle_init(), upstream's PreFilter; the per-node filters then
 * only look things up. None of this touches JSON except node labels.
 */
#include <string.h>

#include "scheduler/sched-internal.h"

#define R(x) (1U << (KL_SCHEDULER_R_##x))

static const struct kl_scheduler_taint unschedulable_taint = {
        .key = (char *)"node.kubernetes.io/unschedulable",
        .value = (char *)"",
        .effect = KL_SCHEDULER_EFFECT_NO_SCHEDULE,
};

static bool fail(struct kl_scheduler_status *st, uint32_t reasons, bool unresolvable)
{
        st->reasons |= reasons;
        st->unresolvable = unresolvable;
        return false;
}

bool kl_scheduler__filter_unschedulable(const struct kl_scheduler_pod *p,
                                        const struct kl_scheduler_node *n,
                                        struct kl_scheduler_status *st)
{
        if (!n->unschedulable || kl_scheduler__tolerates(p->tols, p->n_tols, &unschedulable_taint))
                return true;
        return fail(st, R(UNSCHEDULABLE), true);
}

bool kl_scheduler__filter_taints(const struct kl_scheduler_pod *p,
                                 const struct kl_scheduler_node *n, struct kl_scheduler_status *st)
{
        for (size_t i = 0; i < n->n_taints; i++) {
                const struct kl_scheduler_taint *t = &n->taints[i];

                if (t->effect != KL_SCHEDULER_EFFECT_NO_SCHEDULE &&
                    t->effect != KL_SCHEDULER_EFFECT_NO_EXECUTE)
                        continue;
                if (!kl_scheduler__tolerates(p->tols, p->n_tols, t)) {
                        st->taint = t;
                        return fail(st, R(TAINT), true);
                }
        }
        return true;
}

bool kl_scheduler__node_affinity_matches(const struct kl_scheduler_pod *p,
                                         const struct kl_scheduler_node *n)
{
        for (size_t i = 0; i < p->n_node_selector; i++) {
                const char *v =
                        json_string_value(json_object_get(n->labels, p->node_selector[i].key));

                if (!v || strcmp(v, p->node_selector[i].values[0]) != 0)
                        return false;
        }
        if (p->required) {
                size_t i;

                for (i = 0; i < p->n_required; i++)
                        if (kl_scheduler__node_term_matches(&p->required[i], n->name, n->labels))
                                break;
                if (i == p->n_required)
                        return false;
        }
        return true;
}

bool kl_scheduler__filter_node_affinity(const struct kl_scheduler_pod *p,
                                        const struct kl_scheduler_node *n,
                                        struct kl_scheduler_status *st)
{
        if (kl_scheduler__node_affinity_matches(p, n))
                return true;
        return fail(st, R(AFFINITY), true);
}

static bool ports_conflict(const struct kl_scheduler_port *a, const struct kl_scheduler_port *b)
{
        if (a->port != b->port || a->proto != b->proto)
                return false;
        return strcmp(a->ip, "0.0.0.0") == 0 || strcmp(b->ip, "0.0.0.0") == 0 ||
               strcmp(a->ip, b->ip) == 0;
}

bool kl_scheduler__filter_ports(const struct kl_scheduler_pod *p, const struct kl_scheduler_node *n,
                                struct kl_scheduler_status *st)
{
        if (p->n_ports == 0 || n->n_port_pods == 0)
                return true;
        for (size_t i = 0; i < n->n_pods; i++) {
                const struct kl_scheduler_pod *o = n->pods[i];

                for (size_t a = 0; a < o->n_ports; a++)
                        for (size_t b = 0; b < p->n_ports; b++)
                                if (ports_conflict(&o->ports[a], &p->ports[b]))
                                        return fail(st, R(PORTS), false);
        }
        return true;
}

/* NodeResourcesFit's fitsRequest. */
bool kl_scheduler__filter_resources(const struct kl_scheduler_pod *p,
                                    const struct kl_scheduler_node *n,
                                    struct kl_scheduler_status *st)
{
        uint32_t r = 0;

        if (n->requested.pods + 1 > n->alloc.pods)
                r |= R(TOO_MANY_PODS);
        if (p->req.milli_cpu > 0 && p->req.milli_cpu > n->alloc.milli_cpu - n->requested.milli_cpu)
                r |= R(CPU);
        if (p->req.memory > 0 && p->req.memory > n->alloc.memory - n->requested.memory)
                r |= R(MEMORY);
        if (p->req.ephemeral > 0 && p->req.ephemeral > n->alloc.ephemeral - n->requested.ephemeral)
                r |= R(EPHEMERAL);
        for (size_t i = 0; i < p->req.n_scalars && i < 64; i++) {
                const struct kl_scheduler_scalar *s = &p->req.scalars[i];

                if (s->value == 0)
                        continue;
                if (s->value > kl_scheduler__res_scalar(&n->alloc, s->name) -
                                       kl_scheduler__res_scalar(&n->requested, s->name)) {
                        r |= R(SCALAR);
                        st->scalar_mask |= 1ULL << i;
                }
        }
        if (r == 0)
                return true;
        return fail(st, r, false);
}

/* ---- PreFilter ------------------------------------------------------------ */

static const json_t *ns_labels(const struct kl_scheduler_cycle *cy, const char *ns)
{
        return cy->ns_labels ? cy->ns_labels(cy->ns_arg, ns) : NULL;
}

static bool term_matches(const struct kl_scheduler_cycle *cy, const struct kl_scheduler_pod_term *t,
                         const char *owner_ns, const struct kl_scheduler_pod *p)
{
        return kl_scheduler__pod_term_matches(t, owner_ns, p,
                                              t->ns_selector ? ns_labels(cy, p->ns) : NULL);
}

static bool tolerates_hard_taints(const struct kl_scheduler_pod *p,
                                  const struct kl_scheduler_node *n)
{
        struct kl_scheduler_status st = { 0 };

        return kl_scheduler__filter_taints(p, n, &st);
}

/* Whether `n` counts for constraint `c` of `p` (nodeAffinityPolicy, nodeTaintsPolicy, keys). */
static bool spread_node_counts(const struct kl_scheduler_pod *p,
                               const struct kl_scheduler_spread *c,
                               const struct kl_scheduler_node *n, bool hard)
{
        for (size_t i = 0; i < p->n_spread; i++)
                if (p->spread[i].hard == hard &&
                    !json_object_get(n->labels, p->spread[i].topology_key))
                        return false;
        if (c->honor_affinity && !kl_scheduler__node_affinity_matches(p, n))
                return false;
        if (c->honor_taints && !tolerates_hard_taints(p, n))
                return false;
        return true;
}

static int64_t count_matching(const struct kl_scheduler_node *n,
                              const struct kl_scheduler_spread *c, const char *ns)
{
        int64_t k = 0;

        for (size_t i = 0; i < n->n_pods; i++) {
                const struct kl_scheduler_pod *o = n->pods[i];

                if (!o->terminating && strcmp(o->ns, ns) == 0 &&
                    kl_api_label_selector_matches(c->selector, o->labels))
                        k++;
        }
        return k;
}

static void spread_init(struct kl_scheduler_cycle *cy)
{
        const struct kl_scheduler_pod *p = cy->pod;
        const struct kl_scheduler_cache *cache = cy->cache;

        cy->spread = kl_calloc(p->n_spread + 1, sizeof(*cy->spread));
        for (size_t i = 0; i < p->n_spread; i++) {
                const struct kl_scheduler_spread *c = &p->spread[i];
                struct kl_scheduler_spread_state *s = &cy->spread[i];
                size_t nd = 0;
                void *v;

                if (!c->hard)
                        continue;
                for (size_t j = 0; j < cache->n_list; j++) {
                        const struct kl_scheduler_node *n = cache->list[j];
                        const char *val;
                        struct kl_scheduler_domain *d;

                        if (!spread_node_counts(p, c, n, true))
                                continue;
                        val = json_string_value(json_object_get(n->labels, c->topology_key));
                        if (!val)
                                continue;
                        d = kl_strmap_get(&s->domains, val);
                        if (!d) {
                                d = kl_new0(struct kl_scheduler_domain);
                                d->value = val;
                                kl_strmap_put(&s->domains, d->value, d);
                        }
                        d->count += count_matching(n, c, p->ns);
                }
                s->min_match = INT64_MAX;
                for (size_t j = 0; kl_strmap_next(&s->domains, &j, &v); nd++)
                        s->min_match =
                                KL_MIN(s->min_match, ((struct kl_scheduler_domain *)v)->count);
                if (nd == 0 || (int64_t)nd < c->min_domains)
                        s->min_match = 0;
        }
}

static void domain_mark(struct kl_strmap *m, const struct kl_scheduler_node *n, const char *key)
{
        const char *val = json_string_value(json_object_get(n->labels, key));

        if (val && !kl_strmap_get(m, val))
                kl_strmap_put(m, val, (void *)1);
}

static void affinity_init(struct kl_scheduler_cycle *cy)
{
        const struct kl_scheduler_pod *p = cy->pod;
        const struct kl_scheduler_cache *cache = cy->cache;

        if (p->n_affinity) {
                cy->affinity_domains = kl_calloc(p->n_affinity, sizeof(*cy->affinity_domains));
                cy->affinity_self = true;
                for (size_t t = 0; t < p->n_affinity; t++)
                        if (!term_matches(cy, &p->affinity[t], p->ns, p))
                                cy->affinity_self = false;
        }
        if (p->n_anti)
                cy->anti_domains = kl_calloc(p->n_anti, sizeof(*cy->anti_domains));
        if (p->n_affinity || p->n_anti) {
                for (size_t j = 0; j < cache->n_list; j++) {
                        const struct kl_scheduler_node *n = cache->list[j];

                        for (size_t k = 0; k < n->n_pods; k++) {
                                const struct kl_scheduler_pod *o = n->pods[k];

                                for (size_t t = 0; t < p->n_affinity; t++)
                                        if (term_matches(cy, &p->affinity[t], p->ns, o)) {
                                                cy->affinity_any = true;
                                                domain_mark(&cy->affinity_domains[t], n,
                                                            p->affinity[t].topology_key);
                                        }
                                for (size_t t = 0; t < p->n_anti; t++)
                                        if (term_matches(cy, &p->anti[t], p->ns, o))
                                                domain_mark(&cy->anti_domains[t], n,
                                                            p->anti[t].topology_key);
                        }
                }
        }
        /* Existing pods whose required anti-affinity selects this pod. */
        for (size_t j = 0; j < cache->n_anti; j++) {
                const struct kl_scheduler_pod *o = cache->anti[j];

                if (!o->node || !o->node->obj)
                        continue;
                for (size_t t = 0; t < o->n_anti; t++) {
                        const char *key = o->anti[t].topology_key;
                        const char *val = json_string_value(json_object_get(o->node->labels, key));

                        if (val && term_matches(cy, &o->anti[t], o->ns, p)) {
                                kl_strv_push(&cy->existing_anti, key);
                                kl_strv_push(&cy->existing_anti, val);
                        }
                }
        }
}

void kl_scheduler__cycle_init(struct kl_scheduler_cycle *cy, const struct kl_scheduler_cache *c,
                              const struct kl_scheduler_pod *p,
                              const json_t *(*ns_labels_fn)(void *arg, const char *ns),
                              void *ns_arg)
{
        *cy = (struct kl_scheduler_cycle){
                .cache = c,
                .pod = p,
                .ns_labels = ns_labels_fn,
                .ns_arg = ns_arg,
        };
        if (p->n_spread)
                spread_init(cy);
        if (p->n_affinity || p->n_anti || c->n_anti)
                affinity_init(cy);
}

void kl_scheduler__cycle_release(struct kl_scheduler_cycle *cy)
{
        void *v;

        for (size_t i = 0; cy->spread && i < cy->pod->n_spread; i++) {
                for (size_t j = 0; kl_strmap_next(&cy->spread[i].domains, &j, &v);)
                        free(v);
                kl_strmap_release(&cy->spread[i].domains);
        }
        free(cy->spread);
        for (size_t i = 0; cy->affinity_domains && i < cy->pod->n_affinity; i++)
                kl_strmap_release(&cy->affinity_domains[i]);
        free(cy->affinity_domains);
        for (size_t i = 0; cy->anti_domains && i < cy->pod->n_anti; i++)
                kl_strmap_release(&cy->anti_domains[i]);
        free(cy->anti_domains);
        kl_strv_free(cy->existing_anti);
        *cy = (struct kl_scheduler_cycle){ 0 };
}

/* ---- PodTopologySpread and InterPodAffinity -------------------------------- */

bool kl_scheduler__filter_spread(const struct kl_scheduler_cycle *cy,
                                 const struct kl_scheduler_node *n, struct kl_scheduler_status *st)
{
        const struct kl_scheduler_pod *p = cy->pod;

        for (size_t i = 0; i < p->n_spread; i++) {
                const struct kl_scheduler_spread *c = &p->spread[i];
                const struct kl_scheduler_domain *d;
                const char *val;
                int64_t match;

                if (!c->hard)
                        continue;
                val = json_string_value(json_object_get(n->labels, c->topology_key));
                if (!val)
                        return fail(st, R(SPREAD_LABEL), true);
                d = kl_strmap_get(&cy->spread[i].domains, val);
                match = d ? d->count : 0;
                if (match + (c->self_match ? 1 : 0) - cy->spread[i].min_match > c->max_skew)
                        return fail(st, R(SPREAD), false);
        }
        return true;
}

bool kl_scheduler__filter_pod_affinity(const struct kl_scheduler_cycle *cy,
                                       const struct kl_scheduler_node *n,
                                       struct kl_scheduler_status *st)
{
        const struct kl_scheduler_pod *p = cy->pod;

        /* Upstream's order: the pod's affinity, its anti-affinity, then existing pods'. */
        if (p->n_affinity) {
                bool ok = true;

                for (size_t t = 0; t < p->n_affinity && ok; t++) {
                        const char *v = json_string_value(
                                json_object_get(n->labels, p->affinity[t].topology_key));

                        ok = v && kl_strmap_get(&cy->affinity_domains[t], v);
                }
                /*
                 * The first pod of a group that selects itself may go anywhere
                 * the topology keys exist, or it could never start.
                 */
                if (!ok && !cy->affinity_any && cy->affinity_self) {
                        ok = true;
                        for (size_t t = 0; t < p->n_affinity && ok; t++)
                                ok = json_object_get(n->labels, p->affinity[t].topology_key) !=
                                     NULL;
                }
                if (!ok)
                        return fail(st, R(POD_AFFINITY), true);
        }
        for (size_t t = 0; t < p->n_anti; t++) {
                const char *v =
                        json_string_value(json_object_get(n->labels, p->anti[t].topology_key));

                if (v && kl_strmap_get(&cy->anti_domains[t], v))
                        return fail(st, R(POD_ANTI_AFFINITY), false);
        }
        for (size_t i = 0; cy->existing_anti && cy->existing_anti[i]; i += 2) {
                const char *v = json_string_value(json_object_get(n->labels, cy->existing_anti[i]));

                if (v && strcmp(v, cy->existing_anti[i + 1]) == 0)
                        return fail(st, R(EXISTING_ANTI), false);
        }
        return true;
}

bool kl_scheduler__filter(const struct kl_scheduler_cycle *cy, const struct kl_scheduler_node *n,
                          struct kl_scheduler_status *st)
{
        const struct kl_scheduler_pod *p = cy->pod;

        *st = (struct kl_scheduler_status){ .node = n };
        return kl_scheduler__filter_unschedulable(p, n, st) &&
               kl_scheduler__filter_taints(p, n, st) &&
               kl_scheduler__filter_node_affinity(p, n, st) &&
               kl_scheduler__filter_ports(p, n, st) && kl_scheduler__filter_resources(p, n, st) &&
               (!cy->vols || kl_scheduler__filter_volumes(cy->vols, n, st)) &&
               (p->n_spread == 0 || kl_scheduler__filter_spread(cy, n, st)) &&
               (cy->existing_anti == NULL && p->n_anti == 0 && p->n_affinity == 0
                        ? true
                        : kl_scheduler__filter_pod_affinity(cy, n, st));
}
