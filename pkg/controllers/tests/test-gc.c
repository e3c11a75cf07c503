/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The garbage collector's reconcile, against upstream's attemptToDeleteItem
 * and processDeletingDependentsItem: dangling references, Background
 * propagation, owners waiting in the foreground, blockOwnerDeletion, the
 * orphan and foregroundDeletion finalizers, owners not seen yet.
 */
#include <criterion/criterion.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"
#include "json/json.h"

#define T0 ((kl_usec_t)1750000000 * KL_USEC_PER_SEC) /* 2025-06-15T15:06:40Z */

static json_t *J(const char *text)
{
        json_error_t e;
        json_t *v = json_loads(text, 0, &e);

        cr_assert(v, "bad test JSON: %s: %s", e.text, text);
        return v;
}

/* The value at `path` of `obj`, or NULL. */
static json_t *at(const json_t *obj, const char *path)
{
        json_t *v = NULL;

        return kl_json_get(obj, path, &v, NULL) == 0 ? v : NULL;
}

/* An object owned by the refs given (JSON array text), written long before T0. */
#define ITEM(refs)                                                                  \
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\"," \
        "\"namespace\":\"default\",\"uid\":\"pod-uid\",\"resourceVersion\":\"42\"," \
        "\"creationTimestamp\":\"2025-06-01T00:00:00Z\",\"ownerReferences\":" refs "}}"

#define REF_RS(uid, block)                                                                    \
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"web\",\"uid\":\"" uid \
        "\",\"controller\":true,\"blockOwnerDeletion\":" block "}"
#define REF_CM(uid) \
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"cfg\",\"uid\":\"" uid "\"}"
#define REF_CRD(uid) \
        "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"name\":\"w\",\"uid\":\"" uid "\"}"

#define RS(uid)                                                                               \
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"web\"," \
        "\"namespace\":\"default\",\"uid\":\"" uid "\"}}"
#define RS_FOREGROUND(uid)                                                                    \
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"web\"," \
        "\"namespace\":\"default\",\"uid\":\"" uid "\",\"deletionTimestamp\":"                \
        "\"2025-06-15T15:00:00Z\",\"finalizers\":[\"foregroundDeletion\"]}}"
#define CM(uid)                                                                         \
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\"," \
        "\"namespace\":\"default\",\"uid\":\"" uid "\"}}"

#define DEP_OF_ITEM                                                                             \
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"d\","           \
        "\"namespace\":\"default\",\"uid\":\"d1\",\"ownerReferences\":[{\"apiVersion\":\"v1\"," \
        "\"kind\":\"Pod\",\"name\":\"web-1\",\"uid\":\"pod-uid\"}]}}"

#define ABSENT  "absent"
#define UNKNOWN "unknown"

/* One item, its owners as the informers see them, and the expected single write (or none). */
struct gc_case {
        const char *name;
        const char *obj;
        const char *owners[3]; /* per ownerReference: the owner, ABSENT or UNKNOWN */
        const char *dependent; /* one dependent of the item, or NULL */
        kl_usec_t now;
        /* Expected: */
        int op;             /* -1: no action */
        const char *policy; /* deletes: propagationPolicy */
        const char *kept;   /* patches: the ownerReferences kept, as JSON ("null": none) */
        kl_usec_t requeue;
};

static const struct gc_case item_cases[] = {
        {
                .name = "an item whose owner exists is left alone",
                .obj = ITEM("[" REF_RS("rs-uid", "true") "]"),
                .owners = { RS("rs-uid") },
                .now = T0,
                .op = -1,
        },
        {
                .name = "an item whose only owner is gone is deleted in the background",
                .obj = ITEM("[" REF_RS("rs-uid", "true") "]"),
                .owners = { ABSENT },
                .now = T0,
                .op = KL_CTRL_DELETE,
                .policy = "Background",
        },
        {
                .name = "an owner recreated under the same name is another owner",
                .obj = ITEM("[" REF_RS("rs-uid", "true") "]"),
                .owners = { RS("new-uid") },
                .now = T0,
                .op = KL_CTRL_DELETE,
                .policy = "Background",
        },
        {
                .name = "a dangling reference is dropped while another owner remains",
                .obj = ITEM("[" REF_RS("rs-uid", "true") "," REF_CM("cm-uid") "]"),
                .owners = { ABSENT, CM("cm-uid") },
                .now = T0,
                .op = KL_CTRL_PATCH,
                .kept = "[" REF_CM("cm-uid") "]",
        },
        {
                .name = "an owner of a kind without informer is never taken for gone",
                .obj = ITEM("[" REF_CRD("w-uid") "]"),
                .owners = { UNKNOWN },
                .now = T0,
                .op = -1,
        },
        {
                .name = "a gone owner next to an unknown kind only loses its reference",
                .obj = ITEM("[" REF_CRD("w-uid") "," REF_RS("rs-uid", "true") "]"),
                .owners = { UNKNOWN, ABSENT },
                .now = T0,
                .op = KL_CTRL_PATCH,
                .kept = "[" REF_CRD("w-uid") "]",
        },
        {
                .name = "an owner not seen yet by a fresh item is waited for",
                .obj = ITEM("[" REF_RS("rs-uid", "true") "]"),
                .owners = { ABSENT },
                /* Created at 2025-06-01T00:00:00Z: one second later. */
                .now = (kl_usec_t)1748736001 * KL_USEC_PER_SEC,
                .op = -1,
                .requeue = KL_CTRL_GC_OWNER_GRACE - KL_USEC_PER_SEC,
        },
        {
                .name = "a reference to an owner waiting in the foreground is dropped when "
                        "another owner remains",
                .obj = ITEM("[" REF_RS("rs-uid", "true") "," REF_CM("cm-uid") "]"),
                .owners = { RS_FOREGROUND("rs-uid"), CM("cm-uid") },
                .now = T0,
                .op = KL_CTRL_PATCH,
                .kept = "[" REF_CM("cm-uid") "]",
        },
        {
                .name = "an item of a foreground owner with dependents of its own goes in the "
                        "foreground",
                .obj = ITEM("[" REF_RS("rs-uid", "true") "]"),
                .owners = { RS_FOREGROUND("rs-uid") },
                .dependent = DEP_OF_ITEM,
                .now = T0,
                .op = KL_CTRL_DELETE,
                .policy = "Foreground",
        },
        {
                .name = "an item of a foreground owner without dependents goes in the background",
                .obj = ITEM("[" REF_RS("rs-uid", "true") "]"),
                .owners = { RS_FOREGROUND("rs-uid") },
                .now = T0,
                .op = KL_CTRL_DELETE,
                .policy = "Background",
        },
        {
                .name = "an ownerless item with the orphan finalizer is deleted orphaning",
                .obj = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\","
                       "\"namespace\":\"default\",\"uid\":\"pod-uid\",\"resourceVersion\":\"42\","
                       "\"finalizers\":[\"orphan\"],\"ownerReferences\":[" REF_RS("rs-uid",
                                                                                  "true") "]}}",
                .owners = { ABSENT },
                .now = T0,
                .op = KL_CTRL_DELETE,
                .policy = "Orphan",
        },
        {
                .name = "an item being deleted is not collected again",
                .obj = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\","
                       "\"namespace\":\"default\",\"uid\":\"pod-uid\",\"deletionTimestamp\":"
                       "\"2025-06-15T15:00:00Z\",\"ownerReferences\":[" REF_RS("rs-uid",
                                                                               "true") "]}}",
                .owners = { ABSENT },
                .now = T0,
                .op = -1,
        },
        {
                .name = "an item without owners is none of the collector's business",
                .obj = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\","
                       "\"namespace\":\"default\",\"uid\":\"pod-uid\"}}",
                .now = T0,
                .op = -1,
        },
};

static void run_item_case(const struct gc_case *tc)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        json_auto_t *obj = J(tc->obj);
        json_auto_t *owners_json = json_array();
        json_auto_t *dep = tc->dependent ? J(tc->dependent) : NULL;
        struct kl_ctrl_gc_owner owners[3] = { 0 };
        const struct kl_api_resource *dep_res[1] = { kl_ctrl_res("", "configmaps") };
        const json_t *deps[1] = { dep };
        size_t n_owners = json_array_size(at(obj, "metadata.ownerReferences"));
        kl_usec_t requeue = 12345;
        const struct kl_ctrl_action *x;

        for (size_t i = 0; i < n_owners; i++) {
                if (kl_streq(tc->owners[i], UNKNOWN)) {
                        owners[i].unknown = true;
                } else if (!kl_streq(tc->owners[i], ABSENT)) {
                        json_t *o = J(tc->owners[i]);

                        (void)json_array_append_new(owners_json, o);
                        owners[i].obj = o;
                }
        }
        kl_ctrl_gc_reconcile(
                &(struct kl_ctrl_gc_input){
                        .obj = obj,
                        .res = kl_ctrl_res("", "pods"),
                        .owners = owners,
                        .n_owners = n_owners,
                        .dependents = deps,
                        .dependent_res = dep_res,
                        .n_dependents = dep ? 1 : 0,
                        .now = tc->now,
                },
                &a, &requeue);
        cr_expect_eq(requeue, tc->requeue, "%s: requeue %llu", tc->name,
                     (unsigned long long)requeue);
        if (tc->op < 0) {
                cr_expect_eq(a.n, 0, "%s: %zu actions", tc->name, a.n);
                return;
        }
        cr_assert_eq(a.n, 1, "%s: %zu actions", tc->name, a.n);
        x = &a.v[0];
        cr_expect_eq((int)x->op, tc->op, "%s: op %d", tc->name, (int)x->op);
        cr_expect_str_eq(x->res->plural, "pods", "%s", tc->name);
        cr_expect_str_eq(x->ns, "default", "%s", tc->name);
        cr_expect_str_eq(x->name, "web-1", "%s", tc->name);
        if (tc->op == KL_CTRL_DELETE) {
                cr_expect_str_eq(json_string_value(at(x->obj, "propagationPolicy")), tc->policy,
                                 "%s", tc->name);
                cr_expect_str_eq(json_string_value(at(x->obj, "preconditions.uid")), "pod-uid",
                                 "%s", tc->name);
        } else {
                json_auto_t *kept = J(tc->kept);

                cr_expect_eq(x->patch_type, KL_API_PATCH_TYPE_MERGE, "%s", tc->name);
                cr_expect_null(x->sub, "%s", tc->name);
                cr_expect(json_equal(json_object_get(json_object_get(x->obj, "metadata"),
                                                     "ownerReferences"),
                                     kept),
                          "%s: kept references", tc->name);
                /* Pinned to the version read: a concurrent change is a conflict, not lost. */
                cr_expect_str_eq(json_string_value(at(x->obj, "metadata.resourceVersion")), "42",
                                 "%s", tc->name);
        }
}

Test(gc, items_by_the_state_of_their_owners)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(item_cases); i++)
                run_item_case(&item_cases[i]);
}

/* ------------------------------------------------------------------------- */
/* Deleting owners */

#define OWNER_DELETING(fins)                                                                  \
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"web\"," \
        "\"namespace\":\"default\",\"uid\":\"rs-uid\",\"resourceVersion\":\"7\","             \
        "\"deletionTimestamp\":\"2025-06-15T15:00:00Z\",\"finalizers\":" fins "}}"
#define POD_OF_RS(name, block)                                                          \
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" name "\","  \
        "\"namespace\":\"default\",\"uid\":\"" name "-uid\",\"resourceVersion\":\"9\"," \
        "\"ownerReferences\":[" REF_RS("rs-uid", block) "," REF_CM("cm-uid") "]}}"

static void run_owner(const char *owner, const char *const *deps_text, size_t n,
                      struct kl_ctrl_actions *a)
{
        json_auto_t *obj = J(owner);
        json_t *deps[4] = { 0 };
        const struct kl_api_resource *res[4];
        kl_usec_t requeue = 0;

        for (size_t i = 0; i < n; i++) {
                deps[i] = J(deps_text[i]);
                res[i] = kl_ctrl_res("", "pods");
        }
        kl_ctrl_gc_reconcile(
                &(struct kl_ctrl_gc_input){
                        .obj = obj,
                        .res = kl_ctrl_res("apps", "replicasets"),
                        .dependents = (const json_t *const *)deps,
                        .dependent_res = res,
                        .n_dependents = n,
                        .now = T0,
                },
                a, &requeue);
        cr_expect_eq(requeue, 0);
        for (size_t i = 0; i < n; i++)
                json_decref(deps[i]);
}

Test(gc, foreground_owner_keeps_its_finalizer_while_a_dependent_blocks)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        const char *deps[] = { POD_OF_RS("a", "false"), POD_OF_RS("b", "true") };

        run_owner(OWNER_DELETING("[\"foregroundDeletion\"]"), deps, 2, &a);
        cr_expect_eq(a.n, 0);
}

Test(gc, foreground_finalizer_goes_when_no_dependent_blocks)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        /* blockOwnerDeletion false: upstream does not wait for it. */
        const char *deps[] = { POD_OF_RS("a", "false") };

        run_owner(OWNER_DELETING("[\"example.com/keep\",\"foregroundDeletion\"]"), deps, 1, &a);
        cr_assert_eq(a.n, 1);
        cr_expect_eq(a.v[0].op, KL_CTRL_PATCH);
        cr_expect_str_eq(a.v[0].res->plural, "replicasets");
        cr_expect_str_eq(a.v[0].name, "web");
        cr_expect_str_eq(json_string_value(at(a.v[0].obj, "metadata.finalizers[0]")),
                         "example.com/keep");
        cr_expect_eq(json_array_size(at(a.v[0].obj, "metadata.finalizers")), 1);
        cr_expect_str_eq(json_string_value(at(a.v[0].obj, "metadata.resourceVersion")), "7");
}

Test(gc, foreground_finalizer_goes_when_dependents_are_gone)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };

        run_owner(OWNER_DELETING("[\"foregroundDeletion\"]"), NULL, 0, &a);
        cr_assert_eq(a.n, 1);
        cr_expect_eq(a.v[0].op, KL_CTRL_PATCH);
        /* The last finalizer: a null member removes the field. */
        cr_expect(json_is_null(
                json_object_get(json_object_get(a.v[0].obj, "metadata"), "finalizers")));
}

Test(gc, orphan_finalizer_first_frees_the_dependents)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        const char *deps[] = { POD_OF_RS("a", "true"), POD_OF_RS("b", "true") };
        json_auto_t *kept = J("[" REF_CM("cm-uid") "]");

        run_owner(OWNER_DELETING("[\"orphan\"]"), deps, 2, &a);
        /* Not the finalizer yet: the owner would go and leave them dangling. */
        cr_assert_eq(a.n, 2);
        for (size_t i = 0; i < 2; i++) {
                cr_expect_eq(a.v[i].op, KL_CTRL_PATCH);
                cr_expect_str_eq(a.v[i].res->plural, "pods");
                cr_expect(json_equal(at(a.v[i].obj, "metadata.ownerReferences"), kept));
                cr_expect_str_eq(json_string_value(at(a.v[i].obj, "metadata.resourceVersion")),
                                 "9");
        }
        cr_expect_str_eq(a.v[0].name, "a");
        cr_expect_str_eq(a.v[1].name, "b");
}

Test(gc, orphan_finalizer_goes_once_no_dependent_names_the_owner)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };

        run_owner(OWNER_DELETING("[\"orphan\"]"), NULL, 0, &a);
        cr_assert_eq(a.n, 1);
        cr_expect_eq(a.v[0].op, KL_CTRL_PATCH);
        cr_expect_str_eq(a.v[0].name, "web");
        cr_expect(json_is_null(
                json_object_get(json_object_get(a.v[0].obj, "metadata"), "finalizers")));
}

Test(gc, deleting_owner_without_collector_finalizers_is_left_to_the_api_server)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        const char *deps[] = { POD_OF_RS("a", "true") };

        run_owner(OWNER_DELETING("[\"example.com/keep\"]"), deps, 1, &a);
        cr_expect_eq(a.n, 0);
}

/* ------------------------------------------------------------------------- */
/* Against a real in-process API server, with the manager and its informers */

#include "apiserver/tests/support/testenv.h"

static struct kl_controllers *start_controllers(struct kl_testenv *e)
{
        static const char *const enabled[] = { "garbagecollector", NULL };
        const struct kl_controllers_options co = { .enabled = enabled };
        struct kl_controllers *ctrl = NULL;
        struct kl_err *err = NULL;

        cr_assert_eq(kl_controllers_start(e->client, &co, &ctrl, &err), 0, "%s", kl_err_msg(err));
        return ctrl;
}

/* Create and return the uid given (new string). */
static char *create(struct kl_testenv *e, const char *plural, const char *text)
{
        json_auto_t *obj = NULL;

        kl_testenv_create(e, kl_ctrl_res("", plural), "default", J(text), &obj);
        return kl_strdup(kl_ctrl_meta_str(obj, "uid"));
}

/* The object, or NULL once it is gone. */
static json_t *get(struct kl_testenv *e, const char *plural, const char *name)
{
        return kl_testenv_get_or_null(e, kl_ctrl_res("", plural), "default", name);
}

/* Run the loop until `done(obj)` holds for the object (NULL: gone). */
static void wait_for(struct kl_testenv *e, const char *plural, const char *name,
                     bool (*done)(const json_t *obj))
{
        json_decref(kl_testenv_wait_for(e, kl_ctrl_res("", plural), "default", name, done));
}

static bool is_gone(const json_t *obj)
{
        return obj == NULL;
}

static bool has_one_owner(const json_t *obj)
{
        return obj && json_array_size(at(obj, "metadata.ownerReferences")) == 1;
}

static void delete (struct kl_testenv *e, const char *plural, const char *name)
{
        kl_testenv_delete(e, kl_ctrl_res("", plural), "default", name, NULL, NULL);
}

Test(gc, collects_against_a_real_api_server)
{
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        kl_autofree char *owner_uid = NULL, *other_uid = NULL;
        kl_autofree char *dep = NULL, *two = NULL;
        json_auto_t *left = NULL;
        json_auto_t *kept = NULL;

        kl_testenv_start(&e, NULL);
        ctrl = start_controllers(&e);
        owner_uid = create(&e, "configmaps", "{\"metadata\":{\"name\":\"owner\"}}");
        other_uid = create(&e, "configmaps", "{\"metadata\":{\"name\":\"other\"}}");
        dep = kl_asprintf("{\"metadata\":{\"name\":\"dep\",\"ownerReferences\":[{\"apiVersion\":"
                          "\"v1\",\"kind\":\"ConfigMap\",\"name\":\"owner\",\"uid\":\"%s\"}]}}",
                          owner_uid);
        two = kl_asprintf("{\"metadata\":{\"name\":\"two\",\"ownerReferences\":[{\"apiVersion\":"
                          "\"v1\",\"kind\":\"ConfigMap\",\"name\":\"owner\",\"uid\":\"%s\"},{"
                          "\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"other\","
                          "\"uid\":\"%s\"}]}}",
                          owner_uid, other_uid);
        free(create(&e, "secrets", dep));
        free(create(&e, "secrets", two));
        /* An owner that never existed: collected once the grace for unseen owners is over. */
        free(create(
                &e, "secrets",
                "{\"metadata\":{\"name\":\"dangling\",\"ownerReferences\":[{\"apiVersion\":"
                "\"v1\",\"kind\":\"ConfigMap\",\"name\":\"ghost\",\"uid\":\"no-such-uid\"}]}}"));
        /* An owner of a kind without informer: never collected. */
        free(create(&e, "secrets",
                    "{\"metadata\":{\"name\":\"widget-owned\",\"ownerReferences\":[{"
                    "\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"name\":\"w\","
                    "\"uid\":\"w-uid\"}]}}"));

        /* A plain (Background) delete of the owner: the API server leaves dependents to us. */
        delete (&e, "configmaps", "owner");
        wait_for(&e, "secrets", "dep", is_gone);
        wait_for(&e, "secrets", "two", has_one_owner);
        wait_for(&e, "secrets", "dangling", is_gone);
        left = get(&e, "secrets", "two");
        cr_expect_str_eq(json_string_value(at(left, "metadata.ownerReferences[0].name")), "other");
        kept = get(&e, "secrets", "widget-owned");
        cr_expect(kept != NULL);
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}
