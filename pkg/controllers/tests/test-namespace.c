/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The namespace controller's reconcile, against upstream's namespace
 * deleter: content deleted in the background, the five deletion conditions
 * with upstream's reasons and messages, the finalize subresource once
 * empty, the requeue estimate.
 */
#include <criterion/criterion.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"
#include "json/json.h"

/* 2025-06-15T15:06:40Z; the namespace was deleted 10 s before. */
#define T0 ((kl_usec_t)1750000000 * KL_USEC_PER_SEC)

#define NS_DELETING                                                                         \
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"team-a\","  \
        "\"uid\":\"ns-uid\",\"resourceVersion\":\"11\",\"deletionTimestamp\":"              \
        "\"2025-06-15T15:06:30Z\"},\"spec\":{\"finalizers\":[\"kubernetes\"]},\"status\":{" \
        "\"phase\":\"Terminating\"}}"

static json_t *J(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text, 0, &e);

        cr_assert(v, "bad test JSON: %s: %s", e.text, text);
        return v;
}

static json_t *at(const json_t *obj, const char *path)
{
        json_t *v = NULL;

        return kl_json_get(obj, path, &v, NULL) == 0 ? v : NULL;
}

struct content {
        const char *group, *plural, *obj;
};

static void run(const char *ns_text, const struct content *c, size_t n, struct kl_ctrl_actions *a,
                kl_usec_t *requeue)
{
        json_auto_t *ns = J(ns_text);
        json_auto_t *objs = json_array();
        const json_t **content = kl_calloc(n ? n : 1, sizeof(*content));
        const struct kl_api_resource **res = kl_calloc(n ? n : 1, sizeof(*res));

        for (size_t i = 0; i < n; i++) {
                json_t *o = J(c[i].obj);

                (void)json_array_append_new(objs, o);
                content[i] = o;
                res[i] = kl_ctrl_res(c[i].group, c[i].plural);
        }
        kl_ctrl_ns_reconcile(
                &(struct kl_ctrl_ns_input){
                        .ns = ns,
                        .content = content,
                        .content_res = res,
                        .n_content = n,
                        .now = T0,
                },
                a, requeue);
        free(content);
        free(res);
}

/* The condition `type` of a namespace status write. */
static const json_t *cond(const struct kl_ctrl_action *x, const char *type)
{
        return kl_ctrl_get_condition(x->obj, type);
}

static void expect_cond(const struct kl_ctrl_action *x, const char *type, const char *status,
                        const char *reason, const char *message)
{
        const json_t *c = cond(x, type);

        cr_assert(c, "condition %s", type);
        cr_expect_str_eq(json_string_value(json_object_get(c, "status")), status, "%s", type);
        cr_expect_str_eq(json_string_value(json_object_get(c, "reason")), reason, "%s", type);
        cr_expect_str_eq(json_string_value(json_object_get(c, "message")), message, "%s", type);
        cr_expect_str_eq(json_string_value(json_object_get(c, "lastTransitionTime")),
                         "2025-06-15T15:06:40Z", "%s", type);
}

Test(namespace, active_namespace_is_left_alone)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        const struct content c[] = {
                { "", "configmaps", "{\"metadata\":{\"name\":\"x\",\"namespace\":\"team-a\"}}" },
        };
        kl_usec_t requeue = 1;

        run("{\"metadata\":{\"name\":\"team-a\"},\"spec\":{\"finalizers\":[\"kubernetes\"]}}", c, 1,
            &a, &requeue);
        cr_expect_eq(a.n, 0);
        cr_expect_eq(requeue, 0);
}

Test(namespace, finalized_namespace_is_left_to_its_other_finalizers)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        kl_usec_t requeue = 1;

        run("{\"metadata\":{\"name\":\"team-a\",\"deletionTimestamp\":\"2025-06-15T15:06:30Z\"},"
            "\"spec\":{\"finalizers\":[\"example.com/other\"]}}",
            NULL, 0, &a, &requeue);
        cr_expect_eq(a.n, 0);
}

Test(namespace, empty_namespace_gives_up_the_kubernetes_finalizer)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        kl_usec_t requeue = 1;

        run("{\"metadata\":{\"name\":\"team-a\",\"resourceVersion\":\"11\",\"deletionTimestamp\":"
            "\"2025-06-15T15:06:30Z\"},\"spec\":{\"finalizers\":[\"kubernetes\","
            "\"example.com/other\"]}}",
            NULL, 0, &a, &requeue);
        cr_assert_eq(a.n, 1);
        cr_expect_eq(a.v[0].op, KL_CTRL_UPDATE);
        cr_expect_str_eq(a.v[0].res->plural, "namespaces");
        cr_expect_null(a.v[0].ns);
        cr_expect_str_eq(a.v[0].name, "team-a");
        cr_expect_str_eq(a.v[0].sub, "finalize");
        cr_expect_eq(json_array_size(at(a.v[0].obj, "spec.finalizers")), 1);
        cr_expect_str_eq(json_string_value(at(a.v[0].obj, "spec.finalizers[0]")),
                         "example.com/other");
        cr_expect_str_eq(json_string_value(at(a.v[0].obj, "metadata.resourceVersion")), "11");
        cr_expect_eq(requeue, 0);
}

Test(namespace, content_is_deleted_in_the_background)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        const struct content c[] = {
                { "", "configmaps",
                  "{\"metadata\":{\"name\":\"cfg\",\"namespace\":\"team-a\",\"uid\":\"u1\"}}" },
                { "apps", "deployments",
                  "{\"metadata\":{\"name\":\"web\",\"namespace\":\"team-a\",\"uid\":\"u2\"}}" },
        };
        kl_usec_t requeue = 1;

        run(NS_DELETING, c, 2, &a, &requeue);
        cr_assert_eq(a.n, 3);
        cr_expect_eq(a.v[0].op, KL_CTRL_DELETE);
        cr_expect_str_eq(a.v[0].res->plural, "configmaps");
        cr_expect_str_eq(a.v[0].ns, "team-a");
        cr_expect_str_eq(a.v[0].name, "cfg");
        cr_expect_str_eq(json_string_value(at(a.v[0].obj, "propagationPolicy")), "Background");
        cr_expect_str_eq(json_string_value(at(a.v[0].obj, "preconditions.uid")), "u1");
        cr_expect_eq(a.v[1].op, KL_CTRL_DELETE);
        cr_expect_str_eq(a.v[1].res->plural, "deployments");
        /* Both leave at once: the conditions say all is removed. */
        cr_expect_eq(a.v[2].op, KL_CTRL_UPDATE);
        cr_expect_str_eq(a.v[2].sub, "status");
        expect_cond(&a.v[2], "NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered",
                    "All resources successfully discovered");
        expect_cond(&a.v[2], "NamespaceDeletionGroupVersionParsingFailure", "False",
                    "ParsedGroupVersions", "All legacy kube types successfully parsed");
        expect_cond(&a.v[2], "NamespaceDeletionContentFailure", "False", "ContentDeleted",
                    "All content successfully deleted, may be waiting on finalization");
        expect_cond(&a.v[2], "NamespaceContentRemaining", "False", "ContentRemoved",
                    "All content successfully removed");
        expect_cond(&a.v[2], "NamespaceFinalizersRemaining", "False", "ContentRemoved",
                    "All content successfully removed");
        cr_expect_eq(json_array_size(at(a.v[2].obj, "status.conditions")), 5);
        cr_expect_str_eq(json_string_value(at(a.v[2].obj, "status.phase")), "Terminating");
        cr_expect_eq(requeue, 0);
}

Test(namespace, remaining_content_and_finalizers_are_reported)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        const struct content c[] = {
                /* Held by a finalizer, already deleting: counted, not deleted again. */
                { "", "configmaps",
                  "{\"metadata\":{\"name\":\"held\",\"namespace\":\"team-a\",\"uid\":\"u1\","
                  "\"deletionTimestamp\":\"2025-06-15T15:06:31Z\",\"finalizers\":"
                  "[\"example.com/hold\"]}}" },
                /* A running pod on a node stays for its grace period. */
                { "", "pods",
                  "{\"metadata\":{\"name\":\"p\",\"namespace\":\"team-a\",\"uid\":\"u2\"},"
                  "\"spec\":{\"nodeName\":\"n1\",\"terminationGracePeriodSeconds\":60},"
                  "\"status\":{\"phase\":\"Running\"}}" },
                { "apps", "replicasets",
                  "{\"metadata\":{\"name\":\"rs\",\"namespace\":\"team-a\",\"uid\":\"u3\","
                  "\"finalizers\":[\"example.com/hold\",\"example.com/audit\"]}}" },
        };
        kl_usec_t requeue = 0;

        run(NS_DELETING, c, 3, &a, &requeue);
        cr_assert_eq(a.n, 3);
        cr_expect_str_eq(a.v[0].name, "p");
        cr_expect_str_eq(a.v[1].name, "rs");
        cr_expect_str_eq(a.v[2].sub, "status");
        expect_cond(&a.v[2], "NamespaceContentRemaining", "True", "SomeResourcesRemain",
                    "Some resources are remaining: configmaps. has 1 resource instances, pods. "
                    "has 1 resource instances, replicasets.apps has 1 resource instances");
        expect_cond(&a.v[2], "NamespaceFinalizersRemaining", "True", "SomeFinalizerRemain",
                    "Some finalizers are remaining: example.com/audit in 1 resource instances, "
                    "example.com/hold in 2 resource instances");
        expect_cond(&a.v[2], "NamespaceDeletionContentFailure", "False", "ContentDeleted",
                    "All content successfully deleted, may be waiting on finalization");
        /* The pod's 60 s grace, 10 s of which have passed: estimate 50 s, requeue 50/2+1. */
        cr_expect_eq(requeue, 26 * KL_USEC_PER_SEC);
}

Test(namespace, unchanged_conditions_are_not_written_again)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions b = { 0 };
        const struct content c[] = {
                { "", "configmaps",
                  "{\"metadata\":{\"name\":\"held\",\"namespace\":\"team-a\",\"uid\":\"u1\","
                  "\"deletionTimestamp\":\"2025-06-15T15:06:31Z\",\"finalizers\":"
                  "[\"example.com/hold\"]}}" },
        };
        kl_usec_t requeue = 0;
        kl_autofree char *written = NULL;

        run(NS_DELETING, c, 1, &a, &requeue);
        cr_assert_eq(a.n, 1);
        cr_expect_eq(requeue, (15 / 2 + 1) * KL_USEC_PER_SEC);
        written = json_dumps(a.v[0].obj, 0);
        /* The next pass over the namespace as written finds nothing to do. */
        run(written, c, 1, &b, &requeue);
        cr_expect_eq(b.n, 0);
}

Test(namespace, deletes_are_bounded_per_pass)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        size_t n = KL_CTRL_NS_DELETE_BATCH + 2;
        struct content *c = kl_calloc(n, sizeof(*c));
        char **texts = kl_calloc(n, sizeof(*texts));
        kl_usec_t requeue = 0;
        size_t deletes = 0;

        for (size_t i = 0; i < n; i++) {
                texts[i] = kl_asprintf(
                        "{\"metadata\":{\"name\":\"cm-%zu\",\"namespace\":\"team-a\"}}", i);
                c[i] = (struct content){ "", "configmaps", texts[i] };
        }
        run(NS_DELETING, c, n, &a, &requeue);
        for (size_t i = 0; i < a.n; i++)
                deletes += a.v[i].op == KL_CTRL_DELETE;
        cr_expect_eq(deletes, KL_CTRL_NS_DELETE_BATCH);
        cr_assert_eq(a.v[a.n - 1].op, KL_CTRL_UPDATE);
        expect_cond(&a.v[a.n - 1], "NamespaceContentRemaining", "True", "SomeResourcesRemain",
                    "Some resources are remaining: configmaps. has 2 resource instances");
        cr_expect_gt(requeue, 0);
        for (size_t i = 0; i < n; i++)
                free(texts[i]);
        free(texts);
        free(c);
}

/* ------------------------------------------------------------------------- */
/* Against a real in-process API server, with the ServiceAccount controller */

#include "apiserver/tests/support/testenv.h"

static struct kl_controllers *start_controllers(struct kl_testenv *e)
{
        static const char *const enabled[] = { "namespace", "serviceaccount", NULL };
        const struct kl_controllers_options co = { .enabled = enabled };
        struct kl_controllers *ctrl = NULL;
        struct kl_err *err = NULL;

        cr_assert_eq(kl_controllers_start(e->client, &co, &ctrl, &err), 0, "%s", kl_err_msg(err));
        return ctrl;
}

/* The object, or NULL once it is gone. */
static json_t *get(struct kl_testenv *e, const char *plural, const char *ns, const char *name)
{
        return kl_testenv_get_or_null(e, kl_ctrl_res("", plural), ns, name);
}

/* Run the loop until `done(obj)` holds (NULL: gone). */
static void wait_for(struct kl_testenv *e, const char *plural, const char *ns, const char *name,
                     bool (*done)(const json_t *obj))
{
        json_decref(kl_testenv_wait_for(e, kl_ctrl_res("", plural), ns, name, done));
}

static bool exists(const json_t *obj)
{
        return obj != NULL;
}

static bool is_gone(const json_t *obj)
{
        return obj == NULL;
}

static bool reports_the_finalizer(const json_t *obj)
{
        const json_t *c = kl_ctrl_get_condition(obj, "NamespaceFinalizersRemaining");

        return c && kl_streq_null(json_string_value(json_object_get(c, "message")),
                                  "Some finalizers are remaining: example.com/hold in 1 resource "
                                  "instances");
}

Test(namespace, lifecycle_against_a_real_api_server)
{
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        json_auto_t *ns = NULL;
        json_auto_t *sa = NULL;
        const json_t *c;

        kl_testenv_start(&e, NULL);
        ctrl = start_controllers(&e);
        kl_testenv_create(&e, kl_ctrl_res("", "namespaces"), NULL,
                          J("{\"metadata\":{\"name\":\"team-a\"}}"), NULL);
        /* The ServiceAccount controller gives it its "default". */
        wait_for(&e, "serviceaccounts", "team-a", "default", exists);

        kl_testenv_create(&e, kl_ctrl_res("", "configmaps"), "team-a",
                          J("{\"metadata\":{\"name\":\"held\",\"finalizers\":"
                            "[\"example.com/hold\"]}}"),
                          NULL);
        kl_testenv_delete(&e, kl_ctrl_res("", "namespaces"), NULL, "team-a", NULL, NULL);

        /* Held by the ConfigMap's finalizer: Terminating, with upstream's conditions. */
        wait_for(&e, "namespaces", NULL, "team-a", reports_the_finalizer);
        ns = get(&e, "namespaces", NULL, "team-a");
        c = kl_ctrl_get_condition(ns, "NamespaceContentRemaining");
        cr_assert(c);
        cr_expect_str_eq(json_string_value(json_object_get(c, "reason")), "SomeResourcesRemain");
        cr_expect_str_eq(json_string_value(json_object_get(c, "message")),
                         "Some resources are remaining: configmaps. has 1 resource instances");
        c = kl_ctrl_get_condition(ns, "NamespaceDeletionDiscoveryFailure");
        cr_assert(c);
        cr_expect_str_eq(json_string_value(json_object_get(c, "status")), "False");
        cr_expect_str_eq(json_string_value(at(ns, "status.phase")), "Terminating");
        /* Not recreated in a terminating namespace. */
        sa = get(&e, "serviceaccounts", "team-a", "default");
        cr_expect_null(sa);

        /* The finalizer goes: so do the ConfigMap and the namespace. */
        kl_testenv_patch(&e, kl_ctrl_res("", "configmaps"), "team-a", "held", NULL,
                         KL_API_PATCH_TYPE_MERGE, J("{\"metadata\":{\"finalizers\":null}}"), NULL);
        wait_for(&e, "namespaces", NULL, "team-a", is_gone);
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}
