/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The namespace controller (upstream's namespace deleter): a namespace with
 * a deletionTimestamp loses its content, reports progress in five
 * conditions, and once empty gives up its "kubernetes" finalizer through
 * namespaces/<name>/finalize. Keys are namespace names.
 *
 * The API server already does most of this inline (pkg/apiserver/README.md
 * "Deletion"): deleting a namespace deletes its content and finishes it
 * when the last object leaves. This controller picks up what that leaves
 * behind: content created while the delete ran, objects whose finalizers
 * were removed later, and the conditions `kubectl describe ns` shows.
 *
 * It sees only the kinds the manager has informers for; content of other
 * kinds is the API server's inline work. The namespace is finalized once
 * none of the informers holds anything in it: an object of another kind
 * held there by a finalizer (a Role, an Event) would not keep it. Creates
 * in a terminating namespace are refused, so nothing new can appear.
 */
#include <string.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

#define NS_FINALIZER "kubernetes"
/* Upstream waits this long for content held by finalizers (finalizerEstimateSeconds). */
#define FINALIZER_ESTIMATE_SEC 15

/* The conditions upstream's namespaceConditionUpdater keeps, with their "ok" variants. */
static const struct {
        const char *type, *ok_reason, *ok_message;
} ns_conds[] = {
        { "NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered",
          "All resources successfully discovered" },
        { "NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions",
          "All legacy kube types successfully parsed" },
        { "NamespaceDeletionContentFailure", "ContentDeleted",
          "All content successfully deleted, may be waiting on finalization" },
        { "NamespaceContentRemaining", "ContentRemoved", "All content successfully removed" },
        { "NamespaceFinalizersRemaining", "ContentRemoved", "All content successfully removed" },
};

static bool has_ns_finalizer(const json_t *ns)
{
        const json_t *fin = json_object_get(json_object_get(ns, "spec"), "finalizers");
        size_t i;
        json_t *f;

        json_array_foreach(fin, i, f)
                if (kl_streq_null(json_string_value(f), NS_FINALIZER))
                        return true;
        return false;
}

/*
 * Will `obj` still be there once deleted? Objects with finalizers stay, and
 * so do running pods bound to a node (their kubelet ends them after the
 * grace period); anything else leaves the store at once.
 */
static bool stays(const json_t *obj, const struct kl_api_resource *res)
{
        if (json_array_size(json_object_get(json_object_get(obj, "metadata"), "finalizers")) > 0)
                return true;
        if (!kl_streq(res->group, "") || !kl_streq(res->plural, "pods"))
                return false;
        return json_string_value(json_object_get(json_object_get(obj, "spec"), "nodeName")) &&
               !kl_streq_null(
                       json_string_value(json_object_get(json_object_get(obj, "status"), "phase")),
                       "Succeeded") &&
               !kl_streq_null(
                       json_string_value(json_object_get(json_object_get(obj, "status"), "phase")),
                       "Failed");
}

/* Count `key` in the object `counts` (key → integer). */
static void count_add(json_t *counts, const char *key)
{
        json_t *v = json_object_get(counts, key);

        (void)json_object_set_new(counts, key, json_integer(v ? json_integer_value(v) + 1 : 1));
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * "<prefix><item>, <item>" over `counts` (key → count), sorted as upstream
 * sorts them: "<key> has <n> resource instances" or, by_finalizer, "<key>
 * in <n> resource instances". New.
 */
static char *counts_message(const char *prefix, const json_t *counts, bool by_finalizer)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        size_t n = json_object_size(counts), k = 0;
        kl_autofree char **items = kl_calloc(n ? n : 1, sizeof(*items));
        const char *key;
        json_t *v;

        json_object_foreach((json_t *)counts, key, v) {
                long long count = (long long)json_integer_value(v);

                items[k++] = by_finalizer
                                     ? kl_asprintf("%s in %lld resource instances", key, count)
                                     : kl_asprintf("%s has %lld resource instances", key, count);
        }
        qsort(items, n, sizeof(*items), cmp_str);
        (void)kl_buf_puts(&b, prefix);
        for (size_t i = 0; i < n; i++) {
                if (i)
                        (void)kl_buf_puts(&b, ", ");
                (void)kl_buf_puts(&b, items[i]);
                free(items[i]);
        }
        return kl_buf_detach(&b, NULL);
}

void kl_ctrl_ns_reconcile(const struct kl_ctrl_ns_input *in, struct kl_ctrl_actions *out,
                          kl_usec_t *requeue_after)
{
        const struct kl_api_resource *nsres = kl_ctrl_res("", "namespaces");
        const char *name = kl_ctrl_meta_str(in->ns, "name");
        kl_usec_t deleted_at = kl_ctrl_time(
                json_object_get(json_object_get(in->ns, "metadata"), "deletionTimestamp"));
        json_auto_t *by_res = json_object(); /* "pods." → remaining count */
        json_auto_t *by_fin = json_object(); /* finalizer → remaining count */
        json_auto_t *next = NULL;
        json_t *status;
        int64_t estimate = 0;
        size_t batch = 0;

        *requeue_after = 0;
        if (!name || !kl_ctrl_is_deleting(in->ns) || !has_ns_finalizer(in->ns))
                return;
        if (in->n_content == 0) {
                /* Empty: give up our finalizer (the API server removes the namespace then). */
                json_t *fin;

                next = json_deep_copy(in->ns);
                fin = json_object_get(json_object_get(next, "spec"), "finalizers");
                for (size_t i = json_array_size(fin); i-- > 0;)
                        if (kl_streq_null(json_string_value(json_array_get(fin, i)), NS_FINALIZER))
                                (void)json_array_remove(fin, i);
                kl_ctrl_update(out, nsres, NULL, name, "finalize", KL_TAKE_PTR(next));
                return;
        }

        for (size_t i = 0; i < in->n_content; i++) {
                const json_t *obj = in->content[i];
                const struct kl_api_resource *res = in->content_res[i];
                const json_t *fins =
                        json_object_get(json_object_get(obj, "metadata"), "finalizers");
                kl_autofree char *gr = NULL;
                size_t j;
                json_t *f;

                /* Past the batch, the rest waits for the next call and counts as remaining. */
                if (!kl_ctrl_is_deleting(obj) && batch < KL_CTRL_NS_DELETE_BATCH) {
                        batch++;
                        kl_ctrl_delete(out, res, kl_ctrl_meta_str(obj, "namespace"),
                                       kl_ctrl_meta_str(obj, "name"),
                                       json_pack("{s:s, s:{s:s?}}", "propagationPolicy",
                                                 "Background", "preconditions", "uid",
                                                 kl_ctrl_meta_str(obj, "uid")));
                        if (!stays(obj, res))
                                continue;
                }
                /* Upstream names a group/resource "<resource>.<group>", "pods." for core. */
                gr = kl_asprintf("%s.%s", res->plural, res->group);
                count_add(by_res, gr);
                json_array_foreach(fins, j, f)
                        if (json_string_value(f))
                                count_add(by_fin, json_string_value(f));
                if (json_array_size(fins) > 0)
                        estimate = KL_MAX(estimate, FINALIZER_ESTIMATE_SEC);
                if (kl_streq(res->group, "") && kl_streq(res->plural, "pods") &&
                    json_string_value(json_object_get(json_object_get(obj, "spec"), "nodeName"))) {
                        const json_t *g = json_object_get(json_object_get(obj, "spec"),
                                                          "terminationGracePeriodSeconds");
                        int64_t left = json_is_integer(g) ? json_integer_value(g) : 30;

                        /* Upstream stops counting the grace once it has passed since the delete. */
                        if (deleted_at && in->now >= deleted_at)
                                left -= (int64_t)((in->now - deleted_at) / KL_USEC_PER_SEC);
                        estimate = KL_MAX(estimate, left);
                }
        }

        /* The conditions, as upstream's updateConditions: only on a change. */
        next = json_deep_copy(in->ns);
        status = json_object_get(next, "status");
        if (!json_is_object(status)) {
                status = json_object();
                (void)json_object_set_new(next, "status", status);
        }
        for (size_t i = 0; i < KL_ARRAY_SIZE(ns_conds); i++) {
                kl_autofree char *msg = NULL;
                const char *type = ns_conds[i].type;

                if (kl_streq(type, "NamespaceContentRemaining") && json_object_size(by_res) > 0) {
                        msg = counts_message("Some resources are remaining: ", by_res, false);
                        kl_ctrl_set_condition(status, type, "True", "SomeResourcesRemain", msg,
                                              in->now);
                } else if (kl_streq(type, "NamespaceFinalizersRemaining") &&
                           json_object_size(by_fin) > 0) {
                        msg = counts_message("Some finalizers are remaining: ", by_fin, true);
                        kl_ctrl_set_condition(status, type, "True", "SomeFinalizerRemain", msg,
                                              in->now);
                } else {
                        kl_ctrl_set_condition(status, type, "False", ns_conds[i].ok_reason,
                                              ns_conds[i].ok_message, in->now);
                }
        }
        if (!json_equal(json_object_get(status, "conditions"),
                        json_object_get(json_object_get(in->ns, "status"), "conditions")))
                kl_ctrl_update(out, nsres, NULL, name, "status", KL_TAKE_PTR(next));

        /* Upstream's requeue after a "resources remaining" estimate: estimate/2 + 1 seconds. */
        if (json_object_size(by_res) > 0)
                *requeue_after = (kl_usec_t)(KL_MAX(estimate, 0) / 2 + 1) * KL_USEC_PER_SEC;
}

/* Kinds whose objects live in namespaces (every namespaced informer kind). */
static const enum kl_ctrl_inf ns_content[] = {
        KL_CTRL_INF_PODS,
        KL_CTRL_INF_SERVICES,
        KL_CTRL_INF_ENDPOINTS,
        KL_CTRL_INF_ENDPOINTSLICES,
        KL_CTRL_INF_SERVICEACCOUNTS,
        KL_CTRL_INF_REPLICASETS,
        KL_CTRL_INF_DEPLOYMENTS,
        KL_CTRL_INF_STATEFULSETS,
        KL_CTRL_INF_DAEMONSETS,
        KL_CTRL_INF_CONTROLLERREVISIONS,
        KL_CTRL_INF_JOBS,
        KL_CTRL_INF_CRONJOBS,
        KL_CTRL_INF_PVCS,
        KL_CTRL_INF_LEASES,
        KL_CTRL_INF_CONFIGMAPS,
        KL_CTRL_INF_SECRETS,
        KL_CTRL_INF_PDBS,
};

static const enum kl_ctrl_inf ns_watches[] = {
        KL_CTRL_INF_NAMESPACES,
        KL_CTRL_INF_PODS,
        KL_CTRL_INF_SERVICES,
        KL_CTRL_INF_ENDPOINTS,
        KL_CTRL_INF_ENDPOINTSLICES,
        KL_CTRL_INF_SERVICEACCOUNTS,
        KL_CTRL_INF_REPLICASETS,
        KL_CTRL_INF_DEPLOYMENTS,
        KL_CTRL_INF_STATEFULSETS,
        KL_CTRL_INF_DAEMONSETS,
        KL_CTRL_INF_CONTROLLERREVISIONS,
        KL_CTRL_INF_JOBS,
        KL_CTRL_INF_CRONJOBS,
        KL_CTRL_INF_PVCS,
        KL_CTRL_INF_LEASES,
        KL_CTRL_INF_CONFIGMAPS,
        KL_CTRL_INF_SECRETS,
        KL_CTRL_INF_PDBS,
        KL_CTRL_INF__COUNT,
};

static void ns_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old, const json_t *obj)
{
        const json_t *cur = obj ? obj : old;
        const char *ns;

        if (i == KL_CTRL_INF_NAMESPACES) {
                if (kl_ctrl_is_deleting(cur))
                        kl_ctrl_enqueue_obj(c, cur);
                return;
        }
        /*
         * Content: its removal or a change while it is being deleted (a
         * finalizer gone) may let a terminating namespace move on. The sync
         * of a namespace that is not terminating is a lookup.
         */
        ns = kl_ctrl_meta_str(cur, "namespace");
        if (ns && (!obj || kl_ctrl_is_deleting(cur)))
                kl_ctrl_enqueue(c, ns);
}

static int ns_sync(const struct kl_ctrl_env *env, const char *key, struct kl_ctrl_actions *out,
                   kl_usec_t *requeue_after, struct kl_err **err)
{
        const json_t *ns =
                kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_NAMESPACES), NULL, key);
        kl_cleanup(kl_objv_clearp) struct kl_objv content = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv one = { 0 };
        kl_autofree const struct kl_api_resource **res = NULL;
        size_t cap = 0;

        (void)err;
        if (!ns || !kl_ctrl_is_deleting(ns))
                return 0;
        for (size_t k = 0; k < KL_ARRAY_SIZE(ns_content); k++) {
                /* Lookups refill their vector: gather kind by kind. */
                kl_informer_list(kl_ctrl_informer(env, ns_content[k]), key, &one);
                if (content.n + one.n > cap) {
                        cap = content.n + one.n;
                        res = kl_realloc(res, cap * sizeof(*res));
                }
                for (size_t j = 0; j < one.n; j++) {
                        res[content.n] = kl_ctrl_inf_resource(ns_content[k]);
                        kl_objv_push(&content, one.items[j]);
                }
        }
        kl_ctrl_ns_reconcile(
                &(struct kl_ctrl_ns_input){
                        .ns = ns,
                        .content = content.items,
                        .content_res = res,
                        .n_content = content.n,
                        .now = env->now,
                },
                out, requeue_after);
        return 0;
}

const struct kl_ctrl_def kl_ctrl_namespace = {
        .name = "namespace",
        .user = "system:serviceaccount:kube-system:namespace-controller",
        .watches = ns_watches,
        .enqueue = ns_enqueue,
        .sync = ns_sync,
};
