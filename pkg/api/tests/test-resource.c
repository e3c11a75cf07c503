/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>

#include "api/resource.h"
#include "base/base.h"

Test(resource, find_by_plural_and_kind)
{
        const struct kl_api_resource *d = kl_api_resource_find("apps", "v1", "deployments");
        char buf[64];

        cr_assert_not_null(d);
        cr_assert_str_eq(d->kind, "Deployment");
        cr_assert(d->namespaced);
        cr_assert_eq(kl_api_resource_find_kind("apps", "v1", "Deployment"), d);
        cr_assert_str_eq(kl_api_resource_api_version(d, buf, sizeof(buf)), "apps/v1");
        cr_assert_str_eq(kl_api_resource_qualified(d, buf, sizeof(buf)), "deployments.apps");
        cr_assert_null(kl_api_resource_find("apps", "v1", "pods"));
        cr_assert_null(kl_api_resource_find("", "v2", "pods"));
}

Test(resource, scale_subresource_answers_with_autoscaling_scale)
{
        const struct kl_api_resource *d = kl_api_resource_find("apps", "v1", "deployments");
        const struct kl_api_subresource *s = kl_api_resource_subresource(d, "scale");

        cr_assert_not_null(s);
        cr_assert_str_eq(s->group, "autoscaling");
        cr_assert_str_eq(s->kind, "Scale");
        cr_assert_null(kl_api_resource_subresource(d, "exec"));
}

Test(resource, pods_have_eviction_and_binding)
{
        const struct kl_api_resource *p = kl_api_resource_find("", "v1", "pods");
        const struct kl_api_subresource *e = kl_api_resource_subresource(p, "eviction");

        cr_assert_not_null(e);
        cr_assert_str_eq(e->group, "policy");
        cr_assert_str_eq(e->kind, "Eviction");
        cr_assert_not_null(kl_api_resource_subresource(p, "binding"));
}

Test(resource, storage_keys)
{
        const struct kl_api_resource *p = kl_api_resource_find("", "v1", "pods");
        const struct kl_api_resource *n = kl_api_resource_find("", "v1", "nodes");
        const struct kl_api_resource *ev = kl_api_resource_find("events.k8s.io", "v1", "events");
        const struct kl_api_resource *hpa1 =
                kl_api_resource_find("autoscaling", "v1", "horizontalpodautoscalers");
        kl_autofree char *k1 = kl_api_storage_key(p, "default", "web");
        kl_autofree char *k2 = kl_api_storage_key(p, "default", NULL);
        kl_autofree char *k3 = kl_api_storage_key(p, NULL, NULL);
        kl_autofree char *k4 = kl_api_storage_key(n, NULL, "node-1");
        kl_autofree char *k5 = kl_api_storage_key(ev, "default", "e1");
        kl_autofree char *k6 = kl_api_storage_key(hpa1, "ns", "h");

        cr_assert_str_eq(k1, "/registry/core/pods/default/web");
        cr_assert_str_eq(k2, "/registry/core/pods/default/");
        cr_assert_str_eq(k3, "/registry/core/pods/");
        cr_assert_str_eq(k4, "/registry/core/nodes/node-1");
        cr_assert_str_eq(k5, "/registry/core/events/default/e1");
        cr_assert_str_eq(k6, "/registry/autoscaling/horizontalpodautoscalers/ns/h");
}

Test(resource, field_selectors)
{
        const struct kl_api_resource *p = kl_api_resource_find("", "v1", "pods");
        const struct kl_api_resource *n = kl_api_resource_find("", "v1", "nodes");

        cr_assert(kl_api_resource_has_field_selector(p, "metadata.name"));
        cr_assert(kl_api_resource_has_field_selector(p, "metadata.namespace"));
        cr_assert(kl_api_resource_has_field_selector(p, "spec.nodeName"));
        cr_assert(!kl_api_resource_has_field_selector(p, "spec.foo"));
        cr_assert(!kl_api_resource_has_field_selector(n, "metadata.namespace"));
        cr_assert(kl_api_resource_has_field_selector(n, "spec.unschedulable"));
}

Test(resource, table_is_consistent)
{
        size_t n = 0;
        const struct kl_api_resource *rs = kl_api_resources(&n);

        cr_assert_gt(n, 25);
        for (size_t i = 0; i < n; i++) {
                const struct kl_api_resource *r = &rs[i];
                kl_autofree char *list = kl_asprintf("%sList", r->kind);

                cr_assert_str_eq(r->list_kind, list);
                cr_assert_not_null(r->schema, "%s", r->kind);
                cr_assert_eq(kl_api_resource_find(r->group, r->version, r->plural), r,
                             "duplicate row %s/%s %s", r->group, r->version, r->plural);
                for (const struct kl_api_subresource *s = r->subresources; s && s->name; s++)
                        cr_assert_not_null(s->kind, "%s/%s has no kind", r->plural, s->name);
        }
}
