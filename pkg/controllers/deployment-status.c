/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Deployment controller's status (upstream's sync.go calculateStatus
 * and syncDeploymentStatus, progress.go syncRolloutStatus and
 * requeueStuckDeployment, deploymentutil's condition helpers): the counts,
 * the Available, Progressing and ReplicaFailure conditions with their
 * lastUpdateTime and lastTransitionTime, paused/resumed, and the progress
 * deadline. Works on the working state of one sync (struct kl_ctrl_dep).
 */
#include "controllers/ctrl-internal.h"

#define MAX_INT32 2147483647

/* spec.progressDeadlineSeconds as a duration. */
static kl_usec_t deadline(const json_t *d)
{
        int64_t s = kl_ctrl_dig_i32(d, "spec.progressDeadlineSeconds", 0);

        return s > 0 ? (kl_usec_t)s * KL_USEC_PER_SEC : 0;
}

bool kl_ctrl_dep_has_deadline(const json_t *d)
{
        const json_t *v = kl_ctrl_dig(d, "spec.progressDeadlineSeconds");

        return json_is_integer(v) && json_integer_value(v) != MAX_INT32;
}

/* ------------------------------------------------------------------------- */
/* Deployment conditions (upstream's deploymentutil condition helpers) */

const json_t *kl_ctrl_dep_cond_get(const json_t *status, const char *type)
{
        const json_t *conds = json_object_get(status, "conditions"), *c;
        size_t i;

        json_array_foreach(conds, i, c)
                if (kl_streq_null(json_string_value(json_object_get(c, "type")), type))
                        return c;
        return NULL;
}

static const char *dcond_str(const json_t *c, const char *field)
{
        return json_string_value(json_object_get(c, field));
}

json_t *kl_ctrl_dep_cond_new(const char *type, const char *status, const char *reason,
                             const char *message, kl_usec_t now)
{
        return json_pack("{s:s, s:s, s:o, s:o, s:s, s:s}", "type", type, "status", status,
                         "lastUpdateTime", kl_ctrl_time_json(now), "lastTransitionTime",
                         kl_ctrl_time_json(now), "reason", reason, "message", message);
}

static void dcond_remove(json_t *status, const char *type)
{
        json_t *conds = json_object_get(status, "conditions"), *c;
        size_t i;

        json_array_foreach(conds, i, c)
                if (kl_streq_null(dcond_str(c, "type"), type)) {
                        (void)json_array_remove(conds, i);
                        break;
                }
        if (json_is_array(conds) && json_array_size(conds) == 0)
                (void)json_object_del(status, "conditions");
}

/*
 * SetDeploymentCondition: nothing when status and reason are unchanged;
 * otherwise the condition replaces the old one at the end of the list,
 * keeping lastTransitionTime when the status did not change. `c` is stolen.
 */
void kl_ctrl_dep_cond_set(json_t *status, json_t *c)
{
        const char *type = dcond_str(c, "type");
        const json_t *cur = kl_ctrl_dep_cond_get(status, type);
        json_t *conds;

        if (cur && kl_streq_null(dcond_str(cur, "status"), dcond_str(c, "status")) &&
            kl_streq_null(dcond_str(cur, "reason"), dcond_str(c, "reason"))) {
                json_decref(c);
                return;
        }
        if (cur && kl_streq_null(dcond_str(cur, "status"), dcond_str(c, "status")))
                json_object_set(c, "lastTransitionTime",
                                json_object_get(cur, "lastTransitionTime"));
        dcond_remove(status, type);
        conds = json_object_get(status, "conditions");
        if (!json_is_array(conds)) {
                conds = json_array();
                json_object_set_new(status, "conditions", conds);
        }
        json_array_append_new(conds, c);
}

/* ------------------------------------------------------------------------- */
/* Status */

static void set_status_int(json_t *status, const char *field, int64_t v)
{
        if (v == 0)
                (void)json_object_del(status, field);
        else
                json_object_set_new(status, field, json_integer(v));
}

/* Upstream's calculateStatus, from the working ReplicaSets and status. New. */
static json_t *calculate_status(struct kl_ctrl_dep *w)
{
        int64_t available = 0, total = 0, actual = 0, ready = 0, updated = 0, unavailable;
        json_t *st = json_object(), *v;

        for (size_t i = 0; i < w->n_rs; i++) {
                const struct kl_ctrl_dep_rs *rs = &w->rs[i];

                if (rs->deleted)
                        continue;
                available += kl_ctrl_dep_rs_count(rs, "availableReplicas");
                total += kl_ctrl_dep_rs_spec(rs);
                actual += kl_ctrl_dep_rs_count(rs, "replicas");
                ready += kl_ctrl_dep_rs_count(rs, "readyReplicas");
        }
        if (w->new_rs)
                updated = kl_ctrl_dep_rs_count(w->new_rs, "replicas");
        unavailable = total - available;
        if (unavailable < 0)
                unavailable = 0;
        set_status_int(st, "observedGeneration", kl_ctrl_dig_int(w->d, "metadata.generation", 0));
        set_status_int(st, "replicas", actual);
        set_status_int(st, "updatedReplicas", updated);
        set_status_int(st, "readyReplicas", ready);
        set_status_int(st, "availableReplicas", available);
        set_status_int(st, "unavailableReplicas", unavailable);
        if ((v = json_object_get(w->status, "conditions")))
                json_object_set_new(st, "conditions", json_deep_copy(v));
        if ((v = json_object_get(w->status, "collisionCount")))
                json_object_set(st, "collisionCount", v);
        if (available >= w->replicas - kl_ctrl_dep_max_unavailable(w))
                kl_ctrl_dep_cond_set(
                        st,
                        kl_ctrl_dep_cond_new("Available", "True", "MinimumReplicasAvailable",
                                             "Deployment has minimum availability.", w->in->now));
        else
                kl_ctrl_dep_cond_set(
                        st, kl_ctrl_dep_cond_new("Available", "False", "MinimumReplicasUnavailable",
                                                 "Deployment does not have minimum availability.",
                                                 w->in->now));
        return st;
}

bool kl_ctrl_dep_complete(const struct kl_ctrl_dep *w, const json_t *st)
{
        return kl_ctrl_dig_i32(st, "updatedReplicas", 0) == w->replicas &&
               kl_ctrl_dig_i32(st, "replicas", 0) == w->replicas &&
               kl_ctrl_dig_i32(st, "availableReplicas", 0) == w->replicas &&
               kl_ctrl_dig_int(st, "observedGeneration", 0) >=
                       kl_ctrl_dig_int(w->d, "metadata.generation", 0);
}

/* DeploymentProgressing: against the status before this step. */
static bool progressing(const json_t *old, const json_t *st)
{
        int64_t old_old =
                kl_ctrl_dig_i32(old, "replicas", 0) - kl_ctrl_dig_i32(old, "updatedReplicas", 0);
        int64_t new_old =
                kl_ctrl_dig_i32(st, "replicas", 0) - kl_ctrl_dig_i32(st, "updatedReplicas", 0);

        return kl_ctrl_dig_i32(st, "updatedReplicas", 0) >
                       kl_ctrl_dig_i32(old, "updatedReplicas", 0) ||
               new_old < old_old ||
               kl_ctrl_dig_i32(st, "readyReplicas", 0) > kl_ctrl_dig_i32(old, "readyReplicas", 0) ||
               kl_ctrl_dig_i32(st, "availableReplicas", 0) >
                       kl_ctrl_dig_i32(old, "availableReplicas", 0);
}

/* DeploymentTimedOut: the Progressing condition not updated for progressDeadlineSeconds. */
static bool timed_out(const struct kl_ctrl_dep *w, const json_t *old)
{
        const json_t *c = kl_ctrl_dep_cond_get(old, "Progressing");
        kl_usec_t from;

        if (!kl_ctrl_dep_has_deadline(w->d) || !c)
                return false;
        if (kl_streq_null(dcond_str(c, "reason"), "NewReplicaSetAvailable"))
                return false;
        if (kl_streq_null(dcond_str(c, "reason"), "ProgressDeadlineExceeded"))
                return true;
        from = kl_ctrl_time(json_object_get(c, "lastUpdateTime"));
        return from + deadline(w->d) < w->in->now;
}

/* The ReplicaFailure conditions of the ReplicaSets, the new one's first. */
static json_t *replica_failure(const struct kl_ctrl_dep *w)
{
        const json_t *c = NULL;

        if (w->new_rs)
                c = kl_ctrl_get_condition(w->new_rs->obj, "ReplicaFailure");
        for (size_t i = 0; i < w->n_rs && !c; i++)
                if (!w->rs[i].deleted)
                        c = kl_ctrl_get_condition(w->rs[i].obj, "ReplicaFailure");
        if (!c)
                return NULL;
        return json_pack("{s:s, s:O?, s:O?, s:O?, s:O?, s:O?}", "type", "ReplicaFailure", "status",
                         json_object_get(c, "status"), "lastUpdateTime",
                         json_object_get(c, "lastTransitionTime"), "lastTransitionTime",
                         json_object_get(c, "lastTransitionTime"), "reason",
                         json_object_get(c, "reason"), "message", json_object_get(c, "message"));
}

/* requeueStuckDeployment: look again when the progress deadline passes. */
void kl_ctrl_dep_requeue_stuck(struct kl_ctrl_dep *w, const json_t *st)
{
        const json_t *c = kl_ctrl_dep_cond_get(st, "Progressing");
        kl_usec_t at;
        if (!kl_ctrl_dep_has_deadline(w->d) || !c || kl_ctrl_dep_complete(w, st) ||
            kl_streq_null(dcond_str(c, "reason"), "ProgressDeadlineExceeded"))
                return;
        at = kl_ctrl_time(json_object_get(c, "lastUpdateTime")) + deadline(w->d);
        if (at < w->in->now + KL_USEC_PER_SEC)
                w->requeue = KL_USEC_PER_SEC;
        else
                w->requeue = at - w->in->now + KL_USEC_PER_SEC;
}

static void progress_msg(const struct kl_ctrl_dep *w, const char *what, char **ret)
{
        if (w->new_rs)
                *ret = kl_asprintf("ReplicaSet \"%s\" %s", kl_ctrl_meta_str(w->new_rs->obj, "name"),
                                   what);
        else
                *ret = kl_asprintf("Deployment \"%s\" %s", kl_ctrl_meta_str(w->d, "name"), what);
}

void kl_ctrl_dep_sync_rollout_status(struct kl_ctrl_dep *w)
{
        json_t *st = calculate_status(w), *rf;
        const json_t *cur = kl_ctrl_dep_cond_get(w->status, "Progressing");
        bool complete_already;

        if (!kl_ctrl_dep_has_deadline(w->d))
                dcond_remove(st, "Progressing");
        complete_already =
                kl_ctrl_dig_i32(st, "replicas", 0) == kl_ctrl_dig_i32(st, "updatedReplicas", 0) &&
                cur && kl_streq_null(dcond_str(cur, "reason"), "NewReplicaSetAvailable");
        if (kl_ctrl_dep_has_deadline(w->d) && !complete_already) {
                kl_autofree char *msg = NULL;

                if (kl_ctrl_dep_complete(w, st)) {
                        progress_msg(w, "has successfully progressed.", &msg);
                        kl_ctrl_dep_cond_set(st, kl_ctrl_dep_cond_new("Progressing", "True",
                                                                      "NewReplicaSetAvailable", msg,
                                                                      w->in->now));
                } else if (progressing(w->status, st)) {
                        json_t *c;

                        progress_msg(w, "is progressing.", &msg);
                        c = kl_ctrl_dep_cond_new("Progressing", "True", "ReplicaSetUpdated", msg,
                                                 w->in->now);
                        if (cur) {
                                if (kl_streq_null(dcond_str(cur, "status"), "True"))
                                        json_object_set(c, "lastTransitionTime",
                                                        json_object_get(cur, "lastTransitionTime"));
                                dcond_remove(st, "Progressing");
                        }
                        kl_ctrl_dep_cond_set(st, c);
                } else if (timed_out(w, w->status)) {
                        progress_msg(w, "has timed out progressing.", &msg);
                        kl_ctrl_dep_cond_set(st, kl_ctrl_dep_cond_new("Progressing", "False",
                                                                      "ProgressDeadlineExceeded",
                                                                      msg, w->in->now));
                }
        }
        rf = replica_failure(w);
        if (rf)
                kl_ctrl_dep_cond_set(st, rf);
        else
                dcond_remove(st, "ReplicaFailure");
        json_decref(w->status);
        w->status = st;
}

void kl_ctrl_dep_sync_status(struct kl_ctrl_dep *w)
{
        json_t *st = calculate_status(w);

        json_decref(w->status);
        w->status = st;
}

/* checkPausedConditions. */
void kl_ctrl_dep_check_paused(struct kl_ctrl_dep *w)
{
        const json_t *c = kl_ctrl_dep_cond_get(w->status, "Progressing");
        bool paused = json_is_true(kl_ctrl_dig(w->d, "spec.paused"));
        bool paused_cond;

        if (!kl_ctrl_dep_has_deadline(w->d))
                return;
        if (c && kl_streq_null(dcond_str(c, "reason"), "ProgressDeadlineExceeded"))
                return;
        paused_cond = c && kl_streq_null(dcond_str(c, "reason"), "DeploymentPaused");
        if (paused && !paused_cond)
                kl_ctrl_dep_cond_set(w->status,
                                     kl_ctrl_dep_cond_new("Progressing", "Unknown",
                                                          "DeploymentPaused",
                                                          "Deployment is paused", w->in->now));
        else if (!paused && paused_cond)
                kl_ctrl_dep_cond_set(w->status,
                                     kl_ctrl_dep_cond_new("Progressing", "Unknown",
                                                          "DeploymentResumed",
                                                          "Deployment is resumed", w->in->now));
}
