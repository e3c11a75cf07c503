/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FailedScheduling message, as upstream's FitError.Error() (v1.32,
 * pkg/scheduler/framework/types.go) builds it, because `kubectl describe
 * pod` shows it and people search for it:
 *
 *   "0/N nodes are available:" + " <histogram>." + " <post-filter message>."
 *
 * The histogram counts each reason string over the nodes tried, formats
 * "<count> <reason>", sorts those strings bytewise (Go's sort.Strings, so
 * "10 x" sorts before "2 y") and joins them with ", ". The post-filter
 * message is the default preemption plugin's: "preemption: " and a second
 * FitError over its dry run. That one already ends in '.', and the outer
 * format adds another, so upstream's text ends in "..", which we keep.
 */
#include <stdlib.h>
#include <string.h>

#include "scheduler/sched-internal.h"

void kl_scheduler__diag_add(struct kl_scheduler_diagnosis *d, const struct kl_scheduler_status *st)
{
        if (d->n == d->cap) {
                d->cap = d->cap ? d->cap * 2 : 16;
                d->st = kl_realloc(d->st, d->cap * sizeof(*d->st));
        }
        d->st[d->n++] = *st;
}

void kl_scheduler__diag_release(struct kl_scheduler_diagnosis *d)
{
        free(d->st);
        *d = (struct kl_scheduler_diagnosis){ 0 };
}

static const char *const fixed[KL_SCHEDULER_R__COUNT] = {
        [KL_SCHEDULER_R_UNSCHEDULABLE] = "node(s) were unschedulable",
        [KL_SCHEDULER_R_AFFINITY] = "node(s) didn't match Pod's node affinity/selector",
        [KL_SCHEDULER_R_PORTS] = "node(s) didn't have free ports for the requested pod ports",
        [KL_SCHEDULER_R_TOO_MANY_PODS] = "Too many pods",
        [KL_SCHEDULER_R_CPU] = "Insufficient cpu",
        [KL_SCHEDULER_R_MEMORY] = "Insufficient memory",
        [KL_SCHEDULER_R_EPHEMERAL] = "Insufficient ephemeral-storage",
        [KL_SCHEDULER_R_SPREAD] = "node(s) didn't match pod topology spread constraints",
        [KL_SCHEDULER_R_SPREAD_LABEL] =
                "node(s) didn't match pod topology spread constraints (missing required label)",
        [KL_SCHEDULER_R_POD_AFFINITY] = "node(s) didn't match pod affinity rules",
        [KL_SCHEDULER_R_POD_ANTI_AFFINITY] = "node(s) didn't match pod anti-affinity rules",
        [KL_SCHEDULER_R_EXISTING_ANTI] = "node(s) didn't satisfy existing pods anti-affinity rules",
        [KL_SCHEDULER_R_VOLUME_AFFINITY] = "node(s) had volume node affinity conflict",
};

void kl_scheduler__status_reasons(const struct kl_scheduler_status *st,
                                  const struct kl_scheduler_pod *p, char ***reasons)
{
        for (int r = 0; r < KL_SCHEDULER_R__COUNT; r++) {
                if (!(st->reasons & (1U << r)))
                        continue;
                if (r == KL_SCHEDULER_R_TAINT) {
                        kl_strv_push_take(reasons,
                                          kl_asprintf("node(s) had untolerated taint {%s: %s}",
                                                      st->taint ? st->taint->key : "",
                                                      st->taint ? st->taint->value : ""));
                } else if (r == KL_SCHEDULER_R_SCALAR) {
                        for (size_t i = 0; p && i < p->req.n_scalars && i < 64; i++)
                                if (st->scalar_mask & (1ULL << i))
                                        kl_strv_push_take(reasons,
                                                          kl_asprintf("Insufficient %s",
                                                                      p->req.scalars[i].name));
                } else {
                        kl_strv_push(reasons, fixed[r]);
                }
        }
}

struct hist {
        char **reasons; /* owned */
        size_t *counts;
        size_t n;
};

static void hist_add(struct hist *h, const char *reason)
{
        for (size_t i = 0; i < h->n; i++)
                if (strcmp(h->reasons[i], reason) == 0) {
                        h->counts[i]++;
                        return;
                }
        h->reasons = kl_realloc(h->reasons, (h->n + 1) * sizeof(*h->reasons));
        h->counts = kl_realloc(h->counts, (h->n + 1) * sizeof(*h->counts));
        h->reasons[h->n] = kl_strdup(reason);
        h->counts[h->n++] = 1;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* " <sorted histogram>." appended to `b`; nothing for an empty histogram. */
static void hist_format(struct hist *h, struct kl_buf *b)
{
        char **items = kl_calloc(h->n + 1, sizeof(*items));

        for (size_t i = 0; i < h->n; i++)
                items[i] = kl_asprintf("%zu %s", h->counts[i], h->reasons[i]);
        qsort(items, h->n, sizeof(*items), cmp_str);
        for (size_t i = 0; i < h->n; i++)
                (void)kl_buf_printf(b, "%s%s", i == 0 ? " " : ", ", items[i]);
        if (h->n)
                (void)kl_buf_putc(b, '.');
        for (size_t i = 0; i < h->n; i++) {
                free(items[i]);
                free(h->reasons[i]);
        }
        free(items);
        free(h->reasons);
        free(h->counts);
        *h = (struct hist){ 0 };
}

char *kl_scheduler__fit_message(const struct kl_scheduler_diagnosis *d,
                                const struct kl_scheduler_pod *p, const char *preemption)
{
        struct kl_buf b = KL_BUF_INIT;
        struct hist h = { 0 };

        (void)kl_buf_printf(&b, "0/%zu nodes are available:", d->n_all);
        for (size_t i = 0; i < d->n; i++) {
                char **reasons = NULL;

                kl_scheduler__status_reasons(&d->st[i], p, &reasons);
                for (size_t j = 0; reasons && reasons[j]; j++)
                        hist_add(&h, reasons[j]);
                kl_strv_free(reasons);
        }
        hist_format(&h, &b);
        if (preemption)
                (void)kl_buf_printf(&b, " %s.", preemption);
        return kl_buf_detach(&b, NULL);
}

char *kl_scheduler__preemption_message(const struct kl_scheduler_cycle *cy,
                                       const struct kl_scheduler_diagnosis *d, bool *victims_fit)
{
        const struct kl_scheduler_pod *p = cy->pod;
        struct kl_buf b = KL_BUF_INIT;
        struct hist h = { 0 };
        size_t evaluated = 0;

        *victims_fit = false;
        if (p->preempt_never)
                return kl_strdup("preemption: not eligible due to preemptionPolicy=Never.");
        (void)kl_buf_printf(&b, "preemption: 0/%zu nodes are available:", d->n_all);
        for (size_t i = 0; i < d->n; i++) {
                const struct kl_scheduler_status *st = &d->st[i];
                struct kl_scheduler_node *t;
                struct kl_scheduler_status st2;
                char **reasons = NULL;
                size_t removed;

                if (st->unresolvable || !st->node)
                        continue;
                evaluated++;
                t = kl_scheduler__node_without_lower(st->node, p->priority, &removed);
                if (removed == 0) {
                        hist_add(&h, "No preemption victims found for incoming pod");
                } else if (kl_scheduler__filter(cy, t, &st2)) {
                        *victims_fit = true;
                } else {
                        kl_scheduler__status_reasons(&st2, p, &reasons);
                        for (size_t j = 0; reasons && reasons[j]; j++)
                                hist_add(&h, reasons[j]);
                        kl_strv_free(reasons);
                }
                kl_scheduler__node_free(t);
        }
        /* Every node the dry run did not evaluate: upstream's absent-nodes status. */
        for (size_t i = evaluated; i < d->n_all; i++)
                hist_add(&h, "Preemption is not helpful for scheduling");
        hist_format(&h, &b);
        if (*victims_fit) {
                free(h.reasons);
                kl_buf_release(&b);
                return NULL;
        }
        return kl_buf_detach(&b, NULL);
}
