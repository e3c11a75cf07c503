/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authorization, and the review APIs that ask it (kubectl-contract §20):
 *
 *   kl_apiserver__authorize()  the one authorizer until RBAC exists. The
 *                      request path (http-api.c) and every review below
 *                      call it, so `kubectl auth can-i` can never disagree
 *                      with what a request gets. system:masters may do
 *                      everything (upstream's privileged-group authorizer,
 *                      no reason given); a node what join.c's table grants;
 *                      every authenticated user what upstream's default
 *                      system:basic-user (the self reviews), system:discovery
 *                      and system:public-info-viewer roles grant (GET of
 *                      /api*, /apis*, /openapi*, /version, /healthz, /livez,
 *                      /readyz). Nothing is denied explicitly: the rest is
 *                      "no opinion", i.e. forbidden.
 *   kl_apiserver__authenticate_token()  the bearer-token half of
 *                      authentication, shared by the request path and
 *                      TokenReview: the token file, then bootstrap tokens.
 *   kl_apiserver__review()  POSTs of the review kinds, answered 201 with the
 *                      object and its status, never stored:
 *     SelfSubjectAccessReview   the caller, resource or non-resource attributes;
 *     SubjectAccessReview       spec.user/groups (only who may create it: admin);
 *     LocalSubjectAccessReview  the same in the URL's namespace;
 *     SelfSubjectRulesReview    the caller's rules in spec.namespace (400 without);
 *     SelfSubjectReview         the caller's user info;
 *     TokenReview               spec.token authenticated as a request would be.
 *   Validation errors are upstream's (pkg/apis/authorization/validation):
 *   a 422 naming spec.resourceAttributes / spec.nonResourceAttributes /
 *   spec.user / metadata.
 *
 * kube-lite has no API audiences (nothing issues audience-bound tokens):
 * a TokenReview without spec.audiences reports none, one with audiences
 * is not authenticated (upstream's audience-agnostic wrapper with an empty
 * implicit set).
 *
 * Everything runs on the loop thread; strings of users and attributes are
 * borrowed from the request (its pool or its decoded body).
 */
#include <string.h>

#include "api/selector.h"
#include "api/validate.h"
#include "apiserver/apiserver-internal.h"
#include "json/json.h"

#define AUTHZ_GROUP "authorization.k8s.io"
#define AUTHN_GROUP "authentication.k8s.io"

/* ------------------------------------------------------------------------- */
/* What every authenticated user may do */

static const char *const verbs_create[] = { "create", NULL };
static const char *const verbs_get[] = { "get", NULL };

/* Upstream's system:basic-user ClusterRole. */
static const struct kl_apiserver__rule basic_rules[] = {
        { AUTHZ_GROUP, "selfsubjectaccessreviews", NULL, NULL, verbs_create },
        { AUTHZ_GROUP, "selfsubjectrulesreviews", NULL, NULL, verbs_create },
        { AUTHN_GROUP, "selfsubjectreviews", NULL, NULL, verbs_create },
};
#define BASIC_REASON                                                                \
        "RBAC: allowed by ClusterRoleBinding \"system:basic-user\" of ClusterRole " \
        "\"system:basic-user\" to Group \"system:authenticated\""

/* Upstream's system:discovery ClusterRole (a superset of system:public-info-viewer's). */
static const char *const discovery_urls[] = { "/api",     "/api/*",   "/apis",     "/apis/*",
                                              "/healthz", "/livez",   "/openapi",  "/openapi/*",
                                              "/readyz",  "/version", "/version/", NULL };
#define DISCOVERY_REASON                                                           \
        "RBAC: allowed by ClusterRoleBinding \"system:discovery\" of ClusterRole " \
        "\"system:discovery\" to Group \"system:authenticated\""

static const char *const star[] = { "*", NULL };

static bool has_group(const struct kl_apiserver__user *u, const char *g)
{
        for (size_t i = 0; i < u->n_groups; i++)
                if (kl_streq(u->groups[i], g))
                        return true;
        return false;
}

static const char *nonempty(const char *s)
{
        return kl_isempty(s) ? NULL : s;
}

bool kl_apiserver__rule_allows(const struct kl_apiserver__rule *rule,
                               const struct kl_apiserver__attrs *a)
{
        if (!kl_streq(rule->group, a->group ? a->group : "") ||
            !kl_streq_null(rule->plural, nonempty(a->resource)))
                return false;
        if (!kl_streq_null(rule->sub, nonempty(a->sub)))
                return false;
        if (rule->ns && !kl_streq_null(rule->ns, nonempty(a->ns)))
                return false;
        return kl_strv_contains((char *const *)rule->verbs, a->verb);
}

/* RBAC's NonResourceURLMatches: "*" is everything, a trailing '*' a prefix. */
static bool url_matches(const char *rule, const char *path)
{
        size_t n = strlen(rule);

        if (kl_streq(rule, "*"))
                return true;
        if (n > 0 && rule[n - 1] == '*')
                return strncmp(rule, path, n - 1) == 0;
        return kl_streq(rule, path);
}

bool kl_apiserver__authorize(const struct kl_apiserver__user *u,
                             const struct kl_apiserver__attrs *a, const char **ret_reason)
{
        const char *reason = NULL;
        bool ok = false;

        if (has_group(u, KL_APISERVER_ADMIN_GROUP)) {
                ok = true;
        } else if (!kl_isempty(a->resource)) {
                ok = kl_apiserver__node_allows(u->name, u->groups, u->n_groups, a->verb, a->group,
                                               a->resource, nonempty(a->ns), nonempty(a->sub));
                for (size_t i = 0; !ok && has_group(u, KL_APISERVER_AUTHENTICATED_GROUP) &&
                                   i < KL_ARRAY_SIZE(basic_rules);
                     i++)
                        if (kl_apiserver__rule_allows(&basic_rules[i], a)) {
                                ok = true;
                                reason = BASIC_REASON;
                        }
        } else if (a->path && kl_streq_null(a->verb, "get") &&
                   has_group(u, KL_APISERVER_AUTHENTICATED_GROUP)) {
                for (size_t i = 0; !ok && discovery_urls[i]; i++)
                        ok = url_matches(discovery_urls[i], a->path);
                if (ok)
                        reason = DISCOVERY_REASON;
        }
        if (ret_reason)
                *ret_reason = reason;
        return ok;
}

/* ------------------------------------------------------------------------- */
/* Authentication */

int kl_apiserver__authenticate_token(struct kl_apiserver *s, const char *token,
                                     struct kl_pool *pool, struct kl_apiserver__user *ret)
{
        struct kl_apiserver__user u = { 0 };
        int r;

        if (s->tokens) {
                const struct kl_pki_token_user *tu =
                        kl_pki_token_file_lookup(s->tokens, token, strlen(token));

                if (tu) {
                        u.name = tu->name;
                        u.uid = tu->uid;
                        u.groups = tu->groups;
                        u.n_groups = kl_strv_length((char *const *)tu->groups);
                        *ret = u;
                        return 0;
                }
        }
        r = kl_apiserver__bootstrap_authenticate(s, token, pool, &u.name, &u.groups, &u.n_groups);
        if (r == 0) {
                *ret = u;
                return 0;
        }
        /* Without a token file, a token that is not bootstrap-shaped is nobody's business here. */
        if (r == -ENOENT && !s->tokens)
                return -ENOENT;
        return -KL_EUNAUTHORIZED;
}

void kl_apiserver__user_add_authenticated(struct kl_apiserver__user *u, struct kl_pool *pool)
{
        const char **groups;

        if (has_group(u, KL_APISERVER_AUTHENTICATED_GROUP))
                return;
        groups = kl_pool_calloc(pool, u->n_groups + 1, sizeof(*groups));
        for (size_t i = 0; i < u->n_groups; i++)
                groups[i] = u->groups[i];
        groups[u->n_groups] = KL_APISERVER_AUTHENTICATED_GROUP;
        u->groups = groups;
        u->n_groups++;
}

/* ------------------------------------------------------------------------- */
/* Reviews: helpers */

bool kl_apiserver__is_review(const struct kl_api_resource *res)
{
        return kl_streq(res->group, AUTHZ_GROUP) || kl_streq(res->group, AUTHN_GROUP);
}

static const char *str_of(const json_t *o, const char *key)
{
        const char *v = json_string_value(json_object_get(o, key));

        return v ? v : "";
}

/* A pointer member as Go sees it: present unless absent or null. */
static const json_t *ptr_member(const json_t *o, const char *key)
{
        const json_t *v = json_object_get(o, key);

        return json_is_object(v) ? v : NULL;
}

/* Whether `v` is a zero value: null, "", 0, false, or an object/array of zero values. */
static bool is_zero(const json_t *v)
{
        const char *key;
        json_t *m;

        switch (json_typeof(v)) {
        case JSON_NULL:
        case JSON_FALSE:
                return true;
        case JSON_STRING:
                return json_string_length(v) == 0;
        case JSON_INTEGER:
                return json_integer_value(v) == 0;
        case JSON_REAL:
                return json_real_value(v) == 0;
        case JSON_ARRAY:
                return json_array_size(v) == 0;
        case JSON_OBJECT:
                json_object_foreach((json_t *)v, key, m) {
                        if (!is_zero(m))
                                return false;
                }
                return true;
        default:
                return false;
        }
}

/* The %#v upstream prints for an internal NonResourceAttributes, owned. */
static char *non_resource_value(const json_t *nra)
{
        struct kl_buf b = KL_BUF_INIT;
        const char *path = str_of(nra, "path"), *verb = str_of(nra, "verb");

        (void)kl_buf_puts(&b, "authorization.NonResourceAttributes{Path:");
        (void)kl_api_go_quote(&b, path, strlen(path));
        (void)kl_buf_puts(&b, ", Verb:");
        (void)kl_api_go_quote(&b, verb, strlen(verb));
        (void)kl_buf_puts(&b, "}");
        return kl_buf_detach(&b, NULL);
}

/*
 * ValidateSubjectAccessReviewSpec / ValidateSelfSubjectAccessReviewSpec:
 * exactly one kind of attributes; a SubjectAccessReview names a user or a
 * group. (ValidateResourceAttributes only checks field and label selectors,
 * which kube-lite does not evaluate.)
 */
static void validate_spec(const json_t *spec, bool subject, struct kl_api_field_errors *errs)
{
        const json_t *ra = ptr_member(spec, "resourceAttributes");
        const json_t *nra = ptr_member(spec, "nonResourceAttributes");

        if (ra && nra)
                kl_api_field_errors_add_take(errs, KL_API_FIELD_ERR_INVALID,
                                             "spec.nonResourceAttributes", non_resource_value(nra),
                                             "cannot be specified in combination with "
                                             "resourceAttributes");
        if (!ra && !nra)
                kl_api_field_errors_add_take(errs, KL_API_FIELD_ERR_INVALID,
                                             "spec.resourceAttributes", kl_api_go_quoted("null"),
                                             "exactly one of nonResourceAttributes or "
                                             "resourceAttributes must be specified");
        if (subject && kl_isempty(str_of(spec, "user")) &&
            json_array_size(json_object_get(spec, "groups")) == 0)
                kl_api_field_errors_add_take(errs, KL_API_FIELD_ERR_INVALID, "spec.user",
                                             kl_api_go_quoted(str_of(spec, "user")),
                                             "at least one of user or group must be specified");
}

/* Upstream: metadata (but managedFields and, for local reviews, namespace) must be empty. */
static void validate_meta(const json_t *meta, bool local, struct kl_api_field_errors *errs)
{
        json_auto_t *rest = json_is_object(meta) ? json_copy((json_t *)meta) : json_object();
        struct kl_buf text = KL_BUF_INIT;

        (void)json_object_del(rest, "managedFields");
        if (local)
                (void)json_object_del(rest, "namespace");
        if (is_zero(rest)) {
                kl_buf_release(&text);
                return;
        }
        /* Upstream prints the Go struct (%#v); the JSON says the same thing readably. */
        (void)kl_json_encode(rest, 0, &text, NULL);
        kl_api_field_errors_add_take(errs, KL_API_FIELD_ERR_INVALID, "metadata",
                                     kl_buf_detach(&text, NULL), "must be empty");
}

/* The review as answered: the body, its kind, metadata.creationTimestamp null, a new status. */
static json_t *answer_of(json_t *body, const struct kl_api_resource *res)
{
        char api_version[128];
        json_t *meta = json_object_get(body, "metadata");

        (void)json_object_set_new(
                body, "apiVersion",
                json_string(kl_api_resource_api_version(res, api_version, sizeof(api_version))));
        (void)json_object_set_new(body, "kind", json_string(res->kind));
        if (!json_is_object(meta)) {
                meta = json_object();
                (void)json_object_set_new(body, "metadata", meta);
        }
        if (!json_object_get(meta, "creationTimestamp"))
                (void)json_object_set_new(meta, "creationTimestamp", json_null());
        (void)json_object_del(body, "status");
        return body;
}

static int invalid(const struct kl_api_resource *res, const struct kl_api_field_errors *errs,
                   json_t **ret, struct kl_err **err)
{
        json_t *st = kl_api_validate_status(res, "", errs);

        (void)kl_err_set_msg(err, -KL_EINVALID, "%s",
                             json_string_value(json_object_get(st, "message")));
        *ret = st;
        return -KL_EINVALID;
}

/* Upstream's ResourceAttributesFrom / NonResourceAttributesFrom. */
static void attrs_of(const json_t *spec, struct kl_apiserver__attrs *a)
{
        const json_t *ra = ptr_member(spec, "resourceAttributes");

        memset(a, 0, sizeof(*a));
        if (ra) {
                a->verb = str_of(ra, "verb");
                a->group = str_of(ra, "group");
                a->resource = str_of(ra, "resource");
                a->sub = str_of(ra, "subresource");
                a->ns = str_of(ra, "namespace");
                a->name = str_of(ra, "name");
                return;
        }
        ra = ptr_member(spec, "nonResourceAttributes");
        a->verb = str_of(ra, "verb");
        a->path = str_of(ra, "path");
}

static json_t *access_status(const struct kl_apiserver__user *u, const json_t *spec)
{
        struct kl_apiserver__attrs a;
        const char *reason = NULL;
        bool ok;
        json_t *st;

        attrs_of(spec, &a);
        ok = kl_apiserver__authorize(u, &a, &reason);
        st = json_pack("{sb}", "allowed", ok);
        if (reason)
                (void)json_object_set_new(st, "reason", json_string(reason));
        return st;
}

/* ------------------------------------------------------------------------- */
/* Reviews */

static int self_access_review(const struct kl_apiserver__user *u, const struct kl_api_resource *res,
                              json_t *body, json_t **ret, struct kl_err **err)
{
        kl_autofielderrs struct kl_api_field_errors errs = KL_API_FIELD_ERRORS_INIT;
        json_auto_t *b = body;
        const json_t *spec = json_object_get(b, "spec");

        validate_spec(spec, false, &errs);
        validate_meta(json_object_get(b, "metadata"), false, &errs);
        if (errs.n > 0)
                return invalid(res, &errs, ret, err);
        (void)answer_of(b, res);
        (void)json_object_set_new(b, "status", access_status(u, spec));
        *ret = KL_TAKE_PTR(b);
        return 0;
}

static int subject_access_review(const struct kl_api_resource *res, const char *ns, json_t *body,
                                 struct kl_pool *pool, json_t **ret, struct kl_err **err)
{
        kl_autofielderrs struct kl_api_field_errors errs = KL_API_FIELD_ERRORS_INIT;
        json_auto_t *b = body;
        const json_t *spec = json_object_get(b, "spec");
        const json_t *groups = json_object_get(spec, "groups");
        struct kl_apiserver__user u = { 0 };
        const char **gv;
        size_t n = 0;

        if (ns) {
                json_t *meta = json_object_get(b, "metadata");
                const char *have = json_string_value(json_object_get(meta, "namespace"));

                /* The create handler's EnsureObjectNamespaceMatchesRequestNamespace. */
                if (!kl_isempty(have) && !kl_streq(have, ns))
                        return kl_err_set_msg(err, -EINVAL,
                                              "the namespace of the provided object does not "
                                              "match the namespace sent on the request");
                if (!json_is_object(meta)) {
                        meta = json_object();
                        (void)json_object_set_new(b, "metadata", meta);
                }
                (void)json_object_set_new(meta, "namespace", json_string(ns));
        }
        validate_spec(spec, true, &errs);
        validate_meta(json_object_get(b, "metadata"), ns != NULL, &errs);
        if (ns) {
                const json_t *ra = ptr_member(spec, "resourceAttributes");
                const json_t *nra = ptr_member(spec, "nonResourceAttributes");

                if (ra && !kl_streq(str_of(ra, "namespace"), ns))
                        kl_api_field_errors_add_take(&errs, KL_API_FIELD_ERR_INVALID,
                                                     "spec.resourceAttributes.namespace",
                                                     kl_api_go_quoted(str_of(ra, "namespace")),
                                                     "must match metadata.namespace");
                if (nra)
                        kl_api_field_errors_add_take(
                                &errs, KL_API_FIELD_ERR_INVALID, "spec.nonResourceAttributes",
                                non_resource_value(nra), "disallowed on this kind of request");
        }
        if (errs.n > 0)
                return invalid(res, &errs, ret, err);
        /* The body is bounded by the request limit; so is this array. */
        gv = kl_pool_calloc(pool, json_array_size(groups) + 1, sizeof(*gv));
        for (size_t i = 0; i < json_array_size(groups); i++) {
                const char *g = json_string_value(json_array_get(groups, i));

                if (g)
                        gv[n++] = g;
        }
        u.name = str_of(spec, "user");
        u.uid = str_of(spec, "uid");
        u.groups = gv;
        u.n_groups = n;
        (void)answer_of(b, res);
        (void)json_object_set_new(b, "status", access_status(&u, spec));
        *ret = KL_TAKE_PTR(b);
        return 0;
}

static json_t *strv_json(const char *const *v)
{
        json_t *a = json_array();

        for (size_t i = 0; v && v[i]; i++)
                (void)json_array_append_new(a, json_string(v[i]));
        return a;
}

static json_t *resource_rule(const struct kl_apiserver__rule *rule)
{
        kl_autofree char *res = rule->sub ? kl_asprintf("%s/%s", rule->plural, rule->sub) : NULL;

        return json_pack("{sos[s]s[s]}", "verbs", strv_json(rule->verbs), "apiGroups", rule->group,
                         "resources", res ? res : rule->plural);
}

static int self_rules_review(const struct kl_apiserver__user *u, const struct kl_api_resource *res,
                             json_t *body, json_t **ret, struct kl_err **err)
{
        json_auto_t *b = body;
        const char *ns = str_of(json_object_get(b, "spec"), "namespace");
        json_t *rules, *urls;
        char api_version[128];

        if (kl_isempty(ns))
                return kl_err_set_msg(err, -EINVAL, "no namespace on request");
        rules = json_array();
        urls = json_array();
        if (has_group(u, KL_APISERVER_ADMIN_GROUP)) {
                (void)json_array_append_new(rules,
                                            json_pack("{sos[s]s[s]}", "verbs", strv_json(star),
                                                      "apiGroups", "*", "resources", "*"));
                (void)json_array_append_new(urls, json_pack("{sos[s]}", "verbs", strv_json(star),
                                                            "nonResourceURLs", "*"));
        }
        if (kl_apiserver__is_node(u->name, u->groups, u->n_groups)) {
                size_t n;
                const struct kl_apiserver__rule *nr = kl_apiserver__node_rules(&n);

                for (size_t i = 0; i < n; i++)
                        if (!nr[i].ns || kl_streq(nr[i].ns, ns))
                                (void)json_array_append_new(rules, resource_rule(&nr[i]));
        }
        if (has_group(u, KL_APISERVER_AUTHENTICATED_GROUP)) {
                for (size_t i = 0; i < KL_ARRAY_SIZE(basic_rules); i++)
                        (void)json_array_append_new(rules, resource_rule(&basic_rules[i]));
                (void)json_array_append_new(urls, json_pack("{sos o}", "verbs",
                                                            strv_json(verbs_get), "nonResourceURLs",
                                                            strv_json(discovery_urls)));
        }
        /* Upstream answers a new object: neither the spec nor the metadata sent. */
        *ret = json_pack("{sssss{sn}s{}s{sosos b}}", "kind", res->kind, "apiVersion",
                         kl_api_resource_api_version(res, api_version, sizeof(api_version)),
                         "metadata", "creationTimestamp", "spec", "status", "resourceRules", rules,
                         "nonResourceRules", urls, "incomplete", 0);
        return 0;
}

static json_t *user_info(const struct kl_apiserver__user *u)
{
        json_t *groups = json_array();
        json_t *info = json_pack("{ss}", "username", u->name);

        if (!kl_isempty(u->uid))
                (void)json_object_set_new(info, "uid", json_string(u->uid));
        for (size_t i = 0; i < u->n_groups; i++)
                (void)json_array_append_new(groups, json_string(u->groups[i]));
        (void)json_object_set_new(info, "groups", groups);
        return info;
}

static json_t *self_subject_review(const struct kl_apiserver__user *u,
                                   const struct kl_api_resource *res, json_t *body)
{
        char api_version[128], now[KL_RFC3339_MAX];

        json_decref(body);
        /* Upstream builds a new object stamped with the time of the request. */
        (void)kl_rfc3339_format(kl_now_realtime(), KL_RFC3339_SECONDS, now, sizeof(now));
        return json_pack("{sssss{ss}s{so}}", "kind", res->kind, "apiVersion",
                         kl_api_resource_api_version(res, api_version, sizeof(api_version)),
                         "metadata", "creationTimestamp", now, "status", "userInfo", user_info(u));
}

static int token_review(struct kl_apiserver *s, const struct kl_api_resource *res, json_t *body,
                        struct kl_pool *pool, json_t **ret, struct kl_err **err)
{
        json_auto_t *b = body;
        const json_t *spec = json_object_get(b, "spec");
        const char *token = str_of(spec, "token");
        struct kl_apiserver__user u = { 0 };
        json_t *status;
        int r;

        if (kl_isempty(token))
                return kl_err_set_msg(err, -EINVAL,
                                      "token is required for TokenReview in authentication");
        /* No API audiences here: asking for any is asking for what no token has. */
        r = json_array_size(json_object_get(spec, "audiences")) > 0
                    ? -KL_EUNAUTHORIZED
                    : kl_apiserver__authenticate_token(s, token, pool, &u);
        (void)answer_of(b, res);
        if (r == 0) {
                kl_apiserver__user_add_authenticated(&u, pool);
                status = json_pack("{sbso}", "authenticated", 1, "user", user_info(&u));
        } else {
                /* Go writes the empty UserInfo struct; authenticated=false is omitted. */
                status = json_pack("{s{}}", "user");
        }
        (void)json_object_set_new(b, "status", status);
        *ret = KL_TAKE_PTR(b);
        return 0;
}

int kl_apiserver__review(struct kl_apiserver *s, const struct kl_apiserver__user *u,
                         const struct kl_api_resource *res, const char *ns, json_t *body,
                         struct kl_pool *pool, json_t **ret, struct kl_err **err)
{
        json_auto_t *b = body;

        *ret = NULL;
        if (!json_is_object(b))
                return kl_err_set_msg(err, -EINVAL,
                                      "the body of the request must be a JSON object");
        if (kl_streq(res->plural, "selfsubjectaccessreviews"))
                return self_access_review(u, res, KL_TAKE_PTR(b), ret, err);
        if (kl_streq(res->plural, "subjectaccessreviews"))
                return subject_access_review(res, NULL, KL_TAKE_PTR(b), pool, ret, err);
        if (kl_streq(res->plural, "localsubjectaccessreviews")) {
                if (kl_isempty(ns))
                        return kl_err_set_msg(err, -EINVAL, "namespace is required on this type");
                return subject_access_review(res, ns, KL_TAKE_PTR(b), pool, ret, err);
        }
        if (kl_streq(res->plural, "selfsubjectrulesreviews"))
                return self_rules_review(u, res, KL_TAKE_PTR(b), ret, err);
        if (kl_streq(res->plural, "selfsubjectreviews")) {
                *ret = self_subject_review(u, res, KL_TAKE_PTR(b));
                return 0;
        }
        if (kl_streq(res->plural, "tokenreviews"))
                return token_review(s, res, KL_TAKE_PTR(b), pool, ret, err);
        return kl_err_set_msg(err, -EINVAL, "%s cannot be reviewed", res->plural);
}
