/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kubeconfig reader (through pkg/yaml). Beyond "no crash, no leak":
 * failures carry a message; a kubeconfig that parses and can be written
 * again reads back to the same fields.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "pki/pki.h"
#include "testing/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autokubeconfig struct kl_pki_kubeconfig kc = KL_PKI_KUBECONFIG_INIT;
        kl_autokubeconfig struct kl_pki_kubeconfig back = KL_PKI_KUBECONFIG_INIT;
        kl_autoerr struct kl_err *e = NULL;
        kl_autosecret char *yaml = NULL;
        int r;

        if (size > 64 << 10)
                return 0;
        r = kl_pki_kubeconfig_parse((const char *)data, size, "fuzz", &kc, &e);
        if (r < 0) {
                if (!e || !e->msg || kc.server)
                        abort();
                return 0;
        }
        if (kl_isempty(kc.server))
                abort();
        /* Values a YAML document may hold but a kubeconfig may not (control characters). */
        if (kl_pki_kubeconfig_format(&kc, &yaml, NULL) < 0)
                return 0;
        if (kl_pki_kubeconfig_parse(yaml, strlen(yaml), "again", &back, NULL) < 0)
                abort();
        if (!kl_streq(kc.server, back.server) || !kl_streq_null(kc.ca_pem, back.ca_pem) ||
            !kl_streq_null(kc.cert_pem, back.cert_pem) ||
            !kl_streq_null(kc.key_pem, back.key_pem) || !kl_streq_null(kc.token, back.token))
                abort();
        return 0;
}
