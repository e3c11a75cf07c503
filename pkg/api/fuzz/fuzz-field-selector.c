/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field selectors: whatever parses must format to a string that parses back
 * to the same terms (upstream re-sorts the escaped text, so the order may
 * change once and is then stable) and selects the same objects. Whatever is
 * rejected must come with a message.
 */
#include <string.h>

#include "api/selector.h"
#include "base/base.h"
#include "testing/fuzz.h"

/* An object whose fields take the value of the first term on them in `userdata`'s selector. */
static const char *first_value(const void *obj, const char *field, void *userdata)
{
        size_t n = 0;
        const struct kl_api_field_req *r = kl_api_field_selector_reqs(userdata, &n);

        (void)obj;
        for (size_t i = 0; i < n; i++)
                if (kl_streq(r[i].field, field))
                        return r[i].value;
        return NULL;
}

static const char *nothing_set(const void *obj, const char *field, void *userdata)
{
        (void)obj;
        (void)field;
        (void)userdata;
        return NULL;
}

static char *format(const struct kl_api_field_selector *s)
{
        struct kl_buf b = KL_BUF_INIT;

        kl_assert(kl_api_field_selector_format(s, &b) == 0);
        return kl_buf_detach(&b, NULL);
}

static struct kl_api_field_selector *parse_ok(const char *text)
{
        struct kl_api_field_selector *s = NULL;
        kl_autoerr struct kl_err *e = NULL;

        if (kl_api_field_selector_parse(text, &s, &e) < 0)
                kl_bug(e->msg);
        return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const supported[] = { "spec.nodeName", "status.phase", "a", NULL };
        kl_cleanup(kl_api_field_selector_freep) struct kl_api_field_selector *s = NULL;
        kl_cleanup(kl_api_field_selector_freep) struct kl_api_field_selector *s2 = NULL;
        kl_cleanup(kl_api_field_selector_freep) struct kl_api_field_selector *s3 = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autoerr struct kl_err *check_err = NULL;
        kl_autofree char *text = NULL;
        kl_autofree char *c1 = NULL;
        kl_autofree char *c2 = NULL;
        kl_autofree char *c3 = NULL;
        const struct kl_api_field_req *reqs;
        size_t n = 0, n2 = 0;
        int r;

        if (size > KL_API_SELECTOR_MAX_LEN + 64)
                return 0;
        text = kl_strndup((const char *)data, size);

        r = kl_api_field_selector_parse(text, &s, &e);
        if (r < 0) {
                kl_assert(r == -EINVAL || r == -E2BIG);
                kl_assert(e && e->code == -r && *e->msg);
                kl_assert(!s);
                return 0;
        }
        kl_assert(!e);

        c1 = format(s);
        s2 = parse_ok(c1);
        c2 = format(s2);
        s3 = parse_ok(c2);
        c3 = format(s3);
        kl_assert(kl_streq(c2, c3));

        reqs = kl_api_field_selector_reqs(s, &n);
        (void)kl_api_field_selector_reqs(s2, &n2);
        kl_assert(n == n2);
        kl_assert(kl_api_field_selector_is_empty(s) == (n == 0));

        kl_assert(kl_api_field_selector_matches(s, NULL, first_value, s) ==
                  kl_api_field_selector_matches(s2, NULL, first_value, s));
        kl_assert(kl_api_field_selector_matches(s, NULL, nothing_set, NULL) ==
                  kl_api_field_selector_matches(s3, NULL, nothing_set, NULL));

        r = kl_api_field_selector_check(s, supported, &check_err);
        kl_assert(r == 0 || (r == -EINVAL && check_err && *check_err->msg));
        for (size_t i = 0; i < n; i++) {
                const char *v = NULL;

                if (kl_api_field_selector_requires_exact(s, reqs[i].field, &v))
                        kl_assert(v != NULL);
        }
        return 0;
}
