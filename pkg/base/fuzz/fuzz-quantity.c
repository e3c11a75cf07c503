/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Quantity parsing: anything the parser accepts must format to a canonical
 * string that parses back to an equal value, the formatting settles by the
 * second round, and anything it rejects must come with a message. (One round
 * is not always a fixed point, as upstream: "62.5Ki" is "64000" in the binary
 * family, which parses as decimal and prints "64k".) Arithmetic and conversions
 * run on every accepted value so their overflow checks see odd inputs too.
 */
#include <string.h>

#include "base/base.h"
#include "testing/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autofree char *s = NULL;
        kl_autoerr struct kl_err *e = NULL;
        char a[KL_QUANTITY_STRING_MAX], b[KL_QUANTITY_STRING_MAX], c[KL_QUANTITY_STRING_MAX];
        struct kl_quantity q, again, third, sum, back;
        int64_t v;
        int r;

        if (size > 4096)
                return 0;
        s = kl_strndup((const char *)data, size);
        (void)kl_quantity_is_verbatim(s);

        r = kl_quantity_parse(s, &q, &e);
        if (r < 0) {
                kl_assert(r == -EINVAL || r == -ERANGE);
                kl_assert(e && e->code == -r && strlen(e->msg) < 1024);
                return 0;
        }
        kl_assert(!e);

        kl_quantity_format(&q, a, sizeof(a));
        kl_assert(strlen(a) < KL_QUANTITY_STRING_MAX);
        kl_assert(kl_quantity_parse(a, &again, NULL) == 0);
        kl_assert(kl_quantity_cmp(&q, &again) == 0);
        kl_quantity_format(&again, b, sizeof(b));
        kl_assert(kl_quantity_parse(b, &third, NULL) == 0);
        kl_assert(kl_quantity_cmp(&q, &third) == 0);
        kl_quantity_format(&third, c, sizeof(c));
        kl_assert(strcmp(b, c) == 0);

        if (kl_quantity_add(&q, &again, &sum, NULL) == 0) {
                kl_assert(kl_quantity_sub(&sum, &q, &back, NULL) == 0);
                kl_assert(kl_quantity_cmp(&back, &q) == 0);
                kl_assert(kl_quantity_sign(&sum) == kl_quantity_sign(&q));
        }
        for (int scale = -12; scale <= 30; scale += 3)
                (void)kl_quantity_scaled_value(&q, scale, &v);
        return 0;
}
