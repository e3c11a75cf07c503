/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image references: whatever parses must format to a reference that parses
 * again to the same parts (normalisation is idempotent).
 */
#include <string.h>

#include "base/base.h"
#include "runtime/rt.h"
#include "testing/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autofree char *text = NULL, *formatted = NULL, *again_text = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_rt_ref ref, again;
        int r;

        if (size > 4096)
                return 0;
        text = kl_strndup((const char *)data, size);
        r = kl_rt_ref_parse(text, &ref, &e);
        if (r < 0) {
                kl_assert(r == -EINVAL && e);
                return 0;
        }
        formatted = kl_rt_ref_format(&ref);
        kl_assert(kl_rt_ref_parse(formatted, &again, NULL) == 0);
        again_text = kl_rt_ref_format(&again);
        kl_assert(kl_streq(formatted, again_text));
        kl_assert(kl_streq(ref.domain, again.domain) && kl_streq(ref.path, again.path));
        kl_assert(ref.tag || ref.digest);
        kl_assert(!ref.digest || kl_rt_digest_is_valid(ref.digest));
        kl_rt_ref_release(&ref);
        kl_rt_ref_release(&again);
        return 0;
}
