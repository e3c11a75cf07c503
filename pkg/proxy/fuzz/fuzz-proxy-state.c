/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The proxy's reading of API objects, end to end: any JSON document
 * {"services": [...], "slices": [...], "pods": [...]} (or anything else) goes
 * through kl_proxy_state_build(), kl_proxy_render() and kl_nft_print(). It
 * must not crash or leak, every name must fit nf_tables (the builder asserts
 * it), and the same input must render the same bytes twice.
 */
#include <string.h>

#include "base/base.h"
#include "nft/nft.h"
#include "proxy/proxy.h"
#include "testing/fuzz.h"
#include "json/json.h"

#define FUZZ_MAX ((size_t)1 << 16)

static const json_t **items(const json_t *doc, const char *key, size_t *ret_n)
{
        const json_t *a = json_object_get(doc, key), *v;
        const json_t **out = kl_calloc(json_array_size(a) + 1, sizeof(*out));
        size_t i;

        json_array_foreach(a, i, v)
                out[i] = v;
        *ret_n = json_array_size(a);
        return out;
}

static char *render(const struct kl_proxy_net *net, const json_t *doc)
{
        size_t ns, nl, np;
        kl_autofree const json_t **svcs = items(doc, "services", &ns);
        kl_autofree const json_t **slices = items(doc, "slices", &nl);
        kl_autofree const json_t **pods = items(doc, "pods", &np);
        struct kl_proxy_state *st = NULL;
        struct kl_nft_table *t;
        struct kl_buf out = KL_BUF_INIT;

        kl_assert(kl_proxy_state_build(net, svcs, ns, slices, nl, pods, np, &st, NULL) == 0);
        t = kl_proxy_render(st);
        kl_nft_print(t, &out);
        kl_nft_table_free(t);
        kl_proxy_state_free(st);
        return kl_buf_detach(&out, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const struct kl_proxy_net net = { .node_name = "n1",
                                                 .cluster_cidr = "10.42.0.0/16",
                                                 .cluster_dns = "10.43.0.10",
                                                 .dns_address = "10.42.1.1" };
        json_auto_t *doc = NULL;
        kl_autofree char *a = NULL, *b = NULL;

        if (size > FUZZ_MAX)
                return 0;
        if (kl_json_decode((const char *)data, size, FUZZ_MAX, &doc, NULL) < 0)
                return 0;
        a = render(&net, doc);
        b = render(&net, doc);
        kl_assert(strcmp(a, b) == 0);
        return 0;
}
