/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The protobuf decoder on arbitrary bytes. A body that starts with the
 * `k8s\0` magic goes through the envelope; anything else is decoded as a bare
 * message of a type picked by its first byte, so the fuzzer reaches every
 * message's fields without having to find a valid envelope first. Whatever
 * decodes must encode as JSON and pass the field check without unknown
 * fields (the decoder only writes known fields), and every rejection must
 * carry a message.
 */
#include <string.h>

#include "api/schema.h"
#include "base/base.h"
#include "testing/fuzz.h"
#include "json/json.h"

/* Bodies larger than the API server accepts are refused before decoding. */
#define FUZZ_MAX ((size_t)64 * 1024)

static void check_result(int r, json_t *v, struct kl_err *e, const struct kl_api_message *m)
{
        kl_autobuf struct kl_buf out = KL_BUF_INIT;
        json_auto_t *warnings = NULL;

        if (r < 0) {
                kl_assert(r == -EINVAL || r == -E2BIG);
                kl_assert(e && e->code == -r && strlen(e->msg) < 4096);
                kl_assert(!v);
                return;
        }
        kl_assert(!e && v);
        kl_assert(kl_json_encode(v, 0, &out, NULL) == 0);
        if (m && json_is_object(v)) {
                r = kl_api_schema_check(m, v, KL_API_FIELD_VALIDATION_WARN, &warnings, NULL);
                /* Decoded values have the schema's types and only its fields. */
                kl_assert(r == 0);
                kl_assert(!warnings);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *v = NULL;
        const struct kl_api_message *m = NULL;
        int r;

        if (size >= KL_API_PROTOBUF_MAGIC_LEN &&
            memcmp(data, KL_API_PROTOBUF_MAGIC, KL_API_PROTOBUF_MAGIC_LEN) == 0) {
                r = kl_api_protobuf_decode(data, size, FUZZ_MAX, &v, &e);
                if (r == 0)
                        m = kl_api_schema_message_for_kind(
                                json_string_value(json_object_get(v, "apiVersion")),
                                json_string_value(json_object_get(v, "kind")));
                check_result(r, v, e, m);
                return 0;
        }
        if (size < 2)
                return 0;
        m = kl_api_schema_message_at(((size_t)data[0] << 8 | data[1]) % kl_api_schema_n_messages());
        r = kl_api_protobuf_decode_message(m, data + 2, size - 2, &v, &e);
        check_result(r, v, e, kl_api_message_special(m) == KL_API_SPECIAL_NONE ? m : NULL);
        return 0;
}
