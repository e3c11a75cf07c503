/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Status objects, and the errors whose wording kubectl shows users verbatim
 * (kubectl-contract §7): "Error from server (NotFound): pods "x" not found".
 */
#include "apiserver/apiserver-internal.h"

json_t *kl_apiserver__status_error(int code, const char *message, const struct kl_api_resource *res,
                                   const char *name)
{
        json_t *st = json_object();
        json_t *details = NULL;
        int http = kl_err_code_http_status(code);
        int r = 0;

        r |= json_object_set_new(st, "kind", json_string("Status"));
        r |= json_object_set_new(st, "apiVersion", json_string("v1"));
        r |= json_object_set_new(st, "metadata", json_object());
        r |= json_object_set_new(st, "status", json_string("Failure"));
        r |= json_object_set_new(st, "message", json_string(message ? message : ""));
        r |= json_object_set_new(st, "reason", json_string(kl_err_code_reason(code)));
        if (res || name) {
                details = json_object();
                if (name)
                        r |= json_object_set_new(details, "name", json_string(name));
                if (res && *res->group)
                        r |= json_object_set_new(details, "group", json_string(res->group));
                if (res)
                        r |= json_object_set_new(details, "kind", json_string(res->plural));
                r |= json_object_set_new(st, "details", details);
        }
        r |= json_object_set_new(st, "code", json_integer(http));
        kl_assert(r == 0);
        return st;
}

json_t *kl_apiserver__status_success(const struct kl_api_resource *res, const char *name,
                                     const char *uid)
{
        json_t *st = json_object();
        json_t *details = json_object();
        int r = 0;

        r |= json_object_set_new(st, "kind", json_string("Status"));
        r |= json_object_set_new(st, "apiVersion", json_string("v1"));
        r |= json_object_set_new(st, "metadata", json_object());
        r |= json_object_set_new(st, "status", json_string("Success"));
        r |= json_object_set_new(details, "name", json_string(name));
        if (*res->group)
                r |= json_object_set_new(details, "group", json_string(res->group));
        r |= json_object_set_new(details, "kind", json_string(res->plural));
        if (uid)
                r |= json_object_set_new(details, "uid", json_string(uid));
        r |= json_object_set_new(st, "details", details);
        kl_assert(r == 0);
        return st;
}

int kl_apiserver__err_not_found(struct kl_err **err, const struct kl_api_resource *res,
                                const char *name)
{
        char q[128];

        return kl_err_set_msg(err, -ENOENT, "%s \"%s\" not found",
                              kl_api_resource_qualified(res, q, sizeof(q)), name);
}

int kl_apiserver__err_conflict(struct kl_err **err, const struct kl_api_resource *res,
                               const char *name)
{
        char q[128];

        return kl_err_set_msg(err, -KL_ECONFLICT,
                              "Operation cannot be fulfilled on %s \"%s\": the object has been "
                              "modified; please apply your changes to the latest version and "
                              "try again",
                              kl_api_resource_qualified(res, q, sizeof(q)), name);
}
