/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strategic merge patch. The input is a document and a patch separated by the
 * first NUL byte (no NUL: the whole input is the patch, applied to a fixed
 * Pod-like document). Each input is applied three ways: with the hand-written
 * schema of the unit tests, with the generated schema as a Pod, and with no
 * schema. Each must apply or fail with a documented code and a message, never
 * touch the caller's values, and give an object that encodes.
 */
#include <string.h>

#include "api/patch.h"
#include "api/tests/patch-fake-schema.h"
#include "base/base.h"
#include "testing/fuzz.h"
#include "json/json.h"

#define FUZZ_MAX ((size_t)1 << 16)

static const char default_doc[] =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"labels\":"
        "{\"app\":\"x\"},\"finalizers\":[\"a\",\"b\"],\"ownerReferences\":[{\"uid\":\"1\"}]},"
        "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"ports\":[{\"containerPort\":80}],"
        "\"env\":[{\"name\":\"E\",\"value\":\"v\"}],\"args\":[\"a\"]}],\"volumes\":[{\"name\":\"v\","
        "\"emptyDir\":{}}],\"tolerations\":[{\"key\":\"k\"}]},\"status\":{\"conditions\":"
        "[{\"type\":\"Ready\",\"status\":\"True\"}]}}";

static char *canonical(const json_t *v)
{
        struct kl_buf b = KL_BUF_INIT;

        kl_assert(kl_json_encode(v, KL_JSON_ENCODE_CANONICAL, &b, NULL) == 0);
        return kl_buf_detach(&b, NULL);
}

static void apply(const json_t *doc, const json_t *patch, kl_api_patch_lookup_fn lookup,
                  const void *type)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *got = NULL;
        kl_autofree char *doc_before = canonical(doc);
        kl_autofree char *patch_before = canonical(patch);
        kl_autofree char *doc_after = NULL;
        kl_autofree char *patch_after = NULL;
        int r = kl_api_patch_strategic(doc, patch, lookup, type, &got, &e);

        doc_after = canonical(doc);
        patch_after = canonical(patch);
        kl_assert(strcmp(doc_before, doc_after) == 0);
        kl_assert(strcmp(patch_before, patch_after) == 0);
        if (r < 0) {
                kl_assert(r == -EINVAL || r == -KL_EINVALID);
                kl_assert(e && -(int)e->code == r && e->msg[0] != '\0' && !got);
                return;
        }
        kl_assert(got && !e && json_is_object(got));
        free(canonical(got));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *text = (const char *)data;
        const char *nul = memchr(data, '\0', size);
        json_auto_t *doc = NULL;
        json_auto_t *patch = NULL;

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

        apply(doc, patch, fake_lookup, fake_root());
        apply(doc, patch, kl_api_patch_schema_lookup, kl_api_schema_message_for_kind("v1", "Pod"));
        apply(doc, patch, NULL, NULL);
        return 0;
}
