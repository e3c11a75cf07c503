/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Version conversion of any JSON value, both directions of every pair: it
 * must not crash, must not change its input, and must give an object of the
 * target version or -EINVAL (a malformed round-trip annotation). A result
 * converted back and forth again must still convert (the annotations it
 * writes are always well formed).
 */
#include <string.h>

#include "api/convert.h"
#include "base/base.h"
#include "testing/fuzz.h"
#include "json/json.h"

#define FUZZ_MAX ((size_t)1 << 16)

static const char *const pairs[][4] = {
        { "", "v1", "events.k8s.io", "v1" },
        { "events.k8s.io", "v1", "", "v1" },
        { "autoscaling", "v2", "autoscaling", "v1" },
        { "autoscaling", "v1", "autoscaling", "v2" },
};

static char *canonical(const json_t *v)
{
        struct kl_buf b = KL_BUF_INIT;

        kl_assert(kl_json_encode(v, KL_JSON_ENCODE_CANONICAL, &b, NULL) == 0);
        return kl_buf_detach(&b, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_auto_t *in = NULL;
        kl_autofree char *before = NULL;

        if (size > FUZZ_MAX)
                return 0;
        if (kl_json_decode((const char *)data, size, FUZZ_MAX, &in, NULL) < 0)
                return 0;
        before = canonical(in);
        for (size_t i = 0; i < KL_ARRAY_SIZE(pairs); i++) {
                const char *const *p = pairs[i];
                kl_autoerr struct kl_err *e = NULL;
                json_auto_t *out = NULL;
                json_auto_t *back = NULL;
                json_auto_t *again = NULL;
                kl_autofree char *after = NULL;
                int r;

                r = kl_api_convert(in, p[0], p[1], p[2], p[3], &out, &e);
                after = canonical(in);
                kl_assert(strcmp(before, after) == 0);
                if (r < 0) {
                        kl_assert(r == -EINVAL && e && !out);
                        continue;
                }
                kl_assert(out && !e);
                /* What this side wrote, the other side reads. */
                kl_assert(kl_api_convert(out, p[2], p[3], p[0], p[1], &back, NULL) == 0);
                kl_assert(kl_api_convert(back, p[0], p[1], p[2], p[3], &again, NULL) == 0);
        }
        return 0;
}
