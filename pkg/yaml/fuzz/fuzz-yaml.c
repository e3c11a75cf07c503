/* SPDX-License-Identifier: Apache-2.0 */
/*
 * YAML -> JSON. Limits are small so that each input stays fast and a
 * runaway alias expansion shows up as a timeout or an out-of-memory report
 * instead of passing unnoticed; whatever decodes must encode, since a value
 * JSON cannot hold (NaN, infinity) would fail json_dumps().
 */
#include <stdlib.h>

#include <jansson.h>

#include "base/cleanup.h"
#include "testing/fuzz.h"
#include "yaml/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const struct kl_yaml_limits limits = {
                .max_input = 64 << 10,
                .max_depth = 64,
                .max_nodes = 100000,
        };
        kl_autoerr struct kl_err *e = NULL;
        kl_autoerr struct kl_err *e1 = NULL;
        json_auto_t *docs = NULL;
        json_auto_t *doc = NULL;
        kl_autofree char *text = NULL;
        int r;

        r = kl_yaml_decode_stream((const char *)data, size, "fuzz", &limits, &docs, &e);
        if (r < 0) {
                /* Every failure carries a message, and only the documented codes. */
                if (!e || !e->msg || (r != -EINVAL && r != -E2BIG && r != -ENOMEM))
                        abort();
        } else {
                text = json_dumps(docs, JSON_COMPACT | JSON_SORT_KEYS);
                if (!text)
                        abort();
        }

        r = kl_yaml_decode_one((const char *)data, size, "fuzz", &limits, &doc, &e1);
        if (r == 0 && (!docs || json_array_size(docs) > 1))
                abort();
        if (r < 0 && !e1)
                abort();
        return 0;
}
