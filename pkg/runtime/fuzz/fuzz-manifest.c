/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Manifests and indexes from registries: decode, check every descriptor,
 * select a platform. The first byte picks the Content-Type it came with.
 */
#include <string.h>

#include "base/base.h"
#include "runtime/rt.h"
#include "testing/fuzz.h"

static const char *const types[] = {
        NULL,
        KL_RT_MT_OCI_INDEX,
        KL_RT_MT_DOCKER_LIST,
        KL_RT_MT_OCI_MANIFEST,
        KL_RT_MT_DOCKER_MANIFEST,
        "application/json",
        "text/plain",
        "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_rt_manifest m;
        int r;

        if (size < 1 || size > KL_RT_MANIFEST_MAX + 1)
                return 0;
        r = kl_rt_manifest_parse((const char *)data + 1, size - 1,
                                 types[data[0] % KL_ARRAY_SIZE(types)], &m, &e);
        if (r < 0) {
                kl_assert(e && e->code == -r);
                return 0;
        }
        for (size_t i = 0; i < m.n_entries; i++) {
                kl_assert(kl_rt_digest_is_valid(m.entries[i].digest));
                kl_assert(m.entries[i].size >= 0);
        }
        if (!m.is_index) {
                kl_assert(kl_rt_digest_is_valid(m.config.digest));
                kl_assert(m.n_entries <= KL_RT_LAYERS_MAX);
        }
        r = kl_rt_manifest_select(&m, "amd64", NULL);
        kl_assert(r == -ENOENT || (m.is_index && (size_t)r < m.n_entries));
        r = kl_rt_manifest_select(&m, "arm64", "v8");
        kl_assert(r == -ENOENT || (m.is_index && (size_t)r < m.n_entries));
        kl_rt_manifest_release(&m);
        return 0;
}
