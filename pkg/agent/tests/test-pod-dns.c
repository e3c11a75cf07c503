/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pod-dns.c against upstream's kubelet (pkg/kubelet/network/dns): the
 * servers, searches and options of each dnsPolicy, dnsConfig appended and
 * merged, the limits, and the node's resolver file as upstream parses it.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "agent/pod-internal.h"

static const char host_resolv[] = "# the node's\n"
                                  "nameserver 192.168.77.2\n"
                                  "search old.example\n"
                                  "search corp.example. lab.example\n"
                                  "options timeout:2 attempts:3\n"
                                  "nameserver 192.168.77.3\n";

struct dns_case {
        const char *name;
        const char *pod; /* JSON */
        const char *cluster_dns;
        const char *want;
        bool missing;
};

static const struct dns_case cases[] = {
        { "ClusterFirst",
          "{\"metadata\":{\"namespace\":\"web\"},\"spec\":{\"dnsPolicy\":\"ClusterFirst\"}}",
          "10.43.0.10",
          "search web.svc.cluster.local svc.cluster.local cluster.local corp.example "
          "lab.example\nnameserver 10.43.0.10\noptions ndots:5\n",
          false },
        { "empty policy is ClusterFirst", "{\"metadata\":{\"namespace\":\"a\"},\"spec\":{}}",
          "10.43.0.10",
          "search a.svc.cluster.local svc.cluster.local cluster.local corp.example "
          "lab.example\nnameserver 10.43.0.10\noptions ndots:5\n",
          false },
        { "ClusterFirst on the host network is Default",
          "{\"metadata\":{\"namespace\":\"a\"},\"spec\":{\"hostNetwork\":true}}", "10.43.0.10",
          "search corp.example lab.example\nnameserver 192.168.77.2\nnameserver "
          "192.168.77.3\noptions timeout:2 attempts:3\n",
          false },
        { "ClusterFirstWithHostNet",
          "{\"metadata\":{\"namespace\":\"a\"},\"spec\":{\"hostNetwork\":true,"
          "\"dnsPolicy\":\"ClusterFirstWithHostNet\"}}",
          "10.43.0.10",
          "search a.svc.cluster.local svc.cluster.local cluster.local corp.example "
          "lab.example\nnameserver 10.43.0.10\noptions ndots:5\n",
          false },
        { "Default", "{\"metadata\":{\"namespace\":\"a\"},\"spec\":{\"dnsPolicy\":\"Default\"}}",
          "10.43.0.10",
          "search corp.example lab.example\nnameserver 192.168.77.2\nnameserver "
          "192.168.77.3\noptions timeout:2 attempts:3\n",
          false },
        { "ClusterFirst without a cluster DNS falls back",
          "{\"metadata\":{\"namespace\":\"a\"},\"spec\":{}}", NULL,
          "search corp.example lab.example\nnameserver 192.168.77.2\nnameserver "
          "192.168.77.3\noptions timeout:2 attempts:3\n",
          true },
        { "None with dnsConfig",
          "{\"metadata\":{\"namespace\":\"a\"},\"spec\":{\"dnsPolicy\":\"None\",\"dnsConfig\":{"
          "\"nameservers\":[\"1.2.3.4\"],\"searches\":[\"ns1.svc.cluster-domain.example\","
          "\"my.dns.search.suffix\"],\"options\":[{\"name\":\"ndots\",\"value\":\"2\"},"
          "{\"name\":\"edns0\"}]}}}",
          "10.43.0.10",
          "search ns1.svc.cluster-domain.example my.dns.search.suffix\nnameserver "
          "1.2.3.4\noptions ndots:2 edns0\n",
          false },
        { "None without dnsConfig is empty",
          "{\"metadata\":{\"namespace\":\"a\"},\"spec\":{\"dnsPolicy\":\"None\"}}", "10.43.0.10",
          "", false },
        { "dnsConfig appended and merged",
          "{\"metadata\":{\"namespace\":\"a\"},\"spec\":{\"dnsConfig\":{"
          "\"nameservers\":[\"10.43.0.10\",\"8.8.8.8\"],\"searches\":[\"cluster.local\","
          "\"extra.example\"],\"options\":[{\"name\":\"ndots\",\"value\":\"1\"},"
          "{\"name\":\"single-request\"},{\"name\":\"\"}]}}}",
          "10.43.0.10",
          "search a.svc.cluster.local svc.cluster.local cluster.local corp.example "
          "lab.example extra.example\nnameserver 10.43.0.10\nnameserver 8.8.8.8\noptions "
          "ndots:1 single-request\n",
          false },
        { "at most three nameservers",
          "{\"metadata\":{\"namespace\":\"a\"},\"spec\":{\"dnsPolicy\":\"Default\",\"dnsConfig\":{"
          "\"nameservers\":[\"1.1.1.1\",\"2.2.2.2\"]}}}",
          NULL,
          "search corp.example lab.example\nnameserver 192.168.77.2\nnameserver "
          "192.168.77.3\nnameserver 1.1.1.1\noptions timeout:2 attempts:3\n",
          false },
};

Test(pod_dns, policies)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                const struct dns_case *c = &cases[i];
                struct kl_agent__dns_opts o = { .cluster_dns = c->cluster_dns,
                                                .cluster_domain = "cluster.local" };
                json_t *pod = json_loads(c->pod, 0, NULL);
                bool missing = false;
                char *got;

                cr_assert(pod, "%s: bad JSON", c->name);
                got = kl_agent__pod_resolv_conf(pod, host_resolv, &o, &missing);
                cr_expect_str_eq(got, c->want, "%s:\n%s", c->name, got);
                cr_expect_eq(missing, c->missing, "%s", c->name);
                free(got);
                json_decref(pod);
        }
}

/* MaxDNSSearchPaths (32) and MaxDNSSearchListChars (2048): the first that fit stay. */
Test(pod_dns, search_limits)
{
        struct kl_agent__dns_opts o = { .cluster_dns = "10.43.0.10",
                                        .cluster_domain = "cluster.local" };
        json_t *pod = json_loads("{\"metadata\":{\"namespace\":\"a\"},\"spec\":{\"dnsConfig\":{"
                                 "\"searches\":[]}}}",
                                 0, NULL);
        json_t *searches = json_object_get(
                json_object_get(json_object_get(pod, "spec"), "dnsConfig"), "searches");
        bool missing;
        char *got;
        size_t words = 0;

        for (int i = 0; i < 40; i++) {
                char name[32];

                (void)snprintf(name, sizeof(name), "d%02d.example", i);
                json_array_append_new(searches, json_string(name));
        }
        got = kl_agent__pod_resolv_conf(pod, NULL, &o, &missing);
        for (const char *p = got; *p && *p != '\n'; p++)
                words += *p == ' ';
        cr_expect_eq(words, 32, "%s", got);
        cr_expect(strstr(got, "d28.example\n"), "%s", got);
        cr_expect_not(strstr(got, "d29.example"), "%s", got);
        free(got);

        /* 2048 characters: long names stop sooner. */
        json_array_clear(searches);
        for (int i = 0; i < 20; i++) {
                char name[260];

                memset(name, 'a' + i, 200);
                (void)snprintf(name + 200, sizeof(name) - 200, ".example");
                json_array_append_new(searches, json_string(name));
        }
        got = kl_agent__pod_resolv_conf(pod, NULL, &o, &missing);
        cr_expect_leq(strchr(got, '\n') - got, (ptrdiff_t)(strlen("search ") + 2048), "%s", got);
        cr_expect(strstr(got, "iiii"), "%s", got);
        cr_expect_not(strstr(got, "jjjj"), "%s", got);
        free(got);
        json_decref(pod);
}
