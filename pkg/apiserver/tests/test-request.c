/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Routing, query parsing and Accept negotiation of the API server: the URL
 * shapes kubectl sends (kubectl-contract §3, §9, §10) and the media types it
 * asks for (§6, §8).
 */
#include <criterion/criterion.h>

#include "apiserver/apiserver-internal.h"

static struct kl_apiserver__route route(struct kl_pool *p, const char *path)
{
        struct kl_apiserver__route r;

        cr_assert_eq(kl_apiserver__route_parse(path, p, &r), 0, "%s", path);
        return r;
}

Test(route, non_resource)
{
        struct kl_pool p = KL_POOL_INIT;

        cr_expect_eq(route(&p, "/version").kind, KL_APISERVER_ROUTE_VERSION);
        cr_expect_eq(route(&p, "/readyz").kind, KL_APISERVER_ROUTE_HEALTH);
        cr_expect_eq(route(&p, "/livez/ping").kind, KL_APISERVER_ROUTE_HEALTH);
        cr_expect_eq(route(&p, "/readyzz").kind, KL_APISERVER_ROUTE_NOT_FOUND);
        cr_expect_eq(route(&p, "/api").kind, KL_APISERVER_ROUTE_API);
        cr_expect_eq(route(&p, "/apis").kind, KL_APISERVER_ROUTE_APIS);
        cr_expect_eq(route(&p, "/apis/apps").kind, KL_APISERVER_ROUTE_GROUP);
        cr_expect_eq(route(&p, "/apis/apps/v1").kind, KL_APISERVER_ROUTE_GROUP_VERSION);
        cr_expect_eq(route(&p, "/api/v1").kind, KL_APISERVER_ROUTE_GROUP_VERSION);
        cr_expect_eq(route(&p, "/openapi/v3").kind, KL_APISERVER_ROUTE_OPENAPI_V3);
        cr_expect_eq(route(&p, "/openapi/v3/apis/apps/v1").kind, KL_APISERVER_ROUTE_OPENAPI_V3_GV);
        cr_expect_eq(route(&p, "/openapi/v2").kind, KL_APISERVER_ROUTE_NOT_FOUND);
        kl_pool_release(&p);
}

Test(route, resources)
{
        struct kl_pool p = KL_POOL_INIT;
        struct kl_apiserver__route r;

        r = route(&p, "/api/v1/namespaces/default/pods");
        cr_assert_eq(r.kind, KL_APISERVER_ROUTE_RESOURCE);
        cr_expect_str_eq(r.group, "");
        cr_expect_str_eq(r.ns, "default");
        cr_expect_str_eq(r.plural, "pods");
        cr_expect_null(r.name);

        r = route(&p, "/apis/apps/v1/namespaces/x/deployments/web/scale");
        cr_expect_str_eq(r.group, "apps");
        cr_expect_str_eq(r.name, "web");
        cr_expect_str_eq(r.sub, "scale");

        /* namespaces/{name}/status is the namespace's subresource, not a resource list. */
        r = route(&p, "/api/v1/namespaces/foo/status");
        cr_expect_str_eq(r.plural, "namespaces");
        cr_expect_str_eq(r.name, "foo");
        cr_expect_str_eq(r.sub, "status");
        cr_expect_null(r.ns);

        r = route(&p, "/api/v1/namespaces/foo");
        cr_expect_str_eq(r.plural, "namespaces");
        cr_expect_str_eq(r.name, "foo");

        r = route(&p, "/api/v1/pods");
        cr_expect_null(r.ns);
        cr_expect_str_eq(r.plural, "pods");

        r = route(&p, "/api/v1/namespaces/a%2Db/configmaps/c");
        cr_expect_str_eq(r.ns, "a-b");
        cr_expect_eq(route(&p, "/api/v1/namespaces/../pods").kind, KL_APISERVER_ROUTE_NOT_FOUND);
        cr_expect_eq(kl_apiserver__route_parse("/api/v1/x%zz", &p, &r), -EINVAL);
        cr_expect_eq(kl_apiserver__route_parse("/api/v1/x%00", &p, &r), -EINVAL);
        cr_expect_eq(kl_apiserver__route_parse("/api/v1/x%4", &p, &r), -EINVAL);
        kl_pool_release(&p);
}

Test(query, parse)
{
        struct kl_pool p = KL_POOL_INIT;
        struct kl_apiserver__query q;

        cr_assert_eq(kl_apiserver__query_parse("fieldSelector=metadata.name%3Dweb&limit=500&"
                                               "watch=true&labelSelector=a+in+(x)&&empty",
                                               &p, &q),
                     0);
        cr_expect_eq(q.n, 5);
        cr_expect_str_eq(kl_apiserver__query_get(&q, "fieldSelector"), "metadata.name=web");
        cr_expect_str_eq(kl_apiserver__query_get(&q, "labelSelector"), "a in (x)");
        cr_expect_str_eq(kl_apiserver__query_get(&q, "empty"), "");
        cr_expect_null(kl_apiserver__query_get(&q, "continue"));
        cr_expect(kl_apiserver__query_bool(&q, "watch"));
        cr_expect_not(kl_apiserver__query_bool(&q, "limit"));
        kl_pool_release(&p);
}

Test(query, too_many)
{
        struct kl_pool p = KL_POOL_INIT;
        struct kl_apiserver__query q;
        struct kl_buf b = KL_BUF_INIT;

        for (int i = 0; i <= KL_APISERVER_MAX_QUERY_PARAMS; i++)
                (void)kl_buf_printf(&b, "k%d=v&", i);
        cr_expect_eq(kl_apiserver__query_parse(b.buf, &p, &q), -E2BIG);
        kl_buf_release(&b);
        kl_pool_release(&p);
}

Test(negotiate, accept)
{
        cr_expect_eq(kl_apiserver__negotiate(NULL, false), KL_APISERVER_OUTPUT_JSON);
        cr_expect_eq(kl_apiserver__negotiate("application/json;as=Table;v=v1;g=meta.k8s.io,"
                                             "application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
                                             "application/json",
                                             false),
                     KL_APISERVER_OUTPUT_TABLE);
        cr_expect_eq(kl_apiserver__negotiate("application/vnd.kubernetes.protobuf,application/json",
                                             false),
                     KL_APISERVER_OUTPUT_JSON);
        cr_expect_eq(kl_apiserver__negotiate(
                             "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                             "application/json",
                             true),
                     KL_APISERVER_OUTPUT_DISCOVERY_V2);
        cr_expect_eq(kl_apiserver__negotiate(
                             "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                             "application/json",
                             false),
                     KL_APISERVER_OUTPUT_JSON);
        cr_expect_eq(
                kl_apiserver__negotiate("application/json;as=Table;v=v2;g=meta.k8s.io, */*", false),
                KL_APISERVER_OUTPUT_JSON);
}

Test(status, not_found)
{
        const struct kl_api_resource *res = kl_api_resource_find("apps", "v1", "deployments");
        struct kl_err *e = NULL;
        json_t *st;
        char *text;

        cr_assert_not_null(res);
        cr_expect_eq(kl_apiserver__err_not_found(&e, res, "web"), -ENOENT);
        cr_expect_str_eq(kl_err_msg(e), "deployments.apps \"web\" not found");
        st = kl_apiserver__status_error(-e->code, kl_err_msg(e), res, "web");
        text = json_dumps(st, JSON_COMPACT);
        cr_expect_str_eq(text, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                               "\"status\":\"Failure\",\"message\":\"deployments.apps \\\"web\\\" "
                               "not found\",\"reason\":\"NotFound\",\"details\":{\"name\":\"web\","
                               "\"group\":\"apps\",\"kind\":\"deployments\"},\"code\":404}");
        free(text);
        json_decref(st);
        kl_err_free(e);
}
