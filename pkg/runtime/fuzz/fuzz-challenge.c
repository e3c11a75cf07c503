/* SPDX-License-Identifier: Apache-2.0 */
/* WWW-Authenticate values from registries: parse without crashing or leaking. */
#include <string.h>

#include "base/base.h"
#include "runtime/rt.h"
#include "testing/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autofree char *text = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_rt_challenge c;
        int r;

        if (size > 8192)
                return 0;
        text = kl_strndup((const char *)data, size);
        r = kl_rt_challenge_parse(text, &c, &e);
        if (r < 0) {
                kl_assert(r == -EINVAL && e);
                return 0;
        }
        kl_assert(c.scheme && *c.scheme);
        kl_assert(!c.realm || strlen(c.realm) <= size);
        kl_rt_challenge_release(&c);
        return 0;
}
