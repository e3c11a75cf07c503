/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pods/eviction (evict-internal.h): the PodDisruptionBudget check of
 * upstream's EvictionREST.Create before the delete. Reads come from the watch
 * cache; the budget's status is written with a compare-and-swap through the
 * resource handler layer, so two evictions racing for the last allowed
 * disruption cannot both win: the loser re-reads and is refused. The
 * disruption controller (pkg/controllers/disruption.c) computes the status
 * and clears disruptedPods entries the eviction wrote.
 */
#include <errno.h>
#include <string.h>

#include "api/selector.h"
#include "apiserver/evict-internal.h"
#include "json/json.h"

#define MSG_VIOLATES "Cannot evict pod as it would violate the pod's disruption budget."
#define MSG_MULTIPLE                                                                      \
        "This pod has more than one PodDisruptionBudget, which the eviction subresource " \
        "does not support."

struct evict {
        struct kl_apiserver *s;
        char *ns, *name;
        json_t *delete_opts;
        struct kl_apiserver_write_opts opts;
        kl_apiserver_write_fn *cb;
        void *arg;
        int tries;
};

static const struct kl_api_resource *pods_row(void)
{
        const struct kl_api_resource *r = kl_api_resource_find("", "v1", "pods");

        kl_assert(r);
        return r;
}

static const struct kl_api_resource *pdb_row(void)
{
        const struct kl_api_resource *r =
                kl_api_resource_find("policy", "v1", "poddisruptionbudgets");

        kl_assert(r);
        return r;
}

static void evict_free(struct evict *ev)
{
        free(ev->ns);
        free(ev->name);
        json_decref(ev->delete_opts);
        free(ev);
}

static void evict_fail(struct evict *ev, int r, const struct kl_err *e)
{
        ev->cb(ev->arg, r, NULL, e);
        evict_free(ev);
}

/* A failure whose Status carries details the route layer cannot build from a kl_err. */
static void evict_fail_status(struct evict *ev, int code, const char *message, json_t *causes)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *st = json_pack("{sssss{}sssssss{so}si}", "kind", "Status", "apiVersion", "v1",
                                    "metadata", "status", "Failure", "message", message, "reason",
                                    kl_err_code_reason(code), "details", "causes", causes, "code",
                                    kl_err_code_http_status(code));
        struct kl_apiserver_result res = { .status = kl_err_code_http_status(code), .obj = st };

        kl_assert(st);
        (void)kl_err_set_msg(&e, code, "%s", message);
        ev->cb(ev->arg, code, &res, e);
        evict_free(ev);
}

static void evict_too_many(struct evict *ev, const char *cause)
{
        evict_fail_status(ev, -KL_ETOO_MANY_REQUESTS, MSG_VIOLATES,
                          json_pack("[{ssss}]", "reason", "DisruptionBudget", "message", cause));
}

static void evict_delete(struct evict *ev)
{
        kl_apiserver_delete(ev->s, pods_row(), ev->ns, ev->name, json_incref(ev->delete_opts),
                            &ev->opts, ev->cb, ev->arg);
        evict_free(ev);
}

/* upstream canIgnorePDB(): budgets protect running pods only. */
static bool can_ignore_pdb(const json_t *pod)
{
        const char *phase =
                json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));

        return kl_streq_null(phase, "Succeeded") || kl_streq_null(phase, "Failed") ||
               kl_streq_null(phase, "Pending") ||
               json_is_string(
                       json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp"));
}

static bool pod_ready(const json_t *pod)
{
        json_t *c;
        size_t i;

        json_array_foreach(json_object_get(json_object_get(pod, "status"), "conditions"), i, c) {
                if (kl_streq_null(json_string_value(json_object_get(c, "type")), "Ready"))
                        return kl_streq_null(json_string_value(json_object_get(c, "status")),
                                             "True");
        }
        return false;
}

static int64_t int_at(const json_t *obj, const char *a, const char *b)
{
        return json_integer_value(json_object_get(json_object_get(obj, a), b));
}

/* The budgets of the pod's namespace whose selector matches its labels (a new array). */
static int matching_pdbs(struct evict *ev, const json_t *pod, json_t **ret, struct kl_err **err)
{
        struct kl_apiserver_list_opts lo = { 0 };
        json_t *labels = json_object_get(json_object_get(pod, "metadata"), "labels");
        json_auto_t *list = NULL;
        json_t *out, *pdb;
        size_t i;
        int r;

        r = kl_apiserver_list(ev->s, pdb_row(), ev->ns, &lo, &list, err);
        if (r < 0)
                return r;
        out = json_array();
        json_array_foreach(json_object_get(list, "items"), i, pdb) {
                struct kl_api_label_selector *sel = NULL;
                bool match;

                /* A selector that does not parse selects nothing, as upstream skips it. */
                if (kl_api_label_selector_from_json(
                            json_object_get(json_object_get(pdb, "spec"), "selector"), &sel, NULL) <
                    0)
                        continue;
                match = kl_api_label_selector_matches(sel, json_is_object(labels) ? labels : NULL);
                kl_api_label_selector_free(sel);
                if (match)
                        (void)json_array_append(out, pdb);
        }
        *ret = out;
        return 0;
}

/* pdbhelper.UpdateDisruptionAllowedCondition() for disruptionsAllowed == 0. */
static void set_insufficient(json_t *status, const char *now)
{
        json_t *conds = json_object_get(status, "conditions");
        json_t *c, *found = NULL;
        size_t i;

        if (!json_is_array(conds)) {
                conds = json_array();
                (void)json_object_set_new(status, "conditions", conds);
        }
        json_array_foreach(conds, i, c) {
                if (kl_streq_null(json_string_value(json_object_get(c, "type")),
                                  "DisruptionAllowed"))
                        found = c;
        }
        if (!found) {
                found = json_object();
                (void)json_object_set_new(found, "type", json_string("DisruptionAllowed"));
                (void)json_object_set_new(found, "message", json_string(""));
                (void)json_array_append_new(conds, found);
        }
        if (!kl_streq_null(json_string_value(json_object_get(found, "status")), "False"))
                (void)json_object_set_new(found, "lastTransitionTime", json_string(now));
        (void)json_object_set_new(found, "status", json_string("False"));
        (void)json_object_set_new(found, "reason", json_string("InsufficientPods"));
        (void)json_object_set(found, "observedGeneration",
                              json_object_get(status, "observedGeneration"));
}

static void evict_run(struct evict *ev);

static void pdb_written(void *arg, int r, const struct kl_apiserver_result *res,
                        const struct kl_err *err)
{
        struct evict *ev = arg;

        (void)res;
        if (r == -KL_ECONFLICT && ++ev->tries < KL_APISERVER_EVICT_MAX_TRIES) {
                evict_run(ev);
                return;
        }
        if (r < 0) {
                evict_fail(ev, r, err);
                return;
        }
        evict_delete(ev);
}

static void evict_run(struct evict *ev)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *pod = NULL;
        json_auto_t *pdbs = NULL;
        json_t *pdb, *status, *disrupted;
        const char *pdb_name, *policy;
        int64_t allowed, desired, current;
        char now[KL_RFC3339_MAX];
        int r;

        r = kl_apiserver_get(ev->s, pods_row(), ev->ns, ev->name, &pod, &e);
        if (r < 0) {
                evict_fail(ev, r, e);
                return;
        }
        if (can_ignore_pdb(pod)) {
                evict_delete(ev);
                return;
        }
        r = matching_pdbs(ev, pod, &pdbs, &e);
        if (r < 0) {
                evict_fail(ev, r, e);
                return;
        }
        if (json_array_size(pdbs) == 0) {
                evict_delete(ev);
                return;
        }
        if (json_array_size(pdbs) > 1) {
                evict_fail_status(ev, -EIO, "Internal error occurred: " MSG_MULTIPLE,
                                  json_pack("[{ss}]", "message", MSG_MULTIPLE));
                return;
        }
        pdb = json_deep_copy(json_array_get(pdbs, 0));
        json_array_clear(pdbs);
        (void)json_array_append_new(pdbs, pdb);
        pdb_name = json_string_value(json_object_get(json_object_get(pdb, "metadata"), "name"));
        status = json_object_get(pdb, "status");
        desired = int_at(pdb, "status", "desiredHealthy");
        current = int_at(pdb, "status", "currentHealthy");
        policy = json_string_value(
                json_object_get(json_object_get(pdb, "spec"), "unhealthyPodEvictionPolicy"));
        if (!pod_ready(pod) &&
            (kl_streq_null(policy, "AlwaysAllow") || (current >= desired && desired > 0))) {
                /* An unready pod does not count against a budget that is met anyway. */
                evict_delete(ev);
                return;
        }
        if (int_at(pdb, "status", "observedGeneration") < int_at(pdb, "metadata", "generation")) {
                char msg[512];

                (void)snprintf(msg, sizeof(msg),
                               "The disruption budget %s is still being processed by the server.",
                               pdb_name);
                evict_too_many(ev, msg);
                return;
        }
        allowed = int_at(pdb, "status", "disruptionsAllowed");
        if (allowed < 0) {
                (void)kl_err_set_msg(&e, -EACCES,
                                     "poddisruptionbudgets.policy \"%s\" is forbidden: pdb "
                                     "disruptions allowed is negative",
                                     pdb_name);
                evict_fail(ev, -EACCES, e);
                return;
        }
        disrupted = json_object_get(status, "disruptedPods");
        if (json_object_size(disrupted) > KL_APISERVER_MAX_DISRUPTED_PODS) {
                (void)kl_err_set_msg(&e, -EACCES,
                                     "poddisruptionbudgets.policy \"%s\" is forbidden: "
                                     "DisruptedPods map too big - too many evictions not "
                                     "confirmed by PDB controller",
                                     pdb_name);
                evict_fail(ev, -EACCES, e);
                return;
        }
        if (allowed == 0) {
                char msg[512];

                (void)snprintf(msg, sizeof(msg),
                               "The disruption budget %s needs %lld healthy pods and has %lld "
                               "currently",
                               pdb_name, (long long)desired, (long long)current);
                evict_too_many(ev, msg);
                return;
        }
        /* A dry run stops here: the budget allows it, nothing is written. */
        if (ev->opts.dry_run) {
                evict_delete(ev);
                return;
        }
        (void)kl_rfc3339_format(kl_now_realtime(), KL_RFC3339_SECONDS, now, sizeof(now));
        if (!json_is_object(status)) {
                status = json_object();
                (void)json_object_set_new(pdb, "status", status);
        }
        (void)json_object_set_new(status, "disruptionsAllowed", json_integer(allowed - 1));
        if (allowed - 1 == 0)
                set_insufficient(status, now);
        if (!json_is_object(disrupted)) {
                disrupted = json_object();
                (void)json_object_set_new(status, "disruptedPods", disrupted);
        }
        (void)json_object_set_new(disrupted, ev->name, json_string(now));
        /* metadata.resourceVersion is the one read: the status write is a compare-and-swap. */
        kl_apiserver_update(ev->s, pdb_row(), ev->ns, pdb_name, "status", json_incref(pdb),
                            &ev->opts, pdb_written, ev);
}

void kl_apiserver__evict(struct kl_apiserver *s, const char *ns, const char *name, json_t *eviction,
                         const struct kl_apiserver_write_opts *opts, kl_apiserver_write_fn *cb,
                         void *arg)
{
        struct evict *ev = kl_new0(struct evict);

        ev->s = s;
        ev->ns = kl_strdup(ns);
        ev->name = kl_strdup(name);
        ev->delete_opts = json_incref(json_object_get(eviction, "deleteOptions"));
        ev->opts = *opts;
        ev->cb = cb;
        ev->arg = arg;
        json_decref(eviction);
        evict_run(ev);
}
