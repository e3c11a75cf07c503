/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON decode and the canonical encoding: whatever decodes must encode, the
 * canonical bytes must decode to an equal value, and encoding that value
 * again must give the same bytes. The input also serves as a path into a
 * fixed document, which exercises the path parser and every getter.
 */
#include <string.h>

#include "base/base.h"
#include "testing/fuzz.h"
#include "json/json.h"

#define FUZZ_MAX_DOC ((size_t)1 << 20)

static const char doc_text[] = "{\"a\": {\"b\": [1, {\"c\": \"x\"}, null, 2.5, true]},"
                               " \"x.y\": {\"q\\\"k\": \"1Gi\"}, \"n\": 3}";

static void walk_paths(const char *path)
{
        json_auto_t *doc = NULL;
        json_t *v;
        const char *s;
        int64_t i;
        bool b;
        double d;
        struct kl_quantity q;
        kl_autoerr struct kl_err *e = NULL;

        kl_assert(kl_json_decode(doc_text, strlen(doc_text), sizeof(doc_text), &doc, NULL) == 0);
        (void)kl_json_get(doc, path, &v, &e);
        kl_err_free(KL_TAKE_PTR(e));
        (void)kl_json_get_object(doc, path, &v, NULL);
        (void)kl_json_get_array(doc, path, &v, NULL);
        (void)kl_json_get_str(doc, path, &s, NULL);
        (void)kl_json_get_int64(doc, path, &i, NULL);
        (void)kl_json_get_bool(doc, path, &b, NULL);
        (void)kl_json_get_number(doc, path, &d, NULL);
        (void)kl_json_get_quantity(doc, path, &q, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autobuf struct kl_buf first = KL_BUF_INIT;
        kl_autobuf struct kl_buf second = KL_BUF_INIT;
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *value = NULL;
        json_auto_t *again = NULL;
        int r;

        if (size > FUZZ_MAX_DOC)
                return 0;
        if (size < 256) {
                kl_autofree char *path = kl_strndup((const char *)data, size);

                walk_paths(path);
        }

        r = kl_json_decode((const char *)data, size, FUZZ_MAX_DOC, &value, &e);
        if (r < 0) {
                kl_assert(r == -EINVAL && e && e->code == EINVAL);
                return 0;
        }

        kl_assert(kl_json_encode(value, KL_JSON_ENCODE_CANONICAL, &first, NULL) == 0);
        kl_assert(kl_json_decode(first.buf, first.len, SIZE_MAX, &again, NULL) == 0);
        kl_assert(json_equal(value, again));
        kl_assert(kl_json_encode(again, KL_JSON_ENCODE_CANONICAL, &second, NULL) == 0);
        kl_assert(first.len == second.len && memcmp(first.buf, second.buf, first.len) == 0);

        /* The other modes must encode whatever decodes, too. */
        kl_buf_reset(&second);
        kl_assert(kl_json_encode(value, 0, &second, NULL) == 0);
        kl_assert(second.len > 0 && second.buf[second.len - 1] == '\n');
        kl_buf_reset(&second);
        kl_assert(kl_json_encode(value, KL_JSON_ENCODE_PRETTY, &second, NULL) == 0);
        return 0;
}
