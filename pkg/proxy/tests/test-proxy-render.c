/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pure half of the proxy: API objects -> state (what upstream's
 * kube-proxy would program for them) and state -> nf_tables, compared with
 * golden files (STYLE R7.9, R13.5). Each case is tests/data/NAME.json
 * ({"net": overrides, "services", "slices", "pods"}) and NAME.nft, the table
 * as `nft list table ip kube-lite-proxy` prints it. KL_TEST_UPDATE_GOLDEN=1
 * rewrites the .nft files.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "nft/nft.h"
#include "proxy/proxy-internal.h"
#include "testing/testing.h"
#include "json/json.h"

struct input {
        json_t *doc; /* ref */
        const json_t **svcs, **slices, **pods;
        size_t n_svcs, n_slices, n_pods;
        struct kl_proxy_net net;
};

static void objs(const json_t *doc, const char *key, const json_t ***ret, size_t *ret_n)
{
        const json_t *a = json_object_get(doc, key), *v;
        size_t i;

        *ret = kl_calloc(json_array_size(a) + 1, sizeof(**ret));
        json_array_foreach(a, i, v)
                (*ret)[i] = v;
        *ret_n = json_array_size(a);
}

static void input_load(struct input *in, const char *name)
{
        kl_autofree char *file = kl_asprintf("%s.json", name);
        kl_autofree char *path = kl_test_data_path("proxy", file);
        kl_autofree char *text = kl_test_read_file(path);
        kl_autoerr struct kl_err *err = NULL;
        const json_t *net;

        cr_assert_eq(kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &in->doc, &err), 0,
                     "%s: %s", path, kl_err_msg(err));
        objs(in->doc, "services", &in->svcs, &in->n_svcs);
        objs(in->doc, "slices", &in->slices, &in->n_slices);
        objs(in->doc, "pods", &in->pods, &in->n_pods);
        net = json_object_get(in->doc, "net");
        in->net = (struct kl_proxy_net){
                .node_name = "n1",
                .cluster_cidr = "10.42.0.0/16",
                .cluster_dns = json_string_value(json_object_get(net, "cluster_dns")),
                .dns_address = json_string_value(json_object_get(net, "dns_address")),
                .dns_port = (uint16_t)json_integer_value(json_object_get(net, "dns_port")),
        };
}

static void input_release(struct input *in)
{
        free(in->svcs);
        free(in->slices);
        free(in->pods);
        json_decref(in->doc);
}

static struct kl_proxy_state *build(const struct input *in)
{
        struct kl_proxy_state *st = NULL;
        kl_autoerr struct kl_err *err = NULL;

        cr_assert_eq(kl_proxy_state_build(&in->net, in->svcs, in->n_svcs, in->slices, in->n_slices,
                                          in->pods, in->n_pods, &st, &err),
                     0, "%s", kl_err_msg(err));
        return st;
}

static char *render_text(const struct kl_proxy_state *st)
{
        struct kl_nft_table *t = kl_proxy_render(st);
        struct kl_buf out = KL_BUF_INIT;

        kl_nft_print(t, &out);
        kl_nft_table_free(t);
        return kl_buf_detach(&out, NULL);
}

static uint32_t ip4(const char *s)
{
        uint32_t ip = 0;

        cr_assert_eq(kl_proxy__parse_ip4(s, &ip), 0, "%s", s);
        return ip;
}

/* ------------------------------------------------------------------------- */
/* Golden files */

static const char *const cases[] = {
        "clusterip",    "nodeport",     "affinity", "no-endpoints", "terminating",
        "local-policy", "loadbalancer", "nothing",  "hostport",     "dns",
};

Test(proxy_render, golden)
{
        const char *update = getenv("KL_TEST_UPDATE_GOLDEN");

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct input in = { 0 };
                struct kl_proxy_state *st;
                kl_autofree char *got = NULL, *file = NULL, *path = NULL, *want = NULL;

                input_load(&in, cases[i]);
                st = build(&in);
                got = render_text(st);
                file = kl_asprintf("%s.nft", cases[i]);
                path = kl_test_data_path("proxy", file);
                if (update && *update) {
                        FILE *f = fopen(path, "we");

                        cr_assert(f, "%s", path);
                        cr_assert_eq(fputs(got, f) >= 0 && fclose(f) == 0, true);
                } else {
                        want = kl_test_read_file(path);
                        cr_expect_str_eq(got, want,
                                         "%s differs (KL_TEST_UPDATE_GOLDEN=1 rewrites it):\n%s",
                                         path, got);
                }
                kl_proxy_state_free(st);
                input_release(&in);
        }
}

/* The same objects in another order render the same bytes. */
Test(proxy_render, deterministic)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct input in = { 0 };
                struct kl_proxy_state *a, *b;
                kl_autofree char *ta = NULL, *tb = NULL;

                input_load(&in, cases[i]);
                a = build(&in);
                for (size_t j = 0; j < in.n_svcs / 2; j++) {
                        const json_t *x = in.svcs[j];

                        in.svcs[j] = in.svcs[in.n_svcs - 1 - j];
                        in.svcs[in.n_svcs - 1 - j] = x;
                }
                for (size_t j = 0; j < in.n_slices / 2; j++) {
                        const json_t *x = in.slices[j];

                        in.slices[j] = in.slices[in.n_slices - 1 - j];
                        in.slices[in.n_slices - 1 - j] = x;
                }
                b = build(&in);
                ta = render_text(a);
                tb = render_text(b);
                cr_expect_str_eq(ta, tb, "%s", cases[i]);
                kl_proxy_state_free(a);
                kl_proxy_state_free(b);
                input_release(&in);
        }
}

/* ------------------------------------------------------------------------- */
/* The state, as upstream's EndpointSliceCache and ServiceChangeTracker see it */

Test(proxy_state, named_target_port_per_endpoint)
{
        struct input in = { 0 };
        struct kl_proxy_state *st;
        const struct kl_proxy__service *s;

        input_load(&in, "clusterip");
        st = build(&in);
        cr_assert_eq(st->n_svcs, 1);
        s = &st->svcs[0];
        cr_expect_str_eq(s->ns, "default");
        cr_expect_str_eq(s->name, "web");
        cr_expect_eq(s->cluster_ip, ip4("10.43.0.20"));
        cr_assert_eq(s->n_ports, 2);
        /* Sorted by name; endpoints by IP, the target port from each one's slice. */
        cr_expect_str_eq(s->ports[0].name, "http");
        cr_assert_eq(s->ports[0].n_eps, 3);
        cr_expect_eq(s->ports[0].eps[0].ip, ip4("10.42.1.11"));
        cr_expect_eq(s->ports[0].eps[0].port, 8080);
        cr_expect_eq(s->ports[0].eps[1].ip, ip4("10.42.1.12"));
        cr_expect_eq(s->ports[0].eps[1].port, 8080);
        cr_expect(s->ports[0].eps[1].local);
        cr_expect_not(s->ports[0].eps[0].local);
        cr_expect_eq(s->ports[0].eps[2].ip, ip4("10.42.2.5"));
        cr_expect_eq(s->ports[0].eps[2].port, 8081);
        cr_expect_str_eq(s->ports[1].name, "metrics");
        cr_expect_eq(s->ports[1].n_eps, 3);
        cr_expect_eq(s->ports[1].eps[2].port, 9090);
        kl_proxy_state_free(st);
        input_release(&in);
}

static struct kl_proxy_state *build_text(const char *svcs, const char *slices, const char *pods)
{
        struct input in = { 0 };
        kl_autofree char *text =
                kl_asprintf("{\"services\":%s,\"slices\":%s,\"pods\":%s}", svcs, slices, pods);
        kl_autoerr struct kl_err *err = NULL;
        struct kl_proxy_state *st;

        cr_assert_eq(kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &in.doc, &err), 0,
                     "%s", kl_err_msg(err));
        objs(in.doc, "services", &in.svcs, &in.n_svcs);
        objs(in.doc, "slices", &in.slices, &in.n_slices);
        objs(in.doc, "pods", &in.pods, &in.n_pods);
        in.net = (struct kl_proxy_net){ .node_name = "n1", .cluster_cidr = "10.42.0.0/16" };
        st = build(&in);
        input_release(&in);
        return st;
}

#define SVC(name, spec) \
        "{\"metadata\":{\"namespace\":\"default\",\"name\":\"" name "\"},\"spec\":" spec "}"
#define SLICE(svc, body)                                           \
        "{\"metadata\":{\"namespace\":\"default\",\"name\":\"" svc \
        "-x\",\"labels\":{\"kubernetes.io/service-name\":\"" svc   \
        "\"}},\"addressType\":\"IPv4\"," body "}"

Test(proxy_state, conditions_default_as_upstream)
{
        /* ready absent: ready (and so serving); serving absent: as ready; terminating: false. */
        struct kl_proxy_state *st = build_text(
                "[" SVC("a", "{\"clusterIP\":\"10.43.0.5\",\"ports\":[{\"port\":80}]}") "]",
                "[" SLICE("a",
                          "\"ports\":[{\"port\":8080}],\"endpoints\":["
                          "{\"addresses\":[\"10.42.0.1\"]},"
                          "{\"addresses\":[\"10.42.0.2\"],\"conditions\":{\"ready\":false}},"
                          "{\"addresses\":[\"10.42.0.3\"],\"conditions\":{\"ready\":false,"
                          "\"serving\":true,\"terminating\":true}},"
                          "{\"addresses\":[\"10.42.0.4\",\"10.42.0.9\"],\"nodeName\":\"n1\"}]") "]",
                "[]");
        const struct kl_proxy__port *p;

        cr_assert_eq(st->n_svcs, 1);
        p = &st->svcs[0].ports[0];
        cr_expect_str_eq(p->name, "");
        cr_assert_eq(p->n_eps, 4);
        cr_expect(p->eps[0].ready && p->eps[0].serving && !p->eps[0].terminating);
        cr_expect(!p->eps[1].ready && !p->eps[1].serving && !p->eps[1].terminating);
        cr_expect(!p->eps[2].ready && p->eps[2].serving && p->eps[2].terminating);
        /* Only addresses[0]; nodeName decides local. */
        cr_expect_eq(p->eps[3].ip, ip4("10.42.0.4"));
        cr_expect(p->eps[3].local && !p->eps[0].local);
        kl_proxy_state_free(st);
}

Test(proxy_state, slices_match_by_name_protocol_namespace)
{
        struct kl_proxy_state *st = build_text(
                "[" SVC("a", "{\"clusterIP\":\"10.43.0.5\",\"ports\":["
                             "{\"name\":\"dns\",\"port\":53,\"protocol\":\"UDP\"},"
                             "{\"name\":\"dns-tcp\",\"port\":53,\"protocol\":\"TCP\"}]}") "]",
                "[" SLICE(
                        "a",
                        "\"ports\":[{\"name\":\"dns\",\"port\":5353,\"protocol\":\"UDP\"},"
                        "{\"name\":\"dns-tcp\",\"port\":5354},"
                        "{\"name\":\"dns\",\"port\":9999,\"protocol\":\"TCP\"}],"
                        "\"endpoints\":[{\"addresses\":[\"10.42.0.1\"]}]") ","
                                                                           /* Another namespace,
                                                                              another addressType,
                                                                              no label: not a's. */
                                                                           "{\"metadata\":{\"namespace\":\"other\",\"name\":\"a-y\",\"labels\":"
                                                                           "{\"kubernetes.io/service-name\":\"a\"}},\"addressType\":\"IPv4\","
                                                                           "\"ports\":[{\"name\":\"dns\",\"port\":1,\"protocol\":\"UDP\"}],"
                                                                           "\"endpoints\":[{\"addresses\":[\"10.42.0.7\"]}]},"
                                                                           "{\"metadata\":{\"namespace\":\"default\",\"name\":\"a-z\",\"labels\":"
                                                                           "{\"kubernetes.io/service-name\":\"a\"}},\"addressType\":\"FQDN\","
                                                                           "\"ports\":[{\"name\":\"dns\",\"port\":2,\"protocol\":\"UDP\"}],"
                                                                           "\"endpoints\":[{\"addresses\":[\"10.42.0.8\"]}]}]",
                "[]");
        const struct kl_proxy__service *s;

        cr_assert_eq(st->n_svcs, 1);
        s = &st->svcs[0];
        cr_assert_eq(s->n_ports, 2);
        cr_expect_str_eq(s->ports[0].name, "dns");
        cr_expect_eq(s->ports[0].proto, IPPROTO_UDP);
        cr_assert_eq(s->ports[0].n_eps, 1);
        cr_expect_eq(s->ports[0].eps[0].port, 5353);
        cr_expect_str_eq(s->ports[1].name, "dns-tcp");
        cr_assert_eq(s->ports[1].n_eps, 1);
        cr_expect_eq(s->ports[1].eps[0].port, 5354);
        kl_proxy_state_free(st);
}

Test(proxy_state, what_renders_nothing)
{
        static const char *const svcs[] = {
                SVC("ext", "{\"type\":\"ExternalName\",\"externalName\":\"a.example\"}"),
                SVC("headless", "{\"clusterIP\":\"None\",\"ports\":[{\"port\":80}]}"),
                SVC("unallocated", "{\"ports\":[{\"port\":80}]}"),
                SVC("v6", "{\"clusterIP\":\"fd00::1\",\"ports\":[{\"port\":80}]}"),
                SVC("noports", "{\"clusterIP\":\"10.43.0.9\"}"),
                SVC("badproto", "{\"clusterIP\":\"10.43.0.9\",\"ports\":[{\"port\":80,"
                                "\"protocol\":\"ICMP\"}]}"),
                SVC("badport", "{\"clusterIP\":\"10.43.0.9\",\"ports\":[{\"port\":70000}]}"),
                SVC("Bad_Name", "{\"clusterIP\":\"10.43.0.9\",\"ports\":[{\"port\":80}]}"),
                "{\"metadata\":{\"name\":\"nons\"},\"spec\":{\"clusterIP\":\"10.43.0.9\","
                "\"ports\":[{\"port\":80}]}}",
                "[]",
                "42",
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(svcs); i++) {
                kl_autofree char *arr = kl_asprintf("[%s]", svcs[i]);
                struct kl_proxy_state *st = build_text(arr, "[]", "[]");

                cr_expect_eq(st->n_svcs, 0, "%s", svcs[i]);
                kl_proxy_state_free(st);
        }
}

Test(proxy_state, ports_unique_by_name_and_node_ports_by_type)
{
        struct kl_proxy_state *st = build_text(
                "[" SVC("a",
                        "{\"clusterIP\":\"10.43.0.5\",\"ports\":["
                        "{\"name\":\"x\",\"port\":80,\"nodePort\":30001},"
                        "{\"name\":\"x\",\"port\":81},"
                        "{\"name\":\"a\",\"port\":82,\"nodePort\":30002}]}") "," SVC("b",
                                                                                     "{\"type\":\"NodePort\",\"clusterIP\":\"10.43.0.6\","
                                                                                     "\"externalTrafficPolicy\":\"Local\",\"ports\":["
                                                                                     "{\"port\":80,\"nodePort\":30003}]}") "]",
                "[]", "[]");

        cr_assert_eq(st->n_svcs, 2);
        cr_assert_eq(st->svcs[0].n_ports, 2);
        cr_expect_str_eq(st->svcs[0].ports[0].name, "a");
        cr_expect_str_eq(st->svcs[0].ports[1].name, "x");
        cr_expect_eq(st->svcs[0].ports[1].port, 80);
        /* A ClusterIP Service has no node ports and no external policy. */
        cr_expect_eq(st->svcs[0].ports[0].node_port, 0);
        cr_expect_eq(st->svcs[1].ports[0].node_port, 30003);
        cr_expect(st->svcs[1].etp_local);
        kl_proxy_state_free(st);
}

Test(proxy_state, bad_net)
{
        static const struct kl_proxy_net nets[] = {
                { .cluster_cidr = NULL },
                { .cluster_cidr = "10.42.0.0" },
                { .cluster_cidr = "10.42.0.0/33" },
                { .cluster_cidr = "fd00::/64" },
                { .cluster_cidr = "10.42.0.0/16", .cluster_dns = "x" },
                { .cluster_cidr = "10.42.0.0/16", .cluster_dns = "10.43.0.10" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(nets); i++) {
                struct kl_proxy_state *st = NULL;
                kl_autoerr struct kl_err *err = NULL;

                cr_expect_eq(kl_proxy_state_build(&nets[i], NULL, 0, NULL, 0, NULL, 0, &st, &err),
                             -EINVAL, "case %zu", i);
                cr_expect_null(st);
        }
}

Test(proxy_state, cidr)
{
        uint32_t net;
        unsigned prefix;

        cr_assert_eq(kl_proxy__parse_cidr("10.42.3.4/16", &net, &prefix), 0);
        cr_expect_eq(net, ip4("10.42.0.0"));
        cr_expect_eq(prefix, 16);
        cr_assert_eq(kl_proxy__parse_cidr("0.0.0.0/0", &net, &prefix), 0);
        cr_expect_eq(net, 0);
        cr_expect_eq(kl_proxy__parse_cidr("10.42.0.0/", &net, &prefix), -EINVAL);
        cr_expect_eq(kl_proxy__parse_cidr("10.42.0.0/-1", &net, &prefix), -EINVAL);
}

/* A pod name of 253 characters makes a hostPort chain name too long for nf_tables: cut, hashed. */
Test(proxy_render, long_names_are_cut_with_a_hash)
{
        char pod[254];
        kl_autofree char *pods = NULL, *text = NULL;
        struct kl_proxy_state *st;
        const char *hp, *end;

        memset(pod, 'p', 253);
        pod[253] = '\0';
        pods = kl_asprintf("[{\"metadata\":{\"namespace\":\"default\",\"name\":\"%s\"},"
                           "\"spec\":{\"nodeName\":\"n1\",\"containers\":[{\"ports\":["
                           "{\"containerPort\":80,\"hostPort\":8080}]}]},"
                           "\"status\":{\"podIP\":\"10.42.1.9\"}}]",
                           pod);
        st = build_text("[]", "[]", pods);
        cr_assert_eq(st->n_hostports, 1);
        text = render_text(st);
        hp = strstr(text, "chain hp-");
        cr_assert(hp, "%s", text);
        hp += strlen("chain ");
        end = strchr(hp, ' ');
        cr_assert(end);
        cr_expect_eq(end - hp, 255, "%.*s", (int)(end - hp), hp);
        cr_expect_eq(hp[255 - 9], '-');
        cr_expect_eq(strspn(hp + 255 - 8, "0123456789abcdef"), 8);
        kl_proxy_state_free(st);
}
