/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Duration parsing: every accepted value formats to Go's text, which parses
 * back to the same nanoseconds and formats identically; the microsecond form
 * round-trips whenever its nanosecond count fits; rejections carry a message.
 */
#include <string.h>

#include "base/base.h"
#include "testing/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autofree char *s = NULL;
        kl_autoerr struct kl_err *e = NULL;
        char a[KL_DURATION_STRING_MAX], b[KL_DURATION_STRING_MAX];
        int64_t ns, again, usec, usec_again;
        int r;

        if (size > 4096)
                return 0;
        s = kl_strndup((const char *)data, size);

        r = kl_duration_parse_ns(s, &ns, &e);
        if (r < 0) {
                kl_assert(r == -EINVAL || r == -ERANGE);
                kl_assert(e && e->code == -r && strlen(e->msg) < 1024);
                kl_assert(kl_duration_parse(s, &usec, NULL) == r);
                return 0;
        }
        kl_assert(!e);

        kl_duration_format_ns(ns, a, sizeof(a));
        kl_assert(kl_duration_parse_ns(a, &again, NULL) == 0);
        kl_assert(again == ns);
        kl_duration_format_ns(again, b, sizeof(b));
        kl_assert(strcmp(a, b) == 0);

        kl_assert(kl_duration_parse(s, &usec, NULL) == 0);
        kl_assert((__int128)usec * 1000 - ns < 1000 && ns - (__int128)usec * 1000 < 1000);
        kl_duration_format(usec, a, sizeof(a));
        if (usec <= INT64_MAX / 1000 && usec >= INT64_MIN / 1000) {
                kl_assert(kl_duration_parse(a, &usec_again, NULL) == 0);
                kl_assert(usec_again == usec);
        }
        return 0;
}
