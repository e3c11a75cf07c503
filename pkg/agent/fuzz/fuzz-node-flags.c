/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --node-label and --node-taint strings (and os-release text, read as it
 * comes): whatever parses is well formed — a label key and value that
 * validate, a taint with a known effect — and re-parses to the same result;
 * whatever is rejected comes with a message.
 */
#include <string.h>

#include "agent/agent-internal.h"
#include "api/selector.h"
#include "base/base.h"
#include "testing/fuzz.h"

static void check_label(const char *s)
{
        kl_autofree char *key = NULL, *value = NULL;
        struct kl_err *err = NULL;
        int r = kl_agent__parse_label(s, &key, &value, &err);

        if (r < 0) {
                kl_assert(r == -EINVAL && err && *kl_err_msg(err));
                kl_err_free(err);
                return;
        }
        kl_assert(kl_api_validate_qualified_name(key, NULL) == 0);
        kl_assert(kl_api_validate_label_value(value, NULL) == 0);
        kl_assert(strlen(key) + 1 + strlen(value) == strlen(s));
}

static void check_taint(const char *s)
{
        json_auto_t *taint = NULL, *again = NULL;
        struct kl_err *err = NULL;
        kl_autofree char *text = NULL;
        const char *value;
        int r = kl_agent__parse_taint(s, &taint, &err);

        if (r < 0) {
                kl_assert(r == -EINVAL && err && *kl_err_msg(err));
                kl_err_free(err);
                return;
        }
        value = json_string_value(json_object_get(taint, "value"));
        text = kl_asprintf("%s%s%s:%s", json_string_value(json_object_get(taint, "key")),
                           value ? "=" : "", value ? value : "",
                           json_string_value(json_object_get(taint, "effect")));
        kl_assert(kl_agent__parse_taint(text, &again, NULL) == 0);
        kl_assert(json_equal(taint, again));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autofree char *s = NULL, *pretty = NULL;

        if (size > 4096 || memchr(data, '\0', size))
                return 0;
        s = kl_strndup((const char *)data, size);
        check_label(s);
        check_taint(s);
        pretty = kl_agent__os_release_pretty(s);
        kl_assert(pretty && *pretty);
        return 0;
}
