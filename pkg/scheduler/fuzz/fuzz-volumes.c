/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VolumeBinding plugin (volumes.c) over whatever the API may hold:
 * {"pod": Pod, "pvc": {name: Claim}, "pv": {name: Volume}, "sc": {name:
 * StorageClass}}. The PreFilter must answer 0 (and then every node of a
 * fixed pair is filtered, a refusal naming the volume conflict), 1 with a
 * message and nothing kept, or an error with a message.
 */
#include <string.h>

#include "base/base.h"
#include "scheduler/sched-internal.h"
#include "testing/fuzz.h"
#include "json/json.h"

static const char *const fixed_nodes[] = {
        "{\"metadata\":{\"name\":\"a\",\"labels\":{\"kubernetes.io/hostname\":\"a\"}},"
        "\"status\":{\"allocatable\":{\"cpu\":\"4\",\"pods\":\"110\"}}}",
        "{\"metadata\":{\"name\":\"b\",\"labels\":{\"zone\":\"7\"}},"
        "\"status\":{\"allocatable\":{\"cpu\":\"4\",\"pods\":\"110\"}}}",
};

static const json_t *get(void *arg, enum kl_scheduler_vol_kind kind, const char *ns,
                         const char *name)
{
        static const char *const kinds[] = { "pvc", "pv", "sc" };
        const json_t *map = json_object_get(arg, kinds[kind]);

        (void)ns;
        return json_is_object(map) && name ? json_object_get(map, name) : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_auto_t *doc = NULL;
        struct kl_scheduler_vol_lookup lk = { .get = get };
        struct kl_scheduler_vols v;
        struct kl_err *err = NULL;
        char *msg = NULL;
        const json_t *pod;
        int r;

        if (kl_json_decode((const char *)data, size, (size_t)64 << 10, &doc, NULL) < 0)
                return 0;
        pod = json_object_get(doc, "pod");
        if (!json_is_object(pod))
                return 0;
        lk.arg = doc;
        r = kl_scheduler__vols_prefilter(pod, &lk, &v, &msg, &err);
        if (r < 0) {
                kl_assert(err && *kl_err_msg(err) && !msg);
                kl_err_free(err);
                return 0;
        }
        kl_assert(!err);
        if (r > 0) {
                kl_assert(msg && *msg && v.n_affinity == 0 && !v.select);
                free(msg);
                return 0;
        }
        kl_assert(!msg);
        for (size_t i = 0; i < KL_ARRAY_SIZE(fixed_nodes); i++) {
                json_auto_t *nj = json_loads(fixed_nodes[i], 0, NULL);
                struct kl_scheduler_node *n = NULL;
                struct kl_scheduler_status st = { 0 };

                kl_assert(kl_scheduler__node_parse(nj, &n, NULL) == 0);
                if (!kl_scheduler__filter_volumes(&v, n, &st))
                        kl_assert(st.reasons == 1U << KL_SCHEDULER_R_VOLUME_AFFINITY &&
                                  st.unresolvable);
                kl_scheduler__node_free(n);
        }
        kl_scheduler__vols_release(&v);
        return 0;
}
