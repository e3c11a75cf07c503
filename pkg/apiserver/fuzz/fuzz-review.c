/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The review APIs (authz.c) over any decoded body: the first byte picks the
 * review kind and the caller (admin, a node, a plain user), the rest is the
 * JSON body. Whatever comes in, the answer is a review of the right kind
 * with a status object (0), upstream's 422 Status (-KL_EINVALID) or an
 * error with a message; never a crash, a leak or an assertion. TokenReview
 * needs a server (the token file and bootstrap tokens) and is left to
 * test-review.c.
 */
#include <string.h>

#include "apiserver/apiserver-internal.h"
#include "testing/fuzz.h"
#include "json/json.h"

static const char *const plurals[] = {
        "selfsubjectaccessreviews", "subjectaccessreviews", "localsubjectaccessreviews",
        "selfsubjectrulesreviews",  "selfsubjectreviews",
};

static const char *const admin_groups[] = { "system:masters", "system:authenticated" };
static const char *const node_groups[] = { "system:nodes", "system:authenticated" };
static const char *const user_groups[] = { "system:authenticated" };

static const struct kl_apiserver__user users[] = {
        { "system:admin", NULL, admin_groups, 2 },
        { "system:node:n1", NULL, node_groups, 2 },
        { "alice", "3", user_groups, 1 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const struct kl_api_resource *res;
        const struct kl_apiserver__user *u;
        struct kl_pool pool = KL_POOL_INIT;
        struct kl_err *err = NULL;
        json_t *body = NULL;
        json_t *out = NULL;
        const char *group;
        int r;

        if (size < 1)
                return 0;
        group = data[0] % KL_ARRAY_SIZE(plurals) == 4 ? "authentication.k8s.io"
                                                      : "authorization.k8s.io";
        res = kl_api_resource_find(group, "v1", plurals[data[0] % KL_ARRAY_SIZE(plurals)]);
        kl_assert(res);
        u = &users[(data[0] / KL_ARRAY_SIZE(plurals)) % KL_ARRAY_SIZE(users)];
        if (kl_json_decode((const char *)data + 1, size - 1, KL_JSON_DEFAULT_MAX, &body, NULL) < 0)
                return 0;
        r = kl_apiserver__review(NULL, u, res, res->namespaced ? "default" : NULL, body, &pool,
                                 &out, &err);
        if (r == 0) {
                kl_assert(json_is_object(out));
                kl_assert(
                        kl_streq_null(json_string_value(json_object_get(out, "kind")), res->kind));
                kl_assert(json_is_object(json_object_get(out, "status")));
                kl_assert(!err);
        } else if (r == -KL_EINVALID) {
                kl_assert(json_integer_value(json_object_get(out, "code")) == 422);
                kl_assert(err && *kl_err_msg(err));
        } else {
                kl_assert(!out);
                kl_assert(err && *kl_err_msg(err));
        }
        json_decref(out);
        kl_err_free(err);
        kl_pool_release(&pool);
        return 0;
}
