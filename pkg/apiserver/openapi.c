/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenAPI v3 documents from the resource table and pkg/api's schema tables
 * (kubectl-contract §5). What kubectl needs of them: for every resource a
 * PATCH operation carrying x-kubernetes-group-version-kind and the
 * fieldValidation parameter (its validation gate, §5.2), and schemas with
 * their GVKs for `kubectl explain` (§5.4).
 *
 * PATCH operations list the strategic-merge-patch content type (§5.3): the
 * schemas carry every property down to the leaves with upstream's
 * x-kubernetes-patch-merge-key/-strategy, so client-side apply computes its
 * patches from them (e2e t1200 checks apply's configured/unchanged and list
 * element removal) and also works for kinds kubectl has no Go types for.
 */
#include <string.h>

#include "api/schema.h"
#include "apiserver/apiserver-internal.h"

static json_t *param(const char *name, const char *type)
{
        return json_pack("{sssss{ss}ss}", "name", name, "in", "query", "schema", "type", type,
                         "description", "");
}

static json_t *op_json(const struct kl_api_resource *r, const char *action, const char *schema_ref,
                       bool patch)
{
        json_t *op = json_object();
        json_t *ok = json_pack("{s{s{s{ss}}}}", "content", "application/json", "schema", "$ref",
                               schema_ref);

        (void)json_object_set_new(op, "x-kubernetes-action", json_string(action));
        (void)json_object_set_new(
                op, "x-kubernetes-group-version-kind",
                json_pack("{ssssss}", "group", r->group, "version", r->version, "kind", r->kind));
        (void)json_object_set_new(op, "responses", json_pack("{so}", "200", ok));
        if (patch) {
                json_t *params = json_array();
                json_t *content = json_object();
                static const char *const types[] = { "application/json-patch+json",
                                                     "application/merge-patch+json",
                                                     "application/strategic-merge-patch+json",
                                                     "application/apply-patch+yaml" };

                (void)json_array_append_new(params, param("dryRun", "string"));
                (void)json_array_append_new(params, param("fieldManager", "string"));
                (void)json_array_append_new(params, param("fieldValidation", "string"));
                (void)json_array_append_new(params, param("force", "boolean"));
                (void)json_object_set_new(op, "parameters", params);
                for (size_t i = 0; i < KL_ARRAY_SIZE(types); i++)
                        (void)json_object_set_new(
                                content, types[i],
                                json_pack("{s{ss}}", "schema", "$ref",
                                          "#/components/schemas/"
                                          "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"));
                (void)json_object_set_new(op, "requestBody",
                                          json_pack("{sosb}", "content", content, "required", 1));
        } else if (kl_streq(action, "put") || kl_streq(action, "post")) {
                json_t *params = json_array();

                (void)json_array_append_new(params, param("dryRun", "string"));
                (void)json_array_append_new(params, param("fieldManager", "string"));
                (void)json_array_append_new(params, param("fieldValidation", "string"));
                (void)json_object_set_new(op, "parameters", params);
        }
        return op;
}

json_t *kl_apiserver__openapi_gv(const char *group, const char *version)
{
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);
        json_auto_t *doc = NULL;
        json_t *paths = json_object();
        json_t *schemas = json_object();
        bool any = false;

        doc = json_pack("{sss{ssss}sos{so}}", "openapi", "3.0.0", "info", "title", "Kubernetes",
                        "version", "v1.32.0", "paths", paths, "components", "schemas", schemas);
        /* Patch bodies are free-form objects, as upstream declares them. */
        (void)json_object_set_new(schemas, "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
                                  json_pack("{ss}", "type", "object"));
        for (size_t i = 0; i < n; i++) {
                const struct kl_api_resource *r = &rows[i];
                const struct kl_api_message *m;
                struct kl_api_gvk gvk = { r->group, r->version, r->kind };
                char base[256], coll[384], item[448], ref[256];
                json_t *c, *it;

                if (!kl_streq(r->group, group) || !kl_streq(r->version, version))
                        continue;
                any = true;
                m = r->schema ? kl_api_schema_message(r->schema) : NULL;
                if (m && kl_api_openapi_add_schemas(schemas, m, &gvk, 1, NULL) < 0)
                        return NULL;
                (void)snprintf(ref, sizeof(ref), "#/components/schemas/%s",
                               r->schema ? r->schema
                                         : "io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
                if (*group)
                        (void)snprintf(base, sizeof(base), "/apis/%s/%s", group, version);
                else
                        (void)snprintf(base, sizeof(base), "/api/%s", version);
                (void)snprintf(coll, sizeof(coll), "%s/%s%s", base,
                               r->namespaced ? "namespaces/{namespace}/" : "", r->plural);
                (void)snprintf(item, sizeof(item), "%s/{name}", coll);
                c = json_object();
                (void)json_object_set_new(c, "get", op_json(r, "list", ref, false));
                (void)json_object_set_new(c, "post", op_json(r, "post", ref, false));
                (void)json_object_set_new(paths, coll, c);
                it = json_object();
                (void)json_object_set_new(it, "get", op_json(r, "get", ref, false));
                (void)json_object_set_new(it, "put", op_json(r, "put", ref, false));
                (void)json_object_set_new(it, "patch", op_json(r, "patch", ref, true));
                (void)json_object_set_new(it, "delete", op_json(r, "delete", ref, false));
                (void)json_object_set_new(paths, item, it);
        }
        if (!any)
                return NULL;
        return KL_TAKE_PTR(doc);
}

json_t *kl_apiserver__openapi_index(void)
{
        /* Filled with serverRelativeURLs by the HTTP layer, which knows the hashes. */
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);
        json_t *paths = json_object();

        for (size_t i = 0; i < n; i++) {
                char key[192];

                if (*rows[i].group)
                        (void)snprintf(key, sizeof(key), "apis/%s/%s", rows[i].group,
                                       rows[i].version);
                else
                        (void)snprintf(key, sizeof(key), "api/%s", rows[i].version);
                if (!json_object_get(paths, key))
                        (void)json_object_set_new(paths, key, json_object());
        }
        return json_pack("{so}", "paths", paths);
}
