/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cluster DNS Service the server creates at start (server.c,
 * bootstrap_kube_dns): kube-system/kube-dns at --cluster-dns as k3s's
 * coredns manifest has it, once, with its address marked in the cluster IP
 * allocator; a --cluster-dns outside --service-cidr refuses to start.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "apiserver/apiserver-internal.h"
#include "apiserver/tests/support/testenv.h"
#include "client/client.h"
#include "loop/loop.h"
#include "testing/testing.h"

static void env_start(struct kl_testenv *e, const char *dir, const char *dns)
{
        const struct kl_apiserver_options so = { .data_dir = dir,
                                                 .cluster_dns = dns,
                                                 .sync = KL_STORE_SYNC_RELAXED };
        const struct kl_testenv_options opts = { .user = "system:admin", .server = &so };

        kl_testenv_start(e, &opts);
}

static const struct kl_api_resource *services(void)
{
        return kl_api_resource_find("", "v1", "services");
}

/* The Service (new), or NULL when absent. */
static json_t *get_service(struct kl_testenv *e, const char *ns, const char *name)
{
        return kl_testenv_get_or_null(e, services(), ns, name);
}

/* Create a ClusterIP Service asking for `ip` ("" for any); the result code. */
static int create_service(struct kl_testenv *e, const char *name, const char *ip, char *msg,
                          size_t size)
{
        struct kl_testenv_call call = { 0 };
        json_t *svc = json_pack("{s{ss}s{sss[{sssi}]}}", "metadata", "name", name, "spec",
                                "clusterIP", ip, "ports", "protocol", "TCP", "port", 80);

        if (!*ip)
                json_object_del(json_object_get(svc, "spec"), "clusterIP");
        kl_client_create(e->client, services(), "default", svc, NULL, kl_testenv_on_write, &call);
        (void)kl_testenv_wait(e, &call);
        if (msg)
                (void)snprintf(msg, size, "%s", call.msg);
        json_decref(call.obj);
        return call.r;
}

static const char *str_at(const json_t *obj, const char *a, const char *b)
{
        return json_string_value(json_object_get(json_object_get(obj, a), b));
}

static const json_t *port_at(const json_t *svc, size_t i)
{
        return json_array_get(json_object_get(json_object_get(svc, "spec"), "ports"), i);
}

static size_t count_named(const json_t *list, const char *ns, const char *name)
{
        size_t i, n = 0;
        json_t *item;

        json_array_foreach(json_object_get(list, "items"), i, item) {
                if (kl_streq_null(str_at(item, "metadata", "namespace"), ns) &&
                    kl_streq_null(str_at(item, "metadata", "name"), name))
                        n++;
        }
        return n;
}

Test(kube_dns, created_at_start_as_k3s_has_it)
{
        struct kl_testenv e = { 0 };
        json_auto_t *svc = NULL;
        const json_t *labels, *spec;
        static const struct {
                const char *name, *protocol;
                json_int_t port;
        } ports[] = { { "dns", "UDP", 53 }, { "dns-tcp", "TCP", 53 }, { "metrics", "TCP", 9153 } };

        env_start(&e, kl_test_tmpdir(), "10.43.0.10");
        svc = get_service(&e, "kube-system", "kube-dns");
        cr_assert(svc, "kube-system/kube-dns exists after the server started");
        spec = json_object_get(svc, "spec");
        cr_expect_str_eq(str_at(svc, "spec", "clusterIP"), "10.43.0.10");
        cr_expect_str_eq(json_string_value(json_array_get(json_object_get(spec, "clusterIPs"), 0)),
                         "10.43.0.10");
        cr_expect_str_eq(str_at(svc, "spec", "type"), "ClusterIP");
        cr_expect_str_eq(str_at(spec, "selector", "k8s-app"), "kube-dns");
        labels = json_object_get(json_object_get(svc, "metadata"), "labels");
        cr_expect_str_eq(json_string_value(json_object_get(labels, "k8s-app")), "kube-dns");
        cr_expect_str_eq(json_string_value(json_object_get(labels, "kubernetes.io/name")),
                         "CoreDNS");
        cr_assert_eq(json_array_size(json_object_get(spec, "ports")), 3);
        for (size_t i = 0; i < KL_ARRAY_SIZE(ports); i++) {
                const json_t *p = port_at(svc, i);

                cr_expect_str_eq(json_string_value(json_object_get(p, "name")), ports[i].name);
                cr_expect_str_eq(json_string_value(json_object_get(p, "protocol")),
                                 ports[i].protocol);
                cr_expect_eq(json_integer_value(json_object_get(p, "port")), ports[i].port);
                cr_expect_eq(json_integer_value(json_object_get(p, "targetPort")), ports[i].port);
        }
        cr_expect_not_null(str_at(svc, "metadata", "uid"));
        cr_expect_not_null(str_at(svc, "metadata", "creationTimestamp"));
        /* The `kubernetes` Service is still there, next to it. */
        {
                json_auto_t *k = get_service(&e, "default", "kubernetes");

                cr_expect_str_eq(str_at(k, "spec", "clusterIP"), "10.43.0.1");
        }
        kl_testenv_stop(&e);
}

Test(kube_dns, second_start_neither_duplicates_nor_fails)
{
        const char *dir = kl_test_tmpdir();
        struct kl_testenv e = { 0 };
        json_auto_t *first = NULL, *again = NULL, *list = NULL;

        env_start(&e, dir, "10.43.0.10");
        first = get_service(&e, "kube-system", "kube-dns");
        cr_assert(first);
        kl_testenv_stop(&e);

        memset(&e, 0, sizeof(e));
        env_start(&e, dir, "10.43.0.10");
        again = get_service(&e, "kube-system", "kube-dns");
        cr_assert(again);
        cr_expect_str_eq(str_at(again, "metadata", "uid"), str_at(first, "metadata", "uid"),
                         "the same object, not a new one");
        cr_expect_str_eq(str_at(again, "metadata", "resourceVersion"),
                         str_at(first, "metadata", "resourceVersion"), "not written again");
        list = kl_testenv_list(&e, services(), NULL, NULL);
        cr_expect_eq(count_named(list, "kube-system", "kube-dns"), 1);
        cr_expect_eq(count_named(list, "default", "kubernetes"), 1);
        kl_testenv_stop(&e);
}

Test(kube_dns, address_is_taken_in_the_allocator)
{
        const char *dir = kl_test_tmpdir();
        struct kl_testenv e = { 0 };
        char msg[256];

        /* An older data directory: the allocator already has a RangeAllocation, no kube-dns. */
        env_start(&e, dir, NULL);
        cr_assert_eq(create_service(&e, "web", "", msg, sizeof(msg)), 0, "%s", msg);
        cr_expect_null(get_service(&e, "kube-system", "kube-dns"), "no --cluster-dns: none");
        kl_testenv_stop(&e);

        memset(&e, 0, sizeof(e));
        env_start(&e, dir, "10.43.0.10");
        cr_expect_eq(create_service(&e, "clash", "10.43.0.10", msg, sizeof(msg)), -KL_EINVALID);
        cr_expect(strstr(msg, "failed to allocate IP 10.43.0.10: provided IP is already allocated"),
                  "%s", msg);
        cr_expect_eq(create_service(&e, "kube-api-clash", "10.43.0.1", msg, sizeof(msg)),
                     -KL_EINVALID);
        cr_expect_eq(create_service(&e, "fine", "10.43.0.11", msg, sizeof(msg)), 0, "%s", msg);
        kl_testenv_stop(&e);
}

Test(kube_dns, an_address_held_by_a_user_service_is_left_to_it)
{
        const char *dir = kl_test_tmpdir();
        struct kl_testenv e = { 0 };
        json_auto_t *mine = NULL;
        char msg[256];

        env_start(&e, dir, NULL);
        cr_assert_eq(create_service(&e, "mine", "10.43.0.10", msg, sizeof(msg)), 0, "%s", msg);
        kl_testenv_stop(&e);

        memset(&e, 0, sizeof(e));
        env_start(&e, dir, "10.43.0.10");
        cr_expect_null(get_service(&e, "kube-system", "kube-dns"));
        mine = get_service(&e, "default", "mine");
        cr_expect_str_eq(str_at(mine, "spec", "clusterIP"), "10.43.0.10");
        kl_testenv_stop(&e);
}

Test(kube_dns, outside_the_service_cidr_refuses_to_start)
{
        struct kl_apiserver_options opts = { .data_dir = kl_test_tmpdir(),
                                             .bind_address = "127.0.0.1",
                                             .cluster_dns = "10.96.0.10",
                                             .sync = KL_STORE_SYNC_RELAXED };
        struct kl_apiserver *s = NULL;
        kl_autoerr struct kl_err *err = NULL;
        uv_loop_t loop;

        cr_assert_eq(kl_loop_init(&loop), 0);
        cr_expect_eq(kl_apiserver_new(&loop, &opts, &s, &err), -EINVAL);
        cr_expect(err && strstr(kl_err_msg(err), "cluster DNS '10.96.0.10': not an address of the "
                                                 "service CIDR '10.43.0.0/16'"),
                  "%s", err ? kl_err_msg(err) : "(none)");
        (void)kl_loop_run(&loop, UV_RUN_DEFAULT);
        (void)kl_loop_finish(&loop);
}
