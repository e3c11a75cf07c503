/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the validate*.c files share: the walk context (error list and the
 * current field path), the error constructors named after upstream's
 * field.Required/Invalid/NotSupported/..., renderers of bad values in Go's
 * print forms, tolerant JSON readers, and the per-family entry points that
 * kl_api_validate() dispatches to. Included only by pkg/api/validate*.c.
 *
 * Paths: the context holds the path of the value being looked at
 * ("spec.template.spec"); kl_api__vpush*() append a child and return a mark
 * that kl_api__vpop() restores. Error constructors take an optional `child`
 * appended for that one error, so `kl_api__v_required(v, "image", "")`
 * inside containers[0] reports "spec.containers[0].image".
 */
#ifndef KL_API_VALIDATE_INTERNAL_H
#define KL_API_VALIDATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "api/validate.h"
#include "base/base.h"

struct kl_api__vctx {
        struct kl_api_field_errors *errs; /* borrowed: where errors go */
        struct kl_buf path;               /* owned: the current field path */
        /*
         * Borrowed, may be NULL: volume names a pod spec may mount without
         * declaring them (a StatefulSet's volumeClaimTemplates).
         */
        const json_t *implied_volumes;
};

void kl_api__vctx_init(struct kl_api__vctx *v, struct kl_api_field_errors *errs);
void kl_api__vctx_release(struct kl_api__vctx *v);

/* Path steps; each returns the mark to pass to kl_api__vpop(). */
size_t kl_api__vpush(struct kl_api__vctx *v, const char *child);
size_t kl_api__vpush_index(struct kl_api__vctx *v, size_t index);
size_t kl_api__vpush_key(struct kl_api__vctx *v, const char *key);
void kl_api__vpop(struct kl_api__vctx *v, size_t mark);

/*
 * Error constructors. `child` (may be NULL) is a plain field name appended
 * to the current path for this error only. `value` arguments of type char *
 * named *_take are owned text in Go's print form (see the renderers).
 */
void kl_api__v_add_take(struct kl_api__vctx *v, enum kl_api_field_error_type type,
                        const char *child, char *value_take, const char *detail);
void kl_api__v_required(struct kl_api__vctx *v, const char *child, const char *detail);
void kl_api__v_forbidden(struct kl_api__vctx *v, const char *child, const char *detail);
void kl_api__v_too_long(struct kl_api__vctx *v, const char *child, size_t max);
void kl_api__v_invalid_str(struct kl_api__vctx *v, const char *child, const char *value,
                           const char *detail);
void kl_api__v_invalid_int(struct kl_api__vctx *v, const char *child, int64_t value,
                           const char *detail);
void kl_api__v_invalid_take(struct kl_api__vctx *v, const char *child, char *value_take,
                            const char *detail);
void kl_api__v_duplicate_take(struct kl_api__vctx *v, const char *child, char *value_take);
void kl_api__v_not_found_str(struct kl_api__vctx *v, const char *child, const char *value);
/* NotSupported with a string value; `valid` is NULL-terminated, printed in its order. */
void kl_api__v_not_supported(struct kl_api__vctx *v, const char *child, const char *value,
                             const char *const *valid);
/* One Invalid error per message of a name validator (kl_api_validate_*); frees `msgs`. */
void kl_api__v_msgs(struct kl_api__vctx *v, const char *child, const char *value, char **msgs);

/* ValidateNonnegativeField on member `key` of `obj`, when it is an integer. */
void kl_api__v_nonneg(struct kl_api__vctx *v, const json_t *obj, const char *key);
/* ValidateImmutableField: Invalid(child, <new value>, "field is immutable") when they differ. */
void kl_api__v_immutable(struct kl_api__vctx *v, const char *child, const json_t *new_value,
                         const json_t *old_value);

/* Name rules of the generic ObjectMeta validation (ValidateNameFunc). */
typedef size_t kl_api__name_fn(const char *name, bool prefix, char ***msgs);
size_t kl_api__name_dns1123_subdomain(const char *name, bool prefix, char ***msgs);
size_t kl_api__name_dns1123_label(const char *name, bool prefix, char ***msgs);
size_t kl_api__name_dns1035_label(const char *name, bool prefix, char ***msgs);

/*
 * Renderers of bad values as upstream prints them; all return owned text
 * (Go's %q of a string is selector.h's kl_api_go_quoted()).
 *   go_json       strings %q, integers, reals, booleans, null; an object of
 *                 strings as map[string]string{"k":"v"}; an array of strings
 *                 as []string{"a", "b"}; anything else as compact JSON
 *   go_selector   (*metav1.LabelSelector).String() of the generated code
 *   go_intstr     IntOrString.String(): the string, or the integer
 */
char *kl_api__go_json(const json_t *value);
char *kl_api__go_selector(const json_t *selector);
char *kl_api__go_intstr(const json_t *value);
char *kl_api__json_compact(const json_t *value);

/*
 * Tolerant readers: an absent member, a JSON null and a value of the wrong
 * type all read as absent. Results are borrowed from `o`.
 */
const char *kl_api__jstr(const json_t *o, const char *key);
/* The string, or "" when absent: Go's zero value. */
const char *kl_api__jstr0(const json_t *o, const char *key);
json_t *kl_api__jobj(const json_t *o, const char *key);
json_t *kl_api__jarr(const json_t *o, const char *key);
bool kl_api__jint(const json_t *o, const char *key, int64_t *ret);
/* A boolean member that is true. */
bool kl_api__jtrue(const json_t *o, const char *key);
/* Present and not null. */
bool kl_api__jhas(const json_t *o, const char *key);
/*
 * The keys of object `o` sorted bytewise (as Go's fmt prints maps, and so
 * errors come out in a stable order), NULL-terminated. The array is owned
 * by the caller (free()), the strings borrowed from `o`.
 */
const char **kl_api__sorted_keys(const json_t *o, size_t *ret_n);
/* strcmp() for qsort() over an array of const char *. */
int kl_api__strcmp_p(const void *a, const void *b);
/* Number of members of an object or elements of an array; 0 otherwise. */
size_t kl_api__jlen(const json_t *value);

/*
 * Shared pieces of the kind validators.
 */

/* ValidateObjectMeta on obj.metadata ("metadata"). */
void kl_api__v_object_meta(struct kl_api__vctx *v, const json_t *obj, bool namespaced,
                           kl_api__name_fn *name_fn);
/* ValidateObjectMetaUpdate: name, namespace and uid immutable, no new finalizers when deleting. */
void kl_api__v_object_meta_update(struct kl_api__vctx *v, const json_t *obj, const json_t *old);
/* ValidateLabels at the current path plus `child`. */
void kl_api__v_labels(struct kl_api__vctx *v, const char *child, const json_t *labels);
/* ValidateAnnotations at the current path plus `child`. */
void kl_api__v_annotations(struct kl_api__vctx *v, const char *child, const json_t *annotations);
/* ValidateLabelSelector (strict values) at the current path plus `child`. */
void kl_api__v_label_selector(struct kl_api__vctx *v, const char *child, const json_t *selector);
/* IsValidPortNum: 1..65535. */
bool kl_api__port_ok(int64_t port);
/* ValidatePortNumOrName on member `key` of `obj` (an IntOrString; absent is the integer 0). */
void kl_api__v_port_num_or_name(struct kl_api__vctx *v, const json_t *obj, const char *key);
/* IsValidPortName messages (IANA_SVC_NAME), appended to *msgs; returns how many. */
size_t kl_api__port_name_msgs(const char *name, char ***msgs);

/* IsConfigMapKey messages (ConfigMap and Secret keys, key selectors), appended to *msgs. */
size_t kl_api__config_key_msgs(const char *key, char ***msgs);
/* validation.IsRelaxedEnvVarName (v1.32's default): printable ASCII other than '='. */
size_t kl_api__env_name_msgs(const char *name, char ***msgs);

/* PodSpec and PodTemplateSpec (validate-pod.c). */
enum kl_api__pod_flags {
        KL_API__POD_IS_POD = 1 << 0, /* the rules only a Pod has (hostNetwork ports) */
};
void kl_api__v_pod_spec(struct kl_api__vctx *v, const json_t *spec, unsigned flags);
/* ValidatePodTemplateSpec at the current path: labels, annotations, spec. */
void kl_api__v_pod_template(struct kl_api__vctx *v, const json_t *tmpl);

/* Per-kind entry points, at the root path; `old` NULL on create. */
void kl_api__validate_pod(struct kl_api__vctx *v, const json_t *obj, const json_t *old);
void kl_api__validate_service(struct kl_api__vctx *v, const json_t *obj, const json_t *old);
void kl_api__validate_configmap(struct kl_api__vctx *v, const json_t *obj, const json_t *old);
void kl_api__validate_secret(struct kl_api__vctx *v, const json_t *obj, const json_t *old);
void kl_api__validate_namespace(struct kl_api__vctx *v, const json_t *obj, const json_t *old);
void kl_api__validate_node(struct kl_api__vctx *v, const json_t *obj, const json_t *old);
void kl_api__validate_deployment(struct kl_api__vctx *v, const json_t *obj, const json_t *old);
void kl_api__validate_replicaset(struct kl_api__vctx *v, const json_t *obj, const json_t *old);
void kl_api__validate_statefulset(struct kl_api__vctx *v, const json_t *obj, const json_t *old);
void kl_api__validate_daemonset(struct kl_api__vctx *v, const json_t *obj, const json_t *old);
void kl_api__validate_job(struct kl_api__vctx *v, const json_t *obj, const json_t *old);
void kl_api__validate_cronjob(struct kl_api__vctx *v, const json_t *obj, const json_t *old);

/*
 * A 5-field cron schedule or a descriptor (@hourly, @every 1h30m), as
 * robfig/cron's ParseStandard, which CronJob validation uses. 0, or -EINVAL
 * with *ret_msg (owned) set to the parser's error text.
 */
int kl_api__cron_parse(const char *spec, char **ret_msg);

#endif
