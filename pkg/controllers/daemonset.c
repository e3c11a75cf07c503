/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DaemonSet controller (upstream's pkg/controller/daemon): one pod per
 * node that the pod template's nodeSelector, required node affinity and
 * tolerations admit, pinned to its node by a required node affinity on
 * metadata.name (the scheduler binds it), rolled out through
 * ControllerRevisions (history.c) with maxUnavailable or maxSurge.
 *
 * Node matching and toleration checks are written here, small and pure, as
 * upstream's daemon controller has its own copy of the scheduler's
 * predicates.
 *
 * Keys are "ns/name"; "*" reconciles every DaemonSet (a node came, went or
 * changed what it admits) and "ns/ *" (without the blank) every DaemonSet
 * of a namespace (an orphan pod or revision that one of them may adopt).
 *
 * Pod names: upstream creates with generateName and its event names the pod
 * the server generated. A reconcile cannot learn that name, so it generates
 * the name itself, in the form the server would ("<ds>-" and five characters
 * of the same alphabet), from the DaemonSet's uid and generation, the node,
 * the revision and a counter that skips names any pod of the namespace
 * already has.
 */
#include <stdlib.h>
#include <string.h>

#include "api/patch.h"
#include "api/selector.h"
#include "controllers/ctrl-internal.h"

#define TEMPLATE_GENERATION_LABEL      "pod-template-generation"
#define TEMPLATE_GENERATION_ANNOTATION "deprecated.daemonset.template.generation"
#define DS_HISTORY_LIMIT               10
/* Names tried for one pod before giving up for this sync. */
#define DS_MAX_NAME_TRIES 64

/* ------------------------------------------------------------------------- */
/* Node affinity and taints */

static const char *node_label(const json_t *node, const char *key)
{
        return json_string_value(
                json_object_get(json_object_get(json_object_get(node, "metadata"), "labels"), key));
}

static bool str_in(const json_t *values, const char *s)
{
        size_t i;
        json_t *v;

        json_array_foreach(values, i, v)
                if (kl_streq_null(json_string_value(v), s))
                        return true;
        return false;
}

/* A NodeSelectorRequirement against a value (NULL: absent). */
static bool requirement_holds(const json_t *req, const char *value)
{
        const char *op = json_string_value(json_object_get(req, "operator"));
        const json_t *values = json_object_get(req, "values");
        int64_t have, want;

        if (kl_streq_null(op, "In"))
                return value && str_in(values, value);
        if (kl_streq_null(op, "NotIn"))
                return !value || !str_in(values, value);
        if (kl_streq_null(op, "Exists"))
                return value != NULL;
        if (kl_streq_null(op, "DoesNotExist"))
                return value == NULL;
        if (kl_streq_null(op, "Gt") || kl_streq_null(op, "Lt")) {
                if (!value || json_array_size(values) != 1 || kl_parse_int64(value, &have) < 0 ||
                    kl_parse_int64(json_string_value(json_array_get(values, 0)) ?: "", &want) < 0)
                        return false;
                return kl_streq(op, "Gt") ? have > want : have < want;
        }
        return false;
}

/* A NodeSelectorTerm: its expressions and fields all hold; an empty term matches nothing. */
static bool term_matches(const json_t *term, const json_t *node)
{
        const json_t *exprs = json_object_get(term, "matchExpressions");
        const json_t *fields = json_object_get(term, "matchFields");
        size_t i;
        json_t *r;

        if (json_array_size(exprs) == 0 && json_array_size(fields) == 0)
                return false;
        json_array_foreach(exprs, i, r)
                if (!requirement_holds(
                            r, node_label(node, json_string_value(json_object_get(r, "key")))))
                        return false;
        json_array_foreach(fields, i, r) {
                /* metadata.name is the only field a node selector may name. */
                if (!kl_streq_null(json_string_value(json_object_get(r, "key")), "metadata.name"))
                        return false;
                if (!requirement_holds(r, kl_ctrl_meta_str(node, "name")))
                        return false;
        }
        return true;
}

bool kl_ctrl_node_matches(const json_t *spec, const json_t *node)
{
        const json_t *sel = json_object_get(spec, "nodeSelector");
        const json_t *req =
                json_object_get(json_object_get(json_object_get(spec, "affinity"), "nodeAffinity"),
                                "requiredDuringSchedulingIgnoredDuringExecution");
        const char *k;
        json_t *v, *term;
        size_t i;

        json_object_foreach((json_t *)sel, k, v)
                if (!kl_streq_null(node_label(node, k), json_string_value(v)))
                        return false;
        if (!req)
                return true;
        json_array_foreach(json_object_get(req, "nodeSelectorTerms"), i, term)
                if (term_matches(term, node))
                        return true;
        return false;
}

bool kl_ctrl_tolerates(const json_t *tolerations, const json_t *taint)
{
        const char *tkey = json_string_value(json_object_get(taint, "key"));
        const char *tval = json_string_value(json_object_get(taint, "value"));
        const char *teff = json_string_value(json_object_get(taint, "effect"));
        size_t i;
        json_t *t;

        json_array_foreach(tolerations, i, t) {
                const char *key = json_string_value(json_object_get(t, "key"));
                const char *op = json_string_value(json_object_get(t, "operator"));
                const char *val = json_string_value(json_object_get(t, "value"));
                const char *eff = json_string_value(json_object_get(t, "effect"));

                if (!kl_isempty(eff) && !kl_streq_null(eff, teff))
                        continue;
                /* An empty key with Exists tolerates every taint. */
                if (!kl_isempty(key) && !kl_streq_null(key, tkey))
                        continue;
                if (kl_isempty(key) && !kl_streq_null(op, "Exists"))
                        continue;
                if (kl_streq_null(op, "Exists"))
                        return true;
                if ((kl_isempty(op) || kl_streq(op, "Equal")) &&
                    kl_streq(val ? val : "", tval ? tval : ""))
                        return true;
        }
        return false;
}

/* AddOrUpdateTolerationInPodSpec: replace a matching one (key, operator, value, effect). */
static void add_toleration(json_t *spec, const char *key, const char *effect)
{
        json_t *tols = json_object_get(spec, "tolerations"), *t, *nt;
        size_t i;

        nt = json_pack("{s:s, s:s, s:s}", "key", key, "operator", "Exists", "effect", effect);
        if (!json_is_array(tols)) {
                tols = json_array();
                json_object_set_new(spec, "tolerations", tols);
        }
        json_array_foreach(tols, i, t) {
                const char *val = json_string_value(json_object_get(t, "value"));

                if (kl_streq_null(json_string_value(json_object_get(t, "key")), key) &&
                    kl_streq_null(json_string_value(json_object_get(t, "operator")), "Exists") &&
                    kl_streq_null(json_string_value(json_object_get(t, "effect")), effect) &&
                    kl_isempty(val)) {
                        json_array_set_new(tols, i, nt);
                        return;
                }
        }
        json_array_append_new(tols, nt);
}

void kl_ctrl_ds_add_tolerations(json_t *spec)
{
        add_toleration(spec, "node.kubernetes.io/not-ready", "NoExecute");
        add_toleration(spec, "node.kubernetes.io/unreachable", "NoExecute");
        add_toleration(spec, "node.kubernetes.io/disk-pressure", "NoSchedule");
        add_toleration(spec, "node.kubernetes.io/memory-pressure", "NoSchedule");
        add_toleration(spec, "node.kubernetes.io/pid-pressure", "NoSchedule");
        add_toleration(spec, "node.kubernetes.io/unschedulable", "NoSchedule");
        if (json_is_true(json_object_get(spec, "hostNetwork")))
                add_toleration(spec, "node.kubernetes.io/network-unavailable", "NoSchedule");
}

bool kl_ctrl_ds_should_run(const json_t *ds, const json_t *node, bool *ret_continue)
{
        const json_t *tspec =
                json_object_get(json_object_get(json_object_get(ds, "spec"), "template"), "spec");
        const char *want = json_string_value(json_object_get(tspec, "nodeName"));
        const char *name = kl_ctrl_meta_str(node, "name");
        json_auto_t *spec = json_is_object(tspec) ? json_deep_copy(tspec) : json_object();
        bool fits = true, evicts = false;
        size_t i;
        json_t *taint;

        *ret_continue = false;
        if (!kl_isempty(want) && !kl_streq_null(want, name))
                return false;
        if (!kl_ctrl_node_matches(spec, node))
                return false;
        kl_ctrl_ds_add_tolerations(spec);
        json_array_foreach(json_object_get(json_object_get(node, "spec"), "taints"), i, taint) {
                const char *eff = json_string_value(json_object_get(taint, "effect"));

                if (!kl_streq_null(eff, "NoSchedule") && !kl_streq_null(eff, "NoExecute"))
                        continue;
                if (kl_ctrl_tolerates(json_object_get(spec, "tolerations"), taint))
                        continue;
                fits = false;
                if (kl_streq(eff, "NoExecute"))
                        evicts = true;
        }
        /* Pods already there stay unless a NoExecute taint would evict them. */
        *ret_continue = !evicts;
        return fits;
}

/* ------------------------------------------------------------------------- */
/* One sync */

struct dpod {
        const json_t *pod; /* borrowed */
        const char *node;  /* borrowed from pod */
};

struct ds {
        const struct kl_ctrl_ds_input *in;
        const json_t *ds;
        const char *name, *ns;
        const char *hash;       /* the current revision's; borrowed */
        const char *generation; /* the template-generation annotation, or NULL */
        int64_t min_ready;
        bool surge_allowed;
        struct kl_ctrl_actions *out;
        const struct kl_api_resource *pods_res, *revs_res;
        struct dpod *pods; /* owned array; claimed pods, by node then age */
        size_t n_pods;
        char **taken; /* owned: pod names chosen this sync */
};

/* GetTargetNodeName: spec.nodeName, or the metadata.name the affinity pins. */
static const char *target_node(const json_t *pod)
{
        const json_t *spec = json_object_get(pod, "spec");
        const char *n = json_string_value(json_object_get(spec, "nodeName"));
        const json_t *terms = json_object_get(
                json_object_get(json_object_get(json_object_get(spec, "affinity"), "nodeAffinity"),
                                "requiredDuringSchedulingIgnoredDuringExecution"),
                "nodeSelectorTerms");
        size_t i, j;
        json_t *t, *f;

        if (!kl_isempty(n))
                return n;
        json_array_foreach(terms, i, t) {
                json_array_foreach(json_object_get(t, "matchFields"), j, f) {
                        if (!kl_streq_null(json_string_value(json_object_get(f, "key")),
                                           "metadata.name") ||
                            !kl_streq_null(json_string_value(json_object_get(f, "operator")), "In"))
                                continue;
                        if (json_array_size(json_object_get(f, "values")) != 1)
                                return NULL;
                        return json_string_value(json_array_get(json_object_get(f, "values"), 0));
                }
        }
        return NULL;
}

static const char *pod_phase(const json_t *pod)
{
        return json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));
}

static const char *pod_label(const json_t *pod, const char *key)
{
        return json_string_value(
                json_object_get(json_object_get(json_object_get(pod, "metadata"), "labels"), key));
}

static bool has_node_name(const json_t *pod)
{
        return !kl_isempty(
                json_string_value(json_object_get(json_object_get(pod, "spec"), "nodeName")));
}

/* podByCreationTimestampAndPhase: scheduled first, then oldest, then by name. */
static int cmp_age(const json_t *a, const json_t *b)
{
        kl_usec_t ta, tb;

        if (has_node_name(a) != has_node_name(b))
                return has_node_name(a) ? -1 : 1;
        ta = kl_ctrl_time(json_object_get(json_object_get(a, "metadata"), "creationTimestamp"));
        tb = kl_ctrl_time(json_object_get(json_object_get(b, "metadata"), "creationTimestamp"));
        if (ta != tb)
                return ta < tb ? -1 : 1;
        return strcmp(kl_ctrl_meta_str(a, "name") ?: "", kl_ctrl_meta_str(b, "name") ?: "");
}

static int cmp_dpod(const void *pa, const void *pb)
{
        const struct dpod *a = pa, *b = pb;
        int r = strcmp(a->node, b->node);

        return r ? r : cmp_age(a->pod, b->pod);
}

/* IsPodUpdated: the revision hash, or the old template generation, matches. */
static bool pod_updated(const struct ds *d, const json_t *pod)
{
        return (!kl_isempty(d->hash) &&
                kl_streq_null(pod_label(pod, KL_CTRL_REVISION_HASH_LABEL), d->hash)) ||
               (d->generation &&
                kl_streq_null(pod_label(pod, TEMPLATE_GENERATION_LABEL), d->generation));
}

static bool pod_available(const struct ds *d, const json_t *pod)
{
        return kl_ctrl_pod_is_available(pod, d->min_ready, d->in->now);
}

/* The claimed pods on node `node`: [*ret_first, *ret_first + n). */
static size_t pods_on(const struct ds *d, const char *node, size_t *ret_first)
{
        size_t i = 0, n = 0;

        while (i < d->n_pods && strcmp(d->pods[i].node, node) < 0)
                i++;
        while (i + n < d->n_pods && kl_streq(d->pods[i + n].node, node))
                n++;
        *ret_first = i;
        return n;
}

static bool name_taken(const struct ds *d, const char *name)
{
        for (size_t i = 0; i < d->in->n_pods; i++)
                if (kl_streq_null(kl_ctrl_meta_str(d->in->pods[i], "name"), name))
                        return true;
        return kl_strv_contains(d->taken, name);
}

/* A name as the server's generateName would make, stable for the same state. */
static char *pod_name(struct ds *d, const char *node)
{
        static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";

        for (unsigned salt = 0; salt < DS_MAX_NAME_TRIES; salt++) {
                kl_autofree char *seed = kl_asprintf(
                        "%s/%lld/%s/%s/%u", kl_ctrl_meta_str(d->ds, "uid") ?: "",
                        (long long)kl_ctrl_int_field(d->ds, "metadata", "generation", 0), node,
                        d->hash, salt);
                kl_autofree char *prefix = kl_asprintf("%s-", d->name);
                uint32_t h = 2166136261u;
                size_t plen = strlen(prefix);
                char suffix[6];
                char *name;

                for (const char *p = seed; *p; p++) {
                        h ^= (unsigned char)*p;
                        h *= 16777619u;
                }
                for (int i = 0; i < 5; i++) {
                        suffix[i] = alphabet[h % (sizeof(alphabet) - 1)];
                        h = h / (sizeof(alphabet) - 1) ^ (h << 7);
                }
                suffix[5] = '\0';
                /* Upstream's generator keeps at most 58 bytes of the prefix. */
                name = kl_asprintf("%.*s%s", (int)(plen > 58 ? 58 : plen), prefix, suffix);
                if (!name_taken(d, name)) {
                        kl_strv_push(&d->taken, name);
                        return name;
                }
                free(name);
        }
        return NULL;
}

static void delete_pod(struct ds *d, const json_t *pod)
{
        const char *name = kl_ctrl_meta_str(pod, "name");

        kl_ctrl_delete(d->out, d->pods_res, d->ns, name, NULL);
        kl_ctrl_event(d->out, d->ds, "Normal", "SuccessfulDelete", "Deleted pod: %s", name);
}

/*
 * CreatePodTemplate plus the node pinning: the daemon tolerations, the
 * revision labels, and a required node affinity on metadata.name that
 * replaces the template's required terms (ReplaceDaemonSetPodNodeNameNodeAffinity).
 */
static void create_pod(struct ds *d, const char *node)
{
        const json_t *tmpl = json_object_get(json_object_get(d->ds, "spec"), "template");
        json_auto_t *t = json_is_object(tmpl) ? json_deep_copy(tmpl) : json_object();
        json_t *meta, *labels, *spec, *aff, *na, *pod;
        kl_autofree char *name = pod_name(d, node);

        if (!name)
                return;
        if (!json_is_object(json_object_get(t, "metadata")))
                json_object_set_new(t, "metadata", json_object());
        meta = json_object_get(t, "metadata");
        if (!json_is_object(json_object_get(meta, "labels")))
                json_object_set_new(meta, "labels", json_object());
        labels = json_object_get(meta, "labels");
        if (d->generation)
                json_object_set_new(labels, TEMPLATE_GENERATION_LABEL, json_string(d->generation));
        if (!kl_isempty(d->hash))
                json_object_set_new(labels, KL_CTRL_REVISION_HASH_LABEL, json_string(d->hash));
        if (!json_is_object(json_object_get(t, "spec")))
                json_object_set_new(t, "spec", json_object());
        spec = json_object_get(t, "spec");
        kl_ctrl_ds_add_tolerations(spec);
        if (!json_is_object(json_object_get(spec, "affinity")))
                json_object_set_new(spec, "affinity", json_object());
        aff = json_object_get(spec, "affinity");
        if (!json_is_object(json_object_get(aff, "nodeAffinity")))
                json_object_set_new(aff, "nodeAffinity", json_object());
        na = json_object_get(aff, "nodeAffinity");
        json_object_set_new(na, "requiredDuringSchedulingIgnoredDuringExecution",
                            json_pack("{s:[{s:[{s:s, s:s, s:[s]}]}]}", "nodeSelectorTerms",
                                      "matchFields", "key", "metadata.name", "operator", "In",
                                      "values", node));

        pod = kl_ctrl_pod_from_template(t, d->ds, d->name);
        json_object_del(json_object_get(pod, "metadata"), "generateName");
        json_object_set_new(json_object_get(pod, "metadata"), "name", json_string(name));
        kl_ctrl_create(d->out, d->pods_res, d->ns, pod);
        kl_ctrl_event(d->out, d->ds, "Normal", "SuccessfulCreate", "Created pod: %s", name);
}

/* ------------------------------------------------------------------------- */
/* History (constructHistory, cleanupHistory) */

/*
 * Find or make the current revision; 1 when the sync must stop here (a
 * name collision: the status gets a bumped collisionCount and the next sync
 * hashes again), 0 when d->hash is set.
 */
static int construct_history(struct ds *d, const json_t **revs, size_t n_revs,
                             const json_t **ret_old, size_t *ret_n_old, const json_t **ret_cur)
{
        json_auto_t *patch = kl_ctrl_revision_patch(d->ds);
        const json_t *cur = NULL, *status = json_object_get(d->ds, "status");
        size_t n_old = 0;
        int64_t next;

        for (size_t i = 0; i < n_revs; i++) {
                const json_t *labels =
                        json_object_get(json_object_get(revs[i], "metadata"), "labels");

                /* Revisions from before the hash label get their name as hash. */
                if (!json_string_value(json_object_get(labels, KL_CTRL_REVISION_HASH_LABEL)))
                        kl_ctrl_patch(d->out, d->revs_res, d->ns, kl_ctrl_meta_str(revs[i], "name"),
                                      NULL, KL_API_PATCH_TYPE_MERGE,
                                      json_pack("{s:{s:{s:s?}}}", "metadata", "labels",
                                                KL_CTRL_REVISION_HASH_LABEL,
                                                kl_ctrl_meta_str(revs[i], "name")));
                if (!json_equal(json_object_get(revs[i], "data"), patch)) {
                        ret_old[n_old++] = revs[i];
                        continue;
                }
                /* dedupCurHistories: keep the highest revision, drop the others. */
                if (!cur || kl_ctrl_revision_number(revs[i]) > kl_ctrl_revision_number(cur)) {
                        if (cur)
                                kl_ctrl_delete(d->out, d->revs_res, d->ns,
                                               kl_ctrl_meta_str(cur, "name"), NULL);
                        cur = revs[i];
                } else {
                        kl_ctrl_delete(d->out, d->revs_res, d->ns,
                                       kl_ctrl_meta_str(revs[i], "name"), NULL);
                }
        }
        *ret_n_old = n_old;
        next = kl_ctrl_revisions_next(ret_old, n_old);
        if (cur) {
                if (kl_ctrl_revision_number(cur) < next)
                        kl_ctrl_patch(d->out, d->revs_res, d->ns, kl_ctrl_meta_str(cur, "name"),
                                      NULL, KL_API_PATCH_TYPE_MERGE,
                                      json_pack("{s:I}", "revision", (json_int_t)next));
                *ret_cur = cur;
                return 0;
        }
        /* snapshot */
        {
                kl_autofree char *hash = kl_ctrl_template_hash(
                        json_object_get(json_object_get(d->ds, "spec"), "template"),
                        json_object_get(status, "collisionCount"));
                kl_autofree char *name = kl_ctrl_revision_name(d->name, hash);
                const json_t *same =
                        kl_ctrl_revision_find(d->in->revisions, d->in->n_revisions, name);
                json_t *copy;

                if (same && json_equal(json_object_get(same, "data"), patch)) {
                        *ret_cur = same;
                        return 0;
                }
                if (same) {
                        copy = json_deep_copy(d->ds);
                        if (!json_is_object(json_object_get(copy, "status")))
                                json_object_set_new(copy, "status", json_object());
                        json_object_set_new(
                                json_object_get(copy, "status"), "collisionCount",
                                json_integer(kl_ctrl_int_field(status, "collisionCount", NULL, 0) +
                                             1));
                        kl_ctrl_update(d->out, kl_ctrl_res("apps", "daemonsets"), d->ns, d->name,
                                       "status", copy);
                        return 1;
                }
                copy = kl_ctrl_revision_new(d->ds, json_incref(patch), hash, next);
                kl_ctrl_create(d->out, d->revs_res, d->ns, copy);
                *ret_cur = copy; /* borrowed from the action until the sync ends */
                return 0;
        }
}

static void cleanup_history(struct ds *d, const json_t **old, size_t n_old)
{
        int64_t limit = kl_ctrl_int_field(json_object_get(d->ds, "spec"), "revisionHistoryLimit",
                                          NULL, DS_HISTORY_LIMIT);
        int64_t kill = (int64_t)n_old - (limit < 0 ? 0 : limit);

        kl_ctrl_revisions_sort(old, n_old);
        for (size_t i = 0; i < n_old && kill > 0; i++) {
                const char *h = json_string_value(json_object_get(
                        json_object_get(json_object_get(old[i], "metadata"), "labels"),
                        KL_CTRL_REVISION_HASH_LABEL));
                bool live = false;

                for (size_t j = 0; j < d->n_pods && !live && h; j++)
                        live = kl_streq_null(pod_label(d->pods[j].pod, KL_CTRL_REVISION_HASH_LABEL),
                                             h);
                if (live)
                        continue;
                kl_ctrl_delete(d->out, d->revs_res, d->ns, kl_ctrl_meta_str(old[i], "name"), NULL);
                kill--;
        }
}

/* ------------------------------------------------------------------------- */
/* Placement (manage, podsShouldBeOnNode, syncNodes) */

struct plan {
        const char **create; /* node names */
        size_t n_create;
        const json_t **del; /* pods */
        size_t n_del;
};

static void plan_delete(struct plan *p, const json_t *pod)
{
        for (size_t i = 0; i < p->n_del; i++)
                if (p->del[i] == pod)
                        return;
        p->del[p->n_del++] = pod;
}

static void pods_should_be_on_node(struct ds *d, const json_t *node, struct plan *p)
{
        const char *name = kl_ctrl_meta_str(node, "name") ?: "";
        bool cont, run = kl_ctrl_ds_should_run(d->ds, node, &cont);
        size_t first, n = pods_on(d, name, &first);
        kl_autofree const json_t **running = kl_calloc(n + 1, sizeof(*running));
        const json_t *oldest_new = NULL, *oldest_old = NULL;
        size_t n_running = 0;

        if (!*name)
                return;
        if (run && n == 0) {
                p->create[p->n_create++] = name;
                return;
        }
        if (!cont) {
                for (size_t i = first; i < first + n; i++)
                        if (!kl_ctrl_is_deleting(d->pods[i].pod))
                                plan_delete(p, d->pods[i].pod);
                return;
        }
        for (size_t i = first; i < first + n; i++) {
                const json_t *pod = d->pods[i].pod;

                if (kl_ctrl_is_deleting(pod))
                        continue;
                if (kl_streq_null(pod_phase(pod), "Failed")) {
                        kl_ctrl_event(
                                d->out, d->ds, "Warning", "FailedDaemonPod",
                                "Found failed daemon pod %s/%s on node %s, will try to kill it",
                                d->ns, kl_ctrl_meta_str(pod, "name"), name);
                        plan_delete(p, pod);
                } else if (kl_streq_null(pod_phase(pod), "Succeeded")) {
                        plan_delete(p, pod);
                } else {
                        running[n_running++] = pod; /* already oldest first */
                }
        }
        if (!d->surge_allowed) {
                /* More than one: keep the oldest. */
                for (size_t i = 1; i < n_running; i++)
                        plan_delete(p, running[i]);
                return;
        }
        if (n_running <= 1) {
                if (n_running == 0 && run)
                        p->create[p->n_create++] = name;
                return;
        }
        /* Surging: keep the oldest new pod and, while it is not available, the oldest old one. */
        for (size_t i = 0; i < n_running; i++) {
                if (kl_streq_null(pod_label(running[i], KL_CTRL_REVISION_HASH_LABEL), d->hash)) {
                        if (!oldest_new) {
                                oldest_new = running[i];
                                continue;
                        }
                } else if (!oldest_old) {
                        oldest_old = running[i];
                        continue;
                }
                plan_delete(p, running[i]);
        }
        if (oldest_new && oldest_old &&
            (!kl_ctrl_pod_is_ready(oldest_old) || pod_available(d, oldest_new)))
                plan_delete(p, oldest_old);
}

static const json_t *find_node(const struct ds *d, const char *name)
{
        for (size_t i = 0; i < d->in->n_nodes; i++)
                if (kl_streq_null(kl_ctrl_meta_str(d->in->nodes[i], "name"), name))
                        return d->in->nodes[i];
        return NULL;
}

/* syncNodes: at most KL_CTRL_DS_BURST of each. Whether anything was written. */
static bool sync_nodes(struct ds *d, const struct plan *p)
{
        size_t nc = p->n_create < KL_CTRL_DS_BURST ? p->n_create : KL_CTRL_DS_BURST;
        size_t nd = p->n_del < KL_CTRL_DS_BURST ? p->n_del : KL_CTRL_DS_BURST;

        for (size_t i = 0; i < nc; i++)
                create_pod(d, p->create[i]);
        for (size_t i = 0; i < nd; i++)
                delete_pod(d, p->del[i]);
        return nc + nd > 0;
}

static bool manage(struct ds *d)
{
        struct plan p = { 0 };
        kl_autofree const char **create = kl_calloc(d->in->n_nodes + 1, sizeof(*create));
        kl_autofree const json_t **del = kl_calloc(d->n_pods + 1, sizeof(*del));

        p.create = create;
        p.del = del;
        for (size_t i = 0; i < d->in->n_nodes; i++)
                pods_should_be_on_node(d, d->in->nodes[i], &p);
        /* Pods pinned to nodes that do not exist never get scheduled: delete them. */
        for (size_t i = 0; i < d->n_pods; i++)
                if (!find_node(d, d->pods[i].node) && !has_node_name(d->pods[i].pod) &&
                    !kl_ctrl_is_deleting(d->pods[i].pod))
                        plan_delete(&p, d->pods[i].pod);
        return sync_nodes(d, &p);
}

/* ------------------------------------------------------------------------- */
/* Rolling update */

/* findUpdatedPodsOnNode: false when there is more than one new or one old pod. */
static bool updated_pods_on(const struct ds *d, const char *node, const json_t **ret_new,
                            const json_t **ret_old)
{
        size_t first, n = pods_on(d, node, &first);

        *ret_new = *ret_old = NULL;
        for (size_t i = first; i < first + n; i++) {
                const json_t *pod = d->pods[i].pod;
                const json_t **slot = pod_updated(d, pod) ? ret_new : ret_old;

                if (kl_ctrl_is_deleting(pod))
                        continue;
                if (*slot)
                        return false;
                *slot = pod;
        }
        return true;
}

/* The nodes to look at: every node with pods, and every node that should run one. */
static size_t update_nodes(const struct ds *d, const char **nodes, int64_t *ret_desired)
{
        size_t n = 0;
        int64_t desired = 0;

        for (size_t i = 0; i < d->n_pods; i++)
                if (n == 0 || !kl_streq(nodes[n - 1], d->pods[i].node))
                        nodes[n++] = d->pods[i].node;
        for (size_t i = 0; i < d->in->n_nodes; i++) {
                const char *name = kl_ctrl_meta_str(d->in->nodes[i], "name");
                bool cont, seen = false;

                if (!name || !kl_ctrl_ds_should_run(d->ds, d->in->nodes[i], &cont))
                        continue;
                desired++;
                for (size_t j = 0; j < n && !seen; j++)
                        seen = kl_streq(nodes[j], name);
                if (!seen)
                        nodes[n++] = name;
        }
        *ret_desired = desired;
        return n;
}

static void rolling_update(struct ds *d)
{
        const json_t *ru = json_object_get(
                json_object_get(json_object_get(d->ds, "spec"), "updateStrategy"), "rollingUpdate");
        kl_autofree const char **nodes = kl_calloc(d->n_pods + d->in->n_nodes + 1, sizeof(*nodes));
        kl_autofree const char **create =
                kl_calloc(d->n_pods + d->in->n_nodes + 1, sizeof(*create));
        kl_autofree const json_t **del = kl_calloc(d->n_pods + 1, sizeof(*del));
        kl_autofree const json_t **cands = kl_calloc(d->n_pods + 1, sizeof(*cands));
        kl_autofree const char **cand_nodes = kl_calloc(d->n_pods + 1, sizeof(*cand_nodes));
        kl_autofree const json_t **not_run = kl_calloc(d->n_pods + 1, sizeof(*not_run));
        struct plan p = { .create = create, .del = del };
        int64_t desired, max_unavail, max_surge, unavailable = 0, surge = 0, n_avail = 0;
        size_t n_nodes = update_nodes(d, nodes, &desired), n_cands = 0, n_not_run = 0;

        max_unavail =
                kl_ctrl_int_or_percent(json_object_get(ru, "maxUnavailable"), desired, true, 1);
        max_surge = kl_ctrl_int_or_percent(json_object_get(ru, "maxSurge"), desired, true, 0);
        if (desired > 0 && max_unavail == 0 && max_surge == 0)
                max_unavail = 1;

        if (max_surge == 0) {
                for (size_t i = 0; i < n_nodes; i++) {
                        const json_t *np, *op;

                        if (!updated_pods_on(d, nodes[i], &np, &op) || (!np && !op) || (np && op)) {
                                unavailable++; /* the placement pass handles these */
                        } else if (np) {
                                if (!pod_available(d, np))
                                        unavailable++;
                        } else if (!pod_available(d, op)) {
                                plan_delete(&p, op); /* unavailable anyway: replace now */
                                unavailable++;
                        } else if (unavailable < max_unavail) {
                                cands[n_cands++] = op;
                        }
                }
                for (int64_t i = 0; i < max_unavail - unavailable && (size_t)i < n_cands; i++)
                        plan_delete(&p, cands[i]);
                sync_nodes(d, &p);
                return;
        }

        for (size_t i = 0; i < n_nodes; i++) {
                const json_t *np, *op, *node;
                bool cont;

                if (!updated_pods_on(d, nodes[i], &np, &op)) {
                        surge++;
                        continue;
                }
                if (op ? pod_available(d, op) : np && pod_available(d, np))
                        n_avail++;
                if (!op)
                        continue;
                if (np) {
                        /* Surged here already: the old pod goes once the new one is available. */
                        if (!pod_available(d, np))
                                surge++;
                        else
                                plan_delete(&p, op);
                        continue;
                }
                node = find_node(d, nodes[i]);
                if (!node || !kl_ctrl_ds_should_run(d->ds, node, &cont)) {
                        if (!pod_available(d, op))
                                plan_delete(&p, op);
                        else
                                not_run[n_not_run++] = op;
                        continue;
                }
                if (!pod_available(d, op))
                        p.create[p.n_create++] = nodes[i];
                else if (surge < max_surge)
                        cand_nodes[n_cands++] = nodes[i];
        }
        /* Pods on nodes that no longer qualify go only while enough others are available. */
        for (int64_t i = 0; i < n_avail - desired && (size_t)i < n_not_run; i++)
                plan_delete(&p, not_run[i]);
        for (int64_t i = 0; i < max_surge - surge && (size_t)i < n_cands; i++)
                p.create[p.n_create++] = cand_nodes[i];
        sync_nodes(d, &p);
}

/* ------------------------------------------------------------------------- */
/* Status */

static void set_int(json_t *st, const char *key, int64_t v, bool omit_zero)
{
        if (v == 0 && omit_zero)
                json_object_del(st, key);
        else
                json_object_set_new(st, key, json_integer(v));
}

/* updateDaemonSetStatus; the number of ready pods not yet available. */
static int64_t write_status(struct ds *d)
{
        const json_t *old = json_object_get(d->ds, "status");
        json_t *st = json_is_object(old) ? json_deep_copy(old) : json_object(), *copy;
        int64_t desired = 0, current = 0, mis = 0, ready = 0, updated = 0, avail = 0;

        for (size_t i = 0; i < d->in->n_nodes; i++) {
                const json_t *node = d->in->nodes[i];
                size_t first, n = pods_on(d, kl_ctrl_meta_str(node, "name") ?: "", &first);
                bool cont;
                const json_t *pod;

                if (!kl_ctrl_ds_should_run(d->ds, node, &cont)) {
                        if (n > 0)
                                mis++;
                        continue;
                }
                desired++;
                if (n == 0)
                        continue;
                current++;
                pod = d->pods[first].pod; /* the oldest */
                if (kl_ctrl_pod_is_ready(pod)) {
                        ready++;
                        if (pod_available(d, pod))
                                avail++;
                }
                if (pod_updated(d, pod))
                        updated++;
        }
        set_int(st, "desiredNumberScheduled", desired, false);
        set_int(st, "currentNumberScheduled", current, false);
        set_int(st, "numberMisscheduled", mis, false);
        set_int(st, "numberReady", ready, false);
        set_int(st, "updatedNumberScheduled", updated, true);
        set_int(st, "numberAvailable", avail, true);
        set_int(st, "numberUnavailable", desired - avail, true);
        set_int(st, "observedGeneration", kl_ctrl_int_field(d->ds, "metadata", "generation", 0),
                true);
        if (json_equal(st, old)) {
                json_decref(st);
        } else {
                copy = json_deep_copy(d->ds);
                json_object_set_new(copy, "status", st);
                kl_ctrl_update(d->out, kl_ctrl_res("apps", "daemonsets"), d->ns, d->name, "status",
                               copy);
        }
        return ready - avail;
}

int kl_ctrl_ds_reconcile(const struct kl_ctrl_ds_input *in, struct kl_ctrl_actions *out,
                         kl_usec_t *requeue_after, struct kl_err **err)
{
        const json_t *ds = in->ds, *spec = json_object_get(ds, "spec");
        const json_t *strategy = json_object_get(spec, "updateStrategy");
        const json_t *ru = json_object_get(strategy, "rollingUpdate");
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *sel = NULL;
        kl_autofree const json_t **revs = kl_calloc(in->n_revisions + 1, sizeof(*revs));
        kl_autofree const json_t **old = kl_calloc(in->n_revisions + 1, sizeof(*old));
        kl_autofree const json_t **claimed = kl_calloc(in->n_pods + 1, sizeof(*claimed));
        kl_autofree struct dpod *dpods = kl_calloc(in->n_pods + 1, sizeof(*dpods));
        const json_t *cur = NULL;
        size_t n_revs, n_old = 0, n_claimed;
        struct ds d = {
                .in = in,
                .ds = ds,
                .name = kl_ctrl_meta_str(ds, "name"),
                .ns = kl_ctrl_meta_str(ds, "namespace"),
                .out = out,
                .pods_res = kl_ctrl_res("", "pods"),
                .revs_res = kl_ctrl_res("apps", "controllerrevisions"),
                .pods = dpods,
        };
        int r;

        if (!d.name || !d.ns)
                return 0;
        /* The history of a DaemonSet being deleted may be gone already: upstream leaves it be. */
        if (kl_ctrl_is_deleting(ds))
                return 0;
        r = kl_api_label_selector_from_json(json_object_get(spec, "selector"), &sel, err);
        if (r < 0)
                return kl_err_wrap(err, r, "daemonset '%s/%s': selector", d.ns, d.name);
        d.min_ready = kl_ctrl_int_field(spec, "minReadySeconds", NULL, 0);
        d.generation = json_string_value(
                json_object_get(json_object_get(json_object_get(ds, "metadata"), "annotations"),
                                TEMPLATE_GENERATION_ANNOTATION));
        d.surge_allowed =
                !kl_streq_null(json_string_value(json_object_get(strategy, "type")), "OnDelete") &&
                kl_ctrl_int_or_percent(json_object_get(ru, "maxSurge"), 1, true, 0) > 0;

        n_revs =
                kl_ctrl_claim(ds, sel, d.revs_res, in->revisions, in->n_revisions, NULL, out, revs);
        if (construct_history(&d, revs, n_revs, old, &n_old, &cur) > 0)
                return 0;
        d.hash = json_string_value(
                json_object_get(json_object_get(json_object_get(cur, "metadata"), "labels"),
                                KL_CTRL_REVISION_HASH_LABEL));
        if (!d.hash)
                d.hash = kl_ctrl_meta_str(cur, "name");

        n_claimed = kl_ctrl_claim(ds, sel, d.pods_res, in->pods, in->n_pods, NULL, out, claimed);
        for (size_t i = 0; i < n_claimed; i++) {
                const char *node = target_node(claimed[i]);

                /* Terminal pods being deleted are gone as far as placement goes. */
                if (!node || (kl_ctrl_is_deleting(claimed[i]) &&
                              (kl_streq_null(pod_phase(claimed[i]), "Failed") ||
                               kl_streq_null(pod_phase(claimed[i]), "Succeeded"))))
                        continue;
                dpods[d.n_pods++] = (struct dpod){ .pod = claimed[i], .node = node };
        }
        if (d.n_pods > 1)
                qsort(dpods, d.n_pods, sizeof(*dpods), cmp_dpod);

        /* The rollout waits until placement has nothing left to do. */
        if (!manage(&d) &&
            !kl_streq_null(json_string_value(json_object_get(strategy, "type")), "OnDelete"))
                rolling_update(&d);
        cleanup_history(&d, old, n_old);
        if (write_status(&d) > 0 && d.min_ready > 0 && requeue_after)
                *requeue_after = (kl_usec_t)d.min_ready * KL_USEC_PER_SEC;
        kl_strv_free(d.taken);
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Manager glue */

static const enum kl_ctrl_inf ds_watches[] = {
        KL_CTRL_INF_DAEMONSETS,          KL_CTRL_INF_PODS,   KL_CTRL_INF_NODES,
        KL_CTRL_INF_CONTROLLERREVISIONS, KL_CTRL_INF__COUNT,
};

/* Whether a node update can change where daemon pods go (shouldIgnoreNodeUpdate). */
static bool node_changed(const json_t *old, const json_t *obj)
{
        const json_t *oc = json_object_get(json_object_get(old, "status"), "conditions");
        const json_t *nc = json_object_get(json_object_get(obj, "status"), "conditions");
        size_t i;
        json_t *c;

        if (!json_equal(json_object_get(json_object_get(old, "metadata"), "labels"),
                        json_object_get(json_object_get(obj, "metadata"), "labels")) ||
            !json_equal(json_object_get(old, "spec"), json_object_get(obj, "spec")) ||
            json_array_size(oc) != json_array_size(nc))
                return true;
        json_array_foreach(oc, i, c) {
                const json_t *d = json_array_get(nc, i);

                if (!json_equal(json_object_get(c, "type"), json_object_get(d, "type")) ||
                    !json_equal(json_object_get(c, "status"), json_object_get(d, "status")))
                        return true;
        }
        return false;
}

static void ds_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old, const json_t *obj)
{
        const json_t *cur = obj ? obj : old;

        switch (i) {
        case KL_CTRL_INF_DAEMONSETS:
                kl_ctrl_enqueue_obj(c, cur);
                return;
        case KL_CTRL_INF_NODES:
                if (!old || !obj || node_changed(old, obj))
                        kl_ctrl_enqueue(c, "*");
                return;
        default:
                break;
        }
        if (obj && kl_ctrl_controller_ref(obj)) {
                kl_ctrl_enqueue_owner(c, obj, "DaemonSet");
        } else if (obj && kl_ctrl_meta_str(obj, "namespace") && !kl_ctrl_is_deleting(obj)) {
                kl_autofree char *key = kl_asprintf("%s/*", kl_ctrl_meta_str(obj, "namespace"));

                kl_ctrl_enqueue(c, key);
        }
        if (old && kl_ctrl_controller_ref(old) &&
            (!obj || !json_equal(kl_ctrl_controller_ref(old), kl_ctrl_controller_ref(obj))))
                kl_ctrl_enqueue_owner(c, old, "DaemonSet");
}

static int sync_one(const struct kl_ctrl_env *env, const json_t *ds, struct kl_ctrl_actions *out,
                    kl_usec_t *requeue_after, struct kl_err **err)
{
        const char *ns = kl_ctrl_meta_str(ds, "namespace");
        kl_cleanup(kl_objv_clearp) struct kl_objv nodes = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv pods = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv revs = { 0 };
        kl_usec_t rq = 0;
        int r;

        kl_informer_list(kl_ctrl_informer(env, KL_CTRL_INF_NODES), NULL, &nodes);
        kl_informer_by_index(kl_ctrl_informer(env, KL_CTRL_INF_PODS), KL_INDEX_NAMESPACE, ns,
                             &pods);
        kl_informer_by_index(kl_ctrl_informer(env, KL_CTRL_INF_CONTROLLERREVISIONS),
                             KL_INDEX_NAMESPACE, ns, &revs);
        r = kl_ctrl_ds_reconcile(
                &(struct kl_ctrl_ds_input){
                        .ds = ds,
                        .nodes = nodes.items,
                        .n_nodes = nodes.n,
                        .pods = pods.items,
                        .n_pods = pods.n,
                        .revisions = revs.items,
                        .n_revisions = revs.n,
                        .now = env->now,
                },
                out, &rq, err);
        if (rq > 0 && (*requeue_after == 0 || rq < *requeue_after))
                *requeue_after = rq;
        return r;
}

static int ds_sync(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out,
                   kl_usec_t *requeue_after, struct kl_err **err)
{
        const struct kl_informer *inf = kl_ctrl_informer(env, KL_CTRL_INF_DAEMONSETS);
        kl_autofree char *ns = NULL, *name = NULL;
        kl_cleanup(kl_objv_clearp) struct kl_objv all = { 0 };
        const json_t *ds;

        kl_client_key_split(key, &ns, &name);
        if (!name)
                return 0;
        if (!kl_streq(name, "*")) {
                ds = kl_informer_get(inf, ns, name);
                return ds && ns ? sync_one(env, ds, out, requeue_after, err) : 0;
        }
        /* "*" (every DaemonSet) or "ns/ *" (those of one namespace). */
        if (ns)
                kl_informer_by_index(inf, KL_INDEX_NAMESPACE, ns, &all);
        else
                kl_informer_list(inf, NULL, &all);
        for (size_t i = 0; i < all.n; i++) {
                int r = sync_one(env, all.items[i], out, requeue_after, err);

                if (r < 0)
                        return r;
        }
        return 0;
}

const struct kl_ctrl_def kl_ctrl_daemonset = {
        .name = "daemonset",
        .user = "system:serviceaccount:kube-system:daemon-set-controller",
        .component = "daemonset-controller",
        .watches = ds_watches,
        .enqueue = ds_enqueue,
        .sync = ds_sync,
};
