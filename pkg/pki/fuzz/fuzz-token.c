/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Join tokens and bootstrap tokens. Properties checked beyond "no crash":
 * every failure has a message and the documented code; whatever parses
 * formats back to a string that parses to the same fields.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "pki/pki.h"
#include "testing/fuzz.h"

static void check_token(const char *s)
{
        kl_autotoken struct kl_pki_token t = { .ca_hash = "" };
        kl_autotoken struct kl_pki_token back = { .ca_hash = "" };
        kl_autoerr struct kl_err *e = NULL;
        kl_autosecret char *text = NULL;
        int r;

        r = kl_pki_token_parse(s, &t, &e);
        if (r < 0) {
                if (r != -EINVAL || !e || !e->msg || t.password)
                        abort();
                return;
        }
        if (kl_isempty(t.password) || (t.username && (!*t.username || strchr(t.username, ':'))))
                abort();
        if (kl_pki_token_format(&t, &text, NULL) < 0)
                abort();
        if (kl_pki_token_parse(text, &back, NULL) < 0)
                abort();
        if (!kl_streq(t.ca_hash, back.ca_hash) || !kl_streq_null(t.username, back.username) ||
            !kl_streq(t.password, back.password))
                abort();
        /* A hash always checks against itself; the short form checks nothing. */
        if (kl_pki_token_check_ca(
                    &t,
                    t.ca_hash[0]
                            ? t.ca_hash
                            : "0000000000000000000000000000000000000000000000000000000000000000",
                    NULL) != (t.ca_hash[0] ? 1 : 0))
                abort();
}

static void check_bootstrap(const char *s)
{
        struct kl_pki_bootstrap_token t;
        char buf[KL_PKI_BOOTSTRAP_TOKEN_SIZE];

        if (kl_pki_bootstrap_token_parse(s, &t, NULL) < 0)
                return;
        if (!kl_streq(kl_pki_bootstrap_token_format(&t, buf), s))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autofree char *s = NULL;

        /* Past the limit only the length check runs; a little beyond is enough to cover it. */
        if (size > KL_PKI_TOKEN_MAX + 16)
                return 0;
        s = kl_strndup((const char *)data, size);
        check_token(s);
        check_bootstrap(s);
        return 0;
}
