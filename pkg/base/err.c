/* SPDX-License-Identifier: Apache-2.0 */
#include "base/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

struct kl_code_info {
        int code;
        int http;
        const char *name;
        const char *reason;
        const char *text;
};

static const struct kl_code_info kl_codes[] = {
#define KL_ERR_INFO_(name, value, http, reason, text) { value, http, "KL_E" #name, reason, text },
        KL_ERRNO_MAP(KL_ERR_INFO_)
#undef KL_ERR_INFO_
};

static const struct kl_code_info *kl_code_lookup(int code)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(kl_codes); i++)
                if (kl_codes[i].code == code)
                        return &kl_codes[i];
        return NULL;
}

static int abs_code(int code)
{
        return code < 0 ? -code : code;
}

const char *kl_strerror(int code)
{
        const struct kl_code_info *c;

        code = abs_code(code);
        c = kl_code_lookup(code);
        if (c)
                return c->text;
        /* strerror() of glibc and musl returns static text for every value. */
        return strerror(code);
}

const char *kl_err_name(int code)
{
        const struct kl_code_info *c;

        code = abs_code(code);
        c = kl_code_lookup(code);
        if (c)
                return c->name;
        switch (code) {
        case ENOENT:
                return "ENOENT";
        case EEXIST:
                return "EEXIST";
        case EINVAL:
                return "EINVAL";
        case EACCES:
                return "EACCES";
        case EPERM:
                return "EPERM";
        case E2BIG:
                return "E2BIG";
        case EMSGSIZE:
                return "EMSGSIZE";
        case ERANGE:
                return "ERANGE";
        case ETIMEDOUT:
                return "ETIMEDOUT";
        case EIO:
                return "EIO";
        case ENOMEM:
                return "ENOMEM";
        case EBUSY:
                return "EBUSY";
        case ECANCELED:
                return "ECANCELED";
        default:
                return "E?";
        }
}

int kl_err_code_http_status(int code)
{
        const struct kl_code_info *c;

        code = abs_code(code);
        c = kl_code_lookup(code);
        if (c)
                return c->http;
        switch (code) {
        case ENOENT:
                return 404;
        case EEXIST:
                return 409;
        case EACCES:
        case EPERM:
                return 403;
        case EINVAL:
        case ERANGE:
                return 400;
        case E2BIG:
        case EMSGSIZE:
                return 413;
        case ETIMEDOUT:
                return 504;
        default:
                return 500;
        }
}

const char *kl_err_code_reason(int code)
{
        const struct kl_code_info *c;

        code = abs_code(code);
        c = kl_code_lookup(code);
        if (c)
                return c->reason;
        switch (code) {
        case ENOENT:
                return "NotFound";
        case EEXIST:
                return "AlreadyExists";
        case EACCES:
        case EPERM:
                return "Forbidden";
        case EINVAL:
        case ERANGE:
                return "BadRequest";
        case E2BIG:
        case EMSGSIZE:
                return "RequestEntityTooLarge";
        case ETIMEDOUT:
                return "Timeout";
        default:
                return "InternalError";
        }
}

int kl_err_http_status(const struct kl_err *e)
{
        return e ? kl_err_code_http_status(e->code) : 500;
}

const char *kl_err_reason(const struct kl_err *e)
{
        return e ? kl_err_code_reason(e->code) : "InternalError";
}

const char *kl_err_msg(const struct kl_err *e)
{
        return e && e->msg ? e->msg : "";
}

static bool code_describes_content(int code)
{
        return code == EINVAL || code == ERANGE || code == E2BIG || code > 10000;
}

static int err_setv(struct kl_err **err, int neg_code, bool verbatim, const char *fmt, va_list ap)
        KL_PRINTF(4, 0);

static int err_setv(struct kl_err **err, int neg_code, bool verbatim, const char *fmt, va_list ap)
{
        struct kl_err *e;
        char *msg;
        int code = abs_code(neg_code);

        kl_assert(code != 0);
        if (!err)
                return -code;
        kl_assert(*err == NULL);

        msg = kl_vasprintf(fmt, ap);
        if (!verbatim && !code_describes_content(code)) {
                char *full = kl_asprintf("%s: %s", msg, kl_strerror(code));

                free(msg);
                msg = full;
        }
        e = kl_new0(struct kl_err);
        e->code = code;
        e->msg = msg;
        *err = e;
        return -code;
}

int kl_err_setv(struct kl_err **err, int neg_code, const char *fmt, va_list ap)
{
        return err_setv(err, neg_code, false, fmt, ap);
}

int kl_err_set_msg(struct kl_err **err, int neg_code, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = err_setv(err, neg_code, true, fmt, ap);
        va_end(ap);
        return r;
}

int kl_err_set(struct kl_err **err, int neg_code, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = kl_err_setv(err, neg_code, fmt, ap);
        va_end(ap);
        return r;
}

int kl_err_wrap(struct kl_err **err, int r, const char *fmt, ...)
{
        va_list ap;
        char *prefix, *msg;

        kl_assert(r < 0);
        if (!err)
                return r;
        va_start(ap, fmt);
        prefix = kl_vasprintf(fmt, ap);
        va_end(ap);
        if (!*err) {
                /* The callee gave only a code: make the message from it. */
                (void)kl_err_set(err, r, "%s", prefix);
                free(prefix);
                return r;
        }
        msg = kl_asprintf("%s: %s", prefix, (*err)->msg);
        free(prefix);
        free((*err)->msg);
        (*err)->msg = msg;
        return -(*err)->code;
}

void kl_err_free(struct kl_err *e)
{
        if (!e)
                return;
        free(e->msg);
        free(e);
}

void kl__assert_fail(const char *expr, const char *file, int line, const char *func)
{
        /* stdio is fine here: we are about to abort anyway. */
        fprintf(stderr, "kube-lite: assertion failed: %s (%s:%d %s)\n", expr, file, line, func);
        fflush(stderr);
        abort();
}
