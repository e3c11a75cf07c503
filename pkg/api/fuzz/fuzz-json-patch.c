/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON patch (RFC 6902). The input is a document and a patch separated by the
 * first NUL byte (no NUL: the whole input is the patch, applied to a fixed
 * document). Whatever decodes must apply or fail with one of the documented
 * codes and a message, never touch the caller's document, and leave a result
 * that encodes and that the empty patch maps to itself.
 */
#include <string.h>

#include "api/patch.h"
#include "base/base.h"
#include "testing/fuzz.h"
#include "json/json.h"

#define FUZZ_MAX ((size_t)1 << 16)

static const char default_doc[] =
        "{\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":\"1\",\"b/c\":\"2\"},"
        "\"finalizers\":[\"f\"]},\"spec\":{\"replicas\":1,\"list\":[0,1,2,{\"k\":[]}],"
        "\"~\":{\"\":null}}}";

static char *canonical(const json_t *v)
{
        struct kl_buf b = KL_BUF_INIT;

        kl_assert(kl_json_encode(v, KL_JSON_ENCODE_CANONICAL, &b, NULL) == 0);
        return kl_buf_detach(&b, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *text = (const char *)data;
        const char *nul = memchr(data, '\0', size);
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *doc = NULL;
        json_auto_t *patch = NULL;
        json_auto_t *got = NULL;
        json_auto_t *again = NULL;
        json_auto_t *nothing = NULL;
        kl_autofree char *before = NULL;
        kl_autofree char *after = NULL;
        int r;

        if (size > FUZZ_MAX)
                return 0;
        if (nul) {
                if (kl_json_decode(text, (size_t)(nul - text), FUZZ_MAX, &doc, NULL) < 0)
                        return 0;
                text = nul + 1;
                size -= (size_t)(nul - (const char *)data) + 1;
        } else {
                kl_assert(kl_json_decode(default_doc, strlen(default_doc), FUZZ_MAX, &doc, NULL) ==
                          0);
        }
        if (kl_json_decode(text, size, FUZZ_MAX, &patch, NULL) < 0)
                return 0;

        before = canonical(doc);
        r = kl_api_patch_json(doc, patch, &got, &e);
        after = canonical(doc);
        kl_assert(strcmp(before, after) == 0);
        if (r < 0) {
                kl_assert(r == -EINVAL || r == -E2BIG || r == -KL_EINVALID);
                kl_assert(e && -(int)e->code == r && e->msg[0] != '\0' && !got);
                return 0;
        }
        kl_assert(got && !e);
        free(canonical(got));

        nothing = json_array();
        kl_assert(kl_api_patch_json(got, nothing, &again, NULL) == 0);
        kl_assert(json_equal(got, again));
        return 0;
}
