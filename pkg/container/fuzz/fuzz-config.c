/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container config read back from JSON (config.json, and the process
 * of an exec request, which arrives over the shim's socket): any input is
 * either refused with an error or decoded into a config whose JSON form
 * decodes again to the same JSON.
 */
#include <string.h>

#include "base/base.h"
#include "container/ctr-internal.h"
#include "testing/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct kl_ctr_config c = { 0 }, again = { 0 };
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *json = NULL;
        kl_autofree char *json2 = NULL;

        if (size > ((size_t)1 << 20))
                return 0;
        if (kl_ctr_config_from_json((const char *)data, size, &c, &e) < 0) {
                kl_assert(e && *kl_err_msg(e));
                return 0;
        }
        json = kl_ctr_config_to_json(&c);
        kl_assert(kl_ctr_config_from_json(json, strlen(json), &again, NULL) == 0);
        json2 = kl_ctr_config_to_json(&again);
        kl_assert(kl_streq(json, json2));
        kl_ctr_config_release(&c);
        kl_ctr_config_release(&again);
        return 0;
}
