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

#include "apiserver/apiserver.h"
#include "loop/loop.h"
#include "testing/testing.h"

struct env {
        uv_loop_t loop;
        uv_timer_t tick; /* wakes the loop up while waiting for the controllers */
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
        (void)t;
}

static void run_until(uv_loop_t *loop, const bool *flag)
{
        for (int i = 0; i < 200000 && !*flag; i++)
                (void)kl_loop_run(loop, UV_RUN_ONCE);
        cr_assert(*flag);
}

static void env_start(struct env *e, const char *const *disabled)
{
        static const char *const enabled[] = { "servicelb", NULL };
        struct kl_apiserver_options opts = { .data_dir = kl_test_tmpdir(),
                                             .bind_address = "127.0.0.1",
                                             .sync = KL_STORE_SYNC_RELAXED };
        struct kl_controllers_options co = { .enabled = enabled, .disabled = disabled };
        struct kl_err *err = NULL;

        cr_assert_eq(kl_loop_init(&e->loop), 0);
        cr_assert_eq(kl_apiserver_new(&e->loop, &opts, &e->s, &err), 0, "%s", kl_err_msg(err));
        e->c = kl_apiserver_client_new(e->s, "system:kube-controller-manager");
        cr_assert_eq(kl_controllers_start(e->c, &co, &e->ctrl, &err), 0, "%s", kl_err_msg(err));
        cr_assert_eq(uv_timer_init(&e->loop, &e->tick), 0);
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

        w->done = true;
        w->r = r;
        if (obj)
                w->obj = json_deep_copy(obj);
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

static void finish(struct env *e, struct wait *w, const char *what)
{
        run_until(&e->loop, &w->done);
        cr_assert_eq(w->r, 0, "%s: %s", what, w->msg);
        json_decref(w->obj);
}

static void create(struct env *e, const char *plural, const char *ns, const char *text)
{
        struct wait w = { 0 };

        kl_client_create(e->c, kl_ctrl_res("", plural), ns, J(text), NULL, on_write, &w);
        finish(e, &w, plural);
}

/* Register node `name` at `ip` and post its status (Ready `ready`). */
static void add_node(struct env *e, const char *name, const char *ip, const char *ready)
{
        kl_autofree char *text = kl_asprintf(
                "{'metadata':{'name':'%s'},'status':{'conditions':[{'type':'Ready','status':'%s'}],"
                "'addresses':[{'type':'InternalIP','address':'%s'}]}}",
                name, ready, ip);
        struct wait w = { 0 };

        create(e, "nodes", NULL, text);
        kl_client_update(e->c, kl_ctrl_res("", "nodes"), NULL, name, "status", J(text), NULL,
                         on_write, &w);
        finish(e, &w, "node status");
}

static void patch(struct env *e, const char *plural, const char *ns, const char *name,
                  const char *sub, const char *text)
{
        struct wait w = { 0 };

        kl_client_patch(e->c, kl_ctrl_res("", plural), ns, name, sub, KL_API_PATCH_TYPE_MERGE,
                        J(text), NULL, on_write, &w);
        finish(e, &w, "patch");
}

static void delete_node(struct env *e, const char *name)
{
        struct wait w = { 0 };

        kl_client_delete(e->c, kl_ctrl_res("", "nodes"), NULL, name, NULL, NULL, on_write, &w);
        finish(e, &w, "delete node");
}

/* The Service's ingress IPs joined with ",", "" when none (new). */
static char *ingress_of(struct env *e, const char *name)
{
        struct wait w = { 0 };
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        size_t i;
        json_t *in;

        kl_client_get(e->c, kl_ctrl_res("", "services"), "default", name, on_read, &w);
        run_until(&e->loop, &w.done);
        cr_assert_eq(w.r, 0, "get service: %s", w.msg);
        json_array_foreach(
                json_object_get(json_object_get(json_object_get(w.obj, "status"), "loadBalancer"),
                                "ingress"),
                i, in) {
                const char *ip = json_string_value(json_object_get(in, "ip"));

                cr_assert_eq(kl_buf_printf(&b, "%s%s", i ? "," : "", ip ? ip : "?"), 0);
        }
        json_decref(w.obj);
        return kl_buf_detach(&b, NULL);
}

static const char *waited_svc, *waited_ingress;

static bool ingress_is(struct env *e)
{
        kl_autofree char *got = ingress_of(e, waited_svc);

        return kl_streq(got, waited_ingress);
}

static void wait_ingress(struct env *e, const char *svc, const char *want)
{
        waited_svc = svc;
        waited_ingress = want;
        for (int i = 0; i < 3000; i++) {
                if (ingress_is(e))
                        return;
                (void)kl_loop_run(&e->loop, UV_RUN_ONCE);
        }
        {
                kl_autofree char *got = ingress_of(e, svc);

                cr_assert_fail("service %s: ingress '%s', never '%s'", svc, got, want);
        }
}

/* Let the loop run a while (the controller may act, or not: callers check after). */
static void settle(struct env *e)
{
        for (int i = 0; i < 50; i++)
                (void)kl_loop_run(&e->loop, UV_RUN_ONCE);
}

#define LB_SERVICE(name, extra)                                                               \
        "{'metadata':{'name':'" name "'},'spec':{'type':'LoadBalancer'," extra "'selector':{" \
        "'app':'web'},'ports':[{'port':80,'protocol':'TCP'}]}}"

Test(servicelb, ingress_follows_the_nodes_against_a_real_api_server)
{
        struct env e = { 0 };
        kl_autofree char *other = NULL;

        env_start(&e, NULL);
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
        env_stop(&e);
}

Test(servicelb, disabled_leaves_services_alone)
{
        static const char *const disabled[] = { "servicelb", NULL };
        struct env e = { 0 };
        kl_autofree char *got = NULL;

        env_start(&e, disabled);
        add_node(&e, "n1", "192.168.5.11", "True");
        create(&e, "services", "default", LB_SERVICE("web", ""));
        settle(&e);
        got = ingress_of(&e, "web");
        cr_expect_str_eq(got, "", "--disable servicelb: no ingress");
        env_stop(&e);
}
