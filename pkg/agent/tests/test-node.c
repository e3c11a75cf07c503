/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's Node against the kubelet: --node-label/--node-taint syntax,
 * the status its setters build (capacity, allocatable, conditions and their
 * transition times), and, against a real in-process API server,
 * registration, adoption of an existing Node, the Lease, status writes only
 * when due, and the node lifecycle controller's view of a running and a
 * stopped agent.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "agent/agent-internal.h"
#include "api/selector.h"
#include "apiserver/apiserver.h"
#include "apiserver/tests/support/testenv.h"
#include "controllers/controllers.h"
#include "loop/loop.h"
#include "testing/testing.h"
#include "json/json.h"

#define SEC KL_USEC_PER_SEC
#define MI  ((int64_t)1 << 20)
#define T0  ((kl_usec_t)1750000000 * SEC) /* 2025-06-15T15:06:40Z */

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

static const char *str(const json_t *obj, const char *path)
{
        return json_string_value(at(obj, path));
}

static const json_t *condition(const json_t *status, const char *type)
{
        const json_t *c;
        size_t i;

        json_array_foreach(json_object_get(status, "conditions"), i, c)
                if (kl_streq_null(str(c, "type"), type))
                        return c;
        return NULL;
}

/* ------------------------------------------------------------------------- */
/* Flags */

Test(node, labels_from_flags)
{
        static const struct {
                const char *in, *key, *value; /* key NULL: rejected */
        } cases[] = {
                { "dedicated=db", "dedicated", "db" },
                { "example.com/tier=edge", "example.com/tier", "edge" },
                { "empty=", "empty", "" },
                { "no-equals", NULL, NULL },
                { "=v", NULL, NULL },
                { "bad key=v", NULL, NULL },
                { "k=bad value", NULL, NULL },
                { "k=-leading", NULL, NULL },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *key = NULL, *value = NULL;
                kl_autoerr struct kl_err *err = NULL;
                int r = kl_agent__parse_label(cases[i].in, &key, &value, &err);

                if (!cases[i].key) {
                        cr_expect_eq(r, -EINVAL, "%s", cases[i].in);
                        cr_expect(strstr(kl_err_msg(err), cases[i].in), "%s", kl_err_msg(err));
                        continue;
                }
                cr_assert_eq(r, 0, "%s: %s", cases[i].in, kl_err_msg(err));
                cr_expect_str_eq(key, cases[i].key);
                cr_expect_str_eq(value, cases[i].value);
        }
}

Test(node, taints_from_flags)
{
        static const struct {
                const char *in, *want; /* want NULL: rejected */
        } cases[] = {
                { "dedicated=db:NoSchedule",
                  "{\"key\":\"dedicated\",\"value\":\"db\",\"effect\":\"NoSchedule\"}" },
                { "node-role.kubernetes.io/edge:NoExecute",
                  "{\"key\":\"node-role.kubernetes.io/edge\",\"effect\":\"NoExecute\"}" },
                { "k=:PreferNoSchedule", "{\"key\":\"k\",\"effect\":\"PreferNoSchedule\"}" },
                { "dedicated=db", NULL },
                { "dedicated=db:Sometimes", NULL },
                { ":NoSchedule", NULL },
                { "bad key:NoSchedule", NULL },
                { "k=bad value:NoSchedule", NULL },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                json_auto_t *taint = NULL;
                kl_autoerr struct kl_err *err = NULL;
                int r = kl_agent__parse_taint(cases[i].in, &taint, &err);

                if (!cases[i].want) {
                        cr_expect_eq(r, -EINVAL, "%s", cases[i].in);
                        cr_expect(strstr(kl_err_msg(err), cases[i].in), "%s", kl_err_msg(err));
                        continue;
                }
                cr_assert_eq(r, 0, "%s: %s", cases[i].in, kl_err_msg(err));
                {
                        json_auto_t *want = J(cases[i].want);

                        cr_expect(json_equal(taint, want), "%s", cases[i].in);
                }
        }
}

/* ------------------------------------------------------------------------- */
/* Host */

Test(node, os_release_and_arch)
{
        static const struct {
                const char *text, *want;
        } cases[] = {
                { "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
                  "Debian GNU/Linux 12 (bookworm)" },
                { "PRETTY_NAME='Alpine Linux v3.20'\n", "Alpine Linux v3.20" },
                { "PRETTY_NAME=Plain\n", "Plain" },
                { "PRETTY_NAME=\"say \\\"hi\\\"\"", "say \"hi\"" },
                { "NAME=x\nXPRETTY_NAME=no\n", "Linux" },
                { "PRETTY_NAME=\"\"\n", "Linux" },
                { "", "Linux" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *got = kl_agent__os_release_pretty(cases[i].text);

                cr_expect_str_eq(got, cases[i].want, "case %zu", i);
        }
        cr_expect_str_eq(kl_agent__goarch("x86_64"), "amd64");
        cr_expect_str_eq(kl_agent__goarch("aarch64"), "arm64");
        cr_expect_str_eq(kl_agent__goarch("armv7l"), "arm");
        cr_expect_str_eq(kl_agent__goarch("riscv64"), "riscv64");
}

Test(node, host_facts_are_read)
{
        struct kl_agent__facts f = { 0 };
        struct kl_agent__host h;

        kl_agent__facts_read(&f, kl_test_tmpdir());
        cr_expect_gt(f.cpus, 0);
        cr_expect_gt(f.mem_total, 0);
        cr_expect_geq(f.mem_available, 0);
        cr_expect_gt(f.fs_total, 0);
        cr_expect_geq(f.fs_available, 0);
        cr_expect_leq(f.fs_available, f.fs_total);
        cr_expect_eq(f.mem_total % 1024, 0, "MemTotal is given in kB");

        kl_agent__host_read(&h);
        cr_expect_str_neq(h.kernel_version, "");
        cr_expect_str_neq(h.arch, "");
        cr_expect_str_neq(h.os_image, "");
        if (access("/etc/machine-id", R_OK) == 0)
                cr_expect_str_neq(h.machine_id, "");
        if (access("/proc/sys/kernel/random/boot_id", R_OK) == 0)
                cr_expect_eq(strlen(h.boot_id), 36);
        kl_agent__host_release(&h);
}

/* ------------------------------------------------------------------------- */
/* Status */

static struct kl_agent__facts facts(void)
{
        static const char *const ips[] = { "10.0.0.7", NULL };

        return (struct kl_agent__facts){
                .node_name = "n1",
                .hostname = "n1.example",
                .node_ips = ips,
                .kubelet_version = KL_AGENT_KUBELET_VERSION,
                .runtime_version = "kube-lite://0.1.0",
                .machine_id = "mid",
                .system_uuid = "uuid",
                .boot_id = "boot",
                .kernel_version = "6.1.0",
                .os_image = "Debian GNU/Linux 12 (bookworm)",
                .arch = "amd64",
                .cpus = 4,
                .mem_total = MI * 8 * 1024, /* 8Gi */
                .mem_available = MI * 4 * 1024,
                .hugepages_2mi = 0,
                .fs_total = MI * 100 * 1024, /* 100Gi */
                .fs_available = MI * 50 * 1024,
        };
}

Test(node, capacity_allocatable_addresses_and_info)
{
        struct kl_agent__facts f = facts();
        json_auto_t *st = kl_agent__node_status(&f, NULL, T0);
        json_auto_t *want_cap = J("{\"cpu\":\"4\",\"ephemeral-storage\":\"100Gi\","
                                  "\"hugepages-2Mi\":\"0\",\"memory\":\"8Gi\",\"pods\":\"110\"}");
        /* memory less 100Mi; ephemeral-storage less 10%. */
        json_auto_t *want_alloc =
                J("{\"cpu\":\"4\",\"ephemeral-storage\":\"90Gi\",\"hugepages-2Mi\":\"0\","
                  "\"memory\":\"8092Mi\",\"pods\":\"110\"}");
        json_auto_t *want_addr = J("[{\"type\":\"InternalIP\",\"address\":\"10.0.0.7\"},"
                                   "{\"type\":\"Hostname\",\"address\":\"n1.example\"}]");
        json_auto_t *want_info =
                J("{\"machineID\":\"mid\",\"systemUUID\":\"uuid\",\"bootID\":\"boot\","
                  "\"kernelVersion\":\"6.1.0\",\"osImage\":\"Debian GNU/Linux 12 (bookworm)\","
                  "\"containerRuntimeVersion\":\"kube-lite://0.1.0\",\"kubeletVersion\":"
                  "\"v1.32.0-kube-lite\",\"kubeProxyVersion\":\"v1.32.0-kube-lite\","
                  "\"operatingSystem\":\"linux\",\"architecture\":\"amd64\"}");
        json_auto_t *want_ep = J("{\"kubeletEndpoint\":{\"Port\":10250}}");

        cr_expect(json_equal(at(st, "capacity"), want_cap), "%s",
                  json_dumps(at(st, "capacity"), JSON_COMPACT));
        cr_expect(json_equal(at(st, "allocatable"), want_alloc), "%s",
                  json_dumps(at(st, "allocatable"), JSON_COMPACT));
        cr_expect(json_equal(at(st, "addresses"), want_addr));
        cr_expect(json_equal(at(st, "nodeInfo"), want_info));
        cr_expect(json_equal(at(st, "daemonEndpoints"), want_ep));
        cr_expect_null(at(st, "images"));
}

Test(node, huge_pages_are_not_allocatable_memory)
{
        struct kl_agent__facts f = facts();
        json_auto_t *st = NULL;

        f.hugepages_2mi = 512 * MI;
        st = kl_agent__node_status(&f, NULL, T0);
        cr_expect_str_eq(str(st, "capacity[\"hugepages-2Mi\"]"), "512Mi");
        cr_expect_str_eq(str(st, "capacity.memory"), "8Gi");
        cr_expect_str_eq(str(st, "allocatable.memory"), "7580Mi");
}

Test(node, conditions_of_a_new_node)
{
        static const struct {
                const char *type, *status, *reason, *message;
        } want[] = {
                { "MemoryPressure", "False", "KubeletHasSufficientMemory",
                  "kubelet has sufficient memory available" },
                { "DiskPressure", "False", "KubeletHasNoDiskPressure",
                  "kubelet has no disk pressure" },
                { "PIDPressure", "False", "KubeletHasSufficientPID",
                  "kubelet has sufficient PID available" },
                { "Ready", "True", "KubeletReady", "kubelet is posting ready status" },
        };
        struct kl_agent__facts f = facts();
        json_auto_t *st = kl_agent__node_status(&f, NULL, T0);
        const json_t *conds = json_object_get(st, "conditions");

        cr_assert_eq(json_array_size(conds), KL_ARRAY_SIZE(want));
        for (size_t i = 0; i < KL_ARRAY_SIZE(want); i++) {
                const json_t *c = json_array_get(conds, i);

                cr_expect_str_eq(str(c, "type"), want[i].type);
                cr_expect_str_eq(str(c, "status"), want[i].status, "%s", want[i].type);
                cr_expect_str_eq(str(c, "reason"), want[i].reason, "%s", want[i].type);
                cr_expect_str_eq(str(c, "message"), want[i].message, "%s", want[i].type);
                cr_expect_str_eq(str(c, "lastHeartbeatTime"), "2025-06-15T15:06:40Z");
                cr_expect_str_eq(str(c, "lastTransitionTime"), "2025-06-15T15:06:40Z");
        }
}

Test(node, pressure_thresholds)
{
        static const struct {
                int64_t mem_available, fs_available;
                const char *memory, *disk;
        } cases[] = {
                { 100 * MI, MI * 10 * 1024, "False", "False" },     /* exactly at the thresholds */
                { 100 * MI - 1, MI * 10 * 1024, "True", "False" },  /* memory.available<100Mi */
                { MI * 4096, MI * 10 * 1024 - 1, "False", "True" }, /* nodefs.available<10% */
                { -1, -1, "False", "False" },                       /* the host did not say */
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_agent__facts f = facts();
                json_auto_t *st = NULL;

                f.mem_available = cases[i].mem_available;
                f.fs_available = cases[i].fs_available;
                st = kl_agent__node_status(&f, NULL, T0);
                cr_expect_str_eq(str(condition(st, "MemoryPressure"), "status"), cases[i].memory,
                                 "case %zu", i);
                cr_expect_str_eq(str(condition(st, "DiskPressure"), "status"), cases[i].disk,
                                 "case %zu", i);
                cr_expect_str_eq(str(condition(st, "Ready"), "status"), "True");
        }
        {
                struct kl_agent__facts f = facts();
                json_auto_t *st = NULL;

                f.mem_available = 0;
                f.fs_available = 0;
                st = kl_agent__node_status(&f, NULL, T0);
                cr_expect_str_eq(str(condition(st, "MemoryPressure"), "reason"),
                                 "KubeletHasInsufficientMemory");
                cr_expect_str_eq(str(condition(st, "DiskPressure"), "reason"),
                                 "KubeletHasDiskPressure");
        }
}

Test(node, transition_time_moves_only_when_the_status_changes)
{
        struct kl_agent__facts f = facts();
        json_auto_t *first = NULL, *same = NULL, *pressed = NULL;
        /* A status with Ready Unknown (the node lifecycle controller's) and a foreign condition. */
        json_auto_t *old =
                J("{\"conditions\":[{\"type\":\"NetworkUnavailable\",\"status\":\"False\","
                  "\"reason\":\"RouteCreated\",\"lastTransitionTime\":\"2025-06-01T00:00:00Z\"},"
                  "{\"type\":\"Ready\",\"status\":\"Unknown\",\"reason\":\"NodeStatusUnknown\","
                  "\"lastHeartbeatTime\":\"2025-06-15T15:00:00Z\",\"lastTransitionTime\":"
                  "\"2025-06-15T15:01:00Z\"}],\"volumesInUse\":[\"v\"]}");

        first = kl_agent__node_status(&f, old, T0);
        cr_expect_str_eq(str(condition(first, "Ready"), "status"), "True");
        cr_expect_str_eq(str(condition(first, "Ready"), "lastTransitionTime"),
                         "2025-06-15T15:06:40Z");
        cr_expect_str_eq(str(condition(first, "NetworkUnavailable"), "lastTransitionTime"),
                         "2025-06-01T00:00:00Z");
        cr_expect_str_eq(str(json_array_get(json_object_get(first, "conditions"), 0), "type"),
                         "NetworkUnavailable", "other owners' conditions keep their place");
        cr_expect_str_eq(str(first, "volumesInUse[0]"), "v");

        /* A minute later, nothing changed: only heartbeats move. */
        same = kl_agent__node_status(&f, first, T0 + 60 * SEC);
        cr_expect_str_eq(str(condition(same, "Ready"), "lastHeartbeatTime"),
                         "2025-06-15T15:07:40Z");
        cr_expect_str_eq(str(condition(same, "Ready"), "lastTransitionTime"),
                         "2025-06-15T15:06:40Z");
        cr_expect_not(kl_agent__status_changed(first, same));

        /* Memory runs short: MemoryPressure moves, the others keep their times. */
        f.mem_available = MI;
        pressed = kl_agent__node_status(&f, same, T0 + 120 * SEC);
        cr_expect(kl_agent__status_changed(same, pressed));
        cr_expect_str_eq(str(condition(pressed, "MemoryPressure"), "lastTransitionTime"),
                         "2025-06-15T15:08:40Z");
        cr_expect_str_eq(str(condition(pressed, "DiskPressure"), "lastTransitionTime"),
                         "2025-06-15T15:06:40Z");
}

static void three_images(void *arg, struct kl_agent_images *out)
{
        static const char *const small[] = { "docker.io/library/busybox:1.36" };
        static const char *const big[] = { "a@sha256:1", "a:1", "a:2", "a:3", "a:4", "a:5", "a:6" };

        (void)arg;
        kl_agent_images_add(out, small, 1, 2000);
        kl_agent_images_add(out, big, KL_ARRAY_SIZE(big), 90000);
        kl_agent_images_add(out, NULL, 0, 5); /* no name: left out */
}

Test(node, images_largest_first_with_at_most_five_names)
{
        struct kl_agent_images *imgs = kl_agent__images_new();
        json_auto_t *list = NULL;
        json_auto_t *want =
                J("[{\"names\":[\"a@sha256:1\",\"a:1\",\"a:2\",\"a:3\",\"a:4\"],\"sizeBytes\":"
                  "90000},{\"names\":[\"docker.io/library/busybox:1.36\"],\"sizeBytes\":2000}]");

        three_images(NULL, imgs);
        list = kl_agent__images_json(imgs);
        kl_agent__images_free(imgs);
        cr_expect(json_equal(list, want), "%s", json_dumps(list, JSON_COMPACT));
}

Test(node, no_images_is_an_empty_list)
{
        struct kl_agent_images *imgs = kl_agent__images_new();
        json_auto_t *list = kl_agent__images_json(imgs);

        kl_agent__images_free(imgs);
        cr_expect(json_is_array(list) && json_array_size(list) == 0);
}

Test(node, at_most_fifty_images)
{
        struct kl_agent_images *imgs = kl_agent__images_new();
        json_auto_t *list = NULL;

        for (int i = 0; i < 60; i++) {
                kl_autofree char *name = kl_asprintf("img:%d", i);
                const char *names[] = { name };

                kl_agent_images_add(imgs, names, 1, 1000 + i);
        }
        list = kl_agent__images_json(imgs);
        kl_agent__images_free(imgs);
        cr_expect_eq(json_array_size(list), 50);
        cr_expect_str_eq(str(list, "[0].names[0]"), "img:59");
        cr_expect_str_eq(str(list, "[49].names[0]"), "img:10");
}

Test(node, start_rejects_bad_options)
{
        static const char *const bad_label[] = { "bad key=v", NULL };
        static const char *const bad_taint[] = { "k=v:Whenever", NULL };
        const struct {
                struct kl_agent_node_options o;
                const char *msg;
        } cases[] = {
                { { .data_dir = "/tmp", .version = "1" }, "node name is required" },
                { { .node_name = "n", .version = "1" }, "data directory is required" },
                { { .node_name = "n", .data_dir = "/tmp" }, "kube-lite version is required" },
                { { .node_name = "N_1", .data_dir = "/tmp", .version = "1" }, "invalid node name" },
                { { .node_name = "n", .data_dir = "/tmp", .version = "1", .labels = bad_label },
                  "invalid node label 'bad key=v'" },
                { { .node_name = "n", .data_dir = "/tmp", .version = "1", .taints = bad_taint },
                  "invalid node taint 'k=v:Whenever'" },
        };
        uv_loop_t loop;

        cr_assert_eq(kl_loop_init(&loop), 0);
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_client c = { .loop = &loop };
                struct kl_agent_node *n = NULL;
                kl_autoerr struct kl_err *err = NULL;

                cr_expect_eq(kl_agent_node_start(&c, &cases[i].o, &n, &err), -EINVAL, "case %zu",
                             i);
                cr_expect(kl_startswith(kl_err_msg(err), cases[i].msg), "case %zu: %s", i,
                          kl_err_msg(err));
                cr_expect_null(n);
        }
        cr_expect_eq(kl_loop_finish(&loop), 0);
}

/* ------------------------------------------------------------------------- */
/* Against a real in-process API server */

struct env {
        struct kl_testenv t; /* the server, the client (writing as the node) and the tick */
        struct kl_controllers *ctrl;
        struct kl_agent_node *node;
};

struct wait {
        bool done;
        int r;
        json_t *obj;
        char msg[512];
};

static void env_start(struct env *e, bool with_nodelifecycle)
{
        static const char *const enabled[] = { "nodelifecycle", NULL };
        const struct kl_testenv_options opts = { .user = "system:node:n1" };
        struct kl_err *err = NULL;

        kl_testenv_start(&e->t, &opts);
        if (with_nodelifecycle) {
                struct kl_controllers_options co = {
                        .enabled = enabled,
                        /* The agent renews every 50 ms: only a stopped one is late. */
                        .node_monitor_grace = 2 * SEC,
                };

                cr_assert_eq(kl_controllers_start(e->t.client, &co, &e->ctrl, &err), 0, "%s",
                             kl_err_msg(err));
        }
}

static void env_stop(struct env *e)
{
        kl_agent_node_stop(e->node);
        kl_controllers_free(e->ctrl);
        kl_testenv_stop(&e->t);
}

static void on_write(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct wait *w = arg;

        w->done = true;
        w->r = r;
        w->obj = obj ? json_deep_copy(obj) : NULL;
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

static const struct kl_api_resource *res(const char *group, const char *plural)
{
        return kl_api_resource_find(group, "v1", plural);
}

static json_t *get(struct env *e, const char *group, const char *plural, const char *ns,
                   const char *name)
{
        struct wait w = { 0 };

        kl_client_get(e->t.client, res(group, plural), ns, name, on_read, &w);
        kl_testenv_run_until(&e->t, &w.done);
        cr_assert(w.r == 0 || w.r == -ENOENT, "get: %s", w.msg);
        return w.obj;
}

static json_t *get_node(struct env *e)
{
        return get(e, "", "nodes", NULL, "n1");
}

static json_t *get_lease(struct env *e)
{
        return get(e, "coordination.k8s.io", "leases", "kube-node-lease", "n1");
}

typedef bool done_fn(const json_t *obj, const void *arg);

static json_t *wait_for(struct env *e, json_t *(*getter)(struct env *e), done_fn *done,
                        const void *arg)
{
        /* At least a tick (10 ms) a round: a safety net of minutes, not a deadline. */
        for (int i = 0; i < 30000; i++) {
                json_t *obj = getter(e);

                if (done(obj, arg))
                        return obj;
                json_decref(obj);
                kl_testenv_tick(&e->t);
        }
        cr_assert_fail("never reached the state waited for");
        return NULL;
}

static bool is_ready(const json_t *obj, const void *arg)
{
        (void)arg;
        return obj &&
               kl_streq_null(str(condition(json_object_get(obj, "status"), "Ready"), "status"),
                             "True");
}

static bool is_unknown(const json_t *obj, const void *arg)
{
        (void)arg;
        return obj &&
               kl_streq_null(str(condition(json_object_get(obj, "status"), "Ready"), "status"),
                             "Unknown");
}

static bool exists(const json_t *obj, const void *arg)
{
        (void)arg;
        return obj != NULL;
}

/* Renewed after the renewTime `arg` (compared as RFC 3339 text of one format). */
static bool renewed_after(const json_t *obj, const void *arg)
{
        const char *t = str(obj, "spec.renewTime");

        return t && strcmp(t, arg) > 0;
}

static void start_node(struct env *e, struct kl_agent_node_options *o)
{
        struct kl_err *err = NULL;

        o->node_name = "n1";
        o->data_dir = kl_test_tmpdir();
        o->version = "0.1.0-test";
        cr_assert_eq(kl_agent_node_start(e->t.client, o, &e->node, &err), 0, "%s", kl_err_msg(err));
}

/* Wait for `n` renewals of the Lease. */
static void wait_renewals(struct env *e, int n)
{
        for (int i = 0; i < n; i++) {
                json_auto_t *lease = wait_for(e, get_lease, exists, NULL);
                kl_autofree char *t = kl_strdup(str(lease, "spec.renewTime"));

                json_decref(wait_for(e, get_lease, renewed_after, t));
        }
}

Test(node_api, registration_creates_the_node_and_its_lease)
{
        static const char *const ips[] = { "192.0.2.10", NULL };
        static const char *const labels[] = { "tier=edge", "kubernetes.io/os=linux", NULL };
        static const char *const taints[] = { "dedicated=db:NoSchedule", NULL };
        struct env e = { 0 };
        struct kl_agent_node_options o = { .node_ips = ips,
                                           .hostname = "n1.example",
                                           .labels = labels,
                                           .taints = taints,
                                           .lease_renew = 50 * KL_USEC_PER_MSEC,
                                           .status_period = 50 * KL_USEC_PER_MSEC };
        json_auto_t *node = NULL, *lease = NULL;
        json_auto_t *want_taints =
                J("[{\"key\":\"node.kubernetes.io/not-ready\",\"effect\":\"NoSchedule\"},"
                  "{\"key\":\"dedicated\",\"value\":\"db\",\"effect\":\"NoSchedule\"}]");
        const json_t *owner;
        kl_autofree char *first_renew = NULL;

        env_start(&e, false);
        start_node(&e, &o);
        node = wait_for(&e, get_node, is_ready, NULL);
        cr_expect(kl_agent_node_is_registered(e.node));

        cr_expect_str_eq(str(node, "metadata.labels[\"kubernetes.io/hostname\"]"), "n1.example");
        cr_expect_str_eq(str(node, "metadata.labels[\"kubernetes.io/os\"]"), "linux");
        cr_expect_str_eq(str(node, "metadata.labels[\"node.kubernetes.io/instance-type\"]"),
                         "kube-lite");
        cr_expect_str_eq(str(node, "metadata.labels.tier"), "edge");
        cr_expect_str_eq(str(node, "metadata.labels[\"kubernetes.io/arch\"]"),
                         str(node, "status.nodeInfo.architecture"));
        cr_expect(json_equal(at(node, "spec.taints"), want_taints), "%s",
                  json_dumps(at(node, "spec.taints"), JSON_COMPACT));
        cr_expect_null(at(node, "spec.podCIDR"), "the controller's to set");

        cr_expect_str_eq(str(node, "status.capacity.pods"), "110");
        cr_expect_str_eq(str(node, "status.allocatable.pods"), "110");
        cr_expect_not_null(str(node, "status.capacity.cpu"));
        cr_expect_not_null(str(node, "status.capacity.memory"));
        cr_expect_not_null(str(node, "status.capacity[\"ephemeral-storage\"]"));
        cr_expect_not_null(str(node, "status.allocatable.memory"));
        cr_expect_str_eq(str(node, "status.addresses[0].type"), "InternalIP");
        cr_expect_str_eq(str(node, "status.addresses[0].address"), "192.0.2.10");
        cr_expect_str_eq(str(node, "status.addresses[1].type"), "Hostname");
        cr_expect_str_eq(str(node, "status.addresses[1].address"), "n1.example");
        cr_expect_str_eq(str(node, "status.nodeInfo.kubeletVersion"), "v1.32.0-kube-lite");
        cr_expect_str_eq(str(node, "status.nodeInfo.containerRuntimeVersion"),
                         "kube-lite://0.1.0-test");
        cr_expect_str_eq(str(node, "status.nodeInfo.operatingSystem"), "linux");
        cr_expect_eq(json_integer_value(at(node, "status.daemonEndpoints.kubeletEndpoint.Port")),
                     10250);
        cr_expect_eq(json_array_size(at(node, "status.conditions")), 4);

        lease = wait_for(&e, get_lease, exists, NULL);
        cr_expect_str_eq(str(lease, "spec.holderIdentity"), "n1");
        cr_expect_eq(json_integer_value(at(lease, "spec.leaseDurationSeconds")), 40);
        first_renew = kl_strdup(str(lease, "spec.renewTime"));
        cr_expect_eq(strlen(first_renew), strlen("2025-06-15T15:06:40.000000Z"), "MicroTime: %s",
                     first_renew);
        json_decref(KL_TAKE_PTR(lease));
        /* The owner reference comes with the first renewal after the Node's uid is known. */
        wait_renewals(&e, 2);
        lease = get_lease(&e);
        owner = json_array_get(at(lease, "metadata.ownerReferences"), 0);
        cr_expect_str_eq(str(owner, "apiVersion"), "v1");
        cr_expect_str_eq(str(owner, "kind"), "Node");
        cr_expect_str_eq(str(owner, "name"), "n1");
        cr_expect_str_eq(str(owner, "uid"), str(node, "metadata.uid"));
        cr_expect_gt(strcmp(str(lease, "spec.renewTime"), first_renew), 0);
        env_stop(&e);
}

Test(node_api, an_existing_node_is_adopted_with_its_labels_merged)
{
        static const char *const labels[] = { "tier=edge", NULL };
        static const char *const taints[] = { "dedicated=db:NoSchedule", NULL };
        struct env e = { 0 };
        struct wait w = { 0 };
        struct kl_agent_node_options o = { .labels = labels,
                                           .taints = taints,
                                           .status_period = 50 * KL_USEC_PER_MSEC };
        json_auto_t *node = NULL;

        env_start(&e, false);
        kl_client_create(e.t.client, res("", "nodes"), NULL,
                         J("{\"metadata\":{\"name\":\"n1\",\"labels\":{\"keep\":\"me\","
                           "\"tier\":\"core\",\"kubernetes.io/os\":\"windows\"}},"
                           "\"spec\":{\"taints\":[{\"key\":\"admin\",\"effect\":\"NoExecute\"}]}}"),
                         NULL, on_write, &w);
        kl_testenv_run_until(&e.t, &w.done);
        cr_assert_eq(w.r, 0, "%s", w.msg);
        json_decref(w.obj);

        start_node(&e, &o);
        node = wait_for(&e, get_node, is_ready, NULL);
        cr_expect_str_eq(str(node, "metadata.labels.keep"), "me");
        cr_expect_str_eq(str(node, "metadata.labels.tier"), "edge", "ours win");
        cr_expect_str_eq(str(node, "metadata.labels[\"kubernetes.io/os\"]"), "linux");
        cr_expect_str_eq(str(node, "metadata.labels[\"kubernetes.io/hostname\"]"), "n1");
        /* The taints of a Node that exists are the cluster's. */
        cr_expect_eq(json_array_size(at(node, "spec.taints")), 1);
        cr_expect_str_eq(str(node, "spec.taints[0].key"), "admin");
        cr_expect_str_eq(str(node, "status.capacity.pods"), "110");
        env_stop(&e);
}

static bool rv_differs(const json_t *obj, const void *arg)
{
        return obj && !kl_streq_null(str(obj, "metadata.resourceVersion"), arg);
}

Test(node_api, an_unchanged_status_is_not_written_again)
{
        struct env e = { 0 };
        struct kl_agent_node_options o = { .lease_renew = 20 * KL_USEC_PER_MSEC,
                                           .status_period = 20 * KL_USEC_PER_MSEC };
        json_auto_t *node = NULL, *after = NULL;
        kl_autofree char *rv = NULL;

        env_start(&e, false);
        start_node(&e, &o);
        json_decref(wait_for(&e, get_node, is_ready, NULL));
        /* Let the first rounds settle, then watch several status periods go by. */
        wait_renewals(&e, 3);
        node = get_node(&e);
        rv = kl_strdup(str(node, "metadata.resourceVersion"));
        wait_renewals(&e, 10);
        after = get_node(&e);
        cr_expect_str_eq(str(after, "metadata.resourceVersion"), rv);
        cr_expect(json_equal(at(after, "status"), at(node, "status")));
        env_stop(&e);
}

Test(node_api, an_unchanged_status_is_reported_every_report_period)
{
        struct env e = { 0 };
        struct kl_agent_node_options o = { .status_period = 20 * KL_USEC_PER_MSEC,
                                           .status_report = 40 * KL_USEC_PER_MSEC };
        json_auto_t *node = NULL, *later = NULL;
        kl_autofree char *rv = NULL;

        env_start(&e, false);
        start_node(&e, &o);
        node = wait_for(&e, get_node, is_ready, NULL);
        rv = kl_strdup(str(node, "metadata.resourceVersion"));
        later = wait_for(&e, get_node, rv_differs, rv);
        cr_expect_str_eq(str(condition(at(later, "status"), "Ready"), "status"), "True");
        cr_expect_str_eq(str(condition(at(later, "status"), "Ready"), "lastTransitionTime"),
                         str(condition(at(node, "status"), "Ready"), "lastTransitionTime"));
        env_stop(&e);
}

static bool has_images(const json_t *obj, const void *arg)
{
        (void)arg;
        return obj && json_array_size(at(obj, "status.images")) == 2;
}

Test(node_api, images_come_from_the_callback)
{
        struct env e = { 0 };
        struct kl_agent_node_options o = { .status_period = 20 * KL_USEC_PER_MSEC,
                                           .images = three_images };
        json_auto_t *node = NULL;

        env_start(&e, false);
        start_node(&e, &o);
        node = wait_for(&e, get_node, has_images, NULL);
        cr_expect_str_eq(str(node, "status.images[0].names[0]"), "a@sha256:1");
        cr_expect_eq(json_integer_value(at(node, "status.images[1].sizeBytes")), 2000);
        env_stop(&e);
}

Test(node_api, a_deleted_node_is_registered_again)
{
        struct env e = { 0 };
        struct wait w = { 0 };
        struct kl_agent_node_options o = { .status_period = 20 * KL_USEC_PER_MSEC };
        json_auto_t *node = NULL, *again = NULL;
        kl_autofree char *uid = NULL;

        env_start(&e, false);
        start_node(&e, &o);
        node = wait_for(&e, get_node, is_ready, NULL);
        uid = kl_strdup(str(node, "metadata.uid"));
        kl_client_delete(e.t.client, res("", "nodes"), NULL, "n1", NULL, NULL, on_write, &w);
        kl_testenv_run_until(&e.t, &w.done);
        cr_assert_eq(w.r, 0, "%s", w.msg);
        json_decref(w.obj);
        for (;;) {
                json_auto_t *n = wait_for(&e, get_node, is_ready, NULL);

                if (!kl_streq_null(str(n, "metadata.uid"), uid)) {
                        again = KL_TAKE_PTR(n);
                        break;
                }
                kl_testenv_tick(&e.t);
        }
        cr_expect_str_eq(str(again, "status.capacity.pods"), "110");
        env_stop(&e);
}

static bool no_not_ready_taint(const json_t *obj, const void *arg)
{
        const json_t *t;
        size_t i;

        (void)arg;
        json_array_foreach(at(obj, "spec.taints"), i, t)
                if (kl_streq_null(str(t, "key"), "node.kubernetes.io/not-ready"))
                        return false;
        return obj != NULL;
}

Test(node_api, node_lifecycle_sees_a_running_and_a_stopped_agent)
{
        struct env e = { 0 };
        struct kl_agent_node_options o = { .lease_renew = 50 * KL_USEC_PER_MSEC,
                                           .status_period = 50 * KL_USEC_PER_MSEC };
        json_auto_t *dead = NULL;

        env_start(&e, true);
        start_node(&e, &o);
        json_decref(wait_for(&e, get_node, is_ready, NULL));
        /* Past the 2 s grace: still Ready while the agent renews its Lease. */
        for (int i = 0; i < 3; i++) {
                json_auto_t *lease = wait_for(&e, get_lease, exists, NULL);
                kl_autofree char *t = kl_strdup(str(lease, "spec.renewTime"));
                json_auto_t *n = NULL;
                kl_usec_t until = uv_now(&e.t.loop) + 1000;

                while (uv_now(&e.t.loop) < until) {
                        kl_testenv_tick(&e.t);
                }
                json_decref(wait_for(&e, get_lease, renewed_after, t));
                n = get_node(&e);
                cr_expect(is_ready(n, NULL), "round %d", i);
        }
        /* The not-ready taint the agent registered with is taken off once Ready. */
        json_decref(wait_for(&e, get_node, no_not_ready_taint, NULL));

        kl_agent_node_stop(KL_TAKE_PTR(e.node));
        dead = wait_for(&e, get_node, is_unknown, NULL);
        cr_expect_str_eq(str(condition(at(dead, "status"), "Ready"), "reason"),
                         "NodeStatusUnknown");
        env_stop(&e);
}

Test(node_api, stopping_with_requests_in_flight)
{
        struct env e = { 0 };
        struct kl_agent_node_options o = { .status_period = 20 * KL_USEC_PER_MSEC,
                                           .lease_renew = 20 * KL_USEC_PER_MSEC };

        env_start(&e, false);
        start_node(&e, &o);
        /* The timers are due at once: the first create and get are in flight after this. */
        (void)kl_loop_run(&e.t.loop, UV_RUN_NOWAIT);
        kl_agent_node_stop(KL_TAKE_PTR(e.node));
        /* Their callbacks come after the stop (or as -ECANCELED from kl_client_free()). */
        for (int i = 0; i < 10; i++)
                (void)kl_loop_run(&e.t.loop, UV_RUN_NOWAIT);
        env_stop(&e);
}
