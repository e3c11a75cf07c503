/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <signal.h>

#include "base/base.h"

Test(err, set_appends_system_text_for_os_errors)
{
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_err_set(&e, -ENOENT, "open '%s'", "/x"), -ENOENT);
        cr_assert_str_eq(e->msg, "open '/x': No such file or directory");
        cr_assert_eq(e->code, ENOENT);
        cr_assert_eq(kl_err_http_status(e), 404);
        cr_assert_str_eq(kl_err_reason(e), "NotFound");
}

Test(err, set_keeps_content_errors_verbatim)
{
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_err_set(&e, -EINVAL, "'.spec.x': expected string, got number"), -EINVAL);
        cr_assert_str_eq(e->msg, "'.spec.x': expected string, got number");
        cr_assert_eq(kl_err_http_status(e), 400);
}

Test(err, set_msg_is_verbatim)
{
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_err_set_msg(&e, -ENOENT, "pods \"%s\" not found", "x"), -ENOENT);
        cr_assert_str_eq(e->msg, "pods \"x\" not found");
        cr_assert_eq(kl_err_http_status(e), 404);
}

Test(err, null_err_returns_code)
{
        cr_assert_eq(kl_err_set(NULL, -KL_ECONFLICT, "x"), -KL_ECONFLICT);
        cr_assert_eq(kl_err_wrap(NULL, -EIO, "y"), -EIO);
}

Test(err, wrap_prefixes_context)
{
        kl_autoerr struct kl_err *e = NULL;
        int r;

        r = kl_err_set(&e, -KL_ECONFLICT, "the object has been modified");
        r = kl_err_wrap(&e, r, "update pod '%s/%s'", "default", "web");
        cr_assert_eq(r, -KL_ECONFLICT);
        cr_assert_str_eq(e->msg, "update pod 'default/web': the object has been modified");
        cr_assert_eq(kl_err_http_status(e), 409);
        cr_assert_str_eq(kl_err_reason(e), "Conflict");
}

Test(err, wrap_without_message_builds_one)
{
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_err_wrap(&e, -EACCES, "read '%s'", "/etc/x"), -EACCES);
        cr_assert_str_eq(e->msg, "read '/etc/x': Permission denied");
}

Test(err, table_maps_every_code)
{
        static const struct {
                int code, http;
                const char *reason;
        } cases[] = {
                { KL_ECONFLICT, 409, "Conflict" },
                { KL_EINVALID, 422, "Invalid" },
                { KL_EEXPIRED, 410, "Expired" },
                { KL_EUNSUPPORTED_MEDIA, 415, "UnsupportedMediaType" },
                { KL_ETOO_MANY_REQUESTS, 429, "TooManyRequests" },
                { EEXIST, 409, "AlreadyExists" },
                { EPERM, 403, "Forbidden" },
                { E2BIG, 413, "RequestEntityTooLarge" },
                { ETIMEDOUT, 504, "Timeout" },
                { EIO, 500, "InternalError" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                cr_assert_eq(kl_err_code_http_status(-cases[i].code), cases[i].http, "code %d",
                             cases[i].code);
                cr_assert_str_eq(kl_err_code_reason(cases[i].code), cases[i].reason);
        }
        cr_assert_str_eq(kl_err_name(KL_EEXPIRED), "KL_EEXPIRED");
        cr_assert_str_eq(kl_strerror(-KL_EEXPIRED), "revision has been compacted");
}

Test(err, assert_aborts, .signal = SIGABRT)
{
        kl_assert(1 + 1 == 3);
}
