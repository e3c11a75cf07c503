/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Config-file bytes -> the file layer of kl_config_parse(), against the
 * sample server table of the unit tests. A NUL byte splits the input into
 * several files applied in order, so `key+:` appends across files and later
 * files overriding earlier ones are exercised too. Any result is fine; a
 * crash, a leak or a sanitizer report is not.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "config/config-internal.h"
#include "config/tests/sample-cmd.h"
#include "testing/fuzz.h"

#define MAX_FILES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const argv[] = { "server", "--tls-san", "flag.example", NULL };
        static const struct kl_config_parse_opts popts = { .flags = KL_CONFIG_PARSE_NO_ENV };
        struct kl_config__file files[MAX_FILES];
        const char *p = (const char *)data;
        const char *end = p + size;
        struct sample_opts opts;
        struct kl_config *cfg = NULL;
        struct kl_err *err = NULL;
        kl_autobuf struct kl_buf values = KL_BUF_INIT;
        size_t n = 0;
        int r;

        if (size > KL_CONFIG__MAX_FILE)
                return 0;
        while (n < MAX_FILES) {
                const char *nul = memchr(p, '\0', (size_t)(end - p));
                const char *stop = nul ? nul : end;

                files[n].name = n == 0 ? "config.yaml" : "config.yaml.d/x.yaml";
                files[n].data = p;
                files[n].len = (size_t)(stop - p);
                n++;
                if (!nul)
                        break;
                p = nul + 1;
        }

        r = kl_config__parse(&sample_cmd, &opts, 3, (char **)argv, &popts, files, n, &cfg, &err);
        if (r == 0) {
                /* Walk every stored value, so a bad pointer left in the options shows up. */
                kl_config_format_values(cfg, &values);
                kl_config_free(cfg);
        } else {
                kl_assert(err && err->msg && r == -err->code);
                kl_err_free(err);
        }
        return 0;
}
