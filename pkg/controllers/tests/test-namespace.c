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

#include "apiserver/apiserver.h"
#include "loop/loop.h"
#include "testing/testing.h"

struct env {
        uv_loop_t loop;
        uv_timer_t tick; /* paces the waits for the controllers */
        bool ticked;
        struct kl_apiserver *s;
        struct kl_client *c;
        struct kl_controllers *ctrl;
};

struct wait {
        bool done;
        int r;
        json_t *obj;
        char msg[512];
};

static void on_closed(void *arg)
{
        *(bool *)arg = true;
}

static void on_tick(uv_timer_t *t)
{
        struct env *e = t->data;

        e->ticked = true;
}

static void run_until(uv_loop_t *loop, const bool *flag)
{
        for (int i = 0; i < 200000 && !*flag; i++)
                (void)kl_loop_run(loop, UV_RUN_ONCE);
        cr_assert(*flag);
}

static void env_start(struct env *e)
{
        static const char *const enabled[] = { "namespace", "serviceaccount", NULL };
        struct kl_apiserver_options opts = { .data_dir = kl_test_tmpdir(),
                                             .bind_address = "127.0.0.1",
                                             .sync = KL_STORE_SYNC_RELAXED };
        struct kl_controllers_options co = { .enabled = enabled };
        struct kl_err *err = NULL;

        cr_assert_eq(kl_loop_init(&e->loop), 0);
        cr_assert_eq(kl_apiserver_new(&e->loop, &opts, &e->s, &err), 0, "%s", kl_err_msg(err));
        e->c = kl_apiserver_client_new(e->s, "system:kube-controller-manager");
        cr_assert_eq(kl_controllers_start(e->c, &co, &e->ctrl, &err), 0, "%s", kl_err_msg(err));
        cr_assert_eq(uv_timer_init(&e->loop, &e->tick), 0);
        e->tick.data = e;
        cr_assert_eq(uv_timer_start(&e->tick, on_tick, 10, 10), 0);
}

static void env_stop(struct env *e)
{
        bool closed = false;

        uv_close((uv_handle_t *)&e->tick, NULL);
        kl_controllers_free(e->ctrl);
        kl_client_free(e->c);
        kl_apiserver_close(e->s, 0, on_closed, &closed);
        run_until(&e->loop, &closed);
        cr_expect_eq(kl_loop_finish(&e->loop), 0);
}

static void on_write(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct wait *w = arg;

        (void)obj;
        w->done = true;
        w->r = r;
        if (err)
                (void)snprintf(w->msg, sizeof(w->msg), "%s", kl_err_msg(err));
}

static void on_read(void *arg, int r, json_t *obj, const struct kl_err *err)
{
        struct wait *w = arg;

        w->done = true;
        w->r = r;
        w->obj = obj;
        if (err)
                (void)snprintf(w->msg, sizeof(w->msg), "%s", kl_err_msg(err));
}

static void write_done(struct env *e, struct wait *w, const char *what)
{
        run_until(&e->loop, &w->done);
        cr_assert_eq(w->r, 0, "%s: %s", what, w->msg);
}

/* The object, or NULL once it is gone. */
static json_t *get(struct env *e, const char *plural, const char *ns, const char *name)
{
        struct wait w = { 0 };

        kl_client_get(e->c, kl_ctrl_res("", plural), ns, name, on_read, &w);
        run_until(&e->loop, &w.done);
        cr_assert(w.r == 0 || w.r == -ENOENT, "get: %s", w.msg);
        return w.obj;
}

/* Run the loop until `done(obj)` holds (NULL: gone); bounded by iterations. */
static void wait_for(struct env *e, const char *plural, const char *ns, const char *name,
                     bool (*done)(const json_t *obj))
{
        /* At least a tick (10 ms) a round: a safety net of minutes, not a deadline. */
        for (int i = 0; i < 30000; i++) {
                json_auto_t *obj = get(e, plural, ns, name);

                if (done(obj))
                        return;
                e->ticked = false;
                run_until(&e->loop, &e->ticked);
        }
        cr_assert_fail("%s '%s' never reached the state waited for", plural, name);
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
        struct env e = { 0 };
        struct wait w = { 0 };
        json_auto_t *ns = NULL;
        json_auto_t *sa = NULL;
        const json_t *c;

        env_start(&e);
        kl_client_create(e.c, kl_ctrl_res("", "namespaces"), NULL,
                         J("{\"metadata\":{\"name\":\"team-a\"}}"), NULL, on_write, &w);
        write_done(&e, &w, "create namespace");
        /* The ServiceAccount controller gives it its "default". */
        wait_for(&e, "serviceaccounts", "team-a", "default", exists);

        w = (struct wait){ 0 };
        kl_client_create(e.c, kl_ctrl_res("", "configmaps"), "team-a",
                         J("{\"metadata\":{\"name\":\"held\",\"finalizers\":"
                           "[\"example.com/hold\"]}}"),
                         NULL, on_write, &w);
        write_done(&e, &w, "create configmap");
        w = (struct wait){ 0 };
        kl_client_delete(e.c, kl_ctrl_res("", "namespaces"), NULL, "team-a", NULL, NULL, on_write,
                         &w);
        write_done(&e, &w, "delete namespace");

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
        w = (struct wait){ 0 };
        kl_client_patch(e.c, kl_ctrl_res("", "configmaps"), "team-a", "held", NULL,
                        KL_API_PATCH_TYPE_MERGE, J("{\"metadata\":{\"finalizers\":null}}"), NULL,
                        on_write, &w);
        write_done(&e, &w, "patch configmap");
        wait_for(&e, "namespaces", NULL, "team-a", is_gone);
        env_stop(&e);
}
