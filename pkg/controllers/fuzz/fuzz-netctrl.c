/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Node IPAM and ServiceLB (nodeipam.c, servicelb.c) on objects of any
 * shape. The input is JSON {"cidr": cluster CIDR, "svc": Service, "nodes":
 * [...]}; members may be missing or of the wrong type: pod CIDRs, addresses
 * and conditions are text a node's owner writes.
 *
 * Checked: the node IPAM reconcile succeeds or refuses the cluster CIDR
 * with -EINVAL and a message; no range is given twice, none is outside the
 * cluster CIDR; every action is well formed; the borrowed inputs are left
 * untouched.
 */
#include <arpa/inet.h>
#include <string.h>

#include "controllers/ctrl-internal.h"
#include "testing/fuzz.h"
#include "json/json.h"

#define FUZZ_MAX_INPUT ((size_t)64 << 10)
#define FUZZ_MAX_ITEMS 64

static size_t objects(const json_t *a, const json_t **v)
{
        size_t n = 0, i;
        json_t *x;

        json_array_foreach(a, i, x)
                if (json_is_object(x) && n < FUZZ_MAX_ITEMS)
                        v[n++] = x;
        return n;
}

static void check_ipam(const char *cidr, const struct kl_ctrl_actions *a)
{
        uint32_t base = 0, got = 0;
        unsigned prefix = 0, got_prefix = 0;

        kl_assert(kl_controllers__nodeipam_parse(cidr, &base, &prefix) == 0);
        for (size_t i = 0; i < a->n; i++) {
                const json_t *spec = json_object_get(a->v[i].obj, "spec");
                const char *one;

                if (a->v[i].op == KL_CTRL_EVENT) {
                        kl_assert(a->v[i].reason && a->v[i].message);
                        continue;
                }
                kl_assert(a->v[i].op == KL_CTRL_PATCH && a->v[i].name && !a->v[i].ns);
                one = json_string_value(json_object_get(spec, "podCIDR"));
                kl_assert(one && kl_controllers__nodeipam_parse(one, &got, &got_prefix) == 0);
                kl_assert(got_prefix == KL_CTRL_NODEIPAM_NODE_PREFIX);
                kl_assert(((got ^ base) >> (32 - prefix)) == 0);
                for (size_t j = 0; j < i; j++) {
                        const json_t *other = json_object_get(a->v[j].obj, "spec");

                        kl_assert(
                                a->v[j].op != KL_CTRL_PATCH ||
                                !kl_streq_null(json_string_value(json_object_get(other, "podCIDR")),
                                               one));
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_auto_t *in = NULL, *copy = NULL;
        const json_t *nodes[FUZZ_MAX_ITEMS];
        size_t n_nodes;
        const char *cidr;
        const json_t *svc;

        if (size > FUZZ_MAX_INPUT ||
            kl_json_decode((const char *)data, size, FUZZ_MAX_INPUT, &in, NULL) < 0)
                return 0;
        copy = json_deep_copy(in);
        n_nodes = objects(json_object_get(in, "nodes"), nodes);
        cidr = json_string_value(json_object_get(in, "cidr"));
        svc = json_object_get(in, "svc");

        if (cidr) {
                kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions out = { 0 };
                kl_autoerr struct kl_err *e = NULL;
                int r = kl_controllers__nodeipam_reconcile(cidr, nodes, n_nodes, &out, &e);

                if (r < 0)
                        kl_assert(r == -EINVAL && e && out.n == 0);
                else
                        check_ipam(cidr, &out);
        }
        if (json_is_object(svc)) {
                kl_cleanup(kl_ctrl_actions_clearp) struct kl_ctrl_actions out = { 0 };

                kl_controllers__servicelb_reconcile(svc, nodes, n_nodes, &out);
                kl_assert(out.n <= 1);
                for (size_t i = 0; i < out.n; i++)
                        kl_assert(out.v[i].op == KL_CTRL_PATCH && out.v[i].sub &&
                                  json_is_object(out.v[i].obj));
        }
        kl_assert(json_equal(in, copy));
        return 0;
}
