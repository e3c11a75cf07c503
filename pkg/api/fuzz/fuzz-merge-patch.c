/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON merge patch (RFC 7386). The input is a document and a patch separated
 * by the first NUL byte (no NUL: the whole input is the patch, applied to a
 * fixed document). A merge patch must leave the caller's values alone, fail
 * only for nesting, and be idempotent: applying it to its own result changes
 * nothing.
 */
#include <string.h>

#include "api/patch.h"
#include "base/base.h"
#include "testing/fuzz.h"
#include "json/json.h"

#define FUZZ_MAX ((size_t)1 << 16)

static const char default_doc[] = "{\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":\"1\"}},"
                                  "\"spec\":{\"replicas\":1,\"list\":[0,{\"k\":null}]}}";

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
        kl_autofree char *doc_before = NULL;
        kl_autofree char *doc_after = NULL;
        kl_autofree char *patch_before = NULL;
        kl_autofree char *patch_after = NULL;
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

        doc_before = canonical(doc);
        patch_before = canonical(patch);
        r = kl_api_patch_merge(doc, patch, &got, &e);
        doc_after = canonical(doc);
        patch_after = canonical(patch);
        kl_assert(strcmp(doc_before, doc_after) == 0);
        kl_assert(strcmp(patch_before, patch_after) == 0);
        if (r < 0) {
                kl_assert(r == -EINVAL && e && e->code == EINVAL && !got);
                return 0;
        }
        kl_assert(got && !e);

        kl_assert(kl_api_patch_merge(got, patch, &again, NULL) == 0);
        kl_assert(json_equal(got, again));
        return 0;
}
