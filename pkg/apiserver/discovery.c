/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Discovery documents from the resource table (kubectl-contract §2, §3):
 * aggregated v2/v2beta1 for /api and /apis, and the legacy shapes that
 * kubectl still reads directly (drain and auth can-i fetch /api/v1). Pure:
 * every function builds a new document from static data.
 */
#include <string.h>

#include "apiserver/apiserver-internal.h"

/* Verbs in the order upstream lists them (sorted). */
static json_t *verbs_json(unsigned verbs)
{
        static const struct {
                unsigned bit;
                const char *name;
        } names[] = {
                { KL_API_VERB_CREATE, "create" },
                { KL_API_VERB_DELETE, "delete" },
                { KL_API_VERB_DELETECOLLECTION, "deletecollection" },
                { KL_API_VERB_GET, "get" },
                { KL_API_VERB_LIST, "list" },
                { KL_API_VERB_PATCH, "patch" },
                { KL_API_VERB_UPDATE, "update" },
                { KL_API_VERB_WATCH, "watch" },
        };
        json_t *a = json_array();

        for (size_t i = 0; i < KL_ARRAY_SIZE(names); i++)
                if (verbs & names[i].bit)
                        (void)json_array_append_new(a, json_string(names[i].name));
        return a;
}

static json_t *strv_json(const char *const *v)
{
        json_t *a = json_array();

        for (size_t i = 0; v && v[i]; i++)
                (void)json_array_append_new(a, json_string(v[i]));
        return a;
}

static json_t *gvk_json(const char *group, const char *version, const char *kind)
{
        return json_pack("{ssssss}", "group", group, "version", version, "kind", kind);
}

static json_t *aggregated_resource(const struct kl_api_resource *r)
{
        json_t *o = json_object();
        json_t *subs = json_array();

        (void)json_object_set_new(o, "resource", json_string(r->plural));
        (void)json_object_set_new(o, "responseKind", gvk_json(r->group, r->version, r->kind));
        (void)json_object_set_new(o, "scope",
                                  json_string(r->namespaced ? "Namespaced" : "Cluster"));
        (void)json_object_set_new(o, "singularResource", json_string(r->singular));
        (void)json_object_set_new(o, "verbs", verbs_json(r->verbs));
        if (r->short_names)
                (void)json_object_set_new(o, "shortNames", strv_json(r->short_names));
        if (r->categories)
                (void)json_object_set_new(o, "categories", strv_json(r->categories));
        for (const struct kl_api_subresource *sr = r->subresources; sr && sr->name; sr++)
                (void)json_array_append_new(
                        subs, json_pack("{ssso so}", "subresource", sr->name, "responseKind",
                                        gvk_json(sr->group, sr->version, sr->kind), "verbs",
                                        verbs_json(sr->verbs)));
        if (json_array_size(subs) > 0)
                (void)json_object_set_new(o, "subresources", subs);
        else
                json_decref(subs);
        return o;
}

/* The versions array of one group, in table order (the first is preferred). */
static json_t *aggregated_versions(const char *group)
{
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);
        json_t *versions = json_array();

        for (size_t i = 0; i < n; i++) {
                json_t *v = NULL;
                size_t j;

                if (!kl_streq(rows[i].group, group))
                        continue;
                for (j = 0; j < json_array_size(versions); j++) {
                        json_t *e = json_array_get(versions, j);

                        if (kl_streq(json_string_value(json_object_get(e, "version")),
                                     rows[i].version))
                                v = e;
                }
                if (!v) {
                        v = json_pack("{sss[]ss}", "version", rows[i].version, "resources",
                                      "freshness", "Current");
                        (void)json_array_append_new(versions, v);
                }
                (void)json_array_append_new(json_object_get(v, "resources"),
                                            aggregated_resource(&rows[i]));
        }
        return versions;
}

json_t *kl_apiserver__discovery_aggregated(bool core, bool v2beta1)
{
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);
        json_t *items = json_array();
        json_t *doc;

        if (core) {
                (void)json_array_append_new(items, json_pack("{s{ss}so}", "metadata", "name", "",
                                                             "versions", aggregated_versions("")));
        } else {
                for (size_t i = 0; i < n; i++) {
                        if (!*rows[i].group ||
                            (i > 0 && kl_streq(rows[i - 1].group, rows[i].group)))
                                continue;
                        (void)json_array_append_new(
                                items, json_pack("{s{ss}so}", "metadata", "name", rows[i].group,
                                                 "versions", aggregated_versions(rows[i].group)));
                }
        }
        doc = json_pack("{sssss{}so}", "kind", "APIGroupDiscoveryList", "apiVersion",
                        v2beta1 ? "apidiscovery.k8s.io/v2beta1" : "apidiscovery.k8s.io/v2",
                        "metadata", "items", items);
        return doc;
}

json_t *kl_apiserver__discovery_api_versions(const char *server_address)
{
        return json_pack("{sss[s]s[{ssss}]}", "kind", "APIVersions", "versions", "v1",
                         "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0", "serverAddress",
                         server_address);
}

static json_t *group_json(const char *group, bool with_kind)
{
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);
        json_t *versions = json_array();
        json_t *g;
        char gv[160];

        for (size_t i = 0; i < n; i++) {
                bool seen = false;

                if (!kl_streq(rows[i].group, group))
                        continue;
                for (size_t j = 0; j < json_array_size(versions); j++)
                        if (kl_streq(json_string_value(json_object_get(json_array_get(versions, j),
                                                                       "version")),
                                     rows[i].version))
                                seen = true;
                if (seen)
                        continue;
                (void)snprintf(gv, sizeof(gv), "%s/%s", group, rows[i].version);
                (void)json_array_append_new(versions, json_pack("{ssss}", "groupVersion", gv,
                                                                "version", rows[i].version));
        }
        if (json_array_size(versions) == 0) {
                json_decref(versions);
                return NULL;
        }
        g = json_object();
        if (with_kind) {
                (void)json_object_set_new(g, "kind", json_string("APIGroup"));
                (void)json_object_set_new(g, "apiVersion", json_string("v1"));
        }
        (void)json_object_set_new(g, "name", json_string(group));
        (void)json_object_set_new(g, "preferredVersion",
                                  json_deep_copy(json_array_get(versions, 0)));
        (void)json_object_set_new(g, "versions", versions);
        return g;
}

json_t *kl_apiserver__discovery_group_list(void)
{
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);
        json_t *groups = json_array();

        for (size_t i = 0; i < n; i++) {
                if (!*rows[i].group || (i > 0 && kl_streq(rows[i - 1].group, rows[i].group)))
                        continue;
                (void)json_array_append_new(groups, group_json(rows[i].group, false));
        }
        return json_pack("{ssssso}", "kind", "APIGroupList", "apiVersion", "v1", "groups", groups);
}

json_t *kl_apiserver__discovery_group(const char *group)
{
        if (!*group)
                return NULL;
        return group_json(group, true);
}

json_t *kl_apiserver__discovery_resource_list(const char *group, const char *version)
{
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);
        json_t *resources = json_array();
        char gv[160];
        bool any = false;

        for (size_t i = 0; i < n; i++) {
                const struct kl_api_resource *r = &rows[i];
                json_t *o;

                if (!kl_streq(r->group, group) || !kl_streq(r->version, version))
                        continue;
                any = true;
                o = json_pack("{sssssbssso}", "name", r->plural, "singularName", r->singular,
                              "namespaced", r->namespaced, "kind", r->kind, "verbs",
                              verbs_json(r->verbs));
                if (r->short_names)
                        (void)json_object_set_new(o, "shortNames", strv_json(r->short_names));
                if (r->categories)
                        (void)json_object_set_new(o, "categories", strv_json(r->categories));
                (void)json_array_append_new(resources, o);
                for (const struct kl_api_subresource *sr = r->subresources; sr && sr->name; sr++) {
                        char name[128];
                        json_t *so;

                        (void)snprintf(name, sizeof(name), "%s/%s", r->plural, sr->name);
                        so = json_pack("{sssssbssso}", "name", name, "singularName", "",
                                       "namespaced", r->namespaced, "kind", sr->kind, "verbs",
                                       verbs_json(sr->verbs));
                        if (!kl_streq(sr->group, group) || !kl_streq(sr->version, version)) {
                                (void)json_object_set_new(so, "group", json_string(sr->group));
                                (void)json_object_set_new(so, "version", json_string(sr->version));
                        }
                        (void)json_array_append_new(resources, so);
                }
        }
        if (!any) {
                json_decref(resources);
                return NULL;
        }
        if (*group)
                (void)snprintf(gv, sizeof(gv), "%s/%s", group, version);
        else
                (void)snprintf(gv, sizeof(gv), "%s", version);
        return json_pack("{ssssssso}", "kind", "APIResourceList", "apiVersion", "v1",
                         "groupVersion", gv, "resources", resources);
}

json_t *kl_apiserver__version_info(void)
{
        return json_pack("{ssssssssssssssssss}", "major", "1", "minor", "32", "gitVersion",
                         KL_APISERVER_GIT_VERSION, "gitCommit",
                         "0000000000000000000000000000000000000000", "gitTreeState", "clean",
                         "buildDate", "2025-01-01T00:00:00Z", "goVersion", "go1.23.0", "compiler",
                         "gc", "platform", "linux/amd64");
}
