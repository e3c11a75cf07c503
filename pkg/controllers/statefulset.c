/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The StatefulSet controller (upstream's pkg/controller/statefulset): pods
 * with stable names "<set>-<ordinal>", stable storage (a claim per
 * volumeClaimTemplate and ordinal, created before the pod), ordered or
 * parallel scaling, and rollouts through ControllerRevisions (history.c).
 *
 * One sync is upstream's updateStatefulSet cut at the first write that must
 * be seen before the next step: in OrderedReady mode a sync creates or
 * deletes at most one pod and stops at the first pod that is not Running
 * and Ready; the informer event of that pod's next state queues the set
 * again. The status and the history are written at the end of every sync.
 *
 * Keys are "ns/name"; "ns/ *" (without the blank) reconciles every set of
 * the namespace: an orphan pod or revision queues it, since the sets that
 * might adopt it are only known from the informer.
 */
#include <stdlib.h>
#include <string.h>

#include "api/patch.h"
#include "api/selector.h"
#include "controllers/ctrl-internal.h"

#define POD_NAME_LABEL  "statefulset.kubernetes.io/pod-name"
#define POD_INDEX_LABEL "apps.kubernetes.io/pod-index"

/* Pods one Parallel sync creates or deletes at most. */
#define STS_BURST 500
/* More replicas than this are not reconciled (upstream has no limit but int32). */
#define STS_MAX_REPLICAS ((int64_t)1 << 20)
/* Hash collisions tried before giving up for this sync. */
#define STS_MAX_COLLISIONS 64
/* revisionHistoryLimit's default. */
#define STS_HISTORY_LIMIT 10

int64_t kl_ctrl_sts_ordinal(const char *pod_name, size_t *ret_parent_len)
{
        const char *dash = pod_name ? strrchr(pod_name, '-') : NULL;
        int64_t v = 0;

        if (!dash || !dash[1])
                return -1;
        for (const char *p = dash + 1; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -1;
                v = v * 10 + (*p - '0');
                if (v > INT32_MAX) /* upstream parses it as an int32 */
                        return -1;
        }
        if (ret_parent_len)
                *ret_parent_len = (size_t)(dash - pod_name);
        return v;
}

/* isMemberOf: the pod's name is "<set>-<ordinal>". */
static bool is_member(const json_t *set, const json_t *pod)
{
        const char *name = kl_ctrl_meta_str(pod, "name"), *set_name = kl_ctrl_meta_str(set, "name");
        size_t len;

        return name && set_name && kl_ctrl_sts_ordinal(name, &len) >= 0 &&
               len == strlen(set_name) && strncmp(name, set_name, len) == 0;
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

static bool running_and_ready(const json_t *pod)
{
        return kl_streq_null(pod_phase(pod), "Running") && kl_ctrl_pod_is_ready(pod);
}

/* ------------------------------------------------------------------------- */
/* One sync */

struct sts {
        const struct kl_ctrl_sts_input *in;
        const json_t *set;         /* borrowed */
        const char *name, *ns;     /* borrowed from set */
        json_t *cur_set, *upd_set; /* owned: the set with each revision's template */
        const char *cur_rev;       /* borrowed from a revision or upd_rev_obj */
        const char *upd_rev;
        json_t *upd_rev_obj; /* owned: a revision being created this sync, or NULL */
        int64_t collision_count;
        int64_t start, replicas, partition, min_ready;
        bool monotonic, rolling;
        const char *when_deleted, *when_scaled; /* the claim retention policy */
        struct kl_ctrl_actions *out;
        const struct kl_api_resource *pods_res, *pvc_res;
};

static bool available(const struct sts *s, const json_t *pod)
{
        return running_and_ready(pod) && kl_ctrl_pod_is_available(pod, s->min_ready, s->in->now);
}

static char *claim_name(const json_t *tmpl, const char *set_name, int64_t ord)
{
        return kl_asprintf("%s-%s-%lld", kl_ctrl_meta_str(tmpl, "name") ?: "", set_name,
                           (long long)ord);
}

static const json_t *find_pvc(const struct sts *s, const char *name)
{
        for (size_t i = 0; i < s->in->n_pvcs; i++)
                if (kl_streq_null(kl_ctrl_meta_str(s->in->pvcs[i], "name"), name) &&
                    kl_streq_null(kl_ctrl_meta_str(s->in->pvcs[i], "namespace"), s->ns))
                        return s->in->pvcs[i];
        return NULL;
}

static json_t *plain_ref(const char *api_version, const char *kind, const json_t *owner)
{
        return json_pack("{s:s, s:s, s:s?, s:s?}", "apiVersion", api_version, "kind", kind, "name",
                         kl_ctrl_meta_str(owner, "name"), "uid", kl_ctrl_meta_str(owner, "uid"));
}

/*
 * The owner references a claim should have under the retention policy
 * (updateClaimOwnerRefForSetAndPod): `refs` (borrowed, may be NULL) with the
 * set's and the pod's references added or removed. `pod` may be NULL (a pod
 * about to be created: it has no uid yet and is in range).
 */
static json_t *claim_refs(const struct sts *s, const json_t *refs, const json_t *pod,
                          bool scaled_down)
{
        const char *set_uid = kl_ctrl_meta_str(s->set, "uid");
        const char *pod_uid = pod ? kl_ctrl_meta_str(pod, "uid") : NULL;
        bool del_on_delete = kl_streq_null(s->when_deleted, "Delete");
        bool del_on_scale = kl_streq_null(s->when_scaled, "Delete");
        bool want_set = del_on_delete && !(del_on_scale && scaled_down);
        bool want_pod = del_on_scale && scaled_down && pod_uid;
        bool have_set = false, have_pod = false;
        json_t *n = json_array(), *r;
        size_t i;

        json_array_foreach(refs, i, r) {
                const char *uid = json_string_value(json_object_get(r, "uid"));

                if (kl_streq_null(uid, set_uid)) {
                        if (!want_set)
                                continue;
                        have_set = true;
                } else if (pod_uid && kl_streq_null(uid, pod_uid)) {
                        if (!want_pod)
                                continue;
                        have_pod = true;
                }
                json_array_append(n, r);
        }
        if (want_set && !have_set)
                json_array_append_new(n, plain_ref("apps/v1", "StatefulSet", s->set));
        if (want_pod && !have_pod)
                json_array_append_new(n, plain_ref("v1", "Pod", pod));
        return n;
}

/* Create the claims of ordinal `ord` that do not exist (createPersistentVolumeClaims). */
static void create_claims(struct sts *s, int64_t ord, const char *pod_name)
{
        const json_t *tmpls =
                json_object_get(json_object_get(s->set, "spec"), "volumeClaimTemplates");
        const json_t *match = json_object_get(
                json_object_get(json_object_get(s->set, "spec"), "selector"), "matchLabels");
        size_t i;
        json_t *t;

        json_array_foreach(tmpls, i, t) {
                kl_autofree char *name = claim_name(t, s->name, ord);
                const json_t *tmeta = json_object_get(t, "metadata");
                json_t *meta, *labels, *refs, *pvc;
                const char *k;
                json_t *v;

                if (find_pvc(s, name))
                        continue;
                meta = json_is_object(tmeta) ? json_deep_copy(tmeta) : json_object();
                json_object_del(meta, "name");
                json_object_del(meta, "generateName");
                json_object_del(meta, "resourceVersion");
                json_object_del(meta, "uid");
                json_object_set_new(meta, "name", json_string(name));
                json_object_set_new(meta, "namespace", json_string(s->ns));
                labels = json_object_get(meta, "labels");
                if (!json_is_object(labels)) {
                        labels = json_object();
                        json_object_set_new(meta, "labels", labels);
                }
                json_object_foreach((json_t *)match, k, v)
                        json_object_set(labels, k, v);
                refs = claim_refs(s, NULL, NULL, false);
                if (json_array_size(refs) > 0)
                        json_object_set_new(meta, "ownerReferences", refs);
                else
                        json_decref(refs);
                pvc = json_pack("{s:s, s:s, s:o, s:O?}", "apiVersion", "v1", "kind",
                                "PersistentVolumeClaim", "metadata", meta, "spec",
                                json_object_get(t, "spec"));
                kl_ctrl_create(s->out, s->pvc_res, s->ns, pvc);
                kl_ctrl_event(s->out, s->set, "Normal", "SuccessfulCreate",
                              "create Claim %s Pod %s in StatefulSet %s success", name, pod_name,
                              s->name);
        }
}

/* Fix the claims' owner references of an existing pod (UpdatePodClaimForRetentionPolicy). */
static void fix_claim_refs(struct sts *s, const json_t *pod, int64_t ord, bool scaled_down)
{
        const json_t *tmpls =
                json_object_get(json_object_get(s->set, "spec"), "volumeClaimTemplates");
        size_t i;
        json_t *t;

        json_array_foreach(tmpls, i, t) {
                kl_autofree char *name = claim_name(t, s->name, ord);
                const json_t *pvc = find_pvc(s, name);
                const json_t *refs;
                json_t *want;

                if (!pvc)
                        continue;
                refs = json_object_get(json_object_get(pvc, "metadata"), "ownerReferences");
                want = claim_refs(s, refs, pod, scaled_down);
                if (json_equal(want, refs) || (json_array_size(want) == 0 && !refs)) {
                        json_decref(want);
                        continue;
                }
                kl_ctrl_patch(s->out, s->pvc_res, s->ns, name, NULL, KL_API_PATCH_TYPE_MERGE,
                              json_pack("{s:{s:o, s:s?}}", "metadata", "ownerReferences", want,
                                        "uid", kl_ctrl_meta_str(pvc, "uid")));
        }
}

/* updateIdentity and updateStorage on `pod` (a copy). */
static void set_identity_and_storage(const struct sts *s, json_t *pod, int64_t ord)
{
        json_t *meta = json_object_get(pod, "metadata"), *spec = json_object_get(pod, "spec");
        const json_t *tmpls =
                json_object_get(json_object_get(s->set, "spec"), "volumeClaimTemplates");
        kl_autofree char *name = kl_asprintf("%s-%lld", s->name, (long long)ord);
        json_t *labels = json_object_get(meta, "labels"), *vols, *old, *t, *v;
        size_t i, j;

        json_object_set_new(meta, "name", json_string(name));
        json_object_set_new(meta, "namespace", json_string(s->ns));
        if (!json_is_object(labels)) {
                labels = json_object();
                json_object_set_new(meta, "labels", labels);
        }
        json_object_set_new(labels, POD_NAME_LABEL, json_string(name));
        json_object_set_new(labels, POD_INDEX_LABEL, json_sprintf("%lld", (long long)ord));
        if (json_array_size(tmpls) == 0)
                return;
        /* The claims' volumes first, then the pod's other volumes. */
        vols = json_array();
        json_array_foreach(tmpls, i, t) {
                kl_autofree char *cn = claim_name(t, s->name, ord);

                json_array_append_new(
                        vols, json_pack("{s:s?, s:{s:s, s:b}}", "name", kl_ctrl_meta_str(t, "name"),
                                        "persistentVolumeClaim", "claimName", cn, "readOnly", 0));
        }
        old = json_object_get(spec, "volumes");
        json_array_foreach(old, i, v) {
                const char *vn = json_string_value(json_object_get(v, "name"));
                bool shadowed = false;

                json_array_foreach(tmpls, j, t)
                        if (kl_streq_null(kl_ctrl_meta_str(t, "name"), vn))
                                shadowed = true;
                if (!shadowed)
                        json_array_append(vols, v);
        }
        json_object_set_new(spec, "volumes", vols);
}

static bool identity_matches(const struct sts *s, const json_t *pod, int64_t ord)
{
        char idx[24];

        snprintf(idx, sizeof(idx), "%lld", (long long)ord);
        return is_member(s->set, pod) && kl_streq_null(kl_ctrl_meta_str(pod, "namespace"), s->ns) &&
               kl_streq_null(pod_label(pod, POD_NAME_LABEL), kl_ctrl_meta_str(pod, "name")) &&
               kl_streq_null(pod_label(pod, POD_INDEX_LABEL), idx);
}

static bool storage_matches(const struct sts *s, const json_t *pod, int64_t ord)
{
        const json_t *tmpls =
                json_object_get(json_object_get(s->set, "spec"), "volumeClaimTemplates");
        const json_t *vols = json_object_get(json_object_get(pod, "spec"), "volumes");
        size_t i, j;
        json_t *t, *v;

        json_array_foreach(tmpls, i, t) {
                kl_autofree char *cn = claim_name(t, s->name, ord);
                bool found = false;

                json_array_foreach(vols, j, v) {
                        if (!kl_streq_null(json_string_value(json_object_get(v, "name")),
                                           kl_ctrl_meta_str(t, "name")))
                                continue;
                        found = kl_streq_null(
                                json_string_value(json_object_get(
                                        json_object_get(v, "persistentVolumeClaim"), "claimName")),
                                cn);
                        break;
                }
                if (!found)
                        return false;
        }
        return true;
}

/* newVersionedStatefulSetPod: below the partition from the current revision. */
static json_t *new_pod(const struct sts *s, int64_t ord, const char **ret_rev)
{
        bool current = s->rolling && ord < s->start + s->partition;
        const json_t *src = current ? s->cur_set : s->upd_set;
        const char *rev = current ? s->cur_rev : s->upd_rev;
        json_t *pod = kl_ctrl_pod_from_template(
                json_object_get(json_object_get(src, "spec"), "template"), s->set, s->name);
        json_t *spec = json_object_get(pod, "spec");
        const char *svc =
                json_string_value(json_object_get(json_object_get(s->set, "spec"), "serviceName"));

        json_object_del(json_object_get(pod, "metadata"), "generateName");
        set_identity_and_storage(s, pod, ord);
        json_object_set(spec, "hostname",
                        json_object_get(json_object_get(pod, "metadata"), "name"));
        if (!kl_isempty(svc))
                json_object_set_new(spec, "subdomain", json_string(svc));
        json_object_set_new(json_object_get(json_object_get(pod, "metadata"), "labels"),
                            KL_CTRL_REVISION_HASH_LABEL, json_string(rev));
        *ret_rev = rev;
        return pod;
}

static void delete_pod(struct sts *s, const json_t *pod)
{
        const char *name = kl_ctrl_meta_str(pod, "name");

        kl_ctrl_delete(s->out, s->pods_res, s->ns, name, NULL);
        kl_ctrl_event(s->out, s->set, "Normal", "SuccessfulDelete",
                      "delete Pod %s in StatefulSet %s successful", name, s->name);
}

/* ------------------------------------------------------------------------- */
/* Revisions (getStatefulSetRevisions) */

static int revisions(struct sts *s, const json_t **revs, size_t n_revs, struct kl_err **err)
{
        const json_t *const *all = s->in->revisions;
        size_t n_all = s->in->n_revisions;
        json_auto_t *cand = NULL;
        const json_t *equal = NULL, *cur;
        int64_t next = kl_ctrl_revisions_next(revs, n_revs);

        kl_ctrl_revisions_sort(revs, n_revs);
        for (int tries = 0;; tries++) {
                json_auto_t *ccj = json_integer(s->collision_count);
                json_t *data = kl_ctrl_revision_patch(s->set);
                kl_autofree char *hash = kl_ctrl_template_hash(data, ccj);
                const json_t *same;

                json_decref(cand);
                cand = kl_ctrl_revision_new(s->set, data, hash, next);
                if (!equal)
                        for (size_t i = n_revs; i-- > 0;)
                                if (kl_ctrl_revision_equal(revs[i], cand)) {
                                        equal = revs[i];
                                        break;
                                }
                if (equal)
                        break;
                /* CreateControllerRevision: a name taken by other data is a collision. */
                same = kl_ctrl_revision_find(all, n_all, kl_ctrl_meta_str(cand, "name"));
                if (!same || kl_ctrl_revision_equal(same, cand)) {
                        equal = same;
                        break;
                }
                if (tries >= STS_MAX_COLLISIONS)
                        return kl_err_set(err, -EEXIST,
                                          "statefulset '%s/%s': too many revision name collisions",
                                          s->ns, s->name);
                s->collision_count++;
        }
        if (equal && n_revs > 0 && equal == revs[n_revs - 1]) {
                /* The newest revision already has this template. */
                s->upd_rev = kl_ctrl_meta_str(equal, "name");
        } else if (equal) {
                /* An older revision has it (a rollback): it becomes the newest. */
                s->upd_rev = kl_ctrl_meta_str(equal, "name");
                if (kl_ctrl_revision_number(equal) != next)
                        kl_ctrl_patch(s->out, kl_ctrl_res("apps", "controllerrevisions"), s->ns,
                                      s->upd_rev, NULL, KL_API_PATCH_TYPE_MERGE,
                                      json_pack("{s:I}", "revision", (json_int_t)next));
        } else {
                s->upd_rev_obj = json_incref(cand);
                s->upd_rev = kl_ctrl_meta_str(cand, "name");
                kl_ctrl_create(s->out, kl_ctrl_res("apps", "controllerrevisions"), s->ns,
                               json_deep_copy(cand));
        }
        s->upd_set = kl_ctrl_revision_apply(s->set, equal ? equal : cand);
        cur = kl_ctrl_revision_find(revs, n_revs,
                                    json_string_value(json_object_get(
                                            json_object_get(s->set, "status"), "currentRevision")));
        if (cur) {
                s->cur_rev = kl_ctrl_meta_str(cur, "name");
                s->cur_set = kl_ctrl_revision_apply(s->set, cur);
        } else {
                s->cur_rev = s->upd_rev;
                s->cur_set = json_incref(s->upd_set);
        }
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Pods */

struct slot {
        const json_t *pod; /* borrowed; NULL: not created */
        int64_t ord;
        const char *rev; /* the revision of a pod created this sync */
};

static int cmp_desc_ord(const void *pa, const void *pb)
{
        const struct slot *a = pa, *b = pb;

        return a->ord > b->ord ? -1 : a->ord < b->ord;
}

struct counts {
        int64_t replicas, ready, available, current, updated;
};

static void count(const struct sts *s, const json_t *pod, struct counts *c)
{
        const char *rev = pod_label(pod, KL_CTRL_REVISION_HASH_LABEL);

        c->replicas++;
        if (running_and_ready(pod)) {
                c->ready++;
                if (available(s, pod))
                        c->available++;
        }
        if (kl_ctrl_is_deleting(pod))
                return;
        if (kl_streq_null(rev, s->cur_rev))
                c->current++;
        if (kl_streq_null(rev, s->upd_rev))
                c->updated++;
}

/* processReplica; true: stop here (monotonic) */
static bool process_replica(struct sts *s, struct slot *sl, size_t *burst)
{
        const json_t *pod = sl->pod;
        const char *phase;

        if (!pod) {
                json_t *np;

                if (*burst == 0)
                        return true;
                (*burst)--;
                np = new_pod(s, sl->ord, &sl->rev);
                create_claims(s, sl->ord, kl_ctrl_meta_str(np, "name"));
                kl_ctrl_event(s->out, s->set, "Normal", "SuccessfulCreate",
                              "create Pod %s in StatefulSet %s successful",
                              kl_ctrl_meta_str(np, "name"), s->name);
                kl_ctrl_create(s->out, s->pods_res, s->ns, np);
                return s->monotonic;
        }
        phase = pod_phase(pod);
        if (kl_streq_null(phase, "Failed") || kl_streq_null(phase, "Succeeded")) {
                /* Deleted and made again on a later sync, once it is gone. */
                if (!kl_ctrl_is_deleting(pod) && *burst > 0) {
                        (*burst)--;
                        delete_pod(s, pod);
                }
                return true;
        }
        if (kl_streq_null(phase, "Pending"))
                create_claims(s, sl->ord, kl_ctrl_meta_str(pod, "name"));
        if (s->monotonic &&
            (kl_ctrl_is_deleting(pod) || !running_and_ready(pod) || !available(s, pod)))
                return true;
        fix_claim_refs(s, pod, sl->ord, false);
        if (!identity_matches(s, pod, sl->ord) || !storage_matches(s, pod, sl->ord)) {
                json_t *copy = json_deep_copy(pod);

                create_claims(s, sl->ord, kl_ctrl_meta_str(pod, "name"));
                set_identity_and_storage(s, copy, sl->ord);
                kl_ctrl_update(s->out, s->pods_res, s->ns, kl_ctrl_meta_str(pod, "name"), NULL,
                               copy);
                kl_ctrl_event(s->out, s->set, "Normal", "SuccessfulUpdate",
                              "update Pod %s in StatefulSet %s successful",
                              kl_ctrl_meta_str(pod, "name"), s->name);
        }
        return false;
}

/* processCondemned; true: stop here */
static bool process_condemned(struct sts *s, const json_t *pod, const json_t *first_unhealthy,
                              size_t *burst)
{
        if (kl_ctrl_is_deleting(pod))
                return s->monotonic;
        if (s->monotonic && pod != first_unhealthy &&
            (!running_and_ready(pod) || !available(s, pod)))
                return true;
        if (*burst == 0)
                return true;
        (*burst)--;
        delete_pod(s, pod);
        return s->monotonic;
}

static bool healthy(const struct slot *sl)
{
        return sl->pod && running_and_ready(sl->pod) && !kl_ctrl_is_deleting(sl->pod);
}

static const char *slot_rev(const struct slot *sl)
{
        return sl->pod ? pod_label(sl->pod, KL_CTRL_REVISION_HASH_LABEL) : sl->rev;
}

/*
 * updateStatefulSet from the partitioning of the pods on. Returns the counts
 * the status reports.
 */
static void update_pods(struct sts *s, const json_t **pods, size_t n_pods, struct counts *c)
{
        kl_autofree struct slot *slots = kl_calloc((size_t)s->replicas + 1, sizeof(*slots));
        kl_autofree struct slot *condemned = kl_calloc(n_pods + 1, sizeof(*condemned));
        size_t n_condemned = 0, burst = STS_BURST;
        const json_t *first_unhealthy = NULL;
        bool found_unhealthy = false, stop = false;

        for (int64_t i = 0; i < s->replicas; i++)
                slots[i].ord = s->start + i;
        for (size_t i = 0; i < n_pods; i++) {
                int64_t ord = kl_ctrl_sts_ordinal(kl_ctrl_meta_str(pods[i], "name"), NULL);

                if (ord >= s->start && ord < s->start + s->replicas)
                        slots[ord - s->start].pod = pods[i];
                else if (ord >= 0)
                        condemned[n_condemned++] = (struct slot){ .pod = pods[i], .ord = ord };
        }
        if (n_condemned > 1)
                qsort(condemned, n_condemned, sizeof(*condemned), cmp_desc_ord);

        for (int64_t i = 0; i < s->replicas; i++)
                if (slots[i].pod)
                        count(s, slots[i].pod, c);
        for (size_t i = 0; i < n_condemned; i++)
                count(s, condemned[i].pod, c);

        /* A set being deleted only has its status written. */
        if (kl_ctrl_is_deleting(s->set))
                return;

        /* The first unhealthy pod, in ordinal order then condemned from the highest. */
        for (int64_t i = 0; i < s->replicas && !found_unhealthy; i++)
                if (!healthy(&slots[i])) {
                        first_unhealthy = slots[i].pod; /* NULL for one not created */
                        found_unhealthy = true;
                }
        for (size_t i = 0; i < n_condemned && !found_unhealthy; i++)
                if (!healthy(&condemned[i])) {
                        first_unhealthy = condemned[i].pod;
                        found_unhealthy = true;
                }

        for (int64_t i = 0; i < s->replicas && !stop; i++)
                if (process_replica(s, &slots[i], &burst) && s->monotonic)
                        stop = true;
        if (stop)
                return;
        /* Claims of pods about to go: owned by the pod when they go with it. */
        for (size_t i = 0; i < n_condemned; i++)
                fix_claim_refs(s, condemned[i].pod, condemned[i].ord, true);
        for (size_t i = 0; i < n_condemned && !stop; i++)
                if (process_condemned(s, condemned[i].pod, first_unhealthy, &burst) && s->monotonic)
                        stop = true;
        if (stop || !s->rolling)
                return;

        /* RollingUpdate: replace the highest ordinal not at the update revision. */
        for (int64_t t = s->replicas - 1; t >= s->partition && t >= 0; t--) {
                struct slot *sl = &slots[t];

                if (!kl_streq_null(slot_rev(sl), s->upd_rev) && sl->pod &&
                    !kl_ctrl_is_deleting(sl->pod)) {
                        delete_pod(s, sl->pod);
                        c->current--;
                        return;
                }
                if (!healthy(sl))
                        return;
        }
}

/* ------------------------------------------------------------------------- */
/* Status and history */

static void set_int(json_t *st, const char *key, int64_t v, bool omit_zero)
{
        if (v == 0 && omit_zero)
                json_object_del(st, key);
        else
                json_object_set_new(st, key, json_integer(v));
}

static void write_status(struct sts *s, struct counts *c)
{
        const json_t *old = json_object_get(s->set, "status");
        json_t *st = json_is_object(old) ? json_deep_copy(old) : json_object();
        const char *cur_rev = s->cur_rev;
        json_t *copy;

        /* completeRollingUpdate */
        if (s->rolling && c->updated == c->replicas && c->ready == c->replicas) {
                c->current = c->updated;
                cur_rev = s->upd_rev;
        }
        set_int(st, "observedGeneration", kl_ctrl_int_field(s->set, "metadata", "generation", 0),
                true);
        set_int(st, "replicas", c->replicas, false);
        set_int(st, "readyReplicas", c->ready, true);
        set_int(st, "currentReplicas", c->current, true);
        set_int(st, "updatedReplicas", c->updated, true);
        set_int(st, "availableReplicas", c->available, false);
        json_object_set_new(st, "currentRevision", json_string(cur_rev));
        json_object_set_new(st, "updateRevision", json_string(s->upd_rev));
        set_int(st, "collisionCount", s->collision_count, false);
        if (json_equal(st, old)) {
                json_decref(st);
                return;
        }
        copy = json_deep_copy(s->set);
        json_object_set_new(copy, "status", st);
        kl_ctrl_update(s->out, kl_ctrl_res("apps", "statefulsets"), s->ns, s->name, "status", copy);
}

/* truncateHistory: revisions no pod uses, oldest first, beyond revisionHistoryLimit. */
static void truncate_history(struct sts *s, const json_t **revs, size_t n_revs, const json_t **pods,
                             size_t n_pods)
{
        int64_t limit = kl_ctrl_int_field(json_object_get(s->set, "spec"), "revisionHistoryLimit",
                                          NULL, STS_HISTORY_LIMIT);
        const char *status_cur = json_string_value(
                json_object_get(json_object_get(s->set, "status"), "currentRevision"));
        size_t n_hist = 0;

        for (size_t i = 0; i < n_revs; i++) {
                const char *name = kl_ctrl_meta_str(revs[i], "name");
                bool live = kl_streq_null(name, s->cur_rev) || kl_streq_null(name, s->upd_rev) ||
                            kl_streq_null(name, status_cur);

                for (size_t j = 0; j < n_pods && !live; j++)
                        live = kl_streq_null(pod_label(pods[j], KL_CTRL_REVISION_HASH_LABEL), name);
                if (!live)
                        revs[n_hist++] = revs[i];
        }
        if (limit < 0)
                limit = 0;
        for (size_t i = 0; (int64_t)n_hist > limit && i < n_hist - (size_t)limit; i++)
                kl_ctrl_delete(s->out, kl_ctrl_res("apps", "controllerrevisions"), s->ns,
                               kl_ctrl_meta_str(revs[i], "name"), NULL);
}

int kl_ctrl_sts_reconcile(const struct kl_ctrl_sts_input *in, struct kl_ctrl_actions *out,
                          kl_usec_t *requeue_after, struct kl_err **err)
{
        const json_t *set = in->set, *spec = json_object_get(set, "spec");
        const json_t *strategy = json_object_get(spec, "updateStrategy");
        const json_t *policy = json_object_get(spec, "persistentVolumeClaimRetentionPolicy");
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *sel = NULL;
        kl_autofree const json_t **revs = kl_calloc(in->n_revisions + 1, sizeof(*revs));
        kl_autofree const json_t **pods = kl_calloc(in->n_pods + 1, sizeof(*pods));
        struct counts c = { 0 };
        struct sts s = {
                .in = in,
                .set = set,
                .name = kl_ctrl_meta_str(set, "name"),
                .ns = kl_ctrl_meta_str(set, "namespace"),
                .out = out,
                .pods_res = kl_ctrl_res("", "pods"),
                .pvc_res = kl_ctrl_res("", "persistentvolumeclaims"),
        };
        size_t n_revs, n_pods;
        int r;

        if (!s.name || !s.ns)
                return 0;
        r = kl_api_label_selector_from_json(json_object_get(spec, "selector"), &sel, err);
        if (r < 0)
                return kl_err_wrap(err, r, "statefulset '%s/%s': selector", s.ns, s.name);
        s.replicas = kl_ctrl_int_field(spec, "replicas", NULL, 1);
        if (s.replicas < 0)
                s.replicas = 0;
        if (s.replicas > STS_MAX_REPLICAS)
                return kl_err_set(err, -E2BIG, "statefulset '%s/%s': %lld replicas is too many",
                                  s.ns, s.name, (long long)s.replicas);
        s.start = kl_ctrl_int_field(spec, "ordinals", "start", 0);
        if (s.start < 0 || s.start > INT32_MAX)
                s.start = 0;
        s.min_ready = kl_ctrl_int_field(spec, "minReadySeconds", NULL, 0);
        s.monotonic = !kl_streq_null(
                json_string_value(json_object_get(spec, "podManagementPolicy")), "Parallel");
        s.rolling =
                !kl_streq_null(json_string_value(json_object_get(strategy, "type")), "OnDelete");
        s.partition =
                kl_ctrl_int_field(json_object_get(strategy, "rollingUpdate"), "partition", NULL, 0);
        s.when_deleted = json_string_value(json_object_get(policy, "whenDeleted"));
        s.when_scaled = json_string_value(json_object_get(policy, "whenScaled"));
        s.collision_count =
                kl_ctrl_int_field(json_object_get(set, "status"), "collisionCount", NULL, 0);

        n_revs = kl_ctrl_claim(set, sel, kl_ctrl_res("apps", "controllerrevisions"), in->revisions,
                               in->n_revisions, NULL, out, revs);
        r = revisions(&s, revs, n_revs, err);
        if (r < 0)
                return r;
        n_pods = kl_ctrl_claim(set, sel, s.pods_res, in->pods, in->n_pods, is_member, out, pods);
        update_pods(&s, pods, n_pods, &c);
        write_status(&s, &c);
        truncate_history(&s, revs, n_revs, pods, n_pods);
        if (s.min_ready > 0 && c.ready != c.available && requeue_after)
                *requeue_after = (kl_usec_t)s.min_ready * KL_USEC_PER_SEC;
        json_decref(s.cur_set);
        json_decref(s.upd_set);
        json_decref(s.upd_rev_obj);
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Manager glue */

static const enum kl_ctrl_inf sts_watches[] = {
        KL_CTRL_INF_STATEFULSETS,
        KL_CTRL_INF_PODS,
        KL_CTRL_INF_CONTROLLERREVISIONS,
        KL_CTRL_INF__COUNT,
};

static const enum kl_ctrl_inf sts_reads[] = {
        KL_CTRL_INF_PVCS,
        KL_CTRL_INF__COUNT,
};

static void enqueue_dependent(struct kl_ctrl *c, const json_t *obj)
{
        const json_t *ref = kl_ctrl_controller_ref(obj);
        const char *ns = kl_ctrl_meta_str(obj, "namespace");

        if (ref) {
                kl_ctrl_enqueue_owner(c, obj, "StatefulSet");
        } else if (ns && !kl_ctrl_is_deleting(obj)) {
                kl_autofree char *key = kl_asprintf("%s/*", ns);

                kl_ctrl_enqueue(c, key); /* every set that might adopt it */
        }
}

static void sts_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old, const json_t *obj)
{
        if (i == KL_CTRL_INF_STATEFULSETS) {
                kl_ctrl_enqueue_obj(c, obj ? obj : old);
                return;
        }
        if (obj)
                enqueue_dependent(c, obj);
        /* A changed controller reference concerns the old owner too. */
        if (old && (!obj || !json_equal(kl_ctrl_controller_ref(old), kl_ctrl_controller_ref(obj))))
                if (kl_ctrl_controller_ref(old))
                        kl_ctrl_enqueue_owner(c, old, "StatefulSet");
}

static int sync_one(const struct kl_ctrl_env *env, const json_t *set, struct kl_ctrl_actions *out,
                    kl_usec_t *requeue_after, struct kl_err **err)
{
        const char *ns = kl_ctrl_meta_str(set, "namespace");
        kl_cleanup(kl_objv_clearp) struct kl_objv pods = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv revs = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv pvcs = { 0 };
        kl_usec_t rq = 0;
        int r;

        kl_informer_by_index(kl_ctrl_informer(env, KL_CTRL_INF_PODS), KL_INDEX_NAMESPACE, ns,
                             &pods);
        kl_informer_by_index(kl_ctrl_informer(env, KL_CTRL_INF_CONTROLLERREVISIONS),
                             KL_INDEX_NAMESPACE, ns, &revs);
        kl_informer_by_index(kl_ctrl_informer(env, KL_CTRL_INF_PVCS), KL_INDEX_NAMESPACE, ns,
                             &pvcs);
        r = kl_ctrl_sts_reconcile(
                &(struct kl_ctrl_sts_input){
                        .set = set,
                        .pods = pods.items,
                        .n_pods = pods.n,
                        .revisions = revs.items,
                        .n_revisions = revs.n,
                        .pvcs = pvcs.items,
                        .n_pvcs = pvcs.n,
                        .now = env->now,
                },
                out, &rq, err);
        if (rq > 0 && (*requeue_after == 0 || rq < *requeue_after))
                *requeue_after = rq;
        return r;
}

static int sts_sync(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out,
                    kl_usec_t *requeue_after, struct kl_err **err)
{
        const struct kl_informer *inf = kl_ctrl_informer(env, KL_CTRL_INF_STATEFULSETS);
        kl_autofree char *ns = NULL, *name = NULL;
        kl_cleanup(kl_objv_clearp) struct kl_objv sets = { 0 };
        const json_t *set;

        kl_client_key_split(key, &ns, &name);
        if (!ns || !name)
                return 0;
        if (!kl_streq(name, "*")) {
                set = kl_informer_get(inf, ns, name);
                return set ? sync_one(env, set, out, requeue_after, err) : 0;
        }
        kl_informer_by_index(inf, KL_INDEX_NAMESPACE, ns, &sets);
        for (size_t i = 0; i < sets.n; i++) {
                int r = sync_one(env, sets.items[i], out, requeue_after, err);

                if (r < 0)
                        return r;
        }
        return 0;
}

const struct kl_ctrl_def kl_ctrl_statefulset = {
        .name = "statefulset",
        .user = "system:serviceaccount:kube-system:statefulset-controller",
        .watches = sts_watches,
        .reads = sts_reads,
        .enqueue = sts_enqueue,
        .sync = sts_sync,
};
