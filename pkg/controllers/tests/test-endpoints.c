/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Endpoints controller's reconcile (endpoints.c) and the helpers it
 * shares with the EndpointSlice controller (endpoints-util.c), against
 * upstream v1.32 behaviour.
 */
#include <criterion/criterion.h>
#include <string.h>

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

/* An annotation or a label (their keys have dots). */
static const char *ann(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(
                json_object_get(json_object_get(obj, "metadata"), "annotations"), key));
}

static const char *label(const json_t *obj, const char *key)
{
        return json_string_value(
                json_object_get(json_object_get(json_object_get(obj, "metadata"), "labels"), key));
}

#define SVC_WEB                                                                               \
        "{'apiVersion':'v1','kind':'Service','metadata':{'name':'web','namespace':'default'," \
        "'uid':'s1','labels':{'app':'web'},'creationTimestamp':'2025-06-01T11:00:00Z'},"      \
        "'spec':{'selector':{'app':'web'},'clusterIP':'10.43.0.10','ipFamilies':['IPv4'],"    \
        "'ports':[{'name':'http','port':80,'protocol':'TCP','targetPort':8080}]}}"

/* A pod of app=web: ready or not, with an IP (NULL: none) on node n1. */
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
        json_t *svc, *endpoints;
        json_t *pods[1100];
        size_t n;
        struct kl_ctrl_actions out;
};

static void add(struct fixture *f, json_t *p)
{
        cr_assert_lt(f->n, KL_ARRAY_SIZE(f->pods));
        f->pods[f->n++] = p;
}

static void run(struct fixture *f, const char *ns, const char *name)
{
        const struct kl_controllers__endpoints_in in = {
                .ns = ns,
                .name = name,
                .svc = f->svc,
                .endpoints = f->endpoints,
                .pods = (const json_t *const *)f->pods,
                .n_pods = f->n,
        };

        kl_ctrl_actions_clear(&f->out);
        kl_controllers__endpoints_reconcile(&in, &f->out);
}

static void done(struct fixture *f)
{
        json_decref(f->svc);
        json_decref(f->endpoints);
        for (size_t i = 0; i < f->n; i++)
                json_decref(f->pods[i]);
        kl_ctrl_actions_clear(&f->out);
}

/* The body of the single write, after asserting its kind. */
static const json_t *single(struct fixture *f, enum kl_ctrl_op op)
{
        cr_assert_eq(f->out.n, 1, "expected one action, got %zu", f->out.n);
        cr_assert_eq(f->out.v[0].op, op);
        cr_assert_str_eq(f->out.v[0].res->plural, "endpoints");
        return f->out.v[0].obj;
}

Test(endpoints, creates_ready_and_not_ready_addresses_of_selected_pods)
{
        struct fixture f = { .svc = J(SVC_WEB) };
        json_t *other = pod("other", "10.42.0.9", true);
        json_t *done_pod = pod("done", "10.42.0.8", true);
        const json_t *ep, *ss;

        json_object_set_new(G(other, "metadata.labels"), "app", json_string("db"));
        json_object_set_new(G(done_pod, "status"), "phase", json_string("Succeeded"));
        add(&f, pod("a", "10.42.0.2", true));
        add(&f, pod("b", "10.42.0.3", false));
        add(&f, pod("no-ip", NULL, true));
        add(&f, other);
        add(&f, done_pod);
        run(&f, "default", "web");

        ep = single(&f, KL_CTRL_CREATE);
        cr_expect_str_eq(f.out.v[0].ns, "default");
        cr_expect_str_eq(S(ep, "metadata.name"), "web");
        cr_expect_str_eq(S(ep, "metadata.labels.app"), "web");
        cr_expect_null(label(ep, "service.kubernetes.io/headless"));
        cr_expect_str_eq(ann(ep, "endpoints.kubernetes.io/last-change-trigger-time"),
                         "2025-06-01T12:00:00Z");
        cr_assert_eq(json_array_size(G(ep, "subsets")), 1);
        ss = G(ep, "subsets.0");
        cr_assert_eq(json_array_size(G(ss, "addresses")), 1);
        cr_expect_str_eq(S(ss, "addresses.0.ip"), "10.42.0.2");
        cr_expect_str_eq(S(ss, "addresses.0.nodeName"), "n1");
        cr_expect_str_eq(S(ss, "addresses.0.targetRef.kind"), "Pod");
        cr_expect_str_eq(S(ss, "addresses.0.targetRef.name"), "a");
        cr_expect_str_eq(S(ss, "addresses.0.targetRef.namespace"), "default");
        cr_expect_str_eq(S(ss, "addresses.0.targetRef.uid"), "uid-a");
        cr_assert_eq(json_array_size(G(ss, "notReadyAddresses")), 1);
        cr_expect_str_eq(S(ss, "notReadyAddresses.0.ip"), "10.42.0.3");
        cr_assert_eq(json_array_size(G(ss, "ports")), 1);
        cr_expect_str_eq(S(ss, "ports.0.name"), "http");
        cr_expect_eq(json_integer_value(G(ss, "ports.0.port")), 8080);
        cr_expect_str_eq(S(ss, "ports.0.protocol"), "TCP");
        done(&f);
}

Test(endpoints, terminating_pods_are_left_out)
{
        struct fixture f = { .svc = J(SVC_WEB) };
        json_t *term = pod("t", "10.42.0.4", true);

        json_object_set_new(G(term, "metadata"), "deletionTimestamp",
                            json_string("2025-06-01T12:05:00Z"));
        add(&f, pod("a", "10.42.0.2", true));
        add(&f, term);
        run(&f, "default", "web");
        cr_expect_eq(json_array_size(G(single(&f, KL_CTRL_CREATE), "subsets.0.addresses")), 1);
        cr_expect_null(G(single(&f, KL_CTRL_CREATE), "subsets.0.notReadyAddresses"));
        done(&f);
}

Test(endpoints, publish_not_ready_addresses_lists_every_pod_as_ready)
{
        struct fixture f = { .svc = J(SVC_WEB) };
        json_t *term = pod("t", "10.42.0.4", false);
        const json_t *ss;

        json_object_set_new(G(f.svc, "spec"), "publishNotReadyAddresses", json_true());
        json_object_set_new(G(term, "metadata"), "deletionTimestamp",
                            json_string("2025-06-01T12:05:00Z"));
        add(&f, pod("b", "10.42.0.3", false));
        add(&f, term);
        run(&f, "default", "web");
        ss = G(single(&f, KL_CTRL_CREATE), "subsets.0");
        cr_assert_eq(json_array_size(G(ss, "addresses")), 2);
        cr_expect_str_eq(S(ss, "addresses.0.ip"), "10.42.0.3");
        cr_expect_str_eq(S(ss, "addresses.1.ip"), "10.42.0.4");
        cr_expect_null(G(ss, "notReadyAddresses"));
        done(&f);
}

Test(endpoints, named_target_port_is_resolved_per_pod_and_pods_grouped_by_ports)
{
        struct fixture f = { .svc = J(SVC_WEB) };
        json_t *b = pod("b", "10.42.0.3", true), *c = pod("c", "10.42.0.4", true);
        const json_t *ep;

        json_object_set_new(G(f.svc, "spec.ports.0"), "targetPort", json_string("web"));
        json_object_set_new(G(b, "spec.containers.0.ports.0"), "containerPort", json_integer(9090));
        json_object_set_new(G(c, "spec.containers.0.ports.0"), "name", json_string("other"));
        add(&f, pod("a", "10.42.0.2", true));
        add(&f, b);
        add(&f, c); /* no port named "web": not an endpoint */
        run(&f, "default", "web");
        ep = single(&f, KL_CTRL_CREATE);
        cr_assert_eq(json_array_size(G(ep, "subsets")), 2);
        cr_expect_str_eq(S(ep, "subsets.0.addresses.0.ip"), "10.42.0.2");
        cr_expect_eq(json_integer_value(G(ep, "subsets.0.ports.0.port")), 8080);
        cr_expect_str_eq(S(ep, "subsets.1.addresses.0.ip"), "10.42.0.3");
        cr_expect_eq(json_integer_value(G(ep, "subsets.1.ports.0.port")), 9090);
        cr_expect_eq(json_array_size(G(ep, "subsets.0.addresses")), 1);
        cr_expect_eq(json_array_size(G(ep, "subsets.1.addresses")), 1);
        done(&f);
}

Test(endpoints, named_port_found_in_sidecar_init_container)
{
        struct fixture f = { .svc = J(SVC_WEB) };
        json_t *a = pod("a", "10.42.0.2", true);

        json_object_set_new(G(f.svc, "spec.ports.0"), "targetPort", json_string("metrics"));
        json_object_set_new(G(a, "spec"), "initContainers",
                            J("[{'name':'side','restartPolicy':'Always','ports':[{'name':"
                              "'metrics','containerPort':9100}]}]"));
        add(&f, a);
        run(&f, "default", "web");
        cr_expect_eq(json_integer_value(G(single(&f, KL_CTRL_CREATE), "subsets.0.ports.0.port")),
                     9100);
        done(&f);
}

Test(endpoints, ports_served_by_the_same_pods_share_one_subset)
{
        struct fixture f = { .svc = J(SVC_WEB) };
        const json_t *ss;

        json_array_append_new(G(f.svc, "spec.ports"),
                              J("{'name':'admin','port':81,'protocol':'TCP','targetPort':9000,"
                                "'appProtocol':'http'}"));
        add(&f, pod("a", "10.42.0.2", true));
        add(&f, pod("b", "10.42.0.3", false));
        run(&f, "default", "web");
        cr_assert_eq(json_array_size(G(single(&f, KL_CTRL_CREATE), "subsets")), 1);
        ss = G(single(&f, KL_CTRL_CREATE), "subsets.0");
        cr_assert_eq(json_array_size(G(ss, "ports")), 2);
        cr_expect_str_eq(S(ss, "ports.0.name"), "admin");
        cr_expect_str_eq(S(ss, "ports.0.appProtocol"), "http");
        cr_expect_eq(json_integer_value(G(ss, "ports.0.port")), 9000);
        cr_expect_str_eq(S(ss, "ports.1.name"), "http");
        cr_expect_eq(json_array_size(G(ss, "addresses")), 1);
        cr_expect_eq(json_array_size(G(ss, "notReadyAddresses")), 1);
        done(&f);
}

Test(endpoints, headless_service_without_ports_gets_hostnames_and_headless_label)
{
        struct fixture f = { .svc = J(SVC_WEB) };
        json_t *a = pod("a", "10.42.0.2", true), *b = pod("b", "10.42.0.3", true);
        const json_t *ep;

        json_object_set_new(G(f.svc, "spec"), "clusterIP", json_string("None"));
        json_object_del(G(f.svc, "spec"), "ports");
        json_object_set_new(G(a, "spec"), "hostname", json_string("web-0"));
        json_object_set_new(G(a, "spec"), "subdomain", json_string("web"));
        json_object_set_new(G(b, "spec"), "hostname", json_string("b"));
        json_object_set_new(G(b, "spec"), "subdomain", json_string("elsewhere"));
        add(&f, a);
        add(&f, b);
        run(&f, "default", "web");
        ep = single(&f, KL_CTRL_CREATE);
        cr_expect_str_eq(label(ep, "service.kubernetes.io/headless"), "");
        cr_assert_eq(json_array_size(G(ep, "subsets")), 1);
        cr_expect_null(G(ep, "subsets.0.ports"));
        cr_expect_str_eq(S(ep, "subsets.0.addresses.0.hostname"), "web-0");
        cr_expect_null(G(ep, "subsets.0.addresses.1.hostname"));
        done(&f);
}

Test(endpoints, services_without_selector_or_external_name_are_left_alone)
{
        struct fixture f = { .svc = J(SVC_WEB) };

        add(&f, pod("a", "10.42.0.2", true));
        json_object_del(G(f.svc, "spec"), "selector");
        f.endpoints = J("{'metadata':{'name':'web','namespace':'default'},'subsets':[{"
                        "'addresses':[{'ip':'192.168.1.1'}]}]}");
        run(&f, "default", "web");
        cr_expect_eq(f.out.n, 0);
        json_object_set_new(G(f.svc, "spec"), "selector", json_object());
        run(&f, "default", "web");
        cr_expect_eq(f.out.n, 0, "an empty selector is no selector");
        json_object_set_new(G(f.svc, "spec"), "selector", J("{'app':'web'}"));
        json_object_set_new(G(f.svc, "spec"), "type", json_string("ExternalName"));
        run(&f, "default", "web");
        cr_expect_eq(f.out.n, 0);
        done(&f);
}

Test(endpoints, deleting_the_service_deletes_its_endpoints)
{
        struct fixture f = { 0 };

        run(&f, "default", "web");
        cr_expect_eq(f.out.n, 0, "nothing to delete");
        f.endpoints = J("{'metadata':{'name':'web','namespace':'default'}}");
        run(&f, "default", "web");
        cr_assert_eq(f.out.n, 1);
        cr_expect_eq(f.out.v[0].op, KL_CTRL_DELETE);
        cr_expect_str_eq(f.out.v[0].ns, "default");
        cr_expect_str_eq(f.out.v[0].name, "web");
        done(&f);
}

Test(endpoints, unchanged_endpoints_are_not_written)
{
        struct fixture f = { .svc = J(SVC_WEB) };

        add(&f, pod("a", "10.42.0.2", true));
        add(&f, pod("b", "10.42.0.3", false));
        run(&f, "default", "web");
        f.endpoints = json_deep_copy(single(&f, KL_CTRL_CREATE));
        json_object_set_new(G(f.endpoints, "metadata"), "resourceVersion", json_string("7"));
        run(&f, "default", "web");
        cr_expect_eq(f.out.n, 0);
        done(&f);
}

Test(endpoints, a_pod_turning_ready_updates_with_the_version_read)
{
        struct fixture f = { .svc = J(SVC_WEB) };
        const json_t *ep;

        add(&f, pod("a", "10.42.0.2", false));
        run(&f, "default", "web");
        f.endpoints = json_deep_copy(single(&f, KL_CTRL_CREATE));
        json_object_set_new(G(f.endpoints, "metadata"), "resourceVersion", json_string("7"));
        json_object_set_new(G(f.endpoints, "metadata.annotations"), "keep", json_string("me"));
        json_decref(f.pods[0]);
        f.pods[0] = pod("a", "10.42.0.2", true);
        json_object_set_new(G(f.pods[0], "status.conditions.0"), "lastTransitionTime",
                            json_string("2025-06-01T12:30:00Z"));
        run(&f, "default", "web");
        ep = single(&f, KL_CTRL_UPDATE);
        cr_expect_str_eq(f.out.v[0].name, "web");
        cr_expect_null(f.out.v[0].sub);
        cr_expect_str_eq(S(ep, "metadata.resourceVersion"), "7");
        cr_expect_str_eq(S(ep, "metadata.annotations.keep"), "me");
        cr_expect_str_eq(ann(ep, "endpoints.kubernetes.io/last-change-trigger-time"),
                         "2025-06-01T12:30:00Z");
        cr_expect_str_eq(S(ep, "subsets.0.addresses.0.ip"), "10.42.0.2");
        cr_expect_null(G(ep, "subsets.0.notReadyAddresses"));
        done(&f);
}

Test(endpoints, service_label_change_is_copied)
{
        struct fixture f = { .svc = J(SVC_WEB) };

        add(&f, pod("a", "10.42.0.2", true));
        run(&f, "default", "web");
        f.endpoints = json_deep_copy(single(&f, KL_CTRL_CREATE));
        json_object_set_new(G(f.svc, "metadata.labels"), "tier", json_string("front"));
        run(&f, "default", "web");
        cr_expect_str_eq(S(single(&f, KL_CTRL_UPDATE), "metadata.labels.tier"), "front");
        done(&f);
}

Test(endpoints, all_pods_gone_leaves_empty_endpoints)
{
        struct fixture f = { .svc = J(SVC_WEB) };

        f.endpoints = J("{'metadata':{'name':'web','namespace':'default','labels':{'app':'web'},"
                        "'resourceVersion':'3'},'subsets':[{'addresses':[{'ip':'10.42.0.2'}],"
                        "'ports':[{'name':'http','port':8080,'protocol':'TCP'}]}]}");
        run(&f, "default", "web");
        cr_expect_null(G(single(&f, KL_CTRL_UPDATE), "subsets"));
        done(&f);
}

Test(endpoints, ipv6_only_pod_is_not_an_address_of_an_ipv4_service)
{
        struct fixture f = { .svc = J(SVC_WEB) };

        add(&f, pod("a", "fd00::2", true));
        add(&f, pod("b", "10.42.0.3", true));
        run(&f, "default", "web");
        cr_expect_eq(json_array_size(G(single(&f, KL_CTRL_CREATE), "subsets.0.addresses")), 1);
        cr_expect_str_eq(S(single(&f, KL_CTRL_CREATE), "subsets.0.addresses.0.ip"), "10.42.0.3");
        done(&f);
}

Test(endpoints, more_than_1000_addresses_are_truncated_ready_first)
{
        struct fixture f = { .svc = J(SVC_WEB) };
        const json_t *ep;
        char name[32], ip[32];

        for (int i = 0; i < 990; i++) {
                snprintf(name, sizeof(name), "r%04d", i);
                snprintf(ip, sizeof(ip), "10.42.%d.%d", i / 250, i % 250 + 1);
                add(&f, pod(name, ip, true));
        }
        for (int i = 0; i < 20; i++) {
                snprintf(name, sizeof(name), "n%04d", i);
                snprintf(ip, sizeof(ip), "10.43.0.%d", i + 1);
                add(&f, pod(name, ip, false));
        }
        run(&f, "default", "web");
        ep = single(&f, KL_CTRL_CREATE);
        cr_expect_str_eq(ann(ep, "endpoints.kubernetes.io/over-capacity"), "truncated");
        cr_expect_eq(json_array_size(G(ep, "subsets.0.addresses")), 990);
        cr_expect_eq(json_array_size(G(ep, "subsets.0.notReadyAddresses")), 10);

        /* Written truncated, it is still rewritten while over capacity; back under, the
         * annotation goes. */
        f.endpoints = json_deep_copy(ep);
        for (size_t i = 980; i < f.n; i++)
                json_decref(f.pods[i]);
        f.n = 980;
        run(&f, "default", "web");
        ep = single(&f, KL_CTRL_UPDATE);
        cr_expect_null(ann(ep, "endpoints.kubernetes.io/over-capacity"));
        cr_expect_eq(json_array_size(G(ep, "subsets.0.addresses")), 980);
        done(&f);
}

Test(endpoints, only_ready_addresses_kept_when_they_alone_exceed_capacity)
{
        struct fixture f = { .svc = J(SVC_WEB) };
        const json_t *ep;
        char name[32], ip[32];

        for (int i = 0; i < 1010; i++) {
                snprintf(name, sizeof(name), "r%04d", i);
                snprintf(ip, sizeof(ip), "10.42.%d.%d", i / 250, i % 250 + 1);
                add(&f, pod(name, ip, i % 200 != 0)); /* 1004 ready, 6 not */
        }
        run(&f, "default", "web");
        ep = single(&f, KL_CTRL_CREATE);
        cr_expect_eq(json_array_size(G(ep, "subsets.0.addresses")), 1000);
        cr_expect_null(G(ep, "subsets.0.notReadyAddresses"));
        cr_expect_str_eq(ann(ep, "endpoints.kubernetes.io/over-capacity"), "truncated");
        done(&f);
}

/* ------------------------------------------------------------------------- */
/* endpoints-util.c */

Test(endpoints_util, find_port_numeric_named_and_protocol)
{
        json_t *p = pod("a", "10.42.0.2", true);
        json_t *num = J("{'port':80,'targetPort':8081}");
        json_t *dflt = J("{'port':80}");
        json_t *named = J("{'port':80,'targetPort':'web'}");
        json_t *udp = J("{'port':80,'targetPort':'web','protocol':'UDP'}");
        int64_t v = 0;

        cr_expect(kl_controllers__ep_find_port(p, num, &v));
        cr_expect_eq(v, 8081);
        cr_expect(kl_controllers__ep_find_port(p, dflt, &v));
        cr_expect_eq(v, 80);
        cr_expect(kl_controllers__ep_find_port(p, named, &v));
        cr_expect_eq(v, 8080);
        cr_expect(!kl_controllers__ep_find_port(p, udp, &v),
                  "a TCP container port does not serve UDP");
        json_decref(p);
        json_decref(num);
        json_decref(dflt);
        json_decref(named);
        json_decref(udp);
}

Test(endpoints_util, pod_inclusion)
{
        json_t *p = pod("a", "10.42.0.2", false);

        cr_expect(kl_controllers__ep_pod_included(p, false), "not ready pods are included");
        json_object_set_new(G(p, "metadata"), "deletionTimestamp",
                            json_string("2025-06-01T12:00:00Z"));
        cr_expect(!kl_controllers__ep_pod_included(p, false));
        cr_expect(kl_controllers__ep_pod_included(p, true));
        json_object_set_new(G(p, "status"), "phase", json_string("Failed"));
        cr_expect(!kl_controllers__ep_pod_included(p, true), "terminal pods never are");
        json_decref(p);
}

Test(endpoints_util, pod_changes_that_matter)
{
        json_t *a = pod("a", "10.42.0.2", false), *b = json_deep_copy(a);

        cr_expect(!kl_controllers__ep_pod_changed(a, b));
        json_object_set_new(G(b, "metadata"), "annotations", J("{'x':'y'}"));
        json_object_set_new(G(b, "metadata"), "resourceVersion", json_string("9"));
        cr_expect(!kl_controllers__ep_pod_changed(a, b), "annotations do not matter");
        json_object_set_new(G(b, "status.conditions.0"), "status", json_string("True"));
        cr_expect(kl_controllers__ep_pod_changed(a, b), "readiness does");
        json_decref(b);
        b = json_deep_copy(a);
        json_object_set_new(G(b, "metadata.labels"), "app", json_string("x"));
        cr_expect(kl_controllers__ep_pod_changed(a, b), "labels do");
        cr_expect(kl_controllers__ep_pod_changed(NULL, b));
        cr_expect(kl_controllers__ep_pod_changed(a, NULL));
        json_decref(a);
        json_decref(b);
}
