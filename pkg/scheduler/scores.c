/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The score plugins of upstream's default profile (v1.32), each giving a
 * node 0..100 after normalisation, summed with the default weights:
 *
 *   TaintToleration              3  fewer untolerated PreferNoSchedule taints
 *   NodeAffinity                 2  sum of matching preferred terms' weights
 *   NodeResourcesFit             1  LeastAllocated on cpu and memory, with
 *                                   the non-zero requests (100m, 200Mi)
 *   PodTopologySpread            2  ScheduleAnyway constraints: fewer
 *                                   matching pods in the node's domain
 *   NodeResourcesBalancedAllocation 1  cpu and memory fractions close
 *
 * InterPodAffinity (preferred terms) and ImageLocality are not scored:
 * kube-lite has no node image lists, and preferred pod affinity is left out
 * (README.md). Plugins that have nothing to say for a pod are skipped, as
 * upstream's PreScore returns Skip: they would add the same to every node.
 * The highest total wins; ties are broken by reservoir sampling, as
 * upstream's selectHost.
 */
#include <string.h>

#include "scheduler/sched-internal.h"

/*
 * The natural logarithm of x >= 1, without libm (the build links none):
 * x = m * 2^e with m in [1, 2), ln x = e ln 2 + 2 atanh((m - 1) / (m + 1)),
 * the series converging fast for |z| <= 1/3. Exact to double precision for
 * the small domain counts PodTopologySpread weighs with it.
 */
static double ln(double x)
{
        const double ln2 = 0.69314718055994530942;
        double z, z2, term, sum = 0;
        int e = 0;

        while (x >= 2) {
                x /= 2;
                e++;
        }
        z = (x - 1) / (x + 1);
        z2 = z * z;
        term = z;
        for (int k = 1; k < 60; k += 2) {
                sum += term / k;
                term *= z2;
        }
        return e * ln2 + 2 * sum;
}

uint64_t kl_scheduler__rand(uint64_t *state)
{
        uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ULL; /* xorshift64* */

        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *state = x;
        return x * 0x2545f4914f6cdd1dULL;
}

size_t kl_scheduler__num_feasible_to_find(size_t all, unsigned percentage)
{
        const size_t min_nodes = 100;
        int64_t pct = percentage;
        size_t n;

        if (all < min_nodes)
                return all;
        if (pct == 0) {
                pct = 50 - (int64_t)all / 125;
                if (pct < 5)
                        pct = 5;
        }
        if (pct >= 100)
                return all;
        n = all * (size_t)pct / 100;
        return n < min_nodes ? min_nodes : n;
}

static int64_t least_requested(int64_t requested, int64_t capacity)
{
        if (capacity == 0 || requested > capacity)
                return 0;
        return (capacity - requested) * KL_SCHEDULER_MAX_SCORE / capacity;
}

int64_t kl_scheduler__score_least_allocated(const struct kl_scheduler_pod *p,
                                            const struct kl_scheduler_node *n)
{
        int64_t sum = 0, w = 0;

        if (n->alloc.milli_cpu > 0) {
                sum += least_requested(n->nz_milli_cpu + p->nz_milli_cpu, n->alloc.milli_cpu);
                w++;
        }
        if (n->alloc.memory > 0) {
                sum += least_requested(n->nz_memory + p->nz_memory, n->alloc.memory);
                w++;
        }
        return w ? sum / w : 0;
}

int64_t kl_scheduler__score_balanced(const struct kl_scheduler_pod *p,
                                     const struct kl_scheduler_node *n)
{
        double f[2];
        size_t k = 0;

        if (n->alloc.milli_cpu > 0)
                f[k++] = KL_MIN(1.0, (double)(n->requested.milli_cpu + p->req.milli_cpu) /
                                             (double)n->alloc.milli_cpu);
        if (n->alloc.memory > 0)
                f[k++] = KL_MIN(1.0, (double)(n->requested.memory + p->req.memory) /
                                             (double)n->alloc.memory);
        if (k < 2)
                return KL_SCHEDULER_MAX_SCORE;
        return (int64_t)((1.0 - (f[0] > f[1] ? f[0] - f[1] : f[1] - f[0]) / 2) *
                         KL_SCHEDULER_MAX_SCORE);
}

int64_t kl_scheduler__score_node_affinity(const struct kl_scheduler_pod *p,
                                          const struct kl_scheduler_node *n)
{
        int64_t s = 0;

        for (size_t i = 0; i < p->n_preferred; i++)
                if (p->preferred[i].weight &&
                    kl_scheduler__node_term_matches(&p->preferred[i], n->name, n->labels))
                        s += p->preferred[i].weight;
        return s;
}

/* Untolerated PreferNoSchedule taints, tolerations with effect PreferNoSchedule or none. */
int64_t kl_scheduler__score_taints(const struct kl_scheduler_pod *p,
                                   const struct kl_scheduler_node *n)
{
        int64_t k = 0;

        if (!n->has_prefer_taint)
                return 0;
        for (size_t i = 0; i < n->n_taints; i++) {
                const struct kl_scheduler_taint *t = &n->taints[i];
                bool ok = false;

                if (t->effect != KL_SCHEDULER_EFFECT_PREFER_NO_SCHEDULE)
                        continue;
                for (size_t j = 0; j < p->n_tols && !ok; j++)
                        if (p->tols[j].effect == KL_SCHEDULER_EFFECT_ALL ||
                            p->tols[j].effect == KL_SCHEDULER_EFFECT_PREFER_NO_SCHEDULE)
                                ok = kl_scheduler__tolerates(&p->tols[j], 1, t);
                if (!ok)
                        k++;
        }
        return k;
}

void kl_scheduler__normalize(int64_t *scores, size_t n, bool reverse)
{
        int64_t max = 0;

        for (size_t i = 0; i < n; i++)
                max = KL_MAX(max, scores[i]);
        if (max == 0) {
                if (reverse)
                        for (size_t i = 0; i < n; i++)
                                scores[i] = KL_SCHEDULER_MAX_SCORE;
                return;
        }
        for (size_t i = 0; i < n; i++) {
                scores[i] = KL_SCHEDULER_MAX_SCORE * scores[i] / max;
                if (reverse)
                        scores[i] = KL_SCHEDULER_MAX_SCORE - scores[i];
        }
}

/* ---- PodTopologySpread scoring --------------------------------------------- */

static bool has_soft_keys(const struct kl_scheduler_pod *p, const struct kl_scheduler_node *n)
{
        for (size_t i = 0; i < p->n_spread; i++)
                if (!p->spread[i].hard && !json_object_get(n->labels, p->spread[i].topology_key))
                        return false;
        return true;
}

static int64_t count_pods(const struct kl_scheduler_node *n, const struct kl_scheduler_spread *c,
                          const char *ns)
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

/* upstream's PreScore, Score and NormalizeScore of PodTopologySpread. */
static void score_spread(const struct kl_scheduler_cycle *cy,
                         struct kl_scheduler_node *const *nodes, size_t n, int64_t *out)
{
        const struct kl_scheduler_pod *p = cy->pod;
        struct kl_strmap *counts = kl_calloc(p->n_spread, sizeof(*counts));
        double *weight = kl_calloc(p->n_spread, sizeof(*weight));
        bool *ignored = kl_calloc(n, sizeof(*ignored));
        size_t n_ignored = 0;
        int64_t min = INT64_MAX, max = 0;
        void *v;

        for (size_t i = 0; i < n; i++) {
                if (!has_soft_keys(p, nodes[i])) {
                        ignored[i] = true;
                        n_ignored++;
                        continue;
                }
                for (size_t c = 0; c < p->n_spread; c++) {
                        const char *val;

                        if (p->spread[c].hard)
                                continue;
                        val = json_string_value(
                                json_object_get(nodes[i]->labels, p->spread[c].topology_key));
                        if (!kl_strmap_get(&counts[c], val)) {
                                struct kl_scheduler_domain *d = kl_new0(struct kl_scheduler_domain);

                                d->value = val;
                                kl_strmap_put(&counts[c], d->value, d);
                        }
                }
        }
        for (size_t c = 0; c < p->n_spread; c++) {
                size_t sz = counts[c].n;

                if (strcmp(p->spread[c].topology_key, "kubernetes.io/hostname") == 0)
                        sz = n - n_ignored;
                weight[c] = ln((double)sz + 2);
        }
        for (size_t j = 0; j < cy->cache->n_list; j++) {
                const struct kl_scheduler_node *nd = cy->cache->list[j];

                if (!has_soft_keys(p, nd))
                        continue;
                for (size_t c = 0; c < p->n_spread; c++) {
                        const struct kl_scheduler_spread *sc = &p->spread[c];
                        struct kl_scheduler_domain *d;

                        if (sc->hard ||
                            (sc->honor_affinity && !kl_scheduler__node_affinity_matches(p, nd)))
                                continue;
                        d = kl_strmap_get(&counts[c], json_string_value(json_object_get(
                                                              nd->labels, sc->topology_key)));
                        if (d)
                                d->count += count_pods(nd, sc, p->ns);
                }
        }
        for (size_t i = 0; i < n; i++) {
                double s = 0;

                if (ignored[i])
                        continue;
                for (size_t c = 0; c < p->n_spread; c++) {
                        const struct kl_scheduler_spread *sc = &p->spread[c];
                        int64_t cnt;

                        if (sc->hard)
                                continue;
                        if (strcmp(sc->topology_key, "kubernetes.io/hostname") == 0) {
                                cnt = count_pods(nodes[i], sc, p->ns);
                        } else {
                                const struct kl_scheduler_domain *d = kl_strmap_get(
                                        &counts[c], json_string_value(json_object_get(
                                                            nodes[i]->labels, sc->topology_key)));

                                cnt = d ? d->count : 0;
                        }
                        s += (double)cnt * weight[c] + ((double)sc->max_skew - 1);
                }
                out[i] = (int64_t)(s + 0.5); /* math.Round; s >= 0 */
                min = KL_MIN(min, out[i]);
                max = KL_MAX(max, out[i]);
        }
        for (size_t i = 0; i < n; i++) {
                if (ignored[i])
                        out[i] = 0;
                else if (max == 0)
                        out[i] = KL_SCHEDULER_MAX_SCORE;
                else
                        out[i] = KL_SCHEDULER_MAX_SCORE * (max + min - out[i]) / max;
        }
        for (size_t c = 0; c < p->n_spread; c++) {
                for (size_t j = 0; kl_strmap_next(&counts[c], &j, &v);)
                        free(v);
                kl_strmap_release(&counts[c]);
        }
        free(counts);
        free(weight);
        free(ignored);
}

void kl_scheduler__score_all(const struct kl_scheduler_cycle *cy,
                             struct kl_scheduler_node *const *nodes, size_t n, int64_t *ret_scores)
{
        const struct kl_scheduler_pod *p = cy->pod;
        int64_t *tmp = kl_calloc(n + 1, sizeof(*tmp));
        bool soft = false;

        for (size_t i = 0; i < n; i++)
                ret_scores[i] =
                        KL_SCHEDULER_W_FIT * kl_scheduler__score_least_allocated(p, nodes[i]) +
                        KL_SCHEDULER_W_BALANCED * kl_scheduler__score_balanced(p, nodes[i]);

        for (size_t i = 0; i < n; i++)
                tmp[i] = kl_scheduler__score_taints(p, nodes[i]);
        kl_scheduler__normalize(tmp, n, true);
        for (size_t i = 0; i < n; i++)
                ret_scores[i] += KL_SCHEDULER_W_TAINT * tmp[i];

        if (p->n_preferred) {
                for (size_t i = 0; i < n; i++)
                        tmp[i] = kl_scheduler__score_node_affinity(p, nodes[i]);
                kl_scheduler__normalize(tmp, n, false);
                for (size_t i = 0; i < n; i++)
                        ret_scores[i] += KL_SCHEDULER_W_AFFINITY * tmp[i];
        }

        for (size_t i = 0; i < p->n_spread; i++)
                soft |= !p->spread[i].hard;
        if (soft) {
                score_spread(cy, nodes, n, tmp);
                for (size_t i = 0; i < n; i++)
                        ret_scores[i] += KL_SCHEDULER_W_SPREAD * tmp[i];
        }
        free(tmp);
}

size_t kl_scheduler__select_host(const int64_t *scores, size_t n, uint64_t *rng)
{
        size_t best = 0, ties = 1;

        for (size_t i = 1; i < n; i++) {
                if (scores[i] > scores[best]) {
                        best = i;
                        ties = 1;
                } else if (scores[i] == scores[best]) {
                        ties++;
                        if (kl_scheduler__rand(rng) % ties == 0)
                                best = i;
                }
        }
        return best;
}
