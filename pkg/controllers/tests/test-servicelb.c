/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ServiceLB (servicelb.c): the ingress of LoadBalancer Services follows the
 * Ready, schedulable nodes — the reconcile table-driven, then the
 * controller against a real API server as nodes come, go and fail.
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
        v = json_loads(s, JSON_DECODE_ANY, &e);
        cr_assert(v, "bad test JSON: %s: %s", e.text, s);
        free(s);
        return v;
}

#define MAX_NODES 5

/* Node shapes the table uses. */
enum shape {
        READY,     /* Ready, InternalIP */
        NOT_READY, /* Ready False */
        UNKNOWN,   /* Ready Unknown (the lifecycle controller's) */
        CORDONED,  /* spec.unschedulable */
        EXTERNAL,  /* Ready, InternalIP and ExternalIP */
        NO_ADDR,   /* Ready, no address */
        IPV6,      /* Ready, an IPv6 InternalIP only */
        LABEL_ON,  /* Ready, enablelb=true */
        LABEL_OFF, /* Ready, enablelb=false */
};

static json_t *node(const char *name, const char *ip, enum shape s)
{
        kl_autofree char *text = kl_asprintf(
                "{'metadata':{'name':'%s','labels':{}},'spec':{},'status':{'conditions':[{'type':"
                "'Ready','status':'%s'}],'addresses':[{'type':'Hostname','address':'%s'},{'type':"
                "'InternalIP','address':'%s'}]}}",
                name,
                s == NOT_READY ? "False"
                : s == UNKNOWN ? "Unknown"
                               : "True",
                name, s == IPV6 ? "fd00::1" : ip);
        json_t *n = J(text);
        json_t *addrs = json_object_get(json_object_get(n, "status"), "addresses");
        json_t *labels = json_object_get(json_object_get(n, "metadata"), "labels");

        if (s == CORDONED)
                json_object_set_new(json_object_get(n, "spec"), "unschedulable", json_true());
        if (s == EXTERNAL)
                json_array_append_new(
                        addrs, json_pack("{ssss}", "type", "ExternalIP", "address", "203.0.113.7"));
        if (s == NO_ADDR)
                json_array_clear(addrs);
        if (s == LABEL_ON || s == LABEL_OFF)
                json_object_set_new(labels, "svccontroller.k3s.cattle.io/enablelb",
                                    json_string(s == LABEL_ON ? "true" : "false"));
        return n;
}

static json_t *service(const char *type, const char *lb_class, const char *ingress)
{
        kl_autofree char *text = kl_asprintf(
                "{'metadata':{'name':'web','namespace':'shop','uid':'s1'},'spec':{'type':'%s',"
                "'ports':[{'port':80,'protocol':'TCP'}]},'status':{'loadBalancer':{%s}}}",
                type, ingress ? ingress : "");
        json_t *s = J(text);

        if (lb_class)
                json_object_set_new(json_object_get(s, "spec"), "loadBalancerClass",
                                    json_string(lb_class));
        return s;
}

static const struct {
        const char *name;
        const char *type;
        const char *lb_class;
        const char *have; /* the status.loadBalancer members, ' for " */
        struct {
                const char *ip;
                enum shape s;
        } nodes[MAX_NODES];
        bool writes;
        const char *want; /* the patched ingress as JSON, ' for "; "null" to clear */
} cases[] = {
        { "ready nodes, sorted by address",
          "LoadBalancer",
          NULL,
          NULL,
          { { "10.0.0.10", READY }, { "10.0.0.9", READY }, { "10.0.0.11", READY } },
          true,
          "[{'ip':'10.0.0.9'},{'ip':'10.0.0.10'},{'ip':'10.0.0.11'}]" },
        { "not ready, unknown and cordoned nodes are left out",
          "LoadBalancer",
          NULL,
          NULL,
          { { "10.0.0.1", READY },
            { "10.0.0.2", NOT_READY },
            { "10.0.0.3", UNKNOWN },
            { "10.0.0.4", CORDONED } },
          true,
          "[{'ip':'10.0.0.1'}]" },
        { "an ExternalIP wins over the InternalIP, nodes without IPv4 give nothing",
          "LoadBalancer",
          NULL,
          NULL,
          { { "10.0.0.1", EXTERNAL }, { "10.0.0.2", NO_ADDR }, { "10.0.0.3", IPV6 } },
          true,
          "[{'ip':'203.0.113.7'}]" },
        { "once a node has the enablelb label only nodes with it true count",
          "LoadBalancer",
          NULL,
          NULL,
          { { "10.0.0.1", READY }, { "10.0.0.2", LABEL_ON }, { "10.0.0.3", LABEL_OFF } },
          true,
          "[{'ip':'10.0.0.2'}]" },
        { "up to date: no write",
          "LoadBalancer",
          NULL,
          "'ingress':[{'ip':'10.0.0.1'},{'ip':'10.0.0.2'}]",
          { { "10.0.0.2", READY }, { "10.0.0.1", READY } },
          false,
          NULL },
        { "a node gone: the ingress shrinks",
          "LoadBalancer",
          NULL,
          "'ingress':[{'ip':'10.0.0.1'},{'ip':'10.0.0.2'}]",
          { { "10.0.0.2", READY }, { "10.0.0.1", NOT_READY } },
          true,
          "[{'ip':'10.0.0.2'}]" },
        { "no usable node: the ingress goes",
          "LoadBalancer",
          NULL,
          "'ingress':[{'ip':'10.0.0.1'}]",
          { { "10.0.0.1", NOT_READY } },
          true,
          "null" },
        { "no usable node and no ingress: no write",
          "LoadBalancer",
          NULL,
          NULL,
          { { "10.0.0.1", CORDONED } },
          false,
          NULL },
        { "a loadBalancerClass is another controller's",
          "LoadBalancer",
          "example.com/lb",
          NULL,
          { { "10.0.0.1", READY } },
          false,
          NULL },
        { "type changed away from LoadBalancer: the ingress is cleared",
          "ClusterIP",
          NULL,
          "'ingress':[{'ip':'10.0.0.1'}]",
          { { "10.0.0.1", READY } },
          true,
          "null" },
        { "NodePort never had one: nothing",
          "NodePort",
          NULL,
          NULL,
          { { "10.0.0.1", READY } },
          false,
          NULL },
        { "a foreign ingress (hostname) is replaced",
          "LoadBalancer",
          NULL,
          "'ingress':[{'hostname':'lb.example.com'}]",
          { { "10.0.0.1", READY } },
          true,
          "[{'ip':'10.0.0.1'}]" },
        { "the same address twice is listed once",
          "LoadBalancer",
          NULL,
          NULL,
          { { "10.0.0.1", READY }, { "10.0.0.1", READY } },
          true,
          "[{'ip':'10.0.0.1'}]" },
};

Test(servicelb, ingress_table)
{
        for (size_t c = 0; c < KL_ARRAY_SIZE(cases); c++) {
                kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions a = { 0 };
                json_auto_t *svc = service(cases[c].type, cases[c].lb_class, cases[c].have);
                json_t *nodes[MAX_NODES] = { 0 };
                size_t n = 0;

                for (; n < MAX_NODES && cases[c].nodes[n].ip; n++) {
                        char name[16];

                        (void)snprintf(name, sizeof(name), "n%zu", n);
                        nodes[n] = node(name, cases[c].nodes[n].ip, cases[c].nodes[n].s);
                }
                kl_controllers__servicelb_reconcile(svc, (const json_t *const *)nodes, n, &a);
                if (!cases[c].writes) {
                        cr_expect_eq(a.n, 0, "%s", cases[c].name);
                } else {
                        json_auto_t *want = J(cases[c].want);
                        const json_t *got;

                        cr_assert_eq(a.n, 1, "%s", cases[c].name);
                        cr_expect_eq(a.v[0].op, KL_CTRL_PATCH, "%s", cases[c].name);
                        cr_expect_str_eq(a.v[0].res->plural, "services");
                        cr_expect_str_eq(a.v[0].ns, "shop");
                        cr_expect_str_eq(a.v[0].name, "web");
                        cr_expect_str_eq(a.v[0].sub, "status");
                        cr_expect_eq(a.v[0].patch_type, KL_API_PATCH_TYPE_MERGE);
                        got = json_object_get(json_object_get(json_object_get(a.v[0].obj, "status"),
                                                              "loadBalancer"),
                                              "ingress");
                        cr_expect(got && json_equal(got, want), "%s: got %s", cases[c].name,
                                  got ? json_dumps(got, JSON_COMPACT) : "(none)");
                }
                for (size_t i = 0; i < n; i++)
                        json_decref(nodes[i]);
        }
}

/* ------------------------------------------------------------------------- */
/* Against a real in-process API server, with the manager */

#include "apiserver/tests/support/testenv.h"

static struct kl_controllers *start_controllers(struct kl_testenv *e, const char *const *disabled)
{
        static const char *const enabled[] = { "servicelb", NULL };
        const struct kl_controllers_options co = { .enabled = enabled, .disabled = disabled };
        struct kl_controllers *ctrl = NULL;
        struct kl_err *err = NULL;

        cr_assert_eq(kl_controllers_start(e->client, &co, &ctrl, &err), 0, "%s", kl_err_msg(err));
        return ctrl;
}

static void create(struct kl_testenv *e, const char *plural, const char *ns, const char *text)
{
        kl_testenv_create(e, kl_ctrl_res("", plural), ns, J(text), NULL);
}

/* Register node `name` at `ip` and post its status (Ready `ready`). */
static void add_node(struct kl_testenv *e, const char *name, const char *ip, const char *ready)
{
        kl_autofree char *text = kl_asprintf(
                "{'metadata':{'name':'%s'},'status':{'conditions':[{'type':'Ready','status':'%s'}],"
                "'addresses':[{'type':'InternalIP','address':'%s'}]}}",
                name, ready, ip);

        create(e, "nodes", NULL, text);
        kl_testenv_update(e, kl_ctrl_res("", "nodes"), NULL, name, "status", J(text), NULL);
}

static void patch(struct kl_testenv *e, const char *plural, const char *ns, const char *name,
                  const char *sub, const char *text)
{
        kl_testenv_patch(e, kl_ctrl_res("", plural), ns, name, sub, KL_API_PATCH_TYPE_MERGE,
                         J(text), NULL);
}

static void delete_node(struct kl_testenv *e, const char *name)
{
        kl_testenv_delete(e, kl_ctrl_res("", "nodes"), NULL, name, NULL, NULL);
}

/* The Service's ingress IPs joined with ",", "" when none (new). */
static char *ingress_of(struct kl_testenv *e, const char *name)
{
        json_auto_t *svc = kl_testenv_get(e, kl_ctrl_res("", "services"), "default", name);
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        size_t i;
        json_t *in;

        json_array_foreach(
                json_object_get(json_object_get(json_object_get(svc, "status"), "loadBalancer"),
                                "ingress"),
                i, in) {
                const char *ip = json_string_value(json_object_get(in, "ip"));

                cr_assert_eq(kl_buf_printf(&b, "%s%s", i ? "," : "", ip ? ip : "?"), 0);
        }
        return kl_buf_detach(&b, NULL);
}

static const char *waited_svc, *waited_ingress;

static bool ingress_is(struct kl_testenv *e)
{
        kl_autofree char *got = ingress_of(e, waited_svc);

        return kl_streq(got, waited_ingress);
}

static void wait_ingress(struct kl_testenv *e, const char *svc, const char *want)
{
        waited_svc = svc;
        waited_ingress = want;
        for (int i = 0; i < 3000; i++) {
                if (ingress_is(e))
                        return;
                kl_testenv_tick(e);
        }
        {
                kl_autofree char *got = ingress_of(e, svc);

                cr_assert_fail("service %s: ingress '%s', never '%s'", svc, got, want);
        }
}

/* Let the loop run a while (the controller may act, or not: callers check after). */
static void settle(struct kl_testenv *e)
{
        for (int i = 0; i < 50; i++)
                kl_testenv_tick(e);
}

#define LB_SERVICE(name, extra)                                                               \
        "{'metadata':{'name':'" name "'},'spec':{'type':'LoadBalancer'," extra "'selector':{" \
        "'app':'web'},'ports':[{'port':80,'protocol':'TCP'}]}}"

Test(servicelb, ingress_follows_the_nodes_against_a_real_api_server)
{
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        kl_autofree char *other = NULL;

        kl_testenv_start(&e, NULL);
        ctrl = start_controllers(&e, NULL);
        add_node(&e, "n1", "192.168.5.11", "True");
        create(&e, "services", "default", LB_SERVICE("web", ""));
        create(&e, "services", "default", LB_SERVICE("theirs", "'loadBalancerClass':'x.io/lb',"));
        wait_ingress(&e, "web", "192.168.5.11");

        /* A node comes: listed, in address order. */
        add_node(&e, "n2", "192.168.5.2", "True");
        wait_ingress(&e, "web", "192.168.5.2,192.168.5.11");

        /* A node becomes NotReady: left out; Ready again: back. */
        patch(&e, "nodes", NULL, "n1", "status",
              "{'status':{'conditions':[{'type':'Ready','status':'False'}]}}");
        wait_ingress(&e, "web", "192.168.5.2");
        patch(&e, "nodes", NULL, "n1", "status",
              "{'status':{'conditions':[{'type':'Ready','status':'True'}]}}");
        wait_ingress(&e, "web", "192.168.5.2,192.168.5.11");

        /* Cordoned: left out. */
        patch(&e, "nodes", NULL, "n2", NULL, "{'spec':{'unschedulable':true}}");
        wait_ingress(&e, "web", "192.168.5.11");

        /* A node goes. */
        delete_node(&e, "n1");
        wait_ingress(&e, "web", "");

        /* Uncordoned: back; then the type changes and the ingress is cleared. */
        patch(&e, "nodes", NULL, "n2", NULL, "{'spec':{'unschedulable':null}}");
        wait_ingress(&e, "web", "192.168.5.2");
        patch(&e, "services", "default", "web", NULL,
              "{'spec':{'type':'ClusterIP','externalTrafficPolicy':null}}");
        wait_ingress(&e, "web", "");

        /* A class of its own: never touched. */
        settle(&e);
        other = ingress_of(&e, "theirs");
        cr_expect_str_eq(other, "");
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}

Test(servicelb, disabled_leaves_services_alone)
{
        static const char *const disabled[] = { "servicelb", NULL };
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        kl_autofree char *got = NULL;

        kl_testenv_start(&e, NULL);
        ctrl = start_controllers(&e, disabled);
        add_node(&e, "n1", "192.168.5.11", "True");
        create(&e, "services", "default", LB_SERVICE("web", ""));
        settle(&e);
        got = ingress_of(&e, "web");
        cr_expect_str_eq(got, "", "--disable servicelb: no ingress");
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}
