/* SPDX-License-Identifier: Apache-2.0 */
/* The EndpointSlice controller's reconcile (endpointslice.c) against upstream v1.32 behaviour. */
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

/* A member by dotted path (array indexes as numbers); mutable, for setting up tests. */
static json_t *G(const json_t *obj, const char *path)
{
        char *p = kl_strdup(path), *save = NULL;
        const json_t *v = obj;

        for (char *t = strtok_r(p, ".", &save); t; t = strtok_r(NULL, ".", &save)) {
                unsigned idx;

                if (json_is_array(v))
                        v = kl_parse_uint(t, &idx) == 0 ? json_array_get(v, idx) : NULL;
                else
                        v = json_object_get(v, t);
        }
        free(p);
        return (json_t *)v;
}

static const char *S(const json_t *obj, const char *path)
{
        return json_string_value(G(obj, path));
}

static const char *label(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(G(obj, "metadata.labels"), key));
}

static const char *ann(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(G(obj, "metadata.annotations"), key));
}

#define SVC_WEB                                                                               \
        "{'apiVersion':'v1','kind':'Service','metadata':{'name':'web','namespace':'default'," \
        "'uid':'s1','labels':{'app':'web'},'creationTimestamp':'2025-06-01T11:00:00Z'},"      \
        "'spec':{'selector':{'app':'web'},'clusterIP':'10.43.0.10','ipFamilies':['IPv4'],"    \
        "'ports':[{'name':'http','port':80,'protocol':'TCP','targetPort':'web'}]}}"

static json_t *pod(const char *name, const char *ip, bool ready)
{
        json_t *p = J("{'apiVersion':'v1','kind':'Pod','metadata':{'namespace':'default',"
                      "'labels':{'app':'web'}},'spec':{'nodeName':'n1','containers':[{'name':'c',"
                      "'ports':[{'name':'web','containerPort':8080}]}]},'status':{'phase':"
                      "'Running','conditions':[{'type':'Ready','status':'False',"
                      "'lastTransitionTime':'2025-06-01T12:00:00Z'}]}}");
        json_t *meta = json_object_get(p, "metadata"), *st = json_object_get(p, "status");

        json_object_set_new(meta, "name", json_string(name));
        json_object_set_new(meta, "uid", json_sprintf("uid-%s", name));
        if (ip) {
                json_object_set_new(st, "podIP", json_string(ip));
                json_object_set_new(st, "podIPs", json_pack("[{s:s}]", "ip", ip));
        }
        if (ready)
                json_object_set_new(json_array_get(json_object_get(st, "conditions"), 0), "status",
                                    json_string("True"));
        return p;
}

struct fixture {
        json_t *svc;
        json_t *pods[128];
        size_t n;
        json_t *slices[16];
        size_t n_slices;
        json_t *nodes; /* name -> Node */
        size_t max;
        bool missing;
        struct kl_ctrl_actions out;
        int serial;
};

static const json_t *node_of(void *arg, const char *name)
{
        return name ? json_object_get(arg, name) : NULL;
}

static void setup(struct fixture *f)
{
        f->svc = J(SVC_WEB);
        f->nodes = J("{'n1':{'metadata':{'name':'n1','labels':{'topology.kubernetes.io/zone':"
                     "'zone-a'}}},'n2':{'metadata':{'name':'n2'}}}");
}

static void add(struct fixture *f, json_t *p)
{
        cr_assert_lt(f->n, KL_ARRAY_SIZE(f->pods));
        f->pods[f->n++] = p;
}

static void run(struct fixture *f)
{
        const struct kl_controllers__endpointslice_in in = {
                .svc = f->svc,
                .pods = (const json_t *const *)f->pods,
                .n_pods = f->n,
                .slices = (const json_t *const *)f->slices,
                .n_slices = f->n_slices,
                .node = node_of,
                .node_arg = f->nodes,
                .max_endpoints = f->max,
        };

        kl_ctrl_actions_clear(&f->out);
        f->missing = kl_controllers__endpointslice_reconcile(&in, &f->out);
}

/*
 * Apply the actions to f->slices as the API would: creates get a name and a
 * resourceVersion, updates replace, deletes remove.
 */
static void apply(struct fixture *f)
{
        for (size_t i = 0; i < f->out.n; i++) {
                const struct kl_ctrl_action *a = &f->out.v[i];
                json_t *o;

                if (a->op == KL_CTRL_CREATE) {
                        o = json_deep_copy(a->obj);
                        json_object_set_new(
                                G(o, "metadata"), "name",
                                json_sprintf("%s%05d", S(o, "metadata.generateName"), ++f->serial));
                        json_object_del(G(o, "metadata"), "generateName");
                        json_object_set_new(G(o, "metadata"), "resourceVersion",
                                            json_sprintf("%d", 100 + f->serial));
                        cr_assert_lt(f->n_slices, KL_ARRAY_SIZE(f->slices));
                        f->slices[f->n_slices++] = o;
                        continue;
                }
                for (size_t k = 0; k < f->n_slices; k++) {
                        if (!kl_streq(S(f->slices[k], "metadata.name"), a->name))
                                continue;
                        json_decref(f->slices[k]);
                        if (a->op == KL_CTRL_UPDATE) {
                                f->slices[k] = json_deep_copy(a->obj);
                        } else {
                                memmove(&f->slices[k], &f->slices[k + 1],
                                        (f->n_slices - k - 1) * sizeof(json_t *));
                                f->n_slices--;
                        }
                        break;
                }
        }
}

static void done(struct fixture *f)
{
        json_decref(f->svc);
        json_decref(f->nodes);
        for (size_t i = 0; i < f->n; i++)
                json_decref(f->pods[i]);
        for (size_t i = 0; i < f->n_slices; i++)
                json_decref(f->slices[i]);
        kl_ctrl_actions_clear(&f->out);
}

static size_t count(const struct fixture *f, enum kl_ctrl_op op)
{
        size_t n = 0;

        for (size_t i = 0; i < f->out.n; i++)
                n += f->out.v[i].op == op;
        return n;
}

static const struct kl_ctrl_action *nth(const struct fixture *f, enum kl_ctrl_op op, size_t k)
{
        for (size_t i = 0; i < f->out.n; i++)
                if (f->out.v[i].op == op && k-- == 0)
                        return &f->out.v[i];
        cr_assert_fail("no such action");
        return NULL;
}

Test(endpointslice, creates_a_slice_with_labels_owner_ports_and_endpoints)
{
        struct fixture f = { 0 };
        const json_t *s, *ep;

        setup(&f);
        add(&f, pod("a", "10.42.0.2", true));
        add(&f, pod("b", "10.42.0.3", false));
        add(&f, pod("no-ip", NULL, true));
        run(&f);
        cr_assert_eq(f.out.n, 1);
        cr_assert_eq(f.out.v[0].op, KL_CTRL_CREATE);
        cr_expect_str_eq(f.out.v[0].res->plural, "endpointslices");
        cr_expect_str_eq(f.out.v[0].res->group, "discovery.k8s.io");
        cr_expect_str_eq(f.out.v[0].ns, "default");
        s = f.out.v[0].obj;
        cr_expect_str_eq(S(s, "apiVersion"), "discovery.k8s.io/v1");
        cr_expect_str_eq(S(s, "kind"), "EndpointSlice");
        cr_expect_str_eq(S(s, "metadata.generateName"), "web-");
        cr_expect_str_eq(S(s, "metadata.namespace"), "default");
        cr_expect_str_eq(label(s, "kubernetes.io/service-name"), "web");
        cr_expect_str_eq(label(s, "endpointslice.kubernetes.io/managed-by"),
                         "endpointslice-controller.k8s.io");
        cr_expect_str_eq(label(s, "app"), "web");
        cr_expect_null(label(s, "service.kubernetes.io/headless"));
        cr_expect_str_eq(ann(s, "endpoints.kubernetes.io/last-change-trigger-time"),
                         "2025-06-01T12:00:00Z");
        cr_expect_str_eq(S(s, "metadata.ownerReferences.0.kind"), "Service");
        cr_expect_str_eq(S(s, "metadata.ownerReferences.0.apiVersion"), "v1");
        cr_expect_str_eq(S(s, "metadata.ownerReferences.0.name"), "web");
        cr_expect_str_eq(S(s, "metadata.ownerReferences.0.uid"), "s1");
        cr_expect(json_is_true(G(s, "metadata.ownerReferences.0.controller")));
        cr_expect(json_is_true(G(s, "metadata.ownerReferences.0.blockOwnerDeletion")));
        cr_expect_str_eq(S(s, "addressType"), "IPv4");
        cr_assert_eq(json_array_size(G(s, "ports")), 1);
        cr_expect_str_eq(S(s, "ports.0.name"), "http");
        cr_expect_str_eq(S(s, "ports.0.protocol"), "TCP");
        cr_expect_eq(json_integer_value(G(s, "ports.0.port")), 8080);
        cr_assert_eq(json_array_size(G(s, "endpoints")), 2);
        ep = G(s, "endpoints.0");
        cr_expect_str_eq(S(ep, "addresses.0"), "10.42.0.2");
        cr_expect(json_is_true(G(ep, "conditions.ready")));
        cr_expect(json_is_true(G(ep, "conditions.serving")));
        cr_expect(json_is_false(G(ep, "conditions.terminating")));
        cr_expect_str_eq(S(ep, "nodeName"), "n1");
        cr_expect_str_eq(S(ep, "zone"), "zone-a");
        cr_expect_str_eq(S(ep, "targetRef.kind"), "Pod");
        cr_expect_str_eq(S(ep, "targetRef.name"), "a");
        cr_expect_str_eq(S(ep, "targetRef.uid"), "uid-a");
        ep = G(s, "endpoints.1");
        cr_expect_str_eq(S(ep, "addresses.0"), "10.42.0.3");
        cr_expect(json_is_false(G(ep, "conditions.ready")));
        cr_expect(json_is_false(G(ep, "conditions.serving")));
        done(&f);
}

Test(endpointslice, terminating_pods_stay_serving_but_not_ready)
{
        struct fixture f = { 0 };
        json_t *t = pod("t", "10.42.0.4", true);
        const json_t *ep;

        setup(&f);
        json_object_set_new(G(t, "metadata"), "deletionTimestamp",
                            json_string("2025-06-01T12:05:00Z"));
        add(&f, t);
        run(&f);
        ep = G(nth(&f, KL_CTRL_CREATE, 0)->obj, "endpoints.0");
        cr_expect(json_is_false(G(ep, "conditions.ready")));
        cr_expect(json_is_true(G(ep, "conditions.serving")));
        cr_expect(json_is_true(G(ep, "conditions.terminating")));

        /* With publishNotReadyAddresses, ready regardless. */
        json_object_set_new(G(f.svc, "spec"), "publishNotReadyAddresses", json_true());
        run(&f);
        ep = G(nth(&f, KL_CTRL_CREATE, 0)->obj, "endpoints.0");
        cr_expect(json_is_true(G(ep, "conditions.ready")));
        cr_expect(json_is_true(G(ep, "conditions.terminating")));
        done(&f);
}

Test(endpointslice, publish_not_ready_makes_not_ready_pods_ready_but_not_serving)
{
        struct fixture f = { 0 };
        const json_t *ep;

        setup(&f);
        json_object_set_new(G(f.svc, "spec"), "publishNotReadyAddresses", json_true());
        add(&f, pod("b", "10.42.0.3", false));
        run(&f);
        ep = G(nth(&f, KL_CTRL_CREATE, 0)->obj, "endpoints.0");
        cr_expect(json_is_true(G(ep, "conditions.ready")));
        cr_expect(json_is_false(G(ep, "conditions.serving")));
        done(&f);
}

Test(endpointslice, service_without_pods_gets_one_placeholder_slice_once)
{
        struct fixture f = { 0 };
        const json_t *s;

        setup(&f);
        run(&f);
        cr_assert_eq(f.out.n, 1);
        s = nth(&f, KL_CTRL_CREATE, 0)->obj;
        cr_expect_eq(json_array_size(G(s, "endpoints")), 0);
        cr_expect(json_is_array(G(s, "endpoints")));
        cr_expect_eq(json_array_size(G(s, "ports")), 0);
        cr_expect(json_is_array(G(s, "ports")));
        apply(&f);
        run(&f);
        cr_expect_eq(f.out.n, 0, "the placeholder is kept, not recreated");
        done(&f);
}

Test(endpointslice, first_pod_turns_the_placeholder_into_its_slice)
{
        struct fixture f = { 0 };
        const struct kl_ctrl_action *a;

        setup(&f);
        run(&f);
        apply(&f);
        add(&f, pod("a", "10.42.0.2", true));
        run(&f);
        cr_assert_eq(f.out.n, 1, "a create and a delete become one update");
        a = nth(&f, KL_CTRL_UPDATE, 0);
        cr_expect_str_eq(a->name, "web-00001");
        cr_expect_str_eq(S(a->obj, "metadata.name"), "web-00001");
        cr_expect_str_eq(S(a->obj, "metadata.resourceVersion"), "101");
        cr_expect_null(G(a->obj, "metadata.generateName"));
        cr_expect_eq(json_array_size(G(a->obj, "endpoints")), 1);
        cr_expect_eq(json_integer_value(G(a->obj, "ports.0.port")), 8080);
        apply(&f);
        run(&f);
        cr_expect_eq(f.out.n, 0, "converged");
        done(&f);
}

Test(endpointslice, unchanged_slices_are_not_written)
{
        struct fixture f = { 0 };

        setup(&f);
        add(&f, pod("a", "10.42.0.2", true));
        add(&f, pod("b", "10.42.0.3", false));
        run(&f);
        apply(&f);
        run(&f);
        cr_expect_eq(f.out.n, 0);
        done(&f);
}

Test(endpointslice, a_pod_turning_ready_updates_its_endpoint_in_place)
{
        struct fixture f = { 0 };
        const struct kl_ctrl_action *a;

        setup(&f);
        add(&f, pod("a", "10.42.0.2", true));
        add(&f, pod("b", "10.42.0.3", false));
        run(&f);
        apply(&f);
        json_object_set_new(G(f.pods[1], "status.conditions.0"), "status", json_string("True"));
        run(&f);
        cr_assert_eq(f.out.n, 1);
        a = nth(&f, KL_CTRL_UPDATE, 0);
        cr_expect_str_eq(a->name, "web-00001");
        cr_expect_str_eq(S(a->obj, "metadata.resourceVersion"), "101");
        cr_expect_str_eq(S(a->obj, "endpoints.1.addresses.0"), "10.42.0.3");
        cr_expect(json_is_true(G(a->obj, "endpoints.1.conditions.ready")));
        done(&f);
}

Test(endpointslice, at_most_max_endpoints_per_slice)
{
        struct fixture f = { 0 };
        char name[16], ip[32];

        setup(&f);
        f.max = 2;
        for (int i = 0; i < 5; i++) {
                snprintf(name, sizeof(name), "p%d", i);
                snprintf(ip, sizeof(ip), "10.42.0.%d", i + 2);
                add(&f, pod(name, ip, true));
        }
        run(&f);
        cr_assert_eq(count(&f, KL_CTRL_CREATE), 3);
        cr_expect_eq(json_array_size(G(nth(&f, KL_CTRL_CREATE, 0)->obj, "endpoints")), 2);
        cr_expect_eq(json_array_size(G(nth(&f, KL_CTRL_CREATE, 1)->obj, "endpoints")), 2);
        cr_expect_eq(json_array_size(G(nth(&f, KL_CTRL_CREATE, 2)->obj, "endpoints")), 1);
        done(&f);
}

Test(endpointslice, default_capacity_is_100_endpoints)
{
        struct fixture f = { 0 };
        char name[16], ip[32];

        setup(&f);
        for (int i = 0; i < 101; i++) {
                snprintf(name, sizeof(name), "p%03d", i);
                snprintf(ip, sizeof(ip), "10.42.0.%d", i + 2);
                add(&f, pod(name, ip, true));
        }
        run(&f);
        cr_assert_eq(count(&f, KL_CTRL_CREATE), 2);
        cr_expect_eq(json_array_size(G(nth(&f, KL_CTRL_CREATE, 0)->obj, "endpoints")), 100);
        cr_expect_eq(json_array_size(G(nth(&f, KL_CTRL_CREATE, 1)->obj, "endpoints")), 1);
        done(&f);
}

Test(endpointslice, new_endpoints_fill_the_unchanged_slice_that_fits_best)
{
        struct fixture f = { 0 };
        char name[16], ip[32];
        const struct kl_ctrl_action *a;

        setup(&f);
        f.max = 3;
        for (int i = 0; i < 5; i++) {
                snprintf(name, sizeof(name), "p%d", i);
                snprintf(ip, sizeof(ip), "10.42.0.%d", i + 2);
                add(&f, pod(name, ip, true));
        }
        run(&f); /* slices of 3 and 2 */
        apply(&f);
        add(&f, pod("p5", "10.42.0.7", true));
        run(&f);
        cr_assert_eq(f.out.n, 1, "one update, no new slice");
        a = nth(&f, KL_CTRL_UPDATE, 0);
        cr_expect_str_eq(a->name, "web-00002");
        cr_expect_eq(json_array_size(G(a->obj, "endpoints")), 3);
        cr_expect_str_eq(S(a->obj, "endpoints.2.addresses.0"), "10.42.0.7");
        apply(&f);
        add(&f, pod("p6", "10.42.0.8", true));
        run(&f);
        cr_assert_eq(count(&f, KL_CTRL_CREATE), 1, "both full: a new slice");
        cr_expect_eq(count(&f, KL_CTRL_UPDATE), 0);
        done(&f);
}

Test(endpointslice, removed_pods_leave_their_slice_and_empty_slices_are_deleted)
{
        struct fixture f = { 0 };
        char name[16], ip[32];

        setup(&f);
        f.max = 2;
        for (int i = 0; i < 3; i++) {
                snprintf(name, sizeof(name), "p%d", i);
                snprintf(ip, sizeof(ip), "10.42.0.%d", i + 2);
                add(&f, pod(name, ip, true));
        }
        run(&f); /* [p0,p1] [p2] */
        apply(&f);
        json_decref(f.pods[2]);
        f.n = 2;
        run(&f);
        cr_assert_eq(f.out.n, 1);
        cr_expect_str_eq(nth(&f, KL_CTRL_DELETE, 0)->name, "web-00002");
        apply(&f);
        json_decref(f.pods[0]);
        f.pods[0] = f.pods[1];
        f.n = 1;
        run(&f);
        cr_assert_eq(f.out.n, 1);
        cr_expect_eq(json_array_size(G(nth(&f, KL_CTRL_UPDATE, 0)->obj, "endpoints")), 1);
        cr_expect_str_eq(S(nth(&f, KL_CTRL_UPDATE, 0)->obj, "endpoints.0.targetRef.name"), "p1");
        done(&f);
}

Test(endpointslice, pods_resolving_different_ports_get_different_slices)
{
        struct fixture f = { 0 };
        json_t *b = pod("b", "10.42.0.3", true);

        setup(&f);
        json_object_set_new(G(b, "spec.containers.0.ports.0"), "containerPort", json_integer(9090));
        add(&f, pod("a", "10.42.0.2", true));
        add(&f, b);
        run(&f);
        cr_assert_eq(count(&f, KL_CTRL_CREATE), 2);
        cr_expect_eq(json_integer_value(G(nth(&f, KL_CTRL_CREATE, 0)->obj, "ports.0.port")), 8080);
        cr_expect_eq(json_integer_value(G(nth(&f, KL_CTRL_CREATE, 1)->obj, "ports.0.port")), 9090);
        done(&f);
}

Test(endpointslice, a_pod_without_the_named_port_is_an_endpoint_without_ports)
{
        struct fixture f = { 0 };
        json_t *b = pod("b", "10.42.0.3", true);

        setup(&f);
        json_object_set_new(G(b, "spec.containers.0.ports.0"), "name", json_string("other"));
        add(&f, b);
        run(&f);
        cr_assert_eq(count(&f, KL_CTRL_CREATE), 1);
        cr_expect_eq(json_array_size(G(nth(&f, KL_CTRL_CREATE, 0)->obj, "ports")), 0);
        cr_expect_eq(json_array_size(G(nth(&f, KL_CTRL_CREATE, 0)->obj, "endpoints")), 1);
        done(&f);
}

Test(endpointslice, headless_service_slices_carry_the_headless_label_and_hostnames)
{
        struct fixture f = { 0 };
        json_t *a = pod("a", "10.42.0.2", true);
        const json_t *s;

        setup(&f);
        json_object_set_new(G(f.svc, "spec"), "clusterIP", json_string("None"));
        json_object_del(G(f.svc, "spec"), "ports");
        json_object_set_new(G(a, "spec"), "hostname", json_string("web-0"));
        json_object_set_new(G(a, "spec"), "subdomain", json_string("web"));
        add(&f, a);
        run(&f);
        s = nth(&f, KL_CTRL_CREATE, 0)->obj;
        cr_expect_str_eq(label(s, "service.kubernetes.io/headless"), "");
        cr_expect_eq(json_array_size(G(s, "ports")), 0);
        cr_expect_str_eq(S(s, "endpoints.0.hostname"), "web-0");
        done(&f);
}

Test(endpointslice, pod_on_an_unknown_node_is_left_out_and_retried)
{
        struct fixture f = { 0 };
        json_t *b = pod("b", "10.42.0.3", true);

        setup(&f);
        json_object_set_new(G(b, "spec"), "nodeName", json_string("ghost"));
        add(&f, pod("a", "10.42.0.2", true));
        add(&f, b);
        run(&f);
        cr_expect(f.missing);
        cr_expect_eq(json_array_size(G(nth(&f, KL_CTRL_CREATE, 0)->obj, "endpoints")), 1);
        /* Published anyway with publishNotReadyAddresses, without a zone. */
        json_object_set_new(G(f.svc, "spec"), "publishNotReadyAddresses", json_true());
        run(&f);
        cr_expect(!f.missing);
        cr_expect_eq(json_array_size(G(nth(&f, KL_CTRL_CREATE, 0)->obj, "endpoints")), 2);
        cr_expect_null(G(nth(&f, KL_CTRL_CREATE, 0)->obj, "endpoints.1.zone"));
        done(&f);
}

Test(endpointslice, node_without_zone_gives_no_zone)
{
        struct fixture f = { 0 };
        json_t *b = pod("b", "10.42.0.3", true);

        setup(&f);
        json_object_set_new(G(b, "spec"), "nodeName", json_string("n2"));
        add(&f, b);
        run(&f);
        cr_expect_null(G(nth(&f, KL_CTRL_CREATE, 0)->obj, "endpoints.0.zone"));
        cr_expect_str_eq(S(nth(&f, KL_CTRL_CREATE, 0)->obj, "endpoints.0.nodeName"), "n2");
        done(&f);
}

Test(endpointslice, slices_of_another_service_uid_are_replaced)
{
        struct fixture f = { 0 };

        setup(&f);
        add(&f, pod("a", "10.42.0.2", true));
        run(&f);
        apply(&f);
        /* The Service is recreated: same name, new uid. */
        json_object_set_new(G(f.svc, "metadata"), "uid", json_string("s2"));
        run(&f);
        cr_expect_eq(count(&f, KL_CTRL_CREATE), 1);
        cr_expect_eq(count(&f, KL_CTRL_UPDATE), 0, "never reuse a slice of another owner");
        cr_assert_eq(count(&f, KL_CTRL_DELETE), 1);
        cr_expect_str_eq(nth(&f, KL_CTRL_DELETE, 0)->name, "web-00001");
        cr_expect_str_eq(S(nth(&f, KL_CTRL_CREATE, 0)->obj, "metadata.ownerReferences.0.uid"),
                         "s2");
        done(&f);
}

Test(endpointslice, slices_of_an_address_type_the_service_lacks_are_deleted)
{
        struct fixture f = { 0 };

        setup(&f);
        add(&f, pod("a", "10.42.0.2", true));
        run(&f);
        apply(&f);
        json_object_set_new(f.slices[0], "addressType", json_string("IPv6"));
        run(&f);
        cr_expect_eq(count(&f, KL_CTRL_CREATE), 1);
        cr_assert_eq(count(&f, KL_CTRL_DELETE), 1);
        cr_expect_str_eq(nth(&f, KL_CTRL_DELETE, 0)->name, "web-00001");
        done(&f);
}

Test(endpointslice, dual_stack_service_gets_a_slice_per_family)
{
        struct fixture f = { 0 };
        json_t *a = pod("a", "10.42.0.2", true);

        setup(&f);
        json_object_set_new(G(f.svc, "spec"), "ipFamilies", J("['IPv4','IPv6']"));
        json_object_set_new(G(a, "status"), "podIPs", J("[{'ip':'10.42.0.2'},{'ip':'fd00::2'}]"));
        add(&f, a);
        run(&f);
        cr_assert_eq(count(&f, KL_CTRL_CREATE), 2);
        cr_expect_str_eq(S(nth(&f, KL_CTRL_CREATE, 0)->obj, "addressType"), "IPv4");
        cr_expect_str_eq(S(nth(&f, KL_CTRL_CREATE, 0)->obj, "endpoints.0.addresses.0"),
                         "10.42.0.2");
        cr_expect_str_eq(S(nth(&f, KL_CTRL_CREATE, 1)->obj, "addressType"), "IPv6");
        cr_expect_str_eq(S(nth(&f, KL_CTRL_CREATE, 1)->obj, "endpoints.0.addresses.0"), "fd00::2");
        done(&f);
}

Test(endpointslice, service_label_changes_update_slice_labels)
{
        struct fixture f = { 0 };
        const struct kl_ctrl_action *a;

        setup(&f);
        add(&f, pod("a", "10.42.0.2", true));
        run(&f);
        apply(&f);
        json_object_set_new(G(f.svc, "metadata.labels"), "tier", json_string("front"));
        run(&f);
        cr_assert_eq(f.out.n, 1);
        a = nth(&f, KL_CTRL_UPDATE, 0);
        cr_expect_str_eq(label(a->obj, "tier"), "front");
        cr_expect_str_eq(label(a->obj, "kubernetes.io/service-name"), "web");
        cr_expect_str_eq(label(a->obj, "endpointslice.kubernetes.io/managed-by"),
                         "endpointslice-controller.k8s.io");
        done(&f);
}

Test(endpointslice, no_new_slices_for_a_service_being_deleted)
{
        struct fixture f = { 0 };

        setup(&f);
        json_object_set_new(G(f.svc, "metadata"), "deletionTimestamp",
                            json_string("2025-06-01T12:00:00Z"));
        add(&f, pod("a", "10.42.0.2", true));
        run(&f);
        cr_expect_eq(f.out.n, 0);
        done(&f);
}

Test(endpointslice, services_without_selector_or_external_name_get_nothing)
{
        struct fixture f = { 0 };

        setup(&f);
        add(&f, pod("a", "10.42.0.2", true));
        json_object_del(G(f.svc, "spec"), "selector");
        run(&f);
        cr_expect_eq(f.out.n, 0);
        json_object_set_new(G(f.svc, "spec"), "selector", J("{'app':'web'}"));
        json_object_set_new(G(f.svc, "spec"), "type", json_string("ExternalName"));
        run(&f);
        cr_expect_eq(f.out.n, 0);
        done(&f);
}

Test(endpointslice, duplicate_endpoints_across_slices_are_removed)
{
        struct fixture f = { 0 };

        setup(&f);
        add(&f, pod("a", "10.42.0.2", true));
        run(&f);
        apply(&f);
        /* A second slice with the same endpoint (two syncs raced): it empties and goes. */
        f.slices[1] = json_deep_copy(f.slices[0]);
        json_object_set_new(G(f.slices[1], "metadata"), "name", json_string("web-dup"));
        f.n_slices = 2;
        run(&f);
        cr_assert_eq(f.out.n, 1);
        cr_expect_str_eq(nth(&f, KL_CTRL_DELETE, 0)->name, "web-dup");
        done(&f);
}

/* ------------------------------------------------------------------------- */
/* Both controllers against a real in-process API server, with the manager */

#include "apiserver/tests/support/testenv.h"

static struct kl_controllers *start_controllers(struct kl_testenv *e)
{
        static const char *const enabled[] = { "endpoints", "endpointslice", NULL };
        const struct kl_controllers_options co = { .enabled = enabled };
        struct kl_controllers *ctrl = NULL;
        struct kl_err *err = NULL;

        cr_assert_eq(kl_controllers_start(e->client, &co, &ctrl, &err), 0, "%s", kl_err_msg(err));
        return ctrl;
}

static void create(struct kl_testenv *e, const char *group, const char *plural, const char *ns,
                   const char *text)
{
        kl_testenv_create(e, kl_ctrl_res(group, plural), ns, J(text), NULL);
}

/* A list (new) of `plural` in default with `selector`. */
static json_t *list(struct kl_testenv *e, const char *group, const char *plural,
                    const char *selector)
{
        const struct kl_client_list_opts lo = { .label_selector = selector };

        return kl_testenv_list(e, kl_ctrl_res(group, plural), "default", &lo);
}

static json_t *get(struct kl_testenv *e, const char *plural, const char *name)
{
        return kl_testenv_get_or_null(e, kl_ctrl_res("", plural), "default", name);
}

static bool endpoints_ready(struct kl_testenv *e)
{
        json_auto_t *ep = get(e, "endpoints", "web");

        return ep && kl_streq_null(S(ep, "subsets.0.addresses.0.ip"), "10.42.0.2") &&
               json_integer_value(G(ep, "subsets.0.ports.0.port")) == 8080;
}

static bool slice_ready(struct kl_testenv *e)
{
        json_auto_t *l =
                list(e, "discovery.k8s.io", "endpointslices", "kubernetes.io/service-name=web");
        const json_t *s = G(l, "items.0");

        return json_array_size(G(l, "items")) == 1 &&
               kl_streq_null(S(s, "endpoints.0.addresses.0"), "10.42.0.2") &&
               json_is_true(G(s, "endpoints.0.conditions.ready")) &&
               kl_streq_null(S(s, "endpoints.0.zone"), "zone-a");
}

static bool pod_terminating_everywhere(struct kl_testenv *e)
{
        json_auto_t *ep = get(e, "endpoints", "web");
        json_auto_t *l =
                list(e, "discovery.k8s.io", "endpointslices", "kubernetes.io/service-name=web");
        const json_t *s = G(l, "items.0");

        return ep && !G(ep, "subsets") && json_array_size(G(l, "items")) == 1 &&
               json_is_true(G(s, "endpoints.0.conditions.terminating")) &&
               json_is_false(G(s, "endpoints.0.conditions.ready")) &&
               json_is_true(G(s, "endpoints.0.conditions.serving"));
}

static bool only_placeholder_left(struct kl_testenv *e)
{
        json_auto_t *l =
                list(e, "discovery.k8s.io", "endpointslices", "kubernetes.io/service-name=web");
        const json_t *s = G(l, "items.0");

        return json_array_size(G(l, "items")) == 1 && json_array_size(G(s, "endpoints")) == 0 &&
               json_array_size(G(s, "ports")) == 0;
}

static void delete_pod(struct kl_testenv *e, json_t *opts)
{
        kl_testenv_delete(e, kl_ctrl_res("", "pods"), "default", "web-1", opts, NULL);
}

Test(endpointslice, endpoints_and_slices_follow_a_pod_against_a_real_api_server)
{
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        json_auto_t *slices = NULL;

        kl_testenv_start(&e, NULL);
        ctrl = start_controllers(&e);
        create(&e, "", "nodes", NULL,
               "{'metadata':{'name':'n1','labels':{'topology.kubernetes.io/zone':'zone-a'}}}");
        create(&e, "", "services", "default",
               "{'metadata':{'name':'web','labels':{'app':'web'}},'spec':{'selector':{'app':"
               "'web'},'ports':[{'name':'http','port':80,'targetPort':'web'}]}}");
        create(&e, "", "pods", "default",
               "{'metadata':{'name':'web-1','labels':{'app':'web'}},'spec':{'nodeName':'n1',"
               "'containers':[{'name':'c','image':'nginx','ports':[{'name':'web',"
               "'containerPort':8080}]}]}}");
        kl_testenv_patch(&e, kl_ctrl_res("", "pods"), "default", "web-1", "status",
                         KL_API_PATCH_TYPE_MERGE,
                         J("{'status':{'phase':'Running','podIP':'10.42.0.2','podIPs':[{'ip':"
                           "'10.42.0.2'}],'conditions':[{'type':'Ready','status':'True',"
                           "'lastTransitionTime':'2025-06-01T12:00:00Z'}]}}"),
                         NULL);
        kl_testenv_wait_until(&e, endpoints_ready, "Endpoints web lists the pod");
        kl_testenv_wait_until(&e, slice_ready, "one EndpointSlice of web lists the pod");
        slices = list(&e, "discovery.k8s.io", "endpointslices", "kubernetes.io/service-name=web");
        cr_expect_str_eq(label(G(slices, "items.0"), "endpointslice.kubernetes.io/managed-by"),
                         "endpointslice-controller.k8s.io");
        cr_expect_str_eq(S(slices, "items.0.metadata.ownerReferences.0.name"), "web");

        /*
         * Converged: the objects as the API server stored them (after its
         * defaulting) are what the reconciles want, so they ask for no write.
         */
        {
                json_auto_t *svc = get(&e, "services", "web");
                json_auto_t *ep = get(&e, "endpoints", "web");
                json_auto_t *pods = list(&e, "", "pods", NULL);
                json_auto_t *nodes = J("{}");
                struct kl_ctrl_actions out = { 0 };
                const json_t *pod_v[1] = { G(pods, "items.0") };
                const json_t *slice_v[1] = { G(slices, "items.0") };
                const struct kl_controllers__endpoints_in ein = {
                        .ns = "default",
                        .name = "web",
                        .svc = svc,
                        .endpoints = ep,
                        .pods = pod_v,
                        .n_pods = 1,
                };
                struct kl_controllers__endpointslice_in sin = {
                        .svc = svc,
                        .pods = pod_v,
                        .n_pods = 1,
                        .slices = slice_v,
                        .n_slices = 1,
                        .node = node_of,
                        .node_arg = nodes,
                };

                json_object_set_new(nodes, "n1",
                                    J("{'metadata':{'name':'n1','labels':{"
                                      "'topology.kubernetes.io/zone':'zone-a'}}}"));
                cr_assert_eq(json_array_size(G(pods, "items")), 1);
                kl_controllers__endpoints_reconcile(&ein, &out);
                cr_expect_eq(out.n, 0, "Endpoints rewritten");
                kl_ctrl_actions_clear(&out);
                cr_expect(!kl_controllers__endpointslice_reconcile(&sin, &out));
                cr_expect_eq(out.n, 0, "EndpointSlice rewritten");
                kl_ctrl_actions_clear(&out);
        }

        /* Deleted with a grace period: terminating, out of Endpoints, still serving. */
        delete_pod(&e, NULL);
        kl_testenv_wait_until(&e, pod_terminating_everywhere,
                              "the terminating pod is only in the slice");
        /* Gone: the slice becomes the placeholder (an update, not a delete and a create). */
        delete_pod(&e, J("{'gracePeriodSeconds':0}"));
        kl_testenv_wait_until(&e, only_placeholder_left, "an empty placeholder slice");
        {
                json_auto_t *after = list(&e, "discovery.k8s.io", "endpointslices",
                                          "kubernetes.io/service-name=web");

                cr_expect_str_eq(S(after, "items.0.metadata.name"),
                                 S(slices, "items.0.metadata.name"));
        }
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}
