/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Continue tokens come from clients (`?continue=`): the parser must reject
 * anything malformed without crashing, and whatever it accepts must be a
 * token it could have made itself (R14.5).
 */
#include <stdlib.h>
#include <string.h>

#include "store/store-internal.h"
#include "testing/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *token, *last = NULL, *again;
        int64_t rev = 0;

        if (size > 4096)
                return 0;
        token = kl_strndup((const char *)data, size);
        if (kl_store__continue_parse(token, "/registry/", &rev, &last) == 0) {
                kl_assert(rev > 0);
                kl_assert(kl_store__key_is_valid(last));
                kl_assert(strncmp(last, "/registry/", 10) == 0);
                /* Canonical: formatting what was parsed gives the token back. */
                again = kl_store__continue_format(rev, last);
                kl_assert(strcmp(again, token) == 0);
                free(again);
                free(last);
        }
        free(token);
        return 0;
}
