/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Deployment controller's strategies and scaling (upstream's rolling.go,
 * recreate.go and sync.go's scale/cleanupDeployment), on the working state
 * of one sync (struct kl_ctrl_dep, deployment.c).
 */
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "controllers/ctrl-internal.h"

#define MAX_INT32    2147483647
#define MAX_REPLICAS "deployment.kubernetes.io/max-replicas"

/* The live ReplicaSets (not deleted this sync), optionally only the old or only the active. */
enum pick {
        PICK_ALL = 0,
        PICK_OLD = 1 << 0,
        PICK_ACTIVE = 1 << 1,
};

static size_t pick(struct kl_ctrl_dep *w, unsigned what, struct kl_ctrl_dep_rs **ret)
{
        size_t n = 0;

        for (size_t i = 0; i < w->n_rs; i++) {
                struct kl_ctrl_dep_rs *rs = &w->rs[i];

                if (rs->deleted || ((what & PICK_OLD) && rs == w->new_rs) ||
                    ((what & PICK_ACTIVE) && kl_ctrl_dep_rs_spec(rs) <= 0))
                        continue;
                ret[n++] = rs;
        }
        return n;
}

static int64_t sum_spec(struct kl_ctrl_dep_rs *const *v, size_t n)
{
        int64_t s = 0;

        for (size_t i = 0; i < n; i++)
                s += kl_ctrl_dep_rs_spec(v[i]);
        return s;
}

static int by_creation(const void *a, const void *b)
{
        const struct kl_ctrl_dep_rs *const *x = a, *const *y = b;

        return kl_ctrl_cmp_creation((*x)->obj, (*y)->obj);
}

static int by_creation_newest(const void *a, const void *b)
{
        return -by_creation(a, b);
}

/* ReplicaSetsBySizeOlder: bigger first, then older first. */
static int by_size_older(const void *a, const void *b)
{
        const struct kl_ctrl_dep_rs *const *x = a, *const *y = b;
        int64_t sx = kl_ctrl_dep_rs_spec(*x), sy = kl_ctrl_dep_rs_spec(*y);

        if (sx != sy)
                return sx > sy ? -1 : 1;
        return by_creation(a, b);
}

/* ReplicaSetsBySizeNewer: bigger first, then newer first. */
static int by_size_newer(const void *a, const void *b)
{
        const struct kl_ctrl_dep_rs *const *x = a, *const *y = b;
        int64_t sx = kl_ctrl_dep_rs_spec(*x), sy = kl_ctrl_dep_rs_spec(*y);

        if (sx != sy)
                return sx > sy ? -1 : 1;
        return by_creation_newest(a, b);
}

/* ------------------------------------------------------------------------- */
/* Rolling update (rolling.go) */

/* reconcileNewReplicaSet. */
static bool reconcile_new(struct kl_ctrl_dep *w)
{
        struct kl_ctrl_dep_rs *nrs = w->new_rs;
        int64_t cur = kl_ctrl_dep_rs_spec(nrs), current = 0, max_total, up, want;
        struct kl_ctrl_dep_rs **all = kl_calloc(w->n_rs + 1, sizeof(*all));
        size_t n = pick(w, PICK_ALL, all);

        if (cur == w->replicas) {
                free(all);
                return false;
        }
        if (cur > w->replicas) {
                free(all);
                return kl_ctrl_dep_scale_rs_if(w, nrs, w->replicas);
        }
        /* NewRSNewReplicas for a rolling update. */
        current = sum_spec(all, n);
        free(all);
        max_total = w->replicas + kl_ctrl_dep_max_surge(w);
        if (current >= max_total)
                return false;
        up = max_total - current;
        if (up > w->replicas - cur)
                up = w->replicas - cur;
        want = cur + up;
        return kl_ctrl_dep_scale_rs_if(w, nrs, want);
}

/* cleanupUnhealthyReplicas: scale old ReplicaSets down by their unavailable pods first. */
static int64_t cleanup_unhealthy(struct kl_ctrl_dep *w, struct kl_ctrl_dep_rs **old, size_t n_old,
                                 int64_t max_cleanup)
{
        int64_t total = 0;

        qsort(old, n_old, sizeof(*old), by_creation);
        for (size_t i = 0; i < n_old && total < max_cleanup; i++) {
                int64_t spec = kl_ctrl_dep_rs_spec(old[i]);
                int64_t avail = kl_ctrl_dep_rs_count(old[i], "availableReplicas");
                int64_t down;

                if (spec == 0 || spec == avail)
                        continue;
                down = spec - avail;
                if (down > max_cleanup - total)
                        down = max_cleanup - total;
                if (down < 0)
                        continue; /* more available than wanted: nothing unhealthy here */
                (void)kl_ctrl_dep_scale_rs_if(w, old[i], spec - down);
                total += down;
        }
        return total;
}

/* scaleDownOldReplicaSetsForRollingUpdate. */
static int64_t scale_down_old(struct kl_ctrl_dep *w, struct kl_ctrl_dep_rs **old, size_t n_old)
{
        int64_t min_available = w->replicas - kl_ctrl_dep_max_unavailable(w);
        int64_t available = 0, total, done = 0;

        for (size_t i = 0; i < w->n_rs; i++)
                if (!w->rs[i].deleted)
                        available += kl_ctrl_dep_rs_count(&w->rs[i], "availableReplicas");
        if (available <= min_available)
                return 0;
        total = available - min_available;
        qsort(old, n_old, sizeof(*old), by_creation);
        for (size_t i = 0; i < n_old && done < total; i++) {
                int64_t spec = kl_ctrl_dep_rs_spec(old[i]);
                int64_t down;

                if (spec == 0)
                        continue;
                down = spec < total - done ? spec : total - done;
                (void)kl_ctrl_dep_scale_rs_if(w, old[i], spec - down);
                done += down;
        }
        return done;
}

/* reconcileOldReplicaSets. */
static bool reconcile_old(struct kl_ctrl_dep *w)
{
        struct kl_ctrl_dep_rs **old = kl_calloc(w->n_rs + 1, sizeof(*old));
        struct kl_ctrl_dep_rs **all = kl_calloc(w->n_rs + 1, sizeof(*all));
        size_t n_old = pick(w, PICK_OLD | PICK_ACTIVE, old);
        size_t n_all = pick(w, PICK_ALL, all);
        int64_t all_pods, min_available, new_unavailable, max_down, cleaned, down;

        if (sum_spec(old, n_old) == 0) {
                free(old);
                free(all);
                return false;
        }
        all_pods = sum_spec(all, n_all);
        free(all);
        min_available = w->replicas - kl_ctrl_dep_max_unavailable(w);
        new_unavailable = kl_ctrl_dep_rs_spec(w->new_rs) -
                          kl_ctrl_dep_rs_count(w->new_rs, "availableReplicas");
        max_down = all_pods - min_available - new_unavailable;
        if (max_down <= 0) {
                free(old);
                return false;
        }
        cleaned = cleanup_unhealthy(w, old, n_old, max_down);
        down = scale_down_old(w, old, n_old);
        free(old);
        return cleaned + down > 0;
}

void kl_ctrl_dep_rollout_rolling(struct kl_ctrl_dep *w)
{
        kl_ctrl_dep_get_all(w, true);
        if (w->stop || !w->new_rs)
                return;
        if (reconcile_new(w) || reconcile_old(w)) {
                kl_ctrl_dep_sync_rollout_status(w);
                return;
        }
        if (kl_ctrl_dep_complete(w, w->status))
                kl_ctrl_dep_cleanup(w);
        kl_ctrl_dep_sync_rollout_status(w);
}

/* ------------------------------------------------------------------------- */
/* Recreate (recreate.go) */

/* oldPodsRunning: old ReplicaSets still have pods, or pods not yet in a terminal phase. */
static bool old_pods_running(struct kl_ctrl_dep *w)
{
        const char *new_uid = w->new_rs ? kl_ctrl_meta_str(w->new_rs->obj, "uid") : NULL;

        for (size_t i = 0; i < w->n_rs; i++)
                if (!w->rs[i].deleted && &w->rs[i] != w->new_rs &&
                    kl_ctrl_dep_rs_count(&w->rs[i], "replicas") > 0)
                        return true;
        for (size_t i = 0; i < w->in->n_pods; i++) {
                const json_t *pod = w->in->pods[i];
                const json_t *ref = kl_ctrl_controller_ref(pod);
                const char *owner = json_string_value(json_object_get(ref, "uid"));
                const char *phase = kl_ctrl_dig_str(pod, "status.phase");
                bool claimed = false;

                if (new_uid && kl_streq_null(owner, new_uid))
                        continue;
                for (size_t k = 0; k < w->n_rs && !claimed; k++)
                        claimed = !w->rs[k].deleted &&
                                  kl_streq_null(owner, kl_ctrl_meta_str(w->rs[k].obj, "uid"));
                if (!claimed)
                        continue;
                if (kl_streq_null(phase, "Failed") || kl_streq_null(phase, "Succeeded"))
                        continue;
                return true;
        }
        return false;
}

void kl_ctrl_dep_rollout_recreate(struct kl_ctrl_dep *w)
{
        bool scaled = false;

        kl_ctrl_dep_get_all(w, false);
        /* scaleDownOldReplicaSetsForRecreate. */
        for (size_t i = 0; i < w->n_rs; i++) {
                struct kl_ctrl_dep_rs *rs = &w->rs[i];

                if (rs->deleted || rs == w->new_rs || kl_ctrl_dep_rs_spec(rs) == 0)
                        continue;
                scaled |= kl_ctrl_dep_scale_rs_if(w, rs, 0);
        }
        if (scaled) {
                kl_ctrl_dep_sync_rollout_status(w);
                return;
        }
        if (old_pods_running(w)) {
                w->wait_pods = true;
                kl_ctrl_dep_sync_rollout_status(w);
                return;
        }
        if (!w->new_rs) {
                kl_ctrl_dep_get_all(w, true);
                if (w->stop || !w->new_rs)
                        return;
        }
        (void)kl_ctrl_dep_scale_rs_if(w, w->new_rs, w->replicas);
        if (kl_ctrl_dep_complete(w, w->status))
                kl_ctrl_dep_cleanup(w);
        kl_ctrl_dep_sync_rollout_status(w);
}

/* ------------------------------------------------------------------------- */
/* Scaling events and paused Deployments (sync.go's scale) */

/* getReplicaSetFraction: this ReplicaSet's share of a resize. */
static int64_t rs_fraction(struct kl_ctrl_dep *w, struct kl_ctrl_dep_rs *rs)
{
        const char *s;
        int64_t spec = kl_ctrl_dep_rs_spec(rs), annotated = 0, target;
        json_t *a;

        if (w->replicas == 0)
                return -spec;
        target = w->replicas + kl_ctrl_dep_max_surge(w);
        a = json_object_get(kl_ctrl_dig(rs->obj, "metadata.annotations"), MAX_REPLICAS);
        s = json_string_value(a);
        if (!s || kl_parse_int64(s, &annotated) < 0 || annotated < 0 || annotated > MAX_INT32)
                /* Assume a normal rollout: the old size was the status. */
                annotated = kl_ctrl_dig_i32(w->status, "replicas", 0);
        if (annotated == 0)
                return 0;
        if (spec < 0 || target < 0 || annotated < 0)
                return 0;
        /* integer.RoundToInt32 of spec*target/annotated: half away from zero (all >= 0). */
        return (int64_t)(((__int128)2 * spec * target + annotated) / ((__int128)2 * annotated)) -
               spec;
}

/* GetProportion. */
static int64_t proportion(struct kl_ctrl_dep *w, struct kl_ctrl_dep_rs *rs, int64_t to_add,
                          int64_t added)
{
        int64_t f, allowed;

        if (kl_ctrl_dep_rs_spec(rs) == 0 || to_add == 0 || to_add == added)
                return 0;
        f = rs_fraction(w, rs);
        allowed = to_add - added;
        if (to_add > 0)
                return f < allowed ? f : allowed;
        return f > allowed ? f : allowed;
}

static void scale(struct kl_ctrl_dep *w)
{
        struct kl_ctrl_dep_rs **old = kl_calloc(w->n_rs + 1, sizeof(*old));
        struct kl_ctrl_dep_rs **act = kl_calloc(w->n_rs + 1, sizeof(*act));
        struct kl_ctrl_dep_rs *target = NULL;
        size_t n_old = pick(w, PICK_OLD, old), n_act;
        int64_t *sizes = NULL, to_add, added = 0;
        bool saturated;

        /* FindActiveOrLatest. */
        qsort(old, n_old, sizeof(*old), by_creation_newest);
        n_act = 0;
        for (size_t i = 0; i < n_old; i++)
                if (kl_ctrl_dep_rs_spec(old[i]) > 0)
                        act[n_act++] = old[i];
        if (w->new_rs && kl_ctrl_dep_rs_spec(w->new_rs) > 0)
                act[n_act++] = w->new_rs;
        if (n_act == 0 && (w->new_rs || n_old > 0))
                target = w->new_rs ? w->new_rs : old[0];
        else if (n_act == 1)
                target = act[0];
        if (target) {
                if (kl_ctrl_dep_rs_spec(target) != w->replicas)
                        (void)kl_ctrl_dep_scale_rs_if(w, target, w->replicas);
                goto out;
        }

        /* IsSaturated: the new ReplicaSet has it all; old ones go to 0. */
        saturated = false;
        if (w->new_rs) {
                const char *s = json_string_value(
                        json_object_get(kl_ctrl_dig(w->new_rs->obj, "metadata.annotations"),
                                        "deployment.kubernetes.io/desired-replicas"));
                int64_t desired;

                saturated = s && kl_parse_int64(s, &desired) == 0 && desired == w->replicas &&
                            kl_ctrl_dep_rs_spec(w->new_rs) == w->replicas &&
                            kl_ctrl_dep_rs_count(w->new_rs, "availableReplicas") == w->replicas;
        }
        if (saturated) {
                for (size_t i = 0; i < n_old; i++)
                        if (kl_ctrl_dep_rs_spec(old[i]) > 0)
                                (void)kl_ctrl_dep_scale_rs_if(w, old[i], 0);
                goto out;
        }

        /* Proportional scaling, for rolling updates only. */
        if (kl_ctrl_dig_str(w->d, "spec.strategy.type") &&
            !kl_streq(kl_ctrl_dig_str(w->d, "spec.strategy.type"), "RollingUpdate"))
                goto out;
        to_add = (w->replicas > 0 ? w->replicas + kl_ctrl_dep_max_surge(w) : 0) -
                 sum_spec(act, n_act);
        if (to_add > 0)
                qsort(act, n_act, sizeof(*act), by_size_newer);
        else if (to_add < 0)
                qsort(act, n_act, sizeof(*act), by_size_older);
        sizes = kl_calloc(n_act + 1, sizeof(*sizes));
        for (size_t i = 0; i < n_act; i++) {
                int64_t p = to_add != 0 ? proportion(w, act[i], to_add, added) : 0;

                sizes[i] = kl_ctrl_dep_rs_spec(act[i]) + p;
                added += p;
        }
        for (size_t i = 0; i < n_act; i++) {
                if (i == 0 && to_add != 0) {
                        sizes[0] += to_add - added;
                        if (sizes[0] < 0)
                                sizes[0] = 0;
                }
                (void)kl_ctrl_dep_scale_rs(w, act[i], sizes[i]);
        }
out:
        free(sizes);
        free(act);
        free(old);
}

void kl_ctrl_dep_sync_scale(struct kl_ctrl_dep *w)
{
        kl_ctrl_dep_get_all(w, false);
        scale(w);
        if (json_is_true(kl_ctrl_dig(w->d, "spec.paused")))
                kl_ctrl_dep_cleanup(w);
        kl_ctrl_dep_sync_status(w);
}

/* ------------------------------------------------------------------------- */
/* revisionHistoryLimit */

static int64_t revision(const struct kl_ctrl_dep_rs *rs)
{
        const char *s = json_string_value(json_object_get(
                kl_ctrl_dig(rs->obj, "metadata.annotations"), "deployment.kubernetes.io/revision"));
        int64_t v;

        if (!s || kl_parse_int64(s, &v) < 0)
                return 0;
        return v;
}

/* ReplicaSetsByRevision: lower revision first, then older first. */
static int by_revision(const void *a, const void *b)
{
        const struct kl_ctrl_dep_rs *const *x = a, *const *y = b;
        int64_t rx = revision(*x), ry = revision(*y);

        if (rx != ry)
                return rx < ry ? -1 : 1;
        return by_creation(a, b);
}

void kl_ctrl_dep_cleanup(struct kl_ctrl_dep *w)
{
        const json_t *limit = kl_ctrl_dig(w->d, "spec.revisionHistoryLimit");
        struct kl_ctrl_dep_rs **old;
        size_t n = 0;
        int64_t diff;

        if (!json_is_integer(limit) || json_integer_value(limit) == MAX_INT32)
                return;
        old = kl_calloc(w->n_rs + 1, sizeof(*old));
        for (size_t i = 0; i < w->n_rs; i++)
                if (!w->rs[i].deleted && &w->rs[i] != w->new_rs && w->rs[i].orig &&
                    !kl_ctrl_is_deleting(w->rs[i].obj))
                        old[n++] = &w->rs[i];
        diff = (int64_t)n - (int64_t)json_integer_value(limit);
        if (diff > 0) {
                qsort(old, n, sizeof(*old), by_revision);
                for (int64_t i = 0; i < diff; i++) {
                        struct kl_ctrl_dep_rs *rs = old[i];

                        /* Only those fully scaled down and observed so. */
                        if (kl_ctrl_dep_rs_count(rs, "replicas") != 0 ||
                            kl_ctrl_dep_rs_spec(rs) != 0 || rs->dirty ||
                            kl_ctrl_dig_int(rs->obj, "metadata.generation", 0) >
                                    kl_ctrl_dep_rs_count(rs, "observedGeneration"))
                                continue;
                        rs->deleted = true;
                        kl_ctrl_delete(w->out, kl_ctrl_res("apps", "replicasets"),
                                       kl_ctrl_meta_str(rs->obj, "namespace"),
                                       kl_ctrl_meta_str(rs->obj, "name"), NULL);
                }
        }
        free(old);
}
