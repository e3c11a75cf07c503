/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Label selectors: whatever parses must format to a string that parses back
 * to the same requirements and formats identically, and must select the same
 * labels; the same requirements written as a metav1.LabelSelector (where the
 * operators allow) must convert and select the same labels too. Whatever is
 * rejected must come with a message.
 */
#include <string.h>

#include "api/selector.h"
#include "base/base.h"
#include "testing/fuzz.h"

static bool same_reqs(const struct kl_api_label_selector *a, const struct kl_api_label_selector *b)
{
        size_t na = 0, nb = 0;
        const struct kl_api_label_req *ra = kl_api_label_selector_reqs(a, &na);
        const struct kl_api_label_req *rb = kl_api_label_selector_reqs(b, &nb);

        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++) {
                if (!kl_streq(ra[i].key, rb[i].key) || ra[i].op != rb[i].op ||
                    ra[i].n_values != rb[i].n_values || ra[i].number != rb[i].number)
                        return false;
                for (size_t j = 0; j < ra[i].n_values; j++)
                        if (!kl_streq(ra[i].values[j], rb[i].values[j]))
                                return false;
        }
        return true;
}

/* Labels made from the selector itself, so that requirements both hold and fail. */
static json_t *labels_for(const struct kl_api_label_selector *s, unsigned salt)
{
        size_t n = 0;
        const struct kl_api_label_req *r = kl_api_label_selector_reqs(s, &n);
        json_t *labels = json_object();

        for (size_t i = 0; i < n; i++) {
                unsigned pick = (salt >> (i % 16)) & 3;
                const char *v = r[i].n_values > 0 ? r[i].values[pick % r[i].n_values] : "7";

                if (pick == 3)
                        continue;
                kl_assert(json_object_set_new(labels, r[i].key, json_string(v)) == 0);
        }
        return labels;
}

/* The requirements as a LabelSelector object, or NULL when one has no such form (> and <). */
static json_t *as_label_selector(const struct kl_api_label_selector *s)
{
        static const char *const ops[KL_API_LABEL_OP__COUNT] = {
                [KL_API_LABEL_OP_IN] = "In",
                [KL_API_LABEL_OP_NOT_IN] = "NotIn",
                [KL_API_LABEL_OP_EQUALS] = "In",
                [KL_API_LABEL_OP_DOUBLE_EQUALS] = "In",
                [KL_API_LABEL_OP_NOT_EQUALS] = "NotIn",
                [KL_API_LABEL_OP_EXISTS] = "Exists",
                [KL_API_LABEL_OP_DOES_NOT_EXIST] = "DoesNotExist",
        };
        size_t n = 0;
        const struct kl_api_label_req *r = kl_api_label_selector_reqs(s, &n);
        json_auto_t *exprs = json_array();

        for (size_t i = 0; i < n; i++) {
                json_t *e = json_object();
                json_t *vals = json_array();

                if (!ops[r[i].op]) {
                        json_decref(e);
                        json_decref(vals);
                        return NULL;
                }
                for (size_t j = 0; j < r[i].n_values; j++)
                        kl_assert(json_array_append_new(vals, json_string(r[i].values[j])) == 0);
                kl_assert(json_object_set_new(e, "key", json_string(r[i].key)) == 0);
                kl_assert(json_object_set_new(e, "operator", json_string(ops[r[i].op])) == 0);
                kl_assert(json_object_set_new(e, "values", vals) == 0);
                kl_assert(json_array_append_new(exprs, e) == 0);
        }
        return json_pack("{sO}", "matchExpressions", exprs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *s = NULL;
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *again = NULL;
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *conv = NULL;
        kl_autobuf struct kl_buf a = KL_BUF_INIT;
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        kl_autoerr struct kl_err *e = NULL;
        kl_autoerr struct kl_err *e2 = NULL;
        kl_autofree char *text = NULL;
        json_auto_t *ls = NULL;
        size_t n = 0;
        const struct kl_api_label_req *reqs;
        int r;

        if (size > KL_API_SELECTOR_MAX_LEN + 64)
                return 0;
        text = kl_strndup((const char *)data, size);

        r = kl_api_label_selector_parse(text, &s, &e);
        if (r < 0) {
                kl_assert(r == -EINVAL || r == -E2BIG);
                kl_assert(e && e->code == -r && *e->msg);
                kl_assert(!s);
                return 0;
        }
        kl_assert(!e);

        kl_assert(kl_api_label_selector_format(s, &a) == 0);
        r = kl_api_label_selector_parse(a.buf, &again, &e2);
        if (r < 0)
                kl_bug(e2->msg);
        kl_assert(kl_api_label_selector_format(again, &b) == 0);
        kl_assert(kl_streq(a.buf, b.buf));
        kl_assert(same_reqs(s, again));
        kl_assert(kl_api_label_selector_is_empty(s) == (a.len == 0));

        reqs = kl_api_label_selector_reqs(s, &n);
        ls = as_label_selector(s);
        if (ls) {
                kl_autoerr struct kl_err *e3 = NULL;

                r = kl_api_label_selector_from_json(ls, &conv, &e3);
                if (r < 0)
                        kl_bug(e3->msg);
        }
        for (unsigned salt = 0; salt < 4; salt++) {
                json_auto_t *labels = labels_for(s, salt * 0x9e3779b9u);
                bool m = kl_api_label_selector_matches(s, labels);

                kl_assert(kl_api_label_selector_matches(again, labels) == m);
                if (conv)
                        kl_assert(kl_api_label_selector_matches(conv, labels) == m);
        }
        (void)kl_api_label_selector_matches(s, NULL);
        for (size_t i = 0; i < n; i++) {
                const char *v = NULL;

                if (kl_api_label_selector_requires_exact(s, reqs[i].key, &v))
                        kl_assert(v != NULL);
        }
        return 0;
}
