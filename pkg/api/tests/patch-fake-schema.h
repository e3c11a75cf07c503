/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A hand-written schema for strategic merge patch tests and the fuzz target,
 * independent of the generated tables: one Pod-like top-level struct whose
 * `spec` carries the fields of a PodSpec, a DeploymentSpec and a ServiceSpec
 * at once, with upstream's patch markers on the fields that have them
 * (containers by name, their ports by containerPort, env by name,
 * volumeMounts by mountPath, volumes by name with retainKeys, finalizers
 * merged, ownerReferences by uid, Service ports by port, conditions by type;
 * tolerations, args and command atomic). Test-only; included by
 * tests/test-patch.c and fuzz/fuzz-strategic-patch.c.
 */
#ifndef KL_API_TESTS_PATCH_FAKE_SCHEMA_H
#define KL_API_TESTS_PATCH_FAKE_SCHEMA_H

#include <string.h>

#include "api/patch.h"

struct fake_type;

/* One field, as struct kl_api_patch_field describes it; all static data. */
struct fake_field {
        const char *name;              /* the JSON name */
        enum kl_api_patch_value value; /* what the field holds */
        enum kl_api_patch_value elem;  /* lists and maps: what each element is */
        unsigned strategy;             /* enum kl_api_patch_strategy bits */
        const char *merge_key;         /* NULL for none */
        const struct fake_type *type;  /* the struct of OBJECT values or elements */
};

struct fake_type {
        const char *name;                /* the Go type's name, for reading the tables */
        const struct fake_field *fields; /* ended by a NULL name */
};

#define S_ KL_API_PATCH_VALUE_SCALAR
#define O_ KL_API_PATCH_VALUE_OBJECT
#define M_ KL_API_PATCH_VALUE_MAP
#define L_ KL_API_PATCH_VALUE_LIST
#define U_ KL_API_PATCH_VALUE_UNKNOWN

#define SCALAR(n)                                                           \
        {                                                                   \
                .name = (n), .value = KL_API_PATCH_VALUE_SCALAR, .elem = U_ \
        }
#define STRUCT(n, t)                                              \
        {                                                         \
                .name = (n), .value = O_, .elem = U_, .type = (t) \
        }
#define STRING_MAP(n)                                \
        {                                            \
                .name = (n), .value = M_, .elem = S_ \
        }

static const struct fake_type fake_object_meta, fake_owner_ref, fake_spec, fake_template,
        fake_container, fake_container_port, fake_env, fake_volume_mount, fake_resources,
        fake_volume, fake_toleration, fake_strategy, fake_selector, fake_service_port, fake_status,
        fake_condition, fake_object, fake_local_ref;

static const struct fake_field fake_object_fields[] = {
        SCALAR("apiVersion"),
        SCALAR("kind"),
        STRUCT("metadata", &fake_object_meta),
        STRUCT("spec", &fake_spec),
        STRUCT("status", &fake_status),
        STRING_MAP("data"),
        { NULL },
};

static const struct fake_field fake_object_meta_fields[] = {
        SCALAR("name"),
        SCALAR("namespace"),
        SCALAR("resourceVersion"),
        STRING_MAP("labels"),
        STRING_MAP("annotations"),
        { .name = "finalizers", .value = L_, .elem = S_, .strategy = KL_API_PATCH_MERGE },
        { .name = "ownerReferences",
          .value = L_,
          .elem = O_,
          .strategy = KL_API_PATCH_MERGE,
          .merge_key = "uid",
          .type = &fake_owner_ref },
        { NULL },
};

static const struct fake_field fake_owner_ref_fields[] = {
        SCALAR("apiVersion"), SCALAR("kind"),       SCALAR("name"),
        SCALAR("uid"),        SCALAR("controller"), { NULL },
};

static const struct fake_field fake_spec_fields[] = {
        { .name = "containers",
          .value = L_,
          .elem = O_,
          .strategy = KL_API_PATCH_MERGE,
          .merge_key = "name",
          .type = &fake_container },
        { .name = "initContainers",
          .value = L_,
          .elem = O_,
          .strategy = KL_API_PATCH_MERGE,
          .merge_key = "name",
          .type = &fake_container },
        { .name = "volumes",
          .value = L_,
          .elem = O_,
          .strategy = KL_API_PATCH_MERGE | KL_API_PATCH_RETAIN_KEYS,
          .merge_key = "name",
          .type = &fake_volume },
        { .name = "tolerations", .value = L_, .elem = O_, .type = &fake_toleration },
        { .name = "imagePullSecrets",
          .value = L_,
          .elem = O_,
          .strategy = KL_API_PATCH_MERGE,
          .merge_key = "name",
          .type = &fake_local_ref },
        STRUCT("template", &fake_template),
        SCALAR("replicas"),
        SCALAR("paused"),
        { .name = "strategy",
          .value = O_,
          .strategy = KL_API_PATCH_RETAIN_KEYS,
          .type = &fake_strategy },
        STRUCT("selector", &fake_selector),
        { .name = "ports",
          .value = L_,
          .elem = O_,
          .strategy = KL_API_PATCH_MERGE,
          .merge_key = "port",
          .type = &fake_service_port },
        STRING_MAP("nodeSelector"),
        SCALAR("type"),
        SCALAR("nodeName"),
        { NULL },
};

static const struct fake_field fake_template_fields[] = {
        STRUCT("metadata", &fake_object_meta),
        STRUCT("spec", &fake_spec),
        { NULL },
};

static const struct fake_field fake_container_fields[] = {
        SCALAR("name"),
        SCALAR("image"),
        { .name = "args", .value = L_, .elem = S_ },
        { .name = "command", .value = L_, .elem = S_ },
        { .name = "ports",
          .value = L_,
          .elem = O_,
          .strategy = KL_API_PATCH_MERGE,
          .merge_key = "containerPort",
          .type = &fake_container_port },
        { .name = "env",
          .value = L_,
          .elem = O_,
          .strategy = KL_API_PATCH_MERGE,
          .merge_key = "name",
          .type = &fake_env },
        { .name = "volumeMounts",
          .value = L_,
          .elem = O_,
          .strategy = KL_API_PATCH_MERGE,
          .merge_key = "mountPath",
          .type = &fake_volume_mount },
        STRUCT("resources", &fake_resources),
        { NULL },
};

static const struct fake_field fake_container_port_fields[] = {
        SCALAR("containerPort"),
        SCALAR("name"),
        SCALAR("protocol"),
        { NULL },
};

static const struct fake_field fake_env_fields[] = {
        SCALAR("name"),
        SCALAR("value"),
        STRUCT("valueFrom", NULL),
        { NULL },
};

static const struct fake_field fake_volume_mount_fields[] = {
        SCALAR("name"),
        SCALAR("mountPath"),
        SCALAR("readOnly"),
        { NULL },
};

static const struct fake_field fake_resources_fields[] = {
        STRING_MAP("limits"),
        STRING_MAP("requests"),
        { NULL },
};

static const struct fake_field fake_volume_fields[] = {
        SCALAR("name"),           STRUCT("configMap", NULL), STRUCT("secret", NULL),
        STRUCT("emptyDir", NULL), STRUCT("hostPath", NULL),  { NULL },
};

static const struct fake_field fake_toleration_fields[] = {
        SCALAR("key"), SCALAR("operator"), SCALAR("value"), SCALAR("effect"), { NULL },
};

static const struct fake_field fake_strategy_fields[] = {
        SCALAR("type"),
        STRUCT("rollingUpdate", NULL),
        { NULL },
};

static const struct fake_field fake_selector_fields[] = {
        STRING_MAP("matchLabels"),
        { .name = "matchExpressions", .value = L_, .elem = O_ },
        { NULL },
};

static const struct fake_field fake_service_port_fields[] = {
        SCALAR("name"), SCALAR("port"), SCALAR("targetPort"), SCALAR("protocol"), { NULL },
};

static const struct fake_field fake_status_fields[] = {
        { .name = "conditions",
          .value = L_,
          .elem = O_,
          .strategy = KL_API_PATCH_MERGE,
          .merge_key = "type",
          .type = &fake_condition },
        SCALAR("phase"),
        { NULL },
};

static const struct fake_field fake_condition_fields[] = {
        SCALAR("type"), SCALAR("status"), SCALAR("reason"), SCALAR("message"), { NULL },
};

static const struct fake_field fake_local_ref_fields[] = {
        SCALAR("name"),
        { NULL },
};

static const struct fake_type fake_object = { "Object", fake_object_fields };
static const struct fake_type fake_object_meta = { "ObjectMeta", fake_object_meta_fields };
static const struct fake_type fake_owner_ref = { "OwnerReference", fake_owner_ref_fields };
static const struct fake_type fake_spec = { "Spec", fake_spec_fields };
static const struct fake_type fake_template = { "PodTemplateSpec", fake_template_fields };
static const struct fake_type fake_container = { "Container", fake_container_fields };
static const struct fake_type fake_container_port = { "ContainerPort", fake_container_port_fields };
static const struct fake_type fake_env = { "EnvVar", fake_env_fields };
static const struct fake_type fake_volume_mount = { "VolumeMount", fake_volume_mount_fields };
static const struct fake_type fake_resources = { "ResourceRequirements", fake_resources_fields };
static const struct fake_type fake_volume = { "Volume", fake_volume_fields };
static const struct fake_type fake_toleration = { "Toleration", fake_toleration_fields };
static const struct fake_type fake_strategy = { "DeploymentStrategy", fake_strategy_fields };
static const struct fake_type fake_selector = { "LabelSelector", fake_selector_fields };
static const struct fake_type fake_service_port = { "ServicePort", fake_service_port_fields };
static const struct fake_type fake_status = { "Status", fake_status_fields };
static const struct fake_type fake_condition = { "Condition", fake_condition_fields };
static const struct fake_type fake_local_ref = { "LocalObjectReference", fake_local_ref_fields };

#undef S_
#undef O_
#undef M_
#undef L_
#undef U_
#undef SCALAR
#undef STRUCT
#undef STRING_MAP

/* kl_api_patch_lookup_fn over the tables above. */
static inline int fake_lookup(const void *type, const char *name, struct kl_api_patch_field *ret)
{
        const struct fake_type *t = type;

        for (const struct fake_field *f = t->fields; f->name; f++) {
                if (strcmp(f->name, name) != 0)
                        continue;
                *ret = (struct kl_api_patch_field){
                        .value = f->value,
                        .elem = f->elem,
                        .strategy = f->strategy,
                        .merge_key = f->merge_key,
                        .type = f->type,
                };
                return 0;
        }
        return -ENOENT;
}

/* The top-level struct. */
static inline const void *fake_root(void)
{
        return &fake_object;
}

#endif
