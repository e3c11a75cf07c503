/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The authorizer and the review APIs (authz.c). The authorizer is asked
 * directly: system:masters may do anything, a node what join.c grants,
 * every authenticated user the self reviews and GET of the discovery and
 * health paths, nobody else anything. The reviews are POSTed over real
 * HTTPS to an in-process server with a token file of four users (admin,
 * a node, alice with no groups, bob without system:authenticated rights
 * beyond the defaults) and answered as upstream answers them: 201 with
 * the review and its status, never stored; 422 with upstream's field
 * paths for invalid specs; 400 for a rules review without a namespace or
 * a token review without a token; 403 for non-admins asking about others.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "apiserver/apiserver-internal.h"
#include "apiserver/tests/support/testenv.h"
#include "testing/testing.h"
#include "json/json.h"

/* ------------------------------------------------------------------------- */
/* The authorizer */

static const char *const admin_groups[] = { "system:masters", "system:authenticated" };
static const char *const node_groups[] = { "system:nodes", "system:authenticated" };
static const char *const authn_groups[] = { "system:authenticated" };

static const struct kl_apiserver__user admin = { "system:admin", NULL, admin_groups, 2 };
static const struct kl_apiserver__user node = { "system:node:n1", NULL, node_groups, 2 };
static const struct kl_apiserver__user alice = { "alice", NULL, authn_groups, 1 };
/* As a SubjectAccessReview names a user: no system:authenticated unless listed. */
static const struct kl_apiserver__user bare = { "bob", NULL, NULL, 0 };

struct authz_case {
        const char *name;
        const struct kl_apiserver__user *u;
        struct kl_apiserver__attrs a;
        bool want;
        const char *reason; /* NULL: none */
};

#define BASIC                                                                       \
        "RBAC: allowed by ClusterRoleBinding \"system:basic-user\" of ClusterRole " \
        "\"system:basic-user\" to Group \"system:authenticated\""
#define DISCOVERY                                                                  \
        "RBAC: allowed by ClusterRoleBinding \"system:discovery\" of ClusterRole " \
        "\"system:discovery\" to Group \"system:authenticated\""

static const struct authz_case authz_cases[] = {
        { "admin: anything",
          &admin,
          { .verb = "delete", .group = "apps", .resource = "deployments", .ns = "x" },
          true,
          NULL },
        { "admin: wildcards", &admin, { .verb = "*", .group = "*", .resource = "*" }, true, NULL },
        { "admin: any path", &admin, { .verb = "post", .path = "/metrics" }, true, NULL },
        { "node: get nodes", &node, { .verb = "get", .resource = "nodes" }, true, NULL },
        { "node: update nodes/status",
          &node,
          { .verb = "update", .resource = "nodes", .sub = "status" },
          true,
          NULL },
        { "node: delete nodes/status",
          &node,
          { .verb = "delete", .resource = "nodes", .sub = "status" },
          false,
          NULL },
        { "node: create pods",
          &node,
          { .verb = "create", .resource = "pods", .ns = "default" },
          false,
          NULL },
        { "node: lease in kube-node-lease",
          &node,
          { .verb = "update",
            .group = "coordination.k8s.io",
            .resource = "leases",
            .ns = "kube-node-lease" },
          true,
          NULL },
        { "node: lease elsewhere",
          &node,
          { .verb = "update",
            .group = "coordination.k8s.io",
            .resource = "leases",
            .ns = "default" },
          false,
          NULL },
        { "node: empty namespace is the cluster scope",
          &node,
          { .verb = "list", .resource = "pods", .ns = "", .sub = "" },
          true,
          NULL },
        { "node: '*' matches no listed verb",
          &node,
          { .verb = "*", .resource = "nodes" },
          false,
          NULL },
        { "node: the self reviews",
          &node,
          { .verb = "create",
            .group = "authorization.k8s.io",
            .resource = "selfsubjectrulesreviews" },
          true,
          BASIC },
        { "alice: pods",
          &alice,
          { .verb = "get", .resource = "pods", .ns = "default" },
          false,
          NULL },
        { "alice: selfsubjectaccessreviews",
          &alice,
          { .verb = "create",
            .group = "authorization.k8s.io",
            .resource = "selfsubjectaccessreviews" },
          true,
          BASIC },
        { "alice: selfsubjectreviews",
          &alice,
          { .verb = "create", .group = "authentication.k8s.io", .resource = "selfsubjectreviews" },
          true,
          BASIC },
        { "alice: subjectaccessreviews",
          &alice,
          { .verb = "create", .group = "authorization.k8s.io", .resource = "subjectaccessreviews" },
          false,
          NULL },
        { "alice: list selfsubjectaccessreviews",
          &alice,
          { .verb = "list",
            .group = "authorization.k8s.io",
            .resource = "selfsubjectaccessreviews" },
          false,
          NULL },
        { "alice: get /healthz", &alice, { .verb = "get", .path = "/healthz" }, true, DISCOVERY },
        { "alice: get /apis/apps/v1",
          &alice,
          { .verb = "get", .path = "/apis/apps/v1" },
          true,
          DISCOVERY },
        { "alice: get /openapi/v3",
          &alice,
          { .verb = "get", .path = "/openapi/v3" },
          true,
          DISCOVERY },
        { "alice: get /version/", &alice, { .verb = "get", .path = "/version/" }, true, DISCOVERY },
        { "alice: get /versions", &alice, { .verb = "get", .path = "/versions" }, false, NULL },
        { "alice: post /apis", &alice, { .verb = "post", .path = "/apis" }, false, NULL },
        { "alice: get /metrics", &alice, { .verb = "get", .path = "/metrics" }, false, NULL },
        { "bare user: self reviews need system:authenticated",
          &bare,
          { .verb = "create",
            .group = "authorization.k8s.io",
            .resource = "selfsubjectaccessreviews" },
          false,
          NULL },
        { "bare user: /healthz too", &bare, { .verb = "get", .path = "/healthz" }, false, NULL },
};

Test(review, authorizer_decides_as_documented)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(authz_cases); i++) {
                const struct authz_case *c = &authz_cases[i];
                const char *reason = "unset";

                cr_expect_eq(kl_apiserver__authorize(c->u, &c->a, &reason), c->want, "%s", c->name);
                cr_expect(kl_streq_null(reason, c->reason), "%s: reason %s", c->name,
                          reason ? reason : "(null)");
        }
}

Test(review, node_rules_are_the_same_decision)
{
        size_t n;
        const struct kl_apiserver__rule *rules = kl_apiserver__node_rules(&n);

        cr_assert_gt(n, 0);
        cr_expect(kl_apiserver__node_allows("system:node:n1", node_groups, 2, "delete", "", "pods",
                                            "default", NULL));
        cr_expect(!kl_apiserver__node_allows("system:node:n1", node_groups, 2, "create", "", "pods",
                                             "default", NULL));
        /* Every rule of the table allows its verbs to a node, and nothing to a non-node. */
        for (size_t i = 0; i < n; i++)
                for (size_t v = 0; rules[i].verbs[v]; v++) {
                        struct kl_apiserver__attrs a = { .verb = rules[i].verbs[v],
                                                         .group = rules[i].group,
                                                         .resource = rules[i].plural,
                                                         .sub = rules[i].sub,
                                                         .ns = rules[i].ns };

                        cr_expect(kl_apiserver__authorize(&node, &a, NULL), "%s %s",
                                  rules[i].plural, a.verb);
                        cr_expect(!kl_apiserver__authorize(&alice, &a, NULL), "%s %s",
                                  rules[i].plural, a.verb);
                }
}

/* ------------------------------------------------------------------------- */
/* The review APIs over HTTPS */

#define TOKENS                                       \
        "admintoken,system:admin,1,system:masters\n" \
        "nodetoken,system:node:n1,2,system:nodes\n"  \
        "alicetoken,alice,3\n"

static void env_start(struct kl_testenv *e)
{
        kl_autofree char *file = kl_test_write_file(kl_test_tmpdir(), "tokens.csv", TOKENS);
        const struct kl_apiserver_options so = { .token_file = file,
                                                 .sync = KL_STORE_SYNC_RELAXED };
        const struct kl_testenv_options opts = { .server = &so };

        kl_testenv_start(e, &opts);
}

/* One request with a bearer token. */
static void request(struct kl_testenv *e, const char *token, const char *method, const char *path,
                    const char *body, struct kl_testenv_reply *out)
{
        const struct kl_testenv_creds who = { .token = token };

        kl_testenv_https(e, &who, method, path, body, NULL, out);
}

/* The value at a dotted path ("status.allowed", "items.0"), or NULL. */
static const json_t *at(const json_t *v, const char *path)
{
        kl_autofree char *copy = kl_strdup(path);
        char *save = NULL;

        for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save)) {
                unsigned idx;

                if (json_is_array(v))
                        v = kl_parse_uint(k, &idx) == 0 ? json_array_get(v, idx) : NULL;
                else
                        v = json_object_get(v, k);
        }
        return v;
}

#define SSAR "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
#define SSRR "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
#define SAR  "/apis/authorization.k8s.io/v1/subjectaccessreviews"
#define LSAR "/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews"
#define SSR  "/apis/authentication.k8s.io/v1/selfsubjectreviews"
#define TR   "/apis/authentication.k8s.io/v1/tokenreviews"

/* Up to four (path, compact JSON) expectations on the answer. */
struct expect {
        const char *path;
        const char *json;
};

struct http_case {
        const char *name;
        const char *token;
        const char *method;
        const char *url;
        const char *body;
        int status;
        struct expect expect[4];
};

static const struct http_case http_cases[] = {
        /* SelfSubjectAccessReview */
        { "admin may create pods",
          "admintoken",
          "POST",
          SSAR,
          "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\","
          "\"spec\":{\"resourceAttributes\":{\"namespace\":\"default\",\"verb\":\"create\","
          "\"resource\":\"pods\"}}}",
          201,
          { { "status", "{\"allowed\":true}" },
            { "metadata", "{\"creationTimestamp\":null}" },
            { "kind", "\"SelfSubjectAccessReview\"" },
            { "spec.resourceAttributes.verb", "\"create\"" } } },
        { "dryRun is accepted",
          "admintoken",
          "POST",
          SSAR "?dryRun=All",
          "{\"spec\":{\"nonResourceAttributes\":{\"path\":\"/metrics\",\"verb\":\"get\"}}}",
          201,
          { { "status", "{\"allowed\":true}" }, { "apiVersion", "\"authorization.k8s.io/v1\"" } } },
        { "a node may update its lease",
          "nodetoken",
          "POST",
          SSAR,
          "{\"spec\":{\"resourceAttributes\":{\"namespace\":\"kube-node-lease\",\"verb\":"
          "\"update\",\"group\":\"coordination.k8s.io\",\"resource\":\"leases\"}}}",
          201,
          { { "status", "{\"allowed\":true}" } } },
        { "a node may not create pods",
          "nodetoken",
          "POST",
          SSAR,
          "{\"spec\":{\"resourceAttributes\":{\"namespace\":\"default\",\"verb\":\"create\","
          "\"resource\":\"pods\"}}}",
          201,
          { { "status", "{\"allowed\":false}" } } },
        { "alice may get /healthz",
          "alicetoken",
          "POST",
          SSAR,
          "{\"spec\":{\"nonResourceAttributes\":{\"path\":\"/healthz\",\"verb\":\"get\"}}}",
          201,
          { { "status.allowed", "true" },
            { "status.reason",
              "\"RBAC: allowed by ClusterRoleBinding \\\"system:discovery\\\" of ClusterRole "
              "\\\"system:discovery\\\" to Group \\\"system:authenticated\\\"\"" } } },
        { "alice may not list secrets",
          "alicetoken",
          "POST",
          SSAR,
          "{\"spec\":{\"resourceAttributes\":{\"verb\":\"list\",\"resource\":\"secrets\"}}}",
          201,
          { { "status", "{\"allowed\":false}" } } },
        { "neither attribute kind is 422",
          "alicetoken",
          "POST",
          SSAR,
          "{\"spec\":{}}",
          422,
          { { "message", "\"SelfSubjectAccessReview.authorization.k8s.io \\\"\\\" is invalid: "
                         "spec.resourceAttributes: Invalid value: \\\"null\\\": exactly one of "
                         "nonResourceAttributes or resourceAttributes must be specified\"" },
            { "details.causes.0.field", "\"spec.resourceAttributes\"" },
            { "reason", "\"Invalid\"" } } },
        { "both attribute kinds are 422",
          "alicetoken",
          "POST",
          SSAR,
          "{\"spec\":{\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"pods\"},"
          "\"nonResourceAttributes\":{\"path\":\"/x\",\"verb\":\"get\"}}}",
          422,
          { { "details.causes.0.field", "\"spec.nonResourceAttributes\"" },
            { "details.causes.0.message",
              "\"Invalid value: authorization.NonResourceAttributes{Path:\\\"/x\\\", "
              "Verb:\\\"get\\\"}: cannot be specified in combination with "
              "resourceAttributes\"" } } },
        { "metadata must be empty",
          "alicetoken",
          "POST",
          SSAR,
          "{\"metadata\":{\"name\":\"x\",\"generation\":0},\"spec\":{\"resourceAttributes\":"
          "{\"verb\":\"get\",\"resource\":\"pods\"}}}",
          422,
          { { "details.causes.0.field", "\"metadata\"" } } },
        { "zero metadata is empty",
          "alicetoken",
          "POST",
          SSAR,
          "{\"metadata\":{\"generation\":0,\"creationTimestamp\":null},\"spec\":{"
          "\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"pods\"}}}",
          201,
          { { "status", "{\"allowed\":false}" } } },
        { "a body that is not an object is 400",
          "alicetoken",
          "POST",
          SSAR,
          "[]",
          400,
          { { "reason", "\"BadRequest\"" } } },
        { "reviews are not stored: no GET",
          "admintoken",
          "GET",
          SSAR,
          NULL,
          405,
          { { "reason", "\"MethodNotAllowed\"" } } },
        { "a user that may not list them is forbidden first",
          "alicetoken",
          "GET",
          SSAR,
          NULL,
          403,
          { { "reason", "\"Forbidden\"" } } },

        /* SelfSubjectRulesReview */
        { "admin's rules are everything",
          "admintoken",
          "POST",
          SSRR,
          "{\"spec\":{\"namespace\":\"default\"}}",
          201,
          { { "status.resourceRules.0",
              "{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],\"resources\":[\"*\"]}" },
            { "status.nonResourceRules.0", "{\"verbs\":[\"*\"],\"nonResourceURLs\":[\"*\"]}" },
            { "status.incomplete", "false" },
            { "spec", "{}" } } },
        { "a node's rules are join.c's, leases only in kube-node-lease",
          "nodetoken",
          "POST",
          SSRR,
          "{\"spec\":{\"namespace\":\"kube-node-lease\"}}",
          201,
          { { "status.resourceRules.0",
              "{\"verbs\":[\"get\",\"list\",\"watch\",\"create\",\"update\",\"patch\"],"
              "\"apiGroups\":[\"\"],\"resources\":[\"nodes\"]}" },
            { "status.resourceRules.1",
              "{\"verbs\":[\"get\",\"update\",\"patch\"],\"apiGroups\":[\"\"],"
              "\"resources\":[\"nodes/status\"]}" },
            { "status.resourceRules.2.resources", "[\"leases\"]" } } },
        { "alice's rules are the defaults",
          "alicetoken",
          "POST",
          SSRR,
          "{\"spec\":{\"namespace\":\"default\"}}",
          201,
          { { "status.resourceRules.0",
              "{\"verbs\":[\"create\"],\"apiGroups\":[\"authorization.k8s.io\"],"
              "\"resources\":[\"selfsubjectaccessreviews\"]}" },
            { "status.resourceRules.3", "null" },
            { "status.nonResourceRules.0.verbs", "[\"get\"]" },
            { "status.nonResourceRules.1", "null" } } },
        { "a rules review needs a namespace",
          "alicetoken",
          "POST",
          SSRR,
          "{\"spec\":{}}",
          400,
          { { "message", "\"no namespace on request\"" } } },

        /* SubjectAccessReview, LocalSubjectAccessReview */
        { "admin asks about a node",
          "admintoken",
          "POST",
          SAR,
          "{\"spec\":{\"user\":\"system:node:n1\",\"groups\":[\"system:nodes\"],"
          "\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"nodes\"}}}",
          201,
          { { "status", "{\"allowed\":true}" },
            { "kind", "\"SubjectAccessReview\"" },
            { "spec.user", "\"system:node:n1\"" } } },
        { "admin asks about a user without groups",
          "admintoken",
          "POST",
          SAR,
          "{\"spec\":{\"user\":\"bob\",\"resourceAttributes\":{\"verb\":\"create\",\"group\":"
          "\"authorization.k8s.io\",\"resource\":\"selfsubjectaccessreviews\"}}}",
          201,
          { { "status", "{\"allowed\":false}" } } },
        { "a subject access review names a user or a group",
          "admintoken",
          "POST",
          SAR,
          "{\"spec\":{\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"nodes\"}}}",
          422,
          { { "details.causes.0.field", "\"spec.user\"" },
            { "details.causes.0.message",
              "\"Invalid value: \\\"\\\": at least one of user or group must be specified\"" } } },
        { "alice may not ask about others",
          "alicetoken",
          "POST",
          SAR,
          "{\"spec\":{\"user\":\"x\",\"resourceAttributes\":{\"verb\":\"get\"}}}",
          403,
          { { "message",
              "\"subjectaccessreviews.authorization.k8s.io is forbidden: User \\\"alice\\\" "
              "cannot create resource \\\"subjectaccessreviews\\\" in API group "
              "\\\"authorization.k8s.io\\\" at the cluster scope\"" } } },
        { "a local review gets the URL's namespace",
          "admintoken",
          "POST",
          LSAR,
          "{\"spec\":{\"groups\":[\"system:masters\"],\"resourceAttributes\":{\"namespace\":"
          "\"default\",\"verb\":\"delete\",\"resource\":\"pods\"}}}",
          201,
          { { "status", "{\"allowed\":true}" },
            { "metadata", "{\"namespace\":\"default\",\"creationTimestamp\":null}" } } },
        { "a local review's attributes must match its namespace",
          "admintoken",
          "POST",
          LSAR,
          "{\"spec\":{\"user\":\"x\",\"resourceAttributes\":{\"namespace\":\"other\","
          "\"verb\":\"get\",\"resource\":\"pods\"}}}",
          422,
          { { "details.causes.0.field", "\"spec.resourceAttributes.namespace\"" },
            { "details.causes.0.message",
              "\"Invalid value: \\\"other\\\": must match metadata.namespace\"" } } },
        { "a local review has no non-resource attributes",
          "admintoken",
          "POST",
          LSAR,
          "{\"spec\":{\"user\":\"x\",\"nonResourceAttributes\":{\"path\":\"/x\"}}}",
          422,
          { { "details.causes.0.field", "\"spec.nonResourceAttributes\"" } } },
        { "a local review's object namespace must match the URL's",
          "admintoken",
          "POST",
          LSAR,
          "{\"metadata\":{\"namespace\":\"other\"},\"spec\":{\"user\":\"x\"}}",
          400,
          { { "message",
              "\"the namespace of the provided object does not match the namespace sent on "
              "the request\"" } } },

        /* SelfSubjectReview */
        { "alice is alice",
          "alicetoken",
          "POST",
          SSR,
          "{}",
          201,
          { { "status.userInfo",
              "{\"username\":\"alice\",\"uid\":\"3\",\"groups\":[\"system:authenticated\"]}" },
            { "kind", "\"SelfSubjectReview\"" },
            { "apiVersion", "\"authentication.k8s.io/v1\"" } } },
        { "a node is a node",
          "nodetoken",
          "POST",
          SSR,
          "{}",
          201,
          { { "status.userInfo.groups", "[\"system:nodes\",\"system:authenticated\"]" },
            { "status.userInfo.username", "\"system:node:n1\"" } } },

        /* TokenReview */
        { "admin reviews a node's token",
          "admintoken",
          "POST",
          TR,
          "{\"spec\":{\"token\":\"nodetoken\"}}",
          201,
          { { "status",
              "{\"authenticated\":true,\"user\":{\"username\":\"system:node:n1\",\"uid\":\"2\","
              "\"groups\":[\"system:nodes\",\"system:authenticated\"]}}" },
            { "spec.token", "\"nodetoken\"" } } },
        { "an unknown token is not authenticated",
          "admintoken",
          "POST",
          TR,
          "{\"spec\":{\"token\":\"abcdef.0123456789abcdef\"}}",
          201,
          { { "status", "{\"user\":{}}" } } },
        { "no API audiences: asking for one authenticates nothing",
          "admintoken",
          "POST",
          TR,
          "{\"spec\":{\"token\":\"alicetoken\",\"audiences\":[\"api\"]}}",
          201,
          { { "status", "{\"user\":{}}" } } },
        { "a token review needs a token",
          "admintoken",
          "POST",
          TR,
          "{\"spec\":{}}",
          400,
          { { "message", "\"token is required for TokenReview in authentication\"" } } },
        { "alice may not review tokens",
          "alicetoken",
          "POST",
          TR,
          "{\"spec\":{\"token\":\"admintoken\"}}",
          403,
          { { "reason", "\"Forbidden\"" } } },

        /* Discovery goes through the same authorizer. */
        { "alice may read discovery",
          "alicetoken",
          "GET",
          "/apis",
          NULL,
          200,
          { { "kind", "\"APIGroupList\"" } } },
        { "alice may not post to discovery",
          "alicetoken",
          "POST",
          "/apis",
          "{}",
          403,
          { { "message", "\"forbidden: User \\\"alice\\\" cannot post path \\\"/apis\\\"\"" } } },
};

Test(review, reviews_answer_as_upstream)
{
        struct kl_testenv e;

        env_start(&e);
        for (size_t i = 0; i < KL_ARRAY_SIZE(http_cases); i++) {
                const struct http_case *hc = &http_cases[i];
                json_auto_t *got = NULL;
                struct kl_testenv_reply c;

                request(&e, hc->token, hc->method, hc->url, hc->body, &c);
                cr_expect_eq(c.status, hc->status, "%s: got %d: %s", hc->name, c.status, c.body);
                cr_assert_eq(
                        kl_json_decode(c.body, strlen(c.body), KL_JSON_DEFAULT_MAX, &got, NULL), 0,
                        "%s: body %s", hc->name, c.body);
                for (size_t j = 0; j < KL_ARRAY_SIZE(hc->expect) && hc->expect[j].path; j++) {
                        const struct expect *x = &hc->expect[j];
                        const json_t *v = at(got, x->path);
                        json_auto_t *want = NULL;

                        cr_assert_eq(kl_json_decode(x->json, strlen(x->json), KL_JSON_DEFAULT_MAX,
                                                    &want, NULL),
                                     0, "%s: bad expectation %s", hc->name, x->json);
                        cr_expect(v ? json_equal(v, want) : json_is_null(want),
                                  "%s: %s: want %s in %s", hc->name, x->path, x->json, c.body);
                }
                kl_testenv_reply_release(&c);
        }
        kl_testenv_stop(&e);
}

Test(review, self_subject_review_is_stamped_and_nothing_is_stored)
{
        struct kl_testenv e;
        struct kl_testenv_reply c;
        json_auto_t *got = NULL;
        const char *ts;
        int64_t when;

        env_start(&e);
        request(&e, "admintoken", "POST", SSR, "{}", &c);
        cr_assert_eq(c.status, 201, "%s", c.body);
        cr_assert_eq(kl_json_decode(c.body, strlen(c.body), KL_JSON_DEFAULT_MAX, &got, NULL), 0);
        ts = json_string_value(at(got, "metadata.creationTimestamp"));
        cr_assert_not_null(ts, "%s", c.body);
        cr_expect_eq(kl_rfc3339_parse(ts, &when), 0, "%s", ts);
        kl_testenv_reply_release(&c);
        /* The store has no key of the review groups. */
        {
                kl_cleanup(kl_store_list_freep) struct kl_store_list *l = NULL;

                cr_assert_eq(kl_store_list(e.server->store, "/registry/authorization.k8s.io/", 0, 0,
                                           NULL, &l, NULL),
                             0);
                cr_expect_eq(l->n, 0);
        }
        kl_testenv_stop(&e);
}
