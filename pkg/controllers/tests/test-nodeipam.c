/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Node IPAM (nodeipam.c): a /24 of the cluster CIDR per node, as upstream's
 * range allocator hands them out — the reconcile table-driven, then the
 * controller against a real API server: order, restart, release on delete,
 * exhaustion and its retry, ranges never changed once set.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

/* JSON with ' for " (test objects are easier to read that way). */
static json_t *J(const char *text)
{
        char *s = kl_strdup(text);
        json_error_t e;
        json_t *v;

        for (char *p = s; *p; p++)
                if (*p == '\'')
                        *p = '"';
        v = json_loads(s, 0, &e);
        cr_assert(v, "bad test JSON: %s: %s", e.text, s);
        free(s);
        return v;
}

/* A node created at second `t` of the test's minute, with podCIDR `cidr` (NULL: none). */
static json_t *node(const char *name, int t, const char *cidr)
{
        kl_autofree char *text =
                kl_asprintf("{'metadata':{'name':'%s','uid':'u-%s','creationTimestamp':"
                            "'2026-11-27T10:00:%02dZ'},'spec':{}}",
                            name, name, t);
        json_t *n = J(text);

        if (cidr)
                json_object_set_new(json_object_get(n, "spec"), "podCIDRs", json_pack("[s]", cidr));
        if (cidr)
                json_object_set_new(json_object_get(n, "spec"), "podCIDR", json_string(cidr));
        return n;
}

/* The podCIDR patched onto `name` in `a`, or NULL. Checks the patch's shape. */
static const char *patched(const struct kl_ctrl_actions *a, const char *name)
{
        for (size_t i = 0; i < a->n; i++) {
                const json_t *spec;

                if (a->v[i].op != KL_CTRL_PATCH || !kl_streq(a->v[i].name, name))
                        continue;
                cr_expect_str_eq(a->v[i].res->plural, "nodes");
                cr_expect_null(a->v[i].ns);
                cr_expect_null(a->v[i].sub);
                cr_expect_eq(a->v[i].patch_type, KL_API_PATCH_TYPE_MERGE);
                spec = json_object_get(a->v[i].obj, "spec");
                cr_expect_eq(json_array_size(json_object_get(spec, "podCIDRs")), 1);
                cr_expect_str_eq(
                        json_string_value(json_array_get(json_object_get(spec, "podCIDRs"), 0)),
                        json_string_value(json_object_get(spec, "podCIDR")),
                        "podCIDRs[0] is podCIDR");
                return json_string_value(json_object_get(spec, "podCIDR"));
        }
        return NULL;
}

static size_t count_op(const struct kl_ctrl_actions *a, enum kl_ctrl_op op)
{
        size_t n = 0;

        for (size_t i = 0; i < a->n; i++)
                n += a->v[i].op == op;
        return n;
}

#define MAX_NODES 6

static const struct {
        const char *name;
        const char *cluster;
        struct {
                const char *name;
                int t;
                const char *cidr;
        } nodes[MAX_NODES];
        /* Expected: node name → range it is given (NULL: nothing). */
        struct {
                const char *name, *cidr;
        } want[MAX_NODES];
        size_t events; /* CIDRNotAvailable */
} cases[] = {
        { "the first nodes get the first ranges, oldest first",
          "10.42.0.0/16",
          { { "b", 2, NULL }, { "a", 1, NULL }, { "c", 3, NULL } },
          { { "a", "10.42.0.0/24" }, { "b", "10.42.1.0/24" }, { "c", "10.42.2.0/24" } },
          0 },
        { "equal creation times go by name",
          "10.42.0.0/16",
          { { "y", 1, NULL }, { "x", 1, NULL } },
          { { "x", "10.42.0.0/24" }, { "y", "10.42.1.0/24" } },
          0 },
        { "ranges held by nodes are skipped, gaps are filled",
          "10.42.0.0/16",
          { { "a", 1, "10.42.0.0/24" },
            { "b", 2, "10.42.2.0/24" },
            { "c", 3, NULL },
            { "d", 4, NULL } },
          { { "a", NULL }, { "b", NULL }, { "c", "10.42.1.0/24" }, { "d", "10.42.3.0/24" } },
          0 },
        { "a node's wider range holds every /24 it covers",
          "10.42.0.0/16",
          { { "a", 1, "10.42.0.0/23" }, { "c", 3, NULL } },
          { { "a", NULL }, { "c", "10.42.2.0/24" } },
          0 },
        { "ranges outside the cluster CIDR hold nothing in it",
          "10.42.0.0/16",
          { { "a", 1, "192.168.0.0/24" }, { "c", 3, NULL } },
          { { "a", NULL }, { "c", "10.42.0.0/24" } },
          0 },
        { "a node whose range is another's keeps it (never changed once set)",
          "10.42.0.0/16",
          { { "a", 1, "10.42.0.0/24" }, { "b", 2, "10.42.0.0/24" }, { "c", 3, "10.99.0.0/24" } },
          { { "a", NULL }, { "b", NULL }, { "c", NULL } },
          0 },
        { "a /23 has room for two nodes, the third waits with an event",
          "10.42.0.0/23",
          { { "a", 1, NULL }, { "b", 2, NULL }, { "c", 3, NULL } },
          { { "a", "10.42.0.0/24" }, { "b", "10.42.1.0/24" }, { "c", NULL } },
          1 },
        { "host bits of the cluster CIDR are ignored",
          "10.42.7.9/20",
          { { "a", 1, NULL } },
          { { "a", "10.42.0.0/24" } },
          0 },
};

Test(nodeipam, allocation_table)
{
        for (size_t c = 0; c < KL_ARRAY_SIZE(cases); c++) {
                kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
                json_t *objs[MAX_NODES] = { 0 };
                struct kl_err *err = NULL;
                size_t n = 0;

                for (; n < MAX_NODES && cases[c].nodes[n].name; n++)
                        objs[n] = node(cases[c].nodes[n].name, cases[c].nodes[n].t,
                                       cases[c].nodes[n].cidr);
                cr_assert_eq(kl_controllers__nodeipam_reconcile(
                                     cases[c].cluster, (const json_t *const *)objs, n, &a, &err),
                             0, "%s: %s", cases[c].name, kl_err_msg(err));
                for (size_t w = 0; w < MAX_NODES && cases[c].want[w].name; w++) {
                        const char *got = patched(&a, cases[c].want[w].name);

                        if (cases[c].want[w].cidr)
                                cr_expect_str_eq(got, cases[c].want[w].cidr, "%s: node %s",
                                                 cases[c].name, cases[c].want[w].name);
                        else
                                cr_expect_null(got, "%s: node %s is left alone", cases[c].name,
                                               cases[c].want[w].name);
                }
                cr_expect_eq(count_op(&a, KL_CTRL_EVENT), cases[c].events, "%s", cases[c].name);
                for (size_t i = 0; i < n; i++)
                        json_decref(objs[i]);
        }
}

Test(nodeipam, exhaustion_event_is_upstreams)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        json_auto_t *full = node("full", 1, "10.42.0.0/24");
        json_auto_t *late = node("late", 2, NULL);
        const json_t *nodes[] = { full, late };

        cr_assert_eq(kl_controllers__nodeipam_reconcile("10.42.0.0/24", nodes, 2, &a, NULL), 0);
        cr_assert_eq(a.n, 1);
        cr_expect_eq(a.v[0].op, KL_CTRL_EVENT);
        cr_expect_str_eq(a.v[0].event_type, "Normal");
        cr_expect_str_eq(a.v[0].reason, "CIDRNotAvailable");
        cr_expect_str_eq(a.v[0].message, "Node late status is now: CIDRNotAvailable");
        cr_expect_str_eq(kl_ctrl_meta_str(a.v[0].obj, "name"), "late");
}

Test(nodeipam, deleting_nodes_and_a_lone_podcidr)
{
        kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
        json_auto_t *going = node("going", 1, NULL);
        json_auto_t *old = J("{'metadata':{'name':'old'},'spec':{'podCIDR':'10.42.0.0/24'}}");
        json_auto_t *fresh = node("fresh", 3, NULL);
        const json_t *nodes[] = { going, old, fresh };

        json_object_set_new(json_object_get(going, "metadata"), "deletionTimestamp",
                            json_string("2026-11-27T10:00:05Z"));
        cr_assert_eq(kl_controllers__nodeipam_reconcile("10.42.0.0/16", nodes, 3, &a, NULL), 0);
        cr_expect_null(patched(&a, "going"), "a deleting node gets nothing");
        cr_expect_null(patched(&a, "old"), "spec.podCIDR alone counts as set");
        cr_expect_str_eq(patched(&a, "fresh"), "10.42.1.0/24");
}

Test(nodeipam, cluster_cidr_is_checked)
{
        static const struct {
                const char *cidr;
                bool ok;
        } t[] = {
                { "10.42.0.0/16", true },  { "10.0.0.0/8", true },    { "10.42.0.0/24", true },
                { "10.0.0.0/7", false },   { "10.42.0.0/25", false }, { "10.42.0.0", false },
                { "fd00::/48", false },    { "10.42.0.0/x", false },  { "", false },
                { "300.1.1.1/16", false }, { "10.42.0.0/33", false },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(t); i++) {
                kl_autoerr struct kl_err *err = NULL;
                kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
                int r = kl_controllers_cluster_cidr_check(t[i].cidr, &err);

                cr_expect_eq(r == 0, t[i].ok, "%s", t[i].cidr);
                if (!t[i].ok) {
                        cr_expect_eq(r, -EINVAL, "%s", t[i].cidr);
                        cr_expect(strstr(kl_err_msg(err), "expected an IPv4 CIDR with a prefix of "
                                                          "8 to 24 bits"),
                                  "%s", kl_err_msg(err));
                        cr_expect_eq(
                                kl_controllers__nodeipam_reconcile(t[i].cidr, NULL, 0, &a, NULL),
                                -EINVAL, "%s", t[i].cidr);
                }
        }
}

/* ------------------------------------------------------------------------- */
/* Against a real in-process API server, with the manager */

#include "apiserver/tests/support/testenv.h"

static struct kl_controllers *ctrl_start(struct kl_testenv *e, const char *cluster_cidr)
{
        static const char *const enabled[] = { "nodeipam", NULL };
        const struct kl_controllers_options co = { .enabled = enabled,
                                                   .cluster_cidr = cluster_cidr };
        struct kl_controllers *ctrl = NULL;
        struct kl_err *err = NULL;

        cr_assert_eq(kl_controllers_start(e->client, &co, &ctrl, &err), 0, "%s", kl_err_msg(err));
        return ctrl;
}

static void add_node(struct kl_testenv *e, const char *name, const char *cidr)
{
        kl_autofree char *text = cidr ? kl_asprintf("{'metadata':{'name':'%s'},'spec':{'podCIDR':"
                                                    "'%s','podCIDRs':['%s']}}",
                                                    name, cidr, cidr)
                                      : kl_asprintf("{'metadata':{'name':'%s'}}", name);

        kl_testenv_create(e, kl_ctrl_res("", "nodes"), NULL, J(text), NULL);
}

static void delete_node(struct kl_testenv *e, const char *name)
{
        kl_testenv_delete(e, kl_ctrl_res("", "nodes"), NULL, name, NULL, NULL);
}

/* The node's spec.podCIDR (new string), or NULL; checks podCIDRs agrees. */
static char *pod_cidr(struct kl_testenv *e, const char *name)
{
        json_auto_t *node = kl_testenv_get(e, kl_ctrl_res("", "nodes"), NULL, name);
        const json_t *spec;
        char *cidr = NULL;

        spec = json_object_get(node, "spec");
        if (json_string_value(json_object_get(spec, "podCIDR"))) {
                cidr = kl_strdup(json_string_value(json_object_get(spec, "podCIDR")));
                cr_expect_str_eq(
                        json_string_value(json_array_get(json_object_get(spec, "podCIDRs"), 0)),
                        cidr);
                cr_expect_eq(json_array_size(json_object_get(spec, "podCIDRs")), 1);
        }
        return cidr;
}

static const char *waited_node;

static bool node_has_cidr(struct kl_testenv *e)
{
        kl_autofree char *c = pod_cidr(e, waited_node);

        return c != NULL;
}

static bool cidr_event(struct kl_testenv *e)
{
        json_auto_t *events = kl_testenv_list(e, kl_ctrl_res("", "events"), "default", NULL);
        bool found = false;
        size_t i;
        json_t *ev;

        json_array_foreach(json_object_get(events, "items"), i, ev) {
                const json_t *io = json_object_get(ev, "involvedObject");

                found |= kl_streq_null(json_string_value(json_object_get(ev, "reason")),
                                       "CIDRNotAvailable") &&
                         kl_streq_null(json_string_value(json_object_get(io, "name")),
                                       waited_node) &&
                         kl_streq_null(json_string_value(json_object_get(io, "kind")), "Node") &&
                         kl_streq_null(json_string_value(json_object_get(
                                               json_object_get(ev, "source"), "component")),
                                       "cidrAllocator");
        }
        return found;
}

/* Add a node and wait for its range; returns it (new). */
static char *add_and_wait(struct kl_testenv *e, const char *name)
{
        add_node(e, name, NULL);
        waited_node = name;
        kl_testenv_wait_until(e, node_has_cidr, name);
        return pod_cidr(e, name);
}

static void expect_cidr(struct kl_testenv *e, const char *name, const char *want)
{
        kl_autofree char *got = pod_cidr(e, name);

        cr_expect_str_eq(got, want, "node %s", name);
}

/* Let the loop run a while (the controller may act, or not: callers check after). */
static void settle(struct kl_testenv *e)
{
        for (int i = 0; i < 50; i++)
                kl_testenv_tick(e);
}

Test(nodeipam, order_restart_and_release_against_a_real_api_server)
{
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        kl_autofree char *c1 = NULL, *c2 = NULL, *c3 = NULL, *c4 = NULL, *c5 = NULL;

        kl_testenv_start(&e, NULL);
        ctrl = ctrl_start(&e, NULL);
        c1 = add_and_wait(&e, "n1");
        c2 = add_and_wait(&e, "n2");
        c3 = add_and_wait(&e, "n3");
        cr_expect_str_eq(c1, "10.42.0.0/24");
        cr_expect_str_eq(c2, "10.42.1.0/24");
        cr_expect_str_eq(c3, "10.42.2.0/24");

        /* A new controller (a server restart) learns the ranges from the Nodes. */
        kl_controllers_free(ctrl);
        ctrl = ctrl_start(&e, NULL);
        c4 = add_and_wait(&e, "n4");
        cr_expect_str_eq(c4, "10.42.3.0/24", "the ranges held are not handed out again");
        expect_cidr(&e, "n1", "10.42.0.0/24");
        expect_cidr(&e, "n2", "10.42.1.0/24");
        expect_cidr(&e, "n3", "10.42.2.0/24");

        /* A deleted node's range is free again. */
        delete_node(&e, "n2");
        c5 = add_and_wait(&e, "n5");
        cr_expect_str_eq(c5, "10.42.1.0/24");
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}

Test(nodeipam, exhaustion_waits_with_an_event_until_a_range_is_freed)
{
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        kl_autofree char *c1 = NULL, *c2 = NULL, *none = NULL, *c3 = NULL;

        kl_testenv_start(&e, NULL);
        ctrl = ctrl_start(&e, "10.42.0.0/23");
        c1 = add_and_wait(&e, "n1");
        c2 = add_and_wait(&e, "n2");
        cr_expect_str_eq(c1, "10.42.0.0/24");
        cr_expect_str_eq(c2, "10.42.1.0/24");
        add_node(&e, "n3", NULL);
        waited_node = "n3";
        kl_testenv_wait_until(&e, cidr_event, "the CIDRNotAvailable event on n3");
        none = pod_cidr(&e, "n3");
        cr_expect_null(none, "no range left for n3");

        delete_node(&e, "n1");
        kl_testenv_wait_until(&e, node_has_cidr, "n3 gets the freed range");
        c3 = pod_cidr(&e, "n3");
        cr_expect_str_eq(c3, "10.42.0.0/24");
        expect_cidr(&e, "n2", "10.42.1.0/24");
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}

Test(nodeipam, ranges_set_by_others_are_kept_and_respected)
{
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        kl_autofree char *c = NULL;

        kl_testenv_start(&e, NULL);
        ctrl = ctrl_start(&e, NULL);
        /* Set at registration (as --fake-nodes and a kubelet's --pod-cidr do). */
        add_node(&e, "pinned", "10.42.0.0/24");
        add_node(&e, "outside", "10.99.0.0/24");
        add_node(&e, "twin", "10.42.0.0/24");
        c = add_and_wait(&e, "fresh");
        cr_expect_str_eq(c, "10.42.1.0/24");
        settle(&e);
        expect_cidr(&e, "pinned", "10.42.0.0/24");
        expect_cidr(&e, "outside", "10.99.0.0/24");
        expect_cidr(&e, "twin", "10.42.0.0/24");
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}
