/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel texts cgroup.c parses: /proc/self/mountinfo and
 * /proc/self/cgroup (the input, split at its first NUL byte), and a
 * flat-keyed file (the whole input). Whatever parses names absolute
 * directories only.
 */
#include <string.h>

#include "base/base.h"
#include "container/ctr-internal.h"
#include "testing/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *text = (const char *)data;
        const char *nul = memchr(text, '\0', size);
        size_t mi_len = nul ? (size_t)(nul - text) : size;
        const char *self = nul ? nul + 1 : "";
        size_t self_len = nul ? size - mi_len - 1 : 0;
        struct kl_container__cgroup *cg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        uint64_t v = 0;
        int r;

        if (size > 65536)
                return 0;
        r = kl_container__cgroup_own(text, mi_len, self, self_len, &cg, &e);
        if (r < 0) {
                kl_assert((r == -EINVAL || r == -ENOENT) && e && e->code == -r);
                kl_assert(!cg);
        } else {
                kl_assert(cg && cg->dirs && cg->dirs[0]);
                for (size_t i = 0; cg->dirs[i]; i++)
                        kl_assert(cg->dirs[i][0] == '/');
                kl_container__cgroup_free(cg);
        }
        r = kl_container__cgroup_keyed_get(text, size, "oom_kill", &v);
        kl_assert(r == 0 || r == -ENOENT || r == -EINVAL);
        return 0;
}
