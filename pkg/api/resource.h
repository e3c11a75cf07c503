/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The resource table (DESIGN §5): one row per kind the API serves, and the
 * facts every other part of the API reads from it — routing, discovery,
 * OpenAPI, storage keys, Table printing, field selectors, defaulting and
 * validation hooks. Adding a kind is adding a row.
 *
 * A row is identified by (group, version, plural); the same kind may be
 * served in several versions (autoscaling/v1 and v2 HorizontalPodAutoscaler)
 * and then shares storage through `storage_group`/`storage_resource`.
 * Subresources are listed with the kind they answer with, which discovery
 * must carry (kubectl finds the Scale kind of deployments/scale there).
 *
 * The table is static data, read by any thread; nothing here allocates
 * except kl_api_storage_key().
 */
#ifndef KL_API_RESOURCE_H
#define KL_API_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"

enum kl_api_verb {
        KL_API_VERB_GET = 1 << 0,
        KL_API_VERB_LIST = 1 << 1,
        KL_API_VERB_WATCH = 1 << 2,
        KL_API_VERB_CREATE = 1 << 3,
        KL_API_VERB_UPDATE = 1 << 4,
        KL_API_VERB_PATCH = 1 << 5,
        KL_API_VERB_DELETE = 1 << 6,
        KL_API_VERB_DELETECOLLECTION = 1 << 7,
};

/* The verbs of an ordinary stored resource. */
#define KL_API_VERBS_ALL                                                               \
        (KL_API_VERB_GET | KL_API_VERB_LIST | KL_API_VERB_WATCH | KL_API_VERB_CREATE | \
         KL_API_VERB_UPDATE | KL_API_VERB_PATCH | KL_API_VERB_DELETE |                 \
         KL_API_VERB_DELETECOLLECTION)
#define KL_API_VERBS_SUB_RW (KL_API_VERB_GET | KL_API_VERB_UPDATE | KL_API_VERB_PATCH)

struct kl_api_subresource {
        const char *name;    /* "status", "scale", "binding", "eviction" */
        const char *group;   /* of the kind it answers with; "" for core */
        const char *version; /* "v1" */
        const char *kind;    /* "Scale" */
        unsigned verbs;      /* enum kl_api_verb */
};

struct kl_api_resource {
        const char *group;              /* "" for the core group */
        const char *version;            /* "v1" */
        const char *kind;               /* "Deployment" */
        const char *plural;             /* "deployments": the URL segment and storage name */
        const char *singular;           /* "deployment" */
        const char *list_kind;          /* "DeploymentList" */
        const char *const *short_names; /* NULL-terminated, may be NULL */
        const char *const *categories;  /* NULL-terminated, may be NULL */
        const struct kl_api_subresource *subresources; /* terminated by a NULL name */
        /* Where objects are stored, when another version owns them; else NULL. */
        const char *storage_group;
        const char *storage_version;
        /* The OpenAPI/schema name of the kind: "io.k8s.api.apps.v1.Deployment". */
        const char *schema;
        /* Field selectors beyond metadata.name and metadata.namespace; NULL-terminated. */
        const char *const *field_selectors;
        unsigned verbs; /* enum kl_api_verb */
        bool namespaced;
        /* Has a spec whose changes bump metadata.generation. */
        bool has_spec;
};

/* Every row, in discovery order: core first, then groups by name, then versions. */
const struct kl_api_resource *kl_api_resources(size_t *ret_n);

/* The row for (group, version, plural), or NULL. */
const struct kl_api_resource *kl_api_resource_find(const char *group, const char *version,
                                                   const char *plural);
/* The row serving `kind` in `group`/`version`, or NULL. */
const struct kl_api_resource *kl_api_resource_find_kind(const char *group, const char *version,
                                                        const char *kind);
/* A subresource of `r` by name, or NULL. */
const struct kl_api_subresource *kl_api_resource_subresource(const struct kl_api_resource *r,
                                                             const char *name);

/* "apps/v1", or "v1" for the core group, into `buf`. Returns buf. */
const char *kl_api_resource_api_version(const struct kl_api_resource *r, char *buf, size_t size);
/* "deployments.apps", or "pods" for the core group: how upstream names a resource in messages. */
const char *kl_api_resource_qualified(const struct kl_api_resource *r, char *buf, size_t size);
/* Whether `field` can be used in a field selector for this resource. */
bool kl_api_resource_has_field_selector(const struct kl_api_resource *r, const char *field);

/*
 * Storage keys (DESIGN §4): /registry/<group>/<resource>/<namespace>/<name>,
 * with "core" for the core group and no namespace segment for cluster-scoped
 * kinds. `ns` and `name` may be NULL for prefixes: the prefix of all objects
 * (ending in '/'), or of one namespace. Owned by the caller.
 */
char *kl_api_storage_key(const struct kl_api_resource *r, const char *ns, const char *name);

#endif
