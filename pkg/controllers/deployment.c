/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Deployment controller (upstream's pkg/controller/deployment): rolls a
 * Deployment's pod template out through ReplicaSets, one per template,
 * named "<deployment>-<pod-template-hash>".
 *
 * This file has the sync's frame (syncDeployment): claiming ReplicaSets,
 * finding or creating the new one with its revision annotations, the paused
 * and scaling-event paths, and turning the working state into actions.
 * deployment-status.c has the status and its conditions,
 * deployment-rolling.c the strategies and the scaling.
 *
 * Differences from upstream, and why:
 *   - Upstream writes as it goes and continues with what each write
 *     returned. Here writes change working copies (struct kl_ctrl_dep) and
 *     become one action per object at the end: same decisions, fewer
 *     writes, no conflicts between two writes of one sync.
 *   - Upstream stores the deployment.kubernetes.io/revision annotation
 *     through the status subresource (the Deployment status strategy keeps
 *     metadata changes). kube-lite's status subresource keeps only .status,
 *     so the annotation also goes out as a merge patch of the Deployment,
 *     issued after the status update (whose resourceVersion it would stale).
 *   - Recreate waits for the old ReplicaSets' pods to be gone. Upstream
 *     queues the Deployment on each pod deletion, looking the pod's
 *     ReplicaSet up from the event handler; enqueue callbacks here do not
 *     see the informers, so the sync looks again after a second while it
 *     waits.
 *   - An orphan ReplicaSet's event queues "orphan-rs:<ns>/<name>"; that
 *     key's sync lets the oldest Deployment selecting it adopt it.
 *   - Failed ReplicaSet creates (FailedRSCreate / ReplicaSetCreateError)
 *     are retried by the manager without the condition: the reconcile does
 *     not see the write's error.
 */
#include <string.h>

#include "api/patch.h"
#include "api/selector.h"
#include "base/parse.h"
#include "controllers/ctrl-internal.h"

#define HASH_LABEL       "pod-template-hash"
#define REVISION         "deployment.kubernetes.io/revision"
#define REVISION_HISTORY "deployment.kubernetes.io/revision-history"
#define DESIRED_REPLICAS "deployment.kubernetes.io/desired-replicas"
#define MAX_REPLICAS     "deployment.kubernetes.io/max-replicas"
#define ROLLBACK_TO      "deprecated.deployment.rollback.to"
#define LAST_APPLIED     "kubectl.kubernetes.io/last-applied-configuration"
/* Upstream's maxRevHistoryLengthInChars. */
#define MAX_REV_HISTORY 2000
#define ORPHAN_KEY      "orphan-rs:"

/* ------------------------------------------------------------------------- */
/* Small helpers */

int64_t kl_ctrl_dep_rs_spec(const struct kl_ctrl_dep_rs *rs)
{
        return kl_ctrl_dig_i32(rs->obj, "spec.replicas", 1);
}

int64_t kl_ctrl_dep_rs_count(const struct kl_ctrl_dep_rs *rs, const char *status_field)
{
        return kl_ctrl_dig_i32(json_object_get(rs->obj, "status"), status_field, 0);
}

static const char *annotation(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(kl_ctrl_dig(obj, "metadata.annotations"), key));
}

/* metadata.annotations of a working copy, created when absent. */
static json_t *annotations_of(json_t *obj)
{
        json_t *meta = json_object_get(obj, "metadata"), *a;

        if (!json_is_object(meta)) {
                meta = json_object();
                json_object_set_new(obj, "metadata", meta);
        }
        a = json_object_get(meta, "annotations");
        if (!json_is_object(a)) {
                a = json_object();
                json_object_set_new(meta, "annotations", a);
        }
        return a;
}

/* Set a string annotation; whether it changed. */
static bool set_annotation(json_t *annotations, const char *key, const char *value)
{
        if (kl_streq_null(json_string_value(json_object_get(annotations, key)), value))
                return false;
        json_object_set_new(annotations, key, json_string(value));
        return true;
}

static bool is_rolling(const json_t *d)
{
        const char *t = kl_ctrl_dig_str(d, "spec.strategy.type");

        return !t || kl_streq(t, "RollingUpdate");
}

/*
 * intstr.GetScaledValueFromIntOrPercent: an integer, or "N%" of `total`
 * rounded up or down. -1 when malformed (a string that is not a percentage).
 */
static int64_t scaled_value(const json_t *v, int64_t total, bool round_up)
{
        const char *s = json_string_value(v);
        size_t n;
        int64_t pct;

        if (!v)
                return 0;
        if (json_is_integer(v))
                return kl_ctrl_dig_i32(v, "", 0);
        if (!s || (n = strlen(s)) < 2 || s[n - 1] != '%' || n > 20)
                return -1;
        {
                char buf[24];

                memcpy(buf, s, n - 1);
                buf[n - 1] = '\0';
                /* Validated percentages are small; others must not overflow. */
                if (kl_parse_int64(buf, &pct) < 0 || pct < -INT32_MAX || pct > INT32_MAX)
                        return -1;
        }
        if (round_up)
                return (pct * total + (pct * total >= 0 ? 99 : 0)) / 100;
        return pct * total / 100;
}

/* Upstream's ResolveFenceposts; both 0 on malformed values (validation catches them). */
static void fenceposts(const json_t *d, int64_t desired, int64_t *ret_surge,
                       int64_t *ret_unavailable)
{
        const json_t *ru = kl_ctrl_dig(d, "spec.strategy.rollingUpdate");
        int64_t surge = scaled_value(json_object_get(ru, "maxSurge"), desired, true);
        int64_t unavailable = scaled_value(json_object_get(ru, "maxUnavailable"), desired, false);

        if (surge < 0 || unavailable < 0) {
                *ret_surge = *ret_unavailable = 0;
                return;
        }
        if (surge == 0 && unavailable == 0)
                unavailable = 1;
        *ret_surge = surge;
        *ret_unavailable = unavailable;
}

int64_t kl_ctrl_dep_max_surge(const struct kl_ctrl_dep *w)
{
        int64_t s, u;

        if (!is_rolling(w->d))
                return 0;
        fenceposts(w->d, w->replicas, &s, &u);
        return s;
}

int64_t kl_ctrl_dep_max_unavailable(const struct kl_ctrl_dep *w)
{
        int64_t s, u;

        if (!is_rolling(w->d) || w->replicas == 0)
                return 0;
        fenceposts(w->d, w->replicas, &s, &u);
        return u > w->replicas ? w->replicas : u;
}

/* ------------------------------------------------------------------------- */
/* Revisions and the new ReplicaSet */

static int64_t revision_of(const json_t *rs)
{
        const char *s = annotation(rs, REVISION);
        int64_t v;

        if (!s || kl_parse_int64(s, &v) < 0)
                return 0;
        return v;
}

/* EqualIgnoreHash: the templates without the pod-template-hash label (empty labels = none). */
static bool template_equal_ignore_hash(const json_t *a, const json_t *b)
{
        json_auto_t *x = json_deep_copy(a ? a : json_null());
        json_auto_t *y = json_deep_copy(b ? b : json_null());
        json_t *v[2] = { x, y };

        for (size_t i = 0; i < 2; i++) {
                json_t *meta = json_object_get(v[i], "metadata");
                json_t *labels = json_object_get(meta, "labels");

                kl_ctrl_strip_nulls(v[i]);
                (void)json_object_del(labels, HASH_LABEL);
                if (json_is_object(labels) && json_object_size(labels) == 0)
                        (void)json_object_del(meta, "labels");
        }
        return json_equal(x, y);
}

static bool set_replicas_annotations(json_t *rs, int64_t desired, int64_t max)
{
        json_t *a = annotations_of(rs);
        char buf[24];
        bool changed;

        (void)snprintf(buf, sizeof(buf), "%lld", (long long)desired);
        changed = set_annotation(a, DESIRED_REPLICAS, buf);
        (void)snprintf(buf, sizeof(buf), "%lld", (long long)max);
        changed |= set_annotation(a, MAX_REPLICAS, buf);
        return changed;
}

static bool skip_copy(const char *key)
{
        return kl_streq(key, LAST_APPLIED) || kl_streq(key, REVISION) ||
               kl_streq(key, REVISION_HISTORY) || kl_streq(key, DESIRED_REPLICAS) ||
               kl_streq(key, MAX_REPLICAS) || kl_streq(key, ROLLBACK_TO);
}

/* Upstream's SetNewReplicaSetAnnotations; whether anything changed. */
static bool set_new_rs_annotations(struct kl_ctrl_dep *w, json_t *rs, int64_t new_revision,
                                   bool exists)
{
        const json_t *da = kl_ctrl_dig(w->d, "metadata.annotations");
        json_t *a = annotations_of(rs), *v;
        const char *key, *old;
        bool changed = false;
        int64_t old_revision = 0;
        char buf[24];

        json_object_foreach((json_t *)da, key, v) {
                if (skip_copy(key) || !json_is_string(v))
                        continue;
                changed |= set_annotation(a, key, json_string_value(v));
        }
        old = json_string_value(json_object_get(a, REVISION));
        if (old && kl_parse_int64(old, &old_revision) < 0)
                return false; /* upstream gives up on a revision it cannot read */
        (void)snprintf(buf, sizeof(buf), "%lld", (long long)new_revision);
        if (old_revision < new_revision) {
                /* A rollback to this ReplicaSet: remember the revision it had. */
                if (old) {
                        kl_autofree char *oldc = kl_strdup(old);
                        const char *hist = json_string_value(json_object_get(a, REVISION_HISTORY));

                        if (!hist || !*hist) {
                                json_object_set_new(a, REVISION_HISTORY, json_string(oldc));
                        } else {
                                size_t total = strlen(hist) + strlen(oldc) + 1;
                                const char *start = hist;

                                /* Drop the oldest entries until it fits. */
                                while (total > MAX_REV_HISTORY && start) {
                                        const char *comma = strchr(start, ',');
                                        size_t len =
                                                comma ? (size_t)(comma - start) : strlen(start);

                                        total -= len + 1;
                                        start = comma ? comma + 1 : NULL;
                                }
                                if (total <= MAX_REV_HISTORY)
                                        json_object_set_new(
                                                a, REVISION_HISTORY,
                                                start && *start ? json_sprintf("%s,%s", start, oldc)
                                                                : json_string(oldc));
                        }
                }
                json_object_set_new(a, REVISION, json_string(buf));
                changed = true;
        }
        if (!exists &&
            set_replicas_annotations(rs, w->replicas, w->replicas + kl_ctrl_dep_max_surge(w)))
                changed = true;
        return changed;
}

/* Upstream's NewRSNewReplicas: how big the new ReplicaSet may be now. */
static int64_t new_rs_new_replicas(struct kl_ctrl_dep *w, const struct kl_ctrl_dep_rs *nrs,
                                   int64_t nrs_spec)
{
        int64_t current = 0, max_total, up;

        if (!is_rolling(w->d))
                return w->replicas;
        for (size_t i = 0; i < w->n_rs; i++)
                if (!w->rs[i].deleted && &w->rs[i] != nrs)
                        current += kl_ctrl_dep_rs_spec(&w->rs[i]);
        current += nrs_spec;
        max_total = w->replicas + kl_ctrl_dep_max_surge(w);
        if (current >= max_total)
                return nrs_spec;
        up = max_total - current;
        if (up > w->replicas - nrs_spec)
                up = w->replicas - nrs_spec;
        return nrs_spec + up;
}

static struct kl_ctrl_dep_rs *push_rs(struct kl_ctrl_dep *w, json_t *obj, const json_t *orig)
{
        size_t new_idx = w->new_rs ? (size_t)(w->new_rs - w->rs) : SIZE_MAX;

        w->rs = kl_realloc(w->rs, (w->n_rs + 1) * sizeof(*w->rs));
        if (new_idx != SIZE_MAX)
                w->new_rs = &w->rs[new_idx];
        w->rs[w->n_rs] = (struct kl_ctrl_dep_rs){ .obj = obj, .orig = orig };
        return &w->rs[w->n_rs++];
}

/* The ReplicaSet of the namespace (any owner) named `name`, or NULL. */
static const json_t *ns_rs(const struct kl_ctrl_dep *w, const char *name)
{
        for (size_t i = 0; i < w->in->n_rss; i++)
                if (kl_streq_null(kl_ctrl_meta_str(w->in->rss[i], "name"), name))
                        return w->in->rss[i];
        return NULL;
}

/* Create the new ReplicaSet (the second half of upstream's getNewReplicaSet). */
static void create_new_rs(struct kl_ctrl_dep *w, int64_t new_revision)
{
        const json_t *d = w->d;
        const json_t *tmpl = kl_ctrl_dig(d, "spec.template");
        kl_autofree char *hash =
                kl_ctrl_template_hash(tmpl, json_object_get(w->status, "collisionCount"));
        kl_autofree char *name = kl_asprintf("%s-%s", kl_ctrl_meta_str(d, "name"), hash);
        const json_t *dsel = kl_ctrl_dig(d, "spec.selector");
        json_t *ntmpl = json_is_object(tmpl) ? json_deep_copy(tmpl) : json_object();
        json_t *sel = json_is_object(dsel) ? json_deep_copy(dsel) : json_object();
        json_t *labels, *ml, *rs;
        const json_t *clash;
        struct kl_ctrl_dep_rs *nrs;
        int64_t n;
        char buf[24];

        if (!json_is_object(json_object_get(ntmpl, "metadata")))
                json_object_set_new(ntmpl, "metadata", json_object());
        labels = json_object_get(json_object_get(ntmpl, "metadata"), "labels");
        if (!json_is_object(labels)) {
                labels = json_object();
                json_object_set_new(json_object_get(ntmpl, "metadata"), "labels", labels);
        }
        json_object_set_new(labels, HASH_LABEL, json_string(hash));
        ml = json_object_get(sel, "matchLabels");
        if (!json_is_object(ml)) {
                ml = json_object();
                json_object_set_new(sel, "matchLabels", ml);
        }
        json_object_set_new(ml, HASH_LABEL, json_string(hash));
        rs = json_pack("{s:s, s:s, s:{s:s, s:s?, s:o, s:[o]}, s:{s:i, s:I, s:o, s:o}}",
                       "apiVersion", "apps/v1", "kind", "ReplicaSet", "metadata", "name", name,
                       "namespace", kl_ctrl_meta_str(d, "namespace"), "labels",
                       json_deep_copy(labels), "ownerReferences", kl_ctrl_owner_ref(d), "spec",
                       "replicas", 0, "minReadySeconds",
                       (json_int_t)kl_ctrl_dig_i32(d, "spec.minReadySeconds", 0), "selector", sel,
                       "template", ntmpl);

        clash = ns_rs(w, name);
        if (clash) {
                const json_t *ref = kl_ctrl_controller_ref(clash);

                json_decref(rs);
                if (ref &&
                    kl_streq_null(json_string_value(json_object_get(ref, "uid")),
                                  kl_ctrl_meta_str(d, "uid")) &&
                    template_equal_ignore_hash(tmpl, kl_ctrl_dig(clash, "spec.template"))) {
                        /* Ours already (created by an earlier sync): use it as it is. */
                        w->new_rs = push_rs(w, json_deep_copy(clash), clash);
                        (void)snprintf(buf, sizeof(buf), "%lld", (long long)new_revision);
                        (void)set_annotation(w->annotations, REVISION, buf);
                        return;
                }
                /* Someone else's: try the next hash. */
                json_object_set_new(
                        w->status, "collisionCount",
                        json_integer(kl_ctrl_dig_i32(w->status, "collisionCount", 0) + 1));
                w->stop = true;
                return;
        }

        nrs = push_rs(w, rs, NULL);
        nrs->dirty = true;
        n = new_rs_new_replicas(w, nrs, 0);
        json_object_set_new(json_object_get(rs, "spec"), "replicas", json_integer(n));
        (void)set_new_rs_annotations(w, rs, new_revision, false);
        w->new_rs = nrs;
        if (n > 0)
                kl_ctrl_event(w->out, d, "Normal", "ScalingReplicaSet",
                              "Scaled up replica set %s from 0 to %lld", name, (long long)n);
        (void)snprintf(buf, sizeof(buf), "%lld", (long long)new_revision);
        (void)set_annotation(w->annotations, REVISION, buf);
        if (kl_ctrl_dep_has_deadline(d)) {
                kl_autofree char *msg = kl_asprintf("Created new replica set \"%s\"", name);

                kl_ctrl_dep_cond_set(w->status,
                                     kl_ctrl_dep_cond_new("Progressing", "True",
                                                          "NewReplicaSetCreated", msg, w->in->now));
        }
}

static int cmp_rs_creation(const void *a, const void *b)
{
        const struct kl_ctrl_dep_rs *x = a, *y = b;

        return kl_ctrl_cmp_creation(x->obj, y->obj);
}

void kl_ctrl_dep_get_all(struct kl_ctrl_dep *w, bool create)
{
        const json_t *tmpl = kl_ctrl_dig(w->d, "spec.template");
        struct kl_ctrl_dep_rs *found = NULL;
        int64_t max_old = 0, new_revision;

        if (!w->new_rs) {
                /* FindNewReplicaSet: the oldest with the Deployment's template. */
                if (w->n_rs > 1)
                        qsort(w->rs, w->n_rs, sizeof(*w->rs), cmp_rs_creation);
                for (size_t i = 0; i < w->n_rs && !found; i++)
                        if (!w->rs[i].deleted &&
                            template_equal_ignore_hash(tmpl,
                                                       kl_ctrl_dig(w->rs[i].obj, "spec.template")))
                                found = &w->rs[i];
        } else {
                found = w->new_rs;
        }
        for (size_t i = 0; i < w->n_rs; i++) {
                int64_t r = revision_of(w->rs[i].obj);

                if (&w->rs[i] != found && !w->rs[i].deleted && r > max_old)
                        max_old = r;
        }
        new_revision = max_old + 1;

        if (found) {
                int64_t mrs = kl_ctrl_dig_i32(w->d, "spec.minReadySeconds", 0);
                bool changed = set_new_rs_annotations(w, found->obj, new_revision, true);

                w->new_rs = found;
                if (changed || kl_ctrl_dig_i32(found->obj, "spec.minReadySeconds", 0) != mrs) {
                        json_object_set_new(json_object_get(found->obj, "spec"), "minReadySeconds",
                                            json_integer(mrs));
                        found->dirty = true;
                        return;
                }
                (void)set_annotation(w->annotations, REVISION, annotation(found->obj, REVISION));
                if (kl_ctrl_dep_has_deadline(w->d) &&
                    !kl_ctrl_dep_cond_get(w->status, "Progressing")) {
                        kl_autofree char *msg = kl_asprintf("Found new replica set \"%s\"",
                                                            kl_ctrl_meta_str(found->obj, "name"));

                        kl_ctrl_dep_cond_set(w->status, kl_ctrl_dep_cond_new("Progressing", "True",
                                                                             "FoundNewReplicaSet",
                                                                             msg, w->in->now));
                }
                return;
        }
        if (create)
                create_new_rs(w, new_revision);
}

/* ------------------------------------------------------------------------- */
/* Scaling one ReplicaSet */

bool kl_ctrl_dep_scale_rs(struct kl_ctrl_dep *w, struct kl_ctrl_dep_rs *rs, int64_t n)
{
        int64_t old = kl_ctrl_dep_rs_spec(rs);
        int64_t max = w->replicas + kl_ctrl_dep_max_surge(w);
        bool ann = set_replicas_annotations(rs->obj, w->replicas, max);

        if (old == n && !ann)
                return false;
        json_object_set_new(json_object_get(rs->obj, "spec"), "replicas", json_integer(n));
        rs->dirty = true;
        if (old == n)
                return false;
        kl_ctrl_event(w->out, w->d, "Normal", "ScalingReplicaSet",
                      "Scaled %s replica set %s from %lld to %lld", old < n ? "up" : "down",
                      kl_ctrl_meta_str(rs->obj, "name"), (long long)old, (long long)n);
        return true;
}

bool kl_ctrl_dep_scale_rs_if(struct kl_ctrl_dep *w, struct kl_ctrl_dep_rs *rs, int64_t n)
{
        if (kl_ctrl_dep_rs_spec(rs) == n)
                return false;
        return kl_ctrl_dep_scale_rs(w, rs, n);
}

/* ------------------------------------------------------------------------- */
/* The reconcile */

/* isScalingEvent: an active ReplicaSet was sized for another replica count. */
static bool is_scaling_event(struct kl_ctrl_dep *w)
{
        kl_ctrl_dep_get_all(w, false);
        for (size_t i = 0; i < w->n_rs; i++) {
                const char *s = annotation(w->rs[i].obj, DESIRED_REPLICAS);
                int64_t v;

                if (w->rs[i].deleted || kl_ctrl_dep_rs_spec(&w->rs[i]) <= 0 || !s ||
                    kl_parse_int64(s, &v) < 0 || v < INT32_MIN || v > INT32_MAX)
                        continue;
                if (v != w->replicas)
                        return true;
        }
        return false;
}

/* Claim the namespace's ReplicaSets (getReplicaSetsForDeployment). */
static void claim_rss(struct kl_ctrl_dep *w, const struct kl_api_label_selector *sel)
{
        const struct kl_api_resource *res = kl_ctrl_res("apps", "replicasets");
        const char *ns = kl_ctrl_meta_str(w->d, "namespace");

        for (size_t i = 0; i < w->in->n_rss; i++) {
                const json_t *rs = w->in->rss[i];
                json_t *copy;
                json_t *refs;

                switch (kl_ctrl_rs_claim(w->d, sel, rs)) {
                case KL_CTRL_RS_CLAIM_OWNED:
                        push_rs(w, json_deep_copy(rs), rs);
                        break;
                case KL_CTRL_RS_CLAIM_ADOPT:
                        kl_ctrl_patch(w->out, res, ns, kl_ctrl_meta_str(rs, "name"), NULL,
                                      KL_API_PATCH_TYPE_STRATEGIC, kl_ctrl_adopt_patch(w->d, rs));
                        /* Adopted: the working copy carries the reference the patch adds. */
                        copy = json_deep_copy(rs);
                        refs = json_object_get(json_object_get(copy, "metadata"),
                                               "ownerReferences");
                        if (json_is_array(refs))
                                json_array_append_new(refs, kl_ctrl_owner_ref(w->d));
                        else
                                json_object_set_new(json_object_get(copy, "metadata"),
                                                    "ownerReferences",
                                                    json_pack("[o]", kl_ctrl_owner_ref(w->d)));
                        push_rs(w, copy, rs);
                        break;
                case KL_CTRL_RS_CLAIM_RELEASE:
                        kl_ctrl_patch(w->out, res, ns, kl_ctrl_meta_str(rs, "name"), NULL,
                                      KL_API_PATCH_TYPE_STRATEGIC, kl_ctrl_release_patch(w->d, rs));
                        break;
                case KL_CTRL_RS_CLAIM_IGNORE:
                        break;
                }
        }
}

/* Turn the working state into actions. */
static void finish(struct kl_ctrl_dep *w)
{
        const struct kl_api_resource *rsres = kl_ctrl_res("apps", "replicasets");
        const struct kl_api_resource *dres = kl_ctrl_res("apps", "deployments");
        const char *ns = kl_ctrl_meta_str(w->d, "namespace");
        const char *name = kl_ctrl_meta_str(w->d, "name");
        const json_t *old_status = json_object_get(w->d, "status");
        const json_t *old_ann = kl_ctrl_dig(w->d, "metadata.annotations");
        bool ann_changed = old_ann ? !json_equal(w->annotations, old_ann)
                                   : json_object_size(w->annotations) > 0;
        bool st_changed =
                old_status ? !json_equal(w->status, old_status) : json_object_size(w->status) > 0;

        for (size_t i = 0; i < w->n_rs; i++) {
                struct kl_ctrl_dep_rs *rs = &w->rs[i];

                if (rs->deleted)
                        continue;
                if (!rs->orig && rs->dirty)
                        kl_ctrl_create(w->out, rsres, ns, json_incref(rs->obj));
                else if (rs->dirty)
                        kl_ctrl_update(w->out, rsres, ns, kl_ctrl_meta_str(rs->obj, "name"), NULL,
                                       json_incref(rs->obj));
        }
        if (st_changed) {
                json_t *body = json_deep_copy(w->d);

                json_object_set(body, "status", w->status);
                json_object_set(json_object_get(body, "metadata"), "annotations", w->annotations);
                kl_ctrl_update(w->out, dres, ns, name, "status", body);
        } else {
                kl_ctrl_dep_requeue_stuck(w, w->status);
        }
        if (ann_changed) {
                json_t *patch = json_pack("{s:{s:{}}}", "metadata", "annotations");
                json_t *pa = json_object_get(json_object_get(patch, "metadata"), "annotations");
                const char *key;
                json_t *v;

                json_object_foreach(w->annotations, key, v)
                        if (!json_equal(v, json_object_get(old_ann, key)))
                                json_object_set(pa, key, v);
                kl_ctrl_patch(w->out, dres, ns, name, NULL, KL_API_PATCH_TYPE_MERGE, patch);
        }
}

static void dep_release(struct kl_ctrl_dep *w)
{
        for (size_t i = 0; i < w->n_rs; i++)
                json_decref(w->rs[i].obj);
        free(w->rs);
        json_decref(w->status);
        json_decref(w->annotations);
}

int kl_ctrl_deploy_reconcile(const struct kl_ctrl_deploy_input *in, struct kl_ctrl_actions *out,
                             kl_usec_t *requeue_after, struct kl_err **err)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *sel = NULL;
        const json_t *d = in->d;
        const char *ns = kl_ctrl_meta_str(d, "namespace"), *name = kl_ctrl_meta_str(d, "name");
        const json_t *st = json_object_get(d, "status");
        const json_t *ann = kl_ctrl_dig(d, "metadata.annotations");
        struct kl_ctrl_dep w = {
                .in = in,
                .d = d,
                .out = out,
                .status = json_is_object(st) ? json_deep_copy(st) : json_object(),
                .annotations = json_is_object(ann) ? json_deep_copy(ann) : json_object(),
                .replicas = kl_ctrl_dig_i32(d, "spec.replicas", 1),
        };
        const char *strategy = kl_ctrl_dig_str(d, "spec.strategy.type");
        int r;

        if (!ns || !name || !kl_ctrl_meta_str(d, "uid")) {
                dep_release(&w);
                return kl_err_set(err, -EINVAL, "Deployment without namespace, name or uid");
        }
        r = kl_ctrl_selector(d, &sel, err);
        if (r < 0) {
                dep_release(&w);
                return kl_err_wrap(err, r, "Deployment '%s/%s': invalid selector", ns, name);
        }
        if (kl_api_label_selector_is_empty(sel)) {
                kl_ctrl_event(out, d, "Warning", "SelectingAll",
                              "This deployment is selecting all pods. A non-empty selector is "
                              "required.");
                if (kl_ctrl_dig_int(st, "observedGeneration", 0) <
                    kl_ctrl_dig_int(d, "metadata.generation", 0)) {
                        json_t *body = json_deep_copy(d);

                        json_object_set(body, "status", w.status);
                        json_object_set_new(
                                w.status, "observedGeneration",
                                json_integer(kl_ctrl_dig_int(d, "metadata.generation", 0)));
                        kl_ctrl_update(out, kl_ctrl_res("apps", "deployments"), ns, name, "status",
                                       body);
                }
                dep_release(&w);
                return 0;
        }
        if (strategy && !kl_streq(strategy, "RollingUpdate") && !kl_streq(strategy, "Recreate")) {
                dep_release(&w);
                return kl_err_set(err, -EINVAL, "unexpected deployment strategy type: %s",
                                  strategy);
        }

        claim_rss(&w, sel);
        if (kl_ctrl_is_deleting(d)) {
                kl_ctrl_dep_get_all(&w, false);
                kl_ctrl_dep_sync_status(&w);
        } else {
                kl_ctrl_dep_check_paused(&w);
                if (json_is_true(kl_ctrl_dig(d, "spec.paused")) || is_scaling_event(&w))
                        kl_ctrl_dep_sync_scale(&w);
                else if (kl_streq_null(strategy, "Recreate"))
                        kl_ctrl_dep_rollout_recreate(&w);
                else
                        kl_ctrl_dep_rollout_rolling(&w);
        }
        if (w.stop) {
                /* A name collision: only the new collisionCount is written. */
                json_t *body = json_deep_copy(d);

                json_object_set(body, "status", w.status);
                kl_ctrl_update(out, kl_ctrl_res("apps", "deployments"), ns, name, "status", body);
        } else {
                finish(&w);
        }
        if (w.wait_pods && (!w.requeue || w.requeue > KL_USEC_PER_SEC))
                w.requeue = KL_USEC_PER_SEC;
        *requeue_after = w.requeue;
        dep_release(&w);
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Sync and events */

static int adopt_orphan(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv ds = { 0 };
        kl_autofree char *ns = NULL, *name = NULL;
        const json_t *rs, *best = NULL;

        kl_client_key_split(key, &ns, &name);
        rs = kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_REPLICASETS), ns, name);
        if (!rs || kl_ctrl_controller_ref(rs))
                return 0;
        kl_informer_list(kl_ctrl_informer(env, KL_CTRL_INF_DEPLOYMENTS), ns, &ds);
        for (size_t i = 0; i < ds.n; i++) {
                kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *sel = NULL;

                if (kl_ctrl_selector(ds.items[i], &sel, NULL) < 0 ||
                    kl_api_label_selector_is_empty(sel) ||
                    kl_ctrl_rs_claim(ds.items[i], sel, rs) != KL_CTRL_RS_CLAIM_ADOPT)
                        continue;
                if (!best || kl_ctrl_cmp_creation(ds.items[i], best) < 0)
                        best = ds.items[i];
        }
        if (best)
                kl_ctrl_patch(out, kl_ctrl_res("apps", "replicasets"), ns, name, NULL,
                              KL_API_PATCH_TYPE_STRATEGIC, kl_ctrl_adopt_patch(best, rs));
        return 0;
}

static int dep_sync(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out,
                    kl_usec_t *requeue_after, struct kl_err **err)
{
        const struct kl_informer *pi = kl_ctrl_informer(env, KL_CTRL_INF_PODS);
        kl_cleanup(kl_objv_clearp) struct kl_objv rss = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv pods = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv owned = { 0 };
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *ns = NULL, *name = NULL;
        const json_t *d;
        const char *uid;
        bool recreate;
        int r;

        if (strncmp(key, ORPHAN_KEY, strlen(ORPHAN_KEY)) == 0)
                return adopt_orphan(env, key + strlen(ORPHAN_KEY), out);
        kl_client_key_split(key, &ns, &name);
        d = kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_DEPLOYMENTS), ns, name);
        if (!d)
                return 0;
        uid = kl_ctrl_meta_str(d, "uid");
        recreate = kl_streq_null(kl_ctrl_dig_str(d, "spec.strategy.type"), "Recreate");
        kl_informer_list(kl_ctrl_informer(env, KL_CTRL_INF_REPLICASETS), ns, &rss);
        /* The pods of the ReplicaSets this Deployment may claim: only Recreate looks. */
        for (size_t i = 0; recreate && i < rss.n; i++) {
                const json_t *ref = kl_ctrl_controller_ref(rss.items[i]);
                const char *rsuid = kl_ctrl_meta_str(rss.items[i], "uid");

                if (!rsuid ||
                    (ref && !kl_streq_null(json_string_value(json_object_get(ref, "uid")), uid)))
                        continue;
                owned.n = 0;
                kl_informer_by_index(pi, KL_INDEX_OWNER, rsuid, &owned);
                for (size_t k = 0; k < owned.n; k++) {
                        const json_t *pref = kl_ctrl_controller_ref(owned.items[k]);

                        if (kl_streq_null(json_string_value(json_object_get(pref, "uid")), rsuid))
                                kl_objv_push(&pods, owned.items[k]);
                }
        }
        r = kl_ctrl_deploy_reconcile(
                &(struct kl_ctrl_deploy_input){
                        .d = d,
                        .rss = rss.items,
                        .n_rss = rss.n,
                        .pods = pods.items,
                        .n_pods = pods.n,
                        .now = env->now,
                },
                out, requeue_after, &e);
        /* A selector or strategy validation lets through: the user's to fix. */
        if (r < 0)
                kl_log_warn(KL_LOG_CTRL, "deployment: %s", kl_err_msg(e));
        (void)err;
        return 0;
}

static void enqueue_orphan(struct kl_ctrl *c, const json_t *rs)
{
        kl_autofree char *k = kl_client_key(rs);
        kl_autofree char *key = kl_asprintf(ORPHAN_KEY "%s", k);

        kl_ctrl_enqueue(c, key);
}

static void dep_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old, const json_t *obj)
{
        const json_t *oref, *nref;

        if (i == KL_CTRL_INF_DEPLOYMENTS) {
                kl_ctrl_enqueue_obj(c, obj ? obj : old);
                return;
        }
        /* ReplicaSets. */
        if (!obj) {
                kl_ctrl_enqueue_owner(c, old, "Deployment");
                return;
        }
        nref = kl_ctrl_controller_ref(obj);
        if (!old) {
                if (nref)
                        kl_ctrl_enqueue_owner(c, obj, "Deployment");
                else if (!kl_ctrl_is_deleting(obj))
                        enqueue_orphan(c, obj);
                return;
        }
        oref = kl_ctrl_controller_ref(old);
        if (oref && !json_equal(oref, nref))
                kl_ctrl_enqueue_owner(c, old, "Deployment");
        if (nref)
                kl_ctrl_enqueue_owner(c, obj, "Deployment");
        else if (!json_equal(kl_ctrl_dig(old, "metadata.labels"),
                             kl_ctrl_dig(obj, "metadata.labels")) ||
                 oref)
                enqueue_orphan(c, obj);
}

static const enum kl_ctrl_inf dep_watches[] = {
        KL_CTRL_INF_DEPLOYMENTS,
        KL_CTRL_INF_REPLICASETS,
        KL_CTRL_INF__COUNT,
};

static const enum kl_ctrl_inf dep_reads[] = {
        KL_CTRL_INF_PODS,
        KL_CTRL_INF__COUNT,
};

const struct kl_ctrl_def kl_ctrl_deployment = {
        .name = "deployment",
        .user = "system:serviceaccount:kube-system:deployment-controller",
        .watches = dep_watches,
        .reads = dep_reads,
        .enqueue = dep_enqueue,
        .sync = dep_sync,
};
