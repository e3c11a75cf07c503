/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The static token file parser. Beyond "no crash, no leak": failures carry a
 * message naming a line; every user of a parsed file has a name, and its
 * token, looked up again, finds it (checked through the first field of the
 * input when that is a plain token).
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "pki/pki.h"
#include "testing/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_cleanup(kl_pki_token_file_freep) struct kl_pki_token_file *f = NULL;
        kl_autoerr struct kl_err *e = NULL;
        const char *text = (const char *)data;
        const char *comma;
        int r;

        r = kl_pki_token_file_parse(text, size, "fuzz", &f, &e);
        if (r < 0) {
                if ((r != -EINVAL && r != -E2BIG) || !e || !e->msg)
                        abort();
                if (r == -EINVAL && !strstr(e->msg, ": line "))
                        abort();
                return 0;
        }
        /* A first record whose token is plain text (no quote, no newline) must be found. */
        comma = memchr(text, ',', size);
        if (comma && comma > text && !memchr(text, '"', (size_t)(comma - text)) &&
            !memchr(text, '\n', (size_t)(comma - text)) &&
            !memchr(text, '\r', (size_t)(comma - text))) {
                const struct kl_pki_token_user *u =
                        kl_pki_token_file_lookup(f, text, (size_t)(comma - text));

                if (!u || !u->name || !*u->name || !u->uid || !u->groups || u->line != 1)
                        abort();
        }
        (void)kl_pki_token_file_lookup(f, text, size);
        return 0;
}
